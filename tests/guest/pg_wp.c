/*
 * pg_wp: CR0.WP and supervisor writes to read-only pages.
 *   - WP=0: ring-0 writes to read-only user and supervisor pages succeed
 *     (also R/W=0 only in the PDE, and 4 MiB pages), and set D;
 *   - WP=1: the same writes fault (#PF P|W), memory unchanged;
 *   - the switch is seen immediately in both directions, even when the
 *     translation is already cached (no INVLPG between);
 *   - ring 3 writes to read-only pages fault with either WP;
 *   - string writes (rep stosb) stop precisely at the read-only page.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_wp";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define PSE_VA 0x80000000u

typedef struct Stos {
    uint32_t dst, n;
} Stos;
static void do_stos(void *p)
{
    Stos *s = p;
    uint32_t d = s->dst, c = s->n;
    __asm__ volatile("cld; rep stosb" : "+D"(d), "+c"(c) : "a"(0xee) : "memory");
    s->dst = d;
    s->n = c;
}

static void wp(int on)
{
    write_cr0(on ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
}

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 8; i++) {
        pg_fill_frame(i);
    }
    pg_fill_frame(0x50);
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_U;           /* RO user */
    pg_pt_win[1] = PG_FRAME(1) | PTE_P;                   /* RO supervisor */
    pg_pt_win[2] = PG_FRAME(2) | PTE_P | PTE_W | PTE_U;   /* RW, then RO */
    pg_pt_win[3] = PG_FRAME(3) | PTE_P | PTE_U;           /* RO */
    pg_pd[PG_WIN2 >> 22] = (uint32_t)pg_pt_win2 | PTE_P | PTE_U;   /* RO PDE */
    pg_pt_win2[0] = PG_FRAME(4) | PTE_P | PTE_W | PTE_U;
    pg_pd[PSE_VA >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_U;     /* RO 4 MiB */
    write_cr3(read_cr3());

    /* WP=0 */
    pg_try("wp0.user.ro", 0, pg_wr32, W(0) + 0x10, 0xa0, -1, 0, 0, NULL);
    check("wp0.user.ro.val", *(volatile uint32_t *)(PG_FRAME(0) + 0x10), 0xa0);
    check("wp0.user.ro.d", pg_pt_win[0] & PTE_D, PTE_D);
    pg_try("wp0.sup.ro", 0, pg_wr32, W(1) + 0x14, 0xa1, -1, 0, 0, NULL);
    check("wp0.sup.ro.val", *(volatile uint32_t *)(PG_FRAME(1) + 0x14), 0xa1);
    pg_try("wp0.pde.ro", 0, pg_wr32, PG_WIN2 + 0x18, 0xa2, -1, 0, 0, NULL);
    check("wp0.pde.ro.val", *(volatile uint32_t *)(PG_FRAME(4) + 0x18), 0xa2);
    pg_try("wp0.pse.ro", 0, pg_wr32, PSE_VA + 0x5001c, 0xa3, -1, 0, 0, NULL);
    check("wp0.pse.ro.val", *(volatile uint32_t *)(0x0045001cu), 0xa3);
    check("wp0.pse.ro.d", pg_pd[PSE_VA >> 22] & PTE_D, PTE_D);

    /* WP=1: the translations above are cached as written-to */
    wp(1);
    pg_try("wp1.user.ro", 0, pg_wr32, W(0) + 0x20, 0xb0, 14, PFE_P | PFE_W, W(0) + 0x20, NULL);
    check("wp1.user.ro.val", *(volatile uint32_t *)(PG_FRAME(0) + 0x20), pg_pat(0, 0x20));
    pg_try("wp1.sup.ro", 0, pg_wr8, W(1) + 0x24, 0xb1, 14, PFE_P | PFE_W, W(1) + 0x24, NULL);
    check("wp1.sup.ro.val", *(volatile uint32_t *)(PG_FRAME(1) + 0x24), pg_pat(1, 0x24));
    pg_try("wp1.pde.ro", 0, pg_wr32, PG_WIN2 + 0x28, 0xb2, 14, PFE_P | PFE_W, PG_WIN2 + 0x28, NULL);
    pg_try("wp1.pse.ro", 0, pg_wr32, PSE_VA + 0x5002c, 0xb3, 14, PFE_P | PFE_W, PSE_VA + 0x5002c, NULL);
    check("wp1.pse.ro.val", *(volatile uint32_t *)(0x0045002cu), pg_pat(0x50, 0x2c));
    pg_try("wp1.read.ok", 0, pg_rd32, W(1) + 0x30, 0, -1, 0, 0, &v);
    check("wp1.read.ok.val", v, pg_pat(1, 0x30));
    pg_try("wp1.rw.ok", 0, pg_wr32, W(2) + 0x34, 0xb4, -1, 0, 0, NULL);

    /* back to WP=0: writable again without INVLPG */
    wp(0);
    pg_try("wp0b.user.ro", 0, pg_wr32, W(0) + 0x38, 0xc0, -1, 0, 0, NULL);
    check("wp0b.user.ro.val", *(volatile uint32_t *)(PG_FRAME(0) + 0x38), 0xc0);
    pg_try("wp0b.pse.ro", 0, pg_wr32, PSE_VA + 0x5003c, 0xc1, -1, 0, 0, NULL);

    /* flip many times on one cached translation */
    {
        uint32_t faults = 0, writes = 0;
        for (int i = 0; i < 64; i++) {
            wp(i & 1);
            PgAccess a = { W(3) + 0x100 + (uint32_t)i * 4, (uint32_t)i };
            if (trap_catch(pg_wr32, &a) == 14) {
                faults++;
            } else {
                writes++;
            }
        }
        wp(0);
        check("wp.flip.faults", faults, 32);
        check("wp.flip.writes", writes, 32);
        uint32_t sum = 0;
        for (int i = 0; i < 64; i++) {
            sum = sum * 31 + *(volatile uint32_t *)(PG_FRAME(3) + 0x100 + (uint32_t)i * 4);
        }
        result("wp.flip.sum", sum);
    }

    /* RW page made read-only with INVLPG, under WP=1 */
    wp(1);
    pg_pt_win[2] &= ~PTE_W;
    invlpg(W(2));
    pg_try("wp1.downgrade", 0, pg_wr32, W(2) + 0x40, 0xd0, 14, PFE_P | PFE_W, W(2) + 0x40, NULL);
    pg_pt_win[2] |= PTE_W;
    invlpg(W(2));
    pg_try("wp1.upgrade", 0, pg_wr32, W(2) + 0x44, 0xd1, -1, 0, 0, NULL);

    /* ring 3 ignores WP */
    pg_try("wp1.r3.ro", 3, pg_wr32, W(0) + 0x48, 0xe0, 14, PFE_P | PFE_W | PFE_U, W(0) + 0x48, NULL);
    wp(0);
    pg_try("wp0.r3.ro", 3, pg_wr32, W(0) + 0x4c, 0xe1, 14, PFE_P | PFE_W | PFE_U, W(0) + 0x4c, NULL);
    pg_try("wp0.r3.pde.ro", 3, pg_wr32, PG_WIN2 + 0x50, 0xe2, 14, PFE_P | PFE_W | PFE_U, PG_WIN2 + 0x50, NULL);

    /* rep stosb from RW page 2 into RO page 3 with WP=1 */
    wp(1);
    {
        Stos s = { W(3) - 10, 20 };
        int vec = trap_catch(do_stos, &s);
        check("wp1.stos.vec", (uint32_t)vec, 14);
        check("wp1.stos.err", last_trap.err, PFE_P | PFE_W);
        check("wp1.stos.cr2", read_cr2(), W(3));
        check("wp1.stos.ecx", last_trap.ecx, 10);
        check("wp1.stos.edi", last_trap.edi, W(3));
        check("wp1.stos.done", *(volatile uint32_t *)(PG_FRAME(2) + 0xffc), 0xeeeeeeee);
        check("wp1.stos.ro", *(volatile uint32_t *)(PG_FRAME(3)), pg_pat(3, 0));
    }
    wp(0);
    finish(0x66b15743);
}
