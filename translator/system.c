/*
 * hamt86 - system instructions: segment register loads, descriptor-table
 * registers, control and debug registers, CLI/STI/HLT, CPUID, RDTSC,
 * RDPMC, RDMSR/WRMSR, INVLPG, BOUND, ARPL, LAR/LSL/VERR/VERW, WAIT and the
 * x87 escapes (no FPU yet: #NM or #UD).
 *
 * Privilege checks that depend only on TB flags (CPL, IOPL, PE, VM) are
 * made at translation time; the rest (CR4.TSD, descriptor checks, MSR
 * numbers) in the helpers (seg-helper.c, sys-helper.c).  Everything that
 * changes translation state ends the TB.
 */
#include "core/cpu.h"
#include "core/log.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* Privileged instruction at CPL > 0: emit #GP(0) and return true. */
static bool sys_check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_exception(s, EXCP0D_GP, 0);
        return true;
    }
    return false;
}

/* Protected-mode only instruction in real or VM86 mode: #UD, true. */
static bool sys_check_pm(DisasContext *s, const X86Insn *insn)
{
    if (!s->pe || s->vm86) {
        gen_illegal(s, insn);
        return true;
    }
    return false;
}

/* Load segment seg from a selector temp (descriptor checks in the helper). */
static void gen_load_seg(DisasContext *s, int seg, IRTemp sel)
{
    IRTemp t = ir_new_temp(s->f);

    ir_unop(s->f, IR_ext16u, t, sel);
    gen_helper(s, HELPER_load_seg, 2, ir_const(s->f, seg), t);
}

/* MOV Sreg, r/m16 and MOV r/m, Sreg. */
void gen_mov_seg(DisasContext *s, const X86Insn *insn)
{
    if (insn->op[0].kind == OPK_SEG) {
        gen_load_seg(s, insn->op[0].reg, gen_ld_op(s, insn, 1));
        /* MOV SS also sets the interrupt shadow (helper) */
        gen_eob(s);
    } else {
        gen_st_op(s, insn, 0, gen_ld_op(s, insn, 1), IR_NO_TEMP);
    }
}

/* PUSH Sreg (the selector zero-extended to the operand size). */
void gen_push_seg(DisasContext *s, const X86Insn *insn)
{
    gen_push_v(s, insn->opsize, gen_ld_op(s, insn, 0));
}

/* POP Sreg: ESP changes only after the descriptor checks passed. */
void gen_pop_seg(DisasContext *s, const X86Insn *insn)
{
    IRTemp v = gen_pop_peek(s, insn->opsize, 0);

    gen_load_seg(s, insn->op[0].reg, v);
    gen_stack_adjust(s, insn->opsize);
    gen_eob(s);
}

/* LDS/LES/LFS/LGS/LSS Gv, m16:16/32. */
static void gen_lxs(DisasContext *s, const X86Insn *insn, int seg)
{
    int size = insn->opsize;
    IRTemp addr = gen_linear_addr(s, insn), a2 = ir_new_temp(s->f);
    IRTemp off, sel;

    off = gen_ld_mem(s, size == 2 ? MO_16 : MO_32, addr);
    ir_binopi(s->f, IR_add, a2, addr, size);
    sel = gen_ld_mem(s, MO_16, a2);
    gen_load_seg(s, seg, sel);
    gen_st_reg(s, size, insn->op[0].reg, off);
    gen_eob(s);
}

/* LDS. */
void gen_lds(DisasContext *s, const X86Insn *insn) { gen_lxs(s, insn, R_DS); }
/* LES. */
void gen_les(DisasContext *s, const X86Insn *insn) { gen_lxs(s, insn, R_ES); }
/* LFS. */
void gen_lfs(DisasContext *s, const X86Insn *insn) { gen_lxs(s, insn, R_FS); }
/* LGS. */
void gen_lgs(DisasContext *s, const X86Insn *insn) { gen_lxs(s, insn, R_GS); }
/* LSS. */
void gen_lss(DisasContext *s, const X86Insn *insn) { gen_lxs(s, insn, R_SS); }

/* MOV Rd, CRn / MOV CRn, Rd. */
void gen_mov_cr(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    if (insn->op[0].kind == OPK_CR) {
        gen_helper(s, HELPER_write_cr, 2, ir_const(s->f, insn->op[0].reg),
                   gen_ld_reg(s, 4, insn->op[1].reg));
        gen_eob(s);
    } else {
        IRTemp t = ir_new_temp(s->f);

        ir_ld_env(s->f, t, offsetof(CPUX86State, cr[insn->op[1].reg]), MO_32);
        gen_st_reg(s, 4, insn->op[0].reg, t);
    }
}

/* MOV Rd, DRn / MOV DRn, Rd (DR4/DR5: helpers, which alias them to DR6/DR7
 * or raise #UD under CR4.DE). */
void gen_mov_dr(DisasContext *s, const X86Insn *insn)
{
    int dr;

    if (sys_check_cpl0(s)) {
        return;
    }
    if (insn->op[0].kind == OPK_DR) {
        dr = insn->op[0].reg;
        gen_helper(s, HELPER_write_dr, 2, ir_const(s->f, dr),
                   gen_ld_reg(s, 4, insn->op[1].reg));
        gen_eob(s);
    } else {
        IRTemp t;

        dr = insn->op[1].reg;
        if (dr == 4 || dr == 5) {
            t = gen_helper(s, HELPER_read_dr, 1, ir_const(s->f, dr));
        } else {
            t = ir_new_temp(s->f);
            ir_ld_env(s->f, t, offsetof(CPUX86State, dr[dr]), MO_32);
        }
        gen_st_reg(s, 4, insn->op[0].reg, t);
    }
}

/* IF may be changed: real mode, CPL <= IOPL, or VM86 with IOPL 3. */
static bool sys_if_allowed(DisasContext *s)
{
    if (s->vm86) {
        return s->iopl == 3;
    }
    return !s->pe || s->cpl <= s->iopl;
}

/* CLI. */
void gen_cli(DisasContext *s, const X86Insn *insn)
{
    IRTemp t;

    if (!sys_if_allowed(s)) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    t = ir_new_temp(s->f);
    ir_ld_env(s->f, t, offsetof(CPUX86State, eflags), MO_32);
    ir_binopi(s->f, IR_and, t, t, ~IF_MASK);
    ir_st_env(s->f, t, offsetof(CPUX86State, eflags), MO_32);
}

/* STI: IF = 1 plus a one-instruction interrupt shadow; ends the TB. */
void gen_sti(DisasContext *s, const X86Insn *insn)
{
    if (!sys_if_allowed(s)) {
        gen_exception(s, EXCP0D_GP, 0);
        return;
    }
    gen_helper(s, HELPER_sti, 0);
    gen_eob(s);
}

/* HLT: CPL 0 only; the helper leaves to the loop with EXCP_HLT. */
void gen_hlt(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_update_cc_op(s);
    gen_helper(s, HELPER_hlt, 1, ir_const(s->f, s->next_pc));
    ir_exit_tb(s->f, IR_EXIT_PLAIN);
    s->is_jmp = DISAS_NORETURN;
}

/* UD2. */
void gen_ud2(DisasContext *s, const X86Insn *insn)
{
    gen_exception(s, EXCP06_UD, -1);
}

/* Rows naming an explicitly undefined encoding. */
void gen_ud(DisasContext *s, const X86Insn *insn)
{
    gen_illegal(s, insn);
}

/* CPUID. */
void gen_cpuid(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_cpuid, 0);
}

/* RDTSC (CR4.TSD is checked by the helper). */
void gen_rdtsc(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_rdtsc, 0);
}

/* RDPMC (CR4.PCE is checked by the helper). */
void gen_rdpmc(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_rdpmc, 0);
}

/* RDMSR. */
void gen_rdmsr(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_rdmsr, 0);
}

/* WRMSR (ends the TB: SYSENTER and friends may change). */
void gen_wrmsr(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_wrmsr, 0);
    gen_eob(s);
}

/* LGDT/LIDT m16&32: limit word then base dword (24 bits with 16-bit opsize). */
static void gen_load_dtr(DisasContext *s, const X86Insn *insn, size_t off)
{
    IRTemp addr, a2, limit, base;

    if (sys_check_cpl0(s)) {
        return;
    }
    addr = gen_linear_addr(s, insn);
    a2 = ir_new_temp(s->f);
    limit = gen_ld_mem(s, MO_16, addr);
    ir_binopi(s->f, IR_add, a2, addr, 2);
    base = gen_ld_mem(s, MO_32, a2);
    if (insn->opsize == 2) {
        ir_binopi(s->f, IR_and, base, base, 0x00ffffff);
    }
    ir_st_env(s->f, base, off + offsetof(SegmentCache, base), MO_32);
    ir_st_env(s->f, limit, off + offsetof(SegmentCache, limit), MO_32);
}

/* SGDT/SIDT m16&32. */
static void gen_store_dtr(DisasContext *s, const X86Insn *insn, size_t off)
{
    IRTemp addr = gen_linear_addr(s, insn), a2 = ir_new_temp(s->f);
    IRTemp limit = ir_new_temp(s->f), base = ir_new_temp(s->f);

    ir_ld_env(s->f, limit, off + offsetof(SegmentCache, limit), MO_32);
    ir_ld_env(s->f, base, off + offsetof(SegmentCache, base), MO_32);
    if (insn->opsize == 2) {
        ir_binopi(s->f, IR_and, base, base, 0x00ffffff);
    }
    gen_st_mem(s, MO_16, limit, addr);
    ir_binopi(s->f, IR_add, a2, addr, 2);
    gen_st_mem(s, MO_32, base, a2);
}

/* LGDT. */
void gen_lgdt(DisasContext *s, const X86Insn *insn)
{
    gen_load_dtr(s, insn, offsetof(CPUX86State, gdt));
}

/* LIDT. */
void gen_lidt(DisasContext *s, const X86Insn *insn)
{
    gen_load_dtr(s, insn, offsetof(CPUX86State, idt));
}

/* SGDT. */
void gen_sgdt(DisasContext *s, const X86Insn *insn)
{
    gen_store_dtr(s, insn, offsetof(CPUX86State, gdt));
}

/* SIDT. */
void gen_sidt(DisasContext *s, const X86Insn *insn)
{
    gen_store_dtr(s, insn, offsetof(CPUX86State, idt));
}

/* LLDT r/m16. */
void gen_lldt(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_pm(s, insn) || sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_lldt, 1, gen_ld_op(s, insn, 0));
}

/* LTR r/m16. */
void gen_ltr(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_pm(s, insn) || sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_ltr, 1, gen_ld_op(s, insn, 0));
}

/* Store a selector field to operand 0 (register: zero-extended). */
static void gen_store_selector(DisasContext *s, const X86Insn *insn, size_t off)
{
    IRTemp t = ir_new_temp(s->f);

    ir_ld_env(s->f, t, off, MO_32);
    ir_unop(s->f, IR_ext16u, t, t);
    gen_st_op(s, insn, 0, t, IR_NO_TEMP);
}

/* SLDT r/m. */
void gen_sldt(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_pm(s, insn)) {
        return;
    }
    gen_store_selector(s, insn, offsetof(CPUX86State, ldt.selector));
}

/* STR r/m. */
void gen_str(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_pm(s, insn)) {
        return;
    }
    gen_store_selector(s, insn, offsetof(CPUX86State, tr.selector));
}

/* LMSW r/m16: PE can be set but not cleared. */
void gen_lmsw(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_lmsw, 1, gen_ld_op(s, insn, 0));
    gen_eob(s);
}

/* SMSW r/m (a register gets all of CR0, memory the low word). */
void gen_smsw(DisasContext *s, const X86Insn *insn)
{
    IRTemp t = ir_new_temp(s->f);

    ir_ld_env(s->f, t, offsetof(CPUX86State, cr[0]), MO_32);
    gen_st_op(s, insn, 0, t, IR_NO_TEMP);
}

/* CLTS. */
void gen_clts(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_clts, 0);
    gen_eob(s);
}

/* INVD: no caches to drop. */
void gen_invd(DisasContext *s, const X86Insn *insn)
{
    sys_check_cpl0(s);
}

/* WBINVD: no caches to write back. */
void gen_wbinvd(DisasContext *s, const X86Insn *insn)
{
    sys_check_cpl0(s);
}

/* INVLPG m. */
void gen_invlpg(DisasContext *s, const X86Insn *insn)
{
    if (sys_check_cpl0(s)) {
        return;
    }
    gen_helper(s, HELPER_invlpg, 1, gen_linear_addr(s, insn));
    gen_eob(s);
}

/* BOUND Gv, Ma: #BR unless lower <= index <= upper (signed). */
void gen_bound(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    unsigned mo = size == 2 ? MO_16S : MO_32;
    IRTemp addr = gen_linear_addr(s, insn), a2 = ir_new_temp(s->f);
    IRTemp lo, hi, idx;
    unsigned l_bad = ir_new_label(s->f), l_ok = ir_new_label(s->f);

    lo = gen_ld_mem(s, mo, addr);
    ir_binopi(s->f, IR_add, a2, addr, size);
    hi = gen_ld_mem(s, mo, a2);
    idx = ir_global(insn->op[0].reg);
    if (size == 2) {
        idx = ir_new_temp(s->f);
        ir_unop(s->f, IR_ext16s, idx, ir_global(insn->op[0].reg));
    }
    gen_update_cc_op(s);
    ir_brcond(s->f, IR_COND_LT, idx, lo, l_bad);
    ir_brcond(s->f, IR_COND_LE, idx, hi, l_ok);
    ir_set_label(s->f, l_bad);
    gen_exception(s, EXCP05_BR, -1);
    s->is_jmp = DISAS_NEXT;
    ir_set_label(s->f, l_ok);
}

/* ARPL r/m16, r16: raise the RPL of the destination; ZF = adjusted. */
void gen_arpl(DisasContext *s, const X86Insn *insn)
{
    IRTemp addr = IR_NO_TEMP, dst, src, drpl, srpl, adj, res, z;

    if (sys_check_pm(s, insn)) {
        return;
    }
    if (insn->op[0].kind == OPK_MEM) {
        addr = gen_linear_addr(s, insn);
    }
    dst = gen_ld_op_addr(s, insn, 0, addr);
    src = gen_ld_reg(s, 2, insn->op[1].reg);
    drpl = ir_new_temp(s->f);
    srpl = ir_new_temp(s->f);
    ir_binopi(s->f, IR_and, drpl, dst, 3);
    ir_binopi(s->f, IR_and, srpl, src, 3);
    adj = ir_new_temp(s->f);
    ir_binopi(s->f, IR_and, adj, dst, ~3u);
    ir_binop(s->f, IR_or, adj, adj, srpl);
    res = ir_new_temp(s->f);
    ir_movcond(s->f, IR_COND_LTU, res, drpl, srpl, adj, dst);
    z = ir_new_temp(s->f);
    ir_setcond(s->f, IR_COND_LTU, z, drpl, srpl);
    ir_binopi(s->f, IR_shl, z, z, 6);   /* ZF is bit 6 */
    gen_st_op(s, insn, 0, res, addr);
    gen_flags_merge(s, CC_Z, z);
}

/* LAR/LSL Gv, r/m16: the helper sets ZF; the register changes only if ZF. */
static void gen_lar_lsl(DisasContext *s, const X86Insn *insn, unsigned id)
{
    int size = insn->op[0].size;
    IRTemp sel, r, z, old, res;

    if (sys_check_pm(s, insn)) {
        return;
    }
    sel = ir_new_temp(s->f);
    ir_unop(s->f, IR_ext16u, sel, gen_ld_op(s, insn, 1));
    r = gen_helper(s, id, 1, sel);
    gen_cc_op_synced(s, CC_OP_EFLAGS);
    z = ir_new_temp(s->f);
    ir_ld_env(s->f, z, offsetof(CPUX86State, cc_src), MO_32);
    ir_binopi(s->f, IR_and, z, z, CC_Z);
    old = gen_ld_reg(s, size, insn->op[0].reg);
    res = ir_new_temp(s->f);
    ir_movcond(s->f, IR_COND_NE, res, z, ir_const(s->f, 0), r, old);
    gen_st_reg(s, size, insn->op[0].reg, res);
}

/* LAR. */
void gen_lar(DisasContext *s, const X86Insn *insn)
{
    gen_lar_lsl(s, insn, HELPER_lar);
}

/* LSL. */
void gen_lsl(DisasContext *s, const X86Insn *insn)
{
    gen_lar_lsl(s, insn, HELPER_lsl);
}

/* VERR/VERW r/m16: ZF = segment readable / writable at CPL and RPL. */
static void gen_verx(DisasContext *s, const X86Insn *insn, unsigned id)
{
    IRTemp sel;

    if (sys_check_pm(s, insn)) {
        return;
    }
    sel = ir_new_temp(s->f);
    ir_unop(s->f, IR_ext16u, sel, gen_ld_op(s, insn, 0));
    gen_helper(s, id, 1, sel);
    gen_cc_op_synced(s, CC_OP_EFLAGS);
}

/* VERR. */
void gen_verr(DisasContext *s, const X86Insn *insn)
{
    gen_verx(s, insn, HELPER_verr);
}

/* VERW. */
void gen_verw(DisasContext *s, const X86Insn *insn)
{
    gen_verx(s, insn, HELPER_verw);
}
