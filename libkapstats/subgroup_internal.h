/*
 * libkapstats/subgroup_internal.h - helpers shared by subgroup.c,
 * table1.c and safety.c: choosing the compared arms and turning a
 * covariate into level codes (categorical levels or numeric bands).
 */
#ifndef KAPSTATS_SUBGROUP_INTERNAL_H
#define KAPSTATS_SUBGROUP_INTERNAL_H

#include "internal.h"

#include <stdint.h>

/* Level codes of a subgrouping variable for every participant. */
typedef struct kap_sg_groups {
    size_t n_levels;
    char **labels;   /* n_levels owned strings */
    int32_t *code;   /* n participants; -1 = missing */
} kap_sg_groups;

/* Build the groups of covariate `variable` (see subgroup.h for the band
 * rules; cuts NULL = age defaults, error for another numeric variable).
 * On failure g is left empty.  Errors: KAP_EINVAL, KAP_ENOTFOUND,
 * KAP_ENOMEM. */
KAP_INTERNAL int kap_sg_groups_make(kap_sg_groups *g, const kap_trial *t,
                                    const char *variable, const double *cuts,
                                    size_t n_cuts, kap_error *err);
KAP_INTERNAL void kap_sg_groups_clear(kap_sg_groups *g);

/* Resolve the treatment and control arms.  control NULL =
 * kap_trial_choose_control() (analysis.h); treatment NULL = the only other
 * arm.  Errors: KAP_EINVAL (more than two arms without a treatment),
 * KAP_ENOTFOUND (unknown name), KAP_EDATA (treatment == control, fewer
 * than two arms, no control named and none recognisable). */
KAP_INTERNAL int kap_sg_arms(int32_t *treat, int32_t *control,
                             const kap_trial *t, const char *treatment,
                             const char *control_name, kap_error *err);

/* A component that fails for lack of data (or numerically) leaves its
 * result NaN (method, note) and returns KAP_OK; only out-of-memory and
 * argument errors propagate. */
KAP_INTERNAL int kap_soft_result(int rc, kap_result *r, const char *method,
                                 const char *note);

/* The family (multiplicity of the interaction p-values) of subgroup
 * analyses already run, as kap_subgroup_family_run() would build it from
 * the same variables: ownership of sg[0..n) passes to the family, also on
 * failure.  Errors: KAP_ENOMEM, KAP_EINVAL (method). */
KAP_INTERNAL int kap_sg_family_adopt(kap_subgroup_family **out,
                                     kap_subgroup **sg, size_t n,
                                     kap_padjust_method method,
                                     kap_error *err);

#endif
