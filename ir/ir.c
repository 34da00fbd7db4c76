/*
 * hamt86 - the IR library: op table, builders, condition evaluation and
 * validation.
 *
 * An IRFunc is a flat array of IROp over typed temps (ir/ir.h).
 * Builders never fail: when the function runs out of ops, temps or labels
 * they set f->overflow and write into a scratch op / temp, and the
 * translator shortens the TB and translates again.
 */
#include "core/libc.h"
#include "core/log.h"
#include "ir/ir.h"
#include "ir/ir-eval.h"

const IROpDef ir_op_defs[IR_NB_OPS] = {
#define IR_OP(name, nout, nin, flags) [IR_##name] = { #name, nout, nin, flags },
#include "ir/ir-ops.def"
#undef IR_OP
};

/* Scratch op handed out once the function is full. */
static IROp ir_scratch_op;

/*
 * Small direct-mapped cache of constant temps, value -> temp.  Entries are
 * verified against the IRFunc before use, so stale entries from another
 * function (or a previous TB) are harmless.
 */
#define IR_CONST_CACHE_BITS 8
static IRTemp ir_const_cache[1u << IR_CONST_CACHE_BITS];

/* Reset f to an empty function holding only the eight guest globals. */
void ir_func_init(IRFunc *f)
{
    f->nops = 0;
    f->nlabels = 0;
    f->overflow = false;
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        f->temps[i].type = IR_TYPE_I32;
        f->temps[i].kind = IR_TEMP_GLOBAL;
        f->temps[i].pad = 0;
        f->temps[i].val = 0;
    }
    f->ntemps = IR_NB_GLOBALS;
}

/* Allocate a temp of the given kind (the last temp once full). */
static IRTemp ir_alloc_temp(IRFunc *f, IRTempKind kind, uint32_t val)
{
    IRTemp t;

    if (unlikely(f->ntemps >= IR_MAX_TEMPS)) {
        f->overflow = true;
        return IR_MAX_TEMPS - 1;
    }
    t = (IRTemp)f->ntemps++;
    f->temps[t].type = IR_TYPE_I32;
    f->temps[t].kind = kind;
    f->temps[t].pad = 0;
    f->temps[t].val = val;
    return t;
}

/* A fresh ordinary temp. */
IRTemp ir_new_temp(IRFunc *f)
{
    return ir_alloc_temp(f, IR_TEMP_NORMAL, 0);
}

/* Hash a constant into the const cache. */
static inline unsigned ir_const_hash(uint32_t v)
{
    return (v * 0x9e3779b1u) >> (32 - IR_CONST_CACHE_BITS);
}

/* A read-only temp holding val; reuses an existing one when cached. */
IRTemp ir_const(IRFunc *f, uint32_t val)
{
    unsigned h = ir_const_hash(val);
    IRTemp t = ir_const_cache[h];

    if (t < f->ntemps && f->temps[t].kind == IR_TEMP_CONST &&
        f->temps[t].val == val) {
        return t;
    }
    t = ir_alloc_temp(f, IR_TEMP_CONST, val);
    if (!f->overflow) {
        ir_const_cache[h] = t;
    }
    return t;
}

/* A fresh label id. */
unsigned ir_new_label(IRFunc *f)
{
    if (unlikely(f->nlabels >= IR_MAX_LABELS)) {
        f->overflow = true;
        return IR_MAX_LABELS - 1;
    }
    return f->nlabels++;
}

/* Append a zeroed op; nargs preset from the op table. */
IROp *ir_emit(IRFunc *f, IROpcode opc)
{
    IROp *op;

    if (unlikely(f->nops >= IR_MAX_OPS)) {
        f->overflow = true;
        op = &ir_scratch_op;
    } else {
        op = &f->ops[f->nops++];
    }
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->nargs = ir_op_defs[opc].nout + ir_op_defs[opc].nin;
    return op;
}

/* d = a */
void ir_mov(IRFunc *f, IRTemp d, IRTemp a)
{
    ir_unop(f, IR_mov, d, a);
}

/* d = constant */
void ir_movi(IRFunc *f, IRTemp d, uint32_t v)
{
    ir_mov(f, d, ir_const(f, v));
}

/* d = opc(a) */
void ir_unop(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a)
{
    IROp *op = ir_emit(f, opc);
    op->args[0] = d;
    op->args[1] = a;
}

/* d = opc(a, b) */
void ir_binop(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a, IRTemp b)
{
    IROp *op = ir_emit(f, opc);
    op->args[0] = d;
    op->args[1] = a;
    op->args[2] = b;
}

/* d = opc(a, constant) */
void ir_binopi(IRFunc *f, IROpcode opc, IRTemp d, IRTemp a, uint32_t b)
{
    ir_binop(f, opc, d, a, ir_const(f, b));
}

/* d = (a >> pos) & mask(len) */
void ir_extract(IRFunc *f, IRTemp d, IRTemp a, unsigned pos, unsigned len)
{
    IROp *op = ir_emit(f, IR_extract);
    op->args[0] = d;
    op->args[1] = a;
    op->imm = pos;
    op->imm2 = len;
}

/* d = a with bits [pos, pos + len) replaced by b's low bits */
void ir_deposit(IRFunc *f, IRTemp d, IRTemp a, IRTemp b, unsigned pos, unsigned len)
{
    IROp *op = ir_emit(f, IR_deposit);
    op->args[0] = d;
    op->args[1] = a;
    op->args[2] = b;
    op->imm = pos;
    op->imm2 = len;
}

/* d = c(a, b) ? 1 : 0 */
void ir_setcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b)
{
    IROp *op = ir_emit(f, IR_setcond);
    op->cond = c;
    op->args[0] = d;
    op->args[1] = a;
    op->args[2] = b;
}

/* d = c(a, b) ? v1 : v2 */
void ir_movcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b, IRTemp v1, IRTemp v2)
{
    IROp *op = ir_emit(f, IR_movcond);
    op->cond = c;
    op->args[0] = d;
    op->args[1] = a;
    op->args[2] = b;
    op->args[3] = v1;
    op->args[4] = v2;
}

/* Emit a memory op opc on t (args[0]) with memop and imm; returns the op. */
static IROp *ir_mem_op(IRFunc *f, IROpcode opc, IRTemp t, unsigned memop,
                       unsigned imm)
{
    IROp *op = ir_emit(f, opc);
    op->cond = memop;
    op->args[0] = t;
    op->imm = imm;
    return op;
}

/* d = *(env + off) */
void ir_ld_env(IRFunc *f, IRTemp d, unsigned off, unsigned memop)
{
    ir_mem_op(f, IR_ld_env, d, memop, off);
}

/* *(env + off) = v */
void ir_st_env(IRFunc *f, IRTemp v, unsigned off, unsigned memop)
{
    ir_mem_op(f, IR_st_env, v, memop, off);
}

/* d = guest memory[addr] */
void ir_qemu_ld(IRFunc *f, IRTemp d, IRTemp addr, unsigned memop, unsigned mmu_idx)
{
    ir_mem_op(f, IR_qemu_ld, d, memop, mmu_idx)->args[1] = addr;
}

/* guest memory[addr] = v */
void ir_qemu_st(IRFunc *f, IRTemp v, IRTemp addr, unsigned memop, unsigned mmu_idx)
{
    ir_mem_op(f, IR_qemu_st, v, memop, mmu_idx)->args[1] = addr;
}

/*
 * Call helper_id.  args[] layout: [ret] a0 .. a(n-1); a helper with a
 * result always gets a result temp (a fresh dead one for IR_NO_TEMP).
 */
void ir_call(IRFunc *f, unsigned helper_id, IRTemp ret, unsigned nargs, const IRTemp *args)
{
    IROp *op;
    unsigned n = 0;
    bool has_ret = helper_id < ir_nb_helpers && ir_helpers[helper_id].has_ret;

    if (has_ret && ret == IR_NO_TEMP) {
        ret = ir_new_temp(f);
    }
    op = ir_emit(f, IR_call);
    op->imm = helper_id;
    if (has_ret) {
        op->args[n++] = ret;
    }
    for (unsigned i = 0; i < nargs && i < IR_MAX_CALL_ARGS; i++) {
        op->args[n++] = args[i];
    }
    op->nargs = n;
}

/* Define label here. */
void ir_set_label(IRFunc *f, unsigned label)
{
    ir_emit(f, IR_set_label)->imm = label;
}

/* goto label */
void ir_br(IRFunc *f, unsigned label)
{
    ir_emit(f, IR_br)->imm = label;
}

/* if c(a, b) goto label */
void ir_brcond(IRFunc *f, IRCond c, IRTemp a, IRTemp b, unsigned label)
{
    IROp *op = ir_emit(f, IR_brcond);
    op->cond = c;
    op->args[0] = a;
    op->args[1] = b;
    op->imm = label;
}

/* Start of the guest instruction at eip, len bytes long. */
void ir_insn_start(IRFunc *f, uint32_t eip, unsigned len)
{
    IROp *op = ir_emit(f, IR_insn_start);
    op->imm = eip;
    op->imm2 = len;
}

/* Patchable direct jump of chaining slot 0/1. */
void ir_goto_tb(IRFunc *f, unsigned slot)
{
    ir_emit(f, IR_goto_tb)->imm = slot;
}

/* Leave the TB with an IR_EXIT_* value. */
void ir_exit_tb(IRFunc *f, uint32_t val)
{
    ir_emit(f, IR_exit_tb)->imm = val;
}

/* Continue at the TB for env->eip, or leave with IR_EXIT_PLAIN. */
void ir_lookup_and_goto_ptr(IRFunc *f)
{
    ir_emit(f, IR_lookup_and_goto_ptr);
}

/* The same after a far transfer (CS base and hflags from env). */
void ir_lookup_and_goto_ptr_far(IRFunc *f)
{
    ir_emit(f, IR_lookup_and_goto_ptr)->imm = IR_LOOKUP_ENV_CS;
}

/* Evaluate condition c on a and b. */
bool ir_cond_eval(IRCond c, uint32_t a, uint32_t b)
{
    return ir_eval_cond(c, a, b);
}

/* Log one validation error. */
static bool ir_invalid(const IRFunc *f, unsigned i, const char *what)
{
    hlog("ir_validate: op %u (%s): %s\n", i,
         i < f->nops && f->ops[i].opc < IR_NB_OPS ?
         ir_op_defs[f->ops[i].opc].name : "?", what);
    return false;
}

/*
 * Check arities, temp kinds (consts are never written, temps exist and are
 * I32), immediates of extract/deposit, conditions, and that every label is
 * defined exactly once and every used label is defined.
 */
bool ir_validate(const IRFunc *f)
{
    static uint8_t label_def[IR_MAX_LABELS], label_use[IR_MAX_LABELS];
    bool ok = true;

    if (f->ntemps > IR_MAX_TEMPS || f->nops > IR_MAX_OPS ||
        f->nlabels > IR_MAX_LABELS) {
        hlog("ir_validate: counters out of range\n");
        return false;
    }
    memset(label_def, 0, sizeof(label_def));
    memset(label_use, 0, sizeof(label_use));
    for (unsigned i = 0; i < IR_NB_GLOBALS; i++) {
        if (f->temps[i].kind != IR_TEMP_GLOBAL) {
            hlog("ir_validate: temp %u should be a global\n", i);
            ok = false;
        }
    }
    for (unsigned i = IR_NB_GLOBALS; i < f->ntemps; i++) {
        if (f->temps[i].kind == IR_TEMP_GLOBAL || f->temps[i].kind > IR_TEMP_NORMAL) {
            hlog("ir_validate: temp %u has a bad kind\n", i);
            ok = false;
        }
    }

    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        unsigned nout, nin;

        if (op->opc >= IR_NB_OPS) {
            ok = ir_invalid(f, i, "bad opcode");
            continue;
        }
        if (op->opc == IR_call) {
            const IRHelperInfo *h;
            if (op->imm >= ir_nb_helpers) {
                ok = ir_invalid(f, i, "bad helper id");
                continue;
            }
            h = &ir_helpers[op->imm];
            nout = h->has_ret ? 1 : 0;
            nin = h->nargs;
            if (h->nargs > IR_MAX_CALL_ARGS) {
                ok = ir_invalid(f, i, "helper has too many args");
            }
        } else {
            nout = ir_op_defs[op->opc].nout;
            nin = ir_op_defs[op->opc].nin;
        }
        if (op->nargs != nout + nin) {
            ok = ir_invalid(f, i, "wrong argument count");
            continue;
        }
        for (unsigned a = 0; a < op->nargs; a++) {
            IRTemp t = op->args[a];
            if (t >= f->ntemps) {
                ok = ir_invalid(f, i, "temp out of range");
                continue;
            }
            if (f->temps[t].type != IR_TYPE_I32) {
                ok = ir_invalid(f, i, "temp is not I32");
            }
            if (a < nout && f->temps[t].kind == IR_TEMP_CONST) {
                ok = ir_invalid(f, i, "write to a constant");
            }
        }
        switch (op->opc) {
        case IR_setcond:
        case IR_movcond:
            if (op->cond >= IR_NB_CONDS) {
                ok = ir_invalid(f, i, "bad condition");
            }
            break;
        case IR_extract:
        case IR_deposit:
            if (op->imm2 < 1 || op->imm2 > 32 || op->imm > 31 ||
                op->imm + op->imm2 > 32) {
                ok = ir_invalid(f, i, "bad bit field");
            }
            break;
        case IR_ld_env:
        case IR_st_env:
        case IR_qemu_ld:
        case IR_qemu_st:
            if ((op->cond & MO_SIZE) > MO_32 ||
                op->cond > (op->opc == IR_qemu_ld ? MO_OI_MEMOP | MO_STACK :
                            op->opc == IR_qemu_st ? MO_SIGN | MO_SIZE | MO_STACK
                                                  : MO_SIGN | MO_SIZE)) {
                ok = ir_invalid(f, i, "bad memop");
            }
            if (op->opc == IR_qemu_ld || op->opc == IR_qemu_st) {
                if (op->imm >= NB_MMU_MODES) {
                    ok = ir_invalid(f, i, "bad mmu index");
                }
            } else if (op->imm & ((1u << (op->cond & MO_SIZE)) - 1)) {
                ok = ir_invalid(f, i, "misaligned env offset");
            }
            break;
        case IR_set_label:
            if (op->imm >= f->nlabels) {
                ok = ir_invalid(f, i, "label out of range");
            } else if (label_def[op->imm]++) {
                ok = ir_invalid(f, i, "label defined twice");
            }
            break;
        case IR_br:
        case IR_brcond:
            if (op->opc == IR_brcond && op->cond >= IR_NB_CONDS) {
                ok = ir_invalid(f, i, "bad condition");
            }
            if (op->imm >= f->nlabels) {
                ok = ir_invalid(f, i, "label out of range");
            } else {
                label_use[op->imm] = 1;
            }
            break;
        case IR_goto_tb:
            if (op->imm > 1) {
                ok = ir_invalid(f, i, "bad goto_tb slot");
            }
            break;
        default:
            break;
        }
    }
    for (unsigned l = 0; l < f->nlabels; l++) {
        if (label_use[l] && !label_def[l]) {
            hlog("ir_validate: label L%u used but not defined\n", l);
            ok = false;
        }
    }
    return ok;
}
