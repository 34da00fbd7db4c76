/*
 * fp_null: does nothing: bench/fp.sh runs it on every engine to subtract
 * the start-up (BIOS, emulator initialisation) from the FP kernels' counts.
 */
#include "bench.h"

const char kernel_name[] = "fp_null";

void kmain(void)
{
    bench_report("fp_null", CK_INIT);
}
