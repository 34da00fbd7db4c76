/*
 * hamt86 - floatx80 FRNDINT, FSCALE, FXTRACT, FPREM and FPREM1.
 *
 * None of these honour precision control; all results are exact except
 * FRNDINT (rounded to an integer) and FSCALE (rounded when it lands in
 * the denormal range).
 */
#include "fpu/x80-internal.h"

/* FRNDINT. */
floatx80 x80_rndint(floatx80 fa, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    int32_t shift;
    u128 v;
    uint64_t ip, frac;
    bool inc;
    floatx80 r;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, NULL, fa, fa, &r, s)) {
        return r;
    }
    if (a.kind != X80K_FINITE) {
        return fa;
    }
    shift = X80_BIAS + 63 - a.exp;
    if (shift <= 0) {
        return fa;
    }
    v = x80_shr_jam128((u128)a.sig << 64, shift);
    ip = (uint64_t)(v >> 64);
    frac = (uint64_t)v;
    switch (x80_rc(s->cw)) {
    case X80_RC_NEAREST:
        inc = frac > X80_J || (frac == X80_J && (ip & 1));
        break;
    case X80_RC_DOWN:
        inc = frac && a.sign;
        break;
    case X80_RC_UP:
        inc = frac && !a.sign;
        break;
    default:
        inc = false;
        break;
    }
    if (frac) {
        s->exc |= X80_PE;
    }
    x80_set_cc(s, X80_C1, inc ? X80_C1 : 0);
    if (ip + inc == 0) {
        if (inc) {          /* 2^64: only from shift 0, excluded above */
            return x80_pack(a.sign, X80_BIAS + 64, X80_J);
        }
        return x80_zero(a.sign);
    }
    ip += inc;
    {
        int l = x80_clz64(ip);
        return x80_pack(a.sign, X80_BIAS + 63 - l, ip << l);
    }
}

/* FSCALE. */
floatx80 x80_scale(floatx80 fa, floatx80 fb, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa), b = x80_unpack(fb);
    floatx80 r;
    int32_t n;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, &b, fa, fb, &r, s)) {
        return r;
    }
    if (b.kind == X80K_INF) {
        if (!b.sign) {
            if (a.kind == X80K_ZERO) {
                return x80_invalid(s);
            }
            return x80_inf(a.sign);
        }
        if (a.kind == X80K_INF) {
            return x80_invalid(s);
        }
        return x80_zero(a.sign);
    }
    if (a.kind != X80K_FINITE) {
        return fa;
    }
    if (b.kind == X80K_ZERO || b.exp < X80_BIAS) {
        n = 0;
    } else if (b.exp >= X80_BIAS + 20) {
        n = 1 << 20;
    } else {
        n = (int32_t)(b.sig >> (X80_BIAS + 63 - b.exp));
    }
    if (b.sign) {
        n = -n;
    }
    return x80_round_pack(a.sign, a.exp + n, a.sig, 0, 64, s);
}

/* FXTRACT. */
void x80_xtract(floatx80 fa, floatx80 *exp_out, floatx80 *sig_out,
                X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    floatx80 r;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, NULL, fa, fa, &r, s)) {
        *exp_out = r;
        *sig_out = r;
        return;
    }
    switch (a.kind) {
    case X80K_ZERO:
        s->exc |= X80_ZE;
        *exp_out = x80_inf(true);
        *sig_out = fa;
        return;
    case X80K_INF:
        *exp_out = x80_inf(false);
        *sig_out = fa;
        return;
    default:
        break;
    }
    *exp_out = x80_from_int64(a.exp - X80_BIAS);
    *sig_out = x80_pack(a.sign, X80_BIAS, a.sig);
}

/* FPREM / FPREM1. */
floatx80 x80_prem(floatx80 fa, floatx80 fb, bool round, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa), b = x80_unpack(fb);
    floatx80 r;
    int32_t d, n, i, ebase;
    u128 rem;
    uint64_t q = 0;
    bool sign = a.sign;

    x80_set_cc(s, X80_CC_MASK, 0);
    if (x80_check_nans(&a, &b, fa, fb, &r, s)) {
        return r;
    }
    /* invalid operands are checked before the denormal operand */
    if (a.kind == X80K_INF || b.kind == X80K_ZERO) {
        return x80_invalid(s);
    }
    if (x80_check_denormal(&a, &b, fa, &r, s)) {
        return r;
    }
    if (a.kind == X80K_ZERO) {
        return fa;
    }
    if (b.kind == X80K_INF) {
        /* quotient 0: a itself, a pseudo-denormal comes back normalised */
        r = x80_round_pack(sign, a.exp, a.sig, 0, 64, s);
        x80_set_cc(s, X80_CC_MASK, 0);
        return r;
    }
    d = a.exp - b.exp;
    if (d >= 64) {
        /* partial remainder: reduce the exponent difference to 32..63 */
        n = (d & 31) | 32;
        rem = a.sig;
        if (rem >= b.sig) {
            rem -= b.sig;
        }
        for (i = 0; i < n; i++) {
            rem <<= 1;
            if (rem >= b.sig) {
                rem -= b.sig;
            }
        }
        x80_set_cc(s, X80_CC_MASK, X80_C2);
        r = x80_norm_round_pack(sign, b.exp + d - n, (uint64_t)rem, 0, 64, s);
        s->cc_mask = X80_CC_MASK;
        s->cc = X80_C2;
        return r;
    }
    if (d < 0) {
        /* |a| < |b|: quotient 0, unless FPREM1 rounds it up to 1 */
        if (!round || d < -1 || a.sig <= b.sig) {
            r = x80_round_pack(sign, a.exp, a.sig, 0, 64, s);
            x80_set_cc(s, X80_CC_MASK, 0);
            return r;
        }
        /* 2|a| > |b|: remainder |b| - |a| with the sign flipped */
        rem = ((u128)b.sig << 1) - a.sig;
        r = x80_norm_round_pack(!sign, a.exp + 1, (uint64_t)(rem >> 1),
                                (uint64_t)rem << 63, 64, s);
        x80_set_cc(s, X80_CC_MASK, X80_C1);
        return r;
    }
    rem = a.sig;
    for (i = 0; i <= d; i++) {
        q <<= 1;
        if (rem >= b.sig) {
            rem -= b.sig;
            q |= 1;
        }
        if (i < d) {
            rem <<= 1;
        }
    }
    ebase = b.exp;
    if (round) {
        u128 twice = rem << 1;
        if (twice > b.sig || (twice == b.sig && (q & 1))) {
            rem = b.sig - rem;
            q++;
            sign = !sign;
        }
    }
    r = x80_norm_round_pack(sign, ebase, (uint64_t)rem, 0, 64, s);
    if (rem == 0) {
        r = x80_zero(a.sign);
    }
    x80_set_cc(s, X80_CC_MASK,
               ((q & 4) ? X80_C0 : 0) | ((q & 2) ? X80_C3 : 0) |
               ((q & 1) ? X80_C1 : 0));
    return r;
}
