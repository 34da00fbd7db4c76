/*
 * hamt86 - unit test of the HAMT live-mapping table (hamt/hamt-map.c) and
 * the cached guest contexts (hamt/hamt-ctx.c) against a model driver, as
 * hamt-tlb-test does for the privileged drivers.
 *
 * The model driver keeps one entry per 4 KiB unit (window, linear unit ->
 * physical unit, protection) and counts its calls.  After each step the
 * table must describe exactly what the model holds (check_consistent).
 * Guest page walks are a model too: walk_peek (hamt-fill.c in the
 * emulator) answers from model_pt[], so the test decides which mappings a
 * context's revalidation keeps.  Exit status 1 on any mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <inttypes.h>

#include "core/mem.h"
#include "core/os.h"
#include "hamt/hamt-internal.h"
#include "softmmu-fallback/softmmu.h"

static int failures;

#define CHECK(what, cond) do { \
        if (!(cond)) { \
            printf("FAIL %s (line %d)\n", what, __LINE__); \
            failures++; \
        } \
    } while (0)

/* ---- model driver: one entry per unit ---------------------------------- */
#define MODEL_MAX 65536
typedef struct ModelUnit {
    bool live;
    unsigned win;
    uint32_t vunit, punit;
    unsigned prot;
} ModelUnit;
static ModelUnit model[MODEL_MAX];
static unsigned n_install, n_protect, n_invalidate, n_invalidate_all;
static unsigned cur_model_ctx;

/* The model entry of (win, vunit), or NULL. */
static ModelUnit *model_find(unsigned win, uint32_t vunit)
{
    for (unsigned i = 0; i < MODEL_MAX; i++) {
        if (model[i].live && model[i].win == win && model[i].vunit == vunit) {
            return &model[i];
        }
    }
    return NULL;
}

/* HamtDriver.install. */
static int model_install(unsigned win, uint32_t va, uint32_t pa, uint32_t len,
                         unsigned prot, bool global)
{
    (void)global;
    n_install++;
    for (uint32_t off = 0; off < len; off += GUEST_PAGE_SIZE) {
        ModelUnit *m = model_find(win, (va + off) >> GUEST_PAGE_BITS);
        for (unsigned i = 0; m == NULL && i < MODEL_MAX; i++) {
            if (!model[i].live) {
                m = &model[i];
            }
        }
        if (m == NULL) {
            return -12;
        }
        m->live = true;
        m->win = win;
        m->vunit = (va + off) >> GUEST_PAGE_BITS;
        m->punit = (pa + off) >> GUEST_PAGE_BITS;
        m->prot = prot;
    }
    return 0;
}

/* HamtDriver.protect. */
static int model_protect(unsigned win, uint32_t va, uint32_t len, unsigned prot)
{
    n_protect++;
    for (uint32_t off = 0; off < len; off += GUEST_PAGE_SIZE) {
        ModelUnit *m = model_find(win, (va + off) >> GUEST_PAGE_BITS);
        if (m != NULL) {
            m->prot = prot;
        }
    }
    return 0;
}

/* HamtDriver.invalidate. */
static void model_invalidate(unsigned win, uint32_t va, uint32_t len)
{
    n_invalidate++;
    for (unsigned i = 0; i < MODEL_MAX; i++) {
        uint32_t v = model[i].vunit << GUEST_PAGE_BITS;
        if (model[i].live && model[i].win == win && v - va < len) {
            model[i].live = false;
        }
    }
}

/* HamtDriver.invalidate_all. */
static void model_invalidate_all(unsigned win)
{
    n_invalidate_all++;
    for (unsigned i = 0; i < MODEL_MAX; i++) {
        if (model[i].win == win) {
            model[i].live = false;
        }
    }
}

/* HamtDriver.switch_context. */
static void model_switch_context(unsigned ctx)
{
    cur_model_ctx = ctx;
}

static const HamtDriver model_driver = {
    .name = "model",
    .install = model_install,
    .protect = model_protect,
    .invalidate = model_invalidate,
    .invalidate_all = model_invalidate_all,
    .switch_context = model_switch_context,
};

/* ---- the rest of the engine, as far as the two files need it ------------ */
#define RAM_SIZE (16u << 20)
uint8_t guest_pflags[GUEST_NB_PAGES];
uint32_t guest_ram_size = RAM_SIZE;
uint8_t *guest_ram;     /* none: no directory snapshots (hamt-ctx.c) */
void (*mem_pt_write_hook)(uint32_t phys);
HamtState hamt;
HamtStats hamt_stats;
unsigned hamt_opt_contexts = HAMT_MAX_CTX;
uintptr_t hamt_window_base[HAMT_NB_WIN];
uintptr_t hamt_cd_st[HAMT_NB_WIN], hamt_cd_map[HAMT_NB_WIN];
static unsigned notdirty_calls;

/* os/: zeroed memory. */
void *os_zalloc(size_t size)
{
    return calloc(1, size);
}

/* os/: fatal error. */
void os_fatal(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    exit(code);
}

/* softmmu: stores to a protected page-table frame take the slow path. */
void softmmu_notdirty_page(CPUX86State *env, uint32_t phys_page)
{
    (void)env;
    (void)phys_page;
    notdirty_calls++;
}

/* softmmu TLB sets: the owner, the current set, drops per set (bit 8:
 * non-global only). */
static const SoftmmuOwner *tlb_owner;
static unsigned tlb_cur_set, tlb_drops[SOFTMMU_TLB_SETS], tlb_ng_drops[SOFTMMU_TLB_SETS];

/* softmmu: fills report their walks to owner. */
void softmmu_set_owner(const SoftmmuOwner *owner)
{
    tlb_owner = owner;
}

/* softmmu: whether fills report their walks (hamt-ctx.c ctx_walks_sync). */
static bool tlb_walks = true;
void softmmu_owner_walks(bool on)
{
    tlb_walks = on;
}

/* softmmu: make set k current (always memory for it). */
bool softmmu_tlb_select(CPUX86State *env, unsigned k)
{
    (void)env;
    tlb_cur_set = k;
    return true;
}

/* softmmu: drop set k's entries. */
void softmmu_tlb_drop(CPUX86State *env, unsigned k, bool nonglobal_only)
{
    (void)env;
    if (nonglobal_only) {
        tlb_ng_drops[k]++;
    } else {
        tlb_drops[k]++;
    }
}

/* hamt.c: every window exists already (bases are fake, never used). */
uintptr_t hamt_window_ensure(unsigned idx)
{
    return hamt_window_base[hamt_win(hamt.cur_ctx, idx)];
}

/* hamt.c: room for every context's windows. */
bool ctx_windows_ok(unsigned ci)
{
    (void)ci;
    return true;
}

/* hamt-linux.c: not reached (no collapse). */
void hamt_linux_release(unsigned win)
{
    (void)win;
}

/*
 * Model guest page tables for walk_peek: linear page -> physical page
 * through one PTE frame (deps: the directory 0x100 and the PTE frame).
 */
#define PT_PAGES 64
static struct { uint32_t ppage, pte_frame; bool present; } model_pt[PT_PAGES];

/* hamt-fill.c: a peek walk, answered from model_pt[]. */
int walk_peek(uint32_t linear, unsigned idx, X86PageResult *res, HamtWalk *wk)
{
    uint32_t vp = linear >> GUEST_PAGE_BITS;

    (void)idx;
    memset(wk, 0, sizeof(*wk));
    if (vp >= PT_PAGES || !model_pt[vp].present) {
        return X86_WALK_FAULT;
    }
    wk->deps[wk->ndeps++] = 0x100;
    wk->deps[wk->ndeps++] = model_pt[vp].pte_frame;
    res->paddr = (model_pt[vp].ppage << GUEST_PAGE_BITS) |
                 (linear & ~GUEST_PAGE_MASK);
    res->page_size = GUEST_PAGE_SIZE;
    res->prot = PAGE_READ | PAGE_WRITE;
    res->global = false;
    return 0;
}

/* ---- checks ---------------------------------------------------------------- */

/* The table and the model hold the same live mappings. */
static void check_consistent(const char *step)
{
    unsigned live = 0, mlive = 0, per_win[HAMT_NB_WIN] = { 0 };

    for (unsigned i = 0; i < HAMT_MAX_MAP; i++) {
        const HamtMap *m = &hamt.maps[i];
        if (!m->live) {
            continue;
        }
        live++;
        per_win[m->win]++;
        ModelUnit *u = model_find(m->win, m->vunit);
        if (u == NULL || u->punit != m->punit || u->prot != m->prot) {
            printf("FAIL %s: entry %u (w %u vunit 0x%x) not in the model\n",
                   step, i, m->win, m->vunit);
            failures++;
            return;
        }
        if (map_find(m->win, m->vunit) != (int32_t)i) {
            printf("FAIL %s: map_find misses entry %u\n", step, i);
            failures++;
        }
    }
    for (unsigned i = 0; i < MODEL_MAX; i++) {
        mlive += model[i].live;
    }
    if (live != mlive) {
        printf("FAIL %s: %u live entries, model has %u\n", step, live, mlive);
        failures++;
    }
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        if (per_win[w] != hamt.win[w].nlive) {
            printf("FAIL %s: window %u counts %u, has %u\n", step, w,
                   hamt.win[w].nlive, per_win[w]);
            failures++;
        }
    }
}

/* Map unit vunit -> punit in window w as a fill does (install + insert). */
static void fill(unsigned w, uint32_t vunit, uint32_t punit, unsigned prot,
                 bool global, uint32_t ptf)
{
    hamt.drv->install(w, vunit << GUEST_PAGE_BITS, punit << GUEST_PAGE_BITS,
                      GUEST_PAGE_SIZE, prot, global);
    map_insert(w, vunit, punit, prot, global, ptf);
}

/* Fresh state: empty table and model, 4 KiB units. */
static void reset(void)
{
    memset(&hamt, 0, sizeof(hamt));
    memset(model, 0, sizeof(model));
    memset(&hamt_stats, 0, sizeof(hamt_stats));
    memset(guest_pflags, 0, sizeof(guest_pflags));
    hamt.drv = &model_driver;
    hamt.unit_bits = GUEST_PAGE_BITS;
    hamt.unit_size = GUEST_PAGE_SIZE;
    n_install = n_protect = n_invalidate = n_invalidate_all = 0;
    map_reset();
}

/* The mapping table: insert, find, flush by unit, window, non-global. */
static void test_map(void)
{
    uint32_t units[] = { 0x13, 0x10, 0x11, 0x20, 0x12 };

    reset();
    for (unsigned i = 0; i < 8; i++) {
        fill(0, 0x10 + i, 0x100 + i, OS_PROT_READ | OS_PROT_WRITE, i & 1, ~0u);
    }
    fill(2, 0x10, 0x100, OS_PROT_READ, false, ~0u);
    check_consistent("insert");
    CHECK("map_find hit", map_find(0, 0x13) >= 0);
    CHECK("map_find other window", map_find(1, 0x13) < 0);

    /* 0x10..0x13 are one run, 0x20 is unmapped: one driver call */
    n_invalidate = 0;
    flush_units(0, 0x10, 4);
    check_consistent("flush_units");
    CHECK("flush_units: one call per run", n_invalidate == 1);
    CHECK("flush_units: gone", map_find(0, 0x12) < 0 && map_find(0, 0x14) >= 0);

    /* invalidate_runs sorts: 0x10..0x13 and 0x20 are two runs */
    n_invalidate = 0;
    invalidate_runs(3, units, 5);
    CHECK("invalidate_runs: sorted into two runs", n_invalidate == 2);

    /* a CR3 load keeps the global entries (odd units) */
    flush_window_nonglobal(0);
    check_consistent("flush_window_nonglobal");
    CHECK("non-global dropped", map_find(0, 0x16) < 0);
    CHECK("global kept", map_find(0, 0x15) >= 0 && map_find(0, 0x17) >= 0);
    CHECK("other window untouched", map_find(2, 0x10) >= 0);

    /* the global bit moves an entry between the lists */
    map_set_global(map_find(0, 0x15), false);
    flush_window_nonglobal(0);
    check_consistent("map_set_global");
    CHECK("entry made non-global dropped", map_find(0, 0x15) < 0);

    /* a code page: every writable mapping of the frame becomes read-only */
    fill(1, 0x30, 0x107, OS_PROT_READ | OS_PROT_WRITE, false, ~0u);
    CHECK("unit_read_only: two writable", unit_read_only(0x107) == 2);
    check_consistent("unit_read_only");
    CHECK("unit_read_only: now read-only",
          model_find(1, 0x30)->prot == OS_PROT_READ);

    /* INVLPG inside a large-page region drops the whole window */
    hamt.win[0].large_lo = 0x17000;
    hamt.win[0].large_hi = 0x17fff;
    n_invalidate_all = 0;
    flush_page_window(0, 0x17000);
    check_consistent("flush_page_window (large)");
    CHECK("large region: whole window", n_invalidate_all == 1 &&
          hamt.win[0].nlive == 0);

    flush_window(2);
    check_consistent("flush_window");
    CHECK("flush_window: empty", hamt.win[2].nlive == 0);
}

/* FIFO eviction once the table is full. */
static void test_evict(void)
{
    reset();
    for (uint32_t i = 0; i < HAMT_MAX_MAP + 10; i++) {
        map_insert(1, i, i, OS_PROT_READ, false, ~0u);
    }
    CHECK("evictions counted", hamt_stats.evictions == 10);
    CHECK("oldest evicted", map_find(1, 0) < 0 && map_find(1, 9) < 0);
    CHECK("newest kept", map_find(1, 10) >= 0 &&
          map_find(1, HAMT_MAX_MAP + 9) >= 0);
    CHECK("live count", hamt.win[1].nlive == HAMT_MAX_MAP);
}

/* Cached contexts: protection, hits, revalidation after a PTE write. */
static void test_ctx(void)
{
    CPUX86State env;
    uint32_t ptf_a, key_a = 0x1000, key_b = 0x2000;

    reset();
    memset(&env, 0, sizeof(env));
    hamt.env = &env;
    hamt_opt_contexts = 4;
    ctx_init();
    CHECK("caching on", ctx_caching());
    for (unsigned w = 0; w < HAMT_NB_WIN; w++) {
        hamt_window_base[w] = 0x10000000u * (w + 1);
    }
    hamt.idx_used = 1u << 0;

    /* CR3 = A: the first context */
    env.cr[3] = key_a;
    ctx_switch(&env, ctx_key(&env));
    CHECK("ctx new", hamt_stats.ctx_new == 1);
    unsigned ca = hamt.cur_ctx;

    /* two user pages through PTE frame 0x200 (and one through 0x201) */
    for (uint32_t vp = 0; vp < 3; vp++) {
        HamtWalk wk;
        X86PageResult r;
        model_pt[vp].present = true;
        model_pt[vp].ppage = 0x400 + vp;
        model_pt[vp].pte_frame = vp < 2 ? 0x200 : 0x201;
        walk_peek(vp << GUEST_PAGE_BITS, 0, &r, &wk);
        ptf_a = ctx_depend(ca, wk.deps, wk.ndeps, r.page_size);
        CHECK("ctx_depend: the PTE frame", ptf_a == model_pt[vp].pte_frame);
        fill(hamt_win(ca, 0), vp, 0x400 + vp, OS_PROT_READ | OS_PROT_WRITE,
             false, ptf_a);
    }
    check_consistent("ctx: filled");
    CHECK("frames protected", pt_protected(0x100) && pt_protected(0x200) &&
          pt_protected(0x201) && hamt_stats.pt_protects == 3);

    CHECK("TLB set of A", tlb_owner != NULL && tlb_cur_set == ca);
    /* a softmmu TLB fill in A walked PD 0x100 and PTE frame 0x202 */
    {
        static const uint32_t f[2] = { 0x100, 0x202 };
        tlb_owner->walked(f, 2, GUEST_PAGE_SIZE);
        CHECK("TLB fill: frame protected", pt_protected(0x202));
    }

    /* CR3 = B: another context; A's mappings survive */
    env.cr[3] = key_b;
    ctx_switch(&env, ctx_key(&env));
    CHECK("second context", hamt.cur_ctx != ca && hamt_stats.ctx_new == 2);
    CHECK("A's mappings kept", hamt.win[hamt_win(ca, 0)].nlive == 3);
    CHECK("TLB set of B", tlb_cur_set == hamt.cur_ctx);

    /* back to A with nothing written: its TLB set is kept */
    unsigned cb = hamt.cur_ctx;
    env.cr[3] = key_a;
    ctx_switch(&env, ctx_key(&env));
    CHECK("A's TLB set kept", tlb_cur_set == ca && tlb_ng_drops[ca] == 0 &&
          tlb_drops[ca] == 1);
    /* the guest rewrites the PTE behind the TLB fill only (frame 0x202):
     * going to B and back to A drops A's non-global TLB entries */
    env.cr[3] = key_b;
    ctx_switch(&env, ctx_key(&env));
    pt_written(0x202 << GUEST_PAGE_BITS);
    env.cr[3] = key_a;
    ctx_switch(&env, ctx_key(&env));
    CHECK("TLB-only frame written: A's set dropped", tlb_ng_drops[ca] == 1 &&
          tlb_ng_drops[cb] == 0);
    env.cr[3] = key_b;
    ctx_switch(&env, ctx_key(&env));

    /* the guest rewrites the PTE of page 1 (frame 0x200) */
    pt_written(0x200 << GUEST_PAGE_BITS);
    CHECK("frame written: unprotected", !pt_protected(0x200) &&
          hamt_stats.pt_writes == 2);
    model_pt[1].ppage = 0x500;

    /* back to A: a hit; page 1 is dropped, page 0 re-checked and kept,
     * page 2 (frame 0x201 not written) not even looked at */
    env.cr[3] = key_a;
    ctx_switch(&env, ctx_key(&env));
    check_consistent("ctx: revalidated");
    CHECK("ctx hit", hamt.cur_ctx == ca && hamt_stats.ctx_hits == 5);
    CHECK("changed PTE dropped", map_find(hamt_win(ca, 0), 1) < 0 &&
          hamt_stats.pt_drops == 1);
    CHECK("unchanged PTE kept", map_find(hamt_win(ca, 0), 0) >= 0 &&
          hamt_stats.pt_kept == 1);
    CHECK("untouched frame's mapping kept", map_find(hamt_win(ca, 0), 2) >= 0);
    CHECK("frame protected again", pt_protected(0x200));
    CHECK("A's TLB set dropped again", tlb_ng_drops[ca] == 2);
    CHECK("driver switched", cur_model_ctx == ca);

    /* contexts 3 and 4, then a fifth CR3 recycles the least recently used */
    env.cr[3] = 0x3000;
    ctx_switch(&env, ctx_key(&env));
    env.cr[3] = 0x4000;
    ctx_switch(&env, ctx_key(&env));
    env.cr[3] = 0x5000;
    ctx_switch(&env, ctx_key(&env));
    CHECK("LRU recycled", hamt_stats.ctx_recycled == 1);
    CHECK("recycled context's TLB set dropped", tlb_drops[1] == 2 ||
          tlb_drops[hamt.cur_ctx] == 2);
    CHECK("B was the least recently used", hamt.ctxs[1].key == 0x5000 ||
          hamt.ctxs[hamt.cur_ctx].key == 0x5000);
    CHECK("A still cached", hamt.ctxs[ca].key == key_a &&
          hamt.win[hamt_win(ca, 0)].nlive == 2);
    check_consistent("ctx: recycled");
}

int main(void)
{
    test_map();
    test_evict();
    test_ctx();
    if (failures) {
        printf("hamt-map-test: %d failures\n", failures);
        return 1;
    }
    printf("hamt-map-test: ok\n");
    return 0;
}
