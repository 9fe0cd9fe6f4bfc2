/*
 * kapstats/common.h - version, result codes, the error struct and the
 * fixed-size result type shared by every libkapstats module.
 *
 * Ownership and thread safety (applies to the whole library):
 *  - What you get through a `**out` parameter you own and release with the
 *    matching `kap_..._free()`; every `_free(NULL)` is a no-op.
 *  - Fixed-size results (`kap_result`, `kap_describe_result`, ...) are
 *    filled through an out-pointer and need no free.
 *  - `const char *` strings in results (`method`, `note`) point to static
 *    storage: never free them, they live as long as the library is loaded.
 *  - The library keeps no mutable global state of its own; functions are
 *    re-entrant and may run concurrently on different objects.  A read-only
 *    handle (e.g. an opened trial) may be shared between threads.
 *  - The library never prints, never calls exit() or abort().
 */
#ifndef KAPSTATS_COMMON_H
#define KAPSTATS_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of these headers; compare with kap_version() at run time. */
#define KAP_VERSION_MAJOR 0
#define KAP_VERSION_MINOR 1
#define KAP_VERSION_PATCH 0
#define KAP_VERSION_STRING "0.1.0"
/* One number, major * 10000 + minor * 100 + patch. */
#define KAP_VERSION_NUMBER \
    (KAP_VERSION_MAJOR * 10000 + KAP_VERSION_MINOR * 100 + KAP_VERSION_PATCH)

#if defined(KAP_BUILDING_LIBRARY) && defined(__GNUC__)
#define KAP_EXTERN __attribute__((visibility("default")))
#else
#define KAP_EXTERN
#endif

/* Result codes: stable, negative on failure. */
enum {
    KAP_OK = 0,          /* success */
    KAP_EINVAL = -1,     /* invalid argument (NULL, bad option, bad size) */
    KAP_EINPUT = -2,     /* invalid input data; err has file, line, column */
    KAP_EIO = -3,        /* I/O error: cannot open, read, write or rename */
    KAP_ENOMEM = -4,     /* out of memory */
    KAP_ENOTFOUND = -5,  /* unknown name: arm, instrument, visit, covariate */
    KAP_EFORMAT = -6,    /* store is corrupt, foreign or of a newer layout */
    KAP_ENOCONV = -7,    /* iterative method did not converge */
    KAP_ENUMERIC = -8,   /* numerically unreliable (e.g. ill-conditioned) */
    KAP_EDATA = -9       /* data insufficient for the analysis (e.g. 1 arm) */
};

/* Caller-provided error details (jansson style).  Every function that can
 * fail takes an optional trailing `kap_error *err` (may be NULL).  On
 * failure it receives the code and a message; for input errors also the
 * file, the physical line (header = 1) and the column (1-based); 0 where
 * not applicable. */
typedef struct kap_error {
    int code;
    char message[512];
    char file[256];
    unsigned long line;
    unsigned long column;
} kap_error;

/* Short static description of a result code ("invalid argument", ...). */
KAP_EXTERN const char *kap_strerror(int code);

/* Runtime version: "0.1.0"; compare with KAP_VERSION_STRING. */
KAP_EXTERN const char *kap_version(void);
/* Runtime version as KAP_VERSION_NUMBER. */
KAP_EXTERN int kap_version_number(void);

/* Sidedness of a test and its confidence interval. */
typedef enum kap_alternative {
    KAP_TWO_SIDED = 0,
    KAP_LESS = 1,     /* H1: true value < null value; CI is (-inf, upper] */
    KAP_GREATER = 2   /* H1: true value > null value; CI is [lower, +inf) */
} kap_alternative;

/* The fixed-size result of every test or estimate.  Fields that a method
 * does not define are NaN (sizes 0); when a defined field is NaN because
 * the data do not allow it (zero variance, n too small, ...), `note` says
 * why.  `method` names the exact method used. */
typedef struct kap_result {
    double estimate;
    double se;
    double ci_low;
    double ci_high;
    double conf_level;
    double statistic;  /* t, z, W, V, F, chi-square, ... */
    double df;         /* degrees of freedom (numerator df for F) */
    double df2;        /* denominator df for F; NaN otherwise */
    double p_value;
    size_t n1;         /* observations used in group 1 (or the only group) */
    size_t n2;         /* observations used in group 2 (0 if one group) */
    const char *method; /* static string; never NULL after a successful call */
    const char *note;   /* static string or NULL */
} kap_result;

#ifdef __cplusplus
}
#endif

#endif
