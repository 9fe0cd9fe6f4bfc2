/*
 * tests/test_hostile.c - numeric hostility: every kernel fed +-Inf, NaN,
 * denormals, +-1e308, 1e-308, counts and option values near their limits,
 * and 10^7 identical values.  What each case must give is the documented
 * result (docs/reliability.md, "Numeric hostility"): no crash, no overflow
 * in intermediate sums (finite data give finite statistics unless the
 * result itself exceeds DBL_MAX), no hang (iteration caps report
 * KAP_ENOCONV or a note), and a clear error code where the input is
 * refused.
 */
#include "kap_test.h"
#include "kapstats.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIG_N 10000000u

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* p in [0, 1] or NaN, ordered CI, method set: the invariants every
 * kap_result obeys. */
static void sane(const kap_result *r)
{
    CU_ASSERT_PTR_NOT_NULL(r->method);
    CU_ASSERT(isnan(r->p_value) || (r->p_value >= 0 && r->p_value <= 1));
    CU_ASSERT(isnan(r->ci_low) || isnan(r->ci_high) || r->ci_low <= r->ci_high);
    CU_ASSERT(isnan(r->se) || r->se >= 0);
}

/* ---- 10^7 identical values ------------------------------------------------
 * 1e308: any naive sum overflows (1e7 * 1e308); the mean must be exactly
 * the value and the spread exactly zero. */
static void test_big_identical(void)
{
    double *x = malloc(BIG_N * sizeof *x);
    double *y = malloc(BIG_N * sizeof *y);
    int32_t *g = malloc(BIG_N * sizeof *g);
    CU_ASSERT_FATAL(x && y && g);
    for (size_t i = 0; i < BIG_N; i++) {
        x[i] = y[i] = 1e308;
        g[i] = (int32_t)(i % 3);
    }
    double t0 = now();
    kap_describe_result d;
    kap_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_describe(&d, x, 1, BIG_N, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(d.n, BIG_N);
    CU_ASSERT_EQUAL(d.mean, 1e308);
    CU_ASSERT_EQUAL(d.sd, 0.0);
    CU_ASSERT_EQUAL(d.median, 1e308);
    CU_ASSERT_EQUAL(d.ci_low, 1e308);
    CU_ASSERT_EQUAL(d.ci_high, 1e308);

    /* t tests: zero standard error -> t, p and CI NaN with a note */
    CU_ASSERT_EQUAL(kap_ttest_one(&r, x, 1, BIG_N, NULL, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 1e308);
    CU_ASSERT_EQUAL(r.se, 0.0);
    KT_ASSERT_NAN(r.statistic);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_ttest_two(&r, x, 1, BIG_N, y, 1, BIG_N, NULL, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0.0);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    sane(&r);

    /* effect size: zero standardizer -> NaN with a note */
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, x, 1, BIG_N, y, 1, BIG_N, NULL, &e), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);

    /* ANOVA: all values equal -> F NaN with a note (as R) */
    kap_anova_oneway_result a;
    CU_ASSERT_EQUAL(kap_anova_oneway(&a, x, g, BIG_N, 3, 0.95, KAP_GREATER, &e), KAP_OK);
    KT_ASSERT_NAN(a.f.statistic);
    CU_ASSERT_PTR_NOT_NULL(a.f.note);
    CU_ASSERT_EQUAL(a.ss_within, 0.0);

    /* OLS intercept-only: the coefficient is the value, exactly */
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, x, NULL, BIG_N, 0, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_coef(m, 0), 1e308);
    kap_lm_free(m);

    /* p-value adjustment of 10^7 equal p-values */
    for (size_t i = 0; i < BIG_N; i++)
        x[i] = 0.5;
    CU_ASSERT_EQUAL(kap_p_adjust(y, x, BIG_N, KAP_PADJUST_BH, &e), KAP_OK);
    CU_ASSERT_EQUAL(y[0], 0.5);
    CU_ASSERT_EQUAL(y[BIG_N - 1], 0.5);
    CU_ASSERT_EQUAL(kap_p_adjust(y, x, BIG_N, KAP_PADJUST_HOLM, &e), KAP_OK);
    CU_ASSERT_EQUAL(y[0], 1.0);

    /* rank tests on 10^6 ties: zero variance of the statistic -> p NaN,
     * note */
    for (size_t i = 0; i < BIG_N; i++)
        x[i] = y[i] = 3.0;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, x, BIG_N / 10, y, BIG_N / 10, NULL, &e), KAP_OK);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(&r, x, 100000, y, 100000, 0, 0.95, KAP_TWO_SIDED, &e),
                    KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0.0);
    sane(&r);
    double dt = now() - t0;
    CU_ASSERT(dt < 300);   /* linear or n log n: seconds, not minutes */
    free(x);
    free(y);
    free(g);
}

/* ---- +-1e308 and subnormals ------------------------------------------------ */
static void test_extremes(void)
{
    kap_describe_result d;
    kap_result r;
    kap_error e;
    /* sums of squares of 1e308 overflow unless scaled */
    static const double x[6] = {1e308, -1e308, 1e308, -1e308, 1e308, 0.5e308};
    static const double y[6] = {-1e308, -0.9e308, -1e308, -0.8e308, -1e308, -1e308};
    static const double xs[6] = {1, -1, 1, -1, 1, 0.5};
    double m = 0, ss = 0;
    for (int i = 0; i < 6; i++)
        m += xs[i] / 6;
    for (int i = 0; i < 6; i++)
        ss += (xs[i] - m) * (xs[i] - m);
    CU_ASSERT_EQUAL(kap_describe(&d, x, 1, 6, 0.95, &e), KAP_OK);
    KT_ASSERT_REL(d.mean, m * 1e308, 1e-14);
    KT_ASSERT_REL(d.sd, sqrt(ss / 5) * 1e308, 1e-14);
    CU_ASSERT(isfinite(d.ci_low) && isfinite(d.ci_high));

    /* the difference of means (1.2e308) is representable, its CI upper
     * limit is not: +Inf, the statistic itself finite */
    CU_ASSERT_EQUAL(kap_ttest_two(&r, x, 1, 6, y, 1, 6, NULL, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, 1.2e308, 1e-14);
    CU_ASSERT(isfinite(r.statistic) && isfinite(r.se) && isfinite(r.p_value));
    CU_ASSERT(isfinite(r.ci_low));
    CU_ASSERT(isinf(r.ci_high) && r.ci_high > 0);
    sane(&r);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, x, 1, 6, y, 1, 6, NULL, &e), KAP_OK);
    CU_ASSERT(isfinite(r.estimate) && isfinite(r.ci_low) && isfinite(r.ci_high));
    sane(&r);

    /* subnormals: mean exact, spread not flushed to zero */
    static const double dn[3] = {4.9406564584124654e-324, 9.8813129168249309e-324,
                                 1.4821969375237396e-323};
    CU_ASSERT_EQUAL(kap_describe(&d, dn, 1, 3, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(d.mean, dn[1]);
    CU_ASSERT(d.sd > 0);
    CU_ASSERT_EQUAL(kap_ttest_one(&r, dn, 1, 3, NULL, &e), KAP_OK);
    KT_ASSERT_REL(r.statistic, 2 * sqrt(3.0), 1e-12);   /* mean / (sd / sqrt 3) */
    sane(&r);
    static const double tiny[4] = {1e-308, 1e-308, 1e-308, 1e-308};
    CU_ASSERT_EQUAL(kap_describe(&d, tiny, 1, 4, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(d.mean, 1e-308);
    CU_ASSERT_EQUAL(d.sd, 0.0);

    /* lm with 1e308-scale data: finite fit or a clear KAP_ENUMERIC */
    static const double lx[6] = {1, 2, 3, 4, 5, 6};
    static const double ly[6] = {1e308, 0.9e308, 0.7e308, 0.65e308, 0.3e308, 0.1e308};
    kap_lm *lm = NULL;
    int rc = kap_lm_fit(&lm, ly, lx, 6, 1, 1, 0.95, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENUMERIC);
    if (rc == KAP_OK) {
        CU_ASSERT(isfinite(kap_lm_coef(lm, 1)) && kap_lm_coef(lm, 1) < 0);
        CU_ASSERT(isfinite(kap_lm_se(lm, 1)));
    }
    kap_lm_free(lm);

    /* meta-analysis: weights that overflow are refused, not summed to Inf */
    static const double yi[3] = {1e308, -1e308, 1e300};
    static const double vi[3] = {1e-308, 4.9406564584124654e-324, 1e308};
    kap_meta_result mr;
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, yi, vi, 3, NULL, &e), KAP_ENUMERIC);
    CU_ASSERT(strlen(e.message) > 0);
}

/* ---- infinities: refused by the moment-based kernels (EINVAL naming the
 * index), ordinary extreme values for the rank-based ones ------------------ */
static void test_infinities(void)
{
    static const double xi[4] = {INFINITY, 1, 2, 3};
    static const double yi[4] = {-INFINITY, NAN, 2, 1};
    static const int32_t g[4] = {0, 0, 1, 1};
    kap_describe_result d;
    kap_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_describe(&d, xi, 1, 4, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "x[0]"));
    CU_ASSERT_EQUAL(kap_ttest_two(&r, xi, 1, 4, yi, 1, 4, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_one(&r, xi, 1, 4, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, xi, 1, 4, yi, 1, 4, NULL, &e), KAP_EINVAL);
    kap_anova_oneway_result a;
    CU_ASSERT_EQUAL(kap_anova_oneway(&a, xi, g, 4, 2, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, xi, NULL, 4, 0, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(m);
    kap_meta_result mr;
    static const double v[4] = {1, 1, 1, 1};
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, xi, v, 4, NULL, &e), KAP_EINVAL);
    double p[2] = {INFINITY, 0.5}, adj[2];
    CU_ASSERT_EQUAL(kap_p_adjust(adj, p, 2, KAP_PADJUST_BH, &e), KAP_EINVAL);

    kap_rank_options o = KAP_RANK_OPTIONS_INIT;
    o.conf_int = 1;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, xi, 4, yi, 4, &o, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.n2, 3u);   /* NaN dropped, -Inf kept */
    sane(&r);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, xi, yi, 4, &o, &e), KAP_OK);
    sane(&r);
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(&r, xi, 4, yi, 4, 0, 0.95, KAP_TWO_SIDED, &e), KAP_OK);
    sane(&r);
    static const int gi[4] = {0, 0, 1, 1};
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, xi, gi, 4, &e), KAP_OK);
    sane(&r);
}

/* ---- NaN only -------------------------------------------------------------- */
static void test_all_nan(void)
{
    static const double nan5[5] = {NAN, NAN, NAN, NAN, NAN};
    static const double y[6] = {1, 2, 3, 4, 5, 7};
    static const int32_t g[5] = {0, 1, 0, 1, 0};
    kap_describe_result d;
    kap_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_describe(&d, nan5, 1, 5, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(d.n, 0u);
    CU_ASSERT_EQUAL(d.n_missing, 5u);
    KT_ASSERT_NAN(d.mean);
    CU_ASSERT_PTR_NOT_NULL(d.note);
    CU_ASSERT_EQUAL(kap_ttest_two(&r, nan5, 1, 5, y, 1, 6, NULL, &e), KAP_OK);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, nan5, 1, 5, y, 1, 6, NULL, &e), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, nan5, 5, y, 6, NULL, &e), KAP_EDATA);
    kap_anova_oneway_result a;
    CU_ASSERT_EQUAL(kap_anova_oneway(&a, nan5, g, 5, 2, 0.95, KAP_GREATER, &e), KAP_EDATA);
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, nan5, NULL, 5, 0, 1, 0.95, &e), KAP_EDATA);
    kap_meta_result mr;
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, nan5, nan5, 5, NULL, &e), KAP_EDATA);
    double adj[5];
    CU_ASSERT_EQUAL(kap_p_adjust(adj, nan5, 5, KAP_PADJUST_HOMMEL, &e), KAP_OK);
    for (int i = 0; i < 5; i++)
        KT_ASSERT_NAN(adj[i]);
}

/* ---- counts and options near their limits ------------------------------------ */
static void test_limits(void)
{
    kap_result r;
    kap_nnt nnt;
    kap_error e;
    const size_t M = SIZE_MAX;
    /* closed forms in double: finite, sane */
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, M / 2, M, KAP_PROP_WILSON, 0.95, KAP_TWO_SIDED, &e),
                    KAP_OK);
    KT_ASSERT_REL(r.estimate, 0.5, 1e-15);
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, M / 2, M, KAP_PROP_AGRESTI_COULL, 0.95,
                                       KAP_TWO_SIDED, &e), KAP_OK);
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, M / 3, M, M / 4, M, KAP_RD_NEWCOMBE, 0.95, &e),
                    KAP_OK);
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, M / 3, M, M / 4, M, 0.95, &e), KAP_OK);
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_odds_ratio(&r, M / 3, M, M / 4, M, 0.95, &e), KAP_OK);
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_chisq(&r, M / 3, M, M / 4, M, 1, &e), KAP_OK);
    CU_ASSERT(isfinite(r.statistic));
    sane(&r);
    CU_ASSERT_EQUAL(kap_binary_nnt(&nnt, M / 3, M, M / 4, M, KAP_EVENT_BENEFICIAL,
                                   KAP_RD_NEWCOMBE, 0.95, &e), KAP_OK);
    /* exact methods: a clear error, quickly, never a wrong answer */
    int rc = kap_binary_prop_ci(&r, M / 2, M, KAP_PROP_CLOPPER_PEARSON, 0.95, KAP_TWO_SIDED, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENUMERIC || rc == KAP_ENOCONV);
    if (rc == KAP_OK)
        sane(&r);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, M / 3, M, 0.3, KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, M / 3, M, M / 4, M, KAP_TWO_SIDED, 0.95, &e),
                    KAP_EINVAL);
    /* the regression: totals of 2^32 and more used to be truncated */
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 2000000000u, 4000000000u, 1000000000u, 4000000000u,
                                      KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    /* fuzz regressions: p-values that summed past 1, Agresti-Coull limit
     * outside [0, 1] */
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 15, 32, 0, 4992, KAP_LESS, 0.99, &e), KAP_OK);
    CU_ASSERT(r.p_value <= 1.0);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 37, 39, 0.95, KAP_TWO_SIDED, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.p_value, 1.0);   /* R: binom.test(37, 39, 0.95) */
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 8, 255, KAP_PROP_AGRESTI_COULL, 1e-10, KAP_LESS, &e),
                    KAP_OK);
    CU_ASSERT(r.ci_low <= r.ci_high && r.ci_high >= 0);
    sane(&r);

    /* group counts near INT32_MAX: refused or out of memory, not a crash */
    static const double y[6] = {1, 2, 3, 4, 5, 7};
    static const int32_t g[6] = {0, 0, 1, 1, INT32_MAX - 1, INT32_MAX - 1};
    kap_anova_oneway_result a;
    rc = kap_anova_oneway(&a, y, g, 6, INT32_MAX, 0.95, KAP_GREATER, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENOMEM || rc == KAP_EINVAL);
    static const int gi[6] = {0, 0, 1, 1, INT32_MAX - 1, INT32_MAX - 1};
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, y, gi, 6, &e), KAP_OK);
    sane(&r);
    static const double b[6] = {1, 3, 2, 5, 4, 6};
    static const int32_t arm[6] = {0, 1, 0, 1, 0, 1};
    kap_ancova *an = NULL;
    rc = kap_ancova_fit(&an, y, b, arm, 6, INT32_MAX, 0, NULL, 0, NULL, 0.95, &e);
    CU_ASSERT(rc == KAP_ENOMEM || rc == KAP_EDATA || rc == KAP_EINVAL);
    kap_ancova_free(an);

    /* iteration caps: a cap of 1 reports KAP_ENOCONV, never loops; a zero
     * or NaN tolerance is refused */
    static const double yi[5] = {-0.9, -1.6, -1.4, -0.2, -0.3};
    static const double vi[5] = {0.36, 0.19, 0.42, 0.07, 0.01};
    kap_meta_options mo = KAP_META_OPTIONS_INIT;
    kap_meta_result mr;
    mo.maxiter = 1;
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, yi, vi, 5, &mo, &e), KAP_ENOCONV);
    mo = (kap_meta_options)KAP_META_OPTIONS_INIT;
    mo.threshold = 0;
    mo.maxiter = UINT32_MAX;
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, yi, vi, 5, &mo, &e), KAP_EINVAL);
    mo.threshold = NAN;
    CU_ASSERT_EQUAL(kap_meta_fit(&mr, yi, vi, 5, &mo, &e), KAP_EINVAL);

    /* hostile conf_level values are refused everywhere */
    static const double cl[4] = {0.0, 1.0, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        kap_describe_result d;
        CU_ASSERT_EQUAL(kap_describe(&d, y, 1, 6, cl[i], &e), KAP_EINVAL);
        kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
        to.conf_level = cl[i];
        CU_ASSERT_EQUAL(kap_ttest_one(&r, y, 1, 6, &to, &e), KAP_EINVAL);
        CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 1, 6, KAP_PROP_WILSON, cl[i], KAP_TWO_SIDED, &e),
                        KAP_EINVAL);
        kap_lm *m = NULL;
        CU_ASSERT_EQUAL(kap_lm_fit(&m, y, NULL, 6, 0, 1, cl[i], &e), KAP_EINVAL);
    }
}

/* ---- root finders at extreme statistics -------------------------------------- */
static void test_root_finders(void)
{
    size_t n = 100000;
    double *a = malloc(n * sizeof *a), *b = malloc(2 * n * sizeof *b);
    int32_t *g = malloc(2 * n * sizeof *g);
    CU_ASSERT_FATAL(a && b && g);
    for (size_t i = 0; i < n; i++) {
        a[i] = 1000 + 1e-3 * (double)((i * 7919) % 100);
        b[i] = 1e-3 * (double)((i * 104729) % 100);
    }
    kap_result r;
    kap_error e;
    double t0 = now();
    /* t ~ 7.7e6: the noncentral-t inversion must converge or say so */
    int rc = kap_effect_size_hedges_g(&r, a, 1, n, b, 1, n, NULL, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENOCONV);
    if (rc == KAP_OK) {
        CU_ASSERT(isfinite(r.estimate) && r.ci_low <= r.estimate && r.estimate <= r.ci_high);
        sane(&r);
    }
    rc = kap_effect_size_paired_d(&r, a, 1, b, 1, n, KAP_D_Z, NULL, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENOCONV);
    rc = kap_effect_size_glass_delta(&r, a, 1, n, b, 1, n, NULL, &e);
    CU_ASSERT(rc == KAP_OK || rc == KAP_ENOCONV);
    /* F ~ 6e13: the eta-squared CI is NaN with a note, the F test stands */
    memcpy(b + n, b, n * sizeof *b);
    memcpy(b, a, n * sizeof *b);
    for (size_t i = 0; i < 2 * n; i++)
        g[i] = i < n ? 0 : 1;
    kap_anova_oneway_result an;
    CU_ASSERT_EQUAL(kap_anova_oneway(&an, b, g, 2 * n, 2, 0.95, KAP_TWO_SIDED, &e), KAP_OK);
    CU_ASSERT(an.f.statistic > 1e12);
    CU_ASSERT_EQUAL(an.f.p_value, 0.0);
    CU_ASSERT(isnan(an.eta_squared.ci_low) ? an.eta_squared.note != NULL : 1);
    /* Fisher: conditional MLE at the edge of the support */
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 0, 1000000, 1000000, 1000000, KAP_TWO_SIDED, 0.95, &e),
                    KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0.0);
    sane(&r);
    CU_ASSERT(now() - t0 < 60);
    free(a);
    free(b);
    free(g);
}

static CU_TestInfo tests[] = {
    {"10^7 identical values (1e308)", test_big_identical},
    {"+-1e308, subnormals", test_extremes},
    {"infinities", test_infinities},
    {"all NaN", test_all_nan},
    {"counts and options at their limits", test_limits},
    {"root finders at extreme statistics", test_root_finders},
    CU_TEST_INFO_NULL,
};

int main(void) { return kt_main("hostile", tests); }
