/*
 * hamt86 - per code page bitmaps of translated bytes (core/tb-smc.h).
 */
#include "core/tb-smc.h"
#include "core/libc.h"
#include "core/mem.h"
#include "core/os.h"

SmcState smc_state;

BUILD_ASSERT(SMC_BITMAP_POOL < 0xffff);
BUILD_ASSERT(SMC_BITMAP_THRESHOLD < 0xff);

/* Put every bitmap on the free list. */
static void smc_pool_reset(void)
{
    for (uint32_t i = 0; i < SMC_BITMAP_POOL; i++) {
        smc_state.pool[i][0] = i + 1 < SMC_BITMAP_POOL ? i + 2 : 0;
    }
    smc_state.free_head = 1;
}

/* Allocate the per-page arrays, the pool and the code map. */
void smc_init(uint32_t npages, const uint8_t *ram)
{
    if ((uintptr_t)ram & 31) {
        os_fatal(1, "guest RAM at %p is not 32-byte aligned (code map)",
                 (const void *)ram);
    }
    smc_state.npages = npages;
    /* + 8: LoongArch's probe loads a halfword at the last byte */
    smc_state.map = os_zalloc((size_t)npages * SMC_MAP_PAGE + 8);
    smc_state.map_bias = (uintptr_t)smc_state.map - ((uintptr_t)ram >> 5);
    smc_state.slot = os_zalloc((npages ? npages : 1) * sizeof(*smc_state.slot));
    smc_state.writes = os_zalloc(npages ? npages : 1);
    smc_state.pool = os_zalloc(SMC_BITMAP_POOL * sizeof(*smc_state.pool));
    smc_pool_reset();
}

/* Forget every bitmap and count. */
void smc_flush(void)
{
    if (smc_state.slot == NULL) {
        return;
    }
    memset(smc_state.slot, 0, smc_state.npages * sizeof(*smc_state.slot));
    memset(smc_state.writes, 0, smc_state.npages);
    smc_pool_reset();
}

/* Drop the bitmap and the store count of page idx. */
void smc_page_drop(uint32_t idx)
{
    uint16_t n;

    if (idx >= smc_state.npages) {
        return;
    }
    smc_state.writes[idx] = 0;
    n = smc_state.slot[idx];
    if (n != 0) {
        smc_state.pool[n - 1][0] = smc_state.free_head;
        smc_state.free_head = n;
        smc_state.slot[idx] = 0;
    }
}

/* Set the bits of page bytes [s, e) in page idx's bitmap, if it has one. */
void smc_page_cover(uint32_t idx, uint32_t s, uint32_t e)
{
    uint32_t *bm;

    if (idx >= smc_state.npages || smc_state.slot[idx] == 0) {
        return;
    }
    bm = smc_state.pool[smc_state.slot[idx] - 1];
    for (uint32_t b = s; b < e && b < GUEST_PAGE_SIZE; b++) {
        bm[b >> 5] |= 1u << (b & 31);
    }
}

/* Keep the code bytes at bytes from now on (no TB exists yet). */
void smc_bytes_attach(uint8_t *bytes)
{
    smc_state.bytes = bytes;
}

/* Set the code map's bits of the words of physical [s, e), and the code
 * bytes of [s, e). */
void smc_map_cover(uint32_t s, uint32_t e)
{
    if (s >= e || ((e - 1) >> GUEST_PAGE_BITS) >= smc_state.npages) {
        return;
    }
    for (uint32_t w = s >> 2; w <= (e - 1) >> 2; w++) {
        smc_state.map[w >> 3] |= (uint8_t)(1u << (w & 7));
    }
    if (smc_state.bytes != NULL) {
        memset(smc_state.bytes + s, 1, e - s);
    }
}

/* Clear the code map's bits (and code bytes) of page idx. */
void smc_map_clear(uint32_t idx)
{
    uint8_t *m = smc_state.map + (size_t)idx * SMC_MAP_PAGE;
    bool any = false;

    if (idx >= smc_state.npages) {
        return;
    }
    for (unsigned i = 0; i < SMC_MAP_PAGE; i++) {
        any |= m[i] != 0;
    }
    memset(m, 0, SMC_MAP_PAGE);
    if (any && smc_state.bytes != NULL) {
        /* only a page with bits has code bytes: the others stay
         * untouched (unallocated in the sparse memfd) */
        memset(smc_state.bytes + ((size_t)idx << GUEST_PAGE_BITS), 0,
               GUEST_PAGE_SIZE);
    }
}

/* Does the store of [off, off + size) in page idx miss every TB? */
int smc_page_test(uint32_t idx, uint32_t off, unsigned size)
{
    if (idx >= smc_state.npages) {
        return 0;
    }
    if (smc_state.slot[idx] == 0) {
        if (smc_state.writes[idx] < SMC_BITMAP_THRESHOLD) {
            return ++smc_state.writes[idx] == SMC_BITMAP_THRESHOLD ? -1 : 0;
        }
        return 0;           /* threshold reached, pool used up */
    }
    return smc_store_passes(idx, off, size) ? 1 : 0;
}

/* Take a zeroed bitmap from the pool for page idx. */
bool smc_page_new(uint32_t idx)
{
    uint32_t n = smc_state.free_head;

    if (idx >= smc_state.npages || smc_state.slot[idx] != 0 || n == 0) {
        return false;
    }
    smc_state.free_head = smc_state.pool[n - 1][0];
    memset(smc_state.pool[n - 1], 0, sizeof(smc_state.pool[0]));
    smc_state.slot[idx] = (uint16_t)n;
    return true;
}
