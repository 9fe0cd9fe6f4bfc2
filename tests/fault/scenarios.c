/* Scenarios for tests/fault/sweep.c: one per public workflow. */
#include "kapstats.h"
#include "sweep.h"

#include <math.h>
#include <stddef.h>

static const double y10[10] = {3.1, 4.7, 2.2, 5.9, 4.4, 6.1, 3.3, 7.2, 5.5, 4.0};
static const double x10[10] = {1, 2, 1.5, 3, 2.2, 3.1, 1.9, 4.2, 2.8, 2.1};
static const int32_t g10[10] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};

static int sc_meta_reml(void *ctx)
{
    (void)ctx;
    static const double yi[5] = {-0.9, -1.6, -1.4, -0.2, -0.3};
    static const double vi[5] = {0.36, 0.19, 0.42, 0.07, 0.01};
    kap_meta_options o = KAP_META_OPTIONS_INIT;
    kap_meta_result r;
    return kap_meta_fit(&r, yi, vi, 5, &o, NULL);
}

static int sc_p_adjust(void *ctx)
{
    (void)ctx;
    static const double p[6] = {0.01, 0.04, NAN, 0.03, 0.2, 0.5};
    double adj[6];
    return kap_p_adjust(adj, p, 6, KAP_PADJUST_HOMMEL, NULL);
}

static int sc_lm(void *ctx)
{
    (void)ctx;
    kap_lm *m = NULL;
    int rc = kap_lm_fit(&m, y10, x10, 10, 1, 1, 0.95, NULL);
    kap_lm_free(m);
    return rc;
}

static int sc_ancova(void *ctx)
{
    (void)ctx;
    kap_ancova *a = NULL;
    int rc = kap_ancova_fit(&a, y10, x10, g10, 10, 3, 0, NULL, 0, NULL, 0.95, NULL);
    kap_ancova_free(a);
    return rc;
}

static int sc_anova(void *ctx)
{
    (void)ctx;
    kap_anova_oneway_result r;
    return kap_anova_oneway(&r, y10, g10, 10, 3, 0.95, KAP_TWO_SIDED, NULL);
}

const scenario scenarios[] = {
    {"meta REML + Q-profile", sc_meta_reml},
    {"p_adjust hommel", sc_p_adjust},
    {"lm fit", sc_lm},
    {"ancova", sc_ancova},
    {"anova oneway", sc_anova},
    {NULL, NULL},
};
