/* badinput/mbflag: a multiboot header that requires an unknown feature
 * (flags bit 15, in the required half 0-15): the loader must refuse it. */
    .section .text
    .align 4
    .long 0x1BADB002
    .long 0x00008003
    .long -(0x1BADB002 + 0x00008003)
    .globl _start
_start:
    hlt
    jmp _start
