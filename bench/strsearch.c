/*
 * strsearch: count the (overlapping) occurrences of a set of patterns in a
 * 64 KiB pseudo-English text, with a naive search and with
 * Boyer-Moore-Horspool.  Self-check: both counts agree for every pattern.
 */
#include "bench.h"

const char kernel_name[] = "strsearch";

#define TEXT_SIZE (64 * 1024)
#define PASSES    (33 * SCALE)

static char text[TEXT_SIZE + 1];

static const char *const words[] = {
    "the", "of", "and", "to", "in", "is", "translation", "block", "guest",
    "host", "memory", "page", "table", "register", "instruction", "cache",
    "interrupt", "exception", "segment", "emulator", "a", "that", "for",
    "with", "as", "on", "by", "this", "be", "are", "mips", "loongarch",
};
#define NWORDS (int)(sizeof(words) / sizeof(words[0]))

static const char *const patterns[] = {
    "the", "translation block", "memory page table", "instruction cache",
    "interrupt", "loongarch mips", "zebra", "e t", "guest host guest",
    "exception segment emulator", "aaaa", "register a", "block guest",
    "cache interrupt exception", "of the", "tablet",
};
#define NPAT (int)(sizeof(patterns) / sizeof(patterns[0]))

static int __attribute__((noinline)) search_naive(const char *t, int n, const char *p, int m)
{
    int count = 0;
    for (int i = 0; i + m <= n; i++) {
        int j = 0;
        while (j < m && t[i + j] == p[j]) {
            j++;
        }
        if (j == m) {
            count++;
        }
    }
    return count;
}

static int __attribute__((noinline)) search_bmh(const char *t, int n, const char *p, int m)
{
    int shift[256];
    int count = 0;

    for (int i = 0; i < 256; i++) {
        shift[i] = m;
    }
    for (int i = 0; i < m - 1; i++) {
        shift[(uint8_t)p[i]] = m - 1 - i;
    }
    for (int i = 0; i + m <= n; i += shift[(uint8_t)t[i + m - 1]]) {
        int j = m - 1;
        while (j >= 0 && t[i + j] == p[j]) {
            j--;
        }
        if (j < 0) {
            count++;
        }
    }
    return count;
}

void kmain(void)
{
    uint32_t seed = 777, ck = CK_INIT;
    int pos = 0, bad = 0;

    while (pos < TEXT_SIZE) {
        const char *w = words[(lcg_next(&seed) >> 16) % NWORDS];
        while (*w && pos < TEXT_SIZE) {
            text[pos++] = *w++;
        }
        if (pos < TEXT_SIZE) {
            text[pos++] = (lcg_next(&seed) >> 28) == 0 ? '\n' : ' ';
        }
    }
    text[TEXT_SIZE] = 0;

    for (int pass = 0; pass < PASSES; pass++) {
        for (int k = 0; k < NPAT; k++) {
            int m = (int)strlen(patterns[k]);
            int c1 = search_naive(text, TEXT_SIZE, patterns[k], m);
            int c2 = search_bmh(text, TEXT_SIZE, patterns[k], m);
            if (c1 != c2) {
                bad++;
            }
            ck = ck_mix(ck, (uint32_t)c1);
            ck = ck_mix(ck, (uint32_t)c2);
        }
        /* vary the text between passes */
        text[(lcg_next(&seed) >> 8) % TEXT_SIZE] = 't';
    }
    check("strsearch.agree", (uint32_t)bad, 0);
    bench_report("strsearch", ck);
}
