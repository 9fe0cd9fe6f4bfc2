/*
 * multiplicity.c - p-value adjustment for multiple testing, reproducing R's
 * stats::p.adjust() (R 4.2.2) method by method, including the order of the
 * floating-point operations, so that results agree to the last bit or two.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct padj_item {
    double p;
    size_t pos; /* index among the non-missing p-values */
} padj_item;

/* Ascending by p, ties by original position: the order R's order(p) gives
 * (R's default radix order is stable). */
static int padj_cmp(const void *va, const void *vb)
{
    const padj_item *a = va, *b = vb;
    if (a->p < b->p)
        return -1;
    if (a->p > b->p)
        return 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static double dmin(double a, double b) { return a < b ? a : b; }
static double dmax(double a, double b) { return a > b ? a : b; }

const char *kap_padjust_method_name(kap_padjust_method method)
{
    switch (method) {
    case KAP_PADJUST_NONE: return "none";
    case KAP_PADJUST_BONFERRONI: return "bonferroni";
    case KAP_PADJUST_HOLM: return "holm";
    case KAP_PADJUST_HOCHBERG: return "hochberg";
    case KAP_PADJUST_HOMMEL: return "hommel";
    case KAP_PADJUST_BH: return "BH";
    case KAP_PADJUST_BY: return "BY";
    }
    return NULL;
}

int kap_padjust_method_parse(kap_padjust_method *out, const char *name,
                             kap_error *err)
{
    static const kap_padjust_method all[] = {
        KAP_PADJUST_NONE, KAP_PADJUST_BONFERRONI, KAP_PADJUST_HOLM,
        KAP_PADJUST_HOCHBERG, KAP_PADJUST_HOMMEL, KAP_PADJUST_BH,
        KAP_PADJUST_BY};
    if (!out || !name)
        return kap_err(err, KAP_EINVAL, "kap_padjust_method_parse: NULL argument");
    if (strcmp(name, "fdr") == 0) {
        *out = KAP_PADJUST_BH;
        return KAP_OK;
    }
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        if (strcmp(name, kap_padjust_method_name(all[i])) == 0) {
            *out = all[i];
            return KAP_OK;
        }
    }
    return kap_err(err, KAP_EINVAL, "unknown p-value adjustment method '%.64s'", name);
}

/* Hommel's method, transcribed from R's p.adjust (1-based indices in the
 * comments): p[0..n) sorted ascending, result (sorted order) into out.
 * q and pa are work arrays of n. */
static void hommel_sorted(double *out, const double *p, size_t n, double *q,
                          double *pa)
{
    double dn = (double)n;
    /* q <- pa <- rep(min(n * p / i), n) */
    double m = dn * p[0] / 1.0;
    for (size_t i = 1; i < n; i++)
        m = dmin(m, dn * p[i] / (double)(i + 1));
    for (size_t i = 0; i < n; i++)
        q[i] = pa[i] = m;
    for (size_t j = n - 1; j >= 2; j--) {
        double dj = (double)j;
        /* i2 <- (n - j + 2):n ; q1 <- min(j * p[i2] / (2:j)) */
        size_t i2 = n - j + 1; /* 0-based start of i2 */
        double q1 = dj * p[i2] / 2.0;
        for (size_t l = 1; l + 1 < j; l++)
            q1 = dmin(q1, dj * p[i2 + l] / (double)(l + 2));
        /* ij <- 1:(n - j + 1) ; q[ij] <- pmin(j * p[ij], q1) */
        for (size_t i = 0; i < i2; i++)
            q[i] = dmin(dj * p[i], q1);
        /* q[i2] <- q[n - j + 1] */
        for (size_t i = i2; i < n; i++)
            q[i] = q[i2 - 1];
        for (size_t i = 0; i < n; i++)
            pa[i] = dmax(pa[i], q[i]);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = dmax(pa[i], p[i]);
}

int kap_p_adjust(double *adjusted, const double *p, size_t n,
                 kap_padjust_method method, kap_error *err)
{
    if (n > 0 && (!adjusted || !p))
        return kap_err(err, KAP_EINVAL, "kap_p_adjust: NULL array");
    if (!kap_padjust_method_name(method))
        return kap_err(err, KAP_EINVAL, "kap_p_adjust: unknown method %d", (int)method);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i]))
            continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return kap_err(err, KAP_EINVAL,
                           "kap_p_adjust: p[%zu] = %g is not in [0, 1]", i, p[i]);
        m++;
    }
    if (m <= 1 || method == KAP_PADJUST_NONE) {
        if (adjusted != p)
            memmove(adjusted, p, n * sizeof *p);
        return KAP_OK;
    }
    if (m == 2 && method == KAP_PADJUST_HOMMEL)
        method = KAP_PADJUST_HOCHBERG;

    /* items: the non-missing p-values with their positions, sorted
     * ascending.  work: ps (sorted p), res (result in sorted order) and,
     * for Hommel, q and pa. */
    padj_item *items = kap_malloc_array(m, sizeof *items);
    double *work = kap_malloc_array(m, 4 * sizeof *work);
    if (!items || !work) {
        kap_free(items);
        kap_free(work);
        return kap_err(err, KAP_ENOMEM, "kap_p_adjust: out of memory");
    }
    double *ps = work, *res = work + m, *q = work + 2 * m, *pa = work + 3 * m;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(p[i])) {
            items[j].p = p[i];
            items[j].pos = i; /* original index: R's tie order */
            j++;
        }
    }
    qsort(items, m, sizeof *items, padj_cmp);
    for (size_t i = 0; i < m; i++)
        ps[i] = items[i].p;
    double dm = (double)m;

    switch (method) {
    case KAP_PADJUST_BONFERRONI:
        for (size_t i = 0; i < m; i++)
            res[i] = dmin(1.0, dm * ps[i]);
        break;
    case KAP_PADJUST_HOLM: {
        /* pmin(1, cummax((n + 1 - i) * p[o])) */
        double cm = 0.0;
        for (size_t i = 0; i < m; i++) {
            double v = (dm + 1.0 - (double)(i + 1)) * ps[i];
            cm = (i == 0) ? v : dmax(cm, v);
            res[i] = dmin(1.0, cm);
        }
        break;
    }
    case KAP_PADJUST_HOCHBERG:
    case KAP_PADJUST_BH:
    case KAP_PADJUST_BY: {
        /* Decreasing order: rank i = m..1, pmin(1, cummin(factor * p)). */
        double qby = 1.0;
        if (method == KAP_PADJUST_BY) {
            /* q <- sum(1 / (1:n)): R's sum() accumulates in long double. */
            long double hs = 0.0L;
            for (size_t i = 1; i <= m; i++)
                hs += (long double)(1.0 / (double)i);
            qby = (double)hs;
        }
        double cm = 0.0;
        for (size_t r = m; r >= 1; r--) {
            double di = (double)r, v;
            if (method == KAP_PADJUST_HOCHBERG)
                v = (dm + 1.0 - di) * ps[r - 1];
            else if (method == KAP_PADJUST_BH)
                v = dm / di * ps[r - 1];
            else
                v = qby * dm / di * ps[r - 1];
            cm = (r == m) ? v : dmin(cm, v);
            res[r - 1] = dmin(1.0, cm);
        }
        break;
    }
    case KAP_PADJUST_HOMMEL:
        hommel_sorted(res, ps, m, q, pa);
        break;
    case KAP_PADJUST_NONE:
        break;
    }
    /* Only now write the output (p may alias it): NaN entries as given. */
    if (adjusted != p)
        memmove(adjusted, p, n * sizeof *p);
    for (size_t i = 0; i < m; i++)
        adjusted[items[i].pos] = res[i];
    kap_free(work);
    kap_free(items);
    return KAP_OK;
}
