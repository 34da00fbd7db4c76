/*
 * hamt86 - HAMT: the table of live host mappings (hamt-internal.h), the
 * mechanism under every flush (cf. QEMU's CPUTLBDesc and tlb_flush_*).
 *
 * Every unit the driver maps is one HamtMap in hamt.maps[] (bounded; FIFO
 * eviction through hamt.ring_next), on three hash chains and one list:
 *
 *   vhash[(w, vunit)]  <-> hnext/hprev   flushes of a linear unit
 *   fhash[punit]       <-> fnext/fprev   read-only for code / page tables
 *   pthash[ptf]        <-> pnext/pprev   mappings made from a PTE frame
 *   win[w].lhead[g]    <-> lprev/lnext  live list per window, g = global
 *
 * Invalidations are sorted and batched into one driver call per run of
 * consecutive units.  The walked-page cache (Walked) is window state too:
 * it is cleared with the window.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/os.h"
#include "hamt/hamt-internal.h"

/* Whether window w has mapped vunit before (since start-up). */
bool seen_test(unsigned w, uint32_t vunit)
{
    return hamt.win[w].seen != NULL && (hamt.win[w].seen[vunit >> 3] >> (vunit & 7)) & 1;
}


/* Hash bucket of a physical unit. */
static inline unsigned fhash_of(uint32_t punit)
{
    return punit & ((1u << FHASH_BITS) - 1);
}


/* The hash chains an entry is on: (window, vunit), frame, PTE frame. */
enum { CHAIN_V, CHAIN_F, CHAIN_P };


/* The next-field of entry i in chain kind. */
static inline int32_t *chain_next(int32_t i, int kind)
{
    return kind == CHAIN_V ? &hamt.maps[i].hnext :
           kind == CHAIN_F ? &hamt.maps[i].fnext : &hamt.maps[i].pnext;
}

/* The prev-field of entry i in chain kind (-1: i is the head). */
static inline int32_t *chain_prev(int32_t i, int kind)
{
    return kind == CHAIN_V ? &hamt.maps[i].hprev :
           kind == CHAIN_F ? &hamt.maps[i].fprev : &hamt.maps[i].pprev;
}

/* Push entry i on the chain of kind starting at *head. */
static void chain_push(int32_t *head, int32_t i, int kind)
{
    *chain_next(i, kind) = *head;
    *chain_prev(i, kind) = -1;
    if (*head >= 0) {
        *chain_prev(*head, kind) = i;
    }
    *head = i;
}

/* Unlink entry i from the chain of kind starting at *head: O(1) (a
 * page-table frame's chain holds up to 1024 mappings per window, a
 * kernel frame's one per window of every context). */
static void chain_unlink(int32_t *head, int32_t i, int kind)
{
    int32_t next = *chain_next(i, kind), prev = *chain_prev(i, kind);

    if (prev >= 0) {
        *chain_next(prev, kind) = next;
    } else {
        *head = next;
    }
    if (next >= 0) {
        *chain_prev(next, kind) = prev;
    }
}

/* Put live entry i on its window's (global or not) list. */
static void list_add(int32_t i)
{
    HamtMap *m = &hamt.maps[i];
    int32_t *head = &hamt.win[m->win].lhead[m->global];

    m->lprev = -1;
    m->lnext = *head;
    if (*head >= 0) {
        hamt.maps[*head].lprev = i;
    }
    *head = i;
}

/* Take entry i off its list. */
static void list_del(int32_t i)
{
    HamtMap *m = &hamt.maps[i];

    if (m->lprev >= 0) {
        hamt.maps[m->lprev].lnext = m->lnext;
    } else {
        hamt.win[m->win].lhead[m->global] = m->lnext;
    }
    if (m->lnext >= 0) {
        hamt.maps[m->lnext].lprev = m->lprev;
    }
}

/* Forget entry i (the caller removes the host mapping; its code-data
 * alias goes here). */
void map_drop(int32_t i)
{
    HamtMap *m = &hamt.maps[i];

    if (m->cd) {
        hamt.drv->cd_invalidate(m->win, m->vunit << hamt.unit_bits,
                                hamt.unit_size);
        m->cd = false;
    }
    chain_unlink(&hamt.vhash[vhash_of(m->win, m->vunit)], i, CHAIN_V);
    chain_unlink(&hamt.fhash[fhash_of(m->punit)], i, CHAIN_F);
    if (m->ptf != ~0u) {
        chain_unlink(&hamt.pthash[pthash_of(m->ptf)], i, CHAIN_P);
    }
    list_del(i);
    m->live = false;
    hamt.win[m->win].nlive--;
    win_busy_sync(m->win);
}

/* Entry i changes its global bit (moves between the lists). */
void map_set_global(int32_t i, bool global)
{
    if (hamt.maps[i].global != global) {
        list_del(i);
        hamt.maps[i].global = global;
        list_add(i);
    }
}

/* Take a free slot (FIFO: the oldest mapping is evicted when full). */
int32_t map_alloc(void)
{
    int32_t i = (int32_t)hamt.ring_next;

    hamt.ring_next = (hamt.ring_next + 1) % HAMT_MAX_MAP;
    if (hamt.maps[i].live) {
        hamt_stats.evictions++;
        hamt.drv->invalidate(hamt.maps[i].win, hamt.maps[i].vunit << hamt.unit_bits, hamt.unit_size);
        map_drop(i);
    }
    return i;
}

/* Record a new live mapping; ptf: the page-table frame of its PTE (~0u:
 * none), whose writes drop it (cached contexts). */
void map_insert(unsigned w, uint32_t vunit, uint32_t punit,
                       unsigned prot, bool global, uint32_t ptf)
{
    int32_t i = map_alloc();
    HamtMap *m = &hamt.maps[i];
    unsigned h = vhash_of(w, vunit), fh = fhash_of(punit);

    if (hamt.win[w].seen != NULL) {
        hamt.win[w].seen[vunit >> 3] |= (uint8_t)(1u << (vunit & 7));
    }

    m->vunit = vunit;
    m->punit = punit;
    m->win = (uint8_t)w;
    m->prot = (uint8_t)prot;
    m->global = global;
    m->live = true;
    m->cd = false;
    chain_push(&hamt.vhash[h], i, CHAIN_V);
    chain_push(&hamt.fhash[fh], i, CHAIN_F);
    m->ptf = ptf;
    if (ptf != ~0u) {
        chain_push(&hamt.pthash[pthash_of(ptf)], i, CHAIN_P);
    }
    list_add(i);
    hamt.win[w].nlive++;
    hamt.win_busy |= 1u << w;
}

/* Drop every entry of w from the table (host side handled by caller). */
static void drop_win_entries(unsigned w)
{
    for (unsigned g = 0; g < 2; g++) {
        while (hamt.win[w].lhead[g] >= 0) {
            map_drop(hamt.win[w].lhead[g]);
        }
    }
}

/* Remember a successful walk of linear for w. */
void walked_add(unsigned w, uint32_t linear, const X86PageResult *res)
{
    Walked *wk = &hamt.win[w].walked[(linear >> GUEST_PAGE_BITS) & ((1u << WALKED_BITS) - 1)];

    wk->vpage = linear >> GUEST_PAGE_BITS;
    wk->ppage = res->paddr >> GUEST_PAGE_BITS;
    wk->gen = hamt.win[w].walked_gen;
    wk->prot = (uint8_t)res->prot;
    wk->global = res->global;
    if (!hamt.win[w].walked_any) {
        hamt.win[w].walked_any = true;
        hamt.win_busy |= 1u << w;
    }
}

/* Forget everything walked for w. */
void walked_clear(unsigned w)
{
    if (++hamt.win[w].walked_gen == 0) {
        /* wrapped: no entry of an old generation may match again (the
         * zeroed table of a fresh window has gen 0, never current) */
        memset(hamt.win[w].walked, 0xff, sizeof(hamt.win[w].walked));
        hamt.win[w].walked_gen = 1;
    }
    hamt.win[w].walked_any = false;
    win_busy_sync(w);
}

/* Forget one page of w. */
void walked_drop(unsigned w, uint32_t linear)
{
    Walked *wk = &hamt.win[w].walked[(linear >> GUEST_PAGE_BITS) & ((1u << WALKED_BITS) - 1)];

    if (wk->vpage == linear >> GUEST_PAGE_BITS) {
        wk->vpage = ~0u;
    }
}

/* Remove everything mapped in window w with one driver call. */
void flush_window(unsigned w)
{
    walked_clear(w);
    hamt.win[w].large_lo = 0xffffffffu;
    hamt.win[w].large_hi = 0;
    if (hamt.win[w].nlive == 0) {
        return;
    }
    hamt.drv->invalidate_all(w);
    drop_win_entries(w);
}

/* Insertion sort of n unit numbers (n is small in practice). */
static void sort_units(uint32_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint32_t x = v[i];
        unsigned j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Invalidate sorted units of w, one driver call per consecutive run. */
void invalidate_runs(unsigned w, uint32_t *v, unsigned n)
{
    unsigned i = 0;

    sort_units(v, n);
    while (i < n) {
        unsigned j = i + 1;
        while (j < n && v[j] == v[j - 1] + 1) {
            j++;
        }
        hamt.drv->invalidate(w, v[i] << hamt.unit_bits, (j - i) << hamt.unit_bits);
        i = j;
    }
}

/* Every writable mapping of physical unit punit, in any window, becomes
 * read-only (one that cannot, e.g. out of kernel VMAs, is removed), and
 * its code-data aliases go (a page-table frame must trap every store);
 * returns how many were writable. */
unsigned unit_read_only(uint32_t punit)
{
    unsigned n = 0;
    int32_t i = hamt.fhash[fhash_of(punit)];

    while (i >= 0) {
        int32_t next = hamt.maps[i].fnext;
        if (hamt.maps[i].punit == punit && hamt.maps[i].cd) {
            hamt.drv->cd_invalidate(hamt.maps[i].win,
                                    hamt.maps[i].vunit << hamt.unit_bits,
                                    hamt.unit_size);
            hamt.maps[i].cd = false;
        }
        if (hamt.maps[i].punit == punit && (hamt.maps[i].prot & OS_PROT_WRITE)) {
            n++;
            if (hamt.drv->protect(hamt.maps[i].win, hamt.maps[i].vunit << hamt.unit_bits,
                             hamt.unit_size, OS_PROT_READ) == 0) {
                hamt.maps[i].prot = OS_PROT_READ;
            } else {
                hamt.drv->invalidate(hamt.maps[i].win, hamt.maps[i].vunit << hamt.unit_bits,
                                hamt.unit_size);
                map_drop(i);
            }
        }
        i = next;
    }
    return n;
}

/* Remove units [v0, v0 + n) of w that are mapped, in batched runs. */
void flush_units(unsigned w, uint32_t v0, uint32_t n)
{
    uint32_t buf[64];
    unsigned k = 0;

    for (uint32_t v = v0; v - v0 < n; v++) {
        int32_t e = map_find(w, v);
        if (e < 0) {
            continue;
        }
        map_drop(e);
        buf[k++] = v;
        if (k == ARRAY_SIZE(buf)) {
            invalidate_runs(w, buf, k);
            k = 0;
        }
    }
    if (k) {
        invalidate_runs(w, buf, k);
    }
}

/* Drop linear from window w (a large page seen there: the whole window). */
void flush_page_window(unsigned w, uint32_t linear)
{
    walked_drop(w, linear);
    if (hamt.win[w].nlive == 0) {
        return;
    }
    if (linear >= hamt.win[w].large_lo && linear <= hamt.win[w].large_hi) {
        flush_window(w);
        return;
    }
    flush_units(w, linear >> hamt.unit_bits, 1);
}

/* A CR3 load in window w: drop its non-global mappings (walking only the
 * non-global list), keep the global ones. */
void flush_window_nonglobal(unsigned w)
{
    static uint32_t units[HAMT_MAX_MAP];
    unsigned n = 0;

    walked_clear(w);
    if (hamt.win[w].nlive == 0) {
        return;
    }
    if (hamt.win[w].lhead[1] < 0) {
        flush_window(w);       /* no global entry: one call */
        return;
    }
    while (hamt.win[w].lhead[0] >= 0) {
        int32_t i = hamt.win[w].lhead[0];
        units[n++] = hamt.maps[i].vunit;
        map_drop(i);
    }
    /* large-page regions stay: the globals in them survive too */
    invalidate_runs(w, units, n);
}

/* Empty table: every chain, list and walked cache. */
void map_reset(void)
{
    memset(hamt.vhash, 0xff, sizeof(hamt.vhash));
    memset(hamt.fhash, 0xff, sizeof(hamt.fhash));
    memset(hamt.pthash, 0xff, sizeof(hamt.pthash));
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        hamt.win[w].lhead[0] = hamt.win[w].lhead[1] = -1;
        hamt.win[w].large_lo = 0xffffffffu;
        walked_clear(w);
    }
}
