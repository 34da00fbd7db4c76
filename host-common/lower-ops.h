/*
 * hamt86 - the shared instruction selector of the JIT hosts
 * (host-common/lower-ops.c): one dispatch over the IR ops for MIPS64 and
 * LoongArch64, like QEMU's tcg_gen_code over the outop_* tables or
 * LuaJIT's single asm_ir switch.
 *
 * lower-ops.c owns everything that is the same on every host:
 *   - the op dispatch and the IR -> register protocol (use_reg,
 *     release_inputs, def_reg in the order the allocator expects);
 *   - constant commuting (a constant first operand of add/and/or/xor/mul
 *     moves second) and immediate choice (LowerHost.imm_* ranges);
 *   - conditions (setcond, movcond, brcond through slt/sltu/xor/and);
 *   - helper calls and lookup_and_goto_ptr;
 *   - guest memory: operands, the memory path's choice (HAMT site or
 *     softmmu TLB lookup) and the whole out-of-line slow path (save,
 *     marshal the arguments, call, extend the result, restore: QEMU's
 *     tcg_out_ld_helper_args / tcg_out_ld_helper_ret).
 *
 * A host supplies one LowerHost: data (immediate ranges, opcode pairs per
 * IR op from the generated <P>_OPC_* constants, sized load/store opcodes,
 * branch forms per condition) and the hooks for what differs in shape:
 * the format emitters, branches and their delay slots, calls, the memory
 * sequences of the fast paths and a few multi-instruction ops.
 *
 *   IR op ──> lower_op (shared) ──> LowerHost table lookup ──> H->rrr/rri/rr
 *                 │                                            (generated
 *                 └──> H->hook for the host-shaped rest         <p>_emit_*)
 */
#ifndef HAMT86_LOWER_OPS_H
#define HAMT86_LOWER_OPS_H

#include "host-common/lower-common.h"

/* Label and slow-path branch forms (Reloc.kind): b, beq/bne/blt/bge/bltu/
 * bgeu rs, rt, beqz/bnez rs.  A host without a form emits an equivalent
 * (MIPS: beq zero, zero; beq/bne rs, zero). */
enum {
    BR_ALWAYS, BR_EQ, BR_NE, BR_LT, BR_GE, BR_LTU, BR_GEU, BR_EQZ, BR_NEZ,
};
/* LowerHost.brcond[]: compare the operands swapped (a > b as b < a). */
#define BR_SWAP 0x80

/* How a constant second operand becomes an immediate (HostOpPair.imm). */
enum {
    IMM_NONE,     /* register form only */
    IMM_ARITH,    /* signed, LowerHost.imm_arith_min..max: v */
    IMM_NEG,      /* rri of the negated value (sub as addi -v) */
    IMM_LOGIC,    /* unsigned, 0..LowerHost.imm_logic_max: v */
    IMM_SHIFT,    /* any constant: v & 31 */
};

/* An opcode pair (register and immediate form) of one IR op, as
 * LuaJIT's asm_bitop(as, ir, MIPSI_AND, MIPSI_ANDI).  Opcodes are the
 * generated <P>_OPC_* constants (0: none). */
typedef struct HostOpPair {
    uint16_t rrr;   /* d = a op b (shape rrr); 0: LowerHost.binop_special */
    uint16_t rri;   /* d = a op imm (shape rri) */
    uint8_t imm;    /* IMM_*: when the immediate form applies */
} HostOpPair;

/* One-input op forms (HostUnop.kind). */
enum {
    UN_SPECIAL,   /* LowerHost.unop_special */
    UN_RR,        /* opc d, a */
    UN_RRI,       /* opc d, a, imm */
    UN_ZR,        /* opc d, zero, a (neg as 0 - a) */
    UN_RZ,        /* opc d, a, zero (not as nor a, 0) */
};

typedef struct HostUnop {
    uint8_t kind;   /* UN_* */
    uint16_t opc;
    uint16_t imm;
} HostUnop;

/* Operands of one qemu_ld/qemu_st after register assignment. */
typedef struct LdSt {
    bool store;
    unsigned memop, mmu_idx, size;
    unsigned addr, val;     /* val: the stored value or the load result */
} LdSt;

/* What a JIT host supplies to the shared selector. */
typedef struct LowerHost {
    /* --- data ------------------------------------------------------------ */
    int32_t imm_arith_min, imm_arith_max;  /* addi/slti/sltiu immediates */
    uint32_t imm_logic_max;                /* andi/ori/xori immediates */
    HostOpPair binop[IR_NB_OPS];           /* two-input ALU ops */
    HostOpPair slt, sltu;                  /* d = a < b, signed/unsigned */
    HostUnop unop[IR_NB_OPS];              /* one-input ALU ops */
    uint16_t sext32;       /* rri d, a, 0 that sign-extends the low word */
    uint16_t move;         /* rr: d = a (64 bits) */
    uint8_t brcond[IR_NB_CONDS];  /* BR_* (| BR_SWAP) or 0: via a compare */
    uint16_t ld[(MO_SIZE | MO_SIGN) + 1];  /* sized loads by memop */
    uint16_t st[(MO_SIZE | MO_SIGN) + 1];  /* sized stores by memop */
    uint16_t ld64, st64;                  /* 64-bit load/store */
    uint16_t add64;                       /* rrr: d = a + b (64 bits) */
    bool rambase_caller_saved;            /* calls kill L->win_idx */

    /* --- format emitters (generated <p>_emit_<shape>) --------------------- */
    void (*rr)(HostAsm *s, unsigned opc, unsigned d, unsigned a);
    void (*rrr)(HostAsm *s, unsigned opc, unsigned d, unsigned a, unsigned b);
    void (*rri)(HostAsm *s, unsigned opc, unsigned d, unsigned a, int32_t i);
    /* Sized access opc of r at base + off (off in the load's range). */
    void (*mem)(HostAsm *s, unsigned opc, unsigned r, unsigned base,
                int32_t off);

    /* --- ops the tables cannot describe ---------------------------------- */
    void (*binop_special)(HostAsm *s, IROpcode opc, unsigned d, unsigned a,
                          unsigned b);
    void (*unop_special)(HostAsm *s, const IROp *op, unsigned d, unsigned a);
    /* d = d with bits [pos, pos + len) from b (d != b). */
    void (*deposit)(HostAsm *s, unsigned d, unsigned b, unsigned pos,
                    unsigned len);
    /* d = (TMP0 != 0) == nz ? c : e. */
    void (*movcond)(HostAsm *s, bool nz, unsigned d, unsigned c, unsigned e);

    /* --- control flow ------------------------------------------------------ */
    /* Before each op (MIPS: place a held-back env store); may be NULL. */
    void (*op_begin)(Lower *L, const IROp *op);
    /* Branch of form k to host offset to (-1: not yet known, patched). */
    void (*branch)(Lower *L, int k, unsigned rs, unsigned rt, int32_t to);
    void (*exit_tb)(Lower *L, uint32_t val);
    void (*goto_tb)(Lower *L, unsigned n);
    /* Jump to the host code whose address is in reg_ret unless it is 0. */
    void (*goto_ptr)(Lower *L);
    /* Jump to the host code whose address is in r (the jump-cache hit). */
    void (*jump_reg)(Lower *L, unsigned r);
    /* Call fn (a0 already set) / fn(env, ...) (a0 = env). */
    void (*call)(HostAsm *s, const void *fn);
    void (*call_env)(HostAsm *s, const void *fn);
    void (*store_globals)(HostAsm *s);
    void (*load_globals)(HostAsm *s);

    /* --- guest memory ------------------------------------------------------ */
    void (*ld_st_env)(Lower *L, const IROp *op);
    void (*ldst_softmmu)(Lower *L, const LdSt *m);
    /* The window access (MemPath.window_ensure set, docs/HAMT.md). */
    void (*ldst_window)(Lower *L, const LdSt *m);
    /* Optional: a 1-, 2- or 4-byte store beside code (MemPath.cd_store_at,
     * docs/HAMT.md): code bytes zero ? store through the alias : stub. */
    void (*st_window_cd)(Lower *L, const LdSt *m);
    /* Point sp's fast-path branch (if any) at here. */
    void (*slow_branch)(Lower *L, SlowPath *sp, uint32_t here);
    /* reg = the slow path's retaddr (the inline access). */
    void (*slow_retaddr)(Lower *L, const SlowPath *sp, unsigned reg);
    /* Unconditional jump back to host offset to. */
    void (*jump)(HostAsm *s, uint32_t to);
    /*
     * The code-map probe of an inline softmmu store's slow path (core/
     * tb-smc.h), entered from the fast path's branch with the TLB scratch
     * registers as it left them: when the entry's only flag is
     * TLB_NOTDIRTY and no stored word has a code-map bit, store and jump
     * back to sp->back_off; else branch to host offset full (the call of
     * mem_st_slow).  NULL: every store miss calls mem_st_slow.
     */
    void (*store_notdirty)(Lower *L, const SlowPath *sp, uint32_t full);
} LowerHost;

/* Lower the body of f with H (after lower_begin and the host's TB entry):
 * every op, the slow paths, the HAMT site table. */
bool lower_ops_run(Lower *L, const LowerHost *H);
/* Emit the sized guest/env access (LowerHost.ld/st) of r at base + off. */
void lower_access(Lower *L, bool store, unsigned memop, unsigned r,
                  unsigned base, int32_t off);
#endif
