/*
 * hamt86 fuzz harnesses: shared declarations (tests/fuzz/fuzz-stubs.c).
 */
#ifndef HAMT86_FUZZ_H
#define HAMT86_FUZZ_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a wrapped os_exit returns while fuzz_exit_armed is set. */
extern jmp_buf fuzz_exit_jb;
extern volatile bool fuzz_exit_armed;

struct HostBackend;
struct TranslationBlock;

/* --- fuzz-machine.c: the one-block machine of fuzz-block, fuzz-codegen --- */

/* Set up the machine once (RAM, devices, softmmu, backend); save the
 * start state. */
void fuzz_machine_init(const struct HostBackend *backend);
/* The start state for input data (size >= 1: mode byte, then code). */
void fuzz_machine_start(const uint8_t *data, size_t size);
/* Translate the block uncached; NULL if translation faulted. */
struct TranslationBlock *fuzz_machine_translate(void);
/* Run tb once on the backend; false if it ended early (exception, exit). */
bool fuzz_machine_exec(struct TranslationBlock *tb);
/* Give back what the input's TB took. */
void fuzz_machine_finish(struct TranslationBlock *tb);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
