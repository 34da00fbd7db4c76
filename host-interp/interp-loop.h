/*
 * hamt86 - the interpreter loop, instantiated twice by host-interp/interp.c:
 *
 *   INTERP_SHADOW 0   the backend: chains through goto_tb and
 *                     lookup_and_goto_ptr, guest memory inline;
 *   INTERP_SHADOW 1   co-simulation shadow: one block, never chains, guest
 *                     memory through the InterpMem hooks.
 *
 * INTERP_FN names the function.  (A computed-goto table cannot live in an
 * inlined function, hence a template instead of always_inline.)
 */

static uintptr_t INTERP_FN(CPUX86State *env, const InterpBlock *b,
                           const InterpMem *mem)
{
    uint32_t t[IR_MAX_TEMPS];
    const InterpOp *op;

#define A(n)  t[op->a[n]]
#define SYNC()   interp_sync(env, t)
#define RELOAD() interp_reload(env, t)

    RELOAD();
    interp_enter(t, b);
    op = b->ops;

#if INTERP_CGOTO
#define LBL(name) INTERP_LBL(name)
    static const void *const dispatch[INTERP_NB_OPS] = {
#define IR_OP(name, nout, nin, flags) [IR_##name] = &&LBL(name),
#include "ir/ir-ops.def"
#undef IR_OP
        [INTERP_ld_env32] = &&LBL(ld_env32),
        [INTERP_st_env32] = &&LBL(st_env32),
        [INTERP_brcond_eq] = &&LBL(brcond_eq),
        [INTERP_brcond_ne] = &&LBL(brcond_ne),
        [INTERP_addi] = &&LBL(addi),
        [INTERP_subi] = &&LBL(subi),
        [INTERP_andi] = &&LBL(andi),
    };
#define OP(name)    LBL(name):
#define DISPATCH()  goto *dispatch[op->opc]
#define NEXT()      do { op++; DISPATCH(); } while (0)
    DISPATCH();
    {
#else
#define OP(name)    case IR_##name:
#define IR_ld_env32  INTERP_ld_env32
#define IR_st_env32  INTERP_st_env32
#define IR_brcond_eq INTERP_brcond_eq
#define IR_brcond_ne INTERP_brcond_ne
#define IR_addi      INTERP_addi
#define IR_subi      INTERP_subi
#define IR_andi      INTERP_andi
#define DISPATCH()  goto dispatch_top
#define NEXT()      do { op++; DISPATCH(); } while (0)
dispatch_top:
    switch (op->opc) {
#endif
    OP(mov)     A(0) = A(1); NEXT();
    OP(addi)    A(0) = A(1) + op->imm; NEXT();
    OP(subi)    A(0) = A(1) - op->imm; NEXT();
    OP(andi)    A(0) = A(1) & op->imm; NEXT();
    OP(ld_env32)
        memcpy(&A(0), (const uint8_t *)env + op->imm, 4);
        NEXT();
    OP(st_env32)
        memcpy((uint8_t *)env + op->imm, &A(0), 4);
        NEXT();
    OP(brcond_eq)
        if (A(0) == A(1)) {
            op = b->ops + op->imm;
            DISPATCH();
        }
        NEXT();
    OP(brcond_ne)
        if (A(0) != A(1)) {
            op = b->ops + op->imm;
            DISPATCH();
        }
        NEXT();
    OP(add)     A(0) = A(1) + A(2); NEXT();
    OP(sub)     A(0) = A(1) - A(2); NEXT();
    OP(mul)     A(0) = A(1) * A(2); NEXT();
    OP(muluh)   A(0) = (uint32_t)(((uint64_t)A(1) * A(2)) >> 32); NEXT();
    OP(mulsh)   A(0) = (uint32_t)((uint64_t)((int64_t)(int32_t)A(1) *
                                             (int32_t)A(2)) >> 32); NEXT();
    OP(and)     A(0) = A(1) & A(2); NEXT();
    OP(or)      A(0) = A(1) | A(2); NEXT();
    OP(xor)     A(0) = A(1) ^ A(2); NEXT();
    OP(shl)     A(0) = A(1) << (A(2) & 31); NEXT();
    OP(shr)     A(0) = A(1) >> (A(2) & 31); NEXT();
    OP(sar)     A(0) = (uint32_t)((int32_t)A(1) >> (A(2) & 31)); NEXT();
    OP(rotl)    A(0) = ir_eval_rotl(A(1), A(2)); NEXT();
    OP(rotr)    A(0) = ir_eval_rotr(A(1), A(2)); NEXT();
    OP(neg)     A(0) = -A(1); NEXT();
    OP(not)     A(0) = ~A(1); NEXT();
    OP(ext8s)   A(0) = (uint32_t)(int32_t)(int8_t)A(1); NEXT();
    OP(ext8u)   A(0) = A(1) & 0xff; NEXT();
    OP(ext16s)  A(0) = (uint32_t)(int32_t)(int16_t)A(1); NEXT();
    OP(ext16u)  A(0) = A(1) & 0xffff; NEXT();
    OP(bswap)   A(0) = ir_eval_bswap(A(1)); NEXT();
    OP(clz)     A(0) = ir_eval_clz(A(1)); NEXT();
    OP(ctz)     A(0) = ir_eval_ctz(A(1)); NEXT();
    OP(extract) A(0) = ir_eval_extract(A(1), op->imm, op->imm2); NEXT();
    OP(deposit) A(0) = ir_eval_deposit(A(1), A(2), op->imm, op->imm2); NEXT();
    OP(setcond) A(0) = ir_eval_cond((IRCond)op->cond, A(1), A(2)); NEXT();
    OP(movcond) A(0) = ir_eval_cond((IRCond)op->cond, A(1), A(2)) ? A(3) : A(4);
                NEXT();
    OP(ld_env)
        if (op->flags & INTERP_F_SYNC) {
            SYNC();
        }
        A(0) = interp_ld_env(env, op->imm, op->cond);
        NEXT();
    OP(st_env)
        if (op->flags & INTERP_F_SYNC) {
            SYNC();
        }
        interp_st_env(env, op->imm, A(0), op->cond);
        if (op->flags & INTERP_F_RELOAD) {
            RELOAD();
        }
        NEXT();
    OP(qemu_ld)
        SYNC();
#if INTERP_SHADOW
        A(0) = memop_extend(mem->ld(mem->opaque, env, A(1), op->cond, op->imm),
                             op->cond);
#else
        (void)mem;
        A(0) = interp_qemu_ld(env, A(1), op->cond, op->imm);
#endif
        NEXT();
    OP(qemu_st)
        SYNC();
#if INTERP_SHADOW
        mem->st(mem->opaque, env, A(1), A(0), op->cond, op->imm);
#else
        interp_qemu_st(env, A(1), A(0), op->cond, op->imm);
#endif
        NEXT();
    OP(call) {
        uint32_t in[IR_MAX_CALL_ARGS], r;
        unsigned first = (op->flags & INTERP_F_RET) ? 1 : 0;
        for (unsigned i = 0; i < op->cond; i++) {
            in[i] = t[op->a[first + i]];
        }
        if (op->flags & INTERP_F_SYNC) {
            SYNC();
        }
        r = interp_call(env, &ir_helpers[op->imm], in);
        if (op->flags & INTERP_F_RELOAD) {
            RELOAD();
        }
        if (first) {
            A(0) = r;
        }
        NEXT();
    }
    OP(set_label)
        NEXT();
    OP(br)
        op = b->ops + op->imm;
        DISPATCH();
    OP(brcond)
        if (ir_eval_cond((IRCond)op->cond, A(0), A(1))) {
            op = b->ops + op->imm;
            DISPATCH();
        }
        NEXT();
    OP(insn_start)
        env->eip = op->imm;
        if (!INTERP_SHADOW) {
            interp_insns_executed++;   /* exact guest insn count (--stats) */
        }
        NEXT();
    OP(goto_tb)
        if (!INTERP_SHADOW) {
            const InterpBlock *nb = b->chain[op->imm & 1];
            if (nb) {
                if (unlikely(log_enabled(LOG_EXEC))) {
                    hlog("interp: chain %08x -> %08x\n", b->tb->pc, nb->tb->pc);
                }
                if (nb != b) {
                    b = nb;
                    interp_enter(t, b);
                }
                op = b->ops;
                DISPATCH();
            }
        }
        NEXT();
    OP(exit_tb)
        SYNC();
        return (uintptr_t)b->tb | op->imm;
    OP(lookup_and_goto_ptr)
        SYNC();
        if (!INTERP_SHADOW) {
            const InterpBlock *nb = helper_lookup_tb_ptr(env);
            if (nb) {
                b = nb;
                interp_enter(t, b);
                op = b->ops;
                DISPATCH();
            }
        }
        return (uintptr_t)b->tb | IR_EXIT_PLAIN;
#if !INTERP_CGOTO
#undef IR_ld_env32
#undef IR_st_env32
#undef IR_brcond_eq
#undef IR_brcond_ne
#undef IR_addi
#undef IR_subi
#undef IR_andi
    default:
        os_fatal(1, "interp: bad opcode %u\n", op->opc);
#endif
    }
#if INTERP_CGOTO
    __builtin_unreachable();
#endif
#undef OP
#undef LBL
#undef DISPATCH
#undef NEXT
#undef A
#undef SYNC
#undef RELOAD
}



