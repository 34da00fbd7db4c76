/*
 * hamt86 - bare-metal OS layer (LoongArch64, qemu-system-loongarch64 -M
 * virt): core/os.h without an operating system.
 *
 *   console   the board's 16550 (0x1fe001e0).  fd 1 (guest serial) is
 *             written raw; fd 2 (hamt86's messages) is framed STX ... ETX
 *             so cross/bm-console.py can send it to stderr.
 *   exit      the board cannot carry a status (the GED power-off makes
 *             QEMU exit 0): os_exit prints the framed line
 *             "hamt86-bm: exit status N" and powers off through the GED
 *             sleep register; cross/run-bm turns the line into its exit
 *             status (no line: 125).
 *   clock     rdtime.d (the stable counter; frequency from CPUCFG 4/5).
 *   memory    one bump allocator over physical RAM (low arena after the
 *             image, then the high arena after the boot block), handed
 *             out as cached direct-mapped (DMW1) addresses.  os_free keeps
 *             nothing: the engine frees only at start-up.
 *   faults    bm_exception: a page fault inside a HAMT window goes to the
 *             engine's handler (os_set_fault_handler) with the exception
 *             frame as context; anything else prints the host registers
 *             and the guest EIP and exits 3.
 * Windows and fixed mappings (os_reserve, os_map_fixed...) are in
 * os/bm/la-tlbmap.c.
 */
#include "core/os.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "os/bm/bm-la.h"

#define UART_BASE  BM_UNCACHED(0x1fe001e0)
#define UART_THR   0
#define UART_LSR   5
#define LSR_THRE   0x20
#define GED_SLEEP_CTL BM_UNCACHED(0x100e001c)
#define GED_SLEEP_S5  ((5 << 2) | (1 << 5))   /* SLP_TYP = S5, SLP_EN */

#define CON_STX 0x02
#define CON_ETX 0x03

/* Bare-metal state: allocator arenas, clock scale, fault handler. */
typedef struct BMState {
    uintptr_t low_ptr, low_end;     /* DMW1 addresses */
    uintptr_t high_ptr, high_end;
    uint64_t cc_freq;               /* stable counter Hz */
    OSFaultHandler fault_handler;
    bool exiting;
} BMState;

static BMState bm;
uint64_t bm_tlb_refills;

extern char _end[];
extern char bm_exc_entry[], bm_tlbr_entry[], bm_merr_entry[];

/* One byte to the UART, waiting for the holding register. */
static void uart_putc(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)UART_BASE;

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

/* Report the status on the console, then power the board off. */
void os_exit(int status)
{
    char line[64];
    int n;

    bm.exiting = true;
    n = h_snprintf(line, sizeof(line), "hamt86-bm: exit status %d\n",
                   status & 0xff);
    os_write(2, line, (size_t)n);
    *(volatile uint8_t *)GED_SLEEP_CTL = GED_SLEEP_S5;
    for (;;) {
        __asm__ volatile("idle 0");
    }
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

/* Physical pages (DMW1 address), zeroed; fatal when RAM runs out.  Small
 * blocks come from the low arena, large ones (and overflow) from high. */
void *bm_alloc_pages(size_t bytes, size_t align)
{
    uintptr_t p = 0;

    bytes = ALIGN_UP(bytes ? bytes : 1, 4096);
    align = align < 4096 ? 4096 : align;
    if (bytes <= (16u << 20)) {
        p = arena_take(&bm.low_ptr, bm.low_end, bytes, align);
    }
    if (p == 0) {
        p = arena_take(&bm.high_ptr, bm.high_end, bytes, align);
    }
    if (p == 0) {
        os_fatal(1, "out of board memory allocating %zu bytes (run "
                 "qemu-system-loongarch64 with a larger -m)", bytes);
    }
    memset((void *)p, 0, bytes);
    return (void *)p;
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

/* The code cache: right after the image, in range of bl from it. */
void *os_alloc_code(size_t size)
{
    return bm_alloc_pages(size, 1u << 16);
}

/* LoongArch: order the stores, then synchronise instruction fetch. */
void os_flush_icache(void *start, void *end)
{
    (void)start;
    (void)end;
    __asm__ volatile("dbar 0\n\tibar 0" ::: "memory");
}

/* The stable counter in nanoseconds. */
uint64_t os_clock_ns(void)
{
    uint64_t t, id;

    __asm__ volatile("rdtime.d %0, %1" : "=r"(t), "=r"(id));
    return t / bm.cc_freq * 1000000000ull +
           t % bm.cc_freq * 1000000000ull / bm.cc_freq;
}

/* The windows' TLB page size (BM_PAGE_BITS; bm-la.h says why). */
size_t os_host_page_size(void)
{
    return BM_PAGE_SIZE;
}

/* "hamt86: <message>" framed to the console, then exit. */
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

/* Resume in fn(arg) on the interrupted stack (less a margin): a0 = arg,
 * ra = 0 (fn never returns). */
void os_fault_redirect_call(OSFault *f, void (*fn)(void *), void *arg)
{
    uint64_t *fr = f->ctx;

    fr[4] = (uint64_t)(uintptr_t)arg;
    fr[1] = 0;
    fr[3] = (fr[3] - 256) & ~(uint64_t)15;
    fr[BM_FRAME_PC] = (uint64_t)(uintptr_t)fn;
}

/* Name of an exception code, for the register dump. */
static const char *ecode_name(unsigned ecode)
{
    static const char *const names[] = {
        "interrupt", "page invalid (load)", "page invalid (store)",
        "page invalid (fetch)", "page modify", "page not readable",
        "page not executable", "page privilege", "address error",
        "alignment", "bound check", "syscall", "break",
        "instruction not exist", "instruction privilege", "FP disabled",
    };
    return ecode < ARRAY_SIZE(names) ? names[ecode] : "other";
}

/* Print the host registers and the guest EIP, then exit 3. */
static NORETURN void unexpected(uint64_t *fr, const char *what)
{
    char buf[160];
    unsigned ecode = (unsigned)(fr[BM_FRAME_ESTAT] >> 16) & 0x3f;
    int n;

    if (bm.exiting) {     /* a fault while exiting: just stop */
        for (;;) {
            __asm__ volatile("idle 0");
        }
    }
    n = h_snprintf(buf, sizeof(buf),
                   "hamt86: unexpected host %s: %s (ecode %#x subcode %#x) "
                   "at pc %#llx badv %#llx\n", what, ecode_name(ecode), ecode,
                   (unsigned)(fr[BM_FRAME_ESTAT] >> 22) & 0x1ff,
                   (unsigned long long)fr[BM_FRAME_PC],
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
    if ((fr[BM_FRAME_PC] >> 60) == 9 && (fr[BM_FRAME_PC] & 3) == 0) {
        const uint32_t *c = (const uint32_t *)(uintptr_t)fr[BM_FRAME_PC];
        n = h_snprintf(buf, sizeof(buf), "  code at pc-32: %08x %08x %08x "
                       "%08x %08x %08x %08x %08x [%08x] %08x\n", c[-8], c[-7],
                       c[-6], c[-5], c[-4], c[-3], c[-2], c[-1], c[0], c[1]);
        os_write(2, buf, (size_t)n);
    }
    /* In generated code $r31 (LA_R_ENV) holds env: recover the EIP. */
    if (tb_find_by_host_pc((uintptr_t)fr[BM_FRAME_PC]) != NULL) {
        CPUX86State *env = (CPUX86State *)(uintptr_t)fr[31];
        cpu_restore_state(env, (uintptr_t)fr[BM_FRAME_PC]);
        n = h_snprintf(buf, sizeof(buf), "  guest EIP %#x\n", env->eip);
    } else {
        n = h_snprintf(buf, sizeof(buf), "  guest EIP unknown (host pc "
                       "not in generated code)\n");
    }
    os_write(2, buf, (size_t)n);
    os_exit(3);
}

/* C side of the general and machine-error vectors. */
void bm_exception(uint64_t *fr)
{
    unsigned ecode = (unsigned)(fr[BM_FRAME_ESTAT] >> 16) & 0x3f;
    OSFault f;

    if (fr[BM_FRAME_KIND] == BM_EXC_MERR) {
        unexpected(fr, "machine error");
    }
    if (ecode >= ECODE_PIL && ecode <= ECODE_PPI && bm.fault_handler &&
        bm_tlbmap_is_window((uintptr_t)fr[BM_FRAME_BADV])) {
        f.kind = OS_FAULT_SEGV;
        f.addr = (uintptr_t)fr[BM_FRAME_BADV];
        f.pc = (uintptr_t)fr[BM_FRAME_PC];
        f.is_write = (ecode == ECODE_PIS || ecode == ECODE_PME) ? 1 :
                     ecode == ECODE_PIL ? 0 : -1;
        f.ctx = fr;
        if (bm.fault_handler(&f)) {
            return;
        }
    }
    unexpected(fr, "exception");
}

int bm_start(void);
size_t bm_bootblock_bytes(void);

/* C entry from _start: vectors, TLB, arenas, clock; then the front end. */
void bm_main(void)
{
    uint64_t cfg4, cfg5, mul, div;

    csr_write(CSR_ECFG, 0);                    /* VS = 0, no interrupts */
    csr_write(CSR_EENTRY, (uintptr_t)bm_exc_entry);
    csr_write(CSR_TLBRENTRY, BM_PHYS(bm_tlbr_entry));
    csr_write(CSR_MERRENTRY, BM_PHYS(bm_merr_entry));
    bm.low_ptr = ALIGN_UP((uintptr_t)_end, 4096);
    bm.low_end = BM_CACHED(BM_LOWMEM_END);
    bm.high_ptr = BM_CACHED(BM_HIGHMEM_BASE) + bm_bootblock_bytes();
    bm.high_end = BM_CACHED(BM_HIGHMEM_BASE + (768ull << 20));
    __asm__ volatile("cpucfg %0, %1" : "=r"(cfg4) : "r"(4));
    __asm__ volatile("cpucfg %0, %1" : "=r"(cfg5) : "r"(5));
    mul = cfg5 & 0xffff;
    div = (cfg5 >> 16) & 0xffff;
    bm.cc_freq = (cfg4 & 0xffffffffu) * (mul ? mul : 1) / (div ? div : 1);
    if (bm.cc_freq == 0) {
        bm.cc_freq = 100000000;
    }
    bm_tlbmap_init();
    os_exit(bm_start());
}
