/*
 * mem_linear: sequential 32-bit reads and read-modify-writes over working
 * sets of 1, 4, 16 and 64 MiB (identity-mapped 4 KiB pages).  Each size
 * does the same number of accesses (passes scaled down as size grows).
 * Prints per size "INFO linear ws=<MiB> accesses=<n> sum=<hash>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_linear";

void kmain(void)
{
    uint64_t total = 0;

    bm_paging_on();
    for (unsigned k = 0; k < BM_NWS; k++) {
        uint32_t words = bm_ws_mib[k] << 18;
        volatile uint32_t *p = (volatile uint32_t *)BM_DATA;
        uint32_t passes = (64u * BM_SCALE) / bm_ws_mib[k] / 4;
        uint32_t sum = 0, n = 0;

        if (passes == 0) {
            passes = 1;
        }
        for (uint32_t i = 0; i < words; i++) {        /* init: writes */
            p[i] = i * 2654435761u;
        }
        n += words;
        for (uint32_t pass = 0; pass < passes; pass++) {
            for (uint32_t i = 0; i < words; i++) {    /* read */
                sum = (sum << 1 | sum >> 31) ^ p[i];
            }
            for (uint32_t i = 0; i < words; i += 4) { /* read-modify-write */
                p[i] += sum;
            }
            n += words + words / 2;
        }
        resultf("linear ws=%u accesses=%u sum=%08x", bm_ws_mib[k], n, sum);
        total += n;
    }
    resultf("mem_linear accesses=%llu", (unsigned long long)total);
    finish(0);
}
