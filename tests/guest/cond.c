/*
 * cond: the 16 conditions through setcc, cmovcc, short jcc and near jcc,
 * first from every OF/SF/ZF/PF/CF combination loaded by popf, then after
 * real cmp/test/add/sub/inc/dec/shift/logic on value pairs (the lazy-flag
 * paths); then loop/loope/loopne/jcxz/jecxz.
 */
#include "lib/lib.h"

const char kernel_name[] = "cond";

#define CC_LIST(X) X(o) X(no) X(b) X(ae) X(e) X(ne) X(be) X(a) \
                   X(s) X(ns) X(p) X(np) X(l) X(ge) X(le) X(g)

/* setcc of all 16 conditions from flags f -> bit mask. */
static uint32_t set_mask(uint32_t f)
{
    uint32_t m = 0, b, i = 0;
#define X(cc) \
    __asm__ volatile("pushl %1; popfl; set" #cc " %b0; movzbl %b0, %0" : "=q"(b) : "r"(f) : "cc"); \
    m |= b << i++;
    CC_LIST(X)
#undef X
    return m;
}

/* cmovcc (register and memory source) of all 16 conditions. */
static uint32_t cmov_mask(uint32_t f)
{
    uint32_t m = 0, r, i = 0;
    volatile uint32_t one = 1;
#define X(cc) \
    r = 0; \
    __asm__ volatile("pushl %2; popfl; cmov" #cc "l %3, %0; cmov" #cc "w %1, %w0" \
                     : "+r"(r) : "m"(one), "r"(f), "r"(0x10001) : "cc"); \
    m |= (r == 0x10001 ? 1u : r == 0 ? 0 : 0x100u) << i++;
    CC_LIST(X)
#undef X
    return m;
}

/* short jcc of all 16 conditions. */
static uint32_t jcc_mask(uint32_t f)
{
    uint32_t m = 0, b, i = 0;
#define X(cc) \
    __asm__ volatile("pushl %1; popfl; movl $1, %0; j" #cc " 1f; movl $0, %0; 1:" \
                     : "=r"(b) : "r"(f) : "cc"); \
    m |= b << i++;
    CC_LIST(X)
#undef X
    return m;
}

/* near jcc (0F 8x rel32) of all 16 conditions. */
static uint32_t jcc_near_mask(uint32_t f)
{
    uint32_t m = 0, b;
#define NEAR(n) \
    __asm__ volatile("pushl %1; popfl; movl $1, %0; .byte 0x0f, 0x80 + " #n "; .long 1f - 2f; 2:" \
                     "movl $0, %0; 1:" : "=r"(b) : "r"(f) : "cc"); \
    m |= b << n;
    NEAR(0) NEAR(1) NEAR(2) NEAR(3) NEAR(4) NEAR(5) NEAR(6) NEAR(7)
    NEAR(8) NEAR(9) NEAR(10) NEAR(11) NEAR(12) NEAR(13) NEAR(14) NEAR(15)
#undef NEAR
    return m;
}

/* Conditions straight after an instruction that sets the flags. */
#define AFTER(fn, pre)                                                       \
static uint32_t fn(uint32_t a, uint32_t b)                                   \
{                                                                            \
    uint32_t m = 0, r, i = 0;                                                \
    CC_LIST(AFTER_X_##fn)                                                    \
    return m;                                                                \
}
#define AFTER_BODY(pre, cc)                                                  \
    {                                                                        \
        uint32_t x = a;                                                      \
        __asm__ volatile(pre "; set" #cc " %b0; movzbl %b0, %0"              \
                         : "=&q"(r), "+q"(x) : "q"(b) : "cc");               \
        m |= r << i++;                                                       \
    }
#define AFTER_J(pre, cc)                                                     \
    {                                                                        \
        uint32_t x = a;                                                      \
        __asm__ volatile("movl $1, %0; " pre "; j" #cc " 1f; movl $0, %0; 1:" \
                         : "=&r"(r), "+q"(x) : "q"(b) : "cc");               \
        m |= r << i++;                                                       \
    }
#define AFTER_X_cmp_set(cc) AFTER_BODY("cmpl %2, %1", cc)
#define AFTER_X_cmp_j(cc) AFTER_J("cmpl %2, %1", cc)
#define AFTER_X_cmpb_set(cc) AFTER_BODY("cmpb %b2, %b1", cc)
#define AFTER_X_cmpw_j(cc) AFTER_J("cmpw %w2, %w1", cc)
#define AFTER_X_test_set(cc) AFTER_BODY("testl %2, %1", cc)
#define AFTER_X_add_j(cc) AFTER_J("addl %2, %1", cc)
#define AFTER_X_sub_set(cc) AFTER_BODY("subl %2, %1", cc)
#define AFTER_X_and_j(cc) AFTER_J("andl %2, %1", cc)
#define AFTER_X_inc_set(cc) AFTER_BODY("stc; incl %1", cc)
#define AFTER_X_dec_j(cc) AFTER_J("clc; decl %1", cc)
#define AFTER_X_shl_set(cc) AFTER_BODY("shll $1, %1", cc)
#define AFTER_X_sbb_j(cc) AFTER_J("stc; sbbl %2, %1", cc)
#define AFTER_X_neg_set(cc) AFTER_BODY("negl %1", cc)
#define AFTER_X_adcb_j(cc) AFTER_J("stc; adcb %b2, %b1", cc)
AFTER(cmp_set, 0)
AFTER(cmp_j, 0)
AFTER(cmpb_set, 0)
AFTER(cmpw_j, 0)
AFTER(test_set, 0)
AFTER(add_j, 0)
AFTER(sub_set, 0)
AFTER(and_j, 0)
AFTER(inc_set, 0)
AFTER(dec_j, 0)
AFTER(shl_set, 0)
AFTER(sbb_j, 0)
AFTER(neg_set, 0)
AFTER(adcb_j, 0)

static const struct {
    const char *name;
    uint32_t (*fn)(uint32_t, uint32_t);
} afters[] = {
    { "cmp_set", cmp_set }, { "cmp_j", cmp_j }, { "cmpb_set", cmpb_set },
    { "cmpw_j", cmpw_j }, { "test_set", test_set }, { "add_j", add_j },
    { "sub_set", sub_set }, { "and_j", and_j }, { "inc_set", inc_set },
    { "dec_j", dec_j }, { "shl_set", shl_set }, { "sbb_j", sbb_j },
    { "neg_set", neg_set }, { "adcb_j", adcb_j },
};

static const uint32_t vals[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, 0x80000000,
    0x80000001, 0xfffffffe, 0xffffffff,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

/* loop family: returns iterations executed and final ECX. */
static void loops(void)
{
    static const uint32_t cs[] = { 0, 1, 2, 5, 0x10000, 0x10003 };
    for (unsigned i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        uint32_t c = cs[i], n = 0;
        /* ECX=0 would run LOOP 2^32 times; the wrap-around is covered
           by the 16-bit form below (CX=0: 65536 iterations). */
        if (c != 0 && c < 0x100) {
            __asm__ volatile("1: incl %1; loop 1b" : "+c"(c), "+r"(n) : : "cc");
            resultf("loop %u -> n=%u ecx=%08x", cs[i], n, c);
        }
        /* loope: stops when ZF=0; the body sets ZF from (n != 3) */
        c = cs[i];
        n = 0;
        __asm__ volatile("jecxz 2f; 1: incl %1; cmpl $3, %1; loopne 1b; 2:"
                         : "+c"(c), "+r"(n) : : "cc");
        resultf("loopne %u -> n=%u ecx=%08x", cs[i], n, c);
        c = cs[i];
        n = 0;
        __asm__ volatile("jecxz 2f; 1: incl %1; cmpl %1, %1; loope 1b; 2:"
                         : "+c"(c), "+r"(n) : : "cc");
        resultf("loope %u -> n=%u ecx=%08x", cs[i], n, c);
        c = cs[i];
        n = 0;
        __asm__ volatile("jecxz 2f; 1: incl %1; cmpl $2, %1; loope 1b; 2:"
                         : "+c"(c), "+r"(n) : : "cc");
        resultf("loope2 %u -> n=%u ecx=%08x", cs[i], n, c);
        /* 16-bit count: addr16 loop uses CX */
        c = cs[i] | 0xabc00000;
        n = 0;
        if ((c & 0xffff) < 0x100) {
            __asm__ volatile("1: incl %1; .byte 0x67; loop 1b" : "+c"(c), "+r"(n) : : "cc");
            resultf("loopw %08x -> n=%u ecx=%08x", cs[i] | 0xabc00000, n, c);
        }
        /* jcxz (addr16) vs jecxz */
        c = cs[i];
        n = 0;
        __asm__ volatile("movl $1, %1; .byte 0x67; jecxz 1f; movl $0, %1; 1:" : "+c"(c), "=r"(n) : : "cc");
        resultf("jcxz %08x -> %u", cs[i], n);
        __asm__ volatile("movl $1, %1; jecxz 1f; movl $0, %1; 1:" : "+c"(c), "=r"(n) : : "cc");
        resultf("jecxz %08x -> %u", cs[i], n);
    }
}

void kmain(void)
{
    check("cond.setz", set_mask(FL_ZF) & 0x30, 0x10);
    check("cond.cmov.c", cmov_mask(FL_CF) & 0xc, 0x4);

    for (uint32_t k = 0; k < 64; k++) {
        uint32_t f = ((k & 1) ? FL_CF : 0) | ((k & 2) ? FL_PF : 0) | ((k & 4) ? FL_ZF : 0) |
                     ((k & 8) ? FL_SF : 0) | ((k & 16) ? FL_OF : 0) | ((k & 32) ? FL_AF : 0);
        uint32_t s = set_mask(f), c = cmov_mask(f), j = jcc_mask(f), n = jcc_near_mask(f);
        resultf("flags %03x set=%04x cmov=%06x j=%04x jn=%04x", f, s, c, j, n);
        if (s != j || s != n || s != c) {
            fail("cond.consistent", "setcc/cmovcc/jcc disagree");
        }
    }
    for (unsigned k = 0; k < sizeof(afters) / sizeof(afters[0]); k++) {
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned j = 0; j < NV; j++) {
                resultf("%s %08x %08x -> %04x", afters[k].name, vals[i], vals[j],
                        afters[k].fn(vals[i], vals[j]));
            }
        }
    }
    loops();
    finish(0x2d484893);
}
