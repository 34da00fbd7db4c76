/*
 * hamt86 - the MIPS64r2 HostBackend: the shared prologue/epilogue, code
 * cache clipping and goto_tb patching.  TB layout, execution and -d out_asm
 * framing are host-common (host-common/backend-common.c, which describes
 * the cache layout; the epilogue returns v0).
 *
 * The whole cache is clipped to one 256 MiB aligned region so that `j`
 * reaches every TB and the epilogue.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/exec.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"
#include "host-mips/mips-disas.h"
#include "host-common/host-common.h"

uint8_t *mips_prologue_code;
uint8_t *mips_epilogue_code;
static uint8_t *mips_prologue_end;

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
    mips_jr(s, MIPS_A1);               /* the TB loads its window (HAMT) */
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
    host_cache_init(cc, start, end, emit_prologue, "mips");
}

/* Lower f for tb into the code cache. */
static bool mips_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc)
{
    return host_gen_code(tb, f, cc, mips_lower_tb);
}

/* Run from tb until the generated code returns to the loop. */
static uintptr_t mips_exec(CPUX86State *env, TranslationBlock *tb)
{
    return host_enter(mips_prologue_code, env, tb);
}

/* Point goto_tb slot n of tb at dst (NULL: back to the reset target). */
static void mips_set_jmp_target(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    void *target;
    uint32_t *insn = host_jmp_site(tb, n, dst, &target);

    if (insn == NULL) {
        return;
    }
    if (dst != NULL && mips_tb_window(dst) >= 0 &&
        mips_tb_window(dst) == mips_tb_window(tb)) {
        /* gp already holds dst's window base: skip its window load */
        target = (uint8_t *)target + MIPS_TB_WIN_ENTRY;
    }
    if (!mips_j_reaches(insn, target)) {
        os_fatal(1, "mips backend: chain target %p out of j range", target);
    }
    mips_patch_j(insn, mips_jtarget(target));
    os_flush_icache(insn, insn + 1);
}

/* -d out_asm: host code, split per guest instruction when known. */
static void mips_disas(const void *code, size_t size)
{
    host_disas(code, size, mips_disas_one, mips_prologue_code,
               mips_epilogue_code);
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
    .find_site = host_find_site,
    .patch_site = mips_patch_site,
    .insn_is_store = mips_insn_is_store,
};
