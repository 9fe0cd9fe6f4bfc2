# Reference values for tests/test_effect_size.c.  R 4.2, effectsize 0.8.3,
# metafor 3.8 (one cross-check).  Data sets are typed inline here and
# mirrored in the C test; the two generated ones use the same formulas.
#
# For every case two kinds of values are written:
#  - "<tag>_es_est|lo|hi": effectsize 0.8.3 itself (cohens_d, hedges_g,
#    glass_delta).  Its CI comes from optim() (Nelder-Mead, abstol 1e-9 on
#    |p - target|) on R's pt(): accurate to ~1e-7 relative for moderate t,
#    but off by ~1e-4 for |ncp| > 37.62 or df > 4e5, where pt() is a normal
#    approximation (and the "L" and "D" cases below show it).
#  - "<tag>_est|lo|hi|t|df|se": the same definitions written out by hand,
#    with the CI limits solved to full precision (ncp_limits() in
#    nct_ref.R: uniroot on pt() where it is accurate, on an independent
#    quadrature elsewhere) -- the values the C code must reproduce.
# Paired d_rm, d_av, d_b (not in effectsize 0.8.3) and all normal-
# approximation CIs: formulas written out by hand (see effect_size.h).
# Run: cd tests/reference && Rscript --vanilla effect_size.R  (~1 min)
suppressPackageStartupMessages({ library(effectsize); library(metafor) })
stopifnot(packageVersion("effectsize") == "0.8.3")
source("nct_ref.R")
out <- character()
put <- function(name, v) out <<- c(out, sprintf("%s %s", name,
  ifelse(is.na(v), "NA", sprintf("%.17g", v))))

A_x <- c(5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7)
A_y <- c(4.2, 4.9, 5.0, 4.4, 4.8, 5.1, 4.0)
H_x <- c(-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NaN, -13)
H_y <- c(-4, -6, -2, -7, -5, -3, -8, -1, -5, -6, -4)
T_x <- c(2, 2, 2, 3, 3)
T_y <- c(1, 1, 2, 2, 2)
N2_x <- c(1, 3)
N2_y <- c(2, 5)
N3_x <- c(1, 3, 2.5)
N3_y <- c(2, 5)
N1_x <- c(4)
N1_y <- c(1, 2, 4.5)
I_x <- c(1.5, 2.5, 3.0, 4.5)
P_post <- c(14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NaN, 17)
P_pre  <- c(24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NaN)
# large |t|: n = 500 per group, difference ~ 23 SD, t ~ 370
i500 <- 1:500
L_x <- 20 + ((i500 %% 7) - 3) * 0.4
L_y <- ((i500 %% 5) - 2) * 0.6
# large df: n = 500000 per group (df ~ 1e6), small difference
i5e5 <- 1:500000
D_x <- ((i5e5 %% 7) - 3) * 0.4 + 0.01
D_y <- ((i5e5 %% 5) - 2) * 0.6

# Hedges' J.  effectsize writes exp(lgamma(df/2) - log(sqrt(df/2)) -
# lgamma((df-1)/2)), whose two lgamma values cancel: ~1e-9 error at df ~ 1e6.
# The same quantity through lbeta (R's lbeta is free of that cancellation):
# lgamma(a + 1/2) - lgamma(a) = lgamma(1/2) - lbeta(a, 1/2), a = (df-1)/2.
J_es <- function(df) exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
J <- function(df) exp(lgamma(0.5) - lbeta((df - 1) / 2, 0.5) - 0.5 * log(df / 2))
stopifnot(abs(J(c(2, 7, 13, 12.5, 1.5, 1000)) / J_es(c(2, 7, 13, 12.5, 1.5, 1000)) - 1) < 1e-12)
alphas <- function(ci, alt) switch(alt,
  two.sided = c(1 - ci, 1 - ci) / 2, less = c(0, 1 - ci), greater = c(1 - ci, 0))

# Hand computation of effectsize's .effect_size_difference (two groups or
# one sample), exact ncp limits.  type: d, g, delta.
es_hand <- function(x, y, type, pooled = TRUE, mu = 0, ci = 0.95, alt = "two.sided") {
  x <- x[!is.na(x)]
  if (is.null(y)) {
    n <- length(x); num <- mean(x) - mu; s <- sd(x); se <- s / sqrt(n)
    df <- n - 1; hn <- 1 / n
  } else {
    y <- y[!is.na(y)]
    n1 <- length(x); n2 <- length(y); num <- mean(x) - mean(y) - mu
    v1 <- if (n1 > 1) var(x) else 0; v2 <- var(y)
    if (type == "delta") {
      s <- sqrt(v2); hn <- 1 / n2 + v1 / (n1 * v2); se <- s * sqrt(hn); df <- n2 - 1
    } else if (pooled) {
      df <- n1 + n2 - 2; s <- sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df)
      hn <- 1 / n1 + 1 / n2; se <- s * sqrt(hn)
    } else {
      s <- sqrt((v1 + v2) / 2); se1 <- sqrt(v1 / n1); se2 <- sqrt(v2 / n2)
      se <- sqrt(se1^2 + se2^2); df <- se^4 / (se1^4 / (n1 - 1) + se2^4 / (n2 - 1))
      hn <- 2 * (n2 * v1 + n1 * v2) / (n1 * n2 * (v1 + v2))
    }
  }
  t <- num / se
  a <- alphas(ci, alt)
  lim <- ncp_limits(t, df, a[1], a[2]) * sqrt(hn)
  f <- if (type == "g") J(df) else 1
  list(est = f * num / s, lo = f * lim[1], hi = f * lim[2], t = t, df = df)
}

emit_hand <- function(tag, h) {
  put(paste0(tag, "_est"), h$est); put(paste0(tag, "_lo"), h$lo)
  put(paste0(tag, "_hi"), h$hi); put(paste0(tag, "_t"), h$t)
  put(paste0(tag, "_df"), h$df)
}
emit_es <- function(tag, r) {
  put(paste0(tag, "_es_est"), r[[1]]); put(paste0(tag, "_es_lo"), r$CI_low)
  put(paste0(tag, "_es_hi"), r$CI_high)
}

run <- function(tag, x, y, type, pooled = TRUE, mu = 0, ci = 0.95,
                alt = "two.sided", es = TRUE) {
  emit_hand(tag, es_hand(x, y, type, pooled, mu, ci, alt))
  if (es) {
    f <- switch(type, d = cohens_d, g = hedges_g, delta = glass_delta)
    args <- list(x = x[!is.na(x)], mu = mu, ci = ci, alternative = alt, verbose = FALSE)
    if (!is.null(y)) args$y <- y[!is.na(y)]
    if (type != "delta") args$pooled_sd <- pooled
    emit_es(tag, suppressWarnings(do.call(f, args)))
  }
}

# --- two groups -----------------------------------------------------------
for (type in c("d", "g", "delta")) {
  run(paste0("A_", type), A_x, A_y, type)
  run(paste0("H_", type), H_x, H_y, type)
  run(paste0("T_", type), T_x, T_y, type)
  run(paste0("N3_", type), N3_x, N3_y, type)
  run(paste0("L_", type), L_x, L_y, type)
  run(paste0("D_", type), D_x, D_y, type)
  run(paste0("A_", type, "_ci90"), A_x, A_y, type, ci = 0.90)
  run(paste0("A_", type, "_less"), A_x, A_y, type, alt = "less")
  run(paste0("A_", type, "_greater99"), A_x, A_y, type, ci = 0.99, alt = "greater")
  run(paste0("H_", type, "_mu"), H_x, H_y, type, mu = -2)
}
for (type in c("d", "g")) {
  run(paste0("A_", type, "_unpooled"), A_x, A_y, type, pooled = FALSE)
  run(paste0("H_", type, "_unpooled"), H_x, H_y, type, pooled = FALSE)
  run(paste0("N2_", type, "_unpooled"), N2_x, N2_y, type, pooled = FALSE)
  run(paste0("L_", type, "_unpooled"), L_x, L_y, type, pooled = FALSE)
  run(paste0("A_", type, "_unpooled_less"), A_x, A_y, type, pooled = FALSE, alt = "less")
  run(paste0("N2_", type), N2_x, N2_y, type)            # df = 2
  run(paste0("N1_", type), N1_x, N1_y, type, es = FALSE) # n1 = 1 (effectsize: NA)
  # one sample
  run(paste0("A1_", type), A_x, NULL, type, mu = 5)
  run(paste0("A1_", type, "_greater"), A_x, NULL, type, mu = 5, alt = "greater")
}
# identical groups: d = 0, symmetric CI (effectsize's optim starts at 0)
emit_hand("I_d", es_hand(I_x, I_x, "d"))
# glass with n2 = 2 (df = 1)
run("N2_delta", N2_x, N2_y, "delta")

# --- paired ---------------------------------------------------------------
ok <- complete.cases(P_post, P_pre)
Px <- P_post[ok]; Py <- P_pre[ok]
paired_hand <- function(x, y, method, mu = 0, ci = 0.95, alt = "two.sided",
                        hedges = FALSE, normal = FALSE) {
  n <- length(x); D <- x - y; m <- mean(D) - mu; df <- n - 1
  r <- cor(x, y)
  a <- alphas(ci, alt)
  if (method == "z") {
    s <- sd(D); d <- m / s; se <- sqrt(1 / n + d^2 / (2 * n))      # Hedges & Olkin 1985
  } else if (method == "rm") {
    s <- sd(D) / sqrt(2 * (1 - r)); d <- m / s
    se <- sqrt((1 / n + d^2 / (2 * n)) * 2 * (1 - r))              # Cooper et al. 2009, 12.21
  } else if (method == "av") {
    s <- sqrt((var(x) + var(y)) / 2); d <- m / s
    se <- sqrt(var(D) / (n * s^2) +                                # delta method
               d^2 * (var(x)^2 + var(y)^2 + 2 * cov(x, y)^2) / (8 * (n - 1) * s^4))
  } else if (method == "b") {
    s <- sd(y); d <- m / s
    se <- sqrt(2 * (1 - r) / n + d^2 / (2 * n))                    # Becker 1988, eq. 6
  }
  if (method == "z" && !normal) {
    t <- m / (sd(D) / sqrt(n))
    lim <- ncp_limits(t, df, a[1], a[2]) / sqrt(n)
    se <- NA
  } else {
    t <- NA
    lim <- c(if (a[1] > 0) d - qnorm(1 - a[1]) * se else -Inf,
             if (a[2] > 0) d + qnorm(1 - a[2]) * se else Inf)
  }
  f <- if (hedges) J(df) else 1
  list(est = f * d, lo = f * lim[1], hi = f * lim[2], t = t, df = df, se = f * se)
}
emit_p <- function(tag, h) { emit_hand(tag, h); put(paste0(tag, "_se"), h$se) }
for (m in c("z", "rm", "av", "b")) {
  emit_p(paste0("P_", m), paired_hand(Px, Py, m))
  emit_p(paste0("P_", m, "_g"), paired_hand(Px, Py, m, hedges = TRUE))
  emit_p(paste0("P_", m, "_mu_less90"), paired_hand(Px, Py, m, mu = -8, ci = 0.9, alt = "less"))
  emit_p(paste0("T_", m), paired_hand(T_x, T_y, m))
}
emit_p("P_z_normal", paired_hand(Px, Py, "z", normal = TRUE))
emit_p("P_z_normal_g", paired_hand(Px, Py, "z", normal = TRUE, hedges = TRUE))
# d_z and g_z are effectsize 0.8.3's paired cohens_d / hedges_g
emit_es("P_z", cohens_d(P_post, P_pre, paired = TRUE, verbose = FALSE))
emit_es("P_z_g", hedges_g(P_post, P_pre, paired = TRUE, verbose = FALSE))
emit_es("P_z_mu_less90", cohens_d(P_post, P_pre, paired = TRUE, mu = -8, ci = 0.9,
                                  alternative = "less", verbose = FALSE))

# --- normal-approximation CIs (two groups, one sample) --------------------
normal_hand <- function(x, y, type, pooled = TRUE, ci = 0.95, alt = "two.sided") {
  x <- x[!is.na(x)]
  a <- alphas(ci, alt)
  if (is.null(y)) {
    n <- length(x); d <- mean(x) / sd(x); df <- n - 1
    se <- sqrt(1 / n + d^2 / (2 * n))                              # Hedges & Olkin 1985
  } else {
    y <- y[!is.na(y)]
    n1 <- length(x); n2 <- length(y); v1 <- var(x); v2 <- var(y)
    diff <- mean(x) - mean(y)
    if (type == "delta") {
      d <- diff / sqrt(v2); df <- n2 - 1
      se <- sqrt(v1 / (n1 * v2) + 1 / n2 + d^2 / (2 * n2))         # metafor "SMD1H" form
    } else if (pooled) {
      df <- n1 + n2 - 2; d <- diff / sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df)
      se <- sqrt(1 / n1 + 1 / n2 + d^2 / (2 * (n1 + n2)))          # Hedges & Olkin 1985
    } else {
      s2 <- (v1 + v2) / 2; d <- diff / sqrt(s2)
      se1 <- sqrt(v1 / n1); se2 <- sqrt(v2 / n2)
      df <- (se1^2 + se2^2)^2 / (se1^4 / (n1 - 1) + se2^4 / (n2 - 1))
      se <- sqrt(d^2 * (v1^2 / (n1 - 1) + v2^2 / (n2 - 1)) / (8 * s2^2) +
                 (v1 / (n1 - 1) + v2 / (n2 - 1)) / s2)              # Bonett 2008
    }
  }
  lim <- c(if (a[1] > 0) d - qnorm(1 - a[1]) * se else -Inf,
           if (a[2] > 0) d + qnorm(1 - a[2]) * se else Inf)
  f <- if (type == "g") J(df) else 1
  list(est = f * d, lo = f * lim[1], hi = f * lim[2], t = NA, df = df, se = f * se)
}
emit_p("A_d_normal", normal_hand(A_x, A_y, "d"))
emit_p("A_g_normal", normal_hand(A_x, A_y, "g"))
emit_p("H_d_normal_less", normal_hand(H_x, H_y, "d", alt = "less"))
emit_p("A_d_unpooled_normal", normal_hand(A_x, A_y, "d", pooled = FALSE))
emit_p("A_g_unpooled_normal90", normal_hand(A_x, A_y, "g", pooled = FALSE, ci = 0.9))
emit_p("A_delta_normal", normal_hand(A_x, A_y, "delta"))
emit_p("A1_d_normal", normal_hand(A_x, NULL, "d"))
# cross-check: the pooled g normal SE^2 is metafor's "SMD" variance, vtype "LS2"
g <- normal_hand(A_x, A_y, "g")
m <- escalc("SMD", m1i = mean(A_x), m2i = mean(A_y), sd1i = sd(A_x), sd2i = sd(A_y),
            n1i = 8, n2i = 7, vtype = "LS2")
stopifnot(abs(m$yi - g$est) < 1e-14, abs(m$vi - g$se^2) < 1e-14)
# and J as effectsize computes it
put("J_2", J(2)); put("J_7", J(7)); put("J_13", J(13)); put("J_1000", J(1000))
put("J_12.5", J(12.5)); put("J_1.5", J(1.5))
writeLines(out, "effect_size.out")
