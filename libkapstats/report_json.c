/*
 * report_json.c - the report as JSON (writing through jansson, 17
 * significant digits), rendering dispatch, atomic writing, reading a JSON
 * report back and comparing two reports.
 */
#include "atomic_file.h"
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sb_dump_cb(const char *buffer, size_t size, void *data)
{
    kap_sb *b = data;
    kap_sb_putn(b, buffer, size);
    return b->oom ? -1 : 0;
}

/* Key order is the order of insertion (jansson >= 2.8 keeps it), which the
 * builder fixes; JSON_REAL_PRECISION(17) round-trips every double. */
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(17))

void kap_report_render_json(kap_sb *b, const json_t *root)
{
    if (json_dump_callback(root, sb_dump_cb, b, DUMP_FLAGS) != 0)
        b->oom = 1;
    kap_sb_put(b, "\n");
}

static int render(kap_sb *b, const kap_report *r, kap_report_format fmt, kap_error *err)
{
    switch (fmt) {
    case KAP_REPORT_JSON: kap_report_render_json(b, r->root); break;
    case KAP_REPORT_MARKDOWN: kap_report_render_md(b, r->root); break;
    case KAP_REPORT_HTML: kap_report_render_html(b, r->root); break;
    default: return kap_err(err, KAP_EINVAL, "unknown report format %d", (int)fmt);
    }
    if (b->oom) {
        kap_sb_free(b);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    return KAP_OK;
}

int kap_report_render(char *buf, size_t size, size_t *len, const kap_report *r,
                      kap_report_format fmt, kap_error *err)
{
    if (!r || (!buf && size > 0))
        return kap_err(err, KAP_EINVAL, "kap_report_render: NULL argument");
    kap_sb b = {0};
    int rc = render(&b, r, fmt, err);
    if (rc)
        return rc;
    if (len)
        *len = b.len;
    if (size > 0) {
        size_t n = b.len < size - 1 ? b.len : size - 1;
        if (n)
            memcpy(buf, b.p, n);
        buf[n] = '\0';
    }
    kap_sb_free(&b);
    return KAP_OK;
}

int kap_report_format_parse(kap_report_format *out, const char *name, kap_error *err)
{
    if (!out || !name)
        return kap_err(err, KAP_EINVAL, "kap_report_format_parse: NULL argument");
    if (!strcmp(name, "json"))
        *out = KAP_REPORT_JSON;
    else if (!strcmp(name, "md") || !strcmp(name, "markdown"))
        *out = KAP_REPORT_MARKDOWN;
    else if (!strcmp(name, "html"))
        *out = KAP_REPORT_HTML;
    else
        return kap_err(err, KAP_EINVAL, "unknown report format '%s' (json, md, html)", name);
    return KAP_OK;
}

/* ---- atomic write ---------------------------------------------------------- */

int kap_report_write(const kap_report *r, kap_report_format fmt, const char *path,
                     kap_error *err)
{
    if (!r || !path || !*path)
        return kap_err(err, KAP_EINVAL, "kap_report_write: NULL argument or empty path");
    size_t pl = strlen(path);
    if (path[pl - 1] == '/')
        return kap_err(err, KAP_EINVAL, "%s: not a file name", path);
    kap_sb b = {0};
    int rc = render(&b, r, fmt, err);
    if (rc)
        return rc;
    kap_atomic_file af;
    if (kap_atomic_open(&af, path) < 0) {
        int e = errno;
        kap_sb_free(&b);
        if (e == ENOMEM)
            return kap_err(err, KAP_ENOMEM, "out of memory");
        return kap_err(err, KAP_EIO, "%s: cannot create a temporary file beside it: %s", path,
                       strerror(e));
    }
    const char *what = NULL;
    int e = 0;
    size_t done = 0;
    while (done < b.len) {
        ssize_t w = write(af.fd, b.p + done, b.len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            what = "cannot write";
            e = errno;
            break;
        }
        done += (size_t)w;
    }
    kap_sb_free(&b);
    if (what) {
        kap_atomic_abort(&af);
        return kap_err(err, KAP_EIO, "%s %s: %s", what, path, strerror(e));
    }
    int step;
    /* a failed directory sync loses nothing written: not an error here */
    if (kap_atomic_commit(&af, path, &step) < 0 && step != KAP_ATOMIC_DIRSYNC) {
        e = errno;
        what = step == KAP_ATOMIC_FSYNC ? "cannot sync"
               : step == KAP_ATOMIC_CLOSE ? "cannot close"
                                          : "cannot rename the temporary file over";
        return kap_err(err, KAP_EIO, "%s %s: %s", what, path, strerror(e));
    }
    return KAP_OK;
}

/* ---- reading ---------------------------------------------------------------- */

int kap_report_read_json(kap_report **out, const char *path, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_report_read_json: NULL out");
    *out = NULL;
    if (!path)
        return kap_err(err, KAP_EINVAL, "kap_report_read_json: NULL path");
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (json_error_code(&je) == json_error_cannot_open_file)
            return kap_err(err, KAP_EIO, "%s: cannot read: %s", path, strerror(errno));
        if (json_error_code(&je) == json_error_out_of_memory)
            return kap_err(err, KAP_ENOMEM, "out of memory");
        return kap_err_input(err, path, je.line > 0 ? (unsigned long)je.line : 0,
                             je.column > 0 ? (unsigned long)je.column : 0, "not JSON: %s",
                             je.text);
    }
    const char *schema = kap_rj_str(root, "schema");
    json_t *ver = json_object_get(root, "schema_version");
    int rc = KAP_OK;
    if (!json_is_object(root) || !schema || strcmp(schema, "kapstats-report") ||
        !json_is_integer(ver))
        rc = kap_err(err, KAP_EFORMAT, "%s: not a kapstats report (no schema "
                     "\"kapstats-report\" with an integer schema_version)", path);
    else if (json_integer_value(ver) > KAP_REPORT_SCHEMA_VERSION || json_integer_value(ver) < 1)
        rc = kap_err(err, KAP_EFORMAT,
                     "%s: report schema version %lld is not supported by this libkapstats "
                     "(%d)", path, (long long)json_integer_value(ver), KAP_REPORT_SCHEMA_VERSION);
    if (rc) {
        json_decref(root);
        return rc;
    }
    kap_report *r = kap_calloc(1, sizeof *r);
    if (!r) {
        json_decref(root);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    r->root = root;
    *out = r;
    return KAP_OK;
}

/* ---- comparison ------------------------------------------------------------- */

typedef struct diff_entry {
    char *path, *old_v, *new_v;
} diff_entry;

struct kap_report_diff {
    diff_entry *e;
    size_t n, cap;
};

typedef struct dctx {
    kap_report_diff *d;
    kap_sb path;
    double rtol;
    int oom;
} dctx;

static char *value_text(const json_t *v, int *oom)
{
    if (!v)
        return NULL;
    kap_sb b = {0};
    if (json_dump_callback(v, sb_dump_cb, &b, JSON_COMPACT | JSON_ENCODE_ANY |
                                                  JSON_REAL_PRECISION(17)) != 0 || b.oom) {
        kap_sb_free(&b);
        *oom = 1;
        return NULL;
    }
    if (b.len > 240) {
        b.len = 237;
        kap_sb_put(&b, "...");
    }
    if (b.oom) {
        kap_sb_free(&b);
        *oom = 1;
        return NULL;
    }
    return b.p;
}

static void record(dctx *c, const json_t *a, const json_t *b)
{
    kap_report_diff *d = c->d;
    if (c->oom)
        return;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        diff_entry *e = kap_realloc(d->e, cap * sizeof *e);
        if (!e) {
            c->oom = 1;
            return;
        }
        d->e = e;
        d->cap = cap;
    }
    diff_entry *e = &d->e[d->n];
    e->path = kap_strdup(c->path.p ? c->path.p : "$");
    e->old_v = value_text(a, &c->oom);
    e->new_v = value_text(b, &c->oom);
    d->n++; /* counted even when partly filled so that free releases it */
    if (!e->path)
        c->oom = 1;
}

static const char *const id_keys[] = {"arm", "instrument", "visit", "variable", "level",
                                      "term", "analysis", "name"};

/* The identity key shared by every element of both arrays, with unique
 * values in each; NULL when the arrays must be matched by position. */
static const char *identity_key(const json_t *a, const json_t *b)
{
    const json_t *first = json_array_size(a) ? json_array_get(a, 0) : json_array_get(b, 0);
    if (!json_is_object(first))
        return NULL;
    for (size_t k = 0; k < sizeof id_keys / sizeof *id_keys; k++) {
        const char *key = id_keys[k];
        if (!kap_rj_str(first, key))
            continue;
        const json_t *arrs[2] = {a, b};
        int ok = 1;
        for (int s = 0; s < 2 && ok; s++) {
            size_t n = json_array_size(arrs[s]);
            for (size_t i = 0; i < n && ok; i++) {
                const char *vi = kap_rj_str(json_array_get(arrs[s], i), key);
                if (!vi) {
                    ok = 0;
                    break;
                }
                for (size_t j = 0; j < i; j++)
                    if (!strcmp(vi, kap_rj_str(json_array_get(arrs[s], j), key)))
                        ok = 0;
            }
        }
        return ok ? key : NULL;
    }
    return NULL;
}

static int simple_name(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static void push_key(kap_sb *p, const char *key)
{
    if (simple_name(key)) {
        kap_sb_put(p, ".");
        kap_sb_put(p, key);
    } else {
        kap_sb_put(p, "[\"");
        for (const char *s = key; *s; s++) {
            if (*s == '"' || *s == '\\')
                kap_sb_put(p, "\\");
            kap_sb_putn(p, s, 1);
        }
        kap_sb_put(p, "\"]");
    }
}

static void pop_to(kap_sb *p, size_t len)
{
    if (p->p && len <= p->len) {
        p->len = len;
        p->p[len] = '\0';
    }
}

static int ignored(const char *path)
{
    return !strcmp(path, "$.timestamp") || !strcmp(path, "$.generator") ||
           !strcmp(path, "$.methods.text");
}

static void walk(dctx *c, const json_t *a, const json_t *b);

static void walk_key(dctx *c, const char *key, const json_t *a, const json_t *b)
{
    size_t mark = c->path.len;
    push_key(&c->path, key);
    if (c->path.oom)
        c->oom = 1;
    else if (!ignored(c->path.p)) {
        if (a && b)
            walk(c, a, b);
        else
            record(c, a, b);
    }
    pop_to(&c->path, mark);
}

static void walk(dctx *c, const json_t *a, const json_t *b)
{
    if (c->oom)
        return;
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) walk_key(c, k, v, json_object_get(b, k));
        json_object_foreach((json_t *)b, k, v) if (!json_object_get(a, k))
            walk_key(c, k, NULL, v);
        return;
    }
    if (json_is_array(a) && json_is_array(b)) {
        const char *id = identity_key(a, b);
        size_t na = json_array_size(a), nb = json_array_size(b), mark = c->path.len;
        if (!id) {
            for (size_t i = 0; i < (na > nb ? na : nb); i++) {
                kap_sb_printf(&c->path, "[%zu]", i);
                if (c->path.oom) {
                    c->oom = 1;
                    return;
                }
                if (i < na && i < nb)
                    walk(c, json_array_get(a, i), json_array_get(b, i));
                else
                    record(c, json_array_get(a, i), json_array_get(b, i));
                pop_to(&c->path, mark);
            }
            return;
        }
        for (int side = 0; side < 2; side++) {
            const json_t *x = side ? b : a, *y = side ? a : b;
            for (size_t i = 0; i < json_array_size(x); i++) {
                const json_t *xi = json_array_get(x, i), *yi = NULL;
                const char *name = kap_rj_str(xi, id);
                for (size_t j = 0; j < json_array_size(y) && !yi; j++)
                    if (!strcmp(name, kap_rj_str(json_array_get(y, j), id)))
                        yi = json_array_get(y, j);
                if (side == 1 && yi)
                    continue; /* already walked from a */
                kap_sb_printf(&c->path, "[%s=%s]", id, name);
                if (c->path.oom) {
                    c->oom = 1;
                    return;
                }
                if (yi)
                    walk(c, xi, yi);
                else if (side == 0)
                    record(c, xi, NULL);
                else
                    record(c, NULL, xi);
                pop_to(&c->path, mark);
            }
        }
        return;
    }
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        if (json_is_integer(a) && json_is_integer(b)) {
            if (json_integer_value(a) != json_integer_value(b))
                record(c, a, b);
            return;
        }
        double scale = fmax(fabs(x), fabs(y));
        if (x != y && !(fabs(x - y) <= c->rtol * scale))
            record(c, a, b);
        return;
    }
    if (!json_equal((json_t *)a, (json_t *)b))
        record(c, a, b);
}

int kap_report_compare(kap_report_diff **out, const kap_report *old_report,
                       const kap_report *new_report, double rtol, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_report_compare: NULL out");
    *out = NULL;
    if (!old_report || !new_report)
        return kap_err(err, KAP_EINVAL, "kap_report_compare: NULL report");
    if (!(rtol >= 0) || isinf(rtol))
        return kap_err(err, KAP_EINVAL, "relative tolerance %g is not a finite number >= 0",
                       rtol);
    kap_report_diff *d = kap_calloc(1, sizeof *d);
    if (!d)
        return kap_err(err, KAP_ENOMEM, "out of memory");
    dctx c = {d, {0}, rtol, 0};
    kap_sb_put(&c.path, "$");
    walk(&c, old_report->root, new_report->root);
    kap_sb_free(&c.path);
    if (c.oom || c.path.oom) {
        kap_report_diff_free(d);
        return kap_err(err, KAP_ENOMEM, "out of memory");
    }
    *out = d;
    return KAP_OK;
}

size_t kap_report_diff_count(const kap_report_diff *d)
{
    return d ? d->n : 0;
}

int kap_report_diff_get(const kap_report_diff *d, size_t i, const char **path,
                        const char **old_value, const char **new_value)
{
    if (!d || i >= d->n)
        return KAP_EINVAL;
    if (path)
        *path = d->e[i].path;
    if (old_value)
        *old_value = d->e[i].old_v;
    if (new_value)
        *new_value = d->e[i].new_v;
    return KAP_OK;
}

void kap_report_diff_free(kap_report_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        kap_free(d->e[i].path);
        kap_free(d->e[i].old_v);
        kap_free(d->e[i].new_v);
    }
    kap_free(d->e);
    kap_free(d);
}
