/*
 * mem_random: random 32-bit reads and writes (xorshift32 addresses) over
 * working sets of 1, 4, 16 and 64 MiB; 1 write per 4 accesses.
 * Prints per size "INFO random ws=<MiB> accesses=<n> sum=<hash>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_random";

void kmain(void)
{
    uint64_t total = 0;

    bm_paging_on();
    for (unsigned k = 0; k < BM_NWS; k++) {
        uint32_t words = bm_ws_mib[k] << 18, mask = words - 1;
        volatile uint32_t *p = (volatile uint32_t *)BM_DATA;
        uint32_t s = 0x9e3779b9u + k, sum = 0, n = 0;
        uint32_t count = 4u * 1024 * 1024 * BM_SCALE;

        for (uint32_t i = 0; i < words; i++) {
            p[i] = i ^ 0xa5a5a5a5u;
        }
        n += words;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t r = pg_rand(&s);
            if ((i & 3) == 3) {
                p[r & mask] = sum;
            } else {
                sum = sum * 31 + p[r & mask];
            }
        }
        n += count;
        resultf("random ws=%u accesses=%u sum=%08x", bm_ws_mib[k], n, sum);
        total += n;
    }
    resultf("mem_random accesses=%llu", (unsigned long long)total);
    finish(0);
}
