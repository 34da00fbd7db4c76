/*
 * hamt86 - the LoongArch64 backend against the IR interpreter (LoongArch
 * builds only; freestanding, run under qemu-loongarch64 by meson's
 * exe_wrapper).
 *
 * Builds random IRFuncs by hand: every ALU op, setcond / movcond / brcond
 * with every condition, ld_env / st_env, on globals and temps, with the
 * immediate edge cases of the LoongArch encodings (si12, ui12, 0x800,
 * 0x7fffffff, 0xffffffff...), forward branches that skip code.  Each is
 * lowered by backend_loongarch and by backend_interp, run from the same
 * state, and the guest registers and lazy-flag fields are compared.
 *
 * usage: la-backend-test [ITERATIONS [SEED]]; prints
 * "N passed, N failed" and exits non-zero on a mismatch.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "translator/ir.h"

#define CC_BYTES (8u << 20)

static uint64_t rng_state;
static IRFunc func;
static CPUX86State env_jit, env_ref;

/* xorshift64*. */
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* A value with a bias to encoding edge cases. */
static uint32_t rnd_value(void)
{
    static const uint32_t edge[] = {
        0, 1, 2, 31, 32, 0xff, 0x7ff, 0x800, 0x801, 0xfff, 0x1000, 0xffff,
        0xfffff800u, 0xfffff7ffu, 0x7fffffffu, 0x80000000u, 0xffffffffu,
        0xfffffffeu, 0x12345678u, 0x00001800u,
    };
    return (rnd() & 1) ? edge[rnd() % ARRAY_SIZE(edge)] : rnd();
}

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

/* Pick an input: a global, a defined temp, or a constant. */
static IRTemp pick_in(IRFunc *f, const IRTemp *defd, unsigned ndef)
{
    unsigned k = rnd() % 8;

    if (k < 3) {
        return ir_global((int)(rnd() % IR_NB_GLOBALS));
    }
    if (k < 6 && ndef > 0) {
        return defd[rnd() % ndef];
    }
    return ir_const(f, rnd_value());
}

/* Build one random function. */
static void build(IRFunc *f)
{
    static const IROpcode bin[] = {
        IR_add, IR_sub, IR_mul, IR_muluh, IR_mulsh, IR_and, IR_or, IR_xor,
        IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
    };
    static const IROpcode un[] = {
        IR_mov, IR_neg, IR_not, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u,
        IR_bswap, IR_clz, IR_ctz,
    };
    static const unsigned env_off[] = {
        offsetof(CPUX86State, cc_dst), offsetof(CPUX86State, cc_src),
        offsetof(CPUX86State, cc_src2),
    };
    IRTemp defd[64];
    unsigned ndef = 0, nops = 8 + rnd() % 40;
    int open_label = -1;
    unsigned label_at = 0;

    ir_func_init(f);
    ir_insn_start(f, 0x1000, 1);
    for (unsigned i = 0; i < nops; i++) {
        /* inside a skipped region only globals are written */
        bool may_def_temp = open_label < 0 && ndef < ARRAY_SIZE(defd);
        IRTemp d = (may_def_temp && (rnd() & 1)) ? ir_new_temp(f)
                   : ir_global((int)(rnd() % IR_NB_GLOBALS));
        IRTemp a = pick_in(f, defd, ndef), b = pick_in(f, defd, ndef);
        unsigned k = rnd() % 16;

        if (k < 6) {
            ir_binop(f, bin[rnd() % ARRAY_SIZE(bin)], d, a, b);
        } else if (k < 9) {
            ir_unop(f, un[rnd() % ARRAY_SIZE(un)], d, a);
        } else if (k == 9) {
            unsigned pos = rnd() % 32, len = 1 + rnd() % (32 - pos);
            if (rnd() & 1) {
                ir_extract(f, d, a, pos, len);
            } else {
                ir_deposit(f, d, a, b, pos, len);
            }
        } else if (k == 10) {
            ir_setcond(f, (IRCond)(rnd() % IR_NB_CONDS), d, a, b);
        } else if (k == 11) {
            ir_movcond(f, (IRCond)(rnd() % IR_NB_CONDS), d, a, b,
                       pick_in(f, defd, ndef), pick_in(f, defd, ndef));
        } else if (k == 12) {
            ir_ld_env(f, d, env_off[rnd() % 3], rnd() % 5 == 0 ? MO_8S : MO_32);
        } else if (k == 13) {
            ir_st_env(f, a, env_off[rnd() % 3], MO_32);
            continue;
        } else if (k == 14 && open_label < 0) {
            open_label = (int)ir_new_label(f);
            label_at = i + 1 + rnd() % 6;
            ir_brcond(f, (IRCond)(rnd() % IR_NB_CONDS), a, b,
                      (unsigned)open_label);
            continue;
        } else {
            ir_binop(f, IR_add, d, a, b);
        }
        if (!ir_is_global(f, d)) {
            defd[ndef++] = d;
        }
        if (open_label >= 0 && i >= label_at) {
            ir_set_label(f, (unsigned)open_label);
            open_label = -1;
        }
    }
    if (open_label >= 0) {
        ir_set_label(f, (unsigned)open_label);
    }
    ir_exit_tb(f, IR_EXIT_PLAIN);
}

/* Lower f with backend be into cc and run it on env. */
static bool run(const HostBackend *be, CodeCache *cc, const IRFunc *f,
                CPUX86State *env)
{
    static TranslationBlock tbs[2];
    TranslationBlock *tb = &tbs[be == &backend_interp];

    memset(tb, 0, sizeof(*tb));
    tb->pc = 0x1000;
    tb->icount = 1;
    cc->ptr = cc->start;
    if (!be->gen_code(tb, f, cc)) {
        return false;
    }
    be->exec(env, tb);
    return true;
}

int main(int argc, char **argv)
{
    static CodeCache cc_jit, cc_ref;
    unsigned iters = 20000, pass = 0, fail = 0;

    rng_state = 0x9e3779b97f4a7c15ull;
    if (argc > 1) {
        iters = 0;
        for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) {
            iters = iters * 10 + (unsigned)(*p - '0');
        }
    }
    if (argc > 2) {
        for (const char *p = argv[2]; *p; p++) {
            rng_state = rng_state * 31 + (uint8_t)*p;
        }
    }
    cc_jit.start = os_alloc_code(CC_BYTES);
    cc_jit.end = cc_jit.start + CC_BYTES;
    backend_loongarch.init(&cc_jit);
    cc_ref.start = os_zalloc(CC_BYTES);
    cc_ref.end = cc_ref.start + CC_BYTES;
    backend_interp.init(&cc_ref);
    cc_ref.ptr = cc_ref.start;

    for (unsigned it = 0; it < iters; it++) {
        bool bad = false;

        build(&func);
        if (!ir_validate(&func)) {
            say("iteration %u: invalid IR built\n", it);
            fail++;
            continue;
        }
        memset(&env_jit, 0, sizeof(env_jit));
        for (int r = 0; r < CPU_NB_REGS; r++) {
            env_jit.regs[r] = rnd_value();
        }
        env_jit.cc_dst = rnd_value();
        env_jit.cc_src = rnd_value();
        env_jit.cc_src2 = rnd_value();
        memcpy(&env_ref, &env_jit, sizeof(env_ref));
        if (!run(&backend_loongarch, &cc_jit, &func, &env_jit) ||
            !run(&backend_interp, &cc_ref, &func, &env_ref)) {
            say("iteration %u: gen_code failed\n", it);
            fail++;
            continue;
        }
        for (int r = 0; r < CPU_NB_REGS; r++) {
            if (env_jit.regs[r] != env_ref.regs[r]) {
                say("iteration %u: reg %d %08x, interpreter %08x\n", it, r,
                    env_jit.regs[r], env_ref.regs[r]);
                bad = true;
            }
        }
        if (env_jit.cc_dst != env_ref.cc_dst || env_jit.cc_src != env_ref.cc_src ||
            env_jit.cc_src2 != env_ref.cc_src2) {
            say("iteration %u: cc fields differ\n", it);
            bad = true;
        }
        if (bad) {
            fail++;
            if (fail <= 3) {
                ir_dump(&func);
            }
        } else {
            pass++;
        }
    }
    say("%u passed, %u failed\n", pass, fail);
    return fail ? 1 : 0;
}
