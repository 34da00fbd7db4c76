/*
 * reset_92: port 0x92 bit 0 (fast reset) ends the machine with status 0,
 * as qemu-system-i386 -no-reboot does; bit 1 (A20) reads back first.
 */
#include "lib/lib.h"

const char kernel_name[] = "reset_92";

void kmain(void)
{
    resultf("port92 %x", inb(0x92));
    puts_serial("INFO reset-next\n");
    printf("DONE %s passed=0 failed=0\n", kernel_name);
    outb(0x92, inb(0x92) | 1);
    for (int i = 0; i < 1000000; i++) {
        __asm__ volatile("" ::: "memory");
    }
    fail("reset_92", "still running after the fast reset");
    exit(1);
}
