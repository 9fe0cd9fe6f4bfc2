# Reference values for tests/test_anova.c.
# Run: cd tests/reference && Rscript --vanilla anova.R
# Writes anova.out ("name value", %.17g).  Data sets are typed inline here
# and in the C test (plus one simulated set written to anova_sim.csv).
suppressPackageStartupMessages(library(effectsize))

lines <- character(0)
out <- function(name, v) {
  v <- as.numeric(v)
  lines <<- c(lines, sprintf("%s %s", name, if (is.na(v)) "NA" else sprintf("%.17g", v)))
}

# Noncentrality with P(F <= f; df1, df2, ncp) = target, solved tightly
# (effectsize solves the same equations with optim; see .get_ncp_F).
ncp_solve <- function(f, df1, df2, target) {
  if (pf(f, df1, df2) <= target) return(0)
  hi <- max(1, f * df1)
  while (pf(f, df1, df2, ncp = hi) > target) hi <- 2 * hi
  uniroot(function(l) pf(f, df1, df2, ncp = l) - target, c(0, hi),
          tol = 1e-13 * hi, maxiter = 1000)$root
}
eta_ci <- function(f, df1, df2, conf, alt) {
  tail <- if (alt == "two.sided") (1 - conf) / 2 else 1 - conf
  lo <- if (alt == "less") 0 else { l <- ncp_solve(f, df1, df2, 1 - tail); l / (l + df2) }
  hi <- if (alt == "greater") 1 else { l <- ncp_solve(f, df1, df2, tail); l / (l + df2) }
  c(lo, hi)
}

emit <- function(prefix, y, g) {
  ok <- !is.na(y) & !is.na(g)
  y <- y[ok]; g <- factor(g[ok])
  fit <- aov(y ~ g)
  tab <- summary(fit)[[1]]
  out(paste0(prefix, "_ssb"), tab[["Sum Sq"]][1])
  out(paste0(prefix, "_ssw"), tab[["Sum Sq"]][2])
  out(paste0(prefix, "_msb"), tab[["Mean Sq"]][1])
  out(paste0(prefix, "_msw"), tab[["Mean Sq"]][2])
  out(paste0(prefix, "_dfb"), tab[["Df"]][1])
  out(paste0(prefix, "_dfw"), tab[["Df"]][2])
  out(paste0(prefix, "_F"), tab[["F value"]][1])
  out(paste0(prefix, "_p"), tab[["Pr(>F)"]][1])
  ot <- oneway.test(y ~ g, var.equal = TRUE)
  out(paste0(prefix, "_ow_F"), ot$statistic)
  out(paste0(prefix, "_ow_p"), ot$p.value)
  wt <- oneway.test(y ~ g, var.equal = FALSE)
  out(paste0(prefix, "_welch_F"), wt$statistic)
  out(paste0(prefix, "_welch_df2"), wt$parameter[2])
  out(paste0(prefix, "_welch_p"), wt$p.value)
  # effectsize (one-way: partial == non-partial)
  for (alt in c("greater", "two.sided", "less")) {
    for (conf in c(0.95, 0.90)) {
      tag <- sprintf("%s_%s%02d", prefix, substr(alt, 1, 1), round(conf * 100))
      e <- suppressMessages(eta_squared(fit, partial = FALSE, ci = conf, alternative = alt))
      o <- suppressMessages(omega_squared(fit, partial = FALSE, ci = conf, alternative = alt))
      out(paste0(tag, "_eta"), e$Eta2)
      out(paste0(tag, "_eta_lo_es"), e$CI_low)   # effectsize (optim)
      out(paste0(tag, "_eta_hi_es"), e$CI_high)
      out(paste0(tag, "_omega"), o$Omega2)
      out(paste0(tag, "_omega_lo_es"), o$CI_low)
      out(paste0(tag, "_omega_hi_es"), o$CI_high)
      dfb <- tab[["Df"]][1]; dfw <- tab[["Df"]][2]
      fe <- (e$Eta2 / dfb) / ((1 - e$Eta2) / dfw)
      ci <- eta_ci(fe, dfb, dfw, conf, alt)
      out(paste0(tag, "_eta_lo"), ci[1]); out(paste0(tag, "_eta_hi"), ci[2])
      fo <- (o$Omega2 / dfb) / ((1 - o$Omega2) / dfw)
      ci <- eta_ci(fo, dfb, dfw, conf, alt)
      out(paste0(tag, "_omega_lo"), ci[1]); out(paste0(tag, "_omega_hi"), ci[2])
    }
  }
  out(paste0(prefix, "_n"), length(y))
}

# a: three unequal groups, one NaN value and one missing group code
ya <- c(23.1, 25.4, 21.8, 24.9, NaN, 22.7, 28.3, 27.1, 30.2, 26.8, 29.5,
        24.0, 25.2, 23.3, 26.1, 19.9)
ga <- c(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, NA)
emit("a", ya, ga)
# b: two groups
yb <- c(5.1, 4.8, 6.2, 5.5, 5.9, 7.4, 6.8, 7.9, 7.1)
gb <- c(0, 0, 0, 0, 0, 1, 1, 1, 1)
emit("b", yb, gb)
# c: small effect (eta2 lower bound 0, omega2 truncated at 0)
yc <- c(10.2, 9.8, 11.1, 10.5, 9.9, 10.4, 10.0, 10.9, 10.1, 9.7, 10.6, 10.3)
gc <- c(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2)
emit("c", yc, gc)
# d: simulated, 4 groups, strong effect (large noncentrality)
set.seed(4711)
gd <- rep(0:3, times = c(40, 35, 45, 30))
yd <- round(rnorm(length(gd), mean = c(0, 1.5, 3, 4.5)[gd + 1], sd = c(1, 1.3, 0.8, 1.6)[gd + 1]), 3)
write.csv(data.frame(y = yd, g = gd), "anova_sim.csv", row.names = FALSE)
emit("d", yd, gd)

lines <- c(sprintf("# %s; effectsize %s", R.version.string, packageVersion("effectsize")), lines)
writeLines(lines, "anova.out")
