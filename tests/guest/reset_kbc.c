/*
 * reset_kbc: the i8042 reset pulse (command 0xFE) ends the machine with
 * status 0, as qemu-system-i386 -no-reboot does (the kernel prints DONE
 * and "INFO reset-next" first; tests/guest/run.sh expects status 0 then).
 */
#include "lib/lib.h"

const char kernel_name[] = "reset_kbc";

void kmain(void)
{
    puts_serial("INFO reset-next\n");
    printf("DONE %s passed=0 failed=0\n", kernel_name);
    while (inb(0x64) & 2) {
    }
    outb(0x64, 0xfe);
    for (int i = 0; i < 1000000; i++) {
        __asm__ volatile("" ::: "memory");
    }
    fail("reset_kbc", "still running after the reset pulse");
    exit(1);
}
