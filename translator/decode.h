/*
 * hamt86 - the decoded form of one x86 instruction.
 *
 * Produced by the table-driven decoder (translator/decode.c) from the rows
 * of translator/x86-insn.def; consumed by the translator's gen_* functions,
 * the -d in_asm disassembler and the tests.
 */
#ifndef HAMT86_DECODE_H
#define HAMT86_DECODE_H

#include "core/base.h"

struct DisasContext;
struct X86Insn;
typedef void X86GenFn(struct DisasContext *s, const struct X86Insn *insn);

/* Operand kinds. */
enum {
    OPK_NONE,
    OPK_REG,    /* general register; size 1 uses AL,CL,DL,BL,AH,CH,DH,BH */
    OPK_MEM,    /* memory: address in X86Insn.mem */
    OPK_IMM,    /* immediate, already extended as the SDM says (imm field) */
    OPK_REL,    /* relative branch: imm holds the absolute target EIP,
                   already truncated to the operand size */
    OPK_SEG,    /* segment register: reg = R_ES..R_GS */
    OPK_CR,     /* control register: reg */
    OPK_DR,     /* debug register: reg */
    OPK_FAR,    /* ptr16:16/32: imm = offset, sel = selector */
    OPK_ST,     /* x87 stack register ST(reg) */
    OPK_MMX,    /* MMX register MM(reg) */
};

typedef struct X86Operand {
    uint8_t kind;   /* OPK_* */
    uint8_t size;   /* bytes: 1, 2, 4, 6 (m16:32 / pseudo-descriptor), 8,
                       10 (m80, ST), 14/28 (FPU env), 94/108 (FSAVE),
                       0 (LEA, FXSAVE's 512) */
    uint8_t reg;
    uint8_t pad;
    uint32_t imm;
    uint16_t sel;
} X86Operand;

/* Effective address of the (single) memory operand. */
typedef struct X86MemRef {
    int8_t base;     /* register number or -1 */
    int8_t index;    /* register number or -1 (ESP never an index) */
    uint8_t scale;   /* log2: 0..3 */
    uint8_t seg;     /* effective segment: override, else DS or SS by base */
    uint32_t disp;   /* sign-extended displacement (or moffs) */
    bool addr16;     /* 16-bit addressing: result wraps at 64 KiB */
} X86MemRef;

/* Prefix bits. */
#define PFX_REP     0x01   /* F3 */
#define PFX_REPNE   0x02   /* F2 */
#define PFX_LOCK    0x04   /* F0 */
#define PFX_OPSIZE  0x08   /* 66 */
#define PFX_ADSIZE  0x10   /* 67 */
#define PFX_SEG     0x20   /* a segment override was present */

/* Attribute bits of a table row (X86InsnDef.attrs). */
#define XA_LOCKABLE  0x0001  /* LOCK allowed (with a memory destination) */
#define XA_PRIV      0x0002  /* CPL 0 only */
#define XA_IO        0x0004  /* port I/O (IOPL-checked) */
#define XA_JUMP      0x0008  /* changes EIP: ends the TB */
#define XA_EOB       0x0010  /* changes translation state: ends the TB */
#define XA_STRING    0x0020  /* string instruction: REP prefixes meaningful */
#define XA_NO16      0x0040  /* (reserved) */
/* x87 stack effect of a row that raises nothing (translator/fpu.c) */
#define XA_FDEC      0x0080  /* TOP - 1 (FLD, FILD, constants, FPTAN...) */
#define XA_FINC      0x0100  /* TOP + 1 (FSTP, FCOMP, the P forms...) */
#define XA_FINC2     0x0200  /* TOP + 2 (FCOMPP, FUCOMPP) */
#define XA_FTOP0     0x0400  /* TOP = 0 (FNINIT, FNSAVE) */
/* operand 0 is read-modify-write without LOCK (shifts, SHLD/SHRD, ARPL);
 * XA_LOCKABLE rows are read-modify-write too */
#define XA_RMW       0x0800

typedef struct X86InsnDef {
    const char *mnemonic;     /* lower-case Intel mnemonic as printed */
    uint16_t flags_read;      /* EFLAGS bits read (CC_* / DF_MASK ...) */
    uint16_t flags_written;   /* EFLAGS bits written */
    uint16_t flags_undef;     /* written bits whose value is undefined */
    uint16_t attrs;           /* XA_* */
    uint32_t id;              /* row index in x86-insn.def (and in the
                               * translator's x86_gen_table) */
} X86InsnDef;

typedef struct X86Insn {
    const X86InsnDef *def;
    uint32_t eip;        /* EIP of the first byte (prefixes included) */
    uint8_t len;         /* total length in bytes (<= 15) */
    uint8_t bytes[15];
    uint8_t opsize;      /* 2 or 4: effective operand size */
    uint8_t adsize;      /* 2 or 4: effective address size */
    uint8_t prefixes;    /* PFX_* */
    int8_t seg_override; /* R_ES..R_GS or -1 */
    uint8_t opcode;      /* last opcode byte */
    uint8_t opmap;       /* 0 = one-byte map, 1 = 0F map */
    uint8_t cc;          /* condition code (low nibble) for Jcc/SETcc/CMOVcc */
    bool has_modrm;
    uint8_t modrm;
    uint8_t nops;        /* operands in op[] */
    X86Operand op[3];    /* in Intel order: destination first */
    X86MemRef mem;       /* valid when some op[].kind == OPK_MEM */
} X86Insn;

/* Decode status. */
typedef enum {
    DECODE_OK,
    DECODE_UD,        /* undefined / unsupported encoding: raise #UD */
    DECODE_TOO_LONG,  /* > 15 bytes: #GP(0) */
    DECODE_FETCH,     /* the fetch callback failed (page boundary / fault) */
} DecodeStatus;

/* Byte fetch callback: returns false if byte at eip cannot be read. */
typedef bool X86FetchFn(void *opaque, uint32_t eip, uint8_t *byte);

/* Decode one instruction at eip in 16- or 32-bit code (code32). */
DecodeStatus x86_decode(X86Insn *insn, uint32_t eip, bool code32,
                        X86FetchFn *fetch, void *opaque);
/* Format insn in Intel syntax into buf; returns length. */
int x86_disas(const X86Insn *insn, char *buf, size_t size);

/* The table, generated from x86-insn.def (row order). */
extern const X86InsnDef x86_insn_defs[];
extern const unsigned x86_nb_insn_defs;

#endif
