/*
 * hamt86 - the softmmu's command-line side: --watch specifications and the
 * --stats lines (mempath_softmmu.stats_print; a window path prints them
 * before its own).
 */
#include "core/mem.h"
#include "core/mmu.h"
#include "core/exec.h"
#include "core/libc.h"
#include "core/os.h"
#include "softmmu-fallback/softmmu.h"


/* Parse one number (0x.. hex or decimal); returns the end or NULL. */
static const char *parse_num(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10, n = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++, n++) {
        unsigned dgt;
        if (*s >= '0' && *s <= '9') {
            dgt = (unsigned)(*s - '0');
        } else if (base == 16 && *s >= 'a' && *s <= 'f') {
            dgt = (unsigned)(*s - 'a' + 10);
        } else if (base == 16 && *s >= 'A' && *s <= 'F') {
            dgt = (unsigned)(*s - 'A' + 10);
        } else {
            break;
        }
        v = v * base + dgt;
        if (v > 0xffffffffull) {
            return NULL;
        }
    }
    *out = (uint32_t)v;
    return n ? s : NULL;
}

/* "ADDR[:LEN][:stop]" -> read/write watchpoint. */
bool mem_watch_parse(CPUX86State *env, const char *spec)
{
    uint32_t addr, len = 1;
    unsigned flags = WP_READ | WP_WRITE;
    const char *p = parse_num(spec, &addr);

    if (p == NULL) {
        return false;
    }
    if (*p == ':' && strcmp(p + 1, "stop") != 0) {
        p = parse_num(p + 1, &len);
        if (p == NULL) {
            return false;
        }
    }
    if (strcmp(p, ":stop") == 0) {
        flags |= WP_STOP;
        p += 5;
    }
    if (*p != '\0') {
        return false;
    }
    return mem_watch_insert(env, addr, len, flags);
}

/* A "name: N (P.P%)" line, P = num / den. */
static void stat_pct(const char *name, uint64_t v, uint64_t num, uint64_t den)
{
    char buf[128];
    uint64_t x10 = den ? num * 1000u / den : 0;
    int n = h_snprintf(buf, sizeof(buf), "  %-28s %llu (%llu.%llu%%)\n", name,
                       (unsigned long long)v, (unsigned long long)(x10 / 10),
                       (unsigned long long)(x10 % 10));
    os_write(2, buf, (size_t)n);
}

/* --stats lines of the softmmu (mempath_softmmu.stats_print). */
void mem_stats_print(const CPUX86State *env)
{
    static const char *const idx_name[NB_MMU_MODES] = {
        "user", "kernel+SMAP", "kernel", "phys"
    };
    const SoftmmuStats *s = &softmmu_stats;
    uint64_t hits = 0, lookups;
    char buf[128];
    int n;

    for (unsigned i = 0; i < NB_MMU_MODES; i++) {
        hits += env->tlb_hits[i];
    }
    lookups = hits + s->misses;
    if (host_backend != NULL && host_backend->counts_tlb_hits &&
        (host_backend == &backend_interp || mem_count_tlb_hits)) {
        stat_pct("TLB fast-path hits", hits, hits, lookups);
        for (unsigned i = 0; i < NB_MMU_MODES; i++) {
            if (env->tlb_hits[i]) {
                n = h_snprintf(buf, sizeof(buf), "    hits %-23s %llu\n",
                               idx_name[i], (unsigned long long)env->tlb_hits[i]);
                os_write(2, buf, (size_t)n);
            }
        }
        stat_pct("TLB misses (data)", s->misses, s->misses, lookups);
    } else {
        n = h_snprintf(buf, sizeof(buf), "  %-28s not counted (%s backend)\n",
                       "TLB fast-path hits",
                       host_backend ? host_backend->name : "no");
        os_write(2, buf, (size_t)n);
        stat_line("TLB misses (data)", s->misses);
    }
    stat_line("TLB victim hits", s->victim_hits);
    stat_line("TLB fills", s->fills);
    stat_line("TLB code misses", s->code_misses);
    stat_line("page faults (#PF)", s->page_faults);
    stat_line("TLB flush: all", s->flush_all);
    stat_line("TLB flush: nonglobal", s->flush_nonglobal);
    stat_line("TLB flush: page", s->flush_page);
    stat_line("TLB flush: large page", s->flush_large);
    stat_line("TLB flush: range", s->flush_range);
    stat_line("TLB flush: mmuidx", s->flush_mmuidx);
    stat_line("MMIO accesses", s->mmio);
    stat_line("stores to code pages", s->code_stores);
    stat_line("stores to code pages' data (bitmap)", s->code_data_stores);
    stat_line("TLB scans for code/page-table frames", s->notdirty_scans);
    stat_line("page-crossing accesses", s->crossing);
    stat_line("TLB resizes", s->resizes);
    if (s->set_switches) {
        stat_line("TLB set switches", s->set_switches);
        stat_line("TLB set drops", s->set_drops);
    }
    n = h_snprintf(buf, sizeof(buf), "  %-28s %u %u %u %u\n", "TLB entries per index",
                   tlb_n_entries(env, 0), tlb_n_entries(env, 1),
                   tlb_n_entries(env, 2), tlb_n_entries(env, 3));
    os_write(2, buf, (size_t)n);
    if (mem_watch_test(0, 0xffffffffu)) {
        stat_line("watchpoint hits", s->watch_hits);
    }
}
