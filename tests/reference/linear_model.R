# Reference values for tests/test_linear_model.c.
# Run: cd tests/reference && Rscript --vanilla linear_model.R
# Writes linear_model.out ("name value", %.17g) and the data sets
# lm_ancova_sim.csv (simulated, set.seed) and lm_antidep_w6.csv (derived
# from ../shared/data/antidepressant_trial.csv when it is present; the
# committed copy is used otherwise).
suppressPackageStartupMessages(library(emmeans))

out_file <- "linear_model.out"
lines <- character(0)
# Vectors are written name_0, name_1, ... (also of length 1 when idx).
out <- function(name, v, idx = length(v) > 1) {
  v <- as.numeric(v)
  for (i in seq_along(v)) {
    nm <- if (idx) paste0(name, "_", i - 1) else name
    lines <<- c(lines, sprintf("%s %s", nm,
                               if (is.na(v[i])) "NA" else sprintf("%.17g", v[i])))
  }
}

# ---- small inline data set (typed identically in the C test) -------------
y  <- c(12.1, 14.3, 11.8, 16.9, 15.2, 18.4, NA, 20.1, 17.7, 22.3, 19.8, 24.6, 21.0, 25.9)
x1 <- c(1.0, 2.0, 1.5, 3.1, 2.8, 4.0, 4.4, 5.2, 4.1, 6.3, 5.5, 7.0, NaN, 7.9)
x2 <- c(0.3, -0.2, 0.8, 0.1, 1.2, -0.5, 0.4, 0.9, 1.6, -0.1, 0.7, 0.2, 0.5, 1.1)
d <- data.frame(y, x1, x2)

emit_lm <- function(prefix, fit, level = 0.95) {
  s <- summary(fit)
  co <- coef(s)
  ci <- confint(fit, level = level)
  out(paste0(prefix, "_coef"), co[, 1], idx = TRUE)
  out(paste0(prefix, "_se"), co[, 2], idx = TRUE)
  out(paste0(prefix, "_t"), co[, 3], idx = TRUE)
  out(paste0(prefix, "_p"), co[, 4], idx = TRUE)
  out(paste0(prefix, "_lo"), ci[, 1], idx = TRUE)
  out(paste0(prefix, "_hi"), ci[, 2], idx = TRUE)
  out(paste0(prefix, "_sigma"), s$sigma)
  out(paste0(prefix, "_df"), s$df[2])
  out(paste0(prefix, "_r2"), s$r.squared)
  out(paste0(prefix, "_adjr2"), s$adj.r.squared)
  out(paste0(prefix, "_rss"), sum(residuals(fit)^2))
  if (!is.null(s$fstatistic)) {
    f <- s$fstatistic
    out(paste0(prefix, "_F"), f[1])
    out(paste0(prefix, "_Fdf1"), f[2])
    out(paste0(prefix, "_Fdf2"), f[3])
    out(paste0(prefix, "_Fp"), pf(f[1], f[2], f[3], lower.tail = FALSE))
  }
  v <- vcov(fit)
  out(paste0(prefix, "_vcov"), as.vector(t(v)), idx = TRUE)  # row-major
  out(paste0(prefix, "_resid"), residuals(fit), idx = TRUE)
  out(paste0(prefix, "_nobs"), nobs(fit))
}

m2 <- lm(y ~ x1 + x2, data = d)
emit_lm("m2", m2)
emit_lm("m2c90", m2, level = 0.90)
m0 <- lm(y ~ 0 + x1 + x2, data = d)
emit_lm("m0", m0)
m1 <- lm(y ~ x1, data = d[complete.cases(d), ])
emit_lm("m1", m1)
mi <- lm(y ~ 1, data = d[complete.cases(d), ])
emit_lm("mi", mi)

# nested comparisons (same rows)
dc <- d[complete.cases(d), ]
a <- anova(lm(y ~ x1, data = dc), lm(y ~ x1 + x2, data = dc))
out("cmp12_F", a$F[2]); out("cmp12_df", a$Df[2]); out("cmp12_df2", a$Res.Df[2])
out("cmp12_p", a[["Pr(>F)"]][2]); out("cmp12_ss", a[["Sum of Sq"]][2])
a <- anova(lm(y ~ 1, data = dc), lm(y ~ x1 + x2, data = dc))
out("cmpi2_F", a$F[2]); out("cmpi2_df", a$Df[2]); out("cmpi2_p", a[["Pr(>F)"]][2])
# a linear contrast: b1 + 2 b2 (multcomp-free: by hand)
L <- c(0, 1, 2)
est <- sum(L * coef(m2)); se <- sqrt(drop(t(L) %*% vcov(m2) %*% L))
out("con_est", est); out("con_se", se); out("con_t", est / se)
out("con_p", 2 * pt(-abs(est / se), df.residual(m2)))
q <- qt(0.975, df.residual(m2))
out("con_lo", est - q * se); out("con_hi", est + q * se)

# ---- scale invariance: same model on data * 2^k and * 10^k ---------------
dh <- transform(d, y = y * 1e150, x1 = x1 * 1e-150)
mh <- lm(y ~ x1 + x2, data = dh)
out("mh_coef", coef(mh)); out("mh_se", coef(summary(mh))[, 2])
out("mh_sigma", summary(mh)$sigma)

# ---- ANCOVA, simulated (written beside this script) ----------------------
set.seed(20240611)
n <- 96
arm <- rep(0:2, length.out = n)
sex <- rbinom(n, 1, 0.55)
site <- sample(0:2, n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
baseline <- round(rnorm(n, 30, 5), 1)
age <- round(runif(n, 21, 65))
siteeff <- c(0, 1.5, -2)[site + 1]
change <- -2 - 4 * (arm == 1) - 6.5 * (arm == 2) - 0.35 * (baseline - 30) +
  0.04 * age + 1.2 * sex + siteeff + rnorm(n, 0, 4)
change <- round(change, 2)
change[c(5, 40)] <- NA
baseline[17] <- NA
age[60] <- NA
sim <- data.frame(change, baseline, arm, age, sex, site)
write.csv(sim, "lm_ancova_sim.csv", row.names = FALSE, na = "NA")

sim <- read.csv("lm_ancova_sim.csv")
emit_ancova <- function(prefix, fit, ctrl_first = TRUE) {
  emm <- emmeans(fit, "arm")
  es <- summary(emm)
  out(paste0(prefix, "_lsm"), es$emmean)
  out(paste0(prefix, "_lsm_se"), es$SE)
  out(paste0(prefix, "_lsm_lo"), es$lower.CL)
  out(paste0(prefix, "_lsm_hi"), es$upper.CL)
  out(paste0(prefix, "_df"), es$df[1])
  ct <- contrast(emm, "trt.vs.ctrl", adjust = "none")
  cs <- summary(ct, infer = c(TRUE, TRUE), adjust = "none")
  out(paste0(prefix, "_diff"), cs$estimate)
  out(paste0(prefix, "_diff_se"), cs$SE)
  out(paste0(prefix, "_diff_t"), cs$t.ratio)
  out(paste0(prefix, "_diff_p"), cs$p.value)
  out(paste0(prefix, "_diff_lo"), cs$lower.CL)
  out(paste0(prefix, "_diff_hi"), cs$upper.CL)
  out(paste0(prefix, "_nobs"), nobs(fit))
}
# numeric covariates only
s1 <- transform(sim, arm = factor(arm, levels = 0:2))
emit_ancova("anc1", lm(change ~ baseline + arm + age, data = s1))
# with categorical covariates (emmeans averages over their levels equally)
s2 <- transform(sim, arm = factor(arm, levels = 0:2), sex = factor(sex),
                site = factor(site))
emit_ancova("anc2", lm(change ~ baseline + arm + age + sex + site, data = s2))
# control = arm 2: trt.vs.ctrl with ref = the control level
s3 <- transform(sim, arm = factor(arm, levels = c(2, 0, 1)))
f3 <- lm(change ~ baseline + arm + age, data = s3)
emm3 <- emmeans(f3, "arm")
cs3 <- summary(contrast(emm3, "trt.vs.ctrl", adjust = "none"),
               infer = c(TRUE, TRUE), adjust = "none")
out("anc3_diff", cs3$estimate)   # arm 0 - arm 2, arm 1 - arm 2
out("anc3_diff_se", cs3$SE)
out("anc3_diff_p", cs3$p.value)

# ---- ANCOVA on a real trial: week-6 change in HAM-D17 ---------------------
# (DIA missing-data working group antidepressant trial, see
#  ../shared/data/README.md): CHANGE ~ BASVAL + THERAPY + GENDER + POOLINV
shared <- Sys.getenv("KAP_SHARED", "../../../shared")  # ../shared beside the repo
src <- file.path(shared, "data", "antidepressant_trial.csv")
if (file.exists(src)) {
  ad <- read.csv(src, colClasses = c(POOLINV = "character"))
  w6 <- ad[ad$VISIT == 7, ]
  w6 <- data.frame(change = w6$CHANGE, basval = w6$BASVAL,
                   arm = as.integer(factor(w6$THERAPY, levels = c("DRUG", "PLACEBO"))) - 1L,
                   gender = as.integer(factor(w6$GENDER)) - 1L,
                   poolinv = as.integer(factor(w6$POOLINV)) - 1L)
  write.csv(w6, "lm_antidep_w6.csv", row.names = FALSE)
}
w6 <- read.csv("lm_antidep_w6.csv")
w6f <- transform(w6, arm = factor(arm, levels = c(1, 0)), gender = factor(gender),
                 poolinv = factor(poolinv))
fad <- lm(change ~ basval + arm + gender + poolinv, data = w6f)
emm <- summary(emmeans(fad, "arm"))   # order: placebo (1), drug (0)
out("ad_lsm", emm$emmean[order(c(1, 0))])
out("ad_lsm_se", emm$SE[order(c(1, 0))])
out("ad_lsm_lo", emm$lower.CL[order(c(1, 0))])
out("ad_lsm_hi", emm$upper.CL[order(c(1, 0))])
cs <- summary(contrast(emmeans(fad, "arm"), "trt.vs.ctrl", adjust = "none"),
              infer = c(TRUE, TRUE), adjust = "none")
out("ad_diff", cs$estimate); out("ad_diff_se", cs$SE); out("ad_diff_t", cs$t.ratio)
out("ad_diff_p", cs$p.value); out("ad_diff_lo", cs$lower.CL); out("ad_diff_hi", cs$upper.CL)
out("ad_df", df.residual(fad)); out("ad_nobs", nobs(fad))

lines <- c(sprintf("# %s; emmeans %s", R.version.string, packageVersion("emmeans")), lines)
writeLines(lines, out_file)
