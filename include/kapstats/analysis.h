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

#include "common.h"
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

#ifdef __cplusplus
}
#endif

#endif
