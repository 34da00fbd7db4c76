/*
 * pg_alias: several virtual pages on one frame, and code through aliases.
 *   - write through one VA, read through another (byte/word/dword, and
 *     accesses crossing pages whose frames are not adjacent);
 *   - after remapping one alias (INVLPG) the two are independent;
 *   - read-only alias of a writable page (CR0.WP=1): writes through the
 *     writable alias are seen, writes through the read-only one fault;
 *   - a recursive page directory entry: PTEs written through the
 *     self-map window (0xFFC00000), then INVLPG;
 *   - self-modifying code through an alias: write code via a data VA,
 *     execute via the code VA; patch the next instruction of the running
 *     code through an alias; patch in a loop.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_alias";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define SELF 0xffc00000u                          /* pg_pd[1023] = pg_pd */
#define SELF_PTE(va) ((volatile uint32_t *)(SELF + ((va) >> 12) * 4))

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static void wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }
static uint32_t call(uint32_t va) { return ((uint32_t (*)(void))va)(); }

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 32; i++) {
        pg_fill_frame(i);
    }
    /* W(0), W(1), W(2) -> frame 0; W(3) -> frame 5, W(4) -> frame 3 */
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_W;
    pg_pt_win[1] = PG_FRAME(0) | PTE_P | PTE_W;
    pg_pt_win[2] = PG_FRAME(0) | PTE_P;           /* read-only alias */
    pg_pt_win[3] = PG_FRAME(5) | PTE_P | PTE_W;
    pg_pt_win[4] = PG_FRAME(3) | PTE_P | PTE_W;
    pg_pd[1023] = (uint32_t)pg_pd | PTE_P | PTE_W;
    write_cr3(read_cr3());

    wr(W(0) + 0x10, 0x11111111);
    check("alias.dword", rd(W(1) + 0x10), 0x11111111);
    *(volatile uint8_t *)(W(1) + 0x13) = 0x22;
    check("alias.byte", rd(W(0) + 0x10), 0x22111111);
    *(volatile uint16_t *)(W(0) + 0x11) = 0x3333;
    check("alias.word", rd(W(2) + 0x10), 0x22333311);
    check("alias.ident", rd(PG_FRAME(0) + 0x10), 0x22333311);
    /* crossing W(3)->W(4) = frame 5 end + frame 3 start */
    wr(W(4) - 2, 0xa5a4a3a2);
    check("alias.cross.lo", rd(PG_FRAME(5) + 0xffc) >> 16, 0xa3a2);
    check("alias.cross.hi", rd(PG_FRAME(3)) & 0xffff, 0xa5a4);
    check("alias.cross.read", rd(W(4) - 1), (rd(PG_FRAME(3)) << 8) | (rd(PG_FRAME(5) + 0xffc) >> 24));
    /* read-only alias */
    write_cr0(read_cr0() | CR0_WP);
    pg_try("alias.ro.write", 0, pg_wr32, W(2) + 0x20, 0xdead, 14, PFE_P | PFE_W, W(2) + 0x20, NULL);
    wr(W(0) + 0x20, 0x4444);
    check("alias.ro.sees", rd(W(2) + 0x20), 0x4444);
    write_cr0(read_cr0() & ~CR0_WP);

    /* remap W(1) elsewhere: independent from then on */
    (void)rd(W(1));
    pg_pt_win[1] = PG_FRAME(1) | PTE_P | PTE_W;
    invlpg(W(1));
    wr(W(1) + 0x30, 0x5555);
    check("alias.remap.own", rd(PG_FRAME(1) + 0x30), 0x5555);
    check("alias.remap.other", rd(W(0) + 0x30), pg_pat(0, 0x30));
    wr(W(0) + 0x34, 0x6666);
    check("alias.remap.other2", rd(W(1) + 0x34), pg_pat(1, 0x34));
    /* and back */
    pg_pt_win[1] = PG_FRAME(0) | PTE_P | PTE_W;
    invlpg(W(1));
    check("alias.remap.back", rd(W(1) + 0x34), 0x6666);

    /* recursive mapping: edit PTEs through the self-map */
    check("alias.self.pte", *SELF_PTE(W(3)), pg_pt_win[3]);
    *SELF_PTE(W(3)) = PG_FRAME(7) | PTE_P | PTE_W;
    invlpg(W(3));
    check("alias.self.pt", pg_pt_win[3] & ~0xfffu, PG_FRAME(7));
    check("alias.self.remap", rd(W(3) + 0x40), pg_pat(7, 0x40));
    *SELF_PTE(W(10)) = PG_FRAME(8) | PTE_P | PTE_W;
    invlpg(W(10));
    check("alias.self.new", rd(W(10) + 0x44), pg_pat(8, 0x44));
    check("alias.self.pd", *(volatile uint32_t *)(SELF + 1023 * 4096 + (PG_WIN >> 22) * 4), pg_pd[PG_WIN >> 22]);
    pg_pd[1023] = 0;
    write_cr3(read_cr3());

    /* SMC: code VA W(20) and data VA W(21) on frame 20 */
    pg_pt_win[20] = PG_FRAME(20) | PTE_P;          /* code, read-only */
    pg_pt_win[21] = PG_FRAME(20) | PTE_P | PTE_W;  /* data */
    invlpg(W(20));
    invlpg(W(21));
    pg_put_code((volatile uint8_t *)W(21) + 0x100, 0x100);
    check("alias.smc.first", call(W(20) + 0x100), 0x100);
    wr(W(21) + 0x101, 0x200);
    check("alias.smc.patch", call(W(20) + 0x100), 0x200);
    {
        uint32_t sum = 0;
        for (uint32_t i = 0; i < 300; i++) {
            *(volatile uint8_t *)(W(21) + 0x101 + (i & 3)) = (uint8_t)i;
            sum = sum * 5 + call(W(20) + 0x100);
        }
        result("alias.smc.loop", sum);
    }
    /* patch the next instruction of the running code through the alias:
     *   +0x200: 89 11          mov [ecx], edx     (ecx = W(21)+0x203)
     *   +0x202: b8 imm32       mov eax, imm32     <- imm patched by the store
     *   +0x207: c3             ret */
    {
        volatile uint8_t *p = (volatile uint8_t *)W(21) + 0x200;
        uint32_t r;
        p[0] = 0x89; p[1] = 0x11;
        p[2] = 0xb8; p[3] = 0x01; p[4] = 0; p[5] = 0; p[6] = 0;
        p[7] = 0xc3;
        __asm__ volatile("call *%1" : "=a"(r) : "r"(W(20) + 0x200), "c"(W(21) + 0x203), "d"(0x7e57) : "memory");
        check("alias.smc.next", r, 0x7e57);
        __asm__ volatile("call *%1" : "=a"(r) : "r"(W(20) + 0x200), "c"(W(21) + 0x203), "d"(0x7e58) : "memory");
        check("alias.smc.next2", r, 0x7e58);
    }
    /* code written through the identity VA and a third alias */
    pg_pt_win[22] = PG_FRAME(20) | PTE_P | PTE_W;
    invlpg(W(22));
    pg_put_code((volatile uint8_t *)PG_FRAME(20) + 0x300, 0x300);
    check("alias.smc.ident", call(W(20) + 0x300), 0x300);
    check("alias.smc.ident2", call(W(22) + 0x300), 0x300);
    wr(W(22) + 0x301, 0x301);
    check("alias.smc.third", call(W(20) + 0x300), 0x301);
    /* the code VA remapped to another frame with the same code offsets */
    pg_put_code((volatile uint8_t *)PG_FRAME(21) + 0x300, 0x302);
    pg_pt_win[20] = PG_FRAME(21) | PTE_P;
    invlpg(W(20));
    check("alias.smc.remap", call(W(20) + 0x300), 0x302);
    wr(W(22) + 0x301, 0x303);                      /* old frame: not seen */
    check("alias.smc.remap.indep", call(W(20) + 0x300), 0x302);
    v = call(W(22) + 0x300);
    check("alias.smc.remap.old", v, 0x303);
    finish(0x87119cc4);
}
