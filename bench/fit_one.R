# One timed dmil_fit() in a fresh R process, so that the peak memory (VmHWM)
# belongs to this configuration alone. Called by fit_speed.R:
#   Rscript bench/fit_one.R <method> <n> <features per view> <epochs> <threads> <batch> <hidden>
args <- commandArgs(trailingOnly = TRUE)
method <- args[1]
n <- as.integer(args[2])
p <- as.integer(args[3])
epochs <- as.integer(args[4])
threads <- as.integer(args[5])
batch <- as.integer(args[6])
hidden <- as.integer(args[7])
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")

set.seed(1)
a <- sample(0:1, n, TRUE)
b <- sample(0:1, n, TRUE)
x <- list(a = matrix(rnorm(n * p, sd = 0.5), n, p) + (2 * a - 1),
          b = matrix(rnorm(n * p, sd = 0.5), n, p) + (2 * b - 1))
y <- factor(xor(a, b))
invisible(gc())
rss_before <- vm_mb("VmRSS")
reset_peak()  # the peak of the fit, not of simulating the data
t <- system.time(fit <- dmil_fit(x, y, method = method, epochs = epochs, batch_size = batch,
                                 hidden = hidden, validation = 0.1, seed = 1,
                                 nthreads = threads, progress = FALSE))[["elapsed"]]
peak <- vm_mb("VmHWM")
passes <- sum(tapply(fit$history$epoch, fit$history$net, max)) * (n - fit$n_val)
cat(sprintf("RESULT %s %d %d %d %d %.4f %.0f %.1f %.1f %.1f\n", method, n, p, epochs, threads, t,
            passes / t, rss_before, peak, 2 * n * p * 8 / 2^20))
