/*
 * hamt86 - HAMT privileged drivers: MIPS64r2 / LoongArch64 TLB entry
 * encodings and the driver logic (hamt-tlb.h).
 *
 * Layout: one window per MMU index at a fixed host virtual base (linear L
 * at base + sext32(L), hamt.h), shared by every cached guest context: the
 * context is the ASID, as on a real CPU (the Linux driver gives each
 * context its own windows instead).  A window number (hamt_win) gives the
 * base (its MMU index) and the ASID (its context).  Recycling a context
 * for another CR3 can take a fresh ASID (hamt_tlb_new_context): the old
 * non-global entries die without a flush, global ones (G=1, ASID ignored)
 * stay; only a wrap of the ASID space flushes the non-global entries.
 */
#include "core/base.h"
#include "core/os.h"
#include "hamt/hamt.h"
#include "hamt/hamt-tlb.h"

static HamtTlbArch tlb_arch;
static unsigned tlb_page_bits = 12;
static const HamtTlbOps *tlb_ops;
/* ASID of each cached context, the next unused one, the current context. */
static unsigned ctx_asid[HAMT_MAX_CTX];
static unsigned next_asid;
static unsigned tlb_ctx;

/* ASID field width: MIPS EntryHi 8 bits, LoongArch CSR.ASID 10 bits. */
static unsigned asid_mask(void)
{
    return tlb_arch == HAMT_TLB_MIPS ? 0xffu : 0x3ffu;
}

/* PageMask for 1 << page_bits byte pages. */
uint64_t hamt_mips_pagemask(unsigned page_bits)
{
    return ((((uint64_t)1 << page_bits) - 1) & ~(uint64_t)0xfff) << 1;
}

/* EntryLo of one page. */
uint64_t hamt_mips_entrylo(uint64_t pa, unsigned prot, bool global)
{
    uint64_t lo = 0;

    if (prot & OS_PROT_READ) {
        lo = ((pa >> 12) << MIPS_ELO_PFN_SHIFT) |
             (MIPS_ELO_C_CACHED << MIPS_ELO_C_SHIFT) | MIPS_ELO_V;
        if (prot & OS_PROT_WRITE) {
            lo |= MIPS_ELO_D;
        }
    }
    if (global) {
        lo |= MIPS_ELO_G;   /* both halves must agree on G */
    }
    return lo;
}

/* EntryHi: VPN2 of the even/odd pair containing va, and the ASID. */
uint64_t hamt_mips_entryhi(uint64_t va, unsigned page_bits, unsigned asid)
{
    return (va & ~(((uint64_t)1 << (page_bits + 1)) - 1)) | (asid & 0xffu);
}

/* TLBELO of one page (PLV: the host privilege level allowed, 3 = user). */
uint64_t hamt_la_tlbelo(uint64_t pa, unsigned prot, bool global, unsigned plv)
{
    uint64_t lo = 0;

    if (prot & OS_PROT_READ) {
        lo = (pa & ~(uint64_t)0xfff) | LA_TLBELO_V |
             ((uint64_t)(plv & 3) << LA_TLBELO_PLV_SHIFT) |
             (LA_TLBELO_MAT_CC << LA_TLBELO_MAT_SHIFT) | LA_TLBELO_NX;
        if (prot & OS_PROT_WRITE) {
            lo |= LA_TLBELO_D;
        }
    }
    if (global) {
        lo |= LA_TLBELO_G;
    }
    return lo;
}

/* TLBEHI: VPPN of the pair containing va. */
uint64_t hamt_la_tlbehi(uint64_t va, unsigned page_bits)
{
    return va & ~(((uint64_t)1 << (page_bits + 1)) - 1);
}

/* TLBIDX with the page size field (index left to tlbfill). */
uint32_t hamt_la_tlbidx_ps(unsigned page_bits)
{
    return (uint32_t)page_bits << LA_TLBIDX_PS_SHIFT;
}

/* Number every context's ASID from 1 (after a flush of the old ones). */
static void asid_renumber(void)
{
    next_asid = 1;
    for (unsigned ci = 0; ci < HAMT_MAX_CTX; ci++) {
        ctx_asid[ci] = next_asid++;
    }
}

/* The refill's view of the driver (hamt-tlb.h). */
HamtTlbRefill hamt_tlbr;

/* Entry-lo bits per OS_PROT_* (no pfn) and the G bit, for the refill. */
static void refill_templates(void)
{
    for (unsigned p = 0; p < 8; p++) {
        hamt_tlbr.lo_prot[p] = tlb_arch == HAMT_TLB_MIPS ?
            hamt_mips_entrylo(0, p, false) : hamt_la_tlbelo(0, p, false, 0);
    }
    hamt_tlbr.lo_g = tlb_arch == HAMT_TLB_MIPS ? MIPS_ELO_G : LA_TLBELO_G;
    hamt_tlbr.pfn_shift = tlb_arch == HAMT_TLB_MIPS ? MIPS_ELO_PFN_SHIFT : 12;
    hamt_tlbr.page_bits = tlb_page_bits;
}

/* The refill's view of the current context's windows (hamt-tlb.h:
 * cur_w, lim), after a context switch, reserve or release. */
static void refill_windows(void)
{
    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        unsigned w = hamt_win(tlb_ctx, idx);
        uint64_t span = hamt_window_span[w];

        if (hamt_window_base[w] != hamt_tlbr.win[idx] || span == 0) {
            hamt_tlbr.cur_w[idx] = -1;
            continue;
        }
        hamt_tlbr.cur_w[idx] = (int32_t)w;
        hamt_tlbr.lim[idx] = span <= HAMT_WINDOW_HALF ? (uint32_t)(span - 1)
                                                      : 0xffffffffu;
    }
}

/* Guest RAM's host physical base (hamt-tlb.h). */
void hamt_tlb_set_ram(uint64_t ram_pa)
{
    hamt_tlbr.ram_pa = ram_pa;
}

/* Configure the driver. */
void hamt_tlb_setup(HamtTlbArch arch, unsigned page_bits,
                    const uint64_t window_base[HAMT_NB_IDX],
                    const HamtTlbOps *ops)
{
    tlb_arch = arch;
    tlb_page_bits = page_bits;
    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        hamt_tlbr.win[i] = window_base[i];
        hamt_tlbr.bot[i] = window_base[i] - HAMT_WINDOW_HALF;
    }
    refill_templates();
    tlb_ops = ops;
    asid_renumber();
    tlb_ctx = 0;
    refill_windows();
    tlb_ops->invalidate(0, ~(uint64_t)0, true);
    tlb_ops->set_asid(ctx_asid[0]);
}

/* The ASID of cached context ctx. */
unsigned hamt_tlb_asid(unsigned ctx)
{
    return ctx_asid[ctx];
}

/* Context ctx starts over (a new CR3): a fresh ASID; on wrap, drop every
 * non-global entry and renumber all contexts. */
void hamt_tlb_new_context(unsigned ctx)
{
    if (next_asid > asid_mask()) {
        tlb_ops->invalidate(0, ~(uint64_t)0, false);
        asid_renumber();
    } else {
        ctx_asid[ctx] = next_asid++;
    }
    tlb_ops->set_asid(ctx_asid[tlb_ctx]);
}

/* Host virtual address of linear va in window win. */
static inline uint64_t win_va(unsigned win, uint32_t va)
{
    return hamt_host_addr(hamt_tlbr.win[hamt_win_idx(win)], va);
}

/* Write one page (its pair's other half invalid: the op merges halves of
 * an existing entry for the same pair, tlbp + tlbwi on hardware). */
static void write_page(uint64_t va, uint64_t pa, unsigned prot, bool global,
                       unsigned asid)
{
    unsigned odd = (unsigned)(va >> tlb_page_bits) & 1;

    if (tlb_arch == HAMT_TLB_MIPS) {
        MipsTlbEntry e;
        e.entryhi = hamt_mips_entryhi(va, tlb_page_bits, asid);
        e.entrylo[odd] = hamt_mips_entrylo(pa, prot, global);
        e.entrylo[!odd] = global ? MIPS_ELO_G : 0;
        e.pagemask = hamt_mips_pagemask(tlb_page_bits);
        tlb_ops->write_mips(&e);
    } else {
        LaTlbEntry e;
        e.tlbehi = hamt_la_tlbehi(va, tlb_page_bits);
        e.tlbelo[odd] = hamt_la_tlbelo(pa, prot, global, 3);
        e.tlbelo[!odd] = global ? LA_TLBELO_G : 0;
        e.tlbidx = hamt_la_tlbidx_ps(tlb_page_bits);
        e.asid = asid;
        tlb_ops->write_la(&e);
    }
}

/* HamtDriver.install: one entry per page. */
static int tlb_install(unsigned win, uint32_t va, uint32_t pa, uint32_t len,
                       unsigned prot, bool global)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        write_page(win_va(win, va + off), (uint64_t)pa + off, prot, global,
                   ctx_asid[hamt_win_ctx(win)]);
    }
    return 0;
}

/* HamtDriver.protect: rewrite with the new rights (same frames). */
static int tlb_protect(unsigned win, uint32_t va, uint32_t len, unsigned prot)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        tlb_ops->invalidate(ctx_asid[hamt_win_ctx(win)], win_va(win, va + off),
                            true);
    }
    (void)prot;
    return 0;   /* the next access refills with the new rights */
}

/* HamtDriver.invalidate: invtlb op 6 / tlbp + tlbwi(invalid) per page. */
static void tlb_invalidate(unsigned win, uint32_t va, uint32_t len)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        tlb_ops->invalidate(ctx_asid[hamt_win_ctx(win)], win_va(win, va + off),
                            true);
    }
}

/* HamtDriver.invalidate_all: every entry of the window's context (its
 * other windows too: the TLB is small) and the global ones. */
static void tlb_invalidate_all(unsigned win)
{
    tlb_ops->invalidate(ctx_asid[hamt_win_ctx(win)], ~(uint64_t)0, true);
}

/* HamtDriver.switch_context: run with the context's ASID. */
static void tlb_switch_context(unsigned ctx)
{
    tlb_ctx = ctx;
    refill_windows();
    tlb_ops->set_asid(ctx_asid[ctx]);
}

/* HamtDriver.init: a map unit is whole TLB pages. */
static bool tlb_init(unsigned unit_bits)
{
    return tlb_ops != NULL && unit_bits >= tlb_page_bits;
}

/* HamtDriver.reserve: every context shares its MMU index's window (the
 * ASID tells them apart); the range itself was set aside at setup. */
static uintptr_t tlb_reserve(unsigned win, uint64_t span)
{
    uintptr_t b = (uintptr_t)hamt_tlbr.win[hamt_win_idx(win)];

    hamt_window_base[win] = b;
    hamt_window_span[win] = span > HAMT_WINDOW_HALF ? HAMT_WINDOW_SPAN : span;
    refill_windows();
    return b;
}

/* HamtDriver.release: forget the base (the shared range stays). */
static void tlb_release(unsigned win)
{
    hamt_window_base[win] = 0;
    hamt_window_span[win] = 0;
    refill_windows();
}

const HamtDriver hamt_driver_tlb = {
    .name = "privileged-tlb",
    .install = tlb_install,
    .protect = tlb_protect,
    .invalidate = tlb_invalidate,
    .invalidate_all = tlb_invalidate_all,
    .switch_context = tlb_switch_context,
    .init = tlb_init,
    .reserve = tlb_reserve,
    .release = tlb_release,
    .new_context = hamt_tlb_new_context,
};
