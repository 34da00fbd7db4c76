/*
 * hamt86 - declarations of every gen_* entry the rows of x86-insn.def name,
 * and the translator's dispatch table over them (translator/gen-table.c:
 * x86_gen_table[X86InsnDef.id]).  The decoder's rows (decode.c) carry no
 * function pointers, so the decoder and disassembler link on their own
 * (tests/decode, fuzz-decode); a binary that translates links every family.
 * Repeated declarations of one function are fine in C.
 *
 * What x86_decode() leaves in X86Insn for the gen_* functions (beyond the
 * comments of decode.h):
 *   - op[] follows the row's operands; op[i] for i >= nops is garbage, and
 *     insn->mem is only meaningful when some op[].kind == OPK_MEM.
 *   - E operands: OPK_REG (mod 3, reg = r/m) or OPK_MEM; Evw is a register
 *     of the operand size or a memory word (MOV Sreg, SLDT, STR, SMSW, LAR,
 *     LSL); Rd (MOV CR/DR) is always OPK_REG whatever mod says.
 *   - Immediates: Ib zero-extended (size 1); Ibs sign-extended and then
 *     truncated to the operand size (size = opsize); Iz has size opsize;
 *     I1 (shift by one) is OPK_IMM 1.  ENTER: op[0] = Iw, op[1] = Ib.
 *   - OPK_REL imm is the absolute target (next EIP + rel), already masked
 *     to 16 bits when the operand size is 16; size = opsize.
 *   - OPK_FAR (Ap): imm = offset, sel = selector, size = opsize + 2.
 *   - Memory-only operands: Mp size opsize+2, Ms 6, Mq 8, Ma 2*opsize,
 *     M (LEA) 0, Mb (INVLPG / prefetch) 1.
 *   - Moffs (Ob/Ov): OPK_MEM with base = index = -1, disp = offset.
 *   - String operands X/Y: OPK_MEM with op.reg = R_ESI (X) or R_EDI (Y);
 *     insn->mem describes DS:[eSI] (segment override applied) when the row
 *     has an X operand, else ES:[eDI]; mem.addr16 gives the address size.
 *     XLAT has no operands (DS:[eBX + AL], insn->seg_override applies).
 *   - BSWAP with a 66 prefix reports size 2 (the SDM leaves it undefined).
 *   - Jcc / SETcc / CMOVcc: the condition is insn->cc.
 *   - 0F 18 /0../3 with mod 3 decode as the hint NOP row of 0F 19.
 */
#ifndef HAMT86_GEN_DECLS_H
#define HAMT86_GEN_DECLS_H

#include "translator/decode.h"

#define X86_INSN(map, opc, mr, pfx, mnem, o1, o2, o3, rd, wr, ud, attrs, gen) \
    extern X86GenFn gen;
#include "translator/x86-insn.def"
#undef X86_INSN

/* The gen entry of row i of x86-insn.def (X86InsnDef.id), for every row. */
extern X86GenFn *const x86_gen_table[];

#endif
