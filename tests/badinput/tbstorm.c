/*
 * badinput/tbstorm: unbounded translation (issue 16, resource exhaustion).
 * TBS_KIB KiB of "inc eax; jmp +0" pairs, each pair its own translation
 * block (TBS_KIB * 1024 / 3 of them), run TBS_ROUNDS times with fresh
 * code each round (a new immediate pattern is not needed: rewriting the
 * bytes invalidates the old TBs).  hamt86 must keep its code cache
 * bounded (flush it when full: --stats "code cache flushes" >= 1), make
 * progress and give the right count.  Prints "INFO tbstorm tbs=<n>
 * eax=<n>".
 */
#include "lib/lib.h"

#ifndef TBS_KIB
#define TBS_KIB 256u
#endif
#define TBS_ROUNDS 2u
#define TBS_N (TBS_KIB * 1024u / 3u)

const char kernel_name[] = "tbstorm";

static uint8_t tbs_code[TBS_N * 3u + 16u] __attribute__((aligned(4096)));

void kmain(void)
{
    uint32_t eax = 0;

    for (uint32_t r = 0; r < TBS_ROUNDS; r++) {
        for (uint32_t i = 0; i < TBS_N; i++) {
            tbs_code[3 * i] = 0x40;         /* inc eax */
            tbs_code[3 * i + 1] = 0xeb;     /* jmp +0 */
            tbs_code[3 * i + 2] = 0x00;
        }
        tbs_code[3 * TBS_N] = 0xc3;         /* ret */
        __asm__ volatile("call *%1" : "+a"(eax) : "r"(tbs_code) : "memory", "cc");
    }
    resultf("tbstorm tbs=%u eax=%u", TBS_N * TBS_ROUNDS, eax);
    finish(0);
}
