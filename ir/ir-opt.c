/*
 * hamt86 - the IR optimizer.
 *
 * Two linear passes over the function:
 *
 *   forward   constant and copy propagation inside basic blocks (knowledge
 *             is dropped at every used label), constant folding of all pure
 *             ops, algebraic simplification, brcond on constants -> br or
 *             nothing, removal of unreachable ops after br / exit_tb, and of
 *             labels nobody branches to;
 *   backward  liveness-based dead-code elimination and dead-flag
 *             elimination (an st_env to cc_op/cc_dst/cc_src/cc_src2 that a
 *             later st_env to the same field overwrites before anyone can
 *             observe it).
 *
 * Removed ops are only marked during the passes and squeezed out at the end.
 *
 * Liveness rules: ordinary temps are dead at TB exits; globals (guest GPRs)
 * are live at TB exits, at ops that may raise and at calls whose helper has
 * IRH_RW_GLOBALS or IRH_MAY_RAISE.  Temps may live across labels, so the
 * live set at each label is remembered for the branches that precede it;
 * a backward branch (rare) makes everything live.
 */
#include "core/libc.h"
#include "core/log.h"
#include "core/cpu.h"
#include "ir/ir.h"
#include "ir/ir-eval.h"


IROptStats ir_opt_stats;

/* Bytes of env->regs: ld_env/st_env below this offset touch the globals. */
#define ENV_REGS_END ((unsigned)sizeof(((CPUX86State *)0)->regs))

/* Per-temp knowledge of the forward pass. */
typedef struct TempInfo {
    uint32_t epoch;    /* valid when == opt.epoch */
    uint8_t kind;      /* TI_* */
    IRTemp src;        /* TI_COPY: equal to src ... */
    uint32_t src_ver;  /* ... while src's version is unchanged */
    uint32_t val;      /* TI_CONST */
} TempInfo;

enum { TI_NONE, TI_CONST, TI_COPY };

#define LIVE_WORDS (IR_MAX_TEMPS / 64)
typedef struct LiveSet {
    uint64_t w[LIVE_WORDS];
} LiveSet;

static struct {
    uint32_t epoch;
    uint32_t ver[IR_MAX_TEMPS];
    TempInfo info[IR_MAX_TEMPS];
    uint16_t label_uses[IR_MAX_LABELS];
    uint8_t dead[IR_MAX_OPS];
    bool label_seen[IR_MAX_LABELS];
    LiveSet label_live[IR_MAX_LABELS];
    /* forward pass: last st_env to each lazy-flag field in this block */
    uint32_t fwd_epoch[4];
    IRTemp fwd_src[4];
    uint32_t fwd_ver[4];
    /* coalescing pass: per temp def count, def op and last read */
    uint16_t ndefs[IR_MAX_TEMPS];
    uint16_t def_at[IR_MAX_TEMPS];
    int16_t last_read[IR_MAX_TEMPS];
} opt;

static int opt_flag_field(const IROp *op);
static bool opt_env_overlaps_flags(const IROp *op, unsigned *mask);

/* ------------------------------------------------------------------------ */
/* forward pass                                                             */

/* A constant temp for v, or IR_NO_TEMP when the function has no room. */
static IRTemp opt_const(IRFunc *f, uint32_t v)
{
    if (f->ntemps >= IR_MAX_TEMPS - 1) {
        /* ir_const may still find a cached one, but never allocate here */
        for (unsigned t = IR_NB_GLOBALS; t < f->ntemps; t++) {
            if (f->temps[t].kind == IR_TEMP_CONST && f->temps[t].val == v) {
                return (IRTemp)t;
            }
        }
        return IR_NO_TEMP;
    }
    return ir_const(f, v);
}

/* Is t known to hold a constant?  The value goes to *v. */
static bool opt_get_const(const IRFunc *f, IRTemp t, uint32_t *v)
{
    const TempInfo *ti;

    if (f->temps[t].kind == IR_TEMP_CONST) {
        *v = f->temps[t].val;
        return true;
    }
    ti = &opt.info[t];
    if (ti->epoch == opt.epoch && ti->kind == TI_CONST) {
        *v = ti->val;
        return true;
    }
    return false;
}

/* Is t the constant v? */
static bool opt_is_const(const IRFunc *f, IRTemp t, uint32_t v)
{
    uint32_t c;
    return opt_get_const(f, t, &c) && c == v;
}

/* The temp to read instead of t (a constant temp or the copy source). */
static IRTemp opt_resolve(IRFunc *f, IRTemp t)
{
    const TempInfo *ti = &opt.info[t];

    if (f->temps[t].kind == IR_TEMP_CONST || ti->epoch != opt.epoch) {
        return t;
    }
    if (ti->kind == TI_CONST) {
        IRTemp c = opt_const(f, ti->val);
        return c != IR_NO_TEMP ? c : t;
    }
    if (ti->kind == TI_COPY && opt.ver[ti->src] == ti->src_ver) {
        return ti->src;
    }
    return t;
}

/* t was written with an unknown value. */
static void opt_clobber(IRTemp t)
{
    opt.ver[t]++;
    opt.info[t].epoch = 0;
}

/* t was written with the constant v. */
static void opt_set_const(IRTemp t, uint32_t v)
{
    opt.ver[t]++;
    opt.info[t].epoch = opt.epoch;
    opt.info[t].kind = TI_CONST;
    opt.info[t].val = v;
}

/* t was written with a copy of s. */
static void opt_set_copy(IRTemp t, IRTemp s)
{
    opt.ver[t]++;
    opt.info[t].epoch = opt.epoch;
    opt.info[t].kind = TI_COPY;
    opt.info[t].src = s;
    opt.info[t].src_ver = opt.ver[s];
}

/* A helper or an env store may have changed every global. */
static void opt_clobber_globals(void)
{
    for (unsigned i = 0; i < IR_NB_GLOBALS; i++) {
        opt_clobber(i);
    }
}

/* Forget everything (a label that is a branch target). */
static void opt_new_block(void)
{
    opt.epoch++;
    if (unlikely(opt.epoch == 0)) {
        memset(opt.info, 0, sizeof(opt.info));
        opt.epoch = 1;
    }
}

/* Rewrite op into d = a. */
static void opt_make_mov(IROp *op, IRTemp a)
{
    IRTemp d = op->args[0];

    memset(op, 0, sizeof(*op));
    op->opc = IR_mov;
    op->nargs = 2;
    op->args[0] = d;
    op->args[1] = a;
}

/* Rewrite op into d = constant v; false when no constant temp is left. */
static bool opt_make_movi(IRFunc *f, IROp *op, uint32_t v)
{
    IRTemp c = opt_const(f, v);

    if (c == IR_NO_TEMP) {
        return false;
    }
    opt_make_mov(op, c);
    return true;
}

/* Mark op i removed; keeps label use counts right for removed branches. */
static void opt_kill(IRFunc *f, unsigned i)
{
    IROp *op = &f->ops[i];

    if ((op->opc == IR_br || op->opc == IR_brcond) && op->imm < IR_MAX_LABELS) {
        opt.label_uses[op->imm]--;
    }
    opt.dead[i] = 1;
}

/*
 * Algebraic identities for d = a OP b (after propagation).  Returns true
 * if op was rewritten.
 */
static bool opt_simplify(IRFunc *f, IROp *op)
{
    IRTemp a = op->args[1], b = op->args[2];
    uint32_t cv;

    switch (op->opc) {
    case IR_add:
    case IR_or:
    case IR_xor:
        if (opt_is_const(f, b, 0)) {
            opt_make_mov(op, a);
            return true;
        }
        if (opt_is_const(f, a, 0)) {
            opt_make_mov(op, b);
            return true;
        }
        if (op->opc == IR_xor && a == b) {
            return opt_make_movi(f, op, 0);
        }
        if (op->opc == IR_or) {
            if (a == b) {
                opt_make_mov(op, a);
                return true;
            }
            if (opt_is_const(f, a, 0xffffffffu) || opt_is_const(f, b, 0xffffffffu)) {
                return opt_make_movi(f, op, 0xffffffffu);
            }
        }
        break;
    case IR_sub:
        if (opt_is_const(f, b, 0)) {
            opt_make_mov(op, a);
            return true;
        }
        if (a == b) {
            return opt_make_movi(f, op, 0);
        }
        break;
    case IR_and:
        if (opt_is_const(f, a, 0) || opt_is_const(f, b, 0)) {
            return opt_make_movi(f, op, 0);
        }
        if (opt_is_const(f, b, 0xffffffffu) || a == b) {
            opt_make_mov(op, a);
            return true;
        }
        if (opt_is_const(f, a, 0xffffffffu)) {
            opt_make_mov(op, b);
            return true;
        }
        break;
    case IR_mul:
        if (opt_is_const(f, a, 0) || opt_is_const(f, b, 0)) {
            return opt_make_movi(f, op, 0);
        }
        if (opt_is_const(f, b, 1)) {
            opt_make_mov(op, a);
            return true;
        }
        if (opt_is_const(f, a, 1)) {
            opt_make_mov(op, b);
            return true;
        }
        break;
    case IR_muluh:
    case IR_mulsh:
        if (opt_is_const(f, a, 0) || opt_is_const(f, b, 0)) {
            return opt_make_movi(f, op, 0);
        }
        break;
    case IR_shl:
    case IR_shr:
    case IR_sar:
    case IR_rotl:
    case IR_rotr:
        if (opt_get_const(f, b, &cv) && (cv & 31) == 0) {
            opt_make_mov(op, a);
            return true;
        }
        if (opt_is_const(f, a, 0)) {
            return opt_make_movi(f, op, 0);
        }
        break;
    case IR_extract:
        if (op->imm == 0 && op->imm2 == 32) {
            opt_make_mov(op, a);
            return true;
        }
        break;
    case IR_deposit:
        if (op->imm == 0 && op->imm2 == 32) {
            opt_make_mov(op, b);
            return true;
        }
        break;
    case IR_setcond:
        if (a == b) {
            switch (op->cond) {
            case IR_COND_EQ: case IR_COND_GE: case IR_COND_LE:
            case IR_COND_GEU: case IR_COND_LEU:
                return opt_make_movi(f, op, 1);
            case IR_COND_NE: case IR_COND_LT: case IR_COND_GT:
            case IR_COND_LTU: case IR_COND_GTU:
                return opt_make_movi(f, op, 0);
            default:
                break;
            }
        }
        break;
    case IR_movcond:
        if (op->args[3] == op->args[4]) {
            opt_make_mov(op, op->args[3]);
            return true;
        }
        break;
    default:
        break;
    }
    return false;
}

/* st_env: remember the value stored to a lazy-flag field (forwarding). */
static void opt_fwd_store(const IROp *op)
{
    int k = opt_flag_field(op);
    unsigned mask;

    if (k >= 0) {
        opt.fwd_epoch[k] = opt.epoch;
        opt.fwd_src[k] = op->args[0];
        opt.fwd_ver[k] = opt.ver[op->args[0]];
    } else if (opt_env_overlaps_flags(op, &mask)) {
        for (unsigned i = 0; i < 4; i++) {
            if (mask & (1u << i)) {
                opt.fwd_epoch[i] = 0;
            }
        }
    }
}

/*
 * ld_env of a lazy-flag field stored earlier in the same block (no label,
 * no helper call in between) by a temp that still holds that value: turn
 * it into a mov from that temp (the branch of `dec; jne` then tests the
 * register instead of reloading cc_dst).  The store itself stays.
 */
static bool opt_fwd_load(IRFunc *f, IROp *op)
{
    int k = opt_flag_field(op);
    IRTemp src;

    if (k < 0 || opt.fwd_epoch[k] != opt.epoch) {
        return false;
    }
    src = opt.fwd_src[k];
    if (f->temps[src].kind != IR_TEMP_CONST && opt.ver[src] != opt.fwd_ver[k]) {
        return false;
    }
    if (f->temps[src].type != f->temps[op->args[0]].type) {
        return false;
    }
    opt_make_mov(op, src);
    return true;
}

/* The forward pass. */
static void opt_forward(IRFunc *f)
{
    bool unreachable = false;
    unsigned last = ~0u;   /* last op not removed (so far) */

    opt_new_block();
    for (unsigned i = 0; i < f->nops; last = opt.dead[i] ? last : i, i++) {
        IROp *op = &f->ops[i];
        unsigned opc = op->opc;
        unsigned nout = ir_op_nout(op);
        uint32_t in[4];
        bool all_const;

        if (opc == IR_set_label) {
            if (last != ~0u && f->ops[last].opc == IR_br &&
                f->ops[last].imm == op->imm) {
                /* br to the label right behind it (after removed ops) */
                opt_kill(f, last);
                ir_opt_stats.branches++;
                unreachable = false;    /* the br itself was reachable */
            }
            if (opt.label_uses[op->imm] == 0) {
                /* nobody branches here: not a block boundary */
                opt_kill(f, i);
                continue;
            }
            unreachable = false;
            opt_new_block();
            continue;
        }
        if (unreachable) {
            if (opc != IR_insn_start) {
                opt_kill(f, i);
                ir_opt_stats.unreachable++;
            }
            continue;
        }

        /* propagate constants and copies into the inputs */
        for (unsigned a = nout; a < op->nargs; a++) {
            IRTemp r = opt_resolve(f, op->args[a]);
            if (r != op->args[a]) {
                op->args[a] = r;
                ir_opt_stats.copies++;
            }
        }

        switch (opc) {
        case IR_brcond:
            all_const = opt_get_const(f, op->args[0], &in[0]) &&
                        opt_get_const(f, op->args[1], &in[1]);
            if (all_const || (op->args[0] == op->args[1] &&
                              (op->cond == IR_COND_EQ || op->cond == IR_COND_NE))) {
                bool taken = all_const ? ir_cond_eval((IRCond)op->cond, in[0], in[1])
                                       : op->cond == IR_COND_EQ;
                ir_opt_stats.branches++;
                if (taken) {
                    unsigned label = op->imm;
                    memset(op, 0, sizeof(*op));
                    op->opc = IR_br;
                    op->imm = label;
                    unreachable = true;
                } else {
                    opt_kill(f, i);
                }
            }
            continue;
        case IR_br:
            /* br to the label right behind it */
            if (i + 1 < f->nops && f->ops[i + 1].opc == IR_set_label &&
                f->ops[i + 1].imm == op->imm) {
                opt_kill(f, i);
                ir_opt_stats.branches++;
                continue;
            }
            unreachable = true;
            continue;
        case IR_exit_tb:
        case IR_lookup_and_goto_ptr:
            unreachable = true;
            continue;
        case IR_call:
            if (ir_helpers[op->imm].flags & IRH_RW_GLOBALS) {
                opt_clobber_globals();
            }
            break;
        case IR_st_env:
            if (op->imm < ENV_REGS_END) {
                opt_clobber_globals();
            }
            opt_fwd_store(op);
            break;
        case IR_ld_env:
            if (opt_fwd_load(f, op)) {
                ir_opt_stats.flag_loads++;
                opc = IR_mov;
            }
            break;
        default:
            break;
        }
        if (opc == IR_call && !(ir_helpers[op->imm].flags & IRH_PURE)) {
            /* a helper may write the lazy-flag fields */
            memset(opt.fwd_epoch, 0, sizeof(opt.fwd_epoch));
        }

        if (opc <= IR_movcond) {
            /* pure value op: fold, simplify, then learn about the output */
            IRTemp d = op->args[0];
            uint32_t v;

            all_const = true;
            for (unsigned a = 1; a < op->nargs; a++) {
                if (!opt_get_const(f, op->args[a], &in[a - 1])) {
                    all_const = false;
                    break;
                }
            }
            if (all_const && opc != IR_mov && ir_eval_pure(op, in, &v) &&
                opt_make_movi(f, op, v)) {
                ir_opt_stats.folded++;
            } else if (!all_const && opt_simplify(f, op)) {
                ir_opt_stats.simplified++;
            }
            if (op->opc == IR_mov) {
                IRTemp s = op->args[1];
                if (s == d) {
                    opt_kill(f, i);
                    continue;
                }
                if (opt_get_const(f, s, &v)) {
                    opt_set_const(d, v);
                } else {
                    opt_set_copy(d, s);
                }
                continue;
            }
            opt_clobber(d);
            continue;
        }
        for (unsigned a = 0; a < nout; a++) {
            opt_clobber(op->args[a]);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* backward pass                                                            */

static inline bool live_test(const LiveSet *s, IRTemp t)
{
    return (s->w[t >> 6] >> (t & 63)) & 1;
}

static inline void live_set(LiveSet *s, IRTemp t)
{
    s->w[t >> 6] |= 1ull << (t & 63);
}

static inline void live_clear(LiveSet *s, IRTemp t)
{
    s->w[t >> 6] &= ~(1ull << (t & 63));
}

/* Globals become live (they are observable in env->regs[]). */
static inline void live_globals(LiveSet *s)
{
    s->w[0] |= (1ull << IR_NB_GLOBALS) - 1;
}

/* Lazy-flag field index (0..3) of an exact 32-bit env access, else -1. */
static int opt_flag_field(const IROp *op)
{
    if ((op->cond & MO_SIZE) != MO_32) {
        return -1;
    }
    switch (op->imm) {
    case offsetof(CPUX86State, cc_op):   return 0;
    case offsetof(CPUX86State, cc_dst):  return 1;
    case offsetof(CPUX86State, cc_src):  return 2;
    case offsetof(CPUX86State, cc_src2): return 3;
    default:                             return -1;
    }
}

/* Does an env access [off, off + size) overlap lazy-flag field k? */
static bool opt_env_overlaps_flags(const IROp *op, unsigned *mask)
{
    static const uint32_t offs[4] = {
        offsetof(CPUX86State, cc_op), offsetof(CPUX86State, cc_dst),
        offsetof(CPUX86State, cc_src), offsetof(CPUX86State, cc_src2),
    };
    uint32_t lo = op->imm, hi = op->imm + (1u << (op->cond & MO_SIZE));

    *mask = 0;
    for (unsigned k = 0; k < 4; k++) {
        if (lo < offs[k] + 4 && offs[k] < hi) {
            *mask |= 1u << k;
        }
    }
    return *mask != 0;
}

/* The backward pass: dead code and dead flag stores. */
static void opt_backward(IRFunc *f)
{
    LiveSet live;
    unsigned pending = 0;   /* flag fields overwritten later, unobserved */
    /* the words that hold f's temps: the rest stay clear (sets are copied,
     * cleared and merged over these only) */
    size_t nw = ((size_t)f->ntemps + 63) / 64, nb = nw * sizeof(live.w[0]);

    memset(&live, 0, nb);
    memset(opt.label_seen, 0, f->nlabels);
    for (unsigned i = f->nops; i-- > 0;) {
        IROp *op = &f->ops[i];
        unsigned opc = op->opc;
        unsigned flags = ir_op_defs[opc].flags;
        unsigned nout, mask;
        bool removable;

        if (opt.dead[i]) {
            continue;
        }
        nout = ir_op_nout(op);

        /* control flow and barriers */
        switch (opc) {
        case IR_set_label:
            memcpy(opt.label_live[op->imm].w, live.w, nb);
            opt.label_seen[op->imm] = true;
            pending = 0;
            continue;
        case IR_exit_tb:
        case IR_lookup_and_goto_ptr:
            memset(&live, 0, nb);
            live_globals(&live);
            pending = 0;
            continue;
        case IR_goto_tb:
            live_globals(&live);
            pending = 0;
            continue;
        case IR_br:
        case IR_brcond:
            if (opc == IR_br) {
                memset(&live, 0, nb);
            }
            if (opt.label_seen[op->imm]) {
                for (unsigned w = 0; w < nw; w++) {
                    live.w[w] |= opt.label_live[op->imm].w[w];
                }
            } else {
                /* backward branch: assume everything is live */
                memset(&live, 0xff, nb);
            }
            pending = 0;
            break;
        case IR_st_env: {
            int k = opt_flag_field(op);
            if (k >= 0) {
                if (pending & (1u << k)) {
                    opt_kill(f, i);
                    ir_opt_stats.dead_flags++;
                    continue;
                }
                pending |= 1u << k;
            } else if (opt_env_overlaps_flags(op, &mask)) {
                pending &= ~mask;
            }
            if (op->imm < ENV_REGS_END) {
                live_globals(&live);
            }
            break;
        }
        case IR_ld_env:
            if (opt_env_overlaps_flags(op, &mask)) {
                pending &= ~mask;
            }
            if (op->imm < ENV_REGS_END) {
                live_globals(&live);
            }
            break;
        case IR_call: {
            unsigned hf = ir_helpers[op->imm].flags;
            if (!(hf & IRH_PURE)) {
                pending = 0;
            }
            break;
        }
        default:
            if (flags & IRF_MAY_RAISE) {
                pending = 0;
            }
            break;
        }

        /* dead code */
        if (opc == IR_call) {
            removable = (ir_helpers[op->imm].flags & IRH_PURE) != 0;
        } else {
            removable = !(flags & (IRF_SIDE_EFFECT | IRF_MAY_RAISE));
        }
        if (removable) {
            for (unsigned a = 0; a < nout; a++) {
                if (live_test(&live, op->args[a])) {
                    removable = false;
                }
            }
            if (removable) {
                opt_kill(f, i);
                ir_opt_stats.dead_code++;
                continue;
            }
        }
        for (unsigned a = 0; a < nout; a++) {
            live_clear(&live, op->args[a]);
        }
        if ((flags & IRF_MAY_RAISE) ||
            (opc == IR_call &&
             (ir_helpers[op->imm].flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE)))) {
            live_globals(&live);
        }
        for (unsigned a = nout; a < op->nargs; a++) {
            if (f->temps[op->args[a]].kind != IR_TEMP_CONST) {
                live_set(&live, op->args[a]);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* coalescing: d = op(...) -> t; mov G = t  ==>  G = op(...)                 */

/* Does op read temp t? */
static bool opt_reads(const IROp *op, IRTemp t)
{
    for (unsigned a = ir_op_nout(op); a < op->nargs; a++) {
        if (op->args[a] == t) {
            return true;
        }
    }
    return false;
}

/* Does op write temp t (its output, or a global through env or a helper)? */
static bool opt_writes(const IROp *op, IRTemp t)
{
    if (ir_op_nout(op) && op->args[0] == t) {
        return true;
    }
    if (t < IR_NB_GLOBALS) {
        if (op->opc == IR_call && (ir_helpers[op->imm].flags & IRH_RW_GLOBALS)) {
            return true;
        }
        if (op->opc == IR_st_env && op->imm < ENV_REGS_END) {
            return true;
        }
    }
    return false;
}

/* May the old value of global g be observed by op (raise, helper, env)? */
static bool opt_observes_globals(const IROp *op)
{
    unsigned fl = ir_op_defs[op->opc].flags;

    if (fl & (IRF_MAY_RAISE | IRF_BB_END)) {
        return true;
    }
    if (op->opc == IR_call &&
        (ir_helpers[op->imm].flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE))) {
        return true;
    }
    return (op->opc == IR_ld_env || op->opc == IR_st_env) &&
           op->imm < ENV_REGS_END;
}

/*
 * Lower directly into the guest register: for `t = op(...); ...;
 * mov G = t` where t has one definition and
 *   - between the def and the mov nothing reads or writes G, nothing may
 *     raise, call a helper that sees the globals, touch env->regs or end
 *     the block (G's old value is unobservable there),
 *   - after the mov G is not written before the last read of t, and no
 *     label lies between the def and that read,
 * the def writes G, every read of t reads G and the mov goes.  Saves the
 * `or $gpr,$tmp,$0` each ALU result paid in the backends.
 */
static void opt_coalesce(IRFunc *f)
{
    unsigned n = f->nops;

    for (unsigned t = 0; t < f->ntemps; t++) {
        opt.ndefs[t] = 0;
        opt.last_read[t] = -1;
    }
    for (unsigned i = 0; i < n; i++) {
        const IROp *op = &f->ops[i];
        unsigned nout = ir_op_nout(op);

        for (unsigned a = 0; a < nout; a++) {
            IRTemp t = op->args[a];
            if (opt.ndefs[t] < UINT16_MAX) {
                opt.ndefs[t]++;
            }
            opt.def_at[t] = (uint16_t)i;
        }
        for (unsigned a = nout; a < op->nargs; a++) {
            opt.last_read[op->args[a]] = (int16_t)i;
        }
    }
    for (unsigned j = 0; j < n; j++) {
        IROp *mv = &f->ops[j];
        IRTemp g, t;
        unsigned i, last;
        bool ok = true;

        if (opt.dead[j] || mv->opc != IR_mov) {
            continue;
        }
        g = mv->args[0];
        t = mv->args[1];
        if (g >= IR_NB_GLOBALS || f->temps[t].kind != IR_TEMP_NORMAL ||
            opt.ndefs[t] != 1 || opt.def_at[t] >= j ||
            f->temps[t].type != f->temps[g].type) {
            continue;
        }
        i = opt.def_at[t];
        last = (unsigned)opt.last_read[t];
        if (opt.dead[i] || ir_op_nout(&f->ops[i]) != 1) {
            continue;
        }
        for (unsigned k = i + 1; k < j && ok; k++) {
            const IROp *o = &f->ops[k];
            ok = !opt.dead[k] && !opt_reads(o, g) && !opt_writes(o, g) &&
                 !opt_observes_globals(o);
        }
        for (unsigned k = j + 1; k <= last && ok; k++) {
            const IROp *o = &f->ops[k];
            if (opt.dead[k]) {
                continue;
            }
            ok = o->opc != IR_set_label && (k == last || !opt_writes(o, g));
        }
        if (!ok) {
            continue;
        }
        f->ops[i].args[0] = g;
        for (unsigned k = i + 1; k <= last; k++) {
            IROp *o = &f->ops[k];
            for (unsigned a = ir_op_nout(o); a < o->nargs; a++) {
                if (o->args[a] == t) {
                    o->args[a] = g;
                }
            }
        }
        opt.dead[j] = 1;
        ir_opt_stats.coalesced++;
    }
}

/* ------------------------------------------------------------------------ */

/* Squeeze out removed ops. */
static void opt_compact(IRFunc *f)
{
    unsigned n = 0;

    for (unsigned i = 0; i < f->nops; i++) {
        if (!opt.dead[i]) {
            if (n != i) {
                f->ops[n] = f->ops[i];
            }
            n++;
        }
    }
    f->nops = n;
}

/* Optimise f in place. */
void ir_optimize(IRFunc *f)
{
    if (f->overflow) {
        return;
    }
    ir_opt_stats.funcs++;
    ir_opt_stats.ops_in += f->nops;
    memset(opt.dead, 0, f->nops);
    memset(opt.label_uses, 0, f->nlabels * sizeof(opt.label_uses[0]));
    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        if ((op->opc == IR_br || op->opc == IR_brcond) && op->imm < IR_MAX_LABELS) {
            opt.label_uses[op->imm]++;
        }
    }
    opt_forward(f);
    opt_backward(f);
    opt_compact(f);
    memset(opt.dead, 0, f->nops);
    opt_coalesce(f);
    opt_compact(f);
    ir_opt_stats.ops_out += f->nops;
    if (unlikely(log_enabled(LOG_IR_OPT))) {
        hlog("ir_optimize: %u ops left\n", f->nops);
    }
}
