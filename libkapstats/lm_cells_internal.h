/*
 * libkapstats/lm_cells_internal.h - OLS of designs made of categorical
 * cells plus a few continuous columns, from per-cell sufficient statistics
 * gathered in one pass over the rows (lm_cells.c).
 *
 * Reduction (exact in exact arithmetic).  Rows fall into cells c (one per
 * combination of the categorical columns: arm, subgroup level, ...); all
 * rows of a cell share the categorical part d_c of their design row.  With
 * n_c rows, cell means (xbar_c, ybar_c) of the continuous columns and of
 * y, and R_c the triangular factor of the within-cell centred [X | y]
 * (Z_c' Z_c = R_c' R_c), the least-squares problem over all rows has the
 * same normal equations, hence the same coefficients, covariance and RSS,
 * as the compressed problem with rows
 *     sqrt(n_c) [d_c, xbar_c | ybar_c]   and   [0, R_c]
 * (the last row of each R_c, [0 ... 0 | r_yy], carries the within-cell
 * residual of y into the RSS).  The compressed problem is solved by the
 * same pivoted Householder QR with iterative refinement as kap_lm_fit
 * (linear_model.c), with df = n - p from the real row count.  R_c is
 * accumulated by Givens rotations of the Welford-updated centred rows
 * (sqrt(n/(n+1)) (x - mean_n)), so no cross-product matrix is ever
 * formed; cell means are compensated sums (Ogita, Rump & Oishi 2005).
 * The factorisation never sees the n x p design: time is one pass over
 * the rows plus a problem of a few dozen rows.
 */
#ifndef KAPSTATS_LM_CELLS_INTERNAL_H
#define KAPSTATS_LM_CELLS_INTERNAL_H

#include "internal.h"

#include <stdint.h>

/* Per-cell sufficient statistics of (X, y), X with q continuous columns. */
typedef struct kap_lm_cells {
    size_t q;          /* continuous columns (y not counted) */
    size_t n_cells;
    size_t nrows;      /* rows offered (used + dropped) */
    size_t nobs;       /* rows used */
    size_t *n;         /* n_cells: rows per cell */
    double *sum;       /* n_cells x (q+1) x 2: compensated sums (s, c) */
    double *R;         /* n_cells x (q+1)^2: row-major upper triangular */
    double *z;         /* q+1: scratch */
    int *e;            /* q+1: column t (y last) is added as v * 2^-e[t] */
    double *sc;        /* q+1: 2^-e[t] (exact scaling) */
    double fp[2];      /* compensated sum of y and of y^2 over rows used */
    double fpc[2];
} kap_lm_cells;

/* Empty statistics for n_cells cells and q continuous columns.
 * Errors: KAP_ENOMEM. */
KAP_INTERNAL int kap_lm_cells_init(kap_lm_cells *s, size_t n_cells, size_t q,
                                   kap_error *err);
KAP_INTERNAL void kap_lm_cells_clear(kap_lm_cells *s);

/* Data of extreme magnitude: before the first row is added, let column t
 * (t = q: y) be accumulated as v * 2^-e (exact), e from the column's
 * largest |value| (kap_scale_exponent: 0 unless outside [2^-400, 2^400]),
 * so that no sum of squares overflows or underflows.  The fit reports
 * everything in the original units. */
KAP_INTERNAL void kap_lm_cells_scale(kap_lm_cells *s, size_t t, int e);

/* Add one row: cell c (< n_cells), continuous values x[0..q), response y.
 * The caller drops rows with a NaN itself (and counts them in nrows). */
KAP_INTERNAL void kap_lm_cells_add(kap_lm_cells *s, size_t c, const double *x,
                                   double y);

/* Fit y ~ design with k coefficients; coefficient 0 is the intercept.
 * D: n_cells x k row-major, the design row of each cell, whose entries at
 * the q positions xcol[0..q) (strictly increasing, > 0) are ignored: there
 * go the continuous columns.  The resulting kap_lm answers every getter
 * (coefficients, se, CI, vcov, sigma, df = nobs - k, RSS, R², F,
 * contrasts, kap_lm_compare between fits of the same statistics) except
 * kap_lm_rows/residuals/fitted, which are NULL unless attached with
 * kap_lm_attach_rows().  Errors as kap_lm_fit: KAP_EDATA (nobs <= k),
 * KAP_ENUMERIC (collinear or ill-conditioned design; column j of X is
 * coefficient j + 1), KAP_ENOMEM. */
KAP_INTERNAL int kap_lm_cells_fit(kap_lm **out, const kap_lm_cells *s,
                                  const double *D, size_t k,
                                  const size_t *xcol, double conf_level,
                                  kap_error *err);

/* linear_model.c: fit the compressed system A (M x k row-major, column 0
 * the intercept's weights sqrt(n_c) or 0) b = rhs, with nobs real rows of
 * nrows offered; fp identifies the response for kap_lm_compare. */
KAP_INTERNAL int kap_lm_fit_compressed(kap_lm **out, const double *A,
                                       const double *rhs, size_t M, size_t k,
                                       size_t nobs, size_t nrows,
                                       const double *fp, double conf_level,
                                       kap_error *err);

/* Undo an exact column scaling after a fit: response scaled by 2^-ey,
 * coefficient j's column by 2^-ex[j]. */
KAP_INTERNAL void kap_lm_unscale(kap_lm *m, int ey, const int *ex);

/* Attach per-row arrays (nobs each, ownership passes to m): the rows used,
 * residuals and fitted values in the order of rows. */
KAP_INTERNAL void kap_lm_attach_rows(kap_lm *m, size_t *rows, double *resid,
                                     double *fitted);

#endif
