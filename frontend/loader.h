/*
 * hamt86 - multiboot ELF kernel loading: frontend/multiboot.c checks and
 * loads an image in memory (freestanding, shared by both front ends);
 * frontend/loader.c (hosted) and frontend/main-min.c (freestanding) read
 * the file.
 */
#ifndef HAMT86_LOADER_H
#define HAMT86_LOADER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef struct LoadedKernel {
    uint32_t entry;       /* physical entry point */
    uint32_t mbi;         /* physical address of the multiboot info */
    uint32_t low, high;   /* physical extent of the loaded image */
} LoadedKernel;

/*
 * Load the multiboot ELF32 i386 kernel at path into guest RAM (already
 * set up by phys_map_init) and build the multiboot information structure.
 * On error prints "hamt86: <path>: <reason>" and returns false.
 */
bool load_multiboot_kernel(const char *path, LoadedKernel *out);

/*
 * The same from the file's contents buf[0..len) (path only names it in
 * messages and becomes the multiboot command line).
 */
bool load_multiboot_image(const char *path, const uint8_t *buf, size_t len,
                          LoadedKernel *out);

/* Print "hamt86: <path>: <message>" on stderr; returns false. */
bool loader_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
