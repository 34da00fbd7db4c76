/*
 * hamt86 - lazy flag evaluation (C side).
 *
 * cc_compute_all() turns the lazy state described in translator/cc.h
 * (including merged states) into the six arithmetic EFLAGS bits;
 * cc_compute_all_res() also takes the INC/DEC layer's env->cc_res2.  It is used by cpu_cc_compute_all(), by
 * the pure IR helpers cc_compute_all / cc_compute_c and by the ALU helpers.
 */
#include "core/cpu.h"
#include "translator/cc.h"

/* env->cc_res2 (INC/DEC layer) sits in the block generated code addresses
 * with immediate offsets, next to the other lazy-flag fields. */

/* Sign bit of a 8/16/32-bit operation by size class. */
static const uint32_t cc_sign[3] = { 0x80u, 0x8000u, 0x80000000u };
/* Value mask by size class. */
static const uint32_t cc_mask[3] = { 0xffu, 0xffffu, 0xffffffffu };

/* Parity flag (CC_P or 0) of the low byte of v: set when the number of set bits is even. */
uint32_t cc_parity(uint32_t v)
{
    v &= 0xff;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return (v & 1) ? 0 : CC_P;
}

/* ZF, SF and PF of a masked result. */
static inline uint32_t cc_zsp(uint32_t res, int ot)
{
    uint32_t f = cc_parity(res);

    if ((res & cc_mask[ot]) == 0) {
        f |= CC_Z;
    }
    if (res & cc_sign[ot]) {
        f |= CC_S;
    }
    return f;
}

/* OF from the sign change rule: (a ^ r) & (b ^ r) has its top bit set. */
static inline uint32_t cc_of(uint32_t x, int ot)
{
    return (x & cc_sign[ot]) ? CC_O : 0;
}

/* Carry flag alone (0 or 1) of a plain (not merged) op. */
static uint32_t cc_compute_c_plain(uint32_t dst, uint32_t src, uint32_t src2,
                                   int op)
{
    int ot;
    uint32_t m, s1, raw = src;

    if (op == CC_OP_EFLAGS || op >= CC_OP_NB) {
        return src & CC_C;
    }
    ot = cc_op_ot(op);
    m = cc_mask[ot];
    dst &= m;
    src &= m;
    switch (cc_op_base(op)) {
    case CC_OP_ADDB:
        return dst < src;
    case CC_OP_ADCB:
        return src2 ? dst <= src : dst < src;
    case CC_OP_SUBB:
        s1 = (dst + src) & m;
        return s1 < src;
    case CC_OP_SBBB:
        s1 = (dst + src + src2) & m;
        return src2 ? s1 <= src : s1 < src;
    case CC_OP_LOGICB:
        return 0;
    case CC_OP_INCB:
    case CC_OP_DECB:
        return src & 1;
    case CC_OP_SHLB:
        return (src & cc_sign[ot]) != 0;
    case CC_OP_SARB:
        return src & 1;
    case CC_OP_MULB:
        return raw != 0;
    default:
        return 0;
    }
}

/* All six arithmetic flags of a plain (not merged) op. */
static uint32_t cc_compute_all_plain(uint32_t dst, uint32_t src,
                                     uint32_t src2, int op)
{
    int ot;
    uint32_t m, s1, f, raw = src;

    if (op == CC_OP_EFLAGS || op >= CC_OP_NB) {
        return src & CC_ARITH;
    }
    ot = cc_op_ot(op);
    m = cc_mask[ot];
    dst &= m;
    src &= m;
    f = cc_zsp(dst, ot);
    switch (cc_op_base(op)) {
    case CC_OP_ADDB:
        s1 = (dst - src) & m;
        f |= dst < src ? CC_C : 0;
        f |= (dst ^ src ^ s1) & CC_A;
        f |= cc_of(~(s1 ^ src) & (s1 ^ dst), ot);
        break;
    case CC_OP_ADCB:
        s1 = (dst - src - src2) & m;
        f |= (src2 ? dst <= src : dst < src) ? CC_C : 0;
        f |= (dst ^ src ^ s1) & CC_A;
        f |= cc_of(~(s1 ^ src) & (s1 ^ dst), ot);
        break;
    case CC_OP_SUBB:
        s1 = (dst + src) & m;
        f |= s1 < src ? CC_C : 0;
        f |= (dst ^ src ^ s1) & CC_A;
        f |= cc_of((s1 ^ src) & (s1 ^ dst), ot);
        break;
    case CC_OP_SBBB:
        s1 = (dst + src + src2) & m;
        f |= (src2 ? s1 <= src : s1 < src) ? CC_C : 0;
        f |= (dst ^ src ^ s1) & CC_A;
        f |= cc_of((s1 ^ src) & (s1 ^ dst), ot);
        break;
    case CC_OP_LOGICB:
        break;
    case CC_OP_INCB:
        f |= src & 1;
        f |= (dst & 0xf) == 0 ? CC_A : 0;
        f |= dst == cc_sign[ot] ? CC_O : 0;
        break;
    case CC_OP_DECB:
        f |= src & 1;
        f |= (dst & 0xf) == 0xf ? CC_A : 0;
        f |= dst == cc_sign[ot] - 1 ? CC_O : 0;
        break;
    case CC_OP_SHLB:
        f |= (src & cc_sign[ot]) ? CC_C : 0;
        f |= cc_of(src ^ dst, ot);
        break;
    case CC_OP_SARB:
        f |= src & 1;
        f |= cc_of(src ^ dst, ot);
        break;
    case CC_OP_MULB:
        /* the "high half significant" indicator is not size-masked */
        f |= raw != 0 ? (CC_C | CC_O) : 0;
        break;
    }
    return f;
}

/* Carry flag alone (0 or 1) from the lazy state, merged or not. */
uint32_t cc_compute_c(uint32_t dst, uint32_t src, uint32_t src2, int op)
{
    uint32_t raw = (uint32_t)op, mask = (raw >> CC_MRG_MASK_SHIFT) & CC_ARITH;

    if (mask & CC_C) {
        return (raw >> CC_MRG_VAL_SHIFT) & CC_C;
    }
    return cc_compute_c_plain(dst, src, src2, (int)(raw & CC_OP_INNER_MASK));
}

/* All six arithmetic flags from the lazy state, merged or not, with the
 * INC/DEC layer result res2 (read only when op has the layer). */
uint32_t cc_compute_all_res(uint32_t dst, uint32_t src, uint32_t src2,
                            uint32_t res2, int op)
{
    uint32_t raw = (uint32_t)op, mask = (raw >> CC_MRG_MASK_SHIFT) & CC_ARITH;
    uint32_t k = (raw & CC_RES_FIELD) >> CC_RES_SHIFT, f = 0;
    int inner = (int)(raw & CC_OP_INNER_MASK);

    if (k >= 1 && k <= 6) {
        /* CF from the inner op, the rest from INC/DEC of res2 */
        if (!(mask & CC_C)) {
            f = cc_compute_c_plain(dst, src, src2, inner);
        }
        f |= cc_compute_all_plain(res2, 0, 0, CC_OP_INCB + (int)k - 1) &
             ~CC_C;
    } else if (mask != CC_ARITH) {
        f = cc_compute_all_plain(dst, src, src2, inner);
    }
    return (f & ~mask) | ((raw >> CC_MRG_VAL_SHIFT) & mask);
}

/* All six arithmetic flags from a lazy state without the INC/DEC layer. */
uint32_t cc_compute_all(uint32_t dst, uint32_t src, uint32_t src2, int op)
{
    return cc_compute_all_res(dst, src, src2, 0,
                              (int)((uint32_t)op & ~CC_RES_FIELD));
}

/* Arithmetic flags (CC_ARITH bits) of env's lazy state. */
uint32_t cpu_cc_compute_all(const CPUX86State *env)
{
    return cc_compute_all_res(env->cc_dst, env->cc_src, env->cc_src2,
                              env->cc_res2, (int)env->cc_op);
}

/* IR helper: all arithmetic flags of env's lazy state (any state). */
uint32_t helper_cc_compute_all_env(CPUX86State *env)
{
    return cpu_cc_compute_all(env);
}

/* IR helper: all arithmetic flags from explicit lazy state (pure). */
uint32_t helper_cc_compute_all(CPUX86State *env, uint32_t dst, uint32_t src,
                               uint32_t src2, uint32_t op)
{
    (void)env;
    return cc_compute_all(dst, src, src2, (int)op);
}

/* IR helper: CF (0/1) from explicit lazy state (pure). */
uint32_t helper_cc_compute_c(CPUX86State *env, uint32_t dst, uint32_t src,
                             uint32_t src2, uint32_t op)
{
    (void)env;
    return cc_compute_c(dst, src, src2, (int)op);
}
