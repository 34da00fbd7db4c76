/*
 * hamt86 difftest: run the sequences of a blob and print one line each:
 *
 *   S <index> <eax> <ecx> <edx> <ebx> <esp> <ebp> <esi> <edi> <eflags> <memhash>
 *
 * (hex, 8 digits; eflags masked with DT_EFLAGS_MASK).  The scratch area is
 * refilled from the sequence's memseed before each run (xorshift32) and
 * hashed (FNV-1a over 32-bit words) afterwards.  x87/MMX sequences add
 *
 *   F <index> <fcw> <fsw> <ftw> <st0> ... <st7>
 *
 * from the FNSAVE image: the control, status and tag dwords (upper halves
 * included: a real CPU stores 0xffff there) and ST(0)..ST(7) as 20 hex
 * digits (sign/exponent, then the significand).
 */
#include "runner.h"

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static char *hex8(char *p, uint32_t v)
{
    int i;

    *p++ = ' ';
    for (i = 7; i >= 0; i--) {
        *p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
    }
    return p;
}

/* The low n hex digits of v (n <= 8). */
static char *hexn(char *p, uint32_t v, int n)
{
    int i;

    for (i = n - 1; i >= 0; i--) {
        *p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
    }
    return p;
}

static uint32_t entries[DT_MAX_SEQ];
static const uint8_t *seq_hdr[DT_MAX_SEQ];

int dt_run_all(const uint8_t *blob, size_t len, DtEmitFn *emit)
{
    uint32_t count, i, off = 16, codeoff = 16;
    volatile uint32_t *scratch = (volatile uint32_t *)DT_SCRATCH;
    uint8_t *code = (uint8_t *)DT_CODE;

    if (len < 16 || rd32(blob) != 0x54464944u) {   /* "DIFT" */
        return -1;
    }
    count = rd32(blob + 4);
    if (count > DT_MAX_SEQ) {
        return -1;
    }
    /* Lay out all code once: no self-modifying code while running. */
    *(volatile uint32_t *)DT_CODE = (uint32_t)(uintptr_t)dt_seq_return;
    for (i = 0; i < count; i++) {
        uint32_t n, k;

        if (off + 42 > len) {
            return -1;
        }
        seq_hdr[i] = blob + off;
        n = blob[off + 40] | (blob[off + 41] << 8);
        if (codeoff + n + 7 > DT_CODE_SIZE) {
            return -1;
        }
        entries[i] = DT_CODE + codeoff;
        for (k = 0; k < n; k++) {
            code[codeoff++] = blob[off + 42 + k];
        }
        /* jmp [DT_CODE] (SIB absolute: the same in 32- and 64-bit code;
         * the 64-bit runner reads the zero upper half at DT_CODE + 4) */
        code[codeoff++] = 0xff;
        code[codeoff++] = 0x24;
        code[codeoff++] = 0x25;
        code[codeoff++] = DT_CODE & 0xff;
        code[codeoff++] = (DT_CODE >> 8) & 0xff;
        code[codeoff++] = (DT_CODE >> 16) & 0xff;
        code[codeoff++] = DT_CODE >> 24;
        codeoff = (codeoff + 15) & ~15u;
        off = (off + 42 + n + 3) & ~3u;
    }
    for (i = 0; i < count; i++) {
        const uint8_t *h = seq_hdr[i];
        uint32_t in[9], x, hash = 0x811c9dc5u, k;
        char line[256], *p = line;

        for (k = 0; k < 8; k++) {
            in[k] = rd32(h + 4 * k);
        }
        in[4] = DT_STACK_TOP;
        in[8] = (rd32(h + 32) & DT_EFLAGS_MASK) | 2;
        x = rd32(h + 36) | 1;
        for (k = 0; k < DT_SCRATCH_SIZE / 4; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            scratch[k] = x;
        }
        dt_run_seq(in, entries[i]);
        for (k = 0; k < DT_SCRATCH_SIZE / 4; k++) {
            hash = (hash ^ scratch[k]) * 0x01000193u;
        }
        *p++ = 'S';
        p = hex8(p, i);
        for (k = 0; k < 8; k++) {
            p = hex8(p, dt_out[k]);
        }
        p = hex8(p, dt_out[8] & DT_EFLAGS_MASK);
        p = hex8(p, hash);
        *p++ = '\n';
        emit(line, (size_t)(p - line));
        if (rd32(h + 32) & DT_SEQ_FPU) {
            const uint8_t *img = (const uint8_t *)dt_fpu;

            p = line;
            *p++ = 'F';
            p = hex8(p, i);
            for (k = 0; k < 3; k++) {
                p = hex8(p, dt_fpu[k]);
            }
            for (k = 0; k < 8; k++) {
                const uint8_t *r = img + 28 + 10 * k;

                *p++ = ' ';
                p = hexn(p, (uint32_t)(r[9] << 8 | r[8]), 4);
                p = hexn(p, rd32(r + 4), 8);
                p = hexn(p, rd32(r), 8);
            }
            *p++ = '\n';
            emit(line, (size_t)(p - line));
        }
    }
    return (int)count;
}
