/*
 * hamt86 - softmmu watchpoints (softmmu-watch.c): the linear ranges that
 * --watch asked for.  A TLB entry over a watched page carries TLB_WATCH,
 * so every access to it reaches the slow path, which calls watch_hit.
 * mem_watch_insert and mem_watch_test are the public side (core/mem.h).
 */
#ifndef HAMT86_SOFTMMU_WATCH_H
#define HAMT86_SOFTMMU_WATCH_H

#include "core/base.h"
#include "core/cpu.h"

/* Flags (WP_READ, WP_WRITE, WP_STOP) of the watchpoints overlapping
 * linear [addr, addr + len); 0 when none does. */
unsigned watch_match(uint32_t addr, uint32_t len);

/* An access of kind WP_READ or WP_WRITE at addr: log it if watched (old:
 * the RAM bytes before a store, or NULL), stop the guest for WP_STOP. */
void watch_hit(CPUX86State *env, uint32_t addr, unsigned size,
               unsigned kind, uint32_t val, const uint8_t *old,
               uintptr_t ra);

#endif
