/*
 * hamt86 - guest (IA-32) CPU state.
 *
 * CPUX86State is shared by the translator, every backend and every helper.
 * Generated host code reaches fields through offsetof(); each such offset is
 * pinned by a BUILD_ASSERT in core/cpu.c, so a layout change that would
 * break generated code fails the build instead.
 */
#ifndef HAMT86_CPU_H
#define HAMT86_CPU_H

#include "core/base.h"

/* General registers, in x86 encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, CPU_NB_REGS };
/* Segment registers, in x86 encoding order. */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, CPU_NB_SEGS };

/* EFLAGS bits. */
#define CC_C    0x0001u
#define CC_P    0x0004u
#define CC_A    0x0010u
#define CC_Z    0x0040u
#define CC_S    0x0080u
#define CC_O    0x0800u
#define CC_ARITH (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define TF_MASK   0x00000100u
#define IF_MASK   0x00000200u
#define DF_MASK   0x00000400u
#define IOPL_MASK 0x00003000u
#define NT_MASK   0x00004000u
#define RF_MASK   0x00010000u
#define VM_MASK   0x00020000u
#define AC_MASK   0x00040000u
#define VIF_MASK  0x00080000u
#define VIP_MASK  0x00100000u
#define ID_MASK   0x00200000u
/* The EFLAGS bits a Pentium II defines (bit 1 reads as 1, bits 3, 5, 15
 * and 22..31 as 0): nothing loads the others (SDM vol. 1, 3.4.3). */
#define EFLAGS_DEFINED (CC_ARITH | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | \
                        NT_MASK | RF_MASK | VM_MASK | AC_MASK | VIF_MASK | \
                        VIP_MASK | ID_MASK)

/* Exception vectors. */
enum {
    EXCP00_DE = 0, EXCP01_DB, EXCP02_NMI, EXCP03_BP, EXCP04_OF, EXCP05_BR,
    EXCP06_UD, EXCP07_NM, EXCP08_DF, EXCP09_XERR, EXCP0A_TS, EXCP0B_NP,
    EXCP0C_SS, EXCP0D_GP, EXCP0E_PF, EXCP10_MF = 16, EXCP11_AC, EXCP12_MC,
};

/* Pseudo exception indices used by the execution loop (>= 256). */
#define EXCP_INTERRUPT 0x100   /* leave the loop to service an interrupt */
#define EXCP_HLT       0x101   /* guest executed HLT */
#define EXCP_HALTED    0x102
#define EXCP_EXIT      0x103   /* machine shutdown requested (exit port, ...) */
#define EXCP_FATAL     0x104   /* unrecoverable guest error, message printed */

/* CR0 / CR4 bits. */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_PG 0x80000000u
#define CR4_TSD 0x00000004u
#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define CR4_MCE 0x00000040u
#define CR4_PGE 0x00000080u
#define CR4_OSFXSR 0x00000200u
#define CR4_SMEP 0x00100000u
#define CR4_SMAP 0x00200000u
#define MSR_EFER_NXE (1u << 11)

/* Hidden flags (hflags): mode bits the translator specialises on. */
#define HF_CPL_MASK    0x00000003u  /* current privilege level */
#define HF_CS32_MASK   0x00000010u  /* CS.D: 32-bit default operand/address */
#define HF_SS32_MASK   0x00000020u  /* SS.B: 32-bit stack pointer */
#define HF_ADDSEG_MASK 0x00000040u  /* DS/ES/SS bases not all zero */
#define HF_PE_MASK     0x00000080u  /* protected mode */
#define HF_INHIBIT_IRQ 0x00000100u  /* interrupt shadow (STI, MOV SS) */
#define HF_TF_MASK     0x00000200u  /* single-step trap pending per insn */
#define HF_SMAP_MASK   0x00000400u
#define HF_VM_MASK     0x00000800u
#define HF_IOPL_SHIFT  12
#define HF_IOPL_MASK   0x00003000u
#define HF_PG_MASK     0x00004000u  /* CR0.PG: paging on (mmu_idx != PHYS) */

/* Descriptor attribute bits as stored in SegmentCache.flags (QEMU layout:
 * the high dword of the descriptor with base bits masked out). */
#define DESC_G_MASK   (1u << 23)
#define DESC_B_MASK   (1u << 22)
#define DESC_P_MASK   (1u << 15)
#define DESC_DPL_SHIFT 13
#define DESC_S_MASK   (1u << 12)
#define DESC_TYPE_SHIFT 8
#define DESC_CS_MASK  (1u << 11)
#define DESC_W_MASK   (1u << 9)   /* data: writable */
#define DESC_R_MASK   (1u << 9)   /* code: readable */
#define DESC_A_MASK   (1u << 8)

typedef struct SegmentCache {
    uint32_t selector;
    uint32_t base;
    uint32_t limit;   /* byte granular, already scaled by G */
    uint32_t flags;
} SegmentCache;

/* The state the memory fast path of generated code reads (see core/mem.h). */
typedef struct MemFast {
    uintptr_t ram_base;      /* host address of guest physical 0 */
    const uint8_t *pflags;   /* one byte per guest page: PF_* bits */
} MemFast;

/*
 * One softmmu TLB entry (softmmu-fallback/, see core/mem.h TLB_*): the
 * compare words are (page | TLB_* flags), all-ones when empty; a hit
 * accesses host (addend + (intptr_t)(int32_t)linear).
 *
 * Each MMU index has a direct-mapped table of a power-of-two size between
 * CPU_TLB_MIN_BITS and CPU_TLB_MAX_BITS entries, resized at flush time by
 * its use rate (QEMU's dynamic TLB).  Generated code reaches it through
 * env->tlb_fast[idx] (QEMU's CPUTLBDescFast): entry of linear address a =
 * table + ((a >> (GUEST_PAGE_BITS - CPU_TLB_ENTRY_BITS)) & mask).
 */
#define CPU_TLB_MIN_BITS   8
#define CPU_TLB_MAX_BITS   12
#define CPU_TLB_DYN_DEFAULT_BITS 8
#define CPU_TLB_MAX_SIZE   (1u << CPU_TLB_MAX_BITS)
#define CPU_TLB_ENTRY_BITS 4
#define CPU_TLB_NB_MODES   4   /* == NB_MMU_MODES (core/mmu.h) */
typedef struct CPUTLBEntry {
    uint32_t addr_read;
    uint32_t addr_write;
    uintptr_t addend;
} CPUTLBEntry;

/* What generated code needs of one index's TLB: the index mask, already
 * shifted by CPU_TLB_ENTRY_BITS ((n_entries - 1) << 4), and the table. */
typedef struct CPUTLBDescFast {
    uintptr_t mask;
    CPUTLBEntry *table;
} CPUTLBDescFast;

/*
 * Non-local exit from helpers to the execution loop: __builtin_setjmp
 * where the compiler has it.  clang-16 lacks it for LoongArch, so
 * core/cpu-exec.c provides an asm pair there that saves ra, sp, fp,
 * s0-s8 and fs0-fs7 (20 words).
 */
#if defined(__loongarch__)
#define CPU_JMP_ENV_WORDS 20
int cpu_setjmp_la(void **buf) __attribute__((returns_twice));
NORETURN void cpu_longjmp_la(void **buf);
#define cpu_setjmp(buf)  cpu_setjmp_la(buf)
#define cpu_longjmp(buf) cpu_longjmp_la(buf)
#else
#define CPU_JMP_ENV_WORDS 5
#define cpu_setjmp(buf)  __builtin_setjmp(buf)
#define cpu_longjmp(buf) __builtin_longjmp(buf, 1)
#endif

/* Machine-check banks and variable MTRRs (QEMU's pentium2 counts). */
#define CPU_MCE_BANKS 10
#define CPU_MTRR_VARS 8
/*
 * x87 / MMX state.  st[] are the physical registers R0..R7 (ST(i) is
 * st[(top + i) & 7]); an MMX register MMi is the significand of R i.
 *
 *   FPUReg:  0          8      10        16
 *            +----------+------+---------+
 *            | mant(64) | sexp | padding |   sexp = sign << 15 | exponent
 *            +----------+------+---------+
 *
 * fsw holds the status word without TOP (bits 13..11 come from top);
 * tag_valid bit i = R i is not empty (the abridged tag of FXSAVE).  The
 * full 2-bit tags (valid / zero / special) are computed from the register
 * contents when stored, as a P6 does.
 */
typedef struct FPUReg {
    uint64_t mant;
    uint16_t sexp;
    uint16_t pad[3];
} FPUReg;

typedef struct FPUState {
    FPUReg st[8];
    uint32_t top;
    uint16_t fcw, fsw;
    uint8_t tag_valid;
    uint8_t ferr;        /* FERR# asserted (NE=0: IRQ13 raised) */
    uint8_t ignne;       /* IGNNE# (port 0xF0 write) */
    uint8_t ferr_line;   /* level last given to the device (cpu-exec.c) */
    uint16_t fop;        /* last non-control opcode (11 bits) */
    uint16_t fcs, fds;   /* selectors of the last instruction / operand */
    uint32_t fip, fdp;   /* their offsets */
    uint32_t mxcsr;      /* FXSAVE image only (no SSE on a Pentium II) */
    uint32_t scratch[2]; /* a store's converted value, low word first: the
                          * direct helper leaves it for the generated code
                          * that writes it (translator/fpu.c) */
} FPUState;

typedef struct CPUX86State {
    /* ---- fields generated code touches: offsets pinned in core/cpu.c ---- */
    uint32_t regs[CPU_NB_REGS];
    uint32_t eip;
    uint32_t cc_op;        /* lazy flags: CC_OP_* (translator/cc.h) */
    uint32_t cc_dst;
    uint32_t cc_src;
    uint32_t cc_src2;
    int32_t  df;           /* +1 or -1 */
    uint32_t eflags;       /* all bits except CC_ARITH and DF */
    uint32_t hflags;
    volatile int32_t exit_request; /* nonzero: leave at next TB entry
                                    * (set with cpu_exit_tb) */
    uint32_t cc_res2;      /* lazy flags: INC/DEC result layered over cc_op's
                            * inner op (cc_op bits 28..30, translator/cc.h) */
    MemFast  mem;
    CPUTLBDescFast tlb_fast[CPU_TLB_NB_MODES]; /* softmmu TLBs */
    struct TbJcEntry *tb_jc;  /* the jump cache (core/exec.h, TbJcEntry) */
    /* ---- the rest is only touched by C code ---- */
    SegmentCache segs[CPU_NB_SEGS];
    SegmentCache ldt, tr, gdt, idt; /* gdt/idt: base + limit only */
    uint32_t cr[5];
    uint32_t dr[8];
    uint64_t tsc_offset;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base, pat, misc_enable;
    uint64_t efer;                 /* IA32_EFER (NXE is what paging uses) */

    /* exception in flight */
    int32_t  exception_index;
    int32_t  error_code;
    int32_t  exception_is_int;     /* software INT n */
    uint32_t exception_next_eip;
    int32_t  old_exception;        /* for #DF / triple-fault detection */

    uint32_t interrupt_request;    /* CPU_INTERRUPT_* */
    bool     halted;
    void    *jmp_env[CPU_JMP_ENV_WORDS]; /* cpu_setjmp buffer (cpu_loop) */
    struct Machine *machine;
    /* HAMT (hamt/): host base of each MMU index's window; generated code
     * loads the TB's one into its window-base register (offset < 32 KiB). */
    uintptr_t hamt_window[4];
    /* HAMT: per MMU index, the current window's store alias and code
     * bytes (hamt.h hamt_cd_st / hamt_cd_map; the window base itself when
     * it has none), read by the stores beside code (docs/HAMT.md). */
    uintptr_t hamt_cd_st[4];
    uintptr_t hamt_cd_map[4];
    /* The code map's bias (core/tb-smc.h, SmcState.map_bias): the byte
     * of host RAM address h's word is at smc_map_bias + (h >> 5). */
    uintptr_t smc_map_bias;
    /* --stats: softmmu TLB fast-path hits per MMU index, counted by the
     * interpreter and by generated code translated with counting on
     * (MIPS: tlb_hits_enabled); printed by mem_stats_print. */
    uint64_t tlb_hits[CPU_TLB_NB_MODES];
    /*
     * --icount: TBs that may still run before the loop accounts guest time
     * (0..ICOUNT_MAX_BUDGET, hw/timer.c refills it), and beside it the exit
     * request as TBs translated with icount see it (cpu_exit_tb sets it
     * to -1, the loop clears it).  Such a TB loads both as one 32-bit word
     * (little-endian), decrements it, stores the low half and leaves
     * (IR_EXIT_REQUEST) if the word went negative: the budget was 0 or an
     * exit is requested; one test instead of two (as QEMU's icount_decr).
     *
     *    +0               +2
     *   +----------------+----------------+
     *   | icount_budget  |  icount_exit   |   word < 0 <=> exit or no budget
     *   +----------------+----------------+
     */
    volatile uint16_t icount_budget;
    volatile int16_t icount_exit;
    /* machine-check and MTRR MSRs (translator/sys-helper.c) */
    uint64_t mcg_status, mcg_ctl;
    uint64_t mce_banks[CPU_MCE_BANKS * 4];  /* MCi_CTL, STATUS, ADDR, MISC */
    uint64_t mtrr_var[CPU_MTRR_VARS * 2];   /* PhysBase0, PhysMask0, ... */
    uint64_t mtrr_fixed[11];                /* 0x250, 0x258/9, 0x268-0x26F */
    uint64_t mtrr_deftype;
    /* x87 FPU and MMX (translator/fpu-*.c) */
    FPUState fpu;
} CPUX86State;

/* The softmmu TLB entry that linear address addr uses in MMU index idx. */
static inline CPUTLBEntry *tlb_entry(CPUX86State *env, unsigned idx,
                                     uint32_t addr)
{
    const CPUTLBDescFast *f = &env->tlb_fast[idx];

    return (CPUTLBEntry *)(void *)((uintptr_t)f->table +
        (((uintptr_t)addr >> (GUEST_PAGE_BITS - CPU_TLB_ENTRY_BITS)) & f->mask));
}

/* Number of entries of MMU index idx's TLB. */
static inline unsigned tlb_n_entries(const CPUX86State *env, unsigned idx)
{
    return (unsigned)(env->tlb_fast[idx].mask >> CPU_TLB_ENTRY_BITS) + 1;
}

#define CPU_INTERRUPT_HARD  0x1u
#define CPU_INTERRUPT_NMI   0x2u
#define CPU_INTERRUPT_EXIT  0x4u

/* Arithmetic flags (CC_ARITH bits) from the lazy state env->cc_* (translator/cc-helper.c). */
uint32_t cpu_cc_compute_all(const CPUX86State *env);
/* env->cc_op value "the arithmetic flags are cc_src" (translator/cc.h's
 * CC_OP_EFLAGS, asserted equal there): what core/ stores on an EFLAGS load. */
#define CPU_CC_OP_EFLAGS 0u
/* Compose / decompose the architectural EFLAGS from the lazy state (core/cpu.c). */
uint32_t cpu_compute_eflags(CPUX86State *env);
void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask);

/*
 * cpu_load_eflags without the hflags it derives (callers that compute
 * them themselves: the INT/IRET fast path): the arithmetic flags and DF
 * always, the other defined bits only where update_mask is set; the
 * arithmetic flags become CC_OP_EFLAGS state.
 */
static inline __attribute__((always_inline))
void cpu_load_eflags_bits(CPUX86State *env, uint32_t eflags,
                          uint32_t update_mask)
{
    env->cc_src = eflags & CC_ARITH;
    env->cc_dst = 0;
    env->cc_src2 = 0;
    env->cc_res2 = 0;
    env->cc_op = CPU_CC_OP_EFLAGS;
    env->df = (eflags & DF_MASK) ? -1 : 1;
    update_mask &= EFLAGS_DEFINED & ~(CC_ARITH | DF_MASK);
    env->eflags = ((env->eflags & ~update_mask) | (eflags & update_mask) |
                   0x2u) & ~(CC_ARITH | DF_MASK);
}

/* Reset to the state a multiboot loader hands over (flat 32-bit PM, ring 0). */
void cpu_reset_multiboot(CPUX86State *env, uint32_t entry, uint32_t mbi);
/* Recompute HF_ADDSEG/HF_CS32/HF_SS32/HF_CPL after a segment change. */
void cpu_update_hflags(CPUX86State *env);

/*
 * Raise a guest exception from a helper called by generated code.
 * retaddr is GETPC() of the helper (0 when the state is already exact);
 * the backend maps it back to the faulting guest EIP, then we unwind to the
 * execution loop.  next_eip_addend is the length of the instruction for
 * software interrupts (the return EIP), 0 otherwise.
 */
NORETURN void raise_exception_err_ra(CPUX86State *env, int vec, int err,
                                     uintptr_t retaddr);
NORETURN void raise_exception_ra(CPUX86State *env, int vec, uintptr_t retaddr);
NORETURN void raise_interrupt(CPUX86State *env, int intno, int is_int,
                              int error_code, uint32_t next_eip,
                              uintptr_t retaddr);
/* Deliver env->exception_index (< 256) through the IDT/IVT (seg_helper.c). */
void x86_cpu_do_interrupt(CPUX86State *env);
/* Leave the current TB and go back to the execution loop. */
NORETURN void cpu_loop_exit(CPUX86State *env);
NORETURN void cpu_loop_exit_restore(CPUX86State *env, uintptr_t retaddr);

/* Deliver external interrupt vector intno: no error code, no gate DPL check
 * (seg-helper.c; the loop may use it instead of x86_cpu_do_interrupt for
 * PIC vectors so that vectors 8..17 do not push an error code). */
void x86_cpu_do_hw_interrupt(CPUX86State *env, int intno);

/* Make the running TB chain leave at the next TB entry (both ways a TB
 * may check: exit_request, and the --icount word, core/cpu.h above). */
static inline void cpu_exit_tb(CPUX86State *env)
{
    env->exit_request = 1;
    env->icount_exit = -1;
}

/* The loop saw the request: clear both. */
static inline void cpu_exit_tb_clear(CPUX86State *env)
{
    env->exit_request = 0;
    env->icount_exit = 0;
}

#endif
