/*
 * hamt86 - -kernel/-initrd/-append: read the files, tell the kernel's
 * format by its content and load it, as qemu-system-i386 -kernel does.
 * Freestanding, shared by both front ends (file reading is their glue:
 * frontend_read_file).
 *
 * Formats are rows of kernel_formats[]; the first whose probe accepts
 * the image loads it:
 *   multiboot  an ELF file ("\x7fELF" at 0): frontend/multiboot.c checks
 *              the rest (ELF32, i386, multiboot header) with its own
 *              messages, as before
 *   linux      "HdrS" at 0x202: a bzImage, frontend/linux.c
 * Anything else is neither, and says so.
 */
#include "core/base.h"
#include "core/libc.h"
#include "frontend/loader.h"

#define EXPECT_KERNEL "expected a multiboot ELF32 i386 kernel or a Linux " \
                      "bzImage"

static const KernelFormat *const kernel_formats[] = {
    &kernel_format_multiboot,
    &kernel_format_linux,
};

/*
 * The isapc memory map:
 *
 *   0x00000000 .. 0x0009fbff   RAM (640 KiB less the EBDA's 1 KiB)
 *   0x0009fc00 .. 0x0009ffff   reserved (EBDA)
 *   0x000f0000 .. 0x000fffff   reserved (the BIOS)
 *   0x00100000 .. RAM end      RAM
 *   0xfffc0000 .. 0xffffffff   reserved (the BIOS's high alias)
 */
unsigned pc_memory_map(uint32_t ram, PCMemoryRange map[PC_MEMORY_MAP_MAX])
{
    unsigned n = 0;

    map[n++] = (PCMemoryRange){ 0, 0x9fc00, PC_MEM_RAM };
    map[n++] = (PCMemoryRange){ 0x9fc00, 0x400, PC_MEM_RESERVED };
    map[n++] = (PCMemoryRange){ 0xf0000, 0x10000, PC_MEM_RESERVED };
    if (ram > 0x100000u) {
        map[n++] = (PCMemoryRange){ 0x100000, ram - 0x100000u, PC_MEM_RAM };
    }
    map[n++] = (PCMemoryRange){ 0xfffc0000u, 0x40000, PC_MEM_RESERVED };
    return n;
}

/* Read the kernel (and initrd), pick the format, load. */
bool load_kernel(const BootRequest *req, LoadedKernel *out)
{
    FileData kernel = { 0 }, initrd = { 0 };
    const KernelFormat *fmt = NULL;
    bool ok;

    memset(out, 0, sizeof(*out));
    if (!frontend_read_file(req->kernel, EXPECT_KERNEL, &kernel)) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(kernel_formats); i++) {
        if (kernel_formats[i]->probe(kernel.data, kernel.len)) {
            fmt = kernel_formats[i];
            break;
        }
    }
    if (fmt == NULL) {
        frontend_free_file(&kernel);
        return loader_error(req->kernel, "neither an ELF file nor a Linux "
                            "bzImage (no \"\\x7fELF\" at offset 0, no "
                            "\"HdrS\" setup header at 0x202; "
                            EXPECT_KERNEL ")");
    }
    if (req->initrd != NULL &&
        !frontend_read_file(req->initrd, "expected an initrd (a cpio "
                            "archive, possibly compressed)", &initrd)) {
        frontend_free_file(&kernel);
        return false;
    }
    ok = fmt->load(req, &kernel, req->initrd ? &initrd : NULL, out);
    out->fmt = fmt;
    if (req->initrd != NULL) {
        frontend_free_file(&initrd);
    }
    frontend_free_file(&kernel);
    return ok;
}
