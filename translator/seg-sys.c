/*
 * hamt86 - system segment helpers: LLDT, LTR, LAR/LSL/VERR/VERW and
 * SYSENTER/SYSEXIT (descriptor layout: seg-helper.c).
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/machine.h"
#include "ir/ir.h"
#include "translator/cc.h"
#include "translator/seg-internal.h"

/* ------------------------------------------------------------------------
 * LDT, TR, LAR/LSL/VERR/VERW
 */

/* LLDT. */
void helper_lldt(CPUX86State *env, uint32_t sel)
{
    uintptr_t ra = GETPC();
    uint32_t e1, e2;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        seg_cache_null(&env->ldt, sel);
        return;
    }
    if ((sel & 4) || !desc_fetch(env, sel, &e1, &e2, ra) ||
        (e2 & DESC_S_MASK) || ((e2 >> DESC_TYPE_SHIFT) & 15) != 2) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
    }
    seg_cache_set(&env->ldt, sel, e1, e2);
}

/* LTR: load an available TSS and mark it busy. */
void helper_ltr(CPUX86State *env, uint32_t sel)
{
    uintptr_t ra = GETPC();
    uint32_t e1, e2, type;

    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if ((sel & 4) || !desc_fetch(env, sel, &e1, &e2, ra) ||
        (e2 & DESC_S_MASK)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    if (type != 1 && type != 9) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
    }
    e2 |= 2u << DESC_TYPE_SHIFT;   /* busy */
    seg_st(env, env->gdt.base + (sel & 0xfff8) + 4, e2, MO_32,
           MMU_KNOSMAP_IDX, ra);
    seg_cache_set(&env->tr, sel, e1, e2);
}

/* ZF = z in the lazy state (cc_op = EFLAGS). */
static void seg_set_zf(CPUX86State *env, bool z)
{
    uint32_t fl = cpu_cc_compute_all(env);

    env->cc_src = z ? fl | CC_Z : fl & ~CC_Z;
    env->cc_op = CC_OP_EFLAGS;
}

/*
 * Descriptor of sel if it is visible to LAR/LSL at the current CPL/RPL:
 * code/data (conforming code at any DPL) or one of the system types in
 * sys_ok (bit per type).
 */
static bool seg_probe(CPUX86State *env, uint32_t sel, uint32_t sys_ok,
                      uint32_t *e1, uint32_t *e2, uintptr_t ra)
{
    int cpl = seg_cpl(env), rpl = sel & 3, dpl;

    if ((sel & 0xfffc) == 0 || !desc_fetch(env, sel, e1, e2, ra)) {
        return false;
    }
    dpl = desc_dpl(*e2);
    if (*e2 & DESC_S_MASK) {
        if ((*e2 & DESC_CS_MASK) && (*e2 & DESC_C_MASK)) {
            return true;
        }
    } else if (!(sys_ok & (1u << ((*e2 >> DESC_TYPE_SHIFT) & 15)))) {
        return false;
    }
    return dpl >= cpl && dpl >= rpl;
}

/* LAR: access rights (e2 & 0x00f0ff00) and ZF. */
uint32_t helper_lar(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    bool ok = seg_probe(env, sel, 0x1a3e, &e1, &e2, GETPC());

    seg_set_zf(env, ok);
    return ok ? e2 & 0x00f0ff00u : 0;
}

/* LSL: byte-granular limit and ZF. */
uint32_t helper_lsl(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    bool ok = seg_probe(env, sel, 0x0a0e, &e1, &e2, GETPC());

    seg_set_zf(env, ok);
    return ok ? desc_limit(e1, e2) : 0;
}

/* VERR / VERW: ZF = readable / writable at CPL and RPL. */
static void seg_verify(CPUX86State *env, uint32_t sel, bool write,
                       uintptr_t ra)
{
    int cpl = seg_cpl(env), rpl = sel & 3, dpl;
    uint32_t e1, e2;
    bool ok = false;

    if ((sel & 0xfffc) != 0 && desc_fetch(env, sel, &e1, &e2, ra) &&
        (e2 & DESC_S_MASK)) {
        dpl = desc_dpl(e2);
        if (e2 & DESC_CS_MASK) {
            ok = !write && (e2 & DESC_R_MASK) &&
                 ((e2 & DESC_C_MASK) || (dpl >= cpl && dpl >= rpl));
        } else {
            ok = (!write || (e2 & DESC_W_MASK)) && dpl >= cpl && dpl >= rpl;
        }
    }
    seg_set_zf(env, ok);
}

/* VERR. */
void helper_verr(CPUX86State *env, uint32_t sel)
{
    seg_verify(env, sel, false, GETPC());
}

/* VERW. */
void helper_verw(CPUX86State *env, uint32_t sel)
{
    seg_verify(env, sel, true, GETPC());
}

/* ------------------------------------------------------------------------
 * SYSENTER / SYSEXIT: flat segments derived from SYSENTER_CS
 */

/* A flat 4 GiB segment cache with the given type bits and DPL. */
static void seg_cache_flat(SegmentCache *sc, uint32_t sel, uint32_t type,
                           int dpl)
{
    sc->selector = sel & 0xffff;
    sc->base = 0;
    sc->limit = 0xffffffffu;
    sc->flags = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK |
                DESC_A_MASK | type | ((uint32_t)dpl << DESC_DPL_SHIFT);
}

/* SYSENTER. */
void helper_sysenter(CPUX86State *env)
{
    uint32_t cs = (uint32_t)env->sysenter_cs;

    if ((cs & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, GETPC());
    }
    env->eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
    seg_cache_flat(&env->segs[R_CS], cs & 0xfffc, DESC_CS_MASK | DESC_R_MASK, 0);
    seg_cache_flat(&env->segs[R_SS], (cs + 8) & 0xfffc, DESC_W_MASK, 0);
    env->regs[R_ESP] = (uint32_t)env->sysenter_esp;
    env->eip = (uint32_t)env->sysenter_eip;
    seg_sync_hflags(env, 0);
}

/* SYSEXIT (CPL 0 checked by the translator). */
void helper_sysexit(CPUX86State *env)
{
    uint32_t cs = (uint32_t)env->sysenter_cs;

    if ((cs & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, GETPC());
    }
    seg_cache_flat(&env->segs[R_CS], ((cs + 16) & 0xfffc) | 3,
                   DESC_CS_MASK | DESC_R_MASK, 3);
    seg_cache_flat(&env->segs[R_SS], ((cs + 24) & 0xfffc) | 3, DESC_W_MASK, 3);
    env->regs[R_ESP] = env->regs[R_ECX];
    env->eip = env->regs[R_EDX];
    seg_sync_hflags(env, 3);
}

