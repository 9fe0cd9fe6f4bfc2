# Reference values for tests/test_meta.c (meta-analysis, heterogeneity,
# stratified analyses).  R 4.2 + metafor 3.8.
# Run: cd tests/reference && Rscript --vanilla meta.R
# Writes meta.out: lines "name value" (value %.17g or NA).  Inputs are written
# too (yi/vi of every data set, 2x2 tables, summaries) so the C test reads
# them from the same file.
suppressMessages(library(metafor))
out <- file("meta.out", "w")
put <- function(name, value) {
  value <- as.numeric(value)
  stopifnot(length(value) == 1)
  cat(sprintf("%s %s\n", name,
              ifelse(is.na(value), "NA", sprintf("%.17g", value))), file = out)
}
cat(sprintf("# R %s, metafor %s\n", getRversion(), packageVersion("metafor")), file = out)

## ---- meta-analysis data sets ----------------------------------------------
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg,
              data = dat.bcg)
nor <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i,
              m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)
sets <- list(
  bcg    = list(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi)),   # log RR, k = 13
  normand = list(yi = as.numeric(nor$yi), vi = as.numeric(nor$vi)), # MD, k = 9
  k2     = list(yi = c(0.3, 0.8), vi = c(0.04, 0.09)),
  homog  = list(yi = c(0.10, 0.12, 0.08, 0.11, 0.09),              # tau2 -> 0, CI null
                vi = c(0.02, 0.03, 0.025, 0.04, 0.05)),
  hetero = list(yi = c(-2, -14, -7), vi = c(3, 4, 2.5)),           # CI ub > tau2.max
  spread = list(yi = c(0.21, -0.35, 0.9, 0.05, 0.6, -0.1),         # vi ratio 1e5
                vi = c(1e-4, 0.5, 10, 0.003, 0.2, 0.05)),
  same   = list(yi = c(0.5, 0.5, 0.5), vi = c(0.04, 0.05, 0.06)),  # Q = 0
  k1     = list(yi = 0.5, vi = 0.04))
fields <- c("beta", "se", "zval", "pval", "ci.lb", "ci.ub", "tau2", "se.tau2",
            "QE", "QEp", "I2", "H2", "vt")
emit_fit <- function(tag, r) {
  for (f in fields) put(paste(tag, f, sep = "."), r[[f]])
}
emit_ci <- function(tag, ci) {
  rr <- ci$random
  put(paste0(tag, ".tau2.lb"), rr["tau^2", "ci.lb"])
  put(paste0(tag, ".tau2.ub"), rr["tau^2", "ci.ub"])
  put(paste0(tag, ".I2.lb"), rr["I^2(%)", "ci.lb"])
  put(paste0(tag, ".I2.ub"), rr["I^2(%)", "ci.ub"])
  put(paste0(tag, ".H2.lb"), rr["H^2", "ci.lb"])
  put(paste0(tag, ".H2.ub"), rr["H^2", "ci.ub"])
}
tight <- list(threshold = 1e-12, tol = 1e-12)
for (s in names(sets)) {
  d <- sets[[s]]
  put(sprintf("%s.k", s), length(d$yi))
  for (i in seq_along(d$yi)) {
    put(sprintf("%s.yi.%d", s, i), d$yi[i])
    put(sprintf("%s.vi.%d", s, i), d$vi[i])
  }
  for (m in c("FE", "DL", "REML", "PM")) {
    for (tst in c("z", "knha")) {
      r <- suppressWarnings(rma(d$yi, d$vi, method = m, test = tst))
      emit_fit(sprintf("%s.%s.%s", s, m, tst), r)
      if (m %in% c("REML", "PM")) {
        r <- suppressWarnings(rma(d$yi, d$vi, method = m, test = tst, control = tight))
        emit_fit(sprintf("%s.%s.%s.tight", s, m, tst), r)
      }
    }
    if (m != "FE" && length(d$yi) > 1) {
      r <- rma(d$yi, d$vi, method = m)
      emit_ci(sprintf("%s.%s.ci", s, m), confint(r))
      emit_ci(sprintf("%s.%s.ci90", s, m), confint(r, level = 0.90))
      rt <- if (m %in% c("REML", "PM")) rma(d$yi, d$vi, method = m, control = tight) else r
      # tight root search over a wide interval: the exact Q-profile bounds
      emit_ci(sprintf("%s.%s.citight", s, m),
              confint(rt, control = list(tol = 1e-12, tau2.max = 1e6)))
    }
  }
}
# conf level 90% for the pooled estimate (z and knha), REML, bcg
yi <- sets$bcg$yi; vi <- sets$bcg$vi
r <- rma(yi, vi, method = "REML", level = 90)
emit_fit("bcg.REML.z.l90", r)
r <- rma(yi, vi, method = "DL", test = "knha", level = 90)
emit_fit("bcg.DL.knha.l90", r)

# PM where metafor's interval [0, max(100, 10 mad(yi)^2)] is too short (metafor
# stops with "tau2.max too low"; kap_meta_fit extends it): reference from
# metafor with a wide tau2.max and tight tol.
yi <- c(0, 0.1, -0.1, 0.05, 1000); vi <- c(1, 2, 1.5, 1, 3)
put("outlier.k", 5)
for (i in 1:5) { put(sprintf("outlier.yi.%d", i), yi[i]); put(sprintf("outlier.vi.%d", i), vi[i]) }
stopifnot(inherits(try(rma(yi, vi, method = "PM"), silent = TRUE), "try-error"))
emit_fit("outlier.PM.z.wide", rma(yi, vi, method = "PM",
                                   control = list(tau2.max = 1e7, tol = 1e-12)))

## ---- stratified mean difference ---------------------------------------------
sm <- data.frame(n1 = c(24, 31, 18, 40), m1 = c(-12.1, -9.8, -15.2, -11.0),
                 sd1 = c(8.1, 7.4, 9.9, 8.8),
                 n2 = c(22, 30, 20, 41), m2 = c(-6.3, -7.9, -5.1, -8.2),
                 sd2 = c(7.7, 8.3, 9.1, 8.0))
for (i in seq_len(nrow(sm))) for (f in names(sm)) put(sprintf("smd.%s.%d", f, i), sm[i, f])
for (vt in c("LS", "HO")) {
  e <- escalc("MD", m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2,
              data = sm, vtype = vt)
  for (i in seq_len(nrow(sm))) {
    put(sprintf("smd.%s.yi.%d", vt, i), e$yi[i])
    put(sprintf("smd.%s.vi.%d", vt, i), e$vi[i])
  }
  emit_fit(sprintf("smd.%s.FE", vt), rma(yi, vi, data = e, method = "FE"))
}
emit_fit("smd.LS.FE.l90", rma(yi, vi, data = escalc("MD", m1i = m1, sd1i = sd1,
         n1i = n1, m2i = m2, sd2i = sd2, n2i = n2, data = sm), method = "FE", level = 90))

## ---- 2x2xK tables: CMH, MH RR, Breslow-Day, Woolf ---------------------------
ucb <- aperm(UCBAdmissions, c(2, 1, 3))   # Gender x Admit x Dept
tabs <- list(
  ucb  = list(a = ucb[1, 1, ], b = ucb[1, 2, ], c = ucb[2, 1, ], d = ucb[2, 2, ]),
  zero = list(a = c(0, 3, 2), b = c(10, 12, 15), c = c(4, 7, 5), d = c(8, 9, 11)),
  kap  = list(a = c(12, 9, 15, 7), b = c(8, 11, 5, 13), c = c(6, 5, 9, 4),
              d = c(14, 15, 11, 16)),
  nocc = list(a = c(4, 6), b = c(6, 4), c = c(4, 5), d = c(5, 5)),  # |DELTA| < 0.5
  inf  = list(a = c(2, 4), b = c(0, 0), c = c(0, 0), d = c(3, 5)))   # OR_MH = Inf
# Greenland & Robins (1985) variance of log RR_MH, written out (cross-checked
# against metafor::rma.mh(measure = "RR") below).
mh_rr <- function(a, b, c, d, level = 0.95) {
  n1 <- a + b; n2 <- c + d; N <- n1 + n2
  R <- sum(a * n2 / N); S <- sum(c * n1 / N)
  v <- sum((n1 * n2 * (a + c) - a * c * N) / N^2) / (R * S)
  est <- log(R / S); se <- sqrt(v); z <- qnorm(1 - (1 - level) / 2)
  c(est = est, se = se, lb = est - z * se, ub = est + z * se)
}
# Breslow & Day (1980, eq. 4.30) homogeneity test at the MH odds ratio, with
# Tarone's (1985) correction; tables with a zero margin are skipped.
breslow_day <- function(a, b, c, d) {
  n1 <- a + b; n2 <- c + d; m1 <- a + c; m2 <- b + d; N <- n1 + n2
  psi <- sum(a * d / N) / sum(b * c / N)
  keep <- n1 > 0 & n2 > 0 & m1 > 0 & m2 > 0
  a <- a[keep]; n1 <- n1[keep]; n2 <- n2[keep]; m1 <- m1[keep]; N <- N[keep]
  # E = expected a given margins and psi: root in (max(0, m1 - n2), min(n1, m1))
  # of (psi - 1) E^2 - (psi (n1 + m1) + n2 - m1) E + psi n1 m1 = 0
  E <- numeric(length(a)); V <- numeric(length(a))
  for (i in seq_along(a)) {
    lo <- max(0, m1[i] - n2[i]); hi <- min(n1[i], m1[i])
    if (abs(psi - 1) < 1e-15) E[i] <- n1[i] * m1[i] / N[i] else {
      A <- psi - 1; B <- -(psi * (n1[i] + m1[i]) + n2[i] - m1[i]); C <- psi * n1[i] * m1[i]
      r <- c((-B - sqrt(B^2 - 4 * A * C)) / (2 * A), (-B + sqrt(B^2 - 4 * A * C)) / (2 * A))
      E[i] <- r[r > lo & r < hi][1]
    }
    V[i] <- 1 / (1 / E[i] + 1 / (n1[i] - E[i]) + 1 / (m1[i] - E[i]) +
                 1 / (n2[i] - m1[i] + E[i]))
  }
  bd <- sum((a - E)^2 / V)
  ta <- bd - sum(a - E)^2 / sum(V)
  K <- length(a)
  c(bd = bd, bdp = pchisq(bd, K - 1, lower.tail = FALSE), ta = ta,
    tap = pchisq(ta, K - 1, lower.tail = FALSE), k = K)
}
emit_htest <- function(tag, h) {
  put(paste0(tag, ".X2"), h$statistic)
  put(paste0(tag, ".p"), h$p.value)
  put(paste0(tag, ".est"), h$estimate)
  put(paste0(tag, ".lb"), h$conf.int[1])
  put(paste0(tag, ".ub"), h$conf.int[2])
  put(paste0(tag, ".cc"), as.numeric(grepl("with continuity", h$method)))
}
for (t in names(tabs)) {
  x <- tabs[[t]]
  K <- length(x$a)
  put(sprintf("cmh.%s.k", t), K)
  for (i in seq_len(K)) for (f in c("a", "b", "c", "d"))
    put(sprintf("cmh.%s.%s.%d", t, f, i), x[[f]][i])
  arr <- array(rbind(x$a, x$c, x$b, x$d), dim = c(2, 2, K))   # x[1,1,]=a, x[1,2,]=b
  stopifnot(all(arr[1, 2, ] == x$b), all(arr[2, 1, ] == x$c))
  emit_htest(sprintf("cmh.%s.corr", t), mantelhaen.test(arr, correct = TRUE))
  emit_htest(sprintf("cmh.%s.uncorr", t), mantelhaen.test(arr, correct = FALSE))
  emit_htest(sprintf("cmh.%s.corr90", t), mantelhaen.test(arr, conf.level = 0.90))
  for (alt in c("less", "greater")) {
    emit_htest(sprintf("cmh.%s.corr.%s", t, alt), mantelhaen.test(arr, alternative = alt))
    emit_htest(sprintf("cmh.%s.uncorr.%s", t, alt),
               mantelhaen.test(arr, alternative = alt, correct = FALSE))
  }
  if (t != "inf") {
  mo <- rma.mh(ai = x$a, bi = x$b, ci = x$c, di = x$d, measure = "OR")
  for (f in c("beta", "se", "zval", "pval", "ci.lb", "ci.ub", "BD", "BDp", "TA", "TAp",
              "k.pos", "MH", "MHp"))
    put(sprintf("cmh.%s.or.%s", t, f), mo[[f]])
  bd <- breslow_day(x$a, x$b, x$c, x$d)
  stopifnot(isTRUE(all.equal(as.numeric(bd["bd"]), mo$BD, tolerance = 1e-12)),
            isTRUE(all.equal(as.numeric(bd["ta"]), mo$TA, tolerance = 1e-12)))
  mr <- rma.mh(ai = x$a, bi = x$b, ci = x$c, di = x$d, measure = "RR")
  for (f in c("beta", "se", "zval", "pval", "ci.lb", "ci.ub"))
    put(sprintf("cmh.%s.rr.%s", t, f), mr[[f]])
  g <- mh_rr(x$a, x$b, x$c, x$d)
  stopifnot(isTRUE(all.equal(as.numeric(g), as.numeric(c(mr$beta, mr$se, mr$ci.lb, mr$ci.ub)),
                             tolerance = 1e-12)))
  g90 <- mh_rr(x$a, x$b, x$c, x$d, level = 0.90)
  put(sprintf("cmh.%s.rr90.lb", t), g90["lb"])
  put(sprintf("cmh.%s.rr90.ub", t), g90["ub"])
  }
  # Woolf: escalc OR (add 1/2 to tables with a zero cell) + fixed effect
  e <- escalc("OR", ai = x$a, bi = x$b, ci = x$c, di = x$d)
  for (i in seq_len(K)) {
    put(sprintf("woolf.%s.yi.%d", t, i), e$yi[i])
    put(sprintf("woolf.%s.vi.%d", t, i), e$vi[i])
  }
  wf <- rma(yi, vi, data = e, method = "FE")
  # (rma.mh's QE is taken around the MH estimate, not the IV one: not Woolf's)
  emit_fit(sprintf("woolf.%s.FE", t), wf)
  if (K > 2) emit_fit(sprintf("woolf.%s.REML", t), rma(yi, vi, data = e, method = "REML"))
}
close(out)
