/*
 * fpu: the x87 and MMX as system features, compared with
 * qemu-system-i386 -cpu pentium2:
 *   CPUID leaf 1 FPU / MMX / FXSR;
 *   #NM from CR0.TS (x87, MMX, WAIT only with MP), CR0.EM (x87: #NM,
 *   MMX: #UD, WAIT: none), CLTS;
 *   #MF with CR0.NE=1 at the next waiting instruction (EIP of the wait);
 *   NE=0 with IGNNE# (port 0xF0): no IRQ13, no #MF;
 *   FNSTENV / FNSAVE / FRSTOR / FLDENV in 32- and 16-bit (data16) layouts
 *   in protected mode; FXSAVE / FXRSTOR with CR4.OSFXSR;
 *   MMX aliasing (TOP = 0, tags, exponent 0xFFFF, EMMS);
 *   a hardware task switch sets CR0.TS and leaves the x87 state alone;
 *   a lazy FPU switch after it (#NM handler: CLTS, FNSAVE, FRSTOR, IRET
 *   back to the faulting instruction, which then sees the new state).
 * Not printed, because QEMU 7.2 differs from a real CPU there (FACTS.md):
 * the upper halves of the 32-bit environment dwords (a P6 stores 0xFFFF,
 * QEMU 0; hamt86 follows the P6 and the difftest checks it against the
 * real CPU), FOP / FCS / FDS, MXCSR and the XMM area of FXSAVE, exception
 * flags of inexact operations, FXSAVE's FIP (QEMU stores 0), the exponent
 * of an MMX-written register (a P6 sets 0xFFFF, QEMU leaves it), EMMS under
 * CR0.EM/TS (#UD / #NM on a P6, nothing in QEMU) and TOP after an unmasked
 * pre-computation exception of a popping instruction (a P6 does not pop,
 * QEMU does).  The real-mode layouts are only in the
 * difftest-free unit of fpu-env.c (not covered here).
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "fpu";

#define PIC1 0x20
#define PIC2 0xa0

static inline uint32_t rd_cr0(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    return v;
}
static inline void wr_cr0(uint32_t v)
{
    __asm__ volatile("movl %0, %%cr0" : : "r"(v));
}
static inline uint32_t rd_cr4(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr4, %0" : "=r"(v));
    return v;
}
static inline void wr_cr4(uint32_t v)
{
    __asm__ volatile("movl %0, %%cr4" : : "r"(v));
}
static inline uint16_t fnstsw(void)
{
    uint16_t v;
    __asm__ volatile("fnstsw %0" : "=a"(v));
    return v;
}

/* ---- #NM / #UD under CR0.EM / TS / MP ---------------------------------- */

static void t_fld1(void *p) { (void)p; __asm__ volatile("fld1; fstp %%st(0)" ::: "memory"); }
static void t_fwait(void *p) { (void)p; __asm__ volatile("fwait"); }
static void t_movd(void *p) { (void)p; __asm__ volatile("movd %%eax, %%mm1" ::: "eax"); }
static void t_fnstcw(void *p)
{
    uint16_t cw;
    (void)p;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
}

static void nm_tests(void)
{
    static const struct { const char *name; uint32_t bits; } modes[] = {
        { "none", 0 }, { "ts", 8 }, { "ts+mp", 8 | 2 }, { "em", 4 },
        { "em+mp", 4 | 2 }, { "mp", 2 },
    };
    static const struct { const char *name; void (*fn)(void *); } ops[] = {
        { "fld1", t_fld1 }, { "fwait", t_fwait }, { "movd", t_movd },
        { "fnstcw", t_fnstcw },
    };
    uint32_t cr0 = rd_cr0() & ~0xeu;
    unsigned m, o;

    for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
            int vec;

            wr_cr0(cr0 | modes[m].bits);
            vec = trap_catch(ops[o].fn, 0);
            wr_cr0(cr0);
            resultf("nm %s %s vec=%d", modes[m].name, ops[o].name, vec);
        }
    }
    wr_cr0(cr0 | 8);
    __asm__ volatile("clts");
    resultf("clts cr0.ts=%u", (rd_cr0() >> 3) & 1);
    __asm__ volatile("emms; fninit");
}

/* ---- #MF (NE=1) and FERR# / IRQ13 (NE=0) -------------------------------- */

extern const char mf_wait_at[];
static void t_mf(void *p)
{
    static const uint16_t cw = 0x037b;     /* ZE unmasked */
    (void)p;
    __asm__ volatile("fninit; fldcw %0; fld1; fldz; fdivrp %%st, %%st(1)\n\t"
                     "nop; nop\n"
                     "mf_wait_at: fwait\n\t" : : "m"(cw) : "memory");
}

/* The same with IGNNE# asserted before the faulting divide. */
static void t_mf_ignne(void *p)
{
    static const uint16_t cw = 0x037b;
    (void)p;
    __asm__ volatile("fninit; fldcw %0; fld1; fldz; outb %%al, $0xf0\n\t"
                     "fdivrp %%st, %%st(1); fwait; fld1; fstp %%st(0)"
                     : : "m"(cw), "a"(0) : "memory");
}

static volatile uint32_t irq13_count;

static void on_irq(uint32_t vector)
{
    if (vector == 0x28 + 5) {
        irq13_count++;
        outb(0xf0, 0);                      /* IGNNE#, FERR# off */
        __asm__ volatile("fnclex");
        outb(PIC2, 0x20);
    }
    outb(PIC1, 0x20);
}

static void mf_tests(void)
{
    uint32_t cr0 = rd_cr0();
    uint16_t fsw;
    int vec;

    /* NE = 1: #MF at the fwait after the faulting divide */
    wr_cr0(cr0 | 0x20);
    last_trap.eip = 0;
    vec = trap_catch(t_mf, 0);
    fsw = fnstsw();
    resultf("mf ne=1 vec=%d at_wait=%d fsw.ze=%u es=%u b=%u", vec,
            last_trap.eip == (uint32_t)mf_wait_at, (fsw >> 2) & 1,
            (fsw >> 7) & 1, fsw >> 15);
    /* a non-waiting instruction with the exception pending: no #MF */
    __asm__ volatile("fnstcw %0" : "=m"(fsw));
    resultf("mf fnstcw pending cw=%04x", fsw);
    __asm__ volatile("fnclex; fninit");

    /* NE = 0 with IGNNE# asserted (port 0xF0 written after FNINIT): no
     * IRQ13, no #MF, the exception stays pending.  (FERR# itself, IRQ13,
     * is not compared: qemu-system-i386 7.2 aborts on it, an assertion
     * about the iothread lock in tcg_handle_interrupt.) */
    wr_cr0(cr0 & ~0x20u);
    outb(PIC1, 0x11); outb(PIC2, 0x11);
    outb(PIC1 + 1, 0x20); outb(PIC2 + 1, 0x28);
    outb(PIC1 + 1, 0x04); outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01); outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xfb);                   /* cascade only */
    outb(PIC2 + 1, 0xdf);                   /* IRQ13 */
    irq_hook = on_irq;
    __asm__ volatile("sti");
    vec = trap_catch(t_mf_ignne, 0);
    __asm__ volatile("nop; nop; cli");
    fsw = fnstsw();
    resultf("ignne ne=0 vec=%d irq13=%u fsw.ze=%u es=%u", vec, irq13_count,
            (fsw >> 2) & 1, (fsw >> 7) & 1);
    outb(PIC1 + 1, 0xff);
    outb(PIC2 + 1, 0xff);
    irq_hook = 0;
    __asm__ volatile("fninit");
    wr_cr0(cr0);
}

/* ---- FNSTENV / FLDENV / FNSAVE / FRSTOR layouts -------------------------- */

static uint8_t envbuf[128] __attribute__((aligned(16)));

/* Load a small stack: 1.0, pi, -2.5 (as m64), ST0 = -2.5. */
static void load_stack(void)
{
    static const double m = -2.5;
    __asm__ volatile("fninit; fld1; fldpi; fldl %0" : : "m"(m));
}

static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

/* Print the 10-byte register images at p. */
static void print_regs(const char *what, const uint8_t *p, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++, p += 10) {
        resultf("%s st%u %04x %08x%08x", what, i, rd16(p + 8), rd32(p + 4),
                rd32(p));
    }
}

extern const char env_fld_at[];
static void env_tests(void)
{
    static const uint16_t cw = 0x0e7f;
    uint16_t fsw;
    double d = 0;

    /* 32-bit FNSTENV: FCW FSW FTW (low halves), FIP, FDP offsets */
    memset(envbuf, 0xa5, sizeof(envbuf));
    load_stack();
    __asm__ volatile("fldcw %1\n"
                     "env_fld_at: fldl %2\n\t"
                     "fnstenv %0" : "=m"(envbuf) : "m"(cw), "m"(d));
    resultf("fnstenv32 fcw=%04x fsw=%04x ftw=%04x fip_ok=%d fdp_ok=%d",
            rd16(envbuf), rd16(envbuf + 4), rd16(envbuf + 8),
            rd32(envbuf + 12) == (uint32_t)env_fld_at,
            rd32(envbuf + 20) == (uint32_t)&d);
    /* FNSTENV masked all exceptions */
    __asm__ volatile("fnstcw %0" : "=m"(fsw));
    resultf("after fnstenv fcw=%04x", fsw);
    /* FLDENV of a modified image: TOP, tags, FCW come back */
    envbuf[0] = 0x7f; envbuf[1] = 0x0f;          /* RC = chop, PC = 64 */
    __asm__ volatile("fldenv %0" : : "m"(envbuf));
    __asm__ volatile("fnstcw %0" : "=m"(fsw));
    resultf("fldenv32 fcw=%04x fsw=%04x", fsw, fnstsw());

    /* 16-bit FNSTENV (data16): 14 bytes */
    memset(envbuf, 0xa5, sizeof(envbuf));
    load_stack();
    __asm__ volatile("data16 fnstenv %0" : "=m"(envbuf));
    resultf("fnstenv16 fcw=%04x fsw=%04x ftw=%04x byte14=%02x",
            rd16(envbuf), rd16(envbuf + 2), rd16(envbuf + 4), envbuf[14]);

    /* 32-bit FNSAVE: env + 8 registers, then FNINIT */
    memset(envbuf, 0xa5, sizeof(envbuf));
    load_stack();
    __asm__ volatile("fnsave %0" : "=m"(envbuf));
    resultf("fnsave32 fcw=%04x fsw=%04x ftw=%04x after: fsw=%04x",
            rd16(envbuf), rd16(envbuf + 4), rd16(envbuf + 8), fnstsw());
    print_regs("fnsave32", envbuf + 28, 3);
    /* FRSTOR of a modified image: ST0 = 1.0, then read back ST0 */
    envbuf[28 + 7] = 0x80; envbuf[28 + 8] = 0xff; envbuf[28 + 9] = 0x3f;
    memset(envbuf + 28, 0, 7);
    __asm__ volatile("frstor %0; fstpl %1" : : "m"(envbuf), "m"(d) : "memory");
    resultf("frstor32 st0=%08x%08x fsw=%04x", (uint32_t)(*(uint64_t *)&d >> 32),
            (uint32_t)*(uint64_t *)&d, fnstsw());

    /* 16-bit FNSAVE: 14 + 80 bytes */
    memset(envbuf, 0xa5, sizeof(envbuf));
    load_stack();
    __asm__ volatile("data16 fnsave %0" : "=m"(envbuf));
    resultf("fnsave16 fcw=%04x fsw=%04x ftw=%04x byte94=%02x",
            rd16(envbuf), rd16(envbuf + 2), rd16(envbuf + 4), envbuf[94]);
    print_regs("fnsave16", envbuf + 14, 3);
    __asm__ volatile("data16 frstor %0; fstpl %1" : : "m"(envbuf), "m"(d)
                     : "memory");
    resultf("frstor16 st0=%08x%08x fsw=%04x", (uint32_t)(*(uint64_t *)&d >> 32),
            (uint32_t)*(uint64_t *)&d, fnstsw());
    __asm__ volatile("fninit");
}

/* ---- FXSAVE / FXRSTOR ------------------------------------------------------ */

static uint8_t fxbuf[512] __attribute__((aligned(16)));

static void fx_tests(void)
{
    double d = 0;

    wr_cr4(rd_cr4() | 0x200);               /* OSFXSR */
    memset(fxbuf, 0x5a, sizeof(fxbuf));
    load_stack();
    __asm__ volatile("fxsave %0" : "=m"(fxbuf));
    resultf("fxsave fcw=%04x fsw=%04x ftw=%02x", rd16(fxbuf),
            rd16(fxbuf + 2), fxbuf[4]);
    print_regs("fxsave", fxbuf + 32, 1);
    print_regs("fxsave", fxbuf + 48, 1);
    print_regs("fxsave", fxbuf + 64, 1);
    /* FXSAVE does not re-initialise */
    resultf("after fxsave fsw=%04x", fnstsw());
    __asm__ volatile("fninit");
    fxbuf[4] = 0x01;                        /* only ST0 (R5 was TOP) ... */
    fxbuf[4] = 0x20;                        /* ... physical R5 valid */
    __asm__ volatile("fxrstor %0; fstpl %1" : : "m"(fxbuf), "m"(d) : "memory");
    resultf("fxrstor st0=%08x%08x fsw=%04x", (uint32_t)(*(uint64_t *)&d >> 32),
            (uint32_t)*(uint64_t *)&d, fnstsw());
    __asm__ volatile("fninit");
}

/* ---- MMX / x87 aliasing ------------------------------------------------------ */

static void mmx_tests(void)
{
    static const uint64_t q = 0x0123456789abcdefull;
    uint64_t out;

    load_stack();                           /* TOP = 5 */
    __asm__ volatile("movq %0, %%mm2" : : "m"(q));
    __asm__ volatile("fnstenv %0" : "=m"(envbuf));
    resultf("mmx movq: fsw=%04x ftw=%04x", rd16(envbuf + 4), rd16(envbuf + 8));
    __asm__ volatile("fnsave %0" : "=m"(envbuf));
    /* ST0..2 = MM0..2 (TOP 0); significands only: a real CPU sets the
     * exponent of a written MMX register to 0xFFFF, QEMU 7.2 does not */
    resultf("mmx mm2 %08x%08x", rd32(envbuf + 28 + 24), rd32(envbuf + 28 + 20));
    __asm__ volatile("frstor %0" : : "m"(envbuf));
    __asm__ volatile("paddb %%mm2, %%mm2; movq %%mm2, %0" : "=m"(out));
    resultf("mmx paddb %08x%08x", (uint32_t)(out >> 32), (uint32_t)out);
    __asm__ volatile("emms; fnstenv %0" : "=m"(envbuf));
    resultf("emms: fsw=%04x ftw=%04x", rd16(envbuf + 4), rd16(envbuf + 8));
    /* an x87 load after EMMS writes R7, and MM7 sees its significand */
    __asm__ volatile("fld1; movq %%mm7, %0" : "=m"(out));
    resultf("fld1 -> mm7 %08x%08x", (uint32_t)(out >> 32), (uint32_t)out);
    __asm__ volatile("emms; fninit");
}

/* ---- hardware task switch ---------------------------------------------------- */

typedef struct Tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} Tss32;

static Tss32 t2_tss;
static uint8_t t2_stack[4096] __attribute__((aligned(16)));
volatile uint32_t t2_cr0;
extern char t2_entry[];

/* Task 2: record CR0, then JMP back to the main task (TSS 0x30). */
__asm__(".text\n"
        "t2_entry:\n\t"
        "movl %cr0, %eax\n\t"
        "movl %eax, t2_cr0\n\t"
        "ljmp $0x30, $0\n\t"
        "jmp t2_entry\n");

static void task_tests(void)
{
    double d = 0;
    uint32_t cr0;
    uint16_t fsw;

    sys_init();
    memset(&t2_tss, 0, sizeof(t2_tss));
    t2_tss.eip = (uint32_t)t2_entry;
    t2_tss.esp = (uint32_t)(t2_stack + sizeof(t2_stack));
    t2_tss.eflags = 2;
    t2_tss.cs = SYS_KCODE;
    t2_tss.ss = t2_tss.ds = t2_tss.es = t2_tss.fs = t2_tss.gs = SYS_KDATA;
    t2_tss.iomap = 104;
    __asm__ volatile("movl %%cr3, %0" : "=r"(t2_tss.cr3));
    sys_gdt_set(13, sys_desc((uint32_t)&t2_tss, 103, ACC_TSS32, 0));
    load_stack();
    __asm__ volatile("clts; ljmp $0x68, $0" ::: "memory");
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    /* TS is set again by the switch back: x87 use faults until CLTS */
    resultf("task switch: t2 cr0.ts=%u main cr0.ts=%u fnstsw vec=%d",
            (t2_cr0 >> 3) & 1, (cr0 >> 3) & 1, trap_catch(t_fnstcw, 0));
    __asm__ volatile("clts");
    fsw = fnstsw();
    resultf("task switch: fsw=%04x (x87 state kept)", fsw);
    __asm__ volatile("fstpl %0" : "=m"(d));
    resultf("task switch: st0=%08x%08x", (uint32_t)(*(uint64_t *)&d >> 32),
            (uint32_t)*(uint64_t *)&d);
    __asm__ volatile("fninit");
}

/* ---- lazy FPU switch: TS from a task switch, #NM, FNSAVE / FRSTOR ---------- */

/* The #NM handler of an OS that switches the FPU lazily: CLTS, save the
 * previous owner's state, load the new one's, and return to the faulting
 * instruction, which runs again on the restored state. */
uint8_t lazy_old[108], lazy_new[108];
volatile uint32_t lazy_count;
extern char lazy_nm[];
__asm__(".text\n"
        "lazy_nm:\n\t"
        "clts\n\t"
        "fnsave lazy_old\n\t"
        "frstor lazy_new\n\t"
        "incl lazy_count\n\t"
        "iretl\n");

static void lazy_tests(void)
{
    uint64_t old_nm = sys_idt_get(7);
    double d = 0;
    uint32_t cr0;

    /* the new owner's image: ST0 = log2(e), ST1 = 1, RC = down */
    __asm__ volatile("fninit; fldcw %1; fld1; fldl2e; fnsave %0"
                     : "=m"(lazy_new) : "m"((uint16_t){ 0x077f }));
    load_stack();                           /* the old owner: -2.5, pi, 1 */
    __asm__ volatile("clts; ljmp $0x68, $0" ::: "memory");
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    lazy_count = 0;
    sys_idt_set(7, sys_gate(SYS_KCODE, (uint32_t)lazy_nm, ACC_INTG, 0));
    __asm__ volatile("fstpl %0" : "=m"(d));  /* #NM, then log2(e) */
    sys_idt_set(7, old_nm);
    resultf("lazy switch: ts=%u nm=%u st0=%08x%08x", (cr0 >> 3) & 1,
            lazy_count, (uint32_t)(*(uint64_t *)&d >> 32),
            (uint32_t)*(uint64_t *)&d);
    /* (exception flags left out: FSTP m64 is inexact, see the header) */
    resultf("lazy switch: fsw=%04x fcw=%04x", fnstsw() & ~0x3fu, ({
        uint16_t cw; __asm__ volatile("fnstcw %0" : "=m"(cw)); cw; }));
    resultf("lazy switch: old fcw=%04x fsw=%04x ftw=%04x", rd16(lazy_old),
            rd16(lazy_old + 4) & ~0x3fu, rd16(lazy_old + 8));
    print_regs("lazy switch: old", lazy_old + 28, 3);
    __asm__ volatile("fninit");
}

/* ---- 16-bit addressing forms (67 prefix) ---------------------------------------- */

static void addr16_tests(void)
{
    volatile uint32_t *low = (volatile uint32_t *)0x7000;   /* < 64 KiB */
    uint32_t a, b, c;

    low[0] = 0;
    low[1] = 0x40091eb8;                    /* 3.14 */
    low[2] = 0xdeadbeef;
    low[3] = 0x12345;                       /* int32 */
    __asm__ volatile("fninit\n\t"
                     "movw $0x7000, %%bx; movw $4, %%si\n\t"
                     ".byte 0x67; fldl -4(%%bx,%%si)\n\t"
                     ".byte 0x67; fiaddl 8(%%bx,%%si)\n\t"
                     ".byte 0x67; fsts 4(%%bx,%%si)\n\t"
                     ".byte 0x67; fistpl 0(%%bx)\n\t"
                     : : : "ebx", "esi", "memory");
    a = low[0];
    b = low[2];
    c = fnstsw();
    resultf("addr16 fistp=%08x fst32=%08x fsw=%04x", a, b, c);
}

void kmain(void)
{
    uint32_t a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
    resultf("cpuid.1.edx fpu=%u mmx=%u fxsr=%u", d & 1, (d >> 23) & 1,
            (d >> 24) & 1);
    __asm__ volatile("fninit");
    nm_tests();
    mf_tests();
    env_tests();
    fx_tests();
    mmx_tests();
    task_tests();
    lazy_tests();
    addr16_tests();
    finish(0x99f1bda7);
}
