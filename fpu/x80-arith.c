/*
 * hamt86 - floatx80 basic arithmetic, classification and comparison.
 *
 * FADD/FSUB/FMUL/FDIV/FSQRT round to the precision control; everything is
 * computed exactly (or with a sticky bit below at least 62 guard bits)
 * before the single rounding in x80_round_pack.
 */
#include "fpu/x80-internal.h"

/* Unpack, marking a finite value that came from a denormal m32/m64. */
static X80Unpacked x80_unpack_den(floatx80 a, unsigned den)
{
    X80Unpacked u = x80_unpack(a);

    if (den && u.kind == X80K_FINITE) {
        u.denormal = true;
    }
    return u;
}

/* Any NaN, including SNaN. */
bool x80_is_nan(floatx80 a)
{
    return (a.se & 0x7fff) == X80_EXP_MAX && (a.mant & X80_J) &&
           (a.mant << 1) != 0;
}

/* SNaN: NaN with bit 62 clear. */
bool x80_is_snan(floatx80 a)
{
    return x80_is_nan(a) && !(a.mant & X80_QBIT);
}

/* Unnormal, pseudo-NaN or pseudo-infinity. */
bool x80_is_unsupported(floatx80 a)
{
    return (a.se & 0x7fff) != 0 && !(a.mant & X80_J);
}

/* Denormal or pseudo-denormal. */
bool x80_is_denormal(floatx80 a)
{
    return (a.se & 0x7fff) == 0 && a.mant != 0;
}

/* Tag of a non-empty register. */
unsigned x80_tag(floatx80 a)
{
    uint32_t e = a.se & 0x7fff;

    if (e == 0) {
        return a.mant ? X80_TAG_SPECIAL : X80_TAG_ZERO;
    }
    if (e == X80_EXP_MAX || !(a.mant & X80_J)) {
        return X80_TAG_SPECIAL;
    }
    return X80_TAG_VALID;
}

/* FXAM classification into C3,C2,C0 with C1 = sign. */
void x80_fxam(floatx80 a, bool empty, X80Status *s)
{
    uint16_t cc = x80_sign(a) ? X80_C1 : 0;
    X80Unpacked u = x80_unpack(a);

    if (empty) {
        cc |= X80_C3 | X80_C0;
    } else {
        switch (u.kind) {
        case X80K_UNSUP:
            break;
        case X80K_QNAN:
        case X80K_SNAN:
            cc |= X80_C0;
            break;
        case X80K_INF:
            cc |= X80_C2 | X80_C0;
            break;
        case X80K_ZERO:
            cc |= X80_C3;
            break;
        case X80K_FINITE:
            cc |= u.denormal ? (X80_C3 | X80_C2) : X80_C2;
            break;
        }
    }
    x80_set_cc(s, X80_CC_MASK, cc);
}

/* |a| (FABS). */
floatx80 x80_abs(floatx80 a, X80Status *s)
{
    x80_set_cc(s, X80_C1, 0);
    a.se &= 0x7fff;
    return a;
}

/* -a (FCHS). */
floatx80 x80_chs(floatx80 a, X80Status *s)
{
    x80_set_cc(s, X80_C1, 0);
    a.se ^= 0x8000;
    return a;
}

/*
 * a + (b with sign flipped when negb).  den: bit 0/1 = a/b came from a
 * denormal memory operand (see x80_arith_mem).
 */
floatx80 x80_addsub_general(floatx80 fa, floatx80 fb, bool negb, unsigned den,
                       X80Status *s)
{
    X80Unpacked a = x80_unpack_den(fa, den & 1), b = x80_unpack_den(fb, den & 2), t;
    int prec = x80_pc_bits(s->cw);
    floatx80 r;
    u128 va, vb, v;
    int32_t d;
    int l;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, &b, fa, fb, &r, s)) {
        return r;
    }
    b.sign ^= negb;
    if (a.kind == X80K_INF || b.kind == X80K_INF) {
        if (a.kind == X80K_INF && b.kind == X80K_INF && a.sign != b.sign) {
            return x80_invalid(s);
        }
        return x80_inf(a.kind == X80K_INF ? a.sign : b.sign);
    }
    if (a.kind == X80K_ZERO && b.kind == X80K_ZERO) {
        bool sign = a.sign == b.sign ? a.sign
                                     : x80_rc(s->cw) == X80_RC_DOWN;
        return x80_zero(sign);
    }
    if (b.kind == X80K_ZERO) {
        return x80_round_pack(a.sign, a.exp, a.sig, 0, prec, s);
    }
    if (a.kind == X80K_ZERO) {
        return x80_round_pack(b.sign, b.exp, b.sig, 0, prec, s);
    }
    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        t = a;
        a = b;
        b = t;
    }
    d = a.exp - b.exp;
    va = (u128)a.sig << 63;
    vb = x80_shr_jam128((u128)b.sig << 63, d);
    v = a.sign == b.sign ? va + vb : va - vb;
    if (v == 0) {
        return x80_zero(x80_rc(s->cw) == X80_RC_DOWN);
    }
    l = x80_clz128(v);
    v <<= l;
    return x80_round_pack(a.sign, a.exp + 1 - l, (uint64_t)(v >> 64),
                          (uint64_t)v, prec, s);
}

/* Normal or a true zero: the operands the fast paths also take. */
static inline bool x80_is_plain(floatx80 a)
{
    return x80_is_normal(a) || ((a.se & 0x7fff) == 0 && a.mant == 0);
}

/* b >> n for n >= 64, with the bits shifted out ORed into bit 0. */
static inline uint64_t shr_jam_hi(uint64_t b, uint32_t n)
{
    if (n == 64) {
        return b;
    }
    if (n >= 128) {
        return 1;
    }
    return (b >> (n - 64)) | ((b << (128 - n)) != 0);
}

/*
 * Fast path of a + (b, negated when negb): normal operands (or zeros),
 * without unpacking.  The larger magnitude a goes to hi:lo = a.sig:0, the
 * smaller is aligned below it; the sum or difference is exact in 128
 * bits except for d >= 64, where the smaller operand is a sticky bit well
 * below the round bit.  False (s untouched) when it does not apply.
 *
 *   127          64 63                                    0
 *  +--------------+---------------------------------------+
 *  |   a.sig      |  0                                    |   hi:lo
 *  +--------------+---------------------------------------+
 *         b.sig >> d  :  b.sig << (64 - d)   (d < 64)
 */
static inline bool addsub_fast(floatx80 fa, floatx80 fb, bool negb,
                               X80Status *s, floatx80 *r)
{
    uint32_t ea = fa.se & 0x7fff, eb = fb.se & 0x7fff, d;
    bool sa = fa.se >> 15, sb = (bool)(fb.se >> 15) ^ negb;
    uint64_t ma = fa.mant, mb = fb.mant, hi, lo;
    int l;

    if (!x80_is_normal(fa) || !x80_is_normal(fb)) {
        if (!x80_is_plain(fa) || !x80_is_plain(fb)) {
            return false;
        }
        if (ma == 0 && mb == 0) {
            x80_set_cc(s, X80_C1, 0);
            *r = x80_zero(sa == sb ? sa : x80_rc(s->cw) == X80_RC_DOWN);
            return true;
        }
        if (mb == 0) {
            return x80_round_fast(sa, (int32_t)ea, ma, 0, s, r);
        }
        return x80_round_fast(sb, (int32_t)eb, mb, 0, s, r);
    }
    if (ea < eb || (ea == eb && ma < mb)) {
        uint32_t te = ea;
        uint64_t tm = ma;
        bool ts = sa;
        ea = eb; ma = mb; sa = sb;
        eb = te; mb = tm; sb = ts;
    }
    d = ea - eb;
    if (sa == sb) {
        /* magnitude sum: sig in [2^63, 2^65), one bit of carry */
        if (d >= 64) {
            hi = ma;
            lo = shr_jam_hi(mb, d);
        } else if (d) {
            hi = ma + (mb >> d);
            lo = mb << (64 - d);
            if (hi < ma) {
                /* lo's bit 0 is clear (d < 64): the shift loses nothing */
                lo = (hi << 63) | (lo >> 1);
                hi = (hi >> 1) | X80_J;
                ea++;
            }
        } else {
            hi = ma + mb;
            lo = hi << 63;
            hi = (hi >> 1) | X80_J;
            ea++;
        }
        return x80_round_fast(sa, (int32_t)ea, hi, lo, s, r);
    }
    /* magnitude difference (a >= b), then normalise */
    if (d == 0) {
        hi = ma - mb;
        lo = 0;
        if (hi == 0) {
            x80_set_cc(s, X80_C1, 0);
            *r = x80_zero(x80_rc(s->cw) == X80_RC_DOWN);
            return true;
        }
    } else if (d < 64) {
        lo = 0 - (mb << (64 - d));
        hi = ma - (mb >> d) - (lo != 0);
    } else {
        lo = 0 - shr_jam_hi(mb, d);
        hi = ma - 1;
    }
    if (!(hi >> 63)) {
        if (hi == 0) {
            l = 64 + x80_clz64(lo);
            hi = lo << (l - 64);
            lo = 0;
        } else {
            l = x80_clz64(hi);
            hi = (hi << l) | (lo >> (63 - l) >> 1);
            lo <<= l;
        }
        ea -= (uint32_t)l;
    }
    return x80_round_fast(sa, (int32_t)ea, hi, lo, s, r);
}

/* FADD. */
floatx80 x80_add(floatx80 a, floatx80 b, X80Status *s)
{
    floatx80 r;

    if (addsub_fast(a, b, false, s, &r)) {
        return r;
    }
    return x80_addsub_general(a, b, false, 0, s);
}

/* FSUB. */
floatx80 x80_sub(floatx80 a, floatx80 b, X80Status *s)
{
    floatx80 r;

    if (addsub_fast(a, b, true, s, &r)) {
        return r;
    }
    return x80_addsub_general(a, b, true, 0, s);
}

/* Fast path of a * b: two normal operands (see addsub_fast). */
static inline bool mul_fast(floatx80 fa, floatx80 fb, X80Status *s,
                            floatx80 *r)
{
    u128 p;
    int l;

    if (!x80_is_normal(fa) || !x80_is_normal(fb)) {
        return false;
    }
    p = x80_mul64(fa.mant, fb.mant);
    l = (int)((uint64_t)(p >> 64) >> 63) ^ 1;   /* p >= 2^126 */
    p <<= l;
    return x80_round_fast((fa.se ^ fb.se) >> 15,
                          (int32_t)(fa.se & 0x7fff) + (fb.se & 0x7fff) -
                          16382 - l,
                          (uint64_t)(p >> 64), (uint64_t)p, s, r);
}

/* FMUL. */
floatx80 x80_mul(floatx80 fa, floatx80 fb, X80Status *s)
{
    floatx80 r;

    if (mul_fast(fa, fb, s, &r)) {
        return r;
    }
    return x80_mul_general(fa, fb, 0, s);
}

/* a * b, den as for addsub. */
floatx80 x80_mul_general(floatx80 fa, floatx80 fb, unsigned den,
                         X80Status *s)
{
    X80Unpacked a = x80_unpack_den(fa, den & 1), b = x80_unpack_den(fb, den & 2);
    bool sign = a.sign ^ b.sign;
    floatx80 r;
    u128 p;
    int l;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_operands(&a, &b, fa, fb, &r, s)) {
        return r;
    }
    if (a.kind == X80K_INF || b.kind == X80K_INF) {
        if (a.kind == X80K_ZERO || b.kind == X80K_ZERO) {
            return x80_invalid(s);
        }
        return x80_inf(sign);
    }
    if (a.kind == X80K_ZERO || b.kind == X80K_ZERO) {
        return x80_zero(sign);
    }
    p = x80_mul64(a.sig, b.sig);
    l = x80_clz128(p);
    p <<= l;
    return x80_round_pack(sign, a.exp + b.exp - 16382 - l,
                          (uint64_t)(p >> 64), (uint64_t)p,
                          x80_pc_bits(s->cw), s);
}

/*
 * Fast path of a / b: two normal operands.  One 128/64 division gives the
 * 64-bit quotient q and remainder rem; the bits below q only matter as
 * the round bit (2 rem >= b) and the sticky (rem != 0), so instead of the
 * general path's second division ext is synthesised with the same
 * rounding: 2^63 + 1 (above half), 2^63 (half), 1 (below) or 0.
 */
static inline bool div_fast(floatx80 fa, floatx80 fb, X80Status *s,
                            floatx80 *r)
{
    uint64_t ma = fa.mant, mb = fb.mant, q, rem, ext;
    int32_t e;

    if (!x80_is_normal(fa) || !x80_is_normal(fb)) {
        return false;
    }
    e = (int32_t)(fa.se & 0x7fff) - (fb.se & 0x7fff) + X80_BIAS;
    if (ma >= mb) {
        q = x80_div128(ma >> 1, ma << 63, mb, &rem);
    } else {
        q = x80_div128(ma, 0, mb, &rem);
        e--;
    }
    if (rem == 0) {
        ext = 0;
    } else if (rem > mb - rem) {
        ext = X80_J | 1;
    } else {
        ext = rem == mb - rem ? X80_J : 1;
    }
    return x80_round_fast((fa.se ^ fb.se) >> 15, e, q, ext, s, r);
}

/* FDIV. */
floatx80 x80_div(floatx80 fa, floatx80 fb, X80Status *s)
{
    floatx80 r;

    if (div_fast(fa, fb, s, &r)) {
        return r;
    }
    return x80_div_general(fa, fb, 0, s);
}

/* a / b, den as for addsub. */
floatx80 x80_div_general(floatx80 fa, floatx80 fb, unsigned den,
                         X80Status *s)
{
    X80Unpacked a = x80_unpack_den(fa, den & 1), b = x80_unpack_den(fb, den & 2);
    bool sign = a.sign ^ b.sign;
    uint64_t q, q2, rem, rem2;
    int32_t e;
    floatx80 r;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_nans(&a, &b, fa, fb, &r, s)) {
        return r;
    }
    /* a zero divisor is checked before the denormal operand */
    if (b.kind == X80K_ZERO) {
        if (a.kind == X80K_ZERO) {
            return x80_invalid(s);
        }
        if (a.kind == X80K_FINITE) {
            s->exc |= X80_ZE;
        }
        return x80_inf(sign);
    }
    if (x80_check_denormal(&a, &b, fa, &r, s)) {
        return r;
    }
    if (a.kind == X80K_INF) {
        return b.kind == X80K_INF ? x80_invalid(s) : x80_inf(sign);
    }
    if (b.kind == X80K_INF) {
        return x80_zero(sign);
    }
    if (a.kind == X80K_ZERO) {
        return x80_zero(sign);
    }
    if (a.sig >= b.sig) {
        q = x80_div128(a.sig >> 1, a.sig << 63, b.sig, &rem);
        e = a.exp - b.exp + X80_BIAS;
    } else {
        q = x80_div128(a.sig, 0, b.sig, &rem);
        e = a.exp - b.exp + X80_BIAS - 1;
    }
    q2 = x80_div128(rem, 0, b.sig, &rem2);
    return x80_round_pack(sign, e, q, q2 | (rem2 != 0),
                          x80_pc_bits(s->cw), s);
}

/* Integer square root of n: floor(sqrt(n)), remainder n - root^2. */
static uint64_t isqrt128(u128 n, u128 *remp)
{
    u128 rem = 0;
    uint64_t root = 0;
    int i;

    for (i = 63; i >= 0; i--) {
        u128 trial;
        rem = (rem << 2) | ((n >> (2 * i)) & 3);
        trial = ((u128)root << 2) | 1;
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    *remp = rem;
    return root;
}

/* FSQRT. */
floatx80 x80_sqrt(floatx80 fa, X80Status *s)
{
    X80Unpacked a = x80_unpack(fa);
    floatx80 r;
    int32_t e;
    u128 n, rem;
    uint64_t root, ext;

    x80_set_cc(s, X80_C1, 0);
    if (x80_check_nans(&a, NULL, fa, fa, &r, s)) {
        return r;
    }
    if (a.kind == X80K_ZERO) {
        return fa;
    }
    /* a negative operand is checked before the denormal operand */
    if (a.sign) {
        return x80_invalid(s);
    }
    if (x80_check_denormal(&a, NULL, fa, &r, s)) {
        return r;
    }
    if (a.kind == X80K_INF) {
        return fa;
    }
    e = a.exp - X80_BIAS;
    n = (u128)a.sig << ((e & 1) ? 64 : 63);
    root = isqrt128(n, &rem);
    ext = (rem > root ? X80_J : 0) | (rem != 0);
    return x80_round_pack(false, (e >> 1) + X80_BIAS, root, ext,
                          x80_pc_bits(s->cw), s);
}

/* Compare two ordered, unpacked values. */
static X80Relation compare_values(const X80Unpacked *a, const X80Unpacked *b)
{
    int ma, mb;

    if (a->kind == X80K_ZERO && b->kind == X80K_ZERO) {
        return X80_REL_EQUAL;
    }
    if (a->sign != b->sign) {
        return a->sign ? X80_REL_LESS : X80_REL_GREATER;
    }
    /* same sign: compare magnitudes (zero < finite < inf) */
    ma = a->kind == X80K_ZERO ? 0 : a->kind == X80K_INF ? 2 : 1;
    mb = b->kind == X80K_ZERO ? 0 : b->kind == X80K_INF ? 2 : 1;
    if (ma == mb && ma == 1) {
        if (a->exp != b->exp) {
            ma = a->exp > b->exp ? 1 : 0;
            mb = 1 - ma;
        } else if (a->sig != b->sig) {
            ma = a->sig > b->sig ? 1 : 0;
            mb = 1 - ma;
        }
    }
    if (ma == mb) {
        return X80_REL_EQUAL;
    }
    return (ma > mb) != a->sign ? X80_REL_GREATER : X80_REL_LESS;
}

/*
 * Fast path of a comparison: both operands normal or zero (no flags).
 * For those, (exponent, significand) orders the magnitudes, zero lowest.
 */
static inline bool compare_fast(floatx80 fa, floatx80 fb, X80Status *s,
                                X80Relation *rel)
{
    static const uint16_t cc[3] = { X80_C0, X80_C3, 0 };
    uint32_t ea = fa.se & 0x7fff, eb = fb.se & 0x7fff;
    bool sa = fa.se >> 15;
    X80Relation r;

    if (!x80_is_plain(fa) || !x80_is_plain(fb)) {
        return false;
    }
    if ((ea | eb) == 0) {
        r = X80_REL_EQUAL;                  /* +-0 == +-0 */
    } else if (sa != (fb.se >> 15)) {
        r = sa ? X80_REL_LESS : X80_REL_GREATER;
    } else if (ea == eb && fa.mant == fb.mant) {
        r = X80_REL_EQUAL;
    } else {
        bool bigger = ea != eb ? ea > eb : fa.mant > fb.mant;
        r = bigger != sa ? X80_REL_GREATER : X80_REL_LESS;
    }
    x80_set_cc(s, X80_CC_MASK, cc[r + 1]);
    *rel = r;
    return true;
}

/* FCOM/FUCOM/FCOMI/FUCOMI/FICOM/FTST comparison. */
X80Relation x80_compare(floatx80 fa, floatx80 fb, bool quiet, X80Status *s)
{
    X80Relation r;

    if (compare_fast(fa, fb, s, &r)) {
        return r;
    }
    return x80_compare_general(fa, fb, quiet, 0, s);
}

/* Comparison, den as for addsub. */
X80Relation x80_compare_general(floatx80 fa, floatx80 fb, bool quiet,
                                unsigned den, X80Status *s)
{
    X80Unpacked a = x80_unpack_den(fa, den & 1), b = x80_unpack_den(fb, den & 2);
    X80Relation rel;
    uint16_t cc;

    if (a.kind >= X80K_QNAN || b.kind >= X80K_QNAN) {
        if (!quiet || a.kind >= X80K_SNAN || b.kind >= X80K_SNAN) {
            s->exc |= X80_IE;
        }
        rel = X80_REL_UNORDERED;
    } else {
        if (a.denormal || b.denormal) {
            s->exc |= X80_DE;
        }
        rel = compare_values(&a, &b);
    }
    switch (rel) {
    case X80_REL_LESS:
        cc = X80_C0;
        break;
    case X80_REL_EQUAL:
        cc = X80_C3;
        break;
    case X80_REL_GREATER:
        cc = 0;
        break;
    default:
        cc = X80_C3 | X80_C2 | X80_C0;
        break;
    }
    x80_set_cc(s, X80_CC_MASK, cc);
    return rel;
}

/* FTST. */
X80Relation x80_tst(floatx80 a, X80Status *s)
{
    return x80_compare(a, x80_zero(false), false, s);
}

/* Arithmetic with a memory operand (see the header). */
floatx80 x80_arith_mem(X80ArithOp op, floatx80 st0, floatx80 m,
                       bool m_denormal, X80Status *s)
{
    unsigned dm = m_denormal ? 2 : 0, dr = m_denormal ? 1 : 0;
    floatx80 r;

    /* a denormal memory operand is never normal: general path */
    if (!m_denormal) {
        bool done;

        switch (op) {
        case X80_OP_ADD:  done = addsub_fast(st0, m, false, s, &r); break;
        case X80_OP_SUB:  done = addsub_fast(st0, m, true, s, &r); break;
        case X80_OP_SUBR: done = addsub_fast(m, st0, true, s, &r); break;
        case X80_OP_MUL:  done = mul_fast(st0, m, s, &r); break;
        case X80_OP_DIV:  done = div_fast(st0, m, s, &r); break;
        default:          done = div_fast(m, st0, s, &r); break;
        }
        if (done) {
            return r;
        }
    }
    switch (op) {
    case X80_OP_ADD:  return x80_addsub_general(st0, m, false, dm, s);
    case X80_OP_SUB:  return x80_addsub_general(st0, m, true, dm, s);
    case X80_OP_SUBR: return x80_addsub_general(m, st0, true, dr, s);
    case X80_OP_MUL:  return x80_mul_general(st0, m, dm, s);
    case X80_OP_DIV:  return x80_div_general(st0, m, dm, s);
    default:          return x80_div_general(m, st0, dr, s);
    }
}

/* FCOM/FUCOM with a memory operand (see the header). */
X80Relation x80_compare_mem(floatx80 st0, floatx80 m, bool m_denormal,
                            bool quiet, X80Status *s)
{
    X80Relation r;

    if (!m_denormal && compare_fast(st0, m, s, &r)) {
        return r;
    }
    return x80_compare_general(st0, m, quiet, m_denormal ? 2 : 0, s);
}
