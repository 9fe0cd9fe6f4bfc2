/* tests/test_anova.c - one-way ANOVA against R 4.2.2 (aov, oneway.test,
 * effectsize 0.8.3 eta_squared / omega_squared; tests/reference/anova.R ->
 * anova.out), the NIST StRD ANOVA data sets (tests/reference/nist/) and
 * their exact ANOVA as doubles (nist_anova_exact.py -> .out). */
#include "kap_test.h"
#include "internal.h"
#include "nist_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "anova.out"
#define RTOL 1e-9
/* CI bounds: R's pnbeta (ncp) has error bound 1e-9, so the tight uniroot
 * values of anova.R are good to ~1e-8.  effectsize itself finds the bounds
 * with optim (Nelder-Mead, abstol 1e-9 on a sum of |P - target|): its
 * numbers deviate from the exact root by up to 2.8e-5 (c_t95_eta_hi). */
#define CI_RTOL 1e-6
#define ES_RTOL 1e-4

static double ref(const char *name) { return kt_ref(REF, name); }
static double refp(const char *prefix, const char *name)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%.60s_%.60s", prefix, name);
    return kt_ref(REF, buf);
}

/* Inline data of anova.R */
static const double YA[16] = {23.1, 25.4, 21.8, 24.9, NAN, 22.7, 28.3, 27.1,
                              30.2, 26.8, 29.5, 24.0, 25.2, 23.3, 26.1, 19.9};
static const int32_t GA[16] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, -1};
static const double YB[9] = {5.1, 4.8, 6.2, 5.5, 5.9, 7.4, 6.8, 7.9, 7.1};
static const int32_t GB[9] = {0, 0, 0, 0, 0, 1, 1, 1, 1};
static const double YC[12] = {10.2, 9.8, 11.1, 10.5, 9.9, 10.4,
                              10.0, 10.9, 10.1, 9.7, 10.6, 10.3};
static const int32_t GC[12] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};

static void check_oneway(const char *prefix, const double *y,
                         const int32_t *g, size_t n, int32_t ng)
{
    kap_anova_oneway_result o;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y, g, n, ng, 0.95, KAP_GREATER, &e),
                          KAP_OK);
    CU_ASSERT_EQUAL((double)o.n, refp(prefix, "n"));
    KT_ASSERT_REL(o.ss_between, refp(prefix, "ssb"), RTOL);
    KT_ASSERT_REL(o.ss_within, refp(prefix, "ssw"), RTOL);
    KT_ASSERT_REL(o.ss_total, refp(prefix, "ssb") + refp(prefix, "ssw"), RTOL);
    KT_ASSERT_REL(o.ms_between, refp(prefix, "msb"), RTOL);
    KT_ASSERT_REL(o.ms_within, refp(prefix, "msw"), RTOL);
    KT_ASSERT_REL(o.resid_sd, sqrt(refp(prefix, "msw")), RTOL);
    KT_ASSERT_REL(o.df_between, refp(prefix, "dfb"), 0);
    KT_ASSERT_REL(o.df_within, refp(prefix, "dfw"), 0);
    KT_ASSERT_REL(o.f.statistic, refp(prefix, "F"), RTOL);
    KT_ASSERT_REL(o.f.statistic, refp(prefix, "ow_F"), RTOL);
    KT_ASSERT_REL(o.f.p_value, refp(prefix, "p"), RTOL);
    KT_ASSERT_REL(o.f.p_value, refp(prefix, "ow_p"), RTOL);
    CU_ASSERT_EQUAL(o.f.df, o.df_between);
    CU_ASSERT_EQUAL(o.f.df2, o.df_within);
    CU_ASSERT_EQUAL(o.f.n1, o.n);
    CU_ASSERT_PTR_NULL(o.f.note);
    KT_ASSERT_REL(o.welch.statistic, refp(prefix, "welch_F"), RTOL);
    KT_ASSERT_REL(o.welch.df2, refp(prefix, "welch_df2"), RTOL);
    KT_ASSERT_REL(o.welch.p_value, refp(prefix, "welch_p"), RTOL);
    CU_ASSERT_EQUAL(o.welch.df, o.df_between);
    CU_ASSERT_PTR_NULL(o.welch.note);
    KT_ASSERT_REL(o.r_squared, o.eta_squared.estimate, 1e-15);

    /* effect sizes: every alternative at 95% and 90% */
    const kap_alternative alts[3] = {KAP_GREATER, KAP_TWO_SIDED, KAP_LESS};
    const char tags[3] = {'g', 't', 'l'};
    const double confs[2] = {0.95, 0.90};
    for (size_t a = 0; a < 3; a++)
        for (size_t c = 0; c < 2; c++) {
            CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y, g, n, ng, confs[c],
                                                   alts[a], &e), KAP_OK);
            char tag[64], nm[128];
            snprintf(tag, sizeof tag, "%s_%c%02d", prefix, tags[a],
                     (int)lround(confs[c] * 100));
            snprintf(nm, sizeof nm, "%s_eta", tag);
            KT_ASSERT_REL(o.eta_squared.estimate, ref(nm), RTOL);
            snprintf(nm, sizeof nm, "%s_omega", tag);
            KT_ASSERT_REL(o.omega_squared.estimate, ref(nm), RTOL);
            snprintf(nm, sizeof nm, "%s_eta_lo", tag);
            KT_ASSERT_REL(o.eta_squared.ci_low, ref(nm), CI_RTOL);
            snprintf(nm, sizeof nm, "%s_eta_hi", tag);
            KT_ASSERT_REL(o.eta_squared.ci_high, ref(nm), CI_RTOL);
            snprintf(nm, sizeof nm, "%s_omega_lo", tag);
            KT_ASSERT_REL(o.omega_squared.ci_low, ref(nm), CI_RTOL);
            snprintf(nm, sizeof nm, "%s_omega_hi", tag);
            KT_ASSERT_REL(o.omega_squared.ci_high, ref(nm), CI_RTOL);
            /* and effectsize's own (optim-based) numbers */
            snprintf(nm, sizeof nm, "%s_eta_lo_es", tag);
            KT_ASSERT_REL(o.eta_squared.ci_low, ref(nm), ES_RTOL);
            snprintf(nm, sizeof nm, "%s_eta_hi_es", tag);
            KT_ASSERT_REL(o.eta_squared.ci_high, ref(nm), ES_RTOL);
            snprintf(nm, sizeof nm, "%s_omega_lo_es", tag);
            KT_ASSERT_REL(o.omega_squared.ci_low, ref(nm), ES_RTOL);
            snprintf(nm, sizeof nm, "%s_omega_hi_es", tag);
            KT_ASSERT_REL(o.omega_squared.ci_high, ref(nm), ES_RTOL);
            CU_ASSERT_EQUAL(o.eta_squared.conf_level, confs[c]);
            CU_ASSERT_PTR_NOT_NULL(o.eta_squared.method);
            CU_ASSERT_PTR_NULL(o.eta_squared.note);
        }
}

static void test_three_groups(void) { check_oneway("a", YA, GA, 16, 3); }
static void test_two_groups(void) { check_oneway("b", YB, GB, 9, 2); }
static void test_small_effect(void)
{
    check_oneway("c", YC, GC, 12, 3);
    CU_ASSERT_EQUAL(ref("c_g95_omega"), 0.0);   /* truncated at 0 */
    CU_ASSERT_EQUAL(ref("c_g95_eta_lo"), 0.0);
}

static void test_simulated(void)
{
    char path[1024];
    kt_path(path, sizeof path, "reference/anova_sim.csv");
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    double y[256];
    int32_t g[256];
    size_t n = 0;
    char line[256];
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    while (n < 256 && fgets(line, sizeof line, f)) {
        char *end;
        y[n] = strtod(line, &end);
        g[n] = (int32_t)strtol(end + 1, NULL, 10);
        n++;
    }
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(n, 150);
    check_oneway("d", y, g, n, 4);
}

/* Unused group codes are ignored; the result equals data set a. */
static void test_empty_groups(void)
{
    int32_t g[16];
    for (size_t i = 0; i < 16; i++)
        g[i] = GA[i] < 0 ? -1 : (int32_t)(GA[i] * 2 + 1);   /* 1, 3, 5 */
    kap_anova_oneway_result o;
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, YA, g, 16, 7, 0.95, KAP_GREATER, NULL),
                          KAP_OK);
    CU_ASSERT_EQUAL(o.k, 3);
    CU_ASSERT_EQUAL(o.n, 14);
    KT_ASSERT_REL(o.f.statistic, ref("a_F"), RTOL);
    KT_ASSERT_REL(o.welch.statistic, ref("a_welch_F"), RTOL);
    KT_ASSERT_REL(o.eta_squared.ci_low, ref("a_g95_eta_lo"), CI_RTOL);
}

/* ---- NIST StRD ANOVA --------------------------------------------------- */

typedef struct {
    const char *name;
    double min_lre;      /* F, MSW, R², residual SD, SS within */
    double min_lre_msb;  /* MSB and SS between */
} nist_case;

/* SmLs08/09: even the exact ANOVA of the double-rounded data has LRE 3.92
 * / 3.91 for MSB (nist_anova_exact.py): the data's 13 constant leading
 * digits leave 3 for the variation.  No double algorithm can reach 4. */
static const nist_case NIST[] = {
    {"SiRstvt", 9, 9},  {"SmLs01t", 9, 9}, {"SmLs02t", 9, 9},
    {"SmLs03t", 9, 9},  {"SmLs04t", 9, 9}, {"SmLs05t", 9, 9},
    {"SmLs06t", 9, 9},  {"SmLs07t", 4, 4}, {"SmLs08t", 4, 3.9},
    {"SmLs09t", 4, 3.9}, {"AtmWtAgt", 9, 9},
};

static void test_nist(void)
{
    for (size_t c = 0; c < sizeof NIST / sizeof *NIST; c++) {
        char rel[128], path[1024];
        snprintf(rel, sizeof rel, "reference/nist/%s.dat", NIST[c].name);
        kt_path(path, sizeof path, rel);
        nist_anova d;
        CU_ASSERT_EQUAL_FATAL(nist_read_anova(path, &d), 0);
        int32_t *g = malloc(d.n * sizeof(int32_t));
        for (size_t i = 0; i < d.n; i++)
            g[i] = d.g[i];
        kap_anova_oneway_result o;
        kap_error e;
        CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, d.y, g, d.n, (int32_t)d.k, 0.95,
                                               KAP_GREATER, &e), KAP_OK);
        CU_ASSERT_EQUAL(o.n, d.n);
        CU_ASSERT_EQUAL(o.k, d.k);
        CU_ASSERT_EQUAL(o.df_between, d.df_b);
        CU_ASSERT_EQUAL(o.df_within, d.df_w);
        double lf = kt_lre(o.f.statistic, d.f);
        double lb = kt_lre(o.ms_between, d.ms_b);
        double lw = kt_lre(o.ms_within, d.ms_w);
        double lsb = kt_lre(o.ss_between, d.ss_b);
        double lsw = kt_lre(o.ss_within, d.ss_w);
        double lr = kt_lre(o.r_squared, d.r2);
        double ls = kt_lre(o.resid_sd, d.resid_sd);
        fprintf(stderr, "NIST %-9s LRE F %4.1f  MSB %4.1f  MSW %4.1f  SSB %4.1f  "
                        "SSW %4.1f  R2 %4.1f  SD %4.1f\n",
                NIST[c].name, lf, lb, lw, lsb, lsw, lr, ls);
        CU_ASSERT(lf >= NIST[c].min_lre);
        CU_ASSERT(lw >= NIST[c].min_lre);
        CU_ASSERT(lsw >= NIST[c].min_lre);
        CU_ASSERT(lr >= NIST[c].min_lre);
        CU_ASSERT(ls >= NIST[c].min_lre);
        CU_ASSERT(lb >= NIST[c].min_lre_msb);
        CU_ASSERT(lsb >= NIST[c].min_lre_msb);
        /* and the algorithm loses nothing on the data it was given */
        char nm[64];
        snprintf(nm, sizeof nm, "%s_F", NIST[c].name);
        KT_ASSERT_REL(o.f.statistic, kt_ref("nist_anova_exact.out", nm), 1e-12);
        snprintf(nm, sizeof nm, "%s_msb", NIST[c].name);
        KT_ASSERT_REL(o.ms_between, kt_ref("nist_anova_exact.out", nm), 1e-12);
        snprintf(nm, sizeof nm, "%s_msw", NIST[c].name);
        KT_ASSERT_REL(o.ms_within, kt_ref("nist_anova_exact.out", nm), 1e-12);
        snprintf(nm, sizeof nm, "%s_r2", NIST[c].name);
        KT_ASSERT_REL(o.r_squared, kt_ref("nist_anova_exact.out", nm), 1e-12);
        free(g);
        free(d.y);
        free(d.g);
    }
}

/* ---- magnitudes -------------------------------------------------------- */

static void test_magnitudes(void)
{
    double y[16];
    kap_anova_oneway_result o;
    const double sc[2] = {1e300, 1e-300};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < 16; i++)
            y[i] = YA[i] * sc[s];
        CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y, GA, 16, 3, 0.95, KAP_GREATER,
                                               NULL), KAP_OK);
        KT_ASSERT_REL(o.f.statistic, ref("a_F"), 1e-12);
        KT_ASSERT_REL(o.welch.statistic, ref("a_welch_F"), 1e-12);
        KT_ASSERT_REL(o.welch.df2, ref("a_welch_df2"), 1e-12);
        KT_ASSERT_REL(o.eta_squared.estimate, ref("a_g95_eta"), 1e-12);
        KT_ASSERT_REL(o.omega_squared.ci_low, ref("a_g95_omega_lo"), CI_RTOL);
        KT_ASSERT_REL(o.resid_sd, sqrt(ref("a_msw")) * sc[s], 1e-12);
    }
    /* sums of squares themselves overflow / underflow (documented) */
    CU_ASSERT(o.ss_between == 0.0);
    /* a large common offset: the result degrades only by the rounding of
     * the data themselves (1e9 + x keeps ~7 digits of x) */
    for (size_t i = 0; i < 16; i++)
        y[i] = YA[i] + 1e9;
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y, GA, 16, 3, 0.95, KAP_GREATER, NULL),
                          KAP_OK);
    KT_ASSERT_REL(o.f.statistic, ref("a_F"), 1e-6);
    KT_ASSERT_REL(o.welch.statistic, ref("a_welch_F"), 1e-6);
}

/* ---- edge cases -------------------------------------------------------- */

static void test_edge(void)
{
    kap_anova_oneway_result o;
    kap_error e;
    /* n = 0, one group, all NaN, one value per group */
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 0, 3, 0.95, KAP_GREATER, &e), KAP_EDATA);
    CU_ASSERT_EQUAL(o.n, 0);
    KT_ASSERT_NAN(o.f.statistic);
    int32_t one[6] = {1, 1, 1, 1, 1, 1};
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, one, 6, 3, 0.95, KAP_GREATER, &e), KAP_EDATA);
    CU_ASSERT(strstr(e.message, "1 group") != NULL);
    CU_ASSERT_EQUAL(o.k, 1);
    double nan4[4] = {NAN, NAN, NAN, NAN};
    int32_t g4[4] = {0, 1, 0, 1};
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, nan4, g4, 4, 2, 0.95, KAP_GREATER, &e), KAP_EDATA);
    int32_t g3[3] = {0, 1, 2};
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YB, g3, 3, 3, 0.95, KAP_GREATER, &e), KAP_EDATA);
    CU_ASSERT(strstr(e.message, "degrees of freedom") != NULL);
    /* n = 2 in 2 groups: no within df; n = 3: df 1 */
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YB + 4, g4 + 2, 2, 2, 0.95, KAP_GREATER, &e),
                    KAP_EDATA);

    /* a group of size 1: classic F fine, Welch NaN with a note */
    double y5[5] = {1.0, 2.0, 1.5, 4.0, 4.5};
    int32_t g5[5] = {0, 0, 0, 1, 2};
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y5, g5, 5, 3, 0.95, KAP_GREATER, &e),
                          KAP_OK);
    CU_ASSERT(isfinite(o.f.statistic));
    CU_ASSERT_EQUAL(o.df_within, 2);
    KT_ASSERT_NAN(o.welch.statistic);
    KT_ASSERT_NAN(o.welch.p_value);
    CU_ASSERT_PTR_NOT_NULL(o.welch.note);
    /* by hand: means 1.5, 4, 4.5; grand 2.6; SSB = 3*1.21 + 1.96 + 3.61;
     * SSW = 0.5 */
    KT_ASSERT_REL(o.ss_between, 3 * 1.21 + 1.96 + 3.61, 1e-14);
    KT_ASSERT_REL(o.ss_within, 0.5, 1e-14);
    KT_ASSERT_REL(o.f.statistic, ((3 * 1.21 + 1.96 + 3.61) / 2) / 0.25, 1e-14);

    /* zero within-group variance, different means: F = Inf, p = 0 */
    double yz[6] = {2, 2, 2, 5, 5, 5};
    int32_t gz[6] = {0, 0, 0, 1, 1, 1};
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, yz, gz, 6, 2, 0.95, KAP_GREATER, &e),
                          KAP_OK);
    CU_ASSERT(isinf(o.f.statistic) && o.f.statistic > 0);
    CU_ASSERT_EQUAL(o.f.p_value, 0.0);
    CU_ASSERT_PTR_NOT_NULL(o.f.note);
    CU_ASSERT_EQUAL(o.eta_squared.estimate, 1.0);
    CU_ASSERT_EQUAL(o.omega_squared.estimate, 1.0);
    KT_ASSERT_NAN(o.eta_squared.ci_low);
    CU_ASSERT_PTR_NOT_NULL(o.eta_squared.note);
    KT_ASSERT_NAN(o.welch.statistic);
    CU_ASSERT_PTR_NOT_NULL(o.welch.note);
    CU_ASSERT_EQUAL(o.resid_sd, 0.0);
    /* all values equal: F NaN */
    double ye[6] = {3, 3, 3, 3, 3, 3};
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, ye, gz, 6, 2, 0.95, KAP_GREATER, &e),
                          KAP_OK);
    KT_ASSERT_NAN(o.f.statistic);
    KT_ASSERT_NAN(o.f.p_value);
    CU_ASSERT_PTR_NOT_NULL(o.f.note);
    KT_ASSERT_NAN(o.eta_squared.estimate);
    CU_ASSERT_PTR_NOT_NULL(o.eta_squared.note);
    KT_ASSERT_NAN(o.r_squared);
    /* ties across groups, equal means: F = 0, p = 1 */
    double yt[6] = {1, 2, 3, 3, 2, 1};
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, yt, gz, 6, 2, 0.95, KAP_TWO_SIDED, &e),
                          KAP_OK);
    CU_ASSERT_EQUAL(o.f.statistic, 0.0);
    KT_ASSERT_REL(o.f.p_value, 1.0, 1e-15);
    CU_ASSERT_EQUAL(o.eta_squared.estimate, 0.0);
    CU_ASSERT_EQUAL(o.eta_squared.ci_low, 0.0);
    CU_ASSERT_EQUAL(o.eta_squared.ci_high, 0.0);

    /* argument errors */
    CU_ASSERT_EQUAL(kap_anova_oneway(NULL, YA, GA, 16, 3, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, NULL, GA, 16, 3, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, NULL, 16, 3, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 0, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 2, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "group code 2") != NULL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 3, 1.0, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 3, NAN, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 3, 0.95, (kap_alternative)7, &e),
                    KAP_EINVAL);
    double yi[16];
    memcpy(yi, YA, sizeof yi);
    yi[2] = INFINITY;
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, yi, GA, 16, 3, 0.95, KAP_GREATER, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "infinite") != NULL);
    CU_ASSERT_EQUAL(kap_anova_oneway(&o, YA, GA, 16, 3, 0.95, KAP_GREATER, NULL), KAP_OK);
}

/* A very large F (nearly separated groups) still gets a CI. */
static void test_large_noncentrality(void)
{
    double y[40];
    int32_t g[40];
    for (size_t i = 0; i < 40; i++) {
        g[i] = (int32_t)(i % 4);
        y[i] = 1000.0 * g[i] + sin((double)i);
    }
    kap_anova_oneway_result o;
    CU_ASSERT_EQUAL_FATAL(kap_anova_oneway(&o, y, g, 40, 4, 0.95, KAP_TWO_SIDED, NULL),
                          KAP_OK);
    CU_ASSERT(o.f.statistic > 1e6);
    CU_ASSERT(o.eta_squared.ci_low > 0.99 && o.eta_squared.ci_low < o.eta_squared.estimate);
    CU_ASSERT(o.eta_squared.ci_high > o.eta_squared.estimate && o.eta_squared.ci_high < 1.0);
    CU_ASSERT_PTR_NULL(o.eta_squared.note);
}

#ifdef KAP_FAULT_INJECTION
static void test_fault_sweep(void)
{
    for (unsigned long at = 1; at < 100; at++) {
        kap_anova_oneway_result o;
        kap_test_fail_alloc_at(at);
        int rc = kap_anova_oneway(&o, YA, GA, 16, 3, 0.95, KAP_GREATER, NULL);
        unsigned long used = kap_test_fail_alloc_at(0);
        CU_ASSERT(rc == KAP_OK || rc == KAP_ENOMEM);
        if (rc == KAP_OK && used < at)
            break;
    }
}
#endif

int main(void)
{
    CU_TestInfo tests[] = {
        {"three groups vs aov/oneway.test/effectsize", test_three_groups},
        {"two groups", test_two_groups},
        {"small effect (bounds at 0)", test_small_effect},
        {"simulated, 4 groups", test_simulated},
        {"unused group codes", test_empty_groups},
        {"NIST StRD ANOVA LRE", test_nist},
        {"extreme magnitudes and offsets", test_magnitudes},
        {"edge cases and errors", test_edge},
        {"large noncentrality", test_large_noncentrality},
#ifdef KAP_FAULT_INJECTION
        {"allocation failures", test_fault_sweep},
#endif
        CU_TEST_INFO_NULL};
    return kt_main("anova", tests);
}
