/*
 * hamt86 - integer ALU instructions: ADD..CMP, TEST, INC/DEC, NEG/NOT,
 * XADD, CMPXCHG, CMPXCHG8B, CBW/CWD, SALC.
 *
 * Read-modify-write forms compute the address once, load, compute, store,
 * and record the flags last, so a faulting store leaves the guest's flags
 * (and registers) as they were before the instruction.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* The eight classic two-operand ALU operations (ModRM reg field order). */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
       ALU_TEST };

/* Load operand 0 for read-modify-write; *addr gets the address for memory. */
static IRTemp ld_rmw(DisasContext *s, const X86Insn *insn, IRTemp *addr)
{
    *addr = IR_NO_TEMP;
    if (insn->op[0].kind == OPK_MEM) {
        *addr = gen_linear_addr(s, insn);
    }
    return gen_ld_op_addr(s, insn, 0, *addr);
}

/* Both operands name the same register (xor eax,eax and friends). */
static bool same_reg(const X86Insn *insn)
{
    return insn->nops >= 2 && insn->op[0].kind == OPK_REG &&
           insn->op[1].kind == OPK_REG && insn->op[0].reg == insn->op[1].reg &&
           insn->op[0].size == insn->op[1].size;
}

/* dst = dst OP src for the eight ALU operations plus TEST. */
static void gen_alu(DisasContext *s, const X86Insn *insn, int op)
{
    IRFunc *f = s->f;
    int size = insn->op[0].size, ot = cc_ot(size);
    IRTemp addr, a, b, res, cf = IR_NO_TEMP;

    if ((op == ALU_XOR || op == ALU_SUB) && same_reg(insn)) {
        /* the result does not depend on the register: break the chain */
        res = ir_const(f, 0);
        gen_st_reg(s, size, insn->op[0].reg, res);
        if (op == ALU_XOR) {
            gen_flags_logic(s, size, res);
        } else {
            gen_flags_sub(s, size, res, res, res);
        }
        return;
    }

    a = ld_rmw(s, insn, &addr);
    b = gen_ld_op(s, insn, 1);
    res = ir_new_temp(f);
    switch (op) {
    case ALU_ADD:
        ir_binop(f, IR_add, res, a, b);
        break;
    case ALU_ADC:
        cf = gen_compute_cf(s);
        ir_binop(f, IR_add, res, a, b);
        ir_binop(f, IR_add, res, res, cf);
        break;
    case ALU_SBB:
        cf = gen_compute_cf(s);
        ir_binop(f, IR_sub, res, a, b);
        ir_binop(f, IR_sub, res, res, cf);
        break;
    case ALU_SUB:
    case ALU_CMP:
        ir_binop(f, IR_sub, res, a, b);
        break;
    case ALU_AND:
    case ALU_TEST:
        ir_binop(f, IR_and, res, a, b);
        break;
    case ALU_OR:
        ir_binop(f, IR_or, res, a, b);
        break;
    case ALU_XOR:
        ir_binop(f, IR_xor, res, a, b);
        break;
    }
    if (op != ALU_CMP && op != ALU_TEST) {
        gen_st_op(s, insn, 0, res, addr);
    }
    switch (op) {
    case ALU_ADD:
        gen_flags_add(s, size, res, b);
        break;
    case ALU_ADC:
        gen_flags_set(s, CC_OP_ADCB + ot, gen_zext(s, size, res),
                      gen_zext(s, size, b), cf);
        break;
    case ALU_SBB:
        gen_flags_set(s, CC_OP_SBBB + ot, gen_zext(s, size, res),
                      gen_zext(s, size, b), cf);
        break;
    case ALU_SUB:
    case ALU_CMP:
        gen_flags_sub(s, size, res, a, b);
        break;
    default:
        gen_flags_logic(s, size, res);
        break;
    }
}

/* ADD r/m, r/imm */
void gen_add(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_ADD); }
/* OR r/m, r/imm */
void gen_or(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_OR); }
/* ADC r/m, r/imm */
void gen_adc(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_ADC); }
/* SBB r/m, r/imm */
void gen_sbb(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_SBB); }
/* AND r/m, r/imm */
void gen_and(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_AND); }
/* SUB r/m, r/imm */
void gen_sub(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_SUB); }
/* XOR r/m, r/imm */
void gen_xor(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_XOR); }
/* CMP r/m, r/imm */
void gen_cmp(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_CMP); }
/* TEST r/m, r/imm */
void gen_test(DisasContext *s, const X86Insn *insn) { gen_alu(s, insn, ALU_TEST); }

/* INC/DEC r/m: CF is preserved (saved in cc_src, or kept lazy under an
 * INC/DEC layer when computing it would need a helper, cc.h). */
static void gen_incdec(DisasContext *s, const X86Insn *insn, bool dec)
{
    int size = insn->op[0].size, ot = cc_ot(size);
    int op = (dec ? CC_OP_DECB : CC_OP_INCB) + ot;
    bool layer = cc_cf_needs_helper(s);
    IRTemp addr, a, res, cf = IR_NO_TEMP;

    if (!layer) {
        cf = gen_compute_cf(s);
    }
    a = ld_rmw(s, insn, &addr);
    res = ir_new_temp(s->f);
    ir_binopi(s->f, dec ? IR_sub : IR_add, res, a, 1);
    gen_st_op(s, insn, 0, res, addr);
    if (layer) {
        /* CF would need a helper: keep it lazy under an INC/DEC layer */
        gen_flags_incdec_layer(s, op, gen_zext(s, size, res));
    } else {
        gen_flags_set(s, op, gen_zext(s, size, res), cf, IR_NO_TEMP);
    }
}

/* INC r/m */
void gen_inc(DisasContext *s, const X86Insn *insn) { gen_incdec(s, insn, false); }
/* DEC r/m */
void gen_dec(DisasContext *s, const X86Insn *insn) { gen_incdec(s, insn, true); }

/* NEG r/m: flags of 0 - dst. */
void gen_neg(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[0].size;
    IRTemp addr, a, res;

    a = ld_rmw(s, insn, &addr);
    res = ir_new_temp(s->f);
    ir_unop(s->f, IR_neg, res, a);
    gen_st_op(s, insn, 0, res, addr);
    gen_flags_sub(s, size, res, ir_const(s->f, 0), a);
}

/* NOT r/m: no flags. */
void gen_not(DisasContext *s, const X86Insn *insn)
{
    IRTemp addr, a, res;

    a = ld_rmw(s, insn, &addr);
    res = ir_new_temp(s->f);
    ir_unop(s->f, IR_not, res, a);
    gen_st_op(s, insn, 0, res, addr);
}

/* XADD r/m, r: tmp = dst + src; src = dst; dst = tmp. */
void gen_xadd(DisasContext *s, const X86Insn *insn)
{
    int size = insn->op[0].size;
    IRTemp addr, a, b, res;

    a = ld_rmw(s, insn, &addr);
    b = gen_ld_op(s, insn, 1);
    res = ir_new_temp(s->f);
    ir_binop(s->f, IR_add, res, a, b);
    if (insn->op[0].kind == OPK_MEM) {
        gen_st_op(s, insn, 0, res, addr);
        gen_st_op(s, insn, 1, a, IR_NO_TEMP);
    } else {
        /* same register twice: the sum wins */
        gen_st_op(s, insn, 1, a, IR_NO_TEMP);
        gen_st_op(s, insn, 0, res, IR_NO_TEMP);
    }
    gen_flags_add(s, size, res, b);
}

/* CMPXCHG r/m, r: compare the accumulator with dst; dst = src if equal,
 * else accumulator = dst.  Memory is always written (as the CPU does). */
void gen_cmpxchg(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    int size = insn->op[0].size;
    IRTemp addr, d, src, acc, za, zd, newd, newacc;

    d = ld_rmw(s, insn, &addr);
    src = gen_ld_op(s, insn, 1);
    acc = gen_ld_reg(s, size, R_EAX);
    za = gen_zext(s, size, acc);
    zd = gen_zext(s, size, d);
    newd = ir_new_temp(f);
    ir_movcond(f, IR_COND_EQ, newd, za, zd, src, d);
    newacc = ir_new_temp(f);
    ir_movcond(f, IR_COND_EQ, newacc, za, zd, acc, d);
    if (insn->op[0].kind == OPK_MEM) {
        gen_st_op(s, insn, 0, newd, addr);
        gen_st_reg(s, size, R_EAX, newacc);
    } else {
        gen_st_reg(s, size, R_EAX, newacc);
        gen_st_op(s, insn, 0, newd, IR_NO_TEMP);
    }
    /* flags of CMP accumulator, dst */
    {
        IRTemp res = ir_new_temp(f);
        ir_binop(f, IR_sub, res, za, zd);
        gen_flags_sub(s, size, res, za, zd);
    }
}

/* CMPXCHG8B m64: compare EDX:EAX with m64; equal: m64 = ECX:EBX, ZF = 1;
 * else EDX:EAX = m64, ZF = 0 (m64 written back unchanged).  Only ZF changes. */
void gen_cmpxchg8b(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    IRTemp addr, addr4, lo, hi, e1, e2, eq, nlo, nhi, z;
    int n;

    for (n = 0; n < insn->nops && insn->op[n].kind != OPK_MEM; n++) {
    }
    if (n == insn->nops) {
        gen_illegal(s, insn);
        return;
    }
    addr = gen_linear_addr(s, insn);
    addr4 = ir_new_temp(f);
    ir_binopi(f, IR_add, addr4, addr, 4);
    lo = gen_ld_mem(s, MO_32, addr);
    hi = gen_ld_mem(s, MO_32, addr4);
    e1 = ir_new_temp(f);
    ir_setcond(f, IR_COND_EQ, e1, lo, ir_global(R_EAX));
    e2 = ir_new_temp(f);
    ir_setcond(f, IR_COND_EQ, e2, hi, ir_global(R_EDX));
    eq = ir_new_temp(f);
    ir_binop(f, IR_and, eq, e1, e2);
    nlo = ir_new_temp(f);
    ir_movcond(f, IR_COND_NE, nlo, eq, ir_const(f, 0), ir_global(R_EBX), lo);
    nhi = ir_new_temp(f);
    ir_movcond(f, IR_COND_NE, nhi, eq, ir_const(f, 0), ir_global(R_ECX), hi);
    gen_probe_split_store(s, addr, 8);
    gen_st_mem(s, MO_32, nlo, addr);
    gen_st_mem(s, MO_32, nhi, addr4);
    /* EDX:EAX = m64 when not equal (equal: they already hold it) */
    ir_mov(f, ir_global(R_EAX), lo);
    ir_mov(f, ir_global(R_EDX), hi);
    z = ir_new_temp(f);
    ir_binopi(f, IR_shl, z, eq, 6);     /* ZF is bit 6 */
    gen_flags_merge(s, CC_Z, z);
}

/* CBW / CWDE: sign-extend AL into AX, or AX into EAX. */
void gen_cbw(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    if (insn->opsize == 2) {
        ir_unop(s->f, IR_ext8s, t, ir_global(R_EAX));
        gen_st_reg(s, 2, R_EAX, t);
    } else {
        ir_unop(s->f, IR_ext16s, t, ir_global(R_EAX));
        gen_st_reg(s, 4, R_EAX, t);
    }
}

/* CWD / CDQ: DX or EDX = sign of AX or EAX. */
void gen_cwd(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    if (insn->opsize == 2) {
        ir_unop(s->f, IR_ext16s, t, ir_global(R_EAX));
        ir_binopi(s->f, IR_sar, t, t, 15);
        gen_st_reg(s, 2, R_EDX, t);
    } else {
        ir_binopi(s->f, IR_sar, t, ir_global(R_EAX), 31);
        gen_st_reg(s, 4, R_EDX, t);
    }
}

/* SALC (undocumented D6): AL = CF ? 0xff : 0. */
void gen_salc(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    (void)insn;
    ir_unop(s->f, IR_neg, t, gen_compute_cf(s));
    gen_st_reg(s, 1, R_EAX, t);
}
