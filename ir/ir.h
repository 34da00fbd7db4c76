/*
 * hamt86 - the intermediate representation.
 *
 * A TB is translated into one IRFunc: a linear list of IROp over typed
 * temps.  The op set lives in ir/ir-ops.def.  Temps are:
 *
 *   0 .. IR_NB_GLOBALS-1   the eight guest GPRs (EAX..EDI).  Backends keep
 *                          them in fixed callee-saved host registers for the
 *                          whole TB; their memory home is env->regs[].
 *   constants              created with ir_const(); read-only; backends may
 *                          use immediate encodings for them.
 *   ordinary temps         live anywhere inside the TB (also across labels),
 *                          dead at TB exit.
 *
 * Conventions the backends and the interpreter rely on:
 *   - An op with IRF_MAY_RAISE, or a call whose helper has IRH_RW_GLOBALS /
 *     IRH_MAY_RAISE, sees the guest GPRs in env->regs[] (backends spill the
 *     globals before it and reload them after if the helper may write them).
 *   - Before any op that may raise, the translator has stored every piece of
 *     lazy-flag state (cc_*) the guest could observe; the EIP is recovered
 *     from the host PC through the insn_start records (backend restore_state).
 *   - Values of type I32 are kept sign-extended in 64-bit host registers
 *     (the MIPS64 and LoongArch64 convention for 32-bit ops).
 */
#ifndef HAMT86_IR_H
#define HAMT86_IR_H

#include "core/base.h"

typedef enum IRType { IR_TYPE_I32, IR_TYPE_I64 } IRType;

/* op flags (ir-ops.def) */
#define IRF_READS_ENV   0x01
#define IRF_WRITES_ENV  0x02
#define IRF_SIDE_EFFECT 0x04   /* never removed by dead-code elimination */
#define IRF_MEM         0x08
#define IRF_MAY_RAISE   0x10
#define IRF_CALL        0x20
#define IRF_BB_END      0x40   /* ends a basic block (labels, branches) */
#define IRF_TB_END      0x80   /* leaves the TB */

typedef enum IROpcode {
#define IR_OP(name, nout, nin, flags) IR_##name,
#include "ir/ir-ops.def"
#undef IR_OP
    IR_NB_OPS
} IROpcode;

typedef struct IROpDef {
    const char *name;
    uint8_t nout, nin, flags;
} IROpDef;
extern const IROpDef ir_op_defs[IR_NB_OPS];

/* Conditions for setcond / movcond / brcond. */
typedef enum IRCond {
    IR_COND_EQ, IR_COND_NE,
    IR_COND_LT, IR_COND_GE, IR_COND_LE, IR_COND_GT,       /* signed */
    IR_COND_LTU, IR_COND_GEU, IR_COND_LEU, IR_COND_GTU,   /* unsigned */
    IR_COND_TSTEQ, IR_COND_TSTNE,                         /* (a & b) ==/!= 0 */
    IR_NB_CONDS
} IRCond;

/* MemOp (MO_*), memop_extend: ir/memop.h (shared with the memory paths). */
#include "ir/memop.h"

/* MMU indices: MMU_*_IDX / NB_MMU_MODES from core/mmu.h. */
#include "core/mmu.h"

/* exit_tb values: returned to the execution loop. */
#define IR_EXIT_PLAIN    0u      /* no chaining information */
#define IR_EXIT_SLOT0    1u      /* fell out of goto_tb slot 0: chain it */
#define IR_EXIT_SLOT1    2u      /* fell out of goto_tb slot 1: chain it */
#define IR_EXIT_REQUEST  3u      /* exit_request was set at TB entry */
#define IR_EXIT_NOCHAIN  4u      /* env->eip changed in a way that forbids chaining */

typedef uint16_t IRTemp;
#define IR_NO_TEMP       0xffffu /* no temp (void helper, ignored result) */
#define IR_NB_GLOBALS    8
#define IR_MAX_TEMPS     2048
#define IR_MAX_OPS       4096
#define IR_MAX_LABELS    512
#define IR_MAX_CALL_ARGS 4

typedef enum IRTempKind { IR_TEMP_GLOBAL, IR_TEMP_CONST, IR_TEMP_NORMAL } IRTempKind;

typedef struct IRTempInfo {
    uint8_t type;    /* IRType */
    uint8_t kind;    /* IRTempKind */
    uint16_t pad;
    uint32_t val;    /* constant value for IR_TEMP_CONST */
} IRTempInfo;

/*
 * One op.  args[] holds outputs first, then inputs (counts from ir_op_defs
 * or, for IR_call, from the helper).  For IR_call: args[0] is the result
 * temp when the helper returns a value, followed by up to 4 argument temps.
 */
typedef struct IROp {
    uint16_t opc;
    uint8_t  cond;      /* IRCond or MemOp */
    uint8_t  nargs;     /* number of used args[] (always set) */
    IRTemp   args[6];
    uint32_t imm;
    uint32_t imm2;
} IROp;

/* Helper flags. */
#define IRH_PURE        0x01  /* no side effects, does not read env: may be removed / CSE'd */
#define IRH_READS_ENV   0x02  /* reads CPU state other than GPRs */
#define IRH_RW_GLOBALS  0x04  /* reads or writes env->regs[]: globals must be synced */
#define IRH_MAY_RAISE   0x08  /* may raise a guest exception / leave the TB */
#define IRH_IO          0x10  /* touches devices: not replayable (cosim skips) */
#define IRH_WRITES_MEM  0x20  /* may write guest memory (cosim skips the TB) */

/*
 * A helper is a C function  uint32_t fn(CPUX86State *env, uint32_t a0..a3)
 * (or void).  Helpers are registered in a static table (translator/helpers.c)
 * so that the IR and its dumps name them by id.
 */
typedef struct IRHelperInfo {
    const char *name;
    void *fn;
    uint8_t nargs;     /* guest-value args after env, 0..4 */
    uint8_t has_ret;   /* returns uint32_t */
    uint8_t flags;     /* IRH_* */
} IRHelperInfo;
extern const IRHelperInfo ir_helpers[];
extern const unsigned ir_nb_helpers;

/*
 * Operand roles of one op, from ir_op_defs (ir-ops.def) or, for IR_call,
 * from the helper's IRHelperInfo.  Shared by the optimiser, the validator
 * and the host backends' liveness pass.
 */

/* Number of output temps of op (0 or 1). */
static inline unsigned ir_op_nout(const IROp *op)
{
    if (op->opc == IR_call) {
        return op->imm < ir_nb_helpers && ir_helpers[op->imm].has_ret &&
               op->nargs > 0 ? 1 : 0;
    }
    return ir_op_defs[op->opc].nout;
}

/* Input temps of op (outputs excluded): *in points into op->args. */
static inline unsigned ir_op_inputs(const IROp *op, const IRTemp **in)
{
    unsigned first = ir_op_nout(op);

    *in = &op->args[first];
    if (op->opc == IR_call) {
        return op->nargs > first ? op->nargs - first : 0;
    }
    return ir_op_defs[op->opc].nin;
}

/* The output temp of op, or IR_NO_TEMP. */
static inline IRTemp ir_op_output(const IROp *op)
{
    return ir_op_nout(op) ? op->args[0] : IR_NO_TEMP;
}

typedef struct IRFunc {
    IROp ops[IR_MAX_OPS];
    IRTempInfo temps[IR_MAX_TEMPS];
    unsigned nops;
    unsigned ntemps;
    unsigned nlabels;
    bool overflow;   /* ran out of ops/temps/labels: translator shortens the TB */
} IRFunc;

/* --- building --- */
void ir_func_init(IRFunc *f);
IRTemp ir_new_temp(IRFunc *f);
IRTemp ir_const(IRFunc *f, uint32_t val);
static inline IRTemp ir_global(int reg) { return (IRTemp)reg; }
static inline bool ir_is_const(const IRFunc *f, IRTemp t)
{
    return f->temps[t].kind == IR_TEMP_CONST;
}
static inline bool ir_is_global(const IRFunc *f, IRTemp t)
{
    return f->temps[t].kind == IR_TEMP_GLOBAL;
}
unsigned ir_new_label(IRFunc *f);
IROp *ir_emit(IRFunc *f, IROpcode opc);   /* appends a zeroed op */

/* Convenience builders (ir/ir.c). */
void ir_mov(IRFunc *f, IRTemp d, IRTemp a);
void ir_movi(IRFunc *f, IRTemp d, uint32_t v);
void ir_unop(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a);
void ir_binop(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a, IRTemp b);
void ir_binopi(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a, uint32_t b);
void ir_extract(IRFunc *f, IRTemp d, IRTemp a, unsigned pos, unsigned len);
void ir_deposit(IRFunc *f, IRTemp d, IRTemp a, IRTemp b, unsigned pos, unsigned len);
void ir_setcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b);
void ir_movcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b, IRTemp v1, IRTemp v2);
void ir_ld_env(IRFunc *f, IRTemp d, unsigned off, unsigned memop);
void ir_st_env(IRFunc *f, IRTemp v, unsigned off, unsigned memop);
void ir_qemu_ld(IRFunc *f, IRTemp d, IRTemp addr, unsigned memop, unsigned mmu_idx);
void ir_qemu_st(IRFunc *f, IRTemp v, IRTemp addr, unsigned memop, unsigned mmu_idx);
/* ret may be IR_NO_TEMP for void helpers / ignored results. */
void ir_call(IRFunc *f, unsigned helper_id, IRTemp ret, unsigned nargs, const IRTemp *args);
void ir_set_label(IRFunc *f, unsigned label);
void ir_br(IRFunc *f, unsigned label);
void ir_brcond(IRFunc *f, IRCond c, IRTemp a, IRTemp b, unsigned label);
void ir_insn_start(IRFunc *f, uint32_t eip, unsigned len);
void ir_goto_tb(IRFunc *f, unsigned slot);
void ir_exit_tb(IRFunc *f, uint32_t val);
void ir_lookup_and_goto_ptr(IRFunc *f);
/* lookup_and_goto_ptr after a far transfer: CS base and hflags may differ
 * from the TB's, the inline jump-cache probe reads them from env (imm). */
#define IR_LOOKUP_ENV_CS 1u
void ir_lookup_and_goto_ptr_far(IRFunc *f);

/* Evaluate an IRCond on two 32-bit values (shared by folding and the interpreter). */
bool ir_cond_eval(IRCond c, uint32_t a, uint32_t b);

/* --- passes (ir/ir-opt.c) --- */
/* Constant folding/propagation, copy propagation, dead-code and dead-flag
 * (dead st_env to lazy-flag fields) elimination. */
void ir_optimize(IRFunc *f);
/* Check types, arities and label use; returns false and logs on error. */
bool ir_validate(const IRFunc *f);
/* Print the function (for -d ir / -d ir_opt) through the log. */
void ir_dump(const IRFunc *f);

/* Optimizer counters (ir/ir-opt.c), summed over all ir_optimize calls
 * (for --stats). */
typedef struct IROptStats {
    uint64_t funcs, ops_in, ops_out;
    uint64_t folded;        /* ops folded to constants */
    uint64_t copies;        /* operands replaced by copy/const propagation */
    uint64_t simplified;    /* algebraic simplifications */
    uint64_t branches;      /* brcond resolved to br or removed, br to next op */
    uint64_t unreachable;   /* ops removed after br/exit_tb */
    uint64_t dead_code;     /* ops removed by dead-code elimination */
    uint64_t dead_flags;    /* dead st_env to cc_op/cc_dst/cc_src/cc_src2 */
    uint64_t flag_loads;    /* ld_env of a lazy-flag field forwarded from a store */
    uint64_t coalesced;     /* temp -> global movs removed (def writes the global) */
} IROptStats;
extern IROptStats ir_opt_stats;

#endif
