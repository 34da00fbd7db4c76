/*
 * hamt86 - freestanding base definitions shared by the whole engine core.
 *
 * The engine core (translator, backends, memory paths, devices) is C11 and
 * freestanding: it may only include <stdint.h>, <stddef.h>, <stdbool.h>,
 * <stdarg.h> and project headers.  Everything OS-specific goes through
 * core/os.h.  The small libc subset it needs is declared in core/libc.h.
 */
#ifndef HAMT86_BASE_H
#define HAMT86_BASE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#define BUILD_ASSERT(cond) _Static_assert(cond, #cond)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define NORETURN    __attribute__((noreturn))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))
#define UNUSED      __attribute__((unused))
#define GETPC()     ((uintptr_t)__builtin_return_address(0))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)   (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

/* Guest page geometry (IA-32). */
#define GUEST_PAGE_BITS 12
#define GUEST_PAGE_SIZE (1u << GUEST_PAGE_BITS)
#define GUEST_PAGE_MASK (~(GUEST_PAGE_SIZE - 1))

#endif
