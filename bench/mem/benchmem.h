/*
 * bench/mem: shared setup for the memory-bound guest workloads.
 * Paging on, identity map of 0 .. BM_RAM_MIB with 4 KiB pages (so every
 * workload exercises the TLB / HAMT mappings), working sets from
 * BM_DATA (16 MiB) up.  Needs qemu/hamt86 -m 128 (data up to 80 MiB).
 */
#ifndef BENCH_MEM_H
#define BENCH_MEM_H

#include "lib/lib.h"
#include "lib/pgt.h"

#define BM_RAM_MIB 128u
#define BM_DATA    0x01000000u          /* 16 MiB */
#ifndef BM_SCALE
#define BM_SCALE 1                      /* multiply the iteration counts */
#endif

static uint32_t bm_pd[1024] __attribute__((aligned(4096)));
static uint32_t bm_pt[BM_RAM_MIB / 4][1024] __attribute__((aligned(4096)));

static void bm_paging_on(void)
{
    for (uint32_t i = 0; i < BM_RAM_MIB / 4; i++) {
        for (uint32_t j = 0; j < 1024; j++) {
            bm_pt[i][j] = (i * 1024 + j) * 4096u | PTE_P | PTE_W | PTE_U;
        }
        bm_pd[i] = (uint32_t)bm_pt[i] | PTE_P | PTE_W | PTE_U;
    }
    bm_pt[0][0] = 0;
    pgt_gdt_init();
    write_cr3((uint32_t)bm_pd);
    write_cr0(read_cr0() | CR0_PG);
}

/* Working-set sizes of the sweep, in MiB. */
static const uint32_t bm_ws_mib[] = { 1, 4, 16, 64 };
#define BM_NWS (sizeof(bm_ws_mib) / sizeof(bm_ws_mib[0]))

#endif
