/*
 * hamt86 - the host-neutral half of a native HostBackend (host-common/),
 * shared by host-mips/ and host-loongarch/.
 *
 * A native backend is split like LuaJIT's lj_target_* / lj_emit_* /
 * lj_asm_*:
 *
 *   *-target.h       registers, frame layout, the register-class block that
 *                    host-common/lower-common.h reads (HOST_*)
 *   *-emit.h         composite emitters over the generated encoders
 *   *-lower.c        instruction selection, calling convention, branches
 *                    (delay slots), memory-access sequences
 *   *-backend.c      prologue/epilogue, cache clipping, goto_tb patching
 *   *-hamt.c         window sites: hot-site patching, store decoding
 *
 * and this folder holds what is the same for every host:
 *
 *   lower-common.c   liveness, the temp -> register/slot allocator, label
 *                    relocations, slow-path queue, HAMT site table,
 *                    insn_start and goto_tb records (host-common/lower-common.h)
 *   backend-common.c TB layout in the code cache (code, then the insn_start
 *                    records), entering generated code, goto_tb patch
 *                    bookkeeping, -d out_asm framing
 *   hamt-site.c      window fault site -> slow-path stub lookup
 */
#ifndef HAMT86_HOST_COMMON_H
#define HAMT86_HOST_COMMON_H

#include "core/base.h"
#include "core/exec.h"
#include "core/hostasm.h"
#include "ir/ir.h"

/* Per-TB side results of lowering, used by gen_code and disas. */
typedef struct HostTbInfo {
    uint32_t ninsns;                       /* insn_start ops seen */
    uint32_t insn_off[IR_MAX_OPS];         /* host offset per insn_start */
    uint32_t insn_eip[IR_MAX_OPS];
    uint32_t jmp_insn_off[2];
    uint32_t jmp_reset_off[2];
    uint32_t slow_off;                     /* start of out-of-line slow paths */
    uint32_t table_off;                    /* HAMT site table (data), or size */
} HostTbInfo;

/*
 * Lower f into s (s->start = the TB's host code).  tb is only used for its
 * address (exit values).  Returns false on overflow of s or of a backend
 * limit (the caller flushes the cache and retries).
 */
typedef bool HostLowerFn(HostAsm *s, const TranslationBlock *tb,
                         const IRFunc *f, HostTbInfo *info);

/* Disassemble one host instruction word at pc into buf. */
typedef int HostDisasFn(uint32_t insn, uint64_t pc, char *buf, size_t size);

/* --- hamt-site.c ----------------------------------------------------------- */

/* HostBackend.find_site of the native backends: the slow-path stub of the
 * window access at host pc, from the site table of tb (which holds pc). */
bool host_find_site(const TranslationBlock *tb, uintptr_t pc, uintptr_t *stub);

/* --- backend-common.c ---------------------------------------------------- */

/*
 * Emit the prologue/epilogue at [start, end) with emit_prologue and make
 * the cache start after them (a flush keeps them).  name: for messages.
 */
void host_cache_init(CodeCache *cc, uintptr_t start, uintptr_t end,
                     void (*emit_prologue)(HostAsm *s), const char *name);

/* Lower f for tb into the code cache with lower; records insn_start data. */
bool host_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc,
                   HostLowerFn *lower);

/* Run from tb through the prologue enter(env, tb_code) at prologue. */
uintptr_t host_enter(const uint8_t *prologue, CPUX86State *env,
                     TranslationBlock *tb);

/*
 * The patchable jump word of goto_tb slot n of tb and where it must now go
 * (dst's code, or the reset target for dst == NULL) in *target; NULL if
 * the slot does not exist.
 */
uint32_t *host_jmp_site(TranslationBlock *tb, int n, TranslationBlock *dst,
                        void **target);

/*
 * -d out_asm: host code split per guest instruction (for the last TB
 * generated), slow paths and the HAMT site table marked; the prologue and
 * epilogue are labelled when code is the prologue.
 */
void host_disas(const void *code, size_t size, HostDisasFn *disas_one,
                const uint8_t *prologue, const uint8_t *epilogue);

#endif
