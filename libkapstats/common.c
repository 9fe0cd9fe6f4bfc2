/*
 * common.c - result codes, errors, version, allocation wrappers, C-locale
 * number parsing and printing, and the GSL error-handler guard.
 */
#include "internal.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

const char *kap_strerror(int code)
{
    switch (code) {
    case KAP_OK: return "success";
    case KAP_EINVAL: return "invalid argument";
    case KAP_EINPUT: return "invalid input data";
    case KAP_EIO: return "I/O error";
    case KAP_ENOMEM: return "out of memory";
    case KAP_ENOTFOUND: return "not found";
    case KAP_EFORMAT: return "corrupt, foreign or incompatible store";
    case KAP_ENOCONV: return "iteration did not converge";
    case KAP_ENUMERIC: return "numerically unreliable";
    case KAP_EDATA: return "insufficient data for the analysis";
    default: return "unknown error";
    }
}

const char *kap_version(void) { return KAP_VERSION_STRING; }

int kap_version_number(void) { return KAP_VERSION_NUMBER; }

/* ---- C locale ---------------------------------------------------------- */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void c_locale_init(void)
{
    /* Immutable after creation; freed by the OS at exit. */
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

int kap_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    locale_t c = get_c_locale();
    locale_t old = (locale_t)0;
    if (c != (locale_t)0)
        old = uselocale(c);   /* thread-local switch, restored below */
    int rc = vsnprintf(buf, n, fmt, ap);
    if (c != (locale_t)0)
        uselocale(old);
    return rc;
}

int kap_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kap_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* Exact fast path (Clinger 1990): a decimal with at most 15 significant
 * digits, no exponent, is m / 10^k with m < 2^53 and k <= 22, both exact
 * doubles, so one IEEE division gives the correctly rounded result - the
 * same double strtod gives.  Returns 1 when it applied. */
static int parse_short_decimal(const char *s, size_t len, double *value)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                   1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16};
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (++digits > 15)
                return 0;
            m = m * 10 + (uint64_t)(c - '0');
            if (frac >= 0)
                frac++;
        } else if (c == '.' && frac < 0) {
            frac = 0;
        } else {
            return 0;   /* exponent, second point, anything else: strtod */
        }
    }
    if (digits == 0)
        return 0;
    double v = (double)m;
    if (frac > 0)
        v /= pow10[frac];
    *value = neg ? -v : v;
    return 1;
}

int kap_parse_double(const char *s, size_t len, double *value)
{
    char small[128];
    char *tmp = small;
    if (len == 0)
        return -1;
    if (len <= 18 && parse_short_decimal(s, len, value))
        return 0;
    /* strtod needs a terminated string; the field may not be. */
    if (len >= sizeof small) {
        tmp = malloc(len + 1);   /* not kap_malloc: parsing must not fail
                                    the fault sweep in a data-dependent way */
        if (!tmp)
            return -1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    /* Reject what strtod would accept but a data value should not be:
     * leading blanks, hex floats, "inf"/"nan" words (handled by callers as
     * missing codes where configured). */
    int rc = 0;
    unsigned char c0 = (unsigned char)tmp[0];
    if (!(c0 == '+' || c0 == '-' || c0 == '.' || (c0 >= '0' && c0 <= '9'))) {
        rc = -1;
    } else {
        const char *p = tmp + ((c0 == '+' || c0 == '-') ? 1 : 0);
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
            rc = -1;
        else if (!((p[0] >= '0' && p[0] <= '9') || p[0] == '.'))
            rc = -1;
    }
    if (rc == 0) {
        char *end = NULL;
        errno = 0;
        double v = strtod_l(tmp, &end, get_c_locale());
        if (end != tmp + len || end == tmp) {
            rc = -1;
        } else {
            *value = v;
            if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
                rc = -2;
        }
    }
    if (tmp != small)
        free(tmp);
    return rc;
}

/* ---- errors ------------------------------------------------------------ */

static void set_message(kap_error *err, const char *fmt, va_list ap)
{
    kap_vsnprintf(err->message, sizeof err->message, fmt, ap);
}

int kap_err(kap_error *err, int code, const char *fmt, ...)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        set_message(err, fmt, ap);
        va_end(ap);
    }
    return code;
}

int kap_err_input(kap_error *err, const char *file, unsigned long line,
                  unsigned long column, const char *fmt, ...)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = KAP_EINPUT;
        if (file)
            kap_snprintf(err->file, sizeof err->file, "%s", file);
        err->line = line;
        err->column = column;
        va_list ap;
        va_start(ap, fmt);
        set_message(err, fmt, ap);
        va_end(ap);
    }
    return KAP_EINPUT;
}

/* ---- allocation -------------------------------------------------------- */

#ifdef KAP_FAULT_INJECTION
static _Thread_local unsigned long alloc_count;
static _Thread_local unsigned long alloc_fail_at;
static _Thread_local int alloc_sticky;

void kap_test_fail_alloc_sticky(int sticky) { alloc_sticky = sticky; }

unsigned long kap_test_fail_alloc_at(unsigned long fail_at)
{
    unsigned long n = alloc_count;
    alloc_count = 0;
    alloc_fail_at = fail_at;
    return n;
}

static int should_fail(void)
{
    alloc_count++;
    if (alloc_fail_at == 0)
        return 0;
    return alloc_sticky ? alloc_count >= alloc_fail_at : alloc_count == alloc_fail_at;
}
#else
static int should_fail(void) { return 0; }
#endif

void *kap_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *kap_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    if (n == 0 || size == 0)
        n = size = 1;
    return calloc(n, size);
}

void *kap_realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *kap_malloc_array(size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size)
        return NULL;
    return kap_malloc(n * size);
}

char *kap_strndup(const char *s, size_t n)
{
    char *d = kap_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *kap_strdup(const char *s) { return kap_strndup(s, strlen(s)); }

void kap_free(void *p) { free(p); }

/* ---- results ----------------------------------------------------------- */

void kap_result_init(kap_result *r, const char *method)
{
    r->estimate = r->se = r->ci_low = r->ci_high = NAN;
    r->conf_level = r->statistic = r->df = r->df2 = r->p_value = NAN;
    r->n1 = r->n2 = 0;
    r->method = method;
    r->note = NULL;
}

/* ---- GSL ----------------------------------------------------------------
 * GSL's default error handler aborts the process.  The library checks every
 * GSL status itself, so on load it switches the default handler off.  A
 * handler the host program installed before loading us is kept (it was
 * chosen deliberately and does not abort by default).  This is the one
 * process-wide setting libkapstats touches; see docs/reliability.md. */
__attribute__((constructor)) static void kap_gsl_guard(void)
{
    gsl_error_handler_t *prev = gsl_set_error_handler_off();
    if (prev != NULL)
        gsl_set_error_handler(prev);
}

/* ---- threads the library starts ------------------------------------ */

int kap_default_threads(void)
{
    const char *e = getenv("KAPSTATS_THREADS");
    if (e && *e) {
        char *end;
        errno = 0;
        long v = strtol(e, &end, 10);
        if (!errno && *end == '\0' && v >= 1 && v <= KAP_MAX_THREADS)
            return (int)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > KAP_MAX_DEFAULT_THREADS)
        n = KAP_MAX_DEFAULT_THREADS;
    return (int)n;
}
