/*
 * hamt86 - the LoongArch backend's side of HAMT (hamt/hamt.h hooks): patch
 * a hot site to always take its slow-path stub.  Finding the stub of a
 * site is host-common (host-common/hamt-site.c).
 */
#include "core/base.h"
#include "core/exec.h"
#include "core/os.h"
#include "hamt/hamt.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"

/* hamt/: make the site at pc always take its stub: the access itself
 * (l?x/s?x val, RAMBASE, addr) becomes a b to the stub, which does the
 * access and returns after it. */
void hamt_backend_patch_site(uintptr_t pc, uintptr_t stub)
{
    uint32_t *at = (uint32_t *)pc;

    if (!la_b_reaches(at, (const void *)stub)) {
        return;   /* cannot happen inside one 128 MiB cache; stay unpatched */
    }
    *at = la_enc_b(la_b_offs(at, (const void *)stub));
    os_flush_icache(at, at + 1);
}
