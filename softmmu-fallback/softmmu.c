/*
 * hamt86 - the paging softmmu: per-MMU-index software TLBs in front of the
 * page walker (core/mmu-walk.c), QEMU cputlb-style.
 *
 *   tables[idx][i]          direct-mapped, 2^bits entries (CPU_TLB_MIN_BITS
 *                           ..CPU_TLB_MAX_BITS), indexed by linear bits
 *                           12.., read by the inline fast paths through
 *                           env->tlb_fast[idx] (mask + table, core/cpu.h)
 *   d[idx].full[i]          what the fast entry stands for: linear and
 *                           physical page, protections, G bit
 *   d[idx].used             a bit per main entry that holds a page (every
 *                           other one is empty): flushes and use counts
 *                           visit the used entries only
 *   d[idx].vtable/vfull     fully associative victim TLB (VTLB_SIZE), the
 *                           target of evictions, searched on a miss
 *   d[idx].large_*          the region covered by large (2/4 MiB) guest
 *                           pages seen since the last flush: a page flush
 *                           inside it flushes the whole index (the TLB
 *                           holds 4 KiB pieces only)
 *
 * Those arrays make one TLBSet.  Set 0 is the softmmu's; a window path
 * that caches guest contexts (hamt/) selects one set per context
 * (softmmu_tlb_select, core/mem.h) and is told every fill's walk while it
 * wants them (softmmu_owner_walks), so that it can drop a set whose paging
 * structures were written.  Flushes other than flush_nonglobal reach every
 * set; a page flush, with an owner that re-checks non-global entries
 * itself (SoftmmuOwner.revalidates), only the current set and those that
 * may hold a global entry.
 *
 * Dynamic sizing (QEMU's tlb_mmu_resize_locked policy): when an index is
 * flushed whole, its use rate (valid entries / size, the maximum over the
 * last TLB_WINDOW flushes) decides the new size: over 70% doubles it,
 * under 30% shrinks it to the smallest power of two that keeps the rate
 * at or below 70%.  An index that is rarely flushed (a large working set
 * without CR3 reloads) is also checked once it has taken 2 x size misses
 * since its last check: then it flushes itself if it is to grow, which it
 * also does when more than size of those misses were victim hits (conflict
 * misses: two hot pages sharing a slot; not in QEMU).  Such an index does
 * not shrink while its window still sees that many victim hits.
 *
 * Flag bits in the compare words (TLB_MMIO, TLB_NOTDIRTY, TLB_WATCH) send
 * the access to the slow path below, which handles MMIO through the
 * physical map, stores into pages with translated code (invalidating the
 * TBs first) and watchpoints.  Misaligned and page-crossing accesses also
 * come here; page-crossing ones are split, stores only after both pages
 * are known to be writable.
 *
 * Instruction fetch (get_phys_code) uses the same entries: a fetch miss
 * walks with MMU_INST_FETCH; a fault is recorded, not raised, and raised
 * by mem_raise_fetch_fault when the loop reaches that instruction.
 */
#include "core/mem.h"
#include "core/mmu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/tb-smc.h"
#include "softmmu-fallback/softmmu.h"
#include "softmmu-fallback/softmmu-watch.h"

/* Generated code indexes env->tlb_fast[idx].table with these constants. */
BUILD_ASSERT(CPU_TLB_NB_MODES == NB_MMU_MODES);
BUILD_ASSERT(sizeof(CPUTLBEntry) == (1u << CPU_TLB_ENTRY_BITS));
BUILD_ASSERT(offsetof(CPUTLBEntry, addr_read) == 0);
BUILD_ASSERT(offsetof(CPUTLBEntry, addr_write) == 4);
BUILD_ASSERT(offsetof(CPUTLBEntry, addend) == 8);
BUILD_ASSERT(offsetof(CPUX86State, tlb_fast) == 88);
BUILD_ASSERT(offsetof(CPUTLBDescFast, mask) == 0);
BUILD_ASSERT(offsetof(CPUTLBDescFast, table) == 8);
/* the fast paths load mask and table with a 12-bit (LoongArch) offset */
BUILD_ASSERT(offsetof(CPUX86State, tlb_fast) +
             sizeof(((CPUX86State *)0)->tlb_fast) < 2048);
BUILD_ASSERT(CPU_TLB_MIN_BITS <= CPU_TLB_DYN_DEFAULT_BITS &&
             CPU_TLB_DYN_DEFAULT_BITS <= CPU_TLB_MAX_BITS);
/* index bits stay inside the 20-bit page number */
BUILD_ASSERT(CPU_TLB_MAX_BITS <= 32 - GUEST_PAGE_BITS);
BUILD_ASSERT((TLB_FLAGS_MASK & 3) == 0 && TLB_FLAGS_MASK < GUEST_PAGE_SIZE);

#define VTLB_SIZE 8
#define TLB_EMPTY 0xffffffffu

typedef struct TLBFull {
    uint32_t vaddr;     /* linear page, TLB_EMPTY when unused */
    uint32_t paddr;     /* physical page */
    uint8_t prot;       /* PAGE_* */
    bool global;
} TLBFull;

typedef struct TLBDesc {
    TLBFull full[CPU_TLB_MAX_SIZE];
    /* bit i: full[i] (and its fast entry) holds a page; every other main
     * entry is empty, so flushes and counts visit the used ones only */
    uint64_t used[CPU_TLB_MAX_SIZE / 64];
    unsigned bits;                   /* log2 of the current size */
    unsigned window_max;             /* most entries used, this window */
    unsigned window_flushes;         /* whole flushes in this window */
    unsigned misses;                 /* misses since the last whole flush */
    unsigned vhits;                  /* victim hits since the last check */
    unsigned window_vhits;           /* victim hits in this window */
    CPUTLBEntry vtable[VTLB_SIZE];
    TLBFull vfull[VTLB_SIZE];
    unsigned vindex;                 /* next victim slot (round robin) */
    uint32_t large_addr, large_mask; /* large-page region (if large) */
    bool large;
} TLBDesc;

/*
 * One set of TLBs, every MMU index (SOFTMMU_TLB_SETS of them, core/mem.h):
 * the current one is what env->tlb_fast[] publishes.
 */
typedef struct TLBSet {
    TLBDesc d[NB_MMU_MODES];
    CPUTLBEntry tables[NB_MMU_MODES][CPU_TLB_MAX_SIZE];
} TLBSet;

typedef struct SoftmmuState {
    TLBSet *set[SOFTMMU_TLB_SETS];   /* [0] = set0; others on first select */
    TLBSet *cur;                     /* the set env->tlb_fast[] publishes */
    unsigned cur_k;                  /* sm.set[cur_k] == sm.cur */
    unsigned global_sets;            /* sets (bit) given a global entry
                                        since their last whole flush */
    const SoftmmuOwner *owner;       /* NULL: fills report nothing */
    bool owner_walks;                /* ... nor while this is false */
    uint64_t fill_gen;               /* entries filled since start-up */
    /* a code fetch's fault, recorded by get_phys_code and raised by
     * mem_raise_fetch_fault when the loop reaches that instruction */
    bool fetch_fault_pending;
    uint32_t fetch_fault_addr;
    int fetch_fault_err;
} SoftmmuState;

static TLBSet set0 __attribute__((aligned(64)));
static SoftmmuState sm = { .set = { &set0 }, .cur = &set0 };

/*
 * Which sets softmmu_notdirty_page must scan for a physical page (a bit
 * per set, one byte per guest page each; stale bits only cost a scan):
 *
 *   wr_nd[pp]  set k may hold a writable entry of pp without TLB_NOTDIRTY
 *   wr_pt[pp]  set k may hold a writable entry of pp without TLB_PT
 *
 * Set where an entry gets or loses write rights without those flags (fill,
 * the slow store clearing them), cleared by the scan that adds them.
 * Without them every page-table frame a cached context protects (and
 * every page that gets code) scanned every entry of all 8 sets.
 */
static uint8_t wr_nd[GUEST_NB_PAGES], wr_pt[GUEST_NB_PAGES];

/* Note a write entry of physical page pa in the current set whose compare
 * word is cmp (only the flags are looked at). */
static inline void wr_note(uint32_t pa, uint32_t cmp)
{
    uint8_t b = (uint8_t)(1u << sm.cur_k);

    if (!(cmp & TLB_NOTDIRTY)) {
        wr_nd[pa >> GUEST_PAGE_BITS] |= b;
    }
    if (!(cmp & TLB_PT)) {
        wr_pt[pa >> GUEST_PAGE_BITS] |= b;
    }
}

#define TLB_WINDOW 16   /* whole flushes per shrink window */
SoftmmuStats softmmu_stats;


/* ------------------------------------------------------------------------
 * Small helpers
 */

/* TLB index of a linear address in the index described by d. */
static inline unsigned tlb_index(const TLBDesc *d, uint32_t addr)
{
    return (addr >> GUEST_PAGE_BITS) & ((1u << d->bits) - 1);
}

/* Entries of the index described by d. */
static inline unsigned tlb_size(const TLBDesc *d)
{
    return 1u << d->bits;
}

/* Does compare word cmp map the page of addr (ignoring the flag bits)? */
static inline bool tlb_hit_page(uint32_t cmp, uint32_t addr)
{
    return (cmp & (GUEST_PAGE_MASK | TLB_INVALID)) == (addr & GUEST_PAGE_MASK);
}

/* Empty one fast entry and its description. */
static inline void entry_clear(CPUTLBEntry *e, TLBFull *f)
{
    e->addr_read = TLB_EMPTY;
    e->addr_write = TLB_EMPTY;
    e->addend = 0;
    f->vaddr = TLB_EMPTY;
}

/* Main entry i of d now holds a page. */
static inline void used_mark(TLBDesc *d, unsigned i)
{
    d->used[i >> 6] |= 1ull << (i & 63);
}

/* Empty main entry i of MMU index idx of set s. */
static inline void main_clear(TLBSet *s, unsigned idx, unsigned i)
{
    entry_clear(&s->tables[idx][i], &s->d[idx].full[i]);
    s->d[idx].used[i >> 6] &= ~(1ull << (i & 63));
}

/* Empty the used main entries of MMU index idx of set s among the first
 * nw * 64 (all, or the non-global ones); the others are empty already. */
static void used_clear(TLBSet *s, unsigned idx, unsigned nw, bool keep_global)
{
    TLBDesc *d = &s->d[idx];

    for (unsigned w = 0; w < nw; w++) {
        uint64_t kept = 0;

        for (uint64_t m = d->used[w]; m != 0; m &= m - 1) {
            unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);

            if (keep_global && d->full[i].global) {
                kept |= m & -m;
            } else {
                entry_clear(&s->tables[idx][i], &d->full[i]);
            }
        }
        d->used[w] = kept;
    }
}

/* ------------------------------------------------------------------------
 * Flushes (every set unless said otherwise)
 */

/* Used entries of index d's main table. */
static unsigned tlb_used(const TLBDesc *d)
{
    unsigned n = 0;

    for (unsigned w = 0; w < tlb_size(d) / 64; w++) {
        n += (unsigned)__builtin_popcountll(d->used[w]);
    }
    return n;
}

/* The size index d should have with used entries in use (QEMU's policy:
 * grow over 70%, shrink under 30% at the end of a window). */
static unsigned tlb_wanted_bits(TLBDesc *d, unsigned used)
{
    unsigned bits = d->bits, size = tlb_size(d);
    unsigned rate;

    if (used > d->window_max) {
        d->window_max = used;
    }
    rate = d->window_max * 100u / size;
    if (rate > 70 && bits < CPU_TLB_MAX_BITS) {
        return bits + 1;
    }
    if (rate < 30 && d->window_flushes >= TLB_WINDOW &&
        d->window_vhits < size) {
        unsigned nb = CPU_TLB_MIN_BITS;
        while (nb < bits && d->window_max * 100u > (70u << nb)) {
            nb++;
        }
        return nb;
    }
    return bits;
}

/* Publish MMU index idx's table and mask of the current set to generated
 * code. */
static void tlb_publish(CPUX86State *env, unsigned idx)
{
    env->tlb_fast[idx].table = sm.cur->tables[idx];
    env->tlb_fast[idx].mask = (uintptr_t)(tlb_size(&sm.cur->d[idx]) - 1)
                              << CPU_TLB_ENTRY_BITS;
}

/* Every main entry of MMU index idx of set s empty, whatever it held (new
 * or zeroed memory); flush_idx_bits then visits the used ones only. */
static void idx_wipe(TLBSet *s, unsigned idx)
{
    TLBDesc *d = &s->d[idx];

    memset(s->tables[idx], 0xff, sizeof(s->tables[idx]));
    for (unsigned i = 0; i < CPU_TLB_MAX_SIZE; i++) {
        d->full[i].vaddr = TLB_EMPTY;
    }
    memset(d->used, 0, sizeof(d->used));
}

/* Empty every entry of MMU index idx of set s at size 2^bits. */
static void flush_idx_bits(CPUX86State *env, TLBSet *s, unsigned idx,
                           unsigned bits)
{
    TLBDesc *d = &s->d[idx];

    if (bits != d->bits) {
        softmmu_stats.resizes++;
        d->window_max = 0;
        d->window_flushes = 0;
        d->window_vhits = 0;
    }
    d->bits = bits;
    d->misses = 0;
    if (s == sm.cur) {
        tlb_publish(env, idx);
    }
    /* every word: a shrink leaves used entries past the new size */
    used_clear(s, idx, ARRAY_SIZE(d->used), false);
    for (unsigned i = 0; i < VTLB_SIZE; i++) {
        entry_clear(&d->vtable[i], &d->vfull[i]);
    }
    d->large_addr = 0;
    d->large_mask = 0;
    d->large = false;
}

/* A whole flush of index d: the size it should have from now on. */
static unsigned tlb_flush_bits(TLBDesc *d)
{
    unsigned bits = tlb_wanted_bits(d, tlb_used(d));

    if (++d->window_flushes >= TLB_WINDOW) {
        d->window_max = 0;
        d->window_flushes = 0;
        d->window_vhits = 0;
    }
    return bits;
}

/* Empty every entry of MMU index idx of set s, resizing it by its use
 * rate. */
static void flush_idx(CPUX86State *env, TLBSet *s, unsigned idx)
{
    flush_idx_bits(env, s, idx, tlb_flush_bits(&s->d[idx]));
}

/* Empty the indices in idxmask of every set. */
static void flush_sets_mmuidx(CPUX86State *env, unsigned idxmask)
{
    for (unsigned k = 0; k < SOFTMMU_TLB_SETS; k++) {
        if (sm.set[k] == NULL) {
            continue;
        }
        for (unsigned i = 0; i < NB_MMU_MODES; i++) {
            if (idxmask & (1u << i)) {
                flush_idx(env, sm.set[k], i);
            }
        }
        if ((idxmask & ((1u << NB_MMU_MODES) - 1)) == (1u << NB_MMU_MODES) - 1) {
            sm.global_sets &= ~(1u << k);
        }
    }
}

/* Empty everything. */
static void softmmu_flush_all(CPUX86State *env)
{
    softmmu_stats.flush_all++;
    flush_sets_mmuidx(env, (1u << NB_MMU_MODES) - 1);
}

/* Drop the indices in idxmask. */
static void softmmu_flush_mmuidx(CPUX86State *env, unsigned idxmask)
{
    softmmu_stats.flush_mmuidx++;
    flush_sets_mmuidx(env, idxmask);
}

/* Drop the linear page of addr from index idx of set s (large pages: all
 * of the index). */
static void flush_page_idx(CPUX86State *env, TLBSet *s, unsigned idx,
                           uint32_t addr)
{
    TLBDesc *d = &s->d[idx];
    uint32_t page = addr & GUEST_PAGE_MASK;
    unsigned i = tlb_index(d, addr);

    if (d->large && (addr & d->large_mask) == d->large_addr) {
        softmmu_stats.flush_large++;
        flush_idx(env, s, idx);
        return;
    }
    if (d->full[i].vaddr == page) {
        main_clear(s, idx, i);
    }
    for (unsigned v = 0; v < VTLB_SIZE; v++) {
        if (d->vfull[v].vaddr == page) {
            entry_clear(&d->vtable[v], &d->vfull[v]);
        }
    }
}

/* Drop the linear page of addr from every index of every set (of the
 * other sets, only those that may hold a global entry, when the owner
 * re-checks non-global ones before their next use). */
static void flush_page_sets(CPUX86State *env, uint32_t addr)
{
    for (unsigned k = 0; k < SOFTMMU_TLB_SETS; k++) {
        if (sm.set[k] == NULL ||
            (sm.set[k] != sm.cur && sm.owner != NULL && sm.owner->revalidates &&
             !(sm.global_sets & (1u << k)))) {
            continue;
        }
        for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
            flush_page_idx(env, sm.set[k], idx, addr);
        }
    }
}

/* INVLPG: the page in every index (of every set: a global page may sit
 * in the TLBs of every cached context). */
static void softmmu_flush_page(CPUX86State *env, uint32_t addr)
{
    softmmu_stats.flush_page++;
    flush_page_sets(env, addr);
}

/* [addr, addr + len) in every index; big ranges flush everything. */
static void softmmu_flush_range(CPUX86State *env, uint32_t addr, uint32_t len)
{
    uint32_t first = addr & GUEST_PAGE_MASK;
    uint32_t n;

    softmmu_stats.flush_range++;
    if (len == 0) {
        return;
    }
    n = (((addr & ~GUEST_PAGE_MASK) + len - 1) >> GUEST_PAGE_BITS) + 1;
    if (n >= (1u << CPU_TLB_MIN_BITS) / 4 || len > 0x10000000u) {
        flush_sets_mmuidx(env, (1u << NB_MMU_MODES) - 1);
        return;
    }
    for (uint32_t p = 0; p < n; p++) {
        flush_page_sets(env, first + p * GUEST_PAGE_SIZE);
    }
}

/* Drop the non-global entries of set s (a resize drops all: legal). */
static void set_drop_nonglobal(CPUX86State *env, TLBSet *s)
{
    for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
        TLBDesc *d = &s->d[idx];
        unsigned bits = tlb_flush_bits(d);
        if (bits != d->bits) {
            flush_idx_bits(env, s, idx, bits);   /* globals go too: legal */
            continue;
        }
        used_clear(s, idx, tlb_size(d) / 64, true);
        for (unsigned v = 0; v < VTLB_SIZE; v++) {
            if (d->vfull[v].vaddr != TLB_EMPTY && !d->vfull[v].global) {
                entry_clear(&d->vtable[v], &d->vfull[v]);
            }
        }
        /* large_*: kept (a superset is harmless, just more flushes) */
    }
}

/* CR3 reload: keep entries of global pages (the current set only). */
static void softmmu_flush_nonglobal(CPUX86State *env)
{
    softmmu_stats.flush_nonglobal++;
    set_drop_nonglobal(env, sm.cur);
}

/* ------------------------------------------------------------------------
 * TLB sets (core/mem.h): one per cached guest context of a window path
 */

/* Fills of the current set report their walks to owner (NULL: none). */
void softmmu_set_owner(const SoftmmuOwner *owner)
{
    sm.owner = owner;
    sm.owner_walks = true;
}

/* The owner wants the current set's walks (on) or not. */
void softmmu_owner_walks(bool on)
{
    sm.owner_walks = on;
}

/* An empty set at the default size (NULL: no memory). */
static TLBSet *set_new(CPUX86State *env)
{
    TLBSet *s = os_try_zalloc(sizeof(TLBSet));

    if (s == NULL) {
        return NULL;
    }
    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        s->d[i].bits = CPU_TLB_DYN_DEFAULT_BITS;
        idx_wipe(s, i);
        flush_idx_bits(env, s, i, CPU_TLB_DYN_DEFAULT_BITS);
    }
    return s;
}

/* Make set k current with the entries it holds (allocated, empty, on its
 * first selection); false: no memory for it, the current set stays. */
bool softmmu_tlb_select(CPUX86State *env, unsigned k)
{
    if (k >= SOFTMMU_TLB_SETS) {
        return false;
    }
    if (sm.set[k] == NULL && (sm.set[k] = set_new(env)) == NULL) {
        return false;
    }
    if (sm.set[k] != sm.cur) {
        sm.cur = sm.set[k];
        sm.cur_k = k;
        softmmu_stats.set_switches++;
        for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
            tlb_publish(env, idx);
        }
    }
    return true;
}

/* Drop the entries of set k: the non-global ones (a CR3 load would have
 * dropped them), or all. */
void softmmu_tlb_drop(CPUX86State *env, unsigned k, bool nonglobal_only)
{
    if (k >= SOFTMMU_TLB_SETS || sm.set[k] == NULL) {
        return;
    }
    softmmu_stats.set_drops++;
    if (nonglobal_only) {
        set_drop_nonglobal(env, sm.set[k]);
        return;
    }
    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        flush_idx(env, sm.set[k], i);
    }
    sm.global_sets &= ~(1u << k);
}

/* ------------------------------------------------------------------------
 * Fill
 */

/* Walks of fills with an owner: the paging-structure frames read, top
 * level first (the two halves of a PAE entry count once). */
typedef struct FillWalk {
    uint32_t frames[4];
    unsigned n;
} FillWalk;

/* Owner walks: read a paging-structure dword, noting its frame. */
static uint32_t fill_ld32(void *opaque, uint32_t pa)
{
    FillWalk *fw = opaque;
    uint32_t fr = pa >> GUEST_PAGE_BITS;

    if ((fw->n == 0 || fw->frames[fw->n - 1] != fr) &&
        fw->n < ARRAY_SIZE(fw->frames)) {
        fw->frames[fw->n++] = fr;
    }
    return (uint32_t)phys_read(pa, 4);
}

/* Owner walks: the A/D update, as x86_mmu_walk makes it. */
static void fill_st32(void *opaque, uint32_t pa, uint32_t val)
{
    (void)opaque;
    phys_write_notdirty(pa, val, 4);
}

/* tlb_walk for an owner that wants the walk: the recording walk, its
 * frames reported to the owner when it succeeds.  Out of line, so the
 * plain case needs no frame. */
static __attribute__((noinline)) int
tlb_walk_owner(CPUX86State *env, uint32_t addr, int access, unsigned idx,
               X86PageResult *res)
{
    FillWalk fw = { .n = 0 };
    X86WalkOps ops = { fill_ld32, fill_st32, &fw };
    int r = x86_mmu_walk_ops(env, addr, access, (int)idx, res, &ops);

    if (r == 0) {
        sm.owner->walked(fw.frames, fw.n, res->page_size);
    }
    return r;
}

/* The walk of a fill of the current set (0 or a fault code); with an
 * owner that wants it, a successful walk reports the frames it read. */
static int tlb_walk(CPUX86State *env, uint32_t addr, int access,
                    unsigned idx, X86PageResult *res)
{
    if (sm.owner == NULL || !sm.owner_walks) {
        return x86_mmu_walk(env, addr, access, (int)idx, res);
    }
    return tlb_walk_owner(env, addr, access, idx, res);
}

/* Install the walk result res for linear addr in index idx of the current
 * set. */
static void tlb_set_page(CPUX86State *env, unsigned idx, uint32_t addr,
                         const X86PageResult *res)
{
    TLBDesc *d = &sm.cur->d[idx];
    unsigned i = tlb_index(d, addr);
    CPUTLBEntry *e = &sm.cur->tables[idx][i];
    TLBFull *f = &d->full[i];
    uint32_t vpage = addr & GUEST_PAGE_MASK;
    uint32_t ppage = res->paddr & GUEST_PAGE_MASK;
    uint8_t pf = guest_pflags[ppage >> GUEST_PAGE_BITS];
    uint32_t rflags = 0, wflags = 0;

    softmmu_stats.fills++;
    sm.fill_gen++;
    used_mark(d, i);
    if (res->page_size > GUEST_PAGE_SIZE) {
        /* remember the region, growing it to cover both (QEMU-style) */
        uint32_t lmask = ~(res->page_size - 1);
        uint32_t laddr = addr & lmask;
        if (!d->large) {
            d->large = true;
            d->large_mask = lmask;
            d->large_addr = laddr;
        } else {
            lmask &= d->large_mask;
            while (((d->large_addr ^ laddr) & lmask) != 0) {
                lmask <<= 1;
            }
            d->large_mask = lmask;
            d->large_addr &= lmask;
        }
    }
    /* evict a different page to the victim TLB */
    if (f->vaddr != TLB_EMPTY && f->vaddr != vpage) {
        unsigned v = d->vindex++ % VTLB_SIZE;
        d->vtable[v] = *e;
        d->vfull[v] = *f;
    }
    /* the same page may also sit in the victim TLB with older rights */
    for (unsigned v = 0; v < VTLB_SIZE; v++) {
        if (d->vfull[v].vaddr == vpage) {
            entry_clear(&d->vtable[v], &d->vfull[v]);
        }
    }
    if (pf & PF_NOT_RAM) {
        rflags |= TLB_MMIO;
        wflags |= TLB_MMIO;
        e->addend = 0;
    } else {
        e->addend = (uintptr_t)(guest_ram + ppage) -
                    (uintptr_t)(intptr_t)(int32_t)vpage;
    }
    if (pf & (PF_CODE | PF_PT)) {
        wflags |= TLB_NOTDIRTY;
    }
    if (pf & PF_PT) {
        wflags |= TLB_PT;
    }
    if (watch_match(vpage, GUEST_PAGE_SIZE)) {
        rflags |= TLB_WATCH;
        wflags |= TLB_WATCH;
    }
    e->addr_read = (res->prot & PAGE_READ) ? vpage | rflags : TLB_EMPTY;
    e->addr_write = (res->prot & PAGE_WRITE) ? vpage | wflags : TLB_EMPTY;
    if (res->prot & PAGE_WRITE) {
        wr_note(ppage, wflags);
    }
    f->vaddr = vpage;
    f->paddr = ppage;
    f->prot = (uint8_t)res->prot;
    f->global = res->global;
    sm.global_sets |= (unsigned)res->global << sm.cur_k;
    if (unlikely(log_enabled(LOG_MMU))) {
        hlog("tlb: idx %u 0x%08x -> 0x%08x prot %u%s%s\n", idx, vpage, ppage,
             res->prot, res->global ? " G" : "",
             res->page_size > GUEST_PAGE_SIZE ? " large" : "");
    }
}

/* Search the victim TLB for addr (compare word at field offset off). */
static bool victim_hit(CPUX86State *env, unsigned idx, uint32_t addr, bool store)
{
    TLBDesc *d = &sm.cur->d[idx];
    unsigned i = tlb_index(d, addr);

    (void)env;
    for (unsigned v = 0; v < VTLB_SIZE; v++) {
        uint32_t cmp = store ? d->vtable[v].addr_write : d->vtable[v].addr_read;
        if (tlb_hit_page(cmp, addr)) {
            CPUTLBEntry te = sm.cur->tables[idx][i];
            TLBFull tf = d->full[i];
            sm.cur->tables[idx][i] = d->vtable[v];
            d->full[i] = d->vfull[v];
            used_mark(d, i);
            d->vtable[v] = te;
            d->vfull[v] = tf;
            softmmu_stats.victim_hits++;
            d->vhits++;
            d->window_vhits++;
            return true;
        }
    }
    return false;
}

/* Make the entry of addr valid for access, walking if needed; raises #PF. */
static CPUTLBEntry *tlb_lookup_fill(CPUX86State *env, unsigned idx,
                                    uint32_t addr, bool store, uintptr_t ra)
{
    TLBDesc *d = &sm.cur->d[idx];
    unsigned i = tlb_index(d, addr);
    CPUTLBEntry *e = &sm.cur->tables[idx][i];
    uint32_t cmp = store ? e->addr_write : e->addr_read;

    if (likely(tlb_hit_page(cmp, addr))) {
        return e;
    }
    softmmu_stats.misses++;
    if (unlikely(++d->misses > 2 * tlb_size(d)) && d->bits < CPU_TLB_MAX_BITS) {
        /* capacity misses without flushes: grow now if the rate says so;
         * conflict misses (the victim TLB keeps swapping): grow too */
        unsigned bits = tlb_wanted_bits(d, tlb_used(d));
        if (bits <= d->bits && d->vhits > tlb_size(d)) {
            bits = d->bits + 1;
        }
        d->misses = 0;
        d->vhits = 0;
        if (bits > d->bits) {
            flush_idx_bits(env, sm.cur, idx, bits);
            e = tlb_entry(env, idx, addr);
        }
    }
    if (!victim_hit(env, idx, addr, store)) {
        X86PageResult res;
        int r = tlb_walk(env, addr, store ? MMU_DATA_STORE : MMU_DATA_LOAD,
                         idx, &res);
        if (r) {
            softmmu_stats.page_faults++;
            x86_raise_page_fault(env, addr, r, ra);
        }
        tlb_set_page(env, idx, addr, &res);
    }
    return e;
}

/* MemPath.peek: the current entry's physical address, no side effects. */
static bool softmmu_peek(CPUX86State *env, uint32_t addr, bool store,
                         unsigned idx, uint32_t *phys)
{
    const TLBDesc *d = &sm.cur->d[idx];
    unsigned i = tlb_index(d, addr);
    const CPUTLBEntry *e = &sm.cur->tables[idx][i];

    (void)env;
    if (tlb_hit_page(store ? e->addr_write : e->addr_read, addr)) {
        *phys = d->full[i].paddr | (addr & ~GUEST_PAGE_MASK);
        return true;
    }
    for (unsigned v = 0; v < VTLB_SIZE; v++) {
        e = &d->vtable[v];
        if (tlb_hit_page(store ? e->addr_write : e->addr_read, addr)) {
            *phys = d->vfull[v].paddr | (addr & ~GUEST_PAGE_MASK);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------
 * Slow-path accesses
 */

/* One load that does not cross a page. */
static uint32_t ld_page(CPUX86State *env, uint32_t addr, unsigned size,
                        unsigned idx, uintptr_t ra)
{
    CPUTLBEntry *e = tlb_lookup_fill(env, idx, addr, false, ra);
    uint32_t fl = e->addr_read & TLB_FLAGS_MASK;
    uint32_t v;

    if (unlikely(fl & TLB_MMIO)) {
        const TLBDesc *d = &sm.cur->d[idx];
        uint32_t pa = d->full[tlb_index(d, addr)].paddr |
                      (addr & ~GUEST_PAGE_MASK);
        softmmu_stats.mmio++;
        v = phys_read(pa, size);
    } else {
        v = mem_host_ld((const uint8_t *)(e->addend + (uintptr_t)(intptr_t)(int32_t)addr),
                    size);
    }
    if (unlikely(fl & TLB_WATCH)) {
        watch_hit(env, addr, size, WP_READ, v, NULL, ra);
    }
    return v;
}

/* One store that does not cross a page. */
static void st_page(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned size, unsigned idx, uintptr_t ra)
{
    CPUTLBEntry *e = tlb_lookup_fill(env, idx, addr, true, ra);
    uint32_t fl = e->addr_write & TLB_FLAGS_MASK;
    const TLBDesc *d = &sm.cur->d[idx];
    const TLBFull *f = &d->full[tlb_index(d, addr)];
    uint32_t pa = f->paddr | (addr & ~GUEST_PAGE_MASK);

    if (unlikely(fl & TLB_WATCH)) {
        watch_hit(env, addr, size, WP_WRITE, val,
                  (fl & TLB_MMIO) ? NULL : (const uint8_t *)(e->addend +
                      (uintptr_t)(intptr_t)(int32_t)addr), ra);
    }
    if (unlikely(fl & TLB_MMIO)) {
        softmmu_stats.mmio++;
        phys_write(pa, val, size);
        return;
    }
    if (unlikely(fl & TLB_NOTDIRTY)) {
        if (!(guest_pflags[pa >> GUEST_PAGE_BITS] & (PF_CODE | PF_PT))) {
            /* the page has lost its code or page-table frame status since
             * the flag was set (e.g. while this TLB set was not current):
             * a plain page again */
            e->addr_write &= ~(TLB_NOTDIRTY | TLB_PT);
            wr_note(pa, e->addr_write);
            mem_host_st(guest_ram + pa, val, size);
            return;
        }
        if (!(fl & TLB_WATCH) &&
            !(guest_pflags[pa >> GUEST_PAGE_BITS] & PF_PT) &&
            (smc_map_passes(pa, size) ||
             smc_store_passes(pa >> GUEST_PAGE_BITS, pa & ~GUEST_PAGE_MASK,
                              size))) {
            /* a code page's data: the code map or the page's bitmap says
             * no TB covers the bytes */
            softmmu_stats.code_data_stores++;
            if (fl & TLB_PT) {
                /* no longer a page-table frame: the code-map probe of
                 * the inline store may take the next stores */
                e->addr_write &= ~TLB_PT;
                wr_note(pa, e->addr_write);
            }
            mem_host_st(guest_ram + pa, val, size);
            return;
        }
        softmmu_stats.code_stores++;
        if (guest_pflags[pa >> GUEST_PAGE_BITS] & PF_PT) {
            mem_pt_write_hook(pa);      /* a protected page-table frame */
        }
        if (guest_pflags[pa >> GUEST_PAGE_BITS] & PF_CODE) {
            /* may restart the instruction (does not return then) */
            tb_invalidate_phys_page_fast(env, pa, size, ra);
        }
        e = &sm.cur->tables[idx][tlb_index(d, addr)];
        if (tlb_hit_page(e->addr_write, addr)) {
            uint8_t pf = guest_pflags[pa >> GUEST_PAGE_BITS];
            if (!(pf & PF_PT)) {
                e->addr_write &= ~TLB_PT;
            }
            if (!(pf & (PF_CODE | PF_PT))) {
                e->addr_write &= ~TLB_NOTDIRTY;
            }
            wr_note(pa, e->addr_write);
        }
        mem_host_st(guest_ram + pa, val, size);
        return;
    }
    mem_host_st((uint8_t *)(e->addend + (uintptr_t)(intptr_t)(int32_t)addr), val,
            size);
}

/* Slow-path load (any alignment). */
static uint32_t softmmu_ld(CPUX86State *env, uint32_t addr, unsigned oi,
                           uintptr_t ra)
{
    unsigned memop = get_memop(oi), idx = get_mmuidx(oi);
    unsigned size = 1u << (memop & MO_SIZE);
    uint32_t v;

    if (unlikely((addr & ~GUEST_PAGE_MASK) + size > GUEST_PAGE_SIZE)) {
        v = 0;
        softmmu_stats.crossing++;
        for (unsigned i = 0; i < size; i++) {
            v |= ld_page(env, addr + i, 1, idx, ra) << (8 * i);
        }
    } else {
        v = ld_page(env, addr, size, idx, ra);
    }
    return memop_extend(v, memop);
}

/* Slow-path store (any alignment); a split store faults before writing. */
static void softmmu_st(CPUX86State *env, uint32_t addr, uint32_t val,
                       unsigned oi, uintptr_t ra)
{
    unsigned memop = get_memop(oi), idx = get_mmuidx(oi);
    unsigned size = 1u << (memop & MO_SIZE);

    if (unlikely((addr & ~GUEST_PAGE_MASK) + size > GUEST_PAGE_SIZE)) {
        uint32_t last = addr + size - 1;
        softmmu_stats.crossing++;
        tlb_lookup_fill(env, idx, addr, true, ra);
        /* a fault on the second page reports its first byte in CR2 */
        tlb_lookup_fill(env, idx, last & GUEST_PAGE_MASK, true, ra);
        /* the second fill may have evicted the first: re-check */
        tlb_lookup_fill(env, idx, addr, true, ra);
        for (unsigned i = 0; i < size; i++) {
            st_page(env, addr + i, (val >> (8 * i)) & 0xff, 1, idx, ra);
        }
        return;
    }
    st_page(env, addr, val, size, idx, ra);
}

/* ------------------------------------------------------------------------
 * Instruction fetch, code pages
 */

/* Linear -> physical for a code fetch; records (not raises) a fault. */
static bool softmmu_get_phys_code(CPUX86State *env, uint32_t linear,
                                  uint32_t *phys, bool *global)
{
    unsigned idx = cpu_mmu_index(env);
    TLBDesc *d = &sm.cur->d[idx];
    unsigned i = tlb_index(d, linear);
    uint32_t page = linear & GUEST_PAGE_MASK;
    X86PageResult res;
    int r;

    if (d->full[i].vaddr == page && (d->full[i].prot & PAGE_EXEC)) {
        /* an MMIO-backed RAM alias runs as its RAM (phys_code_addr) */
        *phys = phys_code_addr(d->full[i].paddr | (linear & ~GUEST_PAGE_MASK));
        if (global != NULL) {
            *global = d->full[i].global;
        }
        sm.fetch_fault_pending = false;
        return true;
    }
    softmmu_stats.code_misses++;
    r = tlb_walk(env, linear, MMU_INST_FETCH, idx, &res);
    if (r) {
        sm.fetch_fault_pending = true;
        sm.fetch_fault_addr = linear;
        sm.fetch_fault_err = r;
        return false;
    }
    tlb_set_page(env, idx, linear, &res);
    *phys = phys_code_addr(res.paddr);
    if (global != NULL) {
        *global = res.global;
    }
    sm.fetch_fault_pending = false;
    return true;
}

/* Stores through every TLB entry of physical page phys_page take the slow
 * path (TLB_NOTDIRTY, and TLB_PT on a PF_PT page: no code-map probe),
 * which checks its PF_CODE / PF_PT flags. */
void softmmu_notdirty_page(CPUX86State *env, uint32_t phys_page)
{
    uint32_t pp = phys_page & GUEST_PAGE_MASK;
    bool pt = (guest_pflags[pp >> GUEST_PAGE_BITS] & PF_PT) != 0;
    uint32_t fl = TLB_NOTDIRTY | (pt ? TLB_PT : 0);
    unsigned mask = wr_nd[pp >> GUEST_PAGE_BITS] |
                    (pt ? wr_pt[pp >> GUEST_PAGE_BITS] : 0);

    (void)env;
    if (mask == 0) {
        return;         /* no set holds a write entry missing the flags */
    }
    softmmu_stats.notdirty_scans++;
    wr_nd[pp >> GUEST_PAGE_BITS] = 0;
    if (pt) {
        wr_pt[pp >> GUEST_PAGE_BITS] = 0;
    }
    for (unsigned k = 0; k < SOFTMMU_TLB_SETS; k++) {
        TLBSet *s = sm.set[k];
        if (s == NULL || !(mask & (1u << k))) {
            continue;
        }
        for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
            TLBDesc *d = &s->d[idx];
            CPUTLBEntry *t = s->tables[idx];
            for (unsigned w = 0; w < tlb_size(d) / 64; w++) {
                for (uint64_t m = d->used[w]; m != 0; m &= m - 1) {
                    unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
                    if (d->full[i].paddr == pp &&
                        d->full[i].vaddr != TLB_EMPTY &&
                        t[i].addr_write != TLB_EMPTY) {
                        t[i].addr_write |= fl;
                    }
                }
            }
            for (unsigned v = 0; v < VTLB_SIZE; v++) {
                if (d->vfull[v].paddr == pp && d->vfull[v].vaddr != TLB_EMPTY &&
                    d->vtable[v].addr_write != TLB_EMPTY) {
                    d->vtable[v].addr_write |= fl;
                }
            }
        }
    }
}

/* Mark or unmark a physical page as holding code; protect its mappings. */
static void softmmu_protect_code_page(CPUX86State *env, uint32_t phys_page,
                                      bool has_code)
{
    uint32_t pp = phys_page & GUEST_PAGE_MASK;

    if (!has_code) {
        /* entries keep TLB_NOTDIRTY until the next store clears it */
        guest_pflags[pp >> GUEST_PAGE_BITS] &= (uint8_t)~PF_CODE;
        return;
    }
    guest_pflags[pp >> GUEST_PAGE_BITS] |= PF_CODE;
    softmmu_notdirty_page(env, pp);
}

/* Raise the recorded fetch fault, if any. */
void mem_raise_fetch_fault(CPUX86State *env)
{
    if (sm.fetch_fault_pending) {
        sm.fetch_fault_pending = false;
        softmmu_stats.page_faults++;
        x86_raise_page_fault(env, sm.fetch_fault_addr, sm.fetch_fault_err, 0);
    }
}

/* Empty TLBs at their default size. */
static void softmmu_init(CPUX86State *env)
{
    sm.cur = sm.set[0];
    sm.cur_k = 0;
    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        sm.cur->d[i].bits = CPU_TLB_DYN_DEFAULT_BITS;
        idx_wipe(sm.cur, i);
        flush_idx_bits(env, sm.cur, i, CPU_TLB_DYN_DEFAULT_BITS);
    }
}

/* Fill generation: changes whenever a TLB entry is filled, so a caller can
 * tell whether an access filled (not a statistic: never reset). */
uint64_t softmmu_fill_gen(void)
{
    return sm.fill_gen;
}

const MemPath mempath_softmmu = {
    .name = "softmmu",
    .stats_print = mem_stats_print,
    .init = softmmu_init,
    .ld = softmmu_ld,
    .st = softmmu_st,
    .get_phys_code = softmmu_get_phys_code,
    .flush_page = softmmu_flush_page,
    .flush_all = softmmu_flush_all,
    .flush_nonglobal = softmmu_flush_nonglobal,
    .flush_range = softmmu_flush_range,
    .flush_mmuidx = softmmu_flush_mmuidx,
    .protect_code_page = softmmu_protect_code_page,
    .peek = softmmu_peek,
};
