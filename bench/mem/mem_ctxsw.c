/*
 * mem_ctxsw: address-space switches with unchanged page tables.  NPROC
 * "processes" each have a page directory (the shared identity map of
 * 0..128 MiB, like a kernel half, plus a private page table) and a private
 * 512 KiB working set (128 pages of 4 KiB) at the same linear address
 * 0x40000000, on frames of their own.  The page tables are built once and
 * never written again.  A round-robin scheduler switches CR3 every SLICE
 * accesses; each slice is mem_random's mix over the process' working set
 * (xorshift32 word addresses, 3 reads : 1 write), with the process' PRNG
 * state and running sum saved in a per-process control block between
 * slices.  Every CR3 switch flushes the guest TLB, but every page the
 * process touches maps the same frame as in its previous slice.
 * Prints "INFO ctxsw procs=<n> ws_kib=<n> slice=<n> switches=<n>
 * accesses=<n> sum=<hash>", per-process sums, a checksum of the frames
 * (read through the identity map) and "INFO mem_ctxsw accesses=<n>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_ctxsw";

#define NPROC    4
#define WS_PAGES 128                          /* 512 KiB per process */
#define WS_WORDS (WS_PAGES * 1024)
#define IMG_VA   0x40000000u
#define FRAMES(p) (BM_DATA + (uint32_t)(p) * WS_PAGES * 4096u)
#define SLICE    4096                         /* accesses between switches */
#define SWITCHES (8000 * BM_SCALE)

static uint32_t cs_pd[NPROC][1024] __attribute__((aligned(4096)));
static uint32_t cs_pt[NPROC][1024] __attribute__((aligned(4096)));

static struct {
    uint32_t seed, sum, n;
} pcb[NPROC];

void kmain(void)
{
    uint32_t n = 0, h = 0, fsum = 0;

    bm_paging_on();
    for (int p = 0; p < NPROC; p++) {
        memcpy(cs_pd[p], bm_pd, 4096);
        memset(cs_pt[p], 0, 4096);
        for (int i = 0; i < WS_PAGES; i++) {
            cs_pt[p][i] = (FRAMES(p) + (uint32_t)i * 4096u) | PTE_P | PTE_W | PTE_U;
        }
        cs_pd[p][IMG_VA >> 22] = (uint32_t)cs_pt[p] | PTE_P | PTE_W | PTE_U;
        pcb[p].seed = 0x9e3779b9u * (uint32_t)(p + 1);
        pcb[p].sum = (uint32_t)p;
        pcb[p].n = 0;
    }
    /* each process initialises its working set through its own mapping */
    for (int p = 0; p < NPROC; p++) {
        volatile uint32_t *w = (volatile uint32_t *)IMG_VA;
        write_cr3((uint32_t)cs_pd[p]);
        for (uint32_t i = 0; i < WS_WORDS; i++) {
            w[i] = i * 0x01000193u ^ (uint32_t)p << 28;
        }
        n += WS_WORDS;
    }
    for (uint32_t s = 0; s < SWITCHES; s++) {
        int p = (int)(s % NPROC);
        volatile uint32_t *w = (volatile uint32_t *)IMG_VA;
        uint32_t seed = pcb[p].seed, sum = pcb[p].sum;

        write_cr3((uint32_t)cs_pd[p]);
        for (uint32_t i = 0; i < SLICE; i++) {
            uint32_t r = pg_rand(&seed);
            if ((i & 3) == 3) {
                w[r & (WS_WORDS - 1)] = sum;
            } else {
                sum = sum * 31 + w[r & (WS_WORDS - 1)];
            }
        }
        pcb[p].seed = seed;
        pcb[p].sum = sum;
        pcb[p].n += SLICE;
        n += SLICE;
    }
    write_cr3((uint32_t)bm_pd);
    for (int p = 0; p < NPROC; p++) {
        h = h * 0x01000193u ^ pcb[p].sum;
        resultf("ctxsw proc=%d accesses=%u sum=%08x", p, pcb[p].n, pcb[p].sum);
    }
    for (uint32_t i = 0; i < NPROC * WS_WORDS; i++) {
        fsum = fsum * 31 + ((volatile uint32_t *)BM_DATA)[i];
    }
    n += NPROC * WS_WORDS;
    resultf("ctxsw procs=%d ws_kib=%d slice=%d switches=%u accesses=%u sum=%08x frames=%08x",
            NPROC, WS_PAGES * 4, SLICE, SWITCHES, n, h, fsum);
    resultf("mem_ctxsw accesses=%u", n);
    finish(0);
}
