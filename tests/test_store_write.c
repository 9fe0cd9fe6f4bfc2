/* tests/test_store_write.c - the store writer's own chunk pipeline
 * (libkapstats/chunk_writer.c + H5Dwrite_chunk in store_hdf5.c).
 *
 * References: HDF5 1.10 itself.  A store written through HDF5's filters
 * (H5Dwrite; shuffle, zlib deflate, Fletcher-32 run by HDF5) is the
 * reference: the library's pipeline with zlib at the same level must give
 * the same file byte for byte, with 1, 2 and 4 threads.  With libdeflate
 * (different deflate bytes) the file must be the same for every thread
 * count, open (HDF5 verifies every chunk's Fletcher-32 on read) and hold
 * the same trial: rewritten through HDF5's filters it gives the reference
 * bytes again.  The chunk pipeline alone is checked by undoing it with
 * zlib's uncompress and an unshuffle written from the HDF5 shuffle filter's
 * description. */
#include "kap_test.h"
#include "chunk_writer.h"
#include "sha256_internal.h"
#include "store_internal.h"
#include "trial_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

static char tmpdir[256];

static const char *tpath(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ull;
}

/* A wide CSV of n participants: two instruments (5 and 2 visits, some
 * missing), numeric and categorical covariates, one AE column. */
static char *make_csv(size_t n, size_t *len)
{
    size_t cap = 200 + n * 160;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t o = (size_t)snprintf(s, cap,
        "participant_id,arm,site,sex,age,weight,madrs_baseline,madrs_week1,"
        "madrs_week2,madrs_week4,madrs_week8,phq9_baseline,phq9_week8,"
        "ae_nausea\n");
    uint64_t x = 42;
    for (size_t i = 0; i < n; i++) {
        o += (size_t)snprintf(s + o, cap - o, "KAP-%07zu,%s,%02u,%c,%u,%.1f",
                              i + 1, rnd(&x) % 2 ? "ketamine" : "placebo",
                              (unsigned)(rnd(&x) % 12),
                              rnd(&x) % 2 ? 'F' : 'M',
                              (unsigned)(18 + rnd(&x) % 60),
                              50.0 + (double)(rnd(&x) % 700) / 10.0);
        for (int v = 0; v < 5; v++) {
            if (v > 0 && rnd(&x) % 10 == 0)
                o += (size_t)snprintf(s + o, cap - o, ",");
            else
                o += (size_t)snprintf(s + o, cap - o, ",%u",
                                      (unsigned)(rnd(&x) % 61));
        }
        o += (size_t)snprintf(s + o, cap - o, ",%u,%u,%u\n",
                              (unsigned)(rnd(&x) % 28),
                              (unsigned)(rnd(&x) % 28),
                              (unsigned)(rnd(&x) % 5 == 0));
    }
    *len = o;
    return s;
}

static kap_trial *make_trial(size_t n)
{
    size_t len = 0;
    char *csv = make_csv(n, &len);
    CU_ASSERT_FATAL(csv != NULL);
    kap_trial *t = NULL;
    kap_error e;
    int rc = kap_ingest_memory(&t, "gen.csv", csv, len, NULL, &e);
    if (rc)
        fprintf(stderr, "ingest: %s\n", e.message);
    free(csv);
    CU_ASSERT_FATAL(rc == KAP_OK);
    return t;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(sz > 0 ? (size_t)sz : 1);
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static int same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    if (!same)
        fprintf(stderr, "\n  %s (%zu bytes) and %s (%zu bytes) differ\n", a,
                na, b, nb);
    free(x);
    free(y);
    return same;
}

static int write_with(const kap_trial *t, const char *path, int direct,
                      int codec, int level, int threads)
{
    kap_store_write_options o = {direct, codec, level, threads};
    kap_error e;
    int rc = kap_trial_write_opts(t, path, &o, &e);
    if (rc)
        fprintf(stderr, "\n  write %s: %s\n", path, e.message);
    return rc;
}

/* 70001 participants: the AE flags dataset (1 x n bytes) has rows longer
 * than a chunk (one chunk per row), scores have a partial edge chunk, ids
 * are deflated strings; plus small chunked datasets without deflate. */
static void check_zlib_identical(size_t n, int level)
{
    kap_trial *t = make_trial(n);
    char ref[300], p[300];
    tpath(ref, sizeof ref, "ref.h5");
    CU_ASSERT_EQUAL_FATAL(write_with(t, ref, 0, KAP_CODEC_ZLIB, level, 1), KAP_OK);
    int threads[] = {1, 2, 4};
    for (int i = 0; i < 3; i++) {
        tpath(p, sizeof p, "direct.h5");
        CU_ASSERT_EQUAL_FATAL(write_with(t, p, 1, KAP_CODEC_ZLIB, level,
                                         threads[i]), KAP_OK);
        CU_ASSERT(same_file(p, ref));
        unlink(p);
    }
    unlink(ref);
    kap_trial_free(t);
}

static void test_zlib_identical_to_hdf5(void)
{
    check_zlib_identical(70001, 6);
}

static void test_zlib_identical_levels(void)
{
    check_zlib_identical(20000, 1);
    check_zlib_identical(20000, 9);
}

/* The default (libdeflate) store: same bytes for 1, 2, 4 threads and on
 * every run; opens; holds the same trial as the reference. */
static void test_libdeflate_store(void)
{
    kap_trial *t = make_trial(70001);
    char a[300], b[300], ref[300], again[300];
    tpath(a, sizeof a, "ld1.h5");
    tpath(b, sizeof b, "ldn.h5");
    tpath(ref, sizeof ref, "ref.h5");
    tpath(again, sizeof again, "again.h5");
    CU_ASSERT_EQUAL_FATAL(write_with(t, a, 1, KAP_STORE_CODEC,
                                     KAP_STORE_LEVEL, 1), KAP_OK);
    int threads[] = {1, 2, 4};
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL_FATAL(write_with(t, b, 1, KAP_STORE_CODEC,
                                         KAP_STORE_LEVEL, threads[i]), KAP_OK);
        CU_ASSERT(same_file(a, b));
    }
    /* kap_trial_write uses exactly these settings */
    kap_error e;
    CU_ASSERT_EQUAL_FATAL(kap_trial_write(t, b, &e), KAP_OK);
    CU_ASSERT(same_file(a, b));

    kap_trial *u = NULL;
    CU_ASSERT_EQUAL_FATAL(kap_trial_open(&u, a, &e), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(write_with(t, ref, 0, KAP_CODEC_ZLIB, 6, 1), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(write_with(u, again, 0, KAP_CODEC_ZLIB, 6, 1), KAP_OK);
    CU_ASSERT(same_file(ref, again));
    kap_trial_free(u);
    unlink(a);
    unlink(b);
    unlink(ref);
    unlink(again);
    kap_trial_free(t);
}

/* Reading decodes chunks on threads (chunk_reader.c): with 1, 2 and 4
 * threads, from a store written by HDF5's filters (zlib) and from the
 * default store (libdeflate), the trial read back rewrites to the
 * reference bytes (every value bit for bit). */
static void test_read_threads(void)
{
    kap_trial *t = make_trial(70001);
    char ref[300], ld[300], again[300];
    tpath(ref, sizeof ref, "ref.h5");
    tpath(ld, sizeof ld, "ld.h5");
    tpath(again, sizeof again, "again.h5");
    CU_ASSERT_EQUAL_FATAL(write_with(t, ref, 0, KAP_CODEC_ZLIB, 6, 1), KAP_OK);
    CU_ASSERT_EQUAL_FATAL(write_with(t, ld, 1, KAP_STORE_CODEC, KAP_STORE_LEVEL,
                                     2), KAP_OK);
    const char *old = getenv("KAPSTATS_THREADS");
    char *saved = old ? strdup(old) : NULL;
    const char *threads[] = {"1", "2", "4"};
    for (int i = 0; i < 3; i++) {
        setenv("KAPSTATS_THREADS", threads[i], 1);
        const char *src[] = {ref, ld};
        for (int j = 0; j < 2; j++) {
            kap_trial *u = NULL;
            kap_error e;
            CU_ASSERT_EQUAL_FATAL(kap_trial_open(&u, src[j], &e), KAP_OK);
            CU_ASSERT_EQUAL(write_with(u, again, 0, KAP_CODEC_ZLIB, 6, 1), KAP_OK);
            CU_ASSERT(same_file(again, ref));
            kap_trial_free(u);
        }
    }
    if (saved) {
        setenv("KAPSTATS_THREADS", saved, 1);
        free(saved);
    } else {
        unsetenv("KAPSTATS_THREADS");
    }
    unlink(ref);
    unlink(ld);
    unlink(again);
    kap_trial_free(t);
}

/* A damaged chunk is caught on read by HDF5's Fletcher-32 check of the
 * chunks we filtered: flip a byte in the middle of the file (raw chunk
 * data: the datasets' chunks are nearly all of the file), re-seal the
 * userblock so that the seal check passes, and open: KAP_EFORMAT. */
static void test_damaged_chunk_detected(void)
{
    kap_trial *t = make_trial(30000);
    char p[300];
    tpath(p, sizeof p, "dmg.h5");
    CU_ASSERT_EQUAL_FATAL(write_with(t, p, 1, KAP_STORE_CODEC,
                                     KAP_STORE_LEVEL, 2), KAP_OK);
    size_t n = 0;
    unsigned char *b = slurp(p, &n);
    CU_ASSERT_FATAL(b != NULL && n > 4096);
    b[n / 2] ^= 0x40;
    char *key = strstr((char *)b, "content-sha256: ");
    CU_ASSERT_FATAL(key != NULL && key < (char *)b + 400);
    kap_sha256 h;
    kap_sha256_init(&h);
    kap_sha256_update(&h, b + 512, n - 512);
    char hex[65];
    kap_sha256_final_hex(&h, hex);
    memcpy(key + strlen("content-sha256: "), hex, 64);
    FILE *f = fopen(p, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fwrite(b, 1, n, f), n);
    fclose(f);
    free(b);
    kap_trial *u = NULL;
    kap_error e;
    int rc = kap_trial_open(&u, p, &e);
    CU_ASSERT_EQUAL(rc, KAP_EFORMAT);
    CU_ASSERT_PTR_NULL(u);
    unlink(p);
    kap_trial_free(t);
}

/* ---- the chunk pipeline alone ----------------------------------------- */

typedef struct collect {
    unsigned char *buf;
    size_t len, cap;
    size_t next;        /* expected index */
    size_t *sizes;
    size_t nsizes;
    int order_ok;
    size_t fail_at;     /* emit returns an error at this index (0 = never) */
} collect;

static int collect_emit(void *ctx, size_t index, const void *buf, size_t size)
{
    collect *c = ctx;
    if (index != c->next)
        c->order_ok = 0;
    c->next = index + 1;
    if (c->fail_at && index + 1 == c->fail_at)
        return KAP_EIO;
    if (c->len + size > c->cap) {
        c->cap = (c->len + size) * 2;
        c->buf = realloc(c->buf, c->cap);
    }
    memcpy(c->buf + c->len, buf, size);
    c->len += size;
    c->sizes = realloc(c->sizes, (c->nsizes + 1) * sizeof *c->sizes);
    c->sizes[c->nsizes++] = size;
    return KAP_OK;
}

/* Undo one chunk: check Fletcher-32, inflate, unshuffle. */
static int undo_chunk(const unsigned char *in, size_t size, size_t cb,
                      size_t elem, int deflated, unsigned char *out)
{
    if (size < 4)
        return -1;
    uint32_t f = kap_fletcher32(in, size - 4);
    const unsigned char *t = in + size - 4;
    if (((uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
         (uint32_t)t[3] << 24) != f)
        return -2;
    unsigned char *mid = malloc(cb);
    uLongf got = cb;
    if (deflated) {
        if (uncompress(mid, &got, in, size - 4) != Z_OK || got != cb) {
            free(mid);
            return -3;
        }
    } else {
        if (size - 4 != cb) {
            free(mid);
            return -3;
        }
        memcpy(mid, in, cb);
    }
    if (elem > 1) {
        size_t ne = cb / elem;
        for (size_t i = 0; i < ne; i++)
            for (size_t j = 0; j < elem; j++)
                out[i * elem + j] = mid[j * ne + i];
        memcpy(out + ne * elem, mid + ne * elem, cb - ne * elem);
    } else {
        memcpy(out, mid, cb);
    }
    free(mid);
    return 0;
}

static void check_pipeline(int codec, int level, size_t elem, int deflate,
                           size_t bytes, size_t cb)
{
    unsigned char *data = malloc(bytes);
    uint64_t x = 7 + bytes;
    for (size_t i = 0; i < bytes; i++)
        data[i] = (unsigned char)(i % 97 < 50 ? rnd(&x) >> 60 : i / 1000);
    collect ref = {0};
    for (int threads = 1; threads <= 4; threads++) {
        kap_chunkw *w = NULL;
        CU_ASSERT_EQUAL_FATAL(kap_chunkw_new(&w, threads, codec, level), KAP_OK);
        collect c = {0};
        c.order_ok = 1;
        CU_ASSERT_EQUAL(kap_chunkw_run(w, data, bytes, cb, elem, deflate,
                                       collect_emit, &c), KAP_OK);
        /* a second run on the same pipeline gives the same bytes */
        collect c2 = {0};
        c2.order_ok = 1;
        CU_ASSERT_EQUAL(kap_chunkw_run(w, data, bytes, cb, elem, deflate,
                                       collect_emit, &c2), KAP_OK);
        kap_chunkw_free(w);
        CU_ASSERT(c.order_ok && c2.order_ok);
        CU_ASSERT_EQUAL(c.nsizes, (bytes + cb - 1) / cb);
        CU_ASSERT(c.len == c2.len && !memcmp(c.buf, c2.buf, c.len));
        if (threads == 1) {
            ref = c;
        } else {
            CU_ASSERT(c.len == ref.len && !memcmp(c.buf, ref.buf, c.len));
            free(c.buf);
            free(c.sizes);
        }
        free(c2.buf);
        free(c2.sizes);
    }
    /* undo every chunk: the input comes back, the padding is zeros */
    unsigned char *chunk = malloc(cb);
    size_t off = 0;
    for (size_t k = 0; k < ref.nsizes; k++) {
        CU_ASSERT_EQUAL_FATAL(undo_chunk(ref.buf + off, ref.sizes[k], cb, elem,
                                         deflate, chunk), 0);
        size_t n = bytes - k * cb < cb ? bytes - k * cb : cb;
        CU_ASSERT(!memcmp(chunk, data + k * cb, n));
        for (size_t i = n; i < cb; i++)
            CU_ASSERT_EQUAL_FATAL(chunk[i], 0);
        off += ref.sizes[k];
    }
    free(chunk);
    free(ref.buf);
    free(ref.sizes);
    free(data);
}

static void test_pipeline_roundtrip(void)
{
    check_pipeline(KAP_CODEC_ZLIB, 6, 8, 1, 1000003 - 3, 65536);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 8, 1, 1000000, 65536);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 1, 4, 1, 300001 * 4, 65536);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 12, 3, 1, 30000 * 3, 4095);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 1, 1, 2000000, 1000000);
    check_pipeline(KAP_CODEC_ZLIB, 6, 0, 0, 9000, 4096);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 8, 0, 8 * 1000, 8 * 300);
    /* chunks whose element count is not a multiple of 16 (the vector
     * shuffle's block) */
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 8, 1, 8 * 5000, 8 * 1001);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 4, 1, 4 * 5000, 4 * 1003);
    check_pipeline(KAP_CODEC_LIBDEFLATE, 6, 2, 1, 2 * 5000, 2 * 1003);
}

/* An error from the callback stops the run and is returned; the pipeline
 * stays usable. */
static void test_pipeline_emit_error(void)
{
    size_t bytes = 4000000;
    unsigned char *data = calloc(1, bytes);
    for (int threads = 1; threads <= 4; threads += 3) {
        kap_chunkw *w = NULL;
        CU_ASSERT_EQUAL_FATAL(kap_chunkw_new(&w, threads, KAP_CODEC_LIBDEFLATE,
                                             6), KAP_OK);
        collect c = {0};
        c.order_ok = 1;
        c.fail_at = 5;
        CU_ASSERT_EQUAL(kap_chunkw_run(w, data, bytes, 65536, 8, 1,
                                       collect_emit, &c), KAP_EIO);
        CU_ASSERT_EQUAL(c.nsizes, 4);
        collect d = {0};
        d.order_ok = 1;
        CU_ASSERT_EQUAL(kap_chunkw_run(w, data, bytes, 65536, 8, 1,
                                       collect_emit, &d), KAP_OK);
        CU_ASSERT_EQUAL(d.nsizes, (bytes + 65535) / 65536);
        kap_chunkw_free(w);
        free(c.buf);
        free(c.sizes);
        free(d.buf);
        free(d.sizes);
    }
    free(data);
}

static void test_pipeline_bad_settings(void)
{
    kap_chunkw *w = (kap_chunkw *)1;
    CU_ASSERT_EQUAL(kap_chunkw_new(&w, 0, KAP_CODEC_ZLIB, 6), KAP_EINVAL);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL(kap_chunkw_new(&w, 1, KAP_CODEC_ZLIB, 10), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_chunkw_new(&w, 1, KAP_CODEC_LIBDEFLATE, 13), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_chunkw_new(&w, 1, 99, 6), KAP_EINVAL);
    CU_ASSERT_EQUAL(kap_chunkw_new(&w, KAP_MAX_THREADS + 1,
                                   KAP_CODEC_ZLIB, 6), KAP_EINVAL);
    kap_chunkw_free(NULL);
    /* HDF5's own filters only know zlib */
    kap_trial *t = make_trial(10);
    char p[300];
    tpath(p, sizeof p, "bad.h5");
    kap_store_write_options o = {0, KAP_CODEC_LIBDEFLATE, 6, 1};
    kap_error e;
    CU_ASSERT_EQUAL(kap_trial_write_opts(t, p, &o, &e), KAP_EINVAL);
    CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
    kap_trial_free(t);
}

/* Duplicate ids among many (the hash-set check) are refused, naming the
 * smallest duplicate in byte order, as the sort-based check did. */
static void test_duplicate_ids_many(void)
{
    kap_trial *t = make_trial(1000);
    char p[300];
    tpath(p, sizeof p, "dup.h5");
    char *a = t->ids[900], *b = t->ids[950];
    t->ids[900] = kap_strdup("KAP-0000500");
    t->ids[950] = kap_strdup("KAP-0000007");
    kap_error e;
    CU_ASSERT_EQUAL(kap_trial_write(t, p, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "/participants/id: duplicate value 'KAP-0000007'"));
    CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
    kap_free(t->ids[900]);
    kap_free(t->ids[950]);
    t->ids[900] = a;
    t->ids[950] = b;
    CU_ASSERT_EQUAL(kap_trial_write(t, p, &e), KAP_OK);
    /* out of order but unique: the hash set passes it */
    char *c = t->ids[10];
    t->ids[10] = b;
    t->ids[950] = c;
    CU_ASSERT_EQUAL(kap_trial_write(t, p, &e), KAP_OK);
    /* out of order with a duplicate far from its twin */
    t->ids[950] = kap_strdup("KAP-0000999");
    CU_ASSERT_EQUAL(kap_trial_write(t, p, &e), KAP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "duplicate value 'KAP-0000999'"));
    kap_free(t->ids[950]);
    t->ids[950] = b;
    t->ids[10] = c;
    unlink(p);
    kap_trial_free(t);
}

/* KAPSTATS_THREADS overrides the CPU count; nonsense is ignored. */
static void test_default_threads(void)
{
    const char *old = getenv("KAPSTATS_THREADS");
    char *saved = old ? strdup(old) : NULL;
    unsetenv("KAPSTATS_THREADS");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int def = kap_default_threads();
    CU_ASSERT(def >= 1 && def <= KAP_MAX_DEFAULT_THREADS);
    CU_ASSERT(cpus < 1 || def == (cpus < KAP_MAX_DEFAULT_THREADS
                                      ? (int)cpus : KAP_MAX_DEFAULT_THREADS));
    setenv("KAPSTATS_THREADS", "1", 1);
    CU_ASSERT_EQUAL(kap_default_threads(), 1);
    setenv("KAPSTATS_THREADS", "7", 1);
    CU_ASSERT_EQUAL(kap_default_threads(), 7);
    const char *bad[] = {"0", "-2", "abc", "3x", "65", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("KAPSTATS_THREADS", bad[i], 1);
        CU_ASSERT_EQUAL(kap_default_threads(), def);
    }
    if (saved) {
        setenv("KAPSTATS_THREADS", saved, 1);
        free(saved);
    } else {
        unsetenv("KAPSTATS_THREADS");
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kap_store_write-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    CU_TestInfo tests[] = {
        {"zlib chunks = HDF5's filters, byte for byte, 1/2/4 threads", test_zlib_identical_to_hdf5},
        {"zlib chunks = HDF5's filters at levels 1 and 9", test_zlib_identical_levels},
        {"libdeflate store: thread-independent, opens, same trial", test_libdeflate_store},
        {"read on 1/2/4 threads, zlib and libdeflate stores", test_read_threads},
        {"damaged chunk data is refused", test_damaged_chunk_detected},
        {"pipeline undone by inflate + unshuffle, 1-4 threads", test_pipeline_roundtrip},
        {"pipeline: callback error stops the run", test_pipeline_emit_error},
        {"pipeline: bad settings", test_pipeline_bad_settings},
        {"KAPSTATS_THREADS", test_default_threads},
        {"duplicate ids among 1000", test_duplicate_ids_many},
        CU_TEST_INFO_NULL,
    };
    int rc = kt_main("store_write", tests);
    rmdir(tmpdir);
    return rc;
}
