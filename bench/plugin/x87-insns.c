/*
 * hamt86 bench: a TCG plugin for qemu-system-i386 7.2 that counts the x86
 * guest instructions executed, and among them the floating-point ones
 * (bench/fp.sh: host instructions per guest FP instruction).
 *
 *   -plugin ./x87-insns.so -d plugin
 *
 * After the legacy prefixes (26 2E 36 3E 64 65 66 67 F0 F2 F3):
 *   x87   D8-DF (escape opcodes) and 9B (WAIT/FWAIT)
 *   mmx   0F 60-7F, 0F D0-FF (the MMX rows; a Pentium II has no SSE) and
 *         0F AE (FXSAVE / FXRSTOR)
 * and among the x87 ones two classes (the rest is arithmetic, compares,
 * constants and control):
 *   moves register moves: FLD ST(i), FXCH, FST/FSTP ST(i), FCMOVcc
 *   mem   a memory operand (ModRM mod != 3)
 * Built against QEMU's include/qemu/qemu-plugin.h (bench/plugin/build.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Counters: every instruction, x87 ones, MMX/FXSR ones. */
static uint64_t n_all, n_x87, n_mmx, n_moves, n_mem;

/* The x87 class counter of escape byte esc with ModRM m (NULL: neither). */
static uint64_t *x87_class(unsigned esc, unsigned m)
{
    if (m < 0xc0) {
        return &n_mem;
    }
    if ((esc == 0xd9 && m < 0xd0) ||                   /* FLD ST(i), FXCH */
        (esc == 0xdd && m >= 0xd0 && m < 0xe0) ||      /* FST(P) ST(i) */
        ((esc == 0xda || esc == 0xdb) && m < 0xe0)) {  /* FCMOVcc */
        return &n_moves;
    }
    return NULL;
}

/* Which counter an instruction's bytes belong to (NULL: none but n_all);
 * *sub: the x87 class counter, if any. */
static uint64_t *classify(const uint8_t *p, size_t n, uint64_t **sub)
{
    size_t i = 0;

    *sub = NULL;

    while (i < n && strchr("\x26\x2e\x36\x3e\x64\x65\x66\x67\xf0\xf2\xf3",
                           p[i]) && p[i]) {
        i++;
    }
    if (i >= n) {
        return NULL;
    }
    if (p[i] >= 0xd8 && p[i] <= 0xdf && i + 1 < n) {
        *sub = x87_class(p[i], p[i + 1]);
        return &n_x87;
    }
    if ((p[i] >= 0xd8 && p[i] <= 0xdf) || p[i] == 0x9b) {
        return &n_x87;
    }
    if (p[i] == 0x0f && i + 1 < n &&
        ((p[i + 1] >= 0x60 && p[i + 1] <= 0x7f) || p[i + 1] >= 0xd0 ||
         p[i + 1] == 0xae)) {
        return &n_mmx;
    }
    return NULL;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t *sub;
        uint64_t *c = classify(qemu_plugin_insn_data(insn),
                               qemu_plugin_insn_size(insn), &sub);

        qemu_plugin_register_vcpu_insn_exec_inline(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, &n_all, 1);
        if (c) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, c, 1);
        }
        if (sub) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, sub, 1);
        }
    }
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    char buf[256];

    (void)id;
    (void)udata;
    snprintf(buf, sizeof(buf), "x87-insns: insns %llu x87 %llu mmx %llu "
             "moves %llu mem %llu\n",
             (unsigned long long)n_all, (unsigned long long)n_x87,
             (unsigned long long)n_mmx, (unsigned long long)n_moves,
             (unsigned long long)n_mem);
    qemu_plugin_outs(buf);
}

QEMU_PLUGIN_EXPORT
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                        int argc, char **argv)
{
    (void)info;
    (void)argc;
    (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
