/*
 * hamt86 fuzz harnesses: what the engine harnesses share.  os_exit is
 * wrapped (-Wl,--wrap=os_exit): while fuzz_exit_armed, an exit (a usage
 * error, os_fatal) longjmps to fuzz_exit_jb instead of ending the process.
 * The front-end OS glue that frontend/options.c calls (main.c / main-min.c
 * are not linked) is stubbed.
 */
#include "tests/fuzz/fuzz.h"
#include "frontend/loader.h"
#include "frontend/options.h"

jmp_buf fuzz_exit_jb;
volatile bool fuzz_exit_armed;

void __wrap_os_exit(int status);
void __real_os_exit(int status);

/* os_exit inside a run: back to the harness. */
void __wrap_os_exit(int status)
{
    if (fuzz_exit_armed) {
        longjmp(fuzz_exit_jb, 1);
    }
    __real_os_exit(status);
}

/* --help (glib's printer in the real hosted front end): nothing. */
void frontend_print_help(void)
{
}

/* -D: never opened by the harnesses. */
int frontend_open_logfile(const char *path, const char **why)
{
    (void)path;
    *why = "not in the fuzzer";
    return -1;
}

/* Reading a kernel file: the loader harness passes images in memory. */
bool frontend_read_file(const char *path, const char *what, FileData *f)
{
    (void)path;
    (void)what;
    (void)f;
    return false;
}

/* Nothing was read. */
void frontend_free_file(FileData *f)
{
    (void)f;
}
