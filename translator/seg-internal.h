/*
 * hamt86 - pieces shared by the segmentation helpers (seg-helper.c,
 * seg-task.c, seg-sys.c, seg-int.c) and the INT n / IRET fast path
 * (seg-fast.c): descriptor fields, segment caches, CPL, the MMU index of
 * system accesses, linear system accesses and stack walks.  Descriptor
 * layout: the header comment of seg-helper.c.
 */
#ifndef HAMT86_SEG_INTERNAL_H
#define HAMT86_SEG_INTERNAL_H

#include "core/cpu.h"
#include "core/mmu.h"
#include "core/mem.h"
#include "ir/memop.h"

#define DESC_C_MASK   (1u << 10)   /* code: conforming */
#define DESC_E_MASK   (1u << 10)   /* data: expand-down */
#define DESC_FLAGS(e2) ((e2) & 0x00ffff00u)

/* sys-helper.c */
uint32_t sys_get_eflags(CPUX86State *env);
void sys_set_eflags(CPUX86State *env, uint32_t val, uint32_t mask);

/* seg-helper.c */
void seg_sync_hflags(CPUX86State *env, int cpl);
/* Read the descriptor of sel from the GDT/LDT; false if outside the table. */
bool desc_fetch(CPUX86State *env, uint32_t sel, uint32_t *e1, uint32_t *e2,
                uintptr_t ra);
/* Set the accessed bit of the descriptor of sel if it is clear. */
void desc_set_accessed(CPUX86State *env, uint32_t sel, uint32_t e2,
                       uintptr_t ra);
/* Raise vec with error code err (logged under -d int). */
NORETURN void seg_raise(CPUX86State *env, int vec, uint32_t err,
                        uintptr_t ra);
/* Real-mode / VM86 CS load. */
void load_cs_real(CPUX86State *env, uint32_t sel);
/* Stack of privilege level dpl from the current TSS. */
void tss_stack(CPUX86State *env, int dpl, uint32_t *ss, uint32_t *esp,
               uintptr_t ra);
/* Check the inner stack segment ss for privilege dpl (#TS / #SS). */
void check_inner_ss(CPUX86State *env, uint32_t ss, int dpl, uint32_t *s1,
                    uint32_t *s2, uintptr_t ra);

/* seg-task.c: what started a task switch */
enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };
void task_switch(CPUX86State *env, uint32_t sel, uint32_t e1, uint32_t e2,
                 int source, uint32_t next_eip, uintptr_t ra);
void task_jmp_call(CPUX86State *env, uint32_t sel, uint32_t e1, uint32_t e2,
                   int source, uint32_t next_eip, uintptr_t ra);
void task_iret(CPUX86State *env, uint32_t next_eip, uintptr_t ra);

/* seg-fast.c: INT n / IRETD between flat protected-mode rings without
 * leaving the helper; false (nothing changed) = take the general path. */
bool seg_int_fast(CPUX86State *env, int intno, uint32_t next_eip);
bool seg_iret_fast(CPUX86State *env);

/* CPL of the running code. */
static inline int seg_cpl(CPUX86State *env)
{
    return env->hflags & HF_CPL_MASK;
}

/* MMU index for an access made at privilege cpl. */
static inline unsigned seg_idx(int cpl)
{
    return cpl == 3 ? MMU_USER_IDX : MMU_KNOSMAP_IDX;
}

/* Base of a descriptor. */
static inline uint32_t desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
}

/* Byte-granular limit of a descriptor. */
static inline uint32_t desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t l = (e1 & 0xffff) | (e2 & 0x000f0000u);

    return (e2 & DESC_G_MASK) ? (l << 12) | 0xfff : l;
}

/* DPL of a descriptor. */
static inline int desc_dpl(uint32_t e2)
{
    return (e2 >> DESC_DPL_SHIFT) & 3;
}

/* Fill a segment cache from a descriptor. */
static inline __attribute__((always_inline)) void
seg_cache_set(SegmentCache *sc, uint32_t sel, uint32_t e1,
                                 uint32_t e2)
{
    sc->selector = sel & 0xffff;
    sc->base = desc_base(e1, e2);
    sc->limit = desc_limit(e1, e2);
    sc->flags = DESC_FLAGS(e2);
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
static inline void seg_cache_real(SegmentCache *sc, uint32_t sel, bool vm86)
{
    sc->selector = sel & 0xffff;
    sc->base = (sel & 0xffff) << 4;
    sc->limit = 0xffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                (vm86 ? 3u << DESC_DPL_SHIFT : 0);
}

/* Null segment cache. */
static inline void seg_cache_null(SegmentCache *sc, uint32_t sel)
{
    sc->selector = sel & 0xffff;
    sc->base = 0;
    sc->limit = 0;
    sc->flags = 0;
}

/* A stack being pushed or popped: SS base, offset mask (SS.B), offset. */
typedef struct SegStack {
    uint32_t base, mask, sp;
    unsigned idx;
    uintptr_t ra;
} SegStack;

/* Start a stack walk on the SS cache ss at offset sp. */
static inline void stk_init(SegStack *st, const SegmentCache *ss, uint32_t sp,
                            int cpl, uintptr_t ra)
{
    st->base = ss->base;
    st->mask = (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffffu;
    st->sp = sp;
    st->idx = seg_idx(cpl);
    st->ra = ra;
}

/* Push size (2 or 4) bytes. */
static inline void stk_push(CPUX86State *env, SegStack *st, uint32_t v,
                            int size)
{
    st->sp -= size;
    seg_st(env, st->base + (st->sp & st->mask), v, size == 4 ? MO_32 : MO_16,
           st->idx, st->ra);
}

/* Pop size (2 or 4) bytes (zero-extended). */
static inline uint32_t stk_pop(CPUX86State *env, SegStack *st, int size)
{
    uint32_t v = seg_ld(env, st->base + (st->sp & st->mask),
                        size == 4 ? MO_32 : MO_16, st->idx, st->ra);

    st->sp += size;
    return v;
}

/* ESP = the walk's offset (only SP for a 16-bit stack). */
static inline void stk_commit(CPUX86State *env, const SegStack *st)
{
    env->regs[R_ESP] = (env->regs[R_ESP] & ~st->mask) | (st->sp & st->mask);
}

#endif
