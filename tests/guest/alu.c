/*
 * alu: add/sub/adc/sbb/and/or/xor/cmp/test/inc/dec/neg/not on 8/16/32-bit
 * register, memory and immediate forms; prints result and the defined
 * arithmetic flags (AF is undefined after logic ops and is masked there).
 */
#include "lib/lib.h"

const char kernel_name[] = "alu";

static const uint32_t vals[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
    0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678,
    0xdeadbeef, 0x0f0f0f0f,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

/* Binary op "insn src, dst" with flags in; returns dst, flags in *fo. */
#define BIN(fn, insn, sfx, mod, cons)                                        \
static uint32_t fn(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile("pushl %[fi]; popfl; " insn sfx " %" mod "[b], %"       \
                     mod "[a]; pushfl; popl %[f]"                            \
                     : [a] "+" cons(a), [f] "=&r"(f)                         \
                     : [b] cons(b), [fi] "r"(fi) : "cc");                    \
    *fo = f;                                                                 \
    return a;                                                                \
}
#define BIN3(name, insn)                                                     \
    BIN(name##8, insn, "b", "b", "q")                                        \
    BIN(name##16, insn, "w", "w", "r")                                       \
    BIN(name##32, insn, "l", "k", "r")

BIN3(add, "add")
BIN3(sub, "sub")
BIN3(adc, "adc")
BIN3(sbb, "sbb")
BIN3(and, "and")
BIN3(or, "or")
BIN3(xor, "xor")
BIN3(cmp, "cmp")
BIN3(test, "test")

/* Unary ops. */
#define UN(fn, insn, sfx, mod, cons)                                         \
static uint32_t fn(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    (void)b;                                                                 \
    __asm__ volatile("pushl %[fi]; popfl; " insn sfx " %" mod "[a]; "        \
                     "pushfl; popl %[f]"                                     \
                     : [a] "+" cons(a), [f] "=&r"(f) : [fi] "r"(fi) : "cc"); \
    *fo = f;                                                                 \
    return a;                                                                \
}
#define UN3(name, insn)                                                      \
    UN(name##8, insn, "b", "b", "q")                                         \
    UN(name##16, insn, "w", "w", "r")                                        \
    UN(name##32, insn, "l", "k", "r")

UN3(inc, "inc")
UN3(dec, "dec")
UN3(neg, "neg")
UN3(not, "not")

/* Memory destination and memory source forms (32-bit). */
#define BINM(fn, insn)                                                       \
static uint32_t fn(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    volatile uint32_t m = a;                                                 \
    __asm__ volatile("pushl %[fi]; popfl; " insn " %[b], %[m]; "             \
                     "pushfl; popl %[f]"                                     \
                     : [m] "+m"(m), [f] "=&r"(f)                             \
                     : [b] "r"(b), [fi] "r"(fi) : "cc");                     \
    *fo = f;                                                                 \
    return m;                                                                \
}
#define BINMS(fn, insn)                                                      \
static uint32_t fn(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    volatile uint32_t m = b;                                                 \
    __asm__ volatile("pushl %[fi]; popfl; " insn " %[m], %[a]; "             \
                     "pushfl; popl %[f]"                                     \
                     : [a] "+r"(a), [f] "=&r"(f)                             \
                     : [m] "m"(m), [fi] "r"(fi) : "cc");                     \
    *fo = f;                                                                 \
    return a;                                                                \
}
BINM(addm32, "addl")
BINM(subm32, "subl")
BINM(adcm32, "adcl")
BINM(sbbm32, "sbbl")
BINM(andm32, "andl")
BINM(orm32, "orl")
BINM(xorm32, "xorl")
BINM(cmpm32, "cmpl")
BINM(addm8, "addb %b[b], %[m]; nop; #")
BINMS(adds32, "addl")
BINMS(subs32, "subl")
BINMS(cmps32, "cmpl")
BINMS(xors32, "xorl")

typedef uint32_t (*OpFn)(uint32_t, uint32_t, uint32_t, uint32_t *);

typedef struct Op {
    const char *name;
    OpFn fn;
    uint32_t width;     /* 8, 16, 32 */
    uint32_t fmask;     /* defined flags */
    bool unary;
} Op;

#define LOGIC (FL_ARITH & ~FL_AF)
static const Op ops[] = {
    { "add8", add8, 8, FL_ARITH, 0 }, { "add16", add16, 16, FL_ARITH, 0 },
    { "add32", add32, 32, FL_ARITH, 0 },
    { "sub8", sub8, 8, FL_ARITH, 0 }, { "sub16", sub16, 16, FL_ARITH, 0 },
    { "sub32", sub32, 32, FL_ARITH, 0 },
    { "adc8", adc8, 8, FL_ARITH, 0 }, { "adc16", adc16, 16, FL_ARITH, 0 },
    { "adc32", adc32, 32, FL_ARITH, 0 },
    { "sbb8", sbb8, 8, FL_ARITH, 0 }, { "sbb16", sbb16, 16, FL_ARITH, 0 },
    { "sbb32", sbb32, 32, FL_ARITH, 0 },
    { "and8", and8, 8, LOGIC, 0 }, { "and16", and16, 16, LOGIC, 0 },
    { "and32", and32, 32, LOGIC, 0 },
    { "or8", or8, 8, LOGIC, 0 }, { "or16", or16, 16, LOGIC, 0 },
    { "or32", or32, 32, LOGIC, 0 },
    { "xor8", xor8, 8, LOGIC, 0 }, { "xor16", xor16, 16, LOGIC, 0 },
    { "xor32", xor32, 32, LOGIC, 0 },
    { "cmp8", cmp8, 8, FL_ARITH, 0 }, { "cmp16", cmp16, 16, FL_ARITH, 0 },
    { "cmp32", cmp32, 32, FL_ARITH, 0 },
    { "test8", test8, 8, LOGIC, 0 }, { "test16", test16, 16, LOGIC, 0 },
    { "test32", test32, 32, LOGIC, 0 },
    { "inc8", inc8, 8, FL_ARITH, 1 }, { "inc16", inc16, 16, FL_ARITH, 1 },
    { "inc32", inc32, 32, FL_ARITH, 1 },
    { "dec8", dec8, 8, FL_ARITH, 1 }, { "dec16", dec16, 16, FL_ARITH, 1 },
    { "dec32", dec32, 32, FL_ARITH, 1 },
    { "neg8", neg8, 8, FL_ARITH, 1 }, { "neg16", neg16, 16, FL_ARITH, 1 },
    { "neg32", neg32, 32, FL_ARITH, 1 },
    { "not8", not8, 8, FL_ARITH, 1 }, { "not16", not16, 16, FL_ARITH, 1 },
    { "not32", not32, 32, FL_ARITH, 1 },
    { "addm32", addm32, 32, FL_ARITH, 0 }, { "subm32", subm32, 32, FL_ARITH, 0 },
    { "adcm32", adcm32, 32, FL_ARITH, 0 }, { "sbbm32", sbbm32, 32, FL_ARITH, 0 },
    { "andm32", andm32, 32, LOGIC, 0 }, { "orm32", orm32, 32, LOGIC, 0 },
    { "xorm32", xorm32, 32, LOGIC, 0 }, { "cmpm32", cmpm32, 32, FL_ARITH, 0 },
    { "addm8", addm8, 8, FL_ARITH, 0 },
    { "adds32", adds32, 32, FL_ARITH, 0 }, { "subs32", subs32, 32, FL_ARITH, 0 },
    { "cmps32", cmps32, 32, FL_ARITH, 0 }, { "xors32", xors32, 32, LOGIC, 0 },
};

/* Immediate forms: 83 /r ib (sign-extended), 81 /r id, 05 (eAX short). */
static void imm_forms(void)
{
    static const uint32_t in[] = { 0, 1, 0x7f, 0x80, 0x7fffffff, 0xffffffff };
    for (unsigned i = 0; i < 6; i++) {
        uint32_t a, f;
        a = in[i];
        __asm__ volatile("addl $-3, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("addi8 %08x -> %08x f=%03x", in[i], a, f & FL_ARITH);
        a = in[i];
        __asm__ volatile("subl $0x12345678, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("subi32 %08x -> %08x f=%03x", in[i], a, f & FL_ARITH);
        a = in[i];
        __asm__ volatile("addl $0x7fffffff, %%eax; pushfl; popl %1" : "+a"(a), "=r"(f) : : "cc");
        resultf("addeax %08x -> %08x f=%03x", in[i], a, f & FL_ARITH);
        a = in[i];
        __asm__ volatile("andb $0xf0, %%al; pushfl; popl %1" : "+a"(a), "=r"(f) : : "cc");
        resultf("andal %08x -> %08x f=%03x", in[i], a, f & LOGIC);
        a = in[i];
        __asm__ volatile("cmpw $-1, %w0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("cmpw %08x -> %08x f=%03x", in[i], a, f & FL_ARITH);
        a = in[i];
        __asm__ volatile("xorw $0x8001, %%ax; pushfl; popl %1" : "+a"(a), "=r"(f) : : "cc");
        resultf("xorax %08x -> %08x f=%03x", in[i], a, f & LOGIC);
        a = in[i];
        __asm__ volatile("testl $0x80000001, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("testi %08x -> f=%03x", in[i], f & LOGIC);
        a = in[i];
        __asm__ volatile("adcb $0x80, %b0; pushfl; popl %1" : "+q"(a), "=r"(f) : : "cc");
        resultf("adcb %08x -> %08x f=%03x", in[i], a, f & FL_ARITH);
    }
}

/* High-byte registers (AH, BH...) as operands. */
static void high_bytes(void)
{
    for (unsigned i = 0; i < NV; i++) {
        uint32_t a = vals[i], b = vals[(i * 7 + 3) % NV], f;
        __asm__ volatile("addb %%bh, %%ah; subb %%al, %%bl; xorb %%ah, %%bh; "
                         "pushfl; popl %2"
                         : "+a"(a), "+b"(b), "=r"(f) : : "cc");
        resultf("hibyte %u a=%08x b=%08x f=%03x", i, a, b, f & LOGIC);
    }
}

void kmain(void)
{
    /* A few fixed checks of facts no x86 disputes. */
    uint32_t f;
    check("alu.add", add32(2, 3, 0, &f), 5);
    check("alu.add.flags", f & FL_ARITH, FL_PF);
    check("alu.sub.zf", (sub32(7, 7, 0, &f), f & (FL_ZF | FL_CF)), FL_ZF);
    check("alu.adc.cf", adc32(0xffffffff, 0, FL_CF, &f), 0);
    check("alu.inc.keepcf", (inc32(1, 0, FL_CF, &f), f & FL_CF), FL_CF);

    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        const Op *op = &ops[o];
        uint32_t wmask = op->width == 32 ? 0xffffffff : (1u << op->width) - 1;
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned j = 0; j < (op->unary ? 1 : NV); j++) {
                uint32_t f0, f1, r0, r1;
                r0 = op->fn(vals[i], vals[j], 0, &f0);
                r1 = op->fn(vals[i], vals[j], FL_ARITH, &f1);
                if (op->width != 32 && (r0 & ~wmask) != (vals[i] & ~wmask)) {
                    fail(op->name, "upper bits changed");
                }
                resultf("%s %08x %08x -> %08x %03x c1 %08x %03x", op->name,
                        vals[i], op->unary ? 0 : vals[j], r0 & wmask,
                        f0 & op->fmask, r1 & wmask, f1 & op->fmask);
            }
        }
    }
    imm_forms();
    high_bytes();
    finish(0x0342c7a4);
}
