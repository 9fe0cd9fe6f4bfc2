/* Scenarios for tests/fault/sweep.c: one per public workflow. */
#include "kapstats.h"
#include "sweep.h"

#include <math.h>
#include <stddef.h>

static const double y10[10] = {3.1, 4.7, 2.2, 5.9, 4.4, 6.1, 3.3, 7.2, 5.5, 4.0};
static const double x10[10] = {1, 2, 1.5, 3, 2.2, 3.1, 1.9, 4.2, 2.8, 2.1};
static const int32_t g10[10] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};

static int sc_meta_reml(void *ctx)
{
    (void)ctx;
    static const double yi[5] = {-0.9, -1.6, -1.4, -0.2, -0.3};
    static const double vi[5] = {0.36, 0.19, 0.42, 0.07, 0.01};
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    kap_meta_result r;
    return kap_meta_fit(&r, yi, vi, 5, &o, NULL);
}

static int sc_p_adjust(void *ctx)
{
    (void)ctx;
    static const double p[6] = {0.01, 0.04, NAN, 0.03, 0.2, 0.5};
    double adj[6];
    return kap_p_adjust(adj, p, 6, KAP_PADJUST_HOMMEL, NULL);
}

static int sc_lm(void *ctx)
{
    (void)ctx;
    kap_lm *m = NULL;
    int rc = kap_lm_fit(&m, y10, x10, 10, 1, 1, 0.95, NULL);
    kap_lm_free(m);
    return rc;
}

static int sc_ancova(void *ctx)
{
    (void)ctx;
    kap_ancova *a = NULL;
    int rc = kap_ancova_fit(&a, y10, x10, g10, 10, 3, 0, NULL, 0, NULL, 0.95, NULL);
    kap_ancova_free(a);
    return rc;
}

static int sc_anova(void *ctx)
{
    (void)ctx;
    kap_anova_oneway_result r;
    return kap_anova_oneway(&r, y10, g10, 10, 3, 0.95, KAP_TWO_SIDED, NULL);
}

/* The report of a small two-arm trial: build, render every format, compare
 * with itself.  The trial is ingested before main() (no injection armed):
 * the sweep targets the report, not ingestion. */
static kap_trial *report_trial;

__attribute__((constructor)) static void report_trial_init(void)
{
    static const char csv[] =
        "participant_id,arm,sex,age,madrs_baseline,madrs_week2,madrs_week4,phq9_baseline,"
        "phq9_week4\n"
        "P1,ketamine,F,34,30,20,12,18,9\nP2,ketamine,M,41,28,14,,15,10\n"
        "P3,ketamine,F,29,33,25,20,20,16\nP4,placebo,M,52,31,29,27,17,15\n"
        "P5,placebo,F,47,29,,26,16,\nP6,placebo,F,38,34,30,29,19,18\n";
    kap_ingest_memory(&report_trial, "mem.csv", csv, sizeof csv - 1, NULL, NULL);
}

__attribute__((destructor)) static void report_trial_fini(void)
{
    kap_trial_free(report_trial);
}

static int sc_report(void *ctx)
{
    (void)ctx;
    kap_report *r = NULL;
    kap_report_diff *d = NULL;
    int rc = report_trial ? kap_report_build(&r, report_trial, NULL, NULL) : KAP_EINVAL;
    for (int f = 0; f < 3 && !rc; f++) {
        size_t len;
        char buf[64];
        rc = kap_report_render(buf, sizeof buf, &len, r, (kap_report_format)f, NULL);
    }
    if (!rc)
        rc = kap_report_compare(&d, r, r, 1e-9, NULL);
    kap_report_diff_free(d);
    kap_report_free(r);
    return rc;
}

const scenario scenarios[] = {
    {"meta REML + Q-profile", sc_meta_reml},
    {"p_adjust hommel", sc_p_adjust},
    {"lm fit", sc_lm},
    {"ancova", sc_ancova},
    {"anova oneway", sc_anova},
    {"report build + render", sc_report},
    {NULL, NULL},
};
