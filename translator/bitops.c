/*
 * hamt86 - bit instructions: BT, BTS, BTR, BTC, BSF, BSR, BSWAP.
 *
 * BTx with a register bit offset and a memory operand addresses the
 * operand-sized word at base + (offset >> 3) (signed, in operand-size
 * units), per the SDM, the sum wrapping at 64 KiB with a 16-bit address
 * size; an immediate offset is taken modulo the size.
 * CF = the selected bit, ZF unchanged; OF/SF/AF/PF are undefined and kept:
 * CF is merged into the lazy state (gen_flags_merge).
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

enum { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* One BT-family instruction. */
static void gen_btx(DisasContext *s, const X86Insn *insn, int kind)
{
    IRFunc *f = s->f;
    int size = insn->op[0].size, bits = 8 * size;
    IRTemp addr = IR_NO_TEMP, off, bit, v, mask, res, cf;

    if (insn->op[1].kind == OPK_IMM) {
        off = ir_const(f, insn->op[1].imm & (bits - 1));
        bit = off;
        if (insn->op[0].kind == OPK_MEM) {
            addr = gen_linear_addr(s, insn);
        }
    } else {
        off = gen_ld_op(s, insn, 1);
        bit = ir_new_temp(f);
        ir_binopi(f, IR_and, bit, off, bits - 1);
        if (insn->op[0].kind == OPK_MEM) {
            IRTemp d = gen_sext(s, size, off);
            /* byte displacement = (offset >> log2(bits)) * size */
            ir_binopi(f, IR_sar, d, d, size == 2 ? 4 : 5);
            ir_binopi(f, IR_shl, d, d, size == 2 ? 1 : 2);
            /* the displaced offset wraps as the address size says */
            addr = ir_new_temp(f);
            ir_binop(f, IR_add, addr, gen_ea_offset(s, insn), d);
            if (insn->adsize == 2) {
                ir_binopi(f, IR_and, addr, addr, 0xffff);
            }
            addr = gen_add_seg(s, insn->mem.seg, addr);
        }
    }
    v = gen_ld_op_addr(s, insn, 0, addr);
    cf = ir_new_temp(f);
    ir_binop(f, IR_shr, cf, v, bit);
    ir_binopi(f, IR_and, cf, cf, 1);
    if (kind != BT_TEST) {
        mask = ir_new_temp(f);
        ir_binop(f, IR_shl, mask, ir_const(f, 1), bit);
        res = ir_new_temp(f);
        if (kind == BT_SET) {
            ir_binop(f, IR_or, res, v, mask);
        } else if (kind == BT_RESET) {
            ir_unop(f, IR_not, mask, mask);
            ir_binop(f, IR_and, res, v, mask);
        } else {
            ir_binop(f, IR_xor, res, v, mask);
        }
        gen_st_op(s, insn, 0, res, addr);
    }
    gen_flags_merge(s, CC_C, cf);
}

/* BT r/m, r/imm8 */
void gen_bt(DisasContext *s, const X86Insn *insn) { gen_btx(s, insn, BT_TEST); }
/* BTS r/m, r/imm8 */
void gen_bts(DisasContext *s, const X86Insn *insn) { gen_btx(s, insn, BT_SET); }
/* BTR r/m, r/imm8 */
void gen_btr(DisasContext *s, const X86Insn *insn) { gen_btx(s, insn, BT_RESET); }
/* BTC r/m, r/imm8 */
void gen_btc(DisasContext *s, const X86Insn *insn) { gen_btx(s, insn, BT_COMPLEMENT); }

/* BSF/BSR r, r/m: ZF = (src == 0) and the destination is left unchanged
 * then (as every Intel/AMD CPU does); flags as LOGIC of src. */
static void gen_bitscan(DisasContext *s, const X86Insn *insn, bool rev)
{
    IRFunc *f = s->f;
    int size = insn->op[0].size;
    IRTemp src, old, idx, res;

    src = gen_zext(s, size, gen_ld_op(s, insn, 1));
    old = gen_ld_reg(s, size, insn->op[0].reg);
    idx = ir_new_temp(f);
    if (rev) {
        ir_unop(f, IR_clz, idx, src);
        ir_binop(f, IR_sub, idx, ir_const(f, 31), idx);
    } else {
        ir_unop(f, IR_ctz, idx, src);
    }
    res = ir_new_temp(f);
    ir_movcond(f, IR_COND_EQ, res, src, ir_const(f, 0), old, idx);
    gen_st_reg(s, size, insn->op[0].reg, res);
    gen_flags_logic(s, size, src);
}

/* BSF r, r/m */
void gen_bsf(DisasContext *s, const X86Insn *insn) { gen_bitscan(s, insn, false); }
/* BSR r, r/m */
void gen_bsr(DisasContext *s, const X86Insn *insn) { gen_bitscan(s, insn, true); }

/* BSWAP r32 (with a 16-bit operand size the low word becomes 0). */
void gen_bswap(DisasContext *s, const X86Insn *insn)
{
    int reg = insn->nops > 0 ? insn->op[0].reg : (insn->opcode & 7);
    IRTemp t = ir_new_temp(s->f);

    if (insn->opsize == 2) {
        gen_st_reg(s, 2, reg, ir_const(s->f, 0));
        return;
    }
    ir_unop(s->f, IR_bswap, t, ir_global(reg));
    gen_st_reg(s, 4, reg, t);
}
