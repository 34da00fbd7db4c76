/*
 * hamt86 difftest: the part of the runner shared by the native (Linux
 * i386) and the guest (multiboot) builds.
 *
 * Blob layout (little-endian, written by gen.py):
 *   header:   "DIFT" | u32 count | u32 seed | u32 batch
 *   sequence: u32 regs[8] (EAX..EDI; ESP slot ignored) | u32 eflags |
 *             u32 memseed | u16 codelen | code[codelen] | pad to 4
 *             (eflags bits 31/30: DT_SEQ_FPU / DT_SEQ_TRANS)
 *
 * Fixed addresses (identical in both runners, so generated code may use
 * absolute addresses):
 *   SCRATCH   0x02000000  2 KiB: data 0x000-0x3ff, stack (ESP = +0x600)
 *   CODE      0x03000000  +0: return pointer, +16: the sequences
 */
#ifndef DIFFTEST_RUNNER_H
#define DIFFTEST_RUNNER_H

#include <stdint.h>
#include <stddef.h>

#define DT_SCRATCH      0x02000000u
#define DT_SCRATCH_SIZE 0x800u
#define DT_STACK_TOP    (DT_SCRATCH + 0x600u)
#define DT_CODE         0x03000000u
#define DT_CODE_SIZE    0x00400000u
#define DT_MAX_SEQ      20000
/* EFLAGS bits the runners load and report. */
#define DT_EFLAGS_MASK  0x0cd5u

/* Line sink: the runner prints one line per sequence through it. */
typedef void DtEmitFn(const char *s, size_t n);

/* Run every sequence of the blob; returns the number run, or -1. */
int dt_run_all(const uint8_t *blob, size_t len, DtEmitFn *emit);

/* runner.S */
void dt_run_seq(const uint32_t *in, uint32_t code);
extern uint32_t dt_out[9];
/* The 32-bit protected-mode FNSAVE image taken after the sequence. */
extern uint32_t dt_fpu[27];
/* eflags word bits of a sequence header: x87/MMX sequence (an F line is
 * printed), ending in a transcendental. */
#define DT_SEQ_FPU   0x80000000u
#define DT_SEQ_TRANS 0x40000000u
void dt_seq_return(void);

#endif
