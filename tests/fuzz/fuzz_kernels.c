/* libFuzzer harness: the numeric kernels fed arbitrary arrays and options.
 *
 * The first byte selects a kernel; the following bytes decode into sizes,
 * options and double arrays (tests/fuzz/fuzz_input.h: small integers for
 * ties, specials such as NaN, +-Inf, 1e308, denormals, raw IEEE patterns).
 * Kernels: describe, t tests, effect sizes, rank tests, binary, lm/ANCOVA,
 * one-way ANOVA, meta-analysis and stratified analyses, p_adjust.
 * Each call must return a known result code; on success the documented
 * invariants hold (p in [0, 1] or NaN, ci_low <= ci_high, method set); on
 * failure the error message is set.  Crashes, leaks, UB, hangs (timeouts)
 * and broken invariants are findings. */
#include "kapstats.h"
#include "fuzz_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 96

static void check_rc(int rc, const kap_error *e)
{
    if (rc > 0 || rc < KAP_EDATA)
        abort();                       /* unknown result code */
    if (rc != KAP_OK && e->message[0] == '\0')
        abort();                       /* every error says what is wrong */
}

/* Print the offending result, then abort: the crash report says why. */
static void bad_result(const kap_result *r, const char *why)
{
    fprintf(stderr, "broken invariant (%s): method=%s est=%.17g se=%.17g ci=[%.17g, %.17g] "
            "level=%.17g stat=%.17g df=%.17g p=%.17g n1=%zu n2=%zu note=%s\n", why,
            r->method ? r->method : "(null)", r->estimate, r->se, r->ci_low, r->ci_high,
            r->conf_level, r->statistic, r->df, r->p_value, r->n1, r->n2,
            r->note ? r->note : "");
    abort();
}

static void check_result(const kap_result *r)
{
    if (!r->method)
        bad_result(r, "method NULL");
    if (!isnan(r->p_value) && !(r->p_value >= 0.0 && r->p_value <= 1.0))
        bad_result(r, "p outside [0, 1]");
    if (!isnan(r->ci_low) && !isnan(r->ci_high) && r->ci_low > r->ci_high)
        bad_result(r, "ci_low > ci_high");
    /* achieved level may be reported, 0 when none is achievable (rank) */
    if (!isnan(r->conf_level) && !(r->conf_level >= 0.0 && r->conf_level < 1.0))
        bad_result(r, "conf_level outside [0, 1)");
    if (!isnan(r->se) && r->se < 0.0)
        bad_result(r, "se < 0");
}

static void check_meta(const kap_meta_result *m)
{
    check_result(&m->pooled);
    if (!isnan(m->tau2) && m->tau2 < 0.0)
        abort();
    if (!isnan(m->Q_p) && !(m->Q_p >= 0.0 && m->Q_p <= 1.0))
        abort();
}

static kap_alternative fz_alt(fz_in *in)
{
    uint8_t b = fz_u8(in);
    return b < 250 ? (kap_alternative)(b % 3) : (kap_alternative)(int8_t)b;
}

static size_t fz_len(fz_in *in, size_t max)
{
    return fz_u8(in) % (max + 1);
}

static size_t fz_count(fz_in *in)
{
    /* counts for the binary kernels: small, moderate, or near SIZE_MAX */
    uint8_t m = fz_u8(in);
    switch (m & 3) {
    case 0: return fz_u8(in);
    case 1: return fz_u32(in) % 100000;
    case 2: return (size_t)fz_u32(in);
    default: return SIZE_MAX - fz_u8(in);
    }
}

static void run_rank(fz_in *in, uint8_t sel, kap_error *e)
{
    double x[MAXN], y[MAXN];
    int g[MAXN];
    kap_result r;
    size_t nx = fz_len(in, 60), ny = fz_len(in, 60);
    kap_rank_options o = KAP_RANK_OPTIONS_INIT;
    o.alternative = fz_alt(in);
    uint8_t b = fz_u8(in);
    o.method = (kap_rank_method)(b % 3);
    o.correct = (b >> 2) & 1;
    o.conf_int = (b >> 3) & 1;
    o.mu = (b & 0x80) ? fz_double(in) : 0.0;
    o.conf_level = fz_level(in);
    fz_fill(x, nx, in);
    fz_fill(y, ny, in);
    int rc;
    switch (sel % 8) {
    case 0: rc = kap_rank_mann_whitney(&r, x, nx, y, ny, &o, e); break;
    case 1: /* paired, or one-sample when y is NULL */
        rc = kap_rank_signed_rank(&r, x, (b & 0x40) ? y : NULL, nx < ny ? nx : ny, &o, e);
        break;
    case 2:
        for (size_t i = 0; i < nx; i++)
            g[i] = (int)(fz_u8(in) % 5) - (fz_u8(in) == 255);
        rc = kap_rank_kruskal_wallis(&r, x, g, nx, e);
        break;
    case 3: rc = kap_rank_biserial(&r, x, nx, y, ny, o.mu, o.conf_level, o.alternative, e); break;
    case 4: {
        size_t n = nx < ny ? nx : ny;
        rc = kap_rank_biserial_paired(&r, x, y, n, o.mu, o.conf_level, o.alternative, e);
        break;
    }
    case 5: rc = kap_rank_cliffs_delta(&r, x, nx, y, ny, o.mu, o.conf_level, o.alternative, e); break;
    case 6: rc = kap_rank_p_superiority(&r, x, nx, y, ny, o.mu, o.conf_level, o.alternative, e); break;
    default: {
        size_t n = nx < ny ? nx : ny;
        rc = kap_rank_p_superiority_paired(&r, x, y, n, o.mu, o.conf_level, o.alternative, e);
        break;
    }
    }
    check_rc(rc, e);
    if (rc == KAP_OK)
        check_result(&r);
}

static void run_binary(fz_in *in, uint8_t sel, kap_error *e)
{
    kap_result r;
    kap_nnt nnt;
    size_t e1 = fz_count(in), n1 = fz_count(in), e2 = fz_count(in), n2 = fz_count(in);
    double cl = fz_level(in);
    kap_alternative alt = fz_alt(in);
    uint8_t m = fz_u8(in);
    int rc, is_nnt = 0;
    switch (sel % 9) {
    case 0: rc = kap_binary_prop_ci(&r, e1, n1, (kap_prop_ci_method)(m % 5), cl, alt, e); break;
    case 1: rc = kap_binary_binom_test(&r, e1, n1, fz_level(in), alt, cl, e); break;
    case 2: rc = kap_binary_risk_difference(&r, e1, n1, e2, n2, (kap_rd_ci_method)(m % 4), cl, e); break;
    case 3: rc = kap_binary_risk_ratio(&r, e1, n1, e2, n2, cl, e); break;
    case 4: rc = kap_binary_odds_ratio(&r, e1, n1, e2, n2, cl, e); break;
    case 5:
        /* Fisher's exact test is O(n); keep it cheap enough for fuzzing */
        rc = kap_binary_fisher(&r, e1 % 5000, n1 % 5000, e2 % 5000, n2 % 5000, alt, cl, e);
        break;
    case 6: rc = kap_binary_chisq(&r, e1, n1, e2, n2, m & 1, e); break;
    case 7:
        is_nnt = 1;
        rc = kap_binary_nnt(&nnt, e1, n1, e2, n2, (kap_event_kind)(m % 3),
                            (kap_rd_ci_method)((m >> 2) % 4), cl, e);
        break;
    default: {
        is_nnt = 1;
        double rd = fz_double(in), lo = fz_double(in), hi = fz_double(in);
        rc = kap_binary_nnt_from_rd(&nnt, rd, lo, hi, cl, (kap_event_kind)(m % 3), e);
        break;
    }
    }
    check_rc(rc, e);
    if (rc == KAP_OK && !is_nnt)
        check_result(&r);
    if (rc == KAP_OK && is_nnt) {
        char buf[128];
        int digits = (int)(int8_t)fz_u8(in);
        size_t bs = fz_u8(in) % sizeof buf;
        kap_error e2b;
        int rc2 = kap_binary_nnt_format(buf, bs, &nnt, digits, &e2b);
        check_rc(rc2, &e2b);
        if (rc2 == KAP_OK && bs > 0 && memchr(buf, '\0', bs) == NULL)
            abort();
    }
}

static void run_lm(fz_in *in, uint8_t sel, kap_error *e)
{
    double y[MAXN], X[MAXN * 4], L[5];
    int32_t arm[MAXN], fac[4];
    size_t n = fz_len(in, 40), p = fz_u8(in) % 5;
    int intercept = fz_u8(in) & 1;
    double cl = fz_level(in);
    fz_fill(y, n, in);
    fz_fill(X, n * p, in);
    int rc;
    if (sel % 3 == 0) {
        kap_lm *m = NULL;
        rc = kap_lm_fit(&m, y, p ? X : NULL, n, p, intercept, cl, e);
        check_rc(rc, e);
        if (rc == KAP_OK) {
            kap_result r;
            kap_error e2;
            int rc2 = kap_lm_f_test(&r, m, &e2);
            check_rc(rc2, &e2);
            if (rc2 == KAP_OK) check_result(&r);
            size_t k = kap_lm_ncoef(m);
            for (size_t j = 0; j < k && j < 5; j++)
                L[j] = fz_double(in);
            rc2 = kap_lm_contrast(&r, m, L, &e2);
            check_rc(rc2, &e2);
            if (rc2 == KAP_OK) check_result(&r);
            for (size_t j = 0; j < k; j++) {
                rc2 = kap_lm_coef_result(&r, m, j, &e2);
                check_rc(rc2, &e2);
                if (rc2 == KAP_OK) check_result(&r);
            }
            /* compare against the intercept-only model on the same rows */
            kap_lm *m0 = NULL;
            if (intercept && p > 0 && kap_lm_fit(&m0, y, NULL, n, 0, 1, cl, NULL) == KAP_OK) {
                rc2 = kap_lm_compare(&r, m0, m, &e2);
                check_rc(rc2, &e2);
                if (rc2 == KAP_OK) check_result(&r);
            }
            kap_lm_free(m0);
        }
        kap_lm_free(m);
    } else if (sel % 3 == 1) {
        int32_t n_arms = (int32_t)(fz_u8(in) % 5), control = (int32_t)(fz_u8(in) % 4);
        for (size_t i = 0; i < n; i++)
            arm[i] = (int32_t)(fz_u8(in) % 5) - 1;
        size_t q = p % 3;
        for (size_t j = 0; j < q; j++)
            fac[j] = (int32_t)(fz_u8(in) % 3);
        kap_ancova *a = NULL;
        rc = kap_ancova_fit(&a, y, X, arm, n, n_arms, control, q ? X + n : NULL, q,
                            (fz_u8(in) & 1) ? fac : NULL, cl, e);
        check_rc(rc, e);
        if (rc == KAP_OK) {
            kap_result r;
            kap_error e2;
            for (int32_t j = -1; j <= n_arms; j++) {
                int rc2 = kap_ancova_diff(&r, a, j, &e2);
                check_rc(rc2, &e2);
                if (rc2 == KAP_OK) check_result(&r);
                rc2 = kap_ancova_lsmean(&r, a, j, &e2);
                check_rc(rc2, &e2);
                if (rc2 == KAP_OK) check_result(&r);
            }
        }
        kap_ancova_free(a);
    } else {
        int32_t levels = (int32_t)(fz_u8(in) % 6) - 1, ref = (int32_t)(fz_u8(in) % 5) - 1;
        for (size_t i = 0; i < n; i++)
            arm[i] = (int32_t)(fz_u8(in) % 6) - 1;
        double *out = malloc(n * 6 * sizeof *out + 1);
        if (!out)
            return;
        rc = kap_lm_dummies(out, arm, n, levels, ref, e);
        check_rc(rc, e);
        free(out);
    }
}

static void run_anova(fz_in *in, kap_error *e)
{
    double y[MAXN];
    int32_t g[MAXN];
    size_t n = fz_len(in, MAXN);
    int32_t ng = (int32_t)(fz_u8(in) % 6) - 1;
    double cl = fz_level(in);
    kap_alternative alt = fz_alt(in);
    fz_fill(y, n, in);
    for (size_t i = 0; i < n; i++)
        g[i] = (int32_t)(fz_u8(in) % 6) - 1;
    kap_anova_oneway_result r;
    int rc = kap_anova_oneway(&r, y, g, n, ng, cl, alt, e);
    check_rc(rc, e);
    if (rc == KAP_OK) {
        check_result(&r.f);
        check_result(&r.welch);
        check_result(&r.eta_squared);
        check_result(&r.omega_squared);
    }
}

static void run_meta(fz_in *in, uint8_t sel, kap_error *e)
{
    double a[MAXN], b[MAXN], c[MAXN], d[MAXN];
    size_t k = fz_len(in, 40);
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    uint8_t m = fz_u8(in);
    o.method = (kap_meta_method)(m % 5);
    o.test = (kap_meta_test)((m >> 3) % 3);
    o.conf_level = fz_level(in);
    if (m & 0x80) {
        o.threshold = fz_double(in);
        o.tol = fz_double(in);
        o.maxiter = fz_u8(in);
        o.ci_maxiter = fz_u8(in);
        o.ll0check = fz_u8(in) & 1;
        o.tau2_ci = fz_u8(in) & 1;
    }
    fz_fill(a, k, in);
    fz_fill(b, k, in);
    int rc;
    kap_meta_result r;
    switch (sel % 5) {
    case 0:
        rc = kap_meta_fit(&r, a, b, k, (m & 0x40) ? NULL : &o, e);
        check_rc(rc, e);
        if (rc == KAP_OK) check_meta(&r);
        break;
    case 1:
        rc = kap_strat_md(&r, a, b, k, o.conf_level, e);
        check_rc(rc, e);
        if (rc == KAP_OK) check_meta(&r);
        break;
    case 2: {
        kap_strat_summary s[MAXN / 4];
        size_t ks = k % (MAXN / 4);
        for (size_t i = 0; i < ks; i++) {
            s[i].n1 = fz_double(in); s[i].mean1 = fz_double(in); s[i].sd1 = fz_double(in);
            s[i].n2 = fz_double(in); s[i].mean2 = fz_double(in); s[i].sd2 = fz_double(in);
        }
        rc = kap_strat_md_summary(&r, s, ks, m & 1, o.conf_level, e);
        check_rc(rc, e);
        if (rc == KAP_OK) check_meta(&r);
        break;
    }
    default: {
        fz_fill(c, k, in);
        fz_fill(d, k, in);
        if (sel % 5 == 3) {
            kap_cmh_result cr;
            rc = kap_strat_cmh(&cr, a, b, c, d, k, fz_alt(in), o.conf_level, e);
            check_rc(rc, e);
            if (rc == KAP_OK) {
                check_result(&cr.mh_or);
                check_result(&cr.mh_rr);
                check_result(&cr.cmh);
                check_result(&cr.cmh_uncorrected);
                check_result(&cr.breslow_day);
                check_result(&cr.breslow_day_tarone);
            }
        } else {
            rc = kap_strat_woolf(&r, a, b, c, d, k, &o, e);
            check_rc(rc, e);
            if (rc == KAP_OK) check_meta(&r);
        }
        break;
    }
    }
}

static void run_padjust(fz_in *in, kap_error *e)
{
    double p[MAXN], adj[MAXN];
    size_t n = fz_len(in, MAXN);
    kap_padjust_method m = (kap_padjust_method)(fz_u8(in) % 8);
    for (size_t i = 0; i < n; i++) {
        uint8_t b = fz_u8(in);
        p[i] = b < 240 ? b / 239.0 : fz_double(in);
    }
    int inplace = fz_u8(in) & 1;
    double *out = inplace ? p : adj;
    int rc = kap_p_adjust(out, p, n, m, e);
    check_rc(rc, e);
    if (rc == KAP_OK)
        for (size_t i = 0; i < n; i++)
            if (!isnan(out[i]) && !(out[i] >= 0.0 && out[i] <= 1.0))
                abort();
}

/* describe, t tests, effect sizes: strided arrays, options, one/two/paired */
static void run_parametric(fz_in *in, uint8_t sel, kap_error *e)
{
    double x[MAXN * 2], y[MAXN * 2];
    kap_result r;
    size_t nx = fz_len(in, MAXN), ny = fz_len(in, MAXN);
    uint8_t b = fz_u8(in);
    size_t xs = 1 + (b & 1), ys = 1 + ((b >> 1) & 1);
    fz_fill(x, nx * xs, in);
    fz_fill(y, ny * ys, in);
    double cl = fz_level(in);
    kap_alternative alt = fz_alt(in);
    double mu = (b & 0x80) ? fz_double(in) : 0.0;
    kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
    to.alternative = alt;
    to.mu = mu;
    to.conf_level = cl;
    to.var_equal = (b >> 2) & 1;
    kap_effect_size_options eo = KAP_EFFECT_SIZE_OPTIONS_INIT;
    eo.conf_level = cl;
    eo.alternative = alt;
    eo.mu = mu;
    eo.pooled_sd = (b >> 2) & 1;
    eo.ci_method = (kap_es_ci_method)((b >> 3) % 3);
    const kap_ttest_options *top = (b & 0x40) ? NULL : &to;
    const kap_effect_size_options *eop = (b & 0x40) ? NULL : &eo;
    size_t np = nx < ny ? nx : ny;
    kap_paired_d pt = (kap_paired_d)((b >> 4) % 5);
    int rc;
    switch (sel % 10) {
    case 0: {
        kap_describe_result d;
        rc = kap_describe(&d, x, xs, nx, cl, e);
        check_rc(rc, e);
        if (rc == KAP_OK) {
            if (d.n + d.n_missing != nx)
                abort();
            if (!isnan(d.ci_low) && !isnan(d.ci_high) && d.ci_low > d.ci_high)
                abort();
            if (!isnan(d.sd) && d.sd < 0)
                abort();
            if (d.n > 0 && !(d.min <= d.q1 && d.q1 <= d.median && d.median <= d.q3 &&
                             d.q3 <= d.max))
                abort();
            if (d.n > 0 && !(d.mean >= d.min && d.mean <= d.max))
                abort();
        }
        return;
    }
    case 1: rc = kap_ttest_two(&r, x, xs, nx, y, ys, ny, top, e); break;
    case 2: rc = kap_ttest_paired(&r, x, xs, y, ys, np, top, e); break;
    case 3: rc = kap_ttest_one(&r, x, xs, nx, top, e); break;
    case 4: rc = kap_effect_size_cohens_d(&r, x, xs, nx, (b & 0x20) ? NULL : y, ys,
                                          (b & 0x20) ? 0 : ny, eop, e); break;
    case 5: rc = kap_effect_size_hedges_g(&r, x, xs, nx, y, ys, ny, eop, e); break;
    case 6: rc = kap_effect_size_glass_delta(&r, x, xs, nx, y, ys, ny, eop, e); break;
    case 7: rc = kap_effect_size_paired_d(&r, x, xs, y, ys, np, pt, eop, e); break;
    case 8: rc = kap_effect_size_paired_g(&r, x, xs, y, ys, np, pt, eop, e); break;
    default: {
        double j = kap_effect_size_hedges_j(fz_double(in));
        if (!isnan(j) && !(j > 0 && j <= 1))
            abort();
        return;
    }
    }
    check_rc(rc, e);
    if (rc == KAP_OK)
        check_result(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    kap_error e;
    memset(&e, 0, sizeof e);
    uint8_t sel = fz_u8(&in);
    /* family in the low 3 bits, variant above: stable encoding, so that
     * committed corpora and regressions keep their meaning when kernels
     * are added (slot 7 is free). */
    uint8_t v = sel >> 3;
    switch (sel & 7) {
    case 0: run_rank(&in, v, &e); break;
    case 1: run_binary(&in, v, &e); break;
    case 2: run_lm(&in, v, &e); break;
    case 3: run_anova(&in, &e); break;
    case 4: run_meta(&in, v, &e); break;
    case 5: run_parametric(&in, v, &e); break;
    default: run_padjust(&in, &e); break;
    }
    return 0;
}
