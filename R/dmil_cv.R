#' Cross-validated performance of multimodal classifiers
#'
#' Estimates how well one or more methods of [dmil_fit()] predict new
#' samples: each assessment set is predicted by a model fitted on the rest,
#' and every method sees the same splits. By default the splits are `folds`
#' stratified folds, drawn anew `repeats` times; `foldid` fixes the folds,
#' and `resamples` takes any resampling scheme of the
#' rsample package.
#'
#' @section Folds:
#' Within each class the samples are shuffled and dealt to the folds in turn,
#' each class continuing where the previous one stopped, so fold sizes differ
#' by at most one and each class is spread as evenly as it can be. (rsample's
#' `vfold_cv(strata = )` deals every class from the first fold, which can
#' leave folds of unequal sizes, e.g. 10, 10, 10, 5, 5 for the five diets of
#' `nutrimouse`.) Every class needs at least 2 samples, so that every
#' training set has it.
#'
#' @section Metrics:
#' For each split and method: `accuracy`; `bal_accuracy`, the balanced
#' accuracy (with two classes the mean of sensitivity and specificity, with
#' more the mean of the macro-averaged recall and specificity); `f_macro`,
#' the F1 score (of the first class with two classes, macro-averaged with
#' more); `roc_auc`, the area under the ROC curve (Hand and Till's
#' multi-class generalisation with more than two classes); `log_loss`, the
#' mean negative log-probability of the true class; and `brier`, half the
#' mean squared distance between the probabilities and the one-hot labels.
#' They follow the definitions of the yardstick package (`accuracy()`,
#' `bal_accuracy()`, `f_meas()`, `roc_auc(estimator = "hand_till")`,
#' `mn_log_loss()`, `brier_class()`), against which the tests check them.
#' [summary()] and [tidy()][tidy.dmil_cv] average each metric over the
#' splits weighted by their number of assessed samples, with a standard
#' error from the spread of the splits' values.
#'
#' @section Parallel work:
#' Tasks (split x method) run through `future.apply` when it is installed, as
#' described in [dmil_boot()], each with its own seed drawn from `seed`, so
#' results do not depend on the backend or the number of workers.
#'
#' @param x,y Views and labels, as for [dmil_fit()].
#' @param folds Number of folds.
#' @param methods Methods of [dmil_fit()] to compare.
#' @param ... Further arguments of [dmil_fit()] (e.g. `epochs`). A
#'   `control` (e.g. [dmil_control()], [ogm_control()]) applies to the method
#'   it belongs to; the other methods keep their defaults.
#' @param repeats Number of times the folds are drawn anew.
#' @param resamples An `rset` of the rsample package whose splits index the
#'   samples (rows of the views, e.g. `rsample::vfold_cv(data.frame(y), v =
#'   5, repeats = 3, strata = y)` or `rsample::bootstraps(...)`); it replaces
#'   `folds`, `repeats` and `foldid`.
#' @param foldid Optional fold of each sample (1 to `folds`); one repeat.
#' @param seed `NULL` or a whole number.
#' @param nthreads Threads of each fit when running sequentially.
#' @return A data frame of class `dmil_cv` with one row per split and
#'   method: `split` (the rsample id, or `Repeat<r>_Fold<k>`), `repetition`,
#'   `fold`, `method`, `seed`, `n` (samples assessed) and the metrics.
#'   [summary()][summary.dmil_cv] and [tidy()][tidy.dmil_cv] give the
#'   weighted means per method, [glance()][glance.dmil_cv] one row about
#'   the resampling, [augment()][augment.dmil_cv] the held-out predictions
#'   (one row per assessed sample, split and method), and `plot()` and
#'   `autoplot()` draw a metric per split and method.
#' @seealso [dmil_fit()], [dmil_boot()].
#' @examples
#' cv <- dmil_cv(nutrimouse$x, nutrimouse$genotype, folds = 4,
#'               methods = c("ensemble", "joint"), epochs = 20, seed = 1, nthreads = 1)
#' summary(cv)
#' tidy(cv)
#' head(augment(cv))
#' @export
dmil_cv <- function(x, y, folds = 5, methods = "dmil", ..., repeats = 1, resamples = NULL,
                    foldid = NULL, seed = NULL, nthreads = NULL) {
  dots <- check_reserved(..., reserved = c("seed", "nthreads", "progress"), fn = "dmil_cv")
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  methods <- check_choices(methods, eval(formals(dmil_fit)$method))
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  controls <- controls_for(dots$control, methods, arg = "control")
  dots$control <- NULL
  splits <- cv_splits(y, n, folds, repeats, resamples, foldid, seed)
  # every method's settings, checked on the first training set before anything trains
  args <- lapply(methods, function(m) c(list(method = m, control = controls[[m]]), dots))
  names(args) <- methods
  for (m in methods) {
    check_cv_fit(views, y, splits[[1]], args[[m]], seed, cli::format_inline("The {.val {m}} fits"))
  }
  grid <- expand.grid(split = seq_along(splits), method = methods, stringsAsFactors = FALSE)
  seeds <- task_seeds(seed, nrow(grid))
  tasks <- lapply(seq_len(nrow(grid)), function(k) c(as.list(grid[k, ]), seed = seeds[k]))
  ids <- view_ids(views)
  results <- run_tasks(tasks, function(task, inner) {
    sp <- splits[[task$split]]
    res <- assess_split(views, y, sp, args[[task$method]], task$seed, inner)
    key <- data.frame(split = sp$id, repetition = sp$repetition, fold = sp$fold, method = task$method)
    list(summary = data.frame(key, seed = task$seed, n = length(sp$test), as.list(res$metrics)),
         predictions = data.frame(sample = ids[sp$test], key, res$predictions, row.names = NULL,
                                  check.names = FALSE))
  }, nthreads)
  out <- do.call(rbind, lapply(results, `[[`, "summary"))
  structure(out, class = c("dmil_cv", "data.frame"),
            predictions = do.call(rbind, lapply(results, `[[`, "predictions")))
}

# dmil_fit()'s checks (fit_setup()) of the fits dmil_fit(<args>) on the
# training rows of split `sp`, before any task runs: errors come from the
# caller, start with `what` (e.g. "The "joint" fits"), say which rows they
# were checked on, and keep the class of the check that failed.
check_cv_fit <- function(views, y, sp, args, seed, what, call = rlang::caller_env()) {
  given <- list(x = view_rows(views, sp$train), y = y[sp$train],
                seed = seed, nthreads = 1L, progress = FALSE)
  with_context(run_setup(dmil_fit, fit_setup, given, args, call),
               "{what} would fail; checked on the training rows of {sp$id} ({length(sp$train)} of {length(y)} samples).",
               call)
  invisible()
}

# The splits of a resampling (see dmil_cv()): the rsample `resamples`, the
# folds of `foldid`, or `repeats` draws of balanced stratified folds.
cv_splits <- function(y, n, folds, repeats, resamples, foldid, seed, call = rlang::caller_env()) {
  if (!is.null(resamples)) return(rset_splits(resamples, n, y, call = call))
  folds <- check_count(folds, min = 2, max = n, call = call)
  repeats <- check_count(repeats, min = 1, max = 1000, call = call)
  if (!is.null(foldid)) {
    if (repeats > 1) {
      dm_abort("{.arg foldid} fixes one set of folds; it cannot be repeated.",
               class = "dmil_error_arg", call = call)
    }
    return(fold_splits(list(check_foldid(foldid, n, folds, y, call = call)), folds))
  }
  check_class_sizes(y, 2, "every training set has every class", call = call)
  fold_splits(with_seed(seed, lapply(seq_len(repeats), function(r) balanced_folds(y, folds))),
              folds)
}

# Fits dmil_fit(<args>) on the training rows of split `sp` and predicts its
# assessment rows: the metrics and the held-out predictions (truth,
# .pred_class, .pred_<level>).
assess_split <- function(views, y, sp, args, seed, nthreads) {
  fit <- do.call(dmil_fit, c(list(x = view_rows(views, sp$train), y = y[sp$train], seed = seed,
                                  nthreads = nthreads, progress = FALSE), args))
  prob <- predict(fit, view_rows(views, sp$test), type = "prob", nthreads = nthreads)
  prob <- prob[paste0(".pred_", levels(y))]
  truth <- y[sp$test]
  cls <- factor(levels(y)[max.col(as.matrix(prob), ties.method = "first")], levels = levels(y))
  list(metrics = class_metrics(prob, truth),
       predictions = data.frame(truth = truth, .pred_class = cls, prob, check.names = FALSE))
}

# Folds for every class in turn, continuing the fold sequence from one
# class to the next (fold sizes differ by at most one); draws from R's RNG.
balanced_folds <- function(y, k) {
  f <- integer(length(y))
  start <- 0L
  for (idx in split(seq_along(y), y)) {
    idx <- idx[sample.int(length(idx))]
    f[idx] <- (start + seq_along(idx) - 1L) %% k + 1L
    start <- start + length(idx)
  }
  f
}

# Splits (id, repeat, fold, train rows, test rows) of fold assignments, one
# vector per repeat.
fold_splits <- function(foldids, folds) {
  unlist(lapply(seq_along(foldids), function(r) {
    lapply(seq_len(folds), function(k) {
      list(id = sprintf("Repeat%d_Fold%d", r, k), repetition = r, fold = k,
           train = which(foldids[[r]] != k), test = which(foldids[[r]] == k))
    })
  }), recursive = FALSE)
}

# The splits of an rsample rset: analysis rows train, assessment rows are
# predicted.
rset_splits <- function(resamples, n, y, arg = "resamples", call = rlang::caller_env()) {
  if (!inherits(resamples, "rset") || !is.list(resamples$splits)) {
    dm_abort(c("{.arg {arg}} must be a resampling object of the rsample package (an {.cls rset}).",
               "x" = "It is {obj_type(resamples)}."),
             class = "dmil_error_arg", call = call)
  }
  rlang::check_installed("rsample", "to use `resamples`.")
  id_cols <- grep("^id", names(resamples), value = TRUE)
  lapply(seq_along(resamples$splits), function(i) {
    s <- resamples$splits[[i]]
    if (nrow(s$data) != n) {
      dm_abort(c("The splits of {.arg {arg}} index {nrow(s$data)} rows; the views have {n}.",
                 "i" = "Make {.arg {arg}} from a data frame with one row per sample."),
               class = "dmil_error_arg", call = call)
    }
    train <- as.integer(s, data = "analysis")
    test <- as.integer(s, data = "assessment")
    missing <- setdiff(levels(y), y[train])
    if (length(missing) || length(test) == 0) {
      dm_abort(c("Split {i} of {.arg {arg}} trains without class{?es} {.val {missing}}, or assesses no samples.",
                 "i" = "Stratify the resampling by the labels, e.g. {.code strata = y}."),
               class = "dmil_error_arg", call = call)
    }
    ids <- vapply(id_cols, function(col) as.character(resamples[[col]][i]), "")
    list(id = paste(ids, collapse = "_"), repetition = if (length(ids) > 1) match(ids[1], unique(resamples[[id_cols[1]]])) else 1L,
         fold = i, train = train, test = test)
  })
}

#' Summaries of cross-validation results
#'
#' `summary()` and `tidy()` give each method's metrics, averaged over the
#' splits weighted by their number of assessed samples, with the standard
#' error of that mean over splits; `glance()` one row about the resampling;
#' `augment()` the held-out predictions.
#'
#' @param object,x A [dmil_cv()] result.
#' @param ... Unused.
#' @return `summary()`: one row per method (`method`, `splits`, and each
#'   metric with its standard error `<metric>_se`). `tidy()`: one row per
#'   method and metric (`method`, `metric`, `estimate`, `std.error`,
#'   `splits`). `glance()`: `methods`, `splits`, `repeats`, `n` (samples
#'   assessed per method). `augment()`: `sample`, `split`, `repetition`, `fold`,
#'   `method`, `truth`, `.pred_class`, `.pred_<level>`.
#' @name cv-methods
NULL

#' @rdname cv-methods
#' @export
tidy.dmil_cv <- function(x, ...) {
  dm_check_dots_empty()
  split_means(as.data.frame(unclass(x)), "method")
}

# Every metric of the per-split rows `d`, per group of the column `by` (in
# order of appearance): the mean over splits weighted by their number of
# assessed samples `n`, and the standard error of the splits' values.
split_means <- function(d, by) {
  do.call(rbind, lapply(unique(d[[by]]), function(g) {
    s <- d[d[[by]] == g, ]
    do.call(rbind, lapply(metric_names, function(mt) {
      v <- s[[mt]]
      ok <- !is.na(v)
      out <- data.frame(g, metric = mt, estimate = stats::weighted.mean(v[ok], s$n[ok]),
                        std.error = stats::sd(v[ok]) / sqrt(sum(ok)), splits = sum(ok))
      names(out)[1] <- by
      out
    }))
  }))
}

#' @rdname cv-methods
#' @export
glance.dmil_cv <- function(x, ...) {
  dm_check_dots_empty()
  d <- as.data.frame(unclass(x))
  first <- d[d$method == d$method[1], ]
  data.frame(methods = length(unique(d$method)), splits = nrow(first),
             repeats = length(unique(first$repetition)), n = sum(first$n))
}

#' @rdname cv-methods
#' @export
augment.dmil_cv <- function(x, ...) {
  dm_check_dots_empty()
  attr(x, "predictions")
}

#' @rdname cv-methods
#' @export
summary.dmil_cv <- function(object, ...) {
  td <- tidy(object)
  out <- data.frame(method = unique(td$method))
  out$splits <- td$splits[match(out$method, td$method)]
  for (mt in metric_names) {
    sub <- td[td$metric == mt, ]
    out[[mt]] <- sub$estimate[match(out$method, sub$method)]
    out[[paste0(mt, "_se")]] <- sub$std.error[match(out$method, sub$method)]
  }
  class(out) <- c("summary.dmil_cv", "data.frame")
  out
}

#' @export
print.dmil_cv <- function(x, ...) {
  g <- glance(x)
  cat(sprintf("<dmil_cv> %d splits (%d repeat%s) x %d methods; summary() or tidy() for the means\n",
              g$splits, g$repeats, if (g$repeats == 1) "" else "s", g$methods))
  print(as.data.frame(unclass(x))[c("split", "method", "n", "accuracy", "log_loss")],
        row.names = FALSE, digits = 3)
  invisible(x)
}

#' @export
print.summary.dmil_cv <- function(x, digits = 3, ...) {
  cat("Cross-validated performance (mean over splits weighted by their size; standard error)\n\n")
  y <- as.data.frame(unclass(x))
  shown <- c("method", "splits", unlist(lapply(metric_names, function(m) c(m, paste0(m, "_se")))))
  print(y[shown], row.names = FALSE, digits = digits)
  invisible(x)
}
