/*
 * ingest_wide.c - the wide layout: one row per participant, columns
 * participant_id, arm, subject-level covariates, <instrument>_<visit>
 * scores and ae_<term> flags.
 */
#include "ingest_internal.h"

#include <string.h>

#define NO_POS ((size_t)-1)

static const char *const known_cat[] = {"site", "sex", "race", "ethnicity",
                                        "therapy_group"};

/* Score column <instrument>_<visit>?  A known or declared instrument name
 * takes any non-empty visit label (longest such prefix wins); any other
 * prefix needs a recognisable visit (baseline alias or a label carrying a
 * study day; first split from the left).  *matched = 0 when neither. */
static int split_score(ing_builder *b, const char *h, size_t *k, size_t *v,
                       int *matched)
{
    size_t len = strlen(h);
    *matched = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t q = 1; q + 1 < len; q++) {
            /* pass 0: named prefixes from the right; pass 1: generic from
             * the left */
            size_t p = pass == 0 ? len - 1 - q : q;
            if (h[p] != '_' || p == 0)
                continue;
            char *prefix = kap_strndup(h, p);
            if (!prefix)
                return kap_err(b->err, KAP_ENOMEM, "out of memory");
            int named = ing_instrument_is_named(b, prefix);
            if ((pass == 0) != (named != 0)) {
                kap_free(prefix);
                continue;
            }
            int bl;
            double day;
            char *canon = kap_visit_canon(h + p + 1, len - p - 1, &bl, &day);
            if (!canon) {
                kap_free(prefix);
                return kap_err(b->err, KAP_ENOMEM, "out of memory");
            }
            int ok = canon[0] != '\0' &&
                     (pass == 0 || kap_visit_recognised(bl, day));
            int rc = KAP_OK, created;
            if (ok) {
                rc = ing_instrument(b, prefix, k);
                if (!rc)
                    rc = ing_visit_get(b, *k, canon, bl, day, v, &created);
                *matched = 1;
            }
            kap_free(canon);
            kap_free(prefix);
            if (ok || rc)
                return rc;
        }
    }
    return KAP_OK;
}

static int classify(ing_builder *b, ing_file *f, const kap_csv_row *row,
                    size_t j, const char *h)
{
    size_t col;
    int rc;
    if (strcmp(h, "participant_id") == 0) {
        f->role[j] = ING_F_ID;
        f->c_id = j;
        return ing_map_header(b, f, h, j, "participant id", 0);
    }
    if (strcmp(h, "arm") == 0) {
        f->role[j] = ING_F_ARM;
        f->c_arm = j;
        return ing_map_header(b, f, h, j, "arm", 0);
    }
    ing_role role = ING_AUTO;
    for (size_t i = 0; i < sizeof known_cat / sizeof *known_cat; i++)
        if (strcmp(h, known_cat[i]) == 0)
            role = ING_CAT;
    if (strcmp(h, "age") == 0)
        role = ING_NUM;
    else if (strcmp(h, "format") == 0)
        role = ING_FORMAT;
    if (role == ING_AUTO && strncmp(h, "ae_", 3) == 0) {
        if (h[3] == '\0')
            return kap_err_input(b->err, f->name, row->line[j], j + 1,
                                 "adverse-event column 'ae_' has no term "
                                 "(expected ae_<term>)");
        rc = ing_ae_col(b, h + 3, &col);
    } else if (role == ING_AUTO) {
        size_t k, v;
        int matched;
        rc = split_score(b, h, &k, &v, &matched);
        if (rc)
            return rc;
        if (matched)
            col = b->instr[k].v[v].col;
        else
            rc = ing_cov_col(b, ING_AUTO, h, &col);
    } else {
        rc = ing_cov_col(b, role, h, &col);
    }
    if (rc)
        return rc;
    rc = ing_claim_col(b, f, row, j, col);
    if (rc)
        return rc;
    return ing_map_header(b, f, h, j, NULL, col);
}

int ing_wide_header(ing_builder *b, ing_file **fp, const char *name,
                    uint32_t index, const kap_csv_row *row)
{
    char **low;
    int rc = ing_file_open(b, fp, name, index, row, &low);
    if (rc)
        return rc;
    ing_file *f = *fp;
    for (size_t j = 0; j < row->n && !rc; j++)
        rc = classify(b, f, row, j, low[j]);
    ing_free_strings(low, row->n);
    if (rc)
        return rc;
    if (f->c_id == NO_POS)
        return kap_err_input(b->err, name, f->header_line, 0,
                             "missing required column 'participant_id' "
                             "(the wide layout needs participant_id and arm)");
    if (f->c_arm == NO_POS)
        return kap_err_input(b->err, name, f->header_line, 0,
                             "missing required column 'arm' (the wide layout "
                             "needs participant_id and arm)");
    return KAP_OK;
}

void ing_wide_peek(ing_builder *b, const ing_file *f, size_t n,
                   const char *buf, const size_t *off, const size_t *len)
{
    /* the id table of a large file does not fit in the cache: start
     * loading the slot of this row's id while earlier rows are built */
    if (f && f->c_id < n)
        kap_strtab_prefetch(&b->ids, buf + off[f->c_id], len[f->c_id]);
}

int ing_wide_row(ing_builder *b, ing_file *f, const kap_csv_row *row)
{
    char q[96];
    size_t j = f->c_id;
    const char *id = row->field[j];
    size_t il = row->len[j];
    if (ing_is_missing(b, id, il)) {
        if (il == 0)
            return kap_err_input(b->err, f->name, row->line[j], j + 1,
                                 "empty participant_id (expected a unique "
                                 "participant id)");
        return kap_err_input(b->err, f->name, row->line[j], j + 1,
                             "participant_id '%s' is a missing-value code "
                             "(expected a unique participant id)",
                             kap_quote_value(q, sizeof q, id, il));
    }
    /* one look-up adds the id or finds the earlier one */
    size_t i;
    int added;
    int rc = ing_add_participant(b, id, il, f->index, row->line[j], &i,
                                 &added);
    if (rc)
        return rc;
    if (!added) {
        if (b->pfile[i] == f->index)
            return kap_err_input(b->err, f->name, row->line[j], j + 1,
                                 "duplicate participant_id '%s' (also on "
                                 "line %lu)",
                                 kap_quote_value(q, sizeof q, id, il),
                                 b->pline[i]);
        return kap_err_input(b->err, f->name, row->line[j], j + 1,
                             "participant_id '%s' also appears in '%s' line "
                             "%lu",
                             kap_quote_value(q, sizeof q, id, il),
                             b->src[b->pfile[i]].name, b->pline[i]);
    }
    size_t ja = f->c_arm;
    const char *arm = row->field[ja];
    size_t al = row->len[ja];
    if (ing_is_missing(b, arm, al)) {
        if (al == 0)
            return kap_err_input(b->err, f->name, row->line[ja], ja + 1,
                                 "empty arm (expected the participant's "
                                 "treatment arm)");
        return kap_err_input(b->err, f->name, row->line[ja], ja + 1,
                             "arm '%s' is a missing-value code (expected the "
                             "participant's treatment arm)",
                             kap_quote_value(q, sizeof q, arm, al));
    }
    int32_t code;
    rc = ing_arm(b, arm, al, &code);
    if (rc)
        return rc;
    b->parm[i] = code;
    for (size_t c = 0; c < row->n && !rc; c++) {
        if (f->role[c] != ING_F_COL)
            continue;
        ing_col *col = &b->cols[f->col[c]];
        const char *s = row->field[c];
        size_t len = row->len[c];
        unsigned long line = row->line[c];
        if (col->role == ING_SCORE) {
            rc = ing_parse_score(b, col->instr, f->name, line, c + 1, s, len,
                                 ing_score(b, col, i));
        } else if (col->role == ING_AE) {
            if (ing_is_missing(b, s, len))
                col->flag[i] = -1;
            else if (len == 1 && (s[0] == '0' || s[0] == '1'))
                col->flag[i] = (int8_t)(s[0] - '0');
            else
                rc = kap_err_input(b->err, f->name, line, c + 1,
                                   "value '%s' is not a valid adverse-event "
                                   "flag (expected 0, 1 or a missing value)",
                                   kap_quote_value(q, sizeof q, s, len));
        } else {
            rc = ing_cov_value(b, f->col[c], i, f->name, line, c + 1, s, len,
                               0, NULL);
        }
    }
    return rc;
}
