/*
 * libkapstats/report_internal.h - shared by report.c (building the report
 * tree), report_json.c (JSON I/O and comparison), report_md.c and
 * report_html.c (renderers).  The report is a jansson tree: the JSON
 * document is the single source of truth, Markdown and HTML are views of
 * it (so a report read back from JSON renders the same).
 */
#ifndef KAPSTATS_REPORT_INTERNAL_H
#define KAPSTATS_REPORT_INTERNAL_H

#include "internal.h"

#include <jansson.h>

struct kap_report {
    json_t *root;
};

/* Growable text buffer; `oom` is sticky: after a failed allocation every
 * append is a no-op and the caller reports KAP_ENOMEM once. */
typedef struct kap_sb {
    char *p;
    size_t len, cap;
    int oom;
} kap_sb;

KAP_INTERNAL void kap_sb_put(kap_sb *b, const char *s);
KAP_INTERNAL void kap_sb_putn(kap_sb *b, const char *s, size_t n);
KAP_INTERNAL void kap_sb_printf(kap_sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped for HTML/XML text and attributes. */
KAP_INTERNAL void kap_sb_put_xml(kap_sb *b, const char *s);
/* s with | \ ` * _ [ ] < > escaped for a Markdown table cell; line
 * breaks become spaces. */
KAP_INTERNAL void kap_sb_put_md(kap_sb *b, const char *s);
KAP_INTERNAL void kap_sb_free(kap_sb *b);

/* Tree accessors that tolerate absent members (a report read back from an
 * older or partial JSON): NaN, 0, "" or NULL then. */
KAP_INTERNAL double kap_rj_num(const json_t *o, const char *key);
KAP_INTERNAL long long kap_rj_int(const json_t *o, const char *key);
KAP_INTERNAL const char *kap_rj_str(const json_t *o, const char *key);
/* o[key] if it is an object / array, else NULL. */
KAP_INTERNAL json_t *kap_rj_obj(const json_t *o, const char *key);
KAP_INTERNAL json_t *kap_rj_arr(const json_t *o, const char *key);
/* status == "ok" */
KAP_INTERNAL int kap_rj_ok(const json_t *section);

/* Number formatting for the human formats (C locale): fixed decimals,
 * "NA" for NaN; p-values as "<0.0001" or 4 decimals. */
KAP_INTERNAL void kap_rfmt(char *buf, size_t n, double x, int digits);
KAP_INTERNAL void kap_rfmt_p(char *buf, size_t n, double p);
/* "est (lo, hi)" from an object with estimate/ci_low/ci_high. */
KAP_INTERNAL void kap_rfmt_ci(char *buf, size_t n, const json_t *o,
                              int digits);

/* A table of text cells, row 0 = header (cells owned, kap_strdup). */
typedef struct kap_tbl {
    size_t ncols, n, cap;
    char **cells;
    int oom;
} kap_tbl;
KAP_INTERNAL void kap_tbl_add(kap_tbl *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
KAP_INTERNAL size_t kap_tbl_rows(const kap_tbl *t);
KAP_INTERNAL void kap_tbl_free(kap_tbl *t);

/* A document writer: report_doc.c walks the tree once and calls these;
 * report_md.c and report_html.c implement them.  Text arguments are plain
 * text (the writer escapes them). */
typedef struct kap_doc_ops {
    void (*begin)(kap_sb *b, const json_t *root, const char *title);
    void (*end)(kap_sb *b);
    void (*heading)(kap_sb *b, int level, const char *id, const char *text);
    void (*para)(kap_sb *b, const char *text);
    /* why a section or part is empty */
    void (*empty)(kap_sb *b, const char *text);
    void (*table)(kap_sb *b, const char *caption, const kap_tbl *t);
    /* plots (NULL in Markdown): the tree objects they draw */
    void (*plot_trajectory)(kap_sb *b, const json_t *trajectory, const char *title);
    void (*plot_forest)(kap_sb *b, const json_t *variable, const char *title);
    void (*plot_ae)(kap_sb *b, const json_t *adverse_events, const char *title);
} kap_doc_ops;

KAP_INTERNAL void kap_report_render_doc(kap_sb *b, const json_t *root,
                                        const kap_doc_ops *ops);
KAP_INTERNAL void kap_report_render_md(kap_sb *b, const json_t *root);
KAP_INTERNAL void kap_report_render_html(kap_sb *b, const json_t *root);
/* JSON text of the tree (17 significant digits, fixed key order, final
 * newline). */
KAP_INTERNAL void kap_report_render_json(kap_sb *b, const json_t *root);

#endif
