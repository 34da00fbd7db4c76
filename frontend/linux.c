/*
 * hamt86 - Linux bzImage loading: the 32-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "32-bit boot protocol"), with no BIOS
 * and no real-mode setup code run.  The "linux" row of frontend/kernel.c's
 * formats ("HdrS" at 0x202).  Freestanding, shared by both front ends.
 *
 * The bzImage file:
 *
 *   0x0000  boot sector + real-mode setup, (setup_sects + 1) * 512 bytes
 *           (setup_sects 0 means 4); the setup header starts at 0x1f1
 *           and ends at 0x202 + the byte at 0x201 (the jump's offset)
 *   (setup_sects + 1) * 512 .. end of file
 *           the protected-mode kernel (the compressed kernel and its
 *           decompressor), loaded at 0x100000
 *
 * Guest physical memory at entry:
 *
 *   0x00010000  zero page (struct boot_params, 4 KiB): the setup header
 *               copied from the file at 0x1f1, e820 table at 0x2d0 (count
 *               at 0x1e8), cmd_line_ptr, ramdisk_image/_size, alt_mem_k
 *   0x00011000  GDT: 0x00, 0x08 null; 0x10 __BOOT_CS (flat code, execute/
 *               read); 0x18 __BOOT_DS (flat data, read/write)
 *   0x00020000  command line (-append), NUL terminated, at most the
 *               header's cmdline_size bytes
 *   0x00100000  protected-mode kernel; it needs init_size bytes from its
 *               run address (a relocatable kernel moves up to pref_address
 *               when loaded lower, as Debian's does: 16 MiB)
 *   top of RAM  initrd, 4 KiB aligned, as high as RAM and initrd_addr_max
 *               allow, above the kernel's init_size area
 *
 * The memory map (e820) is the isapc one of frontend/kernel.c
 * (pc_memory_map), as SeaBIOS reports it under qemu-system-i386 -M isapc.
 *
 * Entry (boot.rst): 32-bit protected mode, paging off, interrupts off,
 * CS = __BOOT_CS, DS = ES = SS (and FS, GS) = __BOOT_DS, all flat 4 GiB;
 * GDTR -> the GDT above; ESI -> zero page; EBP = EDI = EBX = 0; EIP =
 * code32_start.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/mem.h"
#include "frontend/loader.h"

/* Setup header fields: offsets in the file's first sector and in the
 * zero page alike (boot.rst "The real-mode kernel header"). */
#define HDR_START          0x1f1
#define HDR_SETUP_SECTS    0x1f1   /* u8 */
#define HDR_JUMP_OFF       0x201   /* u8: header ends at 0x202 + this */
#define HDR_MAGIC          0x202   /* "HdrS" */
#define HDR_VERSION        0x206   /* u16 */
#define HDR_TYPE_OF_LOADER 0x210   /* u8 */
#define HDR_LOADFLAGS      0x211   /* u8 */
#define HDR_CODE32_START   0x214   /* u32 */
#define HDR_RAMDISK_IMAGE  0x218   /* u32 */
#define HDR_RAMDISK_SIZE   0x21c   /* u32 */
#define HDR_CMD_LINE_PTR   0x228   /* u32, protocol 2.02+ */
#define HDR_INITRD_MAX     0x22c   /* u32, 2.03+: last byte the initrd may use */
#define HDR_RELOCATABLE    0x234   /* u8, 2.05+ */
#define HDR_CMDLINE_SIZE   0x238   /* u32, 2.06+ */
#define HDR_PREF_ADDRESS   0x258   /* u64, 2.10+ */
#define HDR_INIT_SIZE      0x260   /* u32, 2.10+ */
#define HDR_END_MAX        0x280   /* the header never goes beyond this */

#define LOADED_HIGH        0x01    /* loadflags bit 0: a bzImage */

/* Zero page (struct boot_params, Documentation/arch/x86/zero-page.rst). */
#define BP_ALT_MEM_K       0x1e0   /* u32: KiB above 1 MiB */
#define BP_E820_ENTRIES    0x1e8   /* u8 */
#define BP_E820_TABLE      0x2d0   /* 20-byte entries: u64 addr, size; u32 type */
#define BP_E820_MAX        128
#define BP_SIZE            0x1000

#define PROTO_MIN          0x0204
#define LOADER_TYPE        0xff    /* "undefined" boot loader */

#define ZP_ADDR            0x00010000u
#define GDT_ADDR           0x00011000u
#define GDT_LIMIT          0x1f
#define CMDLINE_ADDR       0x00020000u
#define CMDLINE_ROOM       0x00010000u
#define KERNEL_ADDR        0x00100000u

#define BOOT_CS            0x10
#define BOOT_DS            0x18

BUILD_ASSERT(BP_E820_TABLE + BP_E820_MAX * 20 <= BP_SIZE);
BUILD_ASSERT(ZP_ADDR + BP_SIZE <= GDT_ADDR);
BUILD_ASSERT(GDT_ADDR + GDT_LIMIT + 1 <= CMDLINE_ADDR);
BUILD_ASSERT(CMDLINE_ADDR + CMDLINE_ROOM <= 0x9fc00u);

static const uint8_t hdrs[4] = { 'H', 'd', 'r', 'S' };

/* Little-endian reads from the image. */
static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

/* Little-endian stores into guest RAM (the caller checked bounds). */
static void wr32(uint32_t phys, uint32_t v)
{
    uint8_t *p = phys_ram_ptr(phys);

    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint32_t phys, uint64_t v)
{
    wr32(phys, (uint32_t)v);
    wr32(phys + 4, (uint32_t)(v >> 32));
}

/* Probe: the setup header's magic. */
static bool linux_probe(const uint8_t *buf, size_t len)
{
    return len >= HDR_MAGIC + 4 && memcmp(buf + HDR_MAGIC, hdrs, 4) == 0;
}

/* What the header tells the loader. */
typedef struct LinuxHeader {
    uint32_t version;
    size_t hdr_end;          /* file offset just past the setup header */
    size_t pm_off, pm_len;   /* the protected-mode kernel in the file */
    uint32_t code32_start;
    uint32_t initrd_max;     /* last byte the initrd may occupy */
    uint32_t cmdline_size;
    uint64_t kernel_end;     /* end of the kernel's init_size area */
} LinuxHeader;

/* Check the setup header of buf[0..len); fill *h. */
static bool parse_header(const char *path, const uint8_t *buf, size_t len,
                         LinuxHeader *h)
{
    unsigned sects;
    uint64_t run, need;

    if (len < HDR_END_MAX) {
        return loader_error(path, "truncated: %zu bytes, shorter than the "
                            "Linux setup header (0x%x bytes; expected a "
                            "bzImage)", len, HDR_END_MAX);
    }
    h->version = rd16(buf + HDR_VERSION);
    if (h->version < PROTO_MIN) {
        return loader_error(path, "Linux boot protocol %u.%02u is too old "
                            "(setup header version at 0x%x; expected 2.04 "
                            "or later, a bzImage of Linux 2.6 or later)",
                            h->version >> 8, h->version & 0xff, HDR_VERSION);
    }
    if (!(buf[HDR_LOADFLAGS] & LOADED_HIGH)) {
        return loader_error(path, "a zImage (loadflags 0x%02x at 0x%x has "
                            "LOADED_HIGH clear: it loads at 0x10000 and "
                            "needs the real-mode setup; expected a bzImage)",
                            buf[HDR_LOADFLAGS], HDR_LOADFLAGS);
    }
    h->hdr_end = 0x202u + buf[HDR_JUMP_OFF];
    if (h->hdr_end > HDR_END_MAX) {
        h->hdr_end = HDR_END_MAX;
    }
    sects = buf[HDR_SETUP_SECTS] ? buf[HDR_SETUP_SECTS] : 4;
    h->pm_off = (size_t)(sects + 1) * 512;
    if (h->pm_off >= len) {
        return loader_error(path, "truncated: the protected-mode kernel "
                            "starts at 0x%zx (setup_sects %u at 0x%x) but "
                            "the file has %zu bytes", h->pm_off, sects,
                            HDR_SETUP_SECTS, len);
    }
    h->pm_len = len - h->pm_off;
    h->code32_start = rd32(buf + HDR_CODE32_START);
    h->initrd_max = rd32(buf + HDR_INITRD_MAX);
    h->cmdline_size = h->version >= 0x0206 ? rd32(buf + HDR_CMDLINE_SIZE)
                                           : 255;
    if (h->cmdline_size >= CMDLINE_ROOM) {
        h->cmdline_size = CMDLINE_ROOM - 1;
    }
    /* where the kernel runs and how much it needs there */
    run = KERNEL_ADDR;
    need = h->pm_len;
    if (h->version >= 0x020a) {
        uint64_t pref = rd32(buf + HDR_PREF_ADDRESS) |
                        (uint64_t)rd32(buf + HDR_PREF_ADDRESS + 4) << 32;
        if (buf[HDR_RELOCATABLE] && pref > run) {
            run = pref;
        }
        if (rd32(buf + HDR_INIT_SIZE) > need) {
            need = rd32(buf + HDR_INIT_SIZE);
        }
    }
    h->kernel_end = run + need;
    if (KERNEL_ADDR + h->pm_len > h->kernel_end) {
        h->kernel_end = KERNEL_ADDR + h->pm_len;
    }
    if (h->code32_start < KERNEL_ADDR ||
        h->code32_start >= KERNEL_ADDR + h->pm_len) {
        return loader_error(path, "code32_start 0x%08x (at 0x%x) is outside "
                            "the protected-mode kernel (0x%08x..0x%08zx; "
                            "expected its start, 0x%08x)", h->code32_start,
                            HDR_CODE32_START, KERNEL_ADDR,
                            KERNEL_ADDR + h->pm_len, KERNEL_ADDR);
    }
    return true;
}

/* Place the initrd as high as allowed; returns its address via *addr. */
static bool place_initrd(const BootRequest *req, const LinuxHeader *h,
                         const FileData *initrd, uint32_t *addr)
{
    uint64_t top = guest_ram_size, a;

    if ((uint64_t)h->initrd_max + 1 < top) {
        top = (uint64_t)h->initrd_max + 1;
    }
    if (initrd->len > top) {
        return loader_error(req->initrd, "too large: %zu bytes, but this "
                            "kernel takes an initrd only below 0x%08llx "
                            "(initrd_addr_max 0x%08x and -m %u)", initrd->len,
                            (unsigned long long)top, h->initrd_max,
                            guest_ram_size >> 20);
    }
    a = (top - initrd->len) & ~0xfffull;
    if (a < h->kernel_end) {
        return loader_error(req->initrd, "does not fit: -m %u is too small "
                            "for the kernel plus this initrd (%zu bytes): the "
                            "kernel needs RAM up to 0x%08llx, the initrd "
                            "would start at 0x%08llx; expected -m %llu or "
                            "more", guest_ram_size >> 20, initrd->len,
                            (unsigned long long)h->kernel_end,
                            (unsigned long long)a,
                            (unsigned long long)((h->kernel_end +
                                                  ((initrd->len + 0xfff) &
                                                   ~(size_t)0xfff) +
                                                  0xfffff) >> 20));
    }
    *addr = (uint32_t)a;
    return true;
}

/* Write the flat boot GDT: null, null, __BOOT_CS, __BOOT_DS. */
static void write_gdt(void)
{
    /* base 0, limit 0xfffff pages, G, D/B, P, DPL 0, S; type 0xb / 0x3 */
    static const uint64_t gdt[4] = {
        0, 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
    };

    BUILD_ASSERT(sizeof(gdt) == GDT_LIMIT + 1);
    for (unsigned i = 0; i < ARRAY_SIZE(gdt); i++) {
        wr64(GDT_ADDR + i * 8, gdt[i]);
    }
}

/* Fill the zero page at ZP_ADDR. */
static void write_zero_page(const uint8_t *buf, const LinuxHeader *h,
                            uint32_t initrd_addr, uint32_t initrd_len)
{
    PCMemoryRange map[PC_MEMORY_MAP_MAX];
    unsigned n = pc_memory_map(guest_ram_size, map);
    uint8_t *zp = phys_ram_ptr(ZP_ADDR);

    memset(zp, 0, BP_SIZE);
    memcpy(zp + HDR_START, buf + HDR_START, h->hdr_end - HDR_START);
    zp[HDR_TYPE_OF_LOADER] = LOADER_TYPE;
    wr32(ZP_ADDR + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
    wr32(ZP_ADDR + HDR_RAMDISK_IMAGE, initrd_addr);
    wr32(ZP_ADDR + HDR_RAMDISK_SIZE, initrd_len);
    wr32(ZP_ADDR + BP_ALT_MEM_K, (guest_ram_size - 0x100000u) >> 10);
    BUILD_ASSERT(PC_MEMORY_MAP_MAX <= BP_E820_MAX);
    zp[BP_E820_ENTRIES] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        uint32_t e = ZP_ADDR + BP_E820_TABLE + i * 20;
        wr64(e, map[i].base);
        wr64(e + 8, map[i].len);
        wr32(e + 16, map[i].type);
    }
}

/* Check and load a bzImage, its initrd and command line. */
static bool linux_load(const BootRequest *req, const FileData *kernel,
                       const FileData *initrd, LoadedKernel *out)
{
    const char *path = req->kernel;
    const char *cmdline = req->append ? req->append : "";
    size_t cl = strlen(cmdline);
    uint32_t initrd_addr = 0, initrd_len = 0;
    LinuxHeader h = { 0 };

    if (!parse_header(path, kernel->data, kernel->len, &h)) {
        return false;
    }
    if (h.kernel_end > guest_ram_size) {
        return loader_error(path, "-m %u is too small for this kernel: it "
                            "needs RAM up to 0x%08llx (its init_size area); "
                            "expected -m %llu or more", guest_ram_size >> 20,
                            (unsigned long long)h.kernel_end,
                            (unsigned long long)((h.kernel_end + 0xfffff) >>
                                                 20));
    }
    if (cl > h.cmdline_size) {
        return loader_error(path, "-append: the command line is %zu bytes, "
                            "this kernel takes at most %u (cmdline_size at "
                            "0x%x)", cl, h.cmdline_size, HDR_CMDLINE_SIZE);
    }
    if (initrd != NULL) {
        if (initrd->len > 0xffffffffu ||
            !place_initrd(req, &h, initrd, &initrd_addr)) {
            return initrd->len > 0xffffffffu
                ? loader_error(req->initrd, "too large (over 4 GiB)") : false;
        }
        initrd_len = (uint32_t)initrd->len;
        memcpy(phys_ram_ptr(initrd_addr), initrd->data, initrd->len);
    }
    memcpy(phys_ram_ptr(KERNEL_ADDR), kernel->data + h.pm_off, h.pm_len);
    memcpy(phys_ram_ptr(CMDLINE_ADDR), cmdline, cl + 1);
    write_gdt();
    write_zero_page(kernel->data, &h, initrd_addr, initrd_len);
    out->entry = h.code32_start;
    out->info = ZP_ADDR;
    out->gdt = GDT_ADDR;
    out->low = KERNEL_ADDR;
    out->high = (uint32_t)(KERNEL_ADDR + h.pm_len);
    return true;
}

/* The 32-bit boot protocol's entry state. */
static void linux_enter(CPUX86State *env, const LoadedKernel *k)
{
    /* flat 32-bit protected mode, paging and interrupts off ... */
    cpu_reset_multiboot(env, k->entry, 0);
    /* ... with the boot protocol's selectors, GDT and registers */
    env->segs[R_CS].selector = BOOT_CS;
    for (unsigned s = 0; s < CPU_NB_SEGS; s++) {
        if (s != R_CS) {
            env->segs[s].selector = BOOT_DS;
        }
    }
    env->gdt.base = k->gdt;
    env->gdt.limit = GDT_LIMIT;
    env->idt.base = 0;
    env->idt.limit = 0;
    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_ESI] = k->info;
}

const KernelFormat kernel_format_linux = {
    .name = "linux",
    .probe = linux_probe,
    .load = linux_load,
    .enter = linux_enter,
};
