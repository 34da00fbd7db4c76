/*
 * hamt86 - the portable IR interpreter backend (backend_interp).
 *
 * gen_code decodes the optimised IR of a TB into an InterpBlock (see
 * host-interp/interp.h) placed in the code cache; exec runs it with a
 * local temp array.  The guest GPRs live in t[0..7] while a block runs and
 * are written back to env->regs[] before anything that may observe them
 * (helpers, guest memory accesses that may fault, TB exits).
 *
 * insn_start stores the guest EIP into env->eip, so a helper that raises
 * finds an exact EIP and cpu_restore_state() has nothing to do for
 * interpreter return addresses.
 */
#if defined(__GNUC__) && !defined(__clang__)
/* Keep the short copy loops (constants, globals) inline instead of calls. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "host-interp/interp.h"
#include "ir/ir-eval.h"


#if defined(__GNUC__) && !defined(INTERP_NO_COMPUTED_GOTO)
#define INTERP_CGOTO 1
#else
#define INTERP_CGOTO 0
#endif

/* Bytes of one InterpOp array entry, pinned for the decoded-block layout. */
BUILD_ASSERT(sizeof(InterpOp) == 24);
BUILD_ASSERT(offsetof(InterpBlock, tb) == 0);

/* ------------------------------------------------------------------------ */
/* decoding IR into a block                                                 */

/*
 * Build the dense form.  Three passes over the IR: count/number temps and
 * find label positions, then emit ops with resolved arguments.
 */
InterpBlock *interp_build(TranslationBlock *tb, const IRFunc *f,
                          InterpAllocFn alloc, void *opaque,
                          bool record_insns)
{
    static uint16_t map[IR_MAX_TEMPS];
    static uint32_t label_pos[IR_MAX_LABELS];
    static uint32_t const_vals[IR_MAX_TEMPS];
    unsigned nconsts = 0, nnormal = 0, nops = 0, ninsns = 0;
    InterpBlock *b;
    uint32_t *consts;
    size_t size;

    /* pass 1: number constants first, then ordinary temps */
    for (unsigned i = 0; i < f->ntemps; i++) {
        map[i] = 0xffff;
    }
    for (unsigned i = 0; i < IR_NB_GLOBALS; i++) {
        map[i] = i;
    }
    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        for (unsigned a = 0; a < op->nargs; a++) {
            IRTemp t = op->args[a];
            if (map[t] == 0xffff && f->temps[t].kind == IR_TEMP_CONST) {
                const_vals[nconsts] = f->temps[t].val;
                map[t] = IR_NB_GLOBALS + nconsts++;
            }
        }
        if (op->opc == IR_set_label) {
            label_pos[op->imm] = nops;
        } else {
            nops++;
        }
        if (op->opc == IR_insn_start) {
            ninsns++;
        }
    }
    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        for (unsigned a = 0; a < op->nargs; a++) {
            IRTemp t = op->args[a];
            if (map[t] == 0xffff) {
                map[t] = IR_NB_GLOBALS + nconsts + nnormal++;
            }
        }
    }

    /* one extra op: a terminating exit_tb in case the IR falls off the end */
    size = sizeof(InterpBlock) + (nops + 1) * sizeof(InterpOp) + nconsts * 4;
    b = alloc(opaque, ALIGN_UP(size, 16));
    if (!b) {
        return NULL;
    }
    if (record_insns) {
        uint32_t *arr = alloc(opaque, ALIGN_UP(ninsns * 8 + 8, 16));
        if (!arr) {
            return NULL;
        }
        tb->insn_host_off = arr;
        tb->insn_eip = arr + ninsns;
        tb->jmp_insn_off[0] = tb->jmp_insn_off[1] = TB_JMP_RESET_OFFSET_INVALID;
        tb->jmp_reset_off[0] = tb->jmp_reset_off[1] = TB_JMP_RESET_OFFSET_INVALID;
    }
    b->tb = tb;
    b->chain[0] = b->chain[1] = NULL;
    b->nops = nops + 1;
    b->nconsts = nconsts;
    b->ntemps = IR_NB_GLOBALS + nconsts + nnormal;
    b->pad = 0;
    consts = (uint32_t *)&b->ops[nops + 1];
    memcpy(consts, const_vals, nconsts * 4);
    b->consts = consts;

    /* pass 2: emit */
    nops = 0;
    ninsns = 0;
    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        InterpOp *o;

        if (op->opc == IR_set_label) {
            continue;
        }
        o = &b->ops[nops];
        memset(o, 0, sizeof(*o));
        o->opc = op->opc;
        o->cond = op->cond;
        o->imm = op->imm;
        o->imm2 = op->imm2;
        for (unsigned a = 0; a < op->nargs && a < 6; a++) {
            o->a[a] = map[op->args[a]];
        }
        switch (op->opc) {
        case IR_br:
            o->imm = label_pos[op->imm];
            break;
        case IR_brcond:
            o->imm = label_pos[op->imm];
            if (op->cond == IR_COND_EQ) {
                o->opc = INTERP_brcond_eq;
            } else if (op->cond == IR_COND_NE) {
                o->opc = INTERP_brcond_ne;
            }
            break;
        case IR_add:
        case IR_sub:
        case IR_and:
            if (f->temps[op->args[2]].kind == IR_TEMP_CONST) {
                o->imm = f->temps[op->args[2]].val;
                o->opc = op->opc == IR_add ? INTERP_addi :
                         op->opc == IR_sub ? INTERP_subi : INTERP_andi;
            }
            break;
        case IR_call: {
            const IRHelperInfo *h = &ir_helpers[op->imm];
            if (h->flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE)) {
                o->flags |= INTERP_F_SYNC;
            }
            if (h->flags & IRH_RW_GLOBALS) {
                o->flags |= INTERP_F_RELOAD;
            }
            if (h->has_ret) {
                o->flags |= INTERP_F_RET;
            }
            o->cond = h->nargs;
            break;
        }
        case IR_ld_env:
            if (op->imm < sizeof(((CPUX86State *)0)->regs)) {
                o->flags |= INTERP_F_SYNC;
            } else if (op->cond == MO_32) {
                o->opc = INTERP_ld_env32;
            }
            break;
        case IR_st_env:
            if (op->imm < sizeof(((CPUX86State *)0)->regs)) {
                o->flags |= INTERP_F_SYNC | INTERP_F_RELOAD;
            } else if ((op->cond & MO_SIZE) == MO_32) {
                o->opc = INTERP_st_env32;
            }
            break;
        case IR_insn_start:
            if (record_insns) {
                tb->insn_host_off[ninsns] = nops;
                tb->insn_eip[ninsns] = op->imm;
            }
            ninsns++;
            break;
        case IR_goto_tb:
            if (record_insns && op->imm < 2) {
                tb->jmp_insn_off[op->imm] = nops;
                tb->jmp_reset_off[op->imm] = nops + 1;
            }
            break;
        default:
            break;
        }
        nops++;
    }
    /* terminator */
    memset(&b->ops[nops], 0, sizeof(InterpOp));
    b->ops[nops].opc = IR_exit_tb;
    b->ops[nops].imm = IR_EXIT_PLAIN;
    return b;
}

/* ------------------------------------------------------------------------ */
/* execution                                                                */


/*
 * The softmmu entry of (idx, addr) when it allows the access without the
 * slow path: same page, no TLB_* flag, not crossing the page (the C fast
 * path, unlike generated code, accepts misaligned accesses).
 */
static inline uint8_t *interp_tlb_host(CPUX86State *env, uint32_t addr,
                                       unsigned size, unsigned idx, bool store)
{
    const CPUTLBEntry *e = tlb_entry(env, idx, addr);
    uint32_t cmp = store ? e->addr_write : e->addr_read;

    if (likely(cmp == (addr & GUEST_PAGE_MASK) &&
               (addr & ~GUEST_PAGE_MASK) <= GUEST_PAGE_SIZE - size)) {
        env->tlb_hits[idx]++;   /* --stats */
        return (uint8_t *)(e->addend + (uintptr_t)(intptr_t)(int32_t)addr);
    }
    return NULL;
}

/* Guest load: the softmmu TLB fast path, else the slow path. */
static inline uint32_t interp_qemu_ld(CPUX86State *env, uint32_t addr,
                                      unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    const uint8_t *p;
    uint32_t v;

    memop &= MO_OI_MEMOP;       /* MO_STACK: a lowering hint only */

    if (mem_path->interp_ld != NULL &&
        mem_path->interp_ld(env, addr, memop, idx, &v)) {    /* e.g. hamt/ */
        return v;
    }
    p = interp_tlb_host(env, addr, size, idx, false);

    if (likely(p != NULL)) {
        v = mem_host_ld(p, size);
    } else {
        v = mem_ld_slow(env, addr, MAKE_OI(memop, idx), 0);
    }
    return memop_extend(v, memop);
}

/* Guest store: the softmmu TLB fast path, else the slow path. */
static inline void interp_qemu_st(CPUX86State *env, uint32_t addr, uint32_t v,
                                  unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uint8_t *p;

    memop &= MO_SIZE | MO_SIGN; /* MO_STACK: a lowering hint only */

    if (mem_path->interp_st != NULL &&
        mem_path->interp_st(env, addr, v, memop, idx)) {     /* e.g. hamt/ */
        return;
    }
    p = interp_tlb_host(env, addr, size, idx, true);

    if (likely(p != NULL)) {
        mem_host_st(p, v, size);
    } else {
        mem_st_slow(env, addr, v, MAKE_OI(memop, idx), 0);
    }
}

/* Load from env + off. */
static inline uint32_t interp_ld_env(CPUX86State *env, uint32_t off, unsigned memop)
{
    return memop_extend(mem_host_ld((const uint8_t *)env + off,
                                    1u << (memop & MO_SIZE)), memop);
}

/* Store to env + off. */
static inline void interp_st_env(CPUX86State *env, uint32_t off, uint32_t v, unsigned memop)
{
    mem_host_st((uint8_t *)env + off, v, 1u << (memop & MO_SIZE));
}

typedef uint32_t (*HelperFn0)(CPUX86State *);
typedef uint32_t (*HelperFn1)(CPUX86State *, uint32_t);
typedef uint32_t (*HelperFn2)(CPUX86State *, uint32_t, uint32_t);
typedef uint32_t (*HelperFn3)(CPUX86State *, uint32_t, uint32_t, uint32_t);
typedef uint32_t (*HelperFn4)(CPUX86State *, uint32_t, uint32_t, uint32_t, uint32_t);
typedef void (*HelperVFn0)(CPUX86State *);
typedef void (*HelperVFn1)(CPUX86State *, uint32_t);
typedef void (*HelperVFn2)(CPUX86State *, uint32_t, uint32_t);
typedef void (*HelperVFn3)(CPUX86State *, uint32_t, uint32_t, uint32_t);
typedef void (*HelperVFn4)(CPUX86State *, uint32_t, uint32_t, uint32_t, uint32_t);

/* Call a helper with the right C prototype; in[] are the argument values. */
static uint32_t interp_call(CPUX86State *env, const IRHelperInfo *h,
                            const uint32_t *in)
{
    void *fn = h->fn;

    if (h->has_ret) {
        switch (h->nargs) {
        case 0: return ((HelperFn0)fn)(env);
        case 1: return ((HelperFn1)fn)(env, in[0]);
        case 2: return ((HelperFn2)fn)(env, in[0], in[1]);
        case 3: return ((HelperFn3)fn)(env, in[0], in[1], in[2]);
        default: return ((HelperFn4)fn)(env, in[0], in[1], in[2], in[3]);
        }
    }
    switch (h->nargs) {
    case 0: ((HelperVFn0)fn)(env); break;
    case 1: ((HelperVFn1)fn)(env, in[0]); break;
    case 2: ((HelperVFn2)fn)(env, in[0], in[1]); break;
    case 3: ((HelperVFn3)fn)(env, in[0], in[1], in[2]); break;
    default: ((HelperVFn4)fn)(env, in[0], in[1], in[2], in[3]); break;
    }
    return 0;
}

/* Enter block b: load its constants into the temp array. */
static inline void interp_enter(uint32_t *t, const InterpBlock *b)
{
    const uint32_t *c = b->consts;
    uint32_t *d = t + IR_NB_GLOBALS;

    for (unsigned i = 0, n = b->nconsts; i < n; i++) {
        d[i] = c[i];
    }
}

/* Write the globals back to env->regs[]. */
static inline void interp_sync(CPUX86State *env, const uint32_t *t)
{
    for (unsigned i = 0; i < IR_NB_GLOBALS; i++) {
        env->regs[i] = t[i];
    }
}

/* Reload the globals from env->regs[]. */
static inline void interp_reload(const CPUX86State *env, uint32_t *t)
{
    for (unsigned i = 0; i < IR_NB_GLOBALS; i++) {
        t[i] = env->regs[i];
    }
}

/* The backend loop (host-interp/interp-loop.h). */
#define INTERP_FN       interp_run_backend
/* Executed guest instructions (insn_start ops run by the backend loop, not
 * the cosim shadow): the exact count --stats prints for the interpreter. */
uint64_t interp_insns_executed;

#define INTERP_SHADOW   0
#define INTERP_LBL(n)   Lb_##n
#include "host-interp/interp-loop.h"
#undef INTERP_FN
#undef INTERP_SHADOW
#undef INTERP_LBL

/* The shadow loop for co-simulation. */
#define INTERP_FN       interp_run_shadow
#define INTERP_SHADOW   1
#define INTERP_LBL(n)   Ls_##n
#include "host-interp/interp-loop.h"
#undef INTERP_FN
#undef INTERP_SHADOW
#undef INTERP_LBL

/* backend exec: run tb and whatever it chains to. */
static uintptr_t interp_exec(CPUX86State *env, TranslationBlock *tb)
{
    return interp_run_backend(env, (const InterpBlock *)tb->host_code, NULL);
}

/* One block, no chaining, memory through mem (co-simulation). */
uintptr_t interp_exec_shadow(CPUX86State *env, const InterpBlock *b,
                             const InterpMem *mem)
{
    return interp_run_shadow(env, b, mem);
}

/* ------------------------------------------------------------------------ */
/* backend interface                                                        */

/* Bump allocator over the code cache. */
static void *interp_cc_alloc(void *opaque, size_t size)
{
    CodeCache *cc = opaque;
    uint8_t *p = (uint8_t *)ALIGN_UP((uintptr_t)cc->ptr, 16);

    if (p + size > cc->end) {
        return NULL;
    }
    cc->ptr = p + size;
    return p;
}

/* Nothing to prepare: blocks are plain data in the code cache. */
static void interp_init(CodeCache *cc)
{
    (void)cc;
}

/* Decode the TB's IR into the code cache. */
static bool interp_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc)
{
    uint8_t *start = cc->ptr;
    InterpBlock *b = interp_build(tb, f, interp_cc_alloc, cc, true);

    if (!b) {
        cc->ptr = start;
        return false;
    }
    tb->host_code = b;
    tb->host_size = (uint32_t)(cc->ptr - (uint8_t *)b);
    if (unlikely(log_enabled(LOG_OUT_ASM))) {
        hlog("interp: TB %08x: %u ops, %u temps, %u consts\n",
             tb->pc, b->nops, b->ntemps, b->nconsts);
    }
    return true;
}

/* Chain goto_tb slot n of tb to dst (NULL: unchain). */
static void interp_set_jmp_target(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    InterpBlock *b = tb->host_code;

    b->chain[n & 1] = dst ? (InterpBlock *)dst->host_code : NULL;
}

/* -d out_asm: print the decoded block. */
static void interp_disas(const void *code, size_t size)
{
    (void)size;
    interp_dump_block(code);
}

static const char *const interp_private_names[INTERP_NB_OPS - IR_NB_OPS] = {
    "ld_env32", "st_env32", "brcond_eq", "brcond_ne", "addi", "subi", "andi",
};

/* Name of an interpreter opcode. */
static const char *interp_op_name(unsigned opc)
{
    if (opc < IR_NB_OPS) {
        return ir_op_defs[opc].name;
    }
    return opc < INTERP_NB_OPS ? interp_private_names[opc - IR_NB_OPS] : "?";
}

/* Print one decoded block. */
void interp_dump_block(const InterpBlock *b)
{
    hlog("  interp block: %u ops, %u temps (%u consts)\n",
         b->nops, b->ntemps, b->nconsts);
    for (unsigned i = 0; i < b->nops; i++) {
        const InterpOp *o = &b->ops[i];
        hlog("  %4u: %-10s c=%u f=%x a=%u,%u,%u,%u,%u imm=0x%x imm2=0x%x\n",
             i, interp_op_name(o->opc), o->cond, o->flags,
             o->a[0], o->a[1], o->a[2], o->a[3], o->a[4], o->imm, o->imm2);
    }
}

/* --stats: the interpreter counts executed guest instructions exactly. */
static void interp_stats_print(void)
{
    stat_line("guest insns executed", interp_insns_executed);
}

const HostBackend backend_interp = {
    .name = "interp",
    .counts_tlb_hits = true,     /* always (interp_tlb_host) */
    .init = interp_init,
    .gen_code = interp_gen_code,
    .exec = interp_exec,
    .set_jmp_target = interp_set_jmp_target,
    .disas = interp_disas,
    .stats_print = interp_stats_print,
};
