/*
 * pg_jc: indirect branches into code whose mapping changes, as the jump
 * cache (a TB per linear pc, probed inline by indirect jumps, calls and
 * returns) must follow it.  Ten page directories, more than hamt86
 * caches (8), with CR4.PGE on; every call below is an indirect call
 * (call *reg), and every callee returns with ret:
 *   a. round robin over the ten CR3s: the private (non-global) code page
 *      at PG_WIN, 128 functions at the same linear addresses in every
 *      directory on the directory's own frame, returns the directory's
 *      values; the global code page PG_WIN + 0x5000 (the same frame and PTE
 *      in every directory) returns its own; a function that starts at the
 *      end of that global page and ends on the private page after it
 *      returns a value made of both, so a CR3 load must drop it;
 *   b. the global code page PG_WIN2 (one page table shared by all
 *      directories) remapped to another frame with INVLPG in one
 *      directory: every directory runs the new code; remapped back with
 *      CR4.PGE toggled off and on: every directory runs the old code;
 *   c. a global code page's function rewritten through its identity map
 *      (SMC) while its TB is cached: the next directory runs the new code;
 *   d. an inactive directory's private code PTE pointed at another frame,
 *      then that directory loaded: the new frame's code runs;
 *   e. a randomized loop (xorshift32) of CR3 loads, calls of the three
 *      kinds, private remaps of inactive directories and global remaps
 *      with INVLPG, every result checked against a model;
 *   f. more private entry points between two CR3 loads than hamt86 notes
 *      one by one (1024): twelve aliases of the private code page
 *      (PG_WIN + 0x8000..), every function of each called, then the next
 *      directory calls them all.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_jc";

#define NCTX 10
#define NFN  128                             /* functions a code page */
#define PCODE(c)  (c)                        /* private code frames 0..9 */
#define PCODE2(c) (10 + (c))                 /* their alternates 10..19 */
#define PTAIL(c)  (20 + (c))                 /* crossing tails 20..29 */
#define GX   30                              /* global frames */
#define GY   31
#define GZ   32                              /* the crossing's global head */
#define PF   (PTE_P | PTE_W | PTE_U)
#define CROSS_VA (PG_WIN + 0x5ffd)           /* mov $imm32, %eax over 2 pages */
#define NALIAS 12                            /* aliases of the private page */
#define ALIAS(a) (PG_WIN + 0x8000u + (uint32_t)(a) * 4096u)

typedef uint32_t (*fn_t)(void);

static uint32_t ctx_pd[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t ctx_pt[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t gpt[1024] __attribute__((aligned(4096)));
static int pfr[NCTX];                        /* model: frame of PG_WIN */
static int gfr;                              /* model: frame of PG_WIN2 */
static uint32_t patch[NFN];                  /* model: SMC'd values of GX */
static int cur;

/* Fill frame f with NFN functions "mov $(tag | k), %eax; ret" at k * 32. */
static void code_frame(int f, uint32_t tag)
{
    volatile uint8_t *p = (volatile uint8_t *)PG_FRAME(f);

    for (int i = 0; i < 4096; i++) {
        p[i] = 0xcc;                         /* int3 between functions */
    }
    for (int k = 0; k < NFN; k++) {
        uint32_t v = tag | (uint32_t)k;
        p[k * 32] = 0xb8;
        p[k * 32 + 1] = (uint8_t)v;
        p[k * 32 + 2] = (uint8_t)(v >> 8);
        p[k * 32 + 3] = (uint8_t)(v >> 16);
        p[k * 32 + 4] = (uint8_t)(v >> 24);
        p[k * 32 + 5] = 0xc3;
    }
}

/* Function k of the code page at va. */
static uint32_t call_fn(uint32_t va, int k)
{
    fn_t f = (fn_t)(va + (uint32_t)k * 32);

    __asm__ volatile("" : "+r"(f));          /* an indirect call */
    return f();
}

/* Values the model expects. */
static uint32_t want_priv(int c, int k) { return 0x10000000u | (uint32_t)pfr[c] << 16 | (uint32_t)k; }
static uint32_t want_glob(int k)
{
    if (gfr == GX && patch[k] != 0) {
        return patch[k];                     /* part c rewrote it in GX */
    }
    return 0x20000000u | (uint32_t)gfr << 16 | (uint32_t)k;
}
static uint32_t want_cross(int c) { return 0x77000000u | (uint32_t)c << 16 | 0xbeefu; }

static void sw(int c)
{
    write_cr3((uint32_t)ctx_pd[c]);
    cur = c;
}

static void pge(int on)
{
    write_cr4(on ? read_cr4() | CR4_PGE : read_cr4() & ~CR4_PGE);
}

/* Ten directories: the identity map and PG_WIN2's table shared (global),
 * PG_WIN private: page 0 code, page 5 the global crossing head, page 6
 * the private crossing tail. */
static void build(void)
{
    memset(gpt, 0, 4096);
    gfr = GX;
    gpt[0] = PG_FRAME(GX) | PF | PTE_G;
    for (int c = 0; c < NCTX; c++) {
        volatile uint8_t *t = (volatile uint8_t *)PG_FRAME(PTAIL(c));

        memcpy(ctx_pd[c], pg_pd, 4096);
        memset(ctx_pt[c], 0, 4096);
        pfr[c] = PCODE(c);
        ctx_pt[c][0] = PG_FRAME(PCODE(c)) | PF;
        ctx_pt[c][5] = PG_FRAME(GZ) | PF | PTE_G;
        ctx_pt[c][6] = PG_FRAME(PTAIL(c)) | PF;
        for (int a = 0; a < NALIAS; a++) {
            ctx_pt[c][8 + a] = PG_FRAME(PCODE(c)) | PF;
        }
        ctx_pd[c][PG_WIN >> 22] = (uint32_t)ctx_pt[c] | PF;
        ctx_pd[c][PG_WIN2 >> 22] = (uint32_t)gpt | PF;
        for (int i = 0; i < 4096; i++) {
            t[i] = 0xcc;
        }
        t[0] = (uint8_t)c;                   /* imm bits 16..23 */
        t[1] = 0x77;
        t[2] = 0xc3;
    }
    for (int c = 0; c < NCTX; c++) {
        code_frame(PCODE(c), 0x10000000u | (uint32_t)PCODE(c) << 16);
        code_frame(PCODE2(c), 0x10000000u | (uint32_t)PCODE2(c) << 16);
    }
    code_frame(GX, 0x20000000u | (uint32_t)GX << 16);
    code_frame(GY, 0x20000000u | (uint32_t)GY << 16);
    code_frame(GZ, 0x30000000u);
    {
        volatile uint8_t *h = (volatile uint8_t *)PG_FRAME(GZ);
        h[0xffd] = 0xb8;
        h[0xffe] = 0xef;
        h[0xfff] = 0xbe;
    }
}

/* Mismatches of the three kinds of call in the current directory, for
 * functions k0, k0 + step, ... */
static uint32_t probe(int k0, int step)
{
    uint32_t bad = 0;

    for (int k = k0; k < NFN; k += step) {
        bad += call_fn(PG_WIN, k) != want_priv(cur, k);
        bad += call_fn(PG_WIN2, k) != want_glob(k);
    }
    bad += ((fn_t)CROSS_VA)() != want_cross(cur);
    return bad;
}

/* ---- a. round robin ------------------------------------------------------ */
static void part_a(void)
{
    uint32_t bad = 0, cross = 0;

    for (int round = 0; round < 8; round++) {
        for (int j = 0; j < NCTX; j++) {
            int c = (round & 1) ? NCTX - 1 - j : (j * 3) % NCTX;
            sw(c);
            bad += probe((round + c) % 7, 7);
            cross += ((fn_t)CROSS_VA)() != want_cross(c);
            /* the same entry point again, from another call site */
            bad += call_fn(PG_WIN, 3) != want_priv(c, 3);
        }
    }
    check("jc.a.mismatches", bad, 0);
    check("jc.a.cross", cross, 0);
}

/* ---- b. global remap ----------------------------------------------------- */
static void part_b(void)
{
    uint32_t bad = 0;

    for (int c = 0; c < NCTX; c++) {
        sw(c);
        bad += probe(c % 5, 5);
    }
    gpt[0] = PG_FRAME(GY) | PF | PTE_G;
    gfr = GY;
    invlpg(PG_WIN2);
    for (int c = NCTX - 1; c >= 0; c--) {
        sw(c);
        bad += probe(c % 4, 4);
    }
    check("jc.b.invlpg", bad, 0);
    bad = 0;
    gpt[0] = PG_FRAME(GX) | PF | PTE_G;
    gfr = GX;
    pge(0);
    pge(1);
    for (int c = 0; c < NCTX; c++) {
        sw(c);
        bad += probe(c % 3, 3);
    }
    check("jc.b.pge", bad, 0);
}

/* ---- c. SMC on a global code page ---------------------------------------- */
static void part_c(void)
{
    uint32_t bad = 0;

    for (int n = 0; n < 12; n++) {
        int k = (n * 37) % NFN;
        volatile uint8_t *p = (volatile uint8_t *)(PG_FRAME(GX) + (uint32_t)k * 32);
        uint32_t v = 0x5e000000u | (uint32_t)n << 8 | (uint32_t)k;

        sw(n % NCTX);
        bad += call_fn(PG_WIN2, k) != want_glob(k);   /* cached now */
        p[1] = (uint8_t)v;
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)(v >> 16);
        p[4] = (uint8_t)(v >> 24);
        patch[k] = v;
        sw((n + 1) % NCTX);
        bad += call_fn(PG_WIN2, k) != want_glob(k);
        bad += call_fn(PG_WIN2, k) != want_glob(k);
    }
    check("jc.c.smc", bad, 0);
}

/* ---- d. inactive directory's private code remapped ---------------------- */
static void part_d(void)
{
    uint32_t bad = 0;

    for (int c = 0; c < NCTX; c++) {
        int o = (c + 1) % NCTX;

        sw(c);
        bad += probe(c % 6, 6);
        /* o is not loaded: no INVLPG is needed for its PTEs */
        pfr[o] = pfr[o] == PCODE(o) ? PCODE2(o) : PCODE(o);
        ctx_pt[o][0] = PG_FRAME(pfr[o]) | PF;
        sw(o);
        bad += probe(c % 5, 5);
    }
    check("jc.d.remap", bad, 0);
}

/* ---- f. many private entry points --------------------------------------- */
static void part_f(void)
{
    uint32_t bad = 0;

    for (int round = 0; round < 4; round++) {
        int c = (round * 3 + 1) % NCTX;

        sw(c);
        for (int a = 0; a < NALIAS; a++) {
            for (int k = 0; k < NFN; k++) {
                /* the aliases map PCODE(c), whatever part d left at 0 */
                bad += call_fn(ALIAS(a), k) !=
                       (0x10000000u | (uint32_t)PCODE(c) << 16 | (uint32_t)k);
            }
        }
    }
    check("jc.f.many", bad, 0);
}

/* ---- e. random ----------------------------------------------------------- */
static void part_e(void)
{
    uint32_t seed = 0x6a09e667u, bad = 0, sum = 0;

    for (int step = 0; step < 3000; step++) {
        uint32_t r = pg_rand(&seed);
        int k = (int)(r >> 8) % NFN;
        uint32_t v = 0;

        switch (r & 7) {
        case 0: case 1:
            sw((int)(r >> 20) % NCTX);
            break;
        case 2: case 3:
            v = call_fn(PG_WIN, k);
            bad += v != want_priv(cur, k);
            break;
        case 4:
            v = call_fn(PG_WIN2, k);
            bad += v != want_glob(k);
            break;
        case 5:
            v = ((fn_t)CROSS_VA)();
            bad += v != want_cross(cur);
            break;
        case 6: {
            int o = (int)(r >> 20) % NCTX;
            if (o != cur) {
                pfr[o] = pfr[o] == PCODE(o) ? PCODE2(o) : PCODE(o);
                ctx_pt[o][0] = PG_FRAME(pfr[o]) | PF;
            }
            break;
        }
        default:
            gfr = gfr == GX ? GY : GX;
            gpt[0] = PG_FRAME(gfr) | PF | PTE_G;
            invlpg(PG_WIN2);
            break;
        }
        sum = sum * 31 + v;
    }
    result("jc.e.sum", sum);
    check("jc.e.mismatches", bad, 0);
}

void kmain(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    check("jc.cpuid.pge", (d >> 13) & 1, 1);
    pg_setup32();
    for (uint32_t i = 1; i < 2048; i++) {
        pg_pt_id[i >> 10][i & 1023] |= PTE_G;   /* a kernel's own half */
    }
    build();
    pge(1);
    part_a();
    part_b();
    part_c();
    part_d();
    part_e();
    part_f();
    write_cr3((uint32_t)pg_pd);
    pge(0);
    finish(0xaa0b021b);
}
