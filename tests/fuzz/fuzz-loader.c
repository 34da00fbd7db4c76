/*
 * hamt86 fuzz harness: the kernel loaders on an image in memory, loading
 * into 16 MiB of guest RAM: every format whose probe accepts the image
 * (frontend/multiboot.c: ELF header, program headers, the multiboot header
 * and flags, .symtab, the multiboot information structure;
 * frontend/linux.c: the bzImage setup header, zero page, e820, command
 * line, initrd placement).  Rejections print one line on stderr.
 *
 * Each accepted image loads twice: without an initrd, and with one whose
 * length comes from the image's last three bytes (up to 16 MiB + 64 KiB,
 * so "too large" and "does not fit" are reachable as well as a fit).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE (16u << 20)
#define INITRD_MAX (RAM_SIZE + (64u << 10))

/* The initrd length an input asks for: its last three bytes, bounded. */
static size_t initrd_len(const uint8_t *data, size_t size)
{
    size_t n;

    if (size < 3) {
        return 0;
    }
    n = data[size - 1] | data[size - 2] << 8 | (size_t)data[size - 3] << 16;
    return n % (INITRD_MAX + 1);
}

/* libFuzzer entry: load data as a kernel. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    static uint8_t rd[INITRD_MAX];
    LoadedKernel k;

    if (!init) {
        init = true;
        phys_map_init(&machine.cpu, os_alloc_ram(RAM_SIZE), RAM_SIZE);
    }
    for (size_t i = 0; i < 4; i++) {
        const KernelFormat *fmt = i & 2 ? &kernel_format_linux
                                        : &kernel_format_multiboot;
        BootRequest req = { .kernel = "fuzz.img", .append = "console=ttyS0" };
        FileData file = { (uint8_t *)data, size, size };
        FileData initrd = { rd, initrd_len(data, size), INITRD_MAX };

        if (!fmt->probe(data, size)) {
            continue;
        }
        if (i & 1) {
            req.initrd = "fuzz.initrd";
        }
        memset(&k, 0, sizeof(k));
        if (fmt->load(&req, &file, i & 1 ? &initrd : NULL, &k)) {
            /* what it reports must lie in RAM */
            if (k.info >= RAM_SIZE || k.low > k.high) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
