/* tests/test_linear_model.c - OLS, nested F test, contrasts, dummies and
 * ANCOVA against R 4.2.2 (lm, summary.lm, confint, vcov, anova, emmeans
 * 1.8.4.1; tests/reference/linear_model.R -> linear_model.out) and the
 * NIST StRD linear-regression data sets (tests/reference/nist/). */
#include "kap_test.h"
#include "internal.h"
#include "lm_cells_internal.h"
#include "nist_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "linear_model.out"
#define RTOL 1e-9

static double ref(const char *name) { return kt_ref(REF, name); }
static double refi(const char *prefix, size_t i)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%.100s_%zu", prefix, i);
    return kt_ref(REF, buf);
}

/* The inline data set of linear_model.R (row 6: y NaN; row 12: x1 NaN). */
static const double Y[14] = {12.1, 14.3, 11.8, 16.9, 15.2, 18.4, NAN,
                             20.1, 17.7, 22.3, 19.8, 24.6, 21.0, 25.9};
static const double X1[14] = {1.0, 2.0, 1.5, 3.1, 2.8, 4.0, 4.4,
                              5.2, 4.1, 6.3, 5.5, 7.0, NAN, 7.9};
static const double X2[14] = {0.3, -0.2, 0.8, 0.1, 1.2, -0.5, 0.4,
                              0.9, 1.6, -0.1, 0.7, 0.2, 0.5, 1.1};

static void design2(double *X, const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = a[i];
        X[2 * i + 1] = b[i];
    }
}

/* Compare every getter of a fit with the R values under prefix. */
static void check_fit(const kap_lm *m, const char *prefix, int has_f)
{
    char nm[128];
    size_t k = kap_lm_ncoef(m);
    for (size_t j = 0; j < k; j++) {
        snprintf(nm, sizeof nm, "%s_coef", prefix);
        KT_ASSERT_REL(kap_lm_coef(m, j), refi(nm, j), RTOL);
        snprintf(nm, sizeof nm, "%s_se", prefix);
        KT_ASSERT_REL(kap_lm_se(m, j), refi(nm, j), RTOL);
        snprintf(nm, sizeof nm, "%s_t", prefix);
        KT_ASSERT_REL(kap_lm_t(m, j), refi(nm, j), RTOL);
        snprintf(nm, sizeof nm, "%s_p", prefix);
        KT_ASSERT_REL(kap_lm_p(m, j), refi(nm, j), RTOL);
        snprintf(nm, sizeof nm, "%s_lo", prefix);
        KT_ASSERT_REL(kap_lm_ci_low(m, j), refi(nm, j), RTOL);
        snprintf(nm, sizeof nm, "%s_hi", prefix);
        KT_ASSERT_REL(kap_lm_ci_high(m, j), refi(nm, j), RTOL);
        for (size_t l = 0; l < k; l++) {
            snprintf(nm, sizeof nm, "%s_vcov", prefix);
            KT_ASSERT_REL(kap_lm_vcov(m, j, l), refi(nm, j * k + l), RTOL);
        }
        kap_result r;
        CU_ASSERT_EQUAL(kap_lm_coef_result(&r, m, j, NULL), KAP_OK);
        CU_ASSERT_EQUAL(r.estimate, kap_lm_coef(m, j));
        CU_ASSERT_EQUAL(r.se, kap_lm_se(m, j));
        CU_ASSERT_EQUAL(r.statistic, kap_lm_t(m, j));
        CU_ASSERT_EQUAL(r.p_value, kap_lm_p(m, j));
        CU_ASSERT_EQUAL(r.ci_low, kap_lm_ci_low(m, j));
        CU_ASSERT_EQUAL(r.ci_high, kap_lm_ci_high(m, j));
        CU_ASSERT_EQUAL(r.df, kap_lm_df(m));
        CU_ASSERT_EQUAL(r.n1, kap_lm_nobs(m));
        CU_ASSERT_PTR_NOT_NULL(r.method);
    }
    snprintf(nm, sizeof nm, "%s_sigma", prefix);
    KT_ASSERT_REL(kap_lm_sigma(m), ref(nm), RTOL);
    snprintf(nm, sizeof nm, "%s_df", prefix);
    KT_ASSERT_REL(kap_lm_df(m), ref(nm), 0);
    snprintf(nm, sizeof nm, "%s_r2", prefix);
    KT_ASSERT_REL(kap_lm_r_squared(m), ref(nm), RTOL);
    snprintf(nm, sizeof nm, "%s_adjr2", prefix);
    KT_ASSERT_REL(kap_lm_adj_r_squared(m), ref(nm), RTOL);
    snprintf(nm, sizeof nm, "%s_rss", prefix);
    KT_ASSERT_REL(kap_lm_rss(m), ref(nm), RTOL);
    snprintf(nm, sizeof nm, "%s_nobs", prefix);
    CU_ASSERT_EQUAL((double)kap_lm_nobs(m), ref(nm));
    const double *res = kap_lm_residuals(m);
    const double *fit = kap_lm_fitted(m);
    const size_t *rows = kap_lm_rows(m);
    snprintf(nm, sizeof nm, "%s_resid", prefix);
    for (size_t i = 0; i < kap_lm_nobs(m); i++) {
        KT_ASSERT_REL(res[i], refi(nm, i), 1e-8);
        CU_ASSERT(rows[i] < kap_lm_nrows(m));
        CU_ASSERT(fabs(fit[i] + res[i] - Y[rows[i]]) <= 1e-12 * fabs(Y[rows[i]]));
    }
    kap_result f;
    CU_ASSERT_EQUAL(kap_lm_f_test(&f, m, NULL), KAP_OK);
    if (has_f) {
        snprintf(nm, sizeof nm, "%s_F", prefix);
        KT_ASSERT_REL(f.statistic, ref(nm), RTOL);
        snprintf(nm, sizeof nm, "%s_Fdf1", prefix);
        KT_ASSERT_REL(f.df, ref(nm), 0);
        snprintf(nm, sizeof nm, "%s_Fdf2", prefix);
        KT_ASSERT_REL(f.df2, ref(nm), 0);
        snprintf(nm, sizeof nm, "%s_Fp", prefix);
        KT_ASSERT_REL(f.p_value, ref(nm), RTOL);
        CU_ASSERT_PTR_NULL(f.note);
    } else {
        KT_ASSERT_NAN(f.statistic);
        KT_ASSERT_NAN(f.p_value);
        CU_ASSERT_PTR_NOT_NULL(f.note);
    }
}

static void test_lm_basic(void)
{
    double X[28];
    design2(X, X1, X2, 14);
    kap_lm *m = NULL;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_ncoef(m), 3);
    CU_ASSERT_EQUAL(kap_lm_nrows(m), 14);
    CU_ASSERT_EQUAL(kap_lm_nobs(m), 12);
    CU_ASSERT_EQUAL(kap_lm_has_intercept(m), 1);
    const size_t *rows = kap_lm_rows(m);
    CU_ASSERT_EQUAL(rows[5], 5);
    CU_ASSERT_EQUAL(rows[6], 7);   /* row 6 (y NaN) dropped */
    CU_ASSERT_EQUAL(rows[11], 13); /* row 12 (x1 NaN) dropped */
    CU_ASSERT(kap_lm_condition(m) >= 1.0 && kap_lm_condition(m) < 100.0);
    check_fit(m, "m2", 1);
    /* out-of-range getters */
    KT_ASSERT_NAN(kap_lm_coef(m, 3));
    KT_ASSERT_NAN(kap_lm_vcov(m, 0, 3));
    kap_result r;
    CU_ASSERT_EQUAL(kap_lm_coef_result(&r, m, 3, &e), KAP_EINVAL);
    kap_lm_free(m);

    /* 90% intervals */
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 0.90, &e), KAP_OK);
    for (size_t j = 0; j < 3; j++) {
        KT_ASSERT_REL(kap_lm_ci_low(m, j), refi("m2c90_lo", j), RTOL);
        KT_ASSERT_REL(kap_lm_ci_high(m, j), refi("m2c90_hi", j), RTOL);
    }
    CU_ASSERT_EQUAL(kap_lm_coef_result(&r, m, 1, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.conf_level, 0.90);
    kap_lm_free(m);
}

static void test_lm_no_intercept(void)
{
    double X[28];
    design2(X, X1, X2, 14);
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X, 14, 2, 0, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_ncoef(m), 2);
    CU_ASSERT_EQUAL(kap_lm_has_intercept(m), 0);
    check_fit(m, "m0", 1);
    kap_lm_free(m);
}

static void test_lm_simple_and_intercept_only(void)
{
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X1, 14, 1, 1, 0.95, NULL), KAP_OK);
    check_fit(m, "m1", 1);
    kap_lm_free(m);
    /* intercept only, on the rows complete for X1 (row 12 set NaN in y) */
    double y[14];
    memcpy(y, Y, sizeof y);
    y[12] = NAN;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, y, NULL, 14, 0, 1, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_ncoef(m), 1);
    check_fit(m, "mi", 0);
    kap_lm_free(m);
}

static void test_lm_compare(void)
{
    double X[28];
    design2(X, X1, X2, 14);
    kap_lm *full = NULL, *red = NULL, *red0 = NULL;
    kap_error e;
    double y[14];
    memcpy(y, Y, sizeof y);
    y[12] = NAN;   /* same rows for all three models */
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&full, y, X, 14, 2, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&red, y, X1, 14, 1, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&red0, y, NULL, 14, 0, 1, 0.95, &e), KAP_OK);
    kap_result r;
    CU_ASSERT_EQUAL(kap_lm_compare(&r, red, full, &e), KAP_OK);
    KT_ASSERT_REL(r.statistic, ref("cmp12_F"), RTOL);
    KT_ASSERT_REL(r.df, ref("cmp12_df"), 0);
    KT_ASSERT_REL(r.df2, ref("cmp12_df2"), 0);
    KT_ASSERT_REL(r.p_value, ref("cmp12_p"), RTOL);
    KT_ASSERT_REL(r.estimate, ref("cmp12_ss"), 1e-8);
    CU_ASSERT_EQUAL(r.n1, 12);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, red0, full, &e), KAP_OK);
    KT_ASSERT_REL(r.statistic, ref("cmpi2_F"), RTOL);
    KT_ASSERT_REL(r.df, ref("cmpi2_df"), 0);
    KT_ASSERT_REL(r.p_value, ref("cmpi2_p"), RTOL);
    /* F of intercept-only vs full = overall F of the full model */
    kap_result f;
    kap_lm_f_test(&f, full, NULL);
    KT_ASSERT_REL(r.statistic, f.statistic, 1e-12);

    /* errors: reduced not smaller; swapped */
    CU_ASSERT_EQUAL(kap_lm_compare(&r, full, red, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, full, full, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_compare(NULL, red, full, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, NULL, full, &e), KAP_EINVAL);
    /* different rows: y ~ x2 keeps row 12 of the original y */
    kap_lm *other = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&other, Y, X2, 14, 1, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, red0, other, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "same rows") != NULL);
    kap_lm_free(other);
    /* different response, same rows */
    double y2[14];
    for (size_t i = 0; i < 14; i++)
        y2[i] = y[i] + 1.0;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&other, y2, X, 14, 2, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, red, other, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "response") != NULL);
    kap_lm_free(other);
    /* not nested: more coefficients but a worse fit (x2, x2^2, x2^3
     * without intercept vs y ~ x1) */
    double X3[42];
    for (size_t i = 0; i < 14; i++) {
        X3[3 * i] = X2[i];
        X3[3 * i + 1] = X2[i] * X2[i];
        X3[3 * i + 2] = X2[i] * X2[i] * X2[i];
    }
    for (size_t i = 0; i < 14; i++)
        if (isnan(X1[i]))
            X3[3 * i] = NAN;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&other, y, X3, 14, 3, 0, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_compare(&r, red, other, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "not nested") != NULL);
    kap_lm_free(other);
    kap_lm_free(full);
    kap_lm_free(red);
    kap_lm_free(red0);
}

static void test_lm_contrast(void)
{
    double X[28];
    design2(X, X1, X2, 14);
    kap_lm *m = NULL;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 0.95, &e), KAP_OK);
    double L[3] = {0, 1, 2};
    kap_result r;
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, L, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, ref("con_est"), RTOL);
    KT_ASSERT_REL(r.se, ref("con_se"), RTOL);
    KT_ASSERT_REL(r.statistic, ref("con_t"), RTOL);
    KT_ASSERT_REL(r.p_value, ref("con_p"), RTOL);
    KT_ASSERT_REL(r.ci_low, ref("con_lo"), RTOL);
    KT_ASSERT_REL(r.ci_high, ref("con_hi"), RTOL);
    CU_ASSERT_EQUAL(r.df, 9);
    /* a unit contrast reproduces the coefficient */
    double E1[3] = {0, 1, 0};
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, E1, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, kap_lm_coef(m, 1), 1e-15);
    KT_ASSERT_REL(r.se, kap_lm_se(m, 1), 1e-14);
    KT_ASSERT_REL(r.p_value, kap_lm_p(m, 1), 1e-12);
    /* huge weights do not overflow the SE computation */
    double Lh[3] = {0, 1e300, 2e300};
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, Lh, &e), KAP_OK);
    KT_ASSERT_REL(r.se, ref("con_se") * 1e300, 1e-9);
    /* zero contrast */
    double Z[3] = {0, 0, 0};
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, Z, &e), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0.0);
    CU_ASSERT_EQUAL(r.se, 0.0);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    double Ln[3] = {0, NAN, 1};
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, Ln, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_contrast(&r, m, NULL, &e), KAP_EINVAL);
    kap_lm_free(m);
}

/* Extreme magnitudes: y * 1e150, x1 * 1e-150 (R on the same numbers), and
 * exact scalings y * 2^+-600, x1 * 2^-+400, which must give the same
 * answers scaled (the RSS overflows for 2^600; nothing else does). */
static void test_lm_magnitudes(void)
{
    double X[28], y[14];
    for (size_t i = 0; i < 14; i++) {
        X[2 * i] = X1[i] * 1e-150;
        X[2 * i + 1] = X2[i];
        y[i] = Y[i] * 1e150;
    }
    kap_lm *m = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, y, X, 14, 2, 1, 0.95, NULL), KAP_OK);
    for (size_t j = 0; j < 3; j++) {
        KT_ASSERT_REL(kap_lm_coef(m, j), refi("mh_coef", j), RTOL);
        if (j != 1)
            KT_ASSERT_REL(kap_lm_se(m, j), refi("mh_se", j), RTOL);
    }
    /* R's vcov overflows here (sigma^2 (X'X)^-1 ~ 1e597: se Inf); ours
     * does not: se = coef / t of the unscaled model. */
    CU_ASSERT(isinf(refi("mh_se", 1)));
    KT_ASSERT_REL(kap_lm_se(m, 1), refi("mh_coef", 1) / refi("m2_t", 1), RTOL);
    KT_ASSERT_REL(kap_lm_sigma(m), ref("mh_sigma"), RTOL);
    KT_ASSERT_REL(kap_lm_r_squared(m), ref("m2_r2"), RTOL);
    KT_ASSERT_REL(kap_lm_t(m, 1), refi("m2_t", 1), RTOL);
    kap_lm_free(m);

    const int sc[] = {600, -600};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < 14; i++) {
            X[2 * i] = ldexp(X1[i], -sc[s] * 2 / 3);
            X[2 * i + 1] = X2[i];
            y[i] = ldexp(Y[i], sc[s]);
        }
        CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, y, X, 14, 2, 1, 0.95, NULL), KAP_OK);
        KT_ASSERT_REL(kap_lm_coef(m, 1), ldexp(refi("m2_coef", 1), sc[s] * 5 / 3), RTOL);
        KT_ASSERT_REL(kap_lm_se(m, 1), ldexp(refi("m2_se", 1), sc[s] * 5 / 3), RTOL);
        KT_ASSERT_REL(kap_lm_sigma(m), ldexp(ref("m2_sigma"), sc[s]), RTOL);
        KT_ASSERT_REL(kap_lm_t(m, 1), refi("m2_t", 1), RTOL);
        KT_ASSERT_REL(kap_lm_r_squared(m), ref("m2_r2"), RTOL);
        kap_result f;
        kap_lm_f_test(&f, m, NULL);
        KT_ASSERT_REL(f.statistic, ref("m2_F"), RTOL);
        CU_ASSERT(isinf(kap_lm_rss(m)) == (sc[s] > 0));
        kap_lm_free(m);
    }
}

/* ---- NIST StRD linear regression --------------------------------------- */

typedef struct {
    const char *name;
    int intercept;
    double min_lre;      /* coefficients and SEs */
    int may_refuse;      /* KAP_ENUMERIC is acceptable (Filip) */
} nist_case;

static void nist_design(const nist_reg *r, int intercept, size_t *p,
                        double **X, double **y)
{
    /* Polynomial models (one x column, several parameters): powers built
     * here by repeated multiplication. */
    size_t ncoef = r->ncoef;
    size_t np = intercept ? ncoef - 1 : ncoef;
    if (!intercept && r->b[0] == 0.0 && r->sd[0] == 0.0)
        np = ncoef - 1;   /* NoInt1: only B1 is certified */
    *p = np;
    *X = malloc(r->n * np * sizeof(double));
    *y = malloc(r->n * sizeof(double));
    for (size_t i = 0; i < r->n; i++) {
        (*y)[i] = r->data[i * r->ncol];
        for (size_t j = 0; j < np; j++) {
            if (r->ncol == 2) {
                double x = r->data[i * 2 + 1], v = x;
                for (size_t e = 0; e < j; e++)
                    v *= x;
                (*X)[i * np + j] = v;
            } else {
                (*X)[i * np + j] = r->data[i * r->ncol + 1 + j];
            }
        }
    }
}

static double lre_sd(double computed, double certified)
{
    return kt_lre(computed, certified);
}

static void run_nist(const nist_case *c, double yscale, int report)
{
    char rel[128], path[1024];
    snprintf(rel, sizeof rel, "reference/nist/%s.dat", c->name);
    kt_path(path, sizeof path, rel);
    nist_reg r;
    CU_ASSERT_EQUAL_FATAL(nist_read_reg(path, &r), 0);
    size_t p;
    double *X, *y;
    nist_design(&r, c->intercept, &p, &X, &y);
    for (size_t i = 0; i < r.n; i++)
        y[i] *= yscale;
    kap_lm *m = NULL;
    kap_error e;
    int rc = kap_lm_fit(&m, y, X, r.n, p, c->intercept, 0.95, &e);
    if (rc == KAP_ENUMERIC && c->may_refuse) {
        fprintf(stderr, "NIST %s: refused (KAP_ENUMERIC): %s\n", c->name, e.message);
        CU_ASSERT(strlen(e.message) > 0);
    } else {
        CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
        size_t off = (c->intercept || r.b[0] != 0.0) ? 0 : 1;
        double minb = 15, mins = 15;
        for (size_t j = 0; j < kap_lm_ncoef(m); j++) {
            double lb = kt_lre(kap_lm_coef(m, j), r.b[j + off] * yscale);
            double ls = lre_sd(kap_lm_se(m, j), r.sd[j + off] * yscale);
            if (lb < minb)
                minb = lb;
            if (ls < mins)
                mins = ls;
        }
        double lsd = lre_sd(kap_lm_sigma(m), r.resid_sd * yscale);
        double lr2 = kt_lre(kap_lm_r_squared(m), r.r2);
        kap_result f;
        kap_lm_f_test(&f, m, NULL);
        double lf = r.f_infinite ? (isinf(f.statistic) ? 15.0 : 0.0)
                                 : kt_lre(f.statistic, r.f);
        if (report)
            fprintf(stderr,
                    "NIST %-9s LRE coef %4.1f  se %4.1f  resid-sd %4.1f  R2 "
                    "%4.1f  F %4.1f  (cond %.2g)\n",
                    c->name, minb, mins, lsd, lr2, lf, kap_lm_condition(m));
        CU_ASSERT(minb >= c->min_lre);
        CU_ASSERT(mins >= c->min_lre);
        CU_ASSERT(lsd >= c->min_lre);
        CU_ASSERT(lr2 >= c->min_lre);
        CU_ASSERT(lf >= c->min_lre);
        CU_ASSERT_EQUAL(kap_lm_nobs(m), r.n);
        CU_ASSERT_EQUAL(kap_lm_df(m), r.n - kap_lm_ncoef(m));
    }
    kap_lm_free(m);
    free(X);
    free(y);
    free(r.data);
}

static const nist_case NIST[] = {
    {"Norris", 1, 9.0, 0},
    {"Pontius", 1, 9.0, 0},
    {"NoInt1", 0, 9.0, 0},
    {"Longley", 1, 7.0, 0},
    {"Wampler1", 1, 9.0, 0},
    {"Filip", 1, 6.0, 1},
};

static void test_nist(void)
{
    for (size_t i = 0; i < sizeof NIST / sizeof *NIST; i++)
        run_nist(&NIST[i], 1.0, 1);
}

/* The same problems with the response scaled by 2^+-664 (about 1e+-200;
 * powers of two keep the data exact, so the certified values scale). */
static void test_nist_scaled(void)
{
    for (size_t i = 0; i < sizeof NIST / sizeof *NIST; i++) {
        run_nist(&NIST[i], ldexp(1.0, 664), 0);
        run_nist(&NIST[i], ldexp(1.0, -664), 0);
    }
}

/* Filip is accepted only because refinement converges; a harder variant
 * (degree-10 polynomial in x + 1000, condition far beyond 1e16) must be
 * refused, never answered. */
static void test_ill_conditioned(void)
{
    size_t n = 40, p = 10;
    double *X = malloc(n * p * sizeof(double)), y[40];
    for (size_t i = 0; i < n; i++) {
        double x = 1000.0 + (double)i / 10.0, v = 1.0;
        for (size_t j = 0; j < p; j++) {
            v *= x;
            X[i * p + j] = v;
        }
        y[i] = sin((double)i);
    }
    kap_lm *m = NULL;
    kap_error e;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, y, X, n, p, 1, 0.95, &e), KAP_ENUMERIC);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT(strstr(e.message, "least squares") != NULL);
    /* nearly collinear: x2 = x1 + 1e-13 noise */
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = (double)i;
        X[2 * i + 1] = (double)i + 1e-13 * cos((double)i);
    }
    CU_ASSERT_EQUAL(kap_lm_fit(&m, y, X, n, 2, 1, 0.95, &e), KAP_ENUMERIC);
    free(X);
}

static void test_lm_edge(void)
{
    kap_lm *m = (kap_lm *)1;
    kap_error e;
    double X[28];
    design2(X, X1, X2, 14);
    double nan14[14];
    for (size_t i = 0; i < 14; i++)
        nan14[i] = NAN;
    /* n = 0, 1, 2, 3 with 3 coefficients; all-NaN */
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 0, 2, 1, 0.95, &e), KAP_EDATA);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 1, 2, 1, 0.95, &e), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 3, 2, 1, 0.95, &e), KAP_EDATA);
    CU_ASSERT(strstr(e.message, "more rows") != NULL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, nan14, X, 14, 2, 1, 0.95, &e), KAP_EDATA);
    /* n = 2 for the mean: works, df 1 */
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, NULL, 2, 0, 1, 0.95, &e), KAP_OK);
    KT_ASSERT_REL(kap_lm_coef(m, 0), (12.1 + 14.3) / 2, 1e-15);
    KT_ASSERT_REL(kap_lm_se(m, 0), fabs(14.3 - 12.1) / 2, 1e-13);
    kap_lm_free(m);
    /* n = 4 rows, 3 coefficients: df 1 */
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, X, 4, 2, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_df(m), 1);
    kap_lm_free(m);

    /* constant column (with intercept) and zero column (without) */
    double Xk[28];
    design2(Xk, X1, X2, 14);
    for (size_t i = 0; i < 14; i++)
        Xk[2 * i + 1] = 3.25;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, Xk, 14, 2, 1, 0.95, &e), KAP_ENUMERIC);
    CU_ASSERT(strstr(e.message, "column 1 of X is constant") != NULL);
    for (size_t i = 0; i < 14; i++)
        Xk[2 * i + 1] = 0.0;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, Xk, 14, 2, 0, 0.95, &e), KAP_ENUMERIC);
    CU_ASSERT(strstr(e.message, "zero") != NULL);
    /* constant column without intercept is fine (it is the intercept) */
    for (size_t i = 0; i < 14; i++)
        Xk[2 * i + 1] = 1.0;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, Xk, 14, 2, 0, 0.95, &e), KAP_OK);
    KT_ASSERT_REL(kap_lm_coef(m, 1), refi("m1_coef", 0), 1e-12);
    KT_ASSERT_REL(kap_lm_se(m, 0), refi("m1_se", 1), 1e-12);
    kap_lm_free(m);
    /* exactly collinear: x2 = 2 x1 - 1 */
    for (size_t i = 0; i < 14; i++)
        Xk[2 * i + 1] = 2.0 * X1[i] - 1.0;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, Xk, 14, 2, 1, 0.95, &e), KAP_ENUMERIC);
    CU_ASSERT(strstr(e.message, "rank deficient") != NULL);
    /* dummy trap: all three dummies of a factor plus the intercept */
    int32_t codes[14] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
    double D[42];
    for (size_t i = 0; i < 14; i++)
        for (int l = 0; l < 3; l++)
            D[3 * i + (size_t)l] = codes[i] == l ? 1.0 : 0.0;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, D, 14, 3, 1, 0.95, &e), KAP_ENUMERIC);
    /* without the intercept, the cell means model is fine */
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, Y, D, 14, 3, 0, 0.95, &e), KAP_OK);
    kap_lm_free(m);

    /* perfect fit: y = 1 + 2 x exactly */
    double yp[14];
    for (size_t i = 0; i < 14; i++)
        yp[i] = 1.0 + 2.0 * (double)i;
    double xp[14];
    for (size_t i = 0; i < 14; i++)
        xp[i] = (double)i;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, yp, xp, 14, 1, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_coef(m, 0), 1.0);
    CU_ASSERT_EQUAL(kap_lm_coef(m, 1), 2.0);
    CU_ASSERT_EQUAL(kap_lm_sigma(m), 0.0);
    CU_ASSERT_EQUAL(kap_lm_se(m, 1), 0.0);
    KT_ASSERT_NAN(kap_lm_t(m, 1));
    KT_ASSERT_NAN(kap_lm_p(m, 1));
    CU_ASSERT_EQUAL(kap_lm_r_squared(m), 1.0);
    kap_result r;
    kap_lm_coef_result(&r, m, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    kap_lm_f_test(&r, m, NULL);
    CU_ASSERT(isinf(r.statistic) && r.statistic > 0);
    CU_ASSERT_EQUAL(r.p_value, 0.0);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    kap_lm_free(m);
    /* constant response */
    for (size_t i = 0; i < 14; i++)
        yp[i] = 7.5;
    CU_ASSERT_EQUAL_FATAL(kap_lm_fit(&m, yp, xp, 14, 1, 1, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_coef(m, 0), 7.5);
    CU_ASSERT_EQUAL(kap_lm_coef(m, 1), 0.0);
    KT_ASSERT_NAN(kap_lm_r_squared(m));
    kap_lm_f_test(&r, m, NULL);
    KT_ASSERT_NAN(r.statistic);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    kap_lm_free(m);

    /* argument errors */
    CU_ASSERT_EQUAL(kap_lm_fit(NULL, Y, X, 14, 2, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, NULL, X, 14, 2, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, NULL, 14, 2, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, NULL, 14, 0, 0, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 1.0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 0.0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 14, 2, 1, NAN, &e), KAP_EINVAL);
    double Xi[28];
    memcpy(Xi, X, sizeof Xi);
    Xi[7] = INFINITY;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, Xi, 14, 2, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "infinite") != NULL);
    double yi[14];
    memcpy(yi, Y, sizeof yi);
    yi[3] = -INFINITY;
    CU_ASSERT_EQUAL(kap_lm_fit(&m, yi, X, 14, 2, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_EQUAL(kap_lm_fit(&m, Y, X, 14, 2, 1, 0.95, NULL), KAP_OK);
    kap_lm_free(m);
    kap_lm_free(NULL);
    /* NULL getters */
    CU_ASSERT_EQUAL(kap_lm_ncoef(NULL), 0);
    CU_ASSERT_EQUAL(kap_lm_nobs(NULL), 0);
    KT_ASSERT_NAN(kap_lm_sigma(NULL));
    KT_ASSERT_NAN(kap_lm_se(NULL, 0));
    CU_ASSERT_PTR_NULL(kap_lm_residuals(NULL));
    CU_ASSERT_EQUAL(kap_lm_f_test(&r, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_coef_result(NULL, NULL, 0, &e), KAP_EINVAL);
}

static void test_dummies(void)
{
    int32_t codes[6] = {0, 2, 1, -1, 2, 0};
    double D[12];
    kap_error e;
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 3, 0, &e), KAP_OK);
    const double want0[12] = {0, 0, 0, 1, 1, 0, NAN, NAN, 0, 1, 0, 0};
    for (size_t i = 0; i < 12; i++)
        CU_ASSERT(isnan(want0[i]) ? isnan(D[i]) : D[i] == want0[i]);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 3, 1, &e), KAP_OK);
    const double want1[12] = {1, 0, 0, 1, 0, 0, NAN, NAN, 0, 1, 1, 0};
    for (size_t i = 0; i < 12; i++)
        CU_ASSERT(isnan(want1[i]) ? isnan(D[i]) : D[i] == want1[i]);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 0, 3, 1, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 1, 0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 3, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 3, -1, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_lm_dummies(D, codes, 6, 2, 0, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "row 1") != NULL);
    CU_ASSERT_EQUAL(kap_lm_dummies(NULL, codes, 6, 3, 0, &e), KAP_EINVAL);
}

/* ---- ANCOVA ------------------------------------------------------------ */

/* Minimal CSV reader for the committed reference data: header line, then
 * numbers or NA. */
static size_t read_csv(const char *file, double *cols, size_t ncol, size_t maxrow)
{
    char path[1024], rel[256];
    snprintf(rel, sizeof rel, "reference/%s", file);
    kt_path(path, sizeof path, rel);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (!f)
        return 0;
    char line[1024];
    size_t n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (n < maxrow && fgets(line, sizeof line, f)) {
        char *p = line;
        for (size_t j = 0; j < ncol; j++) {
            char *end;
            if (strncmp(p, "NA", 2) == 0) {
                cols[j * maxrow + n] = NAN;
                end = p + 2;
            } else {
                cols[j * maxrow + n] = strtod(p, &end);
            }
            p = end + (*end == ',');
        }
        n++;
    }
    fclose(f);
    return n;
}

#define SIM_MAX 256

static void check_ancova(const kap_ancova *a, const char *prefix, int32_t k,
                         int32_t control, int lsm)
{
    char nm[128];
    kap_result r;
    kap_error e;
    for (int32_t arm = 0, c = 0; arm < k; arm++) {
        if (lsm) {
            CU_ASSERT_EQUAL(kap_ancova_lsmean(&r, a, arm, &e), KAP_OK);
            snprintf(nm, sizeof nm, "%s_lsm", prefix);
            KT_ASSERT_REL(r.estimate, refi(nm, (size_t)arm), RTOL);
            snprintf(nm, sizeof nm, "%s_lsm_se", prefix);
            KT_ASSERT_REL(r.se, refi(nm, (size_t)arm), RTOL);
            snprintf(nm, sizeof nm, "%s_lsm_lo", prefix);
            KT_ASSERT_REL(r.ci_low, refi(nm, (size_t)arm), RTOL);
            snprintf(nm, sizeof nm, "%s_lsm_hi", prefix);
            KT_ASSERT_REL(r.ci_high, refi(nm, (size_t)arm), RTOL);
            snprintf(nm, sizeof nm, "%s_df", prefix);
            KT_ASSERT_REL(r.df, ref(nm), 0);
            CU_ASSERT(r.n1 > 0);
        }
        if (arm == control)
            continue;
        CU_ASSERT_EQUAL(kap_ancova_diff(&r, a, arm, &e), KAP_OK);
        snprintf(nm, sizeof nm, "%s_diff", prefix);
        KT_ASSERT_REL(r.estimate, refi(nm, (size_t)c), RTOL);
        snprintf(nm, sizeof nm, "%s_diff_se", prefix);
        KT_ASSERT_REL(r.se, refi(nm, (size_t)c), RTOL);
        snprintf(nm, sizeof nm, "%s_diff_p", prefix);
        KT_ASSERT_REL(r.p_value, refi(nm, (size_t)c), RTOL);
        if (lsm) {
            snprintf(nm, sizeof nm, "%s_diff_t", prefix);
            KT_ASSERT_REL(r.statistic, refi(nm, (size_t)c), RTOL);
            snprintf(nm, sizeof nm, "%s_diff_lo", prefix);
            KT_ASSERT_REL(r.ci_low, refi(nm, (size_t)c), RTOL);
            snprintf(nm, sizeof nm, "%s_diff_hi", prefix);
            KT_ASSERT_REL(r.ci_high, refi(nm, (size_t)c), RTOL);
        }
        c++;
    }
}

static void test_ancova_sim(void)
{
    /* change, baseline, arm, age, sex, site */
    double *cols = malloc(6 * SIM_MAX * sizeof(double));
    size_t n = read_csv("lm_ancova_sim.csv", cols, 6, SIM_MAX);
    CU_ASSERT_EQUAL_FATAL(n, 96);
    double *change = cols, *base = cols + SIM_MAX;
    int32_t arm[SIM_MAX];
    double cov[SIM_MAX * 4];
    int32_t sex[SIM_MAX], site[SIM_MAX];
    for (size_t i = 0; i < n; i++) {
        arm[i] = (int32_t)cols[2 * SIM_MAX + i];
        sex[i] = (int32_t)cols[4 * SIM_MAX + i];
        site[i] = (int32_t)cols[5 * SIM_MAX + i];
    }
    kap_ancova *a = NULL;
    kap_error e;
    /* numeric covariate only: age */
    for (size_t i = 0; i < n; i++)
        cov[i] = cols[3 * SIM_MAX + i];
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, change, base, arm, n, 3, 0, cov,
                                         1, NULL, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_ancova_n_arms(a), 3);
    CU_ASSERT_EQUAL(kap_ancova_control(a), 0);
    CU_ASSERT_EQUAL((double)kap_lm_nobs(kap_ancova_model(a)), ref("anc1_nobs"));
    CU_ASSERT_EQUAL(kap_lm_ncoef(kap_ancova_model(a)), 5);
    check_ancova(a, "anc1", 3, 0, 1);
    kap_result r;
    kap_ancova_diff(&r, a, 1, NULL);
    CU_ASSERT_EQUAL(r.n1 + r.n2 + 0, r.n1 + r.n2);
    size_t tot = 0;
    for (int32_t l = 0; l < 3; l++) {
        kap_ancova_lsmean(&r, a, l, NULL);
        tot += r.n1;
    }
    CU_ASSERT_EQUAL(tot, 92);
    /* errors on getters */
    CU_ASSERT_EQUAL(kap_ancova_diff(&r, a, 0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_diff(&r, a, 3, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_lsmean(&r, a, -1, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_lsmean(NULL, a, 0, &e), KAP_EINVAL);
    kap_ancova_free(a);

    /* control = arm 2 */
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, change, base, arm, n, 3, 2, cov,
                                         1, NULL, 0.95, &e), KAP_OK);
    check_ancova(a, "anc3", 3, 2, 0);
    /* least-squares means do not depend on the control */
    CU_ASSERT_EQUAL(kap_ancova_lsmean(&r, a, 1, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, refi("anc1_lsm", 1), RTOL);
    KT_ASSERT_REL(r.se, refi("anc1_lsm_se", 1), RTOL);
    kap_ancova_free(a);

    /* with categorical covariates: sex (2 levels), site (3 levels) */
    int32_t fac[4] = {0, 1, 2, 2};
    for (size_t i = 0; i < n; i++) {
        cov[4 * i] = cols[3 * SIM_MAX + i];
        CU_ASSERT_EQUAL(kap_lm_dummies(cov + 4 * i + 1, sex + i, 1, 2, 0, NULL), KAP_OK);
        CU_ASSERT_EQUAL(kap_lm_dummies(cov + 4 * i + 2, site + i, 1, 3, 0, NULL), KAP_OK);
    }
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, change, base, arm, n, 3, 0, cov,
                                         4, fac, 0.95, &e), KAP_OK);
    check_ancova(a, "anc2", 3, 0, 1);
    kap_ancova_free(a);
    /* the same fit without factor ids gives different (observed-proportion)
     * means, same differences */
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, change, base, arm, n, 3, 0, cov,
                                         4, NULL, 0.95, &e), KAP_OK);
    kap_ancova_lsmean(&r, a, 0, NULL);
    CU_ASSERT(!kt_close(r.estimate, refi("anc2_lsm", 0), 1e-6));
    kap_ancova_diff(&r, a, 2, NULL);
    KT_ASSERT_REL(r.estimate, refi("anc2_diff", 1), RTOL);
    kap_ancova_free(a);
    free(cols);
}

static void test_ancova_real(void)
{
    /* week-6 HAM-D17 change, DIA antidepressant trial: change, basval,
     * arm (0 drug, 1 placebo), gender, poolinv (17 levels) */
    double *cols = malloc(5 * SIM_MAX * sizeof(double));
    size_t n = read_csv("lm_antidep_w6.csv", cols, 5, SIM_MAX);
    CU_ASSERT_EQUAL_FATAL(n, 129);
    int32_t arm[SIM_MAX], g[SIM_MAX], site[SIM_MAX];
    size_t q = 1 + 16;
    double *cov = malloc(n * q * sizeof(double));
    int32_t fac[17];
    fac[0] = 1;
    for (size_t j = 1; j < q; j++)
        fac[j] = 2;
    for (size_t i = 0; i < n; i++) {
        arm[i] = (int32_t)cols[2 * SIM_MAX + i];
        g[i] = (int32_t)cols[3 * SIM_MAX + i];
        site[i] = (int32_t)cols[4 * SIM_MAX + i];
        CU_ASSERT_EQUAL(kap_lm_dummies(cov + q * i, g + i, 1, 2, 0, NULL), KAP_OK);
        CU_ASSERT_EQUAL(kap_lm_dummies(cov + q * i + 1, site + i, 1, 17, 0, NULL), KAP_OK);
    }
    kap_ancova *a = NULL;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, cols, cols + SIM_MAX, arm, n, 2, 1,
                                         cov, q, fac, 0.95, &e), KAP_OK);
    CU_ASSERT_EQUAL((double)kap_lm_nobs(kap_ancova_model(a)), ref("ad_nobs"));
    kap_result r;
    for (int32_t l = 0; l < 2; l++) {
        CU_ASSERT_EQUAL(kap_ancova_lsmean(&r, a, l, &e), KAP_OK);
        KT_ASSERT_REL(r.estimate, refi("ad_lsm", (size_t)l), RTOL);
        KT_ASSERT_REL(r.se, refi("ad_lsm_se", (size_t)l), RTOL);
        KT_ASSERT_REL(r.ci_low, refi("ad_lsm_lo", (size_t)l), RTOL);
        KT_ASSERT_REL(r.ci_high, refi("ad_lsm_hi", (size_t)l), RTOL);
    }
    CU_ASSERT_EQUAL(kap_ancova_diff(&r, a, 0, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, ref("ad_diff"), RTOL);
    KT_ASSERT_REL(r.se, ref("ad_diff_se"), RTOL);
    KT_ASSERT_REL(r.statistic, ref("ad_diff_t"), RTOL);
    KT_ASSERT_REL(r.p_value, ref("ad_diff_p"), RTOL);
    KT_ASSERT_REL(r.ci_low, ref("ad_diff_lo"), RTOL);
    KT_ASSERT_REL(r.ci_high, ref("ad_diff_hi"), RTOL);
    KT_ASSERT_REL(r.df, ref("ad_df"), 0);
    CU_ASSERT_EQUAL(r.n1 + r.n2, 129);
    kap_ancova_free(a);
    free(cov);
    free(cols);
}

static void test_ancova_edge(void)
{
    double y[8] = {1, 2, 3, 4, 5, 6, 7, 8.5};
    double b[8] = {2, 1, 4, 3, 6, 5, 8, 7};
    int32_t arm[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    kap_ancova *a = NULL;
    kap_error e;
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 1, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EDATA);
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 2, NULL, 0, NULL, 0.95, &e),
                    KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, -1, NULL, 0, NULL, 0.95, &e),
                    KAP_EINVAL);
    /* arm 2 declared but absent */
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 3, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EDATA);
    CU_ASSERT(strstr(e.message, "arm 2 has no usable rows") != NULL);
    int32_t bad[8] = {0, 1, 0, 1, 0, 5, 0, 1};
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, bad, 8, 2, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 0, NULL, 1, NULL, 0.95, &e),
                    KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, NULL, b, arm, 8, 2, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 0, NULL, 0, NULL, 1.5, &e),
                    KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ancova_fit(NULL, y, b, arm, 8, 2, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EINVAL);
    double cv[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    int32_t negf = -1;
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 0, cv, 1, &negf, 0.95, &e),
                    KAP_EINVAL);
    /* constant covariate: collinear with the intercept */
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 0, cv, 1, NULL, 0.95, &e),
                    KAP_ENUMERIC);
    CU_ASSERT(strstr(e.message, "ANCOVA (X columns: 0 = baseline") != NULL);
    CU_ASSERT(strstr(e.message, "column 2 of X is constant") != NULL);
    /* all rows of arm 1 missing (negative code or NaN outcome) */
    int32_t miss[8] = {0, -1, 0, -1, 0, 1, 0, 1};
    double ym[8] = {1, 2, 3, 4, 5, NAN, 7, NAN};
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, ym, b, miss, 8, 2, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EDATA);
    CU_ASSERT(strstr(e.message, "arm 1") != NULL);
    /* too few rows: 3 coefficients, 3 rows */
    CU_ASSERT_EQUAL(kap_ancova_fit(&a, y, b, arm, 3, 2, 0, NULL, 0, NULL, 0.95, &e),
                    KAP_EDATA);
    CU_ASSERT_PTR_NULL(a);
    /* minimal valid: 4 rows, df 1; difference equals the lm coefficient */
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, y, b, arm, 8, 2, 0, NULL, 0, NULL,
                                         0.95, &e), KAP_OK);
    kap_result r;
    CU_ASSERT_EQUAL(kap_ancova_diff(&r, a, 1, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, kap_lm_coef(kap_ancova_model(a), 2), 0);
    CU_ASSERT_EQUAL(r.n1, 4);
    CU_ASSERT_EQUAL(r.n2, 4);
    kap_ancova_free(a);
    kap_ancova_free(NULL);
    CU_ASSERT_PTR_NULL(kap_ancova_model(NULL));
    CU_ASSERT_EQUAL(kap_ancova_n_arms(NULL), 0);
}


/* ---- grouped fit (lm_cells.c) against the n-row QR ------------------------ */

static double lcg(unsigned long long *st)
{
    *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*st >> 11) * (1.0 / 9007199254740992.0);
}

/* |a - b| relative to scale (a coefficient against max(|b|, se)). */
static int close_to(double a, double b, double scale, double rtol)
{
    return fabs(a - b) <= rtol * scale;
}

/* Random designs y ~ x_1..x_q + arm * level (q = 0..2 continuous columns,
 * 2..6 levels, several magnitudes): the fit from per-cell statistics must
 * equal kap_lm_fit on the n x p design to 1e-10 (coefficients relative to
 * max(|b|, se)), and the nested F test of the interaction likewise. */
static void test_cells_vs_dense(void)
{
    unsigned long long st = 20261130;
    for (int trial = 0; trial < 120; trial++) {
        size_t n = 40 + (size_t)(lcg(&st) * 2000);
        size_t L = 2 + (size_t)(lcg(&st) * 5);
        size_t q = (size_t)(lcg(&st) * 3);
        double scale = pow(10.0, (double)((int)(lcg(&st) * 9) - 3));
        size_t kf = 1 + q + 1 + 2 * (L - 1), kr = kf - (L - 1);
        double *Xf = malloc(n * (kf - 1) * sizeof *Xf);
        double *Xr = malloc(n * (kr - 1) * sizeof *Xr);
        double *y = malloc(n * sizeof *y);
        double *Df = calloc(2 * L * kf, sizeof *Df), *Dr = calloc(2 * L * kr, sizeof *Dr);
        kap_lm_cells cs;
        CU_ASSERT_EQUAL_FATAL(kap_lm_cells_init(&cs, 2 * L, q, NULL), KAP_OK);
        for (size_t i = 0; i < n; i++) {
            int a = lcg(&st) < 0.5;
            size_t l = (size_t)(lcg(&st) * (double)L);
            double x[3];
            double *rf = Xf + i * (kf - 1), *rr = Xr + i * (kr - 1);
            size_t j = 0;
            for (size_t t = 0; t < q; t++)
                rf[j++] = x[t] = scale * (20.0 + 8.0 * lcg(&st) + (double)t);
            rf[j++] = a;
            for (size_t ll = 1; ll < L; ll++)
                rf[j++] = l == ll;
            memcpy(rr, rf, (kr - 1) * sizeof *rr);
            for (size_t ll = 1; ll < L; ll++)
                rf[j++] = (double)(l == ll) * a;
            y[i] = scale * (5.0 + (q ? 0.4 * x[0] / scale : 0) + 2.0 * a + 0.3 * (double)l +
                            0.2 * a * (double)l + 4.0 * lcg(&st));
            /* NaN rows are dropped by both paths */
            if (i % 97 == 5) {
                y[i] = NAN;
                continue;
            }
            kap_lm_cells_add(&cs, 2 * l + (size_t)a, x, y[i]);
        }
        cs.nrows = n;
        for (size_t l = 0; l < L; l++)
            for (int a = 0; a < 2; a++) {
                double *df = Df + (2 * l + (size_t)a) * kf, *dr = Dr + (2 * l + (size_t)a) * kr;
                size_t j = 1 + q;
                df[0] = dr[0] = 1;
                df[j] = dr[j] = a;
                for (size_t ll = 1; ll < L; ll++)
                    df[j + ll] = dr[j + ll] = l == ll;
                for (size_t ll = 1; ll < L; ll++)
                    df[j + (L - 1) + ll] = (double)(l == ll) * a;
            }
        size_t xcol[2] = {1, 2};
        kap_lm *d0 = NULL, *d1 = NULL, *g0 = NULL, *g1 = NULL;
        int ok = kap_lm_fit(&d1, y, Xf, n, kf - 1, 1, 0.95, NULL) == KAP_OK &&
                 kap_lm_fit(&d0, y, Xr, n, kr - 1, 1, 0.95, NULL) == KAP_OK;
        if (ok) {
            CU_ASSERT_EQUAL_FATAL(kap_lm_cells_fit(&g1, &cs, Df, kf, xcol, 0.95, NULL), KAP_OK);
            CU_ASSERT_EQUAL_FATAL(kap_lm_cells_fit(&g0, &cs, Dr, kr, xcol, 0.95, NULL), KAP_OK);
            CU_ASSERT_EQUAL(kap_lm_nobs(g1), kap_lm_nobs(d1));
            CU_ASSERT_EQUAL(kap_lm_df(g1), kap_lm_df(d1));
            for (size_t j = 0; j < kf; j++) {
                double se = kap_lm_se(d1, j), b = kap_lm_coef(d1, j);
                double sc = fabs(b) > se ? fabs(b) : se;
                CU_ASSERT(close_to(kap_lm_coef(g1, j), b, sc, 1e-10));
                CU_ASSERT(close_to(kap_lm_se(g1, j), se, se, 1e-10));
                CU_ASSERT(close_to(kap_lm_t(g1, j), kap_lm_t(d1, j), 1 + fabs(kap_lm_t(d1, j)), 1e-10));
                for (size_t l = 0; l < kf; l++) {
                    double v = kap_lm_vcov(d1, j, l);
                    double s2 = sqrt(kap_lm_vcov(d1, j, j) * kap_lm_vcov(d1, l, l));
                    CU_ASSERT(close_to(kap_lm_vcov(g1, j, l), v, s2, 1e-10));
                }
            }
            KT_ASSERT_REL(kap_lm_rss(g1), kap_lm_rss(d1), 1e-12);
            KT_ASSERT_REL(kap_lm_sigma(g1), kap_lm_sigma(d1), 1e-12);
            KT_ASSERT_REL(kap_lm_r_squared(g1), kap_lm_r_squared(d1), 1e-12);
            KT_ASSERT_REL(kap_lm_adj_r_squared(g1), kap_lm_adj_r_squared(d1), 1e-12);
            kap_result fd, fg, cd, cg;
            CU_ASSERT_EQUAL(kap_lm_f_test(&fd, d1, NULL), KAP_OK);
            CU_ASSERT_EQUAL(kap_lm_f_test(&fg, g1, NULL), KAP_OK);
            KT_ASSERT_REL(fg.statistic, fd.statistic, 1e-10);
            CU_ASSERT_EQUAL(fg.df, fd.df);
            CU_ASSERT_EQUAL(kap_lm_compare(&cd, d0, d1, NULL), KAP_OK);
            CU_ASSERT_EQUAL(kap_lm_compare(&cg, g0, g1, NULL), KAP_OK);
            /* F of nested models: the difference of two RSS, so relative to
             * the RSS rather than to the difference */
            CU_ASSERT(close_to(cg.estimate, cd.estimate, kap_lm_rss(d1), 1e-12));
            CU_ASSERT(close_to(cg.p_value, cd.p_value, 1.0, 1e-8));
            CU_ASSERT_EQUAL(cg.df, cd.df);
            CU_ASSERT_EQUAL(cg.df2, cd.df2);
            /* a grouped fit is not compared with an n-row one */
            CU_ASSERT_EQUAL(kap_lm_compare(&cg, d0, g1, NULL), KAP_EINVAL);
            CU_ASSERT_PTR_NULL(kap_lm_residuals(g1));
        }
        kap_lm_free(d0);
        kap_lm_free(d1);
        kap_lm_free(g0);
        kap_lm_free(g1);
        kap_lm_cells_clear(&cs);
        free(Xf);
        free(Xr);
        free(y);
        free(Df);
        free(Dr);
    }
}

/* ANCOVA (grouped fit) of outcomes at 2^600 and baselines at 2^500: the
 * same answer as unscaled data, scaled exactly (kap_lm_fit's own magnitude guarantee). */
static void test_ancova_magnitudes(void)
{
    double y[12], b[12], ys[12], bs[12];
    int32_t arm[12];
    unsigned long long st = 7;
    for (int i = 0; i < 12; i++) {
        arm[i] = i % 3;
        b[i] = 20 + 10 * lcg(&st);
        y[i] = -5 + 0.5 * b[i] - 3.0 * arm[i] + 2 * lcg(&st);
        ys[i] = ldexp(y[i], 600);
        bs[i] = ldexp(b[i], 500);
    }
    kap_ancova *a = NULL, *s = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&a, y, b, arm, 12, 3, 0, NULL, 0, NULL, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_ancova_fit(&s, ys, bs, arm, 12, 3, 0, NULL, 0, NULL, 0.95, NULL), KAP_OK);
    const kap_lm *m = kap_ancova_model(a), *ms = kap_ancova_model(s);
    for (size_t j = 0; j < kap_lm_ncoef(m); j++) {
        int e = j == 1 ? 100 : 600;
        KT_ASSERT_REL(ldexp(kap_lm_coef(ms, j), -e), kap_lm_coef(m, j), 1e-13);
        KT_ASSERT_REL(ldexp(kap_lm_se(ms, j), -e), kap_lm_se(m, j), 1e-13);
        KT_ASSERT_REL(kap_lm_p(ms, j), kap_lm_p(m, j), 1e-12);
    }
    KT_ASSERT_REL(ldexp(kap_lm_sigma(ms), -600), kap_lm_sigma(m), 1e-13);
    kap_result r1, r2;
    CU_ASSERT_EQUAL(kap_ancova_lsmean(&r1, a, 1, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_ancova_lsmean(&r2, s, 1, NULL), KAP_OK);
    KT_ASSERT_REL(ldexp(r2.estimate, -600), r1.estimate, 1e-13);
    KT_ASSERT_REL(ldexp(r2.se, -600), r1.se, 1e-13);
    /* residuals and fitted values of the rows used */
    const double *res = kap_lm_residuals(m), *fit = kap_lm_fitted(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    for (size_t u = 0; u < kap_lm_nobs(m); u++)
        CU_ASSERT(fabs(res[u] + fit[u] - y[kap_lm_rows(m)[u]]) <= 1e-12 * fabs(y[kap_lm_rows(m)[u]]) + 1e-12);
    kap_ancova_free(a);
    kap_ancova_free(s);
}

#ifdef KAP_FAULT_INJECTION
/* Every allocation failure gives KAP_ENOMEM (no leak: run under ASan). */
static void test_fault_sweep(void)
{
    double X[28];
    design2(X, X1, X2, 14);
    int32_t arm[14] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
    for (unsigned long at = 1; at < 200; at++) {
        kap_lm *m = NULL;
        kap_test_fail_alloc_at(at);
        int rc = kap_lm_fit(&m, Y, X, 14, 2, 1, 0.95, NULL);
        unsigned long used = kap_test_fail_alloc_at(0);
        CU_ASSERT(rc == KAP_OK || rc == KAP_ENOMEM);
        kap_lm_free(m);
        if (rc == KAP_OK && used < at)
            break;
    }
    for (unsigned long at = 1; at < 400; at++) {
        kap_ancova *a = NULL;
        kap_test_fail_alloc_at(at);
        int rc = kap_ancova_fit(&a, Y, X2, arm, 14, 3, 0, NULL, 0, NULL, 0.95, NULL);
        kap_result r;
        if (rc == KAP_OK)
            rc = kap_ancova_lsmean(&r, a, 1, NULL);
        unsigned long used = kap_test_fail_alloc_at(0);
        CU_ASSERT(rc == KAP_OK || rc == KAP_ENOMEM);
        kap_ancova_free(a);
        if (rc == KAP_OK && used < at)
            break;
    }
}
#endif

int main(void)
{
    CU_TestInfo tests[] = {
        {"lm vs R: y ~ x1 + x2 with NaN rows", test_lm_basic},
        {"lm vs R: no intercept", test_lm_no_intercept},
        {"lm vs R: simple, intercept only", test_lm_simple_and_intercept_only},
        {"nested F test vs anova(m0, m1)", test_lm_compare},
        {"linear contrast", test_lm_contrast},
        {"extreme magnitudes", test_lm_magnitudes},
        {"NIST StRD regression LRE", test_nist},
        {"NIST StRD regression, y * 2^+-664", test_nist_scaled},
        {"ill-conditioned designs refused", test_ill_conditioned},
        {"lm edge cases and errors", test_lm_edge},
        {"treatment dummies", test_dummies},
        {"ANCOVA vs emmeans (simulated)", test_ancova_sim},
        {"ANCOVA vs emmeans (antidepressant trial)", test_ancova_real},
        {"ANCOVA edge cases and errors", test_ancova_edge},
        {"OLS from per-cell statistics vs n-row QR", test_cells_vs_dense},
        {"ANCOVA at extreme magnitudes", test_ancova_magnitudes},
#ifdef KAP_FAULT_INJECTION
        {"allocation failures", test_fault_sweep},
#endif
        CU_TEST_INFO_NULL};
    return kt_main("linear_model", tests);
}
