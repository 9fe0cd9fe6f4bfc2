# Reference values for the small-df checks in tests/test_noncentral_t.c and
# tests/test_effect_size.c.  R 4.2, effectsize 0.8.3.
#
# Noncentrality limits at small, non-integer df (0.5 .. 5, which the Welch
# df of two groups of two values reaches), with t from -3 to 3 including 0
# and tiny values, confidence levels 0.8, 0.9, 0.95, 0.99, two- and
# one-sided:
#  - "ncpsd|t|df|alo|ahi|lo/hi": lo solves P(T > t | ncp) = alo, hi solves
#    P(T <= t | ncp) = ahi (an alpha of 0 gives an infinite limit, not
#    written), by uniroot() at tol 1e-14 on R's pt().  pt() is exact-series
#    here (|ncp| < 37.62, df < 4e5) with absolute error ~1e-12 (errmax), so
#    with tail probabilities >= 0.005 the limits are good to ~1e-10.
#    Each root is checked against an independent integration,
#    E_V[Phi(+-(t sqrt(V / df) - ncp))] over V ~ chi-square(df)
#    (integrate(), QUADPACK QAGS, which copes with the V^(df/2 - 1)
#    endpoint singularity), and, for df >= 1, against nct_ref() from
#    nct_ref.R (conditioning on Z): the script stops if either disagrees.
#  - "es_<tag>_est|lo|hi|t|df": Cohen's d and Hedges' g with
#    pooled_sd = FALSE on two values per group (Welch df ~ 1.1), by hand as
#    in effect_size.R (es_hand) with the exact limits above, and
#    "es_<tag>_es_lo|hi" from effectsize 0.8.3 itself.  For the case whose
#    t is ~0 (x = {3.2, 1.1}, y = {2.0, 2.5}, mu = -0.1) effectsize's
#    optim() starts at 1.1 t ~ 4e-16 with a simplex of the same size and
#    returns the degenerate CI [3.7e-16, 3.7e-16]: effectsize is not a
#    reference there, the exact inversion is (the CI is +-qnorm(0.975)
#    sqrt(hn) to first order in t).
# Parameters inside names are printed with %.17g so that the C tests parse
# the very same doubles.
# Run: cd tests/reference && Rscript --vanilla noncentral_t_smalldf.R
suppressPackageStartupMessages(library(effectsize))
stopifnot(packageVersion("effectsize") == "0.8.3")
source("nct_ref.R")
out <- character()
g17 <- function(v) sprintf("%.17g", v)
put <- function(name, v) out <<- c(out, sprintf("%s %s", name,
  ifelse(is.na(v), "NA", g17(v))))

# Independent CDF for any df > 0: integrate over V ~ chi-square(df).
nct_int <- function(t, df, ncp, lower) {
  f <- function(v) pnorm(t * sqrt(v / df) - ncp, lower.tail = lower) *
    dchisq(v, df)
  # split at the mean so that QAGS sees the singular end and the tail apart
  a <- integrate(f, 0, df, rel.tol = 1e-12, abs.tol = 0,
                 subdivisions = 2000L)$value
  b <- integrate(f, df, Inf, rel.tol = 1e-12, abs.tol = 0,
                 subdivisions = 2000L)$value
  a + b
}

# Exact limits on pt(): lo with P(T > t) = alo, hi with P(T <= t) = ahi.
# (While bracketing, pt() warns "full precision may not have been achieved
# in 'pnt{final}'" where its lower tail is within 1e-10 of 1; the roots
# themselves are checked against two independent integrations below.)
pt <- function(...) suppressWarnings(stats::pt(...))
pt_limits <- function(t, df, alo, ahi) {
  bracket <- function(f) {
    a <- t - 10; b <- t + 10
    while (f(a) > 0) a <- a - 2 * (b - a)
    while (f(b) < 0) b <- b + 2 * (b - a)
    c(a, b)
  }
  lo <- -Inf; hi <- Inf
  if (alo > 0) {
    f <- function(ncp) pt(t, df, ncp, lower.tail = FALSE) - alo
    lo <- uniroot(f, bracket(f), tol = 1e-14)$root
  }
  if (ahi > 0) {
    f <- function(ncp) ahi - pt(t, df, ncp, lower.tail = TRUE)
    hi <- uniroot(f, bracket(f), tol = 1e-14)$root
  }
  c(lo, hi)
}

worst_int <- 0
worst_ref <- 0
check_root <- function(t, df, ncp, target, lower) {
  v <- nct_int(t, df, ncp, lower)
  worst_int <<- max(worst_int, abs(v - target) / target)
  if (df >= 1 && t != 0) {
    r <- nct_ref(t, df, ncp, lower)
    worst_ref <<- max(worst_ref, abs(r - target) / target)
  }
}

dfs <- c(0.5, 0.73, 0.99, 1.01, 1.1130154890162272, 1.37, 1.62, 1.99,
         2.5, 3.7, 4.99)
ts <- c(-3, -1.7, -0.4, -1e-8, -3.3429557510828061e-16, 0,
        3.3429557510828061e-16, 1e-12, 1e-6, 0.05, 0.6, 1.4, 2.2, 3)
levels <- c(0.8, 0.9, 0.95, 0.99)
for (df in dfs) for (t in ts) for (cl in levels) {
  a <- 1 - cl
  for (al in list(c(a / 2, a / 2), c(a, 0), c(0, a))) {
    r <- pt_limits(t, df, al[1], al[2])
    key <- paste("ncpsd", g17(t), g17(df), g17(al[1]), g17(al[2]), sep = "|")
    if (al[1] > 0) {
      check_root(t, df, r[1], al[1], FALSE)
      put(paste0(key, "|lo"), r[1])
    }
    if (al[2] > 0) {
      check_root(t, df, r[2], al[2], TRUE)
      put(paste0(key, "|hi"), r[2])
    }
  }
}
message(sprintf("max rel. error of the tail at the roots: integrate %.3g, nct_ref %.3g",
                worst_int, worst_ref))
stopifnot(worst_int < 1e-9, worst_ref < 1e-9)

# Cohen's d / Hedges' g, pooled_sd = FALSE, as es_hand in effect_size.R.
J <- function(df) exp(lgamma(0.5) - lbeta((df - 1) / 2, 0.5) - 0.5 * log(df / 2))
es_unpooled <- function(tag, x, y, type, mu, ci = 0.95, alt = "two.sided") {
  n1 <- length(x); n2 <- length(y); num <- mean(x) - mean(y) - mu
  v1 <- var(x); v2 <- var(y)
  s <- sqrt((v1 + v2) / 2); se1 <- sqrt(v1 / n1); se2 <- sqrt(v2 / n2)
  se <- sqrt(se1^2 + se2^2); df <- se^4 / (se1^4 / (n1 - 1) + se2^4 / (n2 - 1))
  hn <- 2 * (n2 * v1 + n1 * v2) / (n1 * n2 * (v1 + v2))
  t <- num / se
  a <- switch(alt, two.sided = c(1 - ci, 1 - ci) / 2, less = c(0, 1 - ci),
              greater = c(1 - ci, 0))
  lim <- pt_limits(t, df, a[1], a[2]) * sqrt(hn)
  f <- if (type == "g") J(df) else 1
  put(paste0("es_", tag, "_est"), f * num / s)
  put(paste0("es_", tag, "_lo"), f * lim[1]); put(paste0("es_", tag, "_hi"), f * lim[2])
  put(paste0("es_", tag, "_t"), t); put(paste0("es_", tag, "_df"), df)
  fn <- if (type == "g") hedges_g else cohens_d
  r <- suppressWarnings(fn(x, y, pooled_sd = FALSE, mu = mu, ci = ci,
                           alternative = alt, verbose = FALSE))
  put(paste0("es_", tag, "_es_lo"), r$CI_low); put(paste0("es_", tag, "_es_hi"), r$CI_high)
}
R_x <- c(3.2, 1.1)
R_y <- c(2.0, 2.5)
for (type in c("d", "g")) {
  es_unpooled(paste0("R_", type), R_x, R_y, type, mu = -0.1)
  es_unpooled(paste0("R_", type, "_mu0"), R_x, R_y, type, mu = 0)
  es_unpooled(paste0("R_", type, "_mu1"), R_x, R_y, type, mu = -1.5, ci = 0.9)
  es_unpooled(paste0("R_", type, "_less"), R_x, R_y, type, mu = -0.1,
              ci = 0.99, alt = "less")
}
writeLines(out, "noncentral_t_smalldf.out")
