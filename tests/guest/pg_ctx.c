/*
 * pg_ctx: many address spaces (CR3 switches) and page-table edits of
 * inactive contexts, as an OS scheduler does.  Eight page directories share
 * the identity map 0..8 MiB (one "kernel half" page table pair) and each has
 * a private page table at PG_WIN (16 pages, each context on its own pool
 * frames); six of them also map a shared page table at PG_WIN2.  Only
 * architecturally defined behaviour is printed: MOV CR3 flushes every
 * non-global translation, INVLPG the page named; a PTE of the current
 * context changed without either is never used before a flush.
 *   a. round-robin CR3 switches (also with CR3.PWT/PCD set): each context
 *      sees its own frames, writes land in its own frames;
 *   b. PTEs of an inactive context edited through the identity map
 *      (remap, not present, read-only, A cleared, D cleared), then MOV CR3
 *      to it: new frame, #PF (CR2, error code), write #PF with CR0.WP=1,
 *      A set again by a read, D not set by a read and set by a write;
 *   c. PDE of an inactive context: another page table, not present,
 *      read-only; a 4 MiB page replaced by a page table and removed;
 *   d. PTE/PDE of the current context, then MOV CR3 of the same value; a
 *      current PTE edited without a flush, then a switch away and back;
 *   e. a page table shared by several directories (and the identity
 *      "kernel half"), edited while none, one or the other is current;
 *   f. INVLPG in a context, then away and back;
 *   h. a directory and its tables rewritten wholesale under the same CR3
 *      value (process exit + new process), a page-table frame mapped as
 *      data in another context and edited through it, a self-mapped
 *      (recursive) page directory;
 *   g. a randomized loop (xorshift32): 5..8 contexts, CR3 switches, PTE and
 *      PDE edits of current and inactive contexts (current: INVLPG or
 *      MOV CR3 right after), ring-0 and ring-3 reads and writes checked
 *      against a model, hashes printed every 2048 steps.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_ctx";

#define NCTX 8
#define NPG  16
#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define S(i) (PG_WIN2 + (uint32_t)(i) * 4096u)
#define FR(c, i) ((c) * NPG + (i))           /* pool frame of ctx c, page i */
#define SPARE(i) (128 + (i))                 /* 128..159 */
#define RF0 160                              /* random loop frames 160..191 */
#define RF  32
#define ALTF(i) (192 + (i))                  /* frames of alt_pt */
#define SHF(i) (208 + (i))                   /* frames of sh_pt */
#define KF 255                               /* an identity page remapped */
#define NFILL 256
#define PF (PTE_P | PTE_W | PTE_U)
#define CR3_FLAGS (PTE_PWT | PTE_PCD)        /* CR3 bits 3 and 4 */
#define PSE_VA 0x80000000u                   /* ctx 4: a 4 MiB page */
#define SELF_PT 0xffc00000u                  /* ctx 7: PD self-map at PDE 1023 */

static uint32_t ctx_pd[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t ctx_pt[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t alt_pt[1024] __attribute__((aligned(4096)));
static uint32_t sh_pt[1024] __attribute__((aligned(4096)));
static uint32_t cp_pt[1024] __attribute__((aligned(4096)));
static int cur = -1;

static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }
static void wr(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }
static void sw(int c)
{
    write_cr3((uint32_t)ctx_pd[c]);
    cur = c;
}
static void reload(void) { write_cr3(read_cr3()); }
static uint32_t pte(int frame) { return PG_FRAME(frame) | PF; }
static int maps_shared(int c) { return c % 3 != 2; }

static void build(void)
{
    for (int c = 0; c < NCTX; c++) {
        memcpy(ctx_pd[c], pg_pd, 4096);
        memset(ctx_pt[c], 0, 4096);
        for (int i = 0; i < NPG; i++) {
            ctx_pt[c][i] = pte(FR(c, i));
        }
        ctx_pd[c][PG_WIN >> 22] = (uint32_t)ctx_pt[c] | PF;
        ctx_pd[c][PG_WIN2 >> 22] = maps_shared(c) ? (uint32_t)sh_pt | PF : 0;
    }
    memset(sh_pt, 0, 4096);
    memset(alt_pt, 0, 4096);
    for (int i = 0; i < NPG; i++) {
        sh_pt[i] = pte(SHF(i));
        alt_pt[i] = pte(ALTF(i));
    }
}

/* Read page i of the window at off and compare with frame f's pattern. */
static void chk(const char *name, uint32_t va, int f)
{
    uint32_t off = va & 0x7fcu;
    check(name, rd(va), pg_pat(f, off));
}

/* ---- a. round robin ------------------------------------------------------ */
static void part_a(void)
{
    uint32_t bad = 0, sum = 0, badcr3 = 0, badw = 0;

    for (int round = 0; round < 64; round++) {
        for (int k = 0; k < NCTX; k++) {
            int c = (round & 1) ? NCTX - 1 - k : k;
            uint32_t cr3 = (uint32_t)ctx_pd[c] | ((round % 5 == 4) ? CR3_FLAGS : 0);
            write_cr3(cr3);
            cur = c;
            if (read_cr3() != cr3) {
                badcr3++;
            }
            for (int i = 0; i < NPG; i++) {
                uint32_t off = (uint32_t)((round * 13 + i * 4 + c * 8) & 0x1ff) * 4;
                uint32_t v = rd(W(i) + off);
                bad += v != pg_pat(FR(c, i), off);
                sum = sum * 31 + v;
            }
            if (maps_shared(c)) {
                uint32_t off = (uint32_t)((round * 7 + c) & 0x1ff) * 4;
                uint32_t v = rd(S((c + round) & 15) + off);
                bad += v != pg_pat(SHF((c + round) & 15), off);
                sum = sum * 31 + v;
            }
            wr(W(4) + 0x800 + (uint32_t)round * 4, (uint32_t)c << 16 | (uint32_t)round);
            wr(W(5) + 0x800 + (uint32_t)round * 4, rd(W(4) + 0x800 + (uint32_t)round * 4) + 1);
        }
    }
    for (int c = 0; c < NCTX; c++) {
        for (int round = 0; round < 64; round++) {
            uint32_t want = (uint32_t)c << 16 | (uint32_t)round;
            badw += rd(PG_FRAME(FR(c, 4)) + 0x800 + (uint32_t)round * 4) != want;
            badw += rd(PG_FRAME(FR(c, 5)) + 0x800 + (uint32_t)round * 4) != want + 1;
        }
    }
    check("ctx.rr.own", bad, 0);
    check("ctx.rr.cr3", badcr3, 0);
    check("ctx.rr.writes", badw, 0);
    result("ctx.rr.sum", sum);
}

/* ---- b. PTE edits of an inactive context --------------------------------- */
static void part_b(void)
{
    sw(1);                                   /* B: touch pages 3 and 4 */
    (void)rd(W(3) + 0x10);
    wr(W(4) + 0x10, 0x44440010);
    sw(0);                                   /* A */
    ctx_pt[1][0] = pte(SPARE(0));            /* remap */
    ctx_pt[1][1] = PG_FRAME(FR(1, 1)) | PTE_W | PTE_U;   /* not present */
    ctx_pt[1][2] = PG_FRAME(FR(1, 2)) | PTE_P | PTE_U;   /* read-only */
    ctx_pt[1][3] &= ~PTE_A;
    ctx_pt[1][4] &= ~PTE_D;
    result("ctx.b.pte3.cleared", ctx_pt[1][3] & ~PTE_A);
    result("ctx.b.pte4.cleared", ctx_pt[1][4]);
    chk("ctx.b.A.own0", W(0) + 0x20, FR(0, 0));
    chk("ctx.b.A.own1", W(1) + 0x24, FR(0, 1));
    sw(1);
    chk("ctx.b.remap", W(0) + 0x20, SPARE(0));
    pg_try("ctx.b.np.rd", 0, pg_rd32, W(1) + 0x24, 0, 14, 0, W(1) + 0x24, NULL);
    pg_try("ctx.b.np.wr", 0, pg_wr32, W(1) + 0x28, 5, 14, PFE_W, W(1) + 0x28, NULL);
    chk("ctx.b.ro.rd", W(2) + 0x2c, FR(1, 2));
    pg_try("ctx.b.ro.wr", 0, pg_wr32, W(2) + 0x30, 5, 14, PFE_P | PFE_W, W(2) + 0x30, NULL);
    check("ctx.b.ro.unchanged", rd(PG_FRAME(FR(1, 2)) + 0x30), pg_pat(FR(1, 2), 0x30));
    chk("ctx.b.a.rd", W(3) + 0x34, FR(1, 3));
    result("ctx.b.a.pte", ctx_pt[1][3]);
    check("ctx.b.a.set", ctx_pt[1][3] & PTE_A, PTE_A);
    check("ctx.b.d.rdval", rd(W(4) + 0x10), 0x44440010);
    result("ctx.b.d.pte.read", ctx_pt[1][4]);
    check("ctx.b.d.clear", ctx_pt[1][4] & PTE_D, 0);
    wr(W(4) + 0x3c, 0x1234);
    result("ctx.b.d.pte.write", ctx_pt[1][4]);
    check("ctx.b.d.set", ctx_pt[1][4] & PTE_D, PTE_D);
    sw(0);
    chk("ctx.b.A.after0", W(0) + 0x20, FR(0, 0));
    chk("ctx.b.A.after4", W(4) + 0x3c, FR(0, 4));
    check("ctx.b.d.frame", rd(PG_FRAME(FR(1, 4)) + 0x3c), 0x1234);
    /* restore B while inactive; writable again */
    ctx_pt[1][0] = pte(FR(1, 0));
    ctx_pt[1][1] = pte(FR(1, 1));
    ctx_pt[1][2] = pte(FR(1, 2));
    sw(1);
    chk("ctx.b.back0", W(0) + 0x20, FR(1, 0));
    chk("ctx.b.back1", W(1) + 0x24, FR(1, 1));
    pg_try("ctx.b.back.wr", 0, pg_wr32, W(2) + 0x30, 0x22220030, -1, 0, 0, NULL);
    check("ctx.b.back.wrval", rd(PG_FRAME(FR(1, 2)) + 0x30), 0x22220030);
    wr(W(2) + 0x30, pg_pat(FR(1, 2), 0x30));
    /* two inactive contexts edited alike, each sees its own edit */
    sw(0);
    ctx_pt[2][6] = pte(SPARE(1));
    ctx_pt[3][6] = pte(SPARE(2));
    sw(2);
    chk("ctx.b.two.2", W(6) + 0x50, SPARE(1));
    sw(3);
    chk("ctx.b.two.3", W(6) + 0x50, SPARE(2));
    sw(1);
    chk("ctx.b.two.1", W(6) + 0x50, FR(1, 6));
    ctx_pt[2][6] = pte(FR(2, 6));
    ctx_pt[3][6] = pte(FR(3, 6));
    sw(2);
    chk("ctx.b.two.2back", W(6) + 0x50, FR(2, 6));
    sw(3);
    chk("ctx.b.two.3back", W(6) + 0x50, FR(3, 6));
}

/* ---- c. PDE edits of an inactive context --------------------------------- */
static void part_c(void)
{
    uint32_t bad = 0;

    sw(2);
    chk("ctx.c.before", W(7) + 0x60, FR(2, 7));
    sw(0);
    ctx_pd[2][PG_WIN >> 22] = (uint32_t)alt_pt | PF;
    sw(2);
    for (int i = 0; i < NPG; i++) {
        bad += rd(W(i) + 0x64) != pg_pat(ALTF(i), 0x64);
    }
    check("ctx.c.alt", bad, 0);
    sw(0);
    chk("ctx.c.alt.A", W(7) + 0x60, FR(0, 7));
    ctx_pd[2][PG_WIN >> 22] = 0;
    sw(2);
    pg_try("ctx.c.np.rd", 0, pg_rd32, W(5) + 0x68, 0, 14, 0, W(5) + 0x68, NULL);
    pg_try("ctx.c.np.wr", 0, pg_wr32, W(9) + 0x6c, 1, 14, PFE_W, W(9) + 0x6c, NULL);
    sw(1);
    ctx_pd[2][PG_WIN >> 22] = (uint32_t)ctx_pt[2] | PTE_P | PTE_U;   /* read-only PDE */
    sw(2);
    chk("ctx.c.ro.rd", W(10) + 0x70, FR(2, 10));
    pg_try("ctx.c.ro.wr", 0, pg_wr32, W(10) + 0x74, 1, 14, PFE_P | PFE_W, W(10) + 0x74, NULL);
    sw(3);
    ctx_pd[2][PG_WIN >> 22] = (uint32_t)ctx_pt[2] | PF;
    sw(2);
    pg_try("ctx.c.rw.wr", 0, pg_wr32, W(10) + 0x74, 0x77770074, -1, 0, 0, NULL);
    check("ctx.c.rw.val", rd(PG_FRAME(FR(2, 10)) + 0x74), 0x77770074);
    wr(W(10) + 0x74, pg_pat(FR(2, 10), 0x74));
    /* a 4 MiB page of ctx 4, changed while ctx 4 is inactive */
    ctx_pd[4][PSE_VA >> 22] = PG_POOL | PTE_PS | PF;
    sw(4);
    chk("ctx.c.pse", PSE_VA + (PG_FRAME(12) - PG_POOL) + 0x7c, 12);
    sw(2);
    ctx_pd[4][PSE_VA >> 22] = (uint32_t)alt_pt | PF;
    sw(4);
    chk("ctx.c.pse.to.pt", PSE_VA + 12 * 4096 + 0x7c, ALTF(12));
    sw(2);
    ctx_pd[4][PSE_VA >> 22] = PG_POOL | PTE_PS | PTE_P | PTE_U;    /* read-only */
    sw(4);
    chk("ctx.c.pse.ro.rd", PSE_VA + (PG_FRAME(13) - PG_POOL) + 0x7c, 13);
    pg_try("ctx.c.pse.ro.wr", 0, pg_wr32, PSE_VA + 0x7c, 1, 14, PFE_P | PFE_W, PSE_VA + 0x7c, NULL);
    sw(2);
    ctx_pd[4][PSE_VA >> 22] = 0;
    sw(4);
    pg_try("ctx.c.pse.np", 0, pg_rd32, PSE_VA + 0x7c, 0, 14, 0, PSE_VA + 0x7c, NULL);
    /* the shared PDE added to / removed from an inactive context */
    sw(0);
    ctx_pd[2][PG_WIN2 >> 22] = (uint32_t)sh_pt | PF;
    ctx_pd[1][PG_WIN2 >> 22] = 0;
    sw(2);
    chk("ctx.c.sh.added", S(3) + 0x78, SHF(3));
    sw(1);
    pg_try("ctx.c.sh.removed", 0, pg_rd32, S(3) + 0x78, 0, 14, 0, S(3) + 0x78, NULL);
    sw(0);
    ctx_pd[2][PG_WIN2 >> 22] = 0;
    ctx_pd[1][PG_WIN2 >> 22] = (uint32_t)sh_pt | PF;
    sw(1);
    chk("ctx.c.sh.back", S(3) + 0x78, SHF(3));
    sw(2);
    pg_try("ctx.c.sh.gone", 0, pg_rd32, S(3) + 0x78, 0, 14, 0, S(3) + 0x78, NULL);
    /* a PDE moved to a copy of its table (same PTEs and A bits, PDE with
     * A set: a walk gives the same page), then the copy edited while the
     * context is inactive */
    sw(5);
    chk("ctx.c.cp.before", W(6) + 0x80, FR(5, 6));
    sw(0);
    memcpy(cp_pt, ctx_pt[5], 4096);
    ctx_pd[5][PG_WIN >> 22] = (uint32_t)cp_pt | PF | PTE_A;
    sw(5);
    chk("ctx.c.cp.same", W(6) + 0x80, FR(5, 6));
    sw(0);
    cp_pt[6] = pte(SPARE(20));
    sw(5);
    chk("ctx.c.cp.edit", W(6) + 0x80, SPARE(20));
    sw(0);
    ctx_pd[5][PG_WIN >> 22] = (uint32_t)ctx_pt[5] | PF;
    sw(5);
    chk("ctx.c.cp.back", W(6) + 0x80, FR(5, 6));
}

/* ---- d. the current context, then MOV CR3 of the same value --------------- */
static void part_d(void)
{
    sw(3);
    chk("ctx.d.prime", W(6) + 0x80, FR(3, 6));
    (void)rd(W(7) + 0x84);
    (void)rd(W(8) + 0x88);
    ctx_pt[3][6] = pte(SPARE(3));
    reload();
    chk("ctx.d.remap", W(6) + 0x80, SPARE(3));
    ctx_pt[3][7] = 0;
    reload();
    pg_try("ctx.d.np", 0, pg_rd32, W(7) + 0x84, 0, 14, 0, W(7) + 0x84, NULL);
    ctx_pt[3][8] &= ~PTE_W;
    reload();
    pg_try("ctx.d.ro", 0, pg_wr32, W(8) + 0x88, 1, 14, PFE_P | PFE_W, W(8) + 0x88, NULL);
    ctx_pd[3][PG_WIN >> 22] = (uint32_t)alt_pt | PF;
    reload();
    chk("ctx.d.pde", W(9) + 0x8c, ALTF(9));
    ctx_pd[3][PG_WIN >> 22] = (uint32_t)ctx_pt[3] | PF;
    write_cr3((uint32_t)ctx_pd[3] | CR3_FLAGS);    /* same PD, other CR3 bits */
    chk("ctx.d.pde.back", W(9) + 0x8c, FR(3, 9));
    ctx_pt[3][6] = pte(FR(3, 6));
    ctx_pt[3][7] = pte(FR(3, 7));
    ctx_pt[3][8] = pte(FR(3, 8));
    reload();
    chk("ctx.d.back6", W(6) + 0x80, FR(3, 6));
    chk("ctx.d.back7", W(7) + 0x84, FR(3, 7));
    pg_try("ctx.d.back8", 0, pg_wr32, W(8) + 0x88, pg_pat(FR(3, 8), 0x88), -1, 0, 0, NULL);
    /* edited while current, no flush, not touched; away and back */
    (void)rd(W(10) + 0x90);
    ctx_pt[3][10] = pte(SPARE(4));
    sw(4);
    chk("ctx.d.away", W(10) + 0x90, FR(4, 10));
    sw(3);
    chk("ctx.d.back", W(10) + 0x90, SPARE(4));
    ctx_pt[3][10] = pte(FR(3, 10));
    invlpg(W(10));
    chk("ctx.d.restored", W(10) + 0x90, FR(3, 10));
}

/* ---- e. shared page tables ----------------------------------------------- */
static void part_e(void)
{
    uint32_t kva = PG_FRAME(KF);

    sw(0);
    (void)rd(S(0));
    sw(1);
    (void)rd(S(0));
    sw(2);                                   /* maps no shared table */
    sh_pt[0] = pte(SPARE(5));
    sw(0);
    chk("ctx.e.none.0", S(0) + 0xa0, SPARE(5));
    sw(1);
    chk("ctx.e.none.1", S(0) + 0xa0, SPARE(5));
    sw(0);
    (void)rd(S(1) + 0xa4);
    sh_pt[1] = pte(SPARE(6));
    invlpg(S(1));
    chk("ctx.e.cur0.0", S(1) + 0xa4, SPARE(6));
    sw(1);
    chk("ctx.e.cur0.1", S(1) + 0xa4, SPARE(6));
    (void)rd(S(2) + 0xa8);
    sh_pt[2] = PG_FRAME(SHF(2)) | PTE_W | PTE_U;      /* not present, no flush */
    sw(0);
    pg_try("ctx.e.np.0", 0, pg_rd32, S(2) + 0xa8, 0, 14, 0, S(2) + 0xa8, NULL);
    sw(1);
    pg_try("ctx.e.np.1", 0, pg_rd32, S(2) + 0xa8, 0, 14, 0, S(2) + 0xa8, NULL);
    sw(0);
    sh_pt[3] = PG_FRAME(SHF(3)) | PTE_P | PTE_U;
    reload();
    pg_try("ctx.e.ro.0", 0, pg_wr32, S(3) + 0xac, 1, 14, PFE_P | PFE_W, S(3) + 0xac, NULL);
    sw(1);
    pg_try("ctx.e.ro.1", 0, pg_wr32, S(3) + 0xac, 1, 14, PFE_P | PFE_W, S(3) + 0xac, NULL);
    sw(0);
    wr(S(4) + 0xb0, 0xe0e0e0b0);             /* shared data */
    sw(1);
    check("ctx.e.data.1", rd(S(4) + 0xb0), 0xe0e0e0b0);
    wr(S(4) + 0xb0, pg_pat(SHF(4), 0xb0));
    for (int i = 0; i < 4; i++) {
        sh_pt[i] = pte(SHF(i));
    }
    sw(3);
    chk("ctx.e.restored", S(1) + 0xa4, SHF(1));

    /* ctx 3's window PDE points to ctx 0's private table */
    sw(2);
    ctx_pd[3][PG_WIN >> 22] = (uint32_t)ctx_pt[0] | PF;
    sw(3);
    chk("ctx.e.borrow", W(5) + 0xb4, FR(0, 5));
    ctx_pt[0][5] = pte(SPARE(7));            /* edited in 3, invlpg in 3 */
    invlpg(W(5));
    chk("ctx.e.borrow.edit3", W(5) + 0xb4, SPARE(7));
    sw(0);
    chk("ctx.e.borrow.edit0", W(5) + 0xb4, SPARE(7));
    ctx_pt[0][5] = pte(FR(0, 5));            /* edited in 0, no flush */
    sw(3);
    chk("ctx.e.borrow.back3", W(5) + 0xb4, FR(0, 5));
    sw(2);
    ctx_pd[3][PG_WIN >> 22] = (uint32_t)ctx_pt[3] | PF;
    sw(3);
    chk("ctx.e.borrow.own3", W(5) + 0xb4, FR(3, 5));

    /* the identity "kernel half": one page table in every directory */
    sw(2);
    *pg_id_pte(kva) = pte(KF - 1);
    sw(5);
    chk("ctx.e.kernel.5", kva + 0xb8, KF - 1);
    sw(6);
    chk("ctx.e.kernel.6", kva + 0xb8, KF - 1);
    *pg_id_pte(kva) = pte(KF);
    invlpg(kva);
    chk("ctx.e.kernel.6back", kva + 0xb8, KF);
    sw(7);
    chk("ctx.e.kernel.7", kva + 0xb8, KF);
}

/* ---- f. INVLPG in a context, away and back -------------------------------- */
static void part_f(void)
{
    sw(4);
    chk("ctx.f.prime", W(11) + 0xc0, FR(4, 11));
    ctx_pt[4][11] = pte(SPARE(8));
    invlpg(W(11));
    chk("ctx.f.new", W(11) + 0xc0, SPARE(8));
    wr(W(11) + 0xc4, 0xf0f000c4);
    sw(5);
    chk("ctx.f.other", W(11) + 0xc0, FR(5, 11));
    sw(4);
    chk("ctx.f.back", W(11) + 0xc0, SPARE(8));
    check("ctx.f.back.data", rd(W(11) + 0xc4), 0xf0f000c4);
    check("ctx.f.frame", rd(PG_FRAME(SPARE(8)) + 0xc4), 0xf0f000c4);
    check("ctx.f.oldframe", rd(PG_FRAME(FR(4, 11)) + 0xc4), pg_pat(FR(4, 11), 0xc4));
    ctx_pt[4][11] = 0;
    invlpg(W(11));
    pg_try("ctx.f.np", 0, pg_rd32, W(11) + 0xc8, 0, 14, 0, W(11) + 0xc8, NULL);
    sw(5);
    ctx_pt[4][11] = pte(SPARE(9));           /* edited again while inactive */
    sw(4);
    chk("ctx.f.again", W(11) + 0xc8, SPARE(9));
    ctx_pt[4][11] = pte(FR(4, 11));
    invlpg(W(11));
    wr(PG_FRAME(SPARE(8)) + 0xc4, pg_pat(SPARE(8), 0xc4));
}

/* ---- h. recycled directories, page tables seen as data ------------------- */
static void part_h(void)
{
    uint32_t bad = 0;

    /* ctx 6 "exits"; a new process gets the same PD and PT frames */
    sw(6);
    for (int i = 0; i < NPG; i++) {
        (void)rd(W(i));
    }
    sw(5);
    memset(ctx_pd[6], 0, 4096);
    memset(ctx_pt[6], 0, 4096);
    ctx_pd[6][0] = pg_pd[0];
    ctx_pd[6][1] = pg_pd[1];
    ctx_pd[6][PG_WIN >> 22] = (uint32_t)ctx_pt[6] | PF;
    for (int i = 0; i < NPG; i += 2) {
        ctx_pt[6][i] = pte(SPARE(15 - i / 2));
    }
    sw(6);
    for (int i = 0; i < NPG; i++) {
        if (i & 1) {
            PgAccess a = { W(i) + 0xd0, 0 };
            bad += trap_catch(pg_rd32, &a) != 14 || read_cr2() != W(i) + 0xd0 ||
                   last_trap.err != 0;
        } else {
            bad += rd(W(i) + 0xd0) != pg_pat(SPARE(15 - i / 2), 0xd0);
        }
    }
    check("ctx.h.recycled", bad, 0);
    pg_try("ctx.h.recycled.sh", 0, pg_rd32, S(0) + 0xd4, 0, 14, 0, S(0) + 0xd4, NULL);
    sw(5);
    memcpy(ctx_pd[6], pg_pd, 4096);
    ctx_pd[6][PG_WIN >> 22] = (uint32_t)ctx_pt[6] | PF;
    ctx_pd[6][PG_WIN2 >> 22] = (uint32_t)sh_pt | PF;
    for (int i = 0; i < NPG; i++) {
        ctx_pt[6][i] = pte(FR(6, i));
    }

    /* ctx 7's page table mapped as data at W(15) of ctx 6 and edited there */
    sw(7);
    chk("ctx.h.alias.before", W(12) + 0xd8, FR(7, 12));
    sw(6);
    ctx_pt[6][15] = (uint32_t)ctx_pt[7] | PF;
    invlpg(W(15));
    wr(W(15) + 12 * 4, pte(SPARE(10)));
    check("ctx.h.alias.pte", ctx_pt[7][12], pte(SPARE(10)));
    sw(7);
    chk("ctx.h.alias.after", W(12) + 0xd8, SPARE(10));
    sw(6);
    wr(W(15) + 12 * 4, pte(FR(7, 12)));
    ctx_pt[6][15] = pte(FR(6, 15));
    invlpg(W(15));
    sw(7);
    chk("ctx.h.alias.back", W(12) + 0xd8, FR(7, 12));

    /* ctx 7: self-mapped directory, its window PTEs at SELF_PT + 0x100000 */
    sw(0);
    ctx_pd[7][1023] = (uint32_t)ctx_pd[7] | PTE_P | PTE_W;
    sw(7);
    {
        volatile uint32_t *self = (volatile uint32_t *)(SELF_PT + (PG_WIN >> 10));
        check("ctx.h.self.read", self[9], ctx_pt[7][9]);
        chk("ctx.h.self.before", W(9) + 0xdc, FR(7, 9));
        self[9] = pte(SPARE(11));
        invlpg(W(9));
        chk("ctx.h.self.after", W(9) + 0xdc, SPARE(11));
        sw(0);
        chk("ctx.h.self.other", W(9) + 0xdc, FR(0, 9));
        sw(7);
        chk("ctx.h.self.back", W(9) + 0xdc, SPARE(11));
        self[9] = pte(FR(7, 9));
        invlpg(W(9));
        chk("ctx.h.self.restored", W(9) + 0xdc, FR(7, 9));
    }
    sw(0);
    ctx_pd[7][1023] = 0;
}

/* ---- g. randomized ------------------------------------------------------- */
#define M_P 0x100u
#define M_W 0x200u
#define NSLOT 8
#define SLOT_OFF(s) (0x100u + (uint32_t)(s) * 0x1f0u)
#define STEPS 4096                           /* per phase */

static uint32_t m_pt[NCTX][NPG];             /* frame | M_P | M_W */
static uint32_t m_sh[NPG];
static uint8_t m_pde[NCTX];
static uint32_t shadow[RF][NSLOT];
static uint32_t g_hash = 2166136261u, g_bad;

static void ghash(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        g_hash = (g_hash ^ (v & 0xff)) * 16777619u;
        v >>= 8;
    }
}

static uint32_t m_to_pte(uint32_t e)
{
    return PG_FRAME(RF0 + (e & 0xff)) | PTE_U | ((e & M_W) ? PTE_W : 0) | ((e & M_P) ? PTE_P : 0);
}

static void m_set_pde(int c)
{
    ctx_pd[c][PG_WIN2 >> 22] = m_pde[c] ? (uint32_t)sh_pt | PF : 0;
}

static void g_reset(int phase)
{
    for (int c = 0; c < NCTX; c++) {
        for (int i = 0; i < NPG; i++) {
            m_pt[c][i] = M_P | M_W | (uint32_t)((c * 5 + i + phase) % RF);
            ctx_pt[c][i] = m_to_pte(m_pt[c][i]);
        }
        ctx_pd[c][PG_WIN >> 22] = (uint32_t)ctx_pt[c] | PF;
        m_pde[c] = (uint8_t)maps_shared(c + phase);
        m_set_pde(c);
    }
    for (int i = 0; i < NPG; i++) {
        m_sh[i] = M_P | M_W | (uint32_t)((i * 7 + 3 + phase) % RF);
        sh_pt[i] = m_to_pte(m_sh[i]);
    }
    for (int f = 0; f < RF; f++) {
        for (int s = 0; s < NSLOT; s++) {
            shadow[f][s] = (uint32_t)phase << 24 | (uint32_t)f << 8 | (uint32_t)s;
            wr(PG_FRAME(RF0 + f) + SLOT_OFF(s), shadow[f][s]);
        }
    }
    reload();
}

static void g_flush(uint32_t r, uint32_t va)
{
    if (r & 1) {
        invlpg(va);
    } else {
        reload();
    }
}

static void g_mismatch(const char *name, uint32_t step, uint32_t got, uint32_t want)
{
    if (++g_bad <= 8) {
        printf("FAIL %s step=%u got=%08x want=%08x\n", name, step, got, want);
    }
}

static void g_access(uint32_t r, uint32_t step)
{
    int pg = (int)((r >> 8) & 31), slot = (int)((r >> 13) & 7);
    int write = ((r >> 16) & 3) == 0, ring3 = ((r >> 18) & 7) == 0;
    uint32_t va = (pg < NPG ? W(pg) : S(pg - NPG)) + SLOT_OFF(slot);
    uint32_t e, want_err = 0, val = r ^ (step * 0x9e3779b9u);
    int want_vec = -1, vec;
    PgAccess a = { va, val };

    if (pg >= NPG && !m_pde[cur]) {
        e = 0;
    } else {
        e = pg < NPG ? m_pt[cur][pg] : m_sh[pg - NPG];
    }
    if (!(e & M_P)) {
        want_vec = 14;
        want_err = write ? PFE_W : 0;
    } else if (write && !(e & M_W)) {
        want_vec = 14;
        want_err = PFE_P | PFE_W;
    }
    if (ring3) {
        want_err |= PFE_U;
        vec = ring3_run(write ? pg_wr32 : pg_rd32, &a);
        pgt_reload_kseg();
        if (vec == 0x80) {
            vec = -1;
        }
    } else {
        vec = trap_catch(write ? pg_wr32 : pg_rd32, &a);
    }
    ghash((uint32_t)vec);
    if (vec != want_vec) {
        g_mismatch("ctx.rand.vec", step, (uint32_t)vec, (uint32_t)want_vec);
        return;
    }
    if (vec == 14) {
        ghash(last_trap.err);
        if (last_trap.err != want_err) {
            g_mismatch("ctx.rand.err", step, last_trap.err, want_err);
        }
        if (read_cr2() != va) {
            g_mismatch("ctx.rand.cr2", step, read_cr2(), va);
        }
        return;
    }
    if (write) {
        shadow[e & 0xff][slot] = val;
    } else {
        ghash(a.val);
        if (a.val != shadow[e & 0xff][slot]) {
            g_mismatch("ctx.rand.val", step, a.val, shadow[e & 0xff][slot]);
        }
    }
}

static void part_g(void)
{
    uint32_t seed = 0x2545f491u, counts[5] = { 0 };

    for (int phase = 0; phase < 4; phase++) {
        int nctx = 5 + phase;
        uint32_t fbad = 0;

        sw(0);
        g_reset(phase);
        for (uint32_t step = 0; step < STEPS; step++) {
            uint32_t r = pg_rand(&seed), op = r & 255;
            if (op < 24) {                   /* CR3 switch (maybe to itself) */
                int c = (int)((r >> 8) % (uint32_t)nctx);
                uint32_t cr3 = (uint32_t)ctx_pd[c] | (((r >> 12) & 3) == 0 ? CR3_FLAGS : 0);
                write_cr3(cr3);
                cur = c;
                ghash(0xc3000000u | (uint32_t)c);
                counts[0]++;
            } else if (op < 80) {            /* private PTE edit */
                int c = (int)((r >> 8) % (uint32_t)nctx), i = (int)((r >> 12) & 15);
                uint32_t e = (r >> 16) % RF | (((r >> 24) & 7) ? M_P : 0) | (((r >> 27) & 3) ? M_W : 0);
                m_pt[c][i] = e;
                ctx_pt[c][i] = m_to_pte(e);
                if (c == cur) {
                    g_flush(r >> 30, W(i));
                }
                counts[1]++;
            } else if (op < 92) {            /* shared PTE edit */
                int i = (int)((r >> 12) & 15);
                uint32_t e = (r >> 16) % RF | (((r >> 24) & 7) ? M_P : 0) | (((r >> 27) & 3) ? M_W : 0);
                m_sh[i] = e;
                sh_pt[i] = m_to_pte(e);
                if (m_pde[cur]) {
                    g_flush(r >> 30, S(i));
                }
                counts[2]++;
            } else if (op < 98) {            /* shared PDE toggled */
                int c = (int)((r >> 8) % (uint32_t)nctx);
                m_pde[c] ^= 1;
                m_set_pde(c);
                if (c == cur) {
                    reload();
                }
                counts[3]++;
            } else {
                g_access(r, step);
                counts[4]++;
            }
            if ((step & 2047) == 2047) {
                resultf("ctx.rand.p%d.s%u hash=%08x cur=%d", phase, step + 1, g_hash, cur);
            }
        }
        for (int f = 0; f < RF; f++) {
            for (int s = 0; s < NSLOT; s++) {
                fbad += rd(PG_FRAME(RF0 + f) + SLOT_OFF(s)) != shadow[f][s];
            }
        }
        check("ctx.rand.frames", fbad, 0);
    }
    resultf("ctx.rand.ops switch=%u pte=%u shpte=%u pde=%u access=%u", counts[0], counts[1],
            counts[2], counts[3], counts[4]);
    check("ctx.rand.mismatches", g_bad, 0);
}

void kmain(void)
{
    pg_setup32();
    for (int i = 0; i < NFILL; i++) {
        pg_fill_frame(i);
    }
    build();
    write_cr0(read_cr0() | CR0_WP);
    part_a();
    part_b();
    part_c();
    part_d();
    part_e();
    part_f();
    part_h();
    /* all contexts rebuilt: every context sees its own frames again */
    build();
    sw(0);
    {
        uint32_t bad = 0;
        for (int c = NCTX - 1; c >= 0; c--) {
            sw(c);
            for (int i = 0; i < NPG; i++) {
                bad += rd(W(i) + 0x1c) != pg_pat(FR(c, i), 0x1c);
            }
        }
        check("ctx.rebuilt", bad, 0);
    }
    part_g();
    write_cr3((uint32_t)pg_pd);
    write_cr0(read_cr0() & ~CR0_WP);
    finish(0x355b5580);
}
