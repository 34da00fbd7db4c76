/*
 * hamt86 - run statistics (--stats), printed to stderr at exit.
 */
#include "core/machine.h"
#include "core/exec.h"
#include "core/mem.h"
#include "ir/ir.h"
#include "core/libc.h"
#include "core/os.h"

Stats stats;

/* One "name: value" line on stderr (every --stats printer uses it). */
void stat_line(const char *name, uint64_t v)
{
    char buf[128];
    int n = h_snprintf(buf, sizeof(buf), "  %-28s %llu\n", name,
                       (unsigned long long)v);
    os_write(2, buf, (size_t)n);
}

/* The IR optimizer's counters (ir/ir-opt.c), summed over all TBs. */
static void ir_opt_stats_print(void)
{
    const IROptStats *o = &ir_opt_stats;
    char buf[128];
    int n;

    stat_line("IR funcs optimised", o->funcs);
    stat_line("IR ops before optimiser", o->ops_in);
    stat_line("IR ops after optimiser", o->ops_out);
    if (o->ops_in) {
        n = h_snprintf(buf, sizeof(buf), "  %-28s %llu%%\n", "IR ops removed",
                       (unsigned long long)((o->ops_in - o->ops_out) * 100u /
                                            o->ops_in));
        os_write(2, buf, (size_t)n);
    }
    stat_line("IR ops const-folded", o->folded);
    stat_line("IR operands propagated", o->copies);
    stat_line("IR ops simplified", o->simplified);
    stat_line("IR branches resolved", o->branches);
    stat_line("IR unreachable ops removed", o->unreachable);
    stat_line("IR dead ops removed", o->dead_code);
    stat_line("IR dead flag stores removed", o->dead_flags);
    stat_line("IR flag loads forwarded", o->flag_loads);
    stat_line("IR temp->global movs coalesced", o->coalesced);
}

/* Print every counter and the derived ratios. */
void stats_print(void)
{
    char buf[160];
    int n;
    uint64_t insns = stats.tb_guest_insns;
    uint64_t lookups = stats.lookups_hit + stats.lookups_miss;
    uint64_t tr_ms = stats.ns_translate / 1000000u;
    uint64_t tot_ms = stats.ns_total / 1000000u;

    n = h_snprintf(buf, sizeof(buf), "hamt86 statistics (%s backend, %s mmu):\n",
                   host_backend ? host_backend->name : "none", machine.opt.mmu_mode ? machine.opt.mmu_mode : "flat");
    os_write(2, buf, (size_t)n);
    stat_line("TBs translated", stats.tbs_translated);
    stat_line("guest insns translated", insns);
    stat_line("host code bytes", stats.tb_host_bytes);
    /* fixed point with two decimals */
    if (insns) {
        uint64_t x100 = stats.tb_host_bytes * 100u / insns;
        n = h_snprintf(buf, sizeof(buf), "  %-28s %llu.%02llu\n",
                       "host bytes per guest insn",
                       (unsigned long long)(x100 / 100),
                       (unsigned long long)(x100 % 100));
        os_write(2, buf, (size_t)n);
    }
    if (host_backend && host_backend->stats_print) {
        host_backend->stats_print();
    }
    ir_opt_stats_print();
    stat_line("TB executions (from loop)", stats.tb_execs);
    stat_line("chains patched", stats.chains_patched);
    stat_line("lookups hit", stats.lookups_hit);
    stat_line("lookups miss", stats.lookups_miss);
    stat_line("lookups: jump cache empty", stats.lookups_jc_empty);
    stat_line("lookups: jump cache other pc", stats.lookups_jc_other);
    stat_line("lookups: jump cache other flags", stats.lookups_jc_flags);
    if (lookups) {
        n = h_snprintf(buf, sizeof(buf), "  %-28s %llu%%\n", "lookup hit rate",
                       (unsigned long long)(stats.lookups_hit * 100u / lookups));
        os_write(2, buf, (size_t)n);
    }
    stat_line("TB invalidations", stats.tb_invalidations);
    stat_line("SMC restarts", stats.smc_restarts);
    stat_line("SMC bitmaps built", stats.smc_bitmaps);
    stat_line("code-page stores passed by bitmap", stats.smc_bitmap_misses);
    stat_line("code cache flushes", stats.tb_flushes);
    stat_line("peak RSS KiB", os_peak_rss_kib());
    stat_line("exceptions", stats.exceptions);
    stat_line("hardware interrupts", stats.interrupts);
    hw_stats_print();
    stat_line("I/O port accesses", stats.io_accesses);
    stat_line("slow-path loads", stats.slow_loads);
    stat_line("slow-path stores", stats.slow_stores);
    if (mem_path->stats_print) {
        mem_path->stats_print(&machine.cpu);
    }
    if (machine.opt.cosim) {
        stat_line("cosim TBs compared", stats.cosim_tbs);
        stat_line("cosim TBs skipped", stats.cosim_skipped);
    }
    n = h_snprintf(buf, sizeof(buf), "  %-28s %llu ms of %llu ms (%llu%%)\n",
                   "time translating", (unsigned long long)tr_ms,
                   (unsigned long long)tot_ms,
                   (unsigned long long)(stats.ns_total ?
                        stats.ns_translate * 100u / stats.ns_total : 0));
    os_write(2, buf, (size_t)n);
}
