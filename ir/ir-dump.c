/*
 * hamt86 - readable IR dumps for -d ir / -d ir_opt.
 *
 * One op per line:
 *
 *    ---- 0x00101234 (len 3)
 *     add      t9, eax, $0x4
 *     st_env   cc_dst <- t9 (u32)
 *     call     cc_compute_all t10 <- t9, t8, $0x0, $0x1
 *     brcond   ne t10, $0x0, L3
 *    L3:
 *     exit_tb  0x1
 */
#include <stddef.h>
#include "core/libc.h"
#include "core/log.h"
#include "core/cpu.h"
#include "ir/ir.h"

static const char *const ir_reg_names[IR_NB_GLOBALS] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"
};

static const char *const ir_cond_names[IR_NB_CONDS] = {
    "eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu",
    "tsteq", "tstne"
};

/* Named env fields: count > 1 for arrays (name[i]). */
typedef struct EnvField {
    const char *name;
    uint32_t off, size, count;
} EnvField;

#define EF(f)        { #f, offsetof(CPUX86State, f), sizeof(((CPUX86State *)0)->f), 1 }
#define EFA(f, n)    { #f, offsetof(CPUX86State, f), sizeof(((CPUX86State *)0)->f[0]), n }

static const EnvField ir_env_fields[] = {
    EFA(regs, CPU_NB_REGS), EF(eip), EF(cc_op), EF(cc_dst), EF(cc_src),
    EF(cc_src2), EF(df), EF(eflags), EF(hflags), EF(exit_request),
    EF(cc_res2),
    EF(mem.ram_base), EF(mem.pflags), EF(ldt), EF(tr), EF(gdt), EF(idt),
    EFA(cr, 5), EFA(dr, 8), EF(tsc_offset), EF(exception_index),
    EF(error_code), EF(exception_is_int), EF(exception_next_eip),
    EF(old_exception), EF(interrupt_request), EF(halted),
};

static const char *const ir_seg_names[CPU_NB_SEGS] = {
    "es", "cs", "ss", "ds", "fs", "gs"
};
static const char *const ir_segfield_names[4] = {
    "selector", "base", "limit", "flags"
};

/* Name the env byte offset off into buf. */
static void ir_env_name(char *buf, size_t n, uint32_t off)
{
    uint32_t segs = offsetof(CPUX86State, segs);

    if (off >= segs && off < segs + sizeof(SegmentCache) * CPU_NB_SEGS) {
        uint32_t rel = off - segs;
        uint32_t fo = rel % sizeof(SegmentCache);
        const char *sn = ir_seg_names[rel / sizeof(SegmentCache)];
        if (fo % 4 == 0) {
            h_snprintf(buf, n, "%s.%s", sn, ir_segfield_names[fo / 4]);
        } else {
            h_snprintf(buf, n, "%s+%u", sn, fo);
        }
        return;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ir_env_fields); i++) {
        const EnvField *e = &ir_env_fields[i];
        if (off >= e->off && off < e->off + e->size * e->count) {
            uint32_t rel = off - e->off;
            if (e->count > 1 && e == &ir_env_fields[0] && rel % 4 == 0) {
                h_snprintf(buf, n, "regs[%s]", ir_reg_names[rel / 4]);
            } else if (e->count > 1) {
                h_snprintf(buf, n, "%s[%u]%s", e->name, rel / e->size,
                           rel % e->size ? "+" : "");
            } else if (rel) {
                h_snprintf(buf, n, "%s+%u", e->name, rel);
            } else {
                h_snprintf(buf, n, "%s", e->name);
            }
            return;
        }
    }
    h_snprintf(buf, n, "env+0x%x", off);
}

/* Print temp t into buf. */
static void ir_temp_name(const IRFunc *f, char *buf, size_t n, IRTemp t)
{
    if (t >= f->ntemps) {
        h_snprintf(buf, n, "?%u", t);
    } else if (f->temps[t].kind == IR_TEMP_GLOBAL && t < IR_NB_GLOBALS) {
        h_snprintf(buf, n, "%s", ir_reg_names[t]);
    } else if (f->temps[t].kind == IR_TEMP_CONST) {
        h_snprintf(buf, n, "$0x%x", f->temps[t].val);
    } else {
        h_snprintf(buf, n, "t%u", t);
    }
}

/* Append formatted text at *pos in buf. */
static void ir_cat(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (*pos >= n) {
        return;
    }
    va_start(ap, fmt);
    r = h_vsnprintf(buf + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (r > 0) {
        *pos += (size_t)r;
        if (*pos >= n) {
            *pos = n - 1;
        }
    }
}

/* Print temps args[from .. to) separated by commas. */
static void ir_cat_temps(const IRFunc *f, const IROp *op, char *buf, size_t n,
                         size_t *pos, unsigned from, unsigned to)
{
    char tn[24];

    for (unsigned i = from; i < to; i++) {
        ir_temp_name(f, tn, sizeof(tn), op->args[i]);
        ir_cat(buf, n, pos, "%s%s", i > from ? ", " : "", tn);
    }
}

/* MemOp as text: u8 s8 u16 s16 u32, "rmw u32" for a read-modify-write. */
static const char *ir_memop_name(unsigned memop)
{
    static const char *const names[16] = {
        "u8", "u16", "u32", "?3", "s8", "s16", "s32", "?7",
        "rmw u8", "rmw u16", "rmw u32", "?11", "rmw s8", "rmw s16",
        "rmw s32", "?15"
    };
    return names[memop & 15];
}

/* Print one op into buf (no newline). */
static void ir_format_op(const IRFunc *f, const IROp *op, char *buf, size_t n)
{
    size_t pos = 0;
    char tn[24], en[48];
    unsigned opc = op->opc;
    const char *name = opc < IR_NB_OPS ? ir_op_defs[opc].name : "???";

    switch (opc) {
    case IR_set_label:
        ir_cat(buf, n, &pos, "L%u:", op->imm);
        return;
    case IR_insn_start:
        ir_cat(buf, n, &pos, " ---- 0x%08x (len %u)", op->imm, op->imm2);
        return;
    default:
        break;
    }
    ir_cat(buf, n, &pos, "  %-9s", name);
    switch (opc) {
    case IR_setcond:
    case IR_movcond:
        ir_cat_temps(f, op, buf, n, &pos, 0, 1);
        ir_cat(buf, n, &pos, " = %s ",
               op->cond < IR_NB_CONDS ? ir_cond_names[op->cond] : "?");
        ir_cat_temps(f, op, buf, n, &pos, 1, op->nargs);
        break;
    case IR_brcond:
        ir_cat(buf, n, &pos, "%s ",
               op->cond < IR_NB_CONDS ? ir_cond_names[op->cond] : "?");
        ir_cat_temps(f, op, buf, n, &pos, 0, 2);
        ir_cat(buf, n, &pos, ", L%u", op->imm);
        break;
    case IR_br:
        ir_cat(buf, n, &pos, "L%u", op->imm);
        break;
    case IR_extract:
    case IR_deposit:
        ir_cat_temps(f, op, buf, n, &pos, 0, op->nargs);
        ir_cat(buf, n, &pos, ", pos %u, len %u", op->imm, op->imm2);
        break;
    case IR_ld_env:
        ir_env_name(en, sizeof(en), op->imm);
        ir_temp_name(f, tn, sizeof(tn), op->args[0]);
        ir_cat(buf, n, &pos, "%s <- %s (%s)", tn, en, ir_memop_name(op->cond));
        break;
    case IR_st_env:
        ir_env_name(en, sizeof(en), op->imm);
        ir_temp_name(f, tn, sizeof(tn), op->args[0]);
        ir_cat(buf, n, &pos, "%s <- %s (%s)", en, tn, ir_memop_name(op->cond));
        break;
    case IR_qemu_ld:
        ir_temp_name(f, tn, sizeof(tn), op->args[0]);
        ir_cat(buf, n, &pos, "%s <- [", tn);
        ir_cat_temps(f, op, buf, n, &pos, 1, 2);
        ir_cat(buf, n, &pos, "] %s mmu%u%s", ir_memop_name(op->cond), op->imm,
               op->cond & MO_STACK ? " ss" : "");
        break;
    case IR_qemu_st:
        ir_cat(buf, n, &pos, "[");
        ir_cat_temps(f, op, buf, n, &pos, 1, 2);
        ir_temp_name(f, tn, sizeof(tn), op->args[0]);
        ir_cat(buf, n, &pos, "] <- %s %s mmu%u%s", tn, ir_memop_name(op->cond),
               op->imm, op->cond & MO_STACK ? " ss" : "");
        break;
    case IR_call: {
        bool ret = op->imm < ir_nb_helpers && ir_helpers[op->imm].has_ret;
        ir_cat(buf, n, &pos, "%s",
               op->imm < ir_nb_helpers ? ir_helpers[op->imm].name : "?");
        if (ret && op->nargs > 0) {
            ir_temp_name(f, tn, sizeof(tn), op->args[0]);
            ir_cat(buf, n, &pos, " %s <-", tn);
        }
        ir_cat(buf, n, &pos, " (");
        ir_cat_temps(f, op, buf, n, &pos, ret ? 1 : 0, op->nargs);
        ir_cat(buf, n, &pos, ")");
        break;
    }
    case IR_goto_tb:
        ir_cat(buf, n, &pos, "%u", op->imm);
        break;
    case IR_exit_tb:
        ir_cat(buf, n, &pos, "0x%x", op->imm);
        break;
    case IR_lookup_and_goto_ptr:
        if (op->imm & IR_LOOKUP_ENV_CS) {
            ir_cat(buf, n, &pos, "far");
        }
        break;
    default:
        if (opc < IR_NB_OPS && ir_op_defs[opc].nout) {
            ir_cat_temps(f, op, buf, n, &pos, 0, 1);
            ir_cat(buf, n, &pos, " = ");
            ir_cat_temps(f, op, buf, n, &pos, 1, op->nargs);
        } else {
            ir_cat_temps(f, op, buf, n, &pos, 0, op->nargs);
        }
        break;
    }
}

/* Print the whole function through the log. */
void ir_dump(const IRFunc *f)
{
    char line[160];

    hlog("IR: %u ops, %u temps, %u labels%s\n", f->nops, f->ntemps,
         f->nlabels, f->overflow ? " (overflow)" : "");
    for (unsigned i = 0; i < f->nops; i++) {
        line[0] = 0;
        ir_format_op(f, &f->ops[i], line, sizeof(line));
        hlog("%s\n", line);
    }
    hlog("\n");
}
