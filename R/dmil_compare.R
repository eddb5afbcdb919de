#' Compare the accuracy of several fits by group
#'
#' Predicts `new_data` with every fit and tabulates accuracy within groups of
#' samples, e.g. by interaction type on simulated data or by a covariate.
#' Results of several runs (seeds) can be stacked with [rbind()]; the plot
#' methods then show their means and ranges.
#'
#' @param fits A named list of [dmil_fit()] models.
#' @param new_data Views to predict (see [predict.dmil_fit()]).
#' @param y The true labels of `new_data`.
#' @param new_x Deprecated name of `new_data`.
#' @param group A vector grouping the samples (default: all in one group).
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @return A data frame of class `dmil_comparison`: `method`, `group`, `n`,
#'   `accuracy` (and an `overall` group).
#' @examples
#' te <- 401:600
#' tr <- 1:400
#' xs <- function(rows) lapply(mix4_small$x, function(v) v[rows, ])
#' fits <- list(
#'   ensemble = dmil_fit(xs(tr), mix4_small$y[tr], method = "ensemble", epochs = 30, nthreads = 1),
#'   joint = dmil_fit(xs(tr), mix4_small$y[tr], method = "joint", epochs = 30, nthreads = 1)
#' )
#' cmp <- dmil_compare(fits, xs(te), mix4_small$y[te], group = mix4_small$type[te])
#' cmp
#' plot(cmp)
#' @export
dmil_compare <- function(fits, new_data, y, group = NULL, nthreads = NULL, new_x = NULL) {
  new_data <- check_new_data(rlang::maybe_missing(new_data, NULL), new_x)
  if (!is.list(fits) || is.null(names(fits)) || any(names(fits) == "") ||
      !all(vapply(fits, inherits, logical(1), what = "dmil_fit"))) {
    dm_abort("{.arg fits} must be a named list of {.cls dmil_fit} models.", class = "dmil_error_arg")
  }
  n <- nrow(check_views(new_data, min_views = 1L)[[1]])
  if (length(y) != n) {
    dm_abort("{.arg y} must have one label per row of {.arg new_data}.", class = "dmil_error_outcome")
  }
  if (is.null(group)) group <- rep("all", n)
  if (length(group) != n) {
    dm_abort("{.arg group} must have one value per row of {.arg new_data}.", class = "dmil_error_arg")
  }
  group <- as.factor(group)
  out <- do.call(rbind, lapply(names(fits), function(m) {
    pred <- predict(fits[[m]], new_data, nthreads = nthreads)$.pred_class
    ok <- as.character(pred) == as.character(y)
    rbind(
      data.frame(method = m, group = levels(group), n = as.vector(table(group)),
                 accuracy = as.vector(tapply(ok, group, mean))),
      data.frame(method = m, group = "overall", n = n, accuracy = mean(ok))
    )
  }))
  out$method <- factor(out$method, levels = names(fits))
  out$group <- factor(out$group, levels = c(levels(group), "overall"))
  class(out) <- c("dmil_comparison", "data.frame")
  out
}

comparison_summary <- function(x) {
  d <- as.data.frame(unclass(x))
  agg <- stats::aggregate(accuracy ~ method + group, data = d,
                          FUN = function(a) c(mean = mean(a), lo = min(a), hi = max(a)))
  data.frame(method = agg$method, group = agg$group, mean = agg$accuracy[, "mean"],
             lo = agg$accuracy[, "lo"], hi = agg$accuracy[, "hi"])
}

#' @export
print.dmil_comparison <- function(x, digits = 3, ...) {
  s <- comparison_summary(x)
  wide <- stats::reshape(s[c("method", "group", "mean")], idvar = "method", timevar = "group",
                         direction = "wide")
  names(wide) <- sub("^mean\\.", "", names(wide))
  runs <- nrow(x) / nrow(s)
  cat(sprintf("Accuracy by group%s\n", if (runs > 1) sprintf(" (mean of %g runs)", runs) else ""))
  num <- vapply(wide, is.numeric, logical(1))
  wide[num] <- lapply(wide[num], round, digits)
  print(wide, row.names = FALSE)
  invisible(x)
}
