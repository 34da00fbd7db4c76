/*
 * hamt86 - softmmu internals shared with the interpreter backend and the
 * unit tests (the MemPath itself is mempath_softmmu, core/mem.h).
 */
#ifndef HAMT86_SOFTMMU_H
#define HAMT86_SOFTMMU_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/mem.h"

/*
 * --stats counters.  Fast-path TLB hits are counted per MMU index in
 * env->tlb_hits[] (the interpreter always; generated code when translated
 * with mem_count_tlb_hits, see core/mem.h).  Every slow-path entry is
 * counted by core/memory.c (slow-path loads/stores); misses = slow-path
 * entries whose main entry did not map the page.
 */
typedef struct SoftmmuStats {
    uint64_t misses, victim_hits, fills, code_misses, page_faults;
    uint64_t flush_all, flush_nonglobal, flush_page, flush_large, flush_range;
    uint64_t flush_mmuidx, mmio, code_stores, code_data_stores, crossing,
             watch_hits;
    uint64_t resizes;
    uint64_t notdirty_scans;            /* softmmu_notdirty_page scans */
    uint64_t set_switches, set_drops;   /* TLB sets (core/mem.h) */
} SoftmmuStats;
extern SoftmmuStats softmmu_stats;

/* softmmu_notdirty_page, softmmu_fill_gen: core/mem.h (other paths use them). */

#endif
