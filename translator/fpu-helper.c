/*
 * hamt86 - x87 instruction helpers: one entry per escape byte form.
 *
 * Generated code calls helper_x87 (instructions that do not write guest
 * memory) or helper_x87_st (those that do, so --cosim knows) with the
 * control word of fpu-internal.h, the linear address of the memory operand,
 * the instruction's EIP and the operand's offset (FPU DP).  The helper
 * checks CR0.EM/TS, pending unmasked exceptions (waiting instructions),
 * records FPU IP/CS/opcode/DP/DS for non-control instructions and runs the
 * instruction on the register stack through the soft-float library.
 *
 * Stack faults (SDM vol. 1 8.5.1.1): reading an empty register is an
 * underflow (IE | SF, C1 = 0), pushing onto a non-empty one an overflow
 * (IE | SF, C1 = 1).  Masked, the destination gets the QNaN indefinite;
 * unmasked, nothing changes but the status word.
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "translator/cc.h"
#include "translator/fpu-internal.h"

/* ---- stack faults ---------------------------------------------------- */

/* Record a stack fault (overflow: C1 = 1); true when IE is masked. */
static bool fpu_stack_fault(CPUX86State *env, bool overflow)
{
    env->fpu.fsw = (uint16_t)((env->fpu.fsw & ~X80_C1) | X80_IE | FSW_SF |
                              (overflow ? X80_C1 : 0));
    fpu_update_es(env);
    return (env->fpu.fcw & X80_IE) != 0;
}

/* Push v, or handle a stack overflow when ST(7) is not empty. */
static void fpu_push_checked(CPUX86State *env, floatx80 v)
{
    if (!fpu_empty(env, 7)) {
        if (fpu_stack_fault(env, true)) {
            fpu_push(env, x80_indefinite());
        }
        return;
    }
    fpu_push(env, v);
}

/* ST(i) is empty: underflow; masked, ST(di) = indefinite (and pop). */
static void fpu_underflow(CPUX86State *env, unsigned di, bool pop)
{
    if (fpu_stack_fault(env, false)) {
        fpu_set(env, di, x80_indefinite());
        if (pop) {
            fpu_pop(env);
        }
    }
}

/* ---- 80-bit memory images ---------------------------------------------- */

/* Load a 10-byte extended-real image. */
floatx80 fpu_ld80(CPUX86State *env, uint32_t addr, uintptr_t ra)
{
    floatx80 v;

    v.mant = (uint64_t)cpu_ldl(env, addr, ra) |
             (uint64_t)cpu_ldl(env, addr + 4, ra) << 32;
    v.se = (uint16_t)cpu_lduw(env, addr + 8, ra);
    return v;
}

/* Store a 10-byte extended-real image (as one access: a page-crossing
 * one faults before either part is written). */
void fpu_st80(CPUX86State *env, uint32_t addr, floatx80 v, uintptr_t ra)
{
    cpu_probe_store(env, addr, 10, ra);
    cpu_stl(env, addr, (uint32_t)v.mant, ra);
    cpu_stl(env, addr + 4, (uint32_t)(v.mant >> 32), ra);
    cpu_stw(env, addr + 8, v.se, ra);
}

/* ---- arithmetic -------------------------------------------------------- */

/*
 * dest op src for the /digit of the arithmetic group:
 *   0 add  1 mul  4 sub (dest - src)  5 subr (src - dest)
 *   6 div (dest / src)  7 divr (src / dest)
 */
static floatx80 fpu_arith(unsigned op, floatx80 d, floatx80 s, X80Status *st)
{
    switch (op) {
    case 0: return x80_add(d, s, st);
    case 1: return x80_mul(d, s, st);
    case 4: return x80_sub(d, s, st);
    case 5: return x80_sub(s, d, st);
    case 6: return x80_div(d, s, st);
    default: return x80_div(s, d, st);
    }
}

/* ST(di) = ST(di) op src (st carries the load's flags), then pop. */
void fpu_do_arith(CPUX86State *env, unsigned op, unsigned di,
                         floatx80 src, X80Status *st, bool pop)
{
    floatx80 r;

    if (!x80_suppress_write(st, false)) {
        r = fpu_arith(op, fpu_get(env, di), src, st);
    } else {
        r = fpu_get(env, di);
    }
    fpu_apply(env, st);
    if (!x80_suppress_write(st, false)) {
        fpu_set(env, di, r);
        if (pop) {
            fpu_pop(env);
        }
    }
}

/* FCOM / FUCOM of ST(0) with src; pops ST(0) npop times. */
void fpu_do_compare(CPUX86State *env, floatx80 src, bool src_empty,
                           bool quiet, X80Status *st, unsigned npop)
{
    if (src_empty || fpu_empty(env, 0)) {
        bool masked = fpu_stack_fault(env, false);

        env->fpu.fsw |= X80_C0 | X80_C2 | X80_C3;     /* unordered */
        if (masked) {
            while (npop--) {
                fpu_pop(env);
            }
        }
        return;
    }
    /* the compare writes only C0 C2 C3: an unmasked denormal operand
     * still lets the CPU set them (no destination to suppress) */
    if (!x80_suppress_write(st, false) || !(st->exc & X80_IE)) {
        x80_compare(fpu_get(env, 0), src, quiet, st);
    }
    fpu_apply(env, st);
    if (!x80_suppress_write(st, false)) {
        while (npop--) {
            fpu_pop(env);
        }
    }
}

/* FCOMI / FUCOMI (+P): ZF PF CF from the compare, OF SF AF cleared. */
void fpu_do_comi(CPUX86State *env, unsigned i, bool quiet, bool pop)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    uint32_t fl = 0;      /* every arithmetic flag is written */
    X80Relation rel = X80_REL_UNORDERED;
    bool write = true;

    /* the CPU sets ZF PF CF even when the exception is unmasked (then
     * without the pop) */
    if (fpu_empty(env, 0) || fpu_empty(env, i)) {
        write = fpu_stack_fault(env, false);
    } else {
        rel = x80_compare(fpu_get(env, 0), fpu_get(env, i), quiet, &st);
        st.cc_mask = X80_C1;      /* FCOMI defines C1 only */
        st.cc = 0;
        fpu_apply(env, &st);
        write = !x80_suppress_write(&st, false);
    }
    switch (rel) {
    case X80_REL_LESS: fl |= CC_C; break;
    case X80_REL_EQUAL: fl |= CC_Z; break;
    case X80_REL_GREATER: break;
    default: fl |= CC_Z | CC_P | CC_C; break;
    }
    if (write && pop) {
        fpu_pop(env);
    }
    env->cc_src = fl & CC_ARITH;
    env->cc_op = CC_OP_EFLAGS;
}

/* One-operand instruction on ST(0) (FCHS, FABS, FSQRT, FRNDINT, F2XM1). */
static void fpu_unop(CPUX86State *env,
                     floatx80 (*fn)(floatx80, X80Status *))
{
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 r;

    if (fpu_empty(env, 0)) {
        fpu_underflow(env, 0, false);
        return;
    }
    r = fn(fpu_get(env, 0), &st);
    fpu_apply(env, &st);
    if (!x80_suppress_write(&st, false)) {
        fpu_set(env, 0, r);
    }
}

/* ST(1) = fn(ST(0), ST(1)), pop (FYL2X, FYL2XP1, FPATAN). */
static void fpu_st1_op(CPUX86State *env,
                       floatx80 (*fn)(floatx80, floatx80, X80Status *))
{
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 r;

    if (fpu_empty(env, 0) || fpu_empty(env, 1)) {
        fpu_underflow(env, 1, true);
        return;
    }
    r = fn(fpu_get(env, 0), fpu_get(env, 1), &st);
    fpu_apply(env, &st);
    if (!x80_suppress_write(&st, false)) {
        fpu_set(env, 1, r);
        fpu_pop(env);
    }
}

/* ST(0) = fn(ST(0), ST(1)) (FSCALE; FPREM / FPREM1 via prem). */
static void fpu_st0_st1_op(CPUX86State *env, int prem)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 r;

    if (fpu_empty(env, 0) || fpu_empty(env, 1)) {
        if (prem >= 0) {
            env->fpu.fsw &= ~X80_C2;         /* FPREM: reduction "done" */
        }
        fpu_underflow(env, 0, false);
        return;
    }
    if (prem >= 0) {
        r = x80_prem(fpu_get(env, 0), fpu_get(env, 1), prem != 0, &st);
        if (x80_is_nan(r) || x80_suppress_write(&st, false)) {
            /* NaN result (NaN or invalid operand), or no result at all (an
             * unmasked exception, e.g. DE): the CPU clears C1 and C2 and
             * keeps C0 C3 (local adapter until fpu/ does it) */
            st.cc_mask = X80_C1 | X80_C2;
            st.cc = 0;
        }
    } else {
        r = x80_scale(fpu_get(env, 0), fpu_get(env, 1), &st);
    }
    fpu_apply(env, &st);
    if (!x80_suppress_write(&st, false)) {
        fpu_set(env, 0, r);
    }
}

/* FSIN / FCOS / FPTAN / FSINCOS / FXTRACT: kind 0..4. */
static void fpu_trig(CPUX86State *env, unsigned kind)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 a, r = { 0, 0 }, r2 = { 0, 0 };
    bool ok = true, pushes = kind >= 2;

    if (fpu_empty(env, 0)) {
        if (fpu_stack_fault(env, false)) {
            fpu_set(env, 0, x80_indefinite());
            if (pushes) {
                fpu_push_checked(env, x80_indefinite());
            }
        }
        return;
    }
    if (pushes && !fpu_empty(env, 7)) {
        if (fpu_stack_fault(env, true)) {
            fpu_set(env, 0, x80_indefinite());
            fpu_push(env, x80_indefinite());
        }
        return;
    }
    a = fpu_get(env, 0);
    switch (kind) {
    case 0: ok = x80_fsin(a, &r, &st); break;
    case 1: ok = x80_fcos(a, &r, &st); break;
    case 2:
        r2 = x80_const(X80_CONST_ONE, &st);
        ok = x80_fptan(a, &r, &st);
        break;
    case 3: ok = x80_fsincos(a, &r, &r2, &st); break;
    default: x80_xtract(a, &r, &r2, &st); break;
    }
    fpu_apply(env, &st);
    if (!ok || x80_suppress_write(&st, false)) {
        return;
    }
    if (kind == 2 && x80_is_nan(r)) {
        r2 = r;                       /* FPTAN of a NaN pushes it again */
    }
    fpu_set(env, 0, r);
    if (pushes) {
        fpu_push(env, r2);
    }
}

/* Load constant c (FLD1 ... FLDZ). */
static void fpu_ldconst(CPUX86State *env, X80Const c)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 v = x80_const(c, &st);

    if (!fpu_empty(env, 7)) {
        fpu_push_checked(env, v);
        return;
    }
    fpu_apply(env, &st);
    fpu_push(env, v);
}

/* ---- memory operands ----------------------------------------------------- */

/*
 * The memory operand of D8/DA/DC/DE (m32fp, m32int, m64fp, m16int) as the
 * arithmetic sees it: not converted first (an SNaN stays signalling, a
 * denormal sets *den and raises DE in the operation's own order); the
 * library's x80_arith_mem / x80_compare_mem then do the operation in one
 * step, as the CPU does.
 */
static floatx80 fpu_mem_value(unsigned esc, uint64_t q, bool *den)
{
    *den = false;
    switch (esc) {
    case 0:
        return x80_f32_operand((uint32_t)q, den);
    case 2:
        return x80_from_int64((int32_t)q);
    case 4:
        return x80_f64_operand(q, den);
    default:
        return x80_from_int64((int16_t)q);
    }
}

/* The raw memory operand of D8/DA/DC/DE (esc) at addr. */
static uint64_t fpu_mem_raw(CPUX86State *env, unsigned esc, uint32_t addr,
                            uintptr_t ra)
{
    switch (esc) {
    case 0: case 2:
        return cpu_ldl(env, addr, ra);
    case 4:
        return (uint64_t)cpu_ldl(env, addr, ra) |
               (uint64_t)cpu_ldl(env, addr + 4, ra) << 32;
    default:
        return cpu_lduw(env, addr, ra);
    }
}

/* ST(0) op= m (reg = the /digit: 0 add 1 mul 4 sub 5 subr 6 div 7 divr),
 * or FCOM / FCOMP m (reg 2 / 3), ST(0) not empty; q = the raw operand of
 * escape esc (fpu_mem_raw). */
void fpu_mem_arith(CPUX86State *env, unsigned esc, unsigned reg, uint64_t q)
{
    static const X80ArithOp ops[8] = {
        X80_OP_ADD, X80_OP_MUL, X80_OP_ADD, X80_OP_ADD,
        X80_OP_SUB, X80_OP_SUBR, X80_OP_DIV, X80_OP_DIVR,
    };
    X80Status st = x80_status_init(env->fpu.fcw);
    floatx80 d = fpu_get(env, 0), m, r;
    bool den;

    m = fpu_mem_value(esc, q, &den);
    if (reg == 2 || reg == 3) {
        /* C0 C2 C3 are set even on an unmasked exception (no destination
         * to suppress); only the pop is */
        x80_compare_mem(d, m, den, false, &st);
        fpu_apply(env, &st);
        if (reg == 3 && !x80_suppress_write(&st, false)) {
            fpu_pop(env);
        }
        return;
    }
    r = x80_arith_mem(ops[reg], d, m, den, &st);
    fpu_apply(env, &st);
    if (!x80_suppress_write(&st, false)) {
        fpu_set(env, 0, r);
    }
}

/* ST(0) (not empty) in memory format kind (MF_F32 .. MF_I64), the
 * conversion's status in *st. */
uint64_t fpu_convert_st0(CPUX86State *env, unsigned kind, X80Status *st)
{
    floatx80 a = fpu_get(env, 0);

    switch (kind) {
    case MF_F32: return x80_to_f32(a, st);
    case MF_F64: return x80_to_f64(a, st);
    case MF_I16: return (uint16_t)x80_to_int16(a, st);
    case MF_I32: return (uint32_t)x80_to_int32(a, st);
    default: return (uint64_t)x80_to_int64(a, st);
    }
}

/* Store ST(0) to memory in format kind, pop if asked. */
static void fpu_store(CPUX86State *env, uint32_t addr, unsigned kind,
                      bool pop, uintptr_t ra)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    bool empty = fpu_empty(env, 0);
    floatx80 a = empty ? x80_indefinite() : fpu_get(env, 0);
    uint64_t q = 0;
    uint8_t bcd[10];
    unsigned i;

    if (empty) {
        if (!fpu_stack_fault(env, false)) {
            return;
        }
        /* masked: the memory format's indefinite */
        switch (kind) {
        case MF_F32: q = 0xffc00000u; break;
        case MF_F64: q = 0xfff8000000000000ull; break;
        case MF_I16: q = 0x8000; break;
        case MF_I32: q = 0x80000000u; break;
        case MF_I64: q = 0x8000000000000000ull; break;
        default: break;
        }
        if (kind == MF_BCD) {
            memset(bcd, 0, sizeof(bcd));
            bcd[7] = 0xc0;
            bcd[8] = bcd[9] = 0xff;
        }
    } else {
        if (kind == MF_BCD) {
            x80_to_bcd(a, bcd, &st);
        } else if (kind != MF_F80) {
            q = fpu_convert_st0(env, kind, &st);
        }
        if (x80_suppress_write(&st, true)) {
            fpu_apply(env, &st);
            return;
        }
    }
    switch (kind) {
    case MF_F32: case MF_I32:
        cpu_stl(env, addr, (uint32_t)q, ra);
        break;
    case MF_I16:
        cpu_stw(env, addr, (uint32_t)q, ra);
        break;
    case MF_F64: case MF_I64:
        cpu_probe_store(env, addr, 8, ra);
        cpu_stl(env, addr, (uint32_t)q, ra);
        cpu_stl(env, addr + 4, (uint32_t)(q >> 32), ra);
        break;
    case MF_F80:
        fpu_st80(env, addr, a, ra);
        break;
    default:
        for (i = 0; i < 10; i++) {
            cpu_stb(env, addr + i, bcd[i], ra);
        }
        break;
    }
    if (!empty) {
        if (kind == MF_F80) {
            st.cc_mask = X80_C1;             /* exact: C1 = 0 */
        }
        fpu_apply(env, &st);
    }
    if (pop) {
        fpu_pop(env);
    }
}

/* Push a loaded value (FLD / FILD / FBLD m), with the load's status (an
 * unmasked DE still pushes; an unmasked IE does not). */
void fpu_push_loaded(CPUX86State *env, floatx80 v, X80Status *st)
{
    if (!fpu_empty(env, 7)) {
        fpu_push_checked(env, v);
        return;
    }
    fpu_apply(env, st);
    if (!x80_suppress_load(st)) {
        fpu_push(env, v);
    }
}

/* Memory forms (mod != 3). */
static void fpu_mem_op(CPUX86State *env, unsigned esc, unsigned reg,
                       uint32_t addr, bool o32, uintptr_t ra)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    uint8_t bcd[10];
    floatx80 v;
    uint64_t q;
    unsigned i;

    if (!(esc & 1)) {
        /* D8 / DA / DC / DE: arithmetic and compare with m32/m64 real,
         * m32/m16 integer */
        if (fpu_empty(env, 0)) {
            if (reg == 2 || reg == 3) {
                fpu_do_compare(env, x80_indefinite(), true, false, &st,
                               reg == 3);
            } else {
                fpu_underflow(env, 0, false);
            }
            return;
        }
        fpu_mem_arith(env, esc, reg, fpu_mem_raw(env, esc, addr, ra));
        return;
    }
    switch (esc << 3 | reg) {
    case 1 << 3 | 0:                                   /* FLD m32 */
        v = x80_from_f32(cpu_ldl(env, addr, ra), &st);
        fpu_push_loaded(env, v, &st);
        break;
    case 5 << 3 | 0:                                   /* FLD m64 */
        q = (uint64_t)cpu_ldl(env, addr, ra) |
            (uint64_t)cpu_ldl(env, addr + 4, ra) << 32;
        v = x80_from_f64(q, &st);
        fpu_push_loaded(env, v, &st);
        break;
    case 3 << 3 | 5:                                   /* FLD m80 */
        v = fpu_ld80(env, addr, ra);
        st.cc_mask = X80_C1;
        fpu_push_loaded(env, v, &st);
        break;
    case 1 << 3 | 2: fpu_store(env, addr, MF_F32, false, ra); break;
    case 1 << 3 | 3: fpu_store(env, addr, MF_F32, true, ra); break;
    case 5 << 3 | 2: fpu_store(env, addr, MF_F64, false, ra); break;
    case 5 << 3 | 3: fpu_store(env, addr, MF_F64, true, ra); break;
    case 3 << 3 | 7: fpu_store(env, addr, MF_F80, true, ra); break;
    case 3 << 3 | 0:                                   /* FILD m32 */
        v = x80_from_int64((int32_t)cpu_ldl(env, addr, ra));
        st.cc_mask = X80_C1;
        fpu_push_loaded(env, v, &st);
        break;
    case 7 << 3 | 0:                                   /* FILD m16 */
        v = x80_from_int64((int16_t)cpu_lduw(env, addr, ra));
        st.cc_mask = X80_C1;
        fpu_push_loaded(env, v, &st);
        break;
    case 7 << 3 | 5:                                   /* FILD m64 */
        q = (uint64_t)cpu_ldl(env, addr, ra) |
            (uint64_t)cpu_ldl(env, addr + 4, ra) << 32;
        v = x80_from_int64((int64_t)q);
        st.cc_mask = X80_C1;
        fpu_push_loaded(env, v, &st);
        break;
    case 7 << 3 | 4:                                   /* FBLD */
        for (i = 0; i < 10; i++) {
            bcd[i] = (uint8_t)cpu_ldub(env, addr + i, ra);
        }
        v = x80_from_bcd(bcd, &st);
        fpu_push_loaded(env, v, &st);
        break;
    case 3 << 3 | 2: fpu_store(env, addr, MF_I32, false, ra); break;
    case 3 << 3 | 3: fpu_store(env, addr, MF_I32, true, ra); break;
    case 7 << 3 | 2: fpu_store(env, addr, MF_I16, false, ra); break;
    case 7 << 3 | 3: fpu_store(env, addr, MF_I16, true, ra); break;
    case 7 << 3 | 7: fpu_store(env, addr, MF_I64, true, ra); break;
    case 7 << 3 | 6: fpu_store(env, addr, MF_BCD, true, ra); break;
    case 1 << 3 | 4: fpu_ldenv(env, addr, o32, ra); break;
    case 1 << 3 | 5:                                   /* FLDCW */
        env->fpu.fcw = (uint16_t)((cpu_lduw(env, addr, ra) & 0x1f7f) |
                                  FCW_RESERVED_ONES);
        fpu_update_es(env);
        break;
    case 1 << 3 | 6: fpu_stenv(env, addr, o32, ra); break;
    case 1 << 3 | 7: cpu_stw(env, addr, env->fpu.fcw, ra); break;
    case 5 << 3 | 4: fpu_restore(env, addr, o32, ra); break;
    case 5 << 3 | 6: fpu_save(env, addr, o32, ra); break;
    case 5 << 3 | 7: cpu_stw(env, addr, fpu_get_fsw(env), ra); break;
    default:
        /* no row decodes to here */
        raise_exception_ra(env, EXCP06_UD, ra);
    }
}

/* FCMOVcc condition (DA/DB reg 0..3) from EFLAGS. */
static bool fpu_fcmov_cond(CPUX86State *env, unsigned esc, unsigned reg)
{
    uint32_t fl = cpu_cc_compute_all(env);
    bool c;

    switch (reg) {
    case 0: c = (fl & CC_C) != 0; break;
    case 1: c = (fl & CC_Z) != 0; break;
    case 2: c = (fl & (CC_C | CC_Z)) != 0; break;
    default: c = (fl & CC_P) != 0; break;
    }
    return esc == 3 ? !c : c;
}

/* D9 E0..FF: the one-byte-operand-less group. */
void fpu_d9_group(CPUX86State *env, unsigned m)
{
    X80Status st = x80_status_init(env->fpu.fcw);

    switch (m) {
    case 0xe0: fpu_unop(env, x80_chs); break;
    case 0xe1: fpu_unop(env, x80_abs); break;
    case 0xe4:                                         /* FTST */
        fpu_do_compare(env, x80_make(false, 0, 0), false, false, &st, 0);
        break;
    case 0xe5:                                         /* FXAM */
        x80_fxam(fpu_get(env, 0), fpu_empty(env, 0), &st);
        fpu_apply(env, &st);
        break;
    case 0xe8: fpu_ldconst(env, X80_CONST_ONE); break;
    case 0xe9: fpu_ldconst(env, X80_CONST_L2T); break;
    case 0xea: fpu_ldconst(env, X80_CONST_L2E); break;
    case 0xeb: fpu_ldconst(env, X80_CONST_PI); break;
    case 0xec: fpu_ldconst(env, X80_CONST_LG2); break;
    case 0xed: fpu_ldconst(env, X80_CONST_LN2); break;
    case 0xee: fpu_ldconst(env, X80_CONST_ZERO); break;
    case 0xf0: fpu_unop(env, x80_f2xm1); break;
    case 0xf1: fpu_st1_op(env, x80_fyl2x); break;
    case 0xf2: fpu_trig(env, 2); break;
    case 0xf3: fpu_st1_op(env, x80_fpatan); break;
    case 0xf4: fpu_trig(env, 4); break;
    case 0xf5: fpu_st0_st1_op(env, 1); break;
    case 0xf6:                                         /* FDECSTP */
        env->fpu.top = (env->fpu.top - 1) & 7;
        env->fpu.fsw &= ~X80_C1;
        break;
    case 0xf7:                                         /* FINCSTP */
        env->fpu.top = (env->fpu.top + 1) & 7;
        env->fpu.fsw &= ~X80_C1;
        break;
    case 0xf8: fpu_st0_st1_op(env, 0); break;
    case 0xf9: fpu_st1_op(env, x80_fyl2xp1); break;
    case 0xfa: fpu_unop(env, x80_sqrt); break;
    case 0xfb: fpu_trig(env, 3); break;
    case 0xfc: fpu_unop(env, x80_rndint); break;
    case 0xfd: fpu_st0_st1_op(env, -1); break;
    case 0xfe: fpu_trig(env, 0); break;
    default: fpu_trig(env, 1); break;                  /* 0xff FCOS */
    }
}

/* FXCH ST(i). */
static void fpu_fxch(CPUX86State *env, unsigned i)
{
    floatx80 a, b;

    if (fpu_empty(env, 0) || fpu_empty(env, i)) {
        if (!fpu_stack_fault(env, false)) {
            return;
        }
        a = fpu_empty(env, 0) ? x80_indefinite() : fpu_get(env, 0);
        b = fpu_empty(env, i) ? x80_indefinite() : fpu_get(env, i);
    } else {
        a = fpu_get(env, 0);
        b = fpu_get(env, i);
        env->fpu.fsw &= ~X80_C1;
    }
    fpu_set(env, 0, b);
    fpu_set(env, i, a);
}

/* FST / FSTP ST(i).  On a masked stack underflow ST(i) = indefinite;
 * the D9 D8+i alias (nocheck) pops an empty ST(0) without a fault, as the
 * CPU does (AMD calls it FSTPNCE). */
static void fpu_st_sti(CPUX86State *env, unsigned i, bool pop, bool nocheck)
{
    if (fpu_empty(env, 0)) {
        if (nocheck) {
            fpu_pop(env);
            return;
        }
        fpu_underflow(env, i, pop);
        return;
    }
    fpu_set(env, i, fpu_get(env, 0));
    env->fpu.fsw &= ~X80_C1;
    if (pop) {
        fpu_pop(env);
    }
}

/* Register forms (mod == 3). */
static void fpu_reg_op(CPUX86State *env, unsigned esc, unsigned modrm)
{
    X80Status st = x80_status_init(env->fpu.fcw);
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7;

    switch (esc) {
    case 0: case 4: case 6:
        if (esc == 6 && modrm == 0xd9) {               /* FCOMPP */
            fpu_do_compare(env, fpu_get(env, 1), fpu_empty(env, 1), false,
                           &st, 2);
            return;
        }
        if (reg == 2 || reg == 3) {                    /* FCOM/FCOMP ST(i) */
            fpu_do_compare(env, fpu_get(env, i), fpu_empty(env, i), false,
                           &st, reg == 3 || esc == 6);
            return;
        }
        if (esc == 0) {
            if (fpu_empty(env, 0) || fpu_empty(env, i)) {
                fpu_underflow(env, 0, false);
                return;
            }
            fpu_do_arith(env, reg, 0, fpu_get(env, i), &st, false);
        } else {
            if (fpu_empty(env, 0) || fpu_empty(env, i)) {
                fpu_underflow(env, i, esc == 6);
                return;
            }
            fpu_do_arith(env, reg >= 4 ? reg ^ 1 : reg, i, fpu_get(env, 0),
                         &st, esc == 6);
        }
        return;
    case 1:
        if (reg == 0) {                                /* FLD ST(i) */
            if (fpu_empty(env, i)) {
                if (fpu_empty(env, 7)) {
                    if (fpu_stack_fault(env, false)) {
                        fpu_push(env, x80_indefinite());
                    }
                } else {
                    fpu_push_checked(env, x80_indefinite());
                }
                return;
            }
            st.cc_mask = X80_C1;
            fpu_push_loaded(env, fpu_get(env, i), &st);
        } else if (reg == 1) {
            fpu_fxch(env, i);
        } else if (reg == 3) {
            fpu_st_sti(env, i, true, true);            /* FSTP1 alias */
        } else if (reg >= 4) {
            fpu_d9_group(env, modrm);
        }
        /* D9 D0: FNOP */
        return;
    case 2: case 3:
        if (reg < 4) {                                 /* FCMOVcc */
            if (fpu_empty(env, 0) || fpu_empty(env, i)) {
                fpu_underflow(env, 0, false);
                return;
            }
            if (fpu_fcmov_cond(env, esc, reg)) {
                fpu_set(env, 0, fpu_get(env, i));
            }
            return;
        }
        if (esc == 2) {                                /* FUCOMPP */
            fpu_do_compare(env, fpu_get(env, 1), fpu_empty(env, 1), true,
                           &st, 2);
            return;
        }
        if (reg == 5 || reg == 6) {                    /* FUCOMI / FCOMI */
            fpu_do_comi(env, i, reg == 5, false);
            return;
        }
        if (modrm == 0xe2) {                           /* FNCLEX */
            env->fpu.fsw &= ~(X80_EXC_MASK | FSW_SF | FSW_ES | FSW_B);
            fpu_clear_ferr(env);
        } else if (modrm == 0xe3) {                    /* FNINIT */
            fpu_reset(env);
            fpu_clear_ferr(env);
        }
        /* FNENI / FNDISI / FNSETPM: no-ops on a P6 */
        return;
    case 5:
        switch (reg) {
        case 0:                                        /* FFREE */
            env->fpu.tag_valid &= ~(1u << fpu_phys(env, i));
            break;
        case 1:
            fpu_fxch(env, i);
            break;
        case 2: case 3:
            fpu_st_sti(env, i, reg == 3, false);
            break;
        default:                                       /* FUCOM/FUCOMP */
            fpu_do_compare(env, fpu_get(env, i), fpu_empty(env, i), true,
                           &st, reg == 5);
            break;
        }
        return;
    default:                                           /* DF */
        switch (reg) {
        case 0:                                        /* FFREEP */
            env->fpu.tag_valid &= ~(1u << fpu_phys(env, i));
            fpu_pop(env);
            break;
        case 1:
            fpu_fxch(env, i);
            break;
        case 2: case 3:
            fpu_st_sti(env, i, true, false);
            break;
        case 4:                                        /* FNSTSW AX */
            env->regs[R_EAX] = (env->regs[R_EAX] & 0xffff0000u) |
                               fpu_get_fsw(env);
            break;
        default:                                       /* FUCOMIP / FCOMIP */
            fpu_do_comi(env, i, reg == 5, true);
            break;
        }
        return;
    }
}

/* Control instructions: FPU IP/opcode are not recorded; *waits says
 * whether the instruction checks pending exceptions first. */
static bool fpu_is_control(unsigned esc, unsigned modrm, bool *waits)
{
    unsigned reg = (modrm >> 3) & 7;

    *waits = true;
    if ((modrm >> 6) != 3) {
        if (esc == 1 && reg >= 4) {
            *waits = reg == 4 || reg == 5;             /* FLDENV FLDCW */
            return true;
        }
        if (esc == 5 && (reg == 4 || reg == 6 || reg == 7)) {
            *waits = reg == 4;                          /* FRSTOR */
            return true;
        }
        return false;
    }
    if ((esc == 3 && (modrm == 0xe2 || modrm == 0xe3)) ||
        (esc == 7 && modrm == 0xe0)) {
        *waits = false;
        return true;
    }
    /* FNENI / FNDISI / FNSETPM and FNOP-like aliases still wait */
    return false;
}

/* The x87 instruction (ctl: fpu-internal.h) at EIP eip, operand at linear
 * addr / offset ea. */
static void fpu_exec(CPUX86State *env, uint32_t ctl, uint32_t addr,
                     uint32_t eip, uint32_t ea, uintptr_t ra)
{
    unsigned esc = (ctl >> FPU_CTL_ESC_SHIFT) & 7, modrm = ctl & 0xff;
    bool waits, control = fpu_is_control(esc, modrm, &waits);

    fpu_check_nm(env, ra);
    if (waits) {
        fpu_check_wait(env, ra);
    }
    if (!control) {
        env->fpu.fip = eip;
        env->fpu.fcs = (uint16_t)env->segs[R_CS].selector;
        env->fpu.fop = (uint16_t)(((esc << 8) | modrm) & 0x7ff);
        if ((modrm >> 6) != 3) {
            env->fpu.fdp = ea;
            env->fpu.fds = (uint16_t)env->segs[(ctl >> FPU_CTL_SEG_SHIFT) &
                                               7].selector;
        }
    }
    if ((modrm >> 6) != 3) {
        fpu_mem_op(env, esc, (modrm >> 3) & 7, addr,
                   (ctl & FPU_CTL_O32) != 0, ra);
    } else {
        fpu_reg_op(env, esc, modrm);
    }
}

/* An x87 instruction that does not write guest memory. */
void helper_x87(CPUX86State *env, uint32_t ctl, uint32_t addr, uint32_t eip,
                uint32_t ea)
{
    fpu_exec(env, ctl, addr, eip, ea, GETPC());
}

/* FNSTSW AX. */
void helper_x87_gpr(CPUX86State *env, uint32_t ctl, uint32_t addr,
                    uint32_t eip, uint32_t ea)
{
    fpu_exec(env, ctl, addr, eip, ea, GETPC());
}

/* An x87 instruction that writes guest memory (FST, FIST, FNSAVE, ...). */
void helper_x87_st(CPUX86State *env, uint32_t ctl, uint32_t addr,
                   uint32_t eip, uint32_t ea)
{
    fpu_exec(env, ctl, addr, eip, ea, GETPC());
}

/* WAIT / FWAIT: #NM with CR0.MP and TS; pending unmasked exceptions. */
void helper_fwait(CPUX86State *env)
{
    uintptr_t ra = GETPC();

    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        raise_exception_ra(env, EXCP07_NM, ra);
    }
    fpu_check_wait(env, ra);
}
