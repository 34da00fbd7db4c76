/*
 * hamt86 - the libc subset of core/libc.h for builds without a C library
 * (the freestanding LoongArch64 build and both bare-metal builds).  The
 * string moves are simple loops; memcpy, memmove and memset go 32 bytes
 * a step on aligned buffers, as REP MOVS/STOS and page copies use them.
 */
#include "core/libc.h"

/* Same offset within 8 bytes: after the same number of single bytes both
 * pointers are aligned. */
static inline bool same_align8(const void *a, const void *b)
{
    return (((uintptr_t)a ^ (uintptr_t)b) & 7) == 0;
}

typedef uint64_t u64;

/*
 * Copy n bytes (regions must not overlap).  The guest's REP MOVS
 * (misc-helper.c) and whole-page copies come here, so co-aligned buffers
 * go 32 bytes a step once aligned (no unaligned 8-byte access: MIPS64
 * traps on them).
 */
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    if (n >= 8 && same_align8(dp, sp)) {
        while (((uintptr_t)dp & 7) != 0) {
            *dp++ = *sp++;
            n--;
        }
        for (; n >= 32; n -= 32, dp += 32, sp += 32) {
            u64 a = ((const u64 *)(const void *)sp)[0];
            u64 b = ((const u64 *)(const void *)sp)[1];
            u64 c = ((const u64 *)(const void *)sp)[2];
            u64 e = ((const u64 *)(const void *)sp)[3];
            ((u64 *)(void *)dp)[0] = a;
            ((u64 *)(void *)dp)[1] = b;
            ((u64 *)(void *)dp)[2] = c;
            ((u64 *)(void *)dp)[3] = e;
        }
        for (; n >= 8; n -= 8, dp += 8, sp += 8) {
            *(u64 *)(void *)dp = *(const u64 *)(const void *)sp;
        }
    }
    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

/* Copy n bytes; the regions may overlap (backwards when d is above s). */
void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    if (dp <= sp || dp >= sp + n) {
        return memcpy(d, s, n);
    }
    dp += n;
    sp += n;
    if (n >= 8 && same_align8(dp, sp)) {
        while (((uintptr_t)dp & 7) != 0) {
            *--dp = *--sp;
            n--;
        }
        for (; n >= 32; n -= 32) {
            dp -= 32;
            sp -= 32;
            u64 a = ((const u64 *)(const void *)sp)[3];
            u64 b = ((const u64 *)(const void *)sp)[2];
            u64 c = ((const u64 *)(const void *)sp)[1];
            u64 e = ((const u64 *)(const void *)sp)[0];
            ((u64 *)(void *)dp)[3] = a;
            ((u64 *)(void *)dp)[2] = b;
            ((u64 *)(void *)dp)[1] = c;
            ((u64 *)(void *)dp)[0] = e;
        }
        for (; n >= 8; n -= 8) {
            dp -= 8;
            sp -= 8;
            *(u64 *)(void *)dp = *(const u64 *)(const void *)sp;
        }
    }
    while (n--) {
        *--dp = *--sp;
    }
    return d;
}

/* Fill n bytes with c: 32 bytes a step once aligned (REP STOS, zeroed
 * pages: guest RAM at start-up). */
void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    u64 w = (uint8_t)c * 0x0101010101010101ull;

    while (n > 0 && ((uintptr_t)dp & 7) != 0) {
        *dp++ = (uint8_t)c;
        n--;
    }
    for (; n >= 32; n -= 32, dp += 32) {
        ((u64 *)(void *)dp)[0] = w;
        ((u64 *)(void *)dp)[1] = w;
        ((u64 *)(void *)dp)[2] = w;
        ((u64 *)(void *)dp)[3] = w;
    }
    for (; n >= 8; n -= 8, dp += 8) {
        *(u64 *)(void *)dp = w;
    }
    while (n--) {
        *dp++ = (uint8_t)c;
    }
    return d;
}

/* Compare n bytes as unsigned chars. */
int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *ap = a, *bp = b;

    for (size_t i = 0; i < n; i++) {
        if (ap[i] != bp[i]) {
            return ap[i] - bp[i];
        }
    }
    return 0;
}

/* Length of a NUL-terminated string. */
size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

/* Compare two strings. */
int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* Compare at most n characters of two strings. */
int strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || *a == '\0') {
            return (unsigned char)*a - (unsigned char)*b;
        }
    }
    return 0;
}
