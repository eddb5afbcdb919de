# Resampling at scale: every task gets its own seed, drawn up front from one
# master seed, so results do not depend on how tasks are spread over workers.

# Runs fun(task) for every task: through future.apply when it is installed
# (the backend is the user's future::plan()), else lapply. Inner fits run on
# one thread when there are several workers. Progress goes through progressr
# when it is installed (the user enables it with progressr::with_progress()).
run_tasks <- function(tasks, fun, nthreads) {
  use_future <- requireNamespace("future.apply", quietly = TRUE) &&
    requireNamespace("future", quietly = TRUE)
  workers <- if (use_future) future::nbrOfWorkers() else 1
  inner <- if (workers > 1) 1L else nthreads
  step <- if (requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = length(tasks))
  } else {
    function(...) invisible()
  }
  run_one <- function(task) {
    res <- fun(task, inner)
    step()
    res
  }
  if (use_future) {
    # future.seed = TRUE switches R's RNG to L'Ecuyer-CMRG and may leave it
    # so; the tasks carry their own seeds, and the user's RNG is restored.
    restore <- rng_snapshot()
    on.exit(restore())
    future.apply::future_lapply(tasks, run_one, future.seed = TRUE,
                                future.packages = "dmil")
  } else {
    lapply(tasks, run_one)
  }
}

task_seeds <- function(seed, n) {
  with_seed(seed, sample.int(.Machine$integer.max, n))
}

#' Bootstrap the per-sample interaction estimates
#'
#' Resamples the samples with replacement `B` times, re-estimates the
#' per-sample interactions on each resample with [dmil_interactions()] and
#' records the dataset means. The intervals of [summary.dmil_interactions()]
#' resample the samples and the repeats of one fit on the data; these refit
#' everything on every resample of the data, so they include the
#' variability of the sample and of refitting alike. Copies of a sample are
#' kept in the same cross-fitting fold. Every replicate runs
#' [dmil_interactions()] with the arguments in `...`: with its default
#' number of repeats each replicate costs as much as the estimate itself;
#' `repeats = 1` is faster and gives wider intervals (those of the noisier
#' one-repeat estimator). Warnings about the reliability of the estimates
#' are given for the original data only.
#'
#' The intervals describe sampling variability, not bias: the estimates
#' themselves are biased with respect to the exact per-sample values when the
#' classifiers behind them are imperfect, and bootstrap intervals then cover
#' the exact value less often than their level says, while covering the
#' estimator's expected value in most replicates.
#'
#' Replicates run through `future.apply` when it is installed, on the
#' backend chosen with `future::plan()` (sequential by default; multisession,
#' multicore, or a cluster through future's backends); each replicate has its
#' own seed, so results are identical whatever the backend and number of
#' workers, and inner fits are single-threaded when there are several
#' workers. Progress is reported through `progressr` when enabled with
#' `progressr::with_progress()`.
#'
#' @param x,y Views and labels, as for [dmil_interactions()].
#' @param B Number of bootstrap replicates.
#' @param ... Further arguments of [dmil_interactions()] (e.g. `measure`,
#'   `epochs`).
#' @param conf_level Confidence level of the percentile intervals.
#' @param seed `NULL` or a whole number.
#' @param nthreads Threads of each fit when running sequentially; `NULL` uses
#'   [dmil_threads()].
#' @return A data frame of class `dmil_boot` with one row per replicate and
#'   term (`replicate`, `seed`, `term`, `estimate`); `summary()` gives the
#'   bootstrap mean, standard error and percentile interval of every term
#'   alongside the estimate on the original data (`estimate` of replicate 0).
#' @examples
#' sim <- simulate_interactions(500, "mix4", seed = 1)
#' bt <- dmil_boot(sim$x, sim$y, B = 5, epochs = 5, repeats = 2, seed = 1, nthreads = 1)
#' summary(bt)
#' @export
dmil_boot <- function(x, y, B = 200, ..., conf_level = 0.95, seed = NULL, nthreads = NULL) {
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  B <- check_count(B, min = 1)
  conf_level <- check_number(conf_level, min = 0, max = 1, min_open = TRUE, max_open = TRUE)
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  dots <- check_reserved(list(...), c("foldid", "seed", "nthreads", "progress"), "dmil_boot")
  folds <- check_count(dots$folds %||% formals(dmil_interactions)$folds, min = 2, max = 100,
                       arg = "folds")
  seeds <- task_seeds(seed, B + 1)
  tasks <- lapply(0:B, function(b) list(replicate = b, seed = seeds[b + 1]))
  rows <- run_tasks(tasks, function(task, inner) {
    idx <- if (task$replicate == 0) seq_len(n) else with_seed(task$seed, boot_sample(y))
    # copies of a sample share a fold; folds balanced over distinct samples
    ids <- unique(idx)
    fold_of <- with_seed(task$seed + 1, stats::setNames(sample(rep_len(seq_len(folds), length(ids))), ids))
    sub <- lapply(views, function(v) v[idx, , drop = FALSE])
    fit <- function() {
      do.call(dmil_interactions, c(list(x = sub, y = y[idx], foldid = unname(fold_of[as.character(idx)]),
                                        seed = task$seed, nthreads = inner, progress = FALSE), dots))
    }
    # the reliability of the estimate on the data is reported once, not
    # for every replicate
    it <- if (task$replicate == 0) fit() else {
      withCallingHandlers(fit(), dmil_warning_unreliable = function(w) invokeRestart("muffleWarning"))
    }
    info <- attr(it, "dmil")
    cols <- c(atom_columns(info$views), view_subsets(info$views)$col)
    m <- colMeans(as.data.frame(it)[cols])
    data.frame(replicate = task$replicate, seed = task$seed, term = names(m), estimate = unname(m))
  }, nthreads)
  out <- do.call(rbind, rows)
  structure(out, class = c("dmil_boot", "data.frame"), conf_level = conf_level, B = B)
}

# Arguments of the inner fits that the resampling function sets itself.
check_reserved <- function(dots, reserved, fn, call = rlang::caller_env()) {
  clash <- intersect(names(dots), reserved)
  if (length(clash)) {
    dm_abort(c("{cli::qty(length(clash))}{.arg {clash}} {?is/are} set by {.fn {fn}} itself.",
               "i" = "It sets {.arg {reserved}} for every task."),
             class = "dmil_error_arg", call = call)
  }
  dots
}

# A bootstrap sample stratified by class, so every class keeps its size.
boot_sample <- function(y) {
  idx <- unlist(lapply(split(seq_along(y), y), function(i) i[sample.int(length(i), replace = TRUE)]))
  sort(unname(idx))
}

#' @export
summary.dmil_boot <- function(object, ...) {
  alpha <- (1 - attr(object, "conf_level")) / 2
  boots <- object[object$replicate > 0, ]
  orig <- object[object$replicate == 0, ]
  terms <- unique(object$term)
  out <- data.frame(
    term = terms,
    estimate = orig$estimate[match(terms, orig$term)],
    boot_mean = vapply(terms, function(t) mean(boots$estimate[boots$term == t]), numeric(1)),
    std.error = vapply(terms, function(t) stats::sd(boots$estimate[boots$term == t]), numeric(1)),
    conf.low = vapply(terms, function(t) stats::quantile(boots$estimate[boots$term == t], alpha, names = FALSE), numeric(1)),
    conf.high = vapply(terms, function(t) stats::quantile(boots$estimate[boots$term == t], 1 - alpha, names = FALSE), numeric(1)),
    row.names = NULL
  )
  structure(out, class = c("summary.dmil_boot", "data.frame"), B = attr(object, "B"),
            conf_level = attr(object, "conf_level"))
}

#' @export
print.summary.dmil_boot <- function(x, digits = 3, ...) {
  cat(sprintf("Bootstrap of the interaction means: %d replicates, %g%% percentile intervals\n\n",
              attr(x, "B"), 100 * attr(x, "conf_level")))
  y <- as.data.frame(unclass(x))
  num <- vapply(y, is.numeric, logical(1))
  y[num] <- lapply(y[num], round, digits)
  print(y, row.names = FALSE)
  invisible(x)
}

#' @export
print.dmil_boot <- function(x, ...) {
  cat(sprintf("<dmil_boot> %d bootstrap replicates of %d terms; summary() for intervals\n",
              attr(x, "B"), length(unique(x$term))))
  print(utils::head(as.data.frame(unclass(x))), row.names = FALSE)
  invisible(x)
}

#' Cross-validated accuracy of multimodal classifiers
#'
#' Estimates the accuracy of one or more methods of [dmil_fit()] by K-fold
#' cross-validation: each fold is predicted by a model fitted on the others.
#' Folds are stratified by class unless `foldid` is given; every method sees
#' the same folds. Tasks (fold x method) run through `future.apply` when it is
#' installed, as described in [dmil_boot()], with per-task seeds.
#'
#' @param x,y Views and labels, as for [dmil_fit()].
#' @param folds Number of folds.
#' @param methods Methods of [dmil_fit()] to compare.
#' @param ... Further arguments of [dmil_fit()] (e.g. `epochs`). A
#'   `control` (e.g. [dmil_control()], [ogm_control()]) applies to the method
#'   it belongs to; the other methods keep their defaults.
#' @param foldid Optional fold of each sample (1 to `folds`).
#' @param seed `NULL` or a whole number.
#' @param nthreads Threads of each fit when running sequentially.
#' @return A data frame of class `dmil_cv` with one row per fold and method:
#'   `fold`, `method`, `seed`, `n`, `accuracy`, `log_loss`; the held-out
#'   predictions are in `attr(result, "predictions")` (`sample`, `fold`,
#'   `method`, `truth`, `.pred_class`, `.pred_<level>`). `summary()` gives the
#'   mean accuracy and log-loss per method with their standard errors over
#'   folds.
#' @examples
#' cv <- dmil_cv(nutrimouse$x, nutrimouse$genotype, folds = 4,
#'               methods = c("ensemble", "joint"), epochs = 20, batch_size = 10,
#'               seed = 1, nthreads = 1)
#' summary(cv)
#' @export
dmil_cv <- function(x, y, folds = 5, methods = "dmil", ..., foldid = NULL, seed = NULL,
                    nthreads = NULL) {
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  folds <- check_count(folds, min = 2, max = n)
  methods <- check_choices(methods, eval(formals(dmil_fit)$method))
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  dots <- check_reserved(list(...), c("seed", "nthreads", "progress"), "dmil_cv")
  controls <- controls_for(dots$control, methods, arg = "control")
  dots$control <- NULL
  foldid <- check_foldid(foldid, n, folds, y) %||% with_seed(seed, {
    f <- integer(n)
    for (idx in split(seq_len(n), y)) f[idx] <- sample(rep_len(seq_len(folds), length(idx)))
    f
  })
  grid <- expand.grid(fold = seq_len(folds), method = methods, stringsAsFactors = FALSE)
  seeds <- task_seeds(seed, nrow(grid))
  tasks <- lapply(seq_len(nrow(grid)), function(k) c(as.list(grid[k, ]), seed = seeds[k]))
  ids <- view_ids(views)
  results <- run_tasks(tasks, function(task, inner) {
    test <- which(foldid == task$fold)
    train <- which(foldid != task$fold)
    sub <- function(rows) lapply(views, function(v) v[rows, , drop = FALSE])
    fit <- do.call(dmil_fit, c(list(x = sub(train), y = y[train], method = task$method,
                                    control = controls[[task$method]], seed = task$seed,
                                    nthreads = inner, progress = FALSE), dots))
    prob <- predict(fit, sub(test), type = "prob", nthreads = inner)
    prob <- prob[paste0(".pred_", levels(y))]
    cls <- factor(levels(y)[max.col(as.matrix(prob), ties.method = "first")], levels = levels(y))
    p_true <- as.matrix(prob)[cbind(seq_along(test), as.integer(y[test]))]
    list(summary = data.frame(fold = task$fold, method = task$method, seed = task$seed,
                              n = length(test), accuracy = mean(cls == y[test]),
                              log_loss = -mean(log(pmax(p_true, 1e-15)))),
         predictions = data.frame(sample = ids[test], fold = task$fold, method = task$method,
                                  truth = y[test], .pred_class = cls, prob, row.names = NULL,
                                  check.names = FALSE))
  }, nthreads)
  out <- do.call(rbind, lapply(results, `[[`, "summary"))
  structure(out, class = c("dmil_cv", "data.frame"),
            predictions = do.call(rbind, lapply(results, `[[`, "predictions")))
}

#' @export
summary.dmil_cv <- function(object, ...) {
  d <- as.data.frame(unclass(object))
  out <- do.call(rbind, lapply(unique(d$method), function(m) {
    s <- d[d$method == m, ]
    data.frame(method = m, folds = nrow(s), accuracy = mean(s$accuracy),
               accuracy_se = stats::sd(s$accuracy) / sqrt(nrow(s)),
               log_loss = mean(s$log_loss), log_loss_se = stats::sd(s$log_loss) / sqrt(nrow(s)))
  }))
  class(out) <- c("summary.dmil_cv", "data.frame")
  out
}

#' @export
print.dmil_cv <- function(x, ...) {
  cat(sprintf("<dmil_cv> %d folds x %d methods; summary() for the means\n",
              length(unique(x$fold)), length(unique(x$method))))
  print(as.data.frame(unclass(x))[c("fold", "method", "n", "accuracy", "log_loss")], row.names = FALSE,
        digits = 3)
  invisible(x)
}

#' @export
print.summary.dmil_cv <- function(x, digits = 3, ...) {
  cat("Cross-validated performance (mean over folds, standard error)\n\n")
  print(as.data.frame(unclass(x)), row.names = FALSE, digits = digits)
  invisible(x)
}
