/*
 * hamt86 - multiboot kernel loading from an image in memory, as
 * qemu-system-i386 -kernel does it for an ELF kernel.  Freestanding: shared
 * by the hosted front end (frontend/loader.c reads the file with glib) and
 * the freestanding one (frontend/main-min.c reads it with raw syscalls).
 *
 *  1. the image must be an ELF32 little-endian i386 ET_EXEC file with a
 *     multiboot header (magic 0x1BADB002, flags, checksum: the three sum
 *     to 0) 4-byte aligned in its first 8 KiB;
 *  2. every PT_LOAD segment is copied to its physical address (p_paddr)
 *     and its bss (p_memsz beyond p_filesz) zeroed;
 *  3. a multiboot information structure goes to low memory (0x9000), with
 *     the command line (the kernel path) and a memory map after it:
 *
 *     MBI_ADDR + 0x000  multiboot_info (flags MEM | CMDLINE | MMAP)
 *     MBI_ADDR + 0x080  memory map entries (size=20, base, length, type)
 *     MBI_ADDR + 0x200  command line, NUL terminated
 *
 * The ELF structures are parsed here directly (no libelf).  Errors name
 * the file and say what was expected.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"

#define MB_MAGIC          0x1BADB002u
#define MB_SEARCH         8192
#define MB_FLAG_VIDEO      0x00000004u
#define MB_FLAG_AOUT_KLUDGE 0x00010000u

#define MBI_FLAG_MEM      (1u << 0)
#define MBI_FLAG_CMDLINE  (1u << 2)
#define MBI_FLAG_MMAP     (1u << 6)

#define MBI_ADDR          0x9000u
#define MBI_SIZE          0x1000u
#define MBI_MMAP_OFF      0x080u
#define MBI_CMDLINE_OFF   0x200u

/* ELF constants (System V gABI). */
#define EI_NIDENT   16
#define EI_CLASS    4
#define EI_DATA     5
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_REL      1
#define ET_EXEC     2
#define ET_DYN      3
#define ET_CORE     4
#define EM_386      3
#define EM_MIPS     8
#define EM_ARM      40
#define EM_X86_64   62
#define EM_AARCH64  183
#define EM_RISCV    243
#define EM_LOONGARCH 258
#define PT_LOAD     1
#define PN_XNUM     0xffff

typedef struct Elf32Ehdr {
    uint8_t  e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf32Ehdr;

typedef struct Elf32Phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
    uint32_t p_flags, p_align;
} Elf32Phdr;

BUILD_ASSERT(sizeof(Elf32Ehdr) == 52);
BUILD_ASSERT(sizeof(Elf32Phdr) == 32);

#define EXPECT "expected a multiboot ELF32 i386 kernel"

/* Print "hamt86: path: message" on stderr; returns false. */
bool loader_error(const char *path, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt86: %s: ", path);
    if (n < 0 || (size_t)n >= sizeof(buf) - 1) {
        n = 0;
    }
    va_start(ap, fmt);
    h_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n = (int)strlen(buf);
    buf[n++] = '\n';
    os_write(2, buf, (size_t)n);
    return false;
}

/* Little-endian 32-bit store into guest RAM (the caller checked bounds). */
static void put32(uint32_t phys, uint32_t v)
{
    uint8_t *p = phys_ram_ptr(phys);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* One multiboot memory map entry at phys; returns the next address. */
static uint32_t put_mmap(uint32_t phys, uint64_t base, uint64_t len,
                         uint32_t type)
{
    put32(phys + 0, 20);
    put32(phys + 4, (uint32_t)base);
    put32(phys + 8, (uint32_t)(base >> 32));
    put32(phys + 12, (uint32_t)len);
    put32(phys + 16, (uint32_t)(len >> 32));
    put32(phys + 20, type);
    return phys + 24;
}

/* Human name of an ELF machine for error messages. */
static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86-64";
    case EM_ARM: return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_MIPS: return "MIPS";
    case EM_RISCV: return "RISC-V";
    case EM_LOONGARCH: return "LoongArch";
    default: return "unknown-machine";
    }
}

/* Human name of an ELF type. */
static const char *type_name(unsigned t)
{
    switch (t) {
    case ET_REL: return "relocatable (ET_REL)";
    case ET_EXEC: return "executable (ET_EXEC)";
    case ET_DYN: return "shared/PIE (ET_DYN)";
    case ET_CORE: return "core dump (ET_CORE)";
    default: return "unknown-type";
    }
}

/* Find and check the multiboot header; returns its flags via *flags. */
static bool find_multiboot(const char *path, const uint8_t *buf, size_t len,
                           uint32_t *flags)
{
    size_t lim = len < MB_SEARCH ? len : MB_SEARCH;
    bool bad_sum = false;

    for (size_t off = 0; off + 12 <= lim; off += 4) {
        uint32_t m, f, c;
        memcpy(&m, buf + off, 4);
        if (m != MB_MAGIC) {
            continue;
        }
        memcpy(&f, buf + off + 4, 4);
        memcpy(&c, buf + off + 8, 4);
        if ((uint32_t)(m + f + c) != 0) {
            bad_sum = true;
            continue;
        }
        *flags = f;
        return true;
    }
    if (bad_sum) {
        return loader_error(path, "multiboot header has a bad checksum "
                            "(magic + flags + checksum must be 0; " EXPECT ")");
    }
    return loader_error(path, "no multiboot header (magic 0x1BADB002) in the "
                        "first 8 KiB (" EXPECT ")");
}

/* Copy the PT_LOAD segments into RAM; sets the entry point and extent. */
static bool load_segments(const char *path, const Elf32Ehdr *eh,
                          const uint8_t *buf, size_t len, LoadedKernel *k)
{
    unsigned loaded = 0;
    bool entry_mapped = false;

    if (eh->e_phnum == PN_XNUM) {
        return loader_error(path, "corrupt program header table (extended "
                            "numbering is not supported)");
    }
    if (eh->e_phoff > len || eh->e_phnum * (uint64_t)eh->e_phentsize >
        len - eh->e_phoff) {
        return loader_error(path, "truncated: the program header table ends "
                            "beyond the end of the file (%zu bytes)", len);
    }
    if (eh->e_phnum != 0 && eh->e_phentsize != sizeof(Elf32Phdr)) {
        return loader_error(path, "corrupt program header table (entry size "
                            "%u, expected %zu)", (unsigned)eh->e_phentsize,
                            sizeof(Elf32Phdr));
    }
    k->entry = eh->e_entry;
    k->low = 0xffffffffu;
    k->high = 0;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        Elf32Phdr ph;
        const Elf32Phdr *p = &ph;
        uint8_t *dst;

        memcpy(&ph, buf + eh->e_phoff + i * sizeof(ph), sizeof(ph));
        if (p->p_type != PT_LOAD || p->p_memsz == 0) {
            continue;
        }
        if ((uint64_t)p->p_offset + p->p_filesz > len) {
            return loader_error(path, "truncated: segment %zu (file bytes "
                                "0x%x..0x%x) extends beyond the end of the "
                                "file (%zu bytes)", i, p->p_offset,
                                p->p_offset + p->p_filesz, len);
        }
        if (p->p_filesz > p->p_memsz) {
            return loader_error(path, "corrupt segment %zu: file size 0x%x "
                                "exceeds memory size 0x%x", i, p->p_filesz,
                                p->p_memsz);
        }
        if ((uint64_t)p->p_paddr + p->p_memsz > guest_ram_size) {
            return loader_error(path, "segment %zu at physical "
                                "0x%08x..0x%08llx lies outside guest RAM "
                                "(%u MiB; use -m)", i, p->p_paddr,
                                (unsigned long long)p->p_paddr + p->p_memsz,
                                guest_ram_size >> 20);
        }
        dst = phys_ram_ptr(p->p_paddr);
        memcpy(dst, buf + p->p_offset, p->p_filesz);
        memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
        if (p->p_paddr < k->low) {
            k->low = p->p_paddr;
        }
        if (p->p_paddr + p->p_memsz > k->high) {
            k->high = p->p_paddr + p->p_memsz;
        }
        /* an entry given as a virtual address maps through its segment */
        if (!entry_mapped && eh->e_entry - p->p_vaddr < p->p_memsz) {
            k->entry = p->p_paddr + (eh->e_entry - p->p_vaddr);
            entry_mapped = true;
        }
        loaded++;
    }
    if (loaded == 0) {
        return loader_error(path, "no loadable (PT_LOAD) segments");
    }
    if (!entry_mapped && k->entry >= guest_ram_size) {
        return loader_error(path, "entry point 0x%08x is outside guest RAM",
                            k->entry);
    }
    return true;
}

/* Build the multiboot information structure; sets k->mbi. */
static bool build_mbi(const char *path, LoadedKernel *k)
{
    uint32_t mbi = MBI_ADDR, mm, mm_end, ram = guest_ram_size;
    size_t cl;

    if (k->low < MBI_ADDR + MBI_SIZE && k->high > MBI_ADDR) {
        /* the kernel sits on the usual spot: go right after it */
        mbi = (k->high + 0xfffu) & ~0xfffu;
        if ((uint64_t)mbi + MBI_SIZE > ram) {
            return loader_error(path, "no room for the multiboot information "
                                "after the kernel (ends at 0x%08x)", k->high);
        }
    }
    memset(phys_ram_ptr(mbi), 0, MBI_SIZE);

    /* memory map, as the PC BIOS reports it for isapc */
    mm = mbi + MBI_MMAP_OFF;
    mm_end = put_mmap(mm, 0, 0x9fc00, 1);
    mm_end = put_mmap(mm_end, 0x9fc00, 0x400, 2);
    mm_end = put_mmap(mm_end, 0xf0000, 0x10000, 2);
    mm_end = put_mmap(mm_end, 0x100000, ram - 0x100000u, 1);
    mm_end = put_mmap(mm_end, 0xfffc0000u, 0x40000, 2);

    /* command line: the kernel path, truncated to fit */
    cl = strlen(path);
    if (cl > MBI_SIZE - MBI_CMDLINE_OFF - 1) {
        cl = MBI_SIZE - MBI_CMDLINE_OFF - 1;
    }
    memcpy(phys_ram_ptr(mbi + MBI_CMDLINE_OFF), path, cl);

    put32(mbi + 0, MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP);
    put32(mbi + 4, 640);                          /* mem_lower, KiB */
    put32(mbi + 8, (ram - 0x100000u) / 1024);     /* mem_upper, KiB */
    put32(mbi + 16, mbi + MBI_CMDLINE_OFF);       /* cmdline */
    put32(mbi + 44, mm_end - mm);                 /* mmap_length */
    put32(mbi + 48, mm);                          /* mmap_addr */
    k->mbi = mbi;
    return true;
}

/* Check and load the kernel image buf[0..len) read from path. */
bool load_multiboot_image(const char *path, const uint8_t *buf, size_t len,
                          LoadedKernel *out)
{
    static const uint8_t elfmag[4] = { 0x7f, 'E', 'L', 'F' };
    uint32_t mbflags = 0;
    Elf32Ehdr eh;

    if (len < EI_NIDENT || memcmp(buf, elfmag, 4) != 0) {
        return loader_error(path, "not an ELF file (" EXPECT ")");
    }
    if (buf[EI_CLASS] != ELFCLASS32) {
        return loader_error(path, "%s file (" EXPECT ")",
                            buf[EI_CLASS] == ELFCLASS64 ? "ELF64"
                                                        : "unknown ELF class");
    }
    if (buf[EI_DATA] != ELFDATA2LSB) {
        return loader_error(path, "big-endian ELF file (" EXPECT ")");
    }
    if (len < sizeof(Elf32Ehdr)) {
        return loader_error(path, "truncated: the ELF header is incomplete "
                            "(%zu bytes)", len);
    }
    memcpy(&eh, buf, sizeof(eh));
    if (eh.e_machine != EM_386 || eh.e_type != ET_EXEC) {
        return loader_error(path, "ELF32 %s %s file (" EXPECT ", an "
                            "executable (ET_EXEC))", machine_name(eh.e_machine),
                            type_name(eh.e_type));
    }
    if (!find_multiboot(path, buf, len, &mbflags)) {
        return false;
    }
    if (mbflags & MB_FLAG_AOUT_KLUDGE) {
        return loader_error(path, "multiboot a.out kludge (header flag bit 16) "
                            "is not supported; link the kernel as a plain ELF "
                            "executable");
    }
    if (mbflags & MB_FLAG_VIDEO) {
        /* no graphics: the request is ignored like QEMU with -nographic */
    }
    if (eh.e_ehsize != 0 && eh.e_ehsize < sizeof(Elf32Ehdr)) {
        return loader_error(path, "corrupt ELF header (header size %u, "
                            "expected %zu)", (unsigned)eh.e_ehsize,
                            sizeof(Elf32Ehdr));
    }
    if (!load_segments(path, &eh, buf, len, out)) {
        return false;
    }
    return build_mbi(path, out);
}
