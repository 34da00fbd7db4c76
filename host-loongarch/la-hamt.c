/*
 * hamt86 - the LoongArch backend's side of HAMT (hamt/hamt.h hooks): find
 * the slow-path stub of a HAMT access site from the site table that
 * la-lower.c appends to each TB, and patch a hot site to always take it.
 */
#include "core/base.h"
#include "core/exec.h"
#include "core/os.h"
#include "hamt/hamt.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-emit.h"

/* hamt/: the slow-path stub of the HAMT site whose access is at pc. */
bool hamt_backend_find_site(uintptr_t pc, HamtSite *site)
{
    const TranslationBlock *tb = tb_find_by_host_pc(pc);
    const uint32_t *end, *tab;
    uint32_t n, off;

    if (tb == NULL || tb->host_size < 8) {
        return false;
    }
    end = (const uint32_t *)(const void *)((const uint8_t *)tb->host_code +
                                           tb->host_size);
    if (end[-1] != HAMT_SITE_MAGIC) {
        return false;
    }
    n = end[-2];
    tab = end - 2 - 2 * (size_t)n;
    off = (uint32_t)(pc - (uintptr_t)tb->host_code);
    for (uint32_t i = 0; i < n; i++) {
        if (tab[2 * i] == off) {
            site->stub = (uintptr_t)tb->host_code + tab[2 * i + 1];
            return true;
        }
    }
    return false;
}

/* hamt/: make the site at pc always take its stub (the bstrpick.d before
 * the access becomes a b to the stub). */
void hamt_backend_patch_site(uintptr_t pc, uintptr_t stub)
{
    uint32_t *at = (uint32_t *)(pc - 4);

    if (!la_b_reaches(at, (const void *)stub)) {
        return;   /* cannot happen inside one 128 MiB cache; stay unpatched */
    }
    *at = la_enc_b(la_b_offs(at, (const void *)stub));
    os_flush_icache(at, at + 1);
}
