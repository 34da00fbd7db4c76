/*
 * hamt86 - the host-neutral half of a native HostBackend: TB layout in the
 * code cache, entering generated code, goto_tb patch bookkeeping and the
 * -d out_asm framing (host-common/host-common.h).
 *
 * Code cache layout after host_cache_init():
 *
 *   cc->start (as given)       prologue: enter(env, tb_code)
 *                              epilogue: store guest regs, return the exit
 *                              value
 *   cc->start (after init) ->  TB code (each followed by its insn_start
 *                              records, uint32_t host offsets then EIPs,
 *                              unless the core allocated tb->insn_host_off
 *                              / insn_eip for tb->icount entries itself)
 *
 * init moves cc->start past the prologue/epilogue, so a cache flush that
 * resets cc->ptr to cc->start keeps them.  Each target clips the cache to
 * the reach of its direct jumps first.
 */
#include "core/base.h"
#include "core/libc.h"
#include "core/log.h"
#include "core/os.h"
#include "core/exec.h"
#include "host-common/host-common.h"

typedef uintptr_t (*HostEnterFn)(CPUX86State *env, void *tb_code);

/* What the last host_gen_code produced, for host_disas() of that TB. */
static HostTbInfo host_info;
static const uint8_t *last_code;
static uint32_t last_size;

/* Emit the prologue at [start, end) and start the cache after it. */
void host_cache_init(CodeCache *cc, uintptr_t start, uintptr_t end,
                     void (*emit_prologue)(HostAsm *s), const char *name)
{
    HostAsm s;

    s.start = s.ptr = (uint8_t *)start;
    s.end = (uint8_t *)end;
    s.overflow = false;
    emit_prologue(&s);
    if (s.overflow) {
        os_fatal(1, "%s backend: code cache too small", name);
    }
    os_flush_icache(s.start, s.ptr);
    cc->start = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    cc->ptr = cc->start;
    cc->end = (uint8_t *)end;
}

/* Lower f for tb into the code cache, then its insn_start records. */
bool host_gen_code(TranslationBlock *tb, const IRFunc *f, CodeCache *cc,
                   HostLowerFn *lower)
{
    HostAsm s;
    uint32_t code_size, n;
    uint8_t *start = (uint8_t *)ALIGN_UP((uintptr_t)cc->ptr, 16);
    uint32_t *rec;

    if (start >= cc->end) {
        return false;
    }
    s.start = s.ptr = start;
    s.end = cc->end;
    s.overflow = false;
    if (!lower(&s, tb, f, &host_info)) {
        return false;
    }
    code_size = hostasm_offset(&s);

    /*
     * insn_start records: into the arrays the core allocated for icount
     * entries if it did, else right after the code in the cache.
     */
    n = MAX(host_info.ninsns, (uint32_t)tb->icount);
    if (n == 0) {
        n = 1;
    }
    if (tb->insn_host_off != NULL && tb->insn_eip != NULL) {
        n = tb->icount;
        rec = NULL;
    } else {
        if (s.ptr + 8 * (size_t)n > s.end) {
            return false;
        }
        rec = (uint32_t *)(void *)s.ptr;
        tb->insn_host_off = rec;
        tb->insn_eip = rec + n;
        s.ptr += 8 * (size_t)n;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = i < host_info.ninsns ? i :
                     (host_info.ninsns ? host_info.ninsns - 1 : 0);
        tb->insn_host_off[i] = host_info.ninsns ? host_info.insn_off[k] : 0;
        tb->insn_eip[i] = host_info.ninsns ? host_info.insn_eip[k] : tb->pc;
    }

    tb->host_code = start;
    tb->host_size = code_size;
    for (int i = 0; i < 2; i++) {
        tb->jmp_insn_off[i] = host_info.jmp_insn_off[i];
        tb->jmp_reset_off[i] = host_info.jmp_reset_off[i];
    }
    cc->ptr = (uint8_t *)ALIGN_UP((uintptr_t)s.ptr, 16);
    os_flush_icache(start, start + code_size);
    last_code = start;
    last_size = code_size;
    return true;
}

/* Run from tb until the generated code returns to the loop. */
uintptr_t host_enter(const uint8_t *prologue, CPUX86State *env,
                     TranslationBlock *tb)
{
    HostEnterFn enter;
    const void *p = prologue;

    BUILD_ASSERT(sizeof(enter) == sizeof(p));
    __builtin_memcpy(&enter, &p, sizeof(enter));   /* inlined: every TB entry */
    return enter(env, tb->host_code);
}

/* The jump word of goto_tb slot n and its new target. */
uint32_t *host_jmp_site(TranslationBlock *tb, int n, TranslationBlock *dst,
                        void **target)
{
    uint8_t *code = tb->host_code;

    if (tb->jmp_insn_off[n] == TB_JMP_RESET_OFFSET_INVALID) {
        return NULL;
    }
    *target = dst ? dst->host_code : (void *)(code + tb->jmp_reset_off[n]);
    return (uint32_t *)(void *)(code + tb->jmp_insn_off[n]);
}

/* Print one instruction line. */
static void disas_line(const uint8_t *p, HostDisasFn *disas_one)
{
    char buf[96];
    uint32_t w;

    memcpy(&w, p, 4);
    disas_one(w, (uint64_t)(uintptr_t)p, buf, sizeof(buf));
    hlog("  0x%016llx:  %08x  %s\n", (unsigned long long)(uintptr_t)p,
         (unsigned)w, buf);
}

/* -d out_asm: host code, split per guest instruction when known. */
void host_disas(const void *code, size_t size, HostDisasFn *disas_one,
                const uint8_t *prologue, const uint8_t *epilogue)
{
    const uint8_t *p = code;
    bool known = (p == last_code);
    bool is_prologue = (p == prologue);
    unsigned k = 0;

    if (known && size > last_size) {
        size = last_size;
    }
    for (size_t off = 0; off + 4 <= size; off += 4) {
        if (is_prologue && p + off == prologue) {
            hlog("-- prologue\n");
        }
        if (is_prologue && p + off == epilogue) {
            hlog("-- epilogue\n");
        }
        if (known) {
            while (k < host_info.ninsns && host_info.insn_off[k] == off) {
                hlog("-- guest 0x%08x\n", (unsigned)host_info.insn_eip[k]);
                k++;
            }
            if (off == host_info.slow_off && off < host_info.table_off) {
                hlog("-- slow paths\n");
            }
            if (off >= host_info.table_off) {
                uint32_t w;
                if (off == host_info.table_off) {
                    hlog("-- HAMT site table\n");
                }
                memcpy(&w, p + off, 4);
                hlog("  0x%016llx:  %08x  .word\n",
                     (unsigned long long)(uintptr_t)(p + off), (unsigned)w);
                continue;
            }
        }
        disas_line(p + off, disas_one);
    }
}
