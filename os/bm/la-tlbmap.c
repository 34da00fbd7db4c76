/*
 * hamt86 - bare-metal LoongArch64: the host TLB behind HAMT's windows.
 *
 * HAMT (hamt/) asks the OS layer for window reservations and fixed
 * mappings of guest-RAM frames (os_reserve, os_map_fixed, os_protect; the
 * Linux driver hamt/hamt-linux.c makes them mmap calls).  Here they edit a
 * page table that only the TLB-refill vector reads, and invalidate the
 * host TLB with invtlb; guest RAM is host physical memory (os_alloc_ram),
 * a window is a TLB-mapped virtual range (never a DMW), and a miss is a
 * TLB-refill exception that tlbfills the entry (os/bm/la-entry.c).  A
 * mapping HAMT has not made is a hole: the refill installs an invalid
 * pair and the retried access raises PIL/PIS/PIF (PME for a store to a
 * read-only page), which bm_exception hands to hamt_fault like SIGSEGV.
 *
 * Table: 3 levels of 2048 u64 (16 KiB pages, BM_PAGE_BITS: bm-la.h says
 * why not 4 KiB) over a 47-bit virtual address, rooted at CSR.PGDL; a
 * directory entry is the DMW1 address of the next table (0: hole); a leaf
 * slot is a TLBELO (hamt_la_tlbelo, hamt/hamt-tlb.c) and the refill loads
 * the even/odd pair at once:
 *
 *   63    47 46      36 35      25 24       15 14 13          0
 *  +--------+----------+----------+-----------+--+-------------+
 *  |  zero  |  L2 idx  |  L1 idx  | pair idx  |eo|   offset    |
 *  +--------+----------+----------+-----------+--+-------------+
 *
 * Windows are carved from BM_WINDOW_BASE upwards (64 KiB aligned).  HAMT
 * itself no longer maps through this table: its privileged driver
 * (os/bm/la-hamt.c) refills from HAMT's own live-mapping table, one ASID
 * per cached guest context; the table serves os_map_fixed users (the
 * self-tests, under ASID 0).
 */
#include "core/os.h"
#include "core/libc.h"
#include "hamt/hamt-tlb.h"
#include "os/bm/bm.h"

#define BM_WINDOW_BASE  0x0000100000000000ull
#define BM_WINDOW_END   0x0000800000000000ull
#define BM_RAM_FD       3
#define TBL_ENTRIES     (1u << BM_TBL_BITS)
#define PG              ((uint64_t)BM_PAGE_SIZE)
/* Ranges of more pages than this flush the whole TLB once. */
#define INV_PAGE_LIMIT  64

_Static_assert(BM_WINDOW_END <= (1ull << BM_VA_BITS) &&
               BM_WINDOW_END <= (1ull << 47), "windows in PGDL's table");

typedef struct BMTlbMap {
    uint64_t *root;           /* L3 table (DMW1 address) */
    uint64_t next_va;         /* bump pointer for os_reserve */
    uint64_t ram_pa;          /* physical base of guest RAM */
    uint64_t ram_size;
} BMTlbMap;

static BMTlbMap tm;

/* invtlb op 0: every entry. */
static void tlb_flush_all(void)
{
    __asm__ volatile("invtlb 0, $zero, $zero" ::: "memory");
}

/* invtlb op 5: the non-global entry of the current ASID containing va. */
static void tlb_flush_va(uint64_t va)
{
    uint64_t asid = csr_read(CSR_ASID) & 0x3ff;

    __asm__ volatile("invtlb 5, %0, %1" :: "r"(asid), "r"(va) : "memory");
}

/* Set up the table and the TLB registers the refill relies on. */
void bm_tlbmap_init(void)
{
    tm.root = bm_alloc_pages(PG, PG);
    tm.next_va = BM_WINDOW_BASE;
    csr_write(CSR_PGDL, (uintptr_t)tm.root);
    csr_write(CSR_ASID, 0);
    csr_write(CSR_STLBPS, BM_PAGE_BITS);
    csr_write(CSR_TLBREHI, BM_PAGE_BITS);     /* PS of refilled entries */
    csr_write(CSR_TLBIDX, (uint64_t)BM_PAGE_BITS << LA_TLBIDX_PS_SHIFT);
    tlb_flush_all();
}

/* Whether va lies in the window area (faults there go to HAMT). */
bool bm_tlbmap_is_window(uintptr_t va)
{
    return va >= BM_WINDOW_BASE && va < tm.next_va;
}

/* Leaf slot of va; creates the tables on the way if create, else NULL
 * for a hole. */
static uint64_t *leaf_slot(uint64_t va, bool create)
{
    uint64_t *t = tm.root;

    for (int shift = BM_VA_BITS - BM_TBL_BITS; shift > BM_PAGE_BITS;
         shift -= BM_TBL_BITS) {
        uint64_t *e = &t[(va >> shift) & (TBL_ENTRIES - 1)];
        if (*e == 0) {
            if (!create) {
                return NULL;
            }
            *e = (uint64_t)(uintptr_t)bm_alloc_pages(PG, PG);
        }
        t = (uint64_t *)(uintptr_t)*e;
    }
    return &t[(va >> BM_PAGE_BITS) & (TBL_ENTRIES - 1)];
}

/* Reserve len bytes of window space (holes until mapped). */
void *os_reserve(size_t len)
{
    uint64_t va = ALIGN_UP(tm.next_va, 1ull << 16);

    len = ALIGN_UP(len, PG);
    if (va + len > BM_WINDOW_END) {
        return NULL;
    }
    tm.next_va = va + len;
    return (void *)(uintptr_t)va;
}

/*
 * Rewrite the slots of [va, va + len): fn(old slot) gives the new one.
 * Holes in the table are skipped when !create.  Then the TLB forgets the
 * range.
 */
static void edit_range(uint64_t va, uint64_t len, bool create,
                       uint64_t (*fn)(uint64_t old, uint64_t va, void *arg),
                       void *arg)
{
    uint64_t end = va + len, pages = len >> BM_PAGE_BITS;
    uint64_t leaf_span = PG << BM_TBL_BITS;

    while (va < end) {
        uint64_t *slot = leaf_slot(va, create);
        if (slot == NULL) {
            va = (va | (leaf_span - 1)) + 1;    /* skip the whole leaf */
            continue;
        }
        *slot = fn(*slot, va, arg);
        va += PG;
    }
    __asm__ volatile("dbar 0" ::: "memory");
    if (pages > INV_PAGE_LIMIT) {
        tlb_flush_all();
    } else {
        for (uint64_t a = end - len; a < end; a += PG) {
            tlb_flush_va(a);
        }
    }
}

/* Slot editors. */
static uint64_t slot_clear(uint64_t old, uint64_t va, void *arg)
{
    (void)old;
    (void)va;
    (void)arg;
    return 0;
}

typedef struct MapArg {
    uint64_t va0, pa0;
    unsigned prot;
} MapArg;

static uint64_t slot_map(uint64_t old, uint64_t va, void *arg)
{
    MapArg *m = arg;

    (void)old;
    return hamt_la_tlbelo(m->pa0 + (va - m->va0), m->prot, false, 0);
}

static uint64_t slot_protect(uint64_t old, uint64_t va, void *arg)
{
    MapArg *m = arg;

    (void)va;
    if (old == 0) {
        return 0;
    }
    return hamt_la_tlbelo(old & 0x0000ffffffffc000ull, m->prot, false, 0);
}

/* Give a reservation back: its slots become holes (the space is not
 * reused: 128 TiB of it is plenty). */
void os_unreserve(void *p, size_t len)
{
    edit_range((uintptr_t)p, ALIGN_UP(len, PG), false, slot_clear, NULL);
}

/* Map guest RAM [off, off + len) at addr (fd = os_ram_fd), or make the
 * range a hole again (fd < 0). */
int os_map_fixed(void *addr, size_t len, int prot, int fd, uint64_t off)
{
    uint64_t va = (uintptr_t)addr;
    MapArg m = { va, tm.ram_pa + off, (unsigned)prot };

    if ((va | len | off) & (PG - 1) || !bm_tlbmap_is_window(va)) {
        return -22;
    }
    if (fd < 0) {
        edit_range(va, len, false, slot_clear, NULL);
        return 0;
    }
    if (fd != BM_RAM_FD || off + len > tm.ram_size) {
        return -22;
    }
    edit_range(va, len, prot != OS_PROT_NONE, slot_map, &m);
    return 0;
}

/* New permissions for mapped pages in [addr, addr + len). */
int os_protect(void *addr, size_t len, int prot)
{
    MapArg m = { 0, 0, (unsigned)prot };

    if (((uintptr_t)addr | len) & (PG - 1) ||
        !bm_tlbmap_is_window((uintptr_t)addr)) {
        return -22;
    }
    edit_range((uintptr_t)addr, len, false, slot_protect, &m);
    return 0;
}

/* Guest RAM: physical pages (the high arena), reachable through DMW1 by
 * the engine and through the windows' TLB entries by generated code. */
void *os_alloc_ram(size_t size)
{
    void *p = bm_alloc_pages(ALIGN_UP(size, 1u << 16), 1u << 16);

    tm.ram_pa = BM_PHYS(p);
    tm.ram_size = ALIGN_UP(size, 1u << 16);
    bm_la_hamt_ram(tm.ram_pa);
    return p;
}

/* The "file" behind guest RAM: a token os_map_fixed knows. */
int os_ram_fd(void)
{
    return tm.ram_size != 0 ? BM_RAM_FD : -1;
}
