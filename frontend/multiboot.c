/*
 * hamt86 - multiboot kernel loading from an image in memory, as
 * qemu-system-i386 -kernel does it for an ELF kernel: the "multiboot" row
 * of frontend/kernel.c's formats (any file starting with the ELF magic).
 * Freestanding: shared by both front ends (they only read the file).
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
 *     MBI_ADDR + 0x200  command line ("KERNEL-PATH[ APPEND]"), NUL
 *                       terminated
 *
 * The kernel's ELF symbol table (.symtab), if any, is kept for log and
 * fatal messages ("<symbol+0xoff>" next to guest EIPs, core/log.h); a
 * stripped kernel or a corrupt table just means no symbols.
 *
 * The ELF structures are parsed here directly, for both front ends: the
 * LoongArch build has no libc (so no libelf), and one parser is less than
 * two, so the hosted build does not use libelf either.  Errors name the
 * file and say what was expected.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"

#define MB_MAGIC          0x1BADB002u
#define MB_SEARCH         8192
#define MB_FLAG_VIDEO      0x00000004u
#define MB_FLAG_AOUT_KLUDGE 0x00010000u
/* Bits 0-15 are requirements; these three are the ones the spec defines
 * (0 page-align modules, 1 memory information, 2 video mode). */
#define MB_FLAGS_REQUIRED  0x0000ffffu
#define MB_FLAGS_KNOWN     0x00000007u

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
#define SHT_SYMTAB  2
#define SHN_UNDEF   0
#define SHN_LORESERVE 0xff00
#define STT_NOTYPE  0
#define STT_OBJECT  1
#define STT_FUNC    2

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

typedef struct Elf32Shdr {
    uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info, sh_addralign, sh_entsize;
} Elf32Shdr;

typedef struct Elf32Sym {
    uint32_t st_name, st_value, st_size;
    uint8_t  st_info, st_other;
    uint16_t st_shndx;
} Elf32Sym;

BUILD_ASSERT(sizeof(Elf32Ehdr) == 52);
BUILD_ASSERT(sizeof(Elf32Phdr) == 32);
BUILD_ASSERT(sizeof(Elf32Shdr) == 40);
BUILD_ASSERT(sizeof(Elf32Sym) == 16);

#define EXPECT "expected a multiboot ELF32 i386 kernel"

/* Print "hamt86: path: message" on stderr; returns false. */
bool loader_error(const char *path, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    os_verror(path, fmt, ap);
    va_end(ap);
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

/* Build the multiboot information structure; sets k->info. */
static bool build_mbi(const char *path, const char *append, LoadedKernel *k)
{
    uint32_t mbi = MBI_ADDR, mm, mm_end, ram = guest_ram_size;
    const size_t room = MBI_SIZE - MBI_CMDLINE_OFF - 1;
    PCMemoryRange map[PC_MEMORY_MAP_MAX];
    unsigned nmap = pc_memory_map(ram, map);
    char *cmd;
    size_t cl, al;

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
    mm_end = mm;
    for (unsigned i = 0; i < nmap; i++) {
        mm_end = put_mmap(mm_end, map[i].base, map[i].len, map[i].type);
    }

    /* command line: the kernel path (truncated to fit), then -append */
    cmd = (char *)phys_ram_ptr(mbi + MBI_CMDLINE_OFF);
    cl = strlen(path);
    al = append != NULL ? strlen(append) : 0;
    if (append != NULL && cl + 1 + al > room) {
        return loader_error(path, "-append: the command line is too long "
                            "(%zu bytes with the kernel path; expected at "
                            "most %zu for a multiboot kernel)", cl + 1 + al,
                            room);
    }
    if (cl > room) {
        cl = room;
    }
    memcpy(cmd, path, cl);
    if (append != NULL) {
        cmd[cl] = ' ';
        memcpy(cmd + cl + 1, append, al);
    }

    put32(mbi + 0, MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP);
    put32(mbi + 4, 640);                          /* mem_lower, KiB */
    put32(mbi + 8, (ram - 0x100000u) / 1024);     /* mem_upper, KiB */
    put32(mbi + 16, mbi + MBI_CMDLINE_OFF);       /* cmdline */
    put32(mbi + 44, mm_end - mm);                 /* mmap_length */
    put32(mbi + 48, mm);                          /* mmap_addr */
    k->info = mbi;
    return true;
}

/* --- guest symbols ---------------------------------------------------------- */

/* A label without a size covers at most this much code after it. */
#define SYM_NOSIZE_SPAN 0x10000u

typedef struct GuestSym {
    uint32_t addr, size;
    uint32_t name;        /* offset in sym_names */
    uint32_t rank;        /* at one address the highest rank wins */
} GuestSym;

static GuestSym *syms;
static size_t nsyms, syms_bytes;
static char *sym_names;
static size_t names_bytes;

/* Order by address, then rank (the best symbol of an address last). */
static bool sym_before(const GuestSym *a, const GuestSym *b)
{
    return a->addr != b->addr ? a->addr < b->addr : a->rank < b->rank;
}

/* Sort syms[0..nsyms): shell sort with Knuth's gaps (no libc qsort). */
static void sort_syms(void)
{
    size_t gap = 1;

    while (gap < nsyms / 3) {
        gap = 3 * gap + 1;
    }
    for (; gap > 0; gap /= 3) {
        for (size_t i = gap; i < nsyms; i++) {
            GuestSym t = syms[i];
            size_t j = i;
            for (; j >= gap && sym_before(&t, &syms[j - gap]); j -= gap) {
                syms[j] = syms[j - gap];
            }
            syms[j] = t;
        }
    }
}

/* The symbol containing guest address addr (core/log.h lookup). */
static bool sym_lookup(uint32_t addr, const char **name, uint32_t *off)
{
    size_t lo = 0, hi = nsyms;

    /* the last symbol at or below addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (syms[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    /* a sized symbol must contain addr; try a few enclosing ones */
    for (size_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
        const GuestSym *s = &syms[i - 1];
        uint32_t d = addr - s->addr;
        if (s->size ? d < s->size : d < SYM_NOSIZE_SPAN) {
            *name = sym_names + s->name;
            *off = d;
            return true;
        }
    }
    return false;
}

/* Forget the symbols of a previous kernel. */
static void free_symbols(void)
{
    log_set_symbol_lookup(NULL);
    if (syms != NULL) {
        os_free(syms, syms_bytes);
    }
    if (sym_names != NULL) {
        os_free(sym_names, names_bytes);
    }
    syms = NULL;
    sym_names = NULL;
    nsyms = 0;
}

/* Section header i of the image, if it lies inside it. */
static bool get_shdr(const Elf32Ehdr *eh, const uint8_t *buf, size_t len,
                     unsigned i, Elf32Shdr *sh)
{
    uint64_t off = eh->e_shoff + (uint64_t)i * sizeof(*sh);

    if (i >= eh->e_shnum || off + sizeof(*sh) > len) {
        return false;
    }
    memcpy(sh, buf + off, sizeof(*sh));
    return true;
}

/*
 * Keep the function, object and label symbols of the image's .symtab for
 * log_sym().  Anything missing or inconsistent: no symbols, no error.
 */
static void load_symbols(const Elf32Ehdr *eh, const uint8_t *buf, size_t len)
{
    Elf32Shdr sh, str;
    unsigned i;
    size_t count;

    free_symbols();
    memset(&sh, 0, sizeof(sh));
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf32Shdr)) {
        return;
    }
    for (i = 0; get_shdr(eh, buf, len, i, &sh); i++) {
        if (sh.sh_type == SHT_SYMTAB) {
            break;
        }
    }
    if (sh.sh_type != SHT_SYMTAB || i >= eh->e_shnum ||
        sh.sh_entsize != sizeof(Elf32Sym) ||
        (uint64_t)sh.sh_offset + sh.sh_size > len ||
        !get_shdr(eh, buf, len, sh.sh_link, &str) || str.sh_size == 0 ||
        (uint64_t)str.sh_offset + str.sh_size > len) {
        return;
    }
    count = sh.sh_size / sizeof(Elf32Sym);
    syms_bytes = count * sizeof(GuestSym) + 1;
    names_bytes = (size_t)str.sh_size + 1;
    syms = os_zalloc(syms_bytes);
    sym_names = os_zalloc(names_bytes);
    if (syms == NULL || sym_names == NULL) {
        free_symbols();
        return;
    }
    memcpy(sym_names, buf + str.sh_offset, str.sh_size);   /* NUL-ended */
    for (size_t k = 0; k < count; k++) {
        Elf32Sym es;
        unsigned type;

        memcpy(&es, buf + sh.sh_offset + k * sizeof(es), sizeof(es));
        type = es.st_info & 0xf;
        if ((type != STT_NOTYPE && type != STT_FUNC && type != STT_OBJECT) ||
            es.st_shndx == SHN_UNDEF || es.st_shndx >= SHN_LORESERVE ||
            es.st_name == 0 || es.st_name >= str.sh_size ||
            sym_names[es.st_name] == '\0' || sym_names[es.st_name] == '$') {
            continue;
        }
        syms[nsyms].addr = es.st_value;
        syms[nsyms].size = es.st_size;
        syms[nsyms].name = es.st_name;
        syms[nsyms].rank = (type == STT_FUNC) * 4 + (es.st_size != 0) * 2 +
                           ((es.st_info >> 4) != 0);   /* global/weak */
        nsyms++;
    }
    if (nsyms == 0) {
        free_symbols();
        return;
    }
    sort_syms();
    log_set_symbol_lookup(sym_lookup);
}

static const uint8_t elfmag[4] = { 0x7f, 'E', 'L', 'F' };

/* Probe: any ELF file is ours (the checks below say what is wrong). */
static bool mb_probe(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, elfmag, 4) == 0;
}

/* Check and load the kernel image read from req->kernel. */
static bool mb_load(const BootRequest *req, const FileData *kernel,
                    const FileData *initrd, LoadedKernel *out)
{
    const char *path = req->kernel;
    const uint8_t *buf = kernel->data;
    size_t len = kernel->len;
    uint32_t mbflags = 0;
    Elf32Ehdr eh;

    if (initrd != NULL) {
        return loader_error(req->initrd, "-initrd: multiboot modules are not "
                            "supported (expected a Linux bzImage kernel with "
                            "-initrd)");
    }
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
    if (mbflags & MB_FLAGS_REQUIRED & ~MB_FLAGS_KNOWN) {
        /* the spec: a loader that does not understand a requirement must
         * not load the image */
        return loader_error(path, "multiboot header requires features "
                            "hamt86 does not know (flags 0x%08x, unknown "
                            "required bits 0x%04x; expected only bits 0-2 of "
                            "0-15)", mbflags,
                            mbflags & MB_FLAGS_REQUIRED & ~MB_FLAGS_KNOWN);
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
    load_symbols(&eh, buf, len);
    return build_mbi(path, req->append, out);
}

/* The multiboot entry state (qemu-system-i386 -kernel). */
static void mb_enter(CPUX86State *env, const LoadedKernel *k)
{
    cpu_reset_multiboot(env, k->entry, k->info);
}

const KernelFormat kernel_format_multiboot = {
    .name = "multiboot",
    .probe = mb_probe,
    .load = mb_load,
    .enter = mb_enter,
};
