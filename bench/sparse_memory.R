# A bag-of-words view of 10^5 columns as a sparse matrix (Matrix package):
# fitted without ever being dense. Prints the time and the peak memory of
# the process (run it alone; the dense copy of the view alone would take
# n * p * 8 bytes). Run from the repository root:
#   /usr/bin/time -v Rscript bench/sparse_memory.R [n] [p] [density]
suppressPackageStartupMessages({
  library(dmil)
  library(Matrix)
})
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.integer(args[1]) else 5000L
p <- if (length(args) >= 2) as.integer(args[2]) else 100000L
density <- if (length(args) >= 3) as.numeric(args[3]) else 0.001
set.seed(1)
y <- factor(sample(0:1, n, TRUE))
# words: the first 50 appear more often in class 1
words <- rsparsematrix(n, p, density = density, rand.x = function(k) rpois(k, 2) + 1)
signal <- rsparsematrix(n, 50, density = 0.1, rand.x = function(k) rep(1, k)) * (as.integer(y) - 1)
words[, 1:50] <- words[, 1:50] + signal
colnames(words) <- paste0("w", seq_len(p))
other <- matrix(rnorm(n * 10) + (as.integer(y) - 1) * 0.5, n)
x <- list(text = words, meta = other)
cat(sprintf("n = %d, p = %d, %d stored values (%.1f MB); dense: %.1f GB\n", n, p, length(words@x),
            object.size(words) / 2^20, n * p * 8 / 2^30))
t0 <- proc.time()[["elapsed"]]
fit <- suppressMessages(dmil_fit(x, y, method = "late", epochs = 5, seed = 1, nthreads = 2,
                                 progress = FALSE))
cat(sprintf("late fusion, 5 epochs: %.1f s; validation accuracy %.3f\n",
            proc.time()[["elapsed"]] - t0, glance(fit)$val_accuracy))
t0 <- proc.time()[["elapsed"]]
pred <- predict(fit, x, nthreads = 2)
cat(sprintf("prediction of the %d samples: %.1f s\n", n, proc.time()[["elapsed"]] - t0))
