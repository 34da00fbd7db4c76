/*
 * hamt86 - segmentation and interrupt helpers: segment register loads,
 * far JMP/CALL/RET, IRET, LLDT/LTR, LAR/LSL/VERR/VERW, SYSENTER/SYSEXIT
 * and the delivery of exceptions and interrupts (x86_cpu_do_interrupt).
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
 *
 * Double faults: while an exception is being delivered, env->old_exception
 * holds its vector + 1 (0 = none).  A fault during delivery re-enters
 * x86_cpu_do_interrupt with old_exception still set, which applies the
 * SDM's contributory/page-fault table (#DF) and stops the machine on a
 * fault while delivering #DF (triple fault: a reset, exit status 0 as
 * qemu-system-i386 -no-reboot).
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


#define TRIPLE_FAULT_STATUS 0   /* a reset: as -no-reboot (README, --help) */

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

/* Linear load of a memop at privilege idx. */
static inline uint32_t seg_ld(CPUX86State *env, uint32_t addr, unsigned mo,
                              unsigned idx, uintptr_t ra)
{
    if (!(env->cr[0] & CR0_PG)) {
        idx = MMU_PHYS_IDX;
    }
    return mem_ld_helper(env, addr, MAKE_OI(mo, idx), ra);
}

/* Linear store of a memop at privilege idx. */
static inline void seg_st(CPUX86State *env, uint32_t addr, uint32_t v,
                          unsigned mo, unsigned idx, uintptr_t ra)
{
    if (!(env->cr[0] & CR0_PG)) {
        idx = MMU_PHYS_IDX;
    }
    mem_st_helper(env, addr, v, MAKE_OI(mo, idx), ra);
}

/* Segment cache of a real-mode (vm86: dpl 3) segment sel. */
static void seg_cache_real(SegmentCache *sc, uint32_t sel, bool vm86)
{
    sc->selector = sel & 0xffff;
    sc->base = (sel & 0xffff) << 4;
    sc->limit = 0xffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                (vm86 ? 3u << DESC_DPL_SHIFT : 0);
}

/* Null segment cache. */
static void seg_cache_null(SegmentCache *sc, uint32_t sel)
{
    sc->selector = sel & 0xffff;
    sc->base = 0;
    sc->limit = 0;
    sc->flags = 0;
}

/* Read the descriptor of sel from the GDT/LDT; false if outside the table. */
static bool desc_fetch(CPUX86State *env, uint32_t sel, uint32_t *e1,
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
static void desc_set_accessed(CPUX86State *env, uint32_t sel, uint32_t e2,
                              uintptr_t ra)
{
    const SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;

    if (!(e2 & DESC_A_MASK)) {
        seg_st(env, dt->base + (sel & 0xfff8) + 4, e2 | DESC_A_MASK, MO_32,
               MMU_KNOSMAP_IDX, ra);
    }
}

/* Raise vec with error code err (NORETURN wrapper). */
static NORETURN void seg_raise(CPUX86State *env, int vec, uint32_t err,
                               uintptr_t ra)
{
    if (unlikely(log_enabled(LOG_INT))) {
        hlog("seg: raise %d err 0x%x at EIP 0x%08x\n", vec, err, env->eip);
    }
    raise_exception_err_ra(env, vec, (int)err, ra);
}

/* A stack being pushed or popped: SS base, offset mask (SS.B), offset. */
typedef struct SegStack {
    uint32_t base, mask, sp;
    unsigned idx;
    uintptr_t ra;
} SegStack;

/* Start a stack walk on the SS cache ss at offset sp. */
static void stk_init(SegStack *st, const SegmentCache *ss, uint32_t sp,
                     int cpl, uintptr_t ra)
{
    st->base = ss->base;
    st->mask = (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
    st->sp = sp;
    st->idx = seg_idx(cpl);
    st->ra = ra;
}

/* Push size (2 or 4) bytes. */
static void stk_push(CPUX86State *env, SegStack *st, uint32_t v, int size)
{
    st->sp -= size;
    seg_st(env, st->base + (st->sp & st->mask), v, size == 4 ? MO_32 : MO_16,
           st->idx, st->ra);
}

/* Pop size (2 or 4) bytes (zero-extended). */
static uint32_t stk_pop(CPUX86State *env, SegStack *st, int size)
{
    uint32_t v = seg_ld(env, st->base + (st->sp & st->mask),
                        size == 4 ? MO_32 : MO_16, st->idx, st->ra);

    st->sp += size;
    return v;
}

/* ESP = the walk's offset (only SP for a 16-bit stack). */
static void stk_commit(CPUX86State *env, const SegStack *st)
{
    env->regs[R_ESP] = (env->regs[R_ESP] & ~st->mask) | (st->sp & st->mask);
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
static void load_cs_real(CPUX86State *env, uint32_t sel)
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

/* ------------------------------------------------------------------------
 * Task switches: JMP/CALL to a TSS or task gate, IRET with NT, task gates
 * in the IDT.  TSS layouts (offsets):
 *   32-bit: 0 link, 4 + 8n ESPn/SSn, 1c CR3, 20 EIP, 24 EFLAGS,
 *           28..44 EAX..EDI, 48..5c ES CS SS DS FS GS, 60 LDT, 64 T, 66 I/O map
 *   16-bit: 0 link, 2 + 4n SPn/SSn, e IP, 10 FLAGS, 12..20 AX..DI,
 *           22..28 ES CS SS DS, 2a LDT
 * Checks on the new TSS happen before any state changes; once the old
 * state is saved and TR points at the new task, faults (segment loads,
 * EIP outside CS) are raised in the new task's context (ra 0: no unwind).
 */
enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };
#define TSS_BUSY (2u << DESC_TYPE_SHIFT)

/* Supervisor linear accesses of the switch. */
static uint32_t ts_ld(CPUX86State *env, uint32_t a, unsigned mo, uintptr_t ra)
{
    return seg_ld(env, a, mo, MMU_KNOSMAP_IDX, ra);
}

/* Store counterpart of ts_ld. */
static void ts_st(CPUX86State *env, uint32_t a, uint32_t v, unsigned mo,
                  uintptr_t ra)
{
    seg_st(env, a, v, mo, MMU_KNOSMAP_IDX, ra);
}

/* Set or clear the busy bit of GDT TSS descriptor sel. */
static void ts_set_busy(CPUX86State *env, uint32_t sel, bool busy,
                        uintptr_t ra)
{
    uint32_t a = env->gdt.base + (sel & 0xfff8) + 4;
    uint32_t e2 = ts_ld(env, a, MO_32, ra);

    ts_st(env, a, busy ? e2 | TSS_BUSY : e2 & ~TSS_BUSY, MO_32, ra);
}

/* Load segment seg of the incoming task (#TS, or #NP/#SS if not present). */
static void ts_load_seg(CPUX86State *env, int seg, uint32_t sel, int cpl)
{
    int rpl = sel & 3, dpl;
    uint32_t e1, e2;
    bool bad;

    if ((sel & 0xfffc) == 0) {
        if (seg == R_CS || seg == R_SS) {
            seg_raise(env, EXCP0A_TS, 0, 0);
        }
        seg_cache_null(&env->segs[seg], sel);
        return;
    }
    if (!desc_fetch(env, sel, &e1, &e2, 0) || !(e2 & DESC_S_MASK)) {
        seg_raise(env, EXCP0A_TS, sel & 0xfffc, 0);
    }
    dpl = desc_dpl(e2);
    if (seg == R_CS) {
        bad = !(e2 & DESC_CS_MASK) ||
              ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl);
    } else if (seg == R_SS) {
        bad = (e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) || dpl != cpl ||
              rpl != cpl;
    } else {
        bad = ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK)) ||
              (!((e2 & DESC_CS_MASK) && (e2 & DESC_C_MASK)) &&
               (dpl < cpl || dpl < rpl));
    }
    if (bad) {
        seg_raise(env, EXCP0A_TS, sel & 0xfffc, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, seg == R_SS ? EXCP0C_SS : EXCP0B_NP, sel & 0xfffc, 0);
    }
    if (seg != R_CS) {
        desc_set_accessed(env, sel, e2, 0);
        e2 |= DESC_A_MASK;
    }
    seg_cache_set(&env->segs[seg], sel, e1, e2);
}

/*
 * Switch to the task of TSS descriptor (e1, e2) at GDT selector sel.
 * next_eip is saved as the outgoing task's EIP.  Returns with the new
 * task's state loaded (the caller pushes an error code if needed).
 */
static void task_switch(CPUX86State *env, uint32_t sel, uint32_t e1,
                        uint32_t e2, int source, uint32_t next_eip,
                        uintptr_t ra)
{
    bool n32 = ((e2 >> DESC_TYPE_SHIFT) & 8) != 0;
    bool o32 = ((env->tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint32_t nb = desc_base(e1, e2), nlim = desc_limit(e1, e2);
    uint32_t ob = env->tr.base, regs[CPU_NB_REGS], segsel[CPU_NB_SEGS];
    uint32_t eip, fl, ofl, ldt, cr3 = 0, mask, l1, l2;
    int i, cpl;

    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
    }
    if (nlim < (n32 ? 103u : 43u)) {
        seg_raise(env, EXCP0A_TS, sel & 0xfffc, ra);
    }
    if (env->tr.limit < (o32 ? 103u : 43u)) {
        seg_raise(env, EXCP0A_TS, env->tr.selector & 0xfffc, ra);
    }
    if (unlikely(log_enabled(LOG_INT))) {
        hlog("seg: task switch %d from 0x%04x to 0x%04x\n", source,
             env->tr.selector, sel);
    }
    /* read the incoming state */
    if (n32) {
        cr3 = ts_ld(env, nb + 0x1c, MO_32, ra);
        eip = ts_ld(env, nb + 0x20, MO_32, ra);
        fl = ts_ld(env, nb + 0x24, MO_32, ra);
        for (i = 0; i < CPU_NB_REGS; i++) {
            regs[i] = ts_ld(env, nb + 0x28 + i * 4, MO_32, ra);
        }
        for (i = 0; i < CPU_NB_SEGS; i++) {
            segsel[i] = ts_ld(env, nb + 0x48 + i * 4, MO_16, ra);
        }
        ldt = ts_ld(env, nb + 0x60, MO_16, ra);
    } else {
        eip = ts_ld(env, nb + 0x0e, MO_16, ra);
        fl = ts_ld(env, nb + 0x10, MO_16, ra);
        for (i = 0; i < CPU_NB_REGS; i++) {
            regs[i] = ts_ld(env, nb + 0x12 + i * 2, MO_16, ra) | 0xffff0000u;
        }
        for (i = 0; i < 4; i++) {
            segsel[i] = ts_ld(env, nb + 0x22 + i * 2, MO_16, ra);
        }
        segsel[R_FS] = segsel[R_GS] = 0;
        ldt = ts_ld(env, nb + 0x2a, MO_16, ra);
    }

    /* the outgoing task: busy bit (JMP/IRET) and its dynamic state */
    if (source == TS_JMP || source == TS_IRET) {
        ts_set_busy(env, env->tr.selector, false, ra);
    }
    ofl = sys_get_eflags(env);
    if (source == TS_IRET) {
        ofl &= ~NT_MASK;
    }
    if (o32) {
        ts_st(env, ob + 0x20, next_eip, MO_32, ra);
        ts_st(env, ob + 0x24, ofl, MO_32, ra);
        for (i = 0; i < CPU_NB_REGS; i++) {
            ts_st(env, ob + 0x28 + i * 4, env->regs[i], MO_32, ra);
        }
        for (i = 0; i < CPU_NB_SEGS; i++) {
            ts_st(env, ob + 0x48 + i * 4, env->segs[i].selector, MO_16, ra);
        }
    } else {
        ts_st(env, ob + 0x0e, next_eip, MO_16, ra);
        ts_st(env, ob + 0x10, ofl, MO_16, ra);
        for (i = 0; i < CPU_NB_REGS; i++) {
            ts_st(env, ob + 0x12 + i * 2, env->regs[i], MO_16, ra);
        }
        for (i = 0; i < 4; i++) {
            ts_st(env, ob + 0x22 + i * 2, env->segs[i].selector, MO_16, ra);
        }
    }
    /* the incoming task: back link and NT (CALL/INT), busy bit */
    if (source == TS_CALL || source == TS_INT) {
        ts_st(env, nb, env->tr.selector, MO_16, ra);
        fl |= NT_MASK;
    }
    if (source != TS_IRET) {
        ts_set_busy(env, sel, true, ra);
    }

    /* commit: from here on faults belong to the new task */
    env->tr.selector = sel & 0xffff;
    env->tr.base = nb;
    env->tr.limit = nlim;
    env->tr.flags = DESC_FLAGS(e2) | TSS_BUSY;
    env->cr[0] |= CR0_TS;
    if (n32 && (env->cr[0] & CR0_PG)) {
        env->cr[3] = cr3;
        tlb_flush_nonglobal(env);
    } else if (n32) {
        env->cr[3] = cr3;
    }
    env->eip = eip;
    for (i = 0; i < CPU_NB_REGS; i++) {
        env->regs[i] = regs[i];
    }
    /* every defined bit from a 32-bit TSS, VIF/VIP included (SDM 7.3;
     * QEMU 7.2 keeps the old VIF/VIP) */
    mask = EFLAGS_DEFINED;
    sys_set_eflags(env, fl, n32 ? mask : mask & 0xffff);
    for (i = 0; i < CPU_NB_SEGS; i++) {
        seg_cache_null(&env->segs[i], segsel[i]);
    }
    seg_cache_null(&env->ldt, ldt);
    if (env->eflags & VM_MASK) {
        for (i = 0; i < CPU_NB_SEGS; i++) {
            seg_cache_real(&env->segs[i], segsel[i], true);
        }
        cpl = 3;
    } else {
        cpl = segsel[R_CS] & 3;
    }
    seg_sync_hflags(env, cpl);
    if (ldt & 4) {
        seg_raise(env, EXCP0A_TS, ldt & 0xfffc, 0);
    }
    if ((ldt & 0xfffc) != 0) {
        if (!desc_fetch(env, ldt, &l1, &l2, 0) || (l2 & DESC_S_MASK) ||
            ((l2 >> DESC_TYPE_SHIFT) & 15) != 2 || !(l2 & DESC_P_MASK)) {
            seg_raise(env, EXCP0A_TS, ldt & 0xfffc, 0);
        }
        seg_cache_set(&env->ldt, ldt, l1, l2);
    }
    if (!(env->eflags & VM_MASK)) {
        static const int order[] = { R_CS, R_SS, R_DS, R_ES, R_FS, R_GS };
        for (i = 0; i < CPU_NB_SEGS; i++) {
            ts_load_seg(env, order[i], segsel[order[i]], cpl);
        }
    }
    seg_sync_hflags(env, cpl);
    if (env->eip > env->segs[R_CS].limit) {
        seg_raise(env, EXCP0D_GP, 0, 0);
    }
}

/*
 * JMP/CALL to a TSS (type 1/9) or task gate (type 5) descriptor (e1, e2)
 * at sel: privilege and type checks, then the switch.
 */
static void task_jmp_call(CPUX86State *env, uint32_t sel, uint32_t e1,
                          uint32_t e2, int source, uint32_t next_eip,
                          uintptr_t ra)
{
    int cpl = seg_cpl(env), dpl = desc_dpl(e2);
    uint32_t type = (e2 >> DESC_TYPE_SHIFT) & 15, tsel;

    if (dpl < cpl || dpl < (int)(sel & 3)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, ra);
    }
    if (type == 5) {
        if (!(e2 & DESC_P_MASK)) {
            seg_raise(env, EXCP0B_NP, sel & 0xfffc, ra);
        }
        tsel = e1 >> 16;
        if ((tsel & 4) || !desc_fetch(env, tsel, &e1, &e2, ra) ||
            (e2 & DESC_S_MASK) ||
            (((e2 >> DESC_TYPE_SHIFT) & 15) != 1 &&
             ((e2 >> DESC_TYPE_SHIFT) & 15) != 9)) {
            seg_raise(env, EXCP0D_GP, tsel & 0xfffc, ra);
        }
        sel = tsel;
    }
    task_switch(env, sel, e1, e2, source, next_eip, ra);
}

/* IRET with NT: return to the task in the current TSS's back link. */
static void task_iret(CPUX86State *env, uint32_t next_eip, uintptr_t ra)
{
    uint32_t link = ts_ld(env, env->tr.base, MO_16, ra), e1, e2, type;

    if ((link & 4) || !desc_fetch(env, link, &e1, &e2, ra)) {
        seg_raise(env, EXCP0A_TS, link & 0xfffc, ra);
    }
    type = (e2 >> DESC_TYPE_SHIFT) & 0x17;   /* with S */
    if (type != 3 && type != 11) {
        seg_raise(env, EXCP0A_TS, link & 0xfffc, ra);
    }
    task_switch(env, link, e1, e2, TS_IRET, next_eip, ra);
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
static void tss_stack(CPUX86State *env, int dpl, uint32_t *ss, uint32_t *esp,
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
static void check_inner_ss(CPUX86State *env, uint32_t ss, int dpl,
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

/* ------------------------------------------------------------------------
 * Interrupt and exception delivery
 */

/* INT n / INT3 / INTO from translated code (EIP of the insn is stored):
 * returns when the fast path (seg-fast.c) delivered it, else leaves to the
 * execution loop, which delivers it through the general path. */
void helper_raise_interrupt(CPUX86State *env, uint32_t intno,
                            uint32_t next_eip)
{
    if (!seg_int_fast(env, (int)intno, next_eip)) {
        raise_interrupt(env, (int)intno, 1, 0, next_eip, 0);
    }
    stats.exceptions++;   /* as the loop counts the general path's */
}

/* Vectors that push an error code. */
static bool vec_has_error_code(int intno)
{
    return intno == EXCP08_DF || (intno >= EXCP0A_TS && intno <= EXCP0E_PF) ||
           intno == EXCP11_AC;
}

/* #DE, #TS, #NP, #SS, #GP: the contributory class. */
static bool vec_contributory(int intno)
{
    return intno == EXCP00_DE || (intno >= EXCP0A_TS && intno <= EXCP0D_GP);
}

/* A fault while delivering #DF: report and stop the machine. */
static NORETURN void triple_fault(CPUX86State *env, int intno)
{
    char buf[256];
    int n;

    n = h_snprintf(buf, sizeof(buf),
                   "hamt86: triple fault at EIP 0x%08x%s (CS 0x%04x, "
                   "vector %d during #DF)\n", env->eip,
                   LOG_SYM(env->segs[R_CS].base + env->eip),
                   env->segs[R_CS].selector, intno);
    os_write(2, buf, (size_t)n);
    env->old_exception = 0;
    machine_request_exit(TRIPLE_FAULT_STATUS);
    env->exit_request = 1;
    env->exception_index = EXCP_EXIT;
    cpu_loop_exit(env);
}

/* Real-mode delivery through the IVT (4-byte entries at IDTR.base). */
static void do_interrupt_real(CPUX86State *env, int intno, uint32_t ret_eip)
{
    uint32_t ent = (uint32_t)intno * 4, off, sel;
    SegStack st;

    if (ent + 3 > env->idt.limit) {
        seg_raise(env, EXCP0D_GP, ent * 2 + 2, 0);
    }
    off = seg_ld(env, env->idt.base + ent, MO_16, MMU_KNOSMAP_IDX, 0);
    sel = seg_ld(env, env->idt.base + ent + 2, MO_16, MMU_KNOSMAP_IDX, 0);
    stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], 0, 0);
    stk_push(env, &st, sys_get_eflags(env), 2);
    stk_push(env, &st, env->segs[R_CS].selector, 2);
    stk_push(env, &st, ret_eip, 2);
    stk_commit(env, &st);
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    load_cs_real(env, sel);
    env->eip = off;
    seg_sync_hflags(env, 0);
}

/* Delivery through a task gate of the IDT: switch, then push the error code. */
static void do_interrupt_task(CPUX86State *env, int intno, bool is_int,
                              bool has_err, uint32_t err, uint32_t ret_eip,
                              uint32_t e1, uint32_t e2)
{
    uint32_t gerr = (uint32_t)intno * 8 + 2, tsel = e1 >> 16, t1, t2;
    SegStack st;

    if (is_int && desc_dpl(e2) < seg_cpl(env)) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, gerr, 0);
    }
    if ((tsel & 4) || !desc_fetch(env, tsel, &t1, &t2, 0) ||
        (t2 & DESC_S_MASK) || (((t2 >> DESC_TYPE_SHIFT) & 15) != 1 &&
                               ((t2 >> DESC_TYPE_SHIFT) & 15) != 9)) {
        seg_raise(env, EXCP0D_GP, tsel & 0xfffc, 0);
    }
    task_switch(env, tsel, t1, t2, TS_INT, ret_eip, 0);
    if (has_err) {
        int size = ((t2 >> DESC_TYPE_SHIFT) & 8) ? 4 : 2;

        stk_init(&st, &env->segs[R_SS], env->regs[R_ESP], seg_cpl(env), 0);
        stk_push(env, &st, err, size);
        stk_commit(env, &st);
    }
}

/* Protected-mode delivery through an interrupt or trap gate of the IDT. */
static void do_interrupt_pm(CPUX86State *env, int intno, bool is_int,
                            bool has_err, uint32_t err, uint32_t ret_eip)
{
    int cpl = seg_cpl(env), dpl, size, new_cpl;
    uint32_t gerr = (uint32_t)intno * 8 + 2;
    uint32_t e1, e2, type, sel, off, c1, c2, ss = 0, esp = 0, s1, s2, fl;
    bool vm86 = (env->eflags & VM_MASK) != 0, inner = false;
    SegmentCache nss;
    SegStack st;

    if ((uint32_t)intno * 8 + 7 > env->idt.limit) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    e1 = seg_ld(env, env->idt.base + intno * 8, MO_32, MMU_KNOSMAP_IDX, 0);
    e2 = seg_ld(env, env->idt.base + intno * 8 + 4, MO_32, MMU_KNOSMAP_IDX, 0);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;   /* includes S */
    switch (type) {
    case 6: case 7: case 14: case 15:
        break;
    case 5:
        do_interrupt_task(env, intno, is_int, has_err, err, ret_eip, e1, e2);
        return;
    default:
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (is_int && desc_dpl(e2) < cpl) {
        seg_raise(env, EXCP0D_GP, gerr, 0);
    }
    if (!(e2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, gerr, 0);
    }
    sel = e1 >> 16;
    off = (e2 & 0xffff0000u) | (e1 & 0xffff);
    if ((sel & 0xfffc) == 0) {
        seg_raise(env, EXCP0D_GP, 0, 0);
    }
    if (!desc_fetch(env, sel, &c1, &c2, 0) || !(c2 & DESC_S_MASK) ||
        !(c2 & DESC_CS_MASK)) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    dpl = desc_dpl(c2);
    if (dpl > cpl) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    if (!(c2 & DESC_P_MASK)) {
        seg_raise(env, EXCP0B_NP, sel & 0xfffc, 0);
    }
    if (!(c2 & DESC_C_MASK) && dpl < cpl) {
        inner = true;
        tss_stack(env, dpl, &ss, &esp, 0);
        check_inner_ss(env, ss, dpl, &s1, &s2, 0);
        seg_cache_set(&nss, ss, s1, s2);
        new_cpl = dpl;
    } else if ((c2 & DESC_C_MASK) || dpl == cpl) {
        if (vm86) {
            seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
        }
        nss = env->segs[R_SS];
        esp = env->regs[R_ESP];
        new_cpl = cpl;
    } else {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }
    if (vm86 && dpl != 0) {
        seg_raise(env, EXCP0D_GP, sel & 0xfffc, 0);
    }

    size = (type & 8) ? 4 : 2;
    fl = sys_get_eflags(env);
    stk_init(&st, &nss, esp, new_cpl, 0);
    if (inner) {
        if (vm86) {
            stk_push(env, &st, env->segs[R_GS].selector, size);
            stk_push(env, &st, env->segs[R_FS].selector, size);
            stk_push(env, &st, env->segs[R_DS].selector, size);
            stk_push(env, &st, env->segs[R_ES].selector, size);
        }
        stk_push(env, &st, env->segs[R_SS].selector, size);
        stk_push(env, &st, env->regs[R_ESP], size);
    }
    stk_push(env, &st, fl, size);
    stk_push(env, &st, env->segs[R_CS].selector, size);
    stk_push(env, &st, ret_eip, size);
    if (has_err) {
        stk_push(env, &st, err, size);
    }

    /* commit */
    if (inner) {
        env->segs[R_SS] = nss;
        env->regs[R_ESP] = (esp & ~st.mask) | (st.sp & st.mask);
        if (vm86) {
            seg_cache_null(&env->segs[R_ES], 0);
            seg_cache_null(&env->segs[R_DS], 0);
            seg_cache_null(&env->segs[R_FS], 0);
            seg_cache_null(&env->segs[R_GS], 0);
        }
    } else {
        stk_commit(env, &st);
    }
    seg_cache_set(&env->segs[R_CS], (sel & 0xfffc) | new_cpl, c1, c2);
    env->eip = size == 2 ? off & 0xffff : off;
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~IF_MASK;   /* interrupt gate */
    }
    seg_sync_hflags(env, new_cpl);
}

/* Deliver one event: exceptions, software INT n (is_int) and external
 * interrupts (is_hw: never an error code). */
static void do_interrupt_all(CPUX86State *env, int intno, bool is_int,
                             bool is_hw, uint32_t err, uint32_t next_eip)
{
    uint32_t ret_eip = is_int ? next_eip : env->eip;
    int old = env->old_exception > 0 ? env->old_exception - 1 : -1;
    bool has_err;

    if (old >= 0 && !is_int && !is_hw) {
        /* a fault while delivering old: the SDM's double-fault table */
        if (old == EXCP08_DF) {
            triple_fault(env, intno);
        }
        if ((vec_contributory(old) && vec_contributory(intno)) ||
            (old == EXCP0E_PF && (vec_contributory(intno) ||
                                  intno == EXCP0E_PF))) {
            intno = EXCP08_DF;
            err = 0;
        }
    }
    has_err = !is_int && !is_hw && vec_has_error_code(intno);
    env->old_exception = (is_int || is_hw) ? 0 : intno + 1;

    if (log_enabled(LOG_INT)) {
        hlog("int: vector 0x%02x%s%s err 0x%x at %04x:%08x%s ESP %08x "
             "CPL %d%s\n", intno, is_int ? " (soft)" : "",
             is_hw ? " (hw)" : "", has_err ? err : 0,
             env->segs[R_CS].selector, env->eip,
             LOG_SYM(env->segs[R_CS].base + env->eip), env->regs[R_ESP],
             seg_cpl(env), intno == EXCP0E_PF ? " (#PF)" : "");
        if (intno == EXCP0E_PF) {
            hlog("int: CR2 %08x\n", env->cr[2]);
        }
    }

    if (env->cr[0] & CR0_PE) {
        do_interrupt_pm(env, intno, is_int, has_err, err, ret_eip);
    } else {
        do_interrupt_real(env, intno, ret_eip);
    }
    env->old_exception = 0;
    env->hflags &= ~HF_INHIBIT_IRQ;
    env->halted = false;
}

/* Deliver env->exception_index (an exception or software interrupt). */
void x86_cpu_do_interrupt(CPUX86State *env)
{
    int intno = env->exception_index;

    if (intno < 0 || intno >= 256) {
        return;
    }
    do_interrupt_all(env, intno, env->exception_is_int != 0, false,
                     (uint32_t)env->error_code, env->exception_next_eip);
}

/* Deliver external interrupt vector intno (PIC): no error code, no DPL check. */
void x86_cpu_do_hw_interrupt(CPUX86State *env, int intno)
{
    do_interrupt_all(env, intno & 0xff, false, true, 0, env->eip);
}
