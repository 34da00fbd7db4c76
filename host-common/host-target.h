/*
 * hamt86 - the target description of the host this binary is built for
 * (one native backend per build, chosen by meson: HAMT86_HOST_*).  Each
 * *-target.h ends with the register-class block host-common reads:
 *
 *   HOST_NAME              "mips", "loongarch" (messages)
 *   HOST_REG_ZERO          hardwired zero register
 *   HOST_REG_GUEST0        guest register i lives in HOST_REG_GUEST0 + i
 *   HOST_REG_TMP0          scratch that is never a helper argument
 *   HOST_REG_TMP2          a second such scratch (slow-path marshalling)
 *   HOST_REG_SP, HOST_REG_ENV  stack pointer, env
 *   HOST_REG_RAMBASE       HAMT window base of L->win_idx
 *   HOST_REG_RET           helper return value
 *   HOST_REG_ARG(i)        helper argument i (0: env)
 *   HOST_POOL_MASK         allocatable registers (all caller-saved)
 *   HOST_POOL_FIRST/LAST   lowest / highest register of the pool
 *   HOST_SPILL_OFF         frame offset of temp 0's 4-byte home slot
 *   HOST_SLOWSAVE_OFF      frame offset of the slow path's 32 x 8 save area
 *   HOST_LOWER_FIELDS      target-private members of Lower
 */
#ifndef HAMT86_HOST_TARGET_H
#define HAMT86_HOST_TARGET_H

#if defined(HAMT86_HOST_MIPS)
#include "host-mips/mips-target.h"
#elif defined(HAMT86_HOST_LOONGARCH)
#include "host-loongarch/la-target.h"
#else
#error "host-common: no native host backend in this build"
#endif

#endif
