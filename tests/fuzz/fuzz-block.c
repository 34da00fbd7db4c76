/*
 * hamt86 fuzz harness: decode -> translate -> IR optimise -> run one
 * block on the IR interpreter, from a fixed CPU state (core/tb.c's
 * tb_gen_code does decode, translate and ir_optimize; backend_interp
 * runs it).  The whole engine is linked: helpers, the softmmu, devices.
 *
 * Input: byte 0 chooses the state: bit 0 = 16-bit code (CS.B clear),
 * bit 1 = CPL 3 (CS/SS RPL and DPL 3), bit 2 = paging on (an identity
 * page directory with 4 MiB pages), bits 3..7 seed the registers.  The
 * rest (at most 4 KiB) is the code, placed at 0x10000 in 2 MiB of zeroed
 * guest RAM.  The block is translated uncached (CF_NOCACHE), so it runs
 * alone: chained or looked-up successors are never entered.  A guest
 * exception longjmps back here (no delivery); os_fatal returns here too
 * (os_exit is wrapped, tests/fuzz/fuzz-stubs.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "core/exec.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE   (2u << 20)
#define CODE_AT    0x10000u
#define PD_AT      0x1000u
#define CODE_MAX   4096u

/* Set up the machine once: RAM, devices, softmmu, interpreter. */
static void fuzz_init(void)
{
    static bool done;
    CPUX86State *env = &machine.cpu;

    if (done) {
        return;
    }
    done = true;
    machine.opt.ram_mib = RAM_SIZE >> 20;
    phys_map_init(env, os_alloc_ram(RAM_SIZE), RAM_SIZE);
    hw_init();
    env->machine = &machine;
    mem_path = &mempath_softmmu;
    host_backend = &backend_interp;
    mem_path->init(env);
    tb_init();
}

/* libFuzzer entry: one block from data. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CPUX86State *env = &machine.cpu;
    static TranslationBlock *volatile tb;
    uint8_t mode;
    size_t n;

    if (size < 1) {
        return 0;
    }
    fuzz_init();
    mode = data[0];
    n = size - 1 > CODE_MAX ? CODE_MAX : size - 1;
    memset(guest_ram, 0, RAM_SIZE);
    memcpy(guest_ram + CODE_AT, data + 1, n);
    tb_flush(env);
    machine.exit_requested = false;
    cpu_reset_multiboot(env, CODE_AT, 0);
    for (int r = 0; r < 8; r++) {
        /* small values: a REP string op over ECX stays short */
        env->regs[r] = (uint32_t)(mode >> 3) * 0x101u * (uint32_t)(r + 1);
    }
    env->regs[R_ESP] = 0x8000;
    if (mode & 1) {
        env->segs[R_CS].flags &= ~DESC_B_MASK;
    }
    if (mode & 4) {
        uint32_t *pd = (uint32_t *)(guest_ram + PD_AT);
        for (unsigned i = 0; i < 1024; i++) {
            pd[i] = (i << 22) | 0x87;       /* P W U PS */
        }
        env->cr[3] = PD_AT;
        env->cr[4] |= CR4_PSE;
        env->cr[0] |= CR0_PG;
    }
    if (mode & 2) {
        env->segs[R_CS].selector |= 3;
        env->segs[R_CS].flags |= 3u << DESC_DPL_SHIFT;
        env->segs[R_SS].selector |= 3;
        env->segs[R_SS].flags |= 3u << DESC_DPL_SHIFT;
    }
    cpu_update_hflags(env);
    tlb_flush_all(env);

    tb = NULL;
    fuzz_exit_armed = true;
    if (setjmp(fuzz_exit_jb) == 0) {
        if (cpu_setjmp(env->jmp_env) == 0) {
            tb = tb_gen_code(env, env->eip, env->segs[R_CS].base,
                             cpu_tb_flags(env), CF_NOCACHE);
            if (tb->icount != 0) {
                host_backend->exec(env, tb);
            }
        }
    }
    fuzz_exit_armed = false;
    if (tb != NULL) {
        tb_discard_nocache(tb);
    }
    return 0;
}
