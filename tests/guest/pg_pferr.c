/*
 * pg_pferr: #PF error codes and CR2 under 32-bit paging (CPU: pentium2, so
 * no NX/SMEP: the I/D bit is never set, see pg_pae for RSVD).
 *   - not-present PDE vs PTE, read/write, ring 0/ring 3 (P, W/R, U/S bits);
 *   - protection faults: U=0 in the PTE or only in the PDE, R/W=0 in the PTE
 *     or only in the PDE, from ring 3 (always) and ring 0 with CR0.WP=1;
 *   - instruction fetch from a not-present / supervisor page (CR2 = EIP);
 *   - accesses crossing into a faulting page (CR2 = the second page, and
 *     no partial write of the first page);
 *   - CR2 unchanged by other exceptions; CR2 writable.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_pferr";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define W2(i) (PG_WIN2 + (uint32_t)(i) * 4096u)

static void gp_fn(void *p)
{
    /* load a null-ish bad selector: #GP(0x50) (beyond the GDT limit) */
    __asm__ volatile("movw $0x50, %%ax; movw %%ax, %%fs" : : : "eax");
}

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 8; i++) {
        pg_fill_frame(i);
    }
    /* window: page 0 RW user, 1 RO user, 2 RW supervisor, 3 RO supervisor,
     * 4 not present, 5 RW user (frame 5), 6 code page (user), 7 NP */
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[1] = PG_FRAME(1) | PTE_P | PTE_U;
    pg_pt_win[2] = PG_FRAME(2) | PTE_P | PTE_W;
    pg_pt_win[3] = PG_FRAME(3) | PTE_P;
    pg_pt_win[4] = 0;
    pg_pt_win[5] = PG_FRAME(5) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[6] = PG_FRAME(6) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[8] = PG_FRAME(2) | PTE_P | PTE_W;           /* supervisor code */
    /* window 2: the PDE is supervisor + read-only, the PTEs allow all */
    pg_pd[PG_WIN2 >> 22] = (uint32_t)pg_pt_win2 | PTE_P;
    pg_pt_win2[0] = PG_FRAME(4) | PTE_P | PTE_W | PTE_U;
    write_cr3((uint32_t)pg_pd);

    /* not present: PDE (0x50000000 has no page table) and PTE */
    pg_try("pferr.pde.r0.read", 0, pg_rd32, 0x50000010, 0, 14, 0, 0x50000010, NULL);
    pg_try("pferr.pde.r0.write", 0, pg_wr32, 0x50000ffc, 1, 14, PFE_W, 0x50000ffc, NULL);
    pg_try("pferr.pde.r3.read", 3, pg_rd32, 0x50400008, 0, 14, PFE_U, 0x50400008, NULL);
    pg_try("pferr.pde.r3.write", 3, pg_wr8, 0x50400009, 1, 14, PFE_U | PFE_W, 0x50400009, NULL);
    pg_try("pferr.pte.r0.read", 0, pg_rd8, W(4) + 0x123, 0, 14, 0, W(4) + 0x123, NULL);
    pg_try("pferr.pte.r0.write", 0, pg_wr32, W(4) + 0x124, 1, 14, PFE_W, W(4) + 0x124, NULL);
    pg_try("pferr.pte.r3.read", 3, pg_rd32, W(4), 0, 14, PFE_U, W(4), NULL);
    pg_try("pferr.pte.r3.write", 3, pg_wr32, W(4) + 0xff0, 1, 14, PFE_U | PFE_W, W(4) + 0xff0, NULL);

    /* allowed accesses */
    pg_try("pferr.ok.r3.read", 3, pg_rd32, W(0) + 8, 0, -1, 0, 0, &v);
    check("pferr.ok.r3.read.val", v, pg_pat(0, 8));
    pg_try("pferr.ok.r3.write", 3, pg_wr32, W(0) + 12, 0xabcd0001, -1, 0, 0, NULL);
    check("pferr.ok.r3.write.val", *(volatile uint32_t *)(PG_FRAME(0) + 12), 0xabcd0001);
    pg_try("pferr.ok.r3.ro.read", 3, pg_rd32, W(1) + 16, 0, -1, 0, 0, &v);
    check("pferr.ok.r3.ro.read.val", v, pg_pat(1, 16));
    pg_try("pferr.ok.r0.sup.read", 0, pg_rd32, W(2) + 20, 0, -1, 0, 0, &v);
    check("pferr.ok.r0.sup.read.val", v, pg_pat(2, 20));

    /* protection: ring 3 */
    pg_try("pferr.prot.r3.sup.read", 3, pg_rd32, W(2) + 4, 0, 14, PFE_P | PFE_U, W(2) + 4, NULL);
    pg_try("pferr.prot.r3.sup.write", 3, pg_wr32, W(2) + 8, 5, 14, PFE_P | PFE_W | PFE_U, W(2) + 8, NULL);
    pg_try("pferr.prot.r3.supro.write", 3, pg_wr8, W(3) + 1, 5, 14, PFE_P | PFE_W | PFE_U, W(3) + 1, NULL);
    pg_try("pferr.prot.r3.ro.write.wp0", 3, pg_wr32, W(1) + 0x40, 5, 14, PFE_P | PFE_W | PFE_U, W(1) + 0x40, NULL);
    check("pferr.prot.r3.ro.unchanged", *(volatile uint32_t *)(PG_FRAME(1) + 0x40), pg_pat(1, 0x40));
    pg_try("pferr.prot.r3.pde.read", 3, pg_rd32, W2(0) + 0x80, 0, 14, PFE_P | PFE_U, W2(0) + 0x80, NULL);
    pg_try("pferr.prot.r3.pde.write", 3, pg_wr32, W2(0) + 0x84, 0, 14, PFE_P | PFE_W | PFE_U, W2(0) + 0x84, NULL);
    /* ring 0: the PDE's R/W=0 only matters with CR0.WP=1 */
    pg_try("pferr.prot.r0.pde.write.wp0", 0, pg_wr32, W2(0) + 0x88, 0x88, -1, 0, 0, NULL);
    write_cr0(read_cr0() | CR0_WP);
    pg_try("pferr.prot.r0.pde.write.wp1", 0, pg_wr32, W2(0) + 0x8c, 0x8c, 14, PFE_P | PFE_W, W2(0) + 0x8c, NULL);
    pg_try("pferr.prot.r0.ro.write.wp1", 0, pg_wr32, W(3) + 0x90, 0x90, 14, PFE_P | PFE_W, W(3) + 0x90, NULL);
    pg_try("pferr.prot.r3.ro.write.wp1", 3, pg_wr32, W(1) + 0x94, 5, 14, PFE_P | PFE_W | PFE_U, W(1) + 0x94, NULL);
    write_cr0(read_cr0() & ~CR0_WP);
    check("pferr.prot.r0.pde.wp0.val", *(volatile uint32_t *)(PG_FRAME(4) + 0x88), 0x88);
    check("pferr.prot.r0.pde.wp1.val", *(volatile uint32_t *)(PG_FRAME(4) + 0x8c), pg_pat(4, 0x8c));

    /* instruction fetch: not present (ring 0 / ring 3), supervisor page
     * from ring 3; no I/D bit without NX.  CR2 = the target = EIP. */
    pg_put_code((volatile uint8_t *)PG_FRAME(6) + 0x100, 0x66);
    pg_put_code((volatile uint8_t *)PG_FRAME(2) + 0x200, 0x77);
    pg_try("pferr.fetch.ok.r3", 3, pg_call, W(6) + 0x100, 0, -1, 0, 0, &v);
    check("pferr.fetch.ok.r3.val", v, 0x66);
    pg_try("pferr.fetch.ok.r0.sup", 0, pg_call, W(8) + 0x200, 0, -1, 0, 0, &v);
    check("pferr.fetch.ok.r0.sup.val", v, 0x77);
    pg_try("pferr.fetch.np.r0", 0, pg_call, W(4) + 0x10, 0, 14, 0, W(4) + 0x10, NULL);
    check("pferr.fetch.np.r0.eip", last_trap.eip, W(4) + 0x10);
    pg_try("pferr.fetch.np.r3", 3, pg_call, W(7) + 0x20, 0, 14, PFE_U, W(7) + 0x20, NULL);
    check("pferr.fetch.np.r3.eip", last_trap.eip, W(7) + 0x20);
    pg_try("pferr.fetch.sup.r3", 3, pg_call, W(8) + 0x200, 0, 14, PFE_P | PFE_U, W(8) + 0x200, NULL);
    check("pferr.fetch.sup.r3.eip", last_trap.eip, W(8) + 0x200);
    pg_try("pferr.fetch.pde.r3", 3, pg_call, W2(0) + 0x30, 0, 14, PFE_P | PFE_U, W2(0) + 0x30, NULL);

    /* crossing accesses: page 4 (NP) follows page 3 and precedes page 5 */
    pg_try("pferr.cross.read.second", 0, pg_rd32, W(4) - 1, 0, 14, 0, W(4), NULL);
    pg_try("pferr.cross.read.first", 0, pg_rd32, W(5) - 2, 0, 14, 0, W(5) - 2, NULL);
    pg_try("pferr.cross.write.second", 0, pg_wr32, W(4) - 3, 0x11223344, 14, PFE_W, W(4), NULL);
    check("pferr.cross.write.nopartial", *(volatile uint32_t *)(PG_FRAME(3) + 0xffc), pg_pat(3, 0xffc));
    pg_try("pferr.cross.r3.write.second", 3, pg_wr32, W(1) - 2, 0x55667788, 14, PFE_P | PFE_W | PFE_U, W(1), NULL);
    check("pferr.cross.r3.nopartial", *(volatile uint32_t *)(PG_FRAME(0) + 0xffc), pg_pat(0, 0xffc));
    write_cr0(read_cr0() | CR0_WP);
    pg_try("pferr.cross.wp.write.second", 0, pg_wr32, W(1) - 1, 0x99aabbcc, 14, PFE_P | PFE_W, W(1), NULL);
    check("pferr.cross.wp.nopartial", *(volatile uint32_t *)(PG_FRAME(0) + 0xffc), pg_pat(0, 0xffc));
    write_cr0(read_cr0() & ~CR0_WP);
    pg_try("pferr.cross.ok", 0, pg_wr32, W(1) - 1, 0x99aabbcc, -1, 0, 0, NULL);
    check("pferr.cross.ok.lo", *(volatile uint32_t *)(PG_FRAME(0) + 0xffc), (pg_pat(0, 0xffc) & 0xffffff) | 0xcc000000);
    check("pferr.cross.ok.hi", *(volatile uint32_t *)(PG_FRAME(1)), (pg_pat(1, 0) & 0xff000000) | 0x99aabb);

    /* CR2 is only written by #PF */
    write_cr2(0x12345678);
    check("pferr.cr2.write", read_cr2(), 0x12345678);
    pg_expect("pferr.cr2.gp", 0, gp_fn, NULL, 13, 0x50, 0);
    check("pferr.cr2.kept", read_cr2(), 0x12345678);
    finish(0x811c9dc5);
}
