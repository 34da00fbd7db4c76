/*
 * hamt86 difftest: enter a generated sequence with the given registers and
 * EFLAGS, and catch it at the end.
 *
 *   void dt_run_seq(const uint32_t in[9], uint32_t code)
 *       in = EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS
 *
 * The sequence ends with "jmp *[DT_CODE]", which holds dt_seq_return; that
 * stores the registers into dt_out[] (EFLAGS last) with absolute stores, so
 * the guest stack and the flags are not disturbed before they are saved;
 * then FNSAVE (non-waiting: a pending unmasked x87 exception stays
 * pending and is recorded) stores the x87 state into dt_fpu[] and
 * re-initialises the FPU.  Every sequence starts after FNINIT.
 *
 * Built for i386 (the guest kernel and the qemu-i386 runner) and for
 * x86_64 (difftest-native64: the x87/MMX oracle on hosts whose kernel
 * cannot run i386 programs; the real x87 is the same in 64-bit mode, and
 * gen.py --fpu only emits code that means the same in both modes: 32-bit
 * registers zero-extend, SIB-absolute addresses, no stack).  On x86_64 the
 * arguments come in rdi/esi, registers are loaded zero-extended, and the
 * FNSAVE image has the 32-bit protected-mode layout (FNSAVE without REX.W).
 */
#ifdef __x86_64__
#define IN(off)     off(%rax)           /* the in[] array */
#define VAR(sym)    sym(%rip)           /* this file's variables */
#define WORD        .quad
#else
#define IN(off)     off(%eax)
#define VAR(sym)    sym
#define WORD        .long
#endif

    .text
    .globl dt_run_seq
dt_run_seq:
#ifdef __x86_64__
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movl %esi, dt_entry(%rip)
    movq %rsp, dt_saved_sp(%rip)
    movq %rdi, %rax
    movl 32(%rax), %ecx
    pushq %rcx
    popfq
#else
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl 24(%esp), %ecx
    movl %ecx, dt_entry
    movl %esp, dt_saved_sp
    pushl 32(%eax)
    popfl
#endif
    movl IN(4), %ecx
    movl IN(8), %edx
    movl IN(12), %ebx
    movl IN(20), %ebp
    movl IN(24), %esi
    movl IN(28), %edi
    movl IN(16), %esp
    movl IN(0), %eax
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
    jmp *VAR(dt_entry)

    .globl dt_seq_return
dt_seq_return:
    movl %eax, VAR(dt_out)
    movl %ecx, VAR(dt_out+4)
    movl %edx, VAR(dt_out+8)
    movl %ebx, VAR(dt_out+12)
    movl %esp, VAR(dt_out+16)
    movl %ebp, VAR(dt_out+20)
    movl %esi, VAR(dt_out+24)
    movl %edi, VAR(dt_out+28)
#ifdef __x86_64__
    movq dt_saved_sp(%rip), %rsp
    pushfq
    popq %rax
    movl %eax, dt_out+32(%rip)
#else
    movl dt_saved_sp, %esp
    pushfl
    popl dt_out+32
#endif
    fnsave VAR(dt_fpu)
    cld
#ifdef __x86_64__
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
#else
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
#endif
    ret

    .data
    .align 8
    .globl dt_out
dt_out:
    .fill 9, 4, 0
    .globl dt_fpu
dt_fpu:
    .fill 27, 4, 0
    .align 8
dt_entry:
    WORD 0
dt_saved_sp:
    WORD 0
    .section .note.GNU-stack,"",@progbits
