/*
 * hamt86 fuzz harness: the x86 decoder and disassembler
 * (translator/decode.c, translator/disas.c, rows of x86-insn.def).
 *
 * Input: byte 0 bit 0 selects 32-bit (1) or 16-bit (0) code; the rest is
 * a byte string decoded instruction after instruction (each decoded
 * instruction is also disassembled), as the translator walks a block.
 * The fetch callback fails past the end, as at an unmapped page.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "translator/decode.h"
#include "tests/fuzz/fuzz.h"

typedef struct FuzzCode {
    const uint8_t *p;
    size_t n;
} FuzzCode;

/* Byte at eip, or false past the end. */
static bool fetch(void *opaque, uint32_t eip, uint8_t *byte)
{
    FuzzCode *c = opaque;

    if (eip >= c->n) {
        return false;
    }
    *byte = c->p[eip];
    return true;
}

/* libFuzzer entry: decode and disassemble everything in data[1..]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzCode c;
    uint32_t eip = 0;
    bool code32;

    if (size < 1) {
        return 0;
    }
    code32 = data[0] & 1;
    c.p = data + 1;
    c.n = size - 1;
    while (eip < c.n) {
        X86Insn insn;
        char buf[160];
        DecodeStatus st;
        int len;

        memset(&insn, 0, sizeof(insn));
        st = x86_decode(&insn, eip, code32, fetch, &c);
        if (st == DECODE_FETCH) {
            break;
        }
        if (st != DECODE_OK) {
            eip++;          /* #UD / too long: resynchronise byte by byte */
            continue;
        }
        len = x86_disas(&insn, buf, sizeof(buf));
        if (len < 0 || (size_t)len >= sizeof(buf) || strlen(buf) != (size_t)len) {
            __builtin_trap();       /* the disassembler lied about its length */
        }
        eip += insn.len ? insn.len : 1;
    }
    return 0;
}
