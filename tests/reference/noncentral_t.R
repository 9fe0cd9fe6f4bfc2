# Reference values for tests/test_noncentral_t.c (libkapstats/noncentral_t.c,
# internal).  R 4.2.
#  - "nct|t|df|ncp|L" (lower tail) / "...|U" (upper): nct_ref() from
#    nct_ref.R (conditioning on Z, QUADPACK), on a grid with df from 1 to
#    1e6, ncp up to +-300 and t in both tails.  NA where the value is below
#    1e-300.
#  - "pt|t|df|ncp|L/U": R's pt() itself, only where it is accurate
#    (pt_accurate(): exact-series branch and value >= 1e-3).
#  - "ibeta|a|b|x|L/U": pbeta(x, a, b) and its complement.
#  - "ncplim|t|df|alo|ahi|lo/hi": noncentrality limits by uniroot.
# Parameters inside names are printed with %.17g so that the C test parses
# the very same doubles.
# Run: cd tests/reference && Rscript --vanilla noncentral_t.R  (~3 min)
source("nct_ref.R")
out <- character()
g17 <- function(v) sprintf("%.17g", v)
put <- function(name, v) out <<- c(out, sprintf("%s %s", name,
  ifelse(is.na(v), "NA", g17(v))))

ts <- c(-300, -50, -5, -1, -0.1, 0.1, 0.5, 1, 2, 5, 20, 100, 316, 1000)
dfs <- c(1, 1.5, 2, 3, 7.3, 30, 998, 1e4, 4e5, 1e6)
ncps <- c(-300, -100, -37, -5, -1, -0.01, 0.3, 2, 10, 37, 150, 300)
worst_pt <- 0
worst_df2 <- 0
for (t in ts) for (df in dfs) for (ncp in ncps) for (lower in c(TRUE, FALSE)) {
  key <- paste(g17(t), g17(df), g17(ncp), if (lower) "L" else "U", sep = "|")
  v <- nct_ref(t, df, ncp, lower)
  put(paste0("nct|", key), if (v < 1e-300) NA else v)
  p <- suppressWarnings(pt(t, df, ncp, lower.tail = lower))
  if (pt_accurate(df, ncp, p)) {
    put(paste0("pt|", key), p)
    worst_pt <- max(worst_pt, abs(p - v) / v)
  }
  # df = 2 has a closed form for the lower tail at t > 0:
  # pnorm(-ncp) + t/sqrt(t^2+2) exp(-ncp^2/(t^2+2)) pnorm(ncp t/sqrt(t^2+2))
  if (df == 2 && lower && t > 0 && v > 1e-300) {
    a <- pnorm(-ncp) + t / sqrt(t^2 + 2) * exp(-ncp^2 / (t^2 + 2)) *
      pnorm(ncp * t / sqrt(t^2 + 2))
    worst_df2 <- max(worst_df2, abs(a - v) / a)
  }
}
# The two independent references must agree (sanity of nct_ref).
message(sprintf("max rel. difference nct_ref vs pt (accurate zone): %.3g", worst_pt))
message(sprintf("max rel. difference nct_ref vs df = 2 closed form: %.3g", worst_df2))
# (pt's own error in its accurate zone is up to ~7e-10)
stopifnot(worst_pt < 1e-9, worst_df2 < 1e-11)

# incomplete beta, including the large parameters the series meets
for (a in c(0.5, 1, 4.5, 100.5, 5000.5, 45000.5))
  for (b in c(0.5, 1, 2.5, 499, 5e4, 5e5))
    for (x in c(1e-6, 0.01, 0.3, 0.5, 0.9, 0.99, 0.999999)) {
      key <- paste(g17(a), g17(b), g17(x), sep = "|")
      lo <- pbeta(x, a, b); up <- pbeta(x, a, b, lower.tail = FALSE)
      put(paste0("ibeta|", key, "|L"), if (lo < 1e-300) NA else lo)
      put(paste0("ibeta|", key, "|U"), if (up < 1e-300) NA else up)
    }

# noncentrality limits: two-sided 95% and 90%, one-sided, t = 0, negative t,
# large |t|, tiny and huge df
lims <- list(c(2.5, 18, 0.025, 0.025), c(-1.3, 7, 0.025, 0.025),
             c(0.2, 3, 0.05, 0.05), c(10, 40, 0.025, 0.025),
             c(5, 1, 0.025, 0.025), c(0, 12, 0.025, 0.025),
             c(0, 12, 0.1, 0), c(3.1, 25, 0, 0.05), c(3.1, 25, 0.05, 0),
             c(316.2, 998, 0.025, 0.025), c(-316.2, 998, 0.025, 0.025),
             c(370.5, 998, 0.005, 0.005), c(30, 1e5, 0.025, 0.025),
             c(0.001, 1e6, 0.025, 0.025), c(2.1, 1e6, 0.025, 0.025),
             c(45, 2, 0.025, 0.025), c(1.7, 1.5, 0.025, 0.025))
for (l in lims) {
  r <- ncp_limits(l[1], l[2], l[3], l[4])
  key <- paste("ncplim", g17(l[1]), g17(l[2]), g17(l[3]), g17(l[4]), sep = "|")
  put(paste0(key, "|lo"), r[1]); put(paste0(key, "|hi"), r[2])
}
writeLines(out, "noncentral_t.out")
