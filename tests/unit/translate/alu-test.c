/*
 * hamt86 translator unit test: the ALU family and lazy flags against golden
 * vectors recorded on a real CPU (gen-vectors.py), plus the TB loop
 * mechanics (page limits, exits, exceptions) and the stack helpers.
 *
 * The translator runs on its own with the test-local IR and interpreter
 * (mini-ir.c).  Built with -DUSE_REAL_IR it uses ir/ir.c's builder
 * and ir_validate()s every TB; -DUSE_IR_OPT also runs ir_optimize() first
 * (link ir-opt.c), which checks the optimizer against real-CPU results.  The consumers of the flags (SETcc, CMOVcc) and PUSH/POP/MOV
 * belong to other families; this file brings tiny test versions of them.
 *
 *   usage: translate-alu-test VECTORS.bin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cpu.h"
#include "core/exec.h"
#include "core/log.h"
#include "translator/translate.h"
#include "translator/cc.h"

int interp_run(CPUX86State *env, const IRFunc *f);
extern int last_exc;
uint8_t *phys_ram_ptr(uint32_t phys);

#define CODEBASE   0x00100000u
#define MEMBASE    0x10000000u
#define MEMWIN     0x10000800u
#define SETCC_BASE (MEMWIN + 0xe0)
#define F32 (HF_CS32_MASK | HF_SS32_MASK | HF_PE_MASK)

static IRFunc func;
static CPUX86State env;
static int fails;

#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s\n", __LINE__, #c); fails++; } } while (0)

/* Flags each even condition reads (O, B, E, BE, S, P, L, LE). */
static const uint32_t cc_deps[8] = {
    CC_O, CC_C, CC_Z, CC_C | CC_Z, CC_S, CC_P, CC_S | CC_O, CC_S | CC_O | CC_Z
};

/* Fill the 256-byte data window from a seed (same as gen-vectors.py). */
static void xorshift_fill(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 256; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        p[i] = x & 0xff;
    }
}

/* FNV-1a of the window without the SETcc bytes. */
static uint32_t fnv(const uint8_t *p)
{
    uint32_t h = 0x811c9dc5u;
    for (int i = 0; i < 256; i++) {
        if (i >= 0xe0 && i < 0xf0) {
            continue;
        }
        h = (h ^ p[i]) * 0x01000193u;
    }
    return h;
}

static bool fetch_plain(void *o, uint32_t eip, uint8_t *b)
{
    *b = ((uint8_t *)o)[eip - CODEBASE];
    return true;
}

/* Translate and run one TB at pc. Returns the exit value, -1 on exception,
 * -2 when nothing could be fetched. */
static int run_tb(uint32_t pc, uint32_t cs_base, uint32_t flags, uint32_t cflags,
                  int max, TranslationBlock *tb)
{
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    translate_tb(&env, tb, &func, max);
    if (tb->icount == 0) {
        return -2;
    }
#ifdef USE_REAL_IR
    if (!ir_validate(&func)) {
        printf("FAIL: ir_validate at pc 0x%08x\n", pc);
        fails++;
    }
#endif
#ifdef USE_IR_OPT
    ir_optimize(&func);
    if (!ir_validate(&func)) {
        printf("FAIL: ir_validate after ir_optimize at pc 0x%08x\n", pc);
        fails++;
    }
#endif
    return interp_run(&env, &func);
}

typedef struct VecHdr {
    uint8_t len, ninsn, de, pad;
    uint32_t regs_in[8], eflags_in, mem_seed;
    uint32_t regs_out[8], eflags_out, mem_hash, setcc_bits;
} VecHdr;

BUILD_ASSERT(sizeof(VecHdr) == 88);

/* Replay the golden vectors. */
static void test_vectors(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t raw[88], code[256 + 128], *cbuf = phys_ram_ptr(CODEBASE);
    uint8_t *mw = phys_ram_ptr(MEMWIN), in_mem[256];
    VecHdr h;
    int n = 0, bad = 0, skipped = 0;

    if (!fp) {
        printf("FAIL: cannot open %s\n", path);
        fails++;
        return;
    }
    while (fread(raw, sizeof(raw), 1, fp) == 1) {
        X86Insn insn;
        TranslationBlock tb;
        uint32_t undef = 0, pc, skipreg = 0, m, fl;
        int len, ex, k, nalu;
        char why[160] = "";
        bool ok = true;

        memcpy(&h, raw, sizeof(h));
        if (fread(code, h.len, 1, fp) != 1) {
            break;
        }
        len = h.len;
        if (!h.de) {
            for (int cc = 0; cc < 16; cc++) {
                uint32_t a = SETCC_BASE + cc;
                code[len++] = 0x0f; code[len++] = 0x90 + cc; code[len++] = 0x05;
                memcpy(code + len, &a, 4);
                len += 4;
            }
        }
        memset(&env, 0, sizeof(env));
        memcpy(env.regs, h.regs_in, 32);
        env.cc_op = CC_OP_EFLAGS;
        env.cc_src = h.eflags_in & CC_ARITH;
        memcpy(cbuf, code, len);
        memset(cbuf + len, 0x90, 16);
        xorshift_fill(in_mem, h.mem_seed);
        memcpy(mw, in_mem, 256);

        /* undefined flags of the ALU instructions (the rows say which) */
        nalu = h.de ? 1 : h.ninsn - 20;
        pc = CODEBASE;
        for (k = 0; k < nalu; k++) {
            x86_decode(&insn, pc, true, fetch_plain, cbuf);
            undef |= insn.def ? insn.def->flags_undef : 0;
            if (k == 0 && insn.opmap == 1 && (insn.opcode & 0xf6) == 0xa4 &&
                insn.opsize == 2 &&
                (((insn.opcode & 1) ? h.regs_in[R_ECX] : insn.op[2].imm) & 31) > 16) {
                /* 16-bit SHLD/SHRD by more than 16: undefined, CPUs differ */
                break;
            }
            pc += insn.len;
        }
        if (k < nalu) {
            skipped++;
            n++;
            continue;
        }
        ex = run_tb(CODEBASE, 0, F32, 0, h.ninsn, &tb);
        fl = (cpu_cc_compute_all(&env) & CC_ARITH) | 2;
        if (h.de) {
            if (ex != -1 || last_exc != EXCP00_DE || env.eip != CODEBASE) {
                ok = false;
                snprintf(why, sizeof(why), "expected #DE: exit %d exc %d eip %x",
                         ex, last_exc, env.eip);
            }
        } else if (ex == -1) {
            ok = false;
            snprintf(why, sizeof(why), "exception %d", last_exc);
        } else if (env.eip != CODEBASE + (uint32_t)len || tb.icount != h.ninsn) {
            ok = false;
            snprintf(why, sizeof(why), "eip %x icount %d", env.eip, tb.icount);
        }
        /* a CMOV whose condition reads an undefined flag: skip its target */
        if (!h.de) {
            for (int i = 0; i < 4; i++) {
                const uint8_t *p = code + (pc - CODEBASE) + 3 * i;
                if (cc_deps[(p[1] & 15) >> 1] & undef) {
                    skipreg |= 1u << ((p[2] >> 3) & 7);
                }
            }
        }
        for (int i = 0; i < 8 && ok; i++) {
            if (i != R_ESP && !(skipreg & (1u << i)) && env.regs[i] != h.regs_out[i]) {
                ok = false;
                snprintf(why, sizeof(why), "reg %d got %08x want %08x", i,
                         env.regs[i], h.regs_out[i]);
            }
        }
        m = CC_ARITH & ~undef;
        if (ok && (fl & m) != (h.eflags_out & m)) {
            ok = false;
            snprintf(why, sizeof(why), "flags got %03x want %03x (mask %03x)",
                     fl & m, h.eflags_out & m, m);
        }
        if (ok && fnv(mw) != h.mem_hash) {
            ok = false;
            snprintf(why, sizeof(why), "memory differs");
        }
        for (int cc = 0; cc < 16 && ok; cc++) {
            uint8_t want = h.de ? in_mem[0xe0 + cc] : (h.setcc_bits >> cc) & 1;
            if (!h.de && (cc_deps[cc >> 1] & undef)) {
                continue;
            }
            if (mw[0xe0 + cc] != want) {
                ok = false;
                snprintf(why, sizeof(why), "set%d got %d want %d", cc,
                         mw[0xe0 + cc], want);
            }
        }
        if (!ok) {
            bad++;
            if (bad <= 20) {
                printf("FAIL vector %d: %s\n  bytes:", n, why);
                for (int i = 0; i < (int)(pc - CODEBASE) && i < 32; i++) {
                    printf(" %02x", code[i]);
                }
                printf("\n");
            }
        }
        n++;
    }
    fclose(fp);
    printf("vectors: %d run, %d skipped (undefined), %d failed\n", n, skipped, bad);
    if (n < 100) {
        printf("FAIL: too few vectors\n");
        fails++;
    }
    fails += bad;
}

/* TB structure: limits, page crossing, exits, single-step, #UD/#GP. */
static void test_tb_loop(void)
{
    TranslationBlock tb;
    uint8_t *c = phys_ram_ptr(CODEBASE);
    int ex;

    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    for (int i = 0; i < 0x3000; i += 3) {             /* add eax, 1 */
        c[i] = 0x83; c[i + 1] = 0xc0; c[i + 2] = 0x01;
    }
    ex = run_tb(CODEBASE, 0, F32, 0, 5, &tb);
    CHECK(ex == IR_EXIT_SLOT0); CHECK(tb.icount == 5); CHECK(tb.size == 15);
    CHECK(env.eip == CODEBASE + 15); CHECK(env.regs[R_EAX] == 5);
    CHECK(tb.phys_page2 == ~0u); CHECK(tb.phys_pc == CODEBASE);
    /* 0xff9 and 0xffc fit the page; 0xfff straddles: next TB */
    ex = run_tb(CODEBASE + 0xff9, 0, F32, 0, 100, &tb);
    CHECK(tb.icount == 2); CHECK(env.eip == CODEBASE + 0xfff);
    /* a TB that starts with the straddling insn holds only it */
    ex = run_tb(CODEBASE + 0xfff, 0, F32, 0, 100, &tb);
    CHECK(tb.icount == 1); CHECK(tb.size == 3);
    CHECK(tb.phys_page2 == CODEBASE + 0x1000); CHECK(env.eip == CODEBASE + 0x1002);
    /* the jump to the next page does not chain directly */
    CHECK(ex != IR_EXIT_SLOT0);
    ex = run_tb(CODEBASE, 0, F32, CF_SINGLE, 100, &tb);
    CHECK(tb.icount == 1); CHECK(env.eip == CODEBASE + 3);
    ex = run_tb(CODEBASE, 0, F32, CF_NOCHAIN, 2, &tb);
    CHECK(ex == IR_EXIT_PLAIN); CHECK(env.eip == CODEBASE + 6);
    /* exit_request: nothing runs */
    env.exit_request = 1;
    env.regs[R_EAX] = 0;
    ex = run_tb(CODEBASE, 0, F32, 0, 5, &tb);
    CHECK(ex == IR_EXIT_REQUEST); CHECK(env.eip == CODEBASE); CHECK(env.regs[R_EAX] == 0);
    env.exit_request = 0;
    /* unmapped code: icount 0 */
    ex = run_tb(0x5000000, 0, F32, 0, 5, &tb);
    CHECK(ex == -2); CHECK(tb.icount == 0);
    /* TF: #DB after one insn with EIP of the next */
    ex = run_tb(CODEBASE, 0, F32 | HF_TF_MASK, 0, 5, &tb);
    CHECK(ex == -1); CHECK(last_exc == EXCP01_DB); CHECK(tb.icount == 1);
    CHECK(env.eip == CODEBASE + 3); CHECK(env.dr[6] & 0x4000);
    /* ud2 */
    c[0x2000] = 0x0f; c[0x2001] = 0x0b;
    ex = run_tb(CODEBASE + 0x2000, 0, F32, 0, 5, &tb);
    CHECK(ex == -1); CHECK(last_exc == EXCP06_UD); CHECK(env.eip == CODEBASE + 0x2000);
    /* more than 15 bytes: #GP */
    memset(c + 0x2100, 0x66, 15); c[0x210f] = 0x90;
    ex = run_tb(CODEBASE + 0x2100, 0, F32, 0, 5, &tb);
    CHECK(ex == -1); CHECK(last_exc == EXCP0D_GP);
    /* LOCK with a register destination: #UD */
    memcpy(c + 0x2200, "\xf0\x01\xc0", 3);
    ex = run_tb(CODEBASE + 0x2200, 0, F32, 0, 5, &tb);
    CHECK(ex == -1); CHECK(last_exc == EXCP06_UD);
    /* a faulting RMW keeps the flags of the previous insn:
     * cmp eax,eax (ZF=1); add [0x30000000], eax */
    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    memcpy(c + 0x2300, "\x39\xc0\x01\x05\x00\x00\x00\x30", 8);
    ex = run_tb(CODEBASE + 0x2300, 0, F32, 0, 5, &tb);
    CHECK(ex == -1); CHECK(cpu_cc_compute_all(&env) & CC_Z);
    /* shift by CL = 0 leaves the flags and the operand alone */
    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    env.cc_src = CC_C | CC_O | CC_S;
    env.regs[R_EAX] = 0x80000001;
    memcpy(c + 0x2400, "\xd3\xe0", 2);                 /* shl eax, cl (cl = 0) */
    ex = run_tb(CODEBASE + 0x2400, 0, F32, 0, 1, &tb);
    CHECK(env.regs[R_EAX] == 0x80000001);
    CHECK((cpu_cc_compute_all(&env) & CC_ARITH) == (CC_C | CC_O | CC_S));
}

/* Stack and addressing: SS.B, SP wrap, segment bases, 16-bit addressing. */
static void test_stack(void)
{
    uint8_t *c = phys_ram_ptr(CODEBASE), *m = phys_ram_ptr(MEMBASE);
    TranslationBlock tb;
    int ex;

    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    /* push eax; push ecx; pop edx; push ax; pop bx */
    memcpy(c + 0x3000, "\x50\x51\x5a\x66\x50\x66\x5b", 7);
    env.regs[R_EAX] = 0x11223344; env.regs[R_ECX] = 0xaabbccdd;
    env.regs[R_ESP] = MEMBASE + 0x100; env.regs[R_EBX] = 0xffffffff;
    run_tb(CODEBASE + 0x3000, 0, F32, 0, 5, &tb);
    CHECK(env.regs[R_EDX] == 0xaabbccdd); CHECK(env.regs[R_EBX] == 0xffff3344);
    CHECK(env.regs[R_ESP] == MEMBASE + 0xfc);
    CHECK(m[0xfc] == 0x44 && m[0xfd] == 0x33 && m[0xfe] == 0x22);
    /* 16-bit stack with SS base: SP 2 -> 0 -> 0xfffe (wraps in SP only) */
    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    env.segs[R_SS].base = MEMBASE;
    env.regs[R_ESP] = 0xabcd0002; env.regs[R_EAX] = 0x55667788;
    memcpy(c + 0x3100, "\x66\x50\x66\x50", 4);
    run_tb(CODEBASE + 0x3100, 0, HF_CS32_MASK | HF_PE_MASK | HF_ADDSEG_MASK, 0, 1, &tb);
    CHECK(env.regs[R_ESP] == 0xabcd0000); CHECK(m[0] == 0x88 && m[1] == 0x77);
    run_tb(CODEBASE + 0x3102, 0, HF_CS32_MASK | HF_PE_MASK | HF_ADDSEG_MASK, 0, 1, &tb);
    CHECK(env.regs[R_ESP] == 0xabcdfffe); CHECK(m[0xfffe] == 0x88 && m[0xffff] == 0x77);
    /* 16-bit code at a CS base, 16-bit addressing with a DS base:
     * mov ax, [bx+si+4] with BX+SI wrapping at 64 KiB */
    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    env.segs[R_DS].base = MEMBASE;
    env.regs[R_EBX] = 0xfff0; env.regs[R_ESI] = 0x0010;
    m[4] = 0x34; m[5] = 0x12;
    memcpy(c + 0x3200, "\x8b\x40\x04", 3);
    ex = run_tb(0x3200, CODEBASE, HF_PE_MASK | HF_ADDSEG_MASK, 0, 1, &tb);
    CHECK(ex >= 0); CHECK((env.regs[R_EAX] & 0xffff) == 0x1234); CHECK(env.eip == 0x3203);
    /* pop from an unmapped stack faults before ESP changes */
    memset(&env, 0, sizeof(env));
    env.cc_op = CC_OP_EFLAGS;
    env.regs[R_ESP] = 0x30000000; env.regs[R_EAX] = 7;
    c[0x3300] = 0x58;
    ex = run_tb(CODEBASE + 0x3300, 0, F32, 0, 1, &tb);
    CHECK(ex == -1); CHECK(env.regs[R_ESP] == 0x30000000); CHECK(env.regs[R_EAX] == 7);
}

/* One partial-flag sequence for test_merge: bytes and instruction count. */
typedef struct MergeSeq {
    uint8_t code[160];
    int len, ninsn;
} MergeSeq;

/* Append one instruction (n bytes) to q. */
static void merge_add(MergeSeq *q, const char *b, int n)
{
    if (n > 0) {
        memcpy(q->code + q->len, b, n);
        q->len += n;
        q->ninsn++;
    }
}

/* Run q from a fixed initial state in TBs of at most max insns (normalize:
 * turn the lazy state into explicit EFLAGS between TBs).  Returns false on
 * an exception; *fl gets the final arithmetic flags. */
static bool merge_run(const MergeSeq *q, const uint32_t *regs, uint32_t eflags,
                      int max, bool normalize, uint32_t *fl, uint8_t *setcc)
{
    uint8_t *c = phys_ram_ptr(CODEBASE + 0x4000), *mw = phys_ram_ptr(MEMWIN);
    TranslationBlock tb;
    uint32_t pc = CODEBASE + 0x4000;
    int left = q->ninsn;

    memcpy(c, q->code, q->len);
    memset(c + q->len, 0x90, 16);
    memset(mw + 0xe0, 0x55, 16);
    memset(&env, 0, sizeof(env));
    memcpy(env.regs, regs, 32);
    env.cc_op = CC_OP_EFLAGS;
    env.cc_src = eflags & CC_ARITH;
    while (left > 0) {
        if (run_tb(pc, 0, F32, 0, left < max ? left : max, &tb) == -1) {
            return false;
        }
        left -= tb.icount;
        pc = env.eip;
        if (normalize) {
            env.cc_src = cpu_cc_compute_all(&env) & CC_ARITH;
            env.cc_op = CC_OP_EFLAGS;
        }
    }
    *fl = cpu_cc_compute_all(&env) & CC_ARITH;
    memcpy(setcc, mw + 0xe0, 16);
    return pc == CODEBASE + 0x4000 + (uint32_t)q->len;
}

/*
 * Merged lazy flags (ROL/ROR/RCL/RCR/BT* after any producer, nested): the
 * same sequence split into TBs in every way (a TB start makes the incoming
 * cc_op unknown, inside a TB it is known) must give the same registers,
 * SETcc bytes and flags, also when the state is made explicit between TBs.
 */
static void test_merge(void)
{
    static const struct { const char *b; int n; } prod[] = {
        { "", 0 }, { "\x29\xd8", 2 }, { "\x01\xd8", 2 }, { "\x11\xd8", 2 },
        { "\x19\xd8", 2 }, { "\x21\xd8", 2 }, { "\x40", 1 }, { "\x48", 1 },
        { "\xd1\xe0", 2 }, { "\xd1\xf8", 2 }, { "\xf7\xeb", 2 },
        { "\x28\xd8", 2 }, { "\x66\x29\xd8", 3 }, { "\x27", 1 },
        { "\xd3\xe0", 2 },
    };
    static const struct { const char *b; int n; } part[] = {
        { "", 0 }, { "\xd1\xc2", 2 }, { "\xc1\xca\x05", 3 }, { "\xd3\xc2", 2 },
        { "\xd2\xca", 2 }, { "\xd1\xd2", 2 }, { "\xd3\xda", 2 },
        { "\x66\xd3\xd2", 3 }, { "\xd2\xd2", 2 }, { "\x0f\xa3\xd2", 3 },
        { "\x0f\xba\xe2\x07", 4 }, { "\x0f\xab\xca", 3 },
        /* INC/DEC (a layer when the incoming CF would need a helper:
         * TB start, after ADC/SBB; plain otherwise): inc edx, dec edx,
         * inc dl, dec dx, inc byte [SETCC_BASE] (rewritten by the SETccs) */
        { "\x42", 1 }, { "\x4a", 1 }, { "\xfe\xc2", 2 },
        { "\x66\x4a", 2 }, { "\xfe\x05\xe0\x08\x00\x10", 6 },
    };
    static const struct { const char *b; int n; } tail[] = {
        { "", 0 }, { "\x19\xf6", 2 }, { "\x47", 1 }, { "\x11\xfe", 2 },
        { "\x0f\xba\xe7\x00", 4 }, { "\x27", 1 }, { "\x4f", 1 },
    };
    static const uint32_t cls[] = { 0, 1, 8, 9, 17, 18, 31, 32 };
    static const int maxes[] = { 100, 1, 2, 3 };
    uint32_t x = 0x2545f491u, regs[8], eflags, fl0, fl;
    uint8_t set0[16], set[16];
    int n = 0, bad = 0;

    for (unsigned p = 0; p < ARRAY_SIZE(prod); p++) {
        for (unsigned a = 0; a < ARRAY_SIZE(part); a++) {
            for (unsigned b = 0; b < ARRAY_SIZE(part); b++) {
                for (unsigned t = 0; t < ARRAY_SIZE(tail); t++) {
                    MergeSeq q = { .len = 0, .ninsn = 0 };
                    uint32_t saved[8];

                    merge_add(&q, prod[p].b, prod[p].n);
                    merge_add(&q, part[a].b, part[a].n);
                    merge_add(&q, part[b].b, part[b].n);
                    merge_add(&q, tail[t].b, tail[t].n);
                    for (int cc = 0; cc < 16; cc++) {
                        uint32_t ad = SETCC_BASE + cc;
                        char sb[7] = { 0x0f, (char)(0x90 + cc), 0x05 };

                        memcpy(sb + 3, &ad, 4);
                        merge_add(&q, sb, 7);
                    }
                    for (int i = 0; i < 8; i++) {
                        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                        regs[i] = x;
                    }
                    regs[R_ECX] = (regs[R_ECX] & ~0xffu) | cls[x % 8];
                    regs[R_ESP] = MEMBASE + 0x100;
                    eflags = x >> 8;
                    n++;
                    if (!merge_run(&q, regs, eflags, 100, true, &fl0, set0)) {
                        bad++;
                        continue;
                    }
                    memcpy(saved, env.regs, 32);
                    for (unsigned m = 0; m < 2 * ARRAY_SIZE(maxes); m++) {
                        bool ok = merge_run(&q, regs, eflags, maxes[m / 2],
                                            m & 1, &fl, set);

                        if (!ok || fl != fl0 || memcmp(set, set0, 16) ||
                            memcmp(saved, env.regs, 32)) {
                            if (++bad <= 10) {
                                printf("FAIL merge p%u a%u b%u t%u max %d%s: "
                                       "flags %03x want %03x\n", p, a, b, t,
                                       maxes[m / 2], m & 1 ? " normalized" : "",
                                       fl, fl0);
                            }
                        }
                    }
                }
            }
        }
    }
    /* precise flags at a fault right after a merge or an INC/DEC layer,
     * and at a faulting memory-operand rotate / BTS / INC (flags of before
     * the insn) */
    for (int k = 0; k < 15; k++) {
        static const char *faulting[5] = {
            "\x01\x05\x00\x00\x00\x30",          /* add [0x30000000], eax */
            "\xd1\x05\x00\x00\x00\x30",          /* rol dword [0x30000000], 1 */
            "\x0f\xab\x05\x00\x00\x00\x30",      /* bts [0x30000000], eax */
            "\xd3\x1d\x00\x00\x00\x30",          /* rcr dword [0x30000000], cl */
            "\xff\x05\x00\x00\x00\x30",          /* inc dword [0x30000000] */
        };
        static const int flen[5] = { 6, 6, 7, 6, 6 };
        MergeSeq q = { .len = 0, .ninsn = 0 };
        TranslationBlock tb;
        uint8_t *c = phys_ram_ptr(CODEBASE + 0x4000);

        if (k < 5) {
            merge_add(&q, "\x29\xd8", 2);             /* sub eax, ebx */
            merge_add(&q, "\xd1\xc2", 2);             /* rol edx, 1 */
            merge_add(&q, "\x0f\xba\xe1\x03", 4);     /* bt ecx, 3 */
        } else if (k < 10) {
            merge_add(&q, "\x4a", 1);                 /* dec edx (layer) */
            merge_add(&q, "\xd1\xc2", 2);             /* rol edx, 1 */
            merge_add(&q, "\x11\xd8", 2);             /* adc eax, ebx */
            merge_add(&q, "\x4b", 1);                 /* dec ebx (layer) */
        } else {
            merge_add(&q, "\x19\xd8", 2);             /* sbb eax, ebx */
            merge_add(&q, "\x42", 1);                 /* inc edx (layer) */
            merge_add(&q, "\x0f\xba\xe1\x03", 4);     /* bt ecx, 3 */
            merge_add(&q, "\x48", 1);                 /* dec eax (plain) */
            merge_add(&q, "\x11\xd8", 2);             /* adc eax, ebx */
            merge_add(&q, "\xfe\xc9", 2);             /* dec cl (layer) */
        }
        for (int i = 0; i < 8; i++) {
            regs[i] = 0x9e3779b9u * (i + 3 + k);
        }
        regs[R_ECX] = 0x0b;
        if (!merge_run(&q, regs, 0x8d5, 100, false, &fl0, set0)) {
            bad++;
            continue;
        }
        merge_add(&q, faulting[k % 5], flen[k % 5]);
        memset(&env, 0, sizeof(env));
        memcpy(env.regs, regs, 32);
        env.cc_op = CC_OP_EFLAGS;
        env.cc_src = 0x8d5;
        memcpy(c, q.code, q.len);
        /* (the test interpreter does not restore EIP at a fault) */
        if (run_tb(CODEBASE + 0x4000, 0, F32, 0, 100, &tb) != -1 ||
            last_exc != EXCP0E_PF ||
            (cpu_cc_compute_all(&env) & CC_ARITH) != fl0) {
            printf("FAIL merge fault %d: exc %d flags %03x want %03x\n", k,
                   last_exc, cpu_cc_compute_all(&env) & CC_ARITH, fl0);
            bad++;
        }
    }
    printf("merge: %d sequences, %d failed\n", n, bad);
    fails += bad;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s VECTORS.bin\n", argv[0]);
        return 2;
    }
    test_vectors(argv[1]);
    test_tb_loop();
    test_stack();
    test_merge();
    printf("%s: %d failures\n", fails ? "FAIL" : "PASS", fails);
    return fails != 0;
}
