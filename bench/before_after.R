# dmil against an earlier dmil on the configurations of bench/harness.R,
# alternating the two in fresh R processes. Install the earlier version into
# its own library first, e.g.
#   git worktree add /tmp/before <commit> && R CMD INSTALL -l /tmp/before_lib /tmp/before
#   BEFORE_LIB=/tmp/before_lib Rscript bench/before_after.R
# Environment: BEFORE_LIB (required), REPS (default 3), CONFIGS.
source("bench/harness.R")
before_lib <- Sys.getenv("BEFORE_LIB")
if (!file.exists(file.path(before_lib, "dmil", "DESCRIPTION"))) {
  # otherwise R_LIBS falls through to the current dmil and both columns agree
  stop("set BEFORE_LIB to a library that holds the earlier dmil")
}
reps <- as.integer(Sys.getenv("REPS", "3"))

rows <- list()
for (cfn in names(bench_configs())) {
  cf <- bench_configs()[[cfn]]
  for (model in c("joint", "dmil")) for (threads in 1:2) {
    before <- after <- numeric()
    for (r in seq_len(reps)) {
      before[r] <- run_dmil(model, cf, threads, lib = before_lib)[["sps"]]
      after[r] <- run_dmil(model, cf, threads)[["sps"]]
    }
    rows[[length(rows) + 1]] <- data.frame(
      config = cfn, model = if (model == "dmil") "dmil (Phase A)" else model, threads = threads,
      before_sps = round(stats::median(before)), after_sps = round(stats::median(after)),
      speedup = stats::median(after) / stats::median(before))
    message(sprintf("%s %s, %d thread(s): before %.0f, after %.0f samples/s",
                    cfn, model, threads, stats::median(before), stats::median(after)))
  }
}
cat(sprintf("\nsamples/s, medians of %d repetitions\n\n", reps))
print(do.call(rbind, rows), row.names = FALSE, digits = 3)
