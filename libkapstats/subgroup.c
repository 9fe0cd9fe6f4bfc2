/*
 * subgroup.c - subgroup analysis of a trial endpoint: per-level effects,
 * treatment x subgroup interaction, heterogeneity (kap_meta_fit), CMH
 * across levels, within-arm comparisons, forest data, multiplicity; and
 * the shared helpers of subgroup_internal.h.
 */
#include "subgroup_internal.h"
#include "trial_internal.h"
#include "lm_cells_internal.h"
#include "descriptive_internal.h"

#include <gsl/gsl_cdf.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------ */

void kap_sg_groups_clear(kap_sg_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_levels; i++)
        kap_free(g->labels[i]);
    kap_free(g->labels);
    kap_free(g->code);
    g->labels = NULL;
    g->code = NULL;
    g->n_levels = 0;
}

static int is_integer(double x)
{
    return x == floor(x) && fabs(x) < 1e15;
}

/* Label of band b of the numeric bands (b = 0: below c_0). */
static void band_label(char *buf, size_t size, const double *c, size_t m,
                       size_t b, int integer)
{
    if (b == 0)
        kap_snprintf(buf, size, "<%.15g", c[0]);
    else if (b == m)
        kap_snprintf(buf, size, integer ? "%.15g+" : ">=%.15g", c[m - 1]);
    else if (integer)
        kap_snprintf(buf, size, "%.15g-%.15g", c[b - 1], c[b] - 1);
    else
        kap_snprintf(buf, size, "[%.15g,%.15g)", c[b - 1], c[b]);
}

int kap_sg_groups_make(kap_sg_groups *g, const kap_trial *t,
                       const char *variable, const double *cuts,
                       size_t n_cuts, kap_error *err)
{
    static const double age_cuts[KAP_AGE_BANDS_N] = KAP_AGE_BANDS;
    memset(g, 0, sizeof *g);
    size_t c;
    int rc = kap_trial_find_covariate(t, variable, &c, err);
    if (rc != KAP_OK)
        return rc;
    const kap_covariate_data *cv = &t->covariates[c];
    size_t n = t->n;
    g->code = kap_malloc_array(n ? n : 1, sizeof *g->code);
    if (!g->code)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    if (cv->type == KAP_COV_CATEGORICAL) {
        g->labels = kap_calloc(cv->n_levels ? cv->n_levels : 1, sizeof *g->labels);
        if (!g->labels)
            goto nomem;
        for (size_t l = 0; l < cv->n_levels; l++) {
            g->labels[l] = kap_strdup(cv->levels[l]);
            if (!g->labels[l])
                goto nomem;
            g->n_levels = l + 1;
        }
        for (size_t i = 0; i < n; i++)
            g->code[i] = cv->codes[i] < 0 ? -1 : cv->codes[i];
        return KAP_OK;
    }
    if (!cuts) {
        if (strcmp(cv->name, "age") != 0) {
            kap_sg_groups_clear(g);
            return kap_err(err, KAP_EINVAL,
                           "numeric variable '%s' needs cut points (only age has defaults)",
                           variable);
        }
        cuts = age_cuts;
        n_cuts = KAP_AGE_BANDS_N;
    }
    if (n_cuts == 0) {
        kap_sg_groups_clear(g);
        return kap_err(err, KAP_EINVAL, "numeric variable '%s': no cut points", variable);
    }
    int integer = 1;
    for (size_t j = 0; j < n_cuts; j++) {
        if (!isfinite(cuts[j]) || (j > 0 && !(cuts[j] > cuts[j - 1]))) {
            kap_sg_groups_clear(g);
            return kap_err(err, KAP_EINVAL,
                           "cut points must be finite and strictly increasing (cut %zu)", j + 1);
        }
        integer &= is_integer(cuts[j]);
    }
    /* band index 0 .. n_cuts: number of cut points <= x */
    int below = 0;
    for (size_t i = 0; i < n; i++) {
        double x = cv->values[i];
        if (isnan(x)) {
            g->code[i] = -1;
            continue;
        }
        size_t b = 0;
        while (b < n_cuts && x >= cuts[b])
            b++;
        g->code[i] = (int32_t)b;
        below |= (b == 0);
    }
    size_t first = below ? 0 : 1;
    size_t nl = n_cuts + 1 - first;
    g->labels = kap_calloc(nl, sizeof *g->labels);
    if (!g->labels)
        goto nomem;
    for (size_t l = 0; l < nl; l++) {
        char buf[128];
        band_label(buf, sizeof buf, cuts, n_cuts, l + first, integer);
        g->labels[l] = kap_strdup(buf);
        if (!g->labels[l])
            goto nomem;
        g->n_levels = l + 1;
    }
    if (!below)
        for (size_t i = 0; i < n; i++)
            if (g->code[i] > 0)
                g->code[i]--;
    return KAP_OK;
nomem:
    kap_sg_groups_clear(g);
    return kap_err(err, KAP_ENOMEM, "out of memory");
}

int kap_sg_arms(int32_t *treat, int32_t *control, const kap_trial *t,
                const char *treatment, const char *control_name,
                kap_error *err)
{
    if (t->n_arms < 2)
        return kap_err(err, KAP_EDATA, "the trial has %zu arm(s); two are needed", t->n_arms);
    size_t c, a;
    /* NULL control: the library-wide rule of analysis.h */
    int rc = control_name ? kap_trial_find_arm(t, control_name, &c, err)
                          : kap_trial_choose_control(&c, t, NULL, err);
    if (rc != KAP_OK)
        return rc;
    if (treatment) {
        rc = kap_trial_find_arm(t, treatment, &a, err);
        if (rc != KAP_OK)
            return rc;
        if (a == c)
            return kap_err(err, KAP_EDATA, "treatment and control are the same arm '%s'",
                           t->arm_names[c]);
    } else {
        if (t->n_arms > 2)
            return kap_err(err, KAP_EINVAL,
                           "the trial has %zu arms: name the treatment arm", t->n_arms);
        a = c == 0 ? 1 : 0;
    }
    *treat = (int32_t)a;
    *control = (int32_t)c;
    return KAP_OK;
}

/* ---- the handle ----------------------------------------------------------- */

struct kap_subgroup {
    char *variable, *treatment, *control;
    int binary;
    size_t n_levels, n_rows, n_missing;
    int all_small;
    char **labels;               /* n_rows (last = "(missing)" if any) */
    kap_subgroup_row *rows;
    kap_subgroup_interaction inter;
    kap_meta_result het[4];
    int has_cmh;
    kap_cmh_result cmh;
    kap_subgroup_within within[2];
    kap_padjust_method adjust;
    char *family;
};

static const char MISSING_LABEL[] = "(missing)";

int kap_soft_result(int rc, kap_result *r, const char *method, const char *note)
{
    if (rc == KAP_OK)
        return KAP_OK;
    if (rc == KAP_ENOMEM || rc == KAP_EINVAL)
        return rc;
    kap_result_init(r, method);
    r->note = note;
    return KAP_OK;
}

void kap_subgroup_free(kap_subgroup *sg)
{
    if (!sg)
        return;
    if (sg->labels)
        for (size_t i = 0; i < sg->n_rows; i++)
            kap_free(sg->labels[i]);
    kap_free(sg->labels);
    kap_free(sg->rows);
    kap_free(sg->variable);
    kap_free(sg->treatment);
    kap_free(sg->control);
    kap_free(sg->family);
    kap_free(sg);
}


static void nan_result(kap_result *r, const char *method, const char *note)
{
    kap_result_init(r, method);
    r->note = note;
}

static void meta_nan(kap_meta_result *m, kap_meta_method method, const char *note)
{
    kap_result_init(&m->pooled, "meta-analysis not fitted");
    m->pooled.note = note;
    m->tau2 = m->se_tau2 = m->tau2_ci_low = m->tau2_ci_high = NAN;
    m->Q = m->Q_df = m->Q_p = NAN;
    m->I2 = m->I2_ci_low = m->I2_ci_high = NAN;
    m->H2 = m->H2_ci_low = m->H2_ci_high = NAN;
    m->vt = NAN;
    m->k = 0;
    m->n_dropped = 0;
    m->iterations = 0;
    m->method = method;
    m->test = KAP_META_TEST_Z;
    m->het_note = note;
}

static const char NOTE_NO_ARM[] = "a compared arm has no participant with a value in this level";
static const char NOTE_SMALL[] = "fewer than min_per_arm values in an arm (flagged; estimated)";
static const char NOTE_NOVAR[] = "effect variance undefined (an arm with < 2 values or zero variance)";

static int row_continuous(kap_subgroup_row *r, const double *xt, size_t nt,
                          const double *xc, size_t nc, double conf,
                          kap_error *err)
{
    kap_describe_result d[2];
    const double *xs[2] = {xt, xc};
    size_t ns[2] = {nt, nc};
    kap_result *ms[2] = {&r->mean_treat, &r->mean_control};
    for (int a = 0; a < 2; a++) {
        int rc = kap_describe_moments(&d[a], xs[a], ns[a], conf, err);
        if (rc != KAP_OK)
            return rc;
        kap_result_init(ms[a], "mean with t-based CI");
        ms[a]->estimate = d[a].mean;
        ms[a]->se = d[a].se;
        ms[a]->ci_low = d[a].ci_low;
        ms[a]->ci_high = d[a].ci_high;
        ms[a]->conf_level = conf;
        ms[a]->n1 = d[a].n;
        ms[a]->note = d[a].note;
    }
    /* One two-sample summary feeds Welch and Hedges' g: the array forms
     * build this same summary and run the same cores, so the results are
     * the same bits with two passes over the data instead of four.  An
     * infinite value was reported above by kap_describe_moments. */
    kap_two_summary s2;
    int rc = kap_describe_two(&s2, xt, 1, nt, xc, 1, nc, err);
    if (rc != KAP_OK)
        return rc;
    kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
    to.conf_level = conf;
    rc = kap_ttest_two_summary(&r->diff, &s2, &to, err);
    if ((rc = kap_soft_result(rc, &r->diff, "Welch Two Sample t-test", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    r->test = r->diff;
    kap_effect_size_options eo = KAP_EFFECT_SIZE_OPTIONS_INIT;
    eo.conf_level = conf;
    rc = kap_effect_size_hedges_g_summary(&r->hedges_g, &s2, &eo, err);
    if ((rc = kap_soft_result(rc, &r->hedges_g, "Hedges' g", "noncentral-t CI failed")) != KAP_OK)
        return rc;
    nan_result(&r->risk_ratio, "risk ratio", "continuous endpoint");
    nan_result(&r->odds_ratio, "odds ratio", "continuous endpoint");
    r->yi = d[0].mean - d[1].mean;
    r->vi = NAN;
    if (nt >= 2 && nc >= 2) {
        double v = d[0].sd * d[0].sd / (double)nt + d[1].sd * d[1].sd / (double)nc;
        if (v > 0 && isfinite(v))
            r->vi = v;
    }
    if (isnan(r->vi))
        r->yi = NAN;
    return KAP_OK;
}

static int row_binary(kap_subgroup_row *r, const double *xt, size_t nt,
                      const double *xc, size_t nc, double conf, kap_error *err)
{
    size_t e1 = 0, e2 = 0;
    for (size_t i = 0; i < nt; i++)
        e1 += xt[i] != 0;
    for (size_t i = 0; i < nc; i++)
        e2 += xc[i] != 0;
    r->events_treat = e1;
    r->events_control = e2;
    int rc;
    rc = kap_binary_prop_ci(&r->mean_treat, e1, nt, KAP_PROP_WILSON, conf, KAP_TWO_SIDED, err);
    if ((rc = kap_soft_result(rc, &r->mean_treat, "Wilson score interval", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    rc = kap_binary_prop_ci(&r->mean_control, e2, nc, KAP_PROP_WILSON, conf, KAP_TWO_SIDED, err);
    if ((rc = kap_soft_result(rc, &r->mean_control, "Wilson score interval", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    rc = kap_binary_risk_difference(&r->diff, e1, nt, e2, nc, KAP_RD_NEWCOMBE, conf, err);
    if ((rc = kap_soft_result(rc, &r->diff, "risk difference, Newcombe hybrid score CI", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    rc = kap_binary_fisher(&r->test, e1, nt, e2, nc, KAP_TWO_SIDED, conf, err);
    if ((rc = kap_soft_result(rc, &r->test, "Fisher's exact test", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    rc = kap_binary_risk_ratio(&r->risk_ratio, e1, nt, e2, nc, conf, err);
    if ((rc = kap_soft_result(rc, &r->risk_ratio, "risk ratio", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    rc = kap_binary_odds_ratio(&r->odds_ratio, e1, nt, e2, nc, conf, err);
    if ((rc = kap_soft_result(rc, &r->odds_ratio, "odds ratio", NOTE_NO_ARM)) != KAP_OK)
        return rc;
    nan_result(&r->hedges_g, "Hedges' g", "binary endpoint");
    r->yi = r->vi = NAN;
    if (nt > 0 && nc > 0) {
        double a = (double)e1, b = (double)(nt - e1), c = (double)e2, d = (double)(nc - e2);
        if (a == 0 || b == 0 || c == 0 || d == 0) {
            a += 0.5;
            b += 0.5;
            c += 0.5;
            d += 0.5;
        }
        r->yi = log(a) + log(d) - log(b) - log(c);
        r->vi = 1 / a + 1 / b + 1 / c + 1 / d;
    }
    return KAP_OK;
}

/* Interaction F test from per-cell (level x arm) sufficient statistics
 * cs (q = with_base: the baseline column, else none) and the cell counts
 * cnt: anova(lm(y ~ [base +] arm + g), lm(y ~ [base +] arm * g)) over the
 * rows gathered.  Levels are re-indexed over those present; one
 * interaction column per level with both arms except the first such level
 * (the span of R's aliased design).  Both models are fitted from cs
 * (lm_cells_internal.h): the same least-squares problems as the n-row
 * designs. */
static int interaction_model(kap_result *out, const char *method, const kap_lm_cells *cs,
                             const size_t *cnt, size_t L, int with_base,
                             const char *base_note, double conf, kap_error *err)
{
    kap_result_init(out, method);
    int rc = KAP_OK;
    int32_t *map = kap_malloc_array(L ? L : 1, sizeof *map);
    int32_t *imap = kap_malloc_array(L ? L : 1, sizeof *imap);
    double *Xr = NULL, *Xf = NULL;
    kap_lm *m0 = NULL, *m1 = NULL;
    if (!map || !imap) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t Lp = 0, nb = 0;
    for (size_t l = 0; l < L; l++) {
        map[l] = -1;
        imap[l] = -1;
        if (cnt[2 * l] + cnt[2 * l + 1] > 0)
            map[l] = (int32_t)Lp++;
    }
    int32_t first_both = -1;
    for (size_t l = 0; l < L; l++)
        if (cnt[2 * l] > 0 && cnt[2 * l + 1] > 0) {
            if (first_both < 0)
                first_both = (int32_t)l;
            else
                imap[l] = (int32_t)(nb - 1);
            nb++;
        }
    if (nb < 2) {
        out->note = "fewer than two levels have both arms: interaction not testable";
        goto done;
    }
    size_t off = with_base ? 1 : 0;
    size_t pr = off + 1 + (Lp - 1), pf = pr + (nb - 1);
    size_t kr = pr + 1, kf = pf + 1;   /* coefficients with the intercept */
    size_t xcol[1] = {1};
    Xr = kap_calloc(2 * L * kr, sizeof *Xr);
    Xf = kap_calloc(2 * L * kf, sizeof *Xf);
    if (!Xr || !Xf) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t l = 0; l < L; l++)
        for (size_t a = 0; a < 2; a++) {
            double *dr = Xr + (2 * l + a) * kr, *df = Xf + (2 * l + a) * kf;
            if (map[l] < 0)
                continue;
            size_t j = 0;
            dr[j++] = 1.0;
            if (with_base)
                dr[j++] = 0.0;   /* baseline: continuous column */
            dr[j++] = (double)a;
            for (size_t ll = 1; ll < Lp; ll++)
                dr[j++] = map[l] == (int32_t)ll;
            memcpy(df, dr, kr * sizeof *df);
            if (imap[l] >= 0)
                df[kr + (size_t)imap[l]] = (double)a;
        }
    kap_error e2;
    rc = kap_lm_cells_fit(&m0, cs, Xr, kr, xcol, conf, &e2);
    if (rc == KAP_OK)
        rc = kap_lm_cells_fit(&m1, cs, Xf, kf, xcol, conf, &e2);
    if (rc == KAP_OK)
        rc = kap_lm_compare(out, m0, m1, &e2);
    if (rc == KAP_ENOMEM) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    if (rc != KAP_OK) {
        kap_result_init(out, method);
        out->note = rc == KAP_EDATA ? "too few observations for the interaction model"
                                    : "interaction model not estimable (collinear design)";
        rc = KAP_OK;
    }
    out->method = method;
    if (!out->note)
        out->note = base_note;
done:
    kap_lm_free(m0);
    kap_lm_free(m1);
    kap_free(Xr);
    kap_free(Xf);
    kap_free(map);
    kap_free(imap);
    return rc;
}

/* Both interaction F tests, without (f) and with (fb) the baseline, from
 * one pass over the participants: the rows with a level and y feed the
 * statistics of y, those that also have a baseline those of (base, y). */
static int interaction_both(kap_result *f, kap_result *fb, const double *y,
                            const double *base, const int32_t *arm01, const int32_t *lev,
                            size_t n, size_t L, double conf, kap_error *err)
{
    static const char M_F[] = "anova(lm(y ~ arm + g), lm(y ~ arm * g))";
    static const char M_FB[] = "anova(lm(y ~ base + arm + g), lm(y ~ base + arm * g))";
    size_t nc = 2 * (L ? L : 1);
    size_t *cnt0 = kap_calloc(nc, sizeof *cnt0), *cnt1 = kap_calloc(nc, sizeof *cnt1);
    kap_lm_cells s0, s1, s2;
    memset(&s0, 0, sizeof s0);
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    int rc = KAP_OK;
    if (!cnt0 || !cnt1) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = kap_lm_cells_init(&s0, 2 * L, 0, err)) != KAP_OK ||
        (rc = kap_lm_cells_init(&s1, 2 * L, 1, err)) != KAP_OK)
        goto done;
    double b0 = NAN;
    int base_constant = 1;
    for (size_t i = 0; i < n; i++) {
        if (lev[i] < 0 || isnan(y[i]))
            continue;
        size_t c = 2 * (size_t)lev[i] + (size_t)arm01[i];
        cnt0[c]++;
        s0.nrows++;
        kap_lm_cells_add(&s0, c, NULL, y[i]);
        if (isnan(base[i]))
            continue;
        cnt1[c]++;
        s1.nrows++;
        kap_lm_cells_add(&s1, c, base + i, y[i]);
        if (isnan(b0))
            b0 = base[i];
        base_constant &= base[i] == b0;
    }
    if ((rc = interaction_model(f, M_F, &s0, cnt0, L, 0, NULL, conf, err)) != KAP_OK)
        goto done;
    if (!base_constant) {
        rc = interaction_model(fb, M_FB, &s1, cnt1, L, 1, NULL, conf, err);
        goto done;
    }
    /* A constant baseline is aliased with the intercept: R's lm drops it
     * (NA coefficient); so do we, and say so.  The rows stay those with a
     * baseline (a second pass: only in this case). */
    if ((rc = kap_lm_cells_init(&s2, 2 * L, 0, err)) != KAP_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (lev[i] < 0 || isnan(y[i]) || isnan(base[i]))
            continue;
        s2.nrows++;
        kap_lm_cells_add(&s2, 2 * (size_t)lev[i] + (size_t)arm01[i], NULL, y[i]);
    }
    rc = interaction_model(fb, M_FB, &s2, cnt1, L, 0,
                           "baseline constant over the rows used: dropped (aliased with the intercept)",
                           conf, err);
done:
    kap_lm_cells_clear(&s0);
    kap_lm_cells_clear(&s1);
    kap_lm_cells_clear(&s2);
    kap_free(cnt0);
    kap_free(cnt1);
    return rc;
}

/* One arm's across-level tests.  x, g and gi are the caller's n-sized
 * workspaces, shared by both arms. */
static int within_arm(kap_subgroup_within *w, const double *y,
                      const int32_t *arm01, const int32_t *lev, size_t n,
                      size_t L, int32_t which, double conf, double *x,
                      int32_t *g, int *gi, kap_error *err)
{
    nan_result(&w->anova_f, "One-way analysis of means", NULL);
    nan_result(&w->welch_f, "One-way analysis of means (not assuming equal variances)", NULL);
    nan_result(&w->kruskal, "Kruskal-Wallis rank sum test", NULL);
    int rc = KAP_OK;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (arm01[i] == which && lev[i] >= 0 && !isnan(y[i])) {
            x[m] = y[i];
            g[m] = lev[i];
            gi[m] = lev[i];
            m++;
        }
    kap_anova_oneway_result ar;
    kap_error e2;
    int r2 = kap_anova_oneway(&ar, x, g, m, (int32_t)(L ? L : 1), conf, KAP_TWO_SIDED, &e2);
    if (r2 == KAP_ENOMEM) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    if (r2 == KAP_OK) {
        w->anova_f = ar.f;
        w->welch_f = ar.welch;
    } else {
        w->anova_f.note = w->welch_f.note = "fewer than two levels with values (or one value each)";
    }
    r2 = kap_rank_kruskal_wallis(&w->kruskal, x, gi, m, &e2);
    if (r2 == KAP_ENOMEM) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    if (r2 != KAP_OK)
        nan_result(&w->kruskal, "Kruskal-Wallis rank sum test",
                   "fewer than two levels (or two values) with values");
done:
    return rc;
}

static int fit_meta(kap_subgroup *sg, const kap_subgroup_options *o,
                    kap_error *err)
{
    size_t k = 0;
    double *yi = kap_malloc_array(sg->n_levels ? sg->n_levels : 1, sizeof *yi);
    double *vi = kap_malloc_array(sg->n_levels ? sg->n_levels : 1, sizeof *vi);
    size_t *idx = kap_malloc_array(sg->n_levels ? sg->n_levels : 1, sizeof *idx);
    int rc = KAP_OK;
    if (!yi || !vi || !idx) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t l = 0; l < sg->n_levels; l++) {
        kap_subgroup_row *r = &sg->rows[l];
        if (isfinite(r->yi) && isfinite(r->vi) && r->vi > 0) {
            yi[k] = r->yi;
            vi[k] = r->vi;
            idx[k++] = l;
            r->in_heterogeneity = 1;
        }
    }
    for (int m = 0; m < 4; m++) {
        if (k == 0) {
            meta_nan(&sg->het[m], (kap_meta_method)m, "no level with a defined effect and variance");
            continue;
        }
        kap_meta_options mo = KAP_META_OPTIONS_INIT;
        mo.method = (kap_meta_method)m;
        mo.test = o->knapp_hartung ? KAP_META_TEST_KNHA : KAP_META_TEST_Z;
        mo.conf_level = o->conf_level;
        kap_error e2;
        int r2 = kap_meta_fit(&sg->het[m], yi, vi, k, &mo, &e2);
        if (r2 == KAP_ENOMEM) {
            rc = kap_err(err, KAP_ENOMEM, "out of memory");
            goto done;
        }
        if (r2 != KAP_OK)
            meta_nan(&sg->het[m], (kap_meta_method)m,
                     r2 == KAP_ENOCONV ? "estimator did not converge" : "meta-analysis failed");
    }
    /* forest weights of the chosen model */
    const kap_meta_result *h = &sg->het[o->het_method];
    double tau2 = h->tau2, sw = 0;
    if (o->het_method == KAP_META_FE)
        tau2 = 0;
    if (!isnan(tau2)) {
        for (size_t j = 0; j < k; j++)
            sw += 1 / (vi[j] + tau2);
        for (size_t j = 0; j < k; j++)
            sg->rows[idx[j]].weight = 100 * (1 / (vi[j] + tau2)) / sw;
    }
done:
    kap_free(yi);
    kap_free(vi);
    kap_free(idx);
    return rc;
}

int kap_subgroup_run(kap_subgroup **out, const kap_trial *t,
                     const char *instrument, const char *visit,
                     const char *variable, const kap_subgroup_options *opts,
                     kap_error *err)
{
    kap_subgroup_options defaults = KAP_SUBGROUP_OPTIONS_INIT;
    if (out)
        *out = NULL;
    if (!out || !t || !instrument || !visit || !variable)
        return kap_err(err, KAP_EINVAL, "kap_subgroup_run: NULL argument");
    if (!opts)
        opts = &defaults;
    if (opts->version != KAP_SUBGROUP_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_subgroup_run: options version %u, expected %u",
                       opts->version, KAP_SUBGROUP_OPTIONS_VERSION);
    if (!(opts->conf_level > 0 && opts->conf_level < 1))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if ((unsigned)opts->measure > KAP_MEASURE_REMISSION)
        return kap_err(err, KAP_EINVAL,
                       "measure must be change, percent change, response or remission");
    if ((unsigned)opts->het_method > KAP_META_PM)
        return kap_err(err, KAP_EINVAL, "unknown heterogeneity method");
    if (!kap_padjust_method_name(opts->adjust))
        return kap_err(err, KAP_EINVAL, "unknown p-value adjustment method");
    int32_t ta, ca;
    int rc = kap_sg_arms(&ta, &ca, t, opts->treatment, opts->control, err);
    if (rc != KAP_OK)
        return rc;
    size_t k, v;
    if ((rc = kap_trial_find_instrument(t, instrument, &k, err)) != KAP_OK)
        return rc;
    if ((rc = kap_trial_find_visit(t, k, visit, &v, err)) != KAP_OK)
        return rc;
    if (t->instruments[k].baseline < 0)
        return kap_err(err, KAP_EDATA, "instrument '%s' has no baseline visit", instrument);
    if ((long)v == t->instruments[k].baseline)
        return kap_err(err, KAP_EDATA, "visit '%s' is the baseline", visit);

    kap_sg_groups g;
    if ((rc = kap_sg_groups_make(&g, t, variable, opts->cuts, opts->n_cuts, err)) != KAP_OK)
        return rc;
    size_t n = t->n, L = g.n_levels;
    kap_subgroup *sg = kap_calloc(1, sizeof *sg);
    double *y = kap_malloc_array(n ? n : 1, sizeof *y);
    double *base = kap_malloc_array(n ? n : 1, sizeof *base);
    int32_t *arm01 = kap_malloc_array(n ? n : 1, sizeof *arm01);
    int32_t *lev = kap_malloc_array(n ? n : 1, sizeof *lev);
    double *xt = kap_malloc_array(n ? n : 1, sizeof *xt);
    double *xc = kap_malloc_array(n ? n : 1, sizeof *xc);
    double *pv = kap_malloc_array(L ? L : 1, sizeof *pv);
    if (!sg || !y || !base || !arm01 || !lev || !xt || !xc || !pv)
        goto nomem;
    sg->binary = opts->measure == KAP_MEASURE_RESPONSE || opts->measure == KAP_MEASURE_REMISSION;
    sg->adjust = opts->adjust;
    sg->variable = kap_strdup(variable);
    sg->treatment = kap_strdup(t->arm_names[ta]);
    sg->control = kap_strdup(t->arm_names[ca]);
    if (!sg->variable || !sg->treatment || !sg->control)
        goto nomem;
    kap_endpoint_counts ec;
    rc = kap_trial_endpoint(y, &ec, t, k, v, opts->measure, &opts->endpoint, err);
    if (rc != KAP_OK)
        goto fail;
    const kap_instrument_data *in = &t->instruments[k];
    size_t nused = 0, nmiss = 0;
    for (size_t i = 0; i < n; i++) {
        base[i] = in->scores[i * in->n_visits + (size_t)in->baseline];
        arm01[i] = t->arm[i] == ta ? 1 : t->arm[i] == ca ? 0 : -1;
        lev[i] = g.code[i];
        if (arm01[i] < 0) {
            y[i] = NAN;
            lev[i] = -1;
            continue;
        }
        nused += !isnan(y[i]);
        nmiss += g.code[i] < 0;
    }
    if (nused == 0) {
        rc = kap_err(err, KAP_EDATA, "no participant of '%s' or '%s' has a value of %s at %s",
                     sg->treatment, sg->control, instrument, visit);
        goto fail;
    }
    sg->n_levels = L;
    sg->n_missing = nmiss;
    sg->n_rows = L + (nmiss > 0);
    sg->rows = kap_calloc(sg->n_rows ? sg->n_rows : 1, sizeof *sg->rows);
    sg->labels = kap_calloc(sg->n_rows ? sg->n_rows : 1, sizeof *sg->labels);
    if (!sg->rows || !sg->labels)
        goto nomem;
    for (size_t l = 0; l < sg->n_rows; l++) {
        sg->labels[l] = kap_strdup(l < L ? g.labels[l] : MISSING_LABEL);
        if (!sg->labels[l])
            goto nomem;
    }
    double z = gsl_cdf_ugaussian_Pinv(0.5 + opts->conf_level / 2);
    size_t n_small = 0;
    /* The values of each level and arm, in participant order, laid out
     * level after level in xt (treatment) and xc (control): one counting
     * pass and one scatter pass instead of a pass per level.  Row l of
     * the table is level l; row L the missing values. */
    size_t *off = kap_calloc(2 * (L + 2), sizeof *off);
    if (!off)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        if (arm01[i] < 0)
            continue;
        size_t l = g.code[i] < 0 ? L : (size_t)g.code[i];
        sg->rows[l].n_in_level++;
        if (!isnan(y[i]))
            off[2 * (l + 1) + (size_t)(arm01[i] == 1 ? 0 : 1)]++;
    }
    for (size_t l = 1; l < L + 2; l++) {
        off[2 * l] += off[2 * (l - 1)];
        off[2 * l + 1] += off[2 * (l - 1) + 1];
    }
    for (size_t i = 0; i < n; i++) {
        if (arm01[i] < 0 || isnan(y[i]))
            continue;
        size_t l = g.code[i] < 0 ? L : (size_t)g.code[i];
        if (arm01[i] == 1)
            xt[off[2 * l]++] = y[i];
        else
            xc[off[2 * l + 1]++] = y[i];
    }
    /* off[2l] now ends level l: level l is [off[2(l-1)], off[2l]) */
    for (size_t l = 0; l < sg->n_rows; l++) {
        int32_t code = l < L ? (int32_t)l : -1;
        kap_subgroup_row *r = &sg->rows[l];
        size_t lt = l ? off[2 * (l - 1)] : 0, lc = l ? off[2 * (l - 1) + 1] : 0;
        size_t nt = off[2 * l] - lt, nc = off[2 * l + 1] - lc;
        const double *yt = xt + lt, *yc = xc + lc;
        r->level = sg->labels[l];
        r->is_missing = code < 0;
        r->n_treat = nt;
        r->n_control = nc;
        r->small = nt < opts->min_per_arm || nc < opts->min_per_arm;
        rc = sg->binary ? row_binary(r, yt, nt, yc, nc, opts->conf_level, err)
                        : row_continuous(r, yt, nt, yc, nc, opts->conf_level, err);
        if (rc != KAP_OK) {
            kap_free(off);
            goto fail;
        }
        r->p_value = r->test.p_value;
        r->p_adjusted = NAN;
        r->weight = NAN;
        r->forest_estimate = r->forest_ci_low = r->forest_ci_high = NAN;
        if (!isnan(r->yi) && !isnan(r->vi)) {
            double lo = r->yi - z * sqrt(r->vi), hi = r->yi + z * sqrt(r->vi);
            r->forest_estimate = sg->binary ? exp(r->yi) : r->yi;
            r->forest_ci_low = sg->binary ? exp(lo) : lo;
            r->forest_ci_high = sg->binary ? exp(hi) : hi;
        }
        r->note = nt == 0 || nc == 0 ? NOTE_NO_ARM
                  : isnan(r->vi)     ? NOTE_NOVAR
                  : r->small         ? NOTE_SMALL
                                     : NULL;
        if (!r->is_missing) {
            n_small += r->small;
            pv[l] = r->p_value;
        }
    }
    kap_free(off);
    sg->all_small = L > 0 && n_small == L;
    if ((rc = kap_p_adjust(pv, pv, L, opts->adjust, err)) != KAP_OK)
        goto fail;
    for (size_t l = 0; l < L; l++)
        sg->rows[l].p_adjusted = pv[l];
    char fam[512];
    kap_snprintf(fam, sizeof fam,
                 "per-level treatment p-values of '%s' (%zu levels; the missing-value line "
                 "excluded), adjusted by %s",
                 variable, L, kap_padjust_method_name(opts->adjust));
    if (!(sg->family = kap_strdup(fam)))
        goto nomem;

    /* heterogeneity of the per-level effects (missing line excluded) */
    if ((rc = fit_meta(sg, opts, err)) != KAP_OK)
        goto fail;

    /* interaction */
    kap_subgroup_interaction *it = &sg->inter;
    if (!sg->binary) {
        if ((rc = interaction_both(&it->f, &it->f_baseline, y, base, arm01, lev, n, L,
                                   opts->conf_level, err)) != KAP_OK)
            goto fail;
        nan_result(&it->q_logor, "Cochran's Q of per-level log odds ratios", "continuous endpoint");
        nan_result(&it->breslow_day, "Breslow-Day", "continuous endpoint");
        nan_result(&it->breslow_day_tarone, "Breslow-Day-Tarone", "continuous endpoint");
        double *wx = kap_malloc_array(n ? n : 1, sizeof *wx);
        int32_t *wg = kap_malloc_array(n ? n : 1, sizeof *wg);
        int *wgi = kap_malloc_array(n ? n : 1, sizeof *wgi);
        if (!wx || !wg || !wgi)
            rc = kap_err(err, KAP_ENOMEM, "out of memory");
        for (int a = 0; a < 2 && rc == KAP_OK; a++)
            rc = within_arm(&sg->within[a], y, arm01, lev, n, L, a == 0 ? 1 : 0,
                            opts->conf_level, wx, wg, wgi, err);
        kap_free(wx);
        kap_free(wg);
        kap_free(wgi);
        if (rc != KAP_OK)
            goto fail;
    } else {
        nan_result(&it->f, "anova(lm(y ~ arm + g), lm(y ~ arm * g))",
                   "binary endpoint: see q_logor and breslow_day");
        nan_result(&it->f_baseline, "anova(lm(y ~ base + arm + g), lm(y ~ base + arm * g))",
                   "binary endpoint: see q_logor and breslow_day");
        const kap_meta_result *fe = &sg->het[KAP_META_FE];
        kap_result_init(&it->q_logor, "Cochran's Q of per-level log odds ratios (Woolf)");
        it->q_logor.statistic = fe->Q;
        it->q_logor.df = fe->Q_df;
        it->q_logor.p_value = fe->Q_p;
        it->q_logor.n1 = fe->k;
        it->q_logor.note = fe->het_note;
        if (fe->k < 2) {
            it->q_logor.p_value = NAN;
            it->q_logor.note = "fewer than two levels with a defined log odds ratio";
        }
        double *a = kap_malloc_array(4 * (L ? L : 1), sizeof *a);
        if (!a)
            goto nomem;
        for (size_t l = 0; l < L; l++) {
            const kap_subgroup_row *r = &sg->rows[l];
            a[l] = (double)r->events_treat;
            a[L + l] = (double)(r->n_treat - r->events_treat);
            a[2 * L + l] = (double)r->events_control;
            a[3 * L + l] = (double)(r->n_control - r->events_control);
        }
        kap_error e2;
        int r2 = L ? kap_strat_cmh(&sg->cmh, a, a + L, a + 2 * L, a + 3 * L, L, KAP_TWO_SIDED,
                                   opts->conf_level, &e2)
                   : KAP_EDATA;
        kap_free(a);
        if (r2 == KAP_ENOMEM)
            goto nomem;
        sg->has_cmh = r2 == KAP_OK;
        if (sg->has_cmh) {
            it->breslow_day = sg->cmh.breslow_day;
            it->breslow_day_tarone = sg->cmh.breslow_day_tarone;
        } else {
            nan_result(&it->breslow_day, "Breslow-Day", "no usable 2x2 table");
            nan_result(&it->breslow_day_tarone, "Breslow-Day-Tarone", "no usable 2x2 table");
        }
        for (int w = 0; w < 2; w++) {
            nan_result(&sg->within[w].anova_f, "One-way analysis of means", "binary endpoint");
            nan_result(&sg->within[w].welch_f, "One-way analysis of means (not assuming equal variances)",
                       "binary endpoint");
            nan_result(&sg->within[w].kruskal, "Kruskal-Wallis rank sum test", "binary endpoint");
        }
    }
    kap_free(y);
    kap_free(base);
    kap_free(arm01);
    kap_free(lev);
    kap_free(xt);
    kap_free(xc);
    kap_free(pv);
    kap_sg_groups_clear(&g);
    *out = sg;
    return KAP_OK;
nomem:
    rc = kap_err(err, KAP_ENOMEM, "out of memory");
fail:
    kap_free(y);
    kap_free(base);
    kap_free(arm01);
    kap_free(lev);
    kap_free(xt);
    kap_free(xc);
    kap_free(pv);
    kap_sg_groups_clear(&g);
    kap_subgroup_free(sg);
    return rc;
}

/* ---- getters ---------------------------------------------------------------- */

const char *kap_subgroup_variable(const kap_subgroup *sg) { return sg ? sg->variable : NULL; }
const char *kap_subgroup_treatment(const kap_subgroup *sg) { return sg ? sg->treatment : NULL; }
const char *kap_subgroup_control(const kap_subgroup *sg) { return sg ? sg->control : NULL; }
int kap_subgroup_is_binary(const kap_subgroup *sg) { return sg ? sg->binary : 0; }
size_t kap_subgroup_n_levels(const kap_subgroup *sg) { return sg ? sg->n_levels : 0; }
size_t kap_subgroup_n_rows(const kap_subgroup *sg) { return sg ? sg->n_rows : 0; }
size_t kap_subgroup_n_missing(const kap_subgroup *sg) { return sg ? sg->n_missing : 0; }
int kap_subgroup_all_small(const kap_subgroup *sg) { return sg ? sg->all_small : 0; }

const kap_subgroup_row *kap_subgroup_row_at(const kap_subgroup *sg, size_t i)
{
    return sg && i < sg->n_rows ? &sg->rows[i] : NULL;
}

const kap_subgroup_interaction *kap_subgroup_get_interaction(const kap_subgroup *sg)
{
    return sg ? &sg->inter : NULL;
}

const kap_meta_result *kap_subgroup_heterogeneity(const kap_subgroup *sg,
                                                  kap_meta_method method)
{
    return sg && (unsigned)method <= KAP_META_PM ? &sg->het[method] : NULL;
}

const kap_cmh_result *kap_subgroup_cmh(const kap_subgroup *sg)
{
    return sg && sg->has_cmh ? &sg->cmh : NULL;
}

const kap_subgroup_within *kap_subgroup_within_arm(const kap_subgroup *sg, int arm)
{
    return sg && (arm == 0 || arm == 1) ? &sg->within[arm] : NULL;
}

kap_padjust_method kap_subgroup_adjust_method(const kap_subgroup *sg)
{
    return sg ? sg->adjust : KAP_PADJUST_NONE;
}

const char *kap_subgroup_adjust_family(const kap_subgroup *sg)
{
    return sg ? sg->family : NULL;
}

/* ---- family ------------------------------------------------------------------ */

struct kap_subgroup_family {
    size_t n;
    kap_subgroup **sg;
    double *p, *padj;
    kap_padjust_method method;
    char *description;
};

void kap_subgroup_family_free(kap_subgroup_family *f)
{
    if (!f)
        return;
    if (f->sg)
        for (size_t i = 0; i < f->n; i++)
            kap_subgroup_free(f->sg[i]);
    kap_free(f->sg);
    kap_free(f->p);
    kap_free(f->padj);
    kap_free(f->description);
    kap_free(f);
}

/* The family of already computed subgroup analyses sg[0..n) (ownership of
 * each passes to the family, also on failure; the array itself stays the
 * caller's). */
int kap_sg_family_adopt(kap_subgroup_family **out, kap_subgroup **sg, size_t n,
                        kap_padjust_method method, kap_error *err)
{
    *out = NULL;
    kap_subgroup_family *f = kap_calloc(1, sizeof *f);
    if (f) {
        f->sg = kap_calloc(n ? n : 1, sizeof *f->sg);
        f->p = kap_malloc_array(n ? n : 1, sizeof *f->p);
        f->padj = kap_malloc_array(n ? n : 1, sizeof *f->padj);
    }
    if (!f || !f->sg || !f->p || !f->padj) {
        for (size_t i = 0; i < n; i++)
            kap_subgroup_free(sg[i]);
        kap_subgroup_family_free(f);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    f->method = method;
    f->n = n;
    for (size_t i = 0; i < n; i++) {
        f->sg[i] = sg[i];
        const kap_subgroup_interaction *it = &f->sg[i]->inter;
        f->p[i] = f->sg[i]->binary ? it->q_logor.p_value : it->f.p_value;
    }
    int rc = kap_p_adjust(f->padj, f->p, n, method, err);
    if (rc != KAP_OK) {
        kap_subgroup_family_free(f);
        return rc;
    }
    char desc[1024];
    size_t len = (size_t)kap_snprintf(desc, sizeof desc,
                                      "treatment x subgroup interaction p-values of %zu variables (",
                                      n);
    for (size_t i = 0; i < n && len < sizeof desc; i++)
        len += (size_t)kap_snprintf(desc + len, sizeof desc - len, "%s%s", i ? ", " : "",
                                    f->sg[i]->variable);
    if (len < sizeof desc)
        kap_snprintf(desc + len, sizeof desc - len, "), adjusted by %s",
                     kap_padjust_method_name(method));
    if (!(f->description = kap_strdup(desc))) {
        kap_subgroup_family_free(f);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    *out = f;
    return KAP_OK;
}

int kap_subgroup_family_run(kap_subgroup_family **out, const kap_trial *t,
                            const char *instrument, const char *visit,
                            const char *const *variables, size_t n_variables,
                            const kap_subgroup_options *opts,
                            kap_padjust_method method, kap_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !t || !variables || n_variables == 0)
        return kap_err(err, KAP_EINVAL, "kap_subgroup_family_run: NULL argument or no variable");
    if (!kap_padjust_method_name(method))
        return kap_err(err, KAP_EINVAL, "unknown p-value adjustment method");
    kap_subgroup **sg = kap_calloc(n_variables, sizeof *sg);
    if (!sg)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_variables; i++) {
        int rc = KAP_EINVAL;
        if (!variables[i])
            kap_err(err, KAP_EINVAL, "variable %zu is NULL", i + 1);
        else
            rc = kap_subgroup_run(&sg[i], t, instrument, visit, variables[i], opts, err);
        if (rc != KAP_OK) {
            if (err && variables[i]) {
                char msg[sizeof err->message];
                kap_snprintf(msg, sizeof msg, "subgroup variable '%s': %s", variables[i], err->message);
                memcpy(err->message, msg, sizeof msg);
            }
            for (size_t j = 0; j < i; j++)
                kap_subgroup_free(sg[j]);
            kap_free(sg);
            return rc;
        }
    }
    int rc = kap_sg_family_adopt(out, sg, n_variables, method, err);
    kap_free(sg);
    return rc;
}

size_t kap_subgroup_family_size(const kap_subgroup_family *f) { return f ? f->n : 0; }

const kap_subgroup *kap_subgroup_family_get(const kap_subgroup_family *f, size_t i)
{
    return f && i < f->n ? f->sg[i] : NULL;
}

double kap_subgroup_family_p(const kap_subgroup_family *f, size_t i)
{
    return f && i < f->n ? f->p[i] : NAN;
}

double kap_subgroup_family_p_adjusted(const kap_subgroup_family *f, size_t i)
{
    return f && i < f->n ? f->padj[i] : NAN;
}

kap_padjust_method kap_subgroup_family_method(const kap_subgroup_family *f)
{
    return f ? f->method : KAP_PADJUST_NONE;
}

const char *kap_subgroup_family_description(const kap_subgroup_family *f)
{
    return f ? f->description : NULL;
}
