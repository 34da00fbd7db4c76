/*
 * mem_syscall: ring 3 <-> ring 0 ping-pong.  A ring-3 loop executes
 * `int $0x21` (a DPL-3 interrupt gate; the library's stub calls irq_hook
 * and returns with iret), so each iteration is a privilege switch through
 * the TSS stack and back, plus a few user-page and kernel-page accesses.
 * Prints "INFO syscall calls=<n> accesses=<n> sum=<hash>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_syscall";

#define CALLS (1000000u * BM_SCALE)

static volatile uint32_t sys_count, sys_sum;
static volatile uint32_t user_buf[1024];

static void sys_handler(uint32_t vector)
{
    sys_count++;
    sys_sum = sys_sum * 31 + user_buf[sys_count & 1023] + vector;
}

static void user_loop(void *p)
{
    uint32_t n = *(uint32_t *)p;
    for (uint32_t i = 0; i < n; i++) {
        user_buf[i & 1023] = i;
        __asm__ volatile("int $0x21" : : : "memory");
    }
}

void kmain(void)
{
    uint32_t n = CALLS;

    bm_paging_on();
    irq_hook = sys_handler;
    int v = ring3_run(user_loop, &n);
    irq_hook = 0;
    check("syscall.exit", (uint32_t)v, 0x80);
    check("syscall.count", sys_count, CALLS);
    resultf("syscall calls=%u accesses=%u sum=%08x", CALLS, 3 * CALLS, sys_sum);
    resultf("mem_syscall accesses=%u", 3 * CALLS);
    finish(0);
}
