/* tests/test_binary.c - binary-outcome kernels against R 4.2 (prop.test,
 * binom.test, fisher.test, chisq.test) and the formulas of Newcombe 1998,
 * Katz 1978, Woolf 1955, Agresti-Coull 1998, Jeffreys (Brown et al. 2001)
 * written out in tests/reference/binary.R (output binary.out). */
#include "kap_test.h"
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <string.h>

#define REF "binary.out"
#define TOL 1e-9     /* closed forms, R's beta quantiles, exact tail sums */
#define TOL_IT 1e-6  /* conditional MLE and exact limits (iterative) */

static double refn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double refn(const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return kt_ref(REF, name);
}

/* ---- one proportion ---------------------------------------------------- */

static const struct { size_t k, n; } props[] = {
    {7, 20}, {0, 15}, {15, 15}, {1, 1}, {0, 1}, {83, 250}, {3, 1000}, {1, 2},
    {3, 10000000}, {499123, 1000000}, {4999123, 10000000}};
static const char *const mnames[] = {"wilson", "cp", "ac", "jeffreys"};
static const kap_prop_ci_method mcodes[] = {KAP_PROP_WILSON, KAP_PROP_CLOPPER_PEARSON,
                                            KAP_PROP_AGRESTI_COULL, KAP_PROP_JEFFREYS};

static void test_prop_ci(void)
{
    kap_result r;
    for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
        size_t k = props[i].k, n = props[i].n;
        for (int m = 0; m < 4; m++) {
            CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, k, n, mcodes[m], 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
            KT_ASSERT_REL(r.estimate, (double)k / (double)n, 1e-15);
            KT_ASSERT_REL(r.ci_low, refn("p_%zu_%zu_%s_lo", k, n, mnames[m]), TOL);
            KT_ASSERT_REL(r.ci_high, refn("p_%zu_%zu_%s_hi", k, n, mnames[m]), TOL);
            CU_ASSERT_EQUAL(r.conf_level, 0.95);
            CU_ASSERT_EQUAL(r.n1, n);
            CU_ASSERT(r.ci_low <= r.estimate && r.estimate <= r.ci_high);
            CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, k, n, mcodes[m], 0.9, KAP_LESS, NULL), KAP_OK);
            CU_ASSERT_EQUAL(r.ci_low, 0);
            KT_ASSERT_REL(r.ci_high, refn("p_%zu_%zu_%s_less_hi", k, n, mnames[m]), TOL);
            CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, k, n, mcodes[m], 0.9, KAP_GREATER, NULL), KAP_OK);
            CU_ASSERT_EQUAL(r.ci_high, 1);
            KT_ASSERT_REL(r.ci_low, refn("p_%zu_%zu_%s_greater_lo", k, n, mnames[m]), TOL);
        }
    }
    /* GSL's incomplete beta does not converge near the centre when both
     * shapes exceed ~1e6 (a 1% CP interval here): KAP_ENUMERIC, promptly */
    kap_error e0;
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 4999123, 10000000, KAP_PROP_CLOPPER_PEARSON, 0.01,
                                       KAP_TWO_SIDED, &e0), KAP_ENUMERIC);
    CU_ASSERT_EQUAL(e0.code, KAP_ENUMERIC);
    KT_ASSERT_NAN(r.ci_low);
    /* Agresti-Coull truncation is flagged */
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 0, 15, KAP_PROP_AGRESTI_COULL, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.ci_low, 0);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* errors */
    kap_error e;
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 5, 4, KAP_PROP_WILSON, 0.95, KAP_TWO_SIDED, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(e.code, KAP_EINVAL);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 0, 0, KAP_PROP_WILSON, 0.95, KAP_TWO_SIDED, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 1, 4, KAP_PROP_WILSON, 1.0, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 1, 4, KAP_PROP_WILSON, NAN, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 1, 4, (kap_prop_ci_method)9, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(&r, 1, 4, KAP_PROP_WILSON, 0.95, (kap_alternative)4, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_prop_ci(NULL, 1, 4, KAP_PROP_WILSON, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
}

static void test_binom_test(void)
{
    static const struct { size_t k, n; double p; } bt[] = {
        {7, 20, 0.5}, {7, 20, 0.2}, {0, 15, 0.1}, {15, 15, 0.5}, {83, 250, 0.3},
        {3, 1000, 0.001}, {5, 10, 0.5}, {2, 9, 0.6}, {4, 10, 0}, {0, 10, 0},
        {10, 10, 1}, {9, 10, 1}, {3, 1000000, 1e-6}, {499123, 1000000, 0.5}, {300712, 1000000, 0.3},
        {4999123, 10000000, 0.5}, {2, 10000000, 1e-6}};
    static const char *const alts[] = {"two.sided", "less", "greater"};
    static const kap_alternative acodes[] = {KAP_TWO_SIDED, KAP_LESS, KAP_GREATER};
    kap_result r;
    for (size_t i = 0; i < sizeof bt / sizeof *bt; i++)
        for (int a = 0; a < 3; a++) {
            CU_ASSERT_EQUAL(kap_binary_binom_test(&r, bt[i].k, bt[i].n, bt[i].p, acodes[a], 0.95, NULL), KAP_OK);
            KT_ASSERT_REL(r.p_value, refn("bt_%zu_%zu_%g_%s", bt[i].k, bt[i].n, bt[i].p, alts[a]), TOL);
            CU_ASSERT_EQUAL(r.statistic, (double)bt[i].k);
        }
    /* CI is Clopper-Pearson */
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 7, 20, 0.5, KAP_TWO_SIDED, 0.95, NULL), KAP_OK);
    KT_ASSERT_REL(r.ci_low, kt_ref(REF, "p_7_20_cp_lo"), TOL);
    KT_ASSERT_REL(r.ci_high, kt_ref(REF, "p_7_20_cp_hi"), TOL);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 7, 20, 1.5, KAP_TWO_SIDED, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 7, 20, NAN, KAP_TWO_SIDED, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 21, 20, 0.5, KAP_TWO_SIDED, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 0, 0, 0.5, KAP_TWO_SIDED, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_binom_test(&r, 1, 2, 0.5, KAP_TWO_SIDED, -1, NULL), KAP_EINVAL);
}

/* ---- two groups -------------------------------------------------------- */

static const struct { const char *tag; size_t e1, n1, e2, n2; } tabs[] = {
    {"t1", 15, 40, 6, 38},  {"t2", 0, 20, 0, 22},   {"t3", 0, 20, 5, 22},
    {"t4", 20, 20, 22, 22}, {"t5", 45, 120, 30, 118}, {"t6", 1, 1, 0, 1},
    {"t7", 3, 50, 9, 48},   {"t8", 480, 1000, 450, 1000}, {"t9", 12, 30, 12, 30},
    {"t10", 2, 3, 0, 4}};
#define NTAB (sizeof tabs / sizeof *tabs)

static void test_risk_difference(void)
{
    kap_result r;
    for (size_t i = 0; i < NTAB; i++) {
        const char *t = tabs[i].tag;
        size_t e1 = tabs[i].e1, n1 = tabs[i].n1, e2 = tabs[i].e2, n2 = tabs[i].n2;
        CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, e1, n1, e2, n2, KAP_RD_NEWCOMBE, 0.95, NULL), KAP_OK);
        KT_ASSERT_REL(r.estimate, refn("%s_rd", t), TOL);
        KT_ASSERT_REL(r.ci_low, refn("%s_newc_lo", t), TOL);
        KT_ASSERT_REL(r.ci_high, refn("%s_newc_hi", t), TOL);
        KT_ASSERT_NAN(r.se);
        CU_ASSERT_EQUAL(r.n1, n1);
        CU_ASSERT_EQUAL(r.n2, n2);
        CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, e1, n1, e2, n2, KAP_RD_NEWCOMBE, 0.9, NULL), KAP_OK);
        KT_ASSERT_REL(r.ci_low, refn("%s_newc90_lo", t), TOL);
        KT_ASSERT_REL(r.ci_high, refn("%s_newc90_hi", t), TOL);
        CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, e1, n1, e2, n2, KAP_RD_WALD, 0.95, NULL), KAP_OK);
        KT_ASSERT_REL(r.ci_low, refn("%s_wald_lo", t), TOL);
        KT_ASSERT_REL(r.ci_high, refn("%s_wald_hi", t), TOL);
        KT_ASSERT_REL(r.se, refn("%s_wald_se", t), TOL);
    }
    /* zero events in both arms: RD 0, Wald SE 0 flagged */
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 0, 20, 0, 22, KAP_RD_WALD, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Wald truncated at 1 (t6: 1/1 vs 0/1) is flagged */
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 1, 1, 0, 1, KAP_RD_WALD, 0.95, NULL), KAP_OK);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* errors */
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 3, 2, 0, 1, KAP_RD_WALD, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 0, 0, 0, 1, KAP_RD_WALD, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 0, 1, 0, 0, KAP_RD_NEWCOMBE, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 0, 1, 0, 1, (kap_rd_ci_method)3, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(&r, 0, 1, 0, 1, KAP_RD_WALD, 1.0, NULL), KAP_EINVAL);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_EQUAL(kap_binary_risk_difference(NULL, 0, 1, 0, 1, KAP_RD_WALD, 0.95, NULL), KAP_EINVAL);
}

static void test_ratios(void)
{
    kap_result r;
    for (size_t i = 0; i < NTAB; i++) {
        const char *t = tabs[i].tag;
        size_t e1 = tabs[i].e1, n1 = tabs[i].n1, e2 = tabs[i].e2, n2 = tabs[i].n2;
        size_t b = n1 - e1, d = n2 - e2;
        CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, e1, n1, e2, n2, 0.95, NULL), KAP_OK);
        if (e1 > 0 && e2 > 0) {
            KT_ASSERT_REL(r.estimate, refn("%s_rr", t), TOL);
            KT_ASSERT_REL(r.se, refn("%s_rr_se", t), TOL);
            KT_ASSERT_REL(r.ci_low, refn("%s_rr_lo", t), TOL);
            KT_ASSERT_REL(r.ci_high, refn("%s_rr_hi", t), TOL);
            CU_ASSERT_PTR_NULL(r.note);
        } else {
            /* zero events: estimate 0 / inf / NaN as R's formula, CI NaN + note */
            KT_ASSERT_REL(r.estimate, refn("%s_rr", t), 0);
            KT_ASSERT_NAN(r.ci_low);
            KT_ASSERT_NAN(r.ci_high);
            KT_ASSERT_NAN(r.se);
            CU_ASSERT_PTR_NOT_NULL(r.note);
        }
        CU_ASSERT_EQUAL(kap_binary_odds_ratio(&r, e1, n1, e2, n2, 0.95, NULL), KAP_OK);
        if (e1 > 0 && e2 > 0 && b > 0 && d > 0) {
            KT_ASSERT_REL(r.estimate, refn("%s_or", t), TOL);
            KT_ASSERT_REL(r.se, refn("%s_or_se", t), TOL);
            KT_ASSERT_REL(r.ci_low, refn("%s_or_lo", t), TOL);
            KT_ASSERT_REL(r.ci_high, refn("%s_or_hi", t), TOL);
        } else {
            KT_ASSERT_REL(r.estimate, refn("%s_or", t), 0);
            KT_ASSERT_NAN(r.ci_low);
            KT_ASSERT_NAN(r.se);
            CU_ASSERT_PTR_NOT_NULL(r.note);
        }
    }
    /* all events in both arms: RR 1 with a zero-width log CI */
    CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, 20, 20, 22, 22, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 1);
    CU_ASSERT_EQUAL(r.se, 0);
    CU_ASSERT_EQUAL(r.ci_low, 1);
    /* errors */
    CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, 2, 1, 0, 1, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_odds_ratio(&r, 0, 1, 2, 1, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, 0, 0, 0, 1, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_odds_ratio(&r, 0, 1, 0, 0, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_risk_ratio(&r, 1, 2, 1, 2, 0, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_odds_ratio(&r, 1, 2, 1, 2, 2, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_odds_ratio(NULL, 1, 2, 1, 2, 0.95, NULL), KAP_EINVAL);
}

/* fisher.test's uniroot (tol 1.2e-4 on t in [0, 1], OR = t or 1/t) is
 * accurate to about 2.5e-4 max(1, OR^2) absolute. */
static void assert_near_fisher_R(double ours, double r)
{
    if (isinf(r) || r == 0) {
        CU_ASSERT_EQUAL(ours, r);
        return;
    }
    double tol = 2.5e-4 * (r > 1 ? r * r : 1);
    if (!(fabs(ours - r) <= tol))
        kt_report_rel(__FILE__, __LINE__, "fisher.test", ours, r, tol);
    CU_ASSERT(fabs(ours - r) <= tol);
}

static void test_fisher(void)
{
    static const char *const alts[] = {"two.sided", "less", "greater"};
    static const kap_alternative acodes[] = {KAP_TWO_SIDED, KAP_LESS, KAP_GREATER};
    kap_result r;
    for (size_t i = 0; i < NTAB; i++) {
        const char *t = tabs[i].tag;
        for (int a = 0; a < 3; a++) {
            double conf = a == 0 ? 0.95 : 0.9;
            CU_ASSERT_EQUAL(kap_binary_fisher(&r, tabs[i].e1, tabs[i].n1, tabs[i].e2, tabs[i].n2,
                                              acodes[a], conf, NULL), KAP_OK);
            KT_ASSERT_REL(r.p_value, refn("%s_fisher_%s_p", t, alts[a]), TOL);
            CU_ASSERT_EQUAL(r.conf_level, conf);
            int single = (tabs[i].e1 + tabs[i].e2 == 0) ||
                         (tabs[i].e1 == tabs[i].n1 && tabs[i].e2 == tabs[i].n2);
            if (single) {
                /* documented deviation: R says 0, we say NaN */
                KT_ASSERT_NAN(r.estimate);
                CU_ASSERT_PTR_NOT_NULL(r.note);
            } else {
                KT_ASSERT_REL(r.estimate, refn("%s_fisher_%s_est", t, alts[a]), TOL_IT);
                assert_near_fisher_R(r.estimate, refn("%s_fisher_%s_R_est", t, alts[a]));
            }
            KT_ASSERT_REL(r.ci_low, refn("%s_fisher_%s_lo", t, alts[a]), TOL_IT);
            KT_ASSERT_REL(r.ci_high, refn("%s_fisher_%s_hi", t, alts[a]), TOL_IT);
            assert_near_fisher_R(r.ci_low, refn("%s_fisher_%s_R_lo", t, alts[a]));
            assert_near_fisher_R(r.ci_high, refn("%s_fisher_%s_R_hi", t, alts[a]));
        }
    }
    /* a large table stays accurate (log-space probabilities) */
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 4800, 10000, 4500, 10000, KAP_TWO_SIDED, 0.95, NULL), KAP_OK);
    CU_ASSERT(r.p_value > 0 && r.p_value < 1e-4);
    CU_ASSERT(r.ci_low < r.estimate && r.estimate < r.ci_high);
    /* conditional MLE is close to the sample OR for large counts */
    KT_ASSERT_REL(r.estimate, (4800.0 * 5500) / (5200.0 * 4500), 1e-3);
    /* errors */
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 3, 2, 0, 1, KAP_TWO_SIDED, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 0, 0, 0, 1, KAP_TWO_SIDED, 0.95, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 1, 2, 0, 1, (kap_alternative)3, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_fisher(&r, 1, 2, 0, 1, KAP_TWO_SIDED, 1.0, NULL), KAP_EINVAL);
    KT_ASSERT_NAN(r.p_value);
}


/* ---- Fisher: windowed evaluation vs the full-support original ----------
 * kap_binary_fisher skips the hypergeometric terms whose exp underflows to
 * exactly 0.  The reference below is the previous implementation, which
 * evaluates every term of the support; the two must agree bit for bit on
 * p-value, conditional MLE and exact CI for every table of a random sweep
 * (small and huge margins, all three alternatives). */
static int check_two(kap_result *out, const char *method, size_t e1, size_t n1,
                     size_t e2, size_t n2, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, method);
    if (e1 > n1 || e2 > n2)
        return kap_err(err, KAP_EINVAL, "events exceed trials");
    if (n1 == 0 || n2 == 0)
        return kap_err(err, KAP_EDATA, "group has no trials");
    out->n1 = n1;
    out->n2 = n2;
    return KAP_OK;
}
static int valid_level(double c) { return isfinite(c) && c > 0.0 && c < 1.0; }
static int valid_alternative(kap_alternative a)
{
    return a == KAP_TWO_SIDED || a == KAP_LESS || a == KAP_GREATER;
}

typedef struct {
    double *logdc;   /* log choose(m, s) + log choose(n, k - s) */
    double *w;       /* normalised probabilities at the current theta */
    size_t len;
    double lo;       /* support value of index 0 */
} ref_nhyper;

/* Normalised probabilities at theta into h->w. */
static void ref_nh_eval(ref_nhyper *h, double theta)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < h->len; i++) {
        double v = h->logdc[i] + theta * (h->lo + (double)i);
        h->w[i] = v;
        if (v > mx)
            mx = v;
    }
    double s = 0;
    for (size_t i = 0; i < h->len; i++) {
        h->w[i] = exp(h->w[i] - mx);
        s += h->w[i];
    }
    for (size_t i = 0; i < h->len; i++)
        h->w[i] /= s;
}

/* Quantity solved for: 0 = mean, 1 = P(X >= x), 2 = P(X <= x); value and
 * derivative with respect to theta. */
static void ref_nh_quantity(ref_nhyper *h, double theta, int what, double x, double *val,
                        double *deriv)
{
    ref_nh_eval(h, theta);
    double mean = 0;
    for (size_t i = 0; i < h->len; i++)
        mean += (h->lo + (double)i) * h->w[i];
    double v = 0, dv = 0;
    for (size_t i = 0; i < h->len; i++) {
        double s = h->lo + (double)i, dev = s - mean;
        if (what == 0) {
            dv += dev * dev * h->w[i];
        } else if ((what == 1 && s >= x) || (what == 2 && s <= x)) {
            v += h->w[i];
            dv += dev * h->w[i];
        }
    }
    *val = what == 0 ? mean : v;
    *deriv = dv;  /* d/dtheta E[1{..}] = Cov(1{..}, X) */
}

/* Solve quantity(theta) = target; the quantity is increasing in theta for
 * what = 0, 1 and decreasing for what = 2.  Safeguarded Newton inside an
 * expanding bracket; theta accurate to ~1e-12. */
static int ref_nh_solve(ref_nhyper *h, int what, double x, double target,
                    double *theta_out)
{
    double sgn = what == 2 ? -1 : 1;
    double a = -1, b = 1, fa, fb, d;
    int k;
    for (k = 0; k < 60; k++) {
        ref_nh_quantity(h, a, what, x, &fa, &d);
        if (sgn * (fa - target) < 0)
            break;
        a *= 2;
    }
    if (k == 60)
        return KAP_ENOCONV;
    for (k = 0; k < 60; k++) {
        ref_nh_quantity(h, b, what, x, &fb, &d);
        if (sgn * (fb - target) > 0)
            break;
        b *= 2;
    }
    if (k == 60)
        return KAP_ENOCONV;
    double t = (a < 0 && b > 0) ? 0 : (a + b) / 2;
    for (int it = 0; it < 500; it++) {
        double f, df;
        ref_nh_quantity(h, t, what, x, &f, &df);
        f = sgn * (f - target);
        df = sgn * df;
        if (f == 0) {
            *theta_out = t;
            return KAP_OK;
        }
        if (f < 0)
            a = t;
        else
            b = t;
        double tn = df > 0 ? t - f / df : NAN;
        if (!(tn > a && tn < b))
            tn = (a + b) / 2;
        if (fabs(tn - t) <= 1e-13 * (1 + fabs(t)) || b - a <= 1e-13 * (1 + fabs(t))) {
            *theta_out = tn;
            return KAP_OK;
        }
        t = tn;
    }
    return KAP_ENOCONV;
}

static int ref_fisher(kap_result *out, size_t e1, size_t n1, size_t e2,
                      size_t n2, kap_alternative alternative,
                      double conf_level, kap_error *err)
{
    const char *method = "Fisher's exact test (conditional MLE odds ratio, exact CI)";
    int rc = check_two(out, method, e1, n1, e2, n2, err);
    if (rc)
        return rc;
    if (!valid_level(conf_level) || !valid_alternative(alternative)) {
        kap_result_init(out, method);
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1) and alternative valid");
    }
    /* The margins m = e1 + e2 and nn are passed to gsl_sf_lnchoose as
     * unsigned int: the total must fit, or they would be truncated (found
     * by tests/test_hostile.c: n1 = n2 = 4e9 gave KAP_ENUMERIC "gsl_sf_lnchoose
     * failed" after allocating the support). */
    if (n1 > 4294967295u || n2 > 4294967295u - n1) {
        kap_result_init(out, method);
        return kap_err(err, KAP_EINVAL, "counts too large (n1 + n2 must be below 2^32)");
    }
    size_t m = e1 + e2, nn = (n1 - e1) + (n2 - e2), k = n1;
    size_t lo = k > nn ? k - nn : 0, hi = k < m ? k : m;
    ref_nhyper h;
    h.len = hi - lo + 1;
    h.lo = (double)lo;
    h.logdc = kap_malloc_array(h.len, sizeof(double));
    h.w = kap_malloc_array(h.len, sizeof(double));
    if (!h.logdc || !h.w) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < h.len; i++) {
        size_t s = lo + i;
        gsl_sf_result r1, r2;
        if (gsl_sf_lnchoose_e((unsigned)m, (unsigned)s, &r1) != GSL_SUCCESS ||
            gsl_sf_lnchoose_e((unsigned)nn, (unsigned)(k - s), &r2) != GSL_SUCCESS) {
            rc = kap_err(err, KAP_ENUMERIC, "gsl_sf_lnchoose failed");
            goto fail;
        }
        h.logdc[i] = r1.val + r2.val;
    }
    double x = (double)e1;
    size_t xi = e1 - lo;
    /* p-value at psi = 1 */
    ref_nh_eval(&h, 0.0);
    double pv = 0;
    if (alternative == KAP_LESS) {
        for (size_t i = 0; i <= xi; i++)
            pv += h.w[i];
    } else if (alternative == KAP_GREATER) {
        for (size_t i = xi; i < h.len; i++)
            pv += h.w[i];
    } else {
        double dx = h.w[xi] * (1 + 1e-7);
        for (size_t i = 0; i < h.len; i++)
            if (h.w[i] <= dx)
                pv += h.w[i];
    }
    /* pv sums normalised probabilities: rounding can take it an ulp or two
     * past 1 (found by fuzzing: 15/32 vs 0/4992, "less").  R clamps the
     * same way for r x c tables: max(0, min(1, PVAL)). */
    out->p_value = pv > 1.0 ? 1.0 : pv;
    out->conf_level = conf_level;
    /* conditional MLE */
    double th;
    if (lo == hi) {
        out->estimate = NAN;
        out->note = "conditional MLE undefined: the table margins allow one table only "
                    "(no events or only events)";
    } else if (e1 == lo) {
        out->estimate = 0;
    } else if (e1 == hi) {
        out->estimate = INFINITY;
    } else {
        if ((rc = ref_nh_solve(&h, 0, x, x, &th))) {
            rc = kap_err(err, rc, "conditional MLE did not converge");
            goto fail;
        }
        out->estimate = exp(th);
    }
    /* exact conditional limits */
    double alpha = alternative == KAP_TWO_SIDED ? (1 - conf_level) / 2 : 1 - conf_level;
    double L = 0, U = INFINITY;
    if (alternative != KAP_LESS && e1 != lo) {
        if ((rc = ref_nh_solve(&h, 1, x, alpha, &th))) {
            rc = kap_err(err, rc, "exact lower limit did not converge");
            goto fail;
        }
        L = exp(th);
    }
    if (alternative != KAP_GREATER && e1 != hi) {
        if ((rc = ref_nh_solve(&h, 2, x, alpha, &th))) {
            rc = kap_err(err, rc, "exact upper limit did not converge");
            goto fail;
        }
        U = exp(th);
    }
    out->ci_low = L;
    out->ci_high = U;
    kap_free(h.logdc);
    kap_free(h.w);
    return KAP_OK;
fail:
    kap_free(h.logdc);
    kap_free(h.w);
    kap_result_init(out, method);
    return rc;
}


static int bits_eq(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static uint64_t fs_state = 0x2545f4914f6cdd1du;

static uint64_t fs_next(void) /* splitmix64, fixed seed */
{
    uint64_t z = (fs_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void test_fisher_window_sweep(void)
{
    static const kap_alternative alts[] = {KAP_TWO_SIDED, KAP_LESS, KAP_GREATER};
    int bad = 0, compared = 0;
    for (int t = 0; t < 1320 && !bad; t++) {
        size_t cap = t < 900 ? 60 : t < 1300 ? 5000 : 400000;
        size_t n1 = 1 + fs_next() % cap, n2 = 1 + fs_next() % cap;
        size_t e1, e2;
        if (t % 5 == 4) { /* rare events / near-complete: skewed supports */
            e1 = fs_next() % (1 + n1 / 50);
            e2 = n2 - fs_next() % (1 + n2 / 50);
        } else {
            e1 = fs_next() % (n1 + 1);
            e2 = fs_next() % (n2 + 1);
        }
        kap_alternative alt = alts[t % 3];
        double conf = (t & 8) ? 0.9 : 0.95;
        kap_result r, q;
        int rc = kap_binary_fisher(&r, e1, n1, e2, n2, alt, conf, NULL);
        int rq = ref_fisher(&q, e1, n1, e2, n2, alt, conf, NULL);
        if (rc != rq || !bits_eq(r.p_value, q.p_value) ||
            !bits_eq(r.estimate, q.estimate) || !bits_eq(r.ci_low, q.ci_low) ||
            !bits_eq(r.ci_high, q.ci_high)) {
            printf("\nfisher %zu/%zu vs %zu/%zu alt %d: p %.17g/%.17g est "
                   "%.17g/%.17g ci %.17g/%.17g %.17g/%.17g\n", e1, n1, e2,
                   n2, (int)alt, r.p_value, q.p_value, r.estimate, q.estimate,
                   r.ci_low, q.ci_low, r.ci_high, q.ci_high);
            bad = 1;
        }
        compared++;
    }
    CU_ASSERT_FALSE(bad);
    CU_ASSERT_EQUAL(compared, 1320);
}

static void test_chisq(void)
{
    kap_result r;
    for (size_t i = 0; i < NTAB; i++) {
        const char *t = tabs[i].tag;
        for (int cc = 1; cc >= 0; cc--) {
            CU_ASSERT_EQUAL(kap_binary_chisq(&r, tabs[i].e1, tabs[i].n1, tabs[i].e2, tabs[i].n2, cc, NULL), KAP_OK);
            KT_ASSERT_REL(r.statistic, refn("%s_chisq%s_stat", t, cc ? "_yates" : ""), TOL);
            KT_ASSERT_REL(r.p_value, refn("%s_chisq%s_p", t, cc ? "_yates" : ""), TOL);
            CU_ASSERT_EQUAL(r.df, 1);
            if (isnan(r.statistic))
                CU_ASSERT_PTR_NOT_NULL(r.note);
        }
    }
    /* R's Yates rule min(0.5, |O - E|): t9 has O = E, so no correction */
    CU_ASSERT_EQUAL(kap_binary_chisq(&r, 12, 30, 12, 30, 1, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(r.method, "Pearson's Chi-squared test");
    CU_ASSERT_EQUAL(r.statistic, 0);
    CU_ASSERT_EQUAL(kap_binary_chisq(&r, 15, 40, 6, 38, 1, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(r.method, "Pearson's Chi-squared test with Yates' continuity correction");
    CU_ASSERT_EQUAL(kap_binary_chisq(&r, 15, 14, 6, 38, 1, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_chisq(&r, 0, 14, 0, 0, 1, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_binary_chisq(NULL, 0, 14, 0, 1, 1, NULL), KAP_EINVAL);
}

/* ---- NNT --------------------------------------------------------------- */

static void test_nnt(void)
{
    kap_nnt o;
    char buf[128];
    /* t1: response 15/40 vs 6/38, Newcombe CI excludes 0 -> NNTB */
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 15, 40, 6, 38, KAP_EVENT_BENEFICIAL, KAP_RD_NEWCOMBE, 0.95, NULL), KAP_OK);
    double rd = kt_ref(REF, "t1_rd"), lo = kt_ref(REF, "t1_newc_lo"), hi = kt_ref(REF, "t1_newc_hi");
    CU_ASSERT(lo > 0);
    CU_ASSERT_EQUAL(o.kind, KAP_NNT_BENEFIT);
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_BENEFIT);
    KT_ASSERT_REL(o.nnt, 1 / rd, TOL);
    KT_ASSERT_REL(o.nntb_low, 1 / hi, TOL);
    KT_ASSERT_REL(o.nntb_high, 1 / lo, TOL);
    KT_ASSERT_NAN(o.nnth_low);
    KT_ASSERT_REL(o.rd_low, lo, TOL);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 1, NULL), KAP_OK);
    char want[128];
    snprintf(want, sizeof want, "NNTB %.1f (95%% CI %.1f to %.1f)", 1 / rd, 1 / hi, 1 / lo);
    CU_ASSERT_STRING_EQUAL(buf, want);
    /* the same table with the event harmful (e.g. an adverse event) */
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 15, 40, 6, 38, KAP_EVENT_HARMFUL, KAP_RD_NEWCOMBE, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(o.kind, KAP_NNT_HARM);
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_HARM);
    KT_ASSERT_REL(o.nnth_low, 1 / hi, TOL);
    KT_ASSERT_REL(o.nnth_high, 1 / lo, TOL);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 1, NULL), KAP_OK);
    snprintf(want, sizeof want, "NNTH %.1f (95%% CI %.1f to %.1f)", 1 / rd, 1 / hi, 1 / lo);
    CU_ASSERT_STRING_EQUAL(buf, want);
    /* t7: 3/50 vs 9/48 responders; Newcombe CI crosses 0 (Altman's case) */
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 3, 50, 9, 48, KAP_EVENT_BENEFICIAL, KAP_RD_NEWCOMBE, 0.95, NULL), KAP_OK);
    rd = kt_ref(REF, "t7_rd");
    lo = kt_ref(REF, "t7_newc_lo");
    hi = kt_ref(REF, "t7_newc_hi");
    CU_ASSERT(lo < 0 && hi > 0);
    CU_ASSERT_EQUAL(o.kind, KAP_NNT_HARM);
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_CROSSES);
    KT_ASSERT_REL(o.nnt, -1 / rd, TOL);
    KT_ASSERT_REL(o.nnth_low, -1 / lo, TOL);
    KT_ASSERT_REL(o.nntb_low, 1 / hi, TOL);
    CU_ASSERT(isinf(o.nnth_high) && isinf(o.nntb_high));
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 1, NULL), KAP_OK);
    snprintf(want, sizeof want, "NNTH %.1f (95%% CI NNTH %.1f to infinity to NNTB %.1f)",
             -1 / rd, -1 / lo, 1 / hi);
    CU_ASSERT_STRING_EQUAL(buf, want);
    /* t9: equal risks -> NNT infinite */
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 12, 30, 12, 30, KAP_EVENT_BENEFICIAL, KAP_RD_WALD, 0.9, NULL), KAP_OK);
    CU_ASSERT_EQUAL(o.kind, KAP_NNT_NONE);
    CU_ASSERT(isinf(o.nnt));
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_CROSSES);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 0, NULL), KAP_OK);
    CU_ASSERT(strncmp(buf, "NNT infinity (90% CI NNTH ", 26) == 0);
    /* zero events in both arms: Wald CI [0, 0] */
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 0, 20, 0, 22, KAP_EVENT_BENEFICIAL, KAP_RD_WALD, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_NONE);
    /* an RD CI touching 0: NNTB a to infinity */
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(&o, 0.2, 0.0, 0.4, 0.95, KAP_EVENT_BENEFICIAL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(o.ci_kind, KAP_NNT_CI_BENEFIT);
    KT_ASSERT_REL(o.nntb_low, 2.5, 1e-15);
    CU_ASSERT(isinf(o.nntb_high));
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 2, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "NNTB 5.00 (95% CI 2.50 to infinity)");
    /* NaN input: undefined, not an error */
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(&o, NAN, NAN, NAN, 0.95, KAP_EVENT_BENEFICIAL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(o.kind, KAP_NNT_UNDEFINED);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 1, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "NNT undefined");
    /* errors */
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(&o, 0.1, 0.2, 0.05, 0.95, KAP_EVENT_BENEFICIAL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(&o, 0.1, -1.5, 0.2, 0.95, KAP_EVENT_BENEFICIAL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(&o, 0.1, 0, 0.2, 0.95, (kap_event_kind)7, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt_from_rd(NULL, 0.1, 0, 0.2, 0.95, KAP_EVENT_HARMFUL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 3, 2, 0, 1, KAP_EVENT_HARMFUL, KAP_RD_WALD, 0.95, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt(&o, 0, 0, 0, 1, KAP_EVENT_HARMFUL, KAP_RD_WALD, 0.95, NULL), KAP_EDATA);
    kap_binary_nnt(&o, 3, 50, 9, 48, KAP_EVENT_BENEFICIAL, KAP_RD_NEWCOMBE, 0.95, NULL);
    char small[16];
    kap_error e;
    CU_ASSERT_EQUAL(kap_binary_nnt_format(small, sizeof small, &o, 1, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(buf, sizeof buf, &o, 7, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_binary_nnt_format(NULL, 10, &o, 1, NULL), KAP_EINVAL);
}

#ifdef KAP_FAULT_INJECTION
static void test_alloc_failures(void)
{
    for (unsigned long k = 1; k < 10; k++) {
        kap_result r;
        kap_test_fail_alloc_at(k);
        int rc = kap_binary_fisher(&r, 15, 40, 6, 38, KAP_TWO_SIDED, 0.95, NULL);
        unsigned long used = kap_test_fail_alloc_at(0);
        if (used < k) {
            CU_ASSERT_EQUAL(rc, KAP_OK);
            break;
        }
        CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
        KT_ASSERT_NAN(r.p_value);
    }
}
#endif

int main(void)
{
    CU_TestInfo tests[] = {
        {"proportion CIs (Wilson, CP, AC, Jeffreys)", test_prop_ci},
        {"binom.test p-values", test_binom_test},
        {"risk difference (Newcombe, Wald)", test_risk_difference},
        {"risk ratio (Katz), odds ratio (Woolf)", test_ratios},
        {"Fisher exact: p, conditional MLE, exact CI", test_fisher},
        {"Fisher exact: windowed terms vs full support, bit for bit",
         test_fisher_window_sweep},
        {"chi-square with/without Yates", test_chisq},
        {"NNT (Altman 1998) and its text", test_nnt},
#ifdef KAP_FAULT_INJECTION
        {"allocation failures", test_alloc_failures},
#endif
        CU_TEST_INFO_NULL};
    return kt_main("binary", tests);
}
