/*
 * hamt86 - decimal adjust instructions: DAA, DAS, AAA, AAS, AAM, AAD.
 *
 * Rare; all go through helpers (alu-helper.c) that update AL/AH and write
 * the flags to env as CC_OP_EFLAGS.
 */
#include "core/cpu.h"
#include "translator/translate.h"
#include "translator/cc.h"

/* Call a BCD helper and note that it left cc_op = EFLAGS in env. */
static void gen_bcd(DisasContext *s, unsigned helper, int imm)
{
    if (imm >= 0) {
        gen_helper(s, helper, 1, ir_const(s->f, (uint32_t)imm));
    } else {
        gen_helper(s, helper, 0);
    }
    gen_cc_op_synced(s, CC_OP_EFLAGS);
}

/* The imm8 of AAM/AAD (the last byte of the instruction). */
static int bcd_imm(const X86Insn *insn)
{
    if (insn->nops > 0 && insn->op[insn->nops - 1].kind == OPK_IMM) {
        return insn->op[insn->nops - 1].imm & 0xff;
    }
    return insn->bytes[insn->len - 1];
}

/* DAA */
void gen_daa(DisasContext *s, const X86Insn *insn) { (void)insn; gen_bcd(s, HELPER_daa, -1); }
/* DAS */
void gen_das(DisasContext *s, const X86Insn *insn) { (void)insn; gen_bcd(s, HELPER_das, -1); }
/* AAA */
void gen_aaa(DisasContext *s, const X86Insn *insn) { (void)insn; gen_bcd(s, HELPER_aaa, -1); }
/* AAS */
void gen_aas(DisasContext *s, const X86Insn *insn) { (void)insn; gen_bcd(s, HELPER_aas, -1); }

/* AAM imm8: #DE when imm8 is 0. */
void gen_aam(DisasContext *s, const X86Insn *insn)
{
    int imm = bcd_imm(insn);

    if (imm == 0) {
        gen_exception(s, EXCP00_DE, -1);
        return;
    }
    gen_bcd(s, HELPER_aam, imm);
}

/* AAD imm8 */
void gen_aad(DisasContext *s, const X86Insn *insn)
{
    gen_bcd(s, HELPER_aad, bcd_imm(insn));
}
