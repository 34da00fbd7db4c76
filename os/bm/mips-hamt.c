/*
 * hamt86 - bare-metal MIPS64r2: HAMT's privileged driver on the real
 * (emulated) TLB, as os/bm/la-hamt.c is on LoongArch.  The driver logic is
 * hamt/hamt-tlb.c (hamt_driver_tlb: one window per MMU index shared by
 * every cached guest context, an 8-bit EntryHi ASID per context, a fresh
 * ASID for a recycled context, a flush on ASID wrap); the refill's lookup
 * is hamt/hamt-tlb-refill.h (hamt_tlb_refill).  This file gives them the
 * machine operations and the refill.
 *
 *   windows              xuseg (TLB-mapped with Status.UX: the XTLB refill
 *                        vector, EBase + 0x080), one 8 GiB slot per MMU
 *                        index from MW_BASE; 4 KiB pages (PageMask 0)
 *   install / protect    tlbp + tlbwi of an invalid entry on the pair: the
 *                        entry is rewritten by the next refill, from HAMT's
 *                        table (an entry for the pair may exist: tlbwr
 *                        must never duplicate it, a machine check)
 *   invalidate           the same per page (tlbp matches global entries
 *                        whatever the ASID)
 *   invalidate_all       tlbr of every index, tlbwi invalid where G / the
 *                        ASID match
 *   context switch       EntryHi.ASID (kept in mh.asid: every tlbp / tlbr
 *                        rewrites EntryHi, then restores it)
 *   refill cache         os/bm/bm-rcache.c: a direct-mapped copy of the
 *                        pairs the refills wrote (indexed by VPN2, tagged
 *                        with EntryHi), which the refill vector serves
 *                        with k0/k1 alone (no frame, no C); every
 *                        invalidation above empties its slots too, so it
 *                        is a second TLB level kept coherent by the same
 *                        operations (a Loongson's VTLB/FTLB behind the
 *                        JTLB, in software)
 *   refill (XTLB)        a cache miss: os/bm/mips-entry.c saves the
 *                        caller-saved registers only and calls
 *                        bm_mips_refill_fast:
 *                        hamt_tlb_refill gives the even/odd pair, tlbwr
 *                        writes it (EntryHi = the faulting pair and ASID,
 *                        set by the CPU).  A miss completes the frame and
 *                        calls bm_mips_refill: hamt_fault (the guest walk
 *                        and hamt_fill, or the access's slow path), then
 *                        the pair again, or an invalid pair whose retried
 *                        access raises TLBL/TLBS into bm_exception.  Both
 *                        run with Status.EXL from KSEG0 on the KSEG0 stack
 *                        and touch no window, so they never refill
 *                        themselves.
 *
 * A store to a page the pair maps read-only (EntryLo.D clear: clean guest
 * page, code page, page-table page) is a TLB-modified exception, and a
 * half left invalid is TLBL/TLBS: bm_exception hands both to hamt_fault
 * (os-bm-mips.c, bm_arch_page_fault).
 */
#include "core/os.h"
#include "core/libc.h"
#include "core/log.h"
#include "hamt/hamt.h"
#include "hamt/hamt-tlb.h"
#include "hamt/hamt-tlb-refill.h"
#include "os/bm/bm.h"

/* The refill's constants (hamt-tlb.h): page bits, entry-lo pfn shift. */
#define TLBR_PB  12
#define TLBR_PFN MIPS_ELO_PFN_SHIFT

/* Windows: MMU index i's 4 GiB + guard from MW_BASE + i * MW_SLOT. */
#define MW_BASE   0x0000000100000000ull
#define MW_SLOT   0x0000000200000000ull
#define WIN_BYTES (HAMT_WINDOW_SPAN + HAMT_GUARD_SIZE)
/* An EntryHi no access matches (KSEG0 is unmapped), one per index. */
#define UNIQUE_HI(i) (0xffffffff80000000ull + ((uint64_t)(i) << 13))
#define ENTRYHI_ASID 0xffull

_Static_assert(WIN_BYTES <= MW_SLOT && MW_BASE + 4 * MW_SLOT <= (1ull << 40),
               "windows fit xuseg (SEGBITS >= 40)");

typedef struct BMMipsHamt {
    uint64_t lo, hi;          /* the four windows' host range */
    unsigned asid;            /* EntryHi.ASID of the current context */
    unsigned nb_tlb;          /* TLB entries (Config1.MMUSize + 1) */
} BMMipsHamt;

static BMMipsHamt mh;

#define MFC0(reg) ({ uint64_t v_; \
    __asm__ volatile("dmfc0 %0, $" STR(reg) : "=r"(v_)); v_; })
#define MTC0(reg, v) \
    __asm__ volatile("dmtc0 %0, $" STR(reg) "\n\tehb" :: "r"((uint64_t)(v)) \
                     : "memory")

/* CP0 registers. */
#define C0_INDEX    0
#define C0_ENTRYLO0 2
#define C0_ENTRYLO1 3
#define C0_PAGEMASK 5
#define C0_WIRED    6
#define C0_ENTRYHI  10


/* Overwrite TLB entry i with an invalid one no access can match. */
static void kill_index(unsigned i)
{
    MTC0(C0_ENTRYHI, UNIQUE_HI(i));
    MTC0(C0_ENTRYLO0, 0);
    MTC0(C0_ENTRYLO1, 0);
    MTC0(C0_INDEX, i);
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
}

/* The entry of (asid, va)'s pair, or a global one: killed if present. */
static void kill_va(unsigned asid, uint64_t va)
{
    int64_t idx;

    MTC0(C0_ENTRYHI, (va & ~(uint64_t)0x1fff) | (asid & ENTRYHI_ASID));
    __asm__ volatile("tlbp\n\tehb" ::: "memory");
    idx = (int32_t)MFC0(C0_INDEX);     /* bit 31 (P): no match */
    if (idx >= 0) {
        kill_index((unsigned)idx);
    }
}

/* HamtTlbOps.write_mips: drop the pair; the refill writes it from the
 * table. */
static void mips_write(const MipsTlbEntry *e)
{
    bm_rc_kill_va(e->entryhi);
    kill_va((unsigned)(e->entryhi & ENTRYHI_ASID), e->entryhi);
    MTC0(C0_ENTRYHI, mh.asid);
}

/* LoongArch entries never reach this machine. */
static void mips_write_la(const LaTlbEntry *e)
{
    (void)e;
    os_fatal(3, "hamt: LoongArch TLB entry on MIPS");
}

/* HamtTlbOps.invalidate (hamt-tlb.h). */
static void mips_invalidate(unsigned asid, uint64_t va, bool with_global)
{
    if (va != ~(uint64_t)0) {
        bm_rc_kill_va(va);
        kill_va(asid, va);
    } else {
        bm_rc_kill_all(asid, with_global);
        for (unsigned i = 0; i < mh.nb_tlb; i++) {
            uint64_t hi, g;
            bool kill;

            MTC0(C0_INDEX, i);
            __asm__ volatile("tlbr\n\tehb" ::: "memory");
            hi = MFC0(C0_ENTRYHI);
            g = MFC0(C0_ENTRYLO0) & MFC0(C0_ENTRYLO1) & MIPS_ELO_G;
            kill = g ? with_global :
                   asid == 0 || (hi & ENTRYHI_ASID) == asid;
            if (kill) {
                kill_index(i);
            }
        }
        MTC0(C0_PAGEMASK, 0);          /* tlbr loaded the entries' */
    }
    MTC0(C0_ENTRYHI, mh.asid);
}

/* HamtTlbOps.set_asid. */
static void mips_set_asid(unsigned asid)
{
    mh.asid = asid & ENTRYHI_ASID;
    MTC0(C0_ENTRYHI, mh.asid);
}

static const HamtTlbOps mips_tlb_ops = {
    .write_mips = mips_write,
    .write_la = mips_write_la,
    .invalidate = mips_invalidate,
    .set_asid = mips_set_asid,
};

/* Empty TLB, 4 KiB pages, and hamt_driver_tlb as HAMT's driver. */
void bm_mips_hamt_init(void)
{
    uint64_t mid[HAMT_NB_IDX];
    uint32_t cfg1;

    __asm__ volatile("mfc0 %0, $16, 1" : "=r"(cfg1));
    mh.nb_tlb = ((cfg1 >> 25) & 0x3f) + 1;
    MTC0(C0_PAGEMASK, 0);
    MTC0(C0_WIRED, 0);
    for (unsigned i = 0; i < mh.nb_tlb; i++) {
        kill_index(i);
    }
    bm_rc_kill_all(0, true);
    mh.lo = MW_BASE;
    mh.hi = MW_BASE + (HAMT_NB_IDX - 1) * MW_SLOT + WIN_BYTES;
    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        mid[i] = MW_BASE + i * MW_SLOT + HAMT_WINDOW_HALF;
    }
    hamt_tlb_setup(HAMT_TLB_MIPS, 12, mid, &mips_tlb_ops);
    if (hamt_tlbr.page_bits != TLBR_PB || hamt_tlbr.pfn_shift != TLBR_PFN) {
        os_fatal(3, "hamt: refill constants disagree with the driver");
    }
    hamt_set_driver(&hamt_driver_tlb);
}

/* Set the guest RAM's physical base (os_alloc_ram). */
void bm_mips_hamt_ram(uint64_t ram_pa)
{
    hamt_tlb_set_ram(ram_pa);
}

/* Whether va lies in a window (faults there go to HAMT). */
bool bm_tlbmap_is_window(uintptr_t va)
{
    return va >= mh.lo && va < mh.hi;
}

/* tlbwr the pair at EntryHi (which must hold the pair and the ASID). */
static inline void fill_pair(uint64_t lo0, uint64_t lo1)
{
    __asm__ volatile("dmtc0 %0, $2\n\tdmtc0 %1, $3\n\tehb\n\t"
                     "tlbwr\n\tehb" :: "r"(lo0), "r"(lo1) : "memory");
}

/* tlbwr va's pair from HAMT's table, and keep it in the refill cache. */
static inline void fill_cached(uint64_t va, const uint64_t lo[2])
{
    bm_rc_put(va, mh.asid, lo[0], lo[1]);
    fill_pair(lo[0], lo[1]);
}

/* A refill written, under -d mmu. */
static void log_refill(uint64_t va, uint64_t lo0, uint64_t lo1, bool hit)
{
    hlog("hamt: refill %#llx asid %u %s: lo0 %#llx lo1 %#llx\n",
         (unsigned long long)va, mh.asid, hit ? "hit" : "after fault",
         (unsigned long long)lo0, (unsigned long long)lo1);
}

/*
 * The refill's fast path (the vector saved the caller-saved registers
 * only): a window page in HAMT's table is written and the vector returns
 * (true); anything else needs the full frame and bm_mips_refill (false).
 */
bool bm_mips_refill_fast(uint64_t va)
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
 * A refill the fast path did not serve, on the full frame: outside the
 * windows it is an unexpected host exception (register dump, exit 3); a
 * window page not in HAMT's table goes to hamt_fault, then is looked up
 * again and written, or written invalid (the retried access raises
 * TLBL/TLBS, which bm_exception hands to hamt_fault with the access's
 * direction).
 */
void bm_mips_refill(uint64_t *fr)
{
    uint64_t va = fr[BM_FRAME_BADV], pc = fr[BM_FRAME_PC], lo[2];

    if (!bm_tlbmap_is_window((uintptr_t)va)) {
        bm_unexpected(fr);
    }
    bm_tlb_refills++;
    hamt_stats.tlb_misses++;
    if (!bm_host_fault(fr, (uintptr_t)va, -1, OS_FAULT_SEGV)) {
        bm_unexpected(fr);
    }
    if (fr[BM_FRAME_PC] != pc) {
        return;     /* the access's slow path */
    }
    /* hamt_fault's invalidations rewrote EntryHi */
    MTC0(C0_ENTRYHI, (va & ~(uint64_t)0x1fff) | mh.asid);
    if (hamt_tlb_refill(va, lo, TLBR_PB, TLBR_PFN)) {
        fill_cached(va, lo);
        if (unlikely(log_enabled(LOG_MMU))) {
            log_refill(va, lo[0], lo[1], false);
        }
    } else {
        fill_pair(0, 0);
    }
    MTC0(C0_ENTRYHI, mh.asid);
}

/* --bm-test=tlb's checks: false (and a FAIL line) on the first mismatch. */
static bool tlb_check(bool ok, const char *what, uint64_t got, uint64_t want)
{
    char buf[160];
    int n;

    if (ok) {
        return true;
    }
    n = h_snprintf(buf, sizeof(buf), "FAIL bm-test tlb: %s: got %#llx, "
                   "expected %#llx\n", what, (unsigned long long)got,
                   (unsigned long long)want);
    os_write(1, buf, (size_t)n);
    return false;
}

/* Index of the TLB entry matching EntryHi hi (tlbp), -1 if none; EntryHi
 * back to the current ASID. */
static int64_t tlb_probe(uint64_t hi)
{
    int64_t idx;

    MTC0(C0_ENTRYHI, hi);
    __asm__ volatile("tlbp\n\tehb" ::: "memory");
    idx = (int32_t)MFC0(C0_INDEX);
    MTC0(C0_ENTRYHI, mh.asid);
    return idx;
}

/*
 * --bm-test=tlb: the refill vector and the invalidations on the board,
 * without a guest.  A pair planted in the refill cache is served by the
 * vector (a load from each half reads its frame; one refill); tlbp + tlbr
 * read the written entry back (EntryHi, EntryLo0/1, PageMask); a store
 * through the writable half lands in its frame; a page invalidate drops
 * the TLB entry and the slot; invalidate_all drops the non-global slots
 * of one ASID and keeps the global ones until asked.
 */
int bm_mips_tlb_selftest(void)
{
    uint32_t *p0 = bm_alloc_pages(4096, 4096), *p1 = bm_alloc_pages(4096, 4096);
    uint64_t va = mh.lo + 0x20000, hi = va | mh.asid, lo0, lo1, hits, r;
    volatile uint32_t *v = (volatile uint32_t *)(uintptr_t)va;
    BMRcSlot *s = bm_rc_slot(va);
    int64_t idx;
    bool ok = true;

    p0[1] = 0x600d0e0e;
    p1[1] = 0x600d0dd1;
    lo0 = hamt_mips_entrylo(BM_PHYS(p0), OS_PROT_READ | OS_PROT_WRITE, false);
    lo1 = hamt_mips_entrylo(BM_PHYS(p1), OS_PROT_READ, false);
    s->lo0 = lo0;
    s->lo1 = lo1;
    s->tag = hi;
    hits = *(volatile uint64_t *)&hamt_stats.tlb_hits;
    /* the vector reads the slot and counts behind the compiler's back */
    __asm__ volatile("" ::: "memory");
    ok &= tlb_check(v[1] == 0x600d0e0e, "load, even half", v[1], 0x600d0e0e);
    ok &= tlb_check(v[1025] == 0x600d0dd1, "load, odd half", v[1025],
                    0x600d0dd1);
    __asm__ volatile("" ::: "memory");
    r = *(volatile uint64_t *)&hamt_stats.tlb_hits - hits;
    ok &= tlb_check(r == 1, "cache refills", r, 1);
    idx = tlb_probe(hi);
    ok &= tlb_check(idx >= 0, "tlbp after the refill", (uint64_t)idx, 0);
    if (idx >= 0) {
        MTC0(C0_INDEX, idx);
        __asm__ volatile("tlbr\n\tehb" ::: "memory");
        r = MFC0(C0_ENTRYHI);
        ok &= tlb_check(r == hi, "EntryHi", r, hi);
        r = MFC0(C0_ENTRYLO0);
        ok &= tlb_check(r == lo0, "EntryLo0", r, lo0);
        r = MFC0(C0_ENTRYLO1);
        ok &= tlb_check(r == lo1, "EntryLo1", r, lo1);
        r = MFC0(C0_PAGEMASK);
        ok &= tlb_check(r == 0, "PageMask", r, 0);
        MTC0(C0_ENTRYHI, mh.asid);
    }
    v[2] = 0x5707e;
    __asm__ volatile("" ::: "memory");
    ok &= tlb_check(p0[2] == 0x5707e, "store through the TLB", p0[2], 0x5707e);
    mips_invalidate(mh.asid, va, true);
    idx = tlb_probe(hi);
    ok &= tlb_check(idx < 0, "tlbp after invalidate", (uint64_t)idx, ~0ull);
    ok &= tlb_check(s->tag == BM_RC_EMPTY, "slot after invalidate", s->tag,
                    BM_RC_EMPTY);
    /* invalidate_all: ASID 1's non-global slot goes, a global one stays */
    s->tag = hi;
    s[1].tag = (va + 0x2000) | mh.asid;
    s[1].lo0 = lo0 | MIPS_ELO_G;
    s[1].lo1 = lo1 | MIPS_ELO_G;
    mips_invalidate(mh.asid, ~(uint64_t)0, false);
    ok &= tlb_check(s->tag == BM_RC_EMPTY, "non-global slot, flush",
                    s->tag, BM_RC_EMPTY);
    ok &= tlb_check(s[1].tag != BM_RC_EMPTY, "global slot, flush",
                    s[1].tag, 0);
    mips_invalidate(0, ~(uint64_t)0, true);
    ok &= tlb_check(s[1].tag == BM_RC_EMPTY, "global slot, flush all",
                    s[1].tag, BM_RC_EMPTY);
    if (ok) {
        os_write(1, "PASS bm-test tlb\n", 17);
    }
    return ok ? 0 : 1;
}
