/*
 * hamt86 - x87 / MMX helpers: register stack, status word and the
 * exception policy shared by fpu-helper.c, fpu-env.c and mmx-helper.c.
 *
 * Arithmetic is done by the soft-float library (fpu/softfloat-x80.h); this
 * layer is the x87 around it: TOP, tags, stack faults, the masked and
 * unmasked responses, ES/B, FERR# / #MF, FPU IP/DP/opcode.
 *
 * The control argument of the generated calls (helper_x87 and friends):
 *
 *   31      16 15  12 11  10   8 7        0
 *  +----------+------+--+------+----------+
 *  |    0     | seg  |o32| esc  |  ModRM   |
 *  +----------+------+--+------+----------+
 *   esc = escape byte - 0xD8; o32 = 32-bit operand size (FSTENV/FSAVE
 *   layouts); seg = the memory operand's segment register (FDS).
 */
#ifndef HAMT86_FPU_INTERNAL_H
#define HAMT86_FPU_INTERNAL_H

#include "core/cpu.h"
#include "fpu/softfloat-x80.h"

#define FPU_CTL_ESC_SHIFT 8
#define FPU_CTL_O32       0x0800u
#define FPU_CTL_SEG_SHIFT 12

/* FSW bits beyond the exception flags and condition codes. */
#define FSW_SF   0x0040u
#define FSW_ES   0x0080u
#define FSW_TOP  0x3800u
#define FSW_B    0x8000u
#define FCW_RESERVED_ONES 0x0040u   /* bit 6 reads as 1 on a P6 */

/* Physical register number of ST(i). */
static inline unsigned fpu_phys(const CPUX86State *env, unsigned i)
{
    return (env->fpu.top + i) & 7;
}

/* Is ST(i) empty? */
static inline bool fpu_empty(const CPUX86State *env, unsigned i)
{
    return !((env->fpu.tag_valid >> fpu_phys(env, i)) & 1);
}

/* Value of ST(i) (whatever its tag). */
static inline floatx80 fpu_get(const CPUX86State *env, unsigned i)
{
    const FPUReg *r = &env->fpu.st[fpu_phys(env, i)];
    floatx80 v = { r->mant, r->sexp };

    return v;
}

/* ST(i) = v, tagged valid. */
static inline void fpu_set(CPUX86State *env, unsigned i, floatx80 v)
{
    unsigned p = fpu_phys(env, i);

    env->fpu.st[p].mant = v.mant;
    env->fpu.st[p].sexp = v.se;
    env->fpu.tag_valid |= 1u << p;
}

/* Push: TOP - 1, ST(0) = v. */
static inline void fpu_push(CPUX86State *env, floatx80 v)
{
    env->fpu.top = (env->fpu.top - 1) & 7;
    fpu_set(env, 0, v);
}

/* Pop: ST(0) tagged empty, TOP + 1. */
static inline void fpu_pop(CPUX86State *env)
{
    env->fpu.tag_valid &= ~(1u << env->fpu.top);
    env->fpu.top = (env->fpu.top + 1) & 7;
}

/* The architectural status word (TOP folded in). */
static inline uint16_t fpu_get_fsw(const CPUX86State *env)
{
    return (uint16_t)((env->fpu.fsw & ~FSW_TOP) | ((env->fpu.top & 7) << 11));
}

/* ES and B follow the unmasked pending exceptions (P6: B == ES). */
static inline void fpu_update_es(CPUX86State *env)
{
    if (env->fpu.fsw & ~env->fpu.fcw & X80_EXC_MASK) {
        env->fpu.fsw |= FSW_ES | FSW_B;
    } else {
        env->fpu.fsw &= ~(FSW_ES | FSW_B);
    }
}

/* The FSW after folding in a soft-float status (fpu_apply), not stored. */
static inline uint16_t fpu_fsw_after(const CPUX86State *env,
                                     const X80Status *st)
{
    uint16_t fsw = (uint16_t)((env->fpu.fsw & ~st->cc_mask) | st->cc |
                              st->exc);

    if (fsw & ~env->fpu.fcw & X80_EXC_MASK) {
        return fsw | FSW_ES | FSW_B;
    }
    return fsw & ~(FSW_ES | FSW_B);
}

/* Fold a soft-float status into FSW: condition codes, then flags. */
static inline void fpu_apply(CPUX86State *env, const X80Status *st)
{
    env->fpu.fsw = fpu_fsw_after(env, st);
}

/* Memory formats of FST/FSTP/FIST/FISTP/FBSTP/FSTP m80. */
enum { MF_F32, MF_F64, MF_F80, MF_I16, MF_I32, MF_I64, MF_BCD };

/* helper_fp_ld kinds (fpu-direct.c). */
enum { FP_LD_F32, FP_LD_F64, FP_LD_F80, FP_LD_I16, FP_LD_I32, FP_LD_I64 };
/* helper_fp_add .. helper_fp_div: pop ST(0) after (fpu-direct.c). */
#define FP_ARITH_POP 0x1000u
/* helper_fp_st's result when the general path must run instead. */
#define FP_ST_SLOW 0xffffffffu

/* Pieces of fpu-helper.c the direct helpers (fpu-direct.c) share: the
 * register-form operations, TOP-relative, and the memory-operand steps
 * with the guest access done by the caller. */
void fpu_do_arith(CPUX86State *env, unsigned op, unsigned di,
                  floatx80 src, X80Status *st, bool pop);
void fpu_do_compare(CPUX86State *env, floatx80 src, bool src_empty,
                    bool quiet, X80Status *st, unsigned npop);
void fpu_do_comi(CPUX86State *env, unsigned i, bool quiet, bool pop);
void fpu_d9_group(CPUX86State *env, unsigned m);
void fpu_push_loaded(CPUX86State *env, floatx80 v, X80Status *st);
void fpu_mem_arith(CPUX86State *env, unsigned esc, unsigned reg, uint64_t q);
uint64_t fpu_convert_st0(CPUX86State *env, unsigned kind, X80Status *st);

/* Full 2-bit tag word (FSTENV / FSAVE) from the registers. */
uint16_t fpu_full_tags(const CPUX86State *env);
/* Abridged tags from a full tag word (FLDENV / FRSTOR). */
uint8_t fpu_abridge_tags(uint16_t ftw);
/* FNINIT state. */
void fpu_reset(CPUX86State *env);
/* A waiting instruction: #NM / pending-exception checks (fpu-env.c). */
void fpu_check_wait(CPUX86State *env, uintptr_t ra);
/* CR0.EM / TS check of an x87 instruction (#NM). */
void fpu_check_nm(CPUX86State *env, uintptr_t ra);
/* FNCLEX / FNINIT side: FERR# deasserted, IGNNE# released. */
void fpu_clear_ferr(CPUX86State *env);

/* FLDENV/FSTENV/FRSTOR/FNSAVE/FXSAVE/FXRSTOR (fpu-env.c). */
void fpu_stenv(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra);
void fpu_ldenv(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra);
void fpu_save(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra);
void fpu_restore(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra);

/* 80-bit memory image <-> value. */
floatx80 fpu_ld80(CPUX86State *env, uint32_t addr, uintptr_t ra);
void fpu_st80(CPUX86State *env, uint32_t addr, floatx80 v, uintptr_t ra);

#endif
