/*
 * compare.c - the primary comparison of a trial endpoint: per-arm change
 * from baseline, ANCOVA, Hedges' g, Welch, response and remission with RD,
 * RR, OR, Fisher and NNT, each arm against a control arm.
 */
#include "trial_internal.h"

#include <ctype.h>
#include <string.h>

struct kap_compare {
    size_t n_arms;
    size_t control;
    kap_compare_arm *arms;
    kap_endpoint_counts counts;
    size_t ancova_n;
};

static const char *const control_words[] = {
    "placebo", "control", "sham", "waitlist", "wait-list", "wait_list", "usual",
};

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

int kap_trial_choose_control(size_t *index, const kap_trial *t,
                             const char *name, kap_error *err)
{
    if (!index || !t)
        return kap_err(err, KAP_EINVAL, "kap_trial_choose_control: NULL argument");
    if (name)
        return kap_trial_find_arm(t, name, index, err);
    size_t found = 0, which = 0;
    for (size_t a = 0; a < t->n_arms; a++) {
        int match = 0;
        for (size_t w = 0; w < sizeof control_words / sizeof *control_words; w++)
            match |= contains_ci(t->arm_names[a], control_words[w]);
        if (match) {
            found++;
            which = a;
        }
    }
    if (found == 1) {
        *index = which;
        return KAP_OK;
    }
    return kap_err(err, KAP_EDATA,
                   "cannot choose the control arm: %s arm name looks like a control "
                   "(placebo, control, sham, waitlist, usual care); name it explicitly",
                   found == 0 ? "no" : "more than one");
}

void kap_compare_free(kap_compare *c)
{
    if (!c)
        return;
    kap_free(c->arms);
    kap_free(c);
}

size_t kap_compare_n_arms(const kap_compare *c) { return c ? c->n_arms : 0; }
size_t kap_compare_control(const kap_compare *c) { return c ? c->control : 0; }

const kap_compare_arm *kap_compare_arm_at(const kap_compare *c, size_t a)
{
    return (c && a < c->n_arms) ? &c->arms[a] : NULL;
}

const kap_endpoint_counts *kap_compare_counts(const kap_compare *c)
{
    return c ? &c->counts : NULL;
}

size_t kap_compare_ancova_n(const kap_compare *c) { return c ? c->ancova_n : 0; }

static void nan_binary(kap_binary_comparison *b, const char *note)
{
    kap_result_init(&b->rd, NULL);
    kap_result_init(&b->rr, NULL);
    kap_result_init(&b->or_, NULL);
    kap_result_init(&b->fisher, NULL);
    b->rd.note = b->rr.note = b->or_.note = b->fisher.note = note;
    memset(&b->nnt, 0, sizeof b->nnt);
    b->nnt.rd = b->nnt.rd_low = b->nnt.rd_high = b->nnt.nnt = NAN;
    b->nnt.nntb_low = b->nnt.nntb_high = b->nnt.nnth_low = b->nnt.nnth_high = NAN;
    b->nnt.conf_level = NAN;
    b->nnt.note = note;
}

/* Events among the used values (0/1, NaN = not used) of arm a. */
static void count_rate(kap_rate *r, const double *v, const int32_t *arm,
                       size_t n, int32_t a, double conf_level)
{
    r->events = r->n = 0;
    for (size_t i = 0; i < n; i++)
        if (arm[i] == a && !isnan(v[i])) {
            r->n++;
            r->events += v[i] != 0.0;
        }
    if (kap_binary_prop_ci(&r->rate, r->events, r->n, KAP_PROP_WILSON, conf_level, KAP_TWO_SIDED, NULL) != KAP_OK) {
        kap_result_init(&r->rate, "Wilson score interval");
        r->rate.note = "no participants with a value in this arm";
    }
}

/* RD, RR, OR, Fisher and NNT of arm x against control y.  Failures of a
 * single estimate (e.g. an empty arm) leave NaN with the kernel's note. */
static int compare_binary(kap_binary_comparison *b, const kap_rate *x,
                          const kap_rate *y, double conf_level)
{
    nan_binary(b, NULL);
    if (x->n == 0 || y->n == 0) {
        nan_binary(b, "an arm has no participants with a value");
        return KAP_OK;
    }
    kap_error e;
    int rc;
    if ((rc = kap_binary_risk_difference(&b->rd, x->events, x->n, y->events, y->n,
                                         KAP_RD_NEWCOMBE, conf_level, &e)) != KAP_OK &&
        rc == KAP_ENOMEM)
        return rc;
    if ((rc = kap_binary_risk_ratio(&b->rr, x->events, x->n, y->events, y->n, conf_level,
                                    &e)) == KAP_ENOMEM)
        return rc;
    if ((rc = kap_binary_odds_ratio(&b->or_, x->events, x->n, y->events, y->n, conf_level,
                                    &e)) == KAP_ENOMEM)
        return rc;
    if ((rc = kap_binary_fisher(&b->fisher, x->events, x->n, y->events, y->n, KAP_TWO_SIDED,
                                conf_level, &e)) == KAP_ENOMEM)
        return rc;
    if ((rc = kap_binary_nnt(&b->nnt, x->events, x->n, y->events, y->n, KAP_EVENT_BENEFICIAL,
                             KAP_RD_NEWCOMBE, conf_level, &e)) == KAP_ENOMEM)
        return rc;
    return KAP_OK;
}

/* Columns for the named covariates among rows with keep[i]: numeric as
 * is, categorical as treatment-coded dummies over the levels present. */
static int build_covariates(double **out_x, int32_t **out_factor, size_t *out_q,
                            const kap_trial *t, const kap_compare_options *o,
                            const unsigned char *keep, kap_error *err)
{
    size_t n = t->n, q = 0;
    *out_x = NULL;
    *out_factor = NULL;
    *out_q = 0;
    if (o->n_covariates == 0)
        return KAP_OK;
    /* first pass: count columns */
    size_t *idx = kap_calloc(o->n_covariates, sizeof *idx);
    if (!idx)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    int rc = KAP_OK;
    size_t max_levels = 1;
    for (size_t j = 0; j < o->n_covariates; j++) {
        if (!o->covariates[j]) {
            rc = kap_err(err, KAP_EINVAL, "covariate name %zu is NULL", j);
            goto fail;
        }
        if ((rc = kap_trial_find_covariate(t, o->covariates[j], &idx[j], err)) != KAP_OK)
            goto fail;
        const kap_covariate_data *cv = &t->covariates[idx[j]];
        if (cv->type == KAP_COV_NUMERIC)
            q++;
        else {
            q += cv->n_levels;   /* upper bound; present levels - 1 used */
            if (cv->n_levels > max_levels)
                max_levels = cv->n_levels;
        }
    }
    double *x = kap_malloc_array(n, q * sizeof(double));
    int32_t *factor = kap_calloc(q, sizeof *factor);
    int32_t *remap = kap_malloc_array(max_levels, sizeof *remap);
    if (!x || !factor || !remap) {
        kap_free(x);
        kap_free(factor);
        kap_free(remap);
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto fail;
    }
    size_t col = 0;
    int32_t group = 0;
    for (size_t j = 0; j < o->n_covariates; j++) {
        const kap_covariate_data *cv = &t->covariates[idx[j]];
        if (cv->type == KAP_COV_NUMERIC) {
            for (size_t i = 0; i < n; i++)
                x[i * q + col] = cv->values[i];
            factor[col++] = 0;
            continue;
        }
        /* levels present among the rows kept: the first is the reference */
        for (size_t l = 0; l < cv->n_levels; l++)
            remap[l] = -1;
        for (size_t i = 0; i < n; i++)
            if (keep[i] && cv->codes[i] >= 0)
                remap[cv->codes[i]] = 0;
        int32_t present = 0;
        for (size_t l = 0; l < cv->n_levels; l++)
            if (remap[l] == 0)
                remap[l] = present++;
        if (present < 2)
            continue;   /* constant among the rows used: nothing to adjust */
        group++;
        for (int32_t l = 1; l < present; l++) {
            for (size_t i = 0; i < n; i++) {
                int32_t c = cv->codes[i];
                x[i * q + col] = c < 0 ? NAN : (remap[c] == l ? 1.0 : 0.0);
            }
            factor[col++] = group;
        }
    }
    kap_free(remap);
    kap_free(idx);
    /* compact the row stride from q to col */
    if (col < q) {
        for (size_t i = 0; i < n; i++)
            memmove(x + i * col, x + i * q, col * sizeof(double));
    }
    *out_x = x;
    *out_factor = factor;
    *out_q = col;
    return KAP_OK;
fail:
    kap_free(idx);
    return rc;
}

int kap_compare_run(kap_compare **out, const kap_trial *t,
                    const char *instrument, const char *visit,
                    const kap_compare_options *opts, kap_error *err)
{
    kap_compare_options defaults = KAP_COMPARE_OPTIONS_INIT;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_compare_run: NULL out");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (!t || !instrument || !visit)
        return kap_err(err, KAP_EINVAL, "kap_compare_run: NULL argument");
    if (opts->version != KAP_COMPARE_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_compare_run: options version %u, expected %u",
                       opts->version, KAP_COMPARE_OPTIONS_VERSION);
    if (!(opts->conf_level > 0.0 && opts->conf_level < 1.0))
        return kap_err(err, KAP_EINVAL, "confidence level %g is not in (0, 1)", opts->conf_level);
    if (t->n_arms < 2)
        return kap_err(err, KAP_EDATA, "the trial has %zu arm%s: a comparison needs two",
                       t->n_arms, t->n_arms == 1 ? "" : "s");
    size_t k, v, control;
    int rc;
    if ((rc = kap_trial_find_instrument(t, instrument, &k, err)) != KAP_OK ||
        (rc = kap_trial_find_visit(t, k, visit, &v, err)) != KAP_OK ||
        (rc = kap_trial_choose_control(&control, t, opts->control, err)) != KAP_OK)
        return rc;
    const kap_instrument_data *in = &t->instruments[k];
    if (in->baseline < 0)
        return kap_err(err, KAP_EDATA, "instrument '%s' has no baseline visit", in->name);

    size_t n = t->n, na = t->n_arms;
    kap_compare *c = kap_calloc(1, sizeof *c);
    double *work = kap_malloc_array(n, 6 * sizeof(double));
    unsigned char *keep = kap_malloc(n);
    double *cov = NULL;
    int32_t *factor = NULL;
    kap_ancova *anc = NULL;
    if (c)
        c->arms = kap_calloc(na, sizeof *c->arms);
    if (!c || !c->arms || !work || !keep) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    c->n_arms = na;
    c->control = control;
    double *change = work, *resp = work + n, *remis = work + 2 * n;
    double *base = work + 3 * n, *xa = work + 4 * n, *xc = work + 5 * n;

    kap_endpoint_options eo = KAP_ENDPOINT_OPTIONS_INIT;
    eo.missing = opts->missing;
    eo.response_threshold = opts->response_threshold;
    eo.remission_cutoff = opts->remission_cutoff;
    eo.remission_strict = opts->remission_strict;
    if ((rc = kap_trial_endpoint(change, &c->counts, t, k, v, KAP_MEASURE_CHANGE, &eo, err)) != KAP_OK ||
        (rc = kap_trial_endpoint(resp, NULL, t, k, v, KAP_MEASURE_RESPONSE, &eo, err)) != KAP_OK)
        goto done;
    int have_remission = 1;
    rc = kap_trial_endpoint(remis, NULL, t, k, v, KAP_MEASURE_REMISSION, &eo, NULL);
    if (rc == KAP_EINVAL && isnan(opts->remission_cutoff)) {
        have_remission = 0;    /* no default cut-off for this instrument */
        for (size_t i = 0; i < n; i++)
            remis[i] = NAN;
    } else if (rc != KAP_OK) {
        rc = kap_trial_endpoint(remis, NULL, t, k, v, KAP_MEASURE_REMISSION, &eo, err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        base[i] = in->scores[i * in->n_visits + (size_t)in->baseline];
        keep[i] = !isnan(change[i]);
    }

    /* per-arm descriptives and rates */
    for (size_t a = 0; a < na; a++) {
        kap_compare_arm *A = &c->arms[a];
        A->name = t->arm_names[a];
        size_t m = 0, nb = 0;
        for (size_t i = 0; i < n; i++) {
            if (t->arm[i] != (int32_t)a)
                continue;
            A->n_randomised++;
            if (keep[i]) {
                xa[m++] = change[i];
                xc[nb++] = base[i];
            }
        }
        /* counts of this arm */
        kap_endpoint_counts *ac = &A->counts;
        ac->n_participants = A->n_randomised;
        ac->n_used = m;
        for (size_t i = 0; i < n; i++) {
            if (t->arm[i] != (int32_t)a)
                continue;
            const double *row = in->scores + i * in->n_visits;
            if (isnan(row[in->baseline]))
                ac->n_missing_baseline++;
            else if (isnan(row[v])) {
                if (keep[i])
                    ac->n_imputed++;
                else
                    ac->n_missing_post++;
            }
        }
        if ((rc = kap_describe(&A->change, xa, 1, m, opts->conf_level, err)) != KAP_OK ||
            (rc = kap_describe(&A->baseline, xc, 1, nb, opts->conf_level, err)) != KAP_OK)
            goto done;
        count_rate(&A->response, resp, t->arm, n, (int32_t)a, opts->conf_level);
        count_rate(&A->remission, remis, t->arm, n, (int32_t)a, opts->conf_level);
        if (!have_remission)
            A->remission.rate.note = "no remission cut-off defined for this instrument";
        kap_result_init(&A->lsmean, NULL);
        kap_result_init(&A->welch, NULL);
        kap_result_init(&A->ancova, NULL);
        kap_result_init(&A->hedges_g, NULL);
        nan_binary(&A->response_vs_control, NULL);
        nan_binary(&A->remission_vs_control, NULL);
    }
    const kap_compare_arm *C = &c->arms[control];
    if (C->change.n == 0) {
        rc = kap_err(err, KAP_EDATA, "the control arm '%s' has no participant with a %s change at %s",
                     C->name, in->name, in->visit_labels[v]);
        goto done;
    }

    /* Welch and Hedges' g against control */
    kap_ttest_options to = KAP_TTEST_OPTIONS_INIT;
    to.conf_level = opts->conf_level;
    kap_effect_size_options so = KAP_EFFECT_SIZE_OPTIONS_INIT;
    so.conf_level = opts->conf_level;
    size_t mc = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i] && t->arm[i] == (int32_t)control)
            xc[mc++] = change[i];
    for (size_t a = 0; a < na; a++) {
        if (a == control)
            continue;
        kap_compare_arm *A = &c->arms[a];
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i] && t->arm[i] == (int32_t)a)
                xa[m++] = change[i];
        /* One summary for both: the array forms build this same summary
         * and run the same cores, so the bits are the same (two passes
         * over the data instead of four).  kap_describe above has already
         * refused infinite values, so the summary cannot fail here. */
        kap_error e;
        kap_two_summary s2;
        if ((rc = kap_describe_two(&s2, xa, 1, m, xc, 1, mc, err)) != KAP_OK)
            goto done;
        if (kap_ttest_two_summary(&A->welch, &s2, &to, &e) == KAP_ENOMEM ||
            kap_effect_size_hedges_g_summary(&A->hedges_g, &s2, &so, &e) ==
                KAP_ENOMEM) {
            rc = kap_err(err, KAP_ENOMEM, "out of memory");
            goto done;
        }
        if (m < 2) {
            A->welch.note = A->hedges_g.note = "fewer than two participants with a change in this arm";
        }
        if ((rc = compare_binary(&A->response_vs_control, &A->response, &C->response,
                                 opts->conf_level)) != KAP_OK ||
            (have_remission &&
             (rc = compare_binary(&A->remission_vs_control, &A->remission, &C->remission,
                                  opts->conf_level)) != KAP_OK)) {
            rc = kap_err(err, rc, "out of memory");
            goto done;
        }
        if (!have_remission)
            nan_binary(&A->remission_vs_control, "no remission cut-off defined for this instrument");
    }

    /* ANCOVA over the arms with data (compact codes) */
    size_t q = 0;
    if ((rc = build_covariates(&cov, &factor, &q, t, opts, keep, err)) != KAP_OK)
        goto done;
    int32_t *code = (int32_t *)xa;   /* n int32 fit in n doubles */
    int32_t map[256];
    int32_t *amap = na <= 256 ? map : kap_malloc_array(na, sizeof *amap);
    if (!amap) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    int32_t used_arms = 0;
    for (size_t a = 0; a < na; a++)
        amap[a] = c->arms[a].change.n > 0 ? used_arms++ : -1;
    for (size_t i = 0; i < n; i++)
        code[i] = keep[i] ? amap[t->arm[i]] : -1;
    if (used_arms >= 2) {
        kap_error e;
        rc = kap_ancova_fit(&anc, change, base, code, n, used_arms, amap[control], cov, q,
                            q ? factor : NULL, opts->conf_level, &e);
        if (rc == KAP_OK) {
            c->ancova_n = kap_lm_nobs(kap_ancova_model(anc));
            /* lsmean allocates: out of memory there must fail the call,
             * not leave an all-NaN lsmean behind KAP_OK (found by the
             * fault sweep, tests/fault/scenarios.c "compare") */
            for (size_t a = 0; a < na && rc == KAP_OK; a++) {
                if (amap[a] < 0)
                    continue;
                rc = kap_ancova_lsmean(&c->arms[a].lsmean, anc, amap[a], &e);
                if (rc == KAP_OK && a != control)
                    rc = kap_ancova_diff(&c->arms[a].ancova, anc, amap[a], &e);
            }
        }
        if (rc == KAP_ENOMEM || rc == KAP_EINVAL) {
            if (amap != map)
                kap_free(amap);
            if (err)
                *err = e;
            goto done;
        } else if (rc != KAP_OK) {
            /* e.g. too few rows or a singular design: report, keep the rest */
            for (size_t a = 0; a < na; a++)
                c->arms[a].lsmean.note = c->arms[a].ancova.note =
                    rc == KAP_ENUMERIC ? "ANCOVA design is singular (collinear covariates)"
                                       : "too few participants for the ANCOVA";
            rc = KAP_OK;
        }
    }
    for (size_t a = 0; a < na; a++)
        if (amap[a] < 0)
            c->arms[a].lsmean.note = c->arms[a].ancova.note =
                "no participant with a change in this arm";
    if (amap != map)
        kap_free(amap);
    rc = KAP_OK;

done:
    kap_ancova_free(anc);
    kap_free(cov);
    kap_free(factor);
    kap_free(work);
    kap_free(keep);
    if (rc == KAP_OK)
        *out = c;
    else
        kap_compare_free(c);
    return rc;
}
