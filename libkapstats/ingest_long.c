/*
 * ingest_long.c - the long layout (CDISC ADaM BDS-like): one row per
 * participant x parameter x visit, plus an ADAE-like adverse-event file.
 *
 * Subject-level values are taken from a participant's first record and
 * compared on every later one.  Scores go straight into the per-visit
 * columns shared with the wide layout; each cell remembers the line of
 * its record, which finds duplicates and names both lines.
 */
#include "ingest_internal.h"

#include <stdlib.h>
#include <string.h>

#define NO_POS ((size_t)-1)

/* Treatment columns, in order of preference. */
static const char *const treatment[] = {"trt01p", "trtp", "trt01a",
                                        "trta",   "arm",  "armcd"};
/* Further treatment variables: never covariates (the arm says it). */
static const char *const treatment_other[] = {
    "trt01pn", "trt01an", "trtpn", "trtan", "actarm", "actarmcd", "arm",
    "armcd", "trt01p", "trt01a", "trtp", "trta"};
static const char *const identifiers[] = {"studyid", "domain", "subjid"};

/* Known subject-level columns and their canonical covariate. */
static const struct {
    const char *column;
    const char *name;
    ing_role role;
} subject_known[] = {
    {"siteid", "site", ING_CAT},  {"site", "site", ING_CAT},
    {"age", "age", ING_NUM},      {"sex", "sex", ING_CAT},
    {"race", "race", ING_CAT},    {"ethnic", "ethnicity", ING_CAT},
    {"ethnicity", "ethnicity", ING_CAT}, {"format", "format", ING_FORMAT},
    {"therapy_group", "therapy_group", ING_CAT},
};

/* Record-level ADaM BDS variables (ADaMIG 1.1 section 3.3): never
 * covariates, whether or not they vary. */
static const char *const record_level[] = {
    "param",   "paramn",  "paramtyp", "avalc",   "avalu",    "avisit",
    "avisitn", "visit",   "visitnum", "visitdy", "atpt",     "atptn",
    "atptref", "adt",     "adtm",     "adtf",    "atm",      "atmf",
    "ady",     "ablfl",   "base",     "basec",   "basetype", "bnrind",
    "chg",     "pchg",    "dtype",    "awrange", "awtarget", "awtdiff",
    "awlo",    "awhi",    "awu",      "anrind",  "anrlo",    "anrhi",
    "atoxgr",  "btoxgr",  "r2base",   "r2aval",  "srcdom",   "srcvar",
    "srcseq",  "aseq",    "aperiod",  "aperiodc", "aphase",  "ontrtfl",
    "lvotfl",  "paramcd", "aval",     "usubjid"};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* prefix followed by 1-3 digits and then exactly `suffix`... */
static int digits_between(const char *s, const char *prefix,
                          const char *const *suffixes)
{
    size_t pl = strlen(prefix);
    if (strncmp(s, prefix, pl) != 0)
        return 0;
    const char *d = s + pl;
    size_t nd = 0;
    while (d[nd] >= '0' && d[nd] <= '9')
        nd++;
    if (nd == 0 || nd > 3)
        return 0;
    for (size_t i = 0; suffixes[i]; i++)
        if (strcmp(d + nd, suffixes[i]) == 0)
            return 1;
    return 0;
}

static int is_record_level(const char *h)
{
    static const char *const fl[] = {"fl", NULL};
    static const char *const crit[] = {"", "fl", "fn", NULL};
    static const char *const cat[] = {"", "n", NULL};
    size_t len = strlen(h);
    if (in_list(h, record_level, sizeof record_level / sizeof *record_level))
        return 1;
    /* ANLzzFL, CRITy/CRITyFL/CRITyFN, MCRITy, PARCATy(N), AVALCATy(N),
     * BASECATy(N), CHGCATy(N), SHIFTy(N); --SEQ and --DTC variables */
    if (digits_between(h, "anl", fl) || digits_between(h, "crit", crit) ||
        digits_between(h, "mcrit", crit) || digits_between(h, "parcat", cat) ||
        digits_between(h, "avalcat", cat) ||
        digits_between(h, "basecat", cat) ||
        digits_between(h, "chgcat", cat) || digits_between(h, "shift", cat))
        return 1;
    if (len > 3 && (strcmp(h + len - 3, "seq") == 0 ||
                    strcmp(h + len - 3, "dtc") == 0))
        return 1;
    return 0;
}

static int classify(ing_builder *b, ing_file *f, const kap_csv_row *row,
                    size_t j, const char *h)
{
    static const struct {
        const char *name;
        size_t offset;
        const char *what;
    } rec[] = {
        {"paramcd", offsetof(ing_file, c_paramcd),
         "parameter code (instrument; see the PARAMCD lines)"},
        {"avisit", offsetof(ing_file, c_avisit),
         "visit (see the AVISIT lines)"},
        {"aval", offsetof(ing_file, c_aval), "score"},
        {"avisitn", offsetof(ing_file, c_avisitn), "visit order"},
        {"ady", offsetof(ing_file, c_ady),
         "study day of visits whose label carries none (median)"},
        {"ablfl", offsetof(ing_file, c_ablfl), "baseline flag (Y)"},
        {"base", offsetof(ing_file, c_base),
         "checked against the baseline record"},
        {"chg", offsetof(ing_file, c_chg),
         "checked against AVAL minus the baseline"},
        {"dtype", offsetof(ing_file, c_dtype),
         "derivation type: records with a DTYPE are excluded"},
        {"anl01fl", offsetof(ing_file, c_anl01),
         "analysis flag: only flagged (Y) records and baselines are used"},
    };
    if (strcmp(h, "usubjid") == 0) {
        f->role[j] = ING_F_ID;
        f->c_id = j;
        return ing_map_header(b, f, h, j, "participant id", 0);
    }
    for (size_t i = 0; i < sizeof rec / sizeof *rec; i++)
        if (strcmp(h, rec[i].name) == 0) {
            f->role[j] = ING_F_RECORD;
            *(size_t *)((char *)f + rec[i].offset) = j;
            return ing_map_header(b, f, h, j, rec[i].what, 0);
        }
    if (j == f->c_arm) {
        f->role[j] = ING_F_ARM;
        return ing_map_header(b, f, h, j, "arm", 0);
    }
    if (in_list(h, treatment_other,
                sizeof treatment_other / sizeof *treatment_other))
        return ing_map_header(b, f, h, j,
                              "not used (treatment variable; the arm comes "
                              "from the first of TRT01P, TRTP, TRT01A, TRTA, "
                              "ARM, ARMCD)", 0);
    if (in_list(h, identifiers, sizeof identifiers / sizeof *identifiers))
        return ing_map_header(b, f, h, j, "not used (identifier)", 0);
    if (is_record_level(h))
        return ing_map_header(b, f, h, j, "not used (record-level variable)",
                              0);
    size_t col;
    int rc = KAP_OK, known = 0;
    for (size_t i = 0; i < sizeof subject_known / sizeof *subject_known; i++)
        if (strcmp(h, subject_known[i].column) == 0) {
            rc = ing_cov_col(b, subject_known[i].role, subject_known[i].name,
                             &col);
            known = 1;
        }
    if (!known)
        rc = ing_cov_col(b, ING_AUTO, h, &col);
    if (!rc)
        rc = ing_claim_col(b, f, row, j, col);
    if (!rc)
        rc = ing_map_header(b, f, h, j, NULL, col);
    return rc;
}

int ing_long_header(ing_builder *b, ing_file **fp, const char *name,
                    uint32_t index, const kap_csv_row *row)
{
    char **low;
    int rc = ing_file_open(b, fp, name, index, row, &low);
    if (rc)
        return rc;
    ing_file *f = *fp;
    for (size_t t = 0; t < sizeof treatment / sizeof *treatment &&
                       f->c_arm == NO_POS; t++)
        for (size_t j = 0; j < row->n; j++)
            if (strcmp(low[j], treatment[t]) == 0)
                f->c_arm = j;
    for (size_t j = 0; j < row->n && !rc; j++)
        rc = classify(b, f, row, j, low[j]);
    ing_free_strings(low, row->n);
    if (rc)
        return rc;
    static const char need[] =
        "the long layout needs USUBJID, a treatment column (TRT01P, TRTP, "
        "TRT01A, TRTA, ARM or ARMCD), PARAMCD, AVISIT and AVAL";
    const char *missing = f->c_id == NO_POS        ? "USUBJID"
                          : f->c_arm == NO_POS     ? "TRT01P"
                          : f->c_paramcd == NO_POS ? "PARAMCD"
                          : f->c_avisit == NO_POS  ? "AVISIT"
                          : f->c_aval == NO_POS    ? "AVAL"
                                                   : NULL;
    if (missing) {
        if (f->c_arm == NO_POS && f->c_id != NO_POS)
            return kap_err_input(b->err, name, f->header_line, 0,
                                 "missing required treatment column (%s)",
                                 need);
        return kap_err_input(b->err, name, f->header_line, 0,
                             "missing required column '%s' (%s)", missing,
                             need);
    }
    return KAP_OK;
}

/* ---- records ---------------------------------------------------------- */

static int flag_yes(const char *s, size_t len)
{
    return kap_ieq(s, len, "y");
}

/* Instrument of a PARAMCD text (cached per distinct text). */
static int param_instrument(ing_builder *b, const char *s, size_t len,
                            size_t *k)
{
    size_t r;
    int added;
    if (ing_last_is(&b->last_param, s, len)) {
        *k = (size_t)b->last_param.code;
        return KAP_OK;
    }
    if (kap_strtab_intern(&b->raw_param, s, len, &r, &added) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    if (!added) {
        *k = (size_t)b->raw_param_instr[r];
        ing_last_keep(&b->last_param, s, len);
        b->last_param.code = (int32_t)*k;
        return KAP_OK;
    }
    if (kap_grow((void **)&b->raw_param_instr, &b->raw_param_cap, r + 1,
                 sizeof *b->raw_param_instr) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->raw_param_instr[r] = -1;
    const char *mapped = kap_paramcd_instrument(s, len);
    char *name = kap_strndup(mapped ? mapped : s, mapped ? strlen(mapped) : len);
    if (!name)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    int rc = ing_instrument(b, name, k);
    kap_free(name);
    if (rc)
        return rc;
    b->raw_param_instr[r] = (int32_t)*k;
    const ing_instr *in = &b->instr[*k];
    char q[96], line[400], key[120];
    kap_quote_value(q, sizeof q, s, len);
    if (isnan(in->min))
        kap_snprintf(line, sizeof line, "PARAMCD '%s' -> %s (%s, no range)",
                     q, in->name, kap_instrument_kind_name(in->kind));
    else
        kap_snprintf(line, sizeof line,
                     "PARAMCD '%s' -> %s (%s, range %g to %g)", q, in->name,
                     kap_instrument_kind_name(in->kind), in->min, in->max);
    kap_snprintf(key, sizeof key, "p:%zu", r);
    return ing_map_text(b, key, line);
}

/* Canonical visit of an AVISIT text (cached per distinct text). */
static int raw_visit(ing_builder *b, const char *s, size_t len, size_t *r)
{
    int added;
    if (ing_last_is(&b->last_visit, s, len)) {
        *r = (size_t)b->last_visit.code;
        return KAP_OK;
    }
    if (kap_strtab_intern(&b->raw_visit, s, len, r, &added) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    if (!added) {
        ing_last_keep(&b->last_visit, s, len);
        b->last_visit.code = (int32_t)*r;
        return KAP_OK;
    }
    size_t c1 = b->raw_visit_cap, c2 = b->raw_visit_cap, c3 = b->raw_visit_cap;
    size_t c4 = b->raw_visit_cap;
    if (kap_grow((void **)&b->raw_visit_canon, &c1, *r + 1,
                 sizeof *b->raw_visit_canon) ||
        kap_grow((void **)&b->raw_visit_bl, &c2, *r + 1,
                 sizeof *b->raw_visit_bl) ||
        kap_grow((void **)&b->raw_visit_day, &c3, *r + 1,
                 sizeof *b->raw_visit_day) ||
        kap_grow((void **)&b->raw_visit_mapped, &c4, *r + 1,
                 sizeof *b->raw_visit_mapped))
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->raw_visit_cap = c1;
    int bl;
    double day;
    char *canon = kap_visit_canon(s, len, &bl, &day);
    if (!canon)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    size_t cid;
    int rc = kap_strtab_intern(&b->canon, canon, strlen(canon), &cid, NULL);
    kap_free(canon);
    if (rc)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->raw_visit_canon[*r] = (int32_t)cid;
    b->raw_visit_bl[*r] = (int8_t)bl;
    b->raw_visit_day[*r] = day;
    b->raw_visit_mapped[*r] = 0;
    return KAP_OK;
}

static int map_visit(ing_builder *b, size_t r)
{
    /* once per distinct AVISIT text, not once per record */
    if (b->raw_visit_mapped[r])
        return KAP_OK;
    char q[96], line[400], key[64];
    const char *s = kap_strtab_str(&b->raw_visit, r);
    const char *c = kap_strtab_str(&b->canon, (size_t)b->raw_visit_canon[r]);
    kap_quote_value(q, sizeof q, s, strlen(s));
    double day = b->raw_visit_day[r];
    if (isnan(day))
        kap_snprintf(line, sizeof line,
                     "AVISIT '%s' -> visit %s (no study day in the label)", q,
                     c);
    else
        kap_snprintf(line, sizeof line, "AVISIT '%s' -> visit %s (day %g)", q,
                     c, day);
    kap_snprintf(key, sizeof key, "v:%zu", r);
    int rc = ing_map_text(b, key, line);
    if (rc == KAP_OK)
        b->raw_visit_mapped[r] = 1;
    return rc;
}

/* Visit of instrument k with canonical id cid (label text, baseline flag
 * and day as given), through the instrument's id -> visit map. */
static int long_visit(ing_builder *b, size_t k, size_t cid, int bl,
                      double day, size_t *v)
{
    ing_instr *in = &b->instr[k];
    if (cid < in->vmap_cap && in->vmap[cid]) {
        *v = (size_t)in->vmap[cid] - 1;
        return KAP_OK;
    }
    size_t old = in->vmap_cap;
    if (kap_grow((void **)&in->vmap, &in->vmap_cap, cid + 1,
                 sizeof *in->vmap) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    memset(in->vmap + old, 0, (in->vmap_cap - old) * sizeof *in->vmap);
    int created;
    int rc = ing_visit_get(b, k, kap_strtab_str(&b->canon, cid), bl, day, v,
                       &created);
    if (rc)
        return rc;
    b->instr[k].vmap[cid] = (int32_t)(*v + 1);
    return KAP_OK;
}

static int subject_mismatch(ing_builder *b, ing_file *f,
                            const kap_csv_row *row, size_t j, size_t p,
                            const char *stored)
{
    char q[96], qid[96];
    const char *id = kap_strtab_str(&b->ids, p);
    return kap_err_input(b->err, f->name, row->line[j], j + 1,
                         "%s '%s' differs from '%s' on line %lu for "
                         "participant '%s' (subject-level values must be "
                         "constant within a participant)",
                         f->header[j],
                         kap_quote_value(q, sizeof q, row->field[j],
                                         row->len[j]),
                         stored, b->pline[p],
                         kap_quote_value(qid, sizeof qid, id, strlen(id)));
}

/* New participant: arm and subject-level values from this record.
 * Known participant: compare them. */
static int subject_values(ing_builder *b, ing_file *f, const kap_csv_row *row,
                          long prev, size_t *pp)
{
    char q[96];
    size_t ja = f->c_arm, ji = f->c_id;
    const char *arm = row->field[ja];
    size_t al = row->len[ja];
    if (ing_is_missing(b, arm, al)) {
        if (al == 0)
            return kap_err_input(b->err, f->name, row->line[ja], ja + 1,
                                 "empty %s (expected the participant's "
                                 "treatment arm)", f->header[ja]);
        return kap_err_input(b->err, f->name, row->line[ja], ja + 1,
                             "%s '%s' is a missing-value code (expected the "
                             "participant's treatment arm)",
                             f->header[ja],
                             kap_quote_value(q, sizeof q, arm, al));
    }
    int rc;
    if (prev < 0) {
        int32_t code;
        size_t p;
        rc = ing_arm(b, arm, al, &code);
        if (!rc)
            rc = ing_add_participant(b, row->field[ji], row->len[ji],
                                     f->index, row->line[0], &p, NULL);
        if (rc)
            return rc;
        b->parm[p] = code;
        *pp = p;
        for (size_t j = 0; j < row->n && !rc; j++)
            if (f->role[j] == ING_F_COL)
                rc = ing_cov_value(b, f->col[j], p, f->name, row->line[j],
                                   j + 1, row->field[j], row->len[j], 0, NULL);
        return rc;
    }
    size_t p = (size_t)prev;
    *pp = p;
    long a;
    if (ing_last_is(&b->last_arm, arm, al))
        a = b->last_arm.code;
    else
        a = kap_strtab_find(&b->arms, arm, al);
    if (a != (long)b->parm[p]) {
        const char *stored = kap_strtab_str(&b->arms, (size_t)b->parm[p]);
        char qs[96];
        return subject_mismatch(b, f, row, ja, p,
                                kap_quote_value(qs, sizeof qs, stored,
                                                strlen(stored)));
    }
    for (size_t j = 0; j < row->n; j++) {
        if (f->role[j] != ING_F_COL)
            continue;
        ing_col *col = &b->cols[f->col[j]];
        if (col->varying)
            continue;
        int differs;
        rc = ing_cov_value(b, f->col[j], p, f->name, row->line[j], j + 1,
                           row->field[j], row->len[j], 1, &differs);
        if (rc)
            return rc;
        if (!differs)
            continue;
        if (col->role == ING_AUTO) {
            col->varying = 1;   /* not a covariate; listed as varying */
            continue;
        }
        char stored[96];
        ing_cov_text(b, f->col[j], p, stored, sizeof stored);
        return subject_mismatch(b, f, row, j, p, stored);
    }
    return KAP_OK;
}

/* ---- BASE / CHG --------------------------------------------------------- */

static int mismatch(double given, double expect, double scale)
{
    return fabs(given - expect) > 1e-9 * scale;
}

typedef struct bc_result {
    int what;               /* 1 BASE, 2 CHG */
    double given, expect, ref;
} bc_result;

/* Check a record's BASE and CHG (NaN when missing) against the AVAL blv of
 * the participant's baseline record (NaN when none) and its own AVAL:
 * BASE must equal blv; CHG must equal AVAL minus blv, else minus BASE.
 * Returns 1 with *res filled when one does not match (BASE first). */
static int bc_check(double blv, double aval, double base, double chg,
                    bc_result *res)
{
    if (!isnan(base) && !isnan(blv) &&
        mismatch(base, blv, fmax(fabs(base), fabs(blv)))) {
        *res = (bc_result){1, base, blv, NAN};
        return 1;
    }
    if (!isnan(chg) && !isnan(aval)) {
        double ref = !isnan(blv) ? blv : base;
        if (!isnan(ref)) {
            double expect = aval - ref;
            double scale = fmax(fmax(fabs(chg), fabs(expect)),
                                fmax(fabs(aval), fabs(ref)));
            if (mismatch(chg, expect, scale)) {
                *res = (bc_result){2, chg, expect, ref};
                return 1;
            }
        }
    }
    return 0;
}

int ing_long_row(ing_builder *b, ing_file *f, const kap_csv_row *row)
{
    char q[96], qid[96];
    const char *F = f->name;
    size_t ji = f->c_id;
    const char *id = row->field[ji];
    size_t il = row->len[ji];
    if (ing_is_missing(b, id, il)) {
        if (il == 0)
            return kap_err_input(b->err, F, row->line[ji], ji + 1,
                                 "empty USUBJID (expected a participant id)");
        return kap_err_input(b->err, F, row->line[ji], ji + 1,
                             "USUBJID '%s' is a missing-value code (expected "
                             "a participant id)",
                             kap_quote_value(q, sizeof q, id, il));
    }
    /* records of a participant are usually consecutive: compare with the
     * last record's id before hashing */
    long prev;
    const char *lid = b->last_p != NO_POS ? kap_strtab_str(&b->ids, b->last_p)
                                          : NULL;
    if (lid && strncmp(lid, id, il) == 0 && lid[il] == '\0')
        prev = (long)b->last_p;
    else
        prev = kap_strtab_find(&b->ids, id, il);
    if (prev >= 0 && b->pfile[prev] != f->index)
        return kap_err_input(b->err, F, row->line[ji], ji + 1,
                             "participant '%s' also appears in '%s' line %lu "
                             "(all records of a participant must be in one "
                             "file)",
                             kap_quote_value(q, sizeof q, id, il),
                             b->src[b->pfile[prev]].name, b->pline[prev]);
    if (row->line[0] > UINT32_MAX)
        return kap_err_input(b->err, F, row->line[0], 0,
                             "file too long (more than %lu lines)",
                             (unsigned long)UINT32_MAX);
    size_t p = 0;
    int rc = subject_values(b, f, row, prev, &p);
    if (rc)
        return rc;
    b->last_p = p;

    if (f->c_dtype != NO_POS && row->len[f->c_dtype] > 0) {
        b->n_excluded_dtype++;
        return KAP_OK;
    }
    size_t jv = f->c_avisit;
    const char *av = row->field[jv];
    size_t avl = row->len[jv];
    size_t r = NO_POS;
    if (!ing_is_missing(b, av, avl)) {
        rc = raw_visit(b, av, avl, &r);
        if (rc)
            return rc;
    }
    int bl;
    if (f->c_ablfl != NO_POS)
        bl = flag_yes(row->field[f->c_ablfl], row->len[f->c_ablfl]);
    else
        bl = r != NO_POS && b->raw_visit_bl[r];
    if (f->c_anl01 != NO_POS && !bl &&
        !flag_yes(row->field[f->c_anl01], row->len[f->c_anl01])) {
        b->n_excluded_anl01++;
        return KAP_OK;
    }
    size_t jp = f->c_paramcd;
    if (ing_is_missing(b, row->field[jp], row->len[jp]))
        return kap_err_input(b->err, F, row->line[jp], jp + 1,
                             "empty PARAMCD (expected a parameter code such "
                             "as MADRS or HAMD17)");
    size_t k;
    rc = param_instrument(b, row->field[jp], row->len[jp], &k);
    if (rc)
        return rc;
    size_t cid, v;
    double day;
    if (bl) {
        rc = kap_strtab_intern(&b->canon, "baseline", 8, &cid, NULL);
        if (rc)
            return kap_err(b->err, KAP_ENOMEM, "out of memory");
        day = 0.0;
        if (f->c_ablfl != NO_POS)
            rc = ing_map_text(b, "b:ablfl", "ABLFL 'Y' -> visit baseline");
        else
            rc = map_visit(b, r);
    } else {
        if (r == NO_POS)
            return kap_err_input(b->err, F, row->line[jv], jv + 1,
                                 "empty AVISIT (expected a visit label such "
                                 "as 'Week 4'%s)",
                                 f->c_ablfl != NO_POS
                                     ? ", or ABLFL = Y for the baseline"
                                     : "");
        cid = (size_t)b->raw_visit_canon[r];
        bl = b->raw_visit_bl[r];
        day = b->raw_visit_day[r];
        rc = map_visit(b, r);
    }
    if (!rc)
        rc = long_visit(b, k, cid, bl, day, &v);
    if (rc)
        return rc;
    ing_visit *vis = &b->instr[k].v[v];
    ing_col *col = &b->cols[vis->col];
    if (col->line[p]) {
        return kap_err_input(b->err, F, row->line[jv], jv + 1,
                             "duplicate record for participant '%s', %s "
                             "visit '%s' (also on line %lu)",
                             kap_quote_value(qid, sizeof qid, id, il),
                             b->instr[k].name, vis->label,
                             (unsigned long)col->line[p]);
    }
    rc = ing_parse_score(b, k, F, row->line[f->c_aval], f->c_aval + 1,
                         row->field[f->c_aval], row->len[f->c_aval],
                         ing_score(b, col, p));
    if (rc)
        return rc;
    col->line[p] = (uint32_t)row->line[0];
    double x;
    size_t j = f->c_avisitn;
    if (j != NO_POS) {
        rc = ing_parse_number(b, "a visit number", F, row->line[j], j + 1,
                              row->field[j], row->len[j], &x);
        if (rc)
            return rc;
        if (isnan(vis->avisitn))
            vis->avisitn = x;
    }
    j = f->c_ady;
    if (j != NO_POS) {
        rc = ing_parse_number(b, "a study day", F, row->line[j], j + 1,
                              row->field[j], row->len[j], &x);
        if (rc)
            return rc;
        if (!isnan(x) && !vis->baseline && isnan(vis->day)) {
            rc = ing_col_lazy(b, &col->ady);
            if (rc)
                return rc;
            col->ady[p] = x;
        }
    }
    double base = NAN, chg = NAN;
    j = f->c_base;
    if (j != NO_POS) {
        rc = ing_parse_number(b, "the baseline value", F, row->line[j], j + 1,
                              row->field[j], row->len[j], &base);
        if (rc)
            return rc;
    }
    j = f->c_chg;
    if (j != NO_POS) {
        rc = ing_parse_number(b, "the change from baseline", F, row->line[j],
                              j + 1, row->field[j], row->len[j], &chg);
        if (rc)
            return rc;
    }
    if (isnan(base) && isnan(chg))
        return KAP_OK;
    /* With the participant's baseline record already read (the usual
     * order), check BASE / CHG now; the first failure (lowest line) is
     * kept for ing_long_file_done, which reports it only after the whole
     * file, as it does the deferred ones.  Otherwise keep the values for
     * the check after the file. */
    const ing_instr *in = &b->instr[k];
    const ing_col *blc = NULL;
    for (size_t w = 0; w < in->nv; w++)
        if (in->v[w].baseline)
            blc = &b->cols[in->v[w].col];
    if (blc && blc->line[p]) {
        bc_result res;
        if (!b->bc_line &&
            bc_check(*ing_score(b, blc, p), *ing_score(b, col, p), base, chg,
                     &res)) {
            b->bc_line = (unsigned long)col->line[p];
            b->bc_col = res.what == 1 ? f->c_base : f->c_chg;
            b->bc_k = k;
            b->bc_v = v;
            b->bc_p = p;
            b->bc_what = res.what;
            b->bc_given = res.given;
            b->bc_expect = res.expect;
            b->bc_ref = res.ref;
        }
        return KAP_OK;
    }
    if (!isnan(base)) {
        if ((rc = ing_col_lazy(b, &col->base)))
            return rc;
        col->base[p] = base;
    }
    if (!isnan(chg)) {
        if ((rc = ing_col_lazy(b, &col->chg)))
            return rc;
        col->chg[p] = chg;
    }
    return KAP_OK;
}

/* ---- after a file: BASE / CHG ------------------------------------------- */


int ing_long_file_done(ing_builder *b, const ing_file *f, size_t p0)
{
    /* The first failing record by line, so that the report does not
     * depend on instrument or visit order. */
    unsigned long best_line = 0;
    size_t best_col = 0, best_k = 0, best_v = 0, best_p = 0;
    int best_what = 0;       /* 1 BASE, 2 CHG */
    double best_given = 0, best_expect = 0, best_ref = 0;
    for (size_t k = 0; k < b->ninstr; k++) {
        const ing_instr *in = &b->instr[k];
        const ing_col *blc = NULL;
        for (size_t v = 0; v < in->nv; v++)
            if (in->v[v].baseline)
                blc = &b->cols[in->v[v].col];
        for (size_t v = 0; v < in->nv; v++) {
            const ing_col *c = &b->cols[in->v[v].col];
            if (!c->base && !c->chg)
                continue;
            for (size_t p = p0; p < b->n; p++) {
                if (!c->line[p])
                    continue;
                double blv =
                    (blc && blc->line[p]) ? *ing_score(b, blc, p) : NAN;
                double aval = *ing_score(b, c, p);
                double base = c->base ? c->base[p] : NAN;
                double chg = c->chg ? c->chg[p] : NAN;
                bc_result res;
                int what = 0;
                double given = 0, expect = 0, ref = NAN;
                if (bc_check(blv, aval, base, chg, &res)) {
                    what = res.what;
                    given = res.given;
                    expect = res.expect;
                    ref = res.ref;
                }
                if (what && (best_line == 0 || c->line[p] < best_line)) {
                    best_line = c->line[p];
                    best_col = what == 1 ? f->c_base : f->c_chg;
                    best_k = k;
                    best_v = v;
                    best_p = p;
                    best_what = what;
                    best_given = given;
                    best_expect = expect;
                    best_ref = ref;
                }
            }
        }
    }
    /* the first failure among the records checked as they were read */
    if (b->bc_what && (best_line == 0 || b->bc_line < best_line)) {
        best_line = b->bc_line;
        best_col = b->bc_col;
        best_k = b->bc_k;
        best_v = b->bc_v;
        best_p = b->bc_p;
        best_what = b->bc_what;
        best_given = b->bc_given;
        best_expect = b->bc_expect;
        best_ref = b->bc_ref;
    }
    b->bc_line = 0;
    b->bc_what = 0;
    if (!best_what)
        return KAP_OK;
    const ing_instr *in = &b->instr[best_k];
    const ing_col *c = &b->cols[in->v[best_v].col];
    char qid[96];
    const char *id = kap_strtab_str(&b->ids, best_p);
    kap_quote_value(qid, sizeof qid, id, strlen(id));
    if (best_what == 1)
        return kap_err_input(b->err, f->name, best_line, best_col + 1,
                             "BASE %.15g does not match the AVAL %.15g of "
                             "the baseline record for participant '%s', %s "
                             "(relative tolerance 1e-9)",
                             best_given, best_expect, qid, in->name);
    return kap_err_input(b->err, f->name, best_line, best_col + 1,
                         "CHG %.15g does not match AVAL - baseline = %.15g - "
                         "%.15g = %.15g for participant '%s', %s visit '%s' "
                         "(relative tolerance 1e-9)",
                         best_given, *ing_score(b, c, best_p), best_ref,
                         best_expect, qid,
                         in->name, in->v[best_v].label);
}

/* ---- after all files: days from ADY ---------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int ing_long_finish(ing_builder *b)
{
    double *tmp = NULL;
    for (size_t k = 0; k < b->ninstr; k++) {
        ing_instr *in = &b->instr[k];
        for (size_t v = 0; v < in->nv; v++) {
            ing_visit *vis = &in->v[v];
            const ing_col *c = &b->cols[vis->col];
            if (!c->ady || vis->baseline || !isnan(vis->day))
                continue;
            if (!tmp && !(tmp = kap_malloc_array(b->n ? b->n : 1, sizeof *tmp)))
                return kap_err(b->err, KAP_ENOMEM, "out of memory");
            size_t m = 0;
            for (size_t p = 0; p < b->n; p++)
                if (!isnan(c->ady[p]))
                    tmp[m++] = c->ady[p];
            if (m == 0)
                continue;
            qsort(tmp, m, sizeof *tmp, cmp_double);
            vis->day = (m % 2) ? tmp[m / 2]
                               : tmp[m / 2 - 1] / 2 + tmp[m / 2] / 2;
        }
    }
    kap_free(tmp);
    return KAP_OK;
}

/* ---- the adverse-event file ------------------------------------------------ */

typedef struct ae_ctx {
    ing_builder *b;
    const char *name;
    size_t c_id, c_term;
} ae_ctx;

static int ae_row(void *ctx, const kap_csv_row *row, kap_error *err)
{
    (void)err;
    ae_ctx *a = ctx;
    ing_builder *b = a->b;
    char q[96];
    if (row->index == 0) {
        for (size_t j = 0; j < row->n; j++) {
            if (kap_ieq(row->field[j], row->len[j], "usubjid") &&
                a->c_id == NO_POS)
                a->c_id = j;
            if (kap_ieq(row->field[j], row->len[j], "aedecod") &&
                a->c_term == NO_POS)
                a->c_term = j;
        }
        unsigned long hl = row->n ? row->line[0] : row->end_line;
        if (a->c_id == NO_POS || a->c_term == NO_POS)
            return kap_err_input(b->err, a->name, hl, 0,
                                 "missing required column '%s' (the "
                                 "adverse-event file needs USUBJID and "
                                 "AEDECOD)",
                                 a->c_id == NO_POS ? "USUBJID" : "AEDECOD");
        char line[400];
        kap_snprintf(line, sizeof line,
                     "file '%s': AEDECOD -> adverse event terms "
                     "(participants without a row had no event)",
                     kap_quote_value(q, sizeof q, a->name, strlen(a->name)));
        return ing_map_text(b, "ae:file", line);
    }
    size_t j = a->c_id;
    const char *id = row->field[j];
    size_t il = row->len[j];
    if (ing_is_missing(b, id, il))
        return kap_err_input(b->err, a->name, row->line[j], j + 1,
                             "empty USUBJID (expected a participant id)");
    long p = kap_strtab_find(&b->ids, id, il);
    if (p < 0)
        return kap_err_input(b->err, a->name, row->line[j], j + 1,
                             "adverse event for unknown participant '%s' (not "
                             "in the trial data)",
                             kap_quote_value(q, sizeof q, id, il));
    j = a->c_term;
    if (ing_is_missing(b, row->field[j], row->len[j]))
        return kap_err_input(b->err, a->name, row->line[j], j + 1,
                             "empty AEDECOD (expected the adverse-event term)");
    size_t t;
    if (kap_strtab_intern(&b->ae_terms, row->field[j], row->len[j], &t,
                          NULL) != KAP_OK ||
        kap_grow((void **)&b->ae_pair, &b->ae_pair_cap, 2 * b->n_ae_pair + 2,
                 sizeof *b->ae_pair) != KAP_OK)
        return kap_err(b->err, KAP_ENOMEM, "out of memory");
    b->ae_pair[2 * b->n_ae_pair] = (uint32_t)p;
    b->ae_pair[2 * b->n_ae_pair + 1] = (uint32_t)t;
    b->n_ae_pair++;
    return KAP_OK;
}

int ing_long_ae_file(ing_builder *b, const char *path)
{
    uint32_t index;
    int rc = ing_add_source(b, path, "", &index);
    if (rc)
        return rc;
    ae_ctx a = {b, b->src[index].name, NO_POS, NO_POS};
    size_t rows;
    char sha[65];
    rc = kap_csv_read_file(a.name, ae_row, &a, &rows, sha, b->err);
    if (!rc)
        memcpy(b->src[index].sha256, sha, 65);
    return rc;
}
