/*
 * hamt86 - bare-metal OS layer, LoongArch64 board part (qemu-system-
 * loongarch64 -M virt; the rest is os/bm/os-bm.c).
 *
 *   boot      bm_main (from _start, os/bm/la-entry.c): vectors, arenas,
 *             clock scale, the TLB mapper, then the front end
 *   clock     rdtime.d (the stable counter; frequency from CPUCFG 4/5)
 *   power     the GED sleep-control register (S5)
 *   faults    page-invalid / page-modify exception codes -> host faults
 */
#include "core/os.h"
#include "core/libc.h"
#include "os/bm/bm.h"

#define GED_SLEEP_CTL_PA 0x100e001cull
#define GED_SLEEP_S5     ((5 << 2) | (1 << 5))   /* SLP_TYP = S5, SLP_EN */

_Static_assert(BM_FRAME_STATUS * 8 == 256 && BM_FRAME_CAUSE * 8 == 264 &&
               BM_FRAME_BADV * 8 == 272 && BM_FRAME_KIND * 8 == 280,
               "frame offsets used by os/bm/la-entry.c");

static uint64_t cc_freq;        /* stable counter Hz */
uint64_t bm_tlb_refills;

extern char _end[];
extern char bm_exc_entry[], bm_tlbr_entry[], bm_merr_entry[];

/* GED power-off; QEMU exits (status 0). */
void bm_arch_poweroff(void)
{
    *(volatile uint8_t *)BM_UNCACHED(GED_SLEEP_CTL_PA) = GED_SLEEP_S5;
    for (;;) {
        __asm__ volatile("idle 0");
    }
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
    return t / cc_freq * 1000000000ull +
           t % cc_freq * 1000000000ull / cc_freq;
}

/* No process accounting on bare metal. */
uint64_t os_peak_rss_kib(void)
{
    return 0;
}

/* The windows' TLB page size (BM_PAGE_BITS; bm-la.h says why). */
size_t os_host_page_size(void)
{
    return BM_PAGE_SIZE;
}

/*
 * The constant timer: TCFG = InitVal | Periodic | En (InitVal in stable-
 * counter ticks, a multiple of 4), ECFG.LIE bit 11 (TI), CRMD.IE; an
 * interrupt is acknowledged through TICLR.CLR.
 */
void bm_arch_set_tick(uint64_t period_ns)
{
    uint64_t ticks = period_ns / 1000 * cc_freq / 1000000;

    if (period_ns == 0) {
        csr_write(CSR_TCFG, 0);
        csr_write(CSR_ECFG, csr_read(CSR_ECFG) & ~LA_ECFG_TI);
        csr_write(CSR_TICLR, 1);
        return;
    }
    ticks = ticks < 4 ? 4 : ticks & ~(uint64_t)3;
    csr_write(CSR_TICLR, 1);
    csr_write(CSR_TCFG, ticks | 3);
    csr_write(CSR_ECFG, csr_read(CSR_ECFG) | LA_ECFG_TI);
    csr_write(CSR_CRMD, csr_read(CSR_CRMD) | LA_CRMD_IE);
}

/* An interrupt (ecode 0) with ESTAT.IS.TI: acknowledge it. */
bool bm_arch_tick_irq(const uint64_t *fr)
{
    uint64_t estat = fr[BM_FRAME_CAUSE];

    if (((estat >> 16) & 0x3f) != ECODE_INT || !(estat & LA_ECFG_TI)) {
        return false;
    }
    csr_write(CSR_TICLR, 1);
    return true;
}

/* Page-invalid (PIL/PIS/PIF), page-modify and privilege exceptions. */
bool bm_arch_page_fault(const uint64_t *fr, uintptr_t *addr, int *is_write,
                        int *kind)
{
    unsigned ecode = (unsigned)(fr[BM_FRAME_CAUSE] >> 16) & 0x3f;

    if (ecode < ECODE_PIL || ecode > ECODE_PPI) {
        return false;
    }
    *addr = (uintptr_t)fr[BM_FRAME_BADV];
    *kind = OS_FAULT_SEGV;
    *is_write = (ecode == ECODE_PIS || ecode == ECODE_PME) ? 1 :
                ecode == ECODE_PIL ? 0 : -1;
    return true;
}

/* "exception: page invalid (store) (ecode 0x2 subcode 0)". */
int bm_arch_describe(const uint64_t *fr, char *buf, size_t size)
{
    static const char *const names[] = {
        "interrupt", "page invalid (load)", "page invalid (store)",
        "page invalid (fetch)", "page modify", "page not readable",
        "page not executable", "page privilege", "address error",
        "alignment", "bound check", "syscall", "break",
        "instruction not exist", "instruction privilege", "FP disabled",
    };
    unsigned ecode = (unsigned)(fr[BM_FRAME_CAUSE] >> 16) & 0x3f;

    return h_snprintf(buf, size, "%s: %s (ecode %#x subcode %#x)",
                      fr[BM_FRAME_KIND] == BM_EXC_MERR ? "machine error" :
                      fr[BM_FRAME_KIND] == BM_EXC_REFILL ? "TLB refill" :
                      "exception",
                      ecode < ARRAY_SIZE(names) ? names[ecode] : "other",
                      ecode, (unsigned)(fr[BM_FRAME_CAUSE] >> 22) & 0x1ff);
}

/* C entry from _start: vectors, TLB, arenas, clock; then the front end. */
void bm_main(void)
{
    uint64_t cfg4, cfg5, mul, div;

    csr_write(CSR_ECFG, 0);                    /* VS = 0, no interrupts */
    csr_write(CSR_EENTRY, (uintptr_t)bm_exc_entry);
    csr_write(CSR_TLBRENTRY, BM_PHYS(bm_tlbr_entry));
    csr_write(CSR_MERRENTRY, BM_PHYS(bm_merr_entry));
    bm_arenas_init(ALIGN_UP((uintptr_t)_end, 4096), BM_CACHED(BM_LOWMEM_END),
                   BM_CACHED(BM_BOOTBLOCK_PA) + bm_bootblock_bytes(),
                   BM_CACHED(BM_HIGHMEM_END));
    __asm__ volatile("cpucfg %0, %1" : "=r"(cfg4) : "r"(4));
    __asm__ volatile("cpucfg %0, %1" : "=r"(cfg5) : "r"(5));
    mul = cfg5 & 0xffff;
    div = (cfg5 >> 16) & 0xffff;
    cc_freq = (cfg4 & 0xffffffffu) * (mul ? mul : 1) / (div ? div : 1);
    if (cc_freq == 0) {
        cc_freq = 100000000;
    }
    bm_tlbmap_init();
    bm_la_hamt_init();
    os_exit(bm_start());
}
