/*
 * hamt86 - task switches (segmentation helpers: seg-helper.c).
 *
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
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/machine.h"
#include "translator/seg-internal.h"

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
void task_switch(CPUX86State *env, uint32_t sel, uint32_t e1,
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
void task_jmp_call(CPUX86State *env, uint32_t sel, uint32_t e1,
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
void task_iret(CPUX86State *env, uint32_t next_eip, uintptr_t ra)
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

