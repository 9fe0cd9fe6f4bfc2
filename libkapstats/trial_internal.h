/*
 * libkapstats/trial_internal.h - the in-memory trial model shared by
 * ingestion (ingest_csv.c), storage (store_hdf5.c) and the analyses.
 * Built once, then read-only.  Every pointer is owned by the trial and
 * released by kap_trial_free().
 */
#ifndef KAPSTATS_TRIAL_INTERNAL_H
#define KAPSTATS_TRIAL_INTERNAL_H

#include "internal.h"

#include <stdint.h>

typedef struct kap_instrument_data {
    char *name;                 /* canonical lower-case name */
    kap_instrument_kind kind;
    double min, max;            /* valid range; NaN when none */
    size_t n_visits;
    char **visit_labels;        /* n_visits, ordered: baseline first */
    double *visit_days;         /* n_visits; NaN when unknown */
    long baseline;              /* index of the baseline visit or -1 */
    double *scores;             /* n_participants x n_visits, row-major */
} kap_instrument_data;

typedef struct kap_covariate_data {
    char *name;
    kap_covariate_type type;
    double *values;             /* numeric: n_participants, NaN missing */
    int32_t *codes;             /* categorical: n_participants, -1 missing */
    size_t n_levels;
    char **levels;              /* categorical: sorted by byte order */
} kap_covariate_data;

typedef struct kap_source_data {
    char *name;                 /* file name as given */
    char sha256[65];            /* lower-case hex */
} kap_source_data;

struct kap_trial {
    size_t n;                   /* participants */
    char **ids;                 /* n; each its own allocation, or, when
                                   ids_arena is set, pointers into it */
    char *ids_arena;            /* NULL, or the ids back to back, each
                                   NUL-terminated (ingestion: one block
                                   instead of an allocation per id) */
    size_t n_arms;
    char **arm_names;           /* sorted by byte order */
    int32_t *arm;               /* n: index into arm_names */

    size_t n_instruments;
    kap_instrument_data *instruments;

    size_t n_covariates;
    kap_covariate_data *covariates;

    size_t n_ae_terms;
    char **ae_terms;            /* sorted by byte order */
    int8_t *ae_flags;           /* n_ae_terms x n, term-major:
                                   ae_flags[j * n + i]; 1, 0, -1 */

    /* provenance */
    size_t n_sources;
    kap_source_data *sources;
    char *layout;               /* "wide" or "long" */
    char *writer_version;       /* libkapstats version that wrote it */
    char *mapping;              /* human-readable text: column/PARAMCD ->
                                   instrument/visit mapping used */

    /* ingestion notes reported by `kapstats info` */
    size_t n_excluded_dtype;    /* long: records with non-empty DTYPE */
    size_t n_excluded_anl01;    /* long: records not flagged ANL01FL=Y */
    size_t n_varying_columns;
    char **varying_columns;     /* long: columns varying within a subject */
};

/* An empty trial (all zero/NULL), or NULL when out of memory. */
KAP_INTERNAL kap_trial *kap_trial_new(void);

#endif
