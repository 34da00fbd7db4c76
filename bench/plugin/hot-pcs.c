/*
 * hamt86 bench: a TCG plugin for qemu-user 7.2 that attributes executed
 * host instructions to translation blocks, so that bench/fp.sh -p can say
 * which functions of hamt86 (or of the peer) a workload spends them in.
 *
 *   -plugin ./hot-pcs.so[,top=N] -d plugin
 *
 * Each TB adds its instruction count to a counter of its own when it runs
 * (an early exit from a TB is counted in full).  At exit the counters are
 * summed per start address and the N (default 400) largest printed as
 * "hot-pcs: <hex address> <instructions>", then "hot-pcs: total <n>".
 * Built against QEMU's include/qemu/qemu-plugin.h (bench/plugin/build.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* One translated block (a retranslation gets a new one). */
typedef struct Block {
    uint64_t pc, insns;
} Block;

#define CHUNK 4096
static Block **chunks;
static size_t nb_blocks, nb_chunks;
static long top_n = 400;

static Block *new_block(uint64_t pc)
{
    if (nb_blocks == nb_chunks * CHUNK) {
        chunks = realloc(chunks, (nb_chunks + 1) * sizeof(*chunks));
        chunks[nb_chunks++] = calloc(CHUNK, sizeof(Block));
    }
    Block *b = &chunks[nb_blocks / CHUNK][nb_blocks % CHUNK];
    nb_blocks++;
    b->pc = pc;
    return b;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    Block *b = new_block(qemu_plugin_tb_vaddr(tb));

    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &b->insns,
                                             qemu_plugin_tb_n_insns(tb));
}

static int by_pc(const void *a, const void *b)
{
    const Block *x = a, *y = b;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static int by_insns(const void *a, const void *b)
{
    const Block *x = a, *y = b;
    return x->insns > y->insns ? -1 : x->insns < y->insns;
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    Block *all = malloc((nb_blocks + 1) * sizeof(Block));
    size_t n = 0;
    uint64_t total = 0;
    char buf[128];

    (void)id;
    (void)udata;
    for (size_t i = 0; i < nb_blocks; i++) {
        all[i] = chunks[i / CHUNK][i % CHUNK];
    }
    qsort(all, nb_blocks, sizeof(Block), by_pc);
    for (size_t i = 0; i < nb_blocks; i++) {
        total += all[i].insns;
        if (n > 0 && all[n - 1].pc == all[i].pc) {
            all[n - 1].insns += all[i].insns;
        } else {
            all[n++] = all[i];
        }
    }
    qsort(all, n, sizeof(Block), by_insns);
    for (size_t i = 0; i < n && (long)i < top_n && all[i].insns; i++) {
        snprintf(buf, sizeof(buf), "hot-pcs: %llx %llu\n",
                 (unsigned long long)all[i].pc,
                 (unsigned long long)all[i].insns);
        qemu_plugin_outs(buf);
    }
    snprintf(buf, sizeof(buf), "hot-pcs: total %llu\n",
             (unsigned long long)total);
    qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                        int argc, char **argv)
{
    (void)info;
    if (argc > 0) {
        const char *eq = strchr(argv[0], '=');  /* top=N (or arg=N) */
        top_n = strtol(eq ? eq + 1 : argv[0], NULL, 0);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
