/*
 * hamt86 - the LoongArch64 HostBackend: code cache setup, the shared
 * prologue/epilogue, TB generation, execution, chaining and -d out_asm.
 *
 * Code cache layout after init():
 *
 *   cc->start (as given)       prologue: enter(env, tb_code)
 *                              epilogue: store guest regs, return a0
 *   cc->start (after init) ->  TB code (each followed by its insn_start
 *                              records, uint32_t host offsets then EIPs,
 *                              unless the core allocated tb->insn_host_off
 *                              / insn_eip for tb->icount entries itself)
 *
 * init() moves cc->start past the prologue/epilogue, so a cache flush that
 * resets cc->ptr to cc->start keeps them.  The cache is clipped to 128 MiB
 * so that `b` (+-128 MiB) reaches every TB and the epilogue from anywhere
 * in it; goto_tb chaining patches one `b` word, followed by `ibar 0`.
 * Nothing here assumes a page size: the buffer comes from os_alloc_code,
 * which rounds to the runtime host page size (16 KiB under
 * qemu-loongarch64 and on Loongson boards).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/exec.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"
#include "host-loongarch/la-disas.h"

uint8_t *la_prologue_code;
uint8_t *la_epilogue_code;
static uint8_t *la_prologue_end;

/* What the last gen_code produced, for disas() of that TB. */
static LaTbInfo la_info;
static const uint8_t *last_code;
static uint32_t last_size;

typedef uintptr_t (*LaEnterFn)(CPUX86State *env, void *tb_code);

/* Frame offset of the i-th callee-saved register (ra, fp, s0..s8). */
static int32_t csave_off(int i)
{
    return LA_CSAVE_OFF + 8 * i;
}

/* The callee-saved registers in frame order. */
static const uint8_t csave_regs[LA_NB_CSAVE] = {
    LA_RA, LA_FP, LA_S0, LA_S1, LA_S2, LA_S3, LA_S4, LA_S5,
    LA_S6, LA_S7, LA_S8,
};

/* Emit enter(env, tb_code) and the epilogue. */
static void emit_prologue(HostAsm *s)
{
    BUILD_ASSERT(LA_SLOWSAVE_OFF >= LA_CSAVE_OFF + 8 * LA_NB_CSAVE);
    BUILD_ASSERT(LA_SPILL_OFF + IR_MAX_TEMPS * 4 <= (8191 << 2));
    BUILD_ASSERT(LA_SLOWSAVE_OFF + 32 * 8 <= 2047);

    la_prologue_code = s->ptr;
    la_emit_li32(s, LA_R_TMP0, LA_FRAME_SIZE);
    la_sub_d(s, LA_SP, LA_SP, LA_R_TMP0);
    for (int i = 0; i < LA_NB_CSAVE; i++) {
        la_st_d(s, csave_regs[i], LA_SP, csave_off(i));
    }
    la_move(s, LA_R_ENV, LA_A0);
    la_emit_load_globals(s);
    la_emit_load_fixed(s);
    la_jirl(s, LA_ZERO, LA_A1, 0);

    la_epilogue_code = s->ptr;
    la_emit_store_globals(s);
    for (int i = 0; i < LA_NB_CSAVE; i++) {
        la_ld_d(s, csave_regs[i], LA_SP, csave_off(i));
    }
    la_emit_li32(s, LA_R_TMP0, LA_FRAME_SIZE);
    la_add_d(s, LA_SP, LA_SP, LA_R_TMP0);
    la_jirl(s, LA_ZERO, LA_RA, 0);
    la_prologue_end = s->ptr;
}

/* Clip the cache to the reach of b and emit the prologue into it. */
static void la_init(CodeCache *cc)
{
    uintptr_t start = ALIGN_UP((uintptr_t)cc->start, 16);
    uintptr_t end = (uintptr_t)cc->end;
    HostAsm s;

    if (end - start > (uintptr_t)LA_B_REACH) {
        end = start + (uintptr_t)LA_B_REACH;
    }
    s.start = s.ptr = (uint8_t *)start;
    s.end = (uint8_t *)end;
    s.overflow = false;
    emit_prologue(&s);
    if (s.overflow) {
        os_fatal(1, "loongarch backend: code cache too small");
    }
    os_flush_icache(s.start, s.ptr);
    cc->start = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    cc->ptr = cc->start;
    cc->end = (uint8_t *)end;
}

/* Lower f for tb into the code cache. */
static bool la_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc)
{
    HostAsm s;
    uint32_t code_size, n;
    uint8_t *start = (uint8_t *)ALIGN_UP((uintptr_t)cc->ptr, 16);
    uint32_t *rec;

    if (start >= cc->end) {
        return false;
    }
    s.start = s.ptr = start;
    s.end = cc->end;
    s.overflow = false;
    if (!la_lower_tb(&s, tb, f, &la_info)) {
        return false;
    }
    code_size = hostasm_offset(&s);

    /*
     * insn_start records: into the arrays the core allocated for icount
     * entries if it did, else right after the code in the cache.
     */
    n = MAX(la_info.ninsns, (uint32_t)tb->icount);
    if (n == 0) {
        n = 1;
    }
    if (tb->insn_host_off != NULL && tb->insn_eip != NULL) {
        n = tb->icount;
        rec = NULL;
    } else {
        if (s.ptr + 8 * (size_t)n > s.end) {
            return false;
        }
        rec = (uint32_t *)(void *)s.ptr;
        tb->insn_host_off = rec;
        tb->insn_eip = rec + n;
        s.ptr += 8 * (size_t)n;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = i < la_info.ninsns ? i :
                     (la_info.ninsns ? la_info.ninsns - 1 : 0);
        tb->insn_host_off[i] = la_info.ninsns ? la_info.insn_off[k] : 0;
        tb->insn_eip[i] = la_info.ninsns ? la_info.insn_eip[k] : tb->pc;
    }

    tb->host_code = start;
    tb->host_size = code_size;
    for (int i = 0; i < 2; i++) {
        tb->jmp_insn_off[i] = la_info.jmp_insn_off[i];
        tb->jmp_reset_off[i] = la_info.jmp_reset_off[i];
    }
    cc->ptr = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    os_flush_icache(start, start + code_size);
    last_code = start;
    last_size = code_size;
    return true;
}

/* Run from tb until the generated code returns to the loop. */
static uintptr_t la_exec(CPUX86State *env, TranslationBlock *tb)
{
    LaEnterFn enter;
    void *p = la_prologue_code;

    BUILD_ASSERT(sizeof(enter) == sizeof(p));
    memcpy(&enter, &p, sizeof(enter));
    return enter(env, tb->host_code);
}

/* Point goto_tb slot n of tb at dst (NULL: back to the reset target). */
static void la_set_jmp_target(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    uint8_t *code = tb->host_code;
    uint32_t *insn;
    void *target;

    if (tb->jmp_insn_off[n] == TB_JMP_RESET_OFFSET_INVALID) {
        return;
    }
    insn = (uint32_t *)(void *)(code + tb->jmp_insn_off[n]);
    target = dst ? dst->host_code : (void *)(code + tb->jmp_reset_off[n]);
    if (!la_b_reaches(insn, target)) {
        os_fatal(1, "loongarch backend: chain target %p out of b range",
                 target);
    }
    /* one aligned word store: a racing fetch sees the old or the new b */
    la_patch_b(insn, la_b_offs(insn, target));
    os_flush_icache(insn, insn + 1);
}

/* Print one instruction line. */
static void disas_line(const uint8_t *p)
{
    char buf[96];
    uint32_t w;

    memcpy(&w, p, 4);
    la_disas_one(w, (uint64_t)(uintptr_t)p, buf, sizeof(buf));
    hlog("  0x%016llx:  %08x  %s\n", (unsigned long long)(uintptr_t)p,
         (unsigned)w, buf);
}

/* -d out_asm: host code, split per guest instruction when known. */
static void la_disas(const void *code, size_t size)
{
    const uint8_t *p = code;
    bool known = (p == last_code);
    bool is_prologue = (p == la_prologue_code);
    unsigned k = 0;

    if (known && size > last_size) {
        size = last_size;
    }
    for (size_t off = 0; off + 4 <= size; off += 4) {
        if (is_prologue && p + off == la_prologue_code) {
            hlog("-- prologue\n");
        }
        if (is_prologue && p + off == la_epilogue_code) {
            hlog("-- epilogue\n");
        }
        if (known) {
            while (k < la_info.ninsns && la_info.insn_off[k] == off) {
                hlog("-- guest 0x%08x\n", (unsigned)la_info.insn_eip[k]);
                k++;
            }
            if (off == la_info.slow_off && off < la_info.table_off) {
                hlog("-- slow paths\n");
            }
            if (off >= la_info.table_off) {
                uint32_t w;
                if (off == la_info.table_off) {
                    hlog("-- HAMT site table\n");
                }
                memcpy(&w, p + off, 4);
                hlog("  0x%016llx:  %08x  .word\n",
                     (unsigned long long)(uintptr_t)(p + off), (unsigned)w);
                continue;
            }
        }
        disas_line(p + off);
    }
}

/* Size of the prologue + epilogue (for -d out_asm at init). */
size_t la_prologue_size(void)
{
    return (size_t)(la_prologue_end - la_prologue_code);
}

const HostBackend backend_loongarch = {
    .name = "loongarch",
    .init = la_init,
    .gen_code = la_gen_code,
    .exec = la_exec,
    .set_jmp_target = la_set_jmp_target,
    .disas = la_disas,
};
