/*
 * report.c - building the trial report (a jansson tree, see
 * report_internal.h) from an opened trial, and the shared helpers of the
 * renderers.  The JSON layout is documented in docs/report-schema.json and
 * docs/report.md.
 *
 * Conventions of the tree (stable: see the schema):
 *  - every section is an object with "status" ("ok", "empty",
 *    "unavailable") and "reason" (null when ok);
 *  - every statistic object has a "note" member; it is a string (why)
 *    whenever one of the object's numbers is null, else null;
 *  - lists of arms, visits, instruments, ... are arrays of objects carrying
 *    their identity ("arm", "visit", ...) in store order;
 *  - counts are integers, statistics are reals (NaN and infinities: null).
 */
#include "report_internal.h"
#include "subgroup_internal.h"
#include "descriptive_internal.h"

#include <pthread.h>
#include <string.h>

/* ---- text buffer ---------------------------------------------------------- */

static int sb_reserve(kap_sb *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = kap_realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void kap_sb_putn(kap_sb *b, const char *s, size_t n)
{
    if (sb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void kap_sb_put(kap_sb *b, const char *s)
{
    kap_sb_putn(b, s, strlen(s));
}

void kap_sb_printf(kap_sb *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = kap_vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        kap_sb_putn(b, small, (size_t)n);
        return;
    }
    if (sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    kap_vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void kap_sb_put_xml(kap_sb *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': kap_sb_put(b, "&amp;"); break;
        case '<': kap_sb_put(b, "&lt;"); break;
        case '>': kap_sb_put(b, "&gt;"); break;
        case '"': kap_sb_put(b, "&quot;"); break;
        case '\'': kap_sb_put(b, "&#39;"); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                kap_sb_put(b, " ");
            else
                kap_sb_putn(b, s, 1);
        }
    }
}

void kap_sb_put_md(kap_sb *b, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("|\\`*_[]<>", *s)) {
            char e[3] = {'\\', *s, 0};
            kap_sb_put(b, e);
        } else if (*s == '\n' || *s == '\r') {
            kap_sb_put(b, " ");
        } else {
            kap_sb_putn(b, s, 1);
        }
    }
}

void kap_sb_free(kap_sb *b)
{
    kap_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- tree accessors ------------------------------------------------------- */

double kap_rj_num(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

long long kap_rj_int(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    if (json_is_real(v))
        return (long long)json_real_value(v);
    return 0;
}

const char *kap_rj_str(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *kap_rj_obj(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_object(v) ? v : NULL;
}

json_t *kap_rj_arr(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_array(v) ? v : NULL;
}

int kap_rj_ok(const json_t *section)
{
    const char *s = kap_rj_str(section, "status");
    return s && !strcmp(s, "ok");
}

void kap_rfmt(char *buf, size_t n, double x, int digits)
{
    if (isnan(x))
        kap_snprintf(buf, n, "NA");
    else if (isinf(x))
        kap_snprintf(buf, n, "%s", x > 0 ? "inf" : "-inf");
    else {
        kap_snprintf(buf, n, "%.*f", digits, x);
        /* "-0.00" reads as a sign where there is none */
        if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
            memmove(buf, buf + 1, strlen(buf));
    }
}

void kap_rfmt_p(char *buf, size_t n, double p)
{
    if (isnan(p))
        kap_snprintf(buf, n, "NA");
    else if (p < 0.0001)
        kap_snprintf(buf, n, "<0.0001");
    else
        kap_snprintf(buf, n, "%.4f", p);
}

void kap_rfmt_ci(char *buf, size_t n, const json_t *o, int digits)
{
    char a[40], l[40], h[40];
    kap_rfmt(a, sizeof a, kap_rj_num(o, "estimate"), digits);
    kap_rfmt(l, sizeof l, kap_rj_num(o, "ci_low"), digits);
    kap_rfmt(h, sizeof h, kap_rj_num(o, "ci_high"), digits);
    kap_snprintf(buf, n, "%s (%s, %s)", a, l, h);
}

/* ---- building ------------------------------------------------------------- */

typedef struct bctx {
    const kap_trial *t;
    const kap_report_options *o;
    int oom;
    char reason[600]; /* scratch for section reasons */
} bctx;

static void set(bctx *c, json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, v))
        c->oom = 1;
}

static void push(bctx *c, json_t *a, json_t *v)
{
    if (json_array_append_new(a, v))
        c->oom = 1;
}

static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jint(size_t n)
{
    return json_integer((json_int_t)n);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void set_num(bctx *c, json_t *o, const char *key, double x)
{
    set(c, o, key, jnum(x));
}

/* The "note" rule: a string whenever a number of o is null. */
static void set_note(bctx *c, json_t *o, const char *note, const char *fallback)
{
    int has_null = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) if (json_is_null(v)) has_null = 1;
    if (!note && has_null)
        note = fallback ? fallback : "not defined for these data";
    set(c, o, "note", jstr(note));
}

static json_t *section(bctx *c, const char *status, const char *reason)
{
    json_t *s = json_object();
    set(c, s, "status", json_string(status));
    set(c, s, "reason", jstr(reason));
    return s;
}

static void section_status(bctx *c, json_t *s, const char *status, const char *reason)
{
    set(c, s, "status", json_string(status));
    set(c, s, "reason", jstr(reason));
}

enum { R_EST = 1, R_SE = 2, R_CI = 4, R_STAT = 8, R_DF = 16, R_P = 32 };

static json_t *result_obj(bctx *c, const kap_result *r, unsigned fields)
{
    json_t *o = json_object();
    if (fields & R_EST) set_num(c, o, "estimate", r->estimate);
    if (fields & R_SE) set_num(c, o, "se", r->se);
    if (fields & R_CI) {
        set_num(c, o, "ci_low", r->ci_low);
        set_num(c, o, "ci_high", r->ci_high);
    }
    if (fields & R_STAT) set_num(c, o, "statistic", r->statistic);
    if (fields & R_DF) set_num(c, o, "df", r->df);
    if (fields & R_P) set_num(c, o, "p_value", r->p_value);
    set(c, o, "method", jstr(r->method));
    set_note(c, o, r->note, NULL);
    return o;
}

static json_t *desc_obj(bctx *c, const kap_describe_result *d, int full)
{
    json_t *o = json_object();
    set(c, o, "n", jint(d->n));
    set_num(c, o, "mean", d->mean);
    set_num(c, o, "sd", d->sd);
    set_num(c, o, "se", d->se);
    set_num(c, o, "ci_low", d->ci_low);
    set_num(c, o, "ci_high", d->ci_high);
    if (full) {
        set_num(c, o, "median", d->median);
        set_num(c, o, "q1", d->q1);
        set_num(c, o, "q3", d->q3);
        set_num(c, o, "min", d->min);
        set_num(c, o, "max", d->max);
    }
    set_note(c, o, d->note, NULL);
    return o;
}

static json_t *counts_obj(bctx *c, const kap_endpoint_counts *n)
{
    json_t *o = json_object();
    set(c, o, "participants", jint(n->n_participants));
    set(c, o, "used", jint(n->n_used));
    set(c, o, "missing_baseline", jint(n->n_missing_baseline));
    set(c, o, "missing_post", jint(n->n_missing_post));
    set(c, o, "imputed", jint(n->n_imputed));
    return o;
}

static json_t *rate_obj(bctx *c, const kap_rate *r)
{
    json_t *o = json_object();
    set(c, o, "events", jint(r->events));
    set(c, o, "n", jint(r->n));
    set_num(c, o, "estimate", r->rate.estimate);
    set_num(c, o, "ci_low", r->rate.ci_low);
    set_num(c, o, "ci_high", r->rate.ci_high);
    set(c, o, "method", jstr(r->rate.method));
    set_note(c, o, r->rate.note, NULL);
    return o;
}

static const char *nnt_kind_name(kap_nnt_kind k)
{
    switch (k) {
    case KAP_NNT_BENEFIT: return "benefit";
    case KAP_NNT_HARM: return "harm";
    case KAP_NNT_NONE: return "none";
    default: return "undefined";
    }
}

static const char *nnt_ci_kind_name(kap_nnt_ci_kind k)
{
    switch (k) {
    case KAP_NNT_CI_BENEFIT: return "benefit";
    case KAP_NNT_CI_HARM: return "harm";
    case KAP_NNT_CI_CROSSES: return "crosses";
    case KAP_NNT_CI_NONE: return "none";
    default: return "undefined";
    }
}

static json_t *nnt_obj(bctx *c, const kap_nnt *n)
{
    json_t *o = json_object();
    char text[160];
    set(c, o, "kind", json_string(nnt_kind_name(n->kind)));
    set_num(c, o, "nnt", n->nnt);
    set(c, o, "ci_kind", json_string(nnt_ci_kind_name(n->ci_kind)));
    set_num(c, o, "nntb_low", n->nntb_low);
    set_num(c, o, "nntb_high", n->nntb_high);
    set_num(c, o, "nnth_low", n->nnth_low);
    set_num(c, o, "nnth_high", n->nnth_high);
    if (kap_binary_nnt_format(text, sizeof text, n, 1, NULL) != KAP_OK)
        kap_snprintf(text, sizeof text, "NNT undefined");
    set(c, o, "text", json_string(text));
    set(c, o, "method", jstr(n->method));
    set_note(c, o, n->note,
             "null: infinite (the risk-difference CI reaches no effect) or not "
             "applicable to this side of the CI");
    return o;
}

static json_t *binary_obj(bctx *c, const kap_binary_comparison *b)
{
    json_t *o = json_object();
    set(c, o, "rd", result_obj(c, &b->rd, R_EST | R_CI));
    set(c, o, "rr", result_obj(c, &b->rr, R_EST | R_CI));
    set(c, o, "or", result_obj(c, &b->or_, R_EST | R_CI));
    set(c, o, "fisher", result_obj(c, &b->fisher, R_EST | R_CI | R_P));
    set(c, o, "nnt", nnt_obj(c, &b->nnt));
    return o;
}

static const char *missing_name(kap_missing_rule m)
{
    return m == KAP_MISSING_LOCF ? "locf" : m == KAP_MISSING_BOCF ? "bocf" : "complete_case";
}

/* One kap_compare_run as a tree; NULL with c->reason filled when the data
 * do not allow it (ENOMEM sets c->oom). */
static json_t *comparison(bctx *c, const char *instrument, const char *visit,
                          const char *control, kap_missing_rule missing)
{
    kap_compare_options co = KAP_COMPARE_OPTIONS_INIT;
    co.control = control;
    co.missing = missing;
    co.conf_level = c->o->conf_level;
    co.response_threshold = c->o->response_threshold;
    kap_compare *cmp = NULL;
    kap_error e;
    int rc = kap_compare_run(&cmp, c->t, instrument, visit, &co, &e);
    if (rc) {
        if (rc == KAP_ENOMEM)
            c->oom = 1;
        kap_snprintf(c->reason, sizeof c->reason, "%s", e.message);
        return NULL;
    }
    json_t *o = json_object();
    size_t ctl = kap_compare_control(cmp);
    const kap_compare_arm *C = kap_compare_arm_at(cmp, ctl);
    set(c, o, "analysis", json_string(missing_name(missing)));
    set(c, o, "counts", counts_obj(c, kap_compare_counts(cmp)));
    set(c, o, "ancova_n", jint(kap_compare_ancova_n(cmp)));
    json_t *arms = json_array(), *con = json_array();
    for (size_t a = 0; a < kap_compare_n_arms(cmp); a++) {
        const kap_compare_arm *A = kap_compare_arm_at(cmp, a);
        json_t *ao = json_object();
        set(c, ao, "arm", json_string(A->name));
        set(c, ao, "control", json_boolean(a == ctl));
        set(c, ao, "randomised", jint(A->n_randomised));
        set(c, ao, "counts", counts_obj(c, &A->counts));
        set(c, ao, "baseline", desc_obj(c, &A->baseline, 1));
        set(c, ao, "change", desc_obj(c, &A->change, 1));
        set(c, ao, "lsmean", result_obj(c, &A->lsmean, R_EST | R_SE | R_CI | R_DF));
        set(c, ao, "response", rate_obj(c, &A->response));
        set(c, ao, "remission", rate_obj(c, &A->remission));
        push(c, arms, ao);
        if (a == ctl)
            continue;
        json_t *k = json_object();
        set(c, k, "arm", json_string(A->name));
        set(c, k, "control", json_string(C->name));
        set(c, k, "ancova", result_obj(c, &A->ancova, R_EST | R_SE | R_CI | R_STAT | R_DF | R_P));
        set(c, k, "welch", result_obj(c, &A->welch, R_EST | R_SE | R_CI | R_STAT | R_DF | R_P));
        set(c, k, "hedges_g", result_obj(c, &A->hedges_g, R_EST | R_CI));
        set(c, k, "response", binary_obj(c, &A->response_vs_control));
        set(c, k, "remission", binary_obj(c, &A->remission_vs_control));
        push(c, con, k);
    }
    set(c, o, "arms", arms);
    set(c, o, "contrasts", con);
    kap_compare_free(cmp);
    return o;
}

static const char *kind_name(kap_instrument_kind k)
{
    switch (k) {
    case KAP_INSTR_DEPRESSION: return "depression";
    case KAP_INSTR_PTSD: return "ptsd";
    case KAP_INSTR_DISSOCIATION: return "dissociation";
    case KAP_INSTR_VITAL: return "vital";
    default: return "generic";
    }
}

/* Response and remission definitions of instrument k. */
static json_t *definitions(bctx *c, size_t k)
{
    json_t *o = json_object();
    const char *name = kap_trial_instrument_name(c->t, k);
    char buf[200];
    kap_snprintf(buf, sizeof buf, "reduction from baseline >= %g%%",
                 100.0 * c->o->response_threshold);
    set(c, o, "response", json_string(buf));
    double cut;
    int strict;
    if (kap_remission_default(name, &cut, &strict)) {
        kap_snprintf(buf, sizeof buf, "%s score %s %g at the visit", name, strict ? "<" : "<=", cut);
        set(c, o, "remission", json_string(buf));
    } else {
        set(c, o, "remission", json_null());
    }
    set_note(c, o, NULL, "no remission cut-off is defined for this instrument");
    return o;
}

/* ---- study flow ----------------------------------------------------------- */

static json_t *flow_counts(bctx *c, size_t obs, size_t drop, size_t newdrop, size_t inter)
{
    json_t *o = json_object();
    set(c, o, "observed", jint(obs));
    set(c, o, "missing", jint(drop + inter));
    set(c, o, "dropped_out", jint(drop));
    set(c, o, "new_dropouts", jint(newdrop));
    set(c, o, "intermittent_missing", jint(inter));
    return o;
}

static json_t *study_flow(bctx *c, int have_k, size_t k)
{
    const kap_trial *t = c->t;
    size_t np = kap_trial_n_participants(t), na = kap_trial_n_arms(t);
    const int32_t *arm = kap_trial_arms(t);
    json_t *s;
    if (np == 0)
        return section(c, "empty", "the store holds no participants");
    s = section(c, "ok", NULL);
    json_t *arms = json_array();
    for (size_t a = 0; a < na; a++) {
        size_t n = 0;
        for (size_t i = 0; i < np; i++)
            n += arm[i] == (int32_t)a;
        json_t *ao = json_object();
        set(c, ao, "arm", json_string(kap_trial_arm_name(t, a)));
        set(c, ao, "randomised", jint(n));
        push(c, arms, ao);
    }
    set(c, s, "participants", jint(np));
    set(c, s, "arms", arms);
    if (!have_k) {
        set(c, s, "instrument", json_null());
        set(c, s, "visits", json_array());
        set(c, s, "note", json_string(c->reason));
        return s;
    }
    set(c, s, "instrument", json_string(kap_trial_instrument_name(t, k)));
    size_t nv = kap_trial_n_visits(t, k);
    const double *y = kap_trial_scores(t, k);
    long bl = kap_trial_baseline_visit(t, k);
    /* last visit with a score, per participant (-1: none) */
    long *last = kap_malloc_array(np ? np : 1, sizeof *last);
    if (!last) {
        c->oom = 1;
        return s;
    }
    for (size_t i = 0; i < np; i++) {
        last[i] = -1;
        for (size_t v = 0; v < nv; v++)
            if (!isnan(y[i * nv + v]))
                last[i] = (long)v;
    }
    json_t *visits = json_array();
    for (size_t v = 0; v < nv; v++) {
        json_t *vo = json_object();
        set(c, vo, "visit", json_string(kap_trial_visit_label(t, k, v)));
        double day = kap_trial_visit_day(t, k, v);
        if (isfinite(day))
            set_num(c, vo, "day", day);
        set(c, vo, "baseline", json_boolean((long)v == bl));
        json_t *va = json_array();
        size_t T[4] = {0, 0, 0, 0};
        for (size_t a = 0; a < na; a++) {
            size_t n[4] = {0, 0, 0, 0}; /* observed, dropped, new, intermittent */
            for (size_t i = 0; i < np; i++) {
                if (arm[i] != (int32_t)a)
                    continue;
                if (!isnan(y[i * nv + v]))
                    n[0]++;
                else if (last[i] < (long)v) {
                    n[1]++;
                    n[2] += last[i] == (long)v - 1;
                } else
                    n[3]++;
            }
            json_t *ao = flow_counts(c, n[0], n[1], n[2], n[3]);
            json_t *named = json_object();
            set(c, named, "arm", json_string(kap_trial_arm_name(t, a)));
            json_object_update(named, ao);
            json_decref(ao);
            push(c, va, named);
            for (int j = 0; j < 4; j++)
                T[j] += n[j];
        }
        set(c, vo, "arms", va);
        set(c, vo, "total", flow_counts(c, T[0], T[1], T[2], T[3]));
        push(c, visits, vo);
    }
    kap_free(last);
    set(c, s, "visits", visits);
    set(c, s, "note", json_null());
    return s;
}

/* ---- trajectory ----------------------------------------------------------- */

static json_t *trajectory(bctx *c, size_t k)
{
    const kap_trial *t = c->t;
    long bl = kap_trial_baseline_visit(t, k);
    if (bl < 0) {
        kap_snprintf(c->reason, sizeof c->reason, "instrument '%s' has no baseline visit",
                     kap_trial_instrument_name(t, k));
        return section(c, "empty", c->reason);
    }
    size_t np = kap_trial_n_participants(t), na = kap_trial_n_arms(t), nv = kap_trial_n_visits(t, k);
    const int32_t *arm = kap_trial_arms(t);
    double *chg = kap_malloc_array(np ? np : 1, sizeof *chg);
    double *x = kap_malloc_array(np ? np : 1, sizeof *x);
    if (!chg || !x) {
        kap_free(chg);
        kap_free(x);
        c->oom = 1;
        return NULL;
    }
    json_t *s = section(c, "ok", NULL);
    set(c, s, "instrument", json_string(kap_trial_instrument_name(t, k)));
    set(c, s, "analysis", json_string("complete_case"));
    json_t *visits = json_array();
    kap_endpoint_options eo = KAP_ENDPOINT_OPTIONS_INIT;
    for (size_t v = 0; v < nv; v++) {
        if ((long)v == bl)
            continue;
        kap_error e;
        int rc = kap_trial_endpoint(chg, NULL, t, k, v, KAP_MEASURE_CHANGE, &eo, &e);
        if (rc) {
            if (rc == KAP_ENOMEM)
                c->oom = 1;
            continue;
        }
        json_t *vo = json_object();
        set(c, vo, "visit", json_string(kap_trial_visit_label(t, k, v)));
        double day = kap_trial_visit_day(t, k, v);
        if (isfinite(day))
            set_num(c, vo, "day", day);
        json_t *va = json_array();
        for (size_t a = 0; a < na; a++) {
            size_t n = 0;
            for (size_t i = 0; i < np; i++)
                if (arm[i] == (int32_t)a && !isnan(chg[i]))
                    x[n++] = chg[i];
            /* no median here (desc_obj(.., 0)): moments only, no sort */
            kap_describe_result d;
            kap_describe_moments(&d, x, n, c->o->conf_level, NULL);
            json_t *ao = json_object();
            set(c, ao, "arm", json_string(kap_trial_arm_name(t, a)));
            set(c, ao, "change", desc_obj(c, &d, 0));
            push(c, va, ao);
        }
        set(c, vo, "arms", va);
        push(c, visits, vo);
    }
    kap_free(chg);
    kap_free(x);
    set(c, s, "visits", visits);
    if (json_array_size(visits) == 0)
        section_status(c, s, "empty", "the instrument has no post-baseline visit");
    return s;
}

/* ---- 2. representation and Table 1 ---------------------------------------- */

static const char *const default_subgroups[] = {"race", "ethnicity", "sex", "age", "format",
                                                "site"};

/* The subgroup / representation variables: the options' list, or the
 * defaults present in the store.  Returns a malloc'd array (count in *n). */
static const char **subgroup_vars(bctx *c, size_t *n)
{
    const kap_report_options *o = c->o;
    size_t cap = o->n_subgroups ? o->n_subgroups : sizeof default_subgroups / sizeof *default_subgroups;
    const char **v = kap_malloc_array(cap ? cap : 1, sizeof *v);
    *n = 0;
    if (!v) {
        c->oom = 1;
        return NULL;
    }
    if (o->n_subgroups) {
        for (size_t i = 0; i < o->n_subgroups; i++)
            v[(*n)++] = o->subgroups[i];
    } else {
        for (size_t i = 0; i < cap; i++) {
            size_t ci;
            if (kap_trial_find_covariate(c->t, default_subgroups[i], &ci, NULL) == KAP_OK)
                v[(*n)++] = default_subgroups[i];
        }
    }
    return v;
}

static json_t *prop_obj(bctx *c, const kap_result *r)
{
    json_t *o = json_object();
    set(c, o, "count", jint(r->n1));
    set(c, o, "denominator", jint(r->n2));
    set_num(c, o, "estimate", r->estimate);
    set_num(c, o, "ci_low", r->ci_low);
    set_num(c, o, "ci_high", r->ci_high);
    set_note(c, o, r->note, NULL);
    return o;
}

static json_t *representation_var(bctx *c, const char *var)
{
    kap_representation_options ro = KAP_REPRESENTATION_OPTIONS_INIT;
    ro.conf_level = c->o->conf_level;
    kap_representation *rep = NULL;
    kap_error e;
    json_t *v = json_object();
    set(c, v, "variable", json_string(var));
    int rc = kap_representation_run(&rep, c->t, var, &ro, &e);
    if (rc) {
        if (rc == KAP_ENOMEM)
            c->oom = 1;
        section_status(c, v, "empty", e.message);
        return v;
    }
    section_status(c, v, "ok", NULL);
    size_t na = kap_representation_n_arms(rep) + 1; /* column n_arms is overall */
    json_t *levels = json_array();
    for (size_t l = 0; l < kap_representation_n_levels(rep); l++) {
        json_t *lo = json_object(), *arms = json_array();
        set(c, lo, "level", json_string(kap_representation_level(rep, l)));
        for (size_t a = 0; a + 1 < na; a++) {
            kap_result r;
            if (kap_representation_cell(&r, rep, l, a, NULL))
                kap_result_init(&r, NULL);
            json_t *ao = prop_obj(c, &r);
            json_t *named = json_object();
            set(c, named, "arm", json_string(kap_representation_arm(rep, a)));
            json_object_update(named, ao);
            json_decref(ao);
            /* the note stays last */
            json_t *note = json_incref(json_object_get(named, "note"));
            json_object_del(named, "note");
            set(c, named, "note", note);
            push(c, arms, named);
        }
        set(c, lo, "arms", arms);
        kap_result r;
        if (kap_representation_cell(&r, rep, l, na - 1, NULL))
            kap_result_init(&r, NULL);
        set(c, lo, "overall", prop_obj(c, &r));
        push(c, levels, lo);
    }
    set(c, v, "levels", levels);
    json_t *miss = json_array();
    for (size_t a = 0; a + 1 < na; a++) {
        json_t *m = json_object();
        set(c, m, "arm", json_string(kap_representation_arm(rep, a)));
        set(c, m, "n", jint(kap_representation_n_missing(rep, a)));
        push(c, miss, m);
    }
    set(c, v, "missing", miss);
    set(c, v, "missing_overall", jint(kap_representation_n_missing(rep, na - 1)));
    kap_representation_free(rep);
    return v;
}

static json_t *table1(bctx *c, const char *control)
{
    kap_table1 *tb = NULL;
    kap_error e;
    int rc = kap_table1_run(&tb, c->t, NULL, 0, NULL, control, &e);
    if (rc) {
        if (rc == KAP_ENOMEM)
            c->oom = 1;
        return section(c, "empty", e.message);
    }
    json_t *s = section(c, "ok", NULL);
    size_t na = kap_table1_n_arms(tb) + 1; /* column n_arms is overall */
    json_t *vars = json_array();
    for (size_t v = 0; v < kap_table1_n_vars(tb); v++) {
        int cat = kap_table1_var_is_categorical(tb, v);
        json_t *vo = json_object(), *cols = json_array();
        set(c, vo, "variable", json_string(kap_table1_var_name(tb, v)));
        set(c, vo, "type", json_string(cat ? "categorical" : "numeric"));
        for (size_t a = 0; a < na; a++) {
            json_t *co = json_object();
            if (a + 1 < na)
                set(c, co, "arm", json_string(kap_table1_arm(tb, a)));
            if (cat) {
                json_t *lv = json_array();
                for (size_t l = 0; l < kap_table1_n_levels(tb, v); l++) {
                    json_t *lo = json_object();
                    set(c, lo, "level", json_string(kap_table1_level(tb, v, l)));
                    set(c, lo, "count", jint(kap_table1_count(tb, v, l, a)));
                    set_num(c, lo, "percent", kap_table1_percent(tb, v, l, a));
                    set_note(c, lo, NULL, "no participant with a known value");
                    push(c, lv, lo);
                }
                set(c, co, "levels", lv);
            } else {
                kap_describe_result d;
                if (kap_table1_describe(&d, tb, v, a, NULL) == KAP_OK)
                    set(c, co, "describe", desc_obj(c, &d, 1));
                else
                    set(c, co, "describe", json_null());
            }
            set(c, co, "missing", jint(kap_table1_n_missing(tb, v, a)));
            if (a + 1 < na)
                push(c, cols, co);
            else
                set(c, vo, "overall", co);
        }
        set(c, vo, "arms", cols);
        set_num(c, vo, "smd", kap_table1_smd(tb, v));
        set_note(c, vo, kap_table1_smd_note(tb, v), NULL);
        push(c, vars, vo);
    }
    set(c, s, "variables", vars);
    kap_table1_free(tb);
    return s;
}

static json_t *representation(bctx *c, const char *control, const char *control_reason)
{
    size_t nv = 0;
    const char **vars = subgroup_vars(c, &nv);
    json_t *s = section(c, "ok", NULL);
    json_t *rv = json_array();
    for (size_t i = 0; vars && i < nv; i++)
        push(c, rv, representation_var(c, vars[i]));
    kap_free(vars);
    set(c, s, "variables", rv);
    if (control)
        set(c, s, "table1", table1(c, control));
    else
        set(c, s, "table1", section(c, "empty", control_reason));
    if (json_array_size(rv) == 0 && !kap_rj_ok(kap_rj_obj(s, "table1")))
        section_status(c, s, "empty", "no representation variable and no Table 1");
    return s;
}

/* ---- 6. subgroups ------------------------------------------------------------- */

enum { R_DF2 = 64 };

static json_t *f_obj(bctx *c, const kap_result *r)
{
    json_t *o = json_object();
    set_num(c, o, "statistic", r->statistic);
    set_num(c, o, "df", r->df);
    set_num(c, o, "df2", r->df2);
    set_num(c, o, "p_value", r->p_value);
    set(c, o, "method", jstr(r->method));
    set_note(c, o, r->note, NULL);
    return o;
}

static json_t *forest_row(bctx *c, const char *label, double est, double lo, double hi,
                          double weight, int overall, const char *note)
{
    json_t *o = json_object();
    set(c, o, "label", json_string(label));
    set(c, o, "overall", json_boolean(overall));
    set_num(c, o, "estimate", est);
    set_num(c, o, "ci_low", lo);
    set_num(c, o, "ci_high", hi);
    set_num(c, o, "weight", weight);
    set_note(c, o, note, "not estimable in this level");
    return o;
}

static json_t *subgroup_var(bctx *c, const kap_subgroup *sg, double p_int, double p_int_adj)
{
    json_t *v = json_object();
    set(c, v, "variable", json_string(kap_subgroup_variable(sg)));
    section_status(c, v, "ok", NULL);
    set(c, v, "n_missing", jint(kap_subgroup_n_missing(sg)));
    set(c, v, "all_small", json_boolean(kap_subgroup_all_small(sg)));
    json_t *levels = json_array(), *forest = json_array();
    for (size_t i = 0; i < kap_subgroup_n_rows(sg); i++) {
        const kap_subgroup_row *r = kap_subgroup_row_at(sg, i);
        json_t *lo = json_object();
        set(c, lo, "level", json_string(r->level));
        set(c, lo, "missing", json_boolean(r->is_missing));
        set(c, lo, "small", json_boolean(r->small));
        set(c, lo, "in_heterogeneity", json_boolean(r->in_heterogeneity));
        set(c, lo, "n_in_level", jint(r->n_in_level));
        set(c, lo, "n_treatment", jint(r->n_treat));
        set(c, lo, "n_control", jint(r->n_control));
        set(c, lo, "mean_treatment", result_obj(c, &r->mean_treat, R_EST | R_CI));
        set(c, lo, "mean_control", result_obj(c, &r->mean_control, R_EST | R_CI));
        set(c, lo, "difference", result_obj(c, &r->diff, R_EST | R_SE | R_CI | R_STAT | R_DF | R_P));
        set(c, lo, "hedges_g", result_obj(c, &r->hedges_g, R_EST | R_CI));
        set_num(c, lo, "p_adjusted", r->p_adjusted);
        set_note(c, lo, r->note,
                 r->is_missing ? "participants without a value: not part of the adjusted family"
                               : "not testable in this level");
        push(c, levels, lo);
        if (!r->is_missing)
            push(c, forest, forest_row(c, r->level, r->forest_estimate, r->forest_ci_low,
                                       r->forest_ci_high, r->weight, 0, r->note));
    }
    set(c, v, "levels", levels);
    const kap_subgroup_interaction *in = kap_subgroup_get_interaction(sg);
    json_t *io = json_object();
    set(c, io, "f", f_obj(c, &in->f));
    set(c, io, "f_baseline", f_obj(c, &in->f_baseline));
    set_num(c, io, "p_value", p_int);
    set_num(c, io, "p_adjusted", p_int_adj);
    set_note(c, io, NULL, "the interaction is not estimable (fewer than two levels with both arms)");
    set(c, v, "interaction", io);
    const kap_meta_result *h = kap_subgroup_heterogeneity(sg, KAP_META_REML);
    json_t *ho = json_object();
    if (h) {
        set(c, ho, "method", json_string(kap_meta_method_name(h->method)));
        set(c, ho, "k", jint(h->k));
        set_num(c, ho, "q", h->Q);
        set_num(c, ho, "q_df", h->Q_df);
        set_num(c, ho, "q_p", h->Q_p);
        set_num(c, ho, "i2", h->I2);
        set_num(c, ho, "tau2", h->tau2);
        set_num(c, ho, "tau2_ci_low", h->tau2_ci_low);
        set_num(c, ho, "tau2_ci_high", h->tau2_ci_high);
        set(c, ho, "pooled", result_obj(c, &h->pooled, R_EST | R_SE | R_CI | R_P));
        set_note(c, ho, h->het_note, NULL);
        push(c, forest, forest_row(c, "overall (REML)", h->pooled.estimate, h->pooled.ci_low,
                                   h->pooled.ci_high, NAN, 1,
                                   h->pooled.note ? h->pooled.note : "weight: not applicable to the pooled estimate"));
    }
    set(c, v, "heterogeneity", ho);
    set(c, v, "level_adjust", json_string(kap_padjust_method_name(kap_subgroup_adjust_method(sg))));
    set(c, v, "level_family", jstr(kap_subgroup_adjust_family(sg)));
    set(c, v, "forest_label", json_string("Mean difference in change (treatment - control)"));
    set(c, v, "forest", forest);
    return v;
}

static json_t *subgroups(bctx *c, const char *instrument, const char *visit,
                         const char *control, const char *why_not)
{
    if (!instrument || !visit || !control)
        return section(c, "empty", why_not);
    size_t nv = 0;
    const char **vars = subgroup_vars(c, &nv);
    if (!vars)
        return section(c, "empty", "out of memory");
    if (nv == 0) {
        kap_free(vars);
        return section(c, "empty", "no subgroup variable in the store");
    }
    kap_subgroup_options so = KAP_SUBGROUP_OPTIONS_INIT;
    so.control = control;
    so.conf_level = c->o->conf_level;
    so.endpoint.response_threshold = c->o->response_threshold;
    int ng_adopted = 0;
    /* each variable alone first: one that cannot be analysed is reported
     * and left out of the family */
    kap_subgroup **good = kap_calloc(nv, sizeof *good);
    json_t **entry = kap_calloc(nv, sizeof *entry);
    size_t ng = 0;
    json_t *s = NULL;
    if (!good || !entry) {
        c->oom = 1;
        goto out;
    }
    /* the analyses that succeed form the family as they are: each
     * variable is analysed once */
    for (size_t i = 0; i < nv; i++) {
        kap_subgroup *sg = NULL;
        kap_error e;
        int rc = kap_subgroup_run(&sg, c->t, instrument, visit, vars[i], &so, &e);
        if (rc == KAP_OK) {
            good[ng++] = sg;
        } else {
            if (rc == KAP_ENOMEM)
                c->oom = 1;
            entry[i] = json_object();
            set(c, entry[i], "variable", json_string(vars[i]));
            section_status(c, entry[i], "empty", e.message);
            kap_subgroup_free(sg);
        }
    }
    kap_subgroup_family *fam = NULL;
    kap_error e;
    int rc = ng ? kap_sg_family_adopt(&fam, good, ng, c->o->adjust, &e) : KAP_EDATA;
    ng_adopted = ng;
    if (rc && ng) {
        if (rc == KAP_ENOMEM)
            c->oom = 1;
        s = section(c, "empty", e.message);
        goto out;
    }
    s = section(c, ng ? "ok" : "empty", ng ? NULL : "no subgroup variable could be analysed");
    set(c, s, "instrument", json_string(instrument));
    set(c, s, "visit", json_string(visit));
    set(c, s, "measure", json_string("change"));
    set(c, s, "treatment", jstr(fam ? kap_subgroup_treatment(kap_subgroup_family_get(fam, 0)) : NULL));
    set(c, s, "control", json_string(control));
    set(c, s, "adjust", json_string(kap_padjust_method_name(c->o->adjust)));
    set(c, s, "family", jstr(fam ? kap_subgroup_family_description(fam) : NULL));
    json_t *arr = json_array();
    for (size_t i = 0, g = 0; i < nv; i++) {
        if (entry[i]) {
            push(c, arr, entry[i]);
            entry[i] = NULL;
        } else if (fam && g < kap_subgroup_family_size(fam)) {
            push(c, arr, subgroup_var(c, kap_subgroup_family_get(fam, g),
                                      kap_subgroup_family_p(fam, g),
                                      kap_subgroup_family_p_adjusted(fam, g)));
            g++;
        }
    }
    set(c, s, "variables", arr);
    kap_subgroup_family_free(fam);
out:
    if (good && !ng_adopted)
        for (size_t i = 0; i < ng; i++)
            kap_subgroup_free(good[i]);
    if (entry)
        for (size_t i = 0; i < nv; i++)
            json_decref(entry[i]);
    kap_free(entry);
    kap_free(good);
    kap_free(vars);
    return s ? s : section(c, "empty", "out of memory");
}

/* ---- 7. safety ---------------------------------------------------------------- */

static json_t *incidence_obj(bctx *c, const char *arm, size_t events, size_t n,
                             size_t not_recorded, const kap_result *r)
{
    json_t *o = json_object();
    set(c, o, "arm", json_string(arm));
    set(c, o, "events", jint(events));
    set(c, o, "n", jint(n));
    set(c, o, "not_recorded", jint(not_recorded));
    set_num(c, o, "estimate", r->estimate);
    set_num(c, o, "ci_low", r->ci_low);
    set_num(c, o, "ci_high", r->ci_high);
    set(c, o, "method", jstr(r->method));
    set_note(c, o, r->note, NULL);
    return o;
}

static json_t *ae_row_obj(bctx *c, const kap_ae_row *r, const char *treat, const char *ctl,
                          int control_first)
{
    json_t *o = json_object(), *arms = json_array();
    set(c, o, "term", json_string(r->term));
    json_t *ti = incidence_obj(c, treat, r->events_treat, r->n_treat, r->not_recorded_treat,
                               &r->incidence_treat);
    json_t *ci = incidence_obj(c, ctl, r->events_control, r->n_control,
                               r->not_recorded_control, &r->incidence_control);
    push(c, arms, control_first ? ci : ti);
    push(c, arms, control_first ? ti : ci);
    set(c, o, "arms", arms);
    set(c, o, "risk_difference", result_obj(c, &r->risk_difference, R_EST | R_CI));
    set(c, o, "risk_ratio", result_obj(c, &r->risk_ratio, R_EST | R_CI));
    set(c, o, "fisher", result_obj(c, &r->fisher, R_EST | R_CI | R_P));
    return o;
}

static json_t *safety(bctx *c, const char *control, const char *control_reason)
{
    json_t *s = section(c, "ok", NULL);
    kap_safety_options so = KAP_SAFETY_OPTIONS_INIT;
    so.control = control;
    so.conf_level = c->o->conf_level;
    kap_error e;
    int rc;
    /* adverse events */
    json_t *ae;
    if (kap_trial_n_ae_terms(c->t) == 0) {
        ae = section(c, "empty", "the store holds no adverse-event data");
    } else if (!control) {
        ae = section(c, "empty", control_reason);
    } else {
        kap_ae_table *tb = NULL;
        if ((rc = kap_safety_ae(&tb, c->t, &so, &e))) {
            if (rc == KAP_ENOMEM)
                c->oom = 1;
            ae = section(c, "empty", e.message);
        } else {
            const char *tr = kap_ae_table_treatment(tb), *ct = kap_ae_table_control(tb);
            size_t it = 0, ic = 0;
            kap_trial_find_arm(c->t, tr, &it, NULL);
            kap_trial_find_arm(c->t, ct, &ic, NULL);
            int cf = ic < it; /* arms in trial order, as everywhere else */
            ae = section(c, "ok", NULL);
            set(c, ae, "treatment", json_string(tr));
            set(c, ae, "control", json_string(ct));
            set(c, ae, "any", ae_row_obj(c, kap_ae_table_any(tb), tr, ct, cf));
            json_t *terms = json_array();
            for (size_t i = 0; i < kap_ae_table_n_terms(tb); i++)
                push(c, terms, ae_row_obj(c, kap_ae_table_row(tb, i), tr, ct, cf));
            set(c, ae, "terms", terms);
            kap_ae_table_free(tb);
        }
    }
    set(c, s, "adverse_events", ae);
    /* dissociation and vital signs */
    kap_vitals_table *vt = NULL;
    json_t *vs;
    if ((rc = kap_safety_vitals(&vt, c->t, &so, &e))) {
        if (rc == KAP_ENOMEM)
            c->oom = 1;
        vs = section(c, "empty", e.message);
    } else if (kap_vitals_table_n_rows(vt) == 0) {
        vs = section(c, "empty", "the store holds no dissociation (CADSS) or vital-sign instrument");
    } else {
        vs = section(c, "ok", NULL);
        json_t *insts = json_array(), *io = NULL, *visits = NULL, *vo = NULL, *arms = NULL;
        const char *cur_i = NULL, *cur_v = NULL;
        for (size_t i = 0; i < kap_vitals_table_n_rows(vt); i++) {
            const kap_vital_row *r = kap_vitals_table_row(vt, i);
            if (!cur_i || strcmp(cur_i, r->instrument)) {
                size_t k = 0;
                io = json_object();
                visits = json_array();
                cur_i = r->instrument;
                cur_v = NULL;
                set(c, io, "instrument", json_string(r->instrument));
                kap_trial_find_instrument(c->t, r->instrument, &k, NULL);
                set(c, io, "kind", json_string(kind_name(kap_trial_instrument_kind(c->t, k))));
                set_num(c, io, "above", r->above);
                set_num(c, io, "rise", r->rise);
                set_note(c, io, NULL, "null threshold: that criterion is not used");
                set(c, io, "visits", visits);
                push(c, insts, io);
            }
            if (!cur_v || strcmp(cur_v, r->visit)) {
                vo = json_object();
                arms = json_array();
                cur_v = r->visit;
                set(c, vo, "visit", json_string(r->visit));
                set(c, vo, "baseline", json_boolean(r->is_baseline));
                set(c, vo, "arms", arms);
                push(c, visits, vo);
            }
            json_t *ao = json_object();
            set(c, ao, "arm", json_string(r->arm));
            set(c, ao, "value", desc_obj(c, &r->value, 0));
            set(c, ao, "change", desc_obj(c, &r->change, 0));
            set(c, ao, "n_assessed", jint(r->n_assessed));
            set(c, ao, "n_exceed", jint(r->n_exceed));
            set(c, ao, "exceed", result_obj(c, &r->exceed, R_EST | R_CI));
            push(c, arms, ao);
        }
        set(c, vs, "instruments", insts);
    }
    kap_vitals_table_free(vt);
    set(c, s, "vitals", vs);
    if (!kap_rj_ok(ae) && !kap_rj_ok(vs))
        section_status(c, s, "empty", "no adverse-event, dissociation or vital-sign data");
    return s;
}

/* ---- methods -------------------------------------------------------------- */

static json_t *methods(bctx *c, const json_t *root, const char *instrument,
                       const char *visit)
{
    kap_sb b = {0};
    const kap_report_options *o = c->o;
    double cl = 100.0 * o->conf_level;
    kap_sb_printf(&b,
        "Report generated by libkapstats %s (report schema %d). ", kap_version(),
        KAP_REPORT_SCHEMA_VERSION);
    if (instrument && visit)
        kap_sb_printf(&b, "Primary endpoint: change from baseline in %s at %s. ", instrument, visit);
    kap_sb_printf(&b,
        "Per arm: mean, SD and %g%% t-based CI of the change (complete cases). "
        "Adjusted difference: ANCOVA by ordinary least squares, change ~ baseline + arm, "
        "with least-squares means (equal weights, as R emmeans) and t-based %g%% CIs and p-values. "
        "Unadjusted difference: Welch two-sample t test. "
        "Standardised difference: Hedges' g of the change (pooled SD, exact small-sample "
        "correction) with a %g%% CI by inversion of the noncentral t (Steiger 2004). "
        "Response: reduction from baseline of at least %g%%; remission: the instrument's "
        "conventional cut-off. Rates with Wilson score CIs; risk difference with Newcombe's "
        "hybrid score CI, risk ratio with the Katz log CI, odds ratio with the Woolf logit CI, "
        "Fisher's exact test, NNT by inversion of the risk-difference CI (Altman 1998). ",
        cl, cl, cl, 100.0 * o->response_threshold);
    kap_sb_put(&b,
        "Missing data: the primary analysis uses complete cases (participants with a baseline "
        "and a score at the visit); a sensitivity analysis carries the last observed "
        "post-baseline score forward (LOCF; baseline when none). Trajectories and secondary "
        "instruments use complete cases at each visit. Study flow: a participant has dropped "
        "out at a visit when no score is recorded at that visit or later. ");
    const char *adj = kap_padjust_method_name(o->adjust);
    kap_sb_printf(&b,
        "Representation: proportions of the known values with Wilson CIs. Table 1: descriptives "
        "by arm and standardised differences (continuous: pooled-SD; categorical: Yang & "
        "Dalton 2012). Subgroups: per level, Welch mean difference of the change; interaction "
        "by the F test of nested linear models (change ~ arm * subgroup vs arm + subgroup, "
        "also with baseline); heterogeneity of the per-level differences by REML "
        "random-effects meta-analysis (Q, I2, tau2 with Q-profile CI; metafor); per-level "
        "p-values adjusted within each variable (Holm) and interaction p-values across "
        "variables adjusted by %s (R p.adjust). Safety: adverse-event incidence with "
        "Clopper-Pearson CIs, risk difference (Newcombe), risk ratio (Katz) and Fisher's "
        "exact test; CADSS and vital signs by visit with change from baseline and the "
        "proportion beyond the library's thresholds (Clopper-Pearson). ",
        adj ? adj : "?");
    json_t *prov = kap_rj_obj(root, "provenance");
    json_t *src = kap_rj_arr(prov, "sources");
    size_t i;
    json_t *v;
    kap_sb_printf(&b, "Data: store written by libkapstats %s from %zu source file%s",
                  kap_rj_str(prov, "writer_version") ? kap_rj_str(prov, "writer_version") : "?",
                  json_array_size(src), json_array_size(src) == 1 ? "" : "s");
    json_array_foreach(src, i, v)
        kap_sb_printf(&b, "%s %s (SHA-256 %s)", i ? ";" : ":", kap_rj_str(v, "name"),
                      kap_rj_str(v, "sha256"));
    kap_sb_put(&b, ".");
    json_t *m = json_object();
    if (b.oom)
        c->oom = 1;
    set(c, m, "text", json_string(b.p ? b.p : ""));
    kap_sb_free(&b);
    set(c, m, "library_version", json_string(kap_version()));
    set(c, m, "conf_level", json_real(o->conf_level));
    set(c, m, "primary_missing_data", json_string("complete_case"));
    set(c, m, "sensitivity_missing_data", json_string("locf"));
    set(c, m, "adjust", json_string(adj ? adj : "?"));
    return m;
}

/* ---- the report ----------------------------------------------------------- */

static void instrument_list(bctx *c, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < kap_trial_n_instruments(c->t) && used + 1 < n; k++) {
        int w = kap_snprintf(buf + used, n - used, "%s%s", k ? ", " : "",
                             kap_trial_instrument_name(c->t, k));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Sections 2 (representation), 6 (subgroups) and 7 (safety) depend only
 * on the resolved instrument, visit and control: they are built on a
 * second thread while this one builds sections 1, 3, 4 and 5.  Each side
 * has its own context and its own JSON trees; the trees are put in place
 * (keys pre-inserted in report order) after the join, so the output is
 * byte-identical to a sequential build.  Fault-injection builds stay on
 * one thread: their allocation counter is per thread. */
typedef struct side_job {
    bctx c;
    const char *instrument, *visit, *control, *why_sub, *control_reason;
    json_t *rep, *sub, *saf;
} side_job;

static void side_run_all(side_job *j)
{
    j->rep = representation(&j->c, j->control, j->control_reason);
    j->sub = subgroups(&j->c, j->instrument, j->visit, j->control, j->why_sub);
    j->saf = safety(&j->c, j->control, j->control_reason);
}

static void *side_thread(void *arg)
{
    side_run_all(arg);
    return NULL;
}

static int build(json_t *root, bctx *c)
{
    const kap_trial *t = c->t;
    const kap_report_options *o = c->o;
    set(c, root, "schema", json_string("kapstats-report"));
    set(c, root, "schema_version", json_integer(KAP_REPORT_SCHEMA_VERSION));
    json_t *gen = json_object();
    set(c, gen, "name", json_string("libkapstats"));
    set(c, gen, "version", json_string(kap_version()));
    set(c, root, "generator", gen);
    if (o->timestamp)
        set(c, root, "timestamp", json_string(o->timestamp));

    /* resolve instrument, visit, control */
    size_t k = 0, v = 0, ctl = 0;
    int have_k = 0, have_v = 0, have_ctl = 0;
    char primary_reason[600] = "", flow_reason[600] = "";
    kap_error e;
    if (o->instrument) {
        if (kap_trial_find_instrument(t, o->instrument, &k, &e) == KAP_OK)
            have_k = 1;
        else {
            char list[300];
            instrument_list(c, list, sizeof list);
            kap_snprintf(primary_reason, sizeof primary_reason,
                         "unknown instrument '%s' (the store has: %s)", o->instrument,
                         list[0] ? list : "none");
        }
    } else {
        size_t ni = kap_trial_n_instruments(t);
        for (size_t i = 0; i < ni && !have_k; i++)
            if (kap_trial_instrument_kind(t, i) == KAP_INSTR_DEPRESSION) {
                k = i;
                have_k = 1;
            }
        if (!have_k && ni > 0) {
            k = 0;
            have_k = 1;
        }
        if (!have_k)
            kap_snprintf(primary_reason, sizeof primary_reason, "the store holds no instrument");
    }
    if (!have_k)
        kap_snprintf(flow_reason, sizeof flow_reason, "%s", primary_reason);
    const char *instrument = have_k ? kap_trial_instrument_name(t, k) : NULL;
    long bl = have_k ? kap_trial_baseline_visit(t, k) : -1;
    if (have_k) {
        size_t nv = kap_trial_n_visits(t, k);
        if (o->visit) {
            if (kap_trial_find_visit(t, k, o->visit, &v, &e) == KAP_OK)
                have_v = 1;
            else
                kap_snprintf(primary_reason, sizeof primary_reason,
                             "unknown visit '%s' of instrument '%s'", o->visit, instrument);
        } else if (nv > 0) {
            v = nv - 1;
            have_v = 1;
        }
        if (have_v && bl < 0) {
            have_v = 0;
            kap_snprintf(primary_reason, sizeof primary_reason,
                         "instrument '%s' has no baseline visit: no change from baseline",
                         instrument);
        } else if (have_v && (long)v == bl) {
            have_v = 0;
            kap_snprintf(primary_reason, sizeof primary_reason,
                         "visit '%s' is the baseline of '%s': no post-baseline visit to compare",
                         kap_trial_visit_label(t, k, v), instrument);
        }
    }
    const char *visit = have_v ? kap_trial_visit_label(t, k, v) : o->visit;
    if (kap_trial_n_arms(t) < 2) {
        kap_snprintf(c->reason, sizeof c->reason,
                     "the trial has %zu arm%s: comparisons need two", kap_trial_n_arms(t),
                     kap_trial_n_arms(t) == 1 ? "" : "s");
    } else if (kap_trial_choose_control(&ctl, t, o->control, &e) == KAP_OK) {
        have_ctl = 1;
    } else {
        kap_snprintf(c->reason, sizeof c->reason, "%s", e.message);
    }
    char control_reason[600];
    kap_snprintf(control_reason, sizeof control_reason, "%s", c->reason);
    const char *control = have_ctl ? kap_trial_arm_name(t, ctl) : NULL;

    /* options as resolved */
    json_t *opt = json_object();
    set(c, opt, "instrument", jstr(have_k ? instrument : o->instrument));
    set(c, opt, "visit", jstr(visit));
    set(c, opt, "control", jstr(control ? control : o->control));
    set(c, opt, "control_rule", json_string(o->control ? "named" : "kap_trial_choose_control"));
    json_t *sg = json_array();
    size_t nsg = 0;
    const char **sgv = subgroup_vars(c, &nsg);
    for (size_t i = 0; sgv && i < nsg; i++)
        push(c, sg, json_string(sgv[i]));
    kap_free(sgv);
    set(c, opt, "subgroups", sg);
    set(c, opt, "adjust", json_string(kap_padjust_method_name(o->adjust)));
    set(c, opt, "conf_level", json_real(o->conf_level));
    set(c, opt, "response_threshold", json_real(o->response_threshold));
    set(c, root, "options", opt);

    /* provenance */
    json_t *prov = json_object();
    set(c, prov, "layout", jstr(kap_trial_source_layout(t)));
    set(c, prov, "writer_version", jstr(kap_trial_writer_version(t)));
    json_t *srcs = json_array();
    for (size_t s = 0; s < kap_trial_n_sources(t); s++) {
        json_t *so = json_object();
        set(c, so, "name", jstr(kap_trial_source_name(t, s)));
        set(c, so, "sha256", jstr(kap_trial_source_sha256(t, s)));
        push(c, srcs, so);
    }
    set(c, prov, "sources", srcs);
    set(c, root, "provenance", prov);

    /* 1. study flow */
    kap_snprintf(c->reason, sizeof c->reason, "%s", flow_reason);
    set(c, root, "study_flow", study_flow(c, have_k, k));

    /* 2. representation, 6. subgroups, 7. safety: on a second thread */
    side_job job;
    memset(&job, 0, sizeof job);
    job.c.t = c->t;
    job.c.o = c->o;
    job.instrument = have_k && have_v ? instrument : NULL;
    job.visit = have_v ? visit : NULL;
    job.control = control;
    job.why_sub = !have_k || !have_v ? primary_reason : control_reason;
    job.control_reason = control_reason;
    set(c, root, "representation", json_null());
    int threaded = 0;
    pthread_t side;
#ifndef KAP_FAULT_INJECTION
    if (kap_default_threads() > 1)
        threaded = pthread_create(&side, NULL, side_thread, &job) == 0;
#endif
    if (!threaded)
        side_run_all(&job);

    /* 3. primary endpoint */
    json_t *prim;
    if (!have_k || !have_v) {
        prim = section(c, "empty", primary_reason);
    } else if (!have_ctl) {
        prim = section(c, "empty", control_reason);
    } else {
        json_t *an = json_array();
        const char *why = NULL;
        kap_missing_rule rules[2] = {KAP_MISSING_COMPLETE_CASE, KAP_MISSING_LOCF};
        for (int r = 0; r < 2; r++) {
            json_t *cmp = comparison(c, instrument, visit, control, rules[r]);
            if (cmp)
                push(c, an, cmp);
            else if (!why)
                why = c->reason;
        }
        if (json_array_size(an) == 0) {
            prim = section(c, "empty", why);
            json_decref(an);
            an = NULL;
        } else {
            prim = section(c, "ok", NULL);
        }
        set(c, prim, "instrument", json_string(instrument));
        set(c, prim, "visit", json_string(visit));
        set(c, prim, "control", json_string(control));
        set(c, prim, "definitions", definitions(c, k));
        if (an)
            set(c, prim, "analyses", an);
    }
    set(c, root, "primary", prim);

    /* 4. trajectory of the primary instrument */
    if (have_k) {
        json_t *tr = trajectory(c, k);
        set(c, root, "trajectory", tr ? tr : section(c, "empty", "out of memory"));
    } else {
        set(c, root, "trajectory", section(c, "empty", primary_reason));
    }

    /* 5. secondary instruments */
    json_t *sec = json_object();
    json_t *insts = json_array();
    for (size_t i = 0; i < kap_trial_n_instruments(t); i++) {
        kap_instrument_kind kind = kap_trial_instrument_kind(t, i);
        if ((have_k && i == k) || kind == KAP_INSTR_DISSOCIATION || kind == KAP_INSTR_VITAL)
            continue;
        json_t *io = json_object();
        const char *name = kap_trial_instrument_name(t, i);
        size_t nv = kap_trial_n_visits(t, i);
        const char *lv = nv ? kap_trial_visit_label(t, i, nv - 1) : NULL;
        set(c, io, "instrument", json_string(name));
        set(c, io, "kind", json_string(kind_name(kind)));
        set(c, io, "visit", jstr(lv));
        json_t *cmp = NULL;
        const char *why = NULL;
        if (!have_ctl)
            why = control_reason;
        else if (kap_trial_baseline_visit(t, i) < 0)
            why = "the instrument has no baseline visit";
        else if (!lv || (long)(nv - 1) == kap_trial_baseline_visit(t, i))
            why = "the instrument has no post-baseline visit";
        else if (!(cmp = comparison(c, name, lv, control, KAP_MISSING_COMPLETE_CASE)))
            why = c->reason;
        section_status(c, io, cmp ? "ok" : "empty", cmp ? NULL : why);
        set(c, io, "definitions", definitions(c, i));
        set(c, io, "comparison", cmp ? cmp : json_null());
        json_t *tr = trajectory(c, i);
        set(c, io, "trajectory", tr ? tr : json_null());
        push(c, insts, io);
    }
    if (json_array_size(insts))
        section_status(c, sec, "ok", NULL);
    else
        section_status(c, sec, "empty", "the store holds no secondary efficacy instrument");
    set(c, sec, "instruments", insts);
    set(c, root, "secondary", sec);

    /* 6. subgroups, 7. safety (and 2.): from the second thread */
    if (threaded)
        pthread_join(side, NULL);
    if (job.c.oom)
        c->oom = 1;
    set(c, root, "representation", job.rep);
    set(c, root, "subgroups", job.sub);
    set(c, root, "safety", job.saf);

    /* 8. methods */
    set(c, root, "methods", methods(c, root, instrument, have_v ? visit : NULL));
    return c->oom ? KAP_ENOMEM : KAP_OK;
}

int kap_report_build(kap_report **out, const kap_trial *t, const kap_report_options *opts,
                     kap_error *err)
{
    kap_report_options def = KAP_REPORT_OPTIONS_INIT;
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_report_build: NULL out");
    *out = NULL;
    if (!t)
        return kap_err(err, KAP_EINVAL, "kap_report_build: NULL trial");
    if (!opts)
        opts = &def;
    if (opts->version != KAP_REPORT_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_report_build: options version %u, expected %u",
                       opts->version, KAP_REPORT_OPTIONS_VERSION);
    if (!(opts->conf_level > 0 && opts->conf_level < 1))
        return kap_err(err, KAP_EINVAL, "confidence level %g is not in (0, 1)", opts->conf_level);
    if (!(opts->response_threshold > 0 && opts->response_threshold <= 1))
        return kap_err(err, KAP_EINVAL, "response threshold %g is not in (0, 1]",
                       opts->response_threshold);
    if (!kap_padjust_method_name(opts->adjust))
        return kap_err(err, KAP_EINVAL, "unknown multiplicity adjustment %d", (int)opts->adjust);
    if (opts->n_subgroups && !opts->subgroups)
        return kap_err(err, KAP_EINVAL, "kap_report_build: NULL subgroup list");
    for (size_t i = 0; i < opts->n_subgroups; i++)
        if (!opts->subgroups[i])
            return kap_err(err, KAP_EINVAL, "subgroup name %zu is NULL", i);
    kap_report *r = kap_calloc(1, sizeof *r);
    bctx c = {t, opts, 0, ""};
    if (!r || !(r->root = json_object())) {
        kap_free(r);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    if (build(r->root, &c) != KAP_OK) {
        kap_report_free(r);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    *out = r;
    return KAP_OK;
}

void kap_report_free(kap_report *r)
{
    if (!r)
        return;
    json_decref(r->root);
    kap_free(r);
}

/* ---- sections ------------------------------------------------------------- */

static const char *const section_names[] = {
    "study_flow", "representation", "primary", "trajectory", "secondary", "subgroups", "safety",
};

size_t kap_report_n_sections(const kap_report *r)
{
    return r ? sizeof section_names / sizeof *section_names : 0;
}

int kap_report_section(const kap_report *r, size_t i, const char **name, const char **status,
                       const char **reason)
{
    if (!r || i >= kap_report_n_sections(r))
        return KAP_EINVAL;
    json_t *s = kap_rj_obj(r->root, section_names[i]);
    if (name)
        *name = section_names[i];
    if (status)
        *status = s && kap_rj_str(s, "status") ? kap_rj_str(s, "status") : "unavailable";
    if (reason)
        *reason = s ? kap_rj_str(s, "reason") : "absent from this report";
    return KAP_OK;
}
