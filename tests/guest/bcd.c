/*
 * bcd: daa/das/aaa/aas/aam/aad over every AL value with CF/AF in, plus
 * aam/aad with other bases and aam 0 (#DE).  Printed flags:
 *   daa/das: SF ZF AF PF CF (OF undefined)
 *   aaa/aas: AF CF (the rest undefined)
 *   aam/aad: SF ZF PF (OF AF CF undefined)
 */
#include "lib/lib.h"

const char kernel_name[] = "bcd";

#define F_DAA (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)
#define F_AAA (FL_AF | FL_CF)
#define F_AAM (FL_SF | FL_ZF | FL_PF)

#define BCD(fn, insn)                                                        \
static uint32_t fn(uint32_t ax, uint32_t fi, uint32_t *fo)                   \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile("pushl %[fi]; popfl; " insn "; pushfl; popl %[f]"       \
                     : "+a"(ax), [f] "=&r"(f) : [fi] "r"(fi) : "cc");        \
    *fo = f;                                                                 \
    return ax;                                                               \
}
BCD(do_daa, "daa")
BCD(do_das, "das")
BCD(do_aaa, "aaa")
BCD(do_aas, "aas")
BCD(do_aam, "aam")
BCD(do_aad, "aad")
BCD(do_aam16, ".byte 0xd4, 16")
BCD(do_aad16, ".byte 0xd5, 16")
BCD(do_aam7, ".byte 0xd4, 7")
BCD(do_aad0, ".byte 0xd5, 0")

/* aam 0 raises #DE. */
static void aam0(void *p)
{
    uint32_t ax = 0x1234;
    (void)p;
    __asm__ volatile(".byte 0xd4, 0" : "+a"(ax) : : "cc");
}

void kmain(void)
{
    uint32_t f;

    check("bcd.daa", do_daa(0x0f, 0, &f) & 0xff, 0x15);
    check("bcd.aam", do_aam(0x3f, 0, &f) & 0xffff, 0x0603);
    check("bcd.aad", do_aad(0x0603, 0, &f) & 0xffff, 0x003f);
    check("bcd.aam0", trap_catch(aam0, NULL), 0);

    for (uint32_t v = 0; v < 256; v++) {
        uint32_t r[4], fo[4];
        for (int c = 0; c < 4; c++) {
            uint32_t fi = (c & 1 ? FL_CF : 0) | (c & 2 ? FL_AF : 0);
            r[c] = do_daa(0xab00 | v, fi, &fo[c]);
        }
        resultf("daa %02x -> %04x %03x %04x %03x %04x %03x %04x %03x", v,
                r[0] & 0xffff, fo[0] & F_DAA, r[1] & 0xffff, fo[1] & F_DAA,
                r[2] & 0xffff, fo[2] & F_DAA, r[3] & 0xffff, fo[3] & F_DAA);
        for (int c = 0; c < 4; c++) {
            uint32_t fi = (c & 1 ? FL_CF : 0) | (c & 2 ? FL_AF : 0);
            r[c] = do_das(0xab00 | v, fi, &fo[c]);
        }
        resultf("das %02x -> %04x %03x %04x %03x %04x %03x %04x %03x", v,
                r[0] & 0xffff, fo[0] & F_DAA, r[1] & 0xffff, fo[1] & F_DAA,
                r[2] & 0xffff, fo[2] & F_DAA, r[3] & 0xffff, fo[3] & F_DAA);
        for (int c = 0; c < 2; c++) {
            uint32_t fi = c ? FL_AF : 0;
            r[c] = do_aaa(0x1200 | v, fi, &fo[c]);
            r[c + 2] = do_aas(0x1200 | v, fi, &fo[c + 2]);
        }
        resultf("aaa %02x -> %04x %03x %04x %03x aas %04x %03x %04x %03x", v,
                r[0] & 0xffff, fo[0] & F_AAA, r[1] & 0xffff, fo[1] & F_AAA,
                r[2] & 0xffff, fo[2] & F_AAA, r[3] & 0xffff, fo[3] & F_AAA);
        r[0] = do_aam(0x5500 | v, 0, &fo[0]);
        r[1] = do_aam16(0x5500 | v, 0, &fo[1]);
        r[2] = do_aam7(0x5500 | v, 0, &fo[2]);
        resultf("aam %02x -> %04x %03x /16 %04x %03x /7 %04x %03x", v,
                r[0] & 0xffff, fo[0] & F_AAM, r[1] & 0xffff, fo[1] & F_AAM,
                r[2] & 0xffff, fo[2] & F_AAM);
        uint32_t ax = ((v * 7) & 0xff) << 8 | v;
        r[0] = do_aad(ax, 0, &fo[0]);
        r[1] = do_aad16(ax, 0, &fo[1]);
        r[2] = do_aad0(ax, 0, &fo[2]);
        resultf("aad %04x -> %04x %03x /16 %04x %03x /0 %04x %03x", ax,
                r[0] & 0xffff, fo[0] & F_AAM, r[1] & 0xffff, fo[1] & F_AAM,
                r[2] & 0xffff, fo[2] & F_AAM);
    }
    finish(0xe841545b);
}
