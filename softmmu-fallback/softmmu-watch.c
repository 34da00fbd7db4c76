/*
 * hamt86 - softmmu watchpoints (--watch, like QEMU's gdbstub ones).
 *
 * A fill over a watched page sets TLB_WATCH in the entry (softmmu.c
 * tlb_set_page), so every access to that page takes the slow path, which
 * calls watch_hit for the accesses that overlap a watched range.  The
 * HAMT path asks mem_watch_test and leaves such pages unmapped, so the
 * same slow path sees them there too.
 */
#include "core/mem.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/libc.h"
#include "core/os.h"
#include "softmmu-fallback/softmmu.h"
#include "softmmu-fallback/softmmu-watch.h"

#define MAX_WATCH 8

typedef struct Watchpoint {
    uint32_t addr, len;
    unsigned flags;              /* WP_READ, WP_WRITE, WP_STOP */
} Watchpoint;

typedef struct WatchState {
    Watchpoint w[MAX_WATCH];
    unsigned n;
    bool stepping;               /* a WP_STOP hit restarted its insn alone */
} WatchState;

static WatchState ws;

/* Any watchpoint overlapping [addr, addr + len) with flags? */
unsigned watch_match(uint32_t addr, uint32_t len)
{
    unsigned fl = 0;

    for (unsigned i = 0; i < ws.n; i++) {
        const Watchpoint *w = &ws.w[i];
        if (addr - w->addr < w->len || w->addr - addr < len) {
            fl |= w->flags;
        }
    }
    return fl;
}

/*
 * A watched access (like QEMU's gdbstub watchpoints): log it with the
 * guest EIP, the value (and for RAM stores the old value, old != NULL).
 * A WP_STOP watchpoint first restarts the instruction alone in a one-shot
 * TB (state is exact at a slow-path access), logs when that TB makes the
 * access and stops the machine once the instruction has completed.
 */
void watch_hit(CPUX86State *env, uint32_t addr, unsigned size,
                      unsigned kind, uint32_t val, const uint8_t *old,
                      uintptr_t ra)
{
    unsigned fl = watch_match(addr, size);
    char buf[192];
    int n;

    if (!(fl & kind)) {
        return;
    }
    if (ra) {
        cpu_restore_state(env, ra);
    }
    if ((fl & WP_STOP) && !ws.stepping && cpu_in_exec) {
        ws.stepping = true;
        tb_next_cflags = CF_NOCACHE | CF_SINGLE;
        env->exception_index = -1;
        cpu_loop_exit(env);
    }
    softmmu_stats.watch_hits++;
    n = h_snprintf(buf, sizeof(buf), "hamt86: watchpoint: %s%u 0x%08x %s 0x%x",
                   kind == WP_WRITE ? "st" : "ld", size * 8, addr,
                   kind == WP_WRITE ? "<-" : "->", val);
    if (old != NULL) {
        n += h_snprintf(buf + n, sizeof(buf) - (size_t)n, " (was 0x%x)",
                        mem_host_ld(old, size));
    }
    n += h_snprintf(buf + n, sizeof(buf) - (size_t)n, " at EIP 0x%08x\n",
                    env->eip);
    os_write(2, buf, (size_t)n);
    if (fl & WP_STOP) {
        n = h_snprintf(buf, sizeof(buf), "hamt86: watchpoint: stopping the "
                       "guest after the instruction at EIP 0x%08x (status %d)\n",
                       env->eip, WATCH_EXIT_STATUS);
        os_write(2, buf, (size_t)n);
        ws.stepping = false;
        machine_request_exit(WATCH_EXIT_STATUS);
    }
}

/* Add a linear watchpoint; TLBs are flushed so fills see it. */
bool mem_watch_insert(CPUX86State *env, uint32_t linear, uint32_t len,
                      unsigned flags)
{
    if (ws.n == MAX_WATCH || len == 0) {
        return false;
    }
    ws.w[ws.n].addr = linear;
    ws.w[ws.n].len = len;
    ws.w[ws.n].flags = flags;
    ws.n++;
    if (mem_path && mem_path->flush_all) {
        mem_path->flush_all(env);
    }
    return true;
}

/* Does any watchpoint overlap linear [addr, addr + len)? */
bool mem_watch_test(uint32_t addr, uint32_t len)
{
    return watch_match(addr, len) != 0;
}
