/* tests/test_ttest.c - Welch, Student, paired and one-sample t tests
 * against R 4.2 stats::t.test (tests/reference/ttest.R -> ttest.out). */
#include "kap_test.h"
#include "internal.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

#define REF "ttest.out"

static const double A_x[] = {5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7};
static const double A_y[] = {4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0};
static const double H_x[] = {-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13};
static const double H_y[] = {-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4};
static const double T_x[] = {2, 2, 2, 3, 3};
static const double T_y[] = {1, 1, 2, 2, 2};
static const double N2_x[] = {1, 3};
static const double N2_y[] = {2, 5};
static const double N1_x[] = {4};
static const double N1_y[] = {1, 2, 4.5};
static const double P_post[] = {14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NAN, 17};
static const double P_pre[] = {24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NAN};

#define N(a) (sizeof(a) / sizeof *(a))

/* Compare every field of r with "<tag>_<field>" in ttest.out: closed forms
 * (estimate, se, t, df) at 1e-12, p and CI (GSL t distribution) at 1e-9. */
static void check(const char *tag, const kap_result *r)
{
    char name[128];
#define REFV(f) (snprintf(name, sizeof name, "%s_%s", tag, f), kt_ref(REF, name))
    KT_ASSERT_REL(r->estimate, REFV("estimate"), 1e-12);
    KT_ASSERT_REL(r->se, REFV("se"), 1e-12);
    KT_ASSERT_REL(r->statistic, REFV("t"), 1e-12);
    KT_ASSERT_REL(r->df, REFV("df"), 1e-12);
    KT_ASSERT_REL(r->p_value, REFV("p"), 1e-9);
    KT_ASSERT_REL(r->ci_low, REFV("ci_low"), 1e-9);
    KT_ASSERT_REL(r->ci_high, REFV("ci_high"), 1e-9);
#undef REFV
    CU_ASSERT_PTR_NULL(r->note);
    KT_ASSERT_NAN(r->df2);
}

static void two(const char *tag, const double *x, size_t nx, const double *y,
                size_t ny, int var_equal, kap_alternative alt, double mu,
                double conf)
{
    kap_ttest_options o = KAP_TTEST_OPTIONS_INIT;
    o.var_equal = var_equal;
    o.alternative = alt;
    o.mu = mu;
    o.conf_level = conf;
    kap_result r;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_ttest_two(&r, x, 1, nx, y, 1, ny, &o, &e), KAP_OK);
    check(tag, &r);
    /* The summary form: the same result, bit for bit. */
    kap_two_summary s;
    kap_result r2;
    CU_ASSERT_EQUAL_FATAL(kap_describe_two(&s, x, 1, nx, y, 1, ny, &e), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_ttest_two_summary(&r2, &s, &o, &e), KAP_OK);
    CU_ASSERT(kt_same_result(&r, &r2));
    CU_ASSERT_EQUAL(r.conf_level, conf);
    CU_ASSERT_STRING_EQUAL(r.method, var_equal ? "Two Sample t-test"
                                               : "Welch Two Sample t-test");
}

static void test_two_sample(void)
{
    double big_x[8], big_y[7], tiny_x[8], tiny_y[7];
    for (int i = 0; i < 8; i++) {
        big_x[i] = A_x[i] * 1e150;
        tiny_x[i] = A_x[i] * 1e-150;
    }
    for (int i = 0; i < 7; i++) {
        big_y[i] = A_y[i] * 1e150;
        tiny_y[i] = A_y[i] * 1e-150;
    }
    struct {
        const char *name;
        const double *x, *y;
        size_t nx, ny;
    } sets[] = {{"A", A_x, A_y, N(A_x), N(A_y)},
                {"H", H_x, H_y, N(H_x), N(H_y)},
                {"T", T_x, T_y, N(T_x), N(T_y)},
                {"N2", N2_x, N2_y, N(N2_x), N(N2_y)},
                {"BIG", big_x, big_y, 8, 7},
                {"TINY", tiny_x, tiny_y, 8, 7}};
    for (size_t i = 0; i < N(sets); i++) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s_welch", sets[i].name);
        two(tag, sets[i].x, sets[i].nx, sets[i].y, sets[i].ny, 0, KAP_TWO_SIDED, 0, 0.95);
        snprintf(tag, sizeof tag, "%s_student", sets[i].name);
        two(tag, sets[i].x, sets[i].nx, sets[i].y, sets[i].ny, 1, KAP_TWO_SIDED, 0, 0.95);
    }
    two("A_welch_less90", A_x, 8, A_y, 7, 0, KAP_LESS, 0, 0.9);
    two("A_welch_greater90", A_x, 8, A_y, 7, 0, KAP_GREATER, 0, 0.9);
    two("A_student_mu_greater", A_x, 8, A_y, 7, 1, KAP_GREATER, 0.5, 0.95);
    two("H_welch_mu99", H_x, N(H_x), H_y, N(H_y), 0, KAP_TWO_SIDED, -2, 0.99);
    two("H_welch_less", H_x, N(H_x), H_y, N(H_y), 0, KAP_LESS, 0, 0.95);
    two("N1_student", N1_x, 1, N1_y, 3, 1, KAP_TWO_SIDED, 0, 0.95);

    /* n1/n2 report the values used (NaN dropped) */
    kap_result r;
    CU_ASSERT_EQUAL(kap_ttest_two(&r, H_x, 1, N(H_x), H_y, 1, N(H_y), NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n1, 12);
    CU_ASSERT_EQUAL(r.n2, 11);
    /* one-sided CIs are open on one side */
    kap_ttest_options o = KAP_TTEST_OPTIONS_INIT;
    o.alternative = KAP_LESS;
    CU_ASSERT_EQUAL(kap_ttest_two(&r, A_x, 1, 8, A_y, 1, 7, &o, NULL), KAP_OK);
    CU_ASSERT(isinf(r.ci_low) && r.ci_low < 0);
}

static void test_one_and_paired(void)
{
    kap_ttest_options o = KAP_TTEST_OPTIONS_INIT;
    kap_result r;
    o.mu = 5;
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, NULL), KAP_OK);
    check("A_one_mu5", &r);
    CU_ASSERT_STRING_EQUAL(r.method, "One Sample t-test");
    o.mu = 5.8;
    o.alternative = KAP_LESS;
    o.conf_level = 0.8;
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, NULL), KAP_OK);
    check("A_one_less", &r);
    CU_ASSERT_EQUAL(kap_ttest_one(&r, H_x, 1, N(H_x), NULL, NULL), KAP_OK);
    check("H_one", &r);
    CU_ASSERT_EQUAL(r.n1, 12);

    CU_ASSERT_EQUAL(kap_ttest_paired(&r, P_post, 1, P_pre, 1, N(P_pre), NULL, NULL), KAP_OK);
    check("P_paired", &r);
    CU_ASSERT_EQUAL(r.n1, 10); /* two incomplete pairs dropped */
    CU_ASSERT_EQUAL(r.n2, 10);
    CU_ASSERT_STRING_EQUAL(r.method, "Paired t-test");
    o = (kap_ttest_options)KAP_TTEST_OPTIONS_INIT;
    o.mu = -8;
    o.alternative = KAP_GREATER;
    o.conf_level = 0.9;
    CU_ASSERT_EQUAL(kap_ttest_paired(&r, P_post, 1, P_pre, 1, N(P_pre), &o, NULL), KAP_OK);
    check("P_paired_mu_greater", &r);
    CU_ASSERT(isinf(r.ci_high) && r.ci_high > 0);
    CU_ASSERT_EQUAL(kap_ttest_paired(&r, T_x, 1, T_y, 1, 5, NULL, NULL), KAP_OK);
    check("T_paired", &r);

    /* strided paired data: columns of a row-major n x 2 table */
    double tab[24];
    for (int i = 0; i < 12; i++) {
        tab[2 * i] = P_post[i];
        tab[2 * i + 1] = P_pre[i];
    }
    CU_ASSERT_EQUAL(kap_ttest_paired(&r, tab, 2, tab + 1, 2, 12, NULL, NULL), KAP_OK);
    check("P_paired", &r);
}

static void test_edge_cases(void)
{
    kap_result r;
    const double nan2[] = {NAN, NAN};
    const double one[] = {3.0};
    const double c3[] = {2.5, 2.5, 2.5};
    /* n = 0 / all NaN */
    CU_ASSERT_EQUAL(kap_ttest_one(&r, NULL, 1, 0, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_ttest_two(&r, nan2, 1, 2, A_y, 1, 7, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n1, 0);
    KT_ASSERT_NAN(r.estimate);
    KT_ASSERT_NAN(r.statistic);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* n = 1: estimate only */
    CU_ASSERT_EQUAL(kap_ttest_one(&r, one, 1, 1, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 3.0);
    KT_ASSERT_NAN(r.se);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Welch with n1 = 1 (R: "not enough 'x' observations") */
    CU_ASSERT_EQUAL(kap_ttest_two(&r, one, 1, 1, A_y, 1, 7, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.statistic);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Student with 1 + 1 observations */
    kap_ttest_options o = KAP_TTEST_OPTIONS_INIT;
    o.var_equal = 1;
    CU_ASSERT_EQUAL(kap_ttest_two(&r, one, 1, 1, one, 1, 1, &o, NULL), KAP_OK);
    KT_ASSERT_NAN(r.statistic);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* zero variance in both groups (R: "data are essentially constant") */
    CU_ASSERT_EQUAL(kap_ttest_two(&r, c3, 1, 3, one, 1, 1, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, -0.5);
    CU_ASSERT_EQUAL(r.se, 0.0);
    KT_ASSERT_NAN(r.statistic);
    KT_ASSERT_NAN(r.p_value);
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_ttest_one(&r, c3, 1, 3, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* identical groups: t = 0, p = 1, symmetric CI */
    CU_ASSERT_EQUAL(kap_ttest_two(&r, A_x, 1, 8, A_x, 1, 8, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.statistic, 0.0);
    KT_ASSERT_REL(r.p_value, 1.0, 1e-15);
    CU_ASSERT_EQUAL(r.ci_low, -r.ci_high);
    /* a tiny spread on a huge level: R would stop (constant data) */
    const double lvl[] = {1e20, 1e20, 1e20 + 16384.0};
    CU_ASSERT_EQUAL(kap_ttest_one(&r, lvl, 1, 3, NULL, NULL), KAP_OK);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* values near DBL_MAX: estimate and SE finite, t well defined */
    const double hx[] = {1.0e308, 1.2e308, 1.1e308}, hy[] = {-1.0e308, -1.2e308, -1.1e308};
    CU_ASSERT_EQUAL(kap_ttest_two(&r, hx, 1, 3, hy, 1, 3, NULL, NULL), KAP_OK);
    CU_ASSERT(isinf(r.estimate)); /* 2.2e308 is not representable */
    /* SD of each group 1e307, Welch SE 1e307 sqrt(2/3) */
    KT_ASSERT_REL(r.se, 1e307 * sqrt(2.0 / 3.0), 1e-14);
    KT_ASSERT_REL(r.statistic, 22.0 / sqrt(2.0 / 3.0), 1e-14);
    KT_ASSERT_REL(r.df, 4.0, 1e-12);
}

static void test_errors(void)
{
    kap_result r;
    kap_error e;
    kap_ttest_options o = KAP_TTEST_OPTIONS_INIT;
    CU_ASSERT_EQUAL(kap_ttest_two(NULL, A_x, 1, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_two(&r, NULL, 1, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_two(&r, A_x, 0, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_paired(&r, A_x, 1, NULL, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 0, 8, NULL, &e), KAP_EINVAL);
    double cls[] = {0.0, 1.0, -0.5, 1.5, NAN};
    for (size_t i = 0; i < N(cls); i++) {
        o.conf_level = cls[i];
        CU_ASSERT_EQUAL(kap_ttest_two(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
        CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, &e), KAP_EINVAL);
        CU_ASSERT_EQUAL(kap_ttest_paired(&r, A_x, 1, A_y, 1, 7, &o, &e), KAP_EINVAL);
    }
    o = (kap_ttest_options)KAP_TTEST_OPTIONS_INIT;
    o.alternative = (kap_alternative)7;
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, &e), KAP_EINVAL);
    o = (kap_ttest_options)KAP_TTEST_OPTIONS_INIT;
    o.version = 99;
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "version"));
    o = (kap_ttest_options)KAP_TTEST_OPTIONS_INIT;
    o.mu = NAN;
    CU_ASSERT_EQUAL(kap_ttest_one(&r, A_x, 1, 8, &o, &e), KAP_EINVAL);
    const double inf[] = {1, 2, -INFINITY};
    CU_ASSERT_EQUAL(kap_ttest_one(&r, inf, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "x[2]"));
    CU_ASSERT_EQUAL(kap_ttest_two(&r, A_x, 1, 8, inf, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "y[2]"));
    CU_ASSERT_EQUAL(kap_ttest_paired(&r, A_x, 1, inf, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(e.code, KAP_EINVAL);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"two-sample Welch/Student vs R t.test", test_two_sample},
        {"one-sample and paired vs R t.test", test_one_and_paired},
        {"edge cases", test_edge_cases},
        {"error paths", test_errors},
        CU_TEST_INFO_NULL};
    return kt_main("ttest", tests);
}
