# The benchmark suite: every method on every data set of
# bench/suite/datasets.R under one protocol, printed as one table.
# Run from the repository root:
#   Rscript bench/suite/run.R [methods=late,ensemble,joint,early,dmil] [data=all]
#                             [folds=5] [repeats=2] [nthreads=2]
# Protocol
# * Repeated stratified k-fold cross-validation; the folds depend only on the
#   data set and the repeat, so every method sees the same folds.
# * Every method is fitted by dmil_fit() with its default settings and the
#   same seed for a given split: the same epoch budget and early stopping on
#   the same validation rows (dmil_fit() draws them from the seed and the
#   labels alone; the script checks that they agree).
# * Accuracy and log-loss on the held-out fold. Differences to the best
#   baseline (the baseline with the highest mean accuracy on that data set)
#   are paired by split; their standard error is sd / sqrt(number of splits)
#   (the folds of one repeat share training rows, so it is a little
#   optimistic).
# * Per-type accuracy where the simulation knows each sample's type, with
#   the Bayes classifier's accuracy from the simulation's exact posterior.
# * Missing views (simulated two-view sets): each view in turn is withheld
#   at test time. DMIL and the ensemble predict without it ("drop"); the
#   other methods get the view's training mean ("mean").
# Results are cached per data set, method and split in bench/out/suite/ (or
# cache=<folder>); the cache knows nothing of the package's version, so
# delete the folder after changing the package. Tables go to stdout.
suppressPackageStartupMessages(library(dmil))
source("bench/suite/datasets.R")
source("bench/suite/methods.R")

source("bench/harness.R")
methods <- strsplit(bench_opt("methods", paste(default_methods, collapse = ",")), ",")[[1]]
data_sets <- bench_opt("data", "all")
data_sets <- if (data_sets == "all") suite_names else strsplit(data_sets, ",")[[1]]
folds <- as.integer(bench_opt("folds", "5"))
repeats <- as.integer(bench_opt("repeats", "2"))
nthreads <- as.integer(bench_opt("nthreads", "2"))
cache <- bench_opt("cache", file.path("bench", "out", "suite"))
dir.create(cache, recursive = TRUE, showWarnings = FALSE)
stopifnot(all(methods %in% names(suite_methods)))

log_loss <- function(prob, y) {
  p <- prob[cbind(seq_along(y), as.integer(y))]
  mean(-log(pmax(p, 1e-15)))
}

mean_view <- function(train_view, n) {
  matrix(colMeans(train_view), n, ncol(train_view), byrow = TRUE, dimnames = list(NULL, colnames(train_view)))
}

run_split <- function(d, name, method, r, k, fold) {
  file <- file.path(cache, sprintf("%s__%s__r%d_f%d.rds", name, method, r, k))
  if (file.exists(file)) return(readRDS(file))
  tr <- which(fold != k)
  te <- which(fold == k)
  xs <- function(rows) lapply(d$x, function(v) v[rows, , drop = FALSE])
  seed <- 1000L * r + k
  t0 <- proc.time()[["elapsed"]]
  fit <- tryCatch(suite_methods[[method]](xs(tr), d$y[tr], seed = seed, nthreads = nthreads),
                  error = function(e) e)
  secs <- proc.time()[["elapsed"]] - t0
  if (inherits(fit, "error")) {
    # a default that fails is a result: reported as such
    out <- list(data = name, method = method, r = r, k = k, rows = te, seconds = secs,
                prob = matrix(NA_real_, length(te), nlevels(d$y)), missing = list(),
                error = conditionMessage(fit))
    saveRDS(out, file)
    return(out)
  }
  # the same validation rows for every method
  expected <- if (fit$n_val > 0) sort(.Call(dmil:::C_dm_split, as.integer(d$y[tr]) - 1L,
                                            nlevels(d$y), fit$settings$validation, seed)) else integer()
  stopifnot(identical(sort(as.integer(fit$val_rows)), as.integer(expected)))
  xtest <- xs(te)
  prob_of <- function(x) as.matrix(predict(fit, x, type = "prob")[paste0(".pred_", levels(d$y))])
  prob <- prob_of(xtest)
  out <- list(data = name, method = method, r = r, k = k, rows = te, seconds = secs, prob = prob,
              missing = list())
  if (length(d$x) == 2 && !is.null(d$type)) {
    for (v in names(d$x)) {
      out$missing[[v]] <- if (fit$method %in% c("dmil", "ensemble")) {
        list(how = "drop", prob = drop_view_prob(fit, xtest, v))
      } else {
        xm <- xtest
        xm[[v]] <- mean_view(d$x[[v]][tr, , drop = FALSE], length(te))
        list(how = "mean", prob = prob_of(xm))
      }
    }
  }
  saveRDS(out, file)
  out
}

# Probabilities without view v: DMIL predicts from the other views; the
# ensemble combines its other members.
drop_view_prob <- function(fit, x, v) {
  keep <- setdiff(names(x), v)
  if (fit$method == "dmil") {
    p <- predict(fit, x[keep], type = "prob")
  } else {
    data <- dmil:::match_blueprint(x[keep], fit$views[keep], 1L)
    lg <- dmil:::predict_logits(fit, data, keep, 1L)
    p <- exp(lg - dmil:::logsumexp_rows(lg))
    colnames(p) <- paste0(".pred_", fit$levels)
    p <- as.data.frame(p)
  }
  as.matrix(p[paste0(".pred_", fit$levels)])
}

results <- list()
for (name in data_sets) {
  d <- suite_data(name)
  t_data <- proc.time()[["elapsed"]]
  for (r in seq_len(repeats)) {
    fold <- suite_folds(name, d$y, folds, r)
    for (method in methods) for (k in seq_len(folds)) {
      res <- run_split(d, name, method, r, k, fold)
      pred <- factor(levels(d$y)[max.col(res$prob, ties.method = "first")], levels = levels(d$y))
      yt <- d$y[res$rows]
      row <- data.frame(data = name, method = method, r = r, k = k, seconds = res$seconds,
                        accuracy = mean(pred == yt), log_loss = log_loss(res$prob, yt),
                        error = if (is.null(res$error)) NA_character_ else res$error)
      results$main[[length(results$main) + 1]] <- row
      if (!is.null(d$type)) {
        tt <- d$type[res$rows]
        sets <- c(list(full = list(how = "", prob = res$prob)), res$missing)
        for (s in names(sets)) {
          pr <- factor(levels(d$y)[max.col(sets[[s]]$prob, ties.method = "first")], levels = levels(d$y))
          acc <- tapply(pr == yt, droplevels(tt), mean)
          n_t <- tapply(pr == yt, droplevels(tt), length)
          results$types[[length(results$types) + 1]] <- data.frame(
            data = name, method = method, r = r, k = k, views = s, how = sets[[s]]$how,
            type = names(acc), accuracy = as.numeric(acc), n = as.numeric(n_t))
        }
        if (method == methods[1] && !is.null(d$bayes)) {
          bt <- d$bayes[res$rows] == yt
          results$types[[length(results$types) + 1]] <- data.frame(
            data = name, method = "bayes", r = r, k = k, views = "full", how = "",
            type = names(tapply(bt, droplevels(tt), mean)),
            accuracy = as.numeric(tapply(bt, droplevels(tt), mean)),
            n = as.numeric(tapply(bt, droplevels(tt), length)))
        }
      }
    }
  }
  message(sprintf("%s: done (%.0f s)", name, proc.time()[["elapsed"]] - t_data))
}
main <- do.call(rbind, results$main)
types <- if (length(results$types)) do.call(rbind, results$types)
saveRDS(list(main = main, types = types), file.path(cache, "last_run.rds"))
source("bench/suite/report.R")
suite_report(main, types, methods)
