/*
 * hamt86 - HAMT access sites of native backends (hamt/hamt.h hook): find
 * the slow-path stub of the site whose host access faulted, from the site
 * table lower_run() (host-common/lower-common.c) appends to each TB.
 * Patching a hot site stays per target (*-hamt.c).
 */
#include "core/base.h"
#include "core/exec.h"
#include "hamt/hamt.h"

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
