/*
 * hamt86 - unit tests of the page walker (core/mmu-walk.c) and the softmmu
 * TLB (softmmu-fallback/softmmu.c): a table of page-table setups with the
 * expected physical address / protections / #PF error code, then TLB
 * caching, flush (page, large page, nonglobal, all), victim, code-page,
 * MMIO and page-crossing behaviour.  Reserved-bit faults expect RSVD
 * without P (the qemu-system-i386 7.2 reference; WALK_RSVD_SETS_P).  Hosted; links the two files alone
 * with stubs for the rest of the engine.
 */
#include "core/tb-smc.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/mmu.h"
#include "core/exec.h"
#include "core/log.h"
#include "softmmu-fallback/softmmu.h"

/* ---- stubs for the rest of the engine ---- */
#define RAM_SIZE (8u << 20)
static uint8_t ram[RAM_SIZE];
uint8_t *guest_ram = ram;
uint32_t guest_ram_size = RAM_SIZE;
uint8_t guest_pflags[GUEST_NB_PAGES];
void (*mem_pt_write_hook)(uint32_t phys);
/* log_mask, hlog, h_snprintf: tests/lib/hosted-shim.c */
const MemPath *mem_path = &mempath_softmmu;
/* os/: zeroed memory (softmmu TLB sets). */
void *os_zalloc(size_t size)
{
    return calloc(1, size);
}
void *os_try_zalloc(size_t size)
{
    return calloc(1, size);
}
const HostBackend *host_backend;
const HostBackend backend_interp;
/* core/stats.c: --stats line (mem_stats_print, softmmu-stats.c, is not
 * called here). */
void stat_line(const char *name, uint64_t v)
{
    printf("  %-28s %llu\n", name, (unsigned long long)v);
}
static jmp_buf fault_jb;
static int fault_vec, fault_err, ninval, nmmio;
static uint32_t last_mmio_addr;

static char last_msg[256];      /* the last os_write (watchpoint logs) */

void os_write(int fd, const void *buf, size_t len)
{
    fwrite(buf, 1, len, fd == 1 ? stdout : stderr);
    if (len < sizeof(last_msg)) {
        memcpy(last_msg, buf, len);
        last_msg[len] = '\0';
    }
}

uint32_t phys_read(uint32_t pa, unsigned size)
{
    uint32_t v = 0;
    if (pa >= RAM_SIZE) {
        nmmio++;
        last_mmio_addr = pa;
        return 0xffffffffu >> (32 - 8 * size);
    }
    memcpy(&v, ram + pa, size);
    return v;
}

void phys_write(uint32_t pa, uint32_t v, unsigned size)
{
    if (pa >= RAM_SIZE) {
        nmmio++;
        last_mmio_addr = pa;
        return;
    }
    memcpy(ram + pa, &v, size);
}

void phys_write_notdirty(uint32_t pa, uint32_t v, unsigned size)
{
    phys_write(pa, v, size);
}

uint32_t phys_code_addr(uint32_t pa)
{
    return pa;      /* no RAM aliases here */
}

void raise_exception_err_ra(CPUX86State *env, int vec, int err, uintptr_t ra)
{
    fault_vec = vec;
    fault_err = err;
    longjmp(fault_jb, 1);
}

/* core/tb-smc.c: no page has an SMC bitmap here (npages 0). */
SmcState smc_state;

void tb_invalidate_phys_page_fast(CPUX86State *env, uint32_t phys,
                                  unsigned size, uintptr_t ra)
{
    ninval++;
    guest_pflags[phys >> GUEST_PAGE_BITS] &= (uint8_t)~PF_CODE;
}

bool cpu_restore_state(CPUX86State *env, uintptr_t host_pc)
{
    return false;
}

/* The execution-loop side of watchpoint stops. */
bool cpu_in_exec;
uint32_t tb_next_cflags;
bool mem_count_tlb_hits;
static int exit_status = -1;

void machine_request_exit(int status)
{
    exit_status = status;
}

void cpu_loop_exit(CPUX86State *e)
{
    (void)e;
    fault_vec = -2;     /* "restarted" */
    longjmp(fault_jb, 1);
}

/* ---- page-table builders ---- */
#define P 0x001u
#define RW 0x002u
#define US 0x004u
#define A 0x020u
#define D 0x040u
#define PS 0x080u
#define G 0x100u
#define NX (1ull << 63)

#define PD   0x100000u   /* page directory (32-bit) / PDPT (PAE) */
#define PT   0x101000u
#define PAEPD 0x102000u
#define PAEPT 0x103000u

static CPUX86State env;
static int fails, checks;

static void wr32(uint32_t pa, uint32_t v) { memcpy(ram + pa, &v, 4); }
static void wr64(uint32_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }
static uint32_t rd32(uint32_t pa) { uint32_t v; memcpy(&v, ram + pa, 4); return v; }

/* 32-bit paging: one PDE (index of lin) -> PT, PTE for lin. */
static void setup32(uint32_t lin, uint32_t pde_flags, uint32_t pte)
{
    memset(ram + PD, 0, 0x4000);
    wr32(PD + (lin >> 22) * 4, PT | pde_flags);
    wr32(PT + ((lin >> 12) & 0x3ff) * 4, pte);
    env.cr[3] = PD;
    env.cr[4] = 0;
    env.cr[0] = CR0_PE | CR0_PG;
    env.efer = 0;
}

/* PAE: PDPTE -> PD -> PT for lin. */
static void setup_pae(uint32_t lin, uint64_t pdpte, uint64_t pde_flags,
                      uint64_t pte)
{
    memset(ram + PD, 0, 0x4000);
    wr64(PD + (lin >> 30) * 8, PAEPD | pdpte);
    wr64(PAEPD + ((lin >> 21) & 0x1ff) * 8, PAEPT | pde_flags);
    wr64(PAEPT + ((lin >> 12) & 0x1ff) * 8, pte);
    env.cr[3] = PD;
    env.cr[4] = CR4_PAE;
    env.cr[0] = CR0_PE | CR0_PG;
    env.efer = 0;
}

static void check(const char *name, uint64_t got, uint64_t want)
{
    checks++;
    if (got != want) {
        printf("FAIL %s: got 0x%llx want 0x%llx\n", name,
               (unsigned long long)got, (unsigned long long)want);
        fails++;
    }
}

/* One walk: expect a paddr/prot/size or a fault code (want_err >= 0). */
static void walk(const char *name, uint32_t lin, int acc, int idx,
                 int want_err, uint32_t want_pa, unsigned want_prot,
                 uint32_t want_size)
{
    X86PageResult r;
    int e = x86_mmu_walk(&env, lin, acc, idx, &r);
    char n[96];

    if (want_err >= 0) {
        snprintf(n, sizeof(n), "%s.err", name);
        check(n, (uint32_t)e, (uint32_t)want_err | X86_WALK_FAULT);
        return;
    }
    snprintf(n, sizeof(n), "%s.ok", name);
    check(n, (uint32_t)e, 0);
    if (e) {
        return;
    }
    snprintf(n, sizeof(n), "%s.pa", name);
    check(n, r.paddr, want_pa);
    snprintf(n, sizeof(n), "%s.prot", name);
    check(n, r.prot, want_prot);
    snprintf(n, sizeof(n), "%s.size", name);
    check(n, r.page_size, want_size);
}

#define RWX (PAGE_READ | PAGE_WRITE | PAGE_EXEC)
#define RX (PAGE_READ | PAGE_EXEC)
#define K MMU_KERNEL_IDX
#define U MMU_USER_IDX
#define KS MMU_KSMAP_IDX
#define LD MMU_DATA_LOAD
#define ST MMU_DATA_STORE
#define IF MMU_INST_FETCH

static void test_walker(void)
{
    const uint32_t L = 0x40001234u;
    X86PageResult r;

    /* paging off / phys index: identity */
    env.cr[0] = CR0_PE;
    walk("nopg", L, ST, K, -1, L, RWX, 4096);
    setup32(L, P | RW | US, 0x200000 | P | RW | US);
    walk("physidx", L, ST, MMU_PHYS_IDX, -1, L, RWX, 4096);

    /* 32-bit 4 KiB: clean page -> no PAGE_WRITE on a load */
    setup32(L, P | RW | US, 0x200000 | P | RW | US);
    walk("4k.ld", L, LD, K, -1, 0x200234, RX, 4096);
    check("4k.ld.A", rd32(PT + 4) & (A | D), A);
    check("4k.ld.pdeA", rd32(PD + 0x100 * 4) & A, A);
    walk("4k.st", L, ST, K, -1, 0x200234, RWX, 4096);
    check("4k.st.D", rd32(PT + 4) & (A | D), A | D);
    walk("4k.ld.dirty", L, LD, U, -1, 0x200234, RWX, 4096);

    /* not present */
    setup32(L, P | RW | US, 0x200000 | RW | US);
    walk("np.k.ld", L, LD, K, 0, 0, 0, 0);
    walk("np.k.st", L, ST, K, 2, 0, 0, 0);
    walk("np.u.st", L, ST, U, 6, 0, 0, 0);
    walk("np.u.if", L, IF, U, 4, 0, 0, 0);      /* no I/D without NXE/SMEP */
    check("np.noA", rd32(PT + 4) & A, 0);
    setup32(L, RW | US, 0);
    walk("pde.np", L, LD, U, 4, 0, 0, 0);

    /* U/S, R/W, WP */
    setup32(L, P | RW, 0x200000 | P | RW | US);
    walk("pde.sup.u", L, LD, U, 5, 0, 0, 0);
    setup32(L, P | RW | US, 0x200000 | P | US | D);
    walk("ro.u.st", L, ST, U, 7, 0, 0, 0);
    walk("ro.u.ld", L, LD, U, -1, 0x200234, RX, 4096);
    walk("ro.k.st.nowp", L, ST, K, -1, 0x200234, RWX, 4096);
    env.cr[0] |= CR0_WP;
    walk("ro.k.st.wp", L, ST, K, 3, 0, 0, 0);
    check("ro.k.st.wp.noD", rd32(PT + 4) & D, D);   /* D preset in PTE */

    /* 4 MiB pages need CR4.PSE */
    memset(ram + PD, 0, 0x1000);
    wr32(PD + (L >> 22) * 4, 0x00400000 | P | RW | PS | G);
    env.cr[3] = PD;
    env.cr[0] = CR0_PE | CR0_PG;
    env.cr[4] = CR4_PSE | CR4_PGE;
    walk("4m", L, ST, K, -1, 0x00401234, RWX, 4u << 20);
    x86_mmu_walk(&env, L, LD, K, &r);
    check("4m.global", r.global, 1);
    check("4m.AD", rd32(PD + (L >> 22) * 4) & (A | D), A | D);
    wr32(PD + (L >> 22) * 4, 0x00400000 | P | RW | PS | 0x200000);
    walk("4m.rsvd21", L, LD, K, 8, 0, 0, 0);

    /* SMAP / SMEP */
    setup32(L, P | RW | US, 0x200000 | P | RW | US | A | D);
    env.cr[4] = CR4_SMAP | CR4_SMEP;
    walk("smap.ld", L, LD, KS, 1, 0, 0, 0);
    walk("smap.st", L, ST, KS, 3, 0, 0, 0);
    walk("smap.ac", L, LD, K, -1, 0x200234, RWX & ~PAGE_EXEC, 4096);
    walk("smep.if", L, IF, K, 0x11, 0, 0, 0);
    walk("smep.user", L, IF, U, -1, 0x200234, RWX, 4096);
    walk("smap.u.np.if", L + 0x400000, IF, U, 0x14, 0, 0, 0);

    /* PAE 4 KiB, 2 MiB, NX, reserved bits */
    setup_pae(L, P, P | RW | US, 0x300000 | P | RW | US | NX);
    walk("pae.nx.nonxe", L, LD, K, 8, 0, 0, 0);
    env.efer = MSR_EFER_NXE;
    walk("pae.4k.ld", L, LD, K, -1, 0x300234, PAGE_READ, 4096);
    walk("pae.nx.if", L, IF, K, 0x11, 0, 0, 0);
    walk("pae.nx.if.u", L, IF, U, 0x15, 0, 0, 0);
    setup_pae(L, P, P | RW | US, 0x300000 | P | RW | US | (1ull << 40));
    walk("pae.rsvd.phys", L, LD, U, 0xc, 0, 0, 0);
    setup_pae(L, P | RW, P | RW | US, 0x300000 | P | RW | US);
    walk("pae.pdpte.rsvd", L, LD, K, 8, 0, 0, 0);
    setup_pae(L, P, P | RW | US, 0);
    walk("pae.pte.np", L, ST, U, 6, 0, 0, 0);
    memset(ram + PD, 0, 0x4000);
    wr64(PD + (L >> 30) * 8, PAEPD | P);
    wr64(PAEPD + ((L >> 21) & 0x1ff) * 8, 0x00600000 | P | RW | PS | D);
    walk("pae.2m", L, LD, K, -1, 0x00601234, RWX, 2u << 20);
    wr64(PAEPD + ((L >> 21) & 0x1ff) * 8, 0x00700000 | P | RW | PS);
    walk("pae.2m.rsvd", L, LD, K, 8, 0, 0, 0);
}

/* ---- TLB ---- */

/* Softmmu load through the slow path; returns ~0 after a fault. */
static uint32_t sld(uint32_t addr, unsigned memop, int idx)
{
    fault_vec = -1;
    if (setjmp(fault_jb)) {
        return 0xdeadbeefu;
    }
    return mem_path->ld(&env, addr, MAKE_OI(memop, idx), 0);
}

static void sst(uint32_t addr, uint32_t v, unsigned memop, int idx)
{
    fault_vec = -1;
    if (setjmp(fault_jb)) {
        return;
    }
    mem_path->st(&env, addr, v, MAKE_OI(memop, idx), 0);
}

static const CPUTLBEntry *entry(int idx, uint32_t lin)
{
    return tlb_entry(&env, (unsigned)idx, lin);
}

static void test_tlb(void)
{
    const uint32_t L = 0x40001000u;

    mem_path->init(&env);
    setup32(L, P | RW | US, 0x200000 | P | RW | US);
    env.cr[4] = CR4_PGE;
    wr32(0x200000, 0x11111111);
    wr32(0x210000, 0x22222222);
    check("tlb.ld", sld(L, MO_32, K), 0x11111111);
    check("tlb.entry.read", entry(K, L)->addr_read, L);
    check("tlb.entry.write.clean", entry(K, L)->addr_write, 0xffffffffu);
    /* remap: the stale entry is still used until INVLPG */
    wr32(PT + 4, 0x210000 | P | RW | US | A);
    check("tlb.stale", sld(L, MO_32, K), 0x11111111);
    mem_path->flush_page(&env, L);
    check("tlb.invlpg", sld(L, MO_32, K), 0x22222222);
    /* store on a clean page goes back to the walker and sets D */
    sst(L + 4, 0x33, MO_8, K);
    check("tlb.st.D", rd32(PT + 4) & D, D);
    check("tlb.entry.write", entry(K, L)->addr_write, L);

    /* global survives CR3 reload, not a full flush */
    wr32(PT + 4, 0x200000 | P | RW | US | G);
    mem_path->flush_page(&env, L);
    sld(L, MO_32, K);
    wr32(PT + 4, 0x210000 | P | RW | US);
    mem_path->flush_nonglobal(&env);
    check("tlb.global.kept", sld(L, MO_32, K), 0x11111111);
    mem_path->flush_all(&env);
    check("tlb.global.flushall", sld(L, MO_32, K), 0x22222222);

    /* victim TLB: two pages with the same index */
    {
        uint32_t L2 = L + (1u << (CPU_TLB_DYN_DEFAULT_BITS + 12));
        uint64_t vh;
        wr32(PT + ((L2 >> 12) & 0x3ff) * 4, 0x220000 | P | RW | US);
        wr32(0x220000, 0x44444444);
        sld(L2, MO_32, K);
        vh = softmmu_stats.victim_hits;
        check("tlb.victim.a", sld(L, MO_32, K), 0x22222222);
        check("tlb.victim.b", sld(L2, MO_32, K), 0x44444444);
        check("tlb.victim.hits", softmmu_stats.victim_hits - vh, 2);
    }

    /* large page: flushing any address inside the region drops all */
    memset(ram + PD, 0, 0x1000);
    wr32(PD + (0x80000000u >> 22) * 4, 0x00400000 | P | RW | PS);
    env.cr[4] = CR4_PSE;
    mem_path->flush_all(&env);
    sld(0x80001000u, MO_32, K);
    check("tlb.large.filled", entry(K, 0x80001000u)->addr_read, 0x80001000u);
    mem_path->flush_page(&env, 0x80200000u);
    check("tlb.large.flushed", entry(K, 0x80001000u)->addr_read, 0xffffffffu);

    /* code page: stores take the slow path and invalidate */
    sst(0x80002000u, 1, MO_32, K);
    check("tlb.code.before", entry(K, 0x80002000u)->addr_write, 0x80002000u);
    mem_path->protect_code_page(&env, 0x00402000u, true);
    check("tlb.code.flag", entry(K, 0x80002000u)->addr_write,
          0x80002000u | TLB_NOTDIRTY);
    ninval = 0;
    sst(0x80002000u, 2, MO_32, K);
    check("tlb.code.inval", ninval, 1);
    check("tlb.code.cleared", entry(K, 0x80002000u)->addr_write, 0x80002000u);
    check("tlb.code.value", rd32(0x00402000u), 2);

    /* MMIO: a frame above RAM gets TLB_MMIO and dispatches */
    setup32(L, P | RW | US, 0xfee00000u | P | RW | US | D);
    guest_pflags[0xfee00] = PF_NOT_RAM;
    mem_path->flush_all(&env);
    nmmio = 0;
    check("tlb.mmio.val", sld(L + 8, MO_16, K), 0xffff);
    check("tlb.mmio.flag", entry(K, L)->addr_read, L | TLB_MMIO);
    check("tlb.mmio.addr", last_mmio_addr, 0xfee00008u);
    check("tlb.mmio.count", nmmio, 1);

    /* page crossing: store faulting on the second page writes nothing */
    setup32(L, P | RW | US, 0x200000 | P | RW | US | D);
    wr32(0x200ffc, 0xaabbccdd);
    mem_path->flush_all(&env);
    sst(L + 0xffe, 0x12345678, MO_32, U);
    check("cross.vec", fault_vec, EXCP0E_PF);
    check("cross.err", fault_err, 6);
    check("cross.cr2", env.cr[2], L + 0x1000);
    check("cross.nopartial", rd32(0x200ffc), 0xaabbccdd);
    sld(L + 0xfff, MO_16, K);
    check("cross.ld.cr2", env.cr[2], L + 0x1000);
    check("cross.ld.err", fault_err, 0);
    /* misaligned inside a page works through the slow path */
    wr32(0x200100, 0x04030201);
    wr32(0x200104, 0x08070605);
    check("misaligned", sld(L + 0x101, MO_32, K), 0x05040302);
    check("misaligned.sx", sld(L + 0x103, MO_16 | MO_SIGN, K), 0x0504);

    /* fetch: fault recorded, raised later */
    {
        uint32_t pa = 0;
        env.hflags = 0;
        check("fetch.ok", mem_path->get_phys_code(&env, L + 0x10, &pa, NULL), 1);
        check("fetch.pa", pa, 0x200010);
        check("fetch.fault", mem_path->get_phys_code(&env, L + 0x1000, &pa, NULL), 0);
        fault_vec = -1;
        if (!setjmp(fault_jb)) {
            mem_raise_fetch_fault(&env);
        }
        check("fetch.vec", fault_vec, EXCP0E_PF);
        check("fetch.cr2", env.cr[2], L + 0x1000);
    }
}

/* SoftmmuOwner.walked: the frames of the last fill's walk. */
static uint32_t owner_frames[4];
static unsigned owner_n, owner_calls;
static void owner_walked(const uint32_t *f, unsigned n, uint32_t psize)
{
    (void)psize;
    owner_n = n;
    memcpy(owner_frames, f, n * sizeof(*f));
    owner_calls++;
}
static const SoftmmuOwner test_owner = { .walked = owner_walked };
/* an owner that re-checks a set's non-global entries itself (hamt's
 * context cache): page flushes skip its other sets without globals */
static const SoftmmuOwner reval_owner = { .walked = owner_walked,
                                          .revalidates = true };

/* TLB sets (core/mem.h): entries kept per set across selections, owner
 * told every fill's walk, page flushes and code protection reach every
 * set, flush_nonglobal the current one only. */
static void test_sets(void)
{
    const uint32_t L = 0x40001000u;

    mem_path->init(&env);
    setup32(L, P | RW | US, 0x200000 | P | RW | US | A | D);
    wr32(0x200000, 0x11111111);
    wr32(0x210000, 0x22222222);
    softmmu_set_owner(&test_owner);
    check("sets.ld0", sld(L, MO_32, K), 0x11111111);
    check("sets.owner", owner_calls == 1 && owner_n == 2 &&
          owner_frames[0] == PD >> 12 && owner_frames[1] == PT >> 12, 1);
    check("sets.select1", softmmu_tlb_select(&env, 1), 1);
    check("sets.set1.empty", entry(K, L)->addr_read, 0xffffffffu);
    /* set 1 = another address space mapping L elsewhere */
    wr32(PT + 4, 0x210000 | P | RW | US | A | D);
    check("sets.ld1", sld(L, MO_32, K), 0x22222222);
    check("sets.select0", softmmu_tlb_select(&env, 0), 1);
    check("sets.set0.kept", sld(L, MO_32, K), 0x11111111);
    check("sets.owner.hits", owner_calls, 2);
    softmmu_tlb_select(&env, 1);
    check("sets.set1.kept", sld(L, MO_32, K), 0x22222222);
    /* protection of a code page reaches the set not in use */
    softmmu_tlb_select(&env, 0);
    sst(L, 0x11111111, MO_32, K);
    softmmu_tlb_select(&env, 1);
    mem_path->protect_code_page(&env, 0x200000, true);
    softmmu_tlb_select(&env, 0);
    check("sets.notdirty.other", entry(K, L)->addr_write, L | TLB_NOTDIRTY);
    /* the page is no code page any more: the next store clears the flag */
    guest_pflags[0x200] = 0;
    sst(L + 8, 0x77, MO_32, K);
    check("sets.notdirty.cleared", entry(K, L)->addr_write, L);
    check("sets.notdirty.value", rd32(0x200008), 0x77);
    /* INVLPG in set 1 drops the page from set 0 too */
    softmmu_tlb_select(&env, 1);
    mem_path->flush_page(&env, L);
    softmmu_tlb_select(&env, 0);
    check("sets.invlpg.other", entry(K, L)->addr_read, 0xffffffffu);
    check("sets.ld0.walk", sld(L, MO_32, K), 0x22222222);
    /* flush_nonglobal: the current set only; drop: the named set */
    softmmu_tlb_select(&env, 1);
    sld(L, MO_32, K);
    mem_path->flush_nonglobal(&env);
    check("sets.nonglobal.cur", entry(K, L)->addr_read, 0xffffffffu);
    softmmu_tlb_select(&env, 0);
    check("sets.nonglobal.other", entry(K, L)->addr_read, L);
    softmmu_tlb_drop(&env, 0, true);
    check("sets.drop", entry(K, L)->addr_read, 0xffffffffu);
    /* a whole flush reaches every set */
    sld(L, MO_32, K);
    softmmu_tlb_select(&env, 1);
    sld(L, MO_32, K);
    mem_path->flush_all(&env);
    check("sets.flushall.cur", entry(K, L)->addr_read, 0xffffffffu);
    softmmu_tlb_select(&env, 0);
    check("sets.flushall.other", entry(K, L)->addr_read, 0xffffffffu);
    check("sets.select.range", softmmu_tlb_select(&env, SOFTMMU_TLB_SETS), 0);

    /* revalidates: an INVLPG in set 1 leaves set 0's non-global entry to
     * its owner, but drops a global one there */
    softmmu_set_owner(&reval_owner);
    mem_path->flush_all(&env);
    sld(L, MO_32, K);
    softmmu_tlb_select(&env, 1);
    mem_path->flush_page(&env, L);
    softmmu_tlb_select(&env, 0);
    check("sets.reval.nonglobal.kept", entry(K, L)->addr_read, L);
    env.cr[4] |= CR4_PGE;
    wr32(PT + 4, 0x210000 | P | RW | US | A | D | G);
    mem_path->flush_all(&env);
    check("sets.reval.global.ld", sld(L, MO_32, K), 0x22222222);
    softmmu_tlb_select(&env, 1);
    mem_path->flush_page(&env, L);
    softmmu_tlb_select(&env, 0);
    check("sets.reval.global.dropped", entry(K, L)->addr_read, 0xffffffffu);
    env.cr[4] &= ~CR4_PGE;
    /* softmmu_owner_walks: fills report their walks only while on */
    owner_calls = 0;
    softmmu_owner_walks(false);
    mem_path->flush_all(&env);
    sld(L, MO_32, K);
    check("sets.walks.off", owner_calls, 0);
    softmmu_owner_walks(true);
    mem_path->flush_all(&env);
    sld(L, MO_32, K);
    check("sets.walks.on", owner_calls, 1);
    softmmu_set_owner(NULL);
}

/* MemPath.peek (cosim) and watchpoints: log text, :stop restart + stop. */
static void test_peek_watch(void)
{
    const uint32_t L = 0x40001000u, L2 = L + (1u << (CPU_TLB_DYN_DEFAULT_BITS + 12));
    uint32_t pa = 0;

    mem_path->init(&env);
    setup32(L, P | RW | US, 0x200000 | P | RW | US);
    wr32(PT + ((L2 >> 12) & 0x3ff) * 4, 0x300000 | P | RW | US);
    check("peek.empty", mem_path->peek(&env, L + 4, false, K, &pa), 0);
    sld(L, MO_32, K);
    check("peek.ld", mem_path->peek(&env, L + 4, false, K, &pa), 1);
    check("peek.ld.pa", pa, 0x200004);
    check("peek.st.clean", mem_path->peek(&env, L + 4, true, K, &pa), 0);
    check("peek.other.idx", mem_path->peek(&env, L + 4, false, U, &pa), 0);
    sst(L + 8, 1, MO_32, K);
    check("peek.st", mem_path->peek(&env, L + 8, true, K, &pa), 1);
    sld(L2, MO_32, K);          /* same index: L goes to the victim TLB */
    check("peek.victim", mem_path->peek(&env, L + 12, true, K, &pa), 1);
    check("peek.victim.pa", pa, 0x20000c);
    check("peek.l2.pa", mem_path->peek(&env, L2, false, K, &pa) && pa == 0x300000, 1);
    mem_path->flush_page(&env, L);
    check("peek.flushed", mem_path->peek(&env, L + 12, false, K, &pa), 0);

    check("watch.parse.bad1", mem_watch_parse(&env, "0x10:"), 0);
    check("watch.parse.bad2", mem_watch_parse(&env, "0x10:4:stop:x"), 0);
    check("watch.parse.bad3", mem_watch_parse(&env, ":stop"), 0);
    check("watch.parse.bad4", mem_watch_parse(&env, "0x10:4:halt"), 0);
    check("watch.parse", mem_watch_parse(&env, "0x40001010:4"), 1);
    check("watch.test.in", mem_watch_test(L + 0x12, 1), 1);
    check("watch.test.out", mem_watch_test(L + 0x14, 4), 0);
    check("watch.test.overlap", mem_watch_test(L + 0xe, 4), 1);
    wr32(0x200010, 0x1234);
    env.eip = 0x1000;
    sst(L + 0x10, 0x55, MO_32, K);
    check("watch.st.msg", strcmp(last_msg, "hamt86: watchpoint: st32 0x40001010 "
                                 "<- 0x55 (was 0x1234) at EIP 0x00001000\n"), 0);
    check("watch.st.done", rd32(0x200010), 0x55);
    last_msg[0] = 0;
    check("watch.ld", sld(L + 0x12, MO_16, K), 0);
    check("watch.ld.msg", strcmp(last_msg, "hamt86: watchpoint: ld16 0x40001012 "
                                 "-> 0x0 at EIP 0x00001000\n"), 0);
    last_msg[0] = 0;
    sld(L + 0x14, MO_32, K);
    check("watch.ld.other", last_msg[0], 0);
    /* :stop inside a TB: restart the insn alone, then log and stop */
    check("watch.parse.stop", mem_watch_parse(&env, "0x40001020:stop"), 1);
    cpu_in_exec = true;
    wr32(0x200020, 7);
    sst(L + 0x20, 9, MO_8, K);
    check("watch.stop.restart", fault_vec, -2);
    check("watch.stop.cflags", tb_next_cflags != 0, 1);
    check("watch.stop.notyet", rd32(0x200020), 7);
    check("watch.stop.noexit", exit_status, -1);
    sst(L + 0x20, 9, MO_8, K);     /* the one-shot TB */
    check("watch.stop.store", rd32(0x200020), 9);
    check("watch.stop.exit", exit_status, WATCH_EXIT_STATUS);
    check("watch.stop.msg", strstr(last_msg, "stopping the guest after") != NULL, 1);
    cpu_in_exec = false;
}

int main(void)
{
    test_walker();
    test_tlb();
    test_sets();
    test_peek_watch();
    printf("mmu-test: %d checks, %d failed\n", checks, fails);
    return fails ? 1 : 0;
}
