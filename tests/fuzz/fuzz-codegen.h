/*
 * hamt86 fuzz harness fuzz-codegen-<host>: what a JIT host tells the
 * generic checker (tests/fuzz/fuzz-codegen.c) about its generated code.
 * One FuzzHost per host (fuzz-codegen-mips.c, fuzz-codegen-la.c), linked
 * with that host's backend (host-common/ built for it).
 */
#ifndef HAMT86_FUZZ_CODEGEN_H
#define HAMT86_FUZZ_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/exec.h"

typedef struct FuzzHost {
    const char *name;
    const HostBackend *backend;
    /* The host's disassembler (generated from its *-insn.def); unknown
     * words print as ".word". */
    int (*disas_one)(uint32_t insn, uint64_t pc, char *buf, size_t size);
    /* NULL-terminated mnemonic lists (the disassembler's spelling): */
    const char *const *branches;  /* pc-relative or region jumps whose
                                     target (the text's last 0x number)
                                     must stay in the TB or be an exit */
    const char *const *calls;     /* linking jumps: target anywhere */
    const char *const *indirect;  /* jumps through a register */
    const char *const *forbidden; /* never in generated code (privileged) */
    const char *const *reserved;  /* register operands never used */
    const char *const *accesses;  /* loads and stores: what a window
                                     site's access word must be */
    const char *goto_tb;          /* the patchable jump of a goto_tb slot */
    bool delay_slot;              /* a branch's next word executes too */
    uint8_t *const *epilogue;     /* the one place outside the TB its
                                     branches may reach (set by init) */
} FuzzHost;

extern const FuzzHost fuzz_host;

#endif
