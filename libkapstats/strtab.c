/*
 * strtab.c - growable arrays and the string interner used by ingestion.
 * The interner keeps every distinct string once in a single arena, so that
 * a column of a million participants with three sites costs three strings
 * plus one int32 code per participant.
 */
#include "ingest_internal.h"

#include <string.h>
#include <sys/mman.h>

int kap_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return KAP_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > ((size_t)-1 / 2) / elem)
            return KAP_ENOMEM;
        ncap *= 2;
    }
    if (ncap > (size_t)-1 / elem)
        return KAP_ENOMEM;
    void *q = kap_realloc(*p, ncap * elem);
    if (!q)
        return KAP_ENOMEM;
    *p = q;
    *cap = ncap;
    return KAP_OK;
}

void kap_strtab_free(kap_strtab *t)
{
    if (!t)
        return;
    kap_free(t->buf);
    kap_free(t->off);
    kap_free(t->slot);
    memset(t, 0, sizeof *t);
}

/* Eight bytes at a time (unaligned loads through memcpy), each word
 * mixed in with a multiply, then a final avalanche so that the low bits
 * used for the slot index depend on every byte.  Deterministic: no
 * per-process seed, so slot layouts and probe counts are reproducible
 * (the entry order, which is all callers see, never depends on it). */
static uint32_t hash_bytes(const char *s, size_t len)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = 1469598103934665603ULL ^ (len * k);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, s + i, len - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* Entry e's length follows from the next entry's offset (strings are back
 * to back), so no byte past the entry is ever compared. */
static int same(const kap_strtab *t, size_t e, const char *s, size_t len)
{
    size_t end = e + 1 < t->n ? t->off[e + 1] : t->len;
    return end - t->off[e] == len + 1 &&
           memcmp(t->buf + t->off[e], s, len) == 0;
}

/* A slot holds the entry + 1 in its low 32 bits (0 = empty) and the
 * entry's hash in its high 32 bits, so that a probe compares hashes
 * without touching another array (the id table of a million-row file does
 * not fit in the cache: every extra array is another miss). */
#define SLOT_ENTRY(v) ((uint32_t)(v))
#define SLOT_HASH(v) ((uint32_t)((v) >> 32))

/* Slot where s[0..len) (hash h) is, or the empty slot where it would go;
 * *entry receives its entry + 1, 0 when absent.  t->nslot > 0. */
static size_t probe(const kap_strtab *t, const char *s, size_t len,
                    uint32_t h, uint32_t *entry)
{
    size_t mask = t->nslot - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = t->slot[i];
        uint32_t e = SLOT_ENTRY(v);
        if (e == 0 || (SLOT_HASH(v) == h && same(t, e - 1, s, len))) {
            *entry = e;
            return i;
        }
    }
}

void kap_strtab_prefetch(const kap_strtab *t, const char *s, size_t len)
{
    if (t->nslot)
        __builtin_prefetch(&t->slot[hash_bytes(s, len) & (t->nslot - 1)]);
}

long kap_strtab_find(const kap_strtab *t, const char *s, size_t len)
{
    if (t->nslot == 0)
        return -1;
    uint32_t v;
    probe(t, s, len, hash_bytes(s, len), &v);
    return (long)v - 1;
}

/* A slot table of several MiB is probed at random: with 4 KiB pages
 * nearly every probe also misses the TLB.  Ask for transparent huge pages
 * on the whole 2 MiB pages inside it (a hint; nothing depends on it). */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < 2 * huge)
        return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

static int rehash(kap_strtab *t, size_t nslot)
{
    uint64_t *slot = kap_calloc(nslot, sizeof *slot);
    if (!slot)
        return KAP_ENOMEM;
    advise_huge(slot, nslot * sizeof *slot);
    size_t mask = nslot - 1;
    for (size_t j = 0; j < t->nslot; j++) {
        uint64_t v = t->slot[j];
        if (!SLOT_ENTRY(v))
            continue;
        size_t i = SLOT_HASH(v) & mask;
        while (slot[i])
            i = (i + 1) & mask;
        slot[i] = v;
    }
    kap_free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return KAP_OK;
}

int kap_strtab_intern(kap_strtab *t, const char *s, size_t len,
                      size_t *index, int *added)
{
    if (added)
        *added = 0;
    /* one hash and one probe for both the look-up and the insertion */
    uint32_t h = hash_bytes(s, len);
    uint32_t v = 0;
    size_t pos = 0;
    if (t->nslot) {
        pos = probe(t, s, len, h, &v);
        if (v) {
            *index = v - 1;
            return KAP_OK;
        }
    }
    if (t->n >= UINT32_MAX - 1)
        return KAP_ENOMEM;
    /* keep the load factor at most 1/2 */
    if (2 * (t->n + 1) > t->nslot) {
        if (rehash(t, t->nslot ? 2 * t->nslot : 16) != KAP_OK)
            return KAP_ENOMEM;
        pos = probe(t, s, len, h, &v);
    }
    if (kap_grow((void **)&t->off, &t->ncap, t->n + 1, sizeof *t->off) !=
        KAP_OK)
        return KAP_ENOMEM;
    if (len + 1 > (size_t)-1 - t->len ||
        kap_grow((void **)&t->buf, &t->cap, t->len + len + 1, 1) != KAP_OK)
        return KAP_ENOMEM;
    memcpy(t->buf + t->len, s, len);
    t->buf[t->len + len] = '\0';
    t->off[t->n] = t->len;
    t->len += len + 1;
    t->slot[pos] = ((uint64_t)h << 32) | (uint32_t)(t->n + 1);
    *index = t->n++;
    if (added)
        *added = 1;
    return KAP_OK;
}
