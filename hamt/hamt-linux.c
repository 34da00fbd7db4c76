/*
 * hamt86 - HAMT Linux user-space driver: the host "TLB" is the process
 * page table.  Guest RAM is one memfd (os_alloc_ram); each MMU index has a
 * 4 GiB (+ guard) PROT_NONE window; installing a translation is
 * mmap(MAP_FIXED | MAP_SHARED) of the frame's file range at
 * window + linear, removing it is an anonymous PROT_NONE mmap over it (never
 * munmap: the hole could be taken by an unrelated allocation).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "hamt/hamt.h"

uintptr_t hamt_window_base[HAMT_NB_IDX];
uint64_t hamt_syscalls;

static int ram_fd = -1;
static unsigned map_unit_bits = 12;

/* Reserve the windows; false if the host cannot (no memfd, no space). */
bool hamt_linux_init(unsigned unit_bits)
{
    ram_fd = os_ram_fd();
    map_unit_bits = unit_bits;
    if (ram_fd < 0) {
        return false;
    }
    for (unsigned i = 0; i < HAMT_NB_IDX; i++) {
        uint64_t len = HAMT_WINDOW_SPAN + HAMT_GUARD_SIZE;
        void *p = os_reserve((size_t)len);
        if (p == NULL) {
            return false;
        }
        hamt_window_base[i] = (uintptr_t)p;
    }
    return true;
}

/* Host address of linear va in window idx. */
static inline void *win_addr(unsigned idx, uint32_t va)
{
    return (void *)(hamt_window_base[idx] + (uintptr_t)va);
}

/* mmap the frames [pa, pa + len) at window idx + va. */
static int linux_install(unsigned idx, uint32_t va, uint32_t pa, uint32_t len,
                         unsigned prot, bool global)
{
    (void)global;
    hamt_syscalls++;
    return os_map_fixed(win_addr(idx, va), len, (int)prot, ram_fd, pa);
}

/* mprotect an installed range. */
static int linux_protect(unsigned idx, uint32_t va, uint32_t len, unsigned prot)
{
    hamt_syscalls++;
    return os_protect(win_addr(idx, va), len, (int)prot);
}

/* Back to reserved PROT_NONE. */
static void linux_invalidate(unsigned idx, uint32_t va, uint32_t len)
{
    int r;

    hamt_syscalls++;
    r = os_map_fixed(win_addr(idx, va), len, 0, -1, 0);
    if (r != 0) {
        os_fatal(1, "hamt: cannot unmap window %u va 0x%08x+0x%x: %d",
                 idx, va, len, r);
    }
}

/* The whole window back to PROT_NONE in one call. */
static void linux_invalidate_all(unsigned idx)
{
    int r;

    hamt_syscalls++;
    r = os_map_fixed(win_addr(idx, 0), (size_t)HAMT_WINDOW_SPAN, 0, -1, 0);
    if (r != 0) {
        os_fatal(1, "hamt: cannot reset window %u: %d", idx, r);
    }
}

/* Nothing to do: each index has its own window, chosen by generated code. */
static void linux_switch_context(unsigned idx)
{
    (void)idx;
}

const HamtDriver hamt_driver_linux = {
    .name = "linux-user",
    .install = linux_install,
    .protect = linux_protect,
    .invalidate = linux_invalidate,
    .invalidate_all = linux_invalidate_all,
    .switch_context = linux_switch_context,
};
