/*
 * fp_mandel: the Mandelbrot set on a 96x64 grid over [-2.2, 0.8] x
 * [-1.2, 1.2], up to 256 iterations a point (z = z^2 + c in double), then
 * a small n-body step loop (5 bodies, softened gravity, FSQRT per pair).
 * Self-check: the origin is in the set, 2+0i escapes after two steps.
 */
#include "fpmath.h"

const char kernel_name[] = "fp_mandel";

#define W       96
#define H       64
#define MAXIT   256
#define NBODY   5
#define STEPS   (300 * SCALE)

/* Iterations before |z| > 2 (MAXIT if never). */
static int __attribute__((noinline)) mandel(double cr, double ci)
{
    double zr = 0.0, zi = 0.0;
    int n = 0;

    while (n < MAXIT) {
        double r2 = zr * zr, i2 = zi * zi;
        if (r2 + i2 > 4.0) {
            break;
        }
        zi = 2.0 * zr * zi + ci;
        zr = r2 - i2 + cr;
        n++;
    }
    return n;
}

static double px[NBODY], py[NBODY], pz[NBODY], vx[NBODY], vy[NBODY], vz[NBODY], m[NBODY];

/* One leapfrog-ish step of NBODY bodies. */
static void __attribute__((noinline)) nbody_step(double dt)
{
    for (int i = 0; i < NBODY; i++) {
        for (int j = i + 1; j < NBODY; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * fm_sqrt(d2));
            vx[i] -= dx * m[j] * mag; vy[i] -= dy * m[j] * mag; vz[i] -= dz * m[j] * mag;
            vx[j] += dx * m[i] * mag; vy[j] += dy * m[i] * mag; vz[j] += dz * m[i] * mag;
        }
    }
    for (int i = 0; i < NBODY; i++) {
        px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i];
    }
}

void kmain(void)
{
    uint32_t ck = CK_INIT, total = 0;

    check("mandel.origin", mandel(0.0, 0.0), MAXIT);
    check("mandel.two", mandel(2.0, 0.0), 2);
    for (int s = 0; s < SCALE; s++) {
        for (int y = 0; y < H; y++) {
            uint32_t row = 0;
            for (int x = 0; x < W; x++) {
                int n = mandel(-2.2 + 3.0 * x / W, -1.2 + 2.4 * y / H);
                row = row * 31 + n;
                total += n;
            }
            ck = ck_mix(ck, row);
        }
    }
    printf("INFO fp_mandel iterations=%u\n", total);
    for (int i = 0; i < NBODY; i++) {
        px[i] = i; py[i] = 0.5 * i * i - 1; pz[i] = 0.25 * (i & 1);
        vx[i] = 0.1 * (2 - i); vy[i] = 0.05 * i; vz[i] = -0.02 * i;
        m[i] = 1.0 + 0.5 * i;
    }
    for (int s = 0; s < STEPS; s++) {
        nbody_step(0.01);
    }
    for (int i = 0; i < NBODY; i++) {
        ck = ck_double(ck_double(ck, px[i]), vy[i]);
    }
    bench_report("fp_mandel", ck);
}
