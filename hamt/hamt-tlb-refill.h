/*
 * hamt86 - HAMT privileged drivers: what a host TLB refill writes
 * (hamt_tlb_refill; hamt-tlb.h has the driver state it reads).
 *
 * The privileged driver (hamt-tlb.c) keeps no table of its own: the host
 * TLB caches HAMT's live-mapping table (hamt-map.c), which the refill
 * (hamt-fill.c: guest walk, A/D bits, code-page and page-table write
 * protection) fills and the flushes (INVLPG, CR3 loads, CR0/CR4 changes,
 * page-table writes) empty, and every change there invalidates the host
 * entry.  A host TLB refill of a window address looks the pair up here;
 * a page not in the table is a miss for hamt_fault, exactly as SIGSEGV is
 * for the Linux driver.
 *
 *   host va = base(idx) + sext32(linear)       (one base per MMU index)
 *   window  = hamt_win(current context, idx)
 *   pair    = linear & ~(2 * page - 1): even page, odd page
 *   half    = map_find(window, linear >> unit_bits): frame, rights
 *             (one map_find for both halves when a unit holds the pair)
 *   lo[half]  = ((ram_pa + frame) >> 12) << pfn_shift | lo_prot[rights]
 *
 * This runs on every refill the vectors' refill cache misses, on the
 * registers C may clobber (os/bm/la-entry.c, mips-entry.c), so it is
 * kept lean: inline in the board's refill (os/bm/la-hamt.c,
 * mips-hamt.c: one C function between the vector and tlbfill/tlbwr), no
 * calls, every driver constant in hamt_tlbr, the last refill's MMU index
 * tried first (refills come in runs from one window).  Only the boards'
 * HAMT drivers include it: it reads HAMT's internal state.
 */
#ifndef HAMT86_HAMT_TLB_REFILL_H
#define HAMT86_HAMT_TLB_REFILL_H

#include "core/base.h"
#include "core/os.h"
#include "hamt/hamt-internal.h"
#include "hamt/hamt-tlb.h"

_Static_assert(MMU_PHYS_IDX == HAMT_NB_IDX - 1 && HAMT_NB_IDX == 4,
               "hamt_tlbr.win[] is per MMU index; the last is paging-off");

/* Entry-lo of the page at linear in map entry i (-1: invalid), g the G
 * bit (kept on an invalid half: a pair's halves agree on G). */
static inline __attribute__((always_inline))
uint64_t tlbr_half_lo(int32_t i, uint32_t linear, uint64_t g,
                      unsigned pfn_shift)
{
    const HamtMap *m;
    uint64_t pa, t;

    if (i < 0) {
        return g;
    }
    m = &hamt.maps[i];
    t = hamt_tlbr.lo_prot[m->prot & 7];
    if (!m->live || t == 0) {
        return g;
    }
    pa = hamt_tlbr.ram_pa + ((uint64_t)m->punit << hamt.unit_bits) +
         (linear & (hamt.unit_size - 1));
    return ((pa >> 12) << pfn_shift) | t | g;
}

/* MMU index whose window holds va (its offset from the window's bottom,
 * bot = base - 2 GiB, in *off), or -1: the last refill's first, then the
 * others. */
static inline __attribute__((always_inline))
int tlbr_idx(uint64_t va, uint64_t *off)
{
    unsigned idx = hamt_tlbr.hint;

    *off = va - hamt_tlbr.bot[idx];
    if (likely(*off < HAMT_WINDOW_SPAN)) {
        return (int)idx;
    }
    for (idx = 0; idx < HAMT_NB_IDX; idx++) {
        *off = va - hamt_tlbr.bot[idx];
        if (*off < HAMT_WINDOW_SPAN) {
            hamt_tlbr.hint = idx;
            return (int)idx;
        }
    }
    return -1;
}

/*
 * The even/odd entry-lo pair of a refill of host address va (lo[0] even,
 * lo[1] odd); false if va is not in a window of the current context or
 * its page is not mapped (a miss: hamt_fault, then ask again).  pb and
 * pfn_shift are the board's constants (hamt_tlbr.page_bits, pfn_shift:
 * the board checks them at setup), so they fold.
 */
static inline __attribute__((always_inline))
bool hamt_tlb_refill(uint64_t va, uint64_t lo[2], const unsigned pb,
                     const unsigned pfn_shift)
{
    unsigned ub = hamt.unit_bits;
    uint32_t linear, pair;
    uint64_t off, g;
    int32_t i, j, w;
    int idx = tlbr_idx(va, &off);

    /* the current context's window of that index, reserved (so HAMT is
     * set up: windows are reserved after hamt.env is set); the paging-off
     * window spans guest RAM only (its guard beyond) */
    if (idx < 0) {
        return false;
    }
    w = hamt_tlbr.cur_w[idx];
    linear = (uint32_t)off ^ (uint32_t)HAMT_WINDOW_HALF;
    if (w < 0 || linear > hamt_tlbr.lim[idx]) {
        return false;
    }
    /* a pair never straddles linear 0x80000000, where the host layout
     * wraps (hamt.h): it is aligned to twice the page */
    pair = linear & ~((2u << pb) - 1);
    i = map_find((unsigned)w, pair >> ub);
    j = ub > pb ? i : map_find((unsigned)w, (pair >> ub) + 1);
    if ((linear >> pb) & 1 ? j < 0 || !hamt.maps[j].live
                           : i < 0 || !hamt.maps[i].live) {
        return false;
    }
    g = idx == MMU_PHYS_IDX ? hamt_tlbr.lo_g : 0;
    lo[0] = tlbr_half_lo(i, pair, g, pfn_shift);
    lo[1] = tlbr_half_lo(j, pair + (1u << pb), g, pfn_shift);
    return true;
}

#endif
