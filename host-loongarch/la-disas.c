/*
 * hamt86 - LoongArch64 host disassembler for `-d out_asm`.
 *
 * The match table and the per-row formatters are generated from
 * host-loongarch/la-insn.def by cross/gen-insn.py; the text matches
 * binutils 2.40 `objdump -M numeric` (checked by tests/encoder).
 */
#define LA_INSN_WANT_DISAS
#include "la-insn.h"
#include "host-loongarch/la-disas.h"

/* Disassemble one instruction at pc into buf; returns the text length. */
int la_disas_one(uint32_t insn, uint64_t pc, char *buf, size_t size)
{
    for (unsigned i = 0; i < ARRAY_SIZE(la_disas_table); i++) {
        if ((insn & la_disas_table[i].mask) == la_disas_table[i].match) {
            return la_disas_row(i, insn, pc, buf, size);
        }
    }
    return h_snprintf(buf, size, "0x%08x", (unsigned)insn);
}
