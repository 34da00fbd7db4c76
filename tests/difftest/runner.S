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
 */
    .text
    .globl dt_run_seq
dt_run_seq:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl 24(%esp), %ecx
    movl %ecx, dt_entry
    movl %esp, dt_saved_esp
    pushl 32(%eax)
    popfl
    movl 4(%eax), %ecx
    movl 8(%eax), %edx
    movl 12(%eax), %ebx
    movl 20(%eax), %ebp
    movl 24(%eax), %esi
    movl 28(%eax), %edi
    movl 16(%eax), %esp
    movl 0(%eax), %eax
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
    jmp *dt_entry

    .globl dt_seq_return
dt_seq_return:
    movl %eax, dt_out
    movl %ecx, dt_out+4
    movl %edx, dt_out+8
    movl %ebx, dt_out+12
    movl %esp, dt_out+16
    movl %ebp, dt_out+20
    movl %esi, dt_out+24
    movl %edi, dt_out+28
    movl dt_saved_esp, %esp
    pushfl
    popl dt_out+32
    fnsave dt_fpu
    cld
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .data
    .align 4
    .globl dt_out
dt_out:
    .fill 9, 4, 0
    .globl dt_fpu
dt_fpu:
    .fill 27, 4, 0
dt_entry:
    .long 0
dt_saved_esp:
    .long 0
