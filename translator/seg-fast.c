/*
 * hamt86 - the fast path of INT n and IRETD between protected-mode rings
 * (the system-call round trip), done inside the helper that translated
 * code calls, without a longjmp to the execution loop.
 *
 * It takes only the common case, and takes it exactly as the general path
 * (seg-helper.c do_interrupt_pm / helper_iret) would:
 *
 *   INT n  (also INT3, INTO)         IRETD
 *   -------------------------        ------------------------------------
 *   CR0.PE, not VM86, no -d int      CR0.PE, not VM86, NT = 0, 32-bit
 *   32-bit interrupt / trap gate,    stack (SS.B), the popped EFLAGS does
 *   present, gate DPL >= CPL         not enter VM86
 *   code segment: present, DPL <=    code segment: RPL >= CPL, present,
 *   CPL; inner ring: 32-bit TSS,     the DPL rule; outer ring: the SS
 *   SS0 checked as the general path  checked as the general path
 *   32-bit stack (SS.B), ESP >= frame
 *
 * Every guest access (the gate, the descriptors, the TSS stack pointer,
 * the frame) must hit the softmmu TLB (core/mem.h mem_tlb_host) at the
 * privilege the general path uses, 4-aligned and within one page; a store
 * needs a writable entry without TLB_* flags (so no code page, no page
 * table, no watchpoint, no clear dirty bit).  Anything else, and every
 * check that would fault, returns false before any state changed: the
 * caller then runs the general path, which raises the exact fault (#GP,
 * #NP, #TS, #SS, #PF on a frame push or pop) or fills the TLB.  Nothing
 * is cached: the descriptors are read from guest memory every time.
 *
 * Frames (32-bit, lowest address first, as the general path writes them):
 *
 *   same ring:   ESP -> | EIP | CS | EFLAGS |
 *   inner ring:  ESP -> | EIP | CS | EFLAGS | old ESP | old SS |
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "translator/seg-internal.h"

/* The frame words are read and written as host words: little-endian. */
BUILD_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

typedef uint32_t __attribute__((may_alias)) seg_word;

/* The helpers below are small and called several times per instruction:
 * inline them on every host (clang-16 for LoongArch otherwise calls them). */
#define FW_INLINE static inline __attribute__((always_inline))

/* Guest dword at host address p (4-aligned). */
FW_INLINE uint32_t fw_ld(const uint8_t *p)
{
    return *(const seg_word *)(const void *)p;
}

/* Store guest dword v at host address p (4-aligned). */
FW_INLINE void fw_st(uint8_t *p, uint32_t v)
{
    *(seg_word *)(void *)p = v;
}

/* Host address of len bytes at linear addr for an access at MMU index idx
 * (physical with paging off) that the TLB allows, 4-aligned; else NULL. */
FW_INLINE uint8_t *fw_host(CPUX86State *env, uint32_t addr, unsigned len,
                               unsigned idx, bool store)
{
    uint8_t *p;

    if (!(env->cr[0] & CR0_PG)) {
        idx = MMU_PHYS_IDX;
    }
    if (addr & 3) {
        return NULL;
    }
    p = mem_tlb_host(env, addr, len, idx, store);
    return ((uintptr_t)p & 3) ? NULL : p;
}

/* The descriptor of sel in the GDT/LDT: e1, e2; false if outside the
 * table or not in the TLB (the general path decides). */
FW_INLINE bool fw_desc(CPUX86State *env, uint32_t sel, uint32_t *e1,
                           uint32_t *e2)
{
    const SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t i = sel & 0xfff8;
    const uint8_t *p;

    if (i + 7 > dt->limit) {
        return false;
    }
    p = fw_host(env, dt->base + i, 8, MMU_KNOSMAP_IDX, false);
    if (p == NULL) {
        return false;
    }
    *e1 = fw_ld(p);
    *e2 = fw_ld(p + 4);
    return true;
}

/* hflags after a fast INT or IRET: protected mode, not VM86, CPL cpl
 * (what cpu_update_hflags + seg_sync_hflags compute in that case). */
FW_INLINE void fw_hflags(CPUX86State *env, int cpl)
{
    uint32_t hf = (env->hflags & HF_INHIBIT_IRQ) | HF_PE_MASK | (uint32_t)cpl;
    uint32_t ef = env->eflags;

    if (env->cr[0] & CR0_PG) {
        hf |= HF_PG_MASK;
    }
    if (env->segs[R_CS].flags & DESC_B_MASK) {
        hf |= HF_CS32_MASK;
    }
    if (env->segs[R_SS].flags & DESC_B_MASK) {
        hf |= HF_SS32_MASK;
    }
    if (!(hf & HF_CS32_MASK) || (env->segs[R_DS].base | env->segs[R_ES].base |
                                 env->segs[R_SS].base)) {
        hf |= HF_ADDSEG_MASK;
    }
    if (ef & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    hf |= ef & IOPL_MASK;
    if ((env->cr[4] & CR4_SMAP) && !(ef & AC_MASK)) {
        hf |= HF_SMAP_MASK;
    }
    env->hflags = hf;
}
BUILD_ASSERT(HF_IOPL_MASK == IOPL_MASK);

/* A return to outer ring cpl: a data segment it may not use goes null
 * (seg_null_inaccessible, unrolled). */
FW_INLINE void fw_null_seg(SegmentCache *sc, int cpl)
{
    uint32_t fl = sc->flags;

    if ((sc->selector & 0xfffc) != 0 && desc_dpl(fl) < cpl &&
        (!(fl & DESC_CS_MASK) || !(fl & DESC_C_MASK))) {
        sc->selector = 0;
        sc->base = 0;
        sc->limit = 0;
        sc->flags = 0;
    }
}

/* Software INT intno from protected mode through a 32-bit gate, returning
 * to next_eip; false (nothing changed) = the general path must do it. */
bool seg_int_fast(CPUX86State *env, int intno, uint32_t next_eip)
{
    int cpl = seg_cpl(env), dpl, new_cpl;
    uint32_t e1, e2, type, sel, off, c1, c2, s1, s2, esp, sp, ss_sel, n;
    const SegmentCache *ss = &env->segs[R_SS];
    SegmentCache nss;
    const uint8_t *p;
    uint8_t *fr;

    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK) ||
        log_enabled(LOG_INT) || (uint32_t)intno * 8 + 7 > env->idt.limit) {
        return false;
    }
    /* the gate */
    p = fw_host(env, env->idt.base + (uint32_t)intno * 8, 8, MMU_KNOSMAP_IDX,
                false);
    if (p == NULL) {
        return false;
    }
    e1 = fw_ld(p);
    e2 = fw_ld(p + 4);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;   /* includes S */
    if ((type != 14 && type != 15) || desc_dpl(e2) < cpl ||
        !(e2 & DESC_P_MASK)) {
        return false;
    }
    sel = e1 >> 16;
    off = (e2 & 0xffff0000u) | (e1 & 0xffff);
    /* the code segment */
    if ((sel & 0xfffc) == 0 || !fw_desc(env, sel, &c1, &c2) ||
        !(c2 & DESC_S_MASK) || !(c2 & DESC_CS_MASK) || !(c2 & DESC_P_MASK)) {
        return false;
    }
    dpl = desc_dpl(c2);
    if (dpl > cpl) {
        return false;
    }
    if (!(c2 & DESC_C_MASK) && dpl < cpl) {
        /* inner ring: SS:ESP from the (32-bit) TSS */
        uint32_t toff = (uint32_t)dpl * 8 + 4;

        if (!(env->tr.flags & DESC_P_MASK) ||
            !((env->tr.flags >> DESC_TYPE_SHIFT) & 8) ||
            toff + 7 > env->tr.limit) {
            return false;
        }
        p = fw_host(env, env->tr.base + toff, 8, MMU_KNOSMAP_IDX, false);
        if (p == NULL) {
            return false;
        }
        esp = fw_ld(p);
        ss_sel = fw_ld(p + 4) & 0xffff;
        if ((ss_sel & 0xfffc) == 0 || (int)(ss_sel & 3) != dpl ||
            !fw_desc(env, ss_sel, &s1, &s2) || desc_dpl(s2) != dpl ||
            !(s2 & DESC_S_MASK) || (s2 & DESC_CS_MASK) ||
            !(s2 & DESC_W_MASK) || !(s2 & DESC_P_MASK)) {
            return false;
        }
        seg_cache_set(&nss, ss_sel, s1, s2);
        n = 5;
        new_cpl = dpl;
    } else {
        /* same ring (conforming or DPL = CPL) */
        nss = *ss;
        esp = env->regs[R_ESP];
        n = 3;
        new_cpl = cpl;
    }
    if (!(nss.flags & DESC_B_MASK) || esp < n * 4) {
        return false;
    }
    sp = esp - n * 4;
    fr = fw_host(env, nss.base + sp, n * 4, seg_idx(new_cpl), true);
    if (fr == NULL) {
        return false;
    }

    /* push: nothing below can fault */
    if (n == 5) {
        fw_st(fr + 16, ss->selector);
        fw_st(fr + 12, env->regs[R_ESP]);
        env->segs[R_SS] = nss;
    }
    fw_st(fr + 8, sys_get_eflags(env));
    fw_st(fr + 4, env->segs[R_CS].selector);
    fw_st(fr, next_eip);
    env->regs[R_ESP] = sp;
    seg_cache_set(&env->segs[R_CS], (sel & 0xfffc) | (uint32_t)new_cpl, c1, c2);
    env->eip = off;
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~IF_MASK;   /* interrupt gate */
    }
    fw_hflags(env, new_cpl);
    env->old_exception = 0;
    env->hflags &= ~HF_INHIBIT_IRQ;
    env->halted = false;
    return true;
}

/* IRETD within protected mode (same or outer ring, no task return, no
 * VM86); false (nothing changed) = the general path must do it. */
bool seg_iret_fast(CPUX86State *env)
{
    int cpl = seg_cpl(env), rpl, dpl;
    uint32_t esp = env->regs[R_ESP], new_eip, new_cs, new_flags, mask;
    uint32_t e1, e2, new_esp = 0, new_ss = 0, s1 = 0, s2 = 0;
    const SegmentCache *ss = &env->segs[R_SS];
    const uint8_t *p;

    if (!(env->cr[0] & CR0_PE) || (env->eflags & (VM_MASK | NT_MASK)) ||
        !(ss->flags & DESC_B_MASK)) {
        return false;
    }
    p = fw_host(env, ss->base + esp, 12, seg_idx(cpl), false);
    if (p == NULL) {
        return false;
    }
    new_eip = fw_ld(p);
    new_cs = fw_ld(p + 4) & 0xffff;
    new_flags = fw_ld(p + 8);
    if ((new_flags & VM_MASK) && cpl == 0) {
        return false;   /* return to VM86 */
    }
    rpl = new_cs & 3;
    if ((new_cs & 0xfffc) == 0 || rpl < cpl ||
        !fw_desc(env, new_cs, &e1, &e2) || !(e2 & DESC_S_MASK) ||
        !(e2 & DESC_CS_MASK) || !(e2 & DESC_P_MASK)) {
        return false;
    }
    dpl = desc_dpl(e2);
    if ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl) {
        return false;
    }
    if (rpl != cpl) {
        /* outer ring: ESP and SS follow EFLAGS */
        p = fw_host(env, ss->base + esp + 12, 8, seg_idx(cpl), false);
        if (p == NULL) {
            return false;
        }
        new_esp = fw_ld(p);
        new_ss = fw_ld(p + 4) & 0xffff;
        if ((new_ss & 0xfffc) == 0 || (int)(new_ss & 3) != rpl ||
            !fw_desc(env, new_ss, &s1, &s2) || !(s2 & DESC_S_MASK) ||
            (s2 & DESC_CS_MASK) || !(s2 & DESC_W_MASK) ||
            desc_dpl(s2) != rpl || !(s2 & DESC_P_MASK)) {
            return false;
        }
    }

    /* the EFLAGS bits IRET may change at this CPL/IOPL (helper_iret) */
    mask = TF_MASK | AC_MASK | ID_MASK | RF_MASK | NT_MASK | DF_MASK | CC_ARITH;
    if (cpl <= (int)((env->eflags & IOPL_MASK) >> 12)) {
        mask |= IF_MASK;
    }
    if (cpl == 0) {
        mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
    }
    /* commit: nothing below can fault */
    seg_cache_set(&env->segs[R_CS], new_cs, e1, e2);
    if (rpl == cpl) {
        env->regs[R_ESP] = esp + 12;
    } else {
        seg_cache_set(&env->segs[R_SS], new_ss, s1, s2);
        if (s2 & DESC_B_MASK) {
            env->regs[R_ESP] = new_esp;
        } else {
            env->regs[R_ESP] = (esp & 0xffff0000u) | (new_esp & 0xffff);
        }
        fw_null_seg(&env->segs[R_ES], rpl);
        fw_null_seg(&env->segs[R_DS], rpl);
        fw_null_seg(&env->segs[R_FS], rpl);
        fw_null_seg(&env->segs[R_GS], rpl);
    }
    env->eip = new_eip;
    /* mask covers the arithmetic flags and DF: sys_set_eflags without
     * computing the lazy flags it replaces */
    cpu_load_eflags_bits(env, new_flags, mask);
    fw_hflags(env, rpl);
    return true;
}
