/* Scenarios for tests/fault/sweep.c: one per public workflow. */
#include "kapstats.h"
#include "sweep.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#ifndef KAP_TEST_DIR
#define KAP_TEST_DIR "tests"
#endif
#define INGEST_DIR KAP_TEST_DIR "/data/ingest/"

/* Whole file into a malloc'd buffer (test scaffolding: plain malloc, so it
 * is not counted by the sweep). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static int ingest_mem(const char *file, kap_layout layout, const char *ae)
{
    size_t len = 0;
    char *data = slurp(file, &len);
    if (!data)
        return -100;
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.layout = layout;
    o.ae_path = ae;
    static const char *const codes[] = {"ND", "-99"};
    o.missing_codes = codes;
    o.n_missing_codes = 2;
    static const kap_instrument_range rg[] = {{"ybocs", 0, 40}};
    o.ranges = rg;
    o.n_ranges = 1;
    kap_trial *t = NULL;
    int rc = kap_ingest_memory(&t, file, data, len, &o, NULL);
    kap_trial_free(t);
    free(data);
    return rc;
}

static int sc_ingest_wide(void *ctx)
{
    (void)ctx;
    return ingest_mem(INGEST_DIR "small_wide.csv", KAP_LAYOUT_AUTO, NULL);
}

static int sc_ingest_wide_quoted(void *ctx)
{
    (void)ctx;
    return ingest_mem(INGEST_DIR "bom_crlf_quoted.csv", KAP_LAYOUT_WIDE, NULL);
}

static int sc_ingest_long(void *ctx)
{
    (void)ctx;
    return ingest_mem(INGEST_DIR "small_long.csv", KAP_LAYOUT_LONG, NULL);
}

static int sc_ingest_long_ae(void *ctx)
{
    (void)ctx;
    return ingest_mem(INGEST_DIR "small_long.csv", KAP_LAYOUT_AUTO, INGEST_DIR "small_ae.csv");
}

static int sc_ingest_files(void *ctx)
{
    (void)ctx;
    const char *paths[1] = {INGEST_DIR "small_wide.csv"};
    kap_trial *t = NULL;
    int rc = kap_ingest_files(&t, paths, 1, NULL, NULL);
    kap_trial_free(t);
    return rc;
}

/* Endpoints of every instrument and visit of the small trial. */
static int sc_endpoints(void *ctx)
{
    (void)ctx;
    size_t len = 0;
    char *data = slurp(INGEST_DIR "small_wide.csv", &len);
    if (!data)
        return -100;
    kap_trial *t = NULL;
    int rc = kap_ingest_memory(&t, "small_wide.csv", data, len, NULL, NULL);
    free(data);
    double out[64];
    for (size_t k = 0; rc == KAP_OK && k < kap_trial_n_instruments(t); k++)
        for (size_t v = 1; rc == KAP_OK && v < kap_trial_n_visits(t, k); v++) {
            kap_endpoint_options eo = KAP_ENDPOINT_OPTIONS_INIT;
            eo.missing = KAP_MISSING_LOCF;
            rc = kap_trial_endpoint(out, NULL, t, k, v, KAP_MEASURE_RESPONSE, &eo, NULL);
        }
    kap_trial_free(t);
    return rc;
}

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

static int sc_rank(void *ctx)
{
    (void)ctx;
    kap_rank_options o = KAP_RANK_OPTIONS_INIT;
    o.conf_int = 1;
    kap_result r;
    int rc = kap_rank_mann_whitney(&r, y10, 5, y10 + 5, 5, &o, NULL);
    if (rc == KAP_OK) {
        o.method = KAP_RANK_ASYMPTOTIC;
        rc = kap_rank_signed_rank(&r, y10, x10, 10, &o, NULL);
    }
    if (rc == KAP_OK)
        rc = kap_rank_kruskal_wallis(&r, y10, (const int[10]){0, 0, 0, 1, 1, 1, 2, 2, 2, 2},
                                     10, NULL);
    if (rc == KAP_OK)
        rc = kap_rank_cliffs_delta(&r, y10, 4, y10 + 4, 6, 0, 0.95, KAP_TWO_SIDED, NULL);
    if (rc == KAP_OK)
        rc = kap_rank_biserial_paired(&r, y10, x10, 10, 0, 0.95, KAP_TWO_SIDED, NULL);
    return rc;
}

static int sc_binary(void *ctx)
{
    (void)ctx;
    kap_result r;
    kap_nnt nnt;
    int rc = kap_binary_fisher(&r, 12, 30, 5, 31, KAP_TWO_SIDED, 0.95, NULL);
    if (rc == KAP_OK)
        rc = kap_binary_binom_test(&r, 7, 20, 0.3, KAP_TWO_SIDED, 0.95, NULL);
    if (rc == KAP_OK)
        rc = kap_binary_nnt(&nnt, 12, 30, 5, 31, KAP_EVENT_BENEFICIAL, KAP_RD_NEWCOMBE, 0.95,
                            NULL);
    return rc;
}

static int sc_strat(void *ctx)
{
    (void)ctx;
    static const double a[3] = {10, 8, 12}, b[3] = {20, 22, 18}, c[3] = {5, 6, 4},
                        d[3] = {25, 24, 26};
    kap_cmh_result cr;
    kap_meta_result mr;
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    int rc = kap_strat_cmh(&cr, a, b, c, d, 3, KAP_TWO_SIDED, 0.95, NULL);
    if (rc == KAP_OK)
        rc = kap_strat_woolf(&mr, a, b, c, d, 3, &o, NULL);
    return rc;
}

/* ---- store and analyses ---------------------------------------------------
 * Fixtures are built once before main() (no injected failure then): the
 * small trial in memory and as a store, and the bundled trial opened. */
static kap_trial *fx_small, *fx_bundled;
static char fx_dir[64] = "/tmp/kapfault-XXXXXX";
static char fx_store[128], fx_out[128];

__attribute__((constructor)) static void fixtures_init(void)
{
    const char *p1[1] = {INGEST_DIR "small_wide.csv"};
    const char *p2[1] = {KAP_TEST_DIR "/../datasets/kap_trial_wide.csv"};
    if (!mkdtemp(fx_dir))
        return;
    snprintf(fx_store, sizeof fx_store, "%s/small.h5", fx_dir);
    snprintf(fx_out, sizeof fx_out, "%s/out.h5", fx_dir);
    kap_trial *t = NULL;
    if (kap_ingest_files(&fx_small, p1, 1, NULL, NULL) == KAP_OK)
        kap_trial_write(fx_small, fx_store, NULL);
    if (kap_ingest_files(&t, p2, 1, NULL, NULL) == KAP_OK) {
        char big[128];
        snprintf(big, sizeof big, "%s/bundled.h5", fx_dir);
        if (kap_trial_write(t, big, NULL) == KAP_OK)
            kap_trial_open(&fx_bundled, big, NULL);
        unlink(big);
    }
    kap_trial_free(t);
}

__attribute__((destructor)) static void fixtures_fini(void)
{
    kap_trial_free(fx_small);
    kap_trial_free(fx_bundled);
    unlink(fx_store);
    unlink(fx_out);
    rmdir(fx_dir);
}

/* A failed write must leave nothing behind: no target, no temp file. */
static int dir_clean(void)
{
    DIR *d = opendir(fx_dir);
    struct dirent *e;
    int clean = 1;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-") || !strcmp(e->d_name, "out.h5"))
            clean = 0;
    if (d)
        closedir(d);
    return clean;
}

static int sc_store_write(void *ctx)
{
    (void)ctx;
    if (!fx_small)
        return -100;
    int rc = kap_trial_write(fx_small, fx_out, NULL);
    if (rc != KAP_OK && !dir_clean())
        return -101;   /* a leftover file: reported as a failure */
    unlink(fx_out);
    return rc;
}

/* A trial large enough for chunked, shuffled, deflated datasets: the
 * library's chunk pipeline and its worker threads (default thread count). */
static kap_trial *fx_big;

__attribute__((constructor(200))) static void fixture_big_init(void)
{
    enum { N = 1000 };
    size_t cap = 100 + N * 64, o = 0;
    char *csv = malloc(cap);
    if (!csv)
        return;
    o += (size_t)snprintf(csv + o, cap - o, "participant_id,arm,age,madrs_baseline,"
                          "madrs_week4,madrs_week8,ae_nausea\n");
    for (unsigned i = 0; i < N; i++)
        o += (size_t)snprintf(csv + o, cap - o, "Q%05u,%s,%u,%u,%u,%u,%u\n", i,
                              i % 3 ? "ketamine" : "placebo", 18 + i % 61,
                              i * 7 % 61, i * 13 % 61, i * 29 % 61, i % 5 == 0);
    kap_ingest_memory(&fx_big, "big.csv", csv, o, NULL, NULL);
    free(csv);
}

__attribute__((destructor)) static void fixture_big_fini(void)
{
    kap_trial_free(fx_big);
}

static int sc_store_write_chunked(void *ctx)
{
    (void)ctx;
    if (!fx_big)
        return -100;
    int rc = kap_trial_write(fx_big, fx_out, NULL);
    if (rc != KAP_OK && !dir_clean())
        return -101;
    if (rc == KAP_OK) {
        /* and read back: chunks decoded on threads */
        kap_trial *t = NULL;
        rc = kap_trial_open(&t, fx_out, NULL);
        kap_trial_free(t);
    }
    unlink(fx_out);
    return rc;
}

static int sc_store_open(void *ctx)
{
    (void)ctx;
    kap_trial *t = NULL;
    int rc = kap_trial_open(&t, fx_store, NULL);
    if (rc != KAP_OK && t != NULL)
        return -102;
    kap_trial_free(t);
    return rc;
}

static int sc_compare(void *ctx)
{
    (void)ctx;
    if (!fx_bundled)
        return -100;
    kap_compare *c = NULL;
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    static const char *const cov[2] = {"age", "site"};
    o.covariates = cov;
    o.n_covariates = 2;
    o.missing = KAP_MISSING_LOCF;
    int rc = kap_compare_run(&c, fx_bundled, "madrs", "week8", &o, NULL);
    if (rc != KAP_OK && c != NULL)
        return -102;
    kap_compare_free(c);
    return rc;
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

/* The report written atomically (the same temp-file helper as the store):
 * a failure leaves no file behind. */
static int sc_report_write(void *ctx)
{
    (void)ctx;
    kap_report *r = NULL;
    int rc = report_trial ? kap_report_build(&r, report_trial, NULL, NULL) : KAP_EINVAL;
    if (!rc) {
        rc = kap_report_write(r, KAP_REPORT_JSON, fx_out, NULL);
        if (rc != KAP_OK && !dir_clean())
            rc = -101;
    }
    unlink(fx_out);
    kap_report_free(r);
    return rc;
}

const scenario scenarios[] = {
    {"store write (atomic)", sc_store_write},
    {"store write + open, compressed chunks on threads", sc_store_write_chunked},
    {"store open + validation", sc_store_open},
    {"compare (ANCOVA + covariates, LOCF)", sc_compare},
    {"rank tests and effect sizes", sc_rank},
    {"binary fisher/binom/nnt", sc_binary},
    {"stratified CMH/Woolf", sc_strat},
    {"ingest wide (memory)", sc_ingest_wide},
    {"ingest wide BOM/CRLF/quoted", sc_ingest_wide_quoted},
    {"ingest long (memory)", sc_ingest_long},
    {"ingest long + AE file", sc_ingest_long_ae},
    {"ingest files", sc_ingest_files},
    {"endpoints (LOCF response)", sc_endpoints},
    {"meta REML + Q-profile", sc_meta_reml},
    {"p_adjust hommel", sc_p_adjust},
    {"lm fit", sc_lm},
    {"ancova", sc_ancova},
    {"anova oneway", sc_anova},
    {"subgroup family + binary", sc_subgroup},
    {"table 1 + representation", sc_tables},
    {"safety AE + vitals", sc_safety},
    {"report build + render", sc_report},
    {"report write (atomic)", sc_report_write},
    {NULL, NULL},
};
