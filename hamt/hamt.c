/*
 * hamt86 - the HAMT memory path (--mmu=hamt): refill handler, the table of
 * live host mappings, flushes, code-page protection, interpreter accessors.
 *
 * Division of work:
 *   - generated code / interpreter: one host access at
 *     env->hamt_window[idx] + sext32(linear) (no software TLB compare);
 *   - hamt_fault (SIGSEGV/SIGBUS): the refill handler.  It walks the guest
 *     page tables for the window's MMU index and installs the page through
 *     the driver (hamt-linux.c: mmap of the RAM memfd), then the host
 *     retries.  Anything it cannot map (guest #PF, MMIO, stores to pages
 *     with translated code, unaligned accesses, 16 KiB units that are not
 *     one physical run) is sent to the site's slow path: the PC is moved to
 *     the out-of-line stub the backend emitted for that access (JIT), or the
 *     interpreter accessor's recovery point; both call mem_ld_slow /
 *     mem_st_slow in ordinary context, which is the softmmu C path
 *     (softmmu-fallback/): it raises the #PF precisely, does MMIO, SMC.
 *   - every mapping is recorded in maps[] (bounded; FIFO eviction) with a
 *     (idx, linear unit) hash for flushes and a physical-frame hash for
 *     write-protecting frames that get translated code.
 *
 * The softmmu's own TLB keeps serving C accesses (helpers) and code
 * fetches, so every flush goes to both.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "translator/ir.h"
#include "hamt/hamt.h"
#include "softmmu-fallback/softmmu.h"

#define DEBUG_HAMT 0

/* Live map units over all windows: 2 kernel VMAs each at worst, under
 * vm.max_map_count (65530) with room for the process's own; enough for a
 * 64 MiB working set of 4 KiB pages plus code (ENOMEM: evict a batch). */
#define HAMT_MAX_MAP    28672
#define VHASH_BITS      16
#define FHASH_BITS      14
/* A fill inside a large guest page (or with paging off) maps up to this
 * many contiguous units with one call. */
#define HAMT_RUN_UNITS  16
/* A site sent to the slow path this often is patched to always take it. */
#define HAMT_PATCH_THRESHOLD 64
/*
 * Fill pressure (see "Adaptive fill policy" in docs/HAMT.md): over each
 * HAMT_PRESSURE_NS of run time, the share taken by host faults, estimated
 * as the refill handler's own time times HAMT_FAULT_COST_X (the signal
 * delivery and return around it, which the handler cannot time, cost
 * 3-6x the handler: measured 55 us per fault against 8.4 us in the
 * handler under qemu-mips64el).  While that share is at least
 * HAMT_PRESSURE_PCT, a JIT site that refills a unit its window mapped
 * before (a flush or eviction took it away: churn, not first touch)
 * HAMT_CHURN_REFILLS times is retranslated with the inline softmmu access.
 * On 16 KiB hosts a unit whose pages are not all walked yet takes a split
 * fault and its slow path maps it: after a flush that cycle is churn too.
 */
#define HAMT_PRESSURE_NS   (20u * 1000u * 1000u)
#define HAMT_FAULT_COST_X  4
#define HAMT_PRESSURE_PCT  5
#define HAMT_CHURN_REFILLS 4

BUILD_ASSERT(HAMT_NB_IDX == NB_MMU_MODES);

typedef struct HamtMap {
    uint32_t vunit;   /* linear >> unit_bits */
    uint32_t punit;   /* physical >> unit_bits */
    int32_t hnext;    /* (w, vunit) hash chain */
    int32_t fnext;    /* punit hash chain */
    int32_t lprev, lnext;   /* live list of (win, global) */
    uint32_t ptf;     /* guest page-table frame (page number) of its PTE,
                         ~0: none (paging off, large page) */
    int32_t pnext;    /* ptf hash chain */
    uint8_t win, prot;
    bool live, global;
} HamtMap;

HamtStats hamt_stats;
uint32_t hamt_opt_host_page;
bool hamt_opt_adapt = true;

static HamtMap maps[HAMT_MAX_MAP];
static int32_t vhash[1u << VHASH_BITS];
static int32_t fhash[1u << FHASH_BITS];
#define PTHASH_BITS     12
static int32_t pthash[1u << PTHASH_BITS];
static uint32_t ring_next;
static uint32_t nlive[HAMT_NB_WIN];
/* Live entries per window, split global / non-global, so a CR3 reload
 * costs O(live non-global entries of the window), not a table scan. */
static int32_t lhead[HAMT_NB_WIN][2];
uint64_t hamt_phys_limit = (uint64_t)1 << 32;
/* Windows reserved on first use (false: all at init, full size). */
static bool lazy_windows;
static const HamtDriver *drv = &hamt_driver_linux;
static CPUX86State *hamt_env;
static unsigned unit_bits = GUEST_PAGE_BITS;
static uint32_t unit_size = GUEST_PAGE_SIZE;
/* Linear region covered by large-page fills per index since its flush. */
static uint32_t large_lo[HAMT_NB_WIN], large_hi[HAMT_NB_WIN];
/* The interpreter access in flight (its recovery point), or NULL.  The
 * buffer is static: a local one had its setjmp stores optimised away. */
static void **volatile hamt_recover;
#ifndef HAMT_HAVE_PROBES
static void *hamt_jmpbuf[CPU_JMP_ENV_WORDS];
#endif

static void walked_clear(unsigned w);

/* Units each window has ever mapped (bit per unit, set by map_insert,
 * allocated by hamt_init): a miss or split fault on a unit set here is a
 * refill (churn), not a first touch. */
static uint8_t *seen[HAMT_NB_WIN];
/* Set by hamt_fill: the fault was on a unit mapped before (churn). */
static bool fill_churn;
/* Fill-pressure window: start, estimated fault time in it, verdict of the
 * last complete window. */
static uint64_t pressure_start, pressure_ns;
static bool pressure_high;

/* Whether window w has mapped vunit before (since start-up). */
static inline bool seen_test(unsigned w, uint32_t vunit)
{
    return seen[w] != NULL && (seen[w][vunit >> 3] >> (vunit & 7)) & 1;
}

/* Hash bucket of (w, vunit). */
static inline unsigned vhash_of(unsigned w, uint32_t vunit)
{
    return ((vunit * 0x9e3779b1u) >> (32 - VHASH_BITS)) ^ w;
}

/* Hash bucket of a page-table frame (guest page number). */
static inline unsigned pthash_of(uint32_t frame)
{
    return frame & ((1u << PTHASH_BITS) - 1);
}

/* Hash bucket of a physical unit. */
static inline unsigned fhash_of(uint32_t punit)
{
    return punit & ((1u << FHASH_BITS) - 1);
}

/* The live entry for (w, vunit) or -1. */
static int32_t map_find(unsigned w, uint32_t vunit)
{
    for (int32_t i = vhash[vhash_of(w, vunit)]; i >= 0; i = maps[i].hnext) {
        if (maps[i].vunit == vunit && maps[i].win == w) {
            return i;
        }
    }
    return -1;
}

/* The hash chains an entry is on: (window, vunit), frame, PTE frame. */
enum { CHAIN_V, CHAIN_F, CHAIN_P };

/* The next-field of entry i in chain kind. */
static inline int32_t *chain_next(int32_t i, int kind)
{
    return kind == CHAIN_V ? &maps[i].hnext :
           kind == CHAIN_F ? &maps[i].fnext : &maps[i].pnext;
}

/* Unlink entry i from the chain of kind starting at *head. */
static void chain_unlink(int32_t *head, int32_t i, int kind)
{
    int32_t *p = head;

    while (*p >= 0) {
        if (*p == i) {
            *p = *chain_next(i, kind);
            return;
        }
        p = chain_next(*p, kind);
    }
}

/* Put live entry i on its window's (global or not) list. */
static void list_add(int32_t i)
{
    HamtMap *m = &maps[i];
    int32_t *head = &lhead[m->win][m->global];

    m->lprev = -1;
    m->lnext = *head;
    if (*head >= 0) {
        maps[*head].lprev = i;
    }
    *head = i;
}

/* Take entry i off its list. */
static void list_del(int32_t i)
{
    HamtMap *m = &maps[i];

    if (m->lprev >= 0) {
        maps[m->lprev].lnext = m->lnext;
    } else {
        lhead[m->win][m->global] = m->lnext;
    }
    if (m->lnext >= 0) {
        maps[m->lnext].lprev = m->lprev;
    }
}

/* Forget entry i (the caller removes the host mapping). */
static void map_drop(int32_t i)
{
    HamtMap *m = &maps[i];

    chain_unlink(&vhash[vhash_of(m->win, m->vunit)], i, CHAIN_V);
    chain_unlink(&fhash[fhash_of(m->punit)], i, CHAIN_F);
    if (m->ptf != ~0u) {
        chain_unlink(&pthash[pthash_of(m->ptf)], i, CHAIN_P);
    }
    list_del(i);
    m->live = false;
    nlive[m->win]--;
}

/* Entry i changes its global bit (moves between the lists). */
static void map_set_global(int32_t i, bool global)
{
    if (maps[i].global != global) {
        list_del(i);
        maps[i].global = global;
        list_add(i);
    }
}

/* Take a free slot (FIFO: the oldest mapping is evicted when full). */
static int32_t map_alloc(void)
{
    int32_t i = (int32_t)ring_next;

    ring_next = (ring_next + 1) % HAMT_MAX_MAP;
    if (maps[i].live) {
        hamt_stats.evictions++;
        drv->invalidate(maps[i].win, maps[i].vunit << unit_bits, unit_size);
        map_drop(i);
    }
    return i;
}

/* Record a new live mapping; ptf: the page-table frame of its PTE (~0u:
 * none), whose writes drop it (cached contexts). */
static void map_insert(unsigned w, uint32_t vunit, uint32_t punit,
                       unsigned prot, bool global, uint32_t ptf)
{
    int32_t i = map_alloc();
    HamtMap *m = &maps[i];
    unsigned h = vhash_of(w, vunit), fh = fhash_of(punit);

    if (seen[w] != NULL) {
        seen[w][vunit >> 3] |= (uint8_t)(1u << (vunit & 7));
    }

    m->vunit = vunit;
    m->punit = punit;
    m->win = (uint8_t)w;
    m->prot = (uint8_t)prot;
    m->global = global;
    m->live = true;
    m->hnext = vhash[h];
    vhash[h] = i;
    m->fnext = fhash[fh];
    fhash[fh] = i;
    m->ptf = ptf;
    if (ptf != ~0u) {
        m->pnext = pthash[pthash_of(ptf)];
        pthash[pthash_of(ptf)] = i;
    }
    list_add(i);
    nlive[w]++;
}

/* Drop every entry of w from the table (host side handled by caller). */
static void drop_win_entries(unsigned w)
{
    for (unsigned g = 0; g < 2; g++) {
        while (lhead[w][g] >= 0) {
            map_drop(lhead[w][g]);
        }
    }
}

/* Remove everything mapped in window w with one driver call. */
static void flush_window(unsigned w)
{
    walked_clear(w);
    large_lo[w] = 0xffffffffu;
    large_hi[w] = 0;
    if (nlive[w] == 0) {
        return;
    }
    drv->invalidate_all(w);
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
static void invalidate_runs(unsigned w, uint32_t *v, unsigned n)
{
    unsigned i = 0;

    sort_units(v, n);
    while (i < n) {
        unsigned j = i + 1;
        while (j < n && v[j] == v[j - 1] + 1) {
            j++;
        }
        drv->invalidate(w, v[i] << unit_bits, (j - i) << unit_bits);
        i = j;
    }
}

/* Every writable mapping of physical unit punit, in any window, becomes
 * read-only (one that cannot, e.g. out of kernel VMAs, is removed);
 * returns how many were writable. */
static unsigned unit_read_only(uint32_t punit)
{
    unsigned n = 0;
    int32_t i = fhash[fhash_of(punit)];

    while (i >= 0) {
        int32_t next = maps[i].fnext;
        if (maps[i].punit == punit && (maps[i].prot & OS_PROT_WRITE)) {
            n++;
            if (drv->protect(maps[i].win, maps[i].vunit << unit_bits,
                             unit_size, OS_PROT_READ) == 0) {
                maps[i].prot = OS_PROT_READ;
            } else {
                drv->invalidate(maps[i].win, maps[i].vunit << unit_bits,
                                unit_size);
                map_drop(i);
            }
        }
        i = next;
    }
    return n;
}

/* ------------------------------------------------------------------------
 * Cached guest contexts (docs/HAMT.md "Cached guest contexts")
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
 */

/* Paging-structure frames one context tracks; beyond that it is not cached
 * (every load drops all its mappings, as with one context). */
#define HAMT_CTX_FRAMES 128
/* A frame written this often while protected stays unprotected for good:
 * its dependent mappings are dropped at every CR3 load instead. */
#define HAMT_PT_VOLATILE 8
#define HAMT_CTX_NONE 0xffffffffu

typedef struct CtxFrame {
    uint32_t frame;   /* guest page number of a paging structure */
    uint32_t since;   /* pt_tick when the context started depending on it */
} CtxFrame;

typedef struct HamtCtx {
    uint32_t key;       /* the CR3 it caches (ctx_key), HAMT_CTX_NONE: free */
    uint64_t used;      /* LRU stamp */
    bool overflow;      /* a frame it cannot track: not coherent by writes */
    unsigned nframes;
    CtxFrame frames[HAMT_CTX_FRAMES];
} HamtCtx;

unsigned hamt_opt_contexts = HAMT_MAX_CTX;
static HamtCtx ctxs[HAMT_MAX_CTX];
static unsigned cur_ctx;
static uint64_t ctx_clock;
static unsigned ctx_ever;      /* contexts (bit) that ever held a CR3 */
/* MMU indices (bit) whose windows TBs may use: every context gets them. */
static unsigned idx_used;

/* Per guest RAM page (whether it is protected is its PF_PT flag):
 * contexts depending on it (bit per context; dirmask: as a directory),
 * writes while protected (saturating), pt_tick of its last protection. */
static uint8_t *pt_ctxmask, *pt_dirmask, *pt_writes;
static uint32_t *pt_reprot;
static uint32_t pt_frames, pt_tick;

BUILD_ASSERT(HAMT_MAX_CTX <= 8);

/* The context key of the CR3 in env (the PDPT or PD address). */
static uint32_t ctx_key(const CPUX86State *env)
{
    return (env->cr[4] & CR4_PAE) ? env->cr[3] & ~0x1fu : env->cr[3] & ~0xfffu;
}

/* Whether contexts are cached (--hamt-contexts > 1). */
static inline bool ctx_caching(void)
{
    return hamt_opt_contexts > 1 && pt_ctxmask != NULL;
}

/* Guest RAM page fr is a write-protected page-table frame. */
static inline bool pt_protected(uint32_t fr)
{
    return (guest_pflags[fr] & PF_PT) != 0;
}

/* Write-protect page-table frame fr: read-only in every window, stores
 * through the softmmu TLB take the slow path (PF_PT). */
static void pt_protect(uint32_t fr)
{
    uint32_t punit = (fr << GUEST_PAGE_BITS) >> unit_bits;

    /* dependants from before (made while it was writable) are stale */
    pt_reprot[fr] = ++pt_tick;
    guest_pflags[fr] |= PF_PT;
    hamt_stats.pt_protects++;
    unit_read_only(punit);
    softmmu_notdirty_page(hamt_env, fr << GUEST_PAGE_BITS);
}

/* A guest store is about to write physical pa (any path): a protected
 * page-table frame becomes dirty and writable.  mem_pt_write_hook. */
static void pt_written(uint32_t pa)
{
    uint32_t fr = pa >> GUEST_PAGE_BITS;

    if (fr >= pt_frames || !pt_protected(fr)) {
        return;
    }
    guest_pflags[fr] &= (uint8_t)~PF_PT;
    pt_writes[fr] += pt_writes[fr] < 255;
    hamt_stats.pt_writes++;
}

/* Context ci no longer depends on its k-th frame. */
static void ctx_forget_frame(unsigned ci, unsigned k)
{
    HamtCtx *c = &ctxs[ci];
    uint32_t fr = c->frames[k].frame;

    pt_ctxmask[fr] &= (uint8_t)~(1u << ci);
    pt_dirmask[fr] &= (uint8_t)~(1u << ci);
    if (pt_ctxmask[fr] == 0) {
        /* nobody depends on it: stores may go straight through again
         * (read-only mappings of it upgrade on their next write fault) */
        guest_pflags[fr] &= (uint8_t)~PF_PT;
    }
    c->frames[k] = c->frames[--c->nframes];
}

/* Drop every mapping of context ci and its frames. */
static void ctx_flush(unsigned ci)
{
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        flush_window(hamt_win(ci, idx));
    }
    while (ctxs[ci].nframes) {
        ctx_forget_frame(ci, ctxs[ci].nframes - 1);
    }
    ctxs[ci].overflow = false;
}

static bool map_still_valid(unsigned ci, int32_t i);

/*
 * Re-check the mappings of context ci that depend on page-table frame fr
 * (all: every mapping of the context, for a directory) against the page
 * tables now: drop those a walk would not give again unchanged.  Returns
 * the number kept.
 */
static unsigned ctx_recheck(unsigned ci, uint32_t fr, bool all)
{
    static uint32_t units[HAMT_MAX_MAP];
    unsigned kept = 0;

    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx), n = 0;

        /* candidates: the window's two live lists, or fr's PTE chain */
        for (unsigned list = 0; list < (all ? 2u : 1u); list++) {
            int32_t i = all ? lhead[w][list] : pthash[pthash_of(fr)];

            while (i >= 0) {
                int32_t next = all ? maps[i].lnext : maps[i].pnext;
                if (all || (maps[i].ptf == fr && maps[i].win == w)) {
                    if (map_still_valid(ci, i)) {
                        kept++;
                    } else {
                        units[n++] = maps[i].vunit;
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
        n += nlive[hamt_win(ci, idx)];
    }
    return n;
}

/*
 * Context ci depends on the paging structures a walk read (frames
 * f[0..n), top level first) for a page of psize: track and write-protect
 * them.  Returns the frame of the walk's PTE (~0u: a large page or paging
 * off), which the mappings made from the walk record.
 */
static uint32_t ctx_depend(unsigned ci, const uint32_t *f, unsigned n,
                           uint32_t psize)
{
    HamtCtx *c = &ctxs[ci];
    uint8_t bit = (uint8_t)(1u << ci);
    uint32_t leaf = (n != 0 && psize == GUEST_PAGE_SIZE) ? f[n - 1] : ~0u;

    if (!ctx_caching() || c->overflow) {
        return leaf;
    }
    for (unsigned k = 0; k < n; k++) {
        uint32_t fr = f[k];
        bool dir = k + 1 < n || leaf == ~0u;

        if (fr >= pt_frames) {
            c->overflow = true;       /* not RAM: writes are not seen */
            return leaf;
        }
        if (!(pt_ctxmask[fr] & bit)) {
            if (c->nframes == HAMT_CTX_FRAMES) {
                c->overflow = true;
                return leaf;
            }
            if (!pt_protected(fr) && pt_writes[fr] < HAMT_PT_VOLATILE) {
                pt_protect(fr);
            }
            c->frames[c->nframes].frame = fr;
            c->frames[c->nframes].since = pt_tick;
            c->nframes++;
            pt_ctxmask[fr] |= bit;
        }
        if (dir) {
            pt_dirmask[fr] |= bit;
        }
    }
    return leaf;
}

/* A directory change re-checks at most this many mappings; a context
 * with more is dropped whole. */
#define HAMT_RECHECK_MAX 4096

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
    HamtCtx *c = &ctxs[ci];
    uint8_t bit = (uint8_t)(1u << ci);
    unsigned k = 0;

    if (c->overflow) {
        hamt_stats.ctx_flushes++;
        ctx_flush(ci);
        return;
    }
    while (k < c->nframes) {
        uint32_t fr = c->frames[k].frame;
        bool dir = (pt_dirmask[fr] & bit) != 0;

        if (pt_protected(fr) && pt_reprot[fr] <= c->frames[k].since) {
            k++;
            continue;
        }
        if (dir && ctx_live(ci) > HAMT_RECHECK_MAX) {
            hamt_stats.ctx_flushes++;
            ctx_flush(ci);
            return;
        }
        /* protect first: re-checked mappings depend on it from now on */
        if (!pt_protected(fr) && pt_writes[fr] < HAMT_PT_VOLATILE) {
            pt_protect(fr);
        }
        c->frames[k].since = pt_tick;
        if (c->overflow) {
            hamt_stats.ctx_flushes++;
            ctx_flush(ci);
            return;
        }
        if (ctx_recheck(ci, fr, dir) == 0 && !dir) {
            ctx_forget_frame(ci, k);    /* nothing depends on it any more */
            continue;
        }
        k++;
    }
}

/* Make context ci current: its windows for every index in use. */
static void ctx_activate(CPUX86State *env, unsigned ci)
{
    cur_ctx = ci;
    ctxs[ci].used = ++ctx_clock;
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx);

        walked_clear(w);        /* walks are TLB state: a CR3 load ends them */
        if (hamt_window_base[w] == 0 && (idx_used & (1u << idx))) {
            hamt_window_ensure(idx);
        }
        env->hamt_window[idx] = hamt_window_base[w];
    }
    drv->switch_context(ci);
}

static bool ctx_windows_ok(unsigned ci);

/* No host address space for more contexts: from now on context 0 alone
 * caches key (every CR3 load drops its non-global mappings). */
static void ctx_collapse(uint32_t key)
{
    hlog("hamt: no host address space for more guest windows: one context "
         "from now on\n");
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctx_flush(ci);
        ctxs[ci].key = HAMT_CTX_NONE;
    }
    hamt_opt_contexts = 1;
    cur_ctx = 0;
    ctxs[0].key = key;
    for (unsigned w = hamt_win(1, 0); w < HAMT_NB_WIN; w++) {
        hamt_linux_release(w);      /* room for context 0's windows */
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        hamt_env->hamt_window[idx] = hamt_window_base[hamt_win(0, idx)];
    }
    drv->switch_context(0);
}

/* A context for key: a free one, else the least recently used other one
 * (hamt_opt_contexts >= 2). */
static unsigned ctx_alloc(uint32_t key)
{
    unsigned best = HAMT_MAX_CTX;

    for (unsigned ci = 0; ci < hamt_opt_contexts; ci++) {
        if (ctxs[ci].key == HAMT_CTX_NONE) {
            best = ci;
            break;
        }
        if (ci != cur_ctx &&
            (best == HAMT_MAX_CTX || ctxs[ci].used < ctxs[best].used)) {
            best = ci;
        }
    }
    if (ctxs[best].key == HAMT_CTX_NONE && !ctx_windows_ok(best)) {
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
    if (ctxs[best].key != HAMT_CTX_NONE) {
        hamt_stats.ctx_recycled++;
    }
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(best, idx);
        if (seen[w] != NULL) {
            /* another CR3: its first touches are not refills */
            memset(seen[w], 0, ((size_t)1 << (32 - unit_bits)) / 8);
        }
    }
    hamt_stats.ctx_new++;
    ctx_flush(best);
    ctxs[best].key = key;
    ctx_ever |= 1u << best;
    return best;
}

/* ------------------------------------------------------------------------
 * Refill
 */

enum { FILL_OK, FILL_SLOW, FILL_PF };

/* Guest page pa is plain RAM without MMIO/watch flags. */
static inline bool page_is_ram(uint32_t pa)
{
    return pa < guest_ram_size &&
           !(guest_pflags[pa >> GUEST_PAGE_BITS] & (PF_NOT_RAM | PF_WATCH));
}

/* Unit punit holds translated code in any of its guest pages. */
static bool unit_has_code(uint32_t punit)
{
    uint32_t first = (punit << unit_bits) >> GUEST_PAGE_BITS;

    for (uint32_t k = 0; k < unit_size >> GUEST_PAGE_BITS; k++) {
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
    uint32_t first = (punit << unit_bits) >> GUEST_PAGE_BITS;

    for (uint32_t k = 0; k < unit_size >> GUEST_PAGE_BITS; k++) {
        if (guest_pflags[first + k] & (PF_CODE | PF_PT)) {
            return true;
        }
    }
    return false;
}

/*
 * Guest pages walked (so A is set, and D if prot has PAGE_WRITE) since
 * their last flush, per index: a direct-mapped cache.  A unit larger than
 * a guest page may be mapped only when all its pages are here; losing an
 * entry only makes a unit unmappable for a while (conservative).
 */
#define WALKED_BITS 10
typedef struct Walked {
    uint32_t vpage, ppage;   /* page numbers; vpage ~0 = empty */
    uint8_t prot;
    bool global;
} Walked;
static Walked walked[HAMT_NB_WIN][1u << WALKED_BITS];

/* Remember a successful walk of linear for w. */
static void walked_add(unsigned w, uint32_t linear, const X86PageResult *res)
{
    Walked *wk = &walked[w][(linear >> GUEST_PAGE_BITS) & ((1u << WALKED_BITS) - 1)];

    wk->vpage = linear >> GUEST_PAGE_BITS;
    wk->ppage = res->paddr >> GUEST_PAGE_BITS;
    wk->prot = (uint8_t)res->prot;
    wk->global = res->global;
}

/* Forget everything walked for w. */
static void walked_clear(unsigned w)
{
    memset(walked[w], 0xff, sizeof(walked[w]));
}

/* Forget one page of w. */
static void walked_drop(unsigned w, uint32_t linear)
{
    Walked *wk = &walked[w][(linear >> GUEST_PAGE_BITS) & ((1u << WALKED_BITS) - 1)];

    if (wk->vpage == linear >> GUEST_PAGE_BITS) {
        wk->vpage = ~0u;
    }
}

/*
 * The unit containing linear, given the walk result res for linear: its
 * first physical address and the protection usable for the whole unit.
 * With units of 4 KiB that is res itself.  A larger unit needs every
 * guest page in it walked already (no speculative A/D updates), RAM, one
 * aligned physical run; its protection is the intersection.  False: the
 * unit cannot be mapped (yet): the access goes to the softmmu.
 */
static bool unit_peek(unsigned w, uint32_t vbase, uint32_t pa0,
                      unsigned *prot, bool *global);
static unsigned fill_run(unsigned w, uint32_t linear, uint32_t pbase,
                         uint32_t gsize, unsigned prot, bool global,
                         uint32_t ptf);

static bool unit_translate(CPUX86State *env, unsigned w, uint32_t linear,
                           const X86PageResult *res, uint32_t *pbase,
                           unsigned *prot, bool *global)
{
    uint32_t vbase = linear & ~(unit_size - 1);
    uint32_t pa0 = (res->paddr & GUEST_PAGE_MASK) - ((linear & GUEST_PAGE_MASK) - vbase);

    (void)env;
    if (unit_size == GUEST_PAGE_SIZE) {
        *pbase = res->paddr & GUEST_PAGE_MASK;
        *prot = res->prot;
        *global = res->global;
        return page_is_ram(*pbase);
    }
    if (pa0 & (unit_size - 1)) {
        return false;
    }
    if (w == MMU_PHYS_IDX || res->page_size >= unit_size) {
        /* one identity range or one large guest page: one A/D, one prot */
        for (uint32_t off = 0; off < unit_size; off += GUEST_PAGE_SIZE) {
            if (!page_is_ram(pa0 + off)) {
                return false;
            }
        }
        *pbase = pa0;
        *prot = res->prot;
        *global = res->global;
        return true;
    }
    if (!unit_peek(w, vbase, pa0, prot, global)) {
        return false;
    }
    *pbase = pa0;
    return true;
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

/* Peek walks (group_peek): page-table reads from RAM; an A/D update the
 * walk would make is only noted, never written. */
static bool peek_wrote;
/* Set when unit_translate fails only because a sibling page is not walked
 * yet (its A/D bits would change): a later fill may cure it. */
static bool unit_transient;

/*
 * Paging-structure frames read by the walks since wdeps_n was reset, top
 * level first (the two halves of a PAE entry, read in either order, count
 * once): what the mappings made from the walk depend on (ctx_depend).
 */
static uint32_t wdeps[4];
static unsigned wdeps_n;
static uint32_t wdeps_last;

/* Note a paging-structure read at pa. */
static void wdeps_note(uint32_t pa)
{
    bool pae = hamt_env != NULL && (hamt_env->cr[4] & CR4_PAE);

    if (pae && wdeps_n != 0 && (wdeps_last & ~7u) == (pa & ~7u)) {
        return;                 /* the other half of the same PAE entry */
    }
    wdeps_last = pa;
    if (wdeps_n < ARRAY_SIZE(wdeps)) {
        wdeps[wdeps_n++] = pa >> GUEST_PAGE_BITS;
    }
}

/* Refill walks: read a paging-structure dword, noting its frame. */
static uint32_t rec_ld32(void *opaque, uint32_t pa)
{
    (void)opaque;
    wdeps_note(pa);
    return (uint32_t)phys_read(pa, 4);
}

/* Refill walks: the A/D update, as x86_mmu_walk makes it. */
static void rec_st32(void *opaque, uint32_t pa, uint32_t val)
{
    (void)opaque;
    phys_write_notdirty(pa, val, 4);
}

static const X86WalkOps rec_ops = { rec_ld32, rec_st32, NULL };

/* Peek: the walk wanted to set A or D: the page is not "already walked". */
static void peek_st32(void *opaque, uint32_t pa, uint32_t val)
{
    (void)opaque;
    (void)pa;
    (void)val;
    peek_wrote = true;
}

/* Peek walks read (and note) like refill walks, but write nothing. */
static const X86WalkOps peek_ops = { rec_ld32, peek_st32, NULL };

/*
 * Whether mapping i of context ci (whose CR3 is loaded) is what a refill
 * would map now: for each guest page of the unit, a walk that changes
 * nothing succeeds without wanting to set A, to the same frame, G bit and
 * PTE frame, with write permission (D set) if the mapping is writable.
 * The walk's paging structures become dependencies of ci.
 */
static bool map_still_valid(unsigned ci, int32_t i)
{
    const HamtMap *m = &maps[i];
    unsigned idx = hamt_win_idx(m->win);
    uint32_t vbase = m->vunit << unit_bits, pbase = m->punit << unit_bits;

    for (uint32_t off = 0; off < unit_size; off += GUEST_PAGE_SIZE) {
        X86PageResult r;
        uint32_t leaf;

        peek_wrote = false;
        wdeps_n = 0;
        if (x86_mmu_walk_ops(hamt_env, vbase + off, MMU_DATA_LOAD, (int)idx,
                             &r, &peek_ops) != 0 || peek_wrote ||
            (r.paddr & GUEST_PAGE_MASK) != pbase + off || r.global != m->global ||
            ((m->prot & OS_PROT_WRITE) && !(r.prot & PAGE_WRITE))) {
            return false;
        }
        leaf = ctx_depend(ci, wdeps, wdeps_n, r.page_size);
        if (leaf != m->ptf) {
            return false;
        }
    }
    return true;
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

    peek_wrote = false;
    if (x86_mmu_walk_ops(hamt_env, lin, MMU_DATA_LOAD, (int)hamt_win_idx(w), &r, &peek_ops) != 0 ||
        peek_wrote || r.paddr != pa || r.global != global ||
        host_prot(r.prot, pa >> unit_bits) != prot) {
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
 * speculatively.  prot and global (out): the intersection.
 */
static bool unit_peek(unsigned w, uint32_t vbase, uint32_t pa0,
                      unsigned *prot, bool *global)
{
    unsigned p = PAGE_READ | PAGE_WRITE;
    bool g = true;

    for (uint32_t off = 0; off < unit_size; off += GUEST_PAGE_SIZE) {
        uint32_t vp = (vbase + off) >> GUEST_PAGE_BITS;
        const Walked *wk = &walked[w][vp & ((1u << WALKED_BITS) - 1)];
        X86PageResult r;

        if (!page_is_ram(pa0 + off)) {
            return false;
        }
        if (wk->vpage == vp && wk->ppage == (pa0 + off) >> GUEST_PAGE_BITS) {
            p &= wk->prot;
            g = g && wk->global;
            continue;
        }
        peek_wrote = false;
        if (hamt_env == NULL ||
            x86_mmu_walk_ops(hamt_env, vbase + off, MMU_DATA_LOAD, (int)hamt_win_idx(w),
                             &r, &peek_ops) != 0 ||
            (r.paddr & GUEST_PAGE_MASK) != pa0 + off) {
            return false;       /* not present, or not one physical run */
        }
        if (peek_wrote) {
            unit_transient = true;  /* A/D not set yet: a later fill may */
            return false;
        }
        walked_add(w, vbase + off, &r);
        p &= r.prot;
        g = g && r.global;
    }
    *prot = p;
    *global = g;
    return true;
}

/*
 * Units larger than a guest page: after a slow-path access that filled the
 * softmmu TLB (so the page is walked now), map the unit of addr if all its
 * guest pages are walked (unit_peek), so the next access through the
 * window hits instead of taking another "split unit" fault.
 */
static void unit_fill_after_slow(unsigned idx, uint32_t addr)
{
    uint32_t vbase = addr & ~(unit_size - 1), pa0, ptf;
    unsigned gprot, prot, w = hamt_win(cur_ctx, idx);
    bool global;
    X86PageResult r;

    if (idx >= MMU_PHYS_IDX || hamt_env == NULL ||
        hamt_window_base[w] == 0 || map_find(w, addr >> unit_bits) >= 0 ||
        mem_watch_test(vbase, unit_size)) {
        return;
    }
    if (pressure_high || seen_test(w, addr >> unit_bits)) {
        /* the unit churns (mapped before, flushed since) or host faults
         * are costly now: a mapping nobody may use is a syscall to make
         * and another to remove; a HAMT access that needs it maps it */
        return;
    }
    peek_wrote = false;
    wdeps_n = 0;
    if (x86_mmu_walk_ops(hamt_env, vbase, MMU_DATA_LOAD, (int)idx, &r,
                         &peek_ops) != 0 || peek_wrote ||
        r.page_size > GUEST_PAGE_SIZE) {
        return;    /* large pages: hamt_fill maps them directly */
    }
    pa0 = r.paddr & GUEST_PAGE_MASK;
    ptf = ctx_depend(cur_ctx, wdeps, wdeps_n, r.page_size);
    if ((pa0 & (unit_size - 1)) || !unit_peek(w, vbase, pa0, &gprot, &global)) {
        return;
    }
    prot = host_prot(gprot, pa0 >> unit_bits);
    if (fill_run(w, addr, pa0, GUEST_PAGE_SIZE, prot, global, ptf) != 0) {
        hamt_stats.slow_fills++;
        hamt_stats.fill_pages++;
    }
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
    uint32_t run = HAMT_RUN_UNITS << unit_bits;
    uint32_t vunit = linear >> unit_bits, punit = pbase >> unit_bits;
    uint32_t vstart = linear & ~(run - 1);
    uint32_t pstart = pbase - ((linear & ~(unit_size - 1)) - vstart);
    uint32_t gbase = linear & ~(gsize - 1);
    unsigned n = 1;
    bool peek = gsize < run && unit_size == GUEST_PAGE_SIZE &&
                w != MMU_PHYS_IDX && hamt_env != NULL;
    bool group = (gsize >= run || peek) && (peek || vstart >= gbase) &&
                 (pstart & (run - 1)) == 0 && pstart < guest_ram_size &&
                 run <= guest_ram_size - pstart && !mem_watch_test(vstart, run);

    for (uint32_t off = 0; group && off < run; off += unit_size) {
        uint32_t pu = (pstart + off) >> unit_bits;
        if (map_find(w, (vstart + off) >> unit_bits) >= 0 ||
            !page_is_ram(pstart + off) ||
            ((prot & OS_PROT_WRITE) && unit_store_slow(pu))) {
            group = false;
        }
        for (uint32_t k = 1; group && k < unit_size >> GUEST_PAGE_BITS; k++) {
            if (!page_is_ram(pstart + off + k * GUEST_PAGE_SIZE)) {
                group = false;
            }
        }
        if (group && peek && vstart + off != (linear & ~(unit_size - 1)) &&
            !group_peek(w, vstart + off, pstart + off, prot, global)) {
            group = false;
        }
    }
    if (group && drv->install(w, vstart, pstart, run, prot, global) == 0) {
        for (uint32_t off = 0; off < run; off += unit_size) {
            map_insert(w, (vstart + off) >> unit_bits, (pstart + off) >> unit_bits,
                       prot, global, ptf);
        }
        n = HAMT_RUN_UNITS;
    } else {
        int r = drv->install(w, vunit << unit_bits, punit << unit_bits,
                             unit_size, prot, global);
        if (r != 0) {
            /* out of host mappings: evict a batch, retry once */
            for (unsigned k = 0; k < 256; k++) {
                map_alloc();
            }
            ring_next = (ring_next + HAMT_MAX_MAP - 256) % HAMT_MAX_MAP;
            r = drv->install(w, vunit << unit_bits, punit << unit_bits,
                             unit_size, prot, global);
            if (r != 0) {
                return 0;
            }
        }
        map_insert(w, vunit, punit, prot, global, ptf);
    }
    if (gsize > unit_size) {
        uint32_t hi = gbase + (gsize - 1);
        large_lo[w] = MIN(large_lo[w], gbase);
        large_hi[w] = MAX(large_hi[w], hi);
    }
    return n;
}

/* Set by hamt_fill: the FILL_SLOW was a unit not mappable yet (16 KiB
 * units whose sibling pages are not walked), which unit_fill_after_slow or
 * a later fill usually cures: weighs less toward retranslation. */
static bool fill_transient;

/* Account a host fault that kept the handler from t0 to t1 to the
 * fill-pressure window; closes the window after HAMT_PRESSURE_NS. */
static void pressure_account(uint64_t t0, uint64_t t1)
{
    pressure_ns += (t1 - t0) * HAMT_FAULT_COST_X;
    if (pressure_start == 0) {
        pressure_start = t0;
    }
    if (t1 - pressure_start >= HAMT_PRESSURE_NS) {
        pressure_high = pressure_ns * 100 >=
                        (t1 - pressure_start) * HAMT_PRESSURE_PCT;
        hamt_stats.pressure_windows += pressure_high;
        pressure_start = t1;
        pressure_ns = 0;
    }
}

/* Refill for an access to linear in window w: FILL_* and the cause. */
static int hamt_fill(CPUX86State *env, unsigned w, uint32_t linear,
                     bool is_write)
{
    X86PageResult res;
    uint32_t pbase, punit, ptf, vunit = linear >> unit_bits;
    uint32_t pg;
    unsigned gprot, prot;
    bool global;
    int32_t e;
    int r;

    wdeps_n = 0;
    r = x86_mmu_walk_ops(env, linear, is_write ? MMU_DATA_STORE : MMU_DATA_LOAD,
                         (int)hamt_win_idx(w), &res, &rec_ops);
    if (r != 0) {
        hamt_stats.fault_pf++;
        return FILL_PF;
    }
    walked_add(w, linear, &res);
    if (mem_watch_test(linear & ~(unit_size - 1), unit_size)) {
        hamt_stats.fault_watch++;     /* never mapped: the softmmu logs it */
        return FILL_SLOW;
    }
    if (!page_is_ram(res.paddr & GUEST_PAGE_MASK)) {
        hamt_stats.fault_mmio++;
        return FILL_SLOW;
    }
    /* what the mapping derives from: write-protect it (cached contexts) */
    ptf = ctx_depend(cur_ctx, wdeps, wdeps_n, res.page_size);
    unit_transient = false;
    if (!unit_translate(env, w, linear, &res, &pbase, &gprot, &global)) {
        /* not mappable (yet: fill_transient); a unit mapped before (and
         * flushed since) is churn like a refill: its slow path maps it */
        hamt_stats.fault_split++;
        fill_transient = unit_transient;
        fill_churn = seen_test(w, vunit);
        hamt_stats.fault_churn += fill_churn;
        return FILL_SLOW;
    }
    punit = pbase >> unit_bits;
    prot = host_prot(gprot, punit);
    pg = res.paddr >> GUEST_PAGE_BITS;
    if (is_write && !(prot & OS_PROT_WRITE) && (gprot & PAGE_WRITE) &&
        pg < pt_frames && pt_protected(pg)) {
        /* the first write to a protected page-table frame: dirty now */
        hamt_stats.fault_ptwrite++;
        pt_written(res.paddr);
        prot = host_prot(gprot, punit);
    }
    if (is_write && !(prot & OS_PROT_WRITE)) {
        if (unit_has_code(punit)) {
            hamt_stats.fault_smc++;
        } else {
            hamt_stats.fault_split++;
            fill_transient = true;
        }
        return FILL_SLOW;
    }
    e = map_find(w, vunit);
    if (e >= 0 && maps[e].punit == punit) {
        /* present with fewer rights: the D-bit (or unprotect) upgrade */
        if (maps[e].prot != prot) {
            hamt_stats.fault_dbit++;
            if (drv->protect(w, vunit << unit_bits, unit_size, prot) != 0) {
                return FILL_SLOW;
            }
            maps[e].prot = (uint8_t)prot;
        } else {
            /*
             * Already mapped as asked: the fault was not on this unit (an
             * access crossing into the next unit on a host that reports
             * its first byte).  Retrying would loop: take the slow path.
             */
            hamt_stats.fault_split++;
            return FILL_SLOW;
        }
        map_set_global(e, global);
        hamt_stats.fills++;
        return FILL_OK;
    }
    if (e >= 0) {
        map_drop(e);     /* stale frame: the new mmap replaces it */
    }
    hamt_stats.fault_miss++;
    fill_churn = seen_test(w, vunit);
    hamt_stats.fault_churn += fill_churn;
    if (w == MMU_PHYS_IDX) {
        res.page_size = 4u << 20;
    }
    {
        unsigned n = fill_run(w, linear, pbase, res.page_size, prot, global,
                              ptf);
        if (n == 0) {
            hamt_stats.fault_split++;
            return FILL_SLOW;
        }
        hamt_stats.fill_pages += n;
    }
    hamt_stats.fills++;
    return FILL_OK;
}

/* ------------------------------------------------------------------------
 * The fault handler
 */

/*
 * Window index and guest linear address of host address host, or -1; -2 -
 * index for the guard above the window (an access that crossed linear
 * 0x7fffffff -> 0x80000000, or the end of a paging-off window).  Host
 * offset off from the base (linear 0) is sext32(linear) (hamt.h):
 *   full window:  -2 GiB <= off < 2 GiB,  guard 2 GiB <= off < 2 GiB + 64 KiB
 *   span <= 2 GiB:     0 <= off < span,   guard span <= off < span + 64 KiB
 */
int hamt_window_of(uintptr_t host, uint32_t *linear)
{
    for (unsigned i = 0; i < HAMT_NB_WIN; i++) {
        uintptr_t b = hamt_window_base[i];
        bool full = hamt_window_span[i] > HAMT_WINDOW_HALF;
        int64_t lo = full ? -(int64_t)HAMT_WINDOW_HALF : 0;
        int64_t hi = full ? (int64_t)HAMT_WINDOW_HALF
                          : (int64_t)hamt_window_span[i];
        int64_t off = (int64_t)(intptr_t)(host - b);

        if (b != 0 && off >= lo && off < hi + (int64_t)HAMT_GUARD_SIZE) {
            *linear = (uint32_t)off;
            return off >= hi ? -2 - (int)i : (int)i;
        }
    }
    return -1;
}

/* Whether the host instruction at pc stores (decoding our own code). */
static bool host_insn_is_store(uintptr_t pc)
{
    uint32_t w;

    memcpy(&w, (const void *)pc, 4);
#if defined(__mips__)
    switch (w >> 26) {
    case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
    case 0x2e: case 0x3f: case 0x38: case 0x3c:
        return true;
    default:
        return false;
    }
#elif defined(__loongarch__)
    /* st.b/h/w/d, stptr.w/d, stx.b/h/w/d */
    if ((w >> 22) >= 0xa4 && (w >> 22) <= 0xa7) {
        return true;
    }
    if ((w >> 24) == 0x25 || (w >> 24) == 0x27) {
        return true;
    }
    if ((w >> 15) >= 0x7020 && (w >> 15) <= 0x7038 && ((w >> 15) & 7) == 0) {
        return true;
    }
    return false;
#else
    (void)w;
    return false;
#endif
}

/* Interpreter recovery: leave the faulting access for its slow path. */
static NORETURN void hamt_interp_landing(void *arg)
{
    void **buf = hamt_recover;

    (void)arg;
    hamt_recover = NULL;
    cpu_longjmp(buf);
}

/* Default backend hook: no JIT HAMT sites in this build. */
__attribute__((weak)) bool hamt_backend_find_site(uintptr_t pc, HamtSite *site)
{
    (void)pc;
    (void)site;
    return false;
}

/* Default backend hook: nothing to patch. */
__attribute__((weak)) void hamt_backend_patch_site(uintptr_t pc, uintptr_t stub)
{
    (void)pc;
    (void)stub;
}

/* Slow-path entries per JIT site (direct-mapped by host PC, outside the
 * code cache: writes there are costly under qemu-user), weighted
 * (HAMT_HIT_WEIGHT per entry, 1 per transient split); returns true when
 * the site just reached the retranslation threshold. */
#define HAMT_HIT_WEIGHT 16
/* Weight of a churn refill (or churn split fault) under fill pressure. */
#define HAMT_CHURN_WEIGHT \
    (HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT / HAMT_CHURN_REFILLS)
static bool site_hit(uintptr_t pc, uint32_t weight)
{
    static struct { uintptr_t pc; uint32_t hits; } sites[4096];
    unsigned i = (unsigned)((pc >> 2) * 0x9e3779b1u) >> 20;

    if (sites[i].pc != pc) {
        sites[i].pc = pc;
        sites[i].hits = 0;
    }
    sites[i].hits += weight;
    return sites[i].hits >= HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT &&
           sites[i].hits - weight < HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT;
}

/*
 * Hot fallback sites, by guest physical PC of the instruction (+1, so 0 is
 * free): a small open-addressed set, never shrunk (a stale entry only
 * costs the softmmu inline path at that instruction).
 */
#define HOT_BITS 12
static uint32_t hot_set[1u << HOT_BITS];
static unsigned hot_count;

/* Guest physical address of the instruction at eip of tb. */
static uint32_t insn_phys(const TranslationBlock *tb, uint32_t eip)
{
    uint32_t off = (tb->phys_pc & ~GUEST_PAGE_MASK) + (eip - tb->pc);

    if (off < GUEST_PAGE_SIZE || tb->phys_page2 == ~0u) {
        return tb->phys_pc + (eip - tb->pc);
    }
    return tb->phys_page2 + (off - GUEST_PAGE_SIZE);
}

/* Slot of phys in hot_set (its own or the empty one ending the probe). */
static unsigned hot_slot(uint32_t phys)
{
    unsigned i = (phys * 0x9e3779b1u) >> (32 - HOT_BITS);

    while (hot_set[i] != 0 && hot_set[i] != phys + 1) {
        i = (i + 1) & ((1u << HOT_BITS) - 1);
    }
    return i;
}

/* Lowering: emit the softmmu inline access for the insn at eip of tb? */
bool hamt_hot_insn(const TranslationBlock *tb, uint32_t eip)
{
    uint32_t phys;

    if (hot_count == 0 || tb == NULL) {
        return false;
    }
    phys = insn_phys(tb, eip);
    return hot_set[hot_slot(phys)] == phys + 1;
}

/*
 * The JIT site at pc keeps going to the slow path: remember its guest
 * instruction and invalidate the TBs holding it, so it is retranslated
 * with an inline softmmu access.  Safe in the handler: the fault came from
 * generated code, which holds no TB-structure state; the running TB's code
 * stays in the cache until it exits (its site is patched to the stub).
 */
static void hot_site_add(CPUX86State *env, uintptr_t pc)
{
    const TranslationBlock *tb = tb_find_by_host_pc(pc);
    uint32_t off, phys;
    int i;

    if (tb == NULL || tb->icount == 0 || tb->invalid ||
        hot_count >= (1u << HOT_BITS) / 2) {
        return;
    }
    off = (uint32_t)(pc - (uintptr_t)tb->host_code);
    for (i = tb->icount - 1; i > 0 && tb->insn_host_off[i] > off; i--) {
        continue;
    }
    phys = insn_phys(tb, tb->insn_eip[i]);
    if (hot_set[hot_slot(phys)] == 0) {
        hot_set[hot_slot(phys)] = phys + 1;
        hot_count++;
    }
    hamt_stats.retranslations++;
    tb_invalidate_phys_range(env, phys, phys + 1);
}

/*
 * Weight of a slow-path entry (not a guest #PF: the softmmu would raise it
 * too) toward its site's retranslation: under fill pressure every one
 * counts 1/HAMT_CHURN_REFILLS of the threshold (host faults are a
 * measurable share of the time, and a unit not mappable "yet" may stay so:
 * a 16 KiB unit with a never-accessed page); otherwise a unit that a later
 * fill may make mappable counts 1/16 of a plain fallback.
 */
static uint32_t site_weight(void)
{
    if (pressure_high) {
        return HAMT_CHURN_WEIGHT;
    }
    return fill_transient ? 1 : HAMT_HIT_WEIGHT;
}

/* Send the JIT site at pc to its stub from now on (patch) and have its TB
 * retranslated with the inline softmmu access (hot set). */
static void site_retranslate(CPUX86State *env, uintptr_t pc, uintptr_t stub)
{
    hamt_stats.patched_sites++;
    hamt_backend_patch_site(pc, stub);
    hot_site_add(env, pc);
}

/* SIGSEGV/SIGBUS: refill, or send the access to its slow path. */
bool hamt_fault(OSFault *f)
{
    uint64_t t0 = os_clock_ns();
    CPUX86State *env = hamt_env;
    HamtSite site;
    uint32_t linear = 0;
    int w = hamt_window_of(f->addr, &linear);
    uintptr_t fixup = 0;
    bool jit, is_write;
    int r;

    if (w == -1 || env == NULL) {
        return false;
    }
    jit = hamt_backend_find_site(f->pc, &site);
    if (!jit) {
        fixup = hamt_probe_fixup(f->pc);
    }
    if (!jit && fixup == 0 && hamt_recover == NULL) {
        return false;       /* a window access from unknown code: a bug */
    }
    hamt_stats.faults++;
    fill_transient = false;
    fill_churn = false;
    is_write = f->is_write >= 0 ? f->is_write != 0 : host_insn_is_store(f->pc);
    if (f->kind == OS_FAULT_BUS) {
        hamt_stats.fault_unaligned++;
        r = FILL_SLOW;
    } else if (w < -1) {
        hamt_stats.fault_split++;     /* crossed 0x7fffffff (or the end of
                                         RAM) into the guard */
        r = FILL_SLOW;
    } else if (hamt_win_ctx((unsigned)w) != cur_ctx && w != MMU_PHYS_IDX) {
        /* a window of another context (no TB should run with it: every
         * CR3 load ends the TB): the slow path uses the current CR3 */
        hamt_stats.fault_other_ctx++;
        r = FILL_SLOW;
    } else {
        r = hamt_fill(env, (unsigned)w, linear, is_write);
    }
    if (DEBUG_HAMT) {
        hlog("hamt: fault pc %p w %d lin 0x%08x %s -> %d\n", (void *)f->pc,
             w, linear, is_write ? "W" : "R", r);
    }
    if (r != FILL_OK) {
        hamt_stats.fallbacks++;
        if (jit) {
            if (r == FILL_SLOW && hamt_opt_adapt &&
                site_hit(f->pc, site_weight())) {
                site_retranslate(env, f->pc, site.stub);
            }
            os_fault_set_pc(f, site.stub);
        } else if (fixup != 0) {
            os_fault_set_pc(f, fixup);
        } else {
            os_fault_redirect_call(f, hamt_interp_landing, NULL);
        }
    } else if (jit && fill_churn && pressure_high && hamt_opt_adapt &&
               site_hit(f->pc, HAMT_CHURN_WEIGHT)) {
        /*
         * A refill storm: this site keeps remapping units that flushes
         * took away.  The unit is mapped now, so the retried access would
         * work; send the site to its stub from now on and retranslate it
         * with the inline softmmu access, whose refill costs a walk, not
         * a host fault and a syscall.  The patch may have replaced the
         * access itself (LoongArch: b stub; MIPS: nop in the delay slot
         * of the branch), so this access goes to the stub too.
         */
        hamt_stats.churn_sites++;
        site_retranslate(env, f->pc, site.stub);
        os_fault_set_pc(f, site.stub);
    }
    {
        uint64_t t1 = os_clock_ns();
        hamt_stats.ns_handler += t1 - t0;
        pressure_account(t0, t1);
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Interpreter accessors
 */

/* host-interp/interp.c: route the interpreter's accesses through us. */
extern bool interp_mem_hamt;

/*
 * Interpreter adaptation from counted reuse (issue 16 item 6).  The
 * interpreter has no JIT sites to retranslate; it can take the softmmu
 * TLB path for every access instead (interp_mem_hamt = false: HAMT keeps
 * that TLB valid, so no state moves).  Decided from counts, not the clock:
 *   HAMT mode     every IA_WINDOW accesses: fewer than IA_REUSE accesses
 *                 per host fault in IA_STREAK windows in a row -> the
 *                 fills do not pay: softmmu mode (a first-touch burst,
 *                 as at boot, is shorter than a streak);
 *   softmmu mode  every IA_WINDOW TLB misses (slow-path entries): more
 *                 than 4 * IA_REUSE accesses per miss -> the working set
 *                 settled: HAMT mode again.
 */
#define IA_WINDOW 4096u
#define IA_REUSE  64u
#define IA_STREAK 4u

static struct {
    bool off;              /* switched to the softmmu path by us */
    uint32_t streak;       /* non-paying HAMT windows in a row */
    uint32_t count;        /* accesses (HAMT) / misses (softmmu) in window */
    uint64_t faults0;      /* hamt_stats.faults at the window start */
    uint64_t hits0;        /* sum of env->tlb_hits at the window start */
} ia;

/* Sum of the softmmu TLB hits the interpreter counted. */
static uint64_t ia_tlb_hits(const CPUX86State *env)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < CPU_TLB_NB_MODES; i++) {
        n += env->tlb_hits[i];
    }
    return n;
}

/* End of a HAMT-mode window: switch to the softmmu path if fills churn. */
static void ia_check_hamt(CPUX86State *env)
{
    uint64_t faults = hamt_stats.faults - ia.faults0;

    ia.streak = faults * IA_REUSE > ia.count ? ia.streak + 1 : 0;
    if (hamt_opt_adapt && ia.streak >= IA_STREAK) {
        ia.streak = 0;
        interp_mem_hamt = false;
        ia.off = true;
        ia.hits0 = ia_tlb_hits(env);
        hamt_stats.interp_to_softmmu++;
    }
    ia.count = 0;
    ia.faults0 = hamt_stats.faults;
}

/* A TLB miss in softmmu mode; at a window end, back to HAMT if reused. */
static void ia_miss(CPUX86State *env)
{
    uint64_t accesses;

    if (likely(!ia.off) || ++ia.count < IA_WINDOW) {
        return;
    }
    accesses = ia_tlb_hits(env) - ia.hits0 + ia.count;
    if (accesses > (uint64_t)ia.count * IA_REUSE * 4) {
        interp_mem_hamt = true;
        ia.off = false;
        ia.faults0 = hamt_stats.faults;
        hamt_stats.interp_to_hamt++;
    }
    ia.count = 0;
    ia.hits0 = ia_tlb_hits(env);
}

/* Host address of the interpreter access, or 0 if it must take the slow
 * path directly (page crossing, paging-off access beyond RAM). */
static inline uintptr_t interp_host(CPUX86State *env, uint32_t addr,
                                    unsigned size, unsigned idx)
{
    uintptr_t base = env->hamt_window[idx];

    if (unlikely(++ia.count >= IA_WINDOW)) {
        ia_check_hamt(env);
    }

    if ((addr & ~GUEST_PAGE_MASK) > GUEST_PAGE_SIZE - size ||
        (idx == MMU_PHYS_IDX && addr >= hamt_phys_limit)) {
        return 0;
    }
    if (unlikely(base == 0)) {
        base = hamt_window_ensure(idx);
    }
    return hamt_host_addr(base, addr);    /* as generated code: base + sext */
}

#ifdef HAMT_HAVE_PROBES
/* Guest load through the window: one probe; a fault the refill handler
 * cannot map makes the probe return HAMT_PROBE_FAULT: the slow path. */
uint32_t hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                        unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host = interp_host(env, addr, size, idx);
    uint64_t v;

    if (host != 0) {
        v = size == 4 ? hamt_probe_ld32(host) :
            size == 2 ? hamt_probe_ld16(host) : hamt_probe_ld8(host);
        if (likely(v != HAMT_PROBE_FAULT)) {
            return memop_extend((uint32_t)v, memop);
        }
    }
    return mem_ld_slow(env, addr, MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx), 0);
}

/* Guest store through the window (probe; slow path on its fault status). */
void hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host = interp_host(env, addr, size, idx);

    if (host != 0 &&
        (size == 4 ? hamt_probe_st32(host, val) :
         size == 2 ? hamt_probe_st16(host, val) : hamt_probe_st8(host, val)) == 0) {
        return;
    }
    mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
}
#else
/* Hosts without probes: setjmp accessors. */
/* An access's arguments kept in memory across the recovery longjmp (the
 * landing function does not preserve callee-saved registers). */
typedef struct SavedAccess {
    CPUX86State *env;
    uint32_t addr, val;
    unsigned oi;
} SavedAccess;
static volatile SavedAccess saved;

/* Guest load through the window; faults refill or go to the slow path. */
uint32_t hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                        unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt_jmpbuf;
    uintptr_t host = interp_host(env, addr, size, idx);
    uint32_t v;

    if (host == 0) {
        return mem_ld_slow(env, addr, MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx), 0);
    }
    /* the arguments as the recovery path finds them after the longjmp */
    saved.env = env;
    saved.addr = addr;
    saved.oi = MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx);
    if (cpu_setjmp(buf)) {
        hamt_recover = NULL;
        return mem_ld_slow(saved.env, saved.addr, saved.oi, 0);
    }
    hamt_recover = buf;
    if (size == 1) {
        v = *(volatile uint8_t *)host;
    } else if (size == 2) {
        v = *(volatile uint16_t *)host;
    } else {
        v = *(volatile uint32_t *)host;
    }
    hamt_recover = NULL;
    return memop_extend(v, memop);
}

/* Guest store through the window; faults refill or go to the slow path. */
void hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt_jmpbuf;
    uintptr_t host = interp_host(env, addr, size, idx);

    if (host == 0) {
        mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
        return;
    }
    saved.env = env;
    saved.addr = addr;
    saved.val = val;
    saved.oi = MAKE_OI(memop & MO_SIZE, idx);
    if (cpu_setjmp(buf)) {
        hamt_recover = NULL;
        mem_st_slow(saved.env, saved.addr, saved.val, saved.oi, 0);
        return;
    }
    hamt_recover = buf;
    if (size == 1) {
        *(volatile uint8_t *)host = (uint8_t)val;
    } else if (size == 2) {
        *(volatile uint16_t *)host = (uint16_t)val;
    } else {
        *(volatile uint32_t *)host = val;
    }
    hamt_recover = NULL;
}

#endif /* HAMT_HAVE_PROBES */

/* ------------------------------------------------------------------------
 * The MemPath: softmmu for C accesses and fetches, windows for the rest
 */

/* Reserve window w (MMU index idx); 0 if the host has no room for it. */
static uintptr_t window_reserve(unsigned w, unsigned idx)
{
    uint64_t span = HAMT_WINDOW_SPAN;
    uintptr_t b;

    /*
     * Paging off, RAM up to 2 GiB: [mid, mid + limit) + guard.  Above (up
     * to 3584 MiB with -m), linear >= 2 GiB lives below mid, so reserve the
     * full 4 GiB layout; generated code still bounds accesses by the limit.
     */
    if (idx == MMU_PHYS_IDX && hamt_phys_limit <= HAMT_WINDOW_HALF) {
        span = hamt_phys_limit;
    }
    b = hamt_linux_reserve(w, span);
    if (b == 0) {
        return 0;
    }
    if (DEBUG_HAMT) {
        hlog("hamt: window %u (index %u, context %u) at %p, %llu MiB\n", w,
             idx, hamt_win_ctx(w), (void *)b, (unsigned long long)(span >> 20));
    }
    if (seen[w] == NULL) {
        /* one bit per unit; no memory only disables churn detection */
        seen[w] = os_zalloc(((size_t)1 << (32 - unit_bits)) / 8);
    }
    return b;
}

/* The window of idx in the current context, reserved on first use;
 * published in env. */
uintptr_t hamt_window_ensure(unsigned idx)
{
    unsigned w = hamt_win(cur_ctx, idx);
    uintptr_t b = hamt_window_base[w];

    idx_used |= 1u << idx;
    if (b != 0) {
        return b;
    }
    b = window_reserve(w, idx);
    if (b == 0 && cur_ctx != 0 && hamt_env != NULL) {
        /* called between TBs (translation) or by the interpreter, which
         * reads the base for every access: contexts may change here */
        ctx_collapse(ctx_key(hamt_env));
        w = hamt_win(0, idx);
        b = hamt_window_base[w] ? hamt_window_base[w] : window_reserve(w, idx);
    }
    if (b == 0) {
        os_fatal(1, "hamt: cannot reserve the guest window of MMU index %u "
                 "(4 GiB of host address space)", idx);
    }
    if (hamt_env != NULL) {
        hamt_env->hamt_window[idx] = b;
    }
    return b;
}

/* Whether context ci has (or could reserve now) a window for every MMU
 * index in use. */
static bool ctx_windows_ok(unsigned ci)
{
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx);
        if ((idx_used & (1u << idx)) && hamt_window_base[w] == 0 &&
            window_reserve(w, idx) == 0) {
            return false;
        }
    }
    return true;
}

/* Reserve the windows, install the handler, publish the bases. */
static void hamt_init(CPUX86State *env)
{
    size_t hp = os_host_page_size();
    uint32_t want = hamt_opt_host_page ? hamt_opt_host_page : (uint32_t)hp;

    mempath_softmmu.init(env);
    if (want < hp) {
        want = (uint32_t)hp;
    }
    if (want != 4096 && want != 16384 && want != 65536) {
        os_fatal(1, "hamt: unsupported host page size %u", want);
    }
    unit_size = want;
    unit_bits = (unsigned)__builtin_ctz(want);
    if (!hamt_linux_init(unit_bits)) {
        os_fatal(1, "hamt: cannot set up the guest windows (guest RAM must "
                 "be a memfd)");
    }
    memset(vhash, 0xff, sizeof(vhash));
    memset(fhash, 0xff, sizeof(fhash));
    memset(pthash, 0xff, sizeof(pthash));
    memset(lhead, 0xff, sizeof(lhead));
    hamt_env = env;
    /*
     * Lazy windows need backends that call hamt_window_ensure when they
     * translate (MIPS, LoongArch) or access (interpreter) and bound
     * paging-off accesses by hamt_phys_limit: every backend does now.
     */
    lazy_windows = true;
    if (lazy_windows) {
        hamt_phys_limit = ((uint64_t)guest_ram_size + unit_size - 1) & ~(uint64_t)(unit_size - 1);
        if (hamt_phys_limit > (1u << 16)) {
            hamt_phys_limit = (hamt_phys_limit + 0xffff) & ~(uint64_t)0xffff;
        }
    }
    if (hamt_opt_contexts < 1 || hamt_opt_contexts > HAMT_MAX_CTX) {
        hamt_opt_contexts = HAMT_MAX_CTX;
    }
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctxs[ci].key = HAMT_CTX_NONE;
    }
    cur_ctx = 0;
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        large_lo[w] = 0xffffffffu;
        walked_clear(w);
    }
    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        env->hamt_window[i] = lazy_windows ? 0 : hamt_window_ensure(i);
    }
    if (hamt_opt_contexts > 1) {
        /* page-table frame tracking: guest RAM pages only */
        pt_frames = guest_ram_size >> GUEST_PAGE_BITS;
        pt_ctxmask = os_zalloc(pt_frames);
        pt_dirmask = os_zalloc(pt_frames);
        pt_writes = os_zalloc(pt_frames);
        pt_reprot = os_zalloc((size_t)pt_frames * sizeof(uint32_t));
        if (pt_ctxmask == NULL || pt_dirmask == NULL ||
            pt_writes == NULL || pt_reprot == NULL) {
            os_fatal(1, "hamt: no memory for page-table frame tracking");
        }
        mem_pt_write_hook = pt_written;
    }
    interp_mem_hamt = true;
    if (!os_set_fault_handler(hamt_fault)) {
        os_fatal(1, "hamt: cannot install the fault handler");
    }
}

/* C load (helpers, slow path of the windows): the softmmu. */
static uint32_t hamt_ld(CPUX86State *env, uint32_t addr, unsigned oi,
                        uintptr_t ra)
{
    uint64_t fills = softmmu_stats.fills;
    uint32_t v;

    hamt_stats.c_accesses++;
    ia_miss(env);
    v = mempath_softmmu.ld(env, addr, oi, ra);
    if (unit_size > GUEST_PAGE_SIZE && softmmu_stats.fills != fills) {
        unit_fill_after_slow(oi >> 4, addr);
    }
    return v;
}

/* C store: the softmmu (SMC, MMIO, #PF, page crossing). */
static void hamt_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned oi, uintptr_t ra)
{
    uint64_t fills = softmmu_stats.fills;

    hamt_stats.c_accesses++;
    ia_miss(env);
    mempath_softmmu.st(env, addr, val, oi, ra);
    if (unit_size > GUEST_PAGE_SIZE && softmmu_stats.fills != fills) {
        unit_fill_after_slow(oi >> 4, addr);
    }
}

/* Code fetch translation: the softmmu's (records fetch faults). */
static bool hamt_get_phys_code(CPUX86State *env, uint32_t linear,
                               uint32_t *phys)
{
    return mempath_softmmu.get_phys_code(env, linear, phys);
}

/* Remove units [v0, v0 + n) of w that are mapped, in batched runs. */
static void flush_units(unsigned w, uint32_t v0, uint32_t n)
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
static void flush_page_window(unsigned w, uint32_t linear)
{
    walked_drop(w, linear);
    if (nlive[w] == 0) {
        return;
    }
    if (linear >= large_lo[w] && linear <= large_hi[w]) {
        flush_window(w);
        return;
    }
    flush_units(w, linear >> unit_bits, 1);
}

/* INVLPG: the unit from the current context's windows (other contexts
 * learn about the PTE write itself when they are loaded again). */
static void hamt_flush_page(CPUX86State *env, uint32_t linear)
{
    mempath_softmmu.flush_page(env, linear);
    hamt_stats.flush_page++;
    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        flush_page_window(hamt_win(cur_ctx, idx), linear);
    }
}

/* CR0/CR4 paging changes: every window of every context; the current
 * context caches the current CR3 from now on. */
static void hamt_flush_all(CPUX86State *env)
{
    mempath_softmmu.flush_all(env);
    hamt_stats.flush_all++;
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctx_flush(ci);
        ctxs[ci].key = HAMT_CTX_NONE;
    }
    flush_window(MMU_PHYS_IDX);
    ctxs[cur_ctx].key = ctx_key(env);
    ctx_ever |= 1u << cur_ctx;
}

/* One context: a CR3 load drops the non-global mappings of its windows
 * (walks only their non-global lists), keeps the global ones. */
static void flush_nonglobal_windows(unsigned ci)
{
    static uint32_t units[HAMT_MAX_MAP];

    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        unsigned w = hamt_win(ci, idx), n = 0;

        walked_clear(w);
        if (nlive[w] == 0) {
            continue;
        }
        if (lhead[w][1] < 0) {
            flush_window(w);       /* no global entry: one call */
            continue;
        }
        while (lhead[w][0] >= 0) {
            int32_t i = lhead[w][0];
            units[n++] = maps[i].vunit;
            map_drop(i);
        }
        /* large-page regions stay: the globals in them survive too */
        invalidate_runs(w, units, n);
    }
}

/*
 * CR3 load (MOV CR3, task switch).  Cached contexts: switch to the context
 * of the new CR3 (or take the least recently used one), after dropping
 * what page-table writes since it last ran may have changed; a reload of
 * the same CR3 validates the current context the same way.  One context
 * (--hamt-contexts=1): drop the non-global mappings.
 */
static void hamt_flush_nonglobal(CPUX86State *env)
{
    uint64_t sc0 = hamt_syscalls;
    uint32_t key = ctx_key(env);
    unsigned ci;

    if (mempath_softmmu.flush_nonglobal) {
        mempath_softmmu.flush_nonglobal(env);
    } else {
        mempath_softmmu.flush_all(env);
    }
    hamt_stats.flush_nonglobal++;
    if (!ctx_caching()) {
        flush_nonglobal_windows(cur_ctx);
        hamt_stats.flush_nonglobal_syscalls += hamt_syscalls - sc0;
        return;
    }
    for (ci = 0; ci < hamt_opt_contexts; ci++) {
        if (ctxs[ci].key == key) {
            break;
        }
    }
    if (ci == hamt_opt_contexts) {
        ci = ctx_alloc(key);
    } else {
        hamt_stats.ctx_hits += ci != cur_ctx;
        ctx_validate(ci);
    }
    ctx_activate(env, ci);
    hamt_stats.flush_nonglobal_syscalls += hamt_syscalls - sc0;
}

/* Drop linear [linear, linear + len) from every window. */
static void hamt_flush_range(CPUX86State *env, uint32_t linear, uint32_t len)
{
    uint32_t v0 = linear >> unit_bits;
    uint32_t n = (uint32_t)((((uint64_t)linear + len + unit_size - 1) >> unit_bits) - v0);

    if (mempath_softmmu.flush_range) {
        mempath_softmmu.flush_range(env, linear, len);
    }
    hamt_stats.flush_range++;
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        walked_clear(w);
        if (nlive[w] == 0) {
            continue;
        }
        if (n > 4096 || (linear <= large_hi[w] && linear + len - 1 >= large_lo[w])) {
            flush_window(w);
        } else {
            flush_units(w, v0, n);
        }
    }
}

/* Drop the windows of the MMU indices in idxmask, in every context. */
static void hamt_flush_mmuidx(CPUX86State *env, unsigned idxmask)
{
    if (mempath_softmmu.flush_mmuidx) {
        mempath_softmmu.flush_mmuidx(env, idxmask);
    }
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        if (idxmask & (1u << hamt_win_idx(w))) {
            flush_window(w);
        }
    }
}

/* A frame got translated code: every writable mapping of it -> read-only. */
static void hamt_protect_code_page(CPUX86State *env, uint32_t phys_page,
                                   bool has_code)
{
    uint32_t punit = phys_page >> unit_bits;

    mempath_softmmu.protect_code_page(env, phys_page, has_code);
    if (!has_code) {
        return;     /* writable again on the next write fault */
    }
    hamt_stats.code_protects += unit_read_only(punit);
}

/* One "name: value" line on stderr. */
static void stat_line(const char *name, uint64_t v)
{
    char buf[128];
    int n = h_snprintf(buf, sizeof(buf), "  %-28s %llu\n", name,
                       (unsigned long long)v);
    os_write(2, buf, (size_t)n);
}

/* --stats lines of HAMT. */
void hamt_stats_print(void)
{
    const HamtStats *s = &hamt_stats;
    char buf[96];
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt: driver %s, map unit %u KiB\n",
                   drv->name, unit_size >> 10);
    os_write(2, buf, (size_t)n);
    stat_line("host faults", s->faults);
    stat_line("fills", s->fills);
    stat_line("pages mapped by fills", s->fill_pages);
    stat_line("fault: miss", s->fault_miss);
    stat_line("fault: guest #PF", s->fault_pf);
    stat_line("fault: D-bit/upgrade", s->fault_dbit);
    stat_line("fault: SMC (code page)", s->fault_smc);
    stat_line("fault: MMIO/not RAM", s->fault_mmio);
    stat_line("fault: split unit", s->fault_split);
    stat_line("fault: unaligned", s->fault_unaligned);
    stat_line("fault: watchpoint", s->fault_watch);
    stat_line("refills of units mapped before", s->fault_churn);
    stat_line("fill-pressure windows", s->pressure_windows);
    stat_line("sites retranslated (churn)", s->churn_sites);
    stat_line("fallbacks to slow path", s->fallbacks);
    stat_line("sites patched to slow", s->patched_sites);
    stat_line("retranslations", s->retranslations);
    stat_line("C accesses (softmmu)", s->c_accesses);
    stat_line("units mapped after slow path", s->slow_fills);
    stat_line("code-page protects", s->code_protects);
    stat_line("flush: page", s->flush_page);
    stat_line("flush: all", s->flush_all);
    stat_line("flush: nonglobal", s->flush_nonglobal);
    stat_line("flush: nonglobal syscalls", s->flush_nonglobal_syscalls);
    stat_line("flush: range", s->flush_range);
    n = h_snprintf(buf, sizeof(buf), "  %-28s %u of %u\n", "ctx: contexts used",
                   (unsigned)__builtin_popcount(ctx_ever), hamt_opt_contexts);
    os_write(2, buf, (size_t)n);
    stat_line("ctx: switches to a cached one", s->ctx_hits);
    stat_line("ctx: new", s->ctx_new);
    stat_line("ctx: recycled (LRU)", s->ctx_recycled);
    stat_line("ctx: dropped whole", s->ctx_flushes);
    stat_line("pt: frames protected", s->pt_protects);
    stat_line("pt: frames written", s->pt_writes);
    stat_line("pt: mappings re-checked, kept", s->pt_kept);
    stat_line("pt: mappings dropped", s->pt_drops);
    stat_line("fault: page-table write", s->fault_ptwrite);
    stat_line("fault: other context", s->fault_other_ctx);
    stat_line("evictions", s->evictions);
    stat_line("interpreter -> softmmu path", s->interp_to_softmmu);
    stat_line("interpreter -> HAMT again", s->interp_to_hamt);
    stat_line("driver syscalls", hamt_syscalls);
    stat_line("window KiB reserved", hamt_reserved_bytes >> 10);
    stat_line("refill handler us", s->ns_handler / 1000);
}

const MemPath mempath_hamt = {
    .name = "hamt",
    .kind = MEM_KIND_HAMT,
    .init = hamt_init,
    .ld = hamt_ld,
    .st = hamt_st,
    .get_phys_code = hamt_get_phys_code,
    .flush_page = hamt_flush_page,
    .flush_all = hamt_flush_all,
    .flush_nonglobal = hamt_flush_nonglobal,
    .flush_range = hamt_flush_range,
    .flush_mmuidx = hamt_flush_mmuidx,
    .protect_code_page = hamt_protect_code_page,
};
