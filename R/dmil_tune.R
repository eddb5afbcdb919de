#' Tune a method's settings by cross-validation
#'
#' Fits a method of [dmil_fit()] with every candidate setting of a grid on
#' the same resampling splits as [dmil_cv()] (stratified folds, repeats, or
#' any rsample scheme), estimates the metrics of each candidate on the
#' held-out samples and selects the best by one metric. With `refit = TRUE`
#' the selected settings are then fitted on all the data.
#'
#' @section The grid:
#' Each column of `grid` is a setting and each row a candidate. A setting is
#' an argument of [dmil_fit()] (`hidden`, `depth`, `fusion_depth`, `epochs`,
#' `batch_size`, `lr`, `weight_decay`, `validation`, `patience`, `which`) or
#' a setting of the method's control (for DMIL those of [dmil_control()]:
#' `latent`, `lambda_red`, `beta_S`, `gamma`, `finetune`, ...). A named list
#' is expanded to all combinations of its elements (as [expand.grid()]); a
#' setting whose values are vectors (e.g. `stages`) is a list of them. The
#' arguments in `...` and a `control` there hold the settings the grid does
#' not vary.
#'
#' @section Selection:
#' Every candidate is fitted on the same splits with the same seeds (one
#' per split), so differences between candidates are not blurred by
#' different folds or initialisations. A candidate's estimate of a metric
#' is its mean over the splits weighted by their number of assessed samples,
#' with the standard error of the splits' values, as in [dmil_cv()]. The
#' best candidate has the largest estimate (the smallest for `log_loss` and
#' `brier`), the first in the grid on ties. The best candidate's estimate
#' is optimistic, being the best of several; an unbiased estimate of the
#' tuned procedure needs an outer resampling around the tuning.
#'
#' @section Parallel work:
#' Tasks (candidate x split) run through `future.apply` when it is
#' installed, as described in [dmil_boot()], so results do not depend on
#' the backend or the number of workers; progress is reported through
#' `progressr`.
#'
#' @inheritParams dmil_cv
#' @param grid The candidates: a data frame with one column per setting and
#'   one row per candidate, or a named list of values to combine. See The
#'   grid.
#' @param method The method of [dmil_fit()] to tune.
#' @param ... Further arguments of [dmil_fit()], the same for every
#'   candidate (e.g. `epochs`, or a `control` whose settings the grid does
#'   not vary).
#' @param metric The metric that selects the best candidate: one of
#'   `"log_loss"` (the default: it rewards calibrated probabilities and is
#'   less noisy than accuracy on small data), `"accuracy"`, `"bal_accuracy"`,
#'   `"f_macro"`, `"roc_auc"`, `"brier"` (see [dmil_cv()]).
#' @param refit Fit the selected settings on all the data (with `seed`).
#' @return A list of class `dmil_tune`:
#'   * `grid`: the candidates, with their id `.config` first;
#'   * `results`: one row per candidate and split (`.config`, `split`,
#'     `repetition`, `fold`, `seed`, `n` and the metrics);
#'   * `metric`, `method`, `best` (the `.config` of the selected candidate);
#'   * `settings`: the arguments of [dmil_fit()] that fit the selected
#'     candidate (`do.call(dmil_fit, c(list(x, y), tn$settings))`);
#'   * `fit`: that fit on all the data, or `NULL` with `refit = FALSE`.
#'
#'   [tidy()][tidy.dmil_tune] gives every candidate's metrics (one row per
#'   candidate and metric), `summary()` one row per candidate from best to
#'   worst, [glance()][glance.dmil_tune] one row about the tuning, and
#'   `plot()` and `autoplot()` draw the selection metric against the
#'   settings.
#' @seealso [dmil_cv()] for comparing methods, [dmil_control()].
#' @examples
#' tn <- dmil_tune(nutrimouse$x, nutrimouse$genotype, method = "joint",
#'                 grid = list(hidden = c(16, 64), weight_decay = c(0, 1e-3)),
#'                 folds = 4, epochs = 20, seed = 1, nthreads = 1)
#' tn
#' tidy(tn)
#' tn$settings
#' predict(tn$fit, lapply(nutrimouse$x, head, 3))
#' plot(tn)
#' @export
dmil_tune <- function(x, y, grid, method = "dmil", ..., metric = "log_loss", folds = 5,
                      repeats = 1, resamples = NULL, foldid = NULL, refit = TRUE, seed = NULL,
                      nthreads = NULL) {
  data_expr <- list(x = substitute(x), y = substitute(y))
  dots <- check_reserved(..., reserved = c("method", "seed", "nthreads", "progress"),
                         fn = "dmil_tune")
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  method <- check_choices(method, eval(formals(dmil_fit)$method))
  if (length(method) != 1) {
    dm_abort(c("{.arg method} must be one method.", "x" = "It has {length(method)}."),
             class = "dmil_error_arg")
  }
  metric <- check_metric(metric)
  refit <- check_flag(refit)
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  candidates <- tune_candidates(grid, method, dots)
  splits <- cv_splits(y, n, folds, repeats, resamples, foldid, seed)
  # every candidate's settings, checked on the first training set before anything trains
  for (i in seq_along(candidates$args)) {
    check_cv_fit(views, y, splits[[1]], candidates$args[[i]], seed,
                 paste0("The fits of ", candidates$label[i]))
  }
  configs <- candidates$grid$.config
  # one seed per split, shared by the candidates (common random numbers)
  seeds <- task_seeds(seed, length(splits))
  tasks <- unlist(lapply(seq_along(splits), function(s) {
    lapply(seq_along(configs), function(k) list(candidate = k, split = s, seed = seeds[s]))
  }), recursive = FALSE)
  rows <- run_tasks(tasks, function(task, inner) {
    sp <- splits[[task$split]]
    res <- assess_split(views, y, sp, candidates$args[[task$candidate]], task$seed, inner)
    data.frame(.config = configs[task$candidate], split = sp$id, repetition = sp$repetition,
               fold = sp$fold, seed = task$seed, n = length(sp$test), as.list(res$metrics))
  }, nthreads)
  results <- do.call(rbind, rows)
  results <- results[order(match(results$.config, configs), match(results$split, results$split)), ]
  rownames(results) <- NULL
  means <- split_means(results, ".config")
  chosen <- means[means$metric == metric, ]
  score <- if (metric_larger_better[[metric]]) -chosen$estimate else chosen$estimate
  best <- chosen$.config[order(score)[1]]
  settings <- candidates$args[[match(best, configs)]]
  fit <- if (refit) {
    f <- do.call(dmil_fit, c(list(x = views, y = y, seed = seed, nthreads = nthreads,
                                  progress = FALSE), settings))
    # the call a user would have written, naming the data as given here
    # (so that augment(f) finds them), not copies of them
    f$call <- as.call(c(list(quote(dmil_fit)), data_expr, settings, list(seed = seed)))
    f
  }
  structure(list(grid = candidates$grid, results = results, metric = metric, method = method,
                 best = best, settings = settings, fit = fit),
            class = "dmil_tune")
}

# The settings of dmil_fit() that a grid may vary for `method`: its own
# tuning arguments, then those of the method's control.
tunable_settings <- function(method) {
  fixed <- c("x", "y", "method", "...", "control", "seed", "nthreads", "progress", "views",
             "outcome")
  ctor <- method_controls[method]
  list(fit = setdiff(names(formals(dmil_fit)), fixed),
       control = if (!is.na(ctor)) names(formals(get(ctor, mode = "function"))) else character())
}

# The candidates of `grid` (see dmil_tune()): the grid as a data frame with
# `.config` first, each row's arguments of dmil_fit() (the fixed `dots`, the
# row's settings, and a control with the row's control settings over the
# control in `dots`), and a label per row for messages.
tune_candidates <- function(grid, method, dots, call = rlang::caller_env()) {
  if (is.list(grid) && !is.data.frame(grid) && length(grid) && rlang::is_named(grid)) {
    grid <- expand.grid(grid, stringsAsFactors = FALSE, KEEP.OUT.ATTRS = FALSE)
  }
  if (!is.data.frame(grid) || !ncol(grid) || !nrow(grid) || !rlang::is_named(grid) ||
      anyDuplicated(names(grid))) {
    dm_abort(c("{.arg grid} must be a data frame with one named column per setting and at least one row, or a named list of values.",
               "x" = "It is {obj_type(grid)}{if (is.data.frame(grid)) paste0(' with ', nrow(grid), ' rows and columns ', paste(names(grid), collapse = ', ')) else ''}.",
               "i" = "For example {.code grid = list(hidden = c(32, 64), weight_decay = c(0, 1e-4))}."),
             class = "dmil_error_arg", call = call)
  }
  grid[] <- lapply(grid, function(v) if (is.factor(v)) as.character(v) else v)
  allowed <- tunable_settings(method)
  unknown <- setdiff(names(grid), unlist(allowed))
  if (length(unknown)) {
    dm_abort(c("{.arg grid} has {cli::qty(length(unknown))}column{?s} {.field {unknown}}, which {?is not a setting/are not settings} of {.code method = \"{method}\"}.",
               "i" = "Settings: the arguments {.field {allowed$fit}} of {.fn dmil_fit}{if (length(allowed$control)) cli::format_inline(' and {.field {allowed$control}} of {.fn {method_controls[method]}}') else ''}."),
             class = "dmil_error_arg", call = call)
  }
  twice <- intersect(names(grid), names(dots))
  if (length(twice)) {
    dm_abort(c("{.field {twice}} {cli::qty(length(twice))}{?is/are} set in {.arg grid} and in {.arg ...}.",
               "i" = "Give each setting in one place: the grid for values that vary."),
             class = "dmil_error_arg", call = call)
  }
  dup <- which(duplicated(grid))
  if (length(dup)) {
    dm_abort(c("{.arg grid} repeats {cli::qty(length(dup))}candidate{?s}: row{?s} {dup}.",
               "i" = "Each row is one candidate; remove the copies."),
             class = "dmil_error_arg", call = call)
  }
  configs <- sprintf(paste0("Candidate%0", nchar(nrow(grid)), "d"), seq_len(nrow(grid)))
  label <- vapply(seq_len(nrow(grid)), function(i) {
    shown <- format_settings(lapply(grid, function(v) v[[i]]))
    sprintf("candidate %d (%s)", i, paste(names(shown), "=", shown, collapse = ", "))
  }, "")
  base <- check_control(dots$control, method, arg = "control", call = call)
  ctrl_cols <- intersect(names(grid), allowed$control)
  args <- lapply(seq_len(nrow(grid)), function(i) {
    row <- lapply(grid, function(v) v[[i]])
    a <- c(list(method = method), dots[setdiff(names(dots), "control")],
           row[setdiff(names(row), ctrl_cols)])
    if (!is.null(base)) {
      ctrl <- unclass(base)
      ctrl[ctrl_cols] <- row[ctrl_cols]
      what <- label[i]
      a$control <- with_context(do.call(method_controls[[method]], ctrl),
                                "The settings of {what} are not valid.", call)
    }
    a
  })
  list(grid = cbind(data.frame(.config = configs), grid), args = args, label = label)
}

#' Summaries of tuning results
#'
#' `tidy()` gives every candidate's metrics, `summary()` one row per
#' candidate ordered from the best to the worst by the selection metric,
#' `glance()` one row about the tuning.
#'
#' @param x,object A [dmil_tune()] result.
#' @param ... Unused.
#' @return `tidy()`: one row per candidate and metric (`.config`, the
#'   grid's settings, `metric`, `estimate`, `std.error`, `splits`).
#'   `summary()`: one row per candidate (`.config`, the settings, `splits`
#'   and every metric with its standard error `<metric>_se`).
#'   `glance()`: `method`, `candidates`, `splits`, `repeats`, `metric`,
#'   `best` (its `.config`), `estimate` and `std.error` (the best
#'   candidate's).
#' @name tune-methods
NULL

#' @rdname tune-methods
#' @export
tidy.dmil_tune <- function(x, ...) {
  dm_check_dots_empty()
  means <- split_means(x$results, ".config")
  out <- cbind(x$grid[match(means$.config, x$grid$.config), , drop = FALSE],
               means[setdiff(names(means), ".config")])
  rownames(out) <- NULL
  out
}

#' @rdname tune-methods
#' @export
summary.dmil_tune <- function(object, ...) {
  td <- tidy(object)
  out <- object$grid
  first <- td[td$metric == object$metric, ]
  out$splits <- first$splits[match(out$.config, first$.config)]
  for (mt in metric_names) {
    sub <- td[td$metric == mt, ]
    out[[mt]] <- sub$estimate[match(out$.config, sub$.config)]
    out[[paste0(mt, "_se")]] <- sub$std.error[match(out$.config, sub$.config)]
  }
  sign <- if (metric_larger_better[[object$metric]]) -1 else 1
  out <- out[order(sign * out[[object$metric]]), , drop = FALSE]
  rownames(out) <- NULL
  structure(out, class = c("summary.dmil_tune", "data.frame"), metric = object$metric)
}

#' @rdname tune-methods
#' @export
glance.dmil_tune <- function(x, ...) {
  dm_check_dots_empty()
  td <- tidy(x)
  best <- td[td$.config == x$best & td$metric == x$metric, ]
  first <- x$results[x$results$.config == x$best, ]
  data.frame(method = x$method, candidates = nrow(x$grid), splits = nrow(first),
             repeats = length(unique(first$repetition)), metric = x$metric, best = x$best,
             estimate = best$estimate, std.error = best$std.error)
}

#' @export
print.dmil_tune <- function(x, ...) {
  g <- glance(x)
  cat(sprintf("<dmil_tune> %d candidates of method \"%s\" x %d splits (%d repeat%s)\n",
              g$candidates, g$method, g$splits, g$repeats, if (g$repeats == 1) "" else "s"))
  cat(sprintf("Selected by %s: %s (%.4g, SE %.2g)%s\n\n", g$metric, g$best, g$estimate,
              g$std.error, if (is.null(x$fit)) "" else "; refitted on all the data in $fit"))
  print(summary(x), max_rows = 5)
  invisible(x)
}

#' @export
print.summary.dmil_tune <- function(x, digits = 3, max_rows = Inf, ...) {
  metric <- attr(x, "metric")
  y <- x
  class(y) <- "data.frame"
  settings <- setdiff(names(y), c("splits", metric_names, paste0(metric_names, "_se")))
  y[settings] <- lapply(y[settings], function(v) if (is.list(v)) vapply(v, paste, "", collapse = ", ") else v)
  shown <- unique(c(settings, metric, paste0(metric, "_se"), "accuracy", "accuracy_se"))
  if (nrow(y) > max_rows) {
    cat(sprintf("Best %d of %d candidates by %s (summary() for all):\n", max_rows, nrow(y), metric))
    y <- y[seq_len(max_rows), ]
  } else {
    cat(sprintf("Candidates from best to worst by %s (mean over splits; standard error):\n", metric))
  }
  print(y[shown], row.names = FALSE, digits = digits)
  invisible(x)
}
