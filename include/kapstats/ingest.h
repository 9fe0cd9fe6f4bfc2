/*
 * kapstats/ingest.h - trial CSV (wide or CDISC ADaM BDS-like long) into a
 * validated kap_trial, and into an HDF5 store.
 */
#ifndef KAPSTATS_INGEST_H
#define KAPSTATS_INGEST_H

#include <stddef.h>

#include "common.h"
#include "trial.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kap_layout {
    KAP_LAYOUT_AUTO = 0, /* detected from the header */
    KAP_LAYOUT_WIDE = 1,
    KAP_LAYOUT_LONG = 2
} kap_layout;

/* A range declared for an instrument (overrides or adds to the known
 * ones); `name` is borrowed for the duration of the call. */
typedef struct kap_instrument_range {
    const char *name;
    double min;
    double max;
} kap_instrument_range;

typedef struct kap_ingest_options {
    unsigned int version;          /* KAP_INGEST_OPTIONS_VERSION */
    kap_layout layout;
    const char *ae_path;           /* ADAE-like file (long layout), or NULL */
    const char *const *missing_codes; /* extra missing-value codes */
    size_t n_missing_codes;
    const kap_instrument_range *ranges;
    size_t n_ranges;
} kap_ingest_options;

#define KAP_INGEST_OPTIONS_VERSION 1
#define KAP_INGEST_OPTIONS_INIT \
    { KAP_INGEST_OPTIONS_VERSION, KAP_LAYOUT_AUTO, NULL, NULL, 0, NULL, 0 }

#ifdef __cplusplus
}
#endif

#endif
