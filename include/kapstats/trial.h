/*
 * kapstats/trial.h - the trial model: participants, arms, instruments and
 * visits, covariates, adverse events; read from (and written to) an HDF5
 * store.  The layout of the store is documented in docs/hdf5-layout.md.
 *
 * A kap_trial is immutable once built: every getter is read-only, so one
 * opened trial may be shared by many threads.  Pointers returned by getters
 * are borrowed from the trial and stay valid until kap_trial_free().
 */
#ifndef KAPSTATS_TRIAL_H
#define KAPSTATS_TRIAL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kap_trial kap_trial;

/* Layout version written into new stores; stores with a higher major
 * layout version are refused with KAP_EFORMAT. */
#define KAP_STORE_LAYOUT_VERSION 1

/* Open a store written by kap_ingest()/kap_trial_write() (layout:
 * docs/hdf5-layout.md).  The file's seal (a SHA-256 of its content in the
 * first 512 bytes) is verified before HDF5 parses it; then every
 * attribute's and dataset's presence, rank, dimensions, type class, size,
 * storage and value ranges are checked before they are trusted, and the
 * content rules (sorted unique names, codes in range, UTF-8) are enforced.
 * HDF5's automatic error printing is off during the call (per thread) and
 * restored afterwards: nothing is printed.
 * On success *out owns the trial; release with kap_trial_free().  On
 * failure *out is NULL.  The message names the file and the object.
 * Errors: KAP_EINVAL (NULL argument), KAP_EIO (cannot open or read the
 * file, not a regular file), KAP_EFORMAT (not HDF5, not a libkapstats
 * store, damaged or truncated, modified by another program, or a newer
 * layout: "store layout version N is newer than this libkapstats supports
 * (M); upgrade libkapstats"), KAP_ENOMEM. */
KAP_EXTERN int kap_trial_open(kap_trial **out, const char *path,
                              kap_error *err);

/* Write the trial as a store at path, atomically: the trial is validated,
 * written to a new temporary file beside the target (same directory),
 * sealed, fsync'ed and renamed over path; the directory is then fsync'ed.
 * On failure the temporary file is removed and an existing file at path is
 * left byte for byte.  The same trial gives the same bytes.  The store
 * records kap_version() as its writer version (not trial's).  A mapping
 * text of NULL is stored (and read back) as "".
 * Chunks are compressed on worker threads started and joined within the
 * call (online CPUs, at most 4; the environment variable KAPSTATS_THREADS
 * overrides, 1 = none); the bytes do not depend on the thread count
 * (docs/hdf5-layout.md, "Compression").  kap_trial_open decodes chunks
 * the same way.
 * Errors: KAP_EINVAL (NULL argument, path without a file name, or a trial
 * breaking the store's content rules: the message names the object),
 * KAP_EIO (cannot create, write, sync or rename; the message names path),
 * KAP_ENOMEM. */
KAP_EXTERN int kap_trial_write(const kap_trial *trial, const char *path,
                               kap_error *err);

/* Release a trial; NULL is a no-op. */
KAP_EXTERN void kap_trial_free(kap_trial *trial);

/* ---- participants and arms -------------------------------------------- */
KAP_EXTERN size_t kap_trial_n_participants(const kap_trial *t);
/* Participant ids, in store order. */
KAP_EXTERN const char *kap_trial_participant_id(const kap_trial *t,
                                                size_t i);
KAP_EXTERN size_t kap_trial_n_arms(const kap_trial *t);
/* Arm names, sorted by byte order (the arm index order). */
KAP_EXTERN const char *kap_trial_arm_name(const kap_trial *t, size_t a);
/* Arm index of every participant: array of n_participants. */
KAP_EXTERN const int32_t *kap_trial_arms(const kap_trial *t);
/* Index of the arm called name, or KAP_ENOTFOUND. */
KAP_EXTERN int kap_trial_find_arm(const kap_trial *t, const char *name,
                                  size_t *index, kap_error *err);

/* ---- instruments and visits ------------------------------------------- */
typedef enum kap_instrument_kind {
    KAP_INSTR_DEPRESSION = 0, /* madrs, hamd17, phq9, bdi2, qids16 */
    KAP_INSTR_PTSD = 1,       /* pcl5 */
    KAP_INSTR_DISSOCIATION = 2, /* cadss */
    KAP_INSTR_VITAL = 3,      /* hr, sbp, dbp */
    KAP_INSTR_GENERIC = 4     /* anything else */
} kap_instrument_kind;

KAP_EXTERN size_t kap_trial_n_instruments(const kap_trial *t);
/* Canonical lower-case name: "madrs", "hamd17", "phq9", ... */
KAP_EXTERN const char *kap_trial_instrument_name(const kap_trial *t,
                                                 size_t k);
KAP_EXTERN kap_instrument_kind kap_trial_instrument_kind(const kap_trial *t,
                                                         size_t k);
/* Valid range (NaN, NaN when none was declared). */
KAP_EXTERN void kap_trial_instrument_range(const kap_trial *t, size_t k,
                                           double *min, double *max);
KAP_EXTERN int kap_trial_find_instrument(const kap_trial *t,
                                         const char *name, size_t *index,
                                         kap_error *err);

/* Visits of instrument k, ordered (baseline first, then by study day, then
 * header order). */
KAP_EXTERN size_t kap_trial_n_visits(const kap_trial *t, size_t k);
KAP_EXTERN const char *kap_trial_visit_label(const kap_trial *t, size_t k,
                                             size_t v);
/* Study day of the visit (NaN when the label carries none). */
KAP_EXTERN double kap_trial_visit_day(const kap_trial *t, size_t k,
                                      size_t v);
/* Index of the baseline visit of instrument k, or -1 if it has none. */
KAP_EXTERN long kap_trial_baseline_visit(const kap_trial *t, size_t k);
KAP_EXTERN int kap_trial_find_visit(const kap_trial *t, size_t k,
                                    const char *label, size_t *index,
                                    kap_error *err);
/* Scores of instrument k: n_participants x n_visits, row-major
 * (participant i, visit v at [i * n_visits + v]); NaN = missing. */
KAP_EXTERN const double *kap_trial_scores(const kap_trial *t, size_t k);

/* ---- covariates (subject-level) ---------------------------------------
 * Known columns are stored under canonical names: site, sex, race,
 * ethnicity, age, format, therapy_group; others keep their header name
 * (lower-cased). */
typedef enum kap_covariate_type {
    KAP_COV_NUMERIC = 0,
    KAP_COV_CATEGORICAL = 1
} kap_covariate_type;

KAP_EXTERN size_t kap_trial_n_covariates(const kap_trial *t);
KAP_EXTERN const char *kap_trial_covariate_name(const kap_trial *t,
                                                size_t c);
KAP_EXTERN kap_covariate_type kap_trial_covariate_type(const kap_trial *t,
                                                       size_t c);
KAP_EXTERN int kap_trial_find_covariate(const kap_trial *t,
                                        const char *name, size_t *index,
                                        kap_error *err);
/* Numeric covariate values (n_participants, NaN = missing); NULL for a
 * categorical covariate. */
KAP_EXTERN const double *kap_trial_covariate_values(const kap_trial *t,
                                                    size_t c);
/* Categorical covariate: level codes (n_participants, -1 = missing) and the
 * level names (sorted by byte order); NULL / 0 for a numeric covariate. */
KAP_EXTERN const int32_t *kap_trial_covariate_codes(const kap_trial *t,
                                                    size_t c);
KAP_EXTERN size_t kap_trial_covariate_n_levels(const kap_trial *t,
                                               size_t c);
KAP_EXTERN const char *kap_trial_covariate_level(const kap_trial *t,
                                                 size_t c, size_t level);

/* ---- adverse events ----------------------------------------------------
 * One flag per participant and term: 1 = had the event, 0 = did not,
 * -1 = not recorded. */
KAP_EXTERN size_t kap_trial_n_ae_terms(const kap_trial *t);
KAP_EXTERN const char *kap_trial_ae_term(const kap_trial *t, size_t j);
/* Flags of term j (n_participants). */
KAP_EXTERN const int8_t *kap_trial_ae_flags(const kap_trial *t, size_t j);

/* ---- provenance --------------------------------------------------------- */
KAP_EXTERN size_t kap_trial_n_sources(const kap_trial *t);
/* Source file name as given to ingest, and its SHA-256 in lower-case hex. */
KAP_EXTERN const char *kap_trial_source_name(const kap_trial *t, size_t s);
KAP_EXTERN const char *kap_trial_source_sha256(const kap_trial *t,
                                               size_t s);
/* "wide" or "long" */
KAP_EXTERN const char *kap_trial_source_layout(const kap_trial *t);
/* libkapstats version that wrote the store. */
KAP_EXTERN const char *kap_trial_writer_version(const kap_trial *t);
/* Human-readable text: how columns / PARAMCD values were mapped to
 * instruments and visits ("" when none was recorded). */
KAP_EXTERN const char *kap_trial_mapping(const kap_trial *t);

/* ---- ingestion notes (long layout; 0 for wide) ------------------------- */
/* Records dropped because DTYPE was set (derived records). */
KAP_EXTERN size_t kap_trial_n_excluded_dtype(const kap_trial *t);
/* Records dropped because ANL01FL was not "Y". */
KAP_EXTERN size_t kap_trial_n_excluded_anl01(const kap_trial *t);
/* Subject-level columns whose value varied within a subject. */
KAP_EXTERN size_t kap_trial_n_varying_columns(const kap_trial *t);
KAP_EXTERN const char *kap_trial_varying_column(const kap_trial *t,
                                                size_t i);

#ifdef __cplusplus
}
#endif

#endif
