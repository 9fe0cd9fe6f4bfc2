# Reference values for tests/test_rank.c (libkapstats rank module).
# Run: cd tests/reference && Rscript --vanilla rank.R   (writes rank.out)
# R 4.2 stats::wilcox.test / kruskal.test; effectsize 0.8.3
# rank_biserial / cliffs_delta / p_superiority(parametric = FALSE).
# Every data set is typed inline here AND in tests/test_rank.c (or built
# from the same closed formula in both).
suppressPackageStartupMessages(library(effectsize))
stopifnot(packageVersion("effectsize") == "0.8.3")
out <- character()
put <- function(name, v) {
  v <- as.numeric(v)
  stopifnot(length(v) == 1)
  out <<- c(out, paste(name, if (is.na(v) && !is.nan(v)) "NA" else sprintf("%.17g", v)))
}
# Hodges-Lehmann (uniroot) roots: R's default tol.root = 1e-4 only
# approximates the jump point of the step function; 1e-13 pins it down.
TOL <- 1e-13
putw <- function(prefix, h, ci = FALSE) {
  put(paste0(prefix, "_stat"), h$statistic)
  put(paste0(prefix, "_p"), h$p.value)
  if (ci) {
    put(paste0(prefix, "_est"), h$estimate)
    put(paste0(prefix, "_lo"), h$conf.int[1])
    put(paste0(prefix, "_hi"), h$conf.int[2])
    put(paste0(prefix, "_level"), attr(h$conf.int, "conf.level"))
  }
}
sw <- function(expr) suppressWarnings(expr)
# In the normal-approximation branch R's estimate is uniroot's zero of a
# step function: unique (= the Hodges-Lehmann median) when the number of
# pairwise differences / Walsh averages is odd or the two middle ones tie,
# otherwise any point between the two middle ones.  libkapstats returns
# the median; the test checks it and that R's value lies in [mid_lo, mid_hi].
puthl <- function(prefix, v) {
  v <- sort(v); n <- length(v)
  put(paste0(prefix, "_hl_median"), median(v))
  put(paste0(prefix, "_mid_lo"), v[floor((n + 1) / 2)])
  put(paste0(prefix, "_mid_hi"), v[floor(n / 2) + 1])
}
diffs2 <- function(x, y) as.vector(outer(x, y, "-"))
walsh <- function(d, mu = 0) { d <- d[d - mu != 0]; w <- outer(d, d, "+"); w[!lower.tri(w)] / 2 }

## ---- Mann-Whitney -----------------------------------------------------
# mw1: R's ?wilcox.test example (no ties): exact
mw1x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
mw1y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
putw("mw1_exact", wilcox.test(mw1x, mw1y, conf.int = TRUE), TRUE)
putw("mw1_exact_less", wilcox.test(mw1x, mw1y, alternative = "less", conf.int = TRUE), TRUE)
putw("mw1_exact_greater", wilcox.test(mw1x, mw1y, alternative = "greater", conf.int = TRUE), TRUE)
putw("mw1_exact_mu", wilcox.test(mw1x, mw1y, mu = 0.33, conf.int = TRUE, conf.level = 0.9), TRUE)
puthl("mw1", diffs2(mw1x, mw1y))
putw("mw1_cc", wilcox.test(mw1x, mw1y, exact = FALSE, conf.int = TRUE, tol.root = TOL), TRUE)
putw("mw1_nocc", wilcox.test(mw1x, mw1y, exact = FALSE, correct = FALSE, conf.int = TRUE, tol.root = TOL), TRUE)
putw("mw1_cc_less", wilcox.test(mw1x, mw1y, exact = FALSE, alternative = "less", conf.int = TRUE, tol.root = TOL), TRUE)
putw("mw1_cc_greater", wilcox.test(mw1x, mw1y, exact = FALSE, alternative = "greater", conf.int = TRUE, tol.root = TOL), TRUE)
# small exact case where the 95% level is not achievable (R warns)
putw("mw_small", sw(wilcox.test(c(1.5, 2.5), c(0.1, 0.7, 1.1), conf.int = TRUE)), TRUE)

# mw2: integer MADRS changes with ties -> normal approximation
mw2x <- c(-12, -8, -15, -3, -8, -20, -11, -5, -9, -14, -8, -2)
mw2y <- c(-4, -6, -1, -8, 0, -3, -7, -5, -2, -9, -3)
h <- sw(wilcox.test(mw2x, mw2y, conf.int = TRUE, tol.root = TOL))
putw("mw2_cc", h, TRUE)
puthl("mw2", diffs2(mw2x, mw2y))
putw("mw2_nocc", sw(wilcox.test(mw2x, mw2y, correct = FALSE, conf.int = TRUE, tol.root = TOL)), TRUE)
putw("mw2_cc_less", sw(wilcox.test(mw2x, mw2y, alternative = "less", conf.int = TRUE, tol.root = TOL)), TRUE)
putw("mw2_cc_greater", sw(wilcox.test(mw2x, mw2y, alternative = "greater", conf.level = 0.9, conf.int = TRUE, tol.root = TOL)), TRUE)

# mw3: n1 = 49, n2 = 48 (exact, just under R's limit), closed form data
mw3x <- sin(1:49) * 10 + 0.1 * (1:49)
mw3y <- cos(1:48) * 10 + 0.5
stopifnot(length(unique(c(mw3x, mw3y))) == 97)
putw("mw3_exact", wilcox.test(mw3x, mw3y, conf.int = TRUE), TRUE)
putw("mw3_exact_greater", wilcox.test(mw3x, mw3y, alternative = "greater"))
# mw3 with n1 = 50: normal approximation by default
mw3x50 <- sin(1:50) * 10 + 0.1 * (1:50)
puthl("mw3_50", diffs2(mw3x50, mw3y))
putw("mw3_50", wilcox.test(mw3x50, mw3y, conf.int = TRUE, tol.root = TOL), TRUE)
putw("mw3_50_exact", wilcox.test(mw3x50, mw3y, exact = TRUE))

# mw4: larger tied samples (rounded), normal approximation with CI
mw4x <- round(10 * sin((1:60) * 1.3) + 2)
mw4y <- round(10 * cos((1:70) * 0.7))
putw("mw4_cc", sw(wilcox.test(mw4x, mw4y, conf.int = TRUE, tol.root = TOL)), TRUE)
puthl("mw4", diffs2(mw4x, mw4y))

# all values identical: variance zero -> NaN p (correct = TRUE two-sided)
put("mw_tied_p", sw(wilcox.test(c(3, 3, 3), c(3, 3))$p.value))
put("mw_tied_p_greater", sw(wilcox.test(c(3, 3, 3), c(3, 3), alternative = "greater")$p.value))
# n1 = n2 = 1
putw("mw_n11", wilcox.test(2, 1))
# extreme W
putw("mw_sep", wilcox.test(c(10, 11, 12, 13), c(1, 2, 3)))
# huge and infinite values are ordinary ranks
putw("mw_inf", wilcox.test(c(Inf, 1e300, -1e300), c(-Inf, 0, 1e-300, 5)))

## ---- signed rank ------------------------------------------------------
# sr1: R's ?wilcox.test depression example (paired, no ties after x - y)
sr1x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
sr1y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
putw("sr1_exact", wilcox.test(sr1x, sr1y, paired = TRUE, conf.int = TRUE), TRUE)
putw("sr1_exact_greater", wilcox.test(sr1x, sr1y, paired = TRUE, alternative = "greater", conf.int = TRUE), TRUE)
putw("sr1_exact_less", wilcox.test(sr1x, sr1y, paired = TRUE, alternative = "less", conf.int = TRUE, conf.level = 0.9), TRUE)
puthl("sr1", walsh(sr1x - sr1y))
putw("sr1_cc", wilcox.test(sr1x, sr1y, paired = TRUE, exact = FALSE, conf.int = TRUE, tol.root = TOL), TRUE)
putw("sr1_nocc", wilcox.test(sr1x, sr1y, paired = TRUE, exact = FALSE, correct = FALSE, conf.int = TRUE, tol.root = TOL), TRUE)
putw("sr1_cc_greater", wilcox.test(sr1x, sr1y, paired = TRUE, exact = FALSE, alternative = "greater", conf.int = TRUE, tol.root = TOL), TRUE)
putw("sr1_cc_less", wilcox.test(sr1x, sr1y, paired = TRUE, exact = FALSE, alternative = "less", conf.int = TRUE, tol.root = TOL), TRUE)
# one-sample against mu
putw("sr1_mu", wilcox.test(sr1x, mu = 1.5, conf.int = TRUE), TRUE)

# sr2: integer scores, ties and zero differences -> normal approximation
sr2x <- c(30, 25, 28, 33, 21, 27, 30, 35, 24, 26, 31, 29)  # after
sr2y <- c(34, 25, 35, 33, 29, 30, 36, 35, 30, 31, 30, 34)  # before
h <- sw(wilcox.test(sr2x, sr2y, paired = TRUE, conf.int = TRUE, tol.root = TOL))
putw("sr2_cc", h, TRUE)
puthl("sr2", walsh(sr2x - sr2y))
putw("sr2_nocc", sw(wilcox.test(sr2x, sr2y, paired = TRUE, correct = FALSE, conf.int = TRUE, tol.root = TOL)), TRUE)
putw("sr2_cc_less", sw(wilcox.test(sr2x, sr2y, paired = TRUE, alternative = "less", conf.int = TRUE, tol.root = TOL)), TRUE)

# sr3: n = 49 (exact), closed form
sr3d <- sin(1:49) * 5 + 1
stopifnot(length(unique(abs(sr3d))) == 49)
putw("sr3_exact", wilcox.test(sr3d, conf.int = TRUE), TRUE)
sr3d60 <- sin(1:60) * 5 + 1
puthl("sr3_60", walsh(sr3d60))
putw("sr3_60", wilcox.test(sr3d60, conf.int = TRUE, tol.root = TOL), TRUE)
putw("sr3_60_exact", wilcox.test(sr3d60, exact = TRUE, conf.int = TRUE), TRUE)

# tiny cases: level not achievable (alpha doubling), n = 2, n = 1
putw("sr_small_exact", sw(wilcox.test(c(1.2, -0.4, 2.1), conf.int = TRUE)), TRUE)
putw("sr_small_cc", sw(wilcox.test(c(1, 3), exact = FALSE, conf.int = TRUE, tol.root = TOL)), TRUE)
putw("sr_tied", sw(wilcox.test(c(2, 2, 2, -2, 0), conf.int = TRUE, tol.root = TOL)), TRUE)
putw("sr_n1", sw(wilcox.test(c(4), conf.int = TRUE, tol.root = TOL)), TRUE)
put("sr_zero_p", sw(wilcox.test(c(0, 0, 0))$p.value))

## ---- Kruskal-Wallis ---------------------------------------------------
# R's ?kruskal.test example (Hollander & Wolfe), group codes 1, 2, 3
kwx <- c(2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0)
kwg <- c(1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3)
h <- kruskal.test(kwx, kwg)
put("kw1_stat", h$statistic); put("kw1_df", h$parameter); put("kw1_p", h$p.value)
# ties, four groups, arbitrary codes (-5, 7, 100, 0)
kw2x <- c(12, 15, 12, 9, 20, 15, 15, 8, 7, 12, 30, 22, 25, 22, 9, 11, 12)
kw2g <- c(-5, -5, -5, -5, 7, 7, 7, 100, 100, 100, 0, 0, 0, 0, 7, -5, 100)
h <- kruskal.test(kw2x, kw2g)
put("kw2_stat", h$statistic); put("kw2_df", h$parameter); put("kw2_p", h$p.value)
h <- kruskal.test(c(1, 2), c(1, 2))
put("kw_n2_stat", h$statistic); put("kw_n2_p", h$p.value)
put("kw_tied_stat", kruskal.test(c(1, 1, 1, 1), c(1, 1, 2, 2))$statistic)

## ---- effect sizes (effectsize 0.8.3) ----------------------------------
pute <- function(prefix, e) {
  put(paste0(prefix, "_est"), e[[1]])
  put(paste0(prefix, "_lo"), e$CI_low)
  put(paste0(prefix, "_hi"), e$CI_high)
}
pute("rb1", rank_biserial(mw1x, mw1y))
pute("rb1_mu", rank_biserial(mw1x, mw1y, mu = 0.3, ci = 0.9))
pute("rb1_less", rank_biserial(mw1x, mw1y, alternative = "less"))
pute("rb1_greater", rank_biserial(mw1x, mw1y, alternative = "greater"))
pute("rb2", rank_biserial(mw2x, mw2y))
pute("cd2", cliffs_delta(mw2x, mw2y))
pute("ps2", p_superiority(mw2x, mw2y, parametric = FALSE))
pute("cd4", cliffs_delta(mw4x, mw4y, ci = 0.99))
pute("rb_sep", rank_biserial(c(10, 11, 12, 13), c(1, 2, 3)))
pute("rb_tied", rank_biserial(c(3, 3, 3), c(3, 3)))
# paired: pass the differences (effectsize's SE counts non-zero x - mu,
# which is right only for the one-sample form; see rank.h)
pute("rbp1", rank_biserial(sr1x - sr1y))
pute("rbp2", sw(rank_biserial(sr2x - sr2y)))
pute("rbp2_greater", sw(rank_biserial(sr2x - sr2y, alternative = "greater")))
pute("rbp1_mu", rank_biserial(sr1x, mu = 1.5, ci = 0.8))
pute("psp2", sw(p_superiority(sr2x - sr2y, parametric = FALSE)))

writeLines(out, "rank.out")
cat("wrote rank.out:", length(out), "values\n")
