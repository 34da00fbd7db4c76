/*
 * hamt86 - command line front end.
 *
 *   hamt86 [-m MiB] --kernel FILE [-d LOG] [-D logfile] [-dfilter RANGES]
 *          [--stats] [--cosim] [--mmu=MODE] [--list-mmu] [--backend=jit|interp]
 *
 * Parses the options (GOptionContext), sets up guest RAM and devices,
 * loads the multiboot kernel and runs the execution loop; the process
 * exits with the machine's status.  Usage errors exit with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/exec.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"
#include "hamt/hamt.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

#define RAM_DEFAULT_MIB 128
#define RAM_MAX_MIB     3584

/* The memory paths this binary offers (--mmu / --list-mmu). */
static const MemPath *const mmu_modes[] = {
    &mempath_softmmu,
    &mempath_hamt,
};

static gchar *opt_ram;
static gchar *opt_kernel;
static gchar *opt_log;
static gchar *opt_logfile;
static gchar *opt_dfilter;
static gchar *opt_mmu;
static gchar **opt_watch;
static gchar *opt_backend;
static gboolean opt_stats;
static gboolean opt_cosim;
static gchar *opt_cosim_inject;
static gboolean opt_list_mmu;
static gchar *opt_host_page;

static GOptionEntry entries[] = {
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &opt_ram,
      "Guest RAM size in MiB (1.." G_STRINGIFY(RAM_MAX_MIB) ", default "
      G_STRINGIFY(RAM_DEFAULT_MIB) ")", "MiB" },
    { "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &opt_kernel,
      "Multiboot ELF32 i386 kernel to boot", "FILE" },
    { "log", 'd', 0, G_OPTION_ARG_STRING, &opt_log,
      "Enable logs (comma separated; '-d help' lists them)", "ITEMS" },
    { "logfile", 'D', 0, G_OPTION_ARG_FILENAME, &opt_logfile,
      "Write logs to FILE instead of stderr", "FILE" },
    { "dfilter", 0, 0, G_OPTION_ARG_STRING, &opt_dfilter,
      "Only log guest EIPs in these ranges (also -dfilter): "
      "0x1000..0x1fff, 0x1000+0x100, comma lists", "RANGES" },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &opt_stats,
      "Print execution statistics to stderr at exit", NULL },
    { "cosim", 0, 0, G_OPTION_ARG_NONE, &opt_cosim,
      "Co-simulate every TB against the IR interpreter", NULL },
    { "cosim-inject", 0, 0, G_OPTION_ARG_STRING, &opt_cosim_inject,
      "Debug --cosim: corrupt the result of the Nth compared TB (implies "
      "--cosim; the run must report a divergence)", "N" },
    { "mmu", 0, 0, G_OPTION_ARG_STRING, &opt_mmu,
      "Guest memory path (see --list-mmu; default softmmu)", "MODE" },
    { "watch", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_watch,
      "Log guest accesses to linear ADDR[:LEN] (softmmu; repeatable); "
      ":stop stops the guest after the accessing instruction (status 6)",
      "ADDR[:LEN][:stop]" },
    { "host-page-size", 0, 0, G_OPTION_ARG_STRING, &opt_host_page,
      "HAMT: behave as if the host page were SIZE (4k, 16k, 64k)", "SIZE" },
    { "list-mmu", 0, 0, G_OPTION_ARG_NONE, &opt_list_mmu,
      "List the memory paths and exit", NULL },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &opt_backend,
      "Code generator: jit (the host backend, default where built) or "
      "interp (the portable IR interpreter)", "jit|interp" },
    { NULL }
};

/* Print "hamt86: message" and exit with status 1. */
static void G_GNUC_PRINTF(1, 2) NORETURN usage_error(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("hamt86: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'hamt86 --help' for more information.\n", stderr);
    exit(1);
}

/*
 * Accept QEMU's single-dash "-dfilter" and the "-d=ITEMS" spelling: returns
 * a new argv where "-dfilter" is "--dfilter" and "-X=value" is "-X" "value".
 */
static char **fix_argv(int *argc, char **argv)
{
    char **nv = g_new0(char *, 2 * (size_t)*argc + 1);
    int n = 0;
    bool rest = false;

    for (int i = 0; i < *argc; i++) {
        char *a = argv[i];
        if (i == 0 || rest) {
            nv[n++] = a;
        } else if (strcmp(a, "--") == 0) {
            rest = true;
            nv[n++] = a;
        } else if (strcmp(a, "-dfilter") == 0 || strncmp(a, "-dfilter=", 9) == 0) {
            nv[n++] = g_strconcat("-", a, NULL);
        } else if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && a[2] == '=') {
            nv[n++] = g_strndup(a, 2);
            nv[n++] = a + 3;
        } else {
            nv[n++] = a;
        }
    }
    nv[n] = NULL;
    *argc = n;
    return nv;
}

/* Parse -m: a positive decimal number of MiB (an "M" suffix is allowed). */
static uint32_t parse_ram(const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        usage_error("-m %s: not a number (expected the RAM size in MiB, "
                    "1..%u)", s, RAM_MAX_MIB);
    }
    v = strtoull(s, &end, 10);
    if (*end == 'M' || *end == 'm') {
        end++;
    }
    if (*end != '\0' || errno != 0) {
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
    GString *names;

    for (size_t i = 0; i < G_N_ELEMENTS(mmu_modes); i++) {
        if (strcmp(mmu_modes[i]->name, name) == 0) {
            return mmu_modes[i];
        }
    }
    names = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(mmu_modes); i++) {
        g_string_append_printf(names, "%s%s", i ? ", " : "",
                               mmu_modes[i]->name);
    }
    usage_error("--mmu %s: unknown memory path (valid: %s)", name, names->str);
}

/* Pick the backend named by --backend (jit = this host's code generator). */
static const HostBackend *parse_backend(const char *name)
{
    if (strcmp(name, "interp") == 0) {
        return &backend_interp;
    }
    if (strcmp(name, "jit") == 0 || strcmp(name, "mips") == 0 ||
        strcmp(name, "loongarch") == 0) {
#if defined(HAMT86_BACKEND_MIPS)
        if (strcmp(name, "loongarch") != 0) {
            return &backend_mips;
        }
#elif defined(HAMT86_BACKEND_LOONGARCH)
        if (strcmp(name, "mips") != 0) {
            return &backend_loongarch;
        }
#endif
        usage_error("--backend %s: this build has no such JIT backend "
                    "(valid here: interp%s)", name,
#if defined(HAMT86_BACKEND_MIPS) || defined(HAMT86_BACKEND_LOONGARCH)
                    ", jit"
#else
                    ""
#endif
                    );
    }
    usage_error("--backend %s: unknown backend (valid: jit, interp)", name);
}

int main(int argc, char **argv)
{
    GOptionContext *ctx;
    GError *err = NULL;
    CPUX86State *env = &machine.cpu;
    LoadedKernel k;
    uint8_t *ram;
    int status;

    argv = fix_argv(&argc, argv);
    ctx = g_option_context_new("- run a multiboot x86 kernel");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx,
        "hamt86 runs an IA-32 multiboot kernel (an ELF32 i386 executable) on "
        "a minimal PC:\nCOM1 at 0x3F8 goes to stdout, writing v to port 0xF4 "
        "exits with status (v << 1) | 1.\n"
        "Other exit statuses: 2 = the guest stopped for good (HLT with "
        "IF=0, jump to\nunmapped memory, ...; message on stderr), 4 = triple "
        "fault (\"triple fault at\nEIP ...\" on stderr; qemu-system-i386 "
        "-no-reboot exits 0 there).");
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        usage_error("%s", err->message);
    }
    g_option_context_free(ctx);
    if (argc > 1) {
        usage_error("unexpected argument '%s'", argv[1]);
    }

    if (opt_list_mmu) {
        for (size_t i = 0; i < G_N_ELEMENTS(mmu_modes); i++) {
            printf("%s\n", mmu_modes[i]->name);
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
        char *end;
        guint64 n = g_ascii_strtoull(opt_cosim_inject, &end, 10);
        if (*opt_cosim_inject == '\0' || *end != '\0' || n == 0) {
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
        int fd = open(opt_logfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0644);
        if (fd < 0) {
            usage_error("-D %s: cannot open: %s", opt_logfile,
                        strerror(errno));
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
    for (gchar **w = opt_watch; w != NULL && *w != NULL; w++) {
        if (!mem_watch_parse(env, *w)) {
            usage_error("--watch %s: expected ADDR[:LEN][:stop] (at most 8)",
                        *w);
        }
    }

    status = cpu_exec_loop(env);
    if (machine.opt.stats) {
        stats_print();
    }
    os_exit(status);
}
