/* tests/test_passes.c - how often the two-sample kernels read their data,
 * and the summary forms (kap_describe_two, kap_ttest_two_summary,
 * kap_effect_size_*_summary) against the array forms.
 *
 * Reads are counted, not declared: each array lives in its own pages,
 * mapped PROT_NONE; a SIGSEGV handler opens the page touched (PROT_READ)
 * and closes the page open before it, and counts.  With one open page per
 * array, a sequential pass over an array of P pages faults exactly P times,
 * so passes = faults / P.  The reference values of the array forms are
 * checked in test_ttest.c and test_effect_size.c, which also check there
 * that the summary forms agree with them bit for bit. */
#include "kap_test.h"
#include "descriptive_internal.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    char *base;
    size_t len;
    char *open;
    volatile size_t faults;
} region;

static region R[2];
static size_t page;
static struct sigaction old_segv;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    char *a = si->si_addr;
    for (int k = 0; k < 2; k++) {
        region *r = &R[k];
        if (r->base && a >= r->base && a < r->base + r->len) {
            if (r->open)
                mprotect(r->open, page, PROT_NONE);
            r->open = r->base + (size_t)(a - r->base) / page * page;
            mprotect(r->open, page, PROT_READ);
            r->faults++;
            return;
        }
    }
    /* Not ours: a real crash; let it happen. */
    sigaction(sig, &old_segv, NULL);
}

/* n doubles in whole pages; returns NULL on failure. */
static double *region_alloc(int k, size_t n)
{
    size_t len = (n * sizeof(double) + page - 1) / page * page;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    R[k].base = p;
    R[k].len = len;
    R[k].open = NULL;
    R[k].faults = 0;
    return p;
}

static void region_free(int k)
{
    if (R[k].base)
        munmap(R[k].base, R[k].len);
    memset(&R[k], 0, sizeof R[k]);
}

static void arm(void)
{
    for (int k = 0; k < 2; k++) {
        R[k].faults = 0;
        R[k].open = NULL;
        mprotect(R[k].base, R[k].len, PROT_NONE);
    }
}

static void disarm(void)
{
    for (int k = 0; k < 2; k++)
        mprotect(R[k].base, R[k].len, PROT_READ | PROT_WRITE);
}

/* Deterministic normal-ish deviates (sum of uniforms), some NaN. */
static uint64_t rng = 88172645463325252u;

static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1p-53;
}

static double dev(void)
{
    double s = 0.0;
    for (int i = 0; i < 12; i++)
        s += unif();
    return s - 6.0;
}

enum { PAGES = 16 };

static double *X, *Y;
static size_t NX, NY;

static int setup(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    NX = PAGES * page / sizeof(double);
    NY = NX;
    X = region_alloc(0, NX);
    Y = region_alloc(1, NY);
    if (!X || !Y)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSEGV, &sa, &old_segv);
}

static void fill(double scale)
{
    rng = 88172645463325252u;
    for (size_t i = 0; i < NX; i++)
        X[i] = scale * (20.5 + 4.0 * dev());
    for (size_t i = 0; i < NY; i++)
        Y[i] = scale * (19.0 + 4.5 * dev());
    X[7] = NAN;
    Y[NY - 3] = NAN;
}

/* Passes over x and y made by f (asserted to be whole passes). */
typedef void (*work_fn)(void);

static void passes(work_fn f, size_t *px, size_t *py)
{
    arm();
    f();
    disarm();
    size_t fx = R[0].faults, fy = R[1].faults;
    CU_ASSERT_EQUAL(fx % PAGES, 0);
    CU_ASSERT_EQUAL(fy % PAGES, 0);
    *px = fx / PAGES;
    *py = fy / PAGES;
}

static kap_result g_arr, w_arr, g_sum, w_sum, d_sum, delta_sum;
static kap_two_summary S;
static int rc_all;

static void w_summary_pipeline(void)
{
    /* What a C user computes for the kernels target: one summary, then
     * Welch and Hedges' g with its noncentral-t CI from it (and, for free,
     * Cohen's d and Glass's delta). */
    rc_all = kap_describe_two(&S, X, 1, NX, Y, 1, NY, NULL);
    rc_all |= kap_ttest_two_summary(&w_sum, &S, NULL, NULL);
    rc_all |= kap_effect_size_hedges_g_summary(&g_sum, &S, NULL, NULL);
    rc_all |= kap_effect_size_cohens_d_summary(&d_sum, &S, NULL, NULL);
    rc_all |= kap_effect_size_glass_delta_summary(&delta_sum, &S, NULL, NULL);
}

static void w_ttest(void)
{
    rc_all = kap_ttest_two(&w_arr, X, 1, NX, Y, 1, NY, NULL, NULL);
}

static void w_hedges(void)
{
    rc_all = kap_effect_size_hedges_g(&g_arr, X, 1, NX, Y, 1, NY, NULL, NULL);
}

static void w_both_arrays(void)
{
    w_ttest();
    int rc = rc_all;
    w_hedges();
    rc_all |= rc;
}

static kap_describe_result D;

static void w_describe(void)
{
    rc_all = kap_describe(&D, X, 1, NX, 0.95, NULL);
}

static void test_pass_counts(void)
{
    if (setup() != 0) {
        CU_FAIL("mmap or sigaction failed");
        return;
    }
    size_t px, py;
    fill(1.0);

    passes(w_summary_pipeline, &px, &py);
    CU_ASSERT_EQUAL(rc_all, KAP_OK);
    printf("  summary + Welch + g + d + delta: %zu passes over x, %zu over y\n",
           px, py);
    CU_ASSERT_EQUAL(px, 2);
    CU_ASSERT_EQUAL(py, 2);

    passes(w_ttest, &px, &py);
    CU_ASSERT_EQUAL(rc_all, KAP_OK);
    CU_ASSERT_EQUAL(px, 2);
    CU_ASSERT_EQUAL(py, 2);
    passes(w_hedges, &px, &py);
    CU_ASSERT_EQUAL(rc_all, KAP_OK);
    CU_ASSERT_EQUAL(px, 2);
    CU_ASSERT_EQUAL(py, 2);
    /* Without the shared summary each call reads the data itself. */
    passes(w_both_arrays, &px, &py);
    CU_ASSERT_EQUAL(px, 4);
    CU_ASSERT_EQUAL(py, 4);
    CU_ASSERT(kt_same_result(&w_arr, &w_sum));
    CU_ASSERT(kt_same_result(&g_arr, &g_sum));

    /* kap_describe: the two moment passes and the copy for the quantiles */
    passes(w_describe, &px, &py);
    CU_ASSERT_EQUAL(rc_all, KAP_OK);
    CU_ASSERT_EQUAL(px, 3);
    CU_ASSERT_EQUAL(py, 0);

    /* Extreme magnitudes need the scaled sums again: three passes. */
    fill(0x1p500);
    passes(w_summary_pipeline, &px, &py);
    CU_ASSERT_EQUAL(rc_all, KAP_OK);
    CU_ASSERT(S.scale > 500);
    CU_ASSERT_EQUAL(px, 3);
    CU_ASSERT_EQUAL(py, 3);
    /* ... with the same standardized results as unscaled data (exact
     * power-of-two scaling) */
    kap_result g_big = g_sum, w_big = w_sum;
    fill(1.0);
    w_summary_pipeline();
    CU_ASSERT_EQUAL(memcmp(&g_big.estimate, &g_sum.estimate, sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(&w_big.statistic, &w_sum.statistic, sizeof(double)), 0);
    CU_ASSERT_EQUAL(w_big.estimate, ldexp(w_sum.estimate, 500));

    sigaction(SIGSEGV, &old_segv, NULL);
    region_free(0);
    region_free(1);
}

typedef int (*es_arr_fn)(kap_result *, const double *, size_t, size_t,
                         const double *, size_t, size_t,
                         const kap_effect_size_options *, kap_error *);
typedef int (*es_sum_fn)(kap_result *, const kap_two_summary *,
                         const kap_effect_size_options *, kap_error *);

/* Same return code, same result bit for bit, same message on error. */
static void es_same(es_arr_fn fa, es_sum_fn fs, const double *x, size_t nx,
                    const double *y, size_t ny, const kap_two_summary *s,
                    const kap_effect_size_options *o)
{
    kap_result r1, r2;
    kap_error e1, e2;
    int rc1 = fa(&r1, x, 2, nx, y, 2, ny, o, &e1);
    int rc2 = fs(&r2, s, o, &e2);
    CU_ASSERT_EQUAL(rc1, rc2);
    CU_ASSERT(kt_same_result(&r1, &r2));
    if (rc1 != KAP_OK && rc1 == rc2) {
        /* the messages differ only in the function's name */
        const char *m1 = strchr(e1.message, ':'), *m2 = strchr(e2.message, ':');
        CU_ASSERT(m1 && m2 && strcmp(m1, m2) == 0);
    }
}

/* Summary forms = array forms over options, strides and small groups. */
static void test_summary_identity(void)
{
    enum { M = 3001 };
    static double buf[2 * M];
    rng = 12345u;
    for (size_t i = 0; i < 2 * M; i++)
        buf[i] = i % 97 == 5 ? NAN : 3.0 + 1.7 * dev();
    const double *x = buf, *y = buf + 1; /* interleaved: stride 2 */
    size_t sizes[][2] = {{M - 1, M - 1}, {M - 1, 1000}, {2, 2}, {1, 2},
                         {0, 5}, {3, 0}, {1, 1}};
    kap_alternative alts[] = {KAP_TWO_SIDED, KAP_LESS, KAP_GREATER};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        size_t nx = sizes[z][0], ny = sizes[z][1];
        kap_two_summary s;
        CU_ASSERT_EQUAL_FATAL(kap_describe_two(&s, x, 2, nx, y, 2, ny, NULL),
                              KAP_OK);
        for (int a = 0; a < 3; a++) {
            for (int v = 0; v < 2; v++) {
                kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
                to.alternative = alts[a];
                to.var_equal = v;
                to.mu = 0.25;
                to.conf_level = 0.9;
                kap_result r1, r2;
                CU_ASSERT_EQUAL(kap_ttest_two(&r1, x, 2, nx, y, 2, ny, &to, NULL), KAP_OK);
                CU_ASSERT_EQUAL(kap_ttest_two_summary(&r2, &s, &to, NULL), KAP_OK);
                CU_ASSERT(kt_same_result(&r1, &r2));
            }
            for (int pooled = 0; pooled < 2; pooled++) {
                for (int ci = 0; ci < 2; ci++) {
                    kap_effect_size_options eo = KAP_EFFECT_SIZE_OPTIONS_INIT;
                    eo.alternative = alts[a];
                    eo.pooled_sd = pooled;
                    eo.ci_method = ci ? KAP_ES_CI_NORMAL : KAP_ES_CI_NCP;
                    eo.mu = -0.1;
                    es_same(kap_effect_size_cohens_d, kap_effect_size_cohens_d_summary,
                            x, nx, y, ny, &s, &eo);
                    es_same(kap_effect_size_hedges_g, kap_effect_size_hedges_g_summary,
                            x, nx, y, ny, &s, &eo);
                    es_same(kap_effect_size_glass_delta,
                            kap_effect_size_glass_delta_summary, x, nx, y, ny, &s, &eo);
                }
            }
        }
    }
}

/* Summary fields, and a summary filled by hand from group statistics. */
static void test_summary_fields(void)
{
    static const double x[] = {5.1, 4.8, 6.0, 5.5, NAN, 5.9, 6.3, 4.9, 5.7};
    static const double y[] = {4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0};
    kap_two_summary s;
    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 1, 9, y, 1, 7, NULL), KAP_OK);
    CU_ASSERT_EQUAL(s.n1, 8);
    CU_ASSERT_EQUAL(s.n1_missing, 1);
    CU_ASSERT_EQUAL(s.n2, 7);
    CU_ASSERT_EQUAL(s.n2_missing, 0);
    CU_ASSERT_EQUAL(s.scale, 0);
    /* kap_describe's mean and SD of the same values */
    kap_describe_result d;
    CU_ASSERT_EQUAL(kap_describe(&d, x, 1, 9, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(s.mean1, d.mean);
    KT_ASSERT_REL(sqrt(s.ss1 / 7.0), d.sd, 1e-15);
    KT_ASSERT_REL(s.mean2, 32.4 / 7.0, 1e-15);

    /* by hand: n, mean, ss = sd^2 (n - 1), scale 0 */
    kap_two_summary h = {8, 7, 0, 0, d.mean, s.mean2, d.sd * d.sd * 7.0,
                         s.ss2, 0};
    kap_result r1, r2;
    CU_ASSERT_EQUAL(kap_ttest_two(&r1, x, 1, 9, y, 1, 7, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r2, &h, NULL, NULL), KAP_OK);
    KT_ASSERT_REL(r2.statistic, r1.statistic, 1e-13);
    KT_ASSERT_REL(r2.p_value, r1.p_value, 1e-12);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r1, x, 1, 9, y, 1, 7, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g_summary(&r2, &h, NULL, NULL), KAP_OK);
    KT_ASSERT_REL(r2.estimate, r1.estimate, 1e-13);
    KT_ASSERT_REL(r2.ci_low, r1.ci_low, 1e-12);

    /* zero-length groups: NaN moments; the tests say not enough data */
    CU_ASSERT_EQUAL(kap_describe_two(&s, NULL, 1, 0, y, 1, 7, NULL), KAP_OK);
    CU_ASSERT_EQUAL(s.n1, 0);
    KT_ASSERT_NAN(s.mean1);
    KT_ASSERT_NAN(s.ss1);
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r2, &s, NULL, NULL), KAP_OK);
    CU_ASSERT_PTR_NOT_NULL(r2.note);
    KT_ASSERT_NAN(r2.estimate);
}

/* kap_describe_two's two-lane loops against the one-array loops of
 * kap_describe: means and SDs equal bit for bit, over lengths (equal,
 * unequal, 0, 1), strides, NaN and infinity positions and magnitudes. */
static void test_two_lane_identity(void)
{
    enum { M = 2003 };
    static double bx[2 * M], by[M];
    size_t lens[][2] = {{M, M}, {M, 700}, {5, M}, {1, 1}, {0, 9}, {9, 0},
                        {2, 3}};
    double scales[] = {1.0, 1e6, 1e-3, 0x1p450, 0x1p-450};
    int cases = 0;
    for (size_t sc = 0; sc < sizeof scales / sizeof *scales; sc++) {
        for (int nanpos = -1; nanpos < 3; nanpos++) {
            for (size_t L = 0; L < sizeof lens / sizeof *lens; L++) {
                rng = 777u + (uint64_t)(sc * 31 + L);
                /* odd cases: a large offset and a small spread, where
                 * every compensation term shows in the last bits */
                double off = L % 2 ? 1e9 + 0.1 : 1e3;
                for (size_t i = 0; i < 2 * M; i++)
                    bx[i] = scales[sc] * (off + 7.0 * dev());
                for (size_t i = 0; i < M; i++)
                    by[i] = scales[sc] * (-off / 3.0 + 0.5 * dev());
                size_t nx = lens[L][0], ny = lens[L][1];
                /* a NaN early in x, late in y, or in both */
                if (nanpos == 0 && nx > 3)
                    bx[2 * 3] = NAN;
                if (nanpos == 1 && ny > 1)
                    by[ny - 1] = NAN;
                if (nanpos == 2 && nx > 10 && ny > 10) {
                    bx[2 * 10] = NAN;
                    by[10] = NAN;
                }
                kap_two_summary s;
                kap_describe_result dx, dy;
                CU_ASSERT_EQUAL_FATAL(kap_describe_two(&s, bx, 2, nx, by, 1, ny, NULL),
                                      KAP_OK);
                CU_ASSERT_EQUAL_FATAL(kap_describe(&dx, bx, 2, nx, 0.95, NULL), KAP_OK);
                CU_ASSERT_EQUAL_FATAL(kap_describe(&dy, by, 1, ny, 0.95, NULL), KAP_OK);
                CU_ASSERT_EQUAL(s.n1, dx.n);
                CU_ASSERT_EQUAL(s.n2, dy.n);
                CU_ASSERT_EQUAL(s.n1_missing, dx.n_missing);
                /* kap_describe scales by its own array's exponent, the
                 * summary by the larger of the two; power-of-two scaling
                 * is exact here, so the results still agree bit for bit */
                if (s.n1 > 0) {
                    double m1 = ldexp(s.mean1, s.scale);
                    CU_ASSERT(memcmp(&m1, &dx.mean, sizeof m1) == 0);
                    if (s.n1 > 1) {
                        double sd1 = ldexp(sqrt(s.ss1 / (double)(s.n1 - 1)), s.scale);
                        CU_ASSERT(memcmp(&sd1, &dx.sd, sizeof sd1) == 0);
                    }
                }
                if (s.n2 > 0) {
                    double m2 = ldexp(s.mean2, s.scale);
                    CU_ASSERT(memcmp(&m2, &dy.mean, sizeof m2) == 0);
                    if (s.n2 > 1) {
                        double sd2 = ldexp(sqrt(s.ss2 / (double)(s.n2 - 1)), s.scale);
                        CU_ASSERT(memcmp(&sd2, &dy.sd, sizeof sd2) == 0);
                    }
                }
                cases++;
            }
        }
    }
    CU_ASSERT_EQUAL(cases, 5 * 4 * 7);
    /* an infinity after the common length, and one in each lane */
    for (size_t i = 0; i < M; i++)
        bx[i] = by[i] = 1.0;
    kap_two_summary s;
    size_t bad = 0;
    int which = -1;
    bx[1500] = INFINITY;
    CU_ASSERT_EQUAL(kap_two_summary_fill(&s, bx, 1, M, by, 1, 1000, &bad, &which),
                    KAP_EINVAL);
    CU_ASSERT(which == 0 && bad == 1500);
    by[20] = -INFINITY;
    CU_ASSERT_EQUAL(kap_two_summary_fill(&s, bx, 1, M, by, 1, 1000, &bad, &which),
                    KAP_EINVAL);
    CU_ASSERT(which == 0 && bad == 1500);
    bx[1500] = 1.0;
    CU_ASSERT_EQUAL(kap_two_summary_fill(&s, bx, 1, M, by, 1, 1000, &bad, &which),
                    KAP_EINVAL);
    CU_ASSERT(which == 1 && bad == 20);
}

static void test_summary_errors(void)
{
    static const double x[] = {1, 2, 3}, y[] = {2, INFINITY, 4};
    kap_two_summary s;
    kap_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_describe_two(NULL, x, 1, 3, x, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe_two(&s, NULL, 1, 3, x, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(s.n1, 0);
    KT_ASSERT_NAN(s.mean1);
    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 1, 3, NULL, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 0, 3, x, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 1, 3, x, 0, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 1, 3, y, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "y[1] is infinite"));
    CU_ASSERT_EQUAL(s.n1, 0);
    CU_ASSERT_EQUAL(kap_describe_two(&s, y, 1, 3, x, 1, 3, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "x[1] is infinite"));
    /* the array forms name the array too */
    CU_ASSERT_EQUAL(kap_ttest_two(&r, x, 1, 3, y, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "kap_ttest_two: y[1] is infinite"));
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, y, 1, 3, x, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "kap_effect_size_hedges_g: x[1] is infinite"));

    CU_ASSERT_EQUAL(kap_describe_two(&s, x, 1, 3, x, 1, 3, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_ttest_two_summary(NULL, &s, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r, NULL, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "summary is NULL"));
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g_summary(NULL, &s, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d_summary(&r, NULL, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta_summary(&r, NULL, NULL, &e), KAP_EINVAL);
    kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
    to.conf_level = 1.0;
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r, &s, &to, &e), KAP_EINVAL);
    kap_effect_size_options eo = KAP_EFFECT_SIZE_OPTIONS_INIT;
    eo.version = 99;
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g_summary(&r, &s, &eo, &e), KAP_EINVAL);

    kap_two_summary bad = s;
    bad.ss1 = -1.0;
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r, &bad, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "ss1 >= 0"));
    bad = s;
    bad.mean2 = INFINITY;
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g_summary(&r, &bad, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "summary of y"));
    bad = s;
    bad.ss2 = NAN;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d_summary(&r, &bad, NULL, &e), KAP_EINVAL);
    bad = s;
    bad.scale = 5000;
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta_summary(&r, &bad, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "scale"));
    /* a group with n = 0 is not checked */
    bad = s;
    bad.n2 = 0;
    bad.mean2 = INFINITY;
    CU_ASSERT_EQUAL(kap_ttest_two_summary(&r, &bad, NULL, &e), KAP_OK);
    CU_ASSERT_PTR_NOT_NULL(r.note);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"data passes (page-protection counting)", test_pass_counts},
        {"summary forms = array forms, bit for bit", test_summary_identity},
        {"summary fields and hand-filled summaries", test_summary_fields},
        {"two-lane loops = one-array loops, bit for bit", test_two_lane_identity},
        {"summary errors", test_summary_errors},
        CU_TEST_INFO_NULL,
    };
    return kt_main("passes", tests);
}
