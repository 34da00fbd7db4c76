/*
 * badinput/churn: a CR0.WP flip storm with work between the flips (issue 16
 * item 6, "cliffs"; run with -m 160).  Each of CH_ROUNDS rounds reads
 * CH_PAGES pages 64 KiB apart (one load instruction; each is a fill of its
 * own), flips CR0.WP twice (each flip
 * drops every HAMT mapping) and then computes in registers for CH_SPIN
 * iterations, so host faults are a small share of the run time.  Every
 * fill after the first round is a refill that is used once: on a JIT
 * host, hamt must see that from its counts (not from the clock, which
 * sees a small share) and retranslate the churning sites with the inline
 * softmmu access, so that the host faults stay far below one per page
 * touch (--stats "host faults" < CH_ROUNDS * CH_PAGES / 2).
 * Prints "INFO churn rounds=<n> pages=<n> sum=<x>".
 */
#include "../../bench/mem/benchmem.h"

#define CH_ROUNDS 24u
#define CH_PAGES  32u
#define CH_STRIDE 0x10000u        /* one page per 16-unit group: no runs */
#ifndef CH_SPIN
#define CH_SPIN   4000000u
#endif

const char kernel_name[] = "churn";

/* CH_SPIN rounds of an LCG in registers (no memory access). */
static uint32_t spin(uint32_t x)
{
    for (uint32_t k = 0; k < CH_SPIN; k++) {
        x = x * 1103515245u + 12345u;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

void kmain(void)
{
    uint32_t sum = 0, x = 1;

    bm_paging_on();
    for (uint32_t i = 0; i < CH_PAGES; i++) {
        *(volatile uint32_t *)(BM_DATA + i * CH_STRIDE) = i * 0x01010101u;
    }
    for (uint32_t r = 0; r < CH_ROUNDS; r++) {
        for (uint32_t i = 0; i < CH_PAGES; i++) {
            sum += *(volatile uint32_t *)(BM_DATA + i * CH_STRIDE) + r;
        }
        write_cr0(read_cr0() ^ CR0_WP);
        write_cr0(read_cr0() ^ CR0_WP);
        x = spin(x);
    }
    resultf("churn rounds=%u pages=%u sum=%x x=%x", CH_ROUNDS, CH_PAGES, sum, x);
    finish(0);
}
