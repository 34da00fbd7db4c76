/*
 * hamt86 - the OS layer for hosted builds (glibc: native x86_64, mips64el).
 *
 * Everything the freestanding core needs from the host goes through the
 * functions declared in core/os.h.  This file is the only core-side file
 * that includes libc headers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "core/os.h"
#include "core/libc.h"

/* Write all of buf to fd, retrying short writes and EINTR. */
void os_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* Leave the process; nothing is buffered on our side. */
void os_exit(int status)
{
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}

/* Anonymous zeroed memory (mmap for big blocks, calloc for small ones). */
void *os_zalloc(size_t size)
{
    void *p;

    if (size == 0) {
        size = 1;
    }
    p = calloc(1, size);
    if (p == NULL) {
        os_fatal(1, "out of memory allocating %zu bytes", size);
    }
    return p;
}

/* Release memory from os_zalloc. */
void os_free(void *p, size_t size)
{
    (void)size;
    free(p);
}

/*
 * Code buffer: one RWX mapping, never aliased (FACTS.md: a second view of
 * the same pages runs stale code under qemu-user).  The MIPS backend uses
 * `j`, which reaches only inside the current 256 MiB-aligned region, so the
 * buffer is placed so that it does not cross such a boundary.
 */
void *os_alloc_code(size_t size)
{
    const uintptr_t region = (uintptr_t)256 << 20;
    size_t len;
    uint8_t *p;
    uintptr_t start, aligned;

    if (size > region) {
        os_fatal(1, "code buffer of %zu bytes exceeds 256 MiB", size);
    }
    /* over-allocate so a sub-range inside one region always exists */
    len = size * 2;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        os_fatal(1, "cannot map a %zu byte code buffer: %s", len,
                 strerror(errno));
    }
    start = (uintptr_t)p;
    aligned = start;
    if ((start & ~(region - 1)) != ((start + size - 1) & ~(region - 1))) {
        /* crosses a region boundary: start at the boundary instead */
        aligned = (start + region - 1) & ~(region - 1);
    }
    /* give back the unused head and tail */
    if (aligned > start) {
        munmap(p, aligned - start);
    }
    if (aligned + size < start + len) {
        munmap((void *)(aligned + size), start + len - (aligned + size));
    }
    return (void *)aligned;
}

/* Make new code visible to instruction fetch. */
void os_flush_icache(void *start, void *end)
{
    __builtin___clear_cache((char *)start, (char *)end);
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t os_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The kernel's page size (16 KiB under qemu-loongarch64). */
size_t os_host_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (size_t)n : 4096;
}

/* Guest RAM: anonymous, zero-filled, page aligned. */
void *os_alloc_ram(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        os_fatal(1, "cannot allocate %zu MiB of guest RAM: %s", size >> 20,
                 strerror(errno));
    }
    return p;
}

/* "hamt86: <message>\n" on stderr, then exit. */
void os_fatal(int code, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt86: ");
    va_start(ap, fmt);
    h_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n = (int)strlen(buf);
    buf[n++] = '\n';
    fflush(stdout);
    os_write(2, buf, (size_t)n);
    os_exit(code);
}
