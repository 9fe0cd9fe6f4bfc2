/*
 * libkapstats/chunk_reader.h - the read side of chunk_writer.h: raw chunks
 * (read by the caller with H5Dread_chunk, on the calling thread) are
 * checked (Fletcher-32), inflated (libdeflate) and unshuffled on worker
 * threads straight into the destination array.
 *
 * Only the standard shuffle / deflate / Fletcher-32 pipeline is handled.
 * Anything unexpected in a chunk (checksum mismatch, a stream that does not
 * inflate to exactly one chunk, ...) makes kap_chunkr_run return
 * KAP_CHUNKR_FALLBACK: the caller then reads the dataset with H5Dread, so
 * that HDF5's own filters give the verdict on anything unusual.  Workers
 * never call HDF5 and never allocate.
 */
#ifndef KAPSTATS_CHUNK_READER_H
#define KAPSTATS_CHUNK_READER_H

#include "internal.h"

#define KAP_CHUNKR_FALLBACK 1

typedef struct kap_chunkr kap_chunkr;

/* `threads` in all, the calling thread included.  KAP_ENOMEM, KAP_EINVAL. */
KAP_INTERNAL int kap_chunkr_new(kap_chunkr **out, int threads);
KAP_INTERNAL void kap_chunkr_free(kap_chunkr *r);

/* Called on the calling thread: put chunk `index`'s stored bytes into
 * (*buf, *cap) - grow it with kap_malloc/kap_free if needed - and set
 * *size.  Returns KAP_OK, KAP_CHUNKR_FALLBACK or an error code. */
typedef int (*kap_chunkr_fetch)(void *ctx, size_t index, unsigned char **buf,
                                size_t *cap, size_t *size);

/* Decode the chunks of a dataset of `bytes` bytes (chunks of chunk_bytes,
 * the last one cut) into out: the stored chunk is checked with Fletcher-32
 * (when `fletcher`), inflated (when `deflate`), unshuffled (element size
 * `shuffle` when > 1).  KAP_OK, KAP_CHUNKR_FALLBACK (out's contents then
 * undefined), KAP_ENOMEM, or fetch's error. */
KAP_INTERNAL int kap_chunkr_run(kap_chunkr *r, void *out, size_t bytes,
                                size_t chunk_bytes, size_t shuffle,
                                int deflate, int fletcher,
                                kap_chunkr_fetch fetch, void *ctx);

#endif
