/*
 * hamt86 - HAMT: the interpreter accessors (MemPath.interp_ld / interp_st):
 * one host access through the window, as generated code makes it; a fault
 * the refill handler cannot map goes to the slow path, through an
 * exception-table probe (hamt-probe.c) where the host has them, else
 * through a setjmp recovery point (hamt_interp_landing).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/mem.h"
#include "hamt/hamt-internal.h"


/*
 * Interpreter adaptation from counted reuse (issue 16 item 6).  The
 * interpreter has no JIT sites to retranslate; it can take the softmmu
 * TLB path for every access instead (the accessors return false: HAMT
 * keeps that TLB valid, so no state moves).  Decided from counts, not the
 * clock:
 *   HAMT mode     every IA_WINDOW accesses: fewer than IA_REUSE accesses
 *                 per host fault in IA_STREAK windows in a row -> the
 *                 fills do not pay: softmmu mode (a first-touch burst,
 *                 as at boot, is shorter than a streak);
 *   softmmu mode  every IA_WINDOW TLB misses (slow-path entries): more
 *                 than 4 * IA_REUSE accesses per miss -> the working set
 *                 settled: HAMT mode again.
 */
#define IA_WINDOW 4096u
#define IA_REUSE  64u
#define IA_STREAK 4u

/* Sum of the softmmu TLB hits the interpreter counted. */
static uint64_t ia_tlb_hits(const CPUX86State *env)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < CPU_TLB_NB_MODES; i++) {
        n += env->tlb_hits[i];
    }
    return n;
}

/* End of a HAMT-mode window: switch to the softmmu path if fills churn. */
static void ia_check_hamt(CPUX86State *env)
{
    HamtInterpAdapt *ia = &hamt.ia;
    uint64_t faults = hamt_stats.faults - ia->faults0;

    ia->streak = faults * IA_REUSE > ia->count ? ia->streak + 1 : 0;
    if (hamt_opt_adapt && ia->streak >= IA_STREAK) {
        ia->streak = 0;
        ia->off = true;
        c_note_sync();
        ia->hits0 = ia_tlb_hits(env);
        hamt_stats.interp_to_softmmu++;
    }
    ia->count = 0;
    ia->faults0 = hamt_stats.faults;
}

/* A C access (softmmu TLB miss) while the interpreter is in softmmu mode;
 * at a window end, back to HAMT if the working set is reused. */
void hamt_interp_note_miss_slow(CPUX86State *env)
{
    HamtInterpAdapt *ia = &hamt.ia;
    uint64_t accesses;

    if (++ia->count < IA_WINDOW) {
        return;
    }
    accesses = ia_tlb_hits(env) - ia->hits0 + ia->count;
    if (accesses > (uint64_t)ia->count * IA_REUSE * 4) {
        ia->off = false;
        c_note_sync();
        ia->faults0 = hamt_stats.faults;
        hamt_stats.interp_to_hamt++;
    }
    ia->count = 0;
    ia->hits0 = ia_tlb_hits(env);
}

/* Host address of the interpreter access, or 0 if it must take the slow
 * path directly (page crossing, paging-off access beyond RAM). */
static inline uintptr_t interp_host(CPUX86State *env, uint32_t addr,
                                    unsigned size, unsigned idx)
{
    uintptr_t base = env->hamt_window[idx];

    if (unlikely(++hamt.ia.count >= IA_WINDOW)) {
        ia_check_hamt(env);
    }
    if ((addr & ~GUEST_PAGE_MASK) > GUEST_PAGE_SIZE - size ||
        (idx == MMU_PHYS_IDX && addr >= hamt.phys_limit)) {
        return 0;
    }
    if (unlikely(base == 0)) {
        base = hamt_window_ensure(idx);
    }
    return hamt_host_addr(base, addr);    /* as generated code: base + sext */
}

#ifdef HAMT_HAVE_PROBES
/* Guest load through the window: one probe; a fault the refill handler
 * cannot map makes the probe return HAMT_PROBE_FAULT: the slow path. */
bool hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                    unsigned idx, uint32_t *val)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host;
    uint64_t v;

    if (hamt.ia.off) {
        return false;    /* the interpreter takes the softmmu path */
    }
    host = interp_host(env, addr, size, idx);

    if (host != 0) {
        v = size == 4 ? hamt_probe_ld32(host) :
            size == 2 ? hamt_probe_ld16(host) : hamt_probe_ld8(host);
        if (likely(v != HAMT_PROBE_FAULT)) {
            *val = memop_extend((uint32_t)v, memop);
            return true;
        }
    }
    *val = mem_ld_slow(env, addr, MAKE_OI(memop & MO_OI_MEMOP, idx), 0);
    return true;
}

/* Guest store through the window (probe; slow path on its fault status). */
bool hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host;

    if (hamt.ia.off) {
        return false;    /* the interpreter takes the softmmu path */
    }
    host = interp_host(env, addr, size, idx);

    if (host != 0 &&
        (size == 4 ? hamt_probe_st32(host, val) :
         size == 2 ? hamt_probe_st16(host, val) : hamt_probe_st8(host, val)) == 0) {
        return true;
    }
    mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
    return true;
}
#else
/* Hosts without probes: setjmp accessors. */

/* Guest load through the window; faults refill or go to the slow path. */
bool hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                    unsigned idx, uint32_t *val)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt.jmpbuf;
    uintptr_t host;
    uint32_t v;

    if (hamt.ia.off) {
        return false;    /* the interpreter takes the softmmu path */
    }
    host = interp_host(env, addr, size, idx);

    if (host == 0) {
        *val = mem_ld_slow(env, addr, MAKE_OI(memop & MO_OI_MEMOP, idx), 0);
        return true;
    }
    /* the arguments as the recovery path finds them after the longjmp */
    hamt.saved.env = env;
    hamt.saved.addr = addr;
    hamt.saved.oi = MAKE_OI(memop & MO_OI_MEMOP, idx);
    if (cpu_setjmp(buf)) {
        hamt.recover = NULL;
        *val = mem_ld_slow(hamt.saved.env, hamt.saved.addr, hamt.saved.oi, 0);
        return true;
    }
    hamt.recover = buf;
    if (size == 1) {
        v = *(volatile uint8_t *)host;
    } else if (size == 2) {
        v = *(volatile uint16_t *)host;
    } else {
        v = *(volatile uint32_t *)host;
    }
    hamt.recover = NULL;
    *val = memop_extend(v, memop);
    return true;
}

/* Guest store through the window; faults refill or go to the slow path. */
bool hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt.jmpbuf;
    uintptr_t host;

    if (hamt.ia.off) {
        return false;    /* the interpreter takes the softmmu path */
    }
    host = interp_host(env, addr, size, idx);

    if (host == 0) {
        mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
        return true;
    }
    hamt.saved.env = env;
    hamt.saved.addr = addr;
    hamt.saved.val = val;
    hamt.saved.oi = MAKE_OI(memop & MO_SIZE, idx);
    if (cpu_setjmp(buf)) {
        hamt.recover = NULL;
        mem_st_slow(hamt.saved.env, hamt.saved.addr, hamt.saved.val, hamt.saved.oi, 0);
        return true;
    }
    hamt.recover = buf;
    if (size == 1) {
        *(volatile uint8_t *)host = (uint8_t)val;
    } else if (size == 2) {
        *(volatile uint16_t *)host = (uint16_t)val;
    } else {
        *(volatile uint32_t *)host = val;
    }
    hamt.recover = NULL;
    return true;
}

#endif /* HAMT_HAVE_PROBES */

/* Interpreter recovery: leave the faulting access for its slow path. */
NORETURN void hamt_interp_landing(void *arg)
{
    void **buf = hamt.recover;

    (void)arg;
    hamt.recover = NULL;
    cpu_longjmp(buf);
}
