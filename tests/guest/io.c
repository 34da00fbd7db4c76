/*
 * io: port I/O forms (imm8 and DX ports, byte/word/dword), writes to the
 * POST port 0x80 and the debug console 0xE9, 16550 UART register reads
 * (LSR, IIR, scratch, LCR, IER, divisor latch) and string output with
 * rep outsb to the serial port.
 */
#include "lib/lib.h"

const char kernel_name[] = "io";

#define COM1 0x3F8

void kmain(void)
{
    uint8_t v;

    /* POST and debug-console writes, immediate and DX forms */
    outb(0x80, 0x55);
    outw(0x80, 0x1234);
    outl(0x80, 0x12345678);
    __asm__ volatile("outb %%al, $0x80" : : "a"(0xaa));
    __asm__ volatile("outb %%al, %%dx" : : "a"(0x0a), "d"(0xe9));
    check("io.after.out", 1, 1);

    /* UART: idle line status has THRE and TEMT set */
    v = inb(COM1 + 5);
    check("io.lsr.thre", v & 0x60, 0x60);
    check("io.lsr.dr", v & 0x01, 0);
    /* no interrupt pending */
    check("io.iir", inb(COM1 + 2) & 0x0f, 0x01);
    /* scratch register round trip (byte, via DX too) */
    outb(COM1 + 7, 0xa5);
    check("io.scr", inb(COM1 + 7), 0xa5);
    __asm__ volatile("outb %%al, %%dx" : : "a"(0x5a), "d"(COM1 + 7));
    __asm__ volatile("inb %%dx, %%al" : "=a"(v) : "d"(COM1 + 7));
    check("io.scr.dx", v, 0x5a);
    /* IER round trip with interrupts left disabled */
    outb(COM1 + 1, 0x00);
    check("io.ier", inb(COM1 + 1), 0x00);
    /* LCR round trip, then divisor latch through DLAB */
    outb(COM1 + 3, 0x03);
    check("io.lcr", inb(COM1 + 3), 0x03);
    outb(COM1 + 3, 0x83);
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    uint8_t dll = inb(COM1 + 0), dlm = inb(COM1 + 1);
    outb(COM1 + 3, 0x03);   /* DLAB off before printing again */
    check("io.dll", dll, 0x01);
    check("io.dlm", dlm, 0x00);
    check("io.lcr.back", inb(COM1 + 3), 0x03);

    /* string output: rep outsb to the data register */
    static const char msg[] = "INFO rep outsb reached the serial port\n";
    const char *p = msg;
    uint32_t n = sizeof(msg) - 1;
    __asm__ volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"(COM1) : "memory");
    check("io.outs.esi", (uint32_t)(p - msg), sizeof(msg) - 1);
    check("io.outs.ecx", n, 0);
    /* word-sized outs to the POST port */
    static const uint16_t ws[4] = { 1, 2, 3, 4 };
    p = (const char *)ws;
    n = 4;
    __asm__ volatile("rep outsw" : "+S"(p), "+c"(n) : "d"(0x80) : "memory");
    check("io.outsw.esi", (uint32_t)(p - (const char *)ws), 8);

    /* many port writes in a loop (I/O exit path) */
    for (int i = 0; i < 1000; i++) {
        outb(0x80, (uint8_t)i);
    }
    check("io.loop", 1, 1);
    finish(0x811c9dc5);
}
