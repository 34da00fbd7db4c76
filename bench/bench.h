/*
 * hamt86 benchmark kernels: shared helpers (on top of tests/guest/lib).
 *
 * Output protocol (bench/run.sh keeps only these lines):
 *   BENCH <name> checksum=<8 hex digits>     the result; must be equal on
 *                                            every engine and on qemu-system-i386
 *   BENCH <name> accesses=<decimal>          optional: guest memory accesses
 *                                            done (bench/mem/ workloads)
 *   DONE ... / exit status 0                 from finish(): self-checks passed
 *
 * SCALE (compile-time, default 1) multiplies the amount of work; `make
 * bench-kernels BENCH_SCALE=n` rebuilds with another value.
 */
#ifndef BENCH_H
#define BENCH_H

#include "lib/lib.h"

#ifndef SCALE
#define SCALE 1
#endif

/* Deterministic 32-bit LCG (Numerical Recipes constants). */
static inline uint32_t lcg_next(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

/* Fold a value into a running checksum (FNV-1a over the 4 bytes). */
static inline uint32_t ck_mix(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
    return h;
}
#define CK_INIT 2166136261u

/* Print the checksum line (and record it in the lib's result hash). */
static inline void bench_report(const char *name, uint32_t ck)
{
    printf("BENCH %s checksum=%08x\n", name, ck);
    hash_u32(ck);
}

#endif
