/*
 * badinput/ud: an undecodable instruction (0F 04) must raise #UD in the
 * guest; hamt86 logs its bytes under -d unimp.  The kernel catches the
 * exception and checks the faulting EIP.
 */
#include "lib/lib.h"

const char kernel_name[] = "ud";
extern const char bad_at[];

/* Execute the undefined opcode. */
static void t_bad(void *p)
{
    __asm__ volatile("bad_at: .byte 0x0f, 0x04\n\tnop");
}

void kmain(void)
{
    trap_catch(t_bad, NULL);
    check("ud.vector", last_trap.vector, 6);
    check("ud.eip", last_trap.eip, (uint32_t)bad_at);
    finish(0);
}
