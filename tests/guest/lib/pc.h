/*
 * hamt86 guest test library: the PC devices the platform kernels program
 * the same way (8259 pair, 8254 channel 0, MC146818 CMOS).
 */
#ifndef GUEST_PC_H
#define GUEST_PC_H

#include "lib.h"

/* Both 8259s initialised (edge, cascade on IRQ2, 8086 mode) with vectors
 * 0x20-0x27 and 0x28-0x2f, then masked with mask1 (master) and mask2. */
static inline void pic_init(uint8_t mask1, uint8_t mask2)
{
    outb(0x20, 0x11);       /* ICW1: edge, cascade, ICW4 */
    outb(0xa0, 0x11);
    outb(0x21, 0x20);       /* ICW2: vector base */
    outb(0xa1, 0x28);
    outb(0x21, 0x04);       /* ICW3: slave on IRQ2 */
    outb(0xa1, 0x02);
    outb(0x21, 0x01);       /* ICW4: 8086 */
    outb(0xa1, 0x01);
    outb(0x21, mask1);
    outb(0xa1, mask2);
}

/* PIT channel 0 in mode 2 (rate generator), lsb/msb, dividing by div. */
static inline void pit_rate(uint16_t div)
{
    outb(0x43, 0x34);
    outb(0x40, div & 0xff);
    outb(0x40, div >> 8);
}

/* CMOS byte i (NMI left enabled). */
static inline uint8_t cmos(uint8_t i)
{
    outb(0x70, i);
    return inb(0x71);
}

/* Write CMOS byte i. */
static inline void cmos_write(uint8_t i, uint8_t v)
{
    outb(0x70, i);
    outb(0x71, v);
}

#endif
