# Reference values for tests/test_subgroup.c (subgroup analyses,
# representation and Table 1).  R 4.2 + metafor 3.8 + effectsize 0.8.3.
# Run: cd tests/reference && Rscript --vanilla subgroup.R
# Writes subgroup.out: lines "name value" (value %.17g or NA).
# Data: ../../datasets/kap_trial_wide.csv (the bundled synthetic trial) and
# subgroup_small.csv (hand-made: a level with no events and zero variance,
# a one-arm level, missing subgroup values).
suppressMessages({library(metafor); library(effectsize)})
out <- character()
put <- function(name, value) {
  value <- as.numeric(value)
  stopifnot(length(value) == 1)
  out <<- c(out, paste(name, if (is.na(value)) "NA" else sprintf("%.17g", value)))
}
try_na <- function(expr) tryCatch(expr, error = function(e) NA, warning = function(w) NA)
cc <- c(participant_id = "character", site = "character")

wide <- read.csv("../../datasets/kap_trial_wide.csv", colClasses = cc,
                 na.strings = c("", "NA"))
small <- read.csv("subgroup_small.csv", colClasses = cc, na.strings = c("", "NA"))

age_band <- function(a) {
  b <- cut(a, c(-Inf, 18, 35, 50, 65, Inf), right = FALSE,
           labels = c("<18", "18-34", "35-49", "50-64", "65+"))
  droplevels(factor(b, levels = c("18-34", "35-49", "50-64", "65+")))
}

# One subgroup analysis: d has y, base, arm (1 treatment, 0 control), g.
analyse <- function(tag, y, base, arm, g, binary = FALSE, levels = NULL) {
  keep <- !is.na(arm)
  if (is.null(levels)) levels <- sort(unique(g[!is.na(g)]), method = "radix")
  z <- qnorm(0.975)
  yi <- vi <- rep(NA_real_, length(levels)); pv <- rep(NA_real_, length(levels))
  for (l in seq_along(levels)) {
    sel <- !is.na(g) & g == levels[l] & !is.na(y)
    xt <- y[sel & arm == 1]; xc <- y[sel & arm == 0]
    tg <- sprintf("%s.l%d", tag, l - 1)
    put(paste0(tg, ".nt"), length(xt)); put(paste0(tg, ".nc"), length(xc))
    if (!binary) {
      tt <- try_na(t.test(xt, xc))
      put(paste0(tg, ".diff"), if (length(xt) && length(xc)) mean(xt) - mean(xc) else NA)
      if (is.list(tt)) {
        put(paste0(tg, ".lo"), tt$conf.int[1]); put(paste0(tg, ".hi"), tt$conf.int[2])
        put(paste0(tg, ".t"), tt$statistic); put(paste0(tg, ".df"), tt$parameter)
        put(paste0(tg, ".p"), tt$p.value); pv[l] <- tt$p.value
      } else for (f in c("lo", "hi", "t", "df", "p")) put(paste0(tg, ".", f), NA)
      gg <- if (length(xt) + length(xc) - 2 > 1 && length(xt) > 0 && length(xc) > 0 &&
                var(c(xt - mean(xt), xc - mean(xc))) > 0)
              try_na(hedges_g(xt, xc)) else NA
      if (is.data.frame(gg)) {
        # estimate from effectsize; CI by inverting pt() with uniroot at
        # tol 1e-14 (effectsize's optim() stops ~1e-4 early for large df)
        n1 <- length(xt); n2 <- length(xc); df <- n1 + n2 - 2
        sp <- sqrt(((n1 - 1) * var(xt) + (n2 - 1) * var(xc)) / df)
        tt0 <- (mean(xt) - mean(xc)) / sp / sqrt(1 / n1 + 1 / n2)
        J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
        f <- function(ncp, p) pt(tt0, df, ncp) - p
        root <- function(p) uniroot(f, c(-60, 60), p = p, tol = 1e-14)$root
        put(paste0(tg, ".g"), gg$Hedges_g)
        put(paste0(tg, ".g.lo"), J * root(0.975) * sqrt(1 / n1 + 1 / n2))
        put(paste0(tg, ".g.hi"), J * root(0.025) * sqrt(1 / n1 + 1 / n2))
      } else for (f in c("g", "g.lo", "g.hi")) put(paste0(tg, ".", f), NA)
      put(paste0(tg, ".mt"), if (length(xt)) mean(xt) else NA)
      put(paste0(tg, ".mc"), if (length(xc)) mean(xc) else NA)
      if (length(xt) >= 2 && length(xc) >= 2) {
        v <- var(xt) / length(xt) + var(xc) / length(xc)
        if (v > 0) { yi[l] <- mean(xt) - mean(xc); vi[l] <- v }
      }
    } else {
      e1 <- sum(xt); n1 <- length(xt); e2 <- sum(xc); n2 <- length(xc)
      for (a in list(list("pt", e1, n1), list("pc", e2, n2))) {
        if (a[[3]] > 0) {
          pt <- prop.test(a[[2]], a[[3]], correct = FALSE)
          put(paste0(tg, ".", a[[1]]), a[[2]] / a[[3]])
          put(paste0(tg, ".", a[[1]], ".lo"), pt$conf.int[1])
          put(paste0(tg, ".", a[[1]], ".hi"), pt$conf.int[2])
        } else for (f in c("", ".lo", ".hi")) put(paste0(tg, ".", a[[1]], f), NA)
      }
      if (n1 > 0 && n2 > 0) {
        w1 <- suppressWarnings(prop.test(e1, n1, correct = FALSE)$conf.int)
        w2 <- suppressWarnings(prop.test(e2, n2, correct = FALSE)$conf.int)
        p1 <- e1 / n1; p2 <- e2 / n2; d <- p1 - p2
        put(paste0(tg, ".rd"), d)
        put(paste0(tg, ".rd.lo"), d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2))
        put(paste0(tg, ".rd.hi"), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
        ft <- fisher.test(matrix(c(e1, e2, n1 - e1, n2 - e2), 2))
        put(paste0(tg, ".fisher.p"), ft$p.value); pv[l] <- ft$p.value
        rr <- if (e1 > 0 && e2 > 0) p1 / p2 else NA
        put(paste0(tg, ".rr"), rr)
        se <- sqrt(1 / e1 - 1 / n1 + 1 / e2 - 1 / n2)
        put(paste0(tg, ".rr.lo"), if (e1 > 0 && e2 > 0) exp(log(rr) - z * se) else NA)
        put(paste0(tg, ".rr.hi"), if (e1 > 0 && e2 > 0) exp(log(rr) + z * se) else NA)
        cells <- c(e1, n1 - e1, e2, n2 - e2)
        or <- if (all(cells > 0)) (e1 * (n2 - e2)) / ((n1 - e1) * e2) else NA
        put(paste0(tg, ".or"), or)
        es <- escalc(measure = "OR", ai = e1, bi = n1 - e1, ci = e2, di = n2 - e2)
        yi[l] <- es$yi; vi[l] <- es$vi
      } else for (f in c("rd", "rd.lo", "rd.hi", "fisher.p", "rr", "rr.lo", "rr.hi", "or"))
        put(paste0(tg, ".", f), NA)
    }
    put(paste0(tg, ".yi"), yi[l]); put(paste0(tg, ".vi"), vi[l])
  }
  pa <- p.adjust(pv, "holm")
  for (l in seq_along(levels)) put(sprintf("%s.l%d.padj", tag, l - 1), pa[l])
  # heterogeneity: rma on the levels with a defined effect
  ok <- !is.na(yi) & !is.na(vi)
  put(paste0(tag, ".k"), sum(ok))
  if (sum(ok) >= 1) {
    for (m in c("FE", "DL", "REML", "PM")) {
      for (test in c("z", "knha")) {
        r <- suppressWarnings(rma(yi[ok], vi[ok], method = m, test = test))
        tg <- sprintf("%s.%s.%s", tag, m, test)
        put(paste0(tg, ".b"), r$b); put(paste0(tg, ".se"), r$se)
        put(paste0(tg, ".lo"), r$ci.lb); put(paste0(tg, ".hi"), r$ci.ub)
        put(paste0(tg, ".p"), r$pval); put(paste0(tg, ".tau2"), r$tau2)
        put(paste0(tg, ".Q"), r$QE); put(paste0(tg, ".Qp"), r$QEp)
        put(paste0(tg, ".I2"), r$I2); put(paste0(tg, ".H2"), r$H2)
        if (m != "FE" && test == "z" && sum(ok) >= 2) {
          ci <- confint(r, control = list(tau2.max = 1e8))$random
          put(paste0(tg, ".I2.lo"), ci["I^2(%)", "ci.lb"])
          put(paste0(tg, ".I2.hi"), ci["I^2(%)", "ci.ub"])
        }
        if (m == "REML" && test == "z") {
          w <- weights(r)
          j <- 0
          for (l in seq_along(levels)) if (ok[l]) {
            j <- j + 1; put(sprintf("%s.l%d.w", tag, l - 1), w[j])
          }
        }
      }
    }
  }
  # interaction (continuous): anova of nested linear models
  dd <- data.frame(y = y, base = base, arm = arm, g = factor(g))[keep & !is.na(g), ]
  if (!binary) {
    a1 <- anova(lm(y ~ arm + g, dd), lm(y ~ arm * g, dd))
    put(paste0(tag, ".int.F"), a1$F[2]); put(paste0(tag, ".int.df"), a1$Df[2])
    put(paste0(tag, ".int.df2"), a1$Res.Df[2]); put(paste0(tag, ".int.p"), a1[2, "Pr(>F)"])
    a2 <- anova(lm(y ~ base + arm + g, dd), lm(y ~ base + arm * g, dd))
    put(paste0(tag, ".intb.F"), a2$F[2]); put(paste0(tag, ".intb.df"), a2$Df[2])
    put(paste0(tag, ".intb.p"), a2[2, "Pr(>F)"])
    for (a in 1:0) {
      s <- dd[dd$arm == a & !is.na(dd$y), ]
      s$g <- droplevels(s$g)
      tg <- sprintf("%s.within%d", tag, 1 - a)
      # classic F from anova(lm()): oneway.test() refuses groups of size 1
      o1 <- anova(lm(y ~ g, s))
      put(paste0(tg, ".F"), o1$F[1]); put(paste0(tg, ".F.p"), o1[1, "Pr(>F)"])
      o2 <- try_na(oneway.test(y ~ g, s))
      put(paste0(tg, ".welch"), if (is.list(o2)) o2$statistic else NA)
      put(paste0(tg, ".welch.df2"), if (is.list(o2)) o2$parameter[2] else NA)
      put(paste0(tg, ".welch.p"), if (is.list(o2)) o2$p.value else NA)
      kw <- try_na(kruskal.test(y ~ g, s))
      put(paste0(tg, ".kw"), if (is.list(kw)) kw$statistic else NA); put(paste0(tg, ".kw.p"), if (is.list(kw)) kw$p.value else NA)
    }
  } else {
    s <- dd[!is.na(dd$y), ]
    tab <- table(factor(1 - s$arm), factor(1 - s$y, levels = 0:1), s$g)
    tab <- tab[, , apply(tab, 3, sum) >= 2, drop = FALSE]
    mh <- mantelhaen.test(tab)
    put(paste0(tag, ".cmh.X2"), mh$statistic); put(paste0(tag, ".cmh.p"), mh$p.value)
    put(paste0(tag, ".cmh.or"), mh$estimate)
    put(paste0(tag, ".cmh.or.lo"), mh$conf.int[1]); put(paste0(tag, ".cmh.or.hi"), mh$conf.int[2])
    mh2 <- mantelhaen.test(tab, correct = FALSE)
    put(paste0(tag, ".cmh0.X2"), mh2$statistic)
    ai <- tab[1, 1, ]; bi <- tab[1, 2, ]; ci <- tab[2, 1, ]; di <- tab[2, 2, ]
    rr <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, measure = "RR")
    put(paste0(tag, ".mhrr"), exp(rr$b)); put(paste0(tag, ".mhrr.lo"), exp(rr$ci.lb))
    put(paste0(tag, ".mhrr.hi"), exp(rr$ci.ub))
    # Breslow-Day: tables with an empty margin left out (see meta.h)
    inf <- (ai + bi) > 0 & (ci + di) > 0 & (ai + ci) > 0 & (bi + di) > 0
    ro <- rma.mh(ai = ai[inf], bi = bi[inf], ci = ci[inf], di = di[inf], measure = "OR")
    put(paste0(tag, ".bd"), ro$BD); put(paste0(tag, ".bd.p"), ro$BDp)
    put(paste0(tag, ".ta"), ro$TA); put(paste0(tag, ".ta.p"), ro$TAp)
  }
}

arm_w <- ifelse(wide$arm == "ketamine", 1, ifelse(wide$arm == "active_placebo", 0, NA))
chg <- wide$madrs_week8 - wide$madrs_baseline
resp <- as.numeric(-chg / wide$madrs_baseline >= 0.5)
analyse("race", chg, wide$madrs_baseline, arm_w, wide$race)
analyse("site", chg, wide$madrs_baseline, arm_w, wide$site)
analyse("age", chg, wide$madrs_baseline, arm_w, as.character(age_band(wide$age)),
        levels = c("18-34", "35-49", "50-64", "65+"))
analyse("site_resp", resp, wide$madrs_baseline, arm_w, wide$site, binary = TRUE)
analyse("sex_resp", resp, wide$madrs_baseline, arm_w, wide$sex, binary = TRUE)
# percent change and remission (MADRS <= 10) go through the same paths
pct <- 100 * chg / wide$madrs_baseline
analyse("format_pct", pct, wide$madrs_baseline, arm_w, wide$format)
rem <- as.numeric(wide$madrs_week8 <= 10)
analyse("format_rem", rem, wide$madrs_baseline, arm_w, wide$format, binary = TRUE)

# family: interaction p of race, sex, format, age adjusted by Holm
fam <- sapply(list(wide$race, wide$sex, wide$format, as.character(age_band(wide$age))),
              function(g) {
                dd <- data.frame(y = chg, arm = arm_w, g = factor(g))[!is.na(g), ]
                anova(lm(y ~ arm + g, dd), lm(y ~ arm * g, dd))[2, "Pr(>F)"]
              })
pa <- p.adjust(fam, "holm")
for (i in 1:4) { put(sprintf("family.p%d", i - 1), fam[i]); put(sprintf("family.padj%d", i - 1), pa[i]) }

# hand-made small trial
arm_s <- ifelse(small$arm == "trt", 1, 0)
chg_s <- small$madrs_week8 - small$madrs_baseline
resp_s <- as.numeric(-chg_s / small$madrs_baseline >= 0.5)
analyse("small", chg_s, small$madrs_baseline, arm_s, small$site)
analyse("small_resp", resp_s, small$madrs_baseline, arm_s, small$site, binary = TRUE)

## ---- representation ----------------------------------------------------
rep_emit <- function(tag, g, levels, arm) {
  cols <- c(split(seq_along(g), arm), list(seq_along(g)))
  for (a in seq_along(cols)) {
    gg <- g[cols[[a]]]; known <- gg[!is.na(gg)]
    put(sprintf("%s.a%d.missing", tag, a - 1), sum(is.na(gg)))
    for (l in seq_along(levels)) {
      k <- sum(known == levels[l]); n <- length(known)
      pt <- suppressWarnings(prop.test(k, n, correct = FALSE))
      tg <- sprintf("%s.a%d.l%d", tag, a - 1, l - 1)
      put(paste0(tg, ".k"), k); put(paste0(tg, ".p"), k / n)
      put(paste0(tg, ".lo"), pt$conf.int[1]); put(paste0(tg, ".hi"), pt$conf.int[2])
    }
  }
}
arms <- sort(unique(wide$arm), method = "radix")   # active_placebo, ketamine
armf <- factor(wide$arm, levels = arms)
race_lv <- sort(unique(wide$race), method = "radix")
rep_emit("rep_race", wide$race, race_lv, armf)
rep_emit("rep_age", as.character(age_band(wide$age)), c("18-34", "35-49", "50-64", "65+"), armf)
# census-like reference for race (made up for the test): overall - ref in pp
ref <- c(White = 0.60, "Black or African American" = 0.13, Asian = 0.06)
for (nm in names(ref)) {
  p <- mean(wide$race == nm)
  put(sprintf("rep_race.ref.%d", match(nm, race_lv) - 1), 100 * (p - ref[[nm]]))
}

## ---- Table 1 ------------------------------------------------------------
t_ <- wide$arm == "ketamine"; c_ <- wide$arm == "active_placebo"
smd_cont <- function(x) {
  a <- x[t_ & !is.na(x)]; b <- x[c_ & !is.na(x)]
  (mean(a) - mean(b)) / sqrt((var(a) + var(b)) / 2)
}
# Yang & Dalton (2012) multi-category SMD
smd_cat <- function(g) {
  lv <- sort(unique(g[!is.na(g)]), method = "radix")
  a <- g[t_ & !is.na(g)]; b <- g[c_ & !is.na(g)]
  p1 <- sapply(lv, function(l) mean(a == l)); p2 <- sapply(lv, function(l) mean(b == l))
  keep <- (p1 + p2) > 0
  p1 <- p1[keep][-1]; p2 <- p2[keep][-1]
  S1 <- -outer(p1, p1); diag(S1) <- p1 * (1 - p1)
  S2 <- -outer(p2, p2); diag(S2) <- p2 * (1 - p2)
  S <- (S1 + S2) / 2; d <- p1 - p2
  sqrt(drop(t(d) %*% solve(S) %*% d))
}
put("t1.age.smd", smd_cont(wide$age))
put("t1.madrs.smd", smd_cont(wide$madrs_baseline))
for (a in seq_along(arms)) {
  x <- wide$age[wide$arm == arms[a] & !is.na(wide$age)]
  q <- quantile(x, c(0.25, 0.5, 0.75), type = 7)
  put(sprintf("t1.age.a%d.mean", a - 1), mean(x)); put(sprintf("t1.age.a%d.sd", a - 1), sd(x))
  put(sprintf("t1.age.a%d.median", a - 1), q[2])
  put(sprintf("t1.age.a%d.q1", a - 1), q[1]); put(sprintf("t1.age.a%d.q3", a - 1), q[3])
}
put("t1.race.smd", smd_cat(wide$race))
put("t1.sex.smd", smd_cat(wide$sex))
put("t1.ethnicity.smd", smd_cat(wide$ethnicity))
put("t1.site.smd", smd_cat(wide$site))
put("t1.format.smd", smd_cat(wide$format))
p1 <- mean(wide$format[t_] == "individual"); p2 <- mean(wide$format[c_] == "individual")
put("t1.format.smd2", abs(p1 - p2) / sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2))

writeLines(c(sprintf("# R %s, metafor %s, effectsize %s", getRversion(),
                     packageVersion("metafor"), packageVersion("effectsize")), out),
           "subgroup.out")
cat("wrote subgroup.out:", length(out), "values\n")
