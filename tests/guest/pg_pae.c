/*
 * pg_pae: PAE paging (CR4.PAE) on the pentium2 reference CPU: 64-bit
 * entries, a 4-entry PDPT, 2 MiB pages, physical addresses above 4 GiB.
 * Pentium II has no NX: CPUID leaf 0x80000001 is not offered, EFER.NXE
 * cannot be set (QEMU ignores the WRMSR; printed as INFO), so bit 63 of a
 * paging entry is reserved, and instruction-fetch faults have no I/D bit.
 *   - identity 0..8 MiB via 2 MiB pages; a 4 KiB window; a 2 MiB window;
 *   - A/D bits in 64-bit PTEs and 2 MiB PDEs;
 *   - #PF error codes: not-present PDPTE, PDE, PTE; U/S, R/W;
 *   - RSVD: bit 63 (NX without NXE), PA bits above 36 (MAXPHYADDR of the
 *     reference), bits 13..20 of a 2 MiB PDE; error code RSVD(|W|U);
 *   - a PTE pointing above 4 GiB reads 0 (unassigned), no low alias;
 *   - PDPTE changes are seen after MOV CR3.
 */
/*
 * RSVD faults: the error code checked is the reference's, RSVD without P
 * (QEMU 7.2 reports 0x08 | W | U; the SDM says real CPUs also set P).
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_pae";

#define P64 (uint64_t)
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd0[512] __attribute__((aligned(4096)));   /* 0..1 GiB */
static uint64_t pd1[512] __attribute__((aligned(4096)));   /* 1..2 GiB */
static uint64_t pd2[512] __attribute__((aligned(4096)));   /* 2..3 GiB */
static uint64_t pt_w[512] __attribute__((aligned(4096)));  /* 0x40000000.. */
/* a second address space: its own PDPT (32-byte aligned, may share a
 * page with pdpt), 1..2 GiB through pd1b / pt_b */
static uint64_t pdpt_b[4] __attribute__((aligned(32)));
static uint64_t pd1b[512] __attribute__((aligned(4096)));
static uint64_t pt_b[512] __attribute__((aligned(4096)));

#define WIN  0x40000000u
#define W(i) (WIN + (uint32_t)(i) * 4096u)
#define BIG  0x40200000u           /* 2 MiB page -> 4 MiB */
#define BIG2 0x80000000u           /* 2 MiB page in pd2 -> 6 MiB */
#define NPDE 0x40400000u           /* pd1[2] not present */
#define NPDPTE 0xc0000000u         /* pdpt[3] not present */

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static void efer_nx(void *p) { wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE); }
static void efer_rd(void *p) { *(uint32_t *)p = (uint32_t)rdmsr(MSR_EFER); }

void kmain(void)
{
    uint32_t a, b, c, d, v;

    cpuid(1, &a, &b, &c, &d);
    check("pae.cpuid.pae", (d >> 6) & 1, 1);
    cpuid(0x80000000u, &a, &b, &c, &d);
    result("pae.cpuid.ext.max", a < 0x80000001u);
    v = 0xffffffff;
    resultf("pae.efer.nxe.wrmsr vec=%d", trap_catch(efer_nx, NULL));
    resultf("pae.efer.rdmsr vec=%d", trap_catch(efer_rd, &v));
    resultf("pae.efer.nxe %x", v & EFER_NXE);

    pgt_gdt_init();
    for (int i = 0; i < 64; i++) {
        pg_fill_frame(i);
    }
    for (int i = 0; i < 4; i++) {
        pg_fill_frame(512 + i);                    /* frames at 6 MiB */
    }
    memset(pd0, 0, sizeof(pd0));
    memset(pd1, 0, sizeof(pd1));
    memset(pd2, 0, sizeof(pd2));
    memset(pt_w, 0, sizeof(pt_w));
    for (int i = 0; i < 4; i++) {                  /* identity 0..8 MiB */
        pd0[i] = P64(i * 0x200000u) | PTE_PS | PTE_P | PTE_W | PTE_U;
    }
    pd1[0] = P64(uint32_t)pt_w | PTE_P | PTE_W | PTE_U;
    pd1[1] = P64 0x00400000u | PTE_PS | PTE_P | PTE_W | PTE_U;
    pd2[0] = P64 0x00600000u | PTE_PS | PTE_P | PTE_W | PTE_U;
    pdpt[0] = P64(uint32_t)pd0 | PTE_P;
    pdpt[1] = P64(uint32_t)pd1 | PTE_P;
    pdpt[2] = P64(uint32_t)pd2 | PTE_P;
    pdpt[3] = 0;
    for (int i = 0; i < 16; i++) {
        pt_w[i] = P64 PG_FRAME(i) | PTE_P | PTE_W | PTE_U;
    }
    pt_w[2] &= ~(uint64_t)PTE_U;                   /* supervisor */
    pt_w[3] &= ~(uint64_t)PTE_W;                   /* read-only */
    pt_w[4] = 0;                                   /* not present */
    pt_w[5] |= PTE_NX64;                           /* reserved without NXE */
    pt_w[6] = P64 PG_FRAME(6) | (1ull << 40) | PTE_P | PTE_W | PTE_U;   /* PA bit 40 */
    pt_w[7] = (1ull << 32) | PG_FRAME(7) | PTE_P | PTE_W | PTE_U;       /* 4 GiB + */
    pt_w[8] = P64 PG_FRAME(8) | PTE_P | PTE_W | PTE_U;
    pd1[3] = P64 0x00600000u | (1u << 13) | PTE_PS | PTE_P | PTE_W;      /* bad 2 MiB */

    write_cr4(read_cr4() | CR4_PAE);
    write_cr3((uint32_t)pdpt);
    write_cr0(read_cr0() | CR0_PG);
    check("pae.on", (read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE), 1);

    check("pae.read", rd(W(1) + 0x20), pg_pat(1, 0x20));
    check("pae.a", (uint32_t)pt_w[1] & (PTE_A | PTE_D), PTE_A);
    *(volatile uint32_t *)(W(8) + 0x24) = 0xae;
    check("pae.d", (uint32_t)pt_w[8] & (PTE_A | PTE_D), PTE_A | PTE_D);
    check("pae.d.high", (uint32_t)(pt_w[8] >> 32), 0);
    check("pae.pde.a", (uint32_t)pd1[0] & PTE_A, PTE_A);
    check("pae.2m.read", rd(BIG + 0x1234c), pg_pat(0x12, 0x34c));
    *(volatile uint32_t *)(BIG + 0x1ffffc) = 0x2b2b2b2b;
    check("pae.2m.write", rd(0x005ffffc), 0x2b2b2b2b);
    check("pae.2m.ad", (uint32_t)pd1[1] & (PTE_A | PTE_D), PTE_A | PTE_D);
    check("pae.2m.pd2", rd(BIG2 + 0x1008), pg_pat(0x201, 8));
    check("pae.2m.pd2.ad", (uint32_t)pd2[0] & (PTE_A | PTE_D), PTE_A);

    /* faults */
    pg_try("pae.np.pte", 0, pg_rd32, W(4) + 4, 0, 14, 0, W(4) + 4, NULL);
    pg_try("pae.np.pde", 0, pg_wr32, NPDE + 8, 0, 14, PFE_W, NPDE + 8, NULL);
    pg_try("pae.np.pdpte", 0, pg_rd32, NPDPTE + 12, 0, 14, 0, NPDPTE + 12, NULL);
    pg_try("pae.np.pdpte.r3", 3, pg_rd32, NPDPTE + 16, 0, 14, PFE_U, NPDPTE + 16, NULL);
    pg_try("pae.sup.r3", 3, pg_rd32, W(2), 0, 14, PFE_P | PFE_U, W(2), NULL);
    pg_try("pae.ro.r3", 3, pg_wr32, W(3), 0, 14, PFE_P | PFE_W | PFE_U, W(3), NULL);
    pg_try("pae.ro.r0.wp0", 0, pg_wr32, W(3) + 4, 0x33, -1, 0, 0, NULL);
    write_cr0(read_cr0() | CR0_WP);
    pg_try("pae.ro.r0.wp1", 0, pg_wr32, W(3) + 8, 0x33, 14, PFE_P | PFE_W, W(3) + 8, NULL);
    write_cr0(read_cr0() & ~CR0_WP);
    pg_try("pae.fetch.np", 0, pg_call, W(4) + 0x40, 0, 14, 0, W(4) + 0x40, NULL);
    /* reserved bits */
    pg_try("pae.rsvd.nx.read", 0, pg_rd32, W(5) + 4, 0, 14, PFE_RSVD, W(5) + 4, NULL);
    pg_try("pae.rsvd.nx.write", 0, pg_wr32, W(5) + 8, 0, 14, PFE_RSVD | PFE_W, W(5) + 8, NULL);
    pg_try("pae.rsvd.nx.fetch", 0, pg_call, W(5) + 0x40, 0, 14, PFE_RSVD, W(5) + 0x40, NULL);
    pg_try("pae.rsvd.nx.r3", 3, pg_rd32, W(5) + 12, 0, 14, PFE_RSVD | PFE_U, W(5) + 12, NULL);
    pg_try("pae.rsvd.pa40", 0, pg_rd32, W(6) + 4, 0, 14, PFE_RSVD, W(6) + 4, NULL);
    pg_try("pae.rsvd.2m", 0, pg_rd32, 0x40600000u + 4, 0, 14, PFE_RSVD, 0x40600000u + 4, NULL);
    check("pae.rsvd.noa", (uint32_t)pt_w[5] & PTE_A, 0);
    /* above 4 GiB: unassigned, not an alias of low memory */
    pg_try("pae.high.read", 0, pg_rd32, W(7) + 4, 0, -1, 0, 0, &v);
    check("pae.high.val", v, 0);
    pg_try("pae.high.write", 0, pg_wr32, W(7) + 4, 0x77, -1, 0, 0, NULL);
    check("pae.high.noalias", rd(PG_FRAME(7) + 4), pg_pat(7, 4));

    /* PDPTE changes: after MOV CR3 */
    pdpt[3] = P64(uint32_t)pd2 | PTE_P;
    write_cr3((uint32_t)pdpt);
    check("pae.pdpte.new", rd(NPDPTE + 0x1010), pg_pat(0x201, 0x10));
    pdpt[3] = 0;
    write_cr3((uint32_t)pdpt);
    pg_try("pae.pdpte.gone", 0, pg_rd32, NPDPTE + 0x1010, 0, 14, 0, NPDPTE + 0x1010, NULL);

    /* remap a 4 KiB PTE with INVLPG; a 2 MiB page with INVLPG */
    pt_w[1] = P64 PG_FRAME(9) | PTE_P | PTE_W;
    invlpg(W(1));
    check("pae.remap", rd(W(1) + 0x20), pg_pat(9, 0x20));
    pd1[1] = P64 0x00600000u | PTE_PS | PTE_P | PTE_W;
    invlpg(BIG + 0x1ff000);
    check("pae.remap.2m", rd(BIG + 0x2008), pg_pat(0x202, 8));
    {
        uint32_t sum = 0;
        for (uint32_t off = 0; off < 0x200000; off += 0x1020) {
            sum = sum * 13 + rd(BIG2 + off) + rd(BIG + off);
        }
        result("pae.walk.sum", sum);
    }
    /* two address spaces: edits of the inactive one's PT, PD and PDPT are
     * seen after switching to it (MOV CR3) */
    memset(pd1b, 0, sizeof(pd1b));
    memset(pt_b, 0, sizeof(pt_b));
    for (int i = 0; i < 16; i++) {
        pt_b[i] = P64 PG_FRAME(32 + i) | PTE_P | PTE_W | PTE_U;
    }
    pd1b[0] = P64(uint32_t)pt_b | PTE_P | PTE_W | PTE_U;
    pdpt_b[0] = pdpt[0];
    pdpt_b[1] = P64(uint32_t)pd1b | PTE_P;
    pdpt_b[2] = 0;
    pdpt_b[3] = 0;
    {
        uint32_t bad = 0;
        for (int r = 0; r < 8; r++) {
            write_cr3((uint32_t)pdpt_b);
            bad += rd(W(10) + 0x30) != pg_pat(42, 0x30);
            write_cr3((uint32_t)pdpt);
            bad += rd(W(10) + 0x30) != pg_pat(10, 0x30);
        }
        check("pae.ctx.rr", bad, 0);
    }
    pt_b[10] = P64 PG_FRAME(50) | PTE_P | PTE_W | PTE_U;     /* PT edit */
    write_cr3((uint32_t)pdpt_b);
    check("pae.ctx.pte", rd(W(10) + 0x34), pg_pat(50, 0x34));
    check("pae.ctx.pte.a", (uint32_t)pt_b[10] & PTE_A, PTE_A);
    write_cr3((uint32_t)pdpt);
    pd1b[0] = P64(uint32_t)pt_w | PTE_P | PTE_W | PTE_U;     /* PD edit */
    write_cr3((uint32_t)pdpt_b);
    check("pae.ctx.pde", rd(W(10) + 0x38), pg_pat(10, 0x38));
    write_cr3((uint32_t)pdpt);
    pdpt_b[1] = 0;                                           /* PDPT edit */
    write_cr3((uint32_t)pdpt_b);
    pg_try("pae.ctx.pdpte", 0, pg_rd32, W(10) + 0x3c, 0, 14, 0, W(10) + 0x3c, NULL);
    write_cr3((uint32_t)pdpt);
    check("pae.ctx.back", rd(W(10) + 0x3c), pg_pat(10, 0x3c));

    write_cr0(read_cr0() & ~CR0_PG);
    write_cr4(read_cr4() & ~CR4_PAE);
    finish(0xb30c7fc1);
}
