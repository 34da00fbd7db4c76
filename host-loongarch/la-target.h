/*
 * hamt86 - LoongArch64 (LP64D ABI) target description for the host backend.
 *
 * Register assignment while translated code runs:
 *
 *   $r0  zero
 *   $r1  ra      clobbered by calls
 *   $r2  tp      never touched
 *   $r3  sp      frame (below)
 *   $r4-$r11  a0-a7   allocatable (a0 also: helper result, exit value;
 *                     a0..a4 also: helper arguments)
 *   $r12-$r16 t0-t4   allocatable
 *   $r17 t5      TMP2: scratch
 *   $r18 t6      TMP1: scratch; call address for far calls
 *   $r19 t7      TMP0: scratch inside one lowered op (conditions, addresses)
 *   $r20 t8      unused (kept free for a memory-path base that must be
 *                reloaded after calls)
 *   $r21         reserved by the ABI: never touched
 *   $r22 fp      RAMBASE: env->mem.ram_base, loaded by the prologue and
 *                kept across helper calls (callee-saved); the HAMT path
 *                keeps the window base here, the softmmu path reaches RAM
 *                through the TLB addend instead
 *   $r23-$r30 s0-s7   guest EAX..EDI, fixed for the whole TB (callee-saved,
 *                     so a signal handler finds them in the signal context)
 *   $r31 s8      env (CPUX86State *)
 *
 * Values of IR type I32 are always kept sign-extended to 64 bits (every
 * LoongArch .w operation produces that form).
 *
 * Stack frame, allocated once by the prologue and shared by every TB that
 * runs (chained TBs jump to each other without touching sp):
 *
 *   sp + FRAME_SIZE  +------------------------------+
 *                    | spill slots: 4 bytes per IR  |
 *                    | temp (ldptr.w/stptr.w reach) |
 *   sp + SPILL_OFF   +------------------------------+
 *                    | slow-path save area, 8 bytes |
 *                    | per host register number     |
 *   sp + SLOWSAVE_OFF+------------------------------+
 *                    | callee-saved: ra fp s0-s8    |
 *   sp + 0           +------------------------------+
 */
#ifndef HAMT86_LA_TARGET_H
#define HAMT86_LA_TARGET_H

#include "core/base.h"
#include "core/exec.h"
#include "core/hostasm.h"
#include "ir/ir.h"
#include "host-common/host-common.h"

enum {
    LA_ZERO = 0, LA_RA = 1, LA_TP = 2, LA_SP = 3,
    LA_A0 = 4, LA_A1 = 5, LA_A2 = 6, LA_A3 = 7,
    LA_A4 = 8, LA_A5 = 9, LA_A6 = 10, LA_A7 = 11,
    LA_T0 = 12, LA_T1 = 13, LA_T2 = 14, LA_T3 = 15,
    LA_T4 = 16, LA_T5 = 17, LA_T6 = 18, LA_T7 = 19,
    LA_T8 = 20, LA_R21 = 21, LA_FP = 22,
    LA_S0 = 23, LA_S1 = 24, LA_S2 = 25, LA_S3 = 26,
    LA_S4 = 27, LA_S5 = 28, LA_S6 = 29, LA_S7 = 30, LA_S8 = 31,
};

/* Fixed roles. */
#define LA_R_ENV      LA_S8
#define LA_R_GUEST0   LA_S0          /* guest reg i lives in LA_S0 + i */
#define LA_R_TMP0     LA_T7
#define LA_R_TMP1     LA_T6
#define LA_R_TMP2     LA_T5
#define LA_R_RAMBASE  LA_FP
#define LA_R_CALL     LA_T6
#define LA_R_RET      LA_A0

/* Allocatable pool (all caller-saved): a0-a7, t0-t4. */
#define LA_POOL_MASK  (0x1fff0u)     /* regs 4..16 */
#define LA_POOL_FIRST 4
#define LA_POOL_LAST  16

/* Helper arguments: a0 = env, a1.. = IR args. */
#define LA_R_ARG(i)   (LA_A0 + (i))

/* Frame layout (bytes from sp). */
#define LA_CSAVE_OFF    0             /* ra, fp, s0..s8: 11 x 8 */
#define LA_NB_CSAVE     11
#define LA_SLOWSAVE_OFF 96            /* 32 x 8, indexed by reg number */
#define LA_SPILL_OFF    (LA_SLOWSAVE_OFF + 32 * 8)
#define LA_FRAME_SIZE   ALIGN_UP(LA_SPILL_OFF + IR_MAX_TEMPS * 4, 16)

/* Reach of b/bl (offs26 x 4 bytes): +-128 MiB. */
#define LA_B_REACH    ((int64_t)1 << 27)

/* Where the shared prologue/epilogue live (set by la-backend.c init). */
extern uint8_t *la_prologue_code;   /* uintptr_t enter(env, tb_code) */
extern uint8_t *la_epilogue_code;   /* exit: a0 already set */
/* Bytes of prologue + epilogue code starting at la_prologue_code. */
size_t la_prologue_size(void);

/* Lower f into s (host-common/host-common.h: HostLowerFn). */
bool la_lower_tb(HostAsm *s, const TranslationBlock *tb, const IRFunc *f,
                 HostTbInfo *info);

/* Register classes for host-common (host-common/host-target.h). */
#define HOST_NAME          "loongarch"
#define HOST_REG_ZERO      LA_ZERO
#define HOST_REG_GUEST0    LA_R_GUEST0
#define HOST_REG_TMP0      LA_R_TMP0
#define HOST_REG_TMP2      LA_R_TMP2
#define HOST_REG_SP        LA_SP
#define HOST_REG_ENV       LA_R_ENV
#define HOST_REG_RAMBASE   LA_R_RAMBASE
#define HOST_REG_RET       LA_R_RET
#define HOST_REG_ARG(i)    LA_R_ARG(i)
#define HOST_POOL_MASK     LA_POOL_MASK
#define HOST_POOL_FIRST    LA_POOL_FIRST
#define HOST_POOL_LAST     LA_POOL_LAST
#define HOST_SPILL_OFF     LA_SPILL_OFF
#define HOST_SLOWSAVE_OFF  LA_SLOWSAVE_OFF
/* Lower: slow-path branches with 21-bit reach; a bne fell short. */
#define HOST_LOWER_FIELDS  bool long_branches; bool branch_range;

/* Window sites (la-hamt.c; HostBackend hooks, core/exec.h). */
void la_patch_site(uintptr_t pc, uintptr_t stub);
bool la_insn_is_store(uintptr_t pc);

#endif
