/*
 * hamt86 - the LoongArch64 half of IR lowering: the selector's tables
 * (opcode pairs, immediate ranges, branch forms), the LP64D calling
 * convention, branch forms and their reach, the guest memory sequences.
 *
 * Dispatch, constants, conditions, calls and the slow path are shared
 * with MIPS (host-common/lower-ops.h); liveness, the allocator, labels and
 * the slow-path queue too (host-common/lower-common.h, which describes the
 * model); la-target.h has the register map.  Temp home slots are reached
 * with ldptr.w/stptr.w.
 *
 * Guest memory: the softmmu path does an inline TLB lookup (which also
 * rejects misaligned addresses), then one host access at addend + linear;
 * misses go to an out-of-line slow path at the end of the TB, which calls
 * mem_ld_slow / mem_st_slow with the host address of the inline access as
 * retaddr.  The HAMT path is one host access through the window of the
 * access's MMU index; its slow path is entered by the host fault handler
 * (hamt/hamt.c) through the TB's site table.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/exec.h"
#include "ir/ir.h"
#include "host-common/lower-ops.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"

static Lower lower_state;

/* ---------------------------------------------------------------------- */
/* host-common emitters                                                   */

/* host-common: store r's low word to the temp slot at sp + off. */
void host_st_slot(HostAsm *s, unsigned r, int32_t off)
{
    la_stptr_w(s, r, LA_SP, off >> 2);
}

/* host-common: load the temp slot at sp + off into r (sign-extending). */
void host_ld_slot(HostAsm *s, unsigned r, int32_t off)
{
    la_ldptr_w(s, r, LA_SP, off >> 2);
}

/* host-common: r = (int64_t)(int32_t)v. */
void host_li32(HostAsm *s, unsigned r, uint32_t v)
{
    la_emit_li32(s, r, v);
}

/* host-common: rd = rs. */
void host_mov(HostAsm *s, unsigned rd, unsigned rs)
{
    la_emit_mov(s, rd, rs);
}

/* LowerHost.mem: l?/s? r, base, off (off a signed 12-bit immediate). */
static void la_mem(HostAsm *s, unsigned opc, unsigned r, unsigned base,
                   int32_t off)
{
    la_emit_rri(s, opc, r, base, off);
}

/* Sized register-indexed accesses by memop: l?x/s?x r, base, index. */
static const uint16_t la_ldx[(MO_SIZE | MO_SIGN) + 1] = {
    [MO_8] = LA_OPC_LDX_BU, [MO_8S] = LA_OPC_LDX_B,
    [MO_16] = LA_OPC_LDX_HU, [MO_16S] = LA_OPC_LDX_H,
    [MO_32] = LA_OPC_LDX_W, [MO_32 | MO_SIGN] = LA_OPC_LDX_W,
};
static const uint16_t la_stx[(MO_SIZE | MO_SIGN) + 1] = {
    [MO_8] = LA_OPC_STX_B, [MO_8S] = LA_OPC_STX_B,
    [MO_16] = LA_OPC_STX_H, [MO_16S] = LA_OPC_STX_H,
    [MO_32] = LA_OPC_STX_W, [MO_32 | MO_SIGN] = LA_OPC_STX_W,
};

/* Load/store sized access at base + index (register indexed). */
static void emit_access_x(HostAsm *s, bool store, unsigned memop, unsigned r,
                          unsigned base, unsigned index)
{
    unsigned m = memop & (MO_SIZE | MO_SIGN);

    la_emit_rrr(s, store ? la_stx[m] : la_ldx[m], r, base, index);
}

/* ---------------------------------------------------------------------- */
/* control flow                                                           */

/* Emit a branch of kind k (operands rj, rd) with displacement disp words. */
static void emit_branch(HostAsm *s, int k, unsigned rj, unsigned rd,
                        int32_t disp)
{
    switch (k) {
    case BR_ALWAYS: la_b(s, disp); break;
    case BR_EQ: la_beq(s, rj, rd, disp); break;
    case BR_NE: la_bne(s, rj, rd, disp); break;
    case BR_LT: la_blt(s, rj, rd, disp); break;
    case BR_GE: la_bge(s, rj, rd, disp); break;
    case BR_LTU: la_bltu(s, rj, rd, disp); break;
    case BR_GEU: la_bgeu(s, rj, rd, disp); break;
    case BR_EQZ: la_beqz(s, rj, disp); break;
    default: la_bnez(s, rj, disp); break;
    }
}

/* host-common: point the label branch of kind k at insn (offset off) to to. */
void host_patch_label(uint32_t *insn, int k, uint32_t off, uint32_t to)
{
    int32_t disp = ((int32_t)to - (int32_t)off) / 4;

    switch (k) {
    case BR_ALWAYS: la_patch_b(insn, disp); break;
    case BR_EQZ: la_patch_beqz(insn, disp); break;
    case BR_NEZ: la_patch_bnez(insn, disp); break;
    default: la_patch_beq(insn, disp); break;   /* same offs16 field */
    }
}

/* LowerHost.branch: branch of kind k to offset to (-1: patched later). */
static void la_branch(Lower *L, int k, unsigned rj, unsigned rd, int32_t to)
{
    HostAsm *s = L->s;
    int32_t disp = to >= 0 ? (to - (int32_t)hostasm_offset(s)) / 4 : 0;

    emit_branch(s, k, rj, rd, disp);
}

/* LowerHost.exit_tb: jump to the epilogue with a0 = (uintptr_t)tb | val. */
static void la_exit_tb(Lower *L, uint32_t val)
{
    HostAsm *s = L->s;

    la_emit_li64(s, LA_R_RET, (uint64_t)((uintptr_t)L->tb | val));
    la_emit_jump_abs(s, LA_ZERO, la_epilogue_code);
}

/* LowerHost.goto_ptr: jirl a0 unless it is 0. */
static void la_goto_ptr(Lower *L)
{
    la_beqz(L->s, LA_A0, 2);
    la_jirl(L->s, LA_ZERO, LA_A0, 0);
}

/* LowerHost.jump_reg: jirl zero, r, 0. */
static void la_jump_reg(Lower *L, unsigned r)
{
    la_jirl(L->s, LA_ZERO, r, 0);
}

/* LowerHost.goto_tb: patchable b, initially to the instruction after it. */
static void la_goto_tb(Lower *L, unsigned n)
{
    lower_jmp_slot(L, n, 4);
    la_b(L->s, 1);
}

/* LowerHost.jump: b back to offset to. */
static void la_jump(HostAsm *s, uint32_t to)
{
    la_b(s, ((int32_t)to - (int32_t)hostasm_offset(s)) / 4);
}

/* LowerHost.call: the C function fn (bl or a long form). */
static void la_call(HostAsm *s, const void *fn)
{
    la_emit_call(s, fn);
}

/* LowerHost.call_env: a0 = env, then the call. */
static void la_call_env(HostAsm *s, const void *fn)
{
    la_move(s, LA_A0, LA_R_ENV);
    la_emit_call(s, fn);
}

/* ---------------------------------------------------------------------- */
/* ops the tables do not describe                                         */

/* LowerHost.unop_special: ext16u, bswap, extract below 32 bits. */
static void la_unop_special(HostAsm *s, const IROp *op, unsigned d, unsigned a)
{
    switch (op->opc) {
    case IR_ext16u:
        la_bstrpick_w(s, d, a, 15, 0);
        break;
    case IR_bswap:
        /* revb.2h swaps bytes within halves, rotri.w 16 swaps the halves */
        la_revb_2h(s, d, a);
        la_rotri_w(s, d, d, 16);
        break;
    case IR_extract: {
        unsigned pos = op->imm & 31, len = op->imm2;
        la_bstrpick_w(s, d, a, pos + len - 1, pos);
        break;
    }
    default:
        os_fatal(1, "loongarch backend: bad unop %u", op->opc);
    }
}

/* LowerHost.deposit: bstrins.w. */
static void la_deposit(HostAsm *s, unsigned d, unsigned b, unsigned pos,
                       unsigned len)
{
    la_bstrins_w(s, d, b, pos + len - 1, pos);
}

/* LowerHost.movcond: through maskeqz/masknez on TMP0. */
static void la_movcond(HostAsm *s, bool nz, unsigned d, unsigned c, unsigned e)
{
    /* x: the value chosen when TMP0 != 0, y: when TMP0 == 0 */
    unsigned x = nz ? c : e;
    unsigned y = nz ? e : c;

    la_maskeqz(s, LA_R_TMP1, x, LA_R_TMP0);
    la_masknez(s, LA_R_TMP2, y, LA_R_TMP0);
    la_or(s, d, LA_R_TMP1, LA_R_TMP2);
}

/* ---------------------------------------------------------------------- */
/* guest memory                                                           */

/* LowerHost.ld_st_env: access at imm(env). */
static void la_ld_st_env(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    bool store = (op->opc == IR_st_env);
    int32_t off = (int32_t)op->imm;
    unsigned size = op->cond & MO_SIZE;
    unsigned r;

    if (store) {
        r = use_reg(L, op->args[0]);
    } else {
        r = def_reg(L, op->args[0]);
    }
    if (la_fits_s12(off)) {
        lower_access(L, store, op->cond, r, LA_R_ENV, off);
    } else if (size == MO_32 && (off & 3) == 0 && off < (8192 << 2)) {
        /* ldptr.w/stptr.w reach 32 KiB in units of 4 bytes */
        store ? la_stptr_w(s, r, LA_R_ENV, off >> 2)
              : la_ldptr_w(s, r, LA_R_ENV, off >> 2);
    } else {
        la_emit_li32(s, LA_R_TMP0, op->imm);
        emit_access_x(s, store, op->cond, r, LA_R_ENV, LA_R_TMP0);
    }
}

/* Offset of env->hamt_window[idx] (the HAMT window bases). */
static int32_t hamt_window_off(unsigned idx)
{
    /* ldptr.d reach: 32 KiB in units of 4 bytes */
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) % 4 == 0);
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) +
                 LOWER_NB_WINDOWS * sizeof(uintptr_t) <= (8191u << 2));
    return (int32_t)(offsetof(CPUX86State, hamt_window) + idx * sizeof(uintptr_t));
}

/*
 * The checks of a window access (la_window_checks), then the access
 * (la_ldst_window):
 * LowerHost.ldst_window (docs/HAMT.md): no check at all, the host MMU does
 * it.
 *   ldptr.d    RAMBASE, hamt_window[idx](env)  (once per block; RAMBASE is
 *                                              callee-saved, calls keep it)
 *   l?x/s?x    val, RAMBASE, addr             <- a HAMT site
 * (addr is sign-extended, la-target.h; linear L lives at RAMBASE +
 * sext32(L), hamt.h).
 * A host fault at the site that the refill handler cannot map resumes at
 * the site's out-of-line slow path (queued like the softmmu's, entered by
 * the handler instead of a branch); the site table at the end of the TB
 * maps the site to its stub (host-common/hamt-site.c).  The window is
 * reserved here, at translation time (MemPath.window_ensure).  Two checks
 * branch to the same stub first:
 *   - paging off (MMU_PHYS_IDX): the window only spans RAM:
 *       lu12i.w t0, limit >> 12; bgeu addr, t0, stub
 *     (sltu + beqz with long branches; addr and t0 are both sign-extended,
 *     so the unsigned 64-bit compare is the 32-bit one);
 *   - paging on, 2- and 4-byte stores: LoongArch does misaligned accesses
 *     in hardware (or the kernel does them bytewise), so a store crossing
 *     into a page that faults could write its first part before the fault;
 *     x86 faults the whole store.  A store whose last byte is on the next
 *     4 KiB page takes the stub (low12(addr + size - 1) < size - 1):
 *       addi.w t0, addr, size - 1; andi t0, t0, 0xfff;
 *       size 2: beqz t0, stub   size 4: sltui t0, t0, 3; bnez t0, stub
 *     Loads need no check (a faulting load writes no register, the stub
 *     redoes it); neither do paging-off stores (nothing faults there: the
 *     stub redoes the whole store).
 */
static void la_window_checks(Lower *L, const LdSt *m, SlowPath *sp)
{
    HostAsm *s = L->s;
    const unsigned t0 = LA_R_TMP0;

    if (m->mmu_idx == MMU_PHYS_IDX) {
        uint64_t limit = mem_phys_limit();
        if (limit < ((uint64_t)1 << 32)) {
            BUILD_ASSERT(GUEST_PAGE_SIZE >= 0x1000);
            la_lu12i_w(s, t0, la_sext(limit >> 12, 20));
            sp->branch_kind = L->long_branches;
            if (L->long_branches) {
                la_sltu(s, t0, m->addr, t0);
                sp->branch_off = hostasm_offset(s);
                la_beqz(s, t0, 0);
            } else {
                sp->branch_off = hostasm_offset(s);
                la_bgeu(s, m->addr, t0, 0);
            }
        }
    } else if (m->store && m->size > 1) {
        la_addi_w(s, t0, m->addr, (int32_t)m->size - 1);
        la_andi(s, t0, t0, GUEST_PAGE_SIZE - 1);
        sp->branch_kind = 1;              /* offs21: beqz/bnez reach */
        if (m->size == 2) {
            sp->branch_off = hostasm_offset(s);
            la_beqz(s, t0, 0);
        } else {
            la_sltui(s, t0, t0, (int32_t)m->size - 1);
            sp->branch_off = hostasm_offset(s);
            la_bnez(s, t0, 0);
        }
    }
}

/* LowerHost.ldst_window: the checks above, then the access. */
static void la_ldst_window(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    SlowPath *sp;

    /* no branch (SLOW_NO_BRANCH) unless a check below needs one */
    sp = window_slow_path_new(L, m, m->store);
    if (sp == NULL) {
        return;
    }
    if (L->win_idx != (int)m->mmu_idx) {
        la_ldptr_d(s, LA_R_RAMBASE, LA_R_ENV, hamt_window_off(m->mmu_idx) >> 2);
        L->win_idx = (int)m->mmu_idx;
    }
    la_window_checks(L, m, sp);
    sp->access_off = hostasm_offset(s);
    emit_access_x(s, m->store, m->memop, m->val, LA_R_RAMBASE, m->addr);
    sp->back_off = hostasm_offset(s);
}

/* Offset of env->hamt_cd_st[idx] (map: env->hamt_cd_map[idx]). */
static int32_t hamt_cd_off(unsigned idx, bool map)
{
    BUILD_ASSERT(offsetof(CPUX86State, hamt_cd_st) % 4 == 0);
    BUILD_ASSERT(offsetof(CPUX86State, hamt_cd_map) % 4 == 0);
    BUILD_ASSERT(offsetof(CPUX86State, hamt_cd_map) +
                 LOWER_NB_WINDOWS * sizeof(uintptr_t) <= (8191u << 2));
    return (int32_t)((map ? offsetof(CPUX86State, hamt_cd_map)
                          : offsetof(CPUX86State, hamt_cd_st)) +
                     idx * sizeof(uintptr_t));
}

/*
 * LowerHost.st_window_cd: a store beside code (docs/HAMT.md "Stores
 * beside translated code"), after la_ldst_window's checks (paging off:
 * the limit; paging on: a store crossing its page):
 *   ldptr.d t1, env, hamt_cd_map[idx]
 *   ldx.?u  t0, t1, addr            the code bytes of the stored bytes
 *   bnez    t0, stub                <- a HAMT site too (cd_off)
 *   ldptr.d t1, env, hamt_cd_st[idx]
 *   stx.?   val, t1, addr           the store alias  <- the HAMT site
 * A fault on either (no alias yet) goes to the stub.
 */
static void la_st_window_cd(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    const unsigned t0 = LA_R_TMP0, t1 = LA_R_TMP1;
    SlowPath *sp;

    sp = window_slow_path_new(L, m, true);
    if (sp == NULL) {
        return;
    }
    sp->cd_site = true;
    la_window_checks(L, m, sp);
    la_ldptr_d(s, t1, LA_R_ENV, hamt_cd_off(m->mmu_idx, true) >> 2);
    sp->cd_off = hostasm_offset(s);
    emit_access_x(s, false, m->memop & MO_SIZE, t0, t1, m->addr);
    sp->branch2_off = hostasm_offset(s);
    la_bnez(s, t0, 0);
    la_ldptr_d(s, t1, LA_R_ENV, hamt_cd_off(m->mmu_idx, false) >> 2);
    sp->access_off = hostasm_offset(s);
    emit_access_x(s, true, m->memop, m->val, t1, m->addr);
    sp->back_off = hostasm_offset(s);
}

/* --stats: env->tlb_hits[idx]++ on the fast path's hit side (3 insns). */
static void emit_tlb_hit_count(HostAsm *s, unsigned idx)
{
    int32_t off = (int32_t)(offsetof(CPUX86State, tlb_hits) + 8 * idx);

    BUILD_ASSERT(offsetof(CPUX86State, tlb_hits) % 4 == 0);
    BUILD_ASSERT(offsetof(CPUX86State, tlb_hits) + 8 * CPU_TLB_NB_MODES <=
                 (8191u << 2));
    la_ldptr_d(s, LA_R_TMP0, LA_R_ENV, off >> 2);
    la_addi_d(s, LA_R_TMP0, LA_R_TMP0, 1);
    la_stptr_d(s, LA_R_TMP0, LA_R_ENV, off >> 2);
}

/*
 * LowerHost.ldst_softmmu (core/mem.h): inline TLB lookup in
 * env->tlb_fast[mmu_idx] (dynamic size: mask + table, core/cpu.h), one host
 * access at addend + linear on a hit, slow path queued for the TB end on a
 * miss / flagged entry / page-crossing address.  LoongArch accesses
 * misaligned addresses in hardware, so the compare uses the page of the
 * access's last byte (QEMU's unaligned-allowed compare): a misaligned
 * access inside one page stays on the fast path.
 *
 *   t0 = (addr >> 8) & tlb_fast[idx].mask              srli.d, ld.d, and
 *   t0 += tlb_fast[idx].table                          ld.d, add.d
 *   t1 = t0->addr_read / addr_write                    ldptr.w
 *   t2 = (addr + size - 1) & PAGE_MASK                 addi.w, bstrins.w
 *   bne t1, t2, slow             (xor + bnez when the TB is too large)
 *   t1 = t0->addend                                    ldptr.d
 *   l?x/s?x val, t1, addr        <- retaddr of the slow path
 *   (--stats: env->tlb_hits[idx]++, 3 insns)
 */
static void la_ldst_softmmu(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    const unsigned t0 = LA_R_TMP0, t1 = LA_R_TMP1, t2 = LA_R_TMP2;
    int32_t fast = (int32_t)(offsetof(CPUX86State, tlb_fast) +
                             (size_t)m->mmu_idx * sizeof(CPUTLBDescFast));
    int32_t cmp_off = m->store ? (int32_t)offsetof(CPUTLBEntry, addr_write)
                               : (int32_t)offsetof(CPUTLBEntry, addr_read);
    int32_t add_off = (int32_t)offsetof(CPUTLBEntry, addend);
    SlowPath *sp;

    BUILD_ASSERT(sizeof(CPUTLBEntry) == (1u << CPU_TLB_ENTRY_BITS));
    BUILD_ASSERT(offsetof(CPUTLBEntry, addr_read) == 0);
    BUILD_ASSERT(offsetof(CPUTLBEntry, addr_write) == 4);
    BUILD_ASSERT(offsetof(CPUTLBEntry, addend) == 8);
    BUILD_ASSERT(offsetof(CPUX86State, tlb_fast) +
                 sizeof(CPUTLBDescFast) * CPU_TLB_NB_MODES <= 2047);
    if (m->mmu_idx >= CPU_TLB_NB_MODES) {
        L->failed = true;
        return;
    }
    sp = slow_path_new(L, m->store, m->memop, m->mmu_idx, m->addr, m->val);
    if (sp == NULL) {
        return;
    }

    la_srli_d(s, t0, m->addr, GUEST_PAGE_BITS - CPU_TLB_ENTRY_BITS);
    la_ld_d(s, t1, LA_R_ENV, fast + (int32_t)offsetof(CPUTLBDescFast, mask));
    la_and(s, t0, t0, t1);
    la_ld_d(s, t1, LA_R_ENV, fast + (int32_t)offsetof(CPUTLBDescFast, table));
    la_add_d(s, t0, t0, t1);
    la_ldptr_w(s, t1, t0, cmp_off >> 2);
    la_addi_w(s, t2, m->addr, (int32_t)m->size - 1);
    la_bstrins_w(s, t2, LA_ZERO, GUEST_PAGE_BITS - 1, 0);
    sp->branch_off = hostasm_offset(s);
    sp->branch_kind = L->long_branches;
    if (L->long_branches) {
        la_xor(s, t1, t1, t2);
        sp->branch_off = hostasm_offset(s);
        la_bnez(s, t1, 0);
    } else {
        la_bne(s, t1, t2, 0);
    }
    la_ldptr_d(s, t1, t0, add_off >> 2);
    sp->access_off = hostasm_offset(s);
    emit_access_x(s, m->store, m->memop, m->val, t1, m->addr);
    if (mem_count_tlb_hits) {
        emit_tlb_hit_count(s, m->mmu_idx);   /* --stats only; slow path skips it */
    }
    sp->back_off = hostasm_offset(s);
}

/*
 * LowerHost.store_notdirty: the code-map probe (core/tb-smc.h), entered
 * from la_ldst_softmmu's branch with t0 = the TLB entry, t1 = the compare
 * word (long branches: compare word ^ tag), t2 = the tag.  A store may be
 * misaligned within its page, so a wider one tests two words' bits (the
 * next word's too when aligned: a false positive only costs the call):
 *   xori  t2, t2, TLB_NOTDIRTY      (long: xori t1, t1, TLB_NOTDIRTY;
 *   bne   t1, t2, full                         bnez t1, full)
 *   ldptr.d t1, t0, addend
 *   add.d t1, t1, addr              host address
 *   ld.d  t0, env, smc_map_bias
 *   srli.d t2, t1, 5
 *   ldx.bu/ldx.hu t2, t0, t2        the code map byte(s)
 *   bstrpick.d t0, t1, 4, 2
 *   srl.d t2, t2, t0
 *   andi  t2, t2, 1 / 3             the word(s)' bits
 *   bnez  t2, full
 *   st?   val, t1, 0                guest RAM: never faults
 *   b     back
 */
static void la_store_notdirty(Lower *L, const SlowPath *sp, uint32_t full)
{
    HostAsm *s = L->s;
    const unsigned t0 = LA_R_TMP0, t1 = LA_R_TMP1, t2 = LA_R_TMP2;
    bool wide = (sp->memop & MO_SIZE) != MO_8;

    BUILD_ASSERT(offsetof(CPUX86State, smc_map_bias) <= 2047);
    BUILD_ASSERT(TLB_NOTDIRTY <= 0xfff);
    if (sp->branch_kind) {
        la_xori(s, t1, t1, TLB_NOTDIRTY);
        la_bnez(s, t1, ((int32_t)full - (int32_t)hostasm_offset(s)) / 4);
    } else {
        la_xori(s, t2, t2, TLB_NOTDIRTY);
        la_bne(s, t1, t2, ((int32_t)full - (int32_t)hostasm_offset(s)) / 4);
    }
    la_ldptr_d(s, t1, t0, (int32_t)offsetof(CPUTLBEntry, addend) >> 2);
    la_add_d(s, t1, t1, sp->addr_reg);
    la_ld_d(s, t0, LA_R_ENV, (int32_t)offsetof(CPUX86State, smc_map_bias));
    la_srli_d(s, t2, t1, 5);
    if (wide) {
        la_ldx_hu(s, t2, t0, t2);
    } else {
        la_ldx_bu(s, t2, t0, t2);
    }
    la_bstrpick_d(s, t0, t1, 4, 2);
    la_srl_d(s, t2, t2, t0);
    la_andi(s, t2, t2, wide ? 3 : 1);
    la_bnez(s, t2, ((int32_t)full - (int32_t)hostasm_offset(s)) / 4);
    lower_access(L, true, sp->memop, sp->val_reg, t1, 0);
    if (mem_count_tlb_hits) {
        emit_tlb_hit_count(s, sp->mmu_idx);   /* --stats: a TLB hit too */
    }
    la_jump(s, sp->back_off);
}

/* LowerHost.slow_branch: point the fast path's branch at here
 * (branch_kind 1: an offs21 beqz/bnez, else a bne that may fall short). */
static void la_slow_branch(Lower *L, SlowPath *sp, uint32_t here)
{
    HostAsm *s = L->s;

    if (!s->overflow && sp->branch_off != SLOW_NO_BRANCH) {
        uint32_t *insn = (uint32_t *)(void *)(s->start + sp->branch_off);
        int32_t disp = ((int32_t)here - (int32_t)sp->branch_off) / 4;
        if (sp->branch_kind) {
            la_patch_bnez(insn, disp);
        } else if (disp > 32767) {
            /* beyond bne's reach: la_lower_tb retries with long branches */
            L->branch_range = true;
        } else {
            la_patch_bne(insn, disp);
        }
    }
    if (!s->overflow && sp->branch2_off != SLOW_NO_BRANCH) {
        la_patch_bnez((uint32_t *)(void *)(s->start + sp->branch2_off),
                      ((int32_t)here - (int32_t)sp->branch2_off) / 4);
    }
}

/*
 * LowerHost.slow_retaddr: just after the inline access, pc-relative.  A
 * HAMT access may be the first host instruction of its guest instruction,
 * and cpu_restore_state looks for the instruction strictly before retaddr.
 */
static void la_slow_retaddr(Lower *L, const SlowPath *sp, unsigned reg)
{
    la_pcaddi(L->s, reg,
              ((int32_t)sp->access_off + 4 - (int32_t)hostasm_offset(L->s)) / 4);
}

/* ---------------------------------------------------------------------- */
/* the selector's description of LoongArch64                              */

static const LowerHost la_host = {
    .imm_arith_min = -2048, .imm_arith_max = 2047,
    .imm_logic_max = 0xfff,
    .binop = {
        [IR_add] = { LA_OPC_ADD_W, LA_OPC_ADDI_W, IMM_ARITH },
        [IR_sub] = { LA_OPC_SUB_W, LA_OPC_ADDI_W, IMM_NEG },
        [IR_and] = { LA_OPC_AND, LA_OPC_ANDI, IMM_LOGIC },
        [IR_or] = { LA_OPC_OR, LA_OPC_ORI, IMM_LOGIC },
        [IR_xor] = { LA_OPC_XOR, LA_OPC_XORI, IMM_LOGIC },
        [IR_shl] = { LA_OPC_SLL_W, LA_OPC_SLLI_W, IMM_SHIFT },
        [IR_shr] = { LA_OPC_SRL_W, LA_OPC_SRLI_W, IMM_SHIFT },
        [IR_sar] = { LA_OPC_SRA_W, LA_OPC_SRAI_W, IMM_SHIFT },
        [IR_rotr] = { LA_OPC_ROTR_W, LA_OPC_ROTRI_W, IMM_SHIFT },
        [IR_mul] = { LA_OPC_MUL_W, 0, IMM_NONE },
        [IR_muluh] = { LA_OPC_MULH_WU, 0, IMM_NONE },
        [IR_mulsh] = { LA_OPC_MULH_W, 0, IMM_NONE },
    },
    .slt = { LA_OPC_SLT, LA_OPC_SLTI, IMM_ARITH },
    .sltu = { LA_OPC_SLTU, LA_OPC_SLTUI, IMM_ARITH },
    .unop = {
        [IR_neg] = { UN_ZR, LA_OPC_SUB_W, 0 },
        [IR_not] = { UN_RZ, LA_OPC_NOR, 0 },
        [IR_ext8s] = { UN_RR, LA_OPC_EXT_W_B, 0 },
        [IR_ext8u] = { UN_RRI, LA_OPC_ANDI, 0xff },
        [IR_ext16s] = { UN_RR, LA_OPC_EXT_W_H, 0 },
        [IR_ext16u] = { UN_SPECIAL, 0, 0 },       /* bstrpick.w 15, 0 */
        [IR_clz] = { UN_RR, LA_OPC_CLZ_W, 0 },
        [IR_ctz] = { UN_RR, LA_OPC_CTZ_W, 0 },
        [IR_bswap] = { UN_SPECIAL, 0, 0 },        /* revb.2h; rotri.w 16 */
    },
    .sext32 = LA_OPC_ADDI_W,
    .move = LA_OPC_MOVE,
    /* every two-register compare is a branch (a > b as b < a) */
    .brcond = {
        [IR_COND_EQ] = BR_EQ, [IR_COND_NE] = BR_NE,
        [IR_COND_LT] = BR_LT, [IR_COND_GE] = BR_GE,
        [IR_COND_LTU] = BR_LTU, [IR_COND_GEU] = BR_GEU,
        [IR_COND_GT] = BR_LT | BR_SWAP, [IR_COND_LE] = BR_GE | BR_SWAP,
        [IR_COND_GTU] = BR_LTU | BR_SWAP, [IR_COND_LEU] = BR_GEU | BR_SWAP,
    },
    .ld = {
        [MO_8] = LA_OPC_LD_BU, [MO_8S] = LA_OPC_LD_B,
        [MO_16] = LA_OPC_LD_HU, [MO_16S] = LA_OPC_LD_H,
        [MO_32] = LA_OPC_LD_W, [MO_32 | MO_SIGN] = LA_OPC_LD_W,
    },
    .st = {
        [MO_8] = LA_OPC_ST_B, [MO_8S] = LA_OPC_ST_B,
        [MO_16] = LA_OPC_ST_H, [MO_16S] = LA_OPC_ST_H,
        [MO_32] = LA_OPC_ST_W, [MO_32 | MO_SIGN] = LA_OPC_ST_W,
    },
    .ld64 = LA_OPC_LD_D, .st64 = LA_OPC_ST_D,
    .add64 = LA_OPC_ADD_D,
    .rambase_caller_saved = false,         /* fp */

    .rr = la_emit_rr,
    .rrr = la_emit_rrr,
    .rri = la_emit_rri,
    .mem = la_mem,
    .unop_special = la_unop_special,
    .deposit = la_deposit,
    .movcond = la_movcond,
    .branch = la_branch,
    .exit_tb = la_exit_tb,
    .goto_tb = la_goto_tb,
    .goto_ptr = la_goto_ptr,
    .jump_reg = la_jump_reg,
    .call = la_call,
    .call_env = la_call_env,
    .store_globals = la_emit_store_globals,
    .load_globals = la_emit_load_globals,
    .ld_st_env = la_ld_st_env,
    .ldst_softmmu = la_ldst_softmmu,
    .ldst_window = la_ldst_window,
    .st_window_cd = la_st_window_cd,
    .slow_branch = la_slow_branch,
    .store_notdirty = la_store_notdirty,
    .slow_retaddr = la_slow_retaddr,
    .jump = la_jump,
};

/* One lowering attempt of the whole function: body, then the slow paths. */
static bool lower_tb_once(Lower *L, HostAsm *s, const TranslationBlock *tb,
                          const IRFunc *f, HostTbInfo *info)
{
    lower_begin(L, s, tb, f, info);
    L->branch_range = false;
    return lower_ops_run(L, &la_host);
}

/* Lower f; redo it with long slow-path branches if a bne fell short. */
bool la_lower_tb(HostAsm *s, const TranslationBlock *tb, const IRFunc *f,
                 HostTbInfo *info)
{
    Lower *L = &lower_state;
    bool ok;

    L->long_branches = false;
    ok = lower_tb_once(L, s, tb, f, info);
    if (ok && L->branch_range) {
        s->ptr = s->start;
        L->long_branches = true;
        ok = lower_tb_once(L, s, tb, f, info);
    }
    return ok && !L->branch_range;
}
