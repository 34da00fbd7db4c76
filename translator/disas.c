/*
 * hamt86 - Intel-syntax disassembler for -d in_asm.
 *
 * Formats a decoded X86Insn the way `objdump -M intel` does, e.g.
 *
 *   add    eax,DWORD PTR [ebx+ecx*4+0x10]
 *   rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]
 *
 * so that tests/decode can compare the two, including objdump's habits:
 * prefixes it considers unused print as words (data16, addr16, es ...),
 * w/d suffixes on stack and branch mnemonics with a 66 prefix, and x87
 * escapes with their own names (the emulator itself has no FPU).
 */

#include "core/libc.h"
#include "core/cpu.h"
#include "translator/decode.h"
#include "translator/x86-insn.def"   /* operand types, X86InsnForm (no rows) */

/* Output buffer that never overflows (truncates, always NUL-terminated). */
typedef struct OutBuf {
    char *buf;
    size_t size;
    size_t len;
} OutBuf;

/* Append string s. */
static void out_str(OutBuf *o, const char *s)
{
    while (*s) {
        if (o->len + 1 < o->size) {
            o->buf[o->len] = *s;
        }
        o->len++;
        s++;
    }
    if (o->size) {
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
    }
}

/* Append v as 0x-prefixed lower-case hex. */
static void out_hex(OutBuf *o, uint32_t v)
{
    char tmp[12];
    int i = sizeof(tmp) - 1;

    tmp[i] = 0;
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    out_str(o, &tmp[i]);
}

static const char *const reg8[8] = {
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"
};
static const char *const reg16[8] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di"
};
static const char *const reg32[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"
};
static const char *const sreg[8] = {
    "es", "cs", "ss", "ds", "fs", "gs", "?", "?"
};
static const char *const ccname[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a",
    "s", "ns", "p", "np", "l", "ge", "le", "g"
};

/* General register name for a size in bytes. */
static const char *gpr_name(unsigned size, unsigned reg)
{
    reg &= 7;
    return size == 1 ? reg8[reg] : size == 2 ? reg16[reg] : reg32[reg];
}

/* Size keyword for a memory operand ("" when none is printed). */
static const char *ptr_name(unsigned size)
{
    switch (size) {
    case 1: return "BYTE PTR ";
    case 2: return "WORD PTR ";
    case 4: return "DWORD PTR ";
    case 6: return "FWORD PTR ";
    case 8: return "QWORD PTR ";
    case 10: return "TBYTE PTR ";
    default: return "";
    }
}

/* Append a signed displacement "+0x10" / "-0x10". */
static void out_disp(OutBuf *o, uint32_t disp, bool addr16)
{
    int32_t v = addr16 ? (int16_t)disp : (int32_t)disp;

    if (v < 0) {
        out_str(o, "-");
        out_hex(o, (uint32_t)-(int64_t)v);
    } else {
        out_str(o, "+");
        out_hex(o, (uint32_t)v);
    }
}

/* Append the ModRM / moffs memory reference insn->mem. */
static void out_mem(OutBuf *o, const X86Insn *insn, unsigned size, bool sized)
{
    bool code32 = (insn->opsize == 4) != ((insn->prefixes & PFX_OPSIZE) != 0);
    const X86MemRef *m = &insn->mem;
    const char *const *rn = m->addr16 ? reg16 : reg32;
    bool has_disp = false, sib = false, sib_noindex = false;

    if (sized) {
        out_str(o, ptr_name(size));
    }
    if (insn->has_modrm) {
        unsigned mod = insn->modrm >> 6, rm = insn->modrm & 7;

        has_disp = mod == 1 || mod == 2;
        if (!m->addr16 && rm == 4) {
            sib = true;
            /* SIB byte follows the ModRM byte: locate it. */
            sib_noindex = m->index < 0;
        }
    }
    /* objdump: a SIB byte with neither base nor index prints as
     * [eiz*N+disp] in 32-bit code, as an absolute address in 16-bit code
     * when N is 1 */
    if (m->base < 0 && m->index < 0 && (!sib || (m->scale == 0 && !code32))) {
        /* absolute: disp16/32 or moffs */
        out_str(o, sreg[m->seg]);
        out_str(o, ":");
        out_hex(o, m->addr16 ? m->disp & 0xffff : m->disp);
        return;
    }
    if (insn->prefixes & PFX_SEG) {
        out_str(o, sreg[m->seg]);
        out_str(o, ":");
    }
    out_str(o, "[");
    if (m->base >= 0) {
        out_str(o, rn[m->base]);
    }
    if (m->index >= 0 || (sib && sib_noindex && (m->base != R_ESP ||
                                                  m->scale != 0))) {
        static const char scale_s[4][3] = { "*1", "*2", "*4", "*8" };

        if (m->base >= 0) {
            out_str(o, "+");
        }
        out_str(o, m->index >= 0 ? rn[m->index] : "eiz");
        if (!m->addr16) {
            out_str(o, scale_s[m->scale]);
        }
    }
    if (has_disp || m->base < 0) {
        out_disp(o, m->disp, m->addr16);
    }
    out_str(o, "]");
}

/* Append a string instruction operand: es:[edi] or seg:[esi]. */
static void out_strop(OutBuf *o, const X86Insn *insn, const X86Operand *op)
{
    const char *const *rn = insn->adsize == 2 ? reg16 : reg32;
    int seg = R_ES;

    if (op->reg == R_ESI) {
        seg = insn->seg_override >= 0 ? insn->seg_override : R_DS;
    }
    out_str(o, ptr_name(op->size));
    out_str(o, sreg[seg]);
    out_str(o, ":[");
    out_str(o, rn[op->reg]);
    out_str(o, "]");
}

/* Print operand n. */
static void out_operand(OutBuf *o, const X86Insn *insn, unsigned n)
{
    const X86Operand *op = &insn->op[n];
    const X86InsnForm *form = &x86_insn_forms[insn->def->id];
    unsigned ot = form->ops[n];

    switch (op->kind) {
    case OPK_REG:
        out_str(o, gpr_name(op->size, op->reg));
        break;
    case OPK_SEG:
        out_str(o, sreg[op->reg]);
        break;
    case OPK_MMX: {
        char t[4] = { 'm', 'm', (char)('0' + (op->reg & 7)), 0 };

        out_str(o, t);
        break;
    }
    case OPK_CR:
    case OPK_DR: {
        char t[4] = { op->kind == OPK_CR ? 'c' : 'd', 'r',
                      (char)('0' + (op->reg & 7)), 0 };
        out_str(o, t);
        break;
    }
    case OPK_IMM:
        if (ot == OT_I1) {
            out_str(o, "1");
        } else {
            out_hex(o, op->imm);
        }
        break;
    case OPK_REL:
        out_hex(o, op->imm);
        break;
    case OPK_FAR:
        out_hex(o, op->sel);
        out_str(o, ":");
        out_hex(o, op->imm);
        break;
    case OPK_MEM:
        if (ot == OT_Xb || ot == OT_Xv || ot == OT_Yb || ot == OT_Yv) {
            out_strop(o, insn, op);
        } else {
            out_mem(o, insn, op->size,
                    ot != OT_M && ot != OT_Ms && ot != OT_Ob && ot != OT_Ov);
        }
        break;
    default:
        break;
    }
}

/* ---- x87 escapes (D8..DF), objdump's spellings ---- */

static const char *const fpu_mem_name[8][8] = {
    { "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr" },
    { "fld", "(bad)", "fst", "fstp", "fldenv", "fldcw", "fnstenv", "fnstcw" },
    { "fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv",
      "fidivr" },
    { "fild", "fisttp", "fist", "fistp", "(bad)", "fld", "(bad)", "fstp" },
    { "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr" },
    { "fld", "fisttp", "fst", "fstp", "frstor", "(bad)", "fnsave", "fnstsw" },
    { "fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv",
      "fidivr" },
    { "fild", "fisttp", "fist", "fistp", "fbld", "fild", "fbstp", "fistp" },
};
/* Memory operand size per escape and reg field (0: printed unsized). */
static const uint8_t fpu_mem_size[8][8] = {
    { 4, 4, 4, 4, 4, 4, 4, 4 },
    { 4, 0, 4, 4, 0, 2, 0, 2 },
    { 4, 4, 4, 4, 4, 4, 4, 4 },
    { 4, 4, 4, 4, 0, 10, 0, 10 },
    { 8, 8, 8, 8, 8, 8, 8, 8 },
    { 8, 8, 8, 8, 0, 0, 0, 2 },
    { 2, 2, 2, 2, 2, 2, 2, 2 },
    { 2, 2, 2, 2, 10, 8, 10, 8 },
};
static const char *const fpu_d9_rm[4][8] = {
    { "fchs", "fabs", 0, 0, "ftst", "fxam", 0, 0 },
    { "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", 0 },
    { "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp",
      "fincstp" },
    { "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin",
      "fcos" },
};
static const char *const fpu_cmov[8] = {
    "fcmovb", "fcmove", "fcmovbe", "fcmovu",
    "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"
};
static const char *const fpu_db_e0[8] = {
    "fneni(8087 only)", "fndisi(8087 only)", "fnclex", "fninit",
    "fnsetpm(287 only)", "frstpm(287 only)", 0, 0
};
static const char *const fpu_arith_rev[8] = {
    "fadd", "fmul", 0, 0, "fsubr", "fsub", "fdivr", "fdiv"
};
static const char *const fpu_arith_pop[8] = {
    "faddp", "fmulp", 0, 0, "fsubrp", "fsubp", "fdivrp", "fdivp"
};
static const char *const fpu_dd[8] = {
    "ffree", 0, "fst", "fstp", "fucom", "fucomp", 0, 0
};

/* FLDENV / FNSTENV / FRSTOR / FNSAVE: operand size picks the layout. */
static bool fpu_env_form(const X86Insn *insn)
{
    unsigned esc = insn->opcode - 0xd8, reg = (insn->modrm >> 3) & 7;

    return (insn->modrm >> 6) != 3 && (esc == 1 || esc == 5) &&
           (reg == 4 || reg == 6);
}

/* Operand patterns of register forms. */
enum { FP_NONE, FP_STI, FP_ST_STI, FP_STI_ST, FP_AX };

/* Print an x87 escape: name, padding, operands. */
static void out_fpu(OutBuf *o, const X86Insn *insn, size_t start)
{
    unsigned esc = insn->opcode - 0xd8;
    unsigned mod = insn->modrm >> 6, reg = (insn->modrm >> 3) & 7;
    unsigned rm = insn->modrm & 7;
    const char *name = NULL;
    int pat = FP_NONE;

    if (mod != 3) {
        out_str(o, fpu_mem_name[esc][reg]);
        if (fpu_env_form(insn) && (insn->prefixes & PFX_OPSIZE)) {
            out_str(o, insn->opsize == 2 ? "w" : "d");
        }
        while (o->len - start < 6) {
            out_str(o, " ");
        }
        out_str(o, " ");
        out_mem(o, insn, fpu_mem_size[esc][reg], fpu_mem_size[esc][reg] != 0);
        return;
    }
    switch (esc) {
    case 0:
        name = fpu_mem_name[0][reg];
        pat = (reg == 2 || reg == 3) ? FP_STI : FP_ST_STI;
        break;
    case 1:
        if (reg == 0 || reg == 1) {
            name = reg ? "fxch" : "fld";
            pat = FP_STI;
        } else if (reg == 2) {
            name = rm == 0 ? "fnop" : NULL;
        } else if (reg >= 4) {
            name = fpu_d9_rm[reg - 4][rm];
        }
        break;
    case 2:
        if (reg < 4) {
            name = fpu_cmov[reg];
            pat = FP_ST_STI;
        } else if (reg == 5 && rm == 1) {
            name = "fucompp";
        }
        break;
    case 3:
        if (reg < 4) {
            name = fpu_cmov[4 + reg];
            pat = FP_ST_STI;
        } else if (reg == 4) {
            name = fpu_db_e0[rm];
        } else if (reg == 5 || reg == 6) {
            name = reg == 5 ? "fucomi" : "fcomi";
            pat = FP_ST_STI;
        }
        break;
    case 4:
        name = fpu_arith_rev[reg];
        pat = FP_STI_ST;
        break;
    case 5:
        name = fpu_dd[reg];
        pat = FP_STI;
        break;
    case 6:
        if (reg == 3) {
            name = rm == 1 ? "fcompp" : NULL;
        } else {
            name = fpu_arith_pop[reg];
            pat = FP_STI_ST;
        }
        break;
    case 7:
        if (reg == 0) {
            name = "ffreep";
            pat = FP_STI;
        } else if (reg == 4 && rm == 0) {
            name = "fnstsw";
            pat = FP_AX;
        } else if (reg == 5 || reg == 6) {
            name = reg == 5 ? "fucomip" : "fcomip";
            pat = FP_ST_STI;
        }
        break;
    }
    if (name == NULL) {
        out_str(o, "(bad)");
        return;
    }
    out_str(o, name);
    if (pat == FP_NONE) {
        return;
    }
    while (o->len - start < 6) {
        out_str(o, " ");
    }
    out_str(o, " ");
    {
        char sti[6] = { 's', 't', '(', (char)('0' + rm), ')', 0 };

        switch (pat) {
        case FP_STI:
            out_str(o, sti);
            break;
        case FP_ST_STI:
            out_str(o, "st,");
            out_str(o, sti);
            break;
        case FP_STI_ST:
            out_str(o, sti);
            out_str(o, ",st");
            break;
        case FP_AX:
            out_str(o, "ax");
            break;
        }
    }
}

/* Prefix classes: 0 not a prefix, 1 segment, 2 66, 3 67, 4 F2/F3, 5 F0. */
static int prefix_class(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
        return 1;
    case 0x66:
        return 2;
    case 0x67:
        return 3;
    case 0xf2: case 0xf3:
        return 4;
    case 0xf0:
        return 5;
    default:
        return 0;
    }
}

/* Segment override prefix byte as objdump's word ("es " ...). */
static const char *sreg_word(uint8_t b)
{
    switch (b) {
    case 0x26: return "es ";
    case 0x2e: return "cs ";
    case 0x36: return "ss ";
    case 0x3e: return "ds ";
    case 0x64: return "fs ";
    default:   return "gs ";
    }
}

/* Mnemonics objdump suffixes with w/d when a 66 prefix changes their
 * (otherwise invisible) operand size. */
static const char *const size_suffixed[] = {
    "push", "pop", "call", "jmp", "ret", "retf", "enter", "leave",
    "pusha", "popa", "pushf", "popf", "iret", NULL
};

/* Is name in the NULL-terminated list? */
static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++) {
        if (strcmp(*list, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Format insn in Intel syntax into buf; returns length. */
int x86_disas(const X86Insn *insn, char *buf, size_t size)
{
    OutBuf o = { buf, size, 0 };
    const X86InsnDef *def = insn->def;
    const X86InsnForm *form;
    const char *mn, *slash;
    char name[24];
    size_t n, start;
    unsigned i;
    bool is_string, osz16, code32, has_mem = false, size_shown = false;
    bool opsize_used, adsize_used, seg_used, xlat, seg_mem = false;
    bool rel8 = false, fpu, hle, xrel;
    unsigned nprefix;

    if (size) {
        buf[0] = 0;
    }
    if (def == NULL) {
        out_str(&o, "(bad)");
        return (int)o.len;
    }
    form = &x86_insn_forms[def->id];
    is_string = (def->attrs & XA_STRING) != 0;
    osz16 = insn->opsize == 2;
    code32 = (insn->opsize == 4) != ((insn->prefixes & PFX_OPSIZE) != 0);
    xlat = form->map == XM_M1 && form->opc == 0xd7;
    fpu = (form->map == XM_M1 && (form->opc & 0xf8) == 0xd8) ||
          form->map == XM_X87;

    /* Pick the 16- or 32-bit spelling of "m16/m32". */
    mn = def->mnemonic;
    slash = mn;
    while (*slash && *slash != '/') {
        slash++;
    }
    opsize_used = *slash != 0 && !(form->map == XM_M1 && form->opc == 0xe3);
    if (*slash) {
        bool first = (form->map == XM_M1 && form->opc == 0xe3) ?
                     insn->adsize == 2 : osz16;
        n = (size_t)(slash - mn);
        if (!first && !(n + 1 == strlen(slash + 1) &&
                        slash[1 + n] == 'd' &&
                        strncmp(mn, slash + 1, n) == 0)) {
            /* really different names (cbw/cwde); pusha/pushad style pairs
             * keep the base name and get objdump's size suffix below */
            mn = slash + 1;
            n = strlen(mn);
        }
    } else {
        n = strlen(mn);
    }
    if (n >= sizeof(name) - 4) {
        n = sizeof(name) - 5;
    }
    memcpy(name, mn, n);
    name[n] = 0;

    /* objdump spells the explicit-size string forms as base name +
     * operands. */
    if (is_string && n > 2) {
        name[n - 1] = 0;
    }
    if (form->mr == MR_CN || form->mr == MR_CR) {
        const char *c = ccname[insn->cc & 15];
        size_t l = strlen(name);

        memcpy(name + l, c, strlen(c) + 1);
    }

    /* Which prefixes the operands account for. */
    for (i = 0; i < insn->nops; i++) {
        unsigned ot = form->ops[i];
        const X86Operand *op = &insn->op[i];

        /* objdump counts 67 as unused by moffs and ES:[eDI]-only forms */
        if (op->kind == OPK_MEM && ot != OT_Yb && ot != OT_Yv &&
            ot != OT_Ob && ot != OT_Ov) {
            has_mem = true;
        }
        if (ot == OT_Ob || ot == OT_Ov) {
            seg_mem = true;
        }
        rel8 |= ot == OT_Jb;
        if (op->kind == OPK_REG || op->kind == OPK_FAR ||
            (op->kind == OPK_MEM && ot != OT_M && ot != OT_Ms)) {
            size_shown = true;
        }
        switch (ot) {
        case OT_Ev: case OT_Gv: case OT_Iz: case OT_Ibs: case OT_Jz:
        case OT_Ap: case OT_Mp: case OT_Ma: case OT_Ov: case OT_Xv:
        case OT_Yv: case OT_Zv: case OT_eAX:
            opsize_used = true;
            break;
        case OT_Evw:
            opsize_used |= op->kind == OPK_REG;
            break;
        default:
            break;
        }
    }
    has_mem |= xlat || (fpu && (insn->modrm >> 6) != 3);
    opsize_used |= fpu && fpu_env_form(insn);
    /* objdump counts 67 as used only when an address register shows */
    adsize_used = (has_mem && (insn->mem.base >= 0 || insn->mem.index >= 0)) ||
                  (has_mem && code32) || is_string || xlat ||
                  (form->map == XM_M1 && form->opc == 0xe3);
    seg_used = has_mem || seg_mem;
    if (in_list(size_suffixed, name) && !size_shown && !rel8 &&
        ((insn->prefixes & PFX_OPSIZE) || form->opc == 0x60 ||
         form->opc == 0x61 || form->opc == 0x9c || form->opc == 0x9d ||
         form->opc == 0xcf)) {
        if (insn->prefixes & PFX_OPSIZE) {
            size_t l = strlen(name);

            name[l] = osz16 ? 'w' : 'd';
            name[l + 1] = 0;
        }
        opsize_used = true;
    }
    if (form->map == XM_M0F && form->opc == 0x01 &&
        form->ops[0] == OT_Ms) {
        size_t l = strlen(name);

        name[l] = osz16 ? 'w' : 'd';
        name[l + 1] = 0;
        opsize_used = true;
    }

    /* Prefix words, in byte order.  Like objdump, a prefix superseded by
     * a later one of the same class prints as a word too. */
    start = o.len;
    nprefix = 0;
    while (nprefix + 1 < insn->len && prefix_class(insn->bytes[nprefix])) {
        nprefix++;
    }
    hle = (insn->prefixes & PFX_LOCK) ||
          (form->map == XM_M1 && (form->opc & 0xfe) == 0x86);
    hle = hle && insn->nops && insn->op[0].kind == OPK_MEM;
    /* XRELEASE also applies to plain stores (88/89/C6/C7 to memory) */
    xrel = form->map == XM_M1 && insn->nops && insn->op[0].kind == OPK_MEM &&
           ((form->opc & 0xfe) == 0x88 || (form->opc & 0xfe) == 0xc6);
    for (i = 0; i < nprefix; i++) {
        uint8_t b = insn->bytes[i];
        int cls = prefix_class(b);
        bool last = true, later_f2;
        unsigned j;

        for (j = i + 1; j < nprefix; j++) {
            /* F2 and F3 count separately, like objdump */
            if (cls == 4 ? insn->bytes[j] == b
                         : prefix_class(insn->bytes[j]) == cls) {
                last = false;
            }
        }
        later_f2 = false;
        for (j = i + 1; j < nprefix; j++) {
            later_f2 |= insn->bytes[j] == 0xf2;
        }
        switch (b) {
        case 0xf0:
            out_str(&o, "lock ");
            break;
        case 0xf3:
        case 0xf2:
            if (last && b == 0xf3 && form->pfx == XP_PF3) {
                break;
            }
            if (last && is_string) {
                bool cmp = (form->opc & 0xf6) == 0xa6;
                out_str(&o, b == 0xf2 ? "repnz " : cmp ? "repz " : "rep ");
            } else if (last && hle) {
                out_str(&o, b == 0xf2 ? "xacquire " : "xrelease ");
            } else if (last && xrel && b == 0xf3 && !later_f2) {
                out_str(&o, "xrelease ");
            } else {
                out_str(&o, b == 0xf2 ? "repnz " : "repz ");
            }
            break;
        case 0x66:
            if (!last || !opsize_used) {
                out_str(&o, code32 ? "data16 " : "data32 ");
            }
            break;
        case 0x67:
            if (!last || !adsize_used) {
                out_str(&o, code32 ? "addr16 " : "addr32 ");
            }
            break;
        default:
            if (!last || !seg_used) {
                out_str(&o, sreg_word(b));
            }
            break;
        }
    }
    if (fpu) {
        out_fpu(&o, insn, start);
        return (int)o.len;
    }
    out_str(&o, name);
    if (insn->nops == 0 && !xlat) {
        return (int)o.len;
    }
    while (o.len - start < 6) {
        out_str(&o, " ");
    }
    out_str(&o, " ");
    if (xlat) {
        out_str(&o, "BYTE PTR ");
        out_str(&o, sreg[insn->seg_override >= 0 ? insn->seg_override : R_DS]);
        out_str(&o, insn->adsize == 2 ? ":[bx]" : ":[ebx]");
    }
    for (i = 0; i < insn->nops; i++) {
        if (i) {
            out_str(&o, ",");
        }
        out_operand(&o, insn, i);
    }
    return (int)o.len;
}
