/* tests/test_descriptive.c - kap_describe against R 4.2 (mean, sd,
 * quantile type 7, t-based CI: tests/reference/descriptive.R) and against
 * the NIST StRD univariate certified values (tests/data/nist/, parsed here
 * from the .dat files). */
#include "kap_test.h"
#include "internal.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "descriptive.out"

static double ref(const char *set, const char *field)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%s", set, field);
    return kt_ref(REF, name);
}

/* Check every field of kap_describe against descriptive.out for data set
 * `set` at conf levels 0.95, 0.90, 0.99. */
static void check_set(const char *set, const double *x, size_t n)
{
    static const double levels[] = {0.95, 0.90, 0.99};
    for (int k = 0; k < 3; k++) {
        kap_describe_result r;
        kap_error e;
        CU_ASSERT_EQUAL_FATAL(kap_describe(&r, x, 1, n, levels[k], &e), KAP_OK);
        CU_ASSERT_EQUAL(r.n, (size_t)ref(set, "n"));
        CU_ASSERT_EQUAL(r.n_missing, (size_t)ref(set, "n_missing"));
        KT_ASSERT_REL(r.mean, ref(set, "mean"), 1e-13);
        KT_ASSERT_REL(r.sd, ref(set, "sd"), 1e-12);
        KT_ASSERT_REL(r.se, ref(set, "se"), 1e-12);
        KT_ASSERT_REL(r.median, ref(set, "median"), 1e-15);
        KT_ASSERT_REL(r.q1, ref(set, "q1"), 1e-15);
        KT_ASSERT_REL(r.q3, ref(set, "q3"), 1e-15);
        KT_ASSERT_REL(r.min, ref(set, "min"), 0);
        KT_ASSERT_REL(r.max, ref(set, "max"), 0);
        char f[32];
        int pct = (int)(levels[k] * 100 + 0.5);
        snprintf(f, sizeof f, "ci%02d_low", pct);
        KT_ASSERT_REL(r.ci_low, ref(set, f), 1e-9);
        snprintf(f, sizeof f, "ci%02d_high", pct);
        KT_ASSERT_REL(r.ci_high, ref(set, f), 1e-9);
        CU_ASSERT_EQUAL(r.conf_level, levels[k]);
    }
}

static const double set_a[] = {5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7};

static void test_reference_sets(void)
{
    const double hamd[] = {-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NAN, -13};
    const double ties[] = {2, 2, 2, 3, 3, 2, NAN, 3};
    const double two[] = {1, 3};
    const double konst[] = {7.25, 7.25, 7.25, 7.25};
    const double odd[] = {3.2, -1.5, 8.25, 0, 2.5, 2.5, 11, -4.75, 6};
    double big[8], tiny[8];
    for (int i = 0; i < 8; i++) {
        big[i] = set_a[i] * 1e150;
        tiny[i] = set_a[i] * 1e-150;
    }
    check_set("a", set_a, 8);
    check_set("hamd", hamd, 13);
    check_set("ties", ties, 8);
    check_set("two", two, 2);
    check_set("big", big, 8);
    check_set("tiny", tiny, 8);
    check_set("const", konst, 4);
    check_set("odd", odd, 9);
}

/* Strided access: every other element of an interleaved array. */
static void test_stride(void)
{
    double inter[16];
    for (int i = 0; i < 8; i++) {
        inter[2 * i] = set_a[i];
        inter[2 * i + 1] = 1e300; /* must be ignored */
    }
    kap_describe_result r, s;
    CU_ASSERT_EQUAL(kap_describe(&r, inter, 2, 8, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(kap_describe(&s, set_a, 1, 8, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.mean, s.mean);
    CU_ASSERT_EQUAL(r.sd, s.sd);
    CU_ASSERT_EQUAL(r.q3, s.q3);
    CU_ASSERT_EQUAL(r.ci_high, s.ci_high);
}

static void test_edge_cases(void)
{
    kap_describe_result r;
    /* n = 0 */
    CU_ASSERT_EQUAL(kap_describe(&r, NULL, 1, 0, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n, 0);
    KT_ASSERT_NAN(r.mean);
    KT_ASSERT_NAN(r.median);
    KT_ASSERT_NAN(r.min);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* all NaN */
    const double nan3[] = {NAN, NAN, NAN};
    CU_ASSERT_EQUAL(kap_describe(&r, nan3, 1, 3, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.n_missing, 3);
    KT_ASSERT_NAN(r.mean);
    KT_ASSERT_NAN(r.sd);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* n = 1 */
    const double one[] = {NAN, -2.5};
    CU_ASSERT_EQUAL(kap_describe(&r, one, 1, 2, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_EQUAL(r.n_missing, 1);
    CU_ASSERT_EQUAL(r.mean, -2.5);
    CU_ASSERT_EQUAL(r.median, -2.5);
    CU_ASSERT_EQUAL(r.q1, -2.5);
    CU_ASSERT_EQUAL(r.max, -2.5);
    KT_ASSERT_NAN(r.sd);
    KT_ASSERT_NAN(r.ci_low);
    CU_ASSERT_PTR_NOT_NULL(r.note);
    /* zero spread: SD 0, degenerate CI at the mean, no note */
    const double c[] = {1e-150, 1e-150, 1e-150};
    CU_ASSERT_EQUAL(kap_describe(&r, c, 1, 3, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.mean, 1e-150);
    CU_ASSERT_EQUAL(r.sd, 0.0);
    CU_ASSERT_EQUAL(r.ci_low, 1e-150);
    CU_ASSERT_EQUAL(r.ci_high, 1e-150);
    CU_ASSERT_PTR_NULL(r.note);
    /* values near the overflow threshold: mean and SD stay finite */
    const double huge[] = {1.5e308, -1.5e308, 1.5e308, -1.5e308};
    CU_ASSERT_EQUAL(kap_describe(&r, huge, 1, 4, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.mean, 0.0);
    KT_ASSERT_REL(r.sd, 1.5e308 / sqrt(3.0) * 2.0, 1e-15);
    KT_ASSERT_REL(r.median, 0.0, 0.0);
    /* subnormal-range data */
    const double sub[] = {3e-320, 5e-320, 4e-320};
    CU_ASSERT_EQUAL(kap_describe(&r, sub, 1, 3, 0.95, NULL), KAP_OK);
    KT_ASSERT_REL(r.mean, 4e-320, 1e-3); /* subnormals carry few digits */
    CU_ASSERT(r.sd > 0.0 && isfinite(r.sd));
}

static void test_errors(void)
{
    kap_describe_result r;
    kap_error e;
    const double x[] = {1, 2, INFINITY};
    CU_ASSERT_EQUAL(kap_describe(NULL, x, 1, 2, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, NULL, 1, 2, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 0, 2, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, 2, 0.0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, 2, 1.0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, 2, NAN, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(e.code, KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, 3, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "x[2]"));
    KT_ASSERT_NAN(r.mean);
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, 3, 0.95, NULL), KAP_EINVAL);
}


/* ---- order statistics by selection vs a stable full sort ---------------- */

/* kap_describe finds min, max, median and quartiles by selection; the
 * reference here is the definition: a stable sort of the non-missing
 * values (value, then input position, as glibc's merge-sort qsort leaves
 * -0.0 and +0.0) and R's type-7 rule.  Compared bit for bit, so the sign
 * of a zero counts. */
typedef struct { double v; size_t i; } sel_vi;

static int sel_cmp(const void *a, const void *b)
{
    const sel_vi *u = a, *w = b;
    if (u->v < w->v) return -1;
    if (u->v > w->v) return 1;
    return (u->i > w->i) - (u->i < w->i);
}

static double sel_q7(const sel_vi *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
    double q = s[lo].v;
    if (h > (double)lo && s[hi].v != q) {
        double f = h - (double)lo;
        q = (1.0 - f) * q + f * s[hi].v;
    }
    return q;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static uint64_t sel_state = 0x9e3779b97f4a7c15u;

static uint64_t sel_next(void) /* splitmix64: fixed seed, same run each time */
{
    uint64_t z = (sel_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void test_selection_sweep(void)
{
    size_t cap = 6000;
    double *x = malloc(2 * cap * sizeof *x);
    sel_vi *s = malloc(cap * sizeof *s);
    CU_ASSERT_FATAL(x && s);
    int bad = 0;
    for (int t = 0; t < 3000 && !bad; t++) {
        size_t n = t < 2000 ? 1 + sel_next() % 64 : 1 + sel_next() % cap;
        int family = (int)(sel_next() % 7);
        size_t stride = 1 + (size_t)(t & 1);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = sel_next();
            double v;
            switch (family) {
            case 0: v = (double)(r >> 11) * 0x1p-53 - 0.5; break; /* distinct */
            case 1: v = (double)(r % 5) - 2.0; break;              /* ties */
            case 2: /* signed zeros */
                v = (r % 7 == 0) ? 1.0 : ((r & 1) ? 0.0 : -0.0);
                break;
            case 3: v = (double)i; break;                          /* sorted */
            case 4: v = (double)(n - i); break;                    /* reversed */
            case 5: /* NaN, ties and signed zeros */
                v = (r % 3 == 0) ? NAN : (double)(r % 4) - 1.0;
                if (v == 0.0 && (r & 8))
                    v = -0.0;
                break;
            default: v = 7.0; break;                               /* constant */
            }
            x[i * stride] = v;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(x[i * stride])) {
                s[k].v = x[i * stride];
                s[k].i = i;
                k++;
            }
        kap_describe_result r;
        if (kap_describe(&r, x, stride, n, 0.95, NULL) != KAP_OK) {
            bad = 1;
            break;
        }
        if (k == 0) {
            bad = !isnan(r.median);
            continue;
        }
        qsort(s, k, sizeof *s, sel_cmp);
        if (!same_bits(r.min, s[0].v) || !same_bits(r.max, s[k - 1].v) ||
            !same_bits(r.q1, sel_q7(s, k, 0.25)) ||
            !same_bits(r.median, sel_q7(s, k, 0.5)) ||
            !same_bits(r.q3, sel_q7(s, k, 0.75)))
            bad = 1;
    }
    CU_ASSERT_FALSE(bad);
    free(x);
    free(s);
}

#ifdef KAP_FAULT_INJECTION
static void test_enomem(void)
{
    kap_describe_result r;
    kap_error e;
    kap_test_fail_alloc_at(1);
    CU_ASSERT_EQUAL(kap_describe(&r, set_a, 1, 8, 0.95, &e), KAP_ENOMEM);
    kap_test_fail_alloc_at(0);
    KT_ASSERT_NAN(r.mean);
    CU_ASSERT_EQUAL(kap_describe(&r, set_a, 1, 8, 0.95, &e), KAP_OK);
}
#endif

/* ---- NIST StRD univariate ------------------------------------------------ */

/* Last number on a line (certified values are "label: value"). */
static double last_number(const char *line)
{
    const char *p = line + strlen(line);
    while (p > line && (p[-1] == '\n' || p[-1] == '\r' || p[-1] == ' '))
        p--;
    const char *end = p;
    while (p > line && p[-1] != ' ' && p[-1] != ':')
        p--;
    char buf[64];
    size_t len = (size_t)(end - p);
    if (len == 0 || len >= sizeof buf)
        return NAN;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return strtod(buf, NULL);
}

/* Reads certified mean and SD and the data; returns n (0 on failure).
 * *data is malloc'ed. */
static size_t read_nist(const char *name, double *mean, double *sd,
                        double **data)
{
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "data/nist/%s.dat", name);
    kt_path(path, sizeof path, rel);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 0;
    }
    char line[512];
    int in_data = 0, seen_dash = 0;
    size_t n = 0, cap = 2048;
    double *v = malloc(cap * sizeof *v);
    *mean = *sd = NAN;
    while (v && fgets(line, sizeof line, f)) {
        if (!in_data) {
            if (strncmp(line, "Sample Mean", 11) == 0)
                *mean = last_number(line);
            else if (strncmp(line, "Sample Standard Deviation", 25) == 0)
                *sd = last_number(line);
            else if (strncmp(line, "Data: Y", 7) == 0)
                in_data = 1;
            continue;
        }
        if (!seen_dash) {
            if (line[0] == '-')
                seen_dash = 1;
            continue;
        }
        char *end;
        double val = strtod(line, &end);
        if (end == line)
            continue; /* blank line */
        if (n == cap) {
            cap *= 2;
            double *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[n++] = val;
    }
    fclose(f);
    *data = v;
    return v ? n : 0;
}

static void nist_case(const char *name, size_t n_cert, double min_lre)
{
    double cmean, csd, *x = NULL;
    size_t n = read_nist(name, &cmean, &csd, &x);
    CU_ASSERT_EQUAL_FATAL(n, n_cert);
    CU_ASSERT_FATAL(isfinite(cmean) && isfinite(csd));
    kap_describe_result r;
    CU_ASSERT_EQUAL(kap_describe(&r, x, 1, n, 0.95, NULL), KAP_OK);
    double lm = kt_lre(r.mean, cmean), ls = kt_lre(r.sd, csd);
    printf("  NIST %-9s LRE mean %5.2f  sd %5.2f (need >= %.0f)\n", name, lm,
           ls, min_lre);
    CU_ASSERT(lm >= min_lre);
    CU_ASSERT(ls >= min_lre);
    free(x);
}

static void test_nist(void)
{
    printf("\n");
    nist_case("Lew", 200, 13);
    nist_case("Lottery", 218, 13);
    nist_case("Mavro", 50, 13);
    nist_case("Michelso", 100, 13);
    nist_case("NumAcc1", 3, 13);
    nist_case("NumAcc2", 1001, 13);
    nist_case("NumAcc3", 1001, 9);
    nist_case("NumAcc4", 1001, 8);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"R reference sets (mean, sd, quantile 7, CI)", test_reference_sets},
        {"stride", test_stride},
        {"edge cases (n = 0, 1, NaN, zero spread, extremes)", test_edge_cases},
        {"error paths", test_errors},
        {"min, max, quartiles by selection vs stable sort",
         test_selection_sweep},
#ifdef KAP_FAULT_INJECTION
        {"allocation failure", test_enomem},
#endif
        {"NIST StRD univariate LRE", test_nist},
        CU_TEST_INFO_NULL};
    return kt_main("descriptive", tests);
}
