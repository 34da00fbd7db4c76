/*
 * hamt86 - the bare-metal front end (os/bm/: LoongArch virt, MIPS malta).
 * No file system: cross/run-bm puts one boot block in board RAM with
 * `-device loader,file=BLOCK,addr=BM_BOOTBLOCK_PA,force-raw=on` (0x90000000
 * on LoongArch virt, 0x0c000000 on MIPS malta), holding the hamt86
 * arguments and the files they name (--kernel, --initrd):
 *
 *   offset  size
 *   0       8    magic "HAMT86BM"
 *   8       4    version (2; version 1 carried one kernel and no table)
 *   12      4    header bytes (64)
 *   16      4    argument bytes: NUL-terminated strings, back to back
 *   20      4    file count (at most BOOT_MAX_FILES)
 *   24      40   zero
 *   64           file table, one 16-byte entry per file:
 *                  +0  offset of the file's bytes in the block
 *                  +4  its size in bytes
 *                  +8  CRC-32 (IEEE) of those bytes
 *                  +12 offset of its name in the block: the path exactly
 *                      as the arguments spell it, NUL-terminated
 *   then         the arguments, the names, then each file's bytes at a
 *                16-byte aligned offset, all inside the block
 *
 * (QEMU 7.2's virt board passes no command line to an ELF -kernel, so
 * -append cannot carry the options.)  The block becomes argv for the
 * shared option parser (frontend/options.c), with argv[0] = "hamt86"; the
 * shared loader (frontend/kernel.c, linux.c, multiboot.c) reads the files
 * through frontend_read_file, which finds them here by path.  A first
 * argument --bm-test=NAME runs a self-test of the OS layer instead.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"
#include "frontend/options.h"
#include "os/bm/bm.h"

#define BOOT_MAGIC     "HAMT86BM"
#define BOOT_VERSION   2
#define BOOT_HDR       64
#define BOOT_MAX_ARGS  64
#define BOOT_MAX_FILES 4
/* Bytes of board RAM the block may use (the high arena follows it). */
#define BOOT_MAX_BYTES BM_BOOTBLOCK_MAX

typedef struct BootBlock {
    char magic[8];
    uint32_t version, header_bytes, arg_bytes, file_count;
    uint32_t zero[10];
} BootBlock;

typedef struct BootFileEntry {
    uint32_t offset, bytes, crc, name;
} BootFileEntry;

_Static_assert(sizeof(BootBlock) == BOOT_HDR, "boot block header layout");
_Static_assert(sizeof(BootFileEntry) == 16, "boot block file entry layout");

/* One checked file of the block. */
typedef struct BootFile {
    const char *name;
    const uint8_t *data;
    size_t bytes;
} BootFile;

/* The block's files once checked (bm_start). */
static struct {
    BootFile files[BOOT_MAX_FILES];
    unsigned n;
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

/* A file of the boot block, by the path the arguments name it with. */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    for (unsigned i = 0; i < boot.n; i++) {
        const BootFile *b = &boot.files[i];
        if (strcmp(b->name, path) != 0) {
            continue;
        }
        /* as the hosted loader: nothing larger than guest RAM fits */
        if (b->bytes > guest_ram_size) {
            return loader_error(path, "larger than the guest RAM (%u MiB): "
                                "%zu bytes (%s that fits, or a larger -m)",
                                guest_ram_size >> 20, b->bytes, what);
        }
        f->data = (uint8_t *)b->data;
        f->len = b->bytes;
        f->cap = 0;
        return true;
    }
    return loader_error(path, "not in the boot block (no file system on "
                        "bare metal: cross/run-bm packs the files that "
                        "--kernel and --initrd name; %s)", what);
}

/* The boot block's files stay where they are. */
void frontend_free_file(FileData *f)
{
    f->data = NULL;
}

/* Board RAM the boot block occupies (the allocator starts after it). */
size_t bm_bootblock_bytes(void)
{
    const BootBlock *b = (const BootBlock *)BM_CACHED(BM_BOOTBLOCK_PA);
    const BootFileEntry *e = (const BootFileEntry *)(b + 1);
    uint64_t n = BOOT_HDR;

    if (memcmp(b->magic, BOOT_MAGIC, 8) != 0) {
        return 0;
    }
    if (b->version != BOOT_VERSION || b->file_count > BOOT_MAX_FILES) {
        return ALIGN_UP((size_t)BOOT_MAX_BYTES, 1u << 20);
    }
    for (uint32_t i = 0; i < b->file_count; i++) {
        n = MAX(n, (uint64_t)e[i].offset + e[i].bytes);
    }
    return (size_t)ALIGN_UP(MIN(n, (uint64_t)BOOT_MAX_BYTES), 1u << 20);
}

/* A NUL-terminated string at offset off of the block, or NULL. */
static const char *block_string(const BootBlock *b, uint32_t off)
{
    const char *s = (const char *)b + off;

    if (off < BOOT_HDR || off >= BOOT_MAX_BYTES) {
        return NULL;
    }
    for (size_t i = 0; off + i < BOOT_MAX_BYTES && i < 4096; i++) {
        if (s[i] == '\0') {
            return s;
        }
    }
    return NULL;
}

/* Check the block's file table and each file's CRC; fill boot.files. */
static void check_files(const BootBlock *b, size_t args_end)
{
    const BootFileEntry *e = (const BootFileEntry *)(b + 1);

    for (uint32_t i = 0; i < b->file_count; i++) {
        const char *name = block_string(b, e[i].name);
        uint32_t crc;

        if (name == NULL || e[i].offset < args_end || (e[i].offset & 15) ||
            (uint64_t)e[i].offset + e[i].bytes > BOOT_MAX_BYTES) {
            os_fatal(2, "boot block: file %u: bad table entry (offset %#x, "
                     "%u bytes, name at %#x; expected a 16-byte aligned "
                     "file after the arguments, inside the block's %u MiB, "
                     "and a NUL-terminated name)", i, e[i].offset,
                     e[i].bytes, e[i].name, BOOT_MAX_BYTES >> 20);
        }
        crc = crc32_ieee((const uint8_t *)b + e[i].offset, e[i].bytes);
        if (crc != e[i].crc) {
            os_fatal(2, "boot block: %s: guest image corrupt (CRC-32 "
                     "%#x, expected %#x over %u bytes)", name, crc,
                     e[i].crc, e[i].bytes);
        }
        boot.files[i] = (BootFile){ name, (const uint8_t *)b + e[i].offset,
                                    e[i].bytes };
    }
    boot.n = b->file_count;
}

/* Check the boot block, build argv, run the shared front end. */
int bm_start(void)
{
    const BootBlock *b = (const BootBlock *)BM_CACHED(BM_BOOTBLOCK_PA);
    const char *args;
    static char *argv[BOOT_MAX_ARGS + 2];
    int argc = 0;
    size_t i, args_off;

    if (memcmp(b->magic, BOOT_MAGIC, 8) != 0) {
        os_fatal(2, "no boot block at physical %#llx (expected magic "
                 "\"HAMT86BM\"; start the board with cross/run-bm, or "
                 "-device loader,file=BLOCK,addr=%#llx,force-raw=on)",
                 (unsigned long long)BM_BOOTBLOCK_PA,
                 (unsigned long long)BM_BOOTBLOCK_PA);
    }
    args_off = BOOT_HDR + (size_t)MIN(b->file_count, 1024u) *
               sizeof(BootFileEntry);
    if (b->version != BOOT_VERSION || b->header_bytes != BOOT_HDR ||
        b->arg_bytes > 65536 || b->file_count > BOOT_MAX_FILES) {
        os_fatal(2, "boot block: bad header (version %u, header %u bytes, "
                 "arguments %u bytes, %u files; expected version %u (the "
                 "cross/run-bm of this tree), 64, at most 64 KiB and %u "
                 "files)", b->version, b->header_bytes, b->arg_bytes,
                 b->file_count, BOOT_VERSION, BOOT_MAX_FILES);
    }
    args = (const char *)b + args_off;
    if (b->arg_bytes != 0 && args[b->arg_bytes - 1] != '\0') {
        os_fatal(2, "boot block: the arguments do not end with a NUL");
    }
    check_files(b, args_off + b->arg_bytes);
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
