/*
 * hamt86 - file reading for the hosted front end (glib); the kernel
 * loading proper is freestanding and shared with the LoongArch front end
 * (frontend/kernel.c, multiboot.c, linux.c).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "frontend/loader.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

/*
 * Read at most max bytes of path into a g_malloc buffer (*buf, *len).
 * Returns 0, -1 when the file has more than max bytes (only max + 1 are
 * read: /dev/zero is refused quickly), or errno.
 */
static int read_bounded(const char *path, size_t max, gchar **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1u << 20, n = 0;
    gchar *b;
    int err;

    if (f == NULL) {
        return errno;
    }
    b = g_malloc(cap);
    for (;;) {
        size_t want, got;
        if (n == cap) {
            cap *= 2;
            b = g_realloc(b, cap);
        }
        want = cap - n;
        if (want > max + 1 - n) {
            want = max + 1 - n;
        }
        got = fread(b + n, 1, want, f);
        n += got;
        if (n > max) {
            fclose(f);
            g_free(b);
            return -1;
        }
        if (got < want) {
            break;
        }
    }
    err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        g_free(b);
        return err;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Read a whole file (the kernel, the initrd). */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    gchar *buf = NULL;
    size_t len = 0;
    struct stat st;
    int r;

    fflush(stdout);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return loader_error(path, "is a directory (%s)", what);
    }
    /* nothing larger than guest RAM can be a kernel or initrd that fits */
    r = read_bounded(path, guest_ram_size, &buf, &len);
    if (r < 0) {
        return loader_error(path, "larger than the guest RAM (%u MiB): "
                            "refused after reading that much (%s that "
                            "fits, or a larger -m)", guest_ram_size >> 20,
                            what);
    }
    if (r > 0) {
        return loader_error(path, "cannot read: Failed to open file "
                            "\u201c%s\u201d: %s", path, g_strerror(r));
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
