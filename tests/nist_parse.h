/*
 * tests/nist_parse.h - readers for the NIST StRD linear-regression and
 * one-way ANOVA files copied into tests/reference/nist/ (certified values
 * and data are parsed from the files themselves).  Header-only, used by
 * test_linear_model.c and test_anova.c.
 */
#ifndef KAP_NIST_PARSE_H
#define KAP_NIST_PARSE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIST_MAXCOEF 16

typedef struct {
    size_t ncoef;                 /* certified parameters B0.. */
    double b[NIST_MAXCOEF], sd[NIST_MAXCOEF];
    double resid_sd, r2;
    double ss_reg, ms_reg, f, ss_res, ms_res;
    int f_infinite;
    size_t n, ncol;               /* data rows; columns (y, x1, ...) */
    double *data;                 /* n x ncol, row-major */
} nist_reg;

typedef struct {
    double ss_b, ms_b, f, ss_w, ms_w, r2, resid_sd;
    double df_b, df_w;
    size_t n, k;
    double *y;
    int *g;
} nist_anova;

/* Numbers on a line after the first `skip` tokens; returns count. */
static int nist_numbers(const char *line, int skip, double *v, int max)
{
    int cnt = 0, tok = 0;
    const char *p = line;
    while (*p && cnt < max) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (tok++ < skip)
            continue;
        char buf[64];
        size_t len = (size_t)(p - start);
        if (len >= sizeof buf)
            return cnt;
        memcpy(buf, start, len);
        buf[len] = '\0';
        char *end;
        double x = strtod(buf, &end);
        if (*end != '\0') {
            if (strcmp(buf, "Infinity") == 0)
                x = INFINITY;
            else
                return cnt;
        }
        v[cnt++] = x;
    }
    return cnt;
}

static char **nist_lines(const char *path, size_t *nlines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 256, n = 0;
    char **lines = malloc(cap * sizeof *lines);
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        if (n == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = strdup(buf);
    }
    fclose(f);
    *nlines = n;
    return lines;
}

static void nist_free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Index of the last line beginning with "Data:". */
static size_t nist_data_line(char **lines, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(lines[i], "Data:", 5) == 0)
            d = i;
    return d;
}

static inline int nist_read_reg(const char *path, nist_reg *r)
{
    memset(r, 0, sizeof *r);
    size_t nl;
    char **L = nist_lines(path, &nl);
    if (!L)
        return -1;
    size_t d = nist_data_line(L, nl);
    double v[32];
    for (size_t i = 0; i < d; i++) {
        const char *s = L[i];
        while (isspace((unsigned char)*s))
            s++;
        if (s[0] == 'B' && isdigit((unsigned char)s[1])) {
            int j = atoi(s + 1);
            if (nist_numbers(s, 1, v, 2) == 2 && j < NIST_MAXCOEF) {
                r->b[j] = v[0];
                r->sd[j] = v[1];
                if ((size_t)j + 1 > r->ncoef)
                    r->ncoef = (size_t)j + 1;
            }
        } else if (strncmp(s, "Standard Deviation", 18) == 0) {
            if (nist_numbers(s, 2, v, 1) == 1)
                r->resid_sd = v[0];
        } else if (strncmp(s, "R-Squared", 9) == 0) {
            nist_numbers(s, 1, v, 1);
            r->r2 = v[0];
        } else if (strncmp(s, "Regression", 10) == 0) {
            if (nist_numbers(s, 1, v, 4) == 4) {
                r->ss_reg = v[1];
                r->ms_reg = v[2];
                r->f = v[3];
                r->f_infinite = isinf(v[3]);
            }
        } else if (strncmp(s, "Residual", 8) == 0) {
            if (nist_numbers(s, 1, v, 3) == 3) {
                r->ss_res = v[1];
                r->ms_res = v[2];
            }
        }
    }
    size_t cap = 64;
    r->data = malloc(cap * 16 * sizeof(double));
    for (size_t i = d + 1; i < nl; i++) {
        int c = nist_numbers(L[i], 0, v, 16);
        if (c == 0)
            continue;
        if (r->ncol == 0)
            r->ncol = (size_t)c;
        if ((size_t)c != r->ncol)
            break;
        if (r->n == cap) {
            cap *= 2;
            r->data = realloc(r->data, cap * 16 * sizeof(double));
        }
        memcpy(r->data + r->n * r->ncol, v, (size_t)c * sizeof(double));
        r->n++;
    }
    nist_free_lines(L, nl);
    return r->n > 0 && r->ncoef > 0 ? 0 : -1;
}

/* ANOVA files (transposed copies): after "Data:" a header line numbering
 * the groups 1..k, then rows with one value per group. */
static inline int nist_read_anova(const char *path, nist_anova *a)
{
    memset(a, 0, sizeof *a);
    size_t nl;
    char **L = nist_lines(path, &nl);
    if (!L)
        return -1;
    size_t d = nist_data_line(L, nl);
    double v[64];
    for (size_t i = 0; i < d; i++) {
        const char *s = L[i];
        while (isspace((unsigned char)*s))
            s++;
        if (strncmp(s, "Between", 7) == 0) {
            if (nist_numbers(s, 2, v, 4) == 4) {
                a->df_b = v[0];
                a->ss_b = v[1];
                a->ms_b = v[2];
                a->f = v[3];
            }
        } else if (strncmp(s, "Within", 6) == 0) {
            if (nist_numbers(s, 2, v, 3) == 3) {
                a->df_w = v[0];
                a->ss_w = v[1];
                a->ms_w = v[2];
            }
        } else if (strncmp(s, "Certified R-Squared", 19) == 0) {
            nist_numbers(s, 2, v, 1);
            a->r2 = v[0];
        } else if (strncmp(s, "Standard Deviation", 18) == 0) {
            if (nist_numbers(s, 2, v, 1) == 1)
                a->resid_sd = v[0];
        }
    }
    size_t cap = 1024;
    a->y = malloc(cap * sizeof(double));
    a->g = malloc(cap * sizeof(int));
    int header = 1;
    for (size_t i = d + 1; i < nl; i++) {
        int c = nist_numbers(L[i], 0, v, 64);
        if (c == 0)
            continue;
        if (header) {   /* the group numbers */
            a->k = (size_t)c;
            header = 0;
            continue;
        }
        for (int j = 0; j < c; j++) {
            if (a->n == cap) {
                cap *= 2;
                a->y = realloc(a->y, cap * sizeof(double));
                a->g = realloc(a->g, cap * sizeof(int));
            }
            a->y[a->n] = v[j];
            a->g[a->n] = j;
            a->n++;
        }
    }
    nist_free_lines(L, nl);
    return a->n > 0 && a->k > 0 ? 0 : -1;
}

#endif
