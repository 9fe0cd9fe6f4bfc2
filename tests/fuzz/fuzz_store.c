/* libFuzzer harness: arbitrary bytes opened and analysed as a store.
 *
 * Byte 0 is a flag byte, the rest is the file:
 *   bit 0  reseal: rewrite the 512-byte userblock seal (layout version and
 *          SHA-256 of the content) before writing the file, so that
 *          mutations reach HDF5 and the store validation behind the seal
 *          ("a store from another program that knows the seal");
 *          otherwise the seal check itself is fuzzed.
 *   bit 1  round trip: write an opened trial back (kap_trial_write) and
 *          reopen it; it must open.
 * The file is written to a temporary path and opened with kap_trial_open.
 * An opened trial is walked through every getter, then every endpoint of
 * every instrument and visit, and the primary comparison (kap_compare_run)
 * at each post-baseline visit, subgroups by every covariate, the safety
 * tables, table 1 and the report (rendered in every format) are run.  Any result code is fine; a crash,
 * leak, UB, hang or an error without a message is a finding.
 *
 * Seeds: tests/fuzz/make_store_seeds.sh (stores made by ingesting the
 * tests/data/ingest fixtures, with both flag values). */
#include "kapstats.h"
#include "sha256_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define USERBLOCK 512

static void need(int ok)
{
    if (!ok)
        abort();
}

static void reseal(uint8_t *f, size_t n)
{
    if (n < USERBLOCK)
        return;
    kap_sha256 c;
    char hex[65];
    kap_sha256_init(&c);
    kap_sha256_update(&c, f + USERBLOCK, n - USERBLOCK);
    kap_sha256_final_hex(&c, hex);
    char ub[USERBLOCK];
    memset(ub, 0, sizeof ub);
    snprintf(ub, sizeof ub,
             "libkapstats-trial store\nlayout-version: %d\ncontent-sha256: %s\n"
             "The HDF5 file starts at byte 512; content-sha256 is the SHA-256 of "
             "bytes 512 to the end of the file.\n",
             KAP_STORE_LAYOUT_VERSION, hex);
    memcpy(f, ub, USERBLOCK);
}

static void walk(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t), na = kap_trial_n_arms(t);
    const int32_t *arms = kap_trial_arms(t);
    for (size_t i = 0; i < n; i++) {
        need(kap_trial_participant_id(t, i) != NULL);
        need(arms[i] >= 0 && (size_t)arms[i] < na);
    }
    for (size_t a = 0; a < na; a++)
        need(kap_trial_arm_name(t, a) != NULL);
    for (size_t k = 0; k < kap_trial_n_instruments(t); k++) {
        need(kap_trial_instrument_name(t, k) != NULL);
        size_t nv = kap_trial_n_visits(t, k);
        for (size_t v = 0; v < nv; v++) {
            need(kap_trial_visit_label(t, k, v) != NULL);
            (void)kap_trial_visit_day(t, k, v);
        }
        long b = kap_trial_baseline_visit(t, k);
        need(b >= -1 && b < (long)nv);
        const double *s = kap_trial_scores(t, k);
        volatile double sum = 0;
        for (size_t i = 0; i < n * nv; i++)
            sum += s[i];
        (void)sum;
    }
    for (size_t c = 0; c < kap_trial_n_covariates(t); c++) {
        need(kap_trial_covariate_name(t, c) != NULL);
        if (kap_trial_covariate_type(t, c) == KAP_COV_CATEGORICAL) {
            const int32_t *codes = kap_trial_covariate_codes(t, c);
            size_t nl = kap_trial_covariate_n_levels(t, c);
            for (size_t i = 0; i < n; i++)
                need(codes[i] >= -1 && codes[i] < (int32_t)nl);
            for (size_t l = 0; l < nl; l++)
                need(kap_trial_covariate_level(t, c, l) != NULL);
        } else {
            const double *x = kap_trial_covariate_values(t, c);
            volatile double sum = 0;
            for (size_t i = 0; i < n; i++)
                sum += x[i];
            (void)sum;
        }
    }
    for (size_t j = 0; j < kap_trial_n_ae_terms(t); j++) {
        need(kap_trial_ae_term(t, j) != NULL);
        const int8_t *f = kap_trial_ae_flags(t, j);
        for (size_t i = 0; i < n; i++)
            need(f[i] >= -1 && f[i] <= 1);
    }
    for (size_t s = 0; s < kap_trial_n_sources(t); s++) {
        need(kap_trial_source_name(t, s) != NULL);
        need(kap_trial_source_sha256(t, s) != NULL);
    }
    (void)kap_trial_source_layout(t);
    (void)kap_trial_writer_version(t);
}

static void analyse(const kap_trial *t)
{
    size_t n = kap_trial_n_participants(t);
    double *out = malloc((n ? n : 1) * sizeof *out);
    if (!out)
        return;
    kap_error e;
    for (size_t k = 0; k < kap_trial_n_instruments(t) && k < 8; k++) {
        size_t nv = kap_trial_n_visits(t, k);
        for (size_t v = 0; v < nv && v < 8; v++) {
            for (int m = 0; m <= KAP_MEASURE_VALUE; m++) {
                kap_endpoint_options eo = KAP_ENDPOINT_OPTIONS_INIT;
                eo.remission_cutoff = 10;
                eo.missing = (kap_missing_rule)(m % 3);
                int rc = kap_trial_endpoint(out, NULL, t, k, v, (kap_measure)m, &eo, &e);
                need(rc == KAP_OK || e.message[0] != '\0');
            }
            kap_compare *c = NULL;
            kap_compare_options co = KAP_COMPARE_OPTIONS_INIT;
            int rc = kap_compare_run(&c, t, kap_trial_instrument_name(t, k),
                                     kap_trial_visit_label(t, k, v), &co, &e);
            need(rc == KAP_OK || e.message[0] != '\0');
            if (rc == KAP_OK) {
                size_t na = kap_compare_n_arms(c);
                need(kap_compare_control(c) < na);
                for (size_t a = 0; a < na; a++)
                    need(kap_compare_arm_at(c, a) != NULL);
            }
            kap_compare_free(c);
            /* subgroups by every covariate (one family, Holm) */
            if (v + 1 == nv && kap_trial_n_covariates(t) > 0) {
                const char *vars[8];
                size_t nvar = 0;
                for (size_t j = 0; j < kap_trial_n_covariates(t) && nvar < 8; j++)
                    vars[nvar++] = kap_trial_covariate_name(t, j);
                kap_subgroup_family *f = NULL;
                rc = kap_subgroup_family_run(&f, t, kap_trial_instrument_name(t, k),
                                             kap_trial_visit_label(t, k, v), vars, nvar, NULL,
                                             KAP_PADJUST_HOLM, &e);
                need(rc == KAP_OK || e.message[0] != '\0');
                kap_subgroup_family_free(f);
            }
        }
    }
    /* safety tables and table 1 */
    kap_ae_table *ae = NULL;
    int rc = kap_safety_ae(&ae, t, NULL, &e);
    need(rc == KAP_OK || e.message[0] != '\0');
    kap_ae_table_free(ae);
    kap_vitals_table *vt = NULL;
    rc = kap_safety_vitals(&vt, t, NULL, &e);
    need(rc == KAP_OK || e.message[0] != '\0');
    kap_vitals_table_free(vt);
    kap_table1 *tb = NULL;
    rc = kap_table1_run(&tb, t, NULL, 0, NULL, NULL, &e);
    need(rc == KAP_OK || e.message[0] != '\0');
    kap_table1_free(tb);
    /* the whole report, rendered in every format */
    kap_report *rep = NULL;
    rc = kap_report_build(&rep, t, NULL, &e);
    need(rc == KAP_OK || e.message[0] != '\0');
    for (int f = 0; rc == KAP_OK && f <= KAP_REPORT_HTML; f++) {
        size_t len = 0;
        char small[64];
        int r2 = kap_report_render(small, sizeof small, &len, rep, (kap_report_format)f, &e);
        need(r2 == KAP_OK || e.message[0] != '\0');
        need(r2 != KAP_OK || strlen(small) < sizeof small);
    }
    kap_report_free(rep);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t n = size - 1;
    uint8_t *f = malloc(n ? n : 1);
    if (!f)
        return 0;
    memcpy(f, data + 1, n);
    if (flags & 1)
        reseal(f, n);
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/kapfuzz-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(f);
        return 0;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, f + off, n - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    free(f);

    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_trial_open(&t, path, &e);
    if (getenv("KAP_FUZZ_VERBOSE"))
        fprintf(stderr, "flags %u, %zu bytes: kap_trial_open rc %d: %s\n", flags, n, rc,
                rc ? e.message : "ok");
    if (rc == KAP_OK) {
        walk(t);
        analyse(t);
        if (flags & 2) {
            char out[4200];
            snprintf(out, sizeof out, "%s.rt", path);
            kap_error e2;
            need(kap_trial_write(t, out, &e2) == KAP_OK);
            kap_trial *t2 = NULL;
            need(kap_trial_open(&t2, out, &e2) == KAP_OK);
            need(kap_trial_n_participants(t2) == kap_trial_n_participants(t));
            kap_trial_free(t2);
            unlink(out);
        }
    } else {
        need(t == NULL);
        need(e.message[0] != '\0');
    }
    kap_trial_free(t);
    unlink(path);
    /* The library must close every HDF5 object it opened, whatever the
     * outcome.  (LeakSanitizer cannot tell: allocations inside libhdf5 are
     * suppressed because HDF5 1.10 itself leaks after a metadata checksum
     * failure, HDFGroup/hdf5#3790; see tests/fuzz/lsan.supp.) */
    ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (getenv("KAP_FUZZ_VERBOSE"))
        fprintf(stderr, "open HDF5 objects after the run: %zd\n", open_ids);
    need(open_ids == 0);
    return 0;
}
