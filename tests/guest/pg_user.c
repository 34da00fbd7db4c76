/*
 * pg_user: user/supervisor protection.  The reference CPU (pentium2) has no
 * SMEP/SMAP: CPUID leaf 7 is beyond the maximum basic leaf and STAC/CLAC
 * are #UD.  (Setting CR4.SMEP/SMAP is not tested: QEMU 7.2 hangs on a
 * reserved CR4 bit instead of raising #GP.)  So:
 *   - ring 0 reads, writes and executes user pages (no SMEP/SMAP), with
 *     EFLAGS.AC either way;
 *   - ring 3 faults on supervisor pages (U=0 in the PTE, or only in the
 *     PDE, or a 4 MiB supervisor page) for read, write and fetch;
 *   - implicit supervisor accesses from ring 3 work on supervisor pages:
 *     the GDT read (and accessed-bit write) of a segment load, the IDT and
 *     TSS reads and the ring-0 stack pushes of int $0x80;
 *   - U changed with INVLPG takes effect.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_user";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define PSE_VA 0x80000000u

static void stac_fn(void *p) { __asm__ volatile(".byte 0x0f, 0x01, 0xcb"); }
static void clac_fn(void *p) { __asm__ volatile(".byte 0x0f, 0x01, 0xca"); }

/* ring 3: reload DS and ES from the GDT (sets the accessed bit). */
static void seg_reload(void *p)
{
    __asm__ volatile("movw %w0, %%ds; movw %w0, %%es" : : "r"(SEL_UDATA) : "memory");
    *(volatile uint32_t *)p = 0x5e95e9;
}

/* ring 3: int $0x41 traps to ring 0 and comes back... it unwinds; so just
 * do a supervisor-page-touching int: the runner's exit int $0x80 */
static void nop_fn(void *p)
{
    *(volatile uint32_t *)p += 1;
}

static void set_ac(int on)
{
    if (on) {
        __asm__ volatile("pushfl; orl $0x40000, (%%esp); popfl" : : : "memory", "cc");
    } else {
        __asm__ volatile("pushfl; andl $~0x40000, (%%esp); popfl" : : : "memory", "cc");
    }
}

void kmain(void)
{
    uint32_t a, b, c, d, v;

    cpuid(0, &a, &b, &c, &d);
    result("user.cpuid.maxleaf", a);
    pg_expect("user.stac", 0, stac_fn, NULL, 6, 0, 0);
    pg_expect("user.clac", 0, clac_fn, NULL, 6, 0, 0);

    pg_setup32();
    for (int i = 0; i < 8; i++) {
        pg_fill_frame(i);
    }
    pg_fill_frame(0x123);
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[1] = PG_FRAME(1) | PTE_P | PTE_W;
    pg_pt_win[2] = PG_FRAME(2) | PTE_P | PTE_W | PTE_U;     /* code */
    pg_pt_win[3] = PG_FRAME(2) | PTE_P | PTE_W;             /* same, sup */
    pg_pd[PG_WIN2 >> 22] = (uint32_t)pg_pt_win2 | PTE_P | PTE_W;   /* sup PDE */
    pg_pt_win2[0] = PG_FRAME(4) | PTE_P | PTE_W | PTE_U;
    pg_pd[PSE_VA >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W;
    write_cr3(read_cr3());
    pg_put_code((volatile uint8_t *)PG_FRAME(2) + 0x40, 0xc0de);

    /* ring 0 on user pages, AC clear and set */
    for (int ac = 0; ac < 2; ac++) {
        set_ac(ac);
        check(ac ? "user.r0.ac1.flag" : "user.r0.ac0.flag", read_eflags() & EFL_AC, ac ? EFL_AC : 0);
        pg_try(ac ? "user.r0.ac1.read" : "user.r0.ac0.read", 0, pg_rd32, W(0) + 4, 0, -1, 0, 0, &v);
        pg_try(ac ? "user.r0.ac1.write" : "user.r0.ac0.write", 0, pg_wr32, W(0) + 8, 0x11, -1, 0, 0, NULL);
        pg_try(ac ? "user.r0.ac1.exec" : "user.r0.ac0.exec", 0, pg_call, W(2) + 0x40, 0, -1, 0, 0, &v);
        check(ac ? "user.r0.ac1.exec.val" : "user.r0.ac0.exec.val", v, 0xc0de);
    }
    set_ac(0);

    /* ring 3 */
    pg_try("user.r3.user.read", 3, pg_rd32, W(0) + 4, 0, -1, 0, 0, &v);
    check("user.r3.user.read.val", v, pg_pat(0, 4));
    pg_try("user.r3.user.exec", 3, pg_call, W(2) + 0x40, 0, -1, 0, 0, &v);
    check("user.r3.user.exec.val", v, 0xc0de);
    pg_try("user.r3.sup.read", 3, pg_rd32, W(1) + 4, 0, 14, PFE_P | PFE_U, W(1) + 4, NULL);
    pg_try("user.r3.sup.write", 3, pg_wr8, W(1) + 5, 0, 14, PFE_P | PFE_W | PFE_U, W(1) + 5, NULL);
    pg_try("user.r3.sup.exec", 3, pg_call, W(3) + 0x40, 0, 14, PFE_P | PFE_U, W(3) + 0x40, NULL);
    pg_try("user.r3.pde.read", 3, pg_rd32, PG_WIN2 + 8, 0, 14, PFE_P | PFE_U, PG_WIN2 + 8, NULL);
    pg_try("user.r3.pse.read", 3, pg_rd32, PSE_VA + 0x123458, 0, 14, PFE_P | PFE_U, PSE_VA + 0x123458, NULL);
    pg_try("user.r3.pse.write", 3, pg_wr32, PSE_VA + 0x3ffffc, 0, 14, PFE_P | PFE_W | PFE_U, PSE_VA + 0x3ffffc, NULL);
    pg_try("user.r0.pse.read", 0, pg_rd32, PSE_VA + 0x123458, 0, -1, 0, 0, &v);
    check("user.r0.pse.read.val", v, pg_pat(0x123, 0x458));
    /* a user access crossing from a user page into a supervisor page */
    pg_try("user.r3.cross", 3, pg_rd32, W(1) - 2, 0, 14, PFE_P | PFE_U, W(1), NULL);

    /* U changes with INVLPG, both ways, on cached translations */
    pg_pt_win[0] &= ~PTE_U;
    invlpg(W(0));
    pg_try("user.r3.revoked", 3, pg_rd32, W(0) + 4, 0, 14, PFE_P | PFE_U, W(0) + 4, NULL);
    pg_pt_win[1] |= PTE_U;
    invlpg(W(1));
    pg_try("user.r3.granted", 3, pg_rd32, W(1) + 4, 0, -1, 0, 0, &v);
    check("user.r3.granted.val", v, pg_pat(1, 4));
    pg_pd[PG_WIN2 >> 22] |= PTE_U;
    invlpg(PG_WIN2);
    pg_try("user.r3.pde.granted", 3, pg_rd32, PG_WIN2 + 8, 0, -1, 0, 0, &v);
    check("user.r3.pde.granted.val", v, pg_pat(4, 8));

    /* implicit supervisor accesses: GDT/TSS page and trap stack U=0 */
    *pg_id_pte((uint32_t)&pgt_sys_page) &= ~PTE_U;
    for (uint32_t p = 0; p < sizeof(pgt_trap_stack); p += 4096) {
        *pg_id_pte((uint32_t)pgt_trap_stack + p) &= ~PTE_U;
    }
    write_cr3(read_cr3());
    pgt_gdt[5] &= ~(1ull << 40);                 /* clear accessed bit */
    v = 0;
    pg_expect("user.implicit.seg", 3, seg_reload, &v, -1, 0, 0);
    check("user.implicit.seg.val", v, 0x5e95e9);
    check("user.implicit.seg.abit", (uint32_t)(pgt_gdt[5] >> 40) & 1, 1);
    v = 0;
    pg_expect("user.implicit.int", 3, nop_fn, &v, -1, 0, 0);
    check("user.implicit.int.val", v, 1);
    /* but an explicit ring-3 read of the GDT page faults */
    pg_try("user.implicit.explicit", 3, pg_rd32, (uint32_t)&pgt_sys_page, 0, 14, PFE_P | PFE_U,
           (uint32_t)&pgt_sys_page, NULL);
    finish(0xebee7337);
}
