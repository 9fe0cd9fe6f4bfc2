/* tests/test_compare.c - the primary comparison on the real public
 * antidepressant trial (datasets/antidepressant), HAM-D17 change at Week 6,
 * DRUG vs PLACEBO, complete case and LOCF, against R 4.2 (t.test, lm,
 * emmeans, effectsize::hedges_g, fisher.test): tests/reference/
 * antidepressant.R and .out. */
#include "kap_test.h"
#include "kapstats.h"

#include <stdio.h>
#include <string.h>

#define REF "antidepressant.out"

static kap_trial *load(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../datasets/antidepressant/antidepressant_adam.csv",
             KAP_TEST_DIR);
    const char *paths[1] = {path};
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, paths, 1, NULL, &e);
    if (rc != KAP_OK)
        fprintf(stderr, "ingest: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return t;
}

static void check_rule(const char *rule, kap_missing_rule missing)
{
    kap_trial *t = load();
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    o.missing = missing;
    kap_compare *c = NULL;
    kap_error e;
    int rc = kap_compare_run(&c, t, "hamd17", "week6", &o, &e);
    if (rc)
        fprintf(stderr, "compare: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL(kap_compare_n_arms(c), 2);
    size_t ctl = kap_compare_control(c);
    CU_ASSERT_STRING_EQUAL(kap_compare_arm_at(c, ctl)->name, "PLACEBO");
    const kap_compare_arm *D = kap_compare_arm_at(c, 1 - ctl);
    const kap_compare_arm *P = kap_compare_arm_at(c, ctl);
    CU_ASSERT_STRING_EQUAL(D->name, "DRUG");
    char name[128];
#define R(fmt) (snprintf(name, sizeof name, fmt, rule), kt_ref(REF, name))
    KT_ASSERT_REL((double)D->change.n, R("%s.DRUG.n"), 0);
    KT_ASSERT_REL((double)P->change.n, R("%s.PLACEBO.n"), 0);
    KT_ASSERT_REL(D->change.mean, R("%s.DRUG.mean"), 1e-12);
    KT_ASSERT_REL(D->change.sd, R("%s.DRUG.sd"), 1e-12);
    KT_ASSERT_REL(P->change.mean, R("%s.PLACEBO.mean"), 1e-12);
    KT_ASSERT_REL(D->welch.estimate, R("%s.welch.estimate"), 1e-12);
    KT_ASSERT_REL(D->welch.statistic, R("%s.welch.t"), 1e-9);
    KT_ASSERT_REL(D->welch.df, R("%s.welch.df"), 1e-9);
    KT_ASSERT_REL(D->welch.p_value, R("%s.welch.p"), 1e-9);
    KT_ASSERT_REL(D->welch.ci_low, R("%s.welch.ci_low"), 1e-9);
    KT_ASSERT_REL(D->ancova.estimate, R("%s.ancova.estimate"), 1e-9);
    KT_ASSERT_REL(D->ancova.se, R("%s.ancova.se"), 1e-9);
    KT_ASSERT_REL(D->ancova.statistic, R("%s.ancova.t"), 1e-9);
    KT_ASSERT_REL(D->ancova.p_value, R("%s.ancova.p"), 1e-9);
    KT_ASSERT_REL(D->ancova.df, R("%s.ancova.df"), 0);
    KT_ASSERT_REL(D->ancova.ci_low, R("%s.ancova.ci_low"), 1e-9);
    KT_ASSERT_REL(D->ancova.ci_high, R("%s.ancova.ci_high"), 1e-9);
    KT_ASSERT_REL(D->lsmean.estimate, R("%s.lsmean.DRUG"), 1e-9);
    KT_ASSERT_REL(D->lsmean.se, R("%s.lsmean.DRUG.se"), 1e-9);
    KT_ASSERT_REL(P->lsmean.ci_high, R("%s.lsmean.PLACEBO.ci_high"), 1e-9);
    KT_ASSERT_REL(D->hedges_g.estimate, R("%s.hedges_g"), 1e-9);
    KT_ASSERT_REL(D->hedges_g.ci_low, R("%s.hedges_g.ci_low"), 1e-6);
    KT_ASSERT_REL(D->hedges_g.ci_high, R("%s.hedges_g.ci_high"), 1e-6);
    KT_ASSERT_REL((double)D->response.events, R("%s.resp.k.DRUG"), 0);
    KT_ASSERT_REL((double)P->response.events, R("%s.resp.k.PLACEBO"), 0);
    KT_ASSERT_REL((double)D->remission.events, R("%s.rem.k.DRUG"), 0);
    KT_ASSERT_REL(D->response_vs_control.fisher.p_value, R("%s.resp.fisher.p"), 1e-9);
    KT_ASSERT_REL(D->response_vs_control.rd.estimate, R("%s.resp.rd"), 1e-12);
    KT_ASSERT_REL(D->response_vs_control.rr.estimate, R("%s.resp.rr"), 1e-12);
    KT_ASSERT_REL(D->response_vs_control.or_.estimate, R("%s.resp.or"), 1e-12);
    KT_ASSERT_REL(D->remission_vs_control.fisher.p_value, R("%s.rem.fisher.p"), 1e-9);
    KT_ASSERT_REL(D->remission_vs_control.or_.estimate, R("%s.rem.or"), 1e-12);
#undef R
    /* the counts add up */
    const kap_endpoint_counts *n = kap_compare_counts(c);
    CU_ASSERT_EQUAL(n->n_participants, 172);
    CU_ASSERT_EQUAL(n->n_used + n->n_missing_post + n->n_missing_baseline, 172);
    if (missing == KAP_MISSING_LOCF)
        CU_ASSERT_EQUAL(n->n_imputed, 172 - 129);
    kap_compare_free(c);
    kap_trial_free(t);
}

static void test_complete_case(void) { check_rule("cc", KAP_MISSING_COMPLETE_CASE); }
static void test_locf(void) { check_rule("locf", KAP_MISSING_LOCF); }

/* ANCOVA with sex as a categorical covariate (emmeans: equal weights). */
static void test_covariate(void)
{
    kap_trial *t = load();
    const char *covs[1] = {"sex"};
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    o.covariates = covs;
    o.n_covariates = 1;
    kap_compare *c = NULL;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_compare_run(&c, t, "hamd17", "week6", &o, &e), KAP_OK);
    const kap_compare_arm *D = kap_compare_arm_at(c, 0);
    CU_ASSERT_STRING_EQUAL(D->name, "DRUG");
    KT_ASSERT_REL(D->ancova.estimate, kt_ref(REF, "cc.ancova_sex.estimate"), 1e-9);
    KT_ASSERT_REL(D->ancova.se, kt_ref(REF, "cc.ancova_sex.se"), 1e-9);
    KT_ASSERT_REL(D->ancova.p_value, kt_ref(REF, "cc.ancova_sex.p"), 1e-9);
    KT_ASSERT_REL(D->lsmean.estimate, kt_ref(REF, "cc.ancova_sex.lsmean.DRUG"), 1e-9);
    KT_ASSERT_REL(D->lsmean.se, kt_ref(REF, "cc.ancova_sex.lsmean.DRUG.se"), 1e-9);
    kap_compare_free(c);
    kap_trial_free(t);
}

static void test_control_rule(void)
{
    kap_trial *t = load();
    size_t idx;
    kap_error e;
    CU_ASSERT_EQUAL(kap_trial_choose_control(&idx, t, NULL, &e), KAP_OK);
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, idx), "PLACEBO");
    CU_ASSERT_EQUAL(kap_trial_choose_control(&idx, t, "DRUG", &e), KAP_OK);
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, idx), "DRUG");
    CU_ASSERT_EQUAL(kap_trial_choose_control(&idx, t, "nope", &e), KAP_ENOTFOUND);
    /* DRUG as control: the difference flips sign */
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    o.control = "DRUG";
    kap_compare *c = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_compare_run(&c, t, "hamd17", "week6", &o, &e), KAP_OK);
    const kap_compare_arm *P = kap_compare_arm_at(c, 1);
    CU_ASSERT_STRING_EQUAL(P->name, "PLACEBO");
    KT_ASSERT_REL(P->ancova.estimate, -kt_ref(REF, "cc.ancova.estimate"), 1e-9);
    kap_compare_free(c);
    kap_trial_free(t);
}

static void test_errors(void)
{
    kap_trial *t = load();
    kap_compare *c = NULL;
    kap_error e;
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "madrs", "week6", NULL, &e), KAP_ENOTFOUND);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hamd17", "week9", NULL, &e), KAP_ENOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "week9"));
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hamd17", "baseline", NULL, &e), KAP_EINVAL);
    kap_compare_options o = KAP_COMPARE_OPTIONS_INIT;
    o.conf_level = 1.5;
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hamd17", "week6", &o, &e), KAP_EINVAL);
    o = (kap_compare_options)KAP_COMPARE_OPTIONS_INIT;
    o.control = "nope";
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hamd17", "week6", &o, &e), KAP_ENOTFOUND);
    const char *covs[1] = {"nope"};
    o = (kap_compare_options)KAP_COMPARE_OPTIONS_INIT;
    o.covariates = covs;
    o.n_covariates = 1;
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hamd17", "week6", &o, &e), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_compare_run(NULL, t, "hamd17", "week6", NULL, &e), KAP_EINVAL);
    /* a generic outcome without baseline (HAM-A here) */
    CU_ASSERT_EQUAL(kap_compare_run(&c, t, "hama", "week6", NULL, &e), KAP_EDATA);
    kap_compare_free(c);
    kap_trial_free(t);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"complete case vs R", test_complete_case},
        {"LOCF vs R", test_locf},
        {"ANCOVA with a categorical covariate", test_covariate},
        {"control rule", test_control_rule},
        {"errors", test_errors},
        CU_TEST_INFO_NULL};
    return kt_main("compare", tests);
}
