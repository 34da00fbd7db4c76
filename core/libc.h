/*
 * hamt86 - the libc subset the freestanding core uses.
 *
 * Hosted builds get these from the C library; the freestanding build
 * (os/freestanding/libc-min.c) provides them itself.  h_vsnprintf is always
 * ours (core/fmt.c) so that output is identical on every host.
 */
#ifndef HAMT86_LIBC_H
#define HAMT86_LIBC_H

#include "core/base.h"

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* printf-style formatting: %d %i %u %x %X %o %c %s %p %%, flags "-0+ #",
 * width/precision (incl. '*'), length modifiers hh h l ll z t j. */
int h_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int h_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_FMT(3, 4);

#endif
