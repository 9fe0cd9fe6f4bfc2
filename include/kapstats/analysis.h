/*
 * kapstats/analysis.h - trial-level endpoints on an opened store: change
 * from baseline, percent change, response and remission per participant,
 * with the missing-data rule made explicit.
 */
#ifndef KAPSTATS_ANALYSIS_H
#define KAPSTATS_ANALYSIS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "binary.h"
#include "common.h"
#include "descriptive.h"
#include "trial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What is measured per participant at a visit. */
typedef enum kap_measure {
    KAP_MEASURE_CHANGE = 0,        /* post - baseline (negative = better) */
    KAP_MEASURE_PERCENT_CHANGE = 1,/* 100 * (post - baseline) / baseline */
    KAP_MEASURE_RESPONSE = 2,      /* 1 if reduction >= threshold, else 0 */
    KAP_MEASURE_REMISSION = 3,     /* 1 if post score meets the cut-off */
    KAP_MEASURE_VALUE = 4          /* the post score itself */
} kap_measure;

/* How a missing post-baseline score is handled. */
typedef enum kap_missing_rule {
    KAP_MISSING_COMPLETE_CASE = 0, /* default: drop, and count */
    KAP_MISSING_LOCF = 1,  /* last observed post-baseline value carried
                              forward (baseline if none): sensitivity */
    KAP_MISSING_BOCF = 2   /* baseline carried forward: sensitivity */
} kap_missing_rule;

typedef struct kap_endpoint_options {
    unsigned int version;            /* KAP_ENDPOINT_OPTIONS_VERSION */
    kap_missing_rule missing;
    double response_threshold;       /* fraction reduction, default 0.5 */
    /* Remission: score <= remission_cutoff (or < when remission_strict).
     * NaN = the instrument's default: MADRS <= 10, HAM-D17 <= 7,
     * PHQ-9 < 5, BDI-II <= 13, QIDS-SR16 <= 5; other instruments have no
     * default (KAP_EINVAL when remission is asked without a cut-off). */
    double remission_cutoff;
    int remission_strict;
} kap_endpoint_options;

#define KAP_ENDPOINT_OPTIONS_VERSION 1
#define KAP_ENDPOINT_OPTIONS_INIT \
    { KAP_ENDPOINT_OPTIONS_VERSION, KAP_MISSING_COMPLETE_CASE, 0.5, NAN, 0 }

/* Counts behind an endpoint vector. */
typedef struct kap_endpoint_counts {
    size_t n_participants;   /* all participants in the store */
    size_t n_used;           /* non-NaN values produced */
    size_t n_missing_baseline; /* dropped: no baseline score */
    size_t n_missing_post;   /* post missing and not imputed (complete case) */
    size_t n_imputed;        /* post missing and filled by LOCF/BOCF */
    size_t n_baseline_zero;  /* percent change / response undefined */
} kap_endpoint_counts;

/* Remission default of an instrument by canonical name.  Returns 1 and
 * fills cutoff/strict when there is one, else 0. */
KAP_EXTERN int kap_remission_default(const char *instrument, double *cutoff,
                                     int *strict);

/* Per-participant endpoint of instrument k at visit v.
 * out: array of kap_trial_n_participants(t) doubles, caller-owned; NaN
 * where the value is missing or undefined (baseline 0 for percent change
 * and response).  counts (may be NULL) receives the counts.
 * Method: change = post - baseline (ADaM CHG); percent = 100 * change /
 * baseline; response = (-change / baseline >= threshold); remission =
 * post <= cut-off (< when strict).  LOCF carries the last observed
 * post-baseline score at a visit before v forward, else baseline (BOCF
 * semantics for participants with no post-baseline score).
 * Errors: KAP_EINVAL (NULL, bad visit/instrument index, v is the baseline,
 * no remission cut-off), KAP_EDATA (instrument has no baseline visit). */
KAP_EXTERN int kap_trial_endpoint(double *out, kap_endpoint_counts *counts,
                                  const kap_trial *t, size_t k, size_t v,
                                  kap_measure measure,
                                  const kap_endpoint_options *opts,
                                  kap_error *err);


/* ---- the primary comparison ------------------------------------------- */

/* The control arm when none is named: the one arm whose name contains
 * (case-insensitively) "placebo", "control", "sham", "waitlist",
 * "wait-list", "wait_list" or "usual" (usual care).  No arm or several such
 * arms: KAP_EDATA, asking for an explicit control - the library does not
 * guess.  A named control that is not an arm: KAP_ENOTFOUND. */
KAP_EXTERN int kap_trial_choose_control(size_t *index, const kap_trial *t,
                                        const char *name, kap_error *err);

typedef struct kap_compare_options {
    unsigned int version;          /* KAP_COMPARE_OPTIONS_VERSION */
    const char *control;           /* arm name; NULL = the rule above */
    kap_missing_rule missing;      /* complete case (default), LOCF, BOCF */
    double conf_level;             /* 0.95 */
    double response_threshold;     /* 0.5 = >= 50 % reduction */
    double remission_cutoff;       /* NaN = the instrument's default */
    int remission_strict;
    /* Extra ANCOVA covariates by name (numeric as is, categorical as
     * treatment-coded dummies averaged with equal weight for the
     * least-squares means); borrowed for the call. */
    const char *const *covariates;
    size_t n_covariates;
} kap_compare_options;

#define KAP_COMPARE_OPTIONS_VERSION 1
#define KAP_COMPARE_OPTIONS_INIT \
    { KAP_COMPARE_OPTIONS_VERSION, NULL, KAP_MISSING_COMPLETE_CASE, 0.95, 0.5, \
      NAN, 0, NULL, 0 }

/* Events in one arm: rate = events / n with its Wilson CI (estimate,
 * ci_low, ci_high, n1 = n). */
typedef struct kap_rate {
    size_t events;
    size_t n;
    kap_result rate;
} kap_rate;

/* A binary endpoint of one arm against control. */
typedef struct kap_binary_comparison {
    kap_result rd;      /* risk difference, Newcombe hybrid score CI */
    kap_result rr;      /* risk ratio, log (Katz) CI */
    kap_result or_;     /* odds ratio, Woolf logit CI */
    kap_result fisher;  /* Fisher's exact test (R's two-sided p); estimate is
                           the conditional MLE odds ratio with exact CI */
    kap_nnt nnt;        /* NNT from the RD and its CI (benefit/harm) */
} kap_binary_comparison;

/* One arm of the comparison.  Fields "vs control" are NaN (method NULL)
 * for the control arm itself. */
typedef struct kap_compare_arm {
    const char *name;             /* borrowed from the trial */
    size_t n_randomised;          /* participants in the arm */
    kap_endpoint_counts counts;   /* behind the change scores of this arm */
    kap_describe_result baseline; /* baseline of the participants used */
    kap_describe_result change;   /* change from baseline */
    kap_result lsmean;            /* ANCOVA least-squares mean change */
    kap_rate response;
    kap_rate remission;
    /* vs control */
    kap_result welch;             /* mean difference in change, Welch t */
    kap_result ancova;            /* adjusted difference: change ~ baseline
                                     + arm (+ covariates), OLS t test */
    kap_result hedges_g;          /* Hedges' g of change, noncentral-t CI */
    kap_binary_comparison response_vs_control;
    kap_binary_comparison remission_vs_control;
} kap_compare_arm;

typedef struct kap_compare kap_compare;

/*
 * kap_compare_run - the primary comparison of an instrument at a visit:
 * per arm n, baseline and change descriptives, ANCOVA least-squares means,
 * response (>= threshold reduction) and remission rates; for each arm
 * against control: Welch mean difference, ANCOVA-adjusted difference
 * (change ~ baseline + arm [+ covariates]; R lm + emmeans), Hedges' g
 * (effectsize::hedges_g), and for response and remission RD (Newcombe),
 * RR (Katz log), OR (Woolf), Fisher's exact test and NNT.
 * Missing data: opts->missing (complete case by default; LOCF and BOCF are
 * sensitivity analyses, labelled in the results' counts).  Remission for an
 * instrument without a default cut-off (and none given) is NaN with a note.
 * An arm without usable data gets NaN comparisons with a note.
 * On success *out owns the result; release with kap_compare_free().
 * Errors: KAP_EINVAL (NULL, bad options), KAP_ENOTFOUND (unknown
 * instrument, visit or control arm or covariate), KAP_EDATA (fewer than two
 * arms, no control chosen, the control arm without usable data, no baseline
 * visit), KAP_ENUMERIC (ANCOVA design singular), KAP_ENOMEM.
 */
KAP_EXTERN int kap_compare_run(kap_compare **out, const kap_trial *t,
                               const char *instrument, const char *visit,
                               const kap_compare_options *opts,
                               kap_error *err);
KAP_EXTERN void kap_compare_free(kap_compare *c);
KAP_EXTERN size_t kap_compare_n_arms(const kap_compare *c);
/* Index of the control arm (an index for kap_compare_arm_at). */
KAP_EXTERN size_t kap_compare_control(const kap_compare *c);
/* Arm a (trial arm order); borrowed, valid until kap_compare_free. */
KAP_EXTERN const kap_compare_arm *kap_compare_arm_at(const kap_compare *c,
                                                     size_t a);
/* Counts over all arms (participants, used, missing baseline/post,
 * imputed). */
KAP_EXTERN const kap_endpoint_counts *kap_compare_counts(const kap_compare *c);
/* Number of rows the ANCOVA used (complete in outcome, baseline and
 * covariates). */
KAP_EXTERN size_t kap_compare_ancova_n(const kap_compare *c);

#ifdef __cplusplus
}
#endif

#endif
