/*
 * fpmem: the x87 memory forms hamt86 translates inline (translator/fpu.c:
 * the guest load/store in generated code, a direct helper for the value),
 * compared with qemu-system-i386 -cpu pentium2.
 *
 *   - a store that faults (#PF on a not-present page): FST/FSTP m32 m64
 *     m80, FIST/FISTP m16 m32, FISTP m64 must leave the FPU as it was (no
 *     pop, TOP, tags, FSW unchanged) and memory unwritten; FLD m32 m64
 *     m80, FILD m16 m32 m64 and FADD m64 that fault push nothing;
 *   - FIST m16 of a value out of range: masked, the integer indefinite
 *     and IE; unmasked, no store, no pop, ES set (the inline store's slow
 *     path);
 *   - every inline memory form with 16-bit addressing (0x67), including
 *     an offset that wraps at 64 KiB.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "fpmem";

#define NP      (PG_WIN + 4u * 4096u)       /* not present */
#define LOW     0x5000u                     /* 16-bit addressable */

static uint8_t img[108] __attribute__((aligned(16)));

static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

/* FNSAVE and print TOP, FSW, the tag word and ST(0..n-1), then FNINIT. */
static void show(const char *what, unsigned n)
{
    unsigned i;

    __asm__ volatile("fnsave %0" : "=m"(img) : : "memory");
    resultf("%s fsw=%04x ftw=%04x", what, rd16(img + 4), rd16(img + 8));
    for (i = 0; i < n; i++) {
        const uint8_t *r = img + 28 + 10 * i;

        resultf("%s st%u %04x %08x%08x", what, i, rd16(r + 8), rd32(r + 4),
                rd32(r));
    }
}

/* Two values on the stack, TOP = 6: ST0 = 2, ST1 = 1 (exact in every
 * memory format: a store raises no PE, which QEMU 7.2 would set before
 * the #PF). */
static void two(void)
{
    __asm__ volatile("fninit; fld1; fld1; fadd %%st(0), %%st(0)" ::: "memory");
}

/* The faulting forms, one per kind (arg: the address). */
static void f_fstps(void *p) { __asm__ volatile("fstps (%0)" : : "r"(p) : "memory"); }
static void f_fsts(void *p) { __asm__ volatile("fsts (%0)" : : "r"(p) : "memory"); }
static void f_fstpl(void *p) { __asm__ volatile("fstpl (%0)" : : "r"(p) : "memory"); }
static void f_fstpt(void *p) { __asm__ volatile("fstpt (%0)" : : "r"(p) : "memory"); }
static void f_fists(void *p) { __asm__ volatile("fists (%0)" : : "r"(p) : "memory"); }
static void f_fistpl(void *p) { __asm__ volatile("fistpl (%0)" : : "r"(p) : "memory"); }
static void f_fistpll(void *p) { __asm__ volatile("fistpll (%0)" : : "r"(p) : "memory"); }
static void f_flds(void *p) { __asm__ volatile("flds (%0)" : : "r"(p) : "memory"); }
static void f_fldl(void *p) { __asm__ volatile("fldl (%0)" : : "r"(p) : "memory"); }
static void f_fldt(void *p) { __asm__ volatile("fldt (%0)" : : "r"(p) : "memory"); }
static void f_filds(void *p) { __asm__ volatile("filds (%0)" : : "r"(p) : "memory"); }
static void f_fildl(void *p) { __asm__ volatile("fildl (%0)" : : "r"(p) : "memory"); }
static void f_fildll(void *p) { __asm__ volatile("fildll (%0)" : : "r"(p) : "memory"); }
static void f_faddl(void *p) { __asm__ volatile("faddl (%0)" : : "r"(p) : "memory"); }
static void f_fcompl(void *p) { __asm__ volatile("fcompl (%0)" : : "r"(p) : "memory"); }

static const struct {
    const char *name;
    void (*fn)(void *);
} faults[] = {
    { "fstps", f_fstps }, { "fsts", f_fsts }, { "fstpl", f_fstpl },
    { "fstpt", f_fstpt }, { "fists", f_fists }, { "fistpl", f_fistpl },
    { "fistpll", f_fistpll }, { "flds", f_flds }, { "fldl", f_fldl },
    { "fldt", f_fldt }, { "filds", f_filds }, { "fildl", f_fildl },
    { "fildll", f_fildll }, { "faddl", f_faddl }, { "fcompl", f_fcompl },
};

static void fault_tests(void)
{
    unsigned k;
    uint32_t cr2;
    int vec;

    for (k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
        two();
        vec = trap_catch(faults[k].fn, (void *)(NP + 8 * k));
        __asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
        resultf("%s #PF vec=%d cr2=%08x", faults[k].name, vec, cr2);
        show(faults[k].name, 2);
        check(faults[k].name, rd16(img + 4) & 0x3800, 6u << 11);
    }
}

/* FIST m16 of 1e6, masked: the integer indefinite and IE.  FISTP m16 of
 * 2.5 with PE unmasked: stored, popped, and ES set by the inline commit.
 * (An unmasked IE, no store and no pop on the CPU, QEMU 7.2 gets wrong:
 * the difftest compares that with the real CPU.) */
static void fist_tests(void)
{
    static const double big = 1e6, half = 2.5;
    static volatile uint16_t out;
    uint16_t cw = 0x035f;                   /* PM clear */

    out = 0x1234;
    __asm__ volatile("fninit; fldl %1; fists %0" : "=m"(out) : "m"(big));
    resultf("fist masked out=%04x", out);
    show("fist masked", 1);

    out = 0x1234;
    __asm__ volatile("fninit; fld1; fldl %1; fldcw %2; fistps %0"
                     : "=m"(out) : "m"(half), "m"(cw));
    resultf("fistp pe unmasked out=%04x", out);
    show("fistp pe unmasked", 2);
}

/*
 * The inline memory forms with 16-bit addresses: BX + SI = LOW (+ 0x10000
 * for the wrap).  Before paging (page 0 is unmapped then).
 */
static void addr16_tests(void)
{
    volatile uint8_t *lo = (volatile uint8_t *)LOW;
    static const double a = 2.5, b = 1e300;
    uint32_t bx, si;
    int i;

    memset((void *)LOW, 0, 64);
    memcpy((void *)LOW, &a, 8);
    memcpy((void *)(LOW + 0x10000), &b, 8);     /* not read on a wrap */
    lo[16] = 3;                                 /* m16int 3 */
    lo[27] = 0x3f;                              /* m32fp 0.5 at +24 */
    for (int w = 0; w < 2; w++) {
        bx = w ? 0xfff0u : 0;
        si = w ? (LOW + 0x10u) & 0xffff : LOW;
        __asm__ volatile(
            "fninit\n\t"
            "fldl (%%bx,%%si)\n\t"          /* 2.5 */
            "faddl (%%bx,%%si)\n\t"         /* 5 */
            "fiadds 16(%%bx,%%si)\n\t"      /* 8 */
            "fmuls 24(%%bx,%%si)\n\t"       /* * 0.5: 4 */
            "fildl 16(%%bx,%%si)\n\t"       /* 3 */
            "fcoms 24(%%bx,%%si)\n\t"
            "fstl 32(%%bx,%%si)\n\t"
            "fistpl 40(%%bx,%%si)\n\t"
            "fldt 32(%%bx,%%si)\n\t"        /* an m80 from the bytes */
            "fstpt 48(%%bx,%%si)\n\t"
            "fnstsw 44(%%bx,%%si)\n\t"
            : : "b"(bx), "S"(si) : "memory");
        resultf("addr16 wrap=%d", w);
        for (i = 32; i < 60; i += 4) {
            resultf("addr16 mem+%d %08x", i, rd32((const uint8_t *)LOW + i));
        }
        show("addr16", 2);
    }
}

void kmain(void)
{
    addr16_tests();
    fist_tests();
    pg_setup32();
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_W;
    pg_pt_win[4] = 0;                           /* not present */
    write_cr3((uint32_t)pg_pd);
    fault_tests();
    finish(0xe54a60b9);
}
