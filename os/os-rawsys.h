/*
 * hamt86 - extras of the raw-syscall OS layer (os/os-rawsys.c) for the
 * freestanding front end (frontend/main-min.c): file reading and log files.
 * The engine core uses core/os.h only.
 */
#ifndef HAMT86_OS_RAWSYS_H
#define HAMT86_OS_RAWSYS_H

#include "core/base.h"

/*
 * Read the file at path into memory from os_zalloc: *buf, *len bytes of
 * content in a *cap byte allocation (os_free(*buf, *cap) releases it).
 * Returns 0 or -errno (a directory gives -EISDIR; a file with more than
 * max bytes -EFBIG, after reading at most max + 1 of them).
 */
int rawsys_read_file(const char *path, uint8_t **buf, size_t *len,
                     size_t *cap, size_t max);
/* Create or truncate path for writing (mode 0644): the fd or -errno. */
int rawsys_open_write(const char *path);
/* Text of a positive errno value ("No such file or directory"...). */
const char *rawsys_strerror(int err);

#endif
