/*
 * hamt86 - device models of the PC machine (internal to hw/).
 */
#ifndef HAMT86_HW_H
#define HAMT86_HW_H

#include "core/base.h"

/* COM1 16550 at 0x3F8 (hw/serial.c). */
void serial_init(void);
/* POST 0x80, debug console 0xE9, isa-debug-exit 0xF4 (hw/debug-ports.c). */
void debug_ports_init(void);

/* x87 FERR# -> IRQ13 and the IGNNE# port 0xF0 (hw/fpu-ferr.c). */
void fpu_ferr_init(void);

/* The firmware area: reset vector, top-of-4-GiB window (hw/firmware.c). */
void firmware_init(void);

/* 8259A pair (hw/i8259.c). */
void pic_init(void);
void pic_set_irq(int irq, bool level);
bool pic_irq_enabled(int irq);

/* 8254 PIT and port 0x61 (hw/i8254.c). */
void pit_init(void);
/* Raise IRQ 0 for timer periods that have elapsed. */
void pit_poll(void);
/* Advance guest time to the next IRQ 0; false if none can happen. */
bool pit_warp_to_next_irq(void);

#endif
