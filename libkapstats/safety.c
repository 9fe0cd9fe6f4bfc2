/*
 * safety.c - adverse-event table and dissociation / vital-sign tables.
 */
#include "subgroup_internal.h"
#include "trial_internal.h"

#include <stdlib.h>
#include <string.h>

static int check_opts(const kap_safety_options *o, kap_error *err)
{
    if (o->version != KAP_SAFETY_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "safety options version %u, expected %u", o->version,
                       KAP_SAFETY_OPTIONS_VERSION);
    if (!(o->conf_level > 0 && o->conf_level < 1))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (o->n_thresholds && !o->thresholds)
        return kap_err(err, KAP_EINVAL, "thresholds NULL with n_thresholds > 0");
    for (size_t i = 0; i < o->n_thresholds; i++)
        if (!o->thresholds[i].instrument)
            return kap_err(err, KAP_EINVAL, "threshold %zu has no instrument name", i + 1);
    return KAP_OK;
}

/* ---- adverse events ---------------------------------------------------------- */

struct kap_ae_table {
    size_t n_terms;
    char **terms;         /* n_terms, owned */
    kap_ae_row *rows;     /* sorted */
    kap_ae_row any;
    char *treatment, *control;
};

static const char ANY_AE[] = "any adverse event";

void kap_ae_table_free(kap_ae_table *tb)
{
    if (!tb)
        return;
    if (tb->terms)
        for (size_t j = 0; j < tb->n_terms; j++)
            kap_free(tb->terms[j]);
    kap_free(tb->terms);
    kap_free(tb->rows);
    kap_free(tb->treatment);
    kap_free(tb->control);
    kap_free(tb);
}


static int ae_stats(kap_ae_row *r, double conf, kap_error *err)
{
    static const char no_one[] = "no participant with this term recorded in an arm";
    int rc;
    rc = kap_binary_prop_ci(&r->incidence_treat, r->events_treat, r->n_treat,
                            KAP_PROP_CLOPPER_PEARSON, conf, KAP_TWO_SIDED, err);
    if ((rc = kap_soft_result(rc, &r->incidence_treat, "Clopper-Pearson exact interval", no_one)))
        return rc;
    rc = kap_binary_prop_ci(&r->incidence_control, r->events_control, r->n_control,
                            KAP_PROP_CLOPPER_PEARSON, conf, KAP_TWO_SIDED, err);
    if ((rc = kap_soft_result(rc, &r->incidence_control, "Clopper-Pearson exact interval", no_one)))
        return rc;
    rc = kap_binary_risk_difference(&r->risk_difference, r->events_treat, r->n_treat,
                                    r->events_control, r->n_control, KAP_RD_NEWCOMBE, conf, err);
    if ((rc = kap_soft_result(rc, &r->risk_difference, "risk difference, Newcombe hybrid score CI", no_one)))
        return rc;
    rc = kap_binary_risk_ratio(&r->risk_ratio, r->events_treat, r->n_treat, r->events_control,
                               r->n_control, conf, err);
    if ((rc = kap_soft_result(rc, &r->risk_ratio, "risk ratio", no_one)))
        return rc;
    rc = kap_binary_fisher(&r->fisher, r->events_treat, r->n_treat, r->events_control,
                           r->n_control, KAP_TWO_SIDED, conf, err);
    if ((rc = kap_soft_result(rc, &r->fisher, "Fisher's exact test", no_one)))
        return rc;
    return KAP_OK;
}

static int ae_cmp(const void *pa, const void *pb)
{
    const kap_ae_row *a = pa, *b = pb;
    size_t ea = a->events_treat + a->events_control, eb = b->events_treat + b->events_control;
    if (ea != eb)
        return ea > eb ? -1 : 1;
    return strcmp(a->term, b->term);
}

int kap_safety_ae(kap_ae_table **out, const kap_trial *t,
                  const kap_safety_options *opts, kap_error *err)
{
    kap_safety_options defaults = KAP_SAFETY_OPTIONS_INIT;
    if (out)
        *out = NULL;
    if (!out || !t)
        return kap_err(err, KAP_EINVAL, "kap_safety_ae: NULL argument");
    if (!opts)
        opts = &defaults;
    int rc = check_opts(opts, err);
    if (rc != KAP_OK)
        return rc;
    int32_t ta, ca;
    if ((rc = kap_sg_arms(&ta, &ca, t, opts->treatment, opts->control, err)) != KAP_OK)
        return rc;
    size_t J = t->n_ae_terms, n = t->n;
    kap_ae_table *tb = kap_calloc(1, sizeof *tb);
    if (!tb)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    tb->terms = kap_calloc(J ? J : 1, sizeof *tb->terms);
    tb->rows = kap_calloc(J ? J : 1, sizeof *tb->rows);
    tb->treatment = kap_strdup(t->arm_names[ta]);
    tb->control = kap_strdup(t->arm_names[ca]);
    if (!tb->terms || !tb->rows || !tb->treatment || !tb->control)
        goto nomem;
    for (size_t j = 0; j < J; j++) {
        if (!(tb->terms[j] = kap_strdup(t->ae_terms[j])))
            goto nomem;
        tb->n_terms = j + 1;
        kap_ae_row *r = &tb->rows[j];
        r->term = tb->terms[j];
        const int8_t *f = t->ae_flags + j * n;
        for (size_t i = 0; i < n; i++) {
            int treat = t->arm[i] == ta;
            if (!treat && t->arm[i] != ca)
                continue;
            if (f[i] < 0) {
                *(treat ? &r->not_recorded_treat : &r->not_recorded_control) += 1;
                continue;
            }
            *(treat ? &r->n_treat : &r->n_control) += 1;
            *(treat ? &r->events_treat : &r->events_control) += f[i] == 1;
        }
        if ((rc = ae_stats(r, opts->conf_level, err)) != KAP_OK)
            goto fail;
    }
    kap_ae_row *any = &tb->any;
    any->term = ANY_AE;
    for (size_t i = 0; i < n; i++) {
        int treat = t->arm[i] == ta;
        if (!treat && t->arm[i] != ca)
            continue;
        int recorded = 0, event = 0;
        for (size_t j = 0; j < J; j++) {
            int8_t f = t->ae_flags[j * n + i];
            recorded |= f >= 0;
            event |= f == 1;
        }
        if (!recorded) {
            *(treat ? &any->not_recorded_treat : &any->not_recorded_control) += 1;
            continue;
        }
        *(treat ? &any->n_treat : &any->n_control) += 1;
        *(treat ? &any->events_treat : &any->events_control) += event;
    }
    if ((rc = ae_stats(any, opts->conf_level, err)) != KAP_OK)
        goto fail;
    if (J > 1)
        qsort(tb->rows, J, sizeof *tb->rows, ae_cmp);
    *out = tb;
    return KAP_OK;
nomem:
    rc = kap_err(err, KAP_ENOMEM, "out of memory");
fail:
    kap_ae_table_free(tb);
    return rc;
}

size_t kap_ae_table_n_terms(const kap_ae_table *tb) { return tb ? tb->n_terms : 0; }

const kap_ae_row *kap_ae_table_row(const kap_ae_table *tb, size_t i)
{
    return tb && i < tb->n_terms ? &tb->rows[i] : NULL;
}

const kap_ae_row *kap_ae_table_any(const kap_ae_table *tb) { return tb ? &tb->any : NULL; }
const char *kap_ae_table_treatment(const kap_ae_table *tb) { return tb ? tb->treatment : NULL; }
const char *kap_ae_table_control(const kap_ae_table *tb) { return tb ? tb->control : NULL; }

/* ---- vitals ------------------------------------------------------------------ */

struct kap_vitals_table {
    size_t n_rows;
    kap_vital_row *rows;
    char **strings;     /* 3 per row: instrument, visit, arm */
};

void kap_vitals_table_free(kap_vitals_table *tb)
{
    if (!tb)
        return;
    if (tb->strings)
        for (size_t i = 0; i < 3 * tb->n_rows; i++)
            kap_free(tb->strings[i]);
    kap_free(tb->strings);
    kap_free(tb->rows);
    kap_free(tb);
}

static void thresholds_for(const char *name, const kap_safety_options *o, double *above,
                           double *rise)
{
    static const kap_safety_threshold defaults[KAP_SAFETY_N_DEFAULT_THRESHOLDS] =
        KAP_SAFETY_DEFAULT_THRESHOLDS;
    *above = *rise = NAN;
    for (size_t i = 0; i < KAP_SAFETY_N_DEFAULT_THRESHOLDS; i++)
        if (!strcmp(defaults[i].instrument, name)) {
            *above = defaults[i].above;
            *rise = defaults[i].rise;
        }
    for (size_t i = 0; i < o->n_thresholds; i++)
        if (!strcmp(o->thresholds[i].instrument, name)) {
            *above = o->thresholds[i].above;
            *rise = o->thresholds[i].rise;
        }
}

int kap_safety_vitals(kap_vitals_table **out, const kap_trial *t,
                      const kap_safety_options *opts, kap_error *err)
{
    kap_safety_options defaults = KAP_SAFETY_OPTIONS_INIT;
    if (out)
        *out = NULL;
    if (!out || !t)
        return kap_err(err, KAP_EINVAL, "kap_safety_vitals: NULL argument");
    if (!opts)
        opts = &defaults;
    int rc = check_opts(opts, err);
    if (rc != KAP_OK)
        return rc;
    size_t nr = 0, n = t->n, na = t->n_arms;
    for (size_t k = 0; k < t->n_instruments; k++) {
        kap_instrument_kind kind = t->instruments[k].kind;
        if (kind == KAP_INSTR_VITAL || kind == KAP_INSTR_DISSOCIATION)
            nr += t->instruments[k].n_visits * na;
    }
    kap_vitals_table *tb = kap_calloc(1, sizeof *tb);
    double *v = kap_malloc_array(n ? n : 1, sizeof *v);
    double *c = kap_malloc_array(n ? n : 1, sizeof *c);
    if (!tb || !v || !c)
        goto nomem;
    tb->rows = kap_calloc(nr ? nr : 1, sizeof *tb->rows);
    tb->strings = kap_calloc(nr ? 3 * nr : 1, sizeof *tb->strings);
    if (!tb->rows || !tb->strings)
        goto nomem;
    size_t row = 0;
    for (size_t k = 0; k < t->n_instruments; k++) {
        const kap_instrument_data *in = &t->instruments[k];
        if (in->kind != KAP_INSTR_VITAL && in->kind != KAP_INSTR_DISSOCIATION)
            continue;
        double above, rise;
        thresholds_for(in->name, opts, &above, &rise);
        for (size_t vi = 0; vi < in->n_visits; vi++)
            for (size_t a = 0; a < na; a++) {
                kap_vital_row *r = &tb->rows[row];
                char **s = tb->strings + 3 * row;
                s[0] = kap_strdup(in->name);
                s[1] = kap_strdup(in->visit_labels[vi]);
                s[2] = kap_strdup(t->arm_names[a]);
                tb->n_rows = ++row;
                if (!s[0] || !s[1] || !s[2])
                    goto nomem;
                r->instrument = s[0];
                r->visit = s[1];
                r->arm = s[2];
                r->is_baseline = (long)vi == in->baseline;
                r->above = above;
                r->rise = r->is_baseline ? NAN : rise;
                size_t m = 0, mc = 0;
                for (size_t i = 0; i < n; i++) {
                    if ((size_t)t->arm[i] != a)
                        continue;
                    double x = in->scores[i * in->n_visits + vi];
                    double b = in->baseline >= 0 ? in->scores[i * in->n_visits + (size_t)in->baseline]
                                                 : NAN;
                    v[m++] = x;
                    if (!r->is_baseline && in->baseline >= 0)
                        c[mc++] = x - b;
                    if (isnan(x))
                        continue;
                    r->n_assessed++;
                    r->n_exceed += x > above || (!r->is_baseline && !isnan(b) && x - b > rise);
                }
                if ((rc = kap_describe(&r->value, v, 1, m, opts->conf_level, err)) != KAP_OK)
                    goto fail;
                if ((rc = kap_describe(&r->change, c, 1, mc, opts->conf_level, err)) != KAP_OK)
                    goto fail;
                if (isnan(above) && isnan(r->rise)) {
                    kap_result_init(&r->exceed, "Clopper-Pearson exact interval");
                    r->exceed.note = "no threshold for this instrument";
                } else {
                    rc = kap_binary_prop_ci(&r->exceed, r->n_exceed, r->n_assessed,
                                            KAP_PROP_CLOPPER_PEARSON, opts->conf_level,
                                            KAP_TWO_SIDED, err);
                    if ((rc = kap_soft_result(rc, &r->exceed, "Clopper-Pearson exact interval",
                                   "nobody assessed at this visit")) != KAP_OK)
                        goto fail;
                }
            }
    }
    kap_free(v);
    kap_free(c);
    *out = tb;
    return KAP_OK;
nomem:
    rc = kap_err(err, KAP_ENOMEM, "out of memory");
fail:
    kap_free(v);
    kap_free(c);
    kap_vitals_table_free(tb);
    return rc;
}

size_t kap_vitals_table_n_rows(const kap_vitals_table *tb) { return tb ? tb->n_rows : 0; }

const kap_vital_row *kap_vitals_table_row(const kap_vitals_table *tb, size_t i)
{
    return tb && i < tb->n_rows ? &tb->rows[i] : NULL;
}
