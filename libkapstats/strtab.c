/*
 * strtab.c - growable arrays and the string interner used by ingestion.
 * The interner keeps every distinct string once in a single arena, so that
 * a column of a million participants with three sites costs three strings
 * plus one int32 code per participant.
 */
#include "ingest_internal.h"

#include <string.h>

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
    kap_free(t->hash);
    kap_free(t->slot);
    memset(t, 0, sizeof *t);
}

/* FNV-1a, then a final avalanche so that the low bits used for the slot
 * index depend on every byte.  Deterministic: no per-process seed. */
static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

static int same(const kap_strtab *t, size_t e, const char *s, size_t len)
{
    const char *x = t->buf + t->off[e];
    return memcmp(x, s, len) == 0 && x[len] == '\0';
}

long kap_strtab_find(const kap_strtab *t, const char *s, size_t len)
{
    if (t->nslot == 0)
        return -1;
    uint32_t h = hash_bytes(s, len);
    size_t mask = t->nslot - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = t->slot[i];
        if (v == 0)
            return -1;
        if (t->hash[v - 1] == h && same(t, v - 1, s, len))
            return (long)(v - 1);
    }
}

static int rehash(kap_strtab *t, size_t nslot)
{
    uint32_t *slot = kap_calloc(nslot, sizeof *slot);
    if (!slot)
        return KAP_ENOMEM;
    size_t mask = nslot - 1;
    for (size_t e = 0; e < t->n; e++) {
        size_t i = t->hash[e] & mask;
        while (slot[i])
            i = (i + 1) & mask;
        slot[i] = (uint32_t)(e + 1);
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
    long found = kap_strtab_find(t, s, len);
    if (found >= 0) {
        *index = (size_t)found;
        return KAP_OK;
    }
    if (t->n >= UINT32_MAX - 1)
        return KAP_ENOMEM;
    /* keep the load factor at most 1/2 */
    if (2 * (t->n + 1) > t->nslot) {
        if (rehash(t, t->nslot ? 2 * t->nslot : 16) != KAP_OK)
            return KAP_ENOMEM;
    }
    size_t ocap = t->ncap;
    if (kap_grow((void **)&t->off, &ocap, t->n + 1, sizeof *t->off) != KAP_OK)
        return KAP_ENOMEM;
    size_t hcap = t->ncap;
    if (kap_grow((void **)&t->hash, &hcap, t->n + 1, sizeof *t->hash) != KAP_OK)
        return KAP_ENOMEM;
    t->ncap = ocap < hcap ? ocap : hcap;
    if (len + 1 > (size_t)-1 - t->len ||
        kap_grow((void **)&t->buf, &t->cap, t->len + len + 1, 1) != KAP_OK)
        return KAP_ENOMEM;
    uint32_t h = hash_bytes(s, len);
    memcpy(t->buf + t->len, s, len);
    t->buf[t->len + len] = '\0';
    t->off[t->n] = t->len;
    t->hash[t->n] = h;
    t->len += len + 1;
    size_t mask = t->nslot - 1;
    size_t i = h & mask;
    while (t->slot[i])
        i = (i + 1) & mask;
    t->slot[i] = (uint32_t)(t->n + 1);
    *index = t->n++;
    if (added)
        *added = 1;
    return KAP_OK;
}
