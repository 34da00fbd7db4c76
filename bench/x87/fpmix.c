/*
 * fpmix: an x87 loop with a known instruction mix, for counting host
 * instructions per guest FP instruction (bench/x87-insns.sh).
 *
 * MIX 0 ("moves"): 10 register moves per iteration (FLD ST(i), FXCH,
 *   FST/FSTP ST(i), FABS, FCHS, FLD1), the stack balanced.
 * MIX 1 ("mixed"): 12 x87 instructions per iteration as compiled code
 *   has them: m64 loads, a store, arithmetic on registers and memory,
 *   and the FXCH / FLD ST(i) / FSTP ST(i) moves around them.
 * Each iteration also runs DEC + JNZ.  ITERS iterations; the script runs
 * two ITERS values and divides the difference in host instructions by
 * the difference in guest x87 instructions.
 */
#include "lib/lib.h"

const char kernel_name[] = "fpmix";

static double a = 1.25, b = -0.5, c;

void kmain(void)
{
    uint32_t n = ITERS;

    __asm__ volatile("fninit; fld1; fldz; fld1" ::: "memory");
#if MIX == 0
    __asm__ volatile(
        "1:\n\t"
        "fld %%st(1)\n\t"
        "fxch %%st(2)\n\t"
        "fabs\n\t"
        "fchs\n\t"
        "fst %%st(3)\n\t"
        "fxch %%st(1)\n\t"
        "fstp %%st(3)\n\t"
        "fld1\n\t"
        "fstp %%st(2)\n\t"
        "fxch %%st(1)\n\t"
        "dec %0\n\t"
        "jnz 1b\n\t"
        : "+r"(n) : : "memory");
#else
    __asm__ volatile(
        "1:\n\t"
        "fldl %1\n\t"
        "fld %%st(0)\n\t"
        "fmul %%st(1), %%st\n\t"
        "fxch %%st(1)\n\t"
        "faddl %2\n\t"
        "fxch %%st(1)\n\t"
        "fabs\n\t"
        "fchs\n\t"
        "fstp %%st(1)\n\t"
        "fld1\n\t"
        "faddp\n\t"
        "fstpl %3\n\t"
        "dec %0\n\t"
        "jnz 1b\n\t"
        : "+r"(n) : "m"(a), "m"(b), "m"(c) : "memory");
#endif
    __asm__ volatile("fninit");
    printf("DONE fpmix mix=%d iters=%u\n", MIX, (unsigned)ITERS);
    exit(0);
}
