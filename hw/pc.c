/*
 * hamt86 - the PC machine: an isapc-like set of devices.
 *
 *   0x20/0xA0  8259A pair, 0x4D0 ELCR     hw/i8259.c
 *   0x40-0x43  8254 PIT, 0x61 gate/OUT2    hw/i8254.c
 *   0x60/0x64  i8042, 0x92 port A          hw/i8042.c
 *   0x70/0x71  MC146818 RTC + CMOS         hw/mc146818.c
 *   0x3F8      16550A COM1 (IRQ 4)         hw/serial.c + hw/console.c
 *   0x80 POST, 0xE9 debugcon, 0xF4 exit    hw/debug-ports.c
 *   0xE0000-0xFFFFF, top of 4 GiB          hw/firmware.c
 *
 * Everything else (COM2-4, LPT, PCI 0xCF8/0xCFC, ISA PnP, SuperIO
 * configuration ports) is unclaimed: reads all-ones, writes dropped
 * (core/memory.c).  Guest time, timers and idle are hw/timer.c.
 */
#include "hw/hw.h"
#include "core/machine.h"
#include "core/libc.h"
#include "core/os.h"

/* Create the devices. */
void hw_init(void)
{
    clock_init();
    pic_init();
    pit_init();
    rtc_init(machine.opt.ram_mib << 20);
    i8042_init();
    serial_init();
    console_init();
    debug_ports_init();
    fpu_ferr_init();
    firmware_init();
}

/*
 * Every device back to the state hw_init gave it (ports and timers stay
 * registered, guest time keeps running, --stats counters stay).  The CPU
 * and RAM are the caller's: the fuzz harnesses start each input from a
 * saved CPU and RAM, and now from reset devices too.
 */
void hw_reset(void)
{
    pit_reset();
    rtc_reset();
    i8042_reset();
    serial_reset();
    pic_reset();        /* last: every input line is low again */
}

/* --stats lines of the machine. */
void hw_stats_print(void)
{
    clock_stats_print();
    pic_stats_print();
    serial_stats_print();
}
