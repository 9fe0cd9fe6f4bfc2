/*
 * store_hdf5.c - the trial as an HDF5 store.
 *
 *   kap_trial_write()  validates the trial, writes it to a temporary file
 *                      beside the target, fsyncs it and renames it over the
 *                      target (atomic replace), then fsyncs the directory.
 *   kap_trial_open()   reads a store and checks everything it reads (rank,
 *                      dimensions, type classes, filters, storage sizes,
 *                      code ranges, UTF-8, ordering) before trusting it.
 *
 * The layout is documented in docs/hdf5-layout.md; keep both in step.
 *
 * Why the file format choices (details in the layout document):
 *  - libver bounds v1.10..v1.10: superblock v3 and version-2 object headers,
 *    B-trees and heaps, all of which carry checksums; so a damaged metadata
 *    byte is detected by HDF5 before it is parsed.  Raw data of datasets
 *    above COMPACT_MAX_BYTES is chunked with the Fletcher-32 filter; smaller
 *    datasets are compact (inside the checksummed object header).  A flipped
 *    byte anywhere that matters therefore gives KAP_EFORMAT.
 *  - fixed-length, NUL-terminated UTF-8 strings only (no variable-length
 *    strings): bounded, no global heap, byte-deterministic.
 *  - object modification times are off: same trial, same bytes.
 *
 *  - a 512-byte userblock (which HDF5 skips) seals the file: a text header
 *    with the layout version and the SHA-256 of every byte after it.
 *    kap_trial_open verifies it before HDF5 parses anything, so a damaged
 *    or truncated store is refused without HDF5 ever decoding damaged
 *    metadata (HDF5 1.10 leaks internal state when an object header fails
 *    its checksum and then prints "infinite loop closing library" at exit;
 *    HDFGroup/hdf5#3790, fixed in 1.14.5).
 *
 * HDF5 prints its error stack to stderr by default; the library must never
 * print, so every entry point switches the (per-thread, thread-safe build)
 * automatic error printing off and restores it before returning.
 */
#include "atomic_file.h"
#include "chunk_reader.h"
#include "sha256_internal.h"
#include "store_internal.h"
#include "trial_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#define FORMAT_NAME "libkapstats-trial"
/* Names held in attributes (instrument and covariate names) and other
 * names (ids, labels, levels, terms, ...), in bytes without the NUL. */
#define ATTR_NAME_MAX 4096u
#define NAME_MAX_BYTES 65536u
/* The mapping text. */
#define TEXT_MAX_BYTES (16u * 1024u * 1024u)
/* Dimension cap: codes are int32. */
#define DIM_MAX ((hsize_t)INT32_MAX)
/* Children of /instruments or /covariates. */
#define CHILDREN_MAX 65536u
/* Datasets up to this size are compact (raw data in the object header,
 * covered by its checksum); larger ones are chunked with Fletcher-32. */
#define COMPACT_MAX_BYTES 4096u
/* From this size on, chunks are also shuffled and deflated. */
#define COMPRESS_MIN_BYTES 16384u
#define CHUNK_TARGET_BYTES 65536u
/* deflate cannot expand data by more than ~1032:1; a chunked dataset whose
 * stored size is smaller than its size / this factor is not genuine. */
#define DEFLATE_MAX_RATIO 1100u

/* The userblock: header text, NUL-padded to USERBLOCK bytes. */
#define USERBLOCK 512
#define SEAL_MAGIC "libkapstats-trial store\n"
#define SEAL_FORMAT \
    SEAL_MAGIC \
    "layout-version: %ld\n" \
    "content-sha256: %s\n" \
    "The HDF5 file starts at byte 512; content-sha256 is the SHA-256 of " \
    "bytes 512 to the end of the file.\n"

static const char *const kind_names[] = {"depression", "ptsd", "dissociation",
                                         "vital", "generic"};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])
static const char *const cov_type_names[] = {"numeric", "categorical"};

/* ==== small helpers ===================================================== */

static void close_obj(hid_t *id)
{
    if (*id >= 0)
        H5Oclose(*id);
    *id = H5I_INVALID_HID;
}
static void close_attr(hid_t *id)
{
    if (*id >= 0)
        H5Aclose(*id);
    *id = H5I_INVALID_HID;
}
static void close_space(hid_t *id)
{
    if (*id >= 0)
        H5Sclose(*id);
    *id = H5I_INVALID_HID;
}
static void close_type(hid_t *id)
{
    if (*id >= 0)
        H5Tclose(*id);
    *id = H5I_INVALID_HID;
}
static void close_plist(hid_t *id)
{
    if (*id >= 0)
        H5Pclose(*id);
    *id = H5I_INVALID_HID;
}

/* Automatic error printing off for this thread; restored by quiet_end. */
typedef struct quiet {
    int version; /* 2: H5Eget_auto2 worked; 1: v1 handler; 0: unknown */
    H5E_auto2_t func2;
    void *data;
#ifndef H5_NO_DEPRECATED_SYMBOLS
    H5E_auto1_t func1;
#endif
} quiet;

static void quiet_begin(quiet *q)
{
    memset(q, 0, sizeof *q);
    if (H5Eget_auto2(H5E_DEFAULT, &q->func2, &q->data) >= 0) {
        q->version = 2;
    }
#ifndef H5_NO_DEPRECATED_SYMBOLS
    /* The application installed a v1 handler (H5Eset_auto1). */
    else if (H5Eget_auto1(&q->func1, &q->data) >= 0) {
        q->version = 1;
    }
#endif
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(quiet *q)
{
    H5Eclear2(H5E_DEFAULT);
    if (q->version == 2)
        H5Eset_auto2(H5E_DEFAULT, q->func2, q->data);
#ifndef H5_NO_DEPRECATED_SYMBOLS
    else if (q->version == 1)
        H5Eset_auto1(q->func1, q->data);
#endif
}

/* The most specific message on the HDF5 error stack ("" if none); clears
 * the stack. */
typedef struct reason_buf {
    char text[160];
} reason_buf;

static herr_t reason_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    reason_buf *b = data;
    if (n == 0 && e && e->desc)
        kap_snprintf(b->text, sizeof b->text, "%s", e->desc);
    return 0;
}

static const char *h5_reason(reason_buf *b)
{
    b->text[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_walk, b);
    H5Eclear2(H5E_DEFAULT);
    if (!b->text[0])
        kap_snprintf(b->text, sizeof b->text, "unknown HDF5 error");
    return b->text;
}

static const char *errno_text(int e, char *buf, size_t n)
{
    /* GNU strerror_r (the Makefile builds with _GNU_SOURCE). */
    return strerror_r(e, buf, n);
}

/* Append s to an object path for messages, replacing bytes that could
 * disturb a terminal (controls) with '?'. */
static void path_join(char *out, size_t cap, const char *parent,
                      const char *name)
{
    size_t len = 0;
    int root = strcmp(parent, "/") == 0;
    kap_snprintf(out, cap, "%s%s", parent, root ? "" : "/");
    len = strlen(out);
    for (const unsigned char *p = (const unsigned char *)name;
         *p && len + 1 < cap; p++)
        out[len++] = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
    out[len] = '\0';
}

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF). */
static int utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t k;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1; cp = c & 0x1f; min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2; cp = c & 0x0f; min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return 0;
        }
        if (len - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Link name of an instrument or covariate group: the name with '%', '/'
 * and a leading '.' percent-encoded (HDF5 link names cannot hold '/' and
 * "." means the group itself).  NULL when out of memory. */
static char *link_name(const char *name)
{
    size_t len = strlen(name), extra = 0;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '%' || name[i] == '/' || (i == 0 && name[i] == '.'))
            extra += 2;
    if (len > SIZE_MAX - extra - 1)
        return NULL;
    char *out = kap_malloc(len + extra + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '%' || c == '/' || (i == 0 && c == '.')) {
            *o++ = '%';
            *o++ = "0123456789ABCDEF"[((unsigned char)c) >> 4];
            *o++ = "0123456789ABCDEF"[((unsigned char)c) & 15];
        } else {
            *o++ = c;
        }
    }
    *o = '\0';
    return out;
}

static void free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        kap_free(s[i]);
    kap_free(s);
}

/* ==== the seal (userblock) ============================================= */

static int is_lower_hex64(const char *s);

static void make_seal(char out[USERBLOCK], long version, const char *hex)
{
    memset(out, 0, USERBLOCK);
    kap_snprintf(out, USERBLOCK, SEAL_FORMAT, version, hex);
}

/* SHA-256 (hex) of bytes [from, end of file) of fd; -1 with errno. */
static int hash_from(int fd, off_t from, char hex[65])
{
    enum { BUF = 65536 };
    unsigned char *buf = kap_malloc(BUF);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    kap_sha256 h;
    kap_sha256_init(&h);
    off_t off = from;
    for (;;) {
        ssize_t got = pread(fd, buf, BUF, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            kap_free(buf);
            errno = e;
            return -1;
        }
        if (got == 0)
            break;
        kap_sha256_update(&h, buf, (size_t)got);
        off += got;
    }
    kap_free(buf);
    kap_sha256_final_hex(&h, hex);
    return 0;
}

static int write_all_at(int fd, const void *data, size_t n, off_t off)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* Check the seal of the open file fd (size bytes).  *sealed = 1 when a
 * valid seal matches the content; 0 when the file has no seal at all (it
 * may be foreign, or a store whose first bytes are damaged: the caller
 * decides once it knows what the file is).  A seal that is present but
 * wrong, or a newer layout, is an error. */
static int check_seal(const char *path, int fd, off_t size, int *sealed,
                      kap_error *err)
{
    char ub[USERBLOCK], ebuf[128];
    *sealed = 0;
    if (size < USERBLOCK)
        return KAP_OK;
    size_t have = 0;
    while (have < USERBLOCK) {
        ssize_t got = pread(fd, ub + have, USERBLOCK - have, (off_t)have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            return kap_err(err, KAP_EIO, "cannot read %s: %s", path,
                           errno_text(e, ebuf, sizeof ebuf));
        }
        if (got == 0)
            return KAP_OK;
        have += (size_t)got;
    }
    size_t ml = strlen(SEAL_MAGIC);
    if (memcmp(ub, SEAL_MAGIC, ml) != 0)
        return KAP_OK;
    /* From here on the file says it is a store. */
    const char *p = ub + ml, *key = "layout-version: ";
    long version = 0;
    int digits = 0;
    if (strncmp(p, key, strlen(key)) == 0) {
        p += strlen(key);
        while (*p >= '0' && *p <= '9' && digits < 9) {
            version = version * 10 + (*p++ - '0');
            digits++;
        }
    }
    if (digits == 0 || *p != '\n')
        return kap_err(err, KAP_EFORMAT, "%s: damaged store header (the first "
                       "%d bytes)", path, USERBLOCK);
    if (version > KAP_STORE_LAYOUT_VERSION)
        return kap_err(err, KAP_EFORMAT, "%s: store layout version %ld is "
                       "newer than this libkapstats supports (%d); upgrade "
                       "libkapstats", path, version, KAP_STORE_LAYOUT_VERSION);
    key = "\ncontent-sha256: ";
    char stored[65];
    if (strncmp(p, key, strlen(key)) != 0)
        return kap_err(err, KAP_EFORMAT, "%s: damaged store header (the first "
                       "%d bytes)", path, USERBLOCK);
    memcpy(stored, p + strlen(key), 64);
    stored[64] = '\0';
    char expect[USERBLOCK];
    make_seal(expect, version, stored);
    if (version < 1 || !is_lower_hex64(stored) ||
        memcmp(expect, ub, USERBLOCK) != 0)
        return kap_err(err, KAP_EFORMAT, "%s: damaged store header (the first "
                       "%d bytes)", path, USERBLOCK);
    char actual[65];
    if (hash_from(fd, USERBLOCK, actual) < 0) {
        int e = errno;
        if (e == ENOMEM)
            return kap_err(err, KAP_ENOMEM, "%s: out of memory", path);
        return kap_err(err, KAP_EIO, "cannot read %s: %s", path,
                       errno_text(e, ebuf, sizeof ebuf));
    }
    if (strcmp(actual, stored) != 0)
        return kap_err(err, KAP_EFORMAT, "%s: content checksum mismatch: the "
                       "store is damaged or truncated, or was modified by "
                       "another program", path);
    *sealed = 1;
    return KAP_OK;
}

/* ==== validation of the in-memory trial =================================
 * One set of rules for both directions: kap_trial_write refuses a trial
 * that breaks them (KAP_EINVAL) and kap_trial_open refuses a store whose
 * content breaks them (KAP_EFORMAT), so whatever is written can be read.
 * Messages name the store object holding the offending value. */

typedef struct vmsg {
    char text[400];
} vmsg;

static int vfail(vmsg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int vfail(vmsg *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kap_vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
    /* names from the store may hold control characters: keep them off the
     * caller's terminal */
    for (char *p = m->text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return KAP_EINVAL;
}

/* A name: non-NULL, non-empty, at most max bytes, valid UTF-8. */
static int check_name(vmsg *m, const char *s, size_t max, const char *obj,
                      size_t index)
{
    if (!s)
        return vfail(m, "%s[%zu]: missing (NULL) string", obj, index);
    size_t len = strnlen(s, (size_t)max + 1);
    if (len == 0)
        return vfail(m, "%s[%zu]: empty string", obj, index);
    if (len > max)
        return vfail(m, "%s[%zu]: string longer than %zu bytes", obj, index,
                     max);
    if (!utf8_valid(s, len))
        return vfail(m, "%s[%zu]: not valid UTF-8", obj, index);
    return KAP_OK;
}

static int check_names(vmsg *m, char *const *s, size_t n, size_t max,
                       const char *obj)
{
    if (n > 0 && !s)
        return vfail(m, "%s: missing (NULL) array of %zu strings", obj, n);
    for (size_t i = 0; i < n; i++) {
        int rc = check_name(m, s[i], max, obj, i);
        if (rc)
            return rc;
    }
    return KAP_OK;
}

/* Strictly increasing in byte order (sorted and unique). */
static int check_sorted(vmsg *m, char *const *s, size_t n, const char *obj)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(s[i - 1], s[i]) >= 0)
            return vfail(m, "%s: not sorted by byte order and unique at [%zu] "
                            "('%s' then '%s')", obj, i, s[i - 1], s[i]);
    return KAP_OK;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort-based check; names the smallest duplicate in byte order. */
static int check_unique_sorted(vmsg *m, char *const *s, size_t n,
                               const char *obj)
{
    char **copy = kap_malloc_array(n, sizeof *copy);
    if (!copy)
        return KAP_ENOMEM;
    memcpy(copy, s, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, cmp_strp);
    int rc = KAP_OK;
    for (size_t i = 1; i < n && rc == KAP_OK; i++)
        if (strcmp(copy[i - 1], copy[i]) == 0)
            rc = vfail(m, "%s: duplicate value '%s'", obj, copy[i]);
    kap_free(copy);
    return rc;
}

static uint64_t str_hash(const char *s)
{
    /* FNV-1a, 64-bit */
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    /* FNV's low bits mix poorly; MurmurHash3's fmix64 spreads them */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* No two strings equal.  Strictly increasing strings (ids are often in
 * order) are unique; otherwise a hash set (linear probing, load <= 1/2)
 * finds whether there is a duplicate in one pass; only then the sort names
 * the same duplicate as always (the smallest). */
static int check_unique(vmsg *m, char *const *s, size_t n, const char *obj)
{
    if (n < 2)
        return KAP_OK;
    size_t i = 1;
    while (i < n && strcmp(s[i - 1], s[i]) < 0)
        i++;
    if (i == n)
        return KAP_OK;
    if (n < 64 || n > DIM_MAX)
        return check_unique_sorted(m, s, n, obj);
    size_t cap = 128;
    while (cap < 2 * n)
        cap *= 2;
    /* entry: high 32 bits of the hash, low 32 bits index + 1 (0 = empty) */
    uint64_t *set = kap_calloc(cap, sizeof *set);
    if (!set)
        return KAP_ENOMEM;
    int dup = 0;
    for (i = 0; i < n && !dup; i++) {
        uint64_t h = str_hash(s[i]);
        uint64_t tag = h & 0xffffffff00000000ull;
        for (size_t j = (size_t)h & (cap - 1);; j = (j + 1) & (cap - 1)) {
            uint64_t e = set[j];
            if (e == 0) {
                set[j] = tag | (uint64_t)(i + 1);
                break;
            }
            if ((e & 0xffffffff00000000ull) == tag &&
                strcmp(s[(e & 0xffffffffu) - 1], s[i]) == 0) {
                dup = 1;
                break;
            }
        }
    }
    kap_free(set);
    return dup ? check_unique_sorted(m, s, n, obj) : KAP_OK;
}

static int is_lower_hex64(const char *s)
{
    for (int i = 0; i < 64; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return s[64] == '\0';
}

static int validate_trial(const kap_trial *t, vmsg *m)
{
    int rc;
    const size_t n = t->n;
    char obj[300];

    if (n > DIM_MAX)
        return vfail(m, "/participants: %zu participants (at most %d)", n,
                     INT32_MAX);
    if ((rc = check_names(m, t->ids, n, NAME_MAX_BYTES, "/participants/id")) ||
        (rc = check_unique(m, t->ids, n, "/participants/id")))
        return rc;
    if (t->n_arms > DIM_MAX)
        return vfail(m, "/participants/arm_names: too many arms (%zu)",
                     t->n_arms);
    if ((rc = check_names(m, t->arm_names, t->n_arms, NAME_MAX_BYTES,
                          "/participants/arm_names")) ||
        (rc = check_sorted(m, t->arm_names, t->n_arms,
                           "/participants/arm_names")))
        return rc;
    if (n > 0 && !t->arm)
        return vfail(m, "/participants/arm: missing (NULL)");
    for (size_t i = 0; i < n; i++)
        if (t->arm[i] < 0 || (size_t)t->arm[i] >= t->n_arms)
            return vfail(m, "/participants/arm[%zu]: code %d is not an arm "
                            "index (the trial has %zu arm%s)", i,
                         (int)t->arm[i], t->n_arms, t->n_arms == 1 ? "" : "s");

    /* instruments */
    if (t->n_instruments > CHILDREN_MAX)
        return vfail(m, "/instruments: too many instruments (%zu, at most %u)",
                     t->n_instruments, CHILDREN_MAX);
    if (t->n_instruments > 0 && !t->instruments)
        return vfail(m, "/instruments: missing (NULL) array");
    for (size_t k = 0; k < t->n_instruments; k++) {
        const kap_instrument_data *in = &t->instruments[k];
        if ((rc = check_name(m, in->name, ATTR_NAME_MAX, "/instruments", k)))
            return rc;
        for (size_t j = 0; j < k; j++)
            if (strcmp(t->instruments[j].name, in->name) == 0)
                return vfail(m, "/instruments: duplicate instrument '%s'",
                             in->name);
        path_join(obj, sizeof obj, "/instruments", in->name);
        if ((unsigned)in->kind >= N_KINDS)
            return vfail(m, "%s: kind %d is not a known instrument kind", obj,
                         (int)in->kind);
        if (!isnan(in->min) && !isnan(in->max) && !(in->min <= in->max))
            return vfail(m, "%s: range min %g > max %g", obj, in->min, in->max);
        if (in->n_visits > DIM_MAX ||
            (in->n_visits > 0 && n > SIZE_MAX / sizeof(double) / in->n_visits))
            return vfail(m, "%s: too many visits (%zu)", obj, in->n_visits);
        char sub[340];
        kap_snprintf(sub, sizeof sub, "%s/visit_labels", obj);
        if ((rc = check_names(m, in->visit_labels, in->n_visits,
                              NAME_MAX_BYTES, sub)) ||
            (rc = check_unique(m, in->visit_labels, in->n_visits, sub)))
            return rc;
        if (in->n_visits > 0 && !in->visit_days)
            return vfail(m, "%s/visit_days: missing (NULL)", obj);
        if (in->baseline < -1 || in->baseline >= (long)in->n_visits)
            return vfail(m, "%s: baseline visit index %ld out of range "
                            "-1..%zu", obj, in->baseline,
                         in->n_visits == 0 ? (size_t)0 : in->n_visits - 1);
        if (n > 0 && in->n_visits > 0 && !in->scores)
            return vfail(m, "%s/scores: missing (NULL)", obj);
    }

    /* covariates */
    if (t->n_covariates > CHILDREN_MAX)
        return vfail(m, "/covariates: too many covariates (%zu, at most %u)",
                     t->n_covariates, CHILDREN_MAX);
    if (t->n_covariates > 0 && !t->covariates)
        return vfail(m, "/covariates: missing (NULL) array");
    for (size_t c = 0; c < t->n_covariates; c++) {
        const kap_covariate_data *cv = &t->covariates[c];
        if ((rc = check_name(m, cv->name, ATTR_NAME_MAX, "/covariates", c)))
            return rc;
        for (size_t j = 0; j < c; j++)
            if (strcmp(t->covariates[j].name, cv->name) == 0)
                return vfail(m, "/covariates: duplicate covariate '%s'",
                             cv->name);
        path_join(obj, sizeof obj, "/covariates", cv->name);
        if (cv->type == KAP_COV_NUMERIC) {
            if (n > 0 && !cv->values)
                return vfail(m, "%s/values: missing (NULL)", obj);
        } else if (cv->type == KAP_COV_CATEGORICAL) {
            char sub[340];
            kap_snprintf(sub, sizeof sub, "%s/levels", obj);
            if (cv->n_levels > DIM_MAX)
                return vfail(m, "%s: too many levels (%zu)", sub,
                             cv->n_levels);
            if ((rc = check_names(m, cv->levels, cv->n_levels,
                                  NAME_MAX_BYTES, sub)) ||
                (rc = check_sorted(m, cv->levels, cv->n_levels, sub)))
                return rc;
            if (n > 0 && !cv->codes)
                return vfail(m, "%s/codes: missing (NULL)", obj);
            for (size_t i = 0; i < n; i++)
                if (cv->codes[i] < -1 ||
                    (cv->codes[i] >= 0 && (size_t)cv->codes[i] >= cv->n_levels))
                    return vfail(m, "%s/codes[%zu]: code %d out of range "
                                    "-1..%lld", obj, i, (int)cv->codes[i],
                                 (long long)cv->n_levels - 1);
        } else {
            return vfail(m, "%s: unknown covariate type %d", obj,
                         (int)cv->type);
        }
    }

    /* adverse events */
    if (t->n_ae_terms > DIM_MAX ||
        (t->n_ae_terms > 0 && n > SIZE_MAX / t->n_ae_terms))
        return vfail(m, "/adverse_events/terms: too many terms (%zu)",
                     t->n_ae_terms);
    if ((rc = check_names(m, t->ae_terms, t->n_ae_terms, NAME_MAX_BYTES,
                          "/adverse_events/terms")) ||
        (rc = check_sorted(m, t->ae_terms, t->n_ae_terms,
                           "/adverse_events/terms")))
        return rc;
    if (t->n_ae_terms > 0 && n > 0 && !t->ae_flags)
        return vfail(m, "/adverse_events/flags: missing (NULL)");
    for (size_t j = 0; j < t->n_ae_terms; j++)
        for (size_t i = 0; i < n; i++) {
            int8_t f = t->ae_flags[j * n + i];
            if (f < -1 || f > 1)
                return vfail(m, "/adverse_events/flags[%zu][%zu]: flag %d "
                                "(expected -1, 0 or 1)", j, i, (int)f);
        }

    /* provenance */
    if (t->n_sources > DIM_MAX)
        return vfail(m, "/provenance/source_names: too many sources");
    if (t->n_sources > 0 && !t->sources)
        return vfail(m, "/provenance: missing (NULL) sources");
    for (size_t s = 0; s < t->n_sources; s++) {
        if ((rc = check_name(m, t->sources[s].name, NAME_MAX_BYTES,
                             "/provenance/source_names", s)))
            return rc;
        if (!is_lower_hex64(t->sources[s].sha256))
            return vfail(m, "/provenance/source_sha256[%zu]: not 64 "
                            "lower-case hex digits", s);
    }
    if (!t->layout || (strcmp(t->layout, "wide") && strcmp(t->layout, "long")))
        return vfail(m, "/: source_layout must be \"wide\" or \"long\"");
    if (t->mapping) {
        size_t len = strnlen(t->mapping, (size_t)TEXT_MAX_BYTES + 1);
        if (len > TEXT_MAX_BYTES)
            return vfail(m, "/provenance/mapping: longer than %u bytes",
                         TEXT_MAX_BYTES);
        if (!utf8_valid(t->mapping, len))
            return vfail(m, "/provenance/mapping: not valid UTF-8");
    }
    if (t->n_varying_columns > DIM_MAX)
        return vfail(m, "/provenance/varying_columns: too many columns");
    if ((rc = check_names(m, t->varying_columns, t->n_varying_columns,
                          NAME_MAX_BYTES, "/provenance/varying_columns")))
        return rc;
    return KAP_OK;
}

/* ==== writing =========================================================== */

typedef struct wctx {
    const char *path;     /* the target, for messages */
    kap_error *err;
    hid_t lcpl;           /* UTF-8 link names */
    hid_t gcpl;           /* no time tracking */
    int deflate;          /* deflate filter available */
    const kap_store_write_options *opt;
    kap_chunkw *cw;       /* the chunk filter pipeline, made on first use */
} wctx;

static int werr(wctx *w, const char *obj, const char *what)
{
    reason_buf b;
    return kap_err(w->err, KAP_EIO, "cannot write %s: %s %s (HDF5: %s)",
                   w->path, what, obj, h5_reason(&b));
}

static hid_t make_str_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

static int w_attr(wctx *w, hid_t loc, const char *obj, const char *name,
                  hid_t ftype, hid_t mtype, const void *value)
{
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    int rc = KAP_OK;
    char what[80];
    kap_snprintf(what, sizeof what, "attribute '%s' of", name);
    if ((space = H5Screate(H5S_SCALAR)) < 0 ||
        (attr = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT,
                           H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, mtype, value) < 0)
        rc = werr(w, obj, what);
    close_attr(&attr);
    close_space(&space);
    return rc;
}

static int w_attr_str(wctx *w, hid_t loc, const char *obj, const char *name,
                      const char *value)
{
    hid_t type = make_str_type(strlen(value) + 1);
    if (type < 0)
        return werr(w, obj, "string type for");
    int rc = w_attr(w, loc, obj, name, type, type, value);
    close_type(&type);
    return rc;
}

static int w_attr_i32(wctx *w, hid_t loc, const char *obj, const char *name,
                      int32_t v)
{
    return w_attr(w, loc, obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
}

static int w_attr_u64(wctx *w, hid_t loc, const char *obj, const char *name,
                      uint64_t v)
{
    return w_attr(w, loc, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static int w_attr_f64(wctx *w, hid_t loc, const char *obj, const char *name,
                      double v)
{
    return w_attr(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* The file types of numeric data are little-endian, as the memory types
 * on a little-endian host: the chunk bytes are the buffer's bytes.
 * Elsewhere HDF5 converts, so it filters too. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DIRECT_CHUNKS 1
#else
#define DIRECT_CHUNKS 0
#endif

typedef struct chunk_sink {
    wctx *w;
    hid_t ds;
    const char *obj;
    size_t rows;        /* rows per chunk */
    int failed;         /* H5Dwrite_chunk failed (err is filled) */
} chunk_sink;

/* Runs on the calling thread: the only HDF5 call of the chunk pipeline. */
static int put_chunk(void *ctx, size_t index, const void *buf, size_t size)
{
    chunk_sink *k = ctx;
    hsize_t off[2] = {(hsize_t)index * k->rows, 0};
    if (H5Dwrite_chunk(k->ds, H5P_DEFAULT, 0, off, size, buf) < 0) {
        k->failed = 1;
        return werr(k->w, k->obj, "cannot write a chunk of dataset");
    }
    return KAP_OK;
}

/* The chunks of a chunked dataset, filtered by the library (the filters
 * declared on the dataset: shuffle when shuffle > 1, deflate, Fletcher-32)
 * and written as they are (filter mask 0: every filter applied). */
static int w_chunks(wctx *w, hid_t ds, const char *obj, const void *buf,
                    size_t bytes, size_t chunk_bytes, size_t rows,
                    size_t shuffle, int deflate)
{
    if (!w->cw) {
        int threads = w->opt->threads > 0 ? w->opt->threads
                                          : kap_default_threads();
        int rc = kap_chunkw_new(&w->cw, threads, w->opt->codec,
                                w->opt->level);
        if (rc == KAP_ENOMEM)
            return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of "
                           "memory", w->path);
        if (rc)
            return kap_err(w->err, rc, "cannot write %s: bad compression "
                           "settings", w->path);
    }
    chunk_sink k = {w, ds, obj, rows, 0};
    int rc = kap_chunkw_run(w->cw, buf, bytes, chunk_bytes, shuffle, deflate,
                            put_chunk, &k);
    if (rc == KAP_ENOMEM)
        return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                       w->path);
    if (rc == KAP_EIO && !k.failed)
        return kap_err(w->err, KAP_EIO, "cannot write %s: compressing %s "
                       "failed", w->path, obj);
    return rc;
}

/* A dataset of rank 1 or 2.  Layout: empty -> contiguous (nothing stored);
 * up to COMPACT_MAX_BYTES -> compact; else chunked (about
 * CHUNK_TARGET_BYTES per chunk, whole rows) with Fletcher-32, plus
 * shuffle (numeric) and deflate from COMPRESS_MIN_BYTES on. */
static int w_dataset(wctx *w, hid_t loc, const char *parent, const char *name,
                     hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
                     size_t elem, int numeric, const void *buf)
{
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t ds = H5I_INVALID_HID;
    int rc = KAP_OK;
    char obj[400];
    path_join(obj, sizeof obj, parent, name);
    size_t chunk_bytes = 0, chunk_rows = 0, shuffle = 0;
    int deflate = 0;

    size_t count = 1;
    for (int d = 0; d < rank; d++)
        count *= (size_t)dims[d];   /* bounded by validate_trial */
    size_t bytes = count * elem;
    size_t row = rank == 2 ? (size_t)dims[1] * elem : elem;

    if ((space = H5Screate_simple(rank, dims, NULL)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_obj_track_times(dcpl, 0) < 0) {
        rc = werr(w, obj, "dataset");
        goto done;
    }
    if (count == 0) {
        if (H5Pset_layout(dcpl, H5D_CONTIGUOUS) < 0)
            rc = werr(w, obj, "layout of");
    } else if (bytes <= COMPACT_MAX_BYTES) {
        if (H5Pset_layout(dcpl, H5D_COMPACT) < 0)
            rc = werr(w, obj, "layout of");
    } else {
        hsize_t chunk[2];
        size_t rows = row >= CHUNK_TARGET_BYTES ? 1 : CHUNK_TARGET_BYTES / row;
        if (rows > (size_t)dims[0])
            rows = (size_t)dims[0];
        chunk[0] = rows;
        if (rank == 2)
            chunk[1] = dims[1];
        shuffle = bytes >= COMPRESS_MIN_BYTES && w->deflate && numeric &&
                          elem > 1 ? elem : 0;
        deflate = bytes >= COMPRESS_MIN_BYTES && w->deflate;
        chunk_bytes = rows * row;
        chunk_rows = rows;
        /* The deflate level in the filter's parameters only informs other
         * writers (a reader ignores it); HDF5 accepts 1..9. */
        unsigned level = (unsigned)(w->opt->level > 9 ? 9 : w->opt->level);
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 ||
            (shuffle && H5Pset_shuffle(dcpl) < 0) ||
            (deflate && H5Pset_deflate(dcpl, level) < 0) ||
            H5Pset_fletcher32(dcpl) < 0)
            rc = werr(w, obj, "filters of");
    }
    if (rc)
        goto done;
    if ((ds = H5Dcreate2(loc, name, ftype, space, w->lcpl, dcpl,
                         H5P_DEFAULT)) < 0) {
        rc = werr(w, obj, "cannot create dataset");
        goto done;
    }
    if (count > 0 && chunk_bytes && DIRECT_CHUNKS && w->opt->direct) {
        rc = w_chunks(w, ds, obj, buf, bytes, chunk_bytes, chunk_rows,
                      shuffle, deflate);
    } else if (count > 0 &&
               H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        rc = werr(w, obj, "cannot write dataset");
    }
done:
    close_obj(&ds);
    close_plist(&dcpl);
    close_space(&space);
    return rc;
}

static int w_f64(wctx *w, hid_t loc, const char *parent, const char *name,
                 int rank, const hsize_t *dims, const double *x)
{
    return w_dataset(w, loc, parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                     rank, dims, sizeof(double), 1, x);
}

/* Fixed-length NUL-terminated UTF-8 strings, element size = longest + 1;
 * padding bytes are zero so the file bytes are deterministic. */
static int w_strings(wctx *w, hid_t loc, const char *parent, const char *name,
                     char *const *s, size_t count)
{
    size_t size = 1;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(s[i]);
        if (len + 1 > size)
            size = len + 1;
    }
    if (count > 0 && size > SIZE_MAX / count)
        return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                       w->path);
    char *buf = kap_calloc(count ? count : 1, size);
    if (!buf)
        return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                       w->path);
    for (size_t i = 0; i < count; i++)
        memcpy(buf + i * size, s[i], strlen(s[i]));
    hid_t type = make_str_type(size);
    int rc;
    if (type < 0) {
        rc = werr(w, name, "string type for");
    } else {
        hsize_t dims[1] = {count};
        rc = w_dataset(w, loc, parent, name, type, type, 1, dims, size, 0,
                       buf);
    }
    close_type(&type);
    kap_free(buf);
    return rc;
}

static int w_group(wctx *w, hid_t loc, const char *parent, const char *name,
                   hid_t *out)
{
    *out = H5Gcreate2(loc, name, w->lcpl, w->gcpl, H5P_DEFAULT);
    if (*out < 0) {
        char obj[400];
        path_join(obj, sizeof obj, parent, name);
        return werr(w, obj, "cannot create group");
    }
    return KAP_OK;
}

static int w_participants(wctx *w, hid_t fid, const kap_trial *t)
{
    hid_t g = H5I_INVALID_HID;
    int rc = w_group(w, fid, "/", "participants", &g);
    if (rc)
        return rc;
    hsize_t dims[1] = {t->n};
    if (!(rc = w_strings(w, g, "/participants", "id", t->ids, t->n)) &&
        !(rc = w_dataset(w, g, "/participants", "arm", H5T_STD_I32LE,
                         H5T_NATIVE_INT32, 1, dims, sizeof(int32_t), 1,
                         t->arm)))
        rc = w_strings(w, g, "/participants", "arm_names", t->arm_names,
                       t->n_arms);
    close_obj(&g);
    return rc;
}

static int w_instrument(wctx *w, hid_t parent, const kap_trial *t, size_t k)
{
    const kap_instrument_data *in = &t->instruments[k];
    hid_t g = H5I_INVALID_HID;
    char obj[400];
    path_join(obj, sizeof obj, "/instruments", in->name);
    char *ln = link_name(in->name);
    if (!ln)
        return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                       w->path);
    int rc = w_group(w, parent, "/instruments", ln, &g);
    kap_free(ln);
    if (rc)
        return rc;
    hsize_t dv[1] = {in->n_visits}, ds[2] = {t->n, in->n_visits};
    if (!(rc = w_attr_str(w, g, obj, "name", in->name)) &&
        !(rc = w_attr_i32(w, g, obj, "index", (int32_t)k)) &&
        !(rc = w_attr_str(w, g, obj, "kind", kind_names[in->kind])) &&
        !(rc = w_attr_f64(w, g, obj, "min", in->min)) &&
        !(rc = w_attr_f64(w, g, obj, "max", in->max)) &&
        !(rc = w_attr_i32(w, g, obj, "baseline", (int32_t)in->baseline)) &&
        !(rc = w_strings(w, g, obj, "visit_labels", in->visit_labels,
                         in->n_visits)) &&
        !(rc = w_f64(w, g, obj, "visit_days", 1, dv, in->visit_days)))
        rc = w_f64(w, g, obj, "scores", 2, ds, in->scores);
    close_obj(&g);
    return rc;
}

static int w_covariate(wctx *w, hid_t parent, const kap_trial *t, size_t c)
{
    const kap_covariate_data *cv = &t->covariates[c];
    hid_t g = H5I_INVALID_HID;
    char obj[400];
    path_join(obj, sizeof obj, "/covariates", cv->name);
    char *ln = link_name(cv->name);
    if (!ln)
        return kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                       w->path);
    int rc = w_group(w, parent, "/covariates", ln, &g);
    kap_free(ln);
    if (rc)
        return rc;
    hsize_t dims[1] = {t->n};
    if (!(rc = w_attr_str(w, g, obj, "name", cv->name)) &&
        !(rc = w_attr_i32(w, g, obj, "index", (int32_t)c)) &&
        !(rc = w_attr_str(w, g, obj, "type", cov_type_names[cv->type]))) {
        if (cv->type == KAP_COV_NUMERIC) {
            rc = w_f64(w, g, obj, "values", 1, dims, cv->values);
        } else if (!(rc = w_dataset(w, g, obj, "codes", H5T_STD_I32LE,
                                    H5T_NATIVE_INT32, 1, dims,
                                    sizeof(int32_t), 1, cv->codes))) {
            rc = w_strings(w, g, obj, "levels", cv->levels, cv->n_levels);
        }
    }
    close_obj(&g);
    return rc;
}

static int w_provenance(wctx *w, hid_t fid, const kap_trial *t)
{
    hid_t g = H5I_INVALID_HID;
    const char *obj = "/provenance";
    int rc = w_group(w, fid, "/", "provenance", &g);
    if (rc)
        return rc;
    char **names = NULL, **hashes = NULL;
    size_t ns = t->n_sources;
    names = kap_calloc(ns ? ns : 1, sizeof *names);
    hashes = kap_calloc(ns ? ns : 1, sizeof *hashes);
    if (!names || !hashes) {
        rc = kap_err(w->err, KAP_ENOMEM, "cannot write %s: out of memory",
                     w->path);
        goto done;
    }
    /* borrowed pointers: the arrays are freed, not their strings */
    for (size_t s = 0; s < ns; s++) {
        names[s] = t->sources[s].name;
        hashes[s] = (char *)t->sources[s].sha256;
    }
    char *mapping[1] = {t->mapping ? t->mapping : (char *)""};
    if (!(rc = w_strings(w, g, obj, "source_names", names, ns)) &&
        !(rc = w_strings(w, g, obj, "source_sha256", hashes, ns)) &&
        !(rc = w_strings(w, g, obj, "mapping", mapping, 1)) &&
        !(rc = w_strings(w, g, obj, "varying_columns", t->varying_columns,
                         t->n_varying_columns)) &&
        !(rc = w_attr_u64(w, g, obj, "n_excluded_dtype",
                          (uint64_t)t->n_excluded_dtype)))
        rc = w_attr_u64(w, g, obj, "n_excluded_anl01",
                        (uint64_t)t->n_excluded_anl01);
done:
    kap_free(names);
    kap_free(hashes);
    close_obj(&g);
    return rc;
}

/* Everything but the atomic-replace dance: the HDF5 file at tmp. */
static int write_store(wctx *w, const kap_trial *t, const char *tmp)
{
    hid_t fcpl = H5I_INVALID_HID, fapl = H5I_INVALID_HID;
    hid_t fid = H5I_INVALID_HID, g = H5I_INVALID_HID;
    int rc = KAP_OK;

    w->lcpl = w->gcpl = H5I_INVALID_HID;
    w->deflate = H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0;
    if ((fcpl = H5Pcreate(H5P_FILE_CREATE)) < 0 ||
        H5Pset_obj_track_times(fcpl, 0) < 0 ||
        H5Pset_userblock(fcpl, USERBLOCK) < 0 ||
        (fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 ||
        H5Pset_file_locking(fapl, 1, 1) < 0 ||
        /* H5Fclose really closes (and flushes) the file even if an object
         * were left open, before the file is sealed and renamed */
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        (w->lcpl = H5Pcreate(H5P_LINK_CREATE)) < 0 ||
        H5Pset_char_encoding(w->lcpl, H5T_CSET_UTF8) < 0 ||
        (w->gcpl = H5Pcreate(H5P_GROUP_CREATE)) < 0 ||
        H5Pset_obj_track_times(w->gcpl, 0) < 0) {
        rc = werr(w, "/", "property lists for");
        goto done;
    }
    if ((fid = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl)) < 0) {
        rc = werr(w, tmp, "cannot create HDF5 file");
        goto done;
    }

    /* root attributes */
    if ((rc = w_attr_str(w, fid, "/", "format", FORMAT_NAME)) ||
        (rc = w_attr_i32(w, fid, "/", "layout_version",
                         KAP_STORE_LAYOUT_VERSION)) ||
        (rc = w_attr_str(w, fid, "/", "writer_version", kap_version())) ||
        (rc = w_attr_str(w, fid, "/", "source_layout", t->layout)))
        goto done;

    if ((rc = w_participants(w, fid, t)))
        goto done;

    if ((rc = w_group(w, fid, "/", "instruments", &g)))
        goto done;
    for (size_t k = 0; k < t->n_instruments && !rc; k++)
        rc = w_instrument(w, g, t, k);
    close_obj(&g);
    if (rc)
        goto done;

    if ((rc = w_group(w, fid, "/", "covariates", &g)))
        goto done;
    for (size_t c = 0; c < t->n_covariates && !rc; c++)
        rc = w_covariate(w, g, t, c);
    close_obj(&g);
    if (rc)
        goto done;

    if ((rc = w_group(w, fid, "/", "adverse_events", &g)))
        goto done;
    hsize_t dims[2] = {t->n_ae_terms, t->n};
    if (!(rc = w_strings(w, g, "/adverse_events", "terms", t->ae_terms,
                         t->n_ae_terms)))
        rc = w_dataset(w, g, "/adverse_events", "flags", H5T_STD_I8LE,
                       H5T_NATIVE_INT8, 2, dims, 1, 1, t->ae_flags);
    close_obj(&g);
    if (rc)
        goto done;

    rc = w_provenance(w, fid, t);
done:
    close_obj(&g);
    if (fid >= 0) {
        /* only the file itself may still be open here */
        if (!rc && H5Fget_obj_count(fid, H5F_OBJ_ALL | H5F_OBJ_LOCAL) != 1)
            rc = kap_err(w->err, KAP_EIO, "cannot write %s: internal error: "
                         "HDF5 objects left open", w->path);
        if (H5Fclose(fid) < 0 && !rc)
            rc = werr(w, tmp, "cannot close HDF5 file");
        fid = H5I_INVALID_HID;
    }
    kap_chunkw_free(w->cw);
    w->cw = NULL;
    close_plist(&w->gcpl);
    close_plist(&w->lcpl);
    close_plist(&fapl);
    close_plist(&fcpl);
    return rc;
}

int kap_trial_write(const kap_trial *t, const char *path, kap_error *err)
{
    return kap_trial_write_opts(t, path, NULL, err);
}

int kap_trial_write_opts(const kap_trial *t, const char *path,
                         const kap_store_write_options *o, kap_error *err)
{
    static const kap_store_write_options defaults =
        KAP_STORE_WRITE_OPTIONS_INIT;
    if (!o)
        o = &defaults;
    if (!t || !path)
        return kap_err(err, KAP_EINVAL, "kap_trial_write: NULL argument");
    if (!o->direct && o->codec != KAP_CODEC_ZLIB)
        return kap_err(err, KAP_EINVAL, "kap_trial_write: HDF5's own "
                       "filters deflate with zlib only");
    const char *slash = strrchr(path, '/');
    if (!path[0] || (slash && slash[1] == '\0'))
        return kap_err(err, KAP_EINVAL, "cannot write '%s': not a file name",
                       path);
    vmsg m;
    int rc = validate_trial(t, &m);
    if (rc == KAP_ENOMEM)
        return kap_err(err, rc, "cannot write %s: out of memory", path);
    if (rc)
        return kap_err(err, KAP_EINVAL, "cannot write %s: invalid trial: %s",
                       path, m.text);

    char ebuf[128];
    kap_atomic_file af;
    if (kap_atomic_open(&af, path) < 0) {
        int e = errno;
        if (e == ENOMEM)
            return kap_err(err, KAP_ENOMEM, "cannot write %s: out of memory",
                           path);
        return kap_err(err, KAP_EIO, "cannot write %s: cannot create a "
                       "temporary file beside it: %s", path,
                       errno_text(e, ebuf, sizeof ebuf));
    }

    quiet q;
    quiet_begin(&q);
    wctx w = {path, err, H5I_INVALID_HID, H5I_INVALID_HID, 0, o, NULL};
    rc = write_store(&w, t, af.tmp);
    quiet_end(&q);

    /* seal: the userblock gets the SHA-256 of everything after it */
    if (!rc) {
        char hex[65], ub[USERBLOCK];
        if (hash_from(af.fd, USERBLOCK, hex) < 0) {
            int e = errno;
            rc = kap_err(err, e == ENOMEM ? KAP_ENOMEM : KAP_EIO,
                         "cannot write %s: reading back: %s", path,
                         errno_text(e, ebuf, sizeof ebuf));
        } else {
            make_seal(ub, KAP_STORE_LAYOUT_VERSION, hex);
            if (write_all_at(af.fd, ub, USERBLOCK, 0) < 0) {
                int e = errno;
                rc = kap_err(err, KAP_EIO, "cannot write %s: %s", path,
                             errno_text(e, ebuf, sizeof ebuf));
            }
        }
    }
    if (rc) {
        kap_atomic_abort(&af);
        return rc;
    }
    int step;
    if (kap_atomic_commit(&af, path, &step) < 0) {
        int e = errno;
        static const char *const what[] = {"", "fsync", "close", "rename"};
        if (step == KAP_ATOMIC_DIRSYNC)
            return kap_err(err, KAP_EIO, "wrote %s but could not sync its "
                           "directory: %s", path,
                           errno_text(e, ebuf, sizeof ebuf));
        return kap_err(err, KAP_EIO, "cannot write %s: %s: %s", path,
                       what[step], errno_text(e, ebuf, sizeof ebuf));
    }
    return KAP_OK;
}

/* ==== reading =========================================================== */

typedef struct rctx {
    const char *path;
    kap_error *err;
    hid_t dxpl;          /* conversions abort on overflow */
    hsize_t filesize;
    kap_chunkr *cr;      /* chunk decoding on threads, made on first use */
} rctx;

static int rfail(rctx *r, const char *obj, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int rfail(rctx *r, const char *obj, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    kap_vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return kap_err(r->err, KAP_EFORMAT, "%s: %s: %s", r->path, obj, text);
}

static int rfail_h5(rctx *r, const char *obj, const char *what)
{
    reason_buf b;
    return kap_err(r->err, KAP_EFORMAT, "%s: %s: %s (HDF5: %s)", r->path, obj,
                   what, h5_reason(&b));
}

static int rnomem(rctx *r)
{
    return kap_err(r->err, KAP_ENOMEM, "%s: out of memory reading the store",
                   r->path);
}

/* Overflow, precision loss, NaN to integer...: fail the read rather than
 * clamp a value into range silently. */
static H5T_conv_ret_t conv_abort(H5T_conv_except_t e, hid_t s, hid_t d,
                                 void *sb, void *db, void *data)
{
    (void)e; (void)s; (void)d; (void)sb; (void)db; (void)data;
    return H5T_CONV_ABORT;
}

/* Open child `name` of loc: it must exist, be a hard link (no soft or
 * external links to other files) and be a group or dataset as wanted. */
static int r_open(rctx *r, hid_t loc, const char *parent, const char *name,
                  H5I_type_t want, hid_t *out)
{
    char obj[400];
    path_join(obj, sizeof obj, parent, name);
    const char *kind = want == H5I_GROUP ? "group" : "dataset";
    *out = H5I_INVALID_HID;
    htri_t ex = H5Lexists(loc, name, H5P_DEFAULT);
    if (ex < 0)
        return rfail_h5(r, obj, "cannot look up");
    if (ex == 0)
        return rfail(r, obj, "missing %s", kind);
    H5L_info_t li;
    if (H5Lget_info(loc, name, &li, H5P_DEFAULT) < 0)
        return rfail_h5(r, obj, "cannot read link");
    if (li.type != H5L_TYPE_HARD)
        return rfail(r, obj, "is a soft or external link, expected a %s",
                     kind);
    hid_t id = H5Oopen(loc, name, H5P_DEFAULT);
    if (id < 0)
        return rfail_h5(r, obj, "cannot open");
    if (H5Iget_type(id) != want) {
        H5Oclose(id);
        return rfail(r, obj, "is not a %s", kind);
    }
    *out = id;
    return KAP_OK;
}

/* Open attribute `name` of obj: must exist and be scalar; *type gets its
 * datatype (caller closes both). */
static int r_attr_open(rctx *r, hid_t loc, const char *obj, const char *name,
                       hid_t *attr, hid_t *type)
{
    hid_t space = H5I_INVALID_HID;
    *attr = *type = H5I_INVALID_HID;
    htri_t ex = H5Aexists(loc, name);
    if (ex < 0)
        return rfail_h5(r, obj, "cannot look up attributes");
    if (ex == 0)
        return rfail(r, obj, "missing attribute '%s'", name);
    if ((*attr = H5Aopen(loc, name, H5P_DEFAULT)) < 0)
        return rfail_h5(r, obj, "cannot open attribute");
    int rc = KAP_OK;
    if ((space = H5Aget_space(*attr)) < 0 || (*type = H5Aget_type(*attr)) < 0)
        rc = rfail_h5(r, obj, "cannot read attribute");
    else if (H5Sget_simple_extent_type(space) != H5S_SCALAR)
        rc = rfail(r, obj, "attribute '%s' is not a scalar", name);
    close_space(&space);
    if (rc) {
        close_type(type);
        close_attr(attr);
    }
    return rc;
}

/* Fixed-length string type of at most max bytes: *size gets its size. */
static int r_check_str_type(rctx *r, hid_t type, const char *obj,
                            const char *what, size_t max, size_t *size)
{
    if (H5Tget_class(type) != H5T_STRING)
        return rfail(r, obj, "%s is not a string", what);
    htri_t vl = H5Tis_variable_str(type);
    if (vl < 0)
        return rfail_h5(r, obj, "cannot read the string type");
    if (vl)
        return rfail(r, obj, "%s is a variable-length string (the layout "
                             "uses fixed-length strings)", what);
    H5T_cset_t cs = H5Tget_cset(type);
    if (cs != H5T_CSET_UTF8 && cs != H5T_CSET_ASCII)
        return rfail(r, obj, "%s has an unknown character set", what);
    size_t s = H5Tget_size(type);
    if (s == 0 || s > max + 1)
        return rfail(r, obj, "%s: string size %zu out of range 1..%zu", what,
                     s, max + 1);
    *size = s;
    return KAP_OK;
}

/* Bounded copy: the stored string ends at the first NUL or at size. */
static char *bounded_dup(const char *buf, size_t size)
{
    return kap_strndup(buf, strnlen(buf, size));
}

static int r_attr_str(rctx *r, hid_t loc, const char *obj, const char *name,
                      size_t max, char **out)
{
    hid_t attr, type;
    *out = NULL;
    int rc = r_attr_open(r, loc, obj, name, &attr, &type);
    if (rc)
        return rc;
    char what[80];
    size_t size = 0;
    kap_snprintf(what, sizeof what, "attribute '%s'", name);
    char *buf = NULL;
    if (!(rc = r_check_str_type(r, type, obj, what, max, &size))) {
        if (!(buf = kap_malloc(size)))
            rc = rnomem(r);
        else if (H5Aread(attr, type, buf) < 0)
            rc = rfail_h5(r, obj, "cannot read attribute");
        else if (!(*out = bounded_dup(buf, size)))
            rc = rnomem(r);
        else if (!utf8_valid(*out, strlen(*out))) {
            rc = rfail(r, obj, "%s is not valid UTF-8", what);
            kap_free(*out);
            *out = NULL;
        }
    }
    kap_free(buf);
    close_type(&type);
    close_attr(&attr);
    return rc;
}

/* Integer attribute within lo..hi.  Any integer type up to 64 bits is
 * read exactly (signed through int64, unsigned through uint64). */
static int r_attr_int(rctx *r, hid_t loc, const char *obj, const char *name,
                      int64_t lo, uint64_t hi, uint64_t *out_u, int64_t *out_s)
{
    hid_t attr, type;
    int rc = r_attr_open(r, loc, obj, name, &attr, &type);
    if (rc)
        return rc;
    if (H5Tget_class(type) != H5T_INTEGER || H5Tget_size(type) == 0 ||
        H5Tget_size(type) > 8) {
        rc = rfail(r, obj, "attribute '%s' is not an integer of at most 64 "
                           "bits", name);
    } else if (H5Tget_sign(type) == H5T_SGN_NONE) {
        uint64_t v;
        if (H5Aread(attr, H5T_NATIVE_UINT64, &v) < 0)
            rc = rfail_h5(r, obj, "cannot read attribute");
        else if ((lo > 0 && v < (uint64_t)lo) || v > hi)
            rc = rfail(r, obj, "attribute '%s' = %llu out of range %lld..%llu",
                       name, (unsigned long long)v, (long long)lo,
                       (unsigned long long)hi);
        else {
            if (out_u)
                *out_u = v;
            if (out_s)
                *out_s = (int64_t)v;   /* hi <= INT64_MAX for signed users */
        }
    } else {
        int64_t v;
        if (H5Aread(attr, H5T_NATIVE_INT64, &v) < 0)
            rc = rfail_h5(r, obj, "cannot read attribute");
        else if (v < lo || (v > 0 && (uint64_t)v > hi))
            rc = rfail(r, obj, "attribute '%s' = %lld out of range %lld..%llu",
                       name, (long long)v, (long long)lo,
                       (unsigned long long)hi);
        else {
            if (out_u)
                *out_u = (uint64_t)v;
            if (out_s)
                *out_s = v;
        }
    }
    close_type(&type);
    close_attr(&attr);
    return rc;
}

/* Floating-point attribute (32 or 64 bits; read exactly as double). */
static int r_attr_f64(rctx *r, hid_t loc, const char *obj, const char *name,
                      double *out)
{
    hid_t attr, type;
    int rc = r_attr_open(r, loc, obj, name, &attr, &type);
    if (rc)
        return rc;
    if (H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) > 8)
        rc = rfail(r, obj, "attribute '%s' is not a 32- or 64-bit float",
                   name);
    else if (H5Aread(attr, H5T_NATIVE_DOUBLE, out) < 0)
        rc = rfail_h5(r, obj, "cannot read attribute");
    close_type(&type);
    close_attr(&attr);
    return rc;
}

/* Check a dataset before reading it: simple dataspace of `rank` with dims
 * equal to want[] (want[d] == (hsize_t)-1: any, returned in dims[]), no
 * external storage or virtual layout, only the deflate, shuffle and
 * Fletcher-32 filters, and stored bytes consistent with the claimed size
 * and the file size (so a tiny damaged file cannot make us allocate
 * gigabytes).  elem = size of one stored element. */
static int r_check_dataset(rctx *r, hid_t ds, const char *obj, int rank,
                           const hsize_t *want, hsize_t *dims, size_t elem)
{
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    int rc = KAP_OK;
    if ((space = H5Dget_space(ds)) < 0 ||
        (dcpl = H5Dget_create_plist(ds)) < 0) {
        rc = rfail_h5(r, obj, "cannot read dataset header");
        goto done;
    }
    if (H5Sget_simple_extent_type(space) != H5S_SIMPLE) {
        rc = rfail(r, obj, "dataspace is not simple (rank %d expected)", rank);
        goto done;
    }
    int nd = H5Sget_simple_extent_ndims(space);
    if (nd != rank) {
        rc = rfail(r, obj, "rank %d, expected %d", nd, rank);
        goto done;
    }
    if (H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
        rc = rfail_h5(r, obj, "cannot read dimensions");
        goto done;
    }
    hsize_t count = 1;
    for (int d = 0; d < rank; d++) {
        if (want[d] != (hsize_t)-1 && dims[d] != want[d]) {
            if (rank == 1)
                rc = rfail(r, obj, "has %llu elements, expected %llu",
                           (unsigned long long)dims[0],
                           (unsigned long long)want[0]);
            else
                rc = rfail(r, obj, "dimensions %llu x %llu, expected %llu x "
                                   "%llu", (unsigned long long)dims[0],
                           (unsigned long long)dims[1],
                           (unsigned long long)want[0],
                           (unsigned long long)want[1]);
            goto done;
        }
        if (dims[d] > DIM_MAX) {
            rc = rfail(r, obj, "dimension %llu too large",
                       (unsigned long long)dims[d]);
            goto done;
        }
        count *= dims[d];   /* < 2^62 */
    }
    if (count > 0 && (hsize_t)elem > ((hsize_t)SIZE_MAX / 2) / count) {
        rc = rfail(r, obj, "too large (%llu elements of %zu bytes)",
                   (unsigned long long)count, elem);
        goto done;
    }
    hsize_t bytes = count * elem;

    H5D_layout_t lay = H5Pget_layout(dcpl);
    if (lay != H5D_COMPACT && lay != H5D_CONTIGUOUS && lay != H5D_CHUNKED) {
        rc = rfail(r, obj, "unsupported storage layout");
        goto done;
    }
    int next = H5Pget_external_count(dcpl);
    if (next != 0) {
        rc = rfail(r, obj, "uses external storage (data in other files)");
        goto done;
    }
    int nf = H5Pget_nfilters(dcpl);
    if (nf < 0) {
        rc = rfail_h5(r, obj, "cannot read filters");
        goto done;
    }
    int deflated = 0;
    for (int f = 0; f < nf; f++) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char fname[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)f, &flags, &ncd, cd,
                                         sizeof fname, fname, NULL);
        if (id == H5Z_FILTER_DEFLATE)
            deflated = 1;
        else if (id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32) {
            rc = rfail(r, obj, "uses HDF5 filter %d (only deflate, shuffle "
                               "and fletcher32 are allowed)", (int)id);
            goto done;
        }
    }
    if (bytes > 0) {
        H5D_space_status_t st;
        if (H5Dget_space_status(ds, &st) < 0 ||
            st == H5D_SPACE_STATUS_NOT_ALLOCATED) {
            rc = rfail(r, obj, "no data stored");
            goto done;
        }
        hsize_t stored = H5Dget_storage_size(ds);
        if (stored > r->filesize ||
            (deflated ? stored < bytes / DEFLATE_MAX_RATIO + 1
                      : (lay != H5D_CHUNKED ? stored != bytes
                                            : stored < bytes))) {
            rc = rfail(r, obj, "stored size %llu bytes does not fit %llu "
                               "bytes of data (file size %llu)",
                       (unsigned long long)stored, (unsigned long long)bytes,
                       (unsigned long long)r->filesize);
            goto done;
        }
    }
done:
    close_plist(&dcpl);
    close_space(&space);
    return rc;
}

/* ---- reading chunks on threads ----------------------------------------
 * A chunked dataset stored with the standard filters (any of shuffle,
 * deflate, Fletcher-32, in that order) whose file type is the memory type
 * is read chunk by chunk with H5Dread_chunk (calling thread) and decoded on
 * worker threads (chunk_reader.c).  Anything else, and any chunk that is
 * not exactly as expected, is left to H5Dread and HDF5's own filters,
 * which then give the verdict: the fast path never accepts a chunk that
 * HDF5 would refuse (Fletcher-32 and the zlib Adler-32 are both checked). */

typedef struct chunk_src {
    rctx *r;
    hid_t ds;
    hsize_t rows;       /* rows per chunk */
} chunk_src;

static int get_chunk(void *ctx, size_t index, unsigned char **buf,
                     size_t *cap, size_t *size)
{
    chunk_src *k = ctx;
    hsize_t off[2] = {(hsize_t)index * k->rows, 0};
    hsize_t nbytes = 0;
    if (H5Dget_chunk_storage_size(k->ds, off, &nbytes) < 0 || nbytes == 0 ||
        nbytes > k->r->filesize || nbytes > SIZE_MAX)
        return KAP_CHUNKR_FALLBACK;
    if (nbytes > *cap) {
        unsigned char *p = kap_malloc((size_t)nbytes);
        if (!p)
            return KAP_ENOMEM;
        kap_free(*buf);
        *buf = p;
        *cap = (size_t)nbytes;
    }
    uint32_t mask = 0;
    if (H5Dread_chunk(k->ds, H5P_DEFAULT, off, &mask, *buf) < 0 || mask != 0)
        return KAP_CHUNKR_FALLBACK;
    *size = (size_t)nbytes;
    return KAP_OK;
}

/* Largest chunk decoded by the fast path (ours are at most 64 KiB or one
 * row); larger ones go through HDF5. */
#define FAST_CHUNK_MAX ((size_t)64 << 20)

/* KAP_OK (buf filled), KAP_CHUNKR_FALLBACK (use H5Dread) or KAP_ENOMEM. */
static int r_chunks(rctx *r, hid_t ds, hid_t ftype, hid_t mtype, int rank,
                    const hsize_t *dims, size_t elem, void *buf)
{
    if (!DIRECT_CHUNKS || H5Tequal(ftype, mtype) <= 0)
        return KAP_CHUNKR_FALLBACK;
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        return KAP_CHUNKR_FALLBACK;
    int rc = KAP_CHUNKR_FALLBACK;
    hsize_t cd[2] = {0, 0};
    size_t shuffle = 0;
    int deflate = 0, fletcher = 0, stage = 0;
    if (H5Pget_layout(dcpl) != H5D_CHUNKED ||
        H5Pget_chunk(dcpl, 2, cd) != rank || cd[0] == 0 ||
        (rank == 2 && cd[1] != dims[1]))
        goto done;
    int nf = H5Pget_nfilters(dcpl);
    if (nf < 0)
        goto done;
    for (int f = 0; f < nf; f++) {
        unsigned flags = 0, v[8];
        size_t nv = 8;
        char fname[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)f, &flags, &nv, v,
                                         sizeof fname, fname, NULL);
        if (id == H5Z_FILTER_SHUFFLE && stage < 1 && nv >= 1 && v[0] == elem)
            stage = 1, shuffle = elem;
        else if (id == H5Z_FILTER_DEFLATE && stage < 2)
            stage = 2, deflate = 1;
        else if (id == H5Z_FILTER_FLETCHER32 && stage < 3)
            stage = 3, fletcher = 1;
        else
            goto done;
    }
    size_t row = rank == 2 ? (size_t)dims[1] * elem : elem;
    if (cd[0] > dims[0] || (size_t)cd[0] > FAST_CHUNK_MAX / row)
        goto done;
    size_t chunk_bytes = (size_t)cd[0] * row;
    size_t bytes = (size_t)dims[0] * row;
    if (!r->cr) {
        int e = kap_chunkr_new(&r->cr, kap_default_threads());
        if (e) {
            rc = e == KAP_ENOMEM ? KAP_ENOMEM : KAP_CHUNKR_FALLBACK;
            goto done;
        }
    }
    chunk_src k = {r, ds, cd[0]};
    rc = kap_chunkr_run(r->cr, buf, bytes, chunk_bytes, shuffle, deflate,
                        fletcher, get_chunk, &k);
done:
    H5Pclose(dcpl);
    return rc;
}

/* Read a whole dataset into buf: by chunks on threads when possible, else
 * H5Dread. */
static int r_read(rctx *r, hid_t ds, const char *obj, hid_t ftype,
                  hid_t mtype, int rank, const hsize_t *dims, size_t elem,
                  void *buf)
{
    int rc = r_chunks(r, ds, ftype, mtype, rank, dims, elem, buf);
    if (rc == KAP_OK)
        return KAP_OK;
    if (rc == KAP_ENOMEM)
        return rnomem(r);
    if (H5Dread(ds, mtype, H5S_ALL, H5S_ALL, r->dxpl, buf) < 0)
        return rfail_h5(r, obj, "cannot read data");
    return KAP_OK;
}

/* Numeric dataset: class `cls` (H5T_FLOAT or H5T_INTEGER), at most 8-byte
 * elements, read as mtype (msize bytes) into a new array. */
static int r_numeric(rctx *r, hid_t loc, const char *parent, const char *name,
                     H5T_class_t cls, hid_t mtype, size_t msize, int rank,
                     const hsize_t *want, void **out)
{
    hid_t ds = H5I_INVALID_HID, type = H5I_INVALID_HID;
    char obj[400];
    hsize_t dims[2] = {0, 0};
    void *buf = NULL;
    path_join(obj, sizeof obj, parent, name);
    *out = NULL;
    int rc = r_open(r, loc, parent, name, H5I_DATASET, &ds);
    if (rc)
        return rc;
    if ((type = H5Dget_type(ds)) < 0) {
        rc = rfail_h5(r, obj, "cannot read datatype");
        goto done;
    }
    size_t fsize = H5Tget_size(type);
    if (H5Tget_class(type) != cls || fsize == 0 || fsize > 8) {
        rc = rfail(r, obj, "datatype is not %s",
                   cls == H5T_FLOAT ? "a 32- or 64-bit float"
                                    : "an integer of at most 64 bits");
        goto done;
    }
    if ((rc = r_check_dataset(r, ds, obj, rank, want, dims, fsize)))
        goto done;
    size_t count = 1;
    for (int d = 0; d < rank; d++)
        count *= (size_t)dims[d];
    if (!(buf = kap_malloc_array(count, msize))) {
        rc = rnomem(r);
        goto done;
    }
    if (count > 0 &&
        (rc = r_read(r, ds, obj, type, mtype, rank, dims, msize, buf)))
        goto done;
    *out = buf;
    buf = NULL;
done:
    kap_free(buf);
    close_type(&type);
    close_obj(&ds);
    return rc;
}

/* Fixed-length string dataset of rank 1; *count: expected number of
 * elements, or (size_t)-1 for any (then set).  *out: new array of new
 * strings (bounded at the element size). */
static int r_strings(rctx *r, hid_t loc, const char *parent, const char *name,
                     size_t max, size_t *count, char ***out)
{
    hid_t ds = H5I_INVALID_HID, type = H5I_INVALID_HID;
    char obj[400];
    char *buf = NULL;
    char **s = NULL;
    size_t n = 0;
    path_join(obj, sizeof obj, parent, name);
    *out = NULL;
    int rc = r_open(r, loc, parent, name, H5I_DATASET, &ds);
    if (rc)
        return rc;
    size_t size = 0;
    if ((type = H5Dget_type(ds)) < 0) {
        rc = rfail_h5(r, obj, "cannot read datatype");
        goto done;
    }
    if ((rc = r_check_str_type(r, type, obj, "datatype", max, &size)))
        goto done;
    hsize_t want[1] = {*count == (size_t)-1 ? (hsize_t)-1 : (hsize_t)*count};
    hsize_t dims[1];
    if ((rc = r_check_dataset(r, ds, obj, 1, want, dims, size)))
        goto done;
    n = (size_t)dims[0];
    if (!(buf = kap_malloc_array(n ? n : 1, size)) ||
        !(s = kap_calloc(n ? n : 1, sizeof *s))) {
        rc = rnomem(r);
        goto done;
    }
    if (n > 0 && (rc = r_read(r, ds, obj, type, type, 1, dims, size, buf)))
        goto done;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] = bounded_dup(buf + i * size, size))) {
            rc = rnomem(r);
            goto done;
        }
    *out = s;
    *count = n;
    s = NULL;
done:
    free_strings(s, n);
    kap_free(buf);
    close_type(&type);
    close_obj(&ds);
    return rc;
}

static int r_participants(rctx *r, hid_t fid, kap_trial *t)
{
    hid_t g;
    int rc = r_open(r, fid, "/", "participants", H5I_GROUP, &g);
    if (rc)
        return rc;
    size_t n = (size_t)-1, na = (size_t)-1;
    char **ids = NULL, **arms = NULL;
    if ((rc = r_strings(r, g, "/participants", "id", NAME_MAX_BYTES, &n,
                        &ids)))
        goto done;
    t->ids = ids;
    t->n = n;
    if ((rc = r_strings(r, g, "/participants", "arm_names", NAME_MAX_BYTES,
                        &na, &arms)))
        goto done;
    t->arm_names = arms;
    t->n_arms = na;
    hsize_t want[1] = {n};
    void *p;
    if ((rc = r_numeric(r, g, "/participants", "arm", H5T_INTEGER,
                        H5T_NATIVE_INT32, sizeof(int32_t), 1, want, &p)))
        goto done;
    t->arm = p;
done:
    close_obj(&g);
    return rc;
}

/* Children of /instruments or /covariates, by name order: each must be a
 * hard-linked group; returns how many (<= CHILDREN_MAX). */
static int r_children(rctx *r, hid_t g, const char *obj, size_t *n)
{
    H5G_info_t gi;
    if (H5Gget_info(g, &gi) < 0)
        return rfail_h5(r, obj, "cannot read group");
    if (gi.nlinks > CHILDREN_MAX)
        return rfail(r, obj, "%llu members (at most %u)",
                     (unsigned long long)gi.nlinks, CHILDREN_MAX);
    *n = (size_t)gi.nlinks;
    return KAP_OK;
}

/* Open child i (name order) of g as a group; *lname gets its link name. */
static int r_child(rctx *r, hid_t g, const char *parent, size_t i, hid_t *out,
                   char **lname)
{
    *out = H5I_INVALID_HID;
    *lname = NULL;
    ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC,
                                     (hsize_t)i, NULL, 0, H5P_DEFAULT);
    if (len < 0)
        return rfail_h5(r, parent, "cannot read member names");
    if ((size_t)len > 3 * ATTR_NAME_MAX)
        return rfail(r, parent, "member %zu has an overlong name", i);
    char *name = kap_malloc((size_t)len + 1);
    if (!name)
        return rnomem(r);
    if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i,
                           name, (size_t)len + 1, H5P_DEFAULT) != len) {
        kap_free(name);
        return rfail_h5(r, parent, "cannot read member names");
    }
    name[len] = '\0';
    char obj[400];
    path_join(obj, sizeof obj, parent, name);
    H5L_info_t li;
    int rc = KAP_OK;
    hid_t id = H5I_INVALID_HID;
    if (H5Lget_info_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i,
                           &li, H5P_DEFAULT) < 0)
        rc = rfail_h5(r, obj, "cannot read link");
    else if (li.type != H5L_TYPE_HARD)
        rc = rfail(r, obj, "is a soft or external link, expected a group");
    else if ((id = H5Oopen_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC,
                                  (hsize_t)i, H5P_DEFAULT)) < 0)
        rc = rfail_h5(r, obj, "cannot open");
    else if (H5Iget_type(id) != H5I_GROUP)
        rc = rfail(r, obj, "is not a group");
    if (rc) {
        close_obj(&id);
        kap_free(name);
        return rc;
    }
    *out = id;
    *lname = name;
    return KAP_OK;
}

/* Read the `name` and `index` attributes of a child group and check that
 * the link name encodes the name and that the index is in 0..n-1. */
static int r_child_identity(rctx *r, hid_t g, const char *obj,
                            const char *lname, size_t n, char **name,
                            size_t *index)
{
    int64_t idx = 0;
    int rc = r_attr_str(r, g, obj, "name", ATTR_NAME_MAX, name);
    if (rc)
        return rc;
    char *expect = link_name(*name);
    if (!expect)
        return rnomem(r);
    if (strcmp(expect, lname) != 0)
        rc = rfail(r, obj, "group name does not match its 'name' attribute");
    kap_free(expect);
    if (!rc)
        rc = r_attr_int(r, g, obj, "index", 0, (uint64_t)(n - 1), NULL, &idx);
    *index = (size_t)idx;
    return rc;
}

/* Put the n structs of size sz at arr in the order given by idx (a
 * permutation of 0..n-1, checked). */
static int permute(rctx *r, const char *obj, void *arr, size_t sz,
                   const size_t *idx, size_t n)
{
    if (n < 2)
        return KAP_OK;
    unsigned char *tmp = kap_malloc_array(n, sz);
    unsigned char *seen = kap_calloc(n, 1);
    if (!tmp || !seen) {
        kap_free(tmp);
        kap_free(seen);
        return rnomem(r);
    }
    for (size_t i = 0; i < n; i++) {
        if (seen[idx[i]]) {
            kap_free(tmp);
            kap_free(seen);
            return rfail(r, obj, "two members have index %zu", idx[i]);
        }
        seen[idx[i]] = 1;
        memcpy(tmp + idx[i] * sz, (unsigned char *)arr + i * sz, sz);
    }
    memcpy(arr, tmp, n * sz);
    kap_free(tmp);
    kap_free(seen);
    return KAP_OK;
}

static int parse_enum(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

static int r_instrument(rctx *r, hid_t g, const char *obj, size_t n,
                        kap_instrument_data *in)
{
    char *kind = NULL;
    int64_t base;
    int rc;
    if ((rc = r_attr_str(r, g, obj, "kind", 64, &kind)))
        return rc;
    int kd = parse_enum(kind, kind_names, N_KINDS);
    kap_free(kind);
    if (kd < 0)
        return rfail(r, obj, "unknown instrument kind");
    in->kind = (kap_instrument_kind)kd;
    size_t nv = (size_t)-1;
    char **labels = NULL;
    void *p;
    if ((rc = r_attr_f64(r, g, obj, "min", &in->min)) ||
        (rc = r_attr_f64(r, g, obj, "max", &in->max)) ||
        (rc = r_attr_int(r, g, obj, "baseline", -1, INT32_MAX, NULL, &base)) ||
        (rc = r_strings(r, g, obj, "visit_labels", NAME_MAX_BYTES, &nv,
                        &labels)))
        return rc;
    in->visit_labels = labels;
    in->n_visits = nv;
    in->baseline = (long)base;
    hsize_t wv[1] = {nv}, ws[2] = {n, nv};
    if ((rc = r_numeric(r, g, obj, "visit_days", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                        sizeof(double), 1, wv, &p)))
        return rc;
    in->visit_days = p;
    if ((rc = r_numeric(r, g, obj, "scores", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                        sizeof(double), 2, ws, &p)))
        return rc;
    in->scores = p;
    return KAP_OK;
}

static int r_covariate(rctx *r, hid_t g, const char *obj, size_t n,
                       kap_covariate_data *cv)
{
    char *type = NULL;
    int rc;
    if ((rc = r_attr_str(r, g, obj, "type", 64, &type)))
        return rc;
    int ty = parse_enum(type, cov_type_names, 2);
    kap_free(type);
    if (ty < 0)
        return rfail(r, obj, "unknown covariate type");
    cv->type = (kap_covariate_type)ty;
    hsize_t want[1] = {n};
    void *p;
    if (cv->type == KAP_COV_NUMERIC) {
        if ((rc = r_numeric(r, g, obj, "values", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                            sizeof(double), 1, want, &p)))
            return rc;
        cv->values = p;
        return KAP_OK;
    }
    if ((rc = r_numeric(r, g, obj, "codes", H5T_INTEGER, H5T_NATIVE_INT32,
                        sizeof(int32_t), 1, want, &p)))
        return rc;
    cv->codes = p;
    size_t nl = (size_t)-1;
    char **levels = NULL;
    if ((rc = r_strings(r, g, obj, "levels", NAME_MAX_BYTES, &nl, &levels)))
        return rc;
    cv->levels = levels;
    cv->n_levels = nl;
    return KAP_OK;
}

/* /instruments or /covariates: the members in `index` order. */
static int r_members(rctx *r, hid_t fid, kap_trial *t, int instruments)
{
    const char *gname = instruments ? "instruments" : "covariates";
    char gpath[32];
    kap_snprintf(gpath, sizeof gpath, "/%s", gname);
    hid_t g = H5I_INVALID_HID, c = H5I_INVALID_HID;
    size_t m = 0, *idx = NULL;
    char *lname = NULL;
    int rc = r_open(r, fid, "/", gname, H5I_GROUP, &g);
    if (rc)
        return rc;
    if ((rc = r_children(r, g, gpath, &m)))
        goto done;
    size_t sz = instruments ? sizeof(kap_instrument_data)
                            : sizeof(kap_covariate_data);
    void *arr = kap_calloc(m ? m : 1, sz);
    idx = kap_calloc(m ? m : 1, sizeof *idx);
    if (!arr || !idx) {
        kap_free(arr);
        rc = rnomem(r);
        goto done;
    }
    if (instruments) {
        t->instruments = arr;
        t->n_instruments = m;
    } else {
        t->covariates = arr;
        t->n_covariates = m;
    }
    for (size_t i = 0; i < m && !rc; i++) {
        char obj[400];
        if ((rc = r_child(r, g, gpath, i, &c, &lname)))
            break;
        path_join(obj, sizeof obj, gpath, lname);
        if (instruments) {
            kap_instrument_data *in = &t->instruments[i];
            in->min = in->max = NAN;
            in->baseline = -1;
            if (!(rc = r_child_identity(r, c, obj, lname, m, &in->name,
                                        &idx[i])))
                rc = r_instrument(r, c, obj, t->n, in);
        } else {
            kap_covariate_data *cv = &t->covariates[i];
            if (!(rc = r_child_identity(r, c, obj, lname, m, &cv->name,
                                        &idx[i])))
                rc = r_covariate(r, c, obj, t->n, cv);
        }
        close_obj(&c);
        kap_free(lname);
        lname = NULL;
    }
    if (!rc)
        rc = permute(r, gpath, arr, sz, idx, m);
done:
    kap_free(lname);
    kap_free(idx);
    close_obj(&c);
    close_obj(&g);
    return rc;
}

static int r_adverse_events(rctx *r, hid_t fid, kap_trial *t)
{
    hid_t g;
    int rc = r_open(r, fid, "/", "adverse_events", H5I_GROUP, &g);
    if (rc)
        return rc;
    size_t m = (size_t)-1;
    char **terms = NULL;
    void *p;
    if (!(rc = r_strings(r, g, "/adverse_events", "terms", NAME_MAX_BYTES, &m,
                         &terms))) {
        t->ae_terms = terms;
        t->n_ae_terms = m;
        hsize_t want[2] = {m, t->n};
        if (!(rc = r_numeric(r, g, "/adverse_events", "flags", H5T_INTEGER,
                             H5T_NATIVE_INT8, 1, 2, want, &p)))
            t->ae_flags = p;
    }
    close_obj(&g);
    return rc;
}

static int r_provenance(rctx *r, hid_t fid, kap_trial *t)
{
    hid_t g;
    const char *obj = "/provenance";
    int rc = r_open(r, fid, "/", "provenance", H5I_GROUP, &g);
    if (rc)
        return rc;
    size_t ns = (size_t)-1, one = 1, nv = (size_t)-1;
    char **names = NULL, **hashes = NULL, **mapping = NULL, **varying = NULL;
    uint64_t u;
    if ((rc = r_strings(r, g, obj, "source_names", NAME_MAX_BYTES, &ns,
                        &names)))
        goto done;
    if ((rc = r_strings(r, g, obj, "source_sha256", 64, &ns, &hashes)))
        goto done;
    if (!(t->sources = kap_calloc(ns ? ns : 1, sizeof *t->sources))) {
        rc = rnomem(r);
        goto done;
    }
    t->n_sources = ns;
    for (size_t s = 0; s < ns; s++) {
        /* ownership of the name moves to the trial */
        t->sources[s].name = names[s];
        names[s] = NULL;
        if (strlen(hashes[s]) != 64) {
            rc = rfail(r, "/provenance/source_sha256",
                       "element %zu is not 64 characters", s);
            goto done;
        }
        memcpy(t->sources[s].sha256, hashes[s], 65);
    }
    if ((rc = r_strings(r, g, obj, "mapping", TEXT_MAX_BYTES, &one,
                        &mapping)))
        goto done;
    t->mapping = mapping[0];
    mapping[0] = NULL;
    if ((rc = r_strings(r, g, obj, "varying_columns", NAME_MAX_BYTES, &nv,
                        &varying)))
        goto done;
    t->varying_columns = varying;
    t->n_varying_columns = nv;
    if ((rc = r_attr_int(r, g, obj, "n_excluded_dtype", 0, SIZE_MAX, &u,
                         NULL)))
        goto done;
    t->n_excluded_dtype = (size_t)u;
    if ((rc = r_attr_int(r, g, obj, "n_excluded_anl01", 0, SIZE_MAX, &u,
                         NULL)))
        goto done;
    t->n_excluded_anl01 = (size_t)u;
done:
    free_strings(names, ns == (size_t)-1 ? 0 : ns);
    free_strings(hashes, ns == (size_t)-1 ? 0 : ns);
    free_strings(mapping, 1);
    close_obj(&g);
    return rc;
}

static int read_store(rctx *r, hid_t fid, int sealed, kap_trial *t)
{
    char *format = NULL;
    int64_t version = 0;
    int rc;
    hid_t attr, type;

    /* Identify the file first, so that a foreign HDF5 file gets a message
     * saying so rather than one about a missing group. */
    htri_t ex = H5Aexists(fid, "format");
    if (ex < 0)
        return rfail_h5(r, "/", "cannot read root attributes");
    if (ex == 0)
        return rfail(r, "/", "not a libkapstats store (no 'format' "
                             "attribute)");
    if ((rc = r_attr_str(r, fid, "/", "format", 64, &format)))
        return rc;
    int same = strcmp(format, FORMAT_NAME) == 0;
    kap_free(format);
    if (!same)
        return rfail(r, "/", "not a libkapstats store (format attribute is "
                             "not \"" FORMAT_NAME "\")");
    /* The version is read as any integer so that a future layout that
     * widens it still gets the "newer" message. */
    if ((rc = r_attr_open(r, fid, "/", "layout_version", &attr, &type)))
        return rc;
    if (H5Tget_class(type) != H5T_INTEGER || H5Tget_size(type) > 8)
        rc = rfail(r, "/", "attribute 'layout_version' is not an integer");
    else if (H5Aread(attr, H5T_NATIVE_INT64, &version) < 0)
        rc = rfail_h5(r, "/", "cannot read attribute 'layout_version'");
    close_type(&type);
    close_attr(&attr);
    if (rc)
        return rc;
    if (version > KAP_STORE_LAYOUT_VERSION)
        return kap_err(r->err, KAP_EFORMAT, "%s: store layout version %lld is "
                       "newer than this libkapstats supports (%d); upgrade "
                       "libkapstats", r->path, (long long)version,
                       KAP_STORE_LAYOUT_VERSION);
    if (version < 1)
        return rfail(r, "/", "invalid layout version %lld",
                     (long long)version);
    if (!sealed)
        return kap_err(r->err, KAP_EFORMAT, "%s: libkapstats store without a "
                       "valid header in its first %d bytes (damaged, or "
                       "rewritten by another program)", r->path, USERBLOCK);

    if ((rc = r_attr_str(r, fid, "/", "writer_version", 256,
                         &t->writer_version)) ||
        (rc = r_attr_str(r, fid, "/", "source_layout", 16, &t->layout)))
        return rc;
    if (!t->writer_version[0])
        return rfail(r, "/", "empty writer_version");
    if ((rc = r_participants(r, fid, t)) || (rc = r_members(r, fid, t, 1)) ||
        (rc = r_members(r, fid, t, 0)) || (rc = r_adverse_events(r, fid, t)) ||
        (rc = r_provenance(r, fid, t)))
        return rc;

    vmsg m;
    rc = validate_trial(t, &m);
    if (rc == KAP_ENOMEM)
        return rnomem(r);
    if (rc)
        return kap_err(r->err, KAP_EFORMAT, "%s: %s", r->path, m.text);
    return KAP_OK;
}

int kap_trial_open(kap_trial **out, const char *path, kap_error *err)
{
    if (!out || !path)
        return kap_err(err, KAP_EINVAL, "kap_trial_open: NULL argument");
    *out = NULL;

    /* Plain POSIX first: "cannot open" is an I/O error, distinct from
     * "opened but not a store". */
    char ebuf[128];
    /* O_NONBLOCK: a FIFO at path must not block us (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return kap_err(err, KAP_EIO, "cannot open %s: %s", path,
                       errno_text(e, ebuf, sizeof ebuf));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return kap_err(err, KAP_EIO, "cannot open %s: not a regular file",
                       path);
    }
    int sealed = 0;
    int rc = check_seal(path, fd, st.st_size, &sealed, err);
    close(fd);
    if (rc)
        return rc;

    kap_trial *t = kap_trial_new();
    if (!t)
        return kap_err(err, KAP_ENOMEM, "%s: out of memory", path);

    quiet q;
    quiet_begin(&q);
    rctx r = {path, err, H5I_INVALID_HID, 0, NULL};
    hid_t fapl = H5I_INVALID_HID, fid = H5I_INVALID_HID;
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_file_locking(fapl, 1, 1) < 0 ||
        (r.dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_type_conv_cb(r.dxpl, conv_abort, NULL) < 0) {
        reason_buf b;
        rc = kap_err(err, KAP_ENOMEM, "%s: cannot set up HDF5 (%s)", path,
                     h5_reason(&b));
        goto done;
    }
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        rc = kap_err(err, KAP_EFORMAT, "%s: not an HDF5 file", path);
        goto done;
    }
    if ((fid = H5Fopen(path, H5F_ACC_RDONLY, fapl)) < 0) {
        reason_buf b;
        rc = kap_err(err, KAP_EFORMAT, "%s: damaged HDF5 file, cannot open "
                     "it (HDF5: %s)", path, h5_reason(&b));
        goto done;
    }
    if (H5Fget_filesize(fid, &r.filesize) < 0) {
        rc = rfail_h5(&r, "/", "cannot get the file size");
        goto done;
    }
    rc = read_store(&r, fid, sealed, t);
done:
    kap_chunkr_free(r.cr);
    if (fid >= 0)
        H5Fclose(fid);
    close_plist(&r.dxpl);
    close_plist(&fapl);
    quiet_end(&q);
    if (rc) {
        kap_trial_free(t);
        return rc;
    }
    *out = t;
    return KAP_OK;
}
