/*
 * hamt86 fuzz harness fuzz-hwreset: hw_reset puts every device back in
 * the state hw_init gave it, whatever the guest wrote to its ports.  The
 * fuzz-block and fuzz-codegen-* inputs rely on it (fuzz-machine.c resets
 * the devices before each input), and so would a machine reset.
 *
 * Input: pairs of bytes (port index into ports[] below, value), written
 * with OUT in order.  Then hw_reset, then a snapshot of every register the
 * devices let a guest read back; it must equal the snapshot taken after
 * hw_init.  A difference prints the register and aborts.
 *
 * What the snapshot leaves out, because it depends on host time (the
 * fuzz machine runs without --icount): PIT counters and OUT pins, the
 * RTC time and date, UIP and register C, the refresh toggle and OUT2 of
 * port 0x61, and IRR bit 0 (the PIT may have ticked since the reset).
 * Writes that would stop the machine (fast reset, the i8042 reset
 * pulse) only request an exit, which is cleared; THR (0x3F8) is not
 * written, so nothing reaches stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "core/mem.h"
#include "tests/fuzz/fuzz.h"

/* The ports an input may write. */
static const uint16_t ports[] = {
    0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1,          /* 8259 pair, ELCR */
    0x40, 0x41, 0x42, 0x43, 0x61,                  /* 8254, port 0x61 */
    0x70, 0x71,                                    /* RTC index / data */
    0x60, 0x64, 0x92,                              /* i8042, port A */
    0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, /* COM1 but THR */
};

#define SNAP_MAX 160

/* One snapshot: the values and what each one is. */
typedef struct Snap {
    unsigned n;
    uint8_t v[SNAP_MAX];
    const char *what[SNAP_MAX];
    uint16_t idx[SNAP_MAX];
} Snap;

/* Add register value v (masked) to s. */
static void snap_add(Snap *s, const char *what, unsigned idx, uint32_t v)
{
    if (s->n == SNAP_MAX) {
        fprintf(stderr, "fuzz-hwreset: snapshot too large\n");
        abort();
    }
    s->what[s->n] = what;
    s->idx[s->n] = (uint16_t)idx;
    s->v[s->n++] = (uint8_t)v;
}

/* Read back what a guest can read of every device (same sequence each
 * time: reads with side effects happen in the same order). */
static void snapshot(Snap *s)
{
    static const uint8_t rtc_time[] = { 0, 2, 4, 6, 7, 8, 9, 0x0c, 0x32 };
    uint8_t lcr;

    s->n = 0;
    /* 8259: IMR, IRR (OCW3 0x0a), ISR (0x0b), ELCR */
    for (unsigned c = 0; c < 2; c++) {
        uint16_t base = c ? 0xa0 : 0x20;

        snap_add(s, "pic imr", c, io_read(base + 1, 1));
        io_write(base, 0x0a, 1);
        snap_add(s, "pic irr", c, io_read(base, 1) & (c ? 0xff : 0xfe));
        io_write(base, 0x0b, 1);
        snap_add(s, "pic isr", c, io_read(base, 1));
        snap_add(s, "elcr", c, io_read(0x4d0 + c, 1));
    }
    /* 8254: read-back status of each channel (RW, mode, BCD) */
    for (unsigned ch = 0; ch < 3; ch++) {
        io_write(0x43, 0xe0 | (2u << ch), 1);    /* latch status only */
        snap_add(s, "pit status", ch, io_read(0x40 + ch, 1) & 0x3f);
    }
    snap_add(s, "port 0x61", 0, io_read(0x61, 1) & 0x0f);
    /* RTC: every CMOS byte but the time, UIP and register C */
    for (unsigned r = 0; r < 128; r++) {
        if (memchr(rtc_time, (int)r, sizeof(rtc_time)) != NULL) {
            continue;
        }
        io_write(0x70, r, 1);
        snap_add(s, "cmos", r, io_read(0x71, 1) & (r == 0x0a ? 0x7f : 0xff));
    }
    /* i8042: status, command byte, output port, port A */
    snap_add(s, "i8042 status", 0, io_read(0x64, 1));
    io_write(0x64, 0x20, 1);
    snap_add(s, "i8042 mode", 0, io_read(0x60, 1));
    io_write(0x64, 0xd0, 1);
    snap_add(s, "i8042 outport", 0, io_read(0x60, 1));
    snap_add(s, "port 0x92", 0, io_read(0x92, 1));
    /* COM1: IER IIR LCR MCR LSR MSR SCR, then the divisor */
    for (unsigned r = 1; r < 8; r++) {
        snap_add(s, "com1", r, io_read(0x3f8 + r, 1));
    }
    lcr = (uint8_t)io_read(0x3fb, 1);
    io_write(0x3fb, lcr | 0x80, 1);
    snap_add(s, "com1 dll", 0, io_read(0x3f8, 1));
    snap_add(s, "com1 dlm", 0, io_read(0x3f9, 1));
    io_write(0x3fb, lcr, 1);
}

/* libFuzzer entry: port writes, reset, compare with the hw_init state. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static Snap first;
    Snap now;

    if (!ready) {
        machine.opt.ram_mib = 2;
        hw_init();
        snapshot(&first);
        ready = true;
    }
    hw_reset();
    for (size_t i = 0; i + 1 < size; i += 2) {
        io_write(ports[data[i] % (sizeof(ports) / sizeof(ports[0]))],
                 data[i + 1], 1);
    }
    machine.exit_requested = false;
    hw_reset();
    snapshot(&now);
    for (unsigned k = 0; k < first.n; k++) {
        if (now.v[k] != first.v[k]) {
            fprintf(stderr, "fuzz-hwreset: %s %u is 0x%02x after hw_reset, "
                    "0x%02x after hw_init\n", first.what[k], first.idx[k],
                    now.v[k], first.v[k]);
            abort();
        }
    }
    return 0;
}
