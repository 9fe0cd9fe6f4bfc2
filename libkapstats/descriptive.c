/*
 * descriptive.c - one-sample descriptive statistics and the moment kernels
 * shared with ttest.c and effect_size.c.
 */
#include "descriptive_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- moment kernels ----------------------------------------------------- */

int kap_absmax(const double *x, size_t stride, size_t n, double *amax,
               size_t *bad)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        if (isinf(v)) {
            *bad = i;
            return KAP_EINVAL;
        }
        if (fabs(v) > m)
            m = fabs(v);
    }
    *amax = m;
    return KAP_OK;
}

int kap_absmax_pairs(const double *x, size_t xstride, const double *y,
                     size_t ystride, size_t n, double *amax, size_t *bad)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double u = x[i * xstride], v = y[i * ystride];
        if (isnan(u) || isnan(v))
            continue;
        if (isinf(u) || isinf(v)) {
            *bad = i;
            return KAP_EINVAL;
        }
        if (fabs(u) > m)
            m = fabs(u);
        if (fabs(v) > m)
            m = fabs(v);
    }
    *amax = m;
    return KAP_OK;
}

int kap_scale_exponent(double amax)
{
    /* Inside [2^-400, 2^400] squares of values and of their rounding-level
     * differences stay normal numbers and n of them cannot overflow. */
    if (amax == 0.0 || (amax >= 0x1p-400 && amax <= 0x1p400))
        return 0;
    int e;
    (void)frexp(amax, &e);
    return e;
}

/* Neumaier compensated accumulator. */
typedef struct {
    double s, c;
} acc;

static void acc_add(acc *a, double v)
{
    double t = a->s + v;
    if (fabs(a->s) >= fabs(v))
        a->c += (a->s - t) + v;
    else
        a->c += (v - t) + a->s;
    a->s = t;
}

static double acc_get(const acc *a) { return a->s + a->c; }

void kap_moments_scaled(const double *x, size_t stride, size_t n, int e,
                        kap_moments *m)
{
    acc sum = {0.0, 0.0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        acc_add(&sum, ldexp(v, -e));
        k++;
    }
    m->n = k;
    m->n_missing = n - k;
    m->mean = NAN;
    m->ss = NAN;
    if (k == 0)
        return;
    double mean = acc_get(&sum) / (double)k;
    /* Second pass: the residual sum corrects the mean and the sum of
     * squares (corrected two-pass algorithm). */
    acc dev = {0.0, 0.0}, sq = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        double d = ldexp(v, -e) - mean;
        acc_add(&dev, d);
        acc_add(&sq, d * d);
    }
    double c = acc_get(&dev);
    m->mean = mean + c / (double)k;
    double ss = acc_get(&sq) - c * c / (double)k;
    m->ss = ss > 0.0 ? ss : 0.0;
}

void kap_paired_moments_scaled(const double *x, size_t xstride,
                               const double *y, size_t ystride, size_t n,
                               int e, kap_paired_moments *m)
{
    acc sx = {0.0, 0.0}, sy = {0.0, 0.0}, sd = {0.0, 0.0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double u = x[i * xstride], v = y[i * ystride];
        if (isnan(u) || isnan(v))
            continue;
        u = ldexp(u, -e);
        v = ldexp(v, -e);
        acc_add(&sx, u);
        acc_add(&sy, v);
        acc_add(&sd, u - v);
        k++;
    }
    m->n = k;
    m->n_missing = n - k;
    m->mean_x = m->mean_y = m->mean_d = NAN;
    m->ss_x = m->ss_y = m->ss_d = m->sp_xy = NAN;
    if (k == 0)
        return;
    double dk = (double)k;
    double mx = acc_get(&sx) / dk, my = acc_get(&sy) / dk,
           md = acc_get(&sd) / dk;
    acc cx = {0.0, 0.0}, cy = {0.0, 0.0}, cd = {0.0, 0.0};
    acc qx = {0.0, 0.0}, qy = {0.0, 0.0}, qd = {0.0, 0.0}, pxy = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        double u = x[i * xstride], v = y[i * ystride];
        if (isnan(u) || isnan(v))
            continue;
        u = ldexp(u, -e);
        v = ldexp(v, -e);
        double du = u - mx, dv = v - my, dd = (u - v) - md;
        acc_add(&cx, du);
        acc_add(&cy, dv);
        acc_add(&cd, dd);
        acc_add(&qx, du * du);
        acc_add(&qy, dv * dv);
        acc_add(&qd, dd * dd);
        acc_add(&pxy, du * dv);
    }
    double ex = acc_get(&cx), ey = acc_get(&cy), ed = acc_get(&cd);
    m->mean_x = mx + ex / dk;
    m->mean_y = my + ey / dk;
    m->mean_d = md + ed / dk;
    double v;
    v = acc_get(&qx) - ex * ex / dk;
    m->ss_x = v > 0.0 ? v : 0.0;
    v = acc_get(&qy) - ey * ey / dk;
    m->ss_y = v > 0.0 ? v : 0.0;
    v = acc_get(&qd) - ed * ed / dk;
    m->ss_d = v > 0.0 ? v : 0.0;
    m->sp_xy = acc_get(&pxy) - ex * ey / dk;
}

double kap_qt(double p, double df)
{
    if (!(df > 0.0) || !(p > 0.0 && p < 1.0))
        return NAN;
    return gsl_cdf_tdist_Pinv(p, df);
}

/* ---- kap_describe ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* R quantile type 7 on sorted s[0..n). */
static double quantile7(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    size_t hi = (size_t)ceil(h);
    double q = s[lo];
    if (h > (double)lo && s[hi] != q) {
        double f = h - (double)lo;
        q = (1.0 - f) * q + f * s[hi];
    }
    return q;
}

static void describe_nan(kap_describe_result *out, double conf_level)
{
    out->n = out->n_missing = 0;
    out->mean = out->sd = out->se = out->median = NAN;
    out->q1 = out->q3 = out->min = out->max = NAN;
    out->ci_low = out->ci_high = NAN;
    out->conf_level = conf_level;
    out->note = NULL;
}

int kap_describe(kap_describe_result *out, const double *x, size_t stride,
                 size_t n, double conf_level, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_describe: out is NULL");
    describe_nan(out, conf_level);
    if (!x && n > 0)
        return kap_err(err, KAP_EINVAL, "kap_describe: x is NULL");
    if (stride == 0)
        return kap_err(err, KAP_EINVAL, "kap_describe: stride is 0");
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL,
                       "kap_describe: conf_level must be in (0, 1)");
    double amax = 0.0;
    size_t bad = 0;
    if (kap_absmax(x, stride, n, &amax, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL,
                       "kap_describe: x[%zu] is infinite", bad);
    int e = kap_scale_exponent(amax);
    kap_moments m;
    kap_moments_scaled(x, stride, n, e, &m);
    out->n = m.n;
    out->n_missing = m.n_missing;
    if (m.n == 0) {
        out->note = "no non-missing values";
        return KAP_OK;
    }

    double *s = kap_malloc_array(m.n, sizeof *s);
    if (!s) {
        describe_nan(out, conf_level);
        return kap_err(err, KAP_ENOMEM, "kap_describe: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (!isnan(v))
            s[k++] = v;
    }
    qsort(s, k, sizeof *s, cmp_double);
    out->min = s[0];
    out->max = s[k - 1];
    out->median = quantile7(s, k, 0.5);
    out->q1 = quantile7(s, k, 0.25);
    out->q3 = quantile7(s, k, 0.75);
    kap_free(s);

    out->mean = ldexp(m.mean, e);
    if (m.n < 2) {
        out->note = "n < 2: SD, SE and CI undefined";
        return KAP_OK;
    }
    double df = (double)(m.n - 1);
    double sd = sqrt(m.ss / df);
    double se = sd / sqrt((double)m.n);
    double q = kap_qt(1.0 - 0.5 * (1.0 - conf_level), df);
    out->sd = ldexp(sd, e);
    out->se = ldexp(se, e);
    out->ci_low = ldexp(m.mean - q * se, e);
    out->ci_high = ldexp(m.mean + q * se, e);
    return KAP_OK;
}
