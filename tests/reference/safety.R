# Reference values for tests/test_safety.c (adverse events, vitals and
# dissociation).  R 4.2: binom.test (Clopper-Pearson), prop.test (Wilson
# limits for Newcombe's hybrid score RD CI), fisher.test, quantile type 7.
# Run: cd tests/reference && Rscript --vanilla safety.R
# Writes safety.out: lines "name value" (value %.17g or NA).
out <- character()
put <- function(name, value) {
  value <- as.numeric(value)
  stopifnot(length(value) == 1)
  out <<- c(out, paste(name, if (is.na(value)) "NA" else sprintf("%.17g", value)))
}
cc <- c(participant_id = "character", site = "character")
wide <- read.csv("../../datasets/kap_trial_wide.csv", colClasses = cc, na.strings = c("", "NA"))
small <- read.csv("subgroup_small.csv", colClasses = cc, na.strings = c("", "NA"))
z <- qnorm(0.975)

ae_emit <- function(tag, d, treat, control) {
  cols <- grep("^ae_", names(d), value = TRUE)
  terms <- sub("^ae_", "", cols)
  tot <- numeric(0)
  rows <- list()
  for (j in seq_along(cols)) {
    f <- d[[cols[j]]]
    rows[[j]] <- list(f[d$arm == treat], f[d$arm == control])
  }
  # any AE: event if any term is 1; recorded if any term is recorded
  fm <- as.matrix(d[cols])
  anyev <- ifelse(rowSums(!is.na(fm)) == 0, NA, as.numeric(rowSums(fm == 1, na.rm = TRUE) > 0))
  rows[[length(cols) + 1]] <- list(anyev[d$arm == treat], anyev[d$arm == control])
  names(rows) <- c(terms, "ANY")
  for (nm in names(rows)) {
    x1 <- rows[[nm]][[1]]; x2 <- rows[[nm]][[2]]
    e1 <- sum(x1, na.rm = TRUE); n1 <- sum(!is.na(x1)); e2 <- sum(x2, na.rm = TRUE); n2 <- sum(!is.na(x2))
    tg <- sprintf("%s.%s", tag, nm)
    put(paste0(tg, ".e1"), e1); put(paste0(tg, ".n1"), n1); put(paste0(tg, ".nr1"), sum(is.na(x1)))
    put(paste0(tg, ".e2"), e2); put(paste0(tg, ".n2"), n2); put(paste0(tg, ".nr2"), sum(is.na(x2)))
    b1 <- binom.test(e1, n1)$conf.int; b2 <- binom.test(e2, n2)$conf.int
    put(paste0(tg, ".p1.lo"), b1[1]); put(paste0(tg, ".p1.hi"), b1[2])
    put(paste0(tg, ".p2.lo"), b2[1]); put(paste0(tg, ".p2.hi"), b2[2])
    w1 <- suppressWarnings(prop.test(e1, n1, correct = FALSE)$conf.int)
    w2 <- suppressWarnings(prop.test(e2, n2, correct = FALSE)$conf.int)
    p1 <- e1 / n1; p2 <- e2 / n2; dd <- p1 - p2
    put(paste0(tg, ".rd"), dd)
    put(paste0(tg, ".rd.lo"), dd - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2))
    put(paste0(tg, ".rd.hi"), dd + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
    ok <- e1 > 0 && e2 > 0
    se <- sqrt(1 / e1 - 1 / n1 + 1 / e2 - 1 / n2)
    put(paste0(tg, ".rr"), if (ok) p1 / p2 else NA)
    put(paste0(tg, ".rr.lo"), if (ok) exp(log(p1 / p2) - z * se) else NA)
    put(paste0(tg, ".rr.hi"), if (ok) exp(log(p1 / p2) + z * se) else NA)
    put(paste0(tg, ".fisher.p"), fisher.test(matrix(c(e1, e2, n1 - e1, n2 - e2), 2))$p.value)
    if (nm != "ANY") tot[nm] <- e1 + e2
  }
  ord <- order(-tot, names(tot), method = "radix")
  for (i in seq_along(ord)) put(sprintf("%s.%s.pos", tag, names(tot)[ord[i]]), i - 1)
}
ae_emit("ae", wide, "ketamine", "active_placebo")
ae_emit("ae_small", small, "trt", "ctl")

# vitals and dissociation: instrument x visit x arm (arms in byte order)
thr <- list(hr = c(110, 20), sbp = c(180, 40), dbp = c(110, 25), cadss = c(4, NA))
arms <- sort(unique(wide$arm), method = "radix")
for (ins in c("cadss", "hr", "sbp", "dbp")) {
  for (vis in c("baseline", "day1")) {
    for (a in seq_along(arms)) {
      s <- wide[wide$arm == arms[a], ]
      x <- s[[paste0(ins, "_", vis)]]; b <- s[[paste0(ins, "_baseline")]]
      tg <- sprintf("vit.%s.%s.a%d", ins, vis, a - 1)
      xx <- x[!is.na(x)]
      put(paste0(tg, ".n"), length(xx)); put(paste0(tg, ".mean"), mean(xx))
      put(paste0(tg, ".sd"), sd(xx))
      q <- quantile(xx, c(0.25, 0.5, 0.75), type = 7)
      put(paste0(tg, ".q1"), q[1]); put(paste0(tg, ".median"), q[2]); put(paste0(tg, ".q3"), q[3])
      if (vis != "baseline") {
        ch <- (x - b)[!is.na(x - b)]
        put(paste0(tg, ".chg.n"), length(ch)); put(paste0(tg, ".chg.mean"), mean(ch))
        put(paste0(tg, ".chg.sd"), sd(ch))
      }
      th <- thr[[ins]]
      ex <- xx > th[1]
      if (vis != "baseline" && !is.na(th[2])) {
        bb <- b[!is.na(x)]
        ex <- ex | (!is.na(bb) & (xx - bb) > th[2])
      }
      put(paste0(tg, ".nex"), sum(ex))
      bt <- binom.test(sum(ex), length(xx))$conf.int
      put(paste0(tg, ".ex.lo"), bt[1]); put(paste0(tg, ".ex.hi"), bt[2])
    }
  }
}
writeLines(c(sprintf("# R %s", getRversion()), out), "safety.out")
cat("wrote safety.out:", length(out), "values\n")
