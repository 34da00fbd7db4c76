/*
 * pg_split: stores that cross a page boundary into a faulting page must
 * fault as a whole: no byte of the first page may be written (SDM: the
 * access is checked before any part of it is performed).
 *   - 4-byte stores at page_end-1/-2/-3 and 2-byte stores at page_end-1
 *     where the next page is not present, at a 4 KiB boundary inside a
 *     16 KiB block, at a 16 KiB boundary and at a 64 KiB boundary (host
 *     map units under HAMT), with the first page written just before (so
 *     a HAMT host has it mapped writable);
 *   - the next page present but read-only: CR0.WP=1 in ring 0, and ring 3;
 *   - every store repeated 80 times (past the emulator's hot-site
 *     threshold, so retranslated code is covered too);
 *   - a crossing load (CR2 = the boundary, nothing loaded);
 *   - the same stores once the next page is present (first write: the
 *     second page's D bit is clear) write both halves and set both D bits;
 *   - stores the translator splits into parts fault as one access too:
 *     FSTP m64 and m80 and CMPXCHG8B at page_end-4/-6, into a not-present
 *     or (CMPXCHG8B, whose loads pass) a read-only page; FSTP m80 at
 *     page_end-8, where QEMU 7.2 writes the first 8 bytes (its helper
 *     stores 8 + 2), is checked against the SDM on "SDM ok/bad" lines that
 *     run.sh does not compare (tests/fpu/check.sh wants them ok);
 *   - the 4 GiB boundaries (HAMT places linear L at window base +
 *     sext32(L): 0x7fffffff -> 0x80000000 runs into the window's guard,
 *     0xffffffff -> 0 is contiguous host memory): crossing stores into a
 *     not-present page fault as a whole, crossing loads fault or, with both
 *     pages present, read both (x86 wraps 0xffffffff -> 0), crossing stores
 *     write both halves, each repeated past the hot-site threshold.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_split";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define W2(i) (PG_WIN2 + (uint32_t)(i) * 4096u)
#define ROUNDS 80

/* The store forms under test (one guest instruction each). */
static void st32(void *p)
{
    PgAccess *a = p;
    __asm__ volatile("movl %1, (%0)" : : "r"(a->addr), "r"(a->val) : "memory");
}
static void st16(void *p)
{
    PgAccess *a = p;
    __asm__ volatile("movw %w1, (%0)" : : "r"(a->addr), "r"(a->val) : "memory");
}
static void ld32(void *p)
{
    PgAccess *a = p;
    uint32_t v = 0x5a5a5a5au;
    __asm__ volatile("movl (%1), %0" : "+r"(v) : "r"(a->addr) : "memory");
    a->val = v;
}

/* FSTP m64 / m80 of val (as a double), from an empty stack. */
static void fst64(void *p)
{
    PgAccess *a = p;
    double d = (double)a->val;
    __asm__ volatile("fninit; fldl %1; fstpl (%0)" : : "r"(a->addr), "m"(d) : "memory");
}
static void fst80(void *p)
{
    PgAccess *a = p;
    double d = (double)a->val;
    __asm__ volatile("fninit; fldl %1; fstpt (%0)" : : "r"(a->addr), "m"(d) : "memory");
}
/* CMPXCHG8B that matches (EDX:EAX = the current m64), so it stores
 * ECX:EBX = ~val:val. */
static void cx8(void *p)
{
    PgAccess *a = p;
    volatile uint32_t *m = (volatile uint32_t *)a->addr;
    uint32_t lo = m[0], hi = m[1];
    __asm__ volatile("lock cmpxchg8b (%4)" : "+a"(lo), "+d"(hi)
                     : "b"(a->val), "c"(~a->val), "r"(a->addr) : "memory", "cc");
}

/* Last dword of pool frame f, read through the identity mapping. */
static uint32_t tail(int f)
{
    return *(volatile uint32_t *)(PG_FRAME(f) + 0xffc);
}

/*
 * Store val with op at va (crossing from frame f's page into a faulting
 * page) ROUNDS times from ring ring, each time right after a store to the
 * first page; every round must raise #PF(err, cr2) and leave frame f's last
 * dword unchanged.
 */
static void split_case(const char *name, int ring, void (*op)(void *), uint32_t va,
                       uint32_t val, int f, uint32_t err, uint32_t cr2)
{
    char n[64];
    size_t l = strlen(name);
    unsigned bad_vec = 0, bad_err = 0, bad_cr2 = 0, bad_mem = 0;
    PgAccess warm = { va & ~0xfffu, pg_pat(f, 0) };

    memcpy(n, name, l);
    for (int i = 0; i < ROUNDS; i++) {
        PgAccess a = { va, val + (uint32_t)i };
        int vec;

        write_cr2(0);
        if (ring == 3) {
            ring3_run(pg_wr32, &warm);
            vec = ring3_run(op, &a);
        } else {
            trap_catch(pg_wr32, &warm);
            vec = trap_catch(op, &a);
        }
        bad_vec += vec != 14;
        bad_err += vec == 14 && last_trap.err != err;
        bad_cr2 += read_cr2() != cr2;
        bad_mem += tail(f) != pg_pat(f, 0xffc);
    }
    memcpy(n + l, ".vec", 5);
    check(n, bad_vec, 0);
    memcpy(n + l, ".err", 5);
    check(n, bad_err, 0);
    memcpy(n + l, ".cr2", 5);
    check(n, bad_cr2, 0);
    memcpy(n + l, ".nopartial", 11);
    check(n, bad_mem, 0);
}

/* Page tables for linear 0x7fc00000, 0x80000000 and 0xffc00000. */
static uint32_t pt_b511[1024] __attribute__((aligned(4096)));
static uint32_t pt_b512[1024] __attribute__((aligned(4096)));
static uint32_t pt_b1023[1024] __attribute__((aligned(4096)));

/* The dword at byte off (0xffd..0xfff) of frame f's page, continued in
 * frame g's, read through the identity mapping. */
static uint32_t cross_val(int f, int g, uint32_t off)
{
    uint64_t q = tail(f) | (uint64_t)*(volatile uint32_t *)PG_FRAME(g) << 32;

    return (uint32_t)(q >> ((off - 0xffc) * 8));
}

/*
 * Crossing loads at va = end - 1, - 2, - 3 (end: 0x80000000 or 0, the
 * first byte of frame g's page, the bytes before it in frame f's), ROUNDS
 * times each: every one must read both pages.
 */
static void cross_loads(const char *name, uint32_t end, int f, int g)
{
    unsigned bad = 0;

    for (int i = 0; i < ROUNDS; i++) {
        for (uint32_t m = 1; m <= 3; m++) {
            PgAccess a = { end - m, 0 };

            bad += trap_catch(ld32, &a) != -1;
            bad += a.val != cross_val(f, g, 0x1000 - m);
        }
    }
    check(name, bad, 0);
}

/* Crossing stores at end - 2 (as cross_loads), ROUNDS times: both halves
 * written each time. */
static void cross_stores(const char *name, uint32_t end, int f, int g)
{
    unsigned bad = 0;

    for (int i = 0; i < ROUNDS; i++) {
        PgAccess a = { end - 2, 0x0a0b0000u + (uint32_t)i * 0x10001u };

        bad += trap_catch(st32, &a) != -1;
        bad += (tail(f) >> 16) != (a.val & 0xffff);
        bad += (*(volatile uint32_t *)PG_FRAME(g) & 0xffff) != a.val >> 16;
    }
    check(name, bad, 0);
}

/*
 * The 4 GiB boundaries: 0x7ffff000 -> frame 40, 0x80000000 -> frame 41,
 * 0xfffff000 -> frame 42, linear 0 -> frame 43 (the pages after each
 * boundary not present first).
 */
static void boundary_cases(void)
{
    uint32_t v;

    for (int i = 40; i < 44; i++) {
        pg_fill_frame(i);
    }
    pt_b511[1023] = PG_FRAME(40) | PTE_P | PTE_W | PTE_U;
    pt_b512[0] = 0;
    pt_b1023[1023] = PG_FRAME(42) | PTE_P | PTE_W | PTE_U;
    pg_pd[511] = (uint32_t)pt_b511 | PTE_P | PTE_W | PTE_U;
    pg_pd[512] = (uint32_t)pt_b512 | PTE_P | PTE_W | PTE_U;
    pg_pd[1023] = (uint32_t)pt_b1023 | PTE_P | PTE_W | PTE_U;
    *pg_id_pte(0) = 0;
    write_cr3((uint32_t)pg_pd);

    split_case("split.2g.st32.m2", 0, st32, 0x7ffffffe, 0x13572468, 40, PFE_W, 0x80000000);
    split_case("split.2g.st16.m1", 0, st16, 0x7fffffff, 0x3579, 40, PFE_W, 0x80000000);
    split_case("split.4g.st32.m2", 0, st32, 0xfffffffe, 0x9bdf0123, 42, PFE_W, 0);
    split_case("split.4g.r3.st32.m1", 3, st32, 0xffffffff, 0x2468ace0, 42,
               PFE_W | PFE_U, 0);
    split_case("split.4g.st16.m1", 0, st16, 0xffffffff, 0x4567, 42, PFE_W, 0);
    pg_try("split.2g.ld32.m2", 0, ld32, 0x7ffffffe, 0, 14, 0, 0x80000000, &v);
    check("split.2g.ld32.m2.val", v, 0);
    pg_try("split.4g.ld32.m1", 0, ld32, 0xffffffff, 0, 14, 0, 0, &v);
    check("split.4g.ld32.m1.val", v, 0);

    /* both pages present: loads first (A only), then stores (D) */
    pt_b512[0] = PG_FRAME(41) | PTE_P | PTE_W | PTE_U;
    *pg_id_pte(0) = PG_FRAME(43) | PTE_P | PTE_W | PTE_U;
    invlpg(0x80000000u);
    invlpg(0);
    cross_loads("split.2g.ld32.ok", 0x80000000u, 40, 41);
    cross_loads("split.4g.ld32.ok", 0, 42, 43);
    check("split.2g.clean", (pt_b512[0] & PTE_D) != 0, 0);
    check("split.4g.clean", (*pg_id_pte(0) & PTE_D) != 0, 0);
    cross_stores("split.2g.st32.ok", 0x80000000u, 40, 41);
    cross_stores("split.4g.st32.ok", 0, 42, 43);
    check("split.2g.dirty", (pt_b511[1023] & pt_b512[0] & PTE_D) != 0, 1);
    check("split.4g.dirty", (pt_b1023[1023] & *pg_id_pte(0) & PTE_D) != 0, 1);

    *pg_id_pte(0) = 0;
    pg_pd[511] = pg_pd[512] = pg_pd[1023] = 0;
    write_cr3((uint32_t)pg_pd);
}

/* Write (and so walk) every page of WIN in [lo, hi]. */
static void touch(int lo, int hi)
{
    for (int i = lo; i <= hi; i++) {
        *(volatile uint32_t *)(W(i) + 0x10) = pg_pat(i, 0x10);
    }
}

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 40; i++) {
        pg_fill_frame(i);
    }
    /* WIN: pages 0-3 RW, 4 NP (16 KiB boundary); 8-11 RW, 12 RO user;
     * 16-31 RW, 32 NP (64 KiB boundary).  WIN2: 0 RW, 1 NP (4 KiB). */
    for (int i = 0; i < 33; i++) {
        pg_pt_win[i] = PG_FRAME(i) | PTE_P | PTE_W | PTE_U;
    }
    pg_pt_win[4] = 0;
    pg_pt_win[12] = PG_FRAME(12) | PTE_P | PTE_U;
    pg_pt_win[32] = 0;
    pg_pt_win2[0] = PG_FRAME(36) | PTE_P | PTE_W | PTE_U;
    pg_pt_win2[1] = 0;
    write_cr3((uint32_t)pg_pd);
    touch(0, 3);
    touch(8, 11);
    touch(16, 31);
    *(volatile uint32_t *)(W2(0) + 0x10) = pg_pat(36, 0x10);

    /* not present next page */
    split_case("split.16k.st32.m2", 0, st32, W(4) - 2, 0x11223344, 3, PFE_W, W(4));
    split_case("split.16k.st32.m1", 0, st32, W(4) - 1, 0x55667788, 3, PFE_W, W(4));
    split_case("split.16k.st32.m3", 0, st32, W(4) - 3, 0x99aabbcc, 3, PFE_W, W(4));
    split_case("split.16k.st16.m1", 0, st16, W(4) - 1, 0xddee, 3, PFE_W, W(4));
    split_case("split.16k.r3.st32.m2", 3, st32, W(4) - 2, 0x0badf00d, 3, PFE_W | PFE_U, W(4));
    split_case("split.64k.st32.m2", 0, st32, W(32) - 2, 0x12345678, 31, PFE_W, W(32));
    split_case("split.64k.st16.m1", 0, st16, W(32) - 1, 0x9abc, 31, PFE_W, W(32));
    split_case("split.4k.st32.m2", 0, st32, W2(1) - 2, 0xcafe0001, 36, PFE_W, W2(1));
    split_case("split.4k.st16.m1", 0, st16, W2(1) - 1, 0xbeef, 36, PFE_W, W2(1));

    /* split stores: FSTP m64/m80 (then CMPXCHG8B, read-only, below) */
    split_case("split.16k.fst64.m4", 0, fst64, W(4) - 4, 1000001, 3, PFE_W, W(4));
    split_case("split.16k.fst64.m6", 0, fst64, W(4) - 6, 2000003, 3, PFE_W, W(4));
    split_case("split.4k.fst64.m4", 0, fst64, W2(1) - 4, 3000005, 36, PFE_W, W2(1));
    split_case("split.16k.fst80.m4", 0, fst80, W(4) - 4, 4000007, 3, PFE_W, W(4));
    split_case("split.16k.fst80.m6", 0, fst80, W(4) - 6, 5000009, 3, PFE_W, W(4));
    {
        PgAccess a = { W(4) - 8, 6000011 };
                int vec = trap_catch(fst80, &a);

        sdm("split.16k.fst80.m8.vec", (uint32_t)vec, 14);
        sdm("split.16k.fst80.m8.cr2", read_cr2(), W(4));
        sdm("split.16k.fst80.m8.lo", *(volatile uint32_t *)(PG_FRAME(3) + 0xff8),
            pg_pat(3, 0xff8));
        sdm("split.16k.fst80.m8.hi", tail(3), pg_pat(3, 0xffc));
        /* QEMU wrote them: restore for the checks below */
        *(volatile uint32_t *)(PG_FRAME(3) + 0xff8) = pg_pat(3, 0xff8);
        *(volatile uint32_t *)(PG_FRAME(3) + 0xffc) = pg_pat(3, 0xffc);
    }

    /* read-only next page: ring 3 always, ring 0 with CR0.WP=1 */
    split_case("split.ro.r3.st32.m2", 3, st32, W(12) - 2, 0x01020304, 11,
               PFE_P | PFE_W | PFE_U, W(12));
    write_cr0(read_cr0() | CR0_WP);
    split_case("split.ro.wp.st32.m1", 0, st32, W(12) - 1, 0x05060708, 11, PFE_P | PFE_W, W(12));
    split_case("split.ro.wp.st16.m1", 0, st16, W(12) - 1, 0x090a, 11, PFE_P | PFE_W, W(12));
    split_case("split.ro.wp.cx8.m4", 0, cx8, W(12) - 4, 0x0d0e0f10, 11, PFE_P | PFE_W, W(12));
    split_case("split.ro.wp.fst64.m6", 0, fst64, W(12) - 6, 7000013, 11, PFE_P | PFE_W, W(12));
    write_cr0(read_cr0() & ~CR0_WP);
    check("split.ro.unchanged", *(volatile uint32_t *)PG_FRAME(12), pg_pat(12, 0));

    /* a crossing load faults on the second page and loads nothing */
    pg_try("split.ld32.m2", 0, ld32, W(4) - 2, 0, 14, 0, W(4), &v);
    check("split.ld32.m2.val", v, 0);

    /* present now (D clear on the second page): both halves are written */
    pg_pt_win[4] = PG_FRAME(4) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[32] = PG_FRAME(32) | PTE_P | PTE_W | PTE_U;
    pg_pt_win2[1] = PG_FRAME(37) | PTE_P | PTE_W | PTE_U;
    pg_try("split.ok.16k.st32", 0, st32, W(4) - 2, 0x11223344, -1, 0, 0, NULL);
    check("split.ok.16k.lo", tail(3), (pg_pat(3, 0xffc) & 0xffff) | 0x33440000);
    check("split.ok.16k.hi", *(volatile uint32_t *)PG_FRAME(4),
          (pg_pat(4, 0) & 0xffff0000) | 0x1122);
    check("split.ok.16k.dirty", (pg_pt_win[3] & pg_pt_win[4] & PTE_D) != 0, 1);
    pg_try("split.ok.64k.st16", 0, st16, W(32) - 1, 0xa1b2, -1, 0, 0, NULL);
    check("split.ok.64k.lo", tail(31), (pg_pat(31, 0xffc) & 0x00ffffff) | 0xb2000000);
    check("split.ok.64k.hi", *(volatile uint32_t *)PG_FRAME(32),
          (pg_pat(32, 0) & 0xffffff00) | 0xa1);
    pg_try("split.ok.4k.st32", 0, st32, W2(1) - 3, 0xc1d2e3f4, -1, 0, 0, NULL);
    check("split.ok.4k.lo", tail(36), (pg_pat(36, 0xffc) & 0xff) | 0xd2e3f400);
    check("split.ok.4k.hi", *(volatile uint32_t *)PG_FRAME(37),
          (pg_pat(37, 0) & 0xffffff00) | 0xc1);
    check("split.ok.4k.dirty", (pg_pt_win2[1] & PTE_D) != 0, 1);
    boundary_cases();
    sdm_done();
    finish(0x811c9dc5);
}
