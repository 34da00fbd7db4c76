/*
 * sysenter: SYSENTER/SYSEXIT round trip through the MSRs 0x174-0x176 and
 * RDMSR/WRMSR: SYSENTER_* read back, the TSC MSR,
 * RDMSR at CPL 3 (#GP(0)), SYSEXIT at CPL 3 and SYSENTER with
 * SYSENTER_CS = 0 (#GP(0)).
 *
 * GDT for SYSENTER_CS = 0x80: 0x80 kernel code, 0x88 kernel stack,
 * 0x90 user code (DPL 3), 0x98 user stack (DPL 3).
 */
#include "lib/lib.h"
#include "lib/sys.h"
#include "lib/cpu.h"    /* rdmsr, wrmsr */

const char kernel_name[] = "sysenter";

static uint8_t se_kstack[4096] __attribute__((aligned(16)));
static uint8_t se_ustack[4096] __attribute__((aligned(16)));
volatile uint32_t se_saved_esp, se_u_cs, se_u_ss, se_u_esp, se_k_cs, se_k_ss,
    se_k_esp, se_k_flags, se_k_ecx, se_k_edx;

/*
 * se_run: save the ring-0 ESP, SYSEXIT to se_user (ring 3, ESP = ECX),
 * which records its state and SYSENTERs to se_kentry (ring 0), which
 * records and goes back to se_run's caller on the saved stack.
 */
__asm__(".text\n"
        ".globl se_run\n"
        "se_run:\n\t"
        "pushal\n\t"
        "movl %esp, se_saved_esp\n\t"
        "movl $se_user, %edx\n\t"
        "movl $se_ustack + 4096, %ecx\n\t"
        "sysexit\n"
        "se_user:\n\t"
        "movl %cs, %eax; movl %eax, se_u_cs\n\t"
        "movl %ss, %eax; movl %eax, se_u_ss\n\t"
        "movl %esp, se_u_esp\n\t"
        "movl $0x5eca, %ecx\n\t"
        "movl $0x5edd, %edx\n\t"
        "sti\n\t"              /* IOPL 3 here: IF must be cleared by SYSENTER */
        "sysenter\n"
        "se_kentry:\n\t"
        "movl %cs, %eax; movl %eax, se_k_cs\n\t"
        "movl %ss, %eax; movl %eax, se_k_ss\n\t"
        "movl %esp, se_k_esp\n\t"
        "movl %ecx, se_k_ecx\n\t"
        "movl %edx, se_k_edx\n\t"
        "pushfl; popl se_k_flags\n\t"
        "movw $0x10, %ax; movw %ax, %ss\n\t"
        "movl se_saved_esp, %esp\n\t"
        "popal\n\t"
        "ret\n");
void se_run(void);
extern char se_kentry[];

static void do_rdmsr(void *p) { *(uint64_t *)p = rdmsr(((uint32_t *)p)[0]); }
static void do_wrmsr(void *p) { wrmsr(((uint32_t *)p)[0], 0); }
static void do_sysexit(void *p) { __asm__ volatile("sysexit"); }
static void do_sysenter(void *p) { __asm__ volatile("sysenter"); }
static uint32_t r3_msr;
static void r3_rdmsr(void *p) { (void)rdmsr(r3_msr); }

static void expect_gp(const char *name, void (*fn)(void *), void *arg)
{
    char n[48];
    size_t l = strlen(name);
    int v = trap_catch(fn, arg);

    memcpy(n, name, l);
    memcpy(n + l, ".vec", 5);
    check(n, (uint32_t)v, 13);
    memcpy(n + l, ".err", 5);
    check(n, last_trap.err, 0);
}

void kmain(void)
{
    uint64_t t0, t1, buf;
    int v;

    sys_init();
    outb(0x21, 0xff);   /* mask the PIC: IF=1 at ring 3 must stay quiet */
    outb(0xa1, 0xff);
    sys_gdt_set(16, sys_desc(0, 0xfffff, ACC_CODE, FLG_G32));
    sys_gdt_set(17, sys_desc(0, 0xfffff, ACC_DATA, FLG_G32));
    sys_gdt_set(18, sys_desc(0, 0xfffff, ACC_CODE | ACC_DPL(3), FLG_G32));
    sys_gdt_set(19, sys_desc(0, 0xfffff, ACC_DATA | ACC_DPL(3), FLG_G32));

    /* MSR read-back */
    wrmsr(0x174, 0x80);
    wrmsr(0x175, (uint32_t)(se_kstack + sizeof(se_kstack)));
    wrmsr(0x176, (uint32_t)se_kentry);
    check64("msr.sysenter_cs", rdmsr(0x174), 0x80);
    check64("msr.sysenter_esp", rdmsr(0x175), (uint32_t)(se_kstack + sizeof(se_kstack)));
    check64("msr.sysenter_eip", rdmsr(0x176), (uint32_t)se_kentry);
    t0 = rdmsr(0x10);
    t1 = rdtsc();
    check("msr.tsc.increases", t1 > t0, 1);
    /*
     * Not compared: TSC writes (QEMU TCG ignores them) and unknown MSRs
     * (QEMU reads 0 and ignores writes; hamt86 raises #GP(0) like the
     * hardware).
     */
    (void)do_rdmsr;
    (void)do_wrmsr;
    (void)buf;
    r3_msr = 0x174;
    v = sys_ring3_run(r3_rdmsr, NULL, 0);
    check("msr.rd.cpl3.vec", (uint32_t)v, 13);
    check("msr.rd.cpl3.err", last_trap.err, 0);

    /* the round trip */
    __asm__ volatile("pushl $0x3002; popfl");   /* IOPL 3 for the user's sti */
    se_run();
    __asm__ volatile("pushl $0x2; popfl");
    check("sysexit.cs", se_u_cs, 0x93);
    check("sysexit.ss", se_u_ss, 0x9b);
    check("sysexit.esp", se_u_esp, (uint32_t)(se_ustack + sizeof(se_ustack)));
    check("sysenter.cs", se_k_cs, 0x80);
    check("sysenter.ss", se_k_ss, 0x88);
    check("sysenter.esp", se_k_esp, (uint32_t)(se_kstack + sizeof(se_kstack)));
    check("sysenter.if", se_k_flags & 0x200, 0);
    check("sysenter.ecx", se_k_ecx, 0x5eca);
    check("sysenter.edx", se_k_edx, 0x5edd);

    /* faults */
    v = sys_ring3_run(do_sysexit, NULL, 0);
    check("sysexit.cpl3.vec", (uint32_t)v, 13);
    wrmsr(0x174, 0);
    expect_gp("sysenter.cs0", do_sysenter, NULL);
    finish(0x811c9dc5);
}
