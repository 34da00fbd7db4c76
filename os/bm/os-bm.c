/*
 * hamt86 - bare-metal OS layer, board-independent part: core/os.h without
 * an operating system (the board parts: os-bm-la.c, os-bm-mips.c).
 *
 *   console   the board's 16550.  fd 1 (guest serial) is written raw;
 *             fd 2 (hamt86's messages) is framed STX ... ETX so
 *             cross/bm-console.py can send it to stderr.
 *   exit      the boards cannot carry a status to QEMU's exit status
 *             (power-off makes QEMU exit 0): os_exit prints the framed line
 *             "hamt86-bm: exit status N" and powers off; cross/run-bm turns
 *             the line into its exit status (no line: 125).
 *   memory    one bump allocator over physical RAM (a low arena after the
 *             image, then a high arena after the boot block), handed out as
 *             cached direct-mapped addresses.  os_free keeps nothing: the
 *             engine frees only while loading.  Fresh pages are zeroed.
 *   faults    bm_exception: a page fault inside a HAMT window goes to the
 *             engine's handler (os_set_fault_handler) with the exception
 *             frame as context; anything else prints the exception, the
 *             host registers, the code around pc and the guest EIP, and
 *             exits 3.
 */
#include "core/os.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "os/bm/bm.h"

#define UART_RBR   0
#define UART_THR   0
#define UART_LSR   5
#define LSR_DR     0x01
#define LSR_THRE   0x20

#define CON_STX 0x02
#define CON_ETX 0x03

/* Board-independent state: allocator arenas, fault handler. */
typedef struct BMState {
    uintptr_t low_ptr, low_end;     /* cached direct-mapped addresses */
    uintptr_t high_ptr, high_end;
    OSFaultHandler fault_handler;
    void (*volatile tick_fn)(void);   /* os_set_tick's, from the timer */
    bool exiting;
} BMState;

static BMState bm;

/* One byte to the UART, waiting for the holding register. */
static void uart_putc(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)BM_UNCACHED(BM_UART_PA);

    while (!(u[UART_LSR] & LSR_THRE)) {
    }
    u[UART_THR] = (uint8_t)c;
}

/* Raw bytes to the console. */
void bm_console_write(const char *s, size_t n)
{
    while (n--) {
        uart_putc(*s++);
    }
}

/* fd 1 raw, anything else framed as a message (cross/bm-console.py). */
void os_write(int fd, const void *buf, size_t len)
{
    if (fd == 1) {
        bm_console_write(buf, len);
        return;
    }
    uart_putc(CON_STX);
    bm_console_write(buf, len);
    uart_putc(CON_ETX);
}

/* ---- The console, time and idle (core/os.h) ---- */

/* Nothing to protect: the board has no file descriptors. */
void os_init_std_fds(void)
{
}

/*
 * Wall-clock time: the boards' RTCs are not read yet, so the guest's
 * CMOS clock starts at a fixed date (2026-01-01 00:00 UTC) and runs with
 * the stable counter.
 */
uint64_t os_realtime_ns(void)
{
    return 1767225600ull * 1000000000ull + os_clock_ns();
}

/*
 * The execution kick: the board's timer interrupt (LoongArch: the
 * constant timer, TCFG; MIPS: CP0 Count/Compare) calls fn every
 * period_ns, from bm_exception with interrupts off, like SIGALRM on
 * Linux; 0 stops it.
 */
void os_set_tick(uint64_t period_ns, void (*fn)(void))
{
    if (period_ns != 0) {
        bm.tick_fn = fn;
    }
    bm_arch_set_tick(period_ns);
}

/* The UART is raw already: nothing to set up or restore. */
void os_console_open(void)
{
}

/* Nothing to restore. */
void os_console_restore(void)
{
}

/* Is a received byte waiting in the UART? */
static bool uart_rx_ready(void)
{
    volatile uint8_t *u = (volatile uint8_t *)BM_UNCACHED(BM_UART_PA);

    return (u[UART_LSR] & LSR_DR) != 0;
}

/* Non-blocking read of the board UART (QEMU's -serial stdio). */
int os_console_read(uint8_t *buf, size_t len)
{
    volatile uint8_t *u = (volatile uint8_t *)BM_UNCACHED(BM_UART_PA);
    size_t n = 0;

    while (n < len && uart_rx_ready()) {
        buf[n++] = u[UART_RBR];
    }
    return (int)n;
}

/* Idle: spin on the stable counter until timeout_ns has passed or, with
 * watch_input, the UART has a byte. */
bool os_wait(uint64_t timeout_ns, bool watch_input)
{
    uint64_t t0 = os_clock_ns();

    for (;;) {
        if (watch_input && uart_rx_ready()) {
            return true;
        }
        if (timeout_ns != UINT64_MAX && os_clock_ns() - t0 >= timeout_ns) {
            return false;
        }
    }
}

/* Report the status on the console, then power the board off. */
void os_exit(int status)
{
    char line[64];
    int n;

    bm.exiting = true;
    n = h_snprintf(line, sizeof(line), "hamt86-bm: exit status %d\n",
                   status & 0xff);
    os_write(2, line, (size_t)n);
    bm_arch_poweroff();
}

/* Set up the allocator's arenas. */
void bm_arenas_init(uintptr_t low, uintptr_t low_end, uintptr_t high,
                    uintptr_t high_end)
{
    bm.low_ptr = low;
    bm.low_end = low_end;
    bm.high_ptr = high;
    bm.high_end = high_end;
}

/* Take bytes from an arena; 0 if it has no room. */
static uintptr_t arena_take(uintptr_t *ptr, uintptr_t end, size_t bytes,
                            size_t align)
{
    uintptr_t p = ALIGN_UP(*ptr, align);

    if (p > end || end - p < bytes) {
        return 0;
    }
    *ptr = p + bytes;
    return p;
}

/* Physical pages, zeroed, or NULL when RAM runs out.  The low arena
 * first, then the high one. */
static void *try_alloc_pages(size_t bytes, size_t align)
{
    uintptr_t p;

    bytes = ALIGN_UP(bytes ? bytes : 1, 4096);
    align = align < 4096 ? 4096 : align;
    p = arena_take(&bm.low_ptr, bm.low_end, bytes, align);
    if (p == 0) {
        p = arena_take(&bm.high_ptr, bm.high_end, bytes, align);
    }
    if (p != 0) {
        memset((void *)p, 0, bytes);
    }
    return (void *)p;
}

/* Physical pages, zeroed; fatal when RAM runs out. */
void *bm_alloc_pages(size_t bytes, size_t align)
{
    void *p = try_alloc_pages(bytes, align);

    if (p == NULL) {
        os_fatal(1, "out of board memory allocating %zu bytes (give the "
                 "board more -m, or hamt86 a smaller -m)", bytes);
    }
    return p;
}

/* Zeroed memory, NULL when the board's RAM runs out. */
void *os_try_zalloc(size_t size)
{
    return try_alloc_pages(size, 4096);
}

void *os_zalloc(size_t size)
{
    return bm_alloc_pages(size, 4096);
}

/* Nothing is reused (the engine frees only while loading). */
void os_free(void *p, size_t size)
{
    (void)p;
    (void)size;
}

/* The code cache: after the image, in range of direct calls from it. */
void *os_alloc_code(size_t size)
{
    return bm_alloc_pages(size, 1u << 16);
}

/* No second mappable memory object on bare metal (the HAMT TLB driver
 * does not alias the code bytes). */
void *os_alloc_shared(size_t size, int *fd)
{
    (void)size;
    *fd = -1;
    return NULL;
}

/* ---- host faults ---- */

bool os_set_fault_handler(OSFaultHandler fn)
{
    bm.fault_handler = fn;
    return true;
}

uint64_t os_fault_get_reg(const OSFault *f, unsigned n)
{
    return n > 0 && n < 32 ? ((uint64_t *)f->ctx)[n] : 0;
}

void os_fault_set_reg(OSFault *f, unsigned n, uint64_t v)
{
    if (n > 0 && n < 32) {
        ((uint64_t *)f->ctx)[n] = v;
    }
}

void os_fault_set_pc(OSFault *f, uintptr_t pc)
{
    ((uint64_t *)f->ctx)[BM_FRAME_PC] = pc;
}

/* Resume in fn(arg) on the interrupted stack (less a margin): first
 * argument register = arg, return address 0 (fn never returns). */
void os_fault_redirect_call(OSFault *f, void (*fn)(void *), void *arg)
{
    uint64_t *fr = f->ctx;

    fr[BM_ARG0_REG] = (uint64_t)(uintptr_t)arg;
    fr[BM_RA_REG] = 0;
    fr[BM_SP_REG] = (fr[BM_SP_REG] - 256) & ~(uint64_t)15;
    fr[BM_FRAME_PC] = (uint64_t)(uintptr_t)fn;
}

/* Print the exception, the host registers and the guest EIP; exit 3. */
NORETURN void bm_unexpected(uint64_t *fr)
{
    char buf[200];
    int n;

    if (bm.exiting) {     /* a fault while exiting: just stop */
        bm_arch_poweroff();
    }
    n = h_snprintf(buf, sizeof(buf), "hamt86: unexpected host ");
    n += bm_arch_describe(fr, buf + n, sizeof(buf) - (size_t)n);
    n += h_snprintf(buf + n, sizeof(buf) - (size_t)n, " at pc %#llx badv "
                    "%#llx\n", (unsigned long long)fr[BM_FRAME_PC],
                    (unsigned long long)fr[BM_FRAME_BADV]);
    os_write(2, buf, (size_t)n);
    for (unsigned r = 0; r < 32; r += 4) {
        n = h_snprintf(buf, sizeof(buf),
                       "  r%-2u %016llx  r%-2u %016llx  r%-2u %016llx  "
                       "r%-2u %016llx\n",
                       r, (unsigned long long)(r ? fr[r] : 0),
                       r + 1, (unsigned long long)fr[r + 1],
                       r + 2, (unsigned long long)fr[r + 2],
                       r + 3, (unsigned long long)fr[r + 3]);
        os_write(2, buf, (size_t)n);
    }
    /* The code around pc, if it is direct-mapped (objdump -b binary). */
    if (BM_IS_DIRECT(fr[BM_FRAME_PC]) && (fr[BM_FRAME_PC] & 3) == 0) {
        const uint32_t *c = (const uint32_t *)(uintptr_t)fr[BM_FRAME_PC];
        n = h_snprintf(buf, sizeof(buf), "  code at pc-32: %08x %08x %08x "
                       "%08x %08x %08x %08x %08x [%08x] %08x\n", c[-8], c[-7],
                       c[-6], c[-5], c[-4], c[-3], c[-2], c[-1], c[0], c[1]);
        os_write(2, buf, (size_t)n);
    }
    /* In generated code BM_ENV_REG holds env: recover the EIP. */
    if (tb_find_by_host_pc((uintptr_t)fr[BM_FRAME_PC]) != NULL) {
        CPUX86State *env = (CPUX86State *)(uintptr_t)fr[BM_ENV_REG];
        cpu_restore_state(env, (uintptr_t)fr[BM_FRAME_PC]);
        n = h_snprintf(buf, sizeof(buf), "  guest EIP %#x\n", env->eip);
    } else {
        n = h_snprintf(buf, sizeof(buf), "  guest EIP unknown (host pc "
                       "not in generated code)\n");
    }
    os_write(2, buf, (size_t)n);
    os_exit(3);
}

/* A host fault at addr (is_write: OSFault's) to the engine's handler;
 * false if it has none or did not handle it. */
bool bm_host_fault(uint64_t *fr, uintptr_t addr, int is_write, int kind)
{
    OSFault f;

    if (bm.fault_handler == NULL || !bm_tlbmap_is_window(addr)) {
        return false;
    }
    f.kind = kind;
    f.is_write = is_write;
    f.addr = addr;
    f.pc = (uintptr_t)fr[BM_FRAME_PC];
    f.ctx = fr;
    return bm.fault_handler(&f);
}

/* C side of the vectors. */
void bm_exception(uint64_t *fr)
{
    uintptr_t addr;
    int is_write, kind;

    if (fr[BM_FRAME_KIND] == BM_EXC_GENERAL && bm_arch_tick_irq(fr)) {
        void (*fn)(void) = bm.tick_fn;
        if (fn != NULL) {
            fn();
        }
        return;
    }
    if (fr[BM_FRAME_KIND] == BM_EXC_GENERAL &&
        bm_arch_page_fault(fr, &addr, &is_write, &kind) &&
        bm_host_fault(fr, addr, is_write, kind)) {
        return;
    }
    bm_unexpected(fr);
}
