/*
 * muldiv: mul/imul (one-, two- and three-operand forms, 8/16/32-bit,
 * register and memory) and div/idiv including #DE on zero divisors and
 * quotient overflow.  After mul/imul only CF and OF are defined; after
 * div/idiv no flag is.
 */
#include "lib/lib.h"

const char kernel_name[] = "muldiv";

static const uint32_t vals[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfffffff9,
};
#define NV (sizeof(vals) / sizeof(vals[0]))
#define MF (FL_CF | FL_OF)

/* One-operand mul/imul: EDX:EAX = EAX * src. */
#define MUL1(fn, insn, mod, cons)                                            \
static void fn(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi,           \
               uint32_t *fo)                                                 \
{                                                                            \
    uint32_t d = 0x5a5a5a5a, f;                                              \
    __asm__ volatile(insn " %" mod "[b]; pushfl; popl %[f]"                  \
                     : "+a"(a), "+d"(d), [f] "=r"(f) : [b] cons(b) : "cc");  \
    *lo = a;                                                                 \
    *hi = d;                                                                 \
    *fo = f;                                                                 \
}
MUL1(mul8, "mulb", "b", "q")
MUL1(mul16, "mulw", "w", "c")
MUL1(mul32, "mull", "k", "r")
MUL1(imul8, "imulb", "b", "q")
MUL1(imul16, "imulw", "w", "c")
MUL1(imul32, "imull", "k", "r")

static void mul32m(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    volatile uint32_t m = b;
    uint32_t d = 0, f;
    __asm__ volatile("imull %[m]; pushfl; popl %[f]"
                     : "+a"(a), "+d"(d), [f] "=r"(f) : [m] "m"(m) : "cc");
    *lo = a;
    *hi = d;
    *fo = f;
}

/* Two- and three-operand imul. */
static void imul2_32(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile("imull %[b], %[a]; pushfl; popl %[f]"
                     : [a] "+r"(a), [f] "=r"(f) : [b] "r"(b) : "cc");
    *lo = a;
    *hi = 0;
    *fo = f;
}

static void imul2_16(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    uint32_t f;
    __asm__ volatile("imulw %w[b], %w[a]; pushfl; popl %[f]"
                     : [a] "+r"(a), [f] "=r"(f) : [b] "r"(b) : "cc");
    *lo = a;
    *hi = 0;
    *fo = f;
}

static void imul3_i8(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    uint32_t f, r = 0x33333333;
    __asm__ volatile("imull $-7, %[a], %[r]; pushfl; popl %[f]"
                     : [r] "+r"(r), [f] "=r"(f) : [a] "r"(a) : "cc");
    *lo = r;
    *hi = 0;
    *fo = f;
}

static void imul3_i32(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    uint32_t f, r;
    volatile uint32_t m = a;
    __asm__ volatile("imull $0x10001, %[m], %[r]; pushfl; popl %[f]"
                     : [r] "=r"(r), [f] "=r"(f) : [m] "m"(m) : "cc");
    *lo = r;
    *hi = 0;
    *fo = f;
}

static void imul3_w(uint32_t a, uint32_t b, uint32_t *lo, uint32_t *hi, uint32_t *fo)
{
    uint32_t f, r = 0xabcd0000;
    __asm__ volatile("imulw $300, %w[a], %w[r]; pushfl; popl %[f]"
                     : [r] "+r"(r), [f] "=r"(f) : [a] "r"(a) : "cc");
    *lo = r;
    *hi = 0;
    *fo = f;
}

typedef void (*MulFn)(uint32_t, uint32_t, uint32_t *, uint32_t *, uint32_t *);
static const struct {
    const char *name;
    MulFn fn;
} muls[] = {
    { "mul8", mul8 }, { "mul16", mul16 }, { "mul32", mul32 },
    { "imul8", imul8 }, { "imul16", imul16 }, { "imul32", imul32 },
    { "imul32m", mul32m }, { "imul2_32", imul2_32 }, { "imul2_16", imul2_16 },
    { "imul3_i8", imul3_i8 }, { "imul3_i32", imul3_i32 }, { "imul3_w", imul3_w },
};

/* Division: arguments through a struct so the catch wrapper can run it. */
typedef struct DivCase {
    int op;                 /* 0 div8 1 div16 2 div32 3 idiv8 4 idiv16 5 idiv32 6 div32m */
    uint32_t hi, lo, d;
    uint32_t q, r;
} DivCase;

/* Run one division (may raise #DE). */
static void do_div(void *p)
{
    DivCase *c = p;
    uint32_t a = c->lo, d = c->hi;
    volatile uint32_t m = c->d;

    switch (c->op) {
    case 0: __asm__ volatile("divb %b2" : "+a"(a), "+d"(d) : "q"(c->d) : "cc"); break;
    case 1: __asm__ volatile("divw %w2" : "+a"(a), "+d"(d) : "b"(c->d) : "cc"); break;
    case 2: __asm__ volatile("divl %2" : "+a"(a), "+d"(d) : "r"(c->d) : "cc"); break;
    case 3: __asm__ volatile("idivb %b2" : "+a"(a), "+d"(d) : "q"(c->d) : "cc"); break;
    case 4: __asm__ volatile("idivw %w2" : "+a"(a), "+d"(d) : "b"(c->d) : "cc"); break;
    case 5: __asm__ volatile("idivl %2" : "+a"(a), "+d"(d) : "r"(c->d) : "cc"); break;
    default: __asm__ volatile("divl %2" : "+a"(a), "+d"(d) : "m"(m) : "cc"); break;
    }
    c->q = a;
    c->r = d;
}

static const char *const div_names[] = {
    "div8", "div16", "div32", "idiv8", "idiv16", "idiv32", "div32m",
};

void kmain(void)
{
    uint32_t lo, hi, f;
    DivCase dc;

    mul32(0xffffffff, 0xffffffff, &lo, &hi, &f);
    check("muldiv.mul32.lo", lo, 1);
    check("muldiv.mul32.hi", hi, 0xfffffffe);
    check("muldiv.mul32.cf", f & MF, MF);
    imul32(0xffffffff, 0xffffffff, &lo, &hi, &f);
    check("muldiv.imul32.hi", hi, 0);
    check("muldiv.imul32.cf", f & MF, 0);
    dc = (DivCase){ 2, 0, 100, 7, 0, 0 };
    check("muldiv.div.nofault", trap_catch(do_div, &dc), (uint32_t)-1);
    check("muldiv.div.q", dc.q, 14);
    check("muldiv.div.r", dc.r, 2);
    dc = (DivCase){ 2, 0, 100, 0, 0, 0 };
    check("muldiv.div0.vec", trap_catch(do_div, &dc), 0);

    for (unsigned k = 0; k < sizeof(muls) / sizeof(muls[0]); k++) {
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned j = 0; j < NV; j++) {
                muls[k].fn(vals[i], vals[j], &lo, &hi, &f);
                resultf("%s %08x %08x -> %08x %08x %03x", muls[k].name,
                        vals[i], vals[j], lo, hi, f & MF);
            }
        }
    }

    /* Division over dividend pairs (hi, lo) and divisors; #DE recorded. */
    static const uint32_t his[] = { 0, 1, 0x7f, 0xffffffff, 0x80000000 };
    for (int op = 0; op < 7; op++) {
        for (unsigned h = 0; h < 5; h++) {
            for (unsigned i = 0; i < NV; i++) {
                for (unsigned j = 0; j < NV; j += 2) {
                    int vec;
                    dc = (DivCase){ op, his[h], vals[i], vals[j], 0, 0 };
                    last_trap.eip = 0;
                    vec = trap_catch(do_div, &dc);
                    if (vec >= 0) {
                        resultf("%s %08x:%08x / %08x -> #%d", div_names[op],
                                his[h], vals[i], vals[j], vec);
                    } else {
                        resultf("%s %08x:%08x / %08x -> %08x r %08x", div_names[op],
                                his[h], vals[i], vals[j], dc.q, dc.r);
                    }
                }
            }
        }
    }
    finish(0xe35e0d36);
}
