/*
 * tss_df: hardware task switches.
 *   - #DF through a task gate (as Linux uses it): #GP whose gate is not
 *     present gives #NP, contributory twice -> #DF; the handler task sees
 *     the error code 0 on its stack, the back link, NT, busy bits, CR0.TS
 *     and the interrupted task's saved state, fixes the IDT and the saved
 *     EIP and returns with IRET (NT) to the interrupted task;
 *   - JMP to a TSS and back (busy bits, no link, NT clear);
 *   - CALL through a task gate in the GDT and IRET back (link, NT);
 *   - JMP to a busy TSS: #GP(selector); to a not-present TSS: #NP(selector).
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "tss_df";

#define DF_TSS   SYS_SEL(12)
#define T2_TSS   SYS_SEL(13)
#define T2_GATE  SYS_SEL(14)
#define NP_TSS   SYS_SEL(15)

typedef struct Tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} Tss32;

static Tss32 df_tss, t2_tss, np_tss;
static uint8_t df_stack[8192] __attribute__((aligned(16)));
static uint8_t t2_stack[8192] __attribute__((aligned(16)));

volatile uint32_t df_err, df_tr, df_link, df_flags, df_cr0, df_saved_eip,
    df_saved_eax, df_saved_ecx, df_busy_main, df_busy_df, df_count;
volatile uint32_t t2_tr, t2_flags, t2_link, t2_busy_main, t2_busy_t2, t2_count,
    t2_mode, t2_ebx;
volatile uint32_t df_eax_after, main_flags_after;

extern char df_fault[], df_resume[], df_entry[], t2_entry[];

/* GDT type nibble of selector sel. */
static uint32_t gdt_type(uint32_t sel)
{
    return (uint32_t)(sys_gdt[sel >> 3] >> 40) & 0xf;
}

void df_handler(void);
void df_handler(void)
{
    uint32_t f, tr;

    df_count++;
    __asm__ volatile("pushfl; popl %0; strl %1" : "=r"(f), "=r"(tr));
    df_flags = f;
    df_tr = tr & 0xffff;
    df_link = df_tss.link & 0xffff;
    __asm__ volatile("movl %%cr0, %0" : "=r"(f));
    df_cr0 = f;
    df_saved_eip = sys_tss.eip;
    df_saved_eax = sys_tss.eax;
    df_saved_ecx = sys_tss.ecx;
    df_busy_main = gdt_type(SYS_TSS);
    df_busy_df = gdt_type(DF_TSS);
    /* repair: #GP gate present again, resume after the faulting insn */
    sys_idt_set(13, sys_idt_get(13) | (0x80ull << 40));
    sys_tss.eip = (uint32_t)df_resume;
    __asm__ volatile("clts");
}

void t2_body(void);
void t2_body(void)
{
    uint32_t f, tr;

    t2_count++;
    __asm__ volatile("pushfl; popl %0; strl %1" : "=r"(f), "=r"(tr));
    t2_flags = f;
    t2_tr = tr & 0xffff;
    t2_link = t2_tss.link & 0xffff;
    t2_busy_main = gdt_type(SYS_TSS);
    t2_busy_t2 = gdt_type(T2_TSS);
}

__asm__(".text\n"
        /* the #DF task: error code on the stack, then IRET (NT) back */
        "df_entry:\n\t"
        "popl df_err\n\t"
        "call df_handler\n\t"
        "iretl\n\t"
        "jmp df_entry\n"
        /* task 2: mode 0 = JMP back to the main TSS, 1 = IRET */
        "t2_entry:\n\t"
        "movl %ebx, t2_ebx\n\t"
        "call t2_body\n\t"
        "cmpl $0, t2_mode\n\t"
        "jne 1f\n\t"
        "ljmp $0x30, $0\n\t"
        "jmp t2_entry\n"
        "1: iretl\n\t"
        "jmp t2_entry\n"
        /* the main task's double fault */
        ".globl df_run\n"
        "df_run:\n\t"
        "pushl %ebx\n\t"
        "movl $0xdf01, %eax\n\t"
        "movl $0x7ff8, %ecx\n"
        "df_fault: movw %cx, %ds\n"
        "df_resume:\n\t"
        "movl %eax, df_eax_after\n\t"
        "pushfl; popl main_flags_after\n\t"
        "popl %ebx\n\t"
        "ret\n");
void df_run(void);

static void task_init(Tss32 *t, uint32_t eip, uint8_t *stack, size_t n)
{
    memset(t, 0, sizeof(*t));
    t->eip = eip;
    t->esp = (uint32_t)(stack + n);
    t->eflags = 2;
    t->cs = SYS_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SYS_KDATA;
    t->iomap = 104;
    __asm__ volatile("movl %%cr3, %0" : "=r"(t->cr3));
}

static void jmp_t2(void *p) { __asm__ volatile("ljmp $0x68, $0" : : : "memory"); }
static void call_t2(void *p) { __asm__ volatile("movl $0xb2, %%ebx; lcall $0x70, $0" : : : "ebx", "memory"); }
static void jmp_busy(void *p) { __asm__ volatile("ljmp $0x30, $0" : : : "memory"); }
static void jmp_np(void *p) { __asm__ volatile("ljmp $0x78, $0" : : : "memory"); }

void kmain(void)
{
    uint32_t tr, cr0;
    int v;

    sys_init();
    task_init(&df_tss, (uint32_t)df_entry, df_stack, sizeof(df_stack));
    task_init(&t2_tss, (uint32_t)t2_entry, t2_stack, sizeof(t2_stack));
    task_init(&np_tss, (uint32_t)t2_entry, t2_stack, sizeof(t2_stack));
    sys_gdt_set(12, sys_desc((uint32_t)&df_tss, 103, ACC_TSS32, 0));
    sys_gdt_set(13, sys_desc((uint32_t)&t2_tss, 103, ACC_TSS32, 0));
    sys_gdt_set(14, sys_gate(T2_TSS, 0, ACC_TASKG, 0));
    sys_gdt_set(15, sys_desc((uint32_t)&np_tss, 103, ACC_TSS32 & 0x7f, 0));
    sys_idt_set(8, sys_gate(DF_TSS, 0, ACC_TASKG, 0));

    /* double fault through the task gate */
    sys_idt_set(13, sys_idt_get(13) & ~(0x80ull << 40));
    df_run();
    check("df.count", df_count, 1);
    check("df.err", df_err, 0);
    check("df.tr", df_tr, DF_TSS);
    check("df.link", df_link, SYS_TSS);
    check("df.nt", df_flags & 0x4000, 0x4000);
    check("df.if", df_flags & 0x200, 0);
    check("df.cr0.ts", df_cr0 & 8, 8);
    check("df.saved.eip", df_saved_eip, (uint32_t)df_fault);
    check("df.saved.eax", df_saved_eax, 0xdf01);
    check("df.saved.ecx", df_saved_ecx, 0x7ff8);
    check("df.busy.main", df_busy_main, 0xb);
    check("df.busy.df", df_busy_df, 0xb);
    check("df.back.eax", df_eax_after, 0xdf01);
    check("df.back.nt", main_flags_after & 0x4000, 0);
    __asm__ volatile("strl %0" : "=r"(tr));
    check("df.back.tr", tr & 0xffff, SYS_TSS);
    check("df.back.busy.df", gdt_type(DF_TSS), 0x9);
    check("df.back.busy.main", gdt_type(SYS_TSS), 0xb);
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    check("df.back.cr0.ts", cr0 & 8, 8);   /* every switch sets TS */
    __asm__ volatile("clts");

    /* JMP to a TSS and JMP back */
    t2_mode = 0;
    v = trap_catch(jmp_t2, NULL);
    check("jmp.vec", (uint32_t)v, (uint32_t)-1);
    check("jmp.count", t2_count, 1);
    check("jmp.tr", t2_tr, T2_TSS);
    check("jmp.nt", t2_flags & 0x4000, 0);
    check("jmp.link", t2_link, 0);
    check("jmp.busy.main", t2_busy_main, 0x9);
    check("jmp.busy.t2", t2_busy_t2, 0xb);
    check("jmp.back.busy.t2", gdt_type(T2_TSS), 0x9);
    check("jmp.back.busy.main", gdt_type(SYS_TSS), 0xb);
    __asm__ volatile("clts");

    /* CALL through a task gate, IRET back */
    t2_mode = 1;
    v = trap_catch(call_t2, NULL);
    check("call.vec", (uint32_t)v, (uint32_t)-1);
    check("call.count", t2_count, 2);
    check("call.tr", t2_tr, T2_TSS);
    check("call.nt", t2_flags & 0x4000, 0x4000);
    check("call.link", t2_link, SYS_TSS);
    check("call.busy.main", t2_busy_main, 0xb);
    check("call.busy.t2", t2_busy_t2, 0xb);
    check("call.ebx.saved", t2_ebx, 0);
    check("call.back.busy.t2", gdt_type(T2_TSS), 0x9);
    __asm__ volatile("clts");

    /* faults */
    v = trap_catch(jmp_busy, NULL);
    check("jmp.busy.vec", (uint32_t)v, 13);
    check("jmp.busy.err", last_trap.err, SYS_TSS);
    v = trap_catch(jmp_np, NULL);
    check("jmp.np.vec", (uint32_t)v, 11);
    check("jmp.np.err", last_trap.err, NP_TSS);
    finish(0x811c9dc5);
}
