/*
 * hamt86 fuzz harness: decode -> translate -> IR optimise -> run one
 * block on the IR interpreter, from a fixed CPU state (core/tb.c's
 * tb_gen_code does decode, translate and ir_optimize; backend_interp
 * runs it).  The machine, the input format and how each input starts from
 * the same state: tests/fuzz/fuzz-machine.c.  A guest exception longjmps
 * back here (no delivery); os_fatal returns here too (os_exit is wrapped,
 * tests/fuzz/fuzz-stubs.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/exec.h"
#include "tests/fuzz/fuzz.h"

/* libFuzzer entry: one block from data. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TranslationBlock *tb;

    if (size < 1) {
        return 0;
    }
    fuzz_machine_init(&backend_interp);
    fuzz_machine_start(data, size);
    tb = fuzz_machine_translate();
    if (tb != NULL && tb->icount != 0) {
        fuzz_machine_exec(tb);
    }
    fuzz_machine_finish(tb);
    return 0;
}
