/*
 * desc: descriptor checks and their error codes.
 *   - MOV Sreg: #GP/#NP/#SS with the selector as error code, the order of
 *     the checks (type and privilege before present), null selectors,
 *     GDT/LDT limits, RPL/DPL, conforming code as data;
 *   - far JMP/CALL: data target #GP, not present #NP, offset > limit #GP(0);
 *   - LLDT/LTR errors, SLDT/STR, ARPL;
 *   - LAR/LSL/VERR/VERW over a table of selectors at CPL 0 and CPL 3.
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "desc";

static uint64_t ldt[4] __attribute__((aligned(8)));

enum { S_DS, S_ES, S_SS, S_FS };
typedef struct Load {
    int seg;
    uint32_t sel;
} Load;

static void do_load(void *p)
{
    Load *l = p;
    uint32_t old;

    switch (l->seg) {
    case S_DS:
        __asm__ volatile("movl %%ds, %0; movw %w1, %%ds; movw %w0, %%ds" : "=&r"(old) : "r"(l->sel) : "memory");
        break;
    case S_SS:
        __asm__ volatile("movl %%ss, %0; movw %w1, %%ss; movw %w0, %%ss" : "=&r"(old) : "r"(l->sel) : "memory");
        break;
    case S_FS:
        __asm__ volatile("movw %w0, %%fs" : : "r"(l->sel) : "memory");
        break;
    default:
        __asm__ volatile("movl %%es, %0; movw %w1, %%es; movw %w0, %%es" : "=&r"(old) : "r"(l->sel) : "memory");
        break;
    }
}

/* Load sel into seg; want_vec -1 = no fault. */
static void expect_load(const char *name, int seg, uint32_t sel, int want_vec,
                        uint32_t want_err)
{
    Load l = { seg, sel };
    char n[48];
    size_t len = strlen(name);
    int v = trap_catch(do_load, &l);

    sys_reload_kseg();
    memcpy(n, name, len);
    memcpy(n + len, ".vec", 5);
    check(n, (uint32_t)v, (uint32_t)want_vec);
    if (v >= 0) {
        memcpy(n + len, ".err", 5);
        check(n, last_trap.err, want_err);
    }
}

static uint32_t far_sel, far_off;
static void do_ljmp(void *p)
{
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = { far_off, (uint16_t)far_sel };
    __asm__ volatile("ljmp *%0" : : "m"(fp));
}
static void do_lcall(void *p)
{
    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = { far_off, (uint16_t)far_sel };
    __asm__ volatile("lcall *%0" : : "m"(fp) : "memory");
}
static void do_lldt(void *p) { __asm__ volatile("lldt %w0" : : "r"(*(uint32_t *)p)); }
static void do_ltr(void *p) { __asm__ volatile("ltr %w0" : : "r"(*(uint32_t *)p)); }

static void expect_fn(const char *name, void (*fn)(void *), void *arg,
                      int want_vec, uint32_t want_err)
{
    char n[48];
    size_t len = strlen(name);
    int v = trap_catch(fn, arg);

    memcpy(n, name, len);
    memcpy(n + len, ".vec", 5);
    check(n, (uint32_t)v, (uint32_t)want_vec);
    if (v >= 0) {
        memcpy(n + len, ".err", 5);
        check(n, last_trap.err, want_err);
    }
}

static const uint16_t probe[] = {
    0x00, 0x08, 0x10, 0x18, 0x23, 0x2b, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58,
    0x60, 0x68, 0x70, 0x78, 0x7b, 0x80, 0x88, 0x90, 0x0c, 0x0f, 0x1000, 0x33,
};
#define NPROBE (sizeof(probe) / sizeof(probe[0]))
static volatile uint32_t pr_lar[NPROBE], pr_lsl[NPROBE], pr_flags[NPROBE];

static void do_probe(void *p)
{
    for (unsigned i = 0; i < NPROBE; i++) {
        int zl, zs;
        uint32_t a = sys_lar(probe[i], &zl), b = sys_lsl(probe[i], &zs);
        pr_lar[i] = zl ? a : 0xffffffff;
        pr_lsl[i] = zs ? b : 0xffffffff;
        pr_flags[i] = (uint32_t)(zl | zs << 1 | sys_verr(probe[i]) << 2 |
                                 sys_verw(probe[i]) << 3);
    }
}

static void print_probe(const char *tag)
{
    for (unsigned i = 0; i < NPROBE; i++) {
        resultf("%s sel=%04x lar=%08x lsl=%08x z=%x", tag, probe[i], pr_lar[i],
                pr_lsl[i], pr_flags[i]);
    }
}

extern char far_target[];
__asm__(".text\nfar_target: lret\n");

void kmain(void)
{
    uint32_t v, sel;
    uint16_t a;
    uint8_t z;

    sys_init();
    sys_gdt_set(7, sys_desc(0, 0xfffff, ACC_DATA & 0x7f, FLG_G32));          /* 0x38 np data */
    sys_gdt_set(8, sys_desc(0, 0xfffff, ACC_DATA | ACC_DPL(3), FLG_G32));    /* 0x40 DPL3 data */
    sys_gdt_set(9, sys_desc(0, 0xfffff, 0x98, FLG_G32));                     /* 0x48 exec-only */
    sys_gdt_set(10, sys_desc(0, 0xfffff, 0x90, FLG_G32));                    /* 0x50 read-only */
    sys_gdt_set(11, sys_desc(0, 0xfffff, 0x12, FLG_G32));                    /* 0x58 np rw */
    sys_gdt_set(12, sys_desc(0, 0xfffff, 0x9e, FLG_G32));                    /* 0x60 conforming */
    sys_gdt_set(13, sys_desc((uint32_t)ldt, sizeof(ldt) - 1, ACC_LDT, 0));   /* 0x68 LDT */
    sys_gdt_set(14, sys_gate(SYS_KCODE, (uint32_t)far_target, ACC_CALLG | ACC_DPL(3), 0)); /* 0x70 */
    sys_gdt_set(15, sys_desc(0, 0xfffff, ACC_DATA | ACC_DPL(2), FLG_G32));   /* 0x78 DPL2 data */
    sys_gdt_set(16, 0x0000020000000000ull);                                  /* 0x80 np LDT (system) */
    sys_gdt_set(17, sys_desc(0, 0xfffff, 0x72, FLG_G32));                    /* 0x88 np DPL3 rw */
    sys_gdt_set(18, sys_desc(0, 0xfff, ACC_CODE, FLG_32));                   /* 0x90 code limit 0xfff */
    sys_gdt_set(19, sys_desc(0, 0xfffff, ACC_CODE & 0x7f, FLG_G32));         /* 0x98 np code */
    ldt[0] = sys_desc(0, 0xfffff, ACC_DATA, FLG_G32);
    ldt[1] = sys_desc(0x1000, 0x1234, ACC_DATA | ACC_DPL(3), 0);

    /* data segment loads */
    expect_load("ds.np", S_DS, 0x38, 11, 0x38);
    expect_load("ds.dpl3", S_DS, 0x40, -1, 0);
    expect_load("ds.execonly", S_DS, 0x48, 13, 0x48);
    expect_load("ds.readonly", S_DS, 0x50, -1, 0);
    expect_load("ds.conforming", S_DS, 0x60, -1, 0);
    expect_load("ds.beyond", S_DS, 0x1000, 13, 0x1000);
    expect_load("ds.system", S_DS, 0x80, 13, 0x80);
    expect_load("ds.tss", S_DS, 0x30, 13, 0x30);
    expect_load("ds.rpl3.dpl2", S_DS, 0x7b, 13, 0x78);
    expect_load("ds.rpl1.dpl2", S_DS, 0x79, -1, 0);
    expect_load("ds.null", S_DS, 0x03, -1, 0);
    sel = 0;
    expect_fn("lldt.null", do_lldt, &sel, -1, 0);
    expect_load("ds.ldt.none", S_DS, 0x04, 13, 0x04);
    /* stack segment loads */
    expect_load("ss.null", S_SS, 0, 13, 0);
    expect_load("ss.readonly", S_SS, 0x50, 13, 0x50);
    expect_load("ss.np", S_SS, 0x58, 12, 0x58);
    expect_load("ss.dpl3", S_SS, 0x40, 13, 0x40);
    expect_load("ss.np.dpl3", S_SS, 0x88, 13, 0x88);
    expect_load("ss.rpl.mismatch", S_SS, 0x13, 13, 0x10);
    expect_load("ss.code", S_SS, 0x08, 13, 0x08);

    /* LDT */
    sel = 0x10;
    expect_fn("lldt.data", do_lldt, &sel, 13, 0x10);
    sel = 0x98;
    expect_fn("lldt.code.np", do_lldt, &sel, 13, 0x98);
    sel = 0x68;
    expect_fn("lldt.ok", do_lldt, &sel, -1, 0);
    __asm__ volatile("sldt %0" : "=r"(v));
    check("sldt", v & 0xffff, 0x68);
    expect_load("ds.ldt0", S_DS, 0x04, -1, 0);
    expect_load("es.ldt1.dpl3", S_ES, 0x0f, -1, 0);
    expect_load("ds.ldt.beyond", S_DS, 0x24, 13, 0x24);
    sel = 0x30;
    expect_fn("ltr.busy", do_ltr, &sel, 13, 0x30);
    sel = 0x68;
    expect_fn("ltr.ldt", do_ltr, &sel, 13, 0x68);
    __asm__ volatile("str %0" : "=r"(v));
    check("str", v & 0xffff, 0x30);

    /* far transfers */
    far_sel = 0x10; far_off = 0;
    expect_fn("ljmp.data", do_ljmp, NULL, 13, 0x10);
    far_sel = 0x98; far_off = (uint32_t)far_target;
    expect_fn("lcall.np", do_lcall, NULL, 11, 0x98);
    far_sel = 0x90; far_off = 0x1000;
    expect_fn("ljmp.limit", do_ljmp, NULL, 13, 0);
    far_sel = 0x60; far_off = (uint32_t)far_target;
    expect_fn("lcall.conforming", do_lcall, NULL, -1, 0);
    far_sel = 0x70; far_off = 0;
    expect_fn("lcall.gate.same", do_lcall, NULL, -1, 0);
    far_sel = 0x0; far_off = 0;
    expect_fn("ljmp.null", do_ljmp, NULL, 13, 0);

    /* ARPL */
    a = 0x10;
    __asm__ volatile("arpl %w2, %w0; setz %1" : "+r"(a), "=q"(z) : "r"(0x2b) : "cc");
    check("arpl.adjust", a, 0x13);
    check("arpl.adjust.zf", z, 1);
    a = 0x2b;
    __asm__ volatile("arpl %w2, %w0; setz %1" : "+r"(a), "=q"(z) : "r"(0x10) : "cc");
    check("arpl.keep", a, 0x2b);
    check("arpl.keep.zf", z, 0);

    /* LAR/LSL/VERR/VERW */
    do_probe(NULL);
    print_probe("cpl0");
    check("probe.cpl3.vec", (uint32_t)sys_ring3_run(do_probe, NULL, 0), 0x80);
    print_probe("cpl3");
    finish(0xd856c359);
}
