/*
 * pg_prio: which exception wins when paging is involved.
 *   - descriptor loads from a GDT in paged memory: a selector beyond the
 *     GDT limit is #GP(selector) without touching memory (CR2 unchanged),
 *     a descriptor on a not-present page is #PF (CR2 = descriptor address).
 *     (Data-access segment-limit checks are not tested: QEMU's TCG does
 *     not check data segment limits or code-segment writes, so the
 *     reference has no defined behaviour to compare with.)
 *   - an instruction crossing into a not-present / supervisor page faults
 *     with CR2 = the second page and EIP = the instruction start; this wins
 *     over #UD when the missing bytes are needed;
 *     a complete instruction ending at the page end runs;
 *   - string moves: the source is read before the destination is written;
 *   - read-modify-write on a not-present page (error code as the reference
 *     reports it) and on a read-only page (P|W);
 *   - the operand #PF of DIV comes before the divide error;
 *   - a ring-3 push onto a not-present stack page.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_prio";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define SEL_LIM SEL_SPARE

static void load_fs(void *p)
{
    __asm__ volatile("movw %w0, %%fs" : : "r"((uint32_t)p) : "memory");
}
typedef struct __attribute__((packed)) Dtr {
    uint16_t limit;
    uint32_t base;
} Dtr;

static void movs1(void *p)
{
    uint32_t *sd = p;
    uint32_t s = sd[0], d = sd[1];
    __asm__ volatile("cld; movsl" : "+S"(s), "+D"(d) : : "memory");
}
static void rmw_add(void *p)
{
    PgAccess *a = p;
    __asm__ volatile("addl $1, (%0)" : : "r"(a->addr) : "memory", "cc");
}
static void rmw_xchg(void *p)
{
    PgAccess *a = p;
    uint32_t v = 5;
    __asm__ volatile("xchgl %0, (%1)" : "+r"(v) : "r"(a->addr) : "memory");
}
static void div_mem(void *p)
{
    PgAccess *a = p;
    uint32_t lo = 1, hi = 0;
    __asm__ volatile("divl (%2)" : "+a"(lo), "+d"(hi) : "r"(a->addr) : "memory", "cc");
}
/* ring 3: switch to a stack whose next page down is not present, push */
static void r3_push(void *p)
{
    __asm__ volatile("movl %%esp, %%ebx; movl %0, %%esp; pushl $1; movl %%ebx, %%esp"
                     : : "r"((uint32_t)p) : "ebx", "memory");
}

static void setcode(uint32_t va, const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++) {
        *(volatile uint8_t *)(PG_FRAME(2) + (va - W(2)) + (uint32_t)i) = b[i];
    }
}

void kmain(void)
{
    uint32_t v;
    static const uint8_t mov_ret[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0xc3 };
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    static const uint8_t movcr0[] = { 0x0f, 0x20, 0xc0, 0xc3 };

    pg_setup32();
    for (int i = 0; i < 8; i++) {
        pg_fill_frame(i);
    }
    /* W(0), W(1) not present; W(2) code page; W(3) NP; W(5) sup; W(6) RO */
    pg_pt_win[2] = PG_FRAME(2) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[4] = PG_FRAME(2) | PTE_P | PTE_W | PTE_U;    /* code page, before W(5) */
    pg_pt_win[5] = PG_FRAME(5) | PTE_P | PTE_W;
    pg_pt_win[6] = PG_FRAME(6) | PTE_P | PTE_U;
    pg_pt_win[7] = PG_FRAME(7) | PTE_P | PTE_W | PTE_U;
    pgt_gdt_set(7, pgt_desc(PG_WIN, 0xfff, 0x92, 0x4));       /* 4 KiB limit */
    write_cr3(read_cr3());

    /* GDT at W(8) - 16: null and kernel code on W(7), the rest on W(8) (NP) */
    {
        Dtr old, gd = { 0x1ff, W(8) - 16 };
        __asm__ volatile("sgdt %0" : "=m"(old));
        *(volatile uint64_t *)(PG_FRAME(7) + 0xff0) = 0;
        *(volatile uint64_t *)(PG_FRAME(7) + 0xff8) = pgt_gdt[1];
        __asm__ volatile("lgdt %0" : : "m"(gd));
        write_cr2(0xc2c2c2c2);
        pg_expect("prio.gdt.limit", 0, load_fs, (void *)0x200, 13, 0x200, 0);
        check("prio.gdt.limit.cr2", read_cr2(), 0xc2c2c2c2);
        pg_expect("prio.gdt.np", 0, load_fs, (void *)0x10, 14, 0, W(8));
        pg_expect("prio.gdt.np.far", 0, load_fs, (void *)0x1f8, 14, 0, W(8) + 0x1e8);
        __asm__ volatile("lgdt %0" : : "m"(old));
        pgt_reload_kseg();
    }

    /* instruction crossing into W(3) (not present) */
    setcode(W(3) - 6, mov_ret, 6);
    pg_try("prio.insn.fits", 0, pg_call, W(3) - 6, 0, -1, 0, 0, &v);
    check("prio.insn.fits.val", v, 0x12345678);
    setcode(W(3) - 2, mov_ret, 2);
    pg_try("prio.insn.cross.r0", 0, pg_call, W(3) - 2, 0, 14, 0, W(3), NULL);
    check("prio.insn.cross.r0.eip", last_trap.eip, W(3) - 2);
    pg_try("prio.insn.cross.r3", 3, pg_call, W(3) - 2, 0, 14, PFE_U, W(3), NULL);
    check("prio.insn.cross.r3.eip", last_trap.eip, W(3) - 2);
    /* W(4) is the same code frame, followed by supervisor page W(5) */
    pg_try("prio.insn.cross.sup.r3", 3, pg_call, W(5) - 2, 0, 14, PFE_P | PFE_U, W(5), NULL);
    check("prio.insn.cross.sup.r3.eip", last_trap.eip, W(5) - 2);
    /* complete on the page: runs even though the next page is missing */
    setcode(W(3) - 1, mov_ret + 5, 1);           /* ret at the last byte */
    pg_try("prio.insn.lastbyte", 0, pg_call, W(3) - 1, 0, -1, 0, 0, NULL);
    /* #UD vs #PF */
    setcode(W(3) - 2, ud2, 2);
    pg_try("prio.ud.onpage", 0, pg_call, W(3) - 2, 0, 6, 0, 0, NULL);
    setcode(W(3) - 1, ud2, 1);
    pg_try("prio.ud.cross", 0, pg_call, W(3) - 1, 0, 14, 0, W(3), NULL);
    /* privileged instruction at CPL 3 on the page: #GP.  (Split into a
     * missing page the reference raises #GP before fetching the ModRM byte,
     * where the SDM implies #PF; not tested.) */
    setcode(W(3) - 8, movcr0, 4);
    pg_try("prio.priv.onpage", 3, pg_call, W(3) - 8, 0, 13, 0, 0, NULL);

    /* movs: source first */
    {
        uint32_t sd[2] = { W(0) + 0x10, W(1) + 0x20 };
        pg_expect("prio.movs.both", 0, movs1, sd, 14, 0, W(0) + 0x10);
        sd[0] = W(7) + 0x10;
        pg_expect("prio.movs.dst", 0, movs1, sd, 14, PFE_W, W(1) + 0x20);
        sd[1] = W(6) + 0x20;
        write_cr0(read_cr0() | CR0_WP);
        pg_expect("prio.movs.dst.ro", 0, movs1, sd, 14, PFE_P | PFE_W, W(6) + 0x20);
        write_cr0(read_cr0() & ~CR0_WP);
    }
    /* read-modify-write */
    /* (the CPU checks the destination as a write first: W=1 where QEMU
     * 7.2 reports the read's W=0, so those error codes are SDM lines) */
    {
        PgAccess np = { W(1) + 0x30, 0 }, np2 = { W(1) + 0x34, 0 },
                 sup = { W(5) + 0x30, 0 };

        pg_expect_sdm("prio.rmw.np", 0, rmw_add, &np, 14, PFE_W, W(1) + 0x30);
        pg_expect_sdm("prio.xchg.np", 0, rmw_xchg, &np2, 14, PFE_W, W(1) + 0x34);
        pg_try("prio.rmw.ro.r3", 3, rmw_add, W(6) + 0x30, 0, 14, PFE_P | PFE_W | PFE_U, W(6) + 0x30, NULL);
        check("prio.rmw.ro.unchanged", *(volatile uint32_t *)(PG_FRAME(6) + 0x30), pg_pat(6, 0x30));
        pg_expect_sdm("prio.rmw.sup.r3", 3, rmw_add, &sup, 14,
                      PFE_P | PFE_W | PFE_U, W(5) + 0x30);
    }
    /* divide: operand #PF before #DE */
    *(volatile uint32_t *)(PG_FRAME(7) + 0x40) = 0;
    pg_try("prio.div.pf", 0, div_mem, W(1) + 0x40, 0, 14, 0, W(1) + 0x40, NULL);
    pg_try("prio.div.de", 0, div_mem, W(7) + 0x40, 0, 0, 0, 0, NULL);
    /* ring-3 push below a stack page: W(7) present, W(6) read-only */
    pg_expect("prio.push.ro", 3, r3_push, (void *)W(7), 14, PFE_P | PFE_W | PFE_U, W(7) - 4);
    pg_expect("prio.push.np", 3, r3_push, (void *)W(2), 14, PFE_W | PFE_U, W(2) - 4);
    pg_expect("prio.push.ok", 3, r3_push, (void *)(W(7) + 16), -1, 0, 0);
    check("prio.push.val", *(volatile uint32_t *)(PG_FRAME(7) + 12), 1);
    sdm_done();
    finish(0x811c9dc5);
}
