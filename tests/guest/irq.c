/*
 * irq: hardware interrupts from the 8254 PIT through the 8259A PIC.
 *   - PIC initialisation (vectors 0x20/0x28), masks, IRR via OCW3;
 *   - PIT channel 0 in rate mode, latched counter reads;
 *   - sti + hlt wakes on IRQ 0, ticks counted, EOI;
 *   - with IF clear the IRQ stays pending (IRR) and is taken after sti.
 * Only timing-independent facts are printed.
 */
#include "lib/lib.h"

const char kernel_name[] = "irq";

#define PIC1 0x20
#define PIC2 0xA0
#define PIT_CH0 0x40
#define PIT_CMD 0x43

static volatile uint32_t ticks, last_vec, spurious;

/* IRQ handler: count IRQ 0, acknowledge at the PIC. */
static void on_irq(uint32_t vec)
{
    last_vec = vec;
    if (vec == 0x20) {
        ticks++;
    } else {
        spurious++;
    }
    if (vec >= 0x28) {
        outb(PIC2, 0x20);
    }
    outb(PIC1, 0x20);
}

static void pic_init(void)
{
    outb(PIC1, 0x11);       /* ICW1: edge, cascade, ICW4 */
    outb(PIC2, 0x11);
    outb(PIC1 + 1, 0x20);   /* ICW2: vector base */
    outb(PIC2 + 1, 0x28);
    outb(PIC1 + 1, 0x04);   /* ICW3: slave on IRQ 2 */
    outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01);   /* ICW4: 8086 mode */
    outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xfe);   /* only IRQ 0 */
    outb(PIC2 + 1, 0xff);
}

/* Latch and read the channel 0 counter. */
static uint16_t pit_read(void)
{
    outb(PIT_CMD, 0x00);
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(hi << 8 | lo);
}

void kmain(void)
{
    irq_hook = on_irq;
    pic_init();
    check("irq.pic.imr", inb(PIC1 + 1), 0xfe);
    check("irq.pic2.imr", inb(PIC2 + 1), 0xff);

    /* channel 0, lobyte/hibyte, mode 2, divisor 11932 (~100 Hz) */
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, 11932 & 0xff);
    outb(PIT_CH0, 11932 >> 8);

    /* the counter runs down */
    uint16_t c0 = pit_read(), c1 = c0;
    for (int i = 0; i < 100000 && c1 == c0; i++) {
        c1 = pit_read();
    }
    check("irq.pit.counts", c1 != c0, 1);
    check("irq.pit.range", c0 <= 11932 && c1 <= 11932, 1);

    /* sti; hlt until five ticks */
    __asm__ volatile("sti");
    for (int i = 0; i < 1000 && ticks < 5; i++) {
        __asm__ volatile("hlt");
    }
    __asm__ volatile("cli");
    check("irq.ticks", ticks >= 5, 1);
    check("irq.vector", last_vec, 0x20);
    check("irq.spurious", spurious, 0);

    /* with IF=0 the interrupt waits in IRR */
    uint32_t t0 = ticks;
    uint8_t irr = 0;
    for (int i = 0; i < 2000000 && !(irr & 1); i++) {
        outb(PIC1, 0x0a);       /* OCW3: read IRR */
        irr = inb(PIC1);
    }
    check("irq.irr.pending", irr & 1, 1);
    check("irq.cli.blocks", ticks - t0, 0);
    __asm__ volatile("sti; nop; nop; cli");
    check("irq.sti.delivers", ticks - t0 >= 1, 1);
    outb(PIC1, 0x0b);           /* OCW3: read ISR */
    check("irq.isr.clear", inb(PIC1) & 1, 0);

    /* masking at the PIC stops delivery even with IF=1 */
    outb(PIC1 + 1, 0xff);
    t0 = ticks;
    __asm__ volatile("sti");
    for (volatile int i = 0; i < 200000; i++) {
    }
    __asm__ volatile("cli");
    check("irq.masked", ticks - t0, 0);
    finish(0x811c9dc5);
}
