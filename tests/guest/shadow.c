/*
 * shadow: where a pending external interrupt is taken.
 *   - STI: one instruction runs before the interrupt (the STI shadow);
 *   - STI; CLI: the interrupt is not taken at all;
 *   - STI; MOV SS: the shadows do not chain (taken after MOV SS);
 *   - POPF setting IF: no shadow, taken right after POPF;
 *   - STI; HLT and HLT with IF=1: the interrupt wakes HLT and returns
 *     after it.
 * IRQ 0 (PIT) is made pending with IF=0 (PIC IRR polled through OCW3) and
 * the handler records the interrupted EIP and masks IRQ 0 again.
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "shadow";

#define PIC1 0x20
#define PIC2 0xA0

volatile uint32_t irq_eip, irq_count;

__asm__(".text\n"
        "irq0_stub:\n\t"
        "pushl %eax\n\t"
        "movl 4(%esp), %eax\n\t"
        "movl %eax, irq_eip\n\t"
        "incl irq_count\n\t"
        "movb $0xff, %al\n\t"
        "outb %al, $0x21\n\t"      /* mask IRQ 0 again */
        "movb $0x20, %al\n\t"
        "outb %al, $0x20\n\t"      /* EOI */
        "popl %eax\n\t"
        "iretl\n"
        "t_sti:\n\t"
        "sti\n"
        "t_sti_1: incl %eax\n"
        "t_sti_2: incl %eax\n\t"
        "incl %eax\n\t"
        "cli\n\t"
        "ret\n"
        "t_sticli:\n\t"
        "sti\n\t"
        "cli\n\t"
        "incl %eax\n\t"
        "ret\n"
        "t_stiss:\n\t"
        "movl %ss, %ecx\n\t"
        "sti\n\t"
        "movw %cx, %ss\n"
        "t_stiss_1: incl %eax\n\t"
        "incl %eax\n\t"
        "cli\n\t"
        "ret\n"
        "t_popf:\n\t"
        "pushl $0x202\n\t"
        "popfl\n"
        "t_popf_1: incl %eax\n\t"
        "incl %eax\n\t"
        "cli\n\t"
        "ret\n"
        "t_stihlt:\n\t"
        "sti\n\t"
        "hlt\n"
        "t_stihlt_1: cli\n\t"
        "ret\n");
extern char irq0_stub[], t_sti_1[], t_sti_2[], t_stiss_1[], t_popf_1[],
    t_stihlt_1[];
void t_sti(void), t_sticli(void), t_stiss(void), t_popf(void), t_stihlt(void);

static void pic_init(void)
{
    outb(PIC1, 0x11);
    outb(PIC2, 0x11);
    outb(PIC1 + 1, 0x20);
    outb(PIC2 + 1, 0x28);
    outb(PIC1 + 1, 0x04);
    outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01);
    outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xff);
    outb(PIC2 + 1, 0xff);
}

/* With IF=0: unmask IRQ 0 and wait until it is pending in the IRR. */
static int make_pending(void)
{
    outb(PIC1 + 1, 0xfe);
    for (uint32_t i = 0; i < 100000000u; i++) {
        outb(PIC1, 0x0a);            /* OCW3: read IRR */
        if (inb(PIC1) & 1) {
            return 1;
        }
    }
    return 0;
}

static void run(const char *name, void (*fn)(void), const char *want_eip,
                uint32_t want_count)
{
    char n[48];
    size_t l = strlen(name);
    uint32_t c0 = irq_count;

    irq_eip = 0;
    memcpy(n, name, l);
    memcpy(n + l, ".pending", 9);
    check(n, (uint32_t)make_pending(), 1);
    fn();
    outb(PIC1 + 1, 0xff);
    memcpy(n + l, ".count", 7);
    check(n, irq_count - c0, want_count);
    if (want_eip) {
        memcpy(n + l, ".eip", 5);
        check(n, irq_eip, (uint32_t)want_eip);
    }
}

void kmain(void)
{
    sys_init();
    pic_init();
    sys_idt_set(0x20, sys_gate(SYS_KCODE, (uint32_t)irq0_stub, ACC_INTG, 0));
    outb(0x43, 0x34);                /* PIT channel 0, mode 2 */
    outb(0x40, 0xa9);                /* 1193: about 1 ms */
    outb(0x40, 0x04);

    run("sti", t_sti, t_sti_2, 1);
    run("sti.cli", t_sticli, NULL, 0);
    /* the IRQ stayed pending: taken by the next sti's shadow end */
    run("sti.after.cli", t_sti, t_sti_2, 1);
    run("sti.movss", t_stiss, t_stiss_1, 1);
    run("popf", t_popf, t_popf_1, 1);
    run("sti.hlt", t_stihlt, t_stihlt_1, 1);
    (void)t_sti_1;
    outb(0x43, 0x30);                /* stop the PIT (mode 0, no reload) */
    outb(0x40, 0);
    outb(0x40, 0);
    finish(0x811c9dc5);
}
