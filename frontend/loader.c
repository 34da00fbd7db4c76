/*
 * hamt86 - multiboot kernel loading for the hosted front end: read the file
 * (glib), then check and load it with the freestanding loader shared with
 * the LoongArch front end (frontend/multiboot.c).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "frontend/loader.h"

/* after the project headers: glib redefines MIN/MAX itself */
#include <glib.h>

#define EXPECT "expected a multiboot ELF32 i386 kernel"

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

/* Read, check and load the kernel; build the multiboot info. */
bool load_multiboot_kernel(const char *path, LoadedKernel *out)
{
    gchar *buf = NULL;
    size_t len = 0;
    struct stat st;
    bool ok;
    int r;

    fflush(stdout);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return loader_error(path, "is a directory (" EXPECT ")");
    }
    /* nothing larger than guest RAM can be a kernel that fits in it */
    r = read_bounded(path, guest_ram_size, &buf, &len);
    if (r < 0) {
        return loader_error(path, "larger than the guest RAM (%u MiB): "
                            "refused after reading that much (" EXPECT
                            " that fits, or a larger -m)",
                            guest_ram_size >> 20);
    }
    if (r > 0) {
        return loader_error(path, "cannot read: Failed to open file "
                            "\u201c%s\u201d: %s", path, g_strerror(r));
    }
    ok = load_multiboot_image(path, (const uint8_t *)buf, len, out);
    g_free(buf);
    return ok;
}
