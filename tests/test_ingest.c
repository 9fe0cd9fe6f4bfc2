/* tests/test_ingest.c - trial CSV ingestion (wide and long layouts), the
 * streaming CSV reader, and the internal SHA-256.
 *
 * References: SHA-256 against the FIPS 180-4 example messages (NIST CSRC
 * "Examples with intermediate values", SHA256.pdf) and sha256sum; the
 * trial model against values typed in the fixtures (tests/data/ingest/)
 * or in the CSV strings below.
 *
 * Locale test: runs only where a decimal-comma locale exists
 * (newlocale(LC_NUMERIC_MASK, "de_DE.UTF-8") succeeds).  CI has none; to
 * run it locally:
 *   localedef -i de_DE -f UTF-8 /tmp/kaploc/de_DE.UTF-8
 *   LOCPATH=/tmp/kaploc build/tests/test_ingest */
#include "kap_test.h"
#include "ingest_internal.h"
#include "sha256_internal.h"

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static kap_trial *ingest_opts(const char *csv, const kap_ingest_options *o)
{
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_memory(&t, "t.csv", csv, strlen(csv), o, &e);
    if (rc)
        fprintf(stderr, "unexpected error %d: %s:%lu:%lu: %s\n", rc, e.file,
                e.line, e.column, e.message);
    CU_ASSERT_EQUAL(rc, KAP_OK);
    return t;
}

static kap_trial *ingest(const char *csv) { return ingest_opts(csv, NULL); }

/* Ingestion of csv must fail with KAP_EINPUT at t.csv:line:column and a
 * message containing `expect`. */
static void expect_err_opts(const char *csv, const kap_ingest_options *o,
                            unsigned long line, unsigned long column,
                            const char *expect, int srcline)
{
    kap_trial *t = (kap_trial *)1;
    kap_error e;
    memset(&e, 0, sizeof e);
    int rc = kap_ingest_memory(&t, "t.csv", csv, strlen(csv), o, &e);
    int ok = rc == KAP_EINPUT && e.code == KAP_EINPUT && t == NULL &&
             strcmp(e.file, "t.csv") == 0 && e.line == line &&
             e.column == column && strstr(e.message, expect) != NULL;
    if (!ok)
        fprintf(stderr,
                "test_ingest.c:%d: expected t.csv:%lu:%lu '%s', got rc %d "
                "%s:%lu:%lu '%s'\n",
                srcline, line, column, expect, rc, e.file, e.line, e.column,
                e.message);
    CU_ASSERT(ok);
    if (rc == KAP_OK)
        kap_trial_free(t);
}

#define EXPECT_ERR(csv, line, col, msg) \
    expect_err_opts((csv), NULL, (line), (col), (msg), __LINE__)
#define EXPECT_ERR_OPTS(csv, o, line, col, msg) \
    expect_err_opts((csv), (o), (line), (col), (msg), __LINE__)

static size_t instr_index(const kap_trial *t, const char *name)
{
    size_t k = (size_t)-1;
    CU_ASSERT_EQUAL(kap_trial_find_instrument(t, name, &k, NULL), KAP_OK);
    return k;
}

static size_t cov_index(const kap_trial *t, const char *name)
{
    size_t c = (size_t)-1;
    CU_ASSERT_EQUAL(kap_trial_find_covariate(t, name, &c, NULL), KAP_OK);
    return c;
}

static double score(const kap_trial *t, const char *instr, size_t i,
                    const char *visit)
{
    size_t k = instr_index(t, instr), v = 0;
    if (kap_trial_find_visit(t, k, visit, &v, NULL) != KAP_OK) {
        CU_FAIL("visit not found");
        return -12345;
    }
    return kap_trial_scores(t, k)[i * kap_trial_n_visits(t, k) + v];
}

static const char *level_of(const kap_trial *t, const char *cov, size_t i)
{
    size_t c = cov_index(t, cov);
    int32_t code = kap_trial_covariate_codes(t, c)[i];
    return code < 0 ? NULL : kap_trial_covariate_level(t, c, (size_t)code);
}

static char tmpdir[64];

static const char *tmpfile_with(const char *name, const char *content)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(content, 1, strlen(content), f);
    fclose(f);
    return p;
}

static const char *fixture(char *buf, size_t n, const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "data/ingest/%s", name);
    return kt_path(buf, n, rel);
}

/* ---- SHA-256 --------------------------------------------------------------- */

static void hex_of(const char *msg, size_t len, char hex[65])
{
    kap_sha256 s;
    kap_sha256_init(&s);
    kap_sha256_update(&s, msg, len);
    kap_sha256_final_hex(&s, hex);
}

/* FIPS 180-4 examples: "abc", the empty message, the 448-bit message, and
 * one million 'a' (the last from FIPS 180-2 appendix B.3). */
static void test_sha256_vectors(void)
{
    char hex[65];
    hex_of("abc", 3, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of("", 0, hex);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), hex);
    CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    kap_sha256 s;
    kap_sha256_init(&s);
    char a[1000];
    memset(a, 'a', sizeof a);
    for (int i = 0; i < 1000; i++)
        kap_sha256_update(&s, a, sizeof a);
    kap_sha256_final_hex(&s, hex);
    CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Feeding in pieces of every size gives the same digest (block and
 * padding boundaries: 55, 56, 63, 64, 65 bytes). */
static void test_sha256_streaming(void)
{
    char msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('a' + i % 26);
    size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200};
    for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
        char whole[65];
        hex_of(msg, lens[l], whole);
        for (size_t piece = 1; piece <= 70; piece += 3) {
            kap_sha256 s;
            kap_sha256_init(&s);
            for (size_t o = 0; o < lens[l]; o += piece)
                kap_sha256_update(&s, msg + o,
                                  lens[l] - o < piece ? lens[l] - o : piece);
            char hex[65];
            kap_sha256_final_hex(&s, hex);
            CU_ASSERT_STRING_EQUAL(hex, whole);
        }
    }
}

/* ---- wide layout ------------------------------------------------------------- */

static void test_wide_basic(void)
{
    const char *csv =
        "participant_id,arm,madrs_bl,madrs_w4,madrs_w2,hamd17_baseline,cadss_d1\n"
        "P1,Placebo,30,20,25,22,10\n"
        "P2,Drug,28,,26,20,0\n"
        "P3,Drug,31,10,NA,21,92\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(kap_trial_n_participants(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 0), "P1");
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 2), "P3");
    /* arms sorted by byte order */
    CU_ASSERT_EQUAL(kap_trial_n_arms(t), 2);
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 0), "Drug");
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 1), "Placebo");
    CU_ASSERT_EQUAL(kap_trial_arms(t)[0], 1);
    CU_ASSERT_EQUAL(kap_trial_arms(t)[1], 0);
    /* instruments in the canonical order, with kinds and ranges */
    CU_ASSERT_EQUAL(kap_trial_n_instruments(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 0), "madrs");
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 1), "hamd17");
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 2), "cadss");
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, 0), KAP_INSTR_DEPRESSION);
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, 2), KAP_INSTR_DISSOCIATION);
    double lo, hi;
    kap_trial_instrument_range(t, 1, &lo, &hi);
    CU_ASSERT_EQUAL(lo, 0);
    CU_ASSERT_EQUAL(hi, 52);
    kap_trial_instrument_range(t, 2, &lo, &hi);
    CU_ASSERT_EQUAL(hi, 92);
    /* visits: baseline first, then by day (w2 before w4 though later in
     * the header) */
    CU_ASSERT_EQUAL(kap_trial_n_visits(t, 0), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, 0, 0), "baseline");
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, 0, 1), "w2");
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, 0, 2), "w4");
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, 0, 0), 0);
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, 0, 1), 14);
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, 0, 2), 28);
    CU_ASSERT_EQUAL(kap_trial_baseline_visit(t, 0), 0);
    CU_ASSERT_EQUAL(kap_trial_baseline_visit(t, 2), -1);
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, 2, 0), 1);
    /* scores row-major, NaN missing */
    const double *s = kap_trial_scores(t, 0);
    CU_ASSERT_EQUAL(s[0], 30);
    CU_ASSERT_EQUAL(s[1], 25);
    CU_ASSERT_EQUAL(s[2], 20);
    CU_ASSERT(isnan(s[3 + 2]));
    CU_ASSERT(isnan(s[6 + 1]));
    CU_ASSERT_EQUAL(s[6 + 2], 10);
    CU_ASSERT_EQUAL(score(t, "cadss", 2, "d1"), 92);
    CU_ASSERT_EQUAL(kap_trial_n_covariates(t), 0);
    CU_ASSERT_EQUAL(kap_trial_n_ae_terms(t), 0);
    /* provenance */
    CU_ASSERT_STRING_EQUAL(kap_trial_source_layout(t), "wide");
    CU_ASSERT_STRING_EQUAL(kap_trial_writer_version(t), kap_version());
    CU_ASSERT_EQUAL(kap_trial_n_sources(t), 1);
    CU_ASSERT_STRING_EQUAL(kap_trial_source_name(t, 0), "t.csv");
    kap_trial_free(t);
}

/* Source hash equals sha256sum of the same bytes. */
static void test_source_sha256(void)
{
    kap_trial *t = ingest("participant_id,arm,madrs_bl\nP1,A,30\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* printf 'participant_id,arm,madrs_bl\nP1,A,30\n' | sha256sum */
    CU_ASSERT_STRING_EQUAL(kap_trial_source_sha256(t, 0),
                           "b96d964e22fcbb0241bf2c681d6d4c9b3c38c8ff14fc0553b918f2d9bccc0c6d");
    kap_trial_free(t);
}

static void test_wide_visit_labels(void)
{
    const char *csv =
        "participant_id,arm,madrs_Week 4,madrs_followup,madrs_day0,madrs_m2,"
        "madrs_mo1,madrs_month_3,madrs_d1,madrs_wk1,phq9_W0,phq9_week-8,"
        "bdi2_D0,qids16_BL,pcl5_Baseline,hr_wk0,sbp_d10,dbp_day10\n"
        "P1,A,1,2,3,4,5,6,7,8,9,10,11,12,13,70,120,80\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    size_t k = instr_index(t, "madrs");
    /* baseline, d1, wk1, week4, mo1 (30.4375), m2, month3, then followup */
    const char *labels[] = {"baseline", "d1", "wk1", "week4", "mo1", "m2",
                            "month3", "followup"};
    double days[] = {0, 1, 7, 28, 30.4375, 60.875, 91.3125, NAN};
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_visits(t, k), 8);
    for (size_t v = 0; v < 8; v++) {
        CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, v), labels[v]);
        KT_ASSERT_REL(kap_trial_visit_day(t, k, v), days[v], 0);
    }
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "baseline"), 3);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "followup"), 2);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "month3"), 6);
    /* every baseline alias, each instrument */
    const char *names[] = {"phq9", "bdi2", "qids16", "pcl5", "hr"};
    for (size_t i = 0; i < 5; i++) {
        size_t kk = instr_index(t, names[i]);
        CU_ASSERT_EQUAL(kap_trial_baseline_visit(t, kk), 0);
        CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, kk, 0), "baseline");
    }
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, instr_index(t, "phq9"), 1), "week8");
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, instr_index(t, "hr")), KAP_INSTR_VITAL);
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, instr_index(t, "pcl5")), KAP_INSTR_PTSD);
    CU_ASSERT_EQUAL(score(t, "dbp", 0, "day10"), 80);
    kap_trial_free(t);
}

/* Generic outcomes need a recognisable visit; otherwise a covariate. */
static void test_wide_generic(void)
{
    const char *csv =
        "participant_id,arm,mood_w2,mood_bl,weight_loss,sleep_quality_d3,"
        "hr_rest\n"
        "P1,A,3,5,1.5,7,60\n"
        "P2,A,-4,1e3,2,,61\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    size_t k = instr_index(t, "mood");
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, k), KAP_INSTR_GENERIC);
    double lo, hi;
    kap_trial_instrument_range(t, k, &lo, &hi);
    CU_ASSERT(isnan(lo) && isnan(hi));
    /* no range check for generic outcomes */
    CU_ASSERT_EQUAL(score(t, "mood", 1, "w2"), -4);
    CU_ASSERT_EQUAL(score(t, "mood", 1, "baseline"), 1000);
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, 0), "baseline");
    /* the first split from the left with a recognisable visit */
    CU_ASSERT_EQUAL(score(t, "sleep_quality", 0, "d3"), 7);
    /* a known instrument takes any label: hr visit "rest" */
    CU_ASSERT_EQUAL(score(t, "hr", 1, "rest"), 61);
    CU_ASSERT(isnan(kap_trial_visit_day(t, instr_index(t, "hr"), 0)));
    /* weight_loss: no visit -> numeric covariate */
    size_t c = cov_index(t, "weight_loss");
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, c), KAP_COV_NUMERIC);
    CU_ASSERT_EQUAL(kap_trial_covariate_values(t, c)[0], 1.5);
    CU_ASSERT_EQUAL(kap_trial_n_covariates(t), 1);
    kap_trial_free(t);
}

static void test_wide_covariates(void)
{
    const char *csv =
        "participant_id,arm,Site,AGE,sex,race,ethnicity,format,therapy_group,"
        "Dose_mg,Notes,prior_ect\n"
        "P1,A,006,34,F,White,Not Hispanic,Group,g1,0.5,\"x, y\",1\n"
        "P2,A,010,NA,M,,,individual,g2,1,NA,0\n"
        "P3,B,006,40.5,F,Asian,Hispanic,, g1 ,.,b,1\n"
        "P4,B,2,61,,Black,Hispanic,group,,1.5,A,yes\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* sorted by name, names lower-cased */
    const char *names[] = {"age", "dose_mg", "ethnicity", "format", "notes",
                           "prior_ect", "race", "sex", "site", "therapy_group"};
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_covariates(t), 10);
    for (size_t c = 0; c < 10; c++)
        CU_ASSERT_STRING_EQUAL(kap_trial_covariate_name(t, c), names[c]);
    /* age numeric */
    size_t c = cov_index(t, "age");
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, c), KAP_COV_NUMERIC);
    const double *age = kap_trial_covariate_values(t, c);
    CU_ASSERT_EQUAL(age[0], 34);
    CU_ASSERT(isnan(age[1]));
    CU_ASSERT_EQUAL(age[2], 40.5);
    CU_ASSERT_PTR_NULL(kap_trial_covariate_codes(t, c));
    /* site: always categorical, text kept ("006" stays), levels sorted */
    c = cov_index(t, "site");
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, c), KAP_COV_CATEGORICAL);
    CU_ASSERT_EQUAL(kap_trial_covariate_n_levels(t, c), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 0), "006");
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 1), "010");
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 2), "2");
    CU_ASSERT_EQUAL(kap_trial_covariate_codes(t, c)[3], 2);
    CU_ASSERT_PTR_NULL(kap_trial_covariate_values(t, c));
    /* missing -> -1 */
    CU_ASSERT_PTR_NULL(level_of(t, "sex", 3));
    CU_ASSERT_PTR_NULL(level_of(t, "race", 1));
    CU_ASSERT_STRING_EQUAL(level_of(t, "ethnicity", 3), "Hispanic");
    /* format canonical lower case */
    c = cov_index(t, "format");
    CU_ASSERT_EQUAL(kap_trial_covariate_n_levels(t, c), 2);
    CU_ASSERT_STRING_EQUAL(level_of(t, "format", 0), "group");
    CU_ASSERT_STRING_EQUAL(level_of(t, "format", 1), "individual");
    CU_ASSERT_PTR_NULL(level_of(t, "format", 2));
    CU_ASSERT_STRING_EQUAL(level_of(t, "format", 3), "group");
    /* values trimmed */
    CU_ASSERT_STRING_EQUAL(level_of(t, "therapy_group", 2), "g1");
    CU_ASSERT_EQUAL(kap_trial_covariate_n_levels(t, cov_index(t, "therapy_group")), 2);
    /* other numeric covariate; '.' is missing */
    c = cov_index(t, "dose_mg");
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, c), KAP_COV_NUMERIC);
    CU_ASSERT(isnan(kap_trial_covariate_values(t, c)[2]));
    CU_ASSERT_EQUAL(kap_trial_covariate_values(t, c)[3], 1.5);
    /* one non-number makes a column categorical */
    c = cov_index(t, "prior_ect");
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, c), KAP_COV_CATEGORICAL);
    CU_ASSERT_EQUAL(kap_trial_covariate_n_levels(t, c), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 2), "yes");
    /* quoted comma kept; byte order: "A" < "b" < "x, y" */
    c = cov_index(t, "notes");
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 0), "A");
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 1), "b");
    CU_ASSERT_STRING_EQUAL(kap_trial_covariate_level(t, c, 2), "x, y");
    CU_ASSERT_PTR_NULL(level_of(t, "notes", 1));
    kap_trial_free(t);
}

static void test_wide_ae(void)
{
    const char *csv = "participant_id,arm,ae_Nausea,ae_dizziness,ae_headache\n"
                      "P1,A,1,0,\n"
                      "P2,A,0,NA,1\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_ae_terms(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_ae_term(t, 0), "dizziness");
    CU_ASSERT_STRING_EQUAL(kap_trial_ae_term(t, 1), "headache");
    CU_ASSERT_STRING_EQUAL(kap_trial_ae_term(t, 2), "nausea");
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 0)[0], 0);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 0)[1], -1);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 1)[0], -1);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 1)[1], 1);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 2)[0], 1);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 2)[1], 0);
    kap_trial_free(t);
}

static void test_missing_codes(void)
{
    const char *csv = "participant_id,arm,madrs_bl,age\n"
                      "P1,A,,1\nP2,A,NA,2\nP3,A,n/a,3\nP4,A,.,4\nP5,A,NaN,5\n"
                      "P6,A,nan,6\nP7,A,-99,-99\nP8,A,  na  ,7\n";
    EXPECT_ERR(csv, 8, 3, "value '-99' is out of range for madrs");
    const char *codes[] = {"-99"};
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.missing_codes = codes;
    o.n_missing_codes = 1;
    kap_trial *t = ingest_opts(csv, &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    const double *s = kap_trial_scores(t, 0);
    for (size_t i = 0; i < 8; i++)
        CU_ASSERT(isnan(s[i]));
    CU_ASSERT(isnan(kap_trial_covariate_values(t, 0)[6]));
    CU_ASSERT_EQUAL(kap_trial_covariate_values(t, 0)[5], 6);
    kap_trial_free(t);
}

static void test_declared_ranges(void)
{
    const char *csv = "participant_id,arm,ybocs_bl,ybocs_followup,madrs_bl\n"
                      "P1,A,40,12,61\n";
    kap_instrument_range r[2] = {{"YBOCS", 0, 40}, {"madrs", 0, 66}};
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.ranges = r;
    o.n_ranges = 2;
    kap_trial *t = ingest_opts(csv, &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    size_t k = instr_index(t, "ybocs");
    double lo, hi;
    kap_trial_instrument_range(t, k, &lo, &hi);
    CU_ASSERT_EQUAL(lo, 0);
    CU_ASSERT_EQUAL(hi, 40);
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, k), KAP_INSTR_GENERIC);
    /* a declared name takes any visit label */
    CU_ASSERT_EQUAL(score(t, "ybocs", 0, "followup"), 12);
    kap_trial_instrument_range(t, instr_index(t, "madrs"), &lo, &hi);
    CU_ASSERT_EQUAL(hi, 66);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "baseline"), 61);
    kap_trial_free(t);
    r[0].max = 39;
    EXPECT_ERR_OPTS(csv, &o, 2, 3,
                    "value '40' is out of range for ybocs (expected 0 to 39)");
    /* without the declaration ybocs_followup is not a score */
    t = ingest("participant_id,arm,ybocs_bl,ybocs_followup\nP1,A,40,12\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(kap_trial_n_visits(t, instr_index(t, "ybocs")), 1);
    cov_index(t, "ybocs_followup");
    kap_trial_free(t);
}

static void test_one_arm(void)
{
    kap_trial *t = ingest("participant_id,arm\nP1,Only\nP2,Only\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(kap_trial_n_arms(t), 1);
    CU_ASSERT_EQUAL(kap_trial_arms(t)[1], 0);
    CU_ASSERT_EQUAL(kap_trial_n_instruments(t), 0);
    kap_trial_free(t);
}

/* Header names ignore case and blanks; values are trimmed. */
static void test_header_case_trim(void)
{
    kap_trial *t = ingest(" PARTICIPANT_ID ,\tArm,MADRS_BL \n  P1 , A  ,  30  \n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 0), "P1");
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 0), "A");
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "baseline"), 30);
    kap_trial_free(t);
}

/* BOM, CRLF, quoted commas / quotes / line breaks, a blank line. */
static void test_bom_crlf_quoted(void)
{
    char path[1024];
    const char *p = fixture(path, sizeof path, "bom_crlf_quoted.csv");
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, &p, 1, NULL, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL(kap_trial_n_participants(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 0), "K1");
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 1), "K2");
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 2), "K3");
    CU_ASSERT_EQUAL(kap_trial_n_arms(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 0), "Drug, high dose");
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 1), "Placebo");
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, 2), "Placebo \"A\"\r\nsecond line");
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "week4"), 20);
    CU_ASSERT_EQUAL(score(t, "madrs", 1, "baseline"), 28);
    CU_ASSERT(isnan(score(t, "madrs", 1, "week4")));
    CU_ASSERT_EQUAL(score(t, "madrs", 2, "week4"), 26);
    kap_trial_free(t);
}

/* Physical lines: quoted line breaks (LF, CRLF, CR) and blank lines count. */
static void test_line_numbers(void)
{
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,\"A\nB\",3\n\nP2,A,99\n", 5, 3,
               "out of range");
    EXPECT_ERR("participant_id,arm,madrs_bl\r\nP1,\"A\r\nB\",3\r\n\r\nP2,A,99\r\n",
               5, 3, "out of range");
    EXPECT_ERR("participant_id,arm,madrs_bl\rP1,\"A\rB\",3\r\rP2,A,99\r", 5, 3,
               "out of range");
    /* a value spanning lines is reported on the line where it starts */
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\"3\n\"\n", 2, 3,
               "value '3\\n' is not a number");
    /* leading blank lines shift the header */
    EXPECT_ERR("\n\nparticipant_id,arm\nP1,\n", 4, 2, "empty arm");
    /* no final line end */
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\nP2,A,61", 3, 3,
               "out of range");
}

static void test_layout_forced(void)
{
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.layout = KAP_LAYOUT_LONG;
    EXPECT_ERR_OPTS("participant_id,arm,madrs_bl\nP1,A,3\n", &o, 1, 0,
                    "missing required column 'USUBJID'");
    o.layout = KAP_LAYOUT_WIDE;
    /* a long-looking header read as wide: usubjid is just a covariate */
    EXPECT_ERR_OPTS("USUBJID,TRT01P,PARAMCD,AVISIT,AVAL\nP1,A,MADRS,Week 1,3\n",
                    &o, 1, 0, "missing required column 'participant_id'");
    kap_trial *t = ingest_opts("participant_id,arm,usubjid,paramcd,aval\n"
                               "P1,A,X,Y,1\n", &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(kap_trial_source_layout(t), "wide");
    CU_ASSERT_EQUAL(kap_trial_n_covariates(t), 3);
    kap_trial_free(t);
    /* auto: a header with both goes long */
    EXPECT_ERR("participant_id,usubjid,paramcd,aval\nP1,X,Y,1\n", 1, 0,
               "missing required treatment column");
}

/* The same CSV read in a decimal-comma locale gives the same trial. */
static void test_locale_independence(void)
{
    const char *csv = "participant_id,arm,madrs_bl,dose\nP1,A,2.5,0.25\n";
    locale_t de = newlocale(LC_NUMERIC_MASK, "de_DE.UTF-8", (locale_t)0);
    if (de == (locale_t)0) {
        fprintf(stderr, "[note] locale test skipped: no de_DE.UTF-8 locale "
                        "(see the comment at the top of test_ingest.c)\n");
        return;
    }
    locale_t old = uselocale(de);
    char buf[16];
    snprintf(buf, sizeof buf, "%.1f", 2.5);
    CU_ASSERT_STRING_EQUAL(buf, "2,5");   /* the locale is in effect */
    kap_trial *t = ingest(csv);
    if (t) {
        CU_ASSERT_EQUAL(score(t, "madrs", 0, "baseline"), 2.5);
        CU_ASSERT_EQUAL(kap_trial_covariate_values(t, 0)[0], 0.25);
        kap_trial_free(t);
    }
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\"2,5\"\n", 2, 3,
               "value '2,5' is not a number");
    uselocale(old);
    freelocale(de);
}

/* ---- several files ------------------------------------------------------ */

static void test_multiple_files(void)
{
    const char *p[2];
    p[0] = tmpfile_with("site1.csv", "participant_id,arm,site,madrs_bl,madrs_w4\n"
                                     "S1-1,B,1,30,20\nS1-2,A,1,31,\n");
    p[1] = tmpfile_with("site2.csv", "participant_id,arm,madrs_w4,madrs_w2,ae_nausea\n"
                                     "S2-1,C,10,15,1\n");
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, p, 2, NULL, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL(kap_trial_n_participants(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 0), "S1-1");
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 2), "S2-1");
    CU_ASSERT_EQUAL(kap_trial_n_arms(t), 3);
    CU_ASSERT_EQUAL(kap_trial_arms(t)[2], 2);
    /* columns missing from a file are missing for its participants */
    CU_ASSERT(isnan(score(t, "madrs", 2, "baseline")));
    CU_ASSERT(isnan(score(t, "madrs", 0, "w2")));
    CU_ASSERT_EQUAL(score(t, "madrs", 2, "w2"), 15);
    CU_ASSERT_EQUAL(score(t, "madrs", 2, "w4"), 10);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "w4"), 20);
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, 0, 1), "w2");
    CU_ASSERT_PTR_NULL(level_of(t, "site", 2));
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 0)[0], -1);
    CU_ASSERT_EQUAL(kap_trial_ae_flags(t, 0)[2], 1);
    CU_ASSERT_EQUAL(kap_trial_n_sources(t), 2);
    CU_ASSERT_STRING_EQUAL(kap_trial_source_name(t, 1), p[1]);
    kap_trial_free(t);

    /* the same participant in two files: both files and lines named */
    p[1] = tmpfile_with("site2b.csv", "participant_id,arm\nS2-1,A\nS1-2,A\n");
    memset(&e, 0, sizeof e);
    rc = kap_ingest_files(&t, p, 2, NULL, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_STRING_EQUAL(e.file, p[1]);
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_EQUAL(e.column, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "'S1-2' also appears in"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "site1.csv' line 3"));

    /* layouts may not be mixed */
    p[1] = tmpfile_with("long.csv", "USUBJID,ARM,PARAMCD,AVISIT,AVAL\nX,A,MADRS,Week 1,3\n");
    rc = kap_ingest_files(&t, p, 2, NULL, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_EQUAL(e.column, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "same layout"));
}

/* ---- long layout ---------------------------------------------------------- */

static const char *long_csv =
    "STUDYID,USUBJID,TRT01P,TRT01A,SITEID,AGE,SEX,RACE,BMI,PARAMCD,PARAM,"
    "AVISIT,AVISITN,ADY,ABLFL,AVAL,AVALC,BASE,CHG,DTYPE,ANL01FL,QSSEQ,NOTE\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Screening,0,-3,Y,30,30,30,,,,1,a\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Week 2,2,15,,25,25,30,-5,,Y,2,b\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Week 4,4,29,,20,20,30,-10,,Y,3,b\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Week 4,4,29,,20,20,30,-10,LOCF,Y,4,b\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Follow-up,6,70,,18,18,30,-12,,Y,5,b\n"
    "S,P1,Drug,Drug,006,34,F,White,22.5,MADRSTOT,MADRS,Visit X,5,50,,19,19,30,-11,,,6,b\n"
    "S,P2,Placebo,Drug,010,,M,,NA,MADRSTOT,MADRS,Screening,0,-2,Y,28,28,28,,,,1,a\n"
    "S,P2,Placebo,Drug,010,,M,,NA,MADRSTOT,MADRS,Follow-up,6,74,,26,26,28,-2,,Y,2,a\n"
    "S,P2,Placebo,Drug,010,,M,,NA,SYSBP,Systolic BP,Baseline,0,1,Y,120,,,,,,3,a\n"
    "S,P2,Placebo,Drug,010,,M,,NA,SYSBP,Systolic BP,Week 2,2,14,,,,,,,Y,4,a\n"
    "S,P2,Placebo,Drug,010,,M,,NA,WEIGHT,Weight,Week 2,2,14,,81.5,,,,,Y,5,a\n"
    "S,P3,Drug,Placebo,006,51,F,Asian,30,HAMDTL17,HAM-D,Baseline,0,1,Y,20,,20,0,,,1,c\n";

static void test_long_basic(void)
{
    kap_trial *t = ingest(long_csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(kap_trial_source_layout(t), "long");
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_participants(t), 3);
    CU_ASSERT_STRING_EQUAL(kap_trial_participant_id(t, 1), "P2");
    /* arm from TRT01P (preferred over TRT01A) */
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, kap_trial_arms(t)[1]), "Placebo");
    CU_ASSERT_STRING_EQUAL(kap_trial_arm_name(t, kap_trial_arms(t)[2]), "Drug");
    /* PARAMCD map: MADRSTOT -> madrs, HAMDTL17 -> hamd17, SYSBP -> sbp,
     * WEIGHT -> generic weight */
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_instruments(t), 4);
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 0), "madrs");
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 1), "hamd17");
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 2), "sbp");
    CU_ASSERT_STRING_EQUAL(kap_trial_instrument_name(t, 3), "weight");
    CU_ASSERT_EQUAL(kap_trial_instrument_kind(t, 3), KAP_INSTR_GENERIC);
    /* ABLFL = Y marks the baseline whatever AVISIT says; followup has no
     * day in its label: day = median ADY (70, 74 -> 72); "Visit X" was not
     * ANL01FL-flagged */
    size_t k = 0;
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_visits(t, k), 4);
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, 0), "baseline");
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, 1), "week2");
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, 2), "week4");
    CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, k, 3), "followup");
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, k, 0), 0);
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, k, 2), 28);
    CU_ASSERT_EQUAL(kap_trial_visit_day(t, k, 3), 72);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "baseline"), 30);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "week4"), 20);
    CU_ASSERT_EQUAL(score(t, "madrs", 0, "followup"), 18);
    CU_ASSERT_EQUAL(score(t, "madrs", 1, "followup"), 26);
    CU_ASSERT(isnan(score(t, "madrs", 1, "week2")));
    CU_ASSERT(isnan(score(t, "madrs", 2, "baseline")));
    CU_ASSERT_EQUAL(score(t, "hamd17", 2, "baseline"), 20);
    CU_ASSERT_EQUAL(score(t, "sbp", 1, "baseline"), 120);
    CU_ASSERT(isnan(score(t, "sbp", 1, "week2")));   /* empty AVAL */
    CU_ASSERT_EQUAL(score(t, "weight", 1, "week2"), 81.5);
    CU_ASSERT_EQUAL(t->n_excluded_dtype, 1);
    CU_ASSERT_EQUAL(t->n_excluded_anl01, 1);
    /* covariates: known ones canonical, BMI constant -> covariate; STUDYID
     * (identifier), TRT01A (treatment), PARAM/AVALC/QSSEQ (record level)
     * are not; NOTE varies -> listed */
    const char *names[] = {"age", "bmi", "race", "sex", "site"};
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_covariates(t), 5);
    for (size_t c = 0; c < 5; c++)
        CU_ASSERT_STRING_EQUAL(kap_trial_covariate_name(t, c), names[c]);
    CU_ASSERT(isnan(kap_trial_covariate_values(t, 0)[1]));
    CU_ASSERT_EQUAL(kap_trial_covariate_values(t, 0)[2], 51);
    CU_ASSERT_EQUAL(kap_trial_covariate_type(t, 1), KAP_COV_NUMERIC);
    CU_ASSERT_STRING_EQUAL(level_of(t, "site", 1), "010");
    CU_ASSERT_PTR_NULL(level_of(t, "race", 1));
    CU_ASSERT_EQUAL(t->n_varying_columns, 1);
    CU_ASSERT_STRING_EQUAL(t->varying_columns[0], "note");
    CU_ASSERT_EQUAL(kap_trial_n_ae_terms(t), 0);
    /* the mapping names what was used */
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "PARAMCD 'MADRSTOT' -> madrs (depression, range 0 to 60)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "PARAMCD 'WEIGHT' -> weight (generic, no range)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "AVISIT 'Week 4' -> visit week4 (day 28)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "column 'TRT01P' -> arm\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "column 'NOTE' -> not used (varies within participants)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t->mapping, "instrument madrs (depression, range 0 to 60): visits baseline (day 0), week2 (day 14), week4 (day 28), followup (day 72)\n"));
    kap_trial_free(t);
}

/* Without ABLFL an AVISIT of Baseline marks the baseline; AVISITN orders
 * visits without a day. */
static void test_long_no_ablfl(void)
{
    const char *csv = "USUBJID,ARM,PARAMCD,AVISIT,AVISITN,AVAL\n"
                      "P1,A,PHQ9,Visit 3,3,5\n"
                      "P1,A,PHQ9,Visit 2,2,7\n"
                      "P1,A,PHQ9,BASELINE,1,9\n"
                      "P1,A,PHQ9,Unscheduled,,8\n";
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    const char *labels[] = {"baseline", "visit2", "visit3", "unscheduled"};
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_visits(t, 0), 4);
    for (size_t v = 0; v < 4; v++)
        CU_ASSERT_STRING_EQUAL(kap_trial_visit_label(t, 0, v), labels[v]);
    CU_ASSERT_EQUAL(kap_trial_baseline_visit(t, 0), 0);
    CU_ASSERT_EQUAL(kap_trial_scores(t, 0)[0], 9);
    CU_ASSERT_EQUAL(kap_trial_scores(t, 0)[3], 8);
    CU_ASSERT(isnan(kap_trial_visit_day(t, 0, 1)));
    kap_trial_free(t);
}

static void test_long_errors(void)
{
    const char *h = "USUBJID,TRT01P,AGE,SEX,PARAMCD,AVISIT,ABLFL,AVAL,BASE,CHG\n";
    char csv[1024];
    /* a subject-level value changes: both lines named */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,30,M,MADRS,Week 1,,25,30,-5\n", h);
    EXPECT_ERR(csv, 3, 4, "SEX 'M' differs from 'F' on line 2 for participant 'P1'");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,31,F,MADRS,Week 1,,25,30,-5\n", h);
    EXPECT_ERR(csv, 3, 3, "AGE '31' differs from '30' on line 2");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,B,30,F,MADRS,Week 1,,25,30,-5\n", h);
    EXPECT_ERR(csv, 3, 2, "TRT01P 'B' differs from 'A' on line 2");
    /* duplicate record: both lines */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,30,,\n"
                              "P2,A,30,F,MADRS,Week 1,,30,,\n"
                              "P1,A,30,F,MADRS,Week_1,,31,,\n", h);
    EXPECT_ERR(csv, 4, 6, "duplicate record for participant 'P1', madrs visit 'week1' (also on line 2)");
    /* two baseline records of one parameter */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Screening,Y,30,,\n"
                              "P1,A,30,F,MADRS,Day 1,Y,31,,\n", h);
    EXPECT_ERR(csv, 3, 6, "visit 'baseline' (also on line 2)");
    /* BASE and CHG cross-checks (the baseline record comes last) */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,25,30,-5\n"
                              "P1,A,30,F,MADRS,Week 2,,20,31,-10\n"
                              "P1,A,30,F,MADRS,Baseline,Y,30,30,\n", h);
    EXPECT_ERR(csv, 3, 9, "BASE 31 does not match the AVAL 30 of the baseline record");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,25,30,-5\n"
                              "P1,A,30,F,MADRS,Week 2,,20,30,-11\n"
                              "P1,A,30,F,MADRS,Baseline,Y,30,30,\n", h);
    EXPECT_ERR(csv, 3, 10, "CHG -11 does not match AVAL - baseline = 20 - 30 = -10");
    /* within 1e-9 relative passes; CHG against BASE when no baseline */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,25.3,30.1,-4.8\n"
                              "P1,A,30,F,MADRS,Baseline,Y,30.1,30.1,0\n"
                              "P2,A,30,F,MADRS,Week 1,,25,31,-6\n", h);
    kap_trial *t = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL(t);
    kap_trial_free(t);
    snprintf(csv, sizeof csv, "%sP2,A,30,F,MADRS,Week 1,,25,31,-5\n", h);
    EXPECT_ERR(csv, 2, 10, "CHG -5 does not match");
    /* baseline first: checked as the records are read, still reported
     * after the file (a later value error wins) and first by line among
     * the records checked later (P2's baseline comes last) */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,30,F,MADRS,Week 2,,20,31,-10\n"
                              "P1,A,30,F,MADRS,Week 4,,61,30,-10\n", h);
    EXPECT_ERR(csv, 4, 8, "value '61' is out of range");
    snprintf(csv, sizeof csv, "%sP2,A,30,F,MADRS,Week 1,,25,30,-4\n"
                              "P1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,30,F,MADRS,Week 2,,20,31,-10\n"
                              "P2,A,30,F,MADRS,Baseline,Y,30,30,\n", h);
    EXPECT_ERR(csv, 2, 10, "CHG -4 does not match AVAL - baseline = 25 - 30");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,30,F,MADRS,Week 2,,20,30,-9\n"
                              "P2,A,30,F,MADRS,Week 1,,25,29,-4\n"
                              "P2,A,30,F,MADRS,Baseline,Y,30,30,\n", h);
    EXPECT_ERR(csv, 3, 10, "CHG -9 does not match AVAL - baseline = 20 - 30");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Baseline,Y,30,30,\n"
                              "P1,A,30,F,MADRS,Week 2,,20,31,-10\n"
                              "P1,A,30,F,MADRS,Week 4,,20,30,-9\n", h);
    EXPECT_ERR(csv, 3, 9, "BASE 31 does not match the AVAL 30");
    /* values */
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,61,,\n", h);
    EXPECT_ERR(csv, 2, 8, "value '61' is out of range for madrs (expected 0 to 60)");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,Week 1,,30,abc,\n", h);
    EXPECT_ERR(csv, 2, 9, "value 'abc' is not a number");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,,Week 1,,30,,\n", h);
    EXPECT_ERR(csv, 2, 5, "empty PARAMCD");
    snprintf(csv, sizeof csv, "%sP1,A,30,F,MADRS,,,30,,\n", h);
    EXPECT_ERR(csv, 2, 6, "empty AVISIT");
    snprintf(csv, sizeof csv, "%s,A,30,F,MADRS,Week 1,,30,,\n", h);
    EXPECT_ERR(csv, 2, 1, "empty USUBJID");
    snprintf(csv, sizeof csv, "%sP1,,30,F,MADRS,Week 1,,30,,\n", h);
    EXPECT_ERR(csv, 2, 2, "empty TRT01P");
    EXPECT_ERR("USUBJID,TRT01P,PARAMCD,AVAL\nP1,A,MADRS,3\n", 1, 0,
               "missing required column 'AVISIT'");
    EXPECT_ERR("USUBJID,PARAMCD,AVISIT,AVAL\nP1,MADRS,W1,3\n", 1, 0,
               "missing required treatment column");
    EXPECT_ERR("USUBJID,ARM,PARAMCD,AVISIT,AVAL,SITEID,SITE\nP1,A,MADRS,W1,3,1,1\n",
               1, 7, "columns 'SITEID' (column 6) and 'SITE' (column 7) both map to covariate 'site'");
    EXPECT_ERR("USUBJID,ARM,PARAMCD,AVISIT,AVAL,AVISITN\nP1,A,MADRS,W1,3,x\n",
               2, 6, "value 'x' is not a number (expected a visit number");
}

static void test_long_ae_file(void)
{
    const char *data = tmpfile_with("adqs.csv",
                                    "USUBJID,ARM,PARAMCD,AVISIT,AVAL\n"
                                    "P1,A,MADRS,Baseline,30\n"
                                    "P2,B,MADRS,Baseline,20\n"
                                    "P3,B,MADRS,Baseline,25\n");
    const char *ae = tmpfile_with("adae.csv",
                                  "STUDYID,USUBJID,AEDECOD,AESEV,AESER\n"
                                  "S,P2,Nausea,MILD,N\n"
                                  "S,P1,Headache,MODERATE,N\n"
                                  "S,P2,Headache,MILD,N\n"
                                  "S,P2,Nausea,SEVERE,Y\n");
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.ae_path = ae;
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, &data, 1, &o, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_trial_n_ae_terms(t), 2);
    CU_ASSERT_STRING_EQUAL(kap_trial_ae_term(t, 0), "Headache");
    CU_ASSERT_STRING_EQUAL(kap_trial_ae_term(t, 1), "Nausea");
    const int8_t *h = kap_trial_ae_flags(t, 0), *n = kap_trial_ae_flags(t, 1);
    CU_ASSERT(h[0] == 1 && h[1] == 1 && h[2] == 0);
    CU_ASSERT(n[0] == 0 && n[1] == 1 && n[2] == 0);
    CU_ASSERT_EQUAL(kap_trial_n_sources(t), 2);
    CU_ASSERT_STRING_EQUAL(kap_trial_source_name(t, 1), ae);
    kap_trial_free(t);
    /* the AE file also works with the in-memory entry */
    const char *mem = "USUBJID,ARM,PARAMCD,AVISIT,AVAL\nP1,A,MADRS,Baseline,30\n"
                      "P2,A,MADRS,Baseline,30\nP3,A,MADRS,Baseline,30\n";
    t = ingest_opts(mem, &o);
    CU_ASSERT_PTR_NOT_NULL(t);
    CU_ASSERT_EQUAL(kap_trial_n_ae_terms(t), 2);
    kap_trial_free(t);

    /* unknown participant */
    o.ae_path = tmpfile_with("adae2.csv", "USUBJID,AEDECOD\nP1,Nausea\nP9,Nausea\n");
    rc = kap_ingest_files(&t, &data, 1, &o, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT_STRING_EQUAL(e.file, o.ae_path);
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_EQUAL(e.column, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "unknown participant 'P9'"));
    o.ae_path = tmpfile_with("adae3.csv", "USUBJID,AETERM\nP1,Nausea\n");
    rc = kap_ingest_files(&t, &data, 1, &o, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT_EQUAL(e.line, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "missing required column 'AEDECOD'"));
    o.ae_path = tmpfile_with("adae4.csv", "USUBJID,AEDECOD\nP1,\n");
    rc = kap_ingest_files(&t, &data, 1, &o, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT(e.line == 2 && e.column == 2);
    /* an AE file with no rows: no terms */
    o.ae_path = tmpfile_with("adae5.csv", "USUBJID,AEDECOD\n");
    rc = kap_ingest_files(&t, &data, 1, &o, &e);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL(kap_trial_n_ae_terms(t), 0);
    kap_trial_free(t);
    /* a missing AE file */
    o.ae_path = "/nonexistent/adae.csv";
    rc = kap_ingest_files(&t, &data, 1, &o, &e);
    CU_ASSERT_EQUAL(rc, KAP_EIO);
    CU_ASSERT_PTR_NULL(t);
}

static void test_long_two_files(void)
{
    const char *p[2];
    p[0] = tmpfile_with("l1.csv", "USUBJID,ARM,PARAMCD,AVISIT,AVAL\n"
                                  "P1,A,MADRS,Baseline,30\nP2,A,MADRS,Baseline,31\n");
    p[1] = tmpfile_with("l2.csv", "USUBJID,ARM,AGE,PARAMCD,AVISIT,AVAL\n"
                                  "P3,B,40,MADRS,Week 1,20\nP3,B,40,MADRS,Baseline,22\n");
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_files(&t, p, 2, NULL, &e);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    CU_ASSERT_EQUAL(kap_trial_n_participants(t), 3);
    CU_ASSERT_EQUAL(score(t, "madrs", 2, "baseline"), 22);
    CU_ASSERT(isnan(kap_trial_covariate_values(t, 0)[0]));
    CU_ASSERT_EQUAL(kap_trial_covariate_values(t, 0)[2], 40);
    kap_trial_free(t);
    p[1] = tmpfile_with("l3.csv", "USUBJID,ARM,PARAMCD,AVISIT,AVAL\n"
                                  "P3,B,MADRS,Week 1,20\nP2,A,MADRS,Week 1,22\n");
    rc = kap_ingest_files(&t, p, 2, NULL, &e);
    CU_ASSERT_EQUAL(rc, KAP_EINPUT);
    CU_ASSERT_STRING_EQUAL(e.file, p[1]);
    CU_ASSERT(e.line == 3 && e.column == 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "participant 'P2' also appears in"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "l1.csv' line 3"));
}

/* The wide and long versions of the same data give the same trial. */
static void assert_same_trial(const kap_trial *a, const kap_trial *b)
{
    CU_ASSERT_EQUAL_FATAL(a->n, b->n);
    size_t n = a->n;
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_STRING_EQUAL(a->ids[i], b->ids[i]);
        CU_ASSERT_EQUAL(a->arm[i], b->arm[i]);
    }
    CU_ASSERT_EQUAL_FATAL(a->n_arms, b->n_arms);
    for (size_t j = 0; j < a->n_arms; j++)
        CU_ASSERT_STRING_EQUAL(a->arm_names[j], b->arm_names[j]);
    CU_ASSERT_EQUAL_FATAL(a->n_instruments, b->n_instruments);
    for (size_t k = 0; k < a->n_instruments; k++) {
        const kap_instrument_data *x = &a->instruments[k], *y = &b->instruments[k];
        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_EQUAL(x->kind, y->kind);
        KT_ASSERT_REL(x->min, y->min, 0);
        KT_ASSERT_REL(x->max, y->max, 0);
        CU_ASSERT_EQUAL(x->baseline, y->baseline);
        CU_ASSERT_EQUAL_FATAL(x->n_visits, y->n_visits);
        for (size_t v = 0; v < x->n_visits; v++) {
            CU_ASSERT_STRING_EQUAL(x->visit_labels[v], y->visit_labels[v]);
            KT_ASSERT_REL(x->visit_days[v], y->visit_days[v], 0);
        }
        for (size_t q = 0; q < n * x->n_visits; q++)
            KT_ASSERT_REL(x->scores[q], y->scores[q], 0);
    }
    CU_ASSERT_EQUAL_FATAL(a->n_covariates, b->n_covariates);
    for (size_t c = 0; c < a->n_covariates; c++) {
        const kap_covariate_data *x = &a->covariates[c], *y = &b->covariates[c];
        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_EQUAL_FATAL(x->type, y->type);
        if (x->type == KAP_COV_NUMERIC) {
            for (size_t i = 0; i < n; i++)
                KT_ASSERT_REL(x->values[i], y->values[i], 0);
        } else {
            CU_ASSERT_EQUAL_FATAL(x->n_levels, y->n_levels);
            for (size_t l = 0; l < x->n_levels; l++)
                CU_ASSERT_STRING_EQUAL(x->levels[l], y->levels[l]);
            for (size_t i = 0; i < n; i++)
                CU_ASSERT_EQUAL(x->codes[i], y->codes[i]);
        }
    }
    CU_ASSERT_EQUAL_FATAL(a->n_ae_terms, b->n_ae_terms);
    for (size_t j = 0; j < a->n_ae_terms; j++)
        CU_ASSERT_STRING_EQUAL(a->ae_terms[j], b->ae_terms[j]);
    CU_ASSERT(memcmp(a->ae_flags, b->ae_flags, a->n_ae_terms * n) == 0);
    CU_ASSERT_EQUAL(a->n_excluded_dtype, b->n_excluded_dtype);
    CU_ASSERT_EQUAL(a->n_excluded_anl01, b->n_excluded_anl01);
    CU_ASSERT_EQUAL(a->n_varying_columns, b->n_varying_columns);
}

static void test_wide_long_identical(void)
{
    char pw[1024], pl[1024], pa[1024];
    const char *wide = fixture(pw, sizeof pw, "small_wide.csv");
    const char *lng = fixture(pl, sizeof pl, "small_long.csv");
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.ae_path = fixture(pa, sizeof pa, "small_ae.csv");
    kap_trial *w = NULL, *l = NULL;
    kap_error e;
    int rc = kap_ingest_files(&w, &wide, 1, NULL, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    rc = kap_ingest_files(&l, &lng, 1, &o, &e);
    if (rc)
        fprintf(stderr, "%s:%lu:%lu %s\n", e.file, e.line, e.column, e.message);
    CU_ASSERT_EQUAL_FATAL(rc, KAP_OK);
    assert_same_trial(w, l);
    /* and the content is what the fixtures say */
    CU_ASSERT_EQUAL(w->n, 4);
    CU_ASSERT_EQUAL(w->n_instruments, 2);
    CU_ASSERT_EQUAL(w->n_covariates, 3);
    CU_ASSERT_EQUAL(w->n_ae_terms, 2);
    CU_ASSERT_EQUAL(score(l, "hamd17", 3, "week4"), 24);
    CU_ASSERT(isnan(score(l, "madrs", 1, "week2")));
    CU_ASSERT_STRING_EQUAL(level_of(l, "site", 2), "010");
    CU_ASSERT_STRING_EQUAL(kap_trial_source_layout(l), "long");
    kap_trial_free(w);
    kap_trial_free(l);
}

/* Same input, same mapping text, byte for byte; one line per mapping. */
static void test_mapping_deterministic(void)
{
    const char *csv = "participant_id,arm,MADRS_W4,madrs_bl,mood_d3,bmi,ae_x\n"
                      "P1,A,1,2,3,4,1\n";
    kap_trial *a = ingest(csv), *b = ingest(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a->mapping, b->mapping);
    const char *expect =
        "column 'participant_id' -> participant id\n"
        "column 'arm' -> arm\n"
        "column 'MADRS_W4' -> madrs (depression, range 0 to 60), visit w4 (day 28)\n"
        "column 'madrs_bl' -> madrs (depression, range 0 to 60), visit baseline (day 0)\n"
        "column 'mood_d3' -> mood (generic, no range), visit d3 (day 3)\n"
        "column 'bmi' -> covariate bmi (numeric)\n"
        "column 'ae_x' -> adverse event x\n"
        "instrument madrs (depression, range 0 to 60): visits baseline (day 0), w4 (day 28)\n"
        "instrument mood (generic, no range): visits d3 (day 3)\n";
    CU_ASSERT_STRING_EQUAL(a->mapping, expect);
    kap_trial_free(a);
    kap_trial_free(b);
}

/* ---- rejected input: one message, file, line, column ------------------------ */

static void test_errors_csv_structure(void)
{
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3,4\n", 2, 4,
               "row has more fields than the header (3)");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\nP2,A\n", 3, 3,
               "row has 2 fields but the header has 3");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\nP2,\"A\n\nB,4\n", 3, 2,
               "unterminated quoted field");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A\"x,3\n", 2, 2,
               "unexpected quote character");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,\"A\"x,3\n", 2, 2,
               "unexpected character 'x' after the closing quote");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\"3\xC3\x28\"\n", 2, 3,
               "invalid UTF-8: byte 0xC3 at offset 1");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\xED\xA0\x80\n", 2, 3,
               "invalid UTF-8");   /* a UTF-16 surrogate */
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\xC0\xAF\n", 2, 3,
               "invalid UTF-8");   /* overlong */
    EXPECT_ERR("participant_id,ar\xFFm\nP1,A\n", 1, 2, "invalid UTF-8");
    EXPECT_ERR("", 1, 0, "file is empty");
    EXPECT_ERR("\xEF\xBB\xBF\r\n\n", 1, 0, "file is empty");
    EXPECT_ERR("participant_id,arm\n", 2, 0, "no participants");
    EXPECT_ERR("participant_id,arm\r\n\r\n", 2, 0, "no participants");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\n,B,4\n", 3, 1,
               "empty participant_id");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\nNA,B,4\n", 3, 1,
               "participant_id 'NA' is a missing-value code");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1, ,3\n", 2, 2, "empty arm");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,3\nP2,B,4\nP1,C,5\n", 4, 1,
               "duplicate participant_id 'P1' (also on line 2)");
    EXPECT_ERR("participant_id,madrs_bl\nP1,3\n", 1, 0,
               "missing required column 'arm'");
    EXPECT_ERR("arm,madrs_bl\nP1,3\n", 1, 0,
               "cannot tell the layout");
    EXPECT_ERR("participant_id,arm,Madrs_BL,MADRS_bl\nP1,A,3,3\n", 1, 4,
               "duplicate column name 'MADRS_bl' (column 3 is 'Madrs_BL'");
    EXPECT_ERR("participant_id,arm,madrs_bl,madrs_day0\nP1,A,3,3\n", 1, 4,
               "both map to madrs visit 'baseline'");
    EXPECT_ERR("participant_id,arm,madrs_week 4,madrs_week_4\nP1,A,3,3\n", 1, 4,
               "both map to madrs visit 'week4'");
    EXPECT_ERR("participant_id,arm,,x\nP1,A,1,2\n", 1, 3, "empty column name");
    EXPECT_ERR("participant_id,arm,ae_\nP1,A,1\n", 1, 3, "has no term");
    /* NUL bytes (strlen cannot carry them: explicit length) */
    static const char nul[] = "participant_id,arm,x\nP1,A,a\0b\n";
    kap_trial *t = NULL;
    kap_error e;
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "t.csv", nul, sizeof nul - 1, NULL, &e),
                    KAP_EINPUT);
    CU_ASSERT(e.line == 2 && e.column == 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "NUL byte at offset 1"));
    CU_ASSERT_PTR_NULL(t);
}

static void test_errors_values(void)
{
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,71\n", 2, 3,
               "value '71' is out of range for madrs (expected 0 to 60)");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,-1\n", 2, 3,
               "value '-1' is out of range for madrs (expected 0 to 60)");
    EXPECT_ERR("participant_id,arm,hr_bl\nP1,A,19.5\n", 2, 3,
               "value '19.5' is out of range for hr (expected 20 to 250)");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,abc\n", 2, 3,
               "value 'abc' is not a number (expected a madrs score from 0 to 60");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,\"3,5\"\n", 2, 3,
               "value '3,5' is not a number");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,0x10\n", 2, 3, "is not a number");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,inf\n", 2, 3,
               "value 'inf' is not a finite number");
    EXPECT_ERR("participant_id,arm,madrs_bl\nP1,A,-Infinity\n", 2, 3,
               "is not a finite number");
    EXPECT_ERR("participant_id,arm,mood_bl\nP1,A,1e999\n", 2, 3,
               "value '1e999' is not a finite number (expected a mood score");
    EXPECT_ERR("participant_id,arm,age\nP1,A,old\n", 2, 3,
               "value 'old' is not a number (expected age as a number");
    EXPECT_ERR("participant_id,arm,format\nP1,A,couples\n", 2, 3,
               "value 'couples' is not a valid format (expected 'group' or 'individual'");
    EXPECT_ERR("participant_id,arm,ae_nausea\nP1,A,1\nP2,A,2\n", 3, 3,
               "value '2' is not a valid adverse-event flag (expected 0, 1 or a missing value)");
    EXPECT_ERR("participant_id,arm,ae_nausea\nP1,A,yes\n", 2, 3,
               "not a valid adverse-event flag");
    /* long values are shortened in messages */
    char csv[400], nines[201];
    memset(nines, '9', 200);
    nines[200] = '\0';
    snprintf(csv, sizeof csv, "participant_id,arm,madrs_bl\nP1,A,%s\n", nines);
    EXPECT_ERR(csv, 2, 3, "...' is out of range");
}

static void test_errors_arguments(void)
{
    kap_trial *t = NULL;
    kap_error e;
    const char *csv = "participant_id,arm\nP1,A\n";
    CU_ASSERT_EQUAL(kap_ingest_memory(NULL, "x", csv, strlen(csv), NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, NULL, csv, strlen(csv), NULL, &e), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ingest_files(&t, NULL, 0, NULL, &e), KAP_EINVAL);
    const char *none[1] = {NULL};
    CU_ASSERT_EQUAL(kap_ingest_files(&t, none, 1, NULL, NULL), KAP_EINVAL);
    kap_ingest_options o = KAP_INGEST_OPTIONS_INIT;
    o.version = 99;
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", csv, strlen(csv), &o, &e), KAP_EINVAL);
    o = (kap_ingest_options)KAP_INGEST_OPTIONS_INIT;
    kap_instrument_range bad = {"madrs", 10, 5};
    o.ranges = &bad;
    o.n_ranges = 1;
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", csv, strlen(csv), &o, &e), KAP_EINVAL);
    bad.max = NAN;
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", csv, strlen(csv), &o, &e), KAP_EINVAL);
    o = (kap_ingest_options)KAP_INGEST_OPTIONS_INIT;
    o.ae_path = "ae.csv";   /* with a wide file */
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", csv, strlen(csv), &o, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "long layout"));
    CU_ASSERT_PTR_NULL(t);
    const char *missing = "/nonexistent/dir/trial.csv";
    CU_ASSERT_EQUAL(kap_ingest_files(&t, &missing, 1, NULL, &e), KAP_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "cannot open '/nonexistent/dir/trial.csv'"));
    CU_ASSERT_PTR_NULL(t);
    /* a directory opens but cannot be read */
    CU_ASSERT_EQUAL(kap_ingest_files(&t, (const char *const *)&(const char *){tmpdir}, 1, NULL, &e), KAP_EIO);
    /* err may be NULL */
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", "", 0, NULL, NULL), KAP_EINPUT);
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "x", NULL, 0, NULL, &e), KAP_EINPUT);
}

static void test_parse_instrument_range(void)
{
    kap_instrument_range r;
    char name[32];
    kap_error e;
    CU_ASSERT_EQUAL(kap_ingest_parse_instrument_range(&r, name, sizeof name, "YBOCS:0:40", &e), KAP_OK);
    CU_ASSERT_STRING_EQUAL(r.name, "ybocs");
    CU_ASSERT_PTR_EQUAL(r.name, name);
    CU_ASSERT_EQUAL(r.min, 0);
    CU_ASSERT_EQUAL(r.max, 40);
    CU_ASSERT_EQUAL(kap_ingest_parse_instrument_range(&r, name, sizeof name, "t:-1.5:2e1", &e), KAP_OK);
    CU_ASSERT_EQUAL(r.min, -1.5);
    CU_ASSERT_EQUAL(r.max, 20);
    const char *bad[] = {"ybocs", "ybocs:1", ":0:1", "x:a:1", "x:1:0", "x:0:inf",
                         "x:0:1:2", "averyveryveryveryveryveryverylongname:0:1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CU_ASSERT_EQUAL(kap_ingest_parse_instrument_range(&r, name, sizeof name, bad[i], &e),
                        KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_ingest_parse_instrument_range(NULL, name, sizeof name, "x:0:1", NULL),
                    KAP_EINVAL);
}

/* A field longer than the cap is refused where it starts (a runaway
 * quote), and memory does not follow the file. */
/* A file of many rows goes through the reading threads in many batches:
 * the trial and every error (kind, line, column, message) must be those
 * of the same bytes ingested from memory, which is read on one thread. */
static void check_file_as_memory(const char *name, const char *csv)
{
    const char *path = tmpfile_with(name, csv);
    kap_trial *tf = NULL, *tm = NULL;
    kap_error ef, em;
    memset(&ef, 0, sizeof ef);
    memset(&em, 0, sizeof em);
    int rf = kap_ingest_files(&tf, &path, 1, NULL, &ef);
    int rm = kap_ingest_memory(&tm, path, csv, strlen(csv), NULL, &em);
    CU_ASSERT_EQUAL(rf, rm);
    if (rf == KAP_OK && rm == KAP_OK) {
        assert_same_trial(tf, tm);
        CU_ASSERT_STRING_EQUAL(tf->sources[0].sha256, tm->sources[0].sha256);
    } else {
        CU_ASSERT(ef.line == em.line && ef.column == em.column);
        CU_ASSERT_STRING_EQUAL(ef.message, em.message);
        CU_ASSERT_STRING_EQUAL(ef.file, em.file);
    }
    kap_trial_free(tf);
    kap_trial_free(tm);
}

static void test_threaded_file_reading(void)
{
    enum { ROWS = 30000 };
    size_t cap = (size_t)ROWS * 96 + 256;
    char *csv = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    size_t o = (size_t)sprintf(csv, "participant_id,arm,site,age,madrs_bl,"
                                    "madrs_w4,notes\n");
    size_t line_at[ROWS + 2];
    for (int i = 0; i < ROWS; i++) {
        line_at[i + 2] = o;
        o += (size_t)sprintf(csv + o, "P%06d,%s,%02d,%d,%d,%d,%s\n", i,
                             i % 3 ? "drug" : "placebo", i / 1000, 20 + i % 50,
                             20 + i % 30, 10 + i % 40,
                             i % 7 ? "x" : "\"two\nlines\"");
    }
    check_file_as_memory("many.csv", csv);
    char *bad = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    /* a value error a few rows before a stray quote (same batch), and the
     * other way round; an error in the last row; a duplicate id */
    static const struct {
        int row1;
        const char *what1;
        int row2;
        const char *what2;
    } cases[] = {{24990, "score", 25000, "quote"},
                 {20000, "quote", 25000, "score"},
                 {ROWS + 1, "score", 0, NULL},
                 {15000, "dupid", 29000, "quote"},
                 {9000, "ragged", 0, NULL}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        memcpy(bad, csv, o + 1);
        int rows[2] = {cases[c].row1, cases[c].row2};
        const char *what[2] = {cases[c].what1, cases[c].what2};
        for (int k = 0; k < 2 && what[k]; k++) {
            /* edit in place, keeping the length: row r is line r */
            char *l = bad + line_at[rows[k]];
            if (strcmp(what[k], "score") == 0) {
                char *comma = l;
                for (int f = 0; f < 5; f++)
                    comma = strchr(comma, ',') + 1;
                memcpy(comma, "99", 2);
            } else if (strcmp(what[k], "quote") == 0) {
                l[3] = '"';
            } else if (strcmp(what[k], "dupid") == 0) {
                memcpy(l, bad + line_at[rows[k] - 5], 7);
            } else {
                *strchr(l, ',') = ';';
            }
        }
        check_file_as_memory("bad.csv", bad);
    }
    free(bad);
    free(csv);
}

static void test_field_too_long(void)
{
    size_t n = KAP_CSV_MAX_FIELD + 65536;
    char *csv = malloc(n + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    int h = sprintf(csv, "participant_id,arm\nP1,\"");
    memset(csv + h, 'x', n);
    strcpy(csv + h + n, "\n");
    kap_trial *t = NULL;
    kap_error e;
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "t.csv", csv, strlen(csv), NULL, &e), KAP_EINPUT);
    CU_ASSERT(e.line == 2 && e.column == 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "field longer than"));
    /* a complete unquoted field over the limit */
    h = sprintf(csv, "participant_id,arm\nP1,");
    memset(csv + h, 'x', n);
    strcpy(csv + h + n, "\nP2,B\n");
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "t.csv", csv, strlen(csv), NULL, &e), KAP_EINPUT);
    CU_ASSERT(e.line == 2 && e.column == 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "field longer than"));
    /* just under the limit is fine */
    h = sprintf(csv, "participant_id,arm,note\nP1,A,");
    memset(csv + h, 'x', KAP_CSV_MAX_FIELD);
    strcpy(csv + h + KAP_CSV_MAX_FIELD, "\nP2,B,y\n");
    CU_ASSERT_EQUAL(kap_ingest_memory(&t, "t.csv", csv, strlen(csv), NULL, &e), KAP_OK);
    CU_ASSERT_EQUAL(kap_trial_n_participants(t), 2);
    kap_trial_free(t);
    free(csv);
}

/* ---- libcsv and the reader's own split of plain lines --------------------
 * Lines without quotes are split by the reader itself (fast_line in
 * csv_reader.c), the others by libcsv.  The reader with every line left to
 * libcsv (kap_csv_set_libcsv_only) is the reference: on random files, the
 * rows, fields, lengths, line numbers, the error (code, line, column,
 * message), row count and SHA-256 must be the same. */

typedef struct {
    char *s;
    size_t n, cap;
} dump;

static void dump_add(dump *d, const void *p, size_t n)
{
    if (d->n + n + 1 > d->cap) {
        d->cap = (d->n + n + 1) * 2;
        d->s = realloc(d->s, d->cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d->s);
    }
    memcpy(d->s + d->n, p, n);
    d->n += n;
    d->s[d->n] = '\0';
}

static int dump_row(void *ctx, const kap_csv_row *row, kap_error *err)
{
    (void)err;
    dump *d = ctx;
    char tmp[96];
    int k = snprintf(tmp, sizeof tmp, "row %zu n %zu end %lu:", row->index,
                     row->n, row->end_line);
    dump_add(d, tmp, (size_t)k);
    for (size_t i = 0; i < row->n; i++) {
        k = snprintf(tmp, sizeof tmp, " [%zu@%lu]", row->len[i],
                     row->line[i]);
        dump_add(d, tmp, (size_t)k);
        CU_ASSERT_EQUAL(strlen(row->field[i]) <= row->len[i], 1);
        dump_add(d, row->field[i], row->len[i]);
    }
    dump_add(d, "\n", 1);
    return 0;
}

typedef struct {
    int rc;
    kap_error e;
    size_t rows;
    char sha[65];
    dump d;
} read_result;

static void read_as(read_result *out, const char *csv, size_t len,
                    const char *path, int libcsv_only)
{
    memset(out, 0, sizeof *out);
    kap_csv_set_libcsv_only(libcsv_only);
    if (path)
        out->rc = kap_csv_read_file(path, dump_row, &out->d, &out->rows,
                                    out->sha, &out->e);
    else
        out->rc = kap_csv_read_memory("t.csv", csv, len, dump_row, &out->d,
                                      &out->rows, out->sha, &out->e);
    kap_csv_set_libcsv_only(0);
}

/* Reads csv[0..len) both ways; 1 when they agree. */
static int same_both_ways(const char *csv, size_t len, const char *path)
{
    read_result a, b;
    read_as(&a, csv, len, path, 1);
    read_as(&b, csv, len, path, 0);
    int same = a.rc == b.rc && a.d.n == b.d.n &&
               (a.d.n == 0 || memcmp(a.d.s, b.d.s, a.d.n) == 0);
    if (same && a.rc == KAP_OK)
        same = a.rows == b.rows && strcmp(a.sha, b.sha) == 0;
    if (same && a.rc != KAP_OK)
        same = a.e.code == b.e.code && a.e.line == b.e.line &&
               a.e.column == b.e.column &&
               strcmp(a.e.message, b.e.message) == 0 &&
               strcmp(a.e.file, b.e.file) == 0;
    if (!same)
        fprintf(stderr, "libcsv: rc %d %lu:%lu %s\nfast:   rc %d %lu:%lu %s\n",
                a.rc, a.e.line, a.e.column, a.rc ? a.e.message : "",
                b.rc, b.e.line, b.e.column, b.rc ? b.e.message : "");
    free(a.d.s);
    free(b.d.s);
    return same;
}

static unsigned long long rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rnd_state >> 33) % n);
}

/* A random CSV of about `rows` rows and `cols` columns: mostly valid rows
 * (plain and quoted fields, blanks around values, CRLF / LF / CR, blank
 * lines, multi-line quoted fields), with rare defects (stray quotes,
 * ragged rows, NUL, invalid UTF-8) when `defects`. */
static size_t random_csv(dump *d, int rows, int cols, int defects)
{
    static const char *const atoms[] = {
        "a", "B7", "1.5", "-3", "", " ", "\t", "x y", "\xc3\xa9", "NA",
        "P000123", "2024-01-02"};
    static const char *const eols[] = {"\n", "\r\n", "\r"};
    d->n = 0;
    if (rnd(8) == 0)
        dump_add(d, "\xef\xbb\xbf", 3);
    const char *eol = eols[rnd(3)];
    for (int r = 0; r <= rows; r++) {
        int nf = cols;
        if (defects && rnd(200) == 0)
            nf += rnd(2) ? 1 : -1;
        for (int f = 0; f < nf; f++) {
            if (f)
                dump_add(d, ",", 1);
            unsigned k = rnd(40);
            if (k < 4) {
                if (k == 0)
                    dump_add(d, " ", 1);
                dump_add(d, "\"", 1);
                const char *a = atoms[rnd(12)];
                dump_add(d, a, strlen(a));
                static const char *const inq[] = {",", "\"\"", "\n", "\r\n",
                                                  "z"};
                const char *q = inq[rnd(5)];
                dump_add(d, q, strlen(q));
                dump_add(d, "\"", 1);
                if (k == 1)
                    dump_add(d, " ", 1);
            } else if (defects && k == 4 && rnd(40) == 0) {
                static const char *const bad[] = {"a\"b", "\xff", "q\0r",
                                                  "\"open", "\"x\"y"};
                unsigned b = rnd(5);
                dump_add(d, bad[b], b == 2 ? 3 : strlen(bad[b]));
            } else {
                if (rnd(6) == 0)
                    dump_add(d, " ", 1);
                const char *a = atoms[rnd(12)];
                dump_add(d, a, strlen(a));
                if (rnd(6) == 0)
                    dump_add(d, "\t ", 1 + rnd(2));
            }
        }
        if (rnd(30) == 0)
            eol = eols[rnd(3)];
        dump_add(d, eol, strlen(eol));
        if (rnd(25) == 0) {
            const char *blank = rnd(2) ? " \t" : "";
            dump_add(d, blank, strlen(blank));
            dump_add(d, eol, strlen(eol));
        }
    }
    if (rnd(4) == 0 && d->n > 2)
        d->n -= 1 + rnd(2);     /* no line end at the end, or half a CRLF */
    return d->n;
}

static void test_fast_lines_as_libcsv(void)
{
    dump d = {0};
    char path[256];
    snprintf(path, sizeof path, "%s/fast.csv", tmpdir);
    int bad = 0;
    rnd_state = 20261130;
    for (int it = 0; it < 3000 && bad < 5; it++) {
        int big = it % 100 == 0;        /* crosses 64 KiB chunks */
        size_t len = random_csv(&d, big ? 6000 : 1 + (int)rnd(30),
                                1 + (int)rnd(6), it % 3 == 0);
        if (!same_both_ways(d.s, len, NULL)) {
            fprintf(stderr, "memory, iteration %d differs\n", it);
            bad++;
        }
        if (big || it % 50 == 1) {
            FILE *f = fopen(path, "wb");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            CU_ASSERT_EQUAL(fwrite(d.s, 1, len, f), len);
            fclose(f);
            if (!same_both_ways(NULL, 0, path)) {
                fprintf(stderr, "file, iteration %d differs\n", it);
                bad++;
            }
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* edge cases, each compared both ways */
    static const char *const cases[] = {
        "a,b\n", "a,b", " a , b \n 1 ,\t2\t\n", "a,b\n\n  \n\t\n1,2\n",
        "a,b\r\n1,2\r\n", "a,b\r1,2\r", "a,b\n,\n", "a,b\n , \n",
        "a,b\n1,2,3\n", "a,b\n1\n", "a,b\n1,\"x\ny\"\n2,3\n",
        "a,b\n1,x\"y\n", "a,b\n1,\"x\"y\n", "a,b\n1,\"open\n2,3\n",
        "\xef\xbb\xbf" "a,b\n1,2\n", "a,b\n1,\xc3\n", "a,b\n1,\xc3\xa9\n",
        "\n\na,b\n1,2\n", "a,b\n\"1\",2\n3,4\n", "a,,b\n,,\n", "\n",
        "   \n", "", "a,b\n1,2\r\n\r\n3,4\n"};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        if (!same_both_ways(cases[c], strlen(cases[c]), NULL)) {
            fprintf(stderr, "case %zu differs\n", c);
            CU_FAIL("fast path differs from libcsv");
        }
    /* a field of the maximum length with blanks around it (blanks are not
     * counted), then one byte over */
    for (int over = 0; over < 2; over++) {
        size_t n = KAP_CSV_MAX_FIELD + (size_t)over;
        char *big = malloc(n + 32);
        CU_ASSERT_PTR_NOT_NULL_FATAL(big);
        int h = sprintf(big, "a,b\n1, \t");
        memset(big + h, 'x', n);
        strcpy(big + h + n, " \t\n2,3\n");
        read_result r;
        read_as(&r, big, strlen(big), NULL, 0);
        CU_ASSERT_EQUAL(r.rc, over ? KAP_EINPUT : KAP_OK);
        free(r.d.s);
        CU_ASSERT(same_both_ways(big, strlen(big), NULL));
        free(big);
    }
    /* the fixtures and the ingestion fuzzers' seed corpora, as files */
    static const char *const dirs[] = {"data/ingest", "fuzz/corpus/ingest_wide",
                                       "fuzz/corpus/ingest_long"};
    int files = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof *dirs; k++) {
        char dir[512];
        DIR *dp = opendir(kt_path(dir, sizeof dir, dirs[k]));
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        struct dirent *de;
        while ((de = readdir(dp)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char file[1024];
            snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
            files++;
            if (!same_both_ways(NULL, 0, file)) {
                fprintf(stderr, "%s differs\n", file);
                CU_FAIL("fast path differs from libcsv");
            }
        }
        closedir(dp);
    }
    CU_ASSERT(files >= 6);
    /* a NUL byte in a plain field */
    static const char nul[] = "a,b\n1,x\0y\n";
    CU_ASSERT(same_both_ways(nul, sizeof nul - 1, NULL));
    free(d.s);
}

int main(void)
{
    char tmpl[] = "/tmp/kap_test_ingest_XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s", tmpl);
    CU_TestInfo tests[] = {
        {"sha256 FIPS 180-4 vectors", test_sha256_vectors},
        {"sha256 streaming", test_sha256_streaming},
        {"wide basic", test_wide_basic},
        {"source sha256", test_source_sha256},
        {"wide visit labels", test_wide_visit_labels},
        {"wide generic outcomes", test_wide_generic},
        {"wide covariates", test_wide_covariates},
        {"wide adverse events", test_wide_ae},
        {"missing codes", test_missing_codes},
        {"declared ranges", test_declared_ranges},
        {"one arm", test_one_arm},
        {"header case and blanks", test_header_case_trim},
        {"BOM, CRLF, quoted fields", test_bom_crlf_quoted},
        {"physical line numbers", test_line_numbers},
        {"forced layout", test_layout_forced},
        {"locale independence", test_locale_independence},
        {"several wide files", test_multiple_files},
        {"long basic", test_long_basic},
        {"long without ABLFL", test_long_no_ablfl},
        {"long errors", test_long_errors},
        {"long AE file", test_long_ae_file},
        {"long two files", test_long_two_files},
        {"wide and long identical", test_wide_long_identical},
        {"mapping deterministic", test_mapping_deterministic},
        {"errors: CSV structure", test_errors_csv_structure},
        {"errors: values", test_errors_values},
        {"errors: arguments", test_errors_arguments},
        {"parse instrument range", test_parse_instrument_range},
        {"field too long", test_field_too_long},
        {"threaded file reading", test_threaded_file_reading},
        {"plain lines split as libcsv does", test_fast_lines_as_libcsv},
        CU_TEST_INFO_NULL};
    int rc = kt_main("ingest", tests);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
