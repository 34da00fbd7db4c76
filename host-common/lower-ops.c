/*
 * hamt86 - the shared instruction selector of the JIT hosts: IR op
 * dispatch, constant commuting, immediate choice, conditions, calls, the
 * guest-memory operand protocol and the out-of-line slow path.  The host
 * supplies a LowerHost (host-common/lower-ops.h): its immediate ranges,
 * opcode tables and the emitters of everything host-shaped.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/exec.h"
#include "ir/ir.h"
#include "host-common/lower-ops.h"

/* True if the access m at the current guest instruction is a window
 * access (else the inline softmmu lookup: no windows, a hot fallback site,
 * or a stack or constant address the window cannot map); at is its
 * address temp. */
static bool ldst_via_window(const Lower *L, const LdSt *m, IRTemp at)
{
    const IRTempInfo *ti = &L->f->temps[at];

    return !mem_inline_softmmu_at(L->tb, L->cur_eip, m->mmu_idx, m->memop,
                                  ti->kind == IR_TEMP_CONST ? &ti->val : NULL);
}

/* ---------------------------------------------------------------------- */
/* immediates and conditions                                              */

/* True if the constant v can be the immediate of an op of kind imm. */
static bool imm_ok(const LowerHost *H, unsigned imm, uint32_t v)
{
    int64_t sv = (int32_t)v;

    switch (imm) {
    case IMM_ARITH:
        return sv >= H->imm_arith_min && sv <= H->imm_arith_max;
    case IMM_NEG:
        return -sv >= H->imm_arith_min && -sv <= H->imm_arith_max;
    case IMM_LOGIC:
        return v <= H->imm_logic_max;
    case IMM_SHIFT:
        return true;
    default:
        return false;
    }
}

/* True if the signed 64-bit v fits the arithmetic immediates. */
static bool arith_ok(const LowerHost *H, int64_t v)
{
    return v >= H->imm_arith_min && v <= H->imm_arith_max;
}

/* The immediate operand of pair p for the constant v. */
static int32_t imm_value(const HostOpPair *p, uint32_t v)
{
    switch (p->imm) {
    case IMM_NEG:
        return -(int32_t)v;
    case IMM_SHIFT:
        return (int32_t)(v & 31);
    default:
        return (int32_t)v;
    }
}

/* d = a op tb through pair p: the immediate form if tb is a constant that
 * fits (bc, bv), else the register form. */
static void emit_pair(Lower *L, const HostOpPair *p, unsigned d, unsigned a,
                      IRTemp tb, bool bc, uint32_t bv)
{
    const LowerHost *H = L->host;

    if (bc && imm_ok(H, p->imm, bv)) {
        H->rri(L->s, p->rri, d, a, imm_value(p, bv));
    } else {
        H->rrr(L->s, p->rrr, d, a, use_reg(L, tb));
    }
}

/*
 * Evaluate cond(a, b) into a register r such that the condition holds iff
 * (r != 0) == *nz.  r is either TMP0 or an input register.
 */
static unsigned emit_cond(Lower *L, IRCond c, IRTemp ta, IRTemp tb, bool *nz)
{
    const LowerHost *H = L->host;
    uint32_t bv = 0;
    bool bc = temp_const(L, tb, &bv);
    int32_t sb = (int32_t)bv;
    unsigned a = use_reg(L, ta);
    const unsigned at = HOST_REG_TMP0;

    switch (c) {
    case IR_COND_EQ:
    case IR_COND_NE:
        *nz = (c == IR_COND_NE);
        if (bc && bv == 0) {
            return a;
        }
        emit_pair(L, &H->binop[IR_xor], at, a, tb, bc, bv);
        return at;
    case IR_COND_LT:
    case IR_COND_GE:
        *nz = (c == IR_COND_LT);
        emit_pair(L, &H->slt, at, a, tb, bc, bv);
        return at;
    case IR_COND_LTU:
    case IR_COND_GEU:
        /* both operands are sign-extended: 64-bit unsigned order agrees */
        *nz = (c == IR_COND_LTU);
        emit_pair(L, &H->sltu, at, a, tb, bc, bv);
        return at;
    case IR_COND_GT:
    case IR_COND_LE:
        /* a > b  <=>  !(a < b + 1) */
        if (bc && sb != INT32_MAX && arith_ok(H, (int64_t)sb + 1)) {
            *nz = (c == IR_COND_LE);
            H->rri(L->s, H->slt.rri, at, a, sb + 1);
        } else {
            *nz = (c == IR_COND_GT);
            H->rrr(L->s, H->slt.rrr, at, use_reg(L, tb), a);
        }
        return at;
    case IR_COND_GTU:
    case IR_COND_LEU:
        if (bc && bv != 0xffffffffu && arith_ok(H, (int32_t)(bv + 1))) {
            *nz = (c == IR_COND_LEU);
            H->rri(L->s, H->sltu.rri, at, a, (int32_t)(bv + 1));
        } else {
            *nz = (c == IR_COND_GTU);
            H->rrr(L->s, H->sltu.rrr, at, use_reg(L, tb), a);
        }
        return at;
    case IR_COND_TSTEQ:
    case IR_COND_TSTNE:
        *nz = (c == IR_COND_TSTNE);
        emit_pair(L, &H->binop[IR_and], at, a, tb, bc, bv);
        return at;
    default:
        os_fatal(1, HOST_NAME " backend: bad condition %d", (int)c);
    }
}

/* Branch of form k to label l, patched later if the label is still ahead. */
static void branch_to_label(Lower *L, int k, unsigned rs, unsigned rt,
                            unsigned l)
{
    L->host->branch(L, k, rs, rt, label_ref(L, l, k));
}

/* ---------------------------------------------------------------------- */
/* ALU ops                                                                */

/* Two-input ALU ops, with immediate forms for constant second operands. */
static void lower_binop(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;
    HostAsm *s = L->s;
    IRTemp ta = op->args[1], tb = op->args[2];
    IROpcode opc = (IROpcode)op->opc;
    /* rotl is rotr by 32 - n, in the rotr pair */
    const HostOpPair *p = &H->binop[opc == IR_rotl ? IR_rotr : opc];
    uint32_t bv = 0, av = 0;
    bool bc, ac, imm;
    unsigned d, a, b = 0;

    bc = temp_const(L, tb, &bv);
    ac = temp_const(L, ta, &av);
    if (ac && !bc && (opc == IR_add || opc == IR_and || opc == IR_or ||
                      opc == IR_xor || opc == IR_mul)) {
        IRTemp x = ta;
        ta = tb;
        tb = x;
        bc = true;
        bv = av;
    }
    imm = bc && imm_ok(H, p->imm, bv);
    a = use_reg(L, ta);
    if (!imm) {
        b = use_reg(L, tb);
    }
    release_inputs(L);
    d = def_reg(L, op->args[0]);

    if (opc == IR_rotl) {
        if (imm) {
            H->rri(s, p->rri, d, a, (32 - (bv & 31)) & 31);
        } else {
            H->rrr(s, H->binop[IR_sub].rrr, HOST_REG_TMP0, HOST_REG_ZERO, b);
            H->rrr(s, p->rrr, d, a, HOST_REG_TMP0);
        }
    } else if (imm) {
        H->rri(s, p->rri, d, a, imm_value(p, bv));
    } else if (p->rrr != 0) {
        H->rrr(s, p->rrr, d, a, b);
    } else {
        H->binop_special(s, opc, d, a, b);
    }
}

/* d = op(a) for a one-input op through the host's unop table. */
static void emit_unop(Lower *L, const IROp *op, IROpcode opc, unsigned d,
                      unsigned a)
{
    const LowerHost *H = L->host;
    const HostUnop *u = &H->unop[opc];

    switch (u->kind) {
    case UN_RR:
        H->rr(L->s, u->opc, d, a);
        break;
    case UN_RRI:
        H->rri(L->s, u->opc, d, a, u->imm);
        break;
    case UN_ZR:
        H->rrr(L->s, u->opc, d, HOST_REG_ZERO, a);
        break;
    case UN_RZ:
        H->rrr(L->s, u->opc, d, a, HOST_REG_ZERO);
        break;
    default:
        H->unop_special(L->s, op, d, a);
        break;
    }
}

/* One-input ALU ops. */
static void lower_unop(Lower *L, const IROp *op)
{
    unsigned a, d;

    if (op->opc == IR_mov && ir_is_const(L->f, op->args[1])) {
        d = def_reg(L, op->args[0]);
        host_li32(L->s, d, L->f->temps[op->args[1]].val);
        return;
    }
    a = use_reg(L, op->args[1]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);

    if (op->opc == IR_mov) {
        host_mov(L->s, d, a);
    } else if (op->opc == IR_extract) {
        unsigned pos = op->imm & 31, len = op->imm2;
        if (len == 0 || len > 32) {
            os_fatal(1, HOST_NAME " backend: bad extract length %u", len);
        }
        if (pos + len >= 32) {
            L->host->rri(L->s, L->host->binop[IR_shr].rri, d, a, (int32_t)pos);
        } else {
            L->host->unop_special(L->s, op, d, a);
        }
    } else {
        emit_unop(L, op, (IROpcode)op->opc, d, a);
    }
}

/* deposit: d = a with bits [pos, pos + len) replaced by b's low bits. */
static void lower_deposit(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;
    unsigned pos = op->imm & 31, len = op->imm2;
    unsigned a, b, d;

    if (len == 0) {
        len = 1;
    }
    if (pos + len > 32) {
        len = 32 - pos;
    }
    a = use_reg(L, op->args[1]);
    b = use_reg(L, op->args[2]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);
    if (d != a) {
        if (d == b) {
            H->rr(L->s, H->move, HOST_REG_TMP0, b);
            b = HOST_REG_TMP0;
        }
        H->rr(L->s, H->move, d, a);
    }
    H->deposit(L->s, d, b, pos, len);
}

/* setcond: d = cond(a, b). */
static void lower_setcond(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;
    bool nz;
    unsigned r = emit_cond(L, (IRCond)op->cond, op->args[1], op->args[2], &nz);
    unsigned d;

    release_inputs(L);
    d = def_reg(L, op->args[0]);
    if (nz) {
        H->rrr(L->s, H->sltu.rrr, d, HOST_REG_ZERO, r);
    } else {
        H->rri(L->s, H->sltu.rri, d, r, 1);
    }
}

/* movcond: d = cond(a, b) ? c : e. */
static void lower_movcond(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;
    bool nz;
    unsigned r = emit_cond(L, (IRCond)op->cond, op->args[1], op->args[2], &nz);
    unsigned c, e, d;

    if (r != HOST_REG_TMP0) {
        H->rr(L->s, H->move, HOST_REG_TMP0, r);
    }
    c = use_reg(L, op->args[3]);
    e = use_reg(L, op->args[4]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);
    H->movcond(L->s, nz, d, c, e);
}

/* brcond: if cond(a, b) goto label; a direct compare-and-branch where the
 * host has one for the condition, else a compare into TMP0. */
static void lower_brcond(Lower *L, const IROp *op)
{
    IRCond c = (IRCond)op->cond;
    unsigned form = L->host->brcond[c];
    bool nz;

    if (form != 0) {
        unsigned a = use_reg(L, op->args[0]);
        unsigned b = use_reg(L, op->args[1]);
        int k = (int)(form & ~BR_SWAP);

        sync_all(L);
        if (form & BR_SWAP) {
            unsigned x = a;
            a = b;
            b = x;
        }
        if ((k == BR_EQ || k == BR_NE) && b == HOST_REG_ZERO) {
            k = (k == BR_EQ) ? BR_EQZ : BR_NEZ;
        }
        branch_to_label(L, k, a, b, op->imm);
        return;
    }
    unsigned r = emit_cond(L, c, op->args[0], op->args[1], &nz);
    sync_all(L);
    branch_to_label(L, nz ? BR_NEZ : BR_EQZ, r, HOST_REG_ZERO, op->imm);
}

/* ---------------------------------------------------------------------- */
/* calls                                                                  */

/* d = the 32-bit result in reg_ret, sign-extended. */
static void emit_sext32(Lower *L, unsigned d, unsigned r)
{
    L->host->rri(L->s, L->host->sext32, d, r, 0);
}

/* Helper call: a0 = env, a1.. = args; result in reg_ret. */
static void lower_call(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;
    LowerCall c;

    lower_call_begin(L, op, &c);
    if (c.h->flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE)) {
        H->store_globals(L->s);
    }
    lower_call_args(L, &c);
    H->call_env(L->s, c.h->fn);
    if (H->rambase_caller_saved) {
        L->win_idx = -1;
    }
    if (c.h->flags & IRH_RW_GLOBALS) {
        H->load_globals(L->s);
    }
    if (c.out != IR_NO_TEMP) {
        if (L->f->temps[c.out].kind == IR_TEMP_GLOBAL) {
            emit_sext32(L, HOST_REG_GUEST0 + c.out, HOST_REG_RET);
        } else {
            /* both ABIs return 32-bit values sign-extended */
            lower_bind_result(L, c.out, HOST_REG_RET);
        }
    }
}

/* d = a op v for a two-input ALU op (tmp: for a constant no immediate
 * form takes; d, a != tmp). */
static void emit_op_imm(Lower *L, IROpcode opc, unsigned d, unsigned a,
                        uint32_t v, unsigned tmp)
{
    const LowerHost *H = L->host;
    const HostOpPair *p = &H->binop[opc];

    if (p->rri && imm_ok(H, p->imm, v)) {
        H->rri(L->s, p->rri, d, a, p->imm == IMM_NEG ? -(int32_t)v
                                                      : (int32_t)v);
    } else {
        host_li32(L->s, tmp, v);
        H->rrr(L->s, p->rrr, d, a, tmp);
    }
}

/* r = the 32-bit env word at off, sign-extended (any offset). */
static void emit_ld_env32(Lower *L, unsigned r, int32_t off)
{
    const LowerHost *H = L->host;
    unsigned base = HOST_REG_ENV;

    if (off > H->imm_arith_max) {
        host_li32(L->s, r, (uint32_t)off);
        H->rrr(L->s, H->add64, r, r, HOST_REG_ENV);
        base = r;
        off = 0;
    }
    H->mem(L->s, H->ld[MO_32], r, base, off);
}

/* Whether lookup_and_goto_ptr probes the jump cache inline: not while
 * -d exec traces every TB entry (helper_lookup_tb_ptr logs it).  (Cosim
 * TBs are CF_NOCHAIN: they have no lookup_and_goto_ptr.) */
static bool jc_inline(const Lower *L)
{
    (void)L;
    return !log_enabled(LOG_EXEC);
}

/*
 * The inline jump-cache probe (entry layout and index: core/exec.h,
 * TbJcEntry).  EIP was just stored to env.  After a near transfer CS base
 * and hflags are the TB's (constants here); after a far one (far: RETF)
 * they are read from env.  The x87 TOP is read at run time, as
 * cpu_tb_flags() does:
 *
 *      cs   = near: the TB's cs_base; far: env->segs[R_CS].base
 *      lin  = env->eip + cs            (no add for a constant 0)
 *      e    = env->tb_jc + tb_jc_index(lin) * 32   (core/exec.h:
 *             ((lin & 127) ^ (lin >> 5)) & 32767; the mask and the * 32
 *             as << 17 then >> 12, 32-bit)
 *      if e->lin != lin                                  goto miss
 *      hf   = near: the TB's hflags; far: env->hflags & TB_FLAGS_MASK
 *      fl   = env->fpu.top << 24 | hf | TB_JC_VALID
 *      constant cs 0: if 64-bit word 0 of e != fl        goto miss
 *      else:          if e->flags != fl || e->cs_base != cs  goto miss
 *      jump e->host_code
 *   miss:
 *      (helper_lookup_tb_ptr, as without the probe)
 *
 * A flushed entry (all zero) fails the flags compare (TB_JC_VALID).
 */
static void lower_jc_probe(Lower *L, bool far)
{
    const LowerHost *H = L->host;
    HostAsm *s = L->s;
    const unsigned lin = HOST_REG_ARG(1), e = HOST_REG_ARG(2);
    const unsigned t = HOST_REG_ARG(3), c = HOST_REG_ARG(4);
    const unsigned u = HOST_REG_TMP0;
    uint32_t cs_base = L->tb->cs_base;
    uint32_t fl = (L->tb->flags & ~TB_FLAGS_FPTOP_MASK) | TB_JC_VALID;
    uint32_t miss[3], here;
    unsigned nmiss = 0;

    BUILD_ASSERT(sizeof(((FPUState *)0)->top) == 4);
    BUILD_ASSERT(sizeof(((CPUX86State *)0)->eip) == 4);
    BUILD_ASSERT(sizeof(((CPUX86State *)0)->hflags) == 4);
    BUILD_ASSERT(sizeof(((SegmentCache *)0)->base) == 4);
    sync_all(L);
    emit_ld_env32(L, lin, (int32_t)offsetof(CPUX86State, eip));
    if (far) {
        emit_ld_env32(L, c, (int32_t)offsetof(CPUX86State, segs[R_CS].base));
        H->rrr(s, H->binop[IR_add].rrr, lin, lin, c);
    } else if (cs_base != 0) {
        emit_op_imm(L, IR_add, lin, lin, cs_base, u);
    }
    H->rri(s, H->binop[IR_shr].rri, e, lin, TB_JC_MIX_SHIFT);
    emit_op_imm(L, IR_and, t, lin, TB_JC_PAGE - 1, u);
    H->rrr(s, H->binop[IR_xor].rrr, e, e, t);
    /* (e & (TB_JC_SIZE - 1)) << 5 as two 32-bit shifts: no mask
     * immediate, which LoongArch's andi (12 bits) could not hold */
    H->rri(s, H->binop[IR_shl].rri, e, e, 32 - TB_JC_BITS);
    H->rri(s, H->binop[IR_shr].rri, e, e,
           32 - TB_JC_BITS - TB_JC_ENTRY_SHIFT);
    H->mem(s, H->ld64, t, HOST_REG_ENV,
           (int32_t)offsetof(CPUX86State, tb_jc));
    H->rrr(s, H->add64, e, e, t);
    H->mem(s, H->ld[MO_32], t, e, (int32_t)offsetof(TbJcEntry, lin));
    miss[nmiss++] = hostasm_offset(s);
    H->branch(L, BR_NE, t, lin, -1);

    emit_ld_env32(L, u, (int32_t)offsetof(CPUX86State, fpu.top));
    H->rri(s, H->binop[IR_shl].rri, u, u, TB_FLAGS_FPTOP_SHIFT);
    if (far) {
        emit_ld_env32(L, lin, (int32_t)offsetof(CPUX86State, hflags));
        emit_op_imm(L, IR_and, lin, lin, TB_FLAGS_MASK, t);
        H->rrr(s, H->binop[IR_or].rrr, u, u, lin);
        emit_op_imm(L, IR_or, u, u, TB_JC_VALID, lin);
    } else {
        host_li32(s, lin, fl);
        H->rrr(s, H->binop[IR_or].rrr, u, u, lin);
    }
    if (far) {
        H->mem(s, H->ld[MO_32], t, e, (int32_t)offsetof(TbJcEntry, flags));
        miss[nmiss++] = hostasm_offset(s);
        H->branch(L, BR_NE, t, u, -1);
        H->mem(s, H->ld[MO_32], t, e, (int32_t)offsetof(TbJcEntry, cs_base));
        miss[nmiss++] = hostasm_offset(s);
        H->branch(L, BR_NE, t, c, -1);
    } else if (cs_base == 0) {
        /* flags | cs_base << 32 against the zero-extended fl (fl > 0) */
        H->mem(s, H->ld64, t, e, (int32_t)offsetof(TbJcEntry, flags));
        miss[nmiss++] = hostasm_offset(s);
        H->branch(L, BR_NE, t, u, -1);
    } else {
        H->mem(s, H->ld[MO_32], t, e, (int32_t)offsetof(TbJcEntry, flags));
        miss[nmiss++] = hostasm_offset(s);
        H->branch(L, BR_NE, t, u, -1);
        H->mem(s, H->ld[MO_32], t, e, (int32_t)offsetof(TbJcEntry, cs_base));
        host_li32(s, u, cs_base);
        miss[nmiss++] = hostasm_offset(s);
        H->branch(L, BR_NE, t, u, -1);
    }
    H->mem(s, H->ld64, t, e, (int32_t)offsetof(TbJcEntry, host_code));
    H->jump_reg(L, t);

    here = hostasm_offset(s);
    for (unsigned i = 0; i < nmiss && !s->overflow; i++) {
        host_patch_label((uint32_t *)(void *)(s->start + miss[i]), BR_NE,
                         miss[i], here);
    }
}

/* lookup_and_goto_ptr: jump to the next TB if the lookup hits (at its
 * start: it loads its own window base); the jump cache inline first. */
static void lower_lookup_and_goto(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;

    if (jc_inline(L)) {
        lower_jc_probe(L, (op->imm & IR_LOOKUP_ENV_CS) != 0);
    }
    H->call_env(L->s, (const void *)helper_lookup_tb_ptr);
    if (H->rambase_caller_saved) {
        L->win_idx = -1;
    }
    H->goto_ptr(L);
    H->exit_tb(L, IR_EXIT_PLAIN);
}

/* ---------------------------------------------------------------------- */
/* guest memory                                                           */

/* lower-ops.h: sized access of r at base + off. */
void lower_access(Lower *L, bool store, unsigned memop, unsigned r,
                  unsigned base, int32_t off)
{
    const LowerHost *H = L->host;
    unsigned m = memop & (MO_SIZE | MO_SIGN);

    H->mem(L->s, store ? H->st[m] : H->ld[m], r, base, off);
}

/* qemu_ld / qemu_st: assign registers, then the memory path's sequence. */
static void lower_qemu_ldst(Lower *L, const IROp *op)
{
    LdSt m;

    m.store = (op->opc == IR_qemu_st);
    m.memop = op->cond;
    m.mmu_idx = op->imm;
    m.size = 1u << (op->cond & MO_SIZE);
    if (m.store) {
        m.val = use_reg(L, op->args[0]);
        m.addr = use_reg(L, op->args[1]);
    } else {
        m.addr = use_reg(L, op->args[1]);
    }
    release_inputs(L);
    if (!m.store) {
        m.val = def_reg(L, op->args[0]);
    }
    if (ldst_via_window(L, &m, op->args[1])) {
        if (m.store && m.size <= 4 && L->host->st_window_cd != NULL &&
            mem_cd_store_at(L->tb, L->cur_eip, m.mmu_idx)) {
            L->host->st_window_cd(L, &m);      /* docs/HAMT.md */
        } else {
            L->host->ldst_window(L, &m);       /* hamt/: docs/HAMT.md */
        }
    } else {
        L->host->ldst_softmmu(L, &m);
    }
}

/* Offset of env->hamt_window[idx] (the HAMT window bases). */
static int32_t hamt_window_off(unsigned idx)
{
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) +
                 sizeof(((CPUX86State *)0)->hamt_window) <= 2047);
    return (int32_t)(offsetof(CPUX86State, hamt_window) + idx * sizeof(uintptr_t));
}

/*
 * The call of the out-of-line slow path sp, at the end of the TB:
 *   save the live pool registers (sp->save_mask) and the guest registers
 *   a1 = addr, [a2 = val,] a2/a3 = oi, a3/a4 = retaddr, a0 = env
 *   call mem_ld_slow / mem_st_slow
 *   reload the HAMT window base if the call killed it (sp->win_idx)
 *   dst = the result extended by memop
 *   restore, jump back to sp->back_off
 */
static void emit_slow_call(Lower *L, SlowPath *sp)
{
    const LowerHost *H = L->host;
    HostAsm *s = L->s;
    unsigned oi = MAKE_OI(sp->memop & MO_OI_MEMOP, sp->mmu_idx);
    unsigned ra_reg = HOST_REG_ARG(sp->is_store ? 4 : 3);

    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            H->mem(s, H->st64, r, HOST_REG_SP, HOST_SLOWSAVE_OFF + 8 * (int32_t)r);
        }
    }
    H->store_globals(s);
    if (sp->is_store) {
        /* addr and val may sit in a1/a2 crossed: through the scratches */
        H->rr(s, H->move, HOST_REG_TMP0, sp->addr_reg);
        H->rr(s, H->move, HOST_REG_TMP2, sp->val_reg);
        H->rr(s, H->move, HOST_REG_ARG(1), HOST_REG_TMP0);
        H->rr(s, H->move, HOST_REG_ARG(2), HOST_REG_TMP2);
        host_li32(s, HOST_REG_ARG(3), oi);
    } else {
        H->rr(s, H->move, HOST_REG_ARG(1), sp->addr_reg);
        host_li32(s, HOST_REG_ARG(2), oi);
    }
    H->slow_retaddr(L, sp, ra_reg);
    H->rr(s, H->move, HOST_REG_ARG(0), HOST_REG_ENV);
    H->call(s, sp->is_store ? (const void *)mem_st_slow
                            : (const void *)mem_ld_slow);
    if (sp->win_idx >= 0) {
        H->mem(s, H->ld64, HOST_REG_RAMBASE, HOST_REG_ENV,
               hamt_window_off((unsigned)sp->win_idx));
    }
    if (!sp->is_store) {
        static const IROpcode ext[] = {
            [MO_8] = IR_ext8u, [MO_8S] = IR_ext8s,
            [MO_16] = IR_ext16u, [MO_16S] = IR_ext16s,
        };
        unsigned m = sp->memop & (MO_SIZE | MO_SIGN);
        if (m == MO_8 || m == MO_8S || m == MO_16 || m == MO_16S) {
            IROp op = { .opc = (uint8_t)ext[m] };
            emit_unop(L, &op, ext[m], sp->dst_reg, HOST_REG_RET);
        } else {
            emit_sext32(L, sp->dst_reg, HOST_REG_RET);
        }
    }
    /* the result is in place first: dst_reg is never in save_mask */
    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            H->mem(s, H->ld64, r, HOST_REG_SP, HOST_SLOWSAVE_OFF + 8 * (int32_t)r);
        }
    }
    H->jump(s, sp->back_off);
}

/*
 * The slow path of sp.  A store of the inline softmmu sequence gets the
 * host's code-map probe (LowerHost.store_notdirty) in front of the call,
 * placed after it so that its failure branch goes backward:
 *
 *   full:  the call sequence above ........ jump back
 *   probe: <- the fast path's branch
 *          only TLB_NOTDIRTY and no code-map bit? store, jump back
 *          else branch to full
 */
static void emit_slow_path(Lower *L, SlowPath *sp)
{
    const LowerHost *H = L->host;
    uint32_t full = hostasm_offset(L->s);

    if (!sp->is_store || sp->branch_off == SLOW_NO_BRANCH ||
        sp->window_site || H->store_notdirty == NULL) {
        H->slow_branch(L, sp, full);
        emit_slow_call(L, sp);
        return;
    }
    emit_slow_call(L, sp);
    H->slow_branch(L, sp, hostasm_offset(L->s));
    H->store_notdirty(L, sp, full);
}

/* ---------------------------------------------------------------------- */
/* dispatch                                                               */

/* Lower one op. */
static void lower_op(Lower *L, const IROp *op)
{
    const LowerHost *H = L->host;

    if (H->op_begin != NULL) {
        H->op_begin(L, op);
    }
    switch (op->opc) {
    case IR_mov: case IR_neg: case IR_not: case IR_ext8s: case IR_ext8u:
    case IR_ext16s: case IR_ext16u: case IR_bswap: case IR_clz: case IR_ctz:
    case IR_extract:
        lower_unop(L, op);
        break;
    case IR_add: case IR_sub: case IR_mul: case IR_muluh: case IR_mulsh:
    case IR_and: case IR_or: case IR_xor: case IR_shl: case IR_shr:
    case IR_sar: case IR_rotl: case IR_rotr:
        lower_binop(L, op);
        break;
    case IR_deposit:
        lower_deposit(L, op);
        break;
    case IR_setcond:
        lower_setcond(L, op);
        break;
    case IR_movcond:
        lower_movcond(L, op);
        break;
    case IR_ld_env: case IR_st_env:
        H->ld_st_env(L, op);
        break;
    case IR_qemu_ld: case IR_qemu_st:
        lower_qemu_ldst(L, op);
        break;
    case IR_call:
        lower_call(L, op);
        break;
    case IR_set_label:
        sync_all(L);
        place_label(L, op->imm);
        break;
    case IR_br:
        sync_all(L);
        branch_to_label(L, BR_ALWAYS, HOST_REG_ZERO, HOST_REG_ZERO, op->imm);
        break;
    case IR_brcond:
        lower_brcond(L, op);
        break;
    case IR_insn_start:
        lower_insn_start(L, op->imm);
        break;
    case IR_goto_tb:
        sync_all(L);
        H->goto_tb(L, op->imm);
        break;
    case IR_exit_tb:
        sync_all(L);
        H->exit_tb(L, op->imm);
        break;
    case IR_lookup_and_goto_ptr:
        sync_all(L);
        lower_lookup_and_goto(L, op);
        break;
    default:
        os_fatal(1, HOST_NAME " backend: unhandled IR op %u", op->opc);
    }
}

/* lower-ops.h: the body, the slow paths, the HAMT site table. */
bool lower_ops_run(Lower *L, const LowerHost *H)
{
    L->host = H;
    return lower_run(L, lower_op, emit_slow_path);
}
