/*
 * hamt86 - the MIPS64r2 half of IR lowering: the selector's tables
 * (opcode pairs, immediate ranges, branch forms), the n64 calling
 * convention, branches and their delay slots, the guest memory sequences.
 *
 * Dispatch, constants, conditions, calls and the slow path are shared
 * with LoongArch (host-common/lower-ops.h); liveness, the allocator,
 * labels and the slow-path queue too (host-common/lower-common.h, which
 * describes the model); mips-target.h has the register map.
 *
 * Guest memory (softmmu): inline TLB lookup in env->tlb_table[mmu_idx]
 * (compare word, alignment folded into the compare), one host access at
 * addend + address; misses, misaligned accesses (which may cross a page)
 * and flagged entries (MMIO, code, watch) go to an out-of-line slow path
 * at the end of the TB, which calls mem_ld_slow / mem_st_slow with the host
 * address of the inline access as retaddr (a store to a code page's data
 * first passes the code-map probe, mips_store_notdirty, and stays inline).
 * Guest accesses are never placed in branch delay slots (except the
 * probe's store to guest RAM, which cannot fault).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/exec.h"
#include "ir/ir.h"
#include "host-common/lower-ops.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"

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

/* LowerHost.mem: l?/s? r, off(base). */
static void mips_mem(HostAsm *s, unsigned opc, unsigned r, unsigned base,
                     int32_t off)
{
    mips_emit_rir(s, opc, r, off, base);
}

/* ---------------------------------------------------------------------- */
/* control flow                                                           */

/* Emit a held-back env store in place. */
static void flush_deferred(Lower *L)
{
    lower_access(L, true, L->defer_memop, L->defer_reg, MIPS_R_ENV,
                 L->defer_off);
    L->defer = false;
    L->pinned = 0;
}

/* Fill the delay slot of the branch just emitted: the held-back env store
 * (never a guest memory access), else a nop. */
static void emit_delay_slot(Lower *L)
{
    if (L->defer) {
        flush_deferred(L);
    } else {
        mips_nop(L->s);
    }
}

/* LowerHost.op_begin: a held-back env store goes in place unless the op
 * is a branch with a delay slot for it. */
static void mips_op_begin(Lower *L, const IROp *op)
{
    if (L->defer && op->opc != IR_brcond && op->opc != IR_br &&
        op->opc != IR_exit_tb) {
        flush_deferred(L);
    }
}

/* LowerHost.branch: beq (BR_ALWAYS, BR_EQ, BR_EQZ) or bne (BR_NE,
 * BR_NEZ) rs, rt to offset to (-1: patched later), then the delay slot. */
static void mips_branch(Lower *L, int k, unsigned rs, unsigned rt, int32_t to)
{
    HostAsm *s = L->s;
    int32_t disp = to >= 0 ? (to - (int32_t)(hostasm_offset(s) + 4)) / 4 : 0;

    if (k == BR_NE || k == BR_NEZ) {
        mips_bne(s, rs, rt, disp);
    } else {
        mips_beq(s, rs, rt, disp);
    }
    emit_delay_slot(L);
}

/* LowerHost.exit_tb: jump to the epilogue with v0 = (uintptr_t)tb | val. */
static void mips_exit_tb(Lower *L, uint32_t val)
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

/* LowerHost.goto_ptr: jr v0 unless it is 0. */
static void mips_goto_ptr(Lower *L)
{
    HostAsm *s = L->s;

    mips_beq(s, MIPS_V0, MIPS_ZERO, 3);
    mips_nop(s);
    mips_jr(s, MIPS_V0);
    mips_nop(s);
}

/* LowerHost.jump_reg: jr r. */
static void mips_jump_reg(Lower *L, unsigned r)
{
    mips_jr(L->s, r);
    mips_nop(L->s);
}

/* LowerHost.goto_tb: patchable j, initially to the instruction after its
 * slot. */
static void mips_goto_tb(Lower *L, unsigned n)
{
    HostAsm *s = L->s;

    lower_jmp_slot(L, n, 8);
    mips_j(s, mips_jtarget(s->ptr + 8));
    mips_nop(s);
}

/* LowerHost.jump: beq zero, zero back to offset to. */
static void mips_jump(HostAsm *s, uint32_t to)
{
    uint32_t here = hostasm_offset(s);

    mips_beq(s, MIPS_ZERO, MIPS_ZERO, ((int32_t)to - (int32_t)(here + 4)) / 4);
    mips_nop(s);
}

/* ---------------------------------------------------------------------- */
/* ops the tables do not describe                                         */

/* LowerHost.binop_special: the high words of the products (multu/mult on
 * the sign-extended 32-bit inputs: HI = high word, extended). */
static void mips_binop_special(HostAsm *s, IROpcode opc, unsigned d,
                               unsigned a, unsigned b)
{
    if (opc == IR_muluh) {
        mips_multu(s, a, b);
    } else {
        mips_mult(s, a, b);
    }
    mips_mfhi(s, d);
}

/* LowerHost.unop_special: bswap, ctz, extract below 32 bits. */
static void mips_unop_special(HostAsm *s, const IROp *op, unsigned d,
                              unsigned a)
{
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1;

    switch (op->opc) {
    case IR_bswap:
        /* wsbh swaps bytes within halves, rotr 16 swaps the halves */
        mips_wsbh(s, d, a);
        mips_rotr(s, d, d, 16);
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
    case IR_extract:
        mips_ext(s, d, a, op->imm & 31, op->imm2);
        break;
    default:
        os_fatal(1, "mips backend: bad unop %u", op->opc);
    }
}

/* LowerHost.deposit: ins. */
static void mips_deposit(HostAsm *s, unsigned d, unsigned b, unsigned pos,
                         unsigned len)
{
    mips_ins(s, d, b, pos, len);
}

/* LowerHost.movcond: movn/movz on TMP0. */
static void mips_movcond(HostAsm *s, bool nz, unsigned d, unsigned c,
                         unsigned e)
{
    if (d == c) {
        /* keep c, replace by e when the condition is false */
        nz ? mips_movz(s, d, e, MIPS_R_TMP0) : mips_movn(s, d, e, MIPS_R_TMP0);
    } else {
        mips_emit_mov(s, d, e);
        nz ? mips_movn(s, d, c, MIPS_R_TMP0) : mips_movz(s, d, c, MIPS_R_TMP0);
    }
}

/* LowerHost.call: through t9 (PIC), delay slot nop. */
static void mips_call(HostAsm *s, const void *fn)
{
    mips_emit_call(s, fn);
}

/* LowerHost.call_env: a0 = env in the jalr delay slot. */
static void mips_call_env(HostAsm *s, const void *fn)
{
    mips_emit_call_env(s, fn);
}

/* ---------------------------------------------------------------------- */
/* guest memory                                                           */

/* LowerHost.ld_st_env: access at imm(env); a store right before a branch
 * goes into its delay slot. */
static void mips_ld_st_env(Lower *L, const IROp *op)
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
    lower_access(L, store, op->cond, r, base, off);
}

/* Offset of env->hamt_window[idx] (the HAMT window bases). */
static int32_t hamt_window_off(unsigned idx)
{
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) + 4 * sizeof(uintptr_t) <= 32767);
    return (int32_t)(offsetof(CPUX86State, hamt_window) + idx * sizeof(uintptr_t));
}

/* mips-target.h: the MMU index of tb's accesses (its flags, as the
 * translator's mem_idx), whose window base the TB keeps in gp; -1 when
 * accesses do not go through the HAMT windows. */
int mips_tb_window(const TranslationBlock *tb)
{
    if (!mem_path_has_windows()) {
        return -1;
    }
    return (int)tb_flags_mmu_index(tb->flags);
}

/*
 * HAMT, first instruction of the TB: gp = env->hamt_window[idx] for the
 * TB's index.  The window is reserved now, at translation time, so the
 * base is never 0 when the TB or any TB chained after it runs, and a base
 * never changes once set (MemPath.window_ensure).  gp is callee-saved: helper
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
    mem_window_ensure((unsigned)L->tb_win);
    mips_ld(L->s, MIPS_R_WINDOW, hamt_window_off((unsigned)L->tb_win),
            MIPS_R_ENV);
    BUILD_ASSERT(MIPS_TB_WIN_ENTRY == 4);
}

/* Paging off with RAM below 4 GiB: an address at or above the limit
 * branches to the stub (sp->branch_off); the delay slot is a nop, since
 * the instruction after it may be patched.  A power-of-two limit 2^k
 * (-m 128: 2^27) takes one instruction less:
 *   dsrl at, addr, k; bne at, zero, stub; nop
 * (a sign-extended address >= 2^31 has its high bits set: also taken). */
static void mips_window_limit(Lower *L, const LdSt *m, SlowPath *sp)
{
    HostAsm *s = L->s;
    uint64_t limit = mem_phys_limit();

    if (m->mmu_idx == MMU_PHYS_IDX && limit < ((uint64_t)1 << 32) &&
        limit >= 0x10000 && (limit & (limit - 1)) == 0) {
        mips_dsrl(s, MIPS_R_TMP0, m->addr, (uint32_t)__builtin_ctzll(limit));
        sp->branch_off = hostasm_offset(s);
        mips_bne(s, MIPS_R_TMP0, MIPS_ZERO, 0);
        mips_nop(s);
    } else if (m->mmu_idx == MMU_PHYS_IDX && limit < ((uint64_t)1 << 32)) {
        BUILD_ASSERT(GUEST_PAGE_SIZE <= 0x10000);
        mips_lui(s, MIPS_R_TMP0, (uint32_t)(mem_phys_limit() >> 16));
        mips_sltu(s, MIPS_R_TMP0, m->addr, MIPS_R_TMP0);
        sp->branch_off = hostasm_offset(s);
        mips_beq(s, MIPS_R_TMP0, MIPS_ZERO, 0);
        mips_nop(s);
    }
}

/*
 * LowerHost.ldst_window: no check at all, the host MMU does it.
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
 * maps the site to its stub (HostBackend.find_site).  The window is
 * reserved here, at translation time (MemPath.window_ensure).  Paging off
 * (MMU_PHYS_IDX), the window only spans RAM, so first:
 *   lui   at, limit >> 16; sltu at, addr, at; beq at, zero, stub; nop
 * (addresses are sign-extended: the unsigned 64-bit compare is the 32-bit
 * one).
 */
static void mips_ldst_window(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    unsigned base = MIPS_R_WINDOW;
    SlowPath *sp;

    if (m->mmu_idx >= LOWER_NB_WINDOWS || L->nslow >= MAX_SLOW) {
        L->failed = true;
        return;
    }
    if ((int)m->mmu_idx != L->tb_win) {
        mem_window_ensure(m->mmu_idx);
        if (L->win_idx != (int)m->mmu_idx) {
            mips_ld(s, MIPS_R_RAMBASE, hamt_window_off(m->mmu_idx), MIPS_R_ENV);
            L->win_idx = (int)m->mmu_idx;
        }
        base = MIPS_R_RAMBASE;
    }
    /* no branch (SLOW_NO_BRANCH): the fault handler enters */
    sp = slow_path_new(L, m->store, m->memop, m->mmu_idx, m->addr, m->val);
    sp->win_idx = base == MIPS_R_RAMBASE ? (int8_t)m->mmu_idx : -1;
    sp->window_site = true;
    mips_window_limit(L, m, sp);
    /* every I32 value is sign-extended (mips-target.h): no dext needed */
    mips_daddu(s, MIPS_R_TMP1, m->addr, base);
    sp->access_off = hostasm_offset(s);
    lower_access(L, m->store, m->memop, m->val, MIPS_R_TMP1, 0);
    sp->back_off = hostasm_offset(s);
}

/* Offset of env->hamt_cd_st[idx] (map: env->hamt_cd_map[idx]). */
static int32_t hamt_cd_off(unsigned idx, bool map)
{
    BUILD_ASSERT(offsetof(CPUX86State, hamt_cd_map) +
                 sizeof(((CPUX86State *)0)->hamt_cd_map) <= 32767);
    return (int32_t)((map ? offsetof(CPUX86State, hamt_cd_map)
                          : offsetof(CPUX86State, hamt_cd_st)) +
                     idx * sizeof(uintptr_t));
}

/*
 * LowerHost.st_window_cd: a store beside code (docs/HAMT.md "Stores
 * beside translated code"), 7 host instructions:
 *   ld    at, hamt_cd_map[idx](env)
 *   daddu t8, addr, at
 *   l?u   t8, 0(t8)                 the code bytes of the stored bytes
 *   bne   t8, zero, stub            <- a HAMT site too (cd_off)
 *    ld   at, hamt_cd_st[idx](env)
 *   daddu t9, addr, at
 *   s?    val, 0(t9)                the store alias  <- the HAMT site
 * A fault on either (no alias yet, misaligned) goes to the stub; paging
 * off, the window's limit check comes first (mips_ldst_window).
 */
static void mips_st_window_cd(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1, t8 = MIPS_R_TMP2;
    SlowPath *sp;

    sp = window_slow_path_new(L, m, true);
    if (sp == NULL) {
        return;
    }
    sp->cd_site = true;
    sp->win_idx = (int8_t)L->win_idx;    /* t3 dies in the stub's call */
    mips_window_limit(L, m, sp);
    mips_ld(s, at, hamt_cd_off(m->mmu_idx, true), MIPS_R_ENV);
    mips_daddu(s, t8, m->addr, at);
    sp->cd_off = hostasm_offset(s);
    lower_access(L, false, m->memop & MO_SIZE, t8, t8, 0);
    sp->branch2_off = hostasm_offset(s);
    mips_bne(s, t8, MIPS_ZERO, 0);
    mips_ld(s, at, hamt_cd_off(m->mmu_idx, false), MIPS_R_ENV);
    mips_daddu(s, t9, m->addr, at);
    sp->access_off = hostasm_offset(s);
    lower_access(L, true, m->memop, m->val, t9, 0);
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

/*
 * LowerHost.ldst_softmmu: TLB lookup (core/mem.h), 12 host instructions
 * on a hit; the table size is dynamic (env->tlb_fast[idx], core/cpu.h):
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
static void mips_ldst_softmmu(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1;
    int32_t fast = (int32_t)(offsetof(CPUX86State, tlb_fast) +
                             (size_t)m->mmu_idx * sizeof(CPUTLBDescFast));
    int32_t cmp_off = (int32_t)(m->store ? offsetof(CPUTLBEntry, addr_write)
                                         : offsetof(CPUTLBEntry, addr_read));
    int32_t add_off = (int32_t)offsetof(CPUTLBEntry, addend);
    unsigned sbits = m->memop & MO_SIZE;
    SlowPath *sp;

    sp = slow_path_new(L, m->store, m->memop, m->mmu_idx, m->addr, m->val);
    if (sp == NULL) {
        return;
    }
    sp->win_idx = (int8_t)L->win_idx;    /* HAMT TB: t3 dies in the call
                                              (gp does not) */
    mips_dsrl(s, t9, m->addr, GUEST_PAGE_BITS - CPU_TLB_ENTRY_BITS);
    mips_ld(s, at, fast + (int32_t)offsetof(CPUTLBDescFast, mask), MIPS_R_ENV);
    mips_and(s, t9, t9, at);
    mips_ld(s, at, fast + (int32_t)offsetof(CPUTLBDescFast, table), MIPS_R_ENV);
    mips_daddu(s, t9, t9, at);
    mips_lw(s, at, cmp_off, t9);
    if (sbits == 0) {
        mips_srl(s, MIPS_R_TMP2, m->addr, GUEST_PAGE_BITS);
        mips_sll(s, MIPS_R_TMP2, MIPS_R_TMP2, GUEST_PAGE_BITS);
    } else {
        mips_sll(s, MIPS_R_TMP2, m->addr, 0);
        mips_ins(s, MIPS_R_TMP2, MIPS_ZERO, sbits, GUEST_PAGE_BITS - sbits);
    }
    sp->branch_off = hostasm_offset(s);
    mips_bne(s, at, MIPS_R_TMP2, 0);
    mips_ld(s, t9, add_off, t9);
    mips_daddu(s, t9, t9, m->addr);
    sp->access_off = hostasm_offset(s);
    lower_access(L, m->store, m->memop, m->val, t9, 0);
    if (mem_count_tlb_hits) {
        emit_tlb_hit_count(s, m->mmu_idx);   /* --stats only; slow path skips it */
    }
    sp->back_off = hostasm_offset(s);
}

/* LowerHost.slow_branch: point the fast path's bne/beq at here. */
static void mips_slow_branch(Lower *L, SlowPath *sp, uint32_t here)
{
    HostAsm *s = L->s;

    if (!s->overflow && sp->branch_off != SLOW_NO_BRANCH) {
        mips_patch_field_off((uint32_t *)(void *)(s->start + sp->branch_off),
                             ((int32_t)here - (int32_t)(sp->branch_off + 4)) / 4);
    }
    if (!s->overflow && sp->branch2_off != SLOW_NO_BRANCH) {
        mips_patch_field_off((uint32_t *)(void *)(s->start + sp->branch2_off),
                             ((int32_t)here - (int32_t)(sp->branch2_off + 4)) / 4);
    }
}

/*
 * LowerHost.store_notdirty: the code-map probe (core/tb-smc.h), entered
 * from mips_ldst_softmmu's bne with at = the compare word, t8 = the tag,
 * t9 = the addend (its delay slot ran).  MIPS stores are aligned here
 * (misaligned tags mismatch), so one word, one bit:
 *   xori  t8, t8, TLB_NOTDIRTY
 *   bne   at, t8, full            other flags, other page, misaligned
 *    daddu t9, t9, addr           host address
 *   ld    at, smc_map_bias(env)
 *   dsrl  t8, t9, 5
 *   daddu t8, t8, at
 *   lbu   t8, 0(t8)               the code map byte
 *   dext  at, t9, 2, 3
 *   srlv  t8, t8, at
 *   andi  t8, t8, 1               the word's bit
 *   bne   t8, zero, full
 *    nop
 *   beq   zero, zero, back
 *    s?   val, 0(t9)              guest RAM: never faults
 */
static void mips_store_notdirty(Lower *L, const SlowPath *sp, uint32_t full)
{
    HostAsm *s = L->s;
    const unsigned at = MIPS_R_TMP0, t9 = MIPS_R_TMP1, t8 = MIPS_R_TMP2;

    BUILD_ASSERT(offsetof(CPUX86State, smc_map_bias) <= 32767);
    BUILD_ASSERT(TLB_NOTDIRTY <= 0xffff);
    mips_xori(s, t8, t8, TLB_NOTDIRTY);
    mips_bne(s, at, t8, ((int32_t)full - (int32_t)(hostasm_offset(s) + 4)) / 4);
    mips_daddu(s, t9, t9, sp->addr_reg);
    mips_ld(s, at, (int32_t)offsetof(CPUX86State, smc_map_bias), MIPS_R_ENV);
    mips_dsrl(s, t8, t9, 5);
    mips_daddu(s, t8, t8, at);
    mips_lbu(s, t8, 0, t8);
    mips_dext(s, at, t9, 2, 3);          /* t9 is a 64-bit pointer */
    mips_srlv(s, t8, t8, at);
    mips_andi(s, t8, t8, 1);
    mips_bne(s, t8, MIPS_ZERO,
             ((int32_t)full - (int32_t)(hostasm_offset(s) + 4)) / 4);
    mips_nop(s);
    if (mem_count_tlb_hits) {
        emit_tlb_hit_count(s, sp->mmu_idx);   /* --stats: a TLB hit too */
    }
    mips_beq(s, MIPS_ZERO, MIPS_ZERO,
             ((int32_t)sp->back_off - (int32_t)(hostasm_offset(s) + 4)) / 4);
    lower_access(L, true, sp->memop, sp->val_reg, t9, 0);
}

/* LowerHost.slow_retaddr: the inline access's host address. */
static void mips_slow_retaddr(Lower *L, const SlowPath *sp, unsigned reg)
{
    mips_emit_li64(L->s, reg, (uint64_t)(uintptr_t)(L->s->start + sp->access_off));
}

/* ---------------------------------------------------------------------- */
/* the selector's description of MIPS64r2                                 */

static const LowerHost mips_host = {
    .imm_arith_min = -32768, .imm_arith_max = 32767,
    .imm_logic_max = 0xffff,
    .binop = {
        [IR_add] = { MIPS_OPC_ADDU, MIPS_OPC_ADDIU, IMM_ARITH },
        [IR_sub] = { MIPS_OPC_SUBU, MIPS_OPC_ADDIU, IMM_NEG },
        [IR_and] = { MIPS_OPC_AND, MIPS_OPC_ANDI, IMM_LOGIC },
        [IR_or] = { MIPS_OPC_OR, MIPS_OPC_ORI, IMM_LOGIC },
        [IR_xor] = { MIPS_OPC_XOR, MIPS_OPC_XORI, IMM_LOGIC },
        [IR_shl] = { MIPS_OPC_SLLV, MIPS_OPC_SLL, IMM_SHIFT },
        [IR_shr] = { MIPS_OPC_SRLV, MIPS_OPC_SRL, IMM_SHIFT },
        [IR_sar] = { MIPS_OPC_SRAV, MIPS_OPC_SRA, IMM_SHIFT },
        [IR_rotr] = { MIPS_OPC_ROTRV, MIPS_OPC_ROTR, IMM_SHIFT },
        [IR_mul] = { MIPS_OPC_MUL, 0, IMM_NONE },
        [IR_muluh] = { 0, 0, IMM_NONE },          /* multu; mfhi */
        [IR_mulsh] = { 0, 0, IMM_NONE },          /* mult; mfhi */
    },
    .slt = { MIPS_OPC_SLT, MIPS_OPC_SLTI, IMM_ARITH },
    .sltu = { MIPS_OPC_SLTU, MIPS_OPC_SLTIU, IMM_ARITH },
    .unop = {
        [IR_neg] = { UN_ZR, MIPS_OPC_SUBU, 0 },
        [IR_not] = { UN_RZ, MIPS_OPC_NOR, 0 },
        [IR_ext8s] = { UN_RR, MIPS_OPC_SEB, 0 },
        [IR_ext8u] = { UN_RRI, MIPS_OPC_ANDI, 0xff },
        [IR_ext16s] = { UN_RR, MIPS_OPC_SEH, 0 },
        [IR_ext16u] = { UN_RRI, MIPS_OPC_ANDI, 0xffff },
        [IR_clz] = { UN_RR, MIPS_OPC_CLZ, 0 },
        [IR_bswap] = { UN_SPECIAL, 0, 0 },        /* wsbh; rotr 16 */
        [IR_ctz] = { UN_SPECIAL, 0, 0 },          /* through clz */
    },
    .sext32 = MIPS_OPC_SLL,
    .move = MIPS_OPC_MOVE,
    /* beq/bne only: the other conditions through slt/sltu */
    .brcond = { [IR_COND_EQ] = BR_EQ, [IR_COND_NE] = BR_NE },
    .ld = {
        [MO_8] = MIPS_OPC_LBU, [MO_8S] = MIPS_OPC_LB,
        [MO_16] = MIPS_OPC_LHU, [MO_16S] = MIPS_OPC_LH,
        [MO_32] = MIPS_OPC_LW, [MO_32 | MO_SIGN] = MIPS_OPC_LW,
    },
    .st = {
        [MO_8] = MIPS_OPC_SB, [MO_8S] = MIPS_OPC_SB,
        [MO_16] = MIPS_OPC_SH, [MO_16S] = MIPS_OPC_SH,
        [MO_32] = MIPS_OPC_SW, [MO_32 | MO_SIGN] = MIPS_OPC_SW,
    },
    .ld64 = MIPS_OPC_LD, .st64 = MIPS_OPC_SD,
    .add64 = MIPS_OPC_DADDU,
    .rambase_caller_saved = true,          /* t3 (gp is callee-saved) */

    .rr = mips_emit_rr,
    .rrr = mips_emit_rrr,
    .rri = mips_emit_rri,
    .mem = mips_mem,
    .binop_special = mips_binop_special,
    .unop_special = mips_unop_special,
    .deposit = mips_deposit,
    .movcond = mips_movcond,
    .op_begin = mips_op_begin,
    .branch = mips_branch,
    .exit_tb = mips_exit_tb,
    .goto_tb = mips_goto_tb,
    .goto_ptr = mips_goto_ptr,
    .jump_reg = mips_jump_reg,
    .call = mips_call,
    .call_env = mips_call_env,
    .store_globals = mips_emit_store_globals,
    .load_globals = mips_emit_load_globals,
    .ld_st_env = mips_ld_st_env,
    .ldst_softmmu = mips_ldst_softmmu,
    .ldst_window = mips_ldst_window,
    .st_window_cd = mips_st_window_cd,
    .slow_branch = mips_slow_branch,
    .store_notdirty = mips_store_notdirty,
    .slow_retaddr = mips_slow_retaddr,
    .jump = mips_jump,
};

/* Lower the whole function: the TB's window load, body, slow paths. */
bool mips_lower_tb(HostAsm *s, const TranslationBlock *tb, const IRFunc *f,
                   HostTbInfo *info)
{
    Lower *L = &lower_state;

    lower_begin(L, s, tb, f, info);
    L->defer = false;
    lower_tb_window(L);
    return lower_ops_run(L, &mips_host);
}
