/*
 * smc_cdsite: one store instruction (st32/st8, never inlined) first stores
 * data beside translated code many times, so that hamt86 retranslates it
 * as a "store beside code" (docs/HAMT.md: it tests the code bytes at a
 * fixed distance from the guest-virtual address and stores through a
 * writable alias of the frame), then the same instruction:
 *
 *   - stores into f's code through the identity page and through an alias
 *     of the frame (PG_WIN): f's result must change;
 *   - stores into code translated after it became such a store (h);
 *   - stores through the alias after its PTE moved to another frame
 *     (INVLPG), and after CR3 switches between two directories that map
 *     the alias to different frames: data must land in the right frame
 *     and code stores must still be seen;
 *   - faults (#PF) on the alias once it is read-only with CR0.WP set.
 *
 * The stores into code are aligned (MIPS hosts send a misaligned one of
 * these sites back to the inline softmmu).
 *
 *   frame A (PG_FRAME(7)):  0x100 data | 0x1f8 data | 0x1ff f | 0x20d data
 *                           | 0x3ff h
 *   frame B (PG_FRAME(8)):  the same without h
 *   f = mov eax, a ; 3 x nop ; add eax, b ; ret   (a at 0x200, b at 0x208)
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "smc_cdsite";

#define FA   PG_FRAME(7)
#define FB   PG_FRAME(8)
#define AL   PG_WIN
#define F    0x1ffu
#define H    0x3ffu

static uint32_t pd2[1024] __attribute__((aligned(4096)));
static uint32_t pt2[1024] __attribute__((aligned(4096)));

/* The one store site of each size under test. */
static void __attribute__((noinline)) st32(uint32_t va, uint32_t v)
{
    *(volatile uint32_t *)va = v;
}
static void __attribute__((noinline)) st8(uint32_t va, uint32_t v)
{
    *(volatile uint8_t *)va = (uint8_t)v;
}
static uint32_t rd32(uint32_t va) { return *(volatile uint32_t *)va; }
static uint32_t call(uint32_t va) { return ((uint32_t (*)(void))va)(); }

/* st32 under trap_catch (pg_try). */
static void st32_thunk(void *p)
{
    PgAccess *a = p;
    st32(a->addr, a->val);
}

/* f at frame + F (plain stores). */
static void emit_f(uint32_t frame, uint32_t a, uint32_t b)
{
    volatile uint8_t *p = (volatile uint8_t *)(frame + F);

    p[0] = 0xb8;
    p[1] = (uint8_t)a; p[2] = (uint8_t)(a >> 8);
    p[3] = (uint8_t)(a >> 16); p[4] = (uint8_t)(a >> 24);
    p[5] = p[6] = p[7] = 0x90;
    p[8] = 0x05;
    p[9] = (uint8_t)b; p[10] = (uint8_t)(b >> 8);
    p[11] = (uint8_t)(b >> 16); p[12] = (uint8_t)(b >> 24);
    p[13] = 0xc3;
}

/* n rounds of data stores beside f through va (st32, st8), calling f of
 * frame fr each round; the sum of f's results. */
static uint32_t data_rounds(uint32_t va, uint32_t fr, uint32_t n)
{
    uint32_t sum = 0;

    for (uint32_t i = 0; i < n; i++) {
        st32(va + 0x100, i);
        st8(va + F + 14, i);                   /* the byte after f's ret */
        st32(va + 0x1f8, i * 3);
        sum += call(fr + F);
    }
    return sum;
}

void kmain(void)
{
    pg_setup32();
    pg_pt_win[0] = FA | PTE_P | PTE_W;
    write_cr3(read_cr3());

    /* the store sites become stores beside code */
    emit_f(FA, 0x1000, 0x20);
    check("a.data", data_rounds(AL, FA, 60), 60 * 0x1020);
    check("a.data.kept", rd32(FA + 0x100) + rd32(FA + 0x1f8), 59 + 59 * 3);
    st32(AL + F + 1, 0x2000);                  /* f's first immediate */
    check("a.alias.into", call(FA + F), 0x2020);
    st32(FA + F + 9, 0x30);                    /* through the identity page */
    check("a.ident.into", call(FA + F), 0x2030);
    st8(AL + F + 12, 0x01);                    /* f's last immediate byte */
    check("a.alias.into8", call(FA + F), 0x01002030);
    check("a.data.after", data_rounds(AL, FA, 20), 20 * 0x01002030);

    /* code translated after the site became a store beside code */
    pg_put_code((volatile uint8_t *)(FA + H), 1);
    check("h.first", call(FA + H), 1);
    data_rounds(AL, FA, 10);
    st32(AL + H + 1, 5);
    check("h.alias.into", call(FA + H), 5);
    st8(FA + H + 1, 6);
    check("h.ident.into", call(FA + H), 6);

    /* the alias moves to frame B (INVLPG) */
    emit_f(FB, 0x500, 0x6);
    check("b.first", call(FB + F), 0x506);
    pg_pt_win[0] = FB | PTE_P | PTE_W;
    invlpg(AL);
    check("b.data", data_rounds(AL, FB, 20), 20 * 0x506);
    check("b.data.frame", rd32(FB + 0x100), 19);
    check("b.data.a.kept", rd32(FA + 0x100), 9);
    st32(AL + F + 1, 0x700);
    check("b.alias.into", call(FB + F), 0x706);
    check("b.a.kept", call(FA + F), 0x01002030);

    /* two directories: AL -> B in pg_pd, AL -> A in pd2 */
    memcpy(pd2, pg_pd, sizeof(pd2));
    memcpy(pt2, pg_pt_win, sizeof(pt2));
    pt2[0] = FA | PTE_P | PTE_W;
    pd2[AL >> 22] = (uint32_t)pt2 | PTE_P | PTE_W | PTE_U;
    for (uint32_t r = 0; r < 8; r++) {
        write_cr3((uint32_t)pd2);
        st32(AL + 0x100, 0xa000 + r);
        write_cr3((uint32_t)pg_pd);
        st32(AL + 0x100, 0xb000 + r);
    }
    check("ctx.a.data", rd32(FA + 0x100), 0xa007);
    check("ctx.b.data", rd32(FB + 0x100), 0xb007);
    write_cr3((uint32_t)pd2);
    st32(AL + F + 9, 0x40);
    check("ctx.a.into", call(FA + F), 0x2040);
    write_cr3((uint32_t)pg_pd);
    check("ctx.b.kept", call(FB + F), 0x706);
    st32(AL + F + 9, 0x9);
    check("ctx.b.into", call(FB + F), 0x709);
    write_cr3((uint32_t)pd2);
    check("ctx.a.kept", call(FA + F), 0x2040);
    write_cr3((uint32_t)pg_pd);

    /* read-only alias, CR0.WP: the site faults (data and code bytes) */
    pg_pt_win[0] = FB | PTE_P;
    invlpg(AL);
    write_cr0(read_cr0() | CR0_WP);
    pg_try("ro.data", 0, st32_thunk, AL + 0x100, 1, 14, 3, AL + 0x100, NULL);
    pg_try("ro.code", 0, st32_thunk, AL + F + 1, 1, 14, 3, AL + F + 1, NULL);
    write_cr0(read_cr0() & ~CR0_WP);
    check("ro.data.kept", rd32(FB + 0x100), 0xb007);
    check("ro.code.kept", call(FB + F), 0x709);
    finish(0x811c9dc5);
}
