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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
