/*
 * table1.c - representation (enrolment by level, per arm and overall,
 * against a reference distribution) and "Table 1" (baseline
 * characteristics by arm with standardised differences).
 */
#include "subgroup_internal.h"
#include "trial_internal.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <string.h>

/* ---- representation ---------------------------------------------------- */

struct kap_representation {
    size_t n_levels, n_arms;   /* columns: n_arms + 1 (overall) */
    char **levels;
    char **arms;               /* n_arms + 1, last "overall" */
    size_t *count;             /* n_levels x (n_arms + 1) */
    size_t *missing;           /* n_arms + 1 */
    double *ref;               /* n_levels */
    double conf_level;
};

void kap_representation_free(kap_representation *r)
{
    if (!r)
        return;
    if (r->levels)
        for (size_t l = 0; l < r->n_levels; l++)
            kap_free(r->levels[l]);
    if (r->arms)
        for (size_t a = 0; a <= r->n_arms; a++)
            kap_free(r->arms[a]);
    kap_free(r->levels);
    kap_free(r->arms);
    kap_free(r->count);
    kap_free(r->missing);
    kap_free(r->ref);
    kap_free(r);
}

int kap_representation_run(kap_representation **out, const kap_trial *t,
                           const char *variable,
                           const kap_representation_options *opts,
                           kap_error *err)
{
    kap_representation_options defaults = KAP_REPRESENTATION_OPTIONS_INIT;
    if (out)
        *out = NULL;
    if (!out || !t || !variable)
        return kap_err(err, KAP_EINVAL, "kap_representation_run: NULL argument");
    if (!opts)
        opts = &defaults;
    if (opts->version != KAP_REPRESENTATION_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_representation_run: options version %u, expected %u",
                       opts->version, KAP_REPRESENTATION_OPTIONS_VERSION);
    if (!(opts->conf_level > 0 && opts->conf_level < 1))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (opts->n_reference && (!opts->reference_levels || !opts->reference_props))
        return kap_err(err, KAP_EINVAL, "reference levels or proportions missing");
    for (size_t j = 0; j < opts->n_reference; j++) {
        double p = opts->reference_props[j];
        if (!opts->reference_levels[j])
            return kap_err(err, KAP_EINVAL, "reference level %zu is NULL", j + 1);
        if (!isnan(p) && !(p >= 0 && p <= 1))
            return kap_err(err, KAP_EINVAL, "reference proportion of '%s' is not in [0, 1]",
                           opts->reference_levels[j]);
    }
    kap_sg_groups g;
    int rc = kap_sg_groups_make(&g, t, variable, opts->cuts, opts->n_cuts, err);
    if (rc != KAP_OK)
        return rc;
    kap_representation *r = kap_calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->conf_level = opts->conf_level;
    size_t extra = 0;
    for (size_t j = 0; j < opts->n_reference; j++) {
        int found = 0;
        for (size_t l = 0; l < g.n_levels && !found; l++)
            found = !strcmp(g.labels[l], opts->reference_levels[j]);
        for (size_t i = 0; i < j && !found; i++)
            found = !strcmp(opts->reference_levels[i], opts->reference_levels[j]);
        extra += !found;
    }
    size_t nl = g.n_levels + extra, na = t->n_arms, nc = na + 1;
    r->levels = kap_calloc(nl ? nl : 1, sizeof *r->levels);
    r->arms = kap_calloc(nc, sizeof *r->arms);
    r->count = kap_calloc(nl ? nl * nc : 1, sizeof *r->count);
    r->missing = kap_calloc(nc, sizeof *r->missing);
    r->ref = kap_malloc_array(nl ? nl : 1, sizeof *r->ref);
    if (!r->levels || !r->arms || !r->count || !r->missing || !r->ref)
        goto nomem;
    r->n_arms = na;
    for (size_t a = 0; a < nc; a++)
        if (!(r->arms[a] = kap_strdup(a < na ? t->arm_names[a] : "overall")))
            goto nomem;
    for (size_t l = 0; l < g.n_levels; l++) {
        if (!(r->levels[l] = kap_strdup(g.labels[l])))
            goto nomem;
        r->n_levels = l + 1;
    }
    for (size_t j = 0; j < opts->n_reference; j++) {
        int found = 0;
        for (size_t l = 0; l < r->n_levels && !found; l++)
            found = !strcmp(r->levels[l], opts->reference_levels[j]);
        if (!found) {
            if (!(r->levels[r->n_levels] = kap_strdup(opts->reference_levels[j])))
                goto nomem;
            r->n_levels++;
        }
    }
    for (size_t l = 0; l < nl; l++) {
        r->ref[l] = NAN;
        for (size_t j = 0; j < opts->n_reference; j++)
            if (!strcmp(r->levels[l], opts->reference_levels[j]))
                r->ref[l] = opts->reference_props[j];
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t a = (size_t)t->arm[i];
        if (g.code[i] < 0) {
            r->missing[a]++;
            r->missing[na]++;
        } else {
            r->count[(size_t)g.code[i] * nc + a]++;
            r->count[(size_t)g.code[i] * nc + na]++;
        }
    }
    kap_sg_groups_clear(&g);
    *out = r;
    return KAP_OK;
nomem:
    kap_sg_groups_clear(&g);
    kap_representation_free(r);
    return kap_err(err, KAP_ENOMEM, "out of memory");
}

size_t kap_representation_n_levels(const kap_representation *r) { return r ? r->n_levels : 0; }
size_t kap_representation_n_arms(const kap_representation *r) { return r ? r->n_arms : 0; }

const char *kap_representation_level(const kap_representation *r, size_t level)
{
    return r && level < r->n_levels ? r->levels[level] : NULL;
}

const char *kap_representation_arm(const kap_representation *r, size_t arm)
{
    return r && arm <= r->n_arms ? r->arms[arm] : NULL;
}

static size_t rep_known(const kap_representation *r, size_t arm)
{
    size_t n = 0;
    for (size_t l = 0; l < r->n_levels; l++)
        n += r->count[l * (r->n_arms + 1) + arm];
    return n;
}

int kap_representation_cell(kap_result *out, const kap_representation *r,
                            size_t level, size_t arm, kap_error *err)
{
    if (!out || !r || level >= r->n_levels || arm > r->n_arms)
        return kap_err(err, KAP_EINVAL, "kap_representation_cell: NULL or index out of range");
    size_t k = r->count[level * (r->n_arms + 1) + arm], n = rep_known(r, arm);
    if (n == 0) {
        kap_result_init(out, "proportion, Wilson score interval");
        out->note = "no participant with a known value in this column";
        return KAP_OK;
    }
    int rc = kap_binary_prop_ci(out, k, n, KAP_PROP_WILSON, r->conf_level, KAP_TWO_SIDED, err);
    out->n1 = k;
    out->n2 = n;
    return rc;
}

size_t kap_representation_n_missing(const kap_representation *r, size_t arm)
{
    return r && arm <= r->n_arms ? r->missing[arm] : 0;
}

double kap_representation_reference(const kap_representation *r, size_t level)
{
    return r && level < r->n_levels ? r->ref[level] : NAN;
}

double kap_representation_diff_pp(const kap_representation *r, size_t level)
{
    if (!r || level >= r->n_levels || isnan(r->ref[level]))
        return NAN;
    size_t n = rep_known(r, r->n_arms);
    if (n == 0)
        return NAN;
    double p = (double)r->count[level * (r->n_arms + 1) + r->n_arms] / (double)n;
    return 100 * (p - r->ref[level]);
}

/* ---- Table 1 --------------------------------------------------------------- */

typedef struct t1_var {
    char *name;
    int categorical;
    kap_describe_result *desc;  /* continuous: n_arms + 1 */
    size_t n_levels;
    char **levels;
    size_t *count;              /* n_levels x (n_arms + 1) */
    size_t *missing;            /* n_arms + 1 */
    double smd;
    const char *smd_note;
} t1_var;

struct kap_table1 {
    size_t n_vars, n_arms;
    char **arms;                /* n_arms + 1 */
    t1_var *vars;
};

void kap_table1_free(kap_table1 *tb)
{
    if (!tb)
        return;
    if (tb->vars)
        for (size_t v = 0; v < tb->n_vars; v++) {
            t1_var *x = &tb->vars[v];
            kap_free(x->name);
            kap_free(x->desc);
            if (x->levels)
                for (size_t l = 0; l < x->n_levels; l++)
                    kap_free(x->levels[l]);
            kap_free(x->levels);
            kap_free(x->count);
            kap_free(x->missing);
        }
    if (tb->arms)
        for (size_t a = 0; a <= tb->n_arms; a++)
            kap_free(tb->arms[a]);
    kap_free(tb->arms);
    kap_free(tb->vars);
    kap_free(tb);
}

/* Yang & Dalton (2012) multi-category SMD from the level proportions of
 * the two groups. */
static int yang_dalton(double *smd, const char **note, const double *p1,
                       const double *p2, size_t K, kap_error *err)
{
    *smd = NAN;
    size_t *idx = kap_malloc_array(K ? K : 1, sizeof *idx);
    if (!idx)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t k = 0; k < K; k++)
        if (p1[k] + p2[k] > 0)
            idx[m++] = k;
    if (m < 2) {
        *note = "fewer than two levels present: SMD undefined";
        kap_free(idx);
        return KAP_OK;
    }
    size_t q = m - 1;
    gsl_matrix *S = gsl_matrix_alloc(q, q);
    gsl_vector *d = gsl_vector_alloc(q), *x = gsl_vector_alloc(q);
    if (!S || !d || !x) {
        gsl_matrix_free(S);
        gsl_vector_free(d);
        gsl_vector_free(x);
        kap_free(idx);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < q; i++) {
        size_t a = idx[i + 1];
        gsl_vector_set(d, i, p1[a] - p2[a]);
        for (size_t j = 0; j < q; j++) {
            size_t b = idx[j + 1];
            double s = a == b ? (p1[a] * (1 - p1[a]) + p2[a] * (1 - p2[a])) / 2
                              : -(p1[a] * p1[b] + p2[a] * p2[b]) / 2;
            gsl_matrix_set(S, i, j, s);
        }
    }
    /* S is positive definite when some level outside the first q has
     * positive prevalence; Cholesky fails otherwise (e.g. both groups all
     * in one level). */
    int st = gsl_linalg_cholesky_decomp1(S);
    if (st == GSL_SUCCESS)
        st = gsl_linalg_cholesky_solve(S, d, x);
    if (st == GSL_SUCCESS) {
        double s = 0;
        gsl_blas_ddot(d, x, &s);
        *smd = sqrt(s);
    } else {
        *note = "covariance of the level proportions is singular: SMD undefined";
    }
    gsl_matrix_free(S);
    gsl_vector_free(d);
    gsl_vector_free(x);
    kap_free(idx);
    return KAP_OK;
}

static int t1_fill(t1_var *x, const kap_trial *t, const char *name,
                   int32_t ta, int32_t ca, kap_error *err)
{
    size_t na = t->n_arms, nc = na + 1, n = t->n;
    size_t c, k;
    const double *values = NULL;
    size_t stride = 1, offset = 0;
    int rc;
    kap_error e2;
    if (kap_trial_find_covariate(t, name, &c, &e2) == KAP_OK) {
        const kap_covariate_data *cv = &t->covariates[c];
        x->name = kap_strdup(cv->name);
        if (!x->name)
            return kap_err(err, KAP_ENOMEM, "out of memory");
        if (cv->type == KAP_COV_CATEGORICAL) {
            x->categorical = 1;
            x->n_levels = cv->n_levels;
            x->levels = kap_calloc(cv->n_levels ? cv->n_levels : 1, sizeof *x->levels);
            x->count = kap_calloc(cv->n_levels ? cv->n_levels * nc : 1, sizeof *x->count);
            x->missing = kap_calloc(nc, sizeof *x->missing);
            if (!x->levels || !x->count || !x->missing)
                return kap_err(err, KAP_ENOMEM, "out of memory");
            for (size_t l = 0; l < cv->n_levels; l++)
                if (!(x->levels[l] = kap_strdup(cv->levels[l])))
                    return kap_err(err, KAP_ENOMEM, "out of memory");
            for (size_t i = 0; i < n; i++) {
                size_t a = (size_t)t->arm[i];
                if (cv->codes[i] < 0) {
                    x->missing[a]++;
                    x->missing[na]++;
                } else {
                    x->count[(size_t)cv->codes[i] * nc + a]++;
                    x->count[(size_t)cv->codes[i] * nc + na]++;
                }
            }
            size_t K = cv->n_levels;
            double *p = kap_calloc(2 * (K ? K : 1), sizeof *p);
            if (!p)
                return kap_err(err, KAP_ENOMEM, "out of memory");
            size_t n1 = 0, n2 = 0;
            for (size_t l = 0; l < K; l++) {
                n1 += x->count[l * nc + (size_t)ta];
                n2 += x->count[l * nc + (size_t)ca];
            }
            if (n1 == 0 || n2 == 0) {
                x->smd = NAN;
                x->smd_note = "an arm has no known value: SMD undefined";
            } else {
                for (size_t l = 0; l < K; l++) {
                    p[l] = (double)x->count[l * nc + (size_t)ta] / (double)n1;
                    p[K + l] = (double)x->count[l * nc + (size_t)ca] / (double)n2;
                }
                rc = yang_dalton(&x->smd, &x->smd_note, p, p + K, K, err);
                if (rc != KAP_OK) {
                    kap_free(p);
                    return rc;
                }
            }
            kap_free(p);
            return KAP_OK;
        }
        values = cv->values;
    } else if (kap_trial_find_instrument(t, name, &k, &e2) == KAP_OK &&
               t->instruments[k].baseline >= 0) {
        const kap_instrument_data *in = &t->instruments[k];
        char buf[256];
        kap_snprintf(buf, sizeof buf, "%s_baseline", in->name);
        if (!(x->name = kap_strdup(buf)))
            return kap_err(err, KAP_ENOMEM, "out of memory");
        values = in->scores;
        stride = in->n_visits;
        offset = (size_t)in->baseline;
    } else {
        return kap_err(err, KAP_ENOTFOUND,
                       "'%s' is neither a covariate nor an instrument with a baseline", name);
    }
    /* continuous */
    x->desc = kap_calloc(nc, sizeof *x->desc);
    x->missing = kap_calloc(nc, sizeof *x->missing);
    double *buf = kap_malloc_array(n ? n : 1, sizeof *buf);
    if (!x->desc || !x->missing || !buf) {
        kap_free(buf);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    for (size_t a = 0; a < nc; a++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (a == na || (size_t)t->arm[i] == a)
                buf[m++] = values[i * stride + offset];
        rc = kap_describe(&x->desc[a], buf, 1, m, 0.95, err);
        if (rc != KAP_OK) {
            kap_free(buf);
            return rc;
        }
        x->missing[a] = x->desc[a].n_missing;
    }
    kap_free(buf);
    const kap_describe_result *d1 = &x->desc[ta], *d2 = &x->desc[ca];
    double s = sqrt((d1->sd * d1->sd + d2->sd * d2->sd) / 2);
    x->smd = (d1->mean - d2->mean) / s;
    if (isnan(x->smd) || !isfinite(x->smd)) {
        x->smd = NAN;
        x->smd_note = "SMD undefined: fewer than 2 values in an arm or no variation";
    }
    return KAP_OK;
}

int kap_table1_run(kap_table1 **out, const kap_trial *t,
                   const char *const *variables, size_t n_variables,
                   const char *treatment, const char *control, kap_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !t || (n_variables && !variables))
        return kap_err(err, KAP_EINVAL, "kap_table1_run: NULL argument");
    int32_t ta, ca;
    int rc = kap_sg_arms(&ta, &ca, t, treatment, control, err);
    if (rc != KAP_OK)
        return rc;
    size_t nv = n_variables;
    if (nv == 0) {
        nv = t->n_covariates;
        for (size_t k = 0; k < t->n_instruments; k++)
            nv += t->instruments[k].baseline >= 0;
    }
    kap_table1 *tb = kap_calloc(1, sizeof *tb);
    if (!tb)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    tb->vars = kap_calloc(nv ? nv : 1, sizeof *tb->vars);
    tb->arms = kap_calloc(t->n_arms + 1, sizeof *tb->arms);
    if (!tb->vars || !tb->arms) {
        kap_table1_free(tb);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    tb->n_arms = t->n_arms;
    for (size_t a = 0; a <= t->n_arms; a++)
        if (!(tb->arms[a] = kap_strdup(a < t->n_arms ? t->arm_names[a] : "overall"))) {
            kap_table1_free(tb);
            return kap_err(err, KAP_ENOMEM, "out of memory");
        }
    size_t k = 0;
    for (size_t v = 0; v < nv; v++) {
        const char *name;
        if (n_variables) {
            name = variables[v];
            if (!name) {
                kap_table1_free(tb);
                return kap_err(err, KAP_EINVAL, "variable %zu is NULL", v + 1);
            }
        } else if (v < t->n_covariates) {
            name = t->covariates[v].name;
        } else {
            while (t->instruments[k].baseline < 0)
                k++;
            name = t->instruments[k++].name;
        }
        tb->n_vars = v + 1;
        rc = t1_fill(&tb->vars[v], t, name, ta, ca, err);
        if (rc != KAP_OK) {
            kap_table1_free(tb);
            return rc;
        }
    }
    *out = tb;
    return KAP_OK;
}

size_t kap_table1_n_vars(const kap_table1 *tb) { return tb ? tb->n_vars : 0; }
size_t kap_table1_n_arms(const kap_table1 *tb) { return tb ? tb->n_arms : 0; }

const char *kap_table1_arm(const kap_table1 *tb, size_t arm)
{
    return tb && arm <= tb->n_arms ? tb->arms[arm] : NULL;
}

const char *kap_table1_var_name(const kap_table1 *tb, size_t v)
{
    return tb && v < tb->n_vars ? tb->vars[v].name : NULL;
}

int kap_table1_var_is_categorical(const kap_table1 *tb, size_t v)
{
    return tb && v < tb->n_vars ? tb->vars[v].categorical : 0;
}

int kap_table1_describe(kap_describe_result *out, const kap_table1 *tb, size_t v,
                        size_t arm, kap_error *err)
{
    if (!out || !tb || v >= tb->n_vars || arm > tb->n_arms || tb->vars[v].categorical)
        return kap_err(err, KAP_EINVAL,
                       "kap_table1_describe: NULL, index out of range or categorical variable");
    *out = tb->vars[v].desc[arm];
    return KAP_OK;
}

size_t kap_table1_n_levels(const kap_table1 *tb, size_t v)
{
    return tb && v < tb->n_vars ? tb->vars[v].n_levels : 0;
}

const char *kap_table1_level(const kap_table1 *tb, size_t v, size_t level)
{
    return tb && v < tb->n_vars && level < tb->vars[v].n_levels ? tb->vars[v].levels[level] : NULL;
}

size_t kap_table1_count(const kap_table1 *tb, size_t v, size_t level, size_t arm)
{
    if (!tb || v >= tb->n_vars || level >= tb->vars[v].n_levels || arm > tb->n_arms)
        return 0;
    return tb->vars[v].count[level * (tb->n_arms + 1) + arm];
}

double kap_table1_percent(const kap_table1 *tb, size_t v, size_t level, size_t arm)
{
    if (!tb || v >= tb->n_vars || level >= tb->vars[v].n_levels || arm > tb->n_arms)
        return NAN;
    size_t n = 0;
    for (size_t l = 0; l < tb->vars[v].n_levels; l++)
        n += tb->vars[v].count[l * (tb->n_arms + 1) + arm];
    return n ? 100.0 * (double)kap_table1_count(tb, v, level, arm) / (double)n : NAN;
}

size_t kap_table1_n_missing(const kap_table1 *tb, size_t v, size_t arm)
{
    return tb && v < tb->n_vars && arm <= tb->n_arms ? tb->vars[v].missing[arm] : 0;
}

double kap_table1_smd(const kap_table1 *tb, size_t v)
{
    return tb && v < tb->n_vars ? tb->vars[v].smd : NAN;
}

const char *kap_table1_smd_note(const kap_table1 *tb, size_t v)
{
    return tb && v < tb->n_vars ? tb->vars[v].smd_note : NULL;
}
