/*
 * hamt86 - command line options and the shared front-end driver.
 *
 * The options are the rows of frontend/options.def.  frontend/options.c
 * (freestanding) parses and validates argv from them and runs the machine
 * (frontend_main); the two front ends only supply the OS glue declared at
 * the end of this header:
 *
 *   hosted       frontend/main.c (glib formats --help from options_table,
 *                open(2) for -D) + frontend/loader.c (reads the kernel, glib)
 *   freestanding frontend/main-min.c (options_print_help, raw syscalls)
 */
#ifndef HAMT86_OPTIONS_H
#define HAMT86_OPTIONS_H

#include "core/base.h"

struct MemPath;
struct HostBackend;

#define RAM_DEFAULT_MIB 128
#define RAM_MAX_MIB     3584
#define OPT_MAX_WATCH   8

/* Row flags (frontend/options.def). */
#define OPT_REPEAT            (1u << 0)
#define OPT_HOSTED_ONLY       (1u << 1)
#define OPT_FREESTANDING_ONLY (1u << 2)
#define OPT_HIDDEN            (1u << 3)
#define OPT_QEMU              (1u << 4)   /* "-name" works too */

/* Which front end parses: the rows of the other one are rejected. */
typedef enum FrontendKind {
    FRONTEND_HOSTED,
    FRONTEND_FREESTANDING,
} FrontendKind;

/* What the command line asked for (filled by options_parse). */
typedef struct FrontendOptions {
    uint32_t ram_mib;
    const char *kernel;
    const char *initrd, *append;        /* -initrd, -append (NULL: none) */
    bool nographic, no_reboot;          /* accepted QEMU flags */
    const char *logfile;
    uint32_t log_mask;
    const struct MemPath *mem_path;
    const struct HostBackend *backend;   /* NULL: the build's default */
    uint32_t host_page;                  /* --host-page-size, 0: real */
    int hamt_adapt;                      /* --hamt-adapt: 1, 0, -1 unset */
    int hamt_contexts;                   /* --hamt-contexts: 1..8, 0 unset */
    int icount_shift;                    /* --icount: 0..16, -1 unset */
    bool stats, cosim;
    uint64_t cosim_inject;
    const char *watch[OPT_MAX_WATCH];
    unsigned nb_watch;
    bool help, list_mmu, log_help;
} FrontendOptions;

/* One row of frontend/options.def, as data (for help formatting). */
typedef struct OptionDesc {
    const char *name;
    char short_name;
    const char *argname;     /* NULL: a flag */
    unsigned flags;
    void (*handler)(FrontendOptions *o, const char *value);
    const char *expect;
    const char *help;
} OptionDesc;

extern const OptionDesc options_table[];
extern const size_t options_count;

/* Usage line and summary for --help (both front ends). */
#define OPTIONS_PARAMS  "- run an x86 kernel (multiboot ELF or Linux bzImage)"
extern const char options_summary[];

/* True when row d is offered by front end kind (else it is rejected). */
bool option_available(const OptionDesc *d, FrontendKind kind);

/*
 * Parse argv into *o.  A bad command line prints "hamt86: <message>" and
 * the --help hint on stderr and exits with status 1.
 */
void options_parse(int argc, char **argv, FrontendKind kind,
                   FrontendOptions *o);

/* Print "hamt86: <message>" and the --help hint, exit with status 1. */
NORETURN void options_error(const char *fmt, ...) PRINTF_FMT(1, 2);

/* --help in glib's layout, from options_table (the freestanding one). */
void options_print_help(int fd, FrontendKind kind);

/*
 * The whole front end: parse, act on --help/--list-mmu/-d help, set up
 * the machine, load the kernel, run it; returns the exit status.
 */
int frontend_main(int argc, char **argv, FrontendKind kind);

/* --- OS glue, one definition per front end ------------------------------ */

/* Print --help on stdout. */
void frontend_print_help(void);
/* Open the -D log file for writing: the fd, or -1 with *why set. */
int frontend_open_logfile(const char *path, const char **why);
/* (and frontend_read_file, frontend_free_file: frontend/loader.h) */

#endif
