/*
 * ingest_csv.c - trial CSV files into a validated kap_trial: the public
 * entry points, the builder shared by the two layouts (participants,
 * columns, instruments, visits, value parsing) and the final assembly of
 * the trial.  The layouts themselves live in ingest_wide.c and
 * ingest_long.c; the CSV reader in csv_reader.c.
 */
#include "ingest_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_POS ((size_t)-1)

/* ---- values ------------------------------------------------------------- */

int ing_is_missing(const ing_builder *b, const char *s, size_t len)
{
    if (len == 0)
        return 1;
    const kap_ingest_options *o = b->opts;
    /* the usual case, a number: no built-in code starts with a digit */
    if (o->n_missing_codes == 0 && (unsigned char)(s[0] - '0') < 10)
        return 0;
    if (len <= 3 && (kap_ieq(s, len, "na") || kap_ieq(s, len, "n/a") ||
                     kap_ieq(s, len, ".") || kap_ieq(s, len, "nan")))
        return 1;
    for (size_t i = 0; i < o->n_missing_codes; i++)
        if (o->missing_codes[i] && kap_ieq(s, len, o->missing_codes[i]))
            return 1;
    return 0;
}

static int is_inf_word(const char *s, size_t len)
{
    if (len && (s[0] == '+' || s[0] == '-')) {
        s++;
        len--;
    }
    return kap_ieq(s, len, "inf") || kap_ieq(s, len, "infinity");
}

/* 0: a number (or missing: NaN); -1: not a number; -2: not finite. */
static int parse_value(const ing_builder *b, const char *s, size_t len,
                       double *out)
{
    if (ing_is_missing(b, s, len)) {
        *out = NAN;
        return 0;
    }
    double v = NAN;
    int rc = kap_parse_double(s, len, &v);
    if (rc == -1 && is_inf_word(s, len))
        rc = -2;
    if (rc == 0)
        *out = v;
    return rc;
}

static int number_error(ing_builder *b, int code, const char *what,
                        const char *file, unsigned long line,
                        unsigned long column, const char *s, size_t len)
{
    char q[96];
    return kap_err_input(b->err, file, line, column,
                         "value '%s' is not a %snumber (expected %s, or a "
                         "missing value)",
                         kap_quote_value(q, sizeof q, s, len),
                         code == -2 ? "finite " : "", what);
}

int ing_parse_number(ing_builder *b, const char *what, const char *file,
                     unsigned long line, unsigned long column, const char *s,
                     size_t len, double *out)
{
    int rc = parse_value(b, s, len, out);
    if (rc)
        return number_error(b, rc, what, file, line, column, s, len);
    return KAP_OK;
}

int ing_parse_score(ing_builder *b, size_t k, const char *file,
                    unsigned long line, unsigned long column, const char *s,
                    size_t len, double *out)
{
    const ing_instr *in = &b->instr[k];
    int rc = parse_value(b, s, len, out);
    if (rc) {
        /* the expectation is formatted only here: printf per value would
         * dominate the ingestion time */
        char what[160];
        if (isnan(in->min))
            kap_snprintf(what, sizeof what, "a %s score", in->name);
        else
            kap_snprintf(what, sizeof what, "a %s score from %g to %g",
                         in->name, in->min, in->max);
        return number_error(b, rc, what, file, line, column, s, len);
    }
    double v = *out;
    if (!isnan(v) && !isnan(in->min) && (v < in->min || v > in->max)) {
        char q[96];
        return kap_err_input(b->err, file, line, column,
                             "value '%s' is out of range for %s (expected %g "
                             "to %g)",
                             kap_quote_value(q, sizeof q, s, len), in->name,
                             in->min, in->max);
    }
    return KAP_OK;
}

/* ---- participants and columns -------------------------------------------- */

/* Resize *p to n elements; a NULL array stays NULL unless `always`. */
static int resize_if(void **p, size_t n, size_t elem, int always)
{
    if (!*p && !always)
        return KAP_OK;
    if (n > (size_t)-1 / elem)
        return KAP_ENOMEM;
    void *q = kap_realloc(*p, n * elem);
    if (!q)
        return KAP_ENOMEM;
    *p = q;
    return KAP_OK;
}

static int resize(void **p, size_t n, size_t elem)
{
    return resize_if(p, n, elem, 0);
}

static int grow_participants(ing_builder *b)
{
    if (b->n < b->pcap)
        return KAP_OK;
    if (b->pcap > ((size_t)-1 / 2) / sizeof(double))
        return KAP_ENOMEM;
    size_t ncap = b->pcap ? 2 * b->pcap : 256;
    /* Every array is resized before pcap changes: after a failure some
     * arrays are larger than pcap, which is harmless. */
    if (resize_if((void **)&b->pfile, ncap, sizeof *b->pfile, 1) ||
        resize_if((void **)&b->pline, ncap, sizeof *b->pline, 1) ||
        resize_if((void **)&b->parm, ncap, sizeof *b->parm, 1))
        return KAP_ENOMEM;
    for (size_t k = 0; k < b->ninstr; k++) {
        ing_instr *in = &b->instr[k];
        if (in->nv && (ncap > (size_t)-1 / in->nv ||
                       resize((void **)&in->sc, ncap * in->nv,
                              sizeof *in->sc)))
            return KAP_ENOMEM;
    }
    for (size_t c = 0; c < b->ncols; c++) {
        ing_col *col = &b->cols[c];
        if (resize((void **)&col->d, ncap, sizeof *col->d) ||
            resize((void **)&col->code, ncap, sizeof *col->code) ||
            resize((void **)&col->flag, ncap, sizeof *col->flag) ||
            resize((void **)&col->line, ncap, sizeof *col->line) ||
            resize((void **)&col->base, ncap, sizeof *col->base) ||
            resize((void **)&col->chg, ncap, sizeof *col->chg) ||
            resize((void **)&col->ady, ncap, sizeof *col->ady))
            return KAP_ENOMEM;
    }
    b->pcap = ncap;
    return KAP_OK;
}

static void set_missing(const ing_builder *b, ing_col *col, size_t i)
{
    if (col->role == ING_SCORE)
        *ing_score(b, col, i) = NAN;
    if (col->d)
        col->d[i] = NAN;
    if (col->code)
        col->code[i] = -1;
    if (col->flag)
        col->flag[i] = -1;
    if (col->line)
        col->line[i] = 0;
    if (col->base)
        col->base[i] = NAN;
    if (col->chg)
        col->chg[i] = NAN;
    if (col->ady)
        col->ady[i] = NAN;
}

int ing_add_participant(ing_builder *b, const char *id, size_t len,
                        uint32_t file, unsigned long line, size_t *index,
                        int *added)
{
    if (grow_participants(b) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    size_t i;
    int is_new;
    if (kap_strtab_intern(&b->ids, id, len, &i, &is_new) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    *index = i;
    if (added)
        *added = is_new;
    if (!is_new)
        return KAP_OK;
    b->pfile[i] = file;
    b->pline[i] = line;
    b->parm[i] = -1;
    /* The columns of this file's header get their value from the row
     * right after (wide row, long first record), so only the others are
     * set missing here. */
    for (size_t c = 0; c < b->ncols; c++)
        if (b->cols[c].seen_file != file + 1)
            set_missing(b, &b->cols[c], i);
    b->n = i + 1;
    return KAP_OK;
}

int ing_arm(ing_builder *b, const char *s, size_t len, int32_t *code)
{
    size_t a;
    if (ing_last_is(&b->last_arm, s, len)) {
        *code = b->last_arm.code;
        return KAP_OK;
    }
    if (kap_strtab_intern(&b->arms, s, len, &a, NULL) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    *code = (int32_t)a;
    ing_last_keep(&b->last_arm, s, len);
    b->last_arm.code = *code;
    return KAP_OK;
}

static int alloc_filled(void **p, size_t cap, size_t elem)
{
    *p = kap_malloc_array(cap ? cap : 1, elem);
    return *p ? KAP_OK : KAP_ENOMEM;
}

int ing_col_lazy(ing_builder *b, double **p)
{
    if (*p)
        return KAP_OK;
    if (alloc_filled((void **)p, b->pcap, sizeof **p) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    for (size_t i = 0; i < b->n; i++)
        (*p)[i] = NAN;
    return KAP_OK;
}

/* A new column of the role; takes ownership of name.  A score column is
 * visit `visit` of instrument `instr`, whose block already has its slot. */
static int new_col(ing_builder *b, ing_role role, char *name, size_t instr,
                   size_t visit, size_t *out)
{
    if (kap_grow((void **)&b->cols, &b->colcap, b->ncols + 1,
                 sizeof *b->cols) != KAP_OK) {
        kap_free(name);
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    }
    ing_col *c = &b->cols[b->ncols];
    memset(c, 0, sizeof *c);
    c->last.len = (size_t)-1;
    c->role = role;
    c->name = name;
    c->instr = instr;
    c->visit = visit;
    int rc = KAP_OK;
    switch (role) {
    case ING_NUM:
        rc = alloc_filled((void **)&c->d, b->pcap, sizeof *c->d);
        break;
    case ING_SCORE:
        if (b->layout == KAP_LAYOUT_LONG)
            rc = alloc_filled((void **)&c->line, b->pcap, sizeof *c->line);
        break;
    case ING_AE:
        rc = alloc_filled((void **)&c->flag, b->pcap, sizeof *c->flag);
        break;
    default:
        rc = alloc_filled((void **)&c->code, b->pcap, sizeof *c->code);
        break;
    }
    b->ncols++;     /* counted even on failure so that ing_free frees it */
    if (rc)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    for (size_t i = 0; i < b->n; i++)
        set_missing(b, c, i);
    *out = b->ncols - 1;
    return KAP_OK;
}

static int keyed_col(ing_builder *b, char prefix, ing_role role,
                     const char *name, size_t *col)
{
    size_t nlen = strlen(name);
    char *key = kap_malloc(nlen + 3);
    if (!key)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    key[0] = prefix;
    key[1] = ':';
    memcpy(key + 2, name, nlen + 1);
    size_t k;
    int added;
    int rc = kap_strtab_intern(&b->colkeys, key, nlen + 2, &k, &added);
    kap_free(key);
    if (rc)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    if (!added) {
        *col = b->colkey_col[k];
        return KAP_OK;
    }
    if (kap_grow((void **)&b->colkey_col, &b->colkey_cap, k + 1,
                 sizeof *b->colkey_col) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->colkey_col[k] = NO_POS;  /* until created */
    char *dup = kap_strdup(name);
    if (!dup)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    rc = new_col(b, role, dup, 0, 0, col);
    if (rc)
        return rc;
    b->colkey_col[k] = *col;
    return KAP_OK;
}

int ing_cov_col(ing_builder *b, ing_role role, const char *name,
                size_t *col)
{
    return keyed_col(b, 'c', role, name, col);
}

int ing_ae_col(ing_builder *b, const char *term, size_t *col)
{
    return keyed_col(b, 'a', ING_AE, term, col);
}

int ing_cov_value(ing_builder *b, size_t c, size_t i, const char *file,
                  unsigned long line, unsigned long column, const char *s,
                  size_t len, int compare, int *differs)
{
    ing_col *col = &b->cols[c];
    char q[96];
    if (differs)
        *differs = 0;
    if (col->role == ING_NUM) {
        double v;
        if (ing_last_is(&col->last, s, len)) {
            v = col->last.d;
        } else {
            int rc = parse_value(b, s, len, &v);
            if (rc) {
                char what[96];
                kap_snprintf(what, sizeof what, "%s as a number", col->name);
                return number_error(b, rc, what, file, line, column, s, len);
            }
            ing_last_keep(&col->last, s, len);
            col->last.d = v;
        }
        if (compare) {
            double w = col->d[i];
            *differs = !((isnan(v) && isnan(w)) || v == w);
        } else {
            col->d[i] = v;
        }
        return KAP_OK;
    }
    int32_t code = -1;
    if (ing_last_is(&col->last, s, len)) {
        /* the same text gave this code (or missing) before; the levels
         * only grow, so it still does */
        code = col->last.code;
    } else if (!ing_is_missing(b, s, len)) {
        const char *raw = s;
        size_t rawlen = len;
        if (col->role == ING_FORMAT) {
            if (kap_ieq(s, len, "group")) {
                s = "group";
                len = 5;
            } else if (kap_ieq(s, len, "individual")) {
                s = "individual";
                len = 10;
            } else {
                return kap_err_input(b->err, file, line, column,
                                     "value '%s' is not a valid format "
                                     "(expected 'group' or 'individual', or "
                                     "a missing value)",
                                     kap_quote_value(q, sizeof q, s, len));
            }
        }
        if (compare) {
            long found = kap_strtab_find(&col->levels, s, len);
            *differs = found < 0 || (int32_t)found != col->code[i];
            if (found >= 0) {
                ing_last_keep(&col->last, raw, rawlen);
                col->last.code = (int32_t)found;
            }
            return KAP_OK;
        }
        size_t idx;
        if (kap_strtab_intern(&col->levels, s, len, &idx, NULL) != KAP_OK)
            return kap_err(b->err, KAP_ENOMEM, "out of memory");
        code = (int32_t)idx;
        ing_last_keep(&col->last, raw, rawlen);
        col->last.code = code;
    } else {
        ing_last_keep(&col->last, s, len);
        col->last.code = -1;
    }
    if (compare)
        *differs = col->code[i] != code;
    else
        col->code[i] = code;
    return KAP_OK;
}

const char *ing_cov_text(const ing_builder *b, size_t c, size_t i, char *buf,
                         size_t n)
{
    const ing_col *col = &b->cols[c];
    if (col->role == ING_NUM) {
        if (isnan(col->d[i]))
            kap_snprintf(buf, n, "(missing)");
        else
            kap_snprintf(buf, n, "%.15g", col->d[i]);
    } else if (col->code[i] < 0) {
        kap_snprintf(buf, n, "(missing)");
    } else {
        const char *s = kap_strtab_str(&col->levels, (size_t)col->code[i]);
        kap_quote_value(buf, n, s, strlen(s));
    }
    return buf;
}

/* ---- instruments and visits ----------------------------------------------- */

static const kap_instrument_range *declared_range(const ing_builder *b,
                                                  const char *name)
{
    const kap_ingest_options *o = b->opts;
    const kap_instrument_range *found = NULL;
    for (size_t i = 0; i < o->n_ranges; i++)
        if (kap_ieq(name, strlen(name), o->ranges[i].name))
            found = &o->ranges[i];  /* the last declaration wins */
    return found;
}

int ing_instrument_is_named(const ing_builder *b, const char *name)
{
    return kap_known_instrument_find(name, NULL) || declared_range(b, name);
}

int ing_instrument(ing_builder *b, const char *name, size_t *k)
{
    for (size_t i = 0; i < b->ninstr; i++)
        if (strcmp(b->instr[i].name, name) == 0) {
            *k = i;
            return KAP_OK;
        }
    if (kap_grow((void **)&b->instr, &b->instrcap, b->ninstr + 1,
                 sizeof *b->instr) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    ing_instr *in = &b->instr[b->ninstr];
    memset(in, 0, sizeof *in);
    in->name = kap_strdup(name);
    if (!in->name)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    size_t rank = NO_POS;
    const kap_known_instrument *kn = kap_known_instrument_find(name, &rank);
    in->kind = kn ? kn->kind : KAP_INSTR_GENERIC;
    in->min = kn ? kn->min : NAN;
    in->max = kn ? kn->max : NAN;
    in->rank = rank;
    const kap_instrument_range *r = declared_range(b, name);
    if (r) {
        in->min = r->min;
        in->max = r->max;
    }
    *k = b->ninstr++;
    return KAP_OK;
}

int ing_visit_get(ing_builder *b, size_t k, const char *label, int baseline,
              double day, size_t *v, int *created)
{
    ing_instr *in = &b->instr[k];
    *created = 0;
    for (size_t i = 0; i < in->nv; i++)
        if (strcmp(in->v[i].label, label) == 0) {
            *v = i;
            return KAP_OK;
        }
    if (kap_grow((void **)&in->v, &in->vcap, in->nv + 1, sizeof *in->v) !=
        KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    /* The instrument's score block gets one more value per row, in place:
     * rows move back to front to their wider positions (wide files add
     * every visit before the first row, so this is usually free). */
    size_t nv = in->nv, rows = b->pcap ? b->pcap : 1;
    if (rows > (size_t)-1 / sizeof(double) / (nv + 1))
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    double *sc = kap_realloc(in->sc, rows * (nv + 1) * sizeof *sc);
    if (!sc)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    in->sc = sc;
    for (size_t i = b->n; i-- > 0;) {
        memmove(sc + i * (nv + 1), sc + i * nv, nv * sizeof *sc);
        sc[i * (nv + 1) + nv] = NAN;
    }
    ing_visit *vis = &in->v[in->nv];
    memset(vis, 0, sizeof *vis);
    vis->label = kap_strdup(label);
    if (!vis->label)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    vis->day = day;
    vis->baseline = baseline;
    vis->order = b->visit_order++;
    vis->avisitn = NAN;
    vis->col = NO_POS;
    in->nv++;
    size_t col;
    int rc = new_col(b, ING_SCORE, NULL, k, in->nv - 1, &col);
    if (rc)
        return rc;
    vis->col = col;
    *v = in->nv - 1;
    *created = 1;
    return KAP_OK;
}

/* ---- mapping and sources ---------------------------------------------- */

static int map_add(ing_builder *b, const char *key, const char *text,
                   long col)
{
    size_t k;
    int added;
    if (kap_strtab_intern(&b->mapkeys, key, strlen(key), &k, &added) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    if (!added)
        return KAP_OK;
    if (kap_grow((void **)&b->map, &b->mapcap, b->nmap + 1, sizeof *b->map) !=
        KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    char *t = kap_strdup(text);
    if (!t)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->map[b->nmap].text = t;
    b->map[b->nmap].col = col;
    b->nmap++;
    return KAP_OK;
}

int ing_map_text(ing_builder *b, const char *key, const char *text)
{
    return map_add(b, key, text, -1);
}

int ing_map_col(ing_builder *b, const char *key, const char *header,
                size_t col)
{
    return map_add(b, key, header, (long)col);
}

int ing_add_source(ing_builder *b, const char *name, const char *sha256,
                   uint32_t *index)
{
    if (b->nsrc >= UINT32_MAX - 1 ||
        kap_grow((void **)&b->src, &b->srccap, b->nsrc + 1, sizeof *b->src) !=
            KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    kap_source_data *s = &b->src[b->nsrc];
    memset(s, 0, sizeof *s);
    s->name = kap_strdup(name);
    if (!s->name)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    kap_snprintf(s->sha256, sizeof s->sha256, "%s", sha256);
    *index = (uint32_t)b->nsrc++;
    return KAP_OK;
}

static void builder_free(ing_builder *b)
{
    kap_strtab_free(&b->ids);
    kap_free(b->pfile);
    kap_free(b->pline);
    kap_free(b->parm);
    kap_strtab_free(&b->arms);
    for (size_t c = 0; c < b->ncols; c++) {
        ing_col *col = &b->cols[c];
        kap_free(col->name);
        kap_free(col->d);
        kap_free(col->code);
        kap_free(col->flag);
        kap_free(col->line);
        kap_free(col->base);
        kap_free(col->chg);
        kap_free(col->ady);
        kap_strtab_free(&col->levels);
    }
    kap_free(b->cols);
    kap_strtab_free(&b->colkeys);
    kap_free(b->colkey_col);
    for (size_t k = 0; k < b->ninstr; k++) {
        ing_instr *in = &b->instr[k];
        kap_free(in->name);
        for (size_t v = 0; v < in->nv; v++)
            kap_free(in->v[v].label);
        kap_free(in->v);
        kap_free(in->vmap);
        kap_free(in->sc);
    }
    kap_free(b->instr);
    for (size_t s = 0; s < b->nsrc; s++)
        kap_free(b->src[s].name);
    kap_free(b->src);
    kap_strtab_free(&b->mapkeys);
    for (size_t m = 0; m < b->nmap; m++)
        kap_free(b->map[m].text);
    kap_free(b->map);
    kap_strtab_free(&b->canon);
    kap_strtab_free(&b->raw_param);
    kap_free(b->raw_param_instr);
    kap_strtab_free(&b->raw_visit);
    kap_free(b->raw_visit_canon);
    kap_free(b->raw_visit_bl);
    kap_free(b->raw_visit_mapped);
    kap_free(b->raw_visit_day);
    kap_strtab_free(&b->ae_terms);
    kap_free(b->ae_pair);
}

void ing_file_free(ing_file *f)
{
    if (!f)
        return;
    kap_free(f->role);
    kap_free(f->col);
    if (f->header)
        for (size_t j = 0; j < f->ncol; j++)
            kap_free(f->header[j]);
    kap_free(f->header);
    kap_free(f);
}

/* ---- assembly ------------------------------------------------------------ */

typedef struct named {
    const char *s;
    size_t i;
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Byte-order permutation of a string table: perm[new] = old and
 * inv[old] = new (either may be NULL).  Returns KAP_ENOMEM on failure. */
static int sort_strtab(const kap_strtab *t, size_t *perm, int32_t *inv)
{
    named *v = kap_malloc_array(t->n ? t->n : 1, sizeof *v);
    if (!v)
        return KAP_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
        v[i].s = kap_strtab_str(t, i);
        v[i].i = i;
    }
    qsort(v, t->n, sizeof *v, cmp_named);
    for (size_t i = 0; i < t->n; i++) {
        if (perm)
            perm[i] = v[i].i;
        if (inv)
            inv[v[i].i] = (int32_t)i;
    }
    kap_free(v);
    return KAP_OK;
}

/* Strings of t in byte order as a new kap_malloc'd array of new strings,
 * plus the old -> new code map. */
static int sorted_strings(const kap_strtab *t, char ***out, int32_t **inv)
{
    *out = NULL;
    *inv = kap_malloc_array(t->n ? t->n : 1, sizeof **inv);
    size_t *perm = kap_malloc_array(t->n ? t->n : 1, sizeof *perm);
    char **s = kap_calloc(t->n ? t->n : 1, sizeof *s);
    if (!*inv || !perm || !s || sort_strtab(t, perm, *inv) != KAP_OK)
        goto fail;
    for (size_t i = 0; i < t->n; i++) {
        s[i] = kap_strdup(kap_strtab_str(t, perm[i]));
        if (!s[i])
            goto fail;
    }
    kap_free(perm);
    *out = s;
    return KAP_OK;
fail:
    if (s)
        for (size_t i = 0; i < t->n; i++)
            kap_free(s[i]);
    kap_free(s);
    kap_free(perm);
    kap_free(*inv);
    *inv = NULL;
    return KAP_ENOMEM;
}

static int cmp_instr(const void *a, const void *b, void *ctx)
{
    const ing_instr *in = ctx;
    const ing_instr *x = &in[*(const size_t *)a], *y = &in[*(const size_t *)b];
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Visit order: baseline first, then by study day (known days first), then
 * by AVISITN (long; known first), then first appearance. */
static int cmp_visit(const void *a, const void *b, void *ctx)
{
    const ing_visit *v = ctx;
    const ing_visit *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
    if (x->baseline != y->baseline)
        return x->baseline ? -1 : 1;
    int xd = !isnan(x->day), yd = !isnan(y->day);
    if (xd != yd)
        return xd ? -1 : 1;
    if (xd && x->day != y->day)
        return x->day < y->day ? -1 : 1;
    int xn = !isnan(x->avisitn), yn = !isnan(y->avisitn);
    if (xn != yn)
        return xn ? -1 : 1;
    if (xn && x->avisitn != y->avisitn)
        return x->avisitn < y->avisitn ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A growable text buffer for the mapping. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_printf(sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *sb, const char *fmt, ...)
{
    if (sb->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = sb->cap - sb->len;
        int n = kap_vsnprintf(sb->s ? sb->s + sb->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            sb->failed = 1;
            return;
        }
        if ((size_t)n < room) {
            sb->len += (size_t)n;
            return;
        }
        if (kap_grow((void **)&sb->s, &sb->cap, sb->len + (size_t)n + 1, 1)) {
            sb->failed = 1;
            return;
        }
    }
}

static void sb_range(sbuf *sb, const ing_instr *in)
{
    if (isnan(in->min))
        sb_printf(sb, "%s, no range", kap_instrument_kind_name(in->kind));
    else
        sb_printf(sb, "%s, range %g to %g", kap_instrument_kind_name(in->kind),
                  in->min, in->max);
}

static void sb_day(sbuf *sb, double day)
{
    if (isnan(day))
        sb_printf(sb, "no study day");
    else
        sb_printf(sb, "day %g", day);
}

static char *render_mapping(const ing_builder *b, const size_t *iorder,
                            size_t *const *vorder)
{
    sbuf sb = {NULL, 0, 0, 0};
    for (size_t m = 0; m < b->nmap; m++) {
        const ing_map *e = &b->map[m];
        if (e->col < 0) {
            sb_printf(&sb, "%s\n", e->text);
            continue;
        }
        const ing_col *c = &b->cols[e->col];
        sb_printf(&sb, "column '%s' -> ", e->text);
        switch (c->role) {
        case ING_SCORE: {
            const ing_instr *in = &b->instr[c->instr];
            const ing_visit *v = &in->v[c->visit];
            sb_printf(&sb, "%s (", in->name);
            sb_range(&sb, in);
            sb_printf(&sb, "), visit %s (", v->label);
            sb_day(&sb, v->day);
            sb_printf(&sb, ")\n");
            break;
        }
        case ING_AE:
            sb_printf(&sb, "adverse event %s\n", c->name);
            break;
        case ING_NUM:
            sb_printf(&sb, "covariate %s (numeric)\n", c->name);
            break;
        case ING_CAT:
        case ING_FORMAT:
            sb_printf(&sb, "covariate %s (categorical)\n", c->name);
            break;
        case ING_AUTO:
            if (c->varying)
                sb_printf(&sb, "not used (varies within participants)\n");
            else
                sb_printf(&sb, "covariate %s (%s)\n", c->name,
                          c->numeric ? "numeric" : "categorical");
            break;
        }
    }
    for (size_t kk = 0; kk < b->ninstr; kk++) {
        const ing_instr *in = &b->instr[iorder[kk]];
        sb_printf(&sb, "instrument %s (", in->name);
        sb_range(&sb, in);
        sb_printf(&sb, "): visits");
        for (size_t vv = 0; vv < in->nv; vv++) {
            const ing_visit *v = &in->v[vorder[iorder[kk]][vv]];
            sb_printf(&sb, "%s %s (", vv ? "," : "", v->label);
            sb_day(&sb, v->day);
            sb_printf(&sb, ")");
        }
        sb_printf(&sb, "\n");
    }
    if (sb.failed || !sb.s) {
        if (!sb.failed && !sb.s) {
            char *empty = kap_strdup("");
            return empty;
        }
        kap_free(sb.s);
        return NULL;
    }
    return sb.s;
}

static int auto_is_numeric(const ing_col *c, double **lv)
{
    *lv = kap_malloc_array(c->levels.n ? c->levels.n : 1, sizeof **lv);
    if (!*lv)
        return -1;
    for (size_t l = 0; l < c->levels.n; l++) {
        const char *s = kap_strtab_str(&c->levels, l);
        if (kap_parse_double(s, strlen(s), &(*lv)[l]) != 0)
            return 0;
    }
    return 1;
}

/* Categorical covariate from a code column: levels sorted, codes remapped
 * in place and moved into the trial. */
static int build_categorical(ing_col *c, kap_covariate_data *cv, size_t n)
{
    int32_t *inv;
    if (sorted_strings(&c->levels, &cv->levels, &inv) != KAP_OK)
        return KAP_ENOMEM;
    cv->n_levels = c->levels.n;
    for (size_t i = 0; i < n; i++)
        if (c->code[i] >= 0)
            c->code[i] = inv[c->code[i]];
    kap_free(inv);
    cv->codes = c->code;
    c->code = NULL;
    return KAP_OK;
}

static size_t nonzero(size_t x) { return x ? x : 1; }

static int finish(ing_builder *b, kap_trial **out)
{
    size_t n = b->n;
    kap_trial *t = kap_trial_new();
    size_t *iorder = NULL, **vorder = NULL, *covs = NULL, *aes = NULL;
    named *nm = NULL;
    int32_t *inv = NULL;
    if (!t)
        goto nomem;

    /* Participants: the id table's arena becomes the trial's (ids back to
     * back, in participant order), and its index is released before the
     * big arrays below are built, to keep the peak low. */
    t->ids = kap_malloc_array(n ? n : 1, sizeof *t->ids);
    if (!t->ids)
        goto nomem;
    if (!b->ids.buf && !(b->ids.buf = kap_malloc(1)))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        t->ids[i] = b->ids.buf + b->ids.off[i];
    t->ids_arena = b->ids.buf;
    t->n = n;
    b->ids.buf = NULL;
    kap_strtab_free(&b->ids);
    kap_free(b->pfile);
    kap_free(b->pline);
    b->pfile = NULL;
    b->pline = NULL;
    for (size_t c = 0; c < b->ncols; c++) {
        /* long: record lines, BASE, CHG and ADY were for the checks */
        ing_col *col = &b->cols[c];
        kap_free(col->line);
        kap_free(col->base);
        kap_free(col->chg);
        kap_free(col->ady);
        col->line = NULL;
        col->base = col->chg = col->ady = NULL;
    }

    /* arms, sorted by byte order */
    if (sorted_strings(&b->arms, &t->arm_names, &inv) != KAP_OK)
        goto nomem;
    t->n_arms = b->arms.n;
    t->arm = b->parm;
    b->parm = NULL;
    for (size_t i = 0; i < n; i++)
        t->arm[i] = inv[t->arm[i]];
    kap_free(inv);
    inv = NULL;

    /* covariates (sorted by name) before the mapping needs their types */
    size_t ncov = 0, nae = 0;
    covs = kap_malloc_array(b->ncols ? b->ncols : 1, sizeof *covs);
    aes = kap_malloc_array(b->ncols ? b->ncols : 1, sizeof *aes);
    nm = kap_malloc_array(b->ncols ? b->ncols : 1, sizeof *nm);
    if (!covs || !aes || !nm)
        goto nomem;
    for (size_t c = 0; c < b->ncols; c++) {
        const ing_col *col = &b->cols[c];
        if (col->role == ING_AE)
            aes[nae++] = c;
        else if (col->role != ING_SCORE && !col->varying)
            covs[ncov++] = c;
    }
    for (size_t j = 0; j < ncov; j++)
        nm[j] = (named){b->cols[covs[j]].name, covs[j]};
    qsort(nm, ncov, sizeof *nm, cmp_named);
    t->covariates = kap_calloc(ncov, sizeof *t->covariates);
    if (!t->covariates)
        goto nomem;
    for (size_t j = 0; j < ncov; j++) {
        ing_col *c = &b->cols[nm[j].i];
        kap_covariate_data *cv = &t->covariates[j];
        t->n_covariates = j + 1;
        if (!(cv->name = kap_strdup(c->name)))
            goto nomem;
        if (c->role == ING_NUM) {
            cv->type = KAP_COV_NUMERIC;
            cv->values = c->d;
            c->d = NULL;
            continue;
        }
        if (c->role == ING_AUTO) {
            double *lv;
            int num = auto_is_numeric(c, &lv);
            if (num < 0)
                goto nomem;
            if (num) {
                c->numeric = 1;
                cv->type = KAP_COV_NUMERIC;
                cv->values = kap_malloc_array(n ? n : 1, sizeof *cv->values);
                if (!cv->values) {
                    kap_free(lv);
                    goto nomem;
                }
                for (size_t i = 0; i < n; i++)
                    cv->values[i] = c->code[i] < 0 ? NAN : lv[c->code[i]];
                kap_free(lv);
                continue;
            }
            kap_free(lv);
        }
        cv->type = KAP_COV_CATEGORICAL;
        if (build_categorical(c, cv, n) != KAP_OK)
            goto nomem;
    }

    /* instruments: known ones in table order, then generic by name */
    iorder = kap_malloc_array(b->ninstr ? b->ninstr : 1, sizeof *iorder);
    vorder = kap_calloc(b->ninstr ? b->ninstr : 1, sizeof *vorder);
    if (!iorder || !vorder)
        goto nomem;
    for (size_t k = 0; k < b->ninstr; k++) {
        iorder[k] = k;
        ing_instr *in = &b->instr[k];
        vorder[k] = kap_malloc_array(in->nv ? in->nv : 1, sizeof **vorder);
        if (!vorder[k])
            goto nomem;
        for (size_t v = 0; v < in->nv; v++)
            vorder[k][v] = v;
        qsort_r(vorder[k], in->nv, sizeof **vorder, cmp_visit, in->v);
    }
    qsort_r(iorder, b->ninstr, sizeof *iorder, cmp_instr, b->instr);
    t->instruments = kap_calloc(b->ninstr, sizeof *t->instruments);
    if (!t->instruments)
        goto nomem;
    for (size_t kk = 0; kk < b->ninstr; kk++) {
        ing_instr *in = &b->instr[iorder[kk]];
        kap_instrument_data *d = &t->instruments[kk];
        t->n_instruments = kk + 1;
        d->kind = in->kind;
        d->min = in->min;
        d->max = in->max;
        d->baseline = -1;
        d->name = kap_strdup(in->name);
        d->visit_labels = kap_calloc(in->nv, sizeof *d->visit_labels);
        d->visit_days = kap_malloc_array(in->nv ? in->nv : 1,
                                         sizeof *d->visit_days);
        if (!d->name || !d->visit_labels || !d->visit_days)
            goto nomem;
        d->n_visits = in->nv;
        for (size_t vv = 0; vv < in->nv; vv++) {
            const ing_visit *v = &in->v[vorder[iorder[kk]][vv]];
            if (!(d->visit_labels[vv] = kap_strdup(v->label)))
                goto nomem;
            d->visit_days[vv] = v->day;
            if (v->baseline)
                d->baseline = (long)vv;
        }
        size_t nv = in->nv;
        if (n && nv > (size_t)-1 / sizeof(double) / n)
            goto nomem;
        /* The block is already n x nv, row-major, visits in creation
         * order: sort each row's visits in place and hand the block over
         * (no second copy of the scores at the peak). */
        double *sc = in->sc, row[64], *tmp = nv <= 64 ? row : NULL;
        if (!tmp && !(tmp = kap_malloc_array(nv, sizeof *tmp)))
            goto nomem;
        const size_t *vo = vorder[iorder[kk]];
        int sorted = 1;
        for (size_t vv = 0; vv < nv; vv++)
            sorted &= vo[vv] == vv;
        for (size_t i = 0; i < n && !sorted; i++) {
            double *r = sc + i * nv;
            for (size_t vv = 0; vv < nv; vv++)
                tmp[vv] = r[vo[vv]];
            memcpy(r, tmp, nv * sizeof *r);
        }
        if (tmp != row)
            kap_free(tmp);
        if (!sc && !(sc = kap_malloc(sizeof *sc)))
            goto nomem;
        d->scores = sc;
        in->sc = NULL;
    }

    /* adverse events */
    if (b->layout == KAP_LAYOUT_WIDE) {
        for (size_t j = 0; j < nae; j++)
            nm[j] = (named){b->cols[aes[j]].name, aes[j]};
        qsort(nm, nae, sizeof *nm, cmp_named);
        t->ae_terms = kap_calloc(nae, sizeof *t->ae_terms);
        if (!t->ae_terms || (n && nae > (size_t)-1 / n))
            goto nomem;
        t->ae_flags = kap_malloc_array(nonzero(nae * n), 1);
        if (!t->ae_flags)
            goto nomem;
        for (size_t j = 0; j < nae; j++) {
            t->n_ae_terms = j + 1;
            if (!(t->ae_terms[j] = kap_strdup(nm[j].s)))
                goto nomem;
            memcpy(t->ae_flags + j * n, b->cols[nm[j].i].flag, n);
        }
    } else {
        size_t nt = b->ae_terms.n;
        if (sorted_strings(&b->ae_terms, &t->ae_terms, &inv) != KAP_OK)
            goto nomem;
        t->n_ae_terms = nt;
        if (n && nt > (size_t)-1 / n)
            goto nomem;
        t->ae_flags = kap_calloc(nonzero(nt * n), 1);
        if (!t->ae_flags)
            goto nomem;
        for (size_t q = 0; q < b->n_ae_pair; q++) {
            size_t i = b->ae_pair[2 * q], j = (size_t)inv[b->ae_pair[2 * q + 1]];
            t->ae_flags[j * n + i] = 1;
        }
        kap_free(inv);
        inv = NULL;
    }

    /* provenance */
    t->sources = kap_calloc(b->nsrc, sizeof *t->sources);
    if (!t->sources)
        goto nomem;
    for (size_t s = 0; s < b->nsrc; s++) {
        t->n_sources = s + 1;
        if (!(t->sources[s].name = kap_strdup(b->src[s].name)))
            goto nomem;
        memcpy(t->sources[s].sha256, b->src[s].sha256, 65);
    }
    t->layout = kap_strdup(b->layout == KAP_LAYOUT_LONG ? "long" : "wide");
    t->writer_version = kap_strdup(kap_version());
    t->mapping = render_mapping(b, iorder, vorder);
    if (!t->layout || !t->writer_version || !t->mapping)
        goto nomem;
    t->n_excluded_dtype = b->n_excluded_dtype;
    t->n_excluded_anl01 = b->n_excluded_anl01;
    size_t nvar = 0;
    for (size_t c = 0; c < b->ncols; c++)
        nvar += b->cols[c].varying != 0;
    t->varying_columns = kap_calloc(nvar, sizeof *t->varying_columns);
    if (!t->varying_columns)
        goto nomem;
    for (size_t c = 0; c < b->ncols; c++)
        if (b->cols[c].varying) {
            char *s = kap_strdup(b->cols[c].name);
            if (!s)
                goto nomem;
            t->varying_columns[t->n_varying_columns++] = s;
        }

    for (size_t k = 0; k < b->ninstr; k++)
        kap_free(vorder[k]);
    kap_free(vorder);
    kap_free(iorder);
    kap_free(covs);
    kap_free(aes);
    kap_free(nm);
    *out = t;
    return KAP_OK;
nomem:
    if (vorder)
        for (size_t k = 0; k < b->ninstr; k++)
            kap_free(vorder[k]);
    kap_free(vorder);
    kap_free(iorder);
    kap_free(covs);
    kap_free(aes);
    kap_free(nm);
    kap_free(inv);
    kap_trial_free(t);
    return kap_err(b->err, KAP_ENOMEM, "out of memory");
}

/* ---- reading the files ------------------------------------------------------ */

typedef struct file_ctx {
    ing_builder *b;
    const char *name;
    uint32_t index;
    ing_file *f;
    unsigned long header_line;
} file_ctx;

static int header_has(const kap_csv_row *row, const char *name)
{
    for (size_t j = 0; j < row->n; j++)
        if (kap_ieq(row->field[j], row->len[j], name))
            return 1;
    return 0;
}

static const char *layout_name(kap_layout l)
{
    return l == KAP_LAYOUT_LONG ? "long" : "wide";
}

static int on_row(void *ctx, const kap_csv_row *row, kap_error *err)
{
    (void)err;
    file_ctx *fc = ctx;
    ing_builder *b = fc->b;
    if (row->index > 0) {
        if (b->layout == KAP_LAYOUT_LONG)
            return ing_long_row(b, fc->f, row);
        return ing_wide_row(b, fc->f, row);
    }
    unsigned long hl = row->n ? row->line[0] : row->end_line;
    fc->header_line = hl;
    kap_layout l = b->opts->layout;
    if (l == KAP_LAYOUT_AUTO) {
        if (header_has(row, "usubjid") && header_has(row, "paramcd") &&
            header_has(row, "aval"))
            l = KAP_LAYOUT_LONG;
        else if (header_has(row, "participant_id"))
            l = KAP_LAYOUT_WIDE;
        else
            return kap_err_input(b->err, fc->name, hl, 0,
                                 "cannot tell the layout from the header: "
                                 "expected a participant_id column (wide "
                                 "layout) or USUBJID, PARAMCD and AVAL "
                                 "columns (long layout)");
    }
    if (b->layout != KAP_LAYOUT_AUTO && b->layout != l)
        return kap_err_input(b->err, fc->name, hl, 0,
                             "this file has the %s layout but '%s' has the "
                             "%s layout (all files of a trial must have the "
                             "same layout)",
                             layout_name(l), b->src[0].name,
                             layout_name(b->layout));
    b->layout = l;
    if (l == KAP_LAYOUT_LONG)
        return ing_long_header(b, &fc->f, fc->name, fc->index, row);
    return ing_wide_header(b, &fc->f, fc->name, fc->index, row);
}

static void on_peek(void *ctx, size_t index, size_t n, const char *buf,
                    const size_t *off, const size_t *len)
{
    file_ctx *fc = ctx;
    if (index > 0 && fc->b->layout == KAP_LAYOUT_WIDE)
        ing_wide_peek(fc->b, fc->f, n, buf, off, len);
}

/* Read one data file (from path, or from data when data != NULL). */
static int read_one(ing_builder *b, const char *name, const void *data,
                    size_t len)
{
    file_ctx fc = {b, name, 0, NULL, 1};
    int rc = ing_add_source(b, name, "", &fc.index);
    if (rc)
        return rc;
    fc.name = b->src[fc.index].name;
    size_t p0 = b->n, rows = 0;
    char sha[65];
    if (data)
        rc = kap_csv_read_memory(fc.name, data, len, on_row, &fc, &rows, sha,
                                 b->err);
    else
        rc = kap_csv_read_file_peek(fc.name, on_row, on_peek, &fc, &rows,
                                    sha, b->err);
    if (!rc && rows == 0)
        rc = kap_err_input(b->err, fc.name, fc.header_line + 1, 0,
                           "no participants: the file has a header but no "
                           "data rows");
    if (!rc) {
        memcpy(b->src[fc.index].sha256, sha, 65);
        if (b->layout == KAP_LAYOUT_LONG)
            rc = ing_long_file_done(b, fc.f, p0);
    }
    ing_file_free(fc.f);
    return rc;
}

static int check_options(const kap_ingest_options *o, kap_error *err)
{
    if (o->version != KAP_INGEST_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL,
                       "kap_ingest_options version %u is not supported "
                       "(expected %u; initialise with "
                       "KAP_INGEST_OPTIONS_INIT)",
                       o->version, (unsigned)KAP_INGEST_OPTIONS_VERSION);
    if (o->layout != KAP_LAYOUT_AUTO && o->layout != KAP_LAYOUT_WIDE &&
        o->layout != KAP_LAYOUT_LONG)
        return kap_err(err, KAP_EINVAL, "unknown layout %d", (int)o->layout);
    if ((o->n_missing_codes && !o->missing_codes) ||
        (o->n_ranges && !o->ranges))
        return kap_err(err, KAP_EINVAL, "NULL options array with a count");
    for (size_t i = 0; i < o->n_ranges; i++) {
        const kap_instrument_range *r = &o->ranges[i];
        if (!r->name || !r->name[0])
            return kap_err(err, KAP_EINVAL, "instrument range %zu has no name",
                           i);
        if (!isfinite(r->min) || !isfinite(r->max) || r->min > r->max)
            return kap_err(err, KAP_EINVAL,
                           "instrument range for '%s' is invalid: %g to %g "
                           "(expected finite min <= max)",
                           r->name, r->min, r->max);
    }
    if (o->layout == KAP_LAYOUT_WIDE && o->ae_path)
        return kap_err(err, KAP_EINVAL,
                       "ae_path is only used with the long layout (wide "
                       "files carry ae_<term> columns)");
    return KAP_OK;
}

static int ingest(kap_trial **out, const char *const *paths, size_t n_paths,
                  const char *mem_name, const void *data, size_t len,
                  const kap_ingest_options *opts, kap_error *err)
{
    static const kap_ingest_options defaults = KAP_INGEST_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    int rc = check_options(opts, err);
    if (rc)
        return rc;
    ing_builder b;
    memset(&b, 0, sizeof b);
    b.opts = opts;
    b.err = err;
    b.layout = KAP_LAYOUT_AUTO;
    b.last_p = (size_t)-1;
    b.last_param.len = b.last_visit.len = b.last_arm.len = (size_t)-1;
    if (mem_name) {
        rc = read_one(&b, mem_name, data ? data : "", len);
    } else {
        for (size_t i = 0; i < n_paths && !rc; i++)
            rc = read_one(&b, paths[i], NULL, 0);
    }
    if (!rc && b.layout == KAP_LAYOUT_WIDE && opts->ae_path)
        rc = kap_err(err, KAP_EINVAL,
                     "ae_path is only used with the long layout (wide files "
                     "carry ae_<term> columns)");
    if (!rc && b.layout == KAP_LAYOUT_LONG) {
        rc = ing_long_finish(&b);
        if (!rc && opts->ae_path)
            rc = ing_long_ae_file(&b, opts->ae_path);
    }
    if (!rc)
        rc = finish(&b, out);
    builder_free(&b);
    return rc;
}

int kap_ingest_files(kap_trial **out, const char *const *paths,
                     size_t n_paths, const kap_ingest_options *opts,
                     kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_ingest_files: out is NULL");
    *out = NULL;
    if (!paths || n_paths == 0)
        return kap_err(err, KAP_EINVAL, "kap_ingest_files: no input files");
    if (n_paths >= UINT32_MAX - 1)
        return kap_err(err, KAP_EINVAL, "kap_ingest_files: too many files");
    for (size_t i = 0; i < n_paths; i++)
        if (!paths[i])
            return kap_err(err, KAP_EINVAL, "kap_ingest_files: path %zu is NULL",
                           i);
    return ingest(out, paths, n_paths, NULL, NULL, 0, opts, err);
}

int kap_ingest_memory(kap_trial **out, const char *name, const void *data,
                      size_t len, const kap_ingest_options *opts,
                      kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "kap_ingest_memory: out is NULL");
    *out = NULL;
    if (!name || (!data && len))
        return kap_err(err, KAP_EINVAL, "kap_ingest_memory: NULL argument");
    return ingest(out, NULL, 0, name, data, len, opts, err);
}

int kap_ingest_parse_instrument_range(kap_instrument_range *out,
                                      char *name_buf, size_t name_size,
                                      const char *spec, kap_error *err)
{
    if (!out || !name_buf || !spec || name_size == 0)
        return kap_err(err, KAP_EINVAL,
                       "kap_ingest_parse_instrument_range: NULL argument");
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || c1 == spec)
        return kap_err(err, KAP_EINVAL,
                       "instrument range '%s' is not NAME:MIN:MAX", spec);
    size_t nlen = (size_t)(c1 - spec);
    if (nlen + 1 > name_size)
        return kap_err(err, KAP_EINVAL, "instrument name in '%s' is too long",
                       spec);
    double lo, hi;
    if (kap_parse_double(c1 + 1, (size_t)(c2 - c1 - 1), &lo) != 0 ||
        kap_parse_double(c2 + 1, strlen(c2 + 1), &hi) != 0 || lo > hi)
        return kap_err(err, KAP_EINVAL,
                       "instrument range '%s': expected NAME:MIN:MAX with "
                       "finite numbers MIN <= MAX", spec);
    for (size_t i = 0; i < nlen; i++) {
        char ch = spec[i];
        name_buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    name_buf[nlen] = '\0';
    out->name = name_buf;
    out->min = lo;
    out->max = hi;
    return KAP_OK;
}

/* ---- header helpers shared by the layouts -------------------------------- */

void ing_free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        kap_free(s[i]);
    kap_free(s);
}

int ing_file_open(ing_builder *b, ing_file **fp, const char *name,
                  uint32_t index, const kap_csv_row *row, char ***lower)
{
    *lower = NULL;
    ing_file *f = kap_calloc(1, sizeof *f);
    if (!f)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    *fp = f;
    f->name = name;
    f->index = index;
    f->ncol = row->n;
    f->header_line = row->n ? row->line[0] : row->end_line;
    f->c_id = f->c_arm = f->c_paramcd = f->c_avisit = f->c_aval = NO_POS;
    f->c_avisitn = f->c_ady = f->c_ablfl = f->c_base = f->c_chg = NO_POS;
    f->c_dtype = f->c_anl01 = NO_POS;
    f->role = kap_calloc(row->n, sizeof *f->role);
    f->col = kap_calloc(row->n, sizeof *f->col);
    f->header = kap_calloc(row->n, sizeof *f->header);
    char **low = kap_calloc(row->n, sizeof *low);
    kap_strtab seen;
    memset(&seen, 0, sizeof seen);
    if (!f->role || !f->col || !f->header || !low)
        goto nomem;
    for (size_t j = 0; j < row->n; j++) {
        const char *h = row->field[j];
        size_t len = row->len[j];
        if (!(f->header[j] = kap_strndup(h, len)) ||
            !(low[j] = kap_strndup(h, len)))
            goto nomem;
        for (size_t i = 0; i < len; i++)
            if (low[j][i] >= 'A' && low[j][i] <= 'Z')
                low[j][i] = (char)(low[j][i] - 'A' + 'a');
        if (len == 0) {
            ing_free_strings(low, row->n);
            kap_strtab_free(&seen);
            return kap_err_input(b->err, name, row->line[j], j + 1,
                                 "empty column name (every column needs a "
                                 "name)");
        }
        size_t first;
        int added;
        if (kap_strtab_intern(&seen, low[j], len, &first, &added) != KAP_OK)
            goto nomem;
        if (!added) {
            char q1[96], q2[96];
            /* every earlier column was added in order: entry = column */
            size_t c1 = first;
            int rc = kap_err_input(b->err, name, row->line[j], j + 1,
                                   "duplicate column name '%s' (column %zu "
                                   "is '%s'; names are compared ignoring "
                                   "case)",
                                   kap_quote_value(q1, sizeof q1, h, len),
                                   c1 + 1,
                                   kap_quote_value(q2, sizeof q2,
                                                   row->field[c1],
                                                   row->len[c1]));
            ing_free_strings(low, row->n);
            kap_strtab_free(&seen);
            return rc;
        }
    }
    kap_strtab_free(&seen);
    *lower = low;
    return KAP_OK;
nomem:
    ing_free_strings(low, row->n);
    kap_strtab_free(&seen);
    return kap_err(b->err, KAP_ENOMEM, "out of memory");
}

static void describe_col(const ing_builder *b, size_t col, char *buf,
                         size_t n)
{
    const ing_col *c = &b->cols[col];
    if (c->role == ING_SCORE)
        kap_snprintf(buf, n, "%s visit '%s'", b->instr[c->instr].name,
                     b->instr[c->instr].v[c->visit].label);
    else if (c->role == ING_AE)
        kap_snprintf(buf, n, "adverse event '%s'", c->name);
    else
        kap_snprintf(buf, n, "covariate '%s'", c->name);
}

int ing_claim_col(ing_builder *b, ing_file *f, const kap_csv_row *row,
                  size_t j, size_t col)
{
    ing_col *c = &b->cols[col];
    if (c->seen_file == f->index + 1) {
        char q1[96], q2[96], what[200];
        size_t j1 = c->seen_column - 1;
        describe_col(b, col, what, sizeof what);
        return kap_err_input(b->err, f->name, row->line[j], j + 1,
                             "columns '%s' (column %zu) and '%s' (column "
                             "%zu) both map to %s",
                             kap_quote_value(q1, sizeof q1, row->field[j1],
                                             row->len[j1]),
                             j1 + 1,
                             kap_quote_value(q2, sizeof q2, row->field[j],
                                             row->len[j]),
                             j + 1, what);
    }
    c->seen_file = f->index + 1;
    c->seen_column = j + 1;
    f->role[j] = ING_F_COL;
    f->col[j] = col;
    return KAP_OK;
}

int ing_map_header(ing_builder *b, const ing_file *f, const char *lower,
                   size_t j, const char *text, size_t col)
{
    size_t len = strlen(lower);
    char *key = kap_malloc(len + 3);
    if (!key)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    key[0] = 'h';
    key[1] = ':';
    memcpy(key + 2, lower, len + 1);
    char q[96];
    const char *h = f->header[j];
    kap_quote_value(q, sizeof q, h, strlen(h));
    int rc;
    if (text) {
        char line[400];
        kap_snprintf(line, sizeof line, "column '%s' -> %s", q, text);
        rc = ing_map_text(b, key, line);
    } else {
        rc = ing_map_col(b, key, q, col);
    }
    kap_free(key);
    return rc;
}
