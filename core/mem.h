/*
 * hamt86 - guest physical memory map and the memory-path interface.
 *
 * The physical map is RAM from 0 to ram_size plus registered MMIO regions;
 * everything else is unassigned (reads return all-ones, writes are dropped,
 * code fetch is a fatal "jumped to unmapped memory" error).
 *
 * env->mem.pflags has one byte per 4 KiB guest page (1 Mi entries):
 *   PF_NOT_RAM  not plain RAM (MMIO or unassigned): loads/stores go slow
 *   PF_CODE     translated code lives here: stores go slow (SMC check)
 *   PF_WATCH    watchpoint: every access goes slow
 *
 * Memory paths ("flat" today; "softmmu" and "hamt" later) implement
 * MemPath.  Generated code calls mem_ld_slow / mem_st_slow when its inline
 * fast path cannot complete an access.
 */
#ifndef HAMT86_MEM_H
#define HAMT86_MEM_H

#include "core/base.h"
#include "core/cpu.h"

#define PF_NOT_RAM 0x01
#define PF_CODE    0x02
#define PF_WATCH   0x04
#define PF_LOAD_SLOW  (PF_NOT_RAM | PF_WATCH)
#define PF_STORE_SLOW (PF_NOT_RAM | PF_CODE | PF_WATCH)
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

/* OI: memop | mmu_idx << 4, the packed operand of the slow-path calls. */
#define MAKE_OI(memop, idx) ((memop) | ((idx) << 4))

typedef struct MemPath {
    const char *name;
    void (*init)(CPUX86State *env);
    uint32_t (*ld)(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra);
    void (*st)(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi, uintptr_t ra);
    /* Linear -> physical for instruction fetch; false => fault raised/absent. */
    bool (*get_phys_code)(CPUX86State *env, uint32_t linear, uint32_t *phys);
    void (*flush_page)(CPUX86State *env, uint32_t linear);
    void (*flush_all)(CPUX86State *env);
    /* A page got (or lost) translated code. */
    void (*protect_code_page)(CPUX86State *env, uint32_t phys_page, bool has_code);
} MemPath;

extern const MemPath mempath_flat;
extern const MemPath *mem_path;

/* Slow paths called by generated code and by the interpreter. */
uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra);
void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi, uintptr_t ra);

/* Helpers for C code (helpers, string insns): guest linear accesses. */
uint32_t cpu_ldub(CPUX86State *env, uint32_t addr, uintptr_t ra);
uint32_t cpu_lduw(CPUX86State *env, uint32_t addr, uintptr_t ra);
uint32_t cpu_ldl(CPUX86State *env, uint32_t addr, uintptr_t ra);
void cpu_stb(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
void cpu_stw(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
void cpu_stl(CPUX86State *env, uint32_t addr, uint32_t v, uintptr_t ra);
/* Current MMU index for data accesses. */
unsigned cpu_mmu_index(CPUX86State *env);

/* Physical map (core/memory.c). */
void phys_map_init(CPUX86State *env, uint8_t *ram, uint32_t ram_size);
void phys_register_mmio(const MMIORegion *r);
void io_register(const IOPortHandler *h);
uint32_t phys_read(uint32_t phys, unsigned size);
void phys_write(uint32_t phys, uint32_t val, unsigned size);
/* Host pointer for RAM at phys (NULL if not RAM). */
uint8_t *phys_ram_ptr(uint32_t phys);
uint32_t io_read(uint16_t port, unsigned size);
void io_write(uint16_t port, uint32_t val, unsigned size);
extern uint8_t *guest_ram;
extern uint32_t guest_ram_size;
extern uint8_t guest_pflags[GUEST_NB_PAGES];

#endif
