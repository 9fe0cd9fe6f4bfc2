/*
 * trial.c - the read-only trial model: accessors, look-ups and release.
 * Built by ingestion (ingest_csv.c) or read from a store (store_hdf5.c).
 */
#include "trial_internal.h"

#include <string.h>

kap_trial *kap_trial_new(void) { return kap_calloc(1, sizeof(kap_trial)); }

static void free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        kap_free(s[i]);
    kap_free(s);
}

void kap_trial_free(kap_trial *t)
{
    if (!t)
        return;
    if (t->ids_arena) {
        kap_free(t->ids);
        kap_free(t->ids_arena);
    } else {
        free_strings(t->ids, t->n);
    }
    free_strings(t->arm_names, t->n_arms);
    kap_free(t->arm);
    for (size_t k = 0; t->instruments && k < t->n_instruments; k++) {
        kap_instrument_data *in = &t->instruments[k];
        kap_free(in->name);
        free_strings(in->visit_labels, in->n_visits);
        kap_free(in->visit_days);
        kap_free(in->scores);
    }
    kap_free(t->instruments);
    for (size_t c = 0; t->covariates && c < t->n_covariates; c++) {
        kap_covariate_data *cv = &t->covariates[c];
        kap_free(cv->name);
        kap_free(cv->values);
        kap_free(cv->codes);
        free_strings(cv->levels, cv->n_levels);
    }
    kap_free(t->covariates);
    free_strings(t->ae_terms, t->n_ae_terms);
    kap_free(t->ae_flags);
    for (size_t s = 0; t->sources && s < t->n_sources; s++)
        kap_free(t->sources[s].name);
    kap_free(t->sources);
    kap_free(t->layout);
    kap_free(t->writer_version);
    kap_free(t->mapping);
    free_strings(t->varying_columns, t->n_varying_columns);
    kap_free(t);
}

/* Getters return 0/NULL/NaN for a NULL trial or an index out of range, so
 * that a caller's off-by-one cannot read out of bounds. */

size_t kap_trial_n_participants(const kap_trial *t) { return t ? t->n : 0; }

const char *kap_trial_participant_id(const kap_trial *t, size_t i)
{
    return (t && i < t->n) ? t->ids[i] : NULL;
}

size_t kap_trial_n_arms(const kap_trial *t) { return t ? t->n_arms : 0; }

const char *kap_trial_arm_name(const kap_trial *t, size_t a)
{
    return (t && a < t->n_arms) ? t->arm_names[a] : NULL;
}

const int32_t *kap_trial_arms(const kap_trial *t) { return t ? t->arm : NULL; }

static int find_name(char *const *names, size_t n, const char *name,
                     size_t *index)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) {
            if (index)
                *index = i;
            return KAP_OK;
        }
    return KAP_ENOTFOUND;
}

int kap_trial_find_arm(const kap_trial *t, const char *name, size_t *index,
                       kap_error *err)
{
    if (!t || !name)
        return kap_err(err, KAP_EINVAL, "kap_trial_find_arm: NULL argument");
    if (find_name(t->arm_names, t->n_arms, name, index) == KAP_OK)
        return KAP_OK;
    return kap_err(err, KAP_ENOTFOUND, "unknown arm '%s' (the trial has %zu arm%s)",
                   name, t->n_arms, t->n_arms == 1 ? "" : "s");
}

size_t kap_trial_n_instruments(const kap_trial *t)
{
    return t ? t->n_instruments : 0;
}

static const kap_instrument_data *instr(const kap_trial *t, size_t k)
{
    return (t && k < t->n_instruments) ? &t->instruments[k] : NULL;
}

const char *kap_trial_instrument_name(const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = instr(t, k);
    return in ? in->name : NULL;
}

kap_instrument_kind kap_trial_instrument_kind(const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = instr(t, k);
    return in ? in->kind : KAP_INSTR_GENERIC;
}

void kap_trial_instrument_range(const kap_trial *t, size_t k, double *min,
                                double *max)
{
    const kap_instrument_data *in = instr(t, k);
    if (min)
        *min = in ? in->min : NAN;
    if (max)
        *max = in ? in->max : NAN;
}

int kap_trial_find_instrument(const kap_trial *t, const char *name,
                              size_t *index, kap_error *err)
{
    if (!t || !name)
        return kap_err(err, KAP_EINVAL, "kap_trial_find_instrument: NULL argument");
    for (size_t k = 0; k < t->n_instruments; k++)
        if (strcmp(t->instruments[k].name, name) == 0) {
            if (index)
                *index = k;
            return KAP_OK;
        }
    return kap_err(err, KAP_ENOTFOUND, "unknown instrument '%s'", name);
}

size_t kap_trial_n_visits(const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = instr(t, k);
    return in ? in->n_visits : 0;
}

const char *kap_trial_visit_label(const kap_trial *t, size_t k, size_t v)
{
    const kap_instrument_data *in = instr(t, k);
    return (in && v < in->n_visits) ? in->visit_labels[v] : NULL;
}

double kap_trial_visit_day(const kap_trial *t, size_t k, size_t v)
{
    const kap_instrument_data *in = instr(t, k);
    return (in && v < in->n_visits) ? in->visit_days[v] : NAN;
}

long kap_trial_baseline_visit(const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = instr(t, k);
    return in ? in->baseline : -1;
}

int kap_trial_find_visit(const kap_trial *t, size_t k, const char *label,
                         size_t *index, kap_error *err)
{
    const kap_instrument_data *in = instr(t, k);
    if (!in || !label)
        return kap_err(err, KAP_EINVAL, "kap_trial_find_visit: bad argument");
    if (find_name(in->visit_labels, in->n_visits, label, index) == KAP_OK)
        return KAP_OK;
    return kap_err(err, KAP_ENOTFOUND, "instrument '%s' has no visit '%s'",
                   in->name, label);
}

const double *kap_trial_scores(const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = instr(t, k);
    return in ? in->scores : NULL;
}

size_t kap_trial_n_covariates(const kap_trial *t)
{
    return t ? t->n_covariates : 0;
}

static const kap_covariate_data *cov(const kap_trial *t, size_t c)
{
    return (t && c < t->n_covariates) ? &t->covariates[c] : NULL;
}

const char *kap_trial_covariate_name(const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = cov(t, c);
    return cv ? cv->name : NULL;
}

kap_covariate_type kap_trial_covariate_type(const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = cov(t, c);
    return cv ? cv->type : KAP_COV_NUMERIC;
}

int kap_trial_find_covariate(const kap_trial *t, const char *name,
                             size_t *index, kap_error *err)
{
    if (!t || !name)
        return kap_err(err, KAP_EINVAL, "kap_trial_find_covariate: NULL argument");
    for (size_t c = 0; c < t->n_covariates; c++)
        if (strcmp(t->covariates[c].name, name) == 0) {
            if (index)
                *index = c;
            return KAP_OK;
        }
    return kap_err(err, KAP_ENOTFOUND, "unknown covariate '%s'", name);
}

const double *kap_trial_covariate_values(const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = cov(t, c);
    return (cv && cv->type == KAP_COV_NUMERIC) ? cv->values : NULL;
}

const int32_t *kap_trial_covariate_codes(const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = cov(t, c);
    return (cv && cv->type == KAP_COV_CATEGORICAL) ? cv->codes : NULL;
}

size_t kap_trial_covariate_n_levels(const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = cov(t, c);
    return (cv && cv->type == KAP_COV_CATEGORICAL) ? cv->n_levels : 0;
}

const char *kap_trial_covariate_level(const kap_trial *t, size_t c,
                                      size_t level)
{
    const kap_covariate_data *cv = cov(t, c);
    return (cv && cv->type == KAP_COV_CATEGORICAL && level < cv->n_levels)
               ? cv->levels[level] : NULL;
}

size_t kap_trial_n_ae_terms(const kap_trial *t)
{
    return t ? t->n_ae_terms : 0;
}

const char *kap_trial_ae_term(const kap_trial *t, size_t j)
{
    return (t && j < t->n_ae_terms) ? t->ae_terms[j] : NULL;
}

const int8_t *kap_trial_ae_flags(const kap_trial *t, size_t j)
{
    return (t && j < t->n_ae_terms) ? t->ae_flags + j * t->n : NULL;
}

size_t kap_trial_n_sources(const kap_trial *t) { return t ? t->n_sources : 0; }

const char *kap_trial_source_name(const kap_trial *t, size_t s)
{
    return (t && s < t->n_sources) ? t->sources[s].name : NULL;
}

const char *kap_trial_source_sha256(const kap_trial *t, size_t s)
{
    return (t && s < t->n_sources) ? t->sources[s].sha256 : NULL;
}

const char *kap_trial_source_layout(const kap_trial *t)
{
    return t ? t->layout : NULL;
}

const char *kap_trial_writer_version(const kap_trial *t)
{
    return t ? t->writer_version : NULL;
}

const char *kap_trial_mapping(const kap_trial *t)
{
    if (!t)
        return NULL;
    return t->mapping ? t->mapping : "";
}

size_t kap_trial_n_excluded_dtype(const kap_trial *t)
{
    return t ? t->n_excluded_dtype : 0;
}

size_t kap_trial_n_excluded_anl01(const kap_trial *t)
{
    return t ? t->n_excluded_anl01 : 0;
}

size_t kap_trial_n_varying_columns(const kap_trial *t)
{
    return t ? t->n_varying_columns : 0;
}

const char *kap_trial_varying_column(const kap_trial *t, size_t i)
{
    return (t && i < t->n_varying_columns) ? t->varying_columns[i] : NULL;
}
