# One timed dmil_interactions() in a fresh R process (peak memory of its own).
#   Rscript bench/interactions_one.R <measure> <n> <features per view> <threads>
args <- commandArgs(trailingOnly = TRUE)
measure <- args[1]
n <- as.integer(args[2])
p <- as.integer(args[3])
threads <- as.integer(args[4])
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")
sim <- simulate_interactions(n, "mix4", dims = c(p, p), seed = 1)
sim$oracle <- NULL
sim$terms <- NULL
invisible(gc())
reset_peak()  # the peak of the estimator, not of simulating the data
t <- system.time(it <- dmil_interactions(sim$x, sim$y, measure = measure, seed = 1,
                                         nthreads = threads, progress = FALSE))[["elapsed"]]
cat(sprintf("RESULT %s %d %d %d %.3f %.1f %.3f %.1f\n", measure, n, p, threads, t,
            vm_mb("VmHWM"), mean(it$dominant == sim$type), 2 * n * p * 8 / 2^20))
