/*
 * hamt86 bench: a TCG plugin for qemu-system-* / qemu-user 7.2 that counts
 * the guest instructions executed between an entry and an exit address
 * (here: hamt86's host-fault and TLB-refill handlers, so the count is host
 * instructions per HAMT fill).
 *
 *   -plugin ./range-insns.so,arg=NAME:ENTRY:EXIT[,arg=...] -d plugin
 *
 * Each NAME:ENTRY:EXIT (hex addresses as the CPU fetches them) counts
 * entries (executions of ENTRY) and the instructions from ENTRY to EXIT
 * inclusive, nesting ignored.  The total of all instructions is printed
 * too, with the number of system calls the program made, and (issue 14
 * item 4) its split:
 *
 *   -plugin ./range-insns.so,arg=text:START:END
 *
 * names the emulator's own code (its ELF .text, hex): instructions there
 * count as "c", all others as "generated" (the code cache; the binaries
 * are static, so nothing else runs in user mode).  Loads and stores of the
 * emulator are counted too; host-kernel work (signal delivery, mmap) is in
 * none of the counts.
 *
 *   -plugin ./range-insns.so,marks=ARCH:FILE   (qemu-user only)
 *
 * appends one line "BYTES INSNS" to FILE per write/writev to fd 1 (ARCH
 * mips64 or loongarch64 gives the syscall numbers): BYTES is the program's
 * standard output so far, after the call; INSNS the instructions executed
 * before it.  The first line whose BYTES passes a marker's offset in the
 * output gives the instructions spent until that marker was printed
 * (bench/linux.sh: the kernel's first line, the shell, the workload's end).
 * The plugin API declarations are in qemu-plugin-api.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT_VERSION;

#define MAX_RANGES 8

/* One counted range. */
typedef struct Range {
    char name[32];
    uint64_t entry, exit;
    uint64_t entries, insns, start;
    int inside;
} Range;

static Range ranges[MAX_RANGES];
static int nb_ranges;
static uint64_t total;      /* every instruction (inline add) */
static uint64_t syscalls;   /* system calls made */
static uint64_t c_insns;    /* of them, inside text_lo..text_hi */
static uint64_t accesses, stores;
static uint64_t text_lo, text_hi;

/* Output marks: write/writev to fd 1. */
typedef struct Marks {
    FILE *f;
    int64_t nr_write, nr_writev;
    uint64_t bytes;         /* fd 1 bytes so far */
    uint64_t insns_at;      /* total when the pending call started */
    int pending;            /* a write to fd 1 is in progress */
} Marks;

static Marks marks;

/* Executing ENTRY: remember the count before it. */
static void on_entry(unsigned int vcpu, void *udata)
{
    Range *r = udata;

    (void)vcpu;
    r->entries++;
    r->inside = 1;
    r->start = total - 1;   /* the inline add of this insn ran first */
}

/* Executing EXIT: add what ran since ENTRY (EXIT included). */
static void on_exit_insn(unsigned int vcpu, void *udata)
{
    Range *r = udata;

    (void)vcpu;
    if (r->inside) {
        r->insns += total - r->start;
        r->inside = 0;
    }
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);

        qemu_plugin_register_vcpu_insn_exec_inline(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
        if (pc >= text_lo && pc < text_hi) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, &c_insns, 1);
        }
        /*
         * Debian's qemu-user 7.2 filters inline memory callbacks off by
         * one: rw 1 counts stores only, rw 2 every access (checked with
         * static mips64el programs doing 1M loads, then 1M stores).
         * Loads = accesses - stores.
         */
        qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_R,
            QEMU_PLUGIN_INLINE_ADD_U64, &stores, 1);
        qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_W,
            QEMU_PLUGIN_INLINE_ADD_U64, &accesses, 1);
        for (int k = 0; k < nb_ranges; k++) {
            if (pc == ranges[k].entry) {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn, on_entry, QEMU_PLUGIN_CB_NO_REGS, &ranges[k]);
            }
            if (pc == ranges[k].exit) {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn, on_exit_insn, QEMU_PLUGIN_CB_NO_REGS, &ranges[k]);
            }
        }
    }
}

/* A system call starts: count it; note a write to fd 1. */
static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num,
                       uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
    (void)id; (void)vcpu; (void)a2; (void)a3; (void)a4;
    (void)a5; (void)a6; (void)a7; (void)a8;
    syscalls++;
    if (marks.f && a1 == 1 && (num == marks.nr_write || num == marks.nr_writev)) {
        marks.pending = 1;
        marks.insns_at = total;
    }
}

/* A system call returns: log the write to fd 1 it completes. */
static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu,
                           int64_t num, int64_t ret)
{
    (void)id; (void)vcpu; (void)num;
    if (marks.pending) {
        marks.pending = 0;
        if (ret > 0) {
            marks.bytes += (uint64_t)ret;
        }
        fprintf(marks.f, "%llu %llu\n", (unsigned long long)marks.bytes,
                (unsigned long long)marks.insns_at);
    }
}

/* marks:ARCH:FILE. */
static int parse_marks(const char *a)
{
    const char *c = strchr(a, ':');
    char path[512];
    size_t n;

    if (c && strncmp(a, "mips64:", 7) == 0) {
        marks.nr_write = 5001;      /* n64 */
        marks.nr_writev = 5019;
    } else if (c && strncmp(a, "loongarch64:", 12) == 0) {
        marks.nr_write = 64;        /* asm-generic */
        marks.nr_writev = 66;
    } else {
        fprintf(stderr, "range-insns: expected marks:mips64|loongarch64:FILE, "
                "got marks:%s\n", a);
        return -1;
    }
    /* QEMU 7.2 turns a deprecated "arg=VALUE" into "VALUE=on" */
    snprintf(path, sizeof(path), "%s", c + 1);
    n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, "=on") == 0) {
        path[n - 3] = '\0';
    }
    marks.f = fopen(path, "w");
    if (marks.f == NULL) {
        perror(path);
        return -1;
    }
    setvbuf(marks.f, NULL, _IOLBF, 0);
    return 0;
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    char buf[256];

    (void)id;
    (void)udata;
    snprintf(buf, sizeof(buf), "range-insns: total %llu syscalls %llu\n",
             (unsigned long long)total, (unsigned long long)syscalls);
    qemu_plugin_outs(buf);
    if (text_hi > text_lo) {
        snprintf(buf, sizeof(buf), "range-insns: c %llu generated %llu "
                 "(c share %.2f%%)\n", (unsigned long long)c_insns,
                 (unsigned long long)(total - c_insns),
                 total ? 100.0 * (double)c_insns / (double)total : 0.0);
        qemu_plugin_outs(buf);
    }
    snprintf(buf, sizeof(buf), "range-insns: loads %llu stores %llu "
             "syscalls %llu\n", (unsigned long long)(accesses - stores),
             (unsigned long long)stores, (unsigned long long)syscalls);
    qemu_plugin_outs(buf);
    for (int k = 0; k < nb_ranges; k++) {
        Range *r = &ranges[k];
        snprintf(buf, sizeof(buf), "range-insns: %.31s entries %llu insns %llu "
                 "per entry %.1f\n", r->name, (unsigned long long)r->entries,
                 (unsigned long long)r->insns,
                 r->entries ? (double)r->insns / (double)r->entries : 0.0);
        qemu_plugin_outs(buf);
    }
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                        char **argv)
{
    (void)info;
    for (int i = 0; i < argc && nb_ranges < MAX_RANGES; i++) {
        const char *a = argv[i];
        Range *r = &ranges[nb_ranges];
        char *c1, *c2;

        if (strncmp(a, "arg=", 4) == 0) {
            a += 4;
        }
        if (strncmp(a, "marks:", 6) == 0 || strncmp(a, "marks=", 6) == 0) {
            if (parse_marks(a + 6) < 0) {
                return -1;
            }
            continue;
        }
        c1 = strchr(a, ':');
        c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL) {
            fprintf(stderr, "range-insns: expected NAME:ENTRY:EXIT, got %s\n",
                    argv[i]);
            return -1;
        }
        if (c1 - a == 4 && strncmp(a, "text", 4) == 0) {
            text_lo = strtoull(c1 + 1, NULL, 16);
            text_hi = strtoull(c2 + 1, NULL, 16);
            continue;
        }
        snprintf(r->name, sizeof(r->name), "%.*s", (int)(c1 - a), a);
        r->entry = strtoull(c1 + 1, NULL, 16);
        r->exit = strtoull(c2 + 1, NULL, 16);
        nb_ranges++;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
    qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
