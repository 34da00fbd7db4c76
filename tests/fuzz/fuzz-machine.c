/*
 * hamt86 fuzz harnesses: the machine fuzz-block and fuzz-codegen-* run one
 * guest block on (tests/fuzz/fuzz.h).  The whole engine is linked:
 * helpers, the softmmu, devices.
 *
 * Input (both harnesses): byte 0 chooses the state: bit 0 = 16-bit code
 * (CS.B clear), bit 1 = CPL 3 (CS/SS RPL and DPL 3), bit 2 = paging on (an
 * identity page directory with 4 MiB pages), bits 3..7 seed the registers.
 * The rest (at most 4 KiB) is the code, placed at 0x10000 in 2 MiB of
 * zeroed guest RAM.  The block is translated uncached (CF_NOCACHE), so it
 * runs alone: chained or looked-up successors are never entered.
 *
 * Every input starts from the same state without rebuilding it (the
 * first harness reset the CPU and flushed the TB cache per input):
 *
 *   CPU      a copy of the state cpu_reset_multiboot left at init
 *   RAM      zeroed, then the few pages that were not zero at init (the
 *            multiboot GDT) copied back from their saved copies
 *   TBs      the block is CF_NOCACHE and tb_discard_nocache gives its
 *            code and arena space back; only when translation faulted or
 *            found nothing (the TB never entered the TB list) is the
 *            cache flushed
 *   TLB      flushed (softmmu tables, jump cache)
 *   devices  hw_reset: PIC, PIT, RTC/CMOS, i8042 and COM1 as hw_init
 *            left them, whatever an earlier input wrote to their ports
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The start state every input begins from (saved by fuzz_machine_init). */
typedef struct FuzzStart {
    bool done;
    CPUX86State cpu;                          /* before the mode bits */
    uint32_t npages;                          /* non-zero RAM pages */
    uint32_t page[RAM_SIZE / GUEST_PAGE_SIZE];
    uint8_t *data;                            /* npages saved pages */
} FuzzStart;

static FuzzStart start;

/* Set up the machine once: RAM, devices, softmmu, backend, then save the
 * start state. */
void fuzz_machine_init(const HostBackend *backend)
{
    CPUX86State *env = &machine.cpu;

    if (start.done) {
        return;
    }
    start.done = true;
    machine.opt.ram_mib = RAM_SIZE >> 20;
    phys_map_init(env, os_alloc_ram(RAM_SIZE), RAM_SIZE);
    hw_init();
    env->machine = &machine;
    mem_path = &mempath_softmmu;
    host_backend = backend;
    mem_path->init(env);
    tb_init();
    cpu_reset_multiboot(env, CODE_AT, 0);

    start.cpu = *env;
    for (uint32_t p = 0; p < RAM_SIZE; p += GUEST_PAGE_SIZE) {
        for (uint32_t i = 0; i < GUEST_PAGE_SIZE; i++) {
            if (guest_ram[p + i] != 0) {
                start.page[start.npages++] = p;
                break;
            }
        }
    }
    start.data = os_zalloc((size_t)start.npages * GUEST_PAGE_SIZE +
                           (start.npages == 0));
    for (uint32_t k = 0; k < start.npages; k++) {
        memcpy(start.data + (size_t)k * GUEST_PAGE_SIZE,
               guest_ram + start.page[k], GUEST_PAGE_SIZE);
    }
}

/* Put RAM and the CPU back to the saved start state. */
static void fuzz_restore(CPUX86State *env)
{
    memset(guest_ram, 0, RAM_SIZE);
    for (uint32_t k = 0; k < start.npages; k++) {
        memcpy(guest_ram + start.page[k],
               start.data + (size_t)k * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
    }
    *env = start.cpu;
    hw_reset();
    machine.exit_requested = false;
    tb_next_cflags = 0;
}

/* The start state for input data (size >= 1): RAM, code, CPU, TLB. */
void fuzz_machine_start(const uint8_t *data, size_t size)
{
    CPUX86State *env = &machine.cpu;
    uint8_t mode = data[0];
    size_t n = size - 1 > CODE_MAX ? CODE_MAX : size - 1;

    fuzz_restore(env);
    memcpy(guest_ram + CODE_AT, data + 1, n);
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
}

/*
 * Translate the block at the start state, uncached; NULL if translation
 * faulted (a guest exception longjmped out).  An os_exit (os_fatal) while
 * translating guest code would end the emulator: that aborts, a finding.
 */
TranslationBlock *fuzz_machine_translate(void)
{
    CPUX86State *env = &machine.cpu;
    static TranslationBlock *volatile tb;

    tb = NULL;
    fuzz_exit_armed = true;
    if (setjmp(fuzz_exit_jb) == 0) {
        if (cpu_setjmp(env->jmp_env) == 0) {
            tb = tb_gen_code(env, env->eip, env->segs[R_CS].base,
                             cpu_tb_flags(env), CF_NOCACHE);
        }
    } else {
        fprintf(stderr, "fuzz: the engine exited while translating the "
                "block (os_fatal above)\n");
        abort();
    }
    fuzz_exit_armed = false;
    return tb;
}

/* Run tb (from fuzz_machine_translate) once on the backend; false if a
 * guest exception or os_exit ended it early. */
bool fuzz_machine_exec(TranslationBlock *tb)
{
    CPUX86State *env = &machine.cpu;
    volatile bool done = false;

    fuzz_exit_armed = true;
    if (setjmp(fuzz_exit_jb) == 0) {
        if (cpu_setjmp(env->jmp_env) == 0) {
            host_backend->exec(env, tb);
            done = true;
        }
    }
    fuzz_exit_armed = false;
    return done;
}

/* Give back what the input's TB took (tb: fuzz_machine_translate's). */
void fuzz_machine_finish(TranslationBlock *tb)
{
    if (tb != NULL && tb->icount != 0) {
        tb_discard_nocache(tb);
    } else {
        /* translation faulted or found nothing: the TB never entered the
         * TB list, so discard cannot give its arena space back */
        tb_flush(&machine.cpu);
    }
}
