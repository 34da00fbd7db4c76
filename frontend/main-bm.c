/*
 * hamt86 - the bare-metal front end (os/bm/: LoongArch virt, MIPS malta).
 * No file system: cross/run-bm puts one boot block in board RAM with
 * `-device loader,file=BLOCK,addr=BM_BOOTBLOCK_PA,force-raw=on` (0x90000000
 * on LoongArch virt, 0x0c000000 on MIPS malta), holding the
 * hamt86 arguments and the guest kernel image:
 *
 *   offset  size
 *   0       8    magic "HAMT86BM"
 *   8       4    version (1)
 *   12      4    header bytes (64)
 *   16      4    argument bytes: NUL-terminated strings, back to back
 *   20      4    kernel bytes (0: no kernel)
 *   24      4    CRC-32 (IEEE) of the kernel bytes
 *   28      36   zero
 *   64           the arguments, then the kernel at 64 + ALIGN_UP(args, 16)
 *
 * (QEMU 7.2's virt board passes no command line to an ELF -kernel, so
 * -append cannot carry the options.)  The block becomes argv for the
 * shared option parser (frontend/options.c), with argv[0] = "hamt86";
 * --kernel NAME only names the image in messages.  A first argument
 * --bm-test=NAME runs a self-test of the OS layer instead.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/os.h"
#include "frontend/loader.h"
#include "frontend/options.h"
#include "os/bm/bm.h"

#define BOOT_MAGIC   "HAMT86BM"
#define BOOT_HDR     64
#define BOOT_MAX_ARGS 64
/* Bytes of board RAM the block may use (the high arena follows it). */
#define BOOT_MAX_BYTES BM_BOOTBLOCK_MAX

typedef struct BootBlock {
    char magic[8];
    uint32_t version, header_bytes, arg_bytes, kernel_bytes, kernel_crc;
    uint32_t zero[9];
} BootBlock;

_Static_assert(sizeof(BootBlock) == BOOT_HDR, "boot block header layout");

/* The block's kernel image once checked (bm_start). */
static struct {
    const uint8_t *kernel;
    size_t kernel_bytes;
} boot;

/* CRC-32 (IEEE 802.3, reflected), bitwise over a nibble table. */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
        0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
        0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
    };
    uint32_t c = 0xffffffffu;

    while (n--) {
        c ^= *p++;
        c = (c >> 4) ^ t[c & 15];
        c = (c >> 4) ^ t[c & 15];
    }
    return ~c;
}

void frontend_print_help(void)
{
    options_print_help(1, FRONTEND_FREESTANDING);
}

/* -D: there is no file system on the board. */
int frontend_open_logfile(const char *path, const char **why)
{
    (void)path;
    *why = "no file system on bare metal (logs go to the console: omit -D)";
    return -1;
}

/* The kernel comes from the boot block (path names it in messages); there
 * is no other file (-initrd is refused). */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    if (boot.kernel == NULL) {
        return loader_error(path, "no guest image in the boot block "
                            "(cross/run-bm puts it there; %s)", what);
    }
    if (strncmp(what, "expected an initrd", 18) == 0) {
        return loader_error(path, "no file system on bare metal: only the "
                            "boot block's kernel can be loaded (%s)", what);
    }
    f->data = (uint8_t *)boot.kernel;
    f->len = boot.kernel_bytes;
    f->cap = 0;
    return true;
}

/* The boot block's image stays where it is. */
void frontend_free_file(FileData *f)
{
    f->data = NULL;
}

/* Board RAM the boot block occupies (the allocator starts after it). */
size_t bm_bootblock_bytes(void)
{
    const BootBlock *b = (const BootBlock *)BM_CACHED(BM_BOOTBLOCK_PA);
    uint64_t n;

    if (memcmp(b->magic, BOOT_MAGIC, 8) != 0) {
        return 0;
    }
    n = (uint64_t)BOOT_HDR + ALIGN_UP((uint64_t)b->arg_bytes, 16) +
        b->kernel_bytes;
    return (size_t)ALIGN_UP(MIN(n, (uint64_t)BOOT_MAX_BYTES), 1u << 20);
}

/* Check the boot block, build argv, run the shared front end. */
int bm_start(void)
{
    const BootBlock *b = (const BootBlock *)BM_CACHED(BM_BOOTBLOCK_PA);
    const char *args = (const char *)b + BOOT_HDR;
    static char *argv[BOOT_MAX_ARGS + 2];
    int argc = 0;
    size_t i, kern_off;

    if (memcmp(b->magic, BOOT_MAGIC, 8) != 0) {
        os_fatal(2, "no boot block at physical %#llx (expected magic "
                 "\"HAMT86BM\"; start the board with cross/run-bm, or "
                 "-device loader,file=BLOCK,addr=%#llx,force-raw=on)",
                 (unsigned long long)BM_BOOTBLOCK_PA,
                 (unsigned long long)BM_BOOTBLOCK_PA);
    }
    if (b->version != 1 || b->header_bytes != BOOT_HDR ||
        b->arg_bytes > 65536 ||
        (uint64_t)BOOT_HDR + ALIGN_UP(b->arg_bytes, 16) + b->kernel_bytes >
        BOOT_MAX_BYTES) {
        os_fatal(2, "boot block: bad header (version %u, header %u bytes, "
                 "arguments %u bytes, kernel %u bytes; expected version 1, "
                 "64, at most 64 KiB, and a block of at most %u MiB)",
                 b->version, b->header_bytes, b->arg_bytes, b->kernel_bytes,
                 BOOT_MAX_BYTES >> 20);
    }
    if (b->arg_bytes != 0 && args[b->arg_bytes - 1] != '\0') {
        os_fatal(2, "boot block: the arguments do not end with a NUL");
    }
    kern_off = BOOT_HDR + ALIGN_UP(b->arg_bytes, 16);
    if (b->kernel_bytes != 0) {
        uint32_t crc = crc32_ieee((const uint8_t *)b + kern_off,
                                  b->kernel_bytes);
        if (crc != b->kernel_crc) {
            os_fatal(2, "boot block: guest image corrupt (CRC-32 %#x, "
                     "expected %#x over %u bytes)", crc, b->kernel_crc,
                     b->kernel_bytes);
        }
        boot.kernel = (const uint8_t *)b + kern_off;
        boot.kernel_bytes = b->kernel_bytes;
    }
    argv[argc++] = "hamt86";
    for (i = 0; i < b->arg_bytes; i += strlen(args + i) + 1) {
        if (argc > BOOT_MAX_ARGS) {
            os_fatal(2, "boot block: more than %d arguments", BOOT_MAX_ARGS);
        }
        argv[argc++] = (char *)(args + i);
    }
    argv[argc] = NULL;
    if (argc > 1 && strncmp(argv[1], "--bm-test=", 10) == 0) {
        return bm_selftest(argv[1] + 10);    /* os/bm/bm-selftest.c */
    }
    return frontend_main(argc, argv, FRONTEND_FREESTANDING);
}
