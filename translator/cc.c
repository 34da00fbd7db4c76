/*
 * hamt86 - lazy flags at translation time.
 *
 * Flag producers store their operands into env->cc_dst / cc_src / cc_src2
 * (the IR optimizer drops the stores a later producer makes dead) and
 * switch the static cc_op.  Flag consumers (Jcc, SETcc, CMOVcc, ADC, ...)
 * specialise on the static cc_op: after SUB/CMP a condition becomes one
 * compare of the saved operands, after LOGIC a test of the result, and only
 * unknown states call the cc_compute_all helper.
 *
 * Instructions that define only some flags merge them into the state
 * (gen_flags_merge, cc.h) without evaluating the others.  Consumers read
 * the merged flags from cc_op's merge bits, the others from the inner op
 * when it is known; only a condition that mixes both, or an unknown inner
 * op, goes through the helper, which decodes the merge itself.
 *
 * Besides env, cc.c remembers the temps holding the operands of the last
 * producer of this TB so consumers can use them without reloading env.
 * They are only reused while no label was placed after the producer (the
 * temps then dominate the consumer).
 */
#include "core/cpu.h"
#include "core/libc.h"
#include "core/log.h"
#include "translator/translate.h"
#include "translator/cc.h"


/* Operands of the last flag producer, valid while cc_op == tr.cc_op. */
static struct {
    IRFunc *f;
    int cc_op;        /* CC_OP_DYNAMIC: nothing tracked */
    unsigned op_idx;  /* f->nops right after the producer */
    IRTemp dst, src, src1;   /* zero-extended; src1 only for SUB */
    IRTemp mop;       /* value stored by the last merge (IR_NO_TEMP: none) */
    unsigned mop_idx; /* f->nops right after that store */
    IRTemp res;       /* value stored to cc_res2 by the INC/DEC layer */
    unsigned res_idx; /* f->nops right after that store */
} tr = { NULL, CC_OP_DYNAMIC, 0, 0, 0, 0, IR_NO_TEMP, 0, IR_NO_TEMP, 0 };

/* Flags each even condition reads (O, B, E, BE, S, P, L, LE). */
static const uint32_t cc_jcc_deps[8] = {
    CC_O, CC_C, CC_Z, CC_C | CC_Z, CC_S, CC_P, CC_S | CC_O, CC_S | CC_O | CC_Z
};

/* x86 condition encodings (Jcc low nibble). */
enum {
    JCC_O, JCC_NO, JCC_B, JCC_AE, JCC_E, JCC_NE, JCC_BE, JCC_A,
    JCC_S, JCC_NS, JCC_P, JCC_NP, JCC_L, JCC_GE, JCC_LE, JCC_G,
};

/* A prepared condition: true when cond(a, b). */
typedef struct CCPrep {
    IRCond cond;
    IRTemp a, b;
} CCPrep;

/* Forget statically known flag operands. */
void cc_reset_tracking(DisasContext *s)
{
    tr.f = s->f;
    tr.cc_op = CC_OP_DYNAMIC;
    tr.mop = IR_NO_TEMP;
    tr.res = IR_NO_TEMP;
}

/* Was a label placed since op index idx (temps from before may not dominate)? */
static bool cc_label_since(DisasContext *s, unsigned idx)
{
    unsigned i;

    for (i = idx; i < s->f->nops; i++) {
        if (s->f->ops[i].opc == IR_set_label) {
            return true;
        }
    }
    return false;
}

/* The tracked temps for cc_op, or false if they cannot be reused here. */
static bool cc_tracked(DisasContext *s)
{
    if (tr.f != s->f || tr.cc_op != s->cc_op || tr.cc_op == CC_OP_DYNAMIC) {
        return false;
    }
    return !cc_label_since(s, tr.op_idx);
}

/* Extend v from size bytes into a new temp with op8 / op16 (size 4: copy). */
static IRTemp gen_ext(DisasContext *s, int size, IRTemp v, IROpcode op8,
                      IROpcode op16)
{
    IRTemp t = ir_new_temp(s->f);

    if (size == 1) {
        ir_unop(s->f, op8, t, v);
    } else if (size == 2) {
        ir_unop(s->f, op16, t, v);
    } else {
        ir_mov(s->f, t, v);
    }
    return t;
}

/* Zero-extend v to size bytes into a new temp. */
IRTemp gen_zext(DisasContext *s, int size, IRTemp v)
{
    return gen_ext(s, size, v, IR_ext8u, IR_ext16u);
}

/* Sign-extend v from size bytes into a new temp. */
IRTemp gen_sext(DisasContext *s, int size, IRTemp v)
{
    return gen_ext(s, size, v, IR_ext8s, IR_ext16s);
}

/* Store cc_op if the IR has not stored the current static value yet. */
void gen_update_cc_op(DisasContext *s)
{
    if (s->cc_op_dirty && s->cc_op != CC_OP_DYNAMIC) {
        ir_st_env(s->f, ir_const(s->f, (uint32_t)s->cc_op),
                  offsetof(CPUX86State, cc_op), MO_32);
    }
    s->cc_op_dirty = false;
}

/* Change the static cc_op (stored lazily by gen_update_cc_op). */
void gen_set_cc_op(DisasContext *s, int cc_op)
{
    /* New operands even when cc_op stays (EFLAGS after EFLAGS: a merge
     * into explicit flags) */
    tr.cc_op = CC_OP_DYNAMIC;
    tr.mop = IR_NO_TEMP;
    tr.res = IR_NO_TEMP;
    if (s->cc_mrg || s->cc_res) {
        /* env->cc_op holds merge / layer bits: store even the same inner op */
        s->cc_mrg = 0;
        s->cc_res = 0;
        s->cc_op = cc_op;
        s->cc_op_dirty = cc_op != CC_OP_DYNAMIC;
        return;
    }
    if (cc_op == s->cc_op) {
        return;
    }
    s->cc_op = cc_op;
    /* DYNAMIC means "whatever env holds": nothing left to store. */
    s->cc_op_dirty = cc_op != CC_OP_DYNAMIC;
}

/* A helper has just written env->cc_op = cc_op (and the operands) itself. */
void gen_cc_op_synced(DisasContext *s, int cc_op)
{
    tr.cc_op = CC_OP_DYNAMIC;
    tr.mop = IR_NO_TEMP;
    tr.res = IR_NO_TEMP;
    s->cc_op = cc_op;
    s->cc_op_dirty = false;
    s->cc_mrg = 0;
    s->cc_res = 0;
}

/* Store the lazy operands (IR_NO_TEMP: leave the field) and switch to cc_op. */
void gen_flags_set(DisasContext *s, int cc_op, IRTemp dst, IRTemp src,
                   IRTemp src2)
{
    if (dst != IR_NO_TEMP) {
        ir_st_env(s->f, dst, offsetof(CPUX86State, cc_dst), MO_32);
    }
    if (src != IR_NO_TEMP) {
        ir_st_env(s->f, src, offsetof(CPUX86State, cc_src), MO_32);
    }
    if (src2 != IR_NO_TEMP) {
        ir_st_env(s->f, src2, offsetof(CPUX86State, cc_src2), MO_32);
    }
    gen_set_cc_op(s, cc_op);
}

/* Remember the operand temps of the producer that was just emitted. */
static void cc_track(DisasContext *s, IRTemp dst, IRTemp src, IRTemp src1)
{
    tr.f = s->f;
    tr.cc_op = s->cc_op;
    tr.op_idx = s->f->nops;
    tr.dst = dst;
    tr.src = src;
    tr.src1 = src1;
}

/* Flags of res = src1 + src2 (ADD). */
void gen_flags_add(DisasContext *s, int size, IRTemp res, IRTemp src2)
{
    IRTemp d = gen_zext(s, size, res);
    IRTemp b = gen_zext(s, size, src2);

    gen_flags_set(s, CC_OP_ADDB + cc_ot(size), d, b, IR_NO_TEMP);
    cc_track(s, d, b, IR_NO_TEMP);
}

/* Flags of res = src1 - src2 (SUB, CMP, NEG). */
void gen_flags_sub(DisasContext *s, int size, IRTemp res, IRTemp src1,
                   IRTemp src2)
{
    IRTemp d = gen_zext(s, size, res);
    IRTemp a = gen_zext(s, size, src1);
    IRTemp b = gen_zext(s, size, src2);

    gen_flags_set(s, CC_OP_SUBB + cc_ot(size), d, b, IR_NO_TEMP);
    cc_track(s, d, b, a);
}

/* Flags of a logic result (AND, OR, XOR, TEST): CF = OF = AF = 0. */
void gen_flags_logic(DisasContext *s, int size, IRTemp res)
{
    IRTemp d = gen_zext(s, size, res);

    gen_flags_set(s, CC_OP_LOGICB + cc_ot(size), d, IR_NO_TEMP, IR_NO_TEMP);
    cc_track(s, d, IR_NO_TEMP, IR_NO_TEMP);
}

/* Load one lazy field from env into a new temp. */
static IRTemp cc_ld(DisasContext *s, unsigned off)
{
    IRTemp t = ir_new_temp(s->f);

    ir_ld_env(s->f, t, off, MO_32);
    return t;
}

/* cc_dst of the current state (tracked temp or env). */
static IRTemp cc_dst(DisasContext *s)
{
    if (cc_tracked(s) && tr.dst != IR_NO_TEMP) {
        return tr.dst;
    }
    return cc_ld(s, offsetof(CPUX86State, cc_dst));
}

/* cc_src of the current state (tracked temp or env). */
static IRTemp cc_src(DisasContext *s)
{
    if (cc_tracked(s) && tr.src != IR_NO_TEMP) {
        return tr.src;
    }
    return cc_ld(s, offsetof(CPUX86State, cc_src));
}

/* env->cc_op of the current merged state (s->cc_mrg != 0): tracked temp or env. */
static IRTemp cc_merged_op(DisasContext *s)
{
    if (tr.f == s->f && tr.mop != IR_NO_TEMP && !cc_label_since(s, tr.mop_idx)) {
        return tr.mop;
    }
    return cc_ld(s, offsetof(CPUX86State, cc_op));
}

/* env->cc_res2 of the current INC/DEC layer (s->cc_res != 0). */
static IRTemp cc_res_val(DisasContext *s)
{
    if (tr.f == s->f && tr.res != IR_NO_TEMP && !cc_label_since(s, tr.res_idx)) {
        return tr.res;
    }
    return cc_ld(s, offsetof(CPUX86State, cc_res2));
}

/* Would CF of the current state need a helper call? */
bool cc_cf_needs_helper(DisasContext *s)
{
    int base = cc_op_base(s->cc_op);

    if (s->cc_mrg & CC_C) {
        return false;
    }
    return s->cc_op == CC_OP_DYNAMIC || base == CC_OP_ADCB ||
           base == CC_OP_SBBB;
}

/* INC/DEC layer: res replaces all flags but CF (see cc.h). */
void gen_flags_incdec_layer(DisasContext *s, int incdec_op, IRTemp res)
{
    IRFunc *f = s->f;
    IRTemp op = ir_new_temp(f);
    uint32_t k = (uint32_t)(incdec_op - CC_OP_INCB + 1) << CC_RES_SHIFT;

    ir_st_env(f, res, offsetof(CPUX86State, cc_res2), MO_32);
    if (s->cc_mrg || s->cc_res || s->cc_op == CC_OP_DYNAMIC) {
        /* keep the inner op and a merged CF, drop the other merge bits
         * and any older layer */
        ir_binopi(f, IR_and, op, cc_merged_op(s),
                  ~(cc_mrg_bits(CC_ARITH & ~CC_C) | CC_RES_FIELD));
        ir_binopi(f, IR_or, op, op, k);
    } else {
        ir_movi(f, op, (uint32_t)s->cc_op | k);
    }
    /* stored at once, like a merge */
    ir_st_env(f, op, offsetof(CPUX86State, cc_op), MO_32);
    s->cc_op_dirty = false;
    s->cc_mrg &= CC_C;
    s->cc_res = incdec_op;
    /* tr's inner operands stay valid: cc_dst / cc_src are unchanged */
    tr.f = f;
    tr.mop = op;
    tr.mop_idx = f->nops;
    tr.res = res;
    tr.res_idx = f->nops;
}

/* Replace the flags in mask by vals (only bits of mask), keeping the rest. */
void gen_flags_merge(DisasContext *s, uint32_t mask, IRTemp vals)
{
    IRFunc *f = s->f;
    IRTemp op, v;

    if (s->cc_op == CC_OP_EFLAGS && !s->cc_mrg && !s->cc_res) {
        /* explicit flags already: replace the bits in cc_src */
        IRTemp t = ir_new_temp(f);

        ir_binopi(f, IR_and, t, cc_src(s), ~mask);
        ir_binop(f, IR_or, t, t, vals);
        gen_set_eflags_arith(s, t);
        return;
    }
    op = ir_new_temp(f);
    if (s->cc_mrg || s->cc_res || s->cc_op == CC_OP_DYNAMIC) {
        /* env->cc_op (merged or not): clear the old bits of mask */
        ir_binopi(f, IR_and, op, cc_merged_op(s), ~cc_mrg_bits(mask));
        ir_binopi(f, IR_or, op, op, mask << CC_MRG_MASK_SHIFT);
    } else {
        ir_movi(f, op, (uint32_t)s->cc_op | mask << CC_MRG_MASK_SHIFT);
    }
    v = ir_new_temp(f);
    ir_binopi(f, IR_shl, v, vals, CC_MRG_VAL_SHIFT);
    ir_binop(f, IR_or, op, op, v);
    /* stored at once: the value is only known at run time */
    ir_st_env(f, op, offsetof(CPUX86State, cc_op), MO_32);
    s->cc_op_dirty = false;
    s->cc_mrg |= mask;
    /* tr's inner operands stay valid: cc_dst / cc_src are unchanged */
    tr.f = f;
    tr.mop = op;
    tr.mop_idx = f->nops;
}

/* SUB's operands src1 (*a) and src2 (*b), zero-extended to size bytes. */
static void cc_sub_operands(DisasContext *s, int size, IRTemp *a, IRTemp *b)
{
    if (cc_tracked(s)) {
        *a = tr.src1;
        *b = tr.src;
    } else {
        *b = cc_src(s);
        *a = ir_new_temp(s->f);
        ir_binop(s->f, IR_add, *a, cc_dst(s), *b);
        *a = gen_zext(s, size, *a);
    }
}

/* Full arithmetic EFLAGS (CC_ARITH bits only) as a temp. */
IRTemp gen_compute_eflags(DisasContext *s)
{
    IRTemp args[4], t;

    if (s->cc_res || s->cc_op == CC_OP_DYNAMIC) {
        /* env's state may have the INC/DEC layer, which needs cc_res2:
         * the helper reads env (every lazy field is stored in order) */
        gen_update_cc_op(s);
        t = ir_new_temp(s->f);
        ir_call(s->f, HELPER_cc_compute_all_env, t, 0, args);
        return t;
    }
    if (s->cc_mrg) {
        /* the helper decodes the merge bits of cc_op */
        args[0] = cc_dst(s);
        args[1] = cc_src(s);
        args[2] = cc_ld(s, offsetof(CPUX86State, cc_src2));
        args[3] = cc_merged_op(s);
        t = ir_new_temp(s->f);
        ir_call(s->f, HELPER_cc_compute_all, t, 4, args);
        return t;
    }
    if (s->cc_op == CC_OP_EFLAGS) {
        t = ir_new_temp(s->f);
        ir_binopi(s->f, IR_and, t, cc_src(s), CC_ARITH);
        return t;
    }
    args[0] = cc_dst(s);
    args[1] = cc_src(s);
    args[2] = cc_ld(s, offsetof(CPUX86State, cc_src2));
    args[3] = ir_const(s->f, (uint32_t)s->cc_op);
    t = ir_new_temp(s->f);
    ir_call(s->f, HELPER_cc_compute_all, t, 4, args);
    return t;
}

/* CF as 0/1, inline for the common lazy states. */
IRTemp gen_compute_cf(DisasContext *s)
{
    IRTemp t = ir_new_temp(s->f), a, b, args[4];
    int op = s->cc_op, ot, r = s->cc_res;
    uint32_t m = s->cc_mrg;

    if (m & CC_C) {
        ir_extract(s->f, t, cc_merged_op(s), CC_MRG_VAL_SHIFT, 1);
        return t;
    }
    if ((m || r) && op != CC_OP_DYNAMIC) {
        /* CF is the inner op's (the INC/DEC layer keeps it) */
        s->cc_mrg = 0;
        s->cc_res = 0;
        t = gen_compute_cf(s);
        s->cc_mrg = m;
        s->cc_res = r;
        return t;
    }
    if (op == CC_OP_EFLAGS) {
        ir_binopi(s->f, IR_and, t, cc_src(s), CC_C);
        return t;
    }
    if (op == CC_OP_DYNAMIC) {
        args[0] = cc_dst(s);
        args[1] = cc_src(s);
        args[2] = cc_ld(s, offsetof(CPUX86State, cc_src2));
        /* cc_compute_c ignores the layer bits: CF is never the layer's */
        args[3] = (m || r) ? cc_merged_op(s)
                           : cc_ld(s, offsetof(CPUX86State, cc_op));
        ir_call(s->f, HELPER_cc_compute_c, t, 4, args);
        return t;
    }
    ot = cc_op_ot(op);
    switch (cc_op_base(op)) {
    case CC_OP_ADDB:
        /* carry out iff result < src2 (operands zero-extended) */
        ir_setcond(s->f, IR_COND_LTU, t, cc_dst(s), cc_src(s));
        return t;
    case CC_OP_SUBB:
        /* borrow iff src1 < src2 */
        cc_sub_operands(s, 1 << ot, &a, &b);
        ir_setcond(s->f, IR_COND_LTU, t, a, b);
        return t;
    case CC_OP_LOGICB:
        ir_movi(s->f, t, 0);
        return t;
    case CC_OP_INCB:
    case CC_OP_DECB:
    case CC_OP_MULB:
        ir_setcond(s->f, IR_COND_NE, t, cc_src(s), ir_const(s->f, 0));
        return t;
    case CC_OP_SHLB:
        ir_extract(s->f, t, cc_src(s), (8u << ot) - 1, 1);
        return t;
    case CC_OP_SARB:
        ir_binopi(s->f, IR_and, t, cc_src(s), 1);
        return t;
    default:
        args[0] = cc_dst(s);
        args[1] = cc_src(s);
        args[2] = cc_ld(s, offsetof(CPUX86State, cc_src2));
        args[3] = ir_const(s->f, (uint32_t)op);
        ir_call(s->f, HELPER_cc_compute_c, t, 4, args);
        return t;
    }
}

/* Set env state from explicit flags (CC_ARITH bits of v): cc_op = EFLAGS. */
void gen_set_eflags_arith(DisasContext *s, IRTemp v)
{
    IRTemp t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_and, t, v, CC_ARITH);
    gen_flags_set(s, CC_OP_EFLAGS, IR_NO_TEMP, t, IR_NO_TEMP);
    cc_track(s, IR_NO_TEMP, t, IR_NO_TEMP);
}

/* Condition from an EFLAGS temp: bits tested for each even cc. */
static CCPrep cc_from_eflags(DisasContext *s, int jcc, IRTemp fl)
{
    CCPrep p = { IR_COND_TSTNE, fl, 0 };
    IRTemp t;

    switch (jcc) {
    case JCC_O:  p.b = ir_const(s->f, CC_O); break;
    case JCC_B:  p.b = ir_const(s->f, CC_C); break;
    case JCC_E:  p.b = ir_const(s->f, CC_Z); break;
    case JCC_BE: p.b = ir_const(s->f, CC_C | CC_Z); break;
    case JCC_S:  p.b = ir_const(s->f, CC_S); break;
    case JCC_P:  p.b = ir_const(s->f, CC_P); break;
    case JCC_L:
    case JCC_LE:
        /* SF != OF: move OF (bit 11) onto SF (bit 7) and xor */
        t = ir_new_temp(s->f);
        ir_binopi(s->f, IR_shr, t, fl, 4);
        ir_binop(s->f, IR_xor, t, t, fl);
        p.a = t;
        p.b = ir_const(s->f, CC_S);
        if (jcc == JCC_LE) {
            /* (SF ^ OF) | ZF */
            IRTemp z = ir_new_temp(s->f);
            ir_binopi(s->f, IR_and, t, t, CC_S);
            ir_binopi(s->f, IR_and, z, fl, CC_Z);
            ir_binop(s->f, IR_or, t, t, z);
            p.cond = IR_COND_NE;
            p.b = ir_const(s->f, 0);
        }
        break;
    }
    return p;
}

/* Prepare the even condition jcc (0, 2, ..., 14) from the lazy state. */
static CCPrep cc_prepare_even(DisasContext *s, int jcc)
{
    CCPrep p;
    int op = s->cc_op, base = cc_op_base(op), ot = 0, size = 4;
    IRTemp d, a, b, zero;
    uint32_t m = s->cc_mrg, need = cc_jcc_deps[jcc >> 1];
    int r = s->cc_res;

    if (m) {
        if ((need & m) == need) {
            /* only merged flags: test the values in cc_op */
            d = ir_new_temp(s->f);
            ir_binopi(s->f, IR_shr, d, cc_merged_op(s), CC_MRG_VAL_SHIFT);
            return cc_from_eflags(s, jcc, d);
        }
        if (!(need & m) && (op != CC_OP_DYNAMIC || r)) {
            /* only flags of the inner op / INC/DEC layer */
            s->cc_mrg = 0;
            p = cc_prepare_even(s, jcc);
            s->cc_mrg = m;
            return p;
        }
        return cc_from_eflags(s, jcc, gen_compute_eflags(s));
    }
    if (r) {
        /* no merge over the layer: ZF / SF from the INC/DEC result, CF
         * from the inner op */
        if (jcc == JCC_E || jcc == JCC_S) {
            size = 1 << cc_op_ot(r);
            d = cc_res_val(s);
            p.a = d;
            if (jcc == JCC_E) {
                p.cond = IR_COND_EQ;
                p.b = ir_const(s->f, 0);
            } else {
                p.cond = IR_COND_TSTNE;
                p.b = ir_const(s->f, 0x80u << (8 * (size - 1)));
            }
            return p;
        }
        if (jcc == JCC_B) {
            p.cond = IR_COND_NE;
            p.a = gen_compute_cf(s);
            p.b = ir_const(s->f, 0);
            return p;
        }
        return cc_from_eflags(s, jcc, gen_compute_eflags(s));
    }
    if (op == CC_OP_DYNAMIC && jcc == JCC_B) {
        p.cond = IR_COND_NE;
        p.a = gen_compute_cf(s);
        p.b = ir_const(s->f, 0);
        return p;
    }
    if (op > CC_OP_EFLAGS) {
        ot = cc_op_ot(op);
        size = 1 << ot;
    }
    zero = ir_const(s->f, 0);

    /* ZF and SF depend on cc_dst alone for every sized op. */
    if (op > CC_OP_EFLAGS && (jcc == JCC_E || jcc == JCC_S)) {
        d = cc_dst(s);
        if (jcc == JCC_E) {
            p.cond = IR_COND_EQ;
            p.a = d;
            p.b = zero;
        } else {
            p.cond = IR_COND_TSTNE;
            p.a = d;
            p.b = ir_const(s->f, 0x80u << (8 * (size - 1)));
        }
        return p;
    }
    if (base == CC_OP_SUBB) {
        cc_sub_operands(s, size, &a, &b);
        switch (jcc) {
        case JCC_B:
            p.cond = IR_COND_LTU; p.a = a; p.b = b;
            return p;
        case JCC_BE:
            p.cond = IR_COND_LEU; p.a = a; p.b = b;
            return p;
        case JCC_L:
        case JCC_LE:
            p.cond = jcc == JCC_L ? IR_COND_LT : IR_COND_LE;
            p.a = size == 4 ? a : gen_sext(s, size, a);
            p.b = size == 4 ? b : gen_sext(s, size, b);
            return p;
        default:
            break;
        }
    } else if (base == CC_OP_LOGICB) {
        d = cc_dst(s);
        switch (jcc) {
        case JCC_O:
        case JCC_B:
            /* never: 0 != 0 */
            p.cond = IR_COND_NE; p.a = zero; p.b = zero;
            return p;
        case JCC_BE:
            p.cond = IR_COND_EQ; p.a = d; p.b = zero;
            return p;
        case JCC_L:
            p.cond = IR_COND_TSTNE; p.a = d;
            p.b = ir_const(s->f, 0x80u << (8 * (size - 1)));
            return p;
        case JCC_LE:
            p.cond = IR_COND_LE;
            p.a = size == 4 ? d : gen_sext(s, size, d);
            p.b = zero;
            return p;
        default:
            break;
        }
    } else if (base == CC_OP_ADDB || base == CC_OP_INCB || base == CC_OP_DECB ||
               base == CC_OP_SHLB || base == CC_OP_SARB || base == CC_OP_MULB ||
               op == CC_OP_EFLAGS) {
        if (jcc == JCC_B) {
            p.cond = IR_COND_NE;
            p.a = gen_compute_cf(s);
            p.b = zero;
            return p;
        }
    }
    return cc_from_eflags(s, jcc, gen_compute_eflags(s));
}

/* Invert a prepared condition. */
static IRCond cc_invert(IRCond c)
{
    switch (c) {
    case IR_COND_EQ:    return IR_COND_NE;
    case IR_COND_NE:    return IR_COND_EQ;
    case IR_COND_LT:    return IR_COND_GE;
    case IR_COND_GE:    return IR_COND_LT;
    case IR_COND_LE:    return IR_COND_GT;
    case IR_COND_GT:    return IR_COND_LE;
    case IR_COND_LTU:   return IR_COND_GEU;
    case IR_COND_GEU:   return IR_COND_LTU;
    case IR_COND_LEU:   return IR_COND_GTU;
    case IR_COND_GTU:   return IR_COND_LEU;
    case IR_COND_TSTEQ: return IR_COND_TSTNE;
    case IR_COND_TSTNE: return IR_COND_TSTEQ;
    default:            return c;
    }
}

/* Prepare any of the 16 conditions. */
static CCPrep cc_prepare(DisasContext *s, int cc)
{
    CCPrep p = cc_prepare_even(s, cc & 0xe);

    if (cc & 1) {
        p.cond = cc_invert(p.cond);
    }
    if (unlikely(log_enabled(LOG_IR))) {
        hlog("cc: jcc %d cc_op %d -> cond %d\n", cc, s->cc_op, p.cond);
    }
    return p;
}

/* Condition cc (x86 encoding 0..15) as a 0/1 temp. */
IRTemp gen_cc_value(DisasContext *s, int cc)
{
    CCPrep p = cc_prepare(s, cc & 15);
    IRTemp t = ir_new_temp(s->f);

    ir_setcond(s->f, p.cond, t, p.a, p.b);
    return t;
}

/* Branch to label when condition cc holds.  cc_op is stored first so both
 * paths leave the branch with the same (synced) env state. */
void gen_cc_branch(DisasContext *s, int cc, unsigned label)
{
    CCPrep p;

    gen_update_cc_op(s);
    p = cc_prepare(s, cc & 15);

    ir_brcond(s->f, p.cond, p.a, p.b, label);
}
