/*
 * hamt86 fuzz harness fuzz-codegen-mips: the MIPS64r2 backend's promises
 * (host-mips/mips-target.h, mips-lower.c) for the generic checker.
 */
#include "tests/fuzz/fuzz-codegen.h"
#include "host-mips/mips-target.h"
#include "host-mips/mips-disas.h"

static const char *const mips_branches[] = {
    "beq", "bne", "blez", "bgtz", "bltz", "bgez", "j", NULL,
};
static const char *const mips_calls[] = { "jal", "bltzal", "bgezal", NULL };
static const char *const mips_indirect[] = { "jr", "jalr", NULL };
/* Kernel-mode and trapping instructions the disassembler knows for os/bm. */
static const char *const mips_forbidden[] = {
    "syscall", "break", "di", "ei", "tlbr", "tlbwi", "tlbwr", "tlbp",
    "eret", "wait", "mfc0", "dmfc0", "mtc0", "dmtc0", "cache", NULL,
};
/* k0/k1: never touched (mips-target.h). */
static const char *const mips_reserved[] = { "$26", "$27", NULL };
/* Window sites: the access (or code-bytes test) is one of these. */
static const char *const mips_accesses[] = {
    "lb", "lbu", "lh", "lhu", "lw", "lwu", "ld", "sb", "sh", "sw", "sd",
    NULL,
};
const FuzzHost fuzz_host = {
    .name = "mips",
    .backend = &backend_mips,
    .disas_one = mips_disas_one,
    .branches = mips_branches,
    .calls = mips_calls,
    .indirect = mips_indirect,
    .forbidden = mips_forbidden,
    .reserved = mips_reserved,
    .accesses = mips_accesses,
    .goto_tb = "j",
    .delay_slot = true,
    .epilogue = &mips_epilogue_code,
};
