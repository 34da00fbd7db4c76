/*
 * hamt86 translator unit test - a small test-local IR builder, interpreter
 * and runtime stubs.
 *
 * The translator is tested on its own: this file implements the IR builder
 * API of ir/ir.h and a straightforward interpreter for it, plus the
 * few runtime pieces the translator calls (memory path, logging, exceptions).
 * Guest memory is two windows: code at CODEBASE and data at MEMBASE, with
 * linear == physical.  An exception longjmps out of the interpreter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <setjmp.h>
#include "core/cpu.h"
#include "core/exec.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/os.h"
#include "ir/ir.h"

#ifndef USE_REAL_IR
/* ---- IR builder (USE_REAL_IR: ir/ir.c instead) ---- */
const IROpDef ir_op_defs[IR_NB_OPS] = {
#define IR_OP(name, nout, nin, flags) { #name, nout, nin, flags },
#include "ir/ir-ops.def"
#undef IR_OP
};

void ir_func_init(IRFunc *f) { f->nops = 0; f->ntemps = IR_NB_GLOBALS; f->nlabels = 0; f->overflow = false;
    for (int i = 0; i < IR_NB_GLOBALS; i++) { f->temps[i].kind = IR_TEMP_GLOBAL; f->temps[i].type = 0; } }
IRTemp ir_new_temp(IRFunc *f) { if (f->ntemps >= IR_MAX_TEMPS) { f->overflow = true; return 0; }
    f->temps[f->ntemps].kind = IR_TEMP_NORMAL; return f->ntemps++; }
IRTemp ir_const(IRFunc *f, uint32_t v) { IRTemp t = ir_new_temp(f); f->temps[t].kind = IR_TEMP_CONST; f->temps[t].val = v; return t; }
unsigned ir_new_label(IRFunc *f) { return f->nlabels++; }
IROp *ir_emit(IRFunc *f, IROpcode opc) { static IROp dummy; if (f->nops >= IR_MAX_OPS) { f->overflow = true; return &dummy; }
    IROp *op = &f->ops[f->nops++]; memset(op, 0, sizeof(*op)); op->opc = opc; return op; }
static IROp *e(IRFunc *f, IROpcode opc, int n, ...) { IROp *op = ir_emit(f, opc); va_list ap; va_start(ap, n);
    for (int i = 0; i < n; i++) {
        op->args[i] = va_arg(ap, int);
    }
    va_end(ap); op->nargs = n; return op; }
void ir_mov(IRFunc *f, IRTemp d, IRTemp a) { e(f, IR_mov, 2, d, a); }
void ir_movi(IRFunc *f, IRTemp d, uint32_t v) { e(f, IR_mov, 2, d, ir_const(f, v)); }
void ir_unop(IRFunc *f, IROpcode o, IRTemp d, IRTemp a) { e(f, o, 2, d, a); }
void ir_binop(IRFunc *f, IROpcode o, IRTemp d, IRTemp a, IRTemp b) { e(f, o, 3, d, a, b); }
void ir_binopi(IRFunc *f, IROpcode o, IRTemp d, IRTemp a, uint32_t b) { e(f, o, 3, d, a, ir_const(f, b)); }
void ir_extract(IRFunc *f, IRTemp d, IRTemp a, unsigned pos, unsigned len) { IROp *o = e(f, IR_extract, 2, d, a); o->imm = pos; o->imm2 = len; }
void ir_deposit(IRFunc *f, IRTemp d, IRTemp a, IRTemp b, unsigned pos, unsigned len) { IROp *o = e(f, IR_deposit, 3, d, a, b); o->imm = pos; o->imm2 = len; }
void ir_setcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b) { e(f, IR_setcond, 3, d, a, b)->cond = c; }
void ir_movcond(IRFunc *f, IRCond c, IRTemp d, IRTemp a, IRTemp b, IRTemp v1, IRTemp v2) { e(f, IR_movcond, 5, d, a, b, v1, v2)->cond = c; }
void ir_ld_env(IRFunc *f, IRTemp d, unsigned off, unsigned mo) { IROp *o = e(f, IR_ld_env, 1, d); o->imm = off; o->cond = mo; }
void ir_st_env(IRFunc *f, IRTemp v, unsigned off, unsigned mo) { IROp *o = e(f, IR_st_env, 1, v); o->imm = off; o->cond = mo; }
void ir_qemu_ld(IRFunc *f, IRTemp d, IRTemp a, unsigned mo, unsigned idx) { IROp *o = e(f, IR_qemu_ld, 2, d, a); o->cond = mo; o->imm = idx; }
void ir_qemu_st(IRFunc *f, IRTemp v, IRTemp a, unsigned mo, unsigned idx) { IROp *o = e(f, IR_qemu_st, 2, v, a); o->cond = mo; o->imm = idx; }
void ir_call(IRFunc *f, unsigned id, IRTemp ret, unsigned n, const IRTemp *args) {
    IROp *o = ir_emit(f, IR_call); o->imm = id; int k = 0;
    if (ir_helpers[id].has_ret) o->args[k++] = ret;
    if (n != ir_helpers[id].nargs) { fprintf(stderr, "call %s nargs %u != %u\n", ir_helpers[id].name, n, ir_helpers[id].nargs); abort(); }
    for (unsigned i = 0; i < n; i++) {
        o->args[k++] = args[i];
    }
    o->nargs = k; }
void ir_set_label(IRFunc *f, unsigned l) { ir_emit(f, IR_set_label)->imm = l; }
void ir_br(IRFunc *f, unsigned l) { ir_emit(f, IR_br)->imm = l; }
void ir_brcond(IRFunc *f, IRCond c, IRTemp a, IRTemp b, unsigned l) { IROp *o = e(f, IR_brcond, 2, a, b); o->cond = c; o->imm = l; }
void ir_insn_start(IRFunc *f, uint32_t eip, unsigned len) { IROp *o = ir_emit(f, IR_insn_start); o->imm = eip; o->imm2 = len; }
void ir_goto_tb(IRFunc *f, unsigned slot) { ir_emit(f, IR_goto_tb)->imm = slot; }
void ir_exit_tb(IRFunc *f, uint32_t v) { ir_emit(f, IR_exit_tb)->imm = v; }
void ir_lookup_and_goto_ptr(IRFunc *f) { ir_emit(f, IR_lookup_and_goto_ptr); }
void ir_lookup_and_goto_ptr_far(IRFunc *f) { ir_emit(f, IR_lookup_and_goto_ptr)->imm = IR_LOOKUP_ENV_CS; }
bool ir_cond_eval(IRCond c, uint32_t a, uint32_t b) {
    switch (c) { case IR_COND_EQ: return a == b; case IR_COND_NE: return a != b;
    case IR_COND_LT: return (int32_t)a < (int32_t)b; case IR_COND_GE: return (int32_t)a >= (int32_t)b;
    case IR_COND_LE: return (int32_t)a <= (int32_t)b; case IR_COND_GT: return (int32_t)a > (int32_t)b;
    case IR_COND_LTU: return a < b; case IR_COND_GEU: return a >= b; case IR_COND_LEU: return a <= b;
    case IR_COND_GTU: return a > b; case IR_COND_TSTEQ: return (a & b) == 0; case IR_COND_TSTNE: return (a & b) != 0;
    default: abort(); } }

#endif

/* ---- flat guest memory: linear == physical, 64 MiB at 0 is too big; map window ---- */
uint8_t *guest_ram; uint32_t guest_ram_size;
uint8_t guest_pflags[GUEST_NB_PAGES];
#define MEMBASE 0x10000000u  /* data window */
#define MEMSIZE 0x20000u
static uint8_t membuf[MEMSIZE];
#define CODEBASE 0x00100000u
static uint8_t codebuf[0x10000];
uint8_t *phys_ram_ptr(uint32_t phys) {
    if (phys >= CODEBASE && phys < CODEBASE + sizeof(codebuf)) return codebuf + (phys - CODEBASE);
    if (phys >= MEMBASE && phys < MEMBASE + MEMSIZE) return membuf + (phys - MEMBASE);
    return NULL; }
static bool gpc(CPUX86State *env, uint32_t lin, uint32_t *phys, bool *global) { (void)env; (void)global; *phys = lin; return phys_ram_ptr(lin) != NULL; }
static const MemPath mp = { .name = "test", .get_phys_code = gpc };
const MemPath *mem_path = &mp;
static jmp_buf exc_jmp;
int last_exc;
static uint8_t *memp(CPUX86State *env, uint32_t a, int n) {
    uint8_t *p = phys_ram_ptr(a);
    if (!p || !phys_ram_ptr(a + n - 1)) { env->exception_index = EXCP0E_PF; last_exc = 14; longjmp(exc_jmp, 1); }
    return p; }
uint32_t log_mask; int log_fd = 2;
bool log_in_filter(uint32_t eip) { (void)eip; return true; }
void hlog(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vfprintf(stderr, fmt, ap); va_end(ap); }
const char *log_sym(uint32_t addr, char *buf, size_t size) { (void)addr; (void)size; buf[0] = 0; return buf; }
int h_snprintf(char *b, size_t n, const char *fmt, ...) { va_list ap; va_start(ap, fmt); int r = vsnprintf(b, n, fmt, ap); va_end(ap); return r; }
void os_fatal(int code, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vfprintf(stderr, fmt, ap); va_end(ap); fputc('\n', stderr); exit(code); }
void raise_exception_err_ra(CPUX86State *env, int vec, int err, uintptr_t ra) {
    (void)ra; env->exception_index = vec; env->error_code = err; last_exc = vec; longjmp(exc_jmp, 1); }

/* ---- interpreter ---- */
static uint32_t tv[IR_MAX_TEMPS];
typedef uint32_t (*H0)(CPUX86State *); typedef uint32_t (*H1)(CPUX86State *, uint32_t);
typedef uint32_t (*H2)(CPUX86State *, uint32_t, uint32_t); typedef uint32_t (*H3)(CPUX86State *, uint32_t, uint32_t, uint32_t);
typedef uint32_t (*H4)(CPUX86State *, uint32_t, uint32_t, uint32_t, uint32_t);
/* returns exit value; -1 on exception (last_exc) */
int interp_run(CPUX86State *env, const IRFunc *f) {
    unsigned labels[IR_MAX_LABELS];
    for (unsigned i = 0; i < f->nops; i++) if (f->ops[i].opc == IR_set_label) labels[f->ops[i].imm] = i;
    for (unsigned i = 0; i < f->ntemps; i++) if (f->temps[i].kind == IR_TEMP_CONST) tv[i] = f->temps[i].val;
    for (int r = 0; r < 8; r++) tv[r] = env->regs[r];
    if (setjmp(exc_jmp)) { return -1; }
#define SYNC_OUT() for (int r = 0; r < 8; r++) env->regs[r] = tv[r]
#define SYNC_IN() for (int r = 0; r < 8; r++) tv[r] = env->regs[r]
    for (unsigned pc = 0; pc < f->nops; pc++) {
        const IROp *o = &f->ops[pc]; const IRTemp *a = o->args;
        if (ir_op_defs[o->opc].nout == 1 && f->temps[a[0]].kind == IR_TEMP_CONST) { fprintf(stderr, "write to const at op %u\n", pc); abort(); }
        switch (o->opc) {
        case IR_mov: tv[a[0]] = tv[a[1]]; break;
        case IR_add: tv[a[0]] = tv[a[1]] + tv[a[2]]; break;
        case IR_sub: tv[a[0]] = tv[a[1]] - tv[a[2]]; break;
        case IR_mul: tv[a[0]] = tv[a[1]] * tv[a[2]]; break;
        case IR_muluh: tv[a[0]] = (uint32_t)(((uint64_t)tv[a[1]] * tv[a[2]]) >> 32); break;
        case IR_mulsh: tv[a[0]] = (uint32_t)(((int64_t)(int32_t)tv[a[1]] * (int32_t)tv[a[2]]) >> 32); break;
        case IR_and: tv[a[0]] = tv[a[1]] & tv[a[2]]; break;
        case IR_or: tv[a[0]] = tv[a[1]] | tv[a[2]]; break;
        case IR_xor: tv[a[0]] = tv[a[1]] ^ tv[a[2]]; break;
        case IR_shl: tv[a[0]] = tv[a[1]] << (tv[a[2]] & 31); break;
        case IR_shr: tv[a[0]] = tv[a[1]] >> (tv[a[2]] & 31); break;
        case IR_sar: tv[a[0]] = (uint32_t)((int32_t)tv[a[1]] >> (tv[a[2]] & 31)); break;
        case IR_rotl: { unsigned c = tv[a[2]] & 31; uint32_t x = tv[a[1]]; tv[a[0]] = c ? (x << c) | (x >> (32 - c)) : x; break; }
        case IR_rotr: { unsigned c = tv[a[2]] & 31; uint32_t x = tv[a[1]]; tv[a[0]] = c ? (x >> c) | (x << (32 - c)) : x; break; }
        case IR_neg: tv[a[0]] = -tv[a[1]]; break;
        case IR_not: tv[a[0]] = ~tv[a[1]]; break;
        case IR_ext8s: tv[a[0]] = (uint32_t)(int8_t)tv[a[1]]; break;
        case IR_ext8u: tv[a[0]] = (uint8_t)tv[a[1]]; break;
        case IR_ext16s: tv[a[0]] = (uint32_t)(int16_t)tv[a[1]]; break;
        case IR_ext16u: tv[a[0]] = (uint16_t)tv[a[1]]; break;
        case IR_bswap: tv[a[0]] = __builtin_bswap32(tv[a[1]]); break;
        case IR_clz: tv[a[0]] = tv[a[1]] ? __builtin_clz(tv[a[1]]) : 32; break;
        case IR_ctz: tv[a[0]] = tv[a[1]] ? __builtin_ctz(tv[a[1]]) : 32; break;
        case IR_extract: tv[a[0]] = (tv[a[1]] >> o->imm) & (o->imm2 == 32 ? ~0u : (1u << o->imm2) - 1); break;
        case IR_deposit: { uint32_t m = (o->imm2 == 32 ? ~0u : (1u << o->imm2) - 1) << o->imm;
            tv[a[0]] = (tv[a[1]] & ~m) | ((tv[a[2]] << o->imm) & m); break; }
        case IR_setcond: tv[a[0]] = ir_cond_eval(o->cond, tv[a[1]], tv[a[2]]); break;
        case IR_movcond: tv[a[0]] = ir_cond_eval(o->cond, tv[a[1]], tv[a[2]]) ? tv[a[3]] : tv[a[4]]; break;
        case IR_ld_env: { uint8_t *p = (uint8_t *)env + o->imm; uint32_t v;
            switch (o->cond & 3) { case 0: v = *p; break; case 1: v = *(uint16_t *)p; break; default: v = *(uint32_t *)p; }
            if (o->cond & MO_SIGN) v = (o->cond & 3) == 0 ? (uint32_t)(int8_t)v : (uint32_t)(int16_t)v;
            tv[a[0]] = v; break; }
        case IR_st_env: { uint8_t *p = (uint8_t *)env + o->imm;
            switch (o->cond & 3) { case 0: *p = tv[a[0]]; break; case 1: *(uint16_t *)p = tv[a[0]]; break; default: *(uint32_t *)p = tv[a[0]]; }
            break; }
        case IR_qemu_ld: { int n = 1 << (o->cond & 3); SYNC_OUT(); uint8_t *p = memp(env, tv[a[1]], n); uint32_t v = 0;
            memcpy(&v, p, n); if (o->cond & MO_SIGN) v = n == 1 ? (uint32_t)(int8_t)v : (uint32_t)(int16_t)v; tv[a[0]] = v; break; }
        case IR_qemu_st: { int n = 1 << (o->cond & 3); SYNC_OUT(); uint8_t *p = memp(env, tv[a[1]], n); memcpy(p, &tv[a[0]], n); break; }
        case IR_call: { const IRHelperInfo *h = &ir_helpers[o->imm]; int k = h->has_ret; uint32_t r = 0;
            SYNC_OUT();
            switch (h->nargs) { case 0: r = ((H0)h->fn)(env); break; case 1: r = ((H1)h->fn)(env, tv[a[k]]); break;
            case 2: r = ((H2)h->fn)(env, tv[a[k]], tv[a[k+1]]); break; case 3: r = ((H3)h->fn)(env, tv[a[k]], tv[a[k+1]], tv[a[k+2]]); break;
            case 4: r = ((H4)h->fn)(env, tv[a[k]], tv[a[k+1]], tv[a[k+2]], tv[a[k+3]]); break; }
            SYNC_IN(); if (h->has_ret) tv[a[0]] = r; break; }
        case IR_set_label: break;
        case IR_br: pc = labels[o->imm]; break;
        case IR_brcond: if (ir_cond_eval(o->cond, tv[a[0]], tv[a[1]])) pc = labels[o->imm]; break;
        case IR_insn_start: break;
        case IR_goto_tb: break;
        case IR_exit_tb: SYNC_OUT(); return o->imm;
        case IR_lookup_and_goto_ptr: SYNC_OUT(); return 8;
        default: fprintf(stderr, "bad op %d\n", o->opc); abort();
        }
    }
    fprintf(stderr, "fell off IR\n"); abort();
}
