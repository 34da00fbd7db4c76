/*
 * hamt86 - the freestanding command line front end (LoongArch64: no libc,
 * no glib).  Only OS glue lives here: the options, their messages and the
 * machine setup are shared with the hosted front end (frontend/options.c,
 * rows in frontend/options.def); this file prints --help without glib,
 * reads files and opens the -D file with raw syscalls
 * (os/os-rawsys.c).  The loader proper is frontend/kernel.c.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/os.h"
#include "core/mem.h"
#include "os/os-rawsys.h"
#include "frontend/loader.h"
#include "frontend/options.h"

/* --help, formatted by the shared code (glib's layout). */
void frontend_print_help(void)
{
    options_print_help(1, FRONTEND_FREESTANDING);
}

/* -D: create or truncate the log file. */
int frontend_open_logfile(const char *path, const char **why)
{
    int fd = rawsys_open_write(path);

    if (fd < 0) {
        *why = rawsys_strerror(-fd);
    }
    return fd;
}

/* Read a whole file (the kernel, the initrd) with raw syscalls. */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    /* nothing larger than guest RAM can be a kernel or initrd that fits */
    int r = rawsys_read_file(path, &f->data, &f->len, &f->cap, guest_ram_size);

    if (r == -21) {   /* EISDIR */
        return loader_error(path, "is a directory (%s)", what);
    }
    if (r == -27) {   /* EFBIG */
        return loader_error(path, "larger than the guest RAM (%u MiB): "
                            "refused after reading that much (%s that "
                            "fits, or a larger -m)", guest_ram_size >> 20,
                            what);
    }
    if (r < 0) {
        return loader_error(path, "cannot read: Failed to open file "
                            "\u201c%s\u201d: %s", path, rawsys_strerror(-r));
    }
    return true;
}

/* Free what frontend_read_file read. */
void frontend_free_file(FileData *f)
{
    os_free(f->data, f->cap);
    f->data = NULL;
}

int main(int argc, char **argv)
{
    return frontend_main(argc, argv, FRONTEND_FREESTANDING);
}
