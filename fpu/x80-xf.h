/*
 * hamt86 - 128-bit working precision for the fpu/ transcendentals.
 *
 * An XF value is sign * m * 2^(exp - 127) with m normalised (bit 127 set),
 * or zero (m == 0).  Operations truncate to 128 bits (a few ulps of 2^-128
 * per operation), far below the 64-bit result precision, so a result
 * rounded once from XF is correctly rounded except in astronomically rare
 * cases.  No 128-bit division is used (libgcc-free).
 */
#ifndef HAMT86_FPU_X80_XF_H
#define HAMT86_FPU_X80_XF_H

#include "fpu/x80-internal.h"

typedef struct XF {
    bool sign;
    int32_t exp;        /* exponent of bit 127 of m */
    u128 m;
} XF;

/* A 128-bit constant in a table: value = (hi:lo) * 2^(exp - 127). */
typedef struct XFConst {
    uint64_t hi, lo;
    int32_t exp;
} XFConst;

/* XF value of a table constant. */
static inline XF xf_from_tab(const XFConst *c)
{
    XF r = { false, c->exp, ((u128)c->hi << 64) | c->lo };
    return r;
}

/* Normalised XF from parts (m may be unnormalised or zero). */
XF xf_make(bool sign, int32_t exp, u128 m);
/* From an unpacked FINITE or ZERO operand (exact). */
XF xf_from_unpacked(const X80Unpacked *u);
/* From a signed integer (exact). */
XF xf_from_int(int64_t v);
/* From a 128-bit constant hi:lo with exponent exp. */
XF xf_const(uint64_t hi, uint64_t lo, int32_t exp);

/* a + b, a - b, a * b, a / b (truncated to 128 bits, sticky bit 0). */
XF xf_add(XF a, XF b);
XF xf_sub(XF a, XF b);
XF xf_mul(XF a, XF b);
XF xf_div(XF a, XF b);
/* a / n for a small positive integer n. */
XF xf_div_small(XF a, uint32_t n);
/* Negation. */
static inline XF xf_neg(XF a)
{
    a.sign = !a.sign;
    return a;
}

/* True for zero. */
static inline bool xf_is_zero(XF a)
{
    return a.m == 0;
}

/*
 * a made slightly smaller in magnitude: the result of xf_round then lies
 * strictly between the 128-bit neighbours below a (for a truncated series
 * whose omitted tail has the opposite sign).
 */
XF xf_below(XF a);

/* Round to floatx80 (64 bits, RC of s), raising PE/UE/OE and C1. */
floatx80 xf_round(XF a, X80Status *s);

/* Constants: pi, pi/2, pi/4, ln 2 (128-bit). */
XF xf_pi(void);
XF xf_ln2(void);

#endif
