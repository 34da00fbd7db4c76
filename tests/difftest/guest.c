/*
 * hamt86 difftest: the guest runner, a multiboot kernel built with
 * tests/guest/lib.  The sequences are linked in (blob.S) and the S lines
 * go to COM1; the last line is "DONE difftest", then port 0xF4.
 */
#include "lib/lib.h"
#include "runner.h"

const char kernel_name[] = "difftest";
extern const uint8_t dt_blob[], dt_blob_end[];

static void emit(const char *s, size_t n)
{
    while (n--) {
        putc_serial(*s++);
    }
}

void kmain(void)
{
    int n = dt_run_all(dt_blob, (size_t)(dt_blob_end - dt_blob), emit);

    if (n < 0) {
        puts_serial("FAIL difftest bad blob\n");
        exit(1);
    }
    puts_serial("E\nDONE difftest\n");
    exit(0);
}
