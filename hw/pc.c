/*
 * hamt86 - the PC machine: which devices exist, and the execution loop's
 * view of device time.
 */
#include "hw/hw.h"
#include "core/machine.h"

/* Create the devices. */
void hw_init(void)
{
    pic_init();
    pit_init();
    serial_init();
    debug_ports_init();
    fpu_ferr_init();
    firmware_init();
}

/* Timers catch up (the loop calls this between TBs); rate limited since
 * reading the host clock costs more than most TBs. */
void hw_poll(void)
{
    static unsigned n;

    if ((++n & 63) == 0) {
        pit_poll();
    }
}

/* HLT with IF=1: the PIT is the only interrupt source that needs time. */
bool hw_idle(CPUX86State *env)
{
    (void)env;
    pit_poll();
    if (machine.cpu.interrupt_request & CPU_INTERRUPT_HARD) {
        return true;
    }
    return pit_warp_to_next_irq();
}
