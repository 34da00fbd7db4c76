/*
 * hamt86 - MIPS64r2 (n64 ABI) target description for the host backend.
 *
 * Register assignment while translated code runs:
 *
 *   $0        zero
 *   $1  at    TMP0: scratch inside one lowered op (conditions, addresses)
 *   $2-$3     v0-v1   allocatable (v0 also: helper result, exit value)
 *   $4-$11    a0-a7   allocatable (a0..a4 also: helper arguments)
 *   $12-$13   t0-t1   allocatable
 *   $14 t2    unused
 *   $15 t3    RAMBASE: HAMT window base of an MMU index other than the
 *                      TB's (loaded before such an access; caller-saved, so
 *                      reloaded after calls and at labels)
 *   $16-$23   s0-s7   guest EAX..EDI, fixed for the whole TB (callee-saved,
 *                      so a signal handler finds them in the signal context)
 *   $24 t8    TMP2: scratch
 *   $25 t9    TMP1: scratch; always the call address (PIC helpers need it)
 *   $26-$27   k0/k1   never touched (kernel)
 *   $28 gp    WINDOW: under HAMT, env->hamt_window[idx] of the TB's MMU
 *                      index (mips_tb_window), loaded by the first
 *                      instruction of every TB and kept across helper calls
 *                      (callee-saved in n64; every C function of the static
 *                      -mabicalls image computes its own gp from t9 and
 *                      restores it, __builtin_longjmp restores it too).
 *                      Chained jumps between TBs of the same index skip
 *                      that load (MIPS_TB_WIN_ENTRY).  Saved/restored by
 *                      the prologue/epilogue.
 *   $29 sp    frame (below)
 *   $30 s8    env (CPUX86State *)
 *   $31 ra    clobbered by calls
 *
 * Values of IR type I32 are always kept sign-extended to 64 bits.
 *
 * Stack frame, allocated once by the prologue and shared by every TB that
 * runs (chained TBs jump to each other without touching sp):
 *
 *   sp + FRAME_SIZE  +------------------------------+
 *                    | spill slots: 4 bytes per IR  |
 *                    | temp number (lw re-extends)  |
 *   sp + SPILL_OFF   +------------------------------+
 *                    | slow-path save area, 8 bytes |
 *                    | per host register number     |
 *   sp + SLOWSAVE_OFF+------------------------------+
 *                    | callee-saved: ra s0-s8 gp    |
 *   sp + 0           +------------------------------+
 */
#ifndef HAMT86_MIPS_TARGET_H
#define HAMT86_MIPS_TARGET_H

#include "core/base.h"
#include "core/exec.h"
#include "core/hostasm.h"
#include "ir/ir.h"
#include "host-common/host-common.h"

enum {
    MIPS_ZERO = 0, MIPS_AT = 1, MIPS_V0 = 2, MIPS_V1 = 3,
    MIPS_A0 = 4, MIPS_A1 = 5, MIPS_A2 = 6, MIPS_A3 = 7,
    MIPS_A4 = 8, MIPS_A5 = 9, MIPS_A6 = 10, MIPS_A7 = 11,
    MIPS_T0 = 12, MIPS_T1 = 13, MIPS_T2 = 14, MIPS_T3 = 15,
    MIPS_S0 = 16, MIPS_S1 = 17, MIPS_S2 = 18, MIPS_S3 = 19,
    MIPS_S4 = 20, MIPS_S5 = 21, MIPS_S6 = 22, MIPS_S7 = 23,
    MIPS_T8 = 24, MIPS_T9 = 25, MIPS_K0 = 26, MIPS_K1 = 27,
    MIPS_GP = 28, MIPS_SP = 29, MIPS_S8 = 30, MIPS_RA = 31,
};

/* Fixed roles. */
#define MIPS_R_ENV      MIPS_S8
#define MIPS_R_GUEST0   MIPS_S0          /* guest reg i lives in MIPS_S0 + i */
#define MIPS_R_TMP0     MIPS_AT
#define MIPS_R_TMP1     MIPS_T9
#define MIPS_R_TMP2     MIPS_T8
#define MIPS_R_RAMBASE  MIPS_T3
#define MIPS_R_WINDOW   MIPS_GP
#define MIPS_R_CALL     MIPS_T9

/* Allocatable pool (all caller-saved): v0-v1, a0-a7, t0-t1. */
#define MIPS_POOL_MASK  (0x3ffcu)        /* regs 2..13 */
#define MIPS_NB_POOL    12

/* Helper arguments: a0 = env, a1.. = IR args. */
#define MIPS_R_ARG(i)   (MIPS_A0 + (i))

/* Frame layout (bytes from sp). */
#define MIPS_CSAVE_OFF    0              /* ra, s0..s8, gp: 11 x 8 */
#define MIPS_NB_CSAVE     11
#define MIPS_SLOWSAVE_OFF 96             /* 32 x 8, indexed by reg number */
#define MIPS_SPILL_OFF    (MIPS_SLOWSAVE_OFF + 32 * 8)
#define MIPS_FRAME_SIZE   ALIGN_UP(MIPS_SPILL_OFF + IR_MAX_TEMPS * 4, 16)

/* All code must lie in one 256 MiB aligned region (reach of j). */
#define MIPS_JREGION_BITS 28

/*
 * Under HAMT every TB starts with `ld gp, hamt_window[idx](s8)` (idx:
 * mips_tb_window), one instruction: entries from the prologue, from
 * lookup_and_goto_ptr and chained jumps from a TB of another index run it;
 * a chained jump from a TB of the same index enters MIPS_TB_WIN_ENTRY bytes
 * further.
 */
#define MIPS_TB_WIN_ENTRY 4
/* MMU index whose window base tb keeps in MIPS_R_WINDOW, or -1 (no HAMT:
 * the TB has no window load). */
int mips_tb_window(const TranslationBlock *tb);

/* Where the shared prologue/epilogue live (set by mips-backend.c init). */
extern uint8_t *mips_prologue_code;   /* uintptr_t enter(env, tb_code) */
extern uint8_t *mips_epilogue_code;   /* exit: v0 already set */
/* Bytes of prologue + epilogue code starting at mips_prologue_code. */
size_t mips_prologue_size(void);

/* Lower f into s (host-common/host-common.h: HostLowerFn). */
bool mips_lower_tb(HostAsm *s, const TranslationBlock *tb, const IRFunc *f,
                   HostTbInfo *info);

/* Register classes for host-common (host-common/host-target.h). */
#define HOST_NAME          "mips"
#define HOST_REG_ZERO      MIPS_ZERO
#define HOST_REG_GUEST0    MIPS_R_GUEST0
#define HOST_REG_TMP0      MIPS_R_TMP0
#define HOST_REG_TMP2      MIPS_R_TMP2
#define HOST_REG_SP        MIPS_SP
#define HOST_REG_ENV       MIPS_R_ENV
#define HOST_REG_RAMBASE   MIPS_R_RAMBASE
#define HOST_REG_RET       MIPS_V0
#define HOST_REG_ARG(i)    MIPS_R_ARG(i)
#define HOST_POOL_MASK     MIPS_POOL_MASK
#define HOST_POOL_FIRST    MIPS_V0
#define HOST_POOL_LAST     MIPS_T1
#define HOST_SPILL_OFF     MIPS_SPILL_OFF
#define HOST_SLOWSAVE_OFF  MIPS_SLOWSAVE_OFF
/* Lower: an env store held back for the delay slot of the next branch;
 * the MMU index whose window base is in MIPS_R_WINDOW (-1: none). */
#define HOST_LOWER_FIELDS  bool defer; uint8_t defer_reg, defer_memop; \
                           int32_t defer_off; int tb_win;

/* Window sites (mips-hamt.c; HostBackend hooks, core/exec.h). */
void mips_patch_site(uintptr_t pc, uintptr_t stub);
bool mips_insn_is_store(uintptr_t pc);

#endif
