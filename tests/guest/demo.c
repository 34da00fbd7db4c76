/*
 * demo: a small CPU workload for `make demo` and benchmarks - CRC32 over
 * generated data, sorting (quicksort and insertion sort), string search
 * (naive and Horspool) and a sieve - printing checksums.
 */
#include "lib/lib.h"

const char kernel_name[] = "demo";

#define DATA_SIZE (512 * 1024)
#define SORT_N    20000

static uint8_t data[DATA_SIZE];
static uint32_t keys[SORT_N];
static uint32_t crc_table[256];
static uint8_t sieve[200000];

/* Reflected CRC-32 (polynomial 0xEDB88320). */
static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return c ^ 0xffffffffu;
}

/* xorshift32 pseudo-random numbers. */
static uint32_t rng = 2463534242u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void quicksort(uint32_t *a, int lo, int hi)
{
    while (hi - lo > 16) {
        uint32_t p = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) {
                i++;
            }
            while (a[j] > p) {
                j--;
            }
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    for (int i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static int count_naive(const uint8_t *h, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    int count = 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && h[i + k] == (uint8_t)pat[k]) {
            k++;
        }
        count += k == m;
    }
    return count;
}

static int count_horspool(const uint8_t *h, size_t n, const char *pat)
{
    size_t m = strlen(pat), skip[256];
    int count = 0;
    for (int i = 0; i < 256; i++) {
        skip[i] = m;
    }
    for (size_t i = 0; i + 1 < m; i++) {
        skip[(uint8_t)pat[i]] = m - 1 - i;
    }
    for (size_t i = 0; i + m <= n; i += skip[h[i + m - 1]]) {
        if (memcmp(h + i, pat, m) == 0) {
            count++;
        }
    }
    return count;
}

void kmain(void)
{
    uint64_t t0 = rdtsc();

    crc_init();
    check("demo.crc.check", crc32((const uint8_t *)"123456789", 9), 0xcbf43926);

    /* text-like data: words over a small alphabet */
    static const char *const words[] = {
        "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ",
        "hamt ", "x86 ", "mips ", "loong ", "page ", "table ", "tlb ", "miss ",
    };
    size_t pos = 0;
    while (pos < DATA_SIZE) {
        const char *w = words[rnd() & 15];
        while (*w && pos < DATA_SIZE) {
            data[pos++] = (uint8_t)*w++;
        }
    }
    resultf("crc32 data %08x", crc32(data, DATA_SIZE));
    for (int r = 0; r < 4; r++) {
        data[rnd() % DATA_SIZE] ^= 1;
        resultf("crc32 round%d %08x", r, crc32(data, DATA_SIZE));
    }

    for (int i = 0; i < SORT_N; i++) {
        keys[i] = rnd();
    }
    quicksort(keys, 0, SORT_N - 1);
    bool sorted = true;
    uint32_t ksum = 0;
    for (int i = 0; i < SORT_N; i++) {
        if (i && keys[i - 1] > keys[i]) {
            sorted = false;
        }
        ksum = ksum * 31 + keys[i];
    }
    check("demo.sorted", sorted, 1);
    resultf("sort min %08x median %08x max %08x hash %08x", keys[0], keys[SORT_N / 2],
            keys[SORT_N - 1], ksum);

    static const char *const pats[] = { "fox jumps", "tlb miss ", "hamt x86 mips ", "dog dog", "zzz" };
    for (int i = 0; i < 5; i++) {
        int a = count_naive(data, DATA_SIZE / 4, pats[i]);
        int b = count_horspool(data, DATA_SIZE, pats[i]);
        resultf("search '%s' naive(1/4)=%d horspool=%d", pats[i], a, b);
    }

    /* sieve of Eratosthenes */
    int primes = 0;
    uint32_t last = 0;
    memset(sieve, 1, sizeof(sieve));
    for (uint32_t i = 2; i < sizeof(sieve); i++) {
        if (sieve[i]) {
            primes++;
            last = i;
            for (uint32_t j = i * 2; j < sizeof(sieve); j += i) {
                sieve[j] = 0;
            }
        }
    }
    resultf("sieve primes<%u = %d last %u", (unsigned)sizeof(sieve), primes, last);
    check("demo.sieve", primes, 17984);
    (void)t0;
    finish(0x89d6ddac);
}
