/*
 * hamt86 fuzz harness: the kernel loaders on an image in memory, loading
 * into 16 MiB of guest RAM: every format whose probe accepts the image
 * (frontend/multiboot.c: ELF header, program headers, the multiboot header
 * and flags, .symtab, the multiboot information structure;
 * frontend/linux.c: the bzImage setup header, zero page, e820, command
 * line).  Rejections print one line on stderr.
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

/* libFuzzer entry: load data as a kernel. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    LoadedKernel k;

    if (!init) {
        init = true;
        phys_map_init(&machine.cpu, os_alloc_ram(RAM_SIZE), RAM_SIZE);
    }
    for (size_t i = 0; i < 2; i++) {
        const KernelFormat *fmt = i ? &kernel_format_linux
                                    : &kernel_format_multiboot;
        BootRequest req = { .kernel = "fuzz.img", .append = "console=ttyS0" };
        FileData file = { (uint8_t *)data, size, size };

        if (!fmt->probe(data, size)) {
            continue;
        }
        memset(&k, 0, sizeof(k));
        if (fmt->load(&req, &file, NULL, &k)) {
            /* what it reports must lie in RAM */
            if (k.info >= RAM_SIZE || k.low > k.high) {
                __builtin_trap();
            }
        }
    }
    return 0;
}
