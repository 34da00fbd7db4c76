/*
 * fptop: x87 register moves translated for a fixed stack top, compared
 * with qemu-system-i386 -cpu pentium2.
 *
 * hamt86 translates FLD ST(i), FXCH, FST/FSTP ST(i), FLD1, FLDZ, FABS and
 * FCHS into moves of fixed env->fpu.st[] slots, for the TOP the block was
 * entered with (TB flags) as tracked through the block, and checks TOP
 * and the tags at run time before each move.  A block that ran with a
 * wrong TOP assumption would move the wrong physical registers; this
 * kernel makes that visible:
 *   - the same code (moves()) entered with each TOP 0..7 must leave the
 *     same stack relative to TOP (FNSAVE image, tags, C1);
 *   - inside one block, a TOP change the translator cannot predict
 *     (FRSTOR of an image with another TOP, FLDENV) followed by moves;
 *   - #NM under CR0.TS at FXCH (the moves' slow path).
 * Stack faults of the moves (empty source, full destination: C1, SF, the
 * QNaN indefinite) are compared with the real CPU by the difftest, not
 * here: QEMU 7.2 does not check the tags of FXCH / FLD ST(i).
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "fptop";

static uint8_t img[108] __attribute__((aligned(16)));
static uint8_t img0[108] __attribute__((aligned(16)));
static uint8_t rst[108] __attribute__((aligned(16)));

static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

/* The 2-bit tag of ST(i) in an FNSAVE image (its tag word is physical). */
static unsigned st_tag(const uint8_t *p, unsigned i)
{
    unsigned top = (rd16(p + 4) >> 11) & 7;

    return (rd16(p + 8) >> (2 * ((top + i) & 7))) & 3;
}

/* A TOP-independent digest of an FNSAVE image: ST(0..7) with their tags,
 * FSW without TOP, FCW. */
static uint32_t digest(const uint8_t *p)
{
    uint32_t h = 0x811c9dc5u;
    unsigned i, k;

    for (i = 0; i < 8; i++) {
        unsigned tag = st_tag(p, i);

        h = (h ^ tag) * 0x01000193u;
        if (tag == 3) {
            continue;                       /* empty: contents undefined */
        }
        for (k = 0; k < 10; k++) {
            h = (h ^ p[28 + 10 * i + k]) * 0x01000193u;
        }
    }
    h = (h ^ (rd16(p + 4) & ~0x3800u)) * 0x01000193u;
    h = (h ^ rd16(p)) * 0x01000193u;
    return h;
}

/* Print ST(0..n-1) of an FNSAVE image and its TOP-independent status. */
static void print_image(const char *what, const uint8_t *p, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        const uint8_t *r = p + 28 + 10 * i;

        resultf("%s st%u tag=%u %04x %08x%08x", what, i, st_tag(p, i),
                rd16(r + 8), rd32(r + 4), rd32(r));
    }
    resultf("%s fsw=%04x", what, rd16(p + 4) & ~0x3800u);
}

/*
 * The moves, one straight-line block: 3 values in (ST0..ST2), 5 out.
 * noinline: one copy of the code, entered with every TOP.
 */
static __attribute__((noinline)) void moves(void)
{
    __asm__ volatile(
        "fld %%st(1)\n\t"           /* b a b c */
        "fxch %%st(2)\n\t"          /* a a b b c ... */
        "fchs\n\t"
        "fst %%st(3)\n\t"
        "fld1\n\t"
        "fxch %%st(1)\n\t"
        "fabs\n\t"
        "fldz\n\t"
        "fxch %%st(4)\n\t"
        "fstp %%st(2)\n\t"
        "fld %%st(0)\n\t"
        "fchs\n\t"
        "fstp %%st(1)\n\t"
        ::: "memory");
}

/* FNINIT, TOP moved down by r with every tag empty, then push 3 values:
 * moves() runs with TOP = (r - 3) & 7. */
static void setup(unsigned r)
{
    static const double v[3] = { 1.5, -2.25, 1e300 };
    unsigned k;

    __asm__ volatile("fninit");
    for (k = 0; k < r; k++) {
        __asm__ volatile("fdecstp");
    }
    __asm__ volatile("fldl %0; fldl %1; fldl %2"
                     : : "m"(v[0]), "m"(v[1]), "m"(v[2]));
}

static void top_tests(void)
{
    uint32_t d0 = 0;
    unsigned r, same = 0;

    for (r = 0; r < 8; r++) {
        setup(r);
        moves();
        __asm__ volatile("fnsave %0" : "=m"(img) : : "memory");
        if (r == 0) {
            d0 = digest(img);
            memcpy(img0, img, sizeof(img));
        }
        same += digest(img) == d0;
        check("moves top", (rd16(img + 4) >> 11) & 7, (8 - 3 - r - 2) & 7);
    }
    print_image("moves", img0, 6);
    resultf("moves same for every top: %u/8", same);
}

/*
 * FRSTOR (then FLDENV) of an image whose TOP differs from the one before
 * it, and moves in the same block: the translator's TOP prediction is
 * wrong there, the run-time check must catch it.
 */
static void restore_tests(void)
{
    unsigned r;

    /* rst: TOP = 5, ST0..ST2 = 1e300 -2.25 1.5 (as setup(0) leaves) */
    setup(0);
    __asm__ volatile("fnsave %0" : "=m"(rst) : : "memory");
    for (r = 0; r < 8; r++) {
        setup(r);
        __asm__ volatile(
            "frstor %1\n\t"
            "fld %%st(1)\n\t"
            "fxch %%st(2)\n\t"
            "fchs\n\t"
            "fst %%st(3)\n\t"
            "fstp %%st(1)\n\t"
            "fnsave %0\n\t"
            : "=m"(img) : "m"(rst) : "memory");
        if (r == 0) {
            memcpy(img0, img, sizeof(img));
        }
        check("frstor moves", digest(img), digest(img0));
    }
    print_image("frstor", img0, 4);

    /* FLDENV: only TOP and the tags change under the registers */
    for (r = 0; r < 8; r++) {
        setup(r);                           /* TOP = -r-3, ST0..2 valid */
        __asm__ volatile(
            "fnstenv %1\n\t"
            "fld1\n\t"                      /* TOP - 1 */
            "fldenv %1\n\t"                 /* TOP again, ST(-1) empty */
            "fxch %%st(1)\n\t"
            "fld %%st(2)\n\t"
            "fabs\n\t"
            "fnsave %0\n\t"
            : "=m"(img), "=m"(rst) : : "memory");
        if (r == 0) {
            memcpy(img0, img, sizeof(img));
        }
        check("fldenv moves", digest(img), digest(img0));
    }
    print_image("fldenv", img0, 4);
}

/* FXCH with CR0.TS: #NM, nothing moved. */
static void t_fxch(void *p)
{
    (void)p;
    __asm__ volatile("fxch %%st(1)" ::: "memory");
}

static void fault_tests(void)
{
    uint32_t cr0;
    int vec;

    __asm__ volatile("fninit; fld1; fldz" ::: "memory");
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0 | 8));
    vec = trap_catch(t_fxch, 0);
    __asm__ volatile("clts");
    __asm__ volatile("fnsave %0" : "=m"(img) : : "memory");
    resultf("fxch ts vec=%d", vec);
    print_image("fxch ts", img, 2);
}

void kmain(void)
{
    top_tests();
    restore_tests();
    fault_tests();
    finish(0x1ed3330b);
}
