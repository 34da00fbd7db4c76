/*
 * hamt86 - the bare-metal OS layer (os/bm/): what its files share.
 *
 *   os/bm/os-bm.c        core/os.h, board-independent: console framing,
 *                        exit status line, page allocator, fatal errors,
 *                        host faults (exception frame) and the register dump
 *   os/bm/bm-rcache.c    the refill cache both boards' refill vectors read
 *   os/bm/os-bm-la.c     LoongArch64 on qemu-system-loongarch64 -M virt:
 *   os/bm/la-entry.c       boot, clock (rdtime), power-off, vectors,
 *   os/bm/la-tlbmap.c      the host TLB behind HAMT's windows,
 *   os/bm/bm-selftest.c    TLB self-tests  (bm-la.h)
 *   os/bm/os-bm-mips.c   MIPS64r2 on qemu-system-mips64el -M malta:
 *   os/bm/mips-entry.c     boot, clock (CP0 Count), power-off, vectors,
 *   os/bm/mips-hamt.c      HAMT's privileged driver on the TLB (bm-mips.h)
 *   frontend/main-bm.c   the boot block (options + guest image) ->
 *                        frontend_main
 *
 * The exception frame the vectors build on the stack (u64 slots):
 *
 *   [0]      pc (the exception return address)
 *   [1..31]  general registers 1..31 (register 0 is zero; [sp] = the
 *            stack pointer before the exception; MIPS: [26], [27] = HI,
 *            LO instead of k0/k1)
 *   [32]     status  (LoongArch PRMD, MIPS Status)
 *   [33]     cause   (LoongArch ESTAT, MIPS Cause)
 *   [34]     bad virtual address
 *   [35]     kind (BM_EXC_*)
 */
#ifndef HAMT86_OS_BM_H
#define HAMT86_OS_BM_H

#include "core/base.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define BM_FRAME_PC     0
#define BM_FRAME_STATUS 32
#define BM_FRAME_CAUSE  33
#define BM_FRAME_BADV   34
#define BM_FRAME_KIND   35
#define BM_FRAME_SLOTS  36
#define BM_FRAME_BYTES  (BM_FRAME_SLOTS * 8)
#define BM_EXC_GENERAL  0
#define BM_EXC_MERR     1     /* LoongArch machine error */
#define BM_EXC_REFILL   2     /* TLB refill (LoongArch: a window miss) */

#if defined(__loongarch__) || defined(__loongarch64)
#include "os/bm/bm-la.h"
#elif defined(__mips__)
#include "os/bm/bm-mips.h"
#else
#error "os/bm: unsupported host"
#endif

/* ---- os/bm/os-bm.c ---- */
/* Raw bytes to the console UART. */
void bm_console_write(const char *s, size_t n);
/* Physical pages (cached direct-mapped address), zeroed, aligned. */
void *bm_alloc_pages(size_t bytes, size_t align);
/* Set up the allocator: [low, low_end) then [high, high_end). */
void bm_arenas_init(uintptr_t low, uintptr_t low_end, uintptr_t high,
                    uintptr_t high_end);
/* C side of the vectors: host faults to the engine, else the dump. */
void bm_exception(uint64_t *frame);
/* A host fault at addr to the engine's handler (OSFault.is_write, kind). */
bool bm_host_fault(uint64_t *frame, uintptr_t addr, int is_write, int kind);
/* Print the exception, the host registers and the guest EIP; exit 3. */
NORETURN void bm_unexpected(uint64_t *frame);

/* ---- per board (os-bm-la.c / os-bm-mips.c) ---- */
/* Power the board off (never returns). */
NORETURN void bm_arch_poweroff(void);
/* A page fault the engine's handler may own: address, direction and
 * OS_FAULT_* kind (BUS: an unaligned access the host refused). */
bool bm_arch_page_fault(const uint64_t *frame, uintptr_t *addr,
                        int *is_write, int *kind);
/* Start (period_ns > 0) or stop the timer interrupt. */
void bm_arch_set_tick(uint64_t period_ns);
/* Whether frame is the timer interrupt (then acknowledged). */
bool bm_arch_tick_irq(const uint64_t *frame);
/* One-line description of the exception in frame. */
int bm_arch_describe(const uint64_t *frame, char *buf, size_t size);
/* Whether va is in a HAMT window (faults there go to the engine). */
bool bm_tlbmap_is_window(uintptr_t va);
extern uint64_t bm_tlb_refills;

/* ---- os/bm/bm-rcache.c: the refill cache the TLB-refill vectors read
 * (the board header sets BM_RC_SLOTS, BM_RC_PAIR_BITS, BM_RC_ASID_MASK,
 * BM_RC_G) ---- */
#define BM_RC_EMPTY 0x1000ull
typedef struct BMRcSlot {
    uint64_t tag, lo0, lo1, pad;
} BMRcSlot;
extern BMRcSlot bm_rcache[BM_RC_SLOTS];
extern uint64_t *const bm_rcache_hits;
/* The slot of va's pair. */
static inline BMRcSlot *bm_rc_slot(uint64_t va)
{
    return &bm_rcache[(va >> BM_RC_PAIR_BITS) & (BM_RC_SLOTS - 1)];
}
/* Keep the pair a refill of va under asid wrote (inline: the refill's
 * table-hit path). */
static inline void bm_rc_put(uint64_t va, unsigned asid, uint64_t lo0,
                             uint64_t lo1)
{
    BMRcSlot *s = bm_rc_slot(va);

    s->lo0 = lo0;
    s->lo1 = lo1;
    s->tag = (va & ~(((uint64_t)1 << BM_RC_PAIR_BITS) - 1)) |
             (asid & BM_RC_ASID_MASK);
}
void bm_rc_kill_va(uint64_t va);
void bm_rc_kill_all(unsigned asid, bool with_global);

/* ---- frontend/main-bm.c and the self-tests ---- */
int bm_start(void);
size_t bm_bootblock_bytes(void);
/* --bm-test=NAME: the exit status. */
int bm_selftest(const char *name);

#endif
