# Shared by noncentral_t.R and effect_size.R (source()d, produces no output).
#
# nct_ref(t, df, ncp, lower): an accurate noncentral t distribution function
# that is independent of R's pt() (whose series has absolute error ~1e-12 and
# which for |ncp| > 37.62 or df > 4e5 switches to the normal approximation
# of Abramowitz & Stegun 26.7.10), and of libkapstats' own algorithms (which
# use the Poisson-beta series and a quadrature over S = sqrt(chi2/df)).
# Here T = (Z + ncp)/S is conditioned on Z instead: for t > 0, with
# u = Z + ncp,
#   P(T <= t) = pnorm(-ncp) + int_0^Inf dnorm(u - ncp) P(chi2_df > df u^2/t^2) du
#   P(T >  t) =               int_0^Inf dnorm(u - ncp) P(chi2_df <= df u^2/t^2) du
# (t < 0 by symmetry, t = 0 closed form).  Both integrands are log-concave
# (df >= 1), so the mass sits around one mode: it is located with
# a grid search and optimize(), the range is cut where the log integrand
# has dropped by 60, and integrate() (QUADPACK) runs at rel.tol 1e-13 on 64
# pieces plus extra ones across the transition of the chi-square factor.
nct_ref <- function(t, df, ncp, lower = TRUE) {
  if (t == 0) return(pnorm(-ncp, lower.tail = lower))
  if (t < 0) return(nct_ref(-t, df, -ncp, !lower))
  h <- function(u) dnorm(u - ncp, log = TRUE) +
    pchisq(df * (u / t)^2, df, lower.tail = !lower, log.p = TRUE)
  # unimodal in v = log(u): coarse grid, then optimize() next to the best
  # grid point (the grid keeps optimize() off the -Inf plateaus)
  hv <- function(v) { r <- h(exp(v)); if (is.finite(r)) r else -Inf }
  top <- log(max(abs(ncp), 1) + 60 + 60 * t)
  grid <- seq(-700, top, length.out = 4001)
  hg <- vapply(grid, hv, 0)
  k <- which.max(hg)
  if (!is.finite(hg[k])) return(if (lower) pnorm(-ncp) else 0)
  o <- optimize(hv, grid[c(max(k - 1, 1), min(k + 1, length(grid)))],
                maximum = TRUE, tol = 1e-12)
  vm <- o$maximum; hm <- max(o$objective, hg[k])
  if (hm < -745 - 60) return(if (lower) pnorm(-ncp) else 0)
  level <- hm - 60
  below <- which(hg <= level)
  left <- below[below < k]; right <- below[below > k]
  g <- function(v) hv(v) - level
  vlo <- if (length(left)) uniroot(g, c(grid[max(left)], vm), tol = 1e-12)$root else grid[1]
  vhi <- if (length(right)) uniroot(g, c(vm, grid[min(right)]), tol = 1e-12)$root else top
  ulo <- exp(vlo); uhi <- exp(vhi)
  # pieces: 64 equal ones plus the mode and the S = 1 point u = t
  # and extra ones across the chi-square factor's transition around u = t,
  # whose width t / sqrt(2 df) is tiny for large df
  w <- t / sqrt(2 * df)
  tb <- t + w * seq(-12, 12, by = 0.5)
  brk <- sort(unique(c(seq(ulo, uhi, length.out = 65), exp(vm),
    tb[tb > ulo & tb < uhi])))
  f <- function(u) exp(h(u) - hm)
  # a piece whose error QUADPACK cannot certify is split in 8 and retried
  piece <- function(a, b, depth) {
    r <- integrate(f, a, b, rel.tol = 1e-13, abs.tol = 0,
                   subdivisions = 5000L, stop.on.error = FALSE)
    if (r$message == "OK") return(r$value)
    if (depth >= 3) stop("nct_ref: ", r$message, " at t=", t, " df=", df,
                         " ncp=", ncp)
    x <- seq(a, b, length.out = 9)
    sum(vapply(1:8, function(i) piece(x[i], x[i + 1], depth + 1), 0))
  }
  s <- 0
  for (i in seq_len(length(brk) - 1)) s <- s + piece(brk[i], brk[i + 1], 0)
  val <- s * exp(hm)
  if (lower) val <- val + pnorm(-ncp)
  val
}

# Is R's pt() accurate to ~1e-9 relative here?  Its exact series branch
# (|ncp| <= 37.62, df <= 4e5) has an absolute error of ~1e-12 (errmax), so
# a tail value >= 1e-3 is needed; for df beyond ~1e4 the error grows (at
# df = 4e5 it reaches ~2e-10 absolute), so df <= 1e4.
pt_accurate <- function(df, ncp, value) abs(ncp) <= 37.62 & df <= 1e4 & value >= 1e-3

# Accurate CDF: pt where it is accurate, nct_ref elsewhere.
nct_cdf <- function(t, df, ncp, lower = TRUE) {
  p <- pt(t, df, ncp, lower.tail = lower)
  if (pt_accurate(df, ncp, p)) p else nct_ref(t, df, ncp, lower)
}

# Noncentrality limits: lo solves P(T > t | ncp) = alpha_lo, hi solves
# P(T <= t | ncp) = alpha_hi (alpha 0 -> infinite limit); uniroot at
# tol 1e-13 on the accurate CDF.  The same equations as
# effectsize:::.get_ncp_t, solved to full precision.
ncp_limits <- function(t, df, alpha_lo, alpha_hi) {
  sd <- sqrt(1 + t^2 / (2 * df))
  bracket <- function(f) {
    a <- t - 10 * sd - 10; b <- t + 10 * sd + 10
    while (f(a) > 0) a <- a - 10 * (b - a)
    while (f(b) < 0) b <- b + 10 * (b - a)
    c(a, b)
  }
  lo <- -Inf; hi <- Inf
  if (alpha_lo > 0) {
    f <- function(ncp) nct_cdf(t, df, ncp, FALSE) - alpha_lo
    lo <- uniroot(f, bracket(f), tol = 1e-13 * max(1, abs(t)))$root
  }
  if (alpha_hi > 0) {
    f <- function(ncp) alpha_hi - nct_cdf(t, df, ncp, TRUE)
    hi <- uniroot(f, bracket(f), tol = 1e-13 * max(1, abs(t)))$root
  }
  c(lo, hi)
}
