/*
 * hamt86 fuzz harness: the multiboot/ELF32 loader (frontend/multiboot.c:
 * ELF header, program headers, the multiboot header and flags, .symtab,
 * the multiboot information structure) on an image in memory, loading
 * into 16 MiB of guest RAM.  Rejections print one line on stderr.
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
    memset(&k, 0, sizeof(k));
    if (load_multiboot_image("fuzz.elf", data, size, &k)) {
        /* what it reports must lie in RAM */
        if (k.mbi >= RAM_SIZE || k.low > k.high) {
            __builtin_trap();
        }
    }
    return 0;
}
