/*
 * hamt86 fuzz harness: the shared command line parser (frontend/options.c,
 * rows of frontend/options.def).  The input is split at NUL bytes into at
 * most 31 arguments after "hamt86"; both front-end kinds parse it.  A
 * usage error ends in os_exit(1), wrapped to return here
 * (tests/fuzz/fuzz-stubs.c).  Nothing is run: only options_parse.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/os.h"
#include "tests/fuzz/fuzz.h"
#include "frontend/options.h"

#define MAX_ARGS 32


/* libFuzzer entry: parse data as argv. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    size_t i = 0;

    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = (char *)"hamt86";
    while (i <= size && argc < MAX_ARGS) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;
    for (int kind = 0; kind < 2; kind++) {
        static FrontendOptions o;
        fuzz_exit_armed = true;
        if (setjmp(fuzz_exit_jb) == 0) {
            options_parse(argc, argv, (FrontendKind)kind, &o);
        }
        fuzz_exit_armed = false;
    }
    free(copy);
    return 0;
}
