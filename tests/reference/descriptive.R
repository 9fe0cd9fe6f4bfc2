# Reference values for tests/test_descriptive.c (R 4.2: mean, sd, quantile
# type 7, t-based CI of the mean as in t.test).  Data sets are typed inline
# here and mirrored in the C test.
# Run: cd tests/reference && Rscript --vanilla descriptive.R
out <- character()
put <- function(name, v) out <<- c(out, sprintf("%s %s", name, ifelse(is.na(v), "NA", sprintf("%.17g", v))))

sets <- list(
  a     = c(5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7),
  hamd  = c(-12, -8, -15, -3, -9, -11, -7, -14, -6, -10, -9, NaN, -13),
  ties  = c(2, 2, 2, 3, 3, 2, NaN, 3),
  two   = c(1, 3),
  big   = c(5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7) * 1e150,
  tiny  = c(5.1, 4.8, 6.0, 5.5, 5.9, 6.3, 4.9, 5.7) * 1e-150,
  const = c(7.25, 7.25, 7.25, 7.25),
  odd   = c(3.2, -1.5, 8.25, 0, 2.5, 2.5, 11, -4.75, 6)
)
for (nm in names(sets)) {
  x <- sets[[nm]]
  n_missing <- sum(is.na(x))
  x <- x[!is.na(x)]
  n <- length(x)
  put(paste0(nm, "_n"), n)
  put(paste0(nm, "_n_missing"), n_missing)
  put(paste0(nm, "_mean"), mean(x))
  put(paste0(nm, "_sd"), sd(x))
  put(paste0(nm, "_se"), sd(x) / sqrt(n))
  q <- quantile(x, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
  put(paste0(nm, "_q1"), q[1]); put(paste0(nm, "_median"), q[2]); put(paste0(nm, "_q3"), q[3])
  put(paste0(nm, "_min"), min(x)); put(paste0(nm, "_max"), max(x))
  for (cl in c(0.95, 0.9, 0.99)) {
    tag <- sprintf("%s_ci%02d", nm, round(100 * cl))
    qt_ <- qt(1 - (1 - cl) / 2, n - 1)
    put(paste0(tag, "_low"), mean(x) - qt_ * sd(x) / sqrt(n))
    put(paste0(tag, "_high"), mean(x) + qt_ * sd(x) / sqrt(n))
  }
}
# The CI is the one t.test reports (same formula).
stopifnot(all.equal(as.numeric(t.test(sets$a)$conf.int),
  mean(sets$a) + c(-1, 1) * qt(0.975, 7) * sd(sets$a) / sqrt(8), tolerance = 1e-14))
writeLines(out, "descriptive.out")
