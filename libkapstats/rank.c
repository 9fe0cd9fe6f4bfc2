/*
 * rank.c - rank-based tests and effect sizes: Wilcoxon-Mann-Whitney,
 * Wilcoxon signed rank, Kruskal-Wallis, rank-biserial r, Cliff's delta,
 * probability of superiority.  Methods follow R 4.2's stats package and
 * effectsize 0.8.3; see include/kapstats/rank.h.
 */
#include "internal.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- small helpers ----------------------------------------------------- */

static const kap_rank_options rank_defaults = KAP_RANK_OPTIONS_INIT;

static int valid_alternative(kap_alternative a)
{
    return a == KAP_TWO_SIDED || a == KAP_LESS || a == KAP_GREATER;
}

static int valid_level(double c) { return isfinite(c) && c > 0.0 && c < 1.0; }

static int check_options(const kap_rank_options **opt, kap_error *err)
{
    if (*opt == NULL) {
        *opt = &rank_defaults;
        return KAP_OK;
    }
    const kap_rank_options *o = *opt;
    if (o->version != KAP_RANK_OPTIONS_VERSION)
        return kap_err(err, KAP_EINVAL, "kap_rank_options: version %u, expected %u",
                       o->version, (unsigned)KAP_RANK_OPTIONS_VERSION);
    if (!valid_alternative(o->alternative))
        return kap_err(err, KAP_EINVAL, "kap_rank_options: bad alternative %d",
                       (int)o->alternative);
    if (o->method != KAP_RANK_AUTO && o->method != KAP_RANK_EXACT &&
        o->method != KAP_RANK_ASYMPTOTIC)
        return kap_err(err, KAP_EINVAL, "kap_rank_options: bad method %d", (int)o->method);
    if (!isfinite(o->mu))
        return kap_err(err, KAP_EINVAL, "kap_rank_options: mu must be finite");
    if (o->conf_int && !valid_level(o->conf_level))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    return KAP_OK;
}

/* Upper-tail standard normal quantile, R's qnorm(p, lower.tail = FALSE),
 * with the limits R gives outside (0, 1). */
static double qnorm_upper(double p)
{
    if (p <= 0.0)
        return INFINITY;
    if (p >= 1.0)
        return -INFINITY;
    return gsl_cdf_ugaussian_Qinv(p);
}

static double qnorm_lower(double p) { return -qnorm_upper(p); }

/* p-value of a standard normal statistic, as R's wilcox.test. */
static double normal_pvalue(double z, kap_alternative alt)
{
    if (isnan(z))
        return NAN;
    double lo = gsl_cdf_ugaussian_P(z), up = gsl_cdf_ugaussian_Q(z);
    switch (alt) {
    case KAP_LESS: return lo;
    case KAP_GREATER: return up;
    default: return 2.0 * (lo < up ? lo : up);
    }
}

static double sign_of(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

/* R's continuity correction term for the normal approximation. */
static double cc_term(int correct, kap_alternative alt, double z)
{
    if (!correct)
        return 0.0;
    switch (alt) {
    case KAP_LESS: return -0.5;
    case KAP_GREATER: return 0.5;
    default: return 0.5 * sign_of(z);
    }
}

/* R's signif(x, 2). */
static double signif2(double x)
{
    if (x == 0.0 || !isfinite(x))
        return x;
    double e = floor(log10(fabs(x)));
    double s = pow(10.0, 1.0 - e);
    return round(x * s) / s;
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* Copy the non-NaN values of x[0..n) (minus shift) into dst; count out. */
static size_t copy_finite(double *dst, const double *x, size_t n, double shift)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            dst[m++] = x[i] - shift;
    return m;
}

typedef struct {
    double v;
    size_t i;
} vi_pair;

static int cmp_vi(const void *a, const void *b)
{
    const vi_pair *p = a, *q = b;
    if (p->v < q->v) return -1;
    if (p->v > q->v) return 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Sort key of a double (no NaN): unsigned order = numeric order, with
 * -0 and +0 equal. */
static inline uint64_t dkey(double v)
{
    uint64_t u;
    v += 0.0;   /* -0 -> +0 */
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

/* Stable LSD radix sort (16-bit digits) of work[0..n) by value: the same
 * order as qsort with cmp_vi (value, then original index, since the input
 * is in index order and the sort is stable), in O(n).  Digits that all
 * keys share are skipped.  Returns 0 (nothing done) when its buffers
 * cannot be allocated; the caller then falls back to qsort. */
static int radix_sort_vi(vi_pair *work, size_t n)
{
    if (n < 256)
        return 0;
    uint64_t *key = kap_malloc_array(n, 2 * sizeof *key);
    vi_pair *tmp = kap_malloc_array(n, sizeof *tmp);
    size_t *cnt = kap_malloc_array(65536, sizeof *cnt);
    if (!key || !tmp || !cnt) {
        kap_free(key);
        kap_free(tmp);
        kap_free(cnt);
        return 0;
    }
    uint64_t *key2 = key + n;
    for (size_t i = 0; i < n; i++)
        key[i] = dkey(work[i].v);
    vi_pair *src = work, *dst = tmp;
    uint64_t *ks = key, *kd = key2;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(ks[i] >> shift) & 0xffff]++;
        if (cnt[(ks[0] >> shift) & 0xffff] == n)
            continue;   /* every key has this digit */
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t d = cnt[(ks[i] >> shift) & 0xffff]++;
            dst[d] = src[i];
            kd[d] = ks[i];
        }
        vi_pair *t = src;
        src = dst;
        dst = t;
        uint64_t *tk = ks;
        ks = kd;
        kd = tk;
    }
    if (src != work)
        memcpy(work, src, n * sizeof *work);
    kap_free(key);
    kap_free(tmp);
    kap_free(cnt);
    return 1;
}

/* Midranks of v[0..n) (no NaN) into rank[]; *tie_term = sum(t^3 - t) over
 * tie groups; *any_tie set when a tie exists.  `work` has n pairs. */
/* Midranks by counting when every value is an integer within a span of
 * at most 2^20 (scores): a value's midrank depends only on how many values
 * are below it and how many equal it, so no sort is needed.  Same ranks
 * and the same tie term (groups taken in increasing value order) as the
 * sort below.  Returns 0 (nothing done) when the data do not qualify or
 * the counts cannot be allocated. */
static int midranks_counting(const double *v, size_t n, double *rank,
                             double *tie_term, int *any_tie)
{
    if (n < 64)
        return 0;
    double lo = v[0], hi = v[0];
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (x != floor(x))
            return 0;
        if (x < lo)
            lo = x;
        if (x > hi)
            hi = x;
    }
    if (!(hi - lo < 1048576.0))
        return 0;
    size_t span = (size_t)(hi - lo) + 1;
    size_t *cnt = kap_calloc(span, sizeof *cnt);
    double *mr = kap_malloc_array(span, sizeof *mr);
    if (!cnt || !mr) {
        kap_free(cnt);
        kap_free(mr);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        cnt[(size_t)(v[i] - lo)]++;
    double tt = 0.0;
    int tie = 0;
    size_t below = 0;
    for (size_t d = 0; d < span; d++) {
        size_t c = cnt[d];
        if (!c)
            continue;
        size_t i = below, j = below + c;
        mr[d] = 0.5 * ((double)(i + 1) + (double)j);
        double t = (double)c;
        if (c > 1) {
            tie = 1;
            tt += t * t * t - t;
        }
        below = j;
    }
    for (size_t i = 0; i < n; i++)
        rank[i] = mr[(size_t)(v[i] - lo)];
    kap_free(cnt);
    kap_free(mr);
    if (tie_term)
        *tie_term = tt;
    if (any_tie)
        *any_tie = tie;
    return 1;
}

static void midranks(const double *v, size_t n, double *rank, vi_pair *work,
                     double *tie_term, int *any_tie)
{
    if (midranks_counting(v, n, rank, tie_term, any_tie))
        return;
    for (size_t i = 0; i < n; i++) {
        work[i].v = v[i];
        work[i].i = i;
    }
    if (!radix_sort_vi(work, n))
        qsort(work, n, sizeof *work, cmp_vi);
    double tt = 0.0;
    int tie = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && work[j].v == work[i].v)
            j++;
        /* ranks i+1 .. j, average (i + 1 + j) / 2 */
        double r = 0.5 * ((double)(i + 1) + (double)j);
        for (size_t k = i; k < j; k++)
            rank[work[k].i] = r;
        double t = (double)(j - i);
        if (j - i > 1) {
            tie = 1;
            tt += t * t * t - t;
        }
        i = j;
    }
    if (tie_term)
        *tie_term = tt;
    if (any_tie)
        *any_tie = tie;
}

/* ---- exact null distributions ------------------------------------------
 * Both null distributions are symmetric on 0..top, so only P(T = t) for
 * t = 0..half (half = floor(top / 2)) is stored. */
typedef struct {
    double *base;  /* allocation to free */
    double *p;     /* p[t] = P(T = t), t = 0..half */
    size_t half;
    size_t top;
} sym_dist;

static double sym_prob(const sym_dist *d, size_t t)
{
    if (t > d->top)
        return 0.0;
    return t <= d->half ? d->p[t] : d->p[d->top - t];
}

/* P(T <= q), summed from the nearer tail as R's pwilcox/psignrank. */
static double sym_cdf(const sym_dist *d, double q)
{
    if (q < 0)
        return 0.0;
    if (q >= (double)d->top)
        return 1.0;
    size_t qi = (size_t)floor(q + 1e-7);
    double s = 0.0;
    if (qi <= d->half) {
        for (size_t t = 0; t <= qi; t++)
            s += d->p[t];
        return s;
    }
    size_t lim = d->top - qi;   /* 1 - P(T <= top - qi - 1) */
    for (size_t t = 0; t < lim; t++)
        s += d->p[t];
    return 1.0 - s;
}

/* P(T >= q) = P(T <= top - q) by symmetry. */
static double sym_sf_ge(const sym_dist *d, double q)
{
    return sym_cdf(d, (double)d->top - q);
}

/* R's qwilcox / qsignrank (lower tail), including their 10 DBL_EPSILON
 * fuzz. */
static size_t sym_quantile(const sym_dist *d, double x)
{
    double p = 0.0;
    size_t q = 0;
    if (x <= 0.0)
        return 0;
    if (x >= 1.0)
        return d->top;
    if (x <= 0.5) {
        x = x - 10 * DBL_EPSILON;
        for (;;) {
            p += sym_prob(d, q);
            if (p >= x || q >= d->top)
                break;
            q++;
        }
    } else {
        x = 1 - x + 10 * DBL_EPSILON;
        for (;;) {
            p += sym_prob(d, q);
            if (p > x || q >= d->top) {
                q = d->top - q;
                break;
            }
            q++;
        }
    }
    return q;
}

static void sym_free(sym_dist *d)
{
    kap_free(d->base);
    d->base = d->p = NULL;
}

/* Null distribution of the Mann-Whitney U for sizes (m, n).  A uniformly
 * random j-subset of the ranks {1..k} has offset rank sum u = sum - j(j+1)/2;
 * with p_k[j][u] its probability,
 *   p_k[j][u] = (k-j)/k p_{k-1}[j][u] + j/k p_{k-1}[j-1][u - (k-j)],
 * a convex combination (no cancellation, no overflow for any size).
 * Stored for j <= min(m, n) and u <= floor(mn/2). */
static int wilcox_dist(sym_dist *d, size_t m, size_t n, kap_error *err)
{
    if (m > n) {
        size_t t = m;
        m = n;
        n = t;
    }
    if (n != 0 && m > SIZE_MAX / n)
        return kap_err(err, KAP_EINVAL, "exact distribution too large");
    size_t mn = m * n, half = mn / 2, width = half + 1, rows = m + 1;
    if (rows > KAP_RANK_EXACT_MAX_STATES / width ||
        (double)(m + n) * (double)rows * (double)width > KAP_RANK_EXACT_MAX_WORK)
        return kap_err(err, KAP_EINVAL,
                       "exact rank-sum distribution for n1 = %zu, n2 = %zu exceeds "
                       "KAP_RANK_EXACT_MAX_STATES/_WORK; use the normal approximation", m, n);
    double *tab = kap_calloc(rows * width, sizeof *tab);
    if (!tab)
        return kap_err(err, KAP_ENOMEM, "out of memory (exact distribution)");
    tab[0] = 1.0;
    size_t N = m + n;
    for (size_t k = 1; k <= N; k++) {
        size_t jmax = k < m ? k : m;
        size_t jmin = (m + k > N) ? m + k - N : 1;
        double dk = (double)k;
        for (size_t j = jmax; j >= jmin && j >= 1; j--) {
            double *row = tab + j * width;
            const double *prev = tab + (j - 1) * width;
            size_t shift = k - j;
            double a = (double)(k - j) / dk, b = (double)j / dk;
            size_t umax = j * (k - j);
            if (umax > half)
                umax = half;
            for (size_t u = 0; u <= umax; u++) {
                double v = a * row[u];
                if (u >= shift)
                    v += b * prev[u - shift];
                row[u] = v;
            }
        }
    }
    d->base = tab;
    d->p = tab + m * width;
    d->half = half;
    d->top = mn;
    return KAP_OK;
}

/* Null distribution of the signed-rank V for n: subset sums of {1..n}
 * with each rank in or out with probability 1/2. */
static int signrank_dist(sym_dist *d, size_t n, kap_error *err)
{
    if (n > 200000)
        return kap_err(err, KAP_EINVAL, "exact signed-rank distribution too large");
    size_t top = n * (n + 1) / 2, half = top / 2;
    if (half + 1 > KAP_RANK_EXACT_MAX_STATES ||
        (double)n * (double)(half + 1) > KAP_RANK_EXACT_MAX_WORK)
        return kap_err(err, KAP_EINVAL,
                       "exact signed-rank distribution for n = %zu exceeds "
                       "KAP_RANK_EXACT_MAX_STATES/_WORK; use the normal approximation", n);
    double *p = kap_calloc(half + 1, sizeof *p);
    if (!p)
        return kap_err(err, KAP_ENOMEM, "out of memory (exact distribution)");
    p[0] = 1.0;
    size_t reach = 0;  /* largest sum reachable so far */
    for (size_t k = 1; k <= n; k++) {
        reach += k;
        size_t smax = reach < half ? reach : half;
        for (size_t s = smax + 1; s-- > 0;) {
            double v = p[s];
            if (s >= k)
                v += p[s - k];
            p[s] = 0.5 * v;
        }
    }
    d->base = d->p = p;
    d->half = half;
    d->top = top;
    return KAP_OK;
}

/* ---- order statistics of pairwise differences / Walsh averages ----------
 * k-th smallest (1-based) of the implicit sorted matrix
 *   two-sample: a[i] - b[j], a ascending, b DESCENDING (rows increase in j)
 *   Walsh:      (a[i] + a[j]) / 2 for j >= i, a ascending
 * without forming it: candidate column ranges per row are narrowed around
 * the weighted median of the row medians (Johnson & Mitchell 1978 style),
 * O(n log n) per round, O(log(n1 n2)) rounds, O(n1 + n2) memory. */
typedef struct {
    const double *a;
    size_t na;
    const double *b;
    size_t ncol;
    int walsh;
    /* workspace, all of na elements */
    size_t *lo, *hi, *lt, *le;
    vi_pair *med;
    double *gather;
    size_t gather_cap;
} pairsel;

static double ps_val(const pairsel *s, size_t i, size_t j)
{
    return s->walsh ? (s->a[i] + s->a[j]) * 0.5 : s->a[i] - s->b[j];
}

static size_t ps_start(const pairsel *s, size_t i) { return s->walsh ? i : 0; }

static void ps_free(pairsel *s)
{
    kap_free(s->lo);
    kap_free(s->hi);
    kap_free(s->lt);
    kap_free(s->le);
    kap_free(s->med);
    kap_free(s->gather);
    s->lo = s->hi = s->lt = s->le = NULL;
    s->med = NULL;
    s->gather = NULL;
}

static int ps_init(pairsel *s, const double *a, size_t na, const double *b,
                   size_t nb, int walsh)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    s->na = na;
    s->b = b;
    s->ncol = walsh ? na : nb;
    s->walsh = walsh;
    s->gather_cap = 2 * (na + s->ncol) + 256;
    s->lo = kap_malloc_array(na, sizeof(size_t));
    s->hi = kap_malloc_array(na, sizeof(size_t));
    s->lt = kap_malloc_array(na, sizeof(size_t));
    s->le = kap_malloc_array(na, sizeof(size_t));
    s->med = kap_malloc_array(na, sizeof(vi_pair));
    s->gather = kap_malloc_array(s->gather_cap, sizeof(double));
    if (!s->lo || !s->hi || !s->lt || !s->le || !s->med || !s->gather) {
        ps_free(s);
        return KAP_ENOMEM;
    }
    return KAP_OK;
}

/* For every row the end of the columns with value < p (strict) and <= p. */
static void ps_count(pairsel *s, double p, double *n_lt, double *n_le)
{
    size_t j = s->ncol, jj = s->ncol;
    double a = 0, b = 0;
    for (size_t i = 0; i < s->na; i++) {
        size_t st = ps_start(s, i);
        if (j < st)
            j = st;
        while (j > st && ps_val(s, i, j - 1) >= p)
            j--;
        if (jj < st)
            jj = st;
        while (jj > st && ps_val(s, i, jj - 1) > p)
            jj--;
        s->lt[i] = j;
        s->le[i] = jj;
        a += (double)(j - st);
        b += (double)(jj - st);
    }
    *n_lt = a;
    *n_le = b;
}

static int ps_select(pairsel *s, double k, double *value, kap_error *err)
{
    for (size_t i = 0; i < s->na; i++) {
        s->lo[i] = ps_start(s, i);
        s->hi[i] = s->ncol;
    }
    for (int iter = 0; iter < 10000; iter++) {
        double cand = 0, below = 0;
        for (size_t i = 0; i < s->na; i++) {
            if (s->hi[i] > s->lo[i])
                cand += (double)(s->hi[i] - s->lo[i]);
            below += (double)(s->lo[i] - ps_start(s, i));
        }
        if (cand <= (double)s->gather_cap) {
            size_t g = 0;
            for (size_t i = 0; i < s->na; i++)
                for (size_t j = s->lo[i]; j < s->hi[i]; j++)
                    s->gather[g++] = ps_val(s, i, j);
            double r = k - below;
            if (g == 0 || r < 1 || r > (double)g)
                return kap_err(err, KAP_ENUMERIC, "pairwise selection lost its target");
            qsort(s->gather, g, sizeof *s->gather, cmp_double);
            *value = s->gather[(size_t)r - 1];
            return KAP_OK;
        }
        /* weighted median of the row medians */
        size_t nm = 0;
        for (size_t i = 0; i < s->na; i++) {
            if (s->hi[i] > s->lo[i]) {
                s->med[nm].v = ps_val(s, i, s->lo[i] + (s->hi[i] - s->lo[i]) / 2);
                s->med[nm].i = s->hi[i] - s->lo[i];
                nm++;
            }
        }
        qsort(s->med, nm, sizeof *s->med, cmp_vi);
        double acc = 0, pivot = s->med[nm - 1].v;
        for (size_t t = 0; t < nm; t++) {
            acc += (double)s->med[t].i;
            if (acc >= 0.5 * cand) {
                pivot = s->med[t].v;
                break;
            }
        }
        double n_lt, n_le;
        ps_count(s, pivot, &n_lt, &n_le);
        if (k <= n_lt) {
            for (size_t i = 0; i < s->na; i++)
                if (s->lt[i] < s->hi[i])
                    s->hi[i] = s->lt[i];
        } else if (k <= n_le) {
            *value = pivot;
            return KAP_OK;
        } else {
            for (size_t i = 0; i < s->na; i++)
                if (s->le[i] > s->lo[i])
                    s->lo[i] = s->le[i];
        }
    }
    return kap_err(err, KAP_ENOCONV, "pairwise selection did not converge");
}

/* Median of the implicit matrix (count `total`), as R's median(). */
/* Exact Hodges-Lehmann confidence limits (R's wilcox.test, exact
 * branch): the order statistics of the pairwise differences (or Walsh
 * averages) at the quantiles of the symmetric null distribution of W (or
 * V), `total` its maximum; *achieved is the attained alpha, which the
 * caller compares with the nominal one as R does. */
static int exact_hl_ci(pairsel *ps, const sym_dist *dist, double total,
                       double alpha, kap_alternative alternative, double *lo,
                       double *hi, double *achieved, kap_error *err)
{
    double qu = (double)sym_quantile(dist, alternative == KAP_TWO_SIDED ? alpha / 2 : alpha);
    if (qu == 0)
        qu = 1;
    double ql = total - qu;
    int rc;
    switch (alternative) {
    case KAP_TWO_SIDED:
        *achieved = 2 * sym_cdf(dist, qu - 1);
        if ((rc = ps_select(ps, qu, lo, err)) || (rc = ps_select(ps, ql + 1, hi, err)))
            return rc;
        break;
    case KAP_GREATER:
        *achieved = sym_cdf(dist, qu - 1);
        if ((rc = ps_select(ps, qu, lo, err)))
            return rc;
        *hi = INFINITY;
        break;
    default:
        *achieved = sym_cdf(dist, qu - 1);
        *lo = -INFINITY;
        if ((rc = ps_select(ps, ql + 1, hi, err)))
            return rc;
        break;
    }
    return KAP_OK;
}

static int ps_median(pairsel *s, double total, double *med, kap_error *err)
{
    double half = floor((total + 1) / 2);
    double a, b;
    int rc = ps_select(s, half, &a, err);
    if (rc)
        return rc;
    if (fmod(total, 2.0) == 1.0) {
        *med = a;
        return KAP_OK;
    }
    rc = ps_select(s, half + 1, &b, err);
    if (rc)
        return rc;
    *med = (a + b) / 2;
    return KAP_OK;
}

/* ---- Mann-Whitney ------------------------------------------------------ */

/* Workspace for R's W(d) of the two-sample asymptotic CI. */
typedef struct {
    const double *x, *y;
    size_t n1, n2;
    double *pool, *rank;
    vi_pair *work;
    int correct;
    kap_alternative alt;
} mw_fun;

/* R's W(d): standardised rank-sum statistic of (x - d, y). */
static double mw_W(const mw_fun *f, double d, int correct)
{
    size_t N = f->n1 + f->n2;
    for (size_t i = 0; i < f->n1; i++)
        f->pool[i] = f->x[i] - d;
    memcpy(f->pool + f->n1, f->y, f->n2 * sizeof(double));
    double tt;
    midranks(f->pool, N, f->rank, f->work, &tt, NULL);
    double rs = 0;
    for (size_t i = 0; i < f->n1; i++)
        rs += f->rank[i];
    double n1 = (double)f->n1, n2 = (double)f->n2, Nd = (double)N;
    double dz = rs - n1 * (n1 + 1) / 2 - n1 * n2 / 2;
    double corr = cc_term(correct, f->alt, dz);
    double sigma = sqrt((n1 * n2 / 12) * ((Nd + 1) - tt / (Nd * (Nd - 1))));
    return (dz - corr) / sigma;
}

/* Smallest integer count u in [0, top] with g(u) = (u - center - cc(u))/s
 * > zq (g is nondecreasing); top + 1 when none. */
static double first_count_above(double top, double center, double s,
                                int correct, kap_alternative alt, double zq)
{
    double lo = 0, hi = top + 1;  /* answer in [lo, hi] */
    while (lo < hi) {
        double mid = floor((lo + hi) / 2);
        double dz = mid - center;
        double g = (dz - cc_term(correct, alt, dz)) / s;
        if (g > zq)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Root of W(d) = zq as R's root() in the two-sample branch: an end point
 * when W does not cross there, else the jump point of the step function,
 * which is the u*-th largest difference (u* = smallest count of
 * differences above d giving W > zq). */
static int mw_root(const mw_fun *f, pairsel *ps, double mumin, double mumax,
                   double Wmin, double Wmax, double s0, double zq,
                   double *root, kap_error *err)
{
    if (Wmin - zq <= 0) {
        *root = mumin;
        return KAP_OK;
    }
    if (Wmax - zq >= 0) {
        *root = mumax;
        return KAP_OK;
    }
    double mn = (double)f->n1 * (double)f->n2;
    double u = first_count_above(mn, mn / 2, s0, f->correct, f->alt, zq);
    if (u < 1)
        u = 1;
    if (u > mn)
        u = mn;
    /* u-th largest = (mn - u + 1)-th smallest */
    return ps_select(ps, mn - u + 1, root, err);
}

static int mw_conf_int(kap_result *out, const double *x, size_t n1,
                       const double *y, size_t n2, const kap_rank_options *o,
                       const sym_dist *dist, double tie_x_y, kap_error *err)
{
    int rc;
    double *xs = kap_malloc_array(n1, sizeof *xs);
    double *ys = kap_malloc_array(n2, sizeof *ys);
    pairsel ps;
    int ps_ok = 0;
    mw_fun f = {0};
    if (!xs || !ys) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(xs, x, n1 * sizeof *xs);
    memcpy(ys, y, n2 * sizeof *ys);
    qsort(xs, n1, sizeof *xs, cmp_double);
    qsort(ys, n2, sizeof *ys, cmp_double);
    /* y descending so that x_i - y_j increases along a row */
    for (size_t i = 0; i < n2 / 2; i++) {
        double t = ys[i];
        ys[i] = ys[n2 - 1 - i];
        ys[n2 - 1 - i] = t;
    }
    if (ps_init(&ps, xs, n1, ys, n2, 0) != KAP_OK) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    ps_ok = 1;
    double mn = (double)n1 * (double)n2;
    double alpha = 1 - o->conf_level;
    double conf = o->conf_level;
    double lo = NAN, hi = NAN;
    rc = ps_median(&ps, mn, &out->estimate, err);
    if (rc)
        goto done;
    if (dist) {
        double achieved;
        if ((rc = exact_hl_ci(&ps, dist, mn, alpha, o->alternative, &lo, &hi, &achieved, err)))
            goto done;
        if (achieved - alpha > alpha / 2)
            conf = 1 - achieved;
    } else {
        size_t N = n1 + n2;
        f.x = x;
        f.y = y;
        f.n1 = n1;
        f.n2 = n2;
        f.correct = o->correct;
        f.alt = o->alternative;
        f.pool = kap_malloc_array(N, sizeof(double));
        f.rank = kap_malloc_array(N, sizeof(double));
        f.work = kap_malloc_array(N, sizeof(vi_pair));
        if (!f.pool || !f.rank || !f.work) {
            rc = kap_err(err, KAP_ENOMEM, "out of memory");
            goto done;
        }
        double mumin = xs[0] - ys[0];             /* min(x) - max(y) */
        double mumax = xs[n1 - 1] - ys[n2 - 1];   /* max(x) - min(y) */
        double Wmin = mw_W(&f, mumin, o->correct), Wmax = mw_W(&f, mumax, o->correct);
        double Nd = (double)N;
        /* off the jump points only ties within x and within y remain */
        double s0 = sqrt((mn / 12) * ((Nd + 1) - tie_x_y / (Nd * (Nd - 1))));
        switch (o->alternative) {
        case KAP_TWO_SIDED:
            if ((rc = mw_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_upper(alpha / 2), &lo, err)) ||
                (rc = mw_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_lower(alpha / 2), &hi, err)))
                goto done;
            break;
        case KAP_GREATER:
            if ((rc = mw_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_upper(alpha), &lo, err)))
                goto done;
            hi = INFINITY;
            break;
        default:
            if ((rc = mw_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_lower(alpha), &hi, err)))
                goto done;
            lo = -INFINITY;
            break;
        }
    }
    out->ci_low = lo;
    out->ci_high = hi;
    out->conf_level = conf;
    rc = KAP_OK;
done:
    if (ps_ok)
        ps_free(&ps);
    kap_free(f.pool);
    kap_free(f.rank);
    kap_free(f.work);
    kap_free(xs);
    kap_free(ys);
    return rc;
}

int kap_rank_mann_whitney(kap_result *out, const double *x, size_t nx,
                          const double *y, size_t ny,
                          const kap_rank_options *opt, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, "Wilcoxon rank sum test");
    if ((!x && nx) || (!y && ny))
        return kap_err(err, KAP_EINVAL, "x or y is NULL");
    int rc = check_options(&opt, err);
    if (rc)
        return rc;
    size_t N0 = nx + ny;
    double *pool = kap_malloc_array(N0 ? N0 : 1, sizeof *pool);
    double *rank = kap_malloc_array(N0 ? N0 : 1, sizeof *rank);
    vi_pair *work = kap_malloc_array(N0 ? N0 : 1, sizeof *work);
    double *orig = kap_malloc_array(N0 ? N0 : 1, sizeof *orig);
    sym_dist dist = {0};
    if (!pool || !rank || !work || !orig) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t n1 = copy_finite(pool, x, nx, opt->mu);
    size_t n2 = copy_finite(pool + n1, y, ny, 0.0);
    out->n1 = n1;
    out->n2 = n2;
    if (n1 == 0 || n2 == 0) {
        rc = kap_err(err, KAP_EDATA, "Mann-Whitney: %s sample is empty (after dropping NaN)",
                     n1 == 0 ? "x" : "y");
        goto done;
    }
    size_t N = n1 + n2;
    copy_finite(orig, x, nx, 0.0);
    copy_finite(orig + n1, y, ny, 0.0);
    double tt;
    int ties;
    midranks(pool, N, rank, work, &tt, &ties);
    double d1 = (double)n1, d2 = (double)n2, Nd = (double)N, mn = d1 * d2;
    double rs = 0;
    for (size_t i = 0; i < n1; i++)
        rs += rank[i];
    double W = rs - d1 * (d1 + 1) / 2;
    out->statistic = W;
    int want_exact = opt->method == KAP_RANK_EXACT ||
                     (opt->method == KAP_RANK_AUTO && n1 < 50 && n2 < 50);
    int exact = want_exact && !ties;
    if (exact) {
        if ((rc = wilcox_dist(&dist, n1, n2, err)))
            goto done;
        out->method = "Wilcoxon rank sum exact test";
        double p;
        switch (opt->alternative) {
        case KAP_LESS: p = sym_cdf(&dist, W); break;
        case KAP_GREATER: p = sym_sf_ge(&dist, W); break;
        default:
            p = W > mn / 2 ? sym_sf_ge(&dist, W) : sym_cdf(&dist, W);
            p = 2 * p < 1 ? 2 * p : 1;
        }
        out->p_value = p;
    } else {
        double z = W - mn / 2;
        double sigma = sqrt((mn / 12) * ((Nd + 1) - tt / (Nd * (Nd - 1))));
        double corr = cc_term(opt->correct, opt->alternative, z);
        out->method = opt->correct ? "Wilcoxon rank sum test with continuity correction"
                                   : "Wilcoxon rank sum test";
        z = (z - corr) / sigma;
        out->p_value = normal_pvalue(z, opt->alternative);
        if (sigma == 0)
            out->note = "all values tied: the variance of W is zero";
        else if (want_exact)
            out->note = "ties: exact p-value not available, normal approximation used";
    }
    if (opt->conf_int) {
        /* ties within x and within y (for the CI's step function) */
        double txy = 0, tdummy;
        midranks(orig, n1, rank, work, &tdummy, NULL);
        txy += tdummy;
        midranks(orig + n1, n2, rank, work, &tdummy, NULL);
        txy += tdummy;
        rc = mw_conf_int(out, orig, n1, orig + n1, n2, opt, exact ? &dist : NULL, txy, err);
        if (rc)
            goto done;
    }
    rc = KAP_OK;
done:
    sym_free(&dist);
    kap_free(pool);
    kap_free(rank);
    kap_free(work);
    kap_free(orig);
    return rc;
}

/* ---- signed rank ------------------------------------------------------- */

typedef struct {
    const double *x;  /* the non-zero values (x - mu != 0), back-shifted */
    size_t n;
    double *xd, *rank;
    vi_pair *work;
    int correct;
    kap_alternative alt;
} sr_fun;

/* R's W(d) of the one-sample branch. */
static double sr_W(const sr_fun *f, double d, int correct)
{
    size_t m = 0;
    for (size_t i = 0; i < f->n; i++) {
        double v = f->x[i] - d;
        if (v != 0)
            f->xd[m++] = v;
    }
    /* abs values into rank input: reuse xd sign by storing signs apart */
    double tt = 0;
    double vpos = 0;
    if (m > 0) {
        double *absv = f->rank + f->n;   /* second half of rank buffer */
        for (size_t i = 0; i < m; i++)
            absv[i] = fabs(f->xd[i]);
        midranks(absv, m, f->rank, f->work, &tt, NULL);
        for (size_t i = 0; i < m; i++)
            if (f->xd[i] > 0)
                vpos += f->rank[i];
    }
    double nx = (double)m;
    double zd = vpos - nx * (nx + 1) / 4;
    double sigma = sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - tt / 48);
    double corr = cc_term(correct, f->alt, zd);
    return (zd - corr) / sigma;
}

static double median_sorted(const double *v, size_t n)
{
    if (n % 2 == 1)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Root as R's root() of the one-sample branch (uniroot on [mumin, mumax]
 * with the end values known): the jump point of the step function. */
static int sr_root(const sr_fun *f, pairsel *ps, double mumin, double mumax,
                   double Wmin, double Wmax, double s0, double zq, double *root,
                   kap_error *err)
{
    if (Wmin - zq == 0) {
        *root = mumin;
        return KAP_OK;
    }
    if (Wmax - zq == 0) {
        *root = mumax;
        return KAP_OK;
    }
    double n = (double)f->n, M = n * (n + 1) / 2;
    double v = first_count_above(M, n * (n + 1) / 4, s0, f->correct, f->alt, zq);
    if (v < 1)
        v = 1;
    if (v > M)
        v = M;
    return ps_select(ps, M - v + 1, root, err);
}

static int sr_conf_int(kap_result *out, const double *w, size_t n,
                       const kap_rank_options *o, const sym_dist *dist,
                       kap_error *err)
{
    int rc;
    double *ws = kap_malloc_array(n, sizeof *ws);
    double *xd = kap_malloc_array(n, sizeof *xd);
    double *rk = kap_malloc_array(2 * n, sizeof *rk);
    vi_pair *work = kap_malloc_array(n, sizeof *work);
    pairsel ps;
    int ps_ok = 0;
    if (!ws || !xd || !rk || !work) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(ws, w, n * sizeof *ws);
    qsort(ws, n, sizeof *ws, cmp_double);
    if (ps_init(&ps, ws, n, NULL, 0, 1) != KAP_OK) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    ps_ok = 1;
    double dn = (double)n, M = dn * (dn + 1) / 2;
    double alpha = 1 - o->conf_level, conf = o->conf_level;
    double lo = NAN, hi = NAN;
    if (dist) {
        double achieved;
        if ((rc = ps_median(&ps, M, &out->estimate, err)))
            goto done;
        if ((rc = exact_hl_ci(&ps, dist, M, alpha, o->alternative, &lo, &hi, &achieved, err)))
            goto done;
        if (achieved - alpha > alpha / 2)
            conf = 1 - signif2(achieved);
    } else {
        sr_fun f = {w, n, xd, rk, work, o->correct, o->alternative};
        double mumin = ws[0], mumax = ws[n - 1];
        double Wmin = sr_W(&f, mumin, o->correct);
        double Wmax = isfinite(Wmin) ? sr_W(&f, mumax, o->correct) : NAN;
        if (!isfinite(Wmax)) {
            /* every value equal: R returns NaN limits and the midrange */
            out->estimate = (mumin + mumax) / 2;
            lo = o->alternative == KAP_LESS ? -INFINITY : NAN;
            hi = o->alternative == KAP_GREATER ? INFINITY : NAN;
            conf = 0;
            out->note = "all non-zero differences equal: no confidence interval";
        } else {
            if ((rc = ps_median(&ps, M, &out->estimate, err)))
                goto done;
            /* off the jump points only ties within w remain */
            double tt;
            midranks(ws, n, rk, work, &tt, NULL);
            double s0 = sqrt(dn * (dn + 1) * (2 * dn + 1) / 24 - tt / 48);
            double med = median_sorted(ws, n);
            switch (o->alternative) {
            case KAP_TWO_SIDED:
                for (;;) {
                    double mind = Wmin - qnorm_upper(alpha / 2);
                    double maxd = Wmax - qnorm_lower(alpha / 2);
                    if (mind < 0 || maxd > 0)
                        alpha *= 2;
                    else
                        break;
                }
                if (alpha >= 1 || 1 - o->conf_level < alpha * 0.75)
                    conf = 1 - (alpha < 1 ? alpha : 1);
                if (alpha < 1) {
                    if ((rc = sr_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_upper(alpha / 2), &lo, err)) ||
                        (rc = sr_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_lower(alpha / 2), &hi, err)))
                        goto done;
                } else {
                    lo = hi = med;
                }
                break;
            case KAP_GREATER:
                for (;;) {
                    if (Wmin - qnorm_upper(alpha) < 0)
                        alpha *= 2;
                    else
                        break;
                }
                if (alpha >= 1 || 1 - o->conf_level < alpha * 0.75)
                    conf = 1 - (alpha < 1 ? alpha : 1);
                if (alpha < 1) {
                    if ((rc = sr_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_upper(alpha), &lo, err)))
                        goto done;
                } else {
                    lo = med;
                }
                hi = INFINITY;
                break;
            default:
                /* R checks alpha/2 here but solves for alpha (kept as R) */
                for (;;) {
                    if (Wmax - qnorm_lower(alpha / 2) > 0)
                        alpha *= 2;
                    else
                        break;
                }
                if (alpha >= 1 || 1 - o->conf_level < alpha * 0.75)
                    conf = 1 - (alpha < 1 ? alpha : 1);
                if (alpha < 1) {
                    if ((rc = sr_root(&f, &ps, mumin, mumax, Wmin, Wmax, s0, qnorm_lower(alpha), &hi, err)))
                        goto done;
                } else {
                    hi = med;
                }
                lo = -INFINITY;
                break;
            }
            if (conf != o->conf_level)
                out->note = "requested confidence level not achievable: conf_level reports the level used";
        }
    }
    out->ci_low = lo;
    out->ci_high = hi;
    out->conf_level = conf;
    rc = KAP_OK;
done:
    if (ps_ok)
        ps_free(&ps);
    kap_free(ws);
    kap_free(xd);
    kap_free(rk);
    kap_free(work);
    return rc;
}

/* d = (x - y) - mu (or x - mu) for complete pairs; returns complete count. */
static size_t paired_diffs(double *d, const double *x, const double *y,
                           size_t n, double mu)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || (y && isnan(y[i])))
            continue;
        double v = y ? x[i] - y[i] : x[i];
        d[m++] = v - mu;
    }
    return m;
}

int kap_rank_signed_rank(kap_result *out, const double *x, const double *y,
                         size_t n, const kap_rank_options *opt, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, "Wilcoxon signed rank test");
    if (!x && n)
        return kap_err(err, KAP_EINVAL, "x is NULL");
    int rc = check_options(&opt, err);
    if (rc)
        return rc;
    size_t cap = n ? n : 1;
    double *d = kap_malloc_array(cap, sizeof *d);
    double *absd = kap_malloc_array(cap, sizeof *absd);
    double *rank = kap_malloc_array(cap, sizeof *rank);
    vi_pair *work = kap_malloc_array(cap, sizeof *work);
    sym_dist dist = {0};
    if (!d || !absd || !rank || !work) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t nc = paired_diffs(d, x, y, n, opt->mu);
    out->n1 = nc;
    if (nc == 0) {
        rc = kap_err(err, KAP_EDATA, "signed rank: no complete observations");
        goto done;
    }
    /* drop zeros; keep the back-shifted values for the CI as R does */
    size_t m = 0;
    int zeros = 0;
    for (size_t i = 0; i < nc; i++) {
        if (d[i] == 0) {
            zeros = 1;
            continue;
        }
        d[m++] = d[i];
    }
    double tt = 0;
    int ties = 0;
    double V = 0;
    if (m > 0) {
        for (size_t i = 0; i < m; i++)
            absd[i] = fabs(d[i]);
        midranks(absd, m, rank, work, &tt, &ties);
        for (size_t i = 0; i < m; i++)
            if (d[i] > 0)
                V += rank[i];
    }
    out->statistic = V;
    double dn = (double)m;
    int want_exact = opt->method == KAP_RANK_EXACT ||
                     (opt->method == KAP_RANK_AUTO && m < 50);
    int exact = want_exact && !ties && !zeros;
    if (exact) {
        if ((rc = signrank_dist(&dist, m, err)))
            goto done;
        out->method = "Wilcoxon signed rank exact test";
        double p;
        switch (opt->alternative) {
        case KAP_LESS: p = sym_cdf(&dist, V); break;
        case KAP_GREATER: p = sym_sf_ge(&dist, V); break;
        default:
            p = V > dn * (dn + 1) / 4 ? sym_sf_ge(&dist, V) : sym_cdf(&dist, V);
            p = 2 * p < 1 ? 2 * p : 1;
        }
        out->p_value = p;
    } else {
        double z = V - dn * (dn + 1) / 4;
        double sigma = sqrt(dn * (dn + 1) * (2 * dn + 1) / 24 - tt / 48);
        double corr = cc_term(opt->correct, opt->alternative, z);
        out->method = opt->correct ? "Wilcoxon signed rank test with continuity correction"
                                   : "Wilcoxon signed rank test";
        z = (z - corr) / sigma;
        out->p_value = normal_pvalue(z, opt->alternative);
        if (m == 0)
            out->note = "all differences are zero: no test";
        else if (want_exact)
            out->note = ties ? "ties: exact p-value not available, normal approximation used"
                             : "zero differences: exact p-value not available, normal approximation used";
    }
    if (opt->conf_int) {
        if (m == 0) {
            /* R: n == 0 gives NaN limits and a NaN estimate */
            out->ci_low = opt->alternative == KAP_LESS ? -INFINITY : NAN;
            out->ci_high = opt->alternative == KAP_GREATER ? INFINITY : NAN;
            out->conf_level = 0;
        } else {
            for (size_t i = 0; i < m; i++)
                d[i] = d[i] + opt->mu;   /* R: x <- x + mu */
            const char *note = out->note;
            out->note = NULL;
            rc = sr_conf_int(out, d, m, opt, exact ? &dist : NULL, err);
            if (rc)
                goto done;
            if (!out->note)
                out->note = note;
        }
    }
    rc = KAP_OK;
done:
    sym_free(&dist);
    kap_free(d);
    kap_free(absd);
    kap_free(rank);
    kap_free(work);
    return rc;
}

/* ---- Kruskal-Wallis ---------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int u = *(const int *)a, v = *(const int *)b;
    return (u > v) - (u < v);
}

int kap_rank_kruskal_wallis(kap_result *out, const double *x, const int *group,
                            size_t n, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, "Kruskal-Wallis rank sum test");
    if ((!x || !group) && n)
        return kap_err(err, KAP_EINVAL, "x or group is NULL");
    size_t cap = n ? n : 1;
    int rc;
    double *v = kap_malloc_array(cap, sizeof *v);
    double *rank = kap_malloc_array(cap, sizeof *rank);
    int *g = kap_malloc_array(cap, sizeof *g);
    int *codes = kap_malloc_array(cap, sizeof *codes);
    vi_pair *work = kap_malloc_array(cap, sizeof *work);
    double *rsum = NULL, *cnt = NULL;
    if (!v || !rank || !g || !codes || !work) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t N = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        v[N] = x[i];
        g[N] = group[i];
        codes[N] = group[i];
        N++;
    }
    out->n1 = N;
    /* the distinct group codes in increasing order: by presence flags when
     * their range is small (one pass), else by sorting */
    size_t k = 0;
    int gmin = N ? g[0] : 0, gmax = gmin;
    for (size_t i = 1; i < N; i++) {
        if (g[i] < gmin)
            gmin = g[i];
        if (g[i] > gmax)
            gmax = g[i];
    }
    size_t span = N ? (size_t)((long long)gmax - gmin) + 1 : 0;
    unsigned char *seen = N && span <= 65536 ? kap_calloc(span, 1) : NULL;
    if (seen) {
        for (size_t i = 0; i < N; i++)
            seen[g[i] - gmin] = 1;
        for (size_t d = 0; d < span; d++)
            if (seen[d])
                codes[k++] = (int)(gmin + (long long)d);
        kap_free(seen);
    } else {
        qsort(codes, N, sizeof *codes, cmp_int);
        for (size_t i = 0; i < N; i++)
            if (k == 0 || codes[i] != codes[k - 1])
                codes[k++] = codes[i];
    }
    if (N < 2) {
        rc = kap_err(err, KAP_EDATA, "Kruskal-Wallis: not enough observations");
        goto done;
    }
    if (k < 2) {
        rc = kap_err(err, KAP_EDATA, "Kruskal-Wallis: all observations are in the same group");
        goto done;
    }
    rsum = kap_calloc(k, sizeof *rsum);
    cnt = kap_calloc(k, sizeof *cnt);
    if (!rsum || !cnt) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    double tt;
    midranks(v, N, rank, work, &tt, NULL);
    for (size_t i = 0; i < N; i++) {
        const int *p = bsearch(&g[i], codes, k, sizeof *codes, cmp_int);
        size_t gi = (size_t)(p - codes);
        rsum[gi] += rank[i];
        cnt[gi] += 1;
    }
    double Nd = (double)N, center = (Nd + 1) / 2, ss = 0;
    /* sum n_g (mean rank_g - (N+1)/2)^2: R's sum R_g^2/n_g - N(N+1)^2/4
     * without its cancellation */
    for (size_t j = 0; j < k; j++) {
        double dev = rsum[j] / cnt[j] - center;
        ss += cnt[j] * dev * dev;
    }
    double H = 12 * ss / (Nd * (Nd + 1));
    H /= 1 - tt / (Nd * Nd * Nd - Nd);
    out->statistic = H;
    out->df = (double)(k - 1);
    if (isnan(H)) {
        out->note = "all values tied: the statistic is undefined";
        out->p_value = NAN;
    } else {
        out->p_value = gsl_cdf_chisq_Q(H, out->df);
    }
    rc = KAP_OK;
done:
    kap_free(v);
    kap_free(rank);
    kap_free(g);
    kap_free(codes);
    kap_free(work);
    kap_free(rsum);
    kap_free(cnt);
    return rc;
}

/* ---- effect sizes ------------------------------------------------------ */

/* Fisher-z CI of effectsize 0.8.3 with its one-sided convention. */
static void rb_ci(kap_result *out, double r, double se, double ci,
                  kap_alternative alt)
{
    double level = alt == KAP_TWO_SIDED ? ci : 2 * ci - 1;
    double alpha = 1 - level;
    double z = qnorm_upper(alpha / 2);
    double rf = atanh(r);
    out->ci_low = tanh(rf - z * se);
    out->ci_high = tanh(rf + z * se);
    if (alt == KAP_LESS)
        out->ci_low = -1;
    else if (alt == KAP_GREATER)
        out->ci_high = 1;
    out->conf_level = ci;
}

static int es_check(kap_result *out, const char *method, double mu,
                    double conf_level, kap_alternative alt, kap_error *err)
{
    if (!out)
        return kap_err(err, KAP_EINVAL, "out is NULL");
    kap_result_init(out, method);
    if (!isfinite(mu))
        return kap_err(err, KAP_EINVAL, "mu must be finite");
    if (!valid_level(conf_level))
        return kap_err(err, KAP_EINVAL, "conf_level must be in (0, 1)");
    if (!valid_alternative(alt))
        return kap_err(err, KAP_EINVAL, "bad alternative %d", (int)alt);
    return KAP_OK;
}

static int rb_two_sample(kap_result *out, const char *method, const double *x,
                         size_t nx, const double *y, size_t ny, double mu,
                         double conf_level, kap_alternative alt, kap_error *err)
{
    int rc = es_check(out, method, mu, conf_level, alt, err);
    if (rc)
        return rc;
    if ((!x && nx) || (!y && ny))
        return kap_err(err, KAP_EINVAL, "x or y is NULL");
    size_t cap = nx + ny ? nx + ny : 1;
    double *pool = kap_malloc_array(cap, sizeof *pool);
    double *rank = kap_malloc_array(cap, sizeof *rank);
    vi_pair *work = kap_malloc_array(cap, sizeof *work);
    if (!pool || !rank || !work) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t n1 = copy_finite(pool, x, nx, mu);
    size_t n2 = copy_finite(pool + n1, y, ny, 0.0);
    out->n1 = n1;
    out->n2 = n2;
    if (n1 == 0 || n2 == 0) {
        rc = kap_err(err, KAP_EDATA, "%s sample is empty (after dropping NaN)",
                     n1 == 0 ? "x" : "y");
        goto done;
    }
    midranks(pool, n1 + n2, rank, work, NULL, NULL);
    double r1 = 0, r2 = 0;
    for (size_t i = 0; i < n1; i++)
        r1 += rank[i];
    for (size_t i = n1; i < n1 + n2; i++)
        r2 += rank[i];
    double d1 = (double)n1, d2 = (double)n2, S = d1 * d2;
    double U1 = r1 - d1 * (d1 + 1) / 2, U2 = r2 - d2 * (d2 + 1) / 2;
    double r = U1 / S - U2 / S;
    out->estimate = r;
    rb_ci(out, r, sqrt((d1 + d2 + 1) / (3 * d1 * d2)), conf_level, alt);
    rc = KAP_OK;
done:
    kap_free(pool);
    kap_free(rank);
    kap_free(work);
    return rc;
}

static int rb_paired(kap_result *out, const char *method, const double *x,
                     const double *y, size_t n, double mu, double conf_level,
                     kap_alternative alt, kap_error *err)
{
    int rc = es_check(out, method, mu, conf_level, alt, err);
    if (rc)
        return rc;
    if (!x && n)
        return kap_err(err, KAP_EINVAL, "x is NULL");
    size_t cap = n ? n : 1;
    double *d = kap_malloc_array(cap, sizeof *d);
    double *absd = kap_malloc_array(cap, sizeof *absd);
    double *rank = kap_malloc_array(cap, sizeof *rank);
    vi_pair *work = kap_malloc_array(cap, sizeof *work);
    if (!d || !absd || !rank || !work) {
        rc = kap_err(err, KAP_ENOMEM, "out of memory");
        goto done;
    }
    size_t nc = paired_diffs(d, x, y, n, mu);
    out->n1 = nc;
    if (nc == 0) {
        rc = kap_err(err, KAP_EDATA, "no complete observations");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < nc; i++)
        if (d[i] != 0)
            d[m++] = d[i];
    if (m == 0) {
        out->note = "all differences are zero: rank-biserial r undefined";
        rc = KAP_OK;
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        absd[i] = fabs(d[i]);
    midranks(absd, m, rank, work, NULL, NULL);
    double up = 0, dn = 0;
    for (size_t i = 0; i < m; i++) {
        if (d[i] > 0)
            up += rank[i];
        else
            dn += rank[i];
    }
    double nd = (double)m, S = nd * (nd + 1) / 2;
    double r = up / S - dn / S;
    out->estimate = r;
    double se = sqrt((2 * nd * nd * nd + 3 * nd * nd + nd) / 6) / S;
    rb_ci(out, r, se, conf_level, alt);
    rc = KAP_OK;
done:
    kap_free(d);
    kap_free(absd);
    kap_free(rank);
    kap_free(work);
    return rc;
}

static void to_p_superiority(kap_result *out)
{
    out->estimate = (out->estimate + 1) / 2;
    out->ci_low = (out->ci_low + 1) / 2;
    out->ci_high = (out->ci_high + 1) / 2;
}

int kap_rank_biserial(kap_result *out, const double *x, size_t nx,
                      const double *y, size_t ny, double mu, double conf_level,
                      kap_alternative alternative, kap_error *err)
{
    return rb_two_sample(out, "Rank-biserial correlation (effectsize 0.8.3, Fisher z CI)",
                         x, nx, y, ny, mu, conf_level, alternative, err);
}

int kap_rank_cliffs_delta(kap_result *out, const double *x, size_t nx,
                          const double *y, size_t ny, double mu,
                          double conf_level, kap_alternative alternative,
                          kap_error *err)
{
    return rb_two_sample(out, "Cliff's delta (= rank-biserial r; effectsize 0.8.3, Fisher z CI)",
                         x, nx, y, ny, mu, conf_level, alternative, err);
}

int kap_rank_p_superiority(kap_result *out, const double *x, size_t nx,
                           const double *y, size_t ny, double mu,
                           double conf_level, kap_alternative alternative,
                           kap_error *err)
{
    int rc = rb_two_sample(out,
                           "Probability of superiority P(X>Y)+P(X=Y)/2 = (r_rb+1)/2 "
                           "(effectsize 0.8.3, Fisher z CI of r_rb)",
                           x, nx, y, ny, mu, conf_level, alternative, err);
    if (rc == KAP_OK)
        to_p_superiority(out);
    return rc;
}

int kap_rank_biserial_paired(kap_result *out, const double *x, const double *y,
                             size_t n, double mu, double conf_level,
                             kap_alternative alternative, kap_error *err)
{
    return rb_paired(out, "Matched-pairs rank-biserial correlation (effectsize 0.8.3, Fisher z CI)",
                     x, y, n, mu, conf_level, alternative, err);
}

int kap_rank_p_superiority_paired(kap_result *out, const double *x,
                                  const double *y, size_t n, double mu,
                                  double conf_level,
                                  kap_alternative alternative, kap_error *err)
{
    int rc = rb_paired(out,
                       "Paired probability of superiority (r_rb+1)/2 "
                       "(effectsize 0.8.3, Fisher z CI of r_rb)",
                       x, y, n, mu, conf_level, alternative, err);
    if (rc == KAP_OK)
        to_p_superiority(out);
    return rc;
}
