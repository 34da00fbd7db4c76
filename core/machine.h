/*
 * hamt86 - the machine: options chosen by the front end, devices, stats.
 */
#ifndef HAMT86_MACHINE_H
#define HAMT86_MACHINE_H

#include "core/base.h"
#include "core/cpu.h"

typedef struct MachineOptions {
    uint32_t ram_mib;
    const char *mmu_mode;  /* --mmu: "hamt" (default), "softmmu", "hamt16k" */
    bool stats;
    bool cosim;
    uint64_t cosim_inject; /* debug: corrupt the Nth compared TB (0: off) */
    bool nochain;
    bool icount;           /* --icount: deterministic guest time */
    unsigned icount_shift; /* guest ns per executed TB = 2^shift */
} MachineOptions;

typedef struct Stats {
    uint64_t tbs_translated, tb_guest_insns, tb_host_bytes, tb_flushes;
    uint64_t tb_invalidations, smc_restarts, smc_bitmaps, smc_bitmap_misses;
    uint64_t tb_execs, chains_patched, lookups_hit, lookups_miss;
    uint64_t lookups_jc_empty, lookups_jc_other, lookups_jc_flags;
    uint64_t exceptions, interrupts, io_accesses, slow_loads, slow_stores;
    uint64_t cosim_tbs, cosim_skipped;
    uint64_t ns_translate, ns_total;
} Stats;
extern Stats stats;

typedef struct Machine {
    MachineOptions opt;
    CPUX86State cpu;
    int exit_code;        /* status to exit with once EXCP_EXIT is seen */
    /* FERR# of the x87 (CR0.NE=0): IRQ13 on the PC (hw/fpu-ferr.c) */
    void (*set_ferr)(bool level);
    bool exit_requested;
} Machine;

extern Machine machine;

/* Request the machine stop with the given status (device exit port, ...). */
void machine_request_exit(int status);
/* Print --stats to stderr. */
void stats_print(void);
/* Create the devices of the PC machine (hw/pc.c: guest clock, 8259 pair,
 * 8254, RTC/CMOS, i8042, 16550A, debug console and exit ports, FERR#,
 * firmware area). */
void hw_init(void);
/* Devices back to their hw_init state (hw/pc.c). */
void hw_reset(void);

/* Interrupt controller interface (hw/): the vector of the highest-priority
 * pending hardware interrupt, acknowledged, or -1 (none / spurious). */
int hw_irq_ack(void);
/* HLT with IF=1 and nothing pending: let device time pass until an
 * interrupt is pending; false if no device could ever raise one. */
bool hw_idle(CPUX86State *env);
/* Let device timers catch up with guest time (called by the loop). */
void hw_poll(void);
/* The loop starts / stops running guest code (the timer kick runs in
 * between). */
void hw_start(void);
void hw_stop(void);
/* Device lines of --stats. */
void hw_stats_print(void);
/* Guest time in ns since the machine started, and the TSC at its nominal
 * frequency (hw/timer.c): both follow the host's monotonic clock. */
uint64_t hw_clock_ns(void);
uint64_t hw_tsc(void);
/* A device raised or lowered the CPU's INTR line (core/cpu-exec.c). */
void cpu_set_irq(bool level);

#endif
