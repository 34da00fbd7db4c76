/*
 * pg_ctxtlb: address-space switches seen through the accesses that C
 * helpers make (REP MOVS/STOS/LODS/CMPS: under hamt they go through the
 * softmmu TLB, which hamt86 keeps per cached context), besides plain and
 * page-crossing accesses.  Four page directories share the identity map
 * 0..8 MiB; each has a private page table at PG_WIN (16 pages on pool
 * frames of its own); all share a page table at PG_WIN2 whose pages are
 * global (PTE.G, CR4.PGE).  Only architecturally defined behaviour is
 * printed: MOV CR3 flushes every non-global translation, INVLPG the page
 * named (global or not) in every address space, a CR4.PGE toggle all.
 *   a. round-robin switches, each context reading and writing its pages
 *      through the helpers: each sees and writes its own frames;
 *   b. a PTE of context A edited while B runs (through the identity map
 *      and through a REP STOS into A's page table mapped in B), with and
 *      without INVLPG in B; back in A the helpers see the new frame, a
 *      not-present page faults (CR2) and a read-only one faults on a
 *      REP STOS with CR0.WP=1;
 *   c. A's own PTE edited, then MOV CR3 of the same value;
 *   d. a global page: edited in the shared table while B runs, INVLPG
 *      there, A sees the new frame; edited again, CR4.PGE toggled, A sees
 *      it too;
 *   e. a randomized loop (xorshift32): switches, PTE edits of current
 *      (then MOV CR3 or INVLPG) and inactive contexts, through the
 *      identity map or a helper store, helper and page-crossing reads
 *      checked against a model; a hash printed at the end.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_ctxtlb";

#define NCTX 4
#define NPG  16
#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define S(i) (PG_WIN2 + (uint32_t)(i) * 4096u)
#define FR(c, i) ((c) * NPG + (i))           /* pool frame of ctx c, page i */
#define SPARE(i) (64 + (i))                  /* 64..95 */
#define SHF(i) (96 + (i))                    /* frames of sh_pt, 96..111 */
#define PTWIN 15                             /* W(15) in ctx 1: ctx 0's PT */
#define PF (PTE_P | PTE_W | PTE_U)

static uint32_t ctx_pd[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t ctx_pt[NCTX][1024] __attribute__((aligned(4096)));
static uint32_t sh_pt[1024] __attribute__((aligned(4096)));
static uint32_t buf[64];

static void sw(int c) { write_cr3((uint32_t)ctx_pd[c]); }
static void reload(void) { write_cr3(read_cr3()); }
static uint32_t pte(int frame) { return PG_FRAME(frame) | PF; }

/* REP MOVSD: n dwords from linear src to dst. */
static void hcopy(void *dst, uint32_t src, uint32_t n)
{
    void *d = dst;
    uint32_t s = src, c = n;

    __asm__ volatile("cld; rep movsl" : "+D"(d), "+S"(s), "+c"(c) :: "memory");
}

/* One dword read by REP LODSD (count 1). */
static uint32_t hrd(uint32_t va)
{
    uint32_t v, s = va, c = 1;

    __asm__ volatile("cld; rep lodsl" : "=a"(v), "+S"(s), "+c"(c) :: "memory");
    return v;
}

/* n dwords of v stored by REP STOSD. */
static void hwr(uint32_t va, uint32_t v, uint32_t n)
{
    uint32_t d = va, c = n;

    __asm__ volatile("cld; rep stosl" : "+D"(d), "+c"(c) : "a"(v) : "memory");
}

/* REPE CMPSD of n (> 0) dwords: 0 when all were equal. */
static uint32_t hcmp(uint32_t a, uint32_t b, uint32_t n)
{
    uint32_t s = a, d = b, c = n;
    uint8_t ne;

    __asm__ volatile("cld; repe cmpsl; setne %3"
                     : "+S"(s), "+D"(d), "+c"(c), "=q"(ne) :: "memory", "cc");
    return c + ne;
}

/* pg_expect thunks: a helper read / write of one dword. */
static void h_rd32(void *p)
{
    PgAccess *a = p;
    a->val = hrd(a->addr);
}
static void h_wr32(void *p)
{
    PgAccess *a = p;
    hwr(a->addr, a->val, 1);
}

/* A dword at va read with a plain (possibly page-crossing) load. */
static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }

/* The byte at off of frame f as pg_fill_frame wrote it. */
static uint32_t pat_byte(int f, uint32_t off)
{
    return (pg_pat(f, off & ~3u) >> (8 * (off & 3))) & 0xff;
}

/* The dword at page offset off (4093..4095) across frames f then g. */
static uint32_t pat_cross(int f, int g, uint32_t off)
{
    uint32_t v = 0;

    for (uint32_t k = 0; k < 4; k++) {
        uint32_t o = off + k;
        v |= (o < 4096 ? pat_byte(f, o) : pat_byte(g, o - 4096)) << (8 * k);
    }
    return v;
}

/* Page i of the window holds frame f: helper reads at off agree. */
static void chk(const char *name, uint32_t va, int f)
{
    check(name, hrd(va), pg_pat(f, va & 0xffcu));
}

static void build(void)
{
    for (int c = 0; c < NCTX; c++) {
        memcpy(ctx_pd[c], pg_pd, 4096);
        memset(ctx_pt[c], 0, 4096);
        for (int i = 0; i < NPG; i++) {
            ctx_pt[c][i] = pte(FR(c, i));
        }
        ctx_pd[c][PG_WIN >> 22] = (uint32_t)ctx_pt[c] | PF;
        ctx_pd[c][PG_WIN2 >> 22] = (uint32_t)sh_pt | PF;
    }
    /* ctx 1 maps ctx 0's page table as data at W(PTWIN) */
    ctx_pt[1][PTWIN] = (uint32_t)ctx_pt[0] | PF;
    memset(sh_pt, 0, 4096);
    for (int i = 0; i < NPG; i++) {
        sh_pt[i] = pte(SHF(i)) | PTE_G;
    }
}

/* ---- a. round robin ------------------------------------------------------ */
static void part_a(void)
{
    uint32_t bad = 0, badw = 0, sum = 0;

    for (int round = 0; round < 48; round++) {
        for (int k = 0; k < NCTX; k++) {
            int c = (round & 1) ? NCTX - 1 - k : k;
            sw(c);
            for (int i = 0; i < 8; i++) {
                uint32_t off = (uint32_t)((round * 5 + i * 3 + c) & 0x1ff) * 4;
                hcopy(buf, W(i) + off, 4);
                for (int j = 0; j < 4; j++) {
                    bad += buf[j] != pg_pat(FR(c, i), off + 4u * (uint32_t)j);
                    sum = sum * 31 + buf[j];
                }
            }
            bad += hrd(S(round & 7) + 0x40) != pg_pat(SHF(round & 7), 0x40);
            bad += rd(W(8) + 4095) != pat_cross(FR(c, 8), FR(c, 9), 4095);
            hwr(W(10) + 0x800 + (uint32_t)round * 8, (uint32_t)c << 16 | (uint32_t)round, 2);
            bad += hcmp(W(10) + 0x800 + (uint32_t)round * 8,
                        PG_FRAME(FR(c, 10)) + 0x800 + (uint32_t)round * 8, 2) != 0;
        }
    }
    for (int c = 0; c < NCTX; c++) {
        for (int round = 0; round < 48; round++) {
            badw += rd(PG_FRAME(FR(c, 10)) + 0x800 + (uint32_t)round * 8 + 4) !=
                    ((uint32_t)c << 16 | (uint32_t)round);
        }
    }
    check("tlb.rr.own", bad, 0);
    check("tlb.rr.writes", badw, 0);
    result("tlb.rr.sum", sum);
}

/* ---- b. edits of an inactive context ------------------------------------ */
static void part_b(void)
{
    sw(0);                                   /* A caches pages 0..5 */
    for (int i = 0; i < 6; i++) {
        chk("tlb.b.A.warm", W(i) + 0x100, FR(0, i));
    }
    sw(1);                                   /* B */
    chk("tlb.b.B.own0", W(0) + 0x100, FR(1, 0));
    ctx_pt[0][0] = pte(SPARE(0));            /* identity map, no INVLPG */
    ctx_pt[0][1] = pte(SPARE(1));
    invlpg(W(1));                            /* INVLPG of B's own page */
    hwr(W(PTWIN) + 2 * 4, pte(SPARE(2)), 1); /* helper store into A's PT */
    ctx_pt[0][3] = PG_FRAME(FR(0, 3)) | PTE_W | PTE_U;   /* not present */
    hwr(W(PTWIN) + 4 * 4, PG_FRAME(FR(0, 4)) | PTE_P | PTE_U, 1);  /* RO */
    chk("tlb.b.B.own1", W(1) + 0x104, FR(1, 1));
    chk("tlb.b.B.own2", W(2) + 0x108, FR(1, 2));
    result("tlb.b.pte2", ctx_pt[0][2]);
    sw(0);
    chk("tlb.b.remap0", W(0) + 0x100, SPARE(0));
    chk("tlb.b.remap1", W(1) + 0x104, SPARE(1));
    chk("tlb.b.remap2", W(2) + 0x108, SPARE(2));
    check("tlb.b.remap2.plain", rd(W(2) + 0x10c), pg_pat(SPARE(2), 0x10c));
    check("tlb.b.cross", rd(W(1) + 4094), pat_cross(SPARE(1), SPARE(2), 4094));
    {
        PgAccess a = { W(3) + 0x110, 0 };
        pg_expect("tlb.b.np", 0, h_rd32, &a, 14, 0, W(3) + 0x110);
    }
    write_cr0(read_cr0() | CR0_WP);
    chk("tlb.b.ro.rd", W(4) + 0x114, FR(0, 4));
    {
        PgAccess a = { W(4) + 0x118, 0x5a5a };
        pg_expect("tlb.b.ro.wr", 0, h_wr32, &a, 14, PFE_P | PFE_W, W(4) + 0x118);
    }
    write_cr0(read_cr0() & ~CR0_WP);
    /* B edits A back (helper stores), A sees its own frames again */
    sw(1);
    for (int i = 0; i < 5; i++) {
        hwr(W(PTWIN) + (uint32_t)i * 4, pte(FR(0, i)), 1);
    }
    sw(0);
    for (int i = 0; i < 6; i++) {
        chk("tlb.b.back", W(i) + 0x120, FR(0, i));
    }
    check("tlb.b.back.cross", rd(W(3) + 4095), pat_cross(FR(0, 3), FR(0, 4), 4095));
    /* a stale helper store would hit B's frame: A's store must land in A's */
    sw(1);
    hwr(W(5) + 0x200, 0xb0b0b0b0u, 1);
    sw(0);
    hwr(W(5) + 0x200, 0xa0a0a0a0u, 1);
    check("tlb.b.st.A", rd(PG_FRAME(FR(0, 5)) + 0x200), 0xa0a0a0a0u);
    check("tlb.b.st.B", rd(PG_FRAME(FR(1, 5)) + 0x200), 0xb0b0b0b0u);
    hwr(W(5) + 0x200, pg_pat(FR(0, 5), 0x200), 1);
    sw(1);
    hwr(W(5) + 0x200, pg_pat(FR(1, 5), 0x200), 1);
}

/* ---- c. own PTE, same CR3 ------------------------------------------------ */
static void part_c(void)
{
    sw(2);
    chk("tlb.c.own", W(6) + 0x130, FR(2, 6));
    ctx_pt[2][6] = pte(SPARE(3));
    reload();
    chk("tlb.c.reload", W(6) + 0x130, SPARE(3));
    ctx_pt[2][6] = pte(FR(2, 6));
    invlpg(W(6));
    chk("tlb.c.invlpg", W(6) + 0x134, FR(2, 6));
    sw(3);
    sw(2);
    chk("tlb.c.away", W(6) + 0x138, FR(2, 6));
}

/* ---- d. global pages ------------------------------------------------------ */
static void part_d(void)
{
    write_cr4(read_cr4() | CR4_PGE);
    sw(0);
    chk("tlb.d.A.g", S(3) + 0x140, SHF(3));
    sw(1);
    chk("tlb.d.B.g", S(3) + 0x144, SHF(3));
    sh_pt[3] = pte(SPARE(4)) | PTE_G;
    invlpg(S(3));
    chk("tlb.d.B.new", S(3) + 0x148, SPARE(4));
    sw(0);
    chk("tlb.d.A.new", S(3) + 0x14c, SPARE(4));
    sw(1);
    sh_pt[3] = pte(SHF(3)) | PTE_G;
    write_cr4(read_cr4() & ~CR4_PGE);
    write_cr4(read_cr4() | CR4_PGE);
    chk("tlb.d.B.pge", S(3) + 0x150, SHF(3));
    sw(0);
    chk("tlb.d.A.pge", S(3) + 0x154, SHF(3));
    /* a global page made non-global and remapped: a CR3 load drops it */
    sh_pt[5] = pte(SHF(5));
    invlpg(S(5));
    chk("tlb.d.ng", S(5) + 0x158, SHF(5));
    sw(2);
    sh_pt[5] = pte(SPARE(5));
    sw(0);
    chk("tlb.d.ng.new", S(5) + 0x15c, SPARE(5));
    sh_pt[5] = pte(SHF(5)) | PTE_G;
    write_cr4(read_cr4() & ~CR4_PGE);
}

/* ---- e. random ------------------------------------------------------------ */
static void part_e(void)
{
    uint32_t seed = 0x2545f491u, bad = 0, sum = 0;
    int map[NCTX][8];
    int cur = 0;

    for (int c = 0; c < NCTX; c++) {
        for (int i = 0; i < 8; i++) {
            map[c][i] = FR(c, i);
            ctx_pt[c][i] = pte(FR(c, i));
        }
    }
    sw(0);
    for (int step = 0; step < 3000; step++) {
        uint32_t r = pg_rand(&seed);
        int op = (int)(r & 7), c = (int)((r >> 3) & 3), i = (int)((r >> 5) & 7);
        int f = (r >> 8) & 1 ? SPARE(8 + ((r >> 9) & 15)) : FR(c, i);
        uint32_t off = ((r >> 13) & 0x3ff) * 4;

        switch (op) {
        case 0: case 1:                      /* switch */
            sw(c);
            cur = c;
            break;
        case 2:                              /* edit, identity map */
            ctx_pt[c][i] = pte(f);
            map[c][i] = f;
            if (c == cur) {
                if ((r >> 23) & 1) {
                    invlpg(W(i));
                } else {
                    reload();
                }
            }
            break;
        case 3:                              /* edit, helper store */
            hwr((uint32_t)&ctx_pt[c][i], pte(f), 1);
            map[c][i] = f;
            if (c == cur) {
                reload();
            }
            break;
        case 4: case 5: {                    /* helper reads */
            uint32_t o = off & 0xfe0u;
            hcopy(buf, W(i) + o, 8);
            for (int j = 0; j < 8; j++) {
                bad += buf[j] != pg_pat(map[cur][i], o + 4u * (uint32_t)j);
                sum = sum * 31 + buf[j];
            }
            break;
        }
        case 6:                              /* page-crossing read */
            if (i < 7) {
                uint32_t o = 4093 + (r >> 13) % 3;
                uint32_t v = rd(W(i) + o);
                bad += v != pat_cross(map[cur][i], map[cur][i + 1], o);
                sum = sum * 31 + v;
            }
            break;
        default:                             /* helper compare */
            bad += hcmp(W(i) + off, PG_FRAME(map[cur][i]) + off, 1) != 0;
            sum = sum * 31 + hrd(W(i) + off);
            break;
        }
    }
    check("tlb.e.model", bad, 0);
    result("tlb.e.sum", sum);
}

void kmain(void)
{
    pg_setup32();
    for (int f = 0; f < 112; f++) {
        pg_fill_frame(f);
    }
    build();
    part_a();
    part_b();
    part_c();
    part_d();
    part_e();
    sw(0);
    write_cr3((uint32_t)pg_pd);
    finish(0x23d5208e);
}
