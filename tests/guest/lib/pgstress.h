/*
 * hamt86 guest test kernels: the randomized page-table stress engine shared
 * by pgstress.c and pg_hamtstress.c (include after lib.h and pgt.h).
 *
 * Two page directories (A and B) share the identity map 0..8 MiB and have
 * a private window page table each at PG_WIN; both also map a shared window
 * page table at PG_WIN2.  NV virtual pages per window map NF pool frames
 * with random P/W/U.  Every PTE edit of the current address space is
 * followed by INVLPG (edits of the other directory's private table are
 * flushed by the MOV CR3 that switches to it), so every outcome is
 * architecturally defined.  A software model (PTEs + a shadow copy of the
 * frames) predicts each access: the value, or the #PF vector, error code
 * and CR2.  Mismatches are printed as FAIL lines (the first few); the
 * outcomes of all operations are folded into a hash printed at the end
 * together with per-kind counts.  A/D bits are not part of the model.
 */
#ifndef GUEST_PGSTRESS_H
#define GUEST_PGSTRESS_H

#define ST_NV 48                       /* virtual pages per window */
#define ST_NF 24                       /* pool frames */
#define ST_F0 128                      /* first pool frame index */
#define ST_CODE 0xf00u                 /* code slot offset in each frame */

typedef struct StressCfg {
    const char *name;
    uint32_t seed, ops;
    /* weights out of 256 */
    unsigned w_remap, w_cr3, w_wp, w_code, w_smc;   /* the rest: data access */
    unsigned cross16;                  /* crossing accesses per 16 */
    unsigned ring3_4;                  /* ring-3 accesses per 4 */
} StressCfg;

static uint32_t st_pd[2][1024] __attribute__((aligned(4096)));
static uint32_t st_pt[2][1024] __attribute__((aligned(4096)));
static uint32_t st_pt_shared[1024] __attribute__((aligned(4096)));
static uint8_t st_shadow[ST_NF][4096];
static uint32_t st_model[3][ST_NV];   /* [0]=A, [1]=B private, [2]=shared */
static int st_cur, st_wp;
static uint32_t st_hash = 2166136261u;
static unsigned st_mism, st_faults, st_n[8];

static void st_h(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        st_hash ^= (v >> (8 * i)) & 0xff;
        st_hash *= 16777619u;
    }
}

static uint32_t st_frame_pa(int f) { return PG_FRAME(ST_F0 + f); }

/* Model PTE for a window VA in the current space (NULL if outside). */
static uint32_t *st_pte_for(uint32_t va)
{
    uint32_t vp = (va - PG_WIN) >> 12;

    if (va - PG_WIN < ST_NV * 4096u) {
        return &st_model[st_cur][vp];
    }
    vp = (va - PG_WIN2) >> 12;
    if (va - PG_WIN2 < ST_NV * 4096u) {
        return &st_model[2][vp];
    }
    return NULL;
}

static uint32_t *st_hw_pte(int table, int vp)
{
    return table == 2 ? &st_pt_shared[vp] : &st_pt[table][vp];
}

static uint32_t st_va(int table, int vp)
{
    return (table == 2 ? PG_WIN2 : PG_WIN) + (uint32_t)vp * 4096u;
}

/* Write a PTE in model and hardware, with the INVLPG it needs. */
static void st_set_pte(int table, int vp, uint32_t pte)
{
    st_model[table][vp] = pte;
    *st_hw_pte(table, vp) = pte;
    if (table == 2 || table == st_cur) {
        invlpg(st_va(table, vp));
    }
}

static int st_frame_of(uint32_t pte)
{
    return (int)(((pte & ~0xfffu) - st_frame_pa(0)) >> 12);
}

/* Predict one access of size bytes; returns -1 or 14 with *err, *cr2. */
static int st_predict(uint32_t va, int size, int write, int ring3, uint32_t *err, uint32_t *cr2)
{
    uint32_t pages[2] = { va & ~0xfffu, (va + (uint32_t)size - 1) & ~0xfffu };
    int np = pages[0] == pages[1] ? 1 : 2;

    for (int i = 0; i < np; i++) {
        uint32_t *pte = st_pte_for(pages[i]);
        uint32_t e = (write ? PFE_W : 0) | (ring3 ? PFE_U : 0);
        uint32_t a = i == 0 ? va : pages[1];
        if (!pte || !(*pte & PTE_P)) {
            *err = e;
            *cr2 = a;
            return 14;
        }
        if ((ring3 && !(*pte & PTE_U)) ||
            (write && !(*pte & PTE_W) && (ring3 || st_wp))) {
            *err = e | PFE_P;
            *cr2 = a;
            return 14;
        }
    }
    return -1;
}

static uint8_t *st_shadow_byte(uint32_t va)
{
    return &st_shadow[st_frame_of(*st_pte_for(va & ~0xfffu))][va & 0xfff];
}

static void st_fail(const char *what, uint32_t op, uint32_t got, uint32_t want)
{
    st_mism++;
    if (st_mism <= 8) {
        printf("FAIL stress.%s op=%u got=%08x want=%08x\n", what, op, got, want);
    }
}

static void st_switch(int to)
{
    st_cur = to;
    write_cr3((uint32_t)st_pd[to]);
}

/* A VA (in either window) currently mapping frame f with at least flags. */
static int st_find_va(int f, uint32_t flags, uint32_t *va, uint32_t *seed)
{
    int start = (int)(pg_rand(seed) % (2 * ST_NV));

    for (int k = 0; k < 2 * ST_NV; k++) {
        int i = (start + k) % (2 * ST_NV);
        int table = i < ST_NV ? st_cur : 2;
        uint32_t pte = st_model[table][i % ST_NV];
        if ((pte & (PTE_P | flags)) == (PTE_P | flags) && st_frame_of(pte) == f) {
            *va = st_va(table, i % ST_NV);
            return 1;
        }
    }
    return 0;
}

static uint32_t st_random_pte(uint32_t *seed)
{
    uint32_t r = pg_rand(seed);
    uint32_t pte = st_frame_pa((int)(r % ST_NF));

    if ((r >> 8) & 7) {
        pte |= PTE_P;
    }
    if ((r >> 12) & 1) {
        pte |= PTE_W;
    }
    if ((r >> 13) & 3) {
        pte |= PTE_U;
    }
    return pte;
}

static void stress_run(const StressCfg *c)
{
    uint32_t seed = c->seed;

    resultf("%s seed=%08x ops=%u", c->name, c->seed, c->ops);
    /* address spaces */
    for (int s = 0; s < 2; s++) {
        memset(st_pd[s], 0, 4096);
        st_pd[s][0] = pg_pd[0];
        st_pd[s][1] = pg_pd[1];
        st_pd[s][PG_WIN >> 22] = (uint32_t)st_pt[s] | PTE_P | PTE_W | PTE_U;
        st_pd[s][PG_WIN2 >> 22] = (uint32_t)st_pt_shared | PTE_P | PTE_W | PTE_U;
        memset(st_pt[s], 0, 4096);
    }
    memset(st_pt_shared, 0, 4096);
    memset(st_model, 0, sizeof(st_model));
    for (int f = 0; f < ST_NF; f++) {
        for (int j = 0; j < 4096; j++) {
            st_shadow[f][j] = (uint8_t)(pg_rand(&seed));
        }
        /* every frame starts with a valid code slot */
        st_shadow[f][ST_CODE] = 0xb8;
        st_shadow[f][ST_CODE + 5] = 0xc3;
        memcpy((void *)st_frame_pa(f), st_shadow[f], 4096);
    }
    st_cur = 0;
    st_wp = 0;
    write_cr0(read_cr0() & ~CR0_WP);
    write_cr3((uint32_t)st_pd[0]);
    for (int t = 0; t < 3; t++) {
        for (int v = 0; v < ST_NV; v++) {
            uint32_t pte = st_random_pte(&seed);
            st_model[t][v] = pte;
            *st_hw_pte(t, v) = pte;
        }
    }
    write_cr3((uint32_t)st_pd[0]);

    for (uint32_t op = 0; op < c->ops; op++) {
        uint32_t r = pg_rand(&seed) & 255;
        unsigned w = 0;

        if (r < (w += c->w_remap)) {
            int table = (pg_rand(&seed) & 3) == 0 ? 2 : (int)(pg_rand(&seed) & 1);
            int vp = (int)(pg_rand(&seed) % ST_NV);
            st_set_pte(table, vp, st_random_pte(&seed));
            st_h(0x1000000u | (uint32_t)table << 8 | (uint32_t)vp);
            st_n[0]++;
        } else if (r < (w += c->w_cr3)) {
            st_switch(st_cur ^ 1);
            st_h(0x2000000u | (uint32_t)st_cur);
            st_n[1]++;
        } else if (r < (w += c->w_wp)) {
            st_wp ^= 1;
            write_cr0(st_wp ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
            st_h(0x3000000u | (uint32_t)st_wp);
            st_n[2]++;
        } else if (r < (w += c->w_code + c->w_smc)) {
            /* write new code into a frame (through a writable alias if
             * one exists, else through the identity map when this is not
             * the SMC kind), then call it through an executable VA */
            int f = (int)(pg_rand(&seed) % ST_NF);
            int smc = r >= w - c->w_smc;
            uint32_t wva, xva, imm = pg_rand(&seed), got;
            if (smc) {
                if (!st_find_va(f, PTE_W, &wva, &seed)) {
                    wva = st_frame_pa(f);
                }
                *(volatile uint32_t *)(wva + ST_CODE + 1) = imm;
                memcpy(&st_shadow[f][ST_CODE + 1], &imm, 4);
                st_n[4]++;
            } else {
                memcpy(&imm, &st_shadow[f][ST_CODE + 1], 4);
                st_n[3]++;
            }
            if (st_find_va(f, 0, &xva, &seed)) {
                PgAccess a = { xva + ST_CODE, 0 };
                int vec = trap_catch(pg_call, &a);
                got = vec < 0 ? a.val : 0xdead0000u | (uint32_t)vec;
                if (got != imm) {
                    st_fail("code", op, got, imm);
                }
                st_h(got);
            } else {
                st_h(0x4000000u);
            }
        } else {
            /* data access */
            uint32_t r2 = pg_rand(&seed);
            int table = (r2 & 7) == 0 ? 2 : st_cur;
            int vp = (int)((r2 >> 3) % ST_NV);
            int kind = (int)((r2 >> 10) & 3);        /* rd32 wr32 rd8 wr8 */
            int ring3 = (int)((r2 >> 12) & 3) < (int)c->ring3_4;
            int size = kind & 2 ? 1 : 4;
            int write = kind & 1;
            uint32_t off = ((r2 >> 14) % (ST_CODE / 4)) * 4 + (size == 1 ? (r2 >> 28) & 3 : 0);
            uint32_t va, err = 0, cr2 = 0, val = pg_rand(&seed);
            int want;

            if (size == 4 && ((r2 >> 26) & 15) < c->cross16) {
                off = 0xffd + (r2 >> 24) % 3;            /* crosses a page */
            }
            va = st_va(table, vp) + off;
            want = st_predict(va, size, write, ring3, &err, &cr2);
            PgAccess a = { va, val };
            void (*fn)(void *) = kind == 0 ? pg_rd32 : kind == 1 ? pg_wr32 : kind == 2 ? pg_rd8 : pg_wr8;
            int vec = ring3 ? ring3_run(fn, &a) : trap_catch(fn, &a);
            if (ring3 && vec == 0x80) {
                vec = -1;
            }
            if (vec != want) {
                st_fail("vec", op, (uint32_t)vec, (uint32_t)want);
            } else if (vec == 14) {
                if (last_trap.err != err) {
                    st_fail("err", op, last_trap.err, err);
                }
                if (read_cr2() != cr2) {
                    st_fail("cr2", op, read_cr2(), cr2);
                }
                st_faults++;
                st_h(0x0e000000u | err);
                st_h(read_cr2() - PG_WIN);
            } else if (write) {
                for (int i = 0; i < size; i++) {
                    *st_shadow_byte(va + (uint32_t)i) = (uint8_t)(val >> (8 * i));
                }
                st_h(0x5000000u);
            } else {
                uint32_t e = 0;
                for (int i = 0; i < size; i++) {
                    e |= (uint32_t)*st_shadow_byte(va + (uint32_t)i) << (8 * i);
                }
                if (a.val != e) {
                    st_fail("val", op, a.val, e);
                }
                st_h(a.val);
            }
            st_n[5 + (ring3 ? 1 : 0)]++;
        }
    }
    /* final memory state against the shadow */
    {
        unsigned bad = 0;
        for (int f = 0; f < ST_NF; f++) {
            bad += memcmp((void *)st_frame_pa(f), st_shadow[f], 4096) != 0;
            for (int j = 0; j < 4096; j += 4) {
                uint32_t x;
                memcpy(&x, &st_shadow[f][j], 4);
                st_h(x);
            }
        }
        check("stress.memory", bad, 0);
    }
    write_cr0(read_cr0() & ~CR0_WP);
    write_cr3((uint32_t)pg_pd);
    resultf("%s counts remap=%u cr3=%u wp=%u code=%u smc=%u r0=%u r3=%u faults=%u",
            c->name, st_n[0], st_n[1], st_n[2], st_n[3], st_n[4], st_n[5], st_n[6], st_faults);
    check("stress.mismatches", st_mism, 0);
    result("stress.hash", st_hash);
}

#endif
