/*
 * badinput/lowmem: host output must never reach guest RAM.
 *
 * The kernel fills low memory [0, 0x90000) with a pattern, prints many
 * lines (serial output on the host's stdout) while running freshly
 * translated code (-d in_asm output on stderr), then checks the pattern.
 * run.sh runs it with stdout and/or stderr closed (`>&-`, `2>&-`): if the
 * guest RAM descriptor took descriptor 1 or 2, host output lands at guest
 * physical address 0 and the check fails (exit status 3 instead of 1).
 */
#include "lib/lib.h"

const char kernel_name[] = "lowmem";

#define LOW_END 0x90000u

/* The pattern word at address a. */
static uint32_t pattern(uint32_t a)
{
    return (a * 2654435761u) ^ 0x5a5aa5a5u;
}

/* One of many distinct functions, so that -d in_asm has plenty to log. */
#define F(n) static __attribute__((noinline)) uint32_t f##n(uint32_t x) \
    { return x * (n * 2u + 1u) + n; }
F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12)
F(13) F(14) F(15) F(16)

void kmain(void)
{
    volatile uint32_t *low;
    uint32_t bad = 0, first = 0xffffffffu, x = 1;

    /* address 0, hidden from the compiler (a null pointer to C) */
    __asm__("" : "=r"(low) : "0"(0));
    for (uint32_t a = 0; a < LOW_END; a += 4) {
        low[a / 4] = pattern(a);
    }
    for (int i = 0; i < 600; i++) {
        x = f1(f2(f3(f4(f5(f6(f7(f8(x))))))));
        x = f9(f10(f11(f12(f13(f14(f15(f16(x))))))));
        printf("line %03d: the quick brown fox jumps over the lazy dog %08x\n",
               i, x);
    }
    for (uint32_t a = 0; a < LOW_END; a += 4) {
        if (low[a / 4] != pattern(a)) {
            if (bad++ == 0) {
                first = a;
            }
        }
    }
    check("lowmem.changed_words", bad, 0);
    check("lowmem.first_changed", first, 0xffffffffu);
    result("lowmem.x", x);
    finish(0);
}
