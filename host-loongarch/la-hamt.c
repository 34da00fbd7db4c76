/*
 * hamt86 - the LoongArch backend's side of window memory paths
 * (HostBackend hooks, core/exec.h): patch a hot site to always take its
 * slow-path stub, and tell stores from loads for the host fault handler.
 * Finding the stub of a site is host-common (host-common/hamt-site.c).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/exec.h"
#include "core/os.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"

/* HostBackend.patch_site: make the site at pc always take its stub: the
 * access itself (l?x/s?x val, RAMBASE, addr) becomes a b to the stub,
 * which does the access and returns after it. */
void la_patch_site(uintptr_t pc, uintptr_t stub)
{
    uint32_t *at = (uint32_t *)pc;

    if (!la_b_reaches(at, (const void *)stub)) {
        return;   /* cannot happen inside one 128 MiB cache; stay unpatched */
    }
    *at = la_enc_b(la_b_offs(at, (const void *)stub));
    os_flush_icache(at, at + 1);
}

/*
 * HostBackend.insn_is_store (QEMU's host_signal_write):
 *   st.b/h/w/d      bits 31..22 = 0xa4 .. 0xa7
 *   stptr.w/d       bits 31..24 = 0x25, 0x27
 *   stx.b/h/w/d     bits 31..15 = 0x7020, 0x7028, 0x7030, 0x7038
 */
bool la_insn_is_store(uintptr_t pc)
{
    uint32_t w;

    __builtin_memcpy(&w, (const void *)pc, 4);
    if ((w >> 22) >= 0xa4 && (w >> 22) <= 0xa7) {
        return true;
    }
    if ((w >> 24) == 0x25 || (w >> 24) == 0x27) {
        return true;
    }
    if ((w >> 15) >= 0x7020 && (w >> 15) <= 0x7038 && ((w >> 15) & 7) == 0) {
        return true;
    }
    return false;
}
