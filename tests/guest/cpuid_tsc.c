/*
 * cpuid_tsc: only what qemu -cpu pentium2 and a faithful model agree on:
 * the vendor string of cpuid leaf 0, the leaf-1 feature bits the test
 * suite relies on (TSC, CX8, CMOV), and that rdtsc increases.
 */
#include "lib/lib.h"
#include "lib/cpu.h"    /* cpuid */

const char kernel_name[] = "cpuid_tsc";

void kmain(void)
{
    uint32_t a, b, c, d;
    char vendor[13];

    cpuid(0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    resultf("vendor %s", vendor);
    check("cpuid.vendor", memcmp(vendor, "GenuineIntel", 12) == 0, 1);
    check("cpuid.maxleaf", a >= 1, 1);

    cpuid(1, &a, &b, &c, &d);
    check("cpuid.tsc", (d >> 4) & 1, 1);
    check("cpuid.cx8", (d >> 8) & 1, 1);
    check("cpuid.cmov", (d >> 15) & 1, 1);
    check("cpuid.family", (a >> 8) & 0xf, 6);

    /* rdtsc is monotonic, and work makes it advance */
    uint64_t prev = rdtsc(), t0 = prev;
    bool mono = true;
    for (int i = 0; i < 1000; i++) {
        uint64_t t = rdtsc();
        if (t < prev) {
            mono = false;
        }
        prev = t;
    }
    check("tsc.monotonic", mono, 1);
    volatile uint32_t x = 0;
    for (int i = 0; i < 100000; i++) {
        x += i;
    }
    uint64_t t1 = rdtsc();
    check("tsc.advances", t1 > t0, 1);
    /* edx:eax both written */
    uint32_t lo = 0xdeadbeef, hi = 0xdeadbeef;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    check("tsc.hi.sane", hi != 0xdeadbeef || lo != 0xdeadbeef, 1);
    finish(0x9faf1036);
}
