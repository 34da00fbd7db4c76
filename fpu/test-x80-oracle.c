/*
 * hamt86 - fpu/ library against the real x87 of the build machine
 * (x86_64 builds only; hosted).
 *
 * Each case loads b then a (ST0 = a, ST1 = b) under a random control word,
 * runs one x87 instruction, and takes the whole FPU state with FNSAVE (a
 * no-wait instruction, so unmasked exceptions never trap):
 *
 *   fninit; fldcw cw; fld tbyte b; fld tbyte a; <insn>; fnsave image
 *
 * The model runs the library plus the caller protocol documented in
 * fpu/softfloat-x80.h (what fpu-insn does: suppressed writes on unmasked
 * IE/DE/ZE, pushes and pops) and must produce the same FSW (exceptions,
 * ES/B, C0-C3, TOP), the same stack contents and the same memory bytes.
 * Everything must be bit-exact except the transcendentals, which may
 * differ by one unit in the last place of the 64-bit significand (with
 * C1/PE following the rounding); those are counted and printed.
 *
 * Usage: test-x80-oracle [iterations]   env X80_SEED=<n> picks the seed,
 * X80_OP=<name> one operation, X80_NO_EDGE=1 skips the edge-operand phase,
 * X80_SHOWULP=<n> prints the first n 1-ulp cases per operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base.h"
#include "fpu/softfloat-x80.h"
#include "fpu/test-x80-gen.h"

/* The operations under test (one x87 instruction each). */
#define OPS(X) \
    X(ADD, "fadd %%st(1), %%st", 0) \
    X(SUB, "fsub %%st(1), %%st", 0) \
    X(SUBR, "fsubr %%st(1), %%st", 0) \
    X(MUL, "fmul %%st(1), %%st", 0) \
    X(DIV, "fdiv %%st(1), %%st", 0) \
    X(DIVR, "fdivr %%st(1), %%st", 0) \
    X(SQRT, "fsqrt", 0) \
    X(ABS, "fabs", 0) \
    X(CHS, "fchs", 0) \
    X(RNDINT, "frndint", 0) \
    X(SCALE, "fscale", 0) \
    X(XTRACT, "fxtract", 0) \
    X(PREM, "fprem", 0) \
    X(PREM1, "fprem1", 0) \
    X(COM, "fcom %%st(1)", 0) \
    X(UCOM, "fucom %%st(1)", 0) \
    X(TST, "ftst", 0) \
    X(XAM, "fxam", 0) \
    X(FILD16, "filds %[m]", 0) \
    X(FILD32, "fildl %[m]", 0) \
    X(FILD64, "fildll %[m]", 0) \
    X(FIST16, "fists %[m]", 0) \
    X(FIST32, "fistl %[m]", 0) \
    X(FISTP64, "fistpll %[m]", 0) \
    X(FLD32, "flds %[m]", 0) \
    X(FLD64, "fldl %[m]", 0) \
    X(FST32, "fsts %[m]", 0) \
    X(FST64, "fstl %[m]", 0) \
    X(FBLD, "fbld %[m]", 0) \
    X(FBSTP, "fbstp %[m]", 0) \
    X(LD1, "fld1", 0) \
    X(LDZ, "fldz", 0) \
    X(LDPI, "fldpi", 0) \
    X(LDL2E, "fldl2e", 0) \
    X(LDL2T, "fldl2t", 0) \
    X(LDLG2, "fldlg2", 0) \
    X(LDLN2, "fldln2", 0) \
    X(FADD32, "fadds %[m]", 0) \
    X(FSUBR64, "fsubrl %[m]", 0) \
    X(FMUL64, "fmull %[m]", 0) \
    X(FDIV32, "fdivs %[m]", 0) \
    X(FIADD16, "fiadds %[m]", 0) \
    X(FIDIVR32, "fidivrl %[m]", 0) \
    X(FCOM32, "fcoms %[m]", 0) \
    X(FICOM16, "ficoms %[m]", 0) \
    X(FXAM_EMPTY, "ffree %%st(0)\n\tfxam", 0) \
    X(FCOMI_Z, "fcomi %%st(1), %%st\n\tsetz %[m]", 0) \
    X(FCOMI_P, "fcomi %%st(1), %%st\n\tsetp %[m]", 0) \
    X(FUCOMI_Z, "fucomi %%st(1), %%st\n\tsetz %[m]", 0) \
    X(FUCOMI_C, "fucomi %%st(1), %%st\n\tsetc %[m]", 0) \
    X(F2XM1, "f2xm1", 1) \
    X(FYL2X, "fyl2x", 1) \
    X(FYL2XP1, "fyl2xp1", 1) \
    X(FPTAN, "fptan", 1) \
    X(FPATAN, "fpatan", 1) \
    X(FSIN, "fsin", 1) \
    X(FCOS, "fcos", 1) \
    X(FSINCOS, "fsincos", 1)

#define X_ENUM(n, i, t) OP_##n,
enum { OPS(X_ENUM) OP_COUNT };

typedef void HwFn(uint16_t cw, const uint8_t *a, const uint8_t *b,
                  uint8_t *mem, uint8_t *save);

/* One function per instruction: the sequence in the header comment. */
#define X_HW(n, insn, t)                                                    \
static void hw_##n(uint16_t cw, const uint8_t *a, const uint8_t *b,         \
                   uint8_t *mem, uint8_t *save)                             \
{                                                                           \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"  \
                     insn "\n\tfnsave %[sv]"                                \
                     : [sv] "=m" (*(uint8_t (*)[108])save),                 \
                       [m] "+m" (*(uint8_t (*)[10])mem)                     \
                     : [cw] "m" (cw),                                       \
                       [a] "m" (*(const uint8_t (*)[10])a),                 \
                       [b] "m" (*(const uint8_t (*)[10])b));                \
}
OPS(X_HW)

#define X_TAB(n, i, t) { #n, hw_##n, t },
static const struct {
    const char *name;
    HwFn *hw;
    int trans;
} ops[] = { OPS(X_TAB) };

/* Observable state after one instruction. */
typedef struct Out {
    int depth;
    uint16_t fsw;
    floatx80 st[3];
    uint8_t mem[10];
} Out;

/* floatx80 <-> 10 memory bytes. */
static void to_bytes(floatx80 v, uint8_t *p)
{
    memcpy(p, &v.mant, 8);
    memcpy(p + 8, &v.se, 2);
}

/* 10 memory bytes -> floatx80. */
static floatx80 from_bytes(const uint8_t *p)
{
    floatx80 v;
    memcpy(&v.mant, p, 8);
    memcpy(&v.se, p + 8, 2);
    return v;
}

/* Run the real instruction. */
static Out run_hw(int op, uint16_t cw, floatx80 a, floatx80 b,
                  const uint8_t *mem)
{
    uint8_t ab[10], bb[10], save[108];
    Out o;
    int i;

    to_bytes(a, ab);
    to_bytes(b, bb);
    memcpy(o.mem, mem, 10);
    ops[op].hw(cw, ab, bb, o.mem, save);
    memcpy(&o.fsw, save + 4, 2);
    o.depth = 8 - ((o.fsw >> 11) & 7);
    for (i = 0; i < 3; i++) {
        o.st[i] = from_bytes(save + 28 + 10 * i);
    }
    return o;
}

/* Push onto the model stack. */
static void push(Out *o, floatx80 v)
{
    o->st[2] = o->st[1];
    o->st[1] = o->st[0];
    o->st[0] = v;
    o->depth++;
}

/* Pop the model stack. */
static void pop(Out *o)
{
    o->st[0] = o->st[1];
    o->st[1] = o->st[2];
    o->depth--;
}

/* The library plus the caller protocol of softfloat-x80.h. */
static Out run_model(int op, uint16_t cw, floatx80 a, floatx80 b,
                     const uint8_t *mem)
{
    X80Status s = x80_status_init(cw);
    Out o;
    floatx80 r, r2;
    bool ok, den = false;
    int64_t iv;

    memset(&o, 0, sizeof(o));
    o.depth = 2;
    o.st[0] = a;
    o.st[1] = b;
    memcpy(o.mem, mem, 10);

#define REG_RESULT(expr) \
    do { r = (expr); if (!x80_suppress_write(&s, false)) o.st[0] = r; } while (0)
    switch (op) {
    case OP_ADD:  REG_RESULT(x80_add(a, b, &s)); break;
    case OP_SUB:  REG_RESULT(x80_sub(a, b, &s)); break;
    case OP_SUBR: REG_RESULT(x80_sub(b, a, &s)); break;
    case OP_MUL:  REG_RESULT(x80_mul(a, b, &s)); break;
    case OP_DIV:  REG_RESULT(x80_div(a, b, &s)); break;
    case OP_DIVR: REG_RESULT(x80_div(b, a, &s)); break;
    case OP_SQRT: REG_RESULT(x80_sqrt(a, &s)); break;
    case OP_ABS:  REG_RESULT(x80_abs(a, &s)); break;
    case OP_CHS:  REG_RESULT(x80_chs(a, &s)); break;
    case OP_RNDINT: REG_RESULT(x80_rndint(a, &s)); break;
    case OP_SCALE: REG_RESULT(x80_scale(a, b, &s)); break;
    case OP_PREM:  REG_RESULT(x80_prem(a, b, false, &s)); break;
    case OP_PREM1: REG_RESULT(x80_prem(a, b, true, &s)); break;
    case OP_F2XM1: REG_RESULT(x80_f2xm1(a, &s)); break;
    case OP_XTRACT:
        x80_xtract(a, &r, &r2, &s);
        if (!x80_suppress_write(&s, false)) {
            o.st[0] = r;
            push(&o, r2);
        }
        break;
    case OP_COM:  x80_compare(a, b, false, &s); break;
    case OP_UCOM: x80_compare(a, b, true, &s); break;
    case OP_TST:  x80_tst(a, &s); break;
    case OP_XAM:  x80_fxam(a, false, &s); break;
    case OP_FILD16:
    case OP_FILD32:
    case OP_FILD64: {
        int16_t v16;
        int32_t v32;
        int64_t v64;
        memcpy(&v16, mem, 2);
        memcpy(&v32, mem, 4);
        memcpy(&v64, mem, 8);
        push(&o, x80_from_int64(op == OP_FILD16 ? v16 :
                                op == OP_FILD32 ? v32 : v64));
        s.cc_mask = X80_C1;
        s.cc = 0;
        break;
    }
    case OP_FADD32:
    case OP_FDIV32:
    case OP_FCOM32: {
        uint32_t v;
        memcpy(&v, mem, 4);
        r2 = x80_f32_operand(v, &den);
        goto mem_arith;
    }
    case OP_FSUBR64:
    case OP_FMUL64: {
        uint64_t v;
        memcpy(&v, mem, 8);
        r2 = x80_f64_operand(v, &den);
        goto mem_arith;
    }
    case OP_FIADD16:
    case OP_FICOM16: {
        int16_t v;
        memcpy(&v, mem, 2);
        r2 = x80_from_int64(v);
        goto mem_arith;
    }
    case OP_FIDIVR32: {
        int32_t v;
        memcpy(&v, mem, 4);
        r2 = x80_from_int64(v);
    }
    mem_arith:
        switch (op) {
        case OP_FADD32:
        case OP_FIADD16:
            REG_RESULT(x80_arith_mem(X80_OP_ADD, a, r2, den, &s));
            break;
        case OP_FDIV32:
            REG_RESULT(x80_arith_mem(X80_OP_DIV, a, r2, den, &s));
            break;
        case OP_FSUBR64:
            REG_RESULT(x80_arith_mem(X80_OP_SUBR, a, r2, den, &s));
            break;
        case OP_FMUL64:
            REG_RESULT(x80_arith_mem(X80_OP_MUL, a, r2, den, &s));
            break;
        case OP_FIDIVR32:
            REG_RESULT(x80_arith_mem(X80_OP_DIVR, a, r2, den, &s));
            break;
        default:
            x80_compare_mem(a, r2, den, false, &s);
            break;
        }
        break;
    case OP_FCOMI_Z:
    case OP_FCOMI_P:
    case OP_FUCOMI_Z:
    case OP_FUCOMI_C: {
        X80Relation rel = x80_compare(a, b, op >= OP_FUCOMI_Z, &s);
        bool zf = rel == X80_REL_EQUAL || rel == X80_REL_UNORDERED;
        bool pf = rel == X80_REL_UNORDERED;
        bool cf = rel == X80_REL_LESS || rel == X80_REL_UNORDERED;
        o.mem[0] = op == OP_FCOMI_P ? pf : op == OP_FUCOMI_C ? cf : zf;
        /* FCOMI: EFLAGS get the relation, the FSW only C1 = 0 */
        s.cc_mask = X80_C1;
        s.cc = 0;
        break;
    }
    case OP_FXAM_EMPTY:
        x80_fxam(a, true, &s);
        o.depth = 2;
        break;
    case OP_FIST16:
        iv = x80_to_int16(a, &s);
        if (!x80_suppress_write(&s, true)) {
            int16_t v = (int16_t)iv;
            memcpy(o.mem, &v, 2);
        }
        break;
    case OP_FIST32:
        iv = x80_to_int32(a, &s);
        if (!x80_suppress_write(&s, true)) {
            int32_t v = (int32_t)iv;
            memcpy(o.mem, &v, 4);
        }
        break;
    case OP_FISTP64:
        iv = x80_to_int64(a, &s);
        if (!x80_suppress_write(&s, true)) {
            memcpy(o.mem, &iv, 8);
            pop(&o);
        }
        break;
    case OP_FLD32: {
        uint32_t v;
        memcpy(&v, mem, 4);
        r = x80_from_f32(v, &s);
        if (!x80_suppress_load(&s)) {
            push(&o, r);
        }
        break;
    }
    case OP_FLD64: {
        uint64_t v;
        memcpy(&v, mem, 8);
        r = x80_from_f64(v, &s);
        if (!x80_suppress_load(&s)) {
            push(&o, r);
        }
        break;
    }
    case OP_FST32: {
        uint32_t v = x80_to_f32(a, &s);
        if (!x80_suppress_write(&s, true)) {
            memcpy(o.mem, &v, 4);
        }
        break;
    }
    case OP_FST64: {
        uint64_t v = x80_to_f64(a, &s);
        if (!x80_suppress_write(&s, true)) {
            memcpy(o.mem, &v, 8);
        }
        break;
    }
    case OP_FBLD:
        push(&o, x80_from_bcd(mem, &s));
        break;
    case OP_FBSTP: {
        uint8_t bcd[10];
        x80_to_bcd(a, bcd, &s);
        if (!x80_suppress_write(&s, true)) {
            memcpy(o.mem, bcd, 10);
            pop(&o);
        }
        break;
    }
    case OP_LD1:   push(&o, x80_const(X80_CONST_ONE, &s)); break;
    case OP_LDZ:   push(&o, x80_const(X80_CONST_ZERO, &s)); break;
    case OP_LDPI:  push(&o, x80_const(X80_CONST_PI, &s)); break;
    case OP_LDL2E: push(&o, x80_const(X80_CONST_L2E, &s)); break;
    case OP_LDL2T: push(&o, x80_const(X80_CONST_L2T, &s)); break;
    case OP_LDLG2: push(&o, x80_const(X80_CONST_LG2, &s)); break;
    case OP_LDLN2: push(&o, x80_const(X80_CONST_LN2, &s)); break;
    case OP_FYL2X:
        r = x80_fyl2x(a, b, &s);
        goto pop_result;
    case OP_FYL2XP1:
        r = x80_fyl2xp1(a, b, &s);
        goto pop_result;
    case OP_FPATAN:
        r = x80_fpatan(a, b, &s);
    pop_result:
        if (!x80_suppress_write(&s, false)) {
            o.st[1] = r;
            pop(&o);
        }
        break;
    case OP_FPTAN:
        ok = x80_fptan(a, &r, &s);
        if (ok && !x80_suppress_write(&s, false)) {
            o.st[0] = r;
            push(&o, x80_is_nan(r) ? r
                                   : x80_const(X80_CONST_ONE,
                                               &(X80Status){ cw, 0, 0, 0 }));
        }
        break;
    case OP_FSIN:
        ok = x80_fsin(a, &r, &s);
        if (ok && !x80_suppress_write(&s, false)) {
            o.st[0] = r;
        }
        break;
    case OP_FCOS:
        ok = x80_fcos(a, &r, &s);
        if (ok && !x80_suppress_write(&s, false)) {
            o.st[0] = r;
        }
        break;
    case OP_FSINCOS:
        ok = x80_fsincos(a, &r, &r2, &s);
        if (ok && !x80_suppress_write(&s, false)) {
            o.st[0] = r;
            push(&o, r2);
        }
        break;
    }
#undef REG_RESULT
    o.fsw = (uint16_t)((s.cc & s.cc_mask) | s.exc |
                       (((8 - o.depth) & 7) << 11));
    if (x80_unmasked(&s)) {
        o.fsw |= 0x8080;
    }
    return o;
}

/* Position of a finite value in the ordered set of magnitudes. */
static unsigned __int128 ulp_key(floatx80 v)
{
    unsigned e = v.se & 0x7fff;

    if (e == 0 || !(v.mant >> 63)) {
        return v.mant;          /* denormal / pseudo-denormal: exp 1 */
    }
    return ((unsigned __int128)e << 63) + (v.mant - (1ull << 63));
}

/* True when v and w differ by at most one unit in the last place. */
static bool within_1ulp(floatx80 v, floatx80 w)
{
    unsigned __int128 kv, kw;

    if ((v.se ^ w.se) & 0x8000) {
        return false;
    }
    kv = ulp_key(v);
    kw = ulp_key(w);
    return (kv > kw ? kv - kw : kw - kv) <= 1;
}

/* Print one value. */
static void pr(const char *tag, floatx80 v)
{
    printf(" %s=%04x:%016llx", tag, v.se, (unsigned long long)v.mant);
}

/* Print a mismatch. */
static void report(int op, uint16_t cw, floatx80 a, floatx80 b,
                   const uint8_t *mem, const Out *h, const Out *m)
{
    int i;

    printf("MISMATCH %s cw=%04x", ops[op].name, cw);
    pr("a", a);
    pr("b", b);
    printf(" mem=");
    for (i = 9; i >= 0; i--) {
        printf("%02x", mem[i]);
    }
    printf("\n   cpu: fsw=%04x depth=%d", h->fsw, h->depth);
    for (i = 0; i < h->depth && i < 3; i++) {
        pr("st", h->st[i]);
    }
    printf(" mem=");
    for (i = 9; i >= 0; i--) {
        printf("%02x", h->mem[i]);
    }
    printf("\n   lib: fsw=%04x depth=%d", m->fsw, m->depth);
    for (i = 0; i < m->depth && i < 3; i++) {
        pr("st", m->st[i]);
    }
    printf(" mem=");
    for (i = 9; i >= 0; i--) {
        printf("%02x", m->mem[i]);
    }
    printf("\n");
}

/* Random memory operand for the memory-source instructions. */
static void gen_mem(X80Rng *r, int op, floatx80 a, uint8_t *mem)
{
    uint64_t v = x80_rng_next(r);
    int i;

    memcpy(mem, &v, 8);
    v = x80_rng_next(r);
    memcpy(mem + 8, &v, 2);
    if (op == OP_FBLD) {
        for (i = 0; i < 9; i++) {
            mem[i] = (uint8_t)(x80_rng_below(r, 10) << 4 | x80_rng_below(r, 10));
            if (x80_rng_below(r, 4) == 0) {
                mem[i] = 0;
            }
        }
        mem[9] = x80_rng_below(r, 2) ? 0x80 : 0;
    } else if (op == OP_FLD32 || op == OP_FLD64 || op == OP_FADD32 ||
               op == OP_FDIV32 || op == OP_FCOM32 || op == OP_FSUBR64 ||
               op == OP_FMUL64) {
        /* derive from a special value so zeros/denormals/NaNs are common */
        X80Status s = x80_status_init(X80_CW_DEFAULT | 0xc00);
        if (x80_rng_below(r, 2)) {
            if (op == OP_FLD32 || op == OP_FADD32 || op == OP_FDIV32 ||
                op == OP_FCOM32) {
                uint32_t f = x80_to_f32(a, &s);
                if (x80_rng_below(r, 4) == 0) {
                    f &= 0x807fffff;        /* denormal or zero */
                }
                memcpy(mem, &f, 4);
            } else {
                uint64_t f = x80_to_f64(a, &s);
                if (x80_rng_below(r, 4) == 0) {
                    f &= 0x800fffffffffffffull;
                }
                memcpy(mem, &f, 8);
            }
        }
    } else if (op == OP_FILD16 || op == OP_FILD32 || op == OP_FILD64) {
        if (x80_rng_below(r, 4) == 0) {
            memset(mem, x80_rng_below(r, 2) ? 0xff : 0, 8);
        }
    }
}

/* Per-operation counters. */
typedef struct Stats {
    long fails[OP_COUNT], ulps[OP_COUNT], runs[OP_COUNT], c1s[OP_COUNT];
    long undef[OP_COUNT];
    long total_fail, total_ulp;
} Stats;

/*
 * Operands outside the domain the SDM defines: F2XM1 with |x| > 1 and
 * FYL2XP1 with |x| >= 1 - sqrt(2)/2.  The library follows the reference
 * CPU there (see fpu/README.md); another CPU may differ.
 */
static bool undefined_domain(int op, floatx80 a)
{
    unsigned e = a.se & 0x7fff;
    bool finite = e != 0x7fff && (a.mant >> 63);

    if (op == OP_F2XM1) {
        return finite && (e > 0x3fff || (e == 0x3fff && a.mant != 1ull << 63));
    }
    if (op == OP_FYL2XP1) {
        /* 1 - sqrt(2)/2 = 0.29289... = 0x3ffd:95f619980c4336f7 */
        return finite && (e > 0x3ffd ||
                          (e == 0x3ffd && a.mant >= 0x95f619980c4336f7ull));
    }
    return false;
}

/* Run one case on the CPU and the model and classify the difference. */
static void check_case(Stats *st, int op, uint16_t cw, floatx80 a,
                       floatx80 b, const uint8_t *mem)
{
    Out h, m;
    bool same;
    int k;

    st->runs[op]++;
    h = run_hw(op, cw, a, b, mem);
    m = run_model(op, cw, a, b, mem);
    same = h.fsw == m.fsw && h.depth == m.depth &&
           memcmp(h.mem, m.mem, 10) == 0;
    for (k = 0; same && k < h.depth && k < 3; k++) {
        same = h.st[k].se == m.st[k].se && h.st[k].mant == m.st[k].mant;
    }
    if (same) {
        return;
    }
    if (ops[op].trans && h.depth == m.depth &&
        ((h.fsw ^ m.fsw) & ~(X80_C1 | X80_PE)) == 0) {
        bool near = true, vsame = true;
        for (k = 0; k < h.depth && k < 3; k++) {
            near = near && within_1ulp(h.st[k], m.st[k]);
            vsame = vsame && h.st[k].se == m.st[k].se &&
                    h.st[k].mant == m.st[k].mant;
        }
        if (near && vsame) {
            st->c1s[op]++;          /* same value, C1 (rounding) differs */
            return;
        }
        if (near) {
            if (getenv("X80_SHOWULP") &&
                st->ulps[op] < atol(getenv("X80_SHOWULP"))) {
                report(op, cw, a, b, mem, &h, &m);
            }
            st->ulps[op]++;
            st->total_ulp++;
            return;
        }
    }
    if (undefined_domain(op, a)) {
        /* the SDM leaves the result undefined: count, do not fail */
        if (st->undef[op] < 3) {
            printf("(undefined by the SDM) ");
            report(op, cw, a, b, mem, &h, &m);
        }
        st->undef[op]++;
        return;
    }
    if (st->fails[op] < 5) {
        report(op, cw, a, b, mem, &h, &m);
    }
    st->fails[op]++;
    st->total_fail++;
}

/* Edge operands for the exhaustive pairwise phase. */
static const floatx80 edges[] = {
    { 0, 0x0000 }, { 0, 0x8000 },                       /* +-0 */
    { 1ull << 63, 0x3fff }, { 1ull << 63, 0xbfff },     /* +-1 */
    { 1ull << 63, 0x3ffe }, { 1ull << 63, 0xbffe },     /* +-0.5 */
    { 1ull << 63, 0x4000 }, { 3ull << 62, 0x4000 },     /* 2, 3 */
    { 3ull << 62, 0xbfff }, { 5ull << 61, 0x4000 },     /* -1.5, 2.5 */
    { 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff },     /* +-inf */
    { 3ull << 62, 0x7fff }, { 0xc000000000000000ull, 0xffff }, /* QNaN, ind */
    { (1ull << 63) | 1, 0x7fff }, { (1ull << 63) | 5, 0xffff }, /* SNaN */
    { 1ull << 62, 0x7fff }, { 0, 0x7fff },              /* pseudo-NaN/inf */
    { 1ull << 62, 0x3fff }, { 0, 0x4005 },              /* unnormal, p-zero */
    { 1, 0x0000 }, { ~0ull >> 1, 0x8000 },              /* denormals */
    { 1ull << 63, 0x0000 }, { ~0ull, 0x8000 },          /* pseudo-denormals */
    { 1ull << 63, 0x0001 }, { ~0ull, 0x7ffe },          /* min / max normal */
    { ~0ull, 0xfffe }, { 1ull << 63, 0x8001 },
    { 0xc90fdaa22168c235ull, 0x4000 },                  /* pi */
    { 0xc90fdaa22168c235ull, 0xbfff },                  /* -pi/2 */
    { 0xc90fdaa22168c235ull, 0x3ffe },                  /* pi/4 */
    { 1ull << 63, 0x403e }, { ~0ull, 0x403d },          /* 2^63, 2^63-1 */
    { 1ull << 63, 0x403f }, { ~0ull, 0xc03e },          /* 2^64, -(2^64-1) */
    { 0x8000000000000001ull, 0x3fff }, { ~0ull, 0x3ffe }, /* 1+ulp, 1-ulp */
    { 1ull << 63, 0x400d }, { 1ull << 63, 0xc00c },     /* 16384, -8192 */
    { 0xb504f333f9de6484ull, 0x3fff },                  /* sqrt 2 */
    { 1ull << 63, 0x3fbf }, { 1ull << 63, 0xbfc0 },     /* +-2^-64, 2^-63 */
};

/* Edge phase, then random phase; non-zero exit on any mismatch. */
int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 300000;
    const char *se = getenv("X80_SEED");
    uint64_t seed = se ? strtoull(se, NULL, 0)
                       : (uint64_t)time(NULL) * 2654435761u;
    static const uint16_t edge_cws[] = {
        0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f,
        0x0340, 0x0740, 0x0b40, 0x0f40, 0x0360, 0x037e, 0x017f,
    };
    X80Rng rng = { seed };
    static Stats st;
    const char *only = getenv("X80_OP");
    long i, edge_cases = 0;
    int op;
    size_t ia, ib, ic;

    printf("fpu oracle: seed X80_SEED=0x%llx, %ld random operations\n",
           (unsigned long long)seed, iters);
    /* phase 1: every pair of edge operands, every op, a set of FCWs */
    for (op = 0; op < OP_COUNT && !getenv("X80_NO_EDGE"); op++) {
        if (only && strcmp(only, ops[op].name) != 0) {
            continue;
        }
        for (ia = 0; ia < ARRAY_SIZE(edges); ia++) {
            for (ib = 0; ib < ARRAY_SIZE(edges); ib++) {
                for (ic = 0; ic < ARRAY_SIZE(edge_cws); ic++) {
                    uint8_t mem[10];
                    gen_mem(&rng, op, edges[ib], mem);
                    check_case(&st, op, edge_cws[ic], edges[ia], edges[ib],
                               mem);
                    edge_cases++;
                }
            }
        }
    }
    /* phase 2: random operands from the generator */
    for (i = 0; i < iters; i++) {
        uint16_t cw = x80_gen_cw(&rng);
        floatx80 a = x80_gen_operand(&rng);
        floatx80 b = x80_gen_second(&rng, a);
        uint8_t mem[10];

        op = (int)x80_rng_below(&rng, OP_COUNT);
        gen_mem(&rng, op, b, mem);
        if (only && strcmp(only, ops[op].name) != 0) {
            continue;
        }
        check_case(&st, op, cw, a, b, mem);
    }
    for (op = 0; op < OP_COUNT; op++) {
        if (st.fails[op] || st.ulps[op] || st.c1s[op]) {
            printf("  %-10s %7ld runs, %6ld mismatches, %6ld results 1 ulp "
                   "off, %6ld only C1 differs\n", ops[op].name, st.runs[op],
                   st.fails[op], st.ulps[op], st.c1s[op]);
        }
        if (st.undef[op]) {
            printf("  %-10s %7ld differences outside the SDM's domain "
                   "(not failures)\n", ops[op].name, st.undef[op]);
        }
    }
    printf("fpu oracle: %ld edge + %ld random cases: %ld mismatches, %ld "
           "transcendental results 1 ulp off (seed 0x%llx)\n", edge_cases,
           iters, st.total_fail, st.total_ulp, (unsigned long long)seed);
    return st.total_fail ? 1 : 0;
}
