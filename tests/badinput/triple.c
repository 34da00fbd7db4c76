/*
 * badinput/triple: load an empty IDT and raise an exception.  Delivery
 * faults (#GP), delivering #DF faults again: a triple fault, which ends
 * the machine (qemu-system-i386 -no-reboot exits 0; hamt86 reports it on
 * stderr and exits with status 0 too).
 */
#include "lib/lib.h"

const char kernel_name[] = "triple";

void kmain(void)
{
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint32_t base;
    } empty = { 0, 0 };

    puts_serial("INFO triple: loading an empty IDT\n");
    __asm__ volatile("lidt %0; int3" : : "m"(empty));
    fail("triple", "int3 returned");
    finish(0);
}
