/*
 * kapstats/descriptive.h - descriptive statistics of one sample (numeric
 * kernel: plain arrays in, a fixed-size result out, no I/O).  See
 * include/kapstats.h for ownership and error rules.
 */
#ifndef KAPSTATS_DESCRIPTIVE_H
#define KAPSTATS_DESCRIPTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Summary of one sample.  Filled by kap_describe(); needs no free. */
typedef struct kap_describe_result {
    size_t n;           /* values used (NaN dropped) */
    size_t n_missing;   /* NaN values dropped */
    double mean;
    double sd;          /* sample SD, denominator n - 1 */
    double se;          /* sd / sqrt(n) */
    double median;      /* = quantile 0.5, R type 7 */
    double q1, q3;      /* quantiles 0.25 and 0.75, R type 7 */
    double min, max;
    double ci_low;      /* two-sided t-based CI of the mean: */
    double ci_high;     /*   mean -+ qt(1 - (1 - conf_level) / 2, n - 1) se */
    double conf_level;
    const char *note;   /* static string or NULL: why a field is NaN */
} kap_describe_result;

/*
 * kap_describe - mean, SD, SE, median, quartiles, range and the t-based
 * confidence interval of the mean of x[0], x[stride], ..., x[(n-1)*stride].
 *
 * Method: mean and SD by the corrected two-pass algorithm (compensated first
 * pass, then mean += sum(x - mean) / n and SS = sum((x - mean)^2) -
 * (sum(x - mean))^2 / n; Chan, Golub & LeVeque 1983), on values scaled by a
 * power of two when their magnitude is extreme (no overflow or underflow for
 * any finite data).  Quantiles as R's quantile(type = 7):
 * h = (n - 1) p, (1 - f) x[floor h] + f x[floor h + 1] on the sorted values,
 * f = h - floor h.  CI: qt from GSL.  Accuracy: NIST StRD univariate sets
 * (tests/test_descriptive.c).  Matches R 4.2 mean, sd, quantile, t.test.
 *
 * NaN policy: NaN values are missing: dropped and counted in n_missing.
 * With n = 0 every statistic is NaN; with n = 1 sd, se and the CI are NaN;
 * `note` says why.  Zero spread gives sd = se = 0 and ci_low = ci_high =
 * mean.
 *
 * Returns KAP_OK; KAP_EINVAL if out is NULL, x is NULL with n > 0, stride is
 * 0, conf_level is not in (0, 1), or a value is infinite (err names its
 * index); KAP_ENOMEM (the quantiles need a sorted copy of the data, freed
 * before returning).  On error *out is set to "all NaN".
 */
KAP_EXTERN int kap_describe(kap_describe_result *out, const double *x,
                            size_t stride, size_t n, double conf_level,
                            kap_error *err);

/*
 * Summary of two independent samples x and y: everything the two-sample
 * t tests and standardized mean differences need.  Compute it once with
 * kap_describe_two() and pass it to any number of kap_ttest_two_summary(),
 * kap_effect_size_cohens_d_summary(), _hedges_g_summary() and
 * _glass_delta_summary() calls: each of those then reads no data, and
 * gives exactly (bit for bit) the result of its array form on x and y.
 * Filled by kap_describe_two(); needs no free.
 *
 * Units: mean1, mean2, ss1, ss2 are those of the values times 2^-scale.
 * scale is 0 unless the largest |value| of x and y together lies outside
 * [2^-400, 2^400] (then the data are scaled by that power of two, exactly,
 * so that squares neither overflow nor underflow); the real mean is
 * ldexp(mean1, scale), the real sum of squares ldexp(ss1, 2 * scale).
 *
 * Filled by the caller (e.g. from published group statistics): set
 * scale = 0, mean = the group mean, ss = sd^2 (n - 1); n_missing is not
 * used.  Checked by the functions that take it: for a group with n > 0,
 * mean and ss must be finite and ss >= 0 (a group with n = 0 is ignored);
 * |scale| <= 2200.
 */
typedef struct kap_two_summary {
    size_t n1, n2;                  /* values used (NaN dropped) */
    size_t n1_missing, n2_missing;  /* NaN values dropped */
    double mean1, mean2;            /* means (scaled; NaN when n = 0) */
    double ss1, ss2;                /* sums of squared deviations from the
                                       mean (scaled; NaN when n = 0) */
    int scale;                      /* power-of-two exponent, see above */
} kap_two_summary;

/*
 * kap_describe_two - the summary of x[0], x[xstride], ...,
 * x[(nx-1)*xstride] and of y likewise (see kap_two_summary).
 *
 * Method: the corrected two-pass algorithm of kap_describe (compensated
 * sums; Chan, Golub & LeVeque 1983), the infinity check and the largest
 * |value| folded into the first pass: two passes over each array (three
 * when the data need scaling).  NaN values are missing: dropped and
 * counted.
 *
 * Returns KAP_OK; KAP_EINVAL if out is NULL, x (y) is NULL with nx (ny)
 * > 0, a stride is 0 or a value is infinite (err names the array and the
 * index).  On error *out has n1 = n2 = 0 and NaN moments.  Thread safe; no
 * allocation.
 */
KAP_EXTERN int kap_describe_two(kap_two_summary *out, const double *x,
                                size_t xstride, size_t nx, const double *y,
                                size_t ystride, size_t ny, kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
