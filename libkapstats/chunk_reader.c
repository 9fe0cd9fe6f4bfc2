/*
 * chunk_reader.c - check, inflate and unshuffle stored chunks on worker
 * threads (see chunk_reader.h).
 *
 * Scheduling, the mirror of chunk_writer.c: the calling thread fetches
 * chunk i (an HDF5 call) into slot i % nslots once that slot is free, and
 * marks it ready; any thread (the calling one too, while it waits)
 * decodes the ready chunks in order into their own, disjoint part of the
 * output and frees the slot.  All shared state is under one mutex.
 */
#include "chunk_reader.h"

#include <pthread.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libdeflate.h>

#include "chunk_writer.h"   /* kap_fletcher32, KAP_MAX_THREADS */

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY };

typedef struct rslot {
    unsigned char *buf;
    size_t cap, size;
    int state;
} rslot;

typedef struct rthr {
    struct kap_chunkr *r;
    pthread_t tid;
    int started;
    struct libdeflate_decompressor *ld;
    unsigned char *a, *b;     /* inflated chunk, unshuffled chunk */
    size_t cap;
} rthr;

struct kap_chunkr {
    int nthreads;
    rthr *thr;
    rslot *slots;
    size_t nslots;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int sync_ok, quit;

    int active;
    unsigned char *out;
    size_t bytes, chunk_bytes, shuffle, nchunks;
    int deflate, fletcher;
    size_t fetched;      /* chunks made ready */
    size_t next;         /* next chunk to decode */
    size_t busy;         /* being decoded */
    int fallback;        /* a chunk was not as expected */
};

/* Inverse of H5Z_filter_shuffle. */
static void unshuffle_plain(unsigned char *restrict dst,
                            const unsigned char *restrict src, size_t from,
                            size_t ne, size_t k)
{
    for (size_t i = from; i < ne; i++)
        for (size_t j = 0; j < k; j++)
            dst[i * k + j] = src[j * ne + i];
}

#ifdef __SSE2__
/* 16 elements of 8 bytes: the transpose of chunk_writer.c's shuffle8, by
 * interleaving byte planes pairwise (bytes 0-1, 2-3, ...), then 16-bit and
 * 32-bit groups, which leaves two whole elements per register. */
static size_t unshuffle8_sse2(unsigned char *restrict dst,
                              const unsigned char *restrict src, size_t ne)
{
    size_t i = 0;
    for (; i + 16 <= ne; i += 16) {
        __m128i o[8], a[8], b[8];
        for (int k = 0; k < 8; k++)
            o[k] = _mm_loadu_si128(
                (const __m128i *)(const void *)(src + (size_t)k * ne + i));
        for (int k = 0; k < 4; k++) {
            a[2 * k] = _mm_unpacklo_epi8(o[2 * k], o[2 * k + 1]);
            a[2 * k + 1] = _mm_unpackhi_epi8(o[2 * k], o[2 * k + 1]);
        }
        b[0] = _mm_unpacklo_epi16(a[0], a[2]);
        b[1] = _mm_unpackhi_epi16(a[0], a[2]);
        b[2] = _mm_unpacklo_epi16(a[1], a[3]);
        b[3] = _mm_unpackhi_epi16(a[1], a[3]);
        b[4] = _mm_unpacklo_epi16(a[4], a[6]);
        b[5] = _mm_unpackhi_epi16(a[4], a[6]);
        b[6] = _mm_unpacklo_epi16(a[5], a[7]);
        b[7] = _mm_unpackhi_epi16(a[5], a[7]);
        unsigned char *d = dst + 8 * i;
        for (int k = 0; k < 4; k++) {
            _mm_storeu_si128((__m128i *)(void *)(d + 32 * k),
                             _mm_unpacklo_epi32(b[k], b[k + 4]));
            _mm_storeu_si128((__m128i *)(void *)(d + 32 * k + 16),
                             _mm_unpackhi_epi32(b[k], b[k + 4]));
        }
    }
    return i;
}
#endif

static void unshuffle(unsigned char *restrict dst,
                      const unsigned char *restrict src, size_t n, size_t elem)
{
    size_t ne = n / elem, done = 0;
#ifdef __SSE2__
    if (elem == 8)
        done = unshuffle8_sse2(dst, src, ne);
#endif
    unshuffle_plain(dst, src, done, ne, elem);
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

/* Decode chunk c from slot s; 0, or -1 when it is not as expected. */
static int decode(kap_chunkr *r, rthr *t, size_t c, const rslot *s)
{
    size_t cb = r->chunk_bytes, off = c * cb;
    size_t n = r->bytes - off < cb ? r->bytes - off : cb;
    int partial = n < cb;
    size_t size = s->size;
    if (r->fletcher) {
        if (size < 4)
            return -1;
        size -= 4;
        const unsigned char *p = s->buf + size;
        uint32_t want = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                        (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (kap_fletcher32(s->buf, size) != want)
            return -1;
    }
    const unsigned char *cur = s->buf;
    if (r->deflate) {
        unsigned char *dst = r->shuffle > 1 || partial ? t->a : r->out + off;
        size_t got = 0;
        if (libdeflate_zlib_decompress(t->ld, s->buf, size, dst, cb, &got) !=
                LIBDEFLATE_SUCCESS || got != cb)
            return -1;
        cur = dst;
    } else if (size != cb) {
        return -1;
    }
    if (r->shuffle > 1) {
        unsigned char *dst = partial ? t->b : r->out + off;
        unshuffle(dst, cur, cb, r->shuffle);
        cur = dst;
    }
    if (cur != r->out + off)
        memcpy(r->out + off, cur, n);
    return 0;
}

static int claimable(const kap_chunkr *r)
{
    return r->active && !r->fallback && r->next < r->fetched;
}

/* With mu held: decode the next ready chunk (mu released meanwhile). */
static void claim_and_decode(kap_chunkr *r, rthr *t)
{
    size_t c = r->next++;
    rslot *s = &r->slots[c % r->nslots];
    s->state = SLOT_BUSY;
    r->busy++;
    pthread_mutex_unlock(&r->mu);
    int bad = decode(r, t, c, s);
    pthread_mutex_lock(&r->mu);
    if (bad)
        r->fallback = 1;
    s->state = SLOT_FREE;
    r->busy--;
    pthread_cond_broadcast(&r->done);
}

static void *worker(void *arg)
{
    rthr *t = arg;
    kap_chunkr *r = t->r;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->quit && !claimable(r))
            pthread_cond_wait(&r->work, &r->mu);
        if (r->quit)
            break;
        claim_and_decode(r, t);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int kap_chunkr_new(kap_chunkr **out, int threads)
{
    *out = NULL;
    if (threads < 1 || threads > KAP_MAX_THREADS)
        return KAP_EINVAL;
    kap_chunkr *r = kap_calloc(1, sizeof *r);
    if (!r)
        return KAP_ENOMEM;
    r->nslots = 2 * (size_t)threads + 2;
    r->thr = kap_calloc((size_t)threads, sizeof *r->thr);
    r->slots = kap_calloc(r->nslots, sizeof *r->slots);
    if (!r->thr || !r->slots) {
        kap_free(r->thr);
        kap_free(r->slots);
        kap_free(r);
        return KAP_ENOMEM;
    }
    for (int i = 0; i < threads; i++) {
        r->thr[i].r = r;
        /* libdeflate allocates with malloc (see chunk_writer.c) */
        r->thr[i].ld = libdeflate_alloc_decompressor();
        if (!r->thr[i].ld) {
            kap_chunkr_free(r);
            return KAP_ENOMEM;
        }
        r->nthreads = i + 1;
    }
    if (threads > 1 && !pthread_mutex_init(&r->mu, NULL)) {
        if (pthread_cond_init(&r->work, NULL)) {
            pthread_mutex_destroy(&r->mu);
        } else if (pthread_cond_init(&r->done, NULL)) {
            pthread_cond_destroy(&r->work);
            pthread_mutex_destroy(&r->mu);
        } else {
            r->sync_ok = 1;
            for (int i = 1; i < threads; i++) {
                if (pthread_create(&r->thr[i].tid, NULL, worker, &r->thr[i]))
                    break;
                r->thr[i].started = 1;
            }
        }
    }
    *out = r;
    return KAP_OK;
}

void kap_chunkr_free(kap_chunkr *r)
{
    if (!r)
        return;
    if (r->sync_ok) {
        pthread_mutex_lock(&r->mu);
        r->quit = 1;
        pthread_cond_broadcast(&r->work);
        pthread_mutex_unlock(&r->mu);
        for (int i = 1; i < r->nthreads; i++)
            if (r->thr[i].started)
                pthread_join(r->thr[i].tid, NULL);
        pthread_cond_destroy(&r->done);
        pthread_cond_destroy(&r->work);
        pthread_mutex_destroy(&r->mu);
    }
    for (int i = 0; i < r->nthreads; i++) {
        if (r->thr[i].ld)
            libdeflate_free_decompressor(r->thr[i].ld);
        kap_free(r->thr[i].a);
        kap_free(r->thr[i].b);
    }
    for (size_t i = 0; i < r->nslots; i++)
        kap_free(r->slots[i].buf);
    kap_free(r->slots);
    kap_free(r->thr);
    kap_free(r);
}

static int grow(unsigned char **p, size_t n)
{
    unsigned char *q = kap_malloc(n);
    if (!q)
        return -1;
    kap_free(*p);
    *p = q;
    return 0;
}

int kap_chunkr_run(kap_chunkr *r, void *out, size_t bytes, size_t chunk_bytes,
                   size_t shuffle_elem, int deflate, int fletcher,
                   kap_chunkr_fetch fetch, void *ctx)
{
    if (bytes == 0)
        return KAP_OK;
    if (chunk_bytes == 0)
        return KAP_CHUNKR_FALLBACK;
    for (int i = 0; i < r->nthreads; i++) {
        rthr *t = &r->thr[i];
        if (t->cap < chunk_bytes) {
            if (grow(&t->a, chunk_bytes) < 0 || grow(&t->b, chunk_bytes) < 0)
                return KAP_ENOMEM;   /* t->cap unchanged: regrown next time */
            t->cap = chunk_bytes;
        }
    }
    int threaded = r->sync_ok && r->nthreads > 1 && r->thr[1].started;
    if (threaded)
        pthread_mutex_lock(&r->mu);
    r->out = out;
    r->bytes = bytes;
    r->chunk_bytes = chunk_bytes;
    r->shuffle = shuffle_elem;
    r->deflate = deflate;
    r->fletcher = fletcher;
    r->nchunks = (bytes - 1) / chunk_bytes + 1;
    r->fetched = r->next = r->busy = 0;
    r->fallback = 0;
    for (size_t i = 0; i < r->nslots; i++)
        r->slots[i].state = SLOT_FREE;
    int rc = KAP_OK;

    if (!threaded) {
        for (size_t c = 0; c < r->nchunks && !rc; c++) {
            rslot *s = &r->slots[0];
            rc = fetch(ctx, c, &s->buf, &s->cap, &s->size);
            if (!rc && decode(r, &r->thr[0], c, s))
                rc = KAP_CHUNKR_FALLBACK;
        }
        r->out = NULL;
        return rc;
    }

    r->active = 1;
    for (size_t c = 0; c < r->nchunks && !rc && !r->fallback; c++) {
        rslot *s = &r->slots[c % r->nslots];
        while (s->state != SLOT_FREE) {
            if (claimable(r))
                claim_and_decode(r, &r->thr[0]);
            else
                pthread_cond_wait(&r->done, &r->mu);
        }
        if (r->fallback)
            break;
        /* the slot is free and no worker touches it until it is ready */
        pthread_mutex_unlock(&r->mu);
        rc = fetch(ctx, c, &s->buf, &s->cap, &s->size);
        pthread_mutex_lock(&r->mu);
        if (!rc) {
            s->state = SLOT_READY;
            r->fetched++;
            pthread_cond_broadcast(&r->work);
        }
    }
    /* decode what is ready (unless giving up), wait for the rest */
    while (r->busy > 0 || claimable(r)) {
        if (claimable(r))
            claim_and_decode(r, &r->thr[0]);
        else
            pthread_cond_wait(&r->done, &r->mu);
    }
    r->active = 0;
    if (!rc && r->fallback)
        rc = KAP_CHUNKR_FALLBACK;
    r->out = NULL;
    pthread_mutex_unlock(&r->mu);
    return rc;
}
