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

/* hamt/: make the site at pc always take its stub (the dext before the
 * access becomes a branch; the daddu runs in its delay slot, harmlessly). */
void hamt_backend_patch_site(uintptr_t pc, uintptr_t stub)
{
    HostAsm s;
    uint8_t *at = (uint8_t *)(pc - 8);

    s.start = s.ptr = at;
    s.end = at + 4;
    s.overflow = false;
    mips_beq(&s, MIPS_ZERO, MIPS_ZERO, (int32_t)((intptr_t)stub - (intptr_t)(pc - 4)) / 4);
    os_flush_icache(at, at + 4);
}

