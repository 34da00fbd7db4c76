/*
 * hamt86 - HAMT: hardware-assisted memory translation (docs/HAMT.md).
 *
 * The HAMT memory path (mempath_hamt, --mmu=hamt) lets generated code
 * access guest memory with one host load/store at
 * window_base[mmu_idx] + sign_extend(guest linear address).  The host MMU
 * checks the access; a miss is a host fault that hamt_fault() handles like
 * a TLB refill: run the guest page walk, install the page through the
 * host-TLB driver (HamtDriver) and retry, or send the access to the slow
 * path (guest #PF, MMIO, code pages, unaligned, unmappable host pages).
 */
#ifndef HAMT86_HAMT_H
#define HAMT86_HAMT_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/os.h"
#include "core/mem.h"

#define HAMT_NB_IDX 4

/*
 * Cached guest contexts (ASID-like, docs/HAMT.md "Cached guest
 * contexts"): each context (one guest CR3) has its own user, kernel+SMAP
 * and kernel windows, so its mappings survive switches to other CR3s; the
 * paging-off window is shared.  Window numbers: context 0 uses 0..3 (=
 * MMU index, 3 = paging off), context c >= 1 uses 4 + 3 * (c - 1) + idx.
 */
#define HAMT_MAX_CTX 8
#define HAMT_NB_WIN (HAMT_NB_IDX + 3 * (HAMT_MAX_CTX - 1))

/* Window number of MMU index idx in context ctx. */
static inline unsigned hamt_win(unsigned ctx, unsigned idx)
{
    if (ctx == 0 || idx == 3) {
        return idx;
    }
    return HAMT_NB_IDX + 3 * (ctx - 1) + idx;
}

/* MMU index of window w. */
static inline unsigned hamt_win_idx(unsigned w)
{
    return w < HAMT_NB_IDX ? w : (w - HAMT_NB_IDX) % 3;
}

/* The windows (bit w) of context ctx's MMU indices (hamt_win). */
static inline uint32_t ctx_win_mask(unsigned ctx)
{
    uint32_t m = 0;

    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        m |= 1u << hamt_win(ctx, idx);
    }
    return m;
}

/* Context of window w (0 for the shared paging-off window). */
static inline unsigned hamt_win_ctx(unsigned w)
{
    return w < HAMT_NB_IDX ? 0 : (w - HAMT_NB_IDX) / 3 + 1;
}

/*
 * The host-TLB driver: what the refill handler and the flushes need from
 * whatever holds the translations (Linux windows, or a real TLB).
 * Addresses are guest linear / guest physical; len is a multiple of the
 * driver's map unit (1 << unit_bits).  win is a window number (hamt_win:
 * MMU index and cached context).
 */
typedef struct HamtDriver {
    const char *name;
    /* Map guest linear [va, va + len) of window win to physical pa. 0 or -errno. */
    int (*install)(unsigned win, uint32_t va, uint32_t pa, uint32_t len,
                   unsigned prot, bool global);
    /* Change the protection of an installed range (same frames). */
    int (*protect)(unsigned win, uint32_t va, uint32_t len, unsigned prot);
    /* Remove [va, va + len) of window win. */
    void (*invalidate)(unsigned win, uint32_t va, uint32_t len);
    /* Remove everything of window win (one syscall / one invtlb). */
    void (*invalidate_all)(unsigned win);
    /* The cached context the CPU runs in now (privileged: its ASID). */
    void (*switch_context)(unsigned ctx);
    /* Set up for map units of 1 << unit_bits bytes; false: unusable. */
    bool (*init)(unsigned unit_bits);
    /* Reserve window win: span bytes (layout below), sets
     * hamt_window_base[win] / hamt_window_span[win]; the base (mid), 0 if
     * there is no room.  Windows of several contexts may share a base when
     * the host tells contexts apart itself (ASIDs). */
    uintptr_t (*reserve)(unsigned win, uint64_t span);
    /* Give window win's reservation back. */
    void (*release)(unsigned win);
    /* Optional: context ctx was recycled for another CR3 (after its
     * windows were flushed): privileged drivers give it a fresh ASID. */
    void (*new_context)(unsigned ctx);
    /* Optional, all four or none (docs/HAMT.md "Stores beside translated
     * code"): the code bytes (core/tb-smc.h) for bytes of guest RAM, in
     * memory the driver can map again (NULL: none); reserve window win's code-data region (sets hamt_cd_st[win]
     * and hamt_cd_map[win]); false: none.  Map [va, va + len) there to
     * frames pa (writable store alias, read-only code bytes), or remove
     * it. */
    uint8_t *(*cd_init)(size_t bytes);
    bool (*cd_reserve)(unsigned win);
    int (*cd_install)(unsigned win, uint32_t va, uint32_t pa, uint32_t len);
    void (*cd_invalidate)(unsigned win, uint32_t va, uint32_t len);
} HamtDriver;

extern const HamtDriver hamt_driver_linux;
/* The driver --mmu=hamt uses (before the memory path is set up; default
 * hamt_driver_linux; bare metal: hamt_driver_tlb). */
void hamt_set_driver(const HamtDriver *drv);

/*
 * Linux user-space driver: window bases (env->hamt_window) and geometry.
 * Generated code keeps 32-bit values sign-extended in 64-bit registers, so
 * a window is laid out around its base ("mid"): linear L lives at host
 * mid + sext32(L) = start + (L ^ 0x80000000), and an access is the address
 * register plus mid, with no zero-extension:
 *
 *   start                  mid = start + 2 GiB          start + 4 GiB
 *   +----------------------+----------------------------+-------+
 *   | 0x80000000 ..        | 0x00000000 .. 0x7fffffff   | guard |
 *   |        .. 0xffffffff | (linear 0 at mid)          | 64 KiB|
 *   +----------------------+----------------------------+-------+
 *
 * Linear 0xffffffff -> 0 is contiguous host memory (x86 wraps there too);
 * an access crossing 0x7fffffff -> 0x80000000 runs into the guard.  A
 * window of at most 2 GiB (paging off with RAM <= 2 GiB) reserves only
 * [mid, mid + span + guard).
 */
#define HAMT_WINDOW_SPAN  ((uint64_t)1 << 32)
#define HAMT_WINDOW_HALF  ((uint64_t)1 << 31)
#define HAMT_GUARD_SIZE   ((uint64_t)1 << 16)
/* mid (host address of linear 0) per window number; 0: not reserved yet */
extern uintptr_t hamt_window_base[HAMT_NB_WIN];
/* linear bytes before the guard: at most 2 GiB, or 4 GiB */
extern uint64_t hamt_window_span[HAMT_NB_WIN];
/* mid of each window's store alias and of its code bytes (driver
 * cd_reserve, laid out like the window); 0: none */
extern uintptr_t hamt_cd_st[HAMT_NB_WIN], hamt_cd_map[HAMT_NB_WIN];

/* Host address of linear in the window whose base (linear 0) is mid. */
static inline uintptr_t hamt_host_addr(uintptr_t mid, uint32_t linear)
{
    return mid + (uintptr_t)(intptr_t)(int32_t)linear;
}
bool hamt_linux_init(unsigned unit_bits);
uintptr_t hamt_linux_reserve(unsigned win, uint64_t span);
void hamt_linux_release(unsigned win);
/* Number of reserve/map/unmap/protect system calls made by the driver. */
extern uint64_t hamt_syscalls;
extern uint64_t hamt_reserved_bytes;

/*
 * The window of idx in the current context, reserved on first use
 * (translation time for the JIT, first access for the interpreter, context
 * switch for an index in use); sets env->hamt_window[idx].  The
 * paging-off window (MMU_PHYS_IDX) only spans guest RAM: accesses at or
 * above the phys limit must take the slow path without touching it.
 * Outside hamt/ these are MemPath.window_ensure / phys_limit (core/mem.h).
 */
uintptr_t hamt_window_ensure(unsigned idx);

/* Options (frontend): host page size to emulate (0: the real one). */
extern uint32_t hamt_opt_host_page;
/* --hamt-adapt: retranslate hot fallback / churning sites (default on). */
extern bool hamt_opt_adapt;
/* --hamt-contexts: cached guest contexts, 1..HAMT_MAX_CTX (1: every CR3
 * load drops the non-global mappings; default HAMT_MAX_CTX). */
extern unsigned hamt_opt_contexts;

/* Statistics for --stats: one counter per HAMT_STAT row of hamt-stats.def. */
typedef struct HamtStats {
#define HAMT_STAT(field, label, div) uint64_t field;
#define HAMT_STAT_LINE(id)
#include "hamt/hamt-stats.def"
#undef HAMT_STAT
#undef HAMT_STAT_LINE
} HamtStats;
extern HamtStats hamt_stats;
void hamt_stats_print(void);

/* The TB site table (core/mem.h; lowering still names it so). */
#define HAMT_SITE_MAGIC MEM_SITE_MAGIC

/*
 * Hot fallback sites: guest physical PCs of instructions whose HAMT
 * accesses kept going to the slow path.  Their TBs are invalidated; the
 * retranslation (hamt_hot_insn true at lowering time: MemPath.
 * inline_softmmu_at) emits the softmmu inline fast path for their
 * accesses instead of a HAMT site.
 */
struct TranslationBlock;
bool hamt_hot_insn(const struct TranslationBlock *tb, uint32_t eip,
                   unsigned idx, unsigned memop, const uint32_t *addr);
/* MemPath.cd_store_at: the insn at eip of tb is a hot store beside code
 * (reserves idx's code-data region). */
bool hamt_cd_insn(const struct TranslationBlock *tb, uint32_t eip,
                  unsigned idx);

/* The window number a host address belongs to, or -1 (-2 - w: its guard). */
int hamt_window_of(uintptr_t host, uint32_t *linear);

/*
 * Exception-table probes (hamt/hamt-probe.c): one host access each; a
 * fault in them that the refill handler cannot map resumes at a fixup that
 * returns HAMT_PROBE_FAULT (loads; values are zero-extended) or 1 (stores).
 */
#if defined(__x86_64__) || (defined(__mips__) && defined(__mips64) && \
                            defined(_ABI64) && _MIPS_SIM == _ABI64)
#define HAMT_HAVE_PROBES 1
#endif
#define HAMT_PROBE_FAULT (~(uint64_t)0)
uint64_t hamt_probe_ld8(uintptr_t host);
uint64_t hamt_probe_ld16(uintptr_t host);
uint64_t hamt_probe_ld32(uintptr_t host);
unsigned hamt_probe_st8(uintptr_t host, uint32_t v);
unsigned hamt_probe_st16(uintptr_t host, uint32_t v);
unsigned hamt_probe_st32(uintptr_t host, uint32_t v);
/* The fixup for a fault at pc inside a probe, or 0. */
uintptr_t hamt_probe_fixup(uintptr_t pc);

/* Interpreter accessors (host-interp/): one host access through the
 * window, faults resolved by hamt_fault (refill / slow path). */
bool hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                    unsigned idx, uint32_t *val);
bool hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx);

/* The HAMT memory path (--mmu=hamt). */
struct MemPath;
extern const struct MemPath mempath_hamt;

/* The refill handler (installed with os_set_fault_handler by init). */
bool hamt_fault(OSFault *f);

#endif
