/*
 * hamt86 - the freestanding command line front end (LoongArch64: no libc,
 * no glib).  Only OS glue lives here: the options, their messages and the
 * machine setup are shared with the hosted front end (frontend/options.c,
 * rows in frontend/options.def); this file prints --help without glib,
 * reads the kernel and opens the -D file with raw syscalls
 * (os/os-rawsys.c).  The loader proper is frontend/multiboot.c.
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

/* Read the kernel file and load it. */
bool load_multiboot_kernel(const char *path, LoadedKernel *out)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    /* nothing larger than guest RAM can be a kernel that fits in it */
    int r = rawsys_read_file(path, &buf, &len, &cap, guest_ram_size);
    bool ok;

    if (r == -21) {   /* EISDIR */
        return loader_error(path, "is a directory (expected a multiboot "
                            "ELF32 i386 kernel)");
    }
    if (r == -27) {   /* EFBIG */
        return loader_error(path, "larger than the guest RAM (%u MiB): "
                            "refused after reading that much (expected a "
                            "multiboot ELF32 i386 kernel that fits, or a "
                            "larger -m)", guest_ram_size >> 20);
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
    return frontend_main(argc, argv, FRONTEND_FREESTANDING);
}
