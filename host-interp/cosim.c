/*
 * hamt86 - co-simulation: the IR interpreter as a reference for the real
 * backend, TB by TB (see core/cosim.h).
 *
 *   cosim_exec(env, tb)
 *     shadow = *env ------ interp_exec_shadow(shadow, tb->cosim) --+
 *                          qemu_st -> overlay, qemu_ld via overlay |
 *     real: host_backend->exec(env, tb)  (writes guest memory)     |
 *     compare GPRs, EIP, EFLAGS, exception, overlay vs. RAM  <-----+
 *
 * Exceptions raised inside either run unwind through the env's jmp_env;
 * both runs are bracketed by cpu_setjmp so the comparison still
 * happens, and the real run's exception then continues to the execution
 * loop as it would have without co-simulation.
 *
 * Paging: the shadow translates linear addresses itself, without touching
 * the real TLB or RAM: through the memory path's current TLB entry when it
 * has one (MemPath.peek, so a stale entry the real run would use is used
 * too), else with a page walk whose page-table reads and A/D writes go
 * through the overlay (x86_mmu_walk_ops), remembered in a small
 * per-run TLB as the real run's fill would be; a walk fault raises #PF on
 * the shadow.  The overlay and the comparison are physical, so the A/D
 * bits the real walks set are compared too.  After a TLB flush by the
 * shadow, peek is not used any more.  While the
 * shadow runs, mem_path is cosim_path, so helpers' cpu_ld* also go
 * through the overlay and the shadow's TLB flushes do not touch the real
 * TLBs.  On the native build the "real" backend is the interpreter too:
 * cosim then checks the memory path (TLB fast path, slow path, fills)
 * against this side-effect-free model rather than generated code.
 *
 * Shadows are allocated from chunks that are never freed: --cosim is a
 * debugging mode and a code-cache flush merely leaks the old shadows.
 */
#include "core/cosim.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "core/machine.h"
#include "host-interp/interp.h"


/* What tb->cosim points to. */
typedef struct CosimShadow {
    InterpBlock *block;
    bool skip;          /* IO / memory-writing helpers: not replayable */
} CosimShadow;

/* --- shadow allocation --------------------------------------------------- */

#define COSIM_CHUNK (4u << 20)
static uint8_t *chunk_ptr, *chunk_end;

/* Bump allocator over never-freed chunks. */
static void *cosim_alloc(void *opaque, size_t size)
{
    uint8_t *p;

    (void)opaque;
    if (size > COSIM_CHUNK / 2) {
        return os_zalloc(size);
    }
    p = (uint8_t *)ALIGN_UP((uintptr_t)chunk_ptr, 16);
    if (chunk_ptr == NULL || p + size > chunk_end) {
        chunk_ptr = os_zalloc(COSIM_CHUNK);
        chunk_end = chunk_ptr + COSIM_CHUNK;
        p = chunk_ptr;
    }
    chunk_ptr = p + size;
    return p;
}

/* Build the interpreter shadow of tb. */
void cosim_attach(TranslationBlock *tb, const IRFunc *f)
{
    CosimShadow *s = cosim_alloc(NULL, sizeof(*s));

    /* -dfilter limits co-simulation to the TBs starting in its ranges */
    s->skip = !log_in_filter(tb->pc);
    for (unsigned i = 0; i < f->nops && !s->skip; i++) {
        const IROp *op = &f->ops[i];
        if (op->opc == IR_call && op->imm < ir_nb_helpers &&
            (ir_helpers[op->imm].flags & (IRH_IO | IRH_WRITES_MEM))) {
            s->skip = true;
            break;
        }
    }
    s->block = s->skip ? NULL : interp_build(tb, f, cosim_alloc, NULL, false);
    if (!s->skip && s->block == NULL) {
        s->skip = true;
    }
    tb->cosim = s;
}

/* --- the guest-memory overlay of the shadow run -------------------------- */

#define OVL_BITS 13
#define OVL_SIZE (1u << OVL_BITS)
#define OVL_MAX  (OVL_SIZE / 2)

typedef struct OverlaySlot {
    uint32_t addr;      /* physical */
    uint32_t gen;       /* valid when == ovl.gen */
    uint32_t lin;       /* linear address of the first store (reports) */
    uint8_t val;
} OverlaySlot;

static struct {
    OverlaySlot slot[OVL_SIZE];
    uint16_t used[OVL_MAX];   /* slot indices in store order */
    unsigned nused;
    uint32_t gen;
    bool bail;                /* shadow touched memory it cannot replay */
    bool flushed;             /* shadow flushed the TLB: peek is stale */
    bool walk_bail;           /* a walk read non-RAM or overflowed */
} ovl;

/* What the real run's TLB fills during the TB would hold (shadow side). */
#define STLB_SIZE 32
static struct {
    uint32_t vpage, ppage;
    uint8_t idx;
    bool write;
} stlb[STLB_SIZE];
static unsigned nstlb;

static CPUX86State shadow_env;
static const MemPath *real_path;   /* mem_path outside the shadow run */

/* Start an empty overlay. */
static void ovl_reset(void)
{
    ovl.gen++;
    if (ovl.gen == 0) {
        memset(ovl.slot, 0, sizeof(ovl.slot));
        ovl.gen = 1;
    }
    ovl.nused = 0;
    ovl.bail = false;
    ovl.flushed = false;
    ovl.walk_bail = false;
    nstlb = 0;
}

/* Give up on the shadow run (leaves through shadow_env.jmp_env). */
static NORETURN void ovl_bail(void)
{
    ovl.bail = true;
    cpu_longjmp(shadow_env.jmp_env);
}

/* Slot of physical addr, or of the free slot where it would go. */
static OverlaySlot *ovl_find(uint32_t addr)
{
    unsigned h = (addr * 0x9e3779b1u) >> (32 - OVL_BITS);

    for (;;) {
        OverlaySlot *s = &ovl.slot[h];
        if (s->gen != ovl.gen || s->addr == addr) {
            return s;
        }
        h = (h + 1) & (OVL_SIZE - 1);
    }
}

/* Overlay byte at physical pa, else RAM (pa is RAM). */
static inline uint8_t ovl_byte(uint32_t pa)
{
    const OverlaySlot *s = ovl_find(pa);

    return s->gen == ovl.gen ? s->val : guest_ram[pa];
}

/* Put one byte into the overlay; false when it is full. */
static bool ovl_put(uint32_t pa, uint32_t lin, uint8_t val)
{
    OverlaySlot *s = ovl_find(pa);

    if (s->gen != ovl.gen) {
        if (ovl.nused >= OVL_MAX) {
            return false;
        }
        s->gen = ovl.gen;
        s->addr = pa;
        s->lin = lin;
        ovl.used[ovl.nused++] = (uint16_t)(s - ovl.slot);
    }
    s->val = val;
    return true;
}

/* Page-table read of the shadow's walks: through the overlay. */
static uint32_t cosim_pt_ld32(void *opaque, uint32_t pa)
{
    uint32_t v = 0;

    (void)opaque;
    if (pa >= guest_ram_size || guest_ram_size - pa < 4) {
        ovl.walk_bail = true;      /* page tables in MMIO: not replayed */
        return 0;
    }
    for (unsigned i = 0; i < 4; i++) {
        v |= (uint32_t)ovl_byte(pa + i) << (8 * i);
    }
    return v;
}

/* A/D update of the shadow's walks: into the overlay (lin ~0 marks it). */
static void cosim_pt_st32(void *opaque, uint32_t pa, uint32_t val)
{
    (void)opaque;
    if (pa >= guest_ram_size || guest_ram_size - pa < 4) {
        ovl.walk_bail = true;
        return;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (!ovl_put(pa + i, ~0u, (uint8_t)(val >> (8 * i)))) {
            ovl.walk_bail = true;
        }
    }
}

static const X86WalkOps cosim_walk_ops = { cosim_pt_ld32, cosim_pt_st32, NULL };

/*
 * Physical address of the shadow's access to linear addr: the shadow's own
 * fills of this run, the real TLB's view if it maps the page, else a walk
 * through the overlay (#PF raised on the shadow).  Bails on non-RAM.
 */
static uint32_t cosim_xlate(CPUX86State *env, uint32_t addr, bool store,
                            unsigned idx)
{
    X86PageResult res;
    uint32_t pa;
    int r;

    uint32_t vpage = addr & GUEST_PAGE_MASK;
    unsigned i;

    if (idx == MMU_PHYS_IDX) {
        pa = addr;
        goto done;
    }
    for (i = 0; i < nstlb; i++) {
        if (stlb[i].vpage == vpage && stlb[i].idx == idx &&
            (stlb[i].write || !store)) {
            pa = stlb[i].ppage | (addr & ~GUEST_PAGE_MASK);
            goto done;
        }
    }
    if (!ovl.flushed && real_path->peek != NULL &&
        real_path->peek(env, addr, store, idx, &pa)) {
        goto done;        /* the real run hits the same TLB entry */
    }
    r = x86_mmu_walk_ops(env, addr, store ? MMU_DATA_STORE : MMU_DATA_LOAD,
                         (int)idx, &res, &cosim_walk_ops);
    if (ovl.walk_bail) {
        ovl_bail();
    }
    if (r) {
        x86_raise_page_fault(env, addr, r, 0);
    }
    pa = res.paddr;
    if (nstlb == STLB_SIZE) {
        nstlb = 0;        /* the real TLB would have room: rare, just wrap */
    }
    stlb[nstlb].vpage = vpage;
    stlb[nstlb].ppage = pa & GUEST_PAGE_MASK;
    stlb[nstlb].idx = (uint8_t)idx;
    stlb[nstlb].write = store || (res.prot & PAGE_WRITE);
    nstlb++;
done:
    if (env->mem.pflags[pa >> GUEST_PAGE_BITS] & (PF_NOT_RAM | PF_WATCH)) {
        ovl_bail();
    }
    return pa;
}

/* Physical addresses of the size bytes at addr, page by page, in order. */
static void cosim_xlate_n(CPUX86State *env, uint32_t addr, unsigned size,
                          bool store, unsigned idx, uint32_t *pa)
{
    if (mem_watch_test(addr, size)) {
        ovl_bail();   /* the real run logs (or stops at) the access */
    }
    for (unsigned i = 0; i < size; i++) {
        if (i == 0 || ((addr + i) & ~GUEST_PAGE_MASK) == 0) {
            pa[i] = cosim_xlate(env, addr + i, store, idx);
        } else {
            pa[i] = pa[i - 1] + 1;
        }
    }
}

/* Shadow load: overlay bytes first, then RAM. */
static uint32_t cosim_ld(void *opaque, CPUX86State *env, uint32_t addr,
                         unsigned memop, unsigned mmu_idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uint32_t pa[4], v = 0;

    (void)opaque;
    cosim_xlate_n(env, addr, size, false, mmu_idx, pa);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)ovl_byte(pa[i]) << (8 * i);
    }
    return v;
}

/* Shadow store: into the overlay only; both pages are checked first. */
static void cosim_st(void *opaque, CPUX86State *env, uint32_t addr, uint32_t val,
                     unsigned memop, unsigned mmu_idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uint32_t pa[4];

    (void)opaque;
    cosim_xlate_n(env, addr, size, true, mmu_idx, pa);
    for (unsigned i = 0; i < size; i++) {
        if (!ovl_put(pa[i], addr + i, (uint8_t)(val >> (8 * i)))) {
            ovl_bail();
        }
    }
}

static const InterpMem cosim_mem = { cosim_ld, cosim_st, NULL };

/* Helpers' cpu_ld* during the shadow run. */
static uint32_t cosim_path_ld(CPUX86State *env, uint32_t addr, unsigned oi,
                              uintptr_t ra)
{
    unsigned memop = get_memop(oi);
    uint32_t v = cosim_ld(NULL, env, addr, memop, get_mmuidx(oi));

    (void)ra;
    return memop_extend(v, memop);
}

/* Helpers' cpu_st* during the shadow run. */
static void cosim_path_st(CPUX86State *env, uint32_t addr, uint32_t val,
                          unsigned oi, uintptr_t ra)
{
    (void)ra;
    cosim_st(NULL, env, addr, val, get_memop(oi), get_mmuidx(oi));
}

/* Code fetch during the shadow run: the real path's view. */
static bool cosim_path_code(CPUX86State *env, uint32_t linear, uint32_t *phys,
                            bool *global)
{
    return real_path->get_phys_code(env, linear, phys, global);
}

/* A TLB flush by the shadow: the real run does it; stop trusting peek. */
static void cosim_path_flush_page(CPUX86State *env, uint32_t linear)
{
    (void)env;
    (void)linear;
    ovl.flushed = true;
    nstlb = 0;
}

/* A full (or non-global, range, index) flush by the shadow. */
static void cosim_path_flush_all(CPUX86State *env)
{
    (void)env;
    ovl.flushed = true;
    nstlb = 0;
}

/* Range flush by the shadow. */
static void cosim_path_flush_range(CPUX86State *env, uint32_t linear, uint32_t len)
{
    (void)env;
    (void)linear;
    (void)len;
    ovl.flushed = true;
    nstlb = 0;
}

/* MMU-index flush by the shadow. */
static void cosim_path_flush_mmuidx(CPUX86State *env, unsigned idxmask)
{
    (void)env;
    (void)idxmask;
    ovl.flushed = true;
    nstlb = 0;
}

/* The memory path while the shadow runs (kind is copied from the real one). */
static MemPath cosim_path = {
    .name = "cosim-shadow",
    .helpers_via_path = true,   /* helpers' loads must see the overlay */
    .ld = cosim_path_ld,
    .st = cosim_path_st,
    .get_phys_code = cosim_path_code,
    .flush_page = cosim_path_flush_page,
    .flush_all = cosim_path_flush_all,
    .flush_nonglobal = cosim_path_flush_all,
    .flush_range = cosim_path_flush_range,
    .flush_mmuidx = cosim_path_flush_mmuidx,
};

/* --- reporting ------------------------------------------------------------- */

/* Report the first divergence and stop the machine. */
static void cosim_diverge(CPUX86State *env, TranslationBlock *tb, const char *what,
                          uint32_t jit, uint32_t interp)
{
    char buf[160];
    int n = h_snprintf(buf, sizeof(buf),
                       "cosim: divergence after TB at EIP 0x%08x: %s "
                       "jit=0x%08x interp=0x%08x\n", tb->pc, what, jit, interp);

    os_write(2, buf, (size_t)n);
    if (log_enabled(LOG_IN_ASM)) {
        hlog("cosim: TB 0x%08x (%u insns, %u bytes):\n", tb->pc, tb->icount,
             tb->size);
        translate_log_tb(tb);
    }
    machine_request_exit(COSIM_EXIT_STATUS);
    cpu_exit_tb(env);
}

static const char *const cosim_reg_names[CPU_NB_REGS] = {
    "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"
};

/* Compare the real state with the shadow; false after reporting a divergence. */
static bool cosim_compare(CPUX86State *env, TranslationBlock *tb, bool exc,
                          bool shadow_exc)
{
    CPUX86State *s = &shadow_env;
    uint32_t ef_real, ef_shadow;

    if (exc != shadow_exc || (exc && env->exception_index != s->exception_index)) {
        cosim_diverge(env, tb, "exception_index", (uint32_t)env->exception_index,
                      (uint32_t)s->exception_index);
        return false;
    }
    for (int i = 0; i < CPU_NB_REGS; i++) {
        if (env->regs[i] != s->regs[i]) {
            cosim_diverge(env, tb, cosim_reg_names[i], env->regs[i], s->regs[i]);
            return false;
        }
    }
    if (env->eip != s->eip) {
        cosim_diverge(env, tb, "EIP", env->eip, s->eip);
        return false;
    }
    ef_real = cpu_compute_eflags(env);
    ef_shadow = cpu_compute_eflags(s);
    if (ef_real != ef_shadow) {
        cosim_diverge(env, tb, "EFLAGS", ef_real, ef_shadow);
        return false;
    }
    if (exc && env->error_code != s->error_code) {
        cosim_diverge(env, tb, "error_code", (uint32_t)env->error_code,
                      (uint32_t)s->error_code);
        return false;
    }
    if (exc && env->exception_index == EXCP0E_PF && env->cr[2] != s->cr[2]) {
        cosim_diverge(env, tb, "CR2", env->cr[2], s->cr[2]);
        return false;
    }
    for (unsigned i = 0; i < ovl.nused; i++) {
        const OverlaySlot *o = &ovl.slot[ovl.used[i]];
        uint8_t real = *(const uint8_t *)(env->mem.ram_base + o->addr);
        /* Without peek (HAMT) the shadow cannot know whether the real run
         * hit a cached translation or walked: A/D bits are not compared. */
        uint8_t mask = (o->lin == ~0u && real_path->peek == NULL) ? 0x9f : 0xff;
        if ((real ^ o->val) & mask) {
            char what[64];
            if (o->lin == ~0u) {
                h_snprintf(what, sizeof(what), "mem[phys 0x%08x: page-walk "
                           "A/D]", o->addr);
            } else {
                h_snprintf(what, sizeof(what), "mem[phys 0x%08x lin 0x%08x]",
                           o->addr, o->lin);
            }
            cosim_diverge(env, tb, what, real, o->val);
            return false;
        }
    }
    return true;
}

/* --- the co-simulated exec ------------------------------------------------ */

static void *saved_jmp_env[CPU_JMP_ENV_WORDS];
static uintptr_t real_ret;
static bool real_exc, shadow_exc;

/* Run tb in the real backend, catching a longjmp out of it. */
static void __attribute__((noinline)) cosim_run_real(CPUX86State *env,
                                                     TranslationBlock *tb)
{
    memcpy(saved_jmp_env, env->jmp_env, sizeof(saved_jmp_env));
    real_exc = false;
    if (cpu_setjmp(env->jmp_env) == 0) {
        real_ret = host_backend->exec(env, tb);
    } else {
        real_exc = true;
    }
    memcpy(env->jmp_env, saved_jmp_env, sizeof(saved_jmp_env));
}

/* Run the shadow of tb on shadow_env, catching exceptions and bail-outs. */
static void __attribute__((noinline)) cosim_run_shadow(const CosimShadow *s)
{
    shadow_exc = false;
    real_path = mem_path;
    mem_path = &cosim_path;
    if (cpu_setjmp(shadow_env.jmp_env) == 0) {
        interp_exec_shadow(&shadow_env, s->block, &cosim_mem);
    } else {
        shadow_exc = true;
    }
    mem_path = real_path;
}

/*
 * --cosim-inject=N (debug): corrupt the real result of the Nth compared TB
 * (a byte it stored, else EAX), to show that the comparison catches it.
 */
static void cosim_inject(CPUX86State *env)
{
    char buf[128];
    int n;

    if (ovl.nused) {
        const OverlaySlot *o = &ovl.slot[ovl.used[0]];
        *(uint8_t *)(env->mem.ram_base + o->addr) ^= 0x01;
        n = h_snprintf(buf, sizeof(buf), "cosim: injected: flipped bit 0 of "
                       "mem[phys 0x%08x] after the real run\n", o->addr);
    } else {
        env->regs[R_EAX] ^= 0x01;
        n = h_snprintf(buf, sizeof(buf), "cosim: injected: flipped bit 0 of "
                       "EAX after the real run\n");
    }
    os_write(2, buf, (size_t)n);
}

/* Execute tb under co-simulation. */
uintptr_t cosim_exec(CPUX86State *env, TranslationBlock *tb)
{
    const CosimShadow *s = tb->cosim;
    bool compare;

    if (s == NULL || s->skip) {
        stats.cosim_skipped++;
        return host_backend->exec(env, tb);
    }

    memcpy(&shadow_env, env, sizeof(shadow_env));
    ovl_reset();
    cosim_run_shadow(s);

    cosim_run_real(env, tb);

    /* An SMC restart (exception_index < 0 after a longjmp) ends the real
     * TB early on purpose; a bail-out means the shadow could not replay. */
    compare = !ovl.bail && !(real_exc && env->exception_index < 0);
    if (compare) {
        stats.cosim_tbs++;
        if (unlikely(stats.cosim_tbs == machine.opt.cosim_inject)) {
            cosim_inject(env);
        }
        cosim_compare(env, tb, real_exc, shadow_exc);
    } else {
        stats.cosim_skipped++;
        if (unlikely(log_enabled(LOG_EXEC))) {
            hlog("cosim: TB 0x%08x not compared (%s)\n", tb->pc,
                 ovl.bail ? "memory" : "SMC restart");
        }
    }
    if (real_exc) {
        cpu_loop_exit(env);
    }
    return real_ret;
}
