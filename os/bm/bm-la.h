/*
 * hamt86 - the bare-metal OS layer on LoongArch64 (qemu-system-loongarch64
 * -M virt): privileged definitions (included by os/bm/bm.h).
 *
 *   os/bm/la-entry.c    entry, stack, exception / TLB-refill / machine-error
 *                       vectors (assembly)
 *   os/bm/os-bm-la.c    boot, clock (rdtime), power-off, exception codes
 *   os/bm/la-tlbmap.c   the host TLB as HAMT's window mapper: a page table
 *                       the TLB-refill handler loads with tlbfill
 *   os/bm/bm-selftest.c TLB read-back, mapper stress, crash self-tests
 *
 * Address map (physical; the board's low RAM is 0..256 MiB, the rest of
 * -m from 0x90000000):
 *
 *   0x00200000  hamt86.elf (linked at 0x9000000000200000, DMW1 cached)
 *   _end ..     boot stack, then the page allocator's low arena (< 256 MiB)
 *   0x90000000  the boot block (cross/run-bm: -device loader,...)
 *   after it    the page allocator's high arena (guest RAM, page tables)
 *   0x1fe001e0  16550 UART, 0x100e001c GED sleep control (DMW0 uncached)
 */
#ifndef HAMT86_OS_BM_LA_H
#define HAMT86_OS_BM_LA_H

#include "core/base.h"

/* Direct-mapped windows: DMW0 uncached (VSEG 8), DMW1 cached (VSEG 9). */
#define BM_UNCACHED(pa) ((uintptr_t)0x8000000000000000ull | (uintptr_t)(pa))
#define BM_CACHED(pa)   ((uintptr_t)0x9000000000000000ull | (uintptr_t)(pa))
#define BM_PHYS(va)     ((uint64_t)(va) & 0x0000ffffffffffffull)

#define BM_LOWMEM_END    0x10000000ull
#define BM_HIGHMEM_BASE  0x90000000ull
#define BM_HIGHMEM_END   (BM_HIGHMEM_BASE + (768ull << 20))   /* -m 1G */
#define BM_BOOTBLOCK_PA  BM_HIGHMEM_BASE
#define BM_BOOTBLOCK_MAX (256u << 20)
#define BM_UART_PA       0x1fe001e0ull
#define BM_IS_DIRECT(va) (((uint64_t)(va) >> 60) >= 8 && ((uint64_t)(va) >> 60) <= 9)
/* Registers: env in generated code ($s8, LA_R_ENV), $a0, $ra, $sp. */
#define BM_ENV_REG       31
#define BM_ARG0_REG      4
#define BM_RA_REG        1
#define BM_SP_REG        3

/*
 * Host TLB page size of HAMT's windows: 16 KiB (PS = 14).  QEMU 7.2's
 * LoongArch target has a 16 KiB TARGET_PAGE_SIZE: it caches each
 * translation for the whole aligned 16 KiB, so PS = 12 entries whose four
 * 4 KiB pages are not physically contiguous read the wrong frames (the
 * tlb self-test saw page i of a reversed mapping read frame (i + 4) % 8).
 * HAMT then maps 16 KiB units, as under qemu-loongarch64.  The table is
 * 3 levels of 2048 entries over 47 bits (like Linux's 16 KiB layout).
 */
#define BM_PAGE_BITS  14
#define BM_PAGE_SIZE  (1u << BM_PAGE_BITS)
#define BM_TBL_BITS   (BM_PAGE_BITS - 3)
#define BM_VA_BITS    (BM_PAGE_BITS + 3 * BM_TBL_BITS)

/* The refill cache (os/bm/bm-rcache.c): a tag is the 32 KiB pair's base
 * | the 10-bit CSR.ASID; G = TLBELO bit 6 (LA_TLBELO_G).  2048 slots
 * reach 64 MiB of a window (the vector's andi takes 12 bits). */
#define BM_RC_SLOTS      2048
#define BM_RC_PAIR_BITS  (BM_PAGE_BITS + 1)
#define BM_RC_ASID_MASK  0x3ffull
#define BM_RC_G          0x40ull

/* CSR numbers (LoongArch privileged spec, section 7). */
#define CSR_CRMD      0x0
#define CSR_PRMD      0x1
#define CSR_EUEN      0x2
#define CSR_ECFG      0x4
#define CSR_ESTAT     0x5
#define CSR_ERA       0x6
#define CSR_BADV      0x7
#define CSR_EENTRY    0xc
#define CSR_TLBIDX    0x10
#define CSR_TLBEHI    0x11
#define CSR_TLBELO0   0x12
#define CSR_TLBELO1   0x13
#define CSR_ASID      0x18
#define CSR_PGDL      0x19
#define CSR_PGDH      0x1a
#define CSR_STLBPS    0x1e
#define CSR_SAVE0     0x30
#define CSR_TCFG      0x41
#define CSR_TICLR     0x44
#define CSR_SAVE1     0x31
#define CSR_SAVE2     0x32
#define CSR_TLBRENTRY 0x88
#define CSR_TLBRBADV  0x89
#define CSR_TLBRERA   0x8a
#define CSR_TLBRPRMD  0x8f
#define CSR_TLBRSAVE  0x8b
#define CSR_TLBRELO0  0x8c
#define CSR_TLBRELO1  0x8d
#define CSR_TLBREHI   0x8e
#define CSR_MERRENTRY 0x93
#define CSR_MERRERA   0x94
#define CSR_DMW0      0x180
#define CSR_DMW1      0x181

/* Read / write a CSR (the number must be a constant). */
#define csr_read(n) ({ uint64_t v_; \
    __asm__ volatile("csrrd %0, " STR(n) : "=r"(v_)); v_; })
#define csr_write(n, v) do { uint64_t v_ = (v); \
    __asm__ volatile("csrwr %0, " STR(n) : "+r"(v_) :: "memory"); } while (0)

/* CRMD.IE; ECFG.LIE / ESTAT.IS bit of the timer (TI). */
#define LA_CRMD_IE   (1ull << 2)
#define LA_ECFG_TI   (1ull << 11)

/* ESTAT.Ecode values. */
#define ECODE_INT 0x0
#define ECODE_PIL 0x1
#define ECODE_PIS 0x2
#define ECODE_PIF 0x3
#define ECODE_PME 0x4
#define ECODE_PPI 0x7
#define ECODE_ADE 0x8
#define ECODE_ALE 0x9

/* The host TLB mapper (os/bm/la-tlbmap.c). */
void bm_tlbmap_init(void);
/* HAMT's privileged driver (os/bm/la-hamt.c): windows, guest RAM base,
 * the C side of a refill the vector's table walk did not satisfy. */
void bm_la_hamt_init(void);
void bm_la_hamt_ram(uint64_t ram_pa);
void bm_la_refill(uint64_t *frame);
/* The refill's fast path (os/bm/la-entry.c saved the registers C may
 * clobber only): true if the pair was tlbfill'ed from HAMT's table. */
bool bm_la_refill_fast(uint64_t va);

#endif
