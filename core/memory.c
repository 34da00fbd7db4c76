/*
 * hamt86 - the guest physical map, port I/O dispatch, TLB maintenance
 * entry points and the C accessors.
 *
 * Physical map:
 *
 *   0 ............ ram_size ............................... 4 GiB
 *   |  RAM (guest_ram) |  MMIO regions / unassigned          |
 *
 * guest_pflags has one byte per 4 KiB page (PF_* in core/mem.h): every
 * page at or above ram_size is PF_NOT_RAM; tb.c sets PF_CODE on pages that
 * hold translated code (through mem_path->protect_code_page, whose
 * phys_page argument is a page-aligned physical address).
 *
 * The memory paths themselves (softmmu-fallback/, hamt/) translate linear
 * addresses and end up here for MMIO and unassigned physical addresses.
 * (The old "flat" path, linear == physical, is retired: it could not run a
 * guest that enables paging.  The softmmu is the default.)
 */
#include "core/mem.h"
#include "core/mmu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "ir/ir.h"

#define MAX_MMIO 16
#define MAX_IO_HANDLERS 32

uint8_t *guest_ram;
uint32_t guest_ram_size;
uint8_t guest_pflags[GUEST_NB_PAGES];
void (*mem_pt_write_hook)(uint32_t phys);

const MemPath *mem_path = &mempath_softmmu;
bool mem_count_tlb_hits;

static MMIORegion mmio_regions[MAX_MMIO];
static unsigned nb_mmio;

/* RAM aliases (phys_register_ram_alias): base, size, RAM address. */
#define MAX_RAM_ALIAS 4
static struct {
    uint32_t base, size, ram;
} ram_alias[MAX_RAM_ALIAS];
static unsigned nb_ram_alias;

/* Port -> handler index + 1 (0: unassigned). */
static IOPortHandler io_handlers[MAX_IO_HANDLERS];
static uint8_t io_map[65536];
static unsigned nb_io;

/* Value of an unassigned read of size bytes. */
static inline uint32_t ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Set up RAM and the page flags; publish them in env->mem. */
void phys_map_init(CPUX86State *env, uint8_t *ram, uint32_t ram_size)
{
    uint32_t first = ram_size >> GUEST_PAGE_BITS;

    guest_ram = ram;
    guest_ram_size = ram_size;
    memset(guest_pflags, 0, first);
    memset(guest_pflags + first, PF_NOT_RAM, GUEST_NB_PAGES - first);
    env->mem.ram_base = (uintptr_t)ram;
    env->mem.pflags = guest_pflags;
}

/* Add an MMIO region; its pages become PF_NOT_RAM. */
void phys_register_mmio(const MMIORegion *r)
{
    uint32_t p, last;

    if (nb_mmio == MAX_MMIO) {
        os_fatal(1, "too many MMIO regions (registering %s)", r->name);
    }
    mmio_regions[nb_mmio++] = *r;
    last = (r->base + r->size - 1) >> GUEST_PAGE_BITS;
    for (p = r->base >> GUEST_PAGE_BITS; p <= last; p++) {
        guest_pflags[p] |= PF_NOT_RAM;
    }
}

/* Code at [base, base + size) is the RAM at [ram_phys, ...). */
void phys_register_ram_alias(uint32_t base, uint32_t size, uint32_t ram_phys)
{
    if (nb_ram_alias == MAX_RAM_ALIAS) {
        os_fatal(1, "too many RAM aliases (registering 0x%08x)", base);
    }
    ram_alias[nb_ram_alias].base = base;
    ram_alias[nb_ram_alias].size = size;
    ram_alias[nb_ram_alias].ram = ram_phys;
    nb_ram_alias++;
}

/* The RAM address whose bytes code at phys runs (see core/mem.h). */
uint32_t phys_code_addr(uint32_t phys)
{
    if (phys < guest_ram_size) {
        return phys;
    }
    for (unsigned i = 0; i < nb_ram_alias; i++) {
        uint32_t off = phys - ram_alias[i].base;
        if (off < ram_alias[i].size &&
            ram_alias[i].ram + off < guest_ram_size) {
            return ram_alias[i].ram + off;
        }
    }
    return phys;
}

/* Add a port I/O handler covering [base, base + count). */
void io_register(const IOPortHandler *h)
{
    if (nb_io == MAX_IO_HANDLERS) {
        os_fatal(1, "too many I/O port handlers (registering %s)", h->name);
    }
    io_handlers[nb_io] = *h;
    nb_io++;
    for (uint32_t p = h->base; p < (uint32_t)h->base + h->count && p < 65536; p++) {
        io_map[p] = (uint8_t)nb_io;
    }
}

/* The MMIO region containing phys, or NULL. */
static const MMIORegion *mmio_find(uint32_t phys)
{
    for (unsigned i = 0; i < nb_mmio; i++) {
        if (phys - mmio_regions[i].base < mmio_regions[i].size) {
            return &mmio_regions[i];
        }
    }
    return NULL;
}

/* Host pointer for RAM at phys (NULL if not RAM). */
uint8_t *phys_ram_ptr(uint32_t phys)
{
    if (phys < guest_ram_size) {
        return guest_ram + phys;
    }
    return NULL;
}

/* Read size bytes at phys (RAM, MMIO or all-ones); no page crossing. */
uint32_t phys_read(uint32_t phys, unsigned size)
{
    const MMIORegion *r;

    if (phys < guest_ram_size && size <= guest_ram_size - phys) {
        return mem_host_ld(guest_ram + phys, size);
    }
    r = mmio_find(phys);
    if (r != NULL && r->read != NULL) {
        return r->read(r->opaque, phys - r->base, size) & ones(size);
    }
    DEBUG_LOG(LOG_UNIMP, "unassigned read%u at phys 0x%08x\n", size * 8, phys);
    return 0;   /* as QEMU's unassigned memory */
}

/* Write size bytes at phys; RAM writes into code pages drop the TBs. */
void phys_write(uint32_t phys, uint32_t val, unsigned size)
{
    const MMIORegion *r;

    if (phys < guest_ram_size && size <= guest_ram_size - phys) {
        if (unlikely(guest_pflags[phys >> GUEST_PAGE_BITS] & PF_PT)) {
            mem_pt_write_hook(phys);
        }
        if (unlikely(guest_pflags[phys >> GUEST_PAGE_BITS] & PF_CODE)) {
            tb_invalidate_phys_range(&machine.cpu, phys, phys + size);
        }
        mem_host_st(guest_ram + phys, val, size);
        return;
    }
    r = mmio_find(phys);
    if (r != NULL && r->write != NULL) {
        r->write(r->opaque, phys - r->base, val & ones(size), size);
        return;
    }
    DEBUG_LOG(LOG_UNIMP, "unassigned write%u at phys 0x%08x = 0x%x\n",
              size * 8, phys, val);
}

/* Port input; unassigned ports read all-ones. */
uint32_t io_read(uint16_t port, unsigned size)
{
    unsigned i = io_map[port];
    uint32_t v;

    stats.io_accesses++;
    if (i == 0 || io_handlers[i - 1].read == NULL) {
        DEBUG_LOG(LOG_UNIMP, "unassigned in%c port 0x%04x\n",
                  size == 1 ? 'b' : size == 2 ? 'w' : 'l', port);
        return ones(size);
    }
    v = io_handlers[i - 1].read(io_handlers[i - 1].opaque, port, size) &
        ones(size);
    DEBUG_LOG(LOG_IOPORT, "ioport: in%c  0x%04x -> 0x%x (%s)\n",
              size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, v,
              io_handlers[i - 1].name);
    return v;
}

/* Port output; writes to unassigned ports are dropped. */
void io_write(uint16_t port, uint32_t val, unsigned size)
{
    unsigned i = io_map[port];

    stats.io_accesses++;
    if (i == 0 || io_handlers[i - 1].write == NULL) {
        DEBUG_LOG(LOG_UNIMP, "unassigned out%c port 0x%04x = 0x%x\n",
                  size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, val);
        return;
    }
    DEBUG_LOG(LOG_IOPORT, "ioport: out%c 0x%04x <- 0x%x (%s)\n",
              size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, val & ones(size),
              io_handlers[i - 1].name);
    io_handlers[i - 1].write(io_handlers[i - 1].opaque, port, val & ones(size),
                             size);
}

/*
 * RAM write without the page-table hook (page-walk A/D updates: the walk
 * that sets A/D must not drop what it is building).  The code-page check
 * stays: a paging-structure page may also hold code, and that code must
 * see the new A/D bits, as on a real CPU.
 */
void phys_write_notdirty(uint32_t phys, uint32_t val, unsigned size)
{
    if (phys < guest_ram_size && size <= guest_ram_size - phys) {
        if (unlikely(guest_pflags[phys >> GUEST_PAGE_BITS] & PF_CODE)) {
            tb_invalidate_phys_range(&machine.cpu, phys, phys + size);
        }
        mem_host_st(guest_ram + phys, val, size);
        return;
    }
    phys_write(phys, val, size);
}

/* ------------------------------------------------------------------------
 * TLB maintenance entry points (dispatch to the active memory path)
 */

/* INVLPG: drop one linear page from every MMU index. */
void tlb_flush_page(CPUX86State *env, uint32_t linear)
{
    tb_jc_flush_page(linear);
    if (mem_path && mem_path->flush_page) {
        mem_path->flush_page(env, linear);
    }
}

/* CR0/CR4 paging changes: drop everything. */
void tlb_flush_all(CPUX86State *env)
{
    tb_jc_flush();
    if (mem_path && mem_path->flush_all) {
        mem_path->flush_all(env);
    }
}

/* CR3 reload: drop everything but global pages. */
void tlb_flush_nonglobal(CPUX86State *env)
{
    tb_jc_flush_nonglobal();
    if (mem_path && mem_path->flush_nonglobal) {
        mem_path->flush_nonglobal(env);
    } else {
        tlb_flush_all(env);
    }
}

/* ------------------------------------------------------------------------
 * Slow paths and C accessors
 */

static void probe_write_pages(CPUX86State *env, uint32_t addr, unsigned size,
                              unsigned idx, uintptr_t ra);

/* Load that generated code could not complete inline. */
uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi,
                     uintptr_t ra)
{
    stats.slow_loads++;
    if (oi & MO_RMW) {
        /* read-modify-write: the CPU checks the destination as a write
         * before it reads (W=1 in the #PF even if not present) */
        probe_write_pages(env, addr, memop_size(get_memop(oi)),
                          get_mmuidx(oi), ra);
    }
    return mem_path->ld(env, addr, oi, ra);
}

/* Store that generated code could not complete inline. */
void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
                 uintptr_t ra)
{
    stats.slow_stores++;
    mem_path->st(env, addr, val, oi, ra);
}

/* Host address of a C-side access that the softmmu TLB allows without the
 * slow path (core/mem.h mem_tlb_host), else NULL. */
static inline uint8_t *helper_tlb_host(CPUX86State *env, uint32_t addr,
                                       unsigned oi, bool store)
{
    return mem_tlb_host(env, addr, memop_size(get_memop(oi)), get_mmuidx(oi),
                        store);
}

/* Load by a C helper (descriptor tables, INT/IRET stacks): TLB, else path. */
uint32_t mem_ld_helper(CPUX86State *env, uint32_t addr, unsigned oi,
                       uintptr_t ra)
{
    uint8_t *p = helper_tlb_host(env, addr, oi, false);
    uint32_t v;

    if (p == NULL) {
        return mem_path->ld(env, addr, oi, ra);
    }
    v = mem_host_ld(p, 1u << (oi & MO_SIZE));
    switch (oi & (MO_SIZE | MO_SIGN)) {
    case MO_8S:  return (uint32_t)(int32_t)(int8_t)v;
    case MO_16S: return (uint32_t)(int32_t)(int16_t)v;
    default:     return v;
    }
}

/* Store by a C helper: TLB, else the memory path. */
void mem_st_helper(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
                   uintptr_t ra)
{
    uint8_t *p = helper_tlb_host(env, addr, oi, true);

    if (p == NULL) {
        mem_path->st(env, addr, val, oi, ra);
        return;
    }
    mem_host_st(p, val, 1u << (oi & MO_SIZE));
}

/*
 * Check that MMU index idx may write every page of [addr, addr + size),
 * first page first, and raise the #PF of the first one that refuses, with
 * CR2 = addr for the first page and the second page's first byte for the
 * second, as a single crossing store of the memory path does.  A page
 * the softmmu TLB already lets idx write needs no walk (every path keeps
 * that TLB valid or empty, see helper_tlb_host; a write entry implies
 * the permission and D set, whatever flags send stores to the slow path).
 */
static void probe_write_pages(CPUX86State *env, uint32_t addr, unsigned size,
                              unsigned idx, uintptr_t ra)
{
    uint32_t next = (addr + size - 1) & GUEST_PAGE_MASK;
    X86PageResult res;

    if (idx == MMU_PHYS_IDX) {
        return;
    }
    for (;;) {
        uint32_t page = addr & GUEST_PAGE_MASK;
        uint32_t w = tlb_entry(env, idx, addr)->addr_write;
        int r;

        if ((w & ~(TLB_NOTDIRTY | TLB_PT | TLB_WATCH | TLB_MMIO)) != page) {
            r = x86_mmu_walk(env, addr, MMU_DATA_STORE, (int)idx, &res);
            if (r != 0) {
                x86_raise_page_fault(env, addr, r, ra);
            }
        }
        if (page == next) {
            return;
        }
        addr = next;
    }
}

/*
 * Check that a store of size bytes at linear addr, which the translated
 * code performs as several narrower stores, may write every page it
 * touches, before any of them is written: a page-crossing access is
 * checked as a whole (SDM Vol. 3 4.7; a Pentium II writes neither half
 * of an FST m64 that faults on its second page).  A one-page store is
 * left to the store itself.
 */
void cpu_probe_store(CPUX86State *env, uint32_t addr, unsigned size,
                     uintptr_t ra)
{
    if (((addr + size - 1) ^ addr) & GUEST_PAGE_MASK) {
        probe_write_pages(env, addr, size, cpu_mmu_index(env), ra);
    }
}

/* Check that the current MMU index may write [addr, addr + size) (an
 * instruction that checks its destination as a write but leaves it
 * unchanged: a shift of memory by 0). */
void cpu_probe_write(CPUX86State *env, uint32_t addr, unsigned size,
                     uintptr_t ra)
{
    probe_write_pages(env, addr, size, cpu_mmu_index(env), ra);
}

/* Byte load at a linear address. */
uint32_t cpu_ldub(CPUX86State *env, uint32_t addr, uintptr_t ra)
{
    return mem_ld_helper(env, addr, MAKE_OI(MO_8, cpu_mmu_index(env)), ra);
}

/* 16-bit load at a linear address. */
uint32_t cpu_lduw(CPUX86State *env, uint32_t addr, uintptr_t ra)
{
    return mem_ld_helper(env, addr, MAKE_OI(MO_16, cpu_mmu_index(env)), ra);
}

/* 32-bit load at a linear address. */
uint32_t cpu_ldl(CPUX86State *env, uint32_t addr, uintptr_t ra)
{
    return mem_ld_helper(env, addr, MAKE_OI(MO_32, cpu_mmu_index(env)), ra);
}

/* Byte store at a linear address. */
void cpu_stb(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra)
{
    mem_st_helper(env, addr, v, MAKE_OI(MO_8, cpu_mmu_index(env)), ra);
}

/* 16-bit store at a linear address. */
void cpu_stw(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra)
{
    mem_st_helper(env, addr, v, MAKE_OI(MO_16, cpu_mmu_index(env)), ra);
}

/* 32-bit store at a linear address. */
void cpu_stl(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra)
{
    mem_st_helper(env, addr, v, MAKE_OI(MO_32, cpu_mmu_index(env)), ra);
}
