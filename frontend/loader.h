/*
 * hamt86 - multiboot ELF kernel loader (frontend/loader.c).
 */
#ifndef HAMT86_LOADER_H
#define HAMT86_LOADER_H

#include <stdint.h>
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

#endif
