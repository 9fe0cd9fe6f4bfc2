/*
 * libkapstats/ingest_internal.h - building blocks of CSV ingestion:
 * growable arrays, a string interner, the streaming CSV reader (libcsv),
 * visit-label and instrument tables, and the builder shared by the wide
 * (ingest_wide.c) and long (ingest_long.c) layouts.
 */
#ifndef KAPSTATS_INGEST_INTERNAL_H
#define KAPSTATS_INGEST_INTERNAL_H

#include "trial_internal.h"

#include <stdint.h>
#include <string.h>

/* ---- growable arrays ----------------------------------------------------
 * Make room for `need` elements of `elem` bytes in *p (capacity *cap),
 * growing geometrically.  KAP_OK or KAP_ENOMEM (then *p is unchanged). */
KAP_INTERNAL int kap_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- string interner -----------------------------------------------------
 * Distinct strings stored once in one arena (no allocation per string);
 * entry indices are dense, in order of first insertion.  Strings must not
 * contain NUL.  Zero-initialise before use; kap_strtab_free releases. */
typedef struct kap_strtab {
    char *buf;          /* arena: NUL-terminated strings back to back */
    size_t len, cap;
    size_t *off;        /* entry -> offset in buf */
    size_t n, ncap;
    uint64_t *slot;     /* open addressing: hash << 32 | (entry + 1),
                           0 = empty */
    size_t nslot;       /* power of two (or 0) */
} kap_strtab;

KAP_INTERNAL void kap_strtab_free(kap_strtab *t);
/* Index of s[0..len) in t, adding it if new (*added = 1 then).
 * KAP_OK or KAP_ENOMEM. */
KAP_INTERNAL int kap_strtab_intern(kap_strtab *t, const char *s, size_t len,
                                   size_t *index, int *added);
/* Start loading the slot where s[0..len) is or would go (a hint before a
 * look-up in a table too large for the cache; changes nothing). */
KAP_INTERNAL void kap_strtab_prefetch(const kap_strtab *t, const char *s,
                                      size_t len);
/* Index of s[0..len), or -1 if absent. */
KAP_INTERNAL long kap_strtab_find(const kap_strtab *t, const char *s,
                                  size_t len);
static inline const char *kap_strtab_str(const kap_strtab *t, size_t i)
{
    return t->buf + t->off[i];
}

/* ---- streaming CSV reader -----------------------------------------------
 * RFC 4180 CSV through libcsv in strict mode, read in 64 KiB chunks: memory
 * holds one row at a time, whatever the file size.  Accepts a UTF-8 BOM,
 * LF / CRLF / CR line ends, quoted fields with delimiters, doubled quotes
 * and line breaks.  Rejects (KAP_EINPUT, with file, line and column): stray
 * or unterminated quotes, rows with more or fewer fields than the header,
 * NUL bytes, invalid UTF-8, fields longer than KAP_CSV_MAX_FIELD, and a
 * file without a header.  Blank lines are skipped.  Lines count physical
 * lines (header = line 1 when the file starts with it); a quoted line
 * break advances the count. */
#define KAP_CSV_MAX_FIELD ((size_t)1 << 20)

typedef struct kap_csv_row {
    size_t index;                 /* 0 = header, then 1, 2, ... */
    size_t n;                     /* number of fields */
    const char *const *field;     /* trimmed of blanks, NUL-terminated */
    const size_t *len;            /* field lengths */
    const unsigned long *line;    /* physical line where each field starts */
    unsigned long end_line;       /* physical line where the row ends */
} kap_csv_row;

/* Called for every row, header included.  Non-zero stops the reading and
 * is returned (the callback fills err). */
typedef int (*kap_csv_row_fn)(void *ctx, const kap_csv_row *row,
                              kap_error *err);

/* Read a file; `name` (used in messages) is the path.  *n_rows receives
 * the number of data rows (header excluded); sha256 the hex digest of the
 * file's bytes.  KAP_EIO when it cannot be opened or read. */
KAP_INTERNAL int kap_csv_read_file(const char *path, kap_csv_row_fn fn,
                                   void *ctx, size_t *n_rows,
                                   char sha256[65], kap_error *err);
/* The same, with a hint: when rows are parsed ahead (on another thread),
 * peek(ctx, index, n, buf, off, len) may be called with a row's fields
 * (field i is the NUL-terminated buf + off[i], len[i] bytes) a few rows
 * before fn gets that row, e.g. to prefetch what fn will look up.  peek
 * must not change anything fn's results depend on; it may never be
 * called for a row, and the memory is valid only during the call. */
typedef void (*kap_csv_peek_fn)(void *ctx, size_t index, size_t n,
                                const char *buf, const size_t *off,
                                const size_t *len);
KAP_INTERNAL int kap_csv_read_file_peek(const char *path, kap_csv_row_fn fn,
                                        kap_csv_peek_fn peek, void *ctx,
                                        size_t *n_rows, char sha256[65],
                                        kap_error *err);
KAP_INTERNAL int kap_csv_read_memory(const char *name, const void *data,
                                     size_t len, kap_csv_row_fn fn,
                                     void *ctx, size_t *n_rows,
                                     char sha256[65], kap_error *err);
/* Tests only: non-zero makes the readers set up afterwards leave every
 * line to libcsv (no fast path for lines without quotes), to compare the
 * two.  Not thread-safe: set it before reading, from one thread. */
KAP_INTERNAL void kap_csv_set_libcsv_only(int on);

/* Copy of s[0..len) for a message: at most ~60 bytes (cut on a UTF-8
 * boundary, "..." appended), control characters shown as \n, \r, \t or
 * \xNN.  Returns out. */
KAP_INTERNAL const char *kap_quote_value(char *out, size_t out_size,
                                         const char *s, size_t len);

/* ---- visits and instruments (visits.c) ---------------------------------- */

/* Canonical visit label of label[0..len): ASCII lower case with ' ', '_'
 * and '-' removed; baseline aliases (baseline, bl, day0, d0, wk0, w0,
 * week0) become "baseline".  *baseline is set for those, *day to the study
 * day carried by d<N>/day<N> (N), w<N>/wk<N>/week<N> (7N) and
 * m<N>/mo<N>/month<N> (30.4375N), 0 for the baseline, NaN otherwise.
 * Returns a new string (kap_free) or NULL when out of memory; an empty
 * canonical label gives "". */
KAP_INTERNAL char *kap_visit_canon(const char *label, size_t len,
                                   int *baseline, double *day);
/* Whether the canonical label is a baseline alias or carries a day. */
KAP_INTERNAL int kap_visit_recognised(int baseline, double day);

typedef struct kap_known_instrument {
    const char *name;
    kap_instrument_kind kind;
    double min, max;
} kap_known_instrument;

/* Known instrument called name (lower case), or NULL.  *rank receives its
 * position in the table (the canonical instrument order). */
KAP_INTERNAL const kap_known_instrument *kap_known_instrument_find(
    const char *name, size_t *rank);
/* Instrument name for an ADaM PARAMCD (case-insensitive): the mapped
 * known name, or NULL when the code is not one of the known aliases. */
KAP_INTERNAL const char *kap_paramcd_instrument(const char *code,
                                                size_t len);
/* Static lower-case name of an instrument kind ("depression", ...). */
KAP_INTERNAL const char *kap_instrument_kind_name(kap_instrument_kind k);

/* ASCII case-insensitive equality of a[0..alen) and the C string b. */
KAP_INTERNAL int kap_ieq(const char *a, size_t alen, const char *b);

/* ---- the trial builder (ingest_csv.c) ------------------------------------
 * Everything ingestion keeps is a per-participant column: one growable
 * array per column (double, int32 code or int8 flag), never a struct per
 * row.  Columns are shared by all input files; a participant of a file
 * that lacks a column gets "missing" there. */

typedef enum ing_role {
    ING_CAT,        /* known categorical covariate (site, sex, ...) */
    ING_NUM,        /* known numeric covariate (age) */
    ING_FORMAT,     /* format: "group" or "individual" */
    ING_AUTO,       /* other covariate: numeric iff every value is */
    ING_SCORE,      /* one visit of one instrument */
    ING_AE          /* wide ae_<term> flags */
} ing_role;

/* The last raw text seen in a column and what it gave: consecutive rows
 * (participants of a site, records of a subject) mostly repeat a value,
 * and comparing the bytes is cheaper than hashing, interning or parsing
 * them again.  Only texts up to ING_LAST_MAX bytes are kept (no
 * allocation); anything longer takes the normal path. */
#define ING_LAST_MAX 48
typedef struct ing_last {
    size_t len;             /* SIZE_MAX: nothing kept */
    char s[ING_LAST_MAX];
    int32_t code;           /* CAT, FORMAT, AUTO: level code or -1 */
    double d;               /* NUM: the value, NaN when missing */
} ing_last;

static inline int ing_last_is(const ing_last *c, const char *s, size_t len)
{
    return c->len == len && memcmp(c->s, s, len) == 0;
}

static inline void ing_last_keep(ing_last *c, const char *s, size_t len)
{
    if (len <= ING_LAST_MAX) {
        memcpy(c->s, s, len);
        c->len = len;
    } else {
        c->len = (size_t)-1;
    }
}

typedef struct ing_col {
    ing_role role;
    char *name;         /* covariate name / AE term; NULL for scores */
    size_t instr, visit;/* ING_SCORE */
    double *d;          /* NUM (scores live in their instrument's block:
                           ing_score()) */
    int32_t *code;      /* CAT, FORMAT, AUTO: index into levels, -1 */
    int8_t *flag;       /* AE: 1, 0, -1 */
    uint32_t *line;     /* long SCORE: line of the record, 0 = none */
    double *base, *chg; /* long SCORE: BASE / CHG as given (lazy) */
    double *ady;        /* long SCORE: ADY as given (lazy) */
    kap_strtab levels;  /* CAT, FORMAT, AUTO */
    ing_last last;      /* CAT, NUM, FORMAT, AUTO: last value seen */
    int varying;        /* long AUTO: varies within a participant */
    int numeric;        /* set at the end: AUTO turned out numeric */
    uint32_t seen_file; /* source index + 1 of the last header using it */
    size_t seen_column; /* ... and its header column (1-based) */
} ing_col;

typedef struct ing_visit {
    char *label;        /* canonical */
    double day;         /* from the label; NaN when none */
    int baseline;
    size_t order;       /* first appearance */
    double avisitn;     /* long: first AVISITN seen, NaN when none */
    size_t col;         /* its ING_SCORE column */
} ing_visit;

typedef struct ing_instr {
    char *name;
    kap_instrument_kind kind;
    double min, max;    /* NaN when no range */
    size_t rank;        /* known: table position; generic: SIZE_MAX */
    ing_visit *v;
    size_t nv, vcap;
    int32_t *vmap;      /* long: canonical visit id -> visit + 1, 0 none */
    size_t vmap_cap;
    double *sc;         /* scores: pcap x nv, row-major (the trial's
                           layout), visits in creation order */
} ing_instr;

typedef struct ing_map {
    char *text;         /* rendered line, or the header text for a column */
    long col;           /* column whose line is rendered at the end, -1 */
} ing_map;

typedef struct ing_builder {
    const kap_ingest_options *opts;
    kap_error *err;
    kap_layout layout;          /* fixed by the first file */
    /* participants */
    kap_strtab ids;
    uint32_t *pfile;            /* source index of each participant */
    unsigned long *pline;       /* line of its row / first record */
    int32_t *parm;              /* index into arms (insertion order) */
    size_t n, pcap;
    size_t last_p;              /* long: participant of the last record,
                                   SIZE_MAX when none */
    kap_strtab arms;
    ing_last last_arm;          /* last arm text -> arm code */
    /* columns, and covariate / AE names -> column */
    ing_col *cols;
    size_t ncols, colcap;
    kap_strtab colkeys;         /* "c:<name>" or "a:<term>"; index = key */
    size_t *colkey_col;
    size_t colkey_cap;
    /* instruments */
    ing_instr *instr;
    size_t ninstr, instrcap;
    size_t visit_order;
    /* sources */
    kap_source_data *src;
    size_t nsrc, srccap;
    /* mapping text */
    kap_strtab mapkeys;
    ing_map *map;
    size_t nmap, mapcap;
    /* long layout */
    kap_strtab canon;           /* canonical visit labels */
    ing_last last_param;        /* long: last PARAMCD text -> instrument */
    ing_last last_visit;        /* long: last AVISIT text -> raw visit */
    kap_strtab raw_param;       /* PARAMCD text -> instrument */
    int32_t *raw_param_instr;
    size_t raw_param_cap;
    kap_strtab raw_visit;       /* AVISIT text -> canonical id */
    int32_t *raw_visit_canon;
    int8_t *raw_visit_bl;
    int8_t *raw_visit_mapped;   /* its mapping line has been recorded */
    double *raw_visit_day;
    size_t raw_visit_cap;
    size_t n_excluded_dtype, n_excluded_anl01;
    /* long: the first BASE / CHG failure (lowest line) of the records of
     * the current file checked as they were read; bc_what 0 = none */
    unsigned long bc_line;
    size_t bc_col, bc_k, bc_v, bc_p;
    int bc_what;
    double bc_given, bc_expect, bc_ref;
    kap_strtab ae_terms;        /* long: AEDECOD terms */
    uint32_t *ae_pair;          /* long: (participant, term) pairs */
    size_t n_ae_pair, ae_pair_cap;
} ing_builder;

/* Participant i's score cell of score column c. */
static inline double *ing_score(const ing_builder *b, const ing_col *c,
                                size_t i)
{
    const ing_instr *in = &b->instr[c->instr];
    return &in->sc[i * in->nv + c->visit];
}

/* Whether s[0..len) is a missing value: empty, NA, N/A, ., NaN (any case)
 * or one of opts->missing_codes (any case). */
KAP_INTERNAL int ing_is_missing(const ing_builder *b, const char *s,
                                size_t len);
/* Add a participant: every column gets a missing value for it, except
 * those of the file's header (seen_file == file + 1), which the caller
 * fills from the same row.  *index receives its index.  When the id is
 * already there, nothing changes and *added = 0 (added may be NULL when
 * the caller checked the id is new). */
KAP_INTERNAL int ing_add_participant(ing_builder *b, const char *id,
                                     size_t len, uint32_t file,
                                     unsigned long line, size_t *index,
                                     int *added);
/* Arm code of s (interned). */
KAP_INTERNAL int ing_arm(ing_builder *b, const char *s, size_t len,
                         int32_t *code);
/* Column for covariate `name` of the role (created on first use). */
KAP_INTERNAL int ing_cov_col(ing_builder *b, ing_role role,
                             const char *name, size_t *col);
/* Column of adverse-event term `term` (wide). */
KAP_INTERNAL int ing_ae_col(ing_builder *b, const char *term, size_t *col);
/* Instrument called name (lower case), created on first use with its
 * known or declared range. */
KAP_INTERNAL int ing_instrument(ing_builder *b, const char *name,
                                size_t *k);
/* Whether name is a known instrument or has a declared range. */
KAP_INTERNAL int ing_instrument_is_named(const ing_builder *b,
                                         const char *name);
/* Visit `label` (canonical) of instrument k, created on first use with its
 * score column; *created tells. */
KAP_INTERNAL int ing_visit_get(ing_builder *b, size_t k, const char *label,
                           int baseline, double day, size_t *v,
                           int *created);
/* Parse and check a score of instrument k: NaN for a missing value; an
 * input error for a non-number, non-finite or out-of-range value. */
KAP_INTERNAL int ing_parse_score(ing_builder *b, size_t k, const char *file,
                                 unsigned long line, unsigned long column,
                                 const char *s, size_t len, double *out);
/* Parse a plain number or missing value (NaN); `what` names what was
 * expected in the message. */
KAP_INTERNAL int ing_parse_number(ing_builder *b, const char *what,
                                  const char *file, unsigned long line,
                                  unsigned long column, const char *s,
                                  size_t len, double *out);
/* Store the covariate value s for participant i in column c (CAT, NUM,
 * FORMAT, AUTO); input error for a bad age or format.  For the long
 * layout, compare instead when `compare` is set: *differs tells whether
 * the value differs from the stored one. */
KAP_INTERNAL int ing_cov_value(ing_builder *b, size_t c, size_t i,
                               const char *file, unsigned long line,
                               unsigned long column, const char *s,
                               size_t len, int compare, int *differs);
/* Readable form of participant i's stored value in column c (for
 * messages). */
KAP_INTERNAL const char *ing_cov_text(const ing_builder *b, size_t c,
                                      size_t i, char *buf, size_t n);
/* Mapping lines: a rendered line under a dedup key, or a column whose
 * line is rendered at the end (header = original header text). */
KAP_INTERNAL int ing_map_text(ing_builder *b, const char *key,
                              const char *text);
KAP_INTERNAL int ing_map_col(ing_builder *b, const char *key,
                             const char *header, size_t col);
/* Allocate the lazy per-participant array *p of column c (NaN-filled). */
KAP_INTERNAL int ing_col_lazy(ing_builder *b, double **p);
KAP_INTERNAL int ing_add_source(ing_builder *b, const char *name,
                                const char *sha256, uint32_t *index);

/* Per-file row handlers (ingest_wide.c, ingest_long.c).  A file context
 * is created at the header row and freed by the caller. */
enum { ING_F_IGNORE = 0, ING_F_ID, ING_F_ARM, ING_F_COL, ING_F_RECORD };

typedef struct ing_file {
    const char *name;
    uint32_t index;         /* source index */
    size_t ncol;
    int *role;              /* per header column: ING_F_* */
    size_t *col;            /* ING_F_COL: builder column */
    /* long: positions of the record-level columns, SIZE_MAX if absent */
    size_t c_id, c_arm, c_paramcd, c_avisit, c_aval, c_avisitn, c_ady,
        c_ablfl, c_base, c_chg, c_dtype, c_anl01;
    char **header;          /* original header texts */
    unsigned long header_line;
} ing_file;
KAP_INTERNAL int ing_wide_header(ing_builder *b, ing_file **f,
                                 const char *name, uint32_t index,
                                 const kap_csv_row *row);
KAP_INTERNAL int ing_wide_row(ing_builder *b, ing_file *f,
                              const kap_csv_row *row);
/* Prefetch hint for a wide data row to come (its participant id). */
KAP_INTERNAL void ing_wide_peek(ing_builder *b, const ing_file *f, size_t n,
                                const char *buf, const size_t *off,
                                const size_t *len);
KAP_INTERNAL int ing_long_header(ing_builder *b, ing_file **f,
                                 const char *name, uint32_t index,
                                 const kap_csv_row *row);
KAP_INTERNAL int ing_long_row(ing_builder *b, ing_file *f,
                              const kap_csv_row *row);
KAP_INTERNAL void ing_file_free(ing_file *f);
/* Start a file context from its header row: rejects empty and duplicate
 * (case-folded) column names; *lower receives the lower-cased names
 * (free with ing_free_strings). */
KAP_INTERNAL int ing_file_open(ing_builder *b, ing_file **fp,
                               const char *name, uint32_t index,
                               const kap_csv_row *row, char ***lower);
KAP_INTERNAL void ing_free_strings(char **s, size_t n);
/* Header column j (0-based) of file f uses builder column col: rejects a
 * second header column of the same file mapping to the same place. */
KAP_INTERNAL int ing_claim_col(ing_builder *b, ing_file *f,
                               const kap_csv_row *row, size_t j, size_t col);
/* Mapping line for header column j: "column 'X' -> text", or the
 * column's own line (rendered at the end) when text is NULL. */
KAP_INTERNAL int ing_map_header(ing_builder *b, const ing_file *f,
                                const char *lower, size_t j,
                                const char *text, size_t col);
/* After each long file: BASE / CHG checks of its participants (those from
 * index p0 on). */
KAP_INTERNAL int ing_long_file_done(ing_builder *b, const ing_file *f,
                                    size_t p0);
/* After all long files: visit days from ADY where labels carry none. */
KAP_INTERNAL int ing_long_finish(ing_builder *b);
/* Read the ADAE-like file at path (long layout). */
KAP_INTERNAL int ing_long_ae_file(ing_builder *b, const char *path);

#endif
