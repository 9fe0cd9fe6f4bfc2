/* tests/test_endpoint.c - change from baseline, percent change, response,
 * remission; complete case, LOCF, BOCF.  Reference: values computed by hand
 * from the definitions (ADaM CHG = AVAL - BASE; response = >= 50 %
 * reduction; remission cut-offs as documented in analysis.h). */
#include "kap_test.h"
#include "trial_internal.h"

#include <string.h>

/* 5 participants, MADRS at baseline, week4, week8 (NaN = missing). */
static const double madrs[5][3] = {
    {30, 20, 15},     /* change -15, -50 %: responder, not remitted (15) */
    {32, NAN, 10},    /* change -22: responder, remitted */
    {28, 14, NAN},    /* missing wk8: LOCF 14 (-14, 50 %), BOCF 28 */
    {NAN, 20, 18},    /* no baseline */
    {0, 1, 2},        /* baseline 0: percent undefined */
};

static kap_trial *make_trial(const char *instrument)
{
    kap_trial *t = kap_trial_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    t->n = 5;
    t->n_instruments = 1;
    t->instruments = kap_calloc(1, sizeof *t->instruments);
    kap_instrument_data *in = &t->instruments[0];
    in->name = kap_strdup(instrument);
    in->n_visits = 3;
    in->visit_labels = kap_calloc(3, sizeof(char *));
    in->visit_labels[0] = kap_strdup("baseline");
    in->visit_labels[1] = kap_strdup("week4");
    in->visit_labels[2] = kap_strdup("week8");
    in->visit_days = kap_calloc(3, sizeof(double));
    in->visit_days[1] = 28;
    in->visit_days[2] = 56;
    in->baseline = 0;
    in->min = 0;
    in->max = 60;
    in->scores = kap_calloc(15, sizeof(double));
    memcpy(in->scores, madrs, sizeof madrs);
    return t;
}

static void test_change_complete_case(void)
{
    kap_trial *t = make_trial("madrs");
    double out[5];
    kap_endpoint_counts c;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_CHANGE, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], -15);
    CU_ASSERT_EQUAL(out[1], -22);
    KT_ASSERT_NAN(out[2]);
    KT_ASSERT_NAN(out[3]);
    CU_ASSERT_EQUAL(out[4], 2);
    CU_ASSERT_EQUAL(c.n_participants, 5);
    CU_ASSERT_EQUAL(c.n_used, 3);
    CU_ASSERT_EQUAL(c.n_missing_baseline, 1);
    CU_ASSERT_EQUAL(c.n_missing_post, 1);
    CU_ASSERT_EQUAL(c.n_imputed, 0);
    kap_trial_free(t);
}

static void test_locf_bocf(void)
{
    kap_trial *t = make_trial("madrs");
    double out[5];
    kap_endpoint_counts c;
    kap_endpoint_options o = KAP_ENDPOINT_OPTIONS_INIT;
    o.missing = KAP_MISSING_LOCF;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_CHANGE, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[2], -14);
    CU_ASSERT_EQUAL(c.n_imputed, 1);
    CU_ASSERT_EQUAL(c.n_used, 4);
    o.missing = KAP_MISSING_BOCF;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_CHANGE, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[2], 0);
    /* LOCF at week4 for participant 1 (missing week4, nothing earlier but
     * baseline): falls back to baseline. */
    o.missing = KAP_MISSING_LOCF;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 1, KAP_MEASURE_CHANGE, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[1], 0);
    kap_trial_free(t);
}

static void test_percent_response_remission(void)
{
    kap_trial *t = make_trial("madrs");
    double out[5];
    kap_endpoint_counts c;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_PERCENT_CHANGE, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], -50);
    KT_ASSERT_REL(out[1], -68.75, 1e-15);
    KT_ASSERT_NAN(out[4]);
    CU_ASSERT_EQUAL(c.n_baseline_zero, 1);
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_RESPONSE, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], 1);   /* exactly 50 % counts */
    CU_ASSERT_EQUAL(out[1], 1);
    KT_ASSERT_NAN(out[4]);
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_REMISSION, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], 0);
    CU_ASSERT_EQUAL(out[1], 1);   /* 10 <= 10 */
    CU_ASSERT_EQUAL(out[4], 1);
    kap_endpoint_options o = KAP_ENDPOINT_OPTIONS_INIT;
    o.response_threshold = 0.6;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, &c, t, 0, 2, KAP_MEASURE_RESPONSE, &o, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], 0);
    kap_trial_free(t);
}

static void test_remission_defaults(void)
{
    double cut;
    int strict;
    CU_ASSERT_EQUAL(kap_remission_default("phq9", &cut, &strict), 1);
    CU_ASSERT_EQUAL(cut, 5);
    CU_ASSERT_EQUAL(strict, 1);
    CU_ASSERT_EQUAL(kap_remission_default("hamd17", &cut, &strict), 1);
    CU_ASSERT_EQUAL(cut, 7);
    CU_ASSERT_EQUAL(strict, 0);
    CU_ASSERT_EQUAL(kap_remission_default("pcl5", &cut, &strict), 0);
    /* PHQ-9 < 5: a score of 5 is not a remission */
    kap_trial *t = make_trial("phq9");
    t->instruments[0].scores[2] = 5;
    double out[5];
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 2, KAP_MEASURE_REMISSION, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(out[0], 0);
    kap_trial_free(t);
}

static void test_errors(void)
{
    kap_trial *t = make_trial("pcl5");
    double out[5];
    kap_error e;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 2, KAP_MEASURE_REMISSION, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "remission"));
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 0, KAP_MEASURE_CHANGE, NULL, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "baseline"));
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 1, 2, KAP_MEASURE_CHANGE, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 3, KAP_MEASURE_CHANGE, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_trial_endpoint(NULL, NULL, t, 0, 2, KAP_MEASURE_CHANGE, NULL, &e), KAP_EINVAL);
    kap_endpoint_options o = KAP_ENDPOINT_OPTIONS_INIT;
    o.response_threshold = 0;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 2, KAP_MEASURE_RESPONSE, &o, &e), KAP_EINVAL);
    o = (kap_endpoint_options)KAP_ENDPOINT_OPTIONS_INIT;
    o.version = 99;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 2, KAP_MEASURE_CHANGE, &o, &e), KAP_EINVAL);
    t->instruments[0].baseline = -1;
    CU_ASSERT_EQUAL(kap_trial_endpoint(out, NULL, t, 0, 2, KAP_MEASURE_CHANGE, NULL, &e), KAP_EDATA);
    kap_trial_free(t);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"change, complete case", test_change_complete_case},
        {"LOCF and BOCF", test_locf_bocf},
        {"percent change, response, remission", test_percent_response_remission},
        {"remission defaults", test_remission_defaults},
        {"errors", test_errors},
        CU_TEST_INFO_NULL};
    return kt_main("endpoint", tests);
}
