/*
 * hamt86 - the LoongArch64 HostBackend: the shared prologue/epilogue,
 * code cache clipping and goto_tb patching.  TB layout, execution and
 * -d out_asm framing are host-common (host-common/backend-common.c, which
 * describes the cache layout; the epilogue returns a0).
 *
 * The cache is clipped to 128 MiB so that `b` (+-128 MiB) reaches every
 * TB and the epilogue from anywhere in it; goto_tb chaining patches one `b`
 * word, followed by `ibar 0`.
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
#include "host-common/host-common.h"

uint8_t *la_prologue_code;
uint8_t *la_epilogue_code;
static uint8_t *la_prologue_end;

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

    if (end - start > (uintptr_t)LA_B_REACH) {
        end = start + (uintptr_t)LA_B_REACH;
    }
    host_cache_init(cc, start, end, emit_prologue, "loongarch");
}

/* Lower f for tb into the code cache. */
static bool la_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc)
{
    return host_gen_code(tb, f, cc, la_lower_tb);
}

/* Run from tb until the generated code returns to the loop. */
static uintptr_t la_exec(CPUX86State *env, TranslationBlock *tb)
{
    return host_enter(la_prologue_code, env, tb);
}

/* Point goto_tb slot n of tb at dst (NULL: back to the reset target). */
static void la_set_jmp_target(TranslationBlock *tb, int n, TranslationBlock *dst)
{
    void *target;
    uint32_t *insn = host_jmp_site(tb, n, dst, &target);

    if (insn == NULL) {
        return;
    }
    if (!la_b_reaches(insn, target)) {
        os_fatal(1, "loongarch backend: chain target %p out of b range",
                 target);
    }
    /* one aligned word store: a racing fetch sees the old or the new b */
    la_patch_b(insn, la_b_offs(insn, target));
    os_flush_icache(insn, insn + 1);
}

/* -d out_asm: host code, split per guest instruction when known. */
static void la_disas(const void *code, size_t size)
{
    host_disas(code, size, la_disas_one, la_prologue_code, la_epilogue_code);
}

/* Size of the prologue + epilogue (for -d out_asm at init). */
size_t la_prologue_size(void)
{
    return (size_t)(la_prologue_end - la_prologue_code);
}

const HostBackend backend_loongarch = {
    .name = "loongarch",
    .counts_tlb_hits = true,     /* with mem_count_tlb_hits (la-lower.c) */
    .init = la_init,
    .gen_code = la_gen_code,
    .exec = la_exec,
    .set_jmp_target = la_set_jmp_target,
    .disas = la_disas,
    .find_site = host_find_site,
    .patch_site = la_patch_site,
    .insn_is_store = la_insn_is_store,
};
