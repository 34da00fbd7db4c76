/*
 * hamt86 - string instructions (MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS)
 * and port I/O (IN, OUT).
 *
 * Forms without a REP prefix are inline IR (INS/OUTS excepted: they call
 * the I/O helpers).  REP forms call a C helper (misc-helper.c) that keeps
 * eSI/eDI/eCX in env exact after each iteration, so a fault in the middle
 * is precise and restartable, and that stops after a bounded number of
 * iterations: it then returns nonzero and the TB jumps back to the same
 * instruction, which lets pending interrupts in at the TB entry check.
 *
 * The helpers take one packed control word (STR_CTL_* below):
 *
 *   15  12 11   8 7   5  4  3    0
 *  +------+------+-----+---+------+
 *  | rep  | seg  |  0  |a16| size |
 *  +------+------+-----+---+------+
 *   rep: 0 none, 1 REP/REPE (F3), 2 REPNE (F2); seg: source segment;
 *   a16: 16-bit addressing (SI/DI/CX wrap at 64 KiB); size: 1, 2 or 4.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

#define STR_CTL_A16        0x10u
#define STR_CTL_SEG_SHIFT  8
#define STR_CTL_REP_SHIFT  12
#define STR_REP_NONE  0u
#define STR_REP_E     1u
#define STR_REP_NE    2u

/* Memory op for size bytes. */
static unsigned str_memop(int size)
{
    return size == 1 ? MO_8 : size == 2 ? MO_16 : MO_32;
}

/* The operand size of a string instruction (size of its X/Y operand). */
static int str_size(const X86Insn *insn)
{
    int i;

    for (i = 0; i < insn->nops; i++) {
        if (insn->op[i].kind == OPK_MEM) {
            return insn->op[i].size;
        }
    }
    return insn->opsize;
}

/* Source segment: DS unless overridden. */
static int str_src_seg(const X86Insn *insn)
{
    return insn->seg_override >= 0 ? insn->seg_override : R_DS;
}

/* Packed control word for the helpers. */
static uint32_t str_ctl(const X86Insn *insn, bool cond_rep)
{
    uint32_t rep = STR_REP_NONE;

    if (insn->prefixes & PFX_REPNE) {
        rep = cond_rep ? STR_REP_NE : STR_REP_E;
    } else if (insn->prefixes & PFX_REP) {
        rep = STR_REP_E;
    }
    return (uint32_t)str_size(insn) | (insn->adsize == 2 ? STR_CTL_A16 : 0) |
           ((uint32_t)str_src_seg(insn) << STR_CTL_SEG_SHIFT) |
           (rep << STR_CTL_REP_SHIFT);
}

/* Does the instruction carry a REP/REPE/REPNE prefix? */
static bool str_has_rep(const X86Insn *insn)
{
    return (insn->prefixes & (PFX_REP | PFX_REPNE)) != 0;
}

/* Linear address seg:eREG. */
static IRTemp str_addr(DisasContext *s, const X86Insn *insn, int reg, int seg)
{
    IRTemp off = ir_global(reg);

    if (insn->adsize == 2) {
        off = ir_new_temp(s->f);
        ir_unop(s->f, IR_ext16u, off, ir_global(reg));
    }
    return gen_add_seg(s, seg, off);
}

/* Per-element step: df (+1/-1) scaled by size. */
static IRTemp str_step(DisasContext *s, int size)
{
    IRTemp d = ir_new_temp(s->f);

    ir_ld_env(s->f, d, offsetof(CPUX86State, df), MO_32);
    if (size > 1) {
        ir_binopi(s->f, IR_shl, d, d, size == 2 ? 1 : 2);
    }
    return d;
}

/* eREG += step (only the low 16 bits with 16-bit addressing). */
static void str_advance(DisasContext *s, const X86Insn *insn, int reg,
                        IRTemp step)
{
    if (insn->adsize == 2) {
        IRTemp t = ir_new_temp(s->f);

        ir_binop(s->f, IR_add, t, ir_global(reg), step);
        ir_deposit(s->f, ir_global(reg), ir_global(reg), t, 0, 16);
    } else {
        ir_binop(s->f, IR_add, ir_global(reg), ir_global(reg), step);
    }
}

/* Call REP helper id; loop back to this instruction while it asks to. */
static void gen_rep_call(DisasContext *s, const X86Insn *insn, unsigned id,
                         bool cond_rep, bool sets_flags)
{
    unsigned l_again = ir_new_label(s->f);
    IRTemp r;

    gen_update_cc_op(s);
    r = gen_helper(s, id, 1, ir_const(s->f, str_ctl(insn, cond_rep)));
    if (sets_flags) {
        /* env->cc_op is either untouched (count 0) or the helper's */
        gen_cc_op_synced(s, CC_OP_DYNAMIC);
    }
    ir_brcond(s->f, IR_COND_NE, r, ir_const(s->f, 0), l_again);
    gen_jmp_im(s, s->next_pc, 0);
    ir_set_label(s->f, l_again);
    gen_jmp_im(s, s->pc, 1);
}

/* Port I/O permission: in protected mode with CPL > IOPL (or VM86) the
 * TSS I/O bitmap decides (helper, #GP(0) when denied). */
static void gen_io_check(DisasContext *s, IRTemp port, int size)
{
    if (s->pe && (s->vm86 || s->cpl > s->iopl)) {
        gen_helper(s, HELPER_check_io, 2, port, ir_const(s->f, size));
    }
}

/* MOVS: ES:[eDI] = seg:[eSI]. */
void gen_movs(DisasContext *s, const X86Insn *insn)
{
    int size = str_size(insn);
    IRTemp v, step;

    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_movs, false, false);
        return;
    }
    v = gen_ld_mem(s, str_memop(size), str_addr(s, insn, R_ESI,
                                                 str_src_seg(insn)));
    gen_st_mem(s, str_memop(size), v, str_addr(s, insn, R_EDI, R_ES));
    step = str_step(s, size);
    str_advance(s, insn, R_ESI, step);
    str_advance(s, insn, R_EDI, step);
}

/* CMPS: flags of seg:[eSI] - ES:[eDI]. */
void gen_cmps(DisasContext *s, const X86Insn *insn)
{
    int size = str_size(insn);
    IRTemp a, b, res, step;

    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_cmps, true, true);
        return;
    }
    a = gen_ld_mem(s, str_memop(size), str_addr(s, insn, R_ESI,
                                                 str_src_seg(insn)));
    b = gen_ld_mem(s, str_memop(size), str_addr(s, insn, R_EDI, R_ES));
    res = ir_new_temp(s->f);
    ir_binop(s->f, IR_sub, res, a, b);
    step = str_step(s, size);
    str_advance(s, insn, R_ESI, step);
    str_advance(s, insn, R_EDI, step);
    gen_flags_sub(s, size, res, a, b);
}

/* SCAS: flags of eAX - ES:[eDI]. */
void gen_scas(DisasContext *s, const X86Insn *insn)
{
    int size = str_size(insn);
    IRTemp a, b, res;

    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_scas, true, true);
        return;
    }
    b = gen_ld_mem(s, str_memop(size), str_addr(s, insn, R_EDI, R_ES));
    a = gen_ld_reg(s, size, R_EAX);
    res = ir_new_temp(s->f);
    ir_binop(s->f, IR_sub, res, a, b);
    str_advance(s, insn, R_EDI, str_step(s, size));
    gen_flags_sub(s, size, res, a, b);
}

/* LODS: eAX = seg:[eSI]. */
void gen_lods(DisasContext *s, const X86Insn *insn)
{
    int size = str_size(insn);
    IRTemp v;

    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_lods, false, false);
        return;
    }
    v = gen_ld_mem(s, str_memop(size), str_addr(s, insn, R_ESI,
                                                 str_src_seg(insn)));
    gen_st_reg(s, size, R_EAX, v);
    str_advance(s, insn, R_ESI, str_step(s, size));
}

/* STOS: ES:[eDI] = eAX. */
void gen_stos(DisasContext *s, const X86Insn *insn)
{
    int size = str_size(insn);

    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_stos, false, false);
        return;
    }
    gen_st_mem(s, str_memop(size), gen_ld_reg(s, size, R_EAX),
               str_addr(s, insn, R_EDI, R_ES));
    str_advance(s, insn, R_EDI, str_step(s, size));
}

/* INS: ES:[eDI] = port DX (always through the helper). */
void gen_ins(DisasContext *s, const X86Insn *insn)
{
    gen_io_check(s, gen_ld_reg(s, 2, R_EDX), str_size(insn));
    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_ins, false, false);
        return;
    }
    gen_helper(s, HELPER_rep_ins, 1, ir_const(s->f, str_ctl(insn, false)));
}

/* OUTS: port DX = seg:[eSI] (always through the helper). */
void gen_outs(DisasContext *s, const X86Insn *insn)
{
    gen_io_check(s, gen_ld_reg(s, 2, R_EDX), str_size(insn));
    if (str_has_rep(insn)) {
        gen_rep_call(s, insn, HELPER_rep_outs, false, false);
        return;
    }
    gen_helper(s, HELPER_rep_outs, 1, ir_const(s->f, str_ctl(insn, false)));
}

/* Port operand of IN/OUT: imm8 or DX. */
static IRTemp io_port(DisasContext *s, const X86Operand *op)
{
    if (op->kind == OPK_IMM) {
        return ir_const(s->f, op->imm & 0xff);
    }
    return gen_ld_reg(s, 2, R_EDX);
}

/* IN AL/eAX, imm8/DX. */
void gen_in(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[0].size;
    IRTemp port = io_port(s, &insn->op[1]), v;

    gen_io_check(s, port, size);
    v = gen_helper(s, HELPER_in, 2, port, ir_const(s->f, size));
    gen_st_reg(s, size, R_EAX, v);
}

/* OUT imm8/DX, AL/eAX; ends the TB so device side effects (exit port,
 * interrupt controller) are seen at the next instruction boundary. */
void gen_out(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[1].size;
    IRTemp port = io_port(s, &insn->op[0]);

    gen_io_check(s, port, size);
    gen_helper(s, HELPER_out, 3, port, gen_ld_reg(s, size, R_EAX),
               ir_const(s->f, size));
    gen_eob(s);
}
