/*
 * addr32: 32-bit effective addresses - every ModRM/SIB combination of base
 * (including ESP and EBP), index, scale and displacement (none, disp8 +/-,
 * disp32), the no-base SIB form and absolute disp32, computed with lea on
 * a fixed stack so that ESP is known; then loads and stores through SIB
 * addresses.
 */
#include "lib/lib.h"

const char kernel_name[] = "addr32";

#define NRES (8 * 7 * 4 * 4 + 7 * 4 * 4)
#define FIXED_STACK 0x90000u

uint32_t lea_results[NRES];
uint32_t saved_esp;
void lea_all(void);

/*
 * Registers hold known values (ESP = FIXED_STACK); each lea result goes to
 * EAX, is pushed, and EAX is reloaded.  The pushes change ESP, which the
 * later ESP-based results include - deterministically.
 */
__asm__(
    ".text\n"
    "lea_all:\n"
    "  pushal\n"
    "  movl %esp, saved_esp\n"
    "  movl $0x90000, %esp\n"
    "  movl $0x11, %eax; movl $0x2200, %ecx; movl $0x330000, %edx\n"
    "  movl $0x44000000, %ebx; movl $0x5005, %ebp; movl $0x60060, %esi\n"
    "  movl $0x7ff00007, %edi\n"
    "  .irp b, %eax,%ecx,%edx,%ebx,%esp,%ebp,%esi,%edi\n"
    "  .irp i, %eax,%ecx,%edx,%ebx,%ebp,%esi,%edi\n"
    "  .irp s, 1,2,4,8\n"
    "  .irp d, 0,0x7f,-0x80,0x12345678\n"
    "  leal \\d(\\b,\\i,\\s), %eax\n"
    "  pushl %eax\n"
    "  movl $0x11, %eax\n"
    "  .endr\n"
    "  .endr\n"
    "  .endr\n"
    "  .endr\n"
    "  .irp i, %eax,%ecx,%edx,%ebx,%ebp,%esi,%edi\n"
    "  .irp s, 1,2,4,8\n"
    "  .irp d, 0,0x7f,-0x80,0x12345678\n"
    "  leal \\d(,\\i,\\s), %eax\n"
    "  pushl %eax\n"
    "  movl $0x11, %eax\n"
    "  .endr\n"
    "  .endr\n"
    "  .endr\n"
    /* copy the pushed results (in reverse order) out */
    "  movl $lea_results + 4 * 1008 - 4, %edi\n"
    "  movl $1008, %ecx\n"
    "1: popl %eax\n"
    "  movl %eax, (%edi)\n"
    "  subl $4, %edi\n"
    "  loop 1b\n"
    "  movl saved_esp, %esp\n"
    "  popal\n"
    "  ret\n");

static const char *const rn[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const in[] = { "eax", "ecx", "edx", "ebx", "ebp", "esi", "edi" };

static uint32_t table[64];

void kmain(void)
{
    int k = 0;


    check("addr32.nres", NRES, 1008);
    lea_all();
    for (int b = 0; b < 8; b++) {
        for (int i = 0; i < 7; i++) {
            uint32_t *r = &lea_results[k];
            resultf("lea base=%s idx=%s s1 %08x %08x %08x %08x s2 %08x %08x %08x %08x",
                    rn[b], in[i], r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
            resultf("lea base=%s idx=%s s4 %08x %08x %08x %08x s8 %08x %08x %08x %08x",
                    rn[b], in[i], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
            k += 16;
        }
    }
    for (int i = 0; i < 7; i++) {
        uint32_t *r = &lea_results[k];
        resultf("lea nobase idx=%s s1 %08x %08x %08x %08x s2 %08x %08x %08x %08x",
                in[i], r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
        resultf("lea nobase idx=%s s4 %08x %08x %08x %08x s8 %08x %08x %08x %08x",
                in[i], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
        k += 16;
    }

    /* loads and stores through SIB addresses */
    for (int i = 0; i < 64; i++) {
        table[i] = 0x1000u * i + 7;
    }
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t v1, v2, v3, v4;
        __asm__ volatile("movl (%4,%5,4), %0; movl 16(%4,%5,2), %1; "
                         "movl -4(%4,%5,8), %2; movzbl 3(%5,%4), %3"
                         : "=&r"(v1), "=&r"(v2), "=&r"(v3), "=&r"(v4)
                         : "r"(table + 8), "r"(i) : "memory");
        resultf("sib load i=%u %08x %08x %08x %08x", i, v1, v2, v3, v4);
        __asm__ volatile("addl %1, 8(%0,%1,4); xorl $0x5a, -8(%0,%1,8)"
                         : : "r"(table + 16), "r"(i) : "memory", "cc");
    }
    uint32_t h = 0;
    for (int i = 0; i < 64; i++) {
        h = h * 33 + table[i];
    }
    result("sib.store.hash", h);
    finish(0x28496471);
}
