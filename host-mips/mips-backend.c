/*
 * hamt86 - the MIPS64r2 HostBackend: code cache setup, the shared
 * prologue/epilogue, TB generation, execution, chaining and -d out_asm.
 *
 * Code cache layout after init():
 *
 *   cc->start (as given)       prologue: enter(env, tb_code)
 *                              epilogue: store guest regs, return v0
 *   cc->start (after init) ->  TB code (each followed by its insn_start
 *                              records, uint32_t host offsets then EIPs,
 *                              unless the core allocated tb->insn_host_off
 *                              / insn_eip for tb->icount entries itself)
 *
 * init() moves cc->start past the prologue/epilogue, so a cache flush that
 * resets cc->ptr to cc->start keeps them.  The whole cache is clipped to
 * one 256 MiB aligned region so that `j` reaches every TB and the epilogue.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/exec.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"
#include "host-mips/mips-disas.h"

uint8_t *mips_prologue_code;
uint8_t *mips_epilogue_code;
static uint8_t *mips_prologue_end;

/* What the last gen_code produced, for disas() of that TB. */
static MipsTbInfo mips_info;
static const uint8_t *last_code;
static uint32_t last_size;

typedef uintptr_t (*MipsEnterFn)(CPUX86State *env, void *tb_code);

/* Frame offset of the i-th callee-saved register (ra, s0..s8, gp). */
static int32_t csave_off(int i)
{
    return MIPS_CSAVE_OFF + 8 * i;
}

/* The callee-saved registers in frame order. */
static const uint8_t csave_regs[MIPS_NB_CSAVE] = {
    MIPS_RA, MIPS_S0, MIPS_S1, MIPS_S2, MIPS_S3, MIPS_S4, MIPS_S5,
    MIPS_S6, MIPS_S7, MIPS_S8, MIPS_GP,
};

/* Emit enter(env, tb_code) and the epilogue. */
static void emit_prologue(HostAsm *s)
{
    BUILD_ASSERT(MIPS_FRAME_SIZE <= 32767);

    mips_prologue_code = s->ptr;
    mips_daddiu(s, MIPS_SP, MIPS_SP, -(int32_t)MIPS_FRAME_SIZE);
    for (int i = 0; i < MIPS_NB_CSAVE; i++) {
        mips_sd(s, csave_regs[i], csave_off(i), MIPS_SP);
    }
    mips_move(s, MIPS_R_ENV, MIPS_A0);
    mips_emit_load_globals(s);
    mips_emit_reload_fixed(s);
    mips_jr(s, MIPS_A1);
    mips_nop(s);

    mips_epilogue_code = s->ptr;
    mips_emit_store_globals(s);
    for (int i = 0; i < MIPS_NB_CSAVE; i++) {
        mips_ld(s, csave_regs[i], csave_off(i), MIPS_SP);
    }
    mips_jr(s, MIPS_RA);
    mips_daddiu(s, MIPS_SP, MIPS_SP, (int32_t)MIPS_FRAME_SIZE);
    mips_prologue_end = s->ptr;
}

/* Clip the cache to one 256 MiB region and emit the prologue into it. */
static void mips_init(CodeCache *cc)
{
    uintptr_t start = ALIGN_UP((uintptr_t)cc->start, 16);
    uintptr_t end = (uintptr_t)cc->end;
    uintptr_t region = (uintptr_t)1 << MIPS_JREGION_BITS;
    uintptr_t boundary = ALIGN_UP(start + 1, region);
    HostAsm s;

    if (end > boundary) {
        /* keep the larger part of the buffer */
        if (boundary - start >= end - boundary) {
            end = boundary;
        } else {
            start = boundary;
            if (end - start > region) {
                end = start + region;
            }
        }
    }
    s.start = s.ptr = (uint8_t *)start;
    s.end = (uint8_t *)end;
    s.overflow = false;
    emit_prologue(&s);
    if (s.overflow) {
        os_fatal(1, "mips backend: code cache too small");
    }
    os_flush_icache(s.start, s.ptr);
    cc->start = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    cc->ptr = cc->start;
    cc->end = (uint8_t *)end;
}

/* Lower f for tb into the code cache. */
static bool mips_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc)
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
    if (!mips_lower_tb(&s, tb, f, &mips_info)) {
        return false;
    }
    code_size = hostasm_offset(&s);

    /*
     * insn_start records: into the arrays the core allocated for icount
     * entries if it did, else right after the code in the cache.
     */
    n = MAX(mips_info.ninsns, (uint32_t)tb->icount);
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
        uint32_t k = i < mips_info.ninsns ? i :
                     (mips_info.ninsns ? mips_info.ninsns - 1 : 0);
        tb->insn_host_off[i] = mips_info.ninsns ? mips_info.insn_off[k] : 0;
        tb->insn_eip[i] = mips_info.ninsns ? mips_info.insn_eip[k] : tb->pc;
    }

    tb->host_code = start;
    tb->host_size = code_size;
    for (int i = 0; i < 2; i++) {
        tb->jmp_insn_off[i] = mips_info.jmp_insn_off[i];
        tb->jmp_reset_off[i] = mips_info.jmp_reset_off[i];
    }
    cc->ptr = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    os_flush_icache(start, start + code_size);
    last_code = start;
    last_size = code_size;
    return true;
}

/* Run from tb until the generated code returns to the loop. */
static uintptr_t mips_exec(CPUX86State *env, TranslationBlock *tb)
{
    MipsEnterFn enter;
    void *p = mips_prologue_code;

    BUILD_ASSERT(sizeof(enter) == sizeof(p));
    memcpy(&enter, &p, sizeof(enter));
    return enter(env, tb->host_code);
}

/* Point goto_tb slot n of tb at dst (NULL: back to the reset target). */
static void mips_set_jmp_target(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    uint8_t *code = tb->host_code;
    uint32_t *insn;
    void *target;

    if (tb->jmp_insn_off[n] == TB_JMP_RESET_OFFSET_INVALID) {
        return;
    }
    insn = (uint32_t *)(void *)(code + tb->jmp_insn_off[n]);
    target = dst ? dst->host_code : (void *)(code + tb->jmp_reset_off[n]);
    if (!mips_j_reaches(insn, target)) {
        os_fatal(1, "mips backend: chain target %p out of j range", target);
    }
    mips_patch_j(insn, mips_jtarget(target));
    os_flush_icache(insn, insn + 1);
}

/* Print one instruction line. */
static void disas_line(const uint8_t *p)
{
    char buf[96];
    uint32_t w;

    memcpy(&w, p, 4);
    mips_disas_one(w, (uint64_t)(uintptr_t)p, buf, sizeof(buf));
    hlog("  0x%016llx:  %08x  %s\n", (unsigned long long)(uintptr_t)p,
         (unsigned)w, buf);
}

/* -d out_asm: host code, split per guest instruction when known. */
static void mips_disas(const void *code, size_t size)
{
    const uint8_t *p = code;
    bool known = (p == last_code);
    bool is_prologue = (p == mips_prologue_code);
    unsigned k = 0;

    if (known && size > last_size) {
        size = last_size;
    }
    for (size_t off = 0; off + 4 <= size; off += 4) {
        if (is_prologue && p + off == mips_prologue_code) {
            hlog("-- prologue\n");
        }
        if (is_prologue && p + off == mips_epilogue_code) {
            hlog("-- epilogue\n");
        }
        if (known) {
            while (k < mips_info.ninsns && mips_info.insn_off[k] == off) {
                hlog("-- guest 0x%08x\n", (unsigned)mips_info.insn_eip[k]);
                k++;
            }
            if (off == mips_info.slow_off && off < last_size) {
                hlog("-- slow paths\n");
            }
        }
        disas_line(p + off);
    }
}

/* Size of the prologue + epilogue (for -d out_asm at init). */
size_t mips_prologue_size(void)
{
    return (size_t)(mips_prologue_end - mips_prologue_code);
}

const HostBackend backend_mips = {
    .name = "mips",
    .counts_tlb_hits = true,     /* with mem_count_tlb_hits (mips-lower.c) */
    .init = mips_init,
    .gen_code = mips_gen_code,
    .exec = mips_exec,
    .set_jmp_target = mips_set_jmp_target,
    .disas = mips_disas,
};
