/*
 * hamt86 - MIPS64r2 host disassembler (objdump-style text).
 */
#ifndef HAMT86_MIPS_DISAS_H
#define HAMT86_MIPS_DISAS_H

#include "core/base.h"

/*
 * Disassemble one instruction word fetched from address pc into buf
 * (NUL-terminated, truncated to size); returns the length of the full text.
 * Unknown words print as ".word 0x...".
 */
int mips_disas_one(uint32_t insn, uint64_t pc, char *buf, size_t size);

#endif
