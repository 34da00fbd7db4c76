/*
 * realmode: leave protected mode and come back, as a multiboot kernel's own
 * mode switches do.  A 16-bit blob is copied to 0x8000; the kernel jumps to
 * it through a 16-bit protected-mode code segment, clears CR0.PE, far-jumps
 * to real mode (CS 0x0800), loads the IVT (IDTR base 0) and runs:
 *   INT 0x60 through an IVT entry it installs (the handler sees IP, CS and
 *   FLAGS on the stack, changes AX and returns with IRET), segment
 *   arithmetic (ES 0x1000), a far CALL/RETF, PUSHF, a 16-bit PM segment
 *   load (SMSW), then sets CR0.PE and far-jumps back to 32-bit code.
 * Results are written to 0x8f00.. and checked from protected mode.
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "realmode";

#define RM_BASE 0x8000u
#define RM_RES  0x8f00u
#define CODE16  SYS_SEL(20)

volatile uint32_t rm_saved_esp;
volatile uint8_t rm_saved_idt[6];

__asm__(".text\n"
        ".globl rm_start, rm_end, rm_run\n"
        ".code16\n"
        "rm_start:\n"
        /* 16-bit protected mode, CS = 0xa0 (base 0) */
        "rm_entry16:\n\t"
        "movw $0x18, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movl %cr0, %eax\n\t"
        "andl $0xfffffffe, %eax\n\t"
        "movl %eax, %cr0\n\t"
        "ljmp $0x0800, $(rm_real - rm_start)\n"
        "rm_real:\n\t"
        "xorw %ax, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movw $0x7000, %sp\n\t"
        "lidt (0x8000 + rm_ivt_desc - rm_start)\n\t"
        "movw %cs, 0x8f00\n\t"
        "movw $(rm_int60 - rm_start), 0x180\n\t"
        "movw $0x0800, 0x182\n\t"
        "pushw $0x0002\n\t"
        "popfw\n\t"
        "movw $0x1234, %ax\n\t"
        "movw $0x0101, %bx\n\t"
        "int $0x60\n"
        "rm_after_int:\n\t"
        "movw %ax, 0x8f02\n\t"
        "movw %sp, 0x8f0a\n\t"
        /* segment arithmetic: ES 0x1000 -> linear 0x10000 */
        "movw $0x1000, %ax\n\t"
        "movw %ax, %es\n\t"
        "movw $0xbeef, %es:0x10\n\t"
        "movw %es:0x10, %ax\n\t"
        "movw %ax, 0x8f0c\n\t"
        "xorw %ax, %ax\n\t"
        "movw %ax, %es\n\t"
        /* far call / retf */
        "lcall $0x0800, $(rm_far - rm_start)\n\t"
        "movw %ax, 0x8f0e\n\t"
        "movw %sp, 0x8f10\n\t"
        /* flags and machine status word */
        "stc\n\t"
        "pushfw\n\t"
        "popw 0x8f12\n\t"
        "smsw 0x8f14\n\t"
        /* back to protected mode */
        "movl %cr0, %eax\n\t"
        "orl $1, %eax\n\t"
        "movl %eax, %cr0\n\t"
        "ljmpl $0x08, $rm_back32\n"
        /* INT 0x60 handler: record IP/CS/FLAGS, AX += BX */
        "rm_int60:\n\t"
        "movw %sp, %bp\n\t"
        "movw 0(%bp), %dx\n\t"
        "movw %dx, 0x8f04\n\t"
        "movw 2(%bp), %dx\n\t"
        "movw %dx, 0x8f06\n\t"
        "movw 4(%bp), %dx\n\t"
        "movw %dx, 0x8f08\n\t"
        "addw %bx, %ax\n\t"
        "iret\n"
        "rm_far:\n\t"
        "movw %sp, %bp\n\t"
        "movw 2(%bp), %ax\n\t"
        "lret\n"
        "rm_ivt_desc:\n\t"
        ".word 0x3ff\n\t"
        ".long 0\n"
        "rm_end:\n"
        ".code32\n"
        /* 32-bit side */
        "rm_run:\n\t"
        "pushal\n\t"
        "movl %esp, rm_saved_esp\n\t"
        "sidt rm_saved_idt\n\t"
        "ljmp $0xa0, $(0x8000 + rm_entry16 - rm_start)\n"
        "rm_back32:\n\t"
        "movw $0x10, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movw %ax, %fs\n\t"
        "movw %ax, %gs\n\t"
        "movl rm_saved_esp, %esp\n\t"
        "lidt rm_saved_idt\n\t"
        "popal\n\t"
        "ret\n");
extern char rm_start[], rm_end[], rm_after_int[];
void rm_run(void);

static uint16_t res16(unsigned off)
{
    return *(volatile uint16_t *)(RM_RES + off);
}

void kmain(void)
{
    uint32_t cr0;

    sys_init();
    sys_gdt_set(20, sys_desc(0, 0xffff, ACC_CODE, 0));
    memcpy((void *)RM_BASE, rm_start, (size_t)(rm_end - rm_start));
    memset((void *)RM_RES, 0, 32);
    *(volatile uint16_t *)0x10010 = 0;
    rm_run();
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    check("realmode.back.pe", cr0 & 1, 1);
    check("realmode.cs", res16(0x00), 0x0800);
    check("realmode.int.ax", res16(0x02), 0x1335);
    check("realmode.int.ip", res16(0x04), (uint32_t)(rm_after_int - rm_start));
    check("realmode.int.cs", res16(0x06), 0x0800);
    check("realmode.int.flags", res16(0x08), 0x0002);
    check("realmode.int.sp", res16(0x0a), 0x7000);
    check("realmode.es.value", res16(0x0c), 0xbeef);
    check("realmode.es.linear", *(volatile uint16_t *)0x10010, 0xbeef);
    check("realmode.far.cs", res16(0x0e), 0x0800);
    check("realmode.far.sp", res16(0x10), 0x7000);
    result("realmode.flags", res16(0x12));
    check("realmode.flags.cf", res16(0x12) & 1, 1);
    check("realmode.msw.pe", res16(0x14) & 1, 0);
    finish(0x500173a2);
}
