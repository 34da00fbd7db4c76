/*
 * fp_whet: a Whetstone-like x87 kernel (after Curnow and Wichmann's
 * modules): simple identifiers, array elements, an array as parameter,
 * conditional jumps, trig functions, procedure calls and standard functions
 * (sqrt, exp, log), all in double; the libm is bench/fpmath.h.
 * Self-check: the libm against known values.
 */
#include "fpmath.h"

const char kernel_name[] = "fp_whet";

#define LOOPS (12 * SCALE)

static volatile double t = 0.499975, t1 = 0.50025, t2 = 2.0;
static double e1[4];

/* Module 3: an array as parameter. */
static void __attribute__((noinline)) pa(double *e)
{
    for (int j = 0; j < 6; j++) {
        e[0] = (e[0] + e[1] + e[2] - e[3]) * t;
        e[1] = (e[0] + e[1] - e[2] + e[3]) * t;
        e[2] = (e[0] - e[1] + e[2] + e[3]) * t;
        e[3] = (-e[0] + e[1] + e[2] + e[3]) / t2;
    }
}

/* Module 8: procedure calls. */
static void __attribute__((noinline)) p3(double x, double y, double *z)
{
    x = t * (x + y);
    y = t * (x + y);
    *z = (x + y) / t2;
}

void kmain(void)
{
    uint32_t ck = CK_INIT;
    double x1, x2, x3, x4, x, y, z;

    check("whet.sin", (uint32_t)fm_round(fm_sin(0.5) * 1e6), 479426);
    check("whet.cos", (uint32_t)fm_round(fm_cos(2.0) * -1e6), 416147);
    check("whet.atan", (uint32_t)fm_round(fm_atan(3.0) * 1e6), 1249046);
    check("whet.exp", (uint32_t)fm_round(fm_exp(2.5) * 1e6), 12182494);
    check("whet.log", (uint32_t)fm_round(fm_log(10.0) * 1e6), 2302585);
    check("whet.sqrt", (uint32_t)fm_round(fm_sqrt(2.0) * 1e6), 1414214);

    for (int loop = 0; loop < LOOPS; loop++) {
        /* module 1: simple identifiers */
        x1 = 1.0; x2 = -1.0; x3 = -1.0; x4 = -1.0;
        for (int i = 0; i < 1200; i++) {
            x1 = (x1 + x2 + x3 - x4) * t;
            x2 = (x1 + x2 - x3 + x4) * t;
            x3 = (x1 - x2 + x3 + x4) * t;
            x4 = (-x1 + x2 + x3 + x4) * t;
        }
        ck = ck_double(ck_double(ck, x1), x4);
        /* module 2: array elements */
        e1[0] = 1.0; e1[1] = -1.0; e1[2] = -1.0; e1[3] = -1.0;
        for (int i = 0; i < 1400; i++) {
            e1[0] = (e1[0] + e1[1] + e1[2] - e1[3]) * t;
            e1[1] = (e1[0] + e1[1] - e1[2] + e1[3]) * t;
            e1[2] = (e1[0] - e1[1] + e1[2] + e1[3]) * t;
            e1[3] = (-e1[0] + e1[1] + e1[2] + e1[3]) * t;
        }
        ck = ck_double(ck, e1[3]);
        /* module 3: array as parameter */
        for (int i = 0; i < 500; i++) {
            pa(e1);
        }
        ck = ck_double(ck, e1[2]);
        /* module 7: trig functions */
        x = 0.5; y = 0.5;
        for (int i = 0; i < 320; i++) {
            x = t * fm_atan(t2 * fm_sin(x) * fm_cos(x) /
                            (fm_cos(x + y) + fm_cos(x - y) - 1.0));
            y = t * fm_atan(t2 * fm_sin(y) * fm_cos(y) /
                            (fm_cos(x + y) + fm_cos(x - y) - 1.0));
        }
        ck = ck_double(ck_double(ck, x), y);
        /* module 8: procedure calls */
        x = 1.0; y = 1.0; z = 1.0;
        for (int i = 0; i < 2000; i++) {
            p3(x, y, &z);
        }
        ck = ck_double(ck, z);
        /* module 11: standard functions */
        x = 0.75;
        for (int i = 0; i < 400; i++) {
            x = fm_sqrt(fm_exp(fm_log(x) / t1));
        }
        ck = ck_double(ck, x);
    }
    bench_report("fp_whet", ck);
}
