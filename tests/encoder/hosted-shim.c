/*
 * hamt86 - hosted stand-ins for the engine's formatting functions, so the
 * encoder tests link the disassemblers without the rest of the engine.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/libc.h"

/* h_vsnprintf over the C library's vsnprintf (same conversions we use). */
int h_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return vsnprintf(buf, size, fmt, ap);
}

/* h_snprintf over h_vsnprintf. */
int h_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = h_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}
