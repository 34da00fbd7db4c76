/*
 * fp_conv: mostly integer <-> floating-point conversions, as a compiler
 * emits them for x87: FILD m32/m64 for int -> double, and for double -> int
 * C's truncation (FNSTCW, FLDCW with RC=chop, FISTP m32/m64, FLDCW back),
 * plus FISTP under the current rounding mode (lrint) and FILD/FIST m16,
 * over arrays of pseudo-random integers.  Self-check: known conversions.
 */
#include "fpmath.h"

const char kernel_name[] = "fp_conv";

#define LEN    4096
#define PASSES (16 * SCALE)

static int32_t ia[LEN], ib[LEN];
static int64_t la[LEN];
static int16_t sa[LEN];
static double da[LEN];

/* FISTP m32 under the current rounding mode (round to nearest). */
static inline int32_t lrint32(double x)
{
    int32_t r;
    __asm__("fistpl %0" : "=m"(r) : "t"(x) : "st");
    return r;
}

/* FILD m16 then FISTP m16. */
static inline int16_t conv16(int16_t v, double scale)
{
    double d;
    int16_t r;
    __asm__("filds %1" : "=t"(d) : "m"(v));
    d *= scale;
    __asm__("fistps %0" : "=m"(r) : "t"(d) : "st");
    return r;
}

void kmain(void)
{
    uint32_t seed = 777, ck = CK_INIT;

    check("conv.trunc", (uint32_t)(int32_t)-2.75, (uint32_t)-2);
    check("conv.rint", (uint32_t)lrint32(2.5), 2);
    check64("conv.i64", (uint64_t)(int64_t)((double)(1ll << 40) + 0.5), 1ull << 40);
    check("conv.i16", (uint32_t)(uint16_t)conv16(-300, 0.5), (uint16_t)-150);
    for (int i = 0; i < LEN; i++) {
        ia[i] = (int32_t)lcg_next(&seed) >> (i & 15);
        la[i] = ((int64_t)(int32_t)lcg_next(&seed) << 12) + i;
        sa[i] = (int16_t)lcg_next(&seed);
    }
    for (int p = 0; p < PASSES; p++) {
        double scale = 0.75 + p * (1.0 / 64);
        for (int i = 0; i < LEN; i++) {
            da[i] = (double)ia[i] * scale;          /* FILD m32 */
        }
        for (int i = 0; i < LEN; i++) {
            ib[i] = (int32_t)da[i];                 /* FLDCW / FISTP m32 */
        }
        for (int i = 0; i < LEN; i++) {
            la[i] = (int64_t)((double)la[i] * 0.99951171875) + ib[i];   /* FILD/FISTP m64 */
        }
        for (int i = 0; i < LEN; i++) {
            ia[i] = lrint32((double)ib[i] * 1.0009765625) ^ (int32_t)la[i];
        }
        for (int i = 0; i < LEN; i++) {
            sa[i] = conv16(sa[i], -0.99951171875) + 1;
        }
        for (int i = 0; i < LEN; i += 61) {
            ck = ck_mix(ck_mix(ck_mix(ck, (uint32_t)ia[i]), (uint32_t)la[i]), (uint16_t)sa[i]);
        }
    }
    bench_report("fp_conv", ck);
}
