/*
 * hamt86 - 128-bit working-precision arithmetic for the transcendentals
 * (see x80-xf.h).
 */
#include "fpu/x80-xf.h"

/* Normalised XF from parts. */
XF xf_make(bool sign, int32_t exp, u128 m)
{
    XF r = { sign, 0, 0 };
    int l;

    if (m == 0) {
        return r;
    }
    l = x80_clz128(m);
    r.m = m << l;
    r.exp = exp - l;
    return r;
}

/* From an unpacked operand. */
XF xf_from_unpacked(const X80Unpacked *u)
{
    XF r = { u->sign, 0, 0 };

    if (u->kind != X80K_FINITE) {
        return r;
    }
    r.exp = u->exp - X80_BIAS;
    r.m = (u128)u->sig << 64;
    return r;
}

/* From a signed integer. */
XF xf_from_int(int64_t v)
{
    bool sign = v < 0;
    uint64_t m = sign ? 0 - (uint64_t)v : (uint64_t)v;

    return xf_make(sign, 127, m);
}

/* From a 128-bit constant. */
XF xf_const(uint64_t hi, uint64_t lo, int32_t exp)
{
    XF r = { false, exp, ((u128)hi << 64) | lo };
    return r;
}

/* a + b. */
XF xf_add(XF a, XF b)
{
    XF t;
    int32_t d;
    u128 va, vb;

    if (b.m == 0) {
        return a;
    }
    if (a.m == 0) {
        return b;
    }
    if (a.exp < b.exp || (a.exp == b.exp && a.m < b.m)) {
        t = a;
        a = b;
        b = t;
    }
    d = a.exp - b.exp;
    va = a.m >> 1;
    vb = x80_shr_jam128(b.m >> 1, d);
    if (a.sign == b.sign) {
        return xf_make(a.sign, a.exp + 1, va + vb);
    }
    return xf_make(a.sign, a.exp + 1, va - vb);
}

/* a - b. */
XF xf_sub(XF a, XF b)
{
    return xf_add(a, xf_neg(b));
}

/* a * b (top 128 bits of the 256-bit product, sticky). */
XF xf_mul(XF a, XF b)
{
    uint64_t ah = (uint64_t)(a.m >> 64), al = (uint64_t)a.m;
    uint64_t bh = (uint64_t)(b.m >> 64), bl = (uint64_t)b.m;
    u128 hh, hl, lh, ll, mid, hi;
    uint64_t carry;

    if (a.m == 0 || b.m == 0) {
        XF z = { a.sign ^ b.sign, 0, 0 };
        return z;
    }
    hh = x80_mul64(ah, bh);
    hl = x80_mul64(ah, bl);
    lh = x80_mul64(al, bh);
    ll = x80_mul64(al, bl);
    mid = (ll >> 64) + (uint64_t)hl;
    carry = 0;
    mid += (uint64_t)lh;
    carry = (uint64_t)(mid >> 64);
    hi = hh + (hl >> 64) + (lh >> 64) + carry;
    hi |= ((uint64_t)mid | (uint64_t)ll) != 0;
    return xf_make(a.sign ^ b.sign, a.exp + b.exp + 1, hi);
}

/*
 * One 64-bit quotient digit of (r * 2^64) / b with r < b, b normalised
 * (Knuth's algorithm D with a two-digit divisor): estimate from the top
 * divisor digit, then correct (at most twice).  r becomes the remainder.
 */
static uint64_t div_digit(u128 *rp, u128 b)
{
    uint64_t bh = (uint64_t)(b >> 64), bl = (uint64_t)b;
    uint64_t rh = (uint64_t)(*rp >> 64), rl = (uint64_t)*rp;
    uint64_t q, rem, t0, t1, t2, d0, d1, d2, c;
    u128 pl, ph, mid;

    q = rh >= bh ? ~0ull : x80_div128(rh, rl, bh, &rem);
    /* t = q * b (three digits) */
    pl = x80_mul64(q, bl);
    ph = x80_mul64(q, bh);
    t0 = (uint64_t)pl;
    mid = (pl >> 64) + (uint64_t)ph;
    t1 = (uint64_t)mid;
    t2 = (uint64_t)(ph >> 64) + (uint64_t)(mid >> 64);
    /* d = rh:rl:0 - t */
    d0 = 0 - t0;
    c = t0 != 0;
    d1 = rl - t1 - c;
    c = rl < t1 || (rl - t1) < c;
    d2 = rh - t2 - c;
    while (d2 >> 63) {          /* negative: q was too large */
        u128 lo;
        q--;
        lo = ((u128)d1 << 64 | d0) + b;
        d2 += lo < b;
        d1 = (uint64_t)(lo >> 64);
        d0 = (uint64_t)lo;
    }
    *rp = (u128)d1 << 64 | d0;
    return q;
}

/* a / b: 128 quotient bits plus sticky, two 64-bit digits. */
XF xf_div(XF a, XF b)
{
    u128 r = a.m, q;
    uint64_t q1, q0;
    int32_t e = a.exp - b.exp;

    if (a.m == 0) {
        XF z = { a.sign ^ b.sign, 0, 0 };
        return z;
    }
    if (r >= b.m) {
        r -= b.m;
        q1 = div_digit(&r, b.m);
        q0 = div_digit(&r, b.m);
        q = (u128)1 << 127 | (u128)q1 << 63 | q0 >> 1;
        q |= (q0 & 1) | (r != 0);
    } else {
        e--;
        q1 = div_digit(&r, b.m);
        q0 = div_digit(&r, b.m);
        q = (u128)q1 << 64 | q0;
        q |= r != 0;
    }
    return xf_make(a.sign ^ b.sign, e, q);
}

/* a / n, n small: 32-bit limbs with 64-bit divides. */
XF xf_div_small(XF a, uint32_t n)
{
    uint64_t rem = 0;
    u128 q = 0;
    int i;

    for (i = 3; i >= 0; i--) {
        uint64_t cur = rem << 32 | (uint32_t)(a.m >> (32 * i));
        q |= (u128)(cur / n) << (32 * i);
        rem = cur % n;
    }
    /* one more limb of quotient for precision */
    {
        uint64_t cur = rem << 32;
        uint64_t extra = cur / n;
        int l = x80_clz128(q);
        rem = cur % n;
        if (l > 0) {
            q = (q << l) | (extra >> (32 - l));
        }
        q |= rem != 0 || (l < 32 && (extra << (32 + l)) != 0);
        return xf_make(a.sign, a.exp - l, q);
    }
}

/* a minus two units of 2^-127 relative (see x80-xf.h). */
XF xf_below(XF a)
{
    if (a.m == 0) {
        return a;
    }
    return xf_make(a.sign, a.exp, a.m - 2);
}

/* Round to floatx80 (always inexact: callers handle exact cases). */
floatx80 xf_round(XF a, X80Status *s)
{
    if (a.m == 0) {
        x80_set_cc(s, X80_C1, 0);
        return x80_zero(a.sign);
    }
    return x80_round_pack(a.sign, a.exp + X80_BIAS, (uint64_t)(a.m >> 64),
                          (uint64_t)a.m | 1, 64, s);
}

/* pi to 128 bits. */
XF xf_pi(void)
{
    return xf_const(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1);
}

/* ln 2 to 128 bits. */
XF xf_ln2(void)
{
    return xf_const(0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1);
}
