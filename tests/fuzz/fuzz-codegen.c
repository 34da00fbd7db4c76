/*
 * hamt86 fuzz harness fuzz-codegen-<host>: decode -> translate -> IR
 * optimise -> lower for a JIT host (MIPS64 or LoongArch64) on the x86_64
 * fuzz build, then check every word of the generated code with the host's
 * disassembler (generated from its *-insn.def like the encoders):
 *
 *   - every word decodes to an instruction of the table (no ".word");
 *   - none is privileged or trapping (FuzzHost.forbidden);
 *   - no operand is a register the backend promises never to touch;
 *   - every branch target is a word inside the TB's code or the epilogue;
 *     calls (linking jumps) may go anywhere; register jumps are not
 *     followed;
 *   - with delay slots, the word after a jump is inside the TB and is not
 *     a jump itself;
 *   - the insn_start records lie inside the code and do not go back, and
 *     each goto_tb slot is the host's patchable jump, aimed at its reset
 *     target inside the TB;
 *   - with a window path, the TB ends with the HAMT site table
 *     (host-common/hamt-site.c): every site's access word is a host load
 *     or store of the code, and its stub a word of the code after it.
 *
 * Each input is lowered twice: with the softmmu's inline TLB lookup, and
 * with a window path (window_path below: the MemPath hooks a HAMT path
 * gives the lowering, without hamt/ behind them, as the code never runs).
 * Per guest instruction, a hash of its EIP and the input picks the window
 * access, a hot site's inline softmmu access or, for stores, the store
 * beside code; the paging-off limit is 16 MiB or none.
 *
 * The host's backend is reached only through its HostBackend (the same
 * tb_gen_code as the engine: host_backend->init clips and fills the code
 * cache, ->gen_code lowers into it); generated code is never run.  Any
 * broken promise prints the TB's code and aborts, so libFuzzer keeps the
 * input.  A range error of a generated encoder (hostasm_range_error) and
 * sanitizer reports are findings too.  Same input format and machine as
 * fuzz-block (tests/fuzz/fuzz-machine.c), so the two share a corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exec.h"
#include "core/machine.h"
#include "core/mem.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz-codegen.h"

/* The window path's choices for the current input. */
typedef struct WindowChoice {
    uint32_t seed;
    bool phys_limit;
} WindowChoice;

static WindowChoice choice;
static MemPath window_path;

/* Hash of eip and the input's seed: which access a site gets. */
static unsigned site_hash(uint32_t eip)
{
    uint32_t h = (eip ^ choice.seed) * 0x9e3779b1u;

    return h >> 29;
}

/* MemPath.window_ensure: a base no code will ever use (never run). */
static uintptr_t fake_window_ensure(unsigned idx)
{
    uintptr_t base = (uintptr_t)0x100000000000ull + ((uintptr_t)idx << 33);

    machine.cpu.hamt_window[idx] = base;
    return base;
}

/* MemPath.inline_softmmu_at: about one site in four is a hot site. */
static bool fake_inline_softmmu_at(const TranslationBlock *tb, uint32_t eip,
                                   unsigned idx, unsigned memop,
                                   const uint32_t *addr)
{
    (void)tb;
    (void)idx;
    (void)memop;
    (void)addr;
    return site_hash(eip) < 2;
}

/* MemPath.cd_store_at: about one store site in four is beside code. */
static bool fake_cd_store_at(const TranslationBlock *tb, uint32_t eip,
                             unsigned idx)
{
    (void)tb;
    if (site_hash(eip) < 6) {
        return false;
    }
    machine.cpu.hamt_cd_map[idx] = (uintptr_t)0x200000000000ull;
    machine.cpu.hamt_cd_st[idx] = (uintptr_t)0x300000000000ull;
    return true;
}

/* MemPath.phys_limit: RAM's 16 MiB, or no limit. */
static uint64_t fake_phys_limit(void)
{
    return choice.phys_limit ? (uint64_t)16 << 20 : (uint64_t)1 << 32;
}

/* What the host's lists say a mnemonic is (bits of CheckWord.cls). */
enum {
    MC_BRANCH = 1, MC_CALL = 2, MC_INDIRECT = 4, MC_FORBIDDEN = 8,
    MC_ACCESS = 16, MC_WORD = 32,
    MC_JUMP = MC_BRANCH | MC_CALL | MC_INDIRECT,
};

/* One checked word. */
typedef struct CheckWord {
    uint32_t off, word;
    unsigned cls;
    char text[128];
    char mnem[24];
} CheckWord;

/*
 * Mnemonic -> class bits, an open-addressing hash built once from the
 * host's lists.  Every word of every TB is classified, and a strcmp
 * against each list (intercepted and traced by libFuzzer) was a third of
 * the harness's time.
 */
#define MC_SLOTS 1024
static struct {
    char mnem[24];
    unsigned cls;
} mc_table[MC_SLOTS];

/* FNV-1a of the mnemonic s, as a slot. */
static unsigned mc_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h & (MC_SLOTS - 1);
}

/* s == t, without the traced string functions. */
static bool mc_same(const char *s, const char *t)
{
    while (*s && *s == *t) {
        s++;
        t++;
    }
    return *s == *t;
}

/* The slot of mnemonic s: its entry, or the empty slot for it. */
static unsigned mc_slot(const char *s)
{
    unsigned i = mc_hash(s);

    while (mc_table[i].mnem[0] && !mc_same(mc_table[i].mnem, s)) {
        i = (i + 1) & (MC_SLOTS - 1);
    }
    return i;
}

/* Add the mnemonics of a NULL-terminated list with class bit cls. */
static void mc_add(const char *const *list, unsigned cls)
{
    for (; list != NULL && *list != NULL; list++) {
        unsigned i = mc_slot(*list);

        if (strlen(*list) >= sizeof(mc_table[i].mnem)) {
            fprintf(stderr, "fuzz-codegen: mnemonic %s too long\n", *list);
            abort();
        }
        strcpy(mc_table[i].mnem, *list);
        mc_table[i].cls |= cls;
    }
}

/* Class bits of mnemonic s (0: none of the lists). */
static unsigned mc_class(const char *s)
{
    static bool built;

    if (!built) {
        static const char *const word[] = { ".word", NULL };

        mc_add(fuzz_host.branches, MC_BRANCH);
        mc_add(fuzz_host.calls, MC_CALL);
        mc_add(fuzz_host.indirect, MC_INDIRECT);
        mc_add(fuzz_host.forbidden, MC_FORBIDDEN);
        mc_add(fuzz_host.accesses, MC_ACCESS);
        mc_add(word, MC_WORD);
        built = true;
    }
    return mc_table[mc_slot(s)].cls;
}

/* Print tb's host code and the broken promise, then abort. */
static void fail(const TranslationBlock *tb, const CheckWord *w,
                 const char *why)
{
    const uint8_t *code = tb->host_code;
    char buf[128];

    fprintf(stderr, "fuzz-codegen-%s: TB 0x%08x (%u insns, %u bytes): "
            "+0x%x %08x \"%s\": %s\n", fuzz_host.name, (unsigned)tb->pc,
            (unsigned)tb->icount, (unsigned)tb->host_size,
            w ? (unsigned)w->off : 0u, w ? (unsigned)w->word : 0u,
            w ? w->text : "", why);
    for (uint32_t off = 0; off + 4 <= tb->host_size; off += 4) {
        uint32_t v;

        memcpy(&v, code + off, 4);
        fuzz_host.disas_one(v, (uint64_t)(uintptr_t)(code + off), buf,
                            sizeof(buf));
        fprintf(stderr, "  +0x%04x  %08x  %s\n", (unsigned)off, (unsigned)v,
                buf);
    }
    abort();
}

/* Disassemble the word at off of tb into w. */
static void decode_word(const TranslationBlock *tb, uint32_t off,
                        CheckWord *w)
{
    const uint8_t *p = (const uint8_t *)tb->host_code + off;
    size_t n;

    w->off = off;
    memcpy(&w->word, p, 4);
    fuzz_host.disas_one(w->word, (uint64_t)(uintptr_t)p, w->text,
                        sizeof(w->text));
    n = strcspn(w->text, " \t");
    if (n >= sizeof(w->mnem)) {
        n = sizeof(w->mnem) - 1;
    }
    memcpy(w->mnem, w->text, n);
    w->mnem[n] = 0;
    w->cls = mc_class(w->mnem);
}

/* True if register token reg (e.g. "$2") is an operand of text. */
static bool uses_reg(const char *text, const char *reg)
{
    size_t n = strlen(reg);

    for (const char *p = strstr(text, reg); p; p = strstr(p + 1, reg)) {
        if (p[n] < '0' || p[n] > '9') {
            return true;
        }
    }
    return false;
}

/* The target of a branch: the last 0x number of its text. */
static bool branch_target(const char *text, uint64_t *target)
{
    const char *p = NULL;

    for (const char *q = strstr(text, "0x"); q; q = strstr(q + 2, "0x")) {
        p = q;
    }
    if (p == NULL) {
        return false;
    }
    *target = strtoull(p, NULL, 16);
    return true;
}

/* True if w is any kind of jump (branch, call, register jump). */
static bool is_jump(const CheckWord *w)
{
    return (w->cls & MC_JUMP) != 0;
}

/* The HAMT site table at the end of tb: every entry an access word of
 * the code and a stub after it; returns the size of the code before it. */
static uint32_t check_site_table(const TranslationBlock *tb)
{
    const uint32_t *end = (const uint32_t *)(const void *)
                          ((const uint8_t *)tb->host_code + tb->host_size);
    uint32_t n, code_size;
    CheckWord w;

    if (tb->host_size < 8 || end[-1] != MEM_SITE_MAGIC) {
        fail(tb, NULL, "window path TB without its site table");
    }
    n = end[-2];
    if ((uint64_t)n * 8 + 8 > tb->host_size) {
        fail(tb, NULL, "site table longer than the TB");
    }
    code_size = tb->host_size - 8 - n * 8;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t *e = end - 2 - 2 * (size_t)(n - i);
        uint32_t acc = e[0], stub = e[1];

        if (acc % 4 || stub % 4 || acc >= code_size || stub >= code_size ||
            stub <= acc) {
            fail(tb, NULL, "site table entry outside the code");
        }
        decode_word(tb, acc, &w);
        if (!(w.cls & MC_ACCESS)) {
            fail(tb, &w, "site table entry is not a host load or store");
        }
    }
    return code_size;
}

/* Check every promise about tb's generated code. */
static void check_tb(const TranslationBlock *tb)
{
    uintptr_t code = (uintptr_t)tb->host_code;
    uint32_t size = tb->host_size;
    uintptr_t epilogue = (uintptr_t)*fuzz_host.epilogue;
    CheckWord w, next;

    if (size == 0 || size % 4 != 0) {
        fail(tb, NULL, "code size is not a whole number of words");
    }
    if (mem_path_has_windows()) {
        size = check_site_table(tb);
    }
    for (uint32_t off = 0; off < size; off += 4) {
        decode_word(tb, off, &w);
        if (w.cls & MC_WORD) {
            fail(tb, &w, "not an instruction of the host table");
        }
        if (w.cls & MC_FORBIDDEN) {
            fail(tb, &w, "privileged or trapping instruction");
        }
        for (const char *const *r = fuzz_host.reserved; *r; r++) {
            if (uses_reg(w.text, *r)) {
                fail(tb, &w, "uses a register the backend never touches");
            }
        }
        if (w.cls & MC_BRANCH) {
            uint64_t t;

            if (!branch_target(w.text, &t)) {
                fail(tb, &w, "branch without a target in its text");
            }
            if (t != epilogue && (t < code || t >= code + size || t % 4)) {
                fail(tb, &w, "branch target outside the TB and not the epilogue");
            }
        }
        if (fuzz_host.delay_slot && is_jump(&w)) {
            if (off + 4 >= size) {
                fail(tb, &w, "jump without its delay slot in the TB");
            }
            decode_word(tb, off + 4, &next);
            if (is_jump(&next)) {
                fail(tb, &next, "jump in a delay slot");
            }
        }
    }
    for (uint32_t i = 0; i < tb->icount; i++) {
        if (tb->insn_host_off[i] > size ||
            (i > 0 && tb->insn_host_off[i] < tb->insn_host_off[i - 1])) {
            fail(tb, NULL, "insn_start record outside the code or backwards");
        }
    }
    for (int n = 0; n < 2; n++) {
        uint64_t t;

        if (tb->jmp_insn_off[n] == TB_JMP_RESET_OFFSET_INVALID) {
            continue;
        }
        if (tb->jmp_insn_off[n] + 4 > size || tb->jmp_insn_off[n] % 4) {
            fail(tb, NULL, "goto_tb slot outside the code");
        }
        decode_word(tb, tb->jmp_insn_off[n], &w);
        if (strcmp(w.mnem, fuzz_host.goto_tb) != 0 ||
            !branch_target(w.text, &t) ||
            t != code + tb->jmp_reset_off[n]) {
            fail(tb, &w, "goto_tb slot is not a jump to its reset target");
        }
    }
}

/* Lower data's block for the host under path and check it. */
static void lower_and_check(const MemPath *path, const uint8_t *data,
                            size_t size)
{
    TranslationBlock *tb;

    mem_path = path;
    fuzz_machine_start(data, size);
    tb = fuzz_machine_translate();
    if (tb != NULL && tb->icount != 0) {
        check_tb(tb);
    }
    fuzz_machine_finish(tb);
}

/* libFuzzer entry: one block from data, lowered for the host under the
 * softmmu and under a window path, and checked. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const MemPath *softmmu;

    if (size < 1) {
        return 0;
    }
    fuzz_machine_init(fuzz_host.backend);
    if (softmmu == NULL) {
        softmmu = mem_path;
        window_path = *mem_path;
        window_path.name = "fuzz-window";
        window_path.window_ensure = fake_window_ensure;
        window_path.inline_softmmu_at = fake_inline_softmmu_at;
        window_path.cd_store_at = fake_cd_store_at;
        window_path.phys_limit = fake_phys_limit;
    }
    lower_and_check(softmmu, data, size);
    choice.seed = data[size - 1] * 0x01010101u ^ (uint32_t)size;
    choice.phys_limit = data[0] & 0x80;
    lower_and_check(&window_path, data, size);
    mem_path = softmmu;
    return 0;
}
