/*
 * hamt86 - the OS layer over raw Linux system calls, for builds without a
 * C library (LoongArch64: Debian 12 has no LoongArch glibc).
 *
 * System call convention (LoongArch64): number in $a7, arguments in
 * $a0..$a5, `syscall 0`, result in $a0 (-errno on failure).  Numbers are
 * the asm-generic ones.
 *
 * The process entry point _start lives here too: it reads argc/argv and
 * the auxiliary vector (AT_PAGESZ) from the initial stack and calls
 * main(argc, argv), exiting with its result.
 */
#include "core/os.h"
#include "core/libc.h"

#if !defined(__loongarch64) && !defined(__loongarch__)
#error "os-rawsys.c: only LoongArch64 system calls are implemented"
#endif

#define NR_write        64
#define NR_exit_group   94
#define NR_clock_gettime 113
#define NR_munmap       215
#define NR_mmap         222

#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define MAP_PRIVATE   0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define CLOCK_MONOTONIC 1
#define AT_PAGESZ 6

static size_t host_page_size = 16384;

/* Raw system call with up to six arguments. */
static long rawsys6(long nr, long a0, long a1, long a2, long a3, long a4,
                    long a5)
{
    register long r_a7 __asm__("$a7") = nr;
    register long r_a0 __asm__("$a0") = a0;
    register long r_a1 __asm__("$a1") = a1;
    register long r_a2 __asm__("$a2") = a2;
    register long r_a3 __asm__("$a3") = a3;
    register long r_a4 __asm__("$a4") = a4;
    register long r_a5 __asm__("$a5") = a5;

    __asm__ volatile("syscall 0"
                     : "+r"(r_a0)
                     : "r"(r_a7), "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4),
                       "r"(r_a5)
                     : "$t0", "$t1", "$t2", "$t3", "$t4", "$t5", "$t6",
                       "$t7", "$t8", "memory");
    return r_a0;
}

/* Anonymous private mapping; NULL on failure. */
static void *raw_mmap(size_t len, int prot)
{
    long r = rawsys6(NR_mmap, 0, (long)len, prot,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r < 0 && r > -4096) {
        return NULL;
    }
    return (void *)r;
}

/* Write all of buf to fd. */
void os_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        long n = rawsys6(NR_write, fd, (long)p, (long)len, 0, 0, 0);
        if (n == -4) {   /* EINTR */
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* exit_group. */
void os_exit(int status)
{
    for (;;) {
        rawsys6(NR_exit_group, status, 0, 0, 0, 0, 0);
    }
}

/* Zeroed memory straight from mmap (rounded to whole host pages). */
void *os_zalloc(size_t size)
{
    void *p = raw_mmap(ALIGN_UP(size ? size : 1, host_page_size),
                       PROT_READ | PROT_WRITE);
    if (p == NULL) {
        os_fatal(1, "out of memory allocating %zu bytes", size);
    }
    return p;
}

/* Release memory from os_zalloc. */
void os_free(void *p, size_t size)
{
    if (p != NULL) {
        rawsys6(NR_munmap, (long)p, (long)ALIGN_UP(size ? size : 1, host_page_size),
                0, 0, 0, 0);
    }
}

/* One RWX buffer inside a single 256 MiB-aligned region. */
void *os_alloc_code(size_t size)
{
    const uintptr_t region = (uintptr_t)256 << 20;
    size_t len = ALIGN_UP(size, host_page_size) * 2;
    uint8_t *p = raw_mmap(len, PROT_READ | PROT_WRITE | PROT_EXEC);
    uintptr_t start, aligned;

    if (p == NULL) {
        os_fatal(1, "cannot map a %zu byte code buffer", len);
    }
    size = ALIGN_UP(size, host_page_size);
    start = (uintptr_t)p;
    aligned = start;
    if ((start & ~(region - 1)) != ((start + size - 1) & ~(region - 1))) {
        aligned = (start + region - 1) & ~(region - 1);
    }
    if (aligned > start) {
        rawsys6(NR_munmap, (long)start, (long)(aligned - start), 0, 0, 0, 0);
    }
    if (aligned + size < start + len) {
        rawsys6(NR_munmap, (long)(aligned + size),
                (long)(start + len - aligned - size), 0, 0, 0, 0);
    }
    return (void *)aligned;
}

/* LoongArch: order the stores, then synchronise instruction fetch. */
void os_flush_icache(void *start, void *end)
{
    (void)start;
    (void)end;
    __asm__ volatile("dbar 0\n\tibar 0" ::: "memory");
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t os_clock_ns(void)
{
    struct {
        long sec, nsec;
    } ts = { 0, 0 };

    rawsys6(NR_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
    return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

/* From AT_PAGESZ (16 KiB under qemu-loongarch64). */
size_t os_host_page_size(void)
{
    return host_page_size;
}

/* Guest RAM: anonymous, zero-filled, page aligned. */
void *os_alloc_ram(size_t size)
{
    void *p = raw_mmap(ALIGN_UP(size, host_page_size), PROT_READ | PROT_WRITE);

    if (p == NULL) {
        os_fatal(1, "cannot allocate %zu MiB of guest RAM", size >> 20);
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
    os_write(2, buf, (size_t)n);
    os_exit(code);
}

int main(int argc, char **argv);

/* C entry: sp points at argc, argv[], NULL, envp[], NULL, auxv pairs. */
void __attribute__((used)) rawsys_start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    long *auxv;

    while (*envp) {
        envp++;
    }
    for (auxv = (long *)(envp + 1); auxv[0] != 0; auxv += 2) {
        if (auxv[0] == AT_PAGESZ && auxv[1] > 0) {
            host_page_size = (size_t)auxv[1];
        }
    }
    os_exit(main(argc, argv));
}

/* Process entry: pass the initial stack pointer, keep 16-byte alignment. */
__asm__(".text\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "    move $a0, $sp\n"
        "    bstrins.d $sp, $zero, 3, 0\n"
        "    bl rawsys_start_c\n"
        "    break 0\n");
