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
 *   3. IF = 0: FWAIT does not hang (the P6 would wait for INTR; hamt86
 *      raises FERR# and goes on), and IRQ13 is taken after STI.
 */
#include "lib/lib.h"

const char kernel_name[] = "ferr";

#define PIC1 0x20
#define PIC2 0xa0

static volatile uint32_t irq13;
static volatile uint32_t irq13_es;

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
    __asm__ volatile("cli");
    zero_divide(0);
    __asm__ volatile("fwait; nop");
    check("cli.no_irq13", irq13, 1);
    __asm__ volatile("sti; nop; nop");
    check("cli.irq13_after_sti", irq13, 2);
    __asm__ volatile("cli");
    finish(0);
}
