/*
 * hamt86 - kernel loading.  frontend/kernel.c reads the files (through the
 * front end's file glue), tells the kernel format by content and loads it
 * with that format's hooks: frontend/multiboot.c (multiboot ELF32, as
 * qemu-system-i386 -kernel) and frontend/linux.c (Linux bzImage, the
 * 32-bit boot protocol).  All three are freestanding, shared by both front
 * ends; frontend/loader.c (hosted, glib) and frontend/main-min.c
 * (freestanding, raw syscalls) only read files.
 */
#ifndef HAMT86_LOADER_H
#define HAMT86_LOADER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct CPUX86State;
struct KernelFormat;

/* What the command line asks to boot (-kernel, -initrd, -append). */
typedef struct BootRequest {
    const char *kernel;
    const char *initrd;       /* NULL: none */
    const char *append;       /* NULL: none */
} BootRequest;

/* A whole file in host memory (front-end glue owns the buffer). */
typedef struct FileData {
    uint8_t *data;
    size_t len;
    size_t cap;               /* allocation size, for the freeing glue */
} FileData;

typedef struct LoadedKernel {
    const struct KernelFormat *fmt;
    uint32_t entry;       /* physical entry point */
    uint32_t info;        /* multiboot info / Linux zero page (physical) */
    uint32_t gdt;         /* physical address of the loader's GDT, or 0 */
    uint32_t low, high;   /* physical extent of the loaded image */
} LoadedKernel;

/*
 * One kernel image format: a row of kernel_formats[] (frontend/kernel.c).
 *   probe  does buf[0..len) look like this format (magic numbers only)?
 *   load   check it, copy it into guest RAM (set up by phys_map_init),
 *          build the boot information; on error print
 *          "hamt86: <file>: <what> (expected ...)" and return false
 *   enter  put the CPU in the state the format's entry expects
 */
typedef struct KernelFormat {
    const char *name;
    bool (*probe)(const uint8_t *buf, size_t len);
    bool (*load)(const BootRequest *req, const FileData *kernel,
                 const FileData *initrd, LoadedKernel *out);
    void (*enter)(struct CPUX86State *env, const LoadedKernel *k);
} KernelFormat;

extern const KernelFormat kernel_format_multiboot;   /* frontend/multiboot.c */
extern const KernelFormat kernel_format_linux;       /* frontend/linux.c */

/* One range of the PC's physical memory map (e820 / multiboot mmap). */
typedef struct PCMemoryRange {
    uint64_t base, len;
    uint32_t type;            /* PC_MEM_RAM or PC_MEM_RESERVED */
} PCMemoryRange;

#define PC_MEM_RAM          1
#define PC_MEM_RESERVED     2
#define PC_MEMORY_MAP_MAX   5

/*
 * The memory map of an isapc machine with ram bytes of RAM, as SeaBIOS
 * reports it under qemu-system-i386 -M isapc (frontend/kernel.c); fills
 * map[] and returns the number of ranges.
 */
unsigned pc_memory_map(uint32_t ram, PCMemoryRange map[PC_MEMORY_MAP_MAX]);

/*
 * Read the files of req, tell the kernel's format and load it
 * (frontend/kernel.c).  On error prints "hamt86: <file>: <reason>" and
 * returns false.
 */
bool load_kernel(const BootRequest *req, LoadedKernel *out);

/*
 * Front-end glue: read the whole file at path into *f.  what says what
 * the file should be, for "is a directory (expected ...)".  On error
 * prints "hamt86: <path>: <reason>" and returns false.
 */
bool frontend_read_file(const char *path, const char *what, FileData *f);
/* Free what frontend_read_file read. */
void frontend_free_file(FileData *f);

/* Print "hamt86: <path>: <message>" on stderr; returns false. */
bool loader_error(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
