/*
 * kapstats/report.h - the deterministic trial report: one analysis of an
 * opened store (study flow, representation / Table 1, primary endpoint with
 * its LOCF sensitivity analysis, trajectories, secondary instruments,
 * subgroups, safety, methods), rendered as JSON (schema
 * docs/report-schema.json), Markdown or one self-contained HTML file with
 * inline SVG plots; and the comparison of two reports (`--compare`).
 * docs/report.md describes the content, the JSON conventions and the
 * configuration file of `kapstats report`.
 *
 * Determinism: the same trial, options and library version give the same
 * bytes in every format, whatever the locale, time zone or machine: numbers
 * are printed in the C locale (JSON: 17 significant digits, which
 * round-trips every double), object keys come in a fixed order, and no
 * clock is read (a timestamp appears only when the caller passes one).
 *
 * Ownership: kap_report_build()/kap_report_read_json() give a report you
 * release with kap_report_free(); kap_report_compare() gives a diff you
 * release with kap_report_diff_free().  Strings returned by getters are
 * borrowed from the object and live until its _free.  A report is
 * immutable once built and may be rendered from several threads.
 */
#ifndef KAPSTATS_REPORT_H
#define KAPSTATS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "multiplicity.h"
#include "trial.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kap_report kap_report;
typedef struct kap_report_diff kap_report_diff;

/* Version of the JSON schema written by this library (the "schema_version"
 * member; docs/report-schema.json).  Reports with a higher version are
 * refused by kap_report_read_json(). */
#define KAP_REPORT_SCHEMA_VERSION 1

typedef enum kap_report_format {
    KAP_REPORT_JSON = 0,     /* docs/report-schema.json */
    KAP_REPORT_MARKDOWN = 1, /* GitHub-flavoured tables */
    KAP_REPORT_HTML = 2      /* one file, inline CSS and SVG, no scripts */
} kap_report_format;

typedef struct kap_report_options {
    unsigned int version;     /* KAP_REPORT_OPTIONS_VERSION */
    /* Primary instrument by canonical name; NULL = the first depression
     * scale of the store (else its first instrument). */
    const char *instrument;
    /* Primary visit label; NULL = the primary instrument's last visit. */
    const char *visit;
    /* Control arm; NULL = kap_trial_choose_control()'s rule. */
    const char *control;
    /* Subgroup variables (covariate names); NULL with n_subgroups 0 = the
     * default list race, ethnicity, sex, age, format, site (those present
     * in the store).  Borrowed for the call. */
    const char *const *subgroups;
    size_t n_subgroups;
    /* Multiplicity adjustment of the subgroup interaction p-values. */
    kap_padjust_method adjust;  /* default KAP_PADJUST_HOLM */
    double conf_level;          /* default 0.95 */
    double response_threshold;  /* default 0.5 (>= 50 % reduction) */
    /* Free text stored as the report's "timestamp" member (e.g. an ISO 8601
     * time the caller read from its clock); NULL = none (the default: the
     * library never reads the clock).  Copied. */
    const char *timestamp;
} kap_report_options;

#define KAP_REPORT_OPTIONS_VERSION 1u
#define KAP_REPORT_OPTIONS_INIT \
    { KAP_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, \
      KAP_PADJUST_HOLM, 0.95, 0.5, NULL }

/*
 * kap_report_build - analyse an opened trial and build its report.
 * Sections: study flow (participants per arm, observed and dropout per
 * visit), representation (kap_representation_run per subgroup variable) and
 * Table 1 (kap_table1_run), primary endpoint (kap_compare_run,
 * complete case and LOCF side by side), trajectory (change from baseline
 * per arm and visit, kap_trial_endpoint + kap_describe), secondary
 * instruments (kap_compare_run at each one's last visit), subgroups
 * (kap_subgroup_family_run on the primary change, interaction p adjusted
 * by opts->adjust), safety (kap_safety_ae, kap_safety_vitals) and methods
 * (generated text, version, store provenance).
 * A section the store cannot support (one arm, no baseline, no AE data,
 * unknown instrument or visit, ...) is kept with status "empty" and a
 * reason; the rest of the report is still produced.  (Status
 * "unavailable" is reserved for sections a build lacks; none in this
 * version.)
 * On success *out owns the report (kap_report_free); on failure *out is
 * NULL.  Errors: KAP_EINVAL (NULL argument, conf_level outside (0, 1),
 * response_threshold outside (0, 1], unknown options version, an unknown
 * adjustment method), KAP_ENOMEM.
 */
KAP_EXTERN int kap_report_build(kap_report **out, const kap_trial *t,
                                const kap_report_options *opts,
                                kap_error *err);

/* Release a report; NULL is a no-op. */
KAP_EXTERN void kap_report_free(kap_report *r);

/*
 * kap_report_render - the report in format fmt, into a caller buffer, as
 * snprintf: at most size bytes are written, always NUL-terminated when
 * size > 0; *len (may be NULL) receives the full length without the NUL.
 * Call with buf NULL and size 0 to learn the length.  The text is the same
 * bytes kap_report_write() writes.
 * Errors: KAP_EINVAL (NULL report, bad format, buf NULL with size > 0),
 * KAP_ENOMEM.  A too-small buffer is not an error (compare *len with size).
 */
KAP_EXTERN int kap_report_render(char *buf, size_t size, size_t *len,
                                 const kap_report *r, kap_report_format fmt,
                                 kap_error *err);

/*
 * kap_report_write - render and write the report to path atomically: a
 * temporary file beside path (same directory, mode 0666 less the umask) is
 * written, fsync'ed and renamed over path; on failure it is removed and an
 * existing file at path is untouched.
 * Errors: KAP_EINVAL (NULL, bad format), KAP_EIO (cannot create, write,
 * sync or rename: the message names the file), KAP_ENOMEM.
 */
KAP_EXTERN int kap_report_write(const kap_report *r, kap_report_format fmt,
                                const char *path, kap_error *err);

/* Parse a format name: "json", "md" or "markdown", "html".  KAP_EINVAL for
 * anything else. */
KAP_EXTERN int kap_report_format_parse(kap_report_format *out,
                                       const char *name, kap_error *err);

/*
 * kap_report_read_json - load a JSON report written by kap_report_write()
 * (e.g. the previous run of a pipeline), to compare or re-render it.
 * Errors: KAP_EINVAL (NULL), KAP_EIO (cannot read path), KAP_EINPUT (not
 * JSON: err has the line and column), KAP_EFORMAT (JSON but not a
 * libkapstats report, or a newer schema_version).
 */
KAP_EXTERN int kap_report_read_json(kap_report **out, const char *path,
                                    kap_error *err);

/* ---- sections ------------------------------------------------------------ */

/* Number of top-level sections ("study_flow", "representation", "primary",
 * "trajectory", "secondary", "subgroups", "safety"). */
KAP_EXTERN size_t kap_report_n_sections(const kap_report *r);
/* Section i: its JSON key, status ("ok", "empty" or "unavailable") and the
 * reason (NULL when ok).  Borrowed.  KAP_EINVAL for a bad index. */
KAP_EXTERN int kap_report_section(const kap_report *r, size_t i,
                                  const char **name, const char **status,
                                  const char **reason);

/* ---- comparison ---------------------------------------------------------- */

/*
 * kap_report_compare - every difference between two reports: numbers that
 * moved beyond rtol (|new - old| > rtol * max(|old|, |new|); integers
 * compared as numbers), any change of a string, boolean or null, and
 * members or array elements that appeared or disappeared.  Arrays of
 * objects are matched by their identity member (the first of "arm",
 * "instrument", "visit", "variable", "level", "term", "analysis",
 * "name"), else by position.  Ignored: "timestamp", "generator" and
 * "methods.text" (they change with the clock and the version, not with the
 * results).  Paths are written as $.primary.analyses[analysis=locf]...
 * On success *out owns the diff (kap_report_diff_free); zero differences
 * means the reports agree.  Errors: KAP_EINVAL (NULL, rtol negative or
 * NaN), KAP_ENOMEM.
 */
KAP_EXTERN int kap_report_compare(kap_report_diff **out,
                                  const kap_report *old_report,
                                  const kap_report *new_report, double rtol,
                                  kap_error *err);
KAP_EXTERN size_t kap_report_diff_count(const kap_report_diff *d);
/* Difference i: its path and the old and new values as compact JSON text
 * (NULL when absent on that side).  Borrowed.  KAP_EINVAL for a bad index. */
KAP_EXTERN int kap_report_diff_get(const kap_report_diff *d, size_t i,
                                   const char **path, const char **old_value,
                                   const char **new_value);
KAP_EXTERN void kap_report_diff_free(kap_report_diff *d);

#ifdef __cplusplus
}
#endif

#endif
