/*
 * paging: 32-bit paging (4 KiB and 4 MiB PSE pages) as the MMU paths
 * (softmmu, HAMT) see it.
 *   - identity map 0..4 MiB with 4 KiB pages, 4..8 MiB with one PSE page;
 *   - an alias window at 0x40000000 onto a buffer: reads/writes through
 *     both addresses, accessed/dirty bits;
 *   - #PF on a non-present PDE / PTE (CR2 and error code), read-only pages
 *     with CR0.WP clear and set, page-crossing accesses;
 *   - remapping with invlpg and CR3 reload;
 *   - code run through an alias and modified through the identity address
 *     (physically-indexed translation and SMC), code remapped under a VA;
 *   - rep movsb faulting in the middle (restartable, precise ECX/ESI/EDI).
 */
#include "lib/lib.h"
#include "lib/pgt.h"    /* PTE_*, and CR0_*, CR4_*, invlpg... from cpu.h */

const char kernel_name[] = "paging";

#define PDE_PS  PTE_PS

#define ALIAS   0x40000000u
#define NPAGES  16

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt_low[1024] __attribute__((aligned(4096)));   /* 0..4 MiB */
static uint32_t pt_alias[1024] __attribute__((aligned(4096))); /* ALIAS.. */
static uint8_t buf[NPAGES][4096] __attribute__((aligned(4096)));

static uint32_t alias_va(int page) { return ALIAS + (uint32_t)page * 4096; }
static uint32_t buf_pa(int page) { return (uint32_t)buf[page]; }

/* Access helpers run under trap_catch. */
typedef struct Access {
    uint32_t addr, val;
} Access;

static void rd32(void *p)
{
    Access *a = p;
    a->val = *(volatile uint32_t *)a->addr;
}

static void wr32(void *p)
{
    Access *a = p;
    *(volatile uint32_t *)a->addr = a->val;
}

/* Try an access and print vector, error code and CR2 relative to addr. */
static void try_access_cr2(const char *name, void (*fn)(void *), uint32_t addr,
                           int want_vec, uint32_t want_err, uint32_t want_cr2)
{
    Access a = { addr, 0x600d600d };
    char n[48];
    int vec = trap_catch(fn, &a);
    size_t l = strlen(name);

    memcpy(n, name, l);
    memcpy(n + l, ".vec", 5);
    check(n, (uint32_t)vec, (uint32_t)want_vec);
    if (vec == 14) {
        memcpy(n + l, ".err", 5);
        check(n, last_trap.err, want_err);
        memcpy(n + l, ".cr2", 5);
        check(n, read_cr2(), want_cr2);
    }
}

static void try_access(const char *name, void (*fn)(void *), uint32_t addr,
                       int want_vec, uint32_t want_err)
{
    try_access_cr2(name, fn, addr, want_vec, want_err, addr);
}

/* Code template: mov eax, imm32; ret. */
static void put_code(uint8_t *p, uint32_t imm)
{
    p[0] = 0xb8;
    memcpy(p + 1, &imm, 4);
    p[5] = 0xc3;
}

static uint32_t call_at(uint32_t va)
{
    return ((uint32_t (*)(void))va)();
}

/* rep movsb of n bytes from src to dst, catching faults. */
typedef struct Movs {
    uint32_t src, dst, n;
} Movs;

static Movs movs_state;
static void do_movs(void *p)
{
    Movs *m = p;
    uint32_t s = m->src, d = m->dst, c = m->n;
    __asm__ volatile("cld; rep movsb" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
    m->src = s;
    m->dst = d;
    m->n = c;
}

void kmain(void)
{
    uint32_t v;

    /* page tables */
    for (int i = 0; i < 1024; i++) {
        pt_low[i] = (uint32_t)i * 4096 | PTE_P | PTE_W;
    }
    pt_low[0] = 0;                               /* page 0 not present */
    pd[0] = (uint32_t)pt_low | PTE_P | PTE_W;
    pd[1] = 0x00400000u | PDE_PS | PTE_P | PTE_W; /* 4..8 MiB, 4 MiB page */
    pd[ALIAS >> 22] = (uint32_t)pt_alias | PTE_P | PTE_W;
    pd[0x80000000u >> 22] = 0x00400000u | PDE_PS | PTE_P | PTE_W;
    for (int i = 0; i < NPAGES; i++) {
        pt_alias[i] = buf_pa(i) | PTE_P | PTE_W;
        for (int j = 0; j < 4096; j += 4) {
            *(uint32_t *)&buf[i][j] = (uint32_t)(i << 16 | j);
        }
    }
    pt_alias[NPAGES] = 0;                         /* hole after the window */

    write_cr4(read_cr4() | CR4_PSE);
    write_cr3((uint32_t)pd);
    write_cr0(read_cr0() | CR0_PG);
    check("paging.enabled", (read_cr0() & CR0_PG) != 0, 1);

    /* alias reads and writes */
    check("paging.alias.read", *(volatile uint32_t *)(alias_va(3) + 0x10), 3 << 16 | 0x10);
    *(volatile uint32_t *)(alias_va(5) + 0x20) = 0xa1a5a1a5;
    check("paging.alias.write", *(volatile uint32_t *)&buf[5][0x20], 0xa1a5a1a5);
    buf[7][0x30] = 0x77;
    check("paging.alias.see", *(volatile uint8_t *)(alias_va(7) + 0x30), 0x77);
    uint32_t sum = 0;
    for (int i = 0; i < NPAGES; i++) {
        for (int j = 0; j < 4096; j += 256) {
            sum = sum * 7 + *(volatile uint32_t *)(alias_va(i) + j);
        }
    }
    result("alias.sum", sum);

    /* accessed / dirty bits: pages 3 and 7 were read, 5 written, 9 not used */
    resultf("ad bits p3=%x p5=%x p7=%x p9=%x pde=%x", pt_alias[3] & (PTE_A | PTE_D),
            pt_alias[5] & (PTE_A | PTE_D), pt_alias[7] & (PTE_A | PTE_D),
            pt_alias[9] & (PTE_A | PTE_D), pd[ALIAS >> 22] & PTE_A);

    /* 4 MiB pages: identity 4..8 MiB and its alias at 2 GiB */
    *(volatile uint32_t *)0x00500010 = 0x4d1b4d1b;
    check("paging.pse.alias", *(volatile uint32_t *)0x80100010, 0x4d1b4d1b);
    *(volatile uint32_t *)0x803ffffc = 0x12121212;
    check("paging.pse.end", *(volatile uint32_t *)0x007ffffc, 0x12121212);
    resultf("pse pde a/d %x", pd[0x80000000u >> 22] & (PTE_A | PTE_D));

    /* page faults */
    try_access("paging.pf.pde.read", rd32, 0x50000000, 14, 0);
    try_access("paging.pf.pde.write", wr32, 0x50001234, 14, 2);
    try_access("paging.pf.pte.read", rd32, alias_va(NPAGES) + 8, 14, 0);
    try_access("paging.pf.null", rd32, 0x10, 14, 0);
    /* a split access faulting on its second page reports that page */
    try_access_cr2("paging.pf.cross", rd32, alias_va(NPAGES) - 2, 14, 0, alias_va(NPAGES));
    try_access("paging.ok.read", rd32, alias_va(2), -1, 0);

    /* read-only page: writable at CPL 0 while CR0.WP=0, #PF(P|W) with WP=1 */
    pt_alias[4] &= ~PTE_W;
    invlpg(alias_va(4));
    try_access("paging.ro.read", rd32, alias_va(4) + 4, -1, 0);
    try_access("paging.ro.write.wp0", wr32, alias_va(4) + 8, -1, 0);
    write_cr0(read_cr0() | CR0_WP);
    try_access("paging.ro.write.wp1", wr32, alias_va(4) + 12, 14, 3);
    check("paging.ro.unchanged", *(volatile uint32_t *)&buf[4][12], 4 << 16 | 12);
    write_cr0(read_cr0() & ~CR0_WP);
    pt_alias[4] |= PTE_W;
    invlpg(alias_va(4));

    /* remap: invlpg makes the new translation visible */
    v = *(volatile uint32_t *)(alias_va(0) + 0x40);
    check("paging.remap.before", v, 0 << 16 | 0x40);
    pt_alias[0] = buf_pa(9) | PTE_P | PTE_W;
    invlpg(alias_va(0));
    check("paging.remap.invlpg", *(volatile uint32_t *)(alias_va(0) + 0x40), 9 << 16 | 0x40);
    pt_alias[0] = buf_pa(10) | PTE_P | PTE_W;
    write_cr3((uint32_t)pd);
    check("paging.remap.cr3", *(volatile uint32_t *)(alias_va(0) + 0x40), 10 << 16 | 0x40);
    pt_alias[0] = 0;
    invlpg(alias_va(0));
    try_access("paging.unmap", rd32, alias_va(0), 14, 0);
    pt_alias[0] = buf_pa(0) | PTE_P | PTE_W;
    invlpg(alias_va(0));

    /* code through the alias; modified through the identity address */
    put_code(buf[11], 0x1111);
    check("paging.code.alias", call_at(alias_va(11)), 0x1111);
    check("paging.code.ident", call_at(buf_pa(11)), 0x1111);
    put_code(buf[11], 0x2222);                  /* store via identity VA */
    check("paging.code.smc.alias", call_at(alias_va(11)), 0x2222);
    *(volatile uint32_t *)(alias_va(11) + 1) = 0x3333;  /* store via alias */
    check("paging.code.smc.ident", call_at(buf_pa(11)), 0x3333);
    check("paging.code.smc.alias2", call_at(alias_va(11)), 0x3333);
    /* same VA, other physical page */
    put_code(buf[12], 0x4444);
    pt_alias[11] = buf_pa(12) | PTE_P | PTE_W;
    invlpg(alias_va(11));
    check("paging.code.remap", call_at(alias_va(11)), 0x4444);
    pt_alias[11] = buf_pa(11) | PTE_P | PTE_W;
    invlpg(alias_va(11));
    check("paging.code.back", call_at(alias_va(11)), 0x3333);
    for (uint32_t i = 0; i < 200; i++) {
        int pg = 11 + (i & 1);
        pt_alias[13] = buf_pa(pg) | PTE_P | PTE_W;
        invlpg(alias_va(13));
        sum += call_at(alias_va(13));
    }
    result("code.flip.sum", sum);

    /* rep movsb running into the hole after the window */
    movs_state = (Movs){ buf_pa(1), alias_va(NPAGES) - 100, 300 };
    int vec = trap_catch(do_movs, &movs_state);
    check("paging.movs.vec", vec, 14);
    check("paging.movs.cr2", read_cr2(), alias_va(NPAGES));
    check("paging.movs.err", last_trap.err, 2);
    resultf("movs fault ecx=%u esi+%u edi+%u", last_trap.ecx,
            last_trap.esi - buf_pa(1), last_trap.edi - (alias_va(NPAGES) - 100));
    check("paging.movs.copied", *(volatile uint32_t *)(alias_va(NPAGES) - 4),
          *(volatile uint32_t *)(buf_pa(1) + 96));

    /* many distinct pages: walk 4..8 MiB with a stride (TLB capacity) */
    for (uint32_t a = 0x400000; a < 0x800000; a += 4096 + 64) {
        *(volatile uint32_t *)a = a ^ 0x5a5a5a5a;
    }
    sum = 0;
    for (uint32_t a = 0x80000000; a < 0x80400000; a += 4096 + 64) {
        sum += *(volatile uint32_t *)a;
    }
    result("pse.walk.sum", sum);
    finish(0xb4c22495);
}
