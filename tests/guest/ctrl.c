/*
 * ctrl: control transfer and small data moves - call/ret (direct,
 * register, memory, ret imm16), indirect jmp through a table, far call /
 * far ret / far jmp with the flat code selector, iret to the same level,
 * deep recursion, and cbw/cwde/cwd/cdq, clc/stc/cmc/cld/std, multi-byte nop.
 */
#include "lib/lib.h"

const char kernel_name[] = "ctrl";

uint32_t ret_imm_test(uint32_t a, uint32_t b);
uint32_t far_call_test(void);
uint32_t iret_test(void);
uint32_t jmp_table_test(uint32_t sel);

__asm__(
    ".text\n"
    /* callee-pops: ret $8 removes both arguments */
    "ret_imm_callee:\n"
    "  movl 4(%esp), %eax\n"
    "  subl 8(%esp), %eax\n"
    "  ret $8\n"
    "ret_imm_test:\n"
    "  movl %esp, %edx\n"
    "  pushl 8(%esp)\n"
    "  pushl 8(%esp)\n"
    "  call ret_imm_callee\n"
    "  subl %esp, %edx\n"             /* 0 when balanced */
    "  shll $16, %edx\n"
    "  orl %edx, %eax\n"
    "  ret\n"
    /* lcall $0x08 / lret, and ljmp */
    "far_callee:\n"
    "  movl 4(%esp), %eax\n"          /* the pushed CS */
    "  lret\n"
    "far_call_test:\n"
    "  lcall $0x08, $far_callee\n"
    "  andl $0xffff, %eax\n"
    "  ljmp $0x08, $1f\n"
    "  movl $0xdead, %eax\n"
    "1: ret\n"
    /* iret to the same privilege level with a chosen EFLAGS */
    "iret_test:\n"
    "  pushfl\n"
    "  pushl $0x8d5\n"                /* OF SF ZF AF PF CF */
    "  pushl $0x08\n"
    "  pushl $2f\n"
    "  iretl\n"
    "2: pushfl\n"
    "  popl %eax\n"
    "  popfl\n"
    "  ret\n"
    /* jmp *table(,%eax,4) */
    "jmp_table_test:\n"
    "  movl 4(%esp), %eax\n"
    "  andl $3, %eax\n"
    "  jmp *jt(,%eax,4)\n"
    "j0: movl $100, %eax; ret\n"
    "j1: movl $101, %eax; ret\n"
    "j2: movl $102, %eax; ret\n"
    "j3: movl $103, %eax; ret\n"
    ".section .rodata\n"
    ".align 4\n"
    "jt: .long j0, j1, j2, j3\n"
    ".text\n");

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t depth(uint32_t n)
{
    volatile uint32_t pad[4] = { n, n, n, n };
    return n ? depth(n - 1) + pad[0] - n + 1 : 0;
}

static uint32_t add1(uint32_t x) { return x + 1; }
static uint32_t mul3(uint32_t x) { return x * 3; }
static uint32_t (*volatile fptr[2])(uint32_t) = { add1, mul3 };

void kmain(void)
{
    check("ctrl.ret_imm", ret_imm_test(50, 8), 42);
    check("ctrl.far", far_call_test(), 0x08);
    uint32_t f = iret_test();
    check("ctrl.iret.flags", f & FL_ARITH, FL_ARITH);
    for (uint32_t i = 0; i < 8; i++) {
        check("ctrl.jmptab", jmp_table_test(i), 100 + (i & 3));
    }
    check("ctrl.fib", fib(20), 6765);
    check("ctrl.depth", depth(2000), 2000);

    /* indirect calls through register and memory */
    uint32_t v = 5, r;
    __asm__ volatile("pushl %1; call *%2; addl $4, %%esp"
                     : "=a"(r) : "r"(v), "r"(add1) : "ecx", "edx", "memory");
    check("ctrl.call.reg", r, 6);
    for (uint32_t i = 0; i < 10; i++) {
        v = fptr[i & 1](v);
    }
    __asm__ volatile("pushl %1; call *%2; addl $4, %%esp"
                     : "=a"(r) : "r"(7), "m"(fptr[1]) : "ecx", "edx", "memory");
    resultf("indirect %u %u", v, r);

    /* sign extension of the accumulator */
    static const uint32_t vals[] = { 0, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff8080, 0x80000000 };
    for (int i = 0; i < 8; i++) {
        uint32_t a, d;
        a = vals[i];
        __asm__ volatile("cbtw" : "+a"(a));
        resultf("cbw %08x -> %08x", vals[i], a);
        a = vals[i];
        __asm__ volatile("cwtl" : "+a"(a));
        resultf("cwde %08x -> %08x", vals[i], a);
        a = vals[i];
        d = 0x12345678;
        __asm__ volatile("cwtd" : "+a"(a), "+d"(d));
        resultf("cwd %08x -> %08x %08x", vals[i], a, d);
        a = vals[i];
        __asm__ volatile("cltd" : "+a"(a), "=d"(d));
        resultf("cdq %08x -> %08x %08x", vals[i], a, d);
    }

    /* flag instructions */
    uint32_t fl[6];
    __asm__ volatile("clc; pushfl; popl %0; stc; pushfl; popl %1; cmc; pushfl; popl %2; "
                     "cmc; pushfl; popl %3; std; pushfl; popl %4; cld; pushfl; popl %5"
                     : "=r"(fl[0]), "=r"(fl[1]), "=r"(fl[2]), "=r"(fl[3]), "=r"(fl[4]), "=r"(fl[5])
                     : : "cc");
    resultf("flagops cf %x %x %x %x df %x %x", fl[0] & 1, fl[1] & 1, fl[2] & 1, fl[3] & 1,
            (fl[4] >> 10) & 1, (fl[5] >> 10) & 1);

    /* multi-byte nops (0F 1F /0) and other no-ops */
    v = 1;
    __asm__ volatile(".byte 0x0f, 0x1f, 0x00\n\t"
                     ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t"
                     ".byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00\n\t"
                     ".byte 0x66, 0x90\n\t"
                     "xchgl %%eax, %%eax\n\t"
                     "leal 0(%%esi), %%esi\n\t"
                     "incl %0" : "+r"(v) : : "esi", "cc");
    check("ctrl.nops", v, 2);
    finish(0xa119be65);
}
