/*
 * codevar: a loop that updates a variable, with the variable in the loop's
 * own 4 KiB code page (codevar_near.c, CODEVAR_NEAR 1: the layout of small
 * kernels, boot loaders and DOS-era programs) or on a page of its own
 * (codevar_far.c).  Every store of the near variant lands in a page with
 * translated code but on no translated byte (issue 14 item 1).
 *
 *   page P (.text, 4 KiB aligned):  codevar_loop ... ret | var (near)
 *   page Q (.data, 4 KiB aligned):  var (far)
 *
 * Per iteration: an LCG step, a byte of it added to var (7 instructions,
 * one load and one store of var).
 */
#include "bench.h"

#define ITERS (2000000u * SCALE)

uint32_t codevar_loop(uint32_t n);

#if CODEVAR_NEAR
#define VAR_SECTION ".text"
#else
#define VAR_SECTION ".data"
#endif

__asm__(
    ".text\n"
    ".balign 4096\n"
    "codevar_loop:\n"
    "  pushl %ebx\n"
    "  movl 8(%esp), %ecx\n"
    "  movl $12345, %ebx\n"
    "1: imull $1103515245, %ebx, %ebx\n"
    "  addl $12345, %ebx\n"
    "  movl %ebx, %edx\n"
    "  shrl $16, %edx\n"
    "  andl $0xff, %edx\n"
    "  addl %edx, codevar_var\n"
    "  decl %ecx\n"
    "  jnz 1b\n"
    "  movl codevar_var, %eax\n"
    "  popl %ebx\n"
    "  ret\n"
    ".section " VAR_SECTION "\n"
#if !CODEVAR_NEAR
    ".balign 4096\n"
#else
    ".balign 4\n"
#endif
    "codevar_var: .long 0\n"
    ".text\n");

void kmain(void)
{
    uint32_t v = codevar_loop(ITERS);

    printf("BENCH %s checksum=%08x\n", kernel_name, v);
    finish(0);
}
