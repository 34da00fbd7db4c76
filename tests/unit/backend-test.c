/*
 * hamt86 - the native JIT backend (MIPS64 or LoongArch64, whichever this
 * build has) against the IR interpreter, the one oracle of both backends.
 *
 * Builds IRFuncs by hand: random straight-line code with forward-branch
 * diamonds and counted loops over every ALU op, setcond / movcond / brcond
 * with every condition and the immediate edge cases of both encodings
 * (MIPS imm16, LoongArch si12/ui12), ld_env / st_env, guest loads and
 * stores through the softmmu fast and slow paths (a test TLB: pages 0..15
 * RAM, page 3 MMIO, page 5 code, the rest unmapped) and helper calls.
 * Each function is lowered by the JIT backend and by backend_interp, run
 * from the same state on two copies of RAM, and the guest registers,
 * cc_dst/cc_src/cc_src2, RAM and the exit value are compared; with --stats counting on,
 * every JIT access must be a counted TLB hit or a slow path.  Then goto_tb
 * chaining / unchaining and lookup_and_goto_ptr.
 *
 * Links the backend, host-common, the interpreter and the IR library with
 * the OS layer of the build (freestanding on LoongArch); the engine
 * services the backend calls are stubbed here.
 *
 * usage: backend-test [ITERATIONS [verbose]]; exits non-zero on a mismatch.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/os.h"
#include "ir/ir.h"

#if defined(HAMT86_HOST_MIPS)
#define JIT backend_mips
#elif defined(HAMT86_HOST_LOONGARCH)
#define JIT backend_loongarch
#else
#error "backend-test: no JIT backend in this build"
#endif

/* Print a line on stdout. */
static void PRINTF_FMT(1, 2) say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = h_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    os_write(1, buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}

/* ---------------------------------------------------------------- stubs */

static int verbose;

#define RAM_SIZE (64 * 1024)
static uint8_t *ram;                 /* guest RAM of the JIT run */
static uint8_t *ref_ram;             /* guest RAM of the interpreter run */
static CPUX86State env_jit, env_ref;
static TbJcEntry test_jc[TB_JC_SIZE];  /* env->tb_jc: empty unless a test fills it */
uint8_t guest_pflags[GUEST_NB_PAGES];
static unsigned nslow_ld, nslow_st;  /* slow-path calls of the JIT run */
static unsigned ref_nslow;           /* slow-path calls of the interpreter */
bool mem_count_tlb_hits;             /* --stats hit counters (odd iterations) */
static uint8_t *code_lo, *code_hi;
static bool bad_ra;

/* The RAM copy of env's run. */
static uint8_t *ram_of(CPUX86State *env)
{
    return env == &env_ref ? ref_ram : ram;
}

/* A JIT slow-path retaddr must point into generated code. */
static void check_ra(CPUX86State *env, uintptr_t ra)
{
    if (env == &env_ref) {
        ref_nslow++;
    } else if (ra < (uintptr_t)code_lo || ra >= (uintptr_t)code_hi) {
        say("bad retaddr %lx\n", (unsigned long)ra);
        bad_ra = true;
    }
}

/* Little-endian RAM read (addr wraps inside RAM). */
static uint32_t ram_rd(uint8_t *m, uint32_t addr, unsigned memop)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uint32_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)m[(addr + i) % RAM_SIZE] << (8 * i);
    }
    return memop_extend(v, memop);
}

/* Little-endian RAM write (addr wraps inside RAM). */
static void ram_wr(uint8_t *m, uint32_t addr, uint32_t v, unsigned memop)
{
    unsigned size = 1u << (memop & MO_SIZE);

    for (unsigned i = 0; i < size; i++) {
        m[(addr + i) % RAM_SIZE] = (uint8_t)(v >> (8 * i));
    }
}

/* core/mem.h: the slow path of both runs, on that run's RAM. */
uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra)
{
    check_ra(env, ra);
    nslow_ld += env != &env_ref;
    return ram_rd(ram_of(env), addr, get_memop(oi));
}

/* core/mem.h: the slow path of both runs, on that run's RAM. */
void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
                 uintptr_t ra)
{
    check_ra(env, ra);
    nslow_st += env != &env_ref;
    ram_wr(ram_of(env), addr, val, get_memop(oi));
}

/* No window hooks: the inline softmmu TLB lookup, in both backends. */
static const MemPath test_mem_path = { .name = "test" };
const MemPath *mem_path = &test_mem_path;

/* Softmmu TLBs of every mode, one set per run: pages 0..15 identity onto
 * that run's RAM, page 3 MMIO (all slow), page 5 code (TLB_NOTDIRTY: the
 * code map below has every other word of it, so the JIT's code-map probe
 * stores some inline and sends the rest to mem_st_slow), everything else
 * empty (slow). */
static CPUTLBEntry test_tlb[2][NB_MMU_MODES][256];
/* The JIT run's code map (core/tb-smc.h: a bit per 4-byte word). */
static uint8_t test_code_map[RAM_SIZE / 32 + 8];

/* Point env's TLBs at the test tables of its run. */
static void tlb_setup(CPUX86State *env)
{
    CPUTLBEntry (*tlb)[256] = test_tlb[env == &env_ref];

    memset(tlb, 0xff, sizeof(test_tlb[0]));
    if (env != &env_ref) {
        memset(test_code_map + 5 * GUEST_PAGE_SIZE / 32, 0x55,
               GUEST_PAGE_SIZE / 32);
        env->smc_map_bias = (uintptr_t)test_code_map -
                            ((uintptr_t)ram_of(env) >> 5);
    }
    for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
        env->tlb_fast[idx].table = tlb[idx];
        env->tlb_fast[idx].mask = 255u << CPU_TLB_ENTRY_BITS;
        for (uint32_t p = 0; p < RAM_SIZE / GUEST_PAGE_SIZE; p++) {
            CPUTLBEntry *e = &tlb[idx][p];
            uint32_t rf = p == 3 ? TLB_MMIO : 0;
            uint32_t wf = p == 3 ? TLB_MMIO : p == 5 ? TLB_NOTDIRTY : 0;
            e->addr_read = (p << GUEST_PAGE_BITS) | rf;
            e->addr_write = (p << GUEST_PAGE_BITS) | wf;
            e->addend = (uintptr_t)ram_of(env);
        }
    }
}

/* core/mem.h: --stats lines (the interpreter's counters; unused here). */
void stat_line(const char *name, uint64_t v)
{
    (void)name;
    (void)v;
}

static void *lookup_result;
static unsigned nlookups;

/* core/exec.h: the TB lookup, answering what the chain test wants. */
void *helper_lookup_tb_ptr(CPUX86State *env)
{
    void *r = lookup_result;

    nlookups++;
    lookup_result = NULL;
    return r;
}

/* Test helper: a pure 3-input function. */
static uint32_t helper_mix3(CPUX86State *env, uint32_t a, uint32_t b, uint32_t c)
{
    return a * 3 + (b ^ c) - (c >> 3);
}

/* Test helper: reads and writes the guest registers. */
static uint32_t helper_bumpregs(CPUX86State *env, uint32_t a)
{
    env->regs[1] += a;
    env->regs[6] ^= 0x55aa;
    return env->regs[0] + a;
}

/* Test helper: 4 inputs, no result, may raise; writes env. */
static void helper_store_sum(CPUX86State *env, uint32_t a, uint32_t b,
                             uint32_t c, uint32_t d)
{
    env->cc_src2 = a + b + c + d;
}

const IRHelperInfo ir_helpers[] = {
    { "mix3", (void *)helper_mix3, 3, 1, IRH_PURE },
    { "bumpregs", (void *)helper_bumpregs, 1, 1, IRH_RW_GLOBALS },
    { "store_sum", (void *)helper_store_sum, 4, 0, IRH_MAY_RAISE },
};
const unsigned ir_nb_helpers = ARRAY_SIZE(ir_helpers);

/* ------------------------------------------------------- tiny IR builder */

static IRFunc func;

/* An empty function: the guest registers as globals. */
static void fn_init(IRFunc *f)
{
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        f->temps[i].kind = IR_TEMP_GLOBAL;
    }
    f->ntemps = IR_NB_GLOBALS;
}

/* A new ordinary temp. */
static IRTemp new_temp(IRFunc *f)
{
    f->temps[f->ntemps].kind = IR_TEMP_NORMAL;
    return (IRTemp)f->ntemps++;
}

/* A new constant temp. */
static IRTemp new_const(IRFunc *f, uint32_t v)
{
    f->temps[f->ntemps].kind = IR_TEMP_CONST;
    f->temps[f->ntemps].val = v;
    return (IRTemp)f->ntemps++;
}

/* Append op opc with nargs temp arguments. */
static IROp *emit(IRFunc *f, IROpcode opc, unsigned nargs, ...)
{
    IROp *op = &f->ops[f->nops++];
    va_list ap;

    memset(op, 0, sizeof(*op));
    op->opc = (uint16_t)opc;
    op->nargs = (uint8_t)nargs;
    va_start(ap, nargs);
    for (unsigned i = 0; i < nargs; i++) {
        op->args[i] = (IRTemp)va_arg(ap, unsigned);
    }
    va_end(ap);
    return op;
}

/* ------------------------------------------------------ random programs */

static uint64_t rng = 88172645463325252ull;

/* xorshift64. */
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* A value with a bias to the immediate edges of both encodings. */
static uint32_t rnd_val(void)
{
    static const uint32_t special[] = {
        0, 1, 2, 31, 32, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
        0x80000000, 0xffffffff, 0xfffffffe, 0xffff8000, 0xffff7fff, 0x12345678,
        0x7ff, 0x800, 0x801, 0xfff, 0x1000, 0xfffff800u, 0xfffff7ffu, 0x1800,
    };
    return (rnd() & 1) ? special[rnd() % ARRAY_SIZE(special)] : rnd();
}

static IRTemp live[64];
static unsigned nlive;

/* A random source operand: global, earlier temp or constant. */
static IRTemp rnd_src(IRFunc *f)
{
    unsigned k = rnd() % 8;
    if (k < 3) {
        return (IRTemp)(rnd() % IR_NB_GLOBALS);
    }
    if (k < 6 && nlive) {
        return live[rnd() % nlive];
    }
    return new_const(f, rnd_val());
}

static int cur_depth;

/* A random destination: a global or a new/old temp (inside conditional
 * code only existing temps, so that every temp is defined before use). */
static IRTemp rnd_dst(IRFunc *f)
{
    unsigned k = rnd() % 6;
    if (k == 0 || (cur_depth > 0 && !nlive)) {
        return (IRTemp)(rnd() % IR_NB_GLOBALS);
    }
    if (cur_depth > 0) {
        return live[rnd() % nlive];
    }
    if (k == 0) {
        return (IRTemp)(rnd() % IR_NB_GLOBALS);
    }
    if (k < 3 && nlive) {
        return live[rnd() % nlive];
    }
    if (nlive < ARRAY_SIZE(live)) {
        IRTemp t = new_temp(f);
        live[nlive++] = t;
        return t;
    }
    return live[rnd() % nlive];
}

/* Address temp for a memory op: RAM pages 0..15 with random alignment. */
static IRTemp rnd_addr(IRFunc *f)
{
    IRTemp t = new_temp(f);
    emit(f, IR_and, 3, t, rnd_src(f), new_const(f, 0xfff7));
    return t;
}

static const IROpcode bin_ops[] = {
    IR_add, IR_sub, IR_mul, IR_muluh, IR_mulsh, IR_and, IR_or, IR_xor,
    IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
};
static const IROpcode un_ops[] = {
    IR_mov, IR_neg, IR_not, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u,
    IR_bswap, IR_clz, IR_ctz,
};

/* One random op (may be a small forward-branch diamond). */
static void rnd_op(IRFunc *f, int depth)
{
    unsigned k = rnd() % 24;
    IRTemp d, a, b;

    if (k < 8) {
        a = rnd_src(f);
        b = rnd_src(f);
        d = rnd_dst(f);
        emit(f, bin_ops[rnd() % ARRAY_SIZE(bin_ops)], 3, d, a, b);
    } else if (k < 11) {
        a = rnd_src(f);
        d = rnd_dst(f);
        emit(f, un_ops[rnd() % ARRAY_SIZE(un_ops)], 2, d, a);
    } else if (k == 11) {
        IROp *op;
        a = rnd_src(f);
        d = rnd_dst(f);
        op = emit(f, IR_extract, 2, d, a);
        op->imm = rnd() % 32;
        op->imm2 = 1 + rnd() % (32 - op->imm);
    } else if (k == 12) {
        IROp *op;
        a = rnd_src(f);
        b = rnd_src(f);
        d = rnd_dst(f);
        op = emit(f, IR_deposit, 3, d, a, b);
        op->imm = rnd() % 32;
        op->imm2 = 1 + rnd() % (32 - op->imm);
    } else if (k == 13) {
        a = rnd_src(f);
        b = rnd_src(f);
        d = rnd_dst(f);
        emit(f, IR_setcond, 3, d, a, b)->cond = (uint8_t)(rnd() % IR_NB_CONDS);
    } else if (k == 14) {
        IRTemp c = rnd_src(f), e = rnd_src(f);
        a = rnd_src(f);
        b = rnd_src(f);
        d = rnd_dst(f);
        emit(f, IR_movcond, 5, d, a, b, c, e)->cond = (uint8_t)(rnd() % IR_NB_CONDS);
    } else if (k < 17) {
        static const uint8_t mops[] = { MO_8, MO_8S, MO_16, MO_16S, MO_32 };
        IRTemp ad = rnd_addr(f);
        d = rnd_dst(f);  /* ad is already defined */
        emit(f, IR_qemu_ld, 2, d, ad)->cond = mops[rnd() % 5];
    } else if (k < 19) {
        static const uint8_t mops[] = { MO_8, MO_16, MO_32 };
        IRTemp ad = rnd_addr(f);
        emit(f, IR_qemu_st, 2, rnd_src(f), ad)->cond = mops[rnd() % 3];
    } else if (k == 19) {
        IRTemp c = rnd_src(f);
        a = rnd_src(f);
        b = rnd_src(f);
        d = rnd() % 2 ? rnd_dst(f) : new_temp(f);   /* result unused */
        emit(f, IR_call, 4, d, a, b, c)->imm = 0;
    } else if (k == 20) {
        a = rnd_src(f);
        d = rnd_dst(f);
        emit(f, IR_call, 2, d, a)->imm = 1;
    } else if (k == 21) {
        emit(f, IR_call, 4, rnd_src(f), rnd_src(f), rnd_src(f), rnd_src(f))->imm = 2;
    } else if (k == 22) {
        IROp *op;
        d = rnd_dst(f);
        op = emit(f, IR_ld_env, 1, d);  /* defines d before any use */
        op->imm = (uint32_t)offsetof(CPUX86State, cc_src);
        op->cond = rnd() % 5 == 0 ? MO_8S : MO_32;
        op = emit(f, IR_st_env, 1, rnd_src(f));
        op->imm = (uint32_t)offsetof(CPUX86State, cc_dst);
        op->cond = MO_32;
    } else if (depth < 2) {
        /* if (cond) { ops } */
        unsigned l = f->nlabels++;
        IROp *op;
        a = rnd_src(f);
        b = rnd_src(f);
        op = emit(f, IR_brcond, 2, a, b);
        op->cond = (uint8_t)(rnd() % IR_NB_CONDS);
        op->imm = l;
        cur_depth++;
        for (unsigned i = rnd() % 5; i > 0; i--) {
            rnd_op(f, depth + 1);
        }
        cur_depth--;
        emit(f, IR_set_label, 0)->imm = l;
    }
}

/* A counted loop: for (t = n; t != 0; t--) body. */
static void loop_op(IRFunc *f)
{
    unsigned l = f->nlabels++;
    IRTemp cnt = new_temp(f);
    IRTemp acc = new_temp(f);
    IROp *op;

    emit(f, IR_mov, 2, cnt, new_const(f, 1 + rnd() % 9));
    emit(f, IR_mov, 2, acc, rnd_src(f));
    emit(f, IR_set_label, 0)->imm = l;
    emit(f, IR_mul, 3, acc, acc, new_const(f, 3));
    emit(f, IR_add, 3, acc, acc, cnt);
    emit(f, IR_add, 3, (IRTemp)(rnd() % 8), acc, (IRTemp)(rnd() % 8));
    emit(f, IR_sub, 3, cnt, cnt, new_const(f, 1));
    op = emit(f, IR_brcond, 2, cnt, new_const(f, 0));
    op->cond = IR_COND_NE;
    op->imm = l;
    live[nlive < ARRAY_SIZE(live) ? nlive++ : 0] = acc;
}

static CodeCache cc, cc_ref;

/* Random guest registers and flags; the TLBs of env's run. */
static void init_state(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    for (int i = 0; i < 8; i++) {
        env->regs[i] = rnd_val();
    }
    env->cc_src = rnd();
    env->cc_dst = rnd_val();
    env->cc_src2 = rnd_val();
    env->mem.ram_base = (uintptr_t)ram_of(env);
    env->mem.pflags = guest_pflags;
    env->tb_jc = test_jc;
    tlb_setup(env);
}

/* Lower f with be into c (restarting an almost full cache) into tb. */
static bool lower(const HostBackend *be, CodeCache *c, TranslationBlock *tb,
                  const IRFunc *f)
{
    memset(tb, 0, sizeof(*tb));
    tb->pc = 0x1000;
    tb->icount = 1;
    if (c->end - c->ptr < (1 << 20)) {
        c->ptr = c->start;
    }
    if (!be->gen_code(tb, f, c)) {
        c->ptr = c->start;
        return be->gen_code(tb, f, c);
    }
    return true;
}

/* Sum of env's --stats TLB hit counters. */
static uint64_t tlb_hits(const CPUX86State *env)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        n += env->tlb_hits[i];
    }
    return n;
}

/* Generate, lower, run and compare one random program. */
static int run_random(int iter)
{
    static TranslationBlock tb __attribute__((aligned(8)));
    static TranslationBlock tb_ref __attribute__((aligned(8)));
    IRFunc *f = &func;
    unsigned n = 5 + rnd() % 60;
    uintptr_t hret, rret;
    uint64_t hits, ref_nmem;
    unsigned slow0;

    fn_init(f);
    nlive = 0;
    mem_count_tlb_hits = (iter & 1) != 0;
    emit(f, IR_insn_start, 0)->imm = 0x1000;
    for (unsigned i = 0; i < n; i++) {
        if (i % 7 == 6) {
            emit(f, IR_insn_start, 0)->imm = 0x1000 + i;
        }
        if (rnd() % 40 == 0) {
            loop_op(f);
        } else {
            rnd_op(f, 0);
        }
    }
    emit(f, IR_exit_tb, 0)->imm = IR_EXIT_NOCHAIN;
    if (!ir_validate(f)) {
        say("iteration %d: invalid IR built\n", iter);
        return 1;
    }

    for (unsigned i = 0; i < RAM_SIZE; i++) {
        ram[i] = ref_ram[i] = (uint8_t)rnd();
    }
    init_state(&env_jit);
    init_state(&env_ref);
    memcpy(env_ref.regs, env_jit.regs, sizeof(env_jit.regs));
    env_ref.cc_src = env_jit.cc_src;
    env_ref.cc_dst = env_jit.cc_dst;
    env_ref.cc_src2 = env_jit.cc_src2;
    if (!lower(&JIT, &cc, &tb, f) || !lower(&backend_interp, &cc_ref, &tb_ref, f)) {
        say("iteration %d: gen_code failed\n", iter);
        return 1;
    }
    code_lo = tb.host_code;
    code_hi = code_lo + tb.host_size;

    ref_nslow = 0;
    rret = backend_interp.exec(&env_ref, &tb_ref) - (uintptr_t)&tb_ref;
    ref_nmem = tlb_hits(&env_ref) + ref_nslow;
    slow0 = nslow_ld + nslow_st;
    bad_ra = false;
    hret = JIT.exec(&env_jit, &tb) - (uintptr_t)&tb;
    hits = tlb_hits(&env_jit);
    /* every access is a counted hit or a slow path; no count when off */
    if (mem_count_tlb_hits ? hits + (nslow_ld + nslow_st - slow0) != ref_nmem
                           : hits != 0) {
        say("TLB HIT COUNT iter %d: %llu hits + %u slow, %llu accesses (%s)\n",
            iter, (unsigned long long)hits, nslow_ld + nslow_st - slow0,
            (unsigned long long)ref_nmem, mem_count_tlb_hits ? "counting" : "off");
        return 1;
    }
    if (bad_ra || hret != rret ||
        memcmp(env_jit.regs, env_ref.regs, sizeof(env_jit.regs)) ||
        env_jit.cc_dst != env_ref.cc_dst || env_jit.cc_src != env_ref.cc_src ||
        env_jit.cc_src2 != env_ref.cc_src2 || memcmp(ram, ref_ram, RAM_SIZE)) {
        say("MISMATCH iter %d (exit %lx, interpreter %lx)\n", iter,
            (unsigned long)hret, (unsigned long)rret);
        for (int i = 0; i < 8; i++) {
            say("  r%d %08x interpreter %08x%s\n", i, env_jit.regs[i],
                env_ref.regs[i], env_jit.regs[i] != env_ref.regs[i] ? "  <--" : "");
        }
        say("  cc_dst %08x / %08x, cc_src %08x / %08x, cc_src2 %08x / %08x, "
            "ram %s\n", env_jit.cc_dst, env_ref.cc_dst, env_jit.cc_src,
            env_ref.cc_src, env_jit.cc_src2, env_ref.cc_src2,
            memcmp(ram, ref_ram, RAM_SIZE) ? "differs" : "same");
        if (verbose) {
            ir_dump(f);
            JIT.disas(tb.host_code, tb.host_size);
        }
        return 1;
    }
    return 0;
}

/* Run tb (ending in lookup_and_goto_ptr) at eip: did the inline jump-cache
 * probe hit (tb2 ran, no helper call), or miss (the helper ran)? */
static int jc_run(TranslationBlock *tb, TranslationBlock *tb2, uint32_t eip,
                  bool hit, const char *what)
{
    CPUX86State *env = &env_jit;
    unsigned n = nlookups;
    uintptr_t r;

    env->eip = eip;
    r = JIT.exec(env, tb);
    if (hit ? (r != ((uintptr_t)tb2 | IR_EXIT_PLAIN) || nlookups != n)
            : (r != ((uintptr_t)tb | IR_EXIT_PLAIN) || nlookups != n + 1)) {
        say("jump cache: %s: expected a %s\n", what, hit ? "hit" : "miss");
        return 1;
    }
    return 0;
}

/* Fill the jump-cache entry of tb2's code as TB (eip, cs_base, flags). */
static TbJcEntry *jc_fill(TranslationBlock *tb2, uint32_t eip,
                          uint32_t cs_base, uint32_t flags)
{
    TbJcEntry *e = &test_jc[tb_jc_index(cs_base + eip)];

    e->flags = flags | TB_JC_VALID;
    e->cs_base = cs_base;
    e->lin = cs_base + eip;
    e->host_code = tb2->host_code;
    e->tb = tb2;
    return e;
}

/* The inline jump-cache probe of lookup_and_goto_ptr (core/exec.h,
 * TbJcEntry): hits only on (linear pc, cs_base, flags incl. TOP). */
static int run_jc_probe(TranslationBlock *tb2, TranslationBlock *tb3)
{
    static TranslationBlock tb4 __attribute__((aligned(8)));
    static TranslationBlock tb5 __attribute__((aligned(8)));
    const uint32_t hf4 = HF_PE_MASK | HF_CS32_MASK | HF_PG_MASK | 3;
    CPUX86State *env = &env_jit;
    IRFunc *f = &func;
    TbJcEntry *e;
    int bad = 0;

    /* tb3: cs_base 0, flags 0 (as gen_code got it: zeroed) */
    memset(test_jc, 0, sizeof(test_jc));
    bad |= jc_run(tb3, tb2, 0, false, "empty entry at linear 0");
    e = jc_fill(tb2, 0x12345, 0, 0);
    bad |= jc_run(tb3, tb2, 0x12345, true, "matching entry");
    bad |= jc_run(tb3, tb2, 0x12345 + (TB_JC_SIZE << 6), false, "other pc");
    env->fpu.top = 1;
    bad |= jc_run(tb3, tb2, 0x12345, false, "other TOP");
    e->flags |= 1u << TB_FLAGS_FPTOP_SHIFT;
    bad |= jc_run(tb3, tb2, 0x12345, true, "entry with that TOP");
    env->fpu.top = 0;
    e = jc_fill(tb2, 0x12345, 0, HF_CPL_MASK);
    bad |= jc_run(tb3, tb2, 0x12345, false, "other hflags");
    e = jc_fill(tb2, 0x12345 - 0x10, 0x10, 0);
    bad |= jc_run(tb3, tb2, 0x12345, false, "other cs_base, same linear");
    memset(e, 0, sizeof(*e));
    bad |= jc_run(tb3, tb2, 0x12345, false, "cleared entry");

    /* tb4: a TB with cs_base != 0 and hflags beyond a 12-bit immediate */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x400;
    emit(f, IR_mov, 2, 2, new_const(f, 9));
    emit(f, IR_lookup_and_goto_ptr, 0);
    memset(&tb4, 0, sizeof(tb4));
    tb4.cs_base = 0x12340;
    tb4.flags = hf4 | (5u << TB_FLAGS_FPTOP_SHIFT);
    if (!JIT.gen_code(&tb4, f, &cc)) {
        say("jump cache: gen_code failed\n");
        return 1;
    }
    code_hi = cc.ptr;
    if (verbose) {
        JIT.disas(tb4.host_code, tb4.host_size);
    }
    env->fpu.top = 2;
    e = jc_fill(tb2, 0xfff0, 0x12340, hf4 | (2u << TB_FLAGS_FPTOP_SHIFT));
    bad |= jc_run(&tb4, tb2, 0xfff0, true, "cs_base entry");
    e->cs_base = 0x12350;
    e->lin = 0x12350 + 0xffe0;
    bad |= jc_run(&tb4, tb2, 0xfff0, false, "cs_base entry, other cs_base");
    e = jc_fill(tb2, 0xfff0, 0x12340, hf4);
    bad |= jc_run(&tb4, tb2, 0xfff0, false, "cs_base entry, other TOP");
    e = jc_fill(tb2, 0xfff0, 0x12340, hf4 & ~HF_PG_MASK);
    env->fpu.top = 0;
    bad |= jc_run(&tb4, tb2, 0xfff0, false, "cs_base entry, other hflags");

    /* tb5: after a far transfer (RETF): CS base and hflags from env */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x500;
    emit(f, IR_lookup_and_goto_ptr, 0)->imm = IR_LOOKUP_ENV_CS;
    memset(&tb5, 0, sizeof(tb5));
    if (!JIT.gen_code(&tb5, f, &cc)) {
        say("jump cache: gen_code failed\n");
        return 1;
    }
    code_hi = cc.ptr;
    env->segs[R_CS].base = 0x20000;
    env->hflags = hf4 | HF_INHIBIT_IRQ;   /* not in TB_FLAGS_MASK */
    env->fpu.top = 3;
    e = jc_fill(tb2, 0x1234, 0x20000, hf4 | (3u << TB_FLAGS_FPTOP_SHIFT));
    bad |= jc_run(&tb5, tb2, 0x1234, true, "far: env's CS and hflags");
    env->segs[R_CS].base = 0x20010;
    bad |= jc_run(&tb5, tb2, 0x1234 - 0x10, false, "far: other CS, same linear");
    env->segs[R_CS].base = 0x20000;
    env->hflags = hf4 & ~HF_CPL_MASK;
    bad |= jc_run(&tb5, tb2, 0x1234, false, "far: other CPL");
    env->hflags = hf4;
    env->fpu.top = 0;
    bad |= jc_run(&tb5, tb2, 0x1234, false, "far: other TOP");
    env->segs[R_CS].base = 0;
    env->hflags = 0;
    memset(test_jc, 0, sizeof(test_jc));
    return bad;
}

/* goto_tb chaining and lookup_and_goto_ptr (JIT only). */
static int run_chain(void)
{
    static TranslationBlock tb1 __attribute__((aligned(8)));
    static TranslationBlock tb2 __attribute__((aligned(8)));
    static TranslationBlock tb3 __attribute__((aligned(8)));
    CPUX86State *env = &env_jit;
    IRFunc *f = &func;
    uintptr_t r;
    int bad = 0;

    /* tb1: EAX += 1; goto_tb 0; exit_tb SLOT0 */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x100;
    emit(f, IR_add, 3, 0, 0, new_const(f, 1));
    emit(f, IR_goto_tb, 0)->imm = 0;
    emit(f, IR_exit_tb, 0)->imm = IR_EXIT_SLOT0;
    memset(&tb1, 0, sizeof(tb1));
    bad |= !JIT.gen_code(&tb1, f, &cc);
    /* tb2: EBX = EAX * 2; exit_tb PLAIN */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x200;
    emit(f, IR_mul, 3, 1, 0, new_const(f, 2));
    emit(f, IR_exit_tb, 0)->imm = IR_EXIT_PLAIN;
    memset(&tb2, 0, sizeof(tb2));
    bad |= !JIT.gen_code(&tb2, f, &cc);
    /* tb3: ECX = 7; lookup_and_goto_ptr */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x300;
    emit(f, IR_mov, 2, 2, new_const(f, 7));
    emit(f, IR_lookup_and_goto_ptr, 0);
    memset(&tb3, 0, sizeof(tb3));
    bad |= !JIT.gen_code(&tb3, f, &cc);
    if (bad) {
        say("chain: gen_code failed\n");
        return 1;
    }
    code_lo = cc.start;
    code_hi = cc.ptr;
    if (verbose) {
        JIT.disas(tb3.host_code, tb3.host_size);
    }

    init_state(env);
    env->regs[0] = 10;
    r = JIT.exec(env, &tb1);
    if (r != ((uintptr_t)&tb1 | IR_EXIT_SLOT0) || env->regs[0] != 11) {
        say("chain: unchained run wrong\n");
        return 1;
    }
    JIT.set_jmp_target(&tb1, 0, &tb2);
    r = JIT.exec(env, &tb1);
    if (r != ((uintptr_t)&tb2 | IR_EXIT_PLAIN) || env->regs[0] != 12 ||
        env->regs[1] != 24) {
        say("chain: chained run wrong (%lx)\n", (unsigned long)r);
        return 1;
    }
    JIT.set_jmp_target(&tb1, 0, NULL);
    r = JIT.exec(env, &tb1);
    if (r != ((uintptr_t)&tb1 | IR_EXIT_SLOT0) || env->regs[0] != 13) {
        say("chain: reset run wrong\n");
        return 1;
    }
    lookup_result = tb2.host_code;
    r = JIT.exec(env, &tb3);
    if (r != ((uintptr_t)&tb2 | IR_EXIT_PLAIN) || env->regs[2] != 7 ||
        env->regs[1] != 26 || nlookups != 1) {
        say("lookup: hit run wrong\n");
        return 1;
    }
    r = JIT.exec(env, &tb3);
    if (r != ((uintptr_t)&tb3 | IR_EXIT_PLAIN) || nlookups != 2) {
        say("lookup: miss run wrong\n");
        return 1;
    }
    return run_jc_probe(&tb2, &tb3);
}

int main(int argc, char **argv)
{
    const size_t csize = 16 << 20;
    int iters = 3000, fails = 0;

    if (argc > 1) {
        iters = 0;
        for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) {
            iters = iters * 10 + (*p - '0');
        }
    }
    verbose = argc > 2;
    cc.start = os_alloc_code(csize);
    cc.ptr = cc.start;
    cc.end = cc.start + csize;
    cc_ref.start = os_zalloc(csize);
    cc_ref.ptr = cc_ref.start;
    cc_ref.end = cc_ref.start + csize;
    ram = os_zalloc(RAM_SIZE);
    ref_ram = os_zalloc(RAM_SIZE);
    JIT.init(&cc);
    backend_interp.init(&cc_ref);
    /* page 3: MMIO-like (all slow); page 5: code (stores slow); >= 16: none */
    for (unsigned p = 16; p < GUEST_NB_PAGES; p++) {
        guest_pflags[p] = PF_NOT_RAM;
    }
    guest_pflags[3] = PF_NOT_RAM;
    guest_pflags[5] = PF_CODE;

    fails += run_chain();
    for (int i = 0; i < iters && fails < 5; i++) {
        fails += run_random(i);
    }
    say("backend-test (%s vs interp): %d random TBs, slow ld %u st %u, %s\n",
        JIT.name, iters, nslow_ld, nslow_st, fails ? "FAIL" : "ok");
    return fails ? 1 : 0;
}
