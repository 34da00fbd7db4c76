/*
 * pg_mmio: device memory through paging, on what qemu isapc and a PC
 * emulator have in common:
 *   - the VGA text buffer (0xB8000..0xBFFFF; the firmware leaves text mode
 *     3): written and read through a paged window, including a window whose
 *     pages are in reverse order, an access crossing two VGA pages, string
 *     instructions, and checked through the identity mapping;
 *   - physical memory that nothing decodes (above the 64 MiB of RAM):
 *     reads 0, writes are dropped (QEMU's unassigned memory);
 *   - A/D bits of PTEs that point to device memory.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_mmio";

#define VGA 0xb8000u
#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define UNASSIGNED 0x10000000u                     /* 256 MiB */

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static void wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

void kmain(void)
{
    uint32_t v, sum;

    pg_setup32();
    /* W(0..7) -> VGA pages in order, W(8..15) -> reversed, W(16) unassigned */
    for (int i = 0; i < 8; i++) {
        pg_pt_win[i] = (VGA + (uint32_t)i * 4096) | PTE_P | PTE_W;
        pg_pt_win[8 + i] = (VGA + (uint32_t)(7 - i) * 4096) | PTE_P | PTE_W | PTE_PCD;
    }
    pg_pt_win[16] = UNASSIGNED | PTE_P | PTE_W;
    pg_pt_win[17] = (UNASSIGNED + 0x3000) | PTE_P | PTE_W;
    write_cr3(read_cr3());

    for (uint32_t i = 0; i < 8 * 1024; i++) {
        wr(W(0) + i * 4, i * 0x9e3779b9u);
    }
    check("mmio.vga.ident", rd(VGA + 0x1234 * 4), 0x1234 * 0x9e3779b9u);
    check("mmio.vga.rev", rd(W(8) + 0x10), 7 * 1024 * 0x9e3779b9u + 4 * 0x9e3779b9u);
    sum = 0;
    for (uint32_t i = 0; i < 8 * 1024; i += 7) {
        sum = sum * 31 + rd(W(15 - (i >> 10)) + (i & 1023) * 4);
    }
    check("mmio.vga.sum", sum, ({
        uint32_t s = 0;
        for (uint32_t i = 0; i < 8 * 1024; i += 7) {
            s = s * 31 + i * 0x9e3779b9u;
        }
        s; }));
    /* bytes and words */
    *(volatile uint8_t *)(W(2) + 5) = 0xab;
    *(volatile uint16_t *)(W(2) + 6) = 0xcdef;
    check("mmio.vga.bytes", rd(VGA + 0x2004), 0xcdefab00 | (rd(VGA + 0x2004) & 0xff));
    /* crossing from VGA page 1 into 0 through the reversed window */
    wr(W(15) - 2, 0x12345678);
    check("mmio.vga.cross.lo", rd(VGA + 0x1ffc) >> 16, 0x5678);
    check("mmio.vga.cross.hi", rd(VGA + 0x0000) & 0xffff, 0x1234);
    check("mmio.vga.cross.read", rd(W(15) - 2), 0x12345678);
    /* rep movsd RAM -> VGA and back, through the windows */
    {
        uint32_t s = PG_FRAME(0), d = W(9) + 0x800, c = 1024;
        for (int i = 0; i < 1024; i++) {
            *(volatile uint32_t *)(PG_FRAME(0) + (uint32_t)i * 4) = (uint32_t)i * 77 + 1;
        }
        __asm__ volatile("cld; rep movsl" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
        s = W(9) + 0x800; d = PG_FRAME(1); c = 1024;
        __asm__ volatile("cld; rep movsl" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
        check("mmio.vga.movs", memcmp((void *)PG_FRAME(0), (void *)PG_FRAME(1), 4096), 0);
        check("mmio.vga.movs.ident", rd(VGA + 0x5000 + 0x800 + 4 * 1000 - 0x1000), 1000 * 77 + 1);
        check("mmio.vga.movs.ident0", rd(VGA + 0x6800), 1);
    }
    check("mmio.a", pg_pt_win[0] & (PTE_A | PTE_D), PTE_A | PTE_D);
    check("mmio.a.rev", pg_pt_win[15] & (PTE_A | PTE_D), PTE_A | PTE_D);

    /* unassigned */
    pg_try("mmio.none.read", 0, pg_rd32, W(16) + 0x40, 0, -1, 0, 0, &v);
    check("mmio.none.read.val", v, 0);
    pg_try("mmio.none.write", 0, pg_wr32, W(16) + 0x40, 0x5a5a5a5a, -1, 0, 0, NULL);
    check("mmio.none.reread", rd(W(16) + 0x40), 0);
    check("mmio.none.byte", *(volatile uint8_t *)(W(17) + 0x7ff), 0);
    check("mmio.none.a", pg_pt_win[16] & (PTE_A | PTE_D), PTE_A | PTE_D);
    finish(0x811c9dc5);
}
