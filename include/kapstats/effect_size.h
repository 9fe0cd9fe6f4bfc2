/*
 * kapstats/effect_size.h - standardized mean differences with confidence
 * intervals (numeric kernels: plain arrays in, a kap_result out, no I/O).
 * See include/kapstats.h for ownership and error rules.
 *
 * Sign and roles: every difference is x - y, with y the control (or, for
 * paired data, the baseline / pre condition).
 *
 * Defaults follow the R package effectsize 0.8.3 (cohens_d, hedges_g,
 * glass_delta with ci = 0.95, alternative = "two.sided", mu = 0,
 * pooled_sd = TRUE):
 *  - CI by inverting the noncentral t (KAP_ES_CI_NCP): with the pivot
 *    t = (difference - mu) / SE on df degrees of freedom, find the ncp with
 *    P(T <= t | df, ncp) = 1 - alpha/2 and = alpha/2 and scale both by the
 *    design constant sqrt(hn) that maps t to d (Steiger & Fouladi 1997;
 *    Steiger 2004; effectsize:::.get_ncp_t).  effectsize finds those roots
 *    with optim() (Nelder-Mead, accurate to ~1e-7 relative) on R's pt(),
 *    which for |ncp| > 37.62 or df > 4e5 is a normal approximation
 *    (Abramowitz & Stegun 26.7.10) off by ~1e-4 relative; here the roots
 *    are bracketed and found by Brent's method on an accurate noncentral t
 *    (libkapstats/noncentral_t.c), so results agree with effectsize to
 *    ~1e-7 where R is accurate and are exact (to ~1e-12) everywhere.
 *  - One-sided: KAP_LESS gives (-Inf, upper], KAP_GREATER [lower, +Inf),
 *    each bound being the two-sided bound at level 2 conf_level - 1 (as
 *    effectsize), i.e. the one-sided bound at conf_level.
 *  - Hedges' g = J(df) d with the exact factor
 *    J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df - 1)/2)) (Hedges 1981),
 *    applied to the estimate and both CI bounds (as effectsize).  J is
 *    computed without cancellation for large df.  effectsize returns J = 0
 *    for df = 1; here g is then NaN with a note.
 *
 * Result fields: estimate; ci_low, ci_high, conf_level; df (of the pivot,
 * also the df of J); statistic = the pivot t (noncentral-t CIs; NaN for
 * normal-approximation CIs); se = large-sample SE of the estimate
 * (normal-approximation CIs only, NaN otherwise); p_value NaN; n1, n2 =
 * values used (paired: n1 = n2 = complete pairs).
 *
 * NaN policy: NaN values are missing and dropped (two groups: separately;
 * paired: the whole pair).  Infinite values are rejected (KAP_EINVAL).
 * Too few values (see each function) give KAP_OK with the undefined fields
 * NaN and a note.  A zero standardizer (no variation) gives estimate
 * +-Inf (difference != mu) or NaN (difference == mu), CI NaN and a note.
 *
 * Errors: KAP_EINVAL (NULL out, NULL data with n > 0, zero stride, bad
 * options: version, conf_level not in (0, 1), unknown alternative, CI
 * method or paired type, non-finite mu); KAP_ENOCONV / KAP_ENUMERIC if the
 * noncentral-t inversion fails, which happens only for |t| beyond ~1e10
 * (outside the supported range of the noncentral t; then the estimate is
 * still filled and the CI is NaN; the normal-approximation CI remains
 * available).  Thread safe; no allocation.
 */
#ifndef KAPSTATS_EFFECT_SIZE_H
#define KAPSTATS_EFFECT_SIZE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "descriptive.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the confidence interval is computed. */
typedef enum kap_es_ci_method {
    KAP_ES_CI_NCP = 0,    /* invert the noncentral t (default; exact) */
    KAP_ES_CI_NORMAL = 1  /* d -+ z SE(d), SE from a large-sample formula
                             (given on each function) */
} kap_es_ci_method;

#define KAP_EFFECT_SIZE_OPTIONS_VERSION 1

/* Options; initialise with KAP_EFFECT_SIZE_OPTIONS_INIT.  NULL options
 * mean the defaults. */
typedef struct kap_effect_size_options {
    unsigned int version;          /* KAP_EFFECT_SIZE_OPTIONS_VERSION */
    double conf_level;             /* in (0, 1); default 0.95 */
    kap_alternative alternative;   /* default KAP_TWO_SIDED */
    double mu;                     /* null difference in raw units,
                                      subtracted before standardizing; 0 */
    int pooled_sd;                 /* two groups, d and g: 1 = pooled SD
                                      (default), 0 = sqrt((s1^2 + s2^2)/2)
                                      with Welch df (effectsize
                                      pooled_sd = FALSE) */
    kap_es_ci_method ci_method;    /* default KAP_ES_CI_NCP */
} kap_effect_size_options;

#define KAP_EFFECT_SIZE_OPTIONS_INIT \
    { KAP_EFFECT_SIZE_OPTIONS_VERSION, 0.95, KAP_TWO_SIDED, 0.0, 1, KAP_ES_CI_NCP }

/* Standardizers for paired (repeated-measures) data, d = (mean(x - y) - mu)
 * / s.  r = Pearson correlation of x and y, s_x, s_y, s_D the SDs of x, y
 * and D = x - y, n pairs. */
typedef enum kap_paired_d {
    /* d_z: s = s_D (Cohen 1988, p. 48; Lakens 2013 eq. 6).  CI: noncentral
     * t with df = n - 1, t = d sqrt(n) (effectsize 0.8.3
     * cohens_d(paired = TRUE)); normal option: SE^2 = 1/n + d^2/(2n)
     * (Hedges & Olkin 1985, p. 86). */
    KAP_D_Z = 0,
    /* d_rm: s = s_D / sqrt(2(1 - r)), i.e. d_z sqrt(2(1 - r)) (Cohen 1988,
     * p. 48; Lakens 2013 eq. 9).  Normal CI, SE^2 = (1/n + d^2/(2n))
     * 2(1 - r) (Cooper, Hedges & Valentine 2009, eq. 12.21). */
    KAP_D_RM = 1,
    /* d_av: s = sqrt((s_x^2 + s_y^2)/2) (Cumming 2012; the root mean square
     * of the two SDs, as effectsize >= 0.8.6 repeated_measures_d "av";
     * Lakens 2013 eq. 10 uses the arithmetic mean (s_x + s_y)/2 instead).
     * Normal CI, delta-method SE for bivariate-normal pairs:
     * SE^2 = s_D^2 / (n s^2) + d^2 (s_x^4 + s_y^4 + 2 c_xy^2) / (8 (n-1) s^4),
     * c_xy the covariance. */
    KAP_D_AV = 2,
    /* d_b (Becker's d): s = s_y, the SD of the control / pre condition
     * (Becker 1988).  Normal CI, SE^2 = 2(1 - r)/n + d^2/(2n) (Becker 1988,
     * eq. 6; metafor escalc "SMCR"). */
    KAP_D_B = 3
} kap_paired_d;

/*
 * kap_effect_size_cohens_d - Cohen's d = (mean(x) - mean(y) - mu) / s.
 * pooled_sd = 1: s^2 = (SS_x + SS_y) / (n1 + n2 - 2), pivot df = n1 + n2 - 2,
 * hn = 1/n1 + 1/n2; needs n1, n2 >= 1 and n1 + n2 >= 3.  Normal option:
 * SE^2 = 1/n1 + 1/n2 + d^2 / (2 (n1 + n2)) (Hedges & Olkin 1985; metafor
 * escalc "SMD", vtype "LS2").
 * pooled_sd = 0: s^2 = (s1^2 + s2^2)/2, Welch SE and df, hn =
 * 2 (n2 s1^2 + n1 s2^2) / (n1 n2 (s1^2 + s2^2)); needs n1, n2 >= 2.
 * Normal option: SE^2 = d^2 (s1^4/(n1-1) + s2^4/(n2-1)) / (8 s^4) +
 * (s1^2/(n1-1) + s2^2/(n2-1)) / s^2 (Bonett 2008; metafor "SMDH").
 * One sample: pass y = NULL and ny = 0: d = (mean(x) - mu) / sd(x),
 * pivot df = n - 1, hn = 1/n; normal SE^2 = 1/n + d^2/(2n); needs n >= 2.
 */
KAP_EXTERN int kap_effect_size_cohens_d(kap_result *out, const double *x,
                                        size_t xstride, size_t nx,
                                        const double *y, size_t ystride,
                                        size_t ny,
                                        const kap_effect_size_options *opt,
                                        kap_error *err);

/*
 * kap_effect_size_hedges_g - Hedges' g = J(df) d, d and its CI exactly as
 * kap_effect_size_cohens_d (same options), df the pivot df (Welch df when
 * pooled_sd = 0).  se (normal option) is J SE(d).
 */
KAP_EXTERN int kap_effect_size_hedges_g(kap_result *out, const double *x,
                                        size_t xstride, size_t nx,
                                        const double *y, size_t ystride,
                                        size_t ny,
                                        const kap_effect_size_options *opt,
                                        kap_error *err);

/*
 * kap_effect_size_glass_delta - Glass's delta = (mean(x) - mean(y) - mu) /
 * s_y, standardized by the control group's SD (no small-sample correction,
 * as effectsize::glass_delta).  CI as effectsize 0.8.3: noncentral t with
 * df = n2 - 1, t = (difference - mu) / (s_y sqrt(hn)),
 * hn = 1/n2 + s_x^2 / (n1 s_y^2).  Normal option: SE^2 = s_x^2 / (n1 s_y^2)
 * + 1/n2 + delta^2 / (2 n2) (metafor escalc "SMD1H" form).  Needs n2 >= 2
 * and n1 >= 2 (n1 = 1: estimate only).  pooled_sd is ignored; y is
 * required.
 */
KAP_EXTERN int kap_effect_size_glass_delta(kap_result *out, const double *x,
                                           size_t xstride, size_t nx,
                                           const double *y, size_t ystride,
                                           size_t ny,
                                           const kap_effect_size_options *opt,
                                           kap_error *err);

/*
 * kap_effect_size_cohens_d_summary, kap_effect_size_hedges_g_summary,
 * kap_effect_size_glass_delta_summary - the two-sample forms above from a
 * two-sample summary (kap_two_summary in descriptive.h; kap_describe_two
 * fills it): the same result, bit for bit, as the array form on the arrays
 * the summary was made from, without reading them again (the noncentral-t
 * CI works on the summary).  With kap_ttest_two_summary on the same
 * summary, a Welch test plus Hedges' g with its CI reads each array
 * twice in all.  Options, notes and errors as the array forms, plus
 * KAP_EINVAL for a NULL or invalid summary.
 */
KAP_EXTERN int kap_effect_size_cohens_d_summary(
    kap_result *out, const kap_two_summary *s,
    const kap_effect_size_options *opt, kap_error *err);
KAP_EXTERN int kap_effect_size_hedges_g_summary(
    kap_result *out, const kap_two_summary *s,
    const kap_effect_size_options *opt, kap_error *err);
KAP_EXTERN int kap_effect_size_glass_delta_summary(
    kap_result *out, const kap_two_summary *s,
    const kap_effect_size_options *opt, kap_error *err);

/*
 * kap_effect_size_paired_d - standardized mean difference of paired data
 * x_i, y_i (i < n; complete pairs only, needs >= 2), standardizer `type`
 * (see kap_paired_d for each definition and its CI).  ci_method applies to
 * KAP_D_Z only; d_rm, d_av and d_b always use their normal-approximation
 * CI (effectsize 0.8.3 has none of them; effectsize >= 0.8.6
 * repeated_measures_d uses normal CIs too).  pooled_sd is ignored.
 * r undefined (s_x or s_y = 0) makes d_rm's estimate and d_b's CI NaN
 * (note); r = 1 makes d_rm undefined.
 */
KAP_EXTERN int kap_effect_size_paired_d(kap_result *out, const double *x,
                                        size_t xstride, const double *y,
                                        size_t ystride, size_t n,
                                        kap_paired_d type,
                                        const kap_effect_size_options *opt,
                                        kap_error *err);

/*
 * kap_effect_size_paired_g - J(n - 1) times kap_effect_size_paired_d (the
 * estimate, the CI bounds and the SE), as effectsize
 * hedges_g(paired = TRUE) for d_z.
 */
KAP_EXTERN int kap_effect_size_paired_g(kap_result *out, const double *x,
                                        size_t xstride, const double *y,
                                        size_t ystride, size_t n,
                                        kap_paired_d type,
                                        const kap_effect_size_options *opt,
                                        kap_error *err);

/*
 * kap_effect_size_hedges_j - Hedges' exact small-sample factor
 * J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df - 1)/2)) for df > 1
 * (NaN otherwise), computed from Stirling-series remainders so that it is
 * accurate to ~1e-16 also for large df.  J(df) -> 1 - 3/(4 df - 1).
 */
KAP_EXTERN double kap_effect_size_hedges_j(double df);

#ifdef __cplusplus
}
#endif

#endif
