/*
 * hamt86 - fpu/ fast paths against the general paths.
 *
 * The public entry points (x80_add, x80_mul, x80_compare, x80_to_f64, ...)
 * first try a fast path for normal operands (x80-internal.h); the general
 * paths behind them are exported as x80_*_general.  This test runs both
 * on the same random operands under random control words (every PC, RC
 * and many mask combinations) and requires identical values, exception
 * flags and condition codes.  The operands are mostly normal, with
 * exponent differences that cover every alignment, exponents near the
 * overflow / underflow / integer / float32 / float64 limits (where the
 * fast path must decline), significands with rounding-boundary patterns,
 * and some zeros and specials.
 *
 * Usage: test-x80-fast [count [seed-hex]]   (default 2,000,000, fixed seed)
 * Freestanding: prints through core/os.h only.  Exit status 1 on the
 * first mismatches (up to 10 are printed).
 */
#include "core/base.h"
#include "core/os.h"
#include "fpu/x80-internal.h"
#include "fpu/test-x80-gen.h"

/* Print a string. */
static void puts_os(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    os_write(1, s, n);
}

/* Print v as 16 hex digits, then suffix. */
static void put_hex(uint64_t v, const char *suffix)
{
    char b[17];
    int i;

    for (i = 15; i >= 0; i--) {
        b[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    b[16] = 0;
    puts_os(b);
    puts_os(suffix);
}

/* Parse a decimal count. */
static long parse_dec(const char *s)
{
    long v = 0;

    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Parse hex (no prefix). */
static uint64_t parse_hex(const char *s)
{
    uint64_t v = 0;

    for (; *s; s++) {
        int d = *s >= '0' && *s <= '9' ? *s - '0'
              : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
              : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
        if (d < 0) {
            break;
        }
        v = v << 4 | (uint64_t)d;
    }
    return v;
}

/* A biased exponent: mostly near 1.0, sometimes near the limits. */
static uint32_t gen_exp(X80Rng *r)
{
    static const uint32_t centre[] = {
        X80_BIAS,                   /* ordinary values */
        X80_BIAS + 15, X80_BIAS + 31, X80_BIAS + 63,  /* integer limits */
        X80_BIAS + 127, X80_BIAS - 126,               /* float32 range */
        X80_BIAS + 1023, X80_BIAS - 1022,             /* float64 range */
        X80_BIAS - 150, X80_BIAS - 1075,              /* below denormals */
        1, 0x7ffe,                                    /* floatx80 range */
        X80_BIAS / 2, X80_BIAS + X80_BIAS / 2,        /* products overflow */
    };
    uint32_t k = x80_rng_below(r, 24);
    int32_t e;

    if (k >= sizeof(centre) / sizeof(centre[0])) {
        e = X80_BIAS + (int32_t)x80_rng_below(r, 140) - 70;
    } else {
        e = (int32_t)centre[k] + (int32_t)x80_rng_below(r, 9) - 4;
    }
    return e < 1 ? 1 : e > 0x7ffe ? 0x7ffe : (uint32_t)e;
}

/* An operand: normal, sometimes a zero or another special. */
static floatx80 gen_op(X80Rng *r)
{
    bool sign = x80_rng_below(r, 2);

    switch (x80_rng_below(r, 32)) {
    case 0:
        return x80_make(sign, 0, 0);
    case 1:
        return x80_gen_operand(r);
    default:
        return x80_make(sign, (uint16_t)gen_exp(r), x80_gen_mant(r));
    }
}

/* b for a two-operand case: independent, or close to a in exponent. */
static floatx80 gen_b(X80Rng *r, floatx80 a)
{
    floatx80 b = gen_op(r);

    if (x80_rng_below(r, 2) && x80_is_normal(a) && x80_is_normal(b)) {
        int32_t e = (int32_t)x80_exp(a) + (int32_t)x80_rng_below(r, 141) - 70;
        if (x80_rng_below(r, 4) == 0) {
            b.mant = a.mant ^ (x80_rng_next(r) >> x80_rng_below(r, 64));
            b.mant |= X80_J;
        }
        b.se = (uint16_t)((b.se & 0x8000) |
                          (e < 1 ? 1 : e > 0x7ffe ? 0x7ffe : e));
    }
    return b;
}

/* A control word: any PC (incl. reserved 1), any RC, random masks. */
static uint16_t gen_cw(X80Rng *r)
{
    uint16_t masks = x80_rng_below(r, 2) ? 0x3f
                     : (uint16_t)(x80_rng_next(r) & 0x3f);

    return (uint16_t)(0x40 | masks | x80_rng_below(r, 4) << 8 |
                      x80_rng_below(r, 4) << 10);
}

/* Cases compared and mismatches found (the first 10 are printed). */
typedef struct FastCheck {
    long bad;
    long cases;
} FastCheck;

/* Compare one outcome (value bits and status) of both paths. */
static void check(FastCheck *c, const char *what, uint16_t cw, floatx80 a,
                  floatx80 b, uint64_t vf, uint64_t vg, const X80Status *sf,
                  const X80Status *sg)
{
    c->cases++;
    if (vf == vg && sf->exc == sg->exc && sf->cc == sg->cc &&
        sf->cc_mask == sg->cc_mask) {
        return;
    }
    if (c->bad++ < 10) {
        puts_os("fpu-fast: MISMATCH ");
        puts_os(what);
        puts_os(" cw=");
        put_hex(cw, " a=");
        put_hex(a.se, ":");
        put_hex(a.mant, " b=");
        put_hex(b.se, ":");
        put_hex(b.mant, "\n  fast ");
        put_hex(vf, " exc/cc/mask ");
        put_hex((uint64_t)sf->exc << 32 | (uint64_t)sf->cc << 16 |
                sf->cc_mask, "\n  gen  ");
        put_hex(vg, " exc/cc/mask ");
        put_hex((uint64_t)sg->exc << 32 | (uint64_t)sg->cc << 16 |
                sg->cc_mask, "\n");
    }
}

/* The value bits of v folded into 64 bits (sign/exponent on top). */
static uint64_t bits(floatx80 v)
{
    return v.mant ^ ((uint64_t)v.se << 48) ^ ((uint64_t)v.se >> 8);
}

/* One two-operand arithmetic case, register and memory forms. */
static void one_arith(FastCheck *c, X80Rng *r, uint16_t cw, floatx80 a,
                      floatx80 b)
{
    X80Status sf = x80_status_init(cw), sg = x80_status_init(cw);
    floatx80 vf, vg, m;
    uint64_t raw;
    bool den;
    unsigned op = x80_rng_below(r, 6);

    switch (op) {
    case 0:
        vf = x80_add(a, b, &sf);
        vg = x80_addsub_general(a, b, false, 0, &sg);
        break;
    case 1:
        vf = x80_sub(a, b, &sf);
        vg = x80_addsub_general(a, b, true, 0, &sg);
        break;
    case 2:
        vf = x80_mul(a, b, &sf);
        vg = x80_mul_general(a, b, 0, &sg);
        break;
    case 3:
        vf = x80_div(a, b, &sf);
        vg = x80_div_general(a, b, 0, &sg);
        break;
    default:
        /* a memory operand: b as m64 or m32 (narrowed bits) */
        raw = x80_to_f64(b, &sf) ^ (x80_rng_below(r, 2) ? 0
                                    : x80_rng_next(r) & 0xfff);
        sf = x80_status_init(cw);
        if (op == 4) {
            m = x80_f64_operand(raw, &den);
        } else {
            m = x80_f32_operand((uint32_t)raw ^ (uint32_t)(raw >> 32), &den);
        }
        op = x80_rng_below(r, 6);
        vf = x80_arith_mem((X80ArithOp)op, a, m, den, &sf);
        switch (op) {
        case X80_OP_ADD:
            vg = x80_addsub_general(a, m, false, den ? 2 : 0, &sg);
            break;
        case X80_OP_SUB:
            vg = x80_addsub_general(a, m, true, den ? 2 : 0, &sg);
            break;
        case X80_OP_SUBR:
            vg = x80_addsub_general(m, a, true, den ? 1 : 0, &sg);
            break;
        case X80_OP_MUL:
            vg = x80_mul_general(a, m, den ? 2 : 0, &sg);
            break;
        case X80_OP_DIV:
            vg = x80_div_general(a, m, den ? 2 : 0, &sg);
            break;
        default:
            vg = x80_div_general(m, a, den ? 1 : 0, &sg);
            break;
        }
        b = m;
        break;
    }
    check(c, "arith", cw, a, b, vf.mant, vg.mant, &sf, &sg);
    check(c, "arith-se", cw, a, b, vf.se, vg.se, &sf, &sg);
}

/* One compare or conversion case. */
static void one_other(FastCheck *c, X80Rng *r, uint16_t cw, floatx80 a,
                      floatx80 b)
{
    X80Status sf = x80_status_init(cw), sg = x80_status_init(cw);
    uint64_t vf, vg, raw;
    bool quiet = x80_rng_below(r, 2), den;
    floatx80 m;

    switch (x80_rng_below(r, 8)) {
    case 0:
        vf = (uint64_t)x80_compare(a, b, quiet, &sf);
        vg = (uint64_t)x80_compare_general(a, b, quiet, 0, &sg);
        break;
    case 1:
        raw = x80_rng_below(r, 4) ? bits(b) : x80_rng_next(r);
        m = x80_f64_operand(raw, &den);
        vf = (uint64_t)x80_compare_mem(a, m, den, quiet, &sf);
        vg = (uint64_t)x80_compare_general(a, m, quiet, den ? 2 : 0, &sg);
        break;
    case 2:
        vf = (uint64_t)(int64_t)x80_to_int16(a, &sf);
        vg = (uint64_t)(int64_t)(int16_t)x80_to_int_general(a, 16, &sg);
        break;
    case 3:
        vf = (uint64_t)(int64_t)x80_to_int32(a, &sf);
        vg = (uint64_t)(int64_t)(int32_t)x80_to_int_general(a, 32, &sg);
        break;
    case 4:
        vf = (uint64_t)x80_to_int64(a, &sf);
        vg = (uint64_t)x80_to_int_general(a, 64, &sg);
        break;
    case 5:
        vf = x80_to_f32(a, &sf);
        vg = (uint32_t)x80_to_ieee_general(a, 8, 23, &sg);
        break;
    case 6:
        vf = x80_to_f64(a, &sf);
        vg = x80_to_ieee_general(a, 11, 52, &sg);
        break;
    default:
        raw = x80_rng_next(r);
        if (x80_rng_below(r, 2)) {
            raw = (uint32_t)raw;
            vf = bits(x80_from_f32((uint32_t)raw, &sf));
            vg = bits(x80_from_ieee_general(raw, 8, 23, &sg));
            m = x80_f32_operand((uint32_t)raw, &den);
        } else {
            vf = bits(x80_from_f64(raw, &sf));
            vg = bits(x80_from_ieee_general(raw, 11, 52, &sg));
            m = x80_f64_operand(raw, &den);
        }
        /* without flags (no SNaN, no denormal) the operand is the same */
        if (sg.exc == 0) {
            check(c, "operand", cw, a, m, bits(m), vg, &sg, &sg);
        }
        break;
    }
    check(c, "cmp/conv", cw, a, b, vf, vg, &sf, &sg);
}

/* Run count cases; exit status 1 on any mismatch. */
int main(int argc, char **argv)
{
    long n = argc > 1 ? parse_dec(argv[1]) : 2000000, i;
    X80Rng r = { argc > 2 ? parse_hex(argv[2]) : 0xfa57fa57u };
    FastCheck c = { 0, 0 };

    for (i = 0; i < n; i++) {
        uint16_t cw = gen_cw(&r);
        floatx80 a = gen_op(&r);
        floatx80 b = gen_b(&r, a);

        if (x80_rng_below(&r, 4)) {
            one_arith(&c, &r, cw, a, b);
        } else {
            one_other(&c, &r, cw, a, b);
        }
    }
    puts_os("fpu-fast: ");
    put_hex((uint64_t)c.cases, " cases, ");
    put_hex((uint64_t)c.bad, " mismatches\n");
    return c.bad ? 1 : 0;
}
