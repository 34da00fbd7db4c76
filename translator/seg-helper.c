/*
 * hamt86 - segmentation helpers: segment register loads and far
 * JMP/CALL/RET/IRET.  Task switches are in seg-task.c, LLDT/LTR,
 * LAR/LSL/VERR/VERW and SYSENTER/SYSEXIT in seg-sys.c, the delivery of
 * exceptions and interrupts in seg-int.c, the INT n / IRETD fast path in
 * seg-fast.c; the pieces they share are in seg-internal.h.
 *
 * A segment descriptor (two dwords, e1 low, e2 high):
 *
 *   e2: 31      24 23 22 21 20 19   16 15 14 13 12 11    8 7       0
 *      +----------+--+--+--+--+-------+--+-----+--+-------+---------+
 *      |base 31:24| G|DB| 0|AV|lim19:16| P| DPL | S| type  |base23:16|
 *      +----------+--+--+--+--+-------+--+-----+--+-------+---------+
 *   e1: 31                       16 15                              0
 *      +---------------------------+---------------------------------+
 *      |        base 15:0          |           limit 15:0            |
 *      +---------------------------+---------------------------------+
 *
 * A gate (call / interrupt / trap) keeps selector in e1 31:16, offset
 * 15:0 in e1 15:0 and offset 31:16 in e2 31:16; e2 4:0 is the parameter
 * count of a call gate.  SegmentCache.flags holds e2 & 0x00ffff00.
 *
 * Every check happens before any state changes, so a fault leaves the
 * guest exactly as before the instruction.  Descriptor tables, the TSS
 * and inner-privilege stacks are accessed with supervisor privilege.
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/machine.h"
#include "translator/seg-internal.h"

/* ------------------------------------------------------------------------
 * Small pieces
 */

/* Re-derive hflags after a mode or segment change; cpl < 0 keeps the CPL. */
void seg_sync_hflags(CPUX86State *env, int cpl)
{
    uint32_t hf;

    if (cpl < 0) {
        cpl = env->hflags & HF_CPL_MASK;
    }
    cpu_update_hflags(env);
    hf = env->hflags & ~(HF_CPL_MASK | HF_PE_MASK | HF_VM_MASK | HF_TF_MASK |
                         HF_IOPL_MASK);
    if (env->cr[0] & CR0_PE) {
        hf |= HF_PE_MASK;
        if (env->eflags & VM_MASK) {
            hf |= HF_VM_MASK;
            cpl = 3;
        }
    } else {
        cpl = 0;
    }
    if (env->eflags & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    hf |= env->eflags & IOPL_MASK;
    env->hflags = hf | (uint32_t)cpl;
}

/* Read the descriptor of sel from the GDT/LDT; false if outside the table. */
bool desc_fetch(CPUX86State *env, uint32_t sel, uint32_t *e1,
                uint32_t *e2, uintptr_t ra)
{
    const SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t idx = sel & 0xfff8;

    if (idx + 7 > dt->limit) {
        return false;
    }
    *e1 = seg_ld(env, dt->base + idx, MO_32, MMU_KNOSMAP_IDX, ra);
    *e2 = seg_ld(env, dt->base + idx + 4, MO_32, MMU_KNOSMAP_IDX, ra);
    return true;
}

/* Set the accessed bit of the descriptor of sel if it is clear. */
void desc_set_accessed(CPUX86State *env, uint32_t sel, uint32_t e2,
                       uintptr_t ra)
{
    const SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;

    if (!(e2 & DESC_A_MASK)) {
        seg_st(env, dt->base + (sel & 0xfff8) + 4, e2 | DESC_A_MASK, MO_32,
               MMU_KNOSMAP_IDX, ra);
    }
}

/* Raise vec with error code err (NORETURN wrapper). */
NORETURN void seg_raise(CPUX86State *env, int vec, uint32_t err,
                        uintptr_t ra)
{
    if (unlikely(log_enabled(LOG_INT))) {
        hlog("seg: raise %d err 0x%x at EIP 0x%08x\n", vec, err, env->eip);
    }
    raise_exception_err_ra(env, vec, (int)err, ra);
}

/* ------------------------------------------------------------------------
 * Segment register loads
 */

/* Load data/stack segment seg (not CS) with the protected-mode checks. */
static void load_seg_pm(CPUX86State *env, int seg, uint32_t sel, uintptr_t ra)
{
    int cpl = seg_cpl(env), rpl = sel & 3, dpl;
    uint32_t e1, e2;

    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS) {
            seg_raise(env, EXCP0D_GP, 0, ra);
        }
        seg_cache_null(&env->segs[seg], sel);
        return;
    }
    if (!desc_fetch(env, sel, &e1, &e2, ra) || !(e2 & DESC_S_MASK)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    dpl = desc_dpl(e2);
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (e2 & DESC_CS_MASK) ||
            !(e2 & DESC_W_MASK)) {
            seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
        }
        if (!(e2 & DESC_P_MASK)) {
            seg_raise(env, EXCP0C_SS, sel & 0xfffc, ra);
        }
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK)) {
            seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
        }
        if (!(e2 & DESC_CS_MASK) || !(e2 & DESC_C_MASK)) {
            if (dpl < cpl || dpl < rpl) {
                seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
            }
        }
        if (!(e2 & DESC_P_MASK)) {
            seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
        }
    }
    desc_set_accessed(env, sel, e2, ra);
    seg_cache_set(&env->segs[seg], sel, e1, e2 | DESC_A_MASK);
}

/* MOV/POP Sreg, LDS..LSS: load segment seg with selector sel. */
void helper_load_seg(CPUX86State *env, uint32_t seg, uint32_t sel)
{
    uintptr_t ra = GETPC();

    sel &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        seg_cache_real(&env->segs[seg], sel, (env->eflags & VM_MASK) != 0);
    } else {
        load_seg_pm(env, (int)seg, sel, ra);
    }
    if (seg == R_SS) {
        /* MOV SS / POP SS: no interrupt before the next instruction */
        env->hflags |= HF_INHIBIT_IRQ;
    }
    seg_sync_hflags(env, -1);
}

/* Real-mode / VM86 CS load. */
void load_cs_real(CPUX86State *env, uint32_t sel)
{
    seg_cache_real(&env->segs[R_CS], sel, (env->eflags & VM_MASK) != 0);
}

/*
 * Check a code segment descriptor for a direct far JMP/CALL at CPL cpl:
 * conforming needs DPL <= CPL, non-conforming RPL <= CPL and DPL == CPL.
 */
static void check_code_direct(CPUX86State *env, uint32_t sel, uint32_t e2,
                              int cpl, uintptr_t ra)
{
    int dpl = desc_dpl(e2);

    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (e2 & DESC_C_MASK) {
        if (dpl > cpl) {
            seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
        }
    } else if ((int)(sel & 3) > cpl || dpl != cpl) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
    }
}

/* Real-mode / VM86 far transfer: CS = sel, EIP = eip. */
static void jmp_real(CPUX86State *env, uint32_t sel, uint32_t eip)
{
    load_cs_real(env, sel);
    env->eip = eip;
    seg_sync_hflags(env, -1);
}

/* Protected-mode far transfer: CS = sel with RPL cpl from (e1, e2), EIP = eip. */
static void jmp_prot(CPUX86State *env, uint32_t sel, uint32_t e1, uint32_t e2,
                     int cpl, uint32_t eip)
{
    seg_cache_set(&env->segs[R_CS], (sel & 0xfffc) | cpl, e1, e2);
    env->eip = eip;
    seg_sync_hflags(env, cpl);
}

/* Fetch the descriptor of a far JMP / CALL selector (#GP if null or bad). */
static void far_desc_fetch(CPUX86State *env, uint32_t sel, uint32_t *e1,
                           uint32_t *e2, uintptr_t ra)
{
    if ((sel & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if (!desc_fetch(env, sel, e1, e2, ra)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
}

/* Check a direct far JMP / CALL to code segment sel (e1, e2) at offset. */
static void check_far_direct(CPUX86State *env, uint32_t sel, uint32_t e1,
                             uint32_t e2, int cpl, uint32_t offset,
                             uintptr_t ra)
{
    check_code_direct(env, sel, e2, cpl, ra);
    if (offset > desc_limit(e1, e2)) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
}

/*
 * Check call gate sel (e1, e2) at CPL cpl, then fetch its target and check
 * the target code segment's type.
 */
static void gate_target(CPUX86State *env, uint32_t sel, int cpl,
                        uint32_t gtype, uint32_t e1,
                        uint32_t e2, uint32_t *gsel, uint32_t *goff,
                        uint32_t *c1, uint32_t *c2, uintptr_t ra)
{
    if (desc_dpl(e2) < cpl || desc_dpl(e2) < (int)(sel & 3)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
    }
    *gsel = e1 >> 16;
    *goff = (e1 & 0xffff) | ((gtype & 8) ? (e2 & 0xffff0000u) : 0);
    if ((*gsel & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if (!desc_fetch(env, *gsel, c1, c2, ra) || !(*c2 & DESC_S_MASK) ||
        !(*c2 & DESC_CS_MASK)) {
        seg_raise(env, EXCP0D_GP, *gsel & 0xfffc, ra);
    }
}

/*
 * Check a call gate's target code segment (gsel, c1, c2) at goff: bad_dpl
 * (the caller's privilege rule) is #GP, then not present #NP, then #GP(0).
 */
static void check_gate_code(CPUX86State *env, uint32_t gsel, uint32_t c1,
                            uint32_t c2, uint32_t goff, bool bad_dpl,
                            uintptr_t ra)
{
    if (bad_dpl) {
        seg_raise(env, EXCP0D_GP, gsel & 0xfffc, ra);
    }
    if (!(c2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, gsel & 0xfffc, ra);
    }
    if (goff > desc_limit(c1, c2)) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
}

/* Push the far return address CS:next_eip (size bytes each) at CPL cpl. */
static void push_far_ret(CPUX86State *env, int cpl, int size,
                         uint32_t next_eip, uintptr_t ra)
{
    SegStack st;

    stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], cpl, ra);
    stk_push(env, &st, env->segs[R_CS].selector, size);
    stk_push(env, &st, next_eip, size);
    stk_commit(env, &st);
}

/* Far JMP sel:offset. */
void helper_ljmp(CPUX86State *env, uint32_t sel, uint32_t offset,
                 uint32_t next_eip)
{
    uintptr_t ra = GETPC();
    int cpl = seg_cpl(env);
    uint32_t e1, e2, type, gsel, goff, c1, c2;

    sel &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        jmp_real(env, sel, offset);
        return;
    }
    far_desc_fetch(env, sel, &e1, &e2, ra);
    if (e2 & DESC_S_MASK) {
        check_far_direct(env, sel, e1, e2, cpl, offset, ra);
        /* like QEMU (the reference), CS loads leave the accessed bit */
        jmp_prot(env, sel, e1, e2, cpl, offset);
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    switch (type) {
    case 4:     /* 16-bit call gate */
    case 12:    /* 32-bit call gate */
        gate_target(env, sel, cpl, type, e1, e2, &gsel, &goff, &c1, &c2, ra);
        check_gate_code(env, gsel, c1, c2, goff,
                        (c2 & DESC_C_MASK) ? desc_dpl(c2) > cpl
                                           : desc_dpl(c2) != cpl, ra);
        jmp_prot(env, gsel, c1, c2, cpl, goff);
        return;
    case 1: case 9: case 5:
        task_jmp_call(env, sel, e1, e2, TS_JMP, next_eip, ra);
        return;
    default:
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
}

/* Stack of privilege level dpl from the current TSS. */
void tss_stack(CPUX86State *env, int dpl, uint32_t *ss, uint32_t *esp,
               uintptr_t ra)
{
    bool is32 = ((env->tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint32_t off = is32 ? (uint32_t)dpl * 8 + 4 : (uint32_t)dpl * 4 + 2;

    if (!(env->tr.flags & DESC_P_MASK) ||
        off + (is32 ? 7 : 3) > env->tr.limit) {
        seg_raise(env, EXCP0A_TS, env->tr.selector & 0xfffc, ra);
    }
    if (is32) {
        *esp = seg_ld(env, env->tr.base + off, MO_32, MMU_KNOSMAP_IDX, ra);
        *ss = seg_ld(env, env->tr.base + off + 4, MO_16, MMU_KNOSMAP_IDX, ra);
    } else {
        *esp = seg_ld(env, env->tr.base + off, MO_16, MMU_KNOSMAP_IDX, ra);
        *ss = seg_ld(env, env->tr.base + off + 2, MO_16, MMU_KNOSMAP_IDX, ra);
    }
}

/* Check the inner stack segment ss for privilege dpl (#TS / #SS). */
void check_inner_ss(CPUX86State *env, uint32_t ss, int dpl,
                    uint32_t *s1, uint32_t *s2, uintptr_t ra)
{
    if ((ss & 0xfffc) == 0 || (int)(ss & 3) != dpl ||
        !desc_fetch(env, ss, s1, s2, ra) || desc_dpl(*s2) != dpl ||
        !(*s2 & DESC_S_MASK) || (*s2 & DESC_CS_MASK) || !(*s2 & DESC_W_MASK)) {
        seg_raise(env, EXCP0A_TS, ss & 0xfffc, ra);
    }
    if (!(*s2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0C_SS, ss & 0xfffc, ra);
    }
}

/* Far CALL sel:offset (direct or through a call gate). */
void helper_lcall(CPUX86State *env, uint32_t sel, uint32_t offset,
                  uint32_t opsize, uint32_t next_eip)
{
    uintptr_t ra = GETPC();
    int cpl = seg_cpl(env), size = (int)opsize, dpl, i, nparam;
    uint32_t e1, e2, type, gsel, goff, c1, c2, ss, esp, s1, s2;
    SegStack st, old;
    SegmentCache nss;
    uint32_t params[32];

    sel &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        push_far_ret(env, cpl, size, next_eip, ra);
        jmp_real(env, sel, offset);
        return;
    }
    far_desc_fetch(env, sel, &e1, &e2, ra);
    if (e2 & DESC_S_MASK) {
        check_far_direct(env, sel, e1, e2, cpl, offset, ra);
        push_far_ret(env, cpl, size, next_eip, ra);
        jmp_prot(env, sel, e1, e2, cpl, offset);
        return;
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 15;
    if (type == 1 || type == 9 || type == 5) {
        task_jmp_call(env, sel, e1, e2, TS_CALL, next_eip, ra);
        return;
    }
    if (type != 4 && type != 12) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    gate_target(env, sel, cpl, type, e1, e2, &gsel, &goff, &c1, &c2, ra);
    dpl = desc_dpl(c2);
    check_gate_code(env, gsel, c1, c2, goff, dpl > cpl, ra);
    size = (type & 8) ? 4 : 2;
    if (!(c2 & DESC_C_MASK) && dpl < cpl) {
        /* inner privilege: new stack from the TSS, parameters copied */
        tss_stack(env, dpl, &ss, &esp, ra);
        check_inner_ss(env, ss, dpl, &s1, &s2, ra);
        seg_cache_set(&nss, ss, s1, s2);
        nparam = e2 & 0x1f;
        stk_init(&old, &env->segs[R_SS], env->regs[R_ESP] + nparam * size,
                 cpl, ra);
        for (i = 0; i < nparam; i++) {
            old.sp -= size;
            params[i] = seg_ld(env, old.base + (old.sp & old.mask),
                               size == 4 ? MO_32 : MO_16, old.idx, ra);
        }
        stk_init(&st, &nss, esp, dpl, ra);
        stk_push(env, &st, env->segs[R_SS].selector, size);
        stk_push(env, &st, env->regs[R_ESP], size);
        for (i = 0; i < nparam; i++) {
            stk_push(env, &st, params[i], size);
        }
        stk_push(env, &st, env->segs[R_CS].selector, size);
        stk_push(env, &st, next_eip, size);
        env->segs[R_SS] = nss;
        env->regs[R_ESP] = (esp & ~st.mask) | (st.sp & st.mask);
        cpl = dpl;
    } else {
        push_far_ret(env, cpl, size, next_eip, ra);
    }
    jmp_prot(env, gsel, c1, c2, cpl, goff);
}

/* Returning to an outer level: data segments the new CPL may not use go null. */
static void seg_null_inaccessible(CPUX86State *env, int cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(segs); i++) {
        SegmentCache *sc = &env->segs[segs[i]];
        uint32_t fl = sc->flags;

        if ((sc->selector & 0xfffc) == 0) {
            continue;
        }
        if ((!(fl & DESC_CS_MASK) || !(fl & DESC_C_MASK)) &&
            desc_dpl(fl) < cpl) {
            seg_cache_null(sc, 0);
        }
    }
}

/*
 * The protected-mode return path shared by RETF and IRET: st has popped
 * EIP/CS(/EFLAGS); check CS and, for an outer return, pop ESP/SS.  Loads
 * CS, SS, ESP and EIP and returns the new CPL.
 */
static int pm_return(CPUX86State *env, SegStack *st, uint32_t new_eip,
                     uint32_t new_cs, int size, uint32_t extra, uintptr_t ra)
{
    int cpl = seg_cpl(env), rpl = new_cs & 3, dpl;
    uint32_t e1, e2, new_esp, new_ss, s1, s2;
    SegmentCache nss;

    if ((new_cs & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if (!desc_fetch(env, new_cs, &e1, &e2, ra) || rpl < cpl ||
        !(e2 & DESC_S_MASK) || !(e2 & DESC_CS_MASK)) {
        seg_raise(env, EXCP0D_GP, new_cs & 0xfffc, ra);
    }
    dpl = desc_dpl(e2);
    if ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl) {
        seg_raise(env, EXCP0D_GP, new_cs & 0xfffc, ra);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, new_cs & 0xfffc, ra);
    }
    st->sp += extra;
    if (rpl == cpl) {
        stk_commit(env, st);
        seg_cache_set(&env->segs[R_CS], new_cs, e1, e2);
        env->eip = new_eip;
        return cpl;
    }
    /* outer privilege */
    new_esp = stk_pop(env, st, size);
    new_ss = stk_pop(env, st, size) & 0xffff;
    if ((new_ss & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if ((int)(new_ss & 3) != rpl || !desc_fetch(env, new_ss, &s1, &s2, ra) ||
        !(s2 & DESC_S_MASK) || (s2 & DESC_CS_MASK) || !(s2 & DESC_W_MASK) ||
        desc_dpl(s2) != rpl) {
        seg_raise(env, EXCP0D_GP, new_ss & 0xfffc, ra);
    }
    if (!(s2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0C_SS, new_ss & 0xfffc, ra);
    }
    seg_cache_set(&nss, new_ss, s1, s2);
    seg_cache_set(&env->segs[R_CS], new_cs, e1, e2);
    env->segs[R_SS] = nss;
    new_esp += extra;
    if (nss.flags & DESC_B_MASK) {
        env->regs[R_ESP] = new_esp;
    } else {
        env->regs[R_ESP] = (env->regs[R_ESP] & 0xffff0000u) | (new_esp & 0xffff);
    }
    env->eip = new_eip;
    seg_null_inaccessible(env, rpl);
    return rpl;
}

/* Far RET [imm16]. */
void helper_lret(CPUX86State *env, uint32_t opsize, uint32_t extra)
{
    uintptr_t ra = GETPC();
    int size = (int)opsize, cpl = seg_cpl(env);
    uint32_t new_eip, new_cs;
    SegStack st;

    stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], cpl, ra);
    new_eip = stk_pop(env, &st, size);
    new_cs = stk_pop(env, &st, size) & 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        st.sp += extra;
        stk_commit(env, &st);
        jmp_real(env, new_cs, new_eip);
        return;
    }
    cpl = pm_return(env, &st, new_eip, new_cs, size, extra, ra);
    seg_sync_hflags(env, cpl);
}

/* IRET to VM86: pops ESP, SS, ES, DS, FS, GS after EFLAGS (32-bit only). */
static void iret_to_vm86(CPUX86State *env, SegStack *st, uint32_t new_eip,
                         uint32_t new_cs, uint32_t new_flags)
{
    uint32_t new_esp = stk_pop(env, st, 4);
    uint32_t ss = stk_pop(env, st, 4), es = stk_pop(env, st, 4);
    uint32_t ds = stk_pop(env, st, 4), fs = stk_pop(env, st, 4);
    uint32_t gs = stk_pop(env, st, 4);

    /* EFLAGS <- tempEFLAGS: every defined bit, VIF and VIP included
     * (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE) */
    sys_set_eflags(env, new_flags, EFLAGS_DEFINED);
    seg_cache_real(&env->segs[R_CS], new_cs, true);
    seg_cache_real(&env->segs[R_SS], ss, true);
    seg_cache_real(&env->segs[R_ES], es, true);
    seg_cache_real(&env->segs[R_DS], ds, true);
    seg_cache_real(&env->segs[R_FS], fs, true);
    seg_cache_real(&env->segs[R_GS], gs, true);
    env->regs[R_ESP] = new_esp;
    env->eip = new_eip & 0xffff;
    seg_sync_hflags(env, 3);
}

/* IRET / IRETD: the general path. */
static void iret_general(CPUX86State *env, uint32_t opsize, uint32_t next_eip,
                         uintptr_t ra)
{
    int size = (int)opsize, cpl = seg_cpl(env), new_cpl;
    uint32_t new_eip, new_cs, new_flags, mask;
    SegStack st;

    if ((env->eflags & VM_MASK) && ((env->eflags & IOPL_MASK) >> 12) != 3) {
        seg_raise(env, EXCP0D_GP, 0, ra);
    }
    if ((env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK) &&
        (env->eflags & NT_MASK)) {
        task_iret(env, next_eip, ra);
        return;
    }
    stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], cpl, ra);
    new_eip = stk_pop(env, &st, size);
    new_cs = stk_pop(env, &st, size) & 0xffff;
    new_flags = stk_pop(env, &st, size);

    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        /* real mode: everything but VM/VIF/VIP; VM86: IOPL stays */
        mask = TF_MASK | IF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK |
               RF_MASK | CC_ARITH;
        if (!(env->eflags & VM_MASK)) {
            mask |= IOPL_MASK;
        }
        if (size == 2) {
            mask &= 0xffff;
        }
        stk_commit(env, &st);
        load_cs_real(env, new_cs);
        env->eip = size == 2 ? new_eip & 0xffff : new_eip;
        sys_set_eflags(env, new_flags, mask);
        seg_sync_hflags(env, -1);
        return;
    }
    if (size == 4 && (new_flags & VM_MASK) && cpl == 0) {
        iret_to_vm86(env, &st, new_eip, new_cs, new_flags);
        return;
    }
    mask = TF_MASK | AC_MASK | ID_MASK | RF_MASK | NT_MASK | DF_MASK | CC_ARITH;
    if (cpl <= (int)((env->eflags & IOPL_MASK) >> 12)) {
        mask |= IF_MASK;
    }
    if (cpl == 0) {
        mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    new_cpl = pm_return(env, &st, new_eip, new_cs, size, 0, ra);
    sys_set_eflags(env, new_flags, mask);
    seg_sync_hflags(env, new_cpl);
}

/*
 * IRET / IRETD.  Returns 1 when the fast path (seg-fast.c) did it and no
 * interrupt became deliverable: the translated code may then chain to the
 * target through the jump cache.  0: leave to the execution loop (the
 * general path, which may switch tasks or enter VM86, or IF = 1 with an
 * interrupt pending).
 */
uint32_t helper_iret(CPUX86State *env, uint32_t opsize, uint32_t next_eip)
{
    if (opsize == 4 && seg_iret_fast(env)) {
        return !((env->eflags & IF_MASK) &&
                 (env->interrupt_request & CPU_INTERRUPT_HARD));
    }
    iret_general(env, opsize, next_eip, GETPC());
    return 0;
}

