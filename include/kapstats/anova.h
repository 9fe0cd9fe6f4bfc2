/*
 * kapstats/anova.h - one-way analysis of variance: the classic F test,
 * Welch's F test for unequal variances, and the effect sizes eta² and
 * omega² with noncentral-F confidence intervals.  (Kruskal-Wallis is in
 * rank.h; ANCOVA and nested-model F tests are in linear_model.h.)  See
 * include/kapstats.h for ownership and error rules.
 */
#ifndef KAPSTATS_ANOVA_H
#define KAPSTATS_ANOVA_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything a one-way ANOVA reports; filled by kap_anova_oneway(), no
 * free needed.  Sums of squares and mean squares are in the squared units
 * of y and may overflow to infinity (|y| beyond ~1e154) or underflow to 0
 * (|y| below ~1e-154); F, Welch, eta², omega² and resid_sd do not: they
 * are computed on shifted data scaled by a power of two. */
typedef struct kap_anova_oneway_result {
    size_t n;            /* observations used */
    size_t k;            /* groups with at least one observation */
    double ss_between;   /* sum_g n_g (mean_g - mean)^2 */
    double ss_within;    /* sum_g sum_i (y_gi - mean_g)^2 */
    double ss_total;     /* ss_between + ss_within */
    double df_between;   /* k - 1 */
    double df_within;    /* n - k */
    double ms_between;
    double ms_within;
    double r_squared;    /* ss_between / ss_total (= eta²) */
    double resid_sd;     /* sqrt(ms_within) */
    /* Classic F = ms_between / ms_within (R: anova(lm(y ~ factor(g))),
     * oneway.test(var.equal = TRUE)): statistic, df, df2, p_value (upper
     * tail), n1 = n. */
    kap_result f;
    /* Welch's F (Welch 1951; R: oneway.test(var.equal = FALSE)):
     * statistic, df = k - 1, df2 (fractional), p_value, n1 = n.  NaN with
     * a note when a group has fewer than 2 observations or zero variance. */
    kap_result welch;
    /* eta² = SS_between / SS_total (effectsize::eta_squared on aov; for one
     * factor partial = non-partial): estimate and CI by inverting the
     * noncentral F distribution in its noncentrality (Steiger 2004;
     * effectsize's .get_ncp_F, solved here by root finding rather than
     * optim), bound = ncp / (ncp + df_within). */
    kap_result eta_squared;
    /* omega² = max(0, (SS_between - df_between MS_within) / (SS_total +
     * MS_within)) (effectsize::omega_squared; Hays 1963).  CI as
     * effectsize does it: the eta² interval of the F implied by omega²,
     * F* = (omega² / df) / ((1 - omega²) / df_within). */
    kap_result omega_squared;
} kap_anova_oneway_result;

/* One-way ANOVA of y by group.
 *
 * y: n values; group: n codes in [0, n_groups), a negative code means
 * missing.  conf_level in (0, 1) and es_alternative set the effect-size
 * CIs: KAP_GREATER (the effectsize default) gives [lower, 1] with the
 * lower bound at one-sided level conf_level; KAP_TWO_SIDED gives both
 * bounds at two-sided conf_level; KAP_LESS gives [0, upper].
 *
 * Method: the data are first shifted by their (rounded) mean - exact
 * for data with many constant leading digits - and scaled by a power of
 * two; then group means by a two-pass (corrected) compensated mean, the
 * within sum of squares from deviations about the group means and the
 * between sum from group-mean deviations about the grand mean.  The
 * result equals the exact ANOVA of the double-valued input to ~1e-13
 * (NIST StRD ANOVA, including SmLs07-09, whose accuracy is then limited
 * only by the rounding of the decimal data to doubles).  Groups without
 * observations are ignored (k counts groups present).
 *
 * Effect-size CIs need the noncentral F distribution (Poisson mixture of
 * incomplete beta functions, capped series) and a root search (capped
 * iterations).  Should either not converge - not seen for noncentrality
 * below 1e11 - the CI stays NaN with a note, and the rest of the result
 * (F tests, estimates) is still returned with KAP_OK.
 *
 * Degenerate data: zero within-group variance gives F = +Inf (p = 0) when
 * the group means differ and F = NaN when all values are equal (as R's
 * anova), with a note; effect-size CIs are then NaN with a note.
 *
 * NaN policy: NaN values (and negative group codes) are dropped; n and
 * k report what was used.
 * Errors: KAP_EINVAL (NULL, n_groups < 1, code >= n_groups, infinite
 * value, conf_level outside (0,1), bad alternative), KAP_EDATA (fewer
 * than 2 groups present, or no within-group degrees of freedom: every
 * group has one observation; out->n and out->k are still filled),
 * KAP_ENOMEM. */
KAP_EXTERN int kap_anova_oneway(kap_anova_oneway_result *out, const double *y,
                                const int32_t *group, size_t n,
                                int32_t n_groups, double conf_level,
                                kap_alternative es_alternative,
                                kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
