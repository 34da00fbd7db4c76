/*
 * fp_matmul: dense matrix multiply in double, 64x64: C = A*B as dot
 * products (i-j-k: FLD/FMUL/FADDP in a register) and as row updates
 * (i-k-j: load, multiply, add, store per element), repeated with A
 * perturbed.  Self-check: A times the identity is A.
 */
#include "fpmath.h"

const char kernel_name[] = "fp_matmul";

#define N     64
#define REPS  (2 * SCALE)

static double a[N][N], b[N][N], c[N][N], id[N][N];

/* C = A * B, dot-product order. */
static void __attribute__((noinline)) mm_ijk(double (*cc)[N], double (*aa)[N], double (*bb)[N])
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < N; k++) {
                s += aa[i][k] * bb[k][j];
            }
            cc[i][j] = s;
        }
    }
}

/* C = A * B, row-update order. */
static void __attribute__((noinline)) mm_ikj(double (*cc)[N], double (*aa)[N], double (*bb)[N])
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            cc[i][j] = 0.0;
        }
        for (int k = 0; k < N; k++) {
            double r = aa[i][k];
            for (int j = 0; j < N; j++) {
                cc[i][j] += r * bb[k][j];
            }
        }
    }
}

void kmain(void)
{
    uint32_t seed = 4242, ck = CK_INIT, bad = 0;

    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(int32_t)lcg_next(&seed) / 2147483648.0;
            b[i][j] = (double)(int32_t)lcg_next(&seed) / 1073741824.0;
            id[i][j] = i == j;
        }
    }
    mm_ikj(c, a, id);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            bad += c[i][j] != a[i][j];
        }
    }
    check("matmul.identity", bad, 0);
    for (int rep = 0; rep < REPS; rep++) {
        mm_ijk(c, a, b);
        for (int i = 0; i < N; i++) {
            ck = ck_double(ck, c[i][(i * 7 + rep) % N]);
        }
        mm_ikj(c, a, b);
        for (int i = 0; i < N; i++) {
            ck = ck_double(ck, c[(i * 5 + rep) % N][i]);
            a[i][(i + rep) % N] += c[i][i] * (1.0 / 1024);
        }
    }
    bench_report("fp_matmul", ck);
}
