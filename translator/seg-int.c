/*
 * hamt86 - interrupt and exception delivery (x86_cpu_do_interrupt):
 * real mode through the IVT, protected mode through interrupt, trap and
 * task gates (descriptor layout: seg-helper.c).
 *
 * Double faults: while an exception is being delivered, env->old_exception
 * holds its vector + 1 (0 = none).  A fault during delivery re-enters
 * x86_cpu_do_interrupt with old_exception still set, which applies the
 * SDM's contributory/page-fault table (#DF) and stops the machine on a
 * fault while delivering #DF (triple fault: a reset, exit status 0 as
 * qemu-system-i386 -no-reboot).
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/machine.h"
#include "translator/seg-internal.h"

#define TRIPLE_FAULT_STATUS 0   /* a reset: as -no-reboot (README, --help) */

/* INT n / INT3 / INTO from translated code (EIP of the insn is stored):
 * returns when the fast path (seg-fast.c) delivered it, else leaves to the
 * execution loop, which delivers it through the general path. */
void helper_raise_interrupt(CPUX86State *env, uint32_t intno,
                            uint32_t next_eip)
{
    if (!seg_int_fast(env, (int)intno, next_eip)) {
        raise_interrupt(env, (int)intno, 1, 0, next_eip, 0);
    }
    stats.exceptions++;   /* as the loop counts the general path's */
}

/* Vectors that push an error code. */
static bool vec_has_error_code(int intno)
{
    return intno == EXCP08_DF || (intno >= EXCP0A_TS && intno <= EXCP0E_PF) ||
           intno == EXCP11_AC;
}

/* #DE, #TS, #NP, #SS, #GP: the contributory class. */
static bool vec_contributory(int intno)
{
    return intno == EXCP00_DE || (intno >= EXCP0A_TS && intno <= EXCP0D_GP);
}

/* A fault while delivering #DF: report and stop the machine. */
static NORETURN void triple_fault(CPUX86State *env, int intno)
{
    char buf[256];
    int n;

    n = h_snprintf(buf, sizeof(buf),
                   "hamt86: triple fault at EIP 0x%08x%s (CS 0x%04x, "
                   "vector %d during #DF)\n", env->eip,
                   LOG_SYM(env->segs[R_CS].base + env->eip),
                   env->segs[R_CS].selector, intno);
    os_write(2, buf, (size_t)n);
    env->old_exception = 0;
    machine_request_exit(TRIPLE_FAULT_STATUS);
    cpu_exit_tb(env);
    env->exception_index = EXCP_EXIT;
    cpu_loop_exit(env);
}

/* Real-mode delivery through the IVT (4-byte entries at IDTR.base). */
static void do_interrupt_real(CPUX86State *env, int intno, uint32_t ret_eip)
{
    uint32_t ent = (uint32_t)intno * 4, off, sel;
    SegStack st;

    if (ent + 3 > env->idt.limit) {
        seg_raise(env, EXCP0D_GP, ent * 2 + 2, 0);
    }
    off = seg_ld(env, env->idt.base + ent, MO_16, MMU_KNOSMAP_IDX, 0);
    sel = seg_ld(env, env->idt.base + ent + 2, MO_16, MMU_KNOSMAP_IDX, 0);
    stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], 0, 0);
    stk_push(env, &st, sys_get_eflags(env), 2);
    stk_push(env, &st, env->segs[R_CS].selector, 2);
    stk_push(env, &st, ret_eip, 2);
    stk_commit(env, &st);
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    load_cs_real(env, sel);
    env->eip = off;
    seg_sync_hflags(env, 0);
}

/* Delivery through a task gate of the IDT: switch, then push the error code. */
static void do_interrupt_task(CPUX86State *env, int intno, bool is_int,
                              bool has_err, uint32_t err, uint32_t ret_eip,
                              uint32_t e1, uint32_t e2)
{
    uint32_t gerr = (uint32_t)intno * 8 + 2, tsel = e1 >> 16, t1, t2;
    SegStack st;

    if (is_int && desc_dpl(e2) < seg_cpl(env)) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, gerr, 0);
    }
    if ((tsel & 4) || !desc_fetch(env, tsel, &t1, &t2, 0) ||
        (t2 & DESC_S_MASK) || (((t2 >> DESC_TYPE_SHIFT) & 15) != 1 &&
                               ((t2 >> DESC_TYPE_SHIFT) & 15) != 9)) {
        seg_raise(env, EXCP0D_GP, tsel & 0xfffc, 0);
    }
    task_switch(env, tsel, t1, t2, TS_INT, ret_eip, 0);
    if (has_err) {
        int size = ((t2 >> DESC_TYPE_SHIFT) & 8) ? 4 : 2;

        stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], seg_cpl(env), 0);
        stk_push(env, &st, err, size);
        stk_commit(env, &st);
    }
}

/* Protected-mode delivery through an interrupt or trap gate of the IDT. */
static void do_interrupt_pm(CPUX86State *env, int intno, bool is_int,
                            bool has_err, uint32_t err, uint32_t ret_eip)
{
    int cpl = seg_cpl(env), dpl, size, new_cpl;
    uint32_t gerr = (uint32_t)intno * 8 + 2;
    uint32_t e1, e2, type, sel, off, c1, c2, ss = 0, esp = 0, s1, s2, fl;
    bool vm86 = (env->eflags & VM_MASK) != 0, inner = false;
    SegmentCache nss;
    SegStack st;

    if ((uint32_t)intno * 8 + 7 > env->idt.limit) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    e1 = seg_ld(env, env->idt.base + intno * 8, MO_32, MMU_KNOSMAP_IDX, 0);
    e2 = seg_ld(env, env->idt.base + intno * 8 + 4, MO_32, MMU_KNOSMAP_IDX, 0);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;   /* includes S */
    switch (type) {
    case 6: case 7: case 14: case 15:
        break;
    case 5:
        do_interrupt_task(env, intno, is_int, has_err, err, ret_eip, e1, e2);
        return;
    default:
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (is_int && desc_dpl(e2) < cpl) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, gerr, 0);
    }
    sel = e1 >> 16;
    off = (e2 & 0xffff0000u) | (e1 & 0xffff);
    if ((sel & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, 0);
    }
    if (!desc_fetch(env, sel, &c1, &c2, 0) || !(c2 & DESC_S_MASK) ||
        !(c2 & DESC_CS_MASK)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    dpl = desc_dpl(c2);
    if (dpl > cpl) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    if (!(c2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, 0);
    }
    if (!(c2 & DESC_C_MASK) && dpl < cpl) {
        inner = true;
        tss_stack(env, dpl, &ss, &esp, 0);
        check_inner_ss(env, ss, dpl, &s1, &s2, 0);
        seg_cache_set(&nss, ss, s1, s2);
        new_cpl = dpl;
    } else if ((c2 & DESC_C_MASK) || dpl == cpl) {
        if (vm86) {
            seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
        }
        nss = env->segs[R_SS];
        esp = env->regs[R_ESP];
        new_cpl = cpl;
    } else {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    if (vm86 && dpl != 0) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }

    size = (type & 8) ? 4 : 2;
    fl = sys_get_eflags(env);
    stk_init(&st, &nss, esp, new_cpl, 0);
    if (inner) {
        if (vm86) {
            stk_push(env, &st, env->segs[R_GS].selector, size);
            stk_push(env, &st, env->segs[R_FS].selector, size);
            stk_push(env, &st, env->segs[R_DS].selector, size);
            stk_push(env, &st, env->segs[R_ES].selector, size);
        }
        stk_push(env, &st, env->segs[R_SS].selector, size);
        stk_push(env, &st, env->regs[R_ESP], size);
    }
    stk_push(env, &st, fl, size);
    stk_push(env, &st, env->segs[R_CS].selector, size);
    stk_push(env, &st, ret_eip, size);
    if (has_err) {
        stk_push(env, &st, err, size);
    }

    /* commit */
    if (inner) {
        env->segs[R_SS] = nss;
        env->regs[R_ESP] = (esp & ~st.mask) | (st.sp & st.mask);
        if (vm86) {
            seg_cache_null(&env->segs[R_ES], 0);
            seg_cache_null(&env->segs[R_DS], 0);
            seg_cache_null(&env->segs[R_FS], 0);
            seg_cache_null(&env->segs[R_GS], 0);
        }
    } else {
        stk_commit(env, &st);
    }
    seg_cache_set(&env->segs[R_CS], (sel & 0xfffc) | new_cpl, c1, c2);
    env->eip = size == 2 ? off & 0xffff : off;
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~IF_MASK;   /* interrupt gate */
    }
    seg_sync_hflags(env, new_cpl);
}

/* Deliver one event: exceptions, software INT n (is_int) and external
 * interrupts (is_hw: never an error code). */
static void do_interrupt_all(CPUX86State *env, int intno, bool is_int,
                             bool is_hw, uint32_t err, uint32_t next_eip)
{
    uint32_t ret_eip = is_int ? next_eip : env->eip;
    int old = env->old_exception > 0 ? env->old_exception - 1 : -1;
    bool has_err;

    if (old >= 0 && !is_int && !is_hw) {
        /* a fault while delivering old: the SDM's double-fault table */
        if (old == EXCP08_DF) {
            triple_fault(env, intno);
        }
        if ((vec_contributory(old) && vec_contributory(intno)) ||
            (old == EXCP0E_PF && (vec_contributory(intno) ||
                                  intno == EXCP0E_PF))) {
            intno = EXCP08_DF;
            err = 0;
        }
    }
    has_err = !is_int && !is_hw && vec_has_error_code(intno);
    env->old_exception = (is_int || is_hw) ? 0 : intno + 1;

    if (log_enabled(LOG_INT)) {
        hlog("int: vector 0x%02x%s%s err 0x%x at %04x:%08x%s ESP %08x "
             "CPL %d%s\n", intno, is_int ? " (soft)" : "",
             is_hw ? " (hw)" : "", has_err ? err : 0,
             env->segs[R_CS].selector, env->eip,
             LOG_SYM(env->segs[R_CS].base + env->eip), env->regs[R_ESP],
             seg_cpl(env), intno == EXCP0E_PF ? " (#PF)" : "");
        if (intno == EXCP0E_PF) {
            hlog("int: CR2 %08x\n", env->cr[2]);
        }
    }

    if (env->cr[0] & CR0_PE) {
        do_interrupt_pm(env, intno, is_int, has_err, err, ret_eip);
    } else {
        do_interrupt_real(env, intno, ret_eip);
    }
    env->old_exception = 0;
    env->hflags &= ~HF_INHIBIT_IRQ;
    env->halted = false;
}

/* Deliver env->exception_index (an exception or software interrupt). */
void x86_cpu_do_interrupt(CPUX86State *env)
{
    int intno = env->exception_index;

    if (intno < 0 || intno >= 256) {
        return;
    }
    do_interrupt_all(env, intno, env->exception_is_int != 0, false,
                     (uint32_t)env->error_code, env->exception_next_eip);
}

/* Deliver external interrupt vector intno (PIC): no error code, no DPL check. */
void x86_cpu_do_hw_interrupt(CPUX86State *env, int intno)
{
    do_interrupt_all(env, intno & 0xff, false, true, 0, env->eip);
}
