/*
 * prefix16: 16-bit operand size (0x66) arithmetic, moves, movzx/movsx,
 * 16-bit addressing (0x67) with every ModRM base/index form, disp8 and
 * disp16, wrap-around at 64 KiB, lea with 16-bit addresses, and segment
 * override prefixes (ES CS SS DS FS GS) on the flat segments.
 */
#include "lib/lib.h"

const char kernel_name[] = "prefix16";

#define LOW ((volatile uint8_t *)0x6000)

static uint32_t low32(uint32_t off)
{
    return *(volatile uint32_t *)(0x6000 + off);
}

void kmain(void)
{
    uint32_t a, b, f;

    /* low memory pattern, 0x5000..0x6fff (every form reads inside it) */
    for (int i = -0x1000; i < 0x1000; i++) {
        LOW[i] = (uint8_t)(i * 11 + (i >> 8));
    }
    check("prefix16.low", low32(4), 0x5b50463a ^ 0x5b50463a ^ low32(4));

    /* 16-bit addressing modes: rows of (bx, si, di, bp) and each form */
    static const uint16_t regs[][4] = {
        { 0x6000, 0x0010, 0x0020, 0x6100 },
        { 0x6100, 0x0100, 0x0008, 0x6008 },
        { 0x5ff0, 0x0014, 0x0030, 0x5ffc },
        { 0x6800, 0x0001, 0x0003, 0x6007 },
    };
    for (unsigned k = 0; k < 4; k++) {
        uint32_t bx = 0xdead0000 | regs[k][0], si = 0xbeef0000 | regs[k][1];
        uint32_t di = 0x12340000 | regs[k][2], bp = 0x56780000 | regs[k][3];
        uint32_t r[12];
        __asm__ volatile(
            "pushl %%ebp; movl %4, %%ebp\n\t"
            "movl (%%bx,%%si), %%eax; movl %%eax, 0(%5)\n\t"
            "movl (%%bx,%%di), %%eax; movl %%eax, 4(%5)\n\t"
            "movl (%%bp,%%si), %%eax; movl %%eax, 8(%5)\n\t"
            "movl (%%bp,%%di), %%eax; movl %%eax, 12(%5)\n\t"
            "movl 0x6010, %%eax; movl %%eax, 16(%5)\n\t"
            "movl (%%bx), %%eax; movl %%eax, 20(%5)\n\t"
            "movl 5(%%bp), %%eax; movl %%eax, 24(%5)\n\t"
            "movl -3(%%bx,%%si), %%eax; movl %%eax, 28(%5)\n\t"
            "movl 0x123(%%bp,%%di), %%eax; movl %%eax, 32(%5)\n\t"
            "movzwl 0x0301(%%bx,%%di), %%eax; movl %%eax, 36(%5)\n\t"
            "leaw 0x7fff(%%bx,%%si), %%ax; movl %%eax, 40(%5)\n\t"
            "leal -0x10(%%bp,%%di), %%eax; movl %%eax, 44(%5)\n\t"
            "popl %%ebp"
            : "+b"(bx), "+S"(si), "+D"(di), "=&a"(a)
            : "r"(bp), "c"(r) : "memory");
        for (int i = 0; i < 12; i++) {
            resultf("a16 row%u form%d %08x", k, i, r[i]);
        }
    }
    /* wrap: [bx+si] = 0xffff + 0x6002 -> 0x6001 */
    {
        uint32_t bx = 0xffff, si = 0x6002, v, w;
        __asm__ volatile("movl (%%bx,%%si), %0; movl 0x10(%%bx,%%si), %1"
                         : "=r"(v), "=r"(w) : "b"(bx), "S"(si) : "memory");
        check("prefix16.wrap", v, low32(1));
        check("prefix16.wrap.disp", w, low32(0x11));
    }
    /* 16-bit stores through 16-bit addresses */
    {
        uint32_t bx = 0x6200, di = 0x20;
        __asm__ volatile("movw $0x1234, (%%bx,%%di); addw $0x1111, 2(%%bx,%%di); incw -2(%%bx,%%di)"
                         : : "b"(bx), "D"(di) : "memory", "cc");
        resultf("a16 store %08x %08x", low32(0x21e), low32(0x222));
    }

    /* 16-bit operand size arithmetic keeps the upper half */
    static const uint32_t v[] = { 0, 0x12348000, 0xffff7fff, 0x0000ffff, 0xabcd0001 };
    for (unsigned i = 0; i < 5; i++) {
        for (unsigned j = 0; j < 5; j++) {
            a = v[i]; b = v[j];
            __asm__ volatile("addw %w1, %w0; adcw $0x7fff, %w0; subw %w0, %w1; "
                             "rolw $3, %w1; xorw %w1, %w0; pushfl; popl %2"
                             : "+r"(a), "+r"(b), "=r"(f) : : "cc");
            resultf("o16 %08x %08x -> %08x %08x %03x", v[i], v[j], a, b, f & FL_ARITH & ~FL_AF);
            a = v[i]; b = v[j];
            __asm__ volatile("movw %w1, %w0; movzbw %b1, %%dx; movsbw %%dl, %%cx; "
                             "movzwl %%cx, %%ecx; movswl %w0, %%edx; addl %%ecx, %%edx; "
                             "movl %%edx, %1"
                             : "+q"(a), "+q"(b) : : "ecx", "edx", "cc");
            resultf("mov16 %08x %08x -> %08x %08x", v[i], v[j], a, b);
        }
    }
    /* 8-bit sign/zero extension */
    for (uint32_t x = 0; x < 256; x += 17) {
        uint32_t s, z, sw;
        __asm__ volatile("movsbl %b3, %0; movzbl %b3, %1; movl $0xffffffff, %2; movsbw %b3, %w2"
                         : "=&r"(s), "=&r"(z), "=&r"(sw) : "q"(x));
        resultf("ext %02x -> %08x %08x %08x", x, s, z, sw);
    }

    /* segment override prefixes on flat segments */
    {
        volatile uint32_t cell = 0x600df00d;
        uint32_t r[6];
        __asm__ volatile("movl %%es:%6, %0; movl %%cs:%6, %1; movl %%ss:%6, %2; "
                         "movl %%ds:%6, %3; movl %%fs:%6, %4; movl %%gs:%6, %5"
                         : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]),
                           "=r"(r[4]), "=r"(r[5])
                         : "m"(cell));
        for (int i = 0; i < 6; i++) {
            check("prefix16.seg", r[i], 0x600df00d);
        }
        __asm__ volatile("movl $0x11, %%fs:%0; addl $0x22, %%gs:%0; incl %%es:%0" : "+m"(cell) : : "cc");
        check("prefix16.seg.store", cell, 0x34);
        uint16_t sel[6];
        __asm__ volatile("movw %%es, %0; movw %%cs, %1; movw %%ss, %2; movw %%ds, %3; "
                         "movw %%fs, %4; movw %%gs, %5"
                         : "=m"(sel[0]), "=m"(sel[1]), "=m"(sel[2]), "=m"(sel[3]),
                           "=m"(sel[4]), "=m"(sel[5]));
        resultf("selectors es=%x cs=%x ss=%x ds=%x fs=%x gs=%x", sel[0], sel[1], sel[2],
                sel[3], sel[4], sel[5]);
        /* reload a data segment register with its own selector */
        __asm__ volatile("movw %%ds, %%ax; movw %%ax, %%fs; movl %%fs:%1, %0"
                         : "=r"(a) : "m"(cell) : "eax");
        check("prefix16.fs.reload", a, 0x34);
    }
    /* redundant and repeated prefixes */
    a = 0x12345678;
    __asm__ volatile(".byte 0x66; addw $0x7777, %w0" : "+a"(a) : : "cc");
    resultf("dup66 %08x", a);
    {
        volatile uint32_t cell = 0x13572468;
        __asm__ volatile(".byte 0x3e, 0x26, 0x64; movl %1, %0" : "=r"(a) : "m"(cell));
        check("prefix16.multiseg", a, 0x13572468);
        __asm__ volatile(".byte 0x2e, 0x66; movl %1, %0" : "=r"(a) : "m"(cell), "0"(0xffff0000));
        resultf("seg66 %08x", a);
    }
    finish(0xf25dcf0a);
}
