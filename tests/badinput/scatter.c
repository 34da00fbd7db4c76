/*
 * badinput/scatter: bench/mem/mem_scatter.c with a 16 MiB working set (run
 * with -m 160).  On the native interpreter, hamt must notice from counted
 * reuse that its fills do not pay and take the softmmu path (--stats:
 * "interpreter -> softmmu path" at least 1; issue 16 item 6).
 */
#define SCATTER_MIB 16u
#include "../../bench/mem/mem_scatter.c"
