/*
 * tickloop: timer interrupts reach a CPU that spins in a chained loop of
 * translated blocks (hamt86 must stop the chain when a device timer is
 * due, as QEMU's kick does; Linux's calibrate_delay spins like this).
 * PIT channel 0 runs at 1 kHz; each loop waits for IRQ 0:
 *   - jmp: "1: jmp 1b" (the handler moves EIP past it);
 *   - jcc: "1: cmp ticks; je 1b";
 *   - loop: "1: loop 1b" with ECX = 0xffffffff (the handler sets ECX = 1);
 *   - two blocks: jne out / jmp back;
 *   - a loop whose block crosses a 4 KiB page boundary;
 *   - the jcc loop at CPL 3.
 * Only which loops were left (and how) is printed: no timing.
 */
#include "lib/lib.h"
#include "lib/pc.h"
#include "lib/sys.h"

const char kernel_name[] = "tickloop";

static volatile uint32_t ticks;

extern char self_jmp[], self_jmp_out[], loop_insn[];

/* IRQ 0: count, unstick the jmp and loop self-loops, EOI. */
static void on_irq(TrapFrame *f)
{
    if (f->vector == 0x20) {
        ticks++;
        if (f->eip == (uint32_t)(uintptr_t)self_jmp) {
            f->eip = (uint32_t)(uintptr_t)self_jmp_out;
        }
        if (f->eip == (uint32_t)(uintptr_t)loop_insn) {
            f->ecx = 1;
        }
    }
    if (f->vector >= 0x28) {
        outb(0xa0, 0x20);
    }
    outb(0x20, 0x20);
}

static void pic_pit_init(void)
{
    pic_init(0xfe, 0xff);   /* only IRQ 0 */
    pit_rate(1193);
}

/* "1: jmp 1b", left by the interrupt handler. */
static void loop_jmp(void)
{
    __asm__ volatile(".globl self_jmp, self_jmp_out\n"
                     "self_jmp: jmp self_jmp\n"
                     "self_jmp_out:" ::: "memory");
}

/* "1: cmp; je 1b" until a tick. */
static void loop_jcc(void *arg)
{
    uint32_t t = ticks;

    (void)arg;
    __asm__ volatile("1: cmpl %0, %1\n\t"
                     "je 1b" : : "r"(t), "m"(ticks) : "memory", "cc");
}

/* "1: loop 1b" with ECX = 2^32 - 1; the handler makes it the last. */
static void loop_loop(void)
{
    uint32_t c = 0xffffffffu;

    __asm__ volatile(".globl loop_insn\n"
                     "loop_insn: loop loop_insn" : "+c"(c) : : "memory");
}

/* Two blocks: "1: cmp; jne 2f" and "jmp 1b". */
static void loop_two_tbs(void)
{
    uint32_t t = ticks;

    __asm__ volatile("1: cmpl %0, %1\n\t"
                     "jne 2f\n\t"
                     "jmp 1b\n"
                     "2:" : : "r"(t), "m"(ticks) : "memory", "cc");
}

/* The jcc loop placed so that its block crosses a page boundary. */
__asm__(".section .text.pagecross, \"ax\"\n"
        ".balign 4096\n"
        ".skip 4093\n"
        ".globl loop_pagecross\n"
        "loop_pagecross:\n"
        "    movl 4(%esp), %eax\n"          /* tick count to wait past */
        "1:  cmpl %eax, ticks\n"
        "    je 1b\n"
        "    ret\n"
        ".text\n");
void loop_pagecross(uint32_t t);

void kmain(void)
{
    int v;

    sys_init();
    irq_frame_hook = on_irq;
    pic_pit_init();
    __asm__ volatile("sti");

    loop_jmp();
    resultf("jmp self-loop left");
    loop_jcc(NULL);
    resultf("jcc self-loop left");
    loop_loop();
    resultf("loop self-loop left");
    loop_two_tbs();
    resultf("two-block loop left");
    resultf("page-crossing loop at offset %x",
            (uint32_t)(uintptr_t)loop_pagecross & 0xfff);
    loop_pagecross(ticks);
    resultf("page-crossing loop left");
    v = sys_ring3_run(loop_jcc, NULL, 0x202);
    resultf("ring 3 jcc loop left, vector %x", v);

    __asm__ volatile("cli");
    outb(0x21, 0xff);
    finish(0x1425afe3);
}
