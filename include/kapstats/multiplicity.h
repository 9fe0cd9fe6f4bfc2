/*
 * kapstats/multiplicity.h - adjustment of p-values for multiple testing.
 * See include/kapstats.h for ownership and error rules.
 */
#ifndef KAPSTATS_MULTIPLICITY_H
#define KAPSTATS_MULTIPLICITY_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The methods of R's stats::p.adjust(). */
typedef enum kap_padjust_method {
    KAP_PADJUST_NONE = 0,       /* p unchanged ("none") */
    KAP_PADJUST_BONFERRONI = 1, /* min(1, n p) */
    KAP_PADJUST_HOLM = 2,       /* Holm (1979) step-down */
    KAP_PADJUST_HOCHBERG = 3,   /* Hochberg (1988) step-up */
    KAP_PADJUST_HOMMEL = 4,     /* Hommel (1988), R's algorithm */
    KAP_PADJUST_BH = 5,         /* Benjamini & Hochberg (1995) FDR ("fdr") */
    KAP_PADJUST_BY = 6          /* Benjamini & Yekutieli (2001) FDR */
} kap_padjust_method;

/* Adjusted p-values, identical to R's p.adjust(p, method) (R 4.2).
 *
 * adjusted: caller array of n doubles; it may be the same array as p
 *           (in-place adjustment).
 * p:        n p-values in [0, 1]; NaN = missing.
 * NaN policy (as R with NA): NaN entries stay NaN in `adjusted` and are not
 * counted in the number of tests m used by the adjustment.  With m <= 1 the
 * values are returned unchanged; with m == 2 Hommel is Hochberg (as R).
 * Ties are handled as R (the result does not depend on the order of tied
 * values).  n == 0 is allowed (nothing to do).
 * Memory: a work array of n entries is allocated and freed internally.
 * Errors: KAP_EINVAL (NULL pointer with n > 0, unknown method, a p-value
 * outside [0, 1] or infinite), KAP_ENOMEM. */
KAP_EXTERN int kap_p_adjust(double *adjusted, const double *p, size_t n,
                            kap_padjust_method method, kap_error *err);

/* R's name of a method ("none", "bonferroni", "holm", "hochberg",
 * "hommel", "BH", "BY"); static string, NULL for an unknown value. */
KAP_EXTERN const char *kap_padjust_method_name(kap_padjust_method method);

/* Parse a method name as R's p.adjust accepts it (exact, case-sensitive:
 * the names above plus "fdr" for BH).  Errors: KAP_EINVAL. */
KAP_EXTERN int kap_padjust_method_parse(kap_padjust_method *out,
                                        const char *name, kap_error *err);

#ifdef __cplusplus
}
#endif

#endif
