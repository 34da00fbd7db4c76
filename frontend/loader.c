/*
 * hamt86 - file reading for the hosted front end (glib); the kernel
 * loading proper is freestanding and shared with the LoongArch front end
 * (frontend/kernel.c, multiboot.c, linux.c).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "frontend/loader.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

/* Read a whole file (the kernel, the initrd). */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    gchar *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    struct stat st;

    fflush(stdout);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return loader_error(path, "is a directory (%s)", what);
    }
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        loader_error(path, "cannot read: %s", err->message);
        g_error_free(err);
        return false;
    }
    f->data = (uint8_t *)buf;
    f->len = len;
    f->cap = len;
    return true;
}

/* Free what frontend_read_file read. */
void frontend_free_file(FileData *f)
{
    g_free(f->data);
    f->data = NULL;
}
