/*
 * hamt86 - C helpers of the ALU family: DIV/IDIV, RCL/RCR, SHLD/SHRD and
 * the decimal adjust instructions.
 *
 * Helpers that raise do so with retaddr 0: the translator stores EIP and
 * cc_op before calling them, so the state is already exact.
 */
#include "core/cpu.h"
#include "translator/cc.h"

/* Register bytes by size. */
#define AL(env) ((env)->regs[R_EAX] & 0xff)
#define AH(env) (((env)->regs[R_EAX] >> 8) & 0xff)

/* Set the low 16 bits of a register. */
static inline void set_reg16(CPUX86State *env, int reg, uint32_t v)
{
    env->regs[reg] = (env->regs[reg] & 0xffff0000u) | (v & 0xffff);
}

/* Raise #DE (divide error) at the stored EIP. */
static NORETURN void raise_de(CPUX86State *env)
{
    raise_exception_err_ra(env, EXCP00_DE, 0, 0);
}

/* DIV r/m8: AL = AX / src, AH = AX % src. */
void helper_div_b(CPUX86State *env, uint32_t src)
{
    uint32_t num = env->regs[R_EAX] & 0xffff, den = src & 0xff, q;

    if (den == 0) {
        raise_de(env);
    }
    q = num / den;
    if (q > 0xff) {
        raise_de(env);
    }
    set_reg16(env, R_EAX, (q & 0xff) | ((num % den) << 8));
}

/* DIV r/m16: AX = DX:AX / src, DX = remainder. */
void helper_div_w(CPUX86State *env, uint32_t src)
{
    uint32_t num = (env->regs[R_EAX] & 0xffff) | (env->regs[R_EDX] << 16);
    uint32_t den = src & 0xffff, q;

    if (den == 0) {
        raise_de(env);
    }
    q = num / den;
    if (q > 0xffff) {
        raise_de(env);
    }
    set_reg16(env, R_EAX, q);
    set_reg16(env, R_EDX, num % den);
}

/* DIV r/m32: EAX = EDX:EAX / src, EDX = remainder. */
void helper_div_l(CPUX86State *env, uint32_t src)
{
    uint64_t num = ((uint64_t)env->regs[R_EDX] << 32) | env->regs[R_EAX];
    uint64_t q;

    if (src == 0) {
        raise_de(env);
    }
    q = num / src;
    if (q > 0xffffffffu) {
        raise_de(env);
    }
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)(num % src);
}

/* IDIV r/m8: AL = AX / src, AH = AX % src (signed). */
void helper_idiv_b(CPUX86State *env, uint32_t src)
{
    int32_t num = (int16_t)env->regs[R_EAX], den = (int8_t)src, q;

    if (den == 0) {
        raise_de(env);
    }
    q = num / den;
    if (q != (int8_t)q) {
        raise_de(env);
    }
    set_reg16(env, R_EAX, ((uint32_t)q & 0xff) | (((uint32_t)(num % den) & 0xff) << 8));
}

/* IDIV r/m16: AX = DX:AX / src, DX = remainder (signed). */
void helper_idiv_w(CPUX86State *env, uint32_t src)
{
    int32_t num = (int32_t)((env->regs[R_EAX] & 0xffff) |
                            (env->regs[R_EDX] << 16));
    int32_t den = (int16_t)src, q;

    if (den == 0) {
        raise_de(env);
    }
    if (num == INT32_MIN && den == -1) {
        raise_de(env);
    }
    q = num / den;
    if (q != (int16_t)q) {
        raise_de(env);
    }
    set_reg16(env, R_EAX, (uint32_t)q);
    set_reg16(env, R_EDX, (uint32_t)(num % den));
}

/* IDIV r/m32: EAX = EDX:EAX / src, EDX = remainder (signed). */
void helper_idiv_l(CPUX86State *env, uint32_t src)
{
    int64_t num = (int64_t)(((uint64_t)env->regs[R_EDX] << 32) |
                            env->regs[R_EAX]);
    int64_t den = (int32_t)src, q;

    if (den == 0) {
        raise_de(env);
    }
    if (num == INT64_MIN && den == -1) {
        raise_de(env);
    }
    q = num / den;
    if (q != (int32_t)q) {
        raise_de(env);
    }
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)(num % den);
}

/*
 * Shift control word of the pure shift helpers:
 *
 *   31        17  16  15    8 7     5 4     0
 *  +------------+---+--------+-------+-------+
 *  |     0      | R |   ot   |   0   | count |
 *  +------------+---+--------+-------+-------+
 *   R: right (RCR / SHRD), ot: 0/1/2 for 8/16/32 bits
 */
#define CTL_COUNT(c) ((c) & 31u)
#define CTL_OT(c)    (((c) >> 8) & 3u)
#define CTL_RIGHT(c) (((c) >> 16) & 1u)

/* Rotate the (bits + 1)-bit value CF:v (CF: bit 0 of cf); returns the new CF:v. */
static uint64_t rotc_value(uint32_t v, uint32_t ctl, uint32_t cf)
{
    unsigned bits = 8u << CTL_OT(ctl), w = bits + 1;
    unsigned n = CTL_COUNT(ctl) % w;
    uint64_t mask = (1ull << w) - 1;
    uint64_t x = ((uint64_t)(cf & CC_C) << bits) |
                 (v & (uint32_t)((1ull << bits) - 1));

    if (n == 0) {
        return x;
    }
    if (CTL_RIGHT(ctl)) {
        return ((x >> n) | (x << (w - n))) & mask;
    }
    return ((x << n) | (x >> (w - n))) & mask;
}

/* RCL/RCR result (cf: the incoming CF, 0 or 1). */
uint32_t helper_rotc(CPUX86State *env, uint32_t v, uint32_t ctl, uint32_t cf)
{
    unsigned bits = 8u << CTL_OT(ctl);

    (void)env;
    return (uint32_t)(rotc_value(v, ctl, cf) & ((1ull << bits) - 1));
}

/* RCL/RCR flags: CF = the rotated-out bit, OF = MSB(v ^ result), as the
 * CC_C | CC_O bits to merge (cf: the incoming CF).  The translator leaves
 * the flags alone when the reduced count is 0 (then CF = cf, OF = 0). */
uint32_t helper_rotc_flags(CPUX86State *env, uint32_t v, uint32_t ctl,
                           uint32_t cf)
{
    unsigned bits = 8u << CTL_OT(ctl);
    uint64_t x = rotc_value(v, ctl, cf);
    uint32_t res = (uint32_t)(x & ((1ull << bits) - 1));
    uint32_t f;

    (void)env;
    f = (uint32_t)(x >> bits) & 1;
    if (((v ^ res) >> (bits - 1)) & 1) {
        f |= CC_O;
    }
    return f;
}

/* SHLD/SHRD result; a 16-bit count above 16 shifts dst:src:dst as Intel
 * CPUs do.  Count 0 returns dst. */
uint32_t helper_shd(CPUX86State *env, uint32_t dst, uint32_t src,
                    uint32_t ctl)
{
    unsigned n = CTL_COUNT(ctl);
    uint64_t x;

    (void)env;
    if (n == 0) {
        return dst;
    }
    switch (CTL_OT(ctl)) {
    case 1:
        dst &= 0xffff;
        src &= 0xffff;
        x = ((uint64_t)dst << 32) | (src << 16) | dst;
        if (CTL_RIGHT(ctl)) {
            return (uint32_t)(x >> n) & 0xffff;
        }
        return (uint32_t)(x >> (32 - n)) & 0xffff;
    case 0:
        /* not encodable; behave like the 32-bit form on the low byte */
    default:
        if (CTL_RIGHT(ctl)) {
            return (dst >> n) | (src << (32 - n));
        }
        return (dst << n) | (src >> (32 - n));
    }
}

/* Write explicit arithmetic flags to the lazy state. */
static inline void set_flags(CPUX86State *env, uint32_t f)
{
    env->cc_src = f & CC_ARITH;
    env->cc_op = CC_OP_EFLAGS;
}

/* ZF, SF and PF of an 8-bit result. */
static inline uint32_t zsp8(uint32_t v)
{
    v &= 0xff;
    return cc_parity(v) | (v == 0 ? CC_Z : 0) | (v & 0x80 ? CC_S : 0);
}

/* DAA: decimal adjust AL after addition. */
void helper_daa(CPUX86State *env)
{
    uint32_t fl = cpu_cc_compute_all(env);
    uint32_t al = AL(env), old_al = al, cf = fl & CC_C, f = 0;

    if ((al & 0xf) > 9 || (fl & CC_A)) {
        f |= CC_A;
        if (al + 6 > 0xff) {
            cf = CC_C;
        }
        al = (al + 6) & 0xff;
    }
    if (old_al > 0x99 || (fl & CC_C)) {
        al = (al + 0x60) & 0xff;
        cf = CC_C;
    } else {
        cf = 0;
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffu) | al;
    set_flags(env, f | cf | zsp8(al));
}

/* DAS: decimal adjust AL after subtraction. */
void helper_das(CPUX86State *env)
{
    uint32_t fl = cpu_cc_compute_all(env);
    uint32_t al = AL(env), old_al = al, cf = 0, f = 0;

    if ((al & 0xf) > 9 || (fl & CC_A)) {
        f |= CC_A;
        cf = (fl & CC_C) || al < 6 ? CC_C : 0;
        al = (al - 6) & 0xff;
    }
    if (old_al > 0x99 || (fl & CC_C)) {
        al = (al - 0x60) & 0xff;
        cf = CC_C;
    }
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffu) | al;
    set_flags(env, f | cf | zsp8(al));
}

/* AAA: ASCII adjust after addition (AX += 0x106 form of P6 and later). */
void helper_aaa(CPUX86State *env)
{
    uint32_t fl = cpu_cc_compute_all(env);
    uint32_t ax = env->regs[R_EAX] & 0xffff, f;

    if ((ax & 0xf) > 9 || (fl & CC_A)) {
        ax = (ax + 0x106) & 0xffff;
        f = CC_A | CC_C;
    } else {
        f = 0;
    }
    ax &= 0xff0f;
    set_reg16(env, R_EAX, ax);
    set_flags(env, f | zsp8(ax));
}

/* AAS: ASCII adjust after subtraction. */
void helper_aas(CPUX86State *env)
{
    uint32_t fl = cpu_cc_compute_all(env);
    uint32_t ax = env->regs[R_EAX] & 0xffff, f;

    if ((ax & 0xf) > 9 || (fl & CC_A)) {
        ax = (ax - 6) & 0xffff;
        ax = (ax - 0x100) & 0xffff;
        f = CC_A | CC_C;
    } else {
        f = 0;
    }
    ax &= 0xff0f;
    set_reg16(env, R_EAX, ax);
    set_flags(env, f | zsp8(ax));
}

/* AAM imm8 (imm8 != 0, checked by the translator): AH = AL / imm, AL = AL % imm. */
void helper_aam(CPUX86State *env, uint32_t imm)
{
    uint32_t al = AL(env), base = imm & 0xff;

    if (base == 0) {
        raise_de(env);
    }
    set_reg16(env, R_EAX, ((al / base) << 8) | (al % base));
    set_flags(env, zsp8(al % base));
}

/* AAD imm8: AL = AL + AH * imm, AH = 0. */
void helper_aad(CPUX86State *env, uint32_t imm)
{
    uint32_t al = (AL(env) + AH(env) * (imm & 0xff)) & 0xff;

    set_reg16(env, R_EAX, al);
    set_flags(env, zsp8(al));
}
