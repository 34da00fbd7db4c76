/*
 * console: serial input through the 16550A's receive interrupt (IRQ 4),
 * with the CPU halted between interrupts and PIT ticks as a timeout.
 * Each received byte is echoed as "INFO rx XX"; 'q' or 1 s without
 * input ends the kernel (with input, the result hash is not checked).  Run by tests/guest/run.sh with no input (both
 * emulators print only the summary) and by tests/console/check.sh with
 * piped and typed input.
 */
#include "lib/lib.h"
#include "lib/pc.h"

const char kernel_name[] = "console";

static volatile uint32_t ticks, rx_irqs;
static volatile uint8_t buf[256];
static volatile uint32_t head, tail;

/* IRQ 0: tick; IRQ 4: drain the receiver. */
static void on_irq(uint32_t vec)
{
    if (vec == 0x20) {
        ticks++;
    } else if (vec == 0x24) {
        rx_irqs++;
        while (inb(0x3fd) & 1) {
            buf[head++ & 255] = inb(0x3f8);
        }
        (void)inb(0x3fa);
    }
    outb(0x20, 0x20);
}

void kmain(void)
{
    uint32_t last = 0, n = 0, sum = 0;
    bool quit = false;

    irq_hook = on_irq;
    pic_init(0xee, 0xff);   /* IRQ 0 and IRQ 4 */
    pit_rate(11932);        /* 100 Hz */
    outb(0x3fa, 0x07);      /* FIFO, trigger 1 */
    outb(0x3fc, 0x0b);      /* DTR RTS OUT2 */
    outb(0x3f9, 0x01);      /* RX interrupt */
    puts_serial("INFO console ready\n");
    while (!quit && ticks - last < 100) {
        __asm__ volatile("sti; hlt; cli");
        while (tail != head) {
            uint8_t c = buf[tail++ & 255];
            printf("INFO rx %02x\n", c);
            n++;
            sum = sum * 31 + c;
            last = ticks;
            if (c == 'q') {
                quit = true;
            }
        }
    }
    outb(0x3f9, 0);
    outb(0x21, 0xff);
    resultf("console received %u bytes, sum %x", n, sum);
    if (n != 0) {
        finish(0);
    }
    finish(0xf2d876ba);
}
