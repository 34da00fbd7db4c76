/*
 * hamt86 - the portable IR interpreter backend: internal interface shared
 * with co-simulation (core/cosim.c).
 *
 * For this backend tb->host_code points at an InterpBlock, the TB's IR
 * decoded into a dense array.  Its first word is the TranslationBlock, so
 * helper_lookup_tb_ptr() (which returns host_code) leads back to the TB.
 *
 *   InterpBlock
 *   +----------+------+-------+---------+--------+-------------------+
 *   | tb       | nops | ntemp | nconsts | chain  | ops[nops] consts[]|
 *   +----------+------+-------+---------+--------+-------------------+
 *
 * Temps are renumbered densely: 0..7 guest GPRs, then the constants (their
 * values are copied from consts[] at block entry), then ordinary temps.
 * Branch targets are op indices; set_label ops are dropped.
 */
#ifndef HAMT86_INTERP_H
#define HAMT86_INTERP_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "ir/ir.h"

typedef struct InterpOp {
    uint16_t opc;
    uint8_t  cond;       /* IRCond / MemOp */
    uint8_t  flags;      /* INTERP_F_* */
    uint16_t a[6];       /* dense temp indices */
    uint32_t imm;        /* branch target op index, env offset, helper id ... */
    uint32_t imm2;
} InterpOp;

/*
 * Interpreter-private opcodes (after the IR ones), chosen by interp_build:
 *   ld_env32 / st_env32   32-bit env access outside regs[] (no sync)
 *   brcond_eq / _ne       the common conditions, no condition switch
 *   addi / subi / andi    second operand constant, value in imm
 */
enum {
    INTERP_ld_env32 = IR_NB_OPS,
    INTERP_st_env32,
    INTERP_brcond_eq,
    INTERP_brcond_ne,
    INTERP_addi,
    INTERP_subi,
    INTERP_andi,
    INTERP_NB_OPS
};

/* InterpOp.flags */
#define INTERP_F_SYNC    0x01   /* write the globals to env->regs[] before */
#define INTERP_F_RELOAD  0x02   /* reload the globals from env->regs[] after */
#define INTERP_F_RET     0x04   /* call: the helper returns a value into a[0] */

typedef struct InterpBlock {
    TranslationBlock *tb;           /* must stay the first member */
    struct InterpBlock *chain[2];   /* goto_tb slots (set_jmp_target) */
    uint32_t nops, ntemps, nconsts, pad;
    const uint32_t *consts;         /* values of temps 8 .. 8+nconsts-1 */
    InterpOp ops[];
} InterpBlock;

/* Allocator used by interp_build: returns 16-byte aligned memory or NULL. */
typedef void *(*InterpAllocFn)(void *opaque, size_t size);

/*
 * Decode f into a block allocated through alloc.  With record_insns, also
 * allocate and fill tb->insn_host_off[] (op index of each insn_start) and
 * tb->insn_eip[], and set tb->jmp_insn_off[] / jmp_reset_off[].
 * Returns NULL when the allocator fails.
 */
InterpBlock *interp_build(TranslationBlock *tb, const IRFunc *f,
                          InterpAllocFn alloc, void *opaque,
                          bool record_insns);

/* Guest memory hooks for shadow runs (co-simulation). */
typedef struct InterpMem {
    uint32_t (*ld)(void *opaque, CPUX86State *env, uint32_t addr,
                   unsigned memop, unsigned mmu_idx);
    void (*st)(void *opaque, CPUX86State *env, uint32_t addr, uint32_t val,
               unsigned memop, unsigned mmu_idx);
    void *opaque;
} InterpMem;

/*
 * Run one block without chaining and without lookup_and_goto_ptr (which
 * returns IR_EXIT_PLAIN), guest memory through mem.  Returns like exec.
 */
uintptr_t interp_exec_shadow(CPUX86State *env, const InterpBlock *b,
                             const InterpMem *mem);

/* Print a decoded block through the log. */
void interp_dump_block(const InterpBlock *b);

#endif
