/*
 * cr4bits: every CR4 bit whose feature CPUID leaf 1 offers can be set and
 * read back (MOV CR4 must not #GP).  Linux
 * sets CR4.MCE when CPUID offers MCE and CR4.OSFXSR when it offers FXSR
 * (mcheck_cpu_init, fpu__init_cpu_generic); a #GP there kills the boot.
 * Each bit prints the same line whether or not it is offered, so the
 * output does not depend on the CPUID feature set.  QEMU 7.2 drops
 * CR4.OSFXSR on a CPU without SSE; a Pentium II keeps it (FXSAVE needs
 * it), so for that bit only the absence of #GP is checked.
 */
#include "lib/lib.h"
#include "lib/cpu.h"

const char kernel_name[] = "cr4bits";

static const struct {
    const char *name;
    uint32_t cr4, cpuid_edx;
} bits[] = {
    { "vme", 1u << 0, 1u << 1 },   { "pvi", 1u << 1, 1u << 1 },
    { "tsd", 1u << 2, 1u << 4 },   { "de", 1u << 3, 1u << 2 },
    { "pse", 1u << 4, 1u << 3 },   { "mce", 1u << 6, 1u << 7 },
    { "pge", 1u << 7, 1u << 13 },  { "pce", 1u << 8, 0 },
    { "osfxsr", 1u << 9, 1u << 24 },
};

/* Write CR4 (under trap_catch). */
static void wr_cr4(void *arg)
{
    write_cr4(*(uint32_t *)arg);
}

/* The vector MOV CR4 raised writing v, or -1. */
static int try_cr4(uint32_t v)
{
    return trap_catch(wr_cr4, &v);
}

void kmain(void)
{
    uint32_t a, b, c, d, orig = read_cr4();

    cpuid(1, &a, &b, &c, &d);
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        bool offered = bits[i].cpuid_edx == 0 || (d & bits[i].cpuid_edx);
        int vec = try_cr4(orig | bits[i].cr4);
        bool set = (read_cr4() & bits[i].cr4) != 0;

        /* QEMU 7.2 reads OSFXSR back as 0 without SSE (a Pentium II
         * keeps it): only "no #GP" is compared for that bit */
        if (bits[i].cr4 == (1u << 9)) {
            set = true;
        }
        check(bits[i].name, !offered || (vec == -1 && set), 1);
        try_cr4(orig);
    }
    finish(0x811c9dc5);
}
