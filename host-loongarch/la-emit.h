/*
 * hamt86 - composite LoongArch64 emit helpers, built only on the generated
 * emitters of la-insn.h (no instruction bits are assembled here).
 */
#ifndef HAMT86_LA_EMIT_H
#define HAMT86_LA_EMIT_H

#include "core/base.h"
#include "core/hostasm.h"
#include "la-insn.h"
#include "host-loongarch/la-target.h"

/* True if v fits a signed 12-bit immediate. */
static inline bool la_fits_s12(int64_t v)
{
    return v >= -2048 && v <= 2047;
}

/* True if v fits an unsigned 12-bit immediate. */
static inline bool la_fits_u12(int64_t v)
{
    return v >= 0 && v <= 0xfff;
}

/* Sign-extend the low `bits` bits of v. */
static inline int32_t la_sext(uint64_t v, unsigned bits)
{
    uint64_t m = (uint64_t)1 << (bits - 1);

    v &= ((uint64_t)1 << bits) - 1;
    return (int32_t)(int64_t)((v ^ m) - m);
}

/* rd = (int64_t)(int32_t)v: one or two instructions. */
static inline void la_emit_li32(HostAsm *s, unsigned rd, uint32_t v)
{
    int32_t sv = (int32_t)v;

    if (la_fits_s12(sv)) {
        la_addi_w(s, rd, LA_ZERO, sv);
    } else if (la_fits_u12(sv)) {
        la_ori(s, rd, LA_ZERO, v);
    } else {
        /* lu12i.w sets bits 31..12 and sign-extends bit 31 */
        la_lu12i_w(s, rd, la_sext(v >> 12, 20));
        if (v & 0xfff) {
            la_ori(s, rd, rd, v & 0xfff);
        }
    }
}

/* rd = v (full 64 bits): at most four instructions. */
static inline void la_emit_li64(HostAsm *s, unsigned rd, uint64_t v)
{
    int64_t lo52;

    if ((int64_t)v == (int64_t)(int32_t)v) {
        la_emit_li32(s, rd, (uint32_t)v);
        return;
    }
    /*
     *  63     52 51        32 31         12 11      0
     * +---------+------------+-------------+---------+
     * | lu52i.d |  lu32i.d   |   lu12i.w   |   ori   |
     * +---------+------------+-------------+---------+
     */
    if (((v >> 12) & 0xfffff) != 0) {
        la_lu12i_w(s, rd, la_sext(v >> 12, 20));
        if (v & 0xfff) {
            la_ori(s, rd, rd, v & 0xfff);
        }
    } else {
        la_ori(s, rd, LA_ZERO, v & 0xfff);
    }
    la_lu32i_d(s, rd, la_sext(v >> 32, 20));
    /* lu32i.d sign-extends bit 51: fix bits 63..52 only if that differs */
    lo52 = (int64_t)(v << 12) >> 12;
    if ((uint64_t)lo52 != v) {
        la_lu52i_d(s, rd, rd, la_sext(v >> 52, 12));
    }
}

/* rd = rs (64-bit move), nothing if equal. */
static inline void la_emit_mov(HostAsm *s, unsigned rd, unsigned rs)
{
    if (rd != rs) {
        la_move(s, rd, rs);
    }
}

/* True if a b/bl at from reaches dst. */
static inline bool la_b_reaches(const void *from, const void *dst)
{
    int64_t d = (int64_t)((intptr_t)dst - (intptr_t)from);

    return d >= -LA_B_REACH && d < LA_B_REACH && (d & 3) == 0;
}

/* offs26 field of a b/bl at from to dst (the caller checked the reach). */
static inline int32_t la_b_offs(const void *from, const void *dst)
{
    return (int32_t)(((intptr_t)dst - (intptr_t)from) >> 2);
}

/*
 * Jump (link = LA_ZERO) or call (link = LA_RA) to the absolute host address
 * dst from the current position: b/bl when within +-128 MiB, else
 * pcaddu18i + jirl within +-128 GiB, else a full constant through
 * LA_R_CALL.
 */
static inline void la_emit_jump_abs(HostAsm *s, unsigned link, const void *dst)
{
    int64_t d = (int64_t)((intptr_t)dst - (intptr_t)s->ptr);

    if (la_b_reaches(s->ptr, dst)) {
        if (link == LA_RA) {
            la_bl(s, (int32_t)(d >> 2));
        } else {
            la_b(s, (int32_t)(d >> 2));
        }
    } else if (d >= -((int64_t)1 << 37) && d < ((int64_t)1 << 37) - (1 << 17)) {
        /* pcaddu18i adds hi << 18; jirl adds the signed low 18 bits */
        int32_t lo = la_sext((uint64_t)d, 18);
        int64_t hi = (d - lo) >> 18;
        la_pcaddu18i(s, LA_R_CALL, (int32_t)hi);
        la_jirl(s, link, LA_R_CALL, lo >> 2);
    } else {
        la_emit_li64(s, LA_R_CALL, (uint64_t)(uintptr_t)dst);
        la_jirl(s, link, LA_R_CALL, 0);
    }
}

/* Call the C function fn. */
static inline void la_emit_call(HostAsm *s, const void *fn)
{
    la_emit_jump_abs(s, LA_RA, fn);
}

/*
 * Load the fixed memory-path register from env (prologue only: RAMBASE is
 * callee-saved, so helper calls preserve it).
 */
static inline void la_emit_load_fixed(HostAsm *s)
{
    BUILD_ASSERT(offsetof(CPUX86State, mem.ram_base) < 2048);
    la_ld_d(s, LA_R_RAMBASE, LA_R_ENV,
            (int32_t)offsetof(CPUX86State, mem.ram_base));
}

/* Store the guest registers s0..s7 to env->regs[]. */
static inline void la_emit_store_globals(HostAsm *s)
{
    BUILD_ASSERT(offsetof(CPUX86State, regs) + 32 < 2048);
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        la_st_w(s, LA_R_GUEST0 + i, LA_R_ENV,
                (int32_t)(offsetof(CPUX86State, regs) + 4 * i));
    }
}

/* Load the guest registers s0..s7 from env->regs[] (ld.w sign-extends). */
static inline void la_emit_load_globals(HostAsm *s)
{
    for (int i = 0; i < IR_NB_GLOBALS; i++) {
        la_ld_w(s, LA_R_GUEST0 + i, LA_R_ENV,
                (int32_t)(offsetof(CPUX86State, regs) + 4 * i));
    }
}

#endif
