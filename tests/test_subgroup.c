/* tests/test_subgroup.c - subgroup analyses (kap_subgroup_run, family),
 * representation and Table 1, against R 4.2.2 + metafor 3.8-1 +
 * effectsize 0.8.3: t.test, effectsize::hedges_g, prop.test (Wilson),
 * fisher.test, escalc, rma (FE/DL/REML/PM, z and Knapp-Hartung),
 * confint.rma, weights.rma, anova(lm, lm), oneway.test, kruskal.test,
 * mantelhaen.test, rma.mh, p.adjust, and the Yang & Dalton SMD written out
 * in R (tests/reference/subgroup.R -> subgroup.out).  Data: the bundled
 * datasets/kap_trial_wide.csv and tests/reference/subgroup_small.csv. */
#include "kap_test.h"
#include "kapstats.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CLOSED 1e-9
#define ITER 1e-6

static double R(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double R(const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return kt_ref("subgroup.out", name);
}

static kap_trial *load(const char *relative)
{
    char path[1024];
    kt_path(path, sizeof path, relative);
    const char *p = path;
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, &p, 1, NULL, &e);
    if (rc != KAP_OK)
        fprintf(stderr, "ingest %s: %s\n", path, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return t;
}

static kap_trial *wide(void) { return load("../datasets/kap_trial_wide.csv"); }
static kap_trial *small(void) { return load("reference/subgroup_small.csv"); }

static void check_meta(const kap_subgroup *sg, const char *tag, kap_meta_method m,
                       const char *test)
{
    const char *mn = kap_meta_method_name(m);
    const kap_meta_result *h = kap_subgroup_heterogeneity(sg, m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    double tol = (m == KAP_META_REML || m == KAP_META_PM) ? ITER : CLOSED;
    KT_ASSERT_REL(h->pooled.estimate, R("%s.%s.%s.b", tag, mn, test), tol);
    KT_ASSERT_REL(h->pooled.se, R("%s.%s.%s.se", tag, mn, test), tol);
    KT_ASSERT_REL(h->pooled.ci_low, R("%s.%s.%s.lo", tag, mn, test), tol);
    KT_ASSERT_REL(h->pooled.ci_high, R("%s.%s.%s.hi", tag, mn, test), tol);
    KT_ASSERT_REL(h->pooled.p_value, R("%s.%s.%s.p", tag, mn, test), tol);
    double tau2 = R("%s.%s.%s.tau2", tag, mn, test);
    if (tau2 == 0) {
        CU_ASSERT(fabs(h->tau2) < 1e-6);
    } else {
        KT_ASSERT_REL(h->tau2, tau2, tol);
    }
    KT_ASSERT_REL(h->Q, R("%s.%s.%s.Q", tag, mn, test), CLOSED);
    KT_ASSERT_REL(h->Q_p, R("%s.%s.%s.Qp", tag, mn, test), CLOSED);
    double i2 = R("%s.%s.%s.I2", tag, mn, test);
    if (i2 == 0) {
        CU_ASSERT(fabs(h->I2) < 1e-4);
    } else {
        KT_ASSERT_REL(h->I2, i2, tol);
    }
    KT_ASSERT_REL(h->H2, R("%s.%s.%s.H2", tag, mn, test), m == KAP_META_FE ? CLOSED : 1e-5);
    if (m != KAP_META_FE && strcmp(test, "z") == 0 && h->k >= 2) {
        KT_ASSERT_REL(h->I2_ci_low, R("%s.%s.z.I2.lo", tag, mn), 1e-5);
        KT_ASSERT_REL(h->I2_ci_high, R("%s.%s.z.I2.hi", tag, mn), 1e-5);
    }
}

static kap_subgroup *run(const kap_trial *t, const char *var, kap_measure measure,
                         const char *control, int kh)
{
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    o.control = control;
    o.measure = measure;
    o.knapp_hartung = kh;
    kap_subgroup *sg = NULL;
    kap_error e;
    int rc = kap_subgroup_run(&sg, t, "madrs", "week8", var, &o, &e);
    if (rc != KAP_OK)
        fprintf(stderr, "kap_subgroup_run(%s): %s\n", var, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    return sg;
}

static void check_continuous_m(const kap_trial *t, const char *var, const char *tag,
                               const char *control, kap_measure measure)
{
    kap_subgroup *sg = run(t, var, measure, control, 0);
    CU_ASSERT_FALSE(kap_subgroup_is_binary(sg));
    size_t L = kap_subgroup_n_levels(sg);
    for (size_t l = 0; l < L; l++) {
        const kap_subgroup_row *r = kap_subgroup_row_at(sg, l);
        CU_ASSERT_FALSE(r->is_missing);
        CU_ASSERT_EQUAL(r->n_treat, (size_t)R("%s.l%zu.nt", tag, l));
        CU_ASSERT_EQUAL(r->n_control, (size_t)R("%s.l%zu.nc", tag, l));
        CU_ASSERT_EQUAL(r->small, r->n_treat < 5 || r->n_control < 5);
        KT_ASSERT_REL(r->diff.estimate, R("%s.l%zu.diff", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.ci_low, R("%s.l%zu.lo", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.ci_high, R("%s.l%zu.hi", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.statistic, R("%s.l%zu.t", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.df, R("%s.l%zu.df", tag, l), CLOSED);
        KT_ASSERT_REL(r->p_value, R("%s.l%zu.p", tag, l), CLOSED);
        KT_ASSERT_REL(r->p_adjusted, R("%s.l%zu.padj", tag, l), CLOSED);
        KT_ASSERT_REL(r->hedges_g.estimate, R("%s.l%zu.g", tag, l), CLOSED);
        KT_ASSERT_REL(r->hedges_g.ci_low, R("%s.l%zu.g.lo", tag, l), ITER);
        KT_ASSERT_REL(r->hedges_g.ci_high, R("%s.l%zu.g.hi", tag, l), ITER);
        if (r->n_treat)
            KT_ASSERT_REL(r->mean_treat.estimate, R("%s.l%zu.mt", tag, l), CLOSED);
        if (r->n_control)
            KT_ASSERT_REL(r->mean_control.estimate, R("%s.l%zu.mc", tag, l), CLOSED);
        KT_ASSERT_REL(r->yi, R("%s.l%zu.yi", tag, l), CLOSED);
        KT_ASSERT_REL(r->vi, R("%s.l%zu.vi", tag, l), CLOSED);
        CU_ASSERT_EQUAL(r->in_heterogeneity, !isnan(r->vi));
        if (r->in_heterogeneity) {
            KT_ASSERT_REL(r->weight, R("%s.l%zu.w", tag, l), ITER);
            KT_ASSERT_REL(r->forest_estimate, r->diff.estimate, CLOSED);
            CU_ASSERT(r->forest_ci_low < r->forest_estimate && r->forest_estimate < r->forest_ci_high);
        } else {
            KT_ASSERT_NAN(r->weight);
            CU_ASSERT_PTR_NOT_NULL(r->note);
        }
    }
    CU_ASSERT_EQUAL(kap_subgroup_heterogeneity(sg, KAP_META_FE)->k, (size_t)R("%s.k", tag));
    for (int m = 0; m < 4; m++)
        check_meta(sg, tag, (kap_meta_method)m, "z");
    const kap_subgroup_interaction *it = kap_subgroup_get_interaction(sg);
    KT_ASSERT_REL(it->f.statistic, R("%s.int.F", tag), CLOSED);
    KT_ASSERT_REL(it->f.df, R("%s.int.df", tag), CLOSED);
    KT_ASSERT_REL(it->f.df2, R("%s.int.df2", tag), CLOSED);
    KT_ASSERT_REL(it->f.p_value, R("%s.int.p", tag), CLOSED);
    KT_ASSERT_REL(it->f_baseline.statistic, R("%s.intb.F", tag), CLOSED);
    KT_ASSERT_REL(it->f_baseline.df, R("%s.intb.df", tag), CLOSED);
    KT_ASSERT_REL(it->f_baseline.p_value, R("%s.intb.p", tag), CLOSED);
    KT_ASSERT_NAN(it->q_logor.p_value);
    for (int a = 0; a < 2; a++) {
        const kap_subgroup_within *w = kap_subgroup_within_arm(sg, a);
        KT_ASSERT_REL(w->anova_f.statistic, R("%s.within%d.F", tag, a), CLOSED);
        KT_ASSERT_REL(w->anova_f.p_value, R("%s.within%d.F.p", tag, a), CLOSED);
        KT_ASSERT_REL(w->welch_f.statistic, R("%s.within%d.welch", tag, a), CLOSED);
        KT_ASSERT_REL(w->welch_f.df2, R("%s.within%d.welch.df2", tag, a), CLOSED);
        KT_ASSERT_REL(w->welch_f.p_value, R("%s.within%d.welch.p", tag, a), CLOSED);
        KT_ASSERT_REL(w->kruskal.statistic, R("%s.within%d.kw", tag, a), CLOSED);
        KT_ASSERT_REL(w->kruskal.p_value, R("%s.within%d.kw.p", tag, a), CLOSED);
    }
    CU_ASSERT_PTR_NULL(kap_subgroup_cmh(sg));
    CU_ASSERT_PTR_NULL(kap_subgroup_within_arm(sg, 2));
    CU_ASSERT_EQUAL(kap_subgroup_adjust_method(sg), KAP_PADJUST_HOLM);
    CU_ASSERT_PTR_NOT_NULL(strstr(kap_subgroup_adjust_family(sg), var));
    kap_subgroup_free(sg);

    /* Knapp-Hartung variant of every estimator */
    sg = run(t, var, measure, control, 1);
    for (int m = 0; m < 4; m++)
        check_meta(sg, tag, (kap_meta_method)m, "knha");
    kap_subgroup_free(sg);
}

static void check_continuous(const kap_trial *t, const char *var, const char *tag,
                             const char *control)
{
    check_continuous_m(t, var, tag, control, KAP_MEASURE_CHANGE);
}

static void check_binary_m(const kap_trial *t, const char *var, const char *tag,
                           const char *control, kap_measure measure)
{
    kap_subgroup *sg = run(t, var, measure, control, 0);
    CU_ASSERT_TRUE(kap_subgroup_is_binary(sg));
    size_t L = kap_subgroup_n_levels(sg);
    for (size_t l = 0; l < L; l++) {
        const kap_subgroup_row *r = kap_subgroup_row_at(sg, l);
        CU_ASSERT_EQUAL(r->n_treat, (size_t)R("%s.l%zu.nt", tag, l));
        CU_ASSERT_EQUAL(r->n_control, (size_t)R("%s.l%zu.nc", tag, l));
        if (r->n_treat)
            KT_ASSERT_REL((double)r->events_treat / (double)r->n_treat, R("%s.l%zu.pt", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_treat.estimate, R("%s.l%zu.pt", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_treat.ci_low, R("%s.l%zu.pt.lo", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_treat.ci_high, R("%s.l%zu.pt.hi", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_control.estimate, R("%s.l%zu.pc", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_control.ci_low, R("%s.l%zu.pc.lo", tag, l), CLOSED);
        KT_ASSERT_REL(r->mean_control.ci_high, R("%s.l%zu.pc.hi", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.estimate, R("%s.l%zu.rd", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.ci_low, R("%s.l%zu.rd.lo", tag, l), CLOSED);
        KT_ASSERT_REL(r->diff.ci_high, R("%s.l%zu.rd.hi", tag, l), CLOSED);
        KT_ASSERT_REL(r->p_value, R("%s.l%zu.fisher.p", tag, l), 1e-7);
        KT_ASSERT_REL(r->p_adjusted, R("%s.l%zu.padj", tag, l), 1e-7);
        /* R's p1/p2 is NA when either arm has no event; ours 0 or +inf or
         * NaN then (binary.h): compare where R defines it */
        double rr = R("%s.l%zu.rr", tag, l);
        if (!isnan(rr)) {
            KT_ASSERT_REL(r->risk_ratio.estimate, rr, CLOSED);
            KT_ASSERT_REL(r->risk_ratio.ci_low, R("%s.l%zu.rr.lo", tag, l), CLOSED);
            KT_ASSERT_REL(r->risk_ratio.ci_high, R("%s.l%zu.rr.hi", tag, l), CLOSED);
        }
        double orr = R("%s.l%zu.or", tag, l);
        if (!isnan(orr))
            KT_ASSERT_REL(r->odds_ratio.estimate, orr, CLOSED);
        KT_ASSERT_REL(r->yi, R("%s.l%zu.yi", tag, l), CLOSED);
        KT_ASSERT_REL(r->vi, R("%s.l%zu.vi", tag, l), CLOSED);
        if (!isnan(r->yi))
            KT_ASSERT_REL(r->forest_estimate, exp(r->yi), CLOSED);
        KT_ASSERT_NAN(r->hedges_g.estimate);
    }
    for (int m = 0; m < 4; m++)
        check_meta(sg, tag, (kap_meta_method)m, "z");
    const kap_subgroup_interaction *it = kap_subgroup_get_interaction(sg);
    KT_ASSERT_NAN(it->f.p_value);
    CU_ASSERT_PTR_NOT_NULL(it->f.note);
    KT_ASSERT_REL(it->q_logor.statistic, R("%s.FE.z.Q", tag), CLOSED);
    KT_ASSERT_REL(it->q_logor.p_value, R("%s.FE.z.Qp", tag), CLOSED);
    KT_ASSERT_REL(it->breslow_day.statistic, R("%s.bd", tag), CLOSED);
    KT_ASSERT_REL(it->breslow_day.p_value, R("%s.bd.p", tag), CLOSED);
    KT_ASSERT_REL(it->breslow_day_tarone.statistic, R("%s.ta", tag), CLOSED);
    KT_ASSERT_REL(it->breslow_day_tarone.p_value, R("%s.ta.p", tag), CLOSED);
    const kap_cmh_result *c = kap_subgroup_cmh(sg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    KT_ASSERT_REL(c->cmh.statistic, R("%s.cmh.X2", tag), CLOSED);
    KT_ASSERT_REL(c->cmh.p_value, R("%s.cmh.p", tag), CLOSED);
    KT_ASSERT_REL(c->cmh_uncorrected.statistic, R("%s.cmh0.X2", tag), CLOSED);
    KT_ASSERT_REL(c->mh_or.estimate, R("%s.cmh.or", tag), CLOSED);
    KT_ASSERT_REL(c->mh_or.ci_low, R("%s.cmh.or.lo", tag), CLOSED);
    KT_ASSERT_REL(c->mh_or.ci_high, R("%s.cmh.or.hi", tag), CLOSED);
    KT_ASSERT_REL(c->mh_rr.estimate, R("%s.mhrr", tag), CLOSED);
    KT_ASSERT_REL(c->mh_rr.ci_low, R("%s.mhrr.lo", tag), CLOSED);
    KT_ASSERT_REL(c->mh_rr.ci_high, R("%s.mhrr.hi", tag), CLOSED);
    KT_ASSERT_NAN(kap_subgroup_within_arm(sg, 0)->anova_f.statistic);
    kap_subgroup_free(sg);
}

static void check_binary(const kap_trial *t, const char *var, const char *tag,
                         const char *control)
{
    check_binary_m(t, var, tag, control, KAP_MEASURE_RESPONSE);
}

static void test_percent_and_remission(void)
{
    kap_trial *t = wide();
    check_continuous_m(t, "format", "format_pct", "active_placebo", KAP_MEASURE_PERCENT_CHANGE);
    check_binary_m(t, "format", "format_rem", "active_placebo", KAP_MEASURE_REMISSION);
    kap_trial_free(t);
}

static void test_continuous_race(void)
{
    kap_trial *t = wide();
    check_continuous(t, "race", "race", "active_placebo");
    kap_trial_free(t);
}

static void test_continuous_site(void)
{
    kap_trial *t = wide();
    check_continuous(t, "site", "site", "active_placebo");
    kap_trial_free(t);
}

static void test_continuous_age_bands(void)
{
    kap_trial *t = wide();
    check_continuous(t, "age", "age", "active_placebo");
    kap_subgroup *sg = run(t, "age", KAP_MEASURE_CHANGE, "active_placebo", 0);
    CU_ASSERT_EQUAL(kap_subgroup_n_levels(sg), 4);
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 0)->level, "18-34");
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 3)->level, "65+");
    /* 6 participants have no age: their own line, out of the tests */
    CU_ASSERT_EQUAL(kap_subgroup_n_missing(sg), 6);
    CU_ASSERT_EQUAL(kap_subgroup_n_rows(sg), 5);
    const kap_subgroup_row *m = kap_subgroup_row_at(sg, 4);
    CU_ASSERT_TRUE(m->is_missing);
    CU_ASSERT_STRING_EQUAL(m->level, "(missing)");
    CU_ASSERT_EQUAL(m->n_in_level, 6);
    CU_ASSERT_FALSE(m->in_heterogeneity);
    KT_ASSERT_NAN(m->p_adjusted);
    CU_ASSERT_TRUE(m->small);
    kap_subgroup_free(sg);
    kap_trial_free(t);
}

static void test_binary_site_sex(void)
{
    kap_trial *t = wide();
    check_binary(t, "site", "site_resp", "active_placebo");
    check_binary(t, "sex", "sex_resp", "active_placebo");
    kap_trial_free(t);
}

static void test_family(void)
{
    kap_trial *t = wide();
    const char *vars[] = {"race", "sex", "format", "age"};
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    o.control = "active_placebo";
    kap_subgroup_family *f = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_family_run(&f, t, "madrs", "week8", vars, 4, &o,
                                                  KAP_PADJUST_HOLM, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_subgroup_family_size(f), 4);
    for (size_t i = 0; i < 4; i++) {
        KT_ASSERT_REL(kap_subgroup_family_p(f, i), R("family.p%zu", i), CLOSED);
        KT_ASSERT_REL(kap_subgroup_family_p_adjusted(f, i), R("family.padj%zu", i), CLOSED);
        CU_ASSERT_STRING_EQUAL(kap_subgroup_variable(kap_subgroup_family_get(f, i)), vars[i]);
    }
    CU_ASSERT_EQUAL(kap_subgroup_family_method(f), KAP_PADJUST_HOLM);
    CU_ASSERT_PTR_NOT_NULL(strstr(kap_subgroup_family_description(f), "holm"));
    CU_ASSERT_PTR_NULL(kap_subgroup_family_get(f, 4));
    KT_ASSERT_NAN(kap_subgroup_family_p(f, 4));
    kap_subgroup_family_free(f);
    kap_subgroup_family_free(NULL);
    /* an unknown variable in the family names it */
    const char *bad[] = {"race", "nosuch"};
    kap_error e;
    CU_ASSERT_EQUAL(kap_subgroup_family_run(&f, t, "madrs", "week8", bad, 2, &o,
                                            KAP_PADJUST_HOLM, &e), KAP_ENOTFOUND);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "nosuch"));
    CU_ASSERT_EQUAL(kap_subgroup_family_run(&f, t, "madrs", "week8", vars, 0, &o,
                                            KAP_PADJUST_HOLM, NULL), KAP_EINVAL);
    kap_trial_free(t);
}

/* Hand-made trial: site A and C ordinary, B with no responder and zero
 * variance in both arms, D with the treatment arm only, 2 participants
 * without a site. */
static void test_small_edge_cases(void)
{
    kap_trial *t = small();
    check_continuous(t, "site", "small", "ctl");
    check_binary(t, "site", "small_resp", "ctl");
    kap_subgroup *sg = run(t, "site", KAP_MEASURE_CHANGE, "ctl", 0);
    CU_ASSERT_EQUAL(kap_subgroup_n_levels(sg), 4);
    CU_ASSERT_EQUAL(kap_subgroup_n_missing(sg), 2);
    const kap_subgroup_row *b = kap_subgroup_row_at(sg, 1);
    /* zero variance: mean difference 0, t undefined, never dropped */
    CU_ASSERT_STRING_EQUAL(b->level, "B");
    CU_ASSERT_EQUAL(b->n_treat, 6);
    KT_ASSERT_NAN(b->diff.p_value);
    CU_ASSERT_PTR_NOT_NULL(b->diff.note);
    CU_ASSERT_PTR_NOT_NULL(b->note);
    CU_ASSERT_FALSE(b->in_heterogeneity);
    const kap_subgroup_row *d = kap_subgroup_row_at(sg, 3);
    CU_ASSERT_EQUAL(d->n_control, 0);
    CU_ASSERT_TRUE(d->small);
    KT_ASSERT_REL(d->mean_treat.estimate, R("small.l3.mt"), CLOSED);
    CU_ASSERT_PTR_NOT_NULL(d->note);
    const kap_subgroup_row *m = kap_subgroup_row_at(sg, 4);
    CU_ASSERT_TRUE(m->is_missing);
    CU_ASSERT_EQUAL(m->n_treat, 1);
    CU_ASSERT_EQUAL(m->n_control, 1);
    CU_ASSERT_FALSE(kap_subgroup_all_small(sg));
    kap_subgroup_free(sg);

    /* binary: zero events in both arms of B -> RR and OR undefined (NaN
     * with note), RD defined (0 with a CI) */
    sg = run(t, "site", KAP_MEASURE_RESPONSE, "ctl", 0);
    b = kap_subgroup_row_at(sg, 1);
    CU_ASSERT_EQUAL(b->diff.estimate, 0);
    CU_ASSERT(b->diff.ci_low < 0 && b->diff.ci_high > 0);
    KT_ASSERT_NAN(b->risk_ratio.estimate);
    CU_ASSERT_PTR_NOT_NULL(b->risk_ratio.note);
    KT_ASSERT_NAN(b->odds_ratio.estimate);
    CU_ASSERT_PTR_NOT_NULL(b->odds_ratio.note);
    CU_ASSERT_TRUE(b->in_heterogeneity); /* 1/2 added to each cell */
    d = kap_subgroup_row_at(sg, 3);
    KT_ASSERT_NAN(d->diff.estimate);
    CU_ASSERT_FALSE(d->in_heterogeneity);
    kap_subgroup_free(sg);

    /* all levels too small: flagged, still estimated */
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    o.control = "ctl";
    o.min_per_arm = 50;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_run(&sg, t, "madrs", "week8", "site", &o, NULL), KAP_OK);
    CU_ASSERT_TRUE(kap_subgroup_all_small(sg));
    KT_ASSERT_REL(kap_subgroup_row_at(sg, 0)->diff.estimate, R("small.l0.diff"), CLOSED);
    kap_subgroup_free(sg);

    /* numeric cut points given by the caller */
    double cuts[] = {2, 3};
    o.min_per_arm = 5;
    o.cuts = cuts;
    o.n_cuts = 2;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_run(&sg, t, "madrs", "week8", "prior_episodes", &o, NULL),
                          KAP_OK);
    CU_ASSERT_EQUAL(kap_subgroup_n_levels(sg), 3);
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 0)->level, "<2");
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 1)->level, "2-2");
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 2)->level, "3+");
    size_t total = 0;
    for (size_t i = 0; i < kap_subgroup_n_rows(sg); i++)
        total += kap_subgroup_row_at(sg, i)->n_in_level;
    CU_ASSERT_EQUAL(total, kap_trial_n_participants(t));
    kap_subgroup_free(sg);
    double fcuts[] = {1.5};
    o.cuts = fcuts;
    o.n_cuts = 1;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_run(&sg, t, "madrs", "week8", "prior_episodes", &o, NULL),
                          KAP_OK);
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 0)->level, "<1.5");
    CU_ASSERT_STRING_EQUAL(kap_subgroup_row_at(sg, 1)->level, ">=1.5");
    kap_subgroup_free(sg);
    kap_trial_free(t);
}

/* A subgroup variable whose every level holds one arm: no interaction
 * test, heterogeneity with no level, still a result. */
static void test_one_arm_levels(void)
{
    static const char csv[] =
        "participant_id,arm,grp,madrs_baseline,madrs_week8\n"
        "P1,a,x,30,20\nP2,a,x,31,18\nP3,a,x,29,25\n"
        "P4,b,y,30,28\nP5,b,y,32,27\nP6,b,y,28,26\n";
    kap_trial *t = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_ingest_memory(&t, "mem.csv", csv, sizeof csv - 1, NULL, NULL), KAP_OK);
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    o.control = "b";
    kap_subgroup *sg = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_run(&sg, t, "madrs", "week8", "grp", &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_subgroup_n_rows(sg), 2);
    CU_ASSERT_EQUAL(kap_subgroup_row_at(sg, 0)->n_control, 0);
    CU_ASSERT_EQUAL(kap_subgroup_row_at(sg, 1)->n_treat, 0);
    const kap_subgroup_interaction *it = kap_subgroup_get_interaction(sg);
    KT_ASSERT_NAN(it->f.p_value);
    CU_ASSERT_PTR_NOT_NULL(it->f.note);
    /* arms "a" and "b": no recognisable control without a name */
    kap_subgroup *sg2 = NULL;
    o.control = NULL;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg2, t, "madrs", "week8", "grp", &o, NULL), KAP_EDATA);
    CU_ASSERT_PTR_NULL(sg2);
    const kap_meta_result *h = kap_subgroup_heterogeneity(sg, KAP_META_REML);
    CU_ASSERT_EQUAL(h->k, 0);
    KT_ASSERT_NAN(h->pooled.estimate);
    CU_ASSERT_PTR_NOT_NULL(h->het_note);
    KT_ASSERT_NAN(kap_subgroup_within_arm(sg, 0)->anova_f.p_value);
    CU_ASSERT_TRUE(kap_subgroup_all_small(sg));
    kap_subgroup_free(sg);
    kap_trial_free(t);
}

static void test_errors(void)
{
    kap_trial *t = wide();
    kap_subgroup *sg = (kap_subgroup *)1;
    kap_subgroup_options o = KAP_SUBGROUP_OPTIONS_INIT;
    kap_error e;
    /* control NULL: kap_trial_choose_control picks active_placebo */
    CU_ASSERT_EQUAL_FATAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_OK);
    CU_ASSERT_STRING_EQUAL(kap_subgroup_control(sg), "active_placebo");
    CU_ASSERT_STRING_EQUAL(kap_subgroup_treatment(sg), "ketamine");
    kap_subgroup_free(sg);
    o.control = "nosuch";
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_ENOTFOUND);
    CU_ASSERT_PTR_NULL(sg);
    o.control = "active_placebo";
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "nosuch", &o, &e), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "nosuch", "week8", "race", &o, &e), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week99", "race", &o, &e), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "baseline", "race", &o, &e), KAP_EDATA);
    /* numeric variable without cut points (only age has defaults) */
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "prior_episodes", &o, &e),
                    KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "cut points"));
    double bad[] = {30, 20};
    o.cuts = bad;
    o.n_cuts = 2;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "age", &o, &e), KAP_EINVAL);
    o.cuts = NULL;
    o.n_cuts = 0;
    o.treatment = "active_placebo";
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_EDATA);
    o.treatment = "nosuch";
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_ENOTFOUND);
    o.treatment = NULL;
    o.conf_level = 1;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_EINVAL);
    o.conf_level = 0.95;
    o.measure = KAP_MEASURE_VALUE;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_EINVAL);
    o.measure = KAP_MEASURE_CHANGE;
    o.version = 99;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "madrs", "week8", "race", &o, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_subgroup_run(NULL, t, "madrs", "week8", "race", NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, NULL, "madrs", "week8", "race", NULL, NULL), KAP_EINVAL);
    /* NULL getters */
    CU_ASSERT_EQUAL(kap_subgroup_n_rows(NULL), 0);
    CU_ASSERT_PTR_NULL(kap_subgroup_row_at(NULL, 0));
    CU_ASSERT_PTR_NULL(kap_subgroup_heterogeneity(NULL, KAP_META_FE));
    CU_ASSERT_PTR_NULL(kap_subgroup_get_interaction(NULL));
    kap_subgroup_free(NULL);
    /* remission of an instrument without a default cut-off */
    o.version = KAP_SUBGROUP_OPTIONS_VERSION;
    o.measure = KAP_MEASURE_REMISSION;
    CU_ASSERT_EQUAL(kap_subgroup_run(&sg, t, "pcl5", "week8", "race", &o, &e), KAP_EINVAL);
    kap_trial_free(t);
}

/* ---- representation and Table 1 --------------------------------------- */

static void check_rep(const kap_representation *r, const char *tag)
{
    for (size_t a = 0; a <= kap_representation_n_arms(r); a++) {
        CU_ASSERT_EQUAL(kap_representation_n_missing(r, a), (size_t)R("%s.a%zu.missing", tag, a));
        for (size_t l = 0; l < kap_representation_n_levels(r); l++) {
            kap_result c;
            CU_ASSERT_EQUAL_FATAL(kap_representation_cell(&c, r, l, a, NULL), KAP_OK);
            CU_ASSERT_EQUAL(c.n1, (size_t)R("%s.a%zu.l%zu.k", tag, a, l));
            KT_ASSERT_REL(c.estimate, R("%s.a%zu.l%zu.p", tag, a, l), CLOSED);
            KT_ASSERT_REL(c.ci_low, R("%s.a%zu.l%zu.lo", tag, a, l), CLOSED);
            KT_ASSERT_REL(c.ci_high, R("%s.a%zu.l%zu.hi", tag, a, l), CLOSED);
        }
    }
}

static void test_representation(void)
{
    kap_trial *t = wide();
    kap_representation *r = NULL;
    const char *lv[] = {"White", "Black or African American", "Asian", "Martian"};
    double pr[] = {0.60, 0.13, 0.06, 0.0};
    kap_representation_options o = KAP_REPRESENTATION_OPTIONS_INIT;
    o.reference_levels = lv;
    o.reference_props = pr;
    o.n_reference = 4;
    CU_ASSERT_EQUAL_FATAL(kap_representation_run(&r, t, "race", &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_representation_n_arms(r), 2);
    CU_ASSERT_STRING_EQUAL(kap_representation_arm(r, 2), "overall");
    /* 6 trial levels + the reference-only level "Martian" with 0 */
    CU_ASSERT_EQUAL_FATAL(kap_representation_n_levels(r), 7);
    CU_ASSERT_STRING_EQUAL(kap_representation_level(r, 6), "Martian");
    kap_result c;
    CU_ASSERT_EQUAL(kap_representation_cell(&c, r, 6, 2, NULL), KAP_OK);
    CU_ASSERT_EQUAL(c.n1, 0);
    CU_ASSERT_EQUAL(c.estimate, 0);
    CU_ASSERT_EQUAL(kap_representation_diff_pp(r, 6), 0);
    /* check the trial levels only (R has no Martians) */
    for (size_t a = 0; a <= 2; a++)
        for (size_t l = 0; l < 6; l++) {
            CU_ASSERT_EQUAL_FATAL(kap_representation_cell(&c, r, l, a, NULL), KAP_OK);
            KT_ASSERT_REL(c.estimate, R("rep_race.a%zu.l%zu.p", a, l), CLOSED);
            KT_ASSERT_REL(c.ci_low, R("rep_race.a%zu.l%zu.lo", a, l), CLOSED);
            KT_ASSERT_REL(c.ci_high, R("rep_race.a%zu.l%zu.hi", a, l), CLOSED);
        }
    for (size_t l = 0; l < 6; l++) {
        const char *name = kap_representation_level(r, l);
        if (!strcmp(name, "White") || !strcmp(name, "Asian") ||
            !strcmp(name, "Black or African American"))
            KT_ASSERT_REL(kap_representation_diff_pp(r, l), R("rep_race.ref.%zu", l), CLOSED);
        else
            KT_ASSERT_NAN(kap_representation_diff_pp(r, l));
    }
    KT_ASSERT_NAN(kap_representation_reference(r, 0)); /* no reference given */
    for (size_t l = 0; l < 6; l++)
        if (!strcmp(kap_representation_level(r, l), "White"))
            CU_ASSERT_EQUAL(kap_representation_reference(r, l), 0.60);
    kap_representation_free(r);

    CU_ASSERT_EQUAL_FATAL(kap_representation_run(&r, t, "age", NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_representation_n_levels(r), 4);
    check_rep(r, "rep_age");
    kap_representation_free(r);

    /* errors */
    CU_ASSERT_EQUAL(kap_representation_run(&r, t, "nosuch", NULL, NULL), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_representation_run(&r, t, "prior_episodes", NULL, NULL), KAP_EINVAL);
    pr[0] = 1.5;
    CU_ASSERT_EQUAL(kap_representation_run(&r, t, "race", &o, NULL), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(kap_representation_cell(&c, NULL, 0, 0, NULL), KAP_EINVAL);
    kap_representation_free(NULL);
    kap_trial_free(t);
}

static void test_table1(void)
{
    kap_trial *t = wide();
    kap_table1 *tb = NULL;
    const char *vars[] = {"age", "madrs", "race", "sex", "ethnicity", "site", "format"};
    CU_ASSERT_EQUAL_FATAL(kap_table1_run(&tb, t, vars, 7, NULL, "active_placebo", NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_table1_n_vars(tb), 7);
    CU_ASSERT_STRING_EQUAL(kap_table1_var_name(tb, 1), "madrs_baseline");
    KT_ASSERT_REL(kap_table1_smd(tb, 0), R("t1.age.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 1), R("t1.madrs.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 2), R("t1.race.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 3), R("t1.sex.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 4), R("t1.ethnicity.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 5), R("t1.site.smd"), CLOSED);
    KT_ASSERT_REL(kap_table1_smd(tb, 6), R("t1.format.smd"), CLOSED);
    /* two levels: Yang-Dalton reduces to the usual binary SMD */
    KT_ASSERT_REL(kap_table1_smd(tb, 6), R("t1.format.smd2"), CLOSED);
    for (size_t a = 0; a < 2; a++) {
        kap_describe_result d;
        CU_ASSERT_EQUAL_FATAL(kap_table1_describe(&d, tb, 0, a, NULL), KAP_OK);
        KT_ASSERT_REL(d.mean, R("t1.age.a%zu.mean", a), CLOSED);
        KT_ASSERT_REL(d.sd, R("t1.age.a%zu.sd", a), CLOSED);
        KT_ASSERT_REL(d.median, R("t1.age.a%zu.median", a), CLOSED);
        KT_ASSERT_REL(d.q1, R("t1.age.a%zu.q1", a), CLOSED);
        KT_ASSERT_REL(d.q3, R("t1.age.a%zu.q3", a), CLOSED);
    }
    /* categorical counts add up, percentages of known values */
    CU_ASSERT_TRUE(kap_table1_var_is_categorical(tb, 4));
    size_t known = 0;
    double pct = 0;
    for (size_t l = 0; l < kap_table1_n_levels(tb, 4); l++) {
        known += kap_table1_count(tb, 4, l, 2);
        pct += kap_table1_percent(tb, 4, l, 2);
    }
    CU_ASSERT_EQUAL(known + kap_table1_n_missing(tb, 4, 2), 240);
    CU_ASSERT_EQUAL(kap_table1_n_missing(tb, 4, 2), 14);
    KT_ASSERT_REL(pct, 100, 1e-12);
    kap_describe_result d;
    CU_ASSERT_EQUAL(kap_table1_describe(&d, tb, 2, 0, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_table1_describe(&d, tb, 0, 3, NULL), KAP_EINVAL);
    kap_table1_free(tb);

    /* default variable list: every covariate, then instrument baselines */
    CU_ASSERT_EQUAL_FATAL(kap_table1_run(&tb, t, NULL, 0, "ketamine", "active_placebo", NULL),
                          KAP_OK);
    size_t nb = 0;
    for (size_t k = 0; k < kap_trial_n_instruments(t); k++)
        nb += kap_trial_baseline_visit(t, k) >= 0;
    CU_ASSERT_EQUAL(kap_table1_n_vars(tb), kap_trial_n_covariates(t) + nb);
    CU_ASSERT_STRING_EQUAL(kap_table1_var_name(tb, kap_trial_n_covariates(t)), "madrs_baseline");
    kap_table1_free(tb);

    const char *bad[] = {"nosuch"};
    CU_ASSERT_EQUAL(kap_table1_run(&tb, t, bad, 1, NULL, "active_placebo", NULL), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_table1_run(&tb, t, vars, 1, NULL, "nosuch", NULL), KAP_ENOTFOUND);
    CU_ASSERT_EQUAL(kap_table1_run(&tb, NULL, vars, 1, NULL, NULL, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL_FATAL(kap_table1_run(&tb, t, vars, 1, NULL, NULL, NULL), KAP_OK);
    CU_ASSERT_STRING_EQUAL(kap_table1_arm(tb, 2), "overall");
    kap_table1_free(tb);
    kap_table1_free(NULL);
    kap_trial_free(t);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"continuous by race vs R", test_continuous_race},
        {"continuous by site vs R", test_continuous_site},
        {"continuous by age bands vs R", test_continuous_age_bands},
        {"binary (response) by site and sex vs R", test_binary_site_sex},
        {"percent change and remission vs R", test_percent_and_remission},
        {"family of variables, Holm", test_family},
        {"hand-made edge cases vs R", test_small_edge_cases},
        {"levels with one arm only", test_one_arm_levels},
        {"errors", test_errors},
        {"representation vs R", test_representation},
        {"Table 1 vs R", test_table1},
        CU_TEST_INFO_NULL};
    return kt_main("subgroup", tests);
}
