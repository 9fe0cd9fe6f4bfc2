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

/* Compensated sum of x * 2^-e over the non-NaN values; their count in *k.
 * With e = 0 the values are added as they are (ldexp(v, 0) == v: the same
 * sums, without a library call per value). */
static void sum_scaled(const double *x, size_t stride, size_t n, int e,
                       acc *sum, size_t *k)
{
    size_t c = 0;
    if (e == 0) {
        for (size_t i = 0; i < n; i++) {
            double v = x[i * stride];
            if (isnan(v))
                continue;
            acc_add(sum, v);
            c++;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double v = x[i * stride];
            if (isnan(v))
                continue;
            acc_add(sum, ldexp(v, -e));
            c++;
        }
    }
    *k = c;
}

/* Second pass of the corrected two-pass algorithm, given the first pass's
 * compensated sum of the k non-NaN scaled values. */
static void moments_second(const double *x, size_t stride, size_t n, int e,
                           const acc *sum, size_t k, kap_moments *m)
{
    m->n = k;
    m->n_missing = n - k;
    m->mean = NAN;
    m->ss = NAN;
    if (k == 0)
        return;
    double mean = acc_get(sum) / (double)k;
    /* The residual sum corrects the mean and the sum of squares. */
    acc dev = {0.0, 0.0}, sq = {0.0, 0.0};
    if (e == 0 && k == n) {
        /* No NaN (the first pass counted them): no test per value.  The
         * squares and their running sum are >= 0, so acc_add's |s| >= |v|
         * is s >= v there. */
        double qs = 0.0, qc = 0.0;
        for (size_t i = 0; i < n; i++) {
            double d = x[i * stride] - mean;
            acc_add(&dev, d);
            double d2 = d * d, t = qs + d2;
            if (qs >= d2)
                qc += (qs - t) + d2;
            else
                qc += (d2 - t) + qs;
            qs = t;
        }
        sq.s = qs;
        sq.c = qc;
    } else if (e == 0) {
        for (size_t i = 0; i < n; i++) {
            double v = x[i * stride];
            if (isnan(v))
                continue;
            double d = v - mean;
            acc_add(&dev, d);
            acc_add(&sq, d * d);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double v = x[i * stride];
            if (isnan(v))
                continue;
            double d = ldexp(v, -e) - mean;
            acc_add(&dev, d);
            acc_add(&sq, d * d);
        }
    }
    double c = acc_get(&dev);
    m->mean = mean + c / (double)k;
    double ss = acc_get(&sq) - c * c / (double)k;
    m->ss = ss > 0.0 ? ss : 0.0;
}

int kap_moments_first(const double *x, size_t stride, size_t n,
                      kap_first_pass *f, size_t *bad)
{
    /* kap_absmax and the e = 0 first sum in one loop: the same additions
     * in the same order, so the same sums.  One test, |v| <= DBL_MAX,
     * sends the rare NaN and infinite values aside; |v| then serves the
     * maximum and the compensation (Neumaier, as acc_add). */
    double amax = 0.0, s = 0.0, c = 0.0;
    size_t nan = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        double av = fabs(v);
        if (!(av <= DBL_MAX)) {
            if (isnan(v)) {
                nan++;
                continue;
            }
            *bad = i;
            return KAP_EINVAL;
        }
        if (av > amax)
            amax = av;
        double t = s + v;
        if (fabs(s) >= av)
            c += (s - t) + v;
        else
            c += (v - t) + s;
        s = t;
    }
    f->n = n - nan;
    f->amax = amax;
    f->sum = s;
    f->comp = c;
    return KAP_OK;
}

void kap_moments_finish(const double *x, size_t stride, size_t n, int e,
                        const kap_first_pass *f, kap_moments *m)
{
    acc sum = {f->sum, f->comp};
    size_t k = f->n;
    if (e != 0) {
        /* Extreme magnitudes: the unscaled sum may have overflowed or
         * lost bits to underflow; sum the scaled values (one more pass,
         * only for such data). */
        sum.s = sum.c = 0.0;
        sum_scaled(x, stride, n, e, &sum, &k);
    }
    moments_second(x, stride, n, e, &sum, k, m);
}

static void two_summary_nan(kap_two_summary *s)
{
    s->n1 = s->n2 = s->n1_missing = s->n2_missing = 0;
    s->mean1 = s->mean2 = s->ss1 = s->ss2 = NAN;
    s->scale = 0;
}

int kap_two_summary_fill(kap_two_summary *s, const double *x, size_t xstride,
                         size_t nx, const double *y, size_t ystride, size_t ny,
                         size_t *bad, int *which)
{
    two_summary_nan(s);
    kap_first_pass fx, fy;
    if (kap_moments_first(x, xstride, nx, &fx, bad) != KAP_OK) {
        *which = 0;
        return KAP_EINVAL;
    }
    if (kap_moments_first(y, ystride, ny, &fy, bad) != KAP_OK) {
        *which = 1;
        return KAP_EINVAL;
    }
    int e = kap_scale_exponent(fmax(fx.amax, fy.amax));
    kap_moments mx, my;
    kap_moments_finish(x, xstride, nx, e, &fx, &mx);
    kap_moments_finish(y, ystride, ny, e, &fy, &my);
    s->n1 = mx.n;
    s->n1_missing = mx.n_missing;
    s->mean1 = mx.mean;
    s->ss1 = mx.ss;
    s->n2 = my.n;
    s->n2_missing = my.n_missing;
    s->mean2 = my.mean;
    s->ss2 = my.ss;
    s->scale = e;
    return KAP_OK;
}

int kap_two_summary_check(const kap_two_summary *s, const char *fn,
                          kap_error *err)
{
    if (!s)
        return kap_err(err, KAP_EINVAL, "%s: summary is NULL", fn);
    if (s->scale < -2200 || s->scale > 2200)
        return kap_err(err, KAP_EINVAL,
                       "%s: summary scale %d outside [-2200, 2200]", fn,
                       s->scale);
    if (s->n1 > 0 && !(isfinite(s->mean1) && isfinite(s->ss1) &&
                       s->ss1 >= 0.0))
        return kap_err(err, KAP_EINVAL,
                       "%s: summary of x: mean1 and ss1 must be finite and "
                       "ss1 >= 0 (mean1 = %g, ss1 = %g)", fn, s->mean1,
                       s->ss1);
    if (s->n2 > 0 && !(isfinite(s->mean2) && isfinite(s->ss2) &&
                       s->ss2 >= 0.0))
        return kap_err(err, KAP_EINVAL,
                       "%s: summary of y: mean2 and ss2 must be finite and "
                       "ss2 >= 0 (mean2 = %g, ss2 = %g)", fn, s->mean2,
                       s->ss2);
    return KAP_OK;
}

int kap_describe_two(kap_two_summary *out, const double *x, size_t xstride,
                     size_t nx, const double *y, size_t ystride, size_t ny,
                     kap_error *err)
{
    static const char *fn = "kap_describe_two";
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    two_summary_nan(out);
    if ((!x && nx > 0) || (!y && ny > 0))
        return kap_err(err, KAP_EINVAL, "%s: data pointer is NULL", fn);
    if (xstride == 0 || ystride == 0)
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    size_t bad = 0;
    int which = 0;
    if (kap_two_summary_fill(out, x, xstride, nx, y, ystride, ny, &bad,
                             &which) != KAP_OK) {
        two_summary_nan(out);
        return kap_err(err, KAP_EINVAL, "%s: %s[%zu] is infinite", fn,
                       which ? "y" : "x", bad);
    }
    return KAP_OK;
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
    kap_first_pass f;
    size_t bad = 0;
    if (kap_moments_first(x, stride, n, &f, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL,
                       "kap_describe: x[%zu] is infinite", bad);
    int e = kap_scale_exponent(f.amax);
    kap_moments m;
    kap_moments_finish(x, stride, n, e, &f, &m);
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
