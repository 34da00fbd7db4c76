/*
 * hamt86 - the IR helper table.
 *
 * Every family lists its helpers in translator/helpers-<family>.def; this
 * file declares their C prototypes and builds ir_helpers[] in HELPER_* id
 * order (translator/helpers.h).
 */
#include "core/cpu.h"
#include "ir/ir.h"
#include "translator/helpers.h"

/* Prototype by (has_ret, nargs): uint32_t/void helper_x(env, uint32_t...). */
#define HPROTO_0_0(n) void n(CPUX86State *env);
#define HPROTO_0_1(n) void n(CPUX86State *env, uint32_t);
#define HPROTO_0_2(n) void n(CPUX86State *env, uint32_t, uint32_t);
#define HPROTO_0_3(n) void n(CPUX86State *env, uint32_t, uint32_t, uint32_t);
#define HPROTO_0_4(n) void n(CPUX86State *env, uint32_t, uint32_t, uint32_t, \
                             uint32_t);
#define HPROTO_1_0(n) uint32_t n(CPUX86State *env);
#define HPROTO_1_1(n) uint32_t n(CPUX86State *env, uint32_t);
#define HPROTO_1_2(n) uint32_t n(CPUX86State *env, uint32_t, uint32_t);
#define HPROTO_1_3(n) uint32_t n(CPUX86State *env, uint32_t, uint32_t, \
                                 uint32_t);
#define HPROTO_1_4(n) uint32_t n(CPUX86State *env, uint32_t, uint32_t, \
                                 uint32_t, uint32_t);
#define HPROTO(r, a, n) HPROTO_##r##_##a(n)

#define DEF_HELPER(name, nargs, has_ret, flags) \
    HPROTO(has_ret, nargs, helper_##name)
#include "translator/helpers-all.def"
#undef DEF_HELPER

const IRHelperInfo ir_helpers[] = {
#define DEF_HELPER(name, nargs, has_ret, flags) \
    [HELPER_##name] = { #name, (void *)helper_##name, nargs, has_ret, flags },
#include "translator/helpers-all.def"
#undef DEF_HELPER
};

const unsigned ir_nb_helpers = ARRAY_SIZE(ir_helpers);

BUILD_ASSERT(ARRAY_SIZE(ir_helpers) == HELPER_COUNT);
