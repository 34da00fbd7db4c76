/*
 * hamt86 - the HAMT memory path (--mmu=hamt, docs/HAMT.md): the MemPath
 * itself.  Its pieces live in hamt/ by concern (hamt-internal.h):
 *
 *   hamt.c         init, window reservation, C ld/st, flush fan-out,
 *                  code protection, --stats, mempath_hamt
 *   hamt-map.c     the live-mapping table and its flushes   (mechanism)
 *   hamt-ctx.c     cached guest contexts, page-table write protection
 *   hamt-fill.c    the refill: walk, unit assembly, install
 *   hamt-policy.c  fill pressure, site weights, hot set     (policy)
 *   hamt-fault.c   the host fault entry
 *   hamt-interp.c  the interpreter accessors
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
#include "core/tb-smc.h"
#include "hamt/hamt-internal.h"

BUILD_ASSERT(HAMT_NB_IDX == NB_MMU_MODES);

HamtState hamt = {
    .drv = &hamt_driver_linux,
    .unit_bits = GUEST_PAGE_BITS,
    .unit_size = GUEST_PAGE_SIZE,
    .phys_limit = (uint64_t)1 << 32,
};
HamtStats hamt_stats;
uint32_t hamt_opt_host_page;
bool hamt_opt_adapt = true;
unsigned hamt_opt_contexts = HAMT_MAX_CTX;

/* Choose the host-TLB driver (before init). */
void hamt_set_driver(const HamtDriver *drv)
{
    hamt.drv = drv;
}

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
    if (idx == MMU_PHYS_IDX && hamt.phys_limit <= HAMT_WINDOW_HALF) {
        span = hamt.phys_limit;
    }
    b = hamt.drv->reserve(w, span);
    if (b == 0) {
        return 0;
    }
    if (unlikely(log_enabled(LOG_MMU))) {
        hlog("hamt: window %u (index %u, context %u) at %p, %llu MiB\n", w,
             idx, hamt_win_ctx(w), (void *)b, (unsigned long long)(span >> 20));
    }
    if (hamt.win[w].seen == NULL) {
        /* one bit per unit; no memory only disables churn detection */
        hamt.win[w].seen = os_try_zalloc(((size_t)1 << (32 - hamt.unit_bits)) / 8);
    }
    return b;
}

/* The window of idx in the current context, reserved on first use;
 * published in env. */
uintptr_t hamt_window_ensure(unsigned idx)
{
    unsigned w = hamt_win(hamt.cur_ctx, idx);
    uintptr_t b = hamt_window_base[w];

    hamt.idx_used |= 1u << idx;
    if (b != 0) {
        return b;
    }
    b = window_reserve(w, idx);
    if (b == 0 && hamt.cur_ctx != 0 && hamt.env != NULL) {
        /* called between TBs (translation) or by the interpreter, which
         * reads the base for every access: contexts may change here */
        ctx_collapse(ctx_key(hamt.env));
        w = hamt_win(0, idx);
        b = hamt_window_base[w] ? hamt_window_base[w] : window_reserve(w, idx);
    }
    if (b == 0) {
        os_fatal(1, "hamt: cannot reserve the guest window of MMU index %u "
                 "(4 GiB of host address space)", idx);
    }
    if (hamt.env != NULL) {
        env_set_window(hamt.env, idx, w);
    }
    return b;
}

/* The code-data region of idx's window in the current context, reserved
 * when possible (stores beside code need it from now on), published. */
void cd_region_ensure(unsigned idx)
{
    unsigned w = hamt_win(hamt.cur_ctx, idx);

    hamt.pol.cd_idx |= 1u << idx;
    if (hamt_window_base[w] != 0 && hamt.drv->cd_reserve != NULL) {
        hamt.drv->cd_reserve(w);
    }
    if (hamt.env != NULL) {
        env_set_window(hamt.env, idx, w);
    }
}

/* Whether context ci has (or could reserve now) a window for every MMU
 * index in use. */
bool ctx_windows_ok(unsigned ci)
{
    for (unsigned idx = 0; idx < MMU_PHYS_IDX; idx++) {
        unsigned w = hamt_win(ci, idx);
        if ((hamt.idx_used & (1u << idx)) && hamt_window_base[w] == 0 &&
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
    hamt.unit_size = want;
    hamt.unit_bits = (unsigned)__builtin_ctz(want);
    c_note_sync();
    if (!hamt.drv->init(hamt.unit_bits)) {
        os_fatal(1, "hamt: cannot set up the %s driver (%u KiB map units)",
                 hamt.drv->name, hamt.unit_size >> 10);
    }
    map_reset();
    hamt.env = env;
    if (hamt.drv->cd_init != NULL) {
        uint8_t *bytes = hamt.drv->cd_init(guest_ram_size);
        if (bytes != NULL) {
            smc_bytes_attach(bytes);
        }
    }
    /*
     * Windows are reserved on first use: every backend calls
     * window_ensure when it translates (MIPS, LoongArch) or accesses
     * (interpreter), and bounds paging-off accesses by phys_limit.
     */
    hamt.phys_limit = ((uint64_t)guest_ram_size + hamt.unit_size - 1) &
                      ~(uint64_t)(hamt.unit_size - 1);
    if (hamt.phys_limit > (1u << 16)) {
        hamt.phys_limit = (hamt.phys_limit + 0xffff) & ~(uint64_t)0xffff;
    }
    if (hamt_opt_contexts < 1 || hamt_opt_contexts > HAMT_MAX_CTX) {
        hamt_opt_contexts = HAMT_MAX_CTX;
    }
    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        env->hamt_window[i] = 0;
        env->hamt_cd_st[i] = env->hamt_cd_map[i] = 0;
    }
    ctx_init();
    if (!os_set_fault_handler(hamt_fault)) {
        os_fatal(1, "hamt: cannot install the fault handler");
    }
}

/* hamt_ld's rare case, out of line (so the common one needs no frame):
 * the interpreter's softmmu-mode count, and the unit mapped after the
 * load when it filled the softmmu TLB (unit_fill_wanted). */
static __attribute__((noinline)) uint32_t
hamt_ld_note(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra)
{
    uint64_t gen = softmmu_fill_gen();
    uint32_t v;

    hamt_interp_note_miss(env);
    v = mempath_softmmu.ld(env, addr, oi, ra);
    if (unit_fill_wanted(get_mmuidx(oi)) && softmmu_fill_gen() != gen) {
        unit_fill_after_slow(get_mmuidx(oi), addr);
    }
    return v;
}

/* C load (helpers, slow path of the windows): the softmmu; a unit larger
 * than a guest page is mapped once the access filled the softmmu TLB. */
static uint32_t hamt_ld(CPUX86State *env, uint32_t addr, unsigned oi,
                        uintptr_t ra)
{
    hamt_stats.c_accesses++;
    if (likely(!((hamt.c_note >> get_mmuidx(oi)) & 1))) {
        return mempath_softmmu.ld(env, addr, oi, ra);
    }
    return hamt_ld_note(env, addr, oi, ra);
}

/* hamt_st's counterpart of hamt_ld_note. */
static __attribute__((noinline)) void
hamt_st_note(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
             uintptr_t ra)
{
    uint64_t gen = softmmu_fill_gen();

    hamt_interp_note_miss(env);
    mempath_softmmu.st(env, addr, val, oi, ra);
    if (unit_fill_wanted(get_mmuidx(oi)) && softmmu_fill_gen() != gen) {
        unit_fill_after_slow(get_mmuidx(oi), addr);
    }
}

/* C store: the softmmu (SMC, MMIO, #PF, page crossing). */
static void hamt_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned oi, uintptr_t ra)
{
    hamt_stats.c_accesses++;
    if (likely(!((hamt.c_note >> get_mmuidx(oi)) & 1))) {
        mempath_softmmu.st(env, addr, val, oi, ra);
        return;
    }
    hamt_st_note(env, addr, val, oi, ra);
}

/* Code fetch translation: the softmmu's (records fetch faults). */
static bool hamt_get_phys_code(CPUX86State *env, uint32_t linear,
                               uint32_t *phys, bool *global)
{
    return mempath_softmmu.get_phys_code(env, linear, phys, global);
}

/* hamt_flush_page with windows to visit (busy, a bit each), out of line
 * so the common case needs no frame. */
static __attribute__((noinline)) void
flush_page_busy(CPUX86State *env, uint32_t busy, uint32_t linear)
{
    while (busy) {
        flush_page_window((unsigned)__builtin_ctz(busy), linear);
        busy &= busy - 1;
    }
    mempath_softmmu.flush_page(env, linear);
}

/* INVLPG: the unit from the current context's windows (other contexts
 * learn about the PTE write itself when they are loaded again); windows
 * without a mapping or a walked page have nothing to drop. */
static void hamt_flush_page(CPUX86State *env, uint32_t linear)
{
    uint32_t busy = hamt.win_busy & ctx_win_mask(hamt.cur_ctx);

    hamt_stats.flush_page++;
    if (unlikely(busy != 0)) {
        flush_page_busy(env, busy, linear);
        return;
    }
    mempath_softmmu.flush_page(env, linear);
}

/* CR0/CR4 paging changes: every window of every context; the current
 * context caches the current CR3 from now on. */
static void hamt_flush_all(CPUX86State *env)
{
    mempath_softmmu.flush_all(env);
    hamt_stats.flush_all++;
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctx_flush(ci);
        hamt.ctxs[ci].key = HAMT_CTX_NONE;
    }
    flush_window(MMU_PHYS_IDX);
    hamt.ctxs[hamt.cur_ctx].key = ctx_key(env);
    ctx_pd_snap(hamt.cur_ctx);
    hamt.ctx_ever |= 1u << hamt.cur_ctx;
}

/*
 * CR3 load (MOV CR3, task switch).  Cached contexts: switch to the context
 * of the new CR3 and its softmmu TLB set (hamt-ctx.c).  One context
 * (--hamt-contexts=1): drop the non-global mappings of its windows and
 * entries of the softmmu TLB.
 */
static void hamt_flush_nonglobal(CPUX86State *env)
{
    uint64_t sc0 = hamt_syscalls;

    if (!ctx_caching() || !hamt.tlb_sets) {
        mempath_softmmu.flush_nonglobal(env);
    }
    hamt_stats.flush_nonglobal++;
    if (!ctx_caching()) {
        for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
            flush_window_nonglobal(hamt_win(hamt.cur_ctx, idx));
        }
    } else {
        ctx_switch(env, ctx_key(env));
    }
    hamt_stats.flush_nonglobal_syscalls += hamt_syscalls - sc0;
}

/* Drop linear [linear, linear + len) from every window. */
static void hamt_flush_range(CPUX86State *env, uint32_t linear, uint32_t len)
{
    uint32_t v0 = linear >> hamt.unit_bits;
    uint32_t n = (uint32_t)((((uint64_t)linear + len + hamt.unit_size - 1) >>
                             hamt.unit_bits) - v0);

    if (mempath_softmmu.flush_range) {
        mempath_softmmu.flush_range(env, linear, len);
    }
    hamt_stats.flush_range++;
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        HamtWindow *hw = &hamt.win[w];

        walked_clear(w);
        if (hw->nlive == 0) {
            continue;
        }
        if (n > 4096 || (linear <= hw->large_hi && linear + len - 1 >= hw->large_lo)) {
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
    uint32_t punit = phys_page >> hamt.unit_bits;

    mempath_softmmu.protect_code_page(env, phys_page, has_code);
    if (!has_code) {
        return;     /* writable again on the next write fault */
    }
    hamt_stats.code_protects += unit_read_only(punit);
}

/* MemPath.phys_limit: paging-off accesses from here on take the slow path. */
static uint64_t hamt_get_phys_limit(void)
{
    return hamt.phys_limit;
}

/* The lines of hamt-stats.def that are not counters (HAMT_STAT_LINE). */
enum { HAMT_LINE_CTX_USED, HAMT_LINE_DRIVER };

/* Print the HAMT_STAT_LINE row id. */
static void hamt_stats_line(int id)
{
    char buf[96];
    int n;

    if (id == HAMT_LINE_CTX_USED) {
        n = h_snprintf(buf, sizeof(buf), "  %-28s %u of %u\n",
                       "ctx: contexts used",
                       (unsigned)__builtin_popcount(hamt.ctx_ever),
                       hamt_opt_contexts);
        os_write(2, buf, (size_t)n);
    } else {
        stat_line("driver syscalls", hamt_syscalls);
        stat_line("window KiB reserved", hamt_reserved_bytes >> 10);
    }
}

/* --stats lines of HAMT (hamt-stats.def). */
void hamt_stats_print(void)
{
    const HamtStats *s = &hamt_stats;
    char buf[96];
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt: driver %s, map unit %u KiB\n",
                   hamt.drv->name, hamt.unit_size >> 10);
    os_write(2, buf, (size_t)n);
#define HAMT_STAT(field, label, div) stat_line(label, s->field / (div));
#define HAMT_STAT_LINE(id) hamt_stats_line(id);
#include "hamt/hamt-stats.def"
#undef HAMT_STAT
#undef HAMT_STAT_LINE
}

/* MemPath.stats_print: the softmmu's counters (C accesses, fetches, slow
 * paths), then HAMT's. */
static void hamt_path_stats_print(const CPUX86State *env)
{
    mem_stats_print(env);
    hamt_stats_print();
}

const MemPath mempath_hamt = {
    .name = "hamt",
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
    .window_ensure = hamt_window_ensure,
    .inline_softmmu_at = hamt_hot_insn,
    .cd_store_at = hamt_cd_insn,
    .phys_limit = hamt_get_phys_limit,
    .interp_ld = hamt_interp_ld,
    .interp_st = hamt_interp_st,
    .stats_print = hamt_path_stats_print,
};
