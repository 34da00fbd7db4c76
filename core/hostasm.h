/*
 * hamt86 - the buffer host code is emitted into.
 *
 * The generated emitters (host-mips/mips-insn.def -> mips_<insn>(), and
 * host-loongarch/la-insn.def -> la_<insn>()) append 32-bit instruction words
 * here after range-checking every field; an out-of-range field is a backend
 * bug and stops the emulator through hostasm_range_error().
 */
#ifndef HAMT86_HOSTASM_H
#define HAMT86_HOSTASM_H

#include "core/base.h"

typedef struct HostAsm {
    uint8_t *start;   /* first byte of the current TB's code */
    uint8_t *ptr;     /* next byte to write */
    uint8_t *end;     /* limit */
    bool overflow;    /* ran past end: the caller flushes the cache and retries */
} HostAsm;

/* Append one little-endian instruction word. */
static inline void hostasm_put32(HostAsm *s, uint32_t insn)
{
    if (unlikely(s->ptr + 4 > s->end)) {
        s->overflow = true;
        return;
    }
    *(uint32_t *)(void *)s->ptr = insn;
    s->ptr += 4;
}

/* Current offset from start (bytes). */
static inline uint32_t hostasm_offset(const HostAsm *s)
{
    return (uint32_t)(s->ptr - s->start);
}

/* A field did not fit its encoding: report insn/field/value and abort. */
NORETURN void hostasm_range_error(const char *insn, const char *field, long long value);

#endif
