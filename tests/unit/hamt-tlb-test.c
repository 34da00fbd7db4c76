/*
 * hamt86 - unit test of the HAMT privileged drivers (hamt/hamt-tlb.c):
 * MIPS EntryHi/EntryLo/PageMask and LoongArch TLBEHI/TLBELO/TLBIDX.PS
 * encodings against hand-computed values, and the driver logic (install,
 * D-bit rights, INVLPG, CR3 reload = new ASID keeping global entries,
 * flush all) against a model TLB that decodes those encodings the way the
 * hardware does.  Exit status 1 on any mismatch.
 */
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

#include "core/os.h"
#include "hamt/hamt.h"
#include "hamt/hamt-tlb.h"

/* hamt-linux.c's window table (the driver's reserve hook records bases). */
uintptr_t hamt_window_base[HAMT_NB_WIN];
uint64_t hamt_window_span[HAMT_NB_WIN];

static int failures;

#define CHECK_EQ(what, got, want) do { \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want); \
        if (g_ != w_) { \
            printf("FAIL %s: got 0x%" PRIx64 " want 0x%" PRIx64 "\n", what, g_, w_); \
            failures++; \
        } \
    } while (0)

/* ---- model TLB: 32 pair entries, decodes the architectural fields ---- */
typedef struct Model {
    bool used;
    uint64_t vpn2;        /* pair-aligned VA */
    uint64_t lo[2];
    unsigned asid, page_bits;
    bool la;
} Model;
static Model tlb[32];
static unsigned cur_asid;
static unsigned next_slot;

/* Slot for (pair, asid) or a new random one. */
static Model *model_slot(uint64_t vpn2, unsigned asid)
{
    for (unsigned i = 0; i < 32; i++) {
        if (tlb[i].used && tlb[i].vpn2 == vpn2 && tlb[i].asid == asid) {
            return &tlb[i];
        }
    }
    Model *m = &tlb[next_slot++ % 32];
    memset(m, 0, sizeof(*m));
    return m;
}

/* tlbwr with half merging (tlbp + tlbwi on hardware). */
static void model_write_mips(const MipsTlbEntry *e)
{
    unsigned page_bits = 12;
    while (((e->pagemask >> 1) | 0xfff) >= ((uint64_t)1 << page_bits)) {
        page_bits++;
    }
    uint64_t vpn2 = e->entryhi & ~(((uint64_t)1 << (page_bits + 1)) - 1);
    Model *m = model_slot(vpn2, (unsigned)(e->entryhi & 0xff));
    for (int h = 0; h < 2; h++) {
        if (e->entrylo[h] & MIPS_ELO_V || !m->used) {
            m->lo[h] = e->entrylo[h];
        }
    }
    m->used = true;
    m->vpn2 = vpn2;
    m->asid = (unsigned)(e->entryhi & 0xff);
    m->page_bits = page_bits;
    m->la = false;
}

/* tlbfill with half merging. */
static void model_write_la(const LaTlbEntry *e)
{
    unsigned page_bits = (e->tlbidx >> LA_TLBIDX_PS_SHIFT) & 0x3f;
    Model *m = model_slot(e->tlbehi, e->asid);
    for (int h = 0; h < 2; h++) {
        if (e->tlbelo[h] & LA_TLBELO_V || !m->used) {
            m->lo[h] = e->tlbelo[h];
        }
    }
    m->used = true;
    m->vpn2 = e->tlbehi;
    m->asid = e->asid;
    m->page_bits = page_bits;
    m->la = true;
}

/* Whether a half is global. */
static bool model_global(const Model *m, int h)
{
    return m->la ? (m->lo[h] & LA_TLBELO_G) != 0 : (m->lo[h] & MIPS_ELO_G) != 0;
}

/* invtlb / tlbp+tlbwi invalid. */
static void model_invalidate(unsigned asid, uint64_t va, bool with_global)
{
    for (unsigned i = 0; i < 32; i++) {
        Model *m = &tlb[i];
        if (!m->used) {
            continue;
        }
        bool g = model_global(m, 0) && model_global(m, 1);
        if (va == ~(uint64_t)0) {
            if ((with_global && g) || (!g && (asid == 0 || m->asid == asid))) {
                m->used = false;
            }
            continue;
        }
        uint64_t mask = ~(((uint64_t)1 << (m->page_bits + 1)) - 1);
        if ((va & mask) == m->vpn2 && (m->asid == asid || g)) {
            m->used = false;
        }
    }
}

static void model_set_asid(unsigned asid)
{
    cur_asid = asid;
}

/* Hardware lookup: 0 = ok (*pa set), 1 = miss, 2 = write to clean page. */
static int model_translate(uint64_t va, bool write, uint64_t *pa)
{
    for (unsigned i = 0; i < 32; i++) {
        const Model *m = &tlb[i];
        uint64_t mask = ~(((uint64_t)1 << (m->page_bits + 1)) - 1);
        if (!m->used || (va & mask) != m->vpn2) {
            continue;
        }
        int h = (int)((va >> m->page_bits) & 1);
        if (!model_global(m, h) && m->asid != cur_asid) {
            continue;
        }
        uint64_t lo = m->lo[h];
        uint64_t off = va & (((uint64_t)1 << m->page_bits) - 1);
        if (m->la) {
            if (!(lo & LA_TLBELO_V)) return 1;
            if (write && !(lo & LA_TLBELO_D)) return 2;
            *pa = (lo & 0x0000fffffffff000ull) + off;
        } else {
            if (!(lo & MIPS_ELO_V)) return 1;
            if (write && !(lo & MIPS_ELO_D)) return 2;
            *pa = ((lo >> MIPS_ELO_PFN_SHIFT) << 12) + off;
        }
        return 0;
    }
    return 1;
}

static const HamtTlbOps model_ops = {
    .write_mips = model_write_mips,
    .write_la = model_write_la,
    .invalidate = model_invalidate,
    .set_asid = model_set_asid,
};

/* The driver scenario for one architecture / page size. */
static void scenario(HamtTlbArch arch, unsigned page_bits, const char *name)
{
    const uint64_t win[4] = { 0x100000000ull, 0x300000000ull, 0x500000000ull,
                              0x700000000ull };
    const HamtDriver *d = &hamt_driver_tlb;
    uint32_t ps = 1u << page_bits;
    uint64_t pa = 0;
    char what[96];

    memset(tlb, 0, sizeof(tlb));
    hamt_tlb_setup(arch, page_bits, win, &model_ops);
#define W(x) (snprintf(what, sizeof(what), "%s %s", name, x), what)
    /* kernel index (2): va 0x00400000 -> pa 0x00123000*ps/4k, RO then RW */
    d->install(2, 0x00400000, 0x00100000, ps, OS_PROT_READ, false);
    CHECK_EQ(W("ro read"), model_translate(win[2] + 0x00400010, false, &pa), 0);
    CHECK_EQ(W("ro read pa"), pa, 0x00100010);
    CHECK_EQ(W("ro write -> clean"), model_translate(win[2] + 0x00400010, true, &pa), 2);
    d->protect(2, 0x00400000, ps, OS_PROT_READ | OS_PROT_WRITE);
    CHECK_EQ(W("protect drops"), model_translate(win[2] + 0x00400010, false, &pa), 1);
    d->install(2, 0x00400000, 0x00100000, ps, OS_PROT_READ | OS_PROT_WRITE, false);
    CHECK_EQ(W("rw write"), model_translate(win[2] + 0x00400010, true, &pa), 0);
    /* the odd neighbour of the pair, installed later, merges */
    d->install(2, 0x00400000 + ps, 0x00200000, ps, OS_PROT_READ, false);
    CHECK_EQ(W("pair even kept"), model_translate(win[2] + 0x00400000, true, &pa), 0);
    CHECK_EQ(W("pair odd"), model_translate(win[2] + 0x00400000 + ps + 4, false, &pa), 0);
    CHECK_EQ(W("pair odd pa"), pa, 0x00200004);
    /* user window (0) does not see the kernel mapping */
    CHECK_EQ(W("user window miss"), model_translate(win[0] + 0x00400010, false, &pa), 1);
    /* cached contexts: context 1's kernel window is the same VA, its own
     * ASID; context 0's entries survive the switch to 1 and back */
    d->install(2, 0x00800000, 0x00300000, ps, OS_PROT_READ, true);
    d->switch_context(1);
    CHECK_EQ(W("ctx1: asid differs"), hamt_tlb_asid(1) != hamt_tlb_asid(0), 1);
    CHECK_EQ(W("ctx1: ctx0 entry invisible"),
             model_translate(win[2] + 0x00400010, false, &pa), 1);
    CHECK_EQ(W("ctx1: global visible"), model_translate(win[2] + 0x00800010, false, &pa), 0);
    d->install(hamt_win(1, 2), 0x00400000, 0x00500000, ps, OS_PROT_READ, false);
    CHECK_EQ(W("ctx1: own entry"), model_translate(win[2] + 0x00400010, false, &pa), 0);
    CHECK_EQ(W("ctx1: own pa"), pa, 0x00500010);
    d->switch_context(0);
    CHECK_EQ(W("ctx0 again: kept"), model_translate(win[2] + 0x00400010, false, &pa), 0);
    CHECK_EQ(W("ctx0 again: pa"), pa, 0x00100010);
    /* a recycled context (new CR3): fresh ASID, non-global gone, global kept */
    hamt_tlb_new_context(0);
    CHECK_EQ(W("cr3: non-global gone"), model_translate(win[2] + 0x00400010, false, &pa), 1);
    CHECK_EQ(W("cr3: global kept"), model_translate(win[2] + 0x00800010, false, &pa), 0);
    CHECK_EQ(W("cr3: global pa"), pa, 0x00300010);
    d->switch_context(1);
    CHECK_EQ(W("cr3: ctx1 untouched"), model_translate(win[2] + 0x00400010, false, &pa), 0);
    CHECK_EQ(W("cr3: ctx1 pa"), pa, 0x00500010);
    /* ASID wrap: every non-global entry goes, contexts stay distinct */
    for (unsigned k = 0; k < 1100; k++) {
        hamt_tlb_new_context(3);
    }
    CHECK_EQ(W("wrap: ctx1 flushed"), model_translate(win[2] + 0x00400010, false, &pa), 1);
    CHECK_EQ(W("wrap: asids distinct"), hamt_tlb_asid(3) != hamt_tlb_asid(1) &&
             hamt_tlb_asid(3) != hamt_tlb_asid(0), 1);
    CHECK_EQ(W("wrap: in range"), hamt_tlb_asid(3) <= (arch == HAMT_TLB_MIPS ? 0xffu : 0x3ffu), 1);
    d->install(hamt_win(1, 2), 0x00400000, 0x00600000, ps, OS_PROT_READ, false);
    CHECK_EQ(W("wrap: ctx1 refill"), model_translate(win[2] + 0x00400010, false, &pa), 0);
    CHECK_EQ(W("wrap: ctx1 pa"), pa, 0x00600010);
    d->switch_context(0);
    /* INVLPG removes the global page too */
    d->install(2, 0x00800000, 0x00300000, ps, OS_PROT_READ, true);
    d->invalidate(2, 0x00800000, ps);
    CHECK_EQ(W("invlpg"), model_translate(win[2] + 0x00800010, false, &pa), 1);
    /* flush all */
    d->install(1, 0x00000000, 0x00000000, ps, OS_PROT_READ, true);
    CHECK_EQ(W("ksmap read"), model_translate(win[1] + 8, false, &pa), 0);
    d->invalidate_all(1);
    CHECK_EQ(W("flush all"), model_translate(win[1] + 8, false, &pa), 1);
#undef W
}

int main(void)
{
    /* encodings */
    CHECK_EQ("mips pagemask 4k", hamt_mips_pagemask(12), 0);
    CHECK_EQ("mips pagemask 16k", hamt_mips_pagemask(14), 0x6000);
    CHECK_EQ("mips pagemask 4M", hamt_mips_pagemask(22), 0x7fe000);
    CHECK_EQ("mips entrylo rw", hamt_mips_entrylo(0x12345000, OS_PROT_READ | OS_PROT_WRITE, false),
             0x48d15e);
    CHECK_EQ("mips entrylo ro g", hamt_mips_entrylo(0x12345000, OS_PROT_READ, true), 0x48d15b);
    CHECK_EQ("mips entrylo none", hamt_mips_entrylo(0x12345000, 0, false), 0);
    CHECK_EQ("mips entryhi", hamt_mips_entryhi(0x7f0000123000ull, 12, 5), 0x7f0000122005ull);
    CHECK_EQ("mips entryhi 16k", hamt_mips_entryhi(0x7f0000127000ull, 14, 0x1ff), 0x7f00001200ffull);
    CHECK_EQ("la tlbelo ro", hamt_la_tlbelo(0x12345000, OS_PROT_READ, false, 3),
             0x400000001234501dull);
    CHECK_EQ("la tlbelo rw g", hamt_la_tlbelo(0x12345000, OS_PROT_READ | OS_PROT_WRITE, true, 0),
             0x4000000012345053ull);
    CHECK_EQ("la tlbehi 16k", hamt_la_tlbehi(0x7f0000127000ull, 14), 0x7f0000120000ull);
    CHECK_EQ("la tlbidx ps 16k", hamt_la_tlbidx_ps(14), 0x0e000000);

    scenario(HAMT_TLB_MIPS, 12, "mips/4k");
    scenario(HAMT_TLB_MIPS, 14, "mips/16k");
    scenario(HAMT_TLB_LOONGARCH, 14, "loongarch/16k");
    scenario(HAMT_TLB_LOONGARCH, 12, "loongarch/4k");

    printf("%s hamt-tlb (%d failures)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
