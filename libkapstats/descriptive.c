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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
/* The second pass's loop over x[i0..n) at e = 0 without NaN, continuing
 * the accumulators.  The squares and their running sum are >= 0, so
 * acc_add's |s| >= |v| is s >= v there. */
static void second_nonan(const double *x, size_t stride, size_t i0, size_t n,
                         double mean, acc *dev, acc *sq)
{
    acc dv = *dev;
    double qs = sq->s, qc = sq->c;
    for (size_t i = i0; i < n; i++) {
        double d = x[i * stride] - mean;
        acc_add(&dv, d);
        double d2 = d * d, t = qs + d2;
        if (qs >= d2)
            qc += (qs - t) + d2;
        else
            qc += (d2 - t) + qs;
        qs = t;
    }
    *dev = dv;
    sq->s = qs;
    sq->c = qc;
}

/* Mean and sum of squares from the second pass's accumulators. */
static void second_result(double mean, size_t k, const acc *dev,
                          const acc *sq, kap_moments *m)
{
    double c = acc_get(dev);
    m->mean = mean + c / (double)k;
    double ss = acc_get(sq) - c * c / (double)k;
    m->ss = ss > 0.0 ? ss : 0.0;
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
        /* no NaN (the first pass counted them): no test per value */
        second_nonan(x, stride, 0, n, mean, &dev, &sq);
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
    second_result(mean, k, &dev, &sq, m);
}

/* The first pass over x[i0..n), continuing f (amax, sum, comp) and
 * counting NaN values in *nan. */
static int first_from(const double *x, size_t stride, size_t i0, size_t n,
                      kap_first_pass *f, size_t *nan, size_t *bad)
{
    /* kap_absmax and the e = 0 first sum in one loop: the same additions
     * in the same order, so the same sums.  One test, |v| <= DBL_MAX,
     * sends the rare NaN and infinite values aside; |v| then serves the
     * maximum and the compensation (Neumaier, as acc_add). */
    double amax = f->amax, s = f->sum, c = f->comp;
    size_t nn = *nan;
    int rc = KAP_OK;
    for (size_t i = i0; i < n; i++) {
        double v = x[i * stride];
        double av = fabs(v);
        if (!(av <= DBL_MAX)) {
            if (isnan(v)) {
                nn++;
                continue;
            }
            *bad = i;
            rc = KAP_EINVAL;
            break;
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
    f->amax = amax;
    f->sum = s;
    f->comp = c;
    *nan = nn;
    return rc;
}

int kap_moments_first(const double *x, size_t stride, size_t n,
                      kap_first_pass *f, size_t *bad)
{
    size_t nan = 0;
    f->amax = f->sum = f->comp = 0.0;
    int rc = first_from(x, stride, 0, n, f, &nan, bad);
    f->n = n - nan;
    return rc;
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

/* ---- two arrays at once --------------------------------------------------
 * Two samples are summarized with x in one lane and y in the other of a
 * two-double vector (GCC/Clang vector extensions; SSE2 on x86-64, and
 * whatever the target has elsewhere).  Each lane performs exactly the
 * operations of the scalar loops above, in the same order, on its own
 * array, so the sums are the same to the bit: the only change is the
 * compensation term, computed by Knuth's branch-free TwoSum, which yields
 * the same exact rounding error as Neumaier's (s - t) + v / (v - t) + s
 * for finite operands (signed zeros included: both give +0 when s + v is
 * exact).  The lanes run over the common length; the rest of the longer
 * array, and everything from the first NaN or infinity on, goes through
 * the scalar loops, which continue the same accumulators. */
typedef double kap_v2d __attribute__((vector_size(16)));
typedef long long kap_v2i __attribute__((vector_size(16)));

static kap_v2d v2_abs(kap_v2d v)
{
    const kap_v2i m = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL};
    return (kap_v2d)((kap_v2i)v & m);
}

static kap_v2d v2_max(kap_v2d a, kap_v2d b)
{
#ifdef __SSE2__
    /* maxpd: a > b ? a : b per lane, exactly the scalar `if (av > amax)` */
    return (kap_v2d)_mm_max_pd((__m128d)a, (__m128d)b);
#else
    kap_v2i gt = a > b;
    return (kap_v2d)(((kap_v2i)a & gt) | ((kap_v2i)b & ~gt));
#endif
}

/* First pass over x[0..m), y[0..m) while every value is finite; returns
 * the index reached (the start of the block holding the first NaN or
 * infinity of either array, or m).  fx, fy are continued.  Finiteness is
 * checked once per block of FIRST_BLOCK pairs; a block with a non-finite
 * value is left to the scalar loop, from the state before the block. */
enum { FIRST_BLOCK = 256 };

static size_t first_pair(const double *x, size_t xs, const double *y,
                         size_t ys, size_t m, kap_first_pass *fx,
                         kap_first_pass *fy)
{
    kap_v2d amax = {fx->amax, fy->amax}, s = {fx->sum, fy->sum},
            c = {fx->comp, fy->comp};
    const kap_v2d big = {DBL_MAX, DBL_MAX};
    size_t i = 0;
    while (i < m) {
        size_t end = m - i > FIRST_BLOCK ? i + FIRST_BLOCK : m;
        kap_v2d bmax = amax, bs = s, bc = c;
        kap_v2i fin = {-1, -1};
        for (size_t j = i; j < end; j++) {
            kap_v2d v = {x[j * xs], y[j * ys]};
            kap_v2d av = v2_abs(v);
            fin &= av <= big;
            bmax = v2_max(av, bmax);
            kap_v2d t = bs + v;
            kap_v2d bv = t - bs;
            bc += (bs - (t - bv)) + (v - bv);
            bs = t;
        }
        if (!(fin[0] & fin[1]))
            break;
        amax = bmax;
        s = bs;
        c = bc;
        i = end;
    }
    fx->amax = amax[0];
    fy->amax = amax[1];
    fx->sum = s[0];
    fy->sum = s[1];
    fx->comp = c[0];
    fy->comp = c[1];
    return i;
}

/* Second pass over x[0..m), y[0..m) (no NaN, e = 0), continuing the
 * accumulators of each lane. */
static void second_pair(const double *x, size_t xs, const double *y,
                        size_t ys, size_t m, double mx, double my,
                        acc *devx, acc *sqx, acc *devy, acc *sqy)
{
    const kap_v2d mean = {mx, my};
    kap_v2d ds = {devx->s, devy->s}, dc = {devx->c, devy->c};
    kap_v2d qs = {sqx->s, sqy->s}, qc = {sqx->c, sqy->c};
    for (size_t i = 0; i < m; i++) {
        kap_v2d v = {x[i * xs], y[i * ys]};
        kap_v2d d = v - mean;
        kap_v2d t = ds + d;
        kap_v2d bv = t - ds;
        dc += (ds - (t - bv)) + (d - bv);
        ds = t;
        kap_v2d d2 = d * d;
        t = qs + d2;
        bv = t - qs;
        qc += (qs - (t - bv)) + (d2 - bv);
        qs = t;
    }
    devx->s = ds[0];
    devx->c = dc[0];
    devy->s = ds[1];
    devy->c = dc[1];
    sqx->s = qs[0];
    sqx->c = qc[0];
    sqy->s = qs[1];
    sqy->c = qc[1];
}

int kap_two_summary_fill(kap_two_summary *s, const double *x, size_t xstride,
                         size_t nx, const double *y, size_t ystride, size_t ny,
                         size_t *bad, int *which)
{
    two_summary_nan(s);
    kap_first_pass fx = {0, 0.0, 0.0, 0.0}, fy = {0, 0.0, 0.0, 0.0};
    size_t m = nx < ny ? nx : ny;
    size_t i0 = m > 0 ? first_pair(x, xstride, y, ystride, m, &fx, &fy) : 0;
    size_t nanx = 0, nany = 0;
    if (first_from(x, xstride, i0, nx, &fx, &nanx, bad) != KAP_OK) {
        *which = 0;
        return KAP_EINVAL;
    }
    if (first_from(y, ystride, i0, ny, &fy, &nany, bad) != KAP_OK) {
        *which = 1;
        return KAP_EINVAL;
    }
    fx.n = nx - nanx;
    fy.n = ny - nany;
    int e = kap_scale_exponent(fmax(fx.amax, fy.amax));
    kap_moments mx, my;
    if (e == 0 && nanx == 0 && nany == 0 && m > 0) {
        double meanx = (fx.sum + fx.comp) / (double)nx;
        double meany = (fy.sum + fy.comp) / (double)ny;
        acc dx = {0.0, 0.0}, qx = {0.0, 0.0}, dy = {0.0, 0.0}, qy = {0.0, 0.0};
        second_pair(x, xstride, y, ystride, m, meanx, meany, &dx, &qx, &dy,
                    &qy);
        second_nonan(x, xstride, m, nx, meanx, &dx, &qx);
        second_nonan(y, ystride, m, ny, meany, &dy, &qy);
        mx.n = nx;
        my.n = ny;
        mx.n_missing = my.n_missing = 0;
        second_result(meanx, nx, &dx, &qx, &mx);
        second_result(meany, ny, &dy, &qy, &my);
    } else {
        kap_moments_finish(x, xstride, nx, e, &fx, &mx);
        kap_moments_finish(y, ystride, ny, e, &fy, &my);
    }
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
        if (e != 0) { /* ldexp(v, 0) == v: no library call per value */
            u = ldexp(u, -e);
            v = ldexp(v, -e);
        }
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
        if (e != 0) { /* ldexp(v, 0) == v: no library call per value */
            u = ldexp(u, -e);
            v = ldexp(v, -e);
        }
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

/* The order statistics kap_describe reports (min, max, and R's type-7
 * quartiles and median) are exact values, so they are found by selection
 * (O(n)) instead of a full sort.  A full sort remains the reference: the
 * values picked here are the ones qsort would leave at the same positions,
 * signed zeros included (see zero_sign).  QSEL_MAX is the most positions
 * one call asks for: the lower and upper neighbour of three quantiles. */
#define QSEL_MAX 6

/* Swap helper for the three-way partition. */
static void dswap(double *s, size_t i, size_t j)
{
    double t = s[i];
    s[i] = s[j];
    s[j] = t;
}

/* Put into val[j] the value that sorting s[lo..hi) would leave at pos[j]
 * (pos ascending, all in [lo, hi)).  Three-way (Dijkstra) partition around
 * a median-of-three pivot, so long runs of tied scores end the search at
 * once; depth is bounded, and a range that exhausts it is sorted instead,
 * which keeps the worst case O(n log n) and changes no value. */
static void multiselect(double *s, size_t lo, size_t hi, const size_t *pos,
                        double *val, size_t np, int depth)
{
    while (np > 0) {
        if (hi - lo <= 16 || depth <= 0) {
            qsort(s + lo, hi - lo, sizeof *s, cmp_double);
            for (size_t j = 0; j < np; j++)
                val[j] = s[pos[j]];
            return;
        }
        depth--;
        size_t mid = lo + (hi - lo) / 2;
        double a = s[lo], b = s[mid], c = s[hi - 1], piv;
        if (a < b)
            piv = b < c ? b : (a < c ? c : a);
        else
            piv = a < c ? a : (b < c ? c : b);
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double v = s[i];
            if (v < piv)
                dswap(s, lt++, i++);
            else if (v > piv)
                dswap(s, i, --gt);
            else
                i++;
        }
        /* [lo, lt) < piv, [lt, gt) == piv, [gt, hi) > piv */
        size_t nl = 0;
        while (nl < np && pos[nl] < lt)
            nl++;
        size_t ne = nl;
        while (ne < np && pos[ne] < gt)
            val[ne++] = piv;
        if (nl > 0)
            multiselect(s, lo, lt, pos, val, nl, depth);
        pos += ne;
        val += ne;
        np -= ne;
        lo = gt;
    }
}

/* A selected value equal to zero may be -0.0 or +0.0 and the two compare
 * equal, so which one sits at sorted position p depends on the sort: the
 * reference is a stable sort (glibc's qsort merge sort), where the zeros
 * keep their input order after the negative values.  Return that zero. */
static double zero_sign(const double *x, size_t stride, size_t n, size_t p)
{
    size_t neg = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i * stride] < 0.0)
            neg++;
    size_t z = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (v == 0.0 && z++ == p - neg)
            return v;
    }
    return 0.0;
}

/* R quantile type 7 from the values at floor(h) and ceil(h). */
static double quantile7_from(double h, size_t lo, double slo, double shi)
{
    double q = slo;
    if (h > (double)lo && shi != q) {
        double f = h - (double)lo;
        q = (1.0 - f) * q + f * shi;
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

/* Mean, SD, SE and t CI of kap_describe from the moments (scaled by 2^e);
 * the note when n < 2. */
static void describe_mean_ci(kap_describe_result *out, const kap_moments *m,
                             int e, double conf_level)
{
    out->mean = ldexp(m->mean, e);
    if (m->n < 2) {
        out->note = "n < 2: SD, SE and CI undefined";
        return;
    }
    double df = (double)(m->n - 1);
    double sd = sqrt(m->ss / df);
    double se = sd / sqrt((double)m->n);
    double q = kap_qt(1.0 - 0.5 * (1.0 - conf_level), df);
    out->sd = ldexp(sd, e);
    out->se = ldexp(se, e);
    out->ci_low = ldexp(m->mean - q * se, e);
    out->ci_high = ldexp(m->mean + q * se, e);
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
    /* min is the first of equal minima and max the last of equal maxima
     * in input order, as a stable sort leaves them (matters for -0.0). */
    size_t k = 0;
    double mn = INFINITY, mxv = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (!isnan(v)) {
            s[k++] = v;
            if (v < mn)
                mn = v;
            if (v >= mxv)
                mxv = v;
        }
    }
    out->min = mn;
    out->max = mxv;
    static const double probs[3] = {0.25, 0.5, 0.75};
    double h[3];
    size_t plo[3], pos[QSEL_MAX], np = 0;
    for (int j = 0; j < 3; j++) {
        h[j] = (double)(k - 1) * probs[j];
        plo[j] = (size_t)floor(h[j]);
        size_t phi = (size_t)ceil(h[j]);
        if (np == 0 || pos[np - 1] != plo[j])
            pos[np++] = plo[j];
        if (pos[np - 1] != phi)
            pos[np++] = phi;
    }
    double val[QSEL_MAX];
    int depth = 8;
    for (size_t t = k; t > 1; t >>= 1)
        depth += 2;
    multiselect(s, 0, k, pos, val, np, depth);
    for (size_t j = 0; j < np; j++)
        if (val[j] == 0.0)
            val[j] = zero_sign(x, stride, n, pos[j]);
    double qv[3];
    for (int j = 0; j < 3; j++) {
        size_t a = 0;
        while (pos[a] != plo[j])
            a++;
        double shi = (a + 1 < np && h[j] > (double)plo[j]) ? val[a + 1]
                                                           : val[a];
        qv[j] = quantile7_from(h[j], plo[j], val[a], shi);
    }
    out->q1 = qv[0];
    out->median = qv[1];
    out->q3 = qv[2];
    kap_free(s);

    describe_mean_ci(out, &m, e, conf_level);
    return KAP_OK;
}

int kap_describe_moments(kap_describe_result *out, const double *x, size_t n,
                         double conf_level, kap_error *err)
{
    describe_nan(out, conf_level);
    kap_first_pass f;
    size_t bad = 0;
    if (kap_moments_first(x, 1, n, &f, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "kap_describe: x[%zu] is infinite",
                       bad);
    int e = kap_scale_exponent(f.amax);
    kap_moments m;
    kap_moments_finish(x, 1, n, e, &f, &m);
    out->n = m.n;
    out->n_missing = m.n_missing;
    if (m.n == 0) {
        out->note = "no non-missing values";
        return KAP_OK;
    }
    describe_mean_ci(out, &m, e, conf_level);
    return KAP_OK;
}
