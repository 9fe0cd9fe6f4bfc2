/* tests/test_safety.c - adverse-event table and vitals / dissociation
 * tables against R 4.2.2 (binom.test Clopper-Pearson, prop.test Wilson
 * limits combined as Newcombe's hybrid score, Katz log RR, fisher.test,
 * quantile type 7): tests/reference/safety.R -> safety.out.  Data: the
 * bundled datasets/kap_trial_wide.csv and tests/reference/subgroup_small.csv
 * (a term with "not recorded" flags, a term with no event in either arm). */
#include "kap_test.h"
#include "kapstats.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CLOSED 1e-9

static double R(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double R(const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return kt_ref("safety.out", name);
}

static kap_trial *load(const char *relative)
{
    char path[1024];
    kt_path(path, sizeof path, relative);
    const char *p = path;
    kap_trial *t = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_ingest_files(&t, &p, 1, NULL, NULL), KAP_OK);
    return t;
}

static void check_row(const kap_ae_row *r, const char *tag, const char *term)
{
    CU_ASSERT_EQUAL(r->events_treat, (size_t)R("%s.%s.e1", tag, term));
    CU_ASSERT_EQUAL(r->n_treat, (size_t)R("%s.%s.n1", tag, term));
    CU_ASSERT_EQUAL(r->not_recorded_treat, (size_t)R("%s.%s.nr1", tag, term));
    CU_ASSERT_EQUAL(r->events_control, (size_t)R("%s.%s.e2", tag, term));
    CU_ASSERT_EQUAL(r->n_control, (size_t)R("%s.%s.n2", tag, term));
    CU_ASSERT_EQUAL(r->not_recorded_control, (size_t)R("%s.%s.nr2", tag, term));
    KT_ASSERT_REL(r->incidence_treat.ci_low, R("%s.%s.p1.lo", tag, term), CLOSED);
    KT_ASSERT_REL(r->incidence_treat.ci_high, R("%s.%s.p1.hi", tag, term), CLOSED);
    KT_ASSERT_REL(r->incidence_control.ci_low, R("%s.%s.p2.lo", tag, term), CLOSED);
    KT_ASSERT_REL(r->incidence_control.ci_high, R("%s.%s.p2.hi", tag, term), CLOSED);
    KT_ASSERT_REL(r->risk_difference.estimate, R("%s.%s.rd", tag, term), CLOSED);
    KT_ASSERT_REL(r->risk_difference.ci_low, R("%s.%s.rd.lo", tag, term), CLOSED);
    KT_ASSERT_REL(r->risk_difference.ci_high, R("%s.%s.rd.hi", tag, term), CLOSED);
    double rr = R("%s.%s.rr", tag, term);
    if (!isnan(rr)) {
        KT_ASSERT_REL(r->risk_ratio.estimate, rr, CLOSED);
        KT_ASSERT_REL(r->risk_ratio.ci_low, R("%s.%s.rr.lo", tag, term), CLOSED);
        KT_ASSERT_REL(r->risk_ratio.ci_high, R("%s.%s.rr.hi", tag, term), CLOSED);
    }
    KT_ASSERT_REL(r->fisher.p_value, R("%s.%s.fisher.p", tag, term), 1e-7);
}

static void check_table(const kap_trial *t, const char *tag, const char *control)
{
    kap_safety_options o = KAP_SAFETY_OPTIONS_INIT;
    o.control = control;
    kap_ae_table *tb = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_ae(&tb, t, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_ae_table_n_terms(tb), kap_trial_n_ae_terms(t));
    CU_ASSERT_STRING_EQUAL(kap_ae_table_control(tb), control);
    for (size_t i = 0; i < kap_ae_table_n_terms(tb); i++) {
        const kap_ae_row *r = kap_ae_table_row(tb, i);
        /* frequency order, ties by name */
        CU_ASSERT_EQUAL((size_t)R("%s.%s.pos", tag, r->term), i);
        check_row(r, tag, r->term);
    }
    const kap_ae_row *any = kap_ae_table_any(tb);
    CU_ASSERT_STRING_EQUAL(any->term, "any adverse event");
    check_row(any, tag, "ANY");
    CU_ASSERT_PTR_NULL(kap_ae_table_row(tb, kap_ae_table_n_terms(tb)));
    kap_ae_table_free(tb);
}

static void test_ae_wide(void)
{
    kap_trial *t = load("../datasets/kap_trial_wide.csv");
    check_table(t, "ae", "active_placebo");
    kap_trial_free(t);
}

static void test_ae_small(void)
{
    kap_trial *t = load("reference/subgroup_small.csv");
    check_table(t, "ae_small", "ctl");
    kap_safety_options o = KAP_SAFETY_OPTIONS_INIT;
    o.control = "ctl";
    kap_ae_table *tb = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_ae(&tb, t, &o, NULL), KAP_OK);
    /* rash: no event in either arm -> RR undefined (NaN, note), RD 0 with
     * a CI, Fisher p 1 */
    const kap_ae_row *r = kap_ae_table_row(tb, 2);
    CU_ASSERT_STRING_EQUAL(r->term, "rash");
    KT_ASSERT_NAN(r->risk_ratio.estimate);
    CU_ASSERT_PTR_NOT_NULL(r->risk_ratio.note);
    CU_ASSERT_EQUAL(r->risk_difference.estimate, 0);
    CU_ASSERT(r->risk_difference.ci_low < 0 && r->risk_difference.ci_high > 0);
    CU_ASSERT_EQUAL(r->incidence_treat.ci_low, 0);
    /* nausea: the not-recorded flags are out of the denominator */
    r = kap_ae_table_row(tb, 0);
    CU_ASSERT_STRING_EQUAL(r->term, "nausea");
    CU_ASSERT_EQUAL(r->n_treat + r->not_recorded_treat, 28);
    CU_ASSERT_EQUAL(r->not_recorded_control, 2);
    kap_ae_table_free(tb);
    kap_trial_free(t);
}

static void test_ae_no_terms_and_errors(void)
{
    static const char csv[] = "participant_id,arm,madrs_baseline,madrs_week8\n"
                              "P1,a,30,20\nP2,b,31,18\nP3,c,29,25\n";
    kap_trial *t = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_ingest_memory(&t, "mem.csv", csv, sizeof csv - 1, NULL, NULL), KAP_OK);
    kap_safety_options o = KAP_SAFETY_OPTIONS_INIT;
    kap_ae_table *tb = (kap_ae_table *)1;
    kap_error e;
    /* arms a, b, c: no recognisable control without a name */
    CU_ASSERT_EQUAL(kap_safety_ae(&tb, t, &o, &e), KAP_EDATA);
    CU_ASSERT_PTR_NULL(tb);
    o.control = "b";
    CU_ASSERT_EQUAL(kap_safety_ae(&tb, t, &o, &e), KAP_EINVAL); /* 3 arms, no treatment */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "treatment"));
    o.treatment = "zz";
    CU_ASSERT_EQUAL(kap_safety_ae(&tb, t, &o, &e), KAP_ENOTFOUND);
    o.treatment = "b";
    CU_ASSERT_EQUAL(kap_safety_ae(&tb, t, &o, &e), KAP_EDATA);
    o.treatment = "a";
    o.conf_level = 0;
    CU_ASSERT_EQUAL(kap_safety_ae(&tb, t, &o, &e), KAP_EINVAL);
    o.conf_level = 0.95;
    /* no AE terms: an empty table and an any-AE row with nobody recorded */
    CU_ASSERT_EQUAL_FATAL(kap_safety_ae(&tb, t, &o, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_ae_table_n_terms(tb), 0);
    const kap_ae_row *any = kap_ae_table_any(tb);
    CU_ASSERT_EQUAL(any->n_treat, 0);
    CU_ASSERT_EQUAL(any->not_recorded_treat, 1);
    KT_ASSERT_NAN(any->incidence_treat.estimate);
    CU_ASSERT_PTR_NOT_NULL(any->incidence_treat.note);
    kap_ae_table_free(tb);
    /* no vitals: empty table */
    kap_vitals_table *vt = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_vitals(&vt, t, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_vitals_table_n_rows(vt), 0);
    kap_vitals_table_free(vt);
    CU_ASSERT_EQUAL(kap_safety_ae(NULL, t, &o, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_safety_vitals(&vt, NULL, NULL, NULL), KAP_EINVAL);
    o.version = 7;
    CU_ASSERT_EQUAL(kap_safety_vitals(&vt, t, &o, NULL), KAP_EINVAL);
    kap_ae_table_free(NULL);
    kap_vitals_table_free(NULL);
    CU_ASSERT_PTR_NULL(kap_ae_table_any(NULL));
    kap_trial_free(t);
}

static void test_vitals(void)
{
    kap_trial *t = load("../datasets/kap_trial_wide.csv");
    kap_vitals_table *vt = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_safety_vitals(&vt, t, NULL, NULL), KAP_OK);
    size_t checked = 0;
    for (size_t i = 0; i < kap_vitals_table_n_rows(vt); i++) {
        const kap_vital_row *r = kap_vitals_table_row(vt, i);
        size_t a = !strcmp(r->arm, "active_placebo") ? 0 : 1;
        char tag[96];
        snprintf(tag, sizeof tag, "vit.%s.%s.a%zu", r->instrument, r->visit, a);
        CU_ASSERT_EQUAL(r->value.n, (size_t)R("%s.n", tag));
        CU_ASSERT_EQUAL(r->n_assessed, r->value.n);
        KT_ASSERT_REL(r->value.mean, R("%s.mean", tag), CLOSED);
        KT_ASSERT_REL(r->value.sd, R("%s.sd", tag), CLOSED);
        KT_ASSERT_REL(r->value.median, R("%s.median", tag), CLOSED);
        KT_ASSERT_REL(r->value.q1, R("%s.q1", tag), CLOSED);
        KT_ASSERT_REL(r->value.q3, R("%s.q3", tag), CLOSED);
        CU_ASSERT_EQUAL(r->n_exceed, (size_t)R("%s.nex", tag));
        KT_ASSERT_REL(r->exceed.ci_low, R("%s.ex.lo", tag), CLOSED);
        KT_ASSERT_REL(r->exceed.ci_high, R("%s.ex.hi", tag), CLOSED);
        if (r->is_baseline) {
            CU_ASSERT_EQUAL(r->change.n, 0);
            KT_ASSERT_NAN(r->rise);
        } else {
            CU_ASSERT_EQUAL(r->change.n, (size_t)R("%s.chg.n", tag));
            KT_ASSERT_REL(r->change.mean, R("%s.chg.mean", tag), CLOSED);
            KT_ASSERT_REL(r->change.sd, R("%s.chg.sd", tag), CLOSED);
        }
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 4 * 2 * 2); /* cadss, hr, sbp, dbp x 2 visits x 2 arms */
    kap_vitals_table_free(vt);

    /* configurable thresholds: hr above 0 -> everyone exceeds; cadss off */
    kap_safety_threshold th[] = {{"hr", 0.0, NAN}, {"cadss", NAN, NAN}};
    kap_safety_options o = KAP_SAFETY_OPTIONS_INIT;
    o.thresholds = th;
    o.n_thresholds = 2;
    CU_ASSERT_EQUAL_FATAL(kap_safety_vitals(&vt, t, &o, NULL), KAP_OK);
    for (size_t i = 0; i < kap_vitals_table_n_rows(vt); i++) {
        const kap_vital_row *r = kap_vitals_table_row(vt, i);
        if (!strcmp(r->instrument, "hr")) {
            CU_ASSERT_EQUAL(r->n_exceed, r->n_assessed);
        } else if (!strcmp(r->instrument, "cadss")) {
            KT_ASSERT_NAN(r->exceed.estimate);
            CU_ASSERT_PTR_NOT_NULL(r->exceed.note);
        }
    }
    kap_vitals_table_free(vt);
    o.thresholds = NULL;
    CU_ASSERT_EQUAL(kap_safety_vitals(&vt, t, &o, NULL), KAP_EINVAL);
    kap_trial_free(t);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"AE table, bundled trial vs R", test_ae_wide},
        {"AE table, not recorded and zero events vs R", test_ae_small},
        {"AE: no terms, errors", test_ae_no_terms_and_errors},
        {"vitals and dissociation vs R", test_vitals},
        CU_TEST_INFO_NULL};
    return kt_main("safety", tests);
}
