/* tests/test_sha256.c - the internal SHA-256: the portable compression
 * function and the x86 SHA-extensions (SHA-NI) one.
 *
 * References: FIPS 180-4 example messages (NIST CSRC "Examples with
 * intermediate values", SHA256.pdf: "abc", the 448-bit and 896-bit
 * messages) and one million 'a' (FIPS 180-2 appendix B.3); the empty
 * message as printed by sha256sum.  Then both implementations against
 * each other on pseudo-random messages fed in pseudo-random pieces.
 * On a CPU without SHA-NI the SHA-NI tests report that they were skipped
 * (kap_sha256_init_impl falls back to the portable code there). */
#include "kap_test.h"
#include "sha256_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex_impl(int impl, const void *msg, size_t len, char hex[65])
{
    kap_sha256 s;
    kap_sha256_init_impl(&s, impl);
    kap_sha256_update(&s, msg, len);
    kap_sha256_final_hex(&s, hex);
}

static void check_fips(int impl)
{
    char hex[65];
    hex_impl(impl, "abc", 3, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_impl(impl, "", 0, hex);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_impl(impl, m448, strlen(m448), hex);
    CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_impl(impl, m896, strlen(m896), hex);
    CU_ASSERT_STRING_EQUAL(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    /* one million 'a', in 1000-byte pieces (not a multiple of 64) */
    kap_sha256 s;
    kap_sha256_init_impl(&s, impl);
    CU_ASSERT_EQUAL(s.impl, impl);
    char a[1000];
    memset(a, 'a', sizeof a);
    for (int i = 0; i < 1000; i++)
        kap_sha256_update(&s, a, sizeof a);
    kap_sha256_final_hex(&s, hex);
    CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_portable_fips(void)
{
    check_fips(KAP_SHA256_PORTABLE);
}

static void test_shani_fips(void)
{
    if (!kap_sha256_shani_available()) {
        printf("\n  (no SHA-NI on this CPU: skipped) ");
        return;
    }
    check_fips(KAP_SHA256_SHANI);
}

/* The default picks SHA-NI exactly when the CPU has it. */
static void test_auto_choice(void)
{
    kap_sha256 s;
    kap_sha256_init(&s);
    CU_ASSERT_EQUAL(s.impl, kap_sha256_shani_available() ? KAP_SHA256_SHANI
                                                         : KAP_SHA256_PORTABLE);
}

/* xorshift64*: reproducible pseudo-random bytes and lengths. */
static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ull;
}

/* Feed msg to an implementation in pieces cut at pseudo-random points. */
static void hex_split(int impl, const unsigned char *msg, size_t len,
                      uint64_t *x, char hex[65])
{
    kap_sha256 s;
    kap_sha256_init_impl(&s, impl);
    size_t o = 0;
    while (o < len) {
        /* mostly short pieces, sometimes several blocks at once */
        size_t max = rnd(x) % 4 == 0 ? 700 : 70;
        size_t piece = (size_t)(rnd(x) % (max + 1));
        if (piece > len - o)
            piece = len - o;
        kap_sha256_update(&s, msg + o, piece);
        o += piece;
    }
    kap_sha256_final_hex(&s, hex);
}

/* Both implementations, whole and split, agree on 400 random messages of
 * random lengths 0..4200 (every padding case: length mod 64 covers all
 * values). */
static void test_cross_random(void)
{
    enum { MAXLEN = 4200 };
    unsigned char *msg = malloc(MAXLEN);
    CU_ASSERT_FATAL(msg != NULL);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int shani = kap_sha256_shani_available();
    for (int i = 0; i < 400; i++) {
        size_t len = i < 130 ? (size_t)i : (size_t)(rnd(&x) % (MAXLEN + 1));
        for (size_t j = 0; j < len; j++)
            msg[j] = (unsigned char)(rnd(&x) >> 56);
        char whole_p[65], split_p[65], whole_s[65], split_s[65];
        hex_impl(KAP_SHA256_PORTABLE, msg, len, whole_p);
        hex_split(KAP_SHA256_PORTABLE, msg, len, &x, split_p);
        CU_ASSERT_STRING_EQUAL(split_p, whole_p);
        if (shani) {
            hex_impl(KAP_SHA256_SHANI, msg, len, whole_s);
            hex_split(KAP_SHA256_SHANI, msg, len, &x, split_s);
            CU_ASSERT_STRING_EQUAL(whole_s, whole_p);
            CU_ASSERT_STRING_EQUAL(split_s, whole_p);
        }
    }
    free(msg);
}

/* A state carried across many multi-block updates (the SHA-NI code keeps
 * the state in registers across blocks and must store it back exactly). */
static void test_cross_long(void)
{
    if (!kap_sha256_shani_available()) {
        printf("\n  (no SHA-NI on this CPU: skipped) ");
        return;
    }
    enum { LEN = 1 << 20 };
    unsigned char *msg = malloc(LEN);
    CU_ASSERT_FATAL(msg != NULL);
    uint64_t x = 12345;
    for (size_t j = 0; j < LEN; j++)
        msg[j] = (unsigned char)(rnd(&x) >> 56);
    kap_sha256 p, s;
    kap_sha256_init_impl(&p, KAP_SHA256_PORTABLE);
    kap_sha256_init_impl(&s, KAP_SHA256_SHANI);
    for (size_t o = 0; o < LEN; o += 65536 + 3) {
        size_t n = LEN - o < 65536 + 3 ? LEN - o : 65536 + 3;
        kap_sha256_update(&p, msg + o, n);
        kap_sha256_update(&s, msg + o, n);
        CU_ASSERT_EQUAL(memcmp(p.h, s.h, sizeof p.h), 0);
    }
    char hp[65], hs[65];
    kap_sha256_final_hex(&p, hp);
    kap_sha256_final_hex(&s, hs);
    CU_ASSERT_STRING_EQUAL(hs, hp);
    free(msg);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"portable: FIPS 180-4 examples", test_portable_fips},
        {"SHA-NI: FIPS 180-4 examples", test_shani_fips},
        {"default implementation follows CPUID", test_auto_choice},
        {"portable vs SHA-NI, random lengths and splits", test_cross_random},
        {"portable vs SHA-NI, 1 MiB in uneven pieces", test_cross_long},
        CU_TEST_INFO_NULL,
    };
    return kt_main("sha256", tests);
}
