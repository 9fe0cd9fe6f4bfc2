/*
 * tests/test_threads.c - thread safety: 8 threads at once
 *   - each ingest a CSV (its own copy of a fixture) and write it to its own
 *     store, then reopen it;
 *   - run the primary comparison and the kernels on one shared opened
 *     store (a kap_trial is read-only after opening);
 * and every result must be bit-identical to the same work done by a single
 * thread first.  Run under ThreadSanitizer by `make test-tsan`.
 *
 * HDF5: Debian's libhdf5 is built thread-safe (libhdf5.settings:
 * "Threadsafety: yes"): one global lock serialises HDF5 calls, so store
 * reads and writes from several threads are correct but not parallel.
 */
#include "kap_test.h"
#include "kapstats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 8
#define ROUNDS 3

static char store_path[128];
static char tmpdir[64];
static kap_trial *shared;

static const char *const fixtures[] = {
    "data/ingest/small_wide.csv", "data/ingest/bom_crlf_quoted.csv",
    "data/ingest/small_long.csv", "../datasets/kap_trial_wide.csv",
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

/* Everything a thread computes, compared bytewise with the serial run. */
typedef struct {
    int rc_ingest, rc_write, rc_open;
    size_t n_participants;
    char sha[65];
    int rc_compare;
    double compare[8][8];
    double kern[32];
} outcome;

static outcome serial[NTHREADS];

static void fill_compare(double out[8][8], const kap_compare *c)
{
    memset(out, 0, sizeof(double) * 64);
    for (size_t a = 0; a < kap_compare_n_arms(c) && a < 8; a++) {
        const kap_compare_arm *arm = kap_compare_arm_at(c, a);
        double v[8] = {arm->change.mean, arm->change.sd, arm->lsmean.estimate,
                       arm->welch.p_value, arm->ancova.estimate, arm->ancova.ci_low,
                       arm->hedges_g.estimate, arm->hedges_g.ci_high};
        memcpy(out[a], v, sizeof v);
    }
}

static void kernels(double *k, const kap_trial *t)
{
    /* change scores of the first instrument at its last visit, by arm */
    size_t n = kap_trial_n_participants(t);
    double *ch = malloc(n * sizeof *ch), *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    size_t nx = 0, ny = 0, nv = kap_trial_n_visits(t, 0);
    kap_trial_endpoint(ch, NULL, t, 0, nv - 1, KAP_MEASURE_CHANGE, NULL, NULL);
    const int32_t *arm = kap_trial_arms(t);
    for (size_t i = 0; i < n; i++) {
        if (arm[i] == 0)
            x[nx++] = ch[i];
        else
            y[ny++] = ch[i];
    }
    kap_result r;
    kap_describe_result d;
    kap_rank_options ro = KAP_RANK_OPTIONS_INIT;
    ro.conf_int = 1;
    int i = 0;
    kap_describe(&d, x, 1, nx, 0.95, NULL);
    k[i++] = d.mean, k[i++] = d.median;
    kap_ttest_two(&r, x, 1, nx, y, 1, ny, NULL, NULL);
    k[i++] = r.statistic, k[i++] = r.p_value;
    kap_effect_size_hedges_g(&r, x, 1, nx, y, 1, ny, NULL, NULL);
    k[i++] = r.estimate, k[i++] = r.ci_low;
    kap_rank_mann_whitney(&r, x, nx, y, ny, &ro, NULL);
    k[i++] = r.p_value, k[i++] = r.estimate, k[i++] = r.ci_high;
    kap_rank_cliffs_delta(&r, x, nx, y, ny, 0, 0.95, KAP_TWO_SIDED, NULL);
    k[i++] = r.estimate, k[i++] = r.ci_low;
    kap_binary_fisher(&r, 12, 30, 5, 31, KAP_TWO_SIDED, 0.95, NULL);
    k[i++] = r.estimate, k[i++] = r.ci_low;
    static const double yi[5] = {-0.9, -1.6, -1.4, -0.2, -0.3};
    static const double vi[5] = {0.36, 0.19, 0.42, 0.07, 0.01};
    kap_meta_result mr;
    kap_meta_fit(&mr, yi, vi, 5, NULL, NULL);
    k[i++] = mr.tau2, k[i++] = mr.tau2_ci_high;
    kap_anova_oneway_result an;
    kap_anova_oneway(&an, ch, arm, n, (int32_t)kap_trial_n_arms(t), 0.95, KAP_GREATER, NULL);
    k[i++] = an.f.p_value, k[i++] = an.eta_squared.ci_low;
    free(ch);
    free(x);
    free(y);
}

static void work(int id, outcome *o)
{
    memset(o, 0, sizeof *o);
    char src[4096], dst[4096];
    kt_path(src, sizeof src, fixtures[id % NFIX]);
    snprintf(dst, sizeof dst, "%s/t%d.h5", tmpdir, id);
    kap_trial *t = NULL;
    const char *paths[1] = {src};
    kap_error e;
    o->rc_ingest = kap_ingest_files(&t, paths, 1, NULL, &e);
    if (o->rc_ingest == KAP_OK) {
        o->rc_write = kap_trial_write(t, dst, &e);
        kap_trial_free(t);
        t = NULL;
        o->rc_open = kap_trial_open(&t, dst, &e);
        if (o->rc_open == KAP_OK) {
            o->n_participants = kap_trial_n_participants(t);
            snprintf(o->sha, sizeof o->sha, "%s", kap_trial_source_sha256(t, 0));
        }
    }
    kap_trial_free(t);
    /* the shared store */
    kap_compare *c = NULL;
    o->rc_compare = kap_compare_run(&c, shared, "madrs", (id & 1) ? "week8" : "week2", NULL, &e);
    if (o->rc_compare == KAP_OK)
        fill_compare(o->compare, c);
    kap_compare_free(c);
    kernels(o->kern, shared);
}

static int mismatches;

static void *thread_main(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int round = 0; round < ROUNDS; round++) {
        outcome o;
        work(id, &o);
        if (memcmp(&o, &serial[id], sizeof o) != 0)
            __atomic_add_fetch(&mismatches, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void test_threads_identical(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/kapthreads-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    char src[4096];
    kt_path(src, sizeof src, "../datasets/kap_trial_wide.csv");
    const char *paths[1] = {src};
    kap_trial *t = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_ingest_files(&t, paths, 1, NULL, NULL), KAP_OK);
    snprintf(store_path, sizeof store_path, "%s/shared.h5", tmpdir);
    CU_ASSERT_EQUAL_FATAL(kap_trial_write(t, store_path, NULL), KAP_OK);
    kap_trial_free(t);
    CU_ASSERT_EQUAL_FATAL(kap_trial_open(&shared, store_path, NULL), KAP_OK);

    for (int i = 0; i < NTHREADS; i++) {
        work(i, &serial[i]);
        CU_ASSERT_EQUAL(serial[i].rc_ingest, KAP_OK);
        CU_ASSERT_EQUAL(serial[i].rc_write, KAP_OK);
        CU_ASSERT_EQUAL(serial[i].rc_open, KAP_OK);
        CU_ASSERT_EQUAL(serial[i].rc_compare, KAP_OK);
        CU_ASSERT(serial[i].n_participants > 0);
    }
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)i), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(mismatches, 0);
    kap_trial_free(shared);
    for (int i = 0; i < NTHREADS; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/t%d.h5", tmpdir, i);
        unlink(p);
    }
    unlink(store_path);
    rmdir(tmpdir);
}

/* Reader loop while a writer replaces the store: every open sees either
 * the old or the new trial, complete, never a mixture or an error. */
static volatile int writer_done;
static char rw_path[4200];
static size_t n_old, n_new;

static void *writer_main(void *arg)
{
    kap_trial **ts = arg;
    for (int i = 0; i < 20; i++)
        kap_trial_write(ts[i & 1], rw_path, NULL);
    __atomic_store_n(&writer_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *reader_main(void *arg)
{
    int *bad = arg;
    int reads = 0;
    while (!__atomic_load_n(&writer_done, __ATOMIC_SEQ_CST) || reads < 5) {
        kap_trial *t = NULL;
        kap_error e;
        int rc = kap_trial_open(&t, rw_path, &e);
        if (rc != KAP_OK) {
            (*bad)++;
            fprintf(stderr, "reader: %s\n", e.message);
        } else {
            size_t n = kap_trial_n_participants(t);
            if (n != n_old && n != n_new)
                (*bad)++;
        }
        kap_trial_free(t);
        reads++;
    }
    return NULL;
}

static void test_readers_during_replace(void)
{
    char dir[64] = "/tmp/kaprw-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(rw_path, sizeof rw_path, "%s/store.h5", dir);
    char a[4096], b[4096];
    kt_path(a, sizeof a, "data/ingest/small_wide.csv");
    kt_path(b, sizeof b, "../datasets/kap_trial_wide.csv");
    kap_trial *ts[2] = {NULL, NULL};
    const char *pa[1] = {a}, *pb[1] = {b};
    CU_ASSERT_EQUAL_FATAL(kap_ingest_files(&ts[0], pa, 1, NULL, NULL), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(kap_ingest_files(&ts[1], pb, 1, NULL, NULL), KAP_OK);
    n_old = kap_trial_n_participants(ts[0]);
    n_new = kap_trial_n_participants(ts[1]);
    CU_ASSERT_EQUAL_FATAL(kap_trial_write(ts[0], rw_path, NULL), KAP_OK);
    pthread_t w, r[3];
    int bad[3] = {0, 0, 0};
    writer_done = 0;
    pthread_create(&w, NULL, writer_main, ts);
    for (int i = 0; i < 3; i++)
        pthread_create(&r[i], NULL, reader_main, &bad[i]);
    pthread_join(w, NULL);
    for (int i = 0; i < 3; i++) {
        pthread_join(r[i], NULL);
        CU_ASSERT_EQUAL(bad[i], 0);
    }
    kap_trial_free(ts[0]);
    kap_trial_free(ts[1]);
    unlink(rw_path);
    rmdir(dir);
}

static CU_TestInfo tests[] = {
    {"8 threads: ingest/write/open + analyses on one store = serial", test_threads_identical},
    {"readers see old or new store while a writer replaces it", test_readers_during_replace},
    CU_TEST_INFO_NULL,
};

int main(void) { return kt_main("threads", tests); }
