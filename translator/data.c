/*
 * hamt86 - data-movement instructions: MOV, MOVZX/MOVSX, LEA, XCHG, the
 * stack (PUSH/POP/PUSHA/POPA/PUSHF/POPF/ENTER/LEAVE), XLAT, CMOVcc, SETcc,
 * LAHF/SAHF, the flag instructions (CLC/STC/CMC/CLD/STD) and NOP.
 *
 * Every instruction that both stores to memory and changes a register
 * performs all its loads and stores first and writes registers last, so a
 * fault leaves the guest state as it was before the instruction.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* Memory op for an access of size bytes. */
static unsigned data_memop(int size)
{
    return size == 1 ? MO_8 : size == 2 ? MO_16 : MO_32;
}

/* SS-relative offset ESP + delta, wrapped to 16 bits when SS.B = 0. */
static IRTemp data_sp_plus(DisasContext *s, IRTemp base, int32_t delta)
{
    IRTemp t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_add, t, base, (uint32_t)delta);
    if (!s->ss32) {
        ir_unop(s->f, IR_ext16u, t, t);
    }
    return t;
}

/* Write a stack pointer offset to ESP (only SP when SS.B = 0). */
static void data_set_sp(DisasContext *s, IRTemp sp)
{
    if (s->ss32) {
        ir_mov(s->f, ir_global(R_ESP), sp);
    } else {
        ir_deposit(s->f, ir_global(R_ESP), ir_global(R_ESP), sp, 0, 16);
    }
}

/* MOV r/m, r / r, r/m / r/m, imm / moffs forms. */
void gen_mov(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, insn, 0, gen_ld_op(s, insn, 1), IR_NO_TEMP);
}

/* MOVZX Gv, Eb/Ew. */
void gen_movzx(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, insn, 0, gen_ld_op(s, insn, 1), IR_NO_TEMP);
}

/* MOVSX Gv, Eb/Ew. */
void gen_movsx(DisasContext *s, const X86Insn *insn)
{
    IRTemp v = gen_ld_op(s, insn, 1);

    gen_st_op(s, insn, 0, gen_sext(s, insn->op[1].size, v), IR_NO_TEMP);
}

/* LEA Gv, M: the offset only, truncated to the operand size by the store. */
void gen_lea(DisasContext *s, const X86Insn *insn)
{
    gen_st_reg(s, insn->op[0].size, insn->op[0].reg, gen_ea_offset(s, insn));
}

/* XCHG r/m, r (memory forms are implicitly locked: one CPU, nothing to do). */
void gen_xchg(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[0].size;
    IRTemp a, b, addr = IR_NO_TEMP;

    if (insn->op[0].kind == OPK_REG && insn->op[1].kind == OPK_REG &&
        insn->op[0].reg == insn->op[1].reg && size == insn->op[1].size) {
        /* a register exchanged with itself: nothing changes */
        return;
    }
    if (insn->op[0].kind == OPK_MEM) {
        addr = gen_linear_addr(s, insn);
    }
    a = gen_ld_op_addr(s, insn, 0, addr);
    b = gen_ld_op(s, insn, 1);
    /* memory first: a faulting store leaves the register untouched */
    gen_st_op(s, insn, 0, b, addr);
    gen_st_op(s, insn, 1, a, IR_NO_TEMP);
}

/* PUSH r / r/m / imm. */
void gen_push(DisasContext *s, const X86Insn *insn)
{
    gen_push_v(s, insn->opsize, gen_ld_op(s, insn, 0));
}

/* Does the memory operand use ESP as base or index? */
static bool mem_uses_esp(const X86Insn *insn)
{
    return insn->mem.base == R_ESP || insn->mem.index == R_ESP;
}

/* POP r / r/m: a memory destination is addressed with the popped ESP. */
void gen_pop(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRTemp v, addr;

    if (insn->op[0].kind == OPK_REG) {
        v = gen_pop_v(s, size);
        gen_st_reg(s, size, insn->op[0].reg, v);
        return;
    }
    v = gen_pop_peek(s, size, 0);
    if (mem_uses_esp(insn)) {
        /* compute the address with ESP already incremented */
        gen_stack_adjust(s, size);
        addr = gen_linear_addr(s, insn);
        gen_stack_adjust(s, -size);
    } else {
        addr = gen_linear_addr(s, insn);
    }
    gen_st_mem(s, data_memop(size), v, addr);
    gen_stack_adjust(s, size);
}

/* PUSHA/PUSHAD: all stores first, then ESP. */
void gen_pusha(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize, i;
    IRTemp esp0 = ir_new_temp(s->f), sp;

    ir_mov(s->f, esp0, ir_global(R_ESP));
    for (i = 0; i < 8; i++) {
        IRTemp v = i == R_ESP ? gen_zext(s, size, esp0) : gen_ld_reg(s, size, i);

        sp = data_sp_plus(s, esp0, -(i + 1) * size);
        gen_st_mem(s, data_memop(size), v, gen_add_seg(s, R_SS, sp));
    }
    data_set_sp(s, data_sp_plus(s, esp0, -8 * size));
}

/* POPA/POPAD: all loads first (ESP's slot is skipped), then registers. */
void gen_popa(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize, i;
    IRTemp v[8];

    for (i = 0; i < 8; i++) {
        if (i != R_ESP) {
            v[i] = gen_pop_peek(s, size, (7 - i) * size);
        }
    }
    for (i = 0; i < 8; i++) {
        if (i != R_ESP) {
            gen_st_reg(s, size, i, v[i]);
        }
    }
    gen_stack_adjust(s, 8 * size);
}

/* PUSHF/PUSHFD (VM86 with IOPL < 3: #GP(0)). */
void gen_pushf(DisasContext *s, const X86Insn *insn)
{
    IRTemp fl;

    if (s->vm86 && s->iopl != 3) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    fl = gen_helper(s, HELPER_read_eflags, 0);
    gen_push_v(s, insn->opsize, fl);
}

/*
 * POPF/POPFD.  Which bits change depends on the privilege:
 *   always            CF PF AF ZF SF TF DF OF NT AC ID
 *   CPL <= IOPL       IF
 *   CPL == 0          IOPL
 *   VM86 (IOPL == 3)  IF, never IOPL; IOPL < 3: #GP(0)
 * and a 16-bit POPF only touches the low word.
 */
void gen_popf(DisasContext *s, const X86Insn *insn)
{
    uint32_t mask = CC_ARITH | TF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK;
    IRTemp v;

    if (s->vm86) {
        if (s->iopl != 3) {
            gen_exception(s, EXCP0D_GP, 0);
            return;
        }
        mask |= IF_MASK;
    } else {
        if (s->cpl == 0) {
            mask |= IOPL_MASK;
        }
        if (s->cpl <= s->iopl) {
            mask |= IF_MASK;
        }
    }
    if (insn->opsize == 2) {
        mask &= 0xffff;
    }
    v = gen_pop_peek(s, insn->opsize, 0);
    gen_helper(s, HELPER_write_eflags, 2, v, ir_const(s->f, mask));
    gen_cc_op_synced(s, CC_OP_EFLAGS);
    gen_stack_adjust(s, insn->opsize);
    gen_eob(s);
}

/* LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. */
void gen_lahf(DisasContext *s, const X86Insn *insn)
{
    IRTemp fl = gen_compute_eflags(s), t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_and, t, fl, CC_S | CC_Z | CC_A | CC_P | CC_C);
    ir_binopi(s->f, IR_or, t, t, 0x02);
    gen_st_reg(s, 1, 4, t);   /* AH */
}

/* SAHF: SF ZF AF PF CF from AH merged into the lazy state; OF kept. */
void gen_sahf(DisasContext *s, const X86Insn *insn)
{
    IRTemp ah = gen_ld_reg(s, 1, 4), n = ir_new_temp(s->f);

    ir_binopi(s->f, IR_and, n, ah, CC_S | CC_Z | CC_A | CC_P | CC_C);
    gen_flags_merge(s, CC_S | CC_Z | CC_A | CC_P | CC_C, n);
}

/*
 * ENTER imm16, level.  Frame layout (size = operand size):
 *
 *   old ESP -> +-----------+
 *              | old EBP   |  <- frame (new EBP)
 *              | EBP-1*sz  |  level-1 display entries copied from the
 *              |   ...     |  caller's frame
 *              | frame     |  (when level > 0)
 *              | locals    |  imm16 bytes
 *   new ESP -> +-----------+
 */
void gen_enter(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize, i;
    unsigned mo = data_memop(size);
    uint32_t locals = insn->op[0].imm & 0xffff;
    int level = insn->op[1].imm & 31;
    IRTemp esp0 = ir_new_temp(s->f), frame, ebp, sp;

    ir_mov(s->f, esp0, ir_global(R_ESP));
    frame = data_sp_plus(s, esp0, -size);
    gen_st_mem(s, mo, gen_ld_reg(s, size, R_EBP), gen_add_seg(s, R_SS, frame));
    if (level > 0) {
        ebp = ir_new_temp(s->f);
        ir_mov(s->f, ebp, ir_global(R_EBP));
        for (i = 1; i < level; i++) {
            IRTemp src = data_sp_plus(s, ebp, -i * size);
            IRTemp v = gen_ld_mem(s, mo, gen_add_seg(s, R_SS, src));

            sp = data_sp_plus(s, frame, -i * size);
            gen_st_mem(s, mo, v, gen_add_seg(s, R_SS, sp));
        }
        sp = data_sp_plus(s, frame, -level * size);
        gen_st_mem(s, mo, frame, gen_add_seg(s, R_SS, sp));
    }
    sp = data_sp_plus(s, frame, -level * size - (int32_t)locals);
    gen_st_reg(s, size, R_EBP, frame);
    data_set_sp(s, sp);
}

/* LEAVE: ESP = EBP, then pop EBP (load before any register changes). */
void gen_leave(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRTemp ebp = ir_new_temp(s->f), v, sp;

    ir_mov(s->f, ebp, ir_global(R_EBP));
    sp = data_sp_plus(s, ebp, 0);
    v = gen_ld_mem(s, data_memop(size), gen_add_seg(s, R_SS, sp));
    data_set_sp(s, data_sp_plus(s, ebp, size));
    gen_st_reg(s, size, R_EBP, v);
}

/* XLAT: AL = [seg:(eBX + AL)]. */
void gen_xlat(DisasContext *s, const X86Insn *insn)
{
    int seg = insn->seg_override >= 0 ? insn->seg_override : R_DS;
    IRTemp off = ir_new_temp(s->f), al = gen_ld_reg(s, 1, R_EAX);

    ir_binop(s->f, IR_add, off, ir_global(R_EBX), al);
    if (insn->adsize == 2) {
        ir_unop(s->f, IR_ext16u, off, off);
    }
    gen_st_reg(s, 1, R_EAX, gen_ld_mem(s, MO_8, gen_add_seg(s, seg, off)));
}

/* CMOVcc Gv, Ev: the source is read (and may fault) whatever the condition. */
void gen_cmovcc(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[0].size;
    IRTemp v = gen_ld_op(s, insn, 1);
    IRTemp c = gen_cc_value(s, insn->cc);
    IRTemp old = gen_ld_reg(s, size, insn->op[0].reg);
    IRTemp r = ir_new_temp(s->f);

    ir_movcond(s->f, IR_COND_NE, r, c, ir_const(s->f, 0), v, old);
    gen_st_reg(s, size, insn->op[0].reg, r);
}

/* SETcc Eb. */
void gen_setcc(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, insn, 0, gen_cc_value(s, insn->cc), IR_NO_TEMP);
}

/* CLC: CF = 0, merged into the lazy state. */
void gen_clc(DisasContext *s, const X86Insn *insn)
{
    gen_flags_merge(s, CC_C, ir_const(s->f, 0));
}

/* STC: CF = 1, merged into the lazy state. */
void gen_stc(DisasContext *s, const X86Insn *insn)
{
    gen_flags_merge(s, CC_C, ir_const(s->f, CC_C));
}

/* CMC: CF = !CF, merged into the lazy state. */
void gen_cmc(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_xor, t, gen_compute_cf(s), 1);
    gen_flags_merge(s, CC_C, t);
}

/* CLD: env->df = +1. */
void gen_cld(DisasContext *s, const X86Insn *insn)
{
    ir_st_env(s->f, ir_const(s->f, 1), offsetof(CPUX86State, df), MO_32);
}

/* STD: env->df = -1. */
void gen_std(DisasContext *s, const X86Insn *insn)
{
    ir_st_env(s->f, ir_const(s->f, (uint32_t)-1), offsetof(CPUX86State, df),
              MO_32);
}

/* NOP, PAUSE, hint NOPs and prefetches: nothing (no memory access). */
void gen_nop(DisasContext *s, const X86Insn *insn)
{
}
