/*
 * sha256.c - SHA-256 as specified in FIPS 180-4 (NIST, 2015), section 6.2.
 * Written from the standard; tested with its example messages.
 *
 * Two implementations of the compression function: the portable one below,
 * and one using the x86 SHA extensions (SHA-NI: sha256rnds2, sha256msg1,
 * sha256msg2; Intel, "Intel SHA Extensions", 2013), chosen at run time
 * when CPUID reports SHA, SSSE3 and SSE4.1.  Both give the same digest
 * (tests/test_sha256.c checks them against FIPS 180-4 and each other).
 */
#include "sha256_internal.h"

#include <stdatomic.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define KAP_HAVE_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void compress_block(uint32_t h[8], const unsigned char b[64])
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)b[4 * t] << 24 | (uint32_t)b[4 * t + 1] << 16 |
               (uint32_t)b[4 * t + 2] << 8 | (uint32_t)b[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[t] + w[t];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & bb) ^ (a & c) ^ (bb & c);
        uint32_t t2 = S0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = bb;
        bb = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void compress_portable(uint32_t h[8], const unsigned char *p,
                              size_t nblocks)
{
    for (size_t i = 0; i < nblocks; i++)
        compress_block(h, p + 64 * i);
}

#ifdef KAP_HAVE_SHANI
/* The same 64 rounds with the SHA extensions.  The state lives in two
 * registers as ABEF and CDGH (the order sha256rnds2 wants); each
 * sha256rnds2 does two rounds with the next two W[t] + K[t]; the message
 * schedule (6.2.2 step 1) is computed four words at a time by
 * sha256msg1/sha256msg2. */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani(uint32_t h[8], const unsigned char *p,
                           size_t nblocks)
{
    /* byte swap of each 32-bit word: the message is big-endian */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
                                         0x0405060700010203LL);
    __m128i t = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
    t = _mm_shuffle_epi32(t, 0xB1);              /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);            /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);      /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);           /* CDGH */

    for (size_t b = 0; b < nblocks; b++, p += 64) {
        const __m128i save0 = s0, save1 = s1;
        __m128i m[4];
        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(
                _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                bswap);
        for (int g = 0; g < 16; g++) {
            if (g >= 4) {
                /* W[4g..4g+3] from W[4g-16..4g-1], held in m[] as a ring */
                __m128i w = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
                w = _mm_add_epi32(w, _mm_alignr_epi8(m[(g + 3) & 3],
                                                     m[(g + 2) & 3], 4));
                m[g & 3] = _mm_sha256msg2_epu32(w, m[(g + 3) & 3]);
            }
            __m128i wk = _mm_add_epi32(
                m[g & 3],
                _mm_loadu_si128((const __m128i *)(const void *)&K[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
            wk = _mm_shuffle_epi32(wk, 0x0E);
            s0 = _mm_sha256rnds2_epu32(s0, s1, wk);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }

    t = _mm_shuffle_epi32(s0, 0x1B);             /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);            /* DCHG */
    s0 = _mm_blend_epi16(t, s1, 0xF0);           /* DCBA */
    s1 = _mm_alignr_epi8(s1, t, 8);              /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)&h[0], s0);
    _mm_storeu_si128((__m128i *)(void *)&h[4], s1);
}

/* CPUID: leaf 7 EBX bit 29 (SHA), leaf 1 ECX bits 9 (SSSE3), 19 (SSE4.1). */
static int detect_shani(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) ||
        !(c & (1u << 19)))
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & (1u << 29)) != 0;
}
#endif

int kap_sha256_shani_available(void)
{
#ifdef KAP_HAVE_SHANI
    /* 0 unknown, 1 no, 2 yes; a race only repeats the (pure) detection */
    static atomic_int cached;
    int v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (v == 0) {
        v = detect_shani() ? 2 : 1;
        atomic_store_explicit(&cached, v, memory_order_relaxed);
    }
    return v == 2;
#else
    return 0;
#endif
}

static void compress(const kap_sha256 *s, uint32_t h[8],
                     const unsigned char *p, size_t nblocks)
{
#ifdef KAP_HAVE_SHANI
    if (s->impl == KAP_SHA256_SHANI) {
        compress_shani(h, p, nblocks);
        return;
    }
#endif
    (void)s;
    compress_portable(h, p, nblocks);
}

void kap_sha256_init(kap_sha256 *s)
{
    kap_sha256_init_impl(s, KAP_SHA256_AUTO);
}

void kap_sha256_init_impl(kap_sha256 *s, int impl)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                   0xa54ff53a, 0x510e527f, 0x9b05688c,
                                   0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->nbytes = 0;
    s->fill = 0;
    if (impl != KAP_SHA256_PORTABLE && kap_sha256_shani_available())
        s->impl = KAP_SHA256_SHANI;
    else
        s->impl = KAP_SHA256_PORTABLE;
}

void kap_sha256_update(kap_sha256 *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->nbytes += len;
    if (s->fill) {
        size_t take = 64 - s->fill < len ? 64 - s->fill : len;
        memcpy(s->block + s->fill, p, take);
        s->fill += take;
        p += take;
        len -= take;
        if (s->fill < 64)
            return;
        compress(s, s->h, s->block, 1);
        s->fill = 0;
    }
    if (len >= 64) {
        compress(s, s->h, p, len / 64);
        p += len / 64 * 64;
        len %= 64;
    }
    memcpy(s->block, p, len);
    s->fill = len;
}

void kap_sha256_final(kap_sha256 *s, unsigned char out[32])
{
    uint64_t bits = s->nbytes * 8;
    /* Padding (5.1.1): a 1 bit, zeros, then the 64-bit big-endian length. */
    s->block[s->fill++] = 0x80;
    if (s->fill > 56) {
        memset(s->block + s->fill, 0, 64 - s->fill);
        compress(s, s->h, s->block, 1);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, 56 - s->fill);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    compress(s, s->h, s->block, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

void kap_sha256_final_hex(kap_sha256 *s, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[32];
    kap_sha256_final(s, d);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}
