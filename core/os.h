/*
 * hamt86 - the OS layer: the only way the freestanding core reaches the host.
 *
 * Two implementations exist: os/os-posix.c (hosted, glibc; native and
 * mips64el builds) and os/os-rawsys.c (raw Linux syscalls; the LoongArch
 * build, which has no libc).  A bare-metal implementation can follow.
 */
#ifndef HAMT86_OS_H
#define HAMT86_OS_H

#include "core/base.h"

/* Write bytes to a host file descriptor (1 = stdout, 2 = stderr). */
void os_write(int fd, const void *buf, size_t len);
/* Terminate the process with the given status; never returns. */
NORETURN void os_exit(int status);
/* Zeroed heap memory; aborts with a message on exhaustion. */
void *os_zalloc(size_t size);
void os_free(void *p, size_t size);
/* Reserve an executable + writable code region of at least size bytes. */
void *os_alloc_code(size_t size);
/* Make freshly written code in [start, end) visible to instruction fetch. */
void os_flush_icache(void *start, void *end);
/* Monotonic clock in nanoseconds. */
uint64_t os_clock_ns(void);
/* Host page size as the kernel reports it. */
size_t os_host_page_size(void);
/* Allocate guest RAM: size bytes, zeroed, host-page aligned. */
void *os_alloc_ram(size_t size);

/* Print a fatal engine error ("hamt86: ...") to stderr and exit(code). */
NORETURN void os_fatal(int code, const char *fmt, ...) PRINTF_FMT(2, 3);

#endif
