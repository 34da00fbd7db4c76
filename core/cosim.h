/*
 * hamt86 - co-simulation (--cosim): every TB runs twice, first in the IR
 * interpreter on a shadow copy of the CPU state with a private write
 * overlay for guest memory, then in the real backend; the two results are
 * compared (GPRs, EIP, architectural EFLAGS, exception, every byte the
 * shadow stored).  The first divergence is reported and stops the machine.
 *
 * The runtime calls (core/tb.c, core/cpu-exec.c):
 *   tb_gen_code:  after backend gen_code succeeded,
 *                     if (machine.opt.cosim) cosim_attach(tb, &ir_func);
 *   exec loop:    ret = machine.opt.cosim ? cosim_exec(env, tb)
 *                                         : host_backend->exec(env, tb);
 * Cosim TBs are translated with CF_NOCHAIN and helper_lookup_tb_ptr returns
 * NULL, so one exec runs exactly one TB.
 *
 * TBs calling a helper flagged IRH_IO or IRH_WRITES_MEM, and runs whose
 * shadow touches non-RAM or watched memory, run in the real backend only
 * and count as stats.cosim_skipped; compared TBs count as stats.cosim_tbs.
 */
#ifndef HAMT86_COSIM_H
#define HAMT86_COSIM_H

#include "core/base.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "ir/ir.h"

/* Keep an interpreter shadow of tb (built from its optimised IR f). */
void cosim_attach(TranslationBlock *tb, const IRFunc *f);
/* Run tb in the shadow and in the real backend, compare; returns what the
 * real backend returned (or leaves through cpu_loop_exit like it did). */
uintptr_t cosim_exec(CPUX86State *env, TranslationBlock *tb);

/* Exit status of the machine after a divergence. */
#define COSIM_EXIT_STATUS 3

#endif
