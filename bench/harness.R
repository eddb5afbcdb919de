# Shared by the bench scripts (run from the repository root): the
# configurations of the performance issue, one timed dmil fit in a fresh R
# process, this process's memory figures, and name=value arguments.

# The value of the command-line argument `name=value`, else `default`.
bench_opt <- function(name, default, args = commandArgs(trailingOnly = TRUE)) {
  hit <- grep(paste0("^", name, "="), args, value = TRUE)
  if (length(hit)) sub("^[^=]*=", "", hit[1]) else default
}

# VmRSS, VmHWM (peak), ... of this process in MB (Linux).
vm_mb <- function(field) {
  line <- grep(paste0("^", field, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line)) / 1024
}

# Resets the peak (VmHWM) to the current size, so that the next reading
# belongs to what runs after, not to setting up its data.
reset_peak <- function() writeLines("5", "/proc/self/clear_refs")
bench_configs <- function(which = strsplit(Sys.getenv("CONFIGS", "default wide many"), " ")[[1]]) {
  list(
    default = list(n = 4000, d = 16, hidden = 64, latent = 16, batch = 64, classes = 2, epochs = 20),
    wide = list(n = 8192, d = 256, hidden = 512, latent = 16, batch = 512, classes = 10, epochs = 3),
    many = list(n = 1e6, d = 32, hidden = 64, latent = 16, batch = 64, classes = 2, epochs = 1)
  )[which]
}

json_field <- function(line, field) {
  m <- regmatches(line, regexpr(sprintf('"%s": [^,}]+', field), line))
  as.numeric(sub('.*: ', '', m))
}

num <- function(v) format(v, scientific = FALSE)

# lib: a library directory holding the dmil to time (NULL: the default one)
run_dmil <- function(model, cf, threads, lib = NULL) {
  env <- if (is.null(lib)) character() else sprintf("R_LIBS=%s", lib)
  out <- system2("Rscript", c("bench/dmil_reference.R", model, num(cf$n), cf$d, cf$hidden, cf$latent,
                              cf$batch, cf$classes, cf$epochs, threads), stdout = TRUE, env = env)
  line <- grep('"impl": "dmil"', out, value = TRUE)
  c(sps = json_field(line, "samples_per_s"), gflops = json_field(line, "gflops"),
    peak = json_field(line, "peak_mb"), input = json_field(line, "input_mb"),
    checksum = json_field(line, "checksum"))
}

# MIX4 with K classes and a weaker second view (kappa = c(1, 0.6)), n =
# 3000 from `seed`, split into 2400 training and 600 held-out rows: their
# views, labels and (held out) interaction types (bench/probe.R,
# bench/i2moe_weights.R).
weak_view_split <- function(K, seed) {
  sim <- simulate_interactions(3000, "mix4", K = K, kappa = c(1, 0.6), seed = seed)
  xs <- function(r) lapply(sim$x, function(v) v[r, , drop = FALSE])
  tr <- 1:2400
  te <- 2401:3000
  list(x_train = xs(tr), y_train = sim$y[tr], x_test = xs(te), y_test = sim$y[te],
       type_test = sim$type[te])
}
