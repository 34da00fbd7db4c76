/*
 * hamt86 - system helpers: CPUID, RDTSC/RDPMC, RDMSR/WRMSR, control and
 * debug register writes, HLT, STI, EFLAGS read/write (PUSHF/POPF and the
 * interrupt paths) and port I/O.
 */
#include "core/cpu.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/os.h"
#include "translator/cc.h"


/* seg-helper.c: recompute hflags after a mode/segment change (cpl < 0: keep). */
void seg_sync_hflags(CPUX86State *env, int cpl);

/* Architectural EFLAGS from env (lazy arithmetic flags and DF folded in). */
uint32_t sys_get_eflags(CPUX86State *env)
{
    return cpu_compute_eflags(env);
}

/*
 * Replace the EFLAGS bits in mask with those of val: arithmetic flags go to
 * the lazy state (cc_op = EFLAGS), DF to env->df, the rest to env->eflags;
 * hflags TF/IOPL/VM/SMAP follow (cpu_load_eflags).
 */
void sys_set_eflags(CPUX86State *env, uint32_t val, uint32_t mask)
{
    uint32_t cur = sys_get_eflags(env);

    cpu_load_eflags(env, (cur & ~mask) | (val & mask), 0xffffffffu);
}

/* ------------------------------------------------------------------------
 * CPUID
 *
 * QEMU 7.2's "pentium2" model (family 6 model 5 stepping 2) with a feature
 * bit only where hamt86 implements the feature.  Leaf 1 EDX of QEMU's model
 * is 0x0183fbfd; left out here: APIC (isapc has no usable local APIC),
 * so leaf 1 EDX is 0x0183f9fd.  Leaf 1 ECX
 * is 0 (QEMU sets its "hypervisor" bit 31; a Pentium II does not).
 *
 *   DE    CR4.DE: DR4/DR5 #UD              MCE/MCA  MCG_* and 10 MCi banks
 *   PSE/PAE/PSE36/PGE  core/mmu-walk.c     MTRR     MTRRcap, 8 variable and
 *   TSC/MSR  RDTSC, RDMSR/WRMSR                     11 fixed MTRRs, def type
 *   CX8/CMOV  instructions                 PAT      IA32_PAT (stored)
 *   SEP   SYSENTER/SYSEXIT (seg-sys.c)
 */
#define CPUID_FPU   (1u << 0)
#define CPUID_DE    (1u << 2)
#define CPUID_PSE   (1u << 3)
#define CPUID_TSC   (1u << 4)
#define CPUID_MSR   (1u << 5)
#define CPUID_PAE   (1u << 6)
#define CPUID_MCE   (1u << 7)
#define CPUID_CX8   (1u << 8)
#define CPUID_SEP   (1u << 11)
#define CPUID_MTRR  (1u << 12)
#define CPUID_PGE   (1u << 13)
#define CPUID_MCA   (1u << 14)
#define CPUID_CMOV  (1u << 15)
#define CPUID_PAT   (1u << 16)
#define CPUID_PSE36 (1u << 17)
#define CPUID_MMX   (1u << 23)
#define CPUID_FXSR  (1u << 24)
/* x87, MMX and FXSAVE/FXRSTOR: translator/fpu*.c, mmx-helper.c. */
#define FEATURES_EDX (CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | \
                      CPUID_MSR | CPUID_PAE | CPUID_MCE | CPUID_CX8 | \
                      CPUID_SEP | CPUID_MTRR | CPUID_PGE | CPUID_MCA | \
                      CPUID_CMOV | CPUID_PAT | CPUID_PSE36 | CPUID_MMX | \
                      CPUID_FXSR)

static const struct {
    uint32_t eax, ebx, ecx, edx;
} cpuid_leaves[] = {
    /* 0: max basic leaf, "GenuineIntel" in EBX EDX ECX */
    { 2, 0x756e6547, 0x6c65746e, 0x49656e69 },
    /* 1: family 6 model 5 stepping 2; EBX: CLFLUSH line 8 (as QEMU) */
    { 0x00000652, 0x00000800, 0, FEATURES_EDX },
    /* 2: one round; descriptors 2c 30 7d (L1D, L1I, L2) and 4d, as QEMU */
    { 0x00000001, 0, 0x0000004d, 0x002c307d },
};

/* CPUID: leaves above the maximum (basic or extended: pentium2 has no
 * extended leaves) answer like the highest basic leaf, as Intel CPUs do. */
void helper_cpuid(CPUX86State *env)
{
    uint32_t leaf = env->regs[R_EAX];
    unsigned i = leaf < ARRAY_SIZE(cpuid_leaves) ? leaf
                                                  : ARRAY_SIZE(cpuid_leaves) - 1;

    env->regs[R_EAX] = cpuid_leaves[i].eax;
    env->regs[R_EBX] = cpuid_leaves[i].ebx;
    env->regs[R_ECX] = cpuid_leaves[i].ecx;
    env->regs[R_EDX] = cpuid_leaves[i].edx;
}

/* ------------------------------------------------------------------------
 * Time stamp counter and MSRs
 */

/* The guest TSC: the machine's nominal-frequency counter (hw/timer.c,
 * host monotonic time) plus the WRMSR offset. */
static uint64_t sys_tsc(CPUX86State *env)
{
    return hw_tsc() + env->tsc_offset;
}

/* CPL of the running code. */
static int sys_cpl(CPUX86State *env)
{
    return env->hflags & HF_CPL_MASK;
}

/* RDTSC: #GP(0) with CR4.TSD at CPL > 0. */
void helper_rdtsc(CPUX86State *env)
{
    uint64_t t;

    if ((env->cr[4] & CR4_TSD) && sys_cpl(env) != 0) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    t = sys_tsc(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = (uint32_t)(t >> 32);
}

#define CR4_PCE 0x00000100u

/* RDPMC: two counters that always read 0. */
void helper_rdpmc(CPUX86State *env)
{
    if ((!(env->cr[4] & CR4_PCE) && sys_cpl(env) != 0) ||
        env->regs[R_ECX] > 1) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    env->regs[R_EAX] = 0;
    env->regs[R_EDX] = 0;
}

/* MSR numbers. */
#define MSR_P5_MC_ADDR        0x000
#define MSR_TSC               0x010
#define MSR_PLATFORM_ID       0x017
#define MSR_APIC_BASE         0x01b
#define MSR_EBL_CR_POWERON    0x02a
#define MSR_BIOS_UPDT_TRIG    0x079
#define MSR_BIOS_SIGN_ID      0x08b
#define MSR_PERFCTR0          0x0c1
#define MSR_PERFCTR1          0x0c2
#define MSR_P5_MC_TYPE        0x001
#define MSR_MTRRCAP           0x0fe
#define MSR_MCG_CAP           0x179
#define MSR_MCG_STATUS        0x17a
#define MSR_MCG_CTL           0x17b
#define MSR_MTRR_VAR0         0x200
#define MSR_MTRR_FIX64K       0x250
#define MSR_MTRR_FIX16K       0x258
#define MSR_MTRR_FIX4K        0x268
#define MSR_MC0_CTL           0x400
/* MCG_CAP: MCG_CTL present (bit 8), SER_P (bit 24), 10 banks, as QEMU */
#define MCG_CAP_VALUE         0x0100010aull
/* MTRRcap: WC supported, fixed ranges, 8 variable ranges */
#define MTRRCAP_VALUE         0x508ull
#define MSR_SYSENTER_CS       0x174
#define MSR_SYSENTER_ESP      0x175
#define MSR_SYSENTER_EIP      0x176
#define MSR_EVNTSEL0          0x186
#define MSR_EVNTSEL1          0x187
#define MSR_MISC_ENABLE       0x1a0
#define MSR_DEBUGCTL          0x1d9
#define MSR_PAT               0x277
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MSR_EFER              0xc0000080u
/* EFER bits a guest may set: none (CPUID offers neither NX nor SYSCALL nor
 * long mode); like QEMU, other bits are dropped silently. */
#define EFER_WRITABLE         0u

/*
 * The MSRs that are arrays in env: variable MTRRs (0x200 + 2n base,
 * 0x201 + 2n mask), fixed MTRRs, machine-check banks (0x400 + 4n + k).
 */
static bool sys_msr_array(CPUX86State *env, uint32_t msr, uint64_t **p)
{
    if (msr - MSR_MTRR_VAR0 < CPU_MTRR_VARS * 2) {
        *p = &env->mtrr_var[msr - MSR_MTRR_VAR0];
    } else if (msr == MSR_MTRR_FIX64K) {
        *p = &env->mtrr_fixed[0];
    } else if (msr == MSR_MTRR_FIX16K || msr == MSR_MTRR_FIX16K + 1) {
        *p = &env->mtrr_fixed[1 + msr - MSR_MTRR_FIX16K];
    } else if (msr - MSR_MTRR_FIX4K < 8) {
        *p = &env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K];
    } else if (msr - MSR_MC0_CTL < CPU_MCE_BANKS * 4) {
        *p = &env->mce_banks[msr - MSR_MC0_CTL];
    } else {
        return false;
    }
    return true;
}

/* RDMSR ECX -> EDX:EAX; unknown MSRs #GP(0) (QEMU's TCG reads them as 0;
 * a Pentium II faults, and Linux's safe probes rely on it). */
void helper_rdmsr(CPUX86State *env)
{
    uint32_t msr = env->regs[R_ECX];
    uint64_t v, *p;

    switch (msr) {
    case MSR_TSC:
        v = sys_tsc(env);
        break;
    case MSR_SYSENTER_CS:
        v = env->sysenter_cs;
        break;
    case MSR_SYSENTER_ESP:
        v = env->sysenter_esp;
        break;
    case MSR_SYSENTER_EIP:
        v = env->sysenter_eip;
        break;
    case MSR_APIC_BASE:
        v = env->apic_base;
        break;
    case MSR_PAT:
        v = env->pat;
        break;
    case MSR_MISC_ENABLE:
        v = env->misc_enable;
        break;
    case MSR_EFER:
        v = env->efer;
        break;
    case MSR_MTRRCAP:
        v = MTRRCAP_VALUE;
        break;
    case MSR_MTRR_DEF_TYPE:
        v = env->mtrr_deftype;
        break;
    case MSR_MCG_CAP:
        v = MCG_CAP_VALUE;
        break;
    case MSR_MCG_STATUS:
        v = env->mcg_status;
        break;
    case MSR_MCG_CTL:
        v = env->mcg_ctl;
        break;
    case MSR_BIOS_SIGN_ID:     /* microcode revision 1 in bits 63:32, as QEMU */
        v = 1ull << 32;
        break;
    case MSR_PLATFORM_ID:
    case MSR_EBL_CR_POWERON:
    case MSR_P5_MC_TYPE:
    case MSR_PERFCTR0:
    case MSR_PERFCTR1:
    case MSR_EVNTSEL0:
    case MSR_EVNTSEL1:
    case MSR_DEBUGCTL:
    case MSR_P5_MC_ADDR:
        v = 0;
        break;
    default:
        if (!sys_msr_array(env, msr, &p)) {
            DEBUG_LOG(LOG_UNIMP, "unimp: rdmsr 0x%x at EIP 0x%08x\n", msr,
                      env->eip);
            raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
        }
        v = *p;
        break;
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = (uint32_t)(v >> 32);
}

/* WRMSR EDX:EAX -> MSR ECX; unknown or read-only MSRs #GP(0). */
void helper_wrmsr(CPUX86State *env)
{
    uint32_t msr = env->regs[R_ECX];
    uint64_t v = ((uint64_t)env->regs[R_EDX] << 32) | env->regs[R_EAX], *p;

    switch (msr) {
    case MSR_TSC:
        env->tsc_offset = v - hw_tsc();
        break;
    case MSR_SYSENTER_CS:
        env->sysenter_cs = v & 0xffff;
        break;
    case MSR_SYSENTER_ESP:
        env->sysenter_esp = (uint32_t)v;
        break;
    case MSR_SYSENTER_EIP:
        env->sysenter_eip = (uint32_t)v;
        break;
    case MSR_APIC_BASE:
        env->apic_base = v;
        break;
    case MSR_PAT:
        env->pat = v;
        break;
    case MSR_MISC_ENABLE:
        env->misc_enable = v;
        break;
    case MSR_EFER:
        env->efer = v & EFER_WRITABLE;
        tlb_flush_all(env);
        break;
    case MSR_MTRR_DEF_TYPE:
        env->mtrr_deftype = v;
        break;
    case MSR_MCG_STATUS:
        env->mcg_status = v;
        break;
    case MSR_MCG_CTL:          /* all or nothing, as QEMU */
        if (v == 0 || v == ~0ull) {
            env->mcg_ctl = v;
        }
        break;
    case MSR_BIOS_UPDT_TRIG:
    case MSR_BIOS_SIGN_ID:
    case MSR_PERFCTR0:
    case MSR_PERFCTR1:
    case MSR_EVNTSEL0:
    case MSR_EVNTSEL1:
    case MSR_DEBUGCTL:
        break;
    default:
        if (!sys_msr_array(env, msr, &p)) {
            DEBUG_LOG(LOG_UNIMP, "unimp: wrmsr 0x%x = 0x%llx at EIP 0x%08x\n",
                      msr, (unsigned long long)v, env->eip);
            raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
        }
        /* MCi_CTL takes only all-zero or all-one values, as on QEMU */
        if (msr < MSR_MC0_CTL || ((msr - MSR_MC0_CTL) & 3) != 0 ||
            v == 0 || v == ~0ull) {
            *p = v;
        }
        break;
    }
}

/* ------------------------------------------------------------------------
 * Control and debug registers
 */

#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR4_DE 0x00000008u
/* CR4 bits a guest may set: those whose features CPUID offers. */
#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE | \
                       CR4_OSFXSR)

/* Drop every cached translation of linear addresses. */
static void sys_flush_tlb(CPUX86State *env)
{
    tlb_flush_all(env);
}

/* CR0 write: #GP(0) for PG without PE or NW without CD. */
static void sys_write_cr0(CPUX86State *env, uint32_t v, uintptr_t ra)
{
    uint32_t old = env->cr[0];

    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD))) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    v |= CR0_ET;
    env->cr[0] = v;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
        sys_flush_tlb(env);
    }
    if (unlikely(log_enabled(LOG_MMU))) {
        hlog("sys: cr0 0x%08x -> 0x%08x\n", old, v);
    }
    /* PE changes switch the mode; CPL is 0 here either way */
    seg_sync_hflags(env, 0);
}

/* MOV CRn, r32. */
void helper_write_cr(CPUX86State *env, uint32_t n, uint32_t v)
{
    uintptr_t ra = GETPC();
    uint32_t old;

    switch (n) {
    case 0:
        sys_write_cr0(env, v, ra);
        break;
    case 2:
        env->cr[2] = v;
        break;
    case 3:
        env->cr[3] = v;
        if (env->cr[0] & CR0_PG) {
            tlb_flush_nonglobal(env);
        }
        break;
    case 4:
        if (v & ~(CR4_SUPPORTED | CR4_MCE)) {   /* MCE: a P6 always has it */
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        old = env->cr[4];
        env->cr[4] = v;
        if ((old ^ v) & (CR4_PSE | CR4_PGE | CR4_PAE)) {
            sys_flush_tlb(env);
        }
        seg_sync_hflags(env, -1);
        break;
    default:
        raise_exception_err_ra(env, EXCP06_UD, 0, ra);
    }
}

/* DR4/DR5: #UD under CR4.DE (debug extensions), else DR6/DR7. */
static uint32_t sys_dr_alias(CPUX86State *env, uint32_t n, uintptr_t ra)
{
    if (n == 4 || n == 5) {
        if (env->cr[4] & CR4_DE) {
            raise_exception_err_ra(env, EXCP06_UD, 0, ra);
        }
        return n + 2;
    }
    return n;
}

/* MOV r32, DR4/DR5. */
uint32_t helper_read_dr(CPUX86State *env, uint32_t n)
{
    return env->dr[sys_dr_alias(env, n, GETPC())];
}

/* MOV DRn, r32 (breakpoints are recorded but not armed yet). */
void helper_write_dr(CPUX86State *env, uint32_t n, uint32_t v)
{
    n = sys_dr_alias(env, n, GETPC());
    switch (n) {
    case 6:
        env->dr[6] = v | 0xffff0ff0u;
        break;
    case 7:
        env->dr[7] = v | 0x400u;
        if (v & 0xff) {
            DEBUG_LOG(LOG_UNIMP, "unimp: hardware breakpoints (dr7 0x%08x)\n",
                      v);
        }
        break;
    default:
        env->dr[n & 7] = v;
        break;
    }
}

/* LMSW: low four CR0 bits; PE can be set but never cleared. */
void helper_lmsw(CPUX86State *env, uint32_t v)
{
    sys_write_cr0(env, (env->cr[0] & ~0xeu) | (v & 0xf), GETPC());
}

/* CLTS. */
void helper_clts(CPUX86State *env)
{
    env->cr[0] &= ~CR0_TS;
}

/* INVLPG. */
void helper_invlpg(CPUX86State *env, uint32_t addr)
{
    tlb_flush_page(env, addr);
}

/* ------------------------------------------------------------------------
 * HLT, STI, EFLAGS
 */

/* HLT: halt until an interrupt; the loop sees EXCP_HLT. */
void helper_hlt(CPUX86State *env, uint32_t next_eip)
{
    env->eip = next_eip;
    env->hflags &= ~HF_INHIBIT_IRQ;   /* sti; hlt must still wake */
    env->halted = true;
    env->exception_index = EXCP_HLT;
    cpu_loop_exit(env);
}

/* STI: IF = 1; if IF was 0 the next instruction runs in an interrupt shadow. */
void helper_sti(CPUX86State *env)
{
    if (!(env->eflags & IF_MASK)) {
        env->hflags |= HF_INHIBIT_IRQ;
    }
    env->eflags |= IF_MASK;
}

/* PUSHF: EFLAGS as pushed (VM and RF read as 0). */
uint32_t helper_read_eflags(CPUX86State *env)
{
    return sys_get_eflags(env) & ~(VM_MASK | RF_MASK);
}

/* POPF: the translator computed which bits may change. */
void helper_write_eflags(CPUX86State *env, uint32_t val, uint32_t mask)
{
    sys_set_eflags(env, val, mask);
}

/* ------------------------------------------------------------------------
 * Port I/O and the missing FPU
 */

/*
 * I/O permission through the TSS bitmap, for CPL > IOPL or VM86 (the
 * translator only calls this then): every bit of ports port..port+size-1
 * must be clear, else #GP(0).  16-bit TSSs have no bitmap.
 */
void helper_check_io(CPUX86State *env, uint32_t port, uint32_t size)
{
    uintptr_t ra = GETPC();
    uint32_t type = (env->tr.flags >> 8) & 15, off, bits;

    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) ||
        env->tr.limit < 103) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    off = mem_ld_slow(env, env->tr.base + 0x66, MAKE_OI(1, 2), ra) & 0xffff;
    off += (port & 0xffff) >> 3;
    if (off + 1 > env->tr.limit) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    bits = mem_ld_slow(env, env->tr.base + off, MAKE_OI(1, 2), ra) & 0xffff;
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
}

/* IN: size 1, 2 or 4 bytes from port. */
uint32_t helper_in(CPUX86State *env, uint32_t port, uint32_t size)
{
    return io_read((uint16_t)port, size);
}

/* OUT: size 1, 2 or 4 bytes to port. */
void helper_out(CPUX86State *env, uint32_t port, uint32_t val, uint32_t size)
{
    io_write((uint16_t)port, size == 4 ? val : val & ((1u << (size * 8)) - 1),
             size);
}


/* A store of size bytes at addr that the generated code splits and that
 * crosses a page: fault before any part is written (cpu_probe_store). */
void helper_probe_store(CPUX86State *env, uint32_t addr, uint32_t size)
{
    cpu_probe_store(env, addr, size, GETPC());
}

/* A read-modify-write destination the instruction leaves unchanged: it
 * must still be writable (cpu_probe_write). */
void helper_probe_write(CPUX86State *env, uint32_t addr, uint32_t size)
{
    cpu_probe_write(env, addr, size, GETPC());
}
