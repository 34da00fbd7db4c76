/*
 * hamt86 - bare-metal LoongArch64: HAMT's privileged driver on the real
 * (emulated) TLB.  The driver logic is hamt/hamt-tlb.c (hamt_driver_tlb:
 * one window per MMU index shared by every cached guest context, an ASID
 * per context, a fresh ASID for a recycled context, a flush on ASID
 * wrap); this file gives it the machine operations and the refill.
 *
 *   install / protect    invtlb op 6 on the pair: the entry is (re)written
 *                        by the next refill, from HAMT's table
 *   invalidate           invtlb op 6 (ASID + VA, and global) per page
 *   invalidate_all       invtlb op 4 (ASID), op 3 (all non-global), op 2
 *                        (global)
 *   context switch       CSR.ASID
 *   refill (TLBR)        bm_la_refill_fast (on the registers C may
 *                        clobber), bm_la_refill (on the full frame, for a
 *                        miss): hamt_tlb_refill (inline, hamt/hamt-
 *                        tlb-refill.h) gives the even/odd pair from HAMT's
 *                        live-mapping table; a page not there is a miss
 *                        that goes straight to hamt_fault (guest walk and
 *                        hamt_fill, or the access's slow path), then the
 *                        pair is looked up again and tlbfill'ed: one
 *                        exception per first touch.  Runs in the refill
 *                        context (direct address mode), so it can never
 *                        refill itself; it touches no window.
 *
 * A store to a page the pair maps read-only (clean guest page, code page,
 * page-table page) is a page-modify exception, which bm_exception hands
 * to hamt_fault with is_write = 1, as before.
 */
#include "core/os.h"
#include "core/libc.h"
#include "core/log.h"
#include "hamt/hamt.h"
#include "hamt/hamt-tlb.h"
#include "hamt/hamt-tlb-refill.h"
#include "os/bm/bm.h"

/* The refill's constants (hamt-tlb.h): page bits, entry-lo pfn shift. */
#define TLBR_PB  BM_PAGE_BITS
#define TLBR_PFN 12

/* Bytes of one window reservation: 4 GiB + guard (hamt.h layout). */
#define WIN_BYTES (HAMT_WINDOW_SPAN + HAMT_GUARD_SIZE)

typedef struct BMHamt {
    uint64_t lo, hi;          /* the four windows' host range */
} BMHamt;

static BMHamt bh;

/* invtlb op with an ASID and a VA. */
#define INVTLB(op, asid, va) \
    __asm__ volatile("invtlb " STR(op) ", %0, %1" :: "r"((uint64_t)(asid)), \
                     "r"((uint64_t)(va)) : "memory")

/* HamtTlbOps.write_la: drop the pair; the refill writes it from the table
 * (an entry for the pair may exist: tlbfill must not duplicate it). */
static void la_write(const LaTlbEntry *e)
{
    bm_rc_kill_va(e->tlbehi);
    INVTLB(6, e->asid, e->tlbehi);
}

/* MIPS entries never reach this machine. */
static void la_write_mips(const MipsTlbEntry *e)
{
    (void)e;
    os_fatal(3, "hamt: MIPS TLB entry on LoongArch");
}

/* HamtTlbOps.invalidate (hamt-tlb.h). */
static void la_invalidate(unsigned asid, uint64_t va, bool with_global)
{
    if (va != ~(uint64_t)0) {
        bm_rc_kill_va(va);
        INVTLB(6, asid, va);
        return;
    }
    bm_rc_kill_all(asid, with_global);
    if (asid == 0) {
        INVTLB(3, 0, 0);
    } else {
        INVTLB(4, asid, 0);
    }
    if (with_global) {
        INVTLB(2, 0, 0);
    }
}

/* HamtTlbOps.set_asid. */
static void la_set_asid(unsigned asid)
{
    csr_write(CSR_ASID, asid & 0x3ff);
}

static const HamtTlbOps la_tlb_ops = {
    .write_mips = la_write_mips,
    .write_la = la_write,
    .invalidate = la_invalidate,
    .set_asid = la_set_asid,
};

/* Reserve the four windows and make hamt_driver_tlb HAMT's driver. */
void bm_la_hamt_init(void)
{
    uint64_t mid[HAMT_NB_IDX];

    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        uint8_t *p = os_reserve(WIN_BYTES);
        if (p == NULL) {
            os_fatal(1, "no host address space for the HAMT windows");
        }
        mid[i] = (uint64_t)(uintptr_t)p + HAMT_WINDOW_HALF;
        if (i == 0) {
            bh.lo = (uint64_t)(uintptr_t)p;
        }
        bh.hi = (uint64_t)(uintptr_t)p + WIN_BYTES;
    }
    bm_rc_kill_all(0, true);             /* every slot empty */
    hamt_tlb_setup(HAMT_TLB_LOONGARCH, BM_PAGE_BITS, mid, &la_tlb_ops);
    if (hamt_tlbr.page_bits != TLBR_PB || hamt_tlbr.pfn_shift != TLBR_PFN) {
        os_fatal(3, "hamt: refill constants disagree with the driver");
    }
    hamt_set_driver(&hamt_driver_tlb);
}

/* Set the guest RAM's physical base (os_alloc_ram). */
void bm_la_hamt_ram(uint64_t ram_pa)
{
    hamt_tlb_set_ram(ram_pa);
}

/* tlbfill the pair in the refill context (TLBREHI holds the VPPN). */
static inline void fill_pair(uint64_t lo0, uint64_t lo1)
{
    csr_write(CSR_TLBRELO0, lo0);
    csr_write(CSR_TLBRELO1, lo1);
    __asm__ volatile("tlbfill" ::: "memory");
}

/* tlbfill va's pair and keep it in the refill cache (os/bm/bm-rcache.c),
 * which the refill vector serves from then on. */
static inline void fill_cached(uint64_t va, const uint64_t lo[2])
{
    bm_rc_put(va, (unsigned)csr_read(CSR_ASID), lo[0], lo[1]);
    fill_pair(lo[0], lo[1]);
}

/* A refill written, under -d mmu. */
static void log_refill(uint64_t va, uint64_t lo0, uint64_t lo1, bool hit)
{
    hlog("hamt: refill %#llx asid %u %s: lo0 %#llx lo1 %#llx\n",
         (unsigned long long)va, (unsigned)(csr_read(CSR_ASID) & 0x3ff),
         hit ? "hit" : "after fault", (unsigned long long)lo0,
         (unsigned long long)lo1);
}

/*
 * The refill's fast path (the vector saved the registers C may clobber
 * only): a window page in HAMT's table is tlbfill'ed and the vector
 * returns (true); anything else needs the full frame and bm_la_refill.
 */
bool bm_la_refill_fast(uint64_t va)
{
    uint64_t lo[2];

    if (!hamt_tlb_refill(va, lo, TLBR_PB, TLBR_PFN)) {
        return false;
    }
    bm_tlb_refills++;
    hamt_stats.tlb_hits++;
    fill_cached(va, lo);
    if (unlikely(log_enabled(LOG_MMU))) {
        log_refill(va, lo[0], lo[1], true);
    }
    return true;
}

/*
 * The C side of a TLB refill whose address has no page-table slot (the
 * vector walked the self-tests' table first) and which bm_la_refill_fast
 * did not find in HAMT's table, on the full frame: a HAMT window address
 * goes through hamt_fault and is looked up again; anything else
 * gets an invalid pair, so the retried access raises a page-invalid
 * exception that bm_exception reports.
 */
void bm_la_refill(uint64_t *fr)
{
    uint64_t va = fr[BM_FRAME_BADV], pc, lo[2];

    fr[BM_FRAME_PC] &= ~(uint64_t)3;     /* TLBRERA: pc | IsTLBR */
    bm_tlb_refills++;
    if (va < bh.lo || va >= bh.hi) {
        fill_pair(0, 0);
        return;
    }
    hamt_stats.tlb_misses++;       /* bm_la_refill_fast found nothing */
    pc = fr[BM_FRAME_PC];
    if (!bm_host_fault(fr, (uintptr_t)va, -1, OS_FAULT_SEGV)) {
        fr[BM_FRAME_KIND] = BM_EXC_REFILL;
        bm_unexpected(fr);
    }
    if (fr[BM_FRAME_PC] != pc) {
        return;     /* the access's slow path */
    }
    if (hamt_tlb_refill(va, lo, TLBR_PB, TLBR_PFN)) {
        fill_cached(va, lo);
        if (unlikely(log_enabled(LOG_MMU))) {
            log_refill(va, lo[0], lo[1], false);
        }
    } else {
        fill_pair(0, 0);    /* retry through page-invalid */
    }
}
