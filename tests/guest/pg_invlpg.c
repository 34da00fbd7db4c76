/*
 * pg_invlpg: TLB invalidation, architecturally guaranteed behaviour only.
 * A PTE changed without INVLPG may or may not be seen: such reads are never
 * printed.  Checked:
 *   - after INVLPG the new mapping is seen (remap, unmap, permission change,
 *     code pages);
 *   - a #PF invalidates the faulting address: a PTE made present (or
 *     writable) without INVLPG works on the retry after at most one fault;
 *   - INVLPG of any address in a 4 MiB page invalidates the whole page;
 *   - INVLPG after a PDE change: the new page table is used for that address;
 *   - MOV CR3 flushes non-global entries;
 *   - INVLPG of an unmapped address does not fault; at CPL 3 it is #GP(0);
 *   - many pages remapped in a loop (TLB capacity and replacement).
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_invlpg";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define PSE_VA 0x80000000u

static uint32_t pt_alt[1024] __attribute__((aligned(4096)));

static void invlpg_fn(void *p)
{
    invlpg((uint32_t)p);
}

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 64; i++) {
        pg_fill_frame(i);
    }
    for (int i = 0; i < 16; i++) {
        pg_pt_win[i] = PG_FRAME(i) | PTE_P | PTE_W | PTE_U;
    }
    write_cr3(read_cr3());

    /* remap */
    check("inv.before", rd(W(0) + 0x10), pg_pat(0, 0x10));
    pg_pt_win[0] = PG_FRAME(20) | PTE_P | PTE_W;
    invlpg(W(0));
    check("inv.remap", rd(W(0) + 0x10), pg_pat(20, 0x10));
    /* the same VA written before and after */
    *(volatile uint32_t *)(W(0) + 0x14) = 0xaaaa0014;
    pg_pt_win[0] = PG_FRAME(21) | PTE_P | PTE_W;
    invlpg(W(0) + 0xfff);                         /* any byte of the page */
    *(volatile uint32_t *)(W(0) + 0x14) = 0xbbbb0014;
    check("inv.remap.w.old", rd(PG_FRAME(20) + 0x14), 0xaaaa0014);
    check("inv.remap.w.new", rd(PG_FRAME(21) + 0x14), 0xbbbb0014);
    /* unmap */
    pg_pt_win[1] = 0;
    invlpg(W(1));
    pg_try("inv.unmap", 0, pg_rd32, W(1) + 4, 0, 14, 0, W(1) + 4, NULL);
    /* present again without INVLPG: the fault flushed the entry */
    pg_pt_win[1] = PG_FRAME(22) | PTE_P | PTE_W;
    pg_try("inv.afterfault", 0, pg_rd32, W(1) + 4, 0, -1, 0, 0, &v);
    check("inv.afterfault.val", v, pg_pat(22, 4));
    /* read-only -> writable without INVLPG under WP=1: at most one fault */
    write_cr0(read_cr0() | CR0_WP);
    pg_pt_win[2] &= ~PTE_W;
    invlpg(W(2));
    check("inv.ro.read", rd(W(2) + 8), pg_pat(2, 8));
    pg_pt_win[2] |= PTE_W;
    {
        PgAccess a = { W(2) + 8, 0x12345678 };
        int tries = 0, vec;
        do {
            vec = trap_catch(pg_wr32, &a);
            tries++;
        } while (vec == 14 && tries < 5);
        check("inv.upgrade.done", (uint32_t)vec, (uint32_t)-1);
        check("inv.upgrade.tries", tries <= 2, 1);
        check("inv.upgrade.val", rd(PG_FRAME(2) + 8), 0x12345678);
    }
    /* writable -> read-only with INVLPG: faults */
    *(volatile uint32_t *)(W(3) + 8) = 1;
    pg_pt_win[3] &= ~PTE_W;
    invlpg(W(3));
    pg_try("inv.downgrade", 0, pg_wr32, W(3) + 8, 2, 14, PFE_P | PFE_W, W(3) + 8, NULL);
    write_cr0(read_cr0() & ~CR0_WP);

    /* user -> supervisor with INVLPG */
    pg_try("inv.user.ok", 3, pg_rd32, W(4), 0, -1, 0, 0, NULL);
    pg_pt_win[4] &= ~PTE_U;
    invlpg(W(4));
    pg_try("inv.user.revoked", 3, pg_rd32, W(4), 0, 14, PFE_P | PFE_U, W(4), NULL);

    /* 4 MiB page: invalidate through another 4 KiB part of it */
    pg_pd[PSE_VA >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W;
    invlpg(PSE_VA);
    uint32_t s0 = 0;
    for (uint32_t off = 0; off < 0x40000; off += 0x1000) {
        s0 += rd(PSE_VA + off);                   /* cache 64 pages */
    }
    result("inv.pse.sum", s0);
    pg_pd[PSE_VA >> 22] = 0x00000000u | PTE_PS | PTE_P | PTE_W;   /* now 0..4 MiB */
    invlpg(PSE_VA + 0x3ff000);
    check("inv.pse.other4k", rd(PSE_VA + 0x21000), rd(0x21000));
    check("inv.pse.first4k", rd(PSE_VA + 0x100004), rd(0x100004));
    /* 4 MiB page replaced by a page table */
    for (int i = 0; i < 1024; i++) {
        pt_alt[i] = PG_FRAME(i & 63) | PTE_P | PTE_W;
    }
    pg_pd[PSE_VA >> 22] = (uint32_t)pt_alt | PTE_P | PTE_W;
    invlpg(PSE_VA + 0x5000);
    check("inv.pse.to.pt", rd(PSE_VA + 0x5000 + 0x40), pg_pat(5, 0x40));

    /* PDE change: a new page table for the window */
    for (int i = 0; i < 1024; i++) {
        pt_alt[i] = PG_FRAME(40 + (i & 7)) | PTE_P | PTE_W;
    }
    pg_pd[PG_WIN >> 22] = (uint32_t)pt_alt | PTE_P | PTE_W | PTE_U;
    invlpg(W(5));
    check("inv.pde.change", rd(W(5) + 0x20), pg_pat(45, 0x20));
    /* CR3 reload: the rest of the window follows too */
    write_cr3(read_cr3());
    check("inv.pde.cr3", rd(W(6) + 0x24), pg_pat(46, 0x24));
    pg_pd[PG_WIN >> 22] = (uint32_t)pg_pt_win | PTE_P | PTE_W | PTE_U;
    write_cr3(read_cr3());
    pg_pt_win[7] = PG_FRAME(30) | PTE_P | PTE_W;
    write_cr3(read_cr3());
    check("inv.cr3", rd(W(7) + 0x28), pg_pat(30, 0x28));

    /* INVLPG never faults on unmapped addresses; it is privileged */
    pg_expect("inv.unmapped", 0, invlpg_fn, (void *)0x50000000, -1, 0, 0);
    pg_expect("inv.unmapped.pte", 0, invlpg_fn, (void *)W(1000), -1, 0, 0);
    pg_expect("inv.ring3", 3, invlpg_fn, (void *)W(0), 13, 0, 0);

    /* code: remap an executable page */
    for (int i = 0; i < 4; i++) {
        pg_put_code((volatile uint8_t *)PG_FRAME(50 + i) + 0x80, 0x1000 + (uint32_t)i);
    }
    {
        uint32_t sum = 0;
        for (int i = 0; i < 400; i++) {
            pg_pt_win[8] = PG_FRAME(50 + (i * 7 % 4)) | PTE_P | PTE_W;
            invlpg(W(8));
            PgAccess a = { W(8) + 0x80, 0 };
            pg_call(&a);
            sum = sum * 3 + a.val;
        }
        result("inv.code.sum", sum);
    }

    /* many pages: 1024 window pages over 64 frames, remapped each round */
    {
        uint32_t sum = 0;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 1024; i++) {
                pg_pt_win[i] = PG_FRAME((i * 5 + round * 11) & 63) | PTE_P | PTE_W;
                invlpg(W(i));
            }
            for (int i = 0; i < 1024; i++) {
                uint32_t off = (uint32_t)((i * 52 + round * 4) & 0xffc);
                *(volatile uint32_t *)(W(i) + off) += (uint32_t)i;
            }
            for (int i = 1023; i >= 0; i -= 3) {
                sum = sum * 33 + rd(W(i) + (uint32_t)((i * 40) & 0xffc));
            }
        }
        result("inv.many.sum", sum);
        uint32_t fs = 0;
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 1024; j += 16) {
                fs = fs * 7 + rd(PG_FRAME(i) + (uint32_t)j * 4);
            }
        }
        result("inv.many.frames", fs);
    }
    finish(0xa40f9708);
}
