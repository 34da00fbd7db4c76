/*
 * hamt86 - fpu/ cross-host check: the same vector set on every host must
 * give the same results.
 *
 * A fixed-seed stream of operands and control words (fpu/test-x80-gen.h)
 * goes through every library operation; all outputs (values, integers,
 * BCD bytes, exception flags, condition codes, return values) are folded
 * into an FNV-1a hash.  The x86_64 build is checked against the real x87
 * by fpu-oracle; fpu/x80-vectors.hash records its hash, and every build
 * (native, mips64el under qemu-mips64el, loongarch64 under
 * qemu-loongarch64) must reproduce it.
 *
 * Usage: test-x80-hash [expected-hash-hex [count [trace]]]
 * Freestanding: prints through core/os.h only.
 */
#include "core/base.h"
#include "core/os.h"
#include "fpu/softfloat-x80.h"
#include "fpu/test-x80-gen.h"

#define X80_HASH_SEED 0x5eed0f87u

/* FNV-1a over n bytes. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ull;
    }
    return h;
}

/* Fold a value into the hash. */
static uint64_t fold_x80(uint64_t h, floatx80 v)
{
    h = fnv(h, &v.mant, 8);
    return fnv(h, &v.se, 2);
}

/* Fold a 64-bit integer into the hash. */
static uint64_t fold_u64(uint64_t h, uint64_t v)
{
    return fnv(h, &v, 8);
}

/* Fold the status. */
static uint64_t fold_status(uint64_t h, const X80Status *s)
{
    uint16_t w[3] = { s->exc, s->cc, s->cc_mask };
    return fnv(h, w, sizeof(w));
}

/* Run one operation (op chosen by the caller) and fold its outputs. */
static uint64_t one(uint64_t h, unsigned op, uint16_t cw, floatx80 a,
                    floatx80 b, X80Rng *r)
{
    X80Status s = x80_status_init(cw);
    floatx80 v = a, w = b;
    uint8_t bcd[10];
    uint64_t u = 0;
    int i;

    switch (op) {
    case 0:  v = x80_add(a, b, &s); break;
    case 1:  v = x80_sub(a, b, &s); break;
    case 2:  v = x80_mul(a, b, &s); break;
    case 3:  v = x80_div(a, b, &s); break;
    case 4:  v = x80_sqrt(a, &s); break;
    case 5:  v = x80_rndint(a, &s); break;
    case 6:  v = x80_scale(a, b, &s); break;
    case 7:  x80_xtract(a, &v, &w, &s); break;
    case 8:  v = x80_prem(a, b, false, &s); break;
    case 9:  v = x80_prem(a, b, true, &s); break;
    case 10: u = (uint64_t)x80_compare(a, b, false, &s); break;
    case 11: u = (uint64_t)x80_compare(a, b, true, &s); break;
    case 12: u = (uint64_t)x80_tst(a, &s); break;
    case 13: x80_fxam(a, false, &s); u = x80_tag(a); break;
    case 14: v = x80_from_int64((int64_t)x80_rng_next(r)); break;
    case 15: u = (uint64_t)(int64_t)x80_to_int16(a, &s); break;
    case 16: u = (uint64_t)(int64_t)x80_to_int32(a, &s); break;
    case 17: u = (uint64_t)x80_to_int64(a, &s); break;
    case 18: v = x80_from_f32((uint32_t)x80_rng_next(r), &s); break;
    case 19: v = x80_from_f64(x80_rng_next(r), &s); break;
    case 20: u = x80_to_f32(a, &s); break;
    case 21: u = x80_to_f64(a, &s); break;
    case 22:
        for (i = 0; i < 10; i++) {
            bcd[i] = (uint8_t)x80_rng_next(r);
        }
        v = x80_from_bcd(bcd, &s);
        break;
    case 23:
        x80_to_bcd(a, bcd, &s);
        h = fnv(h, bcd, 10);
        break;
    case 24: v = x80_const((X80Const)x80_rng_below(r, 7), &s); break;
    case 25: v = x80_f2xm1(a, &s); break;
    case 26: v = x80_fyl2x(a, b, &s); break;
    case 27: v = x80_fyl2xp1(a, b, &s); break;
    case 28: u = x80_fptan(a, &v, &s); break;
    case 29: v = x80_fpatan(a, b, &s); break;
    case 30: u = x80_fsin(a, &v, &s); break;
    case 31: u = x80_fcos(a, &v, &s); break;
    case 32: u = x80_fsincos(a, &v, &w, &s); break;
    case 33: v = x80_abs(a, &s); w = x80_chs(b, &s); break;
    case 34: {
        bool den;
        w = x80_f32_operand((uint32_t)x80_rng_next(r), &den);
        v = x80_arith_mem((X80ArithOp)x80_rng_below(r, 6), a, w, den, &s);
        u = den;
        break;
    }
    case 35: {
        bool den;
        w = x80_f64_operand(x80_rng_next(r), &den);
        u = (uint64_t)x80_compare_mem(a, w, den, x80_rng_below(r, 2), &s);
        break;
    }
    default: break;
    }
    h = fold_x80(h, v);
    h = fold_x80(h, w);
    h = fold_u64(h, u);
    return fold_status(h, &s);
}

/* Print a string. */
static void puts_os(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    os_write(1, s, n);
}

/* 64-bit value as 16 hex digits. */
static void hex64(uint64_t v, char *out)
{
    int i;

    for (i = 15; i >= 0; i--) {
        out[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    out[16] = 0;
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

/* Parse a decimal count. */
static long parse_dec(const char *s)
{
    long v = 0;

    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Hash the vector set; compare with argv[1] when given. */
int main(int argc, char **argv)
{
    X80Rng r = { X80_HASH_SEED };
    uint64_t h = 0xcbf29ce484222325ull;
    long n = argc > 2 ? parse_dec(argv[2]) : 200000, i;
    char buf[17];

    for (i = 0; i < n; i++) {
        uint16_t cw = x80_gen_cw(&r);
        floatx80 a = x80_gen_operand(&r);
        floatx80 b = x80_gen_second(&r, a);
        unsigned op = x80_rng_below(&r, 36);
        h = one(h, op, cw, a, b, &r);
        if (argc > 3) {             /* trace: op and running hash */
            hex64(h, buf);
            puts_os(buf);
            hex64(op, buf);
            puts_os(" ");
            puts_os(buf + 14);
            puts_os("\n");
        }
    }
    hex64(h, buf);
    puts_os("fpu-hash: ");
    puts_os(buf);
    puts_os("\n");
    if (argc > 1 && parse_hex(argv[1]) != h) {
        puts_os("fpu-hash: MISMATCH, expected ");
        puts_os(argv[1]);
        puts_os("\n");
        return 1;
    }
    return 0;
}
