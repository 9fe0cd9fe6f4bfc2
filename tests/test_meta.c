/* tests/test_meta.c - meta-analysis (kap_meta_fit) and stratified analyses
 * (kap_strat_*) against R 4.2.2 + metafor 3.8-1: rma(), confint(), escalc(),
 * rma.mh(), and stats::mantelhaen.test()
 * (tests/reference/meta.R -> meta.out; inputs are in meta.out as well). */
#include "kap_test.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference table, loaded once ------------------------------------- */
typedef struct ref_entry {
    char name[80];
    double value;
} ref_entry;

static ref_entry *refs;
static size_t n_refs;

static void refs_load(void)
{
    if (refs)
        return;
    char path[1024];
    kt_path(path, sizeof path, "reference/meta.out");
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t cap = 4096;
    refs = malloc(cap * sizeof *refs);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char name[80], val[64];
        if (line[0] == '#' || sscanf(line, "%79s %63s", name, val) != 2)
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

static int ref_has(const char *name)
{
    refs_load();
    for (size_t i = 0; i < n_refs; i++)
        if (strcmp(refs[i].name, name) == 0)
            return 1;
    return 0;
}

static double ref(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double ref(const char *fmt, ...)
{
    char name[80];
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

/* Compare with a message naming the reference on failure. */
static void check(double got, double want, double rtol, const char *what, const char *tag)
{
    if (!kt_close(got, want, rtol)) {
        fprintf(stderr, "  %s %s: got %.17g, R %.17g (rtol %g)\n", tag, what, got, want, rtol);
        CU_FAIL("value differs from R reference");
    } else {
        CU_PASS("matches R");
    }
}

/* |got - want| <= atol */
static void check_abs(double got, double want, double atol, const char *what, const char *tag)
{
    if (!(fabs(got - want) <= atol) && !(isnan(got) && isnan(want))) {
        fprintf(stderr, "  %s %s: got %.17g, R %.17g (atol %g)\n", tag, what, got, want, atol);
        CU_FAIL("value differs from R reference");
    } else {
        CU_PASS("matches R");
    }
}

/* ---- data sets ---------------------------------------------------------- */
#define MAXK 32
typedef struct dataset {
    double y[MAXK], v[MAXK];
    size_t k;
} dataset;

static void load_set(dataset *d, const char *name)
{
    d->k = (size_t)ref("%s.k", name);
    CU_ASSERT_FATAL(d->k >= 1 && d->k <= MAXK);
    for (size_t i = 0; i < d->k; i++) {
        d->y[i] = ref("%s.yi.%zu", name, i + 1);
        d->v[i] = ref("%s.vi.%zu", name, i + 1);
    }
}

static const char *sets[] = {"bcg", "normand", "k2", "homog", "hetero", "spread", "same", "k1"};
static const kap_meta_method methods[] = {KAP_META_FE, KAP_META_DL, KAP_META_REML, KAP_META_PM};

/* Compare a fit with metafor's rma() fields under prefix tag. */
static void check_fit(const kap_meta_result *r, const char *tag, double rtol)
{
    char name[96];
#define CK(field, rname) \
    do { snprintf(name, sizeof name, "%s.%s", tag, rname); \
         check(field, ref("%s", name), rtol, rname, tag); } while (0)
    CK(r->pooled.estimate, "beta");
    CK(r->pooled.se, "se");
    CK(r->pooled.statistic, "zval");
    CK(r->pooled.p_value, "pval");
    CK(r->pooled.ci_low, "ci.lb");
    CK(r->pooled.ci_high, "ci.ub");
    CK(r->Q, "QE");
    CK(r->Q_p, "QEp");
    CK(r->vt, "vt");
    CK(r->se_tau2, "se.tau2");
    /* tau2, I2 may be 0 in R and ~1e-17 here (or vice versa) */
    snprintf(name, sizeof name, "%s.tau2", tag);
    double t2 = ref("%s", name);
    if (t2 == 0.0)
        check_abs(r->tau2, 0.0, 1e-14, "tau2", tag);
    else
        check(r->tau2, t2, rtol, "tau2", tag);
    snprintf(name, sizeof name, "%s.I2", tag);
    double i2 = ref("%s", name);
    if (i2 == 0.0)
        check_abs(r->I2, 0.0, 1e-12, "I2", tag);
    else
        check(r->I2, i2, rtol, "I2", tag);
    CK(r->H2, "H2");
#undef CK
}

static void check_ci(const kap_meta_result *r, const char *tag, double rtol)
{
    static const char *names[] = {"tau2.lb", "tau2.ub", "I2.lb", "I2.ub", "H2.lb", "H2.ub"};
    const double got[] = {r->tau2_ci_low, r->tau2_ci_high, r->I2_ci_low,
                          r->I2_ci_high, r->H2_ci_low, r->H2_ci_high};
    for (int i = 0; i < 6; i++) {
        double want = ref("%s.%s", tag, names[i]);
        if (want == 0.0)
            check_abs(got[i], 0.0, 1e-12, names[i], tag);
        else
            check(got[i], want, rtol, names[i], tag);
    }
}

static double tol_for(kap_meta_method m)
{
    /* Closed forms (FE, DL): 1e-10.  REML and PM with default options
     * replay metafor's iterations, so they agree far below the 1e-6 target;
     * 1e-9 leaves room for rounding differences. */
    return (m == KAP_META_FE || m == KAP_META_DL) ? 1e-10 : 1e-9;
}

/* Every data set x method x test, default options, vs rma(). */
static void test_meta_vs_metafor(void)
{
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        dataset d;
        load_set(&d, sets[s]);
        for (size_t m = 0; m < 4; m++) {
            for (int t = 0; t <= 1; t++) {
                kap_meta_options o = KAP_META_OPTIONS_INIT;
                o.method = methods[m];
                o.test = t ? KAP_META_TEST_KNHA : KAP_META_TEST_Z;
                kap_meta_result r;
                kap_error e;
                int rc = kap_meta_fit(&r, d.y, d.v, d.k, &o, &e);
                if (rc)
                    fprintf(stderr, "%s: %s\n", sets[s], e.message);
                CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
                char tag[64];
                snprintf(tag, sizeof tag, "%s.%s.%s", sets[s], kap_meta_method_name(methods[m]),
                         t ? "knha" : "z");
                check_fit(&r, tag, tol_for(methods[m]));
                CU_ASSERT_EQUAL(r.k, d.k);
                CU_ASSERT_EQUAL(r.pooled.n1, d.k);
                CU_ASSERT_EQUAL(r.n_dropped, 0);
                CU_ASSERT_PTR_NOT_NULL(r.pooled.method);
                if (d.k == 1) {
                    /* metafor: test forced to z, no heterogeneity */
                    CU_ASSERT_EQUAL(r.test, KAP_META_TEST_Z);
                    CU_ASSERT_EQUAL(r.Q_df, 0.0);
                    KT_ASSERT_NAN(r.tau2_ci_low);
                    KT_ASSERT_NAN(r.pooled.df);
                    CU_ASSERT_PTR_NOT_NULL(r.het_note);
                    if (t) {
                        CU_ASSERT_PTR_NOT_NULL(r.pooled.note);
                    }
                } else {
                    CU_ASSERT_EQUAL(r.Q_df, (double)(d.k - 1));
                    if (t) {
                        CU_ASSERT_EQUAL(r.pooled.df, (double)(d.k - 1));
                    } else {
                        KT_ASSERT_NAN(r.pooled.df);
                    }
                }
                if (methods[m] == KAP_META_FE) {
                    KT_ASSERT_NAN(r.tau2_ci_low);
                    KT_ASSERT_NAN(r.I2_ci_high);
                    CU_ASSERT_PTR_NOT_NULL(r.het_note);
                }
                /* REML/PM at tight convergence vs metafor at
                 * control = list(threshold = 1e-12, tol = 1e-12) */
                if (methods[m] == KAP_META_REML || methods[m] == KAP_META_PM) {
                    o.threshold = 1e-12;
                    o.tol = 1e-12;
                    CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
                    snprintf(tag, sizeof tag, "%s.%s.%s.tight", sets[s],
                             kap_meta_method_name(methods[m]), t ? "knha" : "z");
                    check_fit(&r, tag, 1e-9);
                }
            }
        }
    }
}

/* Q-profile CI of tau2 and the I2/H2 CIs vs confint(). */
static void test_qprofile_vs_confint(void)
{
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        dataset d;
        load_set(&d, sets[s]);
        if (d.k < 2)
            continue;
        for (size_t m = 1; m < 4; m++) {
            const char *mn = kap_meta_method_name(methods[m]);
            char tag[64];
            kap_meta_options o = KAP_META_OPTIONS_INIT;
            o.method = methods[m];
            kap_meta_result r;
            CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
            snprintf(tag, sizeof tag, "%s.%s.ci", sets[s], mn);
            /* metafor's confint searches [0, max(100, 10 tau2)] and reports
             * the limit itself when the bound lies beyond it */
            double mf_ub = ref("%s.tau2.ub", tag);
            double mf_tau2 = ref("%s.%s.z.tau2", sets[s], mn);
            double limit = 10.0 * mf_tau2 > 100.0 ? 10.0 * mf_tau2 : 100.0;
            int limited = mf_ub == limit;
            if (!limited) {
                /* same Brent iterations as metafor's uniroot */
                check_ci(&r, tag, 1e-8);
            } else {
                /* metafor stops at tau2.max = max(100, 10 tau2) and reports
                 * that limit; we extend the search (documented). */
                CU_ASSERT(r.tau2_ci_high > mf_ub);
                check(r.tau2_ci_low, ref("%s.tau2.lb", tag), 1e-8, "tau2.lb", tag);
            }
            /* default tolerance (2^-13) vs the exact roots */
            snprintf(tag, sizeof tag, "%s.%s.citight", sets[s], mn);
            check_abs(r.tau2_ci_low, ref("%s.tau2.lb", tag), 2e-4, "tau2.lb", tag);
            check_abs(r.tau2_ci_high, ref("%s.tau2.ub", tag), 2e-4, "tau2.ub", tag);
            /* tight tolerance vs metafor's tight roots over [0, 1e6] */
            o.threshold = 1e-12;
            o.tol = 1e-12;
            CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
            check_ci(&r, tag, 1e-8);
            /* 90% CI */
            o = (kap_meta_options)KAP_META_OPTIONS_INIT;
            o.method = methods[m];
            o.conf_level = 0.90;
            CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
            snprintf(tag, sizeof tag, "%s.%s.ci90", sets[s], mn);
            if (!limited)
                check_ci(&r, tag, 1e-8);
            else
                check(r.tau2_ci_low, ref("%s.tau2.lb", tag), 1e-8, "tau2.lb", tag);
        }
    }
    /* the CI null set: Q(0) below the lower quantile */
    dataset d;
    load_set(&d, "homog");
    kap_meta_result r;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.tau2_ci_low, 0.0);
    CU_ASSERT_EQUAL(r.tau2_ci_high, 0.0);
    CU_ASSERT_PTR_NOT_NULL(r.het_note);
    /* tau2_ci = 0 turns the CI off */
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    o.tau2_ci = 0;
    load_set(&d, "bcg");
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
    KT_ASSERT_NAN(r.tau2_ci_low);
    KT_ASSERT_NAN(r.H2_ci_high);
}

static void test_conf_level(void)
{
    dataset d;
    load_set(&d, "bcg");
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    o.conf_level = 0.90;
    kap_meta_result r;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
    check_fit(&r, "bcg.REML.z.l90", 1e-9);
    CU_ASSERT_EQUAL(r.pooled.conf_level, 0.90);
    o.method = KAP_META_DL;
    o.test = KAP_META_TEST_KNHA;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
    check_fit(&r, "bcg.DL.knha.l90", 1e-10);
    /* opts NULL = REML, z, 95% */
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, NULL, NULL), KAP_OK);
    check_fit(&r, "bcg.REML.z", 1e-9);
    CU_ASSERT_EQUAL(r.method, KAP_META_REML);
    CU_ASSERT(r.iterations > 1 && r.iterations <= 101);
}

/* NaN pairs are dropped and counted; the fit equals the complete data. */
static void test_nan_policy(void)
{
    dataset d;
    load_set(&d, "bcg");
    double y[MAXK + 3], v[MAXK + 3];
    size_t n = 0;
    for (size_t i = 0; i < d.k; i++) {
        if (i == 2) {
            y[n] = NAN;
            v[n++] = 0.1;
        }
        if (i == 5) {
            y[n] = 0.3;
            v[n++] = NAN;
        }
        y[n] = d.y[i];
        v[n++] = d.v[i];
    }
    y[n] = NAN;
    v[n++] = -1.0; /* a NaN yi drops the pair before vi is validated */
    for (size_t m = 0; m < 4; m++) {
        kap_meta_options o = KAP_META_OPTIONS_INIT;
        o.method = methods[m];
        kap_meta_result r;
        CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, n, &o, NULL), KAP_OK);
        CU_ASSERT_EQUAL(r.n_dropped, 3);
        CU_ASSERT_EQUAL(r.k, d.k);
        char tag[64];
        snprintf(tag, sizeof tag, "bcg.%s.z", kap_meta_method_name(methods[m]));
        check_fit(&r, tag, tol_for(methods[m]));
    }
    double yn[] = {NAN, NAN}, vn[] = {0.1, 0.2};
    kap_meta_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, yn, vn, 2, NULL, &e), KAP_EDATA);
    CU_ASSERT_EQUAL(r.n_dropped, 2);
    CU_ASSERT_EQUAL(kap_meta_fit(&r, NULL, NULL, 0, NULL, &e), KAP_EDATA);
}

/* Scale equivariance with huge and tiny values: y * f, v * f^2 for
 * f = 1e100 and 1e-100 (the absolute tolerances threshold and tol are in
 * tau2 units, as metafor's, so they are scaled by f^2 too; at f = 1e-100
 * Brent needs ~700 bisections from metafor's interval [0, 100]).  Then
 * location equivariance: y + 1e4. */
static void test_extreme_scale(void)
{
    dataset d;
    load_set(&d, "bcg");
    double y[MAXK], v[MAXK];
    const double scales[] = {1e100, 1e-100};
    for (int sc = 0; sc < 2; sc++) {
        double f = scales[sc];
        for (size_t i = 0; i < d.k; i++) {
            y[i] = d.y[i] * f;
            v[i] = d.v[i] * f * f;
        }
        for (size_t m = 0; m < 4; m++) {
            kap_meta_options o = KAP_META_OPTIONS_INIT;
            o.method = methods[m];
            o.tol = 1e-12;
            o.threshold = 1e-12;
            o.tau2_ci = 0;
            kap_meta_result r, r0;
            CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r0, d.y, d.v, d.k, &o, NULL), KAP_OK);
            o.threshold = 1e-12 * f * f;
            o.tol = 1e-12 * f * f;
            o.maxiter = 2000;
            kap_error e;
            int rc = kap_meta_fit(&r, y, v, d.k, &o, &e);
            if (rc)
                fprintf(stderr, "scale %g: %s\n", f, e.message);
            CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
            KT_ASSERT_REL(r.pooled.estimate, r0.pooled.estimate * f, 1e-8);
            KT_ASSERT_REL(r.pooled.se, r0.pooled.se * f, 1e-8);
            KT_ASSERT_REL(r.pooled.p_value, r0.pooled.p_value, 1e-8);
            KT_ASSERT_REL(r.Q, r0.Q, 1e-10);
            KT_ASSERT_REL(r.I2, r0.I2, 1e-8);
            KT_ASSERT_REL(r.vt, r0.vt * f * f, 1e-10);
            KT_ASSERT_REL(r.tau2, r0.tau2 * f * f, 1e-8);
            KT_ASSERT_REL(r.se_tau2, r0.se_tau2 * f * f, 1e-8);
        }
    }
    for (size_t i = 0; i < d.k; i++)
        y[i] = d.y[i] + 1e4;
    for (size_t m = 0; m < 4; m++) {
        kap_meta_options o = KAP_META_OPTIONS_INIT;
        o.method = methods[m];
        o.tol = o.threshold = 1e-12;
        kap_meta_result r, r0;
        CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r0, d.y, d.v, d.k, &o, NULL), KAP_OK);
        CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, y, d.v, d.k, &o, NULL), KAP_OK);
        KT_ASSERT_REL(r.pooled.estimate - 1e4, r0.pooled.estimate, 1e-9);
        KT_ASSERT_REL(r.pooled.se, r0.pooled.se, 1e-9);
        KT_ASSERT_REL(r.Q, r0.Q, 1e-9);
        KT_ASSERT_REL(r.tau2, r0.tau2, 1e-9);
        KT_ASSERT_REL(r.tau2_ci_high, r0.tau2_ci_high, 1e-9);
    }
}

/* PM where metafor's search interval is too short (metafor stops): the
 * interval is extended; vs metafor with control tau2.max = 1e7, tol 1e-12. */
static void test_pm_extended_interval(void)
{
    dataset d;
    load_set(&d, "outlier");
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    o.method = KAP_META_PM;
    o.tol = 1e-12;
    kap_meta_result r;
    CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
    check_fit(&r, "outlier.PM.z.wide", 1e-9);
    /* default tol: the root is still within 2^-13 absolute */
    o.tol = 0.0001220703125;
    CU_ASSERT_EQUAL_FATAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, NULL), KAP_OK);
    check_abs(r.tau2, ref("outlier.PM.z.wide.tau2"), 2e-4, "tau2", "outlier default tol");
}

static void test_errors(void)
{
    double y[] = {0.1, 0.2, 0.3}, v[] = {0.01, 0.02, 0.03};
    kap_meta_result r;
    kap_error e;
    CU_ASSERT_EQUAL(kap_meta_fit(NULL, y, v, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_meta_fit(&r, NULL, v, 3, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, NULL, 3, NULL, &e), KAP_EINVAL);
    double bad_v[][3] = {{0.01, 0.0, 0.03}, {0.01, -0.02, 0.03}, {0.01, INFINITY, 0.03}};
    for (int i = 0; i < 3; i++) {
        e.message[0] = '\0';
        CU_ASSERT_EQUAL(kap_meta_fit(&r, y, bad_v[i], 3, NULL, &e), KAP_EINVAL);
        CU_ASSERT(strstr(e.message, "vi[1]") != NULL);
    }
    double bad_y[] = {0.1, -INFINITY, 0.3};
    CU_ASSERT_EQUAL(kap_meta_fit(&r, bad_y, v, 3, NULL, &e), KAP_EINVAL);
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    o.version = 0;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.conf_level = 1.0;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.method = (kap_meta_method)9;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.test = (kap_meta_test)5;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.threshold = 0.0;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.tol = NAN;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_meta_fit(&r, y, v, 3, &o, NULL), KAP_EINVAL);

    CU_ASSERT_STRING_EQUAL(kap_meta_method_name(KAP_META_PM), "PM");
    CU_ASSERT_PTR_NULL(kap_meta_method_name((kap_meta_method)7));
}

/* Iteration caps: KAP_ENOCONV with a message, never an endless loop. */
static void test_noconv(void)
{
    dataset d;
    load_set(&d, "bcg");
    kap_meta_result r;
    kap_error e;
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    o.maxiter = 1;
    o.threshold = 1e-14;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, &e), KAP_ENOCONV);
    CU_ASSERT(strstr(e.message, "REML") != NULL);
    o.method = KAP_META_PM;
    o.tol = 1e-14;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, &e), KAP_ENOCONV);
    CU_ASSERT(strstr(e.message, "Paule-Mandel") != NULL);
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    o.method = KAP_META_DL;
    o.ci_maxiter = 1;
    o.tol = 1e-14;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, &e), KAP_ENOCONV);
    CU_ASSERT(strstr(e.message, "Q-profile") != NULL);
    /* at metafor's maxiter = 100 REML converges on bcg */
    o = (kap_meta_options)KAP_META_OPTIONS_INIT;
    CU_ASSERT_EQUAL(kap_meta_fit(&r, d.y, d.v, d.k, &o, &e), KAP_OK);
}

/* ---- stratified mean difference ----------------------------------------- */
static void load_summary(kap_strat_summary *s, size_t *k)
{
    *k = 4;
    for (size_t i = 0; i < 4; i++) {
        s[i].n1 = ref("smd.n1.%zu", i + 1);
        s[i].mean1 = ref("smd.m1.%zu", i + 1);
        s[i].sd1 = ref("smd.sd1.%zu", i + 1);
        s[i].n2 = ref("smd.n2.%zu", i + 1);
        s[i].mean2 = ref("smd.m2.%zu", i + 1);
        s[i].sd2 = ref("smd.sd2.%zu", i + 1);
    }
}

static void test_strat_md(void)
{
    kap_strat_summary s[5];
    size_t k;
    load_summary(s, &k);
    kap_meta_result r;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 0, 0.95, NULL), KAP_OK);
    check_fit(&r, "smd.LS.FE", 1e-10);
    CU_ASSERT_EQUAL(r.method, KAP_META_FE);
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 1, 0.95, NULL), KAP_OK);
    check_fit(&r, "smd.HO.FE", 1e-10);
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 0, 0.90, NULL), KAP_OK);
    check_fit(&r, "smd.LS.FE.l90", 1e-10);
    /* from md and se */
    double md[5], se[5];
    for (size_t i = 0; i < k; i++) {
        md[i] = ref("smd.LS.yi.%zu", i + 1);
        se[i] = sqrt(ref("smd.LS.vi.%zu", i + 1));
    }
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, k, 0.95, NULL), KAP_OK);
    check_fit(&r, "smd.LS.FE", 1e-10);
    /* NaN stratum dropped */
    md[4] = 1.0;
    se[4] = NAN;
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, 5, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n_dropped, 1);
    check_fit(&r, "smd.LS.FE", 1e-10);
    s[4] = s[0];
    s[4].sd2 = NAN;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, 5, 1, 0.95, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n_dropped, 1);
    check_fit(&r, "smd.HO.FE", 1e-10);
    /* one stratum: the stratum itself */
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, 1, 0.95, NULL), KAP_OK);
    KT_ASSERT_REL(r.pooled.estimate, md[0], 1e-15);
    KT_ASSERT_REL(r.pooled.se, se[0], 1e-15);
    /* errors */
    kap_error e;
    se[1] = 0.0;
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, 4, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, NULL, 4, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_md(NULL, md, se, 4, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, 4, 0.0, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_md(&r, md, se, 0, 0.95, &e), KAP_EDATA);
    load_summary(s, &k);
    s[2].n1 = 0.0;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 0, 0.95, &e), KAP_EINVAL);
    load_summary(s, &k);
    s[2].sd1 = -1.0;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 0, 0.95, &e), KAP_EINVAL);
    load_summary(s, &k);
    s[2].sd1 = s[2].sd2 = 0.0;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 0, 0.95, &e), KAP_EINVAL);
    CU_ASSERT(strstr(e.message, "zero variance") != NULL);
    load_summary(s, &k);
    s[2].n1 = s[2].n2 = 1.0;
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, s, k, 1, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_md_summary(&r, NULL, k, 1, 0.95, &e), KAP_EINVAL);
}

/* ---- CMH ---------------------------------------------------------------- */
typedef struct tables {
    double a[16], b[16], c[16], d[16];
    size_t k;
} tables;

static void load_tables(tables *t, const char *name)
{
    t->k = (size_t)ref("cmh.%s.k", name);
    CU_ASSERT_FATAL(t->k >= 1 && t->k <= 12);
    for (size_t i = 0; i < t->k; i++) {
        t->a[i] = ref("cmh.%s.a.%zu", name, i + 1);
        t->b[i] = ref("cmh.%s.b.%zu", name, i + 1);
        t->c[i] = ref("cmh.%s.c.%zu", name, i + 1);
        t->d[i] = ref("cmh.%s.d.%zu", name, i + 1);
    }
}

static const char *tabsets[] = {"ucb", "zero", "kap", "nocc", "inf"};

/* A CMH test result vs mantelhaen.test() output under tag. */
static void check_htest(const kap_result *t, const char *tag, int ci_defined)
{
    check(t->statistic, ref("%s.X2", tag), 1e-10, "X2", tag);
    check(t->p_value, ref("%s.p", tag), 1e-10, "p", tag);
    check(t->estimate, ref("%s.est", tag), 1e-10, "est", tag);
    if (ci_defined) {
        check(t->ci_low, ref("%s.lb", tag), 1e-10, "lb", tag);
        check(t->ci_high, ref("%s.ub", tag), 1e-10, "ub", tag);
    }
    int cc = strstr(t->method, "with continuity") != NULL;
    CU_ASSERT_EQUAL(cc, (int)ref("%s.cc", tag));
    CU_ASSERT_EQUAL(t->df, 1.0);
}

static void test_cmh_vs_r(void)
{
    for (size_t s = 0; s < sizeof tabsets / sizeof *tabsets; s++) {
        const char *tn = tabsets[s];
        int finite_or = strcmp(tn, "inf") != 0;
        tables t;
        load_tables(&t, tn);
        char tag[64];
        kap_cmh_result r;
        kap_error e;
        int rc = kap_strat_cmh(&r, t.a, t.b, t.c, t.d, t.k, KAP_TWO_SIDED, 0.95, &e);
        CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
        CU_ASSERT_EQUAL(r.k, t.k);
        CU_ASSERT_EQUAL(r.n_dropped, 0);
        snprintf(tag, sizeof tag, "cmh.%s.corr", tn);
        check_htest(&r.cmh, tag, finite_or);
        snprintf(tag, sizeof tag, "cmh.%s.uncorr", tn);
        check_htest(&r.cmh_uncorrected, tag, finite_or);
        if (!finite_or) {
            /* R: estimate Inf, CI NaN; here CI NaN with a note */
            CU_ASSERT(isinf(r.mh_or.estimate));
            KT_ASSERT_NAN(r.mh_or.ci_low);
            KT_ASSERT_NAN(r.mh_or.se);
            CU_ASSERT_PTR_NOT_NULL(r.mh_or.note);
            KT_ASSERT_NAN(r.breslow_day.statistic);
            CU_ASSERT_PTR_NOT_NULL(r.breslow_day.note);
        } else {
            /* metafor::rma.mh(measure = "OR"): log scale */
            snprintf(tag, sizeof tag, "cmh.%s.or", tn);
            check(log(r.mh_or.estimate), ref("%s.beta", tag), 1e-10, "beta", tag);
            check(r.mh_or.se, ref("%s.se", tag), 1e-10, "se", tag);
            check(r.mh_or.statistic, ref("%s.zval", tag), 1e-10, "zval", tag);
            check(r.mh_or.p_value, ref("%s.pval", tag), 1e-10, "pval", tag);
            check(log(r.mh_or.ci_low), ref("%s.ci.lb", tag), 1e-10, "ci.lb", tag);
            check(log(r.mh_or.ci_high), ref("%s.ci.ub", tag), 1e-10, "ci.ub", tag);
            check(r.breslow_day.statistic, ref("%s.BD", tag), 1e-10, "BD", tag);
            check(r.breslow_day.p_value, ref("%s.BDp", tag), 1e-10, "BDp", tag);
            check(r.breslow_day_tarone.statistic, ref("%s.TA", tag), 1e-10, "TA", tag);
            check(r.breslow_day_tarone.p_value, ref("%s.TAp", tag), 1e-10, "TAp", tag);
            CU_ASSERT_EQUAL(r.breslow_day.df, ref("%s.k.pos", tag) - 1.0);
            /* metafor::rma.mh(measure = "RR") (= the Greenland-Robins formula
             * written out in meta.R) */
            snprintf(tag, sizeof tag, "cmh.%s.rr", tn);
            check(log(r.mh_rr.estimate), ref("%s.beta", tag), 1e-10, "beta", tag);
            check(r.mh_rr.se, ref("%s.se", tag), 1e-10, "se", tag);
            check(r.mh_rr.statistic, ref("%s.zval", tag), 1e-10, "zval", tag);
            check(r.mh_rr.p_value, ref("%s.pval", tag), 1e-10, "pval", tag);
            check(log(r.mh_rr.ci_low), ref("%s.ci.lb", tag), 1e-10, "ci.lb", tag);
            check(log(r.mh_rr.ci_high), ref("%s.ci.ub", tag), 1e-10, "ci.ub", tag);
        }
        /* 90% */
        CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, t.a, t.b, t.c, t.d, t.k, KAP_TWO_SIDED, 0.90, NULL),
                              KAP_OK);
        snprintf(tag, sizeof tag, "cmh.%s.corr90", tn);
        check_htest(&r.cmh, tag, finite_or);
        if (finite_or) {
            snprintf(tag, sizeof tag, "cmh.%s.rr90", tn);
            check(log(r.mh_rr.ci_low), ref("%s.lb", tag), 1e-10, "lb", tag);
            check(log(r.mh_rr.ci_high), ref("%s.ub", tag), 1e-10, "ub", tag);
        }
        /* one-sided */
        for (int alt = 1; alt <= 2; alt++) {
            const char *an = alt == 1 ? "less" : "greater";
            CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, t.a, t.b, t.c, t.d, t.k,
                                                (kap_alternative)alt, 0.95, NULL),
                                  KAP_OK);
            snprintf(tag, sizeof tag, "cmh.%s.corr.%s", tn, an);
            check_htest(&r.cmh, tag, finite_or);
            snprintf(tag, sizeof tag, "cmh.%s.uncorr.%s", tn, an);
            check_htest(&r.cmh_uncorrected, tag, finite_or);
            if (finite_or) {
                /* half-open interval */
                CU_ASSERT(alt == 1 ? r.mh_or.ci_low == 0.0 : isinf(r.mh_or.ci_high));
            }
        }
    }
}

static void test_cmh_edges(void)
{
    tables t;
    load_tables(&t, "kap");
    kap_cmh_result r0, r;
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r0, t.a, t.b, t.c, t.d, t.k, KAP_TWO_SIDED, 0.95, NULL),
                          KAP_OK);
    /* a table with a NaN cell and one with total 1 are dropped */
    size_t k = t.k;
    t.a[k] = NAN; t.b[k] = 1; t.c[k] = 2; t.d[k] = 3;
    t.a[k + 1] = 0; t.b[k + 1] = 0; t.c[k + 1] = 1; t.d[k + 1] = 0;
    t.a[k + 2] = 0; t.b[k + 2] = 0; t.c[k + 2] = 0; t.d[k + 2] = 0;
    CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, t.a, t.b, t.c, t.d, k + 3, KAP_TWO_SIDED, 0.95, NULL),
                          KAP_OK);
    CU_ASSERT_EQUAL(r.k, k);
    CU_ASSERT_EQUAL(r.n_dropped, 3);
    KT_ASSERT_REL(r.cmh.statistic, r0.cmh.statistic, 1e-14);
    KT_ASSERT_REL(r.mh_or.estimate, r0.mh_or.estimate, 1e-14);
    KT_ASSERT_REL(r.breslow_day.statistic, r0.breslow_day.statistic, 1e-14);
    /* a table with a zero margin adds nothing to Breslow-Day and its df */
    t.a[k] = 5; t.b[k] = 7; t.c[k] = 0; t.d[k] = 0;
    CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, t.a, t.b, t.c, t.d, k + 1, KAP_TWO_SIDED, 0.95, NULL),
                          KAP_OK);
    CU_ASSERT_EQUAL(r.breslow_day.df, r0.breslow_day.df);
    KT_ASSERT_REL(r.mh_or.estimate, r0.mh_or.estimate, 1e-14);
    /* a single table: Breslow-Day has no df */
    CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, t.a, t.b, t.c, t.d, 1, KAP_TWO_SIDED, 0.95, NULL),
                          KAP_OK);
    CU_ASSERT_EQUAL(r.breslow_day.df, 0.0);
    KT_ASSERT_NAN(r.breslow_day.p_value);
    CU_ASSERT_PTR_NOT_NULL(r.breslow_day.note);
    /* OR exactly 1 in every table: Breslow-Day 0 */
    double a1[] = {2, 3}, b1[] = {4, 6}, c1[] = {1, 5}, d1[] = {2, 10};
    CU_ASSERT_EQUAL_FATAL(kap_strat_cmh(&r, a1, b1, c1, d1, 2, KAP_TWO_SIDED, 0.95, NULL), KAP_OK);
    KT_ASSERT_REL(r.mh_or.estimate, 1.0, 1e-15);
    CU_ASSERT(fabs(r.breslow_day.statistic) < 1e-20);
    /* errors */
    double neg[] = {-1, 2};
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, neg, b1, c1, d1, 2, KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    double inf[] = {1, INFINITY};
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, a1, inf, c1, d1, 2, KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, a1, b1, NULL, d1, 2, KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_cmh(NULL, a1, b1, c1, d1, 2, KAP_TWO_SIDED, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, a1, b1, c1, d1, 2, (kap_alternative)7, 0.95, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, a1, b1, c1, d1, 2, KAP_TWO_SIDED, 1.5, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, a1, b1, c1, d1, 0, KAP_TWO_SIDED, 0.95, &e), KAP_EDATA);
    double z[] = {0}, o1[] = {1};
    CU_ASSERT_EQUAL(kap_strat_cmh(&r, z, z, z, o1, 1, KAP_TWO_SIDED, 0.95, &e), KAP_EDATA);
    CU_ASSERT_EQUAL(r.n_dropped, 1);
}

static void test_woolf(void)
{
    for (size_t s = 0; s < sizeof tabsets / sizeof *tabsets; s++) {
        tables t;
        load_tables(&t, tabsets[s]);
        kap_meta_result r;
        char tag[64];
        CU_ASSERT_EQUAL_FATAL(kap_strat_woolf(&r, t.a, t.b, t.c, t.d, t.k, NULL, NULL), KAP_OK);
        snprintf(tag, sizeof tag, "woolf.%s.FE", tabsets[s]);
        check_fit(&r, tag, 1e-10);
        snprintf(tag, sizeof tag, "woolf.%s.REML.beta", tabsets[s]);
        if (ref_has(tag)) {
            kap_meta_options o = KAP_META_OPTIONS_INIT;
            CU_ASSERT_EQUAL_FATAL(kap_strat_woolf(&r, t.a, t.b, t.c, t.d, t.k, &o, NULL), KAP_OK);
            snprintf(tag, sizeof tag, "woolf.%s.REML", tabsets[s]);
            check_fit(&r, tag, 1e-9);
        }
    }
    tables t;
    load_tables(&t, "kap");
    kap_meta_result r;
    kap_error e;
    t.d[1] = NAN;
    CU_ASSERT_EQUAL(kap_strat_woolf(&r, t.a, t.b, t.c, t.d, t.k, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL(r.n_dropped, 1);
    t.d[1] = -2;
    CU_ASSERT_EQUAL(kap_strat_woolf(&r, t.a, t.b, t.c, t.d, t.k, NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_strat_woolf(NULL, t.a, t.b, t.c, t.d, t.k, NULL, &e), KAP_EINVAL);
    kap_meta_options bad = KAP_META_OPTIONS_INIT;
    bad.version = 99;
    t.d[1] = 2;
    CU_ASSERT_EQUAL(kap_strat_woolf(&r, t.a, t.b, t.c, t.d, t.k, &bad, &e), KAP_EINVAL);
}

#ifdef KAP_FAULT_INJECTION
static void test_enomem(void)
{
    dataset d;
    load_set(&d, "bcg");
    kap_meta_result r;
    kap_test_fail_alloc_at(1);
    int rc = kap_meta_fit(&r, d.y, d.v, d.k, NULL, NULL);
    kap_test_fail_alloc_at(0);
    CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
    double md[] = {1, 2}, se[] = {1, 1};
    for (unsigned long i = 1; i <= 2; i++) {
        kap_test_fail_alloc_at(i);
        rc = kap_strat_md(&r, md, se, 2, 0.95, NULL);
        kap_test_fail_alloc_at(0);
        CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
    }
    double a[] = {1, 2}, b[] = {3, 4}, c[] = {5, 6}, dd[] = {7, 8};
    for (unsigned long i = 1; i <= 2; i++) {
        kap_test_fail_alloc_at(i);
        rc = kap_strat_woolf(&r, a, b, c, dd, 2, NULL, NULL);
        kap_test_fail_alloc_at(0);
        CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
    }
    kap_strat_summary s[1] = {{10, 1, 1, 10, 0, 1}};
    for (unsigned long i = 1; i <= 2; i++) {
        kap_test_fail_alloc_at(i);
        rc = kap_strat_md_summary(&r, s, 1, 0, 0.95, NULL);
        kap_test_fail_alloc_at(0);
        CU_ASSERT_EQUAL(rc, KAP_ENOMEM);
    }
}
#endif

int main(void)
{
    CU_TestInfo tests[] = {
        {"rma() FE/DL/REML/PM x z/knha vs metafor", test_meta_vs_metafor},
        {"Q-profile tau2/I2/H2 CI vs confint()", test_qprofile_vs_confint},
        {"conf level, defaults", test_conf_level},
        {"NaN policy", test_nan_policy},
        {"huge and tiny values (equivariance)", test_extreme_scale},
        {"PM with extended search interval", test_pm_extended_interval},
        {"errors", test_errors},
        {"iteration caps -> KAP_ENOCONV", test_noconv},
        {"stratified mean difference vs escalc/rma", test_strat_md},
        {"CMH/MH/Breslow-Day vs mantelhaen.test, rma.mh", test_cmh_vs_r},
        {"CMH edge cases and errors", test_cmh_edges},
        {"Woolf vs escalc/rma", test_woolf},
#ifdef KAP_FAULT_INJECTION
        {"out of memory", test_enomem},
#endif
        CU_TEST_INFO_NULL};
    int rc = kt_main("meta", tests);
    free(refs);
    return rc;
}
