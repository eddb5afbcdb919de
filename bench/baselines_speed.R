# Time per epoch of the field's baselines against `joint` (issue 12's
# budget: at most 2 times), on the default configuration of
# bench/harness.R: n = 4000, two views of 16 features, hidden 64, batch 64,
# 20 epochs, no validation part. Medians of 3 fits per method and thread
# count, methods alternating. Run from the repository root:
#   Rscript bench/baselines_speed.R [methods=joint,late,ogm,umt,i2moe,interaction_ensemble]
#                                   [reps=3]
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
methods <- strsplit(bench_opt("methods", "joint,late,ogm,umt,i2moe,interaction_ensemble"), ",")[[1]]
reps <- as.integer(bench_opt("reps", "3"))
n <- 4000L
epochs <- 20L
set.seed(1)
x <- list(a = matrix(rnorm(n * 16), n), b = matrix(rnorm(n * 16), n))
y <- factor(sample.int(2, n, replace = TRUE))
secs <- array(NA_real_, c(length(methods), 2, reps), list(methods, c("1", "2"), NULL))
for (r in seq_len(reps)) for (th in 1:2) for (m in methods) {
  t0 <- proc.time()[["elapsed"]]
  dmil_fit(x, y, method = m, epochs = epochs, batch_size = 64, validation = 0, seed = r,
           nthreads = th, progress = FALSE)
  secs[m, th, r] <- (proc.time()[["elapsed"]] - t0) / epochs
}
med <- apply(secs, 1:2, stats::median)
cat(sprintf("Seconds per epoch (median of %d), n = %d, batch 64, hidden 64\n", reps, n))
out <- data.frame(method = methods, ms_1thread = 1000 * med[, "1"], ms_2threads = 1000 * med[, "2"],
                  vs_joint_1 = med[, "1"] / med["joint", "1"], vs_joint_2 = med[, "2"] / med["joint", "2"])
print(out, row.names = FALSE, digits = 3)
