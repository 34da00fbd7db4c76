/*
 * hamt86 - helper ids.  Each family lists its helpers in its own
 * translator/helpers-<family>.def (DEF_HELPER(name, nargs, has_ret, flags));
 * helpers.c builds ir_helpers[] from all of them.  The C function for
 * DEF_HELPER(foo, ...) is helper_foo(CPUX86State *env, uint32_t ...).
 */
#ifndef HAMT86_HELPERS_H
#define HAMT86_HELPERS_H

#include "core/cpu.h"

enum {
#define DEF_HELPER(name, nargs, has_ret, flags) HELPER_##name,
#include "translator/helpers-all.def"
#undef DEF_HELPER
    HELPER_COUNT
};

#endif
