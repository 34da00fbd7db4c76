/*
 * smc: self-modifying code.
 *   - patch the immediate of a function that already ran, run it again
 *     (repeatedly, so translated code is invalidated many times);
 *   - a store into the block that is executing, just ahead of the store;
 *   - the same inside a loop (the patched instruction runs each time);
 *   - patch an opcode (change the instruction, not only its data);
 *   - write code into a data buffer, run it, overwrite it, run it again;
 *   - patch code with rep movsb.
 */
#include "lib/lib.h"

const char kernel_name[] = "smc";

uint32_t smc_imm(void);
uint32_t smc_self(void);
uint32_t smc_loop(uint32_t n);
uint32_t smc_op(void);
extern uint8_t smc_imm_at[], smc_self_at[], smc_loop_at[], smc_op_at[];

__asm__(
    ".text\n"
    /* mov eax, imm32; ret */
    "smc_imm:\n"
    "smc_imm_at: movl $0x11111111, %eax\n"
    "  ret\n"
    /* the store patches the very next instruction of this block */
    "smc_self:\n"
    "  movl $0x22222222, smc_self_at + 1\n"
    "smc_self_at: movl $0x11111111, %eax\n"
    "  ret\n"
    /* eax += ecx each round, through a patched add eax, imm32 */
    "smc_loop:\n"
    "  movl 4(%esp), %ecx\n"
    "  xorl %eax, %eax\n"
    "1: movl %ecx, smc_loop_at + 1\n"
    "smc_loop_at: .byte 0x05; .long 0\n"
    "  loop 1b\n"
    "  ret\n"
    /* opcode patched between inc eax (0x40) and dec eax (0x48) */
    "smc_op:\n"
    "  movl $100, %eax\n"
    "smc_op_at: incl %eax\n"
    "  ret\n");

/* Code buffer in .data (the guest has no paging, everything is RWX). */
static uint8_t jit[64] __attribute__((aligned(16)));

/* Emit "mov eax, v; add eax, w; ret" into the buffer. */
static void emit(uint32_t v, uint32_t w)
{
    jit[0] = 0xb8;
    memcpy(jit + 1, &v, 4);
    jit[5] = 0x05;
    memcpy(jit + 6, &w, 4);
    jit[10] = 0xc3;
}

void kmain(void)
{
    uint32_t sum = 0;

    check("smc.imm.first", smc_imm(), 0x11111111);
    *(volatile uint32_t *)(smc_imm_at + 1) = 0x33333333;
    check("smc.imm.patched", smc_imm(), 0x33333333);
    for (uint32_t i = 0; i < 500; i++) {
        *(volatile uint32_t *)(smc_imm_at + 1) = i * 3;
        sum += smc_imm();
    }
    check("smc.imm.loop", sum, 3 * 499 * 500 / 2);

    check("smc.self", smc_self(), 0x22222222);
    /* restore and run again: the first instruction rewrites it again */
    *(volatile uint32_t *)(smc_self_at + 1) = 0x44444444;
    check("smc.self.again", smc_self(), 0x22222222);

    check("smc.loop.1", smc_loop(1), 1);
    check("smc.loop.10", smc_loop(10), 55);
    check("smc.loop.1000", smc_loop(1000), 500500);

    check("smc.op.inc", smc_op(), 101);
    *(volatile uint8_t *)smc_op_at = 0x48;     /* dec eax */
    check("smc.op.dec", smc_op(), 99);
    *(volatile uint8_t *)smc_op_at = 0x90;     /* nop */
    check("smc.op.nop", smc_op(), 100);
    *(volatile uint8_t *)smc_op_at = 0x40;

    uint32_t (*fn)(void) = (uint32_t (*)(void))jit;
    emit(5, 6);
    check("smc.jit.1", fn(), 11);
    emit(100, 23);
    check("smc.jit.2", fn(), 123);
    for (uint32_t i = 0; i < 300; i++) {
        jit[1] = (uint8_t)i;        /* patch one byte only */
        sum += fn();
    }
    result("smc.jit.loop", sum);

    /* patch with rep movsb: copy "mov eax, 0x5a5a5a5a" over smc_imm */
    static const uint8_t movi[5] = { 0xb8, 0x5a, 0x5a, 0x5a, 0x5a };
    const uint8_t *s = movi;
    uint8_t *d = smc_imm_at;
    uint32_t n = 5;
    __asm__ volatile("rep movsb" : "+S"(s), "+D"(d), "+c"(n) : : "memory");
    check("smc.repmovs", smc_imm(), 0x5a5a5a5a);
    finish(0x6b8c595f);
}
