/*
 * hamt86 - the PC firmware area without a firmware.
 *
 * qemu-system-i386 -M isapc (7.2) loads SeaBIOS (128 KiB) as "RAM
 * firmware": on that machine it is writable, not ROM (checked with the
 * guest probe tests/guest/bios.c: a store to 0xF0000 or 0xFFFF0 reads
 * back).  It appears at 0xE0000-0xFFFFF and at 0xFFFE0000-0xFFFFFFFF, the
 * same memory (a store at 0xFFFFFFF0 shows at 0xFFFF0); 0xFFFC0000-
 * 0xFFFDFFFF reads 0 and drops stores.  hamt86 boots multiboot kernels
 * directly and has no BIOS code, so a guest sees the same layout with
 * this content:
 *
 *   0xE0000-0xFFFFF   guest RAM, zero except
 *     0xFFFF0          EA 5B E0 00 F0   jmp far F000:E05B (SeaBIOS's bytes)
 *     0xFE05B          FA F4 EB FD      cli; hlt; jmp $-1: a guest that
 *                                       jumps to the reset vector halts
 *                                       with IF=0 (hamt86 exits, status 2)
 *   0xFFFE0000-0xFFFFFFFF  the same memory as 0xE0000-0xFFFFF (an MMIO
 *                          alias, so data accesses there take the slow
 *                          path; code there is translated from, and
 *                          invalidated with, the low copy: a RAM alias)
 *
 * No option ROMs: 0xC0000-0xDFFFF is plain RAM (on isapc it is writable
 * too, holding the VGA BIOS).  The multiboot memory map marks 0xF0000-
 * 0xFFFFF and 0xFFFC0000-0xFFFFFFFF reserved, as QEMU's does.  Scanning
 * the area for ACPI/MP/SMBIOS signatures finds nothing.
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/libc.h"

#define FW_LOW_BASE   0x000e0000u
#define FW_SIZE       0x00020000u       /* 128 KiB: the whole image */
#define FW_HIGH_BASE  0xfffe0000u

/* Read from the top-of-4-GiB firmware window: the low copy. */
static uint32_t fw_high_read(void *opaque, uint32_t off, unsigned size)
{
    (void)opaque;
    return phys_read(FW_LOW_BASE + off, size);
}

/* Write to the top-of-4-GiB firmware window (RAM firmware: it sticks). */
static void fw_high_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    (void)opaque;
    phys_write(FW_LOW_BASE + off, val, size);
}

/* Reset vector and halt stub in low RAM; the high window. */
void firmware_init(void)
{
    static const uint8_t reset[] = { 0xea, 0x5b, 0xe0, 0x00, 0xf0 };
    static const uint8_t halt[] = { 0xfa, 0xf4, 0xeb, 0xfd };
    static const MMIORegion high = {
        .base = FW_HIGH_BASE, .size = FW_SIZE, .name = "bios",
        .read = fw_high_read, .write = fw_high_write,
    };
    uint8_t *lo = phys_ram_ptr(FW_LOW_BASE);

    if (lo != NULL && phys_ram_ptr(FW_LOW_BASE + FW_SIZE - 1) != NULL) {
        memcpy(lo + 0x1fff0, reset, sizeof(reset));
        memcpy(lo + 0x1e05b, halt, sizeof(halt));
    }
    phys_register_mmio(&high);
    /* code runs from the high window as from the low copy (SMC through
     * either address invalidates it) */
    phys_register_ram_alias(FW_HIGH_BASE, FW_SIZE, FW_LOW_BASE);
}
