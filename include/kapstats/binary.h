/*
 * kapstats/binary.h - binary outcomes: confidence intervals for one
 * proportion, the exact binomial test, and the comparison of two groups
 * (group 1 = treatment vs group 2 = control): risk difference, risk ratio,
 * odds ratio (Woolf and conditional MLE), number needed to treat,
 * Fisher's exact test and Pearson's chi-square test for the 2x2 table.
 * See include/kapstats.h for ownership and error rules.
 *
 * Conventions for every function here:
 *  - Counts are size_t: e events (or successes) out of n trials; the 2x2
 *    table is  [ e1  n1-e1 ]  (group 1, first row)
 *              [ e2  n2-e2 ]  (group 2 = control).
 *  - Errors: KAP_EINVAL (out NULL, events > trials, conf_level outside
 *    (0, 1), bad enum or p0), KAP_EDATA (a group with n = 0: nothing to
 *    estimate), KAP_ENOCONV (iterative conditional MLE / exact CI did not
 *    converge), KAP_ENUMERIC (a GSL function failed).  On error *out is
 *    initialised (all NaN) when out is not NULL.
 *  - Zero cells never raise an error: the affected fields are NaN (or the
 *    exact 0 / +inf limit the method defines) and `note` says why.
 *  - Fixed-size results; no allocation survives the call; thread safe.
 */
#ifndef KAPSTATS_BINARY_H
#define KAPSTATS_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one proportion ---------------------------------------------------- */

typedef enum kap_prop_ci_method {
    /* Wilson score interval without continuity correction, exactly as
     * R's prop.test(k, n, correct = FALSE)$conf.int (Wilson 1927). */
    KAP_PROP_WILSON = 0,
    /* Clopper-Pearson exact interval, as R's binom.test()$conf.int:
     * beta quantiles, lower 0 when k = 0, upper 1 when k = n. */
    KAP_PROP_CLOPPER_PEARSON = 1,
    /* Agresti-Coull (1998): n~ = n + z^2, p~ = (k + z^2/2) / n~,
     * p~ -+ z sqrt(p~ (1 - p~) / n~), truncated to [0, 1] (note set when
     * truncated). */
    KAP_PROP_AGRESTI_COULL = 2,
    /* Jeffreys (Brown, Cai & DasGupta 2001): Beta(k + 1/2, n - k + 1/2)
     * equal-tailed quantiles, lower 0 when k = 0, upper 1 when k = n. */
    KAP_PROP_JEFFREYS = 3
} kap_prop_ci_method;

/* Confidence interval for a binomial proportion k/n.
 * estimate = k/n; ci_low, ci_high, conf_level set; one-sided alternatives
 * give [0, upper] (KAP_LESS) or [lower, 1] (KAP_GREATER) at level
 * conf_level (z = qnorm(conf_level), beta quantile at 1 - conf_level), as
 * prop.test and binom.test do.  n1 = n.  Errors: see above (n = 0 ->
 * KAP_EDATA). */
KAP_EXTERN int kap_binary_prop_ci(kap_result *out, size_t k, size_t n,
                                  kap_prop_ci_method method,
                                  double conf_level,
                                  kap_alternative alternative,
                                  kap_error *err);

/* Exact binomial test of H0: p = p0, as R's binom.test(k, n, p0, ...):
 * two-sided p = sum of the probabilities of outcomes no more likely than
 * k (relative tolerance 1 + 1e-7, R's rule); one-sided tail sums.
 * estimate = k/n, Clopper-Pearson CI (as KAP_PROP_CLOPPER_PEARSON),
 * statistic = k, n1 = n.  p0 in [0, 1]. */
KAP_EXTERN int kap_binary_binom_test(kap_result *out, size_t k, size_t n,
                                     double p0, kap_alternative alternative,
                                     double conf_level, kap_error *err);

/* ---- two groups -------------------------------------------------------- */

typedef enum kap_rd_ci_method {
    /* Newcombe (1998) hybrid score interval, method 10: Wilson limits
     * (l_i, u_i) of each proportion combined as
     * [d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2)]. */
    KAP_RD_NEWCOMBE = 0,
    /* Wald: d -+ z sqrt(p1 q1 / n1 + p2 q2 / n2), truncated to [-1, 1] as
     * R's prop.test(c(e1, e2), c(n1, n2), correct = FALSE)$conf.int
     * (note set when truncated); se is set. */
    KAP_RD_WALD = 1
} kap_rd_ci_method;

/* Risk difference d = e1/n1 - e2/n2 (group 1 minus control) with a
 * two-sided CI.  estimate, ci_low, ci_high, conf_level, n1, n2; se only
 * for Wald.  Defined for zero or all events (Newcombe gives a non-empty
 * interval; a zero Wald SE gives [d, d] with a note). */
KAP_EXTERN int kap_binary_risk_difference(kap_result *out, size_t e1,
                                          size_t n1, size_t e2, size_t n2,
                                          kap_rd_ci_method method,
                                          double conf_level, kap_error *err);

/* Risk ratio (e1/n1) / (e2/n2) with the log (Katz et al. 1978) CI:
 * exp(log RR -+ z se), se = sqrt((1-p1)/e1 + (1-p2)/e2) (se field, on the
 * log scale).  No events in either arm: estimate NaN (note).  No events in
 * one arm: estimate 0 or +inf, se and CI NaN (note; no continuity
 * correction is applied). */
KAP_EXTERN int kap_binary_risk_ratio(kap_result *out, size_t e1, size_t n1,
                                     size_t e2, size_t n2, double conf_level,
                                     kap_error *err);

/* Odds ratio (e1 (n2-e2)) / ((n1-e1) e2) with Woolf's logit CI:
 * exp(log OR -+ z se), se = sqrt(1/a + 1/b + 1/c + 1/d) (log scale).
 * Any zero cell: se and CI NaN with a note; estimate 0, +inf, or NaN
 * (0/0: no events in either arm, or all events in both). */
KAP_EXTERN int kap_binary_odds_ratio(kap_result *out, size_t e1, size_t n1,
                                     size_t e2, size_t n2, double conf_level,
                                     kap_error *err);

/* Fisher's exact test for the 2x2 table, as R's fisher.test(matrix(c(e1,
 * e2, n1-e1, n2-e2), 2), alternative = ..., conf.level = ...):
 *  p_value: two-sided = sum of the conditional (hypergeometric)
 *    probabilities <= the observed one * (1 + 1e-7); one-sided tails;
 *  estimate: conditional maximum-likelihood odds ratio (root of
 *    E[X; psi] = x under the noncentral hypergeometric, solved in log psi
 *    by safeguarded Newton to ~1e-12; R's uniroot stops at tol 1.2e-4);
 *  ci_low/ci_high: exact conditional limits (tail probability = alpha/2,
 *    or alpha one-sided), 0 / +inf at the ends of the support, as R.
 * Probabilities are computed in log space (gsl_sf_lnchoose).
 * Deviation: when the support has one point (no events at all, or all
 * events) R reports estimate 0; we report NaN with a note (CI [0, inf],
 * p = 1 as R).  statistic NaN; n1, n2 set.  n1 + n2 must be below 2^32
 * (KAP_EINVAL otherwise); memory grows with the support size,
 * min(e1 + e2, n1) + 1 points; time mostly with the part of it whose
 * probabilities do not underflow to 0 (about the square root of the
 * support on large tables): the others are exactly 0 and not evaluated. */
KAP_EXTERN int kap_binary_fisher(kap_result *out, size_t e1, size_t n1,
                                 size_t e2, size_t n2,
                                 kap_alternative alternative,
                                 double conf_level, kap_error *err);

/* Pearson's chi-square test for the 2x2 table, as R's chisq.test(table,
 * correct = correct): with correct != 0, Yates' correction
 * YATES = min(0.5, min |O - E|) (R's rule); statistic
 * sum((|O - E| - YATES)^2 / E), df = 1, upper-tail chi-square p.
 * A zero margin (no events at all, or all events): statistic and p NaN
 * with a note (R gives NaN as well). */
KAP_EXTERN int kap_binary_chisq(kap_result *out, size_t e1, size_t n1,
                                size_t e2, size_t n2, int correct,
                                kap_error *err);

/* ---- number needed to treat (Altman 1998, BMJ 317:1309) ---------------- */

/* Whether the counted event is good for the patient (response, remission)
 * or bad (relapse, adverse event): decides benefit vs harm. */
typedef enum kap_event_kind {
    KAP_EVENT_BENEFICIAL = 0,
    KAP_EVENT_HARMFUL = 1
} kap_event_kind;

typedef enum kap_nnt_kind {
    KAP_NNT_BENEFIT = 0,   /* treatment better: NNTB */
    KAP_NNT_HARM = 1,      /* treatment worse: NNTH */
    KAP_NNT_NONE = 2,      /* difference exactly 0: NNT infinite */
    KAP_NNT_UNDEFINED = 3  /* difference NaN */
} kap_nnt_kind;

typedef enum kap_nnt_ci_kind {
    KAP_NNT_CI_BENEFIT = 0,  /* whole CI on the benefit side: NNTB a to b
                                (b may be +inf when the RD limit is 0) */
    KAP_NNT_CI_HARM = 1,     /* whole CI on the harm side: NNTH a to b */
    KAP_NNT_CI_CROSSES = 2,  /* RD CI contains 0: NNTH a to inf to NNTB b */
    KAP_NNT_CI_NONE = 3,     /* RD CI is [0, 0]: infinite */
    KAP_NNT_CI_UNDEFINED = 4 /* RD CI NaN */
} kap_nnt_ci_kind;

typedef struct kap_nnt {
    double rd, rd_low, rd_high;  /* p1 - p2 and its CI, as used */
    double conf_level;
    kap_nnt_kind kind;
    double nnt;                  /* 1 / |benefit difference|; +inf when 0 */
    kap_nnt_ci_kind ci_kind;
    /* NNT(benefit) part of the CI, low <= high; NaN when there is none;
     * high = +inf when the CI reaches "no effect". */
    double nntb_low, nntb_high;
    /* NNT(harm) part of the CI, same rules. */
    double nnth_low, nnth_high;
    const char *method;          /* static string */
    const char *note;            /* static string or NULL */
} kap_nnt;

/* NNT from a risk difference rd = p1 - p2 (treatment - control) and its
 * CI [rd_low, rd_high]: NNT = 1 / |b| with b = rd for beneficial events and
 * -rd for harmful ones; the CI is the inversion of the RD CI, which passes
 * through infinity when the RD CI contains 0 (Altman 1998).  Any RD (e.g.
 * covariate-adjusted) may be passed.  Errors: KAP_EINVAL (out NULL, bad
 * kind, rd_low > rd_high, |values| > 1, conf_level outside (0, 1)); NaN
 * inputs give KAP_NNT_UNDEFINED kinds, not an error. */
KAP_EXTERN int kap_binary_nnt_from_rd(kap_nnt *out, double rd, double rd_low,
                                      double rd_high, double conf_level,
                                      kap_event_kind event, kap_error *err);

/* NNT from counts: kap_binary_risk_difference (method, conf_level) then
 * kap_binary_nnt_from_rd.  Errors as those two functions. */
KAP_EXTERN int kap_binary_nnt(kap_nnt *out, size_t e1, size_t n1, size_t e2,
                              size_t n2, kap_event_kind event,
                              kap_rd_ci_method method, double conf_level,
                              kap_error *err);

/* Format an NNT in Altman's notation into buf (NUL-terminated, C locale),
 * with `digits` decimals (0..6):
 *   "NNTB 4.2 (95% CI 2.6 to 11.0)"
 *   "NNTH 7.5 (95% CI 3.1 to 40.2)"
 *   "NNTB 10.0 (95% CI NNTH 20.0 to infinity to NNTB 5.0)"
 *   "NNT infinity (95% CI NNTH 20.0 to infinity to NNTB 5.0)"
 *   "NNT undefined"
 * (the CI bound that is +inf prints as "infinity").  128 bytes always
 * suffice.  Returns KAP_OK, or KAP_EINVAL (NULL, digits out of range, or
 * buffer too small: the truncated text is still terminated). */
KAP_EXTERN int kap_binary_nnt_format(char *buf, size_t size,
                                     const kap_nnt *nnt, int digits,
                                     kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
