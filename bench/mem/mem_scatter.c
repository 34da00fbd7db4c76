/*
 * mem_scatter: a working set far beyond any TLB, scattered over physical
 * memory (issue 16 item 6): SCATTER_MIB (default 256) MiB at linear
 * 0x80000000, every 4 KiB page on its own frame of a shuffled permutation
 * of 128 MiB .. 128 + SCATTER_MIB MiB, then SCATTER_ROUNDS (4) rounds over
 * the pages in a random order, one read-modify-write per page per round.
 * Each page is touched a few times, far apart: a fill (host mapping) pays
 * for itself only if it lives long enough.  Run with -m >= 128 +
 * SCATTER_MIB + 16.  Prints "INFO scatter mib=<n> accesses=<n> sum=<x>".
 */
#include "benchmem.h"

#ifndef SCATTER_MIB
#define SCATTER_MIB 256u
#endif
#ifndef SCATTER_ROUNDS
#define SCATTER_ROUNDS 4u
#endif
#define SC_PAGES (SCATTER_MIB * 256u)
#define SC_LIN   0x80000000u
#define SC_PHYS  0x08000000u        /* 128 MiB */

const char kernel_name[] = "mem_scatter";

static uint32_t sc_pt[SC_PAGES / 1024][1024] __attribute__((aligned(4096)));
static uint32_t sc_order[SC_PAGES];

/* A random permutation of 0..n-1 into a (Fisher-Yates). */
static void shuffle(uint32_t *a, uint32_t n, uint32_t *s)
{
    for (uint32_t i = 0; i < n; i++) {
        a[i] = i;
    }
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = pg_rand(s) % (i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

void kmain(void)
{
    uint32_t s = 4242, sum = 0, n = 0;

    bm_paging_on();
    /* page i of the window -> a shuffled frame */
    shuffle(sc_order, SC_PAGES, &s);
    for (uint32_t i = 0; i < SC_PAGES; i++) {
        sc_pt[i / 1024][i % 1024] = (SC_PHYS + sc_order[i] * 4096u) |
                                    PTE_P | PTE_W | PTE_U;
    }
    for (uint32_t t = 0; t < SC_PAGES / 1024; t++) {
        bm_pd[(SC_LIN >> 22) + t] = (uint32_t)sc_pt[t] | PTE_P | PTE_W | PTE_U;
    }
    write_cr3(read_cr3());
    for (uint32_t r = 0; r < SCATTER_ROUNDS; r++) {
        shuffle(sc_order, SC_PAGES, &s);
        for (uint32_t i = 0; i < SC_PAGES; i++) {
            volatile uint32_t *p = (volatile uint32_t *)
                (SC_LIN + sc_order[i] * 4096u + (r & 7) * 512u);
            uint32_t v = *p + i;
            *p = v;
            sum += v;
        }
        n += 2 * SC_PAGES;
    }
    resultf("scatter mib=%u accesses=%u sum=%x", SCATTER_MIB, n, sum);
    resultf("mem_scatter accesses=%u", n);
    finish(0);
}
