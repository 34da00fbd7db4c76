/*
 * hamt86 - the shared MMU contract: MMU indices, page protections and the
 * IA-32 page walker (core/mmu-walk.c).
 *
 * Both memory paths consume this: the softmmu (softmmu-fallback/) calls
 * the walker on a TLB miss, HAMT (hamt/) on a host translation miss.
 *
 * MMU index of an access (cpu_mmu_index, and baked into qemu_ld/st by the
 * translator from the TB flags):
 *   MMU_USER_IDX    CPL 3
 *   MMU_KSMAP_IDX   CPL 0-2, CR4.SMAP=1 and EFLAGS.AC=0 (user pages denied)
 *   MMU_KERNEL_IDX  CPL 0-2, SMAP off (or AC=1)
 *   MMU_PHYS_IDX    paging disabled (CR0.PG=0): identity, everything allowed
 *
 * A/D bits: a successful walk sets A in every paging-structure entry it
 * used and D in the final entry on a store.  Like the hardware (and QEMU),
 * A is set in a directory entry as soon as the walk goes through it, even
 * if the next level then faults; the final entry is never touched on a
 * fault, and a faulting walk never sets D.
 */
#ifndef HAMT86_MMU_H
#define HAMT86_MMU_H

#include "core/base.h"
#include "core/cpu.h"

enum { MMU_DATA_LOAD = 0, MMU_DATA_STORE = 1, MMU_INST_FETCH = 2 };
enum { MMU_USER_IDX = 0,      /* CPL 3 */
       MMU_KSMAP_IDX = 1,     /* CPL 0-2, CR4.SMAP=1 and EFLAGS.AC=0: user pages not accessible */
       MMU_KERNEL_IDX = 2,    /* CPL 0-2, SMAP off (or AC=1) */
       MMU_PHYS_IDX = 3,      /* paging disabled (CR0.PG=0): identity */
       NB_MMU_MODES };
/* Older spelling used by the translator and the segment helpers. */
#define MMU_KNOSMAP_IDX MMU_KERNEL_IDX

/* MMU index of a TB's data accesses, from its flags (HF_PG, HF_CPL,
 * HF_SMAP): what the translator bakes into its qemu_ld/st and what a
 * backend may keep a window base for. */
static inline unsigned tb_flags_mmu_index(uint32_t flags)
{
    if (!(flags & HF_PG_MASK)) {
        return MMU_PHYS_IDX;
    }
    if ((flags & HF_CPL_MASK) == 3) {
        return MMU_USER_IDX;
    }
    return (flags & HF_SMAP_MASK) ? MMU_KSMAP_IDX : MMU_KERNEL_IDX;
}

#define PAGE_READ  1
#define PAGE_WRITE 2
#define PAGE_EXEC  4

/* #PF error code bits. */
#define PG_ERROR_P_MASK    0x01
#define PG_ERROR_W_MASK    0x02
#define PG_ERROR_U_MASK    0x04
#define PG_ERROR_RSVD_MASK 0x08
#define PG_ERROR_I_D_MASK  0x10

typedef struct X86PageResult {
    uint32_t paddr;      /* physical address of 'linear' itself */
    uint32_t page_size;  /* guest mapping size: 4 KiB, 2 MiB or 4 MiB */
    unsigned prot;       /* PAGE_* usable for this mmu_idx without another walk.
                            PAGE_WRITE only when the PTE's D bit is set (the walk sets
                            A always, and D when access==MMU_DATA_STORE), so the first
                            write to a clean page always comes back to the walker. */
    bool global;         /* G bit (with CR4.PGE) */
} X86PageResult;

#define X86_WALK_FAULT 0x10000

/* Success: updates A/D in guest PTEs (the PTE write must not count as SMC), fills *res, returns 0.
 * Fault: returns the #PF error code | X86_WALK_FAULT, no guest-visible side effects. */
int x86_mmu_walk(CPUX86State *env, uint32_t linear, int access, int mmu_idx, X86PageResult *res);
/* Set CR2 and raise #PF(err & 0xffff) precisely (ra = host return address or 0). */
NORETURN void x86_raise_page_fault(CPUX86State *env, uint32_t linear, int err, uintptr_t ra);

/* Page-table memory of x86_mmu_walk_ops (--cosim: the shadow's overlay). */
typedef struct X86WalkOps {
    uint32_t (*ld32)(void *opaque, uint32_t pa);
    void (*st32)(void *opaque, uint32_t pa, uint32_t val);   /* A/D updates */
    void *opaque;
} X86WalkOps;
/* x86_mmu_walk with every paging-structure read and A/D write through ops
 * (must not raise from inside the hooks). */
int x86_mmu_walk_ops(CPUX86State *env, uint32_t linear, int access,
                     int mmu_idx, X86PageResult *res, const X86WalkOps *ops);

/* The same walk without any A/D update (debug, cosim, tests): 0 or fault code. */
int x86_mmu_probe(CPUX86State *env, uint32_t linear, int access, int mmu_idx,
                  X86PageResult *res);

#endif
