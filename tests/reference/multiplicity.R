# Reference values for tests/test_multiplicity.c: R's stats::p.adjust().
# Run: cd tests/reference && Rscript --vanilla multiplicity.R
# Writes multiplicity.out: lines "name value" (value %.17g or NA).
# For every case: pa.<case>.n, the inputs pa.<case>.p.<i> (1-based, NA =
# missing) and pa.<case>.<method>.<i> for each method.
out <- file("multiplicity.out", "w")
put <- function(name, value) {
  cat(sprintf("%s %s\n", name,
              ifelse(is.na(value), "NA", sprintf("%.17g", value))), file = out)
}
methods <- c("bonferroni", "holm", "hochberg", "hommel", "BH", "BY")
cat(sprintf("# R %s, stats::p.adjust\n", getRversion()), file = out)
emit <- function(case, p) {
  put(sprintf("pa.%s.n", case), length(p))
  for (i in seq_along(p)) put(sprintf("pa.%s.p.%d", case, i), p[i])
  for (m in methods) {
    a <- p.adjust(p, m)
    for (i in seq_along(p)) put(sprintf("pa.%s.%s.%d", case, m, i), a[i])
  }
}
emit("basic", c(0.01, 0.02, 0.03, 0.04, 0.05))
emit("ties", c(0.03, 0.01, 0.2, 0.03, 0.01, 0.5, 0.03))
emit("zeroone", c(0, 0.5, 1, 0.001, 1, 0))
emit("na", c(NA, 0.04, NA, 0.01, 0.03, 0.2))
emit("allna", c(NA_real_, NA_real_, NA_real_))
emit("n0", numeric(0))
emit("n1", c(0.03))
emit("n1na", c(NA, 0.02))
emit("n2", c(0.04, 0.01))
emit("n3", c(0.02, 0.03, 0.04))
emit("equal", rep(0.02, 6))
emit("tiny", c(1e-300, 5e-12, 3e-8, 0.7, 2e-300))
set.seed(20240501)
for (r in 1:10) {
  p <- if (r %% 3 == 0) round(runif(50), 2)          # many ties
       else if (r %% 3 == 1) rbeta(50, 0.3, 4)       # many small p
       else runif(50)
  if (r == 5) p[c(3, 17, 40)] <- NA
  emit(sprintf("rand%d", r), p)
}
emit("big", c(rbeta(150, 0.2, 5), runif(50)))
close(out)
