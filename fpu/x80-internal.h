/*
 * hamt86 - internals shared by the fpu/ soft-float sources.
 *
 * Finite nonzero operands are unpacked into a normalised 64-bit significand
 * (bit 63 set) and an unbounded biased exponent:
 *
 *   value = (-1)^sign * sig * 2^(exp - 16383 - 63)
 *
 * 128-bit arithmetic uses unsigned __int128 for shifts, adds and 64x64
 * multiplies only (inline on every host); divisions are done with 64-bit
 * divides (x80_div128), never a 128-bit '/' (that would need libgcc).
 */
#ifndef HAMT86_FPU_X80_INTERNAL_H
#define HAMT86_FPU_X80_INTERNAL_H

#include "fpu/softfloat-x80.h"

typedef unsigned __int128 u128;

#define X80_BIAS     16383
#define X80_EXP_MAX  0x7fff
#define X80_J        0x8000000000000000ull
#define X80_QBIT     0x4000000000000000ull
#define X80_BIAS_ADJ 24576          /* unmasked OE/UE exponent adjust */

/* Operand kinds, in the order the x87 checks them. */
typedef enum X80Kind {
    X80K_ZERO,
    X80K_FINITE,        /* normal, denormal or pseudo-denormal */
    X80K_INF,
    X80K_QNAN,
    X80K_SNAN,
    X80K_UNSUP,         /* unnormal, pseudo-NaN, pseudo-infinity */
} X80Kind;

/* An unpacked operand. */
typedef struct X80Unpacked {
    X80Kind kind;
    bool sign;
    bool denormal;      /* exponent field 0 and mant != 0 (DE source) */
    int32_t exp;        /* FINITE: unbounded biased exponent, sig normalised */
    uint64_t sig;
} X80Unpacked;

/* Count leading zeros of a nonzero 64-bit value. */
static inline int x80_clz64(uint64_t v)
{
    return __builtin_clzll(v);
}

/* Count leading zeros of a 128-bit value (128 for zero). */
static inline int x80_clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
    if (hi) {
        return x80_clz64(hi);
    }
    return lo ? 64 + x80_clz64(lo) : 128;
}

/* Shift right by n with the shifted-out bits ORed into bit 0 (sticky). */
static inline u128 x80_shr_jam128(u128 v, int n)
{
    if (n <= 0) {
        return v;
    }
    if (n >= 128) {
        return v != 0;
    }
    return (v >> n) | ((v << (128 - n)) != 0);
}

/* Precision control of cw as a significand width (24, 53 or 64). */
static inline int x80_pc_bits(uint16_t cw)
{
    switch ((cw >> X80_CW_PC_SHIFT) & 3) {
    case X80_PC_24: return 24;
    case X80_PC_53: return 53;
    default:        return 64;
    }
}

/* Rounding control of cw. */
static inline int x80_rc(uint16_t cw)
{
    return (cw >> X80_CW_RC_SHIFT) & 3;
}

/* Set the condition codes the current operation defines. */
static inline void x80_set_cc(X80Status *s, uint16_t mask, uint16_t val)
{
    s->cc_mask = mask;
    s->cc = val & mask;
}

/* True when exception bit e is masked in cw. */
static inline bool x80_masked(const X80Status *s, unsigned e)
{
    return (s->cw & e) != 0;
}

/* Pack fields into a floatx80. */
static inline floatx80 x80_pack(bool sign, uint32_t exp, uint64_t mant)
{
    floatx80 r = { mant, (uint16_t)((sign ? 0x8000u : 0) | (exp & 0x7fff)) };
    return r;
}

/* Signed zero. */
static inline floatx80 x80_zero(bool sign)
{
    return x80_pack(sign, 0, 0);
}

/* Signed infinity. */
static inline floatx80 x80_inf(bool sign)
{
    return x80_pack(sign, X80_EXP_MAX, X80_J);
}

/* Unpack a for arithmetic (no flags raised). */
X80Unpacked x80_unpack(floatx80 a);

/*
 * Round (sig:ext, ext sticky) with unbounded biased exponent exp to `prec`
 * significant bits under RC, handle overflow/underflow (masked and
 * unmasked responses), raise OE/UE/PE, and set C1 (cc_mask = C1).  sig
 * must be normalised (bit 63 set).
 */
floatx80 x80_round_pack(bool sign, int32_t exp, uint64_t sig, uint64_t ext,
                        int prec, X80Status *s);

/* As x80_round_pack but sig may be unnormalised or zero (zero: +-0). */
floatx80 x80_norm_round_pack(bool sign, int32_t exp, uint64_t sig,
                             uint64_t ext, int prec, X80Status *s);

/*
 * Operand checks of a one- or two-operand arithmetic instruction: invalid
 * operands (IE), NaN propagation, then the denormal operand (DE).  Returns
 * true when the result is decided (stored in *r): NaN/invalid, or an
 * unmasked DE.  b may be NULL for one-operand instructions.
 */
bool x80_check_operands(const X80Unpacked *a, const X80Unpacked *b,
                        floatx80 fa, floatx80 fb, floatx80 *r, X80Status *s);

/* The first half of x80_check_operands: invalid operands and NaNs. */
bool x80_check_nans(const X80Unpacked *a, const X80Unpacked *b,
                    floatx80 fa, floatx80 fb, floatx80 *r, X80Status *s);

/* The second half: DE for a denormal operand; true if DE is unmasked. */
bool x80_check_denormal(const X80Unpacked *a, const X80Unpacked *b,
                        floatx80 fa, floatx80 *r, X80Status *s);

/* Raise the invalid-operation exception; returns the QNaN indefinite. */
floatx80 x80_invalid(X80Status *s);

/* The quieted NaN a (bit 62 set). */
static inline floatx80 x80_quiet(floatx80 a)
{
    a.mant |= X80_QBIT;
    return a;
}

/*
 * Divide the 128-bit value hi:lo by d (d normalised, hi < d): quotient
 * returned, remainder in *rem.  64-bit divides only.
 */
uint64_t x80_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem);

/* 64x64->128 product. */
static inline u128 x80_mul64(uint64_t a, uint64_t b)
{
    return (u128)a * b;
}

/*
 * Fast paths.  x80_add/sub/mul/div, the compares and the FLD/FST/FIST
 * conversions first try the common case: every operand normal (exponent
 * 1..7FFE, J set) or zero, and a result that rounds into the normal range.
 * They compute it directly and round with x80_round_fast; anything else
 * (and any case x80_round_fast refuses, before it has touched *s) goes to
 * the general path, which is exported below so that test-x80-fast.c can
 * check one against the other.
 */

/* True for a normal operand: biased exponent 1..7FFE and J set. */
static inline bool x80_is_normal(floatx80 a)
{
    return (uint32_t)((a.se & 0x7fffu) - 1) < X80_EXP_MAX - 1u &&
           (int64_t)a.mant < 0;
}

/*
 * The in-range case of x80_round_pack: round sig:ext (sig normalised,
 * ext sticky) to the precision control of s->cw.  When the rounded
 * exponent is in 1..7FFE: store the value in *r, raise PE, set C1 exactly
 * as x80_round_pack does and return true.  Otherwise return false with
 * *s untouched (the caller then runs the general path).
 *
 * The bits below the kept precision fold into one 64-bit word `rem`
 * whose bit 63 is the round bit (ext's nonzeroness is the sticky in bit
 * 0; at PC 24/53 that bit is clear of the shifted fraction bits).
 */
static inline bool x80_round_fast(bool sign, int32_t exp, uint64_t sig,
                                  uint64_t ext, X80Status *s, floatx80 *r)
{
    unsigned pc = (s->cw >> X80_CW_PC_SHIFT) & 3;
    uint64_t one, kept, rem;
    bool inc;

    if (pc == X80_PC_24 || pc == X80_PC_53) {
        int prec = pc == X80_PC_24 ? 24 : 53;
        one = 1ull << (64 - prec);
        kept = sig & ~(one - 1);
        rem = (sig << prec) | (ext != 0);
    } else {
        one = 1;
        kept = sig;
        rem = ext;
    }
    switch (x80_rc(s->cw)) {
    case X80_RC_NEAREST:
        inc = rem > X80_J || (rem == X80_J && (kept & one));
        break;
    case X80_RC_DOWN:
        inc = rem != 0 && sign;
        break;
    case X80_RC_UP:
        inc = rem != 0 && !sign;
        break;
    default:
        inc = false;
        break;
    }
    if (inc) {
        kept += one;
        if (kept == 0) {
            kept = X80_J;
            exp++;
        }
    }
    if ((uint32_t)(exp - 1) >= X80_EXP_MAX - 1u) {
        return false;
    }
    if (rem) {
        s->exc |= X80_PE;
    }
    s->cc_mask = X80_C1;
    s->cc = inc ? X80_C1 : 0;
    *r = x80_pack(sign, (uint32_t)exp, kept);
    return true;
}

/*
 * The general paths (den: bit 0/1 = a/b came from a denormal memory
 * operand, see x80_arith_mem).  Used by the public entry points when the
 * fast path declines, and by test-x80-fast.c.
 */
floatx80 x80_addsub_general(floatx80 a, floatx80 b, bool negb, unsigned den,
                            X80Status *s);
floatx80 x80_mul_general(floatx80 a, floatx80 b, unsigned den, X80Status *s);
floatx80 x80_div_general(floatx80 a, floatx80 b, unsigned den, X80Status *s);
X80Relation x80_compare_general(floatx80 a, floatx80 b, bool quiet,
                                unsigned den, X80Status *s);
int64_t x80_to_int_general(floatx80 a, int bits, X80Status *s);
uint64_t x80_to_ieee_general(floatx80 a, int ebits, int fbits, X80Status *s);
floatx80 x80_from_ieee_general(uint64_t v, int ebits, int fbits,
                               X80Status *s);

#endif
