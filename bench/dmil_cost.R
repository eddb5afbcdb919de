# Cost of a default DMIL fit against a default joint fit (the issue's
# budget: at most 3 times), and where DMIL's time goes: the network's
# phases and the pool's members. MIX4, n = 20000,
# K = 2, 2 threads. Run from the repository root:
#   Rscript bench/dmil_cost.R [n] [threads]
suppressPackageStartupMessages(library(dmil))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.integer(args[1]) else 20000L
threads <- if (length(args) >= 2) as.integer(args[2]) else 2L
sim <- simulate_interactions(n, "mix4", K = 2, sigma = 0.5, kappa = c(1, 0.6), seed = 1)
time_fit <- function(...) {
  t0 <- proc.time()[["elapsed"]]
  fit <- dmil_fit(sim$x, sim$y, seed = 1, nthreads = threads, progress = FALSE, ...)
  list(seconds = proc.time()[["elapsed"]] - t0, fit = fit)
}
runs <- list(
  joint = time_fit(method = "joint"),
  late = time_fit(method = "late"),
  early = time_fit(method = "early"),
  dmil = time_fit(method = "dmil"),
  dmil_network = time_fit(method = "dmil", control = dmil_control(members = character())),
  dmil_phase_a = time_fit(method = "dmil", control = dmil_control(finetune = FALSE, members = character())),
  dmil_pool_a = time_fit(method = "dmil", control = dmil_control(finetune = FALSE))
)
cat(sprintf("MIX4 n = %d, %d threads, default settings (seconds, epochs run)\n", n, threads))
for (nm in names(runs)) {
  f <- runs[[nm]]$fit
  ep <- paste(tapply(f$history$epoch, paste(f$history$net, f$history$stage), max), collapse = " ")
  cat(sprintf("  %-14s %7.1f s   epochs %s\n", nm, runs[[nm]]$seconds, ep))
}
# Phase B alone: the scores dmil_fit() computes, on the same training rows
fit <- runs$dmil$fit
train <- setdiff(seq_along(sim$y), fit$val_rows)
t0 <- proc.time()[["elapsed"]]
invisible(suppressWarnings(dmil_interactions(
  lapply(sim$x, function(v) v[train, , drop = FALSE]), sim$y[train], repeats = 1,
  folds = attr(fit$interactions, "dmil")$folds, nthreads = threads, progress = FALSE)))
phase_b <- proc.time()[["elapsed"]] - t0
a <- runs$dmil_phase_a$seconds
net <- runs$dmil_network$seconds
j <- runs$joint$seconds
cat(sprintf("\nDMIL / joint: %.2f; the network alone %.2f (Phase A %.1f s = %.2f x joint, Phase B about %.1f s, Phase C about %.1f s); the pool's members about %.1f s = %.2f x joint\n",
            runs$dmil$seconds / j, net / j, a, a / j, phase_b, net - a - phase_b,
            runs$dmil$seconds - net, (runs$dmil$seconds - net) / j))
cat(sprintf("Phase A network pooled (finetune = FALSE) / joint: %.2f\n", runs$dmil_pool_a$seconds / j))
