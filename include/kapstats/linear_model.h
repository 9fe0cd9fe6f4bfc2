/*
 * kapstats/linear_model.h - ordinary least squares (OLS), the
 * extra-sum-of-squares F test for nested models, linear contrasts, and
 * ANCOVA (outcome ~ baseline + arm [+ covariates]) with adjusted
 * differences and least-squares means.  See include/kapstats.h for
 * ownership and error rules.
 *
 * Numerical method (kap_lm_fit): the design is scaled by powers of two
 * (exact), its columns are centred (when there is an intercept) and
 * scaled to unit norm, then factored by Householder QR with column
 * pivoting (GSL gsl_linalg_QRPT_decomp).  The solution is improved by
 * iterative refinement of the augmented system [I A; A' 0][r; b] = [y; 0]
 * (Björck 1967) with residuals computed in compensated (twice-working)
 * precision (Ogita, Rump & Oishi 2005, Dot2) against the original data.
 * The normal equations are never formed.  Standard errors come from
 * ||R^-T P' s||, a sum of squares, never from a subtraction.
 *
 * Numerically unreliable problems are refused, never answered silently:
 * a column that is (numerically) constant, a rank-deficient design
 * (|R_ii| / |R_11| of the scaled design below 1e-10), a condition number
 * of the scaled design above 1e12, or a refinement that does not converge
 * all return KAP_ENUMERIC with a message naming the cause.
 *
 * A kap_lm is immutable once fitted; getters are read-only and the handle
 * may be shared between threads.  Pointers returned by getters are
 * borrowed from the handle and stay valid until kap_lm_free().
 */
#ifndef KAPSTATS_LINEAR_MODEL_H
#define KAPSTATS_LINEAR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kap_lm kap_lm;

/* Fit y = b0 + X b + e by OLS (R: lm(y ~ X), summary.lm, confint).
 *
 * y: n responses.  X: n x p predictors, row-major (X[i*p + j]); may be
 * NULL when p == 0.  intercept: nonzero adds an intercept as coefficient
 * 0 (then coefficient j+1 belongs to column j of X); zero fits through the
 * origin (coefficient j is column j; R² and F are then uncentred, as in
 * R's lm(y ~ 0 + X)).  conf_level in (0, 1) for the coefficient CIs.
 *
 * NaN policy: a row with NaN in y or in any column of X is dropped;
 * kap_lm_nobs() reports the rows used and kap_lm_rows() which ones.
 * Infinite values are an error (KAP_EINVAL).
 *
 * On success *out owns the fit; release with kap_lm_free().
 * Errors: KAP_EINVAL (NULL y, NULL X with p > 0, p == 0 without
 * intercept, conf_level outside (0,1), infinite value), KAP_EDATA (not
 * more usable rows than coefficients: the residual variance would be
 * undefined), KAP_ENUMERIC (constant or collinear column, rank-deficient
 * or ill-conditioned design, refinement not converged; the message says
 * which), KAP_ENOMEM. */
KAP_EXTERN int kap_lm_fit(kap_lm **out, const double *y, const double *X,
                          size_t n, size_t p, int intercept,
                          double conf_level, kap_error *err);

/* Release a fit; NULL is a no-op. */
KAP_EXTERN void kap_lm_free(kap_lm *m);

/* ---- sizes -------------------------------------------------------------
 * All getters return 0 (sizes) or NaN (values) for a NULL handle or an
 * index out of range. */
/* Number of coefficients (p, plus 1 with an intercept). */
KAP_EXTERN size_t kap_lm_ncoef(const kap_lm *m);
/* Rows passed to kap_lm_fit (n). */
KAP_EXTERN size_t kap_lm_nrows(const kap_lm *m);
/* Rows used (rows without NaN). */
KAP_EXTERN size_t kap_lm_nobs(const kap_lm *m);
/* Whether the model has an intercept (coefficient 0). */
KAP_EXTERN int kap_lm_has_intercept(const kap_lm *m);
/* Input row index (0-based) of each used row: array of kap_lm_nobs(). */
KAP_EXTERN const size_t *kap_lm_rows(const kap_lm *m);

/* ---- coefficients (j = 0 .. ncoef-1) -------------------------------------
 * Estimate, standard error, t = estimate / se, two-sided p-value from the
 * t distribution with kap_lm_df() degrees of freedom, and the CI at the
 * conf_level given to kap_lm_fit.  With a perfect fit (residual SD 0) t
 * and p are NaN. */
KAP_EXTERN double kap_lm_coef(const kap_lm *m, size_t j);
KAP_EXTERN double kap_lm_se(const kap_lm *m, size_t j);
KAP_EXTERN double kap_lm_t(const kap_lm *m, size_t j);
KAP_EXTERN double kap_lm_p(const kap_lm *m, size_t j);
KAP_EXTERN double kap_lm_ci_low(const kap_lm *m, size_t j);
KAP_EXTERN double kap_lm_ci_high(const kap_lm *m, size_t j);
/* Covariance of coefficients i and j (R: vcov()); may overflow to
 * infinity for data of extreme magnitude. */
KAP_EXTERN double kap_lm_vcov(const kap_lm *m, size_t i, size_t j);
/* Coefficient j as one kap_result: estimate, se, ci_low/ci_high,
 * conf_level, statistic (t), df, p_value, n1 = rows used.
 * Errors: KAP_EINVAL (NULL, j out of range). */
KAP_EXTERN int kap_lm_coef_result(kap_result *out, const kap_lm *m,
                                  size_t j, kap_error *err);

/* ---- fit statistics ---------------------------------------------------- */
/* Residual standard deviation sqrt(RSS / df) (R: sigma()). */
KAP_EXTERN double kap_lm_sigma(const kap_lm *m);
/* Residual degrees of freedom n_used - ncoef. */
KAP_EXTERN double kap_lm_df(const kap_lm *m);
/* Residual sum of squares (may overflow to infinity for data of extreme
 * magnitude; sigma, R², F do not). */
KAP_EXTERN double kap_lm_rss(const kap_lm *m);
/* R² = MSS / (MSS + RSS), MSS about the mean of the fitted values with an
 * intercept and about 0 without (R: summary.lm).  NaN when y is constant
 * and fitted exactly (0/0). */
KAP_EXTERN double kap_lm_r_squared(const kap_lm *m);
/* 1 - (1 - R²) (n - intercept) / df. */
KAP_EXTERN double kap_lm_adj_r_squared(const kap_lm *m);
/* 1-norm condition estimate of the centred, unit-norm-scaled design. */
KAP_EXTERN double kap_lm_condition(const kap_lm *m);
/* Residuals y - fitted and fitted values, in the order of kap_lm_rows():
 * arrays of kap_lm_nobs(). */
KAP_EXTERN const double *kap_lm_residuals(const kap_lm *m);
KAP_EXTERN const double *kap_lm_fitted(const kap_lm *m);

/* Overall F test (R: summary.lm()$fstatistic): all coefficients except the
 * intercept are 0 (all coefficients without an intercept).  statistic =
 * F, df, df2, p_value (upper tail), n1 = rows used.  F is +Inf (p 0) for
 * a perfect fit of a non-constant response and NaN (note) for an
 * intercept-only model or a constant response.
 * Errors: KAP_EINVAL (NULL). */
KAP_EXTERN int kap_lm_f_test(kap_result *out, const kap_lm *m,
                             kap_error *err);

/* Linear combination L'b of the coefficients (L: ncoef weights):
 * estimate, se = sqrt(L' V L) computed as a norm (no cancellation), t
 * test of H0: L'b = 0 (statistic, df, p_value, two-sided) and CI at the
 * model's conf_level; n1 = rows used.  Used for least-squares means and
 * custom contrasts (R: emmeans::contrast, multcomp::glht unadjusted).
 * Errors: KAP_EINVAL (NULL), KAP_EINVAL for a non-finite weight. */
KAP_EXTERN int kap_lm_contrast(kap_result *out, const kap_lm *m,
                               const double *L, kap_error *err);

/* Extra-sum-of-squares F test of a reduced model against a full model
 * fitted to the same rows of the same response (R: anova(reduced, full)):
 *   F = ((RSS_r - RSS_f) / (df_r - df_f)) / (RSS_f / df_f),
 * statistic = F, df = df_r - df_f, df2 = df_f, p_value (upper tail),
 * estimate = RSS_r - RSS_f, n1 = rows used.  Nesting of the column spaces
 * is the caller's responsibility; the function checks what it can: the
 * same rows and the same response values were used, the reduced model has
 * fewer coefficients, and it does not fit better than the full model
 * (beyond rounding).  F is +Inf for a perfect full fit (note) and 0 when
 * the two fits are equal.
 * Errors: KAP_EINVAL (NULL, not the same rows or response, reduced model
 * not smaller, RSS_r < RSS_f beyond rounding: not nested). */
KAP_EXTERN int kap_lm_compare(kap_result *out, const kap_lm *reduced,
                              const kap_lm *full, kap_error *err);

/* ---- design helpers ---------------------------------------------------- */

/* Treatment-coded dummy columns for a factor (R: contr.treatment, the
 * default of lm/aov): out is caller-provided, n x (levels - 1), row-major;
 * for row i the column of level l (l != reference; columns in increasing
 * level order, skipping the reference) is 1 when codes[i] == l, else 0.
 * A negative code means missing: the row is all NaN (so kap_lm_fit drops
 * it).  Errors: KAP_EINVAL (NULL, levels < 2, reference outside
 * [0, levels), a code >= levels). */
KAP_EXTERN int kap_lm_dummies(double *out, const int32_t *codes, size_t n,
                              int32_t levels, int32_t reference,
                              kap_error *err);

/* ---- ANCOVA -------------------------------------------------------------
 * outcome ~ 1 + baseline + arm dummies + covariates, the regulatory
 * standard analysis of a change score or post-baseline outcome (EMA
 * guideline on adjustment for baseline covariates, 2015).  Estimates are
 * differences in adjusted means of each arm versus control, and
 * least-squares (adjusted) means per arm with emmeans semantics (R:
 * emmeans::emmeans(fit, "arm"), contrast(..., "trt.vs.ctrl",
 * adjust = "none")): the reference grid sets the baseline and every
 * numeric covariate to its mean over the rows used, and each categorical
 * covariate - passed as its treatment-coded dummy columns (see
 * kap_lm_dummies) and marked in covariate_factor - is averaged with equal
 * weight over its levels (each dummy at 1 / levels).  No multiplicity
 * adjustment (see multiplicity.h). */
typedef struct kap_ancova kap_ancova;

/* outcome, baseline: n values.  arm: n codes in [0, n_arms) (negative =
 * missing).  control: index of the control arm.  covariates: n x q,
 * row-major, or NULL when q == 0.  covariate_factor: NULL (all numeric)
 * or q ids: 0 for a numeric column; a positive id g for each dummy column
 * of the categorical covariate g (a factor with L levels contributes L-1
 * columns with the same id; L is taken as the number of such columns + 1).
 *
 * Model coefficients (kap_ancova_model): 0 intercept, 1 baseline, then one
 * dummy per non-control arm in increasing arm order, then the q covariate
 * columns.
 *
 * Method: the same least-squares problem as kap_lm_fit on the n-row
 * design, solved from per-arm sufficient statistics gathered in one pass
 * (cell means by compensated sums; the triangular factor of the
 * within-arm centred [baseline, covariates, outcome] by Givens rotations
 * of Welford-updated rows), then the pivoted QR with iterative refinement
 * of kap_lm_fit on the compressed rows, df = n - p.  The numbers agree
 * with an n-row fit to rounding (1e-10 or better in the tests); the
 * model's residuals and fitted values come from a second pass.
 *
 * NaN policy: a row with NaN in outcome, baseline or a covariate, or with
 * a negative arm code, is dropped; n1 of each result is the number of
 * rows used (per arm for least-squares means).
 * On success *out owns the result; release with kap_ancova_free().
 * Errors: KAP_EINVAL (NULL arrays, control outside [0, n_arms), arm code
 * >= n_arms, negative covariate_factor id, conf_level outside (0,1)),
 * KAP_EDATA (n_arms < 2, an arm without usable rows, too few rows),
 * KAP_ENUMERIC (collinear design, e.g. a covariate constant within the
 * data), KAP_ENOMEM. */
KAP_EXTERN int kap_ancova_fit(kap_ancova **out, const double *outcome,
                              const double *baseline, const int32_t *arm,
                              size_t n, int32_t n_arms, int32_t control,
                              const double *covariates, size_t q,
                              const int32_t *covariate_factor,
                              double conf_level, kap_error *err);

/* Release; NULL is a no-op. */
KAP_EXTERN void kap_ancova_free(kap_ancova *a);

KAP_EXTERN int32_t kap_ancova_n_arms(const kap_ancova *a);
KAP_EXTERN int32_t kap_ancova_control(const kap_ancova *a);
/* The underlying fit (borrowed; valid until kap_ancova_free). */
KAP_EXTERN const kap_lm *kap_ancova_model(const kap_ancova *a);

/* Adjusted difference arm - control: estimate, se, CI, statistic (t), df,
 * p_value (two-sided), n1 = rows used in arm, n2 = rows used in control.
 * Errors: KAP_EINVAL (NULL, arm out of range or == control). */
KAP_EXTERN int kap_ancova_diff(kap_result *out, const kap_ancova *a,
                               int32_t arm, kap_error *err);

/* Least-squares mean of arm: estimate, se, CI, statistic (t vs 0), df,
 * p_value, n1 = rows used in the arm.
 * Errors: KAP_EINVAL (NULL, arm out of range). */
KAP_EXTERN int kap_ancova_lsmean(kap_result *out, const kap_ancova *a,
                                 int32_t arm, kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
