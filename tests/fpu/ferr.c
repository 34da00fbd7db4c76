/*
 * ferr: the x87's MS-DOS compatible error reporting (CR0.NE = 0) on the
 * PC: FERR# -> IRQ13 through the 8259 pair, acknowledged by a write to
 * port 0xF0 (IGNNE#).  Self-checking, run on hamt86 only: qemu-system-i386
 * 7.2 aborts when FERR# fires (an iothread-lock assertion), so there is no
 * reference output; the expected values are the SDM's (vol. 3 D.2.1 and
 * 8.1.5 / the P6's FERR# timing: the interrupt is taken before the next
 * waiting instruction).
 *   1. IF = 1: an unmasked divide by zero, then FWAIT: IRQ13 once, with
 *      FSW.ES set in the handler; the handler's FNCLEX + OUT 0xF0 lets the
 *      FWAIT finish, ES clear afterwards.
 *   2. IGNNE# asserted (OUT 0xF0 after FNINIT): no IRQ13, ES stays set.
 *   3. IRQ13 masked at the PIC, the PIT ticking: the FWAIT freezes (SDM
 *      vol. 1 8.7.2: the processor waits for an external interrupt just
 *      before the waiting instruction); each tick wakes it and the FWAIT
 *      freezes again, until the tick handler asserts IGNNE# (OUT 0xF0) at
 *      the third tick.  QEMU 7.2 and hamt86 before 2026-12-07 went on at
 *      once.  (With IF = 0 nothing can wake it: hamt86 then stops, "guest
 *      halted with interrupts disabled", as for HLT.)
 */
#include "lib/lib.h"

const char kernel_name[] = "ferr";

#define PIC1 0x20
#define PIC2 0xa0

static volatile uint32_t irq13;
static volatile uint32_t irq13_es;
static volatile uint32_t ticks, ticks_ignne;

static inline uint16_t fnstsw(void)
{
    uint16_t v;
    __asm__ volatile("fnstsw %0" : "=a"(v));
    return v;
}

static void on_irq(uint32_t vector)
{
    if (vector == 0x28 + 5) {
        irq13++;
        irq13_es = (fnstsw() >> 7) & 1;
        __asm__ volatile("fnclex");
        outb(0xf0, 0);
        outb(PIC2, 0x20);
    } else if (vector == 0x20) {
        if (++ticks == ticks_ignne) {
            outb(0xf0, 0);                  /* IGNNE#: the FWAIT goes on */
        }
    }
    outb(PIC1, 0x20);
}

/* Divide 1 by 0 with ZE unmasked (pending), optionally IGNNE# first. */
static void zero_divide(int ignne)
{
    static const uint16_t cw = 0x037b;

    __asm__ volatile("fninit; fldcw %0" : : "m"(cw));
    if (ignne) {
        outb(0xf0, 0);
    }
    __asm__ volatile("fld1; fldz; fdivrp %%st, %%st(1)" ::: "memory");
}

void kmain(void)
{
    uint32_t cr0;

    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0 & ~0x20u));   /* NE = 0 */
    outb(PIC1, 0x11); outb(PIC2, 0x11);
    outb(PIC1 + 1, 0x20); outb(PIC2 + 1, 0x28);
    outb(PIC1 + 1, 0x04); outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01); outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xfb);
    outb(PIC2 + 1, 0xdf);
    irq_hook = on_irq;

    /* 1 */
    __asm__ volatile("sti");
    zero_divide(0);
    check("ferr.before_wait", irq13, 0);
    __asm__ volatile("fwait; nop");
    check("ferr.irq13", irq13, 1);
    check("ferr.es_in_handler", irq13_es, 1);
    check("ferr.es_after", (fnstsw() >> 7) & 1, 0);

    /* 2 */
    zero_divide(1);
    __asm__ volatile("fwait; nop; fld1; fstp %%st(0)" ::: "memory");
    check("ignne.irq13", irq13, 1);
    check("ignne.es", (fnstsw() >> 7) & 1, 1);

    /* 3 */
    outb(PIC2 + 1, 0xff);                   /* IRQ13 masked */
    outb(0x43, 0x34);                       /* PIT channel 0, mode 2, 1 kHz */
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    zero_divide(0);
    ticks = 0;
    ticks_ignne = 3;
    outb(PIC1 + 1, 0xfa);                   /* IRQ0 and the cascade */
    __asm__ volatile("fwait; nop");
    {
        uint32_t t = ticks;

        outb(PIC1 + 1, 0xff);
        check("freeze.no_irq13", irq13, 1);
        check("freeze.until_third_tick", t >= 3, 1);
        check("freeze.es", (fnstsw() >> 7) & 1, 1);
    }
    __asm__ volatile("cli; fnclex");
    finish(0);
}
