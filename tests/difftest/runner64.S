/*
 * hamt86 difftest: the x86_64 flavour of runner.S, for the x87/MMX
 * sequences on hosts whose kernel cannot run i386 programs (no IA-32
 * emulation, no 32-bit code segment): the real x87 is the same in 64-bit
 * mode, and gen.py --fpu only emits code that means the same in both
 * modes (32-bit registers zero-extend, SIB-absolute addresses, no stack).
 *
 *   void dt_run_seq(const uint32_t in[9], uint32_t code)   (SysV: rdi, esi)
 *
 * Registers are loaded zero-extended; dt_seq_return stores their low
 * halves, EFLAGS and the FNSAVE image (32-bit protected-mode layout, as
 * FNSAVE without REX.W stores it in 64-bit mode).
 */
    .text
    .globl dt_run_seq
dt_run_seq:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movl %esi, dt_entry(%rip)
    movq %rsp, dt_saved_rsp(%rip)
    movq %rdi, %rax
    movl 32(%rax), %ecx
    pushq %rcx
    popfq
    movl 4(%rax), %ecx
    movl 8(%rax), %edx
    movl 12(%rax), %ebx
    movl 20(%rax), %ebp
    movl 24(%rax), %esi
    movl 28(%rax), %edi
    movl 16(%rax), %esp
    movl 0(%rax), %eax
    fninit                  /* registers +0 and empty, every sequence */
    fldz
    fldz
    fldz
    fldz
    fldz
    fldz
    fldz
    fldz
    fninit
    jmp *dt_entry(%rip)

    .globl dt_seq_return
dt_seq_return:
    movl %eax, dt_out(%rip)
    movl %ecx, dt_out+4(%rip)
    movl %edx, dt_out+8(%rip)
    movl %ebx, dt_out+12(%rip)
    movl %esp, dt_out+16(%rip)
    movl %ebp, dt_out+20(%rip)
    movl %esi, dt_out+24(%rip)
    movl %edi, dt_out+28(%rip)
    movq dt_saved_rsp(%rip), %rsp
    pushfq
    popq %rax
    movl %eax, dt_out+32(%rip)
    fnsave dt_fpu(%rip)
    cld
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .data
    .align 8
    .globl dt_out
dt_out:
    .fill 9, 4, 0
    .globl dt_fpu
dt_fpu:
    .fill 27, 4, 0
dt_entry:
    .quad 0
dt_saved_rsp:
    .quad 0
    .section .note.GNU-stack,"",@progbits
