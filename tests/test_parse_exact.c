/* tests/test_parse_exact.c - kap_parse_double stays exact.
 *
 * The performance issue allows a faster number parser in the ingestion
 * path only if it gives the same double as strtod (C locale) on every
 * input.  This program generates a few million numeric strings from a
 * fixed seed and checks, for each, that kap_parse_double (libkapstats/
 * internal.h) returns
 *   - 0 and a value bit-identical to strtod's when the string is a decimal
 *     number ([+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?)
 *     whose value is finite;
 *   - -2 (value = strtod's, i.e. +-HUGE_VAL) when it overflows;
 *   - -1 when the string is not in that grammar (mutated strings).
 * Families: random digits/signs/points/exponents; long mantissas (up to
 * 800 digits); values near DBL_MAX and the overflow threshold; subnormals,
 * values near DBL_MIN and near the smallest subnormal and its halfway
 * point to 0; %.17g (round trip: also equal to the original double),
 * %.15g/%.16g/%.6g/%.25e of random bit patterns; exact decimal halfway
 * points between adjacent doubles and one digit either side of them
 * (round-half-even traps); mutations (a character inserted, deleted or
 * replaced) that may make the string invalid.
 * The generator is a local splitmix64 (seed fixed below), so every run
 * checks the same strings (about 3.5 million).  Run time on the 2-core dev
 * box: ~3 s (-O2).
 */
#include "kap_test.h"
#include "internal.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 0x6b617073746174ULL /* "kapstat" */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned rng_below(rng_t *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

typedef struct {
    unsigned long checked;
    unsigned long valid;
    unsigned long overflow;
    unsigned long invalid;
    unsigned long failures;
} tally;

/* The decimal grammar kap_parse_double accepts (independent of strtod). */
static int in_grammar(const char *s, size_t len)
{
    size_t i = 0, mant = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        mant++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            mant++;
        }
    }
    if (mant == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            ed++;
        }
        if (ed == 0)
            return 0;
    }
    return i == len;
}

/* Check one string; `want` (if not NULL) is the double it must round-trip
 * to.  Prints the first few failures. */
static void check(tally *t, const char *s, size_t len, const double *want)
{
    char buf[1024];
    t->checked++;
    if (len >= sizeof buf) {
        t->failures++;
        return;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    double got = 0.0;
    int rc = kap_parse_double(s, len, &got);
    int ok;
    if (!in_grammar(buf, len)) {
        t->invalid++;
        ok = rc == -1;
    } else {
        char *end = NULL;
        errno = 0;
        double ref = strtod(buf, &end);
        int overflow = !isfinite(ref) || (errno == ERANGE && fabs(ref) > 1.0);
        if (end != buf + len) {
            ok = 0; /* grammar and strtod disagree: a test bug */
        } else if (overflow) {
            t->overflow++;
            ok = rc == -2 && memcmp(&got, &ref, sizeof ref) == 0;
        } else {
            t->valid++;
            ok = rc == 0 && memcmp(&got, &ref, sizeof ref) == 0;
            if (want)
                ok = ok && memcmp(&ref, want, sizeof ref) == 0;
        }
        if (!ok && t->failures < 10)
            fprintf(stderr, "parse_exact: \"%s\": rc %d value %.17g, strtod %.17g\n",
                    buf, rc, got, ref);
    }
    if (!ok && t->failures < 10 && !in_grammar(buf, len))
        fprintf(stderr, "parse_exact: \"%s\" (invalid): rc %d\n", buf, rc);
    if (!ok)
        t->failures++;
}

static size_t put_digits(rng_t *r, char *p, size_t n, int nonzero_first)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('0' + ((i == 0 && nonzero_first) ? 1 + rng_below(r, 9)
                                                         : rng_below(r, 10)));
    return n;
}

/* Random string of the decimal grammar with up to `maxdig` digits on each
 * side of the point and exponents up to +-`maxexp`. */
static size_t random_decimal(rng_t *r, char *p, unsigned maxdig, int maxexp)
{
    size_t k = 0;
    unsigned u = rng_below(r, 4);
    if (u == 0)
        p[k++] = '-';
    else if (u == 1)
        p[k++] = '+';
    unsigned ni = rng_below(r, maxdig + 1), nf = rng_below(r, maxdig + 1);
    int point = rng_below(r, 3) != 0;
    if (ni == 0 && (!point || nf == 0))
        ni = 1;
    /* Leading zeros now and then ("007.5", "0.000123"). */
    if (ni > 1 && rng_below(r, 8) == 0)
        p[k++] = '0';
    k += put_digits(r, p + k, ni, 0);
    if (point) {
        p[k++] = '.';
        k += put_digits(r, p + k, nf, 0);
    }
    if (rng_below(r, 2)) {
        p[k++] = rng_below(r, 2) ? 'e' : 'E';
        unsigned s = rng_below(r, 3);
        if (s == 1)
            p[k++] = '-';
        else if (s == 2)
            p[k++] = '+';
        int e = (int)rng_below(r, (unsigned)maxexp + 1);
        if (rng_below(r, 16) == 0)
            k += (size_t)sprintf(p + k, "00%d", e); /* padded exponent */
        else
            k += (size_t)sprintf(p + k, "%d", e);
    }
    p[k] = '\0';
    return k;
}

static double random_bits_double(rng_t *r)
{
    double d;
    do {
        uint64_t b = rng_next(r);
        memcpy(&d, &b, sizeof d);
    } while (!isfinite(d));
    return d;
}

static void test_random_decimals(void)
{
    rng_t r = {SEED};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    for (int i = 0; i < 1000000; i++) {
        size_t n = (i % 4 == 0) ? random_decimal(&r, s, 20, 330)
                                : random_decimal(&r, s, 9, 40);
        check(&t, s, n, NULL);
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT(t.valid > 800000);
    CU_ASSERT(t.overflow > 1000); /* the family does reach overflow */
}

static void test_long_mantissas(void)
{
    rng_t r = {SEED ^ 1};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    for (int i = 0; i < 60000; i++) {
        size_t k = 0;
        if (rng_below(&r, 2))
            k = put_digits(&r, s, 1 + rng_below(&r, 40), 1);
        else
            s[k++] = '0';
        s[k++] = '.';
        unsigned nf = 17 + rng_below(&r, (i % 10 == 0) ? 780 : 120);
        /* Runs of 0s or 9s make the tail decide the rounding. */
        char fill = (char)(rng_below(&r, 3) == 0 ? '0' : rng_below(&r, 2) ? '9' : 0);
        for (unsigned j = 0; j < nf; j++)
            s[k++] = (fill && j > 3 && j + 3 < nf) ? fill
                                                   : (char)('0' + rng_below(&r, 10));
        if (rng_below(&r, 2))
            k += (size_t)sprintf(s + k, "e%d", (int)rng_below(&r, 600) - 300);
        s[k] = '\0';
        check(&t, s, k, NULL);
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT_EQUAL(t.valid + t.overflow, 60000);
}

static void test_extremes(void)
{
    rng_t r = {SEED ^ 2};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    /* Decimal prefixes of: DBL_MAX, the overflow threshold (DBL_MAX +
     * ulp/2), DBL_MIN and the largest subnormal around it, the smallest
     * subnormal and the halfway point between it and 0. */
    static const struct {
        const char *digits; /* significant digits, point after the first */
        int exp10;
    } anchors[] = {
        {"17976931348623157081452742373170435679807056752584", 308},
        {"17976931348623158079372897140530341507993413271003", 308},
        {"22250738585072013830902327173324040642192159804623", -308},
        {"22250738585072008890245868760858598876504231122409", -308},
        {"49406564584124654417656879286822137236505980261432", -324},
        {"24703282292062327208828439643411068618252990130716", -324},
        {"10000000000000000000000000000000000000000000000000", -323},
        {"99999999999999999999999999999999999999999999999999", 307},
    };
    for (int i = 0; i < 240000; i++) {
        int a = (int)rng_below(&r, sizeof anchors / sizeof *anchors);
        const char *dg = anchors[a].digits;
        size_t keep = 1 + rng_below(&r, 50), k = 0;
        if (rng_below(&r, 2))
            s[k++] = '-';
        /* Shift the point: d.ddd e(E) or dd.dd e(E-1) or 0.0dd e(E+2). */
        int shift = (int)rng_below(&r, 5) - 2;
        int e = anchors[a].exp10;
        if (shift < 0) {
            s[k++] = '0';
            s[k++] = '.';
            for (int z = 0; z < -shift - 1; z++)
                s[k++] = '0';
            memcpy(s + k, dg, keep);
            k += keep;
            e -= shift;
        } else {
            size_t ip = (size_t)shift + 1 < keep ? (size_t)shift + 1 : keep;
            memcpy(s + k, dg, ip);
            k += ip;
            s[k++] = '.';
            memcpy(s + k, dg + ip, keep - ip);
            k += keep - ip;
            e -= (int)ip - 1;
        }
        /* Perturb: random tail, or bump the last kept digit. */
        unsigned mode = rng_below(&r, 4);
        if (mode == 1)
            k += put_digits(&r, s + k, 1 + rng_below(&r, 30), 0);
        else if (mode == 2 && s[k - 1] >= '0' && s[k - 1] < '9')
            s[k - 1]++;
        else if (mode == 3 && s[k - 1] > '0' && s[k - 1] <= '9')
            s[k - 1]--;
        k += (size_t)sprintf(s + k, "e%d", e);
        s[k] = '\0';
        check(&t, s, k, NULL);
    }
    /* Subnormal range with random mantissas. */
    for (int i = 0; i < 200000; i++) {
        size_t k = 0;
        k += put_digits(&r, s, 1, 1);
        s[k++] = '.';
        k += put_digits(&r, s + k, rng_below(&r, 25), 0);
        k += (size_t)sprintf(s + k, "e-%d", 300 + (int)rng_below(&r, 30));
        s[k] = '\0';
        check(&t, s, k, NULL);
    }
    /* Exactly at the limits, printed exactly. */
    const double lim[] = {DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
                          nextafter(DBL_MIN, 0.0), nextafter(DBL_MAX, 0.0)};
    for (size_t i = 0; i < sizeof lim / sizeof *lim; i++) {
        int n = snprintf(s, sizeof s, "%.17g", lim[i]);
        check(&t, s, (size_t)n, &lim[i]);
        n = snprintf(s, sizeof s, "%.760e", lim[i]); /* exact decimal */
        check(&t, s, (size_t)n, &lim[i]);
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT(t.overflow > 1000);
    CU_ASSERT(t.valid > 400000);
}

static void test_printed_doubles(void)
{
    rng_t r = {SEED ^ 3};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    static const char *fmts[] = {"%.15g", "%.16g", "%.6g", "%.25e", "%.3f"};
    for (int i = 0; i < 800000; i++) {
        double d = random_bits_double(&r);
        /* Half the time a "data-like" magnitude instead of any exponent. */
        if (i % 2)
            d = ldexp(d, -ilogb(d) + (int)rng_below(&r, 60) - 30);
        int n = snprintf(s, sizeof s, "%.17g", d);
        check(&t, s, (size_t)n, &d); /* round trip */
        if (i % 4 == 0) {
            const char *f = fmts[rng_below(&r, 5)];
            if (f[2] == 'f' && fabs(d) > 1e30)
                continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            n = snprintf(s, sizeof s, f, d);
#pragma GCC diagnostic pop
            check(&t, s, (size_t)n, NULL);
        }
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT(t.valid > 900000);
}

/* Exact decimal expansions of the midpoint of two adjacent doubles (needs
 * a long double with >= 64 mantissa bits to hold it exactly), and the same
 * string with the last digit nudged down/up or a digit appended. */
static void test_halfway(void)
{
#if LDBL_MANT_DIG >= 64
    rng_t r = {SEED ^ 4};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    for (int i = 0; i < 150000; i++) {
        double d = random_bits_double(&r);
        d = fabs(ldexp(d, -ilogb(d) + (int)rng_below(&r, 80) - 40));
        double up = nextafter(d, HUGE_VAL);
        long double mid = ((long double)d + (long double)up) / 2.0L;
        /* |exponent| <= 41 and 54 significant bits: 100 fractional
         * decimal digits print the midpoint exactly. */
        int n = snprintf(s, sizeof s, "%.100Lf", mid);
        while (n > 1 && s[n - 1] == '0')
            n--;
        s[n] = '\0';
        check(&t, s, (size_t)n, NULL);
        char save = s[n - 1];
        if (save > '0') {
            s[n - 1] = (char)(save - 1); /* just below halfway */
            check(&t, s, (size_t)n, NULL);
            s[n - 1] = save;
        }
        s[n] = (char)('1' + rng_below(&r, 9)); /* just above halfway */
        s[n + 1] = '\0';
        check(&t, s, (size_t)n + 1, NULL);
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT(t.valid > 300000);
#else
    CU_PASS("long double too short for exact midpoints: skipped");
#endif
}

/* Mutated strings: a random insertion, deletion or replacement from a
 * small alphabet; the expectation comes from the grammar (valid -> same
 * value as strtod, invalid -> -1). */
static void test_mutations(void)
{
    rng_t r = {SEED ^ 5};
    tally t = {0, 0, 0, 0, 0};
    char s[1024];
    static const char alphabet[] = "0123456789+-.eE ,xX_inf";
    for (int i = 0; i < 400000; i++) {
        size_t n = random_decimal(&r, s, 8, 30);
        size_t at = rng_below(&r, (unsigned)n + 1);
        char c = alphabet[rng_below(&r, sizeof alphabet - 1)];
        switch (rng_below(&r, 3)) {
        case 0: /* insert */
            memmove(s + at + 1, s + at, n - at + 1);
            s[at] = c;
            n++;
            break;
        case 1: /* delete */
            if (at < n) {
                memmove(s + at, s + at + 1, n - at);
                n--;
            }
            break;
        default: /* replace */
            if (at < n)
                s[at] = c;
        }
        if (n == 0)
            continue;
        check(&t, s, n, NULL);
    }
    CU_ASSERT_EQUAL(t.failures, 0);
    CU_ASSERT(t.invalid > 50000);
    CU_ASSERT(t.valid > 50000);
}

/* The field need not be terminated: the parser must stop at len. */
static void test_unterminated(void)
{
    rng_t r = {SEED ^ 6};
    char s[1024];
    unsigned long bad = 0;
    for (int i = 0; i < 100000; i++) {
        size_t n = random_decimal(&r, s, 9, 40);
        char term[1024];
        memcpy(term, s, n + 1);
        /* Glue digits right after the field: they must not be read. */
        s[n] = (char)('0' + rng_below(&r, 10));
        s[n + 1] = '5';
        s[n + 2] = '\0';
        double a = 0.0, b = 0.0;
        int ra = kap_parse_double(s, n, &a);
        int rb = kap_parse_double(term, n, &b);
        if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof a) != 0))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int main(void)
{
    setlocale(LC_ALL, "C");
    CU_TestInfo tests[] = {
        {"random decimals (1M)", test_random_decimals},
        {"long mantissas (60k, up to 800 digits)", test_long_mantissas},
        {"near DBL_MAX, overflow, DBL_MIN, subnormals (440k)", test_extremes},
        {"printed random doubles, %.17g round trip (1M)", test_printed_doubles},
        {"halfway points and neighbours (450k)", test_halfway},
        {"mutated strings (400k)", test_mutations},
        {"unterminated fields", test_unterminated},
        CU_TEST_INFO_NULL};
    return kt_main("parse_exact", tests);
}
