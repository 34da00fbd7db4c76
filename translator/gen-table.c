/*
 * hamt86 - the translator's dispatch: the gen_* entry of every row of
 * translator/x86-insn.def, indexed by the row's X86InsnDef.id.
 *
 *   x86-insn.def row i --decode.c--> x86_insn_defs[i]  (mnemonic, flags, attrs)
 *                      --this file-> x86_gen_table[i]  (what translate.c runs)
 *
 * The decoder's rows hold no function pointers, so the decoder and the
 * disassembler link without the instruction families; every binary that
 * translates links this table and with it every family (strong symbols: a
 * row naming a missing gen function fails the link).
 */

#include "core/base.h"
#include "translator/decode.h"
#include "translator/gen-decls.h"

#define X86_INSN(map, opc, mr, pfx, mnem, o1, o2, o3, rd, wr, ud, attrs, gen) \
    gen,
X86GenFn *const x86_gen_table[] = {
#include "translator/x86-insn.def"
};
#undef X86_INSN

/* One entry per row, in row order (decode.c numbers the same rows). */
#define X86_INSN(map, opc, mr, pfx, mnem, o1, o2, o3, rd, wr, ud, attrs, gen) \
    + 1
enum { X86_GEN_ROWS = 0
#include "translator/x86-insn.def"
};
#undef X86_INSN
BUILD_ASSERT(ARRAY_SIZE(x86_gen_table) == X86_GEN_ROWS);
