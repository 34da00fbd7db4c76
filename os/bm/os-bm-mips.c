/*
 * hamt86 - bare-metal OS layer, MIPS64r2 board part (qemu-system-mips64el
 * -M malta -cpu MIPS64R2-generic; the rest is os/bm/os-bm.c).
 *
 *   boot      bm_main (from _start, os/bm/mips-entry.c): vector stubs,
 *             arenas, then the front end
 *   clock     CP0 Count (32 bits at BM_COUNT_HZ), widened to 64 bits by
 *             counting wraps (the engine reads the clock far more often
 *             than every 26 s)
 *   power     the FPGA's SOFTRES register (QEMU -no-reboot then exits)
 *   HAMT      the privileged driver on the TLB: os/bm/mips-hamt.c (guest
 *             RAM is physical memory, no RAM file: os_ram_fd says so, and
 *             the mmap-style calls below are not used)
 */
#include "core/os.h"
#include "core/libc.h"
#include "os/bm/bm.h"

uint64_t bm_tlb_refills;

extern char _end[];
extern char bm_vec_general[], bm_vec_general_end[];
extern char bm_vec_refill[], bm_vec_refill_end[];

/* Status.IE (bit 0) and IM7 (bit 15: the CP0 timer, Cause.IP7). */
#define ST_IE   0x1u
#define ST_IM7  0x8000u
#define CAUSE_IP7 0x8000u

/* Count widened to 64 bits. */
static struct {
    uint32_t last;
    uint64_t high;
} clk;

/* SOFTRES: the board resets, and QEMU with -no-reboot exits (status 0). */
void bm_arch_poweroff(void)
{
    *(volatile uint32_t *)BM_UNCACHED(BM_SOFTRES_PA) = 0x42;
    for (;;) {
        __asm__ volatile("wait");
    }
}

/* Write back the data cache and invalidate the instruction cache lines of
 * [start, end) (synci), then a hazard barrier. */
void os_flush_icache(void *start, void *end)
{
    uintptr_t p = (uintptr_t)start & ~(uintptr_t)31;

    for (; p < (uintptr_t)end; p += 32) {
        __asm__ volatile("synci 0(%0)" :: "r"(p) : "memory");
    }
    /* sync, then jr.hb to the next instruction (instruction hazard) */
    __asm__ volatile(".set push\n\t.set noreorder\n\tsync\n\t"
                     "bal 1f\n\tnop\n"
                     "1:\tdaddiu $ra, $ra, 12\n\tjr.hb $ra\n\tnop\n\t"
                     ".set pop" ::: "ra", "memory");
}

/* No process accounting on bare metal. */
uint64_t os_peak_rss_kib(void)
{
    return 0;
}

/* Count in nanoseconds. */
uint64_t os_clock_ns(void)
{
    uint32_t c, st;
    uint64_t t;

    /* interrupts off: the timer interrupt reads the clock too */
    __asm__ volatile("di %0\n\tehb" : "=r"(st) :: "memory");
    __asm__ volatile("mfc0 %0, $9" : "=r"(c));
    if (c < clk.last) {
        clk.high += 1ull << 32;
    }
    clk.last = c;
    t = clk.high | c;
    if (st & ST_IE) {
        __asm__ volatile("ei\n\tehb" ::: "memory");
    }
    return t / BM_COUNT_HZ * 1000000000ull +
           t % BM_COUNT_HZ * 1000000000ull / BM_COUNT_HZ;
}

size_t os_host_page_size(void)
{
    return 4096;
}

/* Guest RAM: physical pages of the high arena (KSEG0 for the engine, the
 * windows' TLB entries for generated code). */
void *os_alloc_ram(size_t size)
{
    void *p = bm_alloc_pages(size, 1u << 16);

    bm_mips_hamt_ram(BM_PHYS(p));
    return p;
}

/* No RAM file (the Linux driver's mmap path does not exist here). */
int os_ram_fd(void)
{
    return -1;
}

void *os_reserve(size_t len)
{
    (void)len;
    return NULL;
}

void os_unreserve(void *p, size_t len)
{
    (void)p;
    (void)len;
}

int os_map_fixed(void *addr, size_t len, int prot, int fd, uint64_t off)
{
    (void)addr, (void)len, (void)prot, (void)fd, (void)off;
    return -38;    /* ENOSYS */
}

int os_protect(void *addr, size_t len, int prot)
{
    (void)addr, (void)len, (void)prot;
    return -38;
}

/* Count ticks between timer interrupts (0: off). */
static uint32_t tick_cycles;

/*
 * CP0 Count/Compare: Compare = Count + period (writing Compare also
 * acknowledges), Status.IM7 | IE; interrupts use the general vector
 * (Cause.IV = 0).
 */
void bm_arch_set_tick(uint64_t period_ns)
{
    uint32_t st, c;

    __asm__ volatile("mfc0 %0, $12" : "=r"(st));
    if (period_ns == 0) {
        tick_cycles = 0;
        st &= ~ST_IM7;
        __asm__ volatile("mtc0 %0, $12\n\tehb" :: "r"(st));
        return;
    }
    tick_cycles = (uint32_t)(period_ns * (BM_COUNT_HZ / 1000000) / 1000);
    if (tick_cycles < 1000) {
        tick_cycles = 1000;
    }
    __asm__ volatile("mfc0 %0, $9" : "=r"(c));
    __asm__ volatile("mtc0 %0, $11" :: "r"(c + tick_cycles));
    st |= ST_IM7 | ST_IE;
    __asm__ volatile("mtc0 %0, $12\n\tehb" :: "r"(st));
}

/* An interrupt (ExcCode 0) with Cause.IP7: the next Compare (or, with
 * the timer off, Compare rewritten to drop the request). */
bool bm_arch_tick_irq(const uint64_t *fr)
{
    uint32_t c;

    if (((fr[BM_FRAME_CAUSE] >> 2) & 0x1f) != 0 ||
        !(fr[BM_FRAME_CAUSE] & CAUSE_IP7)) {
        return false;
    }
    __asm__ volatile("mfc0 %0, $9" : "=r"(c));
    __asm__ volatile("mtc0 %0, $11" :: "r"(c + (tick_cycles ? tick_cycles :
                                                0x80000000u)));
    return true;
}

/* TLB modified (store to a clean pair half), TLBL / TLBS (an invalid
 * half): window faults for hamt_fault; AdEL / AdES, an unaligned access
 * (MIPS has no unaligned lw/sw, and no kernel here emulates them as
 * Linux does): SIGBUS's kind, which sends the access to its slow path. */
bool bm_arch_page_fault(const uint64_t *fr, uintptr_t *addr, int *is_write,
                        int *kind)
{
    unsigned exc = (unsigned)(fr[BM_FRAME_CAUSE] >> 2) & 0x1f;

    if (exc < 1 || exc > 5) {
        return false;
    }
    *addr = (uintptr_t)fr[BM_FRAME_BADV];
    *is_write = exc == 2 || exc == 4 ? 0 : 1;
    *kind = exc >= 4 ? OS_FAULT_BUS : OS_FAULT_SEGV;
    return true;
}

/* "exception: TLB refill (load) (ExcCode 2)". */
int bm_arch_describe(const uint64_t *fr, char *buf, size_t size)
{
    static const char *const names[] = {
        "interrupt", "TLB modified", "TLB (load)", "TLB (store)",
        "address error (load)", "address error (store)", "bus error (fetch)",
        "bus error (data)", "syscall", "breakpoint", "reserved instruction",
        "coprocessor unusable", "overflow", "trap",
    };
    unsigned exc = (unsigned)(fr[BM_FRAME_CAUSE] >> 2) & 0x1f;

    return h_snprintf(buf, size, "%s: %s (ExcCode %u%s)",
                      fr[BM_FRAME_KIND] == BM_EXC_REFILL ? "TLB refill" :
                      "exception",
                      exc < ARRAY_SIZE(names) ? names[exc] : "other", exc,
                      (fr[BM_FRAME_CAUSE] >> 31) ? ", in a delay slot" : "");
}

/* The self-tests on MIPS: crash, tlb (os/bm/mips-hamt.c). */
int bm_selftest(const char *name)
{
    uintptr_t bad;

    if (strcmp(name, "crash") == 0) {
        os_set_fault_handler(NULL);
        os_write(1, "INFO crash: loading from 0x10\n", 30);
        bad = 0x10;
        __asm__ volatile("" : "+r"(bad));  /* opaque: no -Warray-bounds */
        (void)*(volatile uint32_t *)bad;
        os_write(1, "FAIL crash: still running\n", 26);
        return 1;
    }
    if (strcmp(name, "tlb") == 0) {
        return bm_mips_tlb_selftest();
    }
    os_write(1, "FAIL --bm-test: 'crash' or 'tlb' on mips64el\n", 45);
    return 2;
}

/* Copy a vector stub to EBase + off. */
static void put_vector(unsigned off, const char *start, const char *end)
{
    char *dst = (char *)BM_CACHED(off);

    if (end - start > 0x80) {    /* the next vector is 0x80 further */
        os_fatal(3, "bm: vector stub of %d bytes", (int)(end - start));
    }

    memcpy(dst, start, (size_t)(end - start));
    os_flush_icache(dst, dst + (end - start));
}

/* C entry from _start: vectors and arenas; then the front end. */
void bm_main(void)
{
    put_vector(0x000, bm_vec_refill, bm_vec_refill_end);
    put_vector(0x080, bm_vec_refill, bm_vec_refill_end);
    put_vector(0x180, bm_vec_general, bm_vec_general_end);
    bm_mips_hamt_init();
    bm_arenas_init(ALIGN_UP((uintptr_t)_end, 4096), BM_CACHED(BM_LOWMEM_END),
                   BM_CACHED(BM_BOOTBLOCK_PA) + bm_bootblock_bytes(),
                   BM_CACHED(BM_HIGHMEM_END));
    os_exit(bm_start());
}
