/*
 * visits.c - what ingestion knows about instruments and visit labels: the
 * known instruments and their valid ranges, the ADaM PARAMCD aliases, and
 * the canonical form and study day of a visit label.
 */
#include "ingest_internal.h"

#include <string.h>

/* Valid ranges are the scale totals: MADRS 10 items x 0-6 (Montgomery &
 * Asberg 1979), HAM-D 17 items (Hamilton 1960), PHQ-9 9 x 0-3, BDI-II 21 x
 * 0-3, QIDS-SR16 (Rush 2003), PCL-5 20 x 0-4, CADSS 23 x 0-4 (Bremner
 * 1998); vital-sign ranges are physiological plausibility limits. */
static const kap_known_instrument known[] = {
    {"madrs", KAP_INSTR_DEPRESSION, 0, 60},
    {"hamd17", KAP_INSTR_DEPRESSION, 0, 52},
    {"phq9", KAP_INSTR_DEPRESSION, 0, 27},
    {"bdi2", KAP_INSTR_DEPRESSION, 0, 63},
    {"qids16", KAP_INSTR_DEPRESSION, 0, 27},
    {"pcl5", KAP_INSTR_PTSD, 0, 80},
    {"cadss", KAP_INSTR_DISSOCIATION, 0, 92},
    {"hr", KAP_INSTR_VITAL, 20, 250},
    {"sbp", KAP_INSTR_VITAL, 50, 300},
    {"dbp", KAP_INSTR_VITAL, 20, 200},
};

const kap_known_instrument *kap_known_instrument_find(const char *name,
                                                      size_t *rank)
{
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].name, name) == 0) {
            if (rank)
                *rank = i;
            return &known[i];
        }
    return NULL;
}

static const struct {
    const char *code;
    const char *instrument;
} paramcd_map[] = {
    {"MADRS", "madrs"},  {"MADRSTOT", "madrs"}, {"HAMD17", "hamd17"},
    {"HAMDTL17", "hamd17"}, {"HAMD", "hamd17"}, {"PHQ9", "phq9"},
    {"BDI2", "bdi2"},    {"BDIII", "bdi2"},     {"BDI", "bdi2"},
    {"QIDS", "qids16"},  {"QIDSSR16", "qids16"}, {"PCL5", "pcl5"},
    {"CADSS", "cadss"},  {"HR", "hr"},          {"PULSE", "hr"},
    {"SYSBP", "sbp"},    {"DIABP", "dbp"},
};

int kap_ieq(const char *a, size_t alen, const char *b)
{
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (y == '\0')
            return 0;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return b[alen] == '\0';
}

const char *kap_paramcd_instrument(const char *code, size_t len)
{
    for (size_t i = 0; i < sizeof paramcd_map / sizeof *paramcd_map; i++)
        if (kap_ieq(code, len, paramcd_map[i].code))
            return paramcd_map[i].instrument;
    return NULL;
}

const char *kap_instrument_kind_name(kap_instrument_kind k)
{
    switch (k) {
    case KAP_INSTR_DEPRESSION: return "depression";
    case KAP_INSTR_PTSD: return "ptsd";
    case KAP_INSTR_DISSOCIATION: return "dissociation";
    case KAP_INSTR_VITAL: return "vital sign";
    default: return "generic";
    }
}

/* If s starts with one of the prefixes followed only by digits (at most 6),
 * return the number, else -1. */
static long prefixed_number(const char *s, const char *const *prefixes)
{
    for (size_t p = 0; prefixes[p]; p++) {
        size_t n = strlen(prefixes[p]);
        if (strncmp(s, prefixes[p], n) != 0)
            continue;
        const char *d = s + n;
        size_t nd = strlen(d);
        if (nd == 0 || nd > 6)
            continue;
        long v = 0;
        size_t k = 0;
        for (; k < nd && d[k] >= '0' && d[k] <= '9'; k++)
            v = v * 10 + (d[k] - '0');
        if (k == nd)
            return v;
    }
    return -1;
}

char *kap_visit_canon(const char *label, size_t len, int *baseline,
                      double *day)
{
    char *c = kap_malloc(len + 1);
    if (!c)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = label[i];
        if (ch == ' ' || ch == '_' || ch == '-' || ch == '\t')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        c[o++] = ch;
    }
    c[o] = '\0';
    *baseline = 0;
    *day = NAN;
    static const char *const aliases[] = {"baseline", "bl", "day0", "d0",
                                          "wk0", "w0", "week0"};
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(c, aliases[i]) == 0) {
            /* an alias may be shorter than "baseline": new string */
            char *b = kap_strdup("baseline");
            kap_free(c);
            if (!b)
                return NULL;
            *baseline = 1;
            *day = 0.0;
            return b;
        }
    static const char *const days[] = {"day", "d", NULL};
    static const char *const weeks[] = {"week", "wk", "w", NULL};
    static const char *const months[] = {"month", "mo", "m", NULL};
    long v;
    if ((v = prefixed_number(c, days)) >= 0)
        *day = (double)v;
    else if ((v = prefixed_number(c, weeks)) >= 0)
        *day = 7.0 * (double)v;
    else if ((v = prefixed_number(c, months)) >= 0)
        *day = 30.4375 * (double)v;
    return c;
}

int kap_visit_recognised(int baseline, double day)
{
    return baseline || !isnan(day);
}
