/*
 * hamt86 - IA-32 CPU state: EFLAGS composition, hidden flags, reset and
 * the exception-raising entry points used by helpers.
 */
#include "core/cpu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"

/*
 * Offsets generated code uses (backends address these with immediate
 * displacements from the env register).  64-bit hosts only.
 *
 *   0  regs[8]      32 eip        36 cc_op     40 cc_dst    44 cc_src
 *  48  cc_src2      52 df         56 eflags    60 hflags    64 exit_request
 *  68  cc_res2
 *  72  mem.ram_base 80 mem.pflags
 */
BUILD_ASSERT(sizeof(void *) == 8);
BUILD_ASSERT(offsetof(CPUX86State, regs) == 0);
BUILD_ASSERT(offsetof(CPUX86State, eip) == 32);
BUILD_ASSERT(offsetof(CPUX86State, cc_op) == 36);
BUILD_ASSERT(offsetof(CPUX86State, cc_dst) == 40);
BUILD_ASSERT(offsetof(CPUX86State, cc_src) == 44);
BUILD_ASSERT(offsetof(CPUX86State, cc_src2) == 48);
BUILD_ASSERT(offsetof(CPUX86State, df) == 52);
BUILD_ASSERT(offsetof(CPUX86State, eflags) == 56);
BUILD_ASSERT(offsetof(CPUX86State, hflags) == 60);
BUILD_ASSERT(offsetof(CPUX86State, exit_request) == 64);
BUILD_ASSERT(offsetof(CPUX86State, cc_res2) == 68);
BUILD_ASSERT(offsetof(CPUX86State, mem) == 72);
BUILD_ASSERT(offsetof(CPUX86State, mem.ram_base) == 72);
BUILD_ASSERT(offsetof(CPUX86State, mem.pflags) == 80);
BUILD_ASSERT(sizeof(((CPUX86State *)0)->jmp_env) >= 5 * sizeof(void *));
/* 32-bit env accesses of generated code reach 32 KiB (LoongArch ldptr.w) */
/* the inline jump-cache probe loads env->tb_jc with one ld (12-bit offset) */
BUILD_ASSERT(offsetof(CPUX86State, tb_jc) < 2048);
BUILD_ASSERT(offsetof(CPUX86State, tb_jc) % 8 == 0);
BUILD_ASSERT(offsetof(CPUX86State, icount_budget) % 4 == 0);
BUILD_ASSERT(offsetof(CPUX86State, icount_budget) < (8191u << 2));
/* one little-endian 32-bit word: the budget low, the exit request high */
BUILD_ASSERT(offsetof(CPUX86State, icount_exit) ==
             offsetof(CPUX86State, icount_budget) + 2);

/* Architectural EFLAGS: stored bits, lazy arithmetic flags and DF. */
uint32_t cpu_compute_eflags(CPUX86State *env)
{
    return (env->eflags & ~(CC_ARITH | DF_MASK)) | 0x2u |
           (cpu_cc_compute_all(env) & CC_ARITH) |
           (env->df < 0 ? DF_MASK : 0);
}

/* The hflags bits that follow EFLAGS (TF, IOPL, VM, SMAP via AC). */
static void hflags_from_eflags(CPUX86State *env)
{
    uint32_t hf = env->hflags & ~(HF_TF_MASK | HF_IOPL_MASK | HF_VM_MASK |
                                  HF_SMAP_MASK);

    if (env->eflags & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    if (env->eflags & VM_MASK) {
        hf |= HF_VM_MASK;
    }
    hf |= ((env->eflags & IOPL_MASK) >> 12) << HF_IOPL_SHIFT;
    if ((env->cr[4] & CR4_SMAP) && !(env->eflags & AC_MASK)) {
        hf |= HF_SMAP_MASK;
    }
    env->hflags = hf;
}

/*
 * Load EFLAGS: the arithmetic flags and DF always, the other bits only
 * where update_mask is set.  Arithmetic flags become CC_OP_EFLAGS state.
 */
void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask)
{
    cpu_load_eflags_bits(env, eflags, update_mask);
    hflags_from_eflags(env);
}

/* Recompute every derived hflags bit from CR0, the segments and EFLAGS. */
void cpu_update_hflags(CPUX86State *env)
{
    uint32_t hf = env->hflags & HF_INHIBIT_IRQ;
    bool pe = (env->cr[0] & CR0_PE) != 0;
    bool vm = pe && (env->eflags & VM_MASK);

    if (env->cr[0] & CR0_PG) {
        hf |= HF_PG_MASK;
    }
    if (pe) {
        hf |= HF_PE_MASK;
        if (vm) {
            hf |= 3;
        } else {
            hf |= (env->segs[R_SS].flags >> DESC_DPL_SHIFT) & 3;
        }
    }
    if (pe && !vm) {
        if (env->segs[R_CS].flags & DESC_B_MASK) {
            hf |= HF_CS32_MASK;
        }
        if (env->segs[R_SS].flags & DESC_B_MASK) {
            hf |= HF_SS32_MASK;
        }
    }
    if (!(hf & HF_PE_MASK) || vm || !(hf & HF_CS32_MASK)) {
        hf |= HF_ADDSEG_MASK;
    } else if (env->segs[R_DS].base | env->segs[R_ES].base |
               env->segs[R_SS].base) {
        hf |= HF_ADDSEG_MASK;
    }
    env->hflags = hf;
    hflags_from_eflags(env);
}

/* Load one flat 4 GiB segment. */
static void set_flat_seg(SegmentCache *sc, uint32_t sel, uint32_t flags)
{
    sc->selector = sel;
    sc->base = 0;
    sc->limit = 0xffffffffu;
    sc->flags = flags;
}

/*
 * The loader's GDT, as QEMU's multiboot option ROM has it (checked by
 * tests/guest/mbgdt.c), in the reserved BIOS area at MB_GDT_ADDR:
 *
 *   0x00 null
 *   0x08 code 32-bit, base 0, 4 GiB, DPL 0        (00cf9a00 0000ffff)
 *   0x10 data 32-bit, base 0, 4 GiB, accessed     (00cf9300 0000ffff)
 *   0x18 code 16-bit, base 0, 64 KiB, conforming  (00009e00 0000ffff)
 *   0x20 data 16-bit, base 0, 64 KiB              (00009200 0000ffff)
 */
#define MB_GDT_ADDR 0x000f0000u
static const uint32_t mb_gdt[10] = {
    0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9300,
    0x0000ffff, 0x00009e00, 0x0000ffff, 0x00009200,
};

/*
 * The state a multiboot loader hands over (as qemu-system-i386 -kernel):
 * 32-bit protected mode, paging off, flat code CS=0x08 and data 0x10
 * segments from the loader's GDT above (GDTR limit 0x27), the real-mode
 * IDTR (base 0, limit 0x3FF), EFLAGS=0x2, EAX=magic, EBX=multiboot info,
 * EIP=entry.
 */
void cpu_reset_multiboot(CPUX86State *env, uint32_t entry, uint32_t mbi)
{
    const uint32_t code = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK |
                          DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT) | (0xfu << 16);
    const uint32_t data = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK |
                          DESC_S_MASK | (0x3u << DESC_TYPE_SHIFT) | (0xfu << 16);
    MemFast mem = env->mem;
    struct Machine *m = env->machine;
    uintptr_t win[ARRAY_SIZE(env->hamt_window)];
    CPUTLBDescFast tlbf[CPU_TLB_NB_MODES];

    memcpy(win, env->hamt_window, sizeof(win));   /* HAMT windows (hamt/) */
    memcpy(tlbf, env->tlb_fast, sizeof(tlbf));    /* softmmu tables */
    memset(env, 0, sizeof(*env));
    env->mem = mem;
    env->machine = m;
    memcpy(env->hamt_window, win, sizeof(win));
    memcpy(env->tlb_fast, tlbf, sizeof(tlbf));
    for (unsigned i = 0; i < CPU_TLB_NB_MODES; i++) {
        if (tlbf[i].table != NULL) {                 /* TLBs empty */
            memset(tlbf[i].table, 0xff, tlbf[i].mask + sizeof(CPUTLBEntry));
        }
    }

    env->regs[R_EAX] = 0x2BADB002u;
    env->regs[R_EBX] = mbi;
    env->eip = entry;
    set_flat_seg(&env->segs[R_CS], 0x08, code);
    set_flat_seg(&env->segs[R_DS], 0x10, data);
    set_flat_seg(&env->segs[R_ES], 0x10, data);
    set_flat_seg(&env->segs[R_FS], 0x10, data);
    set_flat_seg(&env->segs[R_GS], 0x10, data);
    set_flat_seg(&env->segs[R_SS], 0x10, data);
    env->ldt.flags = DESC_P_MASK | (2u << DESC_TYPE_SHIFT);
    env->ldt.limit = 0xffff;
    env->tr.flags = DESC_P_MASK | (11u << DESC_TYPE_SHIFT);
    env->tr.limit = 0xffff;
    env->idt.limit = 0x3ff;
    for (unsigned i = 0; i < ARRAY_SIZE(mb_gdt); i++) {
        phys_write(MB_GDT_ADDR + i * 4, mb_gdt[i], 4);
    }
    env->gdt.base = MB_GDT_ADDR;
    env->gdt.limit = sizeof(mb_gdt) - 1;
    env->cr[0] = CR0_PE | CR0_ET;
    env->fpu.fcw = 0x037f;        /* as QEMU's reset: all masked, all empty */
    env->dr[6] = 0xffff0ff0u;
    env->dr[7] = 0x00000400u;
    env->pat = 0x0007040600070406ull;
    env->apic_base = 0xfee00900ull;
    env->misc_enable = 1;                  /* fast strings, as on QEMU */
    env->mcg_ctl = ~0ull;
    for (unsigned i = 0; i < CPU_MCE_BANKS; i++) {
        env->mce_banks[i * 4] = ~0ull;     /* MCi_CTL: all errors reported */
    }
    /* MTRRs as SeaBIOS programs them on QEMU (tests/guest/platform.c):
     * write-back by default, 0xE0000000-0xFFFFFFFF uncached, 0-640 KiB
     * write-back, VGA hole uncached, 0xC0000-0xFFFFF write-protected */
    env->mtrr_deftype = 0xc06;
    env->mtrr_var[0] = 0xe0000000ull;
    env->mtrr_var[1] = 0xfe0000800ull;
    env->mtrr_fixed[0] = 0x0606060606060606ull;
    env->mtrr_fixed[1] = 0x0606060606060606ull;
    for (unsigned i = 3; i < 11; i++) {
        env->mtrr_fixed[i] = 0x0505050505050505ull;
    }

    env->cc_op = CPU_CC_OP_EFLAGS;
    env->df = 1;
    env->eflags = 0x2u;
    env->exception_index = -1;
    env->old_exception = -1;
    cpu_update_hflags(env);
}

/* Leave generated code / helpers for the execution loop's setjmp. */
void cpu_loop_exit(CPUX86State *env)
{
    cpu_longjmp(env->jmp_env);
}

/* Recover the guest state at host address retaddr, then leave. */
void cpu_loop_exit_restore(CPUX86State *env, uintptr_t retaddr)
{
    if (retaddr) {
        cpu_restore_state(env, retaddr);
    }
    cpu_loop_exit(env);
}

/* Raise exception vec with an error code at the current instruction. */
void raise_exception_err_ra(CPUX86State *env, int vec, int err,
                            uintptr_t retaddr)
{
    if (retaddr) {
        cpu_restore_state(env, retaddr);
    }
    env->exception_index = vec;
    env->error_code = err;
    env->exception_is_int = 0;
    env->exception_next_eip = env->eip;
    cpu_loop_exit(env);
}

/* Raise exception vec (no error code) at the current instruction. */
void raise_exception_ra(CPUX86State *env, int vec, uintptr_t retaddr)
{
    raise_exception_err_ra(env, vec, 0, retaddr);
}

/*
 * Raise an interrupt or exception.  is_int marks software INT n / INT3 /
 * INTO, whose return address next_eip (the absolute EIP of the following
 * instruction) is pushed instead of the faulting EIP.
 */
void raise_interrupt(CPUX86State *env, int intno, int is_int, int error_code,
                     uint32_t next_eip, uintptr_t retaddr)
{
    if (retaddr) {
        cpu_restore_state(env, retaddr);
    }
    env->exception_index = intno;
    env->error_code = error_code;
    env->exception_is_int = is_int;
    env->exception_next_eip = is_int ? next_eip : env->eip;
    cpu_loop_exit(env);
}
