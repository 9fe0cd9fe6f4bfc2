/*
 * libkapstats/store_internal.h - internal knobs of the store writer, for
 * tests and measurements (kap_trial_write uses the defaults).
 */
#ifndef KAPSTATS_STORE_INTERNAL_H
#define KAPSTATS_STORE_INTERNAL_H

#include "chunk_writer.h"
#include "internal.h"

typedef struct kap_store_write_options {
    /* 1: the library filters the chunks (chunk_writer.c, on `threads`
     * threads) and writes them with H5Dwrite_chunk; 0: H5Dwrite through
     * HDF5's own filters (zlib, single-threaded; codec must be zlib). */
    int direct;
    int codec;      /* KAP_CODEC_ZLIB or KAP_CODEC_LIBDEFLATE */
    int level;      /* zlib 1..9, libdeflate 1..12 */
    int threads;    /* 0: kap_default_threads() */
} kap_store_write_options;

/* What kap_trial_write uses (docs/hdf5-layout.md, "Compression"). */
#define KAP_STORE_CODEC KAP_CODEC_LIBDEFLATE
#define KAP_STORE_LEVEL 1
#define KAP_STORE_WRITE_OPTIONS_INIT {1, KAP_STORE_CODEC, KAP_STORE_LEVEL, 0}

/* kap_trial_write with explicit options (NULL = the defaults). */
KAP_INTERNAL int kap_trial_write_opts(const kap_trial *t, const char *path,
                                      const kap_store_write_options *o,
                                      kap_error *err);

#endif
