/*
 * hamt86 - IR -> MIPS64r2 lowering: instruction selection, the n64
 * calling convention, branches and their delay slots, guest memory
 * sequences.
 *
 * Liveness, the temp -> register/slot allocator, label relocations, the
 * slow-path queue, the HAMT site table and the TB records are shared with
 * the LoongArch backend (host-common/lower-common.h, which describes the
 * model); mips-target.h has the register map.
 *
 * Guest memory (softmmu): inline TLB lookup in env->tlb_table[mmu_idx]
 * (compare word, alignment folded into the compare), one host access at
 * addend + address; misses, misaligned accesses (which may cross a page)
 * and flagged entries (MMIO, code, watch) go to an out-of-line slow path
 * at the end of the TB, which calls mem_ld_slow / mem_st_slow with the host
 * address of the inline access as retaddr.  Guest accesses are never placed
 * in branch delay slots.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/exec.h"
#include "translator/ir.h"
#include "hamt/hamt.h"
#include "host-common/lower-common.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"

int mips_mempath_mode = MIPS_MEMPATH_FLAT;

/* The TLB fast path loads env->tlb_fast[idx] (mask, table) with an imm16. */
BUILD_ASSERT(sizeof(CPUTLBEntry) == (1u << CPU_TLB_ENTRY_BITS));
BUILD_ASSERT(offsetof(CPUTLBEntry, addr_read) == 0);
BUILD_ASSERT(offsetof(CPUTLBEntry, addr_write) == 4);
BUILD_ASSERT(offsetof(CPUTLBEntry, addend) == 8);
BUILD_ASSERT(offsetof(CPUX86State, tlb_fast) +
             sizeof(CPUTLBDescFast) * NB_MMU_MODES <= 32767);
/* --stats hit counters (mem_count_tlb_hits): ld/sd with an imm16 from env. */
BUILD_ASSERT(offsetof(CPUX86State, tlb_hits) + 8 * NB_MMU_MODES <= 32767);

static Lower lower_state;

static void emit_access(HostAsm *s, bool store, unsigned memop, unsigned r,
                        int32_t off, unsigned base);

/* ---------------------------------------------------------------------- */
/* host-common emitters                                                   */

/* host-common: store r's low word to the temp slot at sp + off. */
void host_st_slot(HostAsm *s, unsigned r, int32_t off)
{
    mips_sw(s, r, off, MIPS_SP);
}

/* host-common: load the temp slot at sp + off into r (lw sign-extends). */
void host_ld_slot(HostAsm *s, unsigned r, int32_t off)
{
    mips_lw(s, r, off, MIPS_SP);
}

/* host-common: r = (int64_t)(int32_t)v. */
void host_li32(HostAsm *s, unsigned r, uint32_t v)
{
    mips_emit_li32(s, r, v);
}

/* host-common: rd = rs. */
void host_mov(HostAsm *s, unsigned rd, unsigned rs)
{
    mips_emit_mov(s, rd, rs);
}

/* host-common: point the beq/bne at insn (offset off) to offset to. */
void host_patch_label(uint32_t *insn, int kind, uint32_t off, uint32_t to)
{
    mips_patch_field_off(insn, ((int32_t)to - (int32_t)(off + 4)) / 4);
}

/* ---------------------------------------------------------------------- */
/* control flow                                                           */

/* Fill the delay slot of the branch just emitted: the held-back env store
 * (never a guest memory access), else a nop. */
static void emit_delay_slot(Lower *L)
{
    if (L->defer) {
        emit_access(L->s, true, L->defer_memop, L->defer_reg, L->defer_off,
                    MIPS_R_ENV);
        L->defer = false;
        L->pinned = 0;
    } else {
        mips_nop(L->s);
    }
}

/* Emit a held-back env store in place (the next op is no branch). */
static void flush_deferred(Lower *L)
{
    if (L->defer) {
        emit_access(L->s, true, L->defer_memop, L->defer_reg, L->defer_off,
                    MIPS_R_ENV);
        L->defer = false;
        L->pinned = 0;
    }
}

/* Emit a branch word (beq/bne built by the caller) to label l, patched later
 * if the label is still ahead.  emit() must produce exactly one insn. */
static void branch_to_label(Lower *L, int kind, unsigned rs, unsigned rt,
                            unsigned l)
{
    HostAsm *s = L->s;
    int32_t to = label_ref(L, l, kind);
    int32_t disp = to >= 0 ? (to - (int32_t)(hostasm_offset(s) + 4)) / 4 : 0;

    if (kind == IR_COND_EQ) {
        mips_beq(s, rs, rt, disp);
    } else {
        mips_bne(s, rs, rt, disp);
    }
    emit_delay_slot(L);
}

/* Jump to the epilogue with v0 = (uintptr_t)tb | val. */
static void emit_exit(Lower *L, uint32_t val)
{
    HostAsm *s = L->s;

    if (L->defer && L->defer_reg == MIPS_V0) {
        flush_deferred(L);
    }
    mips_emit_li64(s, MIPS_V0, (uint64_t)((uintptr_t)L->tb | val));
    if (!mips_j_reaches(s->ptr, mips_epilogue_code)) {
        os_fatal(1, "mips backend: code cache outside the epilogue's region");
    }
    mips_j(s, mips_jtarget(mips_epilogue_code));
    emit_delay_slot(L);
}

/*
 * Evaluate cond(a, b) into a register r such that the condition holds iff
 * (r != 0) == *nz.  r is either TMP0 or an input register.
 */
static unsigned emit_cond(Lower *L, IRCond c, IRTemp ta, IRTemp tb, bool *nz)
{
    HostAsm *s = L->s;
    uint32_t bv = 0;
    bool bc = temp_const(L, tb, &bv);
    int32_t sb = (int32_t)bv;
    unsigned a = use_reg(L, ta);
    unsigned b;
    const unsigned at = MIPS_R_TMP0;

    switch (c) {
    case IR_COND_EQ:
    case IR_COND_NE:
        *nz = (c == IR_COND_NE);
        if (bc && bv == 0) {
            return a;
        }
        if (bc && mips_fits_u16(bv)) {
            mips_xori(s, at, a, bv);
        } else {
            b = use_reg(L, tb);
            mips_xor(s, at, a, b);
        }
        return at;
    case IR_COND_LT:
    case IR_COND_GE:
        *nz = (c == IR_COND_LT);
        if (bc && mips_fits_s16(sb)) {
            mips_slti(s, at, a, sb);
        } else {
            b = use_reg(L, tb);
            mips_slt(s, at, a, b);
        }
        return at;
    case IR_COND_LTU:
    case IR_COND_GEU:
        *nz = (c == IR_COND_LTU);
        if (bc && mips_fits_s16(sb)) {
            mips_sltiu(s, at, a, sb);
        } else {
            b = use_reg(L, tb);
            mips_sltu(s, at, a, b);
        }
        return at;
    case IR_COND_GT:
    case IR_COND_LE:
        /* a > b  <=>  !(a < b + 1) */
        if (bc && sb != INT32_MAX && mips_fits_s16((int64_t)sb + 1)) {
            *nz = (c == IR_COND_LE);
            mips_slti(s, at, a, sb + 1);
        } else {
            *nz = (c == IR_COND_GT);
            b = use_reg(L, tb);
            mips_slt(s, at, b, a);
        }
        return at;
    case IR_COND_GTU:
    case IR_COND_LEU:
        if (bc && bv != 0xffffffffu && mips_fits_s16((int32_t)(bv + 1))) {
            *nz = (c == IR_COND_LEU);
            mips_sltiu(s, at, a, (int32_t)(bv + 1));
        } else {
            *nz = (c == IR_COND_GTU);
            b = use_reg(L, tb);
            mips_sltu(s, at, b, a);
        }
        return at;
    case IR_COND_TSTEQ:
    case IR_COND_TSTNE:
        *nz = (c == IR_COND_TSTNE);
        if (bc && mips_fits_u16(bv)) {
            mips_andi(s, at, a, bv);
        } else {
            b = use_reg(L, tb);
            mips_and(s, at, a, b);
        }
        return at;
    default:
        os_fatal(1, "mips backend: bad condition %d", (int)c);
    }
}

/* ---------------------------------------------------------------------- */
/* ops                                                                    */

/* Two-input ALU ops, with immediate forms for constant second operands. */
static void lower_binop(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    IRTemp ta = op->args[1], tb = op->args[2];
    uint32_t bv = 0, av = 0;
    bool bc, ac;
    unsigned d, a, b = 0;
    bool imm = false;
    int32_t sb;

    bc = temp_const(L, tb, &bv);
    ac = temp_const(L, ta, &av);
    if (ac && !bc && (op->opc == IR_add || op->opc == IR_and ||
                      op->opc == IR_or || op->opc == IR_xor ||
                      op->opc == IR_mul)) {
        IRTemp x = ta;
        ta = tb;
        tb = x;
        bc = true;
        bv = av;
    }
    sb = (int32_t)bv;
    if (bc) {
        switch (op->opc) {
        case IR_add:
            imm = mips_fits_s16(sb);
            break;
        case IR_sub:
            imm = mips_fits_s16(-(int64_t)sb);
            break;
        case IR_and: case IR_or: case IR_xor:
            imm = mips_fits_u16(bv);
            break;
        case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
            imm = true;
            break;
        default:
            break;
        }
    }
    a = use_reg(L, ta);
    if (!imm) {
        b = use_reg(L, tb);
    }
    release_inputs(L);
    d = def_reg(L, op->args[0]);

    switch (op->opc) {
    case IR_add:
        imm ? mips_addiu(s, d, a, sb) : mips_addu(s, d, a, b);
        break;
    case IR_sub:
        imm ? mips_addiu(s, d, a, -sb) : mips_subu(s, d, a, b);
        break;
    case IR_and:
        imm ? mips_andi(s, d, a, bv) : mips_and(s, d, a, b);
        break;
    case IR_or:
        imm ? mips_ori(s, d, a, bv) : mips_or(s, d, a, b);
        break;
    case IR_xor:
        imm ? mips_xori(s, d, a, bv) : mips_xor(s, d, a, b);
        break;
    case IR_shl:
        imm ? mips_sll(s, d, a, bv & 31) : mips_sllv(s, d, a, b);
        break;
    case IR_shr:
        imm ? mips_srl(s, d, a, bv & 31) : mips_srlv(s, d, a, b);
        break;
    case IR_sar:
        imm ? mips_sra(s, d, a, bv & 31) : mips_srav(s, d, a, b);
        break;
    case IR_rotr:
        imm ? mips_rotr(s, d, a, bv & 31) : mips_rotrv(s, d, a, b);
        break;
    case IR_rotl:
        if (imm) {
            mips_rotr(s, d, a, (32 - (bv & 31)) & 31);
        } else {
            mips_subu(s, MIPS_R_TMP0, MIPS_ZERO, b);
            mips_rotrv(s, d, a, MIPS_R_TMP0);
        }
        break;
    case IR_mul:
        mips_mul(s, d, a, b);
        break;
    case IR_muluh:
        /* multu on sign-extended 32-bit inputs: HI = high word, extended */
        mips_multu(s, a, b);
        mips_mfhi(s, d);
        break;
    case IR_mulsh:
        mips_mult(s, a, b);
        mips_mfhi(s, d);
        break;
    default:
        os_fatal(1, "mips backend: bad binop %u", op->opc);
    }
}

/* One-input ALU ops. */
static void lower_unop(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    unsigned a, d;
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1;

    if (op->opc == IR_mov && ir_is_const(L->f, op->args[1])) {
        d = def_reg(L, op->args[0]);
        mips_emit_li32(s, d, L->f->temps[op->args[1]].val);
        return;
    }
    a = use_reg(L, op->args[1]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);

    switch (op->opc) {
    case IR_mov:
        mips_emit_mov(s, d, a);
        break;
    case IR_neg:
        mips_subu(s, d, MIPS_ZERO, a);
        break;
    case IR_not:
        mips_nor(s, d, a, MIPS_ZERO);
        break;
    case IR_ext8s:
        mips_seb(s, d, a);
        break;
    case IR_ext8u:
        mips_andi(s, d, a, 0xff);
        break;
    case IR_ext16s:
        mips_seh(s, d, a);
        break;
    case IR_ext16u:
        mips_andi(s, d, a, 0xffff);
        break;
    case IR_bswap:
        /* wsbh swaps bytes within halves, rotr 16 swaps the halves */
        mips_wsbh(s, d, a);
        mips_rotr(s, d, d, 16);
        break;
    case IR_clz:
        mips_clz(s, d, a);
        break;
    case IR_ctz:
        /* ctz(x) = 32 - clz((x - 1) & ~x); gives 32 for x == 0 */
        mips_addiu(s, at, a, -1);
        mips_nor(s, t9, a, MIPS_ZERO);
        mips_and(s, at, at, t9);
        mips_clz(s, at, at);
        mips_addiu(s, t9, MIPS_ZERO, 32);
        mips_subu(s, d, t9, at);
        break;
    case IR_extract: {
        unsigned pos = op->imm & 31, len = op->imm2;
        if (len == 0 || len > 32) {
            os_fatal(1, "mips backend: bad extract length %u", len);
        }
        if (pos + len >= 32) {
            mips_srl(s, d, a, pos);
        } else {
            mips_ext(s, d, a, pos, len);
        }
        break;
    }
    default:
        os_fatal(1, "mips backend: bad unop %u", op->opc);
    }
}

/* deposit: d = a with bits [pos, pos + len) replaced by b's low bits. */
static void lower_deposit(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
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
            mips_move(s, MIPS_R_TMP0, b);
            b = MIPS_R_TMP0;
        }
        mips_move(s, d, a);
    }
    mips_ins(s, d, b, pos, len);
}

/* setcond: d = cond(a, b). */
static void lower_setcond(Lower *L, const IROp *op)
{
    bool nz;
    unsigned r = emit_cond(L, (IRCond)op->cond, op->args[1], op->args[2], &nz);
    unsigned d;

    release_inputs(L);
    d = def_reg(L, op->args[0]);
    if (nz) {
        mips_sltu(L->s, d, MIPS_ZERO, r);
    } else {
        mips_sltiu(L->s, d, r, 1);
    }
}

/* movcond: d = cond(a, b) ? c : e. */
static void lower_movcond(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    bool nz;
    unsigned r = emit_cond(L, (IRCond)op->cond, op->args[1], op->args[2], &nz);
    unsigned c, e, d;

    if (r != MIPS_R_TMP0) {
        mips_move(s, MIPS_R_TMP0, r);
    }
    c = use_reg(L, op->args[3]);
    e = use_reg(L, op->args[4]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);
    if (d == c) {
        /* keep c, replace by e when the condition is false */
        nz ? mips_movz(s, d, e, MIPS_R_TMP0) : mips_movn(s, d, e, MIPS_R_TMP0);
    } else {
        mips_emit_mov(s, d, e);
        nz ? mips_movn(s, d, c, MIPS_R_TMP0) : mips_movz(s, d, c, MIPS_R_TMP0);
    }
}

/* brcond: if cond(a, b) goto label. */
static void lower_brcond(Lower *L, const IROp *op)
{
    IRCond c = (IRCond)op->cond;
    bool nz;

    if (c == IR_COND_EQ || c == IR_COND_NE) {
        /* compare the two registers directly (constants via scratch/$0) */
        unsigned a = use_reg(L, op->args[0]);
        unsigned b = use_reg(L, op->args[1]);
        sync_all(L);
        branch_to_label(L, c, a, b, op->imm);
        return;
    }
    unsigned r = emit_cond(L, c, op->args[0], op->args[1], &nz);
    sync_all(L);
    branch_to_label(L, nz ? IR_COND_NE : IR_COND_EQ, r, MIPS_ZERO, op->imm);
}

/* Load/store sized access at off(base). */
static void emit_access(HostAsm *s, bool store, unsigned memop, unsigned r,
                        int32_t off, unsigned base)
{
    switch (memop & (MO_SIZE | MO_SIGN)) {
    case MO_8:
        store ? mips_sb(s, r, off, base) : mips_lbu(s, r, off, base);
        break;
    case MO_8S:
        store ? mips_sb(s, r, off, base) : mips_lb(s, r, off, base);
        break;
    case MO_16:
        store ? mips_sh(s, r, off, base) : mips_lhu(s, r, off, base);
        break;
    case MO_16S:
        store ? mips_sh(s, r, off, base) : mips_lh(s, r, off, base);
        break;
    default:
        store ? mips_sw(s, r, off, base) : mips_lw(s, r, off, base);
        break;
    }
}

/* ld_env / st_env: access at imm(env). */
static void lower_env(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    bool store = (op->opc == IR_st_env);
    unsigned base = MIPS_R_ENV;
    int32_t off = (int32_t)op->imm;
    unsigned r;

    if (!mips_fits_s16(off)) {
        mips_emit_li32(s, MIPS_R_TMP0, op->imm);
        mips_daddu(s, MIPS_R_TMP0, MIPS_R_TMP0, MIPS_R_ENV);
        base = MIPS_R_TMP0;
        off = 0;
    }
    if (store) {
        r = use_reg(L, op->args[0]);
    } else {
        r = def_reg(L, op->args[0]);
    }
    if (store && base == MIPS_R_ENV && L->cur + 1 < L->f->nops) {
        unsigned next = L->f->ops[L->cur + 1].opc;
        if (next == IR_brcond || next == IR_br || next == IR_exit_tb) {
            /* into the branch's delay slot (env, not guest memory) */
            L->defer = true;
            L->defer_reg = (uint8_t)r;
            L->defer_memop = op->cond;
            L->defer_off = off;
            L->pinned = (MIPS_POOL_MASK & (1u << r)) ? 1u << r : 0;
            return;
        }
    }
    emit_access(s, store, op->cond, r, off, base);
}

/* Offset of env->hamt_window[idx] (the HAMT window bases). */
static int32_t hamt_window_off(unsigned idx)
{
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) + 4 * sizeof(uintptr_t) <= 32767);
    return (int32_t)(offsetof(CPUX86State, hamt_window) + idx * sizeof(uintptr_t));
}

/* hamt/ (weak: the backend unit test links without it). */
#pragma weak hamt_window_ensure
#pragma weak hamt_hot_insn
#pragma weak hamt_phys_limit

/* True if guest accesses take the HAMT path (mips-target.h). */
static bool mips_hamt_tbs(void)
{
    return mips_mempath_mode == MIPS_MEMPATH_HAMT ||
           mem_path->kind == MEM_KIND_HAMT;
}

/* mips-target.h: the MMU index of tb's accesses (its flags, as the
 * translator's mem_idx), whose window base the TB keeps in gp; -1 when
 * accesses do not go through the HAMT windows. */
int mips_tb_window(const TranslationBlock *tb)
{
    if (!mips_hamt_tbs()) {
        return -1;
    }
    return (int)tb_flags_mmu_index(tb->flags);
}

/*
 * HAMT, first instruction of the TB: gp = env->hamt_window[idx] for the
 * TB's index.  The window is reserved now, at translation time, so the
 * base is never 0 when the TB or any TB chained after it runs, and a base
 * never changes once set (hamt_window_ensure).  gp is callee-saved: helper
 * calls, slow paths and the refill handler (which only moves the PC to a
 * stub) keep it.  Chained jumps from a TB of the same index enter after
 * this load (mips_set_jmp_target).
 */
static void lower_tb_window(Lower *L)
{
    L->tb_win = mips_tb_window(L->tb);
    if (L->tb_win < 0) {
        return;
    }
    if (&hamt_window_ensure != NULL) {
        hamt_window_ensure((unsigned)L->tb_win);
    }
    mips_ld(L->s, MIPS_R_WINDOW, hamt_window_off((unsigned)L->tb_win),
            MIPS_R_ENV);
    BUILD_ASSERT(MIPS_TB_WIN_ENTRY == 4);
}

/*
 * HAMT qemu_ld / qemu_st: no check at all, the host MMU does it.
 *   daddu t9, addr, gp                (gp: window base of the TB's index;
 *                                      addr is sign-extended, linear L
 *                                      lives at base + sext32(L), hamt.h)
 *   l?/s? val, 0(t9)                  <- a HAMT site
 * An access of another MMU index (none today: the translator gives every
 * access the TB's index) uses t3 instead, loaded with
 *   ld    t3, hamt_window[idx](env)   (once per block / after calls)
 * A host fault at the site that the refill handler cannot map resumes at
 * the site's out-of-line slow path (queued like the softmmu's, entered by
 * the handler instead of a branch); the site table at the end of the TB
 * maps the site to its stub (hamt_backend_find_site).  The window is
 * reserved here, at translation time (hamt_window_ensure).  Paging off
 * (MMU_PHYS_IDX), the window only spans RAM, so first:
 *   lui   at, limit >> 16; sltu at, addr, at; beq at, zero, stub; nop
 * (addresses are sign-extended: the unsigned 64-bit compare is the 32-bit
 * one).
 */
static void lower_qemu_ldst_hamt(Lower *L, const IROp *op, unsigned a,
                                 unsigned v, unsigned d)
{
    HostAsm *s = L->s;
    bool store = (op->opc == IR_qemu_st);
    unsigned base = MIPS_R_WINDOW;
    SlowPath *sp;

    if (op->imm >= HAMT_NB_IDX || L->nslow >= MAX_SLOW) {
        L->failed = true;
        return;
    }
    if ((int)op->imm != L->tb_win) {
        if (&hamt_window_ensure != NULL) {
            hamt_window_ensure(op->imm);
        }
        if (L->hamt_win != (int)op->imm) {
            mips_ld(s, MIPS_R_RAMBASE, hamt_window_off(op->imm), MIPS_R_ENV);
            L->hamt_win = (int)op->imm;
        }
        base = MIPS_R_RAMBASE;
    }
    /* no branch (SLOW_NO_BRANCH): the fault handler enters */
    sp = slow_path_new(L, store, op->cond, op->imm, a, store ? v : d);
    sp->hamt_win = base == MIPS_R_RAMBASE ? (int8_t)op->imm : -1;
    sp->hamt_site = true;
    if (op->imm == MMU_PHYS_IDX && &hamt_phys_limit != NULL &&
        hamt_phys_limit < ((uint64_t)1 << 32)) {
        BUILD_ASSERT(GUEST_PAGE_SIZE <= 0x10000);
        mips_lui(s, MIPS_R_TMP0, (uint32_t)(hamt_phys_limit >> 16));
        mips_sltu(s, MIPS_R_TMP0, a, MIPS_R_TMP0);
        sp->branch_off = hostasm_offset(s);
        mips_beq(s, MIPS_R_TMP0, MIPS_ZERO, 0);
        mips_nop(s);                   /* the daddu below may be patched */
    }
    /* every I32 value is sign-extended (mips-target.h): no dext needed */
    mips_daddu(s, MIPS_R_TMP1, a, base);
    sp->access_off = hostasm_offset(s);
    emit_access(s, store, op->cond, store ? v : d, 0, MIPS_R_TMP1);
    sp->back_off = hostasm_offset(s);
}

/* --stats: env->tlb_hits[idx]++ on the fast path's hit side (3 insns). */
static void emit_tlb_hit_count(HostAsm *s, unsigned idx)
{
    int32_t off = (int32_t)(offsetof(CPUX86State, tlb_hits) + 8 * idx);

    mips_ld(s, MIPS_R_TMP0, off, MIPS_R_ENV);
    mips_daddiu(s, MIPS_R_TMP0, MIPS_R_TMP0, 1);
    mips_sd(s, MIPS_R_TMP0, off, MIPS_R_ENV);
}

/* qemu_ld / qemu_st: inline fast path, slow path queued for the TB end. */
static void lower_qemu_ldst(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    bool store = (op->opc == IR_qemu_st);
    unsigned a, v = 0, d = 0;
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1;
    SlowPath *sp;

    if (store) {
        v = use_reg(L, op->args[0]);
        a = use_reg(L, op->args[1]);
    } else {
        a = use_reg(L, op->args[1]);
    }
    release_inputs(L);
    if (!store) {
        d = def_reg(L, op->args[0]);
    }

    if (mips_mempath_mode == MIPS_MEMPATH_HAMT || mem_path->kind == MEM_KIND_HAMT) {
        /* a hot fallback site (hamt/) gets the softmmu access below */
        if (&hamt_hot_insn == NULL || !hamt_hot_insn(L->tb, L->cur_eip)) {
            lower_qemu_ldst_hamt(L, op, a, v, d);    /* hamt/: docs/HAMT.md */
            return;
        }
    }
    sp = slow_path_new(L, store, op->cond, op->imm, a, store ? v : d);
    if (sp == NULL) {
        return;
    }
    sp->hamt_win = (int8_t)L->hamt_win;    /* HAMT TB: t3 dies in the call
                                              (gp does not) */

    /*
     * Softmmu TLB lookup (core/mem.h), 12 host instructions on a hit; the
     * table size is dynamic (env->tlb_fast[idx], core/cpu.h):
     *   dsrl  t9, addr, 12 - CPU_TLB_ENTRY_BITS
     *   ld    at, tlb_fast[idx].mask(env)
     *   and   t9, t9, at                     TLB index * 16
     *   ld    at, tlb_fast[idx].table(env)
     *   daddu t9, t9, at
     *   lw    at, addr_{read,write}(t9)
     *   t8 = addr & (page mask | (size - 1))   (2 insns, sign-extended)
     *   bne   at, t8, slow
     *    ld   t9, addend(t9)                 (delay slot: env only)
     *   daddu t9, t9, addr                   (addend takes the sign-
     *   l?/s? val, 0(t9)                      extended address) <- retaddr
     * Flag bits in the compare word and misalignment both mismatch.
     */
    {
        int32_t fast = (int32_t)(offsetof(CPUX86State, tlb_fast) +
                                 (size_t)op->imm * sizeof(CPUTLBDescFast));
        int32_t cmp_off = (int32_t)(store ? offsetof(CPUTLBEntry, addr_write)
                                          : offsetof(CPUTLBEntry, addr_read));
        int32_t add_off = (int32_t)offsetof(CPUTLBEntry, addend);
        unsigned sbits = op->cond & MO_SIZE;

        mips_dsrl(s, t9, a, GUEST_PAGE_BITS - CPU_TLB_ENTRY_BITS);
        mips_ld(s, at, fast + (int32_t)offsetof(CPUTLBDescFast, mask), MIPS_R_ENV);
        mips_and(s, t9, t9, at);
        mips_ld(s, at, fast + (int32_t)offsetof(CPUTLBDescFast, table), MIPS_R_ENV);
        mips_daddu(s, t9, t9, at);
        mips_lw(s, at, cmp_off, t9);
        if (sbits == 0) {
            mips_srl(s, MIPS_R_TMP2, a, GUEST_PAGE_BITS);
            mips_sll(s, MIPS_R_TMP2, MIPS_R_TMP2, GUEST_PAGE_BITS);
        } else {
            mips_sll(s, MIPS_R_TMP2, a, 0);
            mips_ins(s, MIPS_R_TMP2, MIPS_ZERO, sbits, GUEST_PAGE_BITS - sbits);
        }
        sp->branch_off = hostasm_offset(s);
        mips_bne(s, at, MIPS_R_TMP2, 0);
        mips_ld(s, t9, add_off, t9);
        mips_daddu(s, t9, t9, a);
    }
    sp->access_off = hostasm_offset(s);
    emit_access(s, store, op->cond, store ? v : d, 0, t9);
    if (mem_count_tlb_hits) {
        emit_tlb_hit_count(s, op->imm);   /* --stats only; slow path skips it */
    }
    sp->back_off = hostasm_offset(s);
}

/* Emit the out-of-line slow path sp. */
static void emit_slow_path(Lower *L, SlowPath *sp)
{
    HostAsm *s = L->s;
    uint32_t here = hostasm_offset(s);
    unsigned oi = MAKE_OI(sp->memop & (MO_SIZE | MO_SIGN), sp->mmu_idx);
    uintptr_t ra = (uintptr_t)(s->start + sp->access_off);

    if (!s->overflow && sp->branch_off != SLOW_NO_BRANCH) {
        mips_patch_field_off((uint32_t *)(void *)(s->start + sp->branch_off),
                             ((int32_t)here - (int32_t)(sp->branch_off + 4)) / 4);
    }
    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            mips_sd(s, r, MIPS_SLOWSAVE_OFF + 8 * (int32_t)r, MIPS_SP);
        }
    }
    mips_emit_store_globals(s);
    if (sp->is_store) {
        mips_move(s, MIPS_R_TMP0, sp->addr_reg);
        mips_move(s, MIPS_R_TMP2, sp->val_reg);
        mips_move(s, MIPS_A1, MIPS_R_TMP0);
        mips_move(s, MIPS_A2, MIPS_R_TMP2);
        mips_emit_li32(s, MIPS_A3, oi);
        mips_emit_li64(s, MIPS_A4, (uint64_t)ra);
        mips_move(s, MIPS_A0, MIPS_R_ENV);
        mips_emit_call(s, (const void *)mem_st_slow);
    } else {
        mips_move(s, MIPS_A1, sp->addr_reg);
        mips_emit_li32(s, MIPS_A2, oi);
        mips_emit_li64(s, MIPS_A3, (uint64_t)ra);
        mips_move(s, MIPS_A0, MIPS_R_ENV);
        mips_emit_call(s, (const void *)mem_ld_slow);
    }
    if (sp->hamt_win >= 0) {
        mips_ld(s, MIPS_R_RAMBASE, hamt_window_off((unsigned)sp->hamt_win), MIPS_R_ENV);
    }
    if (!sp->is_store) {
        unsigned d = sp->dst_reg;
        switch (sp->memop & (MO_SIZE | MO_SIGN)) {
        case MO_8:
            mips_andi(s, d, MIPS_V0, 0xff);
            break;
        case MO_8S:
            mips_seb(s, d, MIPS_V0);
            break;
        case MO_16:
            mips_andi(s, d, MIPS_V0, 0xffff);
            break;
        case MO_16S:
            mips_seh(s, d, MIPS_V0);
            break;
        default:
            mips_sll(s, d, MIPS_V0, 0);
            break;
        }
    }
    /* the result is in place first: dst_reg is never in save_mask */
    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            mips_ld(s, r, MIPS_SLOWSAVE_OFF + 8 * (int32_t)r, MIPS_SP);
        }
    }
    here = hostasm_offset(s);
    mips_beq(s, MIPS_ZERO, MIPS_ZERO,
             ((int32_t)sp->back_off - (int32_t)(here + 4)) / 4);
    mips_nop(s);
}

/* Helper call: a0 = env, a1.. = args; result in v0. */
static void lower_call(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    LowerCall c;

    lower_call_begin(L, op, &c);
    if (c.h->flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE)) {
        mips_emit_store_globals(s);
    }
    lower_call_args(L, &c);
    mips_emit_call_env(s, c.h->fn);
    L->hamt_win = -1;                  /* t3 is caller-saved (gp is not) */
    if (c.h->flags & IRH_RW_GLOBALS) {
        mips_emit_load_globals(s);
    }
    if (c.out != IR_NO_TEMP) {
        if (L->f->temps[c.out].kind == IR_TEMP_GLOBAL) {
            mips_sll(s, MIPS_R_GUEST0 + c.out, MIPS_V0, 0);
        } else {
            lower_bind_result(L, c.out, MIPS_V0);
        }
    }
}

/* lookup_and_goto_ptr: jump to the next TB if the lookup hits (at its
 * start: it loads its own window base). */
static void lower_lookup_and_goto(Lower *L)
{
    HostAsm *s = L->s;

    mips_emit_call_env(s, (const void *)helper_lookup_tb_ptr);
    L->hamt_win = -1;
    mips_beq(s, MIPS_V0, MIPS_ZERO, 3);
    mips_nop(s);
    mips_jr(s, MIPS_V0);
    mips_nop(s);
    emit_exit(L, IR_EXIT_PLAIN);
}

/* goto_tb n: patchable j, initially to the next instruction after its slot. */
static void lower_goto_tb(Lower *L, unsigned n)
{
    HostAsm *s = L->s;

    lower_jmp_slot(L, n, 8);
    mips_j(s, mips_jtarget(s->ptr + 8));
    mips_nop(s);
}

/* Lower one op. */
static void lower_op(Lower *L, const IROp *op)
{
    if (L->defer && op->opc != IR_brcond && op->opc != IR_br &&
        op->opc != IR_exit_tb) {
        flush_deferred(L);
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
        lower_env(L, op);
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
        branch_to_label(L, IR_COND_EQ, MIPS_ZERO, MIPS_ZERO, op->imm);
        break;
    case IR_brcond:
        lower_brcond(L, op);
        break;
    case IR_insn_start:
        lower_insn_start(L, op->imm);
        break;
    case IR_goto_tb:
        sync_all(L);
        lower_goto_tb(L, op->imm);
        break;
    case IR_exit_tb:
        sync_all(L);
        emit_exit(L, op->imm);
        break;
    case IR_lookup_and_goto_ptr:
        sync_all(L);
        lower_lookup_and_goto(L);
        break;
    default:
        os_fatal(1, "mips backend: unhandled IR op %u", op->opc);
    }
}

/* Lower the whole function: body, then the slow paths. */
bool mips_lower_tb(HostAsm *s, const TranslationBlock *tb, const IRFunc *f,
                   HostTbInfo *info)
{
    Lower *L = &lower_state;

    lower_begin(L, s, tb, f, info);
    L->defer = false;
    lower_tb_window(L);
    return lower_run(L, lower_op, emit_slow_path);
}
