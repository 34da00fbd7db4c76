/*
 * hamt86 - lazy x86 arithmetic flags.
 *
 * Flag-setting instructions do not compute EFLAGS.  They leave the operation
 * kind in env->cc_op and its operands in env->cc_dst / cc_src / cc_src2;
 * the six arithmetic flags (CC_ARITH) are derived only when something reads
 * them.  The translator tracks the value of env->cc_op statically
 * (DisasContext.cc_op) and stores it only when it changes.
 *
 * Each sized operation has three consecutive values B, W, L, so that
 * CC_OP_ADDB + ot (ot = 0, 1, 2 for 8, 16, 32 bits) names the sized one.
 *
 *   cc_op        cc_dst        cc_src          cc_src2
 *   EFLAGS       -             flags (CC_ARITH) -
 *   ADD          result        src2             -        (src1 = dst - src)
 *   ADC          result        src2             carry-in
 *   SUB          result        src2             -        (src1 = dst + src)
 *   SBB          result        src2             carry-in
 *   LOGIC        result        -                -        CF = OF = AF = 0
 *   INC / DEC    result        old CF (0/1)     -
 *   SHL          result        value << (n-1)   -        CF = bit size-1 of src
 *   SAR          result        value >> (n-1)   -        CF = bit 0 of src (SHR too)
 *   MUL          low result    nonzero: CF=OF   -        (src: full 32 bits)
 *
 * dst and src are kept zero-extended to the operation size.
 *
 * Merged state.  An instruction that defines only some of the flags
 * (ROL/ROR, RCL/RCR, BT*, CLC/STC/CMC, SAHF, CMPXCHG8B, ARPL) need not
 * evaluate the others: it leaves cc_dst / cc_src / cc_src2 and the low
 * byte of cc_op (the inner op) alone and records in the upper bits of cc_op
 * which flags it replaces and their new values:
 *
 *   cc_op bits   0..7   inner CC_OP_* (describes cc_dst / cc_src / cc_src2)
 *                8..19  values of the replaced flags (EFLAGS bit layout)
 *                20..31 mask of the replaced flags (CC_ARITH bits)
 *
 * flags = (flags of the inner op & ~mask) | (values & mask).  A plain op has
 * zero upper bits, so merging into any state, merged or not, known or not,
 * is cc_op = (cc_op & ~(mask << 20 | mask << 8)) | mask << 20 | values << 8:
 * no helper call even when the incoming cc_op is only known at run time.
 *
 * INC/DEC layer.  INC/DEC define all flags but CF, whose value is the
 * incoming state's.  When that CF would need a helper (cc_op unknown at
 * translation time, or ADC/SBB), INC/DEC instead store their zero-extended
 * result in env->cc_res2 and set cc_op bits 28..30 (CC_RES_*: unused by the
 * mask field, whose bits for EFLAGS 8..10 are never set) to
 * 1 + (CC_OP_INCB..CC_OP_DECL - CC_OP_INCB), clearing the merge bits of
 * every flag but CF.  The flags are then evaluated in three layers:
 *
 *   inner op (dst/src/src2) -> OF/SF/ZF/AF/PF of INC/DEC(cc_res2), CF kept
 *                           -> merged values (mask / values fields)
 *
 * so a later merge (CLC, BT, ROL, ...) still overrides what it replaces.
 * Any plain producer rewrites cc_op whole, which drops the layer.
 */
#ifndef HAMT86_CC_H
#define HAMT86_CC_H

#include "core/base.h"
#include "core/cpu.h"
#include "ir/ir.h"

enum {
    CC_OP_DYNAMIC = -1,   /* translation time only: env->cc_op is exact */
    CC_OP_EFLAGS = 0,
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL,
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL,
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL,
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL,
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL,
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL,
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL,
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL,
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL,
    CC_OP_MULB, CC_OP_MULW, CC_OP_MULL,
    CC_OP_NB
};
BUILD_ASSERT(CC_OP_EFLAGS == CPU_CC_OP_EFLAGS);

/* Merged state fields of cc_op (see above). */
#define CC_OP_INNER_MASK   0xffu
#define CC_MRG_VAL_SHIFT   8
#define CC_MRG_MASK_SHIFT  20

/* INC/DEC layer field of cc_op (see above): 0 none, else 1 + op - INCB. */
#define CC_RES_SHIFT       28
#define CC_RES_FIELD       (7u << CC_RES_SHIFT)

/* The cc_op bits that merging the flags in mask (CC_ARITH bits) replaces. */
static inline uint32_t cc_mrg_bits(uint32_t mask)
{
    return (mask << CC_MRG_MASK_SHIFT) | (mask << CC_MRG_VAL_SHIFT);
}

/* Operation size class (0: 8, 1: 16, 2: 32 bits) from a byte count. */
static inline int cc_ot(int size)
{
    return size == 1 ? 0 : size == 2 ? 1 : 2;
}

/* First value of the B/W/L group cc_op belongs to (EFLAGS for EFLAGS). */
static inline int cc_op_base(int cc_op)
{
    return cc_op <= CC_OP_EFLAGS ? cc_op : cc_op - (cc_op - CC_OP_ADDB) % 3;
}

/* Size class of a sized cc_op. */
static inline int cc_op_ot(int cc_op)
{
    return (cc_op - CC_OP_ADDB) % 3;
}

/* Pure flag evaluation shared by cpu_cc_compute_all and the helpers. */
uint32_t cc_compute_all(uint32_t dst, uint32_t src, uint32_t src2, int op);
uint32_t cc_compute_c(uint32_t dst, uint32_t src, uint32_t src2, int op);
/* cc_compute_all with the INC/DEC layer result res2 (used when op has it). */
uint32_t cc_compute_all_res(uint32_t dst, uint32_t src, uint32_t src2,
                            uint32_t res2, int op);
/* Parity flag (CC_P or 0) of the low byte of v. */
uint32_t cc_parity(uint32_t v);

struct DisasContext;
/* Forget statically known flag operands (called at TB start, cc.c). */
void cc_reset_tracking(struct DisasContext *s);
/* Record that a helper has just written env->cc_op = cc_op itself. */
void gen_cc_op_synced(struct DisasContext *s, int cc_op);
/* Replace the flags in mask (CC_ARITH bits) by vals (a temp holding only
 * bits of mask), keeping the others lazy: a merged state (see above). */
void gen_flags_merge(struct DisasContext *s, uint32_t mask, IRTemp vals);
/* Would CF of the current state need a helper call (INC/DEC then layer)? */
bool cc_cf_needs_helper(struct DisasContext *s);
/* INC/DEC layer: res (zero-extended result) of incdec_op (CC_OP_INC* /
 * CC_OP_DEC*) replaces all flags but CF, CF stays lazy (see above). */
void gen_flags_incdec_layer(struct DisasContext *s, int incdec_op, IRTemp res);
/* Store cc_dst / cc_src / cc_src2 (IR_NO_TEMP: leave) and switch to cc_op. */
void gen_flags_set(struct DisasContext *s, int cc_op, IRTemp dst,
                   IRTemp src, IRTemp src2);
/* Zero-extend v to size bytes into a new temp. */
IRTemp gen_zext(struct DisasContext *s, int size, IRTemp v);
/* Sign-extend v from size bytes into a new temp. */
IRTemp gen_sext(struct DisasContext *s, int size, IRTemp v);

#endif
