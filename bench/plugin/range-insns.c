/*
 * hamt86 bench: a TCG plugin for qemu-user 7.2 (also loads into
 * qemu-system-*) that counts, exactly, the instructions a program executes
 * (bench/count.sh, run.sh, hamt-vs-softmmu.sh, peer.sh, fp.sh), built
 * against QEMU's own include/qemu/qemu-plugin.h (bench/plugin/build.sh).
 *
 *   -d plugin -plugin ./range-insns.so[,arg=...]
 *
 * Every instruction falls in one of three classes, fixed when its TB is
 * translated:
 *
 *   generated  inside an anonymous writable + executable mapping the
 *              program made (mmap or mprotect with PROT_WRITE|PROT_EXEC,
 *              seen by the syscall callbacks): a JIT's code cache.  This is
 *              hamt86's code buffer, and the peer's (QEMU's) TCG buffer.
 *   c          the emulator's own code: inside text:START:END when given
 *              (hamt86's ELF .text, hex), else everything not generated
 *              (the peer is dynamically linked: its libraries count as c).
 *   other      with text given, what is in neither: qemu-user's signal
 *              trampolines, a vDSO.
 *
 * Per class it counts the instructions, the host loads and stores, and the
 * system calls (syscall instructions executed in that class).  Host-kernel
 * work (signal delivery for HAMT faults, the mmap behind a fill) is in
 * none of the counts.  Printed at exit:
 *
 *   range-insns: total N syscalls N
 *   range-insns: c N generated N other N (c share P%)
 *   range-insns: loads N stores N syscalls N
 *   range-insns: CLASS insns N loads N stores N syscalls N   (per class)
 *   range-insns: code cache N bytes in N mappings
 *
 * Cost: one inline add per instruction and two per memory access (no
 * callbacks), about 2-4x the run time of qemu-user without a plugin.
 *
 * Options (arg= may be omitted):
 *   text:START:END      the c range (above)
 *   NAME:ENTRY:EXIT     also count entries (executions of ENTRY) and the
 *                       instructions from ENTRY to EXIT inclusive, nesting
 *                       ignored (bench/bm-fill-cost.sh: hamt86's host-fault
 *                       and TLB-refill handlers); up to 8 such ranges
 *   marks=ARCH:FILE     (qemu-user only) append "BYTES INSNS" to FILE per
 *                       write/writev to fd 1 (ARCH mips64 or loongarch64
 *                       gives the syscall numbers): BYTES is the program's
 *                       standard output so far, after the call; INSNS the
 *                       instructions executed before it (bench/linux.sh:
 *                       the instructions until each marker line)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_RANGES 8
#define MAX_CACHE  16

/* Instruction classes. */
enum { CLS_C, CLS_GEN, CLS_OTHER, NB_CLS };
static const char *const cls_name[NB_CLS] = { "c", "generated", "other" };

/* Counters of one class (bumped by inline adds in translated code). */
typedef struct Counts {
    uint64_t insns;
    uint64_t accesses;      /* loads + stores (see tb_trans) */
    uint64_t stores;
    uint64_t syscalls;      /* syscall instructions executed */
} Counts;

/* Syscall numbers and instruction encoding of the program's ISA. */
typedef struct Target {
    const char *name;       /* qemu_info_t.target_name */
    int64_t nr_write, nr_writev, nr_mmap, nr_mprotect;
    int isa;                /* ISA_* */
} Target;

enum { ISA_MIPS, ISA_LOONGARCH, ISA_X86_64 };

static const Target targets[] = {
    { "mips64el", 5001, 5019, 5009, 5010, ISA_MIPS },          /* n64 */
    { "mips64", 5001, 5019, 5009, 5010, ISA_MIPS },
    { "loongarch64", 64, 66, 222, 226, ISA_LOONGARCH },        /* generic */
    { "x86_64", 1, 20, 9, 10, ISA_X86_64 },
};

/* One counted ENTRY..EXIT range. */
typedef struct Range {
    char name[32];
    uint64_t entry, exit;
    uint64_t entries, insns, start;
    int inside;
} Range;

/* Output marks: write/writev to fd 1. */
typedef struct Marks {
    FILE *f;
    int64_t nr_write, nr_writev;
    uint64_t bytes;         /* fd 1 bytes so far */
    uint64_t insns_at;      /* total when the pending call started */
    int pending;            /* a write to fd 1 is in progress */
} Marks;

/* The plugin's whole state. */
typedef struct State {
    Counts cls[NB_CLS];
    uint64_t syscalls;      /* syscall callbacks (all classes) */
    uint64_t text_lo, text_hi;
    const Target *target;   /* NULL: unknown ISA, no code-cache tracking */
    struct { uint64_t lo, hi; } cache[MAX_CACHE];
    int nb_cache;
    int64_t pending_mmap;   /* length of an RWX anonymous mmap in flight */
    Range ranges[MAX_RANGES];
    int nb_ranges;
    Marks marks;
} State;

static State st;

/* Every instruction counted so far. */
static uint64_t total(void)
{
    return st.cls[CLS_C].insns + st.cls[CLS_GEN].insns +
           st.cls[CLS_OTHER].insns;
}

/* The class of the instruction at pc. */
static int classify(uint64_t pc)
{
    for (int i = 0; i < st.nb_cache; i++) {
        if (pc >= st.cache[i].lo && pc < st.cache[i].hi) {
            return CLS_GEN;
        }
    }
    if (st.text_hi > st.text_lo && (pc < st.text_lo || pc >= st.text_hi)) {
        return CLS_OTHER;
    }
    return CLS_C;
}

/* Whether the instruction is a system call of the target's ISA. */
static int is_syscall(struct qemu_plugin_insn *insn)
{
    const uint8_t *p = qemu_plugin_insn_data(insn);
    size_t n = qemu_plugin_insn_size(insn);
    uint32_t w;

    if (st.target == NULL) {
        return 0;
    }
    if (st.target->isa == ISA_X86_64) {
        return n == 2 && ((p[0] == 0x0f && p[1] == 0x05) ||
                          (p[0] == 0xcd && p[1] == 0x80));
    }
    if (n != 4) {
        return 0;
    }
    w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
        (uint32_t)p[3] << 24;
    if (st.target->isa == ISA_MIPS) {
        return (w & 0xfc00003f) == 0x0000000c;      /* SPECIAL, SYSCALL */
    }
    return (w & 0xffff8000) == 0x002b0000;          /* syscall code */
}

/* Add [lo, lo + len) to the code cache. */
static void add_cache(uint64_t lo, uint64_t len)
{
    for (int i = 0; i < st.nb_cache; i++) {
        if (lo >= st.cache[i].lo && lo + len <= st.cache[i].hi) {
            return;
        }
    }
    if (st.nb_cache < MAX_CACHE && len > 0) {
        st.cache[st.nb_cache].lo = lo;
        st.cache[st.nb_cache].hi = lo + len;
        st.nb_cache++;
    }
}

/* Executing ENTRY: remember the count before it. */
static void on_entry(unsigned int vcpu, void *udata)
{
    Range *r = udata;

    (void)vcpu;
    r->entries++;
    r->inside = 1;
    r->start = total() - 1; /* the inline add of this insn ran first */
}

/* Executing EXIT: add what ran since ENTRY (EXIT included). */
static void on_exit_insn(unsigned int vcpu, void *udata)
{
    Range *r = udata;

    (void)vcpu;
    if (r->inside) {
        r->insns += total() - r->start;
        r->inside = 0;
    }
}

/* A TB is translated: plant the inline counters of each instruction. */
static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        Counts *c = &st.cls[classify(pc)];

        qemu_plugin_register_vcpu_insn_exec_inline(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, &c->insns, 1);
        if (is_syscall(insn)) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, &c->syscalls, 1);
        }
        /*
         * QEMU 7.2 filters memory callbacks off by one
         * (accel/tcg/plugin-gen.c tests cb->rw & (is_store + 1)): rw R
         * fires on stores only, rw W on every access (checked with static
         * mips64el programs doing 1M loads, then 1M stores).
         * Loads = accesses - stores.
         */
        qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_R,
            QEMU_PLUGIN_INLINE_ADD_U64, &c->stores, 1);
        qemu_plugin_register_vcpu_mem_inline(insn, QEMU_PLUGIN_MEM_W,
            QEMU_PLUGIN_INLINE_ADD_U64, &c->accesses, 1);
        for (int k = 0; k < st.nb_ranges; k++) {
            if (pc == st.ranges[k].entry) {
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_entry,
                    QEMU_PLUGIN_CB_NO_REGS, &st.ranges[k]);
            }
            if (pc == st.ranges[k].exit) {
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_exit_insn,
                    QEMU_PLUGIN_CB_NO_REGS, &st.ranges[k]);
            }
        }
    }
}

/* A system call starts: count it; note a write to fd 1, an RWX mapping. */
static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num,
                       uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
    const uint64_t wx = 2 | 4;      /* PROT_WRITE | PROT_EXEC */

    (void)id; (void)vcpu; (void)a4; (void)a6; (void)a7; (void)a8;
    st.syscalls++;
    if (st.marks.f && a1 == 1 &&
        (num == st.marks.nr_write || num == st.marks.nr_writev)) {
        st.marks.pending = 1;
        st.marks.insns_at = total();
    }
    if (st.target == NULL) {
        return;
    }
    /* anonymous (fd -1) mmap with write + exec: a code cache */
    if (num == st.target->nr_mmap && (a3 & wx) == wx && (int32_t)a5 == -1) {
        st.pending_mmap = (int64_t)a2;
    } else if (num == st.target->nr_mprotect && (a3 & wx) == wx) {
        add_cache(a1, a2);
    }
}

/* A system call returns: log the write to fd 1 it completes; note where
 * an RWX mapping landed. */
static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu,
                           int64_t num, int64_t ret)
{
    (void)id; (void)vcpu;
    if (st.pending_mmap && st.target && num == st.target->nr_mmap) {
        if (ret > 0 || ret < -4096) {
            add_cache((uint64_t)ret, (uint64_t)st.pending_mmap);
        }
        st.pending_mmap = 0;
    }
    if (st.marks.pending) {
        st.marks.pending = 0;
        if (ret > 0) {
            st.marks.bytes += (uint64_t)ret;
        }
        fprintf(st.marks.f, "%llu %llu\n", (unsigned long long)st.marks.bytes,
                (unsigned long long)st.marks.insns_at);
    }
}

/* marks:ARCH:FILE. */
static int parse_marks(const char *a)
{
    const char *c = strchr(a, ':');
    char path[512];
    size_t n;

    if (c && strncmp(a, "mips64:", 7) == 0) {
        st.marks.nr_write = 5001;       /* n64 */
        st.marks.nr_writev = 5019;
    } else if (c && strncmp(a, "loongarch64:", 12) == 0) {
        st.marks.nr_write = 64;         /* asm-generic */
        st.marks.nr_writev = 66;
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
    st.marks.f = fopen(path, "w");
    if (st.marks.f == NULL) {
        perror(path);
        return -1;
    }
    setvbuf(st.marks.f, NULL, _IOLBF, 0);
    return 0;
}

/* Print one line through the plugin output. */
static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void outf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    qemu_plugin_outs(buf);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    uint64_t t = total(), acc = 0, stores = 0, bytes = 0;
    Counts *k;

    (void)id;
    (void)udata;
    for (int i = 0; i < NB_CLS; i++) {
        acc += st.cls[i].accesses;
        stores += st.cls[i].stores;
    }
    outf("range-insns: total %llu syscalls %llu\n", (unsigned long long)t,
         (unsigned long long)st.syscalls);
    outf("range-insns: c %llu generated %llu other %llu (c share %.2f%%)\n",
         (unsigned long long)st.cls[CLS_C].insns,
         (unsigned long long)st.cls[CLS_GEN].insns,
         (unsigned long long)st.cls[CLS_OTHER].insns,
         t ? 100.0 * (double)st.cls[CLS_C].insns / (double)t : 0.0);
    outf("range-insns: loads %llu stores %llu syscalls %llu\n",
         (unsigned long long)(acc - stores), (unsigned long long)stores,
         (unsigned long long)st.syscalls);
    for (int i = 0; i < NB_CLS; i++) {
        k = &st.cls[i];
        outf("range-insns: %s insns %llu loads %llu stores %llu "
             "syscalls %llu\n", cls_name[i], (unsigned long long)k->insns,
             (unsigned long long)(k->accesses - k->stores),
             (unsigned long long)k->stores, (unsigned long long)k->syscalls);
    }
    for (int i = 0; i < st.nb_cache; i++) {
        bytes += st.cache[i].hi - st.cache[i].lo;
    }
    outf("range-insns: code cache %llu bytes in %d mappings%s\n",
         (unsigned long long)bytes, st.nb_cache,
         st.target ? "" : " (unknown target: not tracked)");
    for (int i = 0; i < st.nb_ranges; i++) {
        Range *r = &st.ranges[i];
        outf("range-insns: %.31s entries %llu insns %llu per entry %.1f\n",
             r->name, (unsigned long long)r->entries,
             (unsigned long long)r->insns,
             r->entries ? (double)r->insns / (double)r->entries : 0.0);
    }
}

QEMU_PLUGIN_EXPORT
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                        int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if (info->target_name && strcmp(info->target_name,
                                        targets[i].name) == 0) {
            st.target = &targets[i];
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        Range *r = &st.ranges[st.nb_ranges];
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
            st.text_lo = strtoull(c1 + 1, NULL, 16);
            st.text_hi = strtoull(c2 + 1, NULL, 16);
            continue;
        }
        if (st.nb_ranges == MAX_RANGES) {
            fprintf(stderr, "range-insns: more than %d ranges\n", MAX_RANGES);
            return -1;
        }
        snprintf(r->name, sizeof(r->name), "%.*s", (int)(c1 - a), a);
        r->entry = strtoull(c1 + 1, NULL, 16);
        r->exit = strtoull(c2 + 1, NULL, 16);
        st.nb_ranges++;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
    qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
