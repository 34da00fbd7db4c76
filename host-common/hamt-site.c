/*
 * hamt86 - window access sites of native backends (HostBackend.find_site,
 * core/exec.h): find the slow-path stub of the site whose host access
 * faulted, from the site table lower_run() (host-common/lower-common.c)
 * appends to each TB when the memory path has windows.  Patching a hot
 * site stays per target (*-hamt.c).
 *
 *   tb->host_code                                 + host_size
 *   | code | slow paths | {off, stub} x n | n | MEM_SITE_MAGIC |
 */
#include "core/base.h"
#include "core/exec.h"
#include "core/mem.h"
#include "host-common/host-common.h"

/* HostBackend.find_site: the slow-path stub of the site whose access is
 * at pc inside tb. */
bool host_find_site(const TranslationBlock *tb, uintptr_t pc, uintptr_t *stub)
{
    const uint32_t *end, *tab;
    uint32_t n, off;

    if (tb == NULL || tb->host_size < 8) {
        return false;
    }
    end = (const uint32_t *)(const void *)((const uint8_t *)tb->host_code +
                                           tb->host_size);
    if (end[-1] != MEM_SITE_MAGIC) {
        return false;
    }
    n = end[-2];
    tab = end - 2 - 2 * (size_t)n;
    off = (uint32_t)(pc - (uintptr_t)tb->host_code);
    for (uint32_t i = 0; i < n; i++) {
        if (tab[2 * i] == off) {
            *stub = (uintptr_t)tb->host_code + tab[2 * i + 1];
            return true;
        }
    }
    return false;
}
