/*
 * kapstats/subgroup.h - subgroup analyses of a trial endpoint (per-level
 * treatment effects, treatment x subgroup interaction, heterogeneity of the
 * per-level effects, stratified analyses, across-level comparisons within
 * one arm, forest-plot data, multiplicity adjustment), and the
 * representation / baseline ("Table 1") tables.
 * See include/kapstats.h for ownership and error rules.
 *
 * Handles (kap_subgroup, kap_subgroup_family, kap_representation,
 * kap_table1) are immutable once built; getters are read-only and a handle
 * may be shared between threads.  Pointers and strings returned by getters
 * are borrowed from the handle and stay valid until its _free().  A handle
 * keeps no pointer into the trial it was built from.
 */
#ifndef KAPSTATS_SUBGROUP_H
#define KAPSTATS_SUBGROUP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "common.h"
#include "descriptive.h"
#include "meta.h"
#include "multiplicity.h"
#include "trial.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- subgrouping variables ----------------------------------------------
 * Any categorical covariate (race, ethnicity, sex, site, format, ...) gives
 * its levels (sorted by byte order, as the trial stores them).  A numeric
 * covariate is cut into bands at cut points c_0 < c_1 < ... < c_{m-1}:
 * bands "<c_0" (only if occupied), [c_0, c_1), ..., [c_{m-1}, inf).  Labels
 * for integer cut points read "18-34", "35-49", "50-64", "65+" (upper
 * label c_{i+1} - 1), otherwise "[a,b)" and ">=c".  Only `age` has default
 * cut points (KAP_AGE_BANDS: 18, 35, 50, 65); another numeric covariate
 * without cut points is KAP_EINVAL.  A missing value (categorical code -1,
 * numeric NaN) is its own "(missing)" line. */
#define KAP_AGE_BANDS_N 4
/* Default age cut points: bands 18-34, 35-49, 50-64, 65+. */
#define KAP_AGE_BANDS { 18.0, 35.0, 50.0, 65.0 }

/* ---- subgroup analysis ---------------------------------------------------- */

typedef struct kap_subgroup kap_subgroup;

typedef struct kap_subgroup_options {
    unsigned int version;        /* KAP_SUBGROUP_OPTIONS_VERSION */
    kap_measure measure;         /* change (default), percent change,
                                    response or remission; not VALUE */
    /* Control arm by name; NULL = kap_trial_choose_control() (the one arm
     * named like placebo / control / sham / waitlist / usual care). */
    const char *control;
    /* Treatment arm; NULL = the only other arm (KAP_EINVAL when the trial
     * has more than two arms). */
    const char *treatment;
    /* Missing-data rule, response threshold, remission cut-off. */
    kap_endpoint_options endpoint;
    double conf_level;           /* in (0, 1); default 0.95 */
    size_t min_per_arm;          /* rows with fewer are flagged; default 5 */
    /* Cut points for a numeric variable (increasing, finite); NULL = the
     * defaults (age only).  Borrowed for the call. */
    const double *cuts;
    size_t n_cuts;
    /* Heterogeneity model used for the pooled estimate and forest weights
     * (all four are always computed); default REML. */
    kap_meta_method het_method;
    int knapp_hartung;           /* 1: Knapp-Hartung test/CI for the pooled
                                    estimates (all methods); default 0 */
    /* Adjustment of the per-level treatment p-values (family: the levels
     * of this variable, the "(missing)" line excluded); default Holm. */
    kap_padjust_method adjust;
} kap_subgroup_options;

#define KAP_SUBGROUP_OPTIONS_VERSION 1u
#define KAP_SUBGROUP_OPTIONS_INIT                                             \
    { KAP_SUBGROUP_OPTIONS_VERSION, KAP_MEASURE_CHANGE, NULL, NULL,           \
      KAP_ENDPOINT_OPTIONS_INIT, 0.95, 5, NULL, 0, KAP_META_REML, 0,          \
      KAP_PADJUST_HOLM }

/* One line of the subgroup table: a level, or the "(missing)" line.
 * "treat" = the treatment arm, "control" = the control arm; counts are
 * participants with a defined endpoint value. */
typedef struct kap_subgroup_row {
    const char *level;      /* level label; "(missing)" for is_missing */
    int is_missing;         /* 1: participants without a subgroup value */
    int small;              /* 1: n_treat or n_control < min_per_arm */
    int in_heterogeneity;   /* 1: this level's effect entered kap_meta_fit */
    size_t n_in_level;      /* participants of the two arms in the level
                               (with or without an endpoint value) */
    size_t n_treat, n_control;
    size_t events_treat, events_control; /* binary: responders/remitters;
                                            0 for continuous endpoints */
    /* Continuous: mean with t CI (kap_describe); binary: proportion with
     * Wilson CI (kap_binary_prop_ci).  n1 = values used. */
    kap_result mean_treat, mean_control;
    /* Continuous: Welch two-sample t test, estimate = mean difference
     * treat - control (R t.test); binary: risk difference with Newcombe's
     * hybrid score CI (p NaN; see `test`). */
    kap_result diff;
    /* The level's treatment test: continuous = `diff` (Welch t);
     * binary = Fisher's exact test (fisher.test, conditional MLE OR). */
    kap_result test;
    /* Continuous: Hedges' g, pooled SD, noncentral-t CI (effectsize
     * hedges_g defaults).  NaN for binary endpoints. */
    kap_result hedges_g;
    /* Binary: risk ratio (Katz log CI), odds ratio (Woolf CI).  NaN (with
     * note) where undefined, e.g. no events in either arm. */
    kap_result risk_ratio, odds_ratio;
    /* The effect and sampling variance used for heterogeneity / forest:
     * continuous yi = mean difference, vi = s1^2/n1 + s2^2/n2 (Welch;
     * metafor escalc "MD"); binary yi = log OR, vi = 1/a+1/b+1/c+1/d with
     * 1/2 added to each cell of a table with a zero cell (escalc "OR",
     * add = 1/2, to = "only0").  NaN when undefined (an arm with < 2
     * values or zero variance; an empty arm). */
    double yi, vi;
    /* Forest plot: estimate (MD, or OR = exp(yi) for binary) with a Wald
     * CI yi -+ z sqrt(vi) (exp'd for binary), and the weight in percent of
     * the het_method model (1 / (vi + tau2), normalised); NaN when the
     * level is not in the model. */
    double forest_estimate, forest_ci_low, forest_ci_high, weight;
    double p_value;          /* = test.p_value */
    double p_adjusted;       /* within the family of levels; NaN for the
                                missing line and untestable levels */
    const char *note;        /* static: why something is NaN / flagged */
} kap_subgroup_row;

/* Treatment x subgroup interaction.  Levels enter the linear models as
 * factors; participants without a subgroup value are left out.
 *  f:           anova(lm(y ~ arm + g), lm(y ~ arm * g)) (continuous);
 *  f_baseline:  anova(lm(y ~ base + arm + g), lm(y ~ base + arm * g));
 *               a level with only one arm contributes no interaction
 *               column (R: aliased coefficient), so df = levels with both
 *               arms - 1.  NaN with note for binary endpoints and when
 *               fewer than two levels have both arms.
 *  q_logor:     binary: Cochran's Q across per-level log odds ratios
 *               (Woolf variances, fixed effect; metafor rma(method="FE")
 *               QE), df = levels used - 1.  NaN for continuous.
 *  breslow_day: binary: Breslow-Day test of homogeneity of the odds
 *               ratios (at the Mantel-Haenszel OR; tables with an empty
 *               margin skipped; see kap_strat_cmh); and with Tarone's
 *               correction in breslow_day_tarone. */
typedef struct kap_subgroup_interaction {
    kap_result f, f_baseline;
    kap_result q_logor, breslow_day, breslow_day_tarone;
} kap_subgroup_interaction;

/* Across-level comparison within one arm (continuous endpoints):
 * classic one-way ANOVA F (oneway.test(var.equal = TRUE)), Welch's F
 * (oneway.test()), Kruskal-Wallis (kruskal.test()).  NaN (note) for binary
 * endpoints or fewer than two levels with values. */
typedef struct kap_subgroup_within {
    kap_result anova_f, welch_f, kruskal;
} kap_subgroup_within;

/* Subgroup analysis of one endpoint by one subgrouping variable.
 *
 * The endpoint of `instrument` at `visit` is kap_trial_endpoint() with
 * opts->measure and opts->endpoint; participants of arms other than the
 * treatment and the control arm are ignored.  Rows: one per level of
 * `variable` (in level order), then a "(missing)" row when a participant
 * of the two arms has no value.  Every level is estimated wherever the
 * estimate is defined - a small level (fewer than min_per_arm values in
 * an arm) is flagged, never dropped; undefined fields are NaN with a
 * note (one arm only, n < 2, zero variance, no events ...).
 *
 * Heterogeneity: kap_meta_fit() of the per-level yi/vi (see
 * kap_subgroup_row) for FE, DL, REML and PM (metafor rma()), with the
 * Knapp-Hartung test when opts->knapp_hartung; a level with NaN yi or vi,
 * and the missing line, are left out (in_heterogeneity = 0).  The FE
 * result for a continuous endpoint is the inverse-variance stratified mean
 * difference (kap_strat_md); for binary endpoints the Mantel-Haenszel /
 * CMH analysis across levels is in kap_subgroup_cmh() (as
 * mantelhaen.test()).  With variable = "site" these are the usual
 * site-stratified analyses.
 *
 * On success *out owns the handle (kap_subgroup_free()).
 * Errors: KAP_EINVAL (NULL, bad options, more than two arms without
 * treatment, a numeric variable other than age without cut points, bad
 * cut points, measure VALUE, remission without a cut-off), KAP_ENOTFOUND
 * (unknown instrument, visit, arm or variable), KAP_EDATA (treatment =
 * control, no recognisable control when none is named, the baseline
 * visit, no baseline, no participant with an endpoint value in either
 * arm), KAP_ENOMEM.  Numerical failures of a component (e.g. REML not
 * converging) are not errors: that result is NaN with its note. */
KAP_EXTERN int kap_subgroup_run(kap_subgroup **out, const kap_trial *t,
                                const char *instrument, const char *visit,
                                const char *variable,
                                const kap_subgroup_options *opts,
                                kap_error *err);

/* Release; NULL is a no-op. */
KAP_EXTERN void kap_subgroup_free(kap_subgroup *sg);

/* Getters (NULL handle / index out of range: 0, NULL or NaN). */
KAP_EXTERN const char *kap_subgroup_variable(const kap_subgroup *sg);
KAP_EXTERN const char *kap_subgroup_treatment(const kap_subgroup *sg);
KAP_EXTERN const char *kap_subgroup_control(const kap_subgroup *sg);
/* 1 for response / remission (binary), 0 for continuous measures. */
KAP_EXTERN int kap_subgroup_is_binary(const kap_subgroup *sg);
/* Levels of the variable (the "(missing)" row not included). */
KAP_EXTERN size_t kap_subgroup_n_levels(const kap_subgroup *sg);
/* Rows: n_levels, plus 1 when there is a "(missing)" row. */
KAP_EXTERN size_t kap_subgroup_n_rows(const kap_subgroup *sg);
KAP_EXTERN const kap_subgroup_row *kap_subgroup_row_at(const kap_subgroup *sg,
                                                       size_t i);
/* Participants of the two arms with a missing subgroup value (with or
 * without an endpoint value). */
KAP_EXTERN size_t kap_subgroup_n_missing(const kap_subgroup *sg);
/* 1 when every level is flagged small (results are still given). */
KAP_EXTERN int kap_subgroup_all_small(const kap_subgroup *sg);
KAP_EXTERN const kap_subgroup_interaction *
kap_subgroup_get_interaction(const kap_subgroup *sg);
/* Heterogeneity / pooled estimate for one estimator (FE, DL, REML, PM).
 * A method whose fit failed has every field NaN and het_note saying why. */
KAP_EXTERN const kap_meta_result *
kap_subgroup_heterogeneity(const kap_subgroup *sg, kap_meta_method method);
/* Binary endpoints: CMH / Mantel-Haenszel across levels (kap_strat_cmh,
 * as mantelhaen.test()); NULL for continuous endpoints or when no table
 * is usable. */
KAP_EXTERN const kap_cmh_result *kap_subgroup_cmh(const kap_subgroup *sg);
/* Within-arm comparison across levels; arm 0 = treatment, 1 = control. */
KAP_EXTERN const kap_subgroup_within *
kap_subgroup_within_arm(const kap_subgroup *sg, int arm);
/* Multiplicity of the per-level p-values: method and a sentence naming
 * the family ("per-level treatment p-values of 'race' (5 levels)"). */
KAP_EXTERN kap_padjust_method kap_subgroup_adjust_method(const kap_subgroup *sg);
KAP_EXTERN const char *kap_subgroup_adjust_family(const kap_subgroup *sg);

/* ---- several subgrouping variables ---------------------------------------- */

typedef struct kap_subgroup_family kap_subgroup_family;

/* kap_subgroup_run() for each of n variables (same endpoint and options),
 * then the interaction p-values across the variables adjusted by
 * kap_p_adjust(method).  The interaction p of a variable is f.p_value
 * (continuous) or q_logor.p_value (binary); NaN ones are not counted.
 * Errors: those of kap_subgroup_run (err names the variable), KAP_EINVAL
 * (NULL, n == 0, bad method). */
KAP_EXTERN int kap_subgroup_family_run(kap_subgroup_family **out,
                                       const kap_trial *t,
                                       const char *instrument,
                                       const char *visit,
                                       const char *const *variables,
                                       size_t n_variables,
                                       const kap_subgroup_options *opts,
                                       kap_padjust_method method,
                                       kap_error *err);
KAP_EXTERN void kap_subgroup_family_free(kap_subgroup_family *f);
KAP_EXTERN size_t kap_subgroup_family_size(const kap_subgroup_family *f);
/* The analysis of variable i (borrowed). */
KAP_EXTERN const kap_subgroup *
kap_subgroup_family_get(const kap_subgroup_family *f, size_t i);
KAP_EXTERN double kap_subgroup_family_p(const kap_subgroup_family *f,
                                        size_t i);
KAP_EXTERN double kap_subgroup_family_p_adjusted(const kap_subgroup_family *f,
                                                 size_t i);
KAP_EXTERN kap_padjust_method
kap_subgroup_family_method(const kap_subgroup_family *f);
/* "treatment x subgroup interaction p-values of 4 variables (...)" */
KAP_EXTERN const char *kap_subgroup_family_description(
    const kap_subgroup_family *f);

/* ---- representation -------------------------------------------------------- */

typedef struct kap_representation kap_representation;

typedef struct kap_representation_options {
    unsigned int version;          /* KAP_REPRESENTATION_OPTIONS_VERSION */
    double conf_level;             /* default 0.95 */
    const double *cuts;            /* numeric variable; NULL = age bands */
    size_t n_cuts;
    /* Optional reference distribution (e.g. census): level names and
     * proportions in [0, 1] (NaN = none).  A reference level absent from
     * the trial is added as a level with 0 participants. */
    const char *const *reference_levels;
    const double *reference_props;
    size_t n_reference;
} kap_representation_options;

#define KAP_REPRESENTATION_OPTIONS_VERSION 1u
#define KAP_REPRESENTATION_OPTIONS_INIT \
    { KAP_REPRESENTATION_OPTIONS_VERSION, 0.95, NULL, 0, NULL, NULL, 0 }

/* Enrolment by the levels of `variable` (race, ethnicity, sex, age bands,
 * ...) per arm and overall.  The proportion of a level is over the
 * participants with a known value (the missing ones are counted apart),
 * with the Wilson score CI (prop.test(correct = FALSE)).  With a
 * reference distribution: the difference overall - reference in
 * percentage points.
 * Errors: KAP_EINVAL (NULL, bad options, numeric variable without cut
 * points, reference proportion outside [0, 1]), KAP_ENOTFOUND (unknown
 * variable), KAP_ENOMEM. */
KAP_EXTERN int kap_representation_run(kap_representation **out,
                                      const kap_trial *t,
                                      const char *variable,
                                      const kap_representation_options *opts,
                                      kap_error *err);
KAP_EXTERN void kap_representation_free(kap_representation *r);
KAP_EXTERN size_t kap_representation_n_levels(const kap_representation *r);
KAP_EXTERN const char *kap_representation_level(const kap_representation *r,
                                                size_t level);
/* Columns: the trial's arms 0 .. n_arms-1, then n_arms = overall. */
KAP_EXTERN size_t kap_representation_n_arms(const kap_representation *r);
KAP_EXTERN const char *kap_representation_arm(const kap_representation *r,
                                              size_t arm);
/* Proportion of the level in the column: estimate, Wilson CI, n1 = count,
 * n2 = participants with a known value (denominator).  Denominator 0:
 * NaN with note.  Errors: KAP_EINVAL (NULL, index out of range). */
KAP_EXTERN int kap_representation_cell(kap_result *out,
                                       const kap_representation *r,
                                       size_t level, size_t arm,
                                       kap_error *err);
/* Participants with a missing value in the column. */
KAP_EXTERN size_t kap_representation_n_missing(const kap_representation *r,
                                               size_t arm);
/* Reference proportion of the level (NaN: none) and overall - reference
 * in percentage points (NaN: no reference). */
KAP_EXTERN double kap_representation_reference(const kap_representation *r,
                                               size_t level);
KAP_EXTERN double kap_representation_diff_pp(const kap_representation *r,
                                             size_t level);

/* ---- Table 1 ----------------------------------------------------------------- */

typedef struct kap_table1 kap_table1;

/* Baseline characteristics by arm.  variables: covariate names, or an
 * instrument name for its baseline score (shown as "<name>_baseline");
 * NULL (n = 0) = every covariate, then every instrument with a baseline.
 * Continuous: kap_describe() per arm (n, mean, SD, median, quartiles
 * type 7); categorical: n and % of the known values per level, missing
 * counted apart.  Standardised difference between treatment and control
 * (known values only): continuous (m1 - m2) / sqrt((s1^2 + s2^2) / 2);
 * categorical: Yang & Dalton (2012) multi-category SMD
 * sqrt((T - C)' S^-1 (T - C)), T, C the proportions of levels 2..K,
 * S = (S_T + S_C) / 2 with S_kk = p_k (1 - p_k), S_kl = -p_k p_l (levels
 * with no participant in either arm left out; for two levels this is
 * (p1 - p2) / sqrt((p1 q1 + p2 q2) / 2)).  NaN (note) when undefined.
 * treatment NULL = the only other arm; control NULL =
 * kap_trial_choose_control().  Errors: KAP_EINVAL (NULL, > 2 arms without
 * treatment), KAP_ENOTFOUND (unknown variable / arm), KAP_EDATA (no
 * recognisable control), KAP_ENOMEM. */
KAP_EXTERN int kap_table1_run(kap_table1 **out, const kap_trial *t,
                              const char *const *variables,
                              size_t n_variables, const char *treatment,
                              const char *control, kap_error *err);
KAP_EXTERN void kap_table1_free(kap_table1 *tb);
KAP_EXTERN size_t kap_table1_n_vars(const kap_table1 *tb);
KAP_EXTERN const char *kap_table1_var_name(const kap_table1 *tb, size_t v);
KAP_EXTERN int kap_table1_var_is_categorical(const kap_table1 *tb, size_t v);
/* Columns: arms 0 .. n_arms-1 of the trial, then n_arms = overall. */
KAP_EXTERN size_t kap_table1_n_arms(const kap_table1 *tb);
KAP_EXTERN const char *kap_table1_arm(const kap_table1 *tb, size_t arm);
/* Continuous variable: descriptives of the column.  Errors: KAP_EINVAL
 * (NULL, out of range, categorical variable). */
KAP_EXTERN int kap_table1_describe(kap_describe_result *out,
                                   const kap_table1 *tb, size_t v,
                                   size_t arm, kap_error *err);
/* Categorical variable: levels, counts, percent of known values. */
KAP_EXTERN size_t kap_table1_n_levels(const kap_table1 *tb, size_t v);
KAP_EXTERN const char *kap_table1_level(const kap_table1 *tb, size_t v,
                                        size_t level);
KAP_EXTERN size_t kap_table1_count(const kap_table1 *tb, size_t v,
                                   size_t level, size_t arm);
KAP_EXTERN double kap_table1_percent(const kap_table1 *tb, size_t v,
                                     size_t level, size_t arm);
/* Missing values of the variable in the column (both kinds). */
KAP_EXTERN size_t kap_table1_n_missing(const kap_table1 *tb, size_t v,
                                       size_t arm);
/* Standardised difference treatment vs control, and why it is NaN. */
KAP_EXTERN double kap_table1_smd(const kap_table1 *tb, size_t v);
KAP_EXTERN const char *kap_table1_smd_note(const kap_table1 *tb, size_t v);

#ifdef __cplusplus
}
#endif

#endif
