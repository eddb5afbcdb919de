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
#' @param x,y Views and labels, as for [dmil_interactions()]; for the
#'   methods, `x` is a `dmil_boot` result.
#' @param B Number of bootstrap replicates.
#' @param ... Further arguments of [dmil_interactions()] (e.g. `measure`,
#'   `epochs`).
#' @param conf_level Confidence level of the percentile intervals.
#' @param seed `NULL` or a whole number.
#' @param nthreads Threads of each fit when running sequentially; `NULL` uses
#'   [dmil_threads()].
#' @return A data frame of class `dmil_boot` with one row per replicate and
#'   term (`replicate`, `seed`, `term`, `estimate`); `summary()` and `tidy()`
#'   give the bootstrap mean, standard error and percentile interval of every
#'   term alongside the estimate on the original data (`estimate` of
#'   replicate 0; `tidy()` without the bootstrap mean), `glance()` one row
#'   (`terms`, `replicates`, `conf_level`), and `plot()` and `autoplot()`
#'   (see [dmil-plots]) the distribution of each term over the replicates
#'   with its estimate and interval.
#' @examples
#' sim <- simulate_interactions(500, "mix4", seed = 1)
#' bt <- dmil_boot(sim$x, sim$y, B = 5, epochs = 5, repeats = 2, seed = 1, nthreads = 1)
#' summary(bt)
#' @export
dmil_boot <- function(x, y, B = 200, ..., conf_level = 0.95, seed = NULL, nthreads = NULL) {
  dots <- check_reserved(..., reserved = c("foldid", "seed", "nthreads", "progress"),
                         fn = "dmil_boot")
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  B <- check_count(B, min = 1)
  conf_level <- check_number(conf_level, min = 0, max = 1, min_open = TRUE, max_open = TRUE)
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  # the settings of every replicate, checked on the data before anything trains
  checked <- with_context(
    run_setup(dmil_interactions, interactions_setup,
              list(x = views, y = y, seed = seed, nthreads = 1L, progress = FALSE), dots,
              rlang::current_env()),
    "The replicates' {.fn dmil_interactions} would fail; checked on the data.",
    rlang::current_env())
  folds <- checked$folds
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

# Runs `setup`, the checks of the function `fun` that a resampling function
# calls for the user, on the arguments such a call would get (`given`, the
# user's `dots`, then fun's defaults; a choice such as c("pmmi", "lsmi")
# defaults to its first), so that bad settings fail before anything trains
# and errors name `call`. Names in `dots` that `fun` does not have are an
# error. Returns what `setup` returns.
run_setup <- function(fun, setup, given, dots, call) {
  name <- deparse(substitute(fun))
  formal <- formals(fun)
  unknown <- setdiff(names(dots), names(formal))
  if (length(unknown)) {
    dm_abort(c("{.arg {unknown}} {cli::qty(length(unknown))}{?is not an argument/are not arguments} of {.fn {name}}.",
               "i" = "The arguments in {.arg ...} go to {.fn {name}}."),
             class = "dmil_error_arg", call = call)
  }
  given <- c(given, dots)
  defaults <- formal[setdiff(names(formal), c("...", names(given)))]
  defaults <- lapply(defaults, function(d) {
    v <- eval(d, envir = environment(fun))
    if (is.call(d) && identical(d[[1]], as.name("c")) && is.character(v)) v[1] else v
  })
  args <- c(given, defaults)
  do.call(setup, c(args[intersect(names(formals(setup)), names(args))], list(call = call)))
}

# Evaluates `expr`; a dmil error it raises is raised again from `call` with
# `message` first and the error as its cause, keeping its class.
with_context <- function(expr, message, call, .envir = parent.frame()) {
  withCallingHandlers(expr, dmil_error = function(e) {
    dm_abort(message, class = setdiff(class(e), c("dmil_error", "rlang_error", "error", "condition")),
             parent = e, call = call, .envir = .envir)
  })
}

# Arguments of the inner fits that the resampling function sets itself.
check_reserved <- function(..., reserved, fn, call = rlang::caller_env()) {
  # named before they are evaluated: a tidyselect `views` cannot be
  table <- intersect(...names(), c("views", "outcome"))
  if (length(table)) {
    dm_abort(c("{.fn {fn}} takes views as a list, not a table with {.arg {table}}.",
               "i" = "Split the table first: {.code v <- dmil_views(data, views, outcome)}, then {.code {fn}(v$x, v$y, ...)}."),
             class = "dmil_error_arg", call = call)
  }
  dots <- list(...)
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

#' @rdname dmil_boot
#' @export
tidy.dmil_boot <- function(x, ...) {
  dm_check_dots_empty()
  out <- as.data.frame(unclass(summary(x)))
  out[c("term", "estimate", "std.error", "conf.low", "conf.high")]
}

#' @rdname dmil_boot
#' @export
glance.dmil_boot <- function(x, ...) {
  dm_check_dots_empty()
  data.frame(terms = length(unique(x$term)), replicates = as.integer(attr(x, "B")),
             conf_level = attr(x, "conf_level"))
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
