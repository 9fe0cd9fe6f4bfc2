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

/* A small trial for the analysis workflows, ingested once before main()
 * (no injected failure then) so that the sweep covers the analyses only. */
static const char trial_csv[] =
    "participant_id,arm,site,age,madrs_baseline,madrs_week8,hr_baseline,hr_day1,ae_nausea,ae_rash\n"
    "P01,drug,A,25,30,12,70,95,1,0\nP02,drug,A,40,28,20,72,80,0,\nP03,drug,B,55,31,10,68,99,1,0\n"
    "P04,drug,B,70,29,22,75,84,0,0\nP05,drug,A,33,32,9,80,118,1,1\nP06,drug,,47,27,15,66,70,0,0\n"
    "P07,placebo,A,29,30,25,71,72,0,0\nP08,placebo,A,51,29,21,74,76,1,0\nP09,placebo,B,38,33,28,69,71,0,0\n"
    "P10,placebo,B,66,26,24,77,79,0,0\nP11,placebo,A,44,31,18,73,75,0,0\nP12,placebo,B,,30,27,70,74,0,0\n";

static kap_trial *fault_trial;

__attribute__((constructor)) static void fault_trial_load(void)
{
    kap_ingest_memory(&fault_trial, "fault.csv", trial_csv, sizeof trial_csv - 1, NULL, NULL);
}

__attribute__((destructor)) static void fault_trial_free(void)
{
    kap_trial_free(fault_trial);
}

static int with_trial(int (*fn)(const kap_trial *t))
{
    return fault_trial ? fn(fault_trial) : KAP_EINVAL;
}

static int run_subgroup(const kap_trial *t)
{
    const char *vars[] = {"site", "age"};
    kap_subgroup_family *f = NULL;
    int rc = kap_subgroup_family_run(&f, t, "madrs", "week8", vars, 2, NULL, KAP_PADJUST_HOLM, NULL);
    kap_subgroup_family_free(f);
    if (rc != KAP_OK)
        return rc;
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    o.measure = KAP_MEASURE_RESPONSE;
    kap_subgroup *sg = NULL;
    rc = kap_subgroup_run(&sg, t, "madrs", "week8", "site", &o, NULL);
    kap_subgroup_free(sg);
    return rc;
}

static int run_tables(const kap_trial *t)
{
    kap_table1 *tb = NULL;
    int rc = kap_table1_run(&tb, t, NULL, 0, NULL, NULL, NULL);
    kap_table1_free(tb);
    if (rc != KAP_OK)
        return rc;
    const char *lv[] = {"A", "C"};
    const double pr[] = {0.5, 0.1};
    kap_representation_options o = KAP_REPRESENTATION_OPTIONS_INIT;
    o.reference_levels = lv;
    o.reference_props = pr;
    o.n_reference = 2;
    kap_representation *r = NULL;
    rc = kap_representation_run(&r, t, "site", &o, NULL);
    kap_representation_free(r);
    return rc;
}

static int run_safety(const kap_trial *t)
{
    kap_ae_table *ae = NULL;
    int rc = kap_safety_ae(&ae, t, NULL, NULL);
    kap_ae_table_free(ae);
    if (rc != KAP_OK)
        return rc;
    kap_vitals_table *vt = NULL;
    rc = kap_safety_vitals(&vt, t, NULL, NULL);
    kap_vitals_table_free(vt);
    return rc;
}

static int sc_subgroup(void *ctx)
{
    (void)ctx;
    return with_trial(run_subgroup);
}

static int sc_tables(void *ctx)
{
    (void)ctx;
    return with_trial(run_tables);
}

static int sc_safety(void *ctx)
{
    (void)ctx;
    return with_trial(run_safety);
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
    {"subgroup family + binary", sc_subgroup},
    {"table 1 + representation", sc_tables},
    {"safety AE + vitals", sc_safety},
    {"report build + render", sc_report},
    {NULL, NULL},
};
