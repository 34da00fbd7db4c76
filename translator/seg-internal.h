/*
 * hamt86 - pieces shared by the segmentation helpers (seg-helper.c) and
 * the INT n / IRET fast path (seg-fast.c): descriptor fields, segment
 * caches, CPL and the MMU index of system accesses.  Descriptor layout:
 * the header comment of seg-helper.c.
 */
#ifndef HAMT86_SEG_INTERNAL_H
#define HAMT86_SEG_INTERNAL_H

#include "core/cpu.h"
#include "core/mmu.h"

#define DESC_C_MASK   (1u << 10)   /* code: conforming */
#define DESC_E_MASK   (1u << 10)   /* data: expand-down */
#define DESC_FLAGS(e2) ((e2) & 0x00ffff00u)

/* sys-helper.c */
uint32_t sys_get_eflags(CPUX86State *env);
void sys_set_eflags(CPUX86State *env, uint32_t val, uint32_t mask);

/* seg-helper.c */
void seg_sync_hflags(CPUX86State *env, int cpl);

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

#endif
