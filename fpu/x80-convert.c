/*
 * hamt86 - floatx80 conversions: integers (FILD/FIST), float32/float64
 * memory formats (FLD/FST m32/m64), packed BCD (FBLD/FBSTP), constants.
 *
 * IEEE memory formats handled by one pair of routines parameterised by
 * the exponent and fraction widths:
 *
 *   float32:  S | exp(8)  | fraction(23)     bias 127
 *   float64:  S | exp(11) | fraction(52)     bias 1023
 */
#include "fpu/x80-internal.h"

/* FILD: exact. */
floatx80 x80_from_int64(int64_t v)
{
    bool sign = v < 0;
    uint64_t m = sign ? 0 - (uint64_t)v : (uint64_t)v;
    int sh;

    if (m == 0) {
        return x80_zero(false);
    }
    sh = x80_clz64(m);
    return x80_pack(sign, X80_BIAS + 63 - sh, m << sh);
}

/*
 * Round a finite unpacked value to an integer under RC.  Returns the
 * magnitude (up to 2^64 after rounding, hence u128); sets PE and C1.
 */
static u128 round_to_int(const X80Unpacked *a, X80Status *s, bool *inexact)
{
    int32_t shift = X80_BIAS + 63 - a->exp;
    int rc = x80_rc(s->cw);
    u128 v;
    uint64_t frac, ip;
    bool inc;

    if (shift <= 0) {
        *inexact = false;
        return shift < -64 ? (u128)1 << 127 : (u128)a->sig << -shift;
    }
    v = x80_shr_jam128((u128)a->sig << 64, shift);
    ip = (uint64_t)(v >> 64);
    frac = (uint64_t)v;
    switch (rc) {
    case X80_RC_NEAREST:
        inc = frac > X80_J || (frac == X80_J && (ip & 1));
        break;
    case X80_RC_DOWN:
        inc = frac && a->sign;
        break;
    case X80_RC_UP:
        inc = frac && !a->sign;
        break;
    default:
        inc = false;
        break;
    }
    *inexact = frac != 0;
    x80_set_cc(s, X80_C1, inc ? X80_C1 : 0);
    return (u128)ip + inc;
}

/* FIST to a `bits`-wide integer; indefinite on invalid. */
int64_t x80_to_int_general(floatx80 fa, int bits, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    int64_t indef = (int64_t)((uint64_t)-1 << (bits - 1));
    u128 m, lim;
    bool inexact;

    x80_set_cc(s, X80_C1, 0);
    if (a.kind >= X80K_INF) {
        s->exc |= X80_IE;
        return indef;
    }
    if (a.kind == X80K_ZERO) {
        return 0;
    }
    /* no DE: FIST does not report denormal operands */
    m = round_to_int(&a, s, &inexact);
    lim = ((u128)1 << (bits - 1)) - (a.sign ? 0 : 1);
    if (m > lim) {
        x80_set_cc(s, X80_C1, 0);
        s->exc |= X80_IE;
        return indef;
    }
    if (inexact) {
        s->exc |= X80_PE;
    }
    return a.sign ? (int64_t)(0 - (uint64_t)m) : (int64_t)(uint64_t)m;
}

/*
 * Fast path of FIST: a zero, or a normal value below 2^63 whose rounded
 * magnitude fits `bits`.  The fraction (bits below the binary point,
 * jammed when the value is below 1/2) decides the rounding as in
 * round_to_int.  False (s untouched) otherwise.
 */
static inline bool to_int_fast(floatx80 fa, int bits, X80Status *s,
                               int64_t *out)
{
    uint32_t e = fa.se & 0x7fff;
    bool sign = fa.se >> 15;
    uint64_t m = fa.mant, ip, frac, lim;
    int32_t shift = X80_BIAS + 63 - (int32_t)e;
    bool inc;

    if (e == 0 && m == 0) {
        x80_set_cc(s, X80_C1, 0);
        *out = 0;
        return true;
    }
    if (!x80_is_normal(fa) || shift <= 0) {
        return false;
    }
    if (shift < 64) {
        ip = m >> shift;
        frac = m << (64 - shift);
    } else {
        ip = 0;
        frac = shift == 64 ? m : shift >= 128 ? 1
               : (m >> (shift - 64)) | ((m << (128 - shift)) != 0);
    }
    switch (x80_rc(s->cw)) {
    case X80_RC_NEAREST:
        inc = frac > X80_J || (frac == X80_J && (ip & 1));
        break;
    case X80_RC_DOWN:
        inc = frac && sign;
        break;
    case X80_RC_UP:
        inc = frac && !sign;
        break;
    default:
        inc = false;
        break;
    }
    ip += inc;                      /* ip < 2^63: no wrap */
    lim = (1ull << (bits - 1)) - (sign ? 0 : 1);
    if (ip > lim) {
        return false;
    }
    if (frac) {
        s->exc |= X80_PE;
    }
    x80_set_cc(s, X80_C1, inc ? X80_C1 : 0);
    *out = sign ? (int64_t)(0 - ip) : (int64_t)ip;
    return true;
}

/* FIST m16. */
int16_t x80_to_int16(floatx80 a, X80Status *s)
{
    int64_t v;

    if (to_int_fast(a, 16, s, &v)) {
        return (int16_t)v;
    }
    return (int16_t)x80_to_int_general(a, 16, s);
}

/* FIST m32. */
int32_t x80_to_int32(floatx80 a, X80Status *s)
{
    int64_t v;

    if (to_int_fast(a, 32, s, &v)) {
        return (int32_t)v;
    }
    return (int32_t)x80_to_int_general(a, 32, s);
}

/* FIST m64. */
int64_t x80_to_int64(floatx80 a, X80Status *s)
{
    int64_t v;

    if (to_int_fast(a, 64, s, &v)) {
        return v;
    }
    return x80_to_int_general(a, 64, s);
}

/* FLD m32/m64: widen an IEEE value with ebits/fbits fields. */
floatx80 x80_from_ieee_general(uint64_t v, int ebits, int fbits, X80Status *s)
{
    int32_t bias = (1 << (ebits - 1)) - 1;
    uint32_t emax = (1u << ebits) - 1;
    bool sign = (v >> (ebits + fbits)) & 1;
    uint32_t e = (uint32_t)(v >> fbits) & emax;
    uint64_t f = v & ((1ull << fbits) - 1);
    int sh;

    x80_set_cc(s, X80_C1, 0);
    if (e == emax) {
        if (f == 0) {
            return x80_inf(sign);
        }
        if (!(f >> (fbits - 1))) {
            s->exc |= X80_IE;
        }
        return x80_pack(sign, X80_EXP_MAX, X80_J | X80_QBIT | (f << (63 - fbits)));
    }
    if (e == 0) {
        if (f == 0) {
            return x80_zero(sign);
        }
        s->exc |= X80_DE;
        sh = x80_clz64(f);
        return x80_pack(sign, X80_BIAS + 63 + 1 - bias - fbits - sh, f << sh);
    }
    return x80_pack(sign, (uint32_t)((int32_t)e - bias + X80_BIAS),
                    X80_J | (f << (63 - fbits)));
}

/* Raw widening for arithmetic operands: SNaN kept, no flags. */
static floatx80 operand_ieee(uint64_t v, int ebits, int fbits, bool *den)
{
    int32_t bias = (1 << (ebits - 1)) - 1;
    uint32_t emax = (1u << ebits) - 1;
    bool sign = (v >> (ebits + fbits)) & 1;
    uint32_t e = (uint32_t)(v >> fbits) & emax;
    uint64_t f = v & ((1ull << fbits) - 1);
    int sh;

    *den = false;
    if (e == emax) {
        return x80_pack(sign, X80_EXP_MAX, X80_J | (f << (63 - fbits)));
    }
    if (e == 0) {
        if (f == 0) {
            return x80_zero(sign);
        }
        *den = true;
        sh = x80_clz64(f);
        return x80_pack(sign, X80_BIAS + 63 + 1 - bias - fbits - sh, f << sh);
    }
    return x80_pack(sign, (uint32_t)((int32_t)e - bias + X80_BIAS),
                    X80_J | (f << (63 - fbits)));
}

/*
 * Widen a normal IEEE value with ebits/fbits fields (exact, no flags):
 * the common case of FLD m32/m64 and of the arithmetic operands.
 */
static inline floatx80 widen_normal(uint64_t v, int ebits, int fbits)
{
    uint32_t emax = (1u << ebits) - 1;
    uint32_t e = (uint32_t)(v >> fbits) & emax;

    return x80_pack((v >> (ebits + fbits)) & 1, e - (emax >> 1) + X80_BIAS,
                    X80_J | (v << (63 - fbits)));
}

/* True when the IEEE value's exponent field is neither 0 nor all ones. */
static inline bool ieee_is_normal(uint64_t v, int ebits, int fbits)
{
    uint32_t emax = (1u << ebits) - 1;

    return ((uint32_t)(v >> fbits) & emax) - 1 < emax - 1;
}

/* m32fp arithmetic operand. */
floatx80 x80_f32_operand(uint32_t v, bool *denormal)
{
    if (ieee_is_normal(v, 8, 23)) {
        *denormal = false;
        return widen_normal(v, 8, 23);
    }
    return operand_ieee(v, 8, 23, denormal);
}

/* m64fp arithmetic operand. */
floatx80 x80_f64_operand(uint64_t v, bool *denormal)
{
    if (ieee_is_normal(v, 11, 52)) {
        *denormal = false;
        return widen_normal(v, 11, 52);
    }
    return operand_ieee(v, 11, 52, denormal);
}

/*
 * Fast path of FLD m32/m64: a normal value or a zero (no flags, C1 = 0).
 * False (s untouched) for denormals, infinities and NaNs.
 */
static inline bool from_ieee_fast(uint64_t v, int ebits, int fbits,
                                  X80Status *s, floatx80 *r)
{
    if (ieee_is_normal(v, ebits, fbits)) {
        *r = widen_normal(v, ebits, fbits);
    } else if ((v << (64 - ebits - fbits)) == 0) {
        *r = x80_zero((v >> (ebits + fbits)) & 1);
    } else {
        return false;
    }
    x80_set_cc(s, X80_C1, 0);
    return true;
}

/* FLD m32. */
floatx80 x80_from_f32(uint32_t v, X80Status *s)
{
    floatx80 r;

    if (from_ieee_fast(v, 8, 23, s, &r)) {
        return r;
    }
    return x80_from_ieee_general(v, 8, 23, s);
}

/* FLD m64. */
floatx80 x80_from_f64(uint64_t v, X80Status *s)
{
    floatx80 r;

    if (from_ieee_fast(v, 11, 52, s, &r)) {
        return r;
    }
    return x80_from_ieee_general(v, 11, 52, s);
}

/* Round v (J at bit 127) at `sh` under rc; see x80-round.c. */
static u128 round_at(u128 v, int sh, int rc, bool sign, bool *inexact,
                     bool *up)
{
    u128 one = (u128)1 << sh, mask = one - 1, rem = v & mask;
    u128 t = v & ~mask;
    bool inc;

    switch (rc) {
    case X80_RC_NEAREST:
        inc = rem > (one >> 1) || (rem == (one >> 1) && ((t >> sh) & 1));
        break;
    case X80_RC_DOWN:
        inc = rem && sign;
        break;
    case X80_RC_UP:
        inc = rem && !sign;
        break;
    default:
        inc = false;
        break;
    }
    *inexact = rem != 0;
    *up = inc;
    return inc ? t + one : t;       /* callers keep v < 2^128 - one */
}

/* FST m32/m64: narrow to an IEEE format with ebits/fbits fields. */
uint64_t x80_to_ieee_general(floatx80 fa, int ebits, int fbits, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    int32_t bias = (1 << (ebits - 1)) - 1;
    int32_t emax = (1 << ebits) - 1;
    uint64_t sbit = (uint64_t)a.sign << (ebits + fbits);
    uint64_t fmask = (1ull << fbits) - 1;
    uint64_t infv = sbit | ((uint64_t)emax << fbits);
    int prec = fbits + 1, sh = 128 - prec, rc = x80_rc(s->cw);
    int32_t e;
    u128 v, t;
    bool inexact, up;

    x80_set_cc(s, X80_C1, 0);
    switch (a.kind) {
    case X80K_UNSUP:
        s->exc |= X80_IE;
        return (1ull << (ebits + fbits)) | ((uint64_t)emax << fbits) |
               (1ull << (fbits - 1));
    case X80K_SNAN:
        s->exc |= X80_IE;
        /* fall through */
    case X80K_QNAN:
        return infv | (1ull << (fbits - 1)) |
               ((a.sig << 1) >> (64 - fbits));
    case X80K_INF:
        return infv;
    case X80K_ZERO:
        return sbit;
    case X80K_FINITE:
        break;
    }
    /* no DE: FST m32/m64 does not report denormal operands */
    e = a.exp - X80_BIAS + bias;
    /* keep the sticky bit clear of the top so rounding cannot wrap */
    v = (u128)a.sig << 63;
    t = round_at(v, sh - 1, rc, a.sign, &inexact, &up);
    if (t >> 127) {
        e++;                        /* rounded up to 2^(e+1): t = 2^127 */
    } else {
        t <<= 1;
    }
    if (e >= emax) {
        s->exc |= X80_OE;
        if (!x80_masked(s, X80_OE)) {
            return 0;
        }
        s->exc |= X80_PE;
        if (rc == X80_RC_NEAREST || (rc == X80_RC_UP && !a.sign) ||
            (rc == X80_RC_DOWN && a.sign)) {
            x80_set_cc(s, X80_C1, X80_C1);
            return infv;
        }
        return sbit | ((uint64_t)(emax - 1) << fbits) | fmask;
    }
    if (e <= 0) {
        if (!x80_masked(s, X80_UE)) {
            s->exc |= X80_UE;
            return 0;
        }
        v = x80_shr_jam128((u128)a.sig << 63, 1 - (a.exp - X80_BIAS + bias));
        t = round_at(v, sh - 1, rc, a.sign, &inexact, &up);
        if (inexact) {
            s->exc |= X80_UE | X80_PE;
        }
        x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
        return sbit | (uint64_t)(t >> (128 - prec - 1));
    }
    if (inexact) {
        s->exc |= X80_PE;
    }
    x80_set_cc(s, X80_C1, up ? X80_C1 : 0);
    return sbit | ((uint64_t)e << fbits) |
           ((uint64_t)(t >> (128 - prec)) & fmask);
}

/*
 * Fast path of FST m32/m64: a zero, or a normal value that rounds (to
 * fbits + 1 significant bits under RC) into the format's normal range.
 * False (s untouched) otherwise.
 */
static inline bool to_ieee_fast(floatx80 fa, int ebits, int fbits,
                                X80Status *s, uint64_t *out)
{
    int32_t bias = (1 << (ebits - 1)) - 1, emax = (1 << ebits) - 1;
    int prec = fbits + 1;
    bool sign = fa.se >> 15;
    uint64_t sbit = (uint64_t)sign << (ebits + fbits);
    uint64_t one = 1ull << (64 - prec), m = fa.mant;
    uint64_t kept = m & ~(one - 1), rem = m << prec;
    int32_t e = (int32_t)(fa.se & 0x7fff) - X80_BIAS + bias;
    bool inc;

    if (!x80_is_normal(fa)) {
        if ((fa.se & 0x7fff) == 0 && m == 0) {
            x80_set_cc(s, X80_C1, 0);
            *out = sbit;
            return true;
        }
        return false;
    }
    switch (x80_rc(s->cw)) {
    case X80_RC_NEAREST:
        inc = rem > X80_J || (rem == X80_J && (kept & one));
        break;
    case X80_RC_DOWN:
        inc = rem && sign;
        break;
    case X80_RC_UP:
        inc = rem && !sign;
        break;
    default:
        inc = false;
        break;
    }
    if (inc) {
        kept += one;
        if (kept == 0) {
            kept = X80_J;
            e++;
        }
    }
    if (e <= 0 || e >= emax) {
        return false;
    }
    if (rem) {
        s->exc |= X80_PE;
    }
    x80_set_cc(s, X80_C1, inc ? X80_C1 : 0);
    *out = sbit | ((uint64_t)e << fbits) |
           ((kept >> (64 - prec)) & ((1ull << fbits) - 1));
    return true;
}

/* FST m32. */
uint32_t x80_to_f32(floatx80 a, X80Status *s)
{
    uint64_t v;

    if (to_ieee_fast(a, 8, 23, s, &v)) {
        return (uint32_t)v;
    }
    return (uint32_t)x80_to_ieee_general(a, 8, 23, s);
}

/* FST m64. */
uint64_t x80_to_f64(floatx80 a, X80Status *s)
{
    uint64_t v;

    if (to_ieee_fast(a, 11, 52, s, &v)) {
        return v;
    }
    return x80_to_ieee_general(a, 11, 52, s);
}

/* FBLD. */
floatx80 x80_from_bcd(const uint8_t bcd[10], X80Status *s)
{
    uint64_t v = 0;
    floatx80 r;
    int i;

    x80_set_cc(s, X80_C1, 0);
    for (i = 8; i >= 0; i--) {
        v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 15);
    }
    r = x80_from_int64((int64_t)v);
    if (bcd[9] & 0x80) {
        r.se |= 0x8000;
    }
    return r;
}

/* FBSTP. */
void x80_to_bcd(floatx80 fa, uint8_t bcd[10], X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    uint64_t m = 0;
    bool inexact = false;
    int i;

    x80_set_cc(s, X80_C1, 0);
    for (i = 0; i < 10; i++) {
        bcd[i] = 0;
    }
    if (a.kind >= X80K_INF) {
        goto invalid;
    }
    if (a.kind == X80K_FINITE) {
        u128 r;
        r = round_to_int(&a, s, &inexact);
        if (r >= (u128)1000000000000000000ull) {
            goto invalid;
        }
        m = (uint64_t)r;
    }
    if (inexact) {
        s->exc |= X80_PE;
    }
    for (i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(m % 10), hi = (unsigned)(m / 10 % 10);
        bcd[i] = (uint8_t)(hi << 4 | lo);
        m /= 100;
    }
    bcd[9] = a.sign ? 0x80 : 0;
    return;
invalid:
    x80_set_cc(s, X80_C1, 0);
    s->exc |= X80_IE;
    bcd[7] = 0xc0;
    bcd[8] = 0xff;
    bcd[9] = 0xff;
}

/* FLD1..FLDLN2 (see the header for the RC dependence). */
floatx80 x80_const(X80Const c, X80Status *s)
{
    /* exponent, mantissa rounded to nearest, rounded down */
    static const struct {
        uint16_t se;
        uint64_t near, down;
    } tab[] = {
        [X80_CONST_ONE]  = { 0x3fff, 0x8000000000000000ull, 0x8000000000000000ull },
        [X80_CONST_ZERO] = { 0x0000, 0, 0 },
        [X80_CONST_PI]   = { 0x4000, 0xc90fdaa22168c235ull, 0xc90fdaa22168c234ull },
        [X80_CONST_L2E]  = { 0x3fff, 0xb8aa3b295c17f0bcull, 0xb8aa3b295c17f0bbull },
        [X80_CONST_L2T]  = { 0x4000, 0xd49a784bcd1b8afeull, 0xd49a784bcd1b8afeull },
        [X80_CONST_LG2]  = { 0x3ffd, 0x9a209a84fbcff799ull, 0x9a209a84fbcff798ull },
        [X80_CONST_LN2]  = { 0x3ffe, 0xb17217f7d1cf79acull, 0xb17217f7d1cf79abull },
    };
    int rc = x80_rc(s->cw);
    floatx80 r;

    x80_set_cc(s, X80_C1, 0);
    r.se = tab[c].se;
    if (rc == X80_RC_NEAREST) {
        r.mant = tab[c].near;
    } else if (rc == X80_RC_UP) {
        r.mant = c == X80_CONST_L2T ? tab[c].near + 1 : tab[c].near;
    } else {
        r.mant = tab[c].down;
    }
    return r;
}
