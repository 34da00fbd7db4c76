/*
 * hamt86 - x87 and MMX translation: the gen_* entries of the x87 rows
 * (escapes D8..DF, map X87), WAIT, FXSAVE/FXRSTOR and the MMX rows.
 *
 * Every x87 instruction is one call of helper_x87 / helper_x87_st
 * (translator/fpu-helper.c) with the escape, ModRM, operand size and
 * segment packed into one constant (translator/fpu-internal.h), the linear
 * address and offset of the memory operand and the instruction's EIP; the
 * helper checks CR0.EM/TS and pending exceptions at run time, so a TB does
 * not depend on CR0 or on the FPU state.
 */
#include "translator/translate.h"
#include "translator/cc.h"
#include "translator/fpu-internal.h"

/* Does the memory form esc /reg write guest memory? */
static bool x87_mem_writes(unsigned esc, unsigned reg)
{
    switch (esc) {
    case 1: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    case 3: return reg == 2 || reg == 3 || reg == 7;
    case 5: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    case 7: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    default: return false;
    }
}

/* Any x87 row: one helper call. */
void gen_x87(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    unsigned esc = insn->opcode & 7, modrm = insn->modrm;
    bool mem = (modrm >> 6) != 3;
    uint32_t ctl = modrm | esc << FPU_CTL_ESC_SHIFT |
                   (insn->opsize == 4 ? FPU_CTL_O32 : 0);
    IRTemp addr = ir_const(f, 0), ea = ir_const(f, 0);
    bool st = false;

    if (mem) {
        ctl |= (uint32_t)insn->mem.seg << FPU_CTL_SEG_SHIFT;
        addr = gen_linear_addr(s, insn);
        ea = gen_ea_offset(s, insn);
        st = x87_mem_writes(esc, (modrm >> 3) & 7);
    }
    gen_helper(s, st ? HELPER_x87_st :
                  (esc == 7 && modrm == 0xe0) ? HELPER_x87_gpr : HELPER_x87,
               4, ir_const(f, ctl), addr, ir_const(f, insn->eip), ea);
    if (insn->def->flags_written) {
        /* FCOMI / FUCOMI (+P): the helper stored cc_op = EFLAGS */
        gen_cc_op_synced(s, CC_OP_EFLAGS);
    }
}

/* WAIT / FWAIT. */
void gen_fwait(DisasContext *s, const X86Insn *insn)
{
    (void)insn;
    gen_helper(s, HELPER_fwait, 0);
}

/* FXSAVE m512. */
void gen_fxsave(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_fxsave, 1, gen_linear_addr(s, insn));
}

/* FXRSTOR m512. */
void gen_fxrstor(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_fxrstor, 1, gen_linear_addr(s, insn));
}

/* Any MMX row: one helper call (opcode, ModRM, imm8; memory address). */
void gen_mmx(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    uint32_t ctl = insn->opcode | (uint32_t)insn->modrm << 8;
    IRTemp addr = ir_const(f, 0);
    bool mem = insn->has_modrm && (insn->modrm >> 6) != 3;
    unsigned i;

    for (i = 0; i < insn->nops; i++) {
        if (insn->op[i].kind == OPK_IMM) {
            ctl |= (insn->op[i].imm & 0xff) << 16;
        }
    }
    if (mem) {
        addr = gen_linear_addr(s, insn);
    }
    gen_helper(s, mem && (insn->opcode == 0x7e || insn->opcode == 0x7f) ?
                  HELPER_mmx_st :
                  !mem && insn->opcode == 0x7e ? HELPER_mmx_gpr : HELPER_mmx,
               2, ir_const(f, ctl), addr);
}
