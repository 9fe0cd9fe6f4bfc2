/*
 * anova.c - one-way ANOVA: classic F (NIST-accurate sums of squares),
 * Welch's F, eta² and omega² with noncentral-F confidence intervals.
 */
#include "internal.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

/* ---- compensated sums (Neumaier) --------------------------------------- */

typedef struct {
    double s, c;
} ksum;

static inline void ks_add(ksum *a, double x)
{
    double t = a->s + x;
    if (fabs(a->s) >= fabs(x))
        a->c += (a->s - t) + x;
    else
        a->c += (x - t) + a->s;
    a->s = t;
}

static inline double ks_val(const ksum *a) { return a->s + a->c; }

/* ---- noncentral F ------------------------------------------------------- */

/* Cap on series terms per evaluation (reached only for noncentrality
 * beyond ~1e11). */
#define NCF_MAX_TERMS 20000000.0

/* P(F <= x) for F ~ F(d1, d2, ncp = lam), as the Poisson(lam/2) mixture of
 * regularised incomplete beta functions I_y(d1/2 + j, d2/2), y = d1 x /
 * (d1 x + d2) (Johnson, Kotz & Balakrishnan, ch. 30).  Summed outwards
 * from the Poisson mode; weights are kept relative to the mode and
 * normalised by their own sum (no lgamma cancellation for large lam); the
 * beta terms follow the exact recurrence I(a+1) = I(a) - t(a) upwards and
 * I(a-1) = I(a) + t(a-1) downwards from one direct evaluation.
 * Returns KAP_OK, KAP_ENOCONV (series cap) or KAP_ENUMERIC (GSL). */
static int ncf_cdf(double x, double d1, double d2, double lam, double *p)
{
    if (!(x > 0.0)) {
        *p = 0.0;
        return KAP_OK;
    }
    if (isinf(x)) {
        *p = 1.0;
        return KAP_OK;
    }
    if (lam <= 0.0) {
        *p = gsl_cdf_fdist_P(x, d1, d2);
        return KAP_OK;
    }
    double den = d1 * x + d2;
    double y = d1 * x / den;
    double ly = log(d1 * x) - log(den);
    double l1y = log(d2) - log(den);   /* log(1 - y), accurate near y = 1 */
    double h = lam / 2.0;
    double j0 = floor(h);
    double b = d2 / 2.0;
    double a0 = d1 / 2.0 + j0;

    gsl_sf_result r;
    int st = gsl_sf_beta_inc_e(a0, b, y, &r);
    if (st)
        return KAP_ENUMERIC;
    double I0 = r.val;
    /* t(a) = y^a (1-y)^b / (a B(a, b)) = I(a) - I(a+1) */
    st = gsl_sf_lnbeta_e(a0, b, &r);
    if (st)
        return KAP_ENUMERIC;
    double t0 = exp(a0 * ly + b * l1y - log(a0) - r.val);

    ksum S = {0, 0}, W = {0, 0};
    double terms = 0.0;
    /* upwards from the mode */
    {
        double w = 1.0, I = I0, t = t0, a = a0;
        for (double j = j0;; j += 1.0) {
            ks_add(&S, w * (I > 0.0 ? I : 0.0));
            ks_add(&W, w);
            I -= t;
            t *= y * (a + b) / (a + 1.0);
            a += 1.0;
            w *= h / (j + 1.0);
            double ratio = h / (j + 2.0);
            if (ratio < 1.0 && w / (1.0 - ratio) < 1e-17 * ks_val(&W))
                break;
            if (w == 0.0)
                break;
            if (++terms > NCF_MAX_TERMS)
                return KAP_ENOCONV;
        }
    }
    /* downwards */
    {
        double w = 1.0, I = I0, t = t0, a = a0;
        for (double j = j0; j > 0.0; j -= 1.0) {
            t *= a / (y * (a + b - 1.0));   /* t(a-1) */
            a -= 1.0;
            I += t;
            w *= j / h;
            ks_add(&S, w * (I < 1.0 ? I : 1.0));
            ks_add(&W, w);
            double ratio = (j - 1.0) / h;
            if (w / (1.0 - ratio) < 1e-17 * ks_val(&W) || w == 0.0)
                break;
            if (++terms > NCF_MAX_TERMS)
                return KAP_ENOCONV;
        }
    }
    double P = ks_val(&S) / ks_val(&W);
    *p = P < 0.0 ? 0.0 : (P > 1.0 ? 1.0 : P);
    return isfinite(P) ? KAP_OK : KAP_ENUMERIC;
}

/* Noncentrality lam >= 0 with P(F <= f; d1, d2, lam) = target (the CDF
 * decreases in lam).  0 when even lam = 0 gives P <= target (effectsize's
 * rule).  Bracketing, then Illinois regula falsi with bisection
 * safeguard, relative tolerance 1e-12. */
static int ncf_solve(double f, double d1, double d2, double target,
                     double *lam)
{
    double g0;
    int rc = ncf_cdf(f, d1, d2, 0.0, &g0);
    if (rc)
        return rc;
    if (g0 - target <= 0.0) {
        *lam = 0.0;
        return KAP_OK;
    }
    double a = 0.0, fa = g0 - target;
    double b = fmax(1.0, f * d1), fb;
    for (int it = 0;; it++) {
        rc = ncf_cdf(f, d1, d2, b, &fb);
        if (rc)
            return rc;
        fb -= target;
        if (fb < 0.0)
            break;
        a = b;
        fa = fb;
        b *= 2.0;
        if (it > 200)
            return KAP_ENOCONV;
    }
    int side = 0;
    double width = b - a;
    for (int it = 0; it < 400; it++) {
        double c;
        if (it % 4 == 3 && (b - a) > 0.5 * width)
            c = 0.5 * (a + b);   /* safeguard: the bracket must shrink */
        else
            c = (fa * b - fb * a) / (fa - fb);
        if (it % 4 == 3)
            width = b - a;
        if (!(c > a && c < b))
            c = 0.5 * (a + b);
        double fc;
        rc = ncf_cdf(f, d1, d2, c, &fc);
        if (rc)
            return rc;
        fc -= target;
        if (fc == 0.0) {
            *lam = c;
            return KAP_OK;
        }
        if (fc < 0.0) {
            b = c;
            fb = fc;
            if (side == -1)
                fa /= 2.0;
            side = -1;
        } else {
            a = c;
            fa = fc;
            if (side == 1)
                fb /= 2.0;
            side = 1;
        }
        if (b - a <= 1e-12 * b) {
            *lam = 0.5 * (a + b);
            return KAP_OK;
        }
    }
    return KAP_ENOCONV;
}

/* CI of eta² from an F statistic (effectsize::F_to_eta2): ncp bounds
 * turned into ncp / (ncp + d2).  Fills r->ci_low/ci_high; on failure sets
 * them NaN with a note and returns the code (not fatal to the caller). */
static int eta2_ci(kap_result *r, double f, double d1, double d2,
                   double conf, kap_alternative alt)
{
    double lo = 0.0, hi = 1.0;
    double tail = (alt == KAP_TWO_SIDED) ? (1.0 - conf) / 2.0 : 1.0 - conf;
    int rc = KAP_OK;
    if (!isfinite(f)) {
        r->ci_low = r->ci_high = NAN;
        r->note = "F is not finite (no within-group variation): CI undefined";
        return KAP_OK;
    }
    if (alt != KAP_LESS) {
        double lam;
        rc = ncf_solve(f, d1, d2, 1.0 - tail, &lam);
        if (rc == KAP_OK)
            lo = lam / (lam + d2);
    }
    if (rc == KAP_OK && alt != KAP_GREATER) {
        double lam;
        rc = ncf_solve(f, d1, d2, tail, &lam);
        if (rc == KAP_OK)
            hi = lam / (lam + d2);
    }
    if (rc) {
        r->ci_low = r->ci_high = NAN;
        r->note = "noncentral F CI not computed (series or root search did "
                  "not converge)";
        return rc;
    }
    r->ci_low = lo;
    r->ci_high = hi;
    return KAP_OK;
}

/* ---- one-way ANOVA ----------------------------------------------------- */

static const char *const M_F =
    "one-way ANOVA F test (equal variances; anova.lm, oneway.test)";
static const char *const M_WELCH =
    "Welch one-way ANOVA F test (unequal variances; oneway.test)";
static const char *const M_ETA =
    "eta squared (effectsize::eta_squared), CI by noncentral F inversion";
static const char *const M_OMEGA =
    "omega squared (effectsize::omega_squared), CI by noncentral F "
    "inversion";

int kap_anova_oneway(kap_anova_oneway_result *out, const double *y,
                     const int32_t *group, size_t n, int32_t n_groups,
                     double conf_level, kap_alternative es_alternative,
                     kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_anova_oneway: out is NULL");
    memset(out, 0, sizeof *out);
    kap_result_init(&out->f, M_F);
    kap_result_init(&out->welch, M_WELCH);
    kap_result_init(&out->eta_squared, M_ETA);
    kap_result_init(&out->omega_squared, M_OMEGA);
    out->ss_between = out->ss_within = out->ss_total = NAN;
    out->df_between = out->df_within = NAN;
    out->ms_between = out->ms_within = out->r_squared = out->resid_sd = NAN;
    if ((!y || !group) && n > 0)
        return kap_err(err, KAP_EINVAL, "kap_anova_oneway: NULL data array");
    if (n_groups < 1)
        return kap_err(err, KAP_EINVAL,
                       "kap_anova_oneway: n_groups must be >= 1 (%d)",
                       (int)n_groups);
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL,
                       "kap_anova_oneway: conf_level must be in (0, 1)");
    if (es_alternative != KAP_TWO_SIDED && es_alternative != KAP_LESS &&
        es_alternative != KAP_GREATER)
        return kap_err(err, KAP_EINVAL,
                       "kap_anova_oneway: unknown alternative %d",
                       (int)es_alternative);

    double ymax = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (group[i] >= n_groups)
            return kap_err(err, KAP_EINVAL,
                           "kap_anova_oneway: group code %d at %zu >= "
                           "n_groups (%d)", (int)group[i], i, (int)n_groups);
        if (isinf(y[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_anova_oneway: y[%zu] is infinite", i);
        if (group[i] >= 0 && !isnan(y[i]) && fabs(y[i]) > ymax)
            ymax = fabs(y[i]);
    }
    size_t G = (size_t)n_groups;
    size_t *cnt = kap_calloc(G, sizeof(size_t));
    double *mean = kap_calloc(G, sizeof(double));
    double *ssd = kap_calloc(G, sizeof(double));
    ksum *acc = kap_calloc(G, sizeof(ksum));
    double *z = kap_malloc_array(n, sizeof(double));
    int32_t *zg = kap_malloc_array(n, sizeof(int32_t));
    if (!cnt || !mean || !ssd || !acc || !z || !zg) {
        kap_free(cnt);
        kap_free(mean);
        kap_free(ssd);
        kap_free(acc);
        kap_free(z);
        kap_free(zg);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    /* The data used, made well-scaled and centred without rounding where it
     * matters: z = (y 2^-e - c) 2^-e2 with c the (rounded) mean.  Scaling
     * by powers of two is exact; y 2^-e - c is exact whenever y 2^-e is
     * within a factor 2 of c (Sterbenz), i.e. precisely for data with many
     * constant leading digits (NIST SmLs07-09), where the group means of
     * the raw values could not even be represented to the digits needed.
     * ANOVA is invariant under shift and scale, so nothing else changes. */
    size_t nu = 0;
    int e = 0, e2 = 0;
    if (ymax > 0.0)
        (void)frexp(ymax, &e);
    ksum cs = {0, 0};
    for (size_t i = 0; i < n; i++)
        if (group[i] >= 0 && !isnan(y[i])) {
            z[nu] = ldexp(y[i], -e);
            zg[nu] = group[i];
            ks_add(&cs, z[nu]);
            nu++;
        }
    double c = nu ? ks_val(&cs) / (double)nu : 0.0, zmax = 0.0;
    for (size_t i = 0; i < nu; i++) {
        z[i] -= c;
        if (fabs(z[i]) > zmax)
            zmax = fabs(z[i]);
    }
    if (zmax > 0.0)
        (void)frexp(zmax, &e2);
    for (size_t i = 0; i < nu; i++)
        z[i] = ldexp(z[i], -e2);
    e += e2;   /* y = z 2^e + constant */

    /* pass 1: group means */
    for (size_t i = 0; i < nu; i++) {
        ks_add(&acc[zg[i]], z[i]);
        cnt[zg[i]]++;
    }
    size_t k = 0;
    for (size_t g = 0; g < G; g++)
        if (cnt[g]) {
            mean[g] = ks_val(&acc[g]) / (double)cnt[g];
            acc[g].s = acc[g].c = 0.0;
            k++;
        }
    /* pass 2: correction of the means by the mean deviation */
    for (size_t i = 0; i < nu; i++)
        ks_add(&acc[zg[i]], z[i] - mean[zg[i]]);
    for (size_t g = 0; g < G; g++)
        if (cnt[g]) {
            mean[g] += ks_val(&acc[g]) / (double)cnt[g];
            acc[g].s = acc[g].c = 0.0;
        }
    out->n = nu;
    out->k = k;
    int rc = KAP_OK;
    if (k < 2) {
        rc = kap_err(err, KAP_EDATA,
                     "one-way ANOVA: %zu group(s) with data: need at least 2",
                     k);
        goto done;
    }
    if (nu <= k) {
        rc = kap_err(err, KAP_EDATA,
                     "one-way ANOVA: %zu observations in %zu groups: no "
                     "within-group degrees of freedom", nu, k);
        goto done;
    }
    /* pass 3: within sums of squares about the group means */
    for (size_t i = 0; i < nu; i++) {
        double d = z[i] - mean[zg[i]];
        ks_add(&acc[zg[i]], d * d);
    }
    ksum ssw = {0, 0};
    for (size_t g = 0; g < G; g++)
        if (cnt[g]) {
            ssd[g] = ks_val(&acc[g]);
            ks_add(&ssw, ssd[g]);
        }
    /* grand mean, two-pass, from the data (not from the group means) */
    ksum gs = {0, 0};
    for (size_t i = 0; i < nu; i++)
        ks_add(&gs, z[i]);
    double gm = ks_val(&gs) / (double)nu;
    ksum gc = {0, 0};
    for (size_t i = 0; i < nu; i++)
        ks_add(&gc, z[i] - gm);
    gm += ks_val(&gc) / (double)nu;
    ksum ssb = {0, 0};
    for (size_t g = 0; g < G; g++)
        if (cnt[g]) {
            double d = mean[g] - gm;
            ks_add(&ssb, (double)cnt[g] * d * d);
        }
    double SSB = ks_val(&ssb), SSW = ks_val(&ssw), SST = SSB + SSW;
    double dfb = (double)(k - 1), dfw = (double)(nu - k);
    double MSB = SSB / dfb, MSW = SSW / dfw;
    out->ss_between = ldexp(SSB, 2 * e);
    out->ss_within = ldexp(SSW, 2 * e);
    out->ss_total = ldexp(SST, 2 * e);
    out->df_between = dfb;
    out->df_within = dfw;
    out->ms_between = ldexp(MSB, 2 * e);
    out->ms_within = ldexp(MSW, 2 * e);
    out->resid_sd = ldexp(sqrt(MSW), e);
    out->r_squared = SST > 0.0 ? SSB / SST : NAN;

    /* ---- classic F ---- */
    kap_result *F = &out->f;
    F->df = dfb;
    F->df2 = dfw;
    F->n1 = nu;
    if (SSW > 0.0) {
        F->statistic = MSB / MSW;
        F->p_value = gsl_cdf_fdist_Q(F->statistic, dfb, dfw);
    } else if (SSB > 0.0) {
        F->statistic = INFINITY;
        F->p_value = 0.0;
        F->note = "no within-group variation: F infinite";
    } else {
        F->note = "all values equal: F undefined";
    }

    /* ---- Welch ---- */
    kap_result *W = &out->welch;
    W->n1 = nu;
    W->df = dfb;
    {
        int ok = 1;
        for (size_t g = 0; g < G; g++) {
            if (cnt[g] == 1) {
                W->note = "a group has 1 observation: its variance and "
                          "Welch's F are undefined";
                ok = 0;
                break;
            }
            if (cnt[g] > 1 && ssd[g] == 0.0) {
                W->note = "a group has zero variance: Welch's weights and F "
                          "are undefined";
                ok = 0;
                break;
            }
        }
        if (ok) {
            ksum sw = {0, 0}, swm = {0, 0};
            double *wt = ssd;   /* reuse: weight n_g / var_g */
            for (size_t g = 0; g < G; g++)
                if (cnt[g]) {
                    double v = ssd[g] / (double)(cnt[g] - 1);
                    wt[g] = (double)cnt[g] / v;
                    ks_add(&sw, wt[g]);
                }
            double sumw = ks_val(&sw);
            for (size_t g = 0; g < G; g++)
                if (cnt[g])
                    ks_add(&swm, wt[g] * mean[g]);
            double mw = ks_val(&swm) / sumw;
            ksum tmp = {0, 0}, num = {0, 0};
            for (size_t g = 0; g < G; g++)
                if (cnt[g]) {
                    double q = 1.0 - wt[g] / sumw;
                    ks_add(&tmp, q * q / (double)(cnt[g] - 1));
                    double d = mean[g] - mw;
                    ks_add(&num, wt[g] * d * d);
                }
            double kk = (double)k;
            double tm = ks_val(&tmp) / (kk * kk - 1.0);
            W->statistic = ks_val(&num) / ((kk - 1.0) * (1.0 + 2.0 * (kk - 2.0) * tm));
            W->df2 = 1.0 / (3.0 * tm);
            W->p_value = gsl_cdf_fdist_Q(W->statistic, W->df, W->df2);
        }
    }

    /* ---- effect sizes ---- */
    kap_result *E = &out->eta_squared, *O = &out->omega_squared;
    E->conf_level = O->conf_level = conf_level;
    E->df = O->df = dfb;
    E->df2 = O->df2 = dfw;
    E->n1 = O->n1 = nu;
    if (SST > 0.0) {
        E->estimate = SSB / SST;
        double om = (SSB - dfb * MSW) / (SST + MSW);
        O->estimate = om > 0.0 ? om : 0.0;   /* effectsize truncates at 0 */
        /* The F implied by each estimate (effectsize recomputes it). */
        double fe = SSW > 0.0 ? MSB / MSW : INFINITY;
        int r1 = eta2_ci(E, fe, dfb, dfw, conf_level, es_alternative);
        double fo = O->estimate < 1.0
                        ? (O->estimate / dfb) / ((1.0 - O->estimate) / dfw)
                        : INFINITY;
        int r2 = eta2_ci(O, fo, dfb, dfw, conf_level, es_alternative);
        (void)r1;
        (void)r2;   /* failures are reported in the notes */
    } else {
        E->note = O->note = "all values equal: effect size undefined";
    }

done:
    kap_free(cnt);
    kap_free(mean);
    kap_free(ssd);
    kap_free(acc);
    kap_free(z);
    kap_free(zg);
    return rc;
}
