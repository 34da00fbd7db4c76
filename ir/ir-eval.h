/*
 * hamt86 - value semantics of the pure IR ops, shared by the interpreter
 * backend (host-interp/interp.c) and constant folding (ir/ir-opt.c)
 * so that both always agree.
 */
#ifndef HAMT86_INTERP_EVAL_H
#define HAMT86_INTERP_EVAL_H

#include "core/base.h"
#include "ir/ir.h"

/* Mask of the low len bits, len 1..32. */
static inline uint32_t ir_eval_mask(unsigned len)
{
    return len >= 32 ? 0xffffffffu : (1u << len) - 1;
}

/* Rotate left by n (mod 32). */
static inline uint32_t ir_eval_rotl(uint32_t a, uint32_t n)
{
    n &= 31;
    return n ? (a << n) | (a >> (32 - n)) : a;
}

/* Rotate right by n (mod 32). */
static inline uint32_t ir_eval_rotr(uint32_t a, uint32_t n)
{
    n &= 31;
    return n ? (a >> n) | (a << (32 - n)) : a;
}

/* (a >> pos) & mask(len) */
static inline uint32_t ir_eval_extract(uint32_t a, unsigned pos, unsigned len)
{
    return (a >> (pos & 31)) & ir_eval_mask(len);
}

/* a with bits [pos, pos + len) replaced by the low bits of b */
static inline uint32_t ir_eval_deposit(uint32_t a, uint32_t b, unsigned pos, unsigned len)
{
    uint32_t m = ir_eval_mask(len) << (pos & 31);
    return (a & ~m) | ((b << (pos & 31)) & m);
}

/* Byte swap. */
static inline uint32_t ir_eval_bswap(uint32_t a)
{
    return __builtin_bswap32(a);
}

/* Leading / trailing zero counts; 32 for 0. */
static inline uint32_t ir_eval_clz(uint32_t a)
{
    return a ? (uint32_t)__builtin_clz(a) : 32;
}

static inline uint32_t ir_eval_ctz(uint32_t a)
{
    return a ? (uint32_t)__builtin_ctz(a) : 32;
}

/* Condition c on a and b (ir_cond_eval is this, out of line). */
static inline bool ir_eval_cond(IRCond c, uint32_t a, uint32_t b)
{
    switch (c) {
    case IR_COND_EQ:    return a == b;
    case IR_COND_NE:    return a != b;
    case IR_COND_LT:    return (int32_t)a < (int32_t)b;
    case IR_COND_GE:    return (int32_t)a >= (int32_t)b;
    case IR_COND_LE:    return (int32_t)a <= (int32_t)b;
    case IR_COND_GT:    return (int32_t)a > (int32_t)b;
    case IR_COND_LTU:   return a < b;
    case IR_COND_GEU:   return a >= b;
    case IR_COND_LEU:   return a <= b;
    case IR_COND_GTU:   return a > b;
    case IR_COND_TSTEQ: return (a & b) == 0;
    case IR_COND_TSTNE: return (a & b) != 0;
    default:            return false;
    }
}

/*
 * Evaluate a pure value op (mov .. movcond) on constant inputs in[].
 * Returns false for ops that are not pure value ops.
 */
static inline bool ir_eval_pure(const IROp *op, const uint32_t *in, uint32_t *out)
{
    uint32_t a = in[0], b = in[1];

    switch (op->opc) {
    case IR_mov:     *out = a; break;
    case IR_add:     *out = a + b; break;
    case IR_sub:     *out = a - b; break;
    case IR_mul:     *out = a * b; break;
    case IR_muluh:   *out = (uint32_t)(((uint64_t)a * b) >> 32); break;
    case IR_mulsh:   *out = (uint32_t)((uint64_t)((int64_t)(int32_t)a *
                                                  (int32_t)b) >> 32); break;
    case IR_and:     *out = a & b; break;
    case IR_or:      *out = a | b; break;
    case IR_xor:     *out = a ^ b; break;
    case IR_shl:     *out = a << (b & 31); break;
    case IR_shr:     *out = a >> (b & 31); break;
    case IR_sar:     *out = (uint32_t)((int32_t)a >> (b & 31)); break;
    case IR_rotl:    *out = ir_eval_rotl(a, b); break;
    case IR_rotr:    *out = ir_eval_rotr(a, b); break;
    case IR_neg:     *out = -a; break;
    case IR_not:     *out = ~a; break;
    case IR_ext8s:   *out = (uint32_t)(int32_t)(int8_t)a; break;
    case IR_ext8u:   *out = a & 0xff; break;
    case IR_ext16s:  *out = (uint32_t)(int32_t)(int16_t)a; break;
    case IR_ext16u:  *out = a & 0xffff; break;
    case IR_bswap:   *out = ir_eval_bswap(a); break;
    case IR_clz:     *out = ir_eval_clz(a); break;
    case IR_ctz:     *out = ir_eval_ctz(a); break;
    case IR_extract: *out = ir_eval_extract(a, op->imm, op->imm2); break;
    case IR_deposit: *out = ir_eval_deposit(a, b, op->imm, op->imm2); break;
    case IR_setcond: *out = ir_eval_cond((IRCond)op->cond, a, b); break;
    case IR_movcond: *out = ir_eval_cond((IRCond)op->cond, a, b) ? in[2] : in[3]; break;
    default:
        return false;
    }
    return true;
}

#endif
