/*
 * hamt86 - the libc subset of core/libc.h for builds without a C library
 * (the freestanding LoongArch64 build).  Simple byte loops: the core only
 * copies small objects, and guest RAM moves go through the memory paths.
 */
#include "core/libc.h"

/* True if both pointers are 8-byte aligned. */
static inline bool both_aligned8(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & 7) == 0;
}

/* Copy n bytes (regions must not overlap); 8 bytes a step when aligned
 * (cosim copies the whole CPU state, softmmu flushes whole TLBs). */
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    if (both_aligned8(dp, sp)) {
        for (; n >= 8; n -= 8, dp += 8, sp += 8) {
            *(uint64_t *)(void *)dp = *(const uint64_t *)(const void *)sp;
        }
    }
    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

/* Copy n bytes; the regions may overlap. */
void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    if (dp < sp) {
        return memcpy(d, s, n);
    }
    if (both_aligned8(dp + n, sp + n)) {
        for (; n >= 8; n -= 8) {
            *(uint64_t *)(void *)(dp + n - 8) =
                *(const uint64_t *)(const void *)(sp + n - 8);
        }
    }
    while (n--) {
        dp[n] = sp[n];
    }
    return d;
}

/* Fill n bytes with c; 8 bytes a step when aligned. */
void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    uint64_t w = (uint8_t)c * 0x0101010101010101ull;

    while (n > 0 && ((uintptr_t)dp & 7) != 0) {
        *dp++ = (uint8_t)c;
        n--;
    }
    for (; n >= 8; n -= 8, dp += 8) {
        *(uint64_t *)(void *)dp = w;
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
