/*
 * hamt86 - translator internals shared by the per-family gen_* files.
 *
 * translate.c owns the TB loop, operand access, stack and control-flow
 * helpers; cc.c owns lazy flags.  Family files (alu.c, data.c, ctrl.c,
 * string.c, system.c, ...) implement the gen_* entries the rows of
 * x86-insn.def name.
 */
#ifndef HAMT86_TRANSLATE_H
#define HAMT86_TRANSLATE_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "ir/ir.h"
#include "translator/decode.h"
#include "translator/helpers.h"

/* Why translation of the TB stops after the current instruction. */
enum {
    DISAS_NEXT,       /* keep going */
    DISAS_NORETURN,   /* the insn already ended the TB (exception, jump emitted) */
    DISAS_EOB,        /* state changed: store EIP = next insn and exit (no chain) */
    DISAS_TOO_MANY,   /* limit reached: chain to next insn */
};

typedef struct DisasContext {
    CPUX86State *env;
    IRFunc *f;
    TranslationBlock *tb;
    uint32_t pc;         /* EIP of the insn being translated */
    uint32_t next_pc;    /* EIP of the following insn */
    uint32_t cs_base;
    uint32_t flags;      /* tb->flags */
    bool code32, ss32, addseg, pe, vm86;
    int cpl, iopl;
    int mem_idx;         /* MMU index for data accesses */
    int is_jmp;          /* DISAS_* */
    int num_insns, max_insns;
    uint32_t page_start; /* linear address of the TB's first page */
    /* lazy flags: statically known CC_OP_* of env->cc_op, and whether the
     * IR has already stored it (cc_op_dirty == false). */
    int cc_op;
    bool cc_op_dirty;
    /* flags (CC_ARITH bits) a merged state (translator/cc.h) replaced since
     * cc_op was last set: env->cc_op then holds merge bits over the inner op
     * cc_op (or over an unknown op when cc_op is CC_OP_DYNAMIC), is always
     * stored, and its values for these bits are exact.  0: no merge. */
    uint32_t cc_mrg;
    /* INC/DEC layer (translator/cc.h) set since cc_op was last set: its
     * CC_OP_INC* / CC_OP_DEC* (env->cc_op then always stored), 0: none.
     * With cc_op CC_OP_DYNAMIC and 0 here, env may still hold a layer. */
    int cc_res;
    const X86Insn *insn;
    /* guest loads of this insn read a read-modify-write destination
     * (XA_LOCKABLE / XA_RMW row): they carry MO_RMW (ir/memop.h) */
    bool rmw;
    /* x87 TOP the code at this point is specialised on: the TB flags' TOP
     * at entry, then each x87/MMX instruction's effect when it raises
     * nothing (translator/fpu.c; checked at run time before use). */
    unsigned fptop;
    /* the last SS-relative linear addresses (temp + 1; 0: none): their
     * loads and stores carry MO_STACK (ir/memop.h), a hint only */
    IRTemp ss_addr[4];
    unsigned ss_next;
} DisasContext;

/* ---- operands (translate.c) ---- */
/* Linear address of insn->mem (segment base added when needed, 16-bit wrap). */
IRTemp gen_linear_addr(DisasContext *s, const X86Insn *insn);
/* Offset-only effective address (LEA): no segment base. */
IRTemp gen_ea_offset(DisasContext *s, const X86Insn *insn);
/* Value of operand n, zero-extended to 32 bits (register, memory, imm). */
IRTemp gen_ld_op(DisasContext *s, const X86Insn *insn, int n);
/* Same, but for a read-modify-write where the address was already computed. */
IRTemp gen_ld_op_addr(DisasContext *s, const X86Insn *insn, int n, IRTemp addr);
/* Write v (low size bytes) to operand n; addr may be IR_NO_TEMP. */
void gen_st_op(DisasContext *s, const X86Insn *insn, int n, IRTemp v, IRTemp addr);
/* Register access by size (1: AL..BH encoding, 2, 4); loads zero-extend. */
IRTemp gen_ld_reg(DisasContext *s, int size, int reg);
void gen_st_reg(DisasContext *s, int size, int reg, IRTemp v);
/* Guest memory at a linear address (memop: MO_8/16/32 [| MO_SIGN]). */
IRTemp gen_ld_mem(DisasContext *s, unsigned memop, IRTemp addr);
void gen_st_mem(DisasContext *s, unsigned memop, IRTemp v, IRTemp addr);
/* Add segment seg's base to an offset when needed (addseg / FS / GS). */
IRTemp gen_add_seg(DisasContext *s, int seg, IRTemp offset);
/* A store split into parts that crosses a page faults before any part. */
void gen_probe_split_store(DisasContext *s, IRTemp addr, unsigned size);
void gen_probe_write(DisasContext *s, IRTemp addr, unsigned size);

/* ---- stack (translate.c), honouring SS.B ---- */
void gen_push_v(DisasContext *s, int size, IRTemp v);
IRTemp gen_pop_v(DisasContext *s, int size);   /* loads, then updates ESP */
/* Two-phase pop for instructions that must not update ESP before a fault. */
IRTemp gen_pop_peek(DisasContext *s, int size, int offset);
void gen_stack_adjust(DisasContext *s, int32_t delta);

/* ---- lazy flags (cc.c) ---- */
void gen_update_cc_op(DisasContext *s);           /* store cc_op if dirty */
void gen_set_cc_op(DisasContext *s, int cc_op);   /* static change */
/* Record flags of result = a OP b for op in CC_OP_ADD/SUB/LOGIC families. */
void gen_flags_add(DisasContext *s, int size, IRTemp res, IRTemp src2);
void gen_flags_sub(DisasContext *s, int size, IRTemp res, IRTemp src1, IRTemp src2);
void gen_flags_logic(DisasContext *s, int size, IRTemp res);
/* Full arithmetic EFLAGS (CC_ARITH bits only) as a temp. */
IRTemp gen_compute_eflags(DisasContext *s);
IRTemp gen_compute_cf(DisasContext *s);           /* 0 or 1 */
/* Set env state from explicit flags (CC_ARITH bits in v): cc_op = EFLAGS. */
void gen_set_eflags_arith(DisasContext *s, IRTemp v);
/* Condition cc (x86 encoding 0..15) as a 0/1 temp, or as a branch. */
IRTemp gen_cc_value(DisasContext *s, int cc);
void gen_cc_branch(DisasContext *s, int cc, unsigned label);

/* ---- control flow (translate.c) ---- */
/* Jump to a constant EIP: chains with goto_tb when on the TB's page. */
void gen_jmp_im(DisasContext *s, uint32_t eip, int slot);
/* Jump to a computed EIP: lookup_and_goto_ptr. */
void gen_jmp_dyn(DisasContext *s, IRTemp eip);
/* Store EIP = value (constant). */
void gen_set_eip(DisasContext *s, uint32_t eip);
/* End the TB after this insn without chaining (state changed). */
void gen_eob(DisasContext *s);
/* Raise exception vec at the current insn (error code err, or -1 none). */
void gen_exception(DisasContext *s, int vec, int err);
/* Raise #UD and log the bytes under -d unimp. */
void gen_illegal(DisasContext *s, const X86Insn *insn);
/* Call a helper (helpers.h id) with up to 4 args; returns result temp or IR_NO_TEMP.
 * Syncs cc_op first when the helper may raise or reads env. */
IRTemp gen_helper(DisasContext *s, unsigned id, unsigned nargs, ...);

/* Generic entry for rows with no translation yet: #UD + -d unimp log. */
X86GenFn gen_unimp;

#endif
