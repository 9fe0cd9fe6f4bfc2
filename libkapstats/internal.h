/*
 * libkapstats/internal.h - helpers shared by the library's modules.
 * Nothing here is exported from the shared library.
 */
#ifndef KAPSTATS_INTERNAL_H
#define KAPSTATS_INTERNAL_H

#include "kapstats.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>

#define KAP_INTERNAL __attribute__((visibility("hidden")))

/* ---- errors ------------------------------------------------------------ */

/* Fill *err (if not NULL) and return code.  printf-style message, always
 * formatted in the C locale. */
KAP_INTERNAL int kap_err(kap_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Input error with location: file (may be NULL), physical line and column
 * (1-based; 0 = not applicable).  Returns KAP_EINPUT. */
KAP_INTERNAL int kap_err_input(kap_error *err, const char *file,
                               unsigned long line, unsigned long column,
                               const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- allocation ---------------------------------------------------------
 * All library allocations go through these so that the fault-injection
 * build (-DKAP_FAULT_INJECTION) can make the N-th allocation fail. */
KAP_INTERNAL void *kap_malloc(size_t size);
KAP_INTERNAL void *kap_calloc(size_t n, size_t size);
KAP_INTERNAL void *kap_realloc(void *p, size_t size);
KAP_INTERNAL char *kap_strdup(const char *s);
KAP_INTERNAL char *kap_strndup(const char *s, size_t n);
KAP_INTERNAL void kap_free(void *p);
/* n * size with overflow check: NULL (and no allocation) on overflow. */
KAP_INTERNAL void *kap_malloc_array(size_t n, size_t size);

#ifdef KAP_FAULT_INJECTION
/* Test hook (fault-injection builds only, thread-local): the `fail_at`-th
 * allocation from now on fails (1 = the next one); 0 disables.  Returns the
 * number of allocations made since the last call. */
KAP_EXTERN unsigned long kap_test_fail_alloc_at(unsigned long fail_at);
/* Nonzero: every allocation from the fail_at-th on fails (persistent out of
 * memory), not only that one.  Thread-local; default 0. */
KAP_EXTERN void kap_test_fail_alloc_sticky(int sticky);
#endif

/* ---- numbers in the C locale ------------------------------------------- */

/* Parse the whole of s[0..len) as a double in the C locale, exactly as
 * strtod does.  Leading/trailing blanks are not accepted (trim first).
 * Returns 0 on success, -1 if not a number, -2 if not finite or overflowing
 * (value then holds what strtod gave). */
KAP_INTERNAL int kap_parse_double(const char *s, size_t len, double *value);

/* snprintf in the C locale, whatever the process or thread locale. */
KAP_INTERNAL int kap_snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
KAP_INTERNAL int kap_vsnprintf(char *buf, size_t n, const char *fmt,
                               va_list ap);

/* ---- results ----------------------------------------------------------- */

/* Every field NaN, sizes 0, method/note as given. */
KAP_INTERNAL void kap_result_init(kap_result *r, const char *method);

/* Threads the library starts itself (store chunk filters, CSV reading,
 * report sections): the default count in all, the calling thread
 * included.  KAPSTATS_THREADS if set to 1..KAP_MAX_THREADS in the
 * environment, else the online CPUs capped at KAP_MAX_DEFAULT_THREADS.
 * 1 = start no thread. */
#define KAP_MAX_DEFAULT_THREADS 4
#define KAP_MAX_THREADS 64
KAP_INTERNAL int kap_default_threads(void);

#endif
