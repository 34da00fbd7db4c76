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
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <ucontext.h>
#include <poll.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/resource.h>

#include "core/os.h"
#include "core/libc.h"

/* Write all of buf to fd, retrying short writes and EINTR. */
void os_write(int fd, const void *buf, size_t len)
{
    static bool stdout_lost;
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (fd == 1 && !stdout_lost) {
                /* a full disk, a closed pipe (SIGPIPE is ignored): say so
                 * once, and keep running */
                char msg[160];
                int m = snprintf(msg, sizeof(msg), "hamt86: stdout: %s: the "
                                 "guest's serial output is lost from here "
                                 "on\n", strerror(errno));
                stdout_lost = true;
                (void)!write(2, msg, (size_t)m);
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
    os_console_restore();
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

/* Zeroed heap memory, NULL on exhaustion. */
void *os_try_zalloc(size_t size)
{
    return calloc(1, size ? size : 1);
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

/* getrusage: ru_maxrss is in KiB on Linux. */
uint64_t os_peak_rss_kib(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return 0;
    }
    return (uint64_t)ru.ru_maxrss;
}

/* The kernel's page size (16 KiB under qemu-loongarch64). */
size_t os_host_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (size_t)n : 4096;
}

/* Reopen each closed descriptor 0..2 on /dev/null (see core/os.h). */
void os_init_std_fds(void)
{
    /* a closed pipe on stdout is a write error (os_write), not a kill */
    signal(SIGPIPE, SIG_IGN);
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) {
            continue;
        }
        /* open returns the lowest free descriptor: this one */
        int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n != fd) {
            /* nowhere to complain if stderr is the closed one */
            os_fatal(1, "descriptor %d is closed and /dev/null cannot take "
                     "its place: %s", fd, n < 0 ? strerror(errno) : "busy");
        }
    }
}

/* Move a descriptor to 3 or above (so it can never be stdout/stderr). */
static int fd_above_std(int fd)
{
    int n;

    if (fd < 0 || fd > 2) {
        return fd;
    }
    n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return n;
}

/* The memfd behind guest RAM (-1 if RAM is anonymous). */
static int ram_fd = -1;

/*
 * Guest RAM: a memfd mapped shared (so HAMT can map its pages again into
 * the guest windows), falling back to anonymous memory without memfd.
 */
void *os_alloc_ram(size_t size)
{
    int fd = fd_above_std(memfd_create("hamt86-ram", MFD_CLOEXEC));
    void *p;

    if (fd >= 0 && ftruncate(fd, (off_t)size) == 0) {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_NORESERVE, fd, 0);
        if (p != MAP_FAILED) {
            ram_fd = fd;
            return p;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        os_fatal(1, "cannot allocate %zu MiB of guest RAM: %s", size >> 20,
                 strerror(errno));
    }
    return p;
}

/* Shared memfd memory of size bytes (HAMT: the code bytes), or NULL. */
void *os_alloc_shared(size_t size, int *fd)
{
    int f = fd_above_std(memfd_create("hamt86-code", MFD_CLOEXEC));
    void *p;

    *fd = -1;
    if (f < 0) {
        return NULL;
    }
    if (ftruncate(f, (off_t)size) == 0) {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_NORESERVE, f, 0);
        if (p != MAP_FAILED) {
            *fd = f;
            return p;
        }
    }
    close(f);
    return NULL;
}

/* The memfd of guest RAM, or -1. */
int os_ram_fd(void)
{
    return ram_fd;
}

/* PROT_NONE reservation of len bytes. */
void *os_reserve(size_t len)
{
    void *p = mmap(NULL, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Give a reservation back. */
void os_unreserve(void *p, size_t len)
{
    munmap(p, len);
}

/* Fixed shared file mapping, or back to anonymous PROT_NONE (fd < 0). */
int os_map_fixed(void *addr, size_t len, int prot, int fd, uint64_t off)
{
    void *p;

    if (fd < 0) {
        p = mmap(addr, len, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    } else {
        p = mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, fd, (off_t)off);
    }
    return p == MAP_FAILED ? -errno : 0;
}

/* mprotect. */
int os_protect(void *addr, size_t len, int prot)
{
    return mprotect(addr, len, prot) == 0 ? 0 : -errno;
}

static OSFaultHandler fault_handler;

/* SIGSEGV/SIGBUS: hand the fault to the engine, else die of the signal. */
static void fault_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    OSFault f;

    f.kind = sig == SIGBUS ? OS_FAULT_BUS : OS_FAULT_SEGV;
    f.addr = (uintptr_t)si->si_addr;
    f.ctx = ctx;
#if defined(__x86_64__)
    f.pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    f.is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#elif defined(__mips__)
    f.pc = (uintptr_t)uc->uc_mcontext.pc;
    f.is_write = -1;
#else
#error "os-posix.c: fault context not implemented for this host"
#endif
    if (fault_handler != NULL && fault_handler(&f)) {
        return;
    }
    /* not ours: default action, the retried access kills the process
     * (with the terminal back in its own mode first) */
    os_console_restore();
    signal(sig, SIG_DFL);
}

/* Install the engine's fault handler for SIGSEGV and SIGBUS. */
bool os_set_fault_handler(OSFaultHandler fn)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fault_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    fault_handler = fn;
    return sigaction(SIGSEGV, &sa, NULL) == 0 &&
           sigaction(SIGBUS, &sa, NULL) == 0;
}

#if defined(__x86_64__)
/* Hardware register number -> gregs index. */
static const int x86_greg[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};
#endif

/* Register n of the interrupted context. */
uint64_t os_fault_get_reg(const OSFault *f, unsigned n)
{
    const ucontext_t *uc = f->ctx;
#if defined(__x86_64__)
    return n < 16 ? (uint64_t)uc->uc_mcontext.gregs[x86_greg[n]] : 0;
#else
    return n < 32 ? (uint64_t)uc->uc_mcontext.gregs[n] : 0;
#endif
}

/* Set register n of the interrupted context ($0 stays zero). */
void os_fault_set_reg(OSFault *f, unsigned n, uint64_t v)
{
    ucontext_t *uc = f->ctx;
#if defined(__x86_64__)
    if (n < 16) {
        uc->uc_mcontext.gregs[x86_greg[n]] = (greg_t)v;
    }
#else
    if (n > 0 && n < 32) {
        uc->uc_mcontext.gregs[n] = (greg_t)v;
    }
#endif
}

/* Resume at pc. */
void os_fault_set_pc(OSFault *f, uintptr_t pc)
{
    ucontext_t *uc = f->ctx;
#if defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)pc;
#else
    uc->uc_mcontext.pc = (greg_t)pc;
#endif
}

/* Resume in fn(arg), as if called from the interrupted code. */
void os_fault_redirect_call(OSFault *f, void (*fn)(void *), void *arg)
{
    ucontext_t *uc = f->ctx;
#if defined(__x86_64__)
    /* skip the red zone, align, push a null return address */
    uintptr_t sp = ((uintptr_t)uc->uc_mcontext.gregs[REG_RSP] - 256) & ~(uintptr_t)15;
    sp -= 8;
    *(uint64_t *)sp = 0;
    uc->uc_mcontext.gregs[REG_RSP] = (greg_t)sp;
    uc->uc_mcontext.gregs[REG_RDI] = (greg_t)(uintptr_t)arg;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)fn;
#elif defined(__mips__)
    uc->uc_mcontext.gregs[4] = (greg_t)(uintptr_t)arg;    /* a0 */
    uc->uc_mcontext.gregs[25] = (greg_t)(uintptr_t)fn;    /* t9: PIC entry */
    uc->uc_mcontext.gregs[31] = 0;                        /* ra */
    uc->uc_mcontext.pc = (greg_t)(uintptr_t)fn;
#endif
}


/* ------------------------------------------------------------------------
 * Time, the execution kick and the console
 */

/* CLOCK_REALTIME in nanoseconds. */
uint64_t os_realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void (*tick_fn)(void);

/* SIGALRM: the engine's tick. */
static void tick_signal(int sig)
{
    int saved = errno;

    (void)sig;
    if (tick_fn != NULL) {
        tick_fn();
    }
    errno = saved;
}

/* Periodic SIGALRM calling fn (period 0: stop). */
void os_set_tick(uint64_t period_ns, void (*fn)(void))
{
    struct itimerval it;

    memset(&it, 0, sizeof(it));
    if (period_ns != 0 && tick_fn != fn) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = tick_signal;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        tick_fn = fn;
        sigaction(SIGALRM, &sa, NULL);
    }
    it.it_value.tv_sec = (time_t)(period_ns / 1000000000u);
    it.it_value.tv_usec = (suseconds_t)(period_ns % 1000000000u / 1000u);
    if (period_ns != 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) {
        it.it_value.tv_usec = 1;
    }
    it.it_interval = it.it_value;
    setitimer(ITIMER_REAL, &it, NULL);
}

static struct termios console_saved;
static volatile sig_atomic_t console_raw;
static bool console_opened;

/* Restore the terminal (async-signal-safe). */
void os_console_restore(void)
{
    if (console_raw) {
        tcsetattr(0, TCSANOW, &console_saved);
        console_raw = 0;
    }
}

/* SIGINT/SIGTERM/SIGHUP: terminal back, then leave like QEMU (status 0). */
static void console_term_signal(int sig)
{
    char msg[] = "hamt86: terminating on signal NN\n";

    os_console_restore();
    msg[30] = (char)('0' + sig / 10);
    msg[31] = (char)('0' + sig % 10);
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(0);
}

/* Raw mode on a terminal stdin; termination signals restore it. */
void os_console_open(void)
{
    struct termios t;
    struct sigaction sa;

    if (console_opened) {
        return;
    }
    console_opened = true;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = console_term_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (!isatty(0) || tcgetattr(0, &console_saved) != 0) {
        return;
    }
    t = console_saved;
    /* like QEMU's stdio backend: raw input, output post-processing kept */
    t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
                             IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(unsigned)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &t) == 0) {
        console_raw = 1;
    }
}

/* Non-blocking stdin read. */
int os_console_read(uint8_t *buf, size_t len)
{
    struct pollfd pfd = { .fd = 0, .events = POLLIN };
    ssize_t n;

    if (poll(&pfd, 1, 0) <= 0) {
        return 0;
    }
    if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
        return 0;
    }
    n = read(0, buf, len);
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    }
    return n == 0 ? -1 : (int)n;
}

/* Sleep until the timeout, input on stdin or a signal. */
bool os_wait(uint64_t timeout_ns, bool watch_input)
{
    struct pollfd pfd = { .fd = watch_input ? 0 : -1, .events = POLLIN };
    struct timespec ts, *tsp = NULL;

    if (timeout_ns != UINT64_MAX) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
        ts.tv_nsec = (long)(timeout_ns % 1000000000u);
        tsp = &ts;
    }
    if (ppoll(&pfd, 1, tsp, NULL) > 0) {
        return watch_input && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
    }
    return false;
}
