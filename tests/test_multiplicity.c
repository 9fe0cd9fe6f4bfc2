/* tests/test_multiplicity.c - kap_p_adjust() against R 4.2.2 stats::p.adjust
 * (tests/reference/multiplicity.R -> multiplicity.out: fixed vectors with
 * ties, 0, 1, NA, n = 0, 1, 2, 3, and random vectors from set.seed). */
#include "kap_test.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference table, loaded once (the file has ~5000 lines) ----------- */
typedef struct ref_entry {
    char name[64];
    double value;
} ref_entry;

static ref_entry *refs;
static size_t n_refs;

static void refs_load(void)
{
    if (refs)
        return;
    char path[1024];
    kt_path(path, sizeof path, "reference/multiplicity.out");
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t cap = 8192;
    refs = malloc(cap * sizeof *refs);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char name[64], val[64];
        if (sscanf(line, "%63s %63s", name, val) != 2)
            continue;
        if (n_refs == cap) {
            cap *= 2;
            refs = realloc(refs, cap * sizeof *refs);
        }
        strcpy(refs[n_refs].name, name);
        refs[n_refs].value = strcmp(val, "NA") == 0 ? NAN : strtod(val, NULL);
        n_refs++;
    }
    fclose(f);
}

static double ref(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double ref(const char *fmt, ...)
{
    char name[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    refs_load();
    for (size_t i = 0; i < n_refs; i++)
        if (strcmp(refs[i].name, name) == 0)
            return refs[i].value;
    fprintf(stderr, "reference %s missing\n", name);
    CU_FAIL("reference value missing");
    return NAN;
}

static const kap_padjust_method methods[] = {
    KAP_PADJUST_BONFERRONI, KAP_PADJUST_HOLM, KAP_PADJUST_HOCHBERG,
    KAP_PADJUST_HOMMEL, KAP_PADJUST_BH, KAP_PADJUST_BY};

/* Compare every method on one reference case; returns the number of
 * values compared. */
static size_t check_case(const char *cs)
{
    size_t n = (size_t)ref("pa.%s.n", cs);
    double *p = calloc(n + 1, sizeof *p), *a = calloc(n + 1, sizeof *a);
    for (size_t i = 0; i < n; i++)
        p[i] = ref("pa.%s.p.%zu", cs, i + 1);
    size_t count = 0;
    for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
        kap_error e;
        int rc = kap_p_adjust(a, p, n, methods[m], &e);
        CU_ASSERT_EQUAL(rc, KAP_OK);
        const char *mn = kap_padjust_method_name(methods[m]);
        for (size_t i = 0; i < n; i++) {
            double r = ref("pa.%s.%s.%zu", cs, mn, i + 1);
            if (!kt_close(a[i], r, 1e-12))
                fprintf(stderr, "case %s method %s i %zu: %.17g vs R %.17g\n", cs, mn,
                        i + 1, a[i], r);
            KT_ASSERT_REL(a[i], r, 1e-12);
            count++;
        }
    }
    free(p);
    free(a);
    return count;
}

static void test_fixed_vectors(void)
{
    const char *cases[] = {"basic", "ties", "zeroone", "na", "allna", "n0",
                           "n1", "n1na", "n2", "n3", "equal", "tiny"};
    size_t total = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        total += check_case(cases[c]);
    CU_ASSERT(total > 200);
}

static void test_random_vectors(void)
{
    char cs[16];
    size_t total = 0;
    for (int r = 1; r <= 10; r++) {
        snprintf(cs, sizeof cs, "rand%d", r);
        total += check_case(cs);
    }
    total += check_case("big");
    CU_ASSERT_EQUAL(total, 6 * (10 * 50 + 200));
}

/* NaN stays NaN and is not counted: bonferroni of {NaN, .01, .02} uses m=2. */
static void test_nan_policy(void)
{
    double p[] = {NAN, 0.01, NAN, 0.02}, a[4];
    CU_ASSERT_EQUAL(kap_p_adjust(a, p, 4, KAP_PADJUST_BONFERRONI, NULL), KAP_OK);
    KT_ASSERT_NAN(a[0]);
    KT_ASSERT_NAN(a[2]);
    KT_ASSERT_REL(a[1], 0.02, 1e-15);
    KT_ASSERT_REL(a[3], 0.04, 1e-15);
    /* all NaN */
    double q[] = {NAN, NAN};
    CU_ASSERT_EQUAL(kap_p_adjust(a, q, 2, KAP_PADJUST_HOMMEL, NULL), KAP_OK);
    KT_ASSERT_NAN(a[0]);
    KT_ASSERT_NAN(a[1]);
}

/* In-place adjustment gives the same values; the result does not depend on
 * the input order (permutation equivariance, ties included). */
static void test_inplace_and_permutation(void)
{
    double p[] = {0.03, 0.01, 0.2, 0.03, 0.01, 0.5, 0.03, 0.001, 0.04};
    const size_t n = sizeof p / sizeof *p;
    size_t perm[] = {8, 3, 0, 5, 1, 7, 2, 6, 4};
    for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
        double a[9], b[9], pp[9], c[9];
        CU_ASSERT_EQUAL(kap_p_adjust(a, p, n, methods[m], NULL), KAP_OK);
        memcpy(b, p, sizeof p);
        CU_ASSERT_EQUAL(kap_p_adjust(b, b, n, methods[m], NULL), KAP_OK);
        for (size_t i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(a[i], b[i]);
            pp[i] = p[perm[i]];
        }
        CU_ASSERT_EQUAL(kap_p_adjust(c, pp, n, methods[m], NULL), KAP_OK);
        for (size_t i = 0; i < n; i++)
            CU_ASSERT_EQUAL(c[i], a[perm[i]]);
        /* adjusted p >= p and <= 1 */
        for (size_t i = 0; i < n; i++)
            CU_ASSERT(a[i] >= p[i] && a[i] <= 1.0);
    }
    double a[9];
    CU_ASSERT_EQUAL(kap_p_adjust(a, p, n, KAP_PADJUST_NONE, NULL), KAP_OK);
    CU_ASSERT_EQUAL(memcmp(a, p, sizeof p), 0);
}

static void test_errors(void)
{
    kap_error e;
    double a[3], p[] = {0.1, 0.2, 0.3};
    CU_ASSERT_EQUAL(kap_p_adjust(NULL, p, 3, KAP_PADJUST_HOLM, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(e.code, KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_p_adjust(a, NULL, 3, KAP_PADJUST_HOLM, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_p_adjust(NULL, NULL, 0, KAP_PADJUST_HOLM, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_p_adjust(a, p, 3, (kap_padjust_method)99, &e), KAP_EINVAL);
    double bad[][3] = {{0.1, -0.01, 0.3}, {0.1, 1.5, 0.3}, {INFINITY, 0.2, 0.3}};
    for (size_t i = 0; i < 3; i++) {
        e.message[0] = '\0';
        CU_ASSERT_EQUAL(kap_p_adjust(a, bad[i], 3, KAP_PADJUST_BH, &e), KAP_EINVAL);
        CU_ASSERT(strstr(e.message, "not in [0, 1]") != NULL);
    }
    CU_ASSERT_EQUAL(kap_p_adjust(a, bad[0], 3, KAP_PADJUST_BH, NULL), KAP_EINVAL);
}

static void test_names(void)
{
    const char *names[] = {"none", "bonferroni", "holm", "hochberg", "hommel", "BH", "BY"};
    for (int m = 0; m <= 6; m++) {
        kap_padjust_method x;
        CU_ASSERT_STRING_EQUAL(kap_padjust_method_name((kap_padjust_method)m), names[m]);
        CU_ASSERT_EQUAL(kap_padjust_method_parse(&x, names[m], NULL), KAP_OK);
        CU_ASSERT_EQUAL((int)x, m);
    }
    kap_padjust_method x;
    CU_ASSERT_EQUAL(kap_padjust_method_parse(&x, "fdr", NULL), KAP_OK);
    CU_ASSERT_EQUAL(x, KAP_PADJUST_BH);
    kap_error e;
    CU_ASSERT_EQUAL(kap_padjust_method_parse(&x, "Holm", &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_padjust_method_parse(NULL, "holm", &e), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(kap_padjust_method_name((kap_padjust_method)42));
}

#ifdef KAP_FAULT_INJECTION
static void test_enomem(void)
{
    double p[] = {0.01, 0.2, 0.03}, a[3];
    for (unsigned long k = 1; k <= 2; k++) {
        kap_test_fail_alloc_at(k);
        int rc = kap_p_adjust(a, p, 3, KAP_PADJUST_HOMMEL, NULL);
        kap_test_fail_alloc_at(0);
        CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
    }
}
#endif

int main(void)
{
    CU_TestInfo tests[] = {
        {"fixed vectors vs R p.adjust", test_fixed_vectors},
        {"random vectors vs R p.adjust", test_random_vectors},
        {"NaN policy", test_nan_policy},
        {"in place, permutation", test_inplace_and_permutation},
        {"errors", test_errors},
        {"method names", test_names},
#ifdef KAP_FAULT_INJECTION
        {"out of memory", test_enomem},
#endif
        CU_TEST_INFO_NULL};
    int rc = kt_main("multiplicity", tests);
    free(refs);
    return rc;
}
