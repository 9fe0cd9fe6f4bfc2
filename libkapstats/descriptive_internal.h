/*
 * libkapstats/descriptive_internal.h - moment kernels shared by the
 * descriptive, t-test and effect-size modules (not exported).
 *
 * Extreme magnitudes: callers find the largest |value| (kap_absmax), choose
 * a power-of-two exponent e with kap_scale_exponent and let the kernels work
 * on x * 2^-e (exact scaling), so that squares and sums neither overflow
 * nor underflow.  Means and sums of squares below are in scaled units.
 */
#ifndef KAPSTATS_DESCRIPTIVE_INTERNAL_H
#define KAPSTATS_DESCRIPTIVE_INTERNAL_H

#include "internal.h"

/* Largest |x_i| over the non-NaN values (0 if none).  Returns KAP_OK, or
 * KAP_EINVAL if some value is infinite (its index in *bad). */
KAP_INTERNAL int kap_absmax(const double *x, size_t stride, size_t n,
                            double *amax, size_t *bad);

/* Same over complete pairs (x_i, y_i), both non-NaN. */
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

/* Corrected two-pass mean and sum of squares of x * 2^-e, NaN dropped. */
KAP_INTERNAL void kap_moments_scaled(const double *x, size_t stride, size_t n,
                                     int e, kap_moments *m);

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

#endif
