/*
 * hamt86 - HAMT privileged drivers: what a host TLB refill writes
 * (hamt-tlb.h, hamt_tlb_pair).
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
 */
#include "core/base.h"
#include "core/os.h"
#include "hamt/hamt-internal.h"
#include "hamt/hamt-tlb.h"

/* One page of the pair: false if its unit is not mapped. */
static inline bool pair_half(unsigned w, uint32_t linear, uint32_t *pa,
                      unsigned *prot)
{
    int32_t i = map_find(w, linear >> hamt.unit_bits);

    if (i < 0 || !hamt.maps[i].live) {
        *pa = 0;
        *prot = 0;
        return false;
    }
    *pa = (hamt.maps[i].punit << hamt.unit_bits) +
          (linear & (hamt.unit_size - 1));
    *prot = hamt.maps[i].prot;
    return true;
}

/* Window number and linear address of host address va under the current
 * context (the windows of hamt-tlb.c: one base per MMU index); -1 if va
 * is in none, or beyond a paging-off window's span (its guard).  The last
 * refill's MMU index first: refills come in runs from one window. */
static inline int pair_window(uintptr_t va, uint32_t *linear)
{
    unsigned idx = hamt.tlb_hint;

    for (unsigned n = 0; n < HAMT_NB_IDX; n++, idx = (idx + 1) % HAMT_NB_IDX) {
        uintptr_t b = (uintptr_t)hamt_tlb_window(idx);
        int64_t off = (int64_t)(intptr_t)(va - b);
        unsigned w;

        if (off < -(int64_t)HAMT_WINDOW_HALF || off >= (int64_t)HAMT_WINDOW_HALF) {
            continue;
        }
        w = hamt_win(hamt.cur_ctx, idx);
        if (hamt_window_base[w] != b ||
            (hamt_window_span[w] <= HAMT_WINDOW_HALF &&
             (off < 0 || (uint64_t)off >= hamt_window_span[w]))) {
            return -1;
        }
        hamt.tlb_hint = idx;
        *linear = (uint32_t)off;
        return (int)w;
    }
    return -1;
}

/* The entry pair around host address va (hamt-tlb.h). */
bool hamt_tlb_pair(uintptr_t va, HamtTlbPair *p)
{
    unsigned bits = hamt_tlb_page_bits();
    uint32_t linear, page = (uint32_t)1 << bits, base;
    int w = pair_window(va, &linear);
    bool odd;

    if (w < 0 || hamt.env == NULL) {
        return false;
    }
    linear &= ~(page - 1);
    odd = (linear >> bits) & 1;
    base = linear & ~(2 * page - 1);
    if (!pair_half((unsigned)w, linear, &p->pa[odd], &p->prot[odd])) {
        return false;
    }
    /* the other half: a pair never straddles linear 0x80000000, where the
     * host layout wraps (hamt.h): both are aligned to twice the page */
    pair_half((unsigned)w, odd ? base : base + page, &p->pa[!odd],
              &p->prot[!odd]);
    p->global = hamt_win_idx((unsigned)w) == MMU_PHYS_IDX;
    return true;
}
