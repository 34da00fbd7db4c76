/*
 * hamt86 - the translation block cache.
 *
 *   code cache   one RWX buffer (os_alloc_code), filled linearly by the
 *                backend; a flush starts over after the backend's prologue
 *   TB arena     TranslationBlock structs and their insn_start records,
 *                allocated linearly in step with the code cache, so
 *                tb_list[] is sorted by host_code between flushes
 *   phys hash    (phys_pc, pc, cs_base, flags) -> TB chains
 *   jump cache   direct-mapped by linear pc: the lookup fast path, emptied
 *                by every TLB flush (so a hit needs no page walk)
 *   page lists   per RAM page, the TBs with code on that page; a page
 *                with TBs carries PF_CODE (mem_path->protect_code_page)
 *
 * Tagged pointers: the low bits of a TB pointer (TBs are 8-byte aligned)
 * name a slot: in jmp_list_* the goto_tb slot of the source TB, in
 * page_tbs[] / page_next[] which of the TB's two pages the link is for.
 */
#include "core/exec.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/tb-smc.h"

#include "core/cosim.h"

#ifndef CODE_CACHE_SIZE
#define CODE_CACHE_SIZE  (32u << 20)
#endif
#define TB_ARENA_SIZE    (24u << 20)
#define TB_MAX_COUNT     (256u * 1024)
#define TB_HASH_BITS     16
#define TB_HASH_SIZE     (1u << TB_HASH_BITS)
#define TB_CODE_ALIGN    16

const HostBackend *host_backend;
/* The JIT backend of this host's ISA (HAMT86_BACKEND_*: meson.build). */
#if defined(HAMT86_BACKEND_MIPS)
const HostBackend *host_native_backend = &backend_mips;
#elif defined(HAMT86_BACKEND_LOONGARCH)
const HostBackend *host_native_backend = &backend_loongarch;
#else
const HostBackend *host_native_backend;
#endif
uint32_t tb_next_cflags;

static CodeCache code_cache;
static uint8_t *code_gen_start;   /* first byte after the backend prologue */

static uint8_t *tb_arena, *tb_arena_ptr, *tb_arena_end;
static TranslationBlock **tb_list;
static unsigned tb_count;

static TranslationBlock *tb_hash[TB_HASH_SIZE];
static TbJcEntry tb_jc[TB_JC_SIZE];   /* layout: core/exec.h */
/* Bit r: run r of tb_jc (TB_JC_PAGE entries) may hold an entry; a flush
 * clears only those (a full memset per CR3 load cost mem_ctxsw 6%). */
static uint64_t tb_jc_dirty[TB_JC_RUNS / 64];
/*
 * The entries set with ng since the last flush, so that a CR3 load visits
 * them only (about 200 between two CR3 loads of a Linux boot, where a scan
 * of the runs holding one visited 30 x 128 entries).  Past TB_JC_NG_MAX
 * the CR3 load scans the runs marked in dirty_ng instead.
 */
#define TB_JC_NG_MAX 1024
static struct {
    uint16_t idx[TB_JC_NG_MAX];
    unsigned n;
    bool overflow;
} tb_jc_ng;
BUILD_ASSERT(TB_JC_SIZE <= 65536);
/* Bit r: run r may hold an entry with ng set (tb_jc_flush_nonglobal). */
static uint64_t tb_jc_dirty_ng[TB_JC_RUNS / 64];
BUILD_ASSERT(TB_JC_RUNS % 64 == 0);
static uintptr_t *page_tbs;       /* per RAM page: tagged TB list head */
static uint32_t page_tbs_n;

static IRFunc ir_func;

/* Hash of the physical lookup key. */
static inline unsigned tb_hash_fn(uint32_t phys_pc, uint32_t pc, uint32_t flags)
{
    uint32_t h = phys_pc * 0x9e3779b1u ^ pc * 0x85ebca6bu ^ flags;
    return (h ^ (h >> TB_HASH_BITS)) & (TB_HASH_SIZE - 1);
}

/* First entry of the jump-cache run of lin's page (core/exec.h). */
static inline unsigned tb_jc_run(uint32_t lin)
{
    return tb_jc_index(lin & GUEST_PAGE_MASK) & ~(TB_JC_PAGE - 1);
}

/* Zero run r of the jump cache (its dirty bits are the caller's). */
static inline void tb_jc_zero_run(unsigned r)
{
    memset(&tb_jc[r * TB_JC_PAGE], 0, TB_JC_PAGE * sizeof(tb_jc[0]));
}

/* Empty run r of the jump cache if it may hold an entry. */
static inline void tb_jc_clear_run(unsigned r)
{
    uint64_t bit = 1ull << (r % 64);

    if (tb_jc_dirty[r / 64] & bit) {
        tb_jc_zero_run(r);
        tb_jc_dirty[r / 64] &= ~bit;
        tb_jc_dirty_ng[r / 64] &= ~bit;
    }
}

/* Point env->tb_jc at the jump cache. */
void tb_jc_attach(CPUX86State *env)
{
    env->tb_jc = tb_jc;
}

/* Enter tb (valid for the current mapping) in the jump cache; global:
 * its code is on one page, mapped global. */
static void tb_jc_set(TranslationBlock *tb, bool global)
{
    unsigned i = tb_jc_index(tb->cs_base + tb->pc), r = i / TB_JC_PAGE;
    TbJcEntry *e = &tb_jc[i];

    if (tb->cflags & CF_NOCHAIN) {
        return;   /* lookup_and_goto_ptr never enters a CF_NOCHAIN TB */
    }
    e->flags = tb->flags | TB_JC_VALID;
    e->cs_base = tb->cs_base;
    e->lin = tb->cs_base + tb->pc;
    e->ng = !global;
    e->host_code = tb->host_code;
    e->tb = tb;
    tb_jc_dirty[r / 64] |= 1ull << (r % 64);
    if (!global) {
        tb_jc_dirty_ng[r / 64] |= 1ull << (r % 64);
        if (tb_jc_ng.n < TB_JC_NG_MAX) {
            tb_jc_ng.idx[tb_jc_ng.n++] = (uint16_t)i;
        } else {
            tb_jc_ng.overflow = true;
        }
    }
}

/* Forget the ng entries noted: none is left (a flush). */
static void tb_jc_ng_reset(void)
{
    tb_jc_ng.n = 0;
    tb_jc_ng.overflow = false;
}

/* Page-table change (TLB flush): the jump cache holds TBs by linear pc
 * and its hits are not re-translated, so it goes too. */
void tb_jc_flush(void)
{
    for (unsigned w = 0; w < ARRAY_SIZE(tb_jc_dirty); w++) {
        for (uint64_t m = tb_jc_dirty[w]; m != 0; m &= m - 1) {
            tb_jc_zero_run(w * 64 + (unsigned)__builtin_ctzll(m));
        }
        tb_jc_dirty[w] = 0;
    }
    memset(tb_jc_dirty_ng, 0, sizeof(tb_jc_dirty_ng));
    tb_jc_ng_reset();
}

/* CR3 load: the entries of TBs not on a global page (ng): those noted
 * since the last flush (an entry noted may have been replaced or cleared
 * since: its ng is then 0), or after too many, a scan of the runs that
 * may hold one. */
void tb_jc_flush_nonglobal(void)
{
    if (!tb_jc_ng.overflow) {
        for (unsigned k = 0; k < tb_jc_ng.n; k++) {
            TbJcEntry *e = &tb_jc[tb_jc_ng.idx[k]];

            if (e->ng) {
                memset(e, 0, sizeof(*e));
            }
        }
    } else {
        for (unsigned w = 0; w < ARRAY_SIZE(tb_jc_dirty_ng); w++) {
            for (uint64_t m = tb_jc_dirty_ng[w]; m != 0; m &= m - 1) {
                TbJcEntry *e = &tb_jc[(w * 64 + (unsigned)__builtin_ctzll(m)) *
                                      TB_JC_PAGE];

                for (unsigned i = 0; i < TB_JC_PAGE; i++) {
                    if (e[i].ng) {
                        memset(&e[i], 0, sizeof(e[i]));
                    }
                }
            }
        }
    }
    memset(tb_jc_dirty_ng, 0, sizeof(tb_jc_dirty_ng));
    tb_jc_ng_reset();
}

/* INVLPG of linear: the jump-cache entries whose TBs may touch the page. */
void tb_jc_flush_page(uint32_t linear)
{
    tb_jc_clear_run(tb_jc_run(linear) / TB_JC_PAGE);
    tb_jc_clear_run(tb_jc_run(linear - GUEST_PAGE_SIZE) / TB_JC_PAGE);
}

/* Pick the backend, allocate the code cache and the tables. */
void tb_init(void)
{
    if (host_backend == NULL) {   /* else chosen by the front end (--backend) */
        host_backend = host_native_backend ? host_native_backend
                                           : &backend_interp;
    }
    code_cache.start = os_alloc_code(CODE_CACHE_SIZE);
    code_cache.ptr = code_cache.start;
    code_cache.end = code_cache.start + CODE_CACHE_SIZE;
    if (host_backend->init) {
        host_backend->init(&code_cache);
    }
    code_cache.ptr = (uint8_t *)ALIGN_UP((uintptr_t)code_cache.ptr, TB_CODE_ALIGN);
    code_gen_start = code_cache.ptr;

    tb_arena = os_zalloc(TB_ARENA_SIZE);
    tb_arena_ptr = tb_arena;
    tb_arena_end = tb_arena + TB_ARENA_SIZE;
    tb_list = os_zalloc(TB_MAX_COUNT * sizeof(*tb_list));
    page_tbs_n = guest_ram_size >> GUEST_PAGE_BITS;
    page_tbs = os_zalloc((page_tbs_n ? page_tbs_n : 1) * sizeof(*page_tbs));
    smc_init(page_tbs_n, guest_ram);
}

/* Carve size bytes (8-byte aligned) from the TB arena, or NULL when full. */
static void *arena_alloc(size_t size)
{
    uint8_t *p = tb_arena_ptr;

    size = ALIGN_UP(size, 8);
    if ((size_t)(tb_arena_end - p) < size) {
        return NULL;
    }
    tb_arena_ptr = p + size;
    return p;
}

/* ------------------------------------------------------------------------
 * Chaining
 */

/* Remove (src | n) from dst's incoming list. */
static void jmp_list_remove(TranslationBlock *dst, TranslationBlock *src, int n)
{
    uintptr_t want = (uintptr_t)src | (uintptr_t)n;
    uintptr_t *pp = &dst->jmp_list_head;

    while (*pp) {
        TranslationBlock *t = (TranslationBlock *)(*pp & ~(uintptr_t)7);
        int tn = (int)(*pp & 7);
        if (*pp == want) {
            *pp = t->jmp_list_next[tn];
            t->jmp_list_next[tn] = 0;
            return;
        }
        pp = &t->jmp_list_next[tn];
    }
}

/* Patch goto_tb slot n of tb to jump straight to dst. */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    if (tb->jmp_dest[n] != NULL || tb->invalid || dst->invalid ||
        ((tb->cflags | dst->cflags) & (CF_NOCHAIN | CF_NOCACHE)) ||
        tb->jmp_insn_off[n] == TB_JMP_RESET_OFFSET_INVALID ||
        host_backend->set_jmp_target == NULL) {
        return;
    }
    /* a direct jump never leaves its guest page (see ARCHITECTURE.md) */
    if ((tb->phys_pc & GUEST_PAGE_MASK) != (dst->phys_pc & GUEST_PAGE_MASK)) {
        return;
    }
    host_backend->set_jmp_target(tb, n, dst);
    tb->jmp_dest[n] = dst;
    tb->jmp_list_next[n] = dst->jmp_list_head;
    dst->jmp_list_head = (uintptr_t)tb | (uintptr_t)n;
    stats.chains_patched++;
}

/* Undo every direct jump into and out of tb. */
static void tb_unlink(TranslationBlock *tb)
{
    for (int n = 0; n < 2; n++) {
        TranslationBlock *d = tb->jmp_dest[n];
        if (d != NULL) {
            jmp_list_remove(d, tb, n);
            tb->jmp_dest[n] = NULL;
            host_backend->set_jmp_target(tb, n, NULL);
        }
    }
    while (tb->jmp_list_head) {
        uintptr_t e = tb->jmp_list_head;
        TranslationBlock *src = (TranslationBlock *)(e & ~(uintptr_t)7);
        int n = (int)(e & 7);
        tb->jmp_list_head = src->jmp_list_next[n];
        src->jmp_list_next[n] = 0;
        src->jmp_dest[n] = NULL;
        host_backend->set_jmp_target(src, n, NULL);
    }
}

/* ------------------------------------------------------------------------
 * Page lists
 */

/* Physical page of link n of tb. */
static inline uint32_t tb_page(const TranslationBlock *tb, int n)
{
    return n == 0 ? tb->phys_pc & GUEST_PAGE_MASK : tb->phys_page2;
}

static void tb_link_range(const TranslationBlock *tb, int n, uint32_t *s,
                          uint32_t *e);

/* Set the bytes of link n of tb in its page's SMC bitmap (if any) and in
 * the code map. */
static void page_cover(const TranslationBlock *tb, int n)
{
    uint32_t s, e, base = tb_page(tb, n);

    tb_link_range(tb, n, &s, &e);
    smc_page_cover(base >> GUEST_PAGE_BITS, s - base, e - base);
    smc_map_cover(s, e);
}

/* The code map of page idx from its TB list (drops invalidated TBs' bits). */
static void page_map_rebuild(uint32_t idx)
{
    uint32_t s, e;

    if (idx >= page_tbs_n) {
        return;
    }
    smc_map_clear(idx);
    for (uintptr_t p = page_tbs[idx]; p;) {
        TranslationBlock *tb = (TranslationBlock *)(p & ~(uintptr_t)7);
        int n = (int)(p & 7);

        p = (uintptr_t)tb->page_next[n];
        tb_link_range(tb, n, &s, &e);
        smc_map_cover(s, e);
    }
}

/* Link tb into the list of the page of its link n; mark the page as code. */
static void page_add(CPUX86State *env, TranslationBlock *tb, int n)
{
    uint32_t idx = tb_page(tb, n) >> GUEST_PAGE_BITS;

    if (idx >= page_tbs_n) {
        return;
    }
    if (page_tbs[idx] == 0) {
        mem_path->protect_code_page(env, idx << GUEST_PAGE_BITS, true);
    }
    tb->page_next[n] = (TranslationBlock *)page_tbs[idx];
    page_tbs[idx] = (uintptr_t)tb | (uintptr_t)n;
    page_cover(tb, n);
}

/* Unlink tb from the page of its link n; unmark the page when empty. */
static void page_remove(CPUX86State *env, TranslationBlock *tb, int n)
{
    uint32_t idx = tb_page(tb, n) >> GUEST_PAGE_BITS;
    uintptr_t want = (uintptr_t)tb | (uintptr_t)n;
    uintptr_t *pp;

    if (idx >= page_tbs_n) {
        return;
    }
    pp = &page_tbs[idx];
    while (*pp) {
        TranslationBlock *t = (TranslationBlock *)(*pp & ~(uintptr_t)7);
        int tn = (int)(*pp & 7);
        if (*pp == want) {
            *pp = (uintptr_t)t->page_next[tn];
            break;
        }
        pp = (uintptr_t *)&t->page_next[tn];
    }
    if (page_tbs[idx] == 0) {
        smc_page_drop(idx);
        smc_map_clear(idx);
        mem_path->protect_code_page(env, idx << GUEST_PAGE_BITS, false);
    }
}

/* ------------------------------------------------------------------------
 * Lookup
 */

/* Does tb's code still come from the physical pages it was built from? */
static bool tb_phys_matches(CPUX86State *env, const TranslationBlock *tb)
{
    uint32_t lin = tb->cs_base + tb->pc, phys;

    if (!mem_path->get_phys_code(env, lin, &phys, NULL) ||
        phys != tb->phys_pc) {
        return false;
    }
    if (tb->phys_page2 != ~0u) {
        uint32_t lin2 = (lin & GUEST_PAGE_MASK) + GUEST_PAGE_SIZE;
        if (!mem_path->get_phys_code(env, lin2, &phys, NULL) ||
            (phys & GUEST_PAGE_MASK) != tb->phys_page2) {
            return false;
        }
    }
    return true;
}

/* Find a valid TB for (pc, cs_base, flags), or NULL. */
TranslationBlock *tb_lookup(CPUX86State *env, uint32_t pc, uint32_t cs_base,
                            uint32_t flags)
{
    uint32_t lin = cs_base + pc;
    TbJcEntry *e = &tb_jc[tb_jc_index(lin)];
    TranslationBlock *tb;
    uint32_t phys;
    bool global = false;

    /* no translation check on a hit: every TLB flush empties the cache
     * (tb_jc_flush, tb_jc_flush_page), as QEMU's tb_jmp_cache; the inline
     * probe of lookup_and_goto_ptr checks the same three words */
    if (e->flags == (flags | TB_JC_VALID) && e->cs_base == cs_base &&
        e->lin == lin) {
        stats.lookups_hit++;
        return e->tb;
    }
    /* why the inline probe missed: a flushed entry, another pc's TB, or
     * the same pc's with other flags */
    if (e->flags == 0) {
        stats.lookups_jc_empty++;
    } else if (e->lin != lin) {
        stats.lookups_jc_other++;
    } else {
        stats.lookups_jc_flags++;
    }
    if (!mem_path->get_phys_code(env, cs_base + pc, &phys, &global)) {
        stats.lookups_miss++;
        return NULL;
    }
    for (tb = tb_hash[tb_hash_fn(phys, pc, flags)]; tb; tb = tb->hash_next) {
        if (tb->phys_pc == phys && tb->pc == pc && tb->cs_base == cs_base &&
            tb->flags == flags && !tb->invalid &&
            (tb->phys_page2 == ~0u || tb_phys_matches(env, tb))) {
            tb_jc_set(tb, global && tb->phys_page2 == ~0u);
            stats.lookups_hit++;
            return tb;
        }
    }
    stats.lookups_miss++;
    return NULL;
}

/* lookup_and_goto_ptr: host entry of the TB at env's current state. */
void *helper_lookup_tb_ptr(CPUX86State *env)
{
    uint32_t pc = env->eip;
    uint32_t cs_base = env->segs[R_CS].base;
    uint32_t flags = cpu_tb_flags(env);
    TranslationBlock *tb;

    if (machine.opt.cosim || tb_next_cflags) {
        return NULL;
    }
    tb = tb_lookup(env, pc, cs_base, flags);
    if (tb == NULL || (tb->cflags & CF_NOCHAIN)) {
        return NULL;
    }
    if (unlikely(log_enabled(LOG_EXEC)) && log_in_filter(pc)) {
        hlog("Trace 0x%08x%s [%08x]\n", pc, LOG_SYM(cs_base + pc), flags);
    }
    return tb->host_code;
}

/* ------------------------------------------------------------------------
 * Flush and invalidation
 */

/* Drop every TB and start the code cache over. */
void tb_flush(CPUX86State *env)
{
    for (uint32_t i = 0; i < page_tbs_n; i++) {
        if (page_tbs[i]) {
            page_tbs[i] = 0;
            smc_map_clear(i);
            mem_path->protect_code_page(env, i << GUEST_PAGE_BITS, false);
        }
    }
    smc_flush();
    memset(tb_hash, 0, sizeof(tb_hash));
    tb_jc_flush();
    tb_count = 0;
    tb_arena_ptr = tb_arena;
    code_cache.ptr = code_gen_start;
    stats.tb_flushes++;
    DEBUG_LOG(LOG_EXEC, "code cache flushed\n");
}

/* Invalidate one TB: out of the hash, the jump cache, the page lists. */
static void tb_invalidate(CPUX86State *env, TranslationBlock *tb)
{
    TranslationBlock **pp;
    TbJcEntry *e;

    if (tb->invalid) {
        return;
    }
    tb->invalid = true;
    for (pp = &tb_hash[tb_hash_fn(tb->phys_pc, tb->pc, tb->flags)]; *pp;
         pp = &(*pp)->hash_next) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    }
    e = &tb_jc[tb_jc_index(tb->cs_base + tb->pc)];
    if (e->tb == tb) {
        memset(e, 0, sizeof(*e));
    }
    page_remove(env, tb, 0);
    if (tb->phys_page2 != ~0u) {
        page_remove(env, tb, 1);
    }
    tb_unlink(tb);
    stats.tb_invalidations++;
}

/* Guest physical bytes of link n of tb: [*s, *e). */
static void tb_link_range(const TranslationBlock *tb, int n, uint32_t *s,
                          uint32_t *e)
{
    uint32_t first_end = (tb->phys_pc & GUEST_PAGE_MASK) + GUEST_PAGE_SIZE;

    if (tb->phys_page2 == ~0u) {
        *s = tb->phys_pc;
        *e = tb->phys_pc + tb->size;
    } else if (n == 0) {
        *s = tb->phys_pc;
        *e = first_end;
    } else {
        *s = tb->phys_page2;
        *e = tb->phys_page2 + (tb->size - (first_end - tb->phys_pc));
    }
}

/*
 * Invalidate the TBs overlapping [start, end); returns true when one of
 * them is `cur` or (cur == NULL) covers the physical byte cur_phys.
 */
static bool invalidate_range(CPUX86State *env, uint32_t start, uint32_t end,
                             const TranslationBlock *cur, uint32_t cur_phys)
{
    bool hit = false;

    if (end <= start) {
        return false;
    }
    for (uint32_t pg = start >> GUEST_PAGE_BITS;
         pg <= (end - 1) >> GUEST_PAGE_BITS && pg < page_tbs_n; pg++) {
        uintptr_t e = page_tbs[pg];
        while (e) {
            TranslationBlock *tb = (TranslationBlock *)(e & ~(uintptr_t)7);
            int n = (int)(e & 7);
            uint32_t s, t;

            e = (uintptr_t)tb->page_next[n];
            tb_link_range(tb, n, &s, &t);
            if (s < end && start < t) {
                if (tb == cur) {
                    hit = true;
                } else if (cur == NULL && cur_phys != ~0u) {
                    uint32_t s0, t0, s1 = 0, t1 = 0;
                    tb_link_range(tb, 0, &s0, &t0);
                    if (tb->phys_page2 != ~0u) {
                        tb_link_range(tb, 1, &s1, &t1);
                    }
                    if ((cur_phys >= s0 && cur_phys < t0) ||
                        (cur_phys >= s1 && cur_phys < t1)) {
                        hit = true;
                    }
                }
                tb_invalidate(env, tb);
            }
        }
        if (pg == 0xfffff) {
            break;
        }
    }
    return hit;
}

/* Invalidate every TB overlapping guest physical [start, end). */
void tb_invalidate_phys_range(CPUX86State *env, uint32_t start, uint32_t end)
{
    if (page_tbs == NULL) {
        return;
    }
    invalidate_range(env, start, end, NULL, ~0u);
}

/*
 * After a store into page idx that invalidated nothing from the running
 * TB: a hit drops the page's bitmap (the covered bytes changed); the
 * store that reached SMC_BITMAP_THRESHOLD (miss < 0) builds it from the
 * page list.
 */
static void smc_after_store(uint32_t idx, int miss, bool invalidated)
{
    page_map_rebuild(idx);
    if (invalidated) {
        smc_page_drop(idx);
        return;
    }
    if (miss < 0 && idx < page_tbs_n && page_tbs[idx] != 0 &&
        smc_page_new(idx)) {
        for (uintptr_t e = page_tbs[idx]; e;) {
            TranslationBlock *tb = (TranslationBlock *)(e & ~(uintptr_t)7);
            int n = (int)(e & 7);

            e = (uintptr_t)tb->page_next[n];
            page_cover(tb, n);
        }
        stats.smc_bitmaps++;
    }
}

/*
 * A guest store hit a page with code.  If the TB that is executing is
 * among the invalidated ones, the rest of its code is stale: go back to
 * the storing instruction and re-run it alone in a one-shot TB, so that
 * the store completes and the next instruction is translated afresh.
 */
void tb_invalidate_phys_page_fast(CPUX86State *env, uint32_t phys,
                                  unsigned size, uintptr_t ra)
{
    TranslationBlock *cur = NULL;
    uint32_t cur_phys = ~0u, idx = phys >> GUEST_PAGE_BITS;
    uint64_t ninval = stats.tb_invalidations;
    int miss = 0;

    if (page_tbs == NULL) {
        return;
    }
    if ((phys & ~GUEST_PAGE_MASK) + size <= GUEST_PAGE_SIZE) {
        miss = smc_page_test(idx, phys & ~GUEST_PAGE_MASK, size);
        if (miss > 0) {
            stats.smc_bitmap_misses++;
            return;         /* the bitmap says: data, not code */
        }
    }
    if (ra) {
        cur = tb_find_by_host_pc(ra - 1);
    }
    if (cur == NULL) {
        /* state is exact (interpreter, or helper without a return address):
         * the executing instruction is at env->eip */
        uint32_t p;
        if (mem_path->get_phys_code(env, env->segs[R_CS].base + env->eip, &p, NULL)) {
            cur_phys = p;
        }
    } else if (cur->cflags & CF_NOCACHE) {
        /* the one-shot TB is in no page list: nothing to restart */
        invalidate_range(env, phys, phys + size, NULL, ~0u);
        smc_after_store(idx, miss, stats.tb_invalidations != ninval);
        return;
    }
    if (!invalidate_range(env, phys, phys + size, cur, cur_phys)) {
        smc_after_store(idx, miss, stats.tb_invalidations != ninval);
        return;
    }
    smc_page_drop(idx);
    page_map_rebuild(idx);
    if (cur != NULL) {
        cpu_restore_state(env, ra);
    }
    DEBUG_LOG(LOG_EXEC, "SMC: store to 0x%08x hit the running TB, restart at 0x%08x\n",
              phys, env->eip);
    stats.smc_restarts++;
    tb_next_cflags = CF_NOCACHE | CF_SINGLE;
    env->exception_index = -1;
    cpu_loop_exit(env);
}

/* ------------------------------------------------------------------------
 * Host PC -> TB
 */

/* Binary search for the TB whose code contains host_pc. */
TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc)
{
    unsigned lo = 0, hi = tb_count;

    if (host_pc < (uintptr_t)code_cache.start ||
        host_pc >= (uintptr_t)code_cache.end) {
        return NULL;
    }
    /* last TB with host_code <= host_pc */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if ((uintptr_t)tb_list[mid]->host_code <= host_pc) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    {
        TranslationBlock *tb = tb_list[lo - 1];
        if (host_pc < (uintptr_t)tb->host_code + tb->host_size) {
            return tb;
        }
    }
    return NULL;
}

/*
 * host_pc is a return address inside generated code (GETPC() of a helper):
 * the call belongs to the last guest instruction whose code starts
 * strictly before it.  (A caller holding the exact PC of a faulting host
 * instruction passes pc + 1.)
 */
bool cpu_restore_state(CPUX86State *env, uintptr_t host_pc)
{
    TranslationBlock *tb;
    uint32_t off;
    int i;

    if (host_pc == 0) {
        return false;
    }
    tb = tb_find_by_host_pc(host_pc - 1);
    if (tb == NULL || tb->icount == 0) {
        return false;
    }
    off = (uint32_t)(host_pc - (uintptr_t)tb->host_code);
    for (i = tb->icount - 1; i > 0; i--) {
        if (tb->insn_host_off[i] < off) {
            break;
        }
    }
    env->eip = tb->insn_eip[i];
    return true;
}

/* ------------------------------------------------------------------------
 * Translation
 */

/* Allocate a zeroed TB with room for icount insn_start records later. */
static TranslationBlock *tb_alloc(void)
{
    TranslationBlock *tb;

    if (tb_count == TB_MAX_COUNT) {
        return NULL;
    }
    tb = arena_alloc(sizeof(*tb));
    if (tb != NULL) {
        memset(tb, 0, sizeof(*tb));
    }
    return tb;
}

/* Translate one TB at (pc, cs_base, flags) and enter it in the cache. */
TranslationBlock *tb_gen_code(CPUX86State *env, uint32_t pc, uint32_t cs_base,
                              uint32_t flags, uint32_t cflags)
{
    uint64_t t0 = os_clock_ns();
    TranslationBlock *tb;
    uint8_t *arena_mark;
    bool flushed = false;
    unsigned max_insns = TB_MAX_INSNS;

    if (machine.opt.nochain || machine.opt.cosim || log_enabled(LOG_NOCHAIN)) {
        cflags |= CF_NOCHAIN;
    }
    env->smc_map_bias = smc_state.map_bias;    /* read by generated code */
retry:
    arena_mark = tb_arena_ptr;
    tb = tb_alloc();
    if (tb == NULL) {
        goto full;
    }
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    tb->phys_page2 = ~0u;
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_off[n] = TB_JMP_RESET_OFFSET_INVALID;
        tb->jmp_reset_off[n] = TB_JMP_RESET_OFFSET_INVALID;
    }

    translate_tb(env, tb, &ir_func, max_insns);
    if (tb->icount == 0) {
        /* nothing to run: the caller reports the bad fetch */
        tb->invalid = true;
        return tb;
    }
    if (unlikely(log_enabled(LOG_IR)) && log_in_filter(pc)) {
        hlog("IR before optimisation, TB 0x%08x (%u insns):\n", pc, tb->icount);
        ir_dump(&ir_func);
    }
    ir_optimize(&ir_func);
    if (unlikely(log_enabled(LOG_IR_OPT)) && log_in_filter(pc)) {
        hlog("IR after optimisation, TB 0x%08x:\n", pc);
        ir_dump(&ir_func);
    }
    /* checking runs (--cosim, -d ir/ir_opt) also validate the IR */
    if ((machine.opt.cosim || log_enabled(LOG_IR | LOG_IR_OPT)) &&
        !ir_validate(&ir_func)) {
        os_fatal(70, "invalid IR for TB at 0x%08x", pc);
    }

    tb->insn_host_off = arena_alloc(tb->icount * sizeof(uint32_t));
    tb->insn_eip = arena_alloc(tb->icount * sizeof(uint32_t));
    if (tb->insn_host_off == NULL || tb->insn_eip == NULL) {
        goto full;
    }
    code_cache.ptr = (uint8_t *)ALIGN_UP((uintptr_t)code_cache.ptr, TB_CODE_ALIGN);
    tb->host_code = code_cache.ptr;
    if (code_cache.ptr >= code_cache.end ||
        !host_backend->gen_code(tb, &ir_func, &code_cache)) {
        goto full;
    }
    {
        uint8_t *end = (uint8_t *)tb->host_code + tb->host_size;
        if (end > code_cache.ptr && end <= code_cache.end) {
            code_cache.ptr = end;
        }
        if ((uint8_t *)tb->host_code >= code_cache.start &&
            (uint8_t *)tb->host_code < code_cache.end && tb->host_size) {
            os_flush_icache(tb->host_code, end);
        }
    }
    if (machine.opt.cosim) {
        cosim_attach(tb, &ir_func);
    }

    stats.tbs_translated++;
    stats.tb_guest_insns += tb->icount;
    stats.tb_host_bytes += tb->host_size;
    if (unlikely(log_enabled(LOG_OUT_ASM)) && log_in_filter(pc)) {
        hlog("OUT: [size=%u] TB 0x%08x at %p\n", tb->host_size, pc,
             tb->host_code);
        if (host_backend->disas) {
            host_backend->disas(tb->host_code, tb->host_size);
        }
        hlog("\n");
    }

    tb_list[tb_count++] = tb;
    if (!(cflags & CF_NOCACHE)) {
        unsigned h = tb_hash_fn(tb->phys_pc, pc, flags);
        tb->hash_next = tb_hash[h];
        tb_hash[h] = tb;
        page_add(env, tb, 0);
        if (tb->phys_page2 != ~0u) {
            page_add(env, tb, 1);
        }
        tb_jc_set(tb, false);   /* global or not: known at its next lookup */
    }
    stats.ns_translate += os_clock_ns() - t0;
    return tb;

full:
    /* out of code cache or TB space: start over (at most once) */
    tb_arena_ptr = arena_mark;
    if (flushed) {
        /*
         * The block alone is too big for the backend (its slow-path, label
         * or relocation tables: 65 POPADs are 520 slow paths): translate
         * half as many instructions, as QEMU does on a gen_code overflow.
         */
        if (tb != NULL && tb->icount > 1) {
            max_insns = tb->icount / 2;
            goto retry;
        }
        os_fatal(70, "TB at 0x%08x does not fit in an empty code cache", pc);
    }
    tb_flush(env);
    flushed = true;
    goto retry;
}

/* Release a one-shot (CF_NOCACHE) TB after it ran. */
void tb_discard_nocache(TranslationBlock *tb)
{
    tb->invalid = true;
    if (tb_count > 0 && tb_list[tb_count - 1] == tb) {
        tb_count--;
        code_cache.ptr = tb->host_code;
        tb_arena_ptr = (uint8_t *)tb;
    }
}
