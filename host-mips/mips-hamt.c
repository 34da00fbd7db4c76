/*
 * hamt86 - the MIPS backend's side of HAMT (hamt/hamt.h hooks): patch a
 * hot site to always take its slow-path stub.  Finding the stub of a site
 * is host-common (host-common/hamt-site.c).
 */
#include "core/base.h"
#include "core/exec.h"
#include "core/os.h"
#include "hamt/hamt.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-emit.h"

/*
 * hamt/: make the site at pc always take its stub.  The site is
 *   daddu t9, addr, gp    ->  beq zero, zero, stub
 *   l?/s? val, 0(t9)      ->  nop (the delay slot: the access must not run)
 * The faulting thread is in the refill handler, which moves its PC to the
 * stub, so nothing executes the two words while they change.
 */
void hamt_backend_patch_site(uintptr_t pc, uintptr_t stub)
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
