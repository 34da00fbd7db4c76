/* badinput/nomb: a valid ELF32 i386 executable without a multiboot header. */
    .text
    .globl _start
_start:
    hlt
    jmp _start
