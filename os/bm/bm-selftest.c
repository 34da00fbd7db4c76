/*
 * hamt86 - bare-metal LoongArch64 self-tests of the host TLB mapper
 * (os/bm/la-tlbmap.c), run instead of the emulator when the boot block's
 * first argument is --bm-test=NAME (cross/run-bm loongarch64 --bm-test=tlb;
 * tests/bm/run.sh).  Exit status 0 = pass; one line per check.
 *
 *   tlb     fills read back with tlbsrch + tlbrd: VPPN, PS, both
 *           halves' PPN/V/D, entries gone after os_protect/os_map_fixed
 *           invalidations, a hole and a read-only store fault with the
 *           right BADV and kind
 *   stress  random map/unmap/protect of 8192 pages in 8 windows (2x what
 *           the STLB holds) with random loads and stores, every result
 *           checked against a software model (frame tag read, or the fault
 *           expected), plus whole-TLB flushes
 *   crash   an access outside every window: the unexpected-exception path
 *           (register dump, guest EIP line, exit 3)
 */
#include "core/os.h"
#include "core/libc.h"
#include "hamt/hamt-tlb.h"
#include "os/bm/bm.h"

#define PG ((uint64_t)BM_PAGE_SIZE)

/* The last fault the test handler saw. */
typedef struct TestFault {
    uintptr_t addr;
    int is_write;
    unsigned count;
} TestFault;

static TestFault tf;
static unsigned failures;

/* Record the fault and skip the faulting instruction. */
static bool test_fault(OSFault *f)
{
    tf.addr = f->addr;
    tf.is_write = f->is_write;
    tf.count++;
    os_fault_set_pc(f, f->pc + 4);
    return true;
}

static void say(const char *fmt, ...) PRINTF_FMT(1, 2);
/* One line on the console (fd 1). */
static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = h_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    os_write(1, buf, (size_t)n);
}

#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
    say("FAIL " __VA_ARGS__); say("\n"); } } while (0)

/* Load 32 bits (a fault leaves sentinel). */
static uint32_t ld32(uintptr_t va, uint32_t sentinel)
{
    uint32_t v = sentinel;

    __asm__ volatile("ld.w %0, %1, 0" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void st32(uintptr_t va, uint32_t v)
{
    __asm__ volatile("st.w %0, %1, 0" :: "r"(v), "r"(va) : "memory");
}

/* tlbsrch + tlbrd for va (ASID 0): true if an entry matches. */
static bool tlb_read(uintptr_t va, LaTlbEntry *e)
{
    uint64_t idx;

    csr_write(CSR_TLBEHI, va & ~(2 * PG - 1));
    __asm__ volatile("tlbsrch" ::: "memory");
    idx = csr_read(CSR_TLBIDX);
    if (idx & LA_TLBIDX_NE) {
        return false;
    }
    __asm__ volatile("tlbrd" ::: "memory");
    e->tlbehi = csr_read(CSR_TLBEHI);
    e->tlbelo[0] = csr_read(CSR_TLBELO0);
    e->tlbelo[1] = csr_read(CSR_TLBELO1);
    e->tlbidx = (uint32_t)csr_read(CSR_TLBIDX);
    e->asid = (uint32_t)csr_read(CSR_ASID) & 0x3ff;
    /* tlbrd changed ASID/TLBIDX.PS: put back what the refill relies on */
    csr_write(CSR_ASID, 0);
    csr_write(CSR_TLBIDX, (uint64_t)BM_PAGE_BITS << LA_TLBIDX_PS_SHIFT);
    return true;
}

#define PPN_MASK 0x0000ffffffffc000ull

/* Fills read back with tlbrd. */
static void test_tlb(uint8_t *ram, uint64_t ram_pa)
{
    uintptr_t w = (uintptr_t)os_reserve(64u << 20);
    int fd = os_ram_fd();
    LaTlbEntry e;

    for (unsigned i = 0; i < 16; i++) {
        ((uint32_t *)(ram + i * PG))[0] = 0xa5000000u + i;
    }
    /* pages 0..7 -> frames 7..0 (reversed), read-write */
    for (unsigned i = 0; i < 8; i++) {
        CHECK(os_map_fixed((void *)(w + i * PG), PG,
                           OS_PROT_READ | OS_PROT_WRITE, fd,
                           (7 - i) * PG) == 0, "map page %u", i);
    }
    for (unsigned i = 0; i < 8; i++) {
        uint32_t v = ld32(w + i * PG, 0);
        CHECK(v == 0xa5000000u + 7 - i, "page %u reads %#x, expected %#x",
              i, v, 0xa5000000u + 7 - i);
    }
    for (unsigned i = 0; i < 8; i += 2) {
        bool hit = tlb_read(w + i * PG, &e);
        CHECK(hit, "tlbsrch finds no entry for page %u after the fill", i);
        if (!hit) {
            continue;
        }
        CHECK(e.tlbehi == (w + i * PG), "page %u: TLBEHI %#llx", i,
              (unsigned long long)e.tlbehi);
        CHECK(((e.tlbidx >> LA_TLBIDX_PS_SHIFT) & 0x3f) == BM_PAGE_BITS,
              "page %u: PS %u, expected %u", i, BM_PAGE_BITS,
              (e.tlbidx >> LA_TLBIDX_PS_SHIFT) & 0x3f);
        for (unsigned h = 0; h < 2; h++) {
            uint64_t want = ram_pa + (7 - i - h) * PG;
            CHECK((e.tlbelo[h] & PPN_MASK) == want &&
                  (e.tlbelo[h] & (LA_TLBELO_V | LA_TLBELO_D)) ==
                  (LA_TLBELO_V | LA_TLBELO_D) &&
                  !(e.tlbelo[h] & LA_TLBELO_G),
                  "page %u half %u: TLBELO %#llx, expected PPN %#llx V D",
                  i, h, (unsigned long long)e.tlbelo[h],
                  (unsigned long long)want);
        }
    }
    say("INFO tlb: %u fills read back\n", 4u);

    /* read-only: the entry goes, a refill brings D = 0, a store faults */
    CHECK(os_protect((void *)(w + 2 * PG), PG, OS_PROT_READ) == 0,
          "os_protect");
    CHECK(!tlb_read(w + 2 * PG, &e), "entry survives os_protect");
    CHECK(ld32(w + 2 * PG, 0) == 0xa5000005u, "read-only page reads");
    CHECK(tlb_read(w + 2 * PG, &e) && (e.tlbelo[0] & LA_TLBELO_V) &&
          !(e.tlbelo[0] & LA_TLBELO_D) && (e.tlbelo[1] & LA_TLBELO_D),
          "read-only refill: TLBELO0 %#llx TLBELO1 %#llx",
          (unsigned long long)e.tlbelo[0], (unsigned long long)e.tlbelo[1]);
    tf.count = 0;
    st32(w + 2 * PG + 8, 1);
    CHECK(tf.count == 1 && tf.addr == w + 2 * PG + 8 && tf.is_write == 1,
          "store to read-only: %u faults, addr %#lx, write %d", tf.count,
          (unsigned long)tf.addr, tf.is_write);

    /* unmapped: the entry goes, a load faults with the address */
    CHECK(os_map_fixed((void *)(w + 4 * PG), PG, OS_PROT_NONE, -1, 0)
          == 0, "unmap");
    CHECK(!tlb_read(w + 4 * PG, &e) ||
          !(e.tlbelo[0] & LA_TLBELO_V), "entry survives the unmap");
    tf.count = 0;
    CHECK(ld32(w + 4 * PG + 4, 0x5a5a5a5a) == 0x5a5a5a5a && tf.count == 1
          && tf.addr == w + 4 * PG + 4 && tf.is_write == 0,
          "load from a hole: %u faults, addr %#lx", tf.count,
          (unsigned long)tf.addr);
    /* a hole never mapped (no leaf table) */
    tf.count = 0;
    CHECK(ld32(w + (48u << 20), 7) == 7 && tf.count == 1,
          "load from an untouched hole: %u faults", tf.count);
    /* the odd half of a pair is independent of the even one */
    CHECK(ld32(w + 5 * PG, 0) == 0xa5000002u, "odd half after unmap");
    os_unreserve((void *)w, 64u << 20);
    CHECK(!tlb_read(w, &e), "entry survives os_unreserve");
}

/* xorshift64 */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#define ST_WINS   8
#define ST_PAGES  1024          /* per window: 8192 pages, 4096 pairs:
                                   2x the STLB's 2048 entries */
#define ST_FRAMES 256
#define ST_OPS    200000

/* Random edits and accesses against a software model. */
static void test_stress(uint8_t *ram)
{
    static int16_t model[ST_WINS][ST_PAGES];     /* frame, or -1 */
    static uint8_t model_w[ST_WINS][ST_PAGES];   /* writable */
    static uint32_t frame_tag[ST_FRAMES];
    uintptr_t win[ST_WINS];
    uint64_t s = 0x9e3779b97f4a7c15ull;
    unsigned loads = 0, stores = 0, faults = 0, edits = 0, flushes = 0;
    int fd = os_ram_fd();

    for (unsigned f = 0; f < ST_FRAMES; f++) {
        frame_tag[f] = 0x10000u * f;
        *(volatile uint32_t *)(ram + f * PG) = frame_tag[f];
    }
    for (unsigned i = 0; i < ST_WINS; i++) {
        win[i] = (uintptr_t)os_reserve(ST_PAGES * PG);
        for (unsigned p = 0; p < ST_PAGES; p++) {
            model[i][p] = -1;
        }
    }
    for (unsigned op = 0; op < ST_OPS && failures < 10; op++) {
        uint64_t r = rnd(&s);
        unsigned i = r % ST_WINS, p = (r >> 8) % ST_PAGES;
        unsigned kind = (r >> 20) % 16;
        uintptr_t va = win[i] + p * PG;

        if (kind == 0) {                       /* map a random frame */
            unsigned f = (r >> 32) % ST_FRAMES;
            bool wr = (r >> 48) & 1;
            os_map_fixed((void *)va, PG, OS_PROT_READ |
                         (wr ? OS_PROT_WRITE : 0), fd, f * PG);
            model[i][p] = (int16_t)f;
            model_w[i][p] = wr;
            edits++;
        } else if (kind == 1) {                /* unmap */
            os_map_fixed((void *)va, PG, OS_PROT_NONE, -1, 0);
            model[i][p] = -1;
            edits++;
        } else if (kind == 2) {                /* protect */
            bool wr = (r >> 48) & 1;
            os_protect((void *)va, PG,
                       OS_PROT_READ | (wr ? OS_PROT_WRITE : 0));
            model_w[i][p] = wr;
            edits++;
        } else if (kind == 3 && (r >> 40) % 64 == 0) {
            __asm__ volatile("invtlb 0, $zero, $zero" ::: "memory");
            flushes++;
        } else if (kind < 10) {                /* load */
            int f = model[i][p];
            uint32_t v;
            tf.count = 0;
            v = ld32(va, 0xdeadbeef);
            loads++;
            if (f < 0) {
                CHECK(tf.count == 1 && tf.addr == va && v == 0xdeadbeef,
                      "op %u: load from hole w%u p%u: %u faults", op, i, p,
                      tf.count);
                faults += tf.count;
            } else {
                CHECK(tf.count == 0 && v == frame_tag[f],
                      "op %u: load w%u p%u: %#x, model frame %d tag %#x "
                      "(%u faults)", op, i, p, v, f, frame_tag[f], tf.count);
            }
        } else {                               /* store a new tag */
            int f = model[i][p];
            uint32_t nv = (uint32_t)(r >> 32) | 1;
            tf.count = 0;
            st32(va, nv);
            stores++;
            if (f < 0 || !model_w[i][p]) {
                CHECK(tf.count == 1 && tf.addr == va && tf.is_write == 1,
                      "op %u: store to %s w%u p%u: %u faults", op,
                      f < 0 ? "hole" : "read-only", i, p, tf.count);
                faults += tf.count;
            } else {
                CHECK(tf.count == 0, "op %u: store w%u p%u faulted", op, i, p);
                frame_tag[f] = nv;
            }
        }
    }
    for (unsigned f = 0; f < ST_FRAMES; f++) {
        uint32_t v = *(volatile uint32_t *)(ram + f * PG);
        CHECK(v == frame_tag[f], "frame %u holds %#x, model %#x", f, v,
              frame_tag[f]);
    }
    say("INFO stress: %u edits, %u loads, %u stores, %u faults, %u flushes, "
        "%llu refills\n", edits, loads, stores, faults, flushes,
        (unsigned long long)bm_tlb_refills);
}

/* --bm-test=NAME: run one self-test; the exit status. */
int bm_selftest(const char *name)
{
    uint8_t *ram = os_alloc_ram(4u << 20);
    uint64_t ram_pa = BM_PHYS(ram);

    /* the mapper's table under ASID 0 (HAMT's driver is not in use) */
    csr_write(CSR_ASID, 0);
    os_set_fault_handler(test_fault);
    if (strcmp(name, "tlb") == 0) {
        test_tlb(ram, ram_pa);
    } else if (strcmp(name, "stress") == 0) {
        test_stress(ram);
    } else if (strcmp(name, "crash") == 0) {
        os_set_fault_handler(NULL);
        say("INFO crash: loading from 0x10\n");
        (void)ld32(0x10, 0);
        say("FAIL crash: still running\n");
        return 1;
    } else {
        say("FAIL --bm-test=%s: unknown (tlb, stress, crash)\n", name);
        return 2;
    }
    say("%s bm-test %s\n", failures ? "FAIL" : "PASS", name);
    return failures ? 1 : 0;
}
