/*
 * hamt86 - MIPS64r2 host disassembler for `-d out_asm`.
 *
 * The match table and the per-row formatters are generated from
 * host-mips/mips-insn.def by cross/gen-insn.py; the text matches
 * `objdump -M gpr-names=numeric,cp0-names=numeric,hwr-names=numeric,
 * no-aliases` (checked by tests/encoder).
 */
#define MIPS_INSN_WANT_DISAS
#include "mips-insn.h"
#include "host-mips/mips-disas.h"

/* Disassemble one instruction at pc into buf; returns the text length. */
int mips_disas_one(uint32_t insn, uint64_t pc, char *buf, size_t size)
{
    for (unsigned i = 0; i < ARRAY_SIZE(mips_disas_table); i++) {
        if ((insn & mips_disas_table[i].mask) == mips_disas_table[i].match) {
            return mips_disas_row(i, insn, pc, buf, size);
        }
    }
    return h_snprintf(buf, size, ".word\t0x%08x", (unsigned)insn);
}
