/*
 * hamt86 - the bare-metal OS layer on MIPS64r2 (qemu-system-mips64el -M
 * malta -cpu MIPS64R2-generic -m 256M): board definitions (included by
 * os/bm/bm.h).
 *
 *   os/bm/mips-entry.c  entry, stack, the exception vector stubs and the
 *                       frame save/restore (assembly)
 *   os/bm/os-bm-mips.c  boot, clock (CP0 Count), power-off, exception
 *                       codes
 *   os/bm/mips-hamt.c   HAMT's privileged driver on the TLB: windows in
 *                       xuseg, tlbwr refills from HAMT's table
 *
 * Address map (physical; -m 256M gives RAM at 0..256 MiB, reached through
 * KSEG0 (cached) and KSEG1 (uncached); hamt86 links at -msym32 addresses):
 *
 *   0x00000000  exception vectors (EBase): stubs jump to the handler
 *   0x00100000  hamt86.elf (linked at 0xffffffff80100000, KSEG0)
 *   _end ..     boot stack, then the page allocator's low arena
 *   0x0c000000  the boot block (cross/run-bm: -device loader,...)
 *   after it    the high arena, up to 256 MiB
 *   0x180003f8  the southbridge 16550 (ISA I/O at 0x18000000) = -serial
 *   0x1f000500  the FPGA's SOFTRES register (0x42 resets; -no-reboot exits)
 */
#ifndef HAMT86_OS_BM_MIPS_H
#define HAMT86_OS_BM_MIPS_H

#include "core/base.h"

#define BM_UNCACHED(pa) ((uintptr_t)0xffffffffa0000000ull | (uintptr_t)(pa))
#define BM_CACHED(pa)   ((uintptr_t)0xffffffff80000000ull | (uintptr_t)(pa))
#define BM_PHYS(va)     ((uint64_t)(va) & 0x1fffffffull)
#define BM_IS_DIRECT(va) (((uint64_t)(va) >> 30) == 0x3fffffffeull)

#define BM_LOWMEM_END    0x0c000000ull
#define BM_HIGHMEM_END   0x10000000ull
#define BM_BOOTBLOCK_PA  0x0c000000ull
#define BM_BOOTBLOCK_MAX (64u << 20)
#define BM_UART_PA       0x180003f8ull
#define BM_SOFTRES_PA    0x1f000500ull
/* Registers: env in generated code (s8 = $30), a0, ra, sp. */
#define BM_ENV_REG       30
#define BM_ARG0_REG      4
#define BM_RA_REG        31
#define BM_SP_REG        29
/* QEMU's malta CPU clock is 320 MHz; Count ticks every other cycle. */
#define BM_COUNT_HZ      160000000ull

/* HAMT's privileged driver (os/bm/mips-hamt.c): TLB and windows, guest
 * RAM base; the refill's fast path (true: written) and its C side on the
 * full frame (the vectors in os/bm/mips-entry.c). */
void bm_mips_hamt_init(void);
void bm_mips_hamt_ram(uint64_t ram_pa);
bool bm_mips_refill_fast(uint64_t va);
void bm_mips_refill(uint64_t *frame);
/* --bm-test=tlb: the exit status. */
int bm_mips_tlb_selftest(void);

/* The refill cache (os/bm/bm-rcache.c): a tag is an EntryHi as a refill
 * loads it (VPN2 of an 8 KiB pair | 8-bit ASID); G = EntryLo bit 0.
 * 8192 slots of 8 KiB pairs reach 64 MiB of a window (the vector's andi
 * takes 16 bits), as LoongArch's 2048 slots of 32 KiB pairs do. */
#define BM_RC_SLOTS      8192
#define BM_RC_PAIR_BITS  13
#define BM_RC_ASID_MASK  0xffull
#define BM_RC_G          0x1ull

#endif
