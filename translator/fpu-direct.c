/*
 * hamt86 - x87 direct helpers: one small entry per instruction class, for
 * the code translator/fpu.c generates when TOP is known at translation
 * time.
 *
 * The generated code has already checked everything helper_x87 checks
 * first (x87_guard: CR0.EM/TS, FSW.ES, TOP, the tags the form needs) and
 * recorded FPU IP/CS/opcode (and DP/DS for memory forms), and it does the
 * guest memory access itself (inline, through HAMT or the softmmu TLB).
 * So these helpers never raise and never re-decode the escape/ModRM: they
 * get the operation and the ST(i) numbers as one constant, the loaded
 * operand as values, and do the soft-float step with its status, tags and
 * TOP.  Stores are split so that a #PF leaves the FPU unchanged:
 * helper_fp_st only computes (value in fpu.scratch, the new FSW as its
 * result), the generated code writes memory, then commits FSW and the pop.
 */
#include "core/cpu.h"
#include "translator/cc.h"
#include "translator/fpu-internal.h"

/*
 * FADD .. FDIVR register forms, both operands valid:
 *
 *   11   8 7   4 3   0
 *  +------+-----+-----+
 *  | form |  i  | op  |   op = ModRM /digit (0 add 1 mul 4 sub 5 subr
 *  +------+-----+-----+   6 div 7 divr); form 0: D8 ST(0) = ST(0) op ST(i),
 *                          1: DC ST(i) = ST(i) op' ST(0), 2: DE (and pop)
 */
void helper_fp_arith(CPUX86State *env, uint32_t code)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    unsigned op = code & 7, i = (code >> 4) & 7, form = code >> 8;

    if (form == 0) {
        fpu_do_arith(env, op, 0, fpu_get(env, i), &st, false);
    } else {
        /* DC / DE encode SUB/SUBR and DIV/DIVR the other way round */
        fpu_do_arith(env, op >= 4 ? op ^ 1 : op, i, fpu_get(env, 0), &st,
                     form == 2);
    }
}

/* FCOM / FCOMP / FCOMPP / FUCOM* of ST(0) with ST(i), both valid:
 * code = i | quiet << 4 | npop << 5. */
void helper_fp_com(CPUX86State *env, uint32_t code)
{
    X80Status st = x80_status_init(env->fpu.fcw);

    fpu_do_compare(env, fpu_get(env, code & 7), false, (code >> 4) & 1, &st,
                   code >> 5);
}

/* FCOMI / FUCOMI (+P): code = i | quiet << 4 | pop << 5; EFLAGS as
 * cc_op = EFLAGS. */
void helper_fp_comi(CPUX86State *env, uint32_t code)
{
    fpu_do_comi(env, code & 7, (code >> 4) & 1, code >> 5);
}

/* D9 E0..FF (FTST, FXAM, constants, FSQRT, FRNDINT, transcendentals...):
 * the group handles its own stack faults. */
void helper_fp_d9(CPUX86State *env, uint32_t modrm)
{
    fpu_d9_group(env, modrm);
}

/* FLD m32/m64/m80, FILD m16/m32/m64 of the loaded image lo, hi, se
 * (kind: FP_LD_*), ST(7) empty. */
void helper_fp_ld(CPUX86State *env, uint32_t kind, uint32_t lo, uint32_t hi,
                  uint32_t se)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    uint64_t q = (uint64_t)hi << 32 | lo;
    floatx80 v;

    switch (kind) {
    case FP_LD_F32:
        v = x80_from_f32(lo, &st);
        break;
    case FP_LD_F64:
        v = x80_from_f64(q, &st);
        break;
    case FP_LD_F80:
        v.mant = q;
        v.se = (uint16_t)se;
        st.cc_mask = X80_C1;
        break;
    default:
        v = x80_from_int64(kind == FP_LD_I16 ? (int16_t)lo :
                           kind == FP_LD_I32 ? (int32_t)lo : (int64_t)q);
        st.cc_mask = X80_C1;
        break;
    }
    fpu_push_loaded(env, v, &st);
}

/* D8 / DA / DC / DE memory arithmetic and compares, ST(0) valid:
 * code = esc | reg << 4, the raw operand lo, hi. */
void helper_fp_marith(CPUX86State *env, uint32_t code, uint32_t lo,
                      uint32_t hi)
{
    fpu_mem_arith(env, code & 7, code >> 4, (uint64_t)hi << 32 | lo);
}

/* FST / FSTP m32 m64, FIST / FISTP m16 m32, FISTP m64 of ST(0) (valid),
 * kind = MF_*: the value into fpu.scratch and the FSW to commit after the
 * store, or FP_ST_SLOW when an unmasked exception suppresses the write
 * (the generated code then runs helper_x87_st, which does it all). */
uint32_t helper_fp_st(CPUX86State *env, uint32_t kind)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    uint64_t q = fpu_convert_st0(env, kind, &st);

    if (x80_suppress_write(&st, true)) {
        return FP_ST_SLOW;
    }
    env->fpu.scratch[0] = (uint32_t)q;
    env->fpu.scratch[1] = (uint32_t)(q >> 32);
    return fpu_fsw_after(env, &st);
}
