/*
 * hamt86 - the MIPS backend's side of window memory paths (HostBackend
 * hooks, core/exec.h): patch a hot site to always take its slow-path stub,
 * and tell stores from loads for the host fault handler.  Finding the
 * stub of a site is host-common (host-common/hamt-site.c).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/exec.h"
#include "core/os.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"

/*
 * HostBackend.patch_site: make the site at pc always take its stub.  The
 * site is
 *   daddu t9, addr, gp    ->  beq zero, zero, stub
 *   l?/s? val, 0(t9)      ->  nop (the delay slot: the access must not run)
 * The faulting thread is in the refill handler, which moves its PC to the
 * stub, so nothing executes the two words while they change.
 */
void mips_patch_site(uintptr_t pc, uintptr_t stub)
{
    HostAsm s;
    uint8_t *at = (uint8_t *)(pc - 4);

    s.start = s.ptr = at;
    s.end = at + 8;
    s.overflow = false;
    mips_beq(&s, MIPS_ZERO, MIPS_ZERO,
             (int32_t)((intptr_t)stub - (intptr_t)pc) / 4);
    mips_nop(&s);
    os_flush_icache(at, at + 8);
}

/*
 * HostBackend.insn_is_store (QEMU's host_signal_write): the major opcode
 * (bits 31..26) of every MIPS64 store:
 *   0x28 sb  0x29 sh  0x2a swl  0x2b sw  0x2c sdl  0x2d sdr  0x2e swr
 *   0x3f sd  0x38 sc  0x3c scd
 */
bool mips_insn_is_store(uintptr_t pc)
{
    uint32_t w;

    memcpy(&w, (const void *)pc, 4);
    switch (w >> 26) {
    case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
    case 0x2e: case 0x3f: case 0x38: case 0x3c:
        return true;
    default:
        return false;
    }
}
