/*
 * kapstats/meta.h - meta-analysis / heterogeneity of k per-level effects,
 * and stratified analyses (inverse-variance stratified mean difference,
 * Cochran-Mantel-Haenszel, Breslow-Day, Woolf).
 * See include/kapstats.h for ownership and error rules.
 *
 * The meta-analysis kernel reproduces R's metafor 3.8 rma() for an
 * intercept-only model (rma(yi, vi, method = ..., test = ...)) and its
 * confint() (Q-profile interval for tau^2, then I^2 and H^2 from it).
 *
 * Ownership: every function here fills a caller-provided result struct and
 * keeps no memory; `method`, `note` and `het_note` strings are static.
 * Work arrays are allocated and freed inside each call.  Thread safe.
 */
#ifndef KAPSTATS_META_H
#define KAPSTATS_META_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- random/fixed-effects meta-analysis --------------------------------- */

/* Estimator of the between-level variance tau^2 (metafor's `method`). */
typedef enum kap_meta_method {
    KAP_META_FE = 0,   /* fixed (common) effect: tau^2 = 0 */
    KAP_META_DL = 1,   /* DerSimonian-Laird (1986) moment estimator */
    KAP_META_REML = 2, /* restricted ML, Fisher scoring as metafor */
    KAP_META_PM = 3    /* Paule-Mandel (1982): generalized Q = k - 1 */
} kap_meta_method;

/* Test / CI for the pooled estimate (metafor's `test`). */
typedef enum kap_meta_test {
    KAP_META_TEST_Z = 0,   /* Wald z, normal quantiles */
    KAP_META_TEST_KNHA = 1 /* Knapp-Hartung (2003): t(k-1), adjusted SE */
} kap_meta_test;

/* Options; initialise with KAP_META_OPTIONS_INIT, then change fields. */
typedef struct kap_meta_options {
    unsigned int version;   /* KAP_META_OPTIONS_VERSION */
    kap_meta_method method; /* default KAP_META_REML (metafor's default) */
    kap_meta_test test;     /* default KAP_META_TEST_Z */
    double conf_level;      /* in (0, 1); default 0.95 */
    /* REML: Fisher scoring stops when |tau2_new - tau2_old| <= threshold
     * (metafor control `threshold`, default 1e-5). */
    double threshold;
    /* Root finding (PM and the Q-profile CI): Brent tolerance as R's
     * uniroot() `tol` (metafor default .Machine$double.eps^0.25 = 2^-13);
     * also the log-likelihood tolerance of metafor's ll0check. */
    double tol;
    /* Iteration caps: REML scoring and the PM root (metafor `maxiter`,
     * default 100); Q-profile roots (metafor confint, default 1000). */
    unsigned int maxiter;
    unsigned int ci_maxiter;
    int ll0check;           /* REML: metafor's check of the tau2 = 0 fit (1) */
    int tau2_ci;            /* compute the Q-profile CI (1) */
} kap_meta_options;

#define KAP_META_OPTIONS_VERSION 1u
/* metafor 3.8 defaults. */
#define KAP_META_OPTIONS_INIT \
    { KAP_META_OPTIONS_VERSION, KAP_META_REML, KAP_META_TEST_Z, 0.95, 1e-5, \
      0.0001220703125, 100u, 1000u, 1, 1 }

/* Result of kap_meta_fit().  `pooled` is the pooled estimate:
 *   estimate, se, ci_low, ci_high, conf_level; statistic = z (or t for
 *   Knapp-Hartung), df = NaN (z) or k - 1 (t), p_value (two-sided),
 *   n1 = k used, n2 = 0, method, note.
 * Heterogeneity (NaN where undefined; het_note says why):
 *   Q: Cochran's Q at tau2 = 0 (metafor QE), Q_df = k - 1, Q_p.
 *   tau2 and se_tau2 (metafor's SE for the estimator; NaN for FE and k=1);
 *   tau2_ci_low/high: Q-profile CI (Viechtbauer 2007) at conf_level.
 *   vt: "typical" within-level variance (k-1)/tr(P), P at FE weights.
 *   I2 (percent) and H2: FE: I2 = max(0, 100 (Q - (k-1)) / Q), H2 =
 *   Q / (k-1); random effects: I2 = 100 tau2 / (vt + tau2), H2 = tau2/vt + 1
 *   (metafor).  I2_ci_* and H2_ci_* come from the tau2 CI by the same
 *   formulas (metafor confint()); NaN for FE. */
typedef struct kap_meta_result {
    kap_result pooled;
    double tau2, se_tau2, tau2_ci_low, tau2_ci_high;
    double Q, Q_df, Q_p;
    double I2, I2_ci_low, I2_ci_high;
    double H2, H2_ci_low, H2_ci_high;
    double vt;
    size_t k;            /* levels used */
    size_t n_dropped;    /* levels dropped because yi or vi is NaN */
    unsigned int iterations; /* REML scoring steps / PM Brent steps; else 0 */
    kap_meta_method method;
    kap_meta_test test;  /* test actually used (z when k = 1, as metafor) */
    const char *het_note; /* static string or NULL: why a heterogeneity or
                             tau2-CI field is NaN or special */
} kap_meta_result;

/* Meta-analysis of k per-level estimates yi with sampling variances vi:
 * fixed effect (inverse variance) or random effects (DL, REML, PM), as
 * metafor::rma(yi, vi, method, test) for an intercept-only model, plus the
 * Q-profile CI of tau^2 and the derived I^2 / H^2 CIs as
 * metafor::confint(), for random-effects methods.
 *
 * Methods (references: DerSimonian & Laird 1986; Viechtbauer 2005 for REML
 * Fisher scoring; Paule & Mandel 1982; Knapp & Hartung 2003; Viechtbauer
 * 2007 for the Q-profile; Higgins & Thompson 2002 for I^2/H^2):
 *  - DL: tau2 = max(0, (Q - (k-1)) / tr(P)).
 *  - REML: Fisher scoring from the Hedges estimate max(0, var(yi) -
 *    mean(vi)) (metafor's start), step halving to stay >= 0, stop
 *    when the change is <= threshold, at most maxiter + 1 steps (as
 *    metafor: KAP_ENOCONV otherwise); then metafor's ll0check (tau2 set to
 *    0 if the restricted log-likelihood at 0 is higher by more than tol).
 *  - PM: root of the generalized Q(tau2) = k - 1 by Brent's method exactly
 *    as R's uniroot() on metafor's interval [0, max(100, 10 mad(yi)^2)];
 *    tau2 = 0 when Q(0) < k - 1.  Where metafor stops with "tau2.max too
 *    low", the upper end is multiplied by 10 until it brackets the root.
 *  - Q-profile: roots of Q(tau2) = chi2_{k-1, 1-a/2} (lower bound) and
 *    chi2_{k-1, a/2} (upper) on [0, max(100, 10 tau2)] by Brent (tol,
 *    ci_maxiter); bounds are 0 when Q(0) is below the quantile (both 0 =
 *    the "null set" of metafor: het_note says so).  Where metafor would
 *    report the search limit tau2.max as a bound, the interval is extended
 *    (x10 per step) and the actual bound returned.
 * threshold and tol are absolute, in units of tau2 (as metafor's): for data
 * on a very small or large scale, scale them (and maxiter) accordingly.
 * With default options results agree with metafor 3.8 at default control
 * to ~1e-10 relative; with threshold = tol = 1e-12 they agree with metafor
 * run at control = list(threshold = 1e-12, tol = 1e-12) (and the CI with
 * confint(control = list(tol = 1e-12))).
 *
 * Special cases, as metafor: k = 1 gives tau2 = 0, Q = 0 (df 0, p 1),
 * I2 = 0, H2 = 1, z test even when Knapp-Hartung was asked; Knapp-Hartung
 * with a weighted residual sum of squares <= DBL_EPSILON uses a zero
 * multiplier (SE 0, infinite t).
 *
 * opts: NULL = KAP_META_OPTIONS_INIT.
 * NaN policy: a level whose yi or vi is NaN is dropped (n_dropped counts
 * them).  Infinite yi/vi or vi <= 0 -> KAP_EINVAL.
 * Errors: KAP_EINVAL (NULL pointers, bad options, invalid yi/vi),
 * KAP_EDATA (no level left), KAP_ENOCONV (REML scoring or a root search
 * did not converge), KAP_ENUMERIC (a GSL quantile failed), KAP_ENOMEM. */
KAP_EXTERN int kap_meta_fit(kap_meta_result *out, const double *yi,
                            const double *vi, size_t k,
                            const kap_meta_options *opts, kap_error *err);

/* "FE", "DL", "REML", "PM" (metafor's names); NULL if unknown. */
KAP_EXTERN const char *kap_meta_method_name(kap_meta_method method);

/* ---- stratified analyses ------------------------------------------------ */

/* Inverse-variance stratified mean difference: fixed-effect meta-analysis
 * of per-stratum mean differences md[i] with standard errors se[i]
 * (vi = se^2), i.e. kap_meta_fit() with KAP_META_FE and Wald z.  The
 * result also carries Cochran's Q across strata.
 * NaN policy: a stratum with NaN md or se is dropped (n_dropped).
 * Errors: KAP_EINVAL (NULL, se <= 0 or infinite, conf_level not in (0,1)),
 * KAP_EDATA, KAP_ENOMEM. */
KAP_EXTERN int kap_strat_md(kap_meta_result *out, const double *md,
                            const double *se, size_t k, double conf_level,
                            kap_error *err);

/* Per-stratum two-group summary (group 1 minus group 2). */
typedef struct kap_strat_summary {
    double n1, mean1, sd1;
    double n2, mean2, sd2;
} kap_strat_summary;

/* As kap_strat_md() from raw per-stratum summaries: md = mean1 - mean2 and
 * its sampling variance as metafor::escalc(measure = "MD"):
 * pooled_variance = 0: sd1^2/n1 + sd2^2/n2 (vtype "LS", the default);
 * pooled_variance = 1: sp^2 (1/n1 + 1/n2), sp^2 = ((n1-1) sd1^2 +
 * (n2-1) sd2^2) / (n1 + n2 - 2) (vtype "HO").
 * NaN policy: a stratum with any NaN field is dropped (n_dropped).
 * Errors: KAP_EINVAL (NULL; n < 1; n1 + n2 <= 2 with pooled variance;
 * sd < 0; zero variance; infinite values), KAP_EDATA, KAP_ENOMEM. */
KAP_EXTERN int kap_strat_md_summary(kap_meta_result *out,
                                    const kap_strat_summary *strata,
                                    size_t k, int pooled_variance,
                                    double conf_level, kap_error *err);

/* Result of kap_strat_cmh() for K 2x2 tables.  Each table is
 *               outcome+  outcome-
 *   group 1        a         b
 *   group 2        c         d
 * (R's array x[, , k] = matrix(c(a, c, b, d), 2)). */
typedef struct kap_cmh_result {
    /* Mantel-Haenszel common odds ratio: estimate = OR_MH, se = SE of
     * log OR_MH (Robins-Breslow-Greenland 1986), CI = OR_MH exp(-/+ z se)
     * as mantelhaen.test(), statistic = log(OR_MH)/se (Wald z), p. */
    kap_result mh_or;
    /* Mantel-Haenszel common risk ratio (risk a/(a+b) over c/(c+d)):
     * estimate = RR_MH, se = SE of log RR_MH (Greenland & Robins 1985),
     * CI on the RR scale, Wald z and p (as metafor::rma.mh measure "RR"). */
    kap_result mh_rr;
    /* CMH chi-square test (df 1), with continuity correction (applied only
     * if |sum(a - E a)| >= 0.5, as R; `method` says whether it was) and
     * without: as mantelhaen.test(correct = TRUE / FALSE).  estimate and CI
     * repeat mh_or, as R's htest. */
    kap_result cmh;
    kap_result cmh_uncorrected;
    /* Breslow-Day (1980) test of homogeneity of the odds ratios at OR_MH,
     * and with Tarone's (1985) correction; chi-square with K' - 1 df, K' =
     * tables with all four margins > 0 (n1 = K').  Same values as
     * metafor::rma.mh's BD and TA, except that metafor keeps a table with
     * an empty row and then returns NaN; here it is skipped.  estimate
     * unused (NaN). */
    kap_result breslow_day;
    kap_result breslow_day_tarone;
    size_t k;         /* tables used (also n1 of each kap_result) */
    size_t n_dropped; /* tables dropped: a NaN cell, or a total < 2 */
} kap_cmh_result;

/* Cochran-Mantel-Haenszel analysis of K 2x2 tables (arrays a, b, c, d of
 * length k, counts >= 0, not necessarily integers).
 * alternative applies to the CMH tests, the Wald tests and the CIs as in
 * mantelhaen.test() (one-sided: z = sign(DELTA) sqrt(X2); CI half-open);
 * Breslow-Day is always upper-tailed.
 * References: Mantel & Haenszel 1959; Robins, Breslow & Greenland 1986;
 * Greenland & Robins 1985; Breslow & Day 1980 (4.30); Tarone 1985.
 * Verified against R 4.2 mantelhaen.test() and metafor::rma.mh().
 * Undefined quantities (e.g. OR_MH 0 or infinite, no informative table
 * for Breslow-Day) are NaN with `note` set; OR_MH itself may be 0 or Inf,
 * as in R (whose CI is then NaN too, except the fixed 0 / Inf end of a
 * one-sided interval, which is NaN here as well).
 * NaN policy: a table with a NaN cell is dropped; a table with total < 2
 * carries no information and is dropped too (R's mantelhaen.test stops
 * instead); n_dropped counts both.
 * Errors: KAP_EINVAL (NULL, negative or infinite count, bad alternative
 * or conf_level), KAP_EDATA (no table left), KAP_ENUMERIC. */
KAP_EXTERN int kap_strat_cmh(kap_cmh_result *out, const double *a,
                             const double *b, const double *c,
                             const double *d, size_t k,
                             kap_alternative alternative, double conf_level,
                             kap_error *err);

/* Woolf's inverse-variance analysis of per-stratum log odds ratios:
 * yi = log(a d / (b c)), vi = 1/a + 1/b + 1/c + 1/d, with 0.5 added to
 * every cell of a table that has a zero cell (metafor::escalc(measure =
 * "OR") defaults add = 1/2, to = "only0"), then kap_meta_fit().  With the
 * default FE method the result's Q, Q_p, I2 are Cochran's Q test of
 * homogeneity of the odds ratios (Woolf 1955); pooled is the log OR.
 * opts: NULL = fixed effect, Wald z, conf_level 0.95; otherwise as given.
 * NaN policy: a table with a NaN cell is dropped (n_dropped).
 * Errors: as kap_meta_fit(); KAP_EINVAL for negative or infinite counts. */
KAP_EXTERN int kap_strat_woolf(kap_meta_result *out, const double *a,
                               const double *b, const double *c,
                               const double *d, size_t k,
                               const kap_meta_options *opts, kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
