/*
 * hamt86 - the OS layer: the only way the freestanding core reaches the host.
 *
 * Two implementations exist: os/os-posix.c (hosted, glibc; native and
 * mips64el builds) and os/os-rawsys.c (raw Linux syscalls; the LoongArch
 * build, which has no libc); os/bm/ is the bare-metal one (LoongArch64
 * under qemu-system-loongarch64: TLB-backed windows, UART console).
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
/* The same, but NULL on exhaustion: for memory the engine can do without
 * (a softmmu TLB set per cached context degrades to one shared set). */
void *os_try_zalloc(size_t size);
void os_free(void *p, size_t size);
/* Reserve an executable + writable code region of at least size bytes. */
void *os_alloc_code(size_t size);
/* Make freshly written code in [start, end) visible to instruction fetch. */
void os_flush_icache(void *start, void *end);
/* Monotonic clock in nanoseconds. */
uint64_t os_clock_ns(void);
/* Peak resident set size of the process in KiB (0: unknown). */
uint64_t os_peak_rss_kib(void);
/* Host page size as the kernel reports it. */
size_t os_host_page_size(void);
/*
 * Keep descriptors 0, 1 and 2 occupied: each closed one is reopened on
 * /dev/null, so no file opened later (the guest RAM memfd, a -D log)
 * can take it and receive serial output or logs.  Called first thing by
 * the front end; exits with status 1 if /dev/null cannot be opened.
 */
void os_init_std_fds(void);
/* Allocate guest RAM: size bytes, zeroed, host-page aligned.  Its memfd
 * is always descriptor 3 or above. */
void *os_alloc_ram(size_t size);

/* ---- HAMT support: shared memory, fixed mappings, host faults ---- */

#define OS_PROT_NONE  0
#define OS_PROT_READ  1
#define OS_PROT_WRITE 2
#define OS_PROT_EXEC  4

/* The memfd behind guest RAM from os_alloc_ram (-1: RAM is anonymous). */
int os_ram_fd(void);
/* Zeroed shared memory of size bytes backed by a new memfd (sparse: pages
 * are allocated when written), mapped read-write; *fd gets the memfd.
 * NULL (and *fd = -1) when memfd is not available. */
void *os_alloc_shared(size_t size, int *fd);
/* Reserve len bytes of PROT_NONE address space (NULL on failure). */
void *os_reserve(size_t len);
/* Give a reservation (and whatever is mapped in it) back. */
void os_unreserve(void *p, size_t len);
/*
 * Map [addr, addr + len) at exactly addr: fd >= 0 maps the file at off
 * shared with prot; fd < 0 puts back anonymous PROT_NONE reserved space.
 * Returns 0 or -errno.
 */
int os_map_fixed(void *addr, size_t len, int prot, int fd, uint64_t off);
/* mprotect; 0 or -errno. */
int os_protect(void *addr, size_t len, int prot);

/* A synchronous host memory fault (SIGSEGV / SIGBUS) in the handler. */
#define OS_FAULT_SEGV 1
#define OS_FAULT_BUS  2
typedef struct OSFault {
    int kind;          /* OS_FAULT_* */
    int is_write;      /* 1 store, 0 load, -1 unknown (decode the insn) */
    uintptr_t addr;    /* faulting data address (si_addr) */
    uintptr_t pc;      /* host PC of the faulting instruction */
    void *ctx;         /* host ucontext */
} OSFault;
/* Returns true if it handled the fault (resume at the context's PC). */
typedef bool (*OSFaultHandler)(OSFault *f);
/* Install fn for SIGSEGV and SIGBUS (SA_SIGINFO); false on failure. */
bool os_set_fault_handler(OSFaultHandler fn);
/* General register n of the interrupted context (host numbering). */
uint64_t os_fault_get_reg(const OSFault *f, unsigned n);
void os_fault_set_reg(OSFault *f, unsigned n, uint64_t v);
/* Resume at pc instead of the faulting instruction. */
void os_fault_set_pc(OSFault *f, uintptr_t pc);
/* Resume by calling fn(arg) on a fresh frame below the interrupted stack
 * (fn must not return; it longjmps). */
void os_fault_redirect_call(OSFault *f, void (*fn)(void *), void *arg);

/* ---- Time, the execution kick and the console ---- */

/* Wall-clock time (CLOCK_REALTIME, UTC) in nanoseconds since 1970. */
uint64_t os_realtime_ns(void);
/*
 * Call fn from a host interval timer (SIGALRM) every period_ns; 0 stops
 * it.  fn runs in signal context: it may read os_clock_ns and set flags,
 * nothing else.
 */
void os_set_tick(uint64_t period_ns, void (*fn)(void));
/*
 * The console on stdin: raw mode while stdin is a terminal (output keeps
 * its newline translation).  The terminal is restored by os_exit, os_fatal
 * and on SIGINT/SIGTERM/SIGHUP (which end the process with status 0, as
 * QEMU does).  Idempotent.
 */
void os_console_open(void);
/* Put the terminal back (no-op when it was not changed). */
void os_console_restore(void);
/* Non-blocking read of stdin: bytes read, 0 if none ready, -1 at EOF. */
int os_console_read(uint8_t *buf, size_t len);
/*
 * Sleep at most timeout_ns (UINT64_MAX: no limit), waking early when stdin
 * becomes readable if watch_input or when a signal arrives.  True if stdin
 * is readable.
 */
bool os_wait(uint64_t timeout_ns, bool watch_input);

/* Print a fatal engine error ("hamt86: ...") to stderr and exit(code). */
NORETURN void os_fatal(int code, const char *fmt, ...) PRINTF_FMT(2, 3);

/* Print "hamt86: [where: ]message" as one line on stderr (core/log.c);
 * where may be NULL. */
void os_verror(const char *where, const char *fmt, va_list ap);

#endif
