/*
 * hamt86 - x87 and MMX translation: the gen_* entries of the x87 rows
 * (escapes D8..DF, map X87), WAIT, FXSAVE/FXRSTOR and the MMX rows.
 *
 * The block is specialised on the x87 stack top: TOP is part of the TB
 * flags (core/exec.h) and s->fptop follows it through the block
 * (x87_next_top), so ST(i) is a fixed physical register, a fixed env
 * offset.  Each x87 row is one of three shapes:
 *
 *   register moves    FLD ST(i), FXCH, FST/FSTP ST(i), FLD1, FLDZ, FABS,
 *   (x87_fast_body)   FCHS: moves / sign flips of env->fpu.st[] in IR;
 *   direct forms      register arithmetic, compares, FCOMI, the D9 E0..FF
 *   (x87_reg_body,    group: one call of a small helper (fpu-direct.c) with
 *    x87_mem_body)    the operation and ST(i) as one constant; FCMOVcc,
 *                     FFREE, FNSTSW AX/m16, FNSTCW, FLDCW in IR; the memory
 *                     forms (FLD/FILD/FST/FIST m16..m80, D8/DA/DC/DE
 *                     arithmetic) with the guest access inline (the IR
 *                     loads/stores integer code uses: one host instruction
 *                     under HAMT) and the value passed to / returned from
 *                     the helper;
 *   everything else   one call of helper_x87 / helper_x87_st
 *                     (fpu-helper.c): ModRM decoded at run time, #NM and
 *                     pending exceptions checked there, memory through the
 *                     C accessors.  It is also every form's slow path.
 *
 * The first two shapes first check, at run time (x87_guard), everything
 * their fixed form assumes:
 *
 *      CR0.EM|TS == 0        (else #NM)
 *      FSW.ES == 0           (else #MF / FERR# at this waiting insn)
 *      fpu.top == s->fptop   (a TOP the prediction missed: an unmasked
 *                             stack fault, FLDENV, a stale chain)
 *      tags of the sources valid, of a push destination empty
 *                            (else a stack fault, C1 and #IS)
 *
 * and otherwise branch to the helper call, which does the general case.
 * They then record FPU IP/CS/opcode (and DP/DS) in IR.  Precise faults:
 * a load is done before anything changes; a store's helper (helper_fp_st)
 * only computes the value and the new FSW, the generated code writes
 * memory (which may #PF) and then commits FSW and the pop, and an unmasked
 * exception that suppresses the write goes to the slow path.
 */
#include "translator/translate.h"
#include "translator/cc.h"
#include "translator/fpu-internal.h"

/* Does the memory form esc /reg write guest memory? */
static bool x87_mem_writes(unsigned esc, unsigned reg)
{
    switch (esc) {
    case 1: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    case 3: return reg == 2 || reg == 3 || reg == 7;
    case 5: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    case 7: return reg == 2 || reg == 3 || reg == 6 || reg == 7;
    default: return false;
    }
}

/* Generated code reads and writes these FPUState fields at their sizes. */
BUILD_ASSERT(sizeof(((FPUState *)0)->top) == 4);
BUILD_ASSERT(sizeof(((FPUState *)0)->fsw) == 2);
BUILD_ASSERT(sizeof(((FPUState *)0)->fcw) == 2);
BUILD_ASSERT(sizeof(((FPUState *)0)->fdp) == 4);
BUILD_ASSERT(sizeof(((FPUState *)0)->fds) == 2);
BUILD_ASSERT(sizeof(((FPUState *)0)->scratch[0]) == 4);
BUILD_ASSERT(sizeof(((FPUState *)0)->tag_valid) == 1);
BUILD_ASSERT(sizeof(((FPUState *)0)->fop) == 2);
BUILD_ASSERT(sizeof(((FPUState *)0)->fcs) == 2);
BUILD_ASSERT(sizeof(((FPUState *)0)->fip) == 4);
BUILD_ASSERT(sizeof(((SegmentCache *)0)->selector) == 4);
BUILD_ASSERT(sizeof(((CPUX86State *)0)->cr[0]) == 4);
BUILD_ASSERT(offsetof(FPUReg, mant) == 0 && offsetof(FPUReg, sexp) == 8);
BUILD_ASSERT(sizeof(FPUReg) == 16);

#define FPU_OFF(field)  (unsigned)offsetof(CPUX86State, fpu.field)
/* env offset of physical register p's word: 0/4 mantissa, 8 sign+exp */
#define ST_OFF(p, w)    (FPU_OFF(st) + (unsigned)(p) * 16u + (w))

/*
 * The TOP after x87 row def when it raises nothing (stack faults masked
 * or absent): what the next register move is specialised on.  The stack
 * effect is a column of translator/x86-insn.def (XA_FDEC/FINC/FINC2/
 * FTOP0).  FLDENV/FRSTOR/FXRSTOR load an unknown TOP: the prediction
 * stays, and the run-time check sends later moves of the block to the
 * helper.
 */
static unsigned x87_next_top(unsigned top, const X86InsnDef *def)
{
    if (def->attrs & XA_FTOP0) {
        return 0;
    }
    if (def->attrs & XA_FDEC) {
        return (top - 1) & 7;
    }
    return (top + !!(def->attrs & XA_FINC) +
            2 * !!(def->attrs & XA_FINC2)) & 7;
}

/* Is the register form esc/modrm one x87_fast_body translates? */
static bool x87_fast_form(unsigned esc, unsigned modrm)
{
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7;

    if ((modrm >> 6) != 3) {
        return false;
    }
    switch (esc) {
    case 1:
        return (reg == 0 && i != 7) ||      /* FLD ST(i); ST(7): a fault */
               reg == 1 ||                  /* FXCH */
               modrm == 0xe0 || modrm == 0xe1 ||    /* FCHS FABS */
               modrm == 0xe8 || modrm == 0xee;      /* FLD1 FLDZ */
    case 5:
        return reg == 1 || reg == 2 || reg == 3;    /* FXCH FST FSTP */
    case 7:
        return reg == 1 || reg == 2 || reg == 3;    /* FXCH FSTP FSTP */
    default:
        return false;
    }
}

/* Branch to slow unless the fast form may run (see the header): no #NM, no
 * pending exception, TOP as predicted, (tag_valid & mask) == want. */
static void x87_guard(DisasContext *s, unsigned slow, unsigned mask,
                      unsigned want)
{
    IRFunc *f = s->f;
    IRTemp cr0 = ir_new_temp(f), fsw = ir_new_temp(f);
    IRTemp top = ir_new_temp(f), tag = ir_new_temp(f);

    ir_ld_env(f, cr0, offsetof(CPUX86State, cr[0]), MO_32);
    ir_binopi(f, IR_and, cr0, cr0, CR0_EM | CR0_TS);
    ir_brcond(f, IR_COND_NE, cr0, ir_const(f, 0), slow);
    ir_ld_env(f, fsw, FPU_OFF(fsw), MO_16);
    ir_binopi(f, IR_and, fsw, fsw, FSW_ES);
    ir_brcond(f, IR_COND_NE, fsw, ir_const(f, 0), slow);
    ir_ld_env(f, top, FPU_OFF(top), MO_32);
    ir_brcond(f, IR_COND_NE, top, ir_const(f, s->fptop), slow);
    ir_ld_env(f, tag, FPU_OFF(tag_valid), MO_8);
    ir_binopi(f, IR_and, tag, tag, mask);
    ir_brcond(f, IR_COND_NE, tag, ir_const(f, want), slow);
}

/* FPU IP, CS and opcode of a non-control instruction (fpu_exec). */
static void x87_record_ip(DisasContext *s, unsigned esc, unsigned modrm)
{
    IRFunc *f = s->f;
    IRTemp cs = ir_new_temp(f);

    ir_st_env(f, ir_const(f, s->insn->eip), FPU_OFF(fip), MO_32);
    ir_ld_env(f, cs, offsetof(CPUX86State, segs[R_CS].selector), MO_32);
    ir_st_env(f, cs, FPU_OFF(fcs), MO_16);
    ir_st_env(f, ir_const(f, ((esc << 8) | modrm) & 0x7ff), FPU_OFF(fop),
              MO_16);
}

/* FSW.C1 = 0 (every fast form; no flag, so ES stays clear). */
static void x87_clear_c1(DisasContext *s)
{
    IRFunc *f = s->f;
    IRTemp fsw = ir_new_temp(f);

    ir_ld_env(f, fsw, FPU_OFF(fsw), MO_16);
    ir_binopi(f, IR_and, fsw, fsw, ~(uint32_t)X80_C1 & 0xffff);
    ir_st_env(f, fsw, FPU_OFF(fsw), MO_16);
}

/* tag_valid = (tag_valid | set) & ~clr. */
static void x87_set_tags(DisasContext *s, unsigned set, unsigned clr)
{
    IRFunc *f = s->f;
    IRTemp tag = ir_new_temp(f);

    ir_ld_env(f, tag, FPU_OFF(tag_valid), MO_8);
    if (set) {
        ir_binopi(f, IR_or, tag, tag, set);
    }
    if (clr) {
        ir_binopi(f, IR_and, tag, tag, ~clr & 0xff);
    }
    ir_st_env(f, tag, FPU_OFF(tag_valid), MO_8);
}

/* Load physical register p into v[0..2] (mantissa low, high, sexp). */
static void x87_ld_reg(DisasContext *s, unsigned p, IRTemp v[3])
{
    IRFunc *f = s->f;
    unsigned k;

    for (k = 0; k < 3; k++) {
        v[k] = ir_new_temp(f);
        ir_ld_env(f, v[k], ST_OFF(p, 4 * k), k == 2 ? MO_16 : MO_32);
    }
}

/* Store v[0..2] into physical register p. */
static void x87_st_reg(DisasContext *s, unsigned p, const IRTemp v[3])
{
    unsigned k;

    for (k = 0; k < 3; k++) {
        ir_st_env(s->f, v[k], ST_OFF(p, 4 * k), k == 2 ? MO_16 : MO_32);
    }
}

/*
 * The fast forms (x87_fast_form), TOP = s->fptop:
 *   FLD ST(i)      push a copy of ST(i)       needs ST(i) valid, ST(7) empty
 *   FXCH ST(i)     swap ST(0) and ST(i)       needs both valid
 *   FST(P) ST(i)   ST(i) = ST(0) (and pop)    needs ST(0) valid
 *   FLD1 / FLDZ    push +1.0 / +0.0           needs ST(7) empty
 *   FCHS / FABS    flip / clear the sign      needs ST(0) valid
 * All of them record FPU IP/opcode and clear C1 as the helper does.
 */
static void x87_fast_body(DisasContext *s, unsigned esc, unsigned modrm,
                          unsigned slow)
{
    IRFunc *f = s->f;
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7, top = s->fptop;
    unsigned p0 = top, pi = (top + i) & 7, p7 = (top + 7) & 7;
    IRTemp a[3], b[3];

    if (esc == 1 && reg == 0) {                         /* FLD ST(i) */
        x87_guard(s, slow, 1u << pi | 1u << p7, 1u << pi);
        x87_record_ip(s, esc, modrm);
        x87_ld_reg(s, pi, a);
        x87_st_reg(s, p7, a);
        x87_set_tags(s, 1u << p7, 0);
        ir_st_env(f, ir_const(f, p7), FPU_OFF(top), MO_32);
    } else if (reg == 1) {                              /* FXCH */
        x87_guard(s, slow, 1u << p0 | 1u << pi, 1u << p0 | 1u << pi);
        x87_record_ip(s, esc, modrm);
        x87_ld_reg(s, p0, a);
        x87_ld_reg(s, pi, b);
        x87_st_reg(s, p0, b);
        x87_st_reg(s, pi, a);
    } else if (esc != 1 || reg == 3) {                  /* FST / FSTP */
        bool pop = reg == 3 || esc == 7;

        x87_guard(s, slow, 1u << p0, 1u << p0);
        x87_record_ip(s, esc, modrm);
        x87_ld_reg(s, p0, a);
        x87_st_reg(s, pi, a);
        /* FSTP ST(0): written, then emptied by the pop */
        x87_set_tags(s, 1u << pi, pop ? 1u << p0 : 0);
        if (pop) {
            ir_st_env(f, ir_const(f, (top + 1) & 7), FPU_OFF(top), MO_32);
        }
    } else if (modrm == 0xe8 || modrm == 0xee) {        /* FLD1 / FLDZ */
        x87_guard(s, slow, 1u << p7, 0);
        x87_record_ip(s, esc, modrm);
        a[0] = ir_const(f, 0);
        a[1] = ir_const(f, modrm == 0xe8 ? 0x80000000u : 0);
        a[2] = ir_const(f, modrm == 0xe8 ? 0x3fff : 0);
        x87_st_reg(s, p7, a);
        x87_set_tags(s, 1u << p7, 0);
        ir_st_env(f, ir_const(f, p7), FPU_OFF(top), MO_32);
    } else {                                            /* FCHS / FABS */
        IRTemp se = ir_new_temp(f);

        x87_guard(s, slow, 1u << p0, 1u << p0);
        x87_record_ip(s, esc, modrm);
        ir_ld_env(f, se, ST_OFF(p0, 8), MO_16);
        if (modrm == 0xe0) {
            ir_binopi(f, IR_xor, se, se, 0x8000);
        } else {
            ir_binopi(f, IR_and, se, se, 0x7fff);
        }
        ir_st_env(f, se, ST_OFF(p0, 8), MO_16);
    }
    x87_clear_c1(s);
}

/* Record FPU DP/DS of a memory form (fpu_exec). */
static void x87_record_dp(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    IRTemp ds = ir_new_temp(f);

    ir_st_env(f, gen_ea_offset(s, insn), FPU_OFF(fdp), MO_32);
    ir_ld_env(f, ds, offsetof(CPUX86State, segs[insn->mem.seg].selector),
              MO_32);
    ir_st_env(f, ds, FPU_OFF(fds), MO_16);
}

/* Pop inline: ST(0) = physical p0 tagged empty, TOP = p0 + 1. */
static void x87_pop(DisasContext *s, unsigned p0)
{
    x87_set_tags(s, 0, 1u << p0);
    ir_st_env(s->f, ir_const(s->f, (p0 + 1) & 7), FPU_OFF(top), MO_32);
}

/* addr + 4 (the high word of an m64 / m80 operand). */
static IRTemp x87_addr4(DisasContext *s, IRTemp addr, unsigned k)
{
    IRTemp a = ir_new_temp(s->f);

    ir_binopi(s->f, IR_add, a, addr, k);
    return a;
}

/* The status word with TOP folded in (FNSTSW), TOP = s->fptop. */
static IRTemp x87_fsw_value(DisasContext *s)
{
    IRFunc *f = s->f;
    IRTemp v = ir_new_temp(f);

    ir_ld_env(f, v, FPU_OFF(fsw), MO_16);
    ir_binopi(f, IR_and, v, v, ~FSW_TOP & 0xffff);
    ir_binopi(f, IR_or, v, v, s->fptop << 11);
    return v;
}

/*
 * FADD .. FDIVR ST(0), ST(i) (D8), ST(i), ST(0) (DC) and the popping DE
 * forms: the helper of the soft-float operation and its code (physical
 * registers, helper_fp_add in fpu-direct.c).  d op s with d the
 * destination; DC / DE encode SUB/SUBR and DIV/DIVR the other way round;
 * the reversed forms (s - d, s / d) swap the operands.
 */
static void x87_direct_arith(unsigned esc, unsigned reg, unsigned p0,
                             unsigned pi, unsigned *id, uint32_t *code)
{
    static const unsigned ids[8] = {
        HELPER_fp_add, HELPER_fp_mul, 0, 0,
        HELPER_fp_sub, HELPER_fp_sub, HELPER_fp_div, HELPER_fp_div,
    };
    unsigned d = esc == 0 ? p0 : pi, s = esc == 0 ? pi : p0;
    unsigned op = esc != 0 && reg >= 4 ? reg ^ 1 : reg;
    bool rev = op == 5 || op == 7;
    unsigned a = rev ? s : d, b = rev ? d : s;

    *id = ids[op];
    *code = a | b << 3 | d << 6 | p0 << 9 | (esc == 6 ? FP_ARITH_POP : 0);
}

/*
 * Register forms with a direct helper or a short IR body (mod == 3):
 * returns the helper id (or HELPER_COUNT for an IR body) and its
 * constant, or false for the generic call.  *mask / *want: the tag test.
 */
static bool x87_direct_reg(DisasContext *s, unsigned esc, unsigned modrm,
                           unsigned *id, uint32_t *code, unsigned *mask,
                           unsigned *want)
{
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7, top = s->fptop;
    unsigned p0 = top, pi = (top + i) & 7, p1 = (top + 1) & 7;
    unsigned both = 1u << p0 | 1u << pi;

    *mask = *want = both;
    *id = HELPER_COUNT;
    switch (esc) {
    case 0: case 4: case 6:
        if (esc == 6 && modrm == 0xd9) {                    /* FCOMPP */
            *id = HELPER_fp_com;
            *code = 1 | 2u << 5;
            *mask = *want = 1u << p0 | 1u << p1;
        } else if (reg == 2 || reg == 3) {      /* FCOM FCOMP (aliases) */
            *id = HELPER_fp_com;
            *code = i | (unsigned)(reg == 3 || esc == 6) << 5;
        } else {
            x87_direct_arith(esc, reg, p0, pi, id, code);
        }
        return true;
    case 1:
        if (modrm < 0xe0) {
            return false;                           /* FNOP: the helper */
        }
        *id = HELPER_fp_d9;                 /* handles its stack faults */
        *code = modrm;
        *mask = *want = 0;
        return true;
    case 2:
        if (modrm == 0xe9) {                                /* FUCOMPP */
            *id = HELPER_fp_com;
            *code = 1 | 1u << 4 | 2u << 5;
            *mask = *want = 1u << p0 | 1u << p1;
            return true;
        }
        return reg < 4;                                     /* FCMOVcc */
    case 3:
        if (reg == 5 || reg == 6) {                     /* FUCOMI FCOMI */
            *id = HELPER_fp_comi;
            *code = pi | (unsigned)(reg == 5) << 4 | p0 << 8;
            return true;
        }
        return reg < 4;                                     /* FCMOVcc */
    case 5:
        if (reg == 0) {                                     /* FFREE */
            *mask = *want = 0;
            return true;
        }
        if (reg == 4 || reg == 5) {                     /* FUCOM FUCOMP */
            *id = HELPER_fp_com;
            *code = i | 1u << 4 | (unsigned)(reg == 5) << 5;
            return true;
        }
        return false;
    default:
        if (modrm == 0xe0) {                                /* FNSTSW AX */
            *mask = *want = 0;
            return true;
        }
        if (reg == 5 || reg == 6) {                     /* FUCOMIP FCOMIP */
            *id = HELPER_fp_comi;
            *code = pi | (unsigned)(reg == 5) << 4 | 1u << 5 | p0 << 8;
            return true;
        }
        return false;
    }
}

/* The IR bodies of x87_direct_reg: FCMOVcc, FFREE, FNSTSW AX. */
static void x87_reg_ir(DisasContext *s, unsigned esc, unsigned modrm)
{
    IRFunc *f = s->f;
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7, top = s->fptop;
    unsigned pi = (top + i) & 7;
    /* FCMOVB E BE U: the Jcc conditions B E BE P; DB: their negations */
    static const uint8_t cc[4] = { 0x2, 0x4, 0x6, 0xa };
    IRTemp a[3];
    unsigned skip;

    if (esc == 7) {                                         /* FNSTSW AX */
        gen_st_reg(s, 2, R_EAX, x87_fsw_value(s));
    } else if (esc == 5) {                                  /* FFREE */
        x87_record_ip(s, esc, modrm);
        x87_set_tags(s, 0, 1u << pi);
    } else {                                                /* FCMOVcc */
        x87_record_ip(s, esc, modrm);
        skip = ir_new_label(f);
        /* branch over the move when the condition is false */
        gen_cc_branch(s, cc[reg] ^ (esc == 2 ? 1u : 0u), skip);
        x87_ld_reg(s, pi, a);
        x87_st_reg(s, top, a);
        ir_set_label(f, skip);
    }
}

/* Memory forms done inline (mod != 3): the load / store kind, or false. */
static bool x87_direct_mem(unsigned esc, unsigned reg)
{
    if (!(esc & 1)) {
        return true;                        /* D8 DA DC DE: every /digit */
    }
    switch (esc) {
    case 1: return reg == 0 || reg == 2 || reg == 3 || reg == 5 || reg == 7;
    case 3: return reg == 0 || reg == 2 || reg == 3 || reg == 5 || reg == 7;
    case 5: return reg == 0 || reg == 2 || reg == 3 || reg == 7;
    default: return reg == 0 || reg == 2 || reg == 3 || reg == 5 ||
                    reg == 7;
    }
}

/* FLD / FILD m: load (may fault, nothing changed yet), then push. */
static void x87_mem_load(DisasContext *s, unsigned kind, IRTemp addr)
{
    IRFunc *f = s->f;
    IRTemp lo, hi = ir_const(f, 0), se = ir_const(f, 0);

    lo = gen_ld_mem(s, kind == FP_LD_I16 ? MO_16 : MO_32, addr);
    if (kind == FP_LD_F64 || kind == FP_LD_I64 || kind == FP_LD_F80) {
        hi = gen_ld_mem(s, MO_32, x87_addr4(s, addr, 4));
    }
    if (kind == FP_LD_F80) {
        se = gen_ld_mem(s, MO_16, x87_addr4(s, addr, 8));
    }
    gen_helper(s, HELPER_fp_ld, 4, ir_const(f, kind), lo, hi, se);
}

/* FST / FIST (P) m: convert (helper_fp_st, nothing committed), store
 * (may fault), then commit FSW and the pop; an unmasked exception that
 * suppresses the write goes to slow. */
static void x87_mem_store(DisasContext *s, unsigned kind, bool pop,
                          IRTemp addr, unsigned slow)
{
    IRFunc *f = s->f;
    IRTemp fsw, lo = ir_new_temp(f), hi;

    fsw = gen_helper(s, HELPER_fp_st, 1, ir_const(f, kind));
    ir_brcond(f, IR_COND_EQ, fsw, ir_const(f, FP_ST_SLOW), slow);
    ir_ld_env(f, lo, FPU_OFF(scratch[0]), MO_32);
    if (kind == MF_F64 || kind == MF_I64) {
        gen_probe_split_store(s, addr, 8);
    }
    gen_st_mem(s, kind == MF_I16 ? MO_16 : MO_32, lo, addr);
    if (kind == MF_F64 || kind == MF_I64) {
        hi = ir_new_temp(f);
        ir_ld_env(f, hi, FPU_OFF(scratch[1]), MO_32);
        gen_st_mem(s, MO_32, hi, x87_addr4(s, addr, 4));
    }
    ir_st_env(f, fsw, FPU_OFF(fsw), MO_16);
    if (pop) {
        x87_pop(s, s->fptop);
    }
}

/* FSTP m80: a copy of ST(0), C1 = 0, pop. */
static void x87_mem_st80(DisasContext *s, IRTemp addr)
{
    IRTemp a[3];

    x87_ld_reg(s, s->fptop, a);
    gen_probe_split_store(s, addr, 10);
    gen_st_mem(s, MO_32, a[0], addr);
    gen_st_mem(s, MO_32, a[1], x87_addr4(s, addr, 4));
    gen_st_mem(s, MO_16, a[2], x87_addr4(s, addr, 8));
    x87_clear_c1(s);
    x87_pop(s, s->fptop);
}

/* FLDCW m16: to slow when the new masks uncover a pending exception (ES
 * would be set: the helper does that). */
static void x87_fldcw(DisasContext *s, IRTemp addr, unsigned slow)
{
    IRFunc *f = s->f;
    IRTemp cw = gen_ld_mem(s, MO_16, addr), fsw = ir_new_temp(f);
    IRTemp m = ir_new_temp(f);

    ir_binopi(f, IR_and, cw, cw, 0x1f7f);
    ir_binopi(f, IR_or, cw, cw, FCW_RESERVED_ONES);
    ir_binopi(f, IR_and, m, cw, X80_EXC_MASK);
    ir_binopi(f, IR_xor, m, m, X80_EXC_MASK);
    ir_ld_env(f, fsw, FPU_OFF(fsw), MO_16);
    ir_binop(f, IR_and, m, m, fsw);
    ir_brcond(f, IR_COND_NE, m, ir_const(f, 0), slow);
    ir_st_env(f, cw, FPU_OFF(fcw), MO_16);
}

/*
 * The memory forms of x87_direct_mem, TOP = s->fptop: guard, FPU IP/DP
 * (non-control forms), then the access inline and one direct helper.
 */
static void x87_mem_body(DisasContext *s, const X86Insn *insn, unsigned slow)
{
    IRFunc *f = s->f;
    unsigned esc = insn->opcode & 7, modrm = insn->modrm;
    unsigned reg = (modrm >> 3) & 7, top = s->fptop;
    unsigned p0 = top, p7 = (top + 7) & 7;
    bool control = (esc == 1 && (reg == 5 || reg == 7)) ||
                   (esc == 5 && reg == 7);
    bool push = reg == 0 || (esc == 3 && reg == 5) || (esc == 7 && reg == 5);
    IRTemp addr, lo, hi;

    if (control) {
        x87_guard(s, slow, 0, 0);
    } else if (push && (esc & 1)) {
        x87_guard(s, slow, 1u << p7, 0);
    } else {
        x87_guard(s, slow, 1u << p0, 1u << p0);
    }
    addr = gen_linear_addr(s, insn);
    if (!control) {
        x87_record_ip(s, esc, modrm);
        x87_record_dp(s, insn);
    }
    if (!(esc & 1)) {                       /* D8 DA DC DE arithmetic */
        hi = ir_const(f, 0);
        lo = gen_ld_mem(s, esc == 6 ? MO_16 : MO_32, addr);
        if (esc == 4) {
            hi = gen_ld_mem(s, MO_32, x87_addr4(s, addr, 4));
        }
        gen_helper(s, HELPER_fp_marith, 3, ir_const(f, esc | reg << 4), lo,
                   hi);
        return;
    }
    switch (esc << 3 | reg) {
    case 1 << 3 | 0: x87_mem_load(s, FP_LD_F32, addr); break;
    case 5 << 3 | 0: x87_mem_load(s, FP_LD_F64, addr); break;
    case 3 << 3 | 5: x87_mem_load(s, FP_LD_F80, addr); break;
    case 7 << 3 | 0: x87_mem_load(s, FP_LD_I16, addr); break;
    case 3 << 3 | 0: x87_mem_load(s, FP_LD_I32, addr); break;
    case 7 << 3 | 5: x87_mem_load(s, FP_LD_I64, addr); break;
    case 1 << 3 | 2: case 1 << 3 | 3:
        x87_mem_store(s, MF_F32, reg == 3, addr, slow);
        break;
    case 5 << 3 | 2: case 5 << 3 | 3:
        x87_mem_store(s, MF_F64, reg == 3, addr, slow);
        break;
    case 7 << 3 | 2: case 7 << 3 | 3:
        x87_mem_store(s, MF_I16, reg == 3, addr, slow);
        break;
    case 3 << 3 | 2: case 3 << 3 | 3:
        x87_mem_store(s, MF_I32, reg == 3, addr, slow);
        break;
    case 7 << 3 | 7: x87_mem_store(s, MF_I64, true, addr, slow); break;
    case 3 << 3 | 7: x87_mem_st80(s, addr); break;
    case 1 << 3 | 5: x87_fldcw(s, addr, slow); break;
    case 1 << 3 | 7:                                        /* FNSTCW */
        lo = ir_new_temp(f);
        ir_ld_env(f, lo, FPU_OFF(fcw), MO_16);
        gen_st_mem(s, MO_16, lo, addr);
        break;
    default:                                                /* FNSTSW m */
        gen_st_mem(s, MO_16, x87_fsw_value(s), addr);
        break;
    }
}

/* The register forms of x87_direct_reg: guard, FPU IP, one helper call or
 * the IR body. */
static bool x87_reg_body(DisasContext *s, unsigned esc, unsigned modrm,
                         unsigned slow, bool probe)
{
    unsigned id, mask, want;
    uint32_t code = 0;

    if (!x87_direct_reg(s, esc, modrm, &id, &code, &mask, &want)) {
        return false;
    }
    if (probe) {
        return true;
    }
    x87_guard(s, slow, mask, want);
    if (id == HELPER_COUNT) {
        x87_reg_ir(s, esc, modrm);
        return true;
    }
    x87_record_ip(s, esc, modrm);
    gen_helper(s, id, 1, ir_const(s->f, code));
    if (id == HELPER_fp_comi) {
        gen_cc_op_synced(s, CC_OP_EFLAGS);
    }
    return true;
}

/* The helper call of an x87 row (every form, the fast forms' slow path). */
static void gen_x87_call(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    unsigned esc = insn->opcode & 7, modrm = insn->modrm;
    bool mem = (modrm >> 6) != 3;
    uint32_t ctl = modrm | esc << FPU_CTL_ESC_SHIFT |
                   (insn->opsize == 4 ? FPU_CTL_O32 : 0);
    IRTemp addr = ir_const(f, 0), ea = ir_const(f, 0);
    bool st = false;

    if (mem) {
        ctl |= (uint32_t)insn->mem.seg << FPU_CTL_SEG_SHIFT;
        addr = gen_linear_addr(s, insn);
        ea = gen_ea_offset(s, insn);
        st = x87_mem_writes(esc, (modrm >> 3) & 7);
    }
    gen_helper(s, st ? HELPER_x87_st :
                  (esc == 7 && modrm == 0xe0) ? HELPER_x87_gpr : HELPER_x87,
               4, ir_const(f, ctl), addr, ir_const(f, insn->eip), ea);
    if (insn->def->flags_written) {
        /* FCOMI / FUCOMI (+P): the helper stored cc_op = EFLAGS */
        gen_cc_op_synced(s, CC_OP_EFLAGS);
    }
}

/* Any x87 row: a register move in IR (x87_fast_body) with the helper call
 * as its slow path, or the helper call alone. */
void gen_x87(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    unsigned esc = insn->opcode & 7, modrm = insn->modrm;
    unsigned slow, done;

    bool mem = (modrm >> 6) != 3;

    if (x87_fast_form(esc, modrm) ||
        (mem ? x87_direct_mem(esc, (modrm >> 3) & 7) :
               x87_reg_body(s, esc, modrm, 0, true))) {
        /* lazy flags stored on both paths, not only in the helper's */
        gen_update_cc_op(s);
        slow = ir_new_label(f);
        done = ir_new_label(f);
        if (x87_fast_form(esc, modrm)) {
            x87_fast_body(s, esc, modrm, slow);
        } else if (mem) {
            x87_mem_body(s, insn, slow);
        } else {
            x87_reg_body(s, esc, modrm, slow, false);
        }
        ir_br(f, done);
        ir_set_label(f, slow);
        gen_x87_call(s, insn);
        ir_set_label(f, done);
    } else {
        gen_x87_call(s, insn);
    }
    s->fptop = x87_next_top(s->fptop, insn->def);
}

/* WAIT / FWAIT. */
void gen_fwait(DisasContext *s, const X86Insn *insn)
{
    (void)insn;
    gen_helper(s, HELPER_fwait, 0);
}

/* FXSAVE m512. */
void gen_fxsave(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_fxsave, 1, gen_linear_addr(s, insn));
}

/* FXRSTOR m512. */
void gen_fxrstor(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_fxrstor, 1, gen_linear_addr(s, insn));
}

/* Any MMX row: one helper call (opcode, ModRM, imm8; memory address). */
void gen_mmx(DisasContext *s, const X86Insn *insn)
{
    IRFunc *f = s->f;
    uint32_t ctl = insn->opcode | (uint32_t)insn->modrm << 8;
    IRTemp addr = ir_const(f, 0);
    bool mem = insn->has_modrm && (insn->modrm >> 6) != 3;
    unsigned i;

    for (i = 0; i < insn->nops; i++) {
        if (insn->op[i].kind == OPK_IMM) {
            ctl |= (insn->op[i].imm & 0xff) << 16;
        }
    }
    if (mem) {
        addr = gen_linear_addr(s, insn);
    }
    gen_helper(s, mem && (insn->opcode == 0x7e || insn->opcode == 0x7f) ?
                  HELPER_mmx_st :
                  !mem && insn->opcode == 0x7e ? HELPER_mmx_gpr : HELPER_mmx,
               2, ir_const(f, ctl), addr);
    s->fptop = 0;                       /* every MMX insn (EMMS too) */
}
