/*
 * meta.c - fixed- and random-effects meta-analysis of k estimates with known
 * sampling variances (intercept-only model), heterogeneity statistics and
 * the Q-profile confidence interval of tau^2, reproducing R's metafor 3.8
 * rma.uni() and confint.rma.uni().
 *
 * Notation (intercept-only model, weights w_i = 1/(v_i + tau2)):
 *   mu     = sum w y / sum w                  (pooled estimate)
 *   RSS    = sum w (y - mu)^2 = Y'PY          (generalized Q; Q at tau2 = 0)
 *   Y'PPY  = sum w^2 (y - mu)^2
 *   tr(P)  = sum w - sum w^2 / sum w = sum_i w_i o_i / sum w
 *   tr(PP) = sum_ij P_ij^2 = sum_i w_i^2 (o_i^2 + o2_i) / (sum w)^2
 * with o_i = sum_{j != i} w_j and o2_i = sum_{j != i} w_j^2, obtained from
 * prefix and suffix sums so that no large near-equal sums are subtracted
 * (metafor forms P = W - W X (X'WX)^-1 X'W explicitly).  They are kept
 * relative to sum w (A = tr(P) / sum w, B = tr(PP) / (sum w)^2, in terms
 * of u_i = w_i / sum w) so that huge or tiny variances neither overflow nor
 * underflow (tr(PP) scales as w^2).
 */
#include "meta_internal.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- Brent root finder (R's uniroot) ------------------------------------ */

int kap_brent_root(double a, double b, double fa, double fb, kap_root_fn f,
                   void *ctx, double tol, unsigned int maxit, double *root,
                   unsigned int *evals)
{
    /* b: best approximation; a: previous b; c: the point with f of sign
     * opposite to f(b). */
    double c = a, fc = fa;
    unsigned int nev = 0;
    *evals = 0;
    if (fa == 0.0) {
        *root = a;
        return 0;
    }
    if (fb == 0.0) {
        *root = b;
        return 0;
    }
    for (unsigned long pass = 0; pass <= (unsigned long)maxit; pass++) {
        double prev_step = b - a;
        if (fabs(fc) < fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        double tol_act = 2.0 * DBL_EPSILON * fabs(b) + tol / 2.0;
        double step = (c - b) / 2.0;
        if (fabs(step) <= tol_act || fb == 0.0) {
            *root = b;
            *evals = nev;
            return 0;
        }
        if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {
            /* Interpolation step p/q: secant with two distinct points,
             * inverse quadratic with three. */
            double p, q, cb = c - b;
            if (a == c) {
                double t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                double qq = fa / fc, t1 = fb / fc, t2 = fb / fa;
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if (p > 0.0)
                q = -q;
            else
                p = -p;
            /* Accept it if b + p/q stays inside [b, c] and the step
             * shrinks fast enough; otherwise bisect. */
            if (p < (0.75 * cb * q - fabs(tol_act * q) / 2.0) &&
                p < fabs(prev_step * q / 2.0))
                step = p / q;
        }
        if (fabs(step) < tol_act)
            step = step > 0.0 ? tol_act : -tol_act;
        a = b;
        fa = fb;
        b += step;
        fb = f(b, ctx);
        nev++;
        if (isnan(fb)) {
            *root = b;
            *evals = nev;
            return -2;
        }
        if ((fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0)) {
            c = a;
            fc = fa;
        }
    }
    *root = b;
    *evals = nev;
    return -1;
}

/* ---- weighted sums ------------------------------------------------------ */

typedef struct meta_data {
    const double *y, *v; /* k complete pairs */
    size_t k;
    double *pre, *pre2;  /* work: prefix sums of w and w^2, k each */
    double target;       /* for root finding: RSS(tau2) - target */
} meta_data;

typedef struct wstats {
    double sw;    /* sum w */
    double mu;    /* weighted mean */
    double rss;   /* sum w (y - mu)^2 */
    double rpp_n; /* sum w^2 (y - mu)^2 / (sum w)^2 = sum u^2 (y - mu)^2 */
    double a;     /* tr(P) / sum w */
    double b;     /* tr(PP) / (sum w)^2 */
    double slogv; /* sum log(v + tau2) */
} wstats;

static double plain_mean(const double *y, size_t k)
{
    kap_ksum s = {0, 0};
    for (size_t i = 0; i < k; i++)
        kap_ksum_add(&s, y[i]);
    double m = kap_ksum_value(&s) / (double)k;
    kap_ksum t = {0, 0};
    for (size_t i = 0; i < k; i++)
        kap_ksum_add(&t, y[i] - m);
    return m + kap_ksum_value(&t) / (double)k;
}

/* RSS only (the function searched by PM and the Q-profile). */
static double rss_at(const meta_data *d, double tau2, double *mu_out)
{
    double ybar = plain_mean(d->y, d->k);
    kap_ksum sw = {0, 0}, swd = {0, 0};
    for (size_t i = 0; i < d->k; i++) {
        double w = 1.0 / (d->v[i] + tau2);
        kap_ksum_add(&sw, w);
        kap_ksum_add(&swd, w * (d->y[i] - ybar));
    }
    double mu = ybar + kap_ksum_value(&swd) / kap_ksum_value(&sw);
    kap_ksum r = {0, 0};
    for (size_t i = 0; i < d->k; i++) {
        double w = 1.0 / (d->v[i] + tau2), e = d->y[i] - mu;
        kap_ksum_add(&r, w * e * e);
    }
    if (mu_out)
        *mu_out = mu;
    return kap_ksum_value(&r);
}

static void wstats_at(wstats *s, const meta_data *d, double tau2)
{
    size_t k = d->k;
    s->rss = rss_at(d, tau2, &s->mu);
    kap_ksum sw = {0, 0}, lv = {0, 0};
    for (size_t i = 0; i < k; i++) {
        kap_ksum_add(&sw, 1.0 / (d->v[i] + tau2));
        kap_ksum_add(&lv, log(d->v[i] + tau2));
    }
    s->sw = kap_ksum_value(&sw);
    s->slogv = kap_ksum_value(&lv);
    double run = 0.0, run2 = 0.0;
    kap_ksum rpp = {0, 0};
    for (size_t i = 0; i < k; i++) {
        double u = 1.0 / (d->v[i] + tau2) / s->sw, e = d->y[i] - s->mu;
        d->pre[i] = run;
        d->pre2[i] = run2;
        run += u;
        run2 += u * u;
        kap_ksum_add(&rpp, u * u * e * e);
    }
    s->rpp_n = kap_ksum_value(&rpp);
    double suf = 0.0, suf2 = 0.0;
    kap_ksum ta = {0, 0}, tb = {0, 0};
    for (size_t i = k; i-- > 0;) {
        double u = 1.0 / (d->v[i] + tau2) / s->sw;
        double o = d->pre[i] + suf, o2 = d->pre2[i] + suf2;
        kap_ksum_add(&ta, u * o);
        kap_ksum_add(&tb, u * u * (o * o + o2));
        suf += u;
        suf2 += u * u;
    }
    s->a = kap_ksum_value(&ta);
    s->b = kap_ksum_value(&tb);
}

static double rss_minus_target(double tau2, void *ctx)
{
    const meta_data *d = ctx;
    return rss_at(d, tau2, NULL) - d->target;
}

/* Restricted log-likelihood of the intercept-only model (metafor's ll0check
 * form, without REMLf constants that cancel). */
static double reml_ll(const meta_data *d, double tau2)
{
    wstats s;
    wstats_at(&s, d, tau2);
    return -0.5 * (double)(d->k - 1) * log(2.0 * M_PI) - 0.5 * s.slogv -
           0.5 * log(s.sw) - 0.5 * s.rss;
}

/* Root of RSS(tau2) = target on [lo, hi] as R's uniroot, hi enlarged by
 * factors of 10 while RSS(hi) > target (RSS decreases in tau2 and tends to
 * 0, so a bracket exists).  Caller guarantees RSS(lo) >= target. */
static int rss_root(meta_data *d, double target, double lo, double hi,
                    double tol, unsigned int maxit, double *root,
                    unsigned int *evals, int *extended)
{
    d->target = target;
    double flo = rss_minus_target(lo, d);
    double fhi = rss_minus_target(hi, d);
    *extended = 0;
    for (int n = 0; fhi > 0.0; n++) {
        if (n >= 60 || !isfinite(hi * 10.0))
            return -1;
        lo = hi;
        flo = fhi;
        hi *= 10.0;
        fhi = rss_minus_target(hi, d);
        *extended = 1;
    }
    if (isnan(flo) || isnan(fhi))
        return -2;
    return kap_brent_root(lo, hi, flo, fhi, rss_minus_target, d, tol, maxit,
                          root, evals);
}

/* median of x[0..n) (n >= 1); sorts x. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_inplace(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    if (n % 2 == 1)
        return x[n / 2];
    /* R: mean() of the two middle values, accumulated in long double. */
    return (double)(((long double)x[n / 2 - 1] + (long double)x[n / 2]) / 2.0L);
}

/* R's mad(y) = 1.4826 median(|y - median(y)|); work has k entries. */
static double mad_r(const double *y, size_t k, double *work)
{
    memcpy(work, y, k * sizeof *y);
    double med = median_inplace(work, k);
    for (size_t i = 0; i < k; i++)
        work[i] = fabs(y[i] - med);
    return 1.4826 * median_inplace(work, k);
}

/* ---- public ------------------------------------------------------------- */

const char *kap_meta_method_name(kap_meta_method method)
{
    switch (method) {
    case KAP_META_FE: return "FE";
    case KAP_META_DL: return "DL";
    case KAP_META_REML: return "REML";
    case KAP_META_PM: return "PM";
    }
    return NULL;
}

static const char *pooled_method_name(kap_meta_method m, kap_meta_test t)
{
    static const char *names[4][2] = {
        {"fixed-effect meta-analysis (inverse variance), Wald z",
         "fixed-effect meta-analysis (inverse variance), Knapp-Hartung t"},
        {"random-effects meta-analysis, DerSimonian-Laird tau^2, Wald z",
         "random-effects meta-analysis, DerSimonian-Laird tau^2, Knapp-Hartung t"},
        {"random-effects meta-analysis, REML tau^2 (Fisher scoring), Wald z",
         "random-effects meta-analysis, REML tau^2 (Fisher scoring), Knapp-Hartung t"},
        {"random-effects meta-analysis, Paule-Mandel tau^2, Wald z",
         "random-effects meta-analysis, Paule-Mandel tau^2, Knapp-Hartung t"}};
    return names[m][t];
}

static void meta_result_init(kap_meta_result *out, const kap_meta_options *o)
{
    kap_result_init(&out->pooled, pooled_method_name(o->method, o->test));
    out->pooled.conf_level = o->conf_level;
    out->tau2 = out->se_tau2 = out->tau2_ci_low = out->tau2_ci_high = NAN;
    out->Q = out->Q_df = out->Q_p = NAN;
    out->I2 = out->I2_ci_low = out->I2_ci_high = NAN;
    out->H2 = out->H2_ci_low = out->H2_ci_high = NAN;
    out->vt = NAN;
    out->k = out->n_dropped = 0;
    out->iterations = 0;
    out->method = o->method;
    out->test = o->test;
    out->het_note = NULL;
}

static int check_options(const kap_meta_options *o, kap_error *err)
{
    if (o->version != KAP_META_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL,
                       "kap_meta_options: version %u, expected %u (use KAP_META_OPTIONS_INIT)",
                       o->version, KAP_META_OPTIONS_VERSION);
    if (!kap_meta_method_name(o->method))
        return kap_err(err, KAP_EINVAL, "kap_meta_options: unknown method %d", (int)o->method);
    if (o->test != KAP_META_TEST_Z && o->test != KAP_META_TEST_KNHA)
        return kap_err(err, KAP_EINVAL, "kap_meta_options: unknown test %d", (int)o->test);
    if (!(o->conf_level > 0.0 && o->conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "kap_meta_options: conf_level %g not in (0, 1)",
                       o->conf_level);
    if (!(o->threshold > 0.0 && isfinite(o->threshold)))
        return kap_err(err, KAP_EINVAL, "kap_meta_options: threshold must be > 0");
    if (!(o->tol > 0.0 && isfinite(o->tol)))
        return kap_err(err, KAP_EINVAL, "kap_meta_options: tol must be > 0");
    return KAP_OK;
}

/* Pooled estimate, SE, test and CI at the final tau2. */
static int meta_pooled(kap_meta_result *out, const meta_data *d, double tau2,
                       double alpha, kap_error *err)
{
    wstats s;
    wstats_at(&s, d, tau2);
    kap_result *r = &out->pooled;
    r->estimate = s.mu;
    double vb = 1.0 / s.sw;
    if (out->test == KAP_META_TEST_KNHA) {
        /* metafor: s2w = RSS / (k - 1), 0 when RSS <= DBL_EPSILON. */
        double s2w = s.rss <= DBL_EPSILON ? 0.0 : s.rss / (double)(d->k - 1);
        if (s2w == 0.0)
            r->note = "Knapp-Hartung: weighted residual sum of squares <= DBL_EPSILON, "
                      "multiplier 0 as metafor (SE 0)";
        vb *= s2w;
        double df = (double)(d->k - 1);
        r->se = sqrt(vb);
        r->statistic = r->estimate / r->se;
        r->df = df;
        double crit = gsl_cdf_tdist_Qinv(alpha / 2.0, df);
        if (!isfinite(crit))
            return kap_err(err, KAP_ENUMERIC, "t quantile failed (df %g)", df);
        r->p_value = isnan(r->statistic) ? NAN
                                         : 2.0 * gsl_cdf_tdist_Q(fabs(r->statistic), df);
        r->ci_low = r->estimate - crit * r->se;
        r->ci_high = r->estimate + crit * r->se;
    } else {
        r->se = sqrt(vb);
        r->statistic = r->estimate / r->se;
        double crit = gsl_cdf_ugaussian_Qinv(alpha / 2.0);
        if (!isfinite(crit))
            return kap_err(err, KAP_ENUMERIC, "normal quantile failed");
        r->p_value = isnan(r->statistic) ? NAN
                                         : 2.0 * gsl_cdf_ugaussian_Q(fabs(r->statistic));
        r->ci_low = r->estimate - crit * r->se;
        r->ci_high = r->estimate + crit * r->se;
    }
    if (isnan(r->p_value) && !isnan(r->statistic))
        return kap_err(err, KAP_ENUMERIC, "p-value computation failed");
    return KAP_OK;
}

/* Q-profile CI of tau2 (metafor confint type "QP") and I2/H2 from it. */
static int meta_qprofile(kap_meta_result *out, meta_data *d, double alpha,
                         const kap_meta_options *o, kap_error *err)
{
    double df = (double)(d->k - 1);
    double crit_u = gsl_cdf_chisq_Qinv(alpha / 2.0, df);
    double crit_l = gsl_cdf_chisq_Pinv(alpha / 2.0, df);
    if (!isfinite(crit_u) || !isfinite(crit_l))
        return kap_err(err, KAP_ENUMERIC, "chi-square quantile failed (df %g)", df);
    double tmax = out->tau2 * 10.0 > 100.0 ? out->tau2 * 10.0 : 100.0;
    double q0 = rss_at(d, 0.0, NULL);
    double lb, ub;
    unsigned int ev;
    int ext, rc;
    if (q0 < crit_l) {
        lb = ub = 0.0;
        if (!out->het_note)
            out->het_note = "Q-profile: Q(0) below the lower chi-square quantile; "
                            "the tau2 CI is the null set, reported as [0, 0] (metafor)";
    } else {
        rc = rss_root(d, crit_l, 0.0, tmax, o->tol, o->ci_maxiter, &ub, &ev, &ext);
        if (rc != 0)
            return kap_err(err, KAP_ENOCONV,
                           "Q-profile: root search for the upper tau2 bound failed");
    }
    if (q0 < crit_l) {
        /* done */
    } else if (q0 < crit_u) {
        lb = 0.0;
    } else {
        rc = rss_root(d, crit_u, 0.0, tmax, o->tol, o->ci_maxiter, &lb, &ev, &ext);
        if (rc != 0)
            return kap_err(err, KAP_ENOCONV,
                           "Q-profile: root search for the lower tau2 bound failed");
    }
    out->tau2_ci_low = lb;
    out->tau2_ci_high = ub;
    out->I2_ci_low = 100.0 * lb / (out->vt + lb);
    out->I2_ci_high = 100.0 * ub / (out->vt + ub);
    out->H2_ci_low = lb / out->vt + 1.0;
    out->H2_ci_high = ub / out->vt + 1.0;
    return KAP_OK;
}

int kap_meta_fit(kap_meta_result *out, const double *yi, const double *vi,
                 size_t k, const kap_meta_options *opts, kap_error *err)
{
    static const kap_meta_options defaults = KAP_META_OPTIONS_INIT;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_meta_fit: NULL result");
    const kap_meta_options *o = opts ? opts : &defaults;
    int rc = check_options(o, err);
    if (rc)
        return rc;
    meta_result_init(out, o);
    if (k > 0 && (!yi || !vi))
        return kap_err(err, KAP_EINVAL, "kap_meta_fit: NULL array");

    size_t used = 0;
    for (size_t i = 0; i < k; i++) {
        if (isnan(yi[i]) || isnan(vi[i]))
            continue;
        if (!isfinite(yi[i]))
            return kap_err(err, KAP_EINVAL, "kap_meta_fit: yi[%zu] is infinite", i);
        if (!(vi[i] > 0.0) || !isfinite(vi[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_meta_fit: vi[%zu] = %g; sampling variances must be > 0 and finite",
                           i, vi[i]);
        used++;
    }
    out->n_dropped = k - used;
    out->k = used;
    out->pooled.n1 = used;
    if (used == 0)
        return kap_err(err, KAP_EDATA, "kap_meta_fit: no level with both yi and vi");

    double *buf = kap_malloc_array(used, 4 * sizeof *buf);
    if (!buf)
        return kap_err(err, KAP_ENOMEM, "kap_meta_fit: out of memory");
    double *y = buf, *v = buf + used;
    for (size_t i = 0, j = 0; i < k; i++) {
        if (isnan(yi[i]) || isnan(vi[i]))
            continue;
        y[j] = yi[i];
        v[j] = vi[i];
        j++;
    }
    meta_data d = {y, v, used, buf + 2 * used, buf + 3 * used, 0.0};
    double alpha = 1.0 - o->conf_level;
    double dk = (double)used;

    if (used == 1) {
        /* metafor: k = 1 -> tau2 = 0, QE = 0, QEp = 1, I2 = 0, H2 = 1, vt = 0,
         * test forced to z. */
        out->tau2 = 0.0;
        out->Q = 0.0;
        out->Q_df = 0.0;
        out->Q_p = 1.0;
        out->I2 = 0.0;
        out->H2 = 1.0;
        out->vt = 0.0;
        out->het_note = "k = 1: no heterogeneity estimable (Q = 0, p = 1, I2 = 0, H2 = 1 as "
                        "metafor; no tau2 SE or CI)";
        if (out->test == KAP_META_TEST_KNHA) {
            out->test = KAP_META_TEST_Z;
            out->pooled.method = pooled_method_name(o->method, KAP_META_TEST_Z);
            out->pooled.note = "k = 1: Knapp-Hartung undefined, Wald z used (as metafor)";
        }
        rc = meta_pooled(out, &d, 0.0, alpha, err);
        kap_free(buf);
        return rc;
    }

    /* Heterogeneity at tau2 = 0. */
    wstats s0;
    wstats_at(&s0, &d, 0.0);
    if (!isfinite(s0.rss) || !isfinite(s0.sw) || !(s0.sw > 0.0) || !(s0.a > 0.0)) {
        kap_free(buf);
        return kap_err(err, KAP_ENUMERIC, "kap_meta_fit: weighted sums overflow");
    }
    out->Q = s0.rss > 0.0 ? s0.rss : 0.0;
    out->Q_df = dk - 1.0;
    out->Q_p = gsl_cdf_chisq_Q(out->Q, out->Q_df);
    if (isnan(out->Q_p)) {
        kap_free(buf);
        return kap_err(err, KAP_ENUMERIC, "kap_meta_fit: chi-square p-value failed");
    }
    out->vt = (dk - 1.0) / s0.a / s0.sw;

    double tau2 = 0.0;
    switch (o->method) {
    case KAP_META_FE:
        break;
    case KAP_META_DL: {
        /* tau2 = (Q - (k-1)) / tr(P); SE as metafor:
         * sqrt(2 (k-1) + 4 tau2 tr(P) + 2 tau2^2 tr(PP)) / tr(P) */
        tau2 = (s0.rss - (dk - 1.0)) / s0.a / s0.sw;
        if (tau2 < 0.0)
            tau2 = 0.0;
        double t = tau2 * s0.sw;
        out->se_tau2 = sqrt(2.0 * (dk - 1.0) + 4.0 * t * s0.a + 2.0 * t * t * s0.b) /
                       s0.a / s0.sw;
        break;
    }
    case KAP_META_REML: {
        /* Start value as metafor: the Hedges (HE) moment estimator
         * (sum (y - ybar)^2 - tr(PV)) / (k - 1), tr(PV) = (k - 1)/k sum v,
         * truncated at 0. */
        double ybar = plain_mean(y, used);
        kap_ksum ss = {0, 0}, sv = {0, 0};
        for (size_t i = 0; i < used; i++) {
            kap_ksum_add(&ss, (y[i] - ybar) * (y[i] - ybar));
            kap_ksum_add(&sv, v[i]);
        }
        tau2 = (kap_ksum_value(&ss) - (dk - 1.0) / dk * kap_ksum_value(&sv)) / (dk - 1.0);
        if (!(tau2 > 0.0))
            tau2 = 0.0;
        /* R starts from threshold + 1; INFINITY is the same for any threshold
         * below 2^53 and also works for huge scaled thresholds. */
        double change = INFINITY;
        unsigned long iter = 0;
        int conv = 1;
        wstats s;
        while (change > o->threshold) {
            iter++;
            double old = tau2;
            wstats_at(&s, &d, tau2);
            /* (Y'PPY - tr(P)) / tr(PP) */
            double adj = (s.rpp_n - s.a / s.sw) / s.b;
            if (isnan(adj))
                adj = 0.0;
            /* Step halving keeps tau2 >= 0; R halves until the sum is
             * no longer negative (adj underflows to -0 at worst). */
            for (int h = 0; tau2 + adj < 0.0 && h < 2200; h++)
                adj /= 2.0;
            if (tau2 + adj < 0.0)
                adj = 0.0;
            tau2 += adj;
            change = fabs(old - tau2);
            if (iter > o->maxiter) {
                conv = 0;
                break;
            }
        }
        out->iterations = (unsigned int)iter;
        if (!conv) {
            kap_free(buf);
            return kap_err(err, KAP_ENOCONV,
                           "REML Fisher scoring did not converge in %u iterations "
                           "(threshold %g); try more iterations or method DL/PM",
                           o->maxiter, o->threshold);
        }
        if (o->ll0check) {
            double ll0 = reml_ll(&d, 0.0), ll = reml_ll(&d, tau2);
            if (ll0 - ll > o->tol && tau2 > o->threshold) {
                tau2 = 0.0;
                out->het_note = "REML: Fisher scoring ended below the likelihood at tau2 = 0; "
                                "tau2 set to 0 (metafor's ll0check)";
            }
        }
        if (tau2 < 0.0)
            tau2 = 0.0;
        wstats_at(&s, &d, tau2);
        out->se_tau2 = sqrt(2.0 / s.b) / s.sw; /* sqrt(2 / tr(PP)) */
        break;
    }
    case KAP_META_PM: {
        if (s0.rss < dk - 1.0) {
            tau2 = 0.0;
        } else {
            double tmax = mad_r(y, used, d.pre);
            tmax = 10.0 * tmax * tmax;
            if (!(tmax > 100.0))
                tmax = 100.0;
            unsigned int ev = 0;
            int ext;
            int brc = rss_root(&d, dk - 1.0, 0.0, tmax, o->tol, o->maxiter, &tau2, &ev, &ext);
            out->iterations = ev;
            if (brc != 0) {
                kap_free(buf);
                return kap_err(err, KAP_ENOCONV,
                               "Paule-Mandel: root search for tau2 did not converge in %u "
                               "iterations", o->maxiter);
            }
            if (tau2 < 0.0)
                tau2 = 0.0;
        }
        wstats s;
        wstats_at(&s, &d, tau2);
        out->se_tau2 = sqrt(2.0 * dk * dk / (dk - 1.0)) / s.sw;
        break;
    }
    }
    out->tau2 = tau2;

    if (o->method == KAP_META_FE) {
        out->I2 = 100.0 * (out->Q - (dk - 1.0)) / out->Q;
        if (!(out->I2 > 0.0))
            out->I2 = 0.0; /* R: max(0, .); includes Q = 0 (-Inf) */
        out->H2 = out->Q / (dk - 1.0);
        out->het_note = "fixed-effect model: tau2 = 0 by assumption; I2 and H2 from Q; "
                        "no tau2 SE or CI";
    } else {
        out->I2 = 100.0 * tau2 / (out->vt + tau2);
        out->H2 = tau2 / out->vt + 1.0;
    }

    rc = meta_pooled(out, &d, tau2, alpha, err);
    if (rc == KAP_OK && o->method != KAP_META_FE && o->tau2_ci)
        rc = meta_qprofile(out, &d, alpha, o, err);
    kap_free(buf);
    return rc;
}
