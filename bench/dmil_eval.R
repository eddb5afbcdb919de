# Evaluation of DMIL against the baselines on MIX4 (?simulate_interactions): per
# interaction type test accuracy, overall accuracy, and per-type accuracy
# with each view removed at test time: its rows permuted across the test set
# (which destroys its information), or replaced by its training mean; DMIL
# also predicts without the view.
# Run from the repository root:
#   Rscript bench/dmil_eval.R [seeds] [n]
# Defaults: 5 seeds, n = 6000 (4000 training, 2000 test); K = 2 and 3;
# kappa = (1, 0.6): the second view is the weaker one; sigma = 0.5.
suppressPackageStartupMessages(library(dmil))
args <- commandArgs(trailingOnly = TRUE)
n_seeds <- if (length(args) >= 1) as.integer(args[1]) else 5L
n <- if (length(args) >= 2) as.integer(args[2]) else 6000L
n_train <- round(n * 2 / 3)
methods <- c("unimodal_x1", "unimodal_x2", "early", "late", "joint", "ensemble", "dmil")
types <- c("R", "U_x1", "U_x2", "S")

per_type <- function(pred, y, type) {
  c(vapply(types, function(t) mean(pred[type == t] == y[type == t]), numeric(1)),
    all = mean(pred == y))
}

rows <- list()
for (K in 2:3) for (seed in seq_len(n_seeds)) {
  sim <- simulate_interactions(n, "mix4", K = K, sigma = 0.5, kappa = c(1, 0.6), seed = seed)
  tr <- seq_len(n_train)
  te <- setdiff(seq_len(n), tr)
  xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
  xtest <- xs(te)
  perm <- withr::with_seed(seed, sample(length(te)))
  mean_of <- function(v) matrix(colMeans(sim$x[[v]][tr, ]), length(te), ncol(sim$x[[v]]), byrow = TRUE,
                                dimnames = list(NULL, colnames(sim$x[[v]])))
  removed <- list(x1 = within(xtest, x1 <- x1[perm, ]), x2 = within(xtest, x2 <- x2[perm, ]),
                  x1m = within(xtest, x1 <- mean_of("x1")), x2m = within(xtest, x2 <- mean_of("x2")))
  for (m in methods) {
    t0 <- proc.time()[["elapsed"]]
    fit <- switch(m,
      unimodal_x1 = dmil_fit(xs(tr), sim$y[tr], method = "unimodal", which = "x1", seed = seed),
      unimodal_x2 = dmil_fit(xs(tr), sim$y[tr], method = "unimodal", which = "x2", seed = seed),
      dmil_fit(xs(tr), sim$y[tr], method = m, seed = seed))
    secs <- proc.time()[["elapsed"]] - t0
    pred <- function(x) predict(fit, x)$.pred_class
    add <- function(setting, p) {
      rows[[length(rows) + 1]] <<- data.frame(K = K, seed = seed, method = m, setting = setting,
                                              t(per_type(p, sim$y[te], sim$type[te])),
                                              seconds = secs, check.names = FALSE)
    }
    add("full", pred(xtest))
    add("x1 permuted", pred(removed$x1))
    add("x2 permuted", pred(removed$x2))
    add("x1 at its mean", pred(removed$x1m))
    add("x2 at its mean", pred(removed$x2m))
    if (m == "dmil") {
      add("x1 missing", pred(xtest["x2"]))
      add("x2 missing", pred(xtest["x1"]))
    }
  }
  message(sprintf("K = %d, seed %d done", K, seed))
}
res <- do.call(rbind, rows)
saveRDS(res, file.path(tempdir(), "dmil_eval.rds"))

fmt <- function(x) sprintf("%.3f (%.3f)", mean(x), stats::sd(x))
cat(sprintf("MIX4, n = %d (%d train / %d test), sigma 0.5, kappa (1, 0.6), %d seeds; mean (sd) of test accuracy\n",
            n, n_train, n - n_train, n_seeds))
for (K in 2:3) for (setting in unique(res$setting)) {
  sub <- res[res$K == K & res$setting == setting, ]
  tab <- do.call(rbind, lapply(unique(sub$method), function(m) {
    s <- sub[sub$method == m, ]
    data.frame(method = m, R = fmt(s$R), U_x1 = fmt(s$U_x1), U_x2 = fmt(s$U_x2), S = fmt(s$S),
               all = fmt(s$all), seconds = sprintf("%.1f", mean(s$seconds)))
  }))
  cat(sprintf("\nK = %d, test views: %s\n", K, setting))
  print(tab, row.names = FALSE)
}
