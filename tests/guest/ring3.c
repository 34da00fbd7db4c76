/*
 * ring3: privilege levels.  Ring-3 code entered with IRET, exceptions and
 * INT n back to ring 0 through the TSS stack (SS:ESP pushed), privileged
 * instructions (#GP(0)), IOPL and the TSS I/O bitmap, POPF masking, CR4.TSD,
 * INT n through a DPL 0 gate, call gates with parameters and RET imm16 to
 * the outer ring (data segments nulled), conforming code, same-level IRET.
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "ring3";

#define CG_SEL     SYS_SEL(8)    /* call gate DPL 3 -> ring-0 cg_target */
#define CG0_SEL    SYS_SEL(9)    /* call gate DPL 0 */
#define CGNP_SEL   SYS_SEL(10)   /* call gate not present */
#define CONF_SEL   SYS_SEL(11)   /* conforming code, DPL 0 */

volatile uint32_t cg_cs, cg_ss, cg_p0, cg_p1, cg_oldesp, cg_oldss;
volatile uint32_t r3_esp_before, r3_esp_after, r3_es_after, r3_cs_conf;

/* Ring-0 end of the call gate: record, load ES with a DPL 0 selector,
 * return to ring 3 popping the two parameters. */
__asm__(".text\n"
        "cg_target:\n\t"
        "movl %cs, %eax; movl %eax, cg_cs\n\t"
        "movl %ss, %eax; movl %eax, cg_ss\n\t"
        "movl 8(%esp), %eax; movl %eax, cg_p1\n\t"
        "movl 12(%esp), %eax; movl %eax, cg_p0\n\t"
        "movl 16(%esp), %eax; movl %eax, cg_oldesp\n\t"
        "movl 20(%esp), %eax; movl %eax, cg_oldss\n\t"
        "movw $0x10, %ax; movw %ax, %es\n\t"
        "lret $8\n"
        /* ring 3: call through the gate with two parameters */
        "r3_callgate:\n\t"
        "movl %esp, r3_esp_before\n\t"
        "pushl $0x1111\n\t"
        "pushl $0x2222\n\t"
        "lcall $0x40, $0\n\t"
        "movl %esp, r3_esp_after\n\t"
        "movl %es, %eax; movl %eax, r3_es_after\n\t"
        "movw $0x2b, %ax; movw %ax, %es\n\t"
        "ret\n"
        /* conforming code: runs at the caller's CPL */
        "conf_target:\n\t"
        "movl %cs, %eax; movl %eax, r3_cs_conf\n\t"
        "lret\n"
        "r3_conf:\n\t"
        "lcall $0x5b, $conf_target\n\t"
        "ret\n"
        "r3_cg0:\n\t"
        "lcall $0x4b, $0\n\t"
        "ret\n"
        "r3_cgnp:\n\t"
        "lcall $0x50, $0\n\t"
        "ret\n"
        /* same-level IRET inside ring 3 */
        "r3_iret:\n\t"
        "pushfl\n\t"
        "pushl %cs\n\t"
        "pushl $1f\n\t"
        "iretl\n"
        "1: movl $0x5a5a, %eax\n\t"
        "ret\n");
extern char cg_target[], conf_target[];
void r3_callgate(void *), r3_conf(void *), r3_cg0(void *), r3_cgnp(void *);
void r3_iret(void *);

static void r3_nop(void *p) { }
static void r3_cli(void *p) { __asm__ volatile("cli"); }
static void r3_hlt(void *p) { __asm__ volatile("hlt"); }
static void r3_movcr(void *p) { uint32_t v; __asm__ volatile("movl %%cr0, %0" : "=r"(v)); }
static void r3_lgdt(void *p) { uint64_t z = 0; __asm__ volatile("lgdt %0" : : "m"(z)); }
static void r3_out80(void *p) { outb(0x80, 1); }
static void r3_out81(void *p) { outb(0x81, 1); }
static void r3_inw80(void *p) { (void)inw(0x80); }
static void r3_rdtsc(void *p) { (void)rdtsc(); }
static void r3_int41(void *p) { __asm__ volatile("int $0x41"); }
static void r3_loadds(void *p) { __asm__ volatile("movw $0x10, %%ax; movw %%ax, %%ds" : : : "eax"); }
static void r3_ud(void *p) { __asm__ volatile("ud2"); }
static volatile uint32_t popf_result;
static void r3_popf(void *p)
{
    uint32_t f;
    __asm__ volatile("pushl $0x3202; popfl; pushfl; popl %0" : "=r"(f));
    popf_result = f;
}

/* Run fn at CPL 3 and check the vector and error code. */
static void expect3(const char *name, void (*fn)(void *), uint32_t eflags,
                    int want_vec, uint32_t want_err)
{
    char n[48];
    size_t l = strlen(name);
    int v = sys_ring3_run(fn, NULL, eflags);

    memcpy(n, name, l);
    memcpy(n + l, ".vec", 5);
    check(n, (uint32_t)v, (uint32_t)want_vec);
    if (want_vec == 13 || want_vec == 11 || want_vec == 10 || want_vec == 12) {
        memcpy(n + l, ".err", 5);
        check(n, last_trap.err, want_err);
    }
}

void kmain(void)
{
    uint32_t top = (uint32_t)(sys_user_stack + sizeof(sys_user_stack));
    uint64_t g41;
    int v;

    sys_init();
    outb(0x21, 0xff);   /* mask the PIC: IF=1 at ring 3 must stay quiet */
    outb(0xa1, 0xff);

    /* plain round trip: INT 0x80 from ring 3 pushes SS:ESP */
    v = sys_ring3_run(r3_nop, NULL, 0);
    check("ring3.ret.vec", (uint32_t)v, 0x80);
    check("ring3.ret.cs", last_trap.cs, SYS_UCODE);
    check("ring3.ret.ss", last_trap.user_ss, SYS_UDATA);
    check("ring3.ret.esp", last_trap.user_esp, top - 4);
    v = sys_ring3_run(r3_ud, NULL, 0);
    check("ring3.ud.vec", (uint32_t)v, 6);
    check("ring3.ud.cs", last_trap.cs, SYS_UCODE);

    /* privileged instructions */
    expect3("ring3.cli", r3_cli, 0, 13, 0);
    expect3("ring3.cli.iopl3", r3_cli, 0x3000, 0x80, 0);
    expect3("ring3.hlt", r3_hlt, 0x3000, 13, 0);
    expect3("ring3.movcr", r3_movcr, 0, 13, 0);
    expect3("ring3.lgdt", r3_lgdt, 0, 13, 0);
    expect3("ring3.loadds", r3_loadds, 0, 13, 0x10);

    /* I/O: IOPL 3 allows everything; else the bitmap decides */
    expect3("ring3.out80.iopl3", r3_out80, 0x3000, 0x80, 0);
    expect3("ring3.out80.denied", r3_out80, 0, 13, 0);
    sys_io_allow(0x80, 1);
    expect3("ring3.out80.allowed", r3_out80, 0, 0x80, 0);
    expect3("ring3.out81.denied", r3_out81, 0, 13, 0);
    expect3("ring3.inw80.partial", r3_inw80, 0, 13, 0);
    sys_io_allow(0x81, 1);
    expect3("ring3.inw80.allowed", r3_inw80, 0, 0x80, 0);
    expect3("ring3.out80.iopl1", r3_out80, 0x1000, 0x80, 0);

    /* POPF at CPL 3, IOPL 0: IF and IOPL silently kept */
    expect3("ring3.popf", r3_popf, 0, 0x80, 0);
    check("ring3.popf.flags", popf_result & 0x3200, 0);
    expect3("ring3.popf.iopl3", r3_popf, 0x3000, 0x80, 0);
    check("ring3.popf.iopl3.flags", popf_result & 0x3200, 0x3200);

    /* RDTSC with CR4.TSD */
    expect3("ring3.rdtsc", r3_rdtsc, 0, 0x80, 0);
    __asm__ volatile("movl %%cr4, %%eax; orl $4, %%eax; movl %%eax, %%cr4" : : : "eax");
    expect3("ring3.rdtsc.tsd", r3_rdtsc, 0, 13, 0);
    check("ring0.rdtsc.tsd", trap_catch(r3_rdtsc, NULL), (uint32_t)-1);
    __asm__ volatile("movl %%cr4, %%eax; andl $~4, %%eax; movl %%eax, %%cr4" : : : "eax");

    /* INT n through a gate with DPL 0 */
    g41 = sys_idt_get(0x41);
    sys_idt_set(0x41, (g41 & ~(0x60ull << 40)));
    expect3("ring3.int41.dpl0", r3_int41, 0, 13, 0x41 * 8 + 2);
    sys_idt_set(0x41, g41);
    expect3("ring3.int41.dpl3", r3_int41, 0, 0x41, 0);

    /* call gates */
    sys_gdt_set(8, sys_gate(SYS_KCODE, (uint32_t)cg_target, ACC_CALLG | ACC_DPL(3), 2));
    sys_gdt_set(9, sys_gate(SYS_KCODE, (uint32_t)cg_target, ACC_CALLG, 2));
    sys_gdt_set(10, sys_gate(SYS_KCODE, (uint32_t)cg_target, (ACC_CALLG | ACC_DPL(3)) & 0x7f, 2));
    sys_gdt_set(11, sys_desc(0, 0xfffff, 0x9e, FLG_G32));
    expect3("ring3.callgate", r3_callgate, 0, 0x80, 0);
    check("ring3.callgate.cs", cg_cs, SYS_KCODE);
    check("ring3.callgate.ss", cg_ss, SYS_KDATA);
    check("ring3.callgate.p0", cg_p0, 0x1111);
    check("ring3.callgate.p1", cg_p1, 0x2222);
    check("ring3.callgate.oldss", cg_oldss, SYS_UDATA);
    check("ring3.callgate.oldesp", cg_oldesp, r3_esp_before - 8);
    check("ring3.callgate.esp", r3_esp_after, r3_esp_before);
    check("ring3.callgate.es.nulled", r3_es_after, 0);
    expect3("ring3.callgate.dpl0", r3_cg0, 0, 13, CG0_SEL);
    expect3("ring3.callgate.np", r3_cgnp, 0, 11, CGNP_SEL);
    expect3("ring3.conforming", r3_conf, 0, 0x80, 0);
    check("ring3.conforming.cs", r3_cs_conf, CONF_SEL | 3);
    expect3("ring3.iret.same", r3_iret, 0, 0x80, 0);
    check("ring3.iret.same.eax", last_trap.eax, 0x5a5a);
    finish(0x811c9dc5);
}
