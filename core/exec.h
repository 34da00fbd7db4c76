/*
 * hamt86 - translation blocks, the TB cache and the backend interface.
 */
#ifndef HAMT86_EXEC_H
#define HAMT86_EXEC_H

#include "core/base.h"
#include "core/cpu.h"

/* The IR (ir/ir.h); the core hands it around by pointer only. */
typedef struct IRFunc IRFunc;

#define TB_MAX_INSNS 128
#define TB_JMP_RESET_OFFSET_INVALID 0xffffffffu

typedef struct TranslationBlock {
    uint32_t pc;         /* EIP of the first instruction */
    uint32_t cs_base;
    uint32_t flags;      /* hflags the code was specialised on (TB_FLAGS_MASK) */
    uint32_t cflags;     /* CF_* */
    uint32_t phys_pc;    /* guest physical address of the first byte */
    uint32_t phys_page2; /* physical page of the last byte if it differs, else ~0 */
    uint16_t size;       /* guest bytes covered */
    uint16_t icount;     /* guest instructions */

    void    *host_code;  /* entry point handed to backend->exec */
    uint32_t host_size;
    /* insn_start records: host code offset of each guest instruction start
     * (insn_host_off[i]) and its EIP (insn_eip[i]); i < icount. */
    uint32_t *insn_host_off;
    uint32_t *insn_eip;

    /* direct chaining: jmp_insn_off[n] is the host offset of the patchable
     * jump of goto_tb slot n (TB_JMP_RESET_OFFSET_INVALID if unused);
     * jmp_reset_off[n] is where it points when unchained. */
    uint32_t jmp_insn_off[2];
    uint32_t jmp_reset_off[2];
    struct TranslationBlock *jmp_dest[2];
    /* TBs that jump into this one (incoming chain list, for unchaining):
     * a tagged pointer list, (tb | slot). */
    uintptr_t jmp_list_head;
    uintptr_t jmp_list_next[2];

    struct TranslationBlock *hash_next;    /* phys hash chain */
    struct TranslationBlock *page_next[2]; /* TBs of a physical page, tagged */
    void *cosim;     /* --cosim: the interpreter's shadow TB (core/cosim) */
    bool invalid;
} TranslationBlock;

/* cflags */
#define CF_NOCACHE   0x1   /* one-shot TB, not entered in the cache */
#define CF_SINGLE    0x2   /* exactly one guest instruction */
#define CF_NOCHAIN   0x4   /* -d nochain / cosim: never chain */

/* hflags bits the translator specialises on. */
#define TB_FLAGS_MASK (HF_CPL_MASK | HF_CS32_MASK | HF_SS32_MASK | HF_ADDSEG_MASK | \
                       HF_PE_MASK | HF_TF_MASK | HF_VM_MASK | HF_IOPL_MASK | \
                       HF_SMAP_MASK | HF_PG_MASK)

/*
 * TB flags = the hflags above plus the x87 stack top the block was
 * translated for (translator/fpu.c register moves address ST(i) as a
 * fixed env->fpu.st[] slot).  Generated code checks TOP again before each
 * such move, so a block entered with another TOP (a stale chain) is slow,
 * never wrong.
 *
 *   31    27 26  24 23        15 14          0
 *  +--------+------+------------+-------------+
 *  |   0    | TOP  |     0      |   hflags    |
 *  +--------+------+------------+-------------+
 */
#define TB_FLAGS_FPTOP_SHIFT 24
#define TB_FLAGS_FPTOP_MASK  (7u << TB_FLAGS_FPTOP_SHIFT)
BUILD_ASSERT((TB_FLAGS_MASK & TB_FLAGS_FPTOP_MASK) == 0);

/* The TB flags of env's current state (the TB lookup key's flags). */
static inline uint32_t cpu_tb_flags(const CPUX86State *env)
{
    return (env->hflags & TB_FLAGS_MASK) |
           (env->fpu.top & 7) << TB_FLAGS_FPTOP_SHIFT;
}

/*
 * The jump cache (core/tb.c): direct-mapped by linear pc, probed by C
 * (tb_lookup) and inline by the generated code of lookup_and_goto_ptr
 * (host-common/lower-ops.c).  env->tb_jc points at its TB_JC_SIZE entries.
 *
 * One entry, 32 bytes (both JIT hosts are little-endian, so the first
 * 64-bit word is flags | cs_base << 32):
 *
 *    0        4         8        12       16              24             32
 *   +--------+---------+--------+--------+---------------+---------------+
 *   | flags  | cs_base |  lin   |   ng   |   host_code   |      tb       |
 *   +--------+---------+--------+--------+---------------+---------------+
 *
 *   flags  tb->flags | TB_JC_VALID: an all-zero (flushed) entry matches
 *          no lookup, whatever the pc, cs_base and flags
 *   lin    cs_base + pc of the TB
 *   ng     1: the TB's code is not (all) on a global page, so a CR3 load
 *          drops the entry; 0: a global page's, kept as the TLB keeps it
 *
 * Index of a linear pc (TB_JC_BITS = 15, 1 MiB):
 * ((lin & 127) ^ (lin >> 5)) & 32767,
 *
 *   14         7 6          0
 *   +-----------+------------+
 *   | page & 255| off mix 127|   off mix = (lin ^ lin >> 5) & 127
 *   +-----------+------------+
 *
 * so one guest page's entries are one run of TB_JC_PAGE (128) entries, and
 * 256 pages have runs of their own.  (4096 entries in 64 runs of 64 missed
 * 7.5 M of the 19 M C lookups of a LoongArch Linux boot on another pc's
 * TB, mostly TBs of the same page; 128 a page and 256 runs: 2.7 M of 7.5
 * M; 256 a page cost more in flushes than it saved.)  INVLPG clears two
 * runs if they hold entries (the page, and the one before: a TB that
 * starts there may end in it).  Every other TLB flush empties the cache
 * but a CR3 load, which keeps the entries of global pages (the kernel's,
 * under Linux); TB invalidation
 * clears the TB's entry: a hit needs no page walk.
 */
#define TB_JC_BITS        15
#define TB_JC_SIZE        (1u << TB_JC_BITS)
#define TB_JC_PAGE_BITS   7       /* entries per page run: 1 << 7 */
/* lin >> TB_JC_MIX_SHIFT puts the page number at bit TB_JC_PAGE_BITS */
#define TB_JC_MIX_SHIFT   (GUEST_PAGE_BITS - TB_JC_PAGE_BITS)
#define TB_JC_PAGE        (1u << TB_JC_PAGE_BITS)
#define TB_JC_RUNS        (TB_JC_SIZE / TB_JC_PAGE)
#define TB_JC_ENTRY_SHIFT 5
#define TB_JC_VALID       (1u << 30)

typedef struct TbJcEntry {
    uint32_t flags;      /* tb->flags | TB_JC_VALID, 0: empty */
    uint32_t cs_base;
    uint32_t lin;
    uint32_t ng;         /* not a global page's: a CR3 load drops it */
    void *host_code;
    struct TranslationBlock *tb;
} TbJcEntry;

BUILD_ASSERT(sizeof(TbJcEntry) == 1u << TB_JC_ENTRY_SHIFT);
BUILD_ASSERT(offsetof(TbJcEntry, flags) == 0);
BUILD_ASSERT(offsetof(TbJcEntry, cs_base) == 4);
BUILD_ASSERT(offsetof(TbJcEntry, lin) == 8);
BUILD_ASSERT(offsetof(TbJcEntry, host_code) == 16);
BUILD_ASSERT(offsetof(TbJcEntry, tb) == 24);
/* the mix folds all 12 offset bits: the shift is at most the run bits */
BUILD_ASSERT(TB_JC_MIX_SHIFT <= TB_JC_PAGE_BITS);
BUILD_ASSERT(TB_JC_BITS > TB_JC_PAGE_BITS && TB_JC_BITS <= 26);
BUILD_ASSERT(((TB_FLAGS_MASK | TB_FLAGS_FPTOP_MASK) & TB_JC_VALID) == 0);
BUILD_ASSERT(TB_JC_VALID < 0x80000000u);   /* flags word: positive int32 */

/* Jump cache index of linear pc lin (the inline probe computes the same). */
static inline unsigned tb_jc_index(uint32_t lin)
{
    return ((lin & (TB_JC_PAGE - 1)) ^ (lin >> TB_JC_MIX_SHIFT)) &
           (TB_JC_SIZE - 1);
}

/*
 * The fixed backend interface.  Every host folder (host-mips/,
 * host-loongarch/, host-interp/) exports exactly one of these.
 *
 * gen_code lowers an optimised IRFunc into the code cache.  It must:
 *   - set tb->host_code / host_size;
 *   - record for each insn_start op the host offset of the first host
 *     instruction belonging to it (tb->insn_host_off[], tb->insn_eip[]);
 *   - set tb->jmp_insn_off[] / jmp_reset_off[] for goto_tb slots.
 * It returns false when the code cache is full (the core flushes and retries).
 *
 * exec runs translated code starting at tb until an exit_tb or
 * lookup_and_goto_ptr miss, and returns (uintptr_t)last_tb | exit value
 * (IR_EXIT_*, 3 bits; TBs are 8-byte aligned).
 */
typedef struct CodeCache {
    uint8_t *start, *ptr, *end;
} CodeCache;

typedef struct HostBackend {
    const char *name;
    void (*init)(CodeCache *cc);
    bool (*gen_code)(TranslationBlock *tb, const IRFunc *f, CodeCache *cc);
    uintptr_t (*exec)(CPUX86State *env, TranslationBlock *tb);
    /* Point goto_tb slot n of tb at dst (dst == NULL: back to the reset target). */
    void (*set_jmp_target)(TranslationBlock *tb, int n, TranslationBlock *dst);
    /* Disassemble host code for -d out_asm (NULL if not available). */
    void (*disas)(const void *code, size_t size);
    /* Counts softmmu TLB fast-path hits in env->tlb_hits[] when
     * mem_count_tlb_hits is set at translation time (--stats). */
    bool counts_tlb_hits;

    /*
     * Host code, for memory paths with windows (core/mem.h,
     * MemPath.window_ensure), called from the host fault handler.  They
     * are asked of host_native_backend: the backend that emits host code
     * for this host's ISA, whichever backend runs the guest.
     *
     * find_site: the slow-path stub of the window access at host pc in
     * tb (tb_find_by_host_pc(pc), not NULL), from the TB's site table;
     * false if pc is not such an access.
     */
    bool (*find_site)(const struct TranslationBlock *tb, uintptr_t pc,
                      uintptr_t *stub);
    /* Make the window access at pc always take its stub. */
    void (*patch_site)(uintptr_t pc, uintptr_t stub);
    /* Whether the host instruction at pc is a store (QEMU's
     * host_signal_write), for faults whose report does not say. */
    bool (*insn_is_store)(uintptr_t pc);

    /* --stats: the backend's own counters (stderr).  NULL: none. */
    void (*stats_print)(void);
} HostBackend;

extern const HostBackend backend_interp;
extern const HostBackend backend_mips;
extern const HostBackend backend_loongarch;
/* The backend that runs the guest (--backend; default: the host's JIT,
 * native: interp). */
extern const HostBackend *host_backend;
/* The JIT backend of this host's ISA, NULL if the build has none (native
 * x86_64): host-code hooks (find_site, patch_site, insn_is_store). */
extern const HostBackend *host_native_backend;

/* Used by lookup_and_goto_ptr: host entry of the TB for env's current
 * (cs_base + eip, flags), or NULL. Called from generated code. */
void *helper_lookup_tb_ptr(CPUX86State *env);

/* TB cache (core/tb.c) */
TranslationBlock *tb_lookup(CPUX86State *env, uint32_t pc, uint32_t cs_base, uint32_t flags);
TranslationBlock *tb_gen_code(CPUX86State *env, uint32_t pc, uint32_t cs_base,
                              uint32_t flags, uint32_t cflags);
/* Invalidate every TB overlapping guest physical [start, end). */
void tb_invalidate_phys_range(CPUX86State *env, uint32_t start, uint32_t end);
/* Store hit a code page: invalidate and, if the running TB was hit,
 * restart at the current instruction (does not return in that case). */
void tb_invalidate_phys_page_fast(CPUX86State *env, uint32_t phys, unsigned size, uintptr_t ra);
void tb_flush(CPUX86State *env);
void tb_jc_flush(void);
/* CR3 load: the jump-cache entries not of a global page. */
void tb_jc_flush_nonglobal(void);
void tb_jc_flush_page(uint32_t linear);
/* Point env->tb_jc at the jump cache (before any TB runs). */
void tb_jc_attach(CPUX86State *env);
/* Find the TB whose host code contains host_pc (NULL if none). */
TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc);
/* Restore env->eip (and anything else per-insn) for a fault at host_pc.
 * Returns false if host_pc is not in generated code. */
bool cpu_restore_state(CPUX86State *env, uintptr_t host_pc);

/* The translator (translator/translate.c): x86 -> IR for one TB. */
void translate_tb(CPUX86State *env, TranslationBlock *tb, IRFunc *f, int max_insns);
/* -d in_asm style listing of cached tb's guest code, read again from its
 * physical pages (translator/translate.c; --cosim divergence reports). */
void translate_log_tb(const TranslationBlock *tb);

/* Execution loop (core/cpu-exec.c). Returns the machine exit status. */
int cpu_exec_loop(CPUX86State *env);

/* cflags for the next TB the loop runs (0: normal); set by the SMC restart
 * path to CF_NOCACHE | CF_SINGLE so the interrupted store can complete. */
extern uint32_t tb_next_cflags;
/* True while the loop runs a TB (backend exec), false in the loop itself
 * (exception delivery, device polling): an access may restart its
 * instruction (CF_SINGLE) only in the first case. */
extern bool cpu_in_exec;
/* Allocate the code cache and TB tables (core/tb.c); after phys_map_init. */
void tb_init(void);
/* Release a CF_NOCACHE TB once it has run (core/tb.c). */
void tb_discard_nocache(TranslationBlock *tb);
/* Chain goto_tb slot n of tb to dst when allowed (core/tb.c). */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dst);

/* --icount: translate TBs that count themselves (translator/translate.c). */
extern bool translate_icount;

#endif
