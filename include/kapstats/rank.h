/*
 * kapstats/rank.h - rank-based tests and effect sizes over plain arrays:
 * Wilcoxon-Mann-Whitney rank-sum test, Wilcoxon signed-rank test,
 * Kruskal-Wallis test, rank-biserial correlation, Cliff's delta and the
 * probability of superiority.  See include/kapstats.h for ownership and
 * error rules.
 *
 * Defaults reproduce R 4.2 (stats::wilcox.test, stats::kruskal.test) and
 * effectsize 0.8.3 (rank_biserial, cliffs_delta, p_superiority with
 * parametric = FALSE).  Deviations are listed on each function.
 *
 * Common rules for every function here:
 *  - NaN policy: NaN values are missing and dropped (for paired data the
 *    whole pair is dropped); n1/n2 of the result report the counts used.
 *    +-Inf are ordinary (extreme) values for the rank statistics.
 *  - x/y may be NULL only when their length is 0.
 *  - The result is written through `out` (no free needed); on error *out is
 *    left initialised (all NaN) when out is not NULL.
 *  - Errors: KAP_EINVAL (NULL pointer with n > 0, bad option or
 *    conf_level outside (0, 1), exact distribution too large),
 *    KAP_EDATA (a sample is empty after dropping NaN, or fewer than two
 *    groups/observations for Kruskal-Wallis), KAP_ENOMEM.
 *  - Thread safe; no allocation survives the call.
 */
#ifndef KAPSTATS_RANK_H
#define KAPSTATS_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the p-value (and the location CI) of a Wilcoxon test is computed. */
typedef enum kap_rank_method {
    /* R's default: exact when (both) sample size(s) < 50 and, after
     * dropping zero differences, there are no ties and (signed rank) no
     * zeros; otherwise the normal approximation. */
    KAP_RANK_AUTO = 0,
    /* Exact null distribution if possible; with ties (or zeros, signed
     * rank) the normal approximation is used, as R does with exact=TRUE,
     * and `note` says so. */
    KAP_RANK_EXACT = 1,
    /* Normal approximation with tie correction (R's exact = FALSE). */
    KAP_RANK_ASYMPTOTIC = 2
} kap_rank_method;

typedef struct kap_rank_options {
    unsigned int version;        /* KAP_RANK_OPTIONS_VERSION */
    kap_alternative alternative; /* KAP_TWO_SIDED */
    kap_rank_method method;      /* KAP_RANK_AUTO */
    int correct;                 /* continuity correction in the normal
                                    approximation (R: correct = TRUE): 1 */
    double mu;                   /* null location (shift): 0 */
    int conf_int;                /* 1: Hodges-Lehmann estimate and CI
                                    (R: conf.int = TRUE); default 0 */
    double conf_level;           /* 0.95 */
} kap_rank_options;

#define KAP_RANK_OPTIONS_VERSION 1
#define KAP_RANK_OPTIONS_INIT \
    { KAP_RANK_OPTIONS_VERSION, KAP_TWO_SIDED, KAP_RANK_AUTO, 1, 0.0, 0, 0.95 }

/* Largest exact null distribution computed on request (KAP_RANK_EXACT):
 * rank sum: (min(n1, n2) + 1) * (n1 * n2 / 2 + 1) <= this many doubles and
 * (n1 + n2) times that <= KAP_RANK_EXACT_MAX_WORK updates; signed rank:
 * n (n + 1) / 4 + 1 <= this and n times that <= KAP_RANK_EXACT_MAX_WORK.
 * Beyond either, KAP_EINVAL: use the normal approximation.  (Automatic
 * exact mode, n < 50, needs at most ~60 000 states and ~6e6 updates.) */
#define KAP_RANK_EXACT_MAX_STATES (1u << 23)
#define KAP_RANK_EXACT_MAX_WORK 2147483648.0

/* Wilcoxon-Mann-Whitney rank-sum test of x against y (y = control),
 * as R's wilcox.test(x, y, ...).
 *
 * statistic: W = sum of the ranks of (x - mu) in the pooled sample minus
 * n1 (n1 + 1) / 2 (midranks for ties).  p_value: exact null distribution
 * (counting recursion over rank subsets in probabilities, memory
 * (min(n1,n2)+1) * (n1 n2 / 2 + 1) doubles, time O(n1 n2 min(n1,n2))) or
 * the normal approximation with tie correction and, if opt->correct,
 * R's continuity correction; method auto/exact/asymptotic as in
 * kap_rank_method.  df NaN.
 *
 * With opt->conf_int: estimate = Hodges-Lehmann shift = median of the
 * n1 n2 differences x_i - y_j (selected without storing them, O(n1+n2)
 * memory), ci_low/ci_high/conf_level:
 *  - exact case: R's order statistics of the differences from qwilcox;
 *    when the requested level is not achievable, conf_level reports the
 *    achieved level 1 - achieved alpha (R warns and does the same);
 *  - normal case: the point where R's standardised statistic W(d) crosses
 *    the normal quantile, i.e. the exact jump point of that step function
 *    (R finds it with uniroot to tol.root = 1e-4; we return the jump
 *    point itself, equal to R with a small tol.root).
 *   Deviation: in the normal case R's estimate is uniroot's zero of
 *   W(d) (continuity correction off); when n1 n2 is even that zero is any
 *   point of an interval and R returns wherever uniroot stops; we return
 *   the Hodges-Lehmann median (the interval's midpoint), which is R's
 *   estimate whenever it is unique.
 * Without conf_int these fields are NaN.
 *
 * n1/n2: non-NaN counts of x and y.  All values tied: p NaN with a note.
 * opt may be NULL (defaults).  Errors: see the top of this header. */
KAP_EXTERN int kap_rank_mann_whitney(kap_result *out, const double *x,
                                     size_t nx, const double *y, size_t ny,
                                     const kap_rank_options *opt,
                                     kap_error *err);

/* Wilcoxon signed-rank test, as R's wilcox.test(x, y, paired = TRUE) on
 * d = x - y (x = after, y = before) or, when y is NULL, the one-sample
 * test of x against opt->mu (d = x - mu).
 *
 * statistic: V = sum of the ranks of |d| over d > 0, zeros dropped
 * (Wilcoxon's convention, as R).  p_value: exact (n < 50, no ties, no
 * zeros, under AUTO) by subset-sum counting (n(n+1)/4 + 1 doubles),
 * else normal with tie correction and optional continuity correction.
 * With opt->conf_int: estimate = Hodges-Lehmann pseudomedian (median of
 * the Walsh averages of the non-zero d), CI as R: exact order statistics
 * from qsignrank (achieved level reported in conf_level when R would
 * change it, rounded to 2 significant digits as R), or in the normal case
 * the jump point of R's W(d), with R's halving of the level when the
 * requested one is not achievable (conf_level then reports the level
 * used; if none is achievable the CI is [median(d), median(d)] and
 * conf_level 0, as R).  The estimate deviation of kap_rank_mann_whitney
 * applies (even number of Walsh averages).  If every d is 0 the CI is NaN
 * and the estimate is the midrange, as R.
 *
 * n1: complete pairs (or non-NaN x) used, zeros included; n2: 0.
 * All d zero: statistic 0, p NaN with a note (R gives NaN too).
 * Errors: see the top of this header (KAP_EDATA when no complete pair). */
KAP_EXTERN int kap_rank_signed_rank(kap_result *out, const double *x,
                                    const double *y, size_t n,
                                    const kap_rank_options *opt,
                                    kap_error *err);

/* Kruskal-Wallis rank-sum test of x across the groups given by integer
 * codes (any int values; each distinct value is a group), as R's
 * kruskal.test(x, g): statistic H = (12 / (N (N+1)) sum R_g^2 / n_g -
 * 3 (N+1)) / (1 - sum(t^3 - t) / (N^3 - N)), df = k - 1, p from the
 * chi-square distribution (upper tail).
 * NaN x are dropped (with their code).  n1 = N used, n2 = 0.
 * All values tied: statistic and p NaN with a note (R gives NaN).
 * Errors: KAP_EINVAL (NULL with n > 0), KAP_EDATA (N < 2 or fewer than two
 * groups among the values used), KAP_ENOMEM. */
KAP_EXTERN int kap_rank_kruskal_wallis(kap_result *out, const double *x,
                                       const int *group, size_t n,
                                       kap_error *err);

/* Rank-biserial correlation for two independent samples, as
 * effectsize::rank_biserial(x, y, mu = mu, ci = conf_level,
 * alternative = ...): r = (U1 - U2) / (n1 n2) computed from midranks of
 * (x - mu, y); equals P(X > Y) - P(X < Y) (Cliff's delta).
 * CI: tanh(atanh(r) +- z * SE) with SE = sqrt((n1 + n2 + 1) / (3 n1 n2))
 * (effectsize 0.8.3); one-sided alternatives use level 2 conf_level - 1
 * and set the other bound to -1 (less) or +1 (greater), as effectsize.
 * estimate, ci_low, ci_high, conf_level, n1, n2 are set; se, statistic,
 * p_value NaN.  r = +-1 gives the degenerate CI [r, r], as effectsize.
 * Errors: see the top of this header. */
KAP_EXTERN int kap_rank_biserial(kap_result *out, const double *x, size_t nx,
                                 const double *y, size_t ny, double mu,
                                 double conf_level,
                                 kap_alternative alternative, kap_error *err);

/* Paired (matched-pairs) rank-biserial correlation, as
 * effectsize::rank_biserial(d, mu = mu) with d = x - y (x = after,
 * y = before) or d = x when y is NULL: r = (sum of positive signed ranks
 * - sum of negative) / (m (m+1) / 2) over the m non-zero d - mu;
 * CI by the Fisher z with SE = sqrt((2m^3 + 3m^2 + m) / 6) / (m(m+1)/2).
 * n1 = complete pairs used (zeros included), n2 = 0.
 * Deviations from effectsize 0.8.3, which has two bugs here: when all d
 * are equal it returns +1 whatever the sign (we return -1 for a constant
 * negative d), and with every d - mu zero it returns 1 (we return NaN with
 * a note).  With separate x and y, effectsize counts m from x - mu
 * instead of x - y - mu for the SE; we use the non-zero differences (the
 * value effectsize gives for rank_biserial(x - y)).
 * Errors: see the top of this header. */
KAP_EXTERN int kap_rank_biserial_paired(kap_result *out, const double *x,
                                        const double *y, size_t n, double mu,
                                        double conf_level,
                                        kap_alternative alternative,
                                        kap_error *err);

/* Cliff's delta = P(X > Y) - P(X < Y), as effectsize::cliffs_delta 0.8.3,
 * which is the two-sample rank-biserial r with the same CI (effectsize
 * computes it by calling rank_biserial).  Fields and errors as
 * kap_rank_biserial; only `method` differs. */
KAP_EXTERN int kap_rank_cliffs_delta(kap_result *out, const double *x,
                                     size_t nx, const double *y, size_t ny,
                                     double mu, double conf_level,
                                     kap_alternative alternative,
                                     kap_error *err);

/* Probability of superiority P(X > Y) + 0.5 P(X = Y) (x shifted by -mu),
 * as effectsize::p_superiority(x, y, parametric = FALSE) 0.8.3, which
 * maps the rank-biserial r and its CI through (r + 1) / 2.  Fields and
 * errors as kap_rank_biserial. */
KAP_EXTERN int kap_rank_p_superiority(kap_result *out, const double *x,
                                      size_t nx, const double *y, size_t ny,
                                      double mu, double conf_level,
                                      kap_alternative alternative,
                                      kap_error *err);

/* Paired probability of superiority as effectsize::p_superiority(d,
 * parametric = FALSE) 0.8.3: (r + 1) / 2 with r the matched-pairs
 * rank-biserial correlation, i.e. the share of the signed-rank sum that
 * is positive (zero differences dropped), CI mapped the same way.  Fields, deviations and errors as
 * kap_rank_biserial_paired. */
KAP_EXTERN int kap_rank_p_superiority_paired(kap_result *out,
                                             const double *x,
                                             const double *y, size_t n,
                                             double mu, double conf_level,
                                             kap_alternative alternative,
                                             kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
