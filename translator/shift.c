/*
 * hamt86 - shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR,
 * SHLD, SHRD.
 *
 * The count is masked to 5 bits.  A masked count of zero changes nothing
 * (not even the flags).  With a constant count that case is decided at
 * translation time; with CL the operation is skipped by a branch, and the
 * taken path writes the lazy flag state to env itself, so afterwards the
 * static cc_op is unknown (CC_OP_DYNAMIC).
 *
 * Lazy flags: SHL records CC_OP_SHL with src = value << (count - 1), SHR
 * and SAR record CC_OP_SAR with src = value >> (count - 1) (CF is the last
 * bit shifted out, OF = MSB(src ^ result), which is the defined count-1 OF
 * and what Intel CPUs produce for larger counts).  Rotates only change CF
 * and OF, so they merge those two into the lazy state (gen_flags_merge,
 * cc.h) without evaluating the others.  32-bit SHLD/SHRD are inline;
 * RCL/RCR and 16-bit SHLD/SHRD compute through pure helpers (alu-helper.c).
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR, SH_SHLD,
       SH_SHRD };

/* Result and new lazy flag state of one shift with a nonzero count:
 * cc_op with dst / src, or (mrg != 0) the flags mrg merged with values src. */
typedef struct ShiftOut {
    IRTemp res;
    int cc_op;
    uint32_t mrg;
    IRTemp dst, src;
} ShiftOut;

/* Emit the shift of a (size bytes) by the nonzero count c (<= 31).
 * b is the second source of SHLD/SHRD. */
static ShiftOut gen_shift_core(DisasContext *s, int kind, int size, IRTemp a,
                               IRTemp b, IRTemp c)
{
    IRFunc *f = s->f;
    ShiftOut o;
    int ot = cc_ot(size), bits = 8 * size;
    IRTemp c1, t, src, cf, of, ctl, args[3];

    o.res = ir_new_temp(f);
    o.mrg = 0;
    c1 = ir_new_temp(f);
    ir_binopi(f, IR_sub, c1, c, 1);
    switch (kind) {
    case SH_SHL:
        ir_binop(f, IR_shl, o.res, a, c);
        src = ir_new_temp(f);
        ir_binop(f, IR_shl, src, a, c1);
        o.cc_op = CC_OP_SHLB + ot;
        o.dst = gen_zext(s, size, o.res);
        o.src = gen_zext(s, size, src);
        break;
    case SH_SHR:
    case SH_SAR:
        t = kind == SH_SAR ? gen_sext(s, size, a) : gen_zext(s, size, a);
        ir_binop(f, kind == SH_SAR ? IR_sar : IR_shr, o.res, t, c);
        src = ir_new_temp(f);
        ir_binop(f, kind == SH_SAR ? IR_sar : IR_shr, src, t, c1);
        o.cc_op = CC_OP_SARB + ot;
        o.dst = gen_zext(s, size, o.res);
        o.src = gen_zext(s, size, src);
        break;
    case SH_ROL:
    case SH_ROR:
        /* replicate narrow values so a 32-bit rotate rotates them */
        t = gen_zext(s, size, a);
        if (size == 1) {
            ir_binopi(f, IR_mul, t, t, 0x01010101u);
        } else if (size == 2) {
            ir_binopi(f, IR_mul, t, t, 0x00010001u);
        }
        ir_binop(f, kind == SH_ROL ? IR_rotl : IR_rotr, o.res, t, c);
        t = gen_zext(s, size, o.res);
        /* ROL: CF = LSB, OF = MSB ^ CF.  ROR: CF = MSB, OF = MSB ^ MSB-1. */
        cf = ir_new_temp(f);
        of = ir_new_temp(f);
        if (kind == SH_ROL) {
            ir_binopi(f, IR_and, cf, t, 1);
            ir_extract(f, of, t, bits - 1, 1);
            ir_binop(f, IR_xor, of, of, cf);
        } else {
            ir_extract(f, cf, t, bits - 1, 1);
            ir_extract(f, of, t, bits - 2, 1);
            ir_binop(f, IR_xor, of, of, cf);
        }
        t = ir_new_temp(f);
        ir_binopi(f, IR_shl, of, of, 11);
        ir_binop(f, IR_or, t, cf, of);
        o.cc_op = CC_OP_EFLAGS;
        o.mrg = CC_C | CC_O;
        o.dst = IR_NO_TEMP;
        o.src = t;
        break;
    case SH_RCL:
    case SH_RCR:
        ctl = ir_new_temp(f);
        ir_binopi(f, IR_or, ctl, c,
                  (uint32_t)(ot << 8) | (kind == SH_RCR ? 0x10000u : 0));
        args[0] = gen_zext(s, size, a);
        args[1] = ctl;
        args[2] = gen_compute_cf(s);
        ir_call(f, HELPER_rotc, o.res, 3, args);
        o.cc_op = CC_OP_EFLAGS;
        o.mrg = CC_C | CC_O;
        o.dst = IR_NO_TEMP;
        o.src = ir_new_temp(f);
        ir_call(f, HELPER_rotc_flags, o.src, 3, args);
        break;
    case SH_SHLD:
    case SH_SHRD:
    default:
        if (size == 4) {
            /*
             * c in 1..31.  SHLD: res = d << c | s >> (32 - c), and the
             * CF/OF source is the same shift by c - 1, written with
             * (s >> 1) >> (32 - c) so that c = 1 needs no 32-bit shift.
             * SHRD mirrors it.
             */
            IROpcode sh1 = kind == SH_SHLD ? IR_shl : IR_shr;
            IROpcode sh2 = kind == SH_SHLD ? IR_shr : IR_shl;
            IRTemp rc = ir_new_temp(f), u = ir_new_temp(f), s1 = ir_new_temp(f);

            ir_binop(f, IR_sub, rc, ir_const(f, 32), c);
            ir_binop(f, sh1, o.res, a, c);
            ir_binop(f, sh2, u, b, rc);
            ir_binop(f, IR_or, o.res, o.res, u);
            src = ir_new_temp(f);
            ir_binop(f, sh1, src, a, c1);
            ir_binopi(f, sh2, s1, b, 1);
            ir_binop(f, sh2, s1, s1, rc);
            ir_binop(f, IR_or, src, src, s1);
            o.cc_op = (kind == SH_SHRD ? CC_OP_SARB : CC_OP_SHLB) + ot;
            o.dst = o.res;
            o.src = src;
            break;
        }
        ctl = ir_new_temp(f);
        ir_binopi(f, IR_or, ctl, c,
                  (uint32_t)(ot << 8) | (kind == SH_SHRD ? 0x10000u : 0));
        args[0] = gen_zext(s, size, a);
        args[1] = gen_zext(s, size, b);
        args[2] = ctl;
        ir_call(f, HELPER_shd, o.res, 3, args);
        /* the same double shift by count - 1 gives the CF/OF source */
        src = ir_new_temp(f);
        args[2] = ir_new_temp(f);
        ir_binopi(f, IR_sub, args[2], ctl, 1);
        ir_call(f, HELPER_shd, src, 3, args);
        o.cc_op = (kind == SH_SHRD ? CC_OP_SARB : CC_OP_SHLB) + ot;
        o.dst = gen_zext(s, size, o.res);
        o.src = src;
        break;
    }
    return o;
}

/* Count operand of a shift: constant (*is_const) or CL. */
static IRTemp shift_count(DisasContext *s, const X86Insn *insn, int n,
                          bool *is_const, uint32_t *cval)
{
    const X86Operand *op = n < insn->nops ? &insn->op[n] : NULL;

    *is_const = true;
    if (op && op->kind == OPK_IMM) {
        *cval = op->imm & 31;
    } else if (op && op->kind == OPK_REG) {
        IRTemp t = ir_new_temp(s->f);
        *is_const = false;
        ir_binopi(s->f, IR_and, t, ir_global(R_ECX), 31);
        return t;
    } else if (insn->opmap == 0 && (insn->opcode & 0xfe) == 0xd0) {
        *cval = 1;                                  /* D0/D1: by 1 */
    } else if ((insn->opmap == 0 && (insn->opcode & 0xfe) == 0xd2) ||
               (insn->opmap == 1 && (insn->opcode & 0xf7) == 0xa5)) {
        IRTemp t = ir_new_temp(s->f);               /* D2/D3, 0F A5/AD: CL */
        *is_const = false;
        ir_binopi(s->f, IR_and, t, ir_global(R_ECX), 31);
        return t;
    } else {
        *cval = insn->bytes[insn->len - 1] & 31;    /* trailing imm8 */
    }
    return ir_const(s->f, *cval);
}

/* Reduce an RCL/RCR count: modulo 9 / 17 for 8 / 16 bits (0 = no-op). */
static uint32_t rotc_count(int size, uint32_t c)
{
    return size == 1 ? c % 9 : size == 2 ? c % 17 : c;
}

/* One shift-family instruction. */
static void gen_shift(DisasContext *s, const X86Insn *insn, int kind)
{
    IRFunc *f = s->f;
    int size = insn->op[0].size;
    bool is_const, dbl = kind == SH_SHLD || kind == SH_SHRD;
    uint32_t cval = 0;
    IRTemp addr, a, b = IR_NO_TEMP, c;
    ShiftOut o;
    unsigned l_skip;

    c = shift_count(s, insn, dbl ? 2 : 1, &is_const, &cval);
    addr = IR_NO_TEMP;
    if (insn->op[0].kind == OPK_MEM) {
        addr = gen_linear_addr(s, insn);
    }
    a = gen_ld_op_addr(s, insn, 0, addr);
    if (dbl) {
        b = gen_ld_op(s, insn, 1);
    }

    if (is_const) {
        if (cval == 0 || ((kind == SH_RCL || kind == SH_RCR) &&
                          rotc_count(size, cval) == 0)) {
            /* no write, flags untouched; memory is still checked as a
             * write, as the CPU does */
            if (addr != IR_NO_TEMP) {
                gen_update_cc_op(s);
                gen_probe_write(s, addr, size);
            }
            return;
        }
        o = gen_shift_core(s, kind, size, a, b, c);
        gen_st_op(s, insn, 0, o.res, addr);
        if (o.mrg) {
            gen_flags_merge(s, o.mrg, o.src);
        } else {
            gen_flags_set(s, o.cc_op, o.dst, o.src, IR_NO_TEMP);
        }
        return;
    }

    /* count in CL: skip everything when it is zero (but for the write
     * check of a memory destination, as above) */
    gen_update_cc_op(s);
    l_skip = ir_new_label(f);
    if (addr != IR_NO_TEMP && s->mem_idx != MMU_PHYS_IDX) {
        unsigned l_do = ir_new_label(f);

        ir_brcond(f, IR_COND_NE, c, ir_const(f, 0), l_do);
        gen_probe_write(s, addr, size);
        ir_br(f, l_skip);
        ir_set_label(f, l_do);
    } else {
        ir_brcond(f, IR_COND_EQ, c, ir_const(f, 0), l_skip);
    }
    o = gen_shift_core(s, kind, size, a, b, c);
    gen_st_op(s, insn, 0, o.res, addr);
    if ((kind == SH_RCL || kind == SH_RCR) && size < 4) {
        /* counts that reduce to 0 modulo 9 / 17: the helper returned the
         * operand (stored like any other) and the flags stay */
        for (uint32_t k = 8 * size + 1; k < 32; k += 8 * size + 1) {
            ir_brcond(f, IR_COND_EQ, c, ir_const(f, k), l_skip);
        }
    }
    if (o.mrg) {
        /* stores cc_op (or, over explicit EFLAGS, cc_src) itself */
        gen_flags_merge(s, o.mrg, o.src);
        gen_update_cc_op(s);
    } else {
        if (o.dst != IR_NO_TEMP) {
            ir_st_env(f, o.dst, offsetof(CPUX86State, cc_dst), MO_32);
        }
        ir_st_env(f, o.src, offsetof(CPUX86State, cc_src), MO_32);
        ir_st_env(f, ir_const(f, (uint32_t)o.cc_op),
                  offsetof(CPUX86State, cc_op), MO_32);
    }
    ir_set_label(f, l_skip);
    gen_cc_op_synced(s, CC_OP_DYNAMIC);
}

/* ROL r/m, count */
void gen_rol(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_ROL); }
/* ROR r/m, count */
void gen_ror(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_ROR); }
/* RCL r/m, count */
void gen_rcl(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_RCL); }
/* RCR r/m, count */
void gen_rcr(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_RCR); }
/* SHL/SAL r/m, count */
void gen_shl(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_SHL); }
/* SHR r/m, count */
void gen_shr(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_SHR); }
/* SAR r/m, count */
void gen_sar(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_SAR); }
/* SHLD r/m, r, count */
void gen_shld(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_SHLD); }
/* SHRD r/m, r, count */
void gen_shrd(DisasContext *s, const X86Insn *insn) { gen_shift(s, insn, SH_SHRD); }
