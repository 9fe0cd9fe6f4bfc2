/*
 * libkapstats/sha256_internal.h - SHA-256 (FIPS 180-4), used to record the
 * hash of every ingested source file.  Streaming: init, update any number
 * of times, final.  No allocation, no global state (but a cache of the
 * CPU feature test).  On x86 CPUs with the SHA extensions the compression
 * function uses them; the portable code is the fallback.
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
    int impl;               /* KAP_SHA256_PORTABLE or KAP_SHA256_SHANI */
} kap_sha256;

/* Implementations, for kap_sha256_init_impl (tests force the portable one). */
#define KAP_SHA256_AUTO 0       /* SHA-NI when the CPU has it */
#define KAP_SHA256_PORTABLE 1
#define KAP_SHA256_SHANI 2

/* 1 when this CPU has the x86 SHA extensions (and SSSE3, SSE4.1). */
KAP_INTERNAL int kap_sha256_shani_available(void);
/* Like kap_sha256_init with a chosen implementation; SHANI falls back to
 * the portable code when the CPU lacks it. */
KAP_INTERNAL void kap_sha256_init_impl(kap_sha256 *s, int impl);

KAP_INTERNAL void kap_sha256_init(kap_sha256 *s);
KAP_INTERNAL void kap_sha256_update(kap_sha256 *s, const void *data,
                                    size_t len);
/* Finish and write the digest (32 bytes) to out. */
KAP_INTERNAL void kap_sha256_final(kap_sha256 *s, unsigned char out[32]);
/* Finish and write the digest as 64 lower-case hex digits plus NUL. */
KAP_INTERNAL void kap_sha256_final_hex(kap_sha256 *s, char hex[65]);

#endif
