/*
 * hamt86 - the host-neutral part of IR lowering (host-common/lower-common.c).
 *
 * Allocation model, the same on every host (register roles in *-target.h):
 *   - globals (guest EAX..EDI) are pinned in HOST_REG_GUEST0 + i;
 *   - constants are used as immediates by the target's instruction
 *     selection when an immediate form exists, otherwise materialised into a
 *     pool register for one op (HOST_REG_ZERO for 0);
 *   - ordinary temps get a pool register on definition or first use and
 *     have a 4-byte home slot in the frame (sp + HOST_SPILL_OFF + 4 * t).
 *     A pre-pass computes the last read of every temp (extended over
 *     backward branches); at basic-block ends and around helper calls every
 *     dirty temp that is still live is stored to its slot and the register
 *     state is forgotten.
 *
 * Per op, the target's lower function calls use_reg() for the inputs,
 * release_inputs(), then def_reg() for the output; lower_run() ends the op
 * (end_op()).  The target supplies the few emitters the allocator needs
 * (host_* below); the instruction selector over them is shared
 * (host-common/lower-ops.h), with the target's tables and hooks.
 */
#ifndef HAMT86_LOWER_COMMON_H
#define HAMT86_LOWER_COMMON_H

#include "core/base.h"
#include "core/exec.h"
#include "core/hostasm.h"
#include "core/log.h"
#include "ir/ir.h"
#include "host-common/host-common.h"
#include "host-common/host-target.h"


#define MAX_RELOCS  1024
#define MAX_SLOW    512
#define REG_FREE    (-1)
#define REG_SCRATCH (-2)
#define SLOW_NO_BRANCH UINT32_MAX
/* MMU indices with a window base in env->hamt_window[]. */
#define LOWER_NB_WINDOWS ARRAY_SIZE(((CPUX86State *)0)->hamt_window)   /* SlowPath.branch_off: none (HAMT site) */

/* A forward branch to a label, patched when the label is placed. */
typedef struct Reloc {
    uint32_t off;        /* offset of the branch instruction */
    uint16_t label;
    uint8_t kind;        /* target-defined branch form */
} Reloc;

/* One out-of-line guest memory slow path. */
typedef struct SlowPath {
    uint32_t branch_off;  /* the branch leaving the fast path, or
                             SLOW_NO_BRANCH (only the fault handler enters) */
    uint32_t access_off;  /* the inline host access (retaddr) */
    uint32_t back_off;    /* where to resume */
    uint32_t save_mask;   /* pool registers to preserve over the call */
    uint8_t is_store, memop, mmu_idx;
    uint8_t addr_reg, val_reg, dst_reg;
    uint8_t branch_kind;  /* target-defined form of the branch */
    int8_t win_idx;      /* HAMT: window to reload after the call when
                             RAMBASE is caller-saved, -1 */
    bool window_site;       /* HAMT site: in the site table, entered by the
                             fault handler */
    bool cd_site;         /* a store beside code: its code-bytes load at
                             cd_off is in the site table too */
    uint32_t cd_off;
    uint32_t branch2_off; /* a second branch to the stub (store beside
                             code: the code bytes are not zero), or
                             SLOW_NO_BRANCH; an offs21 bnez on LoongArch */
    uint32_t stub_off;    /* where the stub went (HAMT site table) */
} SlowPath;

/* Lowering state of one TB. */
typedef struct Lower {
    HostAsm *s;
    const IRFunc *f;
    const TranslationBlock *tb;
    HostTbInfo *info;
    unsigned cur;                      /* index of the op being lowered */
    uint32_t lock;                     /* registers in use by this op */
    uint32_t pinned;                   /* registers alloc_reg must not take */
    int8_t temp_reg[IR_MAX_TEMPS];     /* host reg or -1 */
    bool temp_dirty[IR_MAX_TEMPS];     /* reg newer than the frame slot */
    int32_t last_use[IR_MAX_TEMPS];    /* last op index reading the temp */
    int16_t reg_temp[32];              /* temp, REG_FREE or REG_SCRATCH */
    int32_t label_pos[IR_MAX_LABELS];  /* op index of set_label (-1: none) */
    int32_t label_off[IR_MAX_LABELS];  /* host offset (-1: not yet) */
    Reloc relocs[MAX_RELOCS];
    unsigned nrelocs;
    SlowPath slow[MAX_SLOW];
    unsigned nslow;
    int win_idx;                      /* HAMT: mmu_idx whose window base is
                                          in the RAMBASE register, -1 */
    uint32_t cur_eip;                  /* EIP of the last insn_start */
    const struct LowerHost *host;      /* the host's selector (lower-ops.h) */
    bool failed;
#ifdef HOST_LOWER_FIELDS
    HOST_LOWER_FIELDS
#endif
} Lower;

/* --- emitters every target provides (its *-lower.c) ----------------------- */

/* Store the low 32 bits of r to the frame at sp + off. */
void host_st_slot(HostAsm *s, unsigned r, int32_t off);
/* Load the 32-bit frame word at sp + off into r, sign-extended. */
void host_ld_slot(HostAsm *s, unsigned r, int32_t off);
/* r = (int64_t)(int32_t)v. */
void host_li32(HostAsm *s, unsigned r, uint32_t v);
/* rd = rs (nothing if equal). */
void host_mov(HostAsm *s, unsigned rd, unsigned rs);
/* Point the label branch of form kind at insn (offset off) to offset to. */
void host_patch_label(uint32_t *insn, int kind, uint32_t off, uint32_t to);

/* --- register allocator --------------------------------------------------- */

/* Frame slot offset of temp t. */
static inline int32_t temp_slot(IRTemp t)
{
    return HOST_SPILL_OFF + 4 * (int32_t)t;
}

/* True (and *v set) if t is a constant. */
static inline bool temp_const(const Lower *L, IRTemp t, uint32_t *v)
{
    if (L->f->temps[t].kind == IR_TEMP_CONST) {
        *v = L->f->temps[t].val;
        return true;
    }
    return false;
}

void spill_temp(Lower *L, IRTemp t);
void free_reg(Lower *L, unsigned r);
unsigned alloc_reg(Lower *L);
unsigned use_reg(Lower *L, IRTemp t);
void release_inputs(Lower *L);
unsigned def_reg(Lower *L, IRTemp t);
void end_op(Lower *L);
void sync_all(Lower *L);
uint32_t busy_mask(const Lower *L);

/* --- calls ---------------------------------------------------------------- */

/* One helper call being lowered (lower_call_begin .. lower_call_args). */
typedef struct LowerCall {
    const IRHelperInfo *h;
    const IRTemp *in;                  /* the n inputs */
    unsigned n;
    IRTemp out;                        /* result temp or IR_NO_TEMP */
    int src[IR_MAX_CALL_ARGS];         /* register holding in[k], -1: none */
} LowerCall;

/*
 * Before the helper call op: fill c (which register holds each input; -1:
 * slot, constant or global), then store every live temp and forget all
 * registers (sync_all).
 */
void lower_call_begin(Lower *L, const IROp *op, LowerCall *c);
/* Move the inputs into HOST_REG_ARG(1..n): a parallel move, then slots,
 * constants and globals. */
void lower_call_args(Lower *L, LowerCall *c);
/* After the call: temp out (not a global) now lives, dirty, in reg. */
void lower_bind_result(Lower *L, IRTemp out, unsigned reg);

/* --- labels, slow paths, TB records --------------------------------------- */

/* Host offset of label l if placed, else -1 with the branch of form kind
 * about to be emitted at the current offset queued for place_label. */
int32_t label_ref(Lower *L, unsigned l, int kind);
/* Place label l at the current offset and patch the branches queued to it. */
void place_label(Lower *L, unsigned l);
/* Queue a slow path for the access about to be emitted (NULL: table full,
 * L->failed set).  reg: the value stored or the load's destination.  The
 * caller sets branch_off (else SLOW_NO_BRANCH), window_site and win_idx. */
SlowPath *slow_path_new(Lower *L, bool store, unsigned memop,
                        unsigned mmu_idx, unsigned addr, unsigned reg);
/* The slow path of window access m (m->store, or a store when store is
 * true), its window ensured, window_site set: NULL (L->failed set) when
 * m's MMU index has no window or the table is full. */
struct LdSt;
SlowPath *window_slow_path_new(Lower *L, const struct LdSt *m, bool store);
/* Record an insn_start at the current offset (and L->cur_eip). */
void lower_insn_start(Lower *L, uint32_t eip);
/* Record goto_tb slot n: the patchable jump is at the current offset, its
 * reset target reset_delta bytes further. */
void lower_jmp_slot(Lower *L, unsigned n, uint32_t reset_delta);

/* --- driver --------------------------------------------------------------- */

/* Reset L to lower f for tb into s, and run the liveness pre-pass. */
void lower_begin(Lower *L, HostAsm *s, const TranslationBlock *tb,
                 const IRFunc *f, HostTbInfo *info);
/*
 * Lower every op with lower_op (then end_op), then every queued slow path
 * with emit_slow at the end of the TB, then the window site table when the
 * memory path has windows (MemPath.window_ensure).  False on overflow or a backend limit.
 */
bool lower_run(Lower *L, void (*lower_op)(Lower *L, const IROp *op),
               void (*emit_slow)(Lower *L, SlowPath *sp));

#endif
