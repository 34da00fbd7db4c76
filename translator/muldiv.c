/*
 * hamt86 - MUL, IMUL (one, two and three operands), DIV, IDIV.
 *
 * Multiplies are inline; CF = OF = "the high half is significant", kept in
 * cc_src of CC_OP_MUL (SF/ZF/PF come from the low result, as QEMU does).
 * Divides call helpers that raise #DE on a zero divisor or a quotient that
 * does not fit; EIP is stored first so the helper can raise with exact state.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* Operand n holding the explicit r/m source of a one-operand form. */
static int src_index(const X86Insn *insn)
{
    return insn->nops > 0 ? insn->nops - 1 : 0;
}

/* Is this the one-operand F6/F7 form? */
static bool one_op_form(const X86Insn *insn)
{
    return insn->opmap == 0 && (insn->opcode & 0xfe) == 0xf6;
}

/* MUL r/m: AX = AL * r/m8, DX:AX = AX * r/m16, EDX:EAX = EAX * r/m32. */
void gen_mul(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    int n = src_index(insn), size = insn->op[n].size, ot = cc_ot(size);
    IRTemp b = gen_ld_op(s, insn, n), a, lo, hi;

    a = gen_ld_reg(s, size, R_EAX);
    lo = ir_new_temp(f);
    hi = ir_new_temp(f);
    ir_binop(f, IR_mul, lo, a, b);
    if (size == 1) {
        gen_st_reg(s, 2, R_EAX, lo);
        ir_extract(f, hi, lo, 8, 8);
    } else if (size == 2) {
        ir_extract(f, hi, lo, 16, 16);
        gen_st_reg(s, 2, R_EAX, lo);
        gen_st_reg(s, 2, R_EDX, hi);
    } else {
        ir_binop(f, IR_muluh, hi, a, b);
        gen_st_reg(s, 4, R_EAX, lo);
        gen_st_reg(s, 4, R_EDX, hi);
    }
    gen_flags_set(s, CC_OP_MULB + ot, gen_zext(s, size, lo), hi, IR_NO_TEMP);
}

/* Signed product of a and b (size bytes): low part, and the overflow
 * indicator (nonzero iff the full product does not fit the size). */
static IRTemp gen_imul_core(DisasContext *s, int size, IRTemp a, IRTemp b,
                            IRTemp *hi_out, IRTemp *ind)
{
    IRFunc *f = s->f;
    IRTemp lo = ir_new_temp(f), t;

    *ind = ir_new_temp(f);
    if (size == 4) {
        IRTemp hi = ir_new_temp(f);
        ir_binop(f, IR_mul, lo, a, b);
        ir_binop(f, IR_mulsh, hi, a, b);
        t = ir_new_temp(f);
        ir_binopi(f, IR_sar, t, lo, 31);
        ir_binop(f, IR_sub, *ind, hi, t);
        if (hi_out) {
            *hi_out = hi;
        }
    } else {
        /* both factors fit 16 bits signed: the product fits 32 bits */
        ir_binop(f, IR_mul, lo, gen_sext(s, size, a), gen_sext(s, size, b));
        t = gen_sext(s, size, lo);
        ir_binop(f, IR_sub, *ind, lo, t);
        if (hi_out) {
            *hi_out = ir_new_temp(f);
            ir_binopi(f, IR_shr, *hi_out, lo, 8 * size);
        }
    }
    return lo;
}

/* IMUL: F6/F7 /5 (one operand), 0F AF (two), 69/6B (three). */
void gen_imul(DisasContext *s, const X86Insn *insn)
{
    int n, size, ot;
    IRTemp a, b, lo, hi, ind;

    if (one_op_form(insn)) {
        n = src_index(insn);
        size = insn->op[n].size;
        b = gen_ld_op(s, insn, n);
        a = gen_ld_reg(s, size, R_EAX);
        lo = gen_imul_core(s, size, a, b, &hi, &ind);
        if (size == 1) {
            gen_st_reg(s, 2, R_EAX, lo);
        } else {
            gen_st_reg(s, size, R_EAX, lo);
            gen_st_reg(s, size, R_EDX, hi);
        }
    } else {
        size = insn->op[0].size;
        if (insn->nops >= 3) {
            a = gen_ld_op(s, insn, 1);
            b = gen_ld_op(s, insn, 2);
        } else {
            a = gen_ld_op(s, insn, 0);
            b = gen_ld_op(s, insn, 1);
        }
        lo = gen_imul_core(s, size, a, b, NULL, &ind);
        gen_st_reg(s, size, insn->op[0].reg, lo);
    }
    ot = cc_ot(size);
    gen_flags_set(s, CC_OP_MULB + ot, gen_zext(s, size, lo), ind, IR_NO_TEMP);
}

/* DIV / IDIV through the helper for the operand size. */
static void gen_divide(DisasContext *s, const X86Insn *insn, bool sign)
{
    static const unsigned h_div[3] = { HELPER_div_b, HELPER_div_w, HELPER_div_l };
    static const unsigned h_idiv[3] = { HELPER_idiv_b, HELPER_idiv_w,
                                        HELPER_idiv_l };
    int n = src_index(insn), size = insn->op[n].size, ot = cc_ot(size);
    IRTemp b = gen_ld_op(s, insn, n);

    /* the helper raises #DE with retaddr 0: make EIP exact */
    gen_set_eip(s, s->pc);
    gen_helper(s, sign ? h_idiv[ot] : h_div[ot], 1, b);
}

/* DIV r/m */
void gen_div(DisasContext *s, const X86Insn *insn) { gen_divide(s, insn, false); }
/* IDIV r/m */
void gen_idiv(DisasContext *s, const X86Insn *insn) { gen_divide(s, insn, true); }
