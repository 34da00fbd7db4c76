/*
 * pg_ctxglobal: global pages (CR4.PGE) across many address spaces, more
 * than hamt86 caches (8 contexts), as Linux uses them: twelve page
 * directories share a "kernel half" of global pages (the identity map
 * 0..8 MiB and a global page table at PG_WIN2) and each has private
 * non-global pages at PG_WIN on its own frames.  A CR3 load to a
 * directory hamt86 does not cache recycles a context for it (which keeps
 * the global mappings whose directory entry is the same).  Only
 * architecturally defined behaviour is printed (whether a global entry
 * whose PTE changed survives MOV CR3 is never looked at):
 *   a. round robin over the twelve CR3s: global pages give their frames,
 *      private pages at the same linear address the context's own frames
 *      (non-global entries are never shared between CR3s), writes land in
 *      the right frames;
 *   b. a global PTE changed, then INVLPG in one context: every later CR3
 *      sees the new frame; made not present + INVLPG: #PF in every CR3;
 *      read-only + INVLPG: a supervisor write with CR0.WP=1 faults in
 *      every CR3; A cleared + INVLPG: set again by a read under another
 *      CR3; D cleared + INVLPG: set by a write under another CR3;
 *   c. a global PTE changed, then CR4.PGE toggled off and on: every CR3
 *      sees the new frame;
 *   d. private PTEs of inactive directories edited, then loaded: their
 *      new frames, the global half unchanged;
 *   e. a randomized loop (xorshift32): CR3 switches among the twelve,
 *      global PTE changes with INVLPG or a PGE toggle, private PTE
 *      changes of inactive (or, with INVLPG, the current) directories,
 *      reads and writes checked against a model.
 * Three directories carry PWT in their PG_WIN2 directory entry (the same
 * table, another entry value), which makes hamt86 drop rather than keep.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_ctxglobal";

#define NCTX 12
#define NPG  8                               /* private pages per context */
#define NG   16                              /* global pages at PG_WIN2 */
#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define G(i) (PG_WIN2 + (uint32_t)(i) * 4096u)
#define PFR(c, i) ((c) * NPG + (i))          /* private frames 0..95 */
#define GF0 96                               /* global frames 96..143 */
#define NGF 48
#define NFILL (GF0 + NGF)
#define PF (PTE_P | PTE_W | PTE_U)

static uint32_t ctx_pd[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t ctx_pt[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t gpt[1024] __attribute__((aligned(4096)));
static int gfr[NG];                          /* model: frame of G(i) */
static int pfr[NCTX][NPG];                   /* model: frame of W(i) */
static int cur;

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static void wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }
static void sw(int c)
{
    write_cr3((uint32_t)ctx_pd[c]);
    cur = c;
}
static void pge(int on)
{
    write_cr4(on ? read_cr4() | CR4_PGE : read_cr4() & ~CR4_PGE);
}
static uint32_t gpte(int frame) { return PG_FRAME(frame) | PF | PTE_G; }
static uint32_t ppte(int frame) { return PG_FRAME(frame) | PF; }

/* Twelve directories: identity (global) + G table + own private table. */
static void build(void)
{
    memset(gpt, 0, 4096);
    for (int i = 0; i < NG; i++) {
        gfr[i] = GF0 + i;
        gpt[i] = gpte(gfr[i]);
    }
    for (int c = 0; c < NCTX; c++) {
        memcpy(ctx_pd[c], pg_pd, 4096);
        memset(ctx_pt[c], 0, 4096);
        for (int i = 0; i < NPG; i++) {
            pfr[c][i] = PFR(c, i);
            ctx_pt[c][i] = ppte(pfr[c][i]);
        }
        ctx_pd[c][PG_WIN >> 22] = (uint32_t)ctx_pt[c] | PF;
        ctx_pd[c][PG_WIN2 >> 22] = (uint32_t)gpt | PF | (c % 4 == 3 ? PTE_PWT : 0);
    }
}

/* Mismatches of every global and private page of the current context
 * against the model, at offset off. */
static uint32_t scan(uint32_t off)
{
    uint32_t bad = 0;

    for (int i = 0; i < NG; i++) {
        bad += rd(G(i) + off) != pg_pat(gfr[i], off);
    }
    for (int i = 0; i < NPG; i++) {
        bad += rd(W(i) + off) != pg_pat(pfr[cur][i], off);
    }
    return bad;
}

/* ---- a. round robin ------------------------------------------------------ */
static void part_a(void)
{
    uint32_t bad = 0, wbad = 0;

    for (int round = 0; round < 6; round++) {
        for (int k = 0; k < NCTX; k++) {
            int c = (round & 1) ? NCTX - 1 - k : (k * 5) % NCTX;
            sw(c);
            bad += scan((uint32_t)((round * 11 + c * 3) & 0x3ff) * 4);
            /* a private write lands in this context's frame only */
            wr(W(c % NPG) + 0x800, 0xc0de0000u | (uint32_t)c);
        }
    }
    for (int c = 0; c < NCTX; c++) {
        volatile uint32_t *p = (volatile uint32_t *)(PG_FRAME(PFR(c, c % NPG)) + 0x800);
        wbad += *p != (0xc0de0000u | (uint32_t)c);
        *p = pg_pat(PFR(c, c % NPG), 0x800);
    }
    check("cg.rr.read", bad, 0);
    check("cg.rr.write", wbad, 0);
}

/* ---- b. INVLPG of a global page ---------------------------------------- */
static void part_b(void)
{
    uint32_t bad = 0, pfs = 0, wfs = 0, abad = 0, dbad = 0;
    uint32_t v;

    /* remap: frame GF0 + 16 + i, INVLPG under context i */
    for (int i = 0; i < 4; i++) {
        sw(i);
        (void)rd(G(i));
        gfr[i] = GF0 + NG + i;
        gpt[i] = gpte(gfr[i]);
        invlpg(G(i));
        for (int k = 1; k <= NCTX; k++) {
            sw((i + k) % NCTX);
            bad += rd(G(i) + 0x40) != pg_pat(gfr[i], 0x40);
        }
    }
    check("cg.invlpg.remap", bad, 0);
    /* not present: #PF in every later CR3 */
    sw(5);
    (void)rd(G(5));
    gpt[5] = 0;
    invlpg(G(5));
    for (int k = 0; k < NCTX; k++) {
        sw((5 + k) % NCTX);
        if (trap_catch(pg_rd32, &(PgAccess){ G(5) + 8, 0 }) == 14 &&
            last_trap.err == 0 && read_cr2() == G(5) + 8) {
            pfs++;
        }
    }
    check("cg.invlpg.notpresent", pfs, NCTX);
    gpt[5] = gpte(gfr[5]);
    /* read-only: a supervisor write faults with CR0.WP=1 */
    write_cr0(read_cr0() | CR0_WP);
    sw(6);
    wr(G(6) + 4, pg_pat(gfr[6], 4));
    gpt[6] &= ~PTE_W;
    invlpg(G(6));
    for (int k = 0; k < NCTX; k++) {
        sw((6 + k * 7) % NCTX);
        if (trap_catch(pg_wr32, &(PgAccess){ G(6) + 4, 0 }) == 14 &&
            last_trap.err == (PFE_P | PFE_W) && read_cr2() == G(6) + 4) {
            wfs++;
        }
        bad += rd(G(6) + 4) != pg_pat(gfr[6], 4);
    }
    check("cg.invlpg.readonly", wfs, NCTX);
    gpt[6] |= PTE_W;
    invlpg(G(6));
    write_cr0(read_cr0() & ~CR0_WP);
    /* A and D cleared under one CR3, set by accesses under the others */
    for (int k = 0; k < NCTX; k++) {
        sw(k);
        (void)rd(G(7));
        wr(G(8) + 12, pg_pat(gfr[8], 12));
        gpt[7] &= ~PTE_A;
        gpt[8] &= ~PTE_D;
        invlpg(G(7));
        invlpg(G(8));
        sw((k + 9) % NCTX);
        v = rd(G(7) + 16);
        bad += v != pg_pat(gfr[7], 16);
        abad += (gpt[7] & PTE_A) == 0;
        v = rd(G(8) + 12);
        dbad += (gpt[8] & PTE_D) != 0;
        wr(G(8) + 12, v);
        dbad += (gpt[8] & PTE_D) == 0;
    }
    check("cg.invlpg.abit", abad, 0);
    check("cg.invlpg.dbit", dbad, 0);
    check("cg.invlpg.values", bad, 0);
}

/* ---- c. CR4.PGE toggle --------------------------------------------------- */
static void part_c(void)
{
    uint32_t bad = 0;

    for (int i = 9; i < 12; i++) {
        sw(i);
        (void)rd(G(i));
        gfr[i] = GF0 + NG + i;
        gpt[i] = gpte(gfr[i]);
        pge(0);
        pge(1);
        for (int k = 1; k <= NCTX; k++) {
            sw((i * 5 + k) % NCTX);
            bad += scan(0x80);
        }
    }
    check("cg.pgetoggle", bad, 0);
}

/* ---- d. private PTEs of inactive directories ---------------------------- */
static void part_d(void)
{
    uint32_t bad = 0;

    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < NCTX; c++) {
            int d = (c + 1 + round) % NCTX;          /* inactive now */
            int i = (c + round) % NPG;
            int f = pfr[d][(i + 1) % NPG];

            sw(c);
            pfr[d][i] = f;
            ctx_pt[d][i] = ppte(f);
            bad += scan((uint32_t)(c * 4 + round * 64));
        }
        for (int c = 0; c < NCTX; c++) {
            sw(c);
            bad += scan(0x100 + (uint32_t)round * 4);
        }
    }
    check("cg.private", bad, 0);
}

/* ---- e. randomized ------------------------------------------------------- */
static void part_e(void)
{
    uint32_t s = 0x2545f491u, bad = 0, sum = 0;

    for (int step = 0; step < 6000; step++) {
        uint32_t r = pg_rand(&s), off = ((r >> 8) & 0x3ff) * 4;
        int i = (int)((r >> 20) % NG), p = (int)((r >> 20) % NPG);
        int d = (int)((r >> 24) % NCTX), f = GF0 + (int)((r >> 12) % NGF);

        switch (r % 10) {
        case 0: case 1: case 2:
            sw(d);
            break;
        case 3: case 4: {
            uint32_t vg = rd(G(i) + off), vw = rd(W(p) + off);
            bad += vg != pg_pat(gfr[i], off);
            bad += vw != pg_pat(pfr[cur][p], off);
            sum = (sum * 33 + vg) * 33 + vw;
            break;
        }
        case 5:
            gfr[i] = f;
            gpt[i] = gpte(f);
            invlpg(G(i));
            break;
        case 6:
            gfr[i] = f;
            gpt[i] = gpte(f);
            pge(0);
            pge(1);
            break;
        case 7:
            /* a private page of directory d gets another private frame */
            pfr[d][p] = (int)((r >> 4) % (NCTX * NPG));
            ctx_pt[d][p] = ppte(pfr[d][p]);
            if (d == cur) {
                invlpg(W(p));
            }
            break;
        case 8: {
            /* a write through a global page reaches its frame */
            volatile uint32_t *q = (volatile uint32_t *)(PG_FRAME(gfr[i]) + off);
            wr(G(i) + off, r);
            bad += *q != r;
            *q = pg_pat(gfr[i], off);
            break;
        }
        default: {
            volatile uint32_t *q = (volatile uint32_t *)(PG_FRAME(pfr[cur][p]) + off);
            wr(W(p) + off, r);
            bad += *q != r;
            *q = pg_pat(pfr[cur][p], off);
            break;
        }
        }
        if ((step & 1023) == 1023) {
            result("cg.rand.sum", sum);
        }
    }
    for (int c = 0; c < NCTX; c++) {
        sw(c);
        bad += scan(0x3fc);
    }
    check("cg.rand.mismatches", bad, 0);
}

void kmain(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    check("cg.cpuid.pge", (d >> 13) & 1, 1);
    pg_setup32();
    /* the identity map global too, like a kernel's own half */
    for (uint32_t i = 1; i < 2048; i++) {
        pg_pt_id[i >> 10][i & 1023] |= PTE_G;
    }
    write_cr3(read_cr3());
    for (int i = 0; i < NFILL; i++) {
        pg_fill_frame(i);
    }
    build();
    pge(1);
    part_a();
    part_b();
    part_c();
    part_d();
    part_e();
    write_cr3((uint32_t)pg_pd);
    pge(0);
    finish(0x8f375e42);
}
