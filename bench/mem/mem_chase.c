/*
 * mem_chase: pointer chasing.  A random cyclic permutation (Sattolo) of
 * 64-byte cells over working sets of 1, 4, 16 and 64 MiB; each load
 * depends on the previous one, so translation latency is exposed.
 * Prints per size "INFO chase ws=<MiB> accesses=<n> end=<cell>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_chase";

void kmain(void)
{
    uint64_t total = 0;

    bm_paging_on();
    for (unsigned k = 0; k < BM_NWS; k++) {
        uint32_t cells = bm_ws_mib[k] << 14;          /* 64-byte cells */
        volatile uint32_t *p = (volatile uint32_t *)BM_DATA;
        uint32_t s = 12345 + k, n = 0, steps = 2u * 1024 * 1024 * BM_SCALE + 12345;

        for (uint32_t i = 0; i < cells; i++) {
            p[i * 16] = i;
        }
        for (uint32_t i = cells - 1; i > 0; i--) {    /* Sattolo: one cycle */
            uint32_t j = pg_rand(&s) % i;
            uint32_t t = p[i * 16];
            p[i * 16] = p[j * 16];
            p[j * 16] = t;
        }
        for (uint32_t i = 0; i < cells; i++) {        /* index -> address */
            p[i * 16] = BM_DATA + p[i * 16] * 64;
        }
        n += 3 * cells;
        uint32_t a = BM_DATA;
        for (uint32_t i = 0; i < steps; i++) {
            a = *(volatile uint32_t *)a;
        }
        n += steps;
        resultf("chase ws=%u accesses=%u end=%x", bm_ws_mib[k], n, (a - BM_DATA) / 64);
        total += n;
    }
    resultf("mem_chase accesses=%llu", (unsigned long long)total);
    finish(0);
}
