/*
 * freeze: CR0.NE = 0, IGNNE# not asserted, IF = 0, an unmasked x87
 * exception pending: the FWAIT freezes the processor (SDM vol. 1 8.7.2,
 * D.2: it waits for an external interrupt, and none can arrive).  hamt86
 * stops as for HLT with IF = 0 ("guest halted with interrupts disabled"
 * at the FWAIT); tests/fpu/check.sh checks that message and status 2.
 * QEMU 7.2 goes on (and aborts on FERR#), so there is no reference.
 */
#include "lib/lib.h"

const char kernel_name[] = "freeze";

extern const char freeze_at[];

void kmain(void)
{
    static const uint16_t cw = 0x037b;      /* ZE unmasked */
    uint32_t cr0;

    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("movl %0, %%cr0" : : "r"(cr0 & ~0x20u));   /* NE = 0 */
    __asm__ volatile("cli; fninit; fldcw %0; fld1; fldz; fdivrp %%st, %%st(1)"
                     : : "m"(cw) : "memory");
    printf("INFO freeze-at %08x\n", (unsigned)(uintptr_t)freeze_at);
    __asm__ volatile("freeze_at: fwait; nop");
    fail("freeze", "the FWAIT went on with IF = 0");
    finish(0);
}
