/*
 * stratified.c - stratified analyses across the levels of a stratification
 * factor: inverse-variance stratified mean difference, Cochran-Mantel-
 * Haenszel analysis of 2x2xK tables (MH odds ratio and risk ratio, CMH
 * test, Breslow-Day/Tarone homogeneity tests) and Woolf's analysis of log
 * odds ratios.  Declared in kapstats/meta.h.
 */
#include "meta_internal.h"

#include <gsl/gsl_cdf.h>

/* ---- stratified mean difference ----------------------------------------- */

static int fe_options(kap_meta_options *o, double conf_level, kap_error *err)
{
    kap_meta_options d = KAP_META_OPTIONS_INIT;
    d.method = KAP_META_FE;
    d.test = KAP_META_TEST_Z;
    d.conf_level = conf_level;
    *o = d;
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "conf_level %g not in (0, 1)", conf_level);
    return KAP_OK;
}

int kap_strat_md(kap_meta_result *out, const double *md, const double *se,
                 size_t k, double conf_level, kap_error *err)
{
    kap_meta_options o;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_strat_md: NULL result");
    int rc = fe_options(&o, conf_level, err);
    if (rc)
        return rc;
    if (k > 0 && (!md || !se))
        return kap_err(err, KAP_EINVAL, "kap_strat_md: NULL array");
    for (size_t i = 0; i < k; i++) {
        if (isnan(md[i]) || isnan(se[i]))
            continue;
        if (!(se[i] > 0.0) || !isfinite(se[i]) || !isfinite(md[i]))
            return kap_err(err, KAP_EINVAL,
                           "kap_strat_md: stratum %zu: md %g, se %g (se must be > 0, finite)",
                           i, md[i], se[i]);
    }
    double *vi = kap_malloc_array(k ? k : 1, sizeof *vi);
    if (!vi)
        return kap_err(err, KAP_ENOMEM, "kap_strat_md: out of memory");
    for (size_t i = 0; i < k; i++)
        vi[i] = se[i] * se[i]; /* NaN stays NaN */
    rc = kap_meta_fit(out, md, vi, k, &o, err);
    kap_free(vi);
    return rc;
}

int kap_strat_md_summary(kap_meta_result *out, const kap_strat_summary *strata,
                         size_t k, int pooled_variance, double conf_level,
                         kap_error *err)
{
    kap_meta_options o;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_strat_md_summary: NULL result");
    int rc = fe_options(&o, conf_level, err);
    if (rc)
        return rc;
    if (k > 0 && !strata)
        return kap_err(err, KAP_EINVAL, "kap_strat_md_summary: NULL strata");
    double *buf = kap_malloc_array(k ? k : 1, 2 * sizeof *buf);
    if (!buf)
        return kap_err(err, KAP_ENOMEM, "kap_strat_md_summary: out of memory");
    double *yi = buf, *vi = buf + (k ? k : 1);
    for (size_t i = 0; i < k; i++) {
        const kap_strat_summary *s = &strata[i];
        double f[6] = {s->n1, s->mean1, s->sd1, s->n2, s->mean2, s->sd2};
        int has_nan = 0, bad = 0;
        for (int j = 0; j < 6; j++) {
            if (isnan(f[j]))
                has_nan = 1;
            else if (!isfinite(f[j]))
                bad = 1;
        }
        if (has_nan) {
            yi[i] = vi[i] = NAN;
            continue;
        }
        if (bad || s->n1 < 1.0 || s->n2 < 1.0 || s->sd1 < 0.0 || s->sd2 < 0.0 ||
            (pooled_variance && s->n1 + s->n2 <= 2.0)) {
            kap_free(buf);
            return kap_err(err, KAP_EINVAL,
                           "kap_strat_md_summary: stratum %zu: invalid summary (n >= 1, "
                           "sd >= 0, finite; n1 + n2 > 2 with pooled variance)", i);
        }
        yi[i] = s->mean1 - s->mean2;
        if (pooled_variance) {
            /* escalc vtype "HO": pooled SD */
            double sp2 = ((s->n1 - 1.0) * s->sd1 * s->sd1 + (s->n2 - 1.0) * s->sd2 * s->sd2) /
                         (s->n1 + s->n2 - 2.0);
            vi[i] = sp2 * (1.0 / s->n1 + 1.0 / s->n2);
        } else {
            /* escalc vtype "LS" (default) */
            vi[i] = s->sd1 * s->sd1 / s->n1 + s->sd2 * s->sd2 / s->n2;
        }
        if (!(vi[i] > 0.0)) {
            kap_free(buf);
            return kap_err(err, KAP_EINVAL,
                           "kap_strat_md_summary: stratum %zu has zero variance", i);
        }
    }
    rc = kap_meta_fit(out, yi, vi, k, &o, err);
    kap_free(buf);
    return rc;
}

/* ---- 2x2xK tables ------------------------------------------------------- */

static int check_tables(const double *a, const double *b, const double *c,
                        const double *d, size_t k, const char *fn, kap_error *err)
{
    if (k > 0 && (!a || !b || !c || !d))
        return kap_err(err, KAP_EINVAL, "%s: NULL array", fn);
    for (size_t i = 0; i < k; i++) {
        double x[4] = {a[i], b[i], c[i], d[i]};
        if (isnan(x[0]) || isnan(x[1]) || isnan(x[2]) || isnan(x[3]))
            continue;
        for (int j = 0; j < 4; j++)
            if (!(x[j] >= 0.0) || !isfinite(x[j]))
                return kap_err(err, KAP_EINVAL,
                               "%s: table %zu: counts must be finite and >= 0 (got %g)", fn, i,
                               x[j]);
    }
    return KAP_OK;
}

int kap_strat_woolf(kap_meta_result *out, const double *a, const double *b,
                    const double *c, const double *d, size_t k,
                    const kap_meta_options *opts, kap_error *err)
{
    kap_meta_options o;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_strat_woolf: NULL result");
    if (opts) {
        o = *opts;
    } else {
        int rc = fe_options(&o, 0.95, err);
        if (rc)
            return rc;
    }
    int rc = check_tables(a, b, c, d, k, "kap_strat_woolf", err);
    if (rc)
        return rc;
    double *buf = kap_malloc_array(k ? k : 1, 2 * sizeof *buf);
    if (!buf)
        return kap_err(err, KAP_ENOMEM, "kap_strat_woolf: out of memory");
    double *yi = buf, *vi = buf + (k ? k : 1);
    for (size_t i = 0; i < k; i++) {
        double ai = a[i], bi = b[i], ci = c[i], di = d[i];
        if (isnan(ai) || isnan(bi) || isnan(ci) || isnan(di)) {
            yi[i] = vi[i] = NAN;
            continue;
        }
        if (ai == 0.0 || bi == 0.0 || ci == 0.0 || di == 0.0) {
            /* escalc(measure = "OR") defaults: add = 1/2, to = "only0" */
            ai += 0.5;
            bi += 0.5;
            ci += 0.5;
            di += 0.5;
        }
        yi[i] = log((ai / bi) / (ci / di));
        vi[i] = 1.0 / ai + 1.0 / bi + 1.0 / ci + 1.0 / di;
    }
    rc = kap_meta_fit(out, yi, vi, k, &o, err);
    kap_free(buf);
    return rc;
}

/* Test and CI on the log scale for a ratio estimate (MH OR, MH RR), as
 * mantelhaen.test() builds the OR interval: CI = est exp(-/+ z se). */
static int ratio_wald(kap_result *r, double est, double se, kap_alternative alt,
                      double conf_level)
{
    r->estimate = est;
    if (!(est > 0.0) || !isfinite(est) || !(se >= 0.0) || !isfinite(se)) {
        r->note = "Mantel-Haenszel estimate is 0, infinite or undefined (no information "
                  "on one side): SE, CI and test undefined";
        return 0;
    }
    r->se = se;
    double z = log(est) / se;
    r->statistic = z;
    switch (alt) {
    case KAP_LESS:
        r->p_value = gsl_cdf_ugaussian_P(z);
        r->ci_low = 0.0;
        r->ci_high = est * exp(gsl_cdf_ugaussian_Pinv(conf_level) * se);
        break;
    case KAP_GREATER:
        r->p_value = gsl_cdf_ugaussian_Q(z);
        r->ci_low = est * exp(gsl_cdf_ugaussian_Qinv(conf_level) * se);
        r->ci_high = INFINITY;
        break;
    default: {
        double q = gsl_cdf_ugaussian_Pinv((1.0 - conf_level) / 2.0);
        r->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
        r->ci_low = est * exp(q * se);
        r->ci_high = est * exp(-q * se);
        break;
    }
    }
    /* GSL's cdf functions return NaN on failure (error handler off). */
    if (isnan(r->p_value) || isnan(r->ci_low) || isnan(r->ci_high))
        return -1;
    return 0;
}

/* Expected a under common odds ratio psi with the table's margins (n1 row 1,
 * n2 row 2, m1 column 1): the root in (max(0, m1 - n2), min(n1, m1)) of
 * (psi - 1) x^2 - (psi (n1 + m1) + n2 - m1) x + psi n1 m1 = 0, taken in
 * the form that avoids cancellation. */
static double bd_expected(double psi, double n1, double n2, double m1)
{
    if (psi == 1.0)
        return n1 * m1 / (n1 + n2);
    double A = psi * (n1 + m1) + (n2 - m1);
    double B = sqrt(A * A - 4.0 * n1 * m1 * psi * (psi - 1.0));
    if (A > 0.0)
        return 2.0 * n1 * m1 * psi / (A + B);
    return (A - B) / (2.0 * (psi - 1.0));
}

int kap_strat_cmh(kap_cmh_result *out, const double *a, const double *b,
                  const double *c, const double *d, size_t k,
                  kap_alternative alternative, double conf_level, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_strat_cmh: NULL result");
    kap_result_init(&out->mh_or,
                    "Mantel-Haenszel common odds ratio, Robins-Breslow-Greenland CI, Wald z");
    kap_result_init(&out->mh_rr,
                    "Mantel-Haenszel common risk ratio, Greenland-Robins CI, Wald z");
    kap_result_init(&out->cmh, "Mantel-Haenszel chi-squared test with continuity correction");
    kap_result_init(&out->cmh_uncorrected,
                    "Mantel-Haenszel chi-squared test without continuity correction");
    kap_result_init(&out->breslow_day,
                    "Breslow-Day test of homogeneity of odds ratios (at the MH estimate)");
    kap_result_init(&out->breslow_day_tarone,
                    "Breslow-Day test of homogeneity of odds ratios, Tarone's correction");
    out->k = out->n_dropped = 0;
    if (alternative != KAP_TWO_SIDED && alternative != KAP_LESS && alternative != KAP_GREATER)
        return kap_err(err, KAP_EINVAL, "kap_strat_cmh: unknown alternative %d",
                       (int)alternative);
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "kap_strat_cmh: conf_level %g not in (0, 1)",
                       conf_level);
    int rc = check_tables(a, b, c, d, k, "kap_strat_cmh", err);
    if (rc)
        return rc;

    kap_ksum R = {0, 0}, S = {0, 0}, PR = {0, 0}, PSQR = {0, 0}, QS = {0, 0};
    kap_ksum delta = {0, 0}, var = {0, 0};
    kap_ksum Rr = {0, 0}, Sr = {0, 0}, Vr = {0, 0};
    size_t used = 0;
    for (size_t i = 0; i < k; i++) {
        double ai = a[i], bi = b[i], ci = c[i], di = d[i];
        if (isnan(ai) || isnan(bi) || isnan(ci) || isnan(di))
            continue;
        double n = ai + bi + ci + di;
        if (n < 2.0)
            continue; /* no information; R's mantelhaen.test stops here */
        used++;
        double n1 = ai + bi, n2 = ci + di, m1 = ai + ci, m2 = bi + di;
        double n_sq = n * n;
        kap_ksum_add(&R, ai * di / n);
        kap_ksum_add(&S, bi * ci / n);
        kap_ksum_add(&PR, (ai + di) * ai * di / n_sq);
        kap_ksum_add(&PSQR, ((ai + di) * bi * ci + (bi + ci) * ai * di) / n_sq);
        kap_ksum_add(&QS, (bi + ci) * bi * ci / n_sq);
        kap_ksum_add(&delta, ai - n1 * m1 / n);
        kap_ksum_add(&var, n1 * n2 * m1 * m2 / (n_sq * (n - 1.0)));
        kap_ksum_add(&Rr, ai * n2 / n);
        kap_ksum_add(&Sr, ci * n1 / n);
        kap_ksum_add(&Vr, (n1 * n2 * m1 - ai * ci * n) / n_sq);
    }
    out->k = used;
    out->n_dropped = k - used;
    if (used == 0)
        return kap_err(err, KAP_EDATA,
                       "kap_strat_cmh: no table with complete counts and total >= 2");
    kap_result *all[] = {&out->mh_or, &out->mh_rr, &out->cmh, &out->cmh_uncorrected,
                         &out->breslow_day, &out->breslow_day_tarone};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        all[i]->n1 = used;
        all[i]->conf_level = conf_level;
    }
    out->breslow_day.conf_level = out->breslow_day_tarone.conf_level = NAN;

    /* MH odds ratio, RBG variance of its log. */
    double r = kap_ksum_value(&R), s = kap_ksum_value(&S);
    double or_mh = r / s;
    double or_se = sqrt(kap_ksum_value(&PR) / (2.0 * r * r) +
                        kap_ksum_value(&PSQR) / (2.0 * r * s) +
                        kap_ksum_value(&QS) / (2.0 * s * s));
    if (ratio_wald(&out->mh_or, or_mh, or_se, alternative, conf_level))
        return kap_err(err, KAP_ENUMERIC, "kap_strat_cmh: normal quantile/p-value failed");

    /* MH risk ratio, Greenland-Robins variance of its log. */
    double rr = kap_ksum_value(&Rr), sr = kap_ksum_value(&Sr);
    double rr_mh = rr / sr;
    double rr_se = sqrt(kap_ksum_value(&Vr) / (rr * sr));
    if (ratio_wald(&out->mh_rr, rr_mh, rr_se, alternative, conf_level))
        return kap_err(err, KAP_ENUMERIC, "kap_strat_cmh: normal quantile/p-value failed");

    /* CMH test, as mantelhaen.test(). */
    double dl = kap_ksum_value(&delta), v = kap_ksum_value(&var);
    for (int corr = 0; corr <= 1; corr++) {
        kap_result *t = corr ? &out->cmh : &out->cmh_uncorrected;
        double yates = (corr && fabs(dl) >= 0.5) ? 0.5 : 0.0;
        if (corr && yates == 0.0) {
            t->method = "Mantel-Haenszel chi-squared test without continuity correction";
            t->note = "|sum(a - E[a])| < 0.5: no continuity correction applied (as R)";
        }
        t->estimate = out->mh_or.estimate;
        t->ci_low = out->mh_or.ci_low;
        t->ci_high = out->mh_or.ci_high;
        t->df = 1.0;
        if (!(v > 0.0)) {
            t->note = "CMH variance is 0 (every table has a zero margin): test undefined";
            continue;
        }
        double x2 = (fabs(dl) - yates) * (fabs(dl) - yates) / v;
        t->statistic = x2;
        if (alternative == KAP_TWO_SIDED) {
            t->p_value = gsl_cdf_chisq_Q(x2, 1.0);
        } else {
            double z = (dl > 0.0 ? 1.0 : dl < 0.0 ? -1.0 : 0.0) * sqrt(x2);
            t->p_value = alternative == KAP_LESS ? gsl_cdf_ugaussian_P(z)
                                                 : gsl_cdf_ugaussian_Q(z);
        }
        if (isnan(t->p_value))
            return kap_err(err, KAP_ENUMERIC, "kap_strat_cmh: p-value computation failed");
    }

    /* Breslow-Day at OR_MH over tables with all margins > 0, and Tarone's
     * correction (metafor::rma.mh). */
    if (!(or_mh > 0.0) || !isfinite(or_mh)) {
        out->breslow_day.note = out->breslow_day_tarone.note =
            "Mantel-Haenszel OR is 0, infinite or undefined: Breslow-Day undefined";
        return KAP_OK;
    }
    kap_ksum bd = {0, 0}, dsum = {0, 0}, vsum = {0, 0};
    size_t kpos = 0;
    for (size_t i = 0; i < k; i++) {
        double ai = a[i], bi = b[i], ci = c[i], di = d[i];
        if (isnan(ai) || isnan(bi) || isnan(ci) || isnan(di) || ai + bi + ci + di < 2.0)
            continue;
        double n1 = ai + bi, n2 = ci + di, m1 = ai + ci, m2 = bi + di;
        if (!(n1 > 0.0 && n2 > 0.0 && m1 > 0.0 && m2 > 0.0))
            continue;
        double e11 = bd_expected(or_mh, n1, n2, m1);
        double e12 = n1 - e11, e21 = m1 - e11, e22 = n2 - m1 + e11;
        double vi = 1.0 / (1.0 / e11 + 1.0 / e12 + 1.0 / e21 + 1.0 / e22);
        kap_ksum_add(&bd, (ai - e11) * (ai - e11) / vi);
        kap_ksum_add(&dsum, ai - e11);
        kap_ksum_add(&vsum, vi);
        kpos++;
    }
    double x_bd = kap_ksum_value(&bd);
    if (x_bd < 0.0)
        x_bd = 0.0;
    double ds = kap_ksum_value(&dsum);
    double x_ta = x_bd - ds * ds / kap_ksum_value(&vsum);
    if (x_ta < 0.0)
        x_ta = 0.0;
    out->breslow_day.n1 = out->breslow_day_tarone.n1 = kpos;
    if (kpos == 0) {
        out->breslow_day.note = out->breslow_day_tarone.note =
            "Breslow-Day: no table with all four margins > 0";
        return KAP_OK;
    }
    out->breslow_day.statistic = x_bd;
    out->breslow_day_tarone.statistic = x_ta;
    out->breslow_day.df = out->breslow_day_tarone.df = (double)(kpos - 1);
    if (kpos < 2) {
        out->breslow_day.note = out->breslow_day_tarone.note =
            "Breslow-Day: fewer than 2 informative tables, no p-value";
        return KAP_OK;
    }
    out->breslow_day.p_value = gsl_cdf_chisq_Q(x_bd, (double)(kpos - 1));
    out->breslow_day_tarone.p_value = gsl_cdf_chisq_Q(x_ta, (double)(kpos - 1));
    if (isnan(out->breslow_day.p_value) || isnan(out->breslow_day_tarone.p_value))
        return kap_err(err, KAP_ENUMERIC, "kap_strat_cmh: Breslow-Day p-value failed");
    return KAP_OK;
}
