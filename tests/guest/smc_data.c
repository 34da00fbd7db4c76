/*
 * smc_data: stores next to translated code (issue 14 item 1: the per-page
 * bitmap of translated bytes must pass data stores and still catch code
 * stores).  One pool frame holds, at these offsets:
 *
 *   0x100  data word             0x1fc  data word just before the TB
 *   0x200  f: mov eax, imm32 ; add eax, imm32 ; ret     (11 bytes)
 *   0x20b  data word just after the TB
 *   0x300  g: ecx = n; 1: addl $1, [0x380] ; loop 1b ; mov eax, [0x380] ; ret
 *   0x380  g's counter (data interleaved with g's code)
 *   0x500  h: 8 x nop ; ret      (ends at 0x508, the last byte of a word)
 *   0x603  k: 8 x nop ; ret      (starts at 0x603, the last byte of a word)
 *
 *   - data stores (many: the page gets its bitmap) keep f's result;
 *   - stores into f (first immediate byte, last immediate byte), and
 *     dwords straddling its first and its last byte, change f's result;
 *   - g counts in its own code page;
 *   - aligned stores of 1, 2 and 4 bytes that touch only k's first byte
 *     or only h's last byte (turning a nop into inc eax, or the ret into
 *     inc eax ; ret) change the result (eax = 0 on entry);
 *   - stores into the words and 32-byte lines that h and k share with
 *     data, on no code byte (the code map's false positives), keep it;
 *   - the same through a second virtual page on the frame (an alias).
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "smc_data";

#define FR   PG_FRAME(7)            /* identity-mapped frame */
#define AL   PG_WIN                 /* alias of the frame */
#define F    0x200u
#define G    0x300u
#define GVAR 0x380u
#define H    0x500u
#define K    0x603u

static void wr8(uint32_t va, uint8_t v) { *(volatile uint8_t *)va = v; }
static void wr32(uint32_t va, uint32_t v) { *(volatile uint32_t *)va = v; }
static uint32_t rd32(uint32_t va) { return *(volatile uint32_t *)va; }
static uint32_t call(uint32_t va) { return ((uint32_t (*)(void))va)(); }
static void wr16(uint32_t va, uint16_t v) { *(volatile uint16_t *)va = v; }

/* Call va with eax = 0; its eax. */
static uint32_t call0(uint32_t va)
{
    uint32_t r;

    __asm__ volatile("call *%1" : "=a"(r) : "r"(va), "0"(0u)
                     : "ecx", "edx", "memory", "cc");
    return r;
}

/* 8 x nop ; ret at base + at (through the identity page). */
static void emit_nops(uint32_t at)
{
    for (uint32_t i = 0; i < 8; i++) {
        wr8(FR + at + i, 0x90);
    }
    wr8(FR + at + 8, 0xc3);
}

/* Store v of size sz (1, 2, 4) at va. */
static void wr(uint32_t va, unsigned sz, uint32_t v)
{
    if (sz == 1) {
        wr8(va, (uint8_t)v);
    } else if (sz == 2) {
        wr16(va, (uint16_t)v);
    } else {
        wr32(va, v);
    }
}

/* Data stores around f through va, n rounds, calling f each round. */
static uint32_t data_rounds(uint32_t va, uint32_t n)
{
    uint32_t sum = 0;

    for (uint32_t i = 0; i < n; i++) {
        wr32(va + 0x100, i);
        wr32(va + 0x1fc, i * 3);
        wr32(va + F + 11, i * 5);
        wr8(va + 0x7ff, (uint8_t)i);
        sum += call(FR + F);
    }
    return sum;
}

/* "tag.what" in a static buffer (one check name at a time). */
static const char *nm(const char *tag, const char *what)
{
    static char buf[48];
    size_t a = strlen(tag), b = strlen(what);

    memcpy(buf, tag, a);
    memcpy(buf + a, what, b + 1);
    return buf;
}

/* Data stores beside h and k, through va: the words they share with code
 * (bytes 0x509..0x50b, 0x600..0x602) and the rest of their 32-byte
 * lines. */
static uint32_t beside_rounds(uint32_t va, uint32_t n)
{
    uint32_t sum = 0;

    for (uint32_t i = 0; i < n; i++) {
        wr8(va + H + 9, 0xc3);            /* h's word; k's ret if h's dies */
        wr16(va + H + 10, (uint16_t)i);
        wr32(va + H + 0x10, i);           /* h's 32-byte line */
        wr32(va + H + 0x1c, i);
        wr16(va + K - 3, (uint16_t)i);    /* k's first word */
        wr8(va + K - 1, (uint8_t)i);
        wr32(va + K + 9, i);              /* the word after k's ret */
        wr32(va + 0x600 + 0x1c, i);       /* k's 32-byte line */
        sum += call0(FR + H) + call0(FR + K);
    }
    return sum;
}

/* Stores of each size that touch only k's first or h's last byte. */
static void edge_stores(const char *tag, uint32_t va)
{
    static const char *const sn[] = { "", ".1", ".2", "", ".4" };

    for (unsigned sz = 1; sz <= 4; sz <<= 1) {
        char t[24];
        size_t a = strlen(tag);

        memcpy(t, tag, a);
        memcpy(t + a, sn[sz], strlen(sn[sz]) + 1);
        emit_nops(H);
        emit_nops(K);
        check(nm(t, ".beside"), beside_rounds(va, 30), 0);
        /* ends at k's first byte: 0x40 there, data below */
        wr(va + K + 1 - sz, sz, sz == 1 ? 0x40u : sz == 2 ? 0x405au
                                                          : 0x405a5a5au);
        check(nm(t, ".first"), call0(FR + K), 1);
        check(nm(t, ".first.h"), call0(FR + H), 0);
        /* starts at h's last byte: inc eax ; ret ; data */
        wr(va + H + 8, sz, 0xa5c3c340u);
        check(nm(t, ".last"), call0(FR + H), 1);
        check(nm(t, ".beside.after"), beside_rounds(va, 10), 20);
    }
}

/* f = mov eax, a ; add eax, b ; ret */
static void emit_f(uint32_t base, uint32_t a, uint32_t b)
{
    wr8(base + F, 0xb8);
    wr32(base + F + 1, a);
    wr8(base + F + 5, 0x05);
    wr32(base + F + 6, b);
    wr8(base + F + 10, 0xc3);
}

/* g = mov ecx, n ; 1: addl $1, [GVAR] ; loop 1b ; mov eax, [GVAR] ; ret */
static void emit_g(uint32_t n)
{
    uint8_t *p = (uint8_t *)(FR + G);
    uint32_t var = FR + GVAR;

    p[0] = 0xb9; memcpy(p + 1, &n, 4);
    p[5] = 0x83; p[6] = 0x05; memcpy(p + 7, &var, 4); p[11] = 0x01;
    p[12] = 0xe2; p[13] = (uint8_t)-9;
    p[14] = 0xa1; memcpy(p + 15, &var, 4);
    p[19] = 0xc3;
}

/* The stores into f and across its ends, through va. */
static void code_stores(const char *tag, uint32_t va)
{

    emit_f(FR, 0x1000, 0x20);
    check(nm(tag, ".data"), data_rounds(va, 50), 50 * 0x1020);
    check(nm(tag, ".data.kept"), rd32(FR + 0x1fc) + rd32(FR + F + 11), 49 * 8);
    wr8(va + F + 1, 0x01);                     /* first immediate byte */
    check(nm(tag, ".into.first"), call(FR + F), 0x1021);
    data_rounds(va, 20);
    wr8(va + F + 9, 0x02);                     /* last byte before ret */
    check(nm(tag, ".into.last"), call(FR + F), 0x02001021);
    data_rounds(va, 20);
    /* dword at F-2: two data bytes, the opcode (kept), imm byte 0 */
    wr32(va + F - 2, 0x44b80000u | 0x1234);
    check(nm(tag, ".straddle.start"), call(FR + F), 0x02001064);
    check(nm(tag, ".straddle.start.data"), rd32(FR + F - 4) >> 16, 0x1234);
    data_rounds(va, 20);
    /* dword at F+8: imm bytes 2, 3, the ret (kept), a data byte */
    wr32(va + F + 8, 0x77c30300u);
    check(nm(tag, ".straddle.end"), call(FR + F), 0x03001064);
    check(nm(tag, ".straddle.end.data"), rd32(FR + F + 11) & 0xff, 0x77);
    check(nm(tag, ".after"), data_rounds(va, 30), 30 * 0x03001064);
}

void kmain(void)
{
    pg_setup32();
    pg_pt_win[0] = FR | PTE_P | PTE_W;
    write_cr3(read_cr3());

    code_stores("ident", FR);
    code_stores("alias", AL);
    edge_stores("edge.ident", FR);
    edge_stores("edge.alias", AL);

    emit_g(1000);
    wr32(FR + GVAR, 0);
    check("loop.1000", call(FR + G), 1000);
    for (int i = 0; i < 20; i++) {
        call(FR + G);
    }
    check("loop.21000", rd32(AL + GVAR), 21000);
    wr32(AL + G + 1, 7);                       /* patch n through the alias */
    check("loop.patched", call(FR + G), 21007);
    finish(0x811c9dc5);
}
