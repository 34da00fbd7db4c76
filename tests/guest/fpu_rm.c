/*
 * fpu_rm: the x87 environment images in real mode (and the pointer fields
 * of the protected-mode ones), compared with qemu-system-i386 -cpu
 * pentium2 where QEMU 7.2 is a P6, checked against the SDM elsewhere.
 *
 * A 16-bit blob runs at linear 0x18000 (CS 0x1800, so the FPU instruction
 * pointer has bits 19..16 set) and does, with DS 0x2000 for the one
 * memory operand (FADD m32 at DS:0x0100, linear 0x20100):
 *   FNSTENV / FNSAVE / FRSTOR in the 16-bit and (66h) 32-bit layouts,
 *   FLDENV of a hand-built 16-bit real-mode image, then a 32-bit FNSTENV
 *   (and the reverse), FNSTSW / FNSTCW / FSTP m80 after FRSTOR.
 * The same FADD and 16/32-bit FNSTENV run in V86 mode (1a00:0000, entered
 * by IRET; HLT's #GP comes back), where the images are the real-mode ones.
 *
 * Real-mode images (SDM vol. 1 figures 8-10 and 8-12) hold linear pointers:
 *
 *   16-bit                              32-bit (dwords)
 *   +0 FCW  +2 FSW  +4 FTW              +0 FCW  +4 FSW  +8 FTW
 *   +6  FIP 15..0                       +12 FIP 15..0
 *   +8  FIP 19..16 << 12 | 0 | FOP      +16 FIP 31..16 << 12 | 0 | FOP
 *   +10 FDP 15..0                       +20 FDP 15..0
 *   +12 FDP 19..16 << 12                +24 FDP 31..16 << 12
 *
 * INFO lines (compared with QEMU): FCW, FSW, FTW and the registers of every
 * image, the state after FRSTOR/FLDENV.  QEMU 7.2 has no real-mode layout
 * (it stores IP and zeros), no FCS/FDS/FOP and 0 in the upper halves of
 * the 32-bit images where a P6 stores 0xFFFF, so the pointer fields are
 * checked against the SDM on "SDM ok <name>" / "SDM bad <name> got want"
 * lines, which run.sh does not compare; tests/fpu/check.sh runs this
 * kernel on hamt86 and wants every one "ok" (on QEMU they are "bad").
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "fpu_rm";

#define RM_LIN  0x18000u        /* the blob's linear address: CS 0x1800 */
#define RM_DATA 0x20100u        /* FADD's operand: DS 0x2000, offset 0x100 */
#define V86_LIN 0x1a000u        /* the V86 code: CS 0x1a00 */
#define V86_ENV 0x20200u        /* its FNSTENV images: DS:0x200, DS:0x220 */
#define RES     0x8000u         /* results, DS 0 */
#define CODE16  SYS_SEL(20)     /* 16-bit code, base 0x10000 */

/* result offsets (from RES) */
#define R_ENV16   0x000         /* FNSTENV, 16-bit: 14 bytes */
#define R_ENV32   0x020         /* FNSTENV, 32-bit: 28 bytes */
#define R_SAVE16  0x040         /* FNSAVE, 16-bit: 94 bytes */
#define R_SAVE32  0x0a0         /* FNSAVE, 32-bit: 108 bytes */
#define R_SW      0x110         /* FNSTSW after the FRSTORs */
#define R_CW      0x112         /* FNSTCW after the FRSTORs */
#define R_ST0     0x120         /* FSTP m80 ST(0), ST(1) */
#define R_ST1     0x130
#define R_IMG16   0x140         /* a hand-built 16-bit image for FLDENV */
#define R_OUT32   0x160         /* its 32-bit FNSTENV */
#define R_IMG32   0x180         /* a hand-built 32-bit image for FLDENV */
#define R_OUT16   0x1a0         /* its 16-bit FNSTENV */
#define R_CWVAL   0x1c0         /* the FLDCW operand */
#define R_SIZE    0x1d0

volatile uint32_t fr_saved_esp;
volatile uint8_t fr_saved_idt[6];

__asm__(".text\n"
        ".globl fr_start, fr_end, fr_run, fr_fadd\n"
        ".code16\n"
        "fr_start:\n"
        /* 16-bit protected mode, CS = CODE16 (base 0x10000) */
        "fr_entry16:\n\t"
        "movw $0x18, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movl %cr0, %eax\n\t"
        "andl $0xfffffffe, %eax\n\t"
        "movl %eax, %cr0\n\t"
        "ljmp $0x1800, $(fr_real - fr_start)\n"
        "fr_real:\n\t"
        "xorw %ax, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movw $0x7000, %sp\n\t"
        "fninit\n\t"
        "fldcw 0x81c0\n\t"
        "fld1\n\t"
        "fldpi\n\t"
        "movw $0x2000, %ax\n\t"
        "movw %ax, %ds\n"
        "fr_fadd:\n\t"
        "fadds 0x100\n\t"              /* D8 06 00 01: FOP 0x006 */
        "xorw %ax, %ax\n\t"
        "movw %ax, %ds\n\t"
        "fnstenv 0x8000\n\t"
        ".byte 0x66; fnstenv 0x8020\n\t"
        "fnsave 0x8040\n\t"
        "frstor 0x8040\n\t"
        ".byte 0x66; fnsave 0x80a0\n\t"
        ".byte 0x66; frstor 0x80a0\n\t"
        "fnstsw 0x8110\n\t"
        "fnstcw 0x8112\n\t"
        "fstpt 0x8120\n\t"
        "fstpt 0x8130\n\t"
        "fldenv 0x8140\n\t"
        ".byte 0x66; fnstenv 0x8160\n\t"
        ".byte 0x66; fldenv 0x8180\n\t"
        "fnstenv 0x81a0\n\t"
        "fninit\n\t"
        /* back to protected mode */
        "movl %cr0, %eax\n\t"
        "orl $1, %eax\n\t"
        "movl %eax, %cr0\n\t"
        "ljmpl $0x08, $fr_back32\n"
        "fr_end:\n"
        ".code32\n"
        "fr_run:\n\t"
        "pushal\n\t"
        "movl %esp, fr_saved_esp\n\t"
        "sidt fr_saved_idt\n\t"
        "ljmp $0xa0, $(0x8000 + fr_entry16 - fr_start)\n"
        "fr_back32:\n\t"
        "movw $0x10, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %ss\n\t"
        "movw %ax, %fs\n\t"
        "movw %ax, %gs\n\t"
        "movl fr_saved_esp, %esp\n\t"
        "lidt fr_saved_idt\n\t"
        "popal\n\t"
        "ret\n");
extern char fr_start[], fr_end[], fr_fadd[];
void fr_run(void);

/*
 * V86 mode: fv_start..fv_end runs at 1a00:0000 (linear 0x1a000) with
 * DS 0x2000, entered by fv_run's IRET (EFLAGS VM, IOPL 0); its HLT raises
 * #GP(0), whose handler fv_gp returns from fv_run.
 */
volatile uint32_t fv_saved_esp;
__asm__(".text\n"
        ".globl fv_start, fv_end, fv_fadd, fv_run, fv_gp\n"
        ".code16\n"
        "fv_start:\n\t"
        "fninit\n\t"
        "fld1\n"
        "fv_fadd:\n\t"
        "fadds 0x100\n\t"              /* D8 06 00 01: FOP 0x006 */
        "fnstenv 0x200\n\t"
        ".byte 0x66; fnstenv 0x220\n\t"
        "fninit\n\t"
        "hlt\n"
        "fv_end:\n"
        ".code32\n"
        "fv_run:\n\t"
        "pushal\n\t"
        "movl %esp, fv_saved_esp\n\t"
        "pushl $0\n\t"                /* GS */
        "pushl $0\n\t"                /* FS */
        "pushl $0x2000\n\t"           /* DS */
        "pushl $0x2000\n\t"           /* ES */
        "pushl $0\n\t"                /* SS */
        "pushl $0x7000\n\t"           /* ESP */
        "pushl $0x00020002\n\t"       /* EFLAGS: VM */
        "pushl $0x1a00\n\t"           /* CS */
        "pushl $0\n\t"                /* EIP */
        "iretl\n"
        "fv_gp:\n\t"
        "movw $0x10, %ax\n\t"
        "movw %ax, %ds\n\t"
        "movw %ax, %es\n\t"
        "movw %ax, %fs\n\t"
        "movw %ax, %gs\n\t"
        "movl fv_saved_esp, %esp\n\t"
        "popal\n\t"
        "ret\n");
extern char fv_start[], fv_end[], fv_fadd[];
void fv_run(void);
void fv_gp(void);

static uint8_t *res(unsigned off)
{
    return (uint8_t *)(uintptr_t)(RES + off);
}
static uint32_t rd16(unsigned off)
{
    return *(volatile uint16_t *)res(off);
}
static uint32_t rd32(unsigned off)
{
    return *(volatile uint32_t *)res(off);
}

/* Print n 80-bit registers of an image as INFO lines. */
static void print_regs(const char *tag, unsigned off, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t *r = res(off + 10 * i);
        resultf("%s st%d=%04x%08x%08x", tag, i, r[8] | r[9] << 8,
                *(uint32_t *)(r + 4), *(uint32_t *)r);
    }
}

/* The real-mode pointer fields of a 16-bit image at off. */
static void sdm_ptr16(const char *tag, unsigned off, uint32_t fip, uint32_t fop,
                      uint32_t fdp)
{
    printf("SDM image %s\n", tag);
    sdm("fip15..0", rd16(off + 6), fip & 0xffff);
    sdm("fip19..16|fop", rd16(off + 8), ((fip >> 4) & 0xf000) | fop);
    sdm("fdp15..0", rd16(off + 10), fdp & 0xffff);
    sdm("fdp19..16", rd16(off + 12), (fdp >> 4) & 0xf000);
}

/* The real-mode pointer fields of a 32-bit image at off. */
static void sdm_ptr32(const char *tag, unsigned off, uint32_t fip, uint32_t fop,
                      uint32_t fdp)
{
    printf("SDM image %s\n", tag);
    sdm("fip15..0", rd32(off + 12) & 0xffff, fip & 0xffff);
    sdm("fip31..16|fop", rd32(off + 16), ((fip >> 4) & 0x0ffff000u) | fop);
    sdm("fdp15..0", rd32(off + 20) & 0xffff, fdp & 0xffff);
    sdm("fdp31..16", rd32(off + 24), (fdp >> 4) & 0x0ffff000u);
}

/* The FCW / FSW / FTW of an image (the low word of each field). */
static void print_env(const char *tag, unsigned off, unsigned w)
{
    resultf("%s fcw=%04x fsw=%04x ftw=%04x", tag, rd16(off), rd16(off + w),
            rd16(off + 2 * w));
}

static float pm_operand = 2.5f;

/* Protected mode: FADD m32 then a 32-bit FNSTENV; the pointers are
 * selector:offset (SDM figure 8-9). */
static void pm_pointers(void)
{
    static uint8_t env[28];
    uint32_t fip;

    __asm__ volatile("fninit; fld1\n\t"
                     "movl $1f, %0\n"
                     "1:\tfadds %1\n\t"        /* D8 05 disp32: FOP 0x005 */
                     "fnstenv %2\n\t"
                     "fninit"
                     : "=&r"(fip) : "m"(pm_operand), "m"(env) : "memory");
    printf("SDM image pm32\n");
    sdm("fip", *(uint32_t *)(env + 12), fip);
    sdm("fcs", *(uint16_t *)(env + 16), 0x08);
    sdm("fop", (*(uint32_t *)(env + 16) >> 16) & 0x7ff, 0x005);
    sdm("fdp", *(uint32_t *)(env + 20), (uint32_t)&pm_operand);
    sdm("fds", *(uint16_t *)(env + 24), 0x10);
}

void kmain(void)
{
    uint32_t fip = RM_LIN + (uint32_t)(fr_fadd - fr_start);
    uint32_t cr0;

    sys_init();
    sys_gdt_set(20, sys_desc(0x10000, 0xffff, ACC_CODE, 0));
    memcpy((void *)RM_LIN, fr_start, (size_t)(fr_end - fr_start));
    memset(res(0), 0, R_SIZE);
    *(volatile float *)RM_DATA = 2.5f;
    *(volatile uint16_t *)res(R_CWVAL) = 0x0f7f;   /* RC chop, all masked */
    /* 16-bit image: FCW 027F, FSW C3|C1|TOP 5, two valid registers (tags
     * of physical 5 and 6 = 00), FIP 0x91234 / FOP 0x5a5, FDP 0xa5678 */
    *(volatile uint16_t *)res(R_IMG16 + 0) = 0x027f;
    *(volatile uint16_t *)res(R_IMG16 + 2) = 0x4200 | (5 << 11);
    *(volatile uint16_t *)res(R_IMG16 + 4) = 0xc3ff;
    *(volatile uint16_t *)res(R_IMG16 + 6) = 0x1234;
    *(volatile uint16_t *)res(R_IMG16 + 8) = 0x95a5;
    *(volatile uint16_t *)res(R_IMG16 + 10) = 0x5678;
    *(volatile uint16_t *)res(R_IMG16 + 12) = 0xa000;
    /* 32-bit image: FCW 0B7F, FSW C0|C2|TOP 3, FTW all empty but physical
     * 3 (zero, 01), FIP 0x1234567 / FOP 0x1d9, FDP 0x7654321 */
    *(volatile uint32_t *)res(R_IMG32 + 0) = 0xffff0b7f;
    *(volatile uint32_t *)res(R_IMG32 + 4) = 0xffff0500 | (3 << 11);
    *(volatile uint32_t *)res(R_IMG32 + 8) = 0xffffff7f;
    *(volatile uint32_t *)res(R_IMG32 + 12) = 0xffff4567;
    *(volatile uint32_t *)res(R_IMG32 + 16) = 0x001231d9;
    *(volatile uint32_t *)res(R_IMG32 + 20) = 0xffff4321;
    *(volatile uint32_t *)res(R_IMG32 + 24) = 0x00765000;
    fr_run();
    __asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
    check("fpu_rm.back.pe", cr0 & 1, 1);

    print_env("rm fnstenv16", R_ENV16, 2);
    print_env("rm fnstenv32", R_ENV32, 4);
    print_env("rm fnsave16", R_SAVE16, 2);
    print_regs("rm fnsave16", R_SAVE16 + 14, 2);
    print_env("rm fnsave32", R_SAVE32, 4);
    print_regs("rm fnsave32", R_SAVE32 + 28, 2);
    resultf("rm frstor fsw=%04x fcw=%04x", rd16(R_SW), rd16(R_CW));
    print_regs("rm frstor", R_ST0, 1);
    print_regs("rm frstor st1", R_ST1, 1);
    print_env("rm fldenv16->fnstenv32", R_OUT32, 4);
    print_env("rm fldenv32->fnstenv16", R_OUT16, 2);

    sdm_ptr16("rm fnstenv16", R_ENV16, fip, 0x006, RM_DATA);
    sdm_ptr32("rm fnstenv32", R_ENV32, fip, 0x006, RM_DATA);
    sdm_ptr16("rm fnsave16", R_SAVE16, fip, 0x006, RM_DATA);
    sdm_ptr32("rm fnsave32", R_SAVE32, fip, 0x006, RM_DATA);
    sdm_ptr32("rm fldenv16->fnstenv32", R_OUT32, 0x91234, 0x5a5, 0xa5678);
    sdm_ptr16("rm fldenv32->fnstenv16", R_OUT16, 0x1234567 & 0xfffff, 0x1d9,
              0x7654321 & 0xfffff);
    /* V86 mode: the real-mode layouts */
    {
        uint64_t old_gp = sys_idt_get(13);
        uint32_t vfip = V86_LIN + (uint32_t)(fv_fadd - fv_start);

        memcpy((void *)V86_LIN, fv_start, (size_t)(fv_end - fv_start));
        memset((void *)V86_ENV, 0, 0x40);
        sys_idt_set(13, sys_gate(SYS_KCODE, (uint32_t)fv_gp, ACC_INTG, 0));
        fv_run();
        sys_idt_set(13, old_gp);
        print_env("v86 fnstenv16", V86_ENV - RES, 2);
        print_env("v86 fnstenv32", V86_ENV + 0x20 - RES, 4);
        sdm_ptr16("v86 fnstenv16", V86_ENV - RES, vfip, 0x006, RM_DATA);
        sdm_ptr32("v86 fnstenv32", V86_ENV + 0x20 - RES, vfip, 0x006, RM_DATA);
    }
    pm_pointers();
    sdm_done();
    finish(0x36eee051);
}
