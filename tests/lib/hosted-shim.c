/*
 * hamt86 - hosted stand-ins for the engine's logging and formatting
 * functions (core/log.c, core/fmt.c), shared by the hosted unit and encoder
 * tests so they link their pieces of the engine without the rest of it.
 * hlog writes to stderr, like the engine's default log_fd.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/libc.h"
#include "core/log.h"

uint32_t log_mask;
int log_fd = 2;

/* hlog over the C library's vfprintf. */
void hlog(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

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
