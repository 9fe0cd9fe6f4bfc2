/*
 * effect_size.c - Cohen's d, Hedges' g, Glass's delta and paired
 * standardized mean differences with noncentral-t or normal-approximation
 * confidence intervals.  Formulas and references: include/kapstats/
 * effect_size.h.  Learned from effectsize 0.8.3 (.effect_size_difference,
 * .get_ncp_t) and metafor 3.8 (escalc); written anew.
 */
#include "descriptive_internal.h"
#include "noncentral_t_internal.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

static const kap_effect_size_options default_options =
    KAP_EFFECT_SIZE_OPTIONS_INIT;

double kap_effect_size_hedges_j(double df)
{
    if (!(df > 1.0) || isnan(df))
        return NAN;
    if (isinf(df))
        return 1.0;
    /* With a = (df - 1)/2, log J = lgamma(a + 1/2) - lgamma(a)
     * - log sqrt(a + 1/2); through lgamma(z) = stirlerr(z) + (z - 1/2) log z
     * - z + log sqrt(2 pi) this is
     * stirlerr(a + 1/2) - stirlerr(a) + (a - 1/2) log1p(1/(2a)) - 1/2,
     * free of the cancellation of two large lgamma values. */
    double a = 0.5 * (df - 1.0);
    double l = log1p(0.5 / a);
    double lj = kap_stirlerr(a + 0.5) - kap_stirlerr(a) + (a * l - 0.5) -
                0.5 * l;
    return exp(lj);
}

/* ---- shared machinery --------------------------------------------------- */

/* One standardized difference, in scaled units where relevant. */
typedef struct {
    double num;     /* difference - mu */
    double s;       /* standardizer */
    double se_t;    /* SE of the difference for the pivot t (ncp CIs) */
    double df;      /* pivot df, also the df of J */
    double hn;      /* d = t sqrt(hn) */
    double va, vb;  /* normal CI: SE(d)^2 = va + vb d^2 */
    int ncp_ok;     /* the design has a noncentral-t CI */
} es_design;

static int check_options(const kap_effect_size_options **opt, const char *fn,
                         kap_error *err)
{
    if (!*opt)
        *opt = &default_options;
    const kap_effect_size_options *o = *opt;
    if (o->version != KAP_EFFECT_SIZE_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "%s: options version %u, expected %u",
                       fn, o->version,
                       (unsigned)KAP_EFFECT_SIZE_OPTIONS_VERSION);
    if (!(o->conf_level > 0.0 && o->conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "%s: conf_level must be in (0, 1)",
                       fn);
    if (o->alternative != KAP_TWO_SIDED && o->alternative != KAP_LESS &&
        o->alternative != KAP_GREATER)
        return kap_err(err, KAP_EINVAL, "%s: unknown alternative %d", fn,
                       (int)o->alternative);
    if (o->ci_method != KAP_ES_CI_NCP && o->ci_method != KAP_ES_CI_NORMAL)
        return kap_err(err, KAP_EINVAL, "%s: unknown CI method %d", fn,
                       (int)o->ci_method);
    if (!isfinite(o->mu))
        return kap_err(err, KAP_EINVAL, "%s: mu must be finite", fn);
    return KAP_OK;
}

/* Tail probabilities outside the CI on each side (0: unbounded side). */
static void ci_alphas(const kap_effect_size_options *o, double *alo,
                      double *ahi)
{
    double a = 1.0 - o->conf_level;
    switch (o->alternative) {
    case KAP_LESS:
        *alo = 0.0;
        *ahi = a;
        break;
    case KAP_GREATER:
        *alo = a;
        *ahi = 0.0;
        break;
    default:
        *alo = *ahi = 0.5 * a;
        break;
    }
}

/* Estimate and CI of d from a design; J multiplies everything (1 for d). */
static int es_finish(kap_result *out, const es_design *ds, int use_ncp,
                     int hedges, const kap_effect_size_options *o,
                     const char *fn, kap_error *err)
{
    out->conf_level = o->conf_level;
    out->df = ds->df;
    double J = 1.0;
    if (hedges) {
        J = kap_effect_size_hedges_j(ds->df);
        if (isnan(J)) {
            out->note = "Hedges' correction J(df) undefined for df <= 1";
            return KAP_OK;
        }
    }
    if (!(ds->s > 0.0)) {
        /* IEEE division gives +-Inf for a non-zero difference, NaN for 0/0:
         * both are the honest values of the ratio. */
        out->estimate = ds->num / ds->s;
        out->note = "standardizer is zero (no variation): CI undefined";
        return KAP_OK;
    }
    double d = ds->num / ds->s;
    out->estimate = J * d;
    double alo, ahi;
    ci_alphas(o, &alo, &ahi);
    if (use_ncp) {
        double t = ds->num / ds->se_t;
        out->statistic = t;
        double lo, hi;
        int rc = kap_nct_ncp_limits(t, ds->df, alo, ahi, &lo, &hi);
        if (rc != KAP_OK)
            return kap_err(err, rc,
                           "%s: noncentral-t CI not found (t = %g, df = %g): "
                           "%s", fn, t, ds->df, kap_strerror(rc));
        double f = sqrt(ds->hn);
        out->ci_low = J * lo * f;
        out->ci_high = J * hi * f;
    } else {
        double se = sqrt(ds->va + ds->vb * d * d);
        out->se = J * se;
        double lo = -INFINITY, hi = INFINITY;
        if (alo > 0.0)
            lo = d - gsl_cdf_ugaussian_Qinv(alo) * se;
        if (ahi > 0.0)
            hi = d + gsl_cdf_ugaussian_Qinv(ahi) * se;
        out->ci_low = J * lo;
        out->ci_high = J * hi;
    }
    return KAP_OK;
}

/* ---- two independent groups and one sample ------------------------------ */

enum { ES_D, ES_G, ES_DELTA };

static const char *method_name(int kind, int one_sample, int pooled, int ncp)
{
    if (kind == ES_DELTA)
        return ncp ? "Glass's delta (control SD), noncentral-t CI"
                   : "Glass's delta (control SD), normal-approximation CI";
    if (one_sample) {
        if (kind == ES_G)
            return ncp ? "Hedges' g (one sample), noncentral-t CI"
                       : "Hedges' g (one sample), normal-approximation CI";
        return ncp ? "Cohen's d (one sample), noncentral-t CI"
                   : "Cohen's d (one sample), normal-approximation CI";
    }
    if (kind == ES_G) {
        if (pooled)
            return ncp ? "Hedges' g (pooled SD), noncentral-t CI"
                       : "Hedges' g (pooled SD), normal-approximation CI";
        return ncp ? "Hedges' g (unpooled SD, Welch df), noncentral-t CI"
                   : "Hedges' g (unpooled SD), normal-approximation CI "
                     "(Bonett 2008)";
    }
    if (pooled)
        return ncp ? "Cohen's d (pooled SD), noncentral-t CI"
                   : "Cohen's d (pooled SD), normal-approximation CI";
    return ncp ? "Cohen's d (unpooled SD, Welch df), noncentral-t CI"
               : "Cohen's d (unpooled SD), normal-approximation CI "
                 "(Bonett 2008)";
}

/* Two groups from their summary (scaled units, exponent s->scale). */
static int es_two_core(kap_result *out, const kap_two_summary *s,
                       const kap_effect_size_options *opt, int kind,
                       const char *fn, kap_error *err)
{
    int use_ncp = opt->ci_method == KAP_ES_CI_NCP;
    double mu = ldexp(opt->mu, -s->scale);
    out->n1 = s->n1;
    out->n2 = s->n2;
    out->conf_level = opt->conf_level;
    es_design ds = {0};
    ds.ncp_ok = 1;
    double n1 = (double)s->n1, n2 = (double)s->n2;
    ds.num = s->mean1 - s->mean2 - mu;
    if (kind == ES_DELTA) {
        if (s->n2 < 2 || s->n1 < 1) {
            out->note = "not enough observations (need n2 >= 2, n1 >= 1)";
            return KAP_OK;
        }
        double v2 = s->ss2 / (n2 - 1.0);
        ds.s = sqrt(v2);
        ds.df = n2 - 1.0;
        if (s->n1 < 2) {
            if (ds.s > 0.0)
                out->estimate = ds.num / ds.s;
            out->note = "n1 < 2: the CI needs the SD of x";
            return KAP_OK;
        }
        double v1 = s->ss1 / (n1 - 1.0);
        if (ds.s > 0.0) {
            double ratio = v1 / v2;
            ds.hn = 1.0 / n2 + ratio / n1;
            ds.se_t = ds.s * sqrt(ds.hn);
            ds.va = ratio / n1 + 1.0 / n2;
            ds.vb = 0.5 / n2;
        }
        return es_finish(out, &ds, use_ncp, 0, opt, fn, err);
    }
    if (opt->pooled_sd) {
        if (s->n1 < 1 || s->n2 < 1 || s->n1 + s->n2 < 3) {
            out->note = "not enough observations (need n1, n2 >= 1 and "
                        "n1 + n2 >= 3)";
            return KAP_OK;
        }
        ds.df = n1 + n2 - 2.0;
        ds.s = sqrt((s->ss1 + s->ss2) / ds.df);
        ds.hn = 1.0 / n1 + 1.0 / n2;
        ds.se_t = ds.s * sqrt(ds.hn);
        ds.va = ds.hn;
        ds.vb = 0.5 / (n1 + n2);
    } else {
        if (s->n1 < 2 || s->n2 < 2) {
            out->note = "not enough observations (need n1, n2 >= 2)";
            return KAP_OK;
        }
        double v1 = s->ss1 / (n1 - 1.0), v2 = s->ss2 / (n2 - 1.0);
        double vs = v1 + v2;
        ds.s = sqrt(0.5 * vs);
        if (vs > 0.0) {
            double se1 = v1 / n1, se2 = v2 / n2, m = fmax(se1, se2);
            double a = se1 / m, b = se2 / m;
            ds.se_t = sqrt(se1 + se2);
            ds.df = (a + b) * (a + b) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
            /* hn = 2 (n2 v1 + n1 v2) / (n1 n2 (v1 + v2)) */
            ds.hn = 2.0 * (se1 + se2) / vs;
            double w1 = v1 / vs, w2 = v2 / vs;
            ds.va = 2.0 * (w1 / (n1 - 1.0) + w2 / (n2 - 1.0));
            ds.vb = 0.5 * (w1 * w1 / (n1 - 1.0) + w2 * w2 / (n2 - 1.0));
        } else {
            ds.df = NAN;
        }
    }
    return es_finish(out, &ds, use_ncp, kind == ES_G, opt, fn, err);
}

static int es_two(kap_result *out, const double *x, size_t xstride, size_t nx,
                  const double *y, size_t ystride, size_t ny,
                  const kap_effect_size_options *opt, int kind,
                  const char *fn, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "standardized mean difference");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    int one = (y == NULL);
    if (kind == ES_DELTA && one)
        return kap_err(err, KAP_EINVAL, "%s: y (the control group) is NULL",
                       fn);
    if ((!x && nx > 0) || (one && ny > 0))
        return kap_err(err, KAP_EINVAL, "%s: data pointer is NULL", fn);
    if (xstride == 0 || (!one && ystride == 0))
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    int use_ncp = opt->ci_method == KAP_ES_CI_NCP;
    out->method = method_name(kind, one, opt->pooled_sd != 0, use_ncp);

    size_t bad = 0;
    if (!one) {
        kap_two_summary s;
        int which = 0;
        if (kap_two_summary_fill(&s, x, xstride, nx, y, ystride, ny, &bad,
                                 &which) != KAP_OK)
            return kap_err(err, KAP_EINVAL, "%s: %s[%zu] is infinite", fn,
                           which ? "y" : "x", bad);
        return es_two_core(out, &s, opt, kind, fn, err);
    }

    kap_first_pass f;
    if (kap_moments_first(x, xstride, nx, &f, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "%s: x[%zu] is infinite", fn, bad);
    int e = kap_scale_exponent(f.amax);
    kap_moments mx;
    kap_moments_finish(x, xstride, nx, e, &f, &mx);
    out->n1 = mx.n;
    out->conf_level = opt->conf_level;
    if (mx.n < 2) {
        out->note = "not enough observations (need n >= 2)";
        return KAP_OK;
    }
    es_design ds = {0};
    ds.ncp_ok = 1;
    double n = (double)mx.n;
    ds.num = mx.mean - ldexp(opt->mu, -e);
    ds.s = sqrt(mx.ss / (n - 1.0));
    ds.se_t = ds.s / sqrt(n);
    ds.df = n - 1.0;
    ds.hn = 1.0 / n;
    ds.va = 1.0 / n;
    ds.vb = 0.5 / n;
    return es_finish(out, &ds, use_ncp, kind == ES_G, opt, fn, err);
}

/* The summary forms: same checks of the options, then the summary. */
static int es_summary(kap_result *out, const kap_two_summary *s,
                      const kap_effect_size_options *opt, int kind,
                      const char *fn, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "standardized mean difference");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    out->method = method_name(kind, 0, opt->pooled_sd != 0,
                              opt->ci_method == KAP_ES_CI_NCP);
    rc = kap_two_summary_check(s, fn, err);
    if (rc != KAP_OK)
        return rc;
    return es_two_core(out, s, opt, kind, fn, err);
}

int kap_effect_size_cohens_d_summary(kap_result *out, const kap_two_summary *s,
                                     const kap_effect_size_options *opt,
                                     kap_error *err)
{
    return es_summary(out, s, opt, ES_D, "kap_effect_size_cohens_d_summary",
                      err);
}

int kap_effect_size_hedges_g_summary(kap_result *out, const kap_two_summary *s,
                                     const kap_effect_size_options *opt,
                                     kap_error *err)
{
    return es_summary(out, s, opt, ES_G, "kap_effect_size_hedges_g_summary",
                      err);
}

int kap_effect_size_glass_delta_summary(kap_result *out,
                                        const kap_two_summary *s,
                                        const kap_effect_size_options *opt,
                                        kap_error *err)
{
    return es_summary(out, s, opt, ES_DELTA,
                      "kap_effect_size_glass_delta_summary", err);
}

int kap_effect_size_cohens_d(kap_result *out, const double *x, size_t xstride,
                             size_t nx, const double *y, size_t ystride,
                             size_t ny, const kap_effect_size_options *opt,
                             kap_error *err)
{
    return es_two(out, x, xstride, nx, y, ystride, ny, opt, ES_D,
                  "kap_effect_size_cohens_d", err);
}

int kap_effect_size_hedges_g(kap_result *out, const double *x, size_t xstride,
                             size_t nx, const double *y, size_t ystride,
                             size_t ny, const kap_effect_size_options *opt,
                             kap_error *err)
{
    return es_two(out, x, xstride, nx, y, ystride, ny, opt, ES_G,
                  "kap_effect_size_hedges_g", err);
}

int kap_effect_size_glass_delta(kap_result *out, const double *x,
                                size_t xstride, size_t nx, const double *y,
                                size_t ystride, size_t ny,
                                const kap_effect_size_options *opt,
                                kap_error *err)
{
    return es_two(out, x, xstride, nx, y, ystride, ny, opt, ES_DELTA,
                  "kap_effect_size_glass_delta", err);
}

/* ---- paired ------------------------------------------------------------- */

static const char *paired_name(kap_paired_d type, int hedges, int ncp)
{
    switch (type) {
    case KAP_D_Z:
        if (hedges)
            return ncp ? "Hedges' g_z (paired, SD of differences), "
                         "noncentral-t CI"
                       : "Hedges' g_z (paired, SD of differences), "
                         "normal-approximation CI";
        return ncp ? "Cohen's d_z (paired, SD of differences), noncentral-t CI"
                   : "Cohen's d_z (paired, SD of differences), "
                     "normal-approximation CI";
    case KAP_D_RM:
        return hedges ? "Hedges' g_rm (repeated measures), normal-approximation "
                        "CI (Cooper et al. 2009)"
                      : "Cohen's d_rm (repeated measures), normal-approximation "
                        "CI (Cooper et al. 2009)";
    case KAP_D_AV:
        return hedges ? "Hedges' g_av (average variance), normal-approximation "
                        "CI (delta method)"
                      : "Cohen's d_av (average variance), normal-approximation "
                        "CI (delta method)";
    default:
        return hedges ? "Hedges' g_b (Becker, control SD), normal-approximation "
                        "CI (Becker 1988)"
                      : "Becker's d_b (control SD), normal-approximation CI "
                        "(Becker 1988)";
    }
}

static int es_paired(kap_result *out, const double *x, size_t xstride,
                     const double *y, size_t ystride, size_t n,
                     kap_paired_d type, const kap_effect_size_options *opt,
                     int hedges, const char *fn, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "%s: out is NULL", fn);
    kap_result_init(out, "paired standardized mean difference");
    int rc = check_options(&opt, fn, err);
    if (rc != KAP_OK)
        return rc;
    if (type != KAP_D_Z && type != KAP_D_RM && type != KAP_D_AV &&
        type != KAP_D_B)
        return kap_err(err, KAP_EINVAL, "%s: unknown paired type %d", fn,
                       (int)type);
    if ((!x || !y) && n > 0)
        return kap_err(err, KAP_EINVAL, "%s: data pointer is NULL", fn);
    if (xstride == 0 || ystride == 0)
        return kap_err(err, KAP_EINVAL, "%s: stride is 0", fn);
    int use_ncp = type == KAP_D_Z && opt->ci_method == KAP_ES_CI_NCP;
    out->method = paired_name(type, hedges, use_ncp);
    double amax = 0.0;
    size_t bad = 0;
    if (kap_absmax_pairs(x, xstride, y, ystride, n, &amax, &bad) != KAP_OK)
        return kap_err(err, KAP_EINVAL, "%s: pair %zu has an infinite value",
                       fn, bad);
    int e = kap_scale_exponent(amax);
    kap_paired_moments m;
    kap_paired_moments_scaled(x, xstride, y, ystride, n, e, &m);
    out->n1 = out->n2 = m.n;
    out->conf_level = opt->conf_level;
    if (m.n < 2) {
        out->note = "not enough complete pairs (need n >= 2)";
        return KAP_OK;
    }
    double dn = (double)m.n, df = dn - 1.0;
    double vx = m.ss_x / df, vy = m.ss_y / df, vd = m.ss_d / df;
    double cxy = m.sp_xy / df;
    double r = (vx > 0.0 && vy > 0.0) ? cxy / sqrt(vx * vy) : NAN;
    if (r > 1.0)
        r = 1.0;
    if (r < -1.0)
        r = -1.0;
    es_design ds = {0};
    ds.num = m.mean_d - ldexp(opt->mu, -e);
    ds.df = df;
    switch (type) {
    case KAP_D_Z:
        ds.s = sqrt(vd);
        ds.se_t = ds.s / sqrt(dn);
        ds.hn = 1.0 / dn;
        ds.va = 1.0 / dn;
        ds.vb = 0.5 / dn;
        break;
    case KAP_D_RM: {
        if (isnan(r)) {
            out->df = df;
            out->note = "correlation undefined (an SD is zero): d_rm undefined";
            return KAP_OK;
        }
        double f = 2.0 * (1.0 - r);
        if (!(f > 0.0)) {
            out->df = df;
            out->note = "correlation is 1: d_rm undefined";
            return KAP_OK;
        }
        ds.s = sqrt(vd / f);
        ds.va = f / dn;
        ds.vb = 0.5 * f / dn;
        break;
    }
    case KAP_D_AV: {
        double s2 = 0.5 * (vx + vy);
        ds.s = sqrt(s2);
        if (s2 > 0.0) {
            double wx = vx / s2, wy = vy / s2, wc = cxy / s2;
            ds.va = vd / s2 / dn;
            ds.vb = (wx * wx + wy * wy + 2.0 * wc * wc) / (8.0 * df);
        }
        break;
    }
    default: /* KAP_D_B */
        ds.s = sqrt(vy);
        if (isnan(r) && ds.s > 0.0) {
            /* s_x = 0: d_b is defined, its SE (through r) is not. */
            ds.va = NAN;
        } else {
            ds.va = 2.0 * (1.0 - r) / dn;
        }
        ds.vb = 0.5 / dn;
        break;
    }
    rc = es_finish(out, &ds, use_ncp, hedges, opt, fn, err);
    if (rc == KAP_OK && type == KAP_D_B && isnan(ds.va) && ds.s > 0.0 &&
        !out->note)
        out->note = "correlation undefined (SD of x is zero): CI undefined";
    return rc;
}

int kap_effect_size_paired_d(kap_result *out, const double *x, size_t xstride,
                             const double *y, size_t ystride, size_t n,
                             kap_paired_d type,
                             const kap_effect_size_options *opt,
                             kap_error *err)
{
    return es_paired(out, x, xstride, y, ystride, n, type, opt, 0,
                     "kap_effect_size_paired_d", err);
}

int kap_effect_size_paired_g(kap_result *out, const double *x, size_t xstride,
                             const double *y, size_t ystride, size_t n,
                             kap_paired_d type,
                             const kap_effect_size_options *opt,
                             kap_error *err)
{
    return es_paired(out, x, xstride, y, ystride, n, type, opt, 1,
                     "kap_effect_size_paired_g", err);
}
