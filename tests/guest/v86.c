/*
 * v86: virtual-8086 mode entry and exit, and the EFLAGS bits that may
 * and may not be loaded on the way (issue 16 item 2).
 *
 *   - IRET at CPL 0 with VM set in the popped EFLAGS enters V86 mode: the
 *     reserved bits (1 reads 1; 3, 5, 15, 22..31 read 0) never load, VIF
 *     and VIP do (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE);
 *   - in V86 mode at IOPL 3, PUSHFD/POPFD work (a POPFD of 0x2 leaves no
 *     reserved bit behind); HLT raises #GP(0), whose ring-0 frame carries
 *     EFLAGS, CS:EIP, SS:ESP and ES/DS/FS/GS of the V86 code;
 *   - at IOPL 0, PUSHFD itself raises #GP(0);
 *   - a task switch (JMP to a 32-bit TSS whose EFLAGS has VM) enters V86
 *     mode the same way.  A real CPU loads every defined EFLAGS bit from
 *     the TSS, VIF and VIP included (SDM vol. 3, 7.3); QEMU 7.2 keeps the
 *     old VIF/VIP and shows stale lazy arithmetic flags.  So the task
 *     cases print EFLAGS without those (the reference's values), and
 *     check them separately where port 0xE9 answers 0xE9 (hamt86's debug
 *     console; QEMU's isapc reads 0xFF), printing only on a failure.
 *
 * The V86 code lives at 0000:2000, its stack at 0000:3000.
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "v86";

#define V86_TSS SYS_SEL(12)
#define V86_CODE 0x2000u

/* #GP frame from V86 mode, then EAX and EBX of the V86 code. */
enum { F_ERR, F_EIP, F_CS, F_EFLAGS, F_ESP, F_SS, F_ES, F_DS, F_FS, F_GS,
       F_EAX, F_EBX, F_N };
volatile uint32_t v86_frame[F_N];
volatile uint32_t v86_saved_esp, v86_via_task;

/*
 * v86_gp_stub: the #GP handler while a test runs (an interrupt gate).
 * Entered from V86 mode, DS/ES/FS/GS are null: store through SS first.
 * Back to v86_iret's caller (IRET cases) or to the kernel task with a JMP
 * to its TSS (task cases: execution resumes after the JMP that left it).
 *
 * v86_iret(frame): IRET with [EIP CS EFLAGS ESP SS ES DS FS GS] from frame
 * (EAX = EBX = 0 in V86 mode); returns when the V86 code faults.
 */
__asm__(".text\n"
        ".globl v86_gp_stub\n"
        "v86_gp_stub:\n\t"
        "movl %eax, %ss:v86_frame+40\n\t"
        "movl %ebx, %ss:v86_frame+44\n\t"
        "movw $0x10, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %fs\n\t"
        "movw %ax, %gs\n\t"
        "cld\n\t"
        "movl %esp, %esi\n\t"
        "movl $v86_frame, %edi\n\t"
        "movl $10, %ecx\n\t"
        "rep movsl\n\t"
        "cmpl $0, v86_via_task\n\t"
        "jne 1f\n\t"
        "movl v86_saved_esp, %esp\n\t"
        "pushl $2\n\t"
        "popfl\n\t"
        "popl %ebp\n\t"
        "popl %edi\n\t"
        "popl %esi\n\t"
        "popl %ebx\n\t"
        "ret\n"
        "1:\n\t"
        "ljmp $0x30, $0\n\t"
        "ud2\n"
        ".globl v86_iret\n"
        "v86_iret:\n\t"
        "pushl %ebx\n\t"
        "pushl %esi\n\t"
        "pushl %edi\n\t"
        "pushl %ebp\n\t"
        "movl %esp, v86_saved_esp\n\t"
        "movl 20(%esp), %eax\n\t"
        "pushl 32(%eax)\n\t"
        "pushl 28(%eax)\n\t"
        "pushl 24(%eax)\n\t"
        "pushl 20(%eax)\n\t"
        "pushl 16(%eax)\n\t"
        "pushl 12(%eax)\n\t"
        "pushl 8(%eax)\n\t"
        "pushl 4(%eax)\n\t"
        "pushl 0(%eax)\n\t"
        "xorl %eax, %eax\n\t"
        "xorl %ebx, %ebx\n\t"
        "iretl\n");
void v86_gp_stub(void);
void v86_iret(const uint32_t *frame);

/*
 * The V86 code (16-bit):
 *   66 9c              pushfd
 *   66 58              pop eax
 *   66 68 02 00 00 00  push dword 0x2
 *   66 9d              popfd
 *   66 9c              pushfd
 *   66 5b              pop ebx
 *   f4                 hlt          -> #GP(0) at CPL 3
 */
static const uint8_t v86_code[] = {
    0x66, 0x9c, 0x66, 0x58, 0x66, 0x68, 0x02, 0x00, 0x00, 0x00,
    0x66, 0x9d, 0x66, 0x9c, 0x66, 0x5b, 0xf4,
};

typedef struct Tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed)) Tss32;

static Tss32 v86_tss __attribute__((aligned(128)));
static uint8_t v86_ring0_stack[8192] __attribute__((aligned(16)));

/*
 * Print one exit frame.  Task cases (!iret) leave out what QEMU 7.2 gets
 * wrong (run_task checks those silently on hamt86): VIF/VIP, and the
 * arithmetic flags of the first EFLAGS the V86 code sees (EAX after
 * PUSHFD, or the frame's when PUSHFD faulted), which QEMU computes from
 * its stale lazy-flags state after a task switch.
 */
static void show(const char *name, bool iret)
{
    uint32_t fl = v86_frame[F_EFLAGS], eax = v86_frame[F_EAX];
    uint32_t ebx = v86_frame[F_EBX];

    if (!iret) {
        fl &= ~(0x00080000u | 0x00100000u);
        eax &= ~(0x00080000u | 0x00100000u | FL_ARITH);
        ebx &= ~(0x00080000u | 0x00100000u);
        if (v86_frame[F_EIP] == V86_CODE) {
            fl &= ~FL_ARITH;
        }
    }
    resultf("v86.%s eflags=%08x eip=%04x cs=%04x esp=%08x ss=%04x "
            "es=%04x ds=%04x fs=%04x gs=%04x err=%x eax=%08x ebx=%08x",
            name, fl, v86_frame[F_EIP], v86_frame[F_CS] & 0xffff,
            v86_frame[F_ESP], v86_frame[F_SS] & 0xffff,
            v86_frame[F_ES] & 0xffff, v86_frame[F_DS] & 0xffff,
            v86_frame[F_FS] & 0xffff, v86_frame[F_GS] & 0xffff,
            v86_frame[F_ERR], eax, ebx);
}

/* On hamt86 only (port 0xE9 reads 0xE9; QEMU's isapc reads 0xFF): a FAIL
 * line when got != want, nothing otherwise (the output stays QEMU's). */
static void sdm_check(const char *name, const char *what, uint32_t got,
                      uint32_t want)
{
    if (inb(0xe9) == 0xe9 && got != want) {
        printf("FAIL %s.%s got=%08x want=%08x\n", name, what, got, want);
    }
}

/* Enter V86 mode with IRET and EFLAGS fl; the frame is in v86_frame. */
static void run_iret(const char *name, uint32_t fl)
{
    uint32_t f[9] = { V86_CODE, 0, fl, 0x3000, 0, 0x1111, 0x2222, 0x3333,
                      0x4444 };

    memset((void *)v86_frame, 0, sizeof(v86_frame));
    v86_via_task = 0;
    v86_iret(f);
    show(name, true);
}

/* Enter V86 mode with a JMP to a TSS whose EFLAGS is fl. */
static void run_task(const char *name, uint32_t fl)
{
    uint32_t cr3, got;

    __asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
    memset(&v86_tss, 0, sizeof(v86_tss));
    v86_tss.esp0 = (uint32_t)(v86_ring0_stack + sizeof(v86_ring0_stack));
    v86_tss.ss0 = SYS_KDATA;
    v86_tss.cr3 = cr3;
    v86_tss.eip = V86_CODE;
    v86_tss.eflags = fl;
    v86_tss.esp = 0x3000;
    v86_tss.es = 0x1111;
    v86_tss.ds = 0x2222;
    v86_tss.fs = 0x3333;
    v86_tss.gs = 0x4444;
    v86_tss.iomap = sizeof(v86_tss);
    sys_tss.cr3 = cr3;
    sys_gdt_set(V86_TSS >> 3, sys_desc((uint32_t)&v86_tss, sizeof(v86_tss) - 1,
                                       ACC_TSS32, 0));
    memset((void *)v86_frame, 0, sizeof(v86_frame));
    v86_via_task = 1;
    /* back here through the stub's JMP to the kernel TSS */
    __asm__ volatile("ljmp %0, $0" : : "i"(V86_TSS) : "memory");
    show(name, false);
    /* VIF, VIP and the arithmetic flags come from the TSS (SDM) */
    sdm_check(name, "vif_vip", v86_frame[F_EFLAGS] & 0x00180000u,
              fl & 0x00180000u);
    got = v86_frame[v86_frame[F_EIP] == V86_CODE ? F_EFLAGS : F_EAX];
    sdm_check(name, "arith", got & FL_ARITH, fl & FL_ARITH);
}

/*
 * Clear VIF and VIP at CPL 0: POPF cannot, a 32-bit IRET at CPL 0 does
 * (SDM IRET, RETURN-TO-SAME-PRIVILEGE-LEVEL; QEMU 7.2 keeps them, so the
 * task cases above do not print VIF/VIP).
 */
static void clear_vif_vip(void)
{
    __asm__ volatile("pushl $2\n\t"
                     "pushl %%cs\n\t"
                     "pushl $1f\n\t"
                     "iretl\n"
                     "1:" : : : "memory", "cc");
    sdm_check("v86", "iret_cpl0_vif_vip", read_eflags() & 0x00180000u, 0);
}

void kmain(void)
{
    uint64_t old_gp = sys_idt_get(13);

    sys_init();
    memcpy((void *)V86_CODE, v86_code, sizeof(v86_code));
    sys_idt_set(13, sys_gate(SYS_KCODE, (uint32_t)v86_gp_stub, ACC_INTG, 0));

    /* reserved bits set: only defined ones load */
    run_iret("iret_reserved", 0xffc23002u);
    /* VIF and VIP load through IRET at CPL 0 */
    run_iret("iret_vif_vip", 0x001a3002u);
    /* every bit but TF, IF, RF */
    run_iret("iret_all", 0xfffefcffu);
    /* IOPL 0: PUSHFD faults */
    run_iret("iret_iopl0", 0x00020002u);
    run_iret("iret_iopl0_vif", 0xfffa0002u);
    /* the same through a task switch */
    clear_vif_vip();
    run_task("task_reserved", 0xffda38d7u);
    run_task("task_iopl0", 0x001208d7u);
    clear_vif_vip();
    run_task("task_vif", 0x000a38d7u);

    sys_idt_set(13, old_gp);
    finish(0x8466ea8e);
}
