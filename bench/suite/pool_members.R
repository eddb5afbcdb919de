# Which learners should DMIL's pool combine? For every data set and split
# of the suite (the folds and seeds of run.R), fit each candidate member
# once (DMIL's network without a pool, with and without Phases B and C; the
# baselines; second seeds of two of them), keep its probabilities on the
# fit's validation rows and on the held-out fold, then score every subset
# of members pooled as dmil_fit() pools them (dmil:::pool_weights()).
# Prints, per subset: mean accuracy and log-loss difference to the best
# baseline (as run.R defines it), data sets >= -1 SE and > 0, and the
# members' summed training time over the joint fit's.
#   Rscript bench/suite/pool_members.R [members=...] [data=all] [cache=bench/out/suite/members]
suppressPackageStartupMessages(library(dmil))
source("bench/suite/datasets.R")
source("bench/suite/methods.R")
source("bench/harness.R")
members <- strsplit(bench_opt("members", "dmil_network_a,dmil_network,joint,late,ensemble,early,joint_s2,late_s2"), ",")[[1]]
data_sets <- bench_opt("data", "all")
data_sets <- if (data_sets == "all") suite_names else strsplit(data_sets, ",")[[1]]
cache <- bench_opt("cache", file.path("bench", "out", "suite", "members"))
max_size <- as.integer(bench_opt("max_size", "5"))
dir.create(cache, recursive = TRUE, showWarnings = FALSE)
folds <- 5L
repeats <- 2L

# a second seed of a baseline: is a pool's gain more than averaging seeds?
second_seed <- function(method) {
  f <- suite_methods[[method]]
  function(x, y, seed, nthreads) f(x, y, seed + 500000L, nthreads)
}
candidates <- c(suite_methods, list(joint_s2 = second_seed("joint"), late_s2 = second_seed("late")))
stopifnot(all(members %in% names(candidates)))

prob_of <- function(fit, x, lev) as.matrix(predict(fit, x, type = "prob")[paste0(".pred_", lev)])

member_split <- function(d, name, m, r, k, fold) {
  file <- file.path(cache, sprintf("%s__%s__r%d_f%d.rds", name, m, r, k))
  if (file.exists(file)) return(readRDS(file))
  tr <- which(fold != k)
  xs <- function(rows) lapply(d$x, function(v) v[rows, , drop = FALSE])
  t0 <- proc.time()[["elapsed"]]
  fit <- candidates[[m]](xs(tr), d$y[tr], seed = 1000L * r + k, nthreads = 2L)
  secs <- proc.time()[["elapsed"]] - t0
  lev <- levels(d$y)
  v <- fit$val_rows
  out <- list(seconds = secs, val_rows = tr[v], val = prob_of(fit, xs(tr[v]), lev),
              test_rows = which(fold == k), test = prob_of(fit, xs(which(fold == k)), lev))
  saveRDS(out, file)
  out
}

pool_score <- function(Lv, yv, Lt, yt) {
  w <- dmil:::pool_weights(Lv, yv)
  lp <- dmil:::log_softmax(Reduce(`+`, Map(`*`, w, Lt)))
  ti <- as.integer(yt)
  c(accuracy = mean(max.col(lp, ties.method = "first") == ti), log_loss = -mean(lp[cbind(seq_along(ti), ti)]))
}

subsets <- unlist(lapply(seq_len(min(max_size, length(members))), function(s) {
  utils::combn(members, s, simplify = FALSE)
}), recursive = FALSE)
rows <- list()
for (name in data_sets) {
  d <- suite_data(name)
  t0 <- proc.time()[["elapsed"]]
  for (r in seq_len(repeats)) {
    fold <- suite_folds(name, d$y, folds, r)
    for (k in seq_len(folds)) {
      res <- lapply(stats::setNames(members, members), function(m) member_split(d, name, m, r, k, fold))
      ref <- res[[intersect(c("joint", members), members)[1]]]
      vrows <- ref$val_rows
      yv <- d$y[vrows]
      yt <- d$y[ref$test_rows]
      logp <- function(p) log(pmax(p, 1e-12))
      # validation probabilities on the rows every first-seed member holds out
      Lv <- lapply(res, function(x) if (identical(x$val_rows, vrows)) logp(x$val) else NULL)
      for (s in subsets) {
        Lt <- lapply(res[s], function(x) logp(x$test))
        sc <- if (length(s) == 1) {
          p <- res[[s]]$test
          ti <- as.integer(yt)
          c(accuracy = mean(max.col(p, ties.method = "first") == ti),
            log_loss = -mean(log(pmax(p[cbind(seq_along(ti), ti)], 1e-15))))
        } else if (any(vapply(Lv[s], is.null, logical(1)))) {
          # a second seed holds out other rows: such pools get equal weights
          l <- Reduce(`+`, Lt) / length(s)
          lp <- l - dmil:::logsumexp_rows(l)
          ti <- as.integer(yt)
          c(accuracy = mean(max.col(lp, ties.method = "first") == ti),
            log_loss = -mean(lp[cbind(seq_along(ti), ti)]))
        } else pool_score(Lv[s], yv, Lt, yt)
        rows[[length(rows) + 1]] <- data.frame(
          data = name, r = r, k = k, set = paste(s, collapse = "+"), size = length(s),
          accuracy = sc[["accuracy"]], log_loss = sc[["log_loss"]],
          cost = sum(vapply(res[s], `[[`, numeric(1), "seconds")) / res$joint$seconds)
      }
    }
  }
  message(sprintf("%s: done (%.0f s)", name, proc.time()[["elapsed"]] - t0))
}
tab <- do.call(rbind, rows)
saveRDS(tab, file.path(cache, "subsets.rds"))

# best baseline per data set: the highest mean accuracy among the single baselines
base <- intersect(baselines, members)
summ <- do.call(rbind, lapply(split(tab, tab$data), function(t) {
  acc <- tapply(t$accuracy, t$set, mean)
  best <- base[which.max(acc[base])]
  b <- t[t$set == best, ]
  do.call(rbind, lapply(split(t, t$set), function(a) {
    j <- match(paste(a$r, a$k), paste(b$r, b$k))
    da <- a$accuracy - b$accuracy[j]
    data.frame(data = a$data[1], set = a$set[1], size = a$size[1], d_acc = mean(da),
               se = sd(da) / sqrt(length(da)), d_ll = mean(a$log_loss - b$log_loss[j]),
               cost = mean(a$cost))
  }))
}))
agg <- do.call(rbind, lapply(split(summ, summ$set), function(s) {
  data.frame(set = s$set[1], size = s$size[1], d_acc = mean(s$d_acc), d_ll = mean(s$d_ll),
             ge_1se = sum(s$d_acc >= -s$se), gt0 = sum(s$d_acc > 0), worst = min(s$d_acc),
             cost = stats::median(s$cost))
}))
agg <- agg[order(-agg$d_acc), ]
cat(sprintf("Pools of %s over %d data sets (5-fold x 2); cost = summed training time / joint's (median over data sets)\n",
            paste(members, collapse = ", "), length(data_sets)))
print(format(agg, digits = 3), row.names = FALSE)
