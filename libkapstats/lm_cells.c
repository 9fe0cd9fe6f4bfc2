/*
 * lm_cells.c - per-cell sufficient statistics for OLS with categorical
 * cells and a few continuous columns, and the fit of the compressed
 * problem they define.  Method and reference in lm_cells_internal.h.
 */
#include "lm_cells_internal.h"

#include <float.h>
#include <string.h>

int kap_lm_cells_init(kap_lm_cells *s, size_t n_cells, size_t q,
                      kap_error *err)
{
    memset(s, 0, sizeof *s);
    size_t w = q + 1, nc = n_cells ? n_cells : 1;
    s->q = q;
    s->n_cells = n_cells;
    s->n = kap_calloc(nc, sizeof *s->n);
    s->sum = kap_calloc(nc * w * 2, sizeof *s->sum);
    s->R = kap_calloc(nc * w * w, sizeof *s->R);
    s->z = kap_calloc(w, sizeof *s->z);
    s->e = kap_calloc(w, sizeof *s->e);
    s->sc = kap_malloc_array(w, sizeof *s->sc);
    if (!s->n || !s->sum || !s->R || !s->z || !s->e || !s->sc) {
        kap_lm_cells_clear(s);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    for (size_t t = 0; t < w; t++)
        s->sc[t] = 1.0;
    return KAP_OK;
}

void kap_lm_cells_scale(kap_lm_cells *s, size_t t, int e)
{
    s->e[t] = e;
    s->sc[t] = ldexp(1.0, -e);
}

void kap_lm_cells_clear(kap_lm_cells *s)
{
    if (!s)
        return;
    kap_free(s->n);
    kap_free(s->sum);
    kap_free(s->R);
    kap_free(s->z);
    kap_free(s->e);
    kap_free(s->sc);
    memset(s, 0, sizeof *s);
}

/* Compensated sum (TwoSum, Ogita, Rump & Oishi 2005): s[0] sum, s[1]
 * accumulated error. */
static inline void two_sum(double *s, double x)
{
    double t = s[0] + x;
    double zz = t - s[0];
    s[1] += (s[0] - (t - zz)) + (x - zz);
    s[0] = t;
}

/* sqrt(a^2 + b^2) without overflow or harmful underflow. */
static inline double norm2(double a, double b)
{
    double fa = fabs(a), fb = fabs(b);
    double mx = fa > fb ? fa : fb;
    if (mx < 1e150 && mx > 1e-150)
        return sqrt(a * a + b * b);
    return hypot(a, b);
}

void kap_lm_cells_add(kap_lm_cells *s, size_t c, const double *x, double y)
{
    size_t w = s->q + 1;
    double *sm = s->sum + c * w * 2;
    double *R = s->R + c * w * w, *z = s->z;
    size_t nc = s->n[c];
    /* Welford: the scatter about the mean grows by n/(n+1) d d', d the
     * deviation from the running mean: rotate sqrt(n/(n+1)) d into R. */
    double f = nc ? sqrt((double)nc / (double)(nc + 1)) : 0.0;
    for (size_t j = 0; j < w; j++) {
        double v = (j < s->q ? x[j] : y) * s->sc[j];
        /* the running mean from the compensated sum: rounded once, so
         * the update is exact up to that rounding (no drift) */
        double m = nc ? (sm[2 * j] + sm[2 * j + 1]) / (double)nc : v;
        z[j] = f * (v - m);
        two_sum(sm + 2 * j, v);
    }
    if (nc) {
        for (size_t j = 0; j < w; j++) {
            double zj = z[j];
            if (zj == 0.0)
                continue;
            double *Rj = R + j * w;
            double r = norm2(Rj[j], zj);
            if (j + 1 == w) {
                Rj[j] = r;   /* last row: nothing left to rotate */
                break;
            }
            double ri = 1.0 / r;
            double cs = Rj[j] * ri, sn = zj * ri;
            Rj[j] = r;
            for (size_t l = j + 1; l < w; l++) {
                double a = Rj[l], b = z[l];
                Rj[l] = cs * a + sn * b;
                z[l] = cs * b - sn * a;
            }
        }
    }
    s->n[c] = nc + 1;
    s->nobs++;
    y *= s->sc[s->q];
    two_sum(s->fp, y);
    {
        /* y^2 with the exact error of the product */
        double p = y * y;
        double t = s->fpc[0] + p;
        double zz = t - s->fpc[0];
        s->fpc[1] += (s->fpc[0] - (t - zz)) + (p - zz) + fma(y, y, -p);
        s->fpc[0] = t;
    }
}

int kap_lm_cells_fit(kap_lm **out, const kap_lm_cells *s, const double *D,
                     size_t k, const size_t *xcol, double conf_level,
                     kap_error *err)
{
    size_t q = s->q, w = q + 1, C = 0;
    for (size_t c = 0; c < s->n_cells; c++)
        C += s->n[c] > 0;
    size_t M = C * (1 + w);
    double *A = kap_calloc((M ? M : 1) * k, sizeof *A);
    double *b = kap_calloc(M ? M : 1, sizeof *b);
    unsigned char *isx = kap_calloc(k ? k : 1, 1);
    if (!A || !b || !isx) {
        kap_free(A);
        kap_free(b);
        kap_free(isx);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    for (size_t t = 0; t < q; t++)
        isx[xcol[t]] = 1;
    size_t r = 0;
    for (size_t c = 0; c < s->n_cells; c++) {
        size_t nc = s->n[c];
        if (!nc)
            continue;
        double sq = sqrt((double)nc);
        const double *sm = s->sum + c * w * 2, *R = s->R + c * w * w;
        double *row = A + r * k;
        for (size_t j = 0; j < k; j++)
            if (!isx[j])
                row[j] = sq * D[c * k + j];
        for (size_t t = 0; t < q; t++)
            row[xcol[t]] = sq * ((sm[2 * t] + sm[2 * t + 1]) / (double)nc);
        b[r++] = sq * ((sm[2 * q] + sm[2 * q + 1]) / (double)nc);
        for (size_t i = 0; i < w; i++, r++) {
            for (size_t t = i; t < q; t++)
                A[r * k + xcol[t]] = R[i * w + t];
            b[r] = R[i * w + q];
        }
    }
    /* A column constant over the rows used is collinear with the
     * intercept: say so as kap_lm_fit does (column j of X is coefficient
     * j + 1), rather than "rank deficient". */
    if (s->nobs > k) {
        for (size_t j = 1; j < k; j++) {
            int first = 1, constant = 1;
            double v0 = 0.0;
            for (size_t c = 0, rr = 0; c < s->n_cells && constant; c++) {
                if (!s->n[c])
                    continue;
                double sq = A[rr * k];   /* sqrt(n_c) */
                double v = A[rr * k + j] / sq;
                if (first)
                    v0 = v;
                constant = first || v == v0;
                first = 0;
                for (size_t i = 1; i <= w; i++)
                    if (A[(rr + i) * k + j] != 0.0)
                        constant = 0;
                rr += 1 + w;
            }
            if (constant) {
                kap_free(isx);
                kap_free(A);
                kap_free(b);
                return kap_err(err, KAP_ENUMERIC,
                               "least squares: column %zu of X is constant over "
                               "the rows used (collinear with the intercept)",
                               j - 1);
            }
        }
    }
    kap_free(isx);
    double fp[2] = {s->fp[0] + s->fp[1], s->fpc[0] + s->fpc[1]};
    int rc = kap_lm_fit_compressed(out, A, b, M, k, s->nobs, s->nrows, fp,
                                   conf_level, err);
    kap_free(A);
    kap_free(b);
    int scaled = s->e[q] != 0;
    for (size_t t = 0; t < q; t++)
        scaled |= s->e[t] != 0;
    if (rc == KAP_OK && scaled) {
        int *ex = kap_calloc(k, sizeof *ex);
        if (!ex) {
            kap_lm_free(*out);
            *out = NULL;
            return kap_err(err, KAP_ENOMEM, "out of memory");
        }
        for (size_t t = 0; t < q; t++)
            ex[xcol[t]] = s->e[t];
        kap_lm_unscale(*out, s->e[q], ex);
        kap_free(ex);
    }
    return rc;
}
