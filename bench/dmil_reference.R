# dmil's side of bench/run.sh: one timed fit in a fresh R process.
#   Rscript bench/dmil_reference.R <joint|dmil> <n> <features per view> <hidden>
#           <latent> <batch> <classes> <epochs> <threads>
# DMIL is timed for its network's Phase A only (control =
# dmil_control(finetune = FALSE, members = character()): no pool), the part
# the PyTorch reference implements, with the loss terms that
# reference computes (the package's original design; the defaults now turn
# most of them off); no validation part. The time
# is that of the whole dmil_fit() call (checks, standardisation, copying the
# data to float), while PyTorch's is its training loop alone.
args <- as.list(commandArgs(trailingOnly = TRUE))
model <- args[[1]]
v <- as.integer(unlist(args[-1]))
names(v) <- c("n", "d", "hidden", "latent", "batch", "classes", "epochs", "threads")
suppressPackageStartupMessages(library(dmil))
source("bench/flops.R")
source("bench/harness.R")

set.seed(1)
x <- list(a = matrix(rnorm(v[["n"]] * v[["d"]]), v[["n"]]),
          b = matrix(rnorm(v[["n"]] * v[["d"]]), v[["n"]]))
y <- factor(sample.int(v[["classes"]], v[["n"]], replace = TRUE))
input_mb <- 2 * v[["n"]] * v[["d"]] * 8 / 2^20
invisible(gc())
rss0 <- vm_mb("VmRSS")
reset_peak()
t <- system.time({
  fit <- if (model == "joint") {
    dmil_fit(x, y, method = "joint", hidden = v[["hidden"]], epochs = v[["epochs"]],
             batch_size = v[["batch"]], validation = 0, seed = 1, nthreads = v[["threads"]])
  } else {
    dmil_fit(x, y, hidden = v[["hidden"]], epochs = v[["epochs"]], batch_size = v[["batch"]],
             validation = 0, seed = 1, nthreads = v[["threads"]],
             control = dmil_control(latent = v[["latent"]], finetune = FALSE, lambda_uni = 1,
                                    lambda_red = 0.5, lambda_align = 0.1, lambda_orth = 0.1,
                                    lambda_anova = 0.1, members = character()))
  }
})[["elapsed"]]
peak <- vm_mb("VmHWM")
fl <- if (model == "joint") flops_joint(v[["d"]], v[["hidden"]], v[["classes"]]) else
  flops_dmil(v[["d"]], v[["hidden"]], v[["latent"]], v[["classes"]])
sps <- v[["n"]] * v[["epochs"]] / t
# equal for equal parameter vectors; 1 and 2 threads must agree
theta <- unlist(lapply(fit$nets, `[[`, "theta"))
checksum <- sum(theta * seq_along(theta))
cat(sprintf('{"impl": "dmil", "model": "%s", "n": %d, "threads": %d, "seconds": %.4f, "samples_per_s": %.1f, "gflops": %.2f, "peak_mb": %.1f, "rss_before_mb": %.1f, "input_mb": %.1f, "checksum": %.17g}\n',
            model, v[["n"]], v[["threads"]], t, sps, sps * fl / 1e9, peak, rss0, input_mb,
            checksum))
