/*
 * hamt86 - HAMT Linux user-space driver: the host "TLB" is the process
 * page table.  Guest RAM is one memfd (os_alloc_ram); each window (an MMU
 * index of a cached guest context, hamt_win) is a PROT_NONE reservation
 * (4 GiB + guard; paging off: RAM size + guard), made on first use; installing a translation is mmap(MAP_FIXED | MAP_SHARED)
 * of the frame's file range at base + sext32(linear) (layout: hamt.h),
 * removing it is an anonymous PROT_NONE mmap over it (never munmap: the
 * hole could be taken by an unrelated allocation).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "hamt/hamt.h"

uintptr_t hamt_window_base[HAMT_NB_WIN];
uint64_t hamt_window_span[HAMT_NB_WIN];
uintptr_t hamt_cd_st[HAMT_NB_WIN], hamt_cd_map[HAMT_NB_WIN];
uint64_t hamt_syscalls;
uint64_t hamt_reserved_bytes;

static int ram_fd = -1;
/* The code bytes (core/tb-smc.h) as a memfd, mapped again beside the
 * windows' store aliases; -1: no code-data regions. */
static int code_fd = -1;
static unsigned map_unit_bits = 12;
/* Per window: the range installed since the last invalidate_all, as keys
 * linear ^ 0x80000000 (host offset from the window start; lo > hi:
 * nothing), so a window reset only touches what was used. */
static uint32_t used_lo[HAMT_NB_WIN], used_hi[HAMT_NB_WIN];

/* Set up the driver; windows are reserved later (hamt_linux_reserve). */
bool hamt_linux_init(unsigned unit_bits)
{
    ram_fd = os_ram_fd();
    map_unit_bits = unit_bits;

    for (unsigned i = 0; i < HAMT_NB_WIN; i++) {
        used_lo[i] = 0xffffffffu;
        used_hi[i] = 0;
    }
    return ram_fd >= 0;
}

/*
 * Reserve window win: span bytes (a multiple of the map unit; more than
 * 2 GiB means the full 4 GiB) plus the guard, PROT_NONE; returns the base
 * (mid, host address of linear 0, hamt.h).  Lazy, per window: under
 * qemu-user (7.x) every reserved page costs a page descriptor, ~0.1 s per
 * 4 GiB.
 */
uintptr_t hamt_linux_reserve(unsigned win, uint64_t span)
{
    uint64_t below = 0;
    void *p;

    if (hamt_window_base[win] != 0) {
        return hamt_window_base[win];
    }
    if (span > HAMT_WINDOW_HALF) {
        span = HAMT_WINDOW_SPAN;
        below = HAMT_WINDOW_HALF;     /* 0x80000000.. below mid */
    }
    p = os_reserve((size_t)(span + HAMT_GUARD_SIZE));
    if (p == NULL) {
        return 0;
    }
    hamt_syscalls++;
    hamt_reserved_bytes += span + HAMT_GUARD_SIZE;
    hamt_window_span[win] = span;
    hamt_window_base[win] = (uintptr_t)p + (uintptr_t)below;
    return hamt_window_base[win];
}

/* Give window win's reservation back (nothing may be mapped in it any
 * more); its number can be reserved again. */
void hamt_linux_release(unsigned win)
{
    uint64_t span = hamt_window_span[win];
    uintptr_t start = hamt_window_base[win];

    if (start == 0) {
        return;
    }
    if (span > HAMT_WINDOW_HALF) {
        start -= HAMT_WINDOW_HALF;
    }
    hamt_syscalls++;
    os_unreserve((void *)start, (size_t)(span + HAMT_GUARD_SIZE));
    hamt_reserved_bytes -= span + HAMT_GUARD_SIZE;
    if (hamt_cd_st[win] != 0) {
        hamt_syscalls++;
        os_unreserve((void *)(hamt_cd_st[win] - (start == hamt_window_base[win]
                                                 ? 0 : HAMT_WINDOW_HALF)),
                     (size_t)(2 * (span + HAMT_GUARD_SIZE)));
        hamt_reserved_bytes -= 2 * (span + HAMT_GUARD_SIZE);
        hamt_cd_st[win] = hamt_cd_map[win] = 0;
    }
    hamt_window_base[win] = 0;
    hamt_window_span[win] = 0;
    used_lo[win] = 0xffffffffu;
    used_hi[win] = 0;
}

/* Host address of linear va in window win. */
static inline void *win_addr(unsigned win, uint32_t va)
{
    return (void *)hamt_host_addr(hamt_window_base[win], va);
}

/* Bytes of [va, va + len) before linear 0x80000000, where the host layout
 * wraps (the whole len if the range does not cross it). */
static inline uint32_t win_part(uint32_t va, uint32_t len)
{
    if (va < HAMT_WINDOW_HALF && (uint64_t)va + len > HAMT_WINDOW_HALF) {
        return (uint32_t)(HAMT_WINDOW_HALF - va);
    }
    return len;
}

/*
 * The code bytes (core/tb-smc.h) in their own memfd, bytes long, and the
 * code-data region of window win (docs/HAMT.md "Stores beside
 * translated code"): the store alias, then the code bytes, each laid out
 * like the window (mid + sext32(linear), same span and guard), in one
 * PROT_NONE reservation made on first use:
 *
 *   | store alias (span + guard) | code bytes (span + guard) |
 *         ^ hamt_cd_st[win]             ^ hamt_cd_map[win] =
 *                                         hamt_cd_st[win] + span + guard
 */
static uint8_t *linux_cd_init(size_t bytes)
{
    uint8_t *p;

    if (ram_fd < 0 || code_fd >= 0) {
        return NULL;
    }
    p = os_alloc_shared(ALIGN_UP(bytes, (size_t)1 << 16), &code_fd);
    return p;
}

/* Reserve window win's code-data region (layout above). */
static bool linux_cd_reserve(unsigned win)
{
    uint64_t span = hamt_window_span[win], part = span + HAMT_GUARD_SIZE;
    uint64_t below = span > HAMT_WINDOW_HALF ? HAMT_WINDOW_HALF : 0;
    void *p;

    if (hamt_cd_st[win] != 0) {
        return true;
    }
    if (code_fd < 0 || hamt_window_base[win] == 0) {
        return false;
    }
    p = os_reserve((size_t)(2 * part));
    if (p == NULL) {
        return false;
    }
    hamt_syscalls++;
    hamt_reserved_bytes += 2 * part;
    hamt_cd_st[win] = (uintptr_t)p + (uintptr_t)below;
    hamt_cd_map[win] = hamt_cd_st[win] + (uintptr_t)part;
    return true;
}

/* Map frames [pa, pa + len) at linear va of window win's code-data
 * region: read-write in the store alias, read-only code bytes. */
static int linux_cd_install(unsigned win, uint32_t va, uint32_t pa,
                            uint32_t len)
{
    while (len != 0) {
        uint32_t n = win_part(va, len);
        uintptr_t off = (uintptr_t)(intptr_t)(int32_t)va;
        int r;

        hamt_syscalls += 2;
        r = os_map_fixed((void *)(hamt_cd_st[win] + off), n,
                         OS_PROT_READ | OS_PROT_WRITE, ram_fd, pa);
        if (r == 0) {
            r = os_map_fixed((void *)(hamt_cd_map[win] + off), n,
                             OS_PROT_READ, code_fd, pa);
        }
        if (r != 0) {
            return r;
        }
        va += n;
        pa += n;
        len -= n;
    }
    return 0;
}

/* Remove [va, va + len) of window win's code-data region. */
static void linux_cd_invalidate(unsigned win, uint32_t va, uint32_t len)
{
    while (len != 0) {
        uint32_t n = win_part(va, len);
        uintptr_t off = (uintptr_t)(intptr_t)(int32_t)va;
        int r;

        hamt_syscalls += 2;
        r = os_map_fixed((void *)(hamt_cd_st[win] + off), n, 0, -1, 0);
        if (r == 0) {
            r = os_map_fixed((void *)(hamt_cd_map[win] + off), n, 0, -1, 0);
        }
        if (r != 0) {
            os_fatal(1, "hamt: cannot unmap code-data region %u va "
                     "0x%08x+0x%x: %d", win, va, n, r);
        }
        va += n;
        len -= n;
    }
}

/* mmap the frames [pa, pa + len) at window win + va. */
static int linux_install(unsigned win, uint32_t va, uint32_t pa, uint32_t len,
                         unsigned prot, bool global)
{
    (void)global;
    while (len != 0) {
        uint32_t n = win_part(va, len), k = va ^ 0x80000000u;
        int r;

        hamt_syscalls++;
        used_lo[win] = MIN(used_lo[win], k);
        used_hi[win] = MAX(used_hi[win], k + (n - 1));
        r = os_map_fixed(win_addr(win, va), n, (int)prot, ram_fd, pa);
        if (r != 0) {
            return r;
        }
        va += n;
        pa += n;
        len -= n;
    }
    return 0;
}

/* mprotect an installed range. */
static int linux_protect(unsigned win, uint32_t va, uint32_t len, unsigned prot)
{
    while (len != 0) {
        uint32_t n = win_part(va, len);
        int r;

        hamt_syscalls++;
        r = os_protect(win_addr(win, va), n, (int)prot);
        if (r != 0) {
            return r;
        }
        va += n;
        len -= n;
    }
    return 0;
}

/* Back to reserved PROT_NONE. */
static void linux_invalidate(unsigned win, uint32_t va, uint32_t len)
{
    while (len != 0) {
        uint32_t n = win_part(va, len);
        int r;

        hamt_syscalls++;
        r = os_map_fixed(win_addr(win, va), n, 0, -1, 0);
        if (r != 0) {
            os_fatal(1, "hamt: cannot unmap window %u va 0x%08x+0x%x: %d",
                     win, va, n, r);
        }
        va += n;
        len -= n;
    }
}

/* The used part of the window back to PROT_NONE in one call. */
static void linux_invalidate_all(unsigned win)
{
    uint32_t lo = used_lo[win], hi = used_hi[win];
    int r;

    if (lo > hi) {
        return;
    }
    hamt_syscalls++;
    /* keys are contiguous in host memory: lo is linear lo ^ 0x80000000 */
    r = os_map_fixed(win_addr(win, lo ^ 0x80000000u), (size_t)hi - lo + 1,
                     0, -1, 0);
    if (r != 0) {
        os_fatal(1, "hamt: cannot reset window %u: %d", win, r);
    }
    used_lo[win] = 0xffffffffu;
    used_hi[win] = 0;
}

/* Nothing to do: each context has its own windows; generated code reads
 * their bases from env->hamt_window[], which hamt.c switches. */
static void linux_switch_context(unsigned ctx)
{
    (void)ctx;
}

const HamtDriver hamt_driver_linux = {
    .name = "linux-user",
    .install = linux_install,
    .protect = linux_protect,
    .invalidate = linux_invalidate,
    .invalidate_all = linux_invalidate_all,
    .switch_context = linux_switch_context,
    .init = hamt_linux_init,
    .reserve = hamt_linux_reserve,
    .release = hamt_linux_release,
    .cd_init = linux_cd_init,
    .cd_reserve = linux_cd_reserve,
    .cd_install = linux_cd_install,
    .cd_invalidate = linux_cd_invalidate,
};
