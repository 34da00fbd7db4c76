/*
 * hamt86 unit test: the IR library, the optimizer and the interpreter
 * backend (ir/ir.c, ir-opt.c, ir-dump.c, host-interp/interp.c).
 *
 *  1. hand-built IR run through backend_interp (arithmetic, branches, a
 *     loop, helper calls, guest memory fast and slow paths, env access,
 *     insn_start EIP, goto_tb chaining, lookup_and_goto_ptr, exceptions);
 *  2. the optimizer on known patterns (folding, dead flags, DCE);
 *  3. random IR: run before and after ir_optimize() on the same state and
 *     compare everything (registers, env, guest memory, exit value).
 *
 * Hosted test: stdio, and local stubs for the runtime pieces it links to.
 * Usage: ir-test [iterations] [seed] [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include "core/cpu.h"
#include "core/exec.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/os.h"
#include "core/machine.h"
#include "ir/ir.h"
#include "host-interp/interp.h"

/* ---------------------------------------------------------------- stubs */

/* log_mask, hlog, h_snprintf...: tests/lib/hosted-shim.c */
Stats stats;            /* the interpreter counts executed insns */
/* The interpreter asks the path for its accessors: none, so the softmmu
 * TLB fast path and the slow path. */
static const MemPath ir_test_mempath = { .name = "ir-test" };
const MemPath *mem_path = &ir_test_mempath;

/* core/stats.c: one --stats line (the backend's stats_print). */
void stat_line(const char *name, uint64_t v)
{
    printf("  %-28s %llu\n", name, (unsigned long long)v);
}
static bool verbose;

void os_fatal(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    exit(code);
}

/* Guest RAM: 128 KiB; pages 0..15 are fast, 16..31 go through the slow
 * path (still backed by ram[]), everything else is unassigned. */
#define RAM_SIZE   0x20000u
#define FAST_PAGES 16
static uint8_t ram[RAM_SIZE];
static uint8_t pflags[GUEST_NB_PAGES];
static unsigned slow_loads, slow_stores;

uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra)
{
    unsigned size = 1u << (oi & MO_SIZE);
    uint32_t v = 0;
    slow_loads++;
    for (unsigned i = 0; i < size; i++) {
        uint32_t a = addr + i;
        v |= (uint32_t)(a < RAM_SIZE ? ram[a] : 0xff) << (8 * i);
    }
    return v;
}

void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi, uintptr_t ra)
{
    unsigned size = 1u << (oi & MO_SIZE);
    slow_stores++;
    for (unsigned i = 0; i < size; i++) {
        uint32_t a = addr + i;
        if (a < RAM_SIZE) {
            ram[a] = (uint8_t)(val >> (8 * i));
        }
    }
}

/* lookup_and_goto_ptr: a tiny "TB cache" keyed by eip. */
static TranslationBlock *lookup_tbs[4];
void *helper_lookup_tb_ptr(CPUX86State *env)
{
    for (unsigned i = 0; i < ARRAY_SIZE(lookup_tbs); i++) {
        if (lookup_tbs[i] && lookup_tbs[i]->pc == env->eip) {
            return lookup_tbs[i]->host_code;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- helpers */

static void *test_jmp[5];

uint32_t helper_t_add3(CPUX86State *env, uint32_t a, uint32_t b, uint32_t c)
{
    return a + b * c;
}

uint32_t helper_t_pure2(CPUX86State *env, uint32_t a, uint32_t b)
{
    return (a ^ (b << 3)) + 7;
}

uint32_t helper_t_rdcc(CPUX86State *env, uint32_t a)
{
    return env->cc_dst ^ env->cc_op ^ a;
}

void helper_t_setreg(CPUX86State *env, uint32_t r, uint32_t v)
{
    env->regs[r & 7] = v + env->regs[(r + 1) & 7];
}

void helper_t_raise(CPUX86State *env, uint32_t a)
{
    if ((a & 0xff) == 0x5a) {
        env->exception_index = 13;
        __builtin_longjmp(test_jmp, 1);
    }
}

uint32_t helper_t_four(CPUX86State *env, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    return a - b + (c ^ d);
}

enum { H_ADD3, H_PURE2, H_RDCC, H_SETREG, H_RAISE, H_FOUR, H_NB };

const IRHelperInfo ir_helpers[] = {
    [H_ADD3]   = { "t_add3",   (void *)helper_t_add3,   3, 1, IRH_PURE },
    [H_PURE2]  = { "t_pure2",  (void *)helper_t_pure2,  2, 1, IRH_PURE },
    [H_RDCC]   = { "t_rdcc",   (void *)helper_t_rdcc,   1, 1, IRH_READS_ENV },
    [H_SETREG] = { "t_setreg", (void *)helper_t_setreg, 2, 0, IRH_RW_GLOBALS },
    [H_RAISE]  = { "t_raise",  (void *)helper_t_raise,  1, 0, IRH_MAY_RAISE | IRH_READS_ENV },
    [H_FOUR]   = { "t_four",   (void *)helper_t_four,   4, 1, 0 },
};
const unsigned ir_nb_helpers = ARRAY_SIZE(ir_helpers);

/* ---------------------------------------------------------------- harness */

static unsigned failures, checks;

#define CHECK(cond, ...) do {                                   \
        checks++;                                               \
        if (!(cond)) {                                          \
            failures++;                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);\
            fprintf(stderr, __VA_ARGS__);                       \
            fputc('\n', stderr);                                \
        }                                                       \
    } while (0)

static uint8_t code_buf[1 << 22];
static CodeCache code_cache = { code_buf, code_buf, code_buf + sizeof(code_buf) };

static CPUTLBEntry test_tlb[NB_MMU_MODES][256];
static void env_init(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    env->mem.ram_base = (uintptr_t)ram;
    env->mem.pflags = pflags;
    /* softmmu TLBs: pages 0..FAST_PAGES-1 identity (fast), rest slow */
    memset(test_tlb, 0xff, sizeof(test_tlb));
    for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
        env->tlb_fast[idx].table = test_tlb[idx];
        env->tlb_fast[idx].mask = 255u << CPU_TLB_ENTRY_BITS;
        for (uint32_t p = 0; p < FAST_PAGES; p++) {
            test_tlb[idx][p].addr_read = p << GUEST_PAGE_BITS;
            test_tlb[idx][p].addr_write = p << GUEST_PAGE_BITS;
            test_tlb[idx][p].addend = (uintptr_t)ram;
        }
    }
    env->exception_index = -1;
}

/* Translate f into tb (validated, optionally optimised). */
static void gen(TranslationBlock *tb, IRFunc *f, uint32_t pc, bool optimize)
{
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    CHECK(ir_validate(f), "validate before opt (pc %x)", pc);
    if (optimize) {
        ir_optimize(f);
        CHECK(ir_validate(f), "validate after opt (pc %x)", pc);
    }
    if (verbose) {
        ir_dump(f);
    }
    CHECK(backend_interp.gen_code(tb, f, &code_cache), "gen_code");
}

/* Run tb; returns the exit value, or ~0 if an exception longjmp'd out. */
static uintptr_t run(CPUX86State *env, TranslationBlock *tb)
{
    if (__builtin_setjmp(test_jmp)) {
        return ~(uintptr_t)0;
    }
    return backend_interp.exec(env, tb);
}

static IRFunc fa, fb;

/* ---------------------------------------------------------------- 1. hand-built IR */

static void test_basic(void)
{
    static CPUX86State env;
    TranslationBlock tb;
    IRFunc *f = &fa;
    IRTemp t, u;
    uintptr_t r;

    for (int opt = 0; opt < 2; opt++) {
        /* eax = (ebx + 5) * ecx; edx = ebx < 0 ? 1 : 0; esi = bswap(esi);
         * cc_dst = eax; cc_op = 7; ram[0x100] = eax; edi = ram[0x100] (s16) */
        ir_func_init(f);
        ir_insn_start(f, 0x1000, 3);
        t = ir_new_temp(f);
        ir_binopi(f, IR_add, t, ir_global(R_EBX), 5);
        ir_binop(f, IR_mul, ir_global(R_EAX), t, ir_global(R_ECX));
        ir_setcond(f, IR_COND_LT, ir_global(R_EDX), ir_global(R_EBX), ir_const(f, 0));
        ir_unop(f, IR_bswap, ir_global(R_ESI), ir_global(R_ESI));
        ir_st_env(f, ir_global(R_EAX), offsetof(CPUX86State, cc_dst), MO_32);
        ir_st_env(f, ir_const(f, 7), offsetof(CPUX86State, cc_op), MO_32);
        ir_insn_start(f, 0x1003, 2);
        ir_qemu_st(f, ir_global(R_EAX), ir_const(f, 0x100), MO_32, MMU_KSMAP_IDX);
        ir_qemu_ld(f, ir_global(R_EDI), ir_const(f, 0x100), MO_16S, MMU_KSMAP_IDX);
        u = ir_new_temp(f);
        ir_extract(f, u, ir_global(R_EDI), 4, 8);
        ir_deposit(f, ir_global(R_EBP), ir_global(R_EBP), u, 8, 8);
        ir_st_env(f, ir_const(f, 0x1005), offsetof(CPUX86State, eip), MO_32);
        ir_exit_tb(f, IR_EXIT_PLAIN);
        gen(&tb, f, 0x1000, opt);

        env_init(&env);
        env.regs[R_EBX] = 0xfffffffe;
        env.regs[R_ECX] = 3;
        env.regs[R_ESI] = 0x11223344;
        env.regs[R_EBP] = 0xaaaaaaaa;
        r = run(&env, &tb);
        CHECK(r == (uintptr_t)&tb, "exit value %lx", (unsigned long)r);
        CHECK(env.regs[R_EAX] == 9, "eax %x", env.regs[R_EAX]);
        CHECK(env.regs[R_EDX] == 1, "edx %x", env.regs[R_EDX]);
        CHECK(env.regs[R_ESI] == 0x44332211, "esi %x", env.regs[R_ESI]);
        CHECK(env.regs[R_EDI] == 9, "edi %x", env.regs[R_EDI]);
        CHECK(env.regs[R_EBP] == 0xaaaa00aa, "ebp %x", env.regs[R_EBP]);
        CHECK(env.cc_dst == 9 && env.cc_op == 7, "cc");
        CHECK(env.eip == 0x1005, "eip %x", env.eip);
        CHECK(tb.insn_eip[0] == 0x1000 && tb.insn_eip[1] == 0x1003, "insn_eip");
    }
}

/* A counted loop (backward branch), helper calls, slow path memory. */
static void test_loop_calls(void)
{
    static CPUX86State env;
    TranslationBlock tb;
    IRFunc *f = &fa;
    unsigned l_top, l_out;
    IRTemp args[4], acc, r;

    for (int opt = 0; opt < 2; opt++) {
        ir_func_init(f);
        ir_insn_start(f, 0x2000, 2);
        acc = ir_new_temp(f);
        ir_movi(f, acc, 0);
        l_top = ir_new_label(f);
        l_out = ir_new_label(f);
        ir_set_label(f, l_top);
        ir_brcond(f, IR_COND_EQ, ir_global(R_ECX), ir_const(f, 0), l_out);
        args[0] = acc; args[1] = ir_global(R_ECX); args[2] = ir_const(f, 2);
        ir_call(f, H_ADD3, acc, 3, args);          /* acc += ecx * 2 */
        ir_binopi(f, IR_sub, ir_global(R_ECX), ir_global(R_ECX), 1);
        ir_br(f, l_top);
        ir_set_label(f, l_out);
        ir_mov(f, ir_global(R_EAX), acc);
        /* setreg(2, 100): edx = 100 + ebx */
        args[0] = ir_const(f, 2); args[1] = ir_const(f, 100);
        ir_call(f, H_SETREG, IR_NO_TEMP, 2, args);
        ir_binopi(f, IR_add, ir_global(R_EDX), ir_global(R_EDX), 1);
        /* four(10, 3, 5, 6) = 10 */
        r = ir_new_temp(f);
        args[0] = ir_const(f, 10); args[1] = ir_const(f, 3);
        args[2] = ir_const(f, 5); args[3] = ir_const(f, 6);
        ir_call(f, H_FOUR, r, 4, args);
        /* slow path: page 16 store/load, and a page-crossing access */
        ir_qemu_st(f, r, ir_const(f, 0x10010), MO_32, 0);
        ir_qemu_ld(f, ir_global(R_ESI), ir_const(f, 0x10010), MO_8, 0);
        ir_qemu_st(f, ir_const(f, 0xa1b2c3d4), ir_const(f, 0xffe), MO_32, 0);
        ir_qemu_ld(f, ir_global(R_EDI), ir_const(f, 0xffe), MO_32, 0);
        ir_exit_tb(f, IR_EXIT_NOCHAIN);
        gen(&tb, f, 0x2000, opt);

        env_init(&env);
        env.regs[R_ECX] = 10;
        env.regs[R_EBX] = 1000;
        slow_loads = slow_stores = 0;
        run(&env, &tb);
        CHECK(env.regs[R_EAX] == 110, "loop eax %u", env.regs[R_EAX]);
        CHECK(env.regs[R_ECX] == 0, "loop ecx %u", env.regs[R_ECX]);
        CHECK(env.regs[R_EDX] == 1101, "setreg edx %u", env.regs[R_EDX]);
        CHECK(env.regs[R_ESI] == 10, "slow ld %u", env.regs[R_ESI]);
        CHECK(env.regs[R_EDI] == 0xa1b2c3d4, "cross ld %x", env.regs[R_EDI]);
        CHECK(slow_loads == 2 && slow_stores == 2, "slow counts %u %u",
              slow_loads, slow_stores);
    }
}

/* goto_tb chaining, lookup_and_goto_ptr, exceptions with precise EIP. */
static void test_chain(void)
{
    static CPUX86State env;
    static TranslationBlock tb1, tb2, tb3;
    IRFunc *f = &fa;
    IRTemp args[1];
    uintptr_t r;

    /* tb1: eax += 1; goto_tb 0 -> tb2 */
    ir_func_init(f);
    ir_insn_start(f, 0x100, 1);
    ir_binopi(f, IR_add, ir_global(R_EAX), ir_global(R_EAX), 1);
    ir_goto_tb(f, 0);
    ir_st_env(f, ir_const(f, 0x200), offsetof(CPUX86State, eip), MO_32);
    ir_exit_tb(f, IR_EXIT_SLOT0);
    gen(&tb1, f, 0x100, true);
    CHECK(tb1.jmp_insn_off[0] != TB_JMP_RESET_OFFSET_INVALID, "jmp_insn_off");
    CHECK(tb1.jmp_insn_off[1] == TB_JMP_RESET_OFFSET_INVALID, "jmp_insn_off[1]");

    /* tb2: eax *= 2; eip = 0x300; lookup_and_goto_ptr */
    ir_func_init(f);
    ir_insn_start(f, 0x200, 1);
    ir_binopi(f, IR_mul, ir_global(R_EAX), ir_global(R_EAX), 2);
    ir_st_env(f, ir_const(f, 0x300), offsetof(CPUX86State, eip), MO_32);
    ir_lookup_and_goto_ptr(f);
    gen(&tb2, f, 0x200, true);

    /* tb3: eax += 7; raise if ebx == 0x5a, at insn 0x302 */
    ir_func_init(f);
    ir_insn_start(f, 0x300, 2);
    ir_binopi(f, IR_add, ir_global(R_EAX), ir_global(R_EAX), 7);
    ir_insn_start(f, 0x302, 2);
    args[0] = ir_global(R_EBX);
    ir_call(f, H_RAISE, IR_NO_TEMP, 1, args);
    ir_st_env(f, ir_const(f, 0x304), offsetof(CPUX86State, eip), MO_32);
    ir_exit_tb(f, IR_EXIT_PLAIN);
    gen(&tb3, f, 0x300, true);

    /* unchained: tb1 exits through slot 0 */
    env_init(&env);
    env.regs[R_EAX] = 5;
    r = run(&env, &tb1);
    CHECK(r == ((uintptr_t)&tb1 | IR_EXIT_SLOT0), "unchained exit");
    CHECK(env.regs[R_EAX] == 6 && env.eip == 0x200, "unchained state");

    /* chained, lookup misses */
    backend_interp.set_jmp_target(&tb1, 0, &tb2);
    env.regs[R_EAX] = 5;
    r = run(&env, &tb1);
    CHECK(r == ((uintptr_t)&tb2 | IR_EXIT_PLAIN), "chained exit %lx", (unsigned long)r);
    CHECK(env.regs[R_EAX] == 12 && env.eip == 0x300, "chained state");

    /* lookup hits tb3 */
    lookup_tbs[0] = &tb3;
    env.regs[R_EAX] = 5;
    r = run(&env, &tb1);
    CHECK(r == (uintptr_t)&tb3, "lookup exit %lx", (unsigned long)r);
    CHECK(env.regs[R_EAX] == 19 && env.eip == 0x304, "lookup state %u %x",
          env.regs[R_EAX], env.eip);

    /* exception in tb3: globals synced, eip precise */
    env.regs[R_EAX] = 5;
    env.regs[R_EBX] = 0x5a;
    r = run(&env, &tb1);
    CHECK(r == ~(uintptr_t)0, "exception");
    CHECK(env.regs[R_EAX] == 19 && env.eip == 0x302 && env.exception_index == 13,
          "exception state eax %u eip %x", env.regs[R_EAX], env.eip);

    /* unchain */
    backend_interp.set_jmp_target(&tb1, 0, NULL);
    env.regs[R_EAX] = 5;
    env.regs[R_EBX] = 0;
    r = run(&env, &tb1);
    CHECK(r == ((uintptr_t)&tb1 | IR_EXIT_SLOT0), "unchain");
    lookup_tbs[0] = NULL;
}

/* ---------------------------------------------------------------- 2. optimizer patterns */

static unsigned count_op(const IRFunc *f, unsigned opc)
{
    unsigned n = 0;
    for (unsigned i = 0; i < f->nops; i++) {
        n += f->ops[i].opc == opc;
    }
    return n;
}

static void test_opt_patterns(void)
{
    IRFunc *f = &fa;
    IRTemp t1, t2, args[4];
    unsigned l;

    /* folding + dead flags + dead code */
    ir_func_init(f);
    ir_insn_start(f, 0x10, 1);
    t1 = ir_new_temp(f);
    t2 = ir_new_temp(f);
    ir_movi(f, t1, 3);
    ir_binopi(f, IR_shl, t2, t1, 4);                 /* t2 = 48 */
    ir_binop(f, IR_add, ir_global(R_EAX), t2, ir_const(f, 2));   /* eax = 50 */
    ir_st_env(f, t2, offsetof(CPUX86State, cc_dst), MO_32);      /* dead */
    ir_st_env(f, t1, offsetof(CPUX86State, cc_op), MO_32);       /* dead */
    ir_binop(f, IR_xor, t1, ir_global(R_EBX), ir_global(R_EBX)); /* 0 */
    ir_binop(f, IR_or, ir_global(R_ECX), ir_global(R_ECX), t1);  /* ecx = ecx: dead */
    ir_insn_start(f, 0x11, 1);
    ir_st_env(f, ir_global(R_EAX), offsetof(CPUX86State, cc_dst), MO_32);
    ir_st_env(f, ir_const(f, 9), offsetof(CPUX86State, cc_op), MO_32);
    t2 = ir_new_temp(f);
    ir_unop(f, IR_not, t2, ir_global(R_EDX));        /* unused: dead */
    l = ir_new_label(f);
    ir_brcond(f, IR_COND_LTU, ir_const(f, 1), ir_const(f, 2), l);  /* always */
    ir_movi(f, ir_global(R_EDX), 1);                 /* unreachable */
    ir_set_label(f, l);
    ir_exit_tb(f, 0);
    ir_optimize(f);
    CHECK(ir_validate(f), "pattern validate");
    if (verbose) {
        ir_dump(f);
    }
    CHECK(count_op(f, IR_st_env) == 2, "dead flags: %u st_env left",
          count_op(f, IR_st_env));
    CHECK(count_op(f, IR_brcond) == 0 && count_op(f, IR_set_label) == 0,
          "branch folding");
    CHECK(count_op(f, IR_not) == 0 && count_op(f, IR_shl) == 0 &&
          count_op(f, IR_xor) == 0 && count_op(f, IR_or) == 0, "dce/fold");
    CHECK(f->nops == 6, "pattern ops %u", f->nops);

    /* flag stores before a flag-reading helper / a raise must stay */
    ir_func_init(f);
    ir_st_env(f, ir_global(R_EAX), offsetof(CPUX86State, cc_dst), MO_32);
    args[0] = ir_global(R_EAX);
    t1 = ir_new_temp(f);
    ir_call(f, H_RDCC, t1, 1, args);
    ir_st_env(f, ir_global(R_EBX), offsetof(CPUX86State, cc_dst), MO_32);
    ir_qemu_ld(f, t2 = ir_new_temp(f), ir_global(R_EBX), MO_32, 0);
    ir_st_env(f, t2, offsetof(CPUX86State, cc_dst), MO_32);
    ir_ld_env(f, t2, offsetof(CPUX86State, cc_dst), MO_32);
    ir_st_env(f, t2, offsetof(CPUX86State, cc_dst), MO_32);
    ir_mov(f, ir_global(R_ECX), t1);
    ir_exit_tb(f, 0);
    ir_optimize(f);
    /* the ld_env is forwarded from the store before it (mov t2 = t2), so
     * that store is overwritten unobserved: helper and raise barriers keep
     * the first two, the last one stays */
    CHECK(count_op(f, IR_st_env) == 3, "flag barriers: %u st_env left",
          count_op(f, IR_st_env));
    CHECK(count_op(f, IR_ld_env) == 0, "flag load not forwarded");
}

/* ---------------------------------------------------------------- 3. random IR */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static uint32_t rnd_below(uint32_t n)
{
    return rnd() % n;
}

/* Interesting constants. */
static uint32_t rnd_val(void)
{
    static const uint32_t special[] = {
        0, 1, 2, 31, 32, 0xff, 0x80, 0xffff, 0x8000, 0x7fffffff,
        0x80000000, 0xffffffff, 0xfffffffe, 0x5a, 0x1000,
    };
    if (rnd() & 1) {
        return special[rnd_below(ARRAY_SIZE(special))];
    }
    return rnd();
}

#define NTMP 12
static IRTemp rtmp[NTMP];

/* A readable operand: a global, a temp, or a constant. */
static IRTemp rnd_src(IRFunc *f)
{
    switch (rnd_below(4)) {
    case 0:  return ir_global(rnd_below(8));
    case 1:  return ir_const(f, rnd_val());
    default: return rtmp[rnd_below(NTMP)];
    }
}

/* A writable operand. */
static IRTemp rnd_dst(void)
{
    return rnd_below(3) == 0 ? ir_global(rnd_below(8)) : rtmp[rnd_below(NTMP)];
}

static const uint32_t env_offs[] = {
    offsetof(CPUX86State, cc_op), offsetof(CPUX86State, cc_dst),
    offsetof(CPUX86State, cc_src), offsetof(CPUX86State, cc_src2),
    offsetof(CPUX86State, cr[0]), offsetof(CPUX86State, cr[2]),
    offsetof(CPUX86State, dr[1]),
};

/* Address temp within guest RAM (fast and slow pages, some unaligned). */
static IRTemp rnd_addr(IRFunc *f)
{
    IRTemp a = ir_new_temp(f);
    ir_binopi(f, IR_and, a, rnd_src(f), RAM_SIZE - 1);
    return a;
}

/* Emit one random op. */
static void rnd_op(IRFunc *f, unsigned *labels, unsigned nlabels, unsigned *next_label)
{
    static const IROpcode bin[] = {
        IR_add, IR_sub, IR_mul, IR_muluh, IR_mulsh, IR_and, IR_or, IR_xor,
        IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
    };
    static const IROpcode un[] = {
        IR_mov, IR_neg, IR_not, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u,
        IR_bswap, IR_clz, IR_ctz,
    };
    static const unsigned memops[] = { MO_8, MO_8S, MO_16, MO_16S, MO_32 };
    unsigned k = rnd_below(100);
    IRTemp args[4];

    if (k < 30) {
        IRTemp a = rnd_src(f);
        ir_binop(f, bin[rnd_below(ARRAY_SIZE(bin))], rnd_dst(), a,
                 rnd_below(3) ? rnd_src(f) : a);
    } else if (k < 42) {
        ir_unop(f, un[rnd_below(ARRAY_SIZE(un))], rnd_dst(), rnd_src(f));
    } else if (k < 46) {
        unsigned pos = rnd_below(32), len = 1 + rnd_below(32 - pos);
        if (rnd() & 1) {
            ir_extract(f, rnd_dst(), rnd_src(f), pos, len);
        } else {
            ir_deposit(f, rnd_dst(), rnd_src(f), rnd_src(f), pos, len);
        }
    } else if (k < 50) {
        IRTemp a = rnd_src(f);
        ir_setcond(f, rnd_below(IR_NB_CONDS), rnd_dst(), a,
                   rnd_below(4) ? rnd_src(f) : a);
    } else if (k < 53) {
        ir_movcond(f, rnd_below(IR_NB_CONDS), rnd_dst(), rnd_src(f), rnd_src(f),
                   rnd_src(f), rnd_src(f));
    } else if (k < 62) {
        ir_st_env(f, rnd_src(f), env_offs[rnd_below(ARRAY_SIZE(env_offs))], MO_32);
    } else if (k < 67) {
        ir_ld_env(f, rnd_dst(), env_offs[rnd_below(ARRAY_SIZE(env_offs))], MO_32);
    } else if (k < 72) {
        IRTemp a = rnd_addr(f);
        ir_qemu_ld(f, rnd_dst(), a, memops[rnd_below(5)], 0);
    } else if (k < 76) {
        IRTemp a = rnd_addr(f);
        ir_qemu_st(f, rnd_src(f), a, memops[rnd_below(5)] & MO_SIZE, 0);
    } else if (k < 84) {
        unsigned h = rnd_below(H_NB);
        IRTemp ret = ir_helpers[h].has_ret ? rnd_dst() : IR_NO_TEMP;
        for (unsigned i = 0; i < ir_helpers[h].nargs; i++) {
            args[i] = rnd_src(f);
        }
        if (h == H_RAISE && (rnd() & 3)) {
            args[0] = ir_const(f, 0);   /* mostly does not raise */
        }
        ir_call(f, h, ret, ir_helpers[h].nargs, args);
    } else if (k < 92 && *next_label < nlabels) {
        /* forward branch to a label defined later */
        unsigned l = labels[*next_label + rnd_below(nlabels - *next_label)];
        IRTemp a = rnd_src(f);
        if (rnd_below(4) == 0) {
            ir_br(f, l);
        } else {
            ir_brcond(f, rnd_below(IR_NB_CONDS), a, rnd_below(4) ? rnd_src(f) : a, l);
        }
    } else if (k < 95) {
        ir_insn_start(f, rnd() & 0xffff, 1 + rnd_below(15));
    } else if (k < 97 && *next_label < nlabels) {
        ir_st_env(f, ir_const(f, rnd() & 0xffff), offsetof(CPUX86State, eip), MO_32);
        ir_exit_tb(f, rnd_below(5));
    } else if (*next_label < nlabels) {
        ir_set_label(f, labels[(*next_label)++]);
    }
}

/* Build one random function. */
static void rnd_func(IRFunc *f)
{
    unsigned labels[16], nlabels = rnd_below(16), next = 0;
    unsigned nops = 5 + rnd_below(120);

    ir_func_init(f);
    ir_insn_start(f, 0x4000, 1);
    for (unsigned i = 0; i < NTMP; i++) {
        rtmp[i] = ir_new_temp(f);
        if (rnd() & 1) {
            ir_movi(f, rtmp[i], rnd_val());
        } else {
            ir_binop(f, IR_add, rtmp[i], ir_global(rnd_below(8)), ir_const(f, rnd_val()));
        }
    }
    for (unsigned i = 0; i < nlabels; i++) {
        labels[i] = ir_new_label(f);
    }
    for (unsigned i = 0; i < nops; i++) {
        rnd_op(f, labels, nlabels, &next);
    }
    while (next < nlabels) {
        ir_set_label(f, labels[next++]);
        if (rnd() & 1) {
            rnd_op(f, labels, nlabels, &next);
        }
    }
    ir_st_env(f, ir_const(f, 0x5000), offsetof(CPUX86State, eip), MO_32);
    ir_exit_tb(f, IR_EXIT_PLAIN);
}

/* Observable state after a run. */
typedef struct Snapshot {
    CPUX86State env;
    uint8_t ram[RAM_SIZE];
    uintptr_t ret;
} Snapshot;

static Snapshot snap_a, snap_b;
static uint8_t ram_init[RAM_SIZE];

static void run_snapshot(TranslationBlock *tb, const CPUX86State *init, Snapshot *s)
{
    memcpy(&s->env, init, sizeof(*init));
    memcpy(ram, ram_init, RAM_SIZE);
    s->ret = run(&s->env, tb);
    if (s->ret != ~(uintptr_t)0) {
        s->ret &= 7;
    }
    memcpy(s->ram, ram, RAM_SIZE);
}

/* Compare the parts of the state IR can change. */
static bool snap_equal(const Snapshot *a, const Snapshot *b, char *why, size_t n)
{
    if (a->ret != b->ret) {
        snprintf(why, n, "exit %lx vs %lx", (unsigned long)a->ret, (unsigned long)b->ret);
        return false;
    }
    for (int i = 0; i < 8; i++) {
        if (a->env.regs[i] != b->env.regs[i]) {
            snprintf(why, n, "reg %d %x vs %x", i, a->env.regs[i], b->env.regs[i]);
            return false;
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(env_offs); i++) {
        uint32_t va, vb;
        memcpy(&va, (const uint8_t *)&a->env + env_offs[i], 4);
        memcpy(&vb, (const uint8_t *)&b->env + env_offs[i], 4);
        if (va != vb) {
            snprintf(why, n, "env+%u %x vs %x", env_offs[i], va, vb);
            return false;
        }
    }
    if (a->env.eip != b->env.eip || a->env.exception_index != b->env.exception_index) {
        snprintf(why, n, "eip/exception %x/%d vs %x/%d", a->env.eip,
                 a->env.exception_index, b->env.eip, b->env.exception_index);
        return false;
    }
    if (memcmp(a->ram, b->ram, RAM_SIZE)) {
        snprintf(why, n, "guest memory");
        return false;
    }
    return true;
}

static void test_random(unsigned iters)
{
    static CPUX86State init;
    static TranslationBlock tba, tbb;
    char why[128];
    unsigned bad = 0;

    for (unsigned it = 0; it < iters; it++) {
        rnd_func(&fa);
        memcpy(&fb, &fa, sizeof(fa));
        if (!ir_validate(&fa)) {
            fprintf(stderr, "random IR invalid (generator bug), iteration %u\n", it);
            ir_dump(&fa);
            failures++;
            return;
        }
        if (code_cache.ptr > code_cache.end - (1 << 20)) {
            code_cache.ptr = code_cache.start;
        }
        memset(&tba, 0, sizeof(tba));
        memset(&tbb, 0, sizeof(tbb));
        backend_interp.gen_code(&tba, &fa, &code_cache);
        ir_optimize(&fb);
        if (!ir_validate(&fb)) {
            fprintf(stderr, "optimised IR invalid, iteration %u\n", it);
            ir_dump(&fa);
            ir_dump(&fb);
            failures++;
            return;
        }
        backend_interp.gen_code(&tbb, &fb, &code_cache);

        for (int run_i = 0; run_i < 3; run_i++) {
            env_init(&init);
            for (int i = 0; i < 8; i++) {
                init.regs[i] = rnd_val();
            }
            for (unsigned i = 0; i < ARRAY_SIZE(env_offs); i++) {
                uint32_t v = rnd_val();
                memcpy((uint8_t *)&init + env_offs[i], &v, 4);
            }
            for (unsigned i = 0; i < RAM_SIZE; i += 4) {
                uint32_t v = rnd();
                memcpy(ram_init + i, &v, 4);
            }
            run_snapshot(&tba, &init, &snap_a);
            run_snapshot(&tbb, &init, &snap_b);
            checks++;
            if (!snap_equal(&snap_a, &snap_b, why, sizeof(why))) {
                fprintf(stderr, "FAIL random iteration %u run %d: %s\n", it, run_i, why);
                if (bad++ == 0) {
                    fprintf(stderr, "--- original\n");
                    ir_dump(&fa);
                    fprintf(stderr, "--- optimised\n");
                    ir_dump(&fb);
                }
                failures++;
                break;
            }
        }
        if (bad > 3) {
            break;
        }
    }
}

int main(int argc, char **argv)
{
    unsigned iters = 3000;
    uint64_t seed = 0x1234567887654321ull;

    for (int i = 1, n = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose = true;
        } else if (n++ == 0) {
            iters = strtoul(argv[i], NULL, 0);
        } else {
            seed = strtoull(argv[i], NULL, 0);
        }
    }
    rng_state = seed | 1;
    for (unsigned p = 0; p < FAST_PAGES; p++) {
        pflags[p] = 0;
    }
    for (unsigned p = FAST_PAGES; p < GUEST_NB_PAGES; p++) {
        pflags[p] = PF_NOT_RAM;
    }

    test_basic();
    test_loop_calls();
    test_chain();
    test_opt_patterns();
    test_random(iters);

    printf("ir-test: %u checks, %u failures; optimizer: %llu ops in, %llu out, "
           "%llu folded, %llu copies, %llu simplified, %llu branches, "
           "%llu unreachable, %llu dead, %llu dead flags\n",
           checks, failures,
           (unsigned long long)ir_opt_stats.ops_in,
           (unsigned long long)ir_opt_stats.ops_out,
           (unsigned long long)ir_opt_stats.folded,
           (unsigned long long)ir_opt_stats.copies,
           (unsigned long long)ir_opt_stats.simplified,
           (unsigned long long)ir_opt_stats.branches,
           (unsigned long long)ir_opt_stats.unreachable,
           (unsigned long long)ir_opt_stats.dead_code,
           (unsigned long long)ir_opt_stats.dead_flags);
    return failures ? 1 : 0;
}
