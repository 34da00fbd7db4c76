/*
 * hamt86 - standalone test of the MIPS64 backend (run under qemu-mips64el).
 *
 * Builds IRFuncs by hand (random straight-line code with forward branches,
 * a loop, guest memory accesses through fast and slow paths, helper calls),
 * lowers them with backend_mips, runs them, and compares guest registers
 * and RAM with a small reference IR evaluator.  Also tests goto_tb
 * chaining/unchaining and lookup_and_goto_ptr.  Engine services the backend
 * needs are stubbed here, so only the host-mips sources are linked.
 *
 * Build: see tests/unit/mips-backend-test.sh
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "core/base.h"
#include "core/exec.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/os.h"
#include "translator/ir.h"
#include "host-mips/mips-target.h"

/* ---------------------------------------------------------------- stubs */

/* log_mask, hlog, h_snprintf...: tests/lib/hosted-shim.c */
static int verbose;

void hostasm_range_error(const char *insn, const char *field, long long value)
{
    fprintf(stderr, "range error: %s.%s = %lld\n", insn, field, value);
    abort();
}

void os_fatal(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hamt86: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(code);
}

void os_flush_icache(void *start, void *end)
{
    __builtin___clear_cache(start, end);
}

#define RAM_SIZE (64 * 1024)
static uint8_t *ram;                 /* guest RAM the backend sees */
static uint8_t ref_ram[RAM_SIZE];    /* reference copy */
uint8_t guest_pflags[GUEST_NB_PAGES];
static unsigned nslow_ld, nslow_st;
static unsigned ref_nmem;            /* guest accesses the reference made */
bool mem_count_tlb_hits;             /* --stats hit counters (odd iterations) */
static uint8_t *code_lo, *code_hi;

/* Check that a slow-path retaddr points into generated code. */
static void check_ra(uintptr_t ra)
{
    if (ra < (uintptr_t)code_lo || ra >= (uintptr_t)code_hi) {
        fprintf(stderr, "bad retaddr %lx\n", (unsigned long)ra);
        abort();
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
    if (memop == MO_8S) {
        v = (uint32_t)(int32_t)(int8_t)v;
    } else if (memop == MO_16S) {
        v = (uint32_t)(int32_t)(int16_t)v;
    }
    return v;
}

static void ram_wr(uint8_t *m, uint32_t addr, uint32_t v, unsigned memop)
{
    unsigned size = 1u << (memop & MO_SIZE);
    for (unsigned i = 0; i < size; i++) {
        m[(addr + i) % RAM_SIZE] = (uint8_t)(v >> (8 * i));
    }
}

uint32_t mem_ld_slow(CPUX86State *env, uint32_t addr, unsigned oi, uintptr_t ra)
{
    check_ra(ra);
    nslow_ld++;
    return ram_rd(ram, addr, oi & 7);
}

void mem_st_slow(CPUX86State *env, uint32_t addr, uint32_t val, unsigned oi,
                 uintptr_t ra)
{
    check_ra(ra);
    nslow_st++;
    ram_wr(ram, addr, val, oi & 7);
}

/* The lowering reads mem_path->kind: the softmmu TLB fast path. */
static const MemPath test_mem_path = { .name = "test", .kind = MEM_KIND_SOFTMMU };
const MemPath *mem_path = &test_mem_path;

/* Softmmu TLBs of every mode: pages 0..15 identity onto ram, page 3 MMIO
 * (all slow), page 5 code (stores slow), everything else empty (slow). */
static CPUTLBEntry test_tlb[NB_MMU_MODES][256];
static void tlb_setup(CPUX86State *env)
{
    memset(test_tlb, 0xff, sizeof(test_tlb));
    for (unsigned idx = 0; idx < NB_MMU_MODES; idx++) {
        env->tlb_fast[idx].table = test_tlb[idx];
        env->tlb_fast[idx].mask = 255u << CPU_TLB_ENTRY_BITS;
        for (uint32_t p = 0; p < RAM_SIZE / GUEST_PAGE_SIZE; p++) {
            CPUTLBEntry *e = &test_tlb[idx][p];
            uint32_t rf = p == 3 ? TLB_MMIO : 0;
            uint32_t wf = p == 3 ? TLB_MMIO : p == 5 ? TLB_NOTDIRTY : 0;
            e->addr_read = (p << GUEST_PAGE_BITS) | rf;
            e->addr_write = (p << GUEST_PAGE_BITS) | wf;
            e->addend = (uintptr_t)ram;
        }
    }
}

static void *lookup_result;
static unsigned nlookups;

void *helper_lookup_tb_ptr(CPUX86State *env)
{
    void *r = lookup_result;
    nlookups++;
    lookup_result = NULL;
    return r;
}

/* test helpers */
static uint32_t helper_mix3(CPUX86State *env, uint32_t a, uint32_t b, uint32_t c)
{
    return a * 3 + (b ^ c) - (c >> 3);
}

static uint32_t helper_bumpregs(CPUX86State *env, uint32_t a)
{
    env->regs[1] += a;
    env->regs[6] ^= 0x55aa;
    return env->regs[0] + a;
}

static void helper_store_eip(CPUX86State *env, uint32_t a, uint32_t b,
                             uint32_t c, uint32_t d)
{
    env->eip = a + b + c + d;
}

const IRHelperInfo ir_helpers[] = {
    { "mix3", (void *)helper_mix3, 3, 1, IRH_PURE },
    { "bumpregs", (void *)helper_bumpregs, 1, 1, IRH_RW_GLOBALS },
    { "store_eip", (void *)helper_store_eip, 4, 0, IRH_MAY_RAISE },
};
const unsigned ir_nb_helpers = ARRAY_SIZE(ir_helpers);

/* ------------------------------------------------------- tiny IR builder */

static IRFunc func;

static void fn_init(IRFunc *f)
{
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        f->temps[i].kind = IR_TEMP_GLOBAL;
    }
    f->ntemps = IR_NB_GLOBALS;
}

static IRTemp new_temp(IRFunc *f)
{
    f->temps[f->ntemps].kind = IR_TEMP_NORMAL;
    return (IRTemp)f->ntemps++;
}

static IRTemp new_const(IRFunc *f, uint32_t v)
{
    f->temps[f->ntemps].kind = IR_TEMP_CONST;
    f->temps[f->ntemps].val = v;
    return (IRTemp)f->ntemps++;
}

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

/* ------------------------------------------------------ reference eval */

static bool cond_eval(IRCond c, uint32_t a, uint32_t b)
{
    switch (c) {
    case IR_COND_EQ: return a == b;
    case IR_COND_NE: return a != b;
    case IR_COND_LT: return (int32_t)a < (int32_t)b;
    case IR_COND_GE: return (int32_t)a >= (int32_t)b;
    case IR_COND_LE: return (int32_t)a <= (int32_t)b;
    case IR_COND_GT: return (int32_t)a > (int32_t)b;
    case IR_COND_LTU: return a < b;
    case IR_COND_GEU: return a >= b;
    case IR_COND_LEU: return a <= b;
    case IR_COND_GTU: return a > b;
    case IR_COND_TSTEQ: return (a & b) == 0;
    case IR_COND_TSTNE: return (a & b) != 0;
    default: abort();
    }
}

static uint32_t rv[IR_MAX_TEMPS];

/* Evaluate f; returns the exit_tb value. */
static uint32_t ref_run(const IRFunc *f, CPUX86State *env)
{
    unsigned pc = 0;

    for (unsigned t = 0; t < f->ntemps; t++) {
        rv[t] = f->temps[t].kind == IR_TEMP_CONST ? f->temps[t].val :
                t < IR_NB_GLOBALS ? env->regs[t] : 0;
    }
    while (pc < f->nops) {
        const IROp *op = &f->ops[pc++];
        const IRTemp *a = op->args;
        uint32_t x = op->nargs > 1 ? rv[a[1]] : 0, y = op->nargs > 2 ? rv[a[2]] : 0;
        switch (op->opc) {
        case IR_mov: rv[a[0]] = x; break;
        case IR_add: rv[a[0]] = x + y; break;
        case IR_sub: rv[a[0]] = x - y; break;
        case IR_mul: rv[a[0]] = x * y; break;
        case IR_muluh: rv[a[0]] = (uint32_t)(((uint64_t)x * y) >> 32); break;
        case IR_mulsh: rv[a[0]] = (uint32_t)(((int64_t)(int32_t)x * (int32_t)y) >> 32); break;
        case IR_and: rv[a[0]] = x & y; break;
        case IR_or: rv[a[0]] = x | y; break;
        case IR_xor: rv[a[0]] = x ^ y; break;
        case IR_shl: rv[a[0]] = x << (y & 31); break;
        case IR_shr: rv[a[0]] = x >> (y & 31); break;
        case IR_sar: rv[a[0]] = (uint32_t)((int32_t)x >> (y & 31)); break;
        case IR_rotl: rv[a[0]] = (x << (y & 31)) | (x >> ((32 - (y & 31)) & 31)); break;
        case IR_rotr: rv[a[0]] = (x >> (y & 31)) | (x << ((32 - (y & 31)) & 31)); break;
        case IR_neg: rv[a[0]] = -x; break;
        case IR_not: rv[a[0]] = ~x; break;
        case IR_ext8s: rv[a[0]] = (uint32_t)(int32_t)(int8_t)x; break;
        case IR_ext8u: rv[a[0]] = x & 0xff; break;
        case IR_ext16s: rv[a[0]] = (uint32_t)(int32_t)(int16_t)x; break;
        case IR_ext16u: rv[a[0]] = x & 0xffff; break;
        case IR_bswap: rv[a[0]] = __builtin_bswap32(x); break;
        case IR_clz: rv[a[0]] = x ? (uint32_t)__builtin_clz(x) : 32; break;
        case IR_ctz: rv[a[0]] = x ? (uint32_t)__builtin_ctz(x) : 32; break;
        case IR_extract: {
            uint64_t m = (op->imm2 >= 32) ? 0xffffffffu : ((1u << op->imm2) - 1);
            rv[a[0]] = (uint32_t)((x >> op->imm) & m);
            break;
        }
        case IR_deposit: {
            unsigned len = op->imm2 + op->imm > 32 ? 32 - op->imm : op->imm2;
            uint32_t m = (len >= 32 ? 0xffffffffu : ((1u << len) - 1)) << op->imm;
            rv[a[0]] = (x & ~m) | ((y << op->imm) & m);
            break;
        }
        case IR_setcond: rv[a[0]] = cond_eval(op->cond, x, y); break;
        case IR_movcond:
            rv[a[0]] = cond_eval(op->cond, x, y) ? rv[a[3]] : rv[a[4]];
            break;
        case IR_ld_env: {
            uint32_t v;
            memcpy(&v, (uint8_t *)env + op->imm, 4);
            rv[a[0]] = v;
            break;
        }
        case IR_st_env:
            memcpy((uint8_t *)env + op->imm, &rv[a[0]], 4);
            break;
        case IR_qemu_ld:
            ref_nmem++;
            rv[a[0]] = ram_rd(ref_ram, x, op->cond);
            break;
        case IR_qemu_st:
            ref_nmem++;
            ram_wr(ref_ram, rv[a[1]], rv[a[0]], op->cond);
            break;
        case IR_call: {
            const IRHelperInfo *h = &ir_helpers[op->imm];
            unsigned first = h->has_ret;
            uint32_t r = 0;
            for (int i = 0; i < IR_NB_GLOBALS; i++) {
                env->regs[i] = rv[i];
            }
            if (op->imm == 0) {
                r = helper_mix3(env, rv[a[1]], rv[a[2]], rv[a[3]]);
            } else if (op->imm == 1) {
                r = helper_bumpregs(env, rv[a[1]]);
            } else {
                helper_store_eip(env, rv[a[first]], rv[a[first + 1]],
                                 rv[a[first + 2]], rv[a[first + 3]]);
            }
            for (int i = 0; i < IR_NB_GLOBALS; i++) {
                rv[i] = env->regs[i];
            }
            if (h->has_ret && a[0] != IR_NO_TEMP) {
                rv[a[0]] = r;
            }
            break;
        }
        case IR_set_label: case IR_insn_start: case IR_goto_tb:
            break;
        case IR_br:
        case IR_brcond:
            if (op->opc == IR_br || cond_eval(op->cond, rv[a[0]], rv[a[1]])) {
                for (unsigned i = 0; i < f->nops; i++) {
                    if (f->ops[i].opc == IR_set_label && f->ops[i].imm == op->imm) {
                        pc = i;
                    }
                }
            }
            break;
        case IR_exit_tb:
            for (int i = 0; i < IR_NB_GLOBALS; i++) {
                env->regs[i] = rv[i];
            }
            return op->imm;
        default:
            abort();
        }
    }
    abort();
}

/* ------------------------------------------------------ random programs */

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static uint32_t rnd_val(void)
{
    static const uint32_t special[] = {
        0, 1, 2, 31, 32, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
        0x80000000, 0xffffffff, 0xfffffffe, 0xffff8000, 0xffff7fff, 0x12345678,
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
        d = rnd() % 2 ? rnd_dst(f) : IR_NO_TEMP;
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
        op->cond = MO_32;
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

static CodeCache cc;

static void init_state(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    for (int i = 0; i < 8; i++) {
        env->regs[i] = rnd_val();
    }
    env->cc_src = rnd();
    env->mem.ram_base = (uintptr_t)ram;
    env->mem.pflags = guest_pflags;
    tlb_setup(env);
}

/* Generate, lower, run and compare one random program. */
static int run_random(int iter)
{
    static CPUX86State env, ref;
    static TranslationBlock tb __attribute__((aligned(8)));
    IRFunc *f = &func;
    unsigned n = 5 + rnd() % 60;
    uint32_t ret;
    uintptr_t hret;
    uint64_t hits0 = 0, hits = 0;
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

    for (unsigned i = 0; i < RAM_SIZE; i++) {
        ram[i] = ref_ram[i] = (uint8_t)rnd();
    }
    init_state(&env);
    ref = env;
    memset(&tb, 0, sizeof(tb));
    if (!backend_mips.gen_code(&tb, f, &cc)) {
        cc.ptr = cc.start;
        if (!backend_mips.gen_code(&tb, f, &cc)) {
            printf("gen_code failed\n");
            return 1;
        }
    }
    code_lo = tb.host_code;
    code_hi = code_lo + tb.host_size;
    if (getenv("MBT_TRACE")) {
        fprintf(stderr, "iter %d: %u ops\n", iter, f->nops);
    }
    ref_nmem = 0;
    ret = ref_run(f, &ref);
    if (getenv("MBT_TRACE")) {
        fprintf(stderr, "  ref done\n");
        if (atoi(getenv("MBT_TRACE")) == iter) {
            for (unsigned i = 0; i < f->nops; i++) {
                const IROp *o = &f->ops[i];
                printf("op %u: opc %u cond %u imm %u/%u args", i, o->opc,
                       o->cond, o->imm, o->imm2);
                for (unsigned k = 0; k < o->nargs; k++) {
                    printf(" %u%s", o->args[k],
                           o->args[k] != IR_NO_TEMP && f->temps[o->args[k]].kind == IR_TEMP_CONST ? "c" : "");
                }
                printf("\n");
            }
            backend_mips.disas(tb.host_code, tb.host_size);
            fflush(stdout);
        }
    }
    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        hits0 += env.tlb_hits[i];
    }
    slow0 = nslow_ld + nslow_st;
    hret = backend_mips.exec(&env, &tb);
    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        hits += env.tlb_hits[i];
    }
    hits -= hits0;
    /* every access is a counted hit or a slow path; no count when off */
    if (mem_count_tlb_hits ? hits + (nslow_ld + nslow_st - slow0) != ref_nmem
                           : hits != 0) {
        printf("TLB HIT COUNT iter %d: %llu hits + %u slow, %u accesses (%s)\n",
               iter, (unsigned long long)hits, nslow_ld + nslow_st - slow0,
               ref_nmem, mem_count_tlb_hits ? "counting" : "off");
        return 1;
    }
    if (hret != ((uintptr_t)&tb | ret) ||
        memcmp(env.regs, ref.regs, sizeof(env.regs)) ||
        env.cc_dst != ref.cc_dst || env.eip != ref.eip ||
        memcmp(ram, ref_ram, RAM_SIZE)) {
        printf("MISMATCH iter %d (ret %lx vs %x)\n", iter,
               (unsigned long)(hret - (uintptr_t)&tb), ret);
        for (int i = 0; i < 8; i++) {
            printf("  r%d %08x ref %08x%s\n", i, env.regs[i], ref.regs[i],
                   env.regs[i] != ref.regs[i] ? "  <--" : "");
        }
        printf("  eip %08x ref %08x, cc_dst %08x ref %08x, ram %s\n",
               env.eip, ref.eip, env.cc_dst, ref.cc_dst,
               memcmp(ram, ref_ram, RAM_SIZE) ? "differs" : "same");
        if (verbose) {
            backend_mips.disas(tb.host_code, tb.host_size);
        }
        return 1;
    }
    if (tb.icount == 0 && tb.insn_eip[0] != 0x1000) {
        printf("insn_start records wrong\n");
        return 1;
    }
    return 0;
}

/* goto_tb chaining and lookup_and_goto_ptr. */
static int run_chain(void)
{
    static CPUX86State env;
    static TranslationBlock tb1 __attribute__((aligned(8)));
    static TranslationBlock tb2 __attribute__((aligned(8)));
    static TranslationBlock tb3 __attribute__((aligned(8)));
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
    bad |= !backend_mips.gen_code(&tb1, f, &cc);
    /* tb2: EBX = EAX * 2; exit_tb PLAIN */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x200;
    emit(f, IR_mul, 3, 1, 0, new_const(f, 2));
    emit(f, IR_exit_tb, 0)->imm = IR_EXIT_PLAIN;
    memset(&tb2, 0, sizeof(tb2));
    bad |= !backend_mips.gen_code(&tb2, f, &cc);
    /* tb3: ECX = 7; lookup_and_goto_ptr */
    fn_init(f);
    emit(f, IR_insn_start, 0)->imm = 0x300;
    emit(f, IR_mov, 2, 2, new_const(f, 7));
    emit(f, IR_lookup_and_goto_ptr, 0);
    memset(&tb3, 0, sizeof(tb3));
    bad |= !backend_mips.gen_code(&tb3, f, &cc);
    if (bad) {
        printf("chain: gen_code failed\n");
        return 1;
    }
    code_lo = cc.start;
    code_hi = cc.ptr;
    if (verbose) {
        backend_mips.disas(tb3.host_code, tb3.host_size);
    }

    memset(&env, 0, sizeof(env));
    env.mem.ram_base = (uintptr_t)ram;
    env.mem.pflags = guest_pflags;
    tlb_setup(&env);
    env.regs[0] = 10;
    r = backend_mips.exec(&env, &tb1);
    if (r != ((uintptr_t)&tb1 | IR_EXIT_SLOT0) || env.regs[0] != 11) {
        printf("chain: unchained run wrong\n");
        return 1;
    }
    backend_mips.set_jmp_target(&tb1, 0, &tb2);
    r = backend_mips.exec(&env, &tb1);
    if (r != ((uintptr_t)&tb2 | IR_EXIT_PLAIN) || env.regs[0] != 12 ||
        env.regs[1] != 24) {
        printf("chain: chained run wrong (%lx)\n", (unsigned long)r);
        return 1;
    }
    backend_mips.set_jmp_target(&tb1, 0, NULL);
    r = backend_mips.exec(&env, &tb1);
    if (r != ((uintptr_t)&tb1 | IR_EXIT_SLOT0) || env.regs[0] != 13) {
        printf("chain: reset run wrong\n");
        return 1;
    }
    lookup_result = tb2.host_code;
    r = backend_mips.exec(&env, &tb3);
    if (r != ((uintptr_t)&tb2 | IR_EXIT_PLAIN) || env.regs[2] != 7 ||
        env.regs[1] != 26 || nlookups != 1) {
        printf("lookup: hit run wrong\n");
        return 1;
    }
    r = backend_mips.exec(&env, &tb3);
    if (r != ((uintptr_t)&tb3 | IR_EXIT_PLAIN) || nlookups != 2) {
        printf("lookup: miss run wrong\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 3000;
    size_t csize = 16 << 20;
    int fails = 0;

    verbose = argc > 2;
    cc.start = mmap(NULL, csize, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (cc.start == MAP_FAILED || ram == MAP_FAILED) {
        return 2;
    }
    cc.ptr = cc.start;
    cc.end = cc.start + csize;
    backend_mips.init(&cc);
    if (verbose) {
        backend_mips.disas(mips_prologue_code, mips_prologue_size());
    }
    /* page 3: MMIO-like (all slow); page 5: code (stores slow); >= 16: none */
    for (unsigned p = 16; p < GUEST_NB_PAGES; p++) {
        guest_pflags[p] = PF_NOT_RAM;
    }
    guest_pflags[3] = PF_NOT_RAM;
    guest_pflags[5] = PF_CODE;

    fails += run_chain();
    for (int i = 0; i < iters && fails < 5; i++) {
        if (cc.end - cc.ptr < (1 << 20)) {
            cc.ptr = cc.start;
        }
        fails += run_random(i);
    }
    printf("mips-backend-test: %d random TBs, slow ld %u st %u, %s\n",
           iters, nslow_ld, nslow_st, fails ? "FAIL" : "ok");
    return fails ? 1 : 0;
}
