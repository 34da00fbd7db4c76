/*
 * hamt86 - HAMT: the host fault entry (cf. QEMU's accel/tcg/user-exec.c
 * host signal path).  A SIGSEGV/SIGBUS on a window address is a TLB miss
 * of the guest: find the window and the guest linear address, refill
 * (hamt-fill.c) and retry, or send the access to its slow path:
 *
 *   JIT site (HostBackend.find_site)  -> PC := the site's stub
 *   interpreter probe (hamt-probe.c)  -> PC := the probe's fixup
 *   interpreter setjmp accessor       -> call hamt_interp_landing
 *
 * A fault in a window's code-data region (a store beside code, docs/
 * HAMT.md) maps the unit there (hamt_cd_fill) and takes the site's stub.
 *
 * Refills and fallbacks are logged under -d mmu, as softmmu fills are.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/exec.h"
#include "hamt/hamt-internal.h"

/*
 * Window index and guest linear address of host address host, or -1; -2 -
 * index for the guard above the window (an access that crossed linear
 * 0x7fffffff -> 0x80000000, or the end of a paging-off window).  Host
 * offset off from the base (linear 0) is sext32(linear) (hamt.h):
 *   full window:  -2 GiB <= off < 2 GiB,  guard 2 GiB <= off < 2 GiB + 64 KiB
 *   span <= 2 GiB:     0 <= off < span,   guard span <= off < span + 64 KiB
 * When contexts share window bases (a driver with ASIDs), the window of
 * the current context is the one meant.
 */
int hamt_window_of(uintptr_t host, uint32_t *linear)
{
    int found = -1;

    for (unsigned i = 0; i < HAMT_NB_WIN; i++) {
        uintptr_t b = hamt_window_base[i];
        bool full = hamt_window_span[i] > HAMT_WINDOW_HALF;
        int64_t lo = full ? -(int64_t)HAMT_WINDOW_HALF : 0;
        int64_t hi = full ? (int64_t)HAMT_WINDOW_HALF
                          : (int64_t)hamt_window_span[i];
        int64_t off = (int64_t)(intptr_t)(host - b);

        if (b != 0 && off >= lo && off < hi + (int64_t)HAMT_GUARD_SIZE) {
            *linear = (uint32_t)off;
            found = off >= hi ? -2 - (int)i : (int)i;
            if (hamt_win_ctx(i) == hamt.cur_ctx || hamt_win_idx(i) == MMU_PHYS_IDX) {
                break;
            }
        }
    }
    return found;
}

/*
 * Window index and guest linear address of host address host in a
 * code-data region (store alias or code bytes, hamt.h hamt_cd_st), or -1;
 * *guard: in the guard above it.
 */
static int cd_window_of(uintptr_t host, uint32_t *linear, bool *guard)
{
    for (unsigned i = 0; i < HAMT_NB_WIN; i++) {
        bool full = hamt_window_span[i] > HAMT_WINDOW_HALF;
        int64_t lo = full ? -(int64_t)HAMT_WINDOW_HALF : 0;
        int64_t hi = full ? (int64_t)HAMT_WINDOW_HALF
                          : (int64_t)hamt_window_span[i];

        for (unsigned k = 0; k < 2 && hamt_cd_st[i] != 0; k++) {
            uintptr_t b = k ? hamt_cd_map[i] : hamt_cd_st[i];
            int64_t off = (int64_t)(intptr_t)(host - b);
            if (off >= lo && off < hi + (int64_t)HAMT_GUARD_SIZE) {
                *linear = (uint32_t)off;
                *guard = off >= hi;
                return (int)i;
            }
        }
    }
    return -1;
}

/*
 * A fault of a store beside code (its code-bytes load or its store
 * through the alias, both at the site's stub in the site table): map the
 * unit in the region (hamt_cd_fill) for the next time; this access takes
 * the stub (the full slow path) either way.
 */
static bool cd_fault(OSFault *f, uintptr_t stub, int w, uint32_t linear,
                     bool guard)
{
    hamt_stats.faults++;
    hamt_stats.cd_faults++;
    if (f->kind == OS_FAULT_BUS) {
        policy_cd_unaligned(hamt.env, f->pc);
    } else if (!guard &&
               (hamt_win_ctx((unsigned)w) == hamt.cur_ctx || w == MMU_PHYS_IDX)) {
        hamt_cd_fill(hamt.env, (unsigned)w, linear);
    }
    if (unlikely(log_enabled(LOG_MMU))) {
        hlog("hamt: fault in code-data region w %d 0x%08x pc %p -> slow path\n",
             w, linear, (void *)f->pc);
    }
    os_fault_set_pc(f, stub);
    return true;
}

/* -d mmu: one line per host fault of the window access at linear. */
static void log_fault(const OSFault *f, int w, uint32_t linear, bool is_write,
                      const HamtFill *fill, bool jit)
{
    static const char *const outcome[] = { "filled", "slow path", "guest #PF" };

    hlog("hamt: fault %c w %d (idx %u ctx %u) 0x%08x pc %p%s -> %s%s%s\n",
         is_write ? 'W' : 'R', w, w >= 0 ? hamt_win_idx((unsigned)w) : 0,
         w >= 0 ? hamt_win_ctx((unsigned)w) : 0, linear, (void *)f->pc,
         jit ? " (jit)" : "", outcome[fill->outcome],
         fill->churn ? ", churn" : "", fill->transient ? ", transient" : "");
}

/* SIGSEGV/SIGBUS: refill, or send the access to its slow path. */
bool hamt_fault(OSFault *f)
{
    uint64_t t0 = os_clock_ns();
    CPUX86State *env = hamt.env;
    const HostBackend *nb = host_native_backend;
    HamtFill fill = { FILL_SLOW, false, false };
    uintptr_t stub = 0, fixup = 0;
    uint32_t linear = 0;
    int w = hamt_window_of(f->addr, &linear);
    bool jit = false, is_write, guard = false;
    /* not a window: a code-data region's (a store beside code)? */
    int cw = w == -1 ? cd_window_of(f->addr, &linear, &guard) : -1;

    if ((w == -1 && cw == -1) || env == NULL) {
        return false;
    }
    if (nb != NULL && nb->find_site != NULL) {
        const TranslationBlock *tb = tb_find_by_host_pc(f->pc);
        jit = tb != NULL && nb->find_site(tb, f->pc, &stub);
    }
    if (cw >= 0) {
        return jit && cd_fault(f, stub, cw, linear, guard);
    }
    if (!jit) {
        fixup = hamt_probe_fixup(f->pc);
    }
    if (!jit && fixup == 0 && hamt.recover == NULL) {
        return false;       /* a window access from unknown code: a bug */
    }
    hamt_stats.faults++;
    is_write = f->is_write >= 0 ? f->is_write != 0 :
               nb != NULL && nb->insn_is_store != NULL && nb->insn_is_store(f->pc);
    if (f->kind == OS_FAULT_BUS) {
        hamt_stats.fault_unaligned++;
    } else if (w < -1) {
        hamt_stats.fault_split++;     /* crossed 0x7fffffff (or the end of
                                         RAM) into the guard */
    } else if (hamt_win_ctx((unsigned)w) != hamt.cur_ctx && w != MMU_PHYS_IDX) {
        /* a window of another context (no TB should run with it: every
         * CR3 load ends the TB): the slow path uses the current CR3 */
        hamt_stats.fault_other_ctx++;
    } else {
        fill = hamt_fill(env, (unsigned)w, linear, is_write);
    }
    if (unlikely(log_enabled(LOG_MMU))) {
        log_fault(f, w, linear, is_write, &fill, jit);
    }
    if (fill.outcome != FILL_OK) {
        hamt_stats.fallbacks++;
        if (jit) {
            policy_slow_site(env, f->pc, stub, &fill);
            os_fault_set_pc(f, stub);
        } else if (fixup != 0) {
            os_fault_set_pc(f, fixup);
        } else {
            os_fault_redirect_call(f, hamt_interp_landing, NULL);
        }
    } else if (jit && policy_churn_site(env, f->pc, stub, &fill)) {
        os_fault_set_pc(f, stub);
    }
    policy_count_fault(&fill);
    hamt_stats.ns_handler += os_clock_ns() - t0;
    return true;
}
