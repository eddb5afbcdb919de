# Tables of the benchmark suite from the per-split results of run.R.
suite_report <- function(main, types, methods) {
  n_splits <- nrow(main) / length(unique(paste(main$data, main$method)))
  cat(sprintf("Benchmark suite: %d data sets, %d methods, %g splits per data set\n\n",
              length(unique(main$data)), length(methods), n_splits))
  failed <- main[!is.na(main$error), ]
  if (nrow(failed)) {
    cat("Fits that failed with default settings (accuracy NA):\n")
    f <- unique(failed[c("data", "method")])
    for (i in seq_len(nrow(f))) {
      msg <- failed$error[failed$data == f$data[i] & failed$method == f$method[i]][1]
      cat(sprintf("  %s, %s: %s\n", f$data[i], f$method[i], strsplit(msg, "\n")[[1]][1]))
    }
    cat("\n")
  }
  base <- intersect(baselines, methods)
  others <- setdiff(methods, base)
  data_sets <- unique(main$data)
  cell <- function(v, digits = 3) formatC(v, format = "f", digits = digits)
  se <- function(v) stats::sd(v) / sqrt(length(v))
  # one row per data set, one column per method: "difference (SE)"
  diff_table <- function(d, est, err) {
    matrix(paste0(sprintf("%+.3f", d[[est]]), " (", cell(d[[err]]), ")"), ncol = length(others),
           byrow = TRUE, dimnames = list(unique(d$data), others))
  }

  cat("Accuracy: mean (sd) over splits\n")
  acc <- tapply(main$accuracy, list(main$data, main$method), mean)[data_sets, methods, drop = FALSE]
  acc_sd <- tapply(main$accuracy, list(main$data, main$method), stats::sd)[data_sets, methods, drop = FALSE]
  tab <- matrix(paste0(cell(acc), " (", cell(acc_sd), ")"), nrow(acc), dimnames = dimnames(acc))
  print(noquote(tab))

  # paired differences to the best baseline of each data set
  diffs <- list()
  for (nm in data_sets) {
    sub <- main[main$data == nm, ]
    if (all(is.na(acc[nm, base]))) next
    best <- base[which.max(acc[nm, base])]
    b <- sub[sub$method == best, ]
    for (m in others) {
      a <- sub[sub$method == m, ]
      j <- match(paste(a$r, a$k), paste(b$r, b$k))
      da <- a$accuracy - b$accuracy[j]
      dl <- a$log_loss - b$log_loss[j]
      diffs[[length(diffs) + 1]] <- data.frame(
        data = nm, best = best, method = m, d_acc = mean(da), se_acc = se(da),
        d_ll = mean(dl), se_ll = se(dl))
    }
  }
  if (length(diffs)) {
    d <- do.call(rbind, diffs)
    cat("\nPaired difference to the best baseline (the baseline with the highest mean accuracy on\n")
    cat("that data set): accuracy, mean (SE over splits)\n")
    best <- d$best[match(data_sets, d$data)]
    print(noquote(cbind(best = best[!is.na(best)], diff_table(d, "d_acc", "se_acc"))))
    cat("\nLog-loss difference to the same baseline, mean (SE)\n")
    print(noquote(diff_table(d, "d_ll", "se_ll")))
    cat("\nOver the data sets: mean accuracy and log-loss difference; data sets where the accuracy\n")
    cat("difference is >= -1 SE, and > 0\n")
    for (m in others) {
      s <- d[d$method == m, ]
      cat(sprintf("  %-24s d_acc %+.4f  d_ll %+.4f  >= -1 SE: %2d/%d  > 0: %2d/%d\n", m,
                  mean(s$d_acc), mean(s$d_ll), sum(s$d_acc >= -s$se_acc), nrow(s),
                  sum(s$d_acc > 0), nrow(s)))
    }
  }
  cat("\nLog-loss, mean over splits\n")
  ll <- tapply(main$log_loss, list(main$data, main$method), mean)
  print(round(ll[data_sets, methods, drop = FALSE], 3))
  cat("\nSeconds per fit, mean over splits\n")
  tm <- tapply(main$seconds, list(main$data, main$method), mean)
  print(round(tm[data_sets, methods, drop = FALSE], 2))
  if (!is.null(types)) {
    cat("\nPer-type accuracy (mean over splits); views: all, or one withheld at test time\n")
    cat("(how: drop = predicted without it, mean = given its training mean)\n")
    for (nm in unique(types$data)) for (v in unique(types$views[types$data == nm])) {
      sub <- types[types$data == nm & types$views == v, ]
      tab <- tapply(sub$accuracy, list(sub$method, sub$type), mean)
      ord <- intersect(c(methods, "bayes"), rownames(tab))
      tab <- tab[ord, , drop = FALSE]
      cat(sprintf("\n%s, %s\n", nm, if (v == "full") "all views" else paste("without", v)))
      out <- as.data.frame(round(tab, 3))
      if (v != "full") out$how <- sub$how[match(rownames(tab), sub$method)]
      print(out)
    }
  }
  invisible(NULL)
}
