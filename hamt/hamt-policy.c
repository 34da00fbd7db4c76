/*
 * hamt86 - HAMT: the adaptive policy (docs/HAMT.md "Adaptive fill
 * policy"), kept apart from the mechanism as QEMU keeps
 * tlb_mmu_resize_locked apart from the fill: the fill-pressure estimate,
 * per-site weights of slow-path entries, the hot set of guest
 * instructions, and their retranslation with the inline softmmu access.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/tb-smc.h"
#include "hamt/hamt-internal.h"

/* A site sent to the slow path this often is patched to always take it. */
#define HAMT_PATCH_THRESHOLD 64
/*
 * Fill pressure, from counts only (issue 16 item 6; no clock: the verdict
 * is the same on every host and at every load).  The host faults on
 * windows are taken in groups of HAMT_VERDICT_FAULTS.  A group is a
 * *pressure window* when at least half of its faults did not pay: a fault
 * that mapped nothing (slow path, guest #PF, SMC, unaligned), a refill of a
 * unit its window mapped before (a flush or eviction took it away: churn,
 * not first touch), or a fill that evicted a live mapping to make room:
 * those fills were not reused long enough to pay for a host fault and the
 * syscalls around it.
 * While the last group was one, a JIT site that refills (churns)
 * HAMT_CHURN_REFILLS times is retranslated with the inline softmmu access.
 * On 16 KiB hosts a unit whose pages are not all walked yet takes a split
 * fault and its slow path maps it: after a flush that cycle is churn too.
 *
 *   faults:  | 256 | 256 | 256 | ...      verdict at the end of each group
 *   group:   (no fill + refills + evictions) * 2 >= faults  ->  pressure_high
 */
#define HAMT_VERDICT_FAULTS 256
#define HAMT_CHURN_REFILLS  4

/*
 * Split-unit mode, per MMU index (units larger than a guest page only:
 * LoongArch's 16 KiB, --mmu=hamt16k).  A unit holding a page the guest
 * never touched (so its A bit is clear), a page-table frame or an unmapped
 * page cannot be mapped, and every access to it is a "split unit" host
 * fault; the stack's unit is the usual one, so nearly every TB has such a
 * site, and a site reaches its retranslation threshold only after
 * HAMT_CHURN_REFILLS faults, by when the next fork generation or CR3 load
 * has made new sites fault (mem_fork: 830 sites faulting 4 times each).
 * The verdict is taken per group of host faults, from counts only:
 *
 *   enter idx:  split faults of idx * 4 >= group faults * 3
 *   leave idx:  split faults of idx * 4 <  group faults, for
 *               HAMT_SPLIT_CALM complete groups in a row
 *
 * While idx is in the mode, a split fault of a JIT site of idx
 * retranslates that site with the inline softmmu access at once
 * (site_weight: the full threshold), one host fault per site instead of
 * HAMT_CHURN_REFILLS or more, and unit_fill_after_slow does not peek the
 * units of idx.  Sites that do not split-fault keep their window access,
 * so a hot loop whose units map keeps HAMT (lowering every new TB of idx
 * with the softmmu access, or retranslating a split site's whole TB, lost
 * it: docs/BENCH.md "Split-unit mode on 16 KiB units").
 */
#define HAMT_SPLIT_CALM 2
/*
 * The mode is also entered early, by the same rule on the group so far
 * once it has HAMT_SPLIT_EARLY faults: every TB translated before it keeps a
 * window access on the stack's split unit and is retranslated once that
 * faults (hamt_hot_insn), so a program's start-up (mem_syscall: 176 TBs)
 * should not wait for a whole group.
 */
#define HAMT_SPLIT_EARLY 64

/* Whether split-unit mode can be on at all: units larger than a guest
 * page (4 KiB units hold one page), and the adaptive policy on. */
static bool split_possible(void)
{
    return hamt.unit_size > GUEST_PAGE_SIZE && hamt_opt_adapt;
}

/* Whether s split faults of an index among n faults of a group enter the
 * mode (3/4 of them). */
static bool split_dominant(uint32_t s, uint32_t n)
{
    return s * 4 >= n * 3;
}

/* Enter split-unit mode for idx: s of the group's n faults were split. */
static void split_enter(HamtPolicy *p, unsigned idx, uint32_t s, uint32_t n)
{
    p->split_calm[idx] = 0;
    if (!(p->split_mode & (1u << idx))) {
        p->split_mode |= 1u << idx;
        c_note_sync();
        hamt_stats.split_mode_on++;
        DEBUG_LOG(LOG_MMU, "hamt: split-unit mode on for idx %u "
                  "(%u of %u faults)\n", idx, s, n);
    }
}

/* Group end: enter or leave the split-unit mode of each MMU index. */
static void split_verdict(HamtPolicy *p)
{
    for (unsigned idx = 0; idx < HAMT_NB_IDX; idx++) {
        uint32_t s = p->v_split[idx];
        bool on = p->split_mode & (1u << idx);

        p->v_split[idx] = 0;
        if (!split_possible()) {
            continue;       /* 4 KiB units: no unit holds two pages */
        }
        if (split_dominant(s, p->v_faults)) {
            split_enter(p, idx, s, p->v_faults);
        } else if (on && s * 4 < p->v_faults &&
                   ++p->split_calm[idx] >= HAMT_SPLIT_CALM) {
            p->split_mode &= ~(1u << idx);
            c_note_sync();
            p->split_calm[idx] = 0;
            hamt_stats.split_mode_off++;
            DEBUG_LOG(LOG_MMU, "hamt: split-unit mode off for idx %u "
                      "(%u of %u faults)\n", idx, s, p->v_faults);
        } else if (s * 4 >= p->v_faults) {
            p->split_calm[idx] = 0;
        }
    }
}

/* A split fault of MMU index idx on linear unit vunit: remember the unit. */
void policy_note_split(unsigned idx, uint32_t vunit)
{
    HamtPolicy *p = &hamt.pol;

    if (idx < HAMT_NB_IDX) {
        p->split_units[idx][p->split_next[idx]++ % ARRAY_SIZE(p->split_units[idx])] =
            vunit + 1;
    }
}

/* Split-unit mode of idx, and linear unit vunit is not mapped in idx's
 * window and took one of idx's last split faults. */
static bool split_unit_known(unsigned idx, uint32_t vunit)
{
    const HamtPolicy *p = &hamt.pol;

    if (idx >= HAMT_NB_IDX || !split_mode(idx)) {
        return false;
    }
    for (unsigned k = 0; k < ARRAY_SIZE(p->split_units[idx]); k++) {
        if (p->split_units[idx][k] == vunit + 1) {
            return map_find(hamt_win(hamt.cur_ctx, idx), vunit) < 0;
        }
    }
    return false;
}

/*
 * Lowering in split-unit mode: an access whose unit is known now and is a
 * recent split unit gets the inline softmmu access at once, instead of a
 * window access that faults and retranslates its TB.  Known: a constant
 * address (a global), or an SS-relative one (MO_STACK) taken as the unit
 * of SS:ESP at translation time (the stack's unit usually holds a page the
 * guest never touched below the stack, so it cannot be mapped).
 */
static bool split_access(unsigned idx, unsigned memop, const uint32_t *addr)
{
    const CPUX86State *env = hamt.env;
    uint32_t lin;

    if (addr != NULL) {
        lin = *addr;
    } else if ((memop & MO_STACK) && env != NULL) {
        lin = env->segs[R_SS].base + env->regs[R_ESP];
    } else {
        return false;
    }
    if (!split_unit_known(idx, lin >> hamt.unit_bits)) {
        return false;
    }
    if (addr != NULL) {
        hamt_stats.split_const++;
    } else {
        hamt_stats.split_stack++;
    }
    return true;
}

/* Count one host fault on a window (outcome fill) toward the verdict. */
void policy_count_fault(const HamtFill *fill)
{
    HamtPolicy *p = &hamt.pol;

    p->v_faults++;
    p->v_churn += fill->churn || fill->outcome != FILL_OK;
    if (fill->split && fill->idx < HAMT_NB_IDX) {
        p->v_split[fill->idx]++;
        if (p->v_faults >= HAMT_SPLIT_EARLY && split_possible() &&
            !split_mode(fill->idx) &&
            split_dominant(p->v_split[fill->idx], p->v_faults)) {
            split_enter(p, fill->idx, p->v_split[fill->idx], p->v_faults);
        }
    }
    if (p->v_faults >= HAMT_VERDICT_FAULTS) {
        uint64_t evicted = hamt_stats.evictions - p->v_evict0;

        p->pressure_high = (p->v_churn + evicted) * 2 >= p->v_faults;
        c_note_sync();
        hamt_stats.pressure_windows += p->pressure_high;
        split_verdict(p);
        p->v_faults = 0;
        p->v_churn = 0;
        p->v_evict0 = hamt_stats.evictions;
    }
}

/* Slow-path entries per JIT site (direct-mapped by host PC, outside the
 * code cache: writes there are costly under qemu-user), weighted
 * (HAMT_HIT_WEIGHT per entry, 1 per transient split). */
#define HAMT_HIT_WEIGHT 16
/* Host faults of a store beside code (HamtFill.code_data) before its site
 * is retranslated: the unit stays read-only while it holds code, so the
 * site would fault on every store; the inline softmmu store with its
 * code-map probe costs ~25 host instructions (docs/HAMT.md). */
#define HAMT_CODE_DATA_FAULTS 4
#define HAMT_CODE_DATA_WEIGHT \
    (HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT / HAMT_CODE_DATA_FAULTS)
/* Weight of a churn refill (or churn split fault) under fill pressure. */
#define HAMT_CHURN_WEIGHT \
    (HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT / HAMT_CHURN_REFILLS)
/* Add weight to the site at pc; true when it just reached the
 * retranslation threshold (crossed it with this weight). */
static bool site_hit(uintptr_t pc, uint32_t weight)
{
    unsigned i = (unsigned)((pc >> 2) * 0x9e3779b1u) >> 20;

    if (hamt.pol.sites[i].pc != pc) {
        hamt.pol.sites[i].pc = pc;
        hamt.pol.sites[i].hits = 0;
    }
    hamt.pol.sites[i].hits += weight;
    return hamt.pol.sites[i].hits >= HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT &&
           hamt.pol.sites[i].hits - weight < HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT;
}

/* Guest physical address of the instruction at eip of tb. */
static uint32_t insn_phys(const TranslationBlock *tb, uint32_t eip)
{
    uint32_t off = (tb->phys_pc & ~GUEST_PAGE_MASK) + (eip - tb->pc);

    if (off < GUEST_PAGE_SIZE || tb->phys_page2 == ~0u) {
        return tb->phys_pc + (eip - tb->pc);
    }
    return tb->phys_page2 + (off - GUEST_PAGE_SIZE);
}

/* Slot of phys in hamt.pol.hot_set (its own or the empty one ending the probe). */
static unsigned hot_slot(uint32_t phys)
{
    unsigned i = (phys * 0x9e3779b1u) >> (32 - HOT_BITS);

    while (hamt.pol.hot_set[i] != 0 && hamt.pol.hot_set[i] != phys + 1) {
        i = (i + 1) & ((1u << HOT_BITS) - 1);
    }
    return i;
}

/* The hot-set slot of the insn at eip of tb, or -1 if it is not there. */
static int hot_find(const TranslationBlock *tb, uint32_t eip)
{
    uint32_t phys;
    unsigned i;

    if (hamt.pol.hot_count == 0 || tb == NULL) {
        return -1;
    }
    phys = insn_phys(tb, eip);
    i = hot_slot(phys);
    return hamt.pol.hot_set[i] == phys + 1 ? (int)i : -1;
}

/* Lowering: emit the softmmu inline access (MMU index idx, memop,
 * constant address addr or NULL) for the insn at eip of tb?  A hot
 * fallback site, or an access to a known split unit (split_access). */
bool hamt_hot_insn(const TranslationBlock *tb, uint32_t eip, unsigned idx,
                   unsigned memop, const uint32_t *addr)
{
    int i = hot_find(tb, eip);

    if (i >= 0) {
        return !hamt.pol.hot_cd[i];
    }
    return split_access(idx, memop, addr);
}

/* Lowering: emit the stores beside code (MMU index idx) for the insn at
 * eip of tb?  Reserves idx's code-data region. */
bool hamt_cd_insn(const TranslationBlock *tb, uint32_t eip, unsigned idx)
{
    int i = hot_find(tb, eip);

    if (i < 0 || !hamt.pol.hot_cd[i]) {
        return false;
    }
    cd_region_ensure(idx);
    return true;
}

/* The guest physical address of the instruction whose code holds host
 * pc, false if none. */
static bool site_insn_phys(uintptr_t pc, uint32_t *phys)
{
    const TranslationBlock *tb = tb_find_by_host_pc(pc);
    uint32_t off;
    int i;

    if (tb == NULL || tb->icount == 0 || tb->invalid) {
        return false;
    }
    off = (uint32_t)(pc - (uintptr_t)tb->host_code);
    for (i = tb->icount - 1; i > 0 && tb->insn_host_off[i] > off; i--) {
        continue;
    }
    *phys = insn_phys(tb, tb->insn_eip[i]);
    return true;
}

/*
 * The JIT site at pc keeps going to the slow path: remember its guest
 * instruction and invalidate the TBs holding it, so it is retranslated
 * with an inline softmmu access.  Safe in the handler: the fault came from
 * generated code, which holds no TB-structure state; the running TB's code
 * stays in the cache until it exits (its site is patched to the stub).
 */
static void hot_site_add(CPUX86State *env, uintptr_t pc, bool cd)
{
    uint32_t phys;
    unsigned i;

    if (hamt.pol.hot_count >= (1u << HOT_BITS) / 2 ||
        !site_insn_phys(pc, &phys)) {
        return;
    }
    i = hot_slot(phys);
    if (hamt.pol.hot_set[i] == 0) {
        hamt.pol.hot_set[i] = phys + 1;
        hamt.pol.hot_cd[i] = cd;
        hamt.pol.hot_count++;
    } else {
        hamt.pol.hot_cd[i] = false;   /* both kinds: the softmmu one */
    }
    hamt_stats.retranslations++;
    tb_invalidate_phys_range(env, phys, phys + 1);
}

/*
 * Weight of a slow-path entry (not a guest #PF: the softmmu would raise it
 * too) toward its site's retranslation: under fill pressure every one
 * counts 1/HAMT_CHURN_REFILLS of the threshold (most fills of the last
 * group did not pay, and a unit not mappable "yet" may stay so: a 16 KiB
 * unit with a never-accessed page); a store beside code counts
 * 1/HAMT_CODE_DATA_FAULTS; otherwise a unit that a later fill may make
 * mappable counts 1/16 of a plain fallback.  A split fault of an MMU
 * index in split-unit mode (above) counts the whole threshold.
 */
static uint32_t site_weight(const HamtFill *fill)
{
    /* not a store into code: invalidating the running TB now would hide
     * it from that store's SMC check, which restarts it when the store
     * rewrites its own next instructions (tests/guest pg_alias) */
    if (fill->split && !fill->code_store && fill->idx < HAMT_NB_IDX &&
        split_mode(fill->idx)) {
        hamt_stats.split_sites++;
        return HAMT_PATCH_THRESHOLD * HAMT_HIT_WEIGHT;   /* at once */
    }
    if (hamt.pol.pressure_high) {
        return HAMT_CHURN_WEIGHT;
    }
    if (fill->code_data) {
        return HAMT_CODE_DATA_WEIGHT;
    }
    return fill->transient ? 1 : HAMT_HIT_WEIGHT;
}

/* Send the JIT site at pc to its stub from now on (patch) and have its TB
 * retranslated with the inline softmmu access (hot set), or with the
 * store beside code (cd). */
static void site_retranslate(CPUX86State *env, uintptr_t pc, uintptr_t stub,
                             bool cd)
{
    hamt_stats.patched_sites++;
    host_native_backend->patch_site(pc, stub);
    hot_site_add(env, pc, cd);
}

/* The site at pc is a store beside code already (its window has no
 * code-data region: it faults like a window store, and must not be
 * patched). */
static bool site_is_cd(uintptr_t pc)
{
    uint32_t phys;
    unsigned i;

    if (hamt.pol.hot_count == 0 || !site_insn_phys(pc, &phys)) {
        return false;
    }
    i = hot_slot(phys);
    return hamt.pol.hot_set[i] == phys + 1 && hamt.pol.hot_cd[i];
}

/* A store beside code at pc faulted misaligned (MIPS): retranslate its
 * instruction with the inline softmmu access instead. */
void policy_cd_unaligned(CPUX86State *env, uintptr_t pc)
{
    if (hamt_opt_adapt) {
        hot_site_add(env, pc, false);
    }
}

/* The JIT site at pc (slow-path stub stub) took the slow path after fill:
 * weigh it, and past the threshold patch and retranslate it. */
void policy_slow_site(CPUX86State *env, uintptr_t pc, uintptr_t stub,
                      const HamtFill *fill)
{
    if (fill->outcome == FILL_SLOW && hamt_opt_adapt &&
        !site_is_cd(pc) && site_hit(pc, site_weight(fill))) {
        /* a store beside code: through the code-data region when the
         * driver has one (docs/HAMT.md), else the inline softmmu */
        site_retranslate(env, pc, stub, fill->code_data &&
                         hamt.drv->cd_reserve != NULL && smc_state.bytes != NULL);
    }
}

/*
 * The JIT site at pc refilled (fill->outcome FILL_OK).  A refill storm:
 * this site keeps remapping units that flushes took away.  The unit is
 * mapped now, so the retried access would work; send the site to its stub
 * from now on and retranslate it with the inline softmmu access, whose
 * refill costs a walk, not a host fault and a syscall.  True: done; the
 * patch may have replaced the access itself (LoongArch: b stub; MIPS: nop
 * in the delay slot of the branch), so this access must go to the stub
 * too.
 */
bool policy_churn_site(CPUX86State *env, uintptr_t pc, uintptr_t stub,
                       const HamtFill *fill)
{
    if (!fill->churn || !hamt.pol.pressure_high || !hamt_opt_adapt ||
        site_is_cd(pc) || !site_hit(pc, HAMT_CHURN_WEIGHT)) {
        return false;
    }
    hamt_stats.churn_sites++;
    site_retranslate(env, pc, stub, false);
    return true;
}
