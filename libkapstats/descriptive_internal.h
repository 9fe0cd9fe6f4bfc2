/*
 * libkapstats/descriptive_internal.h - moment kernels shared by the
 * descriptive, t-test and effect-size modules (not exported).
 *
 * Extreme magnitudes: callers find the largest |value| (kap_moments_first,
 * kap_absmax_pairs), choose a power-of-two exponent e with
 * kap_scale_exponent and let the kernels work on x * 2^-e (exact scaling),
 * so that squares and sums neither overflow nor underflow.  Means and sums of squares below are in scaled units.
 */
#ifndef KAPSTATS_DESCRIPTIVE_INTERNAL_H
#define KAPSTATS_DESCRIPTIVE_INTERNAL_H

#include "internal.h"

/* Largest |value| over complete pairs (x_i, y_i), both non-NaN (0 if
 * none).  Returns KAP_OK, or KAP_EINVAL if some value is infinite (the
 * pair's index in *bad).  (One-array forms: kap_moments_first.) */
KAP_INTERNAL int kap_absmax_pairs(const double *x, size_t xstride,
                                  const double *y, size_t ystride, size_t n,
                                  double *amax, size_t *bad);

/* Exponent e (0 when not needed) so that amax * 2^-e lies in [0.5, 1) when
 * amax is outside [2^-400, 2^400]. */
KAP_INTERNAL int kap_scale_exponent(double amax);

typedef struct kap_moments {
    size_t n;          /* non-NaN values used */
    size_t n_missing;  /* NaN values dropped */
    double mean;       /* mean of x * 2^-e */
    double ss;         /* sum of squared deviations from the mean (scaled) */
} kap_moments;

/* Corrected two-pass mean and sum of squares of x * 2^-e, NaN dropped, in
 * two passes: kap_moments_first finds the largest |x_i| (for the exponent,
 * kap_scale_exponent), checks for infinities and makes the first pass at
 * e = 0 in one loop; kap_moments_finish, given e, makes the second pass
 * (and, only when e != 0, first sums the scaled values again: a third
 * pass, for extreme data only). */
typedef struct kap_first_pass {
    size_t n;          /* non-NaN values */
    double amax;       /* largest |x_i| (0 if none) */
    double sum, comp;  /* compensated sum of the unscaled values */
} kap_first_pass;

/* Returns KAP_OK, or KAP_EINVAL if some value is infinite (index in
 * *bad). */
KAP_INTERNAL int kap_moments_first(const double *x, size_t stride, size_t n,
                                   kap_first_pass *f, size_t *bad);
KAP_INTERNAL void kap_moments_finish(const double *x, size_t stride,
                                     size_t n, int e, const kap_first_pass *f,
                                     kap_moments *m);

/* kap_describe_two's work (x: which = 0, y: which = 1 names the array
 * with an infinite value, its index in *bad).  y may be NULL with
 * ny = 0. */
KAP_INTERNAL int kap_two_summary_fill(kap_two_summary *s, const double *x,
                                      size_t xstride, size_t nx,
                                      const double *y, size_t ystride,
                                      size_t ny, size_t *bad, int *which);

/* Checks a caller-filled summary (see kap_two_summary); fn names the
 * caller in the message. */
KAP_INTERNAL int kap_two_summary_check(const kap_two_summary *s,
                                       const char *fn, kap_error *err);

typedef struct kap_paired_moments {
    size_t n;          /* complete pairs used */
    size_t n_missing;  /* pairs dropped (NaN in x or y) */
    double mean_x, mean_y, mean_d;  /* d = x - y; scaled units */
    double ss_x, ss_y, ss_d;        /* sums of squared deviations */
    double sp_xy;                   /* sum of cross-products of deviations */
} kap_paired_moments;

/* The same for complete pairs, with d_i = x_i 2^-e - y_i 2^-e. */
KAP_INTERNAL void kap_paired_moments_scaled(const double *x, size_t xstride,
                                            const double *y, size_t ystride,
                                            size_t n, int e,
                                            kap_paired_moments *m);

/* Two-sided t quantile qt(p, df) and its validity: GSL, checked. */
KAP_INTERNAL double kap_qt(double p, double df);

/* Mean, SD, SE and t CI of x[0..n) exactly as kap_describe computes them
 * (same kernels, same operations, same notes), without selecting the
 * median and quartiles: for callers that do not report those (they and
 * min/max stay NaN).  Errors: KAP_EINVAL (an infinite value), as
 * kap_describe. */
KAP_INTERNAL int kap_describe_moments(kap_describe_result *out, const double *x,
                                      size_t n, double conf_level,
                                      kap_error *err);

#endif
