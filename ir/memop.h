/*
 * hamt86 - MemOp and the packed "oi" operand of the memory slow paths
 * (QEMU's include/exec/memop.h and get_memop / get_mmuidx).
 *
 * A MemOp says how one guest access is made: its size, whether the
 * loaded value is sign-extended, and whether a load is the read of a
 * read-modify-write (MO_RMW).  It is the memop of the IR ops ld_env,
 * st_env, qemu_ld and qemu_st (ir/ir-ops.def), and half of the
 * operand generated code hands to mem_ld_slow / mem_st_slow:
 *
 *     oi:   31 ............ 4 3 ... 0
 *          +-----------------+-------+
 *          |     mmu_idx     | memop |
 *          +-----------------+-------+
 *
 * The translator, the backends and the memory paths all share it, so it
 * lives in core/ (no memory path includes the translator for it).
 */
#ifndef HAMT86_MEMOP_H
#define HAMT86_MEMOP_H

#include "core/base.h"

/* MemOp: access size (log2 bytes) and signedness. */
#define MO_8    0
#define MO_16   1
#define MO_32   2
#define MO_SIZE 3
#define MO_SIGN 4
#define MO_8S   (MO_8 | MO_SIGN)
#define MO_16S  (MO_16 | MO_SIGN)
/*
 * qemu_ld only: the load of a read-modify-write destination (ADD [m], r,
 * XCHG, shifts of memory, ...).  The CPU checks such a destination as a
 * write before it reads it, so a #PF there has W=1 even when the page is
 * not present (docs/RELIABILITY.md).  The inline fast paths ignore it (a
 * load hit means the page is present; a refused store then faults with
 * W=1 anyway); mem_ld_slow checks the pages as a store first.
 */
#define MO_RMW  8
/* The memop bits an oi carries to the slow paths. */
#define MO_OI_MEMOP (MO_SIZE | MO_SIGN | MO_RMW)
/*
 * qemu_ld / qemu_st only, a lowering hint that never reaches an oi: the
 * address is SS-relative (PUSH/POP/CALL/RET, ESP- or EBP-based operands).
 * A window path may give such accesses the inline softmmu lookup while
 * the stack's host unit cannot be mapped (MemPath.inline_softmmu_at,
 * docs/HAMT.md "Split-unit mode").  Every consumer masks it off.
 */
#define MO_STACK 16

/* Bits of the memop in an oi; the MMU index sits above them. */
#define MO_OI_BITS 4

/* Sign- or zero-extend a value loaded with memop to 32 bits. */
static inline uint32_t memop_extend(uint32_t v, unsigned memop)
{
    switch (memop & (MO_SIZE | MO_SIGN)) {
    case MO_8:   return v & 0xff;
    case MO_8S:  return (uint32_t)(int32_t)(int8_t)v;
    case MO_16:  return v & 0xffff;
    case MO_16S: return (uint32_t)(int32_t)(int16_t)v;
    default:     return v;
    }
}

/* Access size in bytes of memop. */
static inline unsigned memop_size(unsigned memop)
{
    return 1u << (memop & MO_SIZE);
}

BUILD_ASSERT(MO_OI_MEMOP < (1u << MO_OI_BITS));

/* OI: memop | mmu_idx << 4, the packed operand of the slow-path calls. */
#define MAKE_OI(memop, idx) ((memop) | ((idx) << MO_OI_BITS))

/* The memop of an oi (QEMU's get_memop). */
static inline unsigned get_memop(unsigned oi)
{
    return oi & ((1u << MO_OI_BITS) - 1);
}

/* The MMU index of an oi (QEMU's get_mmuidx). */
static inline unsigned get_mmuidx(unsigned oi)
{
    return oi >> MO_OI_BITS;
}

#endif
