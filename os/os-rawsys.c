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
#include "os/os-rawsys.h"

#if !defined(__loongarch64) && !defined(__loongarch__)
#error "os-rawsys.c: only LoongArch64 system calls are implemented"
#endif

#define NR_openat       56
#define NR_close        57
#define NR_read         63
#define NR_write        64
#define NR_exit_group   94
#define NR_clock_gettime 113
#define NR_getrusage     165
#define NR_munmap       215
#define NR_mmap         222
#define NR_mprotect     226
#define NR_ftruncate    46
#define NR_rt_sigaction 134
#define NR_memfd_create 279
#define NR_ioctl        29
#define NR_ppoll        73
#define NR_setitimer    103
#define NR_fcntl        25
#define F_DUPFD_CLOEXEC 1030
#define F_GETFD         1
#define EBADF           9

#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4
#define MAP_PRIVATE   0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_SHARED    0x01
#define MAP_FIXED     0x10
#define CLOCK_MONOTONIC 1
#define AT_FDCWD  (-100)
#define O_RDONLY  0
#define O_WRONLY  1
#define O_CREAT   0x40
#define O_TRUNC   0x200
#define O_CLOEXEC 0x80000
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
    static const char lost[] = "hamt86: stdout: write error: the guest's "
                               "serial output is lost from here on\n";
    static bool stdout_lost;
    const char *p = buf;

    while (len > 0) {
        long n = rawsys6(NR_write, fd, (long)p, (long)len, 0, 0, 0);
        if (n == -4) {   /* EINTR */
            continue;
        }
        if (n <= 0) {
            if (fd == 1 && !stdout_lost) {
                stdout_lost = true;     /* say so once, keep running */
                rawsys6(NR_write, 2, (long)lost, sizeof(lost) - 1, 0, 0, 0);
            }
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* exit_group. */
void os_exit(int status)
{
    os_console_restore();
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

/* Zeroed memory, NULL on exhaustion. */
void *os_try_zalloc(size_t size)
{
    return raw_mmap(ALIGN_UP(size ? size : 1, host_page_size),
                    PROT_READ | PROT_WRITE);
}

/* Release memory from os_zalloc. */
void os_free(void *p, size_t size)
{
    if (p != NULL) {
        rawsys6(NR_munmap, (long)p, (long)ALIGN_UP(size ? size : 1, host_page_size),
                0, 0, 0, 0);
    }
}

extern char _end[];   /* end of the static image (linker) */

/*
 * One RWX buffer, asked for right after the static image so that calls
 * from generated code to the engine's helpers fit a bl (+-128 MiB) or a
 * pcaddu18i + jirl pair; the backend copes with any placement.  Rounded to
 * the runtime host page size (16 KiB under qemu-loongarch64).
 */
void *os_alloc_code(size_t size)
{
    size_t len = ALIGN_UP(size, host_page_size);
    uintptr_t hint = ALIGN_UP((uintptr_t)_end + (1u << 20), host_page_size);
    long r = rawsys6(NR_mmap, (long)hint, (long)len,
                     PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (r < 0 && r > -4096) {
        os_fatal(1, "cannot map a %zu byte code buffer", len);
    }
    return (void *)r;
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

/* getrusage(RUSAGE_SELF): ru_maxrss (KiB) is long 4 of struct rusage
 * (after two struct timeval). */
uint64_t os_peak_rss_kib(void)
{
    long ru[18];

    memset(ru, 0, sizeof(ru));
    if (rawsys6(NR_getrusage, 0, (long)ru, 0, 0, 0, 0) != 0) {
        return 0;
    }
    return (uint64_t)ru[4];
}

/* From AT_PAGESZ (16 KiB under qemu-loongarch64). */
size_t os_host_page_size(void)
{
    return host_page_size;
}

/* Reopen each closed descriptor 0..2 on /dev/null (see core/os.h). */
void os_init_std_fds(void)
{
    /* SIGPIPE (13) ignored: a closed pipe on stdout is a write error
     * (os_write), not a kill; { handler SIG_IGN, flags, mask } as struct
     * raw_sigaction below */
    unsigned long ign[3] = { 1, 0, 0 };

    rawsys6(NR_rt_sigaction, 13, (long)ign, 0, 8, 0, 0);
    for (long fd = 0; fd <= 2; fd++) {
        if (rawsys6(NR_fcntl, fd, F_GETFD, 0, 0, 0, 0) != -EBADF) {
            continue;
        }
        /* openat returns the lowest free descriptor: this one */
        long n = rawsys6(NR_openat, AT_FDCWD, (long)"/dev/null",
                         fd == 0 ? O_RDONLY : O_WRONLY, 0, 0, 0);
        if (n != fd) {
            os_fatal(1, "descriptor %d is closed and /dev/null cannot take "
                     "its place: %s", (int)fd,
                     n < 0 ? rawsys_strerror((int)-n) : "busy");
        }
    }
}

/* Move a descriptor to 3 or above (so it can never be stdout/stderr). */
static long fd_above_std(long fd)
{
    long n;

    if (fd < 0 || fd > 2) {
        return fd;
    }
    n = rawsys6(NR_fcntl, fd, F_DUPFD_CLOEXEC, 3, 0, 0, 0);
    rawsys6(NR_close, fd, 0, 0, 0, 0, 0);
    return n;
}

/* The memfd behind guest RAM (-1 if RAM is anonymous). */
static int ram_fd = -1;

/* Guest RAM: a shared memfd mapping (HAMT maps it again), else anonymous. */
void *os_alloc_ram(size_t size)
{
    long fd = fd_above_std(rawsys6(NR_memfd_create, (long)"hamt86-ram",
                                   1 /* CLOEXEC */, 0, 0, 0, 0));
    size_t len = ALIGN_UP(size, host_page_size);
    void *p;

    if (fd >= 0 && rawsys6(NR_ftruncate, fd, (long)len, 0, 0, 0, 0) == 0) {
        long r = rawsys6(NR_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_NORESERVE, fd, 0);
        if (!(r < 0 && r > -4096)) {
            ram_fd = (int)fd;
            return (void *)r;
        }
    }
    p = raw_mmap(len, PROT_READ | PROT_WRITE);
    if (p == NULL) {
        os_fatal(1, "cannot allocate %zu MiB of guest RAM", size >> 20);
    }
    return p;
}

/* Shared memfd memory of size bytes (HAMT: the code bytes), or NULL. */
void *os_alloc_shared(size_t size, int *fd)
{
    long f = fd_above_std(rawsys6(NR_memfd_create, (long)"hamt86-code",
                                  1 /* CLOEXEC */, 0, 0, 0, 0));
    size_t len = ALIGN_UP(size, host_page_size);

    *fd = -1;
    if (f < 0) {
        return NULL;
    }
    if (rawsys6(NR_ftruncate, f, (long)len, 0, 0, 0, 0) == 0) {
        long r = rawsys6(NR_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_NORESERVE, f, 0);
        if (!(r < 0 && r > -4096)) {
            *fd = (int)f;
            return (void *)r;
        }
    }
    rawsys6(NR_close, f, 0, 0, 0, 0, 0);
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
    return raw_mmap(ALIGN_UP(len, host_page_size), 0);
}

/* Give a reservation back. */
void os_unreserve(void *p, size_t len)
{
    rawsys6(NR_munmap, (long)p, (long)ALIGN_UP(len, host_page_size), 0, 0, 0, 0);
}

/* Fixed shared file mapping, or back to anonymous PROT_NONE (fd < 0). */
int os_map_fixed(void *addr, size_t len, int prot, int fd, uint64_t off)
{
    long r;

    if (fd < 0) {
        r = rawsys6(NR_mmap, (long)addr, (long)len, 0,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                    -1, 0);
    } else {
        r = rawsys6(NR_mmap, (long)addr, (long)len, prot,
                    MAP_SHARED | MAP_FIXED, fd, (long)off);
    }
    return (r < 0 && r > -4096) ? (int)r : 0;
}

/* mprotect. */
int os_protect(void *addr, size_t len, int prot)
{
    return (int)rawsys6(NR_mprotect, (long)addr, (long)len, prot, 0, 0, 0);
}

/*
 * Signals.  Kernel ucontext on LoongArch64: uc_flags, uc_link, uc_stack
 * (24 bytes), uc_sigmask (8) + padding to 128 bytes, then the sigcontext
 * at offset 176 (16-aligned): sc_pc, sc_regs[32], sc_flags.
 */
#define SIGBUS_NR  7
#define SIGSEGV_NR 11
#define SA_SIGINFO_F 4
#define UC_MCONTEXT_OFF 176

static OSFaultHandler fault_handler;

/* sigcontext of a kernel ucontext. */
static uint64_t *la_sigctx(void *uc)
{
    return (uint64_t *)(void *)((uint8_t *)uc + UC_MCONTEXT_OFF);
}

/* Kernel sigaction (no restorer: the kernel provides the trampoline). */
struct raw_sigaction {
    void *handler;
    unsigned long flags;
    unsigned long mask;
};

/* SIGSEGV/SIGBUS: hand the fault to the engine, else die of the signal. */
static void fault_signal(int sig, void *si, void *uc)
{
    OSFault f;

    f.kind = sig == SIGBUS_NR ? OS_FAULT_BUS : OS_FAULT_SEGV;
    f.addr = *(uintptr_t *)(void *)((uint8_t *)si + 16);
    f.pc = (uintptr_t)la_sigctx(uc)[0];
    f.is_write = -1;
    f.ctx = uc;
    if (fault_handler != NULL && fault_handler(&f)) {
        return;
    }
    os_console_restore();   /* the retried access kills the process */
    {
        struct raw_sigaction sa = { (void *)0 /* SIG_DFL */, 0, 0 };
        rawsys6(NR_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0);
    }
}

/* Install the engine's fault handler for SIGSEGV and SIGBUS. */
bool os_set_fault_handler(OSFaultHandler fn)
{
    struct raw_sigaction sa = { (void *)fault_signal, SA_SIGINFO_F, 0 };

    fault_handler = fn;
    return rawsys6(NR_rt_sigaction, SIGSEGV_NR, (long)&sa, 0, 8, 0, 0) == 0 &&
           rawsys6(NR_rt_sigaction, SIGBUS_NR, (long)&sa, 0, 8, 0, 0) == 0;
}

/* Register n ($r0..$r31) of the interrupted context. */
uint64_t os_fault_get_reg(const OSFault *f, unsigned n)
{
    return n < 32 ? la_sigctx(f->ctx)[1 + n] : 0;
}

/* Set register n of the interrupted context ($r0 stays zero). */
void os_fault_set_reg(OSFault *f, unsigned n, uint64_t v)
{
    if (n > 0 && n < 32) {
        la_sigctx(f->ctx)[1 + n] = v;
    }
}

/* Resume at pc. */
void os_fault_set_pc(OSFault *f, uintptr_t pc)
{
    la_sigctx(f->ctx)[0] = pc;
}

/* Resume in fn(arg): a0 = arg, ra = 0 (fn never returns). */
void os_fault_redirect_call(OSFault *f, void (*fn)(void *), void *arg)
{
    uint64_t *sc = la_sigctx(f->ctx);

    sc[1 + 4] = (uint64_t)(uintptr_t)arg;   /* $a0 */
    sc[1 + 1] = 0;                          /* $ra */
    sc[0] = (uint64_t)(uintptr_t)fn;
}


/* Read the file at path into os_zalloc memory; 0, -errno, or -EFBIG when
 * it has more than max bytes (at most max + 1 are read). */
int rawsys_read_file(const char *path, uint8_t **bufp, size_t *lenp,
                     size_t *capp, size_t max)
{
    size_t cap = 1u << 20, len = 0;
    uint8_t *buf;
    long fd = rawsys6(NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC,
                      0, 0, 0);

    if (fd < 0) {
        return (int)fd;
    }
    buf = os_zalloc(cap);
    for (;;) {
        long n;
        if (len == cap) {
            uint8_t *nb = os_zalloc(cap * 2);
            memcpy(nb, buf, len);
            os_free(buf, cap);
            buf = nb;
            cap *= 2;
        }
        n = (long)(cap - len);
        if ((size_t)n > max + 1 - len) {
            n = (long)(max + 1 - len);
        }
        n = rawsys6(NR_read, fd, (long)(buf + len), n, 0, 0, 0);
        if (n == -4) {   /* EINTR */
            continue;
        }
        if (n < 0) {
            rawsys6(NR_close, fd, 0, 0, 0, 0, 0);
            os_free(buf, cap);
            return (int)n;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len > max) {
            rawsys6(NR_close, fd, 0, 0, 0, 0, 0);
            os_free(buf, cap);
            return -27;     /* EFBIG */
        }
    }
    rawsys6(NR_close, fd, 0, 0, 0, 0, 0);
    *bufp = buf;
    *lenp = len;
    *capp = cap;
    return 0;
}

/* Create or truncate path for writing; the fd or -errno. */
int rawsys_open_write(const char *path)
{
    return (int)rawsys6(NR_openat, AT_FDCWD, (long)path,
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0, 0);
}

/* Text of a (positive) errno value, like strerror for the common ones. */
const char *rawsys_strerror(int err)
{
    switch (err) {
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 5: return "Input/output error";
    case 9: return "Bad file descriptor";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 20: return "Not a directory";
    case 21: return "Is a directory";
    case 22: return "Invalid argument";
    case 24: return "Too many open files";
    case 27: return "File too large";
    case 28: return "No space left on device";
    case 30: return "Read-only file system";
    case 36: return "File name too long";
    case 40: return "Too many levels of symbolic links";
    default: return "Unknown error";
    }
}

/* ------------------------------------------------------------------------
 * Time, the execution kick and the console (asm-generic numbers and
 * layouts: struct termios for TCGETS is 4 x u32 flags, c_line, c_cc[19]).
 */
#define CLOCK_REALTIME 0
#define SIGHUP_NR  1
#define SIGINT_NR  2
#define SIGALRM_NR 14
#define SIGTERM_NR 15
#define SA_RESTART_F 0x10000000ul
#define TCGETS 0x5401
#define TCSETS 0x5402
#define POLLIN_F  0x01
#define POLLERR_F 0x08
#define POLLHUP_F 0x10

struct raw_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};
struct raw_pollfd {
    int32_t fd;
    int16_t events, revents;
};
struct raw_timespec {
    long sec, nsec;
};

/* CLOCK_REALTIME in nanoseconds. */
uint64_t os_realtime_ns(void)
{
    struct raw_timespec ts = { 0, 0 };

    rawsys6(NR_clock_gettime, CLOCK_REALTIME, (long)&ts, 0, 0, 0, 0);
    return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

static void (*tick_fn)(void);

/* SIGALRM: the engine's tick. */
static void tick_signal(int sig)
{
    (void)sig;
    if (tick_fn != NULL) {
        tick_fn();
    }
}

/* Periodic SIGALRM calling fn (period 0: stop). */
void os_set_tick(uint64_t period_ns, void (*fn)(void))
{
    struct {
        long isec, iusec, vsec, vusec;   /* it_interval, it_value */
    } it = { 0, 0, 0, 0 };

    if (period_ns != 0 && tick_fn != fn) {
        struct raw_sigaction sa = { (void *)tick_signal, SA_RESTART_F, 0 };
        tick_fn = fn;
        rawsys6(NR_rt_sigaction, SIGALRM_NR, (long)&sa, 0, 8, 0, 0);
    }
    it.vsec = (long)(period_ns / 1000000000u);
    it.vusec = (long)(period_ns % 1000000000u / 1000u);
    if (period_ns != 0 && it.vsec == 0 && it.vusec == 0) {
        it.vusec = 1;
    }
    it.isec = it.vsec;
    it.iusec = it.vusec;
    rawsys6(NR_setitimer, 0 /* ITIMER_REAL */, (long)&it, 0, 0, 0, 0);
}

static struct raw_termios console_saved;
static volatile int console_raw;
static bool console_opened;

/* Restore the terminal (async-signal-safe). */
void os_console_restore(void)
{
    if (console_raw) {
        rawsys6(NR_ioctl, 0, TCSETS, (long)&console_saved, 0, 0, 0);
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
    rawsys6(NR_write, 2, (long)msg, sizeof(msg) - 1, 0, 0, 0);
    for (;;) {
        rawsys6(NR_exit_group, 0, 0, 0, 0, 0, 0);
    }
}

/* Raw mode on a terminal stdin; termination signals restore it. */
void os_console_open(void)
{
    struct raw_sigaction sa = { (void *)console_term_signal, 0, 0 };
    struct raw_termios t;

    if (console_opened) {
        return;
    }
    console_opened = true;
    rawsys6(NR_rt_sigaction, SIGINT_NR, (long)&sa, 0, 8, 0, 0);
    rawsys6(NR_rt_sigaction, SIGTERM_NR, (long)&sa, 0, 8, 0, 0);
    rawsys6(NR_rt_sigaction, SIGHUP_NR, (long)&sa, 0, 8, 0, 0);
    if (rawsys6(NR_ioctl, 0, TCGETS, (long)&console_saved, 0, 0, 0) != 0) {
        return;   /* not a terminal */
    }
    t = console_saved;
    /* IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON off */
    t.iflag &= ~(uint32_t)(0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80 | 0x100 | 0x400);
    t.oflag |= 0x1;                                   /* OPOST */
    /* ECHO ECHONL ICANON ISIG IEXTEN off */
    t.lflag &= ~(uint32_t)(0x8 | 0x40 | 0x2 | 0x1 | 0x8000);
    t.cflag = (t.cflag & ~(uint32_t)(0x30 | 0x100)) | 0x30;   /* CS8 */
    t.cc[6] = 1;                                      /* VMIN */
    t.cc[5] = 0;                                      /* VTIME */
    if (rawsys6(NR_ioctl, 0, TCSETS, (long)&t, 0, 0, 0) == 0) {
        console_raw = 1;
    }
}

/* Non-blocking stdin read. */
int os_console_read(uint8_t *buf, size_t len)
{
    struct raw_pollfd pfd = { 0, POLLIN_F, 0 };
    struct raw_timespec zero = { 0, 0 };
    long n;

    if (rawsys6(NR_ppoll, (long)&pfd, 1, (long)&zero, 0, 8, 0) <= 0 ||
        !(pfd.revents & (POLLIN_F | POLLHUP_F | POLLERR_F))) {
        return 0;
    }
    n = rawsys6(NR_read, 0, (long)buf, (long)len, 0, 0, 0);
    if (n < 0) {
        return n == -4 || n == -11 ? 0 : -1;   /* EINTR, EAGAIN */
    }
    return n == 0 ? -1 : (int)n;
}

/* Sleep until the timeout, input on stdin or a signal. */
bool os_wait(uint64_t timeout_ns, bool watch_input)
{
    struct raw_pollfd pfd = { watch_input ? 0 : -1, POLLIN_F, 0 };
    struct raw_timespec ts, *tsp = NULL;

    if (timeout_ns != UINT64_MAX) {
        ts.sec = (long)(timeout_ns / 1000000000u);
        ts.nsec = (long)(timeout_ns % 1000000000u);
        tsp = &ts;
    }
    if (rawsys6(NR_ppoll, (long)&pfd, 1, (long)tsp, 0, 8, 0) > 0) {
        return watch_input &&
               (pfd.revents & (POLLIN_F | POLLHUP_F | POLLERR_F));
    }
    return false;
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
