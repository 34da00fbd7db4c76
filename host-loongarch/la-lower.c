/*
 * hamt86 - IR -> LoongArch64 lowering: instruction selection, the LP64D
 * calling convention, branch forms, guest memory sequences.
 *
 * Liveness, the temp -> register/slot allocator, label relocations, the
 * slow-path queue, the HAMT site table and the TB records are shared with
 * the MIPS backend (host-common/lower-common.h, which describes the model);
 * la-target.h has the register map.  Temp home slots are reached with
 * ldptr.w/stptr.w.
 *
 * Guest memory: one lowering function per memory-path kind
 * (lower_ldst_softmmu, lower_ldst_hamt), chosen by mem_path->kind at
 * translation time.  The softmmu path does an inline TLB lookup (which
 * also rejects misaligned addresses), then one host access at
 * addend + linear; misses go to an out-of-line slow path at the end of the
 * TB, which calls mem_ld_slow / mem_st_slow with the host address of the
 * inline access as retaddr.  The HAMT path is one host access through the
 * window of the access's MMU index; its slow path is entered by the host
 * fault handler (hamt/hamt.c) through the TB's site table.
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
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"

/* Kinds of label branches. */
enum { BR_ALWAYS, BR_EQ, BR_NE, BR_LT, BR_GE, BR_LTU, BR_GEU, BR_EQZ, BR_NEZ };

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

/* Branch of kind k to label l, patched later if the label is still ahead. */
static void branch_to_label(Lower *L, int k, unsigned rj, unsigned rd,
                            unsigned l)
{
    HostAsm *s = L->s;
    int32_t to = label_ref(L, l, k);
    int32_t disp = to >= 0 ? (to - (int32_t)hostasm_offset(s)) / 4 : 0;

    emit_branch(s, k, rj, rd, disp);
}

/* Jump to the epilogue with a0 = (uintptr_t)tb | val. */
static void emit_exit(Lower *L, uint32_t val)
{
    HostAsm *s = L->s;

    la_emit_li64(s, LA_R_RET, (uint64_t)((uintptr_t)L->tb | val));
    la_emit_jump_abs(s, LA_ZERO, la_epilogue_code);
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
    const unsigned t0 = LA_R_TMP0;

    switch (c) {
    case IR_COND_EQ:
    case IR_COND_NE:
        *nz = (c == IR_COND_NE);
        if (bc && bv == 0) {
            return a;
        }
        if (bc && la_fits_u12(bv)) {
            la_xori(s, t0, a, bv);
        } else {
            b = use_reg(L, tb);
            la_xor(s, t0, a, b);
        }
        return t0;
    case IR_COND_LT:
    case IR_COND_GE:
        *nz = (c == IR_COND_LT);
        if (bc && la_fits_s12(sb)) {
            la_slti(s, t0, a, sb);
        } else {
            b = use_reg(L, tb);
            la_slt(s, t0, a, b);
        }
        return t0;
    case IR_COND_LTU:
    case IR_COND_GEU:
        /* both operands are sign-extended: 64-bit unsigned order agrees */
        *nz = (c == IR_COND_LTU);
        if (bc && la_fits_s12(sb)) {
            la_sltui(s, t0, a, sb);
        } else {
            b = use_reg(L, tb);
            la_sltu(s, t0, a, b);
        }
        return t0;
    case IR_COND_GT:
    case IR_COND_LE:
        /* a > b  <=>  !(a < b + 1) */
        if (bc && sb != INT32_MAX && la_fits_s12((int64_t)sb + 1)) {
            *nz = (c == IR_COND_LE);
            la_slti(s, t0, a, sb + 1);
        } else {
            *nz = (c == IR_COND_GT);
            b = use_reg(L, tb);
            la_slt(s, t0, b, a);
        }
        return t0;
    case IR_COND_GTU:
    case IR_COND_LEU:
        if (bc && bv != 0xffffffffu && la_fits_s12((int32_t)(bv + 1))) {
            *nz = (c == IR_COND_LEU);
            la_sltui(s, t0, a, (int32_t)(bv + 1));
        } else {
            *nz = (c == IR_COND_GTU);
            b = use_reg(L, tb);
            la_sltu(s, t0, b, a);
        }
        return t0;
    case IR_COND_TSTEQ:
    case IR_COND_TSTNE:
        *nz = (c == IR_COND_TSTNE);
        if (bc && la_fits_u12(bv)) {
            la_andi(s, t0, a, bv);
        } else {
            b = use_reg(L, tb);
            la_and(s, t0, a, b);
        }
        return t0;
    default:
        os_fatal(1, "loongarch backend: bad condition %d", (int)c);
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
            imm = la_fits_s12(sb);
            break;
        case IR_sub:
            imm = la_fits_s12(-(int64_t)sb);
            break;
        case IR_and: case IR_or: case IR_xor:
            imm = la_fits_u12(bv);
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
        imm ? la_addi_w(s, d, a, sb) : la_add_w(s, d, a, b);
        break;
    case IR_sub:
        imm ? la_addi_w(s, d, a, -sb) : la_sub_w(s, d, a, b);
        break;
    case IR_and:
        imm ? la_andi(s, d, a, bv) : la_and(s, d, a, b);
        break;
    case IR_or:
        imm ? la_ori(s, d, a, bv) : la_or(s, d, a, b);
        break;
    case IR_xor:
        imm ? la_xori(s, d, a, bv) : la_xor(s, d, a, b);
        break;
    case IR_shl:
        imm ? la_slli_w(s, d, a, bv & 31) : la_sll_w(s, d, a, b);
        break;
    case IR_shr:
        imm ? la_srli_w(s, d, a, bv & 31) : la_srl_w(s, d, a, b);
        break;
    case IR_sar:
        imm ? la_srai_w(s, d, a, bv & 31) : la_sra_w(s, d, a, b);
        break;
    case IR_rotr:
        imm ? la_rotri_w(s, d, a, bv & 31) : la_rotr_w(s, d, a, b);
        break;
    case IR_rotl:
        if (imm) {
            la_rotri_w(s, d, a, (32 - (bv & 31)) & 31);
        } else {
            la_sub_w(s, LA_R_TMP0, LA_ZERO, b);
            la_rotr_w(s, d, a, LA_R_TMP0);
        }
        break;
    case IR_mul:
        la_mul_w(s, d, a, b);
        break;
    case IR_muluh:
        la_mulh_wu(s, d, a, b);
        break;
    case IR_mulsh:
        la_mulh_w(s, d, a, b);
        break;
    default:
        os_fatal(1, "loongarch backend: bad binop %u", op->opc);
    }
}

/* One-input ALU ops. */
static void lower_unop(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    unsigned a, d;

    if (op->opc == IR_mov && ir_is_const(L->f, op->args[1])) {
        d = def_reg(L, op->args[0]);
        la_emit_li32(s, d, L->f->temps[op->args[1]].val);
        return;
    }
    a = use_reg(L, op->args[1]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);

    switch (op->opc) {
    case IR_mov:
        la_emit_mov(s, d, a);
        break;
    case IR_neg:
        la_sub_w(s, d, LA_ZERO, a);
        break;
    case IR_not:
        la_nor(s, d, a, LA_ZERO);
        break;
    case IR_ext8s:
        la_ext_w_b(s, d, a);
        break;
    case IR_ext8u:
        la_andi(s, d, a, 0xff);
        break;
    case IR_ext16s:
        la_ext_w_h(s, d, a);
        break;
    case IR_ext16u:
        la_bstrpick_w(s, d, a, 15, 0);
        break;
    case IR_bswap:
        /* revb.2h swaps bytes within halves, rotri.w 16 swaps the halves */
        la_revb_2h(s, d, a);
        la_rotri_w(s, d, d, 16);
        break;
    case IR_clz:
        la_clz_w(s, d, a);
        break;
    case IR_ctz:
        la_ctz_w(s, d, a);
        break;
    case IR_extract: {
        unsigned pos = op->imm & 31, len = op->imm2;
        if (len == 0 || len > 32) {
            os_fatal(1, "loongarch backend: bad extract length %u", len);
        }
        if (pos + len >= 32) {
            la_srli_w(s, d, a, pos);
        } else {
            la_bstrpick_w(s, d, a, pos + len - 1, pos);
        }
        break;
    }
    default:
        os_fatal(1, "loongarch backend: bad unop %u", op->opc);
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
            la_move(s, LA_R_TMP0, b);
            b = LA_R_TMP0;
        }
        la_move(s, d, a);
    }
    la_bstrins_w(s, d, b, pos + len - 1, pos);
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
        la_sltu(L->s, d, LA_ZERO, r);
    } else {
        la_sltui(L->s, d, r, 1);
    }
}

/* movcond: d = cond(a, b) ? c : e, through maskeqz/masknez. */
static void lower_movcond(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    bool nz;
    unsigned r = emit_cond(L, (IRCond)op->cond, op->args[1], op->args[2], &nz);
    unsigned c, e, d, x, y;

    if (r != LA_R_TMP0) {
        la_move(s, LA_R_TMP0, r);
    }
    c = use_reg(L, op->args[3]);
    e = use_reg(L, op->args[4]);
    release_inputs(L);
    d = def_reg(L, op->args[0]);
    /* x: the value chosen when TMP0 != 0, y: when TMP0 == 0 */
    x = nz ? c : e;
    y = nz ? e : c;
    la_maskeqz(s, LA_R_TMP1, x, LA_R_TMP0);
    la_masknez(s, LA_R_TMP2, y, LA_R_TMP0);
    la_or(s, d, LA_R_TMP1, LA_R_TMP2);
}

/* brcond: if cond(a, b) goto label. */
static void lower_brcond(Lower *L, const IROp *op)
{
    IRCond c = (IRCond)op->cond;
    unsigned a, b;
    int k;
    bool nz;

    switch (c) {
    case IR_COND_EQ: case IR_COND_NE: case IR_COND_LT: case IR_COND_GE:
    case IR_COND_LE: case IR_COND_GT: case IR_COND_LTU: case IR_COND_GEU:
    case IR_COND_LEU: case IR_COND_GTU:
        /* compare two registers directly (constants via scratch/$zero) */
        a = use_reg(L, op->args[0]);
        b = use_reg(L, op->args[1]);
        sync_all(L);
        switch (c) {
        case IR_COND_EQ: k = BR_EQ; break;
        case IR_COND_NE: k = BR_NE; break;
        case IR_COND_LT: k = BR_LT; break;
        case IR_COND_GE: k = BR_GE; break;
        case IR_COND_LTU: k = BR_LTU; break;
        case IR_COND_GEU: k = BR_GEU; break;
        case IR_COND_GT: k = BR_LT; { unsigned x = a; a = b; b = x; } break;
        case IR_COND_LE: k = BR_GE; { unsigned x = a; a = b; b = x; } break;
        case IR_COND_GTU: k = BR_LTU; { unsigned x = a; a = b; b = x; } break;
        default: k = BR_GEU; { unsigned x = a; a = b; b = x; } break;
        }
        if ((k == BR_EQ || k == BR_NE) && b == LA_ZERO) {
            branch_to_label(L, k == BR_EQ ? BR_EQZ : BR_NEZ, a, LA_ZERO,
                            op->imm);
        } else {
            branch_to_label(L, k, a, b, op->imm);
        }
        return;
    default:
        break;
    }
    {
        unsigned r = emit_cond(L, c, op->args[0], op->args[1], &nz);
        sync_all(L);
        branch_to_label(L, nz ? BR_NEZ : BR_EQZ, r, LA_ZERO, op->imm);
    }
}

/* Load/store sized access at off(base), off a signed 12-bit immediate. */
static void emit_access(HostAsm *s, bool store, unsigned memop, unsigned r,
                        unsigned base, int32_t off)
{
    switch (memop & (MO_SIZE | MO_SIGN)) {
    case MO_8:
        store ? la_st_b(s, r, base, off) : la_ld_bu(s, r, base, off);
        break;
    case MO_8S:
        store ? la_st_b(s, r, base, off) : la_ld_b(s, r, base, off);
        break;
    case MO_16:
        store ? la_st_h(s, r, base, off) : la_ld_hu(s, r, base, off);
        break;
    case MO_16S:
        store ? la_st_h(s, r, base, off) : la_ld_h(s, r, base, off);
        break;
    default:
        store ? la_st_w(s, r, base, off) : la_ld_w(s, r, base, off);
        break;
    }
}

/* Load/store sized access at base + index (register indexed). */
static void emit_access_x(HostAsm *s, bool store, unsigned memop, unsigned r,
                          unsigned base, unsigned index)
{
    switch (memop & (MO_SIZE | MO_SIGN)) {
    case MO_8:
        store ? la_stx_b(s, r, base, index) : la_ldx_bu(s, r, base, index);
        break;
    case MO_8S:
        store ? la_stx_b(s, r, base, index) : la_ldx_b(s, r, base, index);
        break;
    case MO_16:
        store ? la_stx_h(s, r, base, index) : la_ldx_hu(s, r, base, index);
        break;
    case MO_16S:
        store ? la_stx_h(s, r, base, index) : la_ldx_h(s, r, base, index);
        break;
    default:
        store ? la_stx_w(s, r, base, index) : la_ldx_w(s, r, base, index);
        break;
    }
}

/* ld_env / st_env: access at imm(env). */
static void lower_env(Lower *L, const IROp *op)
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
        emit_access(s, store, op->cond, r, LA_R_ENV, off);
    } else if (size == MO_32 && (off & 3) == 0 && off < (8192 << 2)) {
        /* ldptr.w/stptr.w reach 32 KiB in units of 4 bytes */
        store ? la_stptr_w(s, r, LA_R_ENV, off >> 2)
              : la_ldptr_w(s, r, LA_R_ENV, off >> 2);
    } else {
        la_emit_li32(s, LA_R_TMP0, op->imm);
        emit_access_x(s, store, op->cond, r, LA_R_ENV, LA_R_TMP0);
    }
}

/* Operands of one qemu_ld/qemu_st after register assignment. */
typedef struct LdSt {
    bool store;
    unsigned memop, mmu_idx, size;
    unsigned addr, val;     /* val: the stored value or the load result */
} LdSt;

/* Offset of env->hamt_window[idx] (the HAMT window bases). */
static int32_t hamt_window_off(unsigned idx)
{
    /* ldptr.d reach: 32 KiB in units of 4 bytes */
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) % 4 == 0);
    BUILD_ASSERT(offsetof(CPUX86State, hamt_window) +
                 HAMT_NB_IDX * sizeof(uintptr_t) <= (8191u << 2));
    return (int32_t)(offsetof(CPUX86State, hamt_window) + idx * sizeof(uintptr_t));
}

/* hamt/ (weak: a backend unit test may link without it). */
#pragma weak hamt_window_ensure
#pragma weak hamt_hot_insn
#pragma weak hamt_phys_limit

/*
 * HAMT path (MEM_KIND_HAMT, docs/HAMT.md): no check at all, the host MMU
 * does it.
 *   ldptr.d    RAMBASE, hamt_window[idx](env)  (once per block; RAMBASE is
 *                                              callee-saved, calls keep it)
 *   l?x/s?x    val, RAMBASE, addr             <- a HAMT site
 * (addr is sign-extended, la-target.h; linear L lives at RAMBASE +
 * sext32(L), hamt.h).
 * A host fault at the site that the refill handler cannot map resumes at
 * the site's out-of-line slow path (queued like the softmmu's, entered by
 * the handler instead of a branch); the site table at the end of the TB
 * maps the site to its stub (host-common/hamt-site.c).  The window is
 * reserved here, at translation time (hamt_window_ensure).  Two checks
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
static void lower_ldst_hamt(Lower *L, const LdSt *m)
{
    HostAsm *s = L->s;
    const unsigned t0 = LA_R_TMP0;
    SlowPath *sp;

    if (m->mmu_idx >= HAMT_NB_IDX || L->nslow >= MAX_SLOW) {
        L->failed = true;
        return;
    }
    if (&hamt_window_ensure != NULL) {
        hamt_window_ensure(m->mmu_idx);
    }
    if (L->hamt_win != (int)m->mmu_idx) {
        la_ldptr_d(s, LA_R_RAMBASE, LA_R_ENV, hamt_window_off(m->mmu_idx) >> 2);
        L->hamt_win = (int)m->mmu_idx;
    }
    /* no branch (SLOW_NO_BRANCH) unless a check below needs one */
    sp = slow_path_new(L, m->store, m->memop, m->mmu_idx, m->addr, m->val);
    sp->hamt_site = true;
    if (m->mmu_idx == MMU_PHYS_IDX) {
        if (&hamt_phys_limit != NULL && hamt_phys_limit < ((uint64_t)1 << 32)) {
            BUILD_ASSERT(GUEST_PAGE_SIZE >= 0x1000);
            la_lu12i_w(s, t0, la_sext(hamt_phys_limit >> 12, 20));
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
    sp->access_off = hostasm_offset(s);
    emit_access_x(s, m->store, m->memop, m->val, LA_R_RAMBASE, m->addr);
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
 * Softmmu path (MEM_KIND_SOFTMMU, core/mem.h): inline TLB lookup in
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
static void lower_ldst_softmmu(Lower *L, const LdSt *m)
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

/* qemu_ld / qemu_st: assign registers, then the memory path's lowering. */
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
    switch (mem_path->kind) {
    case MEM_KIND_HAMT:
        /* a hot fallback site (hamt/) gets the softmmu access instead */
        if (&hamt_hot_insn == NULL || !hamt_hot_insn(L->tb, L->cur_eip)) {
            lower_ldst_hamt(L, &m);
            break;
        }
        lower_ldst_softmmu(L, &m);
        break;
    default:
        lower_ldst_softmmu(L, &m);
        break;
    }
}

/* Emit the out-of-line slow path sp (branch_kind 1: xor + bnez). */
static void emit_slow_path(Lower *L, SlowPath *sp)
{
    HostAsm *s = L->s;
    uint32_t here = hostasm_offset(s);
    unsigned oi = MAKE_OI(sp->memop & (MO_SIZE | MO_SIGN), sp->mmu_idx);
    unsigned ra_reg = sp->is_store ? LA_A4 : LA_A3;

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
    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            la_st_d(s, r, LA_SP, LA_SLOWSAVE_OFF + 8 * (int32_t)r);
        }
    }
    la_emit_store_globals(s);
    if (sp->is_store) {
        la_move(s, LA_R_TMP0, sp->addr_reg);
        la_move(s, LA_R_TMP2, sp->val_reg);
        la_move(s, LA_A1, LA_R_TMP0);
        la_move(s, LA_A2, LA_R_TMP2);
        la_emit_li32(s, LA_A3, oi);
    } else {
        la_move(s, LA_A1, sp->addr_reg);
        la_emit_li32(s, LA_A2, oi);
    }
    /*
     * retaddr: just after the inline access, pc-relative.  A HAMT access
     * may be the first host instruction of its guest instruction, and
     * cpu_restore_state looks for the instruction strictly before retaddr.
     */
    la_pcaddi(s, ra_reg,
              ((int32_t)sp->access_off + 4 - (int32_t)hostasm_offset(s)) / 4);
    la_move(s, LA_A0, LA_R_ENV);
    la_emit_call(s, sp->is_store ? (const void *)mem_st_slow
                                 : (const void *)mem_ld_slow);
    if (!sp->is_store) {
        unsigned d = sp->dst_reg;
        switch (sp->memop & (MO_SIZE | MO_SIGN)) {
        case MO_8:
            la_andi(s, d, LA_A0, 0xff);
            break;
        case MO_8S:
            la_ext_w_b(s, d, LA_A0);
            break;
        case MO_16:
            la_bstrpick_w(s, d, LA_A0, 15, 0);
            break;
        case MO_16S:
            la_ext_w_h(s, d, LA_A0);
            break;
        default:
            la_addi_w(s, d, LA_A0, 0);
            break;
        }
    }
    /* the result is in place first: dst_reg is never in save_mask */
    for (unsigned r = 0; r < 32; r++) {
        if (sp->save_mask & (1u << r)) {
            la_ld_d(s, r, LA_SP, LA_SLOWSAVE_OFF + 8 * (int32_t)r);
        }
    }
    here = hostasm_offset(s);
    la_b(s, ((int32_t)sp->back_off - (int32_t)here) / 4);
}

/* Helper call: a0 = env, a1.. = args; result in a0. */
static void lower_call(Lower *L, const IROp *op)
{
    HostAsm *s = L->s;
    LowerCall c;

    lower_call_begin(L, op, &c);
    if (c.h->flags & (IRH_RW_GLOBALS | IRH_MAY_RAISE)) {
        la_emit_store_globals(s);
    }
    lower_call_args(L, &c);
    la_move(s, LA_A0, LA_R_ENV);
    la_emit_call(s, c.h->fn);
    if (c.h->flags & IRH_RW_GLOBALS) {
        la_emit_load_globals(s);
    }
    if (c.out != IR_NO_TEMP) {
        if (L->f->temps[c.out].kind == IR_TEMP_GLOBAL) {
            la_addi_w(s, LA_R_GUEST0 + c.out, LA_R_RET, 0);
        } else {
            /* the psABI returns 32-bit values sign-extended */
            lower_bind_result(L, c.out, LA_R_RET);
        }
    }
}

/* lookup_and_goto_ptr: jump to the next TB if the lookup hits. */
static void lower_lookup_and_goto(Lower *L)
{
    HostAsm *s = L->s;

    la_move(s, LA_A0, LA_R_ENV);
    la_emit_call(s, (const void *)helper_lookup_tb_ptr);
    la_beqz(s, LA_A0, 2);
    la_jirl(s, LA_ZERO, LA_A0, 0);
    emit_exit(L, IR_EXIT_PLAIN);
}

/* goto_tb n: patchable b, initially to the instruction after it. */
static void lower_goto_tb(Lower *L, unsigned n)
{
    lower_jmp_slot(L, n, 4);
    la_b(L->s, 1);
}

/* Lower one op. */
static void lower_op(Lower *L, const IROp *op)
{
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
        branch_to_label(L, BR_ALWAYS, LA_ZERO, LA_ZERO, op->imm);
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
        os_fatal(1, "loongarch backend: unhandled IR op %u", op->opc);
    }
}

/* One lowering attempt of the whole function: body, then the slow paths. */
static bool lower_tb_once(Lower *L, HostAsm *s, const TranslationBlock *tb,
                          const IRFunc *f, HostTbInfo *info)
{
    lower_begin(L, s, tb, f, info);
    L->branch_range = false;
    return lower_run(L, lower_op, emit_slow_path);
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
