/*
 * bigblock: one straight-line block too big for a JIT backend's tables.
 * 80 POPADs are 640 guest loads, more slow paths than a MIPS or LoongArch
 * TB can hold (host-common MAX_SLOW); hamt86 stopped with "TB does not
 * fit in an empty code cache" (found by fuzz-codegen-mips; the inputs are
 * tests/fuzz/crashes/codegen-*).  tb_gen_code now translates fewer
 * instructions.  The registers the last POPAD loads are compared.
 */
#include "lib/lib.h"

const char kernel_name[] = "bigblock";

#define NPOP 80

uint32_t bigblock_area[NPOP * 8];
uint32_t bigblock_regs[8];
uint32_t bigblock_esp;

/* run_popads(): ESP at bigblock_area, NPOP POPADs, the registers into
 * bigblock_regs (absolute stores: no register is free), ESP back. */
void run_popads(void);
__asm__(".text\n"
        ".globl run_popads\n"
        "run_popads:\n\t"
        "pushal\n\t"
        "movl %esp, bigblock_esp\n\t"
        "movl $bigblock_area, %esp\n\t"
        ".rept 80\n\t"
        "popal\n\t"
        ".endr\n\t"
        "movl %eax, bigblock_regs\n\t"
        "movl %ecx, bigblock_regs+4\n\t"
        "movl %edx, bigblock_regs+8\n\t"
        "movl %ebx, bigblock_regs+12\n\t"
        "movl %esp, bigblock_regs+16\n\t"
        "movl %ebp, bigblock_regs+20\n\t"
        "movl %esi, bigblock_regs+24\n\t"
        "movl %edi, bigblock_regs+28\n\t"
        "movl bigblock_esp, %esp\n\t"
        "popal\n\t"
        "ret\n");

void kmain(void)
{
    static const char *const names[8] = {
        "bigblock.eax", "bigblock.ecx", "bigblock.edx", "bigblock.ebx",
        "bigblock.esp", "bigblock.ebp", "bigblock.esi", "bigblock.edi",
    };

    for (unsigned i = 0; i < NPOP * 8; i++) {
        bigblock_area[i] = (0x01000193u * (i + 1)) ^ (i << 7);
    }
    run_popads();
    for (unsigned r = 0; r < 8; r++) {
        if (r == 4) {
            /* where ESP ended: 32 bytes per POPAD past the area */
            check("bigblock.esp",
                  bigblock_regs[4] - (uint32_t)(uintptr_t)bigblock_area,
                  NPOP * 32);
            continue;
        }
        result(names[r], bigblock_regs[r]);
    }
    finish(0xa58fa08b);
}
