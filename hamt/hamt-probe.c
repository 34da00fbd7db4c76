/*
 * hamt86 - HAMT exception-table probes for C code (the interpreter).
 *
 * Each probe is one host load or store at a host address inside a HAMT
 * window, with no stack frame.  A host fault in a probe goes to
 * hamt_fault(): a refill makes the host retry the access; anything else
 * resumes at the probe kind's fixup (hamt_probe_fixup), which returns the
 * "fault" status to the caller, who then calls the softmmu slow path in
 * ordinary context.  So the common case is a call plus a plain access, no
 * setjmp.  The probes live between known labels so the handler recognises
 * their PCs; hosts without probes here use the setjmp fallback in hamt.c.
 */
#include "core/base.h"
#include "hamt/hamt.h"

#if defined(HAMT_HAVE_PROBES) && defined(__x86_64__)
/* SysV: rdi = host address, esi = value; eax/rax = result. */
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl hamt_probe_ld_begin\n .hidden hamt_probe_ld_begin\n"
    "hamt_probe_ld_begin:\n"
    ".globl hamt_probe_ld8\n .type hamt_probe_ld8,@function\n"
    "hamt_probe_ld8:  movzbl (%rdi), %eax\n ret\n"
    ".globl hamt_probe_ld16\n .type hamt_probe_ld16,@function\n"
    "hamt_probe_ld16: movzwl (%rdi), %eax\n ret\n"
    ".globl hamt_probe_ld32\n .type hamt_probe_ld32,@function\n"
    "hamt_probe_ld32: movl (%rdi), %eax\n ret\n"
    ".globl hamt_probe_ld_end\n .hidden hamt_probe_ld_end\n"
    "hamt_probe_ld_end:\n"
    ".globl hamt_probe_st_begin\n .hidden hamt_probe_st_begin\n"
    "hamt_probe_st_begin:\n"
    ".globl hamt_probe_st8\n .type hamt_probe_st8,@function\n"
    "hamt_probe_st8:  movb %sil, (%rdi)\n xorl %eax, %eax\n ret\n"
    ".globl hamt_probe_st16\n .type hamt_probe_st16,@function\n"
    "hamt_probe_st16: movw %si, (%rdi)\n xorl %eax, %eax\n ret\n"
    ".globl hamt_probe_st32\n .type hamt_probe_st32,@function\n"
    "hamt_probe_st32: movl %esi, (%rdi)\n xorl %eax, %eax\n ret\n"
    ".globl hamt_probe_st_end\n .hidden hamt_probe_st_end\n"
    "hamt_probe_st_end:\n"
    ".globl hamt_probe_fixup_ld\n .hidden hamt_probe_fixup_ld\n"
    "hamt_probe_fixup_ld: movq $-1, %rax\n ret\n"
    ".globl hamt_probe_fixup_st\n .hidden hamt_probe_fixup_st\n"
    "hamt_probe_fixup_st: movl $1, %eax\n ret\n");
#elif defined(HAMT_HAVE_PROBES) && defined(__mips__)
/* n64: a0 = host address, a1 = value; v0 = result.  The access is the
 * first instruction (never in a delay slot, so the fault PC is exact). */
__asm__(
    ".text\n"
    ".set push\n .set noreorder\n .set noat\n"
    ".p2align 3\n"
    ".globl hamt_probe_ld_begin\n .hidden hamt_probe_ld_begin\n"
    "hamt_probe_ld_begin:\n"
    ".globl hamt_probe_ld8\n .type hamt_probe_ld8,@function\n"
    "hamt_probe_ld8:  lbu $2, 0($4)\n jr $31\n nop\n"
    ".globl hamt_probe_ld16\n .type hamt_probe_ld16,@function\n"
    "hamt_probe_ld16: lhu $2, 0($4)\n jr $31\n nop\n"
    ".globl hamt_probe_ld32\n .type hamt_probe_ld32,@function\n"
    "hamt_probe_ld32: lwu $2, 0($4)\n jr $31\n nop\n"
    ".globl hamt_probe_ld_end\n .hidden hamt_probe_ld_end\n"
    "hamt_probe_ld_end:\n"
    ".globl hamt_probe_st_begin\n .hidden hamt_probe_st_begin\n"
    "hamt_probe_st_begin:\n"
    ".globl hamt_probe_st8\n .type hamt_probe_st8,@function\n"
    "hamt_probe_st8:  sb $5, 0($4)\n jr $31\n move $2, $0\n"
    ".globl hamt_probe_st16\n .type hamt_probe_st16,@function\n"
    "hamt_probe_st16: sh $5, 0($4)\n jr $31\n move $2, $0\n"
    ".globl hamt_probe_st32\n .type hamt_probe_st32,@function\n"
    "hamt_probe_st32: sw $5, 0($4)\n jr $31\n move $2, $0\n"
    ".globl hamt_probe_st_end\n .hidden hamt_probe_st_end\n"
    "hamt_probe_st_end:\n"
    ".globl hamt_probe_fixup_ld\n .hidden hamt_probe_fixup_ld\n"
    "hamt_probe_fixup_ld: jr $31\n daddiu $2, $0, -1\n"
    ".globl hamt_probe_fixup_st\n .hidden hamt_probe_fixup_st\n"
    "hamt_probe_fixup_st: jr $31\n ori $2, $0, 1\n"
    ".set pop\n");
#endif

#ifdef HAMT_HAVE_PROBES
extern const char hamt_probe_ld_begin[], hamt_probe_ld_end[];
extern const char hamt_probe_st_begin[], hamt_probe_st_end[];
extern const char hamt_probe_fixup_ld[], hamt_probe_fixup_st[];

/* The fixup for a fault at pc inside a probe, or 0. */
uintptr_t hamt_probe_fixup(uintptr_t pc)
{
    if (pc >= (uintptr_t)hamt_probe_ld_begin && pc < (uintptr_t)hamt_probe_ld_end) {
        return (uintptr_t)hamt_probe_fixup_ld;
    }
    if (pc >= (uintptr_t)hamt_probe_st_begin && pc < (uintptr_t)hamt_probe_st_end) {
        return (uintptr_t)hamt_probe_fixup_st;
    }
    return 0;
}
#else
/* No probes on this host: the interpreter uses the setjmp accessors. */
uintptr_t hamt_probe_fixup(uintptr_t pc)
{
    (void)pc;
    return 0;
}
#endif
