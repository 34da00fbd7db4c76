/*
 * hamt86 FP benchmark kernels: a small libm in plain C (the kernels are
 * freestanding).  sin/cos/atan/exp/log are polynomials evaluated with the
 * x87's add/mul/div, the way a libm without FSIN does it, so every engine
 * and qemu-system-i386 compute the same bits (QEMU's transcendental
 * instructions differ from a real CPU's: ../shared/FACTS.md).  sqrt is
 * FSQRT (correctly rounded everywhere).
 */
#ifndef FPMATH_H
#define FPMATH_H

#include "bench.h"

#define FM_PI     3.14159265358979323846
#define FM_LN2    0.69314718055994530942

/* Fold the bits of a double into a running checksum. */
static inline uint32_t ck_double(uint32_t h, double d)
{
    union { double d; uint32_t w[2]; } u = { .d = d };
    return ck_mix(ck_mix(h, u.w[0]), u.w[1]);
}

/* FSQRT. */
static inline double fm_sqrt(double x)
{
    __asm__("fsqrt" : "+t"(x));
    return x;
}

/* Round to the nearest integer (C cast truncation: FNSTCW/FLDCW/FISTP). */
static inline int fm_round(double x)
{
    return x >= 0 ? (int)(x + 0.5) : -(int)(0.5 - x);
}

/* sin(x): reduce to [-pi/2, pi/2], odd Taylor polynomial to x^17. */
static inline double fm_sin(double x)
{
    int k = fm_round(x / FM_PI);
    double r = x - k * FM_PI, r2 = r * r, p;

    p = 1.0 / 355687428096000.0;                      /* 1/17! */
    p = p * r2 - 1.0 / 1307674368000.0;
    p = p * r2 + 1.0 / 6227020800.0;
    p = p * r2 - 1.0 / 39916800.0;
    p = p * r2 + 1.0 / 362880.0;
    p = p * r2 - 1.0 / 5040.0;
    p = p * r2 + 1.0 / 120.0;
    p = p * r2 - 1.0 / 6.0;
    p = r + r * r2 * p;
    return (k & 1) ? -p : p;
}

/* cos(x) = sin(x + pi/2). */
static inline double fm_cos(double x)
{
    return fm_sin(x + FM_PI / 2);
}

/* atan(x): fold to [0, tan(pi/8)] and a series to x^21. */
static inline double fm_atan(double x)
{
    int neg = x < 0, inv, shift;
    double r, r2, p;

    if (neg) {
        x = -x;
    }
    inv = x > 1.0;
    if (inv) {
        x = 1.0 / x;
    }
    shift = x > 0.41421356237309504880;
    if (shift) {
        x = (x - 1.0) / (x + 1.0);
    }
    r2 = x * x;
    p = 1.0 / 21;                                     /* + x^21/21 */
    for (int k = 19; k >= 1; k -= 2) {
        p = p * r2 + (((k - 1) / 2) & 1 ? -1.0 / k : 1.0 / k);
    }
    r = x * p;
    if (shift) {
        r += FM_PI / 4;
    }
    if (inv) {
        r = FM_PI / 2 - r;
    }
    return neg ? -r : r;
}

/* exp(x) = 2^k * e^r, |r| <= ln2/2, Taylor to r^13. */
static inline double fm_exp(double x)
{
    int k = fm_round(x / FM_LN2);
    double r = x - k * FM_LN2, p = 1.0;
    union { double d; uint64_t u; } s;

    for (int n = 13; n >= 1; n--) {
        p = 1.0 + p * r / n;
    }
    s.u = (uint64_t)(1023 + k) << 52;
    return p * s.d;
}

/* log(x) for x > 0: x = m * 2^e, m in [sqrt(1/2), sqrt(2)),
 * log m = 2 atanh((m-1)/(m+1)) to s^23. */
static inline double fm_log(double x)
{
    union { double d; uint64_t u; } v = { .d = x };
    int e = (int)((v.u >> 52) & 0x7ff) - 1023;
    double s, s2, p;

    v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    if (v.d > 1.41421356237309504880) {
        v.d *= 0.5;
        e++;
    }
    s = (v.d - 1.0) / (v.d + 1.0);
    s2 = s * s;
    p = 1.0 / 23;
    for (int k = 21; k >= 1; k -= 2) {
        p = p * s2 + 1.0 / k;
    }
    return 2 * s * p + e * FM_LN2;
}

#endif
