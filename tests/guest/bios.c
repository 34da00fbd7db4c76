/*
 * bios: what a multiboot kernel finds in the PC firmware area (hamt86
 * decides this in hw/firmware.c; qemu-system-i386 -M isapc has SeaBIOS
 * there as writable "RAM firmware"):
 *   - the reset vector at 0xFFFF0 is "jmp far F000:E05B";
 *   - 0xFFFE0000-0xFFFFFFFF is the same memory as 0xE0000-0xFFFFF, both
 *     ways, for every access size and crossing dwords;
 *   - stores to 0xC0000-0xFFFFF and to the top window stick;
 *   - physical memory between RAM and the firmware reads 0, drops stores;
 *   - reading the whole area (and through paging) does not fault.
 * Contents beyond the reset vector differ (no BIOS here) and are not
 * printed.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "bios";

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static uint16_t rd16(uint32_t a) { return *(volatile uint16_t *)a; }
static uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

#define HI(lo) ((lo) - 0xe0000u + 0xfffe0000u)

void kmain(void)
{
    uint32_t sum = 0, o;

    check("bios.reset.op", rd8(0xffff0), 0xea);
    check("bios.reset.ip", rd16(0xffff1), 0xe05b);
    check("bios.reset.cs", rd16(0xffff3), 0xf000);
    check("bios.high.reset", rd32(HI(0xffff0)), rd32(0xffff0));
    check("bios.high.reset8", rd8(HI(0xffff4)), 0xf0);
    for (uint32_t a = 0xe0000; a < 0x100000; a += 4) {
        sum += rd32(a) - rd32(HI(a));
    }
    check("bios.alias.all", sum, 0);

    /* stores stick, in both windows, all sizes */
    static const uint32_t lows[] = { 0xc0000, 0xd8000, 0xe0000, 0xf0000,
                                     0xf1234, 0xffff8 };
    for (unsigned i = 0; i < sizeof(lows) / 4; i++) {
        uint32_t a = lows[i];
        o = rd32(a);
        wr32(a, 0x5a5aa5a5u + i);
        check("bios.low.st", rd32(a), 0x5a5aa5a5u + i);
        if (a >= 0xe0000) {
            check("bios.low.st.high", rd32(HI(a)), 0x5a5aa5a5u + i);
            wr16(HI(a) + 2, 0x1234);
            wr8(HI(a), 0x77);
            check("bios.high.st.low", rd32(a), 0x12340000u | ((0x5a5aa5a5u + i) & 0xff00u) | 0x77u);
        }
        wr32(a, o);
        check("bios.restore", rd32(a), o);
    }
    /* a dword crossing 0xFFFFFFFF is impossible; crossing inside the window */
    o = rd32(HI(0xefffe));
    wr32(HI(0xefffe), 0xcafef00du);
    check("bios.high.cross", rd32(0xefffe), 0xcafef00du);
    check("bios.high.cross.hi", rd16(0xf0000), 0xcafe);
    wr32(HI(0xefffe), o);
    /* nothing decodes below the 128 KiB image */
    static const uint32_t none[] = { 0xfff00000u, 0xfffc0100u, 0xfffdfffcu };
    for (unsigned i = 0; i < sizeof(none) / 4; i++) {
        check("bios.unassigned.rd", rd32(none[i]), 0);
        wr32(none[i], 0x12345678u);
        check("bios.unassigned.st", rd32(none[i]), 0);
    }

    /* through paging: the area mapped at PG_WIN */
    pg_setup32();
    for (uint32_t i = 0; i < 32; i++) {
        pg_pt_win[i] = (0xe0000u + i * 4096u) | PTE_P | PTE_W;
        pg_pt_win[32 + i] = (0xfffe0000u + i * 4096u) | PTE_P | PTE_W;
    }
    write_cr3(read_cr3());
    check("bios.paged.reset", rd32(PG_WIN + 0x1fff0), rd32(0xffff0));
    check("bios.paged.high", rd32(PG_WIN + 0x3fff0), rd32(0xffff0));
    sum = 0;
    for (uint32_t a = 0; a < 0x20000; a += 64) {
        sum += rd32(PG_WIN + a) - rd32(PG_WIN + 0x20000 + a);
    }
    check("bios.paged.alias", sum, 0);
    finish(0);
}
