/* cli/cmd_info.c - `kapstats info STORE.h5`: what a store holds. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void info_usage(FILE *f)
{
    fprintf(f,
            "usage: kapstats info [--help] STORE.h5\n\n"
            "Summarise a trial store: writer version and source layout, source\n"
            "files with their SHA-256, participants per arm, each instrument with\n"
            "its kind, range and visits (label, study day, scores observed per\n"
            "visit), covariates (categorical: level counts; numeric: n, missing,\n"
            "min, max), adverse-event terms with counts per arm, and ingestion\n"
            "notes (excluded DTYPE / ANL01FL records, columns varying within a\n"
            "subject).\n\n"
            "exit codes: 0 success; 2 usage error; 4 cannot read the file;\n"
            "5 not a store, damaged, or of a newer layout; 6 internal error\n");
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

/* Print s left-aligned in a column of `width` characters (counted as UTF-8
 * code points, so that accented names line up), then one space. */
static void put_cell(const char *s, size_t width)
{
    size_t cps = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cps += (*p & 0xc0) != 0x80;
    fputs(s, stdout);
    do
        putchar(' ');
    while (++cps < width + 1);
}

static void print_pct(size_t part, size_t whole)
{
    if (whole == 0)
        printf("-");
    else
        printf("%.1f%%", 100.0 * (double)part / (double)whole);
}

static void print_participants(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t), na = kap_trial_n_arms(t);
    const int32_t *arm = kap_trial_arms(t);
    printf("participants: %zu in %zu arm%s\n", n, na, na == 1 ? "" : "s");
    for (size_t a = 0; a < na; a++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            c += arm[i] == (int32_t)a;
        printf("  ");
        put_cell(kap_trial_arm_name(t, a), 20);
        printf("%zu\n", c);
    }
}

static void print_instruments(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t), ni = kap_trial_n_instruments(t);
    printf("instruments: %zu\n", ni);
    for (size_t k = 0; k < ni; k++) {
        double lo, hi;
        kap_trial_instrument_range(t, k, &lo, &hi);
        printf("  %s (%s, ", kap_trial_instrument_name(t, k),
               kind_name(kap_trial_instrument_kind(t, k)));
        if (isnan(lo) && isnan(hi)) {
            printf("no declared range");
        } else {
            char a[32] = "none", b[32] = "none";
            if (!isnan(lo))
                snprintf(a, sizeof a, "%g", lo);
            if (!isnan(hi))
                snprintf(b, sizeof b, "%g", hi);
            printf("min %s, max %s", a, b);
        }
        size_t nv = kap_trial_n_visits(t, k);
        printf(", %zu visit%s)\n", nv, nv == 1 ? "" : "s");
        if (nv == 0)
            continue;
        printf("    %-20s %8s  %s\n", "visit", "day", "observed");
        const double *y = kap_trial_scores(t, k);
        long base = kap_trial_baseline_visit(t, k);
        for (size_t v = 0; v < nv; v++) {
            size_t obs = 0;
            for (size_t i = 0; i < n; i++)
                obs += !isnan(y[i * nv + v]);
            double day = kap_trial_visit_day(t, k, v);
            char dbuf[32];
            if (isnan(day))
                snprintf(dbuf, sizeof dbuf, "-");
            else
                snprintf(dbuf, sizeof dbuf, "%g", day == 0 ? 0.0 : day);
            printf("    ");
            put_cell(kap_trial_visit_label(t, k, v), 20);
            printf("%8s  %zu/%zu (", dbuf, obs, n);
            print_pct(obs, n);
            printf(")%s\n", (long)v == base ? "  baseline" : "");
        }
    }
}

static void print_covariates(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t), nc = kap_trial_n_covariates(t);
    printf("covariates: %zu\n", nc);
    for (size_t c = 0; c < nc; c++) {
        const char *name = kap_trial_covariate_name(t, c);
        if (kap_trial_covariate_type(t, c) == KAP_COV_NUMERIC) {
            const double *x = kap_trial_covariate_values(t, c);
            size_t m = 0;
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < n; i++)
                if (!isnan(x[i])) {
                    m++;
                    if (x[i] < lo)
                        lo = x[i];
                    if (x[i] > hi)
                        hi = x[i];
                }
            printf("  %s: numeric, n %zu, missing %zu", name, m, n - m);
            if (m > 0)
                printf(", min %g, max %g", lo, hi);
            printf("\n");
        } else {
            size_t nl = kap_trial_covariate_n_levels(t, c);
            const int32_t *code = kap_trial_covariate_codes(t, c);
            size_t missing = 0;
            for (size_t i = 0; i < n; i++)
                missing += code[i] < 0;
            printf("  %s: categorical, %zu level%s, missing %zu\n", name, nl,
                   nl == 1 ? "" : "s", missing);
            for (size_t l = 0; l < nl; l++) {
                size_t cnt = 0;
                for (size_t i = 0; i < n; i++)
                    cnt += code[i] == (int32_t)l;
                printf("    ");
                put_cell(kap_trial_covariate_level(t, c, l), 20);
                printf("%zu\n", cnt);
            }
        }
    }
}

/* A table row being built: cells padded to their width (in UTF-8 code
 * points); emitted without trailing blanks. */
typedef struct row {
    char buf[2048];
    size_t len;
} row;

static void row_cell(row *r, const char *s, size_t width)
{
    size_t cps = 0;
    for (const unsigned char *p = (const unsigned char *)s;
         *p && r->len + 1 < sizeof r->buf; p++) {
        r->buf[r->len++] = (char)*p;
        cps += (*p & 0xc0) != 0x80;
    }
    do {
        if (r->len + 1 < sizeof r->buf)
            r->buf[r->len++] = ' ';
    } while (++cps < width + 1);
}

static void row_emit(row *r)
{
    while (r->len > 0 && r->buf[r->len - 1] == ' ')
        r->len--;
    r->buf[r->len] = '\0';
    puts(r->buf);
    r->len = 0;
}

/* Per term: participants with the event / participants recorded, overall
 * and per arm. */
static void print_adverse_events(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t), nt = kap_trial_n_ae_terms(t);
    size_t na = kap_trial_n_arms(t);
    const int32_t *arm = kap_trial_arms(t);
    printf("adverse events: %zu term%s", nt, nt == 1 ? "" : "s");
    if (nt == 0) {
        printf("\n");
        return;
    }
    printf(" (participants with the event / recorded)\n");
    row r = {.len = 0};
    row_cell(&r, "   ", 3);
    row_cell(&r, "term", 24);
    row_cell(&r, "all", 16);
    for (size_t a = 0; a < na; a++)
        row_cell(&r, kap_trial_arm_name(t, a), 16);
    row_emit(&r);
    for (size_t j = 0; j < nt; j++) {
        const int8_t *f = kap_trial_ae_flags(t, j);
        char buf[64];
        size_t ev = 0, rec = 0;
        for (size_t i = 0; i < n; i++) {
            ev += f[i] == 1;
            rec += f[i] >= 0;
        }
        row_cell(&r, "   ", 3);
        row_cell(&r, kap_trial_ae_term(t, j), 24);
        snprintf(buf, sizeof buf, "%zu/%zu", ev, rec);
        row_cell(&r, buf, 16);
        for (size_t a = 0; a < na; a++) {
            ev = rec = 0;
            for (size_t i = 0; i < n; i++)
                if (arm[i] == (int32_t)a) {
                    ev += f[i] == 1;
                    rec += f[i] >= 0;
                }
            snprintf(buf, sizeof buf, "%zu/%zu", ev, rec);
            row_cell(&r, buf, 16);
        }
        row_emit(&r);
    }
}

static void print_notes(const kap_trial *t)
{
    size_t nv = kap_trial_n_varying_columns(t);
    printf("ingestion notes:\n");
    printf("  records excluded, DTYPE set:        %zu\n",
           kap_trial_n_excluded_dtype(t));
    printf("  records excluded, ANL01FL not Y:    %zu\n",
           kap_trial_n_excluded_anl01(t));
    printf("  columns varying within a subject:   ");
    if (nv == 0)
        printf("none");
    for (size_t i = 0; i < nv; i++)
        printf("%s%s", i ? ", " : "", kap_trial_varying_column(t, i));
    printf("\n");
}

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            info_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (!strcmp(argv[i], "--")) {
            if (i + 1 < argc && !path)
                path = argv[++i];
            if (i + 1 < argc)
                return cli_usage_error("info", "expected one store, got more");
            break;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("info", "unknown option '%s'", argv[i]);
        if (path)
            return cli_usage_error("info", "expected one store, got more");
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("info", "missing STORE.h5");

    kap_trial *t = NULL;
    kap_error err;
    int rc = kap_trial_open(&t, path, &err);
    if (rc)
        return cli_fail(rc, &err);

    printf("store: %s\n", path);
    printf("writer: libkapstats %s\n", kap_trial_writer_version(t));
    printf("source layout: %s\n", kap_trial_source_layout(t));
    size_t ns = kap_trial_n_sources(t);
    printf("sources: %zu\n", ns);
    for (size_t s = 0; s < ns; s++)
        printf("  %s  sha256 %s\n", kap_trial_source_name(t, s),
               kap_trial_source_sha256(t, s));
    print_participants(t);
    print_instruments(t);
    print_covariates(t);
    print_adverse_events(t);
    print_notes(t);
    kap_trial_free(t);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kapstats: info: cannot write the output\n");
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}
