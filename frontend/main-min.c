/*
 * hamt86 - the freestanding command line front end (LoongArch64: no libc,
 * no glib).  Same options, messages and exit statuses as the hosted
 * frontend/main.c:
 *
 *   hamt86 [-m MiB] --kernel FILE [-d LOG] [-D logfile] [-dfilter RANGES]
 *          [--stats] [--cosim] [--mmu=MODE] [--list-mmu] [--watch ADDR[:LEN]]
 *          [--host-page-size=4k|16k|64k] [--backend=jit|interp]
 *
 * Options are spelled "--name value", "--name=value", "-x value", "-x=value"
 * or "-xvalue".  Serial output (COM1) goes to stdout through the OS layer,
 * the debug console 0xE9 and the exit port 0xF4 are the hw/ devices.  Usage
 * errors exit with status 1 after "hamt86: <message>" on stderr.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/cpu.h"
#include "core/exec.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "os/os-rawsys.h"
#include "frontend/loader.h"
#include "hamt/hamt.h"

#define RAM_DEFAULT_MIB 128
#define RAM_MAX_MIB     3584
#define MAX_WATCH       16

/* The memory paths this binary offers (--mmu / --list-mmu). */
static const MemPath *const mmu_modes[] = {
    &mempath_softmmu,
    &mempath_hamt,
};

static const char *opt_ram;
static const char *opt_kernel;
static const char *opt_log;
static const char *opt_logfile;
static const char *opt_dfilter;
static const char *opt_mmu;
static const char *opt_backend;
static const char *opt_host_page;
static const char *opt_watch[MAX_WATCH];
static unsigned nb_watch;
static bool opt_stats;
static bool opt_cosim;
static const char *opt_cosim_inject;
static bool opt_list_mmu;
static bool opt_help;

/* One option: long name, short letter (0: none), where the value goes. */
typedef struct Option {
    const char *name;
    char short_name;
    const char **str;      /* takes a value */
    bool *flag;            /* no value */
    const char *help;
} Option;

static const char *watch_tmp;

static const Option options[] = {
    { "memory", 'm', &opt_ram, NULL,
      "Guest RAM size in MiB (1..3584, default 128)" },
    { "kernel", 'k', &opt_kernel, NULL,
      "Multiboot ELF32 i386 kernel to boot" },
    { "log", 'd', &opt_log, NULL,
      "Enable logs (comma separated; '-d help' lists them)" },
    { "logfile", 'D', &opt_logfile, NULL,
      "Write logs to FILE instead of stderr" },
    { "dfilter", 0, &opt_dfilter, NULL,
      "Only log guest EIPs in these ranges (also -dfilter)" },
    { "stats", 0, NULL, &opt_stats,
      "Print execution statistics to stderr at exit" },
    { "cosim", 0, NULL, &opt_cosim,
      "Co-simulate every TB against the IR interpreter" },
    { "cosim-inject", 0, &opt_cosim_inject, NULL,
      "Debug --cosim: corrupt the Nth compared TB's result (implies --cosim)" },
    { "mmu", 0, &opt_mmu, NULL,
      "Guest memory path (see --list-mmu; default softmmu)" },
    { "watch", 0, &watch_tmp, NULL,
      "Log accesses to linear ADDR[:LEN][:stop] (softmmu; repeatable)" },
    { "host-page-size", 0, &opt_host_page, NULL,
      "HAMT: behave as if the host page were SIZE (4k, 16k, 64k)" },
    { "list-mmu", 0, NULL, &opt_list_mmu,
      "List the memory paths and exit" },
    { "backend", 0, &opt_backend, NULL,
      "Code generator: jit (the host backend, default) or interp" },
    { "help", 'h', NULL, &opt_help, "Show help options" },
};

/* Write a NUL-terminated string to fd. */
static void put_str(int fd, const char *s)
{
    os_write(fd, s, strlen(s));
}

/* Print "hamt86: message" and the --help hint, exit with status 1. */
static void PRINTF_FMT(1, 2) NORETURN usage_error(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt86: ");
    va_start(ap, fmt);
    h_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    va_end(ap);
    put_str(2, buf);
    put_str(2, "\nTry 'hamt86 --help' for more information.\n");
    os_exit(1);
}

/* --help. */
static void print_help(void)
{
    char line[160];

    put_str(1, "Usage:\n  hamt86 [OPTION...] - run a multiboot x86 kernel\n\n"
               "hamt86 runs an IA-32 multiboot kernel (an ELF32 i386 "
               "executable) on a minimal PC:\nCOM1 at 0x3F8 goes to stdout, "
               "writing v to port 0xF4 exits with status (v << 1) | 1.\n\n"
               "Options:\n");
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        const Option *o = &options[i];
        char sh[8] = "    ";
        if (o->short_name) {
            h_snprintf(sh, sizeof(sh), "-%c, ", o->short_name);
        }
        h_snprintf(line, sizeof(line), "  %s--%-12s %s\n", sh, o->name,
                   o->help);
        put_str(1, line);
    }
}

/* Store the value of option o. */
static void set_value(const Option *o, const char *v)
{
    *o->str = v;
    if (o->str == &watch_tmp) {
        if (nb_watch >= MAX_WATCH) {
            usage_error("--watch %s: expected ADDR[:LEN] (at most 8)", v);
        }
        opt_watch[nb_watch++] = v;
    }
}

/* Parse argv into the opt_* variables. */
static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const Option *o = NULL;
        const char *val = NULL;
        bool has_val = false;

        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) {
                usage_error("unexpected argument '%s'", argv[i + 1]);
            }
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            usage_error("unexpected argument '%s'", a);
        }
        if (strcmp(a, "-dfilter") == 0 || strncmp(a, "-dfilter=", 9) == 0) {
            a++;     /* QEMU's single-dash spelling */
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = name;
            size_t len;
            while (*eq && *eq != '=') {
                eq++;
            }
            len = (size_t)(eq - name);
            for (size_t k = 0; k < ARRAY_SIZE(options); k++) {
                if (strncmp(options[k].name, name, len) == 0 &&
                    options[k].name[len] == '\0') {
                    o = &options[k];
                }
            }
            if (o == NULL) {
                usage_error("Unknown option %.*s", (int)(eq - a), a);
            }
            if (*eq == '=') {
                val = eq + 1;
                has_val = true;
            }
        } else {
            for (size_t k = 0; k < ARRAY_SIZE(options); k++) {
                if (options[k].short_name == a[1]) {
                    o = &options[k];
                }
            }
            if (o == NULL || a[1] == '?') {
                if (a[1] == '?') {
                    opt_help = true;
                    continue;
                }
                usage_error("Unknown option %s", a);
            }
            if (a[2] != '\0') {
                val = a[2] == '=' ? a + 3 : a + 2;
                has_val = true;
            }
        }
        if (o->flag != NULL) {
            if (has_val) {
                usage_error("Option --%s does not take a value", o->name);
            }
            *o->flag = true;
            continue;
        }
        if (!has_val) {
            if (i + 1 >= argc) {
                usage_error("Missing argument for %s", a);
            }
            val = argv[++i];
        }
        set_value(o, val);
    }
}

/* Parse -m: a positive decimal number of MiB (an "M" suffix is allowed). */
static uint32_t parse_ram(const char *s)
{
    const char *p = s;
    uint64_t v = 0;
    bool overflow = false;

    if (s[0] < '0' || s[0] > '9') {
        usage_error("-m %s: not a number (expected the RAM size in MiB, "
                    "1..%u)", s, RAM_MAX_MIB);
    }
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) {
            overflow = true;
        } else {
            v = v * 10 + (uint64_t)(*p - '0');
        }
        p++;
    }
    if (*p == 'M' || *p == 'm') {
        p++;
    }
    if (*p != '\0' || overflow) {
        usage_error("-m %s: not a number (expected the RAM size in MiB, "
                    "1..%u)", s, RAM_MAX_MIB);
    }
    if (v == 0) {
        usage_error("-m 0: the guest needs at least 1 MiB of RAM");
    }
    if (v > RAM_MAX_MIB) {
        usage_error("-m %s: too large (at most %u MiB: RAM ends below the "
                    "PCI hole at 3.5 GiB)", s, RAM_MAX_MIB);
    }
    return (uint32_t)v;
}

/* Pick the memory path named by --mmu. */
static const MemPath *parse_mmu(const char *name)
{
    char names[256];
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(mmu_modes); i++) {
        if (strcmp(mmu_modes[i]->name, name) == 0) {
            return mmu_modes[i];
        }
    }
    names[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(mmu_modes) && n < sizeof(names); i++) {
        n += (size_t)h_snprintf(names + n, sizeof(names) - n, "%s%s",
                                i ? ", " : "", mmu_modes[i]->name);
    }
    usage_error("--mmu %s: unknown memory path (valid: %s)", name, names);
}

/* Pick the backend named by --backend (jit = the LoongArch backend). */
static const HostBackend *parse_backend(const char *name)
{
    if (strcmp(name, "interp") == 0) {
        return &backend_interp;
    }
    if (strcmp(name, "jit") == 0 || strcmp(name, "loongarch") == 0) {
        return &backend_loongarch;
    }
    if (strcmp(name, "mips") == 0) {
        usage_error("--backend %s: this build has no such JIT backend "
                    "(valid here: interp, jit)", name);
    }
    usage_error("--backend %s: unknown backend (valid: jit, interp)", name);
}

/* Read and load the kernel file. */
bool load_multiboot_kernel(const char *path, LoadedKernel *out)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int r = rawsys_read_file(path, &buf, &len, &cap);
    bool ok;

    if (r == -21) {   /* EISDIR */
        return loader_error(path, "is a directory (expected a multiboot "
                            "ELF32 i386 kernel)");
    }
    if (r < 0) {
        return loader_error(path, "cannot read: Failed to open file "
                            "\u201c%s\u201d: %s", path, rawsys_strerror(-r));
    }
    ok = load_multiboot_image(path, buf, len, out);
    os_free(buf, cap);
    return ok;
}

int main(int argc, char **argv)
{
    CPUX86State *env = &machine.cpu;
    LoadedKernel k;
    uint8_t *ram;
    int status;

    parse_args(argc, argv);
    if (opt_help) {
        print_help();
        return 0;
    }
    if (opt_list_mmu) {
        for (size_t i = 0; i < ARRAY_SIZE(mmu_modes); i++) {
            put_str(1, mmu_modes[i]->name);
            put_str(1, "\n");
        }
        return 0;
    }
    if (opt_log != NULL) {
        const char *bad = NULL;
        size_t badlen = 0;
        const char *items = opt_log[0] == '=' ? opt_log + 1 : opt_log;
        if (strcmp(items, "help") == 0) {
            log_print_help(1);
            return 0;
        }
        if (!log_parse_mask(items, &log_mask, &bad, &badlen)) {
            usage_error("-d: unknown log item '%.*s' (try '-d help')",
                        (int)badlen, bad);
        }
    }
    if (opt_dfilter != NULL && !log_parse_filter(opt_dfilter)) {
        usage_error("-dfilter %s: bad range list (expected e.g. "
                    "0x1000..0x1fff, 0x1000+0x100, 0x2000)", opt_dfilter);
    }
    machine.opt.ram_mib = opt_ram ? parse_ram(opt_ram) : RAM_DEFAULT_MIB;
    mem_path = parse_mmu(opt_mmu ? opt_mmu : mmu_modes[0]->name);
    if (opt_backend != NULL) {
        host_backend = parse_backend(opt_backend);   /* tb_init keeps it */
    }
    machine.opt.mmu_mode = mem_path->name;
    if (opt_host_page != NULL) {
        if (strcmp(opt_host_page, "4k") == 0) {
            hamt_opt_host_page = 4096;
        } else if (strcmp(opt_host_page, "16k") == 0) {
            hamt_opt_host_page = 16384;
        } else if (strcmp(opt_host_page, "64k") == 0) {
            hamt_opt_host_page = 65536;
        } else {
            usage_error("--host-page-size %s: expected 4k, 16k or 64k",
                        opt_host_page);
        }
    }
    machine.opt.stats = opt_stats;
    mem_count_tlb_hits = opt_stats;
    machine.opt.cosim = opt_cosim;
    if (opt_cosim_inject != NULL) {
        uint64_t n = 0;
        const char *p = opt_cosim_inject;
        for (; *p >= '0' && *p <= '9' && n < (1ull << 60); p++) {
            n = n * 10 + (uint64_t)(*p - '0');
        }
        if (p == opt_cosim_inject || *p != '\0' || n == 0) {
            usage_error("--cosim-inject %s: expected a TB number >= 1",
                        opt_cosim_inject);
        }
        machine.opt.cosim_inject = n;
        machine.opt.cosim = true;
    }
    machine.opt.nochain = log_enabled(LOG_NOCHAIN);
    if (opt_kernel == NULL) {
        usage_error("no kernel given (use --kernel FILE with a multiboot "
                    "ELF32 i386 kernel)");
    }
    if (opt_logfile != NULL) {
        int fd = rawsys_open_write(opt_logfile);
        if (fd < 0) {
            usage_error("-D %s: cannot open: %s", opt_logfile,
                        rawsys_strerror(-fd));
        }
        log_fd = fd;
    }

    ram = os_alloc_ram((size_t)machine.opt.ram_mib << 20);
    phys_map_init(env, ram, machine.opt.ram_mib << 20);
    hw_init();
    if (!load_multiboot_kernel(opt_kernel, &k)) {
        return 1;
    }
    env->machine = &machine;
    mem_path->init(env);
    tb_init();
    cpu_reset_multiboot(env, k.entry, k.mbi);
    for (unsigned i = 0; i < nb_watch; i++) {
        if (!mem_watch_parse(env, opt_watch[i])) {
            usage_error("--watch %s: expected ADDR[:LEN][:stop] (at most 8)",
                        opt_watch[i]);
        }
    }

    status = cpu_exec_loop(env);
    if (machine.opt.stats) {
        stats_print();
    }
    os_exit(status);
}
