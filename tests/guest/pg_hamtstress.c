/*
 * pg_hamtstress: the stress engine of lib/pgstress.h tuned for the HAMT
 * memory path (host mappings installed from guest page walks): many PTE
 * edits followed by INVLPG on pages that are in use, frequent CR3 switches
 * (a full unmap/remap of the window), code rewritten through a writable
 * alias and called through another mapping of the same frame (SMC through
 * an alias), more ring-3 accesses and page-crossing accesses.
 */
#include "lib/lib.h"
#include "lib/pgt.h"
#include "lib/pgstress.h"

const char kernel_name[] = "pg_hamtstress";

void kmain(void)
{
    static const StressCfg cfg = {
        .name = "pg_hamtstress", .seed = 0x4a4d5400u, .ops = 6000,
        .w_remap = 80, .w_cr3 = 24, .w_wp = 4, .w_code = 8, .w_smc = 24,
        .cross16 = 4, .ring3_4 = 2,
    };
    pg_setup32();
    stress_run(&cfg);
    finish(0x8df48bad);
}
