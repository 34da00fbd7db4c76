/*
 * hamt86 - the IA-32 page walker (contract in core/mmu.h).
 *
 * Modes, chosen by CR0.PG / CR4.PAE / CR4.PSE:
 *   - paging off (or MMU_PHYS_IDX): identity, RWX, 4 KiB;
 *   - 32-bit: PDE -> PTE, 4 MiB pages when PDE.PS and CR4.PSE;
 *   - PAE: PDPTE -> PDE -> PTE, 2 MiB pages when PDE.PS, NX (bit 63) when
 *     EFER.NXE, reserved-bit checks (above MAXPHYADDR, NX without NXE,
 *     large-page address bits, PDPTE bits 1-2 and 5-8).
 * Permissions follow the SDM (and QEMU's mmu_translate, the reference the
 * guest tests are compared against): U/S and R/W are the AND over the
 * levels, NX the OR; supervisor writes to read-only pages fault only with
 * CR0.WP; SMAP (MMU_KSMAP_IDX) denies data access to user pages; SMEP
 * denies supervisor fetches from user pages.
 *
 * Physical addresses above 4 GiB (PSE-36 / PAE frames) cannot be expressed
 * in this 32-bit physical map.  The PC has nothing there (unassigned: reads
 * 0, writes dropped), so such pages are sent to PHYS_HOLE, the 4 KiB page
 * just below the firmware window at 0xFFFE0000 (hw/firmware.c), which is
 * unassigned too, as on qemu-system-i386 -M isapc.  They never alias RAM
 * or the firmware.
 */
#include "core/mmu.h"
#include "core/mem.h"
#include "core/libc.h"
#include "core/log.h"

/*
 * The SDM sets P together with RSVD (a reserved bit can only be seen in a
 * present entry).  qemu-system-i386 7.2, the reference the guest tests are
 * compared against, reports RSVD alone; 0 follows the reference.
 */
#ifndef WALK_RSVD_SETS_P
#define WALK_RSVD_SETS_P 0
#endif

#define PG_PRESENT  0x001ull
#define PG_RW       0x002ull
#define PG_USER     0x004ull
#define PG_ACCESSED 0x020ull
#define PG_DIRTY    0x040ull
#define PG_PSE      0x080ull
#define PG_GLOBAL   0x100ull
#define PG_PSE_PAT  0x1000ull
#define PG_NX       (1ull << 63)
/* Physical address bits of a PAE entry (bits 12..51). */
#define PG_ADDRESS_MASK 0x000ffffffffff000ull
/* MAXPHYADDR reported to the guest (qemu-system-i386's default). */
#define PHYS_BITS 36
/* PAE PDPTE reserved bits besides the address ones: 1-2, 5-8. */
#define PDPTE_RSVD 0x1e6ull
/* Where frames above 4 GiB go (see the header comment). */
#define PHYS_HOLE 0xfffdf000u

/* Page-table access hooks of the running x86_mmu_walk_ops (else NULL). */
static const X86WalkOps *walk_ops;

/* Guest physical 32-bit load (page tables). */
static inline uint64_t pt_ld32(uint32_t pa)
{
    if (unlikely(walk_ops != NULL)) {
        return walk_ops->ld32(walk_ops->opaque, pa);
    }
    return phys_read(pa, 4);
}

/* Guest physical 64-bit load (PAE entries). */
static inline uint64_t pt_ld64(uint32_t pa)
{
    return pt_ld32(pa) | (pt_ld32(pa + 4) << 32);
}

/* Set bits in a paging-structure entry (low dword), unless probing. */
static inline void pt_set(uint32_t pa, uint64_t old, uint64_t bits, bool probe)
{
    if (!probe && (old & bits) != bits) {
        if (unlikely(walk_ops != NULL)) {
            walk_ops->st32(walk_ops->opaque, pa, (uint32_t)(old | bits));
            return;
        }
        phys_write_notdirty(pa, (uint32_t)(old | bits), 4);
    }
}

/* The walk; probe = true suppresses every A/D write. */
static int mmu_walk(CPUX86State *env, uint32_t addr, int access, int mmu_idx,
                    X86PageResult *res, bool probe)
{
    const bool is_user = mmu_idx == MMU_USER_IDX;
    const bool is_write = access == MMU_DATA_STORE;
    const bool pae = (env->cr[4] & CR4_PAE) != 0;
    const bool nxe = pae && (env->efer & MSR_EFER_NXE);
    uint64_t rsvd = 0, pte, ptep;
    uint32_t pte_addr, page_size;
    unsigned prot;
    int err = 0;

    if (mmu_idx == MMU_PHYS_IDX || !(env->cr[0] & CR0_PG)) {
        res->paddr = addr;
        res->page_size = GUEST_PAGE_SIZE;
        res->prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        res->global = false;
        return 0;
    }

    if (pae) {
        uint32_t pdpe_addr = (env->cr[3] & ~0x1fu) + ((addr >> 27) & 0x18);
        uint64_t pdpe, pde;
        uint32_t pde_addr;

        rsvd = PG_ADDRESS_MASK & ~((1ull << PHYS_BITS) - 1);
        if (!nxe) {
            rsvd |= PG_NX;
        }
        pdpe = pt_ld64(pdpe_addr);
        if (!(pdpe & PG_PRESENT)) {
            goto do_fault;
        }
        if (pdpe & (rsvd | PG_NX | PDPTE_RSVD)) {
            goto do_fault_rsvd;
        }
        ptep = PG_NX | PG_USER | PG_RW;
        pde_addr = (uint32_t)(pdpe & PG_ADDRESS_MASK) + (((addr >> 21) & 0x1ff) << 3);
        pde = pt_ld64(pde_addr);
        if (!(pde & PG_PRESENT)) {
            goto do_fault;
        }
        if (pde & rsvd) {
            goto do_fault_rsvd;
        }
        ptep &= pde ^ PG_NX;
        if (pde & PG_PSE) {
            page_size = 2u << 20;
            pte_addr = pde_addr;
            pte = pde;
            rsvd |= (page_size - 1) & PG_ADDRESS_MASK & ~PG_PSE_PAT;
            goto do_check_protect;
        }
        pt_set(pde_addr, pde, PG_ACCESSED, probe);
        pte_addr = (uint32_t)(pde & PG_ADDRESS_MASK) + (((addr >> 12) & 0x1ff) << 3);
        pte = pt_ld64(pte_addr);
        if (!(pte & PG_PRESENT)) {
            goto do_fault;
        }
        if (pte & rsvd) {
            goto do_fault_rsvd;
        }
        ptep &= pte ^ PG_NX;
        page_size = GUEST_PAGE_SIZE;
    } else {
        uint32_t pde_addr = (env->cr[3] & ~0xfffu) + ((addr >> 20) & 0xffc);
        uint64_t pde = pt_ld32(pde_addr);

        if (!(pde & PG_PRESENT)) {
            goto do_fault;
        }
        ptep = pde | PG_NX;
        if ((pde & PG_PSE) && (env->cr[4] & CR4_PSE)) {
            /* 4 MiB page; bits 13..20 are PSE-36 address bits, 21 reserved */
            page_size = 4u << 20;
            pte_addr = pde_addr;
            pte = pde;
            rsvd = 0x200000;
            goto do_check_protect;
        }
        pt_set(pde_addr, pde, PG_ACCESSED, probe);
        pte_addr = (uint32_t)(pde & ~0xfffull) + ((addr >> 10) & 0xffc);
        pte = pt_ld32(pte_addr);
        if (!(pte & PG_PRESENT)) {
            goto do_fault;
        }
        ptep &= pte | PG_NX;
        page_size = GUEST_PAGE_SIZE;
    }

do_check_protect:
    if (pte & rsvd) {
        goto do_fault_rsvd;
    }
    ptep ^= PG_NX;   /* now: PG_NX set means "not executable" */
    if (is_user && !(ptep & PG_USER)) {
        goto do_fault_protect;
    }
    prot = 0;
    if (mmu_idx != MMU_KSMAP_IDX || !(ptep & PG_USER)) {
        prot |= PAGE_READ;
        if ((ptep & PG_RW) || !(is_user || (env->cr[0] & CR0_WP))) {
            prot |= PAGE_WRITE;
        }
    }
    if (!(ptep & PG_NX) &&
        (is_user || !((env->cr[4] & CR4_SMEP) && (ptep & PG_USER)))) {
        prot |= PAGE_EXEC;
    }
    if (!(prot & (1u << access))) {
        goto do_fault_protect;
    }

    /* success: A (and D on a store) in the final entry */
    pt_set(pte_addr, pte, PG_ACCESSED | (is_write ? PG_DIRTY : 0), probe);
    if (!(pte & PG_DIRTY) && !is_write) {
        prot &= ~PAGE_WRITE;   /* the first write must come back here */
    }
    {
        uint64_t frame = pte & PG_ADDRESS_MASK & ~(uint64_t)(page_size - 1);
        if (!pae && page_size == (4u << 20)) {
            /* PSE-36: PDE bits 13..20 are physical address bits 32..39 */
            frame = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19);
        }
        frame += addr & (page_size - 1);
        res->paddr = frame >> 32 ? PHYS_HOLE | (addr & ~GUEST_PAGE_MASK)
                                 : (uint32_t)frame;
    }
    res->page_size = page_size;
    res->prot = prot;
    res->global = (pte & PG_GLOBAL) && (env->cr[4] & CR4_PGE);
    if (unlikely(log_enabled(LOG_WALK))) {
        hlog("walk: 0x%08x idx %d acc %d -> 0x%08x prot %u size 0x%x\n",
             addr, mmu_idx, access, res->paddr, prot, page_size);
    }
    return 0;

do_fault_rsvd:
    err |= PG_ERROR_RSVD_MASK;
    if (!WALK_RSVD_SETS_P) {
        goto do_fault;
    }
do_fault_protect:
    err |= PG_ERROR_P_MASK;
do_fault:
    if (is_write) {
        err |= PG_ERROR_W_MASK;
    }
    if (is_user) {
        err |= PG_ERROR_U_MASK;
    }
    if (access == MMU_INST_FETCH &&
        (nxe || (env->cr[4] & CR4_SMEP))) {
        err |= PG_ERROR_I_D_MASK;
    }
    if (unlikely(log_enabled(LOG_WALK))) {
        hlog("walk: 0x%08x idx %d acc %d -> #PF 0x%x\n", addr, mmu_idx,
             access, err);
    }
    return err | X86_WALK_FAULT;
}

/* Translate linear for (access, mmu_idx), updating A/D bits. */
int x86_mmu_walk(CPUX86State *env, uint32_t linear, int access, int mmu_idx,
                 X86PageResult *res)
{
    return mmu_walk(env, linear, access, mmu_idx, res, false);
}

/* A full walk whose page-table reads and A/D writes go through ops. */
int x86_mmu_walk_ops(CPUX86State *env, uint32_t linear, int access,
                     int mmu_idx, X86PageResult *res, const X86WalkOps *ops)
{
    int r;

    walk_ops = ops;
    r = mmu_walk(env, linear, access, mmu_idx, res, false);
    walk_ops = NULL;
    return r;
}

/* Translate without touching guest memory. */
int x86_mmu_probe(CPUX86State *env, uint32_t linear, int access, int mmu_idx,
                  X86PageResult *res)
{
    return mmu_walk(env, linear, access, mmu_idx, res, true);
}

/* CR2 = linear, then #PF with the walker's error code. */
void x86_raise_page_fault(CPUX86State *env, uint32_t linear, int err,
                          uintptr_t ra)
{
    env->cr[2] = linear;
    raise_exception_err_ra(env, EXCP0E_PF, err & 0xffff, ra);
}
