/*
 * hamt86 - device models of the PC machine (internal to hw/).
 */
#ifndef HAMT86_HW_H
#define HAMT86_HW_H

#include "core/base.h"

/* ---- Guest time and device timers (hw/timer.c) ---- */

/* Nominal TSC frequency (printed by --stats). */
#define HW_TSC_HZ  1000000000ull
/* Period of the host tick that stops chained TBs once a timer is due. */
#define HW_KICK_NS 1000000ull

/* A device timer: cb(opaque, now) runs once guest time reaches deadline
 * (UINT64_MAX: disarmed; a callback re-arms with timer_mod).
 * may_interrupt (NULL: never) tells a halted CPU whether waiting for this
 * timer can end in an interrupt. */
typedef struct HWTimer {
    uint64_t deadline;
    void (*cb)(void *opaque, uint64_t now);
    bool (*may_interrupt)(void *opaque);
    void *opaque;
    const char *name;
} HWTimer;

/* Guest time in nanoseconds since the machine started. */
uint64_t clock_ns(void);
void clock_init(void);
void timer_add(HWTimer *t);
void timer_mod(HWTimer *t, uint64_t deadline);
/* Run the timers that are due (devices call it before reporting state). */
void timers_run(void);
void clock_stats_print(void);

/* ---- Devices ---- */

/* COM1 16550A at 0x3F8, IRQ 4 (hw/serial.c). */
void serial_init(void);
void serial_reset(void);
/* Room in COM1's receiver, and whether received data can interrupt. */
unsigned serial_rx_room(void);
bool serial_rx_irq_enabled(void);
/* Host input for COM1: one byte, or a break condition. */
void serial_receive(uint8_t b);
void serial_receive_break(void);
void serial_stats_print(void);

/* stdin -> COM1 with the Ctrl-A escape keys (hw/console.c). */
void console_init(void);
/* Move pending stdin bytes into the UART (non-blocking). */
void console_poll(void);
/* Can console input wake a halted CPU (stdin open, UART accepts, RX irq)? */
bool console_can_wake(void);

/* POST 0x80, debug console 0xE9, isa-debug-exit 0xF4 (hw/debug-ports.c). */
void debug_ports_init(void);

/* x87 FERR# -> IRQ13 and the IGNNE# port 0xF0 (hw/fpu-ferr.c). */
void fpu_ferr_init(void);

/* The firmware area: reset vector, top-of-4-GiB window (hw/firmware.c). */
void firmware_init(void);

/* 8259A pair and ELCR (hw/i8259.c). */
void pic_init(void);
void pic_reset(void);
void pic_set_irq(int irq, bool level);
bool pic_irq_enabled(int irq);
void pic_stats_print(void);

/* 8254 PIT and port 0x61 (hw/i8254.c). */
void pit_init(void);
void pit_reset(void);

/* MC146818 RTC and CMOS at 0x70/0x71, IRQ 8 (hw/mc146818.c). */
void rtc_init(uint32_t ram_bytes);
void rtc_reset(void);

/* i8042 keyboard controller at 0x60/0x64, port 0x92 (hw/i8042.c). */
void i8042_init(void);
void i8042_reset(void);

/* A reset (i8042 pulse, port 0x92, triple fault): the machine stops with
 * status 0, as qemu-system-i386 -no-reboot does. */
void hw_reset_request(const char *why);

#endif
