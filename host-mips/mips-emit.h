/*
 * hamt86 - composite MIPS64 emit helpers, built only on the generated
 * emitters of mips-insn.h (no instruction bits are assembled here).
 */
#ifndef HAMT86_MIPS_EMIT_H
#define HAMT86_MIPS_EMIT_H

#include "core/base.h"
#include "core/hostasm.h"
#include "mips-insn.h"
#include "host-mips/mips-target.h"

/* True if v fits a signed 16-bit immediate. */
static inline bool mips_fits_s16(int64_t v)
{
    return v >= -32768 && v <= 32767;
}

/* True if v fits an unsigned 16-bit immediate. */
static inline bool mips_fits_u16(int64_t v)
{
    return v >= 0 && v <= 0xffff;
}

/* rd = (int64_t)(int32_t)v: one or two instructions. */
static inline void mips_emit_li32(HostAsm *s, unsigned rd, uint32_t v)
{
    int32_t sv = (int32_t)v;

    if (mips_fits_s16(sv)) {
        mips_addiu(s, rd, MIPS_ZERO, sv);
    } else if (mips_fits_u16(sv)) {
        mips_ori(s, rd, MIPS_ZERO, v);
    } else {
        mips_lui(s, rd, v >> 16);
        if (v & 0xffff) {
            mips_ori(s, rd, rd, v & 0xffff);
        }
    }
}

/* rd = v (full 64 bits): at most six instructions. */
static inline void mips_emit_li64(HostAsm *s, unsigned rd, uint64_t v)
{
    if ((int64_t)v == (int64_t)(int32_t)v) {
        mips_emit_li32(s, rd, (uint32_t)v);
        return;
    }
    /*
     *  63        32 31      16 15       0
     * +------------+----------+----------+
     * |   li32     | ori, <<16| ori, <<16|
     * +------------+----------+----------+
     */
    mips_emit_li32(s, rd, (uint32_t)(v >> 32));
    mips_dsll(s, rd, rd, 16);
    if ((v >> 16) & 0xffff) {
        mips_ori(s, rd, rd, (v >> 16) & 0xffff);
    }
    mips_dsll(s, rd, rd, 16);
    if (v & 0xffff) {
        mips_ori(s, rd, rd, v & 0xffff);
    }
}

/* rd = rs (64-bit move), nothing if equal. */
static inline void mips_emit_mov(HostAsm *s, unsigned rd, unsigned rs)
{
    if (rd != rs) {
        mips_move(s, rd, rs);
    }
}

/* 26-bit target field of a `j` to host address dst. */
static inline uint32_t mips_jtarget(const void *dst)
{
    return (uint32_t)(((uintptr_t)dst >> 2) & 0x3ffffff);
}

/* True if a `j` at from can reach dst (same 256 MiB region). */
static inline bool mips_j_reaches(const void *from, const void *dst)
{
    return (((uintptr_t)from + 4) >> MIPS_JREGION_BITS) ==
           ((uintptr_t)dst >> MIPS_JREGION_BITS);
}

/* Call the C function fn through t9 (PIC convention), delay slot nop. */
static inline void mips_emit_call(HostAsm *s, const void *fn)
{
    mips_emit_li64(s, MIPS_R_CALL, (uint64_t)(uintptr_t)fn);
    mips_jalr(s, MIPS_RA, MIPS_R_CALL);
    mips_nop(s);
}

/* Call fn(env, ...) through t9: a0 = env is set in the jalr delay slot. */
static inline void mips_emit_call_env(HostAsm *s, const void *fn)
{
    mips_emit_li64(s, MIPS_R_CALL, (uint64_t)(uintptr_t)fn);
    mips_jalr(s, MIPS_RA, MIPS_R_CALL);
    mips_move(s, MIPS_A0, MIPS_R_ENV);
}

/* Store the guest registers s0..s7 to env->regs[]. */
static inline void mips_emit_store_globals(HostAsm *s)
{
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        mips_sw(s, MIPS_R_GUEST0 + i,
                (int32_t)(offsetof(CPUX86State, regs) + 4 * i), MIPS_R_ENV);
    }
}

/* Load the guest registers s0..s7 from env->regs[] (lw sign-extends). */
static inline void mips_emit_load_globals(HostAsm *s)
{
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        mips_lw(s, MIPS_R_GUEST0 + i,
                (int32_t)(offsetof(CPUX86State, regs) + 4 * i), MIPS_R_ENV);
    }
}

#endif
