/*
 * hamt86 - x87 environment: FNINIT state, #NM / #MF / FERR#, tag words,
 * FLDENV / FNSTENV / FRSTOR / FNSAVE (16- and 32-bit, real and protected
 * mode) and FXSAVE / FXRSTOR.
 *
 * Environment images (SDM vol. 1 8.1.10, figures 8-9 .. 8-12); every field
 * a word in the 16-bit forms, a dword in the 32-bit forms, where a real
 * P6 stores 0xFFFF in the unused upper halves (marked ffff):
 *
 *   protected mode, 32-bit          real / V86 mode, 32-bit
 *   +0  ffff | FCW                  +0  ffff | FCW
 *   +4  ffff | FSW                  +4  ffff | FSW
 *   +8  ffff | FTW                  +8  ffff | FTW
 *   +12 FIP (offset)                +12 ffff | FIP 15..0
 *   +16 0 FOP(11) | FCS             +16 0000 FIP31..16 (bits 27..12) 0 FOP
 *   +20 FDP (offset)                +20 ffff | FDP 15..0
 *   +24 ffff | FDS                  +24 0000 FDP31..16 (bits 27..12) 000
 *
 *   protected mode, 16-bit          real / V86 mode, 16-bit
 *   +0 FCW +2 FSW +4 FTW            +0 FCW +2 FSW +4 FTW
 *   +6 FIP +8 FCS                   +6 FIP 15..0  +8 FIP19..16 << 12 | FOP
 *   +10 FDP +12 FDS                 +10 FDP 15..0 +12 FDP19..16 << 12
 *
 * In real mode the pointers are linear addresses (CS * 16 + IP).  FNSAVE
 * appends ST(0)..ST(7), 10 bytes each, then re-initialises the FPU.
 *
 * FXSAVE image (512 bytes, 16-byte aligned):
 *   +0 FCW  +2 FSW  +4 abridged FTW  +6 FOP  +8 FIP  +12 FCS
 *   +16 FDP +20 FDS +24 MXCSR +28 MXCSR_MASK  +32 + 16 * i: ST(i) (10 bytes)
 *   (a Pentium II has no SSE: MXCSR and the XMM area are not touched)
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/log.h"
#include "translator/fpu-internal.h"

/* FNINIT / reset state: FCW 037F, FSW 0, all empty, pointers 0. */
void fpu_reset(CPUX86State *env)
{
    env->fpu.fcw = X80_CW_DEFAULT;
    env->fpu.fsw = 0;
    env->fpu.top = 0;
    env->fpu.tag_valid = 0;
    env->fpu.fip = env->fpu.fdp = 0;
    env->fpu.fcs = env->fpu.fds = 0;
    env->fpu.fop = 0;
}

/* FERR# deasserted and IGNNE# released (the execution loop lowers IRQ13
 * when it sees env->fpu.ferr change). */
void fpu_clear_ferr(CPUX86State *env)
{
    env->fpu.ferr = 0;
    env->fpu.ignne = 0;
}

/* CR0.EM or CR0.TS: #NM. */
void fpu_check_nm(CPUX86State *env, uintptr_t ra)
{
    if (env->cr[0] & (CR0_EM | CR0_TS)) {
        raise_exception_ra(env, EXCP07_NM, ra);
    }
}

/*
 * A waiting instruction with an unmasked exception pending (FSW.ES):
 * CR0.NE=1 raises #MF here.  NE=0 (MS-DOS compatible, SDM vol. 1 8.7.2
 * and D.2): unless IGNNE# is asserted, FERR# goes to the PIC as IRQ13 and
 * the processor freezes just before this instruction until an external
 * interrupt arrives.  Here: the first time, FERR# is raised and the
 * instruction restarted, so the loop delivers IRQ13 before it if it can;
 * if the exception is still pending then (IF=0, IRQ13 masked, a handler
 * that returned without FNCLEX / OUT 0xF0), the CPU halts at the
 * instruction: any interrupt wakes it and the instruction runs again.
 * With IF=0 nothing can (no NMI source), so hamt86 stops as for HLT with
 * IF=0.  (QEMU 7.2 raises FERR# and goes on, never freezing.)
 */
void fpu_check_wait(CPUX86State *env, uintptr_t ra)
{
    if (!(env->fpu.fsw & FSW_ES)) {
        return;
    }
    if (env->cr[0] & CR0_NE) {
        raise_exception_ra(env, EXCP10_MF, ra);
    }
    if (env->fpu.ignne) {
        return;
    }
    if (!env->fpu.ferr) {
        /* the loop raises IRQ13 (machine.set_ferr) before the next TB */
        env->fpu.ferr = 1;
        env->exception_index = EXCP_INTERRUPT;
        cpu_loop_exit_restore(env, ra);
    }
    /* frozen: EIP stays at this instruction */
    env->halted = true;
    env->exception_index = EXCP_HLT;
    cpu_loop_exit_restore(env, ra);
}

/* Full 2-bit tag word (FSTENV / FSAVE) from the registers. */
uint16_t fpu_full_tags(const CPUX86State *env)
{
    uint16_t ftw = 0;
    unsigned p;

    for (p = 0; p < 8; p++) {
        unsigned t = X80_TAG_EMPTY;

        if ((env->fpu.tag_valid >> p) & 1) {
            floatx80 v = { env->fpu.st[p].mant, env->fpu.st[p].sexp };

            t = x80_tag(v);
        }
        ftw |= (uint16_t)(t << (2 * p));
    }
    return ftw;
}

/* Abridged tags (1 = valid) from a full tag word. */
uint8_t fpu_abridge_tags(uint16_t ftw)
{
    uint8_t v = 0;
    unsigned p;

    for (p = 0; p < 8; p++) {
        if (((ftw >> (2 * p)) & 3) != X80_TAG_EMPTY) {
            v |= (uint8_t)(1u << p);
        }
    }
    return v;
}

/* Real or V86 mode: the images hold linear pointers. */
static bool fpu_realmode(CPUX86State *env)
{
    return !(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK);
}

/* FNSTENV image at addr; afterwards all exceptions are masked. */
void fpu_stenv(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra)
{
    uint16_t fsw = fpu_get_fsw(env), ftw = fpu_full_tags(env);
    uint32_t fip = env->fpu.fip, fdp = env->fpu.fdp;

    if (fpu_realmode(env)) {
        fip += (uint32_t)env->fpu.fcs << 4;
        fdp += (uint32_t)env->fpu.fds << 4;
        if (o32) {
            cpu_stl(env, addr, 0xffff0000u | env->fpu.fcw, ra);
            cpu_stl(env, addr + 4, 0xffff0000u | fsw, ra);
            cpu_stl(env, addr + 8, 0xffff0000u | ftw, ra);
            cpu_stl(env, addr + 12, 0xffff0000u | (fip & 0xffff), ra);
            cpu_stl(env, addr + 16, ((fip >> 4) & 0x0ffff000u) |
                    (env->fpu.fop & 0x7ff), ra);
            cpu_stl(env, addr + 20, 0xffff0000u | (fdp & 0xffff), ra);
            cpu_stl(env, addr + 24, (fdp >> 4) & 0x0ffff000u, ra);
        } else {
            cpu_stw(env, addr, env->fpu.fcw, ra);
            cpu_stw(env, addr + 2, fsw, ra);
            cpu_stw(env, addr + 4, ftw, ra);
            cpu_stw(env, addr + 6, fip & 0xffff, ra);
            cpu_stw(env, addr + 8, ((fip >> 4) & 0xf000) |
                    (env->fpu.fop & 0x7ff), ra);
            cpu_stw(env, addr + 10, fdp & 0xffff, ra);
            cpu_stw(env, addr + 12, (fdp >> 4) & 0xf000, ra);
        }
    } else if (o32) {
        cpu_stl(env, addr, 0xffff0000u | env->fpu.fcw, ra);
        cpu_stl(env, addr + 4, 0xffff0000u | fsw, ra);
        cpu_stl(env, addr + 8, 0xffff0000u | ftw, ra);
        cpu_stl(env, addr + 12, fip, ra);
        cpu_stl(env, addr + 16, ((uint32_t)(env->fpu.fop & 0x7ff) << 16) |
                env->fpu.fcs, ra);
        cpu_stl(env, addr + 20, fdp, ra);
        cpu_stl(env, addr + 24, 0xffff0000u | env->fpu.fds, ra);
    } else {
        cpu_stw(env, addr, env->fpu.fcw, ra);
        cpu_stw(env, addr + 2, fsw, ra);
        cpu_stw(env, addr + 4, ftw, ra);
        cpu_stw(env, addr + 6, fip & 0xffff, ra);
        cpu_stw(env, addr + 8, env->fpu.fcs, ra);
        cpu_stw(env, addr + 10, fdp & 0xffff, ra);
        cpu_stw(env, addr + 12, env->fpu.fds, ra);
    }
    env->fpu.fcw |= X80_EXC_MASK;
    fpu_update_es(env);
}

/* FLDENV image at addr. */
void fpu_ldenv(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra)
{
    unsigned w = o32 ? 4 : 2;
    uint32_t fcw = cpu_lduw(env, addr, ra);
    uint32_t fsw = cpu_lduw(env, addr + w, ra);
    uint32_t ftw = cpu_lduw(env, addr + 2 * w, ra);
    uint32_t a, b, c, d;

    if (o32) {
        a = cpu_ldl(env, addr + 12, ra);
        b = cpu_ldl(env, addr + 16, ra);
        c = cpu_ldl(env, addr + 20, ra);
        d = cpu_ldl(env, addr + 24, ra);
    } else {
        a = cpu_lduw(env, addr + 6, ra);
        b = cpu_lduw(env, addr + 8, ra);
        c = cpu_lduw(env, addr + 10, ra);
        d = cpu_lduw(env, addr + 12, ra);
    }
    if (fpu_realmode(env)) {
        if (o32) {
            env->fpu.fip = (a & 0xffff) | ((b & 0x0ffff000u) << 4);
            env->fpu.fdp = (c & 0xffff) | ((d & 0x0ffff000u) << 4);
        } else {
            env->fpu.fip = (a & 0xffff) | ((b & 0xf000) << 4);
            env->fpu.fdp = (c & 0xffff) | ((d & 0xf000) << 4);
        }
        env->fpu.fop = (uint16_t)(b & 0x7ff);
        env->fpu.fcs = env->fpu.fds = 0;
    } else if (o32) {
        env->fpu.fip = a;
        env->fpu.fcs = (uint16_t)b;
        env->fpu.fop = (uint16_t)((b >> 16) & 0x7ff);
        env->fpu.fdp = c;
        env->fpu.fds = (uint16_t)d;
    } else {
        env->fpu.fip = a;
        env->fpu.fcs = (uint16_t)b;
        env->fpu.fdp = c;
        env->fpu.fds = (uint16_t)d;
    }
    env->fpu.fcw = (uint16_t)((fcw & 0x1f7f) | FCW_RESERVED_ONES);
    env->fpu.fsw = (uint16_t)fsw;
    env->fpu.top = (fsw >> 11) & 7;
    env->fpu.tag_valid = fpu_abridge_tags((uint16_t)ftw);
    fpu_update_es(env);
    if (!(env->fpu.fsw & FSW_ES)) {
        fpu_clear_ferr(env);
    }
}

/* FNSAVE: environment, ST(0)..ST(7), then FNINIT. */
void fpu_save(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra)
{
    uint32_t base = addr + (o32 ? 28 : 14);
    unsigned i;

    for (i = 0; i < 8; i++) {
        fpu_st80(env, base + 10 * i, fpu_get(env, i), ra);
    }
    fpu_stenv(env, addr, o32, ra);
    fpu_reset(env);
}

/* FRSTOR: environment, then ST(0)..ST(7) relative to the loaded TOP. */
void fpu_restore(CPUX86State *env, uint32_t addr, bool o32, uintptr_t ra)
{
    uint32_t base = addr + (o32 ? 28 : 14);
    floatx80 v[8];
    uint8_t tags;
    unsigned i;

    for (i = 0; i < 8; i++) {
        v[i] = fpu_ld80(env, base + 10 * i, ra);
    }
    fpu_ldenv(env, addr, o32, ra);
    tags = env->fpu.tag_valid;
    for (i = 0; i < 8; i++) {
        fpu_set(env, i, v[i]);
    }
    env->fpu.tag_valid = tags;
}

/* FXSAVE m512 (#GP(0) if not 16-byte aligned). */
void helper_fxsave(CPUX86State *env, uint32_t addr)
{
    uintptr_t ra = GETPC();
    unsigned i;

    fpu_check_nm(env, ra);
    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    cpu_stw(env, addr, env->fpu.fcw, ra);
    cpu_stw(env, addr + 2, fpu_get_fsw(env), ra);
    cpu_stw(env, addr + 4, env->fpu.tag_valid, ra);
    cpu_stw(env, addr + 6, env->fpu.fop, ra);
    cpu_stl(env, addr + 8, env->fpu.fip, ra);
    cpu_stl(env, addr + 12, env->fpu.fcs, ra);
    cpu_stl(env, addr + 16, env->fpu.fdp, ra);
    cpu_stl(env, addr + 20, env->fpu.fds, ra);
    for (i = 0; i < 8; i++) {
        fpu_st80(env, addr + 32 + 16 * i, fpu_get(env, i), ra);
    }
}

/* FXRSTOR m512. */
void helper_fxrstor(CPUX86State *env, uint32_t addr)
{
    uintptr_t ra = GETPC();
    floatx80 v[8];
    unsigned i;

    fpu_check_nm(env, ra);
    if (addr & 15) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    for (i = 0; i < 8; i++) {
        v[i] = fpu_ld80(env, addr + 32 + 16 * i, ra);
    }
    env->fpu.fcw = (uint16_t)((cpu_lduw(env, addr, ra) & 0x1f7f) |
                              FCW_RESERVED_ONES);
    env->fpu.fsw = (uint16_t)cpu_lduw(env, addr + 2, ra);
    env->fpu.top = (env->fpu.fsw >> 11) & 7;
    env->fpu.fop = (uint16_t)(cpu_lduw(env, addr + 6, ra) & 0x7ff);
    env->fpu.fip = cpu_ldl(env, addr + 8, ra);
    env->fpu.fcs = (uint16_t)cpu_lduw(env, addr + 12, ra);
    env->fpu.fdp = cpu_ldl(env, addr + 16, ra);
    env->fpu.fds = (uint16_t)cpu_lduw(env, addr + 20, ra);
    for (i = 0; i < 8; i++) {
        fpu_set(env, i, v[i]);
    }
    env->fpu.tag_valid = (uint8_t)cpu_ldub(env, addr + 4, ra);
    fpu_update_es(env);
    if (!(env->fpu.fsw & FSW_ES)) {
        fpu_clear_ferr(env);
    }
}
