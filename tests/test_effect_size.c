/* tests/test_effect_size.c - Cohen's d, Hedges' g, Glass's delta, paired
 * d_z / d_rm / d_av / d_b against tests/reference/effect_size.R:
 * effectsize 0.8.3 itself ("_es_" values) and the same definitions written
 * out in R with the noncentral-t limits solved to full precision. */
#include "kap_test.h"
#include "internal.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "effect_size.out"
#define N(a) (sizeof(a) / sizeof *(a))
#define ES_TOL 5e-6

static const double A_x[] = {5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7};
static const double A_y[] = {4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0};
static const double H_x[] = {-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13};
static const double H_y[] = {-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4};
static const double T_x[] = {2, 2, 2, 3, 3};
static const double T_y[] = {1, 1, 2, 2, 2};
static const double N2_x[] = {1, 3};
static const double N2_y[] = {2, 5};
static const double N3_x[] = {1, 3, 2.5};
static const double N1_x[] = {4};
static const double N1_y[] = {1, 2, 4.5};
static const double I_x[] = {1.5, 2.5, 3.0, 4.5};
static const double P_post[] = {14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NAN, 17};
static const double P_pre[] = {24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NAN};

/* generated exactly as in effect_size.R */
static double L_x[500], L_y[500];
static double *D_x, *D_y;
#define D_N 500000

static int setup(void)
{
    for (int i = 1; i <= 500; i++) {
        L_x[i - 1] = 20.0 + ((double)(i % 7) - 3.0) * 0.4;
        L_y[i - 1] = ((double)(i % 5) - 2.0) * 0.6;
    }
    D_x = malloc(D_N * sizeof *D_x);
    D_y = malloc(D_N * sizeof *D_y);
    if (!D_x || !D_y)
        return 1;
    for (int i = 1; i <= D_N; i++) {
        D_x[i - 1] = ((double)(i % 7) - 3.0) * 0.4 + 0.01;
        D_y[i - 1] = ((double)(i % 5) - 2.0) * 0.6;
    }
    return 0;
}

static double ref(const char *tag, const char *field)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%s", tag, field);
    return kt_ref(REF, name);
}

/* Against the exact reference: estimate, t and df are closed forms
 * (1e-12; 1e-10 for the 1e6-value data set), CI limits are iterative
 * (1e-9). */
static void check_exact(const char *tag, const kap_result *r, int has_t,
                        int has_se)
{
    double tol = strncmp(tag, "D_", 2) == 0 ? 1e-10 : 1e-12;
    KT_ASSERT_REL(r->estimate, ref(tag, "est"), tol);
    KT_ASSERT_REL(r->ci_low, ref(tag, "lo"), 1e-9);
    KT_ASSERT_REL(r->ci_high, ref(tag, "hi"), 1e-9);
    KT_ASSERT_REL(r->df, ref(tag, "df"), tol);
    if (has_t)
        KT_ASSERT_REL(r->statistic, ref(tag, "t"), tol);
    else
        KT_ASSERT_NAN(r->statistic);
    if (has_se)
        KT_ASSERT_REL(r->se, ref(tag, "se"), 1e-12);
    else
        KT_ASSERT_NAN(r->se);
    KT_ASSERT_NAN(r->p_value);
    CU_ASSERT_PTR_NULL(r->note);
}

/* Against effectsize 0.8.3's own output.  Its limits come from optim()
 * (Nelder-Mead) and are off the exact roots by up to ~2e-6 in d units
 * (see effect_size.R), so the test is |ours - effectsize| <= tol max(1, |d|)
 * with tol = 5e-6; for |ncp| > 37.62 R's pt() is a normal approximation
 * and the L cases use tol = 1e-3.  The exact values are checked to 1e-9 by
 * check_exact(). */
static int es_close(double a, double b, double tol)
{
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

static void check_es(const char *tag, const kap_result *r, double tol)
{
    char t2[96];
    snprintf(t2, sizeof t2, "%s_es", tag);
    double lo = ref(t2, "lo"), hi = ref(t2, "hi");
    /* effectsize's J cancels two lgamma values: ~3e-10 off at df ~ 1e6 */
    KT_ASSERT_REL(r->estimate, ref(t2, "est"),
                  strncmp(tag, "D_", 2) == 0 ? 1e-9 : 1e-12);
    if (!es_close(r->ci_low, lo, tol) || !es_close(r->ci_high, hi, tol))
        fprintf(stderr, "%s: CI [%.17g, %.17g], effectsize [%.17g, %.17g]\n",
                tag, r->ci_low, r->ci_high, lo, hi);
    CU_ASSERT(es_close(r->ci_low, lo, tol));
    CU_ASSERT(es_close(r->ci_high, hi, tol));
}

typedef int (*es_summary_fn)(kap_result *, const kap_two_summary *,
                             const kap_effect_size_options *, kap_error *);

/* The summary form of the same call gives the same result, bit for bit
 * (so every reference check of the array form holds for it too). */
static void check_summary_form(const char *type, const kap_result *r,
                               const double *x, size_t nx, const double *y,
                               size_t ny, const kap_effect_size_options *o)
{
    es_summary_fn f = strcmp(type, "d") == 0   ? kap_effect_size_cohens_d_summary
                      : strcmp(type, "g") == 0 ? kap_effect_size_hedges_g_summary
                                               : kap_effect_size_glass_delta_summary;
    kap_two_summary s;
    kap_result r2;
    CU_ASSERT_EQUAL_FATAL(kap_describe_two(&s, x, 1, nx, y, 1, ny, NULL), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(f(&r2, &s, o, NULL), KAP_OK);
    CU_ASSERT(kt_same_result(r, &r2));
}

typedef int (*es_fn)(kap_result *, const double *, size_t, size_t,
                     const double *, size_t, size_t,
                     const kap_effect_size_options *, kap_error *);

static es_fn fn_of(const char *type)
{
    if (strcmp(type, "d") == 0)
        return kap_effect_size_cohens_d;
    if (strcmp(type, "g") == 0)
        return kap_effect_size_hedges_g;
    return kap_effect_size_glass_delta;
}

static void run2(const char *tag, const char *type, const double *x, size_t nx,
                 const double *y, size_t ny, const kap_effect_size_options *o,
                 double es_tol)
{
    kap_result r;
    kap_error e;
    int rc = fn_of(type)(&r, x, 1, nx, y, 1, ny, o, &e);
    if (rc != KAP_OK)
        fprintf(stderr, "%s: %s\n", tag, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    int normal = o && o->ci_method == KAP_ES_CI_NORMAL;
    check_exact(tag, &r, !normal, normal);
    if (y)
        check_summary_form(type, &r, x, nx, y, ny, o);
    if (es_tol > 0)
        check_es(tag, &r, es_tol);
    CU_ASSERT_EQUAL(r.conf_level, o ? o->conf_level : 0.95);
    CU_ASSERT_PTR_NOT_NULL(r.method);
}

static kap_effect_size_options opts(double ci, kap_alternative alt, double mu,
                                    int pooled)
{
    kap_effect_size_options o = KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.conf_level = ci;
    o.alternative = alt;
    o.mu = mu;
    o.pooled_sd = pooled;
    return o;
}

static void test_two_groups(void)
{
    static const char *types[] = {"d", "g", "delta"};
    char tag[64];
    for (int k = 0; k < 3; k++) {
        const char *ty = types[k];
        kap_effect_size_options o;
#define TAG(fmt) (snprintf(tag, sizeof tag, fmt, ty), tag)
        run2(TAG("A_%s"), ty, A_x, 8, A_y, 7, NULL, ES_TOL);
        run2(TAG("H_%s"), ty, H_x, N(H_x), H_y, N(H_y), NULL, ES_TOL);
        run2(TAG("T_%s"), ty, T_x, 5, T_y, 5, NULL, ES_TOL);
        run2(TAG("N3_%s"), ty, N3_x, 3, N2_y, 2, NULL, ES_TOL);
        o = opts(0.90, KAP_TWO_SIDED, 0, 1);
        run2(TAG("A_%s_ci90"), ty, A_x, 8, A_y, 7, &o, ES_TOL);
        o = opts(0.95, KAP_LESS, 0, 1);
        run2(TAG("A_%s_less"), ty, A_x, 8, A_y, 7, &o, ES_TOL);
        o = opts(0.99, KAP_GREATER, 0, 1);
        run2(TAG("A_%s_greater99"), ty, A_x, 8, A_y, 7, &o, ES_TOL);
        o = opts(0.95, KAP_TWO_SIDED, -2, 1);
        run2(TAG("H_%s_mu"), ty, H_x, N(H_x), H_y, N(H_y), &o, ES_TOL);
        /* |t| ~ 370 (n = 500 per group, difference ~ 23 SD): the exact
         * limits at 1e-9; effectsize itself is off by ~2.5e-4 here because
         * R's pt() is the A&S 26.7.10 normal approximation for ncp > 37.62 */
        run2(TAG("L_%s"), ty, L_x, 500, L_y, 500, NULL, 1e-3);
        /* df ~ 1e6 */
        run2(TAG("D_%s"), ty, D_x, D_N, D_y, D_N, NULL, ES_TOL);
#undef TAG
    }
    kap_effect_size_options up = opts(0.95, KAP_TWO_SIDED, 0, 0);
    kap_effect_size_options upl = opts(0.95, KAP_LESS, 0, 0);
    run2("A_d_unpooled", "d", A_x, 8, A_y, 7, &up, ES_TOL);
    run2("A_g_unpooled", "g", A_x, 8, A_y, 7, &up, ES_TOL);
    run2("H_d_unpooled", "d", H_x, N(H_x), H_y, N(H_y), &up, ES_TOL);
    run2("H_g_unpooled", "g", H_x, N(H_x), H_y, N(H_y), &up, ES_TOL);
    run2("N2_d_unpooled", "d", N2_x, 2, N2_y, 2, &up, ES_TOL);
    run2("N2_g_unpooled", "g", N2_x, 2, N2_y, 2, &up, ES_TOL);
    run2("L_d_unpooled", "d", L_x, 500, L_y, 500, &up, 1e-3);
    run2("L_g_unpooled", "g", L_x, 500, L_y, 500, &up, 1e-3);
    run2("A_d_unpooled_less", "d", A_x, 8, A_y, 7, &upl, ES_TOL);
    run2("A_g_unpooled_less", "g", A_x, 8, A_y, 7, &upl, ES_TOL);
    run2("N2_d", "d", N2_x, 2, N2_y, 2, NULL, ES_TOL);
    run2("N2_g", "g", N2_x, 2, N2_y, 2, NULL, ES_TOL);
    run2("N2_delta", "delta", N2_x, 2, N2_y, 2, NULL, ES_TOL);
    /* n1 = 1 (effectsize gives NA; pooled SD uses the other group) */
    run2("N1_d", "d", N1_x, 1, N1_y, 3, NULL, 0);
    run2("N1_g", "g", N1_x, 1, N1_y, 3, NULL, 0);

    /* n1/n2 count the values used */
    kap_result r;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, H_x, 1, N(H_x), H_y, 1, N(H_y), NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n1, 12);
    CU_ASSERT_EQUAL(r.n2, 11);
    /* one-sided CIs are open on one side */
    kap_effect_size_options o = opts(0.95, KAP_LESS, 0, 1);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, A_y, 1, 7, &o, NULL), KAP_OK);
    CU_ASSERT(isinf(r.ci_low) && r.ci_low < 0);
}

/* pooled_sd = 0 with two values per group: Welch df ~ 1.11, where the
 * noncentral-t quadrature used to fail (KAP_ENOCONV for every upper tail
 * with ncp < 0 at 1 < df < ~1.4).  References from
 * tests/reference/noncentral_t_smalldf.R: by hand with exact limits
 * (uniroot on pt(), 1e-9) and effectsize 0.8.3.  For mu = -0.1 the pivot
 * t is ~3e-16 and effectsize's optim() never leaves its start 1.1 t,
 * returning the degenerate CI [3.7e-16, 3.7e-16]: only the exact limits
 * (+-qnorm(0.975) sqrt(hn) to first order) are a reference there. */
#define SMALLDF_REF "noncentral_t_smalldf.out"

static double sref(const char *tag, const char *field)
{
    char name[128];
    snprintf(name, sizeof name, "es_%s_%s", tag, field);
    return kt_ref(SMALLDF_REF, name);
}

static void run_small_df(const char *tag, const char *type,
                         const kap_effect_size_options *o, int check_es_too)
{
    static const double x[] = {3.2, 1.1}, y[] = {2.0, 2.5};
    kap_result r;
    kap_error e;
    int rc = fn_of(type)(&r, x, 1, 2, y, 1, 2, o, &e);
    if (rc != KAP_OK)
        fprintf(stderr, "%s: %s\n", tag, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    if (!kt_close(r.ci_low, sref(tag, "lo"), 1e-9) ||
        !kt_close(r.ci_high, sref(tag, "hi"), 1e-9))
        fprintf(stderr, "%s: CI [%.17g, %.17g], expected [%.17g, %.17g]\n",
                tag, r.ci_low, r.ci_high, sref(tag, "lo"), sref(tag, "hi"));
    KT_ASSERT_REL(r.estimate, sref(tag, "est"), 1e-12);
    KT_ASSERT_REL(r.ci_low, sref(tag, "lo"), 1e-9);
    KT_ASSERT_REL(r.ci_high, sref(tag, "hi"), 1e-9);
    KT_ASSERT_REL(r.statistic, sref(tag, "t"), 1e-12);
    KT_ASSERT_REL(r.df, sref(tag, "df"), 1e-12);
    CU_ASSERT_PTR_NULL(r.note);
    check_summary_form(type, &r, x, 2, y, 2, o);
    if (check_es_too) {
        double lo = sref(tag, "es_lo"), hi = sref(tag, "es_hi");
        CU_ASSERT(es_close(r.ci_low, lo, ES_TOL));
        CU_ASSERT(es_close(r.ci_high, hi, ES_TOL));
    }
}

static void test_unpooled_small_df(void)
{
    kap_effect_size_options o1 = opts(0.95, KAP_TWO_SIDED, -0.1, 0);
    kap_effect_size_options o0 = opts(0.95, KAP_TWO_SIDED, 0.0, 0);
    kap_effect_size_options om = opts(0.90, KAP_TWO_SIDED, -1.5, 0);
    kap_effect_size_options ol = opts(0.99, KAP_LESS, -0.1, 0);
    run_small_df("R_d", "d", &o1, 0);
    run_small_df("R_g", "g", &o1, 0);
    run_small_df("R_d_mu0", "d", &o0, 1);
    run_small_df("R_g_mu0", "g", &o0, 1);
    run_small_df("R_d_mu1", "d", &om, 1);
    run_small_df("R_g_mu1", "g", &om, 1);
    run_small_df("R_d_less", "d", &ol, 0);
    run_small_df("R_g_less", "g", &ol, 0);
    /* t ~ 0: the limits are symmetric to first order in t */
    kap_result r;
    static const double x[] = {3.2, 1.1}, y[] = {2.0, 2.5};
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, x, 1, 2, y, 1, 2, &o1, NULL), KAP_OK);
    CU_ASSERT(fabs(r.ci_low + r.ci_high) < 1e-12);
}

/* Scale invariance: data times 1e150 or 1e-150 give data set A's values
 * (R's own Welch df overflows there). */
static void test_scaled_data(void)
{
    static const double scales[] = {1e150, 1e-150, 0x1p-1000};
    double x[8], y[7];
    kap_effect_size_options up = opts(0.95, KAP_TWO_SIDED, 0, 0);
    for (size_t s = 0; s < N(scales); s++) {
        for (int i = 0; i < 8; i++)
            x[i] = A_x[i] * scales[s];
        for (int i = 0; i < 7; i++)
            y[i] = A_y[i] * scales[s];
        kap_result r;
        CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, x, 1, 8, y, 1, 7, NULL, NULL), KAP_OK);
        check_exact("A_d", &r, 1, 0);
        CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, x, 1, 8, y, 1, 7, NULL, NULL), KAP_OK);
        check_exact("A_g", &r, 1, 0);
        CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, x, 1, 8, y, 1, 7, NULL, NULL), KAP_OK);
        check_exact("A_delta", &r, 1, 0);
        CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, x, 1, 8, y, 1, 7, &up, NULL), KAP_OK);
        check_exact("A_d_unpooled", &r, 1, 0);
    }
}

static void test_one_sample(void)
{
    kap_effect_size_options o = opts(0.95, KAP_TWO_SIDED, 5, 1);
    kap_result r;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, NULL, 1, 0, &o, NULL), KAP_OK);
    check_exact("A1_d", &r, 1, 0);
    check_es("A1_d", &r, ES_TOL);
    CU_ASSERT_EQUAL(r.n2, 0);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, NULL, 1, 0, &o, NULL), KAP_OK);
    check_exact("A1_g", &r, 1, 0);
    check_es("A1_g", &r, ES_TOL);
    o.alternative = KAP_GREATER;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, NULL, 1, 0, &o, NULL), KAP_OK);
    check_exact("A1_d_greater", &r, 1, 0);
    check_es("A1_d_greater", &r, ES_TOL);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, NULL, 1, 0, &o, NULL), KAP_OK);
    check_exact("A1_g_greater", &r, 1, 0);
    check_es("A1_g_greater", &r, ES_TOL);
}

static void test_normal_ci(void)
{
    kap_effect_size_options o = KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.ci_method = KAP_ES_CI_NORMAL;
    run2("A_d_normal", "d", A_x, 8, A_y, 7, &o, 0);
    run2("A_g_normal", "g", A_x, 8, A_y, 7, &o, 0);
    run2("A_delta_normal", "delta", A_x, 8, A_y, 7, &o, 0);
    o.alternative = KAP_LESS;
    run2("H_d_normal_less", "d", H_x, N(H_x), H_y, N(H_y), &o, 0);
    o.alternative = KAP_TWO_SIDED;
    o.pooled_sd = 0;
    run2("A_d_unpooled_normal", "d", A_x, 8, A_y, 7, &o, 0);
    o.conf_level = 0.9;
    run2("A_g_unpooled_normal90", "g", A_x, 8, A_y, 7, &o, 0);
    o = (kap_effect_size_options)KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.ci_method = KAP_ES_CI_NORMAL;
    kap_result r;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, NULL, 1, 0, &o, NULL), KAP_OK);
    check_exact("A1_d_normal", &r, 0, 1);
}

static void check_paired(const char *tag, kap_paired_d type, int hedges,
                         const double *x, const double *y, size_t n,
                         const kap_effect_size_options *o)
{
    kap_result r;
    int rc = hedges ? kap_effect_size_paired_g(&r, x, 1, y, 1, n, type, o, NULL)
                    : kap_effect_size_paired_d(&r, x, 1, y, 1, n, type, o, NULL);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    int ncp = type == KAP_D_Z && (!o || o->ci_method == KAP_ES_CI_NCP);
    check_exact(tag, &r, ncp, !ncp);
}

static void test_paired(void)
{
    static const kap_paired_d types[] = {KAP_D_Z, KAP_D_RM, KAP_D_AV, KAP_D_B};
    static const char *names[] = {"z", "rm", "av", "b"};
    size_t n = N(P_pre);
    kap_effect_size_options o = opts(0.9, KAP_LESS, -8, 1);
    for (int k = 0; k < 4; k++) {
        char tag[64];
        snprintf(tag, sizeof tag, "P_%s", names[k]);
        check_paired(tag, types[k], 0, P_post, P_pre, n, NULL);
        snprintf(tag, sizeof tag, "P_%s_g", names[k]);
        check_paired(tag, types[k], 1, P_post, P_pre, n, NULL);
        snprintf(tag, sizeof tag, "P_%s_mu_less90", names[k]);
        check_paired(tag, types[k], 0, P_post, P_pre, n, &o);
        snprintf(tag, sizeof tag, "T_%s", names[k]);
        check_paired(tag, types[k], 0, T_x, T_y, 5, NULL);
    }
    kap_effect_size_options nrm = KAP_EFFECT_SIZE_OPTIONS_INIT;
    nrm.ci_method = KAP_ES_CI_NORMAL;
    check_paired("P_z_normal", KAP_D_Z, 0, P_post, P_pre, n, &nrm);
    check_paired("P_z_normal_g", KAP_D_Z, 1, P_post, P_pre, n, &nrm);
    /* d_z and g_z against effectsize 0.8.3's paired cohens_d / hedges_g */
    kap_result r;
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, P_post, 1, P_pre, 1, n, KAP_D_Z, NULL, NULL), KAP_OK);
    check_es("P_z", &r, ES_TOL);
    CU_ASSERT_EQUAL(r.n1, 10);
    CU_ASSERT_EQUAL(r.n2, 10);
    CU_ASSERT_EQUAL(kap_effect_size_paired_g(&r, P_post, 1, P_pre, 1, n, KAP_D_Z, NULL, NULL), KAP_OK);
    check_es("P_z_g", &r, ES_TOL);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, P_post, 1, P_pre, 1, n, KAP_D_Z, &o, NULL), KAP_OK);
    check_es("P_z_mu_less90", &r, ES_TOL);
    /* d_z equals the one-sample d of the differences */
    double diff[12];
    for (size_t i = 0; i < n; i++)
        diff[i] = P_post[i] - P_pre[i];
    kap_result r1;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r1, diff, 1, n, NULL, 1, 0, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, P_post, 1, P_pre, 1, n, KAP_D_Z, NULL, NULL), KAP_OK);
    KT_ASSERT_REL(r1.estimate, r.estimate, 1e-14);
    KT_ASSERT_REL(r1.ci_low, r.ci_low, 1e-12);
    KT_ASSERT_REL(r1.ci_high, r.ci_high, 1e-12);
}

static void test_hedges_j(void)
{
    KT_ASSERT_REL(kap_effect_size_hedges_j(2), kt_ref(REF, "J_2"), 1e-14);
    KT_ASSERT_REL(kap_effect_size_hedges_j(7), kt_ref(REF, "J_7"), 1e-14);
    KT_ASSERT_REL(kap_effect_size_hedges_j(13), kt_ref(REF, "J_13"), 1e-14);
    KT_ASSERT_REL(kap_effect_size_hedges_j(12.5), kt_ref(REF, "J_12.5"), 1e-14);
    KT_ASSERT_REL(kap_effect_size_hedges_j(1.5), kt_ref(REF, "J_1.5"), 1e-13);
    KT_ASSERT_REL(kap_effect_size_hedges_j(1000), kt_ref(REF, "J_1000"), 1e-12);
    /* large df: J -> 1 - 3/(4 df - 1) with error O(df^-2) */
    double df = 1e7;
    KT_ASSERT_REL(kap_effect_size_hedges_j(df), 1.0 - 3.0 / (4.0 * df - 1.0), 1e-13);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_j(INFINITY), 1.0);
    KT_ASSERT_NAN(kap_effect_size_hedges_j(1.0));
    KT_ASSERT_NAN(kap_effect_size_hedges_j(0.5));
    KT_ASSERT_NAN(kap_effect_size_hedges_j(NAN));
}

static void test_edge_cases(void)
{
    kap_result r;
    const double c3[] = {3, 3, 3}, c4[] = {4, 4, 4}, nan3[] = {NAN, NAN, NAN};
    /* identical groups: d = 0 and an exactly symmetric CI */
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, I_x, 1, 4, I_x, 1, 4, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.estimate, 0.0);
    CU_ASSERT_EQUAL(r.ci_low, -r.ci_high);
    KT_ASSERT_REL(r.ci_high, kt_ref(REF, "I_d_hi"), 1e-9);
    /* zero variance everywhere: 0/0 -> NaN; a difference -> +-Inf */
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, c3, 1, 3, c3, 1, 3, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, c4, 1, 3, c3, 1, 3, NULL, NULL), KAP_OK);
    CU_ASSERT(isinf(r.estimate) && r.estimate > 0);
    KT_ASSERT_NAN(r.ci_high);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, A_x, 1, 8, c3, 1, 3, NULL, NULL), KAP_OK);
    CU_ASSERT(isinf(r.estimate));
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* constant treatment group, varying control: Glass's delta is finite */
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, c4, 1, 3, A_y, 1, 7, NULL, NULL), KAP_OK);
    CU_ASSERT(isfinite(r.estimate) && isfinite(r.ci_low) && isfinite(r.ci_high));
    CU_ASSERT(r.ci_low < r.estimate && r.estimate < r.ci_high);
    /* n = 0, all NaN, n = 1 */
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, NULL, 1, 0, A_y, 1, 7, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, nan3, 1, 3, A_y, 1, 7, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n1, 0);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, N1_x, 1, 1, NULL, 1, 0, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Welch-type d needs 2 per group */
    kap_effect_size_options up = opts(0.95, KAP_TWO_SIDED, 0, 0);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, N1_x, 1, 1, N1_y, 1, 3, &up, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Hedges' J undefined at df = 1 (effectsize returns 0 there) */
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, N1_x, 1, 1, N2_y, 1, 2, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_EQUAL(r.df, 1.0);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* Glass with n1 = 1: estimate only */
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, N1_x, 1, 1, N1_y, 1, 3, NULL, NULL), KAP_OK);
    CU_ASSERT(isfinite(r.estimate));
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);

    /* paired: too few pairs, undefined r, r = 1 */
    const double px[] = {1, 2, NAN}, py[] = {NAN, 3, 4};
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, px, 1, py, 1, 3, KAP_D_Z, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n1, 1);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    const double lin_x[] = {1, 2, 3, 4}, lin_y[] = {3, 5, 7, 9}; /* y = 2x + 1 */
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, lin_x, 1, lin_y, 1, 4, KAP_D_RM, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, c3, 1, lin_y, 1, 3, KAP_D_RM, NULL, NULL), KAP_OK);
    KT_ASSERT_NAN(r.estimate);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, c3, 1, lin_y, 1, 3, KAP_D_B, NULL, NULL), KAP_OK);
    KT_ASSERT_REL(r.estimate, (3.0 - 5.0) / 2.0, 1e-15); /* (mean x - mean y) / sd(y) */
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, c3, 1, c4, 1, 3, KAP_D_Z, NULL, NULL), KAP_OK);
    CU_ASSERT(isinf(r.estimate) && r.estimate < 0);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* d_av with one constant condition is still defined */
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, c3, 1, lin_y, 1, 3, KAP_D_AV, NULL, NULL), KAP_OK);
    CU_ASSERT(isfinite(r.estimate) && isfinite(r.ci_low));
}

/* Very large standardized differences: the CI is still found (quadrature
 * path beyond ncp^2/2 = 1e8); beyond |t| = 1e10 an error code. */
static void test_extreme_t(void)
{
    kap_result r;
    kap_error e;
    const double x[] = {10.0, 10.0 + 1e-4, 10.0 - 1e-4}, y[] = {0.0, 1e-4, -1e-4};
    /* d = 1e5, t = 1e5 sqrt(1.5) */
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, x, 1, 3, y, 1, 3, NULL, &e), KAP_OK);
    KT_ASSERT_REL(r.estimate, 1e5, 1e-9);
    CU_ASSERT(r.ci_low > 0 && r.ci_low < r.estimate && r.estimate < r.ci_high);
    CU_ASSERT(isfinite(r.ci_high));
    const double xx[] = {10.0, 10.0 + 1e-10, 10.0 - 1e-10}, yy[] = {0.0, 1e-10, -1e-10};
    int rc = kap_effect_size_cohens_d(&r, xx, 1, 3, yy, 1, 3, NULL, &e);
    CU_ASSERT_EQUAL(rc, KAP_ENUMERIC);
    CU_ASSERT(isfinite(r.estimate));
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_EQUAL(e.code, KAP_ENUMERIC);
}

static void test_errors(void)
{
    kap_result r;
    kap_error e;
    kap_effect_size_options o = KAP_EFFECT_SIZE_OPTIONS_INIT;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(NULL, A_x, 1, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, NULL, 1, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, NULL, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 0, 8, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, A_y, 0, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, A_x, 1, 8, NULL, 1, 0, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, A_x, 1, NULL, 1, 7, KAP_D_Z, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_effect_size_paired_g(&r, A_x, 1, A_y, 1, 7, (kap_paired_d)9, NULL, &e), KAP_EINVAL);
    double cls[] = {0.0, 1.0, -0.1, 1.1, NAN};
    for (size_t i = 0; i < N(cls); i++) {
        o.conf_level = cls[i];
        CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
        CU_ASSERT_EQUAL(kap_effect_size_glass_delta(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
        CU_ASSERT_EQUAL(kap_effect_size_paired_d(&r, A_x, 1, A_y, 1, 7, KAP_D_AV, &o, &e), KAP_EINVAL);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "conf_level"));
    o = (kap_effect_size_options)KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.alternative = (kap_alternative)-1;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
    o = (kap_effect_size_options)KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.ci_method = (kap_es_ci_method)5;
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
    o = (kap_effect_size_options)KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.version = 0;
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
    o = (kap_effect_size_options)KAP_EFFECT_SIZE_OPTIONS_INIT;
    o.mu = INFINITY;
    CU_ASSERT_EQUAL(kap_effect_size_hedges_g(&r, A_x, 1, 8, A_y, 1, 7, &o, &e), KAP_EINVAL);
    const double inf[] = {1, INFINITY, 2};
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, inf, 1, 3, A_y, 1, 7, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "x[1]"));
    CU_ASSERT_EQUAL(kap_effect_size_cohens_d(&r, A_x, 1, 8, inf, 1, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "y[1]"));
    CU_ASSERT_EQUAL(kap_effect_size_paired_g(&r, inf, 1, A_y, 1, 3, KAP_D_Z, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(e.code, KAP_EINVAL);
}

int main(void)
{
    if (setup() != 0)
        return 2;
    CU_TestInfo tests[] = {
        {"two groups: d, g, delta vs R (exact and effectsize 0.8.3)", test_two_groups},
        {"unpooled SD, two values per group (Welch df ~ 1.1) vs R", test_unpooled_small_df},
        {"scaled data (1e150, 1e-150, 2^-1000)", test_scaled_data},
        {"one sample vs R", test_one_sample},
        {"normal-approximation CIs vs R formulas", test_normal_ci},
        {"paired d_z, d_rm, d_av, d_b vs R", test_paired},
        {"Hedges' J", test_hedges_j},
        {"edge cases", test_edge_cases},
        {"extreme standardized differences", test_extreme_t},
        {"error paths", test_errors},
        CU_TEST_INFO_NULL};
    int rc = kt_main("effect_size", tests);
    free(D_x);
    free(D_y);
    return rc;
}
