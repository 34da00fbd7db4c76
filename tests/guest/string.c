/*
 * string: movs/stos/lods/cmps/scas, byte/word/dword, with rep / repe /
 * repne, both DF directions, counts 0/1/n, and 16-bit address size (0x67:
 * SI/DI/CX, wrapping at 64 KiB) on low memory.  Prints final ESI/EDI/ECX/
 * EAX, flags and a hash of the memory they touched.
 */
#include "lib/lib.h"

const char kernel_name[] = "string";

typedef struct Regs {
    uint32_t esi, edi, ecx, eax, fl;
} Regs;

#define STR(fn, insn)                                                        \
static void fn(Regs *r)                                                      \
{                                                                            \
    uint32_t f;                                                              \
    __asm__ volatile("pushl %[fi]; popfl; " insn "; pushfl; popl %[f]; cld"  \
                     : "+S"(r->esi), "+D"(r->edi), "+c"(r->ecx),             \
                       "+a"(r->eax), [f] "=&d"(f)                            \
                     : [fi] "b"(r->fl) : "cc", "memory");                    \
    r->fl = f;                                                               \
}

STR(s_movsb, "movsb")
STR(s_movsw, "movsw")
STR(s_movsl, "movsl")
STR(s_rep_movsb, "rep movsb")
STR(s_rep_movsw, "rep movsw")
STR(s_rep_movsl, "rep movsl")
STR(s_stosb, "stosb")
STR(s_rep_stosb, "rep stosb")
STR(s_rep_stosw, "rep stosw")
STR(s_rep_stosl, "rep stosl")
STR(s_lodsb, "lodsb")
STR(s_lodsw, "lodsw")
STR(s_lodsl, "lodsl")
STR(s_rep_lodsb, "rep lodsb")
STR(s_cmpsb, "cmpsb")
STR(s_cmpsl, "cmpsl")
STR(s_repe_cmpsb, "repe cmpsb")
STR(s_repe_cmpsw, "repe cmpsw")
STR(s_repe_cmpsl, "repe cmpsl")
STR(s_repne_cmpsb, "repne cmpsb")
STR(s_repne_cmpsl, "repne cmpsl")
STR(s_scasb, "scasb")
STR(s_scasw, "scasw")
STR(s_repe_scasb, "repe scasb")
STR(s_repne_scasb, "repne scasb")
STR(s_repne_scasw, "repne scasw")
STR(s_repe_scasl, "repe scasl")
STR(s_repne_scasl, "repne scasl")
/* 16-bit address size */
STR(a16_rep_movsb, ".byte 0x67; rep movsb")
STR(a16_rep_movsl, ".byte 0x67; rep movsl")
STR(a16_rep_stosw, ".byte 0x67; rep stosw")
STR(a16_lodsb, ".byte 0x67; lodsb")
STR(a16_repe_cmpsb, ".byte 0x67; repe cmpsb")
STR(a16_repne_scasb, ".byte 0x67; repne scasb")
STR(a16_repne_scasl, ".byte 0x67; repne scasl")
/* 16-bit operand size on 32-bit addresses; segment override on source */
STR(o16_rep_movsw_es, ".byte 0x26; rep movsw")
STR(o16_rep_stos_66, ".byte 0x66; rep stosl")   /* = rep stosw */
STR(o16_rep_movs_fs, ".byte 0x64; rep movsl")

typedef void (*StrFn)(Regs *);
static const struct {
    const char *name;
    StrFn fn;
    bool a16;
} ops[] = {
    { "movsb", s_movsb, 0 }, { "movsw", s_movsw, 0 }, { "movsl", s_movsl, 0 },
    { "rep_movsb", s_rep_movsb, 0 }, { "rep_movsw", s_rep_movsw, 0 },
    { "rep_movsl", s_rep_movsl, 0 }, { "stosb", s_stosb, 0 },
    { "rep_stosb", s_rep_stosb, 0 }, { "rep_stosw", s_rep_stosw, 0 },
    { "rep_stosl", s_rep_stosl, 0 }, { "lodsb", s_lodsb, 0 },
    { "lodsw", s_lodsw, 0 }, { "lodsl", s_lodsl, 0 },
    { "rep_lodsb", s_rep_lodsb, 0 }, { "cmpsb", s_cmpsb, 0 },
    { "cmpsl", s_cmpsl, 0 }, { "repe_cmpsb", s_repe_cmpsb, 0 },
    { "repe_cmpsw", s_repe_cmpsw, 0 }, { "repe_cmpsl", s_repe_cmpsl, 0 },
    { "repne_cmpsb", s_repne_cmpsb, 0 }, { "repne_cmpsl", s_repne_cmpsl, 0 },
    { "scasb", s_scasb, 0 }, { "scasw", s_scasw, 0 },
    { "repe_scasb", s_repe_scasb, 0 }, { "repne_scasb", s_repne_scasb, 0 },
    { "repne_scasw", s_repne_scasw, 0 }, { "repe_scasl", s_repe_scasl, 0 },
    { "repne_scasl", s_repne_scasl, 0 },
    { "o16_rep_movsw_es", o16_rep_movsw_es, 0 },
    { "o16_rep_stos_66", o16_rep_stos_66, 0 },
    { "rep_movs_fs", o16_rep_movs_fs, 0 },
    { "a16_rep_movsb", a16_rep_movsb, 1 }, { "a16_rep_movsl", a16_rep_movsl, 1 },
    { "a16_rep_stosw", a16_rep_stosw, 1 }, { "a16_lodsb", a16_lodsb, 1 },
    { "a16_repe_cmpsb", a16_repe_cmpsb, 1 },
    { "a16_repne_scasb", a16_repne_scasb, 1 },
    { "a16_repne_scasl", a16_repne_scasl, 1 },
};

#define AREA 512
static uint8_t area[2 * AREA];
/* Low-memory window for 16-bit addressing: linear 0x7000..0x7fff. */
#define LOW ((uint8_t *)0x7000)

/* Fill src/dst regions with a pattern sharing a prefix, so cmps/scas stop
 * at different places. */
static void fill(uint8_t *src, uint8_t *dst, unsigned n, unsigned seed)
{
    for (unsigned i = 0; i < n; i++) {
        src[i] = (uint8_t)(i * 7 + seed);
        dst[i] = i < 40 + seed ? src[i] : (uint8_t)(i * 13);
    }
}

static uint32_t hash_mem(const uint8_t *p, unsigned n)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

void kmain(void)
{
    static const uint32_t counts[] = { 0, 1, 2, 7, 33, 100 };
    Regs r;

    /* direct checks */
    fill(area, area + AREA, AREA, 0);
    r = (Regs){ (uint32_t)area, (uint32_t)area + AREA, 10, 0, 0 };
    s_rep_movsl(&r);
    check("string.movs.ecx", r.ecx, 0);
    check("string.movs.esi", r.esi - (uint32_t)area, 40);
    r = (Regs){ 0, (uint32_t)area, 100, 0x11, 0 };
    area[5] = 0x11;
    s_repne_scasb(&r);
    check("string.scas.edi", r.edi - (uint32_t)area, 6);

    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
            for (int df = 0; df < 2; df++) {
                for (unsigned seed = 0; seed < 2; seed++) {
                    uint8_t *base = ops[o].a16 ? LOW : area;
                    uint32_t so = df ? AREA - 8 : 8;   /* room for 100 dwords */
                    uint32_t hi = ops[o].a16 ? 0xabcd0000 : 0;
                    fill(base, base + AREA, AREA, seed * 5);
                    r.esi = (uint32_t)base + so;
                    r.edi = (uint32_t)base + AREA + so + seed;
                    if (ops[o].a16) {
                        r.esi = hi | (r.esi & 0xffff);
                        r.edi = hi | (r.edi & 0xffff);
                    }
                    r.ecx = counts[c] | (ops[o].a16 ? 0x5a0000 : 0);
                    r.eax = seed ? 0x0000a5a5 : base[AREA + so + 45] * 0x01010101u;
                    r.fl = (df ? FL_DF : 0) | (seed ? FL_ZF | FL_CF : 0);
                    ops[o].fn(&r);
                    resultf("%s n=%u df=%d s=%u -> si=%x di=%x cx=%x ax=%08x f=%03x m=%08x",
                            ops[o].name, counts[c], df, seed,
                            r.esi - (hi | (uint32_t)base),
                            r.edi - (hi | (uint32_t)base), r.ecx, r.eax,
                            r.fl & (FL_ARITH | FL_DF), hash_mem(base, 2 * AREA));
                }
            }
        }
    }

    /* 16-bit address wrap: DI = 0xfffe, stosw x3 writes 0xfffe, 0, 2. */
    {
        volatile uint16_t *w0 = (uint16_t *)0xfffe;
        volatile uint16_t *w1 = (uint16_t *)0x0000;
        uint16_t save0 = *w0, save1 = *w1;
        uint32_t save2 = *(volatile uint32_t *)0x2;
        r = (Regs){ 0, 0x1234fffe, 3, 0xbeef, 0 };
        a16_rep_stosw(&r);
        resultf("a16 wrap di=%08x cx=%08x w0=%04x w1=%04x", r.edi, r.ecx, *w0, *w1);
        *w0 = save0;
        *w1 = save1;
        *(volatile uint32_t *)0x2 = save2;
    }
    finish(0xef4119e3);
}
