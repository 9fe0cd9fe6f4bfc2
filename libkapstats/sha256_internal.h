/*
 * libkapstats/sha256_internal.h - SHA-256 (FIPS 180-4), used to record the
 * hash of every ingested source file.  Streaming: init, update any number
 * of times, final.  No allocation, no global state.
 */
#ifndef KAPSTATS_SHA256_INTERNAL_H
#define KAPSTATS_SHA256_INTERNAL_H

#include "internal.h"

#include <stdint.h>

typedef struct kap_sha256 {
    uint32_t h[8];
    uint64_t nbytes;        /* message length so far */
    unsigned char block[64];
    size_t fill;            /* bytes waiting in block */
} kap_sha256;

KAP_INTERNAL void kap_sha256_init(kap_sha256 *s);
KAP_INTERNAL void kap_sha256_update(kap_sha256 *s, const void *data,
                                    size_t len);
/* Finish and write the digest (32 bytes) to out. */
KAP_INTERNAL void kap_sha256_final(kap_sha256 *s, unsigned char out[32]);
/* Finish and write the digest as 64 lower-case hex digits plus NUL. */
KAP_INTERNAL void kap_sha256_final_hex(kap_sha256 *s, char hex[65]);

#endif
