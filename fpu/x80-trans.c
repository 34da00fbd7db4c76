/*
 * hamt86 - floatx80 transcendentals: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN,
 * FSIN, FCOS, FSINCOS.
 *
 * Results are computed in 128-bit working precision (x80-xf.c) and
 * rounded once under RC (PC does not apply), so they are correctly
 * rounded in all but extremely rare cases.  The real x87 is not always
 * correctly rounded; the oracle test counts the (at most 1 ulp)
 * differences.
 *
 * FSIN/FCOS/FSINCOS/FPTAN reduce their argument exactly with respect to
 * the x87's 66-bit approximation of pi (P = 0x3243F6A8885A308D3 * 2^-64),
 * as the CPU does, so results near multiples of pi match the hardware
 * rather than the true function:
 *
 *   x = k * (P/2) + r,   |r| <= P/4,   k = round(x / (P/2))
 */
#include "fpu/x80-xf.h"
#include "fpu/x80-tables.h"

/* pi66 as a 66-bit integer: pi ~= PI66 * 2^-64. */
#define PI66_HI 0x3ull
#define PI66_LO 0x243f6a8885a308d3ull

/* x / n through the reciprocal table (n >= 1). */
static XF xf_div_n(XF x, uint32_t n)
{
    if (n < X80_RECIP_N) {
        return xf_mul(x, xf_from_tab(&x80_recip[n]));
    }
    return xf_div_small(x, n);
}

/* x * (1/n!) through the table (n < X80_INV_FACT_N). */
static XF xf_mul_inv_fact(XF x, uint32_t n)
{
    return xf_mul(x, xf_from_tab(&x80_inv_fact[n]));
}

/*
 * The series below stop when a term falls 132 bits below the sum.  If the
 * first omitted term has the opposite sign, the sum is nudged below
 * (xf_below) so that the final rounding sees the true side.
 */

/* One power series: first + sum over n = n0, n0 + step, ... of
 * (-1)^k * x^k * first * c(n), with c(n) = 1/n! or 1/n. */
typedef struct XFSeries {
    uint32_t n0, step, limit;
    bool alternate;         /* signs alternate */
    bool factorial;         /* c(n) = 1/n! (else 1/n) */
    bool abs_stop;          /* stop 132 bits below 1 (else below the sum) */
} XFSeries;

/* Sum the series sr of first in powers of x (see XFSeries). */
static XF xf_series(XF first, XF x, const XFSeries *sr)
{
    XF sum = first, pow = first, term;
    uint32_t n;

    for (n = sr->n0; n < sr->limit; n += sr->step) {
        pow = xf_mul(pow, x);
        if (sr->alternate) {
            pow = xf_neg(pow);
        }
        term = sr->factorial ? xf_mul_inv_fact(pow, n) : xf_div_n(pow, n);
        if (xf_is_zero(term) ||
            term.exp < (sr->abs_stop ? -132 : sum.exp - 132)) {
            return term.sign != sum.sign ? xf_below(sum) : sum;
        }
        sum = xf_add(sum, term);
    }
    return sum;
}

/* e^t - 1 for |t| <= 1 (Taylor series, relative precision kept). */
static XF xf_expm1(XF t)
{
    static const XFSeries sr = { 2, 1, X80_INV_FACT_N, false, true, false };
    return xf_series(t, t, &sr);
}

/* atanh(s) for |s| <= 0.2 (s + s^3/3 + s^5/5 + ...; every term has the
 * sum's sign, so the series never nudges). */
static XF xf_atanh(XF s)
{
    static const XFSeries sr = { 3, 2, 400, false, false, false };
    return xf_series(s, xf_mul(s, s), &sr);
}

/* atan(w) for |w| <= 0.42 (w - w^3/3 + w^5/5 - ...). */
static XF xf_atan_series(XF w)
{
    static const XFSeries sr = { 3, 2, 400, true, false, false };
    return xf_series(w, xf_mul(w, w), &sr);
}

/* sin(r) for |r| <= pi/4 (Taylor series). */
static XF xf_sin_series(XF r)
{
    static const XFSeries sr = { 3, 2, X80_INV_FACT_N, true, true, false };
    return xf_series(r, xf_mul(r, r), &sr);
}

/* cos(r) for |r| <= pi/4 (Taylor series). */
static XF xf_cos_series(XF r)
{
    static const XFSeries sr = { 2, 2, X80_INV_FACT_N, true, true, true };
    return xf_series(xf_from_int(1), xf_mul(r, r), &sr);
}

/* round(v * 2^sh) for a small non-negative v (result < 2^31). */
static int32_t xf_round_scaled(XF v, int sh)
{
    int32_t e = v.exp + sh;         /* exponent of the leading bit */

    if (v.m == 0 || e < -1) {
        return 0;
    }
    return (int32_t)(((v.m >> (126 - e)) + 1) >> 1);
}

/*
 * ln(m) for m in [sqrt(1/2), sqrt(2)]: with c = 1 + k/32 the nearest table
 * point, ln(m) = ln(c) + 2 atanh((m - c) / (m + c)), |atanh arg| < 1/90.
 */
static XF xf_log_near1(XF m)
{
    XF one = xf_from_int(1), c, s, r, lc;
    int32_t k = xf_round_scaled(m, 5) - 32;

    if (k < -10) {
        k = -10;
    } else if (k > 13) {
        k = 13;
    }
    c = xf_add(one, xf_make(k < 0, 127 - 5, (u128)(k < 0 ? -k : k)));
    s = xf_div(xf_sub(m, c), xf_add(m, c));
    r = xf_atanh(s);
    r.exp++;
    lc = xf_from_tab(&x80_ln_k32[k + 10]);
    lc.sign = x80_ln_k32_neg[k + 10];
    return xf_add(lc, r);
}

/* log2(x) for x > 0 (exact exponent split). */
static XF xf_log2(XF x)
{
    XF m = x;
    int32_t e = x.exp;
    XF r;

    m.exp = 0;
    /* m in [1,2): move to [sqrt(1/2), sqrt(2)) */
    if ((uint64_t)(x.m >> 64) > 0xb504f333f9de6484ull) {
        m.exp--;
        e++;
    }
    r = xf_div(xf_log_near1(m), xf_ln2());
    return xf_add(xf_from_int(e), r);
}

/* ---- special-value helpers -------------------------------------------- */

/* Round an XF constant (pi multiples) with sign. */
static floatx80 round_signed(XF v, bool sign, X80Status *s)
{
    v.sign = sign;
    return xf_round(v, s);
}

/* F2XM1. */
floatx80 x80_f2xm1(floatx80 fa, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    floatx80 r;
    XF t;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, NULL, fa, fa, &r, s)) {
        return r;
    }
    switch (a.kind) {
    case X80K_ZERO:
        return fa;
    case X80K_INF:
        return a.sign ? x80_make(true, X80_BIAS, X80_J) : fa;
    default:
        break;
    }
    if (a.exp == X80_BIAS && a.sig == X80_J) {
        /*
         * 2^1 - 1 = 1 and 2^-1 - 1 = -0.5.  Measured: the CPU reports
         * both as inexact; 1 comes from just below (RC down/zero give
         * 0.FFF..F, nearest/up give 1 with C1 = 1), -0.5 is exact.
         */
        if (a.sign) {
            s->exc |= X80_PE;
            return x80_make(true, X80_BIAS - 1, X80_J);
        }
        return xf_round(xf_below(xf_from_int(1)), s);
    }
    if (a.exp >= X80_BIAS) {
        /* |a| > 1: outside the domain; the CPU leaves the operand */
        s->exc |= X80_PE;
        return fa;
    }
    t = xf_mul(xf_from_unpacked(&a), xf_ln2());
    return xf_round(xf_expm1(t), s);
}

/*
 * y * e for an integer e (log2 of a power of two): the exact product
 * rounded once at 64 bits.  The CPU reports it as inexact even when it is
 * exact (and then tiny results as underflow): measured.
 */
static floatx80 mul_int_inexact(const X80Unpacked *y, int32_t e,
                                X80Status *s)
{
    uint64_t me = (uint64_t)(e < 0 ? -e : e);
    int l;
    u128 p;
    int lp;
    X80Status t = *s;
    floatx80 r;

    if (e == 0 || y->kind == X80K_ZERO) {
        s->exc |= X80_PE;
        x80_set_cc(s, X80_C1, 0);
        return x80_zero(y->sign ^ (e < 0));
    }
    l = x80_clz64(me);
    p = x80_mul64(y->sig, me << l);
    lp = x80_clz128(p);
    p <<= lp;
    t.exc = 0;
    r = x80_round_pack(y->sign ^ (e < 0), y->exp + (63 - l) + 1 - lp,
                       (uint64_t)(p >> 64), (uint64_t)p, 64, &t);
    if (!(t.exc & X80_PE)) {
        t.exc |= X80_PE;
        if (x80_exp(r) == 0 && x80_masked(&t, X80_UE)) {
            t.exc |= X80_UE;
        }
    }
    t.exc |= s->exc;
    *s = t;
    return r;
}

/* FYL2X: y * log2(x). */
floatx80 x80_fyl2x(floatx80 fx, floatx80 fy, X80Status *s)
{
    X80Unpacked x = x80_unpack(fx), y = x80_unpack(fy);
    floatx80 r;
    XF l;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_nans(&x, &y, fx, fy, &r, s)) {
        return r;
    }
    if (x.sign && x.kind != X80K_ZERO) {
        return x80_invalid(s);
    }
    /* log2(0) is checked before the denormal operand */
    if (x.kind == X80K_ZERO) {
        if (y.kind == X80K_ZERO) {
            return x80_invalid(s);
        }
        if (y.kind == X80K_FINITE) {
            s->exc |= X80_ZE;
        }
        return x80_inf(!y.sign);
    }
    if (x80_check_denormal(&x, &y, fx, &r, s)) {
        return r;
    }
    if (x.kind == X80K_INF) {
        if (y.kind == X80K_ZERO) {
            return x80_invalid(s);
        }
        return x80_inf(y.sign);
    }
    /* x finite positive */
    if (x.exp == X80_BIAS && x.sig == X80_J) {
        /* log2(1) = +0 */
        if (y.kind == X80K_INF) {
            return x80_invalid(s);
        }
        return x80_zero(y.sign);
    }
    if (y.kind == X80K_INF) {
        return x80_inf(y.sign ^ (x.exp < X80_BIAS));
    }
    if (y.kind == X80K_ZERO) {
        return x80_zero(y.sign ^ (x.exp < X80_BIAS));
    }
    if (x.sig == X80_J) {
        return mul_int_inexact(&y, x.exp - X80_BIAS, s);
    }
    l = xf_log2(xf_from_unpacked(&x));
    return xf_round(xf_mul(xf_from_unpacked(&y), l), s);
}

/* FYL2XP1: y * log2(x + 1). */
floatx80 x80_fyl2xp1(floatx80 fx, floatx80 fy, X80Status *s)
{
    X80Unpacked x = x80_unpack(fx), y = x80_unpack(fy);
    floatx80 r;
    XF xv, l;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_nans(&x, &y, fx, fy, &r, s)) {
        return r;
    }
    /* x = -inf is checked before the denormal operand */
    if (x.kind == X80K_INF && x.sign) {
        return x80_invalid(s);
    }
    if (x80_check_denormal(&x, &y, fx, &r, s)) {
        return r;
    }
    if (x.kind == X80K_INF) {
        if (y.kind == X80K_ZERO) {
            return x80_invalid(s);
        }
        return x80_inf(y.sign);
    }
    if (x.kind == X80K_ZERO) {
        if (y.kind == X80K_INF) {
            return x80_invalid(s);
        }
        return x80_zero(x.sign ^ y.sign);
    }
    if (y.kind == X80K_INF) {
        return x80_inf(y.sign ^ x.sign);
    }
    if (y.kind == X80K_ZERO) {
        return x80_zero(x.sign ^ y.sign);
    }
    xv = xf_from_unpacked(&x);
    if (x.sign && x.exp >= X80_BIAS) {
        /* x <= -1: outside the domain; the CPU returns x */
        s->exc |= X80_PE;
        return fx;
    }
    {
        /* 1 + x a power of two (x = 1, -0.5, 3, ...): exact logarithm */
        XF t = xf_add(xf_from_int(1), xv);
        if (x.exp >= X80_BIAS - 64 && t.m == (u128)1 << 127) {
            return mul_int_inexact(&y, t.exp, s);
        }
    }
    if (x.exp < X80_BIAS - 5) {
        /* |x| < 1/32: ln(1 + x) = 2 atanh(x / (2 + x)), |s| < 1/63 */
        l = xf_atanh(xf_div(xv, xf_add(xf_from_int(2), xv)));
        l.exp++;
        l = xf_div(l, xf_ln2());
    } else {
        l = xf_log2(xf_add(xf_from_int(1), xv));
    }
    return xf_round(xf_mul(xf_from_unpacked(&y), l), s);
}

/*
 * atan(z) for 0 <= z <= 1: with c = k/8 the nearest table point,
 * atan(z) = atan(c) + atan((z - c) / (1 + z c)), |atan arg| <= 1/16.
 */
static XF xf_atan01(XF z)
{
    int32_t k = xf_round_scaled(z, 3);
    XF c, w;

    if (k == 0) {
        return xf_atan_series(z);
    }
    c = xf_make(false, 127 - 3, (u128)k);
    w = xf_div(xf_sub(z, c), xf_add(xf_from_int(1), xf_mul(z, c)));
    return xf_add(xf_from_tab(&x80_atan_k8[k]), xf_atan_series(w));
}

/* FPATAN: atan2(y, x). */
floatx80 x80_fpatan(floatx80 fx, floatx80 fy, X80Status *s)
{
    X80Unpacked x = x80_unpack(fx), y = x80_unpack(fy);
    floatx80 r;
    XF pi = xf_pi(), a, ax, ay;
    bool swap;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&x, &y, fx, fy, &r, s)) {
        return r;
    }
    if (y.kind == X80K_ZERO) {
        if (x.sign) {
            return round_signed(pi, y.sign, s);
        }
        return x80_zero(y.sign);
    }
    if (x.kind == X80K_INF) {
        if (y.kind == X80K_INF) {
            XF q = pi;
            q.exp -= 2;
            if (x.sign) {
                q = xf_add(q, xf_add(q, q));    /* 3pi/4 */
            }
            return round_signed(q, y.sign, s);
        }
        if (x.sign) {
            return round_signed(pi, y.sign, s);
        }
        return x80_zero(y.sign);
    }
    if (y.kind == X80K_INF || x.kind == X80K_ZERO) {
        pi.exp--;
        return round_signed(pi, y.sign, s);
    }
    ax = xf_from_unpacked(&x);
    ay = xf_from_unpacked(&y);
    ax.sign = ay.sign = false;
    swap = ay.exp > ax.exp || (ay.exp == ax.exp && ay.m > ax.m);
    a = swap ? xf_atan01(xf_div(ax, ay)) : xf_atan01(xf_div(ay, ax));
    if (swap) {
        XF h = pi;
        h.exp--;
        a = xf_sub(h, a);
    }
    if (x.sign) {
        a = xf_sub(pi, a);
    }
    a.sign = y.sign;
    return xf_round(a, s);
}

/*
 * Reduce |a| (finite, |a| < 2^63) modulo pi66/2: returns r and the
 * quadrant k & 3.  Exact.
 */
static XF reduce_pi66(const X80Unpacked *a, unsigned *quad)
{
    int32_t e = a->exp - X80_BIAS;
    u128 p = ((u128)PI66_HI << 64) | PI66_LO;  /* pi/2 = p * 2^-65 */
    u128 n, rem = 0;
    uint64_t k = 0;
    int i, nb;
    bool neg = false;

    *quad = 0;
    if (e < -1) {
        XF r = xf_from_unpacked(a);         /* |a| < 0.5 < pi/4 */
        r.sign = false;
        return r;
    }
    /* n = |a| * 2^65 = sig * 2^(e + 2), at most 2^128 - 1 since e <= 62 */
    n = (u128)a->sig << (e + 2);
    /*
     * k = n / p, rem = n % p by restoring division, starting with the top
     * 66 bits of n (less than 2p: one subtraction), then one bit at a time
     */
    nb = 128 - x80_clz128(n);
    i = nb > 66 ? nb - 66 : 0;
    rem = n >> i;
    if (rem >= p) {
        rem -= p;
        k = 1;
    }
    while (i-- > 0) {
        rem = (rem << 1) | ((n >> i) & 1);
        k <<= 1;
        if (rem >= p) {
            rem -= p;
            k |= 1;
        }
    }
    /* round to nearest: if rem > p/2 take k + 1 and r = rem - p */
    if (rem > (p >> 1)) {
        rem = p - rem;
        k++;
        neg = true;
    }
    *quad = (unsigned)(k & 3);
    return xf_make(neg, 127 - 65, rem);
}

/* Common part of FSIN/FCOS/FSINCOS/FPTAN: operand checks and range. */
static int trig_prologue(floatx80 fa, X80Unpacked *a, floatx80 *r,
                         X80Status *s)
{
    *a = x80_unpack(fa);
    x80_set_cc(s, X80_C1 | X80_C2, 0);
    if (x80_check_nans(a, NULL, fa, fa, r, s)) {
        return 1;
    }
    if (a->kind == X80K_INF) {
        *r = x80_invalid(s);
        return 1;
    }
    if (a->kind == X80K_FINITE && a->exp >= X80_BIAS + 63) {
        x80_set_cc(s, X80_C1 | X80_C2, X80_C2);
        return 2;
    }
    if (x80_check_denormal(a, NULL, fa, r, s)) {
        return 1;
    }
    return 0;
}

/* Set C2 = 0 after a rounded result (keep C1). */
static void trig_cc(X80Status *s)
{
    s->cc_mask |= X80_C2;
    s->cc &= ~X80_C2;
}

/* sin (need & 1) and/or cos (need & 2) of a finite nonzero operand. */
static void sincos_of(const X80Unpacked *a, XF *sp, XF *cp, unsigned need)
{
    unsigned q;
    XF r = reduce_pi66(a, &q), sr = r, cr = r, sv, cv;

    /* sin(x) needs sin(r) for even quadrants, cos(r) for odd; cos(x) the
       other way round */
    if ((need & 1 && !(q & 1)) || (need & 2 && (q & 1))) {
        sr = xf_sin_series(r);
    }
    if ((need & 1 && (q & 1)) || (need & 2 && !(q & 1))) {
        cr = xf_cos_series(r);
    }
    switch (q) {
    case 0: sv = sr; cv = cr; break;
    case 1: sv = cr; cv = xf_neg(sr); break;
    case 2: sv = xf_neg(sr); cv = xf_neg(cr); break;
    default: sv = xf_neg(cr); cv = sr; break;
    }
    if (a->sign) {
        sv = xf_neg(sv);
    }
    *sp = sv;
    *cp = cv;
}

/* What trig_one computes. */
typedef enum TrigFn { TRIG_SIN = 1, TRIG_COS = 2, TRIG_TAN = 3 } TrigFn;

/* FSIN, FCOS or FPTAN's ST0 result: sin, cos or tan of fa, rounded once
 * (the value passed to sincos_of says which of the pair it needs). */
static bool trig_one(floatx80 fa, floatx80 *res, X80Status *s, TrigFn fn)
{
    X80Unpacked a;
    XF sv, cv;
    int k = trig_prologue(fa, &a, res, s);

    if (k) {
        return k == 1;
    }
    if (a.kind == X80K_ZERO) {
        /* sin(+-0) = tan(+-0) = +-0, cos(+-0) = +1 */
        *res = fn == TRIG_COS ? x80_make(false, X80_BIAS, X80_J) : fa;
        return true;
    }
    if (fn == TRIG_TAN && a.exp < X80_BIAS - 40 && (fa.mant >> 63)) {
        /*
         * tan(x) = x + x^3/3 with x^3/3 far below the 64-bit ulp.  The
         * CPU (measured) returns a normal x itself, inexact, not rounded
         * up (it sometimes gives x minus one ulp under RC down/zero; that
         * is left as a 1-ulp difference).  A pseudo-denormal comes back
         * in its normal encoding.  True denormals are rounded correctly.
         */
        s->exc |= X80_PE;
        *res = x80_pack(a.sign, x80_exp(fa) ? x80_exp(fa) : 1, fa.mant);
        x80_set_cc(s, X80_C1 | X80_C2, 0);
        return true;
    }
    sincos_of(&a, &sv, &cv, (unsigned)fn);
    *res = xf_round(fn == TRIG_SIN ? sv : fn == TRIG_COS ? cv : xf_div(sv, cv),
                    s);
    trig_cc(s);
    return true;
}

/* FSIN. */
bool x80_fsin(floatx80 fa, floatx80 *res, X80Status *s)
{
    return trig_one(fa, res, s, TRIG_SIN);
}

/* FCOS. */
bool x80_fcos(floatx80 fa, floatx80 *res, X80Status *s)
{
    return trig_one(fa, res, s, TRIG_COS);
}

/* FSINCOS. */
bool x80_fsincos(floatx80 fa, floatx80 *sin_out, floatx80 *cos_out,
                 X80Status *s)
{
    X80Unpacked a;
    XF sv, cv;
    uint16_t c1;
    int k = trig_prologue(fa, &a, sin_out, s);

    if (k) {
        *cos_out = *sin_out;
        return k == 1;
    }
    if (a.kind == X80K_ZERO) {
        *sin_out = fa;
        *cos_out = x80_make(false, X80_BIAS, X80_J);
        return true;
    }
    sincos_of(&a, &sv, &cv, 3);
    *sin_out = xf_round(sv, s);
    c1 = s->cc & X80_C1;
    *cos_out = xf_round(cv, s);
    /* C1 reports the rounding of the sine (measured on the CPU) */
    x80_set_cc(s, X80_C1 | X80_C2, c1);
    return true;
}

/* FPTAN (the caller pushes the 1.0). */
bool x80_fptan(floatx80 fa, floatx80 *res, X80Status *s)
{
    return trig_one(fa, res, s, TRIG_TAN);
}
