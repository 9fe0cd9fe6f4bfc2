/*
 * chunk_writer.c - HDF5's shuffle + deflate + Fletcher-32 pipeline on
 * worker threads (see chunk_writer.h).
 *
 * Scheduling: chunks are numbered 0..n-1; chunk i is filtered into slot
 * i % NSLOTS.  Any thread (workers and the calling thread alike) claims
 * the next chunk as long as its slot is free, i.e. while
 * next < emitted + NSLOTS.  The calling thread emits chunk `emitted` as
 * soon as it is done, frees its slot, and helps filter while it waits.
 * So output order, and therefore every byte, is independent of the
 * number of threads and of their timing; memory is bounded by NSLOTS
 * chunks.  All shared state is under one mutex; a chunk's bytes are
 * handed between threads through the mutex (slot state changes).
 */
#include "chunk_writer.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libdeflate.h>
#include <zlib.h>

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    unsigned char *buf;
    size_t cap;
    size_t size;      /* filtered bytes, checksum included */
    int state;
    int failed;       /* the compressor reported an error */
} slot;

typedef struct thr {
    struct kap_chunkw *w;
    pthread_t tid;
    int started;
    z_stream z;                           /* KAP_CODEC_ZLIB */
    int zinit;
    struct libdeflate_compressor *ld;     /* KAP_CODEC_LIBDEFLATE */
    unsigned char *pad;                   /* a zero-padded edge chunk */
    unsigned char *shuf;                  /* the shuffled chunk */
    size_t cap;                           /* bytes in pad and shuf */
} thr;

struct kap_chunkw {
    int nthreads;         /* thr[0] is the calling thread */
    int codec, level;
    thr *thr;
    slot *slots;
    size_t nslots;

    pthread_mutex_t mu;
    pthread_cond_t work;  /* a chunk may be claimed, or quit */
    pthread_cond_t done;  /* a chunk finished */
    int sync_ok;          /* mutex and conditions initialised */
    int quit;

    /* the current run (valid while active) */
    int active;
    const unsigned char *data;
    size_t bytes, chunk_bytes, shuffle, nchunks;
    int deflate;
    size_t next;          /* next chunk to claim */
    size_t emitted;       /* chunks emitted (their slots are free) */
    size_t inflight;      /* claimed, not yet done */
};

/* ---- the filters ----------------------------------------------------- */

uint32_t kap_fletcher32(const void *data, size_t len)
{
    /* H5_checksum_fletcher32 (HDF5 H5checksum.c): 16-bit words read
     * big-endian, sums reduced every 360 words, an odd last byte as the
     * high byte of a word. */
    const unsigned char *p = data;
    size_t words = len / 2;
    uint32_t sum1 = 0, sum2 = 0;
    while (words) {
        size_t t = words > 360 ? 360 : words;
        words -= t;
        do {
            sum1 += (uint32_t)p[0] << 8 | p[1];
            p += 2;
            sum2 += sum1;
        } while (--t);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if (len % 2) {
        sum1 += (uint32_t)p[0] << 8;
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return sum2 << 16 | sum1;
}

/* H5Z_filter_shuffle: byte j of element i goes to dst[j * ne + i];
 * trailing bytes that do not make a whole element are copied as they are.
 * The element size is a constant in the common cases so that the inner
 * loop unrolls. */
static inline void shuffle_k(unsigned char *restrict dst,
                             const unsigned char *restrict src, size_t ne,
                             size_t k)
{
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < k; j++)
            dst[j * ne + i] = src[i * k + j];
}

#ifdef __SSE2__
/* 16 elements of 8 bytes at a time: each register holds two elements;
 * interleaving its halves gives, per byte index k, the 16-bit word (byte k
 * of the first element, byte k of the second); an 8 x 8 transpose of
 * 16-bit words then gathers byte k of all 16 elements in register k. */
static size_t shuffle8_sse2(unsigned char *restrict dst,
                            const unsigned char *restrict src, size_t ne)
{
    size_t i = 0;
    for (; i + 16 <= ne; i += 16) {
        __m128i r[8], t[8], u[8];
        for (int j = 0; j < 8; j++) {
            __m128i x = _mm_loadu_si128(
                (const __m128i *)(const void *)(src + 8 * i + 16 * j));
            r[j] = _mm_unpacklo_epi8(x, _mm_srli_si128(x, 8));
        }
        for (int j = 0; j < 4; j++) {
            t[2 * j] = _mm_unpacklo_epi16(r[2 * j], r[2 * j + 1]);
            t[2 * j + 1] = _mm_unpackhi_epi16(r[2 * j], r[2 * j + 1]);
        }
        u[0] = _mm_unpacklo_epi32(t[0], t[2]);
        u[1] = _mm_unpackhi_epi32(t[0], t[2]);
        u[2] = _mm_unpacklo_epi32(t[1], t[3]);
        u[3] = _mm_unpackhi_epi32(t[1], t[3]);
        u[4] = _mm_unpacklo_epi32(t[4], t[6]);
        u[5] = _mm_unpackhi_epi32(t[4], t[6]);
        u[6] = _mm_unpacklo_epi32(t[5], t[7]);
        u[7] = _mm_unpackhi_epi32(t[5], t[7]);
        for (int k = 0; k < 4; k++) {
            _mm_storeu_si128((__m128i *)(void *)(dst + (size_t)(2 * k) * ne + i),
                             _mm_unpacklo_epi64(u[k], u[k + 4]));
            _mm_storeu_si128((__m128i *)(void *)(dst + (size_t)(2 * k + 1) * ne + i),
                             _mm_unpackhi_epi64(u[k], u[k + 4]));
        }
    }
    return i;
}

/* 16 elements of 4 bytes: two interleaves group each register's bytes by
 * byte index (4 x 32-bit groups), a 4 x 4 transpose of 32-bit words
 * finishes. */
static size_t shuffle4_sse2(unsigned char *restrict dst,
                            const unsigned char *restrict src, size_t ne)
{
    size_t i = 0;
    for (; i + 16 <= ne; i += 16) {
        __m128i r[4];
        for (int j = 0; j < 4; j++) {
            __m128i x = _mm_loadu_si128(
                (const __m128i *)(const void *)(src + 4 * i + 16 * j));
            x = _mm_unpacklo_epi8(x, _mm_srli_si128(x, 8));
            r[j] = _mm_unpacklo_epi8(x, _mm_srli_si128(x, 8));
        }
        __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]);
        __m128i t1 = _mm_unpackhi_epi32(r[0], r[1]);
        __m128i t2 = _mm_unpacklo_epi32(r[2], r[3]);
        __m128i t3 = _mm_unpackhi_epi32(r[2], r[3]);
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_unpacklo_epi64(t0, t2));
        _mm_storeu_si128((__m128i *)(void *)(dst + ne + i), _mm_unpackhi_epi64(t0, t2));
        _mm_storeu_si128((__m128i *)(void *)(dst + 2 * ne + i), _mm_unpacklo_epi64(t1, t3));
        _mm_storeu_si128((__m128i *)(void *)(dst + 3 * ne + i), _mm_unpackhi_epi64(t1, t3));
    }
    return i;
}
#endif

/* Elements [from, ne) the plain way. */
static inline void shuffle_tail(unsigned char *restrict dst,
                                const unsigned char *restrict src,
                                size_t from, size_t ne, size_t k)
{
    for (size_t i = from; i < ne; i++)
        for (size_t j = 0; j < k; j++)
            dst[j * ne + i] = src[i * k + j];
}

static void shuffle(unsigned char *restrict dst,
                    const unsigned char *restrict src, size_t n, size_t elem)
{
    size_t ne = n / elem, done = 0;
    switch (elem) {
    case 2:
        shuffle_k(dst, src, ne, 2);
        break;
    case 4:
#ifdef __SSE2__
        done = shuffle4_sse2(dst, src, ne);
#endif
        shuffle_tail(dst, src, done, ne, 4);
        break;
    case 8:
#ifdef __SSE2__
        done = shuffle8_sse2(dst, src, ne);
#endif
        shuffle_tail(dst, src, done, ne, 8);
        break;
    default:
        shuffle_k(dst, src, ne, elem);
        break;
    }
    memcpy(dst + ne * elem, src + ne * elem, n - ne * elem);
}

/* Filter chunk c into slot s with thread t's scratch and compressor.
 * Touches only t, s and the (read-only) input. */
static void filter_chunk(kap_chunkw *w, thr *t, size_t c, slot *s)
{
    size_t cb = w->chunk_bytes, off = c * cb;
    size_t n = w->bytes - off < cb ? w->bytes - off : cb;
    const unsigned char *src = w->data + off;
    if (n < cb) {
        memcpy(t->pad, src, n);
        memset(t->pad + n, 0, cb - n);
        src = t->pad;
    }
    if (w->shuffle > 1) {
        shuffle(t->shuf, src, cb, w->shuffle);
        src = t->shuf;
    }
    size_t out;
    s->failed = 0;
    if (!w->deflate) {
        memcpy(s->buf, src, cb);
        out = cb;
    } else if (w->codec == KAP_CODEC_ZLIB) {
        /* deflateReset + one deflate(Z_FINISH) into a compressBound buffer:
         * the same stream as compress2(), which HDF5's filter calls */
        z_stream *z = &t->z;
        if (deflateReset(z) != Z_OK) {
            s->failed = 1;
            return;
        }
        z->next_in = (Bytef *)(uintptr_t)src;
        z->avail_in = (uInt)cb;
        z->next_out = s->buf;
        z->avail_out = (uInt)(s->cap - 4);
        if (deflate(z, Z_FINISH) != Z_STREAM_END) {
            s->failed = 1;
            return;
        }
        out = (size_t)z->total_out;
    } else {
        out = libdeflate_zlib_compress(t->ld, src, cb, s->buf, s->cap - 4);
        if (out == 0) {
            s->failed = 1;
            return;
        }
    }
    uint32_t f = kap_fletcher32(s->buf, out);
    s->buf[out] = (unsigned char)f;
    s->buf[out + 1] = (unsigned char)(f >> 8);
    s->buf[out + 2] = (unsigned char)(f >> 16);
    s->buf[out + 3] = (unsigned char)(f >> 24);
    s->size = out + 4;
}

/* ---- scheduling -------------------------------------------------------- */

/* With mu held: may a chunk be claimed now? */
static int claimable(const kap_chunkw *w)
{
    return w->active && w->next < w->nchunks &&
           w->next < w->emitted + w->nslots;
}

/* With mu held: claim the next chunk, filter it (mu released meanwhile)
 * and mark it done. */
static void claim_and_filter(kap_chunkw *w, thr *t)
{
    size_t c = w->next++;
    slot *s = &w->slots[c % w->nslots];
    s->state = SLOT_BUSY;
    w->inflight++;
    pthread_mutex_unlock(&w->mu);
    filter_chunk(w, t, c, s);
    pthread_mutex_lock(&w->mu);
    s->state = SLOT_DONE;
    w->inflight--;
    pthread_cond_broadcast(&w->done);
}

static void *worker(void *arg)
{
    thr *t = arg;
    kap_chunkw *w = t->w;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->quit && !claimable(w))
            pthread_cond_wait(&w->work, &w->mu);
        if (w->quit)
            break;
        claim_and_filter(w, t);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- setup ------------------------------------------------------------- */

/* zlib's allocations through the library's wrappers (always made on the
 * calling thread: deflateInit2 allocates, deflateReset and deflate do
 * not). */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return kap_malloc_array(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    kap_free(p);
}

static int thr_init(kap_chunkw *w, thr *t)
{
    t->w = w;
    if (w->codec == KAP_CODEC_ZLIB) {
        t->z.zalloc = z_alloc;
        t->z.zfree = z_free;
        t->z.opaque = Z_NULL;
        /* compress2's parameters: deflateInit(level) */
        int rc = deflateInit2(&t->z, w->level, Z_DEFLATED, MAX_WBITS, 8,
                              Z_DEFAULT_STRATEGY);
        if (rc != Z_OK)
            return rc == Z_MEM_ERROR ? KAP_ENOMEM : KAP_EINVAL;
        t->zinit = 1;
    } else {
        /* libdeflate allocates with malloc (its allocator hook is
         * process-wide, which a library must not change) */
        t->ld = libdeflate_alloc_compressor(w->level);
        if (!t->ld)
            return KAP_ENOMEM;
    }
    return KAP_OK;
}

static void thr_fini(thr *t)
{
    if (t->zinit)
        deflateEnd(&t->z);
    t->zinit = 0;
    if (t->ld)
        libdeflate_free_compressor(t->ld);
    t->ld = NULL;
    kap_free(t->pad);
    kap_free(t->shuf);
    t->pad = t->shuf = NULL;
}

int kap_chunkw_new(kap_chunkw **out, int threads, int codec, int level)
{
    *out = NULL;
    if (threads < 1 || threads > KAP_MAX_THREADS ||
        (codec != KAP_CODEC_ZLIB && codec != KAP_CODEC_LIBDEFLATE) ||
        level < 1 || level > (codec == KAP_CODEC_ZLIB ? 9 : 12))
        return KAP_EINVAL;
    kap_chunkw *w = kap_calloc(1, sizeof *w);
    if (!w)
        return KAP_ENOMEM;
    w->codec = codec;
    w->level = level;
    w->nslots = 2 * (size_t)threads + 2;
    w->thr = kap_calloc((size_t)threads, sizeof *w->thr);
    w->slots = kap_calloc(w->nslots, sizeof *w->slots);
    if (!w->thr || !w->slots) {
        kap_free(w->thr);
        kap_free(w->slots);
        kap_free(w);
        return KAP_ENOMEM;
    }
    int rc = KAP_OK;
    for (int i = 0; i < threads && !rc; i++) {
        rc = thr_init(w, &w->thr[i]);
        if (!rc)
            w->nthreads = i + 1;
    }
    if (rc) {
        kap_chunkw_free(w);
        return rc;
    }
    if (threads > 1) {
        if (pthread_mutex_init(&w->mu, NULL))
            goto single;
        if (pthread_cond_init(&w->work, NULL)) {
            pthread_mutex_destroy(&w->mu);
            goto single;
        }
        if (pthread_cond_init(&w->done, NULL)) {
            pthread_cond_destroy(&w->work);
            pthread_mutex_destroy(&w->mu);
            goto single;
        }
        w->sync_ok = 1;
        for (int i = 1; i < threads; i++) {
            if (pthread_create(&w->thr[i].tid, NULL, worker, &w->thr[i]))
                break;   /* fewer threads: same bytes, only slower */
            w->thr[i].started = 1;
        }
    } else {
single:
        w->sync_ok = 0;
    }
    *out = w;
    return KAP_OK;
}

int kap_chunkw_threads(const kap_chunkw *w)
{
    int n = 1;
    for (int i = 1; i < w->nthreads; i++)
        n += w->thr[i].started;
    return n;
}

void kap_chunkw_free(kap_chunkw *w)
{
    if (!w)
        return;
    if (w->sync_ok) {
        pthread_mutex_lock(&w->mu);
        w->quit = 1;
        pthread_cond_broadcast(&w->work);
        pthread_mutex_unlock(&w->mu);
        for (int i = 1; i < w->nthreads; i++)
            if (w->thr[i].started)
                pthread_join(w->thr[i].tid, NULL);
        pthread_cond_destroy(&w->done);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->mu);
    }
    for (int i = 0; i < w->nthreads; i++)
        thr_fini(&w->thr[i]);
    for (size_t i = 0; i < w->nslots; i++)
        kap_free(w->slots[i].buf);
    kap_free(w->slots);
    kap_free(w->thr);
    kap_free(w);
}

/* Grow *buf to at least n bytes (contents not kept). */
static int ensure(unsigned char **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 0;
    unsigned char *p = kap_malloc(n);
    if (!p)
        return -1;
    kap_free(*buf);
    *buf = p;
    *cap = n;
    return 0;
}

/* Size every buffer for chunks of cb bytes; on the calling thread, while
 * no worker touches them (no run is active). */
static int prepare(kap_chunkw *w, size_t cb, int deflate)
{
    size_t bound = cb;
    if (deflate) {
        if (w->codec == KAP_CODEC_ZLIB)
            bound = (size_t)compressBound((uLong)cb);
        else
            bound = libdeflate_zlib_compress_bound(w->thr[0].ld, cb);
    }
    if (bound > SIZE_MAX - 4)
        return KAP_ENOMEM;
    bound += 4;
    for (size_t i = 0; i < w->nslots; i++)
        if (ensure(&w->slots[i].buf, &w->slots[i].cap, bound) < 0)
            return KAP_ENOMEM;
    for (int i = 0; i < w->nthreads; i++) {
        thr *t = &w->thr[i];
        if (t->cap < cb) {
            size_t cap = t->cap, cap2 = t->cap;
            if (ensure(&t->pad, &cap, cb) < 0 || ensure(&t->shuf, &cap2, cb) < 0)
                return KAP_ENOMEM;   /* t->cap unchanged: both regrown next time */
            t->cap = cb;
        }
    }
    return KAP_OK;
}

int kap_chunkw_run(kap_chunkw *w, const void *data, size_t bytes,
                   size_t chunk_bytes, size_t shuffle_elem, int deflate,
                   kap_chunkw_emit emit, void *ctx)
{
    if (bytes == 0)
        return KAP_OK;
    /* zlib counts in uInt */
    if (chunk_bytes == 0 || chunk_bytes > UINT_MAX / 2)
        return KAP_EINVAL;
    int rc = prepare(w, chunk_bytes, deflate);
    if (rc)
        return rc;
    size_t nchunks = (bytes - 1) / chunk_bytes + 1;
    thr *me = &w->thr[0];

    if (!w->sync_ok || kap_chunkw_threads(w) == 1) {
        w->data = data;
        w->bytes = bytes;
        w->chunk_bytes = chunk_bytes;
        w->shuffle = shuffle_elem;
        w->deflate = deflate;
        for (size_t c = 0; c < nchunks && !rc; c++) {
            slot *s = &w->slots[0];
            filter_chunk(w, me, c, s);
            if (s->failed)
                rc = KAP_EIO;
            else
                rc = emit(ctx, c, s->buf, s->size);
        }
        w->data = NULL;
        return rc;
    }

    pthread_mutex_lock(&w->mu);
    w->data = data;
    w->bytes = bytes;
    w->chunk_bytes = chunk_bytes;
    w->shuffle = shuffle_elem;
    w->deflate = deflate;
    w->nchunks = nchunks;
    w->next = w->emitted = 0;
    for (size_t i = 0; i < w->nslots; i++)
        w->slots[i].state = SLOT_FREE;
    w->active = 1;
    pthread_cond_broadcast(&w->work);
    for (size_t c = 0; c < nchunks && !rc; c++) {
        slot *s = &w->slots[c % w->nslots];
        while (s->state != SLOT_DONE) {
            if (claimable(w))
                claim_and_filter(w, me);
            else
                pthread_cond_wait(&w->done, &w->mu);
        }
        pthread_mutex_unlock(&w->mu);
        /* the slot is ours: no thread writes a DONE slot */
        if (s->failed)
            rc = KAP_EIO;
        else
            rc = emit(ctx, c, s->buf, s->size);
        pthread_mutex_lock(&w->mu);
        s->state = SLOT_FREE;
        w->emitted++;
        pthread_cond_broadcast(&w->work);
    }
    /* stop claiming; wait for chunks still being filtered (they read data
     * and write slots) */
    w->active = 0;
    while (w->inflight > 0)
        pthread_cond_wait(&w->done, &w->mu);
    w->data = NULL;
    pthread_mutex_unlock(&w->mu);
    return rc;
}
