/*
 * badinput/wild: jump to an address with no RAM behind it (the tests run
 * with -m 64, so 0x0c000000 is unbacked).  hamt86 must report it and exit
 * with an error status, not crash.
 */
#include "lib/lib.h"

const char kernel_name[] = "wild";

void kmain(void)
{
    puts_serial("INFO wild: jumping to 0x0c000000\n");
    __asm__ volatile("jmp *%0" : : "r"(0x0c000000u));
    fail("wild", "jump returned");
    finish(0);
}
