/*
 * libkapstats/noncentral_t_internal.h - the noncentral t distribution and
 * its confidence interval for the noncentrality parameter (internal; other
 * modules may use it, nothing here is exported).
 *
 * GSL has no noncentral t CDF, and its incomplete beta function takes only
 * x (it forms 1 - x itself, losing relative accuracy for x near 1, and its
 * continued fraction is capped at 512 terms), so this module carries its own
 * regularized incomplete beta with both x and 1 - x as arguments.
 *
 * All functions are pure (no global state), never print, and return
 * KAP_OK, KAP_EINVAL (bad argument), KAP_ENOCONV (an iteration cap was hit)
 * or KAP_ENUMERIC (the requested regime is outside what the methods below
 * can guarantee).
 */
#ifndef KAPSTATS_NONCENTRAL_T_INTERNAL_H
#define KAPSTATS_NONCENTRAL_T_INTERNAL_H

#include "internal.h"

/* Loader's (2000) Stirling-series remainder
 * stirlerr(z) = log Gamma(z + 1) - (z + 1/2) log z + z - log sqrt(2 pi),
 * z > 0, accurate to ~1e-16 absolute (series for z > 15). */
KAP_INTERNAL double kap_stirlerr(double z);

/* Regularized incomplete beta I_x(a, b) and its complement 1 - I_x(a, b)
 * = I_y(b, a), each to full relative accuracy.  x and y = 1 - x are passed
 * separately so that the caller can compute the smaller one without
 * cancellation (x + y must equal 1 to rounding).  a, b > 0, 0 <= x <= 1.
 * Method: continued fraction (modified Lentz) on the side where it
 * converges fast, prefactor x^a y^b / (a B(a, b)) from Loader's (2000)
 * saddle-point form (stirlerr, bd0).  Either out-pointer may be NULL. */
KAP_INTERNAL int kap_nct_ibeta(double a, double b, double x, double y,
                               double *lower, double *upper);

/* Noncentral t distribution function with df > 0 (df = +Inf allowed: the
 * normal limit) and noncentrality ncp.  lower != 0: P(T <= t); else
 * P(T > t).  Default method: the Poisson-mixture series of incomplete beta
 * functions (Lenth 1989, AS 243; Benton & Krishnamoorthy 2003) summed from
 * the mode of the Poisson weights outwards, with rigorous truncation bounds.
 * Relative accuracy ~1e-13 when the requested tail is a sum of positive
 * terms; in the tail where the series cancels (t > 0, ncp < 0, upper tail,
 * and its mirror image) and for ncp^2/2 > 1e8 the function switches to
 * adaptive quadrature of P = E[Phi(+-(t S - ncp))], S = sqrt(chi2_df/df),
 * whose integrand is log-concave for df >= 1; the quadrature also takes
 * over when the series' starting terms underflow.  Results below DBL_MIN
 * underflow to 0.  Verified against R (tests/test_noncentral_t.c) to
 * ~1e-11 relative over df 1..1e6, |ncp| <= 300, both tails, and through
 * the ncp limits (~1e-10) over df 0.5..5, |t| <= 3.
 * Supported range: |t| <= 1e150, 0 < df <= 1e10 (or +Inf), |ncp| <= 1e10;
 * outside it KAP_ENUMERIC.  For df < 1 there is no quadrature fallback:
 * lambda > 1e8 gives KAP_ENUMERIC and far tails are accurate only to
 * ~1e-290 absolute. */
KAP_INTERNAL int kap_nct_cdf(double t, double df, double ncp, int lower,
                             double *p);

/* The same probability by quadrature only (see kap_nct_cdf); df >= 1.
 * Exposed for cross-checking the series in tests. */
KAP_INTERNAL int kap_nct_cdf_quad(double t, double df, double ncp, int lower,
                                  double *p);

/* Find the noncentrality ncp with P(T <= t | df, ncp) = p_lower, for
 * 0 < p_lower < 1 (P is strictly decreasing in ncp, so the root is unique).
 * The tail that is accurate for the target is used (upper tail when
 * p_lower > 1/2).  Bracket expansion from a normal-theory guess, then
 * Brent's method (Brent 1973, zeroin) to ~1e-13 relative; iteration caps
 * give KAP_ENOCONV. */
KAP_INTERNAL int kap_nct_solve_ncp(double t, double df, double p_lower,
                                   double *ncp);

/* Confidence limits for the noncentrality parameter given an observed t:
 * lo solves P(T <= t | ncp) = 1 - alpha_lo, hi solves P(T <= t | ncp) =
 * alpha_hi.  Two-sided level c: alpha_lo = alpha_hi = (1 - c) / 2 (as
 * effectsize::.get_ncp_t).  Either limit is skipped (and set to -Inf or
 * +Inf) when its alpha is 0. */
KAP_INTERNAL int kap_nct_ncp_limits(double t, double df, double alpha_lo,
                                    double alpha_hi, double *lo, double *hi);

#endif
