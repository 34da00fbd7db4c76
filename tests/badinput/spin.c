/*
 * badinput/spin: a guest that never ends (a register-only loop), for the
 * SIGTERM case: hamt86 must say "terminating on signal 15" and exit 0.
 */
#include "lib/lib.h"

const char kernel_name[] = "spin";

void kmain(void)
{
    uint32_t x = 1;

    puts_serial("INFO spin start\n");
    for (;;) {
        x = x * 1103515245u + 12345u;
        __asm__ volatile("" : "+r"(x));
    }
}
