# How fit time grows with n: one epoch of `joint` and of DMIL Phase A on two
# views of 32 features (default widths) for n = 1e4, 1e5, 1e6, each in a
# fresh R process (bench/dmil_reference.R), median of REPS runs; prints the
# log-log slope of seconds against n and the peak memory against the input.
# Run from the repository root: Rscript bench/scaling.R  (part of make bench-torch)
reps <- as.integer(Sys.getenv("REPS", "3"))
threads <- as.integer(Sys.getenv("THREADS", "2"))
ns <- c(1e4, 1e5, 1e6)
source("bench/harness.R")
rows <- list()
for (model in c("joint", "dmil")) for (n in ns) {
  cf <- list(n = n, d = 32, hidden = 64, latent = 16, batch = 64, classes = 2, epochs = 1)
  runs <- t(vapply(seq_len(reps), function(r) {
    res <- run_dmil(model, cf, threads)
    c(seconds = n / res[["sps"]], peak = res[["peak"]], input = res[["input"]])
  }, numeric(3)))
  rows[[length(rows) + 1]] <- data.frame(model = model, n = n, seconds = median(runs[, "seconds"]),
                                         peak_mb = max(runs[, "peak"]), input_mb = runs[1, "input"])
}
tab <- do.call(rbind, rows)
tab$peak_over_input <- tab$peak_mb / tab$input_mb
cat(sprintf("One epoch, two views of 32 features, hidden 64, batch 64, %d thread(s), median of %d\n\n",
            threads, reps))
print(tab, row.names = FALSE, digits = 3)
cat("\nlog-log slope of seconds on n (1e4 to 1e6):\n")
print(round(sapply(split(tab, tab$model), function(d) unname(coef(lm(log(seconds) ~ log(n), d))[2])), 3))
