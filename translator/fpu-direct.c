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
 * FADD .. FDIVR register forms, both operands valid (the guard checked
 * their tags and TOP), one helper per soft-float operation so the call is
 * direct; code = the physical registers, resolved at translation time:
 *
 *   12  11    9 8     6 5     3 2     0
 *  +---+-------+-------+-------+-------+
 *  |pop|  p0   |   d   |   b   |   a   |   dest d = a op b; pop: tag p0
 *  +---+-------+-------+-------+-------+   empty, TOP = p0 + 1
 */
static inline floatx80 fp_reg(const CPUX86State *env, unsigned p)
{
    floatx80 v = { env->fpu.st[p].mant, env->fpu.st[p].sexp };

    return v;
}

/* FSW from the status; unless an unmasked IE/DE/ZE suppresses it, the
 * result into d (already tagged valid) and the pop. */
static inline void fp_arith_commit(CPUX86State *env, uint32_t code,
                                   floatx80 r, const X80Status *st)
{
    unsigned d = (code >> 6) & 7, p0 = (code >> 9) & 7;

    env->fpu.fsw = fpu_fsw_after(env, st);
    if (unlikely(x80_suppress_write(st, false))) {
        return;
    }
    env->fpu.st[d].mant = r.mant;
    env->fpu.st[d].sexp = r.se;
    if (code & FP_ARITH_POP) {
        env->fpu.tag_valid &= ~(1u << p0);
        env->fpu.top = (p0 + 1) & 7;
    }
}

/* The four entries: a op b with a, b, d, pop from code (above). */
#define FP_ARITH_HELPER(name, fn)                                           \
void helper_fp_##name(CPUX86State *env, uint32_t code)                      \
{                                                                           \
    X80Status st = x80_status_init(env->fpu.fcw);                           \
    floatx80 r = fn(fp_reg(env, code & 7), fp_reg(env, (code >> 3) & 7),    \
                    &st);                                                   \
                                                                            \
    fp_arith_commit(env, code, r, &st);                                     \
}
FP_ARITH_HELPER(add, x80_add)
FP_ARITH_HELPER(mul, x80_mul)
FP_ARITH_HELPER(sub, x80_sub)
FP_ARITH_HELPER(div, x80_div)

/* FCOM / FCOMP / FCOMPP / FUCOM* of ST(0) with ST(i), both valid:
 * code = i | quiet << 4 | npop << 5. */
void helper_fp_com(CPUX86State *env, uint32_t code)
{
    X80Status st = x80_status_init(env->fpu.fcw);

    fpu_do_compare(env, fpu_get(env, code & 7), false, (code >> 4) & 1, &st,
                   code >> 5);
}

/* FCOMI / FUCOMI (+P) of ST(0) = p0 with ST(i) = pi, both valid:
 * code = pi | quiet << 4 | pop << 5 | p0 << 8.  ZF PF CF from the
 * compare, OF SF AF cleared (every arithmetic flag written: cc_op =
 * EFLAGS needs no flags computed); C1 = 0; the pop unless suppressed. */
void helper_fp_comi(CPUX86State *env, uint32_t code)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    unsigned p0 = (code >> 8) & 7;
    X80Relation rel = x80_compare(fp_reg(env, p0), fp_reg(env, code & 7),
                                  (code >> 4) & 1, &st);
    uint32_t fl;

    st.cc_mask = X80_C1;      /* FCOMI defines C1 only */
    st.cc = 0;
    env->fpu.fsw = fpu_fsw_after(env, &st);
    switch (rel) {
    case X80_REL_LESS: fl = CC_C; break;
    case X80_REL_EQUAL: fl = CC_Z; break;
    case X80_REL_GREATER: fl = 0; break;
    default: fl = CC_Z | CC_P | CC_C; break;
    }
    if ((code & (1u << 5)) && !x80_suppress_write(&st, false)) {
        env->fpu.tag_valid &= ~(1u << p0);
        env->fpu.top = (p0 + 1) & 7;
    }
    env->cc_src = fl;
    env->cc_op = CC_OP_EFLAGS;
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
