/*
 * hamt86 - per code page bitmaps of the bytes live TBs cover (core/tb.c's
 * SMC filter, QEMU's SMC_BITMAP_USE_THRESHOLD idea).
 *
 *   page with TBs, no bitmap   every store runs the page-list walk
 *        | SMC_BITMAP_THRESHOLD stores that hit no TB
 *        v
 *   page with a bitmap         a store whose bytes have no bit set goes
 *                              through after one bitmap test; a store that
 *                              hits a set bit invalidates and drops the
 *                              bitmap (rebuilt after the threshold again)
 *
 * A bitmap is a superset of the covered bytes: a TB added to the page sets
 * its bits, an invalidated TB leaves them set until the bitmap is dropped.
 *
 * The code map (issue 14 item 1) is the same idea over all of guest RAM,
 * kept always, one bit per 4-byte word, so that generated code can test
 * it: the slow path of an inline softmmu store whose TLB entry has only
 * TLB_NOTDIRTY set (a code page, not a PF_PT page: TLB_PT) loads the bit
 * of each stored word and, when none is set, stores inline (host-common/
 * lower-ops.c, LowerHost.store_notdirty):
 *
 *   host RAM  guest_ram ........ h ............................
 *   map       map[(h - guest_ram) >> 5] bit ((h >> 2) & 7)
 *             = *(env->smc_map_bias + (h >> 5))   (guest_ram 32-aligned)
 *
 * It is a superset too: core/tb.c sets a TB's words when it joins a page,
 * clears a page's bits when its last TB leaves, and rebuilds them from the
 * page's TB list after every store that walked the list.
 *
 * The code bytes (optional, SmcState.bytes, attached by a memory path
 * that can map them again: hamt-linux.c) are the same information laid
 * out like guest RAM, a byte per guest byte, nonzero for the bytes a TB
 * covers (exactly, maintained with the code map).  HAMT maps a frame's
 * code bytes beside each window's alias of that frame, so a store site
 * finds them at a fixed distance from its guest-virtual address
 * (docs/HAMT.md "Stores beside translated code").
 */
#ifndef HAMT86_TB_SMC_H
#define HAMT86_TB_SMC_H

#include "core/base.h"

/* Stores that hit no TB before a page gets a bitmap. */
#define SMC_BITMAP_THRESHOLD 10
/* Bitmaps in the pool (each GUEST_PAGE_SIZE / 8 bytes). */
#define SMC_BITMAP_POOL      1024

#define SMC_WORDS (GUEST_PAGE_SIZE / 32)
/* Code map bytes per page (a bit per 4-byte word). */
#define SMC_MAP_PAGE (GUEST_PAGE_SIZE / 32)

/*
 *   SmcState.slot[page]   0: no bitmap; n: pool bitmap n - 1
 *   SmcState.writes[page] stores seen without a bitmap (saturates)
 *   SmcState.pool         SMC_BITMAP_POOL bitmaps of GUEST_PAGE_SIZE bits,
 *                         free ones chained through their first word
 */
typedef struct SmcState {
    uint8_t *map;           /* the code map: npages * SMC_MAP_PAGE bytes + 8 */
    uintptr_t map_bias;     /* env->smc_map_bias */
    uint16_t *slot;
    uint8_t *writes;
    uint32_t npages;
    uint32_t (*pool)[SMC_WORDS];
    uint32_t free_head;     /* 1 + index of the first free bitmap, 0: none */
    uint8_t *bytes;         /* the code bytes (npages pages), or NULL */
} SmcState;

extern SmcState smc_state;

/*
 * The inline test of the store paths (softmmu NOTDIRTY): true when page
 * idx has a bitmap and the store of size bytes (1..16) at page offset off,
 * within the page, covers no set bit.
 */
static inline bool smc_store_passes(uint32_t idx, uint32_t off, unsigned size)
{
    const uint32_t *bm;
    uint64_t w, mask;

    if (idx >= smc_state.npages || smc_state.slot[idx] == 0 || size > 16 ||
        off + size > GUEST_PAGE_SIZE) {
        return false;
    }
    bm = smc_state.pool[smc_state.slot[idx] - 1];
    w = bm[off >> 5];
    if ((off >> 5) + 1 < SMC_WORDS) {
        w |= (uint64_t)bm[(off >> 5) + 1] << 32;
    }
    mask = ((1ull << size) - 1) << (off & 31);
    return (w & mask) == 0;
}

/* Does the code map have no bit set for the words of [pa, pa + size)? */
static inline bool smc_map_passes(uint32_t pa, unsigned size)
{
    uint32_t w;

    if ((pa >> GUEST_PAGE_BITS) >= smc_state.npages || size == 0) {
        return false;
    }
    for (w = pa >> 2; w <= (pa + size - 1) >> 2; w++) {
        if (smc_state.map[w >> 3] & (1u << (w & 7))) {
            return false;
        }
    }
    return true;
}

/* Allocate the per-page arrays, the pool and the code map (over guest RAM
 * of npages pages, at host address ram). */
void smc_init(uint32_t npages, const uint8_t *ram);
/* Keep the code bytes at bytes (npages pages, zeroed) from now on. */
void smc_bytes_attach(uint8_t *bytes);
/* Set the code map's bits of the words of physical [s, e) (one page). */
void smc_map_cover(uint32_t s, uint32_t e);
/* Clear the code map's bits of page idx. */
void smc_map_clear(uint32_t idx);
/* Forget every bitmap (tb_flush). */
void smc_flush(void);
/* The page idx lost its last TB (or was hit): drop its bitmap and count. */
void smc_page_drop(uint32_t idx);
/* A TB now covers page bytes [s, e) (offsets in the page) of page idx. */
void smc_page_cover(uint32_t idx, uint32_t s, uint32_t e);
/*
 * A store of [off, off + size) into page idx (within the page): 1 when the
 * bitmap says it hits no TB, 0 when it may (or there is no bitmap yet),
 * -1 when there is none and the page just reached the threshold: the
 * caller builds one (smc_page_new, smc_page_cover) after its walk.
 */
int smc_page_test(uint32_t idx, uint32_t off, unsigned size);
/* Start an empty bitmap for page idx; false when the pool is used up. */
bool smc_page_new(uint32_t idx);

#endif
