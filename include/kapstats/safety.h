/*
 * kapstats/safety.h - safety tables: adverse events by term and arm
 * (incidence with exact CIs, risk difference, relative risk, Fisher's
 * exact test), and dissociation (CADSS) / vital signs (hr, sbp, dbp) by
 * arm and visit with change from baseline and the proportion beyond
 * clinical thresholds.  See include/kapstats.h for ownership and error
 * rules.  Tables are immutable handles; getters return pointers borrowed
 * from the handle, valid until its _free().
 */
#ifndef KAPSTATS_SAFETY_H
#define KAPSTATS_SAFETY_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "descriptive.h"
#include "trial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A threshold of a vital sign / dissociation instrument: a value counts
 * as exceeding when value > above, or (post-baseline, baseline known)
 * value - baseline > rise.  NaN disables that part. */
typedef struct kap_safety_threshold {
    const char *instrument;   /* canonical instrument name, e.g. "hr" */
    double above;
    double rise;
} kap_safety_threshold;

/* Default thresholds (used for instruments not named in
 * opts->thresholds), conventional safety cut-offs in ketamine trials:
 *   hr:    > 110 bpm, or a rise > 20 bpm
 *   sbp:   > 180 mmHg, or a rise > 40 mmHg
 *   dbp:   > 110 mmHg, or a rise > 25 mmHg
 *   cadss: total score > 4 (no rise criterion); a post-dose CADSS above 4
 *          is a common marker of clinically noticeable dissociation. */
#define KAP_SAFETY_DEFAULT_THRESHOLDS                                          \
    { { "hr", 110.0, 20.0 }, { "sbp", 180.0, 40.0 }, { "dbp", 110.0, 25.0 },  \
      { "cadss", 4.0, NAN } }
#define KAP_SAFETY_N_DEFAULT_THRESHOLDS 4

typedef struct kap_safety_options {
    unsigned int version;    /* KAP_SAFETY_OPTIONS_VERSION */
    /* Adverse-event comparison: treatment (NULL = the only other arm) vs
     * control (NULL = kap_trial_choose_control(), analysis.h). */
    const char *treatment;
    const char *control;
    double conf_level;       /* default 0.95 */
    /* Threshold overrides by instrument name (borrowed for the call);
     * NULL / 0 = defaults only. */
    const kap_safety_threshold *thresholds;
    size_t n_thresholds;
} kap_safety_options;

#define KAP_SAFETY_OPTIONS_VERSION 1u
#define KAP_SAFETY_OPTIONS_INIT \
    { KAP_SAFETY_OPTIONS_VERSION, NULL, NULL, 0.95, NULL, 0 }

/* ---- adverse events -------------------------------------------------------- */

typedef struct kap_ae_table kap_ae_table;

/* One term (or the any-AE row).  Counts are participants: events = with
 * >= 1 event of the term (flag 1); n = participants of the arm with the
 * term recorded (flag 0 or 1): flag -1 (not recorded) is excluded from
 * that term's denominator and counted in not_recorded. */
typedef struct kap_ae_row {
    const char *term;          /* "any adverse event" for the any-AE row */
    size_t events_treat, n_treat, not_recorded_treat;
    size_t events_control, n_control, not_recorded_control;
    /* incidence events / n with the Clopper-Pearson exact CI
     * (binom.test); NaN with note when n = 0. */
    kap_result incidence_treat, incidence_control;
    /* treat - control, Newcombe hybrid score CI (method 10). */
    kap_result risk_difference;
    /* Katz log CI; no events in both arms: NaN with note ("undefined"). */
    kap_result risk_ratio;
    /* Fisher's exact test (fisher.test): p_value, conditional MLE OR. */
    kap_result fisher;
} kap_ae_row;

/* Adverse-event table: one row per term, sorted by the number of
 * participants with the event in the two arms (descending), ties by
 * term name (byte order); plus the any-AE row: a participant has "any"
 * when any term is flagged 1, and counts in its denominator when at
 * least one term is recorded.
 * Errors: KAP_EINVAL (NULL, bad options, > 2 arms without treatment),
 * KAP_ENOTFOUND (unknown arm), KAP_EDATA (treatment == control, no
 * recognisable control when none is named), KAP_ENOMEM. */
KAP_EXTERN int kap_safety_ae(kap_ae_table **out, const kap_trial *t,
                             const kap_safety_options *opts, kap_error *err);
KAP_EXTERN void kap_ae_table_free(kap_ae_table *tb);
KAP_EXTERN size_t kap_ae_table_n_terms(const kap_ae_table *tb);
/* Term rows in the sorted order; NULL out of range. */
KAP_EXTERN const kap_ae_row *kap_ae_table_row(const kap_ae_table *tb,
                                              size_t i);
KAP_EXTERN const kap_ae_row *kap_ae_table_any(const kap_ae_table *tb);
KAP_EXTERN const char *kap_ae_table_treatment(const kap_ae_table *tb);
KAP_EXTERN const char *kap_ae_table_control(const kap_ae_table *tb);

/* ---- dissociation and vital signs ---------------------------------------- */

typedef struct kap_vitals_table kap_vitals_table;

/* One instrument x visit x arm. */
typedef struct kap_vital_row {
    const char *instrument;
    const char *visit;
    const char *arm;
    int is_baseline;
    kap_describe_result value;   /* the scores at the visit */
    kap_describe_result change;  /* score - baseline (post-baseline visits;
                                    all NaN at baseline) */
    double above, rise;          /* thresholds used (NaN = none) */
    size_t n_assessed;           /* participants with a score at the visit */
    size_t n_exceed;             /* of them, beyond a threshold (at
                                    baseline: `above` only) */
    /* n_exceed / n_assessed with the Clopper-Pearson CI; NaN (note) when
     * the instrument has no threshold or nobody was assessed. */
    kap_result exceed;
} kap_vital_row;

/* Descriptives of every dissociation and vital-sign instrument (kind
 * KAP_INSTR_DISSOCIATION or KAP_INSTR_VITAL) by visit (instrument order,
 * then visit order) and arm (every arm of the trial, arm order):
 * kap_describe of the scores and of the change from baseline (complete
 * pairs), and the proportion beyond the thresholds.  The treatment /
 * control options are not used.  A trial with no such instrument gives an
 * empty table.
 * Errors: KAP_EINVAL (NULL, bad options), KAP_ENOMEM. */
KAP_EXTERN int kap_safety_vitals(kap_vitals_table **out, const kap_trial *t,
                                 const kap_safety_options *opts,
                                 kap_error *err);
KAP_EXTERN void kap_vitals_table_free(kap_vitals_table *tb);
KAP_EXTERN size_t kap_vitals_table_n_rows(const kap_vitals_table *tb);
KAP_EXTERN const kap_vital_row *kap_vitals_table_row(
    const kap_vitals_table *tb, size_t i);

#ifdef __cplusplus
}
#endif

#endif
