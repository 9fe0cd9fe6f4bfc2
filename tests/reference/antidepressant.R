# Reference values for the primary comparison on the real public
# antidepressant trial (datasets/antidepressant/antidepressant_adam.csv):
# HAM-D17 change from baseline at Week 6, DRUG vs PLACEBO (control).
# R 4.2, effectsize 0.8.3, emmeans.  Run: Rscript --vanilla antidepressant.R
suppressPackageStartupMessages({library(effectsize); library(emmeans)})
out <- "antidepressant.out"
cat("", file = out)
put <- function(name, value) cat(sprintf("%s %.17g\n", name, value), file = out, append = TRUE)

d <- read.csv("../../datasets/antidepressant/antidepressant_adam.csv",
              colClasses = c(USUBJID = "character", SITEID = "character"))
h <- d[d$PARAMCD == "HAMD17", ]
base <- h[h$ABLFL == "Y", c("USUBJID", "TRT01P", "AVAL")]
names(base)[3] <- "BASE"
wk <- function(label) {
  p <- h[h$AVISIT == label, c("USUBJID", "AVAL")]
  m <- merge(base, p, by = "USUBJID", all.x = TRUE)
  m[order(m$USUBJID), ]
}
w6 <- wk("Week 6")
# LOCF: last observed post-baseline visit at or before week 6
post <- h[h$ABLFL != "Y", ]
post <- post[order(post$USUBJID, post$AVISITN), ]
last <- do.call(rbind, lapply(split(post, post$USUBJID), function(s) s[nrow(s), c("USUBJID", "AVAL")]))
names(last)[2] <- "LOCF"
w6 <- merge(w6, last, by = "USUBJID", all.x = TRUE)
sex <- unique(h[, c("USUBJID", "SEX")])
w6 <- merge(w6, sex, by = "USUBJID", all.x = TRUE)
w6$LOCF[is.na(w6$LOCF)] <- w6$BASE[is.na(w6$LOCF)]

for (rule in c("cc", "locf")) {
  y <- if (rule == "cc") w6$AVAL else w6$LOCF
  s <- data.frame(trt = factor(w6$TRT01P, levels = c("PLACEBO", "DRUG")),
                  base = w6$BASE, post = y, chg = y - w6$BASE)
  s <- s[!is.na(s$chg), ]
  for (a in c("DRUG", "PLACEBO")) {
    x <- s$chg[s$trt == a]
    put(sprintf("%s.%s.n", rule, a), length(x))
    put(sprintf("%s.%s.mean", rule, a), mean(x))
    put(sprintf("%s.%s.sd", rule, a), sd(x))
  }
  tt <- t.test(s$chg[s$trt == "DRUG"], s$chg[s$trt == "PLACEBO"])
  put(sprintf("%s.welch.estimate", rule), unname(tt$estimate[1] - tt$estimate[2]))
  put(sprintf("%s.welch.t", rule), unname(tt$statistic))
  put(sprintf("%s.welch.df", rule), unname(tt$parameter))
  put(sprintf("%s.welch.p", rule), tt$p.value)
  put(sprintf("%s.welch.ci_low", rule), tt$conf.int[1])
  put(sprintf("%s.welch.ci_high", rule), tt$conf.int[2])
  fit <- lm(chg ~ base + trt, data = s)
  cf <- summary(fit)$coefficients
  ci <- confint(fit)
  put(sprintf("%s.ancova.estimate", rule), cf["trtDRUG", 1])
  put(sprintf("%s.ancova.se", rule), cf["trtDRUG", 2])
  put(sprintf("%s.ancova.t", rule), cf["trtDRUG", 3])
  put(sprintf("%s.ancova.p", rule), cf["trtDRUG", 4])
  put(sprintf("%s.ancova.df", rule), fit$df.residual)
  put(sprintf("%s.ancova.ci_low", rule), ci["trtDRUG", 1])
  put(sprintf("%s.ancova.ci_high", rule), ci["trtDRUG", 2])
  em <- summary(emmeans(fit, "trt"))
  for (i in seq_len(nrow(em))) {
    a <- as.character(em$trt[i])
    put(sprintf("%s.lsmean.%s", rule, a), em$emmean[i])
    put(sprintf("%s.lsmean.%s.se", rule, a), em$SE[i])
    put(sprintf("%s.lsmean.%s.ci_low", rule, a), em$lower.CL[i])
    put(sprintf("%s.lsmean.%s.ci_high", rule, a), em$upper.CL[i])
  }
  if (rule == "cc") {
    s$sex <- factor(w6$SEX[!is.na(y - w6$BASE)])
    fs <- lm(chg ~ base + trt + sex, data = s)
    cs <- summary(fs)$coefficients
    put("cc.ancova_sex.estimate", cs["trtDRUG", 1])
    put("cc.ancova_sex.se", cs["trtDRUG", 2])
    put("cc.ancova_sex.p", cs["trtDRUG", 4])
    es <- summary(emmeans(fs, "trt"))
    put("cc.ancova_sex.lsmean.DRUG", es$emmean[es$trt == "DRUG"])
    put("cc.ancova_sex.lsmean.DRUG.se", es$SE[es$trt == "DRUG"])
  }
  g <- hedges_g(s$chg[s$trt == "DRUG"], s$chg[s$trt == "PLACEBO"])
  put(sprintf("%s.hedges_g", rule), g$Hedges_g)
  put(sprintf("%s.hedges_g.ci_low", rule), g$CI_low)
  put(sprintf("%s.hedges_g.ci_high", rule), g$CI_high)
  # response: >= 50 % reduction; remission: HAM-D17 <= 7
  s$resp <- as.integer(-s$chg >= 0.5 * s$base)
  s$rem <- as.integer(s$post <= 7)
  for (m in c("resp", "rem")) {
    k1 <- sum(s[[m]][s$trt == "DRUG"]); n1 <- sum(s$trt == "DRUG")
    k2 <- sum(s[[m]][s$trt == "PLACEBO"]); n2 <- sum(s$trt == "PLACEBO")
    put(sprintf("%s.%s.k.DRUG", rule, m), k1)
    put(sprintf("%s.%s.k.PLACEBO", rule, m), k2)
    ft <- fisher.test(matrix(c(k1, n1 - k1, k2, n2 - k2), 2, byrow = TRUE))
    put(sprintf("%s.%s.fisher.p", rule, m), ft$p.value)
    put(sprintf("%s.%s.rd", rule, m), k1 / n1 - k2 / n2)
    put(sprintf("%s.%s.rr", rule, m), (k1 / n1) / (k2 / n2))
    put(sprintf("%s.%s.or", rule, m), (k1 / (n1 - k1)) / (k2 / (n2 - k2)))
  }
}
