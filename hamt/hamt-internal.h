/*
 * hamt86 - HAMT internals shared by the files of hamt/ (not by anything
 * outside it): the state of the memory path in one HamtState, and the
 * functions each file offers the others.
 *
 *   hamt.c          the MemPath: init, window reservation, C ld/st,
 *                   flush fan-out, code protection, --stats
 *   hamt-map.c      the live-mapping table: three hashes, per-window
 *                   global / non-global lists, FIFO eviction, batched
 *                   invalidation, the walked-page cache        (mechanism)
 *   hamt-ctx.c      cached guest contexts: CR3 -> context LRU, write
 *                   protection of page-table frames, revalidation
 *   hamt-fill.c     the refill: guest walk, unit assembly, install
 *   hamt-policy.c   fill pressure, per-site weights, the hot set and
 *                   retranslation                              (policy)
 *   hamt-fault.c    the host fault entry: host address -> window, redirect
 *                   to the site's stub, probe fixup or interpreter landing
 *   hamt-interp.c   the interpreter accessors (probes or setjmp)
 *
 * Like QEMU's per-mmu_idx CPUTLBDesc, the per-window state is a
 * HamtWindow; everything lives in the one HamtState `hamt`.
 */
#ifndef HAMT86_HAMT_INTERNAL_H
#define HAMT86_HAMT_INTERNAL_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/mmu.h"
#include "hamt/hamt.h"

/* Live map units over all windows: 2 kernel VMAs each at worst, under
 * vm.max_map_count (65530) with room for the process's own; enough for a
 * 64 MiB working set of 4 KiB pages plus code (ENOMEM: evict a batch). */
#define HAMT_MAX_MAP    28672
#define VHASH_BITS      16
#define FHASH_BITS      14
#define PTHASH_BITS     12
/* A fill inside a large guest page (or with paging off) maps up to this
 * many contiguous units with one call. */
#define HAMT_RUN_UNITS  16
/* Direct-mapped cache of walked guest pages per window (bits). */
#define WALKED_BITS     10

/* One live host mapping of one unit. */
typedef struct HamtMap {
    uint32_t vunit;   /* linear >> unit_bits */
    uint32_t punit;   /* physical >> unit_bits */
    int32_t hnext, hprev;   /* (w, vunit) hash chain */
    int32_t fnext, fprev;   /* punit hash chain */
    int32_t lprev, lnext;   /* live list of (win, global) */
    uint32_t ptf;     /* guest page-table frame (page number) of its PTE,
                         ~0: none (paging off, large page) */
    int32_t pnext, pprev;   /* ptf hash chain */
    uint8_t win, prot;
    bool live, global;
    bool cd;          /* also mapped in the window's code-data region */
} HamtMap;

/*
 * Guest pages walked (so A is set, and D if prot has PAGE_WRITE) since
 * their last flush, per window: a direct-mapped cache.  A unit larger than
 * a guest page may be mapped only when all its pages are here; losing an
 * entry only makes a unit unmappable for a while (conservative).  An entry
 * counts only while its gen is the window's walked_gen, so a flush (every
 * CR3 load, in each window of the context) is one increment, not a 16 KiB
 * memset; the table is wiped only when the counter wraps.
 */
typedef struct Walked {
    uint32_t vpage, ppage;   /* page numbers; vpage ~0 = empty */
    uint32_t gen;            /* HamtWindow.walked_gen when written */
    uint8_t prot;
    bool global;
} Walked;

/* Per-window state (cf. QEMU's CPUTLBDesc per MMU index). */
typedef struct HamtWindow {
    uint32_t nlive;          /* live entries */
    /* live entries split non-global [0] / global [1], so a CR3 reload
     * costs O(live non-global entries), not a table scan */
    int32_t lhead[2];
    /* linear region covered by large-page fills since its flush */
    uint32_t large_lo, large_hi;
    /* units the window has ever mapped (bit per unit; NULL: unknown): a
     * miss on a unit set here is a refill (churn), not a first touch */
    uint8_t *seen;
    uint32_t walked_gen;     /* the current generation of walked[]: >= 1 */
    bool walked_any;         /* walked[] may hold an entry of walked_gen */
    Walked walked[1u << WALKED_BITS];
} HamtWindow;

/* Paging-structure frames one context tracks; beyond that it is not cached
 * (every load drops all its mappings, as with one context). */
#define HAMT_CTX_FRAMES 128
#define HAMT_CTX_NONE   0xffffffffu
/* Entries of a non-PAE page directory, 4 MiB of linear space each. */
#define HAMT_PD_SLOTS   1024
#define HAMT_PD_SHIFT   22

typedef struct CtxFrame {
    uint32_t frame;   /* guest page number of a paging structure */
    uint32_t since;   /* pt_tick when the context started depending on it */
} CtxFrame;

/* One cached guest context (one CR3). */
typedef struct HamtCtx {
    uint32_t key;       /* the CR3 it caches (ctx_key), HAMT_CTX_NONE: free */
    uint64_t used;      /* LRU stamp */
    bool overflow;      /* a frame it cannot track: not coherent by writes */
    /* a frame it depends on is written (or cannot be protected): its next
     * validation drops the non-global entries of its softmmu TLB set, so
     * the fills until then need not note their frames (ctx_tlb_walked) */
    bool tlb_doomed;
    unsigned nframes;
    CtxFrame frames[HAMT_CTX_FRAMES];
    /*
     * Non-PAE: the page directory (the CR3 frame) as the context's walks
     * found it, so that a written directory re-checks only the mappings
     * under the entries that differ, not all of them (pd_valid false:
     * all).  pd_diff: entries a walk read with another value since.
     *
     *   pd_snap[s] = PDE s at the last validation (+ A/D the walks set)
     *   re-check slot s  <=>  PDE s now != pd_snap[s]  or  pd_diff bit s
     *   slot of a mapping = linear >> 22 (4 MiB)
     */
    bool pd_valid;
    /* pd_valid, but pd_snap/pd_diff not taken yet: no mapping depends on
     * the directory, so it is copied when the first one is made (a
     * written directory without mappings costs no 4 KiB copy) */
    bool pd_later;
    uint32_t pd_diff[HAMT_PD_SLOTS / 32];
    /* 8-byte aligned: copied and compared 8 bytes a step (the
     * freestanding memcpy copies unaligned buffers a byte at a time) */
    _Alignas(8) uint32_t pd_snap[HAMT_PD_SLOTS];
} HamtCtx;

/* Retranslation policy state (hamt-policy.c). */
#define HAMT_SITE_SLOTS 4096
#define HOT_BITS        16      /* up to 32768 hot sites (half full) */
typedef struct HamtPolicy {
    /* counted fill-pressure verdict: host faults and those that mapped
     * nothing or refilled (churn) in the current group,
     * hamt_stats.evictions at its start, and the verdict of the last
     * complete group */
    uint32_t v_faults, v_churn;
    uint64_t v_evict0;
    bool pressure_high;
    /* weighted slow-path entries per JIT site, direct-mapped by host PC */
    struct { uintptr_t pc; uint32_t hits; } sites[HAMT_SITE_SLOTS];
    /* hot fallback sites: guest physical PC + 1 (0: free), open addressing */
    uint32_t hot_set[1u << HOT_BITS];
    /* per hot_set slot: a store beside code, retranslated to the
     * code-data store (docs/HAMT.md), not to the inline softmmu */
    bool hot_cd[1u << HOT_BITS];
    unsigned hot_count;
    unsigned cd_idx;       /* MMU indices (bit) with a store beside code
                              ever translated: their windows get a
                              code-data region in every context */
    /* split-unit mode per MMU index (units larger than a guest page;
     * hamt-policy.c "Split-unit mode"): split faults of each index in the
     * current group, the indices in the mode (bit), and per index the
     * complete groups in a row that were calm (few split faults) */
    uint32_t v_split[HAMT_NB_IDX];
    unsigned split_mode;
    uint8_t split_calm[HAMT_NB_IDX];
    /* per index, the units of the last split faults (vunit + 1; 0: none),
     * round robin: is the stack's unit one of them (hamt_hot_insn)? */
    uint32_t split_units[HAMT_NB_IDX][16];
    uint8_t split_next[HAMT_NB_IDX];
} HamtPolicy;

/* hamt-interp.c: the interpreter's counted-reuse switch between the
 * windows and the softmmu TLB path. */
typedef struct HamtInterpAdapt {
    bool off;              /* switched to the softmmu path */
    uint32_t streak;       /* non-paying HAMT windows in a row */
    uint32_t count;        /* accesses (HAMT) / misses (softmmu) in window */
    uint64_t faults0;      /* hamt_stats.faults at the window start */
    uint64_t hits0;        /* sum of env->tlb_hits at the window start */
} HamtInterpAdapt;

typedef struct HamtState {
    /* MMU indices (bit) whose C accesses take hamt_ld_note/hamt_st_note:
     * the interpreter counts misses (ia.off: every bit), or the unit is
     * mapped after a fill (unit_fill_wanted); c_note_sync keeps it.
     * First: every C access reads it, at a short offset. */
    uint32_t c_note;
    /* windows (bit) with a live entry or a walked page (win_busy_sync):
     * INVLPG visits only those of the current context (hamt-map.c) */
    uint32_t win_busy;
    const HamtDriver *drv;
    CPUX86State *env;          /* NULL until init */
    unsigned unit_bits;        /* host map unit: 4, 16 or 64 KiB */
    uint32_t unit_size;
    uint64_t phys_limit;       /* MemPath.phys_limit; 1 << 32: no check */

    /* hamt-map.c */
    HamtMap maps[HAMT_MAX_MAP];
    int32_t vhash[1u << VHASH_BITS];
    int32_t fhash[1u << FHASH_BITS];
    int32_t pthash[1u << PTHASH_BITS];
    uint32_t ring_next;
    HamtWindow win[HAMT_NB_WIN];

    /* hamt-ctx.c */
    HamtCtx ctxs[HAMT_MAX_CTX];
    unsigned cur_ctx;
    uint64_t ctx_clock;
    unsigned ctx_ever;         /* contexts (bit) that ever held a CR3 */
    unsigned idx_used;         /* MMU indices (bit) whose windows TBs use */
    /* per guest RAM page (protected: its PF_PT flag): contexts depending
     * on it (bit per context; dirmask: as a directory), writes while
     * protected (saturating), pt_tick of its last protection */
    uint8_t *pt_ctxmask, *pt_dirmask, *pt_writes;
    uint32_t *pt_reprot;
    uint32_t pt_frames, pt_tick;
    /* context ci owns softmmu TLB set ci (cached contexts, while there is
     * memory for the sets); false: set 0, flushed by every CR3 load */
    bool tlb_sets;

    /* hamt-policy.c */
    HamtPolicy pol;


    /* hamt-interp.c */
    HamtInterpAdapt ia;

    /* hamt-interp.c: the interpreter access in flight (its recovery
     * point), or NULL; the buffer is not a local: a local one had its
     * setjmp stores optimised away */
    void **volatile recover;
    void *jmpbuf[CPU_JMP_ENV_WORDS];
    /* the setjmp accessors' arguments, kept in memory across the recovery
     * longjmp (the landing function does not preserve callee-saved
     * registers) */
    volatile struct {
        CPUX86State *env;
        uint32_t addr, val;
        unsigned oi;
    } saved;
} HamtState;

extern HamtState hamt;

void hamt_interp_note_miss_slow(CPUX86State *env);
/* A C access (softmmu TLB miss): counted only while the interpreter runs
 * on the softmmu path (hamt-interp.c); inline, every C access asks. */
static inline void hamt_interp_note_miss(CPUX86State *env)
{
    if (unlikely(hamt.ia.off)) {
        hamt_interp_note_miss_slow(env);
    }
}

/* Outcome of a refill (hamt-fill.c). */
enum { FILL_OK, FILL_SLOW, FILL_PF };
typedef struct HamtFill {
    int outcome;      /* FILL_* */
    bool churn;       /* the unit was mapped before (flushed since) */
    bool transient;   /* FILL_SLOW only because the unit is not mappable
                         yet (sibling pages not walked): a later fill or
                         unit_fill_after_slow usually cures it */
    bool code_data;   /* FILL_SLOW: a store into a code unit whose word no
                         TB covers (core/tb-smc.h code map): data beside
                         code, which will keep faulting */
    bool split;       /* FILL_SLOW: a "split unit" fault (fault_split) */
    bool code_store;  /* split: a store to a page holding translated code
                         (its TB must not be invalidated before the store's
                         own SMC check sees it: hamt-policy.c) */
    uint8_t idx;      /* the MMU index of the faulting window */
} HamtFill;

/* Paging-structure frames one walk read, top level first (the two halves
 * of a PAE entry, read in either order, count once), and whether a peek
 * walk wanted to set A or D: the X86WalkOps opaque of refill walks. */
typedef struct HamtWalk {
    uint32_t deps[4];
    unsigned ndeps;
    uint32_t last;
    bool wrote;
    /* the walk's first paging-structure read (non-PAE: the PDE) and the
     * value the walk left there (after its own A/D update); self: the
     * walk read the top frame again below the top level (a self map) */
    unsigned nreads;
    uint32_t top_pa, top_val;
    bool self;
} HamtWalk;

/* Hash bucket of a page-table frame (guest page number). */
static inline unsigned pthash_of(uint32_t frame)
{
    return frame & ((1u << PTHASH_BITS) - 1);
}

/* --- hamt-map.c ------------------------------------------------------------ */
_Static_assert(HAMT_NB_WIN <= 32, "hamt.win_busy holds a bit per window");

/* Window w's bit of hamt.win_busy, after its nlive or walked_any changed. */
static inline void win_busy_sync(unsigned w)
{
    uint32_t bit = 1u << w;

    if (hamt.win[w].nlive != 0 || hamt.win[w].walked_any) {
        hamt.win_busy |= bit;
    } else {
        hamt.win_busy &= ~bit;
    }
}

void map_reset(void);
bool seen_test(unsigned w, uint32_t vunit);

/* Hash bucket of (w, vunit). */
static inline unsigned vhash_of(unsigned w, uint32_t vunit)
{
    return ((vunit * 0x9e3779b1u) >> (32 - VHASH_BITS)) ^ w;
}

/* The live entry for (w, vunit) or -1 (inline: the bare-metal TLB refill,
 * hamt-tlb-refill.h, does two per refill). */
static inline int32_t map_find(unsigned w, uint32_t vunit)
{
    for (int32_t i = hamt.vhash[vhash_of(w, vunit)]; i >= 0; i = hamt.maps[i].hnext) {
        if (hamt.maps[i].vunit == vunit && hamt.maps[i].win == w) {
            return i;
        }
    }
    return -1;
}
void map_drop(int32_t i);
void map_set_global(int32_t i, bool global);
int32_t map_alloc(void);
void map_insert(unsigned w, uint32_t vunit, uint32_t punit, unsigned prot,
                bool global, uint32_t ptf);
void flush_window(unsigned w);
void invalidate_runs(unsigned w, uint32_t *v, unsigned n);
unsigned unit_read_only(uint32_t punit);
void flush_units(unsigned w, uint32_t v0, uint32_t n);
void flush_page_window(unsigned w, uint32_t linear);
void flush_window_nonglobal(unsigned w);
void walked_add(unsigned w, uint32_t linear, const X86PageResult *res);
void walked_clear(unsigned w);

/* The walked-cache entry of guest page vpage in window w, NULL if none. */
static inline const Walked *walked_find(unsigned w, uint32_t vpage)
{
    const Walked *wk = &hamt.win[w].walked[vpage & ((1u << WALKED_BITS) - 1)];

    return wk->vpage == vpage && wk->gen == hamt.win[w].walked_gen ? wk : NULL;
}
void walked_drop(unsigned w, uint32_t linear);

/* --- hamt-ctx.c ------------------------------------------------------------ */
uint32_t ctx_key(const CPUX86State *env);
bool ctx_caching(void);
bool pt_protected(uint32_t fr);
void pt_written(uint32_t pa);
void ctx_flush(unsigned ci);
uint32_t ctx_depend(unsigned ci, const uint32_t *f, unsigned n, uint32_t psize);
void ctx_pd_note(unsigned ci, const HamtWalk *wk);
void ctx_pd_snap(unsigned ci);
void ctx_collapse(uint32_t key);
void ctx_switch(CPUX86State *env, uint32_t key);
void ctx_init(void);

/* Publish window w as MMU index idx's in env: its base and its code-data
 * region (the window base again when it has none: a store beside code
 * then reads the guest bytes as its code bytes, so it stores through the
 * window only where they are zero, and a window store to a code page
 * faults as any other). */
static inline void env_set_window(CPUX86State *env, unsigned idx, unsigned w)
{
    uintptr_t b = hamt_window_base[w];

    env->hamt_window[idx] = b;
    env->hamt_cd_st[idx] = hamt_cd_st[w] != 0 && b != 0 ? hamt_cd_st[w] : b;
    env->hamt_cd_map[idx] = hamt_cd_st[w] != 0 && b != 0 ? hamt_cd_map[w] : b;
}

/* --- hamt-fill.c ----------------------------------------------------------- */
int walk_peek(uint32_t linear, unsigned idx, X86PageResult *res, HamtWalk *wk);
HamtFill hamt_fill(CPUX86State *env, unsigned w, uint32_t linear, bool is_write);
void unit_fill_after_slow(unsigned idx, uint32_t addr);

void hamt_cd_fill(CPUX86State *env, unsigned w, uint32_t linear);

/* --- hamt-policy.c --------------------------------------------------------- */
void policy_count_fault(const HamtFill *fill);
void policy_cd_unaligned(CPUX86State *env, uintptr_t pc);

/* Whether the last complete group of host faults was mostly refills or
 * evictions (fills that did not pay). */
static inline bool pressure_high(void)
{
    return hamt.pol.pressure_high;
}

/* Whether MMU index idx is in split-unit mode (its units mostly cannot
 * be mapped: unit_fill_after_slow does not try). */
static inline bool split_mode(unsigned idx)
{
    return (hamt.pol.split_mode >> idx) & 1;
}

/*
 * Whether a C access of MMU index idx that filled the softmmu TLB should
 * try to map its unit (unit_fill_after_slow): units larger than a guest
 * page only, and not while host faults are costly (fill pressure: a
 * mapping nobody may use is a syscall to make and another to remove; a
 * HAMT access that needs it maps it) nor in idx's split-unit mode (most
 * of its units cannot be mapped: the peek, a walk of every page of the
 * unit, would mostly fail).  Inline: tested on every C access.
 */
static inline bool unit_fill_wanted(unsigned idx)
{
    return hamt.unit_size > GUEST_PAGE_SIZE && idx < MMU_PHYS_IDX &&
           !pressure_high() && !split_mode(idx);
}

/* Recompute hamt.c_note after ia.off, the fill pressure, a split-unit
 * mode or the unit size changed (one test per C access instead of four). */
static inline void c_note_sync(void)
{
    uint32_t m = 0;

    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        m |= (uint32_t)unit_fill_wanted(idx) << idx;
    }
    hamt.c_note = hamt.ia.off ? ~0u : m;
}

void policy_note_split(unsigned idx, uint32_t vunit);
void policy_slow_site(CPUX86State *env, uintptr_t pc, uintptr_t stub,
                      const HamtFill *fill);
bool policy_churn_site(CPUX86State *env, uintptr_t pc, uintptr_t stub,
                       const HamtFill *fill);

/* --- hamt.c ---------------------------------------------------------------- */
bool ctx_windows_ok(unsigned ci);
void cd_region_ensure(unsigned idx);

/* --- hamt-interp.c --------------------------------------------------------- */
NORETURN void hamt_interp_landing(void *arg);

#endif
