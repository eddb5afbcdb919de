# Runs dmil (bench/dmil_reference.R) and PyTorch (bench/torch_reference.py)
# side by side, alternating, on the configurations of the performance
# issue, and prints one table. Called by bench/run.sh after gemm_peak.
source("bench/harness.R")
reps <- as.integer(Sys.getenv("REPS", "3"))
configs <- bench_configs()
models <- strsplit(Sys.getenv("MODELS", "joint dmil"), " ")[[1]]

# torch.set_num_threads() governs PyTorch's own OpenMP pool only: Debian's
# PyTorch does its matrix products in the system OpenBLAS, whose threads
# follow OPENBLAS_NUM_THREADS (default: every core). So each PyTorch run is
# given the thread budget explicitly, and with 2 threads it runs in two
# arrangements, the faster of which is reported: OpenBLAS on both threads
# with a passive OpenMP pool (which otherwise spins on the cores OpenBLAS
# needs), or OpenBLAS on one thread under PyTorch's two.
torch_envs <- function(threads) {
  base <- c(sprintf("OMP_NUM_THREADS=%d", threads))
  if (threads == 1) return(list(blas1 = c(base, "OPENBLAS_NUM_THREADS=1")))
  list(blas2_passive = c(base, sprintf("OPENBLAS_NUM_THREADS=%d", threads), "OMP_WAIT_POLICY=PASSIVE"),
       blas1 = c(base, "OPENBLAS_NUM_THREADS=1"))
}
run_torch <- function(model, cf, threads, env) {
  out <- system2("/usr/bin/python3", c("bench/torch_reference.py", "--model", model, "--n", num(cf$n),
                                       "--d", cf$d, "--hidden", cf$hidden, "--latent", cf$latent,
                                       "--batch", cf$batch, "--classes", cf$classes,
                                       "--epochs", cf$epochs, "--threads", threads),
                 stdout = TRUE, env = env)
  line <- grep('"impl": "torch"', out, value = TRUE)
  c(sps = json_field(line, "samples_per_s"), peak = json_field(line, "peak_mb"))
}

# The peak is the best rate gemm_peak measured at any size: 1 thread, and
# 2 threads either as one 2-thread sgemm or two 1-thread ones side by side.
peak_lines <- grep("^ *[0-9]+ x", readLines("bench/out/gemm_peak.txt"), value = TRUE)
rates <- do.call(rbind, lapply(regmatches(peak_lines, gregexpr("[0-9.]+", peak_lines)),
                               function(v) as.numeric(v)[4:6]))
peak <- c(`1` = max(rates[, 1]), `2` = max(rates[, 2:3]))

rows <- list()
for (cfn in names(configs)) {
  cf <- configs[[cfn]]
  for (model in models) for (threads in 1:2) {
    envs <- torch_envs(threads)
    dm <- list()
    tr <- lapply(envs, function(e) list())
    for (r in seq_len(reps)) {
      dm[[r]] <- run_dmil(model, cf, threads)
      for (e in names(envs)) tr[[e]][[r]] <- run_torch(model, cf, threads, envs[[e]])
    }
    dm <- do.call(rbind, dm)
    tr <- lapply(tr, function(v) do.call(rbind, v))
    best <- names(envs)[which.max(vapply(tr, function(v) stats::median(v[, "sps"]), 0))]
    tr <- tr[[best]]
    rows[[length(rows) + 1]] <- data.frame(
      config = cfn, model = if (model == "dmil") "dmil (Phase A)" else model, threads = threads,
      dmil_sps = stats::median(dm[, "sps"]), torch_sps = stats::median(tr[, "sps"]),
      ratio = stats::median(dm[, "sps"]) / stats::median(tr[, "sps"]),
      dmil_gflops = stats::median(dm[, "gflops"]),
      peak_fraction = stats::median(dm[, "gflops"]) / peak[[as.character(threads)]],
      dmil_peak_mb = max(dm[, "peak"]), input_mb = dm[1, "input"], torch_peak_mb = max(tr[, "peak"]),
      torch_blas = best,
      checksum = dm[1, "checksum"])
    with(rows[[length(rows)]], message(sprintf("%s %s, %d thread(s): dmil %.0f, PyTorch %.0f samples/s",
                                               cfn, model, threads, dmil_sps, torch_sps)))
  }
}
tab <- do.call(rbind, rows)
# the same fit on 1 and 2 threads must be identical
same <- tapply(tab$checksum, paste(tab$config, tab$model), function(v) length(unique(v)) == 1)
cat(sprintf("\ndmil %s vs PyTorch %s; sgemm peak (best size) %.0f GFLOP/s (1 thread), %.0f (2 threads); medians of %d repetitions\n\n",
            utils::packageVersion("dmil"),
            system2("/usr/bin/python3", c("-c", shQuote("import torch; print(torch.__version__)")), stdout = TRUE),
            peak[["1"]], peak[["2"]], reps))
shown <- tab[setdiff(names(tab), "checksum")]
shown$dmil_sps <- round(shown$dmil_sps)
shown$torch_sps <- round(shown$torch_sps)
print(shown, row.names = FALSE, digits = 3)
speedup <- with(tab, tapply(dmil_sps, paste(config, model), function(v) v[2] / v[1]))
cat("\n2 threads / 1 thread (dmil):\n")
print(round(speedup, 2))
cat("\nIdentical parameters for 1 and 2 threads:", all(same), "\n")
saveRDS(tab, "bench/out/compare_torch.rds")
