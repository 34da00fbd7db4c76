/*
 * hamt86 - HAMT: the refill (cf. QEMU's x86_cpu_tlb_fill +
 * tlb_set_page_full): walk the guest page tables for the faulting window's
 * MMU index, assemble the host map unit (all its guest pages walked, RAM,
 * one physical run), install it through the driver, extended to a run of
 * HAMT_RUN_UNITS when the neighbours allow it.  The outcome is returned
 * in a HamtFill; the retranslation policy reads it (hamt-policy.c).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "core/tb-smc.h"
#include "hamt/hamt-internal.h"

/* Can a unit be mapped (unit_peek, unit_translate)? */
enum { UNIT_OK, UNIT_NO, UNIT_NOT_YET };

/* Guest page pa is plain RAM without MMIO/watch flags. */
static inline bool page_is_ram(uint32_t pa)
{
    return pa < guest_ram_size &&
           !(guest_pflags[pa >> GUEST_PAGE_BITS] & (PF_NOT_RAM | PF_WATCH));
}

/* Unit punit holds translated code in any of its guest pages. */
static bool unit_has_code(uint32_t punit)
{
    uint32_t first = (punit << hamt.unit_bits) >> GUEST_PAGE_BITS;

    for (uint32_t k = 0; k < hamt.unit_size >> GUEST_PAGE_BITS; k++) {
        if (guest_pflags[first + k] & PF_CODE) {
            return true;
        }
    }
    return false;
}

/* Unit punit must stay read-only: translated code or a protected
 * page-table frame in any of its guest pages. */
static bool unit_store_slow(uint32_t punit)
{
    uint32_t first = (punit << hamt.unit_bits) >> GUEST_PAGE_BITS;

    for (uint32_t k = 0; k < hamt.unit_size >> GUEST_PAGE_BITS; k++) {
        if (guest_pflags[first + k] & (PF_CODE | PF_PT)) {
            return true;
        }
    }
    return false;
}

/* Host protection for a unit with guest protection gprot. */
static unsigned host_prot(unsigned gprot, uint32_t punit)
{
    unsigned p = OS_PROT_READ;

    if ((gprot & PAGE_WRITE) && !unit_store_slow(punit)) {
        p |= OS_PROT_WRITE;
    }
    return p;
}

/* Note a paging-structure read at pa in walk wk. */
static void walk_note(HamtWalk *wk, uint32_t pa)
{
    bool pae = hamt.env != NULL && (hamt.env->cr[4] & CR4_PAE);

    if (pae && wk->ndeps != 0 && (wk->last & ~7u) == (pa & ~7u)) {
        return;                 /* the other half of the same PAE entry */
    }
    wk->last = pa;
    if (wk->ndeps < ARRAY_SIZE(wk->deps)) {
        wk->deps[wk->ndeps++] = pa >> GUEST_PAGE_BITS;
    }
}

/* Refill walks: read a paging-structure dword, noting its frame. */
static uint32_t rec_ld32(void *opaque, uint32_t pa)
{
    HamtWalk *wk = opaque;
    uint32_t v = (uint32_t)phys_read(pa, 4);

    walk_note(wk, pa);
    if (wk->nreads++ == 0) {
        wk->top_pa = pa;
        wk->top_val = v;
    } else if ((pa >> GUEST_PAGE_BITS) == (wk->top_pa >> GUEST_PAGE_BITS)) {
        wk->self = true;
    }
    return v;
}

/* Refill walks: the A/D update, as x86_mmu_walk makes it. */
static void rec_st32(void *opaque, uint32_t pa, uint32_t val)
{
    HamtWalk *wk = opaque;

    if (wk->nreads != 0 && pa == wk->top_pa) {
        wk->top_val = val;
    }
    phys_write_notdirty(pa, val, 4);
}

/* Peek walks: the walk wanted to set A or D: the page is not "already
 * walked"; nothing is written. */
static void peek_st32(void *opaque, uint32_t pa, uint32_t val)
{
    HamtWalk *wk = opaque;

    (void)pa;
    (void)val;
    wk->wrote = true;
}

/* A refill walk of linear for access in MMU index idx (A/D updated),
 * noting the paging structures it reads in wk. */
static int walk_rec(CPUX86State *env, uint32_t linear, int access,
                    unsigned idx, X86PageResult *res, HamtWalk *wk)
{
    X86WalkOps ops = { rec_ld32, rec_st32, wk };

    memset(wk, 0, sizeof(*wk));
    return x86_mmu_walk_ops(env, linear, access, (int)idx, res, &ops);
}

/* A peek walk: a load walk of linear in MMU index idx that reads (and
 * notes) like a refill walk but writes nothing (wk->wrote: it wanted to
 * set A or D). */
int walk_peek(uint32_t linear, unsigned idx, X86PageResult *res, HamtWalk *wk)
{
    X86WalkOps ops = { rec_ld32, peek_st32, wk };

    memset(wk, 0, sizeof(*wk));
    return x86_mmu_walk_ops(hamt.env, linear, MMU_DATA_LOAD, (int)idx, res,
                            &ops);
}

/*
 * 4 KiB guest pages: may the neighbour at lin (expected at physical pa)
 * join a group mapping with prot/global?  Only if a load walk for w
 * succeeds without changing any A/D bit (A already set, and D if prot is
 * writable: no speculative A/D), to the expected frame, same rights.
 */
static bool group_peek(unsigned w, uint32_t lin, uint32_t pa,
                       unsigned prot, bool global)
{
    X86PageResult r;
    HamtWalk wk;

    if (walk_peek(lin, hamt_win_idx(w), &r, &wk) != 0 ||
        wk.wrote || r.paddr != pa || r.global != global ||
        host_prot(r.prot, pa >> hamt.unit_bits) != prot) {
        return false;
    }
    walked_add(w, lin, &r);
    return true;
}

/*
 * Units larger than a guest page: are all guest pages of the unit at vbase
 * walked, to the physical run at pa0 (RAM)?  A page not in the walked
 * cache is peeked: a load walk that must not change any A/D bit (so A is
 * set already, D too if it is writable): nothing guest-visible happens
 * speculatively.  prot and global (out): the intersection.  UNIT_NOT_YET:
 * only because a page's A/D bits are not set yet (a later fill may cure).
 */
static int unit_peek(unsigned w, uint32_t vbase, uint32_t pa0,
                     unsigned *prot, bool *global)
{
    unsigned p = PAGE_READ | PAGE_WRITE;
    bool g = true;

    for (uint32_t off = 0; off < hamt.unit_size; off += GUEST_PAGE_SIZE) {
        uint32_t vp = (vbase + off) >> GUEST_PAGE_BITS;
        const Walked *wk = walked_find(w, vp);
        X86PageResult r;
        HamtWalk pw;

        if (!page_is_ram(pa0 + off)) {
            return UNIT_NO;
        }
        if (wk != NULL && wk->ppage == (pa0 + off) >> GUEST_PAGE_BITS) {
            p &= wk->prot;
            g = g && wk->global;
            continue;
        }
        if (hamt.env == NULL ||
            walk_peek(vbase + off, hamt_win_idx(w), &r, &pw) != 0 ||
            (r.paddr & GUEST_PAGE_MASK) != pa0 + off) {
            return UNIT_NO;     /* not present, or not one physical run */
        }
        if (pw.wrote) {
            return UNIT_NOT_YET;    /* A/D not set yet: a later fill may */
        }
        walked_add(w, vbase + off, &r);
        p &= r.prot;
        g = g && r.global;
    }
    *prot = p;
    *global = g;
    return UNIT_OK;
}

/*
 * The unit containing linear, given the walk result res for linear: its
 * first physical address and the protection usable for the whole unit.
 * With units of 4 KiB that is res itself.  A larger unit needs every
 * guest page in it walked already (no speculative A/D updates), RAM, one
 * aligned physical run; its protection is the intersection.  UNIT_NO /
 * UNIT_NOT_YET: the unit cannot be mapped (yet): the access goes to the
 * softmmu.
 */
static int unit_translate(CPUX86State *env, unsigned w, uint32_t linear,
                           const X86PageResult *res, uint32_t *pbase,
                           unsigned *prot, bool *global)
{
    uint32_t vbase = linear & ~(hamt.unit_size - 1);
    uint32_t pa0 = (res->paddr & GUEST_PAGE_MASK) - ((linear & GUEST_PAGE_MASK) - vbase);
    int r;

    (void)env;
    if (hamt.unit_size == GUEST_PAGE_SIZE) {
        *pbase = res->paddr & GUEST_PAGE_MASK;
        *prot = res->prot;
        *global = res->global;
        return page_is_ram(*pbase) ? UNIT_OK : UNIT_NO;
    }
    if (pa0 & (hamt.unit_size - 1)) {
        return UNIT_NO;
    }
    if (w == MMU_PHYS_IDX || res->page_size >= hamt.unit_size) {
        /* one identity range or one large guest page: one A/D, one prot */
        for (uint32_t off = 0; off < hamt.unit_size; off += GUEST_PAGE_SIZE) {
            if (!page_is_ram(pa0 + off)) {
                return UNIT_NO;
            }
        }
        *pbase = pa0;
        *prot = res->prot;
        *global = res->global;
        return UNIT_OK;
    }
    r = unit_peek(w, vbase, pa0, prot, global);
    if (r == UNIT_OK) {
        *pbase = pa0;
    }
    return r;
}

/*
 * Extend the mapping to the aligned group of HAMT_RUN_UNITS units around
 * the fault if every unit in it is unmapped, RAM, contiguous and of the
 * same protection: inside a large guest page or with paging off (one A/D
 * for all), or with 4 KiB pages whose PTEs have A (and D) set already
 * (group_peek).  Returns the number of units mapped by the single install
 * (>= 1), 0 if nothing could be mapped.
 */
static unsigned fill_run(unsigned w, uint32_t linear, uint32_t pbase,
                         uint32_t gsize, unsigned prot, bool global,
                         uint32_t ptf)
{
    uint32_t run = HAMT_RUN_UNITS << hamt.unit_bits;
    uint32_t vunit = linear >> hamt.unit_bits, punit = pbase >> hamt.unit_bits;
    uint32_t vstart = linear & ~(run - 1);
    uint32_t pstart = pbase - ((linear & ~(hamt.unit_size - 1)) - vstart);
    uint32_t gbase = linear & ~(gsize - 1);
    unsigned n = 1;
    bool peek = gsize < run && hamt.unit_size == GUEST_PAGE_SIZE &&
                w != MMU_PHYS_IDX && hamt.env != NULL;
    bool group = (gsize >= run || peek) && (peek || vstart >= gbase) &&
                 (pstart & (run - 1)) == 0 && pstart < guest_ram_size &&
                 run <= guest_ram_size - pstart && !mem_watch_test(vstart, run);

    for (uint32_t off = 0; group && off < run; off += hamt.unit_size) {
        uint32_t pu = (pstart + off) >> hamt.unit_bits;
        if (map_find(w, (vstart + off) >> hamt.unit_bits) >= 0 ||
            !page_is_ram(pstart + off) ||
            ((prot & OS_PROT_WRITE) && unit_store_slow(pu))) {
            group = false;
        }
        for (uint32_t k = 1; group && k < hamt.unit_size >> GUEST_PAGE_BITS; k++) {
            if (!page_is_ram(pstart + off + k * GUEST_PAGE_SIZE)) {
                group = false;
            }
        }
        if (group && peek && vstart + off != (linear & ~(hamt.unit_size - 1)) &&
            !group_peek(w, vstart + off, pstart + off, prot, global)) {
            group = false;
        }
    }
    if (group && hamt.drv->install(w, vstart, pstart, run, prot, global) == 0) {
        for (uint32_t off = 0; off < run; off += hamt.unit_size) {
            map_insert(w, (vstart + off) >> hamt.unit_bits, (pstart + off) >> hamt.unit_bits,
                       prot, global, ptf);
        }
        n = HAMT_RUN_UNITS;
    } else {
        int r = hamt.drv->install(w, vunit << hamt.unit_bits, punit << hamt.unit_bits,
                             hamt.unit_size, prot, global);
        if (r != 0) {
            /* out of host mappings: evict a batch, retry once */
            for (unsigned k = 0; k < 256; k++) {
                map_alloc();
            }
            hamt.ring_next = (hamt.ring_next + HAMT_MAX_MAP - 256) % HAMT_MAX_MAP;
            r = hamt.drv->install(w, vunit << hamt.unit_bits, punit << hamt.unit_bits,
                             hamt.unit_size, prot, global);
            if (r != 0) {
                return 0;
            }
        }
        map_insert(w, vunit, punit, prot, global, ptf);
    }
    if (gsize > hamt.unit_size) {
        uint32_t hi = gbase + (gsize - 1);
        hamt.win[w].large_lo = MIN(hamt.win[w].large_lo, gbase);
        hamt.win[w].large_hi = MAX(hamt.win[w].large_hi, hi);
    }
    return n;
}

/*
 * Units larger than a guest page: after a slow-path access that filled the
 * softmmu TLB (so the page is walked now), map the unit of addr if all its
 * guest pages are walked (unit_peek), so the next access through the
 * window hits instead of taking another "split unit" fault.  The callers
 * (hamt.c) call it only when unit_fill_wanted(idx).
 */
void unit_fill_after_slow(unsigned idx, uint32_t addr)
{
    uint32_t vbase = addr & ~(hamt.unit_size - 1), pa0, ptf;
    unsigned gprot, prot, w = hamt_win(hamt.cur_ctx, idx);
    bool global;
    X86PageResult r;
    HamtWalk wk;

    if (hamt.env == NULL || hamt_window_base[w] == 0 ||
        map_find(w, addr >> hamt.unit_bits) >= 0 ||
        mem_watch_test(vbase, hamt.unit_size) ||
        seen_test(w, addr >> hamt.unit_bits)) {
        return;     /* mapped, watched, or churning (mapped before) */
    }
    if (walk_peek(vbase, idx, &r, &wk) != 0 || wk.wrote ||
        r.page_size > GUEST_PAGE_SIZE) {
        return;    /* large pages: hamt_fill maps them directly */
    }
    pa0 = r.paddr & GUEST_PAGE_MASK;
    ptf = ctx_depend(hamt.cur_ctx, wk.deps, wk.ndeps, r.page_size);
    ctx_pd_note(hamt.cur_ctx, &wk);
    if ((pa0 & (hamt.unit_size - 1)) ||
        unit_peek(w, vbase, pa0, &gprot, &global) != UNIT_OK) {
        return;
    }
    prot = host_prot(gprot, pa0 >> hamt.unit_bits);
    if (fill_run(w, addr, pa0, GUEST_PAGE_SIZE, prot, global, ptf) != 0) {
        hamt_stats.slow_fills++;
        hamt_stats.fill_pages++;
    }
}


/* Refill for an access to linear in window w: the outcome and its cause. */
HamtFill hamt_fill(CPUX86State *env, unsigned w, uint32_t linear,
                   bool is_write)
{
    HamtFill f = { .outcome = FILL_SLOW, .idx = (uint8_t)hamt_win_idx(w) };
    X86PageResult res;
    HamtWalk wk;
    uint32_t pbase, punit, ptf, vunit = linear >> hamt.unit_bits;
    uint32_t pg;
    unsigned gprot, prot;
    bool global;
    int32_t e;
    int u;

    if (walk_rec(env, linear, is_write ? MMU_DATA_STORE : MMU_DATA_LOAD,
                 hamt_win_idx(w), &res, &wk) != 0) {
        hamt_stats.fault_pf++;
        f.outcome = FILL_PF;
        return f;
    }
    walked_add(w, linear, &res);
    if (mem_watch_test(linear & ~(hamt.unit_size - 1), hamt.unit_size)) {
        hamt_stats.fault_watch++;     /* never mapped: the softmmu logs it */
        return f;
    }
    if (!page_is_ram(res.paddr & GUEST_PAGE_MASK)) {
        hamt_stats.fault_mmio++;
        return f;
    }
    /* what the mapping derives from: write-protect it (cached contexts) */
    ptf = ctx_depend(hamt.cur_ctx, wk.deps, wk.ndeps, res.page_size);
    ctx_pd_note(hamt.cur_ctx, &wk);
    u = unit_translate(env, w, linear, &res, &pbase, &gprot, &global);
    if (u != UNIT_OK) {
        /* not mappable (yet: transient); a unit mapped before (and
         * flushed since) is churn like a refill: its slow path maps it */
        hamt_stats.fault_split++;
        f.split = true;
        policy_note_split(f.idx, vunit);
        f.code_store = is_write &&
            (guest_pflags[res.paddr >> GUEST_PAGE_BITS] & PF_CODE);
        f.transient = u == UNIT_NOT_YET;
        f.churn = seen_test(w, vunit);
        hamt_stats.fault_churn += f.churn;
        return f;
    }
    punit = pbase >> hamt.unit_bits;
    prot = host_prot(gprot, punit);
    pg = res.paddr >> GUEST_PAGE_BITS;
    if (is_write && !(prot & OS_PROT_WRITE) && (gprot & PAGE_WRITE) &&
        pg < hamt.pt_frames && pt_protected(pg)) {
        /* the first write to a protected page-table frame: dirty now */
        hamt_stats.fault_ptwrite++;
        pt_written(res.paddr);
        prot = host_prot(gprot, punit);
    }
    if (is_write && !(prot & OS_PROT_WRITE)) {
        if (unit_has_code(punit)) {
            hamt_stats.fault_smc++;
            /* the exact code bytes when there are (a word shared by
             * code and data is data beside code there) */
            f.code_data = smc_state.bytes != NULL
                          ? smc_state.bytes[res.paddr] == 0
                          : smc_map_passes(res.paddr, 1);
        } else {
            hamt_stats.fault_split++;
            f.split = true;
            f.transient = true;
        }
        return f;
    }
    e = map_find(w, vunit);
    if (e >= 0 && hamt.maps[e].punit == punit) {
        /* present with fewer rights: the D-bit (or unprotect) upgrade */
        if (hamt.maps[e].prot != prot) {
            hamt_stats.fault_dbit++;
            if (hamt.drv->protect(w, vunit << hamt.unit_bits, hamt.unit_size,
                                  prot) != 0) {
                return f;
            }
            hamt.maps[e].prot = (uint8_t)prot;
        } else {
            /*
             * Already mapped as asked: the fault was not on this unit (an
             * access crossing into the next unit on a host that reports
             * its first byte).  Retrying would loop: take the slow path.
             */
            hamt_stats.fault_split++;
            return f;
        }
        map_set_global(e, global);
        hamt_stats.fills++;
        f.outcome = FILL_OK;
        return f;
    }
    if (e >= 0) {
        map_drop(e);     /* stale frame: the new mmap replaces it */
    }
    hamt_stats.fault_miss++;
    f.churn = seen_test(w, vunit);
    hamt_stats.fault_churn += f.churn;
    if (w == MMU_PHYS_IDX) {
        res.page_size = 4u << 20;
    }
    {
        unsigned n = fill_run(w, linear, pbase, res.page_size, prot, global,
                              ptf);
        if (n == 0) {
            hamt_stats.fault_split++;
            return f;
        }
        hamt_stats.fill_pages += n;
    }
    hamt_stats.fills++;
    f.outcome = FILL_OK;
    return f;
}

/* Unit punit holds a protected page-table frame in any of its pages. */
static bool unit_has_pt(uint32_t punit)
{
    uint32_t first = (punit << hamt.unit_bits) >> GUEST_PAGE_BITS;

    for (uint32_t k = 0; k < hamt.unit_size >> GUEST_PAGE_BITS; k++) {
        if (guest_pflags[first + k] & PF_PT) {
            return true;
        }
    }
    return false;
}

/*
 * A store beside code faulted in window w's code-data region at linear
 * (docs/HAMT.md "Stores beside translated code"): map the unit there
 * (store alias and code bytes) when the guest may store to all of it,
 * it is plain RAM without page-table frames, and window w maps it too
 * (the alias lives and dies with that entry: map_drop).  The access
 * itself takes the slow path (the caller), which also raises a #PF.
 */
void hamt_cd_fill(CPUX86State *env, unsigned w, uint32_t linear)
{
    uint32_t vunit = linear >> hamt.unit_bits, pbase, punit;
    X86PageResult res;
    HamtWalk wk;
    unsigned gprot;
    bool global;
    int32_t e;

    if (hamt.drv->cd_install == NULL || hamt_cd_st[w] == 0 ||
        walk_rec(env, linear, MMU_DATA_STORE, hamt_win_idx(w), &res, &wk) != 0) {
        return;
    }
    walked_add(w, linear, &res);
    if (mem_watch_test(linear & ~(hamt.unit_size - 1), hamt.unit_size) ||
        !page_is_ram(res.paddr & GUEST_PAGE_MASK) ||
        unit_translate(env, w, linear, &res, &pbase, &gprot, &global) != UNIT_OK ||
        !(gprot & PAGE_WRITE)) {
        return;
    }
    punit = pbase >> hamt.unit_bits;
    if (unit_has_pt(punit)) {
        return;
    }
    e = map_find(w, vunit);
    if (e < 0) {
        /* the window entry first: its PTE dependency drops both */
        if (hamt_fill(env, w, linear, false).outcome != FILL_OK) {
            return;
        }
        e = map_find(w, vunit);
    }
    if (e < 0 || hamt.maps[e].punit != punit || hamt.maps[e].cd) {
        return;
    }
    if (hamt.drv->cd_install(w, vunit << hamt.unit_bits,
                             punit << hamt.unit_bits, hamt.unit_size) != 0) {
        hamt.drv->cd_invalidate(w, vunit << hamt.unit_bits, hamt.unit_size);
        return;
    }
    hamt.maps[e].cd = true;
    hamt_stats.cd_fills++;
}
