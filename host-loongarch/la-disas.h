/*
 * hamt86 - LoongArch64 host disassembler (objdump-style text).
 */
#ifndef HAMT86_LA_DISAS_H
#define HAMT86_LA_DISAS_H

#include "core/base.h"

/*
 * Disassemble one instruction word fetched from address pc into buf
 * (NUL-terminated, truncated to size); returns the length of the full text.
 * Unknown words print as "0x........" like objdump.
 */
int la_disas_one(uint32_t insn, uint64_t pc, char *buf, size_t size);

#endif
