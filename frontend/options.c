/*
 * hamt86 - the command line parser and the front-end driver, shared by
 * both front ends (freestanding: no libc, no glib).
 *
 * Design: the rows of frontend/options.def are the one source of truth
 * for options.  This file tokenizes argv, checks every value (one opt_*
 * handler per row) and prints every usage message, so the hosted
 * (frontend/main.c) and freestanding (frontend/main-min.c) front ends
 * accept the same command lines and fail with the same messages and exit
 * statuses.  glib stays in the hosted front end for what it is good at,
 * formatting --help from options_table; main.c and main-min.c are only OS
 * glue (help printing, file reading, opening the log file).
 *
 * Spellings: "--name VALUE", "--name=VALUE", "-x VALUE", "-x=VALUE",
 * "-xVALUE", QEMU's single-dash "-kernel FILE" for the rows
 * marked OPT_QEMU (-kernel, -initrd, -append, -serial, -nographic,
 * -no-reboot, -dfilter), "--" ends the options; "-h", "-?",
 * "--help" (and glib's "--help-all") print help.  Every option but
 * --watch may be given once; positional arguments are errors.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/exec.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/os.h"
#include "frontend/loader.h"
#include "frontend/options.h"
#include "hamt/hamt.h"

/* The memory paths this binary offers (--mmu / --list-mmu); the first
 * is the default. */
static const MemPath *const mmu_modes[] = {
    &mempath_hamt,
    &mempath_softmmu,
};

/* Pseudo memory paths: a path plus options under one name, listed by
 * --list-mmu so test matrices run them like modes (docs/HAMT.md). */
static const struct {
    const char *name;
    const MemPath *path;
    uint32_t host_page;      /* as --host-page-size */
} mmu_aliases[] = {
    { "hamt16k", &mempath_hamt, 16384 },
};

const char options_summary[] =
    "hamt86 runs an IA-32 kernel on a minimal PC (QEMU's isapc): a multiboot "
    "kernel\n(an ELF32 i386 executable) or a Linux bzImage with -initrd and "
    "-append.\nCOM1 at 0x3F8 goes to stdout, writing v to port 0xF4 "
    "exits with status (v << 1) | 1.\n"
    "Other exit statuses: 2 = the guest stopped for good (HLT with IF=0, "
    "jump to\nunmapped memory, ...; message on stderr), 0 = a reset (the "
    "i8042 pulse, port\n0x92, or a triple fault: \"triple fault at EIP ...\" "
    "on stderr), as\nqemu-system-i386 -no-reboot exits.";

/* The handlers, one per row. */
#define OPTION(name, sh, arg, fl, handler, expect, help) \
    static void opt_##handler(FrontendOptions *o, const char *v);
#include "frontend/options.def"
#undef OPTION

const OptionDesc options_table[] = {
#define OPTION(name, sh, arg, fl, handler, expect, help) \
    { name, sh, arg, fl, opt_##handler, expect, help },
#include "frontend/options.def"
#undef OPTION
};
const size_t options_count = ARRAY_SIZE(options_table);

/* Print "hamt86: <message>" and the --help hint, exit with status 1. */
void options_error(const char *fmt, ...)
{
    static const char hint[] = "\nTry 'hamt86 --help' for more information.\n";
    char buf[1024];
    va_list ap;
    int n;

    n = h_snprintf(buf, sizeof(buf), "hamt86: ");
    va_start(ap, fmt);
    h_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    va_end(ap);
    os_write(2, buf, strlen(buf));
    os_write(2, hint, sizeof(hint) - 1);
    os_exit(1);
}

/* True when row d is offered by front end kind. */
bool option_available(const OptionDesc *d, FrontendKind kind)
{
    if (kind == FRONTEND_HOSTED) {
        return !(d->flags & OPT_FREESTANDING_ONLY);
    }
    return !(d->flags & OPT_HOSTED_ONLY);
}

/* --- handlers ------------------------------------------------------------- */

/* Parse an unsigned decimal number; false on junk, empty or overflow. */
static bool parse_dec(const char *s, const char **end, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *end = p;
    *out = v;
    return p != s;
}

/* -m: a positive decimal number of MiB (an "M" suffix is allowed). */
static void opt_memory(FrontendOptions *o, const char *s)
{
    const char *end;
    uint64_t v;

    if (!parse_dec(s, &end, &v) ||
        (end[0] != '\0' && !((end[0] == 'M' || end[0] == 'm') &&
                             end[1] == '\0'))) {
        options_error("-m %s: not a number (expected the RAM size in MiB, "
                      "1..%u)", s, RAM_MAX_MIB);
    }
    if (v == 0) {
        options_error("-m 0: the guest needs at least 1 MiB of RAM");
    }
    if (v > RAM_MAX_MIB) {
        options_error("-m %s: too large (at most %u MiB: RAM ends below the "
                      "PCI hole at 3.5 GiB)", s, RAM_MAX_MIB);
    }
    o->ram_mib = (uint32_t)v;
}

/* -k: the kernel; the loader checks the file. */
static void opt_kernel(FrontendOptions *o, const char *s)
{
    o->kernel = s;
}

/* -initrd: the loader reads it (Linux kernels only). */
static void opt_initrd(FrontendOptions *o, const char *s)
{
    o->initrd = s;
}

/* -append: the kernel command line. */
static void opt_append(FrontendOptions *o, const char *s)
{
    o->append = s;
}

/* -serial: COM1 always goes to the terminal. */
static void opt_serial(FrontendOptions *o, const char *s)
{
    if (strcmp(s, "stdio") != 0 && strcmp(s, "mon:stdio") != 0) {
        options_error("-serial %s: unsupported (expected stdio: COM1 is "
                      "always on the terminal)", s);
    }
}

/* -nographic: there is no display anyway. */
static void opt_nographic(FrontendOptions *o, const char *s)
{
    o->nographic = true;
}

/* -no-reboot: a guest reset always ends hamt86. */
static void opt_no_reboot(FrontendOptions *o, const char *s)
{
    o->no_reboot = true;
}

/* -d: log items, or "help". */
static void opt_log(FrontendOptions *o, const char *s)
{
    const char *bad = NULL;
    size_t badlen = 0;

    if (strcmp(s, "help") == 0) {
        o->log_help = true;
        return;
    }
    if (!log_parse_mask(s, &o->log_mask, &bad, &badlen)) {
        options_error("-d: unknown log item '%.*s' (try '-d help')",
                      (int)badlen, bad);
    }
}

/* -D: the log file; the front end opens it. */
static void opt_logfile(FrontendOptions *o, const char *s)
{
    o->logfile = s;
}

/* -dfilter: EIP ranges (core/log.c keeps them). */
static void opt_dfilter(FrontendOptions *o, const char *s)
{
    if (!log_parse_filter(s)) {
        options_error("-dfilter %s: bad range list (expected e.g. "
                      "0x1000..0x1fff, 0x1000+0x100, 0x2000)", s);
    }
}

/* --stats. */
static void opt_stats(FrontendOptions *o, const char *s)
{
    o->stats = true;
}

/* --cosim. */
static void opt_cosim(FrontendOptions *o, const char *s)
{
    o->cosim = true;
}

/* --cosim-inject N: a TB number >= 1; implies --cosim. */
static void opt_cosim_inject(FrontendOptions *o, const char *s)
{
    const char *end;
    uint64_t n;

    if (!parse_dec(s, &end, &n) || *end != '\0' || n == 0) {
        options_error("--cosim-inject %s: expected a TB number >= 1", s);
    }
    o->cosim_inject = n;
    o->cosim = true;
}

/* --mmu: one of mmu_modes. */
static void opt_mmu(FrontendOptions *o, const char *s)
{
    char names[256];
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(mmu_modes); i++) {
        if (strcmp(mmu_modes[i]->name, s) == 0) {
            o->mem_path = mmu_modes[i];
            return;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(mmu_aliases); i++) {
        if (strcmp(mmu_aliases[i].name, s) == 0) {
            if (o->host_page != 0 && o->host_page != mmu_aliases[i].host_page) {
                options_error("--mmu %s: contradicts --host-page-size %uk "
                              "(expected %uk or no --host-page-size)", s,
                              o->host_page >> 10,
                              mmu_aliases[i].host_page >> 10);
            }
            o->mem_path = mmu_aliases[i].path;
            o->host_page = mmu_aliases[i].host_page;
            return;
        }
    }
    names[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(mmu_modes) && n < sizeof(names); i++) {
        n += (size_t)h_snprintf(names + n, sizeof(names) - n, "%s%s",
                                i ? ", " : "", mmu_modes[i]->name);
    }
    for (size_t i = 0; i < ARRAY_SIZE(mmu_aliases) && n < sizeof(names); i++) {
        n += (size_t)h_snprintf(names + n, sizeof(names) - n, ", %s",
                                mmu_aliases[i].name);
    }
    options_error("--mmu %s: unknown memory path (valid: %s)", s, names);
}

/* --watch: kept for after machine setup (mem_watch_parse checks it). */
static void opt_watch(FrontendOptions *o, const char *s)
{
    if (o->nb_watch >= OPT_MAX_WATCH) {
        options_error("--watch %s: expected ADDR[:LEN][:stop] (at most %u)",
                      s, OPT_MAX_WATCH);
    }
    o->watch[o->nb_watch++] = s;
}

/* --host-page-size: 4k, 16k or 64k. */
static void opt_host_page_size(FrontendOptions *o, const char *s)
{
    static const struct { const char *name; uint32_t size; } sizes[] = {
        { "4k", 4096 }, { "16k", 16384 }, { "64k", 65536 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        if (strcmp(s, sizes[i].name) == 0) {
            if (o->host_page != 0 && o->host_page != sizes[i].size) {
                /* only an --mmu alias sets it before (the option is once) */
                options_error("--host-page-size %s: contradicts the --mmu "
                              "alias given (%uk pages; expected the same "
                              "size or --mmu=hamt)", s, o->host_page >> 10);
            }
            o->host_page = sizes[i].size;
            return;
        }
    }
    options_error("--host-page-size %s: expected 4k, 16k or 64k", s);
}

/* --hamt-contexts: 1 .. HAMT_MAX_CTX. */
static void opt_hamt_contexts(FrontendOptions *o, const char *s)
{
    const char *end;
    uint64_t n;

    if (!parse_dec(s, &end, &n) || *end != '\0' || n < 1 || n > HAMT_MAX_CTX) {
        options_error("--hamt-contexts %s: expected a number from 1 to %u", s,
                      (unsigned)HAMT_MAX_CTX);
    }
    o->hamt_contexts = (int)n;
}

/* --icount: ns per TB as a power of two. */
static void opt_icount(FrontendOptions *o, const char *s)
{
    const char *end;
    uint64_t n;

    if (!parse_dec(s, &end, &n) || *end != '\0' || n > 16) {
        options_error("--icount %s: expected a number from 0 to 16", s);
    }
    o->icount_shift = (int)n;
}

/* --hamt-adapt: on or off. */
static void opt_hamt_adapt(FrontendOptions *o, const char *s)
{
    if (strcmp(s, "on") == 0 || strcmp(s, "off") == 0) {
        o->hamt_adapt = strcmp(s, "on") == 0;
        return;
    }
    options_error("--hamt-adapt %s: expected on or off", s);
}

/* --list-mmu. */
static void opt_list_mmu(FrontendOptions *o, const char *s)
{
    o->list_mmu = true;
}

/* --backend: jit (this build's host backend, also by name) or interp. */
static void opt_backend(FrontendOptions *o, const char *s)
{
    static const struct { const char *name; const HostBackend *be; } jits[] = {
#if defined(HAMT86_BACKEND_MIPS)
        { "jit", &backend_mips }, { "mips", &backend_mips },
#elif defined(HAMT86_BACKEND_LOONGARCH)
        { "jit", &backend_loongarch }, { "loongarch", &backend_loongarch },
#endif
        { "interp", &backend_interp },
    };

    for (size_t i = 0; i < ARRAY_SIZE(jits); i++) {
        if (strcmp(s, jits[i].name) == 0) {
            o->backend = jits[i].be;
            return;
        }
    }
    if (strcmp(s, "jit") == 0 || strcmp(s, "mips") == 0 ||
        strcmp(s, "loongarch") == 0) {
        options_error("--backend %s: this build has no such JIT backend "
                      "(valid here: interp%s)", s,
                      ARRAY_SIZE(jits) > 1 ? ", jit" : "");
    }
    options_error("--backend %s: unknown backend (valid: jit, interp)", s);
}

/* -h, -?, --help, --help-all. */
static void opt_help(FrontendOptions *o, const char *s)
{
    o->help = true;
}

/* --- the parser ------------------------------------------------------------ */

/* The row named by a long option (name[0..len)), or NULL. */
static const OptionDesc *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < options_count; i++) {
        if (strncmp(options_table[i].name, name, len) == 0 &&
            options_table[i].name[len] == '\0') {
            return &options_table[i];
        }
    }
    return NULL;
}

/* True when "-name[=...]" is QEMU's single-dash spelling of a long row
 * (a row with OPT_QEMU and a name longer than one letter). */
static bool is_qemu_long(const char *name)
{
    size_t len = 0;
    const OptionDesc *d;

    while (name[len] != '\0' && name[len] != '=') {
        len++;
    }
    d = find_long(name, len);
    return len > 1 && d != NULL && (d->flags & OPT_QEMU);
}

/* The row of a short option letter, or NULL. */
static const OptionDesc *find_short(char c)
{
    if (c == '?') {
        c = 'h';    /* glib's alias */
    }
    for (size_t i = 0; i < options_count; i++) {
        if (options_table[i].short_name != 0 &&
            options_table[i].short_name == c) {
            return &options_table[i];
        }
    }
    return NULL;
}

/* Parse argv into *o. */
void options_parse(int argc, char **argv, FrontendKind kind,
                   FrontendOptions *o)
{
    /* per row: the first use, as spelled, and its value */
    const char *seen_opt[64] = { NULL }, *seen_val[64] = { NULL };
    int seen_len[64] = { 0 };

    BUILD_ASSERT(ARRAY_SIZE(options_table) <= ARRAY_SIZE(seen_opt));
    memset(o, 0, sizeof(*o));
    o->ram_mib = RAM_DEFAULT_MIB;
    o->mem_path = mmu_modes[0];
    o->hamt_adapt = -1;
    o->hamt_contexts = 0;
    o->icount_shift = -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *opt = a;       /* the option as spelled, for messages */
        size_t optlen = strlen(a);
        const OptionDesc *d;
        const char *val = NULL;
        size_t row;

        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) {
                options_error("unexpected argument '%s'", argv[i + 1]);
            }
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            options_error("unexpected argument '%s'", a);
        }
        if (a[1] == '-' || is_qemu_long(a + 1)) {
            /* a long option, or QEMU's single-dash spelling of one */
            const char *name = a + (a[1] == '-' ? 2 : 1);
            const char *eq = name;
            while (*eq != '\0' && *eq != '=') {
                eq++;
            }
            d = find_long(name, (size_t)(eq - name));
            optlen = (size_t)(eq - opt);
            if (d == NULL) {
                options_error("Unknown option %.*s", (int)optlen, opt);
            }
            if (*eq == '=') {
                val = eq + 1;
            }
        } else {
            d = find_short(a[1]);
            optlen = 2;
            if (d == NULL) {
                options_error("Unknown option %.*s", (int)optlen, opt);
            }
            if (a[2] != '\0') {
                val = a[2] == '=' ? a + 3 : a + 2;
                if (d->argname == NULL && a[2] != '=') {
                    options_error("Unknown option %s", opt);
                }
            }
        }
        row = (size_t)(d - options_table);
        if (!option_available(d, kind)) {
            options_error("%.*s: not available in the %s front end (only "
                          "in the %s one)", (int)optlen, opt,
                          kind == FRONTEND_HOSTED ? "hosted" : "freestanding",
                          kind == FRONTEND_HOSTED ? "freestanding" : "hosted");
        }
        if (d->argname == NULL) {
            if (val != NULL) {
                options_error("Option --%s does not take a value", d->name);
            }
        } else if (val == NULL) {
            if (i + 1 >= argc) {
                options_error("Missing argument for %.*s (expected %s)",
                              (int)optlen, opt, d->expect);
            }
            val = argv[++i];
        }
        if (val != NULL && val[0] == '\0') {
            options_error("%.*s: empty value (expected %s)", (int)optlen, opt,
                          d->expect);
        }
        if (seen_opt[row] != NULL && !(d->flags & OPT_REPEAT)) {
            options_error("%.*s%s%s: given twice (first as %.*s%s%s; give it "
                          "once)", (int)optlen, opt, val ? " " : "",
                          val ? val : "", seen_len[row], seen_opt[row],
                          seen_val[row] ? " " : "",
                          seen_val[row] ? seen_val[row] : "");
        }
        if (seen_opt[row] == NULL) {
            seen_opt[row] = opt;
            seen_len[row] = (int)optlen;
            seen_val[row] = val;
        }
        d->handler(o, val);
    }
}

/* --- help -------------------------------------------------------------------- */

/* Write a NUL-terminated string to fd. */
static void put_str(int fd, const char *s)
{
    os_write(fd, s, strlen(s));
}

/* Format one help row as glib does ("  -m, --memory=MiB   help"). */
static void help_row(int fd, const OptionDesc *d, int width)
{
    char left[64], line[320];

    if (d->short_name) {
        h_snprintf(left, sizeof(left), "-%c, --%s%s%s", d->short_name,
                   d->name, d->argname ? "=" : "",
                   d->argname ? d->argname : "");
    } else {
        h_snprintf(left, sizeof(left), "--%s%s%s", d->name,
                   d->argname ? "=" : "", d->argname ? d->argname : "");
    }
    h_snprintf(line, sizeof(line), "  %-*s %s\n", width, left, d->help);
    put_str(fd, line);
}

/* --help in glib's layout (the freestanding front end has no glib). */
void options_print_help(int fd, FrontendKind kind)
{
    const int width = 29;

    put_str(fd, "Usage:\n  hamt86 [OPTION...] " OPTIONS_PARAMS "\n\n");
    put_str(fd, options_summary);
    put_str(fd, "\n\nHelp Options:\n");
    help_row(fd, find_long("help", 4), width);
    put_str(fd, "\nApplication Options:\n");
    for (size_t i = 0; i < options_count; i++) {
        const OptionDesc *d = &options_table[i];
        if (d->handler != opt_help && !(d->flags & OPT_HIDDEN) &&
            option_available(d, kind)) {
            help_row(fd, d, width);
        }
    }
    put_str(fd, "\n");
}

/* --- the driver ------------------------------------------------------------- */

/* Set up the machine from *o, load the kernel and run it. */
static int run_machine(const FrontendOptions *o)
{
    CPUX86State *env = &machine.cpu;
    const BootRequest req = {
        .kernel = o->kernel, .initrd = o->initrd, .append = o->append,
    };
    LoadedKernel k;
    uint8_t *ram;
    int status;

    ram = os_alloc_ram((size_t)machine.opt.ram_mib << 20);
    phys_map_init(env, ram, machine.opt.ram_mib << 20);
    hw_init();
    if (!load_kernel(&req, &k)) {
        return 1;
    }
    env->machine = &machine;
    mem_path->init(env);
    tb_init();
    k.fmt->enter(env, &k);
    for (unsigned i = 0; i < o->nb_watch; i++) {
        if (!mem_watch_parse(env, o->watch[i])) {
            options_error("--watch %s: expected ADDR[:LEN][:stop] (at most "
                          "%u)", o->watch[i], OPT_MAX_WATCH);
        }
    }

    status = cpu_exec_loop(env);
    if (machine.opt.stats) {
        stats_print();
    }
    os_exit(status);    /* as before: no atexit work after the guest */
}

/* The whole front end; returns the exit status. */
int frontend_main(int argc, char **argv, FrontendKind kind)
{
    FrontendOptions o;

    os_init_std_fds();      /* before anything opens a file */
    options_parse(argc, argv, kind, &o);
    if (o.host_page != 0 && o.mem_path != NULL &&
        o.mem_path->window_ensure == NULL) {   /* no host windows */
        options_error("--host-page-size %uk: meaningless with --mmu %s "
                      "(expected a HAMT memory path)", o.host_page >> 10,
                      o.mem_path->name);
    }
    if (o.help) {
        frontend_print_help();
        return 0;
    }
    if (o.list_mmu) {
        for (size_t i = 0; i < ARRAY_SIZE(mmu_modes); i++) {
            put_str(1, mmu_modes[i]->name);
            put_str(1, "\n");
        }
        for (size_t i = 0; i < ARRAY_SIZE(mmu_aliases); i++) {
            put_str(1, mmu_aliases[i].name);
            put_str(1, "\n");
        }
        return 0;
    }
    if (o.log_help) {
        log_print_help(1);
        return 0;
    }
    if (o.kernel == NULL) {
        options_error("no kernel given (use -kernel FILE with a multiboot "
                      "ELF32 i386 kernel or a Linux bzImage)");
    }
    if (o.logfile != NULL) {
        const char *why = "";
        int fd = frontend_open_logfile(o.logfile, &why);
        if (fd < 0) {
            options_error("-D %s: cannot open: %s", o.logfile, why);
        }
        log_fd = fd;
    }

    log_mask = o.log_mask;
    mem_path = o.mem_path;
    if (o.backend != NULL) {
        host_backend = o.backend;   /* tb_init keeps it */
    }
    if (o.host_page != 0) {
        hamt_opt_host_page = o.host_page;
    }
    if (o.hamt_adapt >= 0) {
        hamt_opt_adapt = o.hamt_adapt != 0;
    }
    if (o.hamt_contexts > 0) {
        hamt_opt_contexts = (unsigned)o.hamt_contexts;
    }
    machine.opt.ram_mib = o.ram_mib;
    machine.opt.icount = o.icount_shift >= 0;
    translate_icount = machine.opt.icount;
    machine.opt.icount_shift = o.icount_shift >= 0 ? (unsigned)o.icount_shift : 0;
    machine.opt.mmu_mode = mem_path->name;
    machine.opt.stats = o.stats;
    mem_count_tlb_hits = o.stats;
    machine.opt.cosim = o.cosim;
    machine.opt.cosim_inject = o.cosim_inject;
    machine.opt.nochain = log_enabled(LOG_NOCHAIN);
    return run_machine(&o);
}
