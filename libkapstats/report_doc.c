/*
 * report_doc.c - the human-readable report (Markdown and HTML share it):
 * walks the report tree section by section and emits headings, tables and
 * plots through a kap_doc_ops writer.  Numbers are formatted here, in the
 * C locale, with fixed decimals (the JSON keeps every digit).
 */
#include "report_internal.h"

#include <string.h>

/* ---- tables ---------------------------------------------------------------- */

void kap_tbl_add(kap_tbl *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (t->oom)
        return;
    va_start(ap, fmt);
    int n = kap_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
    char *big = NULL;
    if (n >= 0 && (size_t)n >= sizeof buf) {
        /* a long cell (long names): format again into the heap */
        if (!(big = kap_malloc((size_t)n + 1))) {
            t->oom = 1;
            return;
        }
        va_start(ap, fmt);
        kap_vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        char **c = kap_realloc(t->cells, cap * sizeof *c);
        if (!c) {
            kap_free(big);
            t->oom = 1;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    if (big) {
        t->cells[t->n++] = big;
        return;
    }
    if (!(t->cells[t->n] = kap_strdup(buf))) {
        t->oom = 1;
        return;
    }
    t->n++;
}

size_t kap_tbl_rows(const kap_tbl *t)
{
    return t->ncols ? t->n / t->ncols : 0;
}

void kap_tbl_free(kap_tbl *t)
{
    for (size_t i = 0; i < t->n; i++)
        kap_free(t->cells[i]);
    kap_free(t->cells);
    t->cells = NULL;
    t->n = t->cap = 0;
}

typedef struct doc {
    kap_sb *b;
    const kap_doc_ops *ops;
    const json_t *root;
    double cl; /* confidence level in percent */
} doc;

static void emit_table(doc *d, const char *caption, kap_tbl *t)
{
    if (t->oom)
        d->b->oom = 1;
    else
        d->ops->table(d->b, caption, t);
    kap_tbl_free(t);
}

/* Paragraph built with printf. */
static void para(doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void para(doc *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = kap_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= sizeof buf) {
        /* longer than the stack buffer (long names): format again */
        char *big = kap_malloc((size_t)n + 1);
        if (!big) {
            d->b->oom = 1;
            return;
        }
        va_start(ap, fmt);
        kap_vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        d->ops->para(d->b, big);
        kap_free(big);
        return;
    }
    d->ops->para(d->b, buf);
}

/* A section that is not "ok": say why; returns 1 when it is ok. */
static int section_ok(doc *d, const json_t *s)
{
    if (kap_rj_ok(s))
        return 1;
    const char *st = kap_rj_str(s, "status"), *why = kap_rj_str(s, "reason");
    kap_sb m = {0};
    kap_sb_put(&m, st && !strcmp(st, "unavailable") ? "Not available: " : "No results: ");
    kap_sb_put(&m, why ? why : "absent from this report");
    if (m.oom)
        d->b->oom = 1;
    else
        d->ops->empty(d->b, m.p);
    kap_sb_free(&m);
    return 0;
}

static const char *str_or(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

/* "m (SD s)" */
static void mean_sd(char *buf, size_t n, const json_t *desc, int digits)
{
    char m[40], s[40];
    kap_rfmt(m, sizeof m, kap_rj_num(desc, "mean"), digits);
    kap_rfmt(s, sizeof s, kap_rj_num(desc, "sd"), digits);
    kap_snprintf(buf, n, "%s (%s)", m, s);
}

/* "k/n (pct%)" */
static void rate_text(char *buf, size_t n, const json_t *rate)
{
    char p[40];
    if (isnan(kap_rj_num(rate, "estimate"))) {
        kap_snprintf(buf, n, "NA");
        return;
    }
    kap_rfmt(p, sizeof p, 100.0 * kap_rj_num(rate, "estimate"), 1);
    kap_snprintf(buf, n, "%lld/%lld (%s%%)", kap_rj_int(rate, "events"), kap_rj_int(rate, "n"), p);
}

/* ---- 1. study flow ----------------------------------------------------------- */

static void study_flow(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "study-flow", "1. Study flow");
    if (!section_ok(d, s))
        return;
    json_t *arms = kap_rj_arr(s, "arms"), *visits = kap_rj_arr(s, "visits");
    size_t na = json_array_size(arms), i, j;
    json_t *a, *v;
    kap_tbl t = {1 + na + 1, 0, 0, NULL, 0};
    kap_tbl_add(&t, "%s", "");
    json_array_foreach(arms, i, a) kap_tbl_add(&t, "%s", str_or(kap_rj_str(a, "arm"), "?"));
    kap_tbl_add(&t, "total");
    kap_tbl_add(&t, "randomised");
    json_array_foreach(arms, i, a) kap_tbl_add(&t, "%lld", kap_rj_int(a, "randomised"));
    kap_tbl_add(&t, "%lld", kap_rj_int(s, "participants"));
    emit_table(d, "Participants per arm", &t);
    const char *instr = kap_rj_str(s, "instrument");
    if (!instr) {
        d->ops->empty(d->b, str_or(kap_rj_str(s, "note"), "no instrument"));
        return;
    }
    char cap[256];
    kap_snprintf(cap, sizeof cap,
                 "%s by visit: observed / dropped out (no score at this visit or later; new "
                 "at this visit) / intermittently missing", instr);
    kap_tbl u = {2 + na + 1, 0, 0, NULL, 0};
    kap_tbl_add(&u, "visit");
    kap_tbl_add(&u, "day");
    json_array_foreach(arms, i, a) kap_tbl_add(&u, "%s", str_or(kap_rj_str(a, "arm"), "?"));
    kap_tbl_add(&u, "total");
    json_array_foreach(visits, i, v) {
        char day[40];
        kap_rfmt(day, sizeof day, kap_rj_num(v, "day"), 0);
        const char *vl = str_or(kap_rj_str(v, "visit"), "?");
        kap_tbl_add(&u, "%s%s", vl,
                    json_is_true(json_object_get(v, "baseline")) && strcmp(vl, "baseline")
                        ? " (baseline)" : "");
        kap_tbl_add(&u, "%s", day);
        json_t *va = kap_rj_arr(v, "arms");
        for (j = 0; j <= na; j++) {
            const json_t *c = j < na ? json_array_get(va, j) : kap_rj_obj(v, "total");
            kap_tbl_add(&u, "%lld / %lld (+%lld) / %lld", kap_rj_int(c, "observed"),
                        kap_rj_int(c, "dropped_out"), kap_rj_int(c, "new_dropouts"),
                        kap_rj_int(c, "intermittent_missing"));
        }
    }
    emit_table(d, cap, &u);
}

/* ---- 3. primary ---------------------------------------------------------------- */

static void arms_table(doc *d, const json_t *cmp, const char *caption)
{
    json_t *arms = kap_rj_arr(cmp, "arms"), *a;
    size_t i;
    char cl[64];
    kap_snprintf(cl, sizeof cl, "LS mean change (%g%% CI)", d->cl);
    kap_tbl t = {8, 0, 0, NULL, 0};
    const char *h[8] = {"arm", "randomised", "n", "baseline mean (SD)", "change mean (SD)", cl,
                        "response", "remission"};
    for (int k = 0; k < 8; k++)
        kap_tbl_add(&t, "%s", h[k]);
    json_array_foreach(arms, i, a) {
        char b[80], c[80], l[120], r[80], m[80];
        mean_sd(b, sizeof b, kap_rj_obj(a, "baseline"), 2);
        mean_sd(c, sizeof c, kap_rj_obj(a, "change"), 2);
        kap_rfmt_ci(l, sizeof l, kap_rj_obj(a, "lsmean"), 2);
        rate_text(r, sizeof r, kap_rj_obj(a, "response"));
        rate_text(m, sizeof m, kap_rj_obj(a, "remission"));
        kap_tbl_add(&t, "%s%s", str_or(kap_rj_str(a, "arm"), "?"),
                    json_is_true(json_object_get(a, "control")) ? " (control)" : "");
        kap_tbl_add(&t, "%lld", kap_rj_int(a, "randomised"));
        kap_tbl_add(&t, "%lld", kap_rj_int(kap_rj_obj(a, "change"), "n"));
        kap_tbl_add(&t, "%s", b);
        kap_tbl_add(&t, "%s", c);
        kap_tbl_add(&t, "%s", l);
        kap_tbl_add(&t, "%s", r);
        kap_tbl_add(&t, "%s", m);
    }
    emit_table(d, caption, &t);
}

/* One contrast measure for each analysis: a row of the side-by-side table. */
typedef void (*cell_fn)(char *buf, size_t n, const json_t *contrast);

static void c_ancova(char *b, size_t n, const json_t *k)
{
    char ci[160], p[40];
    const json_t *o = kap_rj_obj(k, "ancova");
    kap_rfmt_ci(ci, sizeof ci, o, 2);
    kap_rfmt_p(p, sizeof p, kap_rj_num(o, "p_value"));
    kap_snprintf(b, n, "%s; p %s", ci, p);
}
static void c_welch(char *b, size_t n, const json_t *k)
{
    char ci[160], p[40];
    const json_t *o = kap_rj_obj(k, "welch");
    kap_rfmt_ci(ci, sizeof ci, o, 2);
    kap_rfmt_p(p, sizeof p, kap_rj_num(o, "p_value"));
    kap_snprintf(b, n, "%s; p %s", ci, p);
}
static void c_g(char *b, size_t n, const json_t *k)
{
    kap_rfmt_ci(b, n, kap_rj_obj(k, "hedges_g"), 3);
}
static void bin_cell(char *b, size_t n, const json_t *k, const char *which, const char *what)
{
    const json_t *o = kap_rj_obj(kap_rj_obj(k, which), what);
    if (!strcmp(what, "nnt")) {
        kap_snprintf(b, n, "%s", str_or(kap_rj_str(o, "text"), "NA"));
    } else if (!strcmp(what, "fisher")) {
        kap_rfmt_p(b, n, kap_rj_num(o, "p_value"));
    } else {
        kap_rfmt_ci(b, n, o, !strcmp(what, "rd") ? 3 : 2);
    }
    if (!strcmp(b, "NA (NA, NA)") || !strcmp(b, "NA")) {
        const char *note = kap_rj_str(o, "note");
        kap_snprintf(b, n, "NA%s%s", note ? ": " : "", note ? note : "");
    }
}
static void c_resp_rd(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "response", "rd"); }
static void c_resp_rr(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "response", "rr"); }
static void c_resp_or(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "response", "or"); }
static void c_resp_p(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "response", "fisher"); }
static void c_resp_nnt(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "response", "nnt"); }
static void c_rem_rd(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "remission", "rd"); }
static void c_rem_rr(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "remission", "rr"); }
static void c_rem_or(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "remission", "or"); }
static void c_rem_p(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "remission", "fisher"); }
static void c_rem_nnt(char *b, size_t n, const json_t *k) { bin_cell(b, n, k, "remission", "nnt"); }

static const json_t *find_by(const json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        const char *s = kap_rj_str(x, key);
        if (s && value && !strcmp(s, value))
            return x;
    }
    return NULL;
}

static const char *analysis_title(const char *a)
{
    if (!a)
        return "?";
    if (!strcmp(a, "complete_case"))
        return "complete cases";
    if (!strcmp(a, "locf"))
        return "LOCF (sensitivity)";
    if (!strcmp(a, "bocf"))
        return "BOCF (sensitivity)";
    return a;
}

/* Contrasts of the analyses side by side: one table per non-control arm. */
static void contrasts_table(doc *d, const json_t *analyses, const char *what)
{
    size_t nan_ = json_array_size(analyses);
    const json_t *first = json_array_get(analyses, 0);
    json_t *con = kap_rj_arr(first, "contrasts"), *k;
    size_t i;
    char l_anc[64], l_w[64], l_g[64];
    kap_snprintf(l_anc, sizeof l_anc, "ANCOVA adjusted difference (%g%% CI); p", d->cl);
    kap_snprintf(l_w, sizeof l_w, "Welch mean difference (%g%% CI); p", d->cl);
    kap_snprintf(l_g, sizeof l_g, "Hedges' g (%g%% CI)", d->cl);
    struct {
        const char *label;
        cell_fn f;
    } rows[] = {
        {l_anc, c_ancova}, {l_w, c_welch}, {l_g, c_g},
        {"response: risk difference (CI)", c_resp_rd}, {"response: risk ratio (CI)", c_resp_rr},
        {"response: odds ratio (CI)", c_resp_or}, {"response: Fisher exact p", c_resp_p},
        {"response: NNT", c_resp_nnt},
        {"remission: risk difference (CI)", c_rem_rd}, {"remission: risk ratio (CI)", c_rem_rr},
        {"remission: odds ratio (CI)", c_rem_or}, {"remission: Fisher exact p", c_rem_p},
        {"remission: NNT", c_rem_nnt},
    };
    json_array_foreach(con, i, k) {
        const char *arm = kap_rj_str(k, "arm");
        kap_tbl t = {1 + nan_, 0, 0, NULL, 0};
        kap_tbl_add(&t, "%s", what);
        for (size_t a = 0; a < nan_; a++)
            kap_tbl_add(&t, "%s", analysis_title(kap_rj_str(json_array_get(analyses, a), "analysis")));
        for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
            kap_tbl_add(&t, "%s", rows[r].label);
            for (size_t a = 0; a < nan_; a++) {
                const json_t *ka = find_by(kap_rj_arr(json_array_get(analyses, a), "contrasts"),
                                           "arm", arm);
                char cell[512] = "NA";
                if (ka)
                    rows[r].f(cell, sizeof cell, ka);
                kap_tbl_add(&t, "%s", cell);
            }
        }
        char cap[256];
        kap_snprintf(cap, sizeof cap, "%s vs %s", str_or(arm, "?"),
                     str_or(kap_rj_str(k, "control"), "?"));
        emit_table(d, cap, &t);
    }
}

static void definitions(doc *d, const json_t *defs)
{
    const char *rem = kap_rj_str(defs, "remission");
    para(d, "Response: %s. Remission: %s.", str_or(kap_rj_str(defs, "response"), "?"),
         rem ? rem : "not defined for this instrument");
}

static void counts_para(doc *d, const json_t *cmp)
{
    const json_t *n = kap_rj_obj(cmp, "counts");
    para(d, "%s: %lld participants; %lld analysed; %lld without baseline; %lld without a score at "
            "the visit; %lld imputed; ANCOVA on %lld.",
         analysis_title(kap_rj_str(cmp, "analysis")), kap_rj_int(n, "participants"),
         kap_rj_int(n, "used"), kap_rj_int(n, "missing_baseline"), kap_rj_int(n, "missing_post"),
         kap_rj_int(n, "imputed"), kap_rj_int(cmp, "ancova_n"));
}

static void primary(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "primary", "3. Primary endpoint");
    if (!section_ok(d, s))
        return;
    para(d, "Change from baseline in %s at %s; control arm: %s.",
         str_or(kap_rj_str(s, "instrument"), "?"), str_or(kap_rj_str(s, "visit"), "?"),
         str_or(kap_rj_str(s, "control"), "?"));
    definitions(d, kap_rj_obj(s, "definitions"));
    json_t *an = kap_rj_arr(s, "analyses"), *a;
    size_t i;
    json_array_foreach(an, i, a) {
        char cap[128];
        kap_snprintf(cap, sizeof cap, "Per arm, %s", analysis_title(kap_rj_str(a, "analysis")));
        counts_para(d, a);
        arms_table(d, a, cap);
    }
    contrasts_table(d, an, "measure");
}

/* ---- 4. trajectory --------------------------------------------------------------- */

static void trajectory_table(doc *d, const json_t *tr, const char *title)
{
    json_t *visits = kap_rj_arr(tr, "visits"), *v;
    json_t *arms0 = kap_rj_arr(json_array_get(visits, 0), "arms");
    size_t na = json_array_size(arms0), i, j;
    kap_tbl t = {2 + na, 0, 0, NULL, 0};
    kap_tbl_add(&t, "visit");
    kap_tbl_add(&t, "day");
    for (j = 0; j < na; j++)
        kap_tbl_add(&t, "%s: mean change (%g%% CI), n",
                    str_or(kap_rj_str(json_array_get(arms0, j), "arm"), "?"), d->cl);
    json_array_foreach(visits, i, v) {
        char day[40];
        kap_rfmt(day, sizeof day, kap_rj_num(v, "day"), 0);
        kap_tbl_add(&t, "%s", str_or(kap_rj_str(v, "visit"), "?"));
        kap_tbl_add(&t, "%s", day);
        json_t *va = kap_rj_arr(v, "arms");
        for (j = 0; j < na; j++) {
            const json_t *c = kap_rj_obj(json_array_get(va, j), "change");
            char m[40], lo[40], hi[40];
            kap_rfmt(m, sizeof m, kap_rj_num(c, "mean"), 2);
            kap_rfmt(lo, sizeof lo, kap_rj_num(c, "ci_low"), 2);
            kap_rfmt(hi, sizeof hi, kap_rj_num(c, "ci_high"), 2);
            kap_tbl_add(&t, "%s (%s, %s), %lld", m, lo, hi, kap_rj_int(c, "n"));
        }
    }
    if (d->ops->plot_trajectory)
        d->ops->plot_trajectory(d->b, tr, title);
    emit_table(d, title, &t);
}

static void trajectory(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "trajectory", "4. Change from baseline at every visit");
    if (!section_ok(d, s))
        return;
    char title[160];
    kap_snprintf(title, sizeof title, "Mean change from baseline in %s by visit and arm "
                 "(complete cases)", str_or(kap_rj_str(s, "instrument"), "?"));
    trajectory_table(d, s, title);
}

/* ---- 5. secondary ------------------------------------------------------------------ */

static void secondary(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "secondary", "5. Secondary instruments");
    if (!section_ok(d, s))
        return;
    json_t *insts = kap_rj_arr(s, "instruments"), *in;
    size_t i;
    json_array_foreach(insts, i, in) {
        const char *name = str_or(kap_rj_str(in, "instrument"), "?");
        char h[160], id[160];
        kap_snprintf(h, sizeof h, "%s at %s", name, str_or(kap_rj_str(in, "visit"), "?"));
        kap_snprintf(id, sizeof id, "secondary-%s", name);
        d->ops->heading(d->b, 3, id, h);
        if (!section_ok(d, in))
            continue;
        definitions(d, kap_rj_obj(in, "definitions"));
        json_t *cmp = kap_rj_obj(in, "comparison");
        counts_para(d, cmp);
        arms_table(d, cmp, "Per arm, complete cases");
        json_t *one = json_array();
        if (!one || json_array_append(one, cmp)) {
            d->b->oom = 1;
            json_decref(one);
            continue;
        }
        contrasts_table(d, one, "measure");
        json_decref(one);
        const json_t *tr = kap_rj_obj(in, "trajectory");
        if (tr && kap_rj_ok(tr) && json_array_size(kap_rj_arr(tr, "visits")) > 1) {
            char title[160];
            kap_snprintf(title, sizeof title, "Mean change from baseline in %s by visit and arm "
                         "(complete cases)", name);
            trajectory_table(d, tr, title);
        }
    }
}

/* ---- 2. representation and Table 1 ------------------------------------------------- */

static void pct_cell(char *b, size_t n, long long count, double p)
{
    char x[40];
    kap_rfmt(x, sizeof x, p, 1);
    kap_snprintf(b, n, "%lld (%s%%)", count, x);
}

static void representation(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "representation", "2. Representation and baseline characteristics");
    if (!section_ok(d, s))
        return;
    json_t *vars = kap_rj_arr(s, "variables"), *v;
    size_t i, j;
    json_array_foreach(vars, i, v) {
        const char *name = str_or(kap_rj_str(v, "variable"), "?");
        if (!kap_rj_ok(v)) {
            char buf[600];
            kap_snprintf(buf, sizeof buf, "Representation by %s: %s", name,
                         str_or(kap_rj_str(v, "reason"), "?"));
            d->ops->empty(d->b, buf);
            continue;
        }
        json_t *levels = kap_rj_arr(v, "levels"), *l;
        json_t *arms0 = kap_rj_arr(json_array_get(levels, 0), "arms");
        size_t na = json_array_size(arms0);
        kap_tbl t = {2 + na, 0, 0, NULL, 0};
        kap_tbl_add(&t, "%s", name);
        for (j = 0; j < na; j++)
            kap_tbl_add(&t, "%s: n (%%)", str_or(kap_rj_str(json_array_get(arms0, j), "arm"), "?"));
        kap_tbl_add(&t, "overall: n (%%, %g%% CI)", d->cl);
        json_array_foreach(levels, j, l) {
            char cell[160];
            kap_tbl_add(&t, "%s", str_or(kap_rj_str(l, "level"), "?"));
            for (size_t a = 0; a < na; a++) {
                const json_t *c = json_array_get(kap_rj_arr(l, "arms"), a);
                pct_cell(cell, sizeof cell, kap_rj_int(c, "count"), 100 * kap_rj_num(c, "estimate"));
                kap_tbl_add(&t, "%s", cell);
            }
            const json_t *o = kap_rj_obj(l, "overall");
            char lo[40], hi[40];
            pct_cell(cell, sizeof cell, kap_rj_int(o, "count"), 100 * kap_rj_num(o, "estimate"));
            kap_rfmt(lo, sizeof lo, 100 * kap_rj_num(o, "ci_low"), 1);
            kap_rfmt(hi, sizeof hi, 100 * kap_rj_num(o, "ci_high"), 1);
            kap_tbl_add(&t, "%s [%s, %s]", cell, lo, hi);
        }
        kap_tbl_add(&t, "missing");
        for (size_t a = 0; a < na; a++)
            kap_tbl_add(&t, "%lld", kap_rj_int(json_array_get(kap_rj_arr(v, "missing"), a), "n"));
        kap_tbl_add(&t, "%lld", kap_rj_int(v, "missing_overall"));
        char cap[200];
        kap_snprintf(cap, sizeof cap, "Enrolment by %s (percent of known values; Wilson CI)", name);
        emit_table(d, cap, &t);
    }
    const json_t *t1 = kap_rj_obj(s, "table1");
    d->ops->heading(d->b, 3, "table1", "Table 1: baseline characteristics");
    if (!section_ok(d, t1))
        return;
    json_t *tv = kap_rj_arr(t1, "variables");
    json_t *arms0 = kap_rj_arr(json_array_get(tv, 0), "arms");
    size_t na = json_array_size(arms0);
    kap_tbl t = {3 + na, 0, 0, NULL, 0};
    kap_tbl_add(&t, "characteristic");
    for (j = 0; j < na; j++)
        kap_tbl_add(&t, "%s", str_or(kap_rj_str(json_array_get(arms0, j), "arm"), "?"));
    kap_tbl_add(&t, "overall");
    kap_tbl_add(&t, "SMD");
    json_array_foreach(tv, i, v) {
        int cat = !strcmp(str_or(kap_rj_str(v, "type"), ""), "categorical");
        char smd[40];
        kap_rfmt(smd, sizeof smd, kap_rj_num(v, "smd"), 3);
        const char *name = str_or(kap_rj_str(v, "variable"), "?");
        if (cat) {
            kap_tbl_add(&t, "%s, n (%%)", name);
            for (size_t a = 0; a <= na; a++)
                kap_tbl_add(&t, "%s", "");
            kap_tbl_add(&t, "%s", smd);
            const json_t *ov = kap_rj_obj(v, "overall");
            json_t *lv = kap_rj_arr(ov, "levels"), *l;
            json_array_foreach(lv, j, l) {
                char cell[80];
                kap_tbl_add(&t, "  %s", str_or(kap_rj_str(l, "level"), "?"));
                for (size_t a = 0; a <= na; a++) {
                    const json_t *col = a < na ? json_array_get(kap_rj_arr(v, "arms"), a) : ov;
                    const json_t *c = json_array_get(kap_rj_arr(col, "levels"), j);
                    pct_cell(cell, sizeof cell, kap_rj_int(c, "count"), kap_rj_num(c, "percent"));
                    kap_tbl_add(&t, "%s", cell);
                }
                kap_tbl_add(&t, "%s", "");
            }
        } else {
            char cell[120];
            kap_tbl_add(&t, "%s, mean (SD)", name);
            for (size_t a = 0; a <= na; a++) {
                const json_t *col = a < na ? json_array_get(kap_rj_arr(v, "arms"), a)
                                           : kap_rj_obj(v, "overall");
                mean_sd(cell, sizeof cell, kap_rj_obj(col, "describe"), 1);
                kap_tbl_add(&t, "%s", cell);
            }
            kap_tbl_add(&t, "%s", smd);
        }
        int miss = 0;
        for (size_t a = 0; a < na; a++)
            miss |= kap_rj_int(json_array_get(kap_rj_arr(v, "arms"), a), "missing") > 0;
        if (miss) {
            kap_tbl_add(&t, "  missing");
            for (size_t a = 0; a <= na; a++) {
                const json_t *col = a < na ? json_array_get(kap_rj_arr(v, "arms"), a)
                                           : kap_rj_obj(v, "overall");
                kap_tbl_add(&t, "%lld", kap_rj_int(col, "missing"));
            }
            kap_tbl_add(&t, "%s", "");
        }
    }
    emit_table(d, "Baseline characteristics by arm; SMD: standardised difference "
                  "(treatment vs control)", &t);
}

/* ---- 6. subgroups -------------------------------------------------------------------- */

static void subgroups(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "subgroups", "6. Subgroups");
    if (!section_ok(d, s))
        return;
    para(d, "Change from baseline in %s at %s, %s vs %s, by subgroup (complete cases). "
            "Interaction p-values across variables adjusted by %s; per-level p-values "
            "adjusted within each variable.",
         str_or(kap_rj_str(s, "instrument"), "?"), str_or(kap_rj_str(s, "visit"), "?"),
         str_or(kap_rj_str(s, "treatment"), "?"), str_or(kap_rj_str(s, "control"), "?"),
         str_or(kap_rj_str(s, "adjust"), "?"));
    json_t *vars = kap_rj_arr(s, "variables"), *v;
    size_t i, j;
    json_array_foreach(vars, i, v) {
        const char *name = str_or(kap_rj_str(v, "variable"), "?");
        char id[160];
        kap_snprintf(id, sizeof id, "subgroup-%s", name);
        d->ops->heading(d->b, 3, id, name);
        if (!section_ok(d, v))
            continue;
        const json_t *in = kap_rj_obj(v, "interaction"), *h = kap_rj_obj(v, "heterogeneity");
        char p[40], pa[40], q[40], qp[40], i2[40], tau2[40];
        kap_rfmt_p(p, sizeof p, kap_rj_num(in, "p_value"));
        kap_rfmt_p(pa, sizeof pa, kap_rj_num(in, "p_adjusted"));
        kap_rfmt(q, sizeof q, kap_rj_num(h, "q"), 2);
        kap_rfmt_p(qp, sizeof qp, kap_rj_num(h, "q_p"));
        kap_rfmt(i2, sizeof i2, kap_rj_num(h, "i2"), 1);
        kap_rfmt(tau2, sizeof tau2, kap_rj_num(h, "tau2"), 3);
        para(d, "Treatment x %s interaction: p %s (adjusted %s). Heterogeneity of the "
                "per-level differences (%lld levels, %s): Q %s (p %s), I2 %s%%, tau2 %s.",
             name, p, pa, kap_rj_int(h, "k"), str_or(kap_rj_str(h, "method"), "?"), q, qp, i2,
             tau2);
        if (d->ops->plot_forest) {
            char title[200];
            kap_snprintf(title, sizeof title, "Treatment effect by %s", name);
            d->ops->plot_forest(d->b, v, title);
        }
        kap_tbl t = {7, 0, 0, NULL, 0};
        char hd[64];
        kap_snprintf(hd, sizeof hd, "difference (%g%% CI)", d->cl);
        const char *h7[7] = {"level", "n treatment / control", "mean change treatment",
                             "mean change control", hd, "p", "p adjusted"};
        for (int k = 0; k < 7; k++)
            kap_tbl_add(&t, "%s", h7[k]);
        json_t *lv = kap_rj_arr(v, "levels"), *l;
        json_array_foreach(lv, j, l) {
            char mt[40], mc[40], df[160], pp[40], pj[40];
            kap_rfmt(mt, sizeof mt, kap_rj_num(kap_rj_obj(l, "mean_treatment"), "estimate"), 2);
            kap_rfmt(mc, sizeof mc, kap_rj_num(kap_rj_obj(l, "mean_control"), "estimate"), 2);
            kap_rfmt_ci(df, sizeof df, kap_rj_obj(l, "difference"), 2);
            kap_rfmt_p(pp, sizeof pp, kap_rj_num(kap_rj_obj(l, "difference"), "p_value"));
            kap_rfmt_p(pj, sizeof pj, kap_rj_num(l, "p_adjusted"));
            kap_tbl_add(&t, "%s%s", str_or(kap_rj_str(l, "level"), "?"),
                        json_is_true(json_object_get(l, "small")) ? " (small)" : "");
            kap_tbl_add(&t, "%lld / %lld", kap_rj_int(l, "n_treatment"), kap_rj_int(l, "n_control"));
            kap_tbl_add(&t, "%s", mt);
            kap_tbl_add(&t, "%s", mc);
            kap_tbl_add(&t, "%s", df);
            kap_tbl_add(&t, "%s", pp);
            kap_tbl_add(&t, "%s", pj);
        }
        char cap[200];
        kap_snprintf(cap, sizeof cap, "Change from baseline by %s; difference: Welch", name);
        emit_table(d, cap, &t);
    }
}

/* ---- 7. safety ------------------------------------------------------------------------- */

static void safety(doc *d, const json_t *s)
{
    d->ops->heading(d->b, 2, "safety", "7. Safety");
    if (!section_ok(d, s))
        return;
    const json_t *ae = kap_rj_obj(s, "adverse_events");
    d->ops->heading(d->b, 3, "adverse-events", "Adverse events");
    if (section_ok(d, ae)) {
        json_t *terms = kap_rj_arr(ae, "terms"), *tm;
        json_t *arms0 = kap_rj_arr(kap_rj_obj(ae, "any"), "arms");
        size_t na = json_array_size(arms0), i;
        if (d->ops->plot_ae)
            d->ops->plot_ae(d->b, ae, "Adverse-event incidence by arm");
        kap_tbl t = {1 + na + 3, 0, 0, NULL, 0};
        kap_tbl_add(&t, "term");
        for (size_t a = 0; a < na; a++)
            kap_tbl_add(&t, "%s: n/N (%%)", str_or(kap_rj_str(json_array_get(arms0, a), "arm"), "?"));
        kap_tbl_add(&t, "risk difference (%g%% CI)", d->cl);
        kap_tbl_add(&t, "risk ratio (%g%% CI)", d->cl);
        kap_tbl_add(&t, "Fisher p");
        for (size_t r = 0; r <= json_array_size(terms); r++) {
            tm = r == 0 ? kap_rj_obj(ae, "any") : json_array_get(terms, r - 1);
            char cell[160];
            kap_tbl_add(&t, "%s", str_or(kap_rj_str(tm, "term"), "?"));
            for (size_t a = 0; a < na; a++) {
                const json_t *c = json_array_get(kap_rj_arr(tm, "arms"), a);
                char pc[40];
                kap_rfmt(pc, sizeof pc, 100 * kap_rj_num(c, "estimate"), 1);
                kap_tbl_add(&t, "%lld/%lld (%s%%)", kap_rj_int(c, "events"), kap_rj_int(c, "n"), pc);
            }
            kap_rfmt_ci(cell, sizeof cell, kap_rj_obj(tm, "risk_difference"), 3);
            kap_tbl_add(&t, "%s", cell);
            kap_rfmt_ci(cell, sizeof cell, kap_rj_obj(tm, "risk_ratio"), 2);
            kap_tbl_add(&t, "%s", cell);
            kap_rfmt_p(cell, sizeof cell, kap_rj_num(kap_rj_obj(tm, "fisher"), "p_value"));
            kap_tbl_add(&t, "%s", cell);
        }
        char cap[200];
        kap_snprintf(cap, sizeof cap, "Participants with the event, %s vs %s (Clopper-Pearson "
                     "incidence CIs; Newcombe RD; Katz RR)",
                     str_or(kap_rj_str(ae, "treatment"), "?"), str_or(kap_rj_str(ae, "control"), "?"));
        emit_table(d, cap, &t);
        (void)i;
    }
    const json_t *vs = kap_rj_obj(s, "vitals");
    d->ops->heading(d->b, 3, "vitals", "Dissociation (CADSS) and vital signs");
    if (!section_ok(d, vs))
        return;
    json_t *insts = kap_rj_arr(vs, "instruments"), *in;
    size_t i;
    kap_tbl t = {5, 0, 0, NULL, 0};
    const char *h5[5] = {"instrument, visit", "arm", "value mean (SD), n", "change mean (SD)",
                         "beyond threshold n/N (%)"};
    for (int k = 0; k < 5; k++)
        kap_tbl_add(&t, "%s", h5[k]);
    json_array_foreach(insts, i, in) {
        json_t *visits = kap_rj_arr(in, "visits"), *v;
        size_t j;
        json_array_foreach(visits, j, v) {
            json_t *arms = kap_rj_arr(v, "arms"), *a;
            size_t k;
            json_array_foreach(arms, k, a) {
                char val[80], chg[80], pc[40];
                mean_sd(val, sizeof val, kap_rj_obj(a, "value"), 1);
                mean_sd(chg, sizeof chg, kap_rj_obj(a, "change"), 1);
                kap_rfmt(pc, sizeof pc, 100 * kap_rj_num(kap_rj_obj(a, "exceed"), "estimate"), 1);
                kap_tbl_add(&t, "%s %s", str_or(kap_rj_str(in, "instrument"), "?"),
                            str_or(kap_rj_str(v, "visit"), "?"));
                kap_tbl_add(&t, "%s", str_or(kap_rj_str(a, "arm"), "?"));
                kap_tbl_add(&t, "%s, %lld", val, kap_rj_int(kap_rj_obj(a, "value"), "n"));
                kap_tbl_add(&t, "%s", json_is_true(json_object_get(v, "baseline")) ? "" : chg);
                kap_tbl_add(&t, "%lld/%lld (%s%%)", kap_rj_int(a, "n_exceed"),
                            kap_rj_int(a, "n_assessed"), pc);
            }
        }
    }
    /* the caption names the thresholds the library used */
    char cap[1024];
    size_t used = (size_t)kap_snprintf(cap, sizeof cap, "By instrument, visit and arm; beyond "
                                       "threshold:");
    json_array_foreach(insts, i, in) {
        char ab[40], ri[40];
        double above = kap_rj_num(in, "above"), rise = kap_rj_num(in, "rise");
        kap_rfmt(ab, sizeof ab, above, 0);
        kap_rfmt(ri, sizeof ri, rise, 0);
        if (used < sizeof cap)
            used += (size_t)kap_snprintf(cap + used, sizeof cap - used, "%s %s%s%s%s%s",
                                         i ? ";" : "", str_or(kap_rj_str(in, "instrument"), "?"),
                                         isnan(above) ? "" : " > ", isnan(above) ? "" : ab,
                                         isnan(rise) ? "" : (isnan(above) ? " rise > " : " or rise > "),
                                         isnan(rise) ? "" : ri);
    }
    emit_table(d, cap, &t);
}

/* ---- 8. methods ------------------------------------------------------------------- */

static void methods(doc *d, const json_t *root)
{
    const json_t *m = kap_rj_obj(root, "methods");
    d->ops->heading(d->b, 2, "methods", "8. Methods");
    d->ops->para(d->b, str_or(kap_rj_str(m, "text"), "")); /* any length */
    const json_t *prov = kap_rj_obj(root, "provenance");
    json_t *srcs = kap_rj_arr(prov, "sources"), *x;
    size_t i;
    kap_tbl t = {2, 0, 0, NULL, 0};
    kap_tbl_add(&t, "source file");
    kap_tbl_add(&t, "SHA-256");
    json_array_foreach(srcs, i, x) {
        kap_tbl_add(&t, "%s", str_or(kap_rj_str(x, "name"), "?"));
        kap_tbl_add(&t, "%s", str_or(kap_rj_str(x, "sha256"), "?"));
    }
    emit_table(d, "Store provenance", &t);
}

/* ---- the document ------------------------------------------------------------------ */

void kap_report_render_doc(kap_sb *b, const json_t *root, const kap_doc_ops *ops)
{
    doc d = {b, ops, root, 95};
    const json_t *opt = kap_rj_obj(root, "options");
    double cl = kap_rj_num(opt, "conf_level");
    if (cl > 0 && cl < 1)
        d.cl = 100.0 * cl;
    char title[256];
    const json_t *prim = kap_rj_obj(root, "primary");
    const char *instr = kap_rj_str(prim, "instrument") ? kap_rj_str(prim, "instrument")
                                                       : kap_rj_str(opt, "instrument");
    kap_snprintf(title, sizeof title, "Trial report: %s", str_or(instr, "trial"));
    ops->begin(b, root, title);
    {
        const json_t *gen = kap_rj_obj(root, "generator");
        const char *ts = kap_rj_str(root, "timestamp");
        const json_t *prov = kap_rj_obj(root, "provenance");
        json_t *src = json_array_get(kap_rj_arr(prov, "sources"), 0);
        para(&d, "Generated by %s %s (report schema %lld)%s%s. Data: %s%s.",
             str_or(kap_rj_str(gen, "name"), "?"), str_or(kap_rj_str(gen, "version"), "?"),
             kap_rj_int(root, "schema_version"), ts ? " at " : "", ts ? ts : "",
             str_or(kap_rj_str(src, "name"), "?"),
             json_array_size(kap_rj_arr(prov, "sources")) > 1 ? " and more (see Methods)" : "");
    }
    study_flow(&d, kap_rj_obj(root, "study_flow"));
    representation(&d, kap_rj_obj(root, "representation"));
    primary(&d, prim);
    trajectory(&d, kap_rj_obj(root, "trajectory"));
    secondary(&d, kap_rj_obj(root, "secondary"));
    subgroups(&d, kap_rj_obj(root, "subgroups"));
    safety(&d, kap_rj_obj(root, "safety"));
    methods(&d, root);
    ops->end(b);
}
