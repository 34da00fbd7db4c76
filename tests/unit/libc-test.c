/*
 * libc-test: the string moves of the freestanding libc
 * (os/freestanding/libc-min.c: memcpy, memmove, memset; the guest's REP
 * MOVS/STOS run on them in the LoongArch and bare-metal builds) against
 * byte loops: every length to 200 and a few past a page, every pair of
 * offsets within 16 bytes, memmove overlapping both ways, and the bytes
 * around the destination untouched.  Hosted builds compile libc-min under
 * other names; the freestanding build tests the functions it runs with.
 */
#ifndef HAMT86_FREESTANDING
#define memcpy lm_memcpy
#define memmove lm_memmove
#define memset lm_memset
#define memcmp lm_memcmp
#define strlen lm_strlen
#define strcmp lm_strcmp
#define strncmp lm_strncmp
#include "os/freestanding/libc-min.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#define T_MEMCPY  lm_memcpy
#define T_MEMMOVE lm_memmove
#define T_MEMSET  lm_memset
#include <stdio.h>
#else
#include "core/libc.h"
#include "core/os.h"
#define T_MEMCPY  memcpy
#define T_MEMMOVE memmove
#define T_MEMSET  memset
#endif

#define BUF 9000

static uint8_t src[BUF], dst[BUF], ref[BUF];
static unsigned failures;

/* Print a line (no printf in the freestanding build). */
static void say(const char *s)
{
#ifdef HAMT86_FREESTANDING
    os_write(1, s, strlen(s));
#else
    fputs(s, stdout);
#endif
}

/* Record a mismatch of test what at length n, offsets a and b. */
static void fail(const char *what, size_t n, unsigned a, unsigned b)
{
    char line[128];

    if (failures++ < 10) {
        h_snprintf(line, sizeof(line), "libc-test: %s wrong: n=%zu "
                   "offsets %u %u\n", what, n, a, b);
        say(line);
    }
}

/* Fill p[0..n) with a pattern that depends on seed. */
static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

/* The reference copy: a byte loop through volatile, which no compiler
 * turns into a call of the memcpy under test. */
static void ref_copy(uint8_t *d, const uint8_t *s, size_t n)
{
    volatile uint8_t *vd = d;

    for (size_t i = 0; i < n; i++) {
        vd[i] = s[i];
    }
}

/* Whether the first n bytes of a and b are equal (byte loop). */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

/* The lengths tried: all to 200, then around 4 KiB and 8 KiB. */
static size_t length(unsigned k)
{
    static const size_t big[] = { 255, 256, 257, 4095, 4096, 4097, 4127,
                                  8160, 8191 };

    return k <= 200 ? k : big[k - 201];
}
#define NLEN (201 + 9)

/* memcpy of n bytes at every offset pair, nothing else written. */
static void check_memcpy(size_t n)
{
    for (unsigned d = 0; d < 16; d++) {
        for (unsigned s = 0; s < 16; s++) {
            pattern(src, n + 16, (unsigned)n + s);
            pattern(dst, n + 48, d);
            ref_copy(ref, dst, n + 48);
            ref_copy(ref + 16 + d, src + s, n);
            if (T_MEMCPY(dst + 16 + d, src + s, n) != dst + 16 + d ||
                !same(dst, ref, n + 48)) {
                fail("memcpy", n, d, s);
            }
        }
    }
}

/* memmove of n bytes within one buffer, destination d and source s
 * (overlapping either way, or not at all). */
static void check_memmove(size_t n)
{
    for (unsigned d = 0; d < 40; d += 1 + (n > 200) * 3) {
        for (unsigned s = 0; s < 40; s += 1 + (n > 200) * 3) {
            pattern(dst, n + 64, (unsigned)n * 7 + d * 3 + s);
            ref_copy(ref, dst, n + 64);
            ref_copy(src, dst + 8 + s, n);
            ref_copy(ref + 8 + d, src, n);
            if (T_MEMMOVE(dst + 8 + d, dst + 8 + s, n) != dst + 8 + d ||
                !same(dst, ref, n + 64)) {
                fail("memmove", n, d, s);
            }
        }
    }
}

/* memset of n bytes at every offset, with values of both signs. */
static void check_memset(size_t n)
{
    static const int vals[] = { 0, 0x5a, 0x80, 0xff, -1, 0x1ab };

    for (unsigned d = 0; d < 16; d++) {
        for (unsigned v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
            pattern(dst, n + 48, d + v);
            volatile uint8_t *vr = ref + 16 + d;

            ref_copy(ref, dst, n + 48);
            for (size_t i = 0; i < n; i++) {
                vr[i] = (uint8_t)vals[v];
            }
            if (T_MEMSET(dst + 16 + d, vals[v], n) != dst + 16 + d ||
                !same(dst, ref, n + 48)) {
                fail("memset", n, d, v);
            }
        }
    }
}

int main(void)
{
    for (unsigned k = 0; k < NLEN; k++) {
        check_memcpy(length(k));
        check_memmove(length(k));
        check_memset(length(k));
    }
    say(failures ? "libc-test: FAIL\n" : "libc-test: ok\n");
    return failures != 0;
}
