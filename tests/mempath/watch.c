/*
 * mempath/watch: the accesses tests/mempath/run.sh watches with --watch.
 * Each access is one instruction at a global label, and the kernel prints
 * that label's address, so the script can check the EIP in the log:
 *   st1/ld1  paging off: store 0xdeadbeef to 0x00500000, load it back
 *   st2      paging on:  store 0x12345678 to linear 0x40005004, which maps
 *            the physical page 0x00500000 (watched by linear address)
 *   st3      the same physical word through the identity map (0x00500004):
 *            not logged, watchpoints are linear
 *   st4      a 16-bit store at 0x40005fff, crossing into 0x40006000
 * "INFO after-st1" follows st1 directly: a ":stop" watchpoint on st1's
 * address must end the run before it is printed.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "watch";

extern char watch_st1[], watch_ld1[], watch_st2[], watch_st3[], watch_st4[];

void kmain(void)
{
    uint32_t v;

    printf("INFO eip st1 0x%08x ld1 0x%08x st2 0x%08x st3 0x%08x st4 0x%08x\n",
           (uint32_t)watch_st1, (uint32_t)watch_ld1, (uint32_t)watch_st2,
           (uint32_t)watch_st3, (uint32_t)watch_st4);
    __asm__ volatile("watch_st1: movl %0, (%1)"
                     : : "r"(0xdeadbeefu), "r"(0x00500000u) : "memory");
    puts_serial("INFO after-st1\n");
    __asm__ volatile("watch_ld1: movl (%1), %0"
                     : "=r"(v) : "r"(0x00500000u) : "memory");
    check("watch.ld1", v, 0xdeadbeefu);

    pg_setup32();
    pg_pt_win[5] = 0x00500000u | PTE_P | PTE_W;
    pg_pt_win[6] = 0x00501000u | PTE_P | PTE_W;
    __asm__ volatile("watch_st2: movl %0, (%1)"
                     : : "r"(0x12345678u), "r"(0x40005004u) : "memory");
    __asm__ volatile("watch_st3: movl %0, (%1)"
                     : : "r"(0x9abcdef0u), "r"(0x00500004u) : "memory");
    check("watch.st3", *(volatile uint32_t *)0x40005004u, 0x9abcdef0u);
    __asm__ volatile("watch_st4: movw %w0, (%1)"
                     : : "r"(0xa1b2u), "r"(0x40005fffu) : "memory");
    check("watch.st4.lo", *(volatile uint8_t *)0x00500fffu, 0xb2);
    check("watch.st4.hi", *(volatile uint8_t *)0x00501000u, 0xa1);
    finish(0);
}
