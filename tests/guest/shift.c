/*
 * shift: shl/shr/sar/rol/ror/rcl/rcr/shld/shrd with counts 0, 1, >1 and
 * larger than the operand width, CL / imm8 / implicit-1 / memory forms.
 * Only defined flags are printed:
 *   count 0            flags unchanged (all printed)
 *   shifts             CF (count < width), SF ZF PF; OF only for count 1
 *   rotates            CF; OF only for count 1
 *   shld/shrd          CF SF ZF PF, OF for count 1; 16-bit count > 16 skipped
 */
#include "lib/lib.h"

const char kernel_name[] = "shift";

static const uint32_t vals[] = {
    0, 1, 0x80, 0x81, 0x8000, 0x80000000, 0xc0000001, 0x12345678,
    0xfedcba98, 0xffffffff,
};
static const uint8_t counts[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255 };
#define NV (sizeof(vals) / sizeof(vals[0]))
#define NC (sizeof(counts) / sizeof(counts[0]))

#define SH(fn, insn, sfx, mod, cons)                                         \
static uint32_t fn(uint32_t a, uint32_t c, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile("pushl %[fi]; popfl; " insn sfx " %%cl, %" mod "[a]; "  \
                     "pushfl; popl %[f]"                                     \
                     : [a] "+" cons(a), [f] "=&r"(f)                         \
                     : "c"(c), [fi] "r"(fi) : "cc");                         \
    *fo = f;                                                                 \
    return a;                                                                \
}
#define SH3(name, insn)                                                      \
    SH(name##8, insn, "b", "b", "q")                                         \
    SH(name##16, insn, "w", "w", "r")                                        \
    SH(name##32, insn, "l", "k", "r")

SH3(shl, "shl")
SH3(shr, "shr")
SH3(sar, "sar")
SH3(rol, "rol")
SH3(ror, "ror")
SH3(rcl, "rcl")
SH3(rcr, "rcr")

/* shld/shrd dst, src, cl: b supplies the bits shifted in. */
static uint32_t dbl_b;
#define SHD(fn, insn, mod)                                                   \
static uint32_t fn(uint32_t a, uint32_t c, uint32_t fi, uint32_t *fo)        \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile("pushl %[fi]; popfl; " insn " %%cl, %" mod "[b], %"     \
                     mod "[a]; pushfl; popl %[f]"                            \
                     : [a] "+r"(a), [f] "=&r"(f)                             \
                     : [b] "r"(dbl_b), "c"(c), [fi] "r"(fi) : "cc");         \
    *fo = f;                                                                 \
    return a;                                                                \
}
SHD(shld16, "shldw", "w")
SHD(shld32, "shldl", "k")
SHD(shrd16, "shrdw", "w")
SHD(shrd32, "shrdl", "k")

typedef uint32_t (*ShFn)(uint32_t, uint32_t, uint32_t, uint32_t *);
enum { K_SHIFT, K_ROT, K_RC, K_DBL };
typedef struct Op {
    const char *name;
    ShFn fn;
    uint32_t width;
    int kind;
} Op;

static const Op ops[] = {
    { "shl8", shl8, 8, K_SHIFT }, { "shl16", shl16, 16, K_SHIFT },
    { "shl32", shl32, 32, K_SHIFT },
    { "shr8", shr8, 8, K_SHIFT }, { "shr16", shr16, 16, K_SHIFT },
    { "shr32", shr32, 32, K_SHIFT },
    { "sar8", sar8, 8, K_SHIFT }, { "sar16", sar16, 16, K_SHIFT },
    { "sar32", sar32, 32, K_SHIFT },
    { "rol8", rol8, 8, K_ROT }, { "rol16", rol16, 16, K_ROT },
    { "rol32", rol32, 32, K_ROT },
    { "ror8", ror8, 8, K_ROT }, { "ror16", ror16, 16, K_ROT },
    { "ror32", ror32, 32, K_ROT },
    { "rcl8", rcl8, 8, K_RC }, { "rcl16", rcl16, 16, K_RC },
    { "rcl32", rcl32, 32, K_RC },
    { "rcr8", rcr8, 8, K_RC }, { "rcr16", rcr16, 16, K_RC },
    { "rcr32", rcr32, 32, K_RC },
    { "shld16", shld16, 16, K_DBL }, { "shld32", shld32, 32, K_DBL },
    { "shrd16", shrd16, 16, K_DBL }, { "shrd32", shrd32, 32, K_DBL },
};

/* Mask of the flags the SDM defines after this op with this count. */
static uint32_t defined_flags(const Op *op, uint32_t count)
{
    uint32_t c = count & 31;
    uint32_t m;

    if (c == 0) {
        return FL_ARITH;
    }
    switch (op->kind) {
    case K_SHIFT:
        m = FL_SF | FL_ZF | FL_PF;
        if (c < op->width) {
            m |= FL_CF;
        }
        break;
    case K_DBL:
        m = FL_SF | FL_ZF | FL_PF | FL_CF;
        break;
    default:
        /* rotates: other flags are not touched, so they stay defined */
        m = FL_ARITH & ~FL_OF;
        break;
    }
    if (c == 1) {
        m |= FL_OF;
    }
    return m;
}

/* Fixed-count encodings: D0/D1 (by 1), C0/C1 (imm8), memory operands. */
static void fixed_forms(void)
{
    for (unsigned i = 0; i < NV; i++) {
        uint32_t v = vals[i], a, f;
        volatile uint32_t m;

        a = v;
        __asm__ volatile("shll %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("shl1 %08x -> %08x %03x", v, a, f & FL_ARITH & ~FL_AF);
        a = v;
        __asm__ volatile("sarb $1, %b0; pushfl; popl %1" : "+q"(a), "=r"(f) : : "cc");
        resultf("sarb1 %08x -> %08x %03x", v, a, f & FL_ARITH & ~FL_AF);
        a = v;
        __asm__ volatile("shrl $5, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("shri5 %08x -> %08x %03x", v, a, f & (FL_CF | FL_SF | FL_ZF | FL_PF));
        a = v;
        __asm__ volatile("rolw $3, %w0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("rolwi3 %08x -> %08x %03x", v, a, f & FL_CF);
        a = v;
        __asm__ volatile("stc; rcrl $1, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("rcr1 %08x -> %08x %03x", v, a, f & (FL_CF | FL_OF));
        m = v;
        __asm__ volatile("shll $4, %0; pushfl; popl %1" : "+m"(m), "=r"(f) : : "cc");
        resultf("shlm4 %08x -> %08x %03x", v, m, f & (FL_CF | FL_SF | FL_ZF | FL_PF));
        m = v;
        __asm__ volatile("rorl %0; pushfl; popl %1" : "+m"(m), "=r"(f) : : "cc");
        resultf("rorm1 %08x -> %08x %03x", v, m, f & (FL_CF | FL_OF));
        m = v;
        __asm__ volatile("sarw %%cl, %0; pushfl; popl %1" : "+m"(m), "=r"(f) : "c"(9) : "cc");
        resultf("sarwm %08x -> %08x %03x", v, m, f & (FL_CF | FL_SF | FL_ZF | FL_PF));
        m = v;
        __asm__ volatile("shldl $12, %2, %0; pushfl; popl %1"
                         : "+m"(m), "=r"(f) : "r"(0xa5a5f00f) : "cc");
        resultf("shldmi %08x -> %08x %03x", v, m, f & (FL_CF | FL_SF | FL_ZF | FL_PF));
        a = v;
        __asm__ volatile("shrdl $1, %2, %0; pushfl; popl %1"
                         : "+r"(a), "=r"(f) : "r"(0x00000001) : "cc");
        resultf("shrdi1 %08x -> %08x %03x", v, a, f & (FL_ARITH & ~FL_AF));
    }
}

void kmain(void)
{
    uint32_t f;

    check("shift.shl", shl32(3, 4, 0, &f), 48);
    check("shift.sar", sar32(0x80000000, 31, 0, &f), 0xffffffff);
    check("shift.rol", rol32(0x80000001, 1, 0, &f), 3);
    check("shift.cnt0.flags", (shl32(5, 0, FL_CF | FL_ZF, &f), f & FL_ARITH),
          FL_CF | FL_ZF);

    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        const Op *op = &ops[o];
        uint32_t wmask = op->width == 32 ? 0xffffffff : (1u << op->width) - 1;
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned c = 0; c < NC; c++) {
                uint32_t cnt = counts[c], dm = defined_flags(op, cnt);
                uint32_t f0, f1, r0, r1;
                if (op->kind == K_DBL && op->width == 16 && (cnt & 31) > 16) {
                    continue;   /* result undefined */
                }
                dbl_b = vals[(i + 3) % NV];
                r0 = op->fn(vals[i], cnt, 0, &f0);
                r1 = op->fn(vals[i], cnt, FL_ARITH, &f1);
                resultf("%s %08x %u -> %08x %03x c1 %08x %03x", op->name,
                        vals[i], cnt, r0 & wmask, f0 & dm, r1 & wmask, f1 & dm);
            }
        }
    }
    fixed_forms();
    finish(0x2e11400f);
}
