/*
 * hamt86 - multiboot kernel loading for the hosted front end: read the file
 * (glib), then check and load it with the freestanding loader shared with
 * the LoongArch front end (frontend/multiboot.c).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "frontend/loader.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

#define EXPECT "expected a multiboot ELF32 i386 kernel"

/* Read, check and load the kernel; build the multiboot info. */
bool load_multiboot_kernel(const char *path, LoadedKernel *out)
{
    gchar *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    struct stat st;
    bool ok;

    fflush(stdout);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return loader_error(path, "is a directory (" EXPECT ")");
    }
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        loader_error(path, "cannot read: %s", err->message);
        g_error_free(err);
        return false;
    }
    ok = load_multiboot_image(path, (const uint8_t *)buf, len, out);
    g_free(buf);
    return ok;
}
