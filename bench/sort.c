/*
 * sort: quicksort (median of three, insertion sort below 16) and heap sort
 * of pseudo-random 32-bit arrays.  Self-check: both results are sorted and
 * identical.  Checksum: position-weighted sum of the sorted arrays.
 */
#include "bench.h"

const char kernel_name[] = "sort";

#define N      (32 * 1024)
#define ROUNDS (24 * SCALE)

static uint32_t a[N], b[N];

static void __attribute__((noinline)) insertion_sort(uint32_t *v, int lo, int hi)
{
    for (int i = lo + 1; i <= hi; i++) {
        uint32_t x = v[i];
        int j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static inline void swap(uint32_t *v, int i, int j)
{
    uint32_t t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static void __attribute__((noinline)) quicksort(uint32_t *v, int lo, int hi)
{
    while (hi - lo >= 16) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        uint32_t p = v[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) {
                swap(v, i, j);
                i++;
                j--;
            }
        }
        /* recurse into the smaller half, loop on the larger */
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion_sort(v, lo, hi);
}

static void sift_down(uint32_t *v, int root, int n)
{
    for (;;) {
        int c = 2 * root + 1;
        if (c >= n) {
            return;
        }
        if (c + 1 < n && v[c + 1] > v[c]) {
            c++;
        }
        if (v[root] >= v[c]) {
            return;
        }
        swap(v, root, c);
        root = c;
    }
}

static void __attribute__((noinline)) heapsort(uint32_t *v, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--) {
        sift_down(v, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
        swap(v, 0, end);
        sift_down(v, 0, end);
    }
}

void kmain(void)
{
    uint32_t seed = 4242, ck = CK_INIT;
    int bad = 0;

    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            /* some duplicates: values in a range of N * 4 */
            a[i] = b[i] = lcg_next(&seed) % (N * 4u) + (r & 1 ? 0 : lcg_next(&seed) >> 20);
        }
        quicksort(a, 0, N - 1);
        heapsort(b, N);
        uint32_t s = 0;
        for (int i = 0; i < N; i++) {
            if (a[i] != b[i] || (i && a[i - 1] > a[i])) {
                bad++;
            }
            s += a[i] * (uint32_t)(i + 1);
        }
        ck = ck_mix(ck, s);
        ck = ck_mix(ck, a[N / 3]);
    }
    check("sort.sorted_and_equal", (uint32_t)bad, 0);
    bench_report("sort", ck);
}
