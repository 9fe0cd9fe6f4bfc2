/*
 * libkapstats/chunk_writer.h - HDF5's write-side filter pipeline (shuffle,
 * deflate, Fletcher-32) run by the library itself, on worker threads, so
 * that the store writer can hand finished chunks to H5Dwrite_chunk.
 *
 * Nothing here calls HDF5 (the HDF5 build is not thread-safe): workers only
 * transform bytes; the finished chunks are passed, in chunk order, to a
 * callback on the calling thread.  Every buffer and compressor is
 * allocated on the calling thread (kap_malloc), so that allocation
 * failures come back as KAP_ENOMEM from the calling thread.
 *
 * The bytes produced are exactly those HDF5 1.10's filters produce for the
 * same chunk: H5Z_filter_shuffle's byte transposition, H5Z_filter_deflate
 * (zlib compress2 at the given level; or libdeflate's zlib format, a valid
 * zlib stream with different bytes) and H5Z_filter_fletcher32 (HDF5's
 * Fletcher-32 over 16-bit big-endian words, appended little-endian).
 * Partial edge chunks are zero-padded to the full chunk size, as HDF5
 * does with the default fill value.  The output does not depend on the
 * number of threads.
 */
#ifndef KAPSTATS_CHUNK_WRITER_H
#define KAPSTATS_CHUNK_WRITER_H

#include "internal.h"

#include <stdint.h>

/* Deflate implementations. */
#define KAP_CODEC_ZLIB 1        /* zlib's deflate: HDF5's own bytes */
#define KAP_CODEC_LIBDEFLATE 2  /* libdeflate: same format, faster */

typedef struct kap_chunkw kap_chunkw;

/* A pipeline with `threads` threads in all (the calling thread counts as
 * one; 1 = no worker thread), deflating with codec at level (zlib 1..9,
 * libdeflate 1..12).  Threads that cannot be started are done without
 * (same bytes, less parallelism).  KAP_ENOMEM or KAP_EINVAL. */
KAP_INTERNAL int kap_chunkw_new(kap_chunkw **out, int threads, int codec,
                                int level);
/* Stops the workers and frees everything; NULL is a no-op. */
KAP_INTERNAL void kap_chunkw_free(kap_chunkw *w);
/* Threads actually running (calling thread included). */
KAP_INTERNAL int kap_chunkw_threads(const kap_chunkw *w);

/* Called on the calling thread for chunk `index` (0, 1, 2, ... in order)
 * with its filtered bytes; nonzero stops the run and is returned by
 * kap_chunkw_run. */
typedef int (*kap_chunkw_emit)(void *ctx, size_t index, const void *buf,
                               size_t size);

/* Filter data[0..bytes) cut into chunks of chunk_bytes (the last one
 * zero-padded): shuffle with element size `shuffle` when > 1, deflate when
 * `deflate`, then Fletcher-32; emit each chunk.  data is only read, and
 * not after the return.  KAP_OK, KAP_ENOMEM, KAP_EIO (compression
 * failure), or the callback's code. */
KAP_INTERNAL int kap_chunkw_run(kap_chunkw *w, const void *data, size_t bytes,
                                size_t chunk_bytes, size_t shuffle,
                                int deflate, kap_chunkw_emit emit, void *ctx);

/* HDF5's Fletcher-32 (H5_checksum_fletcher32), exposed for the tests. */
KAP_INTERNAL uint32_t kap_fletcher32(const void *data, size_t len);

#endif
