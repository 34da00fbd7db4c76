/*
 * xchg: xchg (register/register, register/memory, eAX short forms, byte
 * and word), xadd, cmpxchg (8/16/32, equal and not-equal, register and
 * memory) and cmpxchg8b; results and the defined flags (xadd and
 * cmpxchg set flags like add and cmp).
 */
#include "lib/lib.h"

const char kernel_name[] = "xchg";

static const uint32_t vals[] = {
    0, 1, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

void kmain(void)
{
    uint32_t a, b, f;
    volatile uint32_t m;
    volatile uint64_t q;

    a = 1; b = 2;
    __asm__ volatile("xchgl %0, %1" : "+r"(a), "+r"(b));
    check("xchg.reg", a * 16 + b, 0x21);

    for (unsigned i = 0; i < NV; i++) {
        for (unsigned j = 0; j < NV; j++) {
            uint32_t x = vals[i], y = vals[j];

            a = x; b = y;
            __asm__ volatile("xchgb %b0, %h1" : "+q"(a), "+Q"(b));
            resultf("xchgb %08x %08x -> %08x %08x", x, y, a, b);
            a = x; b = y;
            __asm__ volatile("xchgw %w0, %w1" : "+r"(a), "+r"(b));
            resultf("xchgw %08x %08x -> %08x %08x", x, y, a, b);
            a = x; m = y;
            __asm__ volatile("xchgl %0, %1" : "+r"(a), "+m"(m));
            resultf("xchgm %08x %08x -> %08x %08x", x, y, a, m);
            a = x; b = y;
            __asm__ volatile(".byte 0x93" : "+a"(a), "+b"(b));    /* xchg eax, ebx */
            resultf("xchg93 %08x %08x -> %08x %08x", x, y, a, b);
            a = x; b = y;
            __asm__ volatile(".byte 0x66, 0x93" : "+a"(a), "+b"(b)); /* xchg ax, bx */
            resultf("xchg6693 %08x %08x -> %08x %08x", x, y, a, b);

            a = x; b = y;
            __asm__ volatile("xaddl %1, %0; pushfl; popl %2" : "+r"(a), "+r"(b), "=r"(f) : : "cc");
            resultf("xadd %08x %08x -> %08x %08x %03x", x, y, a, b, f & FL_ARITH);
            a = x; m = y;
            __asm__ volatile("xaddw %w0, %1; pushfl; popl %2" : "+r"(a), "+m"(m), "=r"(f) : : "cc");
            resultf("xaddwm %08x %08x -> %08x %08x %03x", x, y, a, m, f & FL_ARITH);
            a = x; b = y;
            __asm__ volatile("xaddb %b1, %b0; pushfl; popl %2" : "+q"(a), "+q"(b), "=r"(f) : : "cc");
            resultf("xaddb %08x %08x -> %08x %08x %03x", x, y, a, b, f & FL_ARITH);

            /* cmpxchg dst, src: compare EAX with dst */
            for (int eq = 0; eq < 2; eq++) {
                uint32_t acc = eq ? x : y ^ 0x100, d = x, s = y ^ 0xa5a5a5a5;
                __asm__ volatile("cmpxchgl %2, %1; pushfl; popl %3"
                                 : "+a"(acc), "+r"(d), "+r"(s), "=r"(f) : : "cc");
                resultf("cmpxchg %u %08x -> a=%08x d=%08x %03x", eq, x, acc, d, f & FL_ARITH);
                acc = eq ? x : ~x;
                m = x;
                __asm__ volatile("cmpxchgl %2, %1; pushfl; popl %3"
                                 : "+a"(acc), "+m"(m), "+r"(s), "=r"(f) : : "cc");
                resultf("cmpxchgm %u %08x -> a=%08x m=%08x %03x", eq, x, acc, m, f & FL_ARITH);
                acc = eq ? x : y;
                d = x;
                __asm__ volatile("cmpxchgw %w2, %w1; pushfl; popl %3"
                                 : "+a"(acc), "+r"(d), "+r"(s), "=r"(f) : : "cc");
                resultf("cmpxchgw %u %08x %08x -> a=%08x d=%08x %03x", eq, x, y, acc, d, f & FL_ARITH);
                acc = eq ? x : y;
                d = x;
                __asm__ volatile("cmpxchgb %b2, %b1; pushfl; popl %3"
                                 : "+a"(acc), "+q"(d), "+q"(s), "=r"(f) : : "cc");
                resultf("cmpxchgb %u %08x %08x -> a=%08x d=%08x %03x", eq, x, y, acc, d, f & FL_ARITH);
            }
        }
    }

    /* cmpxchg8b m64: compare EDX:EAX, store ECX:EBX on equality (ZF). */
    for (unsigned i = 0; i < NV; i++) {
        for (int eq = 0; eq < 2; eq++) {
            uint32_t lo = vals[i], hi = ~vals[i], c = 0xc0c0c0c0, bb = vals[(i + 1) % NV];
            q = ((uint64_t)hi << 32) | lo;
            if (!eq) {
                hi ^= 1;
            }
            __asm__ volatile("cmpxchg8b %2; pushfl; popl %3"
                             : "+a"(lo), "+d"(hi), "+m"(q), "=r"(f)
                             : "b"(bb), "c"(c) : "cc");
            resultf("cmpxchg8b %u %08x -> %08x:%08x m=%016llx zf=%x", eq, vals[i],
                    hi, lo, (unsigned long long)q, f & FL_ZF);
        }
    }
    finish(0xf1a47375);
}
