/*
 * hamt86 - control transfer: JMP/Jcc/CALL/RET (near and far), LOOP family,
 * JCXZ, INT n/INT3/INTO, IRET, SYSENTER/SYSEXIT.
 *
 * Near transfers are inline IR and chain with goto_tb when the target is on
 * the TB's page.  Far transfers, IRET and software interrupts go through C
 * helpers (seg-helper.c) that check descriptors and set CS/EIP themselves;
 * the TB then exits to the loop without storing EIP.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* x86 condition encodings used here. */
#define JCC_NO 1
#define JCC_E  4
#define JCC_NE 5

/* Leave the TB after a helper that has set CS:EIP (optionally single-step). */
static void gen_exit_after_helper(DisasContext *s, bool step)
{
    if (step && (s->flags & HF_TF_MASK)) {
        gen_helper(s, HELPER_single_step, 0);
    }
    ir_exit_tb(s->f, IR_EXIT_PLAIN);
    s->is_jmp = DISAS_NORETURN;
}

/* After a helper that set CS:EIP (and CPL, SS:ESP) and leaves no
 * interrupt to deliver: chain through the jump cache with env's CS base
 * and hflags, or leave to the loop (single-step, no chaining). */
static void gen_chain_far(DisasContext *s)
{
    if (!(s->flags & HF_TF_MASK) &&
        !(s->tb->cflags & (CF_NOCHAIN | CF_NOCACHE | CF_SINGLE))) {
        ir_lookup_and_goto_ptr_far(s->f);
    } else {
        ir_exit_tb(s->f, IR_EXIT_PLAIN);
    }
}

/* JMP rel / JMP r/m (near). */
void gen_jmp(DisasContext *s, const X86Insn *insn)
{
    if (insn->op[0].kind == OPK_REL) {
        gen_jmp_im(s, insn->op[0].imm, 0);
    } else {
        gen_jmp_dyn(s, gen_ld_op(s, insn, 0));
    }
}

/* Jcc rel8 / rel16/32. */
void gen_jcc(DisasContext *s, const X86Insn *insn)
{
    unsigned l_taken = ir_new_label(s->f);

    gen_update_cc_op(s);
    gen_cc_branch(s, insn->cc, l_taken);
    gen_jmp_im(s, s->next_pc, 0);
    ir_set_label(s->f, l_taken);
    gen_jmp_im(s, insn->op[0].imm, 1);
}

/* CALL rel / CALL r/m (near): the target is read before the push. */
void gen_call(DisasContext *s, const X86Insn *insn)
{
    IRTemp ret = ir_const(s->f, s->next_pc);

    if (insn->op[0].kind == OPK_REL) {
        gen_push_v(s, insn->opsize, ret);
        gen_jmp_im(s, insn->op[0].imm, 0);
    } else {
        IRTemp target = gen_ld_op(s, insn, 0);

        gen_push_v(s, insn->opsize, ret);
        gen_jmp_dyn(s, target);
    }
}

/* RET / RET imm16 (near). */
void gen_ret(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    uint32_t extra = insn->nops ? insn->op[0].imm & 0xffff : 0;
    IRTemp eip = gen_pop_peek(s, size, 0);

    gen_stack_adjust(s, size + (int32_t)extra);
    gen_jmp_dyn(s, eip);
}

/* Selector and offset of a far pointer operand (Ap or Mp). */
static void gen_far_ptr(DisasContext *s, const X86Insn *insn, IRTemp *sel,
                        IRTemp *off)
{
    int size = insn->opsize;

    if (insn->op[0].kind == OPK_FAR) {
        *sel = ir_const(s->f, insn->op[0].sel);
        *off = ir_const(s->f, size == 2 ? insn->op[0].imm & 0xffff
                                        : insn->op[0].imm);
    } else {
        IRTemp addr = gen_linear_addr(s, insn);
        IRTemp a2 = ir_new_temp(s->f);

        *off = gen_ld_mem(s, size == 2 ? MO_16 : MO_32, addr);
        ir_binopi(s->f, IR_add, a2, addr, size);
        *sel = gen_ld_mem(s, MO_16, a2);
    }
}

/* JMP ptr16:16/32 / JMP m16:16/32. */
void gen_jmp_far(DisasContext *s, const X86Insn *insn)
{
    IRTemp sel, off;

    gen_far_ptr(s, insn, &sel, &off);
    gen_helper(s, HELPER_ljmp, 3, sel, off, ir_const(s->f, s->next_pc));
    gen_exit_after_helper(s, true);
}

/* CALL ptr16:16/32 / CALL m16:16/32. */
void gen_call_far(DisasContext *s, const X86Insn *insn)
{
    IRTemp sel, off;

    gen_far_ptr(s, insn, &sel, &off);
    gen_helper(s, HELPER_lcall, 4, sel, off, ir_const(s->f, insn->opsize),
               ir_const(s->f, s->next_pc));
    gen_exit_after_helper(s, true);
}

/* RETF / RETF imm16. */
void gen_retf(DisasContext *s, const X86Insn *insn)
{
    uint32_t extra = insn->nops ? insn->op[0].imm & 0xffff : 0;

    gen_helper(s, HELPER_lret, 2, ir_const(s->f, insn->opsize),
               ir_const(s->f, extra));
    if (!(s->flags & HF_TF_MASK) && !(s->tb->cflags & CF_NOCHAIN)) {
        /* the helper set CS:EIP (and CPL, SS): chain through the jump
         * cache with env's CS base and hflags */
        ir_lookup_and_goto_ptr_far(s->f);
        s->is_jmp = DISAS_NORETURN;
    } else {
        gen_exit_after_helper(s, true);
    }
}

/* eCX - 1 written back (CX only for 16-bit addressing); returns the count. */
static IRTemp gen_dec_count(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_sub, t, ir_global(R_ECX), 1);
    if (insn->adsize == 2) {
        ir_unop(s->f, IR_ext16u, t, t);
        ir_deposit(s->f, ir_global(R_ECX), ir_global(R_ECX), t, 0, 16);
    } else {
        ir_mov(s->f, ir_global(R_ECX), t);
    }
    return t;
}

/* LOOP / LOOPE / LOOPNE: cc_exit is the flag condition that ends the loop. */
static void gen_loop_common(DisasContext *s, const X86Insn *insn, int cc_exit)
{
    unsigned l_next = ir_new_label(s->f);
    IRTemp cnt;

    gen_update_cc_op(s);
    cnt = gen_dec_count(s, insn);
    ir_brcond(s->f, IR_COND_EQ, cnt, ir_const(s->f, 0), l_next);
    if (cc_exit >= 0) {
        gen_cc_branch(s, cc_exit, l_next);
    }
    gen_jmp_im(s, insn->op[0].imm, 1);
    ir_set_label(s->f, l_next);
    gen_jmp_im(s, s->next_pc, 0);
}

/* LOOP rel8. */
void gen_loop(DisasContext *s, const X86Insn *insn)
{
    gen_loop_common(s, insn, -1);
}

/* LOOPE/LOOPZ rel8: continue while eCX != 0 and ZF = 1. */
void gen_loope(DisasContext *s, const X86Insn *insn)
{
    gen_loop_common(s, insn, JCC_NE);
}

/* LOOPNE/LOOPNZ rel8: continue while eCX != 0 and ZF = 0. */
void gen_loopne(DisasContext *s, const X86Insn *insn)
{
    gen_loop_common(s, insn, JCC_E);
}

/* JCXZ / JECXZ rel8 (the address size picks CX or ECX). */
void gen_jcxz(DisasContext *s, const X86Insn *insn)
{
    unsigned l_taken = ir_new_label(s->f);
    IRTemp cnt = ir_global(R_ECX);

    gen_update_cc_op(s);
    if (insn->adsize == 2) {
        cnt = ir_new_temp(s->f);
        ir_unop(s->f, IR_ext16u, cnt, ir_global(R_ECX));
    }
    ir_brcond(s->f, IR_COND_EQ, cnt, ir_const(s->f, 0), l_taken);
    gen_jmp_im(s, s->next_pc, 0);
    ir_set_label(s->f, l_taken);
    gen_jmp_im(s, insn->op[0].imm, 1);
}

/* Raise software interrupt intno with return address next_pc. */
static void gen_soft_int(DisasContext *s, int intno)
{
    gen_update_cc_op(s);
    gen_set_eip(s, s->pc);
    gen_helper(s, HELPER_raise_interrupt, 2, ir_const(s->f, intno),
               ir_const(s->f, s->next_pc));
    gen_chain_far(s);
}

/* INT imm8 (VM86 with IOPL < 3: #GP(0)). */
void gen_int(DisasContext *s, const X86Insn *insn)
{
    if (s->vm86 && s->iopl != 3) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    gen_soft_int(s, insn->op[0].imm & 0xff);
    s->is_jmp = DISAS_NORETURN;
}

/* INT3. */
void gen_int3(DisasContext *s, const X86Insn *insn)
{
    gen_soft_int(s, EXCP03_BP);
    s->is_jmp = DISAS_NORETURN;
}

/* INTO: #OF (as a trap) when OF = 1; falls through otherwise. */
void gen_into(DisasContext *s, const X86Insn *insn)
{
    unsigned l_no = ir_new_label(s->f);

    gen_update_cc_op(s);
    gen_cc_branch(s, JCC_NO, l_no);
    gen_soft_int(s, EXCP04_OF);
    ir_set_label(s->f, l_no);
}

/* IRET / IRETD: the helper's fast path lets the TB chain to the target. */
void gen_iret(DisasContext *s, const X86Insn *insn)
{
    unsigned l_loop = ir_new_label(s->f);
    IRTemp fast = gen_helper(s, HELPER_iret, 2, ir_const(s->f, insn->opsize),
                             ir_const(s->f, s->next_pc));

    gen_cc_op_synced(s, CC_OP_EFLAGS);
    ir_brcond(s->f, IR_COND_EQ, fast, ir_const(s->f, 0), l_loop);
    gen_chain_far(s);
    ir_set_label(s->f, l_loop);
    gen_exit_after_helper(s, false);
}

/* SYSENTER (#GP(0) in real mode or with SYSENTER_CS = 0: the helper). */
void gen_sysenter(DisasContext *s, const X86Insn *insn)
{
    if (!s->pe) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    gen_helper(s, HELPER_sysenter, 0);
    gen_chain_far(s);   /* IF = 0 now: no interrupt to take */
    s->is_jmp = DISAS_NORETURN;
}

/* SYSEXIT (CPL 0 only). */
void gen_sysexit(DisasContext *s, const X86Insn *insn)
{
    if (!s->pe || s->vm86 || s->cpl != 0) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    gen_helper(s, HELPER_sysexit, 0);
    gen_chain_far(s);   /* IF unchanged: nothing became deliverable */
    s->is_jmp = DISAS_NORETURN;
}
