/*
 * hamt86 - the PC's x87 error wiring: FERR# to IRQ13 and the IGNNE#
 * latch at port 0xF0 (MS-DOS compatible error reporting, CR0.NE = 0).
 *
 *   x87 error (NE=0) --FERR#--> IRQ13 (slave 8259 input 5)
 *   OUT 0xF0, any    --> IGNNE# asserted, IRQ13 lowered
 *
 * The CPU side (translator/fpu-env.c) sets env->fpu.ferr at the next
 * waiting instruction and clears it (and IGNNE#) on FNINIT / FNCLEX; the
 * execution loop (core/cpu-exec.c) gives its changes to fpu_set_ferr.
 */
#include "core/machine.h"
#include "core/mem.h"
#include "hw/hw.h"

/* FERR# level -> IRQ13. */
static void fpu_set_ferr(bool level)
{
    pic_set_irq(13, level);
}

/* Port 0xF0 write: IGNNE# on, FERR# acknowledged. */
static void fpu_ignne_write(void *opaque, uint16_t port, uint32_t val,
                            unsigned size)
{
    (void)opaque;
    (void)port;
    (void)val;
    (void)size;
    machine.cpu.fpu.ignne = 1;
    machine.cpu.fpu.ferr = 0;
    machine.cpu.fpu.ferr_line = 0;
    pic_set_irq(13, false);
}

static const IOPortHandler fpu_port = {
    .base = 0xf0, .count = 1, .name = "fpu-ignne", .write = fpu_ignne_write,
};

/* Register port 0xF0 and the FERR# hook. */
void fpu_ferr_init(void)
{
    io_register(&fpu_port);
    machine.set_ferr = fpu_set_ferr;
}
