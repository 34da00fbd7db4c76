/*
 * hamt86 - unit test of the HAMT Linux user-space driver (hamt/hamt-linux.c)
 * with the real OS layer (os/os-posix.c) and the exception-table probes
 * (hamt/hamt-probe.c): reserve a window, install / protect / invalidate /
 * reset mappings, and check what the host really allows with probe
 * accesses whose faults a SIGSEGV handler turns into a "fault" status.
 * Also counts the driver's system calls.  Exit status 0 = all passed.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

#include "core/base.h"
#include "core/os.h"
#include "hamt/hamt.h"

#define RAM_SIZE   (8u << 20)
#define SPAN       (16u << 20)
#define P          4096u

static int failures;
static unsigned probe_faults;

/* Report one check. */
static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) {
        failures++;
    }
}

/* SIGSEGV/SIGBUS: a probe's fault becomes its fixup (returns "fault"). */
static bool test_fault(OSFault *f)
{
    uintptr_t fx = hamt_probe_fixup(f->pc);

    if (fx == 0) {
        return false;
    }
    probe_faults++;
    os_fault_set_pc(f, fx);
    return true;
}

/* Can the host read window address h?  (value in *v) */
static bool can_read(uintptr_t h, uint32_t *v)
{
    uint64_t r = hamt_probe_ld32(h);

    if (r == HAMT_PROBE_FAULT) {
        return false;
    }
    *v = (uint32_t)r;
    return true;
}

/* Can the host write window address h? */
static bool can_write(uintptr_t h, uint32_t v)
{
    return hamt_probe_st32(h, v) == 0;
}

int main(void)
{
    uint8_t *ram = os_alloc_ram(RAM_SIZE);
    const HamtDriver *d = &hamt_driver_linux;
    uintptr_t base, b2;
    uint64_t sc;
    uint32_t v = 0;
    unsigned pf;

#ifndef HAMT_HAVE_PROBES
    printf("SKIP no HAMT probes on this host\n");
    return 77;
#endif
    check(os_ram_fd() >= 0, "guest RAM is a memfd");
    check(hamt_linux_init(12), "driver init");
    check(os_set_fault_handler(test_fault), "fault handler installed");
    check(hamt_window_base[0] == 0, "no window before first use (lazy)");

    sc = hamt_syscalls;
    base = hamt_linux_reserve(0, SPAN);
    check(base != 0 && (base & (P - 1)) == 0, "window reserved, page aligned");
    check(hamt_window_span[0] == SPAN, "window span recorded");
    check(hamt_reserved_bytes == SPAN + HAMT_GUARD_SIZE, "reserved bytes = span + guard");
    b2 = hamt_linux_reserve(0, SPAN);
    check(b2 == base && hamt_syscalls == sc + 1, "second reserve: same base, no syscall");

    /* nothing mapped: every access faults (the SIGSEGV probe) */
    pf = probe_faults;
    check(!can_read(base, &v) && !can_read(base + SPAN - 4, &v),
          "unmapped window: loads fault");
    check(!can_read(base + SPAN, &v), "guard after the span faults");
    check(!can_write(base + 0x1000, 1), "unmapped window: stores fault");
    check(probe_faults == pf + 4, "each probe fault reached the handler");

    /* install read-only: host sees the RAM frame, shared */
    memcpy(ram + 0x5000, "\x78\x56\x34\x12", 4);
    sc = hamt_syscalls;
    check(d->install(0, 0x1000, 0x5000, P, OS_PROT_READ, false) == 0, "install RO");
    check(hamt_syscalls == sc + 1, "install = 1 syscall");
    check(can_read(base + 0x1000, &v) && v == 0x12345678, "RO mapping reads the frame");
    check(!can_write(base + 0x1000, 7), "RO mapping: store faults");
    check(!can_read(base + 0x2000, &v) && !can_read(base + 0x0ffc, &v),
          "neighbours stay unmapped");

    /* protect RW (the D-bit upgrade): stores go to guest RAM */
    sc = hamt_syscalls;
    check(d->protect(0, 0x1000, P, OS_PROT_READ | OS_PROT_WRITE) == 0, "protect RW");
    check(hamt_syscalls == sc + 1, "protect = 1 syscall");
    check(can_write(base + 0x1ffc, 0xcafef00d), "RW mapping: store works");
    memcpy(&v, ram + 0x5ffc, 4);
    check(v == 0xcafef00d, "store reached guest RAM (MAP_SHARED memfd)");
    /* a store to RAM is seen through the window */
    memcpy(ram + 0x5010, "\x01\x02\x03\x04", 4);
    check(can_read(base + 0x1010, &v) && v == 0x04030201, "RAM store visible in window");

    /* invalidate one unit */
    sc = hamt_syscalls;
    d->invalidate(0, 0x1000, P);
    check(hamt_syscalls == sc + 1, "invalidate = 1 syscall");
    check(!can_read(base + 0x1000, &v), "invalidated unit faults again");

    /* two mappings of one frame (alias), far apart, then reset the window */
    check(d->install(0, 0x3000, 0x5000, P, OS_PROT_READ, false) == 0 &&
          d->install(0, 0x00f00000, 0x5000, 2 * P, OS_PROT_READ, true) == 0,
          "install alias mappings");
    check(can_read(base + 0x3010, &v) && v == 0x04030201 &&
          can_read(base + 0x00f01010, &v), "aliases read the same frame");
    sc = hamt_syscalls;
    d->invalidate_all(0);
    check(hamt_syscalls == sc + 1, "invalidate_all = 1 syscall over the used range");
    check(!can_read(base + 0x3000, &v) && !can_read(base + 0x00f00000, &v) &&
          !can_read(base + 0x00f01000, &v), "invalidate_all removed everything");
    sc = hamt_syscalls;
    d->invalidate_all(0);
    check(hamt_syscalls == sc, "invalidate_all of an unused window: no syscall");

    /* a second window is independent */
    check(hamt_linux_reserve(1, SPAN) != 0 && hamt_window_base[1] != base,
          "second window reserved elsewhere");
    check(d->install(1, 0, 0x5000, P, OS_PROT_READ, false) == 0 &&
          can_read(hamt_window_base[1], &v) && !can_read(base, &v),
          "mapping in window 1 only");
    d->invalidate_all(1);
    check(!can_read(hamt_window_base[1], &v), "window 1 reset");

    /* a bad install is reported, not fatal */
    check(d->install(0, 0x1001, 0x5000, P, OS_PROT_READ, false) != 0,
          "misaligned install fails with -errno");

    printf("%s: %d failure(s), %llu driver syscalls, %u probe faults\n",
           failures ? "FAIL" : "PASS", failures,
           (unsigned long long)hamt_syscalls, probe_faults);
    return failures ? 1 : 0;
}
