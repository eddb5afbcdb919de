# Are fits, predictions and interaction tables of fixed seeds bit-identical
# between two versions of dmil? Fits every method of dmil_fit() (with its
# default settings, few epochs) on two- and three-view data, and records the
# weights, the training history, predictions of each type, the interaction
# tables the fit holds, and dmil_interactions() with both measures, each
# with and without pairs. Run once with the earlier version installed to
# save a snapshot, then with the later one to compare:
#   R_LIBS=/tmp/before_lib Rscript bench/identical.R save=bench/out/identical.rds
#   Rscript bench/identical.R compare=bench/out/identical.rds
# Prints one line per recorded item (identical, or how it differs) and ends
# with the count of differences.
suppressPackageStartupMessages(library(dmil))
source("bench/harness.R")

snapshot <- function() {
  out <- list()
  put <- function(name, value) out[[name]] <<- value
  sets <- list(
    mix4 = simulate_interactions(400, "mix4", K = 3, seed = 7),
    brca = list(x = lapply(brca$x, function(v) v[1:150, 1:40]), y = droplevels(brca$cluster[1:150])))
  methods <- eval(formals(dmil_fit)$method)
  for (d in names(sets)) {
    x <- sets[[d]]$x
    y <- sets[[d]]$y
    for (m in methods) {
      control <- if (m == "dmil") dmil_control(finetune_epochs = 2, scores = list(epochs = 3)) else NULL
      fit <- dmil_fit(x, y, method = m, epochs = 4, control = control, seed = 11, nthreads = 2,
                      progress = FALSE)
      key <- paste(d, m, sep = "/")
      put(paste0(key, "/weights"), lapply(c(fit$nets, fit$aux_nets), `[[`, "theta"))
      put(paste0(key, "/history"), as.data.frame(fit$history))
      put(paste0(key, "/val_metrics"), fit$val_metrics)
      for (type in c("class", "prob", "logit")) {
        put(paste0(key, "/predict_", type), as.data.frame(predict(fit, x, type = type)))
      }
      if (!is.null(fit$interactions)) put(paste0(key, "/interactions"), as.data.frame(fit$interactions))
    }
    for (measure in c("pmmi", "lsmi")) for (pairs in c(FALSE, TRUE)) {
      if (measure == "lsmi" && length(x) > 2) next
      it <- dmil_interactions(x, y, measure = measure, epochs = 3, folds = 3, pairs = pairs,
                              seed = 5, nthreads = 2, progress = FALSE)
      put(sprintf("%s/interactions_%s%s", d, measure, if (pairs) "_pairs" else ""),
          as.data.frame(it))
    }
  }
  out
}

save_to <- bench_opt("save", "")
compare_to <- bench_opt("compare", "")
if (!nzchar(save_to) && !nzchar(compare_to)) stop("give save=<file> or compare=<file>")
now <- snapshot()
if (nzchar(save_to)) {
  dir.create(dirname(save_to), recursive = TRUE, showWarnings = FALSE)
  saveRDS(now, save_to)
  cat(sprintf("saved %d items to %s\n", length(now), save_to))
}
if (nzchar(compare_to)) {
  ref <- readRDS(compare_to)
  n_diff <- 0
  for (name in union(names(ref), names(now))) {
    status <- if (!name %in% names(now)) "missing now" else if (!name %in% names(ref)) "new" else
      if (identical(ref[[name]], now[[name]])) "identical" else {
        eq <- all.equal(ref[[name]], now[[name]])
        paste("DIFFERS:", paste(utils::head(eq, 2), collapse = "; "))
      }
    if (status != "identical") n_diff <- n_diff + 1
    cat(sprintf("%-40s %s\n", name, status))
  }
  cat(sprintf("\n%d of %d items differ or are unmatched\n", n_diff, length(union(names(ref), names(now)))))
}
