/* Decoding fuzz bytes into sizes, options and double arrays (shared by the
 * kernel and store harnesses).  Reading past the end yields zeros, so every
 * input decodes to something. */
#ifndef KAP_FUZZ_INPUT_H
#define KAP_FUZZ_INPUT_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline uint8_t fz_u8(fz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t fz_u32(fz_in *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | fz_u8(in);
    return v;
}

static inline double fz_raw_double(fz_in *in)
{
    uint8_t b[8] = {0};
    for (int i = 0; i < 8; i++)
        b[i] = fz_u8(in);
    double d;
    memcpy(&d, b, sizeof d);
    return d;
}

/* Values that stress kernels: missing, infinities, extremes, denormals,
 * ties around zero. */
static const double fz_special[] = {
    0.0, 1.0, -1.0, 2.0, 0.5, NAN, INFINITY, -INFINITY, 1e308, -1e308,
    DBL_MAX, -DBL_MAX, 1e-308, 4.9406564584124654e-324, -0.0, 1e-300,
    1e15, 1e15 + 1, 3.0, 10.0, 100.0, 0.25, 1e-8, 1 - 1e-16,
};
#define FZ_N_SPECIAL (sizeof fz_special / sizeof fz_special[0])

/* One double: mode byte picks a small integer (ties), a special value, a
 * raw IEEE pattern or a moderate value. */
static inline double fz_double(fz_in *in)
{
    uint8_t m = fz_u8(in);
    switch (m & 3) {
    case 0: return (double)(int8_t)fz_u8(in);
    case 1: return fz_special[fz_u8(in) % FZ_N_SPECIAL];
    case 2: return fz_raw_double(in);
    default: return (double)(int16_t)((fz_u8(in) << 8) | fz_u8(in)) / 64.0;
    }
}

/* A probability / confidence level: mostly valid, sometimes hostile. */
static inline double fz_level(fz_in *in)
{
    static const double lv[] = {0.95, 0.9, 0.99, 0.5, 1e-10, 1 - 1e-12,
                                0.0, 1.0, NAN, -0.5, 2.0, INFINITY};
    uint8_t b = fz_u8(in);
    if (b < 200)
        return lv[b % 4];
    return lv[b % (sizeof lv / sizeof lv[0])];
}

static inline void fz_fill(double *x, size_t n, fz_in *in)
{
    for (size_t i = 0; i < n; i++)
        x[i] = fz_double(in);
}

#endif
