/*
 * hamt86 - HAMT privileged drivers: entry encodings for a real host TLB
 * (MIPS64r2 tlbwr, LoongArch tlbfill/invtlb) and the driver logic over a
 * TLB-operations table.  Bare-metal runs (a later issue) supply operations
 * that execute the privileged instructions; the unit tests supply a model
 * TLB (tests/unit/hamt-tlb-test.c).
 *
 * ASID: one per cached guest context (hamt_win_ctx of a window); the MMU
 * index picks the window base.  A recycled context takes a fresh ASID
 * instead of flushing.
 */
#ifndef HAMT86_HAMT_TLB_H
#define HAMT86_HAMT_TLB_H

#include "core/base.h"

/* MIPS64r2: one entry maps an even/odd pair of pages. */
#define MIPS_ELO_G  0x1ull
#define MIPS_ELO_V  0x2ull
#define MIPS_ELO_D  0x4ull
#define MIPS_ELO_C_SHIFT 3
#define MIPS_ELO_C_CACHED 3ull     /* cacheable, noncoherent, write-back */
#define MIPS_ELO_PFN_SHIFT 6

typedef struct MipsTlbEntry {
    uint64_t entryhi;     /* VPN2 | ASID */
    uint64_t entrylo[2];  /* even, odd page */
    uint64_t pagemask;
} MipsTlbEntry;

/* PageMask for a page of 1 << page_bits bytes (12..28, even sizes). */
uint64_t hamt_mips_pagemask(unsigned page_bits);
/* EntryLo for physical page pa; prot OS_PROT_*; 0 (invalid) if !prot. */
uint64_t hamt_mips_entrylo(uint64_t pa, unsigned prot, bool global);
/* EntryHi for host virtual va (the pair containing it). */
uint64_t hamt_mips_entryhi(uint64_t va, unsigned page_bits, unsigned asid);

/* LoongArch64 TLBELO bits. */
#define LA_TLBELO_V    (1ull << 0)
#define LA_TLBELO_D    (1ull << 1)
#define LA_TLBELO_PLV_SHIFT 2
#define LA_TLBELO_MAT_SHIFT 4
#define LA_TLBELO_MAT_CC 1ull       /* coherent cached */
#define LA_TLBELO_G    (1ull << 6)
#define LA_TLBELO_NR   (1ull << 61)
#define LA_TLBELO_NX   (1ull << 62)
#define LA_TLBIDX_PS_SHIFT 24
#define LA_TLBIDX_NE   (1u << 31)
/* invtlb ops used */
#define LA_INVTLB_ALL          0
#define LA_INVTLB_ASID_NG      4    /* G=0, ASID match */
#define LA_INVTLB_ASID_VA_NG   5    /* G=0, ASID and VA match */
#define LA_INVTLB_ASID_VA      6    /* (G=1 or ASID match) and VA match */

typedef struct LaTlbEntry {
    uint64_t tlbehi;      /* VPPN */
    uint64_t tlbelo[2];
    uint32_t tlbidx;      /* PS (index bits chosen by tlbfill) */
    uint32_t asid;
} LaTlbEntry;

uint64_t hamt_la_tlbelo(uint64_t pa, unsigned prot, bool global, unsigned plv);
uint64_t hamt_la_tlbehi(uint64_t va, unsigned page_bits);
uint32_t hamt_la_tlbidx_ps(unsigned page_bits);

/* Operations the privileged driver needs from the machine. */
typedef struct HamtTlbOps {
    /* tlbwr (MIPS) / tlbfill (LoongArch): write a random entry. */
    void (*write_mips)(const MipsTlbEntry *e);
    void (*write_la)(const LaTlbEntry *e);
    /* Invalidate entries of asid covering va (and global ones); va == ~0:
     * every non-global entry of asid (asid 0: of every ASID), and every
     * global entry if with_global. */
    void (*invalidate)(unsigned asid, uint64_t va, bool with_global);
    /* The CPU's current ASID (EntryHi.ASID / CSR.ASID). */
    void (*set_asid)(unsigned asid);
} HamtTlbOps;

typedef enum { HAMT_TLB_MIPS, HAMT_TLB_LOONGARCH } HamtTlbArch;

/*
 * Set up the privileged driver: arch, page size, the base of each MMU
 * index's window in the host virtual space (same layout as the Linux
 * driver), operations.
 */
void hamt_tlb_setup(HamtTlbArch arch, unsigned page_bits,
                    const uint64_t window_base[4], const HamtTlbOps *ops);
/* ASID of cached context ctx. */
unsigned hamt_tlb_asid(unsigned ctx);
/* Context ctx starts over for another CR3: a fresh ASID (its old
 * non-global entries die without a flush). */
void hamt_tlb_new_context(unsigned ctx);

struct HamtDriver;
extern const struct HamtDriver hamt_driver_tlb;

/*
 * The refill (hamt/hamt-tlb-refill.h, hamt_tlb_refill): the entry pair a host TLB refill
 * of host address va writes, under the current context, from HAMT's
 * live-mapping table (the same table the flushes keep coherent with the
 * guest page tables).  Entries are non-global with the current ASID,
 * except in the paging-off window, which every context shares: global
 * there (its invalidations use the global invalidate).
 *
 * Everything the refill reads of the driver is in one struct, so the
 * lookup is a few loads (hamt_tlb_setup and hamt_tlb_set_ram fill it):
 *
 *   entry-lo = ((ram_pa + guest pa) >> 12) << pfn_shift | lo_prot[prot]
 *              (| lo_g in the paging-off window); lo_prot[p] == 0: the
 *              half is invalid (no pfn either)
 *   cur_w[idx] = the current context's window of MMU index idx, -1 if it
 *              is not reserved; linear addresses above lim[idx] are its
 *              guard (the paging-off window spans guest RAM only).  The
 *              driver rewrites both on every context switch, reserve and
 *              release.
 */
typedef struct HamtTlbRefill {
    uint64_t win[4];          /* host va of linear 0, per MMU index */
    uint64_t bot[4];          /* win - 2 GiB: the window's lowest va */
    int32_t cur_w[4];
    uint32_t lim[4];
    unsigned hint;            /* the last refill's MMU index */
    uint64_t ram_pa;          /* host physical address of guest RAM */
    uint64_t lo_prot[8];      /* entry-lo bits but the pfn, per OS_PROT_* */
    uint64_t lo_g;            /* the G bit */
    unsigned pfn_shift;       /* MIPS EntryLo 6, LoongArch TLBELO 12 */
    unsigned page_bits;       /* entry page size */
} HamtTlbRefill;
extern HamtTlbRefill hamt_tlbr;

/* Guest RAM is at host physical ram_pa (the refill's frames). */
void hamt_tlb_set_ram(uint64_t ram_pa);

#endif
