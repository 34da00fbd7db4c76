/*
 * hamt86 - floatx80 transcendentals: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN,
 * FSIN, FCOS, FSINCOS.
 *
 * First version: domain rules and special operands only; the finite cases
 * return the QNaN indefinite with IE until the kernels land.
 */
#include "fpu/x80-internal.h"

/* Not yet computed: flag as invalid. */
static floatx80 trans_todo(X80Status *s)
{
    x80_set_cc(s, X80_C1, 0);
    return x80_invalid(s);
}

/* F2XM1. */
floatx80 x80_f2xm1(floatx80 a, X80Status *s)
{
    return trans_todo(s);
}

/* FYL2X. */
floatx80 x80_fyl2x(floatx80 x, floatx80 y, X80Status *s)
{
    return trans_todo(s);
}

/* FYL2XP1. */
floatx80 x80_fyl2xp1(floatx80 x, floatx80 y, X80Status *s)
{
    return trans_todo(s);
}

/* FPTAN. */
bool x80_fptan(floatx80 a, floatx80 *res, X80Status *s)
{
    *res = trans_todo(s);
    return true;
}

/* FPATAN. */
floatx80 x80_fpatan(floatx80 x, floatx80 y, X80Status *s)
{
    return trans_todo(s);
}

/* FSIN. */
bool x80_fsin(floatx80 a, floatx80 *res, X80Status *s)
{
    *res = trans_todo(s);
    return true;
}

/* FCOS. */
bool x80_fcos(floatx80 a, floatx80 *res, X80Status *s)
{
    *res = trans_todo(s);
    return true;
}

/* FSINCOS. */
bool x80_fsincos(floatx80 a, floatx80 *sin_out, floatx80 *cos_out,
                 X80Status *s)
{
    *sin_out = trans_todo(s);
    *cos_out = *sin_out;
    return true;
}
