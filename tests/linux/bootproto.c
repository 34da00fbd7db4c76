/*
 * tests/linux/bootproto: a fake Linux kernel (wrapped as a bzImage by
 * fakebz.py) that checks the 32-bit boot protocol entry state hamt86's
 * loader (frontend/linux.c) gives it, against Documentation/arch/x86/
 * boot.rst: protected mode, paging and interrupts off, CS = __BOOT_CS
 * (0x10), DS = ES = SS = __BOOT_DS (0x18) from a GDT holding flat
 * descriptors, ESI -> zero page, EBX = EBP = EDI = 0, the setup header
 * copied, e820 from -m, the command line and the initrd.  Prints what it
 * found on COM1 ("BP ..." lines, compared by tests/linux/check.sh) and
 * exits through the debug exit port (0xf4): 0x10 = all checks passed.
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;

/* The registers at entry, saved by the stub below. */
struct entry_regs {
    u32 eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags, cr0;
    u32 cs, ds, es, ss, fs, gs;
    u16 gdt_limit;
    u32 gdt_base;
} __attribute__((packed));

struct entry_regs regs;
u8 stack[4096] __attribute__((aligned(16)));
static int failures;

__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "  mov %eax, regs+0\n"
        "  mov %ebx, regs+4\n"
        "  mov %ecx, regs+8\n"
        "  mov %edx, regs+12\n"
        "  mov %esi, regs+16\n"
        "  mov %edi, regs+20\n"
        "  mov %ebp, regs+24\n"
        "  mov %esp, regs+28\n"
        "  pushf\n"
        "  popl regs+32\n"
        "  mov %cr0, %eax\n"
        "  mov %eax, regs+36\n"
        "  movl $0, %eax\n"
        "  mov %cs, %ax\n  mov %eax, regs+40\n"
        "  mov %ds, %ax\n  mov %eax, regs+44\n"
        "  mov %es, %ax\n  mov %eax, regs+48\n"
        "  mov %ss, %ax\n  mov %eax, regs+52\n"
        "  mov %fs, %ax\n  mov %eax, regs+56\n"
        "  mov %gs, %ax\n  mov %eax, regs+60\n"
        "  sgdt regs+64\n"
        "  mov $stack+4096, %esp\n"
        "  call bp_main\n"
        "1: hlt\n"
        "  jmp 1b\n"
        ".text\n");

static void outb(u16 port, u8 v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void putc(char c)
{
    outb(0x3f8, (u8)c);
}

static void puts(const char *s)
{
    while (*s) {
        putc(*s++);
    }
}

static void puthex_digits(u32 v, int digits)
{
    for (int i = (digits - 1) * 4; i >= 0; i -= 4) {
        putc("0123456789abcdef"[(v >> i) & 15]);
    }
}

static void puthex(u32 v, int digits)
{
    puts("0x");
    puthex_digits(v, digits);
}

/* A 64-bit value at a (little-endian), as 0x + 16 digits. */
static void puthex64(u32 a)
{
    puthex(*(volatile u32 *)(a + 4), 8);
    puthex_digits(*(volatile u32 *)a, 8);
}

static u32 rd32(u32 a)
{
    return *(volatile u32 *)a;
}

/* One named check: prints "BP ok NAME" or "BP FAIL NAME got/want". */
static void check(const char *name, u32 got, u32 want)
{
    puts(got == want ? "BP ok " : "BP FAIL ");
    puts(name);
    if (got != want) {
        puts(" got ");
        puthex(got, 8);
        puts(" want ");
        puthex(want, 8);
        failures++;
    }
    puts("\n");
}

void bp_main(void)
{
    u32 zp = regs.esi, gdt = regs.gdt_base, n, cmd, rd, rdlen;

    check("cs", regs.cs, 0x10);
    check("ds", regs.ds, 0x18);
    check("es", regs.es, 0x18);
    check("ss", regs.ss, 0x18);
    check("ebx", regs.ebx, 0);
    check("ebp", regs.ebp, 0);
    check("edi", regs.edi, 0);
    check("if", regs.eflags & 0x200, 0);
    check("cr0.pe", regs.cr0 & 1, 1);
    check("cr0.pg", regs.cr0 >> 31, 0);
    check("gdt.limit>=0x1f", regs.gdt_limit >= 0x1f, 1);
    check("gdt[0x10].lo", rd32(gdt + 0x10), 0x0000ffff);
    check("gdt[0x10].hi", rd32(gdt + 0x14) & 0xffdfffff, 0x00cf9b00 & 0xffdfffff);
    check("gdt[0x18].lo", rd32(gdt + 0x18), 0x0000ffff);
    check("gdt[0x18].hi", rd32(gdt + 0x1c) & 0xffdffeff, 0x00cf9300 & 0xffdffeff);
    check("zp.HdrS", rd32(zp + 0x202), 0x53726448);
    check("zp.version", rd32(zp + 0x206) & 0xffff, 0x020f);
    check("zp.loadflags.LOADED_HIGH", *(u8 *)(zp + 0x211) & 1, 1);
    check("zp.type_of_loader!=0", *(u8 *)(zp + 0x210) != 0, 1);
    check("zp.sentinel", *(u8 *)(zp + 0x1ef), 0);
    /* the e820 table: printed whole, compared as text by check.sh */
    n = *(u8 *)(zp + 0x1e8);
    for (u32 i = 0; i < n; i++) {
        u32 e = zp + 0x2d0 + i * 20;
        puts("BP e820 ");
        puthex64(e);
        puts(" ");
        puthex64(e + 8);
        puts(" ");
        puthex(rd32(e + 16), 1);
        puts("\n");
    }
    cmd = rd32(zp + 0x228);
    puts("BP cmdline '");
    puts((const char *)cmd);
    puts("'\n");
    rd = rd32(zp + 0x218);
    rdlen = rd32(zp + 0x21c);
    check("initrd.aligned", rd & 0xfff, 0);
    check("initrd.above-kernel", rd >= 0x100000 + 0x10000, 1);
    puts("BP initrd size ");
    puthex(rdlen, 8);
    puts(" '");
    for (u32 i = 0; i < rdlen && i < 24; i++) {
        char c = *(char *)(rd + i);
        putc(c >= ' ' && c < 127 ? c : '.');
    }
    puts("'\n");
    if (rdlen != 0) {
        /* as high as RAM allows: within a page of the end of RAM (the
         * e820 RAM range that holds it) */
        u32 top = 0;
        for (u32 i = 0; i < n; i++) {
            u32 e = zp + 0x2d0 + i * 20;
            if (rd32(e + 16) == 1 && rd >= rd32(e) && rd < rd32(e) + rd32(e + 8)) {
                top = rd32(e) + rd32(e + 8);
            }
        }
        check("initrd.at-top", top - (rd + rdlen) < 0x1000, 1);
    }
    puts(failures ? "BP FAILED\n" : "BP PASSED\n");
    outb(0xf4, failures ? 0x11 : 0x10);
}
