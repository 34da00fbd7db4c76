/*
 * hamt86 - 80-bit extended-precision soft-float with x87 (P6) semantics.
 *
 * A leaf library: freestanding C11, depends on nothing but core/base.h.  No
 * host FPU, no long double, no libgcc soft-float helpers (no 128-bit
 * division).  Results are bit-identical on every host.
 *
 * The reference is the x87 of a Pentium II (Intel SDM vol. 1 ch. 4 and 8,
 * vol. 2 instruction pages), checked against the real x87 of the build
 * machine by fpu/test-x80-oracle.c.  Where QEMU differs (FRNDINT, flags,
 * FXAM/FUCOM codes on special values, transcendentals) we follow the CPU.
 *
 * Register format (floatx80):
 *
 *   79  78        64 63 62                                   0
 *  +---+------------+--+--------------------------------------+
 *  | S |  exponent  | J|          fraction (63 bits)          |
 *  +---+------------+--+--------------------------------------+
 *   se = S<<15 | exponent (bias 16383)    mant = J:fraction
 *
 * Operand classes (P6 treatment):
 *   exp 0,      J=0, mant 0   zero
 *   exp 0,      J=0, mant!=0  denormal             -> DE, used as is
 *   exp 0,      J=1           pseudo-denormal      -> DE, value mant*2^-16382
 *   exp 1..7FFE J=0           unnormal             -> IE (invalid operand)
 *   exp 1..7FFE J=1           normal
 *   exp 7FFF    J=0           pseudo-inf/pseudo-NaN-> IE (invalid operand)
 *   exp 7FFF    mant=8000..0  infinity
 *   exp 7FFF    bit62=0       SNaN                 -> IE, quieted
 *   exp 7FFF    bit62=1       QNaN
 *
 * Status protocol (X80Status, passed by pointer to every operation):
 *   - cw: the x87 control word (FCW) as the guest wrote it.  Bits 0-5 are
 *     the exception masks (IM DM ZM OM UM PM), bits 8-9 precision control
 *     (PC: 0=24 bits, 2=53 bits, 3=64 bits, 1=reserved, 64 as measured),
 *     bits 10-11 rounding control (RC: 0 nearest-even, 1 down, 2 up,
 *     3 toward zero).  Read only by the library.
 *   - exc: exception flags in FSW layout (IE=0x01 DE=0x02 ZE=0x04 OE=0x08
 *     UE=0x10 PE=0x20), ORed in by each operation (never cleared by the
 *     library).  Stack fault (SF), ES and B are the caller's.
 *   - cc / cc_mask: condition codes in FSW positions (C0=0x0100 C1=0x0200
 *     C2=0x0400 C3=0x4000).  Every operation overwrites both: cc_mask says
 *     which of C0-C3 the instruction defines, cc their values.  The caller
 *     does  fsw = (fsw & ~cc_mask) | cc | exc.  Arithmetic defines C1 only
 *     (1 = the result was rounded up in magnitude); C0/C2/C3 stay as they
 *     were, as on the CPU.
 *
 * Masked and unmasked exceptions.  The library always returns the value a
 * CPU with the exception *masked* would produce, except for OE/UE (see
 * below).  When an exception is raised that is unmasked in cw, the caller
 * decides what to write, as the SDM says:
 *   - IE, DE or ZE unmasked and raised (pre-computation exceptions): the
 *     destination (register or memory) and the stack are NOT changed; the
 *     returned value must be discarded.  x80_unmasked() tells.
 *   - OE or UE unmasked: for a register destination the library already
 *     returns the bias-adjusted result (exponent -24576 for overflow,
 *     +24576 for underflow, rounded to the precision control); the caller
 *     writes it.  For a memory destination (x80_to_f32/f64, FIST, FBSTP)
 *     nothing is stored; the caller must not store and must not pop.
 *   - PE unmasked: the result is written normally.
 * Exception priority as on the CPU (measured, see fpu/README.md):
 * invalid operand (SNaN, unsupported format) > QNaN propagation >
 * denormal operand > invalid arithmetic (inf-inf, 0*inf, 0/0, inf/inf) >
 * divide by zero > overflow / underflow > precision; except that x/0
 * (ZE), sqrt(-x), FPREM by 0 or of inf, FYL2X of 0 and FYL2XP1 of -inf
 * are detected before the denormal operand.  When a pre-computation
 * exception is unmasked, later checks are not made (their flags are not
 * raised).
 *
 * NaN propagation (two operands): SNaN+QNaN -> the QNaN; two NaNs of the
 * same kind -> larger significand (tie: the positive one); a NaN and a
 * number -> the NaN; SNaNs are returned quieted (bit 62 set).
 */
#ifndef HAMT86_FPU_SOFTFLOAT_X80_H
#define HAMT86_FPU_SOFTFLOAT_X80_H

#include "core/base.h"

/* 80-bit extended-precision value: explicit integer bit J in mant bit 63. */
typedef struct floatx80 {
    uint64_t mant;          /* J:fraction */
    uint16_t se;            /* sign << 15 | biased exponent */
} floatx80;

/* FSW exception flag bits (also the FCW mask bits). */
#define X80_IE  0x0001u     /* invalid operation */
#define X80_DE  0x0002u     /* denormal operand */
#define X80_ZE  0x0004u     /* zero divide */
#define X80_OE  0x0008u     /* overflow */
#define X80_UE  0x0010u     /* underflow */
#define X80_PE  0x0020u     /* precision (inexact) */
#define X80_EXC_MASK 0x003fu

/* FSW condition code bits. */
#define X80_C0  0x0100u
#define X80_C1  0x0200u
#define X80_C2  0x0400u
#define X80_C3  0x4000u
#define X80_CC_MASK (X80_C0 | X80_C1 | X80_C2 | X80_C3)

/* FCW fields. */
#define X80_CW_PC_SHIFT 8
#define X80_CW_RC_SHIFT 10
#define X80_PC_24 0
#define X80_PC_53 2
#define X80_PC_64 3
#define X80_RC_NEAREST 0
#define X80_RC_DOWN    1
#define X80_RC_UP      2
#define X80_RC_ZERO    3
#define X80_CW_DEFAULT 0x037fu  /* after FNINIT: all masked, PC=64, RN */

/* Inputs (cw) and accumulated outputs of one or more operations. */
typedef struct X80Status {
    uint16_t cw;            /* FCW: masks, PC, RC (input) */
    uint16_t exc;           /* IE..PE raised, FSW layout (ORed in) */
    uint16_t cc;            /* C0-C3 values written by the last operation */
    uint16_t cc_mask;       /* which of C0-C3 the last operation defined */
} X80Status;

/* Special encodings. */
#define X80_INDEFINITE_SE   0xffffu             /* QNaN indefinite ... */
#define X80_INDEFINITE_MANT 0xc000000000000000ull /* ... FFFF C000..0 */
#define X80_INT16_INDEFINITE ((int16_t)0x8000)
#define X80_INT32_INDEFINITE ((int32_t)0x80000000)
#define X80_INT64_INDEFINITE ((int64_t)0x8000000000000000ull)

/* Result of a comparison (also the FCOM condition code pattern). */
typedef enum X80Relation {
    X80_REL_LESS = -1,      /* C0=1          (FCOMI: CF=1) */
    X80_REL_EQUAL = 0,      /* C3=1          (FCOMI: ZF=1) */
    X80_REL_GREATER = 1,    /* all clear     (FCOMI: none) */
    X80_REL_UNORDERED = 2,  /* C3=C2=C0=1    (FCOMI: ZF=PF=CF=1) */
} X80Relation;

/* Constants loaded by FLD1/FLDZ/FLDPI/FLDL2E/FLDL2T/FLDLG2/FLDLN2. */
typedef enum X80Const {
    X80_CONST_ONE,
    X80_CONST_ZERO,
    X80_CONST_PI,
    X80_CONST_L2E,          /* log2(e) */
    X80_CONST_L2T,          /* log2(10) */
    X80_CONST_LG2,          /* log10(2) */
    X80_CONST_LN2,          /* ln(2) */
} X80Const;

/* Tag word values (FSTENV/FSAVE full tag word, 2 bits per register). */
#define X80_TAG_VALID   0
#define X80_TAG_ZERO    1
#define X80_TAG_SPECIAL 2   /* NaN, inf, denormal, unsupported */
#define X80_TAG_EMPTY   3

/* ---- status helpers -------------------------------------------------- */

/* Status ready for a sequence of operations under control word cw. */
static inline X80Status x80_status_init(uint16_t cw)
{
    X80Status s = { cw, 0, 0, 0 };
    return s;
}

/* Exceptions raised so far that are unmasked in cw (IE..PE bits). */
static inline unsigned x80_unmasked(const X80Status *s)
{
    return s->exc & ~s->cw & X80_EXC_MASK;
}

/*
 * True when the caller must not write the destination: an unmasked IE, DE
 * or ZE was raised (register and memory destinations), or an unmasked OE or
 * UE for a memory destination (mem=true).
 */
static inline bool x80_suppress_write(const X80Status *s, bool mem)
{
    unsigned u = x80_unmasked(s);
    return (u & (X80_IE | X80_DE | X80_ZE)) ||
           (mem && (u & (X80_OE | X80_UE)));
}

/*
 * FLD m32/m64 only: true when the value must not be pushed (an unmasked
 * IE for an SNaN).  An unmasked DE still pushes the (normalised) value.
 */
static inline bool x80_suppress_load(const X80Status *s)
{
    return (x80_unmasked(s) & X80_IE) != 0;
}

/* ---- construction and classification --------------------------------- */

/* Build a value from its fields. */
static inline floatx80 x80_make(bool sign, uint16_t exp, uint64_t mant)
{
    floatx80 r = { mant, (uint16_t)((sign ? 0x8000 : 0) | (exp & 0x7fff)) };
    return r;
}

/* Sign bit. */
static inline bool x80_sign(floatx80 a) { return a.se >> 15; }
/* Biased exponent. */
static inline uint16_t x80_exp(floatx80 a) { return a.se & 0x7fff; }

/* QNaN indefinite (FFFF C000000000000000). */
static inline floatx80 x80_indefinite(void)
{
    floatx80 r = { X80_INDEFINITE_MANT, X80_INDEFINITE_SE };
    return r;
}

/* Any NaN, including SNaN (exp 7FFF, J=1, fraction != 0). */
bool x80_is_nan(floatx80 a);
/* SNaN: NaN with bit 62 clear. */
bool x80_is_snan(floatx80 a);
/* Unsupported format: unnormal, pseudo-NaN, pseudo-infinity. */
bool x80_is_unsupported(floatx80 a);
/* Denormal or pseudo-denormal (exponent field 0, mant != 0). */
bool x80_is_denormal(floatx80 a);

/* Tag of a non-empty register as FSTENV/FSAVE/FXSAVE report it. */
unsigned x80_tag(floatx80 a);

/*
 * FXAM: classify a (empty = the register is tagged empty).  Defines C0-C3:
 * C1 = sign (also for empty), and C3,C2,C0 =
 *   000 unsupported   001 NaN        010 normal     011 infinity
 *   100 zero          101 empty      110 denormal (incl. pseudo-denormal)
 * No exceptions.
 */
void x80_fxam(floatx80 a, bool empty, X80Status *s);

/* ---- arithmetic (FADD/FSUB/FMUL/FDIV/FSQRT honour precision control) --- */

/* a + b  (FADD). Defines C1. */
floatx80 x80_add(floatx80 a, floatx80 b, X80Status *s);
/* a - b  (FSUB; FSUBR is x80_sub(b, a)). Defines C1. */
floatx80 x80_sub(floatx80 a, floatx80 b, X80Status *s);
/* a * b  (FMUL). Defines C1. */
floatx80 x80_mul(floatx80 a, floatx80 b, X80Status *s);
/* a / b  (FDIV; FDIVR is x80_div(b, a)). ZE for finite/0. Defines C1. */
floatx80 x80_div(floatx80 a, floatx80 b, X80Status *s);
/* sqrt(a) (FSQRT). -0 -> -0; negative nonzero -> IE. Defines C1. */
floatx80 x80_sqrt(floatx80 a, X80Status *s);

/* |a| (FABS): no exceptions, even for NaN/unsupported. Defines C1 = 0. */
floatx80 x80_abs(floatx80 a, X80Status *s);
/* -a (FCHS): no exceptions. Defines C1 = 0. */
floatx80 x80_chs(floatx80 a, X80Status *s);

/*
 * FRNDINT: round a to an integral value under RC (full 64-bit precision;
 * PC is ignored).  PE if inexact, C1 = rounded up.  Defines C1.
 */
floatx80 x80_rndint(floatx80 a, X80Status *s);

/*
 * FSCALE: a * 2^trunc(b) (ST0 = a, ST1 = b).  OE/UE/PE as for a rounded
 * result at 64-bit precision (PC ignored).  Defines C1.
 */
floatx80 x80_scale(floatx80 a, floatx80 b, X80Status *s);

/*
 * FXTRACT: split a into *exp_out (the unbiased exponent as a floatx80,
 * ends up in ST1) and *sig_out (significand with exponent 3FFF and a's
 * sign, ends up in ST0).  Zero: ZE, exp_out = -inf, sig_out = a.
 * Infinity: exp_out = +inf, sig_out = a.  Denormal: DE, normalised first.
 * NaN/unsupported: both outputs the (quieted / indefinite) NaN.
 * Defines C1 (= 0).
 */
void x80_xtract(floatx80 a, floatx80 *exp_out, floatx80 *sig_out,
                X80Status *s);

/*
 * FPREM (round=false: quotient truncated) and FPREM1 (round=true: IEEE
 * remainder, quotient rounded to nearest-even) of a (ST0) by b (ST1).
 * When the exponent difference is >= 64 only a partial reduction is done
 * and C2 = 1 (call again).  When complete, C2 = 0 and the three low bits
 * of the quotient are Q2 -> C0, Q1 -> C3, Q0 -> C1.  Defines C0-C3.
 * IE for a = inf or b = 0; the result is exact (no PE); UE when the
 * remainder is denormal (with unmasked UE: bias-adjusted).
 */
floatx80 x80_prem(floatx80 a, floatx80 b, bool round, X80Status *s);

/*
 * Arithmetic with a memory operand (FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR m32fp,
 * m64fp, and the FI* m16int/m32int forms).  The CPU does not convert the
 * operand first: an SNaN in memory is not quieted before the NaN rules
 * run, and a denormal memory operand raises DE in the arithmetic's own
 * order (after the NaN/invalid checks; with DE unmasked nothing else is
 * computed).  So the caller widens the operand with x80_f32_operand /
 * x80_f64_operand (raw, no flags, SNaN kept, *denormal = the source was a
 * denormal) or x80_from_int64 (m_denormal = false), then calls
 * x80_arith_mem (st0 is ST(0); SUBR/DIVR compute m - st0, m / st0).
 */
typedef enum X80ArithOp {
    X80_OP_ADD,
    X80_OP_SUB,
    X80_OP_SUBR,
    X80_OP_MUL,
    X80_OP_DIV,
    X80_OP_DIVR,
} X80ArithOp;

floatx80 x80_f32_operand(uint32_t v, bool *denormal);
floatx80 x80_f64_operand(uint64_t v, bool *denormal);
floatx80 x80_arith_mem(X80ArithOp op, floatx80 st0, floatx80 m,
                       bool m_denormal, X80Status *s);

/* ---- comparison -------------------------------------------------------- */

/*
 * Compare a with b.  quiet=true (FUCOM/FUCOMI): IE only for SNaN or an
 * unsupported operand; quiet=false (FCOM/FCOMI/FICOM/FTST): IE for any
 * NaN/unsupported operand.  DE for a denormal operand.  Unordered when
 * either is a NaN/unsupported.  -0 == +0.  Sets C3,C2,C0 as FCOM does
 * and C1 = 0 (cc_mask = all four), also when IE is unmasked (measured).
 * FCOMI/FUCOMI: EFLAGS ZF,PF,CF = 0,0,1 (less), 1,0,0 (equal), 0,0,0
 * (greater), 1,1,1 (unordered), set even on an unmasked IE; in the FSW
 * only C1 is written (0): the caller uses cc_mask = C1 and ignores the
 * other condition codes.
 */
X80Relation x80_compare(floatx80 a, floatx80 b, bool quiet, X80Status *s);

/*
 * FCOM/FCOMP/FUCOM m32fp/m64fp and FICOM m16int/m32int: as x80_compare,
 * with the memory operand widened as for x80_arith_mem.
 */
X80Relation x80_compare_mem(floatx80 st0, floatx80 m, bool m_denormal,
                            bool quiet, X80Status *s);

/* FTST: x80_compare(a, +0.0, false). */
X80Relation x80_tst(floatx80 a, X80Status *s);

/* ---- integer conversions ---------------------------------------------- */

/* FILD: exact conversion, no exceptions (int16/int32 widen to int64). */
floatx80 x80_from_int64(int64_t v);

/*
 * FIST/FISTP: round a to an integer under RC (PC ignored).  Out of range,
 * NaN, infinity or unsupported -> IE and the integer indefinite (the
 * caller stores it only when IM is set).  PE if inexact, C1 = rounded up.
 * No DE, even for a denormal operand (measured).  Defines C1.
 */
int16_t x80_to_int16(floatx80 a, X80Status *s);
int32_t x80_to_int32(floatx80 a, X80Status *s);
int64_t x80_to_int64(floatx80 a, X80Status *s);

/* ---- memory floating-point formats ------------------------------------- */

/*
 * FLD m32/m64: widen (exact).  SNaN -> IE, returned quieted; a denormal
 * operand -> DE (returned normalised).  Defines C1 = 0.  The push is
 * suppressed only by an unmasked IE (x80_suppress_load), not by DE.
 */
floatx80 x80_from_f32(uint32_t v, X80Status *s);
floatx80 x80_from_f64(uint64_t v, X80Status *s);

/*
 * FST/FSTP m32/m64: round to the memory format under RC (PC ignored).
 * NaN -> quieted, truncated NaN (SNaN: IE); unsupported -> IE, the memory
 * format's indefinite; OE/UE/PE, masked responses as the CPU writes them
 * (overflow: inf or largest finite by RC; underflow: denormal or zero).
 * No DE for a denormal operand (measured).  Defines C1.  On unmasked
 * OE/UE/IE the caller stores nothing (x80_suppress_write(s, true)); an
 * unmasked OE/UE raises no PE then.
 */
uint32_t x80_to_f32(floatx80 a, X80Status *s);
uint64_t x80_to_f64(floatx80 a, X80Status *s);

/*
 * FBLD: 10-byte packed BCD (bytes 0-8: 18 digits, two per byte, low digit
 * in the low nibble, byte 0 least significant; byte 9 bit 7: sign) to
 * floatx80, exact.  Invalid digits are undefined on the CPU; we decode them
 * as their binary nibble value.  Defines C1 = 0.
 */
floatx80 x80_from_bcd(const uint8_t bcd[10], X80Status *s);

/*
 * FBSTP: round a to an integer under RC and store as packed BCD.  Out of
 * range (|value| >= 10^18), NaN, infinity, unsupported -> IE and BCD
 * indefinite (FF FF C0 00.. in bytes 9..7, i.e. bytes 0-6 = 0, byte 7 =
 * 0xC0, bytes 8-9 = 0xFF).  PE / C1 as FIST.  Defines C1.
 */
void x80_to_bcd(floatx80 a, uint8_t bcd[10], X80Status *s);

/* ---- constants ---------------------------------------------------------- */

/*
 * FLD1..FLDLN2: the constant as the P6 loads it.  The internal constants
 * carry more than 64 bits; under RC down / toward zero / up the result is
 * rounded accordingly (PI, L2E, LG2, LN2 differ from round-to-nearest by
 * 1 ulp in some modes; L2T too).  No PE is raised.  Defines C1 = 0.
 */
floatx80 x80_const(X80Const c, X80Status *s);

/* ---- transcendentals --------------------------------------------------- */

/*
 * F2XM1: 2^a - 1 for -1 <= a <= +1.  |a| > 1 is undefined in the SDM;
 * like the reference CPU we return a unchanged with PE.  PE, UE as
 * raised; defines C1.
 */
floatx80 x80_f2xm1(floatx80 a, X80Status *s);

/*
 * FYL2X: y * log2(x) (x = ST0, y = ST1; the result replaces ST1, then
 * pop).  x < 0 -> IE; x = 0 -> ZE (y finite nonzero) giving -/+inf.  PE
 * always (even when x is a power of two); defines C1.
 */
floatx80 x80_fyl2x(floatx80 x, floatx80 y, X80Status *s);

/*
 * FYL2XP1: y * log2(x + 1) for |x| < 1 - sqrt(2)/2 (result replaces ST1,
 * then pop).  Outside that range the SDM leaves it undefined; like the
 * reference CPU, x <= -1 returns x with PE, and other x are computed.
 * Defines C1.
 */
floatx80 x80_fyl2xp1(floatx80 x, floatx80 y, X80Status *s);

/*
 * FPTAN: tan(a).  Returns false (and sets C2 = 1, no other effect; the
 * operand stays) when |a| >= 2^63.  Otherwise C2 = 0, *res = tan(a)
 * replaces ST0 and the caller pushes 1.0 -- except when *res is a NaN
 * (NaN operand, or inf/unsupported -> IE and indefinite): then the CPU
 * pushes that NaN again (push x80_is_nan(*res) ? *res : 1.0).  Nothing
 * is written on unmasked IE/DE (x80_suppress_write).  Defines C1 and C2.
 */
bool x80_fptan(floatx80 a, floatx80 *res, X80Status *s);

/*
 * FPATAN: atan(y / x) with the quadrant of (x, y) (x = ST0, y = ST1; the
 * result replaces ST1).  Defines C1.
 */
floatx80 x80_fpatan(floatx80 x, floatx80 y, X80Status *s);

/*
 * FSIN / FCOS: false with C2 = 1 when |a| >= 2^63 (operand unchanged).
 * Reduction modulo pi uses the x87's 66-bit pi.  Defines C1 and C2.
 */
bool x80_fsin(floatx80 a, floatx80 *res, X80Status *s);
bool x80_fcos(floatx80 a, floatx80 *res, X80Status *s);

/*
 * FSINCOS: *sin_out replaces ST0, then *cos_out is pushed.  False with
 * C2 = 1 when |a| >= 2^63.  Defines C1 and C2.
 */
bool x80_fsincos(floatx80 a, floatx80 *sin_out, floatx80 *cos_out,
                 X80Status *s);

#endif
