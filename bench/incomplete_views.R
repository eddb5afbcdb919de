# What does training on samples that lack a view gain? For each data set
# and fraction p, p of the training samples lose one view (chosen at random
# among their views; on simulations with `drop=x2` always the second view),
# and two fits with the same seed and settings are compared on complete
# held-out samples: one trained on the complete samples only, one on every
# sample (dmil_fit() trains on the views each sample has). Simulations:
# fresh training (n_train) and test (n_test) sets per repeat, with per-type
# accuracy; real data: stratified k-fold cross-validation, each fold a
# repeat. Prints mean accuracy and log-loss, and the paired difference
# (all - complete only) with its standard error over repeats.
#   Rscript bench/incomplete_views.R sets=mix4_k3,brca fractions=0.1,0.3,0.5 reps=5 methods=dmil,ensemble
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")

sets <- strsplit(bench_opt("sets", "mix4_k3,brca"), ",")[[1]]
fractions <- as.numeric(strsplit(bench_opt("fractions", "0.1,0.3,0.5"), ",")[[1]])
reps <- as.integer(bench_opt("reps", "5"))
methods <- strsplit(bench_opt("methods", "dmil,ensemble"), ",")[[1]]
drop <- bench_opt("drop", "random")
n_train <- as.integer(bench_opt("n_train", "2000"))
n_test <- as.integer(bench_opt("n_test", "2000"))
nthreads <- as.integer(bench_opt("nthreads", "2"))

sim_design <- function(name, n, seed) {
  switch(name,
    mix4_k3 = simulate_interactions(n, "mix4", K = 3, sigma = 0.5, kappa = c(1, 0.6), seed = seed),
    mix4_k2 = simulate_interactions(n, "mix4", K = 2, sigma = 0.5, kappa = c(1, 0.6), seed = seed),
    stop("unknown simulation ", name))
}
real_data <- function(name) {
  switch(name,
    brca = list(x = brca$x, y = brca$cluster),
    nutrimouse_diet = list(x = nutrimouse$x, y = nutrimouse$diet),
    { source("bench/suite/datasets.R"); suite_data(name) })
}

# The splits of one data set: list of list(train = list(x, y, type), test = ...).
splits <- function(name) {
  if (grepl("^mix", name)) {
    return(lapply(seq_len(reps), function(r) {
      s <- sim_design(name, n_train + n_test, seed = 1000 + r)
      tr <- seq_len(n_train)
      part <- function(i) list(x = lapply(s$x, function(v) v[i, , drop = FALSE]), y = s$y[i],
                                type = s$type[i])
      list(train = part(tr), test = part(-tr))
    }))
  }
  d <- real_data(name)
  set.seed(77)
  fold <- integer(length(d$y))
  for (lv in levels(d$y)) {
    i <- which(d$y == lv)
    fold[i] <- sample(rep_len(seq_len(reps), length(i)))
  }
  lapply(seq_len(reps), function(r) {
    part <- function(i) list(x = lapply(d$x, function(v) v[i, , drop = FALSE]), y = d$y[i], type = NULL)
    list(train = part(fold != r), test = part(fold == r))
  })
}

# Training samples of `tr` with one view removed (NA) for a fraction p.
remove_views <- function(tr, p, seed) {
  set.seed(seed)
  n <- length(tr$y)
  hit <- sample(n, round(p * n))
  vn <- names(tr$x)
  which_view <- if (drop == "random") sample(vn, length(hit), replace = TRUE) else rep(drop, length(hit))
  for (v in vn) tr$x[[v]][hit[which_view == v], ] <- NA
  list(data = tr, hit = hit)
}

score <- function(fit, te) {
  prob <- as.matrix(predict(fit, te$x, type = "prob", nthreads = nthreads))
  yi <- as.integer(te$y)
  cls <- max.col(prob, ties.method = "first")
  out <- c(accuracy = mean(cls == yi),
           log_loss = -mean(log(pmax(prob[cbind(seq_along(yi), yi)], 1e-15))))
  if (!is.null(te$type)) {
    for (t in levels(te$type)) out[paste0("acc_", t)] <- mean((cls == yi)[te$type == t])
  }
  out
}

rows <- list()
for (name in sets) {
  sp <- splits(name)
  for (p in fractions) for (m in methods) {
    res <- lapply(seq_along(sp), function(r) {
      rv <- remove_views(sp[[r]]$train, p, seed = 500 + r)
      keep <- setdiff(seq_along(rv$data$y), rv$hit)
      complete <- list(x = lapply(rv$data$x, function(v) v[keep, , drop = FALSE]), y = rv$data$y[keep])
      t0 <- proc.time()[["elapsed"]]
      fa <- dmil_fit(complete$x, complete$y, method = m, seed = r, nthreads = nthreads,
                     progress = FALSE)
      fb <- dmil_fit(rv$data$x, rv$data$y, method = m, seed = r, nthreads = nthreads,
                     progress = FALSE)
      rbind(complete_only = score(fa, sp[[r]]$test), all_samples = score(fb, sp[[r]]$test))
    })
    a <- t(vapply(res, function(z) z["complete_only", ], res[[1]][1, ]))
    b <- t(vapply(res, function(z) z["all_samples", ], res[[1]][1, ]))
    d <- b - a
    row <- data.frame(set = name, fraction = p, method = m,
                      acc_complete = mean(a[, "accuracy"]), acc_all = mean(b[, "accuracy"]),
                      acc_diff = mean(d[, "accuracy"]), acc_se = stats::sd(d[, "accuracy"]) / sqrt(nrow(d)),
                      ll_complete = mean(a[, "log_loss"]), ll_all = mean(b[, "log_loss"]),
                      ll_diff = mean(d[, "log_loss"]), ll_se = stats::sd(d[, "log_loss"]) / sqrt(nrow(d)))
    for (t in grep("^acc_", colnames(a), value = TRUE)) {
      row[[paste0(t, "_diff")]] <- mean(d[, t])
      row[[paste0(t, "_se")]] <- stats::sd(d[, t]) / sqrt(nrow(d))
    }
    rows[[length(rows) + 1]] <- row
    print(row, digits = 3, row.names = FALSE)
    flush.console()
  }
}
cat("\nSummary (accuracy and log-loss: complete samples only -> all samples; difference (SE) over", reps, "repeats)\n")
out <- do.call(rbind, lapply(rows, function(r) r[c("set", "fraction", "method", "acc_complete", "acc_all",
                                                     "acc_diff", "acc_se", "ll_complete", "ll_all",
                                                     "ll_diff", "ll_se")]))
print(out, digits = 3, row.names = FALSE)
