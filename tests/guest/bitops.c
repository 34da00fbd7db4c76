/*
 * bitops: bt/bts/btr/btc (register and memory, register and imm8 bit
 * offsets, including memory offsets outside the addressed dword and
 * negative ones), bsf/bsr (ZF; destination only for non-zero sources)
 * and bswap.  Only CF is defined after bt*, only ZF after bsf/bsr.
 */
#include "lib/lib.h"

const char kernel_name[] = "bitops";

static const uint32_t vals[] = {
    0, 1, 0x80000000, 0x00010000, 0x12345678, 0xffffffff, 0x00f00f00,
    0x80000001, 0x7ffffffe,
};
static const int32_t offs[] = { 0, 1, 5, 15, 16, 31, 32, 33, 63, 100, -1, -33, -100 };
#define NV (sizeof(vals) / sizeof(vals[0]))
#define NO (sizeof(offs) / sizeof(offs[0]))

static uint32_t arr[16];

#define BTR(fn, insn)                                                        \
static uint32_t fn(uint32_t a, uint32_t bit, uint32_t *cf)                   \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile(insn " %[b], %[a]; pushfl; popl %[f]"                   \
                     : [a] "+r"(a), [f] "=r"(f) : [b] "r"(bit) : "cc");      \
    *cf = f & FL_CF;                                                         \
    return a;                                                                \
}
BTR(bt_r, "btl")
BTR(bts_r, "btsl")
BTR(btr_r, "btrl")
BTR(btc_r, "btcl")

#define BTW(fn, insn)                                                        \
static uint32_t fn(uint32_t a, uint32_t bit, uint32_t *cf)                   \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile(insn " %w[b], %w[a]; pushfl; popl %[f]"                 \
                     : [a] "+r"(a), [f] "=r"(f) : [b] "r"(bit) : "cc");      \
    *cf = f & FL_CF;                                                         \
    return a;                                                                \
}
BTW(bt_w, "btw")
BTW(bts_w, "btsw")
BTW(btc_w, "btcw")

/* Memory forms: the bit offset is signed and may leave the dword. */
#define BTM(fn, insn)                                                        \
static uint32_t fn(uint32_t a, uint32_t bit, uint32_t *cf)                   \
{                                                                            \
    uint32_t f;                                                              \
    for (int i = 0; i < 16; i++) {                                           \
        arr[i] = a ^ (i * 0x01010101u);                                      \
    }                                                                        \
    __asm__ volatile(insn " %[b], %[m]; pushfl; popl %[f]"                   \
                     : [m] "+m"(arr[8]), [f] "=r"(f) : [b] "r"(bit)          \
                     : "cc", "memory");                                      \
    *cf = f & FL_CF;                                                         \
    uint32_t h = 0;                                                          \
    for (int i = 0; i < 16; i++) {                                           \
        h = h * 31 + arr[i];                                                 \
    }                                                                        \
    return h;                                                                \
}
BTM(bt_m, "btl")
BTM(bts_m, "btsl")
BTM(btr_m, "btrl")
BTM(btc_m, "btcl")

typedef uint32_t (*BtFn)(uint32_t, uint32_t, uint32_t *);
static const struct {
    const char *name;
    BtFn fn;
    bool mem;
} bts[] = {
    { "bt", bt_r, 0 }, { "bts", bts_r, 0 }, { "btr", btr_r, 0 }, { "btc", btc_r, 0 },
    { "btw", bt_w, 0 }, { "btsw", bts_w, 0 }, { "btcw", btc_w, 0 },
    { "btm", bt_m, 1 }, { "btsm", bts_m, 1 }, { "btrm", btr_m, 1 }, { "btcm", btc_m, 1 },
};

/* Immediate bit offsets (masked to the operand width, also for memory). */
static void imm_forms(void)
{
    for (unsigned i = 0; i < NV; i++) {
        uint32_t a = vals[i], f;
        volatile uint32_t m = vals[i];
        __asm__ volatile("btsl $35, %0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("btsi35 %08x -> %08x %x", vals[i], a, f & FL_CF);
        __asm__ volatile("btrl $31, %0; pushfl; popl %1" : "+m"(m), "=r"(f) : : "cc");
        resultf("btrmi31 %08x -> %08x %x", vals[i], m, f & FL_CF);
        __asm__ volatile("btcw $17, %w0; pushfl; popl %1" : "+r"(a), "=r"(f) : : "cc");
        resultf("btcwi17 -> %08x %x", a, f & FL_CF);
        __asm__ volatile("btl $4, %0; pushfl; popl %1" : "+m"(m), "=r"(f) : : "cc");
        resultf("btmi4 %x", f & FL_CF);
    }
}

static const uint32_t scan_vals[] = {
    0, 1, 2, 0x80000000, 0x00010000, 0x12345678, 0xffffffff, 0x00f00f00,
    0x00008000, 0x7fffffff, 0x40000001, 0x00000100,
};

void kmain(void)
{
    uint32_t cf;

    check("bitops.bt", (bt_r(0x10, 4, &cf), cf), FL_CF);
    check("bitops.bts", bts_r(0, 31, &cf), 0x80000000);
    check("bitops.btc", btc_r(0xff, 35, &cf), 0xf7);

    for (unsigned k = 0; k < sizeof(bts) / sizeof(bts[0]); k++) {
        for (unsigned i = 0; i < NV; i++) {
            for (unsigned o = 0; o < NO; o++) {
                uint32_t r;
                if (!bts[k].mem && offs[o] < 0) {
                    continue;
                }
                r = bts[k].fn(vals[i], (uint32_t)offs[o], &cf);
                resultf("%s %08x %d -> %08x %x", bts[k].name, vals[i], offs[o], r, cf);
            }
        }
    }
    imm_forms();

    for (unsigned i = 0; i < sizeof(scan_vals) / sizeof(scan_vals[0]); i++) {
        uint32_t v = scan_vals[i], f1, f2, d1 = 0x55, d2 = 0x66, w = 0x77;
        volatile uint32_t m = v;
        __asm__ volatile("bsfl %2, %0; pushfl; popl %1" : "+r"(d1), "=r"(f1) : "r"(v) : "cc");
        __asm__ volatile("bsrl %2, %0; pushfl; popl %1" : "+r"(d2), "=r"(f2) : "m"(m) : "cc");
        if (v) {
            resultf("bsf %08x -> %u z%x bsr -> %u z%x", v, d1, f1 & FL_ZF, d2, f2 & FL_ZF);
        } else {
            resultf("bsf %08x -> z%x bsr -> z%x", v, f1 & FL_ZF, f2 & FL_ZF);
        }
        __asm__ volatile("bsrw %w2, %w0; pushfl; popl %1" : "+r"(w), "=r"(f1) : "r"(v) : "cc");
        if (v & 0xffff) {
            resultf("bsrw %08x -> %08x z%x", v, w, f1 & FL_ZF);
        } else {
            resultf("bsrw %08x -> z%x", v, f1 & FL_ZF);
        }
        d1 = v;
        __asm__ volatile("bswap %0" : "+r"(d1));
        resultf("bswap %08x -> %08x", v, d1);
    }

    {
        uint32_t v = 0x11223344, z = 0;
        __asm__ volatile("bswap %%eax; bswap %%ebx; bswap %%eax" : "+a"(v), "+b"(z));
        check("bitops.bswap2", v, 0x11223344);
    }
    finish(0xa295fde9);
}
