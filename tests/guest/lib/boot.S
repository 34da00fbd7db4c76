/*
 * hamt86 guest test kernels: multiboot entry, stack, exception stubs.
 *
 * Multiboot header (flags 3 = page-align modules + memory info):
 *   +0 magic 0x1BADB002 | +4 flags 0x00000003 | +8 checksum -(magic+flags)
 */
    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002
    .long 0x00000003
    .long -(0x1BADB002 + 0x00000003)

    .section .bss
    .align 16
    .globl entry_state
entry_state:
    .skip 32
stack_bottom:
    .skip 65536
    .globl stack_top
stack_top:

    .section .text
    .globl _start
/*
 * Entry from the multiboot loader: flat 32-bit protected mode, no paging.
 * The loader's GDT and selectors are not specified by multiboot, so load
 * our own (code 0x08, data 0x10) before anything else.  What the loader
 * gave is kept in entry_state (GDTR, IDTR, CS, DS, ES, FS, GS, SS) for
 * the kernels that test it (mbgdt).
 */
_start:
    cli
    cld
    sgdt entry_state
    sidt entry_state + 8
    movw %cs, entry_state + 16
    movw %ds, entry_state + 18
    movw %es, entry_state + 20
    movw %fs, entry_state + 22
    movw %gs, entry_state + 24
    movw %ss, entry_state + 26
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    movl $stack_top, %esp
    xorl %eax, %eax         /* no loader state leaks into the tests */
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %edi, %edi
    xorl %ebp, %ebp
    pushl $0
    popfl
    call lib_main
1:  hlt
    jmp 1b

/*
 * Exception stubs for vectors 0..31, the PIC vectors 32..47 (IRQ 0..15 when
 * remapped there) and the software vectors 0x40, 0x41 and 0x80.  Each pushes a dummy error code when the CPU does not, then the
 * vector, and joins trap_common, which builds a TrapFrame:
 *   edi esi ebp esp0 ebx edx ecx eax | vector | err | eip cs eflags
 */
.macro STUB vec, has_err
    .globl trap_stub_\vec
trap_stub_\vec:
    .if \has_err == 0
    pushl $0
    .endif
    pushl $\vec
    jmp trap_common
.endm

    STUB 0, 0
    STUB 1, 0
    STUB 2, 0
    STUB 3, 0
    STUB 4, 0
    STUB 5, 0
    STUB 6, 0
    STUB 7, 0
    STUB 8, 1
    STUB 9, 0
    STUB 10, 1
    STUB 11, 1
    STUB 12, 1
    STUB 13, 1
    STUB 14, 1
    STUB 15, 0
    STUB 16, 0
    STUB 17, 1
    STUB 18, 0
    STUB 19, 0
    STUB 20, 0
    STUB 21, 0
    STUB 22, 0
    STUB 23, 0
    STUB 24, 0
    STUB 25, 0
    STUB 26, 0
    STUB 27, 0
    STUB 28, 0
    STUB 29, 0
    STUB 30, 0
    STUB 31, 0
    STUB 32, 0
    STUB 33, 0
    STUB 34, 0
    STUB 35, 0
    STUB 36, 0
    STUB 37, 0
    STUB 38, 0
    STUB 39, 0
    STUB 40, 0
    STUB 41, 0
    STUB 42, 0
    STUB 43, 0
    STUB 44, 0
    STUB 45, 0
    STUB 46, 0
    STUB 47, 0
    STUB 64, 0
    STUB 65, 0
    STUB 128, 0

trap_common:
    pushal
    cld
    pushl %esp              /* TrapFrame * */
    call trap_dispatch
    addl $4, %esp
    popal
    addl $8, %esp           /* vector, error code */
    iretl

/*
 * GDT: flat 4 GiB segments.
 *   0x00 null
 *   0x08 code: base 0, limit 0xfffff pages, 32-bit, DPL 0, execute/read
 *   0x10 data: base 0, limit 0xfffff pages, 32-bit, DPL 0, read/write
 *   0x18 data16: base 0, limit 0xffff bytes, 16-bit, read/write
 * Descriptor (high dword | low dword):
 *   31     24 23 22 21 20 19  16 15 14 13 12 11  8 7      0
 *  | base hi |G |DB|L |AVL|lim hi|P | DPL |S | type| base mid|
 *  | base 15..0                   | limit 15..0              |
 */
    .section .rodata
    .align 8
    .globl gdt
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
    .quad 0x000092000000ffff
gdt_end:
    .align 4
    .word 0
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

/* Table of stub addresses for lib.c: vectors 0..47, then 64, 65, 128. */
    .section .rodata
    .align 4
    .globl trap_stub_table
trap_stub_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long trap_stub_\v
    .endr
    .irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,64,65,128
    .long trap_stub_\v
    .endr

/*
 * int trap_catch(void (*fn)(void *), void *arg)
 * Run fn(arg).  Returns -1 if it returned normally, or the vector of the
 * exception that interrupted it (the handler unwinds to here through
 * trap_unwind, discarding fn's frames).
 */
    .section .text
    .globl trap_catch
trap_catch:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, catch_esp
    movl $1, catch_armed
    pushl 24(%esp)          /* arg */
    call *24(%esp)          /* fn (arg pushed shifted the frame by 4) */
    addl $4, %esp
    movl $0, catch_armed
    movl $-1, %eax
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* void trap_unwind(int vector): return from trap_catch with vector. */
    .globl trap_unwind
trap_unwind:
    movl 4(%esp), %eax
    movl $0, catch_armed
    movl catch_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .section .data
    .globl catch_armed
catch_armed: .long 0
catch_esp:   .long 0
