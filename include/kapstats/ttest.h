/*
 * kapstats/ttest.h - t tests (numeric kernels: plain arrays in, a
 * kap_result out, no I/O).  See include/kapstats.h for ownership and error
 * rules.
 *
 * All three functions mirror R 4.2's stats::t.test() (same estimate, SE,
 * df, statistic, p-value and CI), with these conventions:
 *  - NaN values are missing.  Two-sample: dropped from each group
 *    separately; paired: a pair with a NaN in either member is dropped.
 *    n1/n2 report the counts used (paired: n1 = n2 = pairs used).
 *    Infinite values are rejected (KAP_EINVAL, err names the index).
 *  - Where R stops with "not enough observations" or "data are essentially
 *    constant" (standard error < 10 eps |mean|), these return KAP_OK with
 *    the undefined fields NaN and `note` saying why.
 *  - The CI is for the mean difference x - y (or the mean), at conf_level:
 *    two-sided, or one-sided (-Inf, upper] for KAP_LESS and [lower, +Inf)
 *    for KAP_GREATER, exactly as t.test.
 *  - t and F distribution values come from GSL (gsl_cdf_tdist_*).
 */
#ifndef KAPSTATS_TTEST_H
#define KAPSTATS_TTEST_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "descriptive.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KAP_TTEST_OPTIONS_VERSION 1

/* Options; initialise with KAP_TTEST_OPTIONS_INIT.  A NULL options pointer
 * means the defaults. */
typedef struct kap_ttest_options {
    unsigned int version;         /* KAP_TTEST_OPTIONS_VERSION */
    kap_alternative alternative;  /* default KAP_TWO_SIDED */
    double mu;                    /* null value of the mean (difference); 0 */
    double conf_level;            /* in (0, 1); default 0.95 */
    int var_equal;                /* two-sample only: 0 = Welch (default),
                                     1 = Student (pooled variance) */
} kap_ttest_options;

#define KAP_TTEST_OPTIONS_INIT \
    { KAP_TTEST_OPTIONS_VERSION, KAP_TWO_SIDED, 0.0, 0.95, 0 }

/*
 * kap_ttest_two - two-sample t test of mean(x) - mean(y) = mu.
 * Welch (default): SE = sqrt(vx/nx + vy/ny), Welch-Satterthwaite df; needs
 * nx, ny >= 2.  Student (var_equal): pooled variance, df = nx + ny - 2;
 * needs nx, ny >= 1 and nx + ny >= 3 (as R).  estimate = mean(x) -
 * mean(y); statistic = t; df; p_value; CI for the difference; se.
 * method: "Welch Two Sample t-test" or "Two Sample t-test".
 * Returns KAP_OK; KAP_EINVAL (NULL out or data pointer with n > 0, zero
 * stride, conf_level not in (0, 1), bad alternative or options version,
 * infinite value).
 */
KAP_EXTERN int kap_ttest_two(kap_result *out, const double *x,
                             size_t xstride, size_t nx, const double *y,
                             size_t ystride, size_t ny,
                             const kap_ttest_options *opt, kap_error *err);

/*
 * kap_ttest_two_summary - kap_ttest_two from a two-sample summary (see
 * kap_two_summary in descriptive.h; kap_describe_two fills it): the same
 * result, bit for bit, as kap_ttest_two on the arrays the summary was made
 * from, without reading them again.  The summary may also be filled by
 * hand from group statistics (n, mean, ss = sd^2 (n - 1), scale = 0).
 * method and the rules for too few values or constant data as
 * kap_ttest_two.  Returns KAP_OK; KAP_EINVAL (NULL out or summary, an
 * invalid summary, bad options).  Thread safe; no allocation.
 */
KAP_EXTERN int kap_ttest_two_summary(kap_result *out,
                                     const kap_two_summary *s,
                                     const kap_ttest_options *opt,
                                     kap_error *err);

/*
 * kap_ttest_paired - paired t test: the one-sample test on d_i = x_i - y_i
 * over complete pairs (needs >= 2).  estimate = mean(d); df = n - 1.
 * var_equal is ignored.  method "Paired t-test".  Errors as kap_ttest_two.
 */
KAP_EXTERN int kap_ttest_paired(kap_result *out, const double *x,
                                size_t xstride, const double *y,
                                size_t ystride, size_t n,
                                const kap_ttest_options *opt, kap_error *err);

/*
 * kap_ttest_one - one-sample t test of mean(x) = mu (needs n >= 2).
 * estimate = mean(x); df = n - 1.  method "One Sample t-test".  Errors as
 * kap_ttest_two.
 */
KAP_EXTERN int kap_ttest_one(kap_result *out, const double *x, size_t stride,
                             size_t n, const kap_ttest_options *opt,
                             kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
