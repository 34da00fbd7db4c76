/*
 * intgate: INT n and IRETD between protected-mode rings with paging on,
 * the cases hamt86's fast path takes (translator/seg-fast.c) and the ones
 * it must leave to the general path with the exact fault:
 *   - ring 3 -> 0 round trips through a DPL 3 interrupt gate and a trap
 *     gate: the frame (EIP, CS, EFLAGS, ESP, SS), IF in the handler, the
 *     flags and registers after IRET; a ring 0 INT on the same stack;
 *   - INT n: gate DPL < CPL (#GP), gate not present (#NP), target code
 *     segment not present (#NP) or a data segment (#GP);
 *   - INT n from ring 3 to a conforming ring-0 segment (no stack switch):
 *     the frame on the user stack, and a not-present user stack page on
 *     the first and on the third push (#PF, CR2, error code);
 *   - IRETD: to a not-present CS (#NP), to CS RPL < CPL (#GP), to an outer
 *     ring with SS not present (#SS) or SS RPL != CS RPL (#GP), a pop from
 *     a not-present page (#PF), and DS nulled on the way out to ring 3.
 * QEMU 7.2 differs from the SDM (and hamt86) in four values, checked on
 * `SDM` lines (tests/fpu/check.sh wants them ok, run.sh does not compare
 * them): it pushes and pops the frame of a CPL 3 INT to a conforming
 * segment and of a CPL 3 same-level IRET as supervisor accesses (#PF error
 * code without U), and raises #NP instead of #SS for an IRET to an outer
 * ring whose SS is not present.
 */
#include "lib/lib.h"
#include "lib/pgt.h"
#include "lib/sys.h"

const char kernel_name[] = "intgate";

#define SPARE    0x38            /* GDT[7]: the descriptor under test */
#define N_TRIPS  1000u
#define FL_IF    0x200u

extern void trap_stub_34(void), trap_stub_35(void);

/* What the vector 34/35 handler saw (irq_frame_hook). */
static volatile uint32_t h_count, h_eip, h_cs, h_eflags, h_esp, h_ss;
static volatile uint32_t h_if, h_kcs, h_kss, h_sum;

/* Record the interrupted frame; EAX += 1 comes back through IRET. */
static void frame_hook(TrapFrame *f)
{
    uint32_t cs, ss;

    __asm__ volatile("movl %%cs, %0; movl %%ss, %1" : "=r"(cs), "=r"(ss));
    h_count++;
    h_eip = f->eip;
    h_cs = f->cs;
    h_eflags = f->eflags;
    if ((f->cs & 3) != 0) {
        h_esp = (&f->eflags)[1];
        h_ss = (&f->eflags)[2];
    } else {
        h_esp = h_ss = 0;
    }
    h_if = read_eflags() & FL_IF;
    h_kcs = cs;
    h_kss = ss;
    h_sum = h_sum * 31 + f->eip + f->eflags;
    f->eax += 1;
}

/* Ring-3 loops: INT 34 / INT 35 with CF set, count how often CF, IF and
 * EAX came back as they should. */
static volatile uint32_t r3_ok, r3_esp_bad, r3_eax;
__asm__(".text\n"
        ".globl r3_trips\n"
        "r3_trips:\n\t"
        "pushl %ebx\n\t"
        "pushl %esi\n\t"
        "movl 12(%esp), %ecx\n\t"       /* arg: the vector selector 0/1 */
        "xorl %eax, %eax\n\t"
        "movl $1000, %esi\n"
        "1:\n\t"
        "movl %esp, %ebx\n\t"
        "stc\n\t"
        "testl %ecx, %ecx\n\t"          /* leaves CF clear: set it again */
        "stc\n\t"
        "jnz 2f\n\t"
        "int $0x22\n"
        ".globl r3_ret34\n"
        "r3_ret34:\n\t"
        "jmp 3f\n"
        "2:\n\t"
        "int $0x23\n"
        ".globl r3_ret35\n"
        "r3_ret35:\n"
        "3:\n\t"
        "jnc 4f\n\t"
        "incl r3_ok\n"
        "4:\n\t"
        "cmpl %esp, %ebx\n\t"
        "je 5f\n\t"
        "incl r3_esp_bad\n"
        "5:\n\t"
        "decl %esi\n\t"
        "jnz 1b\n\t"
        "movl %eax, r3_eax\n\t"
        "popl %esi\n\t"
        "popl %ebx\n\t"
        "ret\n");
extern char r3_ret34[], r3_ret35[];
void r3_trips(void *);

/* Ring 0: INT 34 on the same stack; ESP before/after, EAX. */
static volatile uint32_t r0_esp_in, r0_esp_out, r0_eax;
__asm__(".text\n"
        ".globl r0_int\n"
        "r0_int:\n\t"
        "movl $100, %eax\n\t"
        "movl %esp, r0_esp_in\n\t"
        "int $0x22\n"
        ".globl r0_ret34\n"
        "r0_ret34:\n\t"
        "movl %esp, r0_esp_out\n\t"
        "movl %eax, r0_eax\n\t"
        "ret\n");
extern char r0_ret34[];
void r0_int(void *);

/* The conforming ring-0 handler (runs at CPL 3): record and return. */
static volatile uint32_t c_cs, c_esp, c_eip, c_fcs, c_ss;
__asm__(".text\n"
        ".globl conf_handler\n"
        "conf_handler:\n\t"
        "movw %cs, c_cs\n\t"
        "movw %ss, c_ss\n\t"
        "movl %esp, c_esp\n\t"
        "pushl %eax\n\t"
        "movl 4(%esp), %eax; movl %eax, c_eip\n\t"
        "movl 8(%esp), %eax; movl %eax, c_fcs\n\t"
        "popl %eax\n\t"
        "iretl\n"
        /* ring 3: int $0x26 into it */
        ".globl r3_int26\n"
        "r3_int26:\n\t"
        "int $0x26\n"
        ".globl r3_ret26\n"
        "r3_ret26:\n\t"
        "ret\n"
        /* ring 3: the same with ESP = the argument (a not-present page
         * below it); the fault unwinds, so ESP need not be restored */
        ".globl r3_int26_sp\n"
        "r3_int26_sp:\n\t"
        "movl 4(%esp), %esp\n"
        ".globl r3_int26_sp_insn\n"
        "r3_int26_sp_insn:\n\t"
        "int $0x26\n\t"
        "ud2\n"
        /* ring 3: same-level IRET popping from ESP = the argument */
        ".globl r3_iret_sp\n"
        "r3_iret_sp:\n\t"
        "movl 4(%esp), %esp\n\t"
        "iretl\n");
extern char conf_handler[], r3_ret26[], r3_int26_sp_insn[];
void r3_int26(void *), r3_int26_sp(void *), r3_iret_sp(void *);

static void r3_int24(void *p) { __asm__ volatile("int $0x24"); }
static void r3_int25(void *p) { __asm__ volatile("int $0x25"); }

/* Ring 0: IRETD with the five words at arg (EIP, CS, EFLAGS, ESP, SS;
 * the last two only used for an outer return). */
__asm__(".text\n"
        ".globl r0_iret_frame\n"
        "r0_iret_frame:\n\t"
        "movl 4(%esp), %eax\n\t"
        "pushl 16(%eax)\n\t"
        "pushl 12(%eax)\n\t"
        "pushl 8(%eax)\n\t"
        "pushl 4(%eax)\n\t"
        "pushl 0(%eax)\n\t"
        "iretl\n"
        /* ring 3 after the DS test: report DS, ES in EAX, ECX */
        ".globl r3_segs\n"
        "r3_segs:\n\t"
        "movl %ds, %eax\n\t"
        "movl %es, %ecx\n\t"
        "int $0x80\n");
extern char r3_segs[];
void r0_iret_frame(void *);

/* Ring 3: IRETD to ring-0 CS 0x08 (RPL 0 < CPL 3). */
static void r3_iret_up(void *p)
{
    __asm__ volatile("pushfl; pushl $0x08; pushl $0; iretl");
}

static uint32_t iret_frame[5];

/* Run fn(arg) at CPL 3 with IF = 1 (the PIC is masked). */
static int r3_run_if(void (*fn)(void *), void *arg)
{
    return gdt_ring3_run(fn, arg, FL_IF, pgt_user_stack + sizeof(pgt_user_stack));
}

static void check_trap(const char *name, int vec, int want_vec,
                       uint32_t want_err)
{
    char n[48];
    size_t l = strlen(name);

    memcpy(n, name, l);
    memcpy(n + l, ".vec", 5);
    check(n, (uint32_t)vec, (uint32_t)want_vec);
    memcpy(n + l, ".err", 5);
    check(n, last_trap.err, want_err);
}

void kmain(void)
{
    uint32_t ustack = (uint32_t)(pgt_user_stack + sizeof(pgt_user_stack));
    uint32_t esp0;
    int v;

    pg_setup32();
    outb(0x21, 0xff);   /* no hardware interrupt at IF = 1 */
    outb(0xa1, 0xff);
    esp0 = pgt_tss[1];
    irq_frame_hook = frame_hook;

    /* 1. ring 3 -> 0 -> 3 through the DPL 3 interrupt gate (vector 34) */
    sys_idt_set(0x22, sys_gate(0x08, (uint32_t)trap_stub_34, ACC_INTG | ACC_DPL(3), 0));
    v = r3_run_if(r3_trips, (void *)0);
    check("int.r3.vec", (uint32_t)v, 0x80);
    check("int.r3.count", h_count, N_TRIPS);
    check("int.r3.eip", h_eip, (uint32_t)r3_ret34);
    check("int.r3.cs", h_cs, SEL_UCODE);
    check("int.r3.eflags", h_eflags & (FL_CF | FL_IF | 0x2u | 0x00034100u),
          FL_CF | FL_IF | 0x2u);
    check("int.r3.ss", h_ss, SEL_UDATA);
    check("int.r3.if", h_if, 0);
    check("int.r3.kcs", h_kcs, SEL_KCODE);
    check("int.r3.kss", h_kss, SEL_KDATA);
    check("int.r3.cf_back", r3_ok, N_TRIPS);
    check("int.r3.esp_back", r3_esp_bad, 0);
    check("int.r3.eax", r3_eax, N_TRIPS);
    check("int.r3.esp0", pgt_tss[1], esp0);
    result("int.r3.esp", ustack - h_esp);
    result("int.r3.sum", h_sum);

    /* 2. the same through a trap gate (vector 35): IF stays 1 */
    sys_idt_set(0x23, sys_gate(0x08, (uint32_t)trap_stub_35, ACC_TRAPG | ACC_DPL(3), 0));
    h_count = 0;
    r3_ok = 0;
    v = r3_run_if(r3_trips, (void *)1);
    check("trap.r3.vec", (uint32_t)v, 0x80);
    check("trap.r3.count", h_count, N_TRIPS);
    check("trap.r3.eip", h_eip, (uint32_t)r3_ret35);
    check("trap.r3.if", h_if, FL_IF);
    check("trap.r3.cf_back", r3_ok, N_TRIPS);
    result("trap.r3.sum", h_sum);

    /* 3. ring 0 INT: same stack, three words */
    h_count = 0;
    v = trap_catch(r0_int, NULL);
    check("int.r0.vec", (uint32_t)v, (uint32_t)-1);
    check("int.r0.count", h_count, 1);
    check("int.r0.eip", h_eip, (uint32_t)r0_ret34);
    check("int.r0.cs", h_cs, SEL_KCODE);
    check("int.r0.esp", r0_esp_out, r0_esp_in);
    check("int.r0.eax", r0_eax, 101);

    /* 4. INT n faults from ring 3 */
    sys_idt_set(0x24, sys_gate(0x08, (uint32_t)trap_stub_34, ACC_INTG, 0));
    check_trap("int.gate_dpl", ring3_run(r3_int24, NULL), 13, 0x24 * 8 + 2);
    sys_idt_set(0x25, sys_gate(0x08, (uint32_t)trap_stub_34,
                               (ACC_INTG | ACC_DPL(3)) & 0x7f, 0));
    check_trap("int.gate_np", ring3_run(r3_int25, NULL), 11, 0x25 * 8 + 2);
    sys_idt_set(0x26, sys_gate(SPARE, (uint32_t)conf_handler, ACC_INTG | ACC_DPL(3), 0));
    pgt_gdt_set(7, pgt_desc(0, 0xfffff, ACC_CODE & 0x7f, FLG_G32));
    check_trap("int.cs_np", ring3_run(r3_int26, NULL), 11, SPARE);
    pgt_gdt_set(7, pgt_desc(0, 0xfffff, ACC_DATA, FLG_G32));
    check_trap("int.cs_data", ring3_run(r3_int26, NULL), 13, SPARE);

    /* 5. conforming ring-0 code: CPL stays 3, the frame on the user stack */
    pgt_gdt_set(7, pgt_desc(0, 0xfffff, ACC_CODE | 0x04, FLG_G32));
    v = ring3_run(r3_int26, NULL);
    check("conf.vec", (uint32_t)v, 0x80);
    check("conf.cs", c_cs, SPARE | 3);
    check("conf.ss", c_ss, SEL_UDATA);
    check("conf.eip", c_eip, (uint32_t)r3_ret26);
    check("conf.fcs", c_fcs, SEL_UCODE);
    result("conf.esp", ustack - c_esp);
    /* the first push (EFLAGS) hits the not-present page PG_WIN */
    v = ring3_run(r3_int26_sp, (void *)(PG_WIN + 8));
    check("conf.pf1.vec", (uint32_t)v, 14);
    sdm("conf.pf1.err", last_trap.err, PFE_W | PFE_U);
    check("conf.pf1.cr2", read_cr2(), PG_WIN + 4);
    check("conf.pf1.eip", last_trap.eip, (uint32_t)r3_int26_sp_insn);
    check("conf.pf1.esp", last_trap.user_esp, PG_WIN + 8);
    /* the third push (EIP) does: PG_WIN + 4096 is present */
    pg_pt_win[1] = PG_FRAME(0) | PTE_P | PTE_W | PTE_U;
    invlpg(PG_WIN + 4096);
    v = ring3_run(r3_int26_sp, (void *)(PG_WIN + 4096 + 8));
    check("conf.pf3.vec", (uint32_t)v, 14);
    sdm("conf.pf3.err", last_trap.err, PFE_W | PFE_U);
    check("conf.pf3.cr2", read_cr2(), PG_WIN + 4092);
    check("conf.pf3.eip", last_trap.eip, (uint32_t)r3_int26_sp_insn);
    check("conf.pf3.esp", last_trap.user_esp, PG_WIN + 4096 + 8);

    /* 6. IRETD faults */
    pgt_gdt_set(7, pgt_desc(0, 0xfffff, ACC_CODE & 0x7f, FLG_G32));
    iret_frame[0] = (uint32_t)r3_segs;
    iret_frame[1] = SPARE;
    iret_frame[2] = 0x2;
    check_trap("iret.cs_np", trap_catch(r0_iret_frame, iret_frame), 11, SPARE);
    check_trap("iret.cs_rpl", ring3_run(r3_iret_up, NULL), 13, 0x08);
    pgt_gdt_set(7, pgt_desc(0, 0xfffff, (ACC_DATA | ACC_DPL(3)) & 0x7f, FLG_G32));
    iret_frame[1] = SEL_UCODE;
    iret_frame[3] = ustack;
    iret_frame[4] = SPARE | 3;
    v = trap_catch(r0_iret_frame, iret_frame);
    sdm("iret.ss_np.vec", (uint32_t)v, 12);
    check("iret.ss_np.err", last_trap.err, SPARE);
    iret_frame[4] = SEL_KDATA;
    check_trap("iret.ss_rpl", trap_catch(r0_iret_frame, iret_frame), 13, SEL_KDATA);
    /* a same-level pop from the not-present page PG_WIN */
    v = ring3_run(r3_iret_sp, (void *)(PG_WIN + 16));
    check("iret.pf.vec", (uint32_t)v, 14);
    sdm("iret.pf.err", last_trap.err, PFE_U);
    check("iret.pf.cr2", read_cr2(), PG_WIN + 16);
    /* out to ring 3 with DS = the ring-0 data segment: DS goes null */
    iret_frame[4] = SEL_UDATA;
    __asm__ volatile("movw %w0, %%es" : : "r"(SEL_UDATA));
    v = trap_catch(r0_iret_frame, iret_frame);
    gdt_reload_kseg();
    check("iret.ds.vec", (uint32_t)v, 0x80);
    check("iret.ds", last_trap.eax & 0xffff, 0);
    check("iret.es", last_trap.ecx & 0xffff, SEL_UDATA);

    irq_frame_hook = 0;
    sdm_done();
    finish(0xdbb781bf);
}
