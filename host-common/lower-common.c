/*
 * hamt86 - the host-neutral part of IR lowering: liveness, the local
 * temp -> register/slot allocator, label relocations, the slow-path queue
 * and HAMT site table, insn_start and goto_tb records.  The model is
 * described in host-common/lower-common.h; host registers come from the
 * register-class block of the build's *-target.h (HOST_*).
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/mem.h"
#include "host-common/lower-common.h"
#include "host-common/lower-ops.h"

/* The pool must fit the reg_temp[] / lock bookkeeping. */
BUILD_ASSERT(HOST_POOL_LAST < 32 && HOST_POOL_FIRST <= HOST_POOL_LAST);
BUILD_ASSERT((HOST_POOL_MASK >> HOST_POOL_FIRST) & 1);

/* ---------------------------------------------------------------------- */
/* liveness pre-pass                                                      */

/* Compute last_use[] and label positions; extend over backward branches. */
static void compute_liveness(Lower *L)
{
    const IRFunc *f = L->f;
    bool changed;

    for (unsigned t = 0; t < f->ntemps; t++) {
        L->last_use[t] = -1;
    }
    for (unsigned l = 0; l < f->nlabels; l++) {     /* <= IR_MAX_LABELS */
        L->label_pos[l] = -1;
        L->label_off[l] = -1;
    }
    for (unsigned i = 0; i < f->nops; i++) {
        const IROp *op = &f->ops[i];
        const IRTemp *in;
        unsigned n = ir_op_inputs(op, &in);

        for (unsigned k = 0; k < n; k++) {
            if (in[k] != IR_NO_TEMP && in[k] < f->ntemps) {
                L->last_use[in[k]] = (int32_t)i;
            }
        }
        if (op->opc == IR_set_label && op->imm < f->nlabels) {
            L->label_pos[op->imm] = (int32_t)i;
        }
    }
    /* A loop keeps every temp it touches alive up to its back edge. */
    do {
        changed = false;
        for (unsigned j = 0; j < f->nops; j++) {
            const IROp *op = &f->ops[j];
            int32_t p;

            if (op->opc != IR_br && op->opc != IR_brcond) {
                continue;
            }
            p = op->imm < f->nlabels ? L->label_pos[op->imm] : -1;
            if (p < 0 || p >= (int32_t)j) {
                continue;
            }
            for (unsigned i = (unsigned)p; i <= j; i++) {
                const IROp *o = &f->ops[i];
                const IRTemp *in;
                unsigned n = ir_op_inputs(o, &in);
                IRTemp out = ir_op_output(o);

                for (unsigned k = 0; k <= n; k++) {
                    IRTemp t = k < n ? in[k] : out;
                    if (t != IR_NO_TEMP && t < f->ntemps &&
                        f->temps[t].kind == IR_TEMP_NORMAL &&
                        L->last_use[t] <= (int32_t)j) {
                        /* live past the back edge's own sync */
                        L->last_use[t] = (int32_t)j + 1;
                        changed = true;
                    }
                }
            }
        }
    } while (changed);
}

/* ---------------------------------------------------------------------- */
/* register allocator                                                     */

/* Store temp t's register to its slot if that is needed. */
void spill_temp(Lower *L, IRTemp t)
{
    if (L->temp_dirty[t]) {
        host_st_slot(L->s, (unsigned)L->temp_reg[t], temp_slot(t));
        L->temp_dirty[t] = false;
    }
}

/* Forget what register r holds (no store). */
void free_reg(Lower *L, unsigned r)
{
    int t = L->reg_temp[r];

    if (t >= 0) {
        L->temp_reg[t] = -1;
        L->temp_dirty[t] = false;
    }
    L->reg_temp[r] = REG_FREE;
}

/* Pick a free pool register, evicting the one used furthest away. */
unsigned alloc_reg(Lower *L)
{
    uint32_t busy = L->lock | L->pinned;
    int best = -1;
    int32_t best_use = -2;

    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        if ((HOST_POOL_MASK & (1u << r)) && !(busy & (1u << r)) &&
            L->reg_temp[r] == REG_FREE) {
            L->lock |= 1u << r;
            return r;
        }
    }
    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        int t;
        if (!(HOST_POOL_MASK & (1u << r)) || (busy & (1u << r))) {
            continue;
        }
        t = L->reg_temp[r];
        if (t >= 0 && L->last_use[t] > best_use) {
            best_use = L->last_use[t];
            best = (int)r;
        }
    }
    if (best < 0) {
        os_fatal(1, HOST_NAME " backend: out of registers at op %u", L->cur);
    }
    if (L->last_use[L->reg_temp[best]] > (int32_t)L->cur) {
        spill_temp(L, (IRTemp)L->reg_temp[best]);
    }
    free_reg(L, (unsigned)best);
    L->lock |= 1u << best;
    return (unsigned)best;
}

/* Register holding input t for the current op (loads it if needed). */
unsigned use_reg(Lower *L, IRTemp t)
{
    const IRTempInfo *ti = &L->f->temps[t];
    unsigned r;

    if (ti->kind == IR_TEMP_GLOBAL) {
        return HOST_REG_GUEST0 + t;
    }
    if (ti->kind == IR_TEMP_CONST) {
        if (ti->val == 0) {
            return HOST_REG_ZERO;
        }
        r = alloc_reg(L);
        L->reg_temp[r] = REG_SCRATCH;
        host_li32(L->s, r, ti->val);
        return r;
    }
    if (L->temp_reg[t] >= 0) {
        r = (unsigned)L->temp_reg[t];
        L->lock |= 1u << r;
        return r;
    }
    r = alloc_reg(L);
    host_ld_slot(L->s, r, temp_slot(t));
    L->temp_reg[t] = (int8_t)r;
    L->reg_temp[r] = (int16_t)t;
    L->temp_dirty[t] = false;
    return r;
}

/* After the inputs are loaded: free dead inputs and const scratch regs so
 * that the output may reuse them (every target sequence is alias-safe). */
void release_inputs(Lower *L)
{
    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        int t = L->reg_temp[r];
        if (!(L->lock & (1u << r))) {
            continue;
        }
        if (t == REG_SCRATCH ||
            (t >= 0 && L->last_use[t] <= (int32_t)L->cur)) {
            free_reg(L, r);
            L->lock &= ~(1u << r);
        }
    }
}

/* Register to write output t into (marks it dirty). */
unsigned def_reg(Lower *L, IRTemp t)
{
    const IRTempInfo *ti = &L->f->temps[t];
    unsigned r;

    if (ti->kind == IR_TEMP_GLOBAL) {
        return HOST_REG_GUEST0 + t;
    }
    if (ti->kind == IR_TEMP_CONST) {
        os_fatal(1, HOST_NAME " backend: write to constant temp %u", t);
    }
    if (L->temp_reg[t] >= 0) {
        r = (unsigned)L->temp_reg[t];
    } else {
        r = alloc_reg(L);
        L->temp_reg[t] = (int8_t)r;
        L->reg_temp[r] = (int16_t)t;
    }
    L->lock |= 1u << r;
    L->temp_dirty[t] = true;
    return r;
}

/* End of one op: drop dead temps and scratch registers, unlock. */
void end_op(Lower *L)
{
    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        int t = L->reg_temp[r];
        if (t == REG_SCRATCH || (t >= 0 && L->last_use[t] <= (int32_t)L->cur)) {
            free_reg(L, r);
        }
    }
    L->lock = 0;
}

/* Basic-block boundary: store live dirty temps, forget all registers. */
void sync_all(Lower *L)
{
    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        int t = L->reg_temp[r];
        if (t >= 0 && L->last_use[t] > (int32_t)L->cur) {
            spill_temp(L, (IRTemp)t);
        }
        if (t != REG_FREE) {
            free_reg(L, r);
        }
    }
}

/* Mask of pool registers currently holding something. */
uint32_t busy_mask(const Lower *L)
{
    uint32_t m = 0;

    for (unsigned r = HOST_POOL_FIRST; r <= HOST_POOL_LAST; r++) {
        if (L->reg_temp[r] >= 0) {
            m |= 1u << r;
        }
    }
    return m;
}

/* ---------------------------------------------------------------------- */
/* calls                                                                  */

/* Check the call, note where its inputs are, spill live temps, forget all. */
void lower_call_begin(Lower *L, const IROp *op, LowerCall *c)
{
    if (op->imm >= ir_nb_helpers) {
        os_fatal(1, HOST_NAME " backend: bad helper id %u", op->imm);
    }
    c->h = &ir_helpers[op->imm];
    c->n = ir_op_inputs(op, &c->in);
    c->out = ir_op_output(op);
    if (c->n > IR_MAX_CALL_ARGS) {
        os_fatal(1, HOST_NAME " backend: helper %s: too many args", c->h->name);
    }
    /* where each argument is now: a register (-1: frame slot/imm/global) */
    for (unsigned k = 0; k < c->n; k++) {
        IRTemp t = c->in[k];
        c->src[k] = (L->f->temps[t].kind == IR_TEMP_NORMAL) ? L->temp_reg[t] : -1;
    }
    /* everything live after the call goes to its frame slot */
    sync_all(L);
}

/* Load helper arguments 1..n from registers, slots, constants, globals. */
void lower_call_args(Lower *L, LowerCall *c)
{
    HostAsm *s = L->s;
    const IRTemp *in = c->in;
    unsigned n = c->n;
    int *src = c->src;
    bool pending[IR_MAX_CALL_ARGS];

    /*
     * Register arguments: a parallel move into arg 1..n.  Emit a move whose
     * destination no other pending move still reads; break cycles through
     * TMP0 (never a destination).
     */
    for (unsigned k = 0; k < n; k++) {
        pending[k] = src[k] >= 0;
    }
    for (;;) {
        bool any = false, progress = false;
        for (unsigned k = 0; k < n; k++) {
            bool blocked = false;
            if (!pending[k]) {
                continue;
            }
            any = true;
            for (unsigned j = 0; j < n; j++) {
                if (j != k && pending[j] && src[j] == (int)HOST_REG_ARG(k + 1)) {
                    blocked = true;
                }
            }
            if (!blocked) {
                host_mov(s, HOST_REG_ARG(k + 1), (unsigned)src[k]);
                pending[k] = false;
                progress = true;
            }
        }
        if (!any) {
            break;
        }
        if (!progress) {
            for (unsigned k = 0; k < n; k++) {
                if (pending[k]) {
                    host_mov(s, HOST_REG_TMP0, (unsigned)src[k]);
                    src[k] = HOST_REG_TMP0;
                    break;
                }
            }
        }
    }
    /* then constants, globals and frame slots */
    for (unsigned k = 0; k < n; k++) {
        IRTemp t = in[k];
        unsigned r = HOST_REG_ARG(k + 1);
        const IRTempInfo *ti = &L->f->temps[t];

        if (src[k] >= 0) {
            continue;
        }
        if (ti->kind == IR_TEMP_GLOBAL) {
            host_mov(s, r, HOST_REG_GUEST0 + t);
        } else if (ti->kind == IR_TEMP_CONST) {
            host_li32(s, r, ti->val);
        } else {
            host_ld_slot(s, r, temp_slot(t));
        }
    }
}

/* The call result temp out lives, dirty, in reg. */
void lower_bind_result(Lower *L, IRTemp out, unsigned reg)
{
    L->temp_reg[out] = (int8_t)reg;
    L->reg_temp[reg] = (int16_t)out;
    L->temp_dirty[out] = true;
}

/* ---------------------------------------------------------------------- */
/* labels, slow paths, TB records                                         */

/* Offset of label l, or -1 with a relocation queued for the next branch. */
int32_t label_ref(Lower *L, unsigned l, int kind)
{
    if (l < L->f->nlabels && L->label_off[l] >= 0) {
        return L->label_off[l];
    }
    if (L->nrelocs < MAX_RELOCS) {
        L->relocs[L->nrelocs].off = hostasm_offset(L->s);
        L->relocs[L->nrelocs].label = (uint16_t)l;
        L->relocs[L->nrelocs].kind = (uint8_t)kind;
        L->nrelocs++;
    } else {
        L->failed = true;
    }
    return -1;
}

/* Patch every pending branch to label l, now placed at the current offset. */
void place_label(Lower *L, unsigned l)
{
    uint32_t here = hostasm_offset(L->s);

    if (l >= L->f->nlabels) {
        L->failed = true;
        return;
    }
    L->label_off[l] = (int32_t)here;
    L->win_idx = -1;                  /* HAMT: joins may come without it */
    for (unsigned i = 0; i < L->nrelocs; i++) {
        const Reloc *r = &L->relocs[i];
        if (r->label == l && !L->s->overflow) {
            host_patch_label((uint32_t *)(void *)(L->s->start + r->off),
                             r->kind, r->off, here);
        }
    }
}

/* Queue a slow path for the access about to be emitted. */
SlowPath *slow_path_new(Lower *L, bool store, unsigned memop,
                        unsigned mmu_idx, unsigned addr, unsigned reg)
{
    SlowPath *sp;

    if (L->nslow >= MAX_SLOW) {
        L->failed = true;
        return NULL;
    }
    sp = &L->slow[L->nslow++];
    sp->is_store = store;
    sp->memop = (uint8_t)memop;
    sp->mmu_idx = (uint8_t)mmu_idx;
    sp->addr_reg = (uint8_t)addr;
    sp->val_reg = (uint8_t)(store ? reg : 0);
    sp->dst_reg = (uint8_t)(store ? 0 : reg);
    sp->save_mask = busy_mask(L) & ~(store ? 0u : 1u << reg);
    sp->branch_off = SLOW_NO_BRANCH;
    sp->branch_kind = 0;
    sp->win_idx = -1;
    sp->window_site = false;
    sp->cd_site = false;
    sp->cd_off = 0;
    sp->branch2_off = SLOW_NO_BRANCH;
    sp->stub_off = 0;
    return sp;
}

/* Slow path of a window access (lower-common.h). */
SlowPath *window_slow_path_new(Lower *L, const struct LdSt *m, bool store)
{
    SlowPath *sp;

    if (m->mmu_idx >= LOWER_NB_WINDOWS) {
        L->failed = true;
        return NULL;
    }
    mem_window_ensure(m->mmu_idx);
    sp = slow_path_new(L, store, m->memop, m->mmu_idx, m->addr, m->val);
    if (sp != NULL) {
        sp->window_site = true;
    }
    return sp;
}

/* Record an insn_start at the current offset. */
void lower_insn_start(Lower *L, uint32_t eip)
{
    HostTbInfo *info = L->info;

    L->cur_eip = eip;
    if (info->ninsns < IR_MAX_OPS) {
        info->insn_off[info->ninsns] = hostasm_offset(L->s);
        info->insn_eip[info->ninsns] = eip;
        info->ninsns++;
    }
}

/* Record goto_tb slot n at the current offset. */
void lower_jmp_slot(Lower *L, unsigned n, uint32_t reset_delta)
{
    uint32_t off = hostasm_offset(L->s);

    if (n > 1) {
        os_fatal(1, HOST_NAME " backend: bad goto_tb slot %u", n);
    }
    L->info->jmp_insn_off[n] = off;
    L->info->jmp_reset_off[n] = off + reset_delta;
}

/* The HAMT site table after the slow paths: {access, stub} offsets per
 * site, then the count and MEM_SITE_MAGIC as the TB's last two words
 * (read by host-common/hamt-site.c). */
static void emit_site_table(Lower *L)
{
    unsigned n = 0;

    for (unsigned i = 0; i < L->nslow; i++) {
        const SlowPath *sp = &L->slow[i];
        if (sp->window_site) {
            hostasm_put32(L->s, sp->access_off);
            hostasm_put32(L->s, sp->stub_off);
            n++;
        }
        if (sp->cd_site) {
            hostasm_put32(L->s, sp->cd_off);
            hostasm_put32(L->s, sp->stub_off);
            n++;
        }
    }
    hostasm_put32(L->s, n);
    hostasm_put32(L->s, MEM_SITE_MAGIC);
}

/* ---------------------------------------------------------------------- */
/* driver                                                                 */

/* Reset L for one lowering of f, then the liveness pre-pass. */
void lower_begin(Lower *L, HostAsm *s, const TranslationBlock *tb,
                 const IRFunc *f, HostTbInfo *info)
{
    L->s = s;
    L->f = f;
    L->tb = tb;
    L->info = info;
    L->nrelocs = 0;
    L->nslow = 0;
    L->win_idx = -1;
    L->cur_eip = 0;
    L->failed = false;
    L->lock = 0;
    L->pinned = 0;
    info->ninsns = 0;
    info->jmp_insn_off[0] = info->jmp_insn_off[1] = TB_JMP_RESET_OFFSET_INVALID;
    info->jmp_reset_off[0] = info->jmp_reset_off[1] = TB_JMP_RESET_OFFSET_INVALID;
    for (unsigned t = 0; t < f->ntemps; t++) {
        L->temp_reg[t] = -1;
        L->temp_dirty[t] = false;
    }
    for (unsigned r = 0; r < 32; r++) {
        L->reg_temp[r] = REG_FREE;
    }
    compute_liveness(L);
}

/* The body op by op, then the slow paths and the HAMT site table. */
bool lower_run(Lower *L, void (*lower_op)(Lower *L, const IROp *op),
               void (*emit_slow)(Lower *L, SlowPath *sp))
{
    HostAsm *s = L->s;
    const IRFunc *f = L->f;

    for (unsigned i = 0; i < f->nops && !s->overflow && !L->failed; i++) {
        L->cur = i;
        lower_op(L, &f->ops[i]);
        end_op(L);
        if (unlikely(log_enabled(LOG_OUT_ASM))) {
            hlog(HOST_NAME " ra: op %u busy 0x%x\n", i, busy_mask(L));
        }
    }
    L->info->slow_off = hostasm_offset(s);
    for (unsigned i = 0; i < L->nslow && !s->overflow; i++) {
        L->slow[i].stub_off = hostasm_offset(s);
        emit_slow(L, &L->slow[i]);
    }
    L->info->table_off = hostasm_offset(s);
    if (mem_path_has_windows()) {
        emit_site_table(L);
    }
    return !s->overflow && !L->failed;
}
