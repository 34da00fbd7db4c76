/*
 * hamt86 - string instruction helpers (REP MOVS/STOS/LODS/SCAS/CMPS and
 * INS/OUTS in every form).
 *
 * Each helper takes the control word described in translator/string.c:
 *
 *   15  12 11   8 7   5  4  3    0
 *  +------+------+-----+---+------+
 *  | rep  | seg  |  0  |a16| size |
 *  +------+------+-----+---+------+
 *
 * eSI/eDI/eCX in env->regs are exact after every element, so a fault in
 * the middle leaves a restartable state (EIP still points at the
 * instruction).  At most STR_MAX_ITER elements run per call; the helper
 * then returns 1 and the translated code re-executes the instruction, so
 * a long REP cannot starve interrupts.  0 means the instruction is done.
 *
 * REP MOVS/STOS have a page-wise host-pointer fast path for plain RAM
 * (str_fast_span): with paging off through pflags, with paging on through
 * the softmmu TLB entry of the page (exact compare word: no MMIO, code,
 * watch or missing right).  Chunks never cross a page, so they cannot
 * fault, and the registers are committed after each chunk; a page whose
 * entry is missing takes one element through the C accessors (which fill
 * the TLB or raise the precise #PF) and the next chunk goes fast.  Every
 * memory path keeps that TLB valid (HAMT too: core/memory.c
 * helper_tlb_host); only a path with helpers_via_path (the cosim shadow)
 * goes element by element.
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "core/libc.h"
#include "translator/cc.h"

#define STR_MAX_ITER 4096
#define STR_REP_NONE 0u
#define STR_REP_E    1u
#define STR_REP_NE   2u

/* Decoded control word. */
typedef struct StrOp {
    unsigned size;
    uint32_t amask;    /* 0xffff or 0xffffffff */
    uint32_t src_base; /* source segment base */
    uint32_t dst_base; /* ES base */
    unsigned rep;
    int32_t step;      /* df * size */
} StrOp;

/* Decode ctl. */
static void str_decode(CPUX86State *env, uint32_t ctl, StrOp *o)
{
    o->size = ctl & 0xf;
    o->amask = (ctl & 0x10) ? 0xffffu : 0xffffffffu;
    o->src_base = env->segs[(ctl >> 8) & 7].base;
    o->dst_base = env->segs[R_ES].base;
    o->rep = (ctl >> 12) & 3;
    o->step = env->df * (int32_t)o->size;
}

/* Load size bytes from a linear address. */
static uint32_t str_ld(CPUX86State *env, uint32_t addr, unsigned size,
                       uintptr_t ra)
{
    switch (size) {
    case 1:
        return cpu_ldub(env, addr, ra);
    case 2:
        return cpu_lduw(env, addr, ra);
    default:
        return cpu_ldl(env, addr, ra);
    }
}

/* Store size bytes to a linear address. */
static void str_st(CPUX86State *env, uint32_t addr, uint32_t v, unsigned size,
                   uintptr_t ra)
{
    switch (size) {
    case 1:
        cpu_stb(env, addr, v, ra);
        break;
    case 2:
        cpu_stw(env, addr, v, ra);
        break;
    default:
        cpu_stl(env, addr, v, ra);
        break;
    }
}

/* Linear address seg_base + (reg & amask). */
static inline uint32_t str_addr(const StrOp *o, uint32_t base, uint32_t reg)
{
    return base + (reg & o->amask);
}

/* reg += step within amask. */
static inline void str_adv(const StrOp *o, uint32_t *reg)
{
    *reg = (*reg & ~o->amask) | ((*reg + (uint32_t)o->step) & o->amask);
}

/* Before an element: 1 = stop (count 0, return value in *ret). */
static inline bool str_stop(CPUX86State *env, const StrOp *o, unsigned n,
                            uint32_t *ret)
{
    if (o->rep == STR_REP_NONE) {
        if (n > 0) {
            *ret = 0;
            return true;
        }
        return false;
    }
    if ((env->regs[R_ECX] & o->amask) == 0) {
        *ret = 0;
        return true;
    }
    if (n >= STR_MAX_ITER) {
        *ret = 1;
        return true;
    }
    return false;
}

/* After an element: eCX -= 1 for REP forms. */
static inline void str_count(CPUX86State *env, const StrOp *o)
{
    if (o->rep != STR_REP_NONE) {
        uint32_t c = env->regs[R_ECX];

        env->regs[R_ECX] = (c & ~o->amask) | ((c - 1) & o->amask);
    }
}

/* Flags of a - b (SUB lazy state) and whether a REPE/REPNE stops on them. */
static bool str_cmp_flags(CPUX86State *env, const StrOp *o, uint32_t a,
                          uint32_t b)
{
    uint32_t m = o->size == 1 ? 0xffu : o->size == 2 ? 0xffffu : 0xffffffffu;
    uint32_t r = (a - b) & m;

    env->cc_dst = r;
    env->cc_src = b & m;
    env->cc_op = CC_OP_SUBB + cc_ot((int)o->size);
    if (o->rep == STR_REP_E) {
        return r != 0;
    }
    if (o->rep == STR_REP_NE) {
        return r == 0;
    }
    return false;
}

/*
 * Host page of one stream (source or destination) of a string helper call,
 * remembered for the whole call: a TLB entry can only change through a
 * flush, which no data access of the helper causes, so the source page
 * stays usable after the destination's fill evicted its entry (both pages
 * on the same TLB index).
 */
typedef struct StrPage {
    uint32_t page;     /* guest linear page, 1 = none */
    uint8_t *host;     /* host address of the page */
} StrPage;

/* Host address of the plain-RAM page holding linear addr, or NULL. */
static uint8_t *str_host_page(CPUX86State *env, uint32_t addr, bool store)
{
    uint32_t page = addr & GUEST_PAGE_MASK;
    const CPUTLBEntry *e;
    uint32_t cmp;

    if (!(env->cr[0] & CR0_PG)) {
        if (env->mem.pflags == NULL ||
            (env->mem.pflags[addr >> GUEST_PAGE_BITS] &
             (store ? PF_STORE_SLOW : PF_LOAD_SLOW))) {
            return NULL;
        }
        return (uint8_t *)env->mem.ram_base + page;
    }
    if (mem_path->helpers_via_path) {
        return NULL;   /* as core/memory.c's helper_tlb_host */
    }
    e = tlb_entry(env, cpu_mmu_index(env), addr);
    cmp = store ? e->addr_write : e->addr_read;
    if (cmp != page) {
        return NULL;   /* missing, no right, or TLB_* flags */
    }
    return (uint8_t *)(e->addend + (uintptr_t)(intptr_t)(int32_t)page);
}

/*
 * Fast path for REP MOVS/STOS on plain RAM: with 32-bit addressing, up to
 * the page boundary (in the direction of DF) can be done on host pointers
 * without any possible fault.  Returns how many elements of the chunk
 * starting at linear addr are safe (0: use the slow path), *p the host
 * pointer.
 */
static uint32_t str_fast_span(CPUX86State *env, const StrOp *o, uint32_t addr,
                              bool store, StrPage *pc, uint8_t **p)
{
    uint32_t off = addr & ~GUEST_PAGE_MASK, bytes;

    if (o->amask != 0xffffffffu || off + o->size > GUEST_PAGE_SIZE) {
        return 0;
    }
    if (pc->page != (addr & GUEST_PAGE_MASK)) {
        uint8_t *h = str_host_page(env, addr, store);
        if (h == NULL) {
            return 0;
        }
        pc->page = addr & GUEST_PAGE_MASK;
        pc->host = h;
    }
    bytes = o->step > 0 ? GUEST_PAGE_SIZE - off : off + o->size;
    *p = pc->host + off;
    return bytes / o->size;
}

/* Elements left for this call: eCX, and the per-call bound after n. */
static uint32_t str_budget(CPUX86State *env, const StrOp *o, unsigned n)
{
    uint32_t c = env->regs[R_ECX] & o->amask;

    return MIN(c, (uint32_t)(STR_MAX_ITER - n));
}

/* Copy one element of size bytes between host pointers.  The element is
 * read whole before it is written: d and s may overlap (EDI = ESI + 1),
 * and an inlined memcpy may copy byte by byte (MIPS, unaligned).
 * __builtin_memcpy: inlined even where -fno-builtin (the freestanding
 * builds) would make memcpy a call per element. */
static inline void str_copy1(uint8_t *d, const uint8_t *s, unsigned size)
{
    uint16_t h;
    uint32_t w;

    switch (size) {
    case 1:
        *d = *s;
        break;
    case 2:
        __builtin_memcpy(&h, s, 2);
        __builtin_memcpy(d, &h, 2);
        break;
    default:
        __builtin_memcpy(&w, s, 4);
        __builtin_memcpy(d, &w, 4);
        break;
    }
}

/*
 * Store k elements of size bytes, each the low bytes of b, from host
 * address pd in the direction of step.  Every element is the same, so the
 * order does not matter: one memset when its bytes are all equal (a zero
 * fill, as clearing a page with REP STOSD), else the elements upwards from
 * the lowest one.
 */
static void str_fill(uint8_t *pd, const uint8_t *b, uint32_t k, const StrOp *o)
{
    uint32_t bytes = k * o->size;
    uint8_t *lo = o->step > 0 ? pd : pd - (bytes - o->size);

    if (o->size == 1 || (b[0] == b[1] && (o->size == 2 ||
                                          (b[0] == b[2] && b[0] == b[3])))) {
        memset(lo, b[0], bytes);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        str_copy1(lo, b, o->size);
        lo += o->size;
    }
}

/*
 * Copy k elements from ps to pd in the direction of DF with the result of
 * x86's element-by-element order: a block move where the regions do not
 * overlap or the destination trails the source, else element by element
 * (EDI = ESI + 1 with DF = 0 replicates the first byte).
 */
static void str_copy_chunk(uint8_t *pd, const uint8_t *ps, uint32_t k,
                           const StrOp *o)
{
    uint32_t bytes = k * o->size;
    bool up = o->step > 0;
    const uint8_t *ls = up ? ps : ps - (bytes - o->size);
    uint8_t *ld = up ? pd : pd - (bytes - o->size);

    if (ld + bytes <= ls || ls + bytes <= ld || (up ? ld <= ls : ld >= ls)) {
        memmove(ld, ls, bytes);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        str_copy1(pd, ps, o->size);
        ps += o->step;
        pd += o->step;
    }
}

/* Commit k elements done on the fast path. */
static void str_commit(CPUX86State *env, const StrOp *o, uint32_t k,
                       bool src, bool dst)
{
    uint32_t delta = (uint32_t)o->step * k;

    if (src) {
        env->regs[R_ESI] += delta;
    }
    if (dst) {
        env->regs[R_EDI] += delta;
    }
    env->regs[R_ECX] -= k;
}

/* MOVS. */
uint32_t helper_rep_movs(CPUX86State *env, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    StrOp o;
    unsigned n;
    uint32_t ret = 0, v, k, ks, kd;
    uint8_t *ps, *pd;
    StrPage cs = { 1, NULL }, cd = { 1, NULL };

    str_decode(env, ctl, &o);
    for (n = 0; !str_stop(env, &o, n, &ret); n++) {
        if (o.rep != STR_REP_NONE) {
            ks = str_fast_span(env, &o, o.src_base + env->regs[R_ESI],
                               false, &cs, &ps);
            kd = ks ? str_fast_span(env, &o, o.dst_base + env->regs[R_EDI],
                                    true, &cd, &pd) : 0;
            k = MIN(MIN(ks, kd), str_budget(env, &o, n));
            if (k > 1) {
                str_copy_chunk(pd, ps, k, &o);
                str_commit(env, &o, k, true, true);
                n += k - 1;
                continue;
            }
        }
        v = str_ld(env, str_addr(&o, o.src_base, env->regs[R_ESI]), o.size, ra);
        str_st(env, str_addr(&o, o.dst_base, env->regs[R_EDI]), v, o.size, ra);
        str_adv(&o, &env->regs[R_ESI]);
        str_adv(&o, &env->regs[R_EDI]);
        str_count(env, &o);
    }
    return ret;
}

/* STOS. */
uint32_t helper_rep_stos(CPUX86State *env, uint32_t ctl)
{
    uintptr_t ra = GETPC();
    StrOp o;
    unsigned n;
    uint32_t ret = 0, k, v = env->regs[R_EAX];
    uint8_t *pd, b[4];
    StrPage cd = { 1, NULL };

    str_decode(env, ctl, &o);
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
    for (n = 0; !str_stop(env, &o, n, &ret); n++) {
        if (o.rep != STR_REP_NONE) {
            k = MIN(str_fast_span(env, &o, o.dst_base + env->regs[R_EDI],
                                  true, &cd, &pd),
                    str_budget(env, &o, n));
            if (k > 1) {
                str_fill(pd, b, k, &o);
                str_commit(env, &o, k, false, true);
                n += k - 1;
                continue;
            }
        }
        str_st(env, str_addr(&o, o.dst_base, env->regs[R_EDI]),
               env->regs[R_EAX], o.size, ra);
        str_adv(&o, &env->regs[R_EDI]);
        str_count(env, &o);
    }
    return ret;
}

/* Write size bytes of v into EAX (AL / AX / EAX). */
static void str_set_eax(CPUX86State *env, unsigned size, uint32_t v)
{
    uint32_t m = size == 1 ? 0xffu : size == 2 ? 0xffffu : 0xffffffffu;

    env->regs[R_EAX] = (env->regs[R_EAX] & ~m) | (v & m);
}

/* One element of a string op without a fast path; true ends the loop early. */
typedef bool StrElemFn(CPUX86State *env, const StrOp *o, uintptr_t ra);

/* Run elem once per element under the REP control of ctl. */
static inline uint32_t str_loop(CPUX86State *env, uint32_t ctl, uintptr_t ra,
                                StrElemFn *elem)
{
    StrOp o;
    unsigned n;
    uint32_t ret = 0;

    str_decode(env, ctl, &o);
    for (n = 0; !str_stop(env, &o, n, &ret); n++) {
        if (elem(env, &o, ra)) {
            return 0;
        }
    }
    return ret;
}

/* One LODS element. */
static inline bool str_lods1(CPUX86State *env, const StrOp *o, uintptr_t ra)
{
    uint32_t v = str_ld(env, str_addr(o, o->src_base, env->regs[R_ESI]),
                        o->size, ra);

    str_set_eax(env, o->size, v);
    str_adv(o, &env->regs[R_ESI]);
    str_count(env, o);
    return false;
}

/* LODS. */
uint32_t helper_rep_lods(CPUX86State *env, uint32_t ctl)
{
    return str_loop(env, ctl, GETPC(), str_lods1);
}

/* One SCAS element; true when REPE / REPNE stops on ZF. */
static inline bool str_scas1(CPUX86State *env, const StrOp *o, uintptr_t ra)
{
    uint32_t v = str_ld(env, str_addr(o, o->dst_base, env->regs[R_EDI]),
                        o->size, ra);

    str_adv(o, &env->regs[R_EDI]);
    str_count(env, o);
    return str_cmp_flags(env, o, env->regs[R_EAX], v);
}

/* SCAS (REPE / REPNE stop on ZF). */
uint32_t helper_rep_scas(CPUX86State *env, uint32_t ctl)
{
    return str_loop(env, ctl, GETPC(), str_scas1);
}

/* One CMPS element; true when REPE / REPNE stops on ZF. */
static inline bool str_cmps1(CPUX86State *env, const StrOp *o, uintptr_t ra)
{
    uint32_t a, b;

    a = str_ld(env, str_addr(o, o->src_base, env->regs[R_ESI]), o->size, ra);
    b = str_ld(env, str_addr(o, o->dst_base, env->regs[R_EDI]), o->size, ra);
    str_adv(o, &env->regs[R_ESI]);
    str_adv(o, &env->regs[R_EDI]);
    str_count(env, o);
    return str_cmp_flags(env, o, a, b);
}

/* CMPS (REPE / REPNE stop on ZF). */
uint32_t helper_rep_cmps(CPUX86State *env, uint32_t ctl)
{
    return str_loop(env, ctl, GETPC(), str_cmps1);
}

/* One INS element: ES:[eDI] = port DX.  The store is probed first (a
 * faulting destination must not consume device data): load-then-store of
 * the current value is the probe. */
static inline bool str_ins1(CPUX86State *env, const StrOp *o, uintptr_t ra)
{
    uint32_t addr = str_addr(o, o->dst_base, env->regs[R_EDI]), v;

    str_st(env, addr, str_ld(env, addr, o->size, ra), o->size, ra);
    v = io_read((uint16_t)env->regs[R_EDX], o->size);
    str_st(env, addr, v, o->size, ra);
    str_adv(o, &env->regs[R_EDI]);
    str_count(env, o);
    return false;
}

/* INS. */
uint32_t helper_rep_ins(CPUX86State *env, uint32_t ctl)
{
    return str_loop(env, ctl, GETPC(), str_ins1);
}

/* One OUTS element: port DX = seg:[eSI]. */
static inline bool str_outs1(CPUX86State *env, const StrOp *o, uintptr_t ra)
{
    uint32_t v = str_ld(env, str_addr(o, o->src_base, env->regs[R_ESI]),
                        o->size, ra);

    io_write((uint16_t)env->regs[R_EDX], v, o->size);
    str_adv(o, &env->regs[R_ESI]);
    str_count(env, o);
    return false;
}

/* OUTS. */
uint32_t helper_rep_outs(CPUX86State *env, uint32_t ctl)
{
    return str_loop(env, ctl, GETPC(), str_outs1);
}
