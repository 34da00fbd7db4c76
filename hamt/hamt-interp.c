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


/* Host address of the interpreter access, or 0 if it must take the slow
 * path directly (page crossing, paging-off access beyond RAM). */
static inline uintptr_t interp_host(CPUX86State *env, uint32_t addr,
                                    unsigned size, unsigned idx)
{
    uintptr_t base = env->hamt_window[idx];

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
uint32_t hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                        unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host = interp_host(env, addr, size, idx);
    uint64_t v;

    if (host != 0) {
        v = size == 4 ? hamt_probe_ld32(host) :
            size == 2 ? hamt_probe_ld16(host) : hamt_probe_ld8(host);
        if (likely(v != HAMT_PROBE_FAULT)) {
            return memop_extend((uint32_t)v, memop);
        }
    }
    return mem_ld_slow(env, addr, MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx), 0);
}

/* Guest store through the window (probe; slow path on its fault status). */
void hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    uintptr_t host = interp_host(env, addr, size, idx);

    if (host != 0 &&
        (size == 4 ? hamt_probe_st32(host, val) :
         size == 2 ? hamt_probe_st16(host, val) : hamt_probe_st8(host, val)) == 0) {
        return;
    }
    mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
}
#else
/* Hosts without probes: setjmp accessors. */

/* Guest load through the window; faults refill or go to the slow path. */
uint32_t hamt_interp_ld(CPUX86State *env, uint32_t addr, unsigned memop,
                        unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt.jmpbuf;
    uintptr_t host = interp_host(env, addr, size, idx);
    uint32_t v;

    if (host == 0) {
        return mem_ld_slow(env, addr, MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx), 0);
    }
    /* the arguments as the recovery path finds them after the longjmp */
    hamt.saved.env = env;
    hamt.saved.addr = addr;
    hamt.saved.oi = MAKE_OI(memop & (MO_SIZE | MO_SIGN), idx);
    if (cpu_setjmp(buf)) {
        hamt.recover = NULL;
        return mem_ld_slow(hamt.saved.env, hamt.saved.addr, hamt.saved.oi, 0);
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
    return memop_extend(v, memop);
}

/* Guest store through the window; faults refill or go to the slow path. */
void hamt_interp_st(CPUX86State *env, uint32_t addr, uint32_t val,
                    unsigned memop, unsigned idx)
{
    unsigned size = 1u << (memop & MO_SIZE);
    void **buf = hamt.jmpbuf;
    uintptr_t host = interp_host(env, addr, size, idx);

    if (host == 0) {
        mem_st_slow(env, addr, val, MAKE_OI(memop & MO_SIZE, idx), 0);
        return;
    }
    hamt.saved.env = env;
    hamt.saved.addr = addr;
    hamt.saved.val = val;
    hamt.saved.oi = MAKE_OI(memop & MO_SIZE, idx);
    if (cpu_setjmp(buf)) {
        hamt.recover = NULL;
        mem_st_slow(hamt.saved.env, hamt.saved.addr, hamt.saved.val, hamt.saved.oi, 0);
        return;
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
