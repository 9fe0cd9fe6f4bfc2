#!/usr/bin/Rscript --vanilla
# Parse peer: data.table::fread, parse only (nothing is stored).
#   Rscript --vanilla bench/peer_fread.R THREADS FILE...
# Sets setDTthreads(THREADS) (the thread count kapstats gets), reads each
# file with fread(na.strings = "") and prints one line
#   {"threads": T, "rows": R, "fread_s": S, "files": N}
# where fread_s is the elapsed time of the fread calls alone (no R start-up,
# no package loading); bench/run.sh also times the whole process.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: peer_fread.R THREADS FILE...")
suppressPackageStartupMessages(library(data.table))
setDTthreads(as.integer(args[1]))
rows <- 0
t <- 0
for (f in args[-1]) {
    t0 <- proc.time()[["elapsed"]]
    dt <- fread(f, na.strings = "", showProgress = FALSE)
    t <- t + (proc.time()[["elapsed"]] - t0)
    rows <- rows + nrow(dt)
    rm(dt)
}
cat(sprintf('{"threads": %d, "rows": %d, "fread_s": %.4f, "files": %d, "data.table": "%s"}\n',
            getDTthreads(), as.integer(rows), t, length(args) - 1L,
            as.character(packageVersion("data.table"))))
