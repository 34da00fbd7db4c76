/*
 * hamt86 - guest physical memory map and the memory-path interface.
 *
 * The physical map is RAM from 0 to ram_size, RAM aliases (code fetched
 * through one is translated as the RAM it shows: phys_register_ram_alias)
 * and registered MMIO regions; everything else is unassigned (reads return
 * 0 as in QEMU, writes are dropped, code fetch is a fatal "jumped to
 * unmapped memory" error).
 *
 * guest_pflags has one byte per 4 KiB guest *physical* page (1 Mi entries):
 *   PF_NOT_RAM  not plain RAM (MMIO or unassigned): accesses go slow
 *   PF_CODE     translated code lives here: stores go slow (SMC check)
 *   PF_WATCH    reserved (physical watchpoints)
 *   PF_PT       a guest page-table frame HAMT's cached contexts depend on:
 *               stores go slow and call mem_pt_write_hook first
 *
 * Memory paths implement MemPath: "softmmu" (softmmu-fallback/, the
 * software TLB), "hamt" and "hamt16k" (hamt/, host windows checked by the
 * host MMU), and --cosim's shadow path (host-interp/cosim.c).
 * Generated code calls mem_ld_slow / mem_st_slow when its inline fast path
 * cannot complete an access.  Which inline sequence the JIT backends emit
 * is asked of the path through its hooks (MemPath.window_ensure,
 * inline_softmmu_at, phys_limit), never by naming the path.  The inline
 * softmmu access looks up
 * tlb_entry(env, mmu_idx, linear) (core/cpu.h: dynamic size) and compares
 * addr_read / addr_write with (linear & (TARGET_PAGE_MASK | (size - 1)));
 * the TLB_* flag bits below live in the low bits of the compare words, so
 * one compare sends every special case (empty, MMIO, code page, watchpoint)
 * and every misaligned access to the slow path.  On a hit the host address
 * is addend + (intptr_t)(int32_t)linear.
 */
#ifndef HAMT86_MEM_H
#define HAMT86_MEM_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/libc.h"
#include "core/mmu.h"
#include "ir/memop.h"

/* Little-endian load of 1, 2 or 4 bytes from host memory (every host is
 * little-endian; memcpy keeps unaligned pointers legal, and the builtin
 * is inlined where -fno-builtin would make memcpy a call). */
static inline uint32_t mem_host_ld(const uint8_t *p, unsigned size)
{
    uint32_t v;

    if (size == 1) {
        return *p;
    }
    if (size == 2) {
        uint16_t h;
        __builtin_memcpy(&h, p, 2);
        return h;
    }
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* Little-endian store of 1, 2 or 4 bytes to host memory. */
static inline void mem_host_st(uint8_t *p, uint32_t v, unsigned size)
{
    if (size == 1) {
        *p = (uint8_t)v;
    } else if (size == 2) {
        uint16_t h = (uint16_t)v;
        __builtin_memcpy(p, &h, 2);
    } else {
        __builtin_memcpy(p, &v, 4);
    }
}

#define PF_NOT_RAM 0x01
#define PF_CODE    0x02
#define PF_WATCH   0x04
#define PF_PT      0x08
#define PF_LOAD_SLOW  (PF_NOT_RAM | PF_WATCH)
#define PF_STORE_SLOW (PF_NOT_RAM | PF_CODE | PF_WATCH | PF_PT)

/* Called with the physical address before a store to a PF_PT page (set by
 * the memory path that protects page-table frames), NULL otherwise. */
extern void (*mem_pt_write_hook)(uint32_t phys);
#define GUEST_NB_PAGES (1u << (32 - GUEST_PAGE_BITS))

typedef struct MMIORegion {
    uint32_t base, size;
    const char *name;
    void *opaque;
    uint32_t (*read)(void *opaque, uint32_t off, unsigned size);
    void (*write)(void *opaque, uint32_t off, uint32_t val, unsigned size);
} MMIORegion;

typedef struct IOPortHandler {
    uint16_t base, count;
    const char *name;
    void *opaque;
    uint32_t (*read)(void *opaque, uint16_t port, unsigned size);
    void (*write)(void *opaque, uint16_t port, uint32_t val, unsigned size);
} IOPortHandler;

/* TLB compare-word flags (page-aligned tags leave bits 0..11 free; bits
 * 0..1 stay clear so that misaligned addresses never match). */
#define TLB_INVALID  0x800u   /* empty entry / no permission for this access */
#define TLB_MMIO     0x400u   /* not RAM: dispatch through the physical map */
#define TLB_NOTDIRTY 0x200u   /* (addr_write) translated code or PF_PT page */
#define TLB_WATCH    0x100u   /* a watchpoint overlaps the page */
#define TLB_PT       0x080u   /* (addr_write, with TLB_NOTDIRTY) PF_PT page:
                                 generated code's code-map probe
                                 (core/tb-smc.h) must not pass it */
#define TLB_FLAGS_MASK (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY | TLB_WATCH | \
                        TLB_PT)

/* Watchpoint flags. */
#define WP_READ  1u
#define WP_WRITE 2u
#define WP_STOP  4u   /* stop the machine after the accessing instruction */

struct TranslationBlock;

/*
 * A memory path: the hooks the rest of the engine calls.  Required: init,
 * ld, st, get_phys_code, flush_page, flush_all, protect_code_page.  Every
 * other hook may be NULL; the inline wrappers below give the default.
 */
typedef struct MemPath {
    const char *name;
    /* C helpers must use ld/st, not the softmmu TLB directly (the --cosim
     * shadow path: its stores live in an overlay) */
    bool helpers_via_path;
    void (*init)(CPUX86State *env);
    uint32_t (*ld)(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra);
    void (*st)(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi, uintptr_t ra);
    /* Linear -> physical for instruction fetch; false => fault raised/absent.
     * global (NULL: not wanted): the translation is a global page's, so it
     * survives a CR3 load (the jump cache keeps its TBs then). */
    bool (*get_phys_code)(CPUX86State *env, uint32_t linear, uint32_t *phys,
                          bool *global);
    void (*flush_page)(CPUX86State *env, uint32_t linear);
    void (*flush_all)(CPUX86State *env);
    /* CR3 reload: drop everything except global pages. */
    void (*flush_nonglobal)(CPUX86State *env);
    /* Drop linear [linear, linear + len) in every MMU index. */
    void (*flush_range)(CPUX86State *env, uint32_t linear, uint32_t len);
    /* Drop every entry of the MMU indices in idxmask (bit i = index i). */
    void (*flush_mmuidx)(CPUX86State *env, unsigned idxmask);
    /* A page got (or lost) translated code. */
    void (*protect_code_page)(CPUX86State *env, uint32_t phys_page, bool has_code);
    /* Optional, for --cosim: the physical address the path's current TLB
     * gives linear for a load (store = false) or store, without filling,
     * walking or counting; false if no entry allows that access. */
    bool (*peek)(CPUX86State *env, uint32_t linear, bool store, unsigned idx,
                 uint32_t *phys);

    /*
     * Lowering (JIT backends, at translation time).
     *
     * window_ensure: set by a window path (hamt).  Its inline access is
     * one host load/store at window base + sext32(linear), checked by the
     * host MMU; a fault is resolved through HostBackend.find_site, so the
     * backend ends every TB with a site table (MEM_SITE_MAGIC).  The hook
     * reserves, if needed, the window of MMU index idx in the current
     * context and returns its base (also published in env->hamt_window[]).
     * NULL: the inline softmmu TLB lookup everywhere.
     */
    uintptr_t (*window_ensure)(unsigned idx);
    /* Window paths: the access (MMU index idx, MemOp memop: MO_STACK for
     * an SS-relative one; addr: its linear address when the code makes it
     * a constant, else NULL) of the guest instruction at eip of tb must
     * use the inline softmmu TLB lookup instead of the window (a hot
     * fallback site, or a stack or a unit the window cannot map).  NULL:
     * never. */
    bool (*inline_softmmu_at)(const struct TranslationBlock *tb, uint32_t eip,
                              unsigned idx, unsigned memop,
                              const uint32_t *addr);
    /* Window paths: the 1-, 2- or 4-byte stores of MMU index idx of the
     * guest instruction at eip of tb are stores beside code: test the code
     * bytes at env->hamt_cd_map[idx] + addr, store at env->hamt_cd_st[idx]
     * + addr (docs/HAMT.md "Stores beside translated code"); the hook
     * reserves what they need.  NULL: never. */
    bool (*cd_store_at)(const struct TranslationBlock *tb, uint32_t eip,
                        unsigned idx);
    /* Window paths: paging-off (MMU_PHYS_IDX) accesses at or above this
     * address must take the slow path without touching the window (it
     * only spans RAM).  NULL: 1 << 32, no check. */
    uint64_t (*phys_limit)(void);

    /* Interpreter accessors (host-interp/): a guest access of memop
     * (MO_*) in MMU index idx, value zero/sign-extended as memop says
     * (*val for a load).  They return false when the interpreter is to use
     * the softmmu TLB fast path for this access (as when NULL: the path's
     * own policy, e.g. HAMT fills that do not pay), else mem_ld_slow /
     * mem_st_slow. */
    bool (*interp_ld)(CPUX86State *env, uint32_t addr, unsigned memop,
                      unsigned idx, uint32_t *val);
    bool (*interp_st)(CPUX86State *env, uint32_t addr, uint32_t val,
                      unsigned memop, unsigned idx);

    /* --stats: the path's counters (stderr, stat_line format).  NULL: none. */
    void (*stats_print)(const CPUX86State *env);
} MemPath;

/* JIT backends end each TB with a site table for window paths: {access
 * offset, stub offset} words per site, then the count, then this word. */
#define MEM_SITE_MAGIC 0x544d4148u   /* "HAMT" */

extern const MemPath mempath_softmmu;   /* softmmu-fallback/ */

/* The softmmu TLB (softmmu-fallback/) is every path's slow path; a window
 * path (hamt/) also asks it these two things: */
/* Make stores through every TLB entry of phys_page take the slow path
 * (TLB_NOTDIRTY): a page got PF_CODE or PF_PT. */
void softmmu_notdirty_page(CPUX86State *env, uint32_t phys_page);
/* Changes whenever a TLB entry is filled (a generation, not a statistic):
 * whether a slow-path access filled the TLB. */
uint64_t softmmu_fill_gen(void);

/*
 * TLB sets.  A window path that caches guest contexts (hamt/,
 * --hamt-contexts) gives each context a softmmu TLB set of its own, so a
 * CR3 load back to a cached context keeps the entries it had (QEMU flushes
 * on every CR3 load).  Set 0 is the softmmu's own; set k (1 ..
 * SOFTMMU_TLB_SETS - 1) is allocated on its first selection.  Range,
 * index and whole flushes and softmmu_notdirty_page reach every set;
 * flush_nonglobal only the current one; a page flush every set, or with
 * an owner that revalidates, the current one and those that may hold a
 * global entry.  The owner keeps a set coherent with the guest's page
 * tables: the walk of every fill is reported to it while it wants them
 * (softmmu_owner_walks).
 */
#define SOFTMMU_TLB_SETS 8
typedef struct SoftmmuOwner {
    /* a fill of the current set walked the paging structures f[0..n)
     * (guest page numbers, top level first) for a page of psize */
    void (*walked)(const uint32_t *f, unsigned n, uint32_t psize);
    /* the owner drops or re-checks a set's non-global entries before it
     * selects the set again (as a CR3 load drops them on a CPU): a page
     * flush (INVLPG) then need not visit the other sets that hold no
     * global entry */
    bool revalidates;
} SoftmmuOwner;
/* Fills report their walks to owner from now on (NULL: no owner). */
void softmmu_set_owner(const SoftmmuOwner *owner);
/* Whether the current set's fills report their walks to the owner (true
 * when it is set); false while the owner drops their entries before it
 * relies on them anyway, so fills take the plain walk. */
void softmmu_owner_walks(bool on);
/* Make set k current, with the entries it holds; false: no memory for a
 * new set (the current one stays). */
bool softmmu_tlb_select(CPUX86State *env, unsigned k);
/* Drop the non-global entries of set k, or all of them. */
void softmmu_tlb_drop(CPUX86State *env, unsigned k, bool nonglobal_only);
extern const MemPath *mem_path;

/*
 * Host address of a C-side access of len bytes at linear addr in MMU index
 * idx that the softmmu TLB allows without the slow path (one page, no
 * TLB_* flag, misaligned is fine), else NULL.  Every memory path keeps
 * this TLB valid or leaves it empty: HAMT keeps it valid too (every HAMT
 * flush flushes it, code pages and watchpoints set TLB_NOTDIRTY/TLB_WATCH),
 * so both paths use it; --cosim's shadow path (helpers_via_path) does not.
 */
static inline __attribute__((always_inline)) uint8_t *
mem_tlb_host(CPUX86State *env, uint32_t addr, unsigned len, unsigned idx,
             bool store)
{
    const CPUTLBEntry *e;

    if (mem_path->helpers_via_path ||
        (addr & ~GUEST_PAGE_MASK) > GUEST_PAGE_SIZE - len) {
        return NULL;
    }
    e = tlb_entry(env, idx, addr);
    if ((store ? e->addr_write : e->addr_read) != (addr & GUEST_PAGE_MASK)) {
        return NULL;
    }
    return (uint8_t *)(e->addend + (uintptr_t)(intptr_t)(int32_t)addr);
}

/* Whether the active path's inline access is a window access (hooks above). */
static inline bool mem_path_has_windows(void)
{
    return mem_path->window_ensure != NULL;
}

/* Lowering: emit the inline softmmu access (MMU index idx, memop, the
 * constant linear address or NULL) for the insn at eip of tb? */
static inline bool mem_inline_softmmu_at(const struct TranslationBlock *tb,
                                         uint32_t eip, unsigned idx,
                                         unsigned memop, const uint32_t *addr)
{
    return mem_path->window_ensure == NULL ||
           (mem_path->inline_softmmu_at != NULL &&
            mem_path->inline_softmmu_at(tb, eip, idx, memop, addr));
}

/* Lowering: a store of MMU index idx at eip of tb beside code? */
static inline bool mem_cd_store_at(const struct TranslationBlock *tb,
                                   uint32_t eip, unsigned idx)
{
    return mem_path->cd_store_at != NULL && mem_path->cd_store_at(tb, eip, idx);
}

/* Lowering: first paging-off address that must take the slow path. */
static inline uint64_t mem_phys_limit(void)
{
    return mem_path->phys_limit ? mem_path->phys_limit() : (uint64_t)1 << 32;
}

/* Lowering: reserve the window of MMU index idx; its base (0: no windows). */
static inline uintptr_t mem_window_ensure(unsigned idx)
{
    return mem_path->window_ensure ? mem_path->window_ensure(idx) : 0;
}

/* TLB maintenance for the system helpers: dispatch to the active path. */
void tlb_flush_page(CPUX86State *env, uint32_t linear);   /* INVLPG */
void tlb_flush_all(CPUX86State *env);                     /* CR0/CR4 paging */
void tlb_flush_nonglobal(CPUX86State *env);               /* CR3 reload */

/* Watchpoints on linear addresses (softmmu): accesses overlapping
 * [linear, linear + len) are logged; flags WP_READ | WP_WRITE | WP_STOP. */
bool mem_watch_insert(CPUX86State *env, uint32_t linear, uint32_t len,
                      unsigned flags);
/* Parse "ADDR[:LEN][:stop]" (hex or decimal) and insert a read/write
 * watchpoint; with ":stop" the machine stops after the accessing
 * instruction (exit status WATCH_EXIT_STATUS). */
bool mem_watch_parse(CPUX86State *env, const char *spec);
/* Does any watchpoint overlap linear [addr, addr + len)? */
bool mem_watch_test(uint32_t linear, uint32_t len);
/* Exit status after a ":stop" watchpoint hit. */
#define WATCH_EXIT_STATUS 6

/*
 * Instruction fetch fault: get_phys_code returns false without raising and
 * records the fault; the execution loop calls this when the first
 * instruction of a TB could not be fetched.  Raises the recorded #PF (does
 * not return) or returns if nothing is recorded (unmapped physical memory).
 */
void mem_raise_fetch_fault(CPUX86State *env);

/* Set before the first translation (--stats): backends with
 * counts_tlb_hits emit a per-MMU-index hit counter in the inline fast
 * path (env->tlb_hits[]); off, the fast path is unchanged. */
extern bool mem_count_tlb_hits;

/* Print the softmmu counters for --stats (stderr); mempath_softmmu's
 * stats_print (a path built on the softmmu calls it from its own). */
void mem_stats_print(const CPUX86State *env);

/* One "  name  value" line of --stats on stderr (core/stats.c). */
void stat_line(const char *name, uint64_t v);

/* Slow paths called by generated code and by the interpreter. */
uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra);
void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi, uintptr_t ra);

/* Accesses by C helpers (not counted as slow path): the softmmu TLB entry
 * when it allows the access, else the memory path's ld / st. */
uint32_t mem_ld_helper(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra);
void mem_st_helper(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
                   uintptr_t ra);

/* Helpers for C code (helpers, string insns): guest linear accesses. */
uint32_t cpu_ldub(CPUX86State *env, uint32_t addr, uintptr_t ra);
uint32_t cpu_lduw(CPUX86State *env, uint32_t addr, uintptr_t ra);
uint32_t cpu_ldl(CPUX86State *env, uint32_t addr, uintptr_t ra);
void cpu_stb(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
void cpu_stw(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
void cpu_stl(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
/* Current MMU index for data accesses (inline: every C access, code
 * fetch translation and TB lookup miss asks). */
static inline unsigned cpu_mmu_index(const CPUX86State *env)
{
    if (!(env->cr[0] & CR0_PG)) {
        return MMU_PHYS_IDX;
    }
    if ((env->hflags & HF_CPL_MASK) == 3) {
        return MMU_USER_IDX;
    }
    if ((env->cr[4] & CR4_SMAP) && !(env->eflags & AC_MASK)) {
        return MMU_KSMAP_IDX;
    }
    return MMU_KERNEL_IDX;
}
/* Fault now unless a store of size bytes at addr may write every page
 * it touches (a split store is checked as a whole before any part). */
void cpu_probe_store(CPUX86State *env, uint32_t addr, unsigned size,
                     uintptr_t ra);
/* Fault now unless [addr, addr + size) may be written (a destination the
 * CPU checks as a write but leaves unchanged: a shift of memory by 0). */
void cpu_probe_write(CPUX86State *env, uint32_t addr, unsigned size,
                     uintptr_t ra);

/* Physical map (core/memory.c). */
void phys_map_init(CPUX86State *env, uint8_t *ram, uint32_t ram_size);
void phys_register_mmio(const MMIORegion *r);
/* [base, base + size) is also RAM at ram_phys (an MMIO-backed alias, such
 * as the high BIOS window): code fetched there translates as that RAM. */
void phys_register_ram_alias(uint32_t base, uint32_t size, uint32_t ram_phys);
/* The RAM address code at phys is translated from: phys itself, or the
 * RAM an alias stands for (so SMC through either address is seen). */
uint32_t phys_code_addr(uint32_t phys);
void io_register(const IOPortHandler *h);
uint32_t phys_read(uint32_t phys, unsigned size);
void phys_write(uint32_t phys, uint32_t val, unsigned size);
/* RAM write that skips the page-table hook but still invalidates code
 * (page-walk A/D updates); non-RAM goes to phys_write. */
void phys_write_notdirty(uint32_t phys, uint32_t val, unsigned size);
/* Host pointer for RAM at phys (NULL if not RAM). */
uint8_t *phys_ram_ptr(uint32_t phys);
uint32_t io_read(uint16_t port, unsigned size);
void io_write(uint16_t port, uint32_t val, unsigned size);
extern uint8_t *guest_ram;
extern uint32_t guest_ram_size;
extern uint8_t guest_pflags[GUEST_NB_PAGES];

#endif
