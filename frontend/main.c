/*
 * hamt86 - the hosted command line front end (glibc + glib; x86_64 and
 * mips64el builds).
 *
 *   hamt86 [-m MiB] --kernel FILE [-d LOG] [-D logfile] [-dfilter RANGES]
 *          [--stats] [--cosim] [--mmu=MODE] [--list-mmu] [--backend=jit|interp]
 *
 * Only OS glue lives here.  The options are the rows of
 * frontend/options.def; frontend/options.c parses and checks them and runs
 * the machine for both front ends, so messages and exit statuses cannot
 * drift apart.  glib's part is formatting --help: the GOptionEntry array
 * is built from the same table (options_table).  The kernel file is read
 * by frontend/loader.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "frontend/options.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

/* --help: glib formats the rows of options_table. */
void frontend_print_help(void)
{
    GOptionEntry *entries = g_new0(GOptionEntry, options_count + 1);
    GOptionContext *ctx;
    gchar *dummy = NULL;
    gchar *text;
    size_t n = 0;

    for (size_t i = 0; i < options_count; i++) {
        const OptionDesc *d = &options_table[i];
        if (strncmp(d->name, "help", 4) == 0 ||
            !option_available(d, FRONTEND_HOSTED)) {
            continue;       /* glib adds -h/--help itself */
        }
        entries[n].long_name = d->name;
        entries[n].short_name = d->short_name;
        entries[n].flags = (d->flags & OPT_HIDDEN) ? G_OPTION_FLAG_HIDDEN : 0;
        entries[n].arg = d->argname ? G_OPTION_ARG_STRING : G_OPTION_ARG_NONE;
        entries[n].arg_data = &dummy;
        entries[n].description = d->help;
        entries[n].arg_description = d->argname;
        n++;
    }
    g_set_prgname("hamt86");
    ctx = g_option_context_new(OPTIONS_PARAMS);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, options_summary);
    text = g_option_context_get_help(ctx, TRUE, NULL);
    g_print("%s", text);    /* in the locale's charset, as glib does */
    g_free(text);
    g_option_context_free(ctx);
    g_free(entries);
}

/* -D: create or truncate the log file. */
int frontend_open_logfile(const char *path, const char **why)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0) {
        *why = strerror(errno);
    }
    return fd;
}

int main(int argc, char **argv)
{
    return frontend_main(argc, argv, FRONTEND_HOSTED);
}
