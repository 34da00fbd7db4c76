/*
 * pgstress: randomized page-table stress (seeded, deterministic), see
 * lib/pgstress.h: random mappings and permissions over a pool of frames,
 * random ring-0/ring-3 reads and writes (some crossing pages), INVLPG after
 * each PTE change, CR3 switches between two page directories sharing a
 * page table, CR0.WP toggles, code called through the mappings.  Every
 * access is predicted by a software model; the hash of all outcomes
 * (values, vectors, error codes, CR2) is printed.
 */
#include "lib/lib.h"
#include "lib/pgt.h"
#include "lib/pgstress.h"

const char kernel_name[] = "pgstress";

void kmain(void)
{
    static const StressCfg cfg = {
        .name = "pgstress", .seed = 0x5eed1234u, .ops = 6000,
        .w_remap = 48, .w_cr3 = 8, .w_wp = 6, .w_code = 6, .w_smc = 6,
        .cross16 = 2, .ring3_4 = 1,
    };
    pg_setup32();
    stress_run(&cfg);
    finish(0x9c345281);
}
