/*
 * pg_global: global pages (CR4.PGE) and full flushes; guaranteed behaviour
 * only (whether a global entry survives MOV CR3 is never printed):
 *   - CPUID.1:EDX.PGE is set;
 *   - a global entry changed in memory: after INVLPG, or after toggling
 *     CR4.PGE off and on, the new mapping is seen;
 *   - a non-global entry changed: MOV CR3 is enough;
 *   - with CR4.PGE=0 the G bit is ignored: MOV CR3 flushes G=1 entries;
 *   - clearing CR0.PG flushes everything (global entries included);
 *   - global code pages remapped the same ways.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_global";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }

static void pge(int on)
{
    write_cr4(on ? read_cr4() | CR4_PGE : read_cr4() & ~CR4_PGE);
}

static uint32_t call(uint32_t va)
{
    return ((uint32_t (*)(void))va)();
}

void kmain(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    check("global.cpuid.pge", (d >> 13) & 1, 1);
    pg_setup32();
    for (int i = 0; i < 16; i++) {
        pg_fill_frame(i);
        pg_pt_win[i] = PG_FRAME(i) | PTE_P | PTE_W | PTE_G;
    }
    pg_pt_win[1] &= ~PTE_G;
    pge(1);
    check("global.cr4", read_cr4() & CR4_PGE, CR4_PGE);

    /* global entry: INVLPG */
    check("global.read", rd(W(0) + 4), pg_pat(0, 4));
    pg_pt_win[0] = PG_FRAME(8) | PTE_P | PTE_W | PTE_G;
    write_cr3(read_cr3());                     /* may or may not flush it */
    (void)rd(W(0) + 4);                        /* either value: not printed */
    invlpg(W(0));
    check("global.invlpg", rd(W(0) + 4), pg_pat(8, 4));
    /* global entry: PGE toggle */
    pg_pt_win[0] = PG_FRAME(9) | PTE_P | PTE_W | PTE_G;
    write_cr3(read_cr3());
    (void)rd(W(0) + 8);
    pge(0);
    pge(1);
    check("global.pgetoggle", rd(W(0) + 8), pg_pat(9, 8));
    /* non-global entry next to it: CR3 reload */
    check("global.nonglobal.read", rd(W(1) + 12), pg_pat(1, 12));
    pg_pt_win[1] = PG_FRAME(10) | PTE_P | PTE_W;
    write_cr3(read_cr3());
    check("global.nonglobal.cr3", rd(W(1) + 12), pg_pat(10, 12));
    /* global entry turned non-present: INVLPG, then a fault */
    (void)rd(W(2));
    pg_pt_win[2] = 0;
    invlpg(W(2));
    pg_try("global.unmap", 0, pg_rd32, W(2) + 0x10, 0, 14, 0, W(2) + 0x10, NULL);
    pg_pt_win[2] = PG_FRAME(2) | PTE_P | PTE_W | PTE_G;

    /* PGE=0: G is ignored, CR3 flushes everything */
    pge(0);
    (void)rd(W(3) + 4);
    pg_pt_win[3] = PG_FRAME(11) | PTE_P | PTE_W | PTE_G;
    write_cr3(read_cr3());
    check("global.pge0.cr3", rd(W(3) + 4), pg_pat(11, 4));
    pge(1);

    /* CR0.PG off/on flushes global entries */
    (void)rd(W(4) + 4);
    pg_pt_win[4] = PG_FRAME(12) | PTE_P | PTE_W | PTE_G;
    write_cr0(read_cr0() & ~CR0_PG);
    write_cr0(read_cr0() | CR0_PG);
    check("global.pgoff", rd(W(4) + 4), pg_pat(12, 4));

    /* global code pages */
    pg_put_code((volatile uint8_t *)PG_FRAME(13) + 0x20, 0x1313);
    pg_put_code((volatile uint8_t *)PG_FRAME(14) + 0x20, 0x1414);
    pg_put_code((volatile uint8_t *)PG_FRAME(15) + 0x20, 0x1515);
    pg_pt_win[5] = PG_FRAME(13) | PTE_P | PTE_W | PTE_G;
    invlpg(W(5));
    check("global.code", call(W(5) + 0x20), 0x1313);
    pg_pt_win[5] = PG_FRAME(14) | PTE_P | PTE_W | PTE_G;
    invlpg(W(5));
    check("global.code.invlpg", call(W(5) + 0x20), 0x1414);
    pg_pt_win[5] = PG_FRAME(15) | PTE_P | PTE_W | PTE_G;
    pge(0);
    pge(1);
    check("global.code.pgetoggle", call(W(5) + 0x20), 0x1515);

    /* loop: many global pages, flushed by PGE toggles */
    {
        uint32_t sum = 0;
        for (int round = 0; round < 8; round++) {
            for (int i = 16; i < 272; i++) {
                pg_pt_win[i] = PG_FRAME((i + round) & 15) | PTE_P | PTE_W | ((i & 1) ? PTE_G : 0);
            }
            if (round & 1) {
                pge(0);
                pge(1);
            } else {
                for (int i = 16; i < 272; i++) {
                    invlpg(W(i));
                }
            }
            for (int i = 16; i < 272; i++) {
                sum = sum * 31 + rd(W(i) + (uint32_t)(i & 0x3ff) * 4);
            }
        }
        result("global.loop.sum", sum);
    }
    pge(0);
    finish(0x802af77e);
}
