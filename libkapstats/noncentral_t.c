/*
 * noncentral_t.c - noncentral t distribution function, its quadrature
 * cross-check, and the inversion for the noncentrality parameter used by
 * the noncentral-t confidence intervals of standardized mean differences.
 *
 * Notation: T = (Z + ncp) / S with Z ~ N(0, 1), S = sqrt(V / df),
 * V ~ chi-square(df), Z and V independent.  x = t^2 / (t^2 + df),
 * y = 1 - x = df / (t^2 + df), b = df / 2, lambda = ncp^2 / 2.
 *
 * Series (t >= 0; Lenth 1989, AS 243, as written by Benton & Krishnamoorthy
 * 2003, Comput. Stat. Data Anal. 43, 249-267):
 *   P(T <= t) = Phi(-ncp) + 1/2 sum_j [P_j I_x(j + 1/2, b) + Q_j I_x(j + 1, b)]
 *   P(T >  t) =             1/2 sum_j [P_j I_y(b, j + 1/2) + Q_j I_y(b, j + 1)]
 * with P_j = e^-lambda lambda^j / j! and
 *      Q_j = sign(ncp) e^-lambda lambda^(j+1/2) / Gamma(j + 3/2).
 * The second line follows from sum_j P_j = 1 and sum_j Q_j = 2 Phi(ncp) - 1.
 * Both sums have positive terms when ncp >= 0; for ncp < 0 the lower tail
 * is >= 1/2 (so cancellation costs nothing) but the upper tail cancels.
 * Unlike AS 243, which starts at j = 0 and underflows for |ncp| > 37.6
 * (where R's pt() switches to a normal approximation), the sums start at
 * the Poisson mode and run both ways, with the incomplete beta functions
 * and their consecutive differences carried by exact recurrences:
 *   I_x(a + 1, b) = I_x(a, b) - T(a),  T(a) = x^a y^b / (a B(a, b)),
 *   T(a + 1) = T(a) x (a + b) / (a + 1).
 *
 * Quadrature: P(T <= t) = E[Phi(t S - ncp)], P(T > t) = E[Phi(ncp - t S)];
 * for df >= 1 both integrands are log-concave in s, so the mass lies
 * around one mode and the truncated tails have explicit bounds.  For
 * 1 < df < 2 the panel from s = 0 is integrated in u = s^(df/2), which
 * removes the s^(df - 1) endpoint singularity (quad_substituted).
 */
#include "noncentral_t_internal.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>

#define LN_SQRT_2PI 0.918938533204672741780329736406
#define LN_2PI 1.83787706640934548356065947281
/* Series: lambda above this is left to quadrature (series cost grows like
 * sqrt(lambda): ~1.7e5 terms at 1e8). */
#define NCT_LAMBDA_MAX 1e8
#define NCT_SERIES_MAX_ITER 5000000L
/* Supported range of kap_nct_cdf (df = +Inf is handled separately). */
#define NCT_T_MAX 1e150
#define NCT_DF_MAX 1e10
#define NCT_NCP_MAX 1e10
#define IBETA_MAX_ITER 200000
/* Series truncation: remaining terms below 1e-17 of the sum, or below
 * this absolute floor (which no normal-range result can feel). */
#define NCT_ABS_FLOOR 1e-320
/* x below this is treated as 0: the neglected part is O(sqrt(x)). */
#define NCT_X_TINY 1e-280

/* ---- Loader (2000) building blocks --------------------------------------
 * stirlerr(z) = log Gamma(z + 1) - (z + 1/2) log z + z - log sqrt(2 pi)
 * bd0(x, m)   = x log(x / m) + m - x, computed without cancellation.
 * (C. Loader, "Fast and accurate computation of binomial probabilities",
 * 2000.)  Both accept any real z, x, m > 0. */
static double stirlerr(double z)
{
    static const double S0 = 1.0 / 12.0, S1 = 1.0 / 360.0, S2 = 1.0 / 1260.0,
                        S3 = 1.0 / 1680.0, S4 = 1.0 / 1188.0;
    if (z > 15.0) {
        double z2 = z * z;
        if (z > 500.0)
            return (S0 - S1 / z2) / z;
        if (z > 80.0)
            return (S0 - (S1 - S2 / z2) / z2) / z;
        if (z > 35.0)
            return (S0 - (S1 - (S2 - S3 / z2) / z2) / z2) / z;
        return (S0 - (S1 - (S2 - (S3 - S4 / z2) / z2) / z2) / z2) / z;
    }
    gsl_sf_result r;
    if (gsl_sf_lngamma_e(z + 1.0, &r) != GSL_SUCCESS)
        return NAN;
    return r.val - (z + 0.5) * log(z) + z - LN_SQRT_2PI;
}

double kap_stirlerr(double z) { return stirlerr(z); }

static double bd0(double x, double m)
{
    if (fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v;
        double ej = 2.0 * x * v;
        double v2 = v * v;
        for (int j = 1; j < 200; j++) {
            ej *= v2;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return x * log(x / m) + m - x;
}

/* e^-lambda lambda^k / Gamma(k + 1) for real k >= 0, lambda > 0. */
static double pois_raw(double k, double lambda)
{
    if (k == 0.0)
        return exp(-lambda);
    return exp(-stirlerr(k) - bd0(k, lambda)) / sqrt(2.0 * M_PI * k);
}

/* T(a, b) = x^a y^b / (a B(a, b)) = Gamma(a + b) / (Gamma(a + 1) Gamma(b))
 * x^a y^b for a, b > 0, x + y = 1.  With N = a + b this is
 * sqrt(b / (2 pi a N)) exp(stirlerr(N) - stirlerr(a) - stirlerr(b)
 *                          - bd0(a, N x) - bd0(b, N y)). */
static double beta_term(double a, double b, double x, double y)
{
    if (x <= 0.0 || y <= 0.0)
        return 0.0;
    double n = a + b;
    double e = stirlerr(n) - stirlerr(a) - stirlerr(b) - bd0(a, n * x) -
               bd0(b, n * y);
    return sqrt(b / (2.0 * M_PI * a * n)) * exp(e);
}

/* Continued fraction for I_x(a, b) / T(a, b) (modified Lentz; converges
 * quickly for x < (a + 1) / (a + b + 2)). */
static int betacf(double a, double b, double x, double *h_out)
{
    const double fpmin = DBL_MIN / DBL_EPSILON;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < fpmin)
        d = fpmin;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= IBETA_MAX_ITER; m++) {
        double dm = m, m2 = 2.0 * m;
        double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < fpmin)
            d = fpmin;
        c = 1.0 + aa / c;
        if (fabs(c) < fpmin)
            c = fpmin;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < fpmin)
            d = fpmin;
        c = 1.0 + aa / c;
        if (fabs(c) < fpmin)
            c = fpmin;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) <= 3.0 * DBL_EPSILON) {
            *h_out = h;
            return KAP_OK;
        }
    }
    *h_out = h;
    return KAP_ENOCONV;
}

int kap_nct_ibeta(double a, double b, double x, double y, double *lower,
                  double *upper)
{
    if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0) || !(y >= 0.0) ||
        !isfinite(a) || !isfinite(b) || x > 1.0 || y > 1.0)
        return KAP_EINVAL;
    double lo, up;
    if (x == 0.0) {
        lo = 0.0;
        up = 1.0;
    } else if (y == 0.0) {
        lo = 1.0;
        up = 0.0;
    } else if (x < (a + 1.0) / (a + b + 2.0)) {
        double h;
        int rc = betacf(a, b, x, &h);
        if (rc != KAP_OK)
            return rc;
        lo = beta_term(a, b, x, y) * h;
        up = 1.0 - lo;
    } else {
        double h;
        int rc = betacf(b, a, y, &h);
        if (rc != KAP_OK)
            return rc;
        up = beta_term(b, a, y, x) * h;
        lo = 1.0 - up;
    }
    if (lower)
        *lower = lo;
    if (upper)
        *upper = up;
    return KAP_OK;
}

/* ---- series -------------------------------------------------------------*/

/* Neumaier compensated sum. */
typedef struct {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double v)
{
    double t = k->s + v;
    if (fabs(k->s) >= fabs(v))
        k->c += (k->s - t) + v;
    else
        k->c += (v - t) + k->s;
    k->s = t;
}

static double ksum_get(const ksum *k) { return k->s + k->c; }

/* t > 0 finite, df > 0 finite, lambda <= NCT_LAMBDA_MAX.  With
 * have_fallback, an underflow at the start (see below) returns
 * KAP_ENUMERIC at once instead of summing terms that cannot be trusted. */
static int nct_series(double t, double df, double ncp, int lower,
                      int have_fallback, double *p)
{
    const double b = 0.5 * df;
    const double r = df / t;
    double x = t / (t + r), y = r / (t + r);
    const double lam = 0.5 * ncp * ncp;
    const double sgn = ncp < 0.0 ? -1.0 : 1.0;
    const double base = lower ? gsl_cdf_ugaussian_P(-ncp) : 0.0;
    int rc;

    if (x < NCT_X_TINY) {
        *p = lower ? gsl_cdf_ugaussian_P(-ncp) : gsl_cdf_ugaussian_Q(-ncp);
        return KAP_OK;
    }
    if (lam == 0.0) {
        double lo, up;
        rc = kap_nct_ibeta(0.5, b, x, y, &lo, &up);
        if (rc != KAP_OK)
            return rc;
        *p = lower ? 0.5 + 0.5 * lo : 0.5 * up;
        return KAP_OK;
    }

    const double k0 = floor(lam);
    const double aA0 = k0 + 0.5, aB0 = k0 + 1.0;
    double IA, IAc, IB, IBc;
    rc = kap_nct_ibeta(aA0, b, x, y, &IA, &IAc);
    if (rc == KAP_OK)
        rc = kap_nct_ibeta(aB0, b, x, y, &IB, &IBc);
    if (rc != KAP_OK)
        return rc;
    const double P0 = pois_raw(k0, lam);
    const double Q0 = sgn * pois_raw(k0 + 0.5, lam);
    const double TA0 = beta_term(aA0, b, x, y);
    const double TB0 = beta_term(aB0, b, x, y);
    const double A0 = lower ? IA : IAc, B0 = lower ? IB : IBc;
    /* Started at the Poisson mode, the subtractive recurrences run where
     * the weights fall, so they cost only ~eps per step relative to the
     * mode term.  If T underflows at the mode, the terms away from it are
     * lost (they may dominate): report it so that the caller can use the
     * quadrature instead; the value computed is still returned. */
    const int start_underflow = TA0 < 1e-290 || TB0 < 1e-290;
    if (start_underflow && have_fallback)
        return KAP_ENUMERIC;
    ksum sum = {0.0, 0.0};
    long iter = 0;

    /* Forward: j = k0, k0 + 1, ... */
    {
        double P = P0, Q = Q0, A = A0, B = B0, TA = TA0, TB = TB0;
        double aA = aA0, aB = aB0;
        for (double j = k0;; j += 1.0) {
            ksum_add(&sum, P * A + Q * B);
            if (lower) {
                A = fmax(A - TA, 0.0);
                B = fmax(B - TB, 0.0);
            } else {
                A = fmin(A + TA, 1.0);
                B = fmin(B + TB, 1.0);
            }
            TA *= x * (aA + b) / (aA + 1.0);
            TB *= x * (aB + b) / (aB + 1.0);
            aA += 1.0;
            aB += 1.0;
            P *= lam / (j + 1.0);
            Q *= lam / (j + 1.5);
            /* Terms i >= j + 1: P_i, |Q_i| fall at least geometrically
             * once j + 2 > lambda; I_x(a, b) falls with a (lower tail),
             * the complement is <= 1 (upper tail). */
            if (j + 2.0 > lam) {
                double tp = P / (1.0 - lam / (j + 2.0));
                double tq = fabs(Q) / (1.0 - lam / (j + 2.5));
                double bound = lower ? A * tp + B * tq : tp + tq;
                double est = base + 0.5 * ksum_get(&sum);
                if (0.5 * bound <= fmax(1e-17 * fabs(est), NCT_ABS_FLOOR))
                    break;
            }
            if (++iter > NCT_SERIES_MAX_ITER)
                return KAP_ENOCONV;
        }
    }
    /* Backward: j = k0 - 1, ..., 0 */
    {
        double P = P0, Q = Q0, A = A0, B = B0, TA = TA0, TB = TB0;
        double aA = aA0, aB = aB0;
        for (double j = k0 - 1.0; j >= 0.0; j -= 1.0) {
            /* T(a - 1) = T(a) a / (x (a + b - 1)) */
            TA *= aA / (x * (aA + b - 1.0));
            TB *= aB / (x * (aB + b - 1.0));
            aA -= 1.0;
            aB -= 1.0;
            if (lower) {
                A = fmin(A + TA, 1.0);
                B = fmin(B + TB, 1.0);
            } else {
                A = fmax(A - TA, 0.0);
                B = fmax(B - TB, 0.0);
            }
            P *= (j + 1.0) / lam;
            Q *= (j + 1.5) / lam;
            ksum_add(&sum, P * A + Q * B);
            /* Terms i <= j - 1: P_i, |Q_i| fall at least geometrically
             * (ratios <= j / lambda, (j + 1/2) / lambda < 1); I_x <= 1
             * (lower tail), the complement falls as a decreases. */
            if (j + 0.5 < lam) {
                double rp = j / lam, rq = (j + 0.5) / lam;
                double tp = P * rp / (1.0 - rp);
                double tq = fabs(Q) * rq / (1.0 - rq);
                double bound = lower ? tp + tq : A * tp + B * tq;
                double est = base + 0.5 * ksum_get(&sum);
                if (0.5 * bound <= fmax(1e-17 * fabs(est), NCT_ABS_FLOOR))
                    break;
            }
            if (++iter > NCT_SERIES_MAX_ITER)
                return KAP_ENOCONV;
        }
    }
    double v = base + 0.5 * ksum_get(&sum);
    if (v < 0.0)
        v = 0.0;
    if (v > 1.0)
        v = 1.0;
    *p = v;
    return start_underflow ? KAP_ENUMERIC : KAP_OK;
}

/* ---- quadrature ----------------------------------------------------------*/

typedef struct {
    double c0, c1;   /* integrand Phi(c0 + c1 s) f_S(s) */
    double df, m;    /* df and df / 2 */
    double lconst;   /* log(2 sqrt(m / (2 pi))) - stirlerr(m) */
    double hshift;   /* log of the integrand at the mode */
} nct_quad;

/* 1 < df < 2: near s = 0 the integrand is s^(df - 1) times a smooth
 * function, a derivative singularity that gets worse as df -> 1 (s^0.1 at
 * df = 1.1: e^-50 below the peak only at s ~ 1e-200, and Gauss-Kronrod
 * panels [0, h] keep a fixed relative error however small h, so bisection
 * cannot reach the tolerance).  On the panel that starts at 0 the
 * quadrature runs in u = s^(df / 2) instead: s^(df - 1) ds =
 * (2 / df) u du, so the integrand becomes u times a series in u^(2 / df),
 * whose first non-smooth term, u^(1 + 2 / df), has a bounded second
 * derivative. */
#define NCT_SUBST_DF_MAX 2.0

static int quad_substituted(double df)
{
    return df > 1.0 && df < NCT_SUBST_DF_MAX;
}

/* log Phi(z), accurate in both tails. */
static double log_pnorm(double z)
{
    if (z >= 0.0)
        return log1p(-gsl_cdf_ugaussian_Q(z));
    gsl_sf_result r;
    if (gsl_sf_log_erfc_e(-z / M_SQRT2, &r) != GSL_SUCCESS)
        return NAN;
    return r.val - M_LN2;
}

/* log density of S = sqrt(chi2_df / df):
 * 2 sqrt(m / (2 pi)) exp(-stirlerr(m) - bd0(m, m s^2)) / s. */
static double log_fs(const nct_quad *q, double s)
{
    if (q->df == 1.0)
        return 0.5 * (M_LN2 - log(M_PI)) - 0.5 * s * s;
    return q->lconst - bd0(q->m, q->m * s * s) - log(s);
}

static double log_g(const nct_quad *q, double s)
{
    return log_pnorm(q->c0 + q->c1 * s) + log_fs(q, s);
}

/* d/ds log g(s); decreasing in s (log-concavity, df >= 1). */
static double dlog_g(const nct_quad *q, double s)
{
    double z = q->c0 + q->c1 * s;
    /* phi(z) / Phi(z); for z < -1e5 its asymptotic form -z / (1 - 1/z^2)
     * (relative error 2/z^4), which also avoids overflowing z^2. */
    double mills = z < -1e5 ? -z / (1.0 - 1.0 / (z * z))
                            : exp(-0.5 * z * z - LN_SQRT_2PI - log_pnorm(z));
    return q->c1 * mills + (q->df - 1.0) / s - q->df * s;
}

static double quad_integrand(double s, void *par)
{
    const nct_quad *q = par;
    if (!(s > 0.0))
        return 0.0;
    return exp(log_g(q, s) - q->hshift);
}

/* The integrand in u = s^(df / 2): g(s) ds/du, ds/du = (2 / df) s^(1 - df/2).
 * As u -> 0 it falls like u (and is 0 once s underflows). */
static double quad_integrand_u(double u, void *par)
{
    const nct_quad *q = par;
    if (!(u > 0.0))
        return 0.0;
    double s = pow(u, 2.0 / q->df);
    if (!(s > 0.0))
        return 0.0;
    return exp(log_g(q, s) + log(2.0 / q->df) + (1.0 - q->m) * log(s) -
               q->hshift);
}

/* Adaptive: GSL's non-adaptive Gauss-Kronrod-Patterson rule (no
 * workspace), bisecting panels that miss the tolerance. */
static int quad_panel(const gsl_function *F, double a, double b, double epsabs,
                      double epsrel, int depth, long *budget, double *res,
                      double *err)
{
    double r = 0.0, e = 0.0;
    size_t neval = 0;
    if (--(*budget) < 0)
        return KAP_ENOCONV;
    int st = gsl_integration_qng(F, a, b, epsabs, epsrel, &r, &e, &neval);
    if (st == GSL_SUCCESS) {
        *res += r;
        *err += e;
        return KAP_OK;
    }
    if (depth >= 60)
        return KAP_ENOCONV;
    double mid = 0.5 * (a + b);
    int rc = quad_panel(F, a, mid, 0.5 * epsabs, epsrel, depth + 1, budget,
                        res, err);
    if (rc == KAP_OK)
        rc = quad_panel(F, mid, b, 0.5 * epsabs, epsrel, depth + 1, budget,
                        res, err);
    return rc;
}

/* Find s with log g(s) = level between s_in (log g > level) and s_out
 * (log g <= level) by bisection; returns the outer end of the final
 * bracket so that the truncated region is on the safe side. */
static double quad_edge(const nct_quad *q, double s_in, double s_out,
                        double level)
{
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (s_in + s_out);
        if (mid == s_in || mid == s_out)
            break;
        if (log_g(q, mid) > level)
            s_in = mid;
        else
            s_out = mid;
        if (fabs(s_out - s_in) <= 1e-10 * fabs(s_out))
            break;
    }
    return s_out;
}

int kap_nct_cdf_quad(double t, double df, double ncp, int lower, double *p)
{
    if (!p)
        return KAP_EINVAL;
    *p = NAN;
    if (!isfinite(t) || !isfinite(ncp) || !(df >= 1.0) || !isfinite(df))
        return KAP_EINVAL;
    nct_quad q;
    q.c0 = lower ? -ncp : ncp;
    q.c1 = lower ? t : -t;
    q.df = df;
    q.m = 0.5 * df;
    q.lconst = M_LN2 + 0.5 * (log(q.m) - LN_2PI) - stirlerr(q.m);
    q.hshift = 0.0;
    if (!isfinite(q.lconst))
        return KAP_ENUMERIC;

    /* Mode: root of the decreasing derivative (or s -> 0 when df = 1 and
     * the derivative is negative from the start). */
    double lo = 1e-300, hi = 1.0, mode;
    if (df == 1.0 && dlog_g(&q, 1e-300) <= 0.0) {
        mode = 0.0;
    } else {
        int k = 0;
        while (dlog_g(&q, hi) > 0.0) {
            lo = hi;
            hi *= 2.0;
            if (++k > 1100)
                return KAP_ENOCONV;
        }
        for (int i = 0; i < 400; i++) {
            double mid = (hi > 4.0 * lo) ? sqrt(lo * hi) : 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
                break;
            double d = dlog_g(&q, mid);
            if (isnan(d))
                return KAP_ENUMERIC;
            if (d > 0.0)
                lo = mid;
            else
                hi = mid;
            if (hi - lo <= 4.0 * DBL_EPSILON * hi)
                break;
        }
        mode = 0.5 * (lo + hi);
    }
    double smode = mode > 0.0 ? mode : 1e-300;
    double hmax = log_g(&q, smode);
    if (!isfinite(hmax)) {
        if (hmax == -INFINITY) {
            *p = 0.0;
            return KAP_OK;
        }
        return KAP_ENUMERIC;
    }
    /* The integrand is below its peak e^hmax everywhere and lives on an
     * short interval (it is bounded by the density of S, whose tails are
     * Gaussian-like), so
     * a peak below e^-800 means a probability that underflows. */
    if (hmax < -800.0) {
        *p = 0.0;
        return KAP_OK;
    }
    q.hshift = hmax;
    /* Integrand below e^-50 of its peak is dropped; the log-concave tails
     * beyond the edges are bounded by g(edge) / |(log g)'(edge)|. */
    const double level = hmax - 50.0;
    double step = fmax(1e-3 * smode, 1e-300);
    double s_in = smode, s_hi = smode + step;
    int k = 0;
    while (log_g(&q, s_hi) > level) {
        s_in = s_hi;
        step *= 2.0;
        s_hi = smode + step;
        if (++k > 2100)
            return KAP_ENOCONV;
    }
    s_hi = quad_edge(&q, s_in, s_hi, level);
    double s_lo = 0.0;
    /* With the substitution the panel from 0 is integrated in full. */
    if (mode > 0.0 && !quad_substituted(df)) {
        step = 1e-3 * smode;
        s_in = smode;
        double s_try = smode - step;
        k = 0;
        while (s_try > 0.0 && log_g(&q, s_try) > level) {
            s_in = s_try;
            step *= 2.0;
            s_try = smode - step;
            if (++k > 2100)
                return KAP_ENOCONV;
        }
        if (s_try > 0.0)
            s_lo = quad_edge(&q, s_in, s_try, level);
    }
    double tail = 0.0;
    {
        double d = dlog_g(&q, s_hi);
        tail += exp(log_g(&q, s_hi) - hmax) / fabs(d);
        if (s_lo > 0.0) {
            d = dlog_g(&q, s_lo);
            tail += exp(log_g(&q, s_lo) - hmax) / fabs(d);
        }
    }

    /* Panels split at the mode and where Phi(z), z = c0 + c1 s, crosses
     * z = -8, 0, 8: for large |t| its transition is narrow next to the
     * other panels and a Gauss-Kronrod rule spanning it can report
     * convergence without having resolved it. */
    double brk[6];
    int nb = 0;
    brk[nb++] = s_lo;
    {
        double cand[4];
        int nc = 0;
        cand[nc++] = mode;
        if (q.c1 != 0.0)
            for (int z = -8; z <= 8; z += 8)
                cand[nc++] = (z - q.c0) / q.c1;
        /* insertion sort of the (at most 4) candidates */
        for (int i = 1; i < nc; i++)
            for (int j = i; j > 0 && cand[j] < cand[j - 1]; j--) {
                double tmp = cand[j];
                cand[j] = cand[j - 1];
                cand[j - 1] = tmp;
            }
        for (int i = 0; i < nc; i++)
            if (cand[i] > brk[nb - 1] && cand[i] < s_hi)
                brk[nb++] = cand[i];
    }
    brk[nb++] = s_hi;

    gsl_function F, Fu;
    F.function = quad_integrand;
    F.params = &q;
    Fu.function = quad_integrand_u;
    Fu.params = &q;
    /* Panel i runs over [pa[i], pb[i]] in s, or in u = s^(df / 2) (see
     * quad_substituted) for the first panel when it starts at 0. */
    double pa[5], pb[5];
    const gsl_function *pf[5];
    for (int i = 0; i + 1 < nb; i++) {
        pa[i] = brk[i];
        pb[i] = brk[i + 1];
        pf[i] = &F;
    }
    if (brk[0] == 0.0 && quad_substituted(df)) {
        pb[0] = pow(brk[1], q.m);
        pf[0] = &Fu;
    }
    /* Pass 1 (coarse) sizes the integral; pass 2 asks each panel for 1e-13
     * relative or 1e-14 of the whole (QUADPACK's rounding floor is
     * 50 eps = 1.1e-14 of a panel, so tighter requests cannot succeed). */
    double total = 0.0, err = 0.0;
    long budget = 20000;
    for (int i = 0; i + 1 < nb; i++) {
        int rc = quad_panel(pf[i], pa[i], pb[i],
                            1e-6 * (pb[i] - pa[i]), 1e-6, 0, &budget,
                            &total, &err);
        if (rc != KAP_OK)
            return rc;
    }
    if (!(total > 0.0))
        return KAP_ENUMERIC;
    double coarse = total;
    total = 0.0;
    err = 0.0;
    budget = 20000;
    for (int i = 0; i + 1 < nb; i++) {
        int rc = quad_panel(pf[i], pa[i], pb[i],
                            1e-14 * coarse / (nb - 1), 1e-13, 0, &budget,
                            &total, &err);
        if (rc != KAP_OK)
            return rc;
    }
    if (tail > 1e-12 * total || err > 1e-12 * total)
        return KAP_ENOCONV;
    double v = exp(hmax) * total;
    if (v > 1.0)
        v = 1.0;
    *p = v;
    return KAP_OK;
}

/* ---- dispatcher ----------------------------------------------------------*/

int kap_nct_cdf(double t, double df, double ncp, int lower, double *p)
{
    if (!p)
        return KAP_EINVAL;
    *p = NAN;
    if (isnan(t) || isnan(df) || isnan(ncp) || !(df > 0.0) || !isfinite(ncp))
        return KAP_EINVAL;
    if (isinf(t)) {
        *p = ((t > 0.0) == (lower != 0)) ? 1.0 : 0.0;
        return KAP_OK;
    }
    if (isinf(df)) {
        *p = lower ? gsl_cdf_ugaussian_P(t - ncp) : gsl_cdf_ugaussian_Q(t - ncp);
        return KAP_OK;
    }
    /* Supported range (beyond it neither t^2 + df nor the mixing density
     * of S can be handled in double precision by these methods). */
    if (fabs(t) > NCT_T_MAX || df > NCT_DF_MAX || fabs(ncp) > NCT_NCP_MAX)
        return KAP_ENUMERIC;
    if (t == 0.0) {
        *p = lower ? gsl_cdf_ugaussian_P(-ncp) : gsl_cdf_ugaussian_Q(-ncp);
        return KAP_OK;
    }
    /* P(T <= t | ncp) = P(T > -t | -ncp): work with t > 0. */
    if (t < 0.0) {
        t = -t;
        ncp = -ncp;
        lower = !lower;
    }
    double lam = 0.5 * ncp * ncp;
    if (lam > NCT_LAMBDA_MAX) {
        if (df >= 1.0)
            return kap_nct_cdf_quad(t, df, ncp, lower, p);
        return KAP_ENUMERIC;
    }
    /* Upper tail with ncp < 0: the series cancels (absolute error up to
     * ~1e-12 for large df), so the quadrature is used. */
    if (!lower && ncp < 0.0 && df >= 1.0)
        return kap_nct_cdf_quad(t, df, ncp, lower, p);
    int rc = nct_series(t, df, ncp, lower, df >= 1.0, p);
    if (df >= 1.0) {
        if (rc != KAP_OK)
            return kap_nct_cdf_quad(t, df, ncp, lower, p);
    } else if (rc == KAP_ENUMERIC) {
        /* df < 1: no log-concave quadrature; the series value is accurate
         * to ~1e-290 absolute, which is all that can be promised here. */
        rc = KAP_OK;
    }
    return rc;
}

/* ---- inversion for ncp ---------------------------------------------------*/

/* g(ncp) = tail(ncp) - target (upper tail, increasing in ncp) or
 * target - tail(ncp) (lower tail, decreasing in ncp): g is increasing. */
typedef struct {
    double t, df, target;
    int upper;
} ncp_eq;

static int ncp_g(const ncp_eq *e, double ncp, double *g)
{
    double p;
    int rc = kap_nct_cdf(e->t, e->df, ncp, !e->upper, &p);
    if (rc != KAP_OK)
        return rc;
    *g = e->upper ? p - e->target : e->target - p;
    return KAP_OK;
}

/* Brent (1973) zeroin on [a, b] with g(a) < 0 < g(b). */
static int brent(const ncp_eq *e, double a, double b, double fa, double fb,
                 double *root)
{
    double c = a, fc = fa, d = b - a, ee = d;
    for (int it = 0; it < 400; it++) {
        if ((fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0)) {
            c = a;
            fc = fa;
            d = ee = b - a;
        }
        if (fabs(fc) < fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        double tol1 = 2.0 * DBL_EPSILON * fabs(b) + 1e-300;
        double xm = 0.5 * (c - b);
        if (fabs(xm) <= tol1 || fb == 0.0) {
            *root = b;
            return KAP_OK;
        }
        if (fabs(ee) >= tol1 && fabs(fa) > fabs(fb)) {
            double s = fb / fa, p, q;
            if (a == c) {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                double qq = fa / fc, r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if (p > 0.0)
                q = -q;
            else
                p = -p;
            if (2.0 * p < fmin(3.0 * xm * q - fabs(tol1 * q), fabs(ee * q))) {
                ee = d;
                d = p / q;
            } else {
                d = xm;
                ee = d;
            }
        } else {
            d = xm;
            ee = d;
        }
        a = b;
        fa = fb;
        b += (fabs(d) > tol1) ? d : (xm > 0.0 ? tol1 : -tol1);
        int rc = ncp_g(e, b, &fb);
        if (rc != KAP_OK)
            return rc;
    }
    return KAP_ENOCONV;
}

/* Solve tail(t, df, ncp) = target, tail = upper (P(T > t)) or lower. */
static int solve_tail(double t, double df, double target, int upper,
                      double *ncp)
{
    ncp_eq e = {t, df, target, upper};
    /* Normal-theory guess: t is roughly ncp + z sqrt(1 + ncp^2 / (2 df)). */
    double z = upper ? gsl_cdf_ugaussian_Qinv(target)
                     : gsl_cdf_ugaussian_Pinv(target);
    double sd = isinf(df) ? 1.0 : sqrt(1.0 + t * t / (2.0 * df));
    if (!isfinite(sd))
        sd = fabs(t);
    double guess = t - z * sd;
    double step = fmax(sd, 1e-3 * fabs(guess));
    double a = guess - step, b = guess + step, fa, fb;
    int rc = ncp_g(&e, a, &fa);
    if (rc != KAP_OK)
        return rc;
    for (int k = 0; fa > 0.0; k++) {
        if (k > 2000 || !isfinite(a))
            return KAP_ENOCONV;
        b = a;
        step *= 2.0;
        a -= step;
        if ((rc = ncp_g(&e, a, &fa)) != KAP_OK)
            return rc;
    }
    if ((rc = ncp_g(&e, b, &fb)) != KAP_OK)
        return rc;
    for (int k = 0; fb < 0.0; k++) {
        if (k > 2000 || !isfinite(b))
            return KAP_ENOCONV;
        a = b;
        fa = fb;
        step *= 2.0;
        b += step;
        if ((rc = ncp_g(&e, b, &fb)) != KAP_OK)
            return rc;
    }
    if (fa == 0.0) {
        *ncp = a;
        return KAP_OK;
    }
    if (fb == 0.0) {
        *ncp = b;
        return KAP_OK;
    }
    return brent(&e, a, b, fa, fb, ncp);
}

int kap_nct_solve_ncp(double t, double df, double p_lower, double *ncp)
{
    if (!ncp)
        return KAP_EINVAL;
    *ncp = NAN;
    if (!isfinite(t) || !(df > 0.0) || !(p_lower > 0.0 && p_lower < 1.0))
        return KAP_EINVAL;
    if (p_lower > 0.5)
        return solve_tail(t, df, 1.0 - p_lower, 1, ncp);
    return solve_tail(t, df, p_lower, 0, ncp);
}

int kap_nct_ncp_limits(double t, double df, double alpha_lo, double alpha_hi,
                       double *lo, double *hi)
{
    if (!lo || !hi)
        return KAP_EINVAL;
    *lo = NAN;
    *hi = NAN;
    if (!isfinite(t) || !(df > 0.0) || !(alpha_lo >= 0.0 && alpha_lo < 1.0) ||
        !(alpha_hi >= 0.0 && alpha_hi < 1.0))
        return KAP_EINVAL;
    double l = -INFINITY, h = INFINITY;
    int rc = KAP_OK;
    if (t == 0.0) {
        /* P(T <= 0 | ncp) = Phi(-ncp) for every df: closed form, and
         * symmetric when the two alphas are equal. */
        if (alpha_lo > 0.0)
            l = gsl_cdf_ugaussian_Pinv(alpha_lo);
        if (alpha_hi > 0.0)
            h = -gsl_cdf_ugaussian_Pinv(alpha_hi);
    } else if (t > 0.0) {
        if (alpha_lo > 0.0)
            rc = solve_tail(t, df, alpha_lo, 1, &l);
        if (rc == KAP_OK && alpha_hi > 0.0)
            rc = solve_tail(t, df, alpha_hi, 0, &h);
    } else {
        /* P(T <= t | ncp) = P(T <= -t | -ncp) mirrored: solve for -t and
         * reflect, so that results are exactly antisymmetric in t. */
        double l2 = -INFINITY, h2 = INFINITY;
        if (alpha_lo > 0.0)
            rc = solve_tail(-t, df, alpha_lo, 0, &h2);
        if (rc == KAP_OK && alpha_hi > 0.0)
            rc = solve_tail(-t, df, alpha_hi, 1, &l2);
        l = -h2;
        h = -l2;
    }
    if (rc != KAP_OK)
        return rc;
    *lo = l;
    *hi = h;
    return KAP_OK;
}
