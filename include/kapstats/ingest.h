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

/* Read and validate one or more trial CSV files into a new in-memory trial.
 *
 * Layout: detected from the first file's header (long when it has
 * USUBJID, PARAMCD and AVAL; wide when it has participant_id) unless
 * opts->layout forces one; every file must have the same layout.  The
 * rules of each layout (columns, instruments and their valid ranges, visit
 * labels and study days, missing-value codes, adverse events, covariates)
 * are documented in docs/ingest.md.  Several files make one trial (one per
 * site, say): participants are ordered by file, then row (long: first
 * record); a participant in two files is an error.
 *
 * CSV: RFC 4180 with a UTF-8 BOM, CRLF line ends and quoted fields
 * (commas, quotes, line breaks) accepted; header names match ignoring
 * case; blanks around names and values are trimmed.  Numbers are parsed
 * in the C locale whatever the caller's locale (kap_parse_double).  Files
 * are streamed in 64 KiB chunks: memory grows with the participants and
 * values kept, not with the file size.
 *
 * Every rejected input returns KAP_EINPUT with one message naming the
 * offending value and what was expected, and err->file, err->line (the
 * physical line, header = 1; quoted line breaks count) and err->column
 * (1-based field; 0 when the whole line or file is meant).  A duplicate
 * names both lines.
 *
 * opts may be NULL (defaults).  On success *out owns a new trial (release
 * with kap_trial_free()); its sources hold each file's name and SHA-256,
 * and a readable text of the column / PARAMCD -> instrument / visit
 * mapping used.  On failure *out is NULL and nothing is leaked.
 * Errors: KAP_EINVAL (NULL arguments, bad options, ae_path with the wide
 * layout), KAP_EIO (cannot open or read a file), KAP_EINPUT, KAP_ENOMEM. */
KAP_EXTERN int kap_ingest_files(kap_trial **out, const char *const *paths,
                                size_t n_paths,
                                const kap_ingest_options *opts,
                                kap_error *err);

/* As kap_ingest_files() for one CSV held in memory (data[0..len), not
 * necessarily NUL-terminated); `name` stands for the file name in messages
 * and in the trial's sources.  opts->ae_path, if set, is still read from
 * disk.  data is borrowed for the duration of the call. */
KAP_EXTERN int kap_ingest_memory(kap_trial **out, const char *name,
                                 const void *data, size_t len,
                                 const kap_ingest_options *opts,
                                 kap_error *err);

/* Parse a command-line range "NAME:MIN:MAX" (e.g. "ybocs:0:40") into
 * *out.  The name is lower-cased into name_buf (name_size bytes, which
 * must outlive *out: out->name points to it).  MIN and MAX are finite
 * C-locale numbers with MIN <= MAX.  Errors: KAP_EINVAL. */
KAP_EXTERN int kap_ingest_parse_instrument_range(kap_instrument_range *out,
                                                 char *name_buf,
                                                 size_t name_size,
                                                 const char *spec,
                                                 kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
