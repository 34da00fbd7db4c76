/*
 * hamt86 - the translation loop: x86 -> IR for one translation block.
 *
 * translate_tb() decodes guest instructions one at a time and hands each to
 * the gen_* function its x86-insn.def row names.  It also owns the pieces
 * every family shares: operand access (registers, effective addresses,
 * segment bases, guest memory), the stack, TB exits and exceptions.
 *
 * Layout of a TB's IR:
 *
 *     ld_env exit_request -> brcond != 0 -> L_exit     (cheap entry check)
 *     [--icount instead: w = ld_env32 icount_budget - 1; st_env16 w;
 *      brcond w < 0 -> L_icount   (budget and exit request: core/cpu.h)]
 *     insn_start eip0, len0
 *       ... ops of insn 0 ...
 *     insn_start eip1, len1
 *       ...
 *     goto_tb / exit_tb / lookup_and_goto_ptr         (TB end)
 *   [L_icount: icount_budget += 1 (16 bits)]
 *   L_exit:
 *     st_env eip = tb->pc; exit_tb IR_EXIT_REQUEST
 *
 * A TB never covers more than one guest page, except that its last
 * instruction may straddle into the next page (tb->phys_page2).  Only the
 * first instruction of a TB may touch a second page, so a fetch fault there
 * is always precise (it is the TB's own first EIP).
 */
#include "core/cpu.h"
#include "core/exec.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"
#include "translator/translate.h"
#include "translator/cc.h"
#include "translator/gen-decls.h"

/* --icount: TBs count themselves against env->icount_budget (hw/timer.c). */
bool translate_icount;


/* Leave some room for the biggest single instruction's IR. */
#define IR_OPS_RESERVE 256
#define IR_TEMPS_RESERVE 256

/* Instruction fetch state for the decoder callback. */
typedef struct FetchState {
    CPUX86State *env;
    uint32_t cs_base;
    uint32_t page_start;   /* linear page of the TB start */
    bool allow_page2;      /* may read the following page (first insn only) */
    /* cached translation of one linear page */
    uint32_t cached_lin;   /* linear page, or 1 (never a page address) */
    const uint8_t *cached_ptr;
    uint32_t cached_phys;
    /* pages touched */
    uint32_t phys_page1;
    uint32_t phys_page2;   /* ~0 if none */
    bool used_page2;
} FetchState;

/* Decoder callback: fetch one code byte at eip (CS-relative). */
static bool fetch_byte(void *opaque, uint32_t eip, uint8_t *byte)
{
    FetchState *fs = opaque;
    uint32_t lin = fs->cs_base + eip;
    uint32_t page = lin & GUEST_PAGE_MASK;
    uint32_t phys;
    uint8_t *p;

    if (page != fs->page_start) {
        if (!fs->allow_page2) {
            return false;
        }
        fs->used_page2 = true;
    }
    if (page != fs->cached_lin) {
        if (!mem_path->get_phys_code(fs->env, lin, &phys, NULL)) {
            return false;
        }
        p = phys_ram_ptr(phys & GUEST_PAGE_MASK);
        if (p == NULL) {
            return false;
        }
        fs->cached_lin = page;
        fs->cached_ptr = p;
        fs->cached_phys = phys & GUEST_PAGE_MASK;
        if (page != fs->page_start) {
            fs->phys_page2 = fs->cached_phys;
        } else {
            fs->phys_page1 = fs->cached_phys;
        }
    }
    *byte = fs->cached_ptr[lin & ~GUEST_PAGE_MASK];
    return true;
}

/* ------------------------------------------------------------------------
 * Registers
 */

/* Register reg of size bytes (1: AL..BH), zero-extended into a new temp. */
IRTemp gen_ld_reg(DisasContext *s, int size, int reg)
{
    IRTemp t = ir_new_temp(s->f);

    if (size == 4) {
        ir_mov(s->f, t, ir_global(reg));
    } else if (size == 2) {
        ir_unop(s->f, IR_ext16u, t, ir_global(reg));
    } else if (reg < 4) {
        ir_unop(s->f, IR_ext8u, t, ir_global(reg));
    } else {
        ir_extract(s->f, t, ir_global(reg - 4), 8, 8);
    }
    return t;
}

/* Write the low size bytes of v to register reg (1: AL..BH). */
void gen_st_reg(DisasContext *s, int size, int reg, IRTemp v)
{
    if (size == 4) {
        ir_mov(s->f, ir_global(reg), v);
    } else if (size == 2) {
        ir_deposit(s->f, ir_global(reg), ir_global(reg), v, 0, 16);
    } else if (reg < 4) {
        ir_deposit(s->f, ir_global(reg), ir_global(reg), v, 0, 8);
    } else {
        ir_deposit(s->f, ir_global(reg - 4), ir_global(reg - 4), v, 8, 8);
    }
}

/* ------------------------------------------------------------------------
 * Addresses and memory
 */

/* Offset-only effective address of insn->mem (wraps at 64 KiB if addr16). */
IRTemp gen_ea_offset(DisasContext *s, const X86Insn *insn)
{
    const X86MemRef *m = &insn->mem;
    IRTemp t = ir_new_temp(s->f);
    bool have = false;

    if (m->base >= 0) {
        ir_mov(s->f, t, ir_global(m->base));
        have = true;
    }
    if (m->index >= 0) {
        IRTemp idx = ir_global(m->index);
        if (m->scale) {
            idx = ir_new_temp(s->f);
            ir_binopi(s->f, IR_shl, idx, ir_global(m->index), m->scale);
        }
        if (have) {
            ir_binop(s->f, IR_add, t, t, idx);
        } else {
            ir_mov(s->f, t, idx);
        }
        have = true;
    }
    if (!have) {
        ir_movi(s->f, t, m->addr16 ? m->disp & 0xffff : m->disp);
        return t;
    }
    if (m->disp) {
        ir_binopi(s->f, IR_add, t, t, m->disp);
    }
    if (m->addr16) {
        ir_unop(s->f, IR_ext16u, t, t);
    }
    return t;
}

/* Add segment seg's base to an offset when it may be nonzero. */
IRTemp gen_add_seg(DisasContext *s, int seg, IRTemp offset)
{
    IRTemp base, t;

    /* HF_ADDSEG covers DS, ES and SS; CS, FS and GS are always added. */
    if (!s->addseg && (seg == R_DS || seg == R_ES || seg == R_SS)) {
        t = offset;
    } else {
        base = ir_new_temp(s->f);
        ir_ld_env(s->f, base, offsetof(CPUX86State, segs[seg].base), MO_32);
        t = ir_new_temp(s->f);
        ir_binop(s->f, IR_add, t, offset, base);
    }
    if (seg == R_SS) {
        s->ss_addr[s->ss_next++ % ARRAY_SIZE(s->ss_addr)] = (IRTemp)(t + 1);
    }
    return t;
}

/* MO_STACK if addr is one of the last SS-relative linear addresses. */
static unsigned ss_memop(const DisasContext *s, IRTemp addr)
{
    for (unsigned k = 0; k < ARRAY_SIZE(s->ss_addr); k++) {
        if (s->ss_addr[k] == addr + 1) {
            return MO_STACK;
        }
    }
    return 0;
}

/* Linear address of insn->mem. */
IRTemp gen_linear_addr(DisasContext *s, const X86Insn *insn)
{
    return gen_add_seg(s, insn->mem.seg, gen_ea_offset(s, insn));
}

/* Memory op for an access of size bytes. */
static unsigned size_memop(int size)
{
    return size == 1 ? MO_8 : size == 2 ? MO_16 : MO_32;
}

/* Load from guest memory at a linear address. */
IRTemp gen_ld_mem(DisasContext *s, unsigned memop, IRTemp addr)
{
    IRTemp t = ir_new_temp(s->f);

    gen_update_cc_op(s);
    ir_qemu_ld(s->f, t, addr, memop | (s->rmw ? MO_RMW : 0) | ss_memop(s, addr),
               s->mem_idx);
    return t;
}

/* Store to guest memory at a linear address. */
void gen_st_mem(DisasContext *s, unsigned memop, IRTemp v, IRTemp addr)
{
    gen_update_cc_op(s);
    ir_qemu_st(s->f, v, addr, memop | ss_memop(s, addr), s->mem_idx);
}

/*
 * Before the parts of a size-byte store that the IR splits into narrower
 * stores (FST m64/m80, CMPXCHG8B): if it crosses a page, check both pages
 * for the store first, so that it faults as one access, with nothing
 * written.  Two or three host instructions when it does not cross; none
 * with paging off, where nothing can fault.
 */
void gen_probe_split_store(DisasContext *s, IRTemp addr, unsigned size)
{
    IRFunc *f = s->f;
    unsigned done;
    IRTemp off;

    if (s->mem_idx == MMU_PHYS_IDX) {
        return;
    }
    done = ir_new_label(f);
    off = ir_new_temp(f);
    ir_binopi(f, IR_and, off, addr, ~GUEST_PAGE_MASK);
    ir_brcond(f, IR_COND_LEU, off, ir_const(f, GUEST_PAGE_SIZE - size), done);
    gen_helper(s, HELPER_probe_store, 2, addr, ir_const(f, size));
    ir_set_label(f, done);
}

/*
 * A read-modify-write destination that the instruction leaves unchanged
 * (a shift of memory by 0): the CPU still checks it as a write, so a
 * read-only page faults with W=1 (measured, docs/RELIABILITY.md).  No
 * check with paging off, where nothing can fault.
 */
void gen_probe_write(DisasContext *s, IRTemp addr, unsigned size)
{
    if (s->mem_idx != MMU_PHYS_IDX) {
        gen_helper(s, HELPER_probe_write, 2, addr, ir_const(s->f, size));
    }
}

/* Value of operand n with a precomputed address for memory operands. */
IRTemp gen_ld_op_addr(DisasContext *s, const X86Insn *insn, int n, IRTemp addr)
{
    const X86Operand *op = &insn->op[n];
    IRTemp t;

    switch (op->kind) {
    case OPK_REG:
        return gen_ld_reg(s, op->size, op->reg);
    case OPK_MEM:
        if (addr == IR_NO_TEMP) {
            addr = gen_linear_addr(s, insn);
        }
        return gen_ld_mem(s, size_memop(op->size), addr);
    case OPK_IMM:
    case OPK_REL:
        /* already extended by the decoder; users mask to their size */
        t = ir_new_temp(s->f);
        ir_movi(s->f, t, op->imm);
        return t;
    case OPK_SEG:
        t = ir_new_temp(s->f);
        ir_ld_env(s->f, t, offsetof(CPUX86State, segs[op->reg].selector),
                  MO_32);
        ir_unop(s->f, IR_ext16u, t, t);
        return t;
    default:
        os_fatal(1, "translate: cannot load operand kind %d at EIP 0x%08x",
                 op->kind, insn->eip);
    }
}

/* Value of operand n, zero-extended to 32 bits. */
IRTemp gen_ld_op(DisasContext *s, const X86Insn *insn, int n)
{
    return gen_ld_op_addr(s, insn, n, IR_NO_TEMP);
}

/* Write v (low size bytes) to operand n; addr may be IR_NO_TEMP. */
void gen_st_op(DisasContext *s, const X86Insn *insn, int n, IRTemp v,
               IRTemp addr)
{
    const X86Operand *op = &insn->op[n];

    switch (op->kind) {
    case OPK_REG:
        gen_st_reg(s, op->size, op->reg, v);
        break;
    case OPK_MEM:
        if (addr == IR_NO_TEMP) {
            addr = gen_linear_addr(s, insn);
        }
        gen_st_mem(s, size_memop(op->size), v, addr);
        break;
    default:
        os_fatal(1, "translate: cannot store operand kind %d at EIP 0x%08x",
                 op->kind, insn->eip);
    }
}

/* ------------------------------------------------------------------------
 * Stack
 */

/* ESP + delta with SS.B deciding between 32-bit ESP and 16-bit SP wrap. */
static IRTemp gen_sp_plus(DisasContext *s, int32_t delta)
{
    IRTemp t = ir_new_temp(s->f);

    ir_binopi(s->f, IR_add, t, ir_global(R_ESP), (uint32_t)delta);
    if (!s->ss32) {
        ir_unop(s->f, IR_ext16u, t, t);
    }
    return t;
}

/* Write a new stack pointer offset (only SP when SS.B = 0). */
static void gen_set_sp(DisasContext *s, IRTemp sp)
{
    if (s->ss32) {
        ir_mov(s->f, ir_global(R_ESP), sp);
    } else {
        ir_deposit(s->f, ir_global(R_ESP), ir_global(R_ESP), sp, 0, 16);
    }
}

/* Push size bytes of v; ESP changes only after the store succeeded. */
void gen_push_v(DisasContext *s, int size, IRTemp v)
{
    IRTemp sp = gen_sp_plus(s, -size);

    gen_st_mem(s, size_memop(size), v, gen_add_seg(s, R_SS, sp));
    gen_set_sp(s, sp);
}

/* Load size bytes at SS:(ESP + offset) without changing ESP. */
IRTemp gen_pop_peek(DisasContext *s, int size, int offset)
{
    IRTemp sp = offset ? gen_sp_plus(s, offset) : gen_sp_plus(s, 0);

    return gen_ld_mem(s, size_memop(size), gen_add_seg(s, R_SS, sp));
}

/* Pop size bytes: load, then update ESP. */
IRTemp gen_pop_v(DisasContext *s, int size)
{
    IRTemp v = gen_pop_peek(s, size, 0);

    gen_stack_adjust(s, size);
    return v;
}

/* ESP += delta (SP only when SS.B = 0). */
void gen_stack_adjust(DisasContext *s, int32_t delta)
{
    gen_set_sp(s, gen_sp_plus(s, delta));
}

/* ------------------------------------------------------------------------
 * Control flow and exceptions
 */

/* Store EIP = eip. */
void gen_set_eip(DisasContext *s, uint32_t eip)
{
    ir_st_env(s->f, ir_const(s->f, eip), offsetof(CPUX86State, eip), MO_32);
}

/* Single-step trap after the instruction (EIP already stored). */
static void gen_single_step(DisasContext *s)
{
    ir_call(s->f, HELPER_single_step, IR_NO_TEMP, 0, NULL);
    /* the helper does not return; keep the IR well formed */
    ir_exit_tb(s->f, IR_EXIT_PLAIN);
}

/* Jump to a constant EIP: chains through goto_tb slot when on the TB's page. */
void gen_jmp_im(DisasContext *s, uint32_t eip, int slot)
{
    uint32_t lin = s->cs_base + eip;

    gen_update_cc_op(s);
    if (s->flags & HF_TF_MASK) {
        gen_set_eip(s, eip);
        gen_single_step(s);
    } else if ((lin & GUEST_PAGE_MASK) == s->page_start &&
               !(s->tb->cflags & CF_NOCHAIN)) {
        ir_goto_tb(s->f, slot);
        gen_set_eip(s, eip);
        ir_exit_tb(s->f, slot ? IR_EXIT_SLOT1 : IR_EXIT_SLOT0);
    } else {
        gen_set_eip(s, eip);
        if (s->tb->cflags & CF_NOCHAIN) {
            ir_exit_tb(s->f, IR_EXIT_PLAIN);
        } else {
            ir_lookup_and_goto_ptr(s->f);
        }
    }
    s->is_jmp = DISAS_NORETURN;
}

/* Jump to a computed EIP. */
void gen_jmp_dyn(DisasContext *s, IRTemp eip)
{
    gen_update_cc_op(s);
    ir_st_env(s->f, eip, offsetof(CPUX86State, eip), MO_32);
    if (s->flags & HF_TF_MASK) {
        gen_single_step(s);
    } else if (s->tb->cflags & CF_NOCHAIN) {
        ir_exit_tb(s->f, IR_EXIT_PLAIN);
    } else {
        ir_lookup_and_goto_ptr(s->f);
    }
    s->is_jmp = DISAS_NORETURN;
}

/* End the TB after this insn without chaining (the loop emits the exit). */
void gen_eob(DisasContext *s)
{
    s->is_jmp = DISAS_EOB;
}

/* Raise exception vec at the current instruction (err < 0: no error code). */
void gen_exception(DisasContext *s, int vec, int err)
{
    gen_update_cc_op(s);
    gen_set_eip(s, s->pc);
    gen_helper(s, HELPER_raise_exception, 2, ir_const(s->f, (uint32_t)vec),
               ir_const(s->f, (uint32_t)err));
    ir_exit_tb(s->f, IR_EXIT_PLAIN);
    s->is_jmp = DISAS_NORETURN;
}

/* Log insn bytes under -d unimp. */
static void log_unimp(const X86Insn *insn, uint32_t eip, const char *why)
{
    char buf[80];
    int n, i, len;

    if (!log_enabled(LOG_UNIMP)) {
        return;
    }
    len = insn ? insn->len : 0;
    n = h_snprintf(buf, sizeof(buf), "unimp: EIP 0x%08x bytes:", eip);
    for (i = 0; i < len && n < (int)sizeof(buf) - 4; i++) {
        n += h_snprintf(buf + n, sizeof(buf) - n, " %02x", insn->bytes[i]);
    }
    hlog("%s%s%s\n", buf, why ? " " : "", why ? why : "");
}

/* Raise #UD and log the bytes under -d unimp. */
void gen_illegal(DisasContext *s, const X86Insn *insn)
{
    log_unimp(insn, insn ? insn->eip : s->pc, NULL);
    gen_exception(s, EXCP06_UD, -1);
}

/* Rows with no translation yet. */
void gen_unimp(DisasContext *s, const X86Insn *insn)
{
    gen_illegal(s, insn);
}

/* Call a helper with up to 4 args; returns the result temp or IR_NO_TEMP. */
IRTemp gen_helper(DisasContext *s, unsigned id, unsigned nargs, ...)
{
    const IRHelperInfo *h = &ir_helpers[id];
    IRTemp args[IR_MAX_CALL_ARGS], ret = IR_NO_TEMP;
    va_list ap;
    unsigned i;

    if (h->flags & (IRH_MAY_RAISE | IRH_READS_ENV | IRH_RW_GLOBALS)) {
        gen_update_cc_op(s);
    }
    va_start(ap, nargs);
    for (i = 0; i < nargs && i < IR_MAX_CALL_ARGS; i++) {
        args[i] = (IRTemp)va_arg(ap, unsigned);
    }
    va_end(ap);
    if (h->has_ret) {
        ret = ir_new_temp(s->f);
    }
    ir_call(s->f, id, ret, nargs, args);
    return ret;
}

/* ------------------------------------------------------------------------
 * Core helpers (helpers-core.def)
 */

/* Raise vec (err < 0: none) at the EIP the translated code stored. */
void helper_raise_exception(CPUX86State *env, uint32_t vec, uint32_t err)
{
    raise_exception_err_ra(env, (int)vec, (int32_t)err < 0 ? 0 : (int)err, 0);
}

/* Single-step trap: DR6.BS and #DB with EIP = the next instruction. */
void helper_single_step(CPUX86State *env)
{
    env->dr[6] |= 0x4000;
    raise_exception_err_ra(env, EXCP01_DB, 0, 0);
}

/* ------------------------------------------------------------------------
 * The loop
 */

/* Log one decoded instruction for -d in_asm. */
static void log_in_asm(const X86Insn *insn)
{
    char buf[128];
    char hex[48];
    const char *sym = LOG_SYM(insn->eip);
    int i, n = 0;

    x86_disas(insn, buf, sizeof(buf));
    hex[0] = 0;
    for (i = 0; i < insn->len && n < (int)sizeof(hex) - 3; i++) {
        n += h_snprintf(hex + n, sizeof(hex) - n, "%02x", insn->bytes[i]);
    }
    /* the symbol (if the kernel has symbols) in a column of its own */
    hlog("0x%08x:  %-30s %-*s%s\n", insn->eip, hex, *sym ? 36 : 0, buf, sym);
}

/* Translate the guest code at (tb->cs_base + tb->pc) into f. */
void translate_tb(CPUX86State *env, TranslationBlock *tb, IRFunc *f,
                  int max_insns)
{
    DisasContext ctx, *s = &ctx;
    FetchState fs;
    X86Insn insn;
    unsigned l_exit, l_icount = 0;
    IRTemp t;
    uint32_t eip;
    DecodeStatus st;
    bool log_asm;

    memset(s, 0, sizeof(*s));
    s->env = env;
    s->f = f;
    s->tb = tb;
    s->pc = tb->pc;
    s->cs_base = tb->cs_base;
    s->flags = tb->flags;
    s->code32 = (tb->flags & HF_CS32_MASK) != 0;
    s->ss32 = (tb->flags & HF_SS32_MASK) != 0;
    s->addseg = (tb->flags & HF_ADDSEG_MASK) != 0;
    s->pe = (tb->flags & HF_PE_MASK) != 0;
    s->vm86 = (tb->flags & HF_VM_MASK) != 0;
    s->cpl = tb->flags & HF_CPL_MASK;
    s->iopl = (tb->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT;
    s->mem_idx = (int)tb_flags_mmu_index(tb->flags);
    s->is_jmp = DISAS_NEXT;
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    s->cc_mrg = 0;
    s->cc_res = 0;
    s->fptop = (tb->flags & TB_FLAGS_FPTOP_MASK) >> TB_FLAGS_FPTOP_SHIFT;
    s->page_start = (tb->cs_base + tb->pc) & GUEST_PAGE_MASK;
    if (max_insns <= 0 || max_insns > TB_MAX_INSNS) {
        max_insns = TB_MAX_INSNS;
    }
    if (tb->cflags & CF_SINGLE) {
        max_insns = 1;
    }
    s->max_insns = max_insns;

    memset(&fs, 0, sizeof(fs));
    fs.env = env;
    fs.cs_base = tb->cs_base;
    fs.page_start = s->page_start;
    fs.cached_lin = 1;
    fs.phys_page2 = ~0u;

    tb->phys_page2 = ~0u;
    tb->size = 0;
    tb->icount = 0;

    ir_func_init(f);
    cc_reset_tracking(s);

    /* cheap exit check at TB entry */
    l_exit = ir_new_label(f);
    t = ir_new_temp(f);
    if (translate_icount) {
        /*
         * --icount: one unit of the TB budget per executed TB, and the
         * exit request in the same test (core/cpu.h: the 32-bit word of
         * budget and icount_exit).  Decrement the word, store its low
         * half (the budget: a request may be set meanwhile), leave if it
         * went negative (no budget, or a request); no value is live
         * across the branch.  The leaving path gives the unit back.
         */
        l_icount = ir_new_label(f);
        ir_ld_env(f, t, offsetof(CPUX86State, icount_budget), MO_32);
        ir_binopi(f, IR_sub, t, t, 1);
        ir_st_env(f, t, offsetof(CPUX86State, icount_budget), MO_16);
        ir_brcond(f, IR_COND_LT, t, ir_const(f, 0), l_icount);
    } else {
        ir_ld_env(f, t, offsetof(CPUX86State, exit_request), MO_32);
        ir_brcond(f, IR_COND_NE, t, ir_const(f, 0), l_exit);
    }

    eip = tb->pc;
    for (;;) {
        bool first = s->num_insns == 0;

        /* a later insn starting on another page belongs to another TB */
        if (!first && ((s->cs_base + eip) & GUEST_PAGE_MASK) != s->page_start) {
            s->is_jmp = DISAS_TOO_MANY;
            break;
        }
        fs.allow_page2 = first;
        fs.used_page2 = false;
        memset(&insn, 0, sizeof(insn));
        st = x86_decode(&insn, eip, s->code32, fetch_byte, &fs);
        if (st == DECODE_FETCH) {
            if (first) {
                /* the runtime reports "jumped to unmapped memory" */
                DEBUG_LOG(LOG_IN_ASM, "0x%08x:  <fetch failed>\n", eip);
                tb->icount = 0;
                tb->size = 0;
                return;
            }
            /* the insn straddles into the next page: it starts a new TB */
            s->is_jmp = DISAS_TOO_MANY;
            break;
        }
        if (first) {
            /* the physical address of the first byte */
            tb->phys_pc = fs.phys_page1 | ((s->cs_base + eip) & ~GUEST_PAGE_MASK);
        }
        if (insn.len == 0) {
            insn.len = 1;
        }
        s->pc = eip;
        s->next_pc = eip + insn.len;
        if (!s->code32) {
            s->next_pc &= 0xffff;
        }
        s->insn = &insn;
        s->rmw = st == DECODE_OK && insn.def != NULL &&
                 (insn.def->attrs & (XA_LOCKABLE | XA_RMW)) != 0;
        s->num_insns++;
        ir_insn_start(f, eip, insn.len);

        log_asm = log_enabled(LOG_IN_ASM) && log_in_filter(eip);
        if (st == DECODE_OK && log_asm) {
            log_in_asm(&insn);
        }

        if (st == DECODE_TOO_LONG) {
            DEBUG_LOG(LOG_IN_ASM, "0x%08x:  <insn longer than 15 bytes>\n", eip);
            gen_exception(s, EXCP0D_GP, 0);
        } else if (st != DECODE_OK || insn.def == NULL) {
            if (log_asm) {
                hlog("0x%08x:  (bad)\n", eip);
            }
            gen_illegal(s, &insn);
        } else if ((insn.prefixes & PFX_LOCK) &&
                   (!(insn.def->attrs & XA_LOCKABLE) ||
                    insn.nops == 0 || insn.op[0].kind != OPK_MEM)) {
            /* LOCK on a non-lockable insn or register destination */
            gen_illegal(s, &insn);
        } else {
            x86_gen_table[insn.def->id](s, &insn);
            /* rows that change translation state always end the TB */
            if ((insn.def->attrs & XA_EOB) && s->is_jmp == DISAS_NEXT) {
                s->is_jmp = DISAS_EOB;
            }
        }

        if (fs.used_page2) {
            tb->phys_page2 = fs.phys_page2;
        }
        eip = s->next_pc;
        tb->size = (uint16_t)(tb->size + insn.len);
        if (s->is_jmp != DISAS_NEXT) {
            break;
        }
        /* one guest page per TB: a straddling insn is always the last */
        if (fs.used_page2) {
            s->is_jmp = DISAS_TOO_MANY;
            break;
        }
        if ((s->flags & HF_TF_MASK) || s->num_insns >= s->max_insns ||
            f->overflow || f->nops + IR_OPS_RESERVE >= IR_MAX_OPS ||
            f->ntemps + IR_TEMPS_RESERVE >= IR_MAX_TEMPS ||
            f->nlabels + 16 >= IR_MAX_LABELS) {
            s->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }

    switch (s->is_jmp) {
    case DISAS_NEXT:
    case DISAS_TOO_MANY:
        gen_jmp_im(s, eip, 0);
        break;
    case DISAS_EOB:
        gen_update_cc_op(s);
        gen_set_eip(s, eip);
        if (s->flags & HF_TF_MASK) {
            gen_single_step(s);
        } else {
            ir_exit_tb(f, IR_EXIT_PLAIN);
        }
        break;
    default:
        break;
    }

    /* budget path: the unit taken back, then as exit_request */
    if (translate_icount) {
        IRTemp b = ir_new_temp(f);

        ir_set_label(f, l_icount);
        ir_ld_env(f, b, offsetof(CPUX86State, icount_budget), MO_16);
        ir_binopi(f, IR_add, b, b, 1);
        ir_st_env(f, b, offsetof(CPUX86State, icount_budget), MO_16);
    }
    /* exit_request path: nothing of the TB has run yet */
    ir_set_label(f, l_exit);
    gen_set_eip(s, tb->pc);
    ir_exit_tb(f, IR_EXIT_REQUEST);

    tb->icount = (uint16_t)s->num_insns;
    if (f->overflow) {
        /* should not happen with the reserves above; shorten by retrying */
        if (s->num_insns > 1) {
            translate_tb(env, tb, f, s->num_insns / 2);
            return;
        }
        os_fatal(1, "translate: IR overflow in one instruction at EIP 0x%08x",
                 tb->pc);
    }
    if (unlikely(log_enabled(LOG_IN_ASM))) {
        hlog("translate: pc 0x%08x insns %d size %u ops %u\n", tb->pc,
             s->num_insns, tb->size, f->nops);
    }
}

/* Fetch guest code bytes of the TB opaque from its physical pages (RAM only). */
static bool tb_code_fetch(void *opaque, uint32_t eip, uint8_t *byte)
{
    const TranslationBlock *tb = opaque;
    uint32_t off = eip - tb->pc;
    uint8_t *p;

    if (off >= tb->size) {
        return false;
    }
    p = phys_ram_ptr(tb->phys_pc + off);
    if (p == NULL) {
        return false;
    }
    *byte = *p;
    return true;
}

/* -d in_asm style listing of a cached TB (core/exec.h). */
void translate_log_tb(const TranslationBlock *tb)
{
    uint32_t eip = tb->pc;
    char buf[128];

    while (eip - tb->pc < tb->size) {
        X86Insn insn;
        if (x86_decode(&insn, eip, (tb->flags & HF_CS32_MASK) != 0,
                       tb_code_fetch, (void *)tb) != DECODE_OK || insn.len == 0) {
            break;
        }
        x86_disas(&insn, buf, sizeof(buf));
        hlog("0x%08x:  %s\n", eip, buf);
        eip += insn.len;
    }
}
