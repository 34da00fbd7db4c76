/*
 * hamt86 - the table-driven x86 decoder.
 *
 * The rows of translator/x86-insn.def become two parallel arrays:
 * x86_insn_defs[] (what the translator needs) and x86_insn_forms[] (the
 * encoding).  On first use they are indexed into dispatch arrays: for each
 * of the 256 one-byte and 256 0F opcodes, one row per ModRM reg value (all
 * eight equal unless the opcode is a /digit group), plus the rows that only
 * apply with an F3 prefix or without a 66 prefix.
 *
 * Instruction layout:
 *
 *   [prefixes]* [0F] opcode [ModRM [SIB] [disp8|16|32]] [imm...]
 *
 *   ModRM:  7  6 5   3 2   0        SIB:  7  6 5     3 2    0
 *          +----+-----+-----+              +----+-------+------+
 *          |mod | reg | r/m |              |ss  | index | base |
 *          +----+-----+-----+              +----+-------+------+
 */

#include "core/libc.h"
#include "core/log.h"
#include "core/cpu.h"
#include "translator/decode.h"
#include "translator/x86-insn.def"   /* its enums and masks (no rows: X86_INSN unset) */


/* ---- the table ---- */

enum { X86_ROW_BASE = __COUNTER__ + 1 };

#define X86_INSN(map, opc, mr, pfx, mnem, o1, o2, o3, rd, wr, ud, attrs, gen) \
    { mnem, (rd), (wr), (ud), (attrs), __COUNTER__ - X86_ROW_BASE },
const X86InsnDef x86_insn_defs[] = {
#include "translator/x86-insn.def"
};
#undef X86_INSN

#define X86_INSN(map, opc, mr, pfx, mnem, o1, o2, o3, rd, wr, ud, attrs, gen) \
    { XM_##map, opc, MR_##mr, XP_##pfx, { OT_##o1, OT_##o2, OT_##o3 } },
const X86InsnForm x86_insn_forms[] = {
#include "translator/x86-insn.def"
};
#undef X86_INSN

const unsigned x86_nb_insn_defs = ARRAY_SIZE(x86_insn_defs);

BUILD_ASSERT(ARRAY_SIZE(x86_insn_defs) == ARRAY_SIZE(x86_insn_forms));
BUILD_ASSERT(ARRAY_SIZE(x86_insn_defs) < 0xffff);
/* the table's attribute shorthands are the XA_* bits */
BUILD_ASSERT(aLOCK == XA_LOCKABLE && aPRIV == XA_PRIV && aIO == XA_IO &&
             aJMP == XA_JUMP && aEOB == XA_EOB && aSTR == XA_STRING);
BUILD_ASSERT(aFDEC == XA_FDEC && aFINC == XA_FINC && aFINC2 == XA_FINC2 &&
             aFTOP0 == XA_FTOP0);
BUILD_ASSERT(aRMW == XA_RMW);

/* ---- dispatch arrays (row index + 1; 0 = no row) ---- */

static uint16_t dis_main[2][256][8];   /* by ModRM reg field */
static uint16_t dis_f3[2][256];        /* PF3 rows */
static uint16_t dis_no66[2][256];      /* PNO66 rows */
static uint8_t dis_modrm[2][256];      /* opcode has a ModRM byte */
static uint16_t dis_x87[8][64];        /* x87 register forms: escape, ModRM & 63 */
static volatile bool dis_ready;

/* Index the rows into the dispatch arrays (idempotent). */
static void decode_init(void)
{
    unsigned i, k, r, n;

    for (i = 0; i < x86_nb_insn_defs; i++) {
        const X86InsnForm *f = &x86_insn_forms[i];
        bool modrm = f->mr != MR_N && f->mr != MR_ZR && f->mr != MR_CN;

        n = 1;
        if (f->mr == MR_ZR) {
            n = 8;
        } else if (f->mr == MR_CN || f->mr == MR_CR) {
            n = 16;
        }
        if (f->map == XM_X87) {
            for (k = 0; k < (f->mr == MR_ZR ? 8u : 1u); k++) {
                dis_x87[(f->opc >> 8) & 7][(f->opc + k) & 63] = i + 1;
            }
            continue;
        }
        for (k = 0; k < n; k++) {
            unsigned op = f->opc + k;

            if (f->pfx == XP_PF3) {
                dis_f3[f->map][op] = i + 1;
                continue;
            }
            if (f->pfx == XP_PNO66) {
                dis_no66[f->map][op] = i + 1;
                continue;
            }
            dis_modrm[f->map][op] = modrm;
            if (f->mr >= MR_D0 && f->mr <= MR_D7) {
                dis_main[f->map][op][f->mr - MR_D0] = i + 1;
            } else {
                for (r = 0; r < 8; r++) {
                    dis_main[f->map][op][r] = i + 1;
                }
            }
        }
    }
    dis_ready = true;
}

/* ---- byte fetching ---- */

typedef struct DecodeState {
    X86Insn *insn;
    X86FetchFn *fetch;
    void *opaque;
    DecodeStatus status;   /* first failure */
} DecodeState;

/* Fetch the next instruction byte; false (status set) on failure. */
static bool get_byte(DecodeState *d, uint8_t *b)
{
    X86Insn *insn = d->insn;

    if (insn->len >= 15) {
        d->status = DECODE_TOO_LONG;
        return false;
    }
    if (!d->fetch(d->opaque, insn->eip + insn->len, b)) {
        d->status = DECODE_FETCH;
        return false;
    }
    insn->bytes[insn->len++] = *b;
    return true;
}

/* Fetch a little-endian value of n (1, 2 or 4) bytes. */
static bool get_val(DecodeState *d, unsigned n, uint32_t *v)
{
    uint32_t x = 0;
    unsigned i;
    uint8_t b;

    for (i = 0; i < n; i++) {
        if (!get_byte(d, &b)) {
            return false;
        }
        x |= (uint32_t)b << (8 * i);
    }
    *v = x;
    return true;
}

/* Sign-extend the low n bytes of v. */
static uint32_t sext(uint32_t v, unsigned n)
{
    if (n == 1) {
        return (uint32_t)(int32_t)(int8_t)v;
    }
    if (n == 2) {
        return (uint32_t)(int32_t)(int16_t)v;
    }
    return v;
}

/* Mask v to n bytes. */
static uint32_t trunc_to(uint32_t v, unsigned n)
{
    return n >= 4 ? v : v & ((1u << (8 * n)) - 1);
}

/*
 * Decode the memory form of a ModRM byte (mod != 3) into insn->mem.
 *
 * 16-bit forms (r/m):  0 [BX+SI]  1 [BX+DI]  2 [BP+SI]  3 [BP+DI]
 *                      4 [SI]     5 [DI]     6 [BP] / disp16 (mod 0)  7 [BX]
 */
static bool decode_modrm_mem(DecodeState *d, uint8_t modrm)
{
    static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP,
                                      R_ESI, R_EDI, R_EBP, R_EBX };
    static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                       -1, -1, -1, -1 };
    X86Insn *insn = d->insn;
    X86MemRef *m = &insn->mem;
    unsigned mod = modrm >> 6, rm = modrm & 7;
    uint32_t disp = 0;
    bool ss = false;

    m->scale = 0;
    if (insn->adsize == 2) {
        m->addr16 = true;
        if (mod == 0 && rm == 6) {
            m->base = -1;
            m->index = -1;
            if (!get_val(d, 2, &disp)) {
                return false;
            }
        } else {
            m->base = base16[rm];
            m->index = index16[rm];
            ss = m->base == R_EBP;
            if (mod == 1) {
                if (!get_val(d, 1, &disp)) {
                    return false;
                }
                disp = sext(disp, 1);
            } else if (mod == 2) {
                if (!get_val(d, 2, &disp)) {
                    return false;
                }
                disp = sext(disp, 2);
            }
        }
    } else {
        m->addr16 = false;
        m->index = -1;
        if (rm == 4) {
            uint8_t sib;
            unsigned base, index;

            if (!get_byte(d, &sib)) {
                return false;
            }
            base = sib & 7;
            index = (sib >> 3) & 7;
            m->scale = sib >> 6;
            m->index = index == R_ESP ? -1 : (int8_t)index;
            if (base == R_EBP && mod == 0) {
                m->base = -1;
                if (!get_val(d, 4, &disp)) {
                    return false;
                }
            } else {
                m->base = base;
            }
        } else if (rm == 5 && mod == 0) {
            m->base = -1;
            if (!get_val(d, 4, &disp)) {
                return false;
            }
        } else {
            m->base = rm;
        }
        ss = m->base == R_ESP || m->base == R_EBP;
        if (mod == 1) {
            if (!get_val(d, 1, &disp)) {
                return false;
            }
            disp = sext(disp, 1);
        } else if (mod == 2) {
            if (!get_val(d, 4, &disp)) {
                return false;
            }
        }
    }
    m->disp = disp;
    m->seg = insn->seg_override >= 0 ? (uint8_t)insn->seg_override
                                     : (ss ? R_SS : R_DS);
    return true;
}

/* Fill a string operand's address (DS:eSI or ES:eDI) into insn->mem. */
static void set_string_mem(X86Insn *insn, int reg, int seg)
{
    insn->mem.base = reg;
    insn->mem.index = -1;
    insn->mem.scale = 0;
    insn->mem.disp = 0;
    insn->mem.seg = seg;
    insn->mem.addr16 = insn->adsize == 2;
}

/* Decode one instruction at eip in 16- or 32-bit code (code32). */
DecodeStatus x86_decode(X86Insn *insn, uint32_t eip, bool code32,
                        X86FetchFn *fetch, void *opaque)
{
    DecodeState d = { insn, fetch, opaque, DECODE_OK };
    const X86InsnForm *form;
    const X86InsnDef *def;
    unsigned map = 0, row, i, opsize, adsize;
    uint8_t b, modrm = 0, mod = 0;
    bool have_mem = false, x_mem = false;
    int rel_op = -1;

    if (unlikely(!dis_ready)) {
        decode_init();
    }
    insn->def = NULL;
    insn->eip = eip;
    insn->len = 0;
    insn->prefixes = 0;
    insn->seg_override = -1;
    insn->opmap = 0;
    insn->cc = 0;
    insn->has_modrm = false;
    insn->modrm = 0;
    insn->nops = 0;

    /* Legacy prefixes, any order, repeated. */
    for (;;) {
        if (!get_byte(&d, &b)) {
            return d.status;
        }
        switch (b) {
        case 0x26: insn->seg_override = R_ES; insn->prefixes |= PFX_SEG; continue;
        case 0x2e: insn->seg_override = R_CS; insn->prefixes |= PFX_SEG; continue;
        case 0x36: insn->seg_override = R_SS; insn->prefixes |= PFX_SEG; continue;
        case 0x3e: insn->seg_override = R_DS; insn->prefixes |= PFX_SEG; continue;
        case 0x64: insn->seg_override = R_FS; insn->prefixes |= PFX_SEG; continue;
        case 0x65: insn->seg_override = R_GS; insn->prefixes |= PFX_SEG; continue;
        case 0x66: insn->prefixes |= PFX_OPSIZE; continue;
        case 0x67: insn->prefixes |= PFX_ADSIZE; continue;
        case 0xf0: insn->prefixes |= PFX_LOCK; continue;
        case 0xf2:
            insn->prefixes = (insn->prefixes & ~PFX_REP) | PFX_REPNE;
            continue;
        case 0xf3:
            insn->prefixes = (insn->prefixes & ~PFX_REPNE) | PFX_REP;
            continue;
        default:
            break;
        }
        break;
    }
    opsize = ((insn->prefixes & PFX_OPSIZE) != 0) != code32 ? 4 : 2;
    adsize = ((insn->prefixes & PFX_ADSIZE) != 0) != code32 ? 4 : 2;
    insn->opsize = opsize;
    insn->adsize = adsize;

    if (b == 0x0f) {
        map = 1;
        if (!get_byte(&d, &b)) {
            return d.status;
        }
    }
    insn->opmap = map;
    insn->opcode = b;

    /* Row selection. */
    row = 0;
    if ((insn->prefixes & PFX_REP) && dis_f3[map][b]) {
        row = dis_f3[map][b];
    } else if (!(insn->prefixes & PFX_OPSIZE) && dis_no66[map][b]) {
        row = dis_no66[map][b];
    }
    if (row == 0 && dis_modrm[map][b]) {
        if (!get_byte(&d, &modrm)) {
            return d.status;
        }
        insn->has_modrm = true;
        insn->modrm = modrm;
        mod = modrm >> 6;
        row = dis_main[map][b][(modrm >> 3) & 7];
        if (map == 0 && (b & 0xf8) == 0xd8 && mod == 3) {
            row = dis_x87[b & 7][modrm & 63];
        }
    } else if (row == 0) {
        row = dis_main[map][b][0];
    }
    if (row == 0) {
        return DECODE_UD;       /* no row: undefined on a Pentium Pro */
    }
    /* 0F 18 /0../3 register forms: reserved hint NOPs like 0F 19..1F. */
    if (map == 1 && b == 0x18 && mod == 3 && insn->has_modrm) {
        row = dis_main[1][0x19][0];
    }
    def = &x86_insn_defs[row - 1];
    form = &x86_insn_forms[row - 1];
    insn->def = def;
    if (form->mr == MR_CN || form->mr == MR_CR) {
        insn->cc = b & 15;
    }

    /* ModRM memory form: displacement bytes come before any immediate.
     * MOV CR/DR treat every mod as a register form. */
    if (insn->has_modrm && mod != 3 &&
        form->ops[0] != OT_Rd && form->ops[1] != OT_Rd) {
        if (!decode_modrm_mem(&d, modrm)) {
            return d.status;
        }
        have_mem = true;
    }

    /* Operands. */
    for (i = 0; i < 3 && form->ops[i] != OT___; i++) {
        X86Operand *op = &insn->op[i];
        unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
        uint32_t v;

        op->kind = OPK_NONE;
        op->size = 0;
        op->reg = 0;
        op->pad = 0;
        op->imm = 0;
        op->sel = 0;
        switch (form->ops[i]) {
        case OT_Eb: case OT_Ew: case OT_Ed: case OT_Ev: case OT_Evw:
            op->size = form->ops[i] == OT_Eb ? 1 : form->ops[i] == OT_Ew ? 2 :
                       form->ops[i] == OT_Ed ? 4 : opsize;
            if (mod == 3) {
                op->kind = OPK_REG;
                op->reg = rm;
            } else {
                op->kind = OPK_MEM;
                if (form->ops[i] == OT_Evw) {
                    op->size = 2;
                }
            }
            break;
        case OT_Gb: case OT_Gw: case OT_Gd: case OT_Gv:
            op->kind = OPK_REG;
            op->reg = reg;
            op->size = form->ops[i] == OT_Gb ? 1 : form->ops[i] == OT_Gw ? 2 :
                       form->ops[i] == OT_Gd ? 4 : opsize;
            break;
        case OT_Rd:
            op->kind = OPK_REG;
            op->reg = rm;
            op->size = 4;
            break;
        case OT_Cd:
            /* Pentium Pro: CR0, CR2, CR3, CR4. */
            if (reg == 1 || reg > 4) {
                return DECODE_UD;
            }
            op->kind = OPK_CR;
            op->reg = reg;
            op->size = 4;
            break;
        case OT_Dd:
            op->kind = OPK_DR;
            op->reg = reg;
            op->size = 4;
            break;
        case OT_Sw:
            if (reg > R_GS || (i == 0 && reg == R_CS)) {
                return DECODE_UD;
            }
            op->kind = OPK_SEG;
            op->reg = reg;
            op->size = 2;
            break;
        case OT_M: case OT_Mb: case OT_Mp: case OT_Ms: case OT_Mq: case OT_Ma:
            if (mod == 3) {
                return DECODE_UD;
            }
            op->kind = OPK_MEM;
            switch (form->ops[i]) {
            case OT_Mb: op->size = 1; break;
            case OT_Mp: op->size = opsize + 2; break;
            case OT_Ms: op->size = 6; break;
            case OT_Mq: op->size = 8; break;
            case OT_Ma: op->size = opsize * 2; break;
            default:    op->size = 0; break;
            }
            break;
        case OT_ST0: case OT_STi:
            op->kind = OPK_ST;
            op->reg = form->ops[i] == OT_STi ? rm : 0;
            op->size = 10;
            break;
        case OT_AX:
            op->kind = OPK_REG;
            op->reg = R_EAX;
            op->size = 2;
            break;
        case OT_Mf4: case OT_Mf8: case OT_Mf10: case OT_Mi2: case OT_Mi4:
        case OT_Mi8: case OT_Mbcd: case OT_Mw: case OT_Menv: case OT_Mfs:
        case OT_Mfx:
            if (mod == 3) {
                return DECODE_UD;
            }
            op->kind = OPK_MEM;
            switch (form->ops[i]) {
            case OT_Mf4: case OT_Mi4: op->size = 4; break;
            case OT_Mf8: case OT_Mi8: op->size = 8; break;
            case OT_Mf10: case OT_Mbcd: op->size = 10; break;
            case OT_Mi2: case OT_Mw: op->size = 2; break;
            case OT_Menv: op->size = opsize == 2 ? 14 : 28; break;
            case OT_Mfs: op->size = opsize == 2 ? 94 : 108; break;
            default: op->size = 0; break;        /* Mfx: 512 bytes */
            }
            break;
        case OT_Pq:
            op->kind = OPK_MMX;
            op->reg = reg;
            op->size = 8;
            break;
        case OT_Nq: case OT_Qq: case OT_Qd:
            if (mod == 3) {
                op->kind = OPK_MMX;
                op->reg = rm;
                op->size = 8;
            } else if (form->ops[i] == OT_Nq) {
                return DECODE_UD;
            } else {
                op->kind = OPK_MEM;
                op->size = form->ops[i] == OT_Qd ? 4 : 8;
            }
            break;
        case OT_Ib:
            if (!get_val(&d, 1, &v)) {
                return d.status;
            }
            op->kind = OPK_IMM;
            op->size = 1;
            op->imm = v;
            break;
        case OT_Iw:
            if (!get_val(&d, 2, &v)) {
                return d.status;
            }
            op->kind = OPK_IMM;
            op->size = 2;
            op->imm = v;
            break;
        case OT_Iz:
            if (!get_val(&d, opsize, &v)) {
                return d.status;
            }
            op->kind = OPK_IMM;
            op->size = opsize;
            op->imm = v;
            break;
        case OT_Ibs:
            if (!get_val(&d, 1, &v)) {
                return d.status;
            }
            op->kind = OPK_IMM;
            op->size = opsize;
            op->imm = trunc_to(sext(v, 1), opsize);
            break;
        case OT_I1:
            op->kind = OPK_IMM;
            op->size = 1;
            op->imm = 1;
            break;
        case OT_Jb: case OT_Jz:
            if (!get_val(&d, form->ops[i] == OT_Jb ? 1 : opsize, &v)) {
                return d.status;
            }
            op->kind = OPK_REL;
            op->size = opsize;
            op->imm = sext(v, form->ops[i] == OT_Jb ? 1 : opsize);
            rel_op = i;
            break;
        case OT_Ap:
            if (!get_val(&d, opsize, &v)) {
                return d.status;
            }
            op->kind = OPK_FAR;
            op->size = opsize + 2;
            op->imm = v;
            if (!get_val(&d, 2, &v)) {
                return d.status;
            }
            op->sel = v;
            break;
        case OT_Ob: case OT_Ov:
            if (!get_val(&d, adsize, &v)) {
                return d.status;
            }
            op->kind = OPK_MEM;
            op->size = form->ops[i] == OT_Ob ? 1 : opsize;
            insn->mem.base = -1;
            insn->mem.index = -1;
            insn->mem.scale = 0;
            insn->mem.disp = v;
            insn->mem.seg = insn->seg_override >= 0 ? insn->seg_override : R_DS;
            insn->mem.addr16 = adsize == 2;
            have_mem = true;
            break;
        case OT_Xb: case OT_Xv:
            op->kind = OPK_MEM;
            op->size = form->ops[i] == OT_Xb ? 1 : opsize;
            op->reg = R_ESI;
            set_string_mem(insn, R_ESI, insn->seg_override >= 0 ?
                           insn->seg_override : R_DS);
            x_mem = true;
            break;
        case OT_Yb: case OT_Yv:
            op->kind = OPK_MEM;
            op->size = form->ops[i] == OT_Yb ? 1 : opsize;
            op->reg = R_EDI;
            break;
        case OT_Zb: case OT_Zv: case OT_Zd:
            op->kind = OPK_REG;
            op->reg = b & 7;
            op->size = form->ops[i] == OT_Zb ? 1 :
                       form->ops[i] == OT_Zd ? 4 : opsize;
            break;
        case OT_AL: case OT_CL:
            op->kind = OPK_REG;
            op->reg = form->ops[i] == OT_AL ? R_EAX : R_ECX;
            op->size = 1;
            break;
        case OT_DX:
            op->kind = OPK_REG;
            op->reg = R_EDX;
            op->size = 2;
            break;
        case OT_eAX:
            op->kind = OPK_REG;
            op->reg = R_EAX;
            op->size = opsize;
            break;
        case OT_ES: case OT_CS: case OT_SS: case OT_DS: case OT_FS: case OT_GS:
            op->kind = OPK_SEG;
            op->reg = form->ops[i] - OT_ES;
            op->size = 2;
            break;
        default:
            return DECODE_UD;
        }
    }
    insn->nops = i;

    /* String ops with only an ES:eDI operand use it as the memory ref. */
    if (!x_mem && (def->attrs & XA_STRING)) {
        set_string_mem(insn, R_EDI, R_ES);
    }
    (void)have_mem;

    /* Relative targets: next EIP + rel, truncated to the operand size. */
    if (rel_op >= 0) {
        uint32_t t = insn->eip + insn->len + insn->op[rel_op].imm;

        insn->op[rel_op].imm = opsize == 2 ? t & 0xffff : t;
    }

    /* LOCK: only lockable rows, and only with a memory destination. */
    if (insn->prefixes & PFX_LOCK) {
        if (!(def->attrs & XA_LOCKABLE) || insn->nops == 0 ||
            insn->op[0].kind != OPK_MEM) {
            return DECODE_UD;
        }
    }
    return DECODE_OK;
}
