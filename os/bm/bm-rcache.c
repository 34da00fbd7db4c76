/*
 * hamt86 - bare metal: the refill cache, a second TLB level in software
 * in front of HAMT's table (both boards; the board header gives the pair
 * size, the ASID width and the G bit).
 *
 * The TLB-refill vectors (os/bm/mips-entry.c, os/bm/la-entry.c) look here
 * first, with their scratch registers only (no frame, no C): slot
 * (va >> BM_RC_PAIR_BITS) % BM_RC_SLOTS holds the TLB entry pair a refill
 * from HAMT's table wrote, tagged with the pair's base | ASID.  A matching
 * slot is written to the TLB as is.  Every driver operation that drops
 * host TLB entries (os/bm/mips-hamt.c, os/bm/la-hamt.c) drops the slots
 * it would match too, so the cache never holds what the TLB may not: a
 * hardware second-level TLB (a Loongson's VTLB/FTLB) kept coherent by the
 * same invalidations.
 *
 *   slot (32 bytes):  tag | lo0 | lo1 | pad
 *   tag = pair base (va with its low BM_RC_PAIR_BITS bits clear) | ASID;
 *   BM_RC_EMPTY (bit 12) is in neither part, so it matches no access
 */
#include "core/os.h"
#include "hamt/hamt.h"
#include "os/bm/bm.h"

_Static_assert(BM_RC_PAIR_BITS > 12 && BM_RC_ASID_MASK < BM_RC_EMPTY,
               "BM_RC_EMPTY is in neither the pair base nor the ASID");

BMRcSlot bm_rcache[BM_RC_SLOTS] __attribute__((aligned(32)));
/* The vectors count their hits here: HAMT's "refills from the table". */
uint64_t *const bm_rcache_hits = &hamt_stats.tlb_hits;

/* Forget va's pair, whatever its ASID or G. */
void bm_rc_kill_va(uint64_t va)
{
    BMRcSlot *s = bm_rc_slot(va);

    if ((s->tag ^ va) >> BM_RC_PAIR_BITS == 0) {
        s->tag = BM_RC_EMPTY;
    }
}

/* Forget the non-global pairs of asid (0: of every ASID), and the global
 * ones if with_global. */
void bm_rc_kill_all(unsigned asid, bool with_global)
{
    for (unsigned i = 0; i < BM_RC_SLOTS; i++) {
        BMRcSlot *s = &bm_rcache[i];
        bool g = (s->lo0 & s->lo1 & BM_RC_G) != 0;

        if (g ? with_global :
            asid == 0 || (s->tag & BM_RC_ASID_MASK) == asid) {
            s->tag = BM_RC_EMPTY;
        }
    }
}
