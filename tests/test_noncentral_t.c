/* tests/test_noncentral_t.c - the internal noncentral t module
 * (libkapstats/noncentral_t.c): distribution function against R 4.2
 * (pt() where it is accurate, an independent quadrature nct_ref() from
 * tests/reference/nct_ref.R everywhere), the incomplete beta against
 * pbeta(), series against quadrature, and the noncentrality limits against
 * uniroot() (tests/reference/noncentral_t.R -> noncentral_t.out). */
#include "kap_test.h"
#include "noncentral_t_internal.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REF "noncentral_t.out"

/* Iterate over the lines of noncentral_t.out whose name starts with
 * prefix ("nct|", ...): fills the '|'-separated numeric fields after the
 * prefix, the trailing letter field (L/U/lo/hi) and the value. */
typedef struct {
    FILE *f;
    const char *prefix;
} ref_iter;

static int ref_open_file(ref_iter *it, const char *file, const char *prefix)
{
    char path[1024];
    char rel[256];
    snprintf(rel, sizeof rel, "reference/%s", file);
    kt_path(path, sizeof path, rel);
    it->f = fopen(path, "r");
    it->prefix = prefix;
    if (!it->f)
        fprintf(stderr, "cannot open %s\n", path);
    return it->f != NULL;
}

static int ref_open(ref_iter *it, const char *prefix)
{
    return ref_open_file(it, REF, prefix);
}

static int ref_next(ref_iter *it, double *num, int nnum, char *tag,
                    size_t tagsz, double *value, int *is_na)
{
    char line[512];
    size_t plen = strlen(it->prefix);
    while (fgets(line, sizeof line, it->f)) {
        if (strncmp(line, it->prefix, plen) != 0)
            continue;
        char *p = line + plen;
        for (int i = 0; i < nnum; i++) {
            char *end;
            num[i] = strtod(p, &end);
            if (end == p || *end != '|')
                return -1;
            p = end + 1;
        }
        size_t k = 0;
        while (*p && *p != ' ' && k + 1 < tagsz)
            tag[k++] = *p++;
        tag[k] = '\0';
        while (*p == ' ')
            p++;
        *is_na = strncmp(p, "NA", 2) == 0;
        *value = *is_na ? NAN : strtod(p, NULL);
        return 1;
    }
    return 0;
}

static double relerr(double a, double b)
{
    if (a == b)
        return 0.0;
    return fabs(a - b) / fabs(b);
}

/* CDF against one kind of reference line ("nct|" or "pt|"). */
static void cdf_against(const char *prefix, double tol, int min_lines)
{
    ref_iter it;
    CU_ASSERT_FATAL(ref_open(&it, prefix));
    double num[3], v;
    char tag[8];
    int na, lines = 0, bad = 0, r;
    double worst = 0.0;
    while ((r = ref_next(&it, num, 3, tag, sizeof tag, &v, &na)) == 1) {
        double p;
        int lower = tag[0] == 'L';
        int rc = kap_nct_cdf(num[0], num[1], num[2], lower, &p);
        lines++;
        if (rc != KAP_OK) {
            fprintf(stderr, "%s%g|%g|%g|%s: rc %d\n", prefix, num[0], num[1],
                    num[2], tag, rc);
            bad++;
            continue;
        }
        if (na) {
            /* reference below 1e-300: ours must be tiny as well */
            if (!(p < 1e-290)) {
                fprintf(stderr, "%s%g|%g|%g|%s: %g, expected < 1e-300\n",
                        prefix, num[0], num[1], num[2], tag, p);
                bad++;
            }
            continue;
        }
        double e = relerr(p, v);
        if (e > worst)
            worst = e;
        if (!(e <= tol)) {
            fprintf(stderr, "%s%.17g|%.17g|%.17g|%s: %.17g, expected %.17g\n",
                    prefix, num[0], num[1], num[2], tag, p, v);
            bad++;
        }
    }
    fclose(it.f);
    CU_ASSERT_EQUAL(r, 0);
    printf("\n  %s %d points, worst relative error %.3g", prefix, lines, worst);
    CU_ASSERT(lines >= min_lines);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_cdf_vs_reference(void)
{
    /* independent quadrature reference on the whole grid (14 t x 10 df x
     * 12 ncp x 2 tails) */
    cdf_against("nct|", 1e-9, 3360);
}

static void test_cdf_vs_pt(void)
{
    /* R's pt() itself where its algorithm is accurate */
    cdf_against("pt|", 1e-9, 300);
}

static void test_ibeta(void)
{
    ref_iter it;
    CU_ASSERT_FATAL(ref_open(&it, "ibeta|"));
    double num[3], v;
    char tag[8];
    int na, lines = 0, bad = 0, r;
    double worst = 0.0;
    while ((r = ref_next(&it, num, 3, tag, sizeof tag, &v, &na)) == 1) {
        double lo, up;
        lines++;
        int rc = kap_nct_ibeta(num[0], num[1], num[2], 1.0 - num[2], &lo, &up);
        if (rc != KAP_OK) {
            bad++;
            continue;
        }
        double p = tag[0] == 'L' ? lo : up;
        if (na) {
            bad += !(p < 1e-290);
            continue;
        }
        double e = relerr(p, v);
        if (e > worst)
            worst = e;
        if (!(e <= 1e-11)) {
            fprintf(stderr, "ibeta(%g, %g, %g) %s: %.17g, expected %.17g\n",
                    num[0], num[1], num[2], tag, p, v);
            bad++;
        }
    }
    fclose(it.f);
    printf("\n  ibeta %d values, worst relative error %.3g", lines, worst);
    CU_ASSERT(lines >= 500);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_limits(void)
{
    ref_iter it;
    CU_ASSERT_FATAL(ref_open(&it, "ncplim|"));
    double num[4], v;
    char tag[8];
    int na, lines = 0, r;
    while ((r = ref_next(&it, num, 4, tag, sizeof tag, &v, &na)) == 1) {
        double lo, hi;
        lines++;
        CU_ASSERT_EQUAL(kap_nct_ncp_limits(num[0], num[1], num[2], num[3], &lo, &hi), KAP_OK);
        double got = strcmp(tag, "lo") == 0 ? lo : hi;
        if (!kt_close(got, v, 1e-9))
            fprintf(stderr, "ncplim t=%g df=%g alpha=(%g, %g) %s: %.17g, expected %.17g\n",
                    num[0], num[1], num[2], num[3], tag, got, v);
        KT_ASSERT_REL(got, v, 1e-9);
    }
    fclose(it.f);
    CU_ASSERT(lines >= 30);
}

/* Small, non-integer df (0.5 .. 5: the Welch df of two groups of two
 * values can be ~1.1), t in [-3, 3] including 0 and tiny values, levels
 * 0.8 .. 0.99, two- and one-sided, against uniroot() on R's pt()
 * (tests/reference/noncentral_t_smalldf.R, which checks each root against
 * two independent integrations), at 1e-9 relative like the other limits
 * (the smallest reference limit is -4.2e-4; worst seen 9e-11).
 * Before the u = s^(df/2) substitution in the quadrature, every upper
 * tail with ncp < 0 failed for 1 < df < ~1.4 (KAP_ENOCONV). */
static void test_limits_small_df(void)
{
    ref_iter it;
    CU_ASSERT_FATAL(ref_open_file(&it, "noncentral_t_smalldf.out", "ncpsd|"));
    double num[4], v;
    char tag[8];
    int na, lines = 0, bad = 0, r;
    double worst = 0.0;
    while ((r = ref_next(&it, num, 4, tag, sizeof tag, &v, &na)) == 1) {
        double lo, hi;
        lines++;
        int rc = kap_nct_ncp_limits(num[0], num[1], num[2], num[3], &lo, &hi);
        double got = strcmp(tag, "lo") == 0 ? lo : hi;
        double e = relerr(got, v);
        if (e > worst || isnan(e))
            worst = e;
        if (rc != KAP_OK || na || !kt_close(got, v, 1e-9)) {
            fprintf(stderr, "ncpsd t=%.17g df=%.17g alpha=(%g, %g) %s: rc %d, "
                    "%.17g, expected %.17g\n", num[0], num[1], num[2], num[3],
                    tag, rc, got, v);
            bad++;
        }
        /* the other limit of a one-sided interval stays open */
        if (rc == KAP_OK && num[2] == 0.0)
            CU_ASSERT(isinf(lo) && lo < 0.0);
        if (rc == KAP_OK && num[3] == 0.0)
            CU_ASSERT(isinf(hi) && hi > 0.0);
    }
    fclose(it.f);
    CU_ASSERT_EQUAL(r, 0);
    printf("\n  small df: %d limits, worst relative error %.3g", lines, worst);
    /* 11 df x 14 t x 4 levels x (2 + 1 + 1) limits */
    CU_ASSERT_EQUAL(lines, 2464);
    CU_ASSERT_EQUAL(bad, 0);
}

/* Two independent algorithms in this module agree where both apply. */
static void test_series_vs_quadrature(void)
{
    /* t = 1e6: Phi's transition is ~1e-5 wide in s (panel breaks at
     * z = -8, 0, 8); 1 < df < 2: the substituted panel from s = 0 */
    const double ts[] = {0.05, 0.7, 1.9, 4, 12, 60, 250, 1e6};
    const double dfs[] = {1, 1.01, 1.37, 2.5, 6, 40, 700, 2e4, 3e6};
    const double ncps[] = {0.2, 1.5, 5, 25, 80, 400, 14000};
    double worst = 0.0;
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
        for (size_t j = 0; j < sizeof dfs / sizeof *dfs; j++)
            for (size_t k = 0; k < sizeof ncps / sizeof *ncps; k++)
                for (int lower = 0; lower < 2; lower++) {
                    double a, b;
                    int ra = kap_nct_cdf(ts[i], dfs[j], ncps[k], lower, &a);
                    int rb = kap_nct_cdf_quad(ts[i], dfs[j], ncps[k], lower, &b);
                    CU_ASSERT_EQUAL(ra, KAP_OK);
                    CU_ASSERT_EQUAL(rb, KAP_OK);
                    if (a < 1e-290 && b < 1e-290)
                        continue;
                    double e = relerr(a, b);
                    if (e > worst)
                        worst = e;
                    if (e > 1e-10)
                        fprintf(stderr, "t=%g df=%g ncp=%g lower=%d: series %.17g quad %.17g\n",
                                ts[i], dfs[j], ncps[k], lower, a, b);
                    CU_ASSERT(e <= 1e-10);
                }
    printf("\n  series vs quadrature: worst relative difference %.3g", worst);
}

static void test_properties(void)
{
    double p, q;
    /* t = 0: Phi(-ncp) for any df */
    CU_ASSERT_EQUAL(kap_nct_cdf(0.0, 3.0, 1.2, 1, &p), KAP_OK);
    KT_ASSERT_REL(p, 0.11506967022170828, 1e-15); /* pnorm(-1.2) */
    /* df = Inf: normal */
    CU_ASSERT_EQUAL(kap_nct_cdf(2.0, INFINITY, 0.5, 0, &p), KAP_OK);
    KT_ASSERT_REL(p, 0.066807201268858057, 1e-15); /* pnorm(1.5, lower = FALSE) */
    /* infinite t */
    CU_ASSERT_EQUAL(kap_nct_cdf(INFINITY, 3.0, 1.0, 1, &p), KAP_OK);
    CU_ASSERT_EQUAL(p, 1.0);
    CU_ASSERT_EQUAL(kap_nct_cdf(-INFINITY, 3.0, 1.0, 1, &p), KAP_OK);
    CU_ASSERT_EQUAL(p, 0.0);
    /* ncp = 0: central t, compared with pt(1.3, 7) */
    CU_ASSERT_EQUAL(kap_nct_cdf(1.3, 7.0, 0.0, 1, &p), KAP_OK);
    KT_ASSERT_REL(p, 0.88261608230381139, 1e-13);
    /* symmetry and complement */
    CU_ASSERT_EQUAL(kap_nct_cdf(-2.2, 9.0, 1.1, 1, &p), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_cdf(2.2, 9.0, -1.1, 0, &q), KAP_OK);
    KT_ASSERT_REL(p, q, 1e-14);
    CU_ASSERT_EQUAL(kap_nct_cdf(2.2, 9.0, 1.1, 0, &q), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_cdf(2.2, 9.0, 1.1, 1, &p), KAP_OK);
    KT_ASSERT_REL(p + q, 1.0, 1e-14);
    /* decreasing in ncp */
    double prev = 1.0;
    for (double ncp = -50; ncp <= 50; ncp += 2.5) {
        CU_ASSERT_EQUAL(kap_nct_cdf(3.0, 5.0, ncp, 1, &p), KAP_OK);
        CU_ASSERT(p <= prev);
        prev = p;
    }
    /* continuity across the series/quadrature switch at ncp^2/2 = 1e8 */
    double ncp0 = sqrt(2e8);
    CU_ASSERT_EQUAL(kap_nct_cdf(ncp0 + 3.0, 5e4, ncp0 * (1 - 1e-12), 1, &p), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_cdf(ncp0 + 3.0, 5e4, ncp0 * (1 + 1e-12), 1, &q), KAP_OK);
    KT_ASSERT_REL(p, q, 1e-9);
    /* the root solver inverts the CDF */
    double ncp;
    CU_ASSERT_EQUAL(kap_nct_solve_ncp(2.7, 14.0, 0.3, &ncp), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_cdf(2.7, 14.0, ncp, 1, &p), KAP_OK);
    KT_ASSERT_REL(p, 0.3, 1e-12);
    CU_ASSERT_EQUAL(kap_nct_solve_ncp(2.7, 14.0, 0.999, &ncp), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_cdf(2.7, 14.0, ncp, 0, &p), KAP_OK);
    KT_ASSERT_REL(p, 0.001, 1e-10);
    /* limits at t = 0 are exactly symmetric */
    double lo, hi;
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(0.0, 4.0, 0.025, 0.025, &lo, &hi), KAP_OK);
    CU_ASSERT_EQUAL(lo, -hi);
    KT_ASSERT_REL(hi, 1.959963984540054, 1e-14);
    /* antisymmetric in t */
    double lo2, hi2;
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(4.4, 11.0, 0.05, 0.01, &lo, &hi), KAP_OK);
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(-4.4, 11.0, 0.01, 0.05, &lo2, &hi2), KAP_OK);
    CU_ASSERT_EQUAL(lo, -hi2);
    CU_ASSERT_EQUAL(hi, -lo2);
    /* one-sided: the open side is infinite */
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(1.0, 4.0, 0.0, 0.05, &lo, &hi), KAP_OK);
    CU_ASSERT(isinf(lo) && lo < 0 && isfinite(hi));
}

/* Extreme inputs return promptly: a probability for every df >= 1 inside
 * the supported range (|t| <= 1e150, df <= 1e10, |ncp| <= 1e10), an error
 * code otherwise; never a hang. */
static void test_extremes(void)
{
    const double ts[] = {1e-300, 1e-20, 1e-3, 2, 1e5, 1e12, 1e149, -1e149};
    const double dfs[] = {1e-3, 0.5, 1, 3, 1e8, 1e10};
    const double ncps[] = {-1e10, -1e7, -1e4, -5, 0.0, 1e-200, 5, 1e4, 1e7, 1e10};
    clock_t c0 = clock();
    int count = 0;
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
        for (size_t j = 0; j < sizeof dfs / sizeof *dfs; j++)
            for (size_t k = 0; k < sizeof ncps / sizeof *ncps; k++)
                for (int lower = 0; lower < 2; lower++) {
                    double p;
                    int rc = kap_nct_cdf(ts[i], dfs[j], ncps[k], lower, &p);
                    count++;
                    if (rc == KAP_OK) {
                        CU_ASSERT(p >= 0.0 && p <= 1.0);
                    } else {
                        /* df < 1 has no quadrature fallback: huge ncp or a
                         * far tail may be refused */
                        CU_ASSERT(dfs[j] < 1.0 && rc == KAP_ENUMERIC);
                        if (!(dfs[j] < 1.0))
                            fprintf(stderr, "t=%g df=%g ncp=%g lower=%d: rc %d\n",
                                    ts[i], dfs[j], ncps[k], lower, rc);
                    }
                }
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("\n  %d extreme evaluations in %.2f s", count, secs);
    CU_ASSERT(secs < 20.0);
    /* outside the supported range: an error code, not a guess */
    double p;
    CU_ASSERT_EQUAL(kap_nct_cdf(1e151, 3.0, 1.0, 1, &p), KAP_ENUMERIC);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, 1e11, 1.0, 1, &p), KAP_ENUMERIC);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, 3.0, 1e11, 1, &p), KAP_ENUMERIC);
    /* far tails with closed forms: Cauchy P(T > t) -> 1 / (pi t), and for
     * df = 1, P(T > t | ncp) ~ sqrt(2/pi) E[(Z + ncp)+] / t */
    CU_ASSERT_EQUAL(kap_nct_cdf(1e149, 1.0, 0.0, 0, &p), KAP_OK);
    KT_ASSERT_REL(p, 1.0 / (M_PI * 1e149), 1e-12);
    CU_ASSERT_EQUAL(kap_nct_cdf(1e149, 1.0, -5.0, 0, &p), KAP_OK);
    /* E[(Z - 5)+] = phi(5) - 5 (1 - Phi(5)) */
    double e5 = exp(-12.5) / sqrt(2 * M_PI) - 5.0 * 2.866515718791939e-07;
    KT_ASSERT_REL(p, sqrt(2.0 / M_PI) * e5 / 1e149, 1e-8);
    /* ncp limits for a huge t (quadrature throughout) */
    double lo, hi;
    int rc = kap_nct_ncp_limits(1e6, 50.0, 0.025, 0.025, &lo, &hi);
    CU_ASSERT(rc == KAP_OK);
    CU_ASSERT(lo < 1e6 && hi > 1e6 && lo > 0);
}

static void test_errors(void)
{
    double p, lo, hi;
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, 0.0, 1.0, 1, &p), KAP_EINVAL);
    KT_ASSERT_NAN(p);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, -2.0, 1.0, 1, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_cdf(NAN, 2.0, 1.0, 1, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, NAN, 1.0, 1, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, 2.0, INFINITY, 1, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_cdf(1.0, 2.0, 1.0, 1, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_cdf_quad(1.0, 0.5, 1.0, 1, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_ibeta(0.0, 1.0, 0.5, 0.5, &p, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_ibeta(1.0, 1.0, 1.5, -0.5, &p, NULL), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_solve_ncp(1.0, 3.0, 1.0, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_solve_ncp(1.0, 3.0, 0.0, &p), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(1.0, 3.0, 1.0, 0.1, &lo, &hi), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(INFINITY, 3.0, 0.1, 0.1, &lo, &hi), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_nct_ncp_limits(1.0, 0.0, 0.1, 0.1, &lo, &hi), KAP_EINVAL);
    KT_ASSERT_NAN(lo);
}

int main(void)
{
    /* Only internal functions are called here: reference the library's
     * common.o so that the static link pulls in its constructor, which
     * switches GSL's aborting error handler off (as any public entry point
     * does). */
    if (kap_version_number() != KAP_VERSION_NUMBER)
        return 2;
    CU_TestInfo tests[] = {
        {"CDF vs independent R quadrature (grid)", test_cdf_vs_reference},
        {"CDF vs R pt() where accurate", test_cdf_vs_pt},
        {"incomplete beta vs R pbeta()", test_ibeta},
        {"ncp limits vs R uniroot()", test_limits},
        {"ncp limits at small df vs R uniroot(pt())", test_limits_small_df},
        {"series vs quadrature", test_series_vs_quadrature},
        {"properties", test_properties},
        {"extreme inputs terminate", test_extremes},
        {"error paths", test_errors},
        CU_TEST_INFO_NULL};
    return kt_main("noncentral_t", tests);
}
