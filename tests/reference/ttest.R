# Reference values for tests/test_ttest.c: R 4.2 stats::t.test.
# Data sets are typed inline here and mirrored in the C test.
# Run: cd tests/reference && Rscript --vanilla ttest.R
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
N1_x <- c(4)
N1_y <- c(1, 2, 4.5)
P_post <- c(14, 20, 15, 24, 13, 18, 21, 12, 22, 16, NaN, 17)
P_pre  <- c(24, 27, 22, 30, 26, 25, 28, 23, 29, 21, 26, NaN)

emit <- function(tag, r, two) {
  est <- if (two) unname(r$estimate[1] - r$estimate[2]) else unname(r$estimate)
  put(paste0(tag, "_estimate"), est)
  put(paste0(tag, "_se"), r$stderr)
  put(paste0(tag, "_t"), unname(r$statistic))
  put(paste0(tag, "_df"), unname(r$parameter))
  put(paste0(tag, "_p"), r$p.value)
  put(paste0(tag, "_ci_low"), r$conf.int[1])
  put(paste0(tag, "_ci_high"), r$conf.int[2])
}

two_sets <- list(A = list(A_x, A_y), H = list(H_x, H_y), T = list(T_x, T_y),
                 N2 = list(N2_x, N2_y), BIG = list(A_x * 1e150, A_y * 1e150),
                 TINY = list(A_x * 1e-150, A_y * 1e-150))
for (nm in names(two_sets)) {
  x <- two_sets[[nm]][[1]]; y <- two_sets[[nm]][[2]]
  emit(paste0(nm, "_student"), t.test(x, y, var.equal = TRUE), TRUE)
  if (nm %in% c("BIG", "TINY")) {
    # R's own Welch df is NaN here: stderr^4 overflows (1e150 data) or
    # underflows (1e-150 data).  The test is scale invariant, so the
    # reference is t.test on the data divided by the scale, with estimate,
    # SE and CI multiplied back (t, df and p unchanged).
    stopifnot(is.nan(t.test(x, y)$parameter))
    sc <- if (nm == "BIG") 1e150 else 1e-150
    r <- t.test(x / sc, y / sc)
    r$estimate <- r$estimate * sc; r$stderr <- r$stderr * sc; r$conf.int <- r$conf.int * sc
    emit(paste0(nm, "_welch"), r, TRUE)
  } else {
    emit(paste0(nm, "_welch"), t.test(x, y), TRUE)
  }
}
# alternatives, other levels, mu
emit("A_welch_less90", t.test(A_x, A_y, alternative = "less", conf.level = 0.9), TRUE)
emit("A_welch_greater90", t.test(A_x, A_y, alternative = "greater", conf.level = 0.9), TRUE)
emit("A_student_mu_greater", t.test(A_x, A_y, var.equal = TRUE, mu = 0.5, alternative = "greater"), TRUE)
emit("H_welch_mu99", t.test(H_x, H_y, mu = -2, conf.level = 0.99), TRUE)
emit("H_welch_less", t.test(H_x, H_y, alternative = "less"), TRUE)
emit("N1_student", t.test(N1_x, N1_y, var.equal = TRUE), TRUE)
# one sample
emit("A_one_mu5", t.test(A_x, mu = 5), FALSE)
emit("A_one_less", t.test(A_x, mu = 5.8, alternative = "less", conf.level = 0.8), FALSE)
emit("H_one", t.test(H_x), FALSE)
# paired (x - y = post - pre)
emit("P_paired", t.test(P_post, P_pre, paired = TRUE), FALSE)
emit("P_paired_mu_greater", t.test(P_post, P_pre, paired = TRUE, mu = -8, alternative = "greater", conf.level = 0.9), FALSE)
emit("T_paired", t.test(T_x, T_y, paired = TRUE), FALSE)
writeLines(out, "ttest.out")
