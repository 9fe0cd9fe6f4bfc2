/*
 * binary.c - binary outcomes: one-proportion CIs, exact binomial test,
 * risk difference / ratio, odds ratios (Woolf, conditional MLE), Fisher's
 * exact and Pearson's chi-square tests for 2x2 tables, NNT.
 * See include/kapstats/binary.h for the methods and their references.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

/* ---- helpers ----------------------------------------------------------- */

static int valid_level(double c) { return isfinite(c) && c > 0.0 && c < 1.0; }

static int valid_alternative(kap_alternative a)
{
    return a == KAP_TWO_SIDED || a == KAP_LESS || a == KAP_GREATER;
}

/* R: qnorm((1 + conf) / 2) for two-sided, qnorm(conf) for one-sided. */
static double z_for(double conf, kap_alternative alt)
{
    return gsl_cdf_ugaussian_Pinv(alt == KAP_TWO_SIDED ? (1 + conf) / 2 : conf);
}

/* Regularised incomplete beta I_x(a, b), status checked.  GSL's
 * continued fraction gives up (GSL_EMAXITER) when both shapes exceed
 * about 10^6; that is reported, never used. */
static int beta_inc(double a, double b, double x, double *v)
{
    gsl_sf_result r;
    if (gsl_sf_beta_inc_e(a, b, x, &r) != GSL_SUCCESS || !isfinite(r.val))
        return KAP_ENUMERIC;
    *v = r.val;
    return KAP_OK;
}

/* Beta quantile: x with I_x(a, b) = p, 0 < p < 1.  Safeguarded Newton
 * (density in log space) inside a shrinking bracket, bisection fallback,
 * at most 400 steps.  (gsl_cdf_beta_Pinv is not used: it can loop for a
 * very long time with large shape parameters.) */
static int qbeta(double p, double a, double b, double *q)
{
    gsl_sf_result lb;
    if (gsl_sf_lnbeta_e(a, b, &lb) != GSL_SUCCESS)
        return KAP_ENUMERIC;
    double lo = 0, hi = 1;
    double mu = a / (a + b), sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    double x = mu + gsl_cdf_ugaussian_Pinv(p) * sd;
    if (!(x > 0 && x < 1))
        x = mu;
    for (int it = 0; it < 400; it++) {
        double F;
        if (beta_inc(a, b, x, &F))
            return KAP_ENUMERIC;
        double f = F - p;
        if (f == 0) {
            *q = x;
            return KAP_OK;
        }
        if (f < 0)
            lo = x;
        else
            hi = x;
        double ld = (a - 1) * log(x) + (b - 1) * log1p(-x) - lb.val;
        double xn = x - f / exp(ld);
        if (!(xn > lo && xn < hi))
            xn = lo == 0 ? hi / 16 : (lo + hi) / 2;   /* tiny quantiles: shrink fast */
        if (fabs(xn - x) <= 1e-15 * x || hi - lo <= 1e-15 * x) {
            *q = xn;
            return KAP_OK;
        }
        x = xn;
    }
    return KAP_ENOCONV;
}

static int check_counts(size_t e, size_t n, const char *what, kap_error *err)
{
    if (e > n)
        return kap_err(err, KAP_EINVAL, "%s: events (%zu) exceed trials (%zu)", what, e, n);
    if (n == 0)
        return kap_err(err, KAP_EDATA, "%s: no trials (n = 0)", what);
    return KAP_OK;
}

static int check_two(kap_result *out, const char *method, size_t e1, size_t n1,
                     size_t e2, size_t n2, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, method);
    if (e1 > n1 || e2 > n2)
        return kap_err(err, KAP_EINVAL, "events exceed trials (%zu/%zu, %zu/%zu)", e1, n1, e2, n2);
    if (n1 == 0 || n2 == 0)
        return kap_err(err, KAP_EDATA, "group %d has no trials (n = 0)", n1 == 0 ? 1 : 2);
    out->n1 = n1;
    out->n2 = n2;
    return KAP_OK;
}

/* Wilson score limits exactly as R's prop.test(x, n, correct = FALSE). */
static void wilson(double x, double n, double z, double *lo, double *hi)
{
    double p = x / n;
    double z22n = z * z / (2 * n);
    double u = p >= 1 ? 1
                      : (p + z22n + z * sqrt(p * (1 - p) / n + z22n / (2 * n))) / (1 + 2 * z22n);
    double l = p <= 0 ? 0
                      : (p + z22n - z * sqrt(p * (1 - p) / n + z22n / (2 * n))) / (1 + 2 * z22n);
    *lo = l > 0 ? l : 0;
    *hi = u < 1 ? u : 1;
}

/* ---- one proportion ---------------------------------------------------- */

static int prop_ci_fill(kap_result *out, size_t k, size_t n,
                        kap_prop_ci_method method, double conf,
                        kap_alternative alt)
{
    double x = (double)k, dn = (double)n;
    double lo = NAN, hi = NAN;
    int rc;
    double alpha = alt == KAP_TWO_SIDED ? (1 - conf) / 2 : 1 - conf;
    switch (method) {
    case KAP_PROP_WILSON:
        out->method = "Wilson score interval (prop.test, no continuity correction)";
        wilson(x, dn, z_for(conf, alt), &lo, &hi);
        break;
    case KAP_PROP_CLOPPER_PEARSON:
        out->method = "Clopper-Pearson exact interval (binom.test)";
        lo = 0;
        hi = 1;
        if (k > 0 && alt != KAP_LESS && (rc = qbeta(alpha, x, dn - x + 1, &lo)))
            return rc;
        if (k < n && alt != KAP_GREATER && (rc = qbeta(1 - alpha, x + 1, dn - x, &hi)))
            return rc;
        break;
    case KAP_PROP_AGRESTI_COULL: {
        out->method = "Agresti-Coull interval";
        double z = z_for(conf, alt), z2 = z * z;
        double nt = dn + z2, pt = (x + z2 / 2) / nt;
        double h = z * sqrt(pt * (1 - pt) / nt);
        lo = pt - h;
        hi = pt + h;
        /* One-sided at conf_level < 0.5 makes z (and h) negative, so either
         * limit can leave [0, 1] on either side (found by fuzzing: 8 of
         * 255, "less", conf_level 1e-10 gave [0, -0.013]): clamp both. */
        if (lo < 0 || lo > 1 || hi < 0 || hi > 1) {
            out->note = "Agresti-Coull limit truncated to [0, 1]";
            lo = lo < 0 ? 0 : lo > 1 ? 1 : lo;
            hi = hi < 0 ? 0 : hi > 1 ? 1 : hi;
        }
        break;
    }
    case KAP_PROP_JEFFREYS:
        out->method = "Jeffreys interval (Beta(k+1/2, n-k+1/2) quantiles)";
        lo = 0;
        hi = 1;
        if (k > 0 && alt != KAP_LESS && (rc = qbeta(alpha, x + 0.5, dn - x + 0.5, &lo)))
            return rc;
        if (k < n && alt != KAP_GREATER && (rc = qbeta(1 - alpha, x + 0.5, dn - x + 0.5, &hi)))
            return rc;
        break;
    }
    if (alt == KAP_LESS)
        lo = 0;
    else if (alt == KAP_GREATER)
        hi = 1;
    out->estimate = x / dn;
    out->ci_low = lo;
    out->ci_high = hi;
    out->conf_level = conf;
    out->n1 = n;
    return KAP_OK;
}

int kap_binary_prop_ci(kap_result *out, size_t k, size_t n,
                       kap_prop_ci_method method, double conf_level,
                       kap_alternative alternative, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, "proportion CI");
    if (method != KAP_PROP_WILSON && method != KAP_PROP_CLOPPER_PEARSON &&
        method != KAP_PROP_AGRESTI_COULL && method != KAP_PROP_JEFFREYS)
        return kap_err(err, KAP_EINVAL, "bad proportion CI method %d", (int)method);
    if (!valid_level(conf_level))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (!valid_alternative(alternative))
        return kap_err(err, KAP_EINVAL, "bad alternative %d", (int)alternative);
    int rc = check_counts(k, n, "proportion", err);
    if (rc)
        return rc;
    rc = prop_ci_fill(out, k, n, method, conf_level, alternative);
    if (rc) {
        kap_result_init(out, out->method);
        return kap_err(err, rc, "beta quantile failed (n too large for GSL's incomplete beta?)");
    }
    return KAP_OK;
}

/* ---- binomial probabilities ---------------------------------------------
 * Loader (2000), "Fast and accurate computation of binomial
 * probabilities": the saddle-point form keeps full relative precision for
 * any n (lnchoose-based forms lose ~n * eps).  This is the method of R's
 * dbinom; the code below is written from the paper. */

/* log(n!) - log(sqrt(2 pi n) (n/e)^n) for integer n >= 0 (n = 0: 0 by
 * convention, unused). */
static double stirlerr(double n)
{
    if (n <= 15) {
        if (n == 0)
            return 0;
        gsl_sf_result r;
        if (gsl_sf_lnfact_e((unsigned)n, &r) != GSL_SUCCESS)
            return NAN;
        return r.val - (n + 0.5) * log(n) + n - 0.5 * log(2 * M_PI);
    }
    const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680,
                 S4 = 1.0 / 1188;
    double nn = n * n;
    if (n > 500)
        return (S0 - S1 / nn) / n;
    if (n > 80)
        return (S0 - (S1 - S2 / nn) / nn) / n;
    if (n > 35)
        return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
    return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/* Deviance term x log(x / np) + np - x, without cancellation near x = np. */
static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np), s = (x - np) * v, ej = 2 * x * v, v2 = v * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v2;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return x * log(x / np) + np - x;
}

/* P(X = x), X ~ binomial(n, p), 0 < p < 1, integer 0 <= x <= n. */
static double dbinom(double x, double n, double p)
{
    double q = 1 - p;
    if (x == 0)
        return exp(p < 0.1 ? -bd0(n, n * q) - n * p : n * log1p(-p));
    if (x == n)
        return exp(q < 0.1 ? -bd0(n, n * p) - n * q : n * log(p));
    double lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    double lf = log(2 * M_PI) + log(x) + log1p(-x / n);
    return exp(lc - 0.5 * lf);
}

/* Sum of P(X = i) from i = from towards `dir` (-1: down to 0, +1: up to
 * n), by the exact term ratio, until the terms no longer count. */
static double binom_sum(double from, double n, double p, int dir)
{
    double t = dbinom(from, n, p), s = 0, odds = p / (1 - p);
    for (double i = from; i >= 0 && i <= n; i += dir) {
        s += t;
        if (t <= s * 1e-17)
            break;
        /* P(i-1)/P(i) = i / ((n - i + 1) odds); P(i+1)/P(i) = (n - i) odds / (i + 1) */
        t *= dir < 0 ? i / ((n - i + 1) * odds) : (n - i) * odds / (i + 1);
        if (t == 0)
            break;
    }
    return s;
}

/* P(X <= q): sums the smaller tail (the one away from the mean). */
static double pbinom_le(double q, double n, double p)
{
    if (q < 0)
        return 0;
    if (q >= n)
        return 1;
    if (q < n * p)
        return binom_sum(q, n, p, -1);
    return 1 - binom_sum(q + 1, n, p, +1);
}

/* P(X > q). */
static double pbinom_gt(double q, double n, double p)
{
    if (q < 0)
        return 1;
    if (q >= n)
        return 0;
    if (q + 1 > n * p)
        return binom_sum(q + 1, n, p, +1);
    return 1 - binom_sum(q, n, p, -1);
}

int kap_binary_binom_test(kap_result *out, size_t k, size_t n, double p0,
                          kap_alternative alternative, double conf_level,
                          kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, "Exact binomial test");
    if (!valid_level(conf_level))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (!valid_alternative(alternative))
        return kap_err(err, KAP_EINVAL, "bad alternative %d", (int)alternative);
    if (!(p0 >= 0 && p0 <= 1))
        return kap_err(err, KAP_EINVAL, "p0 must be in [0, 1]");
    int rc = check_counts(k, n, "binomial test", err);
    if (rc)
        return rc;
    if (n > 4294967295u)
        return kap_err(err, KAP_EINVAL, "n too large for the binomial test");
    double x = (double)k, dn = (double)n, pv = NAN;
    switch (alternative) {
    case KAP_LESS:
        if (p0 == 0 || p0 == 1)
            pv = (p0 == 0 || k == n) ? 1 : 0;
        else
            pv = pbinom_le(x, dn, p0);
        break;
    case KAP_GREATER:
        if (p0 == 0 || p0 == 1)
            pv = (p0 == 1 || k == 0) ? 1 : 0;
        else
            pv = pbinom_gt(x - 1, dn, p0);
        break;
    default:
        if (p0 == 0) {
            pv = k == 0;
        } else if (p0 == 1) {
            pv = k == n;
        } else {
            const double rel = 1 + 1e-7;
            double m = dn * p0;
            double d = dbinom(x, dn, p0);
            if (x == m) {
                pv = 1;
            } else if (x < m) {
                /* R counts the i >= ceil(m) with dbinom(i) <= d (1 + 1e-7);
                 * the pmf is non-increasing there, so those i form a tail
                 * [i0, n]: binary search instead of R's O(n) scan. */
                double a = ceil(m), b = dn + 1;
                while (a < b) {
                    double mid = floor((a + b) / 2);
                    if (dbinom(mid, dn, p0) <= d * rel)
                        b = mid;
                    else
                        a = mid + 1;
                }
                double y = dn + 1 - a;
                pv = pbinom_le(x, dn, p0) + pbinom_gt(dn - y, dn, p0);
            } else {
                /* non-decreasing on [0, floor(m)]: the i counted form [0, i1] */
                double a = -1, b = floor(m);
                while (a < b) {
                    double mid = ceil((a + b) / 2);
                    if (dbinom(mid, dn, p0) <= d * rel)
                        a = mid;
                    else
                        b = mid - 1;
                }
                double y = a + 1;
                pv = pbinom_le(y - 1, dn, p0) + pbinom_gt(x - 1, dn, p0);
            }
            /* Two tails that cover the whole support sum to 1 up to
             * rounding, which can exceed 1 by an ulp (found by fuzzing:
             * 37 of 39, p0 = 0.95; R gives exactly 1). */
            if (pv > 1.0)
                pv = 1.0;
        }
    }
    if (!isfinite(pv))
        return kap_err(err, KAP_ENUMERIC, "binomial probabilities failed");
    rc = prop_ci_fill(out, k, n, KAP_PROP_CLOPPER_PEARSON, conf_level, alternative);
    out->method = "Exact binomial test (Clopper-Pearson CI)";
    if (rc) {
        kap_result_init(out, "Exact binomial test");
        return kap_err(err, rc, "beta quantile failed");
    }
    out->p_value = pv;
    out->statistic = x;
    return KAP_OK;
}

/* ---- risk difference, ratio, odds ratio -------------------------------- */

int kap_binary_risk_difference(kap_result *out, size_t e1, size_t n1,
                               size_t e2, size_t n2, kap_rd_ci_method method,
                               double conf_level, kap_error *err)
{
    int rc = check_two(out, "Risk difference", e1, n1, e2, n2, err);
    if (rc)
        return rc;
    if (method != KAP_RD_NEWCOMBE && method != KAP_RD_WALD) {
        kap_result_init(out, "Risk difference");
        return kap_err(err, KAP_EINVAL, "bad risk-difference CI method %d", (int)method);
    }
    if (!valid_level(conf_level)) {
        kap_result_init(out, "Risk difference");
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    }
    double a = (double)e1, b = (double)e2, m1 = (double)n1, m2 = (double)n2;
    double p1 = a / m1, p2 = b / m2, d = p1 - p2;
    double z = z_for(conf_level, KAP_TWO_SIDED);
    out->estimate = d;
    out->conf_level = conf_level;
    if (method == KAP_RD_NEWCOMBE) {
        out->method = "Risk difference, Newcombe hybrid score CI (method 10)";
        double l1, u1, l2, u2;
        wilson(a, m1, z, &l1, &u1);
        wilson(b, m2, z, &l2, &u2);
        out->ci_low = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
        out->ci_high = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
    } else {
        out->method = "Risk difference, Wald CI";
        double se = sqrt(p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2);
        out->se = se;
        double lo = d - z * se, hi = d + z * se;
        if (lo < -1 || hi > 1) {
            out->note = "Wald limit truncated to [-1, 1]";
            lo = lo < -1 ? -1 : lo;
            hi = hi > 1 ? 1 : hi;
        }
        if (se == 0)
            out->note = "Wald standard error is zero (all or no events in both groups)";
        out->ci_low = lo;
        out->ci_high = hi;
    }
    return KAP_OK;
}

int kap_binary_risk_ratio(kap_result *out, size_t e1, size_t n1, size_t e2,
                          size_t n2, double conf_level, kap_error *err)
{
    int rc = check_two(out, "Risk ratio, log (Katz) CI", e1, n1, e2, n2, err);
    if (rc)
        return rc;
    if (!valid_level(conf_level)) {
        kap_result_init(out, "Risk ratio, log (Katz) CI");
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    }
    double a = (double)e1, b = (double)e2, m1 = (double)n1, m2 = (double)n2;
    out->conf_level = conf_level;
    if (e1 == 0 && e2 == 0) {
        out->note = "no events in either group: risk ratio undefined";
        return KAP_OK;
    }
    out->estimate = (a * m2) / (b * m1);  /* 0 or +inf with one zero */
    if (e1 == 0 || e2 == 0) {
        out->note = "no events in one group: log CI undefined (no continuity correction)";
        return KAP_OK;
    }
    double se = sqrt((m1 - a) / (a * m1) + (m2 - b) / (b * m2));
    double z = z_for(conf_level, KAP_TWO_SIDED), l = log(out->estimate);
    out->se = se;
    out->ci_low = exp(l - z * se);
    out->ci_high = exp(l + z * se);
    return KAP_OK;
}

int kap_binary_odds_ratio(kap_result *out, size_t e1, size_t n1, size_t e2,
                          size_t n2, double conf_level, kap_error *err)
{
    int rc = check_two(out, "Odds ratio, Woolf logit CI", e1, n1, e2, n2, err);
    if (rc)
        return rc;
    if (!valid_level(conf_level)) {
        kap_result_init(out, "Odds ratio, Woolf logit CI");
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    }
    double a = (double)e1, b = (double)(n1 - e1), c = (double)e2, d = (double)(n2 - e2);
    out->conf_level = conf_level;
    double num = a * d, den = b * c;
    if (num == 0 && den == 0) {
        out->note = "odds ratio undefined (0/0): no events, or only events, in both groups, "
                    "or a zero row/column pattern";
        return KAP_OK;
    }
    out->estimate = num / den;
    if (a == 0 || b == 0 || c == 0 || d == 0) {
        out->note = "a zero cell: Woolf CI undefined (no continuity correction)";
        return KAP_OK;
    }
    double se = sqrt(1 / a + 1 / b + 1 / c + 1 / d);
    double z = z_for(conf_level, KAP_TWO_SIDED), l = log(out->estimate);
    out->se = se;
    out->ci_low = exp(l - z * se);
    out->ci_high = exp(l + z * se);
    return KAP_OK;
}

/* ---- Fisher's exact test, conditional MLE ------------------------------
 * X = e1 given all margins: support lo..hi, P(X = s; psi) proportional to
 * choose(m, s) choose(n, k - s) psi^s with m = e1 + e2 (events),
 * n = non-events, k = n1.  Work in theta = log psi. */
typedef struct {
    double *logdc;   /* log choose(m, s) + log choose(n, k - s), computed
                      * when first needed (NaN until then) */
    double *w;       /* normalised probabilities at the current theta;
                      * only w[a..b) is written: every other one is 0 */
    size_t len;
    size_t a, b;     /* window of the terms that do not underflow */
    size_t mode;     /* index of the largest term at the last theta */
    double lo;       /* support value of index 0 */
    unsigned m, nn, k;
    int bad;         /* gsl_sf_lnchoose failed */
} nhyper;

/* exp(x) is exactly 0 in double for x below -745.14 (half the smallest
 * subnormal); below this bound any faithful exp returns 0, so those terms
 * are not evaluated.  On large tables most of the support is there, and
 * exp's underflow path (errno, scaling) dominated the cost. */
#define NH_EXP_ZERO (-750.0)
/* The window search stops NH_REACH below the largest term found; the
 * margin over NH_EXP_ZERO absorbs the rounding of logdc (see nh_eval). */
#define NH_REACH (-800.0)

static double nh_logdc(nhyper *h, size_t i)
{
    double v = h->logdc[i];
    if (isnan(v)) {
        unsigned s = (unsigned)(h->lo + (double)i);
        gsl_sf_result r1, r2;
        if (gsl_sf_lnchoose_e(h->m, s, &r1) != GSL_SUCCESS ||
            gsl_sf_lnchoose_e(h->nn, h->k - s, &r2) != GSL_SUCCESS) {
            h->bad = 1;
            return 0.0;
        }
        v = h->logdc[i] = r1.val + r2.val;
    }
    return v;
}

/* log of the unnormalised term i at theta; one expression for all uses */
static double nh_v(nhyper *h, double theta, size_t i)
{
    return nh_logdc(h, i) + theta * (h->lo + (double)i);
}

/* Normalised probabilities at theta into h->w[h->a .. h->b).  The values
 * are those of exp(v - max) / sum in index order over the whole support,
 * max the largest v: the skipped terms are exactly +0, adding +0 to a sum
 * changes nothing and 0 / s is 0, so the window gives the same bits.
 *
 * Finding the window without evaluating the whole support: v(s) is
 * concave in s (the noncentral hypergeometric is log-concave), and the
 * computed v differs from it by a rounding error E far below 1 (a few ulp
 * of lnchoose).  Climb from the last mode to a local maximum p0 (within
 * 2E of the true maximum), then extend each way until v < v(p0) - 800.
 * Past such a point q the true v decreases (concavity, v(q) < v(p0)), so
 * every term beyond is below max - 800 + 2E < max - 750: exp gives 0 for
 * it exactly as it would have.  The max itself is inside the window. */
static void nh_eval(nhyper *h, double theta)
{
    size_t p = h->mode, len = h->len;
    double vp = nh_v(h, theta, p);
    while (p + 1 < len) {
        double vn = nh_v(h, theta, p + 1);
        if (!(vn > vp))
            break;
        p++;
        vp = vn;
    }
    while (p > 0) {
        double vn = nh_v(h, theta, p - 1);
        if (!(vn > vp))
            break;
        p--;
        vp = vn;
    }
    double stop = vp + NH_REACH;
    size_t a = p, b = p + 1;
    while (a > 0 && nh_v(h, theta, a - 1) >= stop)
        a--;
    while (b < len && nh_v(h, theta, b) >= stop)
        b++;
    double mx = -INFINITY;
    size_t at = p;
    for (size_t i = a; i < b; i++) {
        double v = nh_v(h, theta, i);
        h->w[i] = v;
        if (v > mx) {
            mx = v;
            at = i;
        }
    }
    h->mode = at;
    while (a < b && h->w[a] - mx < NH_EXP_ZERO)
        a++;
    while (b > a && h->w[b - 1] - mx < NH_EXP_ZERO)
        b--;
    h->a = a;
    h->b = b;
    double s = 0;
    for (size_t i = a; i < b; i++) {
        double d = h->w[i] - mx;
        h->w[i] = d < NH_EXP_ZERO ? 0.0 : exp(d);
        s += h->w[i];
    }
    for (size_t i = a; i < b; i++)
        h->w[i] /= s;
}

/* Quantity solved for: 0 = mean, 1 = P(X >= x), 2 = P(X <= x); value and
 * derivative with respect to theta.  Sums run over the window of nh_eval:
 * outside it every term is +0 or -0 and the sums start at +0, so they
 * would not change a bit. */
static void nh_quantity(nhyper *h, double theta, int what, double x, double *val,
                        double *deriv)
{
    nh_eval(h, theta);
    double mean = 0;
    for (size_t i = h->a; i < h->b; i++)
        mean += (h->lo + (double)i) * h->w[i];
    double v = 0, dv = 0;
    for (size_t i = h->a; i < h->b; i++) {
        double s = h->lo + (double)i, dev = s - mean;
        if (what == 0) {
            dv += dev * dev * h->w[i];
        } else if ((what == 1 && s >= x) || (what == 2 && s <= x)) {
            v += h->w[i];
            dv += dev * h->w[i];
        }
    }
    *val = what == 0 ? mean : v;
    *deriv = dv;  /* d/dtheta E[1{..}] = Cov(1{..}, X) */
}

/* Solve quantity(theta) = target; the quantity is increasing in theta for
 * what = 0, 1 and decreasing for what = 2.  Safeguarded Newton inside an
 * expanding bracket; theta accurate to ~1e-12. */
static int nh_solve(nhyper *h, int what, double x, double target,
                    double *theta_out)
{
    double sgn = what == 2 ? -1 : 1;
    double a = -1, b = 1, fa, fb, d;
    int k;
    for (k = 0; k < 60; k++) {
        nh_quantity(h, a, what, x, &fa, &d);
        if (sgn * (fa - target) < 0)
            break;
        a *= 2;
    }
    if (k == 60)
        return KAP_ENOCONV;
    for (k = 0; k < 60; k++) {
        nh_quantity(h, b, what, x, &fb, &d);
        if (sgn * (fb - target) > 0)
            break;
        b *= 2;
    }
    if (k == 60)
        return KAP_ENOCONV;
    double t = (a < 0 && b > 0) ? 0 : (a + b) / 2;
    for (int it = 0; it < 500; it++) {
        double f, df;
        nh_quantity(h, t, what, x, &f, &df);
        f = sgn * (f - target);
        df = sgn * df;
        if (f == 0) {
            *theta_out = t;
            return KAP_OK;
        }
        if (f < 0)
            a = t;
        else
            b = t;
        double tn = df > 0 ? t - f / df : NAN;
        if (!(tn > a && tn < b))
            tn = (a + b) / 2;
        if (fabs(tn - t) <= 1e-13 * (1 + fabs(t)) || b - a <= 1e-13 * (1 + fabs(t))) {
            *theta_out = tn;
            return KAP_OK;
        }
        t = tn;
    }
    return KAP_ENOCONV;
}

int kap_binary_fisher(kap_result *out, size_t e1, size_t n1, size_t e2,
                      size_t n2, kap_alternative alternative,
                      double conf_level, kap_error *err)
{
    const char *method = "Fisher's exact test (conditional MLE odds ratio, exact CI)";
    int rc = check_two(out, method, e1, n1, e2, n2, err);
    if (rc)
        return rc;
    if (!valid_level(conf_level) || !valid_alternative(alternative)) {
        kap_result_init(out, method);
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1) and alternative valid");
    }
    /* The margins m = e1 + e2 and nn are passed to gsl_sf_lnchoose as
     * unsigned int: the total must fit, or they would be truncated (found
     * by tests/test_hostile.c: n1 = n2 = 4e9 gave KAP_ENUMERIC "gsl_sf_lnchoose
     * failed" after allocating the support). */
    if (n1 > 4294967295u || n2 > 4294967295u - n1) {
        kap_result_init(out, method);
        return kap_err(err, KAP_EINVAL, "counts too large (n1 + n2 must be below 2^32)");
    }
    size_t m = e1 + e2, nn = (n1 - e1) + (n2 - e2), k = n1;
    size_t lo = k > nn ? k - nn : 0, hi = k < m ? k : m;
    nhyper h;
    h.len = hi - lo + 1;
    h.lo = (double)lo;
    h.logdc = kap_malloc_array(h.len, sizeof(double));
    h.w = kap_malloc_array(h.len, sizeof(double));
    if (!h.logdc || !h.w) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < h.len; i++)
        h.logdc[i] = NAN;
    h.m = (unsigned)m;
    h.nn = (unsigned)nn;
    h.k = (unsigned)k;
    h.bad = 0;
    h.mode = e1 - lo;
    double x = (double)e1;
    size_t xi = e1 - lo;
    /* p-value at psi = 1 */
    nh_eval(&h, 0.0);
    /* terms outside the window [h.a, h.b) are +0 and add nothing */
    double pv = 0;
    if (alternative == KAP_LESS) {
        for (size_t i = h.a; i <= xi && i < h.b; i++)
            pv += h.w[i];
    } else if (alternative == KAP_GREATER) {
        for (size_t i = xi > h.a ? xi : h.a; i < h.b; i++)
            pv += h.w[i];
    } else {
        double dx = (xi >= h.a && xi < h.b ? h.w[xi] : 0.0) * (1 + 1e-7);
        for (size_t i = h.a; i < h.b; i++)
            if (h.w[i] <= dx)
                pv += h.w[i];
    }
    /* pv sums normalised probabilities: rounding can take it an ulp or two
     * past 1 (found by fuzzing: 15/32 vs 0/4992, "less").  R clamps the
     * same way for r x c tables: max(0, min(1, PVAL)). */
    if (h.bad) {
        rc = kap_err(err, KAP_ENUMERIC, "gsl_sf_lnchoose failed");
        goto fail;
    }
    out->p_value = pv > 1.0 ? 1.0 : pv;
    out->conf_level = conf_level;
    /* conditional MLE */
    double th;
    if (lo == hi) {
        out->estimate = NAN;
        out->note = "conditional MLE undefined: the table margins allow one table only "
                    "(no events or only events)";
    } else if (e1 == lo) {
        out->estimate = 0;
    } else if (e1 == hi) {
        out->estimate = INFINITY;
    } else {
        if ((rc = nh_solve(&h, 0, x, x, &th))) {
            rc = kap_err(err, rc, "conditional MLE did not converge");
            goto fail;
        }
        out->estimate = exp(th);
    }
    /* exact conditional limits */
    double alpha = alternative == KAP_TWO_SIDED ? (1 - conf_level) / 2 : 1 - conf_level;
    double L = 0, U = INFINITY;
    if (alternative != KAP_LESS && e1 != lo) {
        if ((rc = nh_solve(&h, 1, x, alpha, &th))) {
            rc = kap_err(err, rc, "exact lower limit did not converge");
            goto fail;
        }
        L = exp(th);
    }
    if (alternative != KAP_GREATER && e1 != hi) {
        if ((rc = nh_solve(&h, 2, x, alpha, &th))) {
            rc = kap_err(err, rc, "exact upper limit did not converge");
            goto fail;
        }
        U = exp(th);
    }
    if (h.bad) {
        rc = kap_err(err, KAP_ENUMERIC, "gsl_sf_lnchoose failed");
        goto fail;
    }
    out->ci_low = L;
    out->ci_high = U;
    kap_free(h.logdc);
    kap_free(h.w);
    return KAP_OK;
fail:
    kap_free(h.logdc);
    kap_free(h.w);
    kap_result_init(out, method);
    return rc;
}

/* ---- chi-square -------------------------------------------------------- */

int kap_binary_chisq(kap_result *out, size_t e1, size_t n1, size_t e2,
                     size_t n2, int correct, kap_error *err)
{
    int rc = check_two(out, "Pearson's Chi-squared test", e1, n1, e2, n2, err);
    if (rc)
        return rc;
    double o[4] = {(double)e1, (double)(n1 - e1), (double)e2, (double)(n2 - e2)};
    double r[2] = {(double)n1, (double)n2};
    double c[2] = {o[0] + o[2], o[1] + o[3]};
    double n = r[0] + r[1];
    double E[4], yates = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            E[2 * i + j] = r[i] * c[j] / n;
    if (correct) {
        yates = 0.5;
        for (int t = 0; t < 4; t++)
            if (fabs(o[t] - E[t]) < yates)
                yates = fabs(o[t] - E[t]);
        if (yates > 0)
            out->method = "Pearson's Chi-squared test with Yates' continuity correction";
    }
    double stat = 0;
    for (int t = 0; t < 4; t++) {
        double dv = fabs(o[t] - E[t]) - yates;
        stat += dv * dv / E[t];
    }
    out->df = 1;
    if (c[0] == 0 || c[1] == 0) {
        out->statistic = NAN;
        out->p_value = NAN;
        out->note = "a zero margin (no events or only events): expected count 0, statistic undefined";
        return KAP_OK;
    }
    out->statistic = stat;
    out->p_value = gsl_cdf_chisq_Q(stat, 1.0);
    return KAP_OK;
}

/* ---- NNT --------------------------------------------------------------- */

static void nnt_init(kap_nnt *o)
{
    o->rd = o->rd_low = o->rd_high = o->conf_level = NAN;
    o->kind = KAP_NNT_UNDEFINED;
    o->nnt = NAN;
    o->ci_kind = KAP_NNT_CI_UNDEFINED;
    o->nntb_low = o->nntb_high = o->nnth_low = o->nnth_high = NAN;
    o->method = "Number needed to treat, 1/RD with the inverted RD CI (Altman 1998)";
    o->note = NULL;
}

int kap_binary_nnt_from_rd(kap_nnt *out, double rd, double rd_low,
                           double rd_high, double conf_level,
                           kap_event_kind event, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    nnt_init(out);
    if (event != KAP_EVENT_BENEFICIAL && event != KAP_EVENT_HARMFUL)
        return kap_err(err, KAP_EINVAL, "bad event kind %d", (int)event);
    if (!valid_level(conf_level))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (fabs(rd) > 1 || fabs(rd_low) > 1 || fabs(rd_high) > 1 || rd_low > rd_high)
        return kap_err(err, KAP_EINVAL, "risk difference and its CI must lie in [-1, 1], low <= high");
    out->rd = rd;
    out->rd_low = rd_low;
    out->rd_high = rd_high;
    out->conf_level = conf_level;
    double sg = event == KAP_EVENT_BENEFICIAL ? 1 : -1;
    /* benefit difference and its CI */
    double b = sg * rd;
    double bl = event == KAP_EVENT_BENEFICIAL ? rd_low : -rd_high;
    double bu = event == KAP_EVENT_BENEFICIAL ? rd_high : -rd_low;
    if (isnan(b)) {
        out->note = "risk difference is NaN";
    } else if (b > 0) {
        out->kind = KAP_NNT_BENEFIT;
        out->nnt = 1 / b;
    } else if (b < 0) {
        out->kind = KAP_NNT_HARM;
        out->nnt = -1 / b;
    } else {
        out->kind = KAP_NNT_NONE;
        out->nnt = INFINITY;
    }
    if (isnan(bl) || isnan(bu)) {
        if (!out->note)
            out->note = "risk difference CI is NaN";
    } else if (bl == 0 && bu == 0) {
        out->ci_kind = KAP_NNT_CI_NONE;
    } else if (bl >= 0) {
        out->ci_kind = KAP_NNT_CI_BENEFIT;
        out->nntb_low = 1 / bu;
        out->nntb_high = bl > 0 ? 1 / bl : INFINITY;
    } else if (bu <= 0) {
        out->ci_kind = KAP_NNT_CI_HARM;
        out->nnth_low = -1 / bl;
        out->nnth_high = bu < 0 ? -1 / bu : INFINITY;
    } else {
        out->ci_kind = KAP_NNT_CI_CROSSES;
        out->nnth_low = -1 / bl;
        out->nnth_high = INFINITY;
        out->nntb_low = 1 / bu;
        out->nntb_high = INFINITY;
    }
    return KAP_OK;
}

int kap_binary_nnt(kap_nnt *out, size_t e1, size_t n1, size_t e2, size_t n2,
                   kap_event_kind event, kap_rd_ci_method method,
                   double conf_level, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    nnt_init(out);
    kap_result rd;
    int rc = kap_binary_risk_difference(&rd, e1, n1, e2, n2, method, conf_level, err);
    if (rc)
        return rc;
    rc = kap_binary_nnt_from_rd(out, rd.estimate, rd.ci_low, rd.ci_high, conf_level, event, err);
    if (rc == KAP_OK)
        out->method = method == KAP_RD_NEWCOMBE
                          ? "Number needed to treat, inverted Newcombe hybrid score RD CI (Altman 1998)"
                          : "Number needed to treat, inverted Wald RD CI (Altman 1998)";
    return rc;
}

/* Appends to buf at *pos; returns 0, or -1 once truncated. */
static int nnt_put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int nnt_put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = kap_vsnprintf(buf + *pos, size - *pos, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= size - *pos) {
        *pos = size - 1;
        return -1;
    }
    *pos += (size_t)w;
    return 0;
}

static int nnt_num(char *buf, size_t size, size_t *pos, double v, int digits)
{
    if (isinf(v))
        return nnt_put(buf, size, pos, "infinity");
    return nnt_put(buf, size, pos, "%.*f", digits, v);
}

int kap_binary_nnt_format(char *buf, size_t size, const kap_nnt *nnt,
                          int digits, kap_error *err)
{
    if (!buf || size == 0 || !nnt)
        return kap_err(err, KAP_EINVAL, "NULL buffer or nnt");
    if (digits < 0 || digits > 6)
        return kap_err(err, KAP_EINVAL, "digits must be 0..6");
    buf[0] = '\0';
    size_t pos = 0;
    int bad = 0;
    switch (nnt->kind) {
    case KAP_NNT_BENEFIT:
        bad |= nnt_put(buf, size, &pos, "NNTB ");
        bad |= nnt_num(buf, size, &pos, nnt->nnt, digits);
        break;
    case KAP_NNT_HARM:
        bad |= nnt_put(buf, size, &pos, "NNTH ");
        bad |= nnt_num(buf, size, &pos, nnt->nnt, digits);
        break;
    case KAP_NNT_NONE:
        bad |= nnt_put(buf, size, &pos, "NNT infinity");
        break;
    default:
        bad |= nnt_put(buf, size, &pos, "NNT undefined");
        break;
    }
    if (!bad && nnt->ci_kind != KAP_NNT_CI_UNDEFINED) {
        bad |= nnt_put(buf, size, &pos, " (%g%% CI ", 100 * nnt->conf_level);
        switch (nnt->ci_kind) {
        case KAP_NNT_CI_BENEFIT:
        case KAP_NNT_CI_HARM: {
            double a = nnt->ci_kind == KAP_NNT_CI_BENEFIT ? nnt->nntb_low : nnt->nnth_low;
            double b = nnt->ci_kind == KAP_NNT_CI_BENEFIT ? nnt->nntb_high : nnt->nnth_high;
            /* name the side when it differs from the point estimate's */
            int same = (nnt->ci_kind == KAP_NNT_CI_BENEFIT && nnt->kind == KAP_NNT_BENEFIT) ||
                       (nnt->ci_kind == KAP_NNT_CI_HARM && nnt->kind == KAP_NNT_HARM);
            if (!same)
                bad |= nnt_put(buf, size, &pos, "%s ",
                               nnt->ci_kind == KAP_NNT_CI_BENEFIT ? "NNTB" : "NNTH");
            bad |= nnt_num(buf, size, &pos, a, digits);
            bad |= nnt_put(buf, size, &pos, " to ");
            bad |= nnt_num(buf, size, &pos, b, digits);
            break;
        }
        case KAP_NNT_CI_CROSSES:
            bad |= nnt_put(buf, size, &pos, "NNTH ");
            bad |= nnt_num(buf, size, &pos, nnt->nnth_low, digits);
            bad |= nnt_put(buf, size, &pos, " to infinity to NNTB ");
            bad |= nnt_num(buf, size, &pos, nnt->nntb_low, digits);
            break;
        default:
            bad |= nnt_put(buf, size, &pos, "infinity to infinity");
            break;
        }
        bad |= nnt_put(buf, size, &pos, ")");
    }
    if (bad)
        return kap_err(err, KAP_EINVAL, "buffer too small for the NNT text");
    return KAP_OK;
}
