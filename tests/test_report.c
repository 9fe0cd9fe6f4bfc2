/* tests/test_report.c - the trial report (kap_report_*): its numbers are
 * the library's own (kap_compare_run, kap_trial_endpoint + kap_describe)
 * carried bit for bit through JSON; study-flow counts recomputed here from
 * the raw scores; determinism; render/write/read/compare contracts; empty
 * sections with reasons for stores that lack what a section needs; every
 * error path.  The CLI, golden files, schema validation and SVG rendering
 * are tested in tests/python/test_report.py. */
#include "kap_test.h"
#include "kapstats.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static kap_trial *load_kap(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../datasets/kap_trial_wide.csv", KAP_TEST_DIR);
    const char *paths[1] = {path};
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, paths, 1, NULL, &e);
    if (rc)
        fprintf(stderr, "ingest: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return t;
}

static kap_trial *load_mem(const char *csv)
{
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_memory(&t, "mem.csv", csv, strlen(csv), NULL, &e);
    if (rc)
        fprintf(stderr, "ingest: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return t;
}

/* Render r as text (malloc'd). */
static char *render(const kap_report *r, kap_report_format f)
{
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(kap_report_render(NULL, 0, &len, r, f, NULL), KAP_OK);
    char *buf = malloc(len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    size_t len2 = 0;
    CU_ASSERT_EQUAL(kap_report_render(buf, len + 1, &len2, r, f, NULL), KAP_OK);
    CU_ASSERT_EQUAL(len, len2);
    CU_ASSERT_EQUAL(strlen(buf), len);
    return buf;
}

static json_t *as_json(const kap_report *r)
{
    char *s = render(r, KAP_REPORT_JSON);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    if (!j)
        fprintf(stderr, "json: %s at %d:%d\n", je.text, je.line, je.column);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    free(s);
    return j;
}

static kap_report *build(const kap_trial *t, const kap_report_options *o)
{
    kap_report *r = NULL;
    kap_error e;
    int rc = kap_report_build(&r, t, o, &e);
    if (rc)
        fprintf(stderr, "build: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return r;
}

/* o[key] for a path "a.b.0.c" (numbers index arrays). */
static json_t *at(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strtok(buf, "."); s && o; s = strtok(NULL, "."))
        o = json_is_array(o) ? json_array_get(o, strtoul(s, NULL, 10)) : json_object_get(o, s);
    return o;
}

static double num(json_t *o, const char *path)
{
    json_t *v = at(o, path);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *path)
{
    json_t *v = at(o, path);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Exact equality of doubles that went through JSON (17 digits). */
#define SAME(a, b) CU_ASSERT((a) == (b))

static void test_primary_numbers(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    json_t *j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "schema"), "kapstats-report");
    CU_ASSERT_EQUAL(num(j, "schema_version"), KAP_REPORT_SCHEMA_VERSION);
    CU_ASSERT_STRING_EQUAL(str(j, "options.instrument"), "madrs");
    CU_ASSERT_STRING_EQUAL(str(j, "options.visit"), "week8");
    CU_ASSERT_STRING_EQUAL(str(j, "options.control"), "active_placebo");
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "ok");
    CU_ASSERT_PTR_NULL(at(j, "timestamp"));
    kap_missing_rule rules[2] = {KAP_MISSING_COMPLETE_CASE, KAP_MISSING_LOCF};
    const char *names[2] = {"complete_case", "locf"};
    for (int k = 0; k < 2; k++) {
        kap_compare_options co = KAP_COMPARE_OPTIONS_INIT;
        co.missing = rules[k];
        kap_compare *c = NULL;
        CU_ASSERT_EQUAL_FATAL(kap_compare_run(&c, t, "madrs", "week8", &co, NULL), KAP_OK);
        json_t *an = at(j, "primary.analyses");
        json_t *a = json_array_get(an, (size_t)k);
        CU_ASSERT_STRING_EQUAL(str(a, "analysis"), names[k]);
        CU_ASSERT_EQUAL(num(a, "counts.used"), kap_compare_counts(c)->n_used);
        CU_ASSERT_EQUAL(num(a, "counts.imputed"), kap_compare_counts(c)->n_imputed);
        CU_ASSERT_EQUAL(num(a, "ancova_n"), kap_compare_ancova_n(c));
        for (size_t i = 0; i < kap_compare_n_arms(c); i++) {
            const kap_compare_arm *A = kap_compare_arm_at(c, i);
            json_t *ja = json_array_get(json_object_get(a, "arms"), i);
            CU_ASSERT_STRING_EQUAL(str(ja, "arm"), A->name);
            SAME(num(ja, "change.mean"), A->change.mean);
            SAME(num(ja, "change.sd"), A->change.sd);
            SAME(num(ja, "baseline.median"), A->baseline.median);
            SAME(num(ja, "lsmean.estimate"), A->lsmean.estimate);
            SAME(num(ja, "lsmean.ci_low"), A->lsmean.ci_low);
            CU_ASSERT_EQUAL(num(ja, "response.events"), A->response.events);
            SAME(num(ja, "remission.ci_high"), A->remission.rate.ci_high);
        }
        const kap_compare_arm *K = kap_compare_arm_at(c, 1 - kap_compare_control(c));
        json_t *con = at(a, "contrasts.0");
        CU_ASSERT_STRING_EQUAL(str(con, "arm"), "ketamine");
        CU_ASSERT_STRING_EQUAL(str(con, "control"), "active_placebo");
        SAME(num(con, "ancova.estimate"), K->ancova.estimate);
        SAME(num(con, "ancova.se"), K->ancova.se);
        SAME(num(con, "ancova.p_value"), K->ancova.p_value);
        SAME(num(con, "ancova.df"), K->ancova.df);
        SAME(num(con, "welch.statistic"), K->welch.statistic);
        SAME(num(con, "hedges_g.estimate"), K->hedges_g.estimate);
        SAME(num(con, "hedges_g.ci_high"), K->hedges_g.ci_high);
        SAME(num(con, "response.rd.estimate"), K->response_vs_control.rd.estimate);
        SAME(num(con, "response.rr.ci_low"), K->response_vs_control.rr.ci_low);
        SAME(num(con, "response.or.ci_high"), K->response_vs_control.or_.ci_high);
        SAME(num(con, "response.fisher.p_value"), K->response_vs_control.fisher.p_value);
        SAME(num(con, "response.nnt.nnt"), K->response_vs_control.nnt.nnt);
        SAME(num(con, "remission.nnt.nntb_high"), K->remission_vs_control.nnt.nntb_high);
        CU_ASSERT_STRING_EQUAL(str(con, "ancova.method"), K->ancova.method);
        kap_compare_free(c);
    }
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);
}

/* Trajectory: kap_trial_endpoint + kap_describe per arm and visit, and
 * the study flow recounted from the raw scores. */
static void test_trajectory_and_flow(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    json_t *j = as_json(r);
    size_t k;
    CU_ASSERT_EQUAL_FATAL(kap_trial_find_instrument(t, "madrs", &k, NULL), KAP_OK);
    size_t np = kap_trial_n_participants(t), nv = kap_trial_n_visits(t, k);
    const int32_t *arm = kap_trial_arms(t);
    const double *y = kap_trial_scores(t, k);
    double *chg = malloc(np * sizeof *chg), *x = malloc(np * sizeof *x);
    json_t *visits = at(j, "trajectory.visits");
    CU_ASSERT_EQUAL(json_array_size(visits), nv - 1);
    kap_endpoint_options eo = KAP_ENDPOINT_OPTIONS_INIT;
    for (size_t v = 1; v < nv; v++) {
        json_t *jv = json_array_get(visits, v - 1);
        CU_ASSERT_STRING_EQUAL(str(jv, "visit"), kap_trial_visit_label(t, k, v));
        CU_ASSERT_EQUAL_FATAL(kap_trial_endpoint(chg, NULL, t, k, v, KAP_MEASURE_CHANGE, &eo, NULL),
                              KAP_OK);
        for (size_t a = 0; a < kap_trial_n_arms(t); a++) {
            size_t n = 0;
            for (size_t i = 0; i < np; i++)
                if (arm[i] == (int32_t)a && !isnan(chg[i]))
                    x[n++] = chg[i];
            kap_describe_result d;
            CU_ASSERT_EQUAL(kap_describe(&d, x, 1, n, 0.95, NULL), KAP_OK);
            json_t *ja = json_array_get(json_object_get(jv, "arms"), a);
            CU_ASSERT_EQUAL(num(ja, "change.n"), d.n);
            SAME(num(ja, "change.mean"), d.mean);
            SAME(num(ja, "change.ci_low"), d.ci_low);
            SAME(num(ja, "change.ci_high"), d.ci_high);
        }
    }
    /* the last trajectory visit is the primary complete-case change */
    SAME(num(j, "trajectory.visits.4.arms.1.change.mean"),
         num(j, "primary.analyses.0.arms.1.change.mean"));
    /* study flow, recounted */
    json_t *fv = at(j, "study_flow.visits");
    CU_ASSERT_EQUAL(json_array_size(fv), nv);
    for (size_t v = 0; v < nv; v++) {
        size_t obs = 0, drop = 0, inter = 0;
        for (size_t i = 0; i < np; i++) {
            int later = 0;
            for (size_t w = v; w < nv; w++)
                later |= !isnan(y[i * nv + w]);
            if (!isnan(y[i * nv + v]))
                obs++;
            else if (later)
                inter++;
            else
                drop++;
        }
        json_t *tot = at(json_array_get(fv, v), "total");
        CU_ASSERT_EQUAL(num(tot, "observed"), obs);
        CU_ASSERT_EQUAL(num(tot, "dropped_out"), drop);
        CU_ASSERT_EQUAL(num(tot, "intermittent_missing"), inter);
        CU_ASSERT_EQUAL(num(tot, "missing"), drop + inter);
    }
    CU_ASSERT_EQUAL(num(j, "study_flow.visits.5.total.observed"), 205);
    CU_ASSERT_EQUAL(num(j, "study_flow.participants"), 240);
    CU_ASSERT_EQUAL(num(j, "study_flow.arms.0.randomised") + num(j, "study_flow.arms.1.randomised"),
                    240);
    /* secondary: phq9 and pcl5, not cadss or vitals */
    CU_ASSERT_EQUAL(json_array_size(at(j, "secondary.instruments")), 2);
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.instruments.0.instrument"), "phq9");
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.instruments.1.instrument"), "pcl5");
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.instruments.1.visit"), "week8");
    /* pcl5 has no remission cut-off: null with a note */
    json_t *rem = at(j, "secondary.instruments.1.comparison.contrasts.0.remission.rd");
    CU_ASSERT(json_is_null(json_object_get(rem, "estimate")));
    CU_ASSERT(json_is_string(json_object_get(rem, "note")));
    free(chg);
    free(x);
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);
}

/* Every object holding a null number has a string "note" (or is a
 * section with a reason). */
static int note_rule(json_t *o, char *where, size_t n)
{
    int bad = 0;
    if (json_is_object(o)) {
        int has_null = 0;
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v) {
            if (json_is_null(v) && strcmp(k, "note") && strcmp(k, "reason") &&
                strcmp(k, "comparison") && strcmp(k, "trajectory") && strcmp(k, "control") &&
                strcmp(k, "instrument") && strcmp(k, "visit") && strcmp(k, "remission") &&
                strcmp(k, "method"))
                has_null = 1;
            bad += note_rule(v, where, n);
        }
        if (has_null && !json_is_string(json_object_get(o, "note"))) {
            char *s = json_dumps(o, JSON_COMPACT);
            snprintf(where, n, "%.200s", s);
            free(s);
            bad++;
        }
    } else if (json_is_array(o)) {
        size_t i;
        json_t *v;
        json_array_foreach(o, i, v) bad += note_rule(v, where, n);
    }
    return bad;
}

/* Sections 2, 6 and 7 carry the subgroup and safety modules' numbers. */
static void test_subgroups_safety_table1(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    json_t *j = as_json(r);
    /* subgroups: the family of the default variables, Holm across them */
    const char *vars[] = {"race", "ethnicity", "sex", "age", "format", "site"};
    kap_subgroup_options so = KAP_SUBGROUP_OPTIONS_INIT;
    so.control = "active_placebo";
    kap_subgroup_family *f = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_family_run(&f, t, "madrs", "week8", vars, 6, &so,
                                                  KAP_PADJUST_HOLM, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(str(j, "subgroups.status"), "ok");
    CU_ASSERT_EQUAL(json_array_size(at(j, "subgroups.variables")), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *v = json_array_get(at(j, "subgroups.variables"), i);
        const kap_subgroup *sg = kap_subgroup_family_get(f, i);
        CU_ASSERT_STRING_EQUAL(str(v, "variable"), vars[i]);
        SAME(num(v, "interaction.p_value"), kap_subgroup_family_p(f, i));
        SAME(num(v, "interaction.p_adjusted"), kap_subgroup_family_p_adjusted(f, i));
        SAME(num(v, "interaction.f.statistic"), kap_subgroup_get_interaction(sg)->f.statistic);
        const kap_meta_result *h = kap_subgroup_heterogeneity(sg, KAP_META_REML);
        SAME(num(v, "heterogeneity.q"), h->Q);
        CU_ASSERT(num(v, "heterogeneity.i2") == h->I2 || (isnan(h->I2) &&
                  json_is_null(at(v, "heterogeneity.i2"))));
        CU_ASSERT_EQUAL(json_array_size(at(v, "levels")), kap_subgroup_n_rows(sg));
        for (size_t l = 0; l < kap_subgroup_n_rows(sg); l++) {
            const kap_subgroup_row *row = kap_subgroup_row_at(sg, l);
            json_t *lv = json_array_get(at(v, "levels"), l);
            CU_ASSERT_STRING_EQUAL(str(lv, "level"), row->level);
            CU_ASSERT_EQUAL(num(lv, "n_treatment"), row->n_treat);
            if (!isnan(row->diff.estimate))
                SAME(num(lv, "difference.estimate"), row->diff.estimate);
            if (!isnan(row->p_adjusted))
                SAME(num(lv, "p_adjusted"), row->p_adjusted);
        }
        /* forest rows: the levels (not the missing line) + the pooled one */
        size_t nf = json_array_size(at(v, "forest"));
        CU_ASSERT_EQUAL(nf, kap_subgroup_n_levels(sg) + 1);
        CU_ASSERT(json_is_true(at(json_array_get(at(v, "forest"), nf - 1), "overall")));
        SAME(num(json_array_get(at(v, "forest"), nf - 1), "estimate"), h->pooled.estimate);
    }
    kap_subgroup_family_free(f);
    /* safety */
    kap_safety_options sfo = KAP_SAFETY_OPTIONS_INIT;
    sfo.control = "active_placebo";
    kap_ae_table *ae = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_ae(&ae, t, &sfo, NULL), KAP_OK);
    CU_ASSERT_EQUAL(json_array_size(at(j, "safety.adverse_events.terms")), kap_ae_table_n_terms(ae));
    for (size_t i = 0; i < kap_ae_table_n_terms(ae); i++) {
        const kap_ae_row *row = kap_ae_table_row(ae, i);
        json_t *jr = json_array_get(at(j, "safety.adverse_events.terms"), i);
        CU_ASSERT_STRING_EQUAL(str(jr, "term"), row->term);
        /* arms in trial order: active_placebo (control) first */
        CU_ASSERT_STRING_EQUAL(str(jr, "arms.0.arm"), "active_placebo");
        CU_ASSERT_EQUAL(num(jr, "arms.0.events"), row->events_control);
        CU_ASSERT_EQUAL(num(jr, "arms.1.events"), row->events_treat);
        SAME(num(jr, "arms.1.ci_high"), row->incidence_treat.ci_high);
        SAME(num(jr, "risk_difference.estimate"), row->risk_difference.estimate);
        SAME(num(jr, "fisher.p_value"), row->fisher.p_value);
    }
    CU_ASSERT_EQUAL(num(j, "safety.adverse_events.any.arms.1.events"),
                    kap_ae_table_any(ae)->events_treat);
    kap_ae_table_free(ae);
    kap_vitals_table *vt = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_vitals(&vt, t, &sfo, NULL), KAP_OK);
    size_t rows = 0, ni = json_array_size(at(j, "safety.vitals.instruments"));
    for (size_t i = 0; i < ni; i++) {
        json_t *in = json_array_get(at(j, "safety.vitals.instruments"), i);
        for (size_t v = 0; v < json_array_size(at(in, "visits")); v++)
            for (size_t a = 0; a < json_array_size(at(json_array_get(at(in, "visits"), v), "arms"));
                 a++) {
                const kap_vital_row *row = kap_vitals_table_row(vt, rows++);
                json_t *ja = at(json_array_get(at(in, "visits"), v), "arms");
                ja = json_array_get(ja, a);
                CU_ASSERT_STRING_EQUAL(str(in, "instrument"), row->instrument);
                CU_ASSERT_STRING_EQUAL(str(ja, "arm"), row->arm);
                SAME(num(ja, "value.mean"), row->value.mean);
                CU_ASSERT_EQUAL(num(ja, "n_exceed"), row->n_exceed);
            }
    }
    CU_ASSERT_EQUAL(rows, kap_vitals_table_n_rows(vt));
    CU_ASSERT_STRING_EQUAL(str(j, "safety.vitals.instruments.0.instrument"), "cadss");
    kap_vitals_table_free(vt);
    /* Table 1 and representation */
    kap_table1 *tb = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_table1_run(&tb, t, NULL, 0, NULL, "active_placebo", NULL), KAP_OK);
    CU_ASSERT_EQUAL(json_array_size(at(j, "representation.table1.variables")), kap_table1_n_vars(tb));
    for (size_t v = 0; v < kap_table1_n_vars(tb); v++) {
        json_t *jv = json_array_get(at(j, "representation.table1.variables"), v);
        CU_ASSERT_STRING_EQUAL(str(jv, "variable"), kap_table1_var_name(tb, v));
        SAME(num(jv, "smd"), kap_table1_smd(tb, v));
        CU_ASSERT_EQUAL(num(jv, "overall.missing"), kap_table1_n_missing(tb, v, kap_table1_n_arms(tb)));
    }
    kap_table1_free(tb);
    CU_ASSERT_EQUAL(json_array_size(at(j, "representation.variables")), 6);
    CU_ASSERT_STRING_EQUAL(str(j, "representation.variables.3.variable"), "age");
    CU_ASSERT_STRING_EQUAL(str(j, "representation.variables.3.levels.0.level"), "18-34");
    CU_ASSERT_EQUAL(num(j, "representation.variables.0.levels.5.overall.count"), 177); /* White */
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);
}

static void test_null_notes(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    json_t *j = as_json(r);
    char where[256] = "";
    int bad = note_rule(j, where, sizeof where);
    if (bad)
        fprintf(stderr, "null without note: %s\n", where);
    CU_ASSERT_EQUAL(bad, 0);
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);
}

static void test_determinism(void)
{
    kap_trial *t = load_kap();
    kap_report *r1 = build(t, NULL), *r2 = build(t, NULL);
    for (int f = 0; f < 3; f++) {
        char *a = render(r1, (kap_report_format)f), *b = render(r2, (kap_report_format)f);
        CU_ASSERT_STRING_EQUAL(a, b);
        /* the C.UTF-8 locale and another time zone change nothing */
        setlocale(LC_ALL, "C.UTF-8");
        setenv("TZ", "Pacific/Kiritimati", 1);
        char *c = render(r1, (kap_report_format)f);
        CU_ASSERT_STRING_EQUAL(a, c);
        setlocale(LC_ALL, "C");
        unsetenv("TZ");
        free(a);
        free(b);
        free(c);
    }
    kap_report_free(r1);
    kap_report_free(r2);
    kap_trial_free(t);
}

static void test_render_buffer(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    char *full = render(r, KAP_REPORT_MARKDOWN);
    char small[16];
    size_t len = 0;
    memset(small, 'x', sizeof small);
    CU_ASSERT_EQUAL(kap_report_render(small, sizeof small, &len, r, KAP_REPORT_MARKDOWN, NULL),
                    KAP_OK);
    CU_ASSERT_EQUAL(len, strlen(full));
    CU_ASSERT_EQUAL(small[15], '\0');
    CU_ASSERT_EQUAL(strncmp(small, full, 15), 0);
    CU_ASSERT_EQUAL(kap_report_render(small, 1, NULL, r, KAP_REPORT_JSON, NULL), KAP_OK);
    CU_ASSERT_EQUAL(small[0], '\0');
    kap_error e;
    CU_ASSERT_EQUAL(kap_report_render(NULL, 5, &len, r, KAP_REPORT_JSON, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_render(NULL, 0, &len, NULL, KAP_REPORT_JSON, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_render(NULL, 0, &len, r, (kap_report_format)7, &e), KAP_EINVAL);
    /* the long methods paragraph is complete, up to the provenance */
    CU_ASSERT_PTR_NOT_NULL(strstr(full, "(Clopper-Pearson). Data: store written by libkapstats"));
    CU_ASSERT_PTR_NOT_NULL(strstr(full, "SHA-256 a4b7b5d5b0ef73f1fc0801759f470641fc2d93f3f5ed2f5b53698294c281a64a)."));
    /* HTML: self-contained, no scripts or external resources */
    char *html = render(r, KAP_REPORT_HTML);
    CU_ASSERT_PTR_NULL(strstr(html, "<script"));
    CU_ASSERT_PTR_NULL(strstr(html, "http://" "cdn"));
    CU_ASSERT_PTR_NULL(strstr(html, "src="));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "role=\"img\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "@media print"));
    free(html);
    free(full);
    kap_report_free(r);
    kap_trial_free(t);
}

static void test_format_parse(void)
{
    kap_report_format f;
    CU_ASSERT_EQUAL(kap_report_format_parse(&f, "json", NULL), KAP_OK);
    CU_ASSERT_EQUAL(f, KAP_REPORT_JSON);
    CU_ASSERT_EQUAL(kap_report_format_parse(&f, "md", NULL), KAP_OK);
    CU_ASSERT_EQUAL(f, KAP_REPORT_MARKDOWN);
    CU_ASSERT_EQUAL(kap_report_format_parse(&f, "markdown", NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_report_format_parse(&f, "html", NULL), KAP_OK);
    CU_ASSERT_EQUAL(f, KAP_REPORT_HTML);
    kap_error e;
    CU_ASSERT_EQUAL(kap_report_format_parse(&f, "pdf", &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "pdf"));
    CU_ASSERT_EQUAL(kap_report_format_parse(NULL, "json", NULL), KAP_EINVAL);
}

static void tmpname(char *buf, size_t n, const char *suffix)
{
    snprintf(buf, n, "%s/tests/report_test_%ld%s", KAP_BUILD_DIR, (long)getpid(), suffix);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static void test_write_read_compare(void)
{
    kap_trial *t = load_kap();
    kap_report *r = build(t, NULL);
    char path[1024], path2[1024];
    tmpname(path, sizeof path, ".json");
    tmpname(path2, sizeof path2, "_b.json");
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_report_write(r, KAP_REPORT_JSON, path, &e), KAP_OK);
    char *disk = slurp(path), *mem = render(r, KAP_REPORT_JSON);
    CU_ASSERT_PTR_NOT_NULL_FATAL(disk);
    CU_ASSERT_STRING_EQUAL(disk, mem);
    /* read back: no difference, and the human formats render the same */
    kap_report *back = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_report_read_json(&back, path, &e), KAP_OK);
    kap_report_diff *d = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_report_compare(&d, back, r, 0.0, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_report_diff_count(d), 0);
    kap_report_diff_free(d);
    char *md1 = render(r, KAP_REPORT_MARKDOWN), *md2 = render(back, KAP_REPORT_MARKDOWN);
    CU_ASSERT_STRING_EQUAL(md1, md2);
    char *j2 = render(back, KAP_REPORT_JSON);
    CU_ASSERT_STRING_EQUAL(j2, mem);
    free(md1);
    free(md2);
    free(j2);

    /* change one number slightly and one a lot; drop an arm's entry */
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_t *anc = at(j, "primary.analyses.0.contrasts.0.ancova");
    double est = json_real_value(json_object_get(anc, "estimate"));
    json_object_set_new(anc, "estimate", json_real(est * (1 + 1e-12)));
    json_t *g = at(j, "primary.analyses.1.contrasts.0.hedges_g");
    json_object_set_new(g, "ci_low", json_real(-0.5));
    json_array_remove(at(j, "trajectory.visits.0.arms"), 1);
    json_object_set_new(j, "timestamp", json_string("2026-01-01T00:00:00Z"));
    CU_ASSERT_EQUAL(json_dump_file(j, path2, JSON_INDENT(2) | JSON_REAL_PRECISION(17)), 0);
    json_decref(j);
    kap_report *old = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_report_read_json(&old, path2, &e), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_report_compare(&d, old, r, 1e-9, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_report_diff_count(d), 2);
    const char *p, *ov, *nv;
    /* in document order */
    CU_ASSERT_EQUAL(kap_report_diff_get(d, 0, &p, &ov, &nv), KAP_OK);
    CU_ASSERT_STRING_EQUAL(p, "$.primary.analyses[analysis=locf].contrasts[arm=ketamine].hedges_g.ci_low");
    CU_ASSERT(ov && !strcmp(ov, "-0.5"));
    CU_ASSERT_EQUAL(kap_report_diff_get(d, 1, &p, &ov, &nv), KAP_OK);
    CU_ASSERT_STRING_EQUAL(p, "$.trajectory.visits[visit=day1].arms[arm=ketamine]");
    CU_ASSERT_PTR_NULL(ov);
    CU_ASSERT(nv && !strncmp(nv, "{\"arm\":\"ketamine\"", 17));
    CU_ASSERT_EQUAL(kap_report_diff_get(d, 2, &p, &ov, &nv), KAP_EINVAL);
    kap_report_diff_free(d);
    /* with rtol 0 the 1e-12 change counts too */
    CU_ASSERT_EQUAL_FATAL(kap_report_compare(&d, old, r, 0.0, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_report_diff_count(d), 3);
    kap_report_diff_free(d);
    CU_ASSERT_EQUAL(kap_report_compare(&d, old, r, -1, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_compare(&d, old, r, NAN, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_compare(&d, NULL, r, 0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_compare(NULL, old, r, 0, &e), KAP_EINVAL);

    /* write failures leave nothing behind */
    char bad[1100];
    snprintf(bad, sizeof bad, "%s/no/such/dir/r.json", KAP_BUILD_DIR);
    CU_ASSERT_EQUAL(kap_report_write(r, KAP_REPORT_JSON, bad, &e), KAP_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "no/such/dir"));
    CU_ASSERT_EQUAL(kap_report_write(r, KAP_REPORT_JSON, "", &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_write(r, KAP_REPORT_JSON, "dir/", &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_write(NULL, KAP_REPORT_JSON, path, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_write(r, (kap_report_format)9, path, &e), KAP_EINVAL);
    char *still = slurp(path);
    CU_ASSERT_STRING_EQUAL(still, mem); /* untouched by the failed call */
    free(still);

    /* reading errors */
    kap_report *x = (kap_report *)1;
    CU_ASSERT_EQUAL(kap_report_read_json(&x, "/nonexistent/r.json", &e), KAP_EIO);
    CU_ASSERT_PTR_NULL(x);
    FILE *f = fopen(path2, "w");
    fputs("{\n  \"schema\": \"kapstats-report\",\n  oops\n}\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(kap_report_read_json(&x, path2, &e), KAP_EINPUT);
    CU_ASSERT_EQUAL(e.line, 3);
    f = fopen(path2, "w");
    fputs("{\"schema\": \"other\", \"schema_version\": 1}\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(kap_report_read_json(&x, path2, &e), KAP_EFORMAT);
    f = fopen(path2, "w");
    fputs("{\"schema\": \"kapstats-report\", \"schema_version\": 99}\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(kap_report_read_json(&x, path2, &e), KAP_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "99"));
    f = fopen(path2, "w");
    fputs("[1, 2]\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(kap_report_read_json(&x, path2, &e), KAP_EFORMAT);
    CU_ASSERT_EQUAL(kap_report_read_json(NULL, path2, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_read_json(&x, NULL, &e), KAP_EINVAL);

    remove(path);
    remove(path2);
    free(disk);
    free(mem);
    kap_report_free(old);
    kap_report_free(back);
    kap_report_free(r);
    kap_trial_free(t);
}

static void test_options_and_sections(void)
{
    kap_trial *t = load_kap();
    kap_report_options o = KAP_REPORT_OPTIONS_INIT;
    o.instrument = "phq9";
    o.visit = "week4";
    o.control = "active_placebo";
    o.timestamp = "2026-11-29T00:00:00Z";
    o.conf_level = 0.9;
    const char *sg[] = {"sex", "site"};
    o.subgroups = sg;
    o.n_subgroups = 2;
    o.adjust = KAP_PADJUST_BH;
    kap_report *r = build(t, &o);
    json_t *j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "timestamp"), "2026-11-29T00:00:00Z");
    CU_ASSERT_STRING_EQUAL(str(j, "primary.visit"), "week4");
    CU_ASSERT_STRING_EQUAL(str(j, "options.adjust"), "BH");
    CU_ASSERT_STRING_EQUAL(str(j, "options.subgroups.1"), "site");
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.instruments.0.instrument"), "madrs");
    CU_ASSERT_STRING_EQUAL(str(j, "options.control_rule"), "named");
    /* 90% CI: narrower than the default */
    kap_report *r95 = build(t, NULL);
    CU_ASSERT_EQUAL(kap_report_n_sections(r), 7);
    const char *name, *st, *why;
    CU_ASSERT_EQUAL(kap_report_section(r, 2, &name, &st, &why), KAP_OK);
    CU_ASSERT_STRING_EQUAL(name, "primary");
    CU_ASSERT_STRING_EQUAL(st, "ok");
    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_EQUAL(kap_report_section(r, 7, &name, &st, &why), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_section(NULL, 0, &name, &st, &why), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_n_sections(NULL), 0);
    json_decref(j);
    kap_report_free(r95);
    kap_report_free(r);

    kap_report *x = (kap_report *)1;
    kap_error e;
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.conf_level = 1.0;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(x);
    o.conf_level = NAN;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.response_threshold = 0;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.version = 99;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.adjust = (kap_padjust_method)42;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.n_subgroups = 1;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    const char *nullname[1] = {NULL};
    o.subgroups = nullname;
    CU_ASSERT_EQUAL(kap_report_build(&x, t, &o, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_build(&x, NULL, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_report_build(NULL, t, NULL, &e), KAP_EINVAL);
    kap_report_free(NULL);
    kap_report_diff_free(NULL);
    CU_ASSERT_EQUAL(kap_report_diff_count(NULL), 0);
    kap_trial_free(t);
}

static const char *section_reason(json_t *j, const char *s)
{
    return str(json_object_get(j, s), "reason");
}

/* Stores that lack what a section needs: the section says why, the rest of
 * the report is produced. */
static void test_empty_sections(void)
{
    /* one arm */
    kap_trial *t = load_mem("participant_id,arm,madrs_baseline,madrs_week2\n"
                            "P1,ketamine,30,20\nP2,ketamine,28,14\nP3,ketamine,33,25\n");
    kap_report *r = build(t, NULL);
    json_t *j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "empty");
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "1 arm"));
    CU_ASSERT_STRING_EQUAL(str(j, "study_flow.status"), "ok");
    CU_ASSERT_STRING_EQUAL(str(j, "trajectory.status"), "ok");
    CU_ASSERT_EQUAL(num(j, "trajectory.visits.0.arms.0.change.n"), 3);
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.status"), "empty");
    CU_ASSERT_STRING_EQUAL(str(j, "subgroups.status"), "empty");
    CU_ASSERT_STRING_EQUAL(str(j, "safety.status"), "empty");
    CU_ASSERT_PTR_NOT_NULL(strstr(str(j, "safety.adverse_events.reason"), "no adverse-event"));
    CU_ASSERT_STRING_EQUAL(str(j, "representation.table1.status"), "empty");
    char *md = render(r, KAP_REPORT_MARKDOWN), *html = render(r, KAP_REPORT_HTML);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "1 arm"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "1 arm"));
    free(md);
    free(html);
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);

    /* no baseline visit */
    t = load_mem("participant_id,arm,madrs_week2,madrs_week4\n"
                 "P1,ketamine,20,18\nP2,placebo,28,14\nP3,ketamine,33,25\nP4,placebo,30,30\n");
    r = build(t, NULL);
    j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "empty");
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "baseline"));
    CU_ASSERT_STRING_EQUAL(str(j, "trajectory.status"), "empty");
    CU_ASSERT_STRING_EQUAL(str(j, "study_flow.status"), "ok");
    json_decref(j);
    kap_report_free(r);

    /* unknown instrument, unknown visit, the baseline as visit, no control */
    kap_trial_free(t);
    t = load_kap();
    kap_report_options o = KAP_REPORT_OPTIONS_INIT;
    o.instrument = "bdi2";
    r = build(t, &o);
    j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "empty");
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "unknown instrument 'bdi2'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "madrs"));
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.status"), "ok");
    json_decref(j);
    kap_report_free(r);
    o.instrument = "madrs";
    o.visit = "week99";
    r = build(t, &o);
    j = as_json(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "unknown visit 'week99'"));
    CU_ASSERT_STRING_EQUAL(str(j, "trajectory.status"), "ok");
    json_decref(j);
    kap_report_free(r);
    o.visit = "baseline";
    r = build(t, &o);
    j = as_json(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "baseline"));
    json_decref(j);
    kap_report_free(r);
    o.visit = NULL;
    o.control = "nosuch";
    r = build(t, &o);
    j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "empty");
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "nosuch"));
    CU_ASSERT_STRING_EQUAL(str(j, "secondary.instruments.0.status"), "empty");
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);

    /* two arms, neither looks like a control */
    t = load_mem("participant_id,arm,madrs_baseline,madrs_week2\n"
                 "P1,a,30,20\nP2,b,28,14\nP3,a,33,25\nP4,b,30,29\n");
    r = build(t, NULL);
    j = as_json(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(section_reason(j, "primary"), "control"));
    json_decref(j);
    kap_report_free(r);
    o = (kap_report_options)KAP_REPORT_OPTIONS_INIT;
    o.control = "b";
    r = build(t, &o);
    j = as_json(r);
    CU_ASSERT_STRING_EQUAL(str(j, "primary.status"), "ok");
    json_decref(j);
    kap_report_free(r);
    kap_trial_free(t);
}

int main(void)
{
    setlocale(LC_ALL, "C");
    CU_TestInfo tests[] = {
        {"primary numbers = kap_compare_run, bit for bit", test_primary_numbers},
        {"trajectory and study flow recomputed", test_trajectory_and_flow},
        {"subgroups, safety, Table 1 = their modules", test_subgroups_safety_table1},
        {"null numbers carry a note", test_null_notes},
        {"determinism (runs, locale, TZ)", test_determinism},
        {"render into a caller buffer", test_render_buffer},
        {"format names", test_format_parse},
        {"write, read back, compare", test_write_read_compare},
        {"options and sections", test_options_and_sections},
        {"empty sections say why", test_empty_sections},
        CU_TEST_INFO_NULL};
    return kt_main("report", tests);
}
