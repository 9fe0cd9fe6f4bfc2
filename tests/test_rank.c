/* tests/test_rank.c - rank tests and rank effect sizes against R 4.2
 * (stats::wilcox.test, kruskal.test) and effectsize 0.8.3 (rank_biserial,
 * cliffs_delta, p_superiority); reference values in
 * tests/reference/rank.out from tests/reference/rank.R (same data inline). */
#include "kap_test.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define REF "rank.out"
#define TOL 1e-9      /* closed forms, exact distributions, order statistics */
#define TOL_IT 1e-6   /* Hodges-Lehmann roots in the normal branch */

static double ref(const char *prefix, const char *suffix)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%s", prefix, suffix);
    return kt_ref(REF, name);
}

/* A uniroot result R reports as ~1e-14 for a jump point at 0 is compared
 * absolutely; everything else relatively. */
static void assert_root(double got, double want, double rtol)
{
    if (isfinite(want) && fabs(want) < 1e-9) {
        if (!(fabs(got - want) <= 1e-9))
            kt_report_rel(__FILE__, __LINE__, "root", got, want, rtol);
        CU_ASSERT(fabs(got - want) <= 1e-9);
    } else {
        KT_ASSERT_REL(got, want, rtol);
    }
}

/* statistic and p (and, with ci, estimate, limits, level) against R */
static void check_w(const char *prefix, const kap_result *r, int ci, int est_unique)
{
    KT_ASSERT_REL(r->statistic, ref(prefix, "stat"), TOL);
    KT_ASSERT_REL(r->p_value, ref(prefix, "p"), TOL);
    if (!ci)
        return;
    if (est_unique)
        KT_ASSERT_REL(r->estimate, ref(prefix, "est"), TOL_IT);
    assert_root(r->ci_low, ref(prefix, "lo"), TOL_IT);
    assert_root(r->ci_high, ref(prefix, "hi"), TOL_IT);
    KT_ASSERT_REL(r->conf_level, ref(prefix, "level"), TOL);
}

/* Normal branch with a possibly non-unique R estimate: ours is the HL
 * median and R's lies between the two middle values. */
static void check_hl(const char *set, const char *prefix, const kap_result *r)
{
    KT_ASSERT_REL(r->estimate, ref(set, "hl_median"), TOL);
    double rest = ref(prefix, "est");
    double lo = ref(set, "mid_lo"), hi = ref(set, "mid_hi");
    double slack = 1e-9 * (1 + fabs(rest));
    CU_ASSERT(rest >= lo - slack && rest <= hi + slack);
}

static kap_rank_options opts(kap_alternative alt, kap_rank_method m, int correct,
                             int ci, double level, double mu)
{
    kap_rank_options o = KAP_RANK_OPTIONS_INIT;
    o.alternative = alt;
    o.method = m;
    o.correct = correct;
    o.conf_int = ci;
    o.conf_level = level;
    o.mu = mu;
    return o;
}

/* ---- data (same as rank.R) --------------------------------------------- */
static const double mw1x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
static const double mw1y[] = {1.15, 0.88, 0.90, 0.74, 1.21};
static const double mw2x[] = {-12, -8, -15, -3, -8, -20, -11, -5, -9, -14, -8, -2};
static const double mw2y[] = {-4, -6, -1, -8, 0, -3, -7, -5, -2, -9, -3};
static const double sr1x[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
static const double sr1y[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
static const double sr2x[] = {30, 25, 28, 33, 21, 27, 30, 35, 24, 26, 31, 29};
static const double sr2y[] = {34, 25, 35, 33, 29, 30, 36, 35, 30, 31, 30, 34};
#define N(a) (sizeof(a) / sizeof *(a))

static double mw3x[50], mw3y[48], mw4x[60], mw4y[70], sr3d[60];

static void make_data(void)
{
    for (int i = 1; i <= 50; i++)
        mw3x[i - 1] = sin((double)i) * 10 + 0.1 * i;
    for (int j = 1; j <= 48; j++)
        mw3y[j - 1] = cos((double)j) * 10 + 0.5;
    for (int i = 1; i <= 60; i++)
        mw4x[i - 1] = nearbyint(10 * sin(i * 1.3) + 2);
    for (int j = 1; j <= 70; j++)
        mw4y[j - 1] = nearbyint(10 * cos(j * 0.7));
    for (int i = 1; i <= 60; i++)
        sr3d[i - 1] = sin((double)i) * 5 + 1;
}

/* ---- Mann-Whitney ------------------------------------------------------ */

static void test_mw_exact(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_exact", &r, 1, 1);
    CU_ASSERT_STRING_EQUAL(r.method, "Wilcoxon rank sum exact test");
    CU_ASSERT_EQUAL(r.n1, 10);
    CU_ASSERT_EQUAL(r.n2, 5);
    o.alternative = KAP_LESS;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_exact_less", &r, 1, 1);
    o.alternative = KAP_GREATER;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_exact_greater", &r, 1, 1);
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.9, 0.33);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_exact_mu", &r, 1, 1);
    /* level not achievable: conf_level reports the achieved one */
    const double sx[] = {1.5, 2.5}, sy[] = {0.1, 0.7, 1.1};
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, sx, 2, sy, 3, &o, NULL), KAP_OK);
    check_w("mw_small", &r, 1, 1);
    /* defaults (opt = NULL): exact, no CI */
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), NULL, NULL), KAP_OK);
    check_w("mw1_exact", &r, 0, 0);
    KT_ASSERT_NAN(r.estimate);
    KT_ASSERT_NAN(r.ci_low);
    KT_ASSERT_NAN(r.df);
}

static void test_mw_normal(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_ASYMPTOTIC, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_cc", &r, 1, 0);
    check_hl("mw1", "mw1_cc", &r);
    CU_ASSERT_STRING_EQUAL(r.method, "Wilcoxon rank sum test with continuity correction");
    o.correct = 0;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_nocc", &r, 1, 0);
    CU_ASSERT_STRING_EQUAL(r.method, "Wilcoxon rank sum test");
    o.correct = 1;
    o.alternative = KAP_LESS;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_cc_less", &r, 1, 0);
    o.alternative = KAP_GREATER;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, N(mw1x), mw1y, N(mw1y), &o, NULL), KAP_OK);
    check_w("mw1_cc_greater", &r, 1, 0);

    /* ties: AUTO falls back to the normal approximation with a note */
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw2x, N(mw2x), mw2y, N(mw2y), &o, NULL), KAP_OK);
    check_w("mw2_cc", &r, 1, 1);
    check_hl("mw2", "mw2_cc", &r);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    o.correct = 0;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw2x, N(mw2x), mw2y, N(mw2y), &o, NULL), KAP_OK);
    check_w("mw2_nocc", &r, 1, 1);
    o = opts(KAP_LESS, KAP_RANK_EXACT, 1, 1, 0.95, 0);  /* exact requested, ties */
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw2x, N(mw2x), mw2y, N(mw2y), &o, NULL), KAP_OK);
    check_w("mw2_cc_less", &r, 1, 1);
    o = opts(KAP_GREATER, KAP_RANK_AUTO, 1, 1, 0.9, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw2x, N(mw2x), mw2y, N(mw2y), &o, NULL), KAP_OK);
    check_w("mw2_cc_greater", &r, 1, 1);

    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw4x, 60, mw4y, 70, &o, NULL), KAP_OK);
    check_w("mw4_cc", &r, 1, 1);
    check_hl("mw4", "mw4_cc", &r);
}

/* n1 = 49, n2 = 48: exact distribution, must be fast; n1 = 50 switches to
 * the normal approximation; exact forced at 50 x 48. */
static void test_mw_large(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    clock_t t0 = clock();
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw3x, 49, mw3y, 48, &o, NULL), KAP_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CU_ASSERT(secs < 1.0);
    check_w("mw3_exact", &r, 1, 1);
    o.alternative = KAP_GREATER;
    o.conf_int = 0;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw3x, 49, mw3y, 48, &o, NULL), KAP_OK);
    check_w("mw3_exact_greater", &r, 0, 0);
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw3x, 50, mw3y, 48, &o, NULL), KAP_OK);
    check_w("mw3_50", &r, 1, 0);
    check_hl("mw3_50", "mw3_50", &r);
    o = opts(KAP_TWO_SIDED, KAP_RANK_EXACT, 1, 0, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw3x, 50, mw3y, 48, &o, NULL), KAP_OK);
    check_w("mw3_50_exact", &r, 0, 0);
}

static void test_mw_edges(void)
{
    kap_result r;
    kap_error e;
    /* all values tied: NaN two-sided p with a note; one-sided p = 1 as R */
    const double t3[] = {3, 3, 3}, t2[] = {3, 3};
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, t3, 3, t2, 2, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.p_value);
    KT_ASSERT_NAN(ref("mw_tied", "p"));
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(r.statistic, 3);
    kap_rank_options o = opts(KAP_GREATER, KAP_RANK_AUTO, 1, 0, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, t3, 3, t2, 2, &o, NULL), KAP_OK);
    KT_ASSERT_REL(r.p_value, ref("mw_tied", "p_greater"), TOL);
    /* n1 = n2 = 1 */
    const double one = 2, other = 1;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, &one, 1, &other, 1, NULL, NULL), KAP_OK);
    check_w("mw_n11", &r, 0, 0);
    /* complete separation */
    const double sa[] = {10, 11, 12, 13}, sb[] = {1, 2, 3};
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, sa, 4, sb, 3, NULL, NULL), KAP_OK);
    check_w("mw_sep", &r, 0, 0);
    /* infinities and huge magnitudes are ordinary ranks */
    const double ia[] = {INFINITY, 1e300, -1e300}, ib[] = {-INFINITY, 0, 1e-300, 5};
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, ia, 3, ib, 4, NULL, NULL), KAP_OK);
    check_w("mw_inf", &r, 0, 0);
    /* NaN are dropped and counted out */
    double xn[12], yn[7];
    memcpy(xn, mw1x, sizeof mw1x);
    xn[10] = NAN;
    xn[11] = NAN;
    memcpy(yn, mw1y, sizeof mw1y);
    yn[5] = NAN;
    yn[6] = NAN;
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, xn, 12, yn, 7, &o, NULL), KAP_OK);
    check_w("mw1_exact", &r, 1, 1);
    CU_ASSERT_EQUAL(r.n1, 10);
    CU_ASSERT_EQUAL(r.n2, 5);
    /* errors */
    const double nan2[] = {NAN, NAN};
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, nan2, 2, mw1y, 5, NULL, &e), KAP_EDATA);
    CU_ASSERT_EQUAL(e.code, KAP_EDATA);
    KT_ASSERT_NAN(r.statistic);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, NULL, 0, NULL, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, NULL, 3, mw1y, 5, NULL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(NULL, mw1x, 10, mw1y, 5, NULL, NULL), KAP_EINVAL);
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 1.0, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL), KAP_EINVAL);
    o = opts((kap_alternative)7, KAP_RANK_AUTO, 1, 0, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL), KAP_EINVAL);
    o = opts(KAP_TWO_SIDED, (kap_rank_method)9, 1, 0, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL), KAP_EINVAL);
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 0, 0.95, NAN);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL), KAP_EINVAL);
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 0, 0.95, 0);
    o.version = 99;
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL), KAP_EINVAL);
}

/* An exact distribution beyond KAP_RANK_EXACT_MAX_STATES is refused. */
static void test_mw_exact_too_large(void)
{
    enum { BIG = 5000 };
    static double a[BIG], b[BIG];
    for (int i = 0; i < BIG; i++) {
        a[i] = i + 0.25;
        b[i] = i + 0.75;
    }
    kap_result r;
    kap_error e;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_EXACT, 1, 0, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, a, BIG, b, BIG, &o, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "KAP_RANK_EXACT_MAX") != NULL);
    /* within the memory cap but over the work cap (m = 100, n = 1600) */
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, a, 100, b, 1600, &o, NULL), KAP_EINVAL);
    /* signed rank: over the work cap */
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, a, NULL, 3000, &o, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "KAP_RANK_EXACT_MAX") != NULL);
    /* and a forced exact signed rank of moderate size is fine */
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, a, NULL, 300, &o, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(r.method, "Wilcoxon signed rank exact test");
    /* the normal approximation and the HL CI handle it (O(n) memory) */
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_mann_whitney(&r, a, BIG, b, BIG, &o, NULL), KAP_OK);
    /* differences a_i - b_j = (i - j) - 0.5: the median is -0.5 */
    KT_ASSERT_REL(r.estimate, -0.5, 1e-12);
    CU_ASSERT(r.ci_low < -0.5 && r.ci_high > -0.5);
    /* the CI limits are differences themselves: k - 0.5 for integer k */
    KT_ASSERT_REL(r.ci_low - floor(r.ci_low), 0.5, 1e-12);
}

/* ---- signed rank ------------------------------------------------------- */

static void test_sr(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_exact", &r, 1, 1);
    CU_ASSERT_STRING_EQUAL(r.method, "Wilcoxon signed rank exact test");
    CU_ASSERT_EQUAL(r.n1, 9);
    CU_ASSERT_EQUAL(r.n2, 0);
    o.alternative = KAP_GREATER;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_exact_greater", &r, 1, 1);
    o.alternative = KAP_LESS;
    o.conf_level = 0.9;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_exact_less", &r, 1, 1);
    o = opts(KAP_TWO_SIDED, KAP_RANK_ASYMPTOTIC, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_cc", &r, 1, 0);
    check_hl("sr1", "sr1_cc", &r);
    o.correct = 0;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_nocc", &r, 1, 0);
    o.correct = 1;
    o.alternative = KAP_GREATER;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_cc_greater", &r, 1, 0);
    o.alternative = KAP_LESS;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, sr1y, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_cc_less", &r, 1, 0);
    /* one sample against mu */
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 1.5);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, NULL, N(sr1x), &o, NULL), KAP_OK);
    check_w("sr1_mu", &r, 1, 1);

    /* ties and zero differences */
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr2x, sr2y, N(sr2x), &o, NULL), KAP_OK);
    check_w("sr2_cc", &r, 1, 0);
    check_hl("sr2", "sr2_cc", &r);
    CU_ASSERT_EQUAL(r.n1, 12);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    o.correct = 0;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr2x, sr2y, N(sr2x), &o, NULL), KAP_OK);
    check_w("sr2_nocc", &r, 1, 0);
    o.correct = 1;
    o.alternative = KAP_LESS;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr2x, sr2y, N(sr2x), &o, NULL), KAP_OK);
    check_w("sr2_cc_less", &r, 1, 0);
}

static void test_sr_large(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    clock_t t0 = clock();
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr3d, NULL, 49, &o, NULL), KAP_OK);
    CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    check_w("sr3_exact", &r, 1, 1);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr3d, NULL, 60, &o, NULL), KAP_OK);
    check_w("sr3_60", &r, 1, 0);
    check_hl("sr3_60", "sr3_60", &r);
    o.method = KAP_RANK_EXACT;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr3d, NULL, 60, &o, NULL), KAP_OK);
    check_w("sr3_60_exact", &r, 1, 1);
}

static void test_sr_edges(void)
{
    kap_result r;
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    /* level not achievable (exact): achieved level rounded as R */
    const double s3[] = {1.2, -0.4, 2.1};
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, s3, NULL, 3, &o, NULL), KAP_OK);
    check_w("sr_small_exact", &r, 1, 1);
    /* normal branch: R doubles alpha until achievable -> level 0 */
    const double s2[] = {1, 3};
    o.method = KAP_RANK_ASYMPTOTIC;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, s2, NULL, 2, &o, NULL), KAP_OK);
    check_w("sr_small_cc", &r, 1, 1);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* ties everywhere plus a zero */
    const double st[] = {2, 2, 2, -2, 0};
    o.method = KAP_RANK_AUTO;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, st, NULL, 5, &o, NULL), KAP_OK);
    check_w("sr_tied", &r, 1, 0);
    KT_ASSERT_REL(r.estimate, 2.0, TOL);
    KT_ASSERT_REL(ref("sr_tied", "est"), 2.0, 1e-9);
    CU_ASSERT_EQUAL(r.n1, 5);
    /* n = 1 */
    const double s1 = 4;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, &s1, NULL, 1, &o, NULL), KAP_OK);
    check_w("sr_n1", &r, 1, 1);
    /* all zero: V = 0, p NaN (as R), note */
    const double z3[] = {0, 0, 0};
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, z3, NULL, 3, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.statistic, 0);
    KT_ASSERT_NAN(r.p_value);
    KT_ASSERT_NAN(ref("sr_zero", "p"));
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* identical nonzero values after mu: midrange estimate, NaN CI */
    const double c3[] = {5, 5, 5};
    o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, c3, NULL, 3, &o, NULL), KAP_OK);
    KT_ASSERT_REL(r.estimate, 5.0, TOL);
    KT_ASSERT_NAN(r.ci_low);
    /* NaN pairs are dropped */
    double xx[11], yy[11];
    memcpy(xx, sr1x, sizeof sr1x);
    memcpy(yy, sr1y, sizeof sr1y);
    xx[9] = NAN;
    yy[9] = 1;
    xx[10] = 2;
    yy[10] = NAN;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, xx, yy, 11, &o, NULL), KAP_OK);
    check_w("sr1_exact", &r, 1, 1);
    CU_ASSERT_EQUAL(r.n1, 9);
    /* errors */
    const double nn[] = {NAN};
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, nn, NULL, 1, NULL, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, NULL, NULL, 0, NULL, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, NULL, NULL, 2, NULL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_signed_rank(NULL, sr1x, NULL, 2, NULL, NULL), KAP_EINVAL);
    o.conf_level = 0;
    CU_ASSERT_EQUAL(kap_rank_signed_rank(&r, sr1x, NULL, 9, &o, NULL), KAP_EINVAL);
}

/* ---- Kruskal-Wallis ---------------------------------------------------- */

static void test_kw(void)
{
    const double x1[] = {2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0};
    const int g1[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3};
    kap_result r;
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x1, g1, 14, NULL), KAP_OK);
    KT_ASSERT_REL(r.statistic, kt_ref(REF, "kw1_stat"), TOL);
    KT_ASSERT_REL(r.df, kt_ref(REF, "kw1_df"), TOL);
    KT_ASSERT_REL(r.p_value, kt_ref(REF, "kw1_p"), TOL);
    CU_ASSERT_EQUAL(r.n1, 14);
    const double x2[] = {12, 15, 12, 9, 20, 15, 15, 8, 7, 12, 30, 22, 25, 22, 9, 11, 12};
    const int g2[] = {-5, -5, -5, -5, 7, 7, 7, 100, 100, 100, 0, 0, 0, 0, 7, -5, 100};
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x2, g2, 17, NULL), KAP_OK);
    KT_ASSERT_REL(r.statistic, kt_ref(REF, "kw2_stat"), TOL);
    KT_ASSERT_REL(r.df, kt_ref(REF, "kw2_df"), TOL);
    KT_ASSERT_REL(r.p_value, kt_ref(REF, "kw2_p"), TOL);
    /* NaN values dropped with their group; a group emptied by NaN vanishes */
    double x3[17 + 2];
    int g3[17 + 2];
    memcpy(x3, x2, sizeof x2);
    memcpy(g3, g2, sizeof g2);
    x3[17] = NAN;
    g3[17] = 1;
    x3[18] = NAN;
    g3[18] = 0;
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x3, g3, 19, NULL), KAP_OK);
    KT_ASSERT_REL(r.statistic, kt_ref(REF, "kw2_stat"), TOL);
    KT_ASSERT_REL(r.df, 3.0, 0);
    CU_ASSERT_EQUAL(r.n1, 17);
    /* N = 2, two groups */
    const double x4[] = {1, 2};
    const int g4[] = {1, 2};
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x4, g4, 2, NULL), KAP_OK);
    KT_ASSERT_REL(r.statistic, kt_ref(REF, "kw_n2_stat"), TOL);
    KT_ASSERT_REL(r.p_value, kt_ref(REF, "kw_n2_p"), TOL);
    /* all tied: NaN (R: NaN) */
    const double t[] = {1, 1, 1, 1};
    const int tg[] = {1, 1, 2, 2};
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, t, tg, 4, NULL), KAP_OK);
    KT_ASSERT_NAN(r.statistic);
    KT_ASSERT_NAN(kt_ref(REF, "kw_tied_stat"));
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* errors */
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x1, g1, 5, NULL), KAP_EDATA); /* one group */
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x1, g1, 1, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x1, g1, 0, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(&r, x1, NULL, 3, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_kruskal_wallis(NULL, x1, g1, 3, NULL), KAP_EINVAL);
}

/* ---- effect sizes ------------------------------------------------------ */

static void check_es(const char *prefix, const kap_result *r)
{
    KT_ASSERT_REL(r->estimate, ref(prefix, "est"), TOL);
    KT_ASSERT_REL(r->ci_low, ref(prefix, "lo"), TOL);
    KT_ASSERT_REL(r->ci_high, ref(prefix, "hi"), TOL);
}

static void test_effect_sizes(void)
{
    kap_result r;
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, mw1x, N(mw1x), mw1y, N(mw1y), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rb1", &r);
    CU_ASSERT_EQUAL(r.conf_level, 0.95);
    CU_ASSERT_EQUAL(r.n1, 10);
    KT_ASSERT_NAN(r.p_value);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, mw1x, N(mw1x), mw1y, N(mw1y), 0.3, 0.9, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rb1_mu", &r);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, mw1x, N(mw1x), mw1y, N(mw1y), 0, 0.95, KAP_LESS, NULL), KAP_OK);
    check_es("rb1_less", &r);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, mw1x, N(mw1x), mw1y, N(mw1y), 0, 0.95, KAP_GREATER, NULL), KAP_OK);
    check_es("rb1_greater", &r);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, mw2x, N(mw2x), mw2y, N(mw2y), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rb2", &r);
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(&r, mw2x, N(mw2x), mw2y, N(mw2y), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("cd2", &r);
    CU_ASSERT_EQUAL(kap_rank_p_superiority(&r, mw2x, N(mw2x), mw2y, N(mw2y), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("ps2", &r);
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(&r, mw4x, 60, mw4y, 70, 0, 0.99, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("cd4", &r);
    /* separation: r = 1, degenerate CI */
    const double sa[] = {10, 11, 12, 13}, sb[] = {1, 2, 3};
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, sa, 4, sb, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rb_sep", &r);
    const double t3[] = {3, 3, 3}, t2[] = {3, 3};
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, t3, 3, t2, 2, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rb_tied", &r);

    /* paired */
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, sr1x, sr1y, N(sr1x), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rbp1", &r);
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, sr2x, sr2y, N(sr2x), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rbp2", &r);
    CU_ASSERT_EQUAL(r.n1, 12);
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, sr2x, sr2y, N(sr2x), 0, 0.95, KAP_GREATER, NULL), KAP_OK);
    check_es("rbp2_greater", &r);
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, sr1x, NULL, N(sr1x), 1.5, 0.8, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("rbp1_mu", &r);
    CU_ASSERT_EQUAL(kap_rank_p_superiority_paired(&r, sr2x, sr2y, N(sr2x), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    check_es("psp2", &r);
}

static void test_effect_size_edges(void)
{
    kap_result r;
    /* constant negative differences: -1 (effectsize 0.8.3 returns +1) */
    const double a[] = {1, 2, 3}, b[] = {3, 4, 5};
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, a, b, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, -1);
    CU_ASSERT_EQUAL(r.ci_low, -1);
    CU_ASSERT_EQUAL(r.ci_high, -1);
    /* all differences zero: NaN with a note */
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, a, a, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* n = 1 pair */
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, a, b, 1, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, -1);
    /* two-sample n = 1 each: r = +-1 and degenerate CI */
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, b, 1, a, 1, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 1);
    CU_ASSERT_EQUAL(r.ci_low, 1);
    /* Cliff's delta equals P(X>Y) - P(X<Y) by direct counting */
    double gt = 0, lt = 0;
    for (size_t i = 0; i < N(mw2x); i++)
        for (size_t j = 0; j < N(mw2y); j++) {
            gt += mw2x[i] > mw2y[j];
            lt += mw2x[i] < mw2y[j];
        }
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(&r, mw2x, N(mw2x), mw2y, N(mw2y), 0, 0.95, KAP_TWO_SIDED, NULL), KAP_OK);
    KT_ASSERT_REL(r.estimate, (gt - lt) / (double)(N(mw2x) * N(mw2y)), 1e-12);
    /* errors */
    const double nn[] = {NAN, NAN};
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, nn, 2, a, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, a, 3, a, 0, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, a, 3, a, 3, 0, 1.5, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, a, 3, a, 3, NAN, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, a, 3, a, 3, 0, 0.95, (kap_alternative)5, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_biserial(&r, NULL, 3, a, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_cliffs_delta(NULL, a, 3, a, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_p_superiority(&r, a, 0, a, 3, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, nn, NULL, 2, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EDATA);
    CU_ASSERT_EQUAL(kap_rank_biserial_paired(&r, NULL, NULL, 2, 0, 0.95, KAP_TWO_SIDED, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_rank_p_superiority_paired(&r, a, b, 3, 0, 0.0, KAP_TWO_SIDED, NULL), KAP_EINVAL);
}

#ifdef KAP_FAULT_INJECTION
/* Every allocation failure returns KAP_ENOMEM (ASan/valgrind: no leak). */
static void test_alloc_failures(void)
{
    kap_rank_options o = opts(KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 1, 0.95, 0);
    kap_rank_options oa = opts(KAP_TWO_SIDED, KAP_RANK_ASYMPTOTIC, 1, 1, 0.95, 0);
    for (int which = 0; which < 6; which++) {
        for (unsigned long k = 1; k < 200; k++) {
            kap_result r;
            kap_test_fail_alloc_at(k);
            int rc;
            switch (which) {
            case 0: rc = kap_rank_mann_whitney(&r, mw1x, 10, mw1y, 5, &o, NULL); break;
            case 1: rc = kap_rank_mann_whitney(&r, mw2x, 12, mw2y, 11, &oa, NULL); break;
            case 2: rc = kap_rank_signed_rank(&r, sr1x, sr1y, 9, &o, NULL); break;
            case 3: rc = kap_rank_signed_rank(&r, sr2x, sr2y, 12, &oa, NULL); break;
            case 4: rc = kap_rank_kruskal_wallis(&r, mw1x, (const int[]){1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, 10, NULL); break;
            default: rc = kap_rank_biserial_paired(&r, sr1x, sr1y, 9, 0, 0.95, KAP_TWO_SIDED, NULL); break;
            }
            unsigned long used = kap_test_fail_alloc_at(0);
            if (used < k) {
                CU_ASSERT_EQUAL(rc, KAP_OK);
                break;
            }
            CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
        }
    }
}
#endif

/* Kruskal-Wallis H from midranks computed by brute force (O(n^2)): the
 * definition, against which the counting (integer scores), radix (other
 * values) and qsort (small n) paths of the library must agree. */
static double kw_brute(const double *x, const int *g, size_t n, int k)
{
    double rs[8] = {0}, cn[8] = {0}, tt = 0;
    for (size_t i = 0; i < n; i++) {
        size_t below = 0, eq = 0;
        for (size_t j = 0; j < n; j++) {
            below += x[j] < x[i];
            eq += x[j] == x[i];
        }
        rs[g[i]] += (double)below + ((double)eq + 1) / 2.0;
        cn[g[i]] += 1;
        tt += (double)eq * (double)eq - 1;   /* each member adds (t^3 - t) / t */
    }
    double N = (double)n, ss = 0;
    for (int j = 0; j < k; j++) {
        double dev = rs[j] / cn[j] - (N + 1) / 2;
        ss += cn[j] * dev * dev;
    }
    return 12 * ss / (N * (N + 1)) / (1 - tt / (N * N * N - N));
}

static void test_kw_large_paths(void)
{
    enum { N = 3000 };
    static double xi[N], xh[N], xz[N];
    static int g[N];
    unsigned long long st = 99;
    for (size_t i = 0; i < N; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        int v = (int)((st >> 33) % 61) - 30;     /* tied integer scores */
        g[i] = (int)((st >> 20) % 4);
        xi[i] = v + g[i] * (int)((st >> 40) % 3); /* a group shift */
        xh[i] = xi[i] + 0.5;                      /* same ranks, not integers */
        xz[i] = xi[i] == 0 ? -0.0 : xi[i] * 1e-3; /* -0 ties +0; radix path */
    }
    kap_result a, b, c, d;
    CU_ASSERT_EQUAL_FATAL(kap_rank_kruskal_wallis(&a, xi, g, N, NULL), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_rank_kruskal_wallis(&b, xh, g, N, NULL), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_rank_kruskal_wallis(&c, xz, g, N, NULL), KAP_OK);
    /* same ranks, same operations: the same bits */
    CU_ASSERT_EQUAL(a.statistic, b.statistic);
    CU_ASSERT_EQUAL(a.statistic, c.statistic);
    KT_ASSERT_REL(a.statistic, kw_brute(xi, g, N, 4), 1e-12);
    /* a small sample takes the qsort path */
    CU_ASSERT_EQUAL_FATAL(kap_rank_kruskal_wallis(&d, xi, g, 50, NULL), KAP_OK);
    KT_ASSERT_REL(d.statistic, kw_brute(xi, g, 50, 4), 1e-12);
}

int main(void)
{
    make_data();
    CU_TestInfo tests[] = {
        {"Mann-Whitney exact vs wilcox.test", test_mw_exact},
        {"Mann-Whitney normal approx vs wilcox.test", test_mw_normal},
        {"Mann-Whitney n near 50 (exact, fast)", test_mw_large},
        {"Mann-Whitney edge cases and errors", test_mw_edges},
        {"Mann-Whitney exact too large; HL in O(n) memory", test_mw_exact_too_large},
        {"signed rank vs wilcox.test", test_sr},
        {"signed rank n near 50", test_sr_large},
        {"signed rank edge cases and errors", test_sr_edges},
        {"Kruskal-Wallis vs kruskal.test", test_kw},
        {"Kruskal-Wallis: counting, radix and sort paths agree", test_kw_large_paths},
        {"rank-biserial, Cliff's delta, P(sup) vs effectsize", test_effect_sizes},
        {"rank effect sizes: edges and errors", test_effect_size_edges},
#ifdef KAP_FAULT_INJECTION
        {"allocation failures", test_alloc_failures},
#endif
        CU_TEST_INFO_NULL};
    return kt_main("rank", tests);
}
