/*
 * hamt86 - floatx80: unpacking, rounding and packing, operand checks.
 *
 * Rounding works on a 128-bit significand V = sig:ext (J at bit 127, ext
 * sticky in its bit 0) and keeps the top `prec` bits:
 *
 *   127        128-prec  127-prec                              0
 *  +-------------------+--------------------------------------+
 *  |  kept (prec bits) |  round bit, then sticky bits          |
 *  +-------------------+--------------------------------------+
 *
 * Tininess is detected after rounding (x86): the value is rounded with an
 * unbounded exponent first; if that result is below 2^-16382 it is tiny.
 * A masked underflow then denormalises the exact value and rounds it again
 * at the same bit position of the 64-bit field (fixed point at 2^-16382),
 * as the x87 does under every precision control.
 */
#include "fpu/x80-internal.h"

/* Unpack a for arithmetic (no flags raised). */
X80Unpacked x80_unpack(floatx80 a)
{
    X80Unpacked u = { X80K_FINITE, (a.se >> 15) != 0, false, 0, 0 };
    uint32_t e = a.se & 0x7fff;
    uint64_t m = a.mant;

    if (e == X80_EXP_MAX) {
        if (!(m & X80_J)) {
            u.kind = X80K_UNSUP;
        } else if (m == X80_J) {
            u.kind = X80K_INF;
        } else {
            u.kind = (m & X80_QBIT) ? X80K_QNAN : X80K_SNAN;
        }
        u.sig = m;
    } else if (e == 0) {
        if (m == 0) {
            u.kind = X80K_ZERO;
        } else {
            int sh = x80_clz64(m);
            u.denormal = true;
            u.sig = m << sh;
            u.exp = 1 - sh;
        }
    } else if (!(m & X80_J)) {
        u.kind = X80K_UNSUP;
        u.sig = m;
    } else {
        u.sig = m;
        u.exp = (int32_t)e;
    }
    return u;
}

/* Raise the invalid-operation exception; returns the QNaN indefinite. */
floatx80 x80_invalid(X80Status *s)
{
    s->exc |= X80_IE;
    return x80_indefinite();
}

/*
 * Round v at bit `sh` (keep bits >= sh) under rc.  Sets *inexact, *up
 * (magnitude incremented) and *carry (the kept part overflowed 2^128).
 */
static u128 round_bits(u128 v, int sh, int rc, bool sign,
                       bool *inexact, bool *up, bool *carry)
{
    u128 one = (u128)1 << sh;
    u128 mask = one - 1;
    u128 rem = v & mask;
    u128 half = one >> 1;
    u128 t = v & ~mask;
    bool inc;

    switch (rc) {
    case X80_RC_NEAREST:
        inc = rem > half || (rem == half && ((t >> sh) & 1));
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
    *inexact = rem != 0;
    *up = inc;
    *carry = false;
    if (inc) {
        u128 n = t + one;
        *carry = n < t;
        t = n;
    }
    return t;
}

/* Round and pack a normalised significand (see x80-internal.h). */
floatx80 x80_round_pack(bool sign, int32_t exp, uint64_t sig, uint64_t ext,
                        int prec, X80Status *s)
{
    int rc = x80_rc(s->cw);
    int sh = 128 - prec;
    u128 v = ((u128)sig << 64) | ext;
    bool inexact, up, carry;
    u128 t = round_bits(v, sh, rc, sign, &inexact, &up, &carry);
    int32_t e = exp;

    if (carry) {
        t = (u128)1 << 127;
        e++;
    }
    if (e >= X80_EXP_MAX) {
        s->exc |= X80_OE;
        if (!x80_masked(s, X80_OE)) {
            if (inexact) {
                s->exc |= X80_PE;
            }
            x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
            e -= X80_BIAS_ADJ;
            if (e >= X80_EXP_MAX) {
                /* still out of range (FSCALE): infinity */
                s->exc |= X80_PE;
                x80_set_cc(s, X80_C1, X80_C1);
                return x80_inf(sign);
            }
            return x80_pack(sign, (uint32_t)e, (uint64_t)(t >> 64));
        }
        s->exc |= X80_PE;
        if (rc == X80_RC_NEAREST || (rc == X80_RC_UP && !sign) ||
            (rc == X80_RC_DOWN && sign)) {
            x80_set_cc(s, X80_C1, X80_C1);
            return x80_inf(sign);
        }
        x80_set_cc(s, X80_C1, 0);
        return x80_pack(sign, X80_EXP_MAX - 1, ~0ull << (64 - prec));
    }
    if (e <= 0) {
        if (!x80_masked(s, X80_UE)) {
            s->exc |= X80_UE;
            if (inexact) {
                s->exc |= X80_PE;
            }
            x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
            e += X80_BIAS_ADJ;
            if (e <= 0) {
                /* still out of range (FSCALE): a zero */
                x80_set_cc(s, X80_C1, 0);
                s->exc |= X80_PE;
                return x80_zero(sign);
            }
            return x80_pack(sign, (uint32_t)e, (uint64_t)(t >> 64));
        }
        v = x80_shr_jam128(v, 1 - exp);
        t = round_bits(v, sh, rc, sign, &inexact, &up, &carry);
        if (inexact) {
            s->exc |= X80_UE | X80_PE;
        }
        x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
        sig = (uint64_t)(t >> 64);
        return x80_pack(sign, (sig & X80_J) ? 1 : 0, sig);
    }
    if (inexact) {
        s->exc |= X80_PE;
    }
    x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
    return x80_pack(sign, (uint32_t)e, (uint64_t)(t >> 64));
}

/* Normalise sig:ext, then round and pack; zero gives +-0. */
floatx80 x80_norm_round_pack(bool sign, int32_t exp, uint64_t sig,
                             uint64_t ext, int prec, X80Status *s)
{
    u128 v = ((u128)sig << 64) | ext;
    int l = x80_clz128(v);

    if (l == 128) {
        x80_set_cc(s, X80_C1, 0);
        return x80_zero(sign);
    }
    v <<= l;
    return x80_round_pack(sign, exp - l, (uint64_t)(v >> 64), (uint64_t)v,
                          prec, s);
}

/* NaN propagation between two NaN operands (x87 rules). */
static floatx80 pick_nan(const X80Unpacked *a, const X80Unpacked *b,
                         floatx80 fa, floatx80 fb)
{
    if (a->kind != b->kind) {
        return a->kind == X80K_QNAN ? fa : fb;
    }
    if (fa.mant != fb.mant) {
        return fa.mant > fb.mant ? fa : fb;
    }
    return a->sign ? fb : fa;
}

/* Invalid operands and NaN propagation (see x80-internal.h). */
bool x80_check_nans(const X80Unpacked *a, const X80Unpacked *b,
                    floatx80 fa, floatx80 fb, floatx80 *r, X80Status *s)
{
    bool an, bn;

    if (a->kind == X80K_UNSUP || (b && b->kind == X80K_UNSUP)) {
        *r = x80_invalid(s);
        return true;
    }
    an = a->kind == X80K_QNAN || a->kind == X80K_SNAN;
    bn = b && (b->kind == X80K_QNAN || b->kind == X80K_SNAN);
    if (an || bn) {
        if (a->kind == X80K_SNAN || (b && b->kind == X80K_SNAN)) {
            s->exc |= X80_IE;
        }
        if (an && bn) {
            *r = x80_quiet(pick_nan(a, b, fa, fb));
        } else {
            *r = x80_quiet(an ? fa : fb);
        }
        return true;
    }
    return false;
}

/* The denormal-operand check (see x80-internal.h). */
bool x80_check_denormal(const X80Unpacked *a, const X80Unpacked *b,
                        floatx80 fa, floatx80 *r, X80Status *s)
{
    if (a->denormal || (b && b->denormal)) {
        s->exc |= X80_DE;
        if (!x80_masked(s, X80_DE)) {
            *r = fa;
            return true;
        }
    }
    return false;
}

/* Operand checks: invalid operands, NaNs, denormals (see internal.h). */
bool x80_check_operands(const X80Unpacked *a, const X80Unpacked *b,
                        floatx80 fa, floatx80 fb, floatx80 *r, X80Status *s)
{
    return x80_check_nans(a, b, fa, fb, r, s) ||
           x80_check_denormal(a, b, fa, r, s);
}

/*
 * 128/64 division with 64-bit divides only (two 64/32 steps with digit
 * correction, as in Knuth's algorithm D).  d normalised, hi < d.
 */
uint64_t x80_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
    const uint64_t b = 1ull << 32;
    uint64_t dn1 = d >> 32, dn0 = d & 0xffffffffu;
    uint64_t un1 = lo >> 32, un0 = lo & 0xffffffffu;
    uint64_t q1, q0, rhat, un21;

    q1 = hi / dn1;
    rhat = hi - q1 * dn1;
    while (q1 >= b || q1 * dn0 > b * rhat + un1) {
        q1--;
        rhat += dn1;
        if (rhat >= b) {
            break;
        }
    }
    un21 = hi * b + un1 - q1 * d;
    q0 = un21 / dn1;
    rhat = un21 - q0 * dn1;
    while (q0 >= b || q0 * dn0 > b * rhat + un0) {
        q0--;
        rhat += dn1;
        if (rhat >= b) {
            break;
        }
    }
    *rem = un21 * b + un0 - q0 * d;
    return q1 * b + q0;
}
