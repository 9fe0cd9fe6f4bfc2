/*
 * linear_model.c - OLS by pivoted Householder QR with iterative refinement,
 * nested-model F test, linear contrasts, ANCOVA with least-squares means.
 *
 * Coordinates used below.
 *  - "scaled": y and every column of X are multiplied by a power of two
 *    (exact) so that their largest magnitude is in [0.5, 1).  This keeps
 *    every intermediate sum of squares finite for data near the overflow or
 *    underflow limits.  b_s are the coefficients of the scaled problem; the
 *    design A_s = [1, X_s] (or X_s without intercept) is exact.
 *  - "B": the preconditioned design B = A_s S, S = column centring (with an
 *    intercept) and unit-norm scaling; the intercept column of B is
 *    1/sqrt(n).  QR with column pivoting factors B P = Q R.  c = S^-1 b_s.
 *
 * Refinement computes the residuals of the augmented system against A_s
 * (the data themselves, not the rounded centred copy) in compensated
 * precision, so the answer converges to the least-squares solution of the
 * data even though B is only an approximation of A_s S.
 */
#include "internal.h"
#include "lm_cells_internal.h"
#include "descriptive_internal.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

/* |R_ii| / |R_11| of the scaled design below this: rank deficient. */
#define LM_RANK_TOL 1e-10
/* 1-norm condition estimate of the scaled design above this: refused. */
#define LM_COND_MAX 1e12
/* Refinement: at most this many steps; accepted when the last correction
 * is below LM_REFINE_ACCEPT relative to the solution (in B coordinates). */
#define LM_REFINE_MAX 30
#define LM_REFINE_ACCEPT 1e-11

struct kap_lm {
    size_t nrows;      /* rows passed */
    size_t n;          /* rows used */
    size_t p;          /* predictor columns passed */
    size_t k;          /* coefficients */
    int intercept;
    double conf_level;
    int ey;            /* y_s = y * 2^-ey */
    int *ex;           /* k: design column j scaled by 2^-ex[j] */
    size_t *rows;      /* n */
    double *ys;        /* n: scaled response, for kap_lm_compare */
    double *resid;     /* n: original units */
    double *fitted;    /* n */
    double *coef, *se, *tval, *pval, *lo, *hi; /* k each */
    double *h;         /* k x k row-major: H = R^-T P' S', scaled coords */
    double sigma_s;    /* residual SD, scaled units */
    double rss_s;      /* RSS, scaled units */
    double mss_s;
    double df;
    double r2, adj_r2;
    double fstat, f_df1, f_df2, f_p;
    const char *f_note;
    double cond;
    const char *coef_note;
    /* Grouped fits (lm_cells_internal.h): the factored rows are a
     * compressed system; nd real rows; w0 (n compressed rows) are the
     * intercept's weights, used for R²; fp identifies the response. */
    size_t nd;
    double *w0;
    int grouped;
    double fp[2];
    size_t gm;         /* compressed rows */
    double *gx;        /* gm x k column-major: scaled compressed design */
    double *gb;        /* k: scaled coefficients (gx gb = scaled fit) */
};

/* ---- compensated arithmetic (Ogita, Rump & Oishi 2005) ----------------- */

typedef struct {
    double s, c;
} acc2;

static inline void acc_add(acc2 *a, double x)
{
    double t = a->s + x;
    double z = t - a->s;
    a->c += (a->s - (t - z)) + (x - z);
    a->s = t;
}

static inline void acc_addprod(acc2 *a, double x, double y)
{
    double pr = x * y;
    double e = fma(x, y, -pr);  /* exact error of the product */
    acc_add(a, pr);
    a->c += e;
}

static inline double acc_val(const acc2 *a) { return a->s + a->c; }

/* ---- small helpers ----------------------------------------------------- */

static const char *const M_OLS =
    "OLS (Householder QR with column pivoting, iterative refinement)";

/* Exponent e such that max|v| * 2^-e is in [0.5, 1); 0 for all zeros. */
static int scale_exponent(double maxabs)
{
    int e = 0;
    if (maxabs > 0.0 && isfinite(maxabs))
        (void)frexp(maxabs, &e);
    return e;
}

static double t_two_sided_p(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    if (isinf(t))
        return 0.0;
    return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

static double t_quantile(double conf_level, double df)
{
    return gsl_cdf_tdist_Qinv((1.0 - conf_level) / 2.0, df);
}

void kap_lm_free(kap_lm *m)
{
    if (!m)
        return;
    kap_free(m->ex);
    kap_free(m->rows);
    kap_free(m->ys);
    kap_free(m->resid);
    kap_free(m->fitted);
    kap_free(m->coef);
    kap_free(m->se);
    kap_free(m->tval);
    kap_free(m->pval);
    kap_free(m->lo);
    kap_free(m->hi);
    kap_free(m->h);
    kap_free(m->w0);
    kap_free(m->gx);
    kap_free(m->gb);
    kap_free(m);
}

/* Work arrays of one fit, all from kap_malloc, wrapped as GSL views. */
typedef struct {
    double *xs;     /* n x p column-major, scaled data (exact) */
    double *b;      /* n x k row-major: preconditioned design B */
    double *qr;     /* n x k row-major: QR of B */
    double *tau;    /* k */
    size_t *perm;   /* k */
    double *norm;   /* k */
    double *mu;     /* k: centre of each B column (0 for intercept) */
    double *d;      /* k: norm of each centred column */
    double *f;      /* n */
    double *r;      /* n */
    double *v;      /* n */
    double *g;      /* k */
    double *t;      /* k */
    double *bs;     /* k: coefficients, scaled coordinates */
    double *c;      /* k: coefficients, B coordinates */
    double *dc;     /* k */
    double *rinv;   /* k x k */
} lm_work;

static void work_free(lm_work *w)
{
    kap_free(w->xs);
    kap_free(w->b);
    kap_free(w->qr);
    kap_free(w->tau);
    kap_free(w->perm);
    kap_free(w->norm);
    kap_free(w->mu);
    kap_free(w->d);
    kap_free(w->f);
    kap_free(w->r);
    kap_free(w->v);
    kap_free(w->g);
    kap_free(w->t);
    kap_free(w->bs);
    kap_free(w->c);
    kap_free(w->dc);
    kap_free(w->rinv);
}

/* The per-coefficient arrays of a fit with k coefficients (ex, coef, se,
 * tval, pval, lo, hi and the k x k h); 0 when one is missing (what was
 * allocated is freed with the fit by kap_lm_free). */
static int alloc_coef_arrays(kap_lm *m, size_t k)
{
    m->ex = kap_calloc(k, sizeof(int));
    m->coef = kap_malloc_array(k, sizeof(double));
    m->se = kap_malloc_array(k, sizeof(double));
    m->tval = kap_malloc_array(k, sizeof(double));
    m->pval = kap_malloc_array(k, sizeof(double));
    m->lo = kap_malloc_array(k, sizeof(double));
    m->hi = kap_malloc_array(k, sizeof(double));
    m->h = kap_malloc_array(k * k, sizeof(double));
    return m->ex && m->coef && m->se && m->tval && m->pval && m->lo &&
           m->hi && m->h;
}

static int work_alloc(lm_work *w, size_t n, size_t p, size_t k)
{
    memset(w, 0, sizeof *w);
    w->xs = kap_malloc_array(n * (p ? p : 1), sizeof(double));
    w->b = kap_malloc_array(n * k, sizeof(double));
    w->qr = kap_malloc_array(n * k, sizeof(double));
    w->tau = kap_malloc_array(k, sizeof(double));
    w->perm = kap_malloc_array(k, sizeof(size_t));
    w->norm = kap_malloc_array(k, sizeof(double));
    w->mu = kap_malloc_array(k, sizeof(double));
    w->d = kap_malloc_array(k, sizeof(double));
    w->f = kap_malloc_array(n, sizeof(double));
    w->r = kap_malloc_array(n, sizeof(double));
    w->v = kap_malloc_array(n, sizeof(double));
    w->g = kap_malloc_array(k, sizeof(double));
    w->t = kap_malloc_array(k, sizeof(double));
    w->bs = kap_malloc_array(k, sizeof(double));
    w->c = kap_malloc_array(k, sizeof(double));
    w->dc = kap_malloc_array(k, sizeof(double));
    w->rinv = kap_malloc_array(k * k, sizeof(double));
    if (!w->xs || !w->b || !w->qr || !w->tau || !w->perm || !w->norm ||
        !w->mu || !w->d || !w->f || !w->r || !w->v || !w->g || !w->t ||
        !w->bs || !w->c || !w->dc || !w->rinv) {
        work_free(w);
        return KAP_ENOMEM;
    }
    return KAP_OK;
}

/* Value of scaled design column j (0..k-1) at used row i. */
static inline double design(const kap_lm *m, const lm_work *w, size_t i,
                            size_t j)
{
    if (m->intercept) {
        if (j == 0)
            return 1.0;
        return w->xs[(j - 1) * m->n + i];
    }
    return w->xs[j * m->n + i];
}

/* Name of design column j for messages. */
static void column_name(char *buf, size_t len, const kap_lm *m, size_t j)
{
    int ic = m->intercept || m->grouped;
    if (ic && j == 0)
        kap_snprintf(buf, len, "the intercept");
    else
        kap_snprintf(buf, len, "column %zu of X", ic ? j - 1 : j);
}

/* b_s = S c (c in B coordinates). */
static void b_from_c(const kap_lm *m, const lm_work *w, const double *c,
                     double *bs)
{
    size_t k = m->k;
    if (m->intercept) {
        acc2 a = {0, 0};
        acc_addprod(&a, c[0], w->d[0]);  /* d[0] holds 1/sqrt(n) */
        for (size_t j = 1; j < k; j++) {
            bs[j] = c[j] / w->d[j];
            acc_addprod(&a, -w->mu[j], bs[j]);
        }
        bs[0] = acc_val(&a);
    } else {
        for (size_t j = 0; j < k; j++)
            bs[j] = c[j] / w->d[j];
    }
}

/* Solve the augmented correction system with the QR of B:
 *   [I B; B' 0][dr; dc] = [f; g]
 * B P = Q R:  R' a = P' g;  R dz = (Q'f)_top - a;  dc = P dz;
 *             dr = Q [a; (Q'f)_bottom].
 * f (length n) is overwritten by dr; g (k) is used; dc (k) receives dc. */
static int augmented_solve(const kap_lm *m, lm_work *w, double *f,
                           const double *g, double *dc)
{
    size_t n = m->n, k = m->k;
    gsl_matrix_const_view QR = gsl_matrix_const_view_array(w->qr, n, k);
    gsl_vector_const_view tau = gsl_vector_const_view_array(w->tau, k);
    gsl_matrix_const_view R = gsl_matrix_const_submatrix(&QR.matrix, 0, 0, k, k);
    gsl_vector_view fv = gsl_vector_view_array(f, n);
    gsl_vector_view tv = gsl_vector_view_array(w->t, k);
    int st;

    st = gsl_linalg_QR_QTvec(&QR.matrix, &tau.vector, &fv.vector);
    if (st)
        return st;
    for (size_t i = 0; i < k; i++)
        w->t[i] = g[w->perm[i]];
    st = gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, &R.matrix,
                        &tv.vector);   /* t = a */
    if (st)
        return st;
    /* dz = R^-1 ((Q'f)_top - a), computed in place in w->v[0..k) */
    for (size_t i = 0; i < k; i++)
        w->v[i] = f[i] - w->t[i];
    gsl_vector_view dzv = gsl_vector_view_array(w->v, k);
    st = gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, &R.matrix,
                        &dzv.vector);
    if (st)
        return st;
    for (size_t i = 0; i < k; i++)
        dc[w->perm[i]] = w->v[i];
    for (size_t i = 0; i < k; i++)
        f[i] = w->t[i];
    return gsl_linalg_QR_Qvec(&QR.matrix, &tau.vector, &fv.vector);
}

/* Iterative refinement of the least-squares solution (Björck 1967),
 * residuals in compensated precision against the exact scaled data.
 * Returns KAP_OK, KAP_ENUMERIC (not converged) or a GSL failure mapped to
 * KAP_ENUMERIC. */
static int refine(kap_lm *m, lm_work *w, kap_error *err)
{
    size_t n = m->n, k = m->k;
    double prev = INFINITY, rel = INFINITY;
    for (size_t j = 0; j < k; j++)
        w->bs[j] = w->c[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        w->r[i] = 0.0;

    for (int it = 0; it < LM_REFINE_MAX; it++) {
        /* f = y - r - A b;  u = A' r  ->  g = -S' u */
        for (size_t i = 0; i < n; i++) {
            acc2 a = {0, 0};
            acc_add(&a, m->ys[i]);
            acc_add(&a, -w->r[i]);
            for (size_t j = 0; j < k; j++)
                acc_addprod(&a, -design(m, w, i, j), w->bs[j]);
            w->f[i] = acc_val(&a);
        }
        double u0 = 0.0;
        if (m->intercept) {
            acc2 a = {0, 0};
            for (size_t i = 0; i < n; i++)
                acc_add(&a, w->r[i]);
            u0 = acc_val(&a);
            w->g[0] = -u0 * w->d[0];
        }
        for (size_t j = m->intercept ? 1 : 0; j < k; j++) {
            acc2 a = {0, 0};
            for (size_t i = 0; i < n; i++)
                acc_addprod(&a, design(m, w, i, j), w->r[i]);
            acc_addprod(&a, -w->mu[j], u0);
            w->g[j] = -acc_val(&a) / w->d[j];
        }
        int st = augmented_solve(m, w, w->f, w->g, w->dc);
        if (st)
            return kap_err(err, KAP_ENUMERIC,
                           "least squares: GSL QR solve failed (%s)",
                           gsl_strerror(st));
        for (size_t i = 0; i < n; i++)
            w->r[i] += w->f[i];
        double dmax = 0.0, cmax = 0.0;
        for (size_t j = 0; j < k; j++) {
            w->c[j] += w->dc[j];
            if (fabs(w->dc[j]) > dmax)
                dmax = fabs(w->dc[j]);
            if (fabs(w->c[j]) > cmax)
                cmax = fabs(w->c[j]);
        }
        /* b_s += S dc, accumulated in the data's coordinates */
        b_from_c(m, w, w->dc, w->t);
        for (size_t j = 0; j < k; j++)
            w->bs[j] += w->t[j];
        if (!isfinite(dmax) || !isfinite(cmax))
            return kap_err(err, KAP_ENUMERIC,
                           "least squares: non-finite solution (design too "
                           "ill-conditioned)");
        rel = cmax > 0.0 ? dmax / cmax : dmax;
        if (rel <= 2.0 * DBL_EPSILON)
            return KAP_OK;
        /* Stop once corrections no longer shrink: rounding level reached
         * (or divergence, caught below). */
        if (it > 0 && rel > 0.5 * prev)
            break;
        prev = rel;
    }
    if (rel <= LM_REFINE_ACCEPT)
        return KAP_OK;
    return kap_err(err, KAP_ENUMERIC,
                   "least squares: iterative refinement did not converge "
                   "(last relative correction %.3g): design too "
                   "ill-conditioned for a reliable answer", rel);
}

/* The numerical core: m->n, p, k, intercept, ys filled; w->xs filled. */
static int lm_core(kap_lm *m, lm_work *w, kap_error *err)
{
    size_t n = m->n, k = m->k;
    char name[64];

    /* ---- preconditioned design B ---------------------------------------- */
    double sqn = sqrt((double)n);
    if (m->intercept) {
        w->mu[0] = 0.0;
        w->d[0] = 1.0 / sqn;  /* intercept column of B = 1/sqrt(n) */
    }
    for (size_t j = m->intercept ? 1 : 0; j < k; j++) {
        double mu = 0.0, maxabs = 0.0;
        if (m->intercept) {
            /* two-pass mean with correction term */
            acc2 a = {0, 0};
            for (size_t i = 0; i < n; i++)
                acc_add(&a, design(m, w, i, j));
            mu = acc_val(&a) / (double)n;
            acc2 c = {0, 0};
            for (size_t i = 0; i < n; i++)
                acc_add(&c, design(m, w, i, j) - mu);
            mu += acc_val(&c) / (double)n;
        }
        for (size_t i = 0; i < n; i++) {
            double x = design(m, w, i, j);
            if (fabs(x) > maxabs)
                maxabs = fabs(x);
            w->b[i * k + j] = x - mu;
        }
        gsl_vector_view col = gsl_vector_view_array_with_stride(w->b + j, k, n);
        double d = gsl_blas_dnrm2(&col.vector);
        /* A centred column at rounding level of its magnitude carries no
         * information: constant (with intercept) or zero (without). */
        if (!(d > 4.0 * DBL_EPSILON * sqn * maxabs) || d == 0.0) {
            column_name(name, sizeof name, m, j);
            return kap_err(err, KAP_ENUMERIC,
                           m->intercept
                               ? "least squares: %s is constant over the rows "
                                 "used (collinear with the intercept)"
                               : "least squares: %s is zero over the rows used",
                           name);
        }
        w->mu[j] = mu;
        w->d[j] = d;
        for (size_t i = 0; i < n; i++)
            w->b[i * k + j] /= d;
    }
    if (m->intercept)
        for (size_t i = 0; i < n; i++)
            w->b[i * k] = w->d[0];

    /* ---- QR with column pivoting ---------------------------------------- */
    memcpy(w->qr, w->b, n * k * sizeof(double));
    gsl_matrix_view QR = gsl_matrix_view_array(w->qr, n, k);
    gsl_vector_view tau = gsl_vector_view_array(w->tau, k);
    gsl_vector_view nrm = gsl_vector_view_array(w->norm, k);
    gsl_permutation perm = {k, w->perm};
    int signum = 0;
    int st = gsl_linalg_QRPT_decomp(&QR.matrix, &tau.vector, &perm, &signum,
                                    &nrm.vector);
    if (st)
        return kap_err(err, KAP_ENUMERIC, "least squares: GSL QR failed (%s)",
                       gsl_strerror(st));
    double r11 = fabs(w->qr[0]);
    for (size_t i = 0; i < k; i++) {
        double rii = fabs(w->qr[i * k + i]);
        if (!(rii > LM_RANK_TOL * r11)) {
            column_name(name, sizeof name, m, w->perm[i]);
            return kap_err(err, KAP_ENUMERIC,
                           "least squares: design is rank deficient: %s is "
                           "(numerically) a linear combination of the others "
                           "(|R_ii|/|R_11| = %.3g)", name,
                           r11 > 0 ? rii / r11 : 0.0);
        }
    }

    /* ---- condition estimate: ||R||_1 ||R^-1||_1 ------------------------- */
    for (size_t i = 0; i < k * k; i++)
        w->rinv[i] = 0.0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++)
            w->rinv[i * k + j] = w->qr[i * k + j];
    gsl_matrix_view Ri = gsl_matrix_view_array(w->rinv, k, k);
    st = gsl_linalg_tri_invert(CblasUpper, CblasNonUnit, &Ri.matrix);
    if (st)
        return kap_err(err, KAP_ENUMERIC,
                       "least squares: GSL triangular inverse failed (%s)",
                       gsl_strerror(st));
    double nr = 0.0, ni = 0.0;
    for (size_t j = 0; j < k; j++) {
        double s1 = 0.0, s2 = 0.0;
        for (size_t i = 0; i <= j; i++) {
            s1 += fabs(w->qr[i * k + j]);
            s2 += fabs(w->rinv[i * k + j]);
        }
        if (s1 > nr)
            nr = s1;
        if (s2 > ni)
            ni = s2;
    }
    m->cond = nr * ni;
    if (!(m->cond <= LM_COND_MAX))
        return kap_err(err, KAP_ENUMERIC,
                       "least squares: design is ill-conditioned (condition "
                       "number of the centred, scaled design %.3g > %.3g)",
                       m->cond, LM_COND_MAX);

    /* ---- solve with refinement ------------------------------------------ */
    int rc = refine(m, w, err);
    if (rc)
        return rc;

    /* ---- residuals, sums of squares ------------------------------------- */
    acc2 rss = {0, 0};
    for (size_t i = 0; i < n; i++) {
        acc2 a = {0, 0};
        acc_add(&a, m->ys[i]);
        for (size_t j = 0; j < k; j++)
            acc_addprod(&a, -design(m, w, i, j), w->bs[j]);
        w->r[i] = acc_val(&a);
        acc_addprod(&rss, w->r[i], w->r[i]);
        w->f[i] = m->ys[i] - w->r[i];   /* fitted, scaled */
    }
    m->rss_s = acc_val(&rss);
    m->df = (double)(m->nd - k);
    m->sigma_s = sqrt(m->rss_s / m->df);
    double fbar = 0.0;
    if (m->intercept) {
        acc2 a = {0, 0};
        for (size_t i = 0; i < n; i++)
            acc_add(&a, w->f[i]);
        fbar = acc_val(&a) / (double)n;
    } else if (m->w0) {
        /* compressed row r stands for w0_r^2 rows of mean fitted value
         * f_r / w0_r (cell rows) or for within-cell variation (w0_r = 0) */
        acc2 a = {0, 0};
        for (size_t i = 0; i < n; i++)
            acc_addprod(&a, m->w0[i], w->f[i]);
        fbar = acc_val(&a) / (double)m->nd;
    }
    acc2 mss = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double c = m->w0 ? w->f[i] - m->w0[i] * fbar : w->f[i] - fbar;
        acc_addprod(&mss, c, c);
    }
    m->mss_s = acc_val(&mss);
    for (size_t i = 0; i < n; i++) {
        m->resid[i] = ldexp(w->r[i], m->ey);
        m->fitted[i] = ldexp(w->f[i], m->ey);
    }

    /* ---- H = R^-T P' S' (k x k): var(L'b_s) = sigma_s^2 ||H L||^2 ------- */
    /* Column l of P'S' is P' (S' e_l); S' e_l = e_l / d_l for a slope and,
     * for the intercept, [1/sqrt(n), -mu_1/d_1, ..., -mu_p/d_p]. */
    for (size_t l = 0; l < k; l++) {
        for (size_t j = 0; j < k; j++)
            w->g[j] = 0.0;
        if (m->intercept && l == 0) {
            w->g[0] = w->d[0];
            for (size_t j = 1; j < k; j++)
                w->g[j] = -w->mu[j] / w->d[j];
        } else {
            w->g[l] = 1.0 / w->d[l];
        }
        for (size_t i = 0; i < k; i++)
            w->t[i] = w->g[w->perm[i]];
        /* h = R^-T t = (R^-1)' t, with the inverse computed above */
        for (size_t i = 0; i < k; i++) {
            acc2 a = {0, 0};
            for (size_t q = 0; q <= i; q++)
                acc_addprod(&a, w->rinv[q * k + i], w->t[q]);
            m->h[i * k + l] = acc_val(&a);
        }
    }

    /* ---- coefficients and inference ------------------------------------- */
    double qt = t_quantile(m->conf_level, m->df);
    if (m->sigma_s == 0.0)
        m->coef_note = "perfect fit: residual SD is 0, t and p undefined";
    for (size_t j = 0; j < k; j++) {
        int e = m->ey - m->ex[j];
        m->coef[j] = ldexp(w->bs[j], e);
        double hn;
        {
            /* norm of column j of H, overflow-safe */
            gsl_vector_view col = gsl_vector_view_array_with_stride(m->h + j, k, k);
            hn = gsl_blas_dnrm2(&col.vector);
        }
        m->se[j] = ldexp(m->sigma_s * hn, e);
        if (m->sigma_s > 0.0) {
            m->tval[j] = w->bs[j] / (m->sigma_s * hn);
            m->pval[j] = t_two_sided_p(m->tval[j], m->df);
        } else {
            m->tval[j] = NAN;
            m->pval[j] = NAN;
        }
        m->lo[j] = m->coef[j] - qt * m->se[j];
        m->hi[j] = m->coef[j] + qt * m->se[j];
    }

    /* ---- R², F ----------------------------------------------------------- */
    double tot = m->mss_s + m->rss_s;
    m->r2 = tot > 0.0 ? m->mss_s / tot : NAN;
    size_t ic = (size_t)(m->intercept || m->grouped);
    m->adj_r2 = 1.0 - (1.0 - m->r2) * ((double)(m->nd - ic) / m->df);
    m->f_df1 = (double)(k - ic);
    m->f_df2 = m->df;
    m->f_note = NULL;
    if (m->f_df1 == 0.0) {
        m->fstat = m->f_p = NAN;
        m->f_df1 = NAN;
        m->f_note = "intercept-only model: no overall F test";
    } else if (m->rss_s == 0.0) {
        if (m->mss_s > 0.0) {
            m->fstat = INFINITY;
            m->f_p = 0.0;
            m->f_note = "perfect fit: residual SD is 0, F infinite";
        } else {
            m->fstat = m->f_p = NAN;
            m->f_note = "response is constant and fitted exactly: F undefined";
        }
    } else {
        m->fstat = (m->mss_s / m->f_df1) / (m->rss_s / m->df);
        m->f_p = gsl_cdf_fdist_Q(m->fstat, m->f_df1, m->f_df2);
    }
    return KAP_OK;
}

int kap_lm_fit(kap_lm **out, const double *y, const double *X, size_t n,
               size_t p, int intercept, double conf_level, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_lm_fit: out is NULL");
    *out = NULL;
    if (!y)
        return kap_err(err, KAP_EINVAL, "kap_lm_fit: y is NULL");
    if (p > 0 && !X)
        return kap_err(err, KAP_EINVAL, "kap_lm_fit: X is NULL with p = %zu", p);
    if (p == 0 && !intercept)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_fit: no coefficients (p = 0 and no intercept)");
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_fit: conf_level must be in (0, 1)");
    size_t k = p + (intercept ? 1 : 0);
    if (k < p || n > SIZE_MAX / (k * sizeof(double)))
        return kap_err(err, KAP_EINVAL, "kap_lm_fit: size overflow");

    /* ---- rows used, scale exponents -------------------------------------- */
    size_t nu = 0;
    double ymax = 0.0;
    for (size_t i = 0; i < n; i++) {
        int ok = !isnan(y[i]);
        if (isinf(y[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_fit: y[%zu] is infinite", i);
        for (size_t j = 0; j < p; j++) {
            double x = X[i * p + j];
            if (isinf(x))
                return kap_err(err, KAP_EINVAL,
                               "kap_lm_fit: X[%zu, %zu] is infinite", i, j);
            if (isnan(x))
                ok = 0;
        }
        if (ok) {
            nu++;
            if (fabs(y[i]) > ymax)
                ymax = fabs(y[i]);
        }
    }
    if (nu <= k)
        return kap_err(err, KAP_EDATA,
                       "least squares: %zu usable rows (of %zu) for %zu "
                       "coefficients: need more rows than coefficients",
                       nu, n, k);

    kap_lm *m = kap_calloc(1, sizeof *m);
    if (!m)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    m->nrows = n;
    m->n = nu;
    m->nd = nu;
    m->p = p;
    m->k = k;
    m->intercept = intercept ? 1 : 0;
    m->conf_level = conf_level;
    m->rows = kap_malloc_array(nu, sizeof(size_t));
    m->ys = kap_malloc_array(nu, sizeof(double));
    m->resid = kap_malloc_array(nu, sizeof(double));
    m->fitted = kap_malloc_array(nu, sizeof(double));
    int have_k = alloc_coef_arrays(m, k);
    lm_work w;
    if (!have_k || !m->rows || !m->ys || !m->resid || !m->fitted ||
        work_alloc(&w, nu, p, k) != KAP_OK) {
        kap_lm_free(m);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }

    m->ey = scale_exponent(ymax);
    for (size_t i = 0, u = 0; i < n; i++) {
        int ok = !isnan(y[i]);
        for (size_t j = 0; ok && j < p; j++)
            if (isnan(X[i * p + j]))
                ok = 0;
        if (ok) {
            m->rows[u] = i;
            m->ys[u] = ldexp(y[i], -m->ey);
            u++;
        }
    }
    for (size_t j = 0; j < p; j++) {
        double mx = 0.0;
        for (size_t u = 0; u < nu; u++) {
            double x = fabs(X[m->rows[u] * p + j]);
            if (x > mx)
                mx = x;
        }
        int e = scale_exponent(mx);
        m->ex[j + (size_t)m->intercept] = e;
        for (size_t u = 0; u < nu; u++)
            w.xs[j * nu + u] = ldexp(X[m->rows[u] * p + j], -e);
    }

    int rc = lm_core(m, &w, err);
    work_free(&w);
    if (rc) {
        kap_lm_free(m);
        return rc;
    }
    *out = m;
    return KAP_OK;
}

/* ---- grouped fits (lm_cells_internal.h) -------------------------------- */

int kap_lm_fit_compressed(kap_lm **out, const double *A, const double *rhs,
                          size_t M, size_t k, size_t nobs, size_t nrows,
                          const double *fp, double conf_level, kap_error *err)
{
    *out = NULL;
    if (nobs <= k)
        return kap_err(err, KAP_EDATA,
                       "least squares: %zu usable rows (of %zu) for %zu "
                       "coefficients: need more rows than coefficients",
                       nobs, nrows, k);
    /* QR needs more rows than columns: rows of zeros change nothing */
    size_t Mf = M > k ? M : k + 1;
    kap_lm *m = kap_calloc(1, sizeof *m);
    if (!m)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    m->nrows = nrows;
    m->n = Mf;
    m->nd = nobs;
    m->p = k;
    m->k = k;
    m->intercept = 0;     /* the intercept is column 0 of A, weights w0 */
    m->grouped = 1;
    m->conf_level = conf_level;
    m->fp[0] = fp[0];
    m->fp[1] = fp[1];
    m->ys = kap_calloc(Mf, sizeof(double));
    m->w0 = kap_calloc(Mf, sizeof(double));
    m->resid = kap_malloc_array(Mf, sizeof(double));
    m->fitted = kap_malloc_array(Mf, sizeof(double));
    int have_k = alloc_coef_arrays(m, k);
    lm_work w;
    if (!have_k || !m->ys || !m->w0 || !m->resid || !m->fitted ||
        work_alloc(&w, Mf, k, k) != KAP_OK) {
        kap_lm_free(m);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    double ymax = 0.0;
    for (size_t u = 0; u < M; u++)
        if (fabs(rhs[u]) > ymax)
            ymax = fabs(rhs[u]);
    m->ey = scale_exponent(ymax);
    for (size_t u = 0; u < M; u++) {
        m->ys[u] = ldexp(rhs[u], -m->ey);
        m->w0[u] = A[u * k];
    }
    for (size_t j = 0; j < k; j++) {
        double mx = 0.0;
        for (size_t u = 0; u < M; u++)
            if (fabs(A[u * k + j]) > mx)
                mx = fabs(A[u * k + j]);
        int e = scale_exponent(mx);
        m->ex[j] = e;
        for (size_t u = 0; u < Mf; u++)
            w.xs[j * Mf + u] = u < M ? ldexp(A[u * k + j], -e) : 0.0;
    }
    int rc = lm_core(m, &w, err);
    if (rc == KAP_OK) {
        /* kept for kap_lm_compare: the fitted values of the compressed
         * rows, whose differences give RSS_r - RSS_f without cancellation */
        m->gm = Mf;
        m->gx = w.xs;
        m->gb = w.bs;
        w.xs = w.bs = NULL;
    }
    work_free(&w);
    if (rc) {
        kap_lm_free(m);
        return rc;
    }
    /* per-row arrays of the compressed system mean nothing to a caller */
    kap_free(m->resid);
    kap_free(m->fitted);
    m->resid = m->fitted = NULL;
    m->n = nobs;
    *out = m;
    return KAP_OK;
}

void kap_lm_unscale(kap_lm *m, int ey, const int *ex)
{
    m->ey += ey;
    for (size_t j = 0; j < m->k; j++) {
        m->ex[j] += ex[j];
        int e = ey - ex[j];
        m->coef[j] = ldexp(m->coef[j], e);
        m->se[j] = ldexp(m->se[j], e);
        m->lo[j] = ldexp(m->lo[j], e);
        m->hi[j] = ldexp(m->hi[j], e);
    }
}

void kap_lm_attach_rows(kap_lm *m, size_t *rows, double *resid,
                        double *fitted)
{
    kap_free(m->rows);
    kap_free(m->resid);
    kap_free(m->fitted);
    m->rows = rows;
    m->resid = resid;
    m->fitted = fitted;
}

/* ---- getters ----------------------------------------------------------- */

size_t kap_lm_ncoef(const kap_lm *m) { return m ? m->k : 0; }
size_t kap_lm_nrows(const kap_lm *m) { return m ? m->nrows : 0; }
size_t kap_lm_nobs(const kap_lm *m) { return m ? m->n : 0; }
int kap_lm_has_intercept(const kap_lm *m) { return m ? m->intercept : 0; }
const size_t *kap_lm_rows(const kap_lm *m) { return m ? m->rows : NULL; }
const double *kap_lm_residuals(const kap_lm *m) { return m ? m->resid : NULL; }
const double *kap_lm_fitted(const kap_lm *m) { return m ? m->fitted : NULL; }

#define COEF_GETTER(fn, field) \
    double fn(const kap_lm *m, size_t j) \
    { \
        return (m && j < m->k) ? m->field[j] : NAN; \
    }
COEF_GETTER(kap_lm_coef, coef)
COEF_GETTER(kap_lm_se, se)
COEF_GETTER(kap_lm_t, tval)
COEF_GETTER(kap_lm_p, pval)
COEF_GETTER(kap_lm_ci_low, lo)
COEF_GETTER(kap_lm_ci_high, hi)

double kap_lm_sigma(const kap_lm *m)
{
    return m ? ldexp(m->sigma_s, m->ey) : NAN;
}
double kap_lm_df(const kap_lm *m) { return m ? m->df : NAN; }
double kap_lm_rss(const kap_lm *m)
{
    return m ? ldexp(m->rss_s, 2 * m->ey) : NAN;
}
double kap_lm_r_squared(const kap_lm *m) { return m ? m->r2 : NAN; }
double kap_lm_adj_r_squared(const kap_lm *m) { return m ? m->adj_r2 : NAN; }
double kap_lm_condition(const kap_lm *m) { return m ? m->cond : NAN; }

double kap_lm_vcov(const kap_lm *m, size_t i, size_t j)
{
    if (!m || i >= m->k || j >= m->k)
        return NAN;
    acc2 a = {0, 0};
    for (size_t q = 0; q < m->k; q++)
        acc_addprod(&a, m->h[q * m->k + i], m->h[q * m->k + j]);
    double v = acc_val(&a) * m->sigma_s * m->sigma_s;
    return ldexp(v, 2 * m->ey - m->ex[i] - m->ex[j]);
}

int kap_lm_coef_result(kap_result *out, const kap_lm *m, size_t j,
                       kap_error *err)
{
    if (!out || !m)
        return kap_err(err, KAP_EINVAL, "kap_lm_coef_result: NULL argument");
    if (j >= m->k)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_coef_result: coefficient %zu out of range "
                       "(model has %zu)", j, m->k);
    kap_result_init(out, M_OLS);
    out->estimate = m->coef[j];
    out->se = m->se[j];
    out->ci_low = m->lo[j];
    out->ci_high = m->hi[j];
    out->conf_level = m->conf_level;
    out->statistic = m->tval[j];
    out->df = m->df;
    out->p_value = m->pval[j];
    out->n1 = m->n;
    out->note = m->coef_note;
    return KAP_OK;
}

int kap_lm_f_test(kap_result *out, const kap_lm *m, kap_error *err)
{
    if (!out || !m)
        return kap_err(err, KAP_EINVAL, "kap_lm_f_test: NULL argument");
    kap_result_init(out, "overall F test of an OLS fit (summary.lm)");
    out->statistic = m->fstat;
    out->df = m->f_df1;
    out->df2 = m->f_df2;
    out->p_value = m->f_p;
    out->n1 = m->n;
    out->note = m->f_note;
    return KAP_OK;
}

int kap_lm_contrast(kap_result *out, const kap_lm *m, const double *L,
                    kap_error *err)
{
    if (!out || !m || !L)
        return kap_err(err, KAP_EINVAL, "kap_lm_contrast: NULL argument");
    size_t k = m->k;
    for (size_t j = 0; j < k; j++)
        if (!isfinite(L[j]))
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_contrast: weight %zu is not finite", j);
    /* In scaled coordinates L'b = 2^ey sum_j (L_j 2^-ex_j) b_s_j. */
    double lmax = 0.0;
    for (size_t j = 0; j < k; j++) {
        double v = fabs(ldexp(L[j], -m->ex[j]));
        if (v > lmax)
            lmax = v;
    }
    int el = scale_exponent(lmax);
    acc2 est = {0, 0};
    double hn = 0.0;
    {
        /* ||H Ls|| with Ls scaled by 2^-el: overflow-safe for any L */
        double ssq = 0.0, scale = 0.0;
        for (size_t q = 0; q < k; q++) {
            acc2 a = {0, 0};
            for (size_t j = 0; j < k; j++)
                acc_addprod(&a, m->h[q * k + j], ldexp(L[j], -m->ex[j] - el));
            double v = fabs(acc_val(&a));
            if (v > scale) {
                ssq = 1.0 + ssq * (scale / v) * (scale / v);
                scale = v;
            } else if (v > 0.0) {
                ssq += (v / scale) * (v / scale);
            }
        }
        hn = scale * sqrt(ssq);
    }
    for (size_t j = 0; j < k; j++)
        acc_addprod(&est, L[j], m->coef[j]);
    kap_result_init(out, "linear contrast of OLS coefficients (t test)");
    out->estimate = acc_val(&est);
    out->se = ldexp(m->sigma_s * hn, m->ey + el);
    out->conf_level = m->conf_level;
    out->df = m->df;
    double qt = t_quantile(m->conf_level, m->df);
    out->ci_low = out->estimate - qt * out->se;
    out->ci_high = out->estimate + qt * out->se;
    if (out->se > 0.0) {
        out->statistic = out->estimate / out->se;
        out->p_value = t_two_sided_p(out->statistic, m->df);
    } else {
        out->note = hn == 0.0 ? "contrast is identically 0"
                              : "perfect fit: residual SD is 0, t and p undefined";
    }
    out->n1 = m->n;
    return KAP_OK;
}

int kap_lm_compare(kap_result *out, const kap_lm *reduced, const kap_lm *full,
                   kap_error *err)
{
    if (!out || !reduced || !full)
        return kap_err(err, KAP_EINVAL, "kap_lm_compare: NULL argument");
    if (reduced->grouped || full->grouped) {
        /* fits of per-cell statistics: same row count and response sums */
        if (reduced->grouped != full->grouped ||
            reduced->nrows != full->nrows || reduced->n != full->n)
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_compare: the models were not fitted to the "
                           "same rows (%zu and %zu rows used)",
                           reduced->n, full->n);
        if (reduced->ey != full->ey ||
            memcmp(reduced->fp, full->fp, sizeof full->fp) != 0)
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_compare: the models have different "
                           "responses");
    } else {
        if (reduced->nrows != full->nrows || reduced->n != full->n ||
            memcmp(reduced->rows, full->rows, full->n * sizeof(size_t)) != 0)
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_compare: the models were not fitted to the "
                           "same rows (%zu and %zu rows used)",
                           reduced->n, full->n);
        if (reduced->ey != full->ey ||
            memcmp(reduced->ys, full->ys, full->n * sizeof(double)) != 0)
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_compare: the models have different "
                           "responses");
    }
    if (reduced->k >= full->k)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_compare: the reduced model has %zu coefficients, "
                       "the full model %zu: reduced must be smaller",
                       reduced->k, full->k);
    double d = reduced->rss_s - full->rss_s;
    int direct = reduced->grouped && reduced->gm == full->gm &&
                 memcmp(reduced->ys, full->ys, full->gm * sizeof(double)) == 0;
    if (direct) {
        /* Nested fits of the same compressed rows: RSS_r - RSS_f is the
         * squared norm of the difference of the fitted values (the
         * residual of the full fit is orthogonal to both column spaces),
         * a sum of squares instead of the difference of two large,
         * nearly equal sums. */
        size_t gm = full->gm;
        acc2 dd = {0, 0};
        for (size_t r = 0; r < gm; r++) {
            acc2 a = {0, 0};
            for (size_t j = 0; j < full->k; j++)
                acc_addprod(&a, full->gx[j * gm + r], full->gb[j]);
            for (size_t j = 0; j < reduced->k; j++)
                acc_addprod(&a, -reduced->gx[j * gm + r], reduced->gb[j]);
            double v = acc_val(&a);
            acc_addprod(&dd, v, v);
        }
        double dd_v = acc_val(&dd);
        /* the nesting check below still compares the two RSS */
        if (!(d < -64.0 * DBL_EPSILON * (reduced->rss_s + full->rss_s)))
            d = dd_v;
    }
    /* Same data, nested column spaces: RSS_r >= RSS_f up to rounding. */
    double tol = 64.0 * DBL_EPSILON * (reduced->rss_s + full->rss_s);
    if (d < -tol)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_compare: the reduced model fits better than the "
                       "full model (RSS %.17g < %.17g): the models are not "
                       "nested", kap_lm_rss(reduced), kap_lm_rss(full));
    kap_result_init(out, "extra-sum-of-squares F test of nested OLS models "
                         "(anova.lm)");
    out->df = (double)(full->k - reduced->k);
    out->df2 = full->df;
    out->n1 = full->n;
    if (d < 0.0)
        d = 0.0;   /* within rounding: the fits are equal */
    out->estimate = ldexp(d, 2 * full->ey);
    if (full->rss_s == 0.0) {
        if (d > 0.0) {
            out->statistic = INFINITY;
            out->p_value = 0.0;
            out->note = "full model fits perfectly: F infinite";
        } else {
            out->note = "both models fit perfectly: F undefined";
        }
        return KAP_OK;
    }
    out->statistic = (d / out->df) / (full->rss_s / full->df);
    out->p_value = gsl_cdf_fdist_Q(out->statistic, out->df, out->df2);
    return KAP_OK;
}

/* ---- design helpers ---------------------------------------------------- */

int kap_lm_dummies(double *out, const int32_t *codes, size_t n,
                   int32_t levels, int32_t reference, kap_error *err)
{
    if ((!out || !codes) && n > 0)
        return kap_err(err, KAP_EINVAL, "kap_lm_dummies: NULL argument");
    if (levels < 2)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_dummies: a factor needs at least 2 levels (%d)",
                       (int)levels);
    if (reference < 0 || reference >= levels)
        return kap_err(err, KAP_EINVAL,
                       "kap_lm_dummies: reference level %d outside [0, %d)",
                       (int)reference, (int)levels);
    for (size_t i = 0; i < n; i++)
        if (codes[i] >= levels)
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_dummies: code %d at row %zu >= levels (%d)",
                           (int)codes[i], i, (int)levels);
    size_t q = (size_t)levels - 1;
    for (size_t i = 0; i < n; i++) {
        double *row = out + i * q;
        if (codes[i] < 0) {
            for (size_t j = 0; j < q; j++)
                row[j] = NAN;
            continue;
        }
        size_t col = 0;
        for (int32_t l = 0; l < levels; l++) {
            if (l == reference)
                continue;
            row[col++] = codes[i] == l ? 1.0 : 0.0;
        }
    }
    return KAP_OK;
}

/* ---- ANCOVA ------------------------------------------------------------ */

struct kap_ancova {
    kap_lm *lm;
    int32_t n_arms;
    int32_t control;
    size_t *arm_n;      /* rows used per arm */
    double *grid;       /* ncoef: reference grid row without arm dummies */
};

void kap_ancova_free(kap_ancova *a)
{
    if (!a)
        return;
    kap_lm_free(a->lm);
    kap_free(a->arm_n);
    kap_free(a->grid);
    kap_free(a);
}

int kap_ancova_fit(kap_ancova **out, const double *outcome,
                   const double *baseline, const int32_t *arm, size_t n,
                   int32_t n_arms, int32_t control, const double *covariates,
                   size_t q, const int32_t *covariate_factor,
                   double conf_level, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_ancova_fit: out is NULL");
    *out = NULL;
    if ((!outcome || !baseline || !arm) && n > 0)
        return kap_err(err, KAP_EINVAL, "kap_ancova_fit: NULL data array");
    if (q > 0 && !covariates)
        return kap_err(err, KAP_EINVAL,
                       "kap_ancova_fit: covariates is NULL with q = %zu", q);
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL,
                       "kap_ancova_fit: conf_level must be in (0, 1)");
    if (n_arms < 2)
        return kap_err(err, KAP_EDATA,
                       "ANCOVA: %d arm(s): need at least 2", (int)n_arms);
    if (control < 0 || control >= n_arms)
        return kap_err(err, KAP_EINVAL,
                       "kap_ancova_fit: control arm %d outside [0, %d)",
                       (int)control, (int)n_arms);
    for (size_t j = 0; covariate_factor && j < q; j++)
        if (covariate_factor[j] < 0)
            return kap_err(err, KAP_EINVAL,
                           "kap_ancova_fit: covariate_factor[%zu] is negative",
                           j);
    for (size_t i = 0; i < n; i++)
        if (arm[i] >= n_arms)
            return kap_err(err, KAP_EINVAL,
                           "kap_ancova_fit: arm code %d at row %zu >= n_arms "
                           "(%d)", (int)arm[i], i, (int)n_arms);

    size_t na = (size_t)n_arms;
    size_t p = 1 + (na - 1) + q;   /* baseline, dummies, covariates */
    size_t k = p + 1;
    if (n > SIZE_MAX / p)
        return kap_err(err, KAP_EINVAL, "kap_ancova_fit: size overflow");
    /* The design is the arm (cells) plus 1 + q continuous columns: the fit
     * is made from per-arm sufficient statistics gathered in one pass
     * (lm_cells_internal.h), the same least-squares problem as the n x p
     * design; residuals and fitted values come from a second pass. */
    for (size_t i = 0; i < n; i++) {
        if (isinf(outcome[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_fit: y[%zu] is infinite", i);
        if (isinf(baseline[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_lm_fit: X[%zu, 0] is infinite", i);
        for (size_t j = 0; j < q; j++)
            if (isinf(covariates[i * q + j]))
                return kap_err(err, KAP_EINVAL,
                               "kap_lm_fit: X[%zu, %zu] is infinite", i, na + j);
    }
    kap_ancova *a = kap_calloc(1, sizeof *a);
    double *D = kap_calloc(na * k, sizeof(double));
    double *xv = kap_malloc_array(1 + q, sizeof(double));
    size_t *xcol = kap_malloc_array(1 + q, sizeof(size_t));
    kap_lm_cells cs;
    memset(&cs, 0, sizeof cs);
    if (!a || !D || !xv || !xcol ||
        kap_lm_cells_init(&cs, na, 1 + q, NULL) != KAP_OK) {
        kap_free(a);
        kap_free(D);
        kap_free(xv);
        kap_free(xcol);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    a->n_arms = n_arms;
    a->control = control;
    a->arm_n = kap_calloc(na, sizeof(size_t));
    a->grid = kap_calloc(p + 1, sizeof(double));
    if (!a->arm_n || !a->grid) {
        kap_free(D);
        kap_free(xv);
        kap_free(xcol);
        kap_lm_cells_clear(&cs);
        kap_ancova_free(a);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    /* coefficients: 0 intercept, 1 baseline, 2..na arm dummies, then the
     * covariates */
    xcol[0] = 1;
    for (size_t j = 0; j < q; j++)
        xcol[1 + j] = na + 1 + j;
    for (int32_t l = 0; l < n_arms; l++) {
        double *d = D + (size_t)l * k;
        d[0] = 1.0;
        if (l != control)
            d[2 + (size_t)(l < control ? l : l - 1)] = 1.0;
    }
    cs.nrows = n;
    for (size_t t = 0; t < q + 2; t++) {
        /* exact power-of-two scaling for data of extreme magnitude */
        const double *col = t == q + 1 ? outcome : t == 0 ? baseline : covariates + (t - 1);
        size_t st = (t == 0 || t == q + 1) ? 1 : q;
        double amax = 0.0;
        for (size_t i = 0; i < n; i++) {
            double v = fabs(col[i * st]);
            if (v > amax)
                amax = v;
        }
        kap_lm_cells_scale(&cs, t, kap_scale_exponent(amax));
    }
    for (size_t i = 0; i < n; i++) {
        int ok = arm[i] >= 0 && !isnan(outcome[i]) && !isnan(baseline[i]);
        xv[0] = baseline[i];
        for (size_t j = 0; ok && j < q; j++) {
            xv[1 + j] = covariates[i * q + j];
            if (isnan(xv[1 + j]))
                ok = 0;
        }
        if (ok)
            kap_lm_cells_add(&cs, (size_t)arm[i], xv, outcome[i]);
    }
    int rc = kap_lm_cells_fit(&a->lm, &cs, D, k, xcol, conf_level, err);
    size_t nused = cs.nobs;
    kap_lm_cells_clear(&cs);
    kap_free(D);
    kap_free(xv);
    kap_free(xcol);
    if (rc == KAP_OK) {
        size_t *rows = kap_malloc_array(nused, sizeof(size_t));
        double *res = kap_malloc_array(nused, sizeof(double));
        double *fit = kap_malloc_array(nused, sizeof(double));
        if (!rows || !res || !fit) {
            kap_free(rows);
            kap_free(res);
            kap_free(fit);
            kap_ancova_free(a);
            return kap_err(err, KAP_ENOMEM, "out of memory");
        }
        const double *b = a->lm->coef;
        for (size_t i = 0, u = 0; i < n; i++) {
            int ok = arm[i] >= 0 && !isnan(outcome[i]) && !isnan(baseline[i]);
            for (size_t j = 0; ok && j < q; j++)
                if (isnan(covariates[i * q + j]))
                    ok = 0;
            if (!ok)
                continue;
            acc2 f = {0, 0};
            acc_add(&f, b[0]);
            acc_addprod(&f, baseline[i], b[1]);
            if (arm[i] != control)
                acc_add(&f, b[2 + (size_t)(arm[i] < control ? arm[i] : arm[i] - 1)]);
            for (size_t j = 0; j < q; j++)
                acc_addprod(&f, covariates[i * q + j], b[na + 1 + j]);
            acc2 r = f;
            r.s = -r.s;
            r.c = -r.c;
            acc_add(&r, outcome[i]);
            rows[u] = i;
            fit[u] = acc_val(&f);
            res[u] = acc_val(&r);
            u++;
        }
        kap_lm_attach_rows(a->lm, rows, res, fit);
    }
    if (rc == KAP_ENUMERIC || rc == KAP_EDATA) {
        /* Say which arm is empty rather than "rank deficient". */
        size_t *cnt = kap_calloc(na, sizeof(size_t));
        if (cnt) {
            for (size_t i = 0; i < n; i++) {
                int ok = arm[i] >= 0 && !isnan(outcome[i]) && !isnan(baseline[i]);
                for (size_t j = 0; ok && j < q; j++)
                    if (isnan(covariates[i * q + j]))
                        ok = 0;
                if (ok)
                    cnt[arm[i]]++;
            }
            for (size_t l = 0; l < na; l++)
                if (cnt[l] == 0) {
                    kap_free(cnt);
                    kap_ancova_free(a);
                    return kap_err(err, KAP_EDATA,
                                   "ANCOVA: arm %zu has no usable rows", l);
                }
            kap_free(cnt);
        }
    }
    if (rc) {
        if (err && rc == KAP_ENUMERIC) {
            /* Name the model's columns: "column j of X" alone means little
             * to an ANCOVA caller. */
            char msg[sizeof err->message];
            kap_snprintf(msg, sizeof msg, "%s", err->message);
            kap_err(err, rc,
                    "ANCOVA (X columns: 0 = baseline, 1..%zu = arm dummies, "
                    "%zu.. = covariates): %s", na - 1, na, msg);
        }
        kap_ancova_free(a);
        return rc;
    }

    /* Reference grid (emmeans): intercept 1, baseline and numeric
     * covariates at their mean over the rows used, dummies of categorical
     * covariate g at 1 / L_g. */
    const kap_lm *m = a->lm;
    const size_t *rows = kap_lm_rows(m);
    size_t nu = kap_lm_nobs(m);
    for (size_t u = 0; u < nu; u++)
        a->arm_n[arm[rows[u]]]++;
    a->grid[0] = 1.0;
    for (size_t j = 0; j < 1 + q; j++) {
        size_t col = j == 0 ? 1 : na + j;   /* coefficient index */
        int32_t g = (j > 0 && covariate_factor) ? covariate_factor[j - 1] : 0;
        if (g > 0) {
            size_t L = 1;
            for (size_t jj = 0; jj < q; jj++)
                if (covariate_factor[jj] == g)
                    L++;
            a->grid[col] = 1.0 / (double)L;
            continue;
        }
        /* two-pass mean with correction */
        acc2 s = {0, 0};
        for (size_t u = 0; u < nu; u++) {
            size_t i = rows[u];
            acc_add(&s, j == 0 ? baseline[i] : covariates[i * q + (j - 1)]);
        }
        double mean = acc_val(&s) / (double)nu;
        acc2 c = {0, 0};
        for (size_t u = 0; u < nu; u++) {
            size_t i = rows[u];
            acc_add(&c, (j == 0 ? baseline[i] : covariates[i * q + (j - 1)]) - mean);
        }
        a->grid[col] = mean + acc_val(&c) / (double)nu;
    }
    *out = a;
    return KAP_OK;
}

int32_t kap_ancova_n_arms(const kap_ancova *a) { return a ? a->n_arms : 0; }
int32_t kap_ancova_control(const kap_ancova *a) { return a ? a->control : -1; }
const kap_lm *kap_ancova_model(const kap_ancova *a) { return a ? a->lm : NULL; }

/* Coefficient index of the dummy of a non-control arm. */
static size_t arm_coef(const kap_ancova *a, int32_t arm)
{
    return 2 + (size_t)(arm < a->control ? arm : arm - 1);
}

int kap_ancova_diff(kap_result *out, const kap_ancova *a, int32_t arm,
                    kap_error *err)
{
    if (!out || !a)
        return kap_err(err, KAP_EINVAL, "kap_ancova_diff: NULL argument");
    if (arm < 0 || arm >= a->n_arms || arm == a->control)
        return kap_err(err, KAP_EINVAL,
                       "kap_ancova_diff: arm %d is out of range or the control",
                       (int)arm);
    int rc = kap_lm_coef_result(out, a->lm, arm_coef(a, arm), err);
    if (rc)
        return rc;
    out->method = "ANCOVA: adjusted difference vs control (OLS, t test)";
    out->n1 = a->arm_n[arm];
    out->n2 = a->arm_n[a->control];
    return KAP_OK;
}

int kap_ancova_lsmean(kap_result *out, const kap_ancova *a, int32_t arm,
                      kap_error *err)
{
    if (!out || !a)
        return kap_err(err, KAP_EINVAL, "kap_ancova_lsmean: NULL argument");
    if (arm < 0 || arm >= a->n_arms)
        return kap_err(err, KAP_EINVAL,
                       "kap_ancova_lsmean: arm %d out of range", (int)arm);
    size_t k = kap_lm_ncoef(a->lm);
    double *L = kap_malloc_array(k, sizeof(double));
    if (!L)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    memcpy(L, a->grid, k * sizeof(double));
    if (arm != a->control)
        L[arm_coef(a, arm)] = 1.0;
    int rc = kap_lm_contrast(out, a->lm, L, err);
    kap_free(L);
    if (rc)
        return rc;
    out->method = "ANCOVA: least-squares mean (emmeans reference grid)";
    out->n1 = a->arm_n[arm];
    return KAP_OK;
}
