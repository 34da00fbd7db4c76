/*
 * hamt86 - floatx80 basic arithmetic, classification and comparison.
 *
 * FADD/FSUB/FMUL/FDIV/FSQRT round to the precision control; everything is
 * computed exactly (or with a sticky bit below at least 62 guard bits)
 * before the single rounding in x80_round_pack.
 */
#include "fpu/x80-internal.h"

/* Forward declarations: the den variants used by x80_arith_mem. */
static floatx80 mul_den(floatx80 fa, floatx80 fb, unsigned den,
                        X80Status *s);
static floatx80 div_den(floatx80 fa, floatx80 fb, unsigned den,
                        X80Status *s);
static X80Relation compare_den(floatx80 fa, floatx80 fb, bool quiet,
                               unsigned den, X80Status *s);

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
static floatx80 addsub(floatx80 fa, floatx80 fb, bool negb, unsigned den,
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

/* FADD. */
floatx80 x80_add(floatx80 a, floatx80 b, X80Status *s)
{
    return addsub(a, b, false, 0, s);
}

/* FSUB. */
floatx80 x80_sub(floatx80 a, floatx80 b, X80Status *s)
{
    return addsub(a, b, true, 0, s);
}

/* FMUL. */
floatx80 x80_mul(floatx80 fa, floatx80 fb, X80Status *s)
{
    return mul_den(fa, fb, 0, s);
}

/* a * b, den as for addsub. */
static floatx80 mul_den(floatx80 fa, floatx80 fb, unsigned den, X80Status *s)
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

/* FDIV. */
floatx80 x80_div(floatx80 fa, floatx80 fb, X80Status *s)
{
    return div_den(fa, fb, 0, s);
}

/* a / b, den as for addsub. */
static floatx80 div_den(floatx80 fa, floatx80 fb, unsigned den, X80Status *s)
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

/* FCOM/FUCOM/FCOMI/FUCOMI/FICOM/FTST comparison. */
X80Relation x80_compare(floatx80 fa, floatx80 fb, bool quiet, X80Status *s)
{
    return compare_den(fa, fb, quiet, 0, s);
}

/* Comparison, den as for addsub. */
static X80Relation compare_den(floatx80 fa, floatx80 fb, bool quiet,
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

    switch (op) {
    case X80_OP_ADD:  return addsub(st0, m, false, dm, s);
    case X80_OP_SUB:  return addsub(st0, m, true, dm, s);
    case X80_OP_SUBR: return addsub(m, st0, true, dr, s);
    case X80_OP_MUL:  return mul_den(st0, m, dm, s);
    case X80_OP_DIV:  return div_den(st0, m, dm, s);
    default:          return div_den(m, st0, dr, s);
    }
}

/* FCOM/FUCOM with a memory operand (see the header). */
X80Relation x80_compare_mem(floatx80 st0, floatx80 m, bool m_denormal,
                            bool quiet, X80Status *s)
{
    return compare_den(st0, m, quiet, m_denormal ? 2 : 0, s);
}
