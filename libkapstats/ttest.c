/*
 * ttest.c - one-sample, paired and two-sample (Welch, Student) t tests,
 * following R 4.2 stats:::t.test.default step by step.
 */
#include "descriptive_internal.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

static const kap_ttest_options default_options = KAP_TTEST_OPTIONS_INIT;

static int check_options(const kap_ttest_options **opt, const char *fn,
                         kap_error *err)
{
    if (!*opt)
        *opt = &default_options;
    const kap_ttest_options *o = *opt;
    if (o->version != KAP_TTEST_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "%s: options version %u, expected %u",
                       fn, o->version, (unsigned)KAP_TTEST_OPTIONS_VERSION);
    if (o->alternative != KAP_TWO_SIDED && o->alternative != KAP_LESS &&
        o->alternative != KAP_GREATER)
        return kap_err(err, KAP_EINVAL, "%s: unknown alternative %d", fn,
                       (int)o->alternative);
    if (!(o->conf_level > 0.0 && o->conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "%s: conf_level must be in (0, 1)",
                       fn);
    if (!isfinite(o->mu))
        return kap_err(err, KAP_EINVAL, "%s: mu must be finite", fn);
    return KAP_OK;
}

/* Test statistic, p-value and CI from the scaled estimate and SE.
 * center: largest |mean| involved (scaled), for R's constancy check. */
static void t_finish(kap_result *out, double est, double se, double df,
                     double center, int e, const kap_ttest_options *o)
{
    out->estimate = ldexp(est, e);
    out->se = ldexp(se, e);
    out->df = df;
    out->conf_level = o->conf_level;
    if (!(se > 0.0) || se < 10.0 * DBL_EPSILON * center) {
        out->note = "data are essentially constant (standard error ~ 0): "
                    "t, p-value and CI undefined";
        return;
    }
    double mu = ldexp(o->mu, -e);
    double t = (est - mu) / se;
    out->statistic = t;
    double lo, hi;
    switch (o->alternative) {
    case KAP_LESS:
        out->p_value = gsl_cdf_tdist_P(t, df);
        lo = -INFINITY;
        hi = ldexp(mu + (t + kap_qt(o->conf_level, df)) * se, e);
        break;
    case KAP_GREATER:
        out->p_value = gsl_cdf_tdist_Q(t, df);
        lo = ldexp(mu + (t - kap_qt(o->conf_level, df)) * se, e);
        hi = INFINITY;
        break;
    default: {
        out->p_value = 2.0 * gsl_cdf_tdist_P(-fabs(t), df);
        double q = kap_qt(1.0 - 0.5 * (1.0 - o->conf_level), df);
        lo = ldexp(mu + (t - q) * se, e);
        hi = ldexp(mu + (t + q) * se, e);
        break;
    }
    }
    out->ci_low = lo;
    out->ci_high = hi;
}

/* The two-sample test from the summary (scaled units, exponent s->scale). */
static void ttest_two_core(kap_result *out, const kap_two_summary *s,
                           const kap_ttest_options *opt)
{
    int e = s->scale;
    out->n1 = s->n1;
    out->n2 = s->n2;
    out->conf_level = opt->conf_level;
    size_t need = opt->var_equal ? 1 : 2;
    if (s->n1 < need || s->n2 < need ||
        (opt->var_equal && s->n1 + s->n2 < 3)) {
        if (s->n1 > 0 && s->n2 > 0)
            out->estimate = ldexp(s->mean1 - s->mean2, e);
        out->note = opt->var_equal
                        ? "not enough observations (need n1, n2 >= 1 and "
                          "n1 + n2 >= 3)"
                        : "not enough observations (need n1, n2 >= 2)";
        return;
    }
    double n1 = (double)s->n1, n2 = (double)s->n2;
    double est = s->mean1 - s->mean2, se, df;
    if (opt->var_equal) {
        df = n1 + n2 - 2.0;
        double v = (s->ss1 + s->ss2) / df;
        se = sqrt(v * (1.0 / n1 + 1.0 / n2));
    } else {
        double sx2 = s->ss1 / (n1 - 1.0) / n1, sy2 = s->ss2 / (n2 - 1.0) / n2;
        se = sqrt(sx2 + sy2);
        double m = fmax(sx2, sy2);
        if (m > 0.0) {
            double a = sx2 / m, b = sy2 / m;
            df = (a + b) * (a + b) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
        } else {
            df = NAN;
        }
    }
    t_finish(out, est, se, df, fmax(fabs(s->mean1), fabs(s->mean2)), e, opt);
}

static const char *two_method(const kap_ttest_options *opt)
{
    return opt->var_equal ? "Two Sample t-test" : "Welch Two Sample t-test";
}

int kap_ttest_two(kap_result *out, const double *x, size_t xstride,
                  size_t nx, const double *y, size_t ystride, size_t ny,
                  const kap_ttest_options *opt, kap_error *err)
{
    static const char *fn = "kap_ttest_two";
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "Welch Two Sample t-test");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    out->method = two_method(opt);
    if ((!x && nx > 0) || (!y && ny > 0))
        return kap_err(err, KAP_EINVAL, "%s: data pointer is NULL", fn);
    if (xstride == 0 || ystride == 0)
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    kap_two_summary s;
    size_t bad = 0;
    int which = 0;
    if (kap_two_summary_fill(&s, x, xstride, nx, y, ystride, ny, &bad,
                             &which) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "%s: %s[%zu] is infinite", fn,
                       which ? "y" : "x", bad);
    ttest_two_core(out, &s, opt);
    return KAP_OK;
}

int kap_ttest_two_summary(kap_result *out, const kap_two_summary *s,
                          const kap_ttest_options *opt, kap_error *err)
{
    static const char *fn = "kap_ttest_two_summary";
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "Welch Two Sample t-test");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    out->method = two_method(opt);
    rc = kap_two_summary_check(s, fn, err);
    if (rc != KAP_OK)
        return rc;
    ttest_two_core(out, s, opt);
    return KAP_OK;
}

static int one_sample_core(kap_result *out, double mean, double ss, size_t n,
                           int e, const kap_ttest_options *opt)
{
    out->conf_level = opt->conf_level;
    if (n < 2) {
        if (n == 1)
            out->estimate = ldexp(mean, e);
        out->note = "not enough observations (need n >= 2)";
        return KAP_OK;
    }
    double dn = (double)n;
    double se = sqrt(ss / (dn - 1.0) / dn);
    t_finish(out, mean, se, dn - 1.0, fabs(mean), e, opt);
    return KAP_OK;
}

int kap_ttest_paired(kap_result *out, const double *x, size_t xstride,
                     const double *y, size_t ystride, size_t n,
                     const kap_ttest_options *opt, kap_error *err)
{
    static const char *fn = "kap_ttest_paired";
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "Paired t-test");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    if ((!x || !y) && n > 0)
        return kap_err(err, KAP_EINVAL, "%s: data pointer is NULL", fn);
    if (xstride == 0 || ystride == 0)
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    double amax = 0.0;
    size_t bad = 0;
    if (kap_absmax_pairs(x, xstride, y, ystride, n, &amax, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "%s: pair %zu has an infinite value",
                       fn, bad);
    int e = kap_scale_exponent(amax);
    kap_paired_moments m;
    kap_paired_moments_scaled(x, xstride, y, ystride, n, e, &m);
    out->n1 = out->n2 = m.n;
    return one_sample_core(out, m.mean_d, m.ss_d, m.n, e, opt);
}

int kap_ttest_one(kap_result *out, const double *x, size_t stride, size_t n,
                  const kap_ttest_options *opt, kap_error *err)
{
    static const char *fn = "kap_ttest_one";
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "One Sample t-test");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    if (!x && n > 0)
        return kap_err(err, KAP_EINVAL, "%s: x is NULL", fn);
    if (stride == 0)
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    kap_first_pass f;
    size_t bad = 0;
    if (kap_moments_first(x, stride, n, &f, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "%s: x[%zu] is infinite", fn, bad);
    int e = kap_scale_exponent(f.amax);
    kap_moments m;
    kap_moments_finish(x, stride, n, e, &f, &m);
    out->n1 = m.n;
    return one_sample_core(out, m.mean, m.ss, m.n, e, opt);
}
