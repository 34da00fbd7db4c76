/*
 * stack: push/pop of registers, memory, immediates (imm8 sign-extended,
 * imm32), 16-bit push/pop, push esp / pop esp semantics, pop to memory
 * addressed through esp, pusha/popa (16 and 32), pushf/popf, enter/leave
 * with nesting levels 0..4, lahf/sahf and xlat.
 */
#include "lib/lib.h"

const char kernel_name[] = "stack";

uint32_t words[16];
void pusha_test(void);
void enter_test(int level);
void pushaw_test(void);

/* pushaw image of AX/BX; popaw restores only the low halves. */
__asm__(
    ".text\n"
    "pushaw_test:\n"
    "  pushal\n"
    "  movl $0x11112222, %eax; movl $0x33334444, %ebx\n"
    "  pushaw\n"
    "  movw 14(%esp), %cx; movw %cx, words\n"      /* ax */
    "  movw 8(%esp), %cx; movw %cx, words+2\n"     /* bx */
    "  movl $0, %eax; movl $0, %ebx\n"
    "  popaw\n"
    "  movl %eax, words+4; movl %ebx, words+8\n"
    "  popal\n"
    "  ret\n");

/* pusha/popa image; results in words[] (register-relative where the value
 * is a stack address). */
__asm__(
    ".text\n"
    "pusha_test:\n"
    "  pushl %ebp; pushl %ebx; pushl %esi; pushl %edi\n"
    "  movl %esp, %ebp\n"
    "  movl $1, %eax; movl $2, %ecx; movl $3, %edx; movl $4, %ebx\n"
    "  movl $6, %esi; movl $7, %edi\n"
    "  pushal\n"
    "  movl 0(%esp), %eax; movl %eax, words\n"
    "  movl 4(%esp), %eax; movl %eax, words+4\n"
    "  movl 8(%esp), %eax; subl %ebp, %eax; movl %eax, words+8\n"
    "  movl 12(%esp), %eax; subl %ebp, %eax; movl %eax, words+12\n"
    "  movl 16(%esp), %eax; movl %eax, words+16\n"
    "  movl 20(%esp), %eax; movl %eax, words+20\n"
    "  movl 24(%esp), %eax; movl %eax, words+24\n"
    "  movl 28(%esp), %eax; movl %eax, words+28\n"
    "  movl $0x99, 12(%esp); movl $0x77, 28(%esp); movl $0x55, 16(%esp)\n"
    "  popal\n"
    "  movl %eax, words+32\n"
    "  movl %esp, %eax; subl %ebp, %eax; movl %eax, words+36\n"
    "  movl %ebx, words+40\n"
    "  popl %edi; popl %esi; popl %ebx; popl %ebp\n"
    "  ret\n");

/* enter $n, $level below a fake outer frame, then leave; see kmain. */
__asm__(
    ".text\n"
    "enter_test:\n"
    "  pushl %ebp; pushl %ebx; pushl %esi\n"
    "  movl 16(%esp), %eax\n"
    "  movl %esp, %ebx\n"
    "  leal -64(%esp), %ebp\n"
    "  movl $0x1000, 0(%ebp); movl $0x1111, -4(%ebp); movl $0x2222, -8(%ebp)\n"
    "  movl $0x3333, -12(%ebp); movl $0x4444, -16(%ebp)\n"
    "  movl %ebp, %edx\n"
    "  leal -100(%ebp), %esp\n"
    "  movl %esp, %ecx\n"
    "  leal -64(%esp), %esi\n"    /* known bytes where enter will write */
    "  .rept 16\n"
    "  movl $0xeeeeeeee, (%esi); addl $4, %esi\n"
    "  .endr\n"
    "  cmpl $0, %eax; jne 1f; enter $12, $0; jmp 9f\n"
    "1: cmpl $1, %eax; jne 2f; enter $12, $1; jmp 9f\n"
    "2: cmpl $2, %eax; jne 3f; enter $12, $2; jmp 9f\n"
    "3: cmpl $3, %eax; jne 4f; enter $12, $3; jmp 9f\n"
    "4: cmpl $4, %eax; jne 5f; enter $8, $4; jmp 9f\n"
    "5: enter $0, $33\n"     /* level is taken mod 32 */
    "9: movl %ecx, %eax; subl %esp, %eax; movl %eax, words\n"
    "  movl %ecx, %eax; subl %ebp, %eax; movl %eax, words+4\n"
    "  movl 0(%ebp), %eax; subl %edx, %eax; movl %eax, words+8\n"
    "  movl -4(%ebp), %eax; movl %eax, words+12\n"
    "  movl -8(%ebp), %eax; movl %eax, words+16\n"
    "  movl -12(%ebp), %eax; movl %eax, words+20\n"
    "  movl -16(%ebp), %eax; movl %eax, words+24\n"
    "  movl -20(%ebp), %eax; movl %eax, words+28\n"
    "  movl %ebp, words+40\n"
    "  movl %edx, words+44\n"
    "  leave\n"
    "  movl %ebp, %eax; subl %edx, %eax; movl %eax, words+32\n"
    "  movl %esp, %eax; subl %ecx, %eax; movl %eax, words+36\n"
    "  movl %ebx, %esp\n"
    "  popl %esi; popl %ebx; popl %ebp\n"
    "  ret\n");

void kmain(void)
{
    uint32_t a, b, c, d, esp0, esp1;
    volatile uint32_t m;

    /* push imm / pop reg, and the esp deltas */
    __asm__ volatile("movl %%esp, %2; pushl $-5; pushl $0x12345678; popl %0; popl %1; movl %%esp, %3"
                     : "=r"(a), "=r"(b), "=&r"(esp0), "=r"(esp1));
    check("stack.push.imm32", a, 0x12345678);
    check("stack.push.imm8", b, 0xfffffffb);
    check("stack.balance", esp1 - esp0, 0);

    /* push esp pushes the old value; pop esp loads the popped value */
    __asm__ volatile("movl %%esp, %1; pushl %%esp; popl %0" : "=r"(a), "=r"(b));
    check("stack.push.esp", a - b, 0);
    __asm__ volatile("movl %%esp, %2; pushl $0; pushl %%esp; popl %%esp; popl %0; movl %%esp, %1"
                     "; movl %2, %%esp"
                     : "=r"(a), "=r"(b), "=&r"(c));
    result("pop.esp.delta", b - c);
    /* pop into memory addressed by esp uses the incremented esp */
    __asm__ volatile("pushl $0xaaaa; pushl $0xbbbb; popl 0(%%esp); popl %0" : "=r"(a));
    check("stack.pop.mem.esp", a, 0xbbbb);

    /* 16-bit pushes */
    __asm__ volatile("movl %%esp, %2; pushw $0x1234; pushw %%ds; movl %%esp, %3; popw %w0; popw %w1"
                     : "=r"(a), "=r"(b), "=&r"(c), "=&r"(d));
    resultf("push16 ds=%04x imm=%04x delta=%u", a & 0xffff, b & 0xffff, c - d);

    /* push/pop memory */
    m = 0xcafef00d;
    __asm__ volatile("pushl %1; popl %0" : "=r"(a) : "m"(m));
    check("stack.push.mem", a, 0xcafef00d);
    __asm__ volatile("pushl $0x600d; popl %0" : "=m"(m));
    check("stack.pop.mem", m, 0x600d);

    /* pusha / popa: image of the registers */
    pusha_test();
    for (int i = 0; i < 11; i++) {
        resultf("pusha[%d] %08x", i, words[i]);
    }
    /* 16-bit pusha/popa */
    pushaw_test();
    resultf("pushaw ax=%04x bx=%04x popaw eax=%08x ebx=%08x", words[0] & 0xffff,
            words[0] >> 16, words[1], words[2]);

    /* pushf / popf round trip of the arithmetic flags and DF */
    for (uint32_t f = 0; f < 64; f++) {
        uint32_t in = ((f & 1) ? FL_CF : 0) | ((f & 2) ? FL_PF : 0) | ((f & 4) ? FL_AF : 0) |
                      ((f & 8) ? FL_ZF : 0) | ((f & 16) ? FL_SF : 0) | ((f & 32) ? FL_OF : 0);
        uint32_t out, ah;
        __asm__ volatile("pushl %2; popfl; pushfl; popl %0; lahf; movzbl %%ah, %1; cld"
                         : "=r"(out), "=a"(ah) : "r"(in | FL_DF) : "cc");
        resultf("popf %03x -> %08x lahf=%02x", in, out, ah);
        __asm__ volatile("movb %b2, %%ah; sahf; pushfl; popl %0"
                         : "=r"(out), "=a"(ah) : "q"(f * 5), "1"(0) : "cc");
        resultf("sahf %02x -> %03x", (f * 5) & 0xff, out & FL_ARITH);
    }
    /* popfw */
    __asm__ volatile("pushl $0; popfl; pushw $0x08d5; popfw; pushfl; popl %0" : "=r"(a) : : "cc");
    resultf("popfw -> %08x", a);

    /* enter/leave with nesting levels */
    for (int level = 0; level < 6; level++) {
        enter_test(level);
        /* frame pointers copied by enter are printed relative to the
         * new ebp (ebp_new) or to the outer frame (ebp_in) */
        for (int i = 3; i < 8; i++) {
            if (words[i] - words[10] < 0x1000 || words[10] - words[i] < 0x1000) {
                words[i] = 0x5e000000 + (words[i] - words[10]);
            } else if (words[i] - words[11] < 0x1000 || words[11] - words[i] < 0x1000) {
                words[i] = 0x5f000000 + (words[i] - words[11]);
            }
        }
        resultf("enter L%d esp=-%u ebp=-%u saved=%d slots %08x %08x %08x %08x %08x",
                level, words[0], words[1], (int)words[2], words[3], words[4],
                words[5], words[6], words[7]);
        resultf("leave L%d ebp=%d esp=%d", level, (int)words[8], (int)words[9]);
    }

    /* xlat */
    static uint8_t table[256];
    for (int i = 0; i < 256; i++) {
        table[i] = (uint8_t)(i * 37 + 11);
    }
    uint32_t hsum = 0;
    for (uint32_t i = 0; i < 256; i += 15) {
        uint32_t al = 0xabcd0000 | i;
        __asm__ volatile("xlat" : "+a"(al) : "b"(table));
        hsum = hsum * 33 + al;
        resultf("xlat %02x -> %08x", i, al);
    }
    (void)hsum;
    finish(0x2ec1450e);
}
