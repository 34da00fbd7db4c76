/*
 * hamt86 fuzz harness fuzz-codegen-loongarch: the LoongArch64 backend's
 * promises (host-loongarch/la-target.h, la-lower.c) for the generic
 * checker.
 */
#include "tests/fuzz/fuzz-codegen.h"
#include "host-loongarch/la-target.h"
#include "host-loongarch/la-disas.h"

static const char *const la_branches[] = {
    "b", "beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez",
    "bceqz", "bcnez", NULL,
};
static const char *const la_calls[] = { "bl", NULL };
static const char *const la_indirect[] = { "jirl", NULL };
/* Privileged and trapping instructions the disassembler knows for os/bm. */
static const char *const la_forbidden[] = {
    "syscall", "break", "tlbsrch", "tlbrd", "tlbwr", "tlbfill", "ertn",
    "idle", "csrrd", "csrwr", "csrxchg", "cacop", "invtlb", "iocsrrd.b",
    "iocsrrd.h", "iocsrrd.w", "iocsrrd.d", "iocsrwr.b", "iocsrwr.h",
    "iocsrwr.w", "iocsrwr.d", NULL,
};
/* tp and r21: never touched (la-target.h). */
static const char *const la_reserved[] = { "$r2", "$r21", NULL };

/* Window sites: the access (or code-bytes test) is one of these. */
static const char *const la_accesses[] = {
    "ld.b", "ld.bu", "ld.h", "ld.hu", "ld.w", "ld.wu", "ld.d", "st.b",
    "st.h", "st.w", "st.d", "ldx.b", "ldx.bu", "ldx.h", "ldx.hu", "ldx.w",
    "ldx.wu", "ldx.d", "stx.b", "stx.h", "stx.w", "stx.d", NULL,
};

const FuzzHost fuzz_host = {
    .name = "loongarch",
    .backend = &backend_loongarch,
    .disas_one = la_disas_one,
    .branches = la_branches,
    .calls = la_calls,
    .indirect = la_indirect,
    .forbidden = la_forbidden,
    .reserved = la_reserved,
    .accesses = la_accesses,
    .goto_tb = "b",
    .delay_slot = false,
    .epilogue = &la_epilogue_code,
};
