/*
 * hamt86 - guest time, device timers, the execution kick and idle.
 *
 * Guest time is one clock for every device and the TSC:
 *
 *   guest ns = host CLOCK_MONOTONIC - host time at machine start
 *   TSC      = guest ns * HW_TSC_HZ / 1e9   (+ env->tsc_offset, WRMSR)
 *
 * so the PIT, the RTC and the TSC agree with each other and never depend
 * on emulation speed; time keeps running while the guest halts.
 *
 * Devices arm HWTimers (a deadline in guest ns and a callback).  The
 * execution loop calls hw_poll() between TBs; a chain of TBs that never
 * returns to the loop (a tight guest loop) is stopped by the kick:
 *
 *   SIGALRM every HW_KICK_NS --> deadline passed? --> kicked = 1,
 *                                                     cpu_exit_tb(env)
 *   every TB checks exit_request at entry --> back in the loop --> hw_poll
 *
 * so a due timer reaches the guest within HW_KICK_NS plus one TB, as
 * QEMU's kick does.  HLT with IF=1 sleeps on the host (ppoll on stdin)
 * until the earliest deadline or console input, with the kick stopped.
 *
 * --icount=SHIFT replaces the host clock with executed TBs:
 *
 *   guest ns = (TBs accounted + budget handed out - env->icount_budget)
 *              << SHIFT
 *
 * Each TB decrements env->icount_budget at entry and leaves to the loop
 * when it is exhausted (or an exit is requested: the two share a word,
 * core/cpu.h); the budget handed out ends at the next deadline (at most
 * ICOUNT_MAX_BUDGET TBs away),
 * so timers fire at the same guest instruction on every run.  A halted
 * guest jumps to its next deadline; there is no kick and no sleeping.
 */
#include "hw/hw.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

#define HW_MAX_TIMERS 8
/* the budget is 16 bits, and the word with the exit request must stay
 * positive without one (core/cpu.h) */
#define ICOUNT_MAX_BUDGET 0x7fff

typedef struct GuestClock {
    uint64_t host_base;        /* host monotonic ns at guest time 0 */
    HWTimer *timers[HW_MAX_TIMERS];
    unsigned nb_timers;
    volatile uint64_t next;    /* earliest deadline (guest ns) */
    volatile int kicked;       /* the tick saw a deadline pass */
    unsigned poll_count;
    bool tick_on;
    bool icount;               /* --icount */
    unsigned shift;
    uint64_t icount_tbs;       /* TBs accounted before the current budget */
    uint16_t icount_given;     /* the budget handed to env last */
    /* --stats */
    uint64_t kicks, idle_ns, idle_sleeps, timer_calls;
} GuestClock;

static GuestClock gclock;

/* Guest time in nanoseconds. */
uint64_t clock_ns(void)
{
    if (gclock.icount) {
        return (gclock.icount_tbs + (uint64_t)(gclock.icount_given -
                machine.cpu.icount_budget)) << gclock.shift;
    }
    return os_clock_ns() - gclock.host_base;
}

/* --icount: account the TBs run so far and hand out a budget that ends at
 * the earliest deadline. */
static void icount_refill(void)
{
    CPUX86State *env = &machine.cpu;
    uint64_t now, left;

    gclock.icount_tbs += (uint64_t)(gclock.icount_given - env->icount_budget);
    now = gclock.icount_tbs << gclock.shift;
    left = ICOUNT_MAX_BUDGET;
    if (gclock.next != UINT64_MAX) {
        left = gclock.next > now ?
               (gclock.next - now + (1ull << gclock.shift) - 1) >> gclock.shift :
               1;
        left = left < 1 ? 1 : left > ICOUNT_MAX_BUDGET ? ICOUNT_MAX_BUDGET : left;
    }
    gclock.icount_given = (uint16_t)left;
    env->icount_budget = (uint16_t)left;
}

/* Guest time for the core (RDTSC, logs). */
uint64_t hw_clock_ns(void)
{
    return clock_ns();
}

/* The TSC at its nominal frequency (without the WRMSR offset). */
uint64_t hw_tsc(void)
{
    uint64_t ns = clock_ns();

    return (ns / 1000000000u) * HW_TSC_HZ +
           (ns % 1000000000u) * (HW_TSC_HZ / 1000000u) / 1000u;
}

/* Recompute the earliest deadline. */
static void clock_update_next(void)
{
    uint64_t next = UINT64_MAX;

    for (unsigned i = 0; i < gclock.nb_timers; i++) {
        if (gclock.timers[i]->deadline < next) {
            next = gclock.timers[i]->deadline;
        }
    }
    gclock.next = next;
}

/* Is an armed timer able to end a HLT with an interrupt? */
static bool clock_may_interrupt(void)
{
    for (unsigned i = 0; i < gclock.nb_timers; i++) {
        HWTimer *t = gclock.timers[i];
        if (t->deadline != UINT64_MAX && t->may_interrupt != NULL &&
            t->may_interrupt(t->opaque)) {
            return true;
        }
    }
    return false;
}

/* Register a device timer (disarmed). */
void timer_add(HWTimer *t)
{
    if (gclock.nb_timers == HW_MAX_TIMERS) {
        os_fatal(1, "too many device timers (registering %s)", t->name);
    }
    t->deadline = UINT64_MAX;
    gclock.timers[gclock.nb_timers++] = t;
}

/* Arm t for guest time deadline (UINT64_MAX disarms). */
void timer_mod(HWTimer *t, uint64_t deadline)
{
    t->deadline = deadline;
    clock_update_next();
    if (gclock.icount) {
        icount_refill();
    }
}

/* Run the callbacks of every timer due at guest time now. */
void timers_run(void)
{
    uint64_t now = clock_ns();

    if (now < gclock.next) {
        return;
    }
    /* a callback re-arms its timer; bounded in case one stays due */
    for (int round = 0; round < 4 && now >= gclock.next; round++) {
        for (unsigned i = 0; i < gclock.nb_timers; i++) {
            HWTimer *t = gclock.timers[i];
            if (t->deadline <= now) {
                t->deadline = UINT64_MAX;
                gclock.timer_calls++;
                t->cb(t->opaque, now);
            }
        }
        clock_update_next();
    }
}

/* SIGALRM: stop the running chain of TBs once a deadline has passed. */
static void clock_tick(void)
{
    if (!gclock.kicked && os_clock_ns() - gclock.host_base >= gclock.next) {
        gclock.kicked = 1;
        cpu_exit_tb(&machine.cpu);
    }
}

/* Start or stop the kick (never under --cosim: a kick between its shadow
 * and real runs of a TB would look like a divergence; the loop's fallback
 * poll is all it has). */
static void clock_set_tick(bool on)
{
    if (machine.opt.cosim || gclock.icount) {
        return;
    }
    if (on != gclock.tick_on) {
        gclock.tick_on = on;
        os_set_tick(on ? HW_KICK_NS : 0, clock_tick);
    }
}

/* Guest time starts now. */
void clock_init(void)
{
    gclock.host_base = os_clock_ns();
    gclock.next = UINT64_MAX;
    gclock.icount = machine.opt.icount;
    gclock.shift = machine.opt.icount_shift;
}

/* The loop is about to run guest code: the console goes raw, the kick
 * starts. */
void hw_start(void)
{
    os_console_open();
    if (gclock.icount) {
        /* the CPU reset cleared env's budget since the devices started */
        gclock.icount_given = machine.cpu.icount_budget;
        icount_refill();
    }
    clock_set_tick(true);
}

/* The loop stopped: no more signals. */
void hw_stop(void)
{
    clock_set_tick(false);
}

/* Between TBs: run due timers when the kick fired (and now and then). */
void hw_poll(void)
{
    if (gclock.icount) {
        timers_run();
        if (machine.cpu.icount_budget == 0) {
            icount_refill();
        }
        return;
    }
    if (gclock.kicked) {
        gclock.kicked = 0;
        gclock.kicks++;
        timers_run();
    } else if ((++gclock.poll_count & 63) == 0) {
        timers_run();
    }
}

/*
 * HLT with IF=1: sleep until an interrupt is pending.  False if nothing
 * could ever raise one (no timer armed, no console input expected).
 */
bool hw_idle(CPUX86State *env)
{
    for (;;) {
        uint64_t now, t0;
        bool input;

        timers_run();
        console_poll();
        if ((env->interrupt_request & CPU_INTERRUPT_HARD) ||
            machine.exit_requested) {
            return true;
        }
        input = console_can_wake();
        if (!clock_may_interrupt() && !input) {
            return false;
        }
        now = clock_ns();
        if (gclock.icount) {
            /* skip to the deadline: nothing runs meanwhile */
            if (gclock.next == UINT64_MAX) {
                return false;   /* only input could wake it: not here */
            }
            if (gclock.next > now) {
                gclock.idle_ns += gclock.next - now;
                gclock.icount_tbs += (gclock.next - now +
                                      (1ull << gclock.shift) - 1) >> gclock.shift;
            }
            gclock.idle_sleeps++;
            continue;
        }
        t0 = os_clock_ns();
        clock_set_tick(false);
        os_wait(gclock.next == UINT64_MAX ? UINT64_MAX :
                gclock.next > now ? gclock.next - now : 0, input);
        clock_set_tick(true);
        gclock.idle_ns += os_clock_ns() - t0;
        gclock.idle_sleeps++;
    }
}

/* One "name value unit" --stats line. */
static void clock_stat(const char *name, uint64_t v, const char *unit)
{
    char buf[128];
    int n = h_snprintf(buf, sizeof(buf), "  %-28s %llu%s\n", name,
                       (unsigned long long)v, unit);

    os_write(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* --stats lines of the clock. */
void clock_stats_print(void)
{
    clock_stat("TSC frequency (nominal)", HW_TSC_HZ / 1000000u, " MHz");
    if (gclock.icount) {
        clock_stat("icount: ns per TB", 1ull << gclock.shift, "");
        clock_stat("icount: TBs counted", clock_ns() >> gclock.shift, "");
    }
    clock_stat("guest time", clock_ns() / 1000000u, " ms");
    clock_stat("idle (HLT) time", gclock.idle_ns / 1000000u, " ms");
    clock_stat("idle sleeps", gclock.idle_sleeps, "");
    clock_stat("timer kicks (chain exits)", gclock.kicks, "");
    clock_stat("device timer callbacks", gclock.timer_calls, "");
}
