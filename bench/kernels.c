/*
 * bench/kernels.c - the kernels target of the benchmark suite: Hedges' g
 * with its noncentral-t CI and a Welch t test on two arrays of N doubles
 * (default 10^6 each), timed against one plain pass over the same data.
 *
 *   kernels [N] [REPS]
 *
 * Unit: one plain pass = `s += v` over x and then over y (the loop a C
 * programmer writes to read the data once; at -O2 without -ffast-math the
 * compiler keeps the additions in order, so it runs at one dependent
 * addition per value, as the library's compensated sums do).  For scale,
 * a streaming pass (four independent sums, limited by memory bandwidth
 * rather than by the addition latency) is timed too.
 *
 * Each measurement is the median of REPS (default 21) timed calls, wall
 * (CLOCK_MONOTONIC) and CPU (CLOCK_PROCESS_CPUTIME_ID), the rows timed
 * round-robin so that other load falls on all of them alike; "passes" =
 * median time / median time of the plain pass.  CPU time is the cost that
 * other processes on a shared machine do not inflate (a descheduled call
 * counts in wall time only).  The rows:
 *   hedges_g      kap_effect_size_hedges_g (pooled SD, noncentral-t CI)
 *   welch         kap_ttest_two (Welch)
 *   both_arrays   the two calls above, each reading the arrays itself
 *   both_summary  kap_describe_two + kap_ttest_two_summary +
 *                 kap_effect_size_hedges_g_summary (one shared summary)
 *   ci_only       kap_effect_size_hedges_g_summary alone (the noncentral-t
 *                 inversion; reads no data)
 * Prints a table, then one JSON line (read by bench/results.py).  Exits 1
 * if a call fails or the summary forms differ from the array forms.
 */
#define _POSIX_C_SOURCE 200809L
#include <kapstats.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Deterministic normal deviates (xorshift64*, Box-Muller). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double unif(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 0x2545F4914F6CDD1Du) >> 11) + 0.5) * 0x1p-53;
}

static double normal(void)
{
    return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif());
}

static const double *X, *Y;
static size_t N;
static volatile double sink;

static int run_plain(void)
{
    double s = 0.0;
    for (size_t i = 0; i < N; i++)
        s += X[i];
    for (size_t i = 0; i < N; i++)
        s += Y[i];
    sink = s;
    return 0;
}

static int run_stream(void)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= N; i += 4) {
        s0 += X[i];
        s1 += X[i + 1];
        s2 += X[i + 2];
        s3 += X[i + 3];
    }
    for (; i < N; i++)
        s0 += X[i];
    for (i = 0; i + 4 <= N; i += 4) {
        s0 += Y[i];
        s1 += Y[i + 1];
        s2 += Y[i + 2];
        s3 += Y[i + 3];
    }
    for (; i < N; i++)
        s0 += Y[i];
    sink = s0 + s1 + s2 + s3;
    return 0;
}

static kap_result r_g, r_w, r_g2, r_w2;
static kap_two_summary summ;

static int run_hedges(void)
{
    return kap_effect_size_hedges_g(&r_g, X, 1, N, Y, 1, N, NULL, NULL);
}

static int run_welch(void)
{
    return kap_ttest_two(&r_w, X, 1, N, Y, 1, N, NULL, NULL);
}

static int run_both_arrays(void)
{
    int rc = kap_effect_size_hedges_g(&r_g, X, 1, N, Y, 1, N, NULL, NULL);
    return rc ? rc : kap_ttest_two(&r_w, X, 1, N, Y, 1, N, NULL, NULL);
}

static int run_both_summary(void)
{
    int rc = kap_describe_two(&summ, X, 1, N, Y, 1, N, NULL);
    if (rc == KAP_OK)
        rc = kap_effect_size_hedges_g_summary(&r_g2, &summ, NULL, NULL);
    if (rc == KAP_OK)
        rc = kap_ttest_two_summary(&r_w2, &summ, NULL, NULL);
    return rc;
}

static int run_ci_only(void)
{
    return kap_effect_size_hedges_g_summary(&r_g2, &summ, NULL, NULL);
}

typedef struct {
    const char *name;
    int (*fn)(void);
    double wall, cpu;
} row;

/* Times every row reps times, round-robin (row 1, row 2, ..., row 1, ...)
 * so that other load on the machine falls on all rows alike; medians into
 * rows[i].wall and .cpu.  Returns the index of a failing row, or -1. */
static int time_rows(row *rows, size_t nrows, int reps)
{
    double *w = malloc(nrows * (size_t)reps * sizeof *w);
    double *c = malloc(nrows * (size_t)reps * sizeof *c);
    if (!w || !c) {
        free(w);
        free(c);
        return 0;
    }
    int bad = -1;
    for (size_t i = 0; i < nrows && bad < 0; i++)
        if (rows[i].fn() != 0) /* warm-up */
            bad = (int)i;
    for (int k = 0; k < reps && bad < 0; k++) {
        for (size_t i = 0; i < nrows && bad < 0; i++) {
            double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            int rc = rows[i].fn();
            c[i * (size_t)reps + (size_t)k] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
            w[i * (size_t)reps + (size_t)k] = now(CLOCK_MONOTONIC) - w0;
            if (rc != 0)
                bad = (int)i;
        }
    }
    for (size_t i = 0; i < nrows && bad < 0; i++) {
        rows[i].wall = median(w + i * (size_t)reps, reps);
        rows[i].cpu = median(c + i * (size_t)reps, reps);
    }
    free(w);
    free(c);
    return bad;
}

static int same_result(const kap_result *a, const kap_result *b)
{
    return memcmp(&a->estimate, &b->estimate, sizeof a->estimate) == 0 &&
           memcmp(&a->ci_low, &b->ci_low, sizeof a->ci_low) == 0 &&
           memcmp(&a->ci_high, &b->ci_high, sizeof a->ci_high) == 0 &&
           memcmp(&a->statistic, &b->statistic, sizeof a->statistic) == 0 &&
           memcmp(&a->df, &b->df, sizeof a->df) == 0 &&
           memcmp(&a->p_value, &b->p_value, sizeof a->p_value) == 0 &&
           memcmp(&a->se, &b->se, sizeof a->se) == 0;
}

int main(int argc, char **argv)
{
    N = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int reps = argc > 2 ? atoi(argv[2]) : 21;
    if (N < 2 || reps < 1) {
        fprintf(stderr, "usage: kernels [N >= 2] [REPS >= 1]\n");
        return 2;
    }
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    if (!x || !y) {
        fprintf(stderr, "kernels: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < N; i++)
        x[i] = 20.0 + 0.3 + 4.0 * normal();
    for (size_t i = 0; i < N; i++)
        y[i] = 20.0 + 4.5 * normal();
    X = x;
    Y = y;

    row rows[] = {
        {"plain_pass", run_plain, 0, 0},
        {"stream_pass", run_stream, 0, 0},
        {"hedges_g", run_hedges, 0, 0},
        {"welch", run_welch, 0, 0},
        {"both_arrays", run_both_arrays, 0, 0},
        {"both_summary", run_both_summary, 0, 0},
        {"ci_only", run_ci_only, 0, 0},
    };
    size_t nrows = sizeof rows / sizeof *rows;
    int bad = time_rows(rows, nrows, reps);
    if (bad >= 0) {
        fprintf(stderr, "kernels: %s failed\n", rows[bad].name);
        return 1;
    }
    if (!same_result(&r_g, &r_g2) || !same_result(&r_w, &r_w2)) {
        fprintf(stderr, "kernels: summary forms differ from array forms\n");
        return 1;
    }
    double unit = rows[0].wall, unit_cpu = rows[0].cpu;
    printf("kernels: two arrays of %zu doubles, median of %d calls; "
           "passes = time / plain pass\n", N, reps);
    printf("%-14s %12s %12s %10s %10s\n", "kernel", "wall ms", "CPU ms",
           "passes", "CPU passes");
    for (size_t i = 0; i < nrows; i++)
        printf("%-14s %12.3f %12.3f %10.2f %10.2f\n", rows[i].name,
               1e3 * rows[i].wall, 1e3 * rows[i].cpu, rows[i].wall / unit,
               rows[i].cpu / unit_cpu);
    printf("hedges_g %.6f [%.6f, %.6f]; welch t %.4f df %.1f p %.3g\n",
           r_g.estimate, r_g.ci_low, r_g.ci_high, r_w.statistic, r_w.df,
           r_w.p_value);
    printf("{\"n\": %zu, \"reps\": %d", N, reps);
    for (size_t i = 0; i < nrows; i++)
        printf(", \"%s_s\": %.9f, \"%s_cpu_s\": %.9f", rows[i].name,
               rows[i].wall, rows[i].name, rows[i].cpu);
    printf("}\n");
    free(x);
    free(y);
    return 0;
}
