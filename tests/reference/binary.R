# Reference values for tests/test_binary.c (libkapstats binary module).
# Run: cd tests/reference && Rscript --vanilla binary.R   (writes binary.out)
# R 4.2: prop.test(correct = FALSE) Wilson CI, binom.test, fisher.test,
# chisq.test.  Methods without an R function in base R are written out
# below from their papers:
#   Newcombe RG (1998) Two-sided confidence intervals for the single
#     proportion / Interval estimation for the difference between
#     independent proportions: comparison of eleven methods.  Stat Med 17:
#     873-890, method 10 (hybrid score, Wilson limits without CC).
#   Katz D, Baptista J, Azen SP, Pike MC (1978) Obtaining confidence
#     intervals for the risk ratio in cohort studies.  Biometrics 34:469.
#   Woolf B (1955) On estimating the relation between blood group and
#     disease.  Ann Hum Genet 19:251 (logit CI of the odds ratio).
#   Agresti A, Coull BA (1998) Approximate is better than "exact" for
#     interval estimation of binomial proportions.  Am Stat 52:119.
#   Brown LD, Cai TT, DasGupta A (2001) Interval estimation for a binomial
#     proportion.  Stat Sci 16:101 (Jeffreys interval, 0/1 at the ends).
#   Altman DG (1998) Confidence intervals for the number needed to treat.
#     BMJ 317:1309.
# Every data set is typed inline here and in tests/test_binary.c.
out <- character()
put <- function(name, v) {
  v <- as.numeric(v)
  stopifnot(length(v) == 1)
  out <<- c(out, paste(name, if (is.na(v) && !is.nan(v)) "NA" else sprintf("%.17g", v)))
}
sw <- function(expr) suppressWarnings(expr)

## ---- one proportion ---------------------------------------------------
wilson <- function(k, n, conf = 0.95, alt = "two.sided")
  sw(prop.test(k, n, correct = FALSE, conf.level = conf, alternative = alt)$conf.int)
cp <- function(k, n, conf = 0.95, alt = "two.sided")
  binom.test(k, n, conf.level = conf, alternative = alt)$conf.int
ac <- function(k, n, conf = 0.95, alt = "two.sided") {
  z <- qnorm(if (alt == "two.sided") (1 + conf) / 2 else conf)
  nt <- n + z^2; pt <- (k + z^2 / 2) / nt
  h <- z * sqrt(pt * (1 - pt) / nt)
  ci <- c(max(0, pt - h), min(1, pt + h))
  if (alt == "less") ci[1] <- 0
  if (alt == "greater") ci[2] <- 1
  ci
}
jeffreys <- function(k, n, conf = 0.95, alt = "two.sided") {
  a <- if (alt == "two.sided") (1 - conf) / 2 else 1 - conf
  ci <- c(if (k == 0) 0 else qbeta(a, k + 0.5, n - k + 0.5),
          if (k == n) 1 else qbeta(1 - a, k + 0.5, n - k + 0.5))
  if (alt == "less") ci[1] <- 0
  if (alt == "greater") ci[2] <- 1
  ci
}
props <- list(c(7, 20), c(0, 15), c(15, 15), c(1, 1), c(0, 1), c(83, 250), c(3, 1000), c(1, 2),
              c(3, 1e7), c(499123, 1e6), c(4999123, 1e7))
for (kn in props) {
  k <- kn[1]; n <- kn[2]; tag <- sprintf("p_%d_%d", k, n)
  for (m in c("wilson", "cp", "ac", "jeffreys")) {
    f <- get(m)
    ci <- f(k, n); put(paste0(tag, "_", m, "_lo"), ci[1]); put(paste0(tag, "_", m, "_hi"), ci[2])
    ci <- f(k, n, 0.9, "less"); put(paste0(tag, "_", m, "_less_hi"), ci[2])
    ci <- f(k, n, 0.9, "greater"); put(paste0(tag, "_", m, "_greater_lo"), ci[1])
  }
}
# binom.test p-values
bt <- list(c(7, 20, 0.5), c(7, 20, 0.2), c(0, 15, 0.1), c(15, 15, 0.5), c(83, 250, 0.3),
           c(3, 1000, 0.001), c(5, 10, 0.5), c(2, 9, 0.6), c(4, 10, 0), c(0, 10, 0),
           c(10, 10, 1), c(9, 10, 1), c(3, 1e6, 1e-6), c(499123, 1e6, 0.5), c(300712, 1e6, 0.3),
           c(4999123, 1e7, 0.5), c(2, 1e7, 1e-6))
for (a in bt) {
  tag <- sprintf("bt_%d_%d_%g", a[1], a[2], a[3])
  for (alt in c("two.sided", "less", "greater"))
    put(paste0(tag, "_", alt), binom.test(a[1], a[2], a[3], alternative = alt)$p.value)
}

## ---- two groups -------------------------------------------------------
# Newcombe's own worked examples (Stat Med 1998, Table II, method 10),
# to validate the formula below against the paper (4 decimals).
newcombe <- function(e1, n1, e2, n2, conf = 0.95) {
  w1 <- wilson(e1, n1, conf); w2 <- wilson(e2, n2, conf)
  p1 <- e1 / n1; p2 <- e2 / n2; d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
paper <- rbind(c(56, 70, 48, 80, 0.0524, 0.3339), c(9, 10, 3, 10, 0.1705, 0.8090),
               c(6, 7, 2, 7, 0.0582, 0.8062), c(5, 56, 0, 29, -0.0381, 0.1926),
               c(0, 10, 0, 20, -0.1611, 0.2775), c(0, 10, 0, 10, -0.2775, 0.2775),
               c(10, 10, 0, 20, 0.6791, 1.0000), c(10, 10, 0, 10, 0.6075, 1.0000))
for (i in seq_len(nrow(paper))) {
  ci <- newcombe(paper[i, 1], paper[i, 2], paper[i, 3], paper[i, 4])
  stopifnot(abs(ci - paper[i, 5:6]) < 1e-4)
}
katz <- function(e1, n1, e2, n2, conf = 0.95) {
  rr <- (e1 / n1) / (e2 / n2); se <- sqrt(1 / e1 - 1 / n1 + 1 / e2 - 1 / n2)
  z <- qnorm((1 + conf) / 2); c(rr, se, exp(log(rr) - z * se), exp(log(rr) + z * se))
}
woolf <- function(e1, n1, e2, n2, conf = 0.95) {
  a <- e1; b <- n1 - e1; c <- e2; d <- n2 - e2
  or <- (a * d) / (b * c); se <- sqrt(1 / a + 1 / b + 1 / c + 1 / d)
  z <- qnorm((1 + conf) / 2); c(or, se, exp(log(or) - z * se), exp(log(or) + z * se))
}
# conditional MLE and exact limits as fisher.test, but solved to 1e-14 on
# the log scale (fisher.test's uniroot stops at tol = 1.2e-4)
cond_or <- function(x, m, n, k, conf, alt) {
  lo <- max(0, k - n); hi <- min(k, m); s <- lo:hi
  logdc <- dhyper(s, m, n, k, log = TRUE)
  dn <- function(th) { d <- logdc + th * s; d <- exp(d - max(d)); d / sum(d) }
  mn <- function(th) sum(s * dn(th))
  up <- function(th) sum(dn(th)[s >= x])
  low <- function(th) sum(dn(th)[s <= x])
  root <- function(f, target) uniroot(function(t) f(t) - target, c(-60, 60), tol = 1e-14)$root
  est <- if (x == lo) 0 else if (x == hi) Inf else exp(root(mn, x))
  a <- if (alt == "two.sided") (1 - conf) / 2 else 1 - conf
  L <- if (alt == "less" || x == lo) 0 else exp(root(up, a))
  U <- if (alt == "greater" || x == hi) Inf else exp(root(low, a))
  c(est, L, U)
}
tabs <- list(t1 = c(15, 40, 6, 38), t2 = c(0, 20, 0, 22), t3 = c(0, 20, 5, 22),
             t4 = c(20, 20, 22, 22), t5 = c(45, 120, 30, 118), t6 = c(1, 1, 0, 1),
             t7 = c(3, 50, 9, 48), t8 = c(480, 1000, 450, 1000), t9 = c(12, 30, 12, 30),
             t10 = c(2, 3, 0, 4))
for (tag in names(tabs)) {
  v <- tabs[[tag]]; e1 <- v[1]; n1 <- v[2]; e2 <- v[3]; n2 <- v[4]
  tab <- matrix(c(e1, e2, n1 - e1, n2 - e2), 2)
  put(paste0(tag, "_rd"), e1 / n1 - e2 / n2)
  ci <- newcombe(e1, n1, e2, n2); put(paste0(tag, "_newc_lo"), ci[1]); put(paste0(tag, "_newc_hi"), ci[2])
  ci <- newcombe(e1, n1, e2, n2, 0.9); put(paste0(tag, "_newc90_lo"), ci[1]); put(paste0(tag, "_newc90_hi"), ci[2])
  ci <- sw(prop.test(c(e1, e2), c(n1, n2), correct = FALSE)$conf.int)
  put(paste0(tag, "_wald_lo"), ci[1]); put(paste0(tag, "_wald_hi"), ci[2])
  put(paste0(tag, "_wald_se"), sqrt(e1 / n1 * (1 - e1 / n1) / n1 + e2 / n2 * (1 - e2 / n2) / n2))
  k <- katz(e1, n1, e2, n2)
  put(paste0(tag, "_rr"), k[1]); put(paste0(tag, "_rr_se"), k[2])
  put(paste0(tag, "_rr_lo"), k[3]); put(paste0(tag, "_rr_hi"), k[4])
  w <- woolf(e1, n1, e2, n2)
  put(paste0(tag, "_or"), w[1]); put(paste0(tag, "_or_se"), w[2])
  put(paste0(tag, "_or_lo"), w[3]); put(paste0(tag, "_or_hi"), w[4])
  for (alt in c("two.sided", "less", "greater")) {
    conf <- if (alt == "two.sided") 0.95 else 0.9
    f <- fisher.test(tab, alternative = alt, conf.level = conf)
    p <- paste0(tag, "_fisher_", alt)
    put(paste0(p, "_p"), f$p.value)
    put(paste0(p, "_R_est"), f$estimate)
    put(paste0(p, "_R_lo"), f$conf.int[1]); put(paste0(p, "_R_hi"), f$conf.int[2])
    c3 <- cond_or(e1, e1 + e2, n1 + n2 - e1 - e2, n1, conf, alt)
    put(paste0(p, "_est"), c3[1]); put(paste0(p, "_lo"), c3[2]); put(paste0(p, "_hi"), c3[3])
  }
  for (cc in c(TRUE, FALSE)) {
    h <- sw(chisq.test(tab, correct = cc))
    p <- paste0(tag, "_chisq", if (cc) "_yates" else "")
    put(paste0(p, "_stat"), h$statistic); put(paste0(p, "_p"), h$p.value)
  }
}

writeLines(out, "binary.out")
cat("wrote binary.out:", length(out), "values\n")
