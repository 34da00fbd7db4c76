/*
 * hamt86 - HAMT privileged drivers: MIPS64r2 / LoongArch64 TLB entry
 * encodings and the driver logic (hamt-tlb.h).
 *
 * Layout: the same four windows as the Linux driver, at fixed host
 * virtual bases (linear L at base + sext32(L), hamt.h); the windows are
 * disjoint, so the MMU index needs no ASID.
 * The ASID is the guest context generation: a CR3 reload (non-global
 * flush) moves to the next ASID, leaving the old non-global entries dead
 * and the global ones (G=1, ASID ignored) alive; only a wrap of the ASID
 * space flushes the TLB.
 */
#include "core/base.h"
#include "core/os.h"
#include "hamt/hamt.h"
#include "hamt/hamt-tlb.h"

static HamtTlbArch tlb_arch;
static unsigned tlb_page_bits = 12;
static uint64_t tlb_window[4];
static const HamtTlbOps *tlb_ops;
static unsigned tlb_asid;

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

/* Configure the driver. */
void hamt_tlb_setup(HamtTlbArch arch, unsigned page_bits,
                    const uint64_t window_base[4], const HamtTlbOps *ops)
{
    tlb_arch = arch;
    tlb_page_bits = page_bits;
    for (unsigned i = 0; i < 4; i++) {
        tlb_window[i] = window_base[i];
    }
    tlb_ops = ops;
    tlb_asid = 1;
    tlb_ops->invalidate(0, ~(uint64_t)0, true);
    tlb_ops->set_asid(tlb_asid);
}

/* The ASID in use (the same for every index: windows are disjoint). */
unsigned hamt_tlb_asid(unsigned idx)
{
    (void)idx;
    return tlb_asid;
}

/* CR3 reload: next ASID; on wrap, drop every non-global entry. */
void hamt_tlb_new_context(unsigned idx)
{
    (void)idx;
    tlb_asid = (tlb_asid + 1) & asid_mask();
    if (tlb_asid == 0) {
        tlb_asid = 1;
        tlb_ops->invalidate(0, ~(uint64_t)0, false);
    }
    tlb_ops->set_asid(tlb_asid);
}

/* Write one page (its pair's other half invalid: the op merges halves of
 * an existing entry for the same pair, tlbp + tlbwi on hardware). */
static void write_page(uint64_t va, uint64_t pa, unsigned prot, bool global)
{
    unsigned odd = (unsigned)(va >> tlb_page_bits) & 1;

    if (tlb_arch == HAMT_TLB_MIPS) {
        MipsTlbEntry e;
        e.entryhi = hamt_mips_entryhi(va, tlb_page_bits, tlb_asid);
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
        e.asid = tlb_asid;
        tlb_ops->write_la(&e);
    }
}

/* HamtDriver.install: one entry per page. */
static int tlb_install(unsigned idx, uint32_t va, uint32_t pa, uint32_t len,
                       unsigned prot, bool global)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        write_page(hamt_host_addr(tlb_window[idx], va + off),
                   (uint64_t)pa + off, prot, global);
    }
    return 0;
}

/* HamtDriver.protect: rewrite with the new rights (same frames). */
static int tlb_protect(unsigned idx, uint32_t va, uint32_t len, unsigned prot)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        tlb_ops->invalidate(tlb_asid, hamt_host_addr(tlb_window[idx], va + off),
                            true);
    }
    (void)prot;
    return 0;   /* the next access refills with the new rights */
}

/* HamtDriver.invalidate: invtlb op 6 / tlbp + tlbwi(invalid) per page. */
static void tlb_invalidate(unsigned idx, uint32_t va, uint32_t len)
{
    uint32_t ps = 1u << tlb_page_bits;

    for (uint32_t off = 0; off < len; off += ps) {
        tlb_ops->invalidate(tlb_asid, hamt_host_addr(tlb_window[idx], va + off),
                            true);
    }
}

/* HamtDriver.invalidate_all: everything (the TLB is small). */
static void tlb_invalidate_all(unsigned idx)
{
    (void)idx;
    tlb_ops->invalidate(0, ~(uint64_t)0, true);
}

/* HamtDriver.switch_context: make sure the CPU runs with our ASID. */
static void tlb_switch_context(unsigned idx)
{
    (void)idx;
    tlb_ops->set_asid(tlb_asid);
}

const HamtDriver hamt_driver_tlb = {
    .name = "privileged-tlb",
    .install = tlb_install,
    .protect = tlb_protect,
    .invalidate = tlb_invalidate,
    .invalidate_all = tlb_invalidate_all,
    .switch_context = tlb_switch_context,
};
