/*
 * libkapstats/meta_internal.h - helpers shared by meta.c and stratified.c.
 */
#ifndef KAPSTATS_META_INTERNAL_H
#define KAPSTATS_META_INTERNAL_H

#include "internal.h"

/* Neumaier-compensated sum. */
typedef struct kap_ksum {
    double s, c;
} kap_ksum;

static inline void kap_ksum_add(kap_ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double kap_ksum_value(const kap_ksum *k) { return k->s + k->c; }

/* Brent's root finder with exactly the steps of R's uniroot() (R_zeroin2,
 * after Brent 1973): f(a) = fa and f(b) = fb must bracket a root.  At most
 * maxit + 1 passes (as R).  Returns 0 and *root on convergence (|step|
 * within 2 eps |b| + tol / 2, or f = 0), -1 if the iteration cap was hit
 * (*root then holds the last iterate), -2 if f returned NaN.  *evals
 * receives the number of function evaluations. */
typedef double (*kap_root_fn)(double x, void *ctx);
KAP_INTERNAL int kap_brent_root(double a, double b, double fa, double fb,
                                kap_root_fn f, void *ctx, double tol,
                                unsigned int maxit, double *root,
                                unsigned int *evals);

#endif
