/*
 * hamt86 - HAMT: cached guest contexts (docs/HAMT.md "Cached guest
 * contexts"): the CR3 -> context LRU, write protection of page-table
 * frames and revalidation.
 *
 * Each context caches the mappings made under one CR3 in its own windows,
 * so they survive switches to other CR3s.  It stays coherent with the
 * guest's page tables through write protection: every paging-structure
 * frame a mapping was derived from is write-protected (host mappings
 * read-only, softmmu TLB_NOTDIRTY: PF_PT) while a context depends on it.
 * The first write to such a frame marks it dirty and unprotects it (the
 * guest may keep writing, as x86 lets stale TLB entries live until INVLPG
 * or a CR3 load); a CR3 load then drops the mappings the loaded context
 * derived from frames written since (a directory frame: all of them).
 *
 * Each context also owns a softmmu TLB set (core/mem.h), the TLB of the C
 * helpers and of the slow paths: a CR3 load selects it.  Its fills depend
 * on the frames they walked like the mappings do; a CR3 load that finds
 * any of the context's frames written drops the set's non-global entries
 * (as one TLB would on every CR3 load), dropping the context drops all.
 *
 * Recycling the least recently used context for a new CR3 keeps its
 * global mappings under directory entries the new directory has
 * unchanged (the kernel half), and its set's global entries
 * (ctx_keep_global): new processes do not re-fault the kernel.
 */

#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "hamt/hamt-internal.h"

/* A frame written this often while protected stays unprotected for good:
 * its dependent mappings are dropped at every CR3 load instead. */
#define HAMT_PT_VOLATILE 8
/* A directory change re-checks at most this many mappings; a context
 * with more is dropped whole. */
#define HAMT_RECHECK_MAX 4096

/* The accessed (5) and dirty (6) bits of a page-directory entry. */
#define PD_AD_BITS 0x60u

BUILD_ASSERT(HAMT_MAX_CTX <= 8);
/* context ci owns softmmu TLB set ci */
BUILD_ASSERT(HAMT_MAX_CTX <= SOFTMMU_TLB_SETS);

/* The context key of the CR3 in env (the PDPT or PD address). */
uint32_t ctx_key(const CPUX86State *env)
{
    return (env->cr[4] & CR4_PAE) ? env->cr[3] & ~0x1fu : env->cr[3] & ~0xfffu;
}

/* Whether contexts are cached (--hamt-contexts > 1). */
bool ctx_caching(void)
{
    return hamt_opt_contexts > 1 && hamt.pt_ctxmask != NULL;
}

/* Guest RAM page fr is a write-protected page-table frame. */
bool pt_protected(uint32_t fr)
{
    return (guest_pflags[fr] & PF_PT) != 0;
}

/*
 * Tell the softmmu whether the current context's fills must note their
 * frames (softmmu_owner_walks): not while its next validation drops their
 * entries anyway (tlb_doomed), nor while it is not tracked (overflow).
 * Called wherever those or the current context change; a missed "off" only
 * costs recording walks, and every way back to "on" (ctx_flush,
 * ctx_doomed_check, ctx_activate) calls it.
 */
static void ctx_walks_sync(void)
{
    const HamtCtx *c = &hamt.ctxs[hamt.cur_ctx];

    if (hamt.tlb_sets) {
        softmmu_owner_walks(!c->overflow && !c->tlb_doomed);
    }
}

/* Write-protect page-table frame fr: read-only in every window, stores
 * through the softmmu TLB take the slow path (PF_PT). */
static void pt_protect(uint32_t fr)
{
    uint32_t punit = (fr << GUEST_PAGE_BITS) >> hamt.unit_bits;

    /* dependants from before (made while it was writable) are stale */
    hamt.pt_reprot[fr] = ++hamt.pt_tick;
    guest_pflags[fr] |= PF_PT;
    hamt_stats.pt_protects++;
    unit_read_only(punit);
    softmmu_notdirty_page(hamt.env, fr << GUEST_PAGE_BITS);
}

/* A guest store is about to write physical pa (any path): a protected
 * page-table frame becomes dirty and writable.  mem_pt_write_hook. */
void pt_written(uint32_t pa)
{
    uint32_t fr = pa >> GUEST_PAGE_BITS;

    if (fr >= hamt.pt_frames || !pt_protected(fr)) {
        return;
    }
    guest_pflags[fr] &= (uint8_t)~PF_PT;
    hamt.pt_writes[fr] += hamt.pt_writes[fr] < 255;
    hamt_stats.pt_writes++;
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        if (hamt.pt_ctxmask[fr] & (1u << ci)) {
            hamt.ctxs[ci].tlb_doomed = true;
        }
    }
    ctx_walks_sync();
}

/* Context ci no longer depends on its k-th frame. */
static void ctx_forget_frame(unsigned ci, unsigned k)
{
    HamtCtx *c = &hamt.ctxs[ci];
    uint32_t fr = c->frames[k].frame;

    hamt.pt_ctxmask[fr] &= (uint8_t)~(1u << ci);
    hamt.pt_dirmask[fr] &= (uint8_t)~(1u << ci);
    if (hamt.pt_ctxmask[fr] == 0) {
        /* nobody depends on it: stores may go straight through again
         * (read-only mappings of it upgrade on their next write fault) */
        guest_pflags[fr] &= (uint8_t)~PF_PT;
    }
    c->frames[k] = c->frames[--c->nframes];
}

/* Whether context c's directory can be snapshot: non-PAE, in RAM. */
static bool pd_usable(const HamtCtx *c)
{
    return hamt.env != NULL && guest_ram != NULL &&
           !(hamt.env->cr[4] & CR4_PAE) && c->key != HAMT_CTX_NONE &&
           (c->key >> GUEST_PAGE_BITS) < hamt.pt_frames;
}

/* Take the snapshot of context ci's page directory (its key is the CR3
 * loaded now): non-PAE, a directory in RAM; else pd_valid is false. */
void ctx_pd_snap(unsigned ci)
{
    HamtCtx *c = &hamt.ctxs[ci];
    uint32_t fr = c->key >> GUEST_PAGE_BITS;

    c->pd_valid = pd_usable(c);
    c->pd_later = false;
    if (c->pd_valid) {
        memcpy(c->pd_snap, guest_ram + ((size_t)fr << GUEST_PAGE_BITS),
               sizeof(c->pd_snap));
        memset(c->pd_diff, 0, sizeof(c->pd_diff));
    }
}

/* ctx_pd_snap for context ci that has no mapping: taken by ctx_pd_ready
 * before the snapshot is next used.  No mapping is made in between
 * without ctx_pd_note, so the later copy is what an eager one would have
 * become. */
static void ctx_pd_snap_later(unsigned ci)
{
    HamtCtx *c = &hamt.ctxs[ci];

    c->pd_valid = c->pd_later = pd_usable(c);
}

/* Take context ci's deferred snapshot (ctx_pd_snap_later) if there is one. */
static inline void ctx_pd_ready(unsigned ci)
{
    if (unlikely(hamt.ctxs[ci].pd_later)) {
        ctx_pd_snap(ci);
    }
}

/* Drop every mapping of context ci, its softmmu TLB set and its frames. */
void ctx_flush(unsigned ci)
{
    if (hamt.tlb_sets) {
        softmmu_tlb_drop(hamt.env, ci, false);
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        flush_window(hamt_win(ci, idx));
    }
    while (hamt.ctxs[ci].nframes) {
        ctx_forget_frame(ci, hamt.ctxs[ci].nframes - 1);
    }
    hamt.ctxs[ci].tlb_doomed = false;
    hamt.ctxs[ci].overflow = false;
    ctx_walks_sync();
    ctx_pd_snap_later(ci);
}

/*
 * Whether mapping i of context ci (whose CR3 is loaded) is what a refill
 * would map now: for each guest page of the unit, a walk that changes
 * nothing succeeds without wanting to set A, to the same frame, G bit and
 * PTE frame, with write permission (D set) if the mapping is writable.
 * The walk's paging structures become dependencies of ci.
 */
static bool map_still_valid(unsigned ci, int32_t i)
{
    const HamtMap *m = &hamt.maps[i];
    unsigned idx = hamt_win_idx(m->win);
    uint32_t vbase = m->vunit << hamt.unit_bits, pbase = m->punit << hamt.unit_bits;

    for (uint32_t off = 0; off < hamt.unit_size; off += GUEST_PAGE_SIZE) {
        X86PageResult r;
        HamtWalk wk;
        uint32_t leaf;

        if (walk_peek(vbase + off, idx, &r, &wk) != 0 || wk.wrote ||
            (r.paddr & GUEST_PAGE_MASK) != pbase + off || r.global != m->global ||
            ((m->prot & OS_PROT_WRITE) && !(r.prot & PAGE_WRITE))) {
            return false;
        }
        leaf = ctx_depend(ci, wk.deps, wk.ndeps, r.page_size);
        ctx_pd_note(ci, &wk);
        if (leaf != m->ptf) {
            return false;
        }
    }
    return true;
}

/* Mapping i lies under a page-directory entry set in slots (NULL: all). */
static bool map_in_slots(int32_t i, const uint32_t *slots)
{
    uint32_t s = (hamt.maps[i].vunit << hamt.unit_bits) >> HAMT_PD_SHIFT;

    return slots == NULL || (slots[s >> 5] >> (s & 31)) & 1;
}

/*
 * Re-check the mappings of context ci that depend on page-table frame fr
 * (all: every mapping of the context under a directory entry in slots,
 * NULL: every one, for a directory) against the page tables now: drop
 * those a walk would not give again unchanged.  Returns the number kept.
 */
static unsigned ctx_recheck(unsigned ci, uint32_t fr, bool all,
                            const uint32_t *slots)
{
    static uint32_t units[HAMT_MAX_MAP];
    unsigned kept = 0;

    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx), n = 0;

        /* candidates: the window's two live lists, or fr's PTE chain */
        for (unsigned list = 0; list < (all ? 2u : 1u); list++) {
            int32_t i = all ? hamt.win[w].lhead[list] : hamt.pthash[pthash_of(fr)];

            while (i >= 0) {
                int32_t next = all ? hamt.maps[i].lnext : hamt.maps[i].pnext;
                if (all ? map_in_slots(i, slots)
                        : (hamt.maps[i].ptf == fr && hamt.maps[i].win == w)) {
                    if (map_still_valid(ci, i)) {
                        kept++;
                    } else {
                        units[n++] = hamt.maps[i].vunit;
                        map_drop(i);
                    }
                }
                i = next;
            }
        }
        if (n) {
            hamt_stats.pt_drops += n;
            invalidate_runs(w, units, n);
        }
    }
    hamt_stats.pt_kept += kept;
    return kept;
}

/* Live mappings of context ci. */
static uint32_t ctx_live(unsigned ci)
{
    uint32_t n = 0;

    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        n += hamt.win[hamt_win(ci, idx)].nlive;
    }
    return n;
}

/*
 * Context ci depends on the paging structures a walk read (frames
 * f[0..n), top level first) for a page of psize: track and write-protect
 * them.  Returns the frame of the walk's PTE (~0u: a large page or paging
 * off), which the mappings made from the walk record.
 */
uint32_t ctx_depend(unsigned ci, const uint32_t *f, unsigned n,
                           uint32_t psize)
{
    HamtCtx *c = &hamt.ctxs[ci];
    uint8_t bit = (uint8_t)(1u << ci);
    uint32_t leaf = (n != 0 && psize == GUEST_PAGE_SIZE) ? f[n - 1] : ~0u;

    if (!ctx_caching() || c->overflow) {
        return leaf;
    }
    for (unsigned k = 0; k < n; k++) {
        uint32_t fr = f[k];
        bool dir = k + 1 < n || leaf == ~0u;

        if (fr >= hamt.pt_frames) {
            c->overflow = true;       /* not RAM: writes are not seen */
            return leaf;
        }
        if (!(hamt.pt_ctxmask[fr] & bit)) {
            if (c->nframes == HAMT_CTX_FRAMES) {
                c->overflow = true;
                return leaf;
            }
            if (!pt_protected(fr) && hamt.pt_writes[fr] < HAMT_PT_VOLATILE) {
                pt_protect(fr);
            }
            if (!pt_protected(fr) && !c->tlb_doomed) {
                c->tlb_doomed = true;
                ctx_walks_sync();
            }
            c->frames[c->nframes].frame = fr;
            c->frames[c->nframes].since = hamt.pt_tick;
            c->nframes++;
            hamt.pt_ctxmask[fr] |= bit;
        }
        if (dir) {
            hamt.pt_dirmask[fr] |= bit;
        }
    }
    return leaf;
}

/*
 * A walk of context ci (its CR3 loaded) made a mapping from the directory
 * entry it read: an entry read with another value than the snapshot's is
 * re-checked at the next validation (only A/D bits set since: the
 * snapshot takes them, as mappings made before stay correct).  A walk
 * that read the directory again below the top (a self map) or not at all
 * as its top makes the snapshot unusable.
 */
void ctx_pd_note(unsigned ci, const HamtWalk *wk)
{
    HamtCtx *c = &hamt.ctxs[ci];
    uint32_t s, old;

    ctx_pd_ready(ci);
    if (!c->pd_valid || wk->nreads == 0) {
        return;
    }
    if (wk->self || (wk->top_pa >> GUEST_PAGE_BITS) != (c->key >> GUEST_PAGE_BITS)) {
        c->pd_valid = false;
        return;
    }
    s = (wk->top_pa & ~GUEST_PAGE_MASK) >> 2;
    old = c->pd_snap[s];
    if (wk->top_val == old) {
        return;
    }
    if (((wk->top_val ^ old) & ~PD_AD_BITS) == 0 &&
        (old & ~wk->top_val) == 0) {
        c->pd_snap[s] = wk->top_val;
    } else {
        c->pd_diff[s >> 5] |= 1u << (s & 31);
    }
}

/* Directory entries of context ci that differ from its snapshot or were
 * read differently since (slots, a bitmap); the number of them. */
static unsigned ctx_pd_changed(unsigned ci, uint32_t *slots)
{
    const HamtCtx *c = &hamt.ctxs[ci];
    const uint32_t *pd = (const uint32_t *)(guest_ram +
        ((size_t)(c->key >> GUEST_PAGE_BITS) << GUEST_PAGE_BITS));
    unsigned n = 0;

    ctx_pd_ready(ci);

    for (unsigned k = 0; k < HAMT_PD_SLOTS / 32; k++) {
        const uint64_t *now = (const uint64_t *)(const void *)&pd[k * 32];
        const uint64_t *was = (const uint64_t *)(const void *)&c->pd_snap[k * 32];
        uint32_t m = c->pd_diff[k];
        uint64_t d = 0;

        /* 32 entries 8 bytes a step; the bit loop only where they differ */
        for (unsigned j = 0; j < 16; j++) {
            d |= now[j] ^ was[j];
        }
        for (unsigned b = 0; d != 0 && b < 32; b++) {
            if (pd[k * 32 + b] != c->pd_snap[k * 32 + b]) {
                m |= 1u << b;
            }
        }
        slots[k] = m;
        n += m != 0;
    }
    return n;
}

/* Whether context ci still depends on a frame written since (only a
 * volatile one, after a validation: it re-protects the others). */
static void ctx_doomed_check(unsigned ci)
{
    HamtCtx *c = &hamt.ctxs[ci];

    c->tlb_doomed = false;
    for (unsigned k = 0; k < c->nframes; k++) {
        uint32_t fr = c->frames[k].frame;

        if (!pt_protected(fr) || hamt.pt_reprot[fr] > c->frames[k].since) {
            c->tlb_doomed = true;
            break;
        }
    }
    ctx_walks_sync();
}

/*
 * Before context ci runs again (a CR3 load, env->cr[3] already its CR3):
 * make it coherent with the page-table writes since its mappings were
 * made.  A frame that is still protected and was not re-protected since
 * the context started depending on it was not written: its mappings stay.
 * For a written frame, the mappings depending on it (a directory: all of
 * them) are re-checked against the tables by a walk that changes nothing
 * (map_still_valid); the frame is protected again (unless it is written
 * all the time) and depended on from now.
 */
static void ctx_validate(unsigned ci)
{
    HamtCtx *c = &hamt.ctxs[ci];
    uint8_t bit = (uint8_t)(1u << ci);
    unsigned k = 0;
    bool tlb_kept = hamt.tlb_sets;

    if (c->overflow) {
        hamt_stats.ctx_flushes++;
        ctx_flush(ci);
        return;
    }
    while (k < c->nframes) {
        uint32_t fr = c->frames[k].frame;
        bool dir = (hamt.pt_dirmask[fr] & bit) != 0;
        bool top = dir && c->pd_valid && fr == c->key >> GUEST_PAGE_BITS;
        bool nomaps;
        uint32_t slots[HAMT_PD_SLOTS / 32];

        if (pt_protected(fr) && hamt.pt_reprot[fr] <= c->frames[k].since) {
            k++;
            continue;
        }
        if (tlb_kept) {
            /* the set's fills do not say which frames they used (nor
             * are they in the directory snapshot's diff) */
            softmmu_tlb_drop(hamt.env, ci, true);
            tlb_kept = false;
        }
        nomaps = top && ctx_live(ci) == 0;
        if (nomaps || (top && ctx_pd_changed(ci, slots) == 0)) {
            /* written, but every entry as the mappings found it (or no
             * mapping to re-check: the directory as it is now is the
             * snapshot) */
            if (!pt_protected(fr) && hamt.pt_writes[fr] < HAMT_PT_VOLATILE) {
                pt_protect(fr);
            }
            c->frames[k].since = hamt.pt_tick;
            if (nomaps) {
                ctx_pd_snap_later(ci);
                hamt_stats.pd_nomaps++;
            } else {
                hamt_stats.pd_same++;
            }
            k++;
            continue;
        }
        if (dir && !top && ctx_live(ci) > HAMT_RECHECK_MAX) {
            hamt_stats.ctx_flushes++;
            ctx_flush(ci);
            return;
        }
        /* protect first: re-checked mappings depend on it from now on */
        if (!pt_protected(fr) && hamt.pt_writes[fr] < HAMT_PT_VOLATILE) {
            pt_protect(fr);
        }
        c->frames[k].since = hamt.pt_tick;
        if (c->overflow) {
            hamt_stats.ctx_flushes++;
            ctx_flush(ci);
            return;
        }
        if (top) {
            hamt_stats.pd_partial++;
            ctx_recheck(ci, fr, true, slots);
            ctx_pd_snap(ci);
            k++;
            continue;
        }
        if (ctx_recheck(ci, fr, dir, NULL) == 0 && !dir) {
            ctx_forget_frame(ci, k);    /* nothing depends on it any more */
            continue;
        }
        k++;
    }
    ctx_doomed_check(ci);
}

/* No memory for another softmmu TLB set: from now on every context uses
 * set 0, which every CR3 load flushes (hamt_flush_nonglobal). */
static void ctx_tlb_sets_off(CPUX86State *env)
{
    DEBUG_LOG(LOG_MMU, "hamt: no memory for another softmmu TLB set: one "
              "set from now on\n");
    hamt_stats.ctx_no_tlb_set++;
    hamt.tlb_sets = false;
    softmmu_set_owner(NULL);
    softmmu_tlb_select(env, 0);
    softmmu_tlb_drop(env, 0, true);
}

/* Make context ci current: its windows for every index in use, its
 * softmmu TLB set. */
static void ctx_activate(CPUX86State *env, unsigned ci)
{
    hamt.cur_ctx = ci;
    hamt.ctxs[ci].used = ++hamt.ctx_clock;
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx);

        walked_clear(w);        /* walks are TLB state: a CR3 load ends them */
        if (hamt_window_base[w] == 0 && (hamt.idx_used & (1u << idx))) {
            hamt_window_ensure(idx);
        }
        if ((hamt.pol.cd_idx & (1u << idx)) && hamt_window_base[w] != 0 &&
            hamt.drv->cd_reserve != NULL) {
            hamt.drv->cd_reserve(w);
        }
        env_set_window(env, idx, w);
    }
    if (hamt.tlb_sets && !softmmu_tlb_select(env, ci)) {
        ctx_tlb_sets_off(env);
    }
    ctx_walks_sync();
    hamt.drv->switch_context(ci);
}

/* No host address space for more contexts: from now on context 0 alone
 * caches key (every CR3 load drops its non-global mappings). */
void ctx_collapse(uint32_t key)
{
    hlog("hamt: no host address space for more guest windows: one context "
         "from now on\n");
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctx_flush(ci);
        hamt.ctxs[ci].key = HAMT_CTX_NONE;
    }
    hamt_opt_contexts = 1;
    hamt.cur_ctx = 0;
    hamt.ctxs[0].key = key;
    for (unsigned w = hamt_win(1, 0); w < HAMT_NB_WIN; w++) {
        hamt.drv->release(w);       /* room for context 0's windows */
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        env_set_window(hamt.env, idx, hamt_win(0, idx));
    }
    if (hamt.tlb_sets) {
        /* every set is empty (ctx_flush): set 0, flushed by CR3 loads */
        hamt.tlb_sets = false;
        softmmu_set_owner(NULL);
        softmmu_tlb_select(hamt.env, 0);
    }
    hamt.drv->switch_context(0);
}

/* Context ci has a mapping whose PTE lies in page-table frame fr. */
static bool ctx_frame_used(unsigned ci, uint32_t fr)
{
    for (int32_t i = hamt.pthash[pthash_of(fr)]; i >= 0; i = hamt.maps[i].pnext) {
        if (hamt.maps[i].ptf == fr && hamt_win_ctx(hamt.maps[i].win) == ci) {
            return true;
        }
    }
    return false;
}

/*
 * Context ci is recycled for the CR3 loaded now (key): keep the global
 * mappings that the new page directory gives as they are, drop the rest.
 * A global mapping under directory slot s stays when the new PDE s is
 * the one it was made from (the old snapshot's entry, not read otherwise
 * since: pd_diff), the kernel half Linux copies into every process's
 * directory.  The frames the kept mappings' PTEs lie in stay dependencies
 * with their times (a directory role included: conservative), so a write
 * to one since is seen by the validation that follows (ctx_alloc); the
 * old directory and every other frame are forgotten.  The softmmu TLB
 * set keeps its global entries, as a CR3 load does.  Returns false
 * (nothing done) without a usable old snapshot (PAE, self map,
 * overflow) or with CR4.PGE clear.
 *
 *   new PD[s] == pd_snap[s] && !pd_diff[s]  =>  the walk of a linear
 *   address under s reads the same PDE, then the same (unwritten) PT
 */
static bool ctx_keep_global(unsigned ci, uint32_t key)
{
    static uint32_t units[HAMT_MAX_MAP];
    HamtCtx *c = &hamt.ctxs[ci];
    uint32_t newfr = key >> GUEST_PAGE_BITS, oldfr = c->key >> GUEST_PAGE_BITS;
    const uint32_t *pd;
    unsigned k = 0;

    ctx_pd_ready(ci);

    if (!c->pd_valid || c->overflow || hamt.env == NULL ||
        (hamt.env->cr[4] & (CR4_PAE | CR4_PGE)) != CR4_PGE ||
        newfr >= hamt.pt_frames) {
        return false;
    }
    pd = (const uint32_t *)(guest_ram + ((size_t)newfr << GUEST_PAGE_BITS));
    if (hamt.tlb_sets) {
        softmmu_tlb_drop(hamt.env, ci, true);
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx), n = 0;
        int32_t i;

        flush_window_nonglobal(w);
        for (i = hamt.win[w].lhead[1]; i >= 0;) {
            int32_t next = hamt.maps[i].lnext;
            uint32_t v = hamt.maps[i].vunit;
            uint32_t s = (v << hamt.unit_bits) >> HAMT_PD_SHIFT;

            if (((c->pd_diff[s >> 5] >> (s & 31)) & 1) || pd[s] != c->pd_snap[s]) {
                units[n++] = v;
                map_drop(i);
            } else {
                hamt_stats.ctx_global_kept++;
                if (hamt.win[w].seen != NULL) {
                    hamt.win[w].seen[v >> 3] |= (uint8_t)(1u << (v & 7));
                }
            }
            i = next;
        }
        if (n) {
            hamt_stats.ctx_global_dropped += n;
            invalidate_runs(w, units, n);
        }
    }
    while (k < c->nframes) {
        uint32_t fr = c->frames[k].frame;

        if (fr != oldfr && ctx_frame_used(ci, fr)) {
            k++;
        } else {
            ctx_forget_frame(ci, k);
        }
    }
    return true;
}

/* A context for key: a free one, else the least recently used other one
 * (hamt_opt_contexts >= 2). */
static unsigned ctx_alloc(uint32_t key)
{
    unsigned best = HAMT_MAX_CTX;
    bool kept;

    for (unsigned ci = 0; ci < hamt_opt_contexts; ci++) {
        if (hamt.ctxs[ci].key == HAMT_CTX_NONE) {
            best = ci;
            break;
        }
        if (ci != hamt.cur_ctx &&
            (best == HAMT_MAX_CTX || hamt.ctxs[ci].used < hamt.ctxs[best].used)) {
            best = ci;
        }
    }
    if (hamt.ctxs[best].key == HAMT_CTX_NONE && !ctx_windows_ok(best)) {
        /* no host address space for another context: cache fewer */
        hlog("hamt: no host address space for the windows of context %u: "
             "caching %u contexts\n", best, best);
        hamt_opt_contexts = best;
        if (best < 2) {
            ctx_collapse(key);
            return 0;
        }
        return ctx_alloc(key);
    }
    if (hamt.ctxs[best].key != HAMT_CTX_NONE) {
        hamt_stats.ctx_recycled++;
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(best, idx);
        if (hamt.win[w].seen != NULL) {
            /* another CR3: its first touches are not refills */
            memset(hamt.win[w].seen, 0, ((size_t)1 << (32 - hamt.unit_bits)) / 8);
        }
    }
    hamt_stats.ctx_new++;
    kept = hamt.ctxs[best].key != HAMT_CTX_NONE && ctx_keep_global(best, key);
    if (!kept) {
        ctx_flush(best);
    }
    if (hamt.ctxs[best].key != HAMT_CTX_NONE && hamt.drv->new_context != NULL) {
        hamt.drv->new_context(best);
    }
    hamt.ctxs[best].key = key;
    hamt.ctx_ever |= 1u << best;
    ctx_pd_snap(best);
    if (kept) {
        /* the kept mappings depend on the new directory from now on, and
         * on their page tables as of their times: re-check those written */
        uint32_t fr = key >> GUEST_PAGE_BITS;

        (void)ctx_depend(best, &fr, 1, 0);
        ctx_validate(best);
    }
    return best;
}

/*
 * CR3 load with cached contexts: switch to the context of key (or take
 * the least recently used one), after dropping what page-table writes
 * since it last ran may have changed; a reload of the same CR3 validates
 * the current context the same way.
 */
void ctx_switch(CPUX86State *env, uint32_t key)
{
    unsigned ci;

    for (ci = 0; ci < hamt_opt_contexts; ci++) {
        if (hamt.ctxs[ci].key == key) {
            break;
        }
    }
    if (ci == hamt_opt_contexts) {
        ci = ctx_alloc(key);
    } else {
        hamt_stats.ctx_hits += ci != hamt.cur_ctx;
        ctx_validate(ci);
    }
    ctx_activate(env, ci);
}

/* softmmu TLB fills of the current context's set depend on the paging
 * structures they walked (SoftmmuOwner.walked). */
static void ctx_tlb_walked(const uint32_t *f, unsigned n, uint32_t psize)
{
    uint8_t bit = (uint8_t)(1u << hamt.cur_ctx);

    /* nearly every fill walks frames the context depends on already (as
     * a directory where it is one): ctx_depend would change nothing */
    for (unsigned k = 0; k < n; k++) {
        bool dir = k + 1 < n || psize != GUEST_PAGE_SIZE;

        if (f[k] >= hamt.pt_frames || !(hamt.pt_ctxmask[f[k]] & bit) ||
            (dir && !(hamt.pt_dirmask[f[k]] & bit))) {
            (void)ctx_depend(hamt.cur_ctx, f, n, psize);
            return;
        }
    }
}

static const SoftmmuOwner ctx_tlb_owner = {
    .walked = ctx_tlb_walked,
    /* ctx_validate drops a set's non-global entries when a frame they may
     * depend on was written, and a recycled context drops them too */
    .revalidates = true,
};

/* No context holds a CR3 yet; with cached contexts, track page-table
 * frames of guest RAM and see every store to a protected one, and give
 * each context its softmmu TLB set (the current one is set 0). */
void ctx_init(void)
{
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        hamt.ctxs[ci].key = HAMT_CTX_NONE;
    }
    hamt.cur_ctx = 0;
    if (hamt_opt_contexts > 1) {
        /* page-table frame tracking: guest RAM pages only */
        hamt.pt_frames = guest_ram_size >> GUEST_PAGE_BITS;
        hamt.pt_ctxmask = os_zalloc(hamt.pt_frames);
        hamt.pt_dirmask = os_zalloc(hamt.pt_frames);
        hamt.pt_writes = os_zalloc(hamt.pt_frames);
        hamt.pt_reprot = os_zalloc((size_t)hamt.pt_frames * sizeof(uint32_t));
        if (hamt.pt_ctxmask == NULL || hamt.pt_dirmask == NULL ||
            hamt.pt_writes == NULL || hamt.pt_reprot == NULL) {
            os_fatal(1, "hamt: no memory for page-table frame tracking");
        }
        mem_pt_write_hook = pt_written;
        hamt.tlb_sets = true;
        softmmu_set_owner(&ctx_tlb_owner);
    }
}
