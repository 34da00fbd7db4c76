/*
 * hamt86 guest test kernels: paging and privilege helpers (header only, so
 * the Makefile's lib objects stay unchanged; include after lib.h).
 *
 *   - control registers, MSRs, CPUID, INVLPG (from cpu.h);
 *   - page-table entry bits (32-bit and PAE) and #PF error-code bits;
 *   - a GDT with ring-3 segments and a TSS (pgt_gdt_init), and
 *     ring3_run(fn, arg): run fn(arg) at CPL 3 and come back.
 *
 * GDT built by pgt_gdt_init (the first three match boot.S, so the IDT's
 * code selector 0x08 stays valid):
 *   0x08 kernel code   0x10 kernel data   0x18 data16
 *   0x23 user code (DPL 3, flat)          0x2b user data (DPL 3, flat)
 *   0x30 TSS (ss0 = 0x10, esp0 = a private trap stack)
 *   0x38 spare data descriptor, set with pgt_gdt_set(7, ...)
 *
 * The GDT loading and ring-3 entry code is gdt.h's (shared with sys.h).
 * ring3_run() enters fn at CPL 3 with an iret (IF=0, IOPL=0) on a private
 * user stack; fn's return lands on a stub that executes int $0x80.  Every
 * exception from ring 3 unwinds through trap_catch, so the result is the
 * vector: 0x80 means fn returned, anything else is the fault (last_trap).
 * Every page that fn touches (its code, the user stack, the ring3 stub,
 * and the data it uses) must be mapped with U=1 in both PDE and PTE.
 */
#ifndef GUEST_PGT_H
#define GUEST_PGT_H

#include "lib.h"
#include "cpu.h"
#include "gdt.h"

#define PTE_P    0x001u
#define PTE_W    0x002u
#define PTE_U    0x004u
#define PTE_PWT  0x008u
#define PTE_PCD  0x010u
#define PTE_A    0x020u
#define PTE_D    0x040u
#define PTE_PS   0x080u
#define PTE_G    0x100u
#define PTE_NX64 (1ull << 63)

#define PFE_P    0x01u  /* protection violation (0 = not present) */
#define PFE_W    0x02u  /* write */
#define PFE_U    0x04u  /* CPL 3 */
#define PFE_RSVD 0x08u  /* reserved bit set in a paging entry */
#define PFE_ID   0x10u  /* instruction fetch */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x23
#define SEL_UDATA 0x2b
#define SEL_TSS   0x30
#define SEL_SPARE 0x38

/* Load the flat kernel data selector into DS/ES/FS/GS (after ring 3). */
#define pgt_reload_kseg gdt_reload_kseg

/* ---- GDT, TSS, ring 3 ---------------------------------------------------- */

/*
 * The GDT and TSS share one page (pgt_sys_page) and the ring-0 trap stack
 * has pages of its own, so a kernel can map them supervisor-only (U=0) and
 * check that descriptor-table reads, the TSS read and the ring-3 -> ring-0
 * stack pushes are supervisor accesses.
 */
static struct {
    uint64_t gdt[8];
    uint32_t tss[26];                   /* 104 bytes */
} pgt_sys_page __attribute__((aligned(4096), unused));
#define pgt_gdt pgt_sys_page.gdt
#define pgt_tss pgt_sys_page.tss
static uint8_t pgt_trap_stack[16384] __attribute__((aligned(4096), unused));
static uint8_t pgt_user_stack[16384] __attribute__((aligned(4096), unused));

/* Descriptor for base/limit (limit in bytes if !gran, else in 4 KiB units),
 * access byte (P DPL S type) and flags nibble (G DB L AVL). */
#define pgt_desc gdt_desc

static inline void pgt_gdt_set(int idx, uint64_t desc)
{
    pgt_gdt[idx] = desc;
}

static inline void pgt_gdt_init(void)
{
    pgt_gdt[0] = 0;
    pgt_gdt[1] = 0x00cf9a000000ffffull;      /* kernel code */
    pgt_gdt[2] = 0x00cf92000000ffffull;      /* kernel data */
    pgt_gdt[3] = 0x000092000000ffffull;      /* data16 */
    pgt_gdt[4] = 0x00cffa000000ffffull;      /* user code, DPL 3 */
    pgt_gdt[5] = 0x00cff2000000ffffull;      /* user data, DPL 3 */
    memset(pgt_tss, 0, sizeof(pgt_tss));
    pgt_tss[1] = (uint32_t)(pgt_trap_stack + sizeof(pgt_trap_stack)); /* esp0 */
    pgt_tss[2] = SEL_KDATA;                                           /* ss0 */
    pgt_tss[25] = 104u << 16;                /* I/O map base beyond limit */
    pgt_gdt[6] = pgt_desc((uint32_t)pgt_tss, 103, 0x89, 0x0);
    pgt_gdt[7] = 0;
    gdt_load(pgt_gdt, sizeof(pgt_gdt) - 1);
}

/* Run fn(arg) at CPL 3; returns 0x80 when fn returned, else the vector. */
static inline int __attribute__((unused)) ring3_run(void (*fn)(void *), void *arg)
{
    return gdt_ring3_run(fn, arg, 0, pgt_user_stack + sizeof(pgt_user_stack));
}

/* Run fn(arg) in ring 0 under trap_catch; -1 when it returned. */
static inline int __attribute__((unused)) ring0_run(void (*fn)(void *), void *arg)
{
    return trap_catch(fn, arg);
}

/* ---- simple access thunks (run under trap_catch / ring3_run) ------------- */

typedef struct PgAccess {
    uint32_t addr, val;
} PgAccess;

static void __attribute__((unused)) pg_rd32(void *p)
{
    PgAccess *a = p;
    a->val = *(volatile uint32_t *)a->addr;
}
static void __attribute__((unused)) pg_wr32(void *p)
{
    PgAccess *a = p;
    *(volatile uint32_t *)a->addr = a->val;
}
static void __attribute__((unused)) pg_rd8(void *p)
{
    PgAccess *a = p;
    a->val = *(volatile uint8_t *)a->addr;
}
static void __attribute__((unused)) pg_wr8(void *p)
{
    PgAccess *a = p;
    *(volatile uint8_t *)a->addr = (uint8_t)a->val;
}
/* Call addr as uint32_t (*)(void); the result goes to val. */
static void __attribute__((unused)) pg_call(void *p)
{
    PgAccess *a = p;
    a->val = ((uint32_t (*)(void))a->addr)();
}

/* Write "mov eax, imm32; ret" at p. */
static inline void pg_put_code(volatile uint8_t *p, uint32_t imm)
{
    p[0] = 0xb8;
    p[1] = (uint8_t)imm;
    p[2] = (uint8_t)(imm >> 8);
    p[3] = (uint8_t)(imm >> 16);
    p[4] = (uint8_t)(imm >> 24);
    p[5] = 0xc3;
}

/*
 * Run fn(arg) in ring 0 (ring = 0) or ring 3 (ring = 3) and check the
 * outcome: want_vec -1 means "no exception"; for #PF (14) the error code
 * and CR2 are checked too, for other vectors the error code.  Prints
 * <name>.vec, <name>.err, <name>.cr2 lines; with sdm_err the error code
 * goes on an sdm() line instead (a value QEMU 7.2 gets wrong).  Returns
 * the vector (-1 if none).
 */
static int __attribute__((unused)) pg_expect_how(const char *name, int ring, void (*fn)(void *),
                                                 void *arg, int want_vec, uint32_t want_err,
                                                 uint32_t want_cr2, bool sdm_err)
{
    char n[64];
    size_t l = strlen(name);
    int vec;

    if (l > sizeof(n) - 6) {
        l = sizeof(n) - 6;
    }
    vec = ring == 3 ? ring3_run(fn, arg) : trap_catch(fn, arg);
    if (ring == 3 && vec == 0x80) {
        vec = -1;
    }
    memcpy(n, name, l);
    memcpy(n + l, ".vec", 5);
    check(n, (uint32_t)vec, (uint32_t)want_vec);
    if (vec >= 0 && vec == want_vec && (vec == 14 || vec == 13 || vec == 10 || vec == 11 || vec == 12 || vec == 17 || vec == 8)) {
        memcpy(n + l, ".err", 5);
        if (sdm_err) {
            sdm(n, last_trap.err, want_err);
        } else {
            check(n, last_trap.err, want_err);
        }
        if (vec == 14) {
            memcpy(n + l, ".cr2", 5);
            check(n, read_cr2(), want_cr2);
        }
    }
    return vec;
}

/* pg_expect_how, every value compared with QEMU. */
static int __attribute__((unused)) pg_expect(const char *name, int ring, void (*fn)(void *),
                                             void *arg, int want_vec, uint32_t want_err,
                                             uint32_t want_cr2)
{
    return pg_expect_how(name, ring, fn, arg, want_vec, want_err, want_cr2, false);
}

/* pg_expect_how with the error code on an sdm() line (a read-modify-write:
 * the CPU reports W=1 where QEMU 7.2 reports W=0, docs/RELIABILITY.md). */
static int __attribute__((unused)) pg_expect_sdm(const char *name, int ring, void (*fn)(void *),
                                                 void *arg, int want_vec, uint32_t want_err,
                                                 uint32_t want_cr2)
{
    return pg_expect_how(name, ring, fn, arg, want_vec, want_err, want_cr2, true);
}

/* One access through pg_expect: op is pg_rd32, pg_wr32, pg_rd8, pg_wr8 or pg_call. */
static int __attribute__((unused)) pg_try(const char *name, int ring, void (*op)(void *),
                                          uint32_t addr, uint32_t val, int want_vec,
                                          uint32_t want_err, uint32_t want_cr2, uint32_t *out)
{
    PgAccess a = { addr, val };
    int v = pg_expect(name, ring, op, &a, want_vec, want_err, want_cr2);

    if (out) {
        *out = a.val;
    }
    return v;
}

/* ---- a standard 32-bit address space ---------------------------------------
 *   0 .. 8 MiB   identity, 4 KiB pages (page 0 not present), PDE/PTE flags
 *                PTE_P|PTE_W|PTE_U (ring 3 can run the kernel's code)
 *   PG_WIN       0x40000000: a 4 MiB window, pg_pt_win[], initially empty
 *   PG_WIN2      0x40400000: a second window, pg_pt_win2[], initially empty
 *   pool frames  PG_POOL + i * 4096 (4..8 MiB, i < 1024), identity-visible
 */
#define PG_WIN   0x40000000u
#define PG_WIN2  0x40400000u
#define PG_POOL  0x00400000u
#define PG_FRAME(i) (PG_POOL + (uint32_t)(i) * 4096u)

static uint32_t pg_pd[1024] __attribute__((aligned(4096), unused));
static uint32_t pg_pt_id[2][1024] __attribute__((aligned(4096), unused));
static uint32_t pg_pt_win[1024] __attribute__((aligned(4096), unused));
static uint32_t pg_pt_win2[1024] __attribute__((aligned(4096), unused));

/* PTE of an identity-mapped address (below 8 MiB). */
static inline uint32_t *pg_id_pte(uint32_t pa)
{
    return &pg_pt_id[pa >> 22][(pa >> 12) & 1023];
}

/* Build the standard space, load the GDT/TSS, and turn paging on (CR0.WP
 * clear, CR4.PSE set). */
static void __attribute__((unused)) pg_setup32(void)
{
    memset(pg_pd, 0, sizeof(pg_pd));
    for (uint32_t i = 0; i < 2048; i++) {
        pg_pt_id[i >> 10][i & 1023] = i * 4096u | PTE_P | PTE_W | PTE_U;
    }
    pg_pt_id[0][0] = 0;
    memset(pg_pt_win, 0, sizeof(pg_pt_win));
    memset(pg_pt_win2, 0, sizeof(pg_pt_win2));
    pg_pd[0] = (uint32_t)pg_pt_id[0] | PTE_P | PTE_W | PTE_U;
    pg_pd[1] = (uint32_t)pg_pt_id[1] | PTE_P | PTE_W | PTE_U;
    pg_pd[PG_WIN >> 22] = (uint32_t)pg_pt_win | PTE_P | PTE_W | PTE_U;
    pg_pd[PG_WIN2 >> 22] = (uint32_t)pg_pt_win2 | PTE_P | PTE_W | PTE_U;
    pgt_gdt_init();
    write_cr4(read_cr4() | CR4_PSE);
    write_cr3((uint32_t)pg_pd);
    write_cr0((read_cr0() | CR0_PG) & ~CR0_WP);
}

/* Fill a pool frame with a pattern derived from its index. */
static inline void pg_fill_frame(int i)
{
    volatile uint32_t *p = (volatile uint32_t *)PG_FRAME(i);
    for (int j = 0; j < 1024; j++) {
        p[j] = (uint32_t)i << 16 | (uint32_t)j * 4;
    }
}

/* The pattern word pg_fill_frame put at byte offset off of frame i. */
static inline uint32_t pg_pat(int i, uint32_t off)
{
    return (uint32_t)i << 16 | off;
}

/* xorshift32 PRNG for the stress kernels. */
static inline uint32_t pg_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

#endif
