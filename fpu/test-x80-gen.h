/*
 * hamt86 - operand generator for the fpu/ tests (shared by the x87 oracle
 * test and the cross-host hash test).  Freestanding, deterministic.
 *
 * Classes drawn (see x80_gen_operand): signed zeros, denormals,
 * pseudo-denormals, unnormals (incl. pseudo-zero), infinities, QNaN/SNaN,
 * the QNaN indefinite, pseudo-NaN/pseudo-infinity, largest and smallest
 * normals, values near integer boundaries (FIST/FRNDINT), values near the
 * float32/float64 exponent limits, exponents near FSCALE/F2XM1/FPTAN
 * limits, significands with tie/rounding-boundary patterns at 24/53/64
 * bits, and fully random values.
 *
 * Every call to the generator is its own sequenced expression (argument
 * evaluation order differs between compilers, and the cross-host hash
 * depends on the exact stream).
 */
#ifndef HAMT86_FPU_TEST_X80_GEN_H
#define HAMT86_FPU_TEST_X80_GEN_H

#include "fpu/softfloat-x80.h"

/* splitmix64 state. */
typedef struct X80Rng {
    uint64_t s;
} X80Rng;

/* Next 64 random bits. */
static inline uint64_t x80_rng_next(X80Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t x80_rng_below(X80Rng *r, uint32_t n)
{
    return (uint32_t)((x80_rng_next(r) >> 32) % n);
}

/* A significand with J set and a rounding-boundary pattern. */
static inline uint64_t x80_gen_mant(X80Rng *r)
{
    uint64_t m = x80_rng_next(r) | 0x8000000000000000ull;
    int cut;

    switch (x80_rng_below(r, 8)) {
    case 0:     /* few significant bits: exact results, ties */
        cut = (int)x80_rng_below(r, 64);
        return cut ? (m >> cut) << cut : m;
    case 1:     /* a tie or near-tie at 24/53/64 bits */
    case 2: {
        static const int pos[] = { 40, 11, 1 };
        int p = pos[x80_rng_below(r, 3)];
        uint64_t low = (1ull << p) - 1;
        uint64_t half = 1ull << (p - 1);
        uint64_t pat[] = { half, half - 1, half + 1, 0, low, 1 };
        return (m & ~low) | (pat[x80_rng_below(r, 6)] & low);
    }
    case 3:     /* all ones / runs */
        return x80_rng_below(r, 2) ? ~0ull : m | 0xffffffffff000000ull;
    default:
        return m;
    }
}

/* One operand from the special-value generator. */
static inline floatx80 x80_gen_operand(X80Rng *r)
{
    bool sign = x80_rng_below(r, 2);
    uint64_t m = x80_gen_mant(r);
    uint32_t e;

    switch (x80_rng_below(r, 24)) {
    case 0:
        return x80_make(sign, 0, 0);
    case 1:     /* denormal */
        return x80_make(sign, 0, (m & ~(1ull << 63)) >> x80_rng_below(r, 63));
    case 2:     /* pseudo-denormal */
        return x80_make(sign, 0, m);
    case 3:     /* unnormal / pseudo-zero */
        e = 1 + x80_rng_below(r, 0x7ffe);
        m = x80_rng_below(r, 4) ? (m >> (1 + x80_rng_below(r, 63))) : 0;
        return x80_make(sign, e, m);
    case 4:
        return x80_make(sign, 0x7fff, 1ull << 63);
    case 5:     /* QNaN */
        return x80_make(sign, 0x7fff, m | (3ull << 62));
    case 6:     /* SNaN */
        m = (m & ~(1ull << 62)) | (1ull << 63);
        if (m == 1ull << 63) {
            m |= 1;
        }
        return x80_make(sign, 0x7fff, m);
    case 7:
        return x80_indefinite();
    case 8:     /* pseudo-NaN / pseudo-infinity */
        return x80_make(sign, 0x7fff,
                        x80_rng_below(r, 3) ? m & ~(1ull << 63) : 0);
    case 9:     /* largest / smallest normals and neighbours */
        e = x80_rng_below(r, 2) ? 0x7ffe - x80_rng_below(r, 3)
                                : 1 + x80_rng_below(r, 3);
        return x80_make(sign, e, x80_rng_below(r, 2) ? ~0ull : 1ull << 63);
    case 10:    /* near integer boundaries (FIST/FRNDINT/FBSTP) */
    case 11:
        e = 16383 + x80_rng_below(r, 66) - 2;
        return x80_make(sign, e, m);
    case 12:    /* near float32 limits */
        e = 16383 + (x80_rng_below(r, 2) ? 127 : -126);
        e += x80_rng_below(r, 60) - 30;
        return x80_make(sign, e, m);
    case 13:    /* near float64 limits */
        e = 16383 + (x80_rng_below(r, 2) ? 1023 : -1022);
        e += x80_rng_below(r, 130) - 65;
        return x80_make(sign, e, m);
    case 14:    /* near the extended limits (FSCALE, products) */
        e = x80_rng_below(r, 2) ? 0x7ffe - x80_rng_below(r, 70)
                                : 1 + x80_rng_below(r, 70);
        return x80_make(sign, e, m);
    case 15:    /* small magnitudes: F2XM1 range, FSCALE counts */
        e = 16383 - x80_rng_below(r, 70);
        return x80_make(sign, e, m);
    case 16:    /* FPTAN/FSIN range edges: 2^62..2^64 */
        e = 16383 + 61 + x80_rng_below(r, 4);
        return x80_make(sign, e, m);
    case 17:    /* FSCALE-style counts: integers up to 2^17 */
        return x80_make(sign, 16383 + x80_rng_below(r, 18),
                        (m >> 47) << 47 | 1ull << 63);
    case 18:    /* exactly representable small integers and halves */
        return x80_make(sign, 16383 + x80_rng_below(r, 8),
                        (m >> 55) << 55 | 1ull << 63);
    default:    /* random in a moderate or full range */
        if (x80_rng_below(r, 3) == 0) {
            e = 1 + x80_rng_below(r, 0x7ffe);
        } else {
            e = 16383 - 40 + x80_rng_below(r, 80);
        }
        return x80_make(sign, e, m);
    }
}

/* Second operand: often close to the first (cancellation, equal values). */
static inline floatx80 x80_gen_second(X80Rng *r, floatx80 a)
{
    switch (x80_rng_below(r, 6)) {
    case 0: {   /* same exponent or nearby, perturbed significand */
        uint32_t e = (a.se & 0x7fff);
        int d = (int)x80_rng_below(r, 5) - 2;
        bool sign;
        uint64_t flip;
        if (e > 2 && e < 0x7ffc) {
            e += d;
        }
        sign = x80_rng_below(r, 2);
        flip = x80_rng_next(r);
        flip >>= x80_rng_below(r, 64);
        return x80_make(sign, e, a.mant ^ flip);
    }
    case 1:
        return x80_rng_below(r, 2) ? a : x80_make(!x80_sign(a), x80_exp(a),
                                                   a.mant);
    default:
        return x80_gen_operand(r);
    }
}

/* A control word: random masks (often all masked), PC and RC. */
static inline uint16_t x80_gen_cw(X80Rng *r)
{
    static const uint16_t pcs[] = { 0, 2, 3, 3, 1 };
    uint16_t masks, pc;

    switch (x80_rng_below(r, 4)) {
    case 0:
    case 1:
        masks = 0x3f;
        break;
    case 2:
        masks = 0x3f & ~(1u << x80_rng_below(r, 6));
        break;
    default:
        masks = (uint16_t)(x80_rng_next(r) & 0x3f);
        break;
    }
    pc = pcs[x80_rng_below(r, 5)];
    return (uint16_t)(0x40 | masks | pc << 8 | x80_rng_below(r, 4) << 10);
}

#endif
