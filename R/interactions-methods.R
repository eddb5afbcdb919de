interaction_info <- function(x, call = rlang::caller_env()) {
  info <- attr(x, "dmil")
  if (is.null(info)) {
    dm_abort(
      c("{.arg object} has lost the models and settings of {.fn dmil_interactions}.",
        "i" = "Some operations (e.g. converting to another class) drop them; keep the result of {.fn dmil_interactions}."),
      class = "dmil_error_arg", call = call)
  }
  info
}

# The atoms for views vn: their columns (r, u_<view>, s) and labels
# (R, U_<view>, S); the dominant atom of each row of a matrix of atoms.
atom_columns <- function(vn) c("r", paste0("u_", vn), "s")
atom_labels <- function(vn) c("R", paste0("U_", vn), "S")
dominant_atom <- function(atoms, vn) {
  labels <- atom_labels(vn)
  factor(labels[max.col(atoms, ties.method = "first")], levels = labels)
}

# Multiplier from nats to the unit asked for.
unit_factor <- function(unit) if (unit == "bits") 1 / log(2) else 1

#' @export
print.dmil_interactions <- function(x, n = 6, ...) {
  info <- attr(x, "dmil")
  if (!is.null(info)) {
    cat(sprintf("<dmil_interactions> %d samples, %d views (%s); measure %s, %s, %d-fold cross-fitted\n",
                nrow(x), length(info$views), paste(info$views, collapse = ", "),
                info$measure, info$unit, info$folds))
    m <- colMeans(as.data.frame(x)[atom_columns(info$views)])
    cat("  mean ", paste0(names(m), " ", sprintf("%.3f", m), collapse = ", "), "\n", sep = "")
    dom <- table(x$dominant)
    cat("  dominant ", paste0(names(dom), " ", sprintf("%.0f%%", 100 * dom / sum(dom)), collapse = ", "),
        "\n", sep = "")
  }
  shown <- utils::head(as.data.frame(x), n)
  num <- vapply(shown, is.double, logical(1))
  shown[num] <- lapply(shown[num], round, 3)
  print(shown, row.names = FALSE)
  if (nrow(x) > n) cat(sprintf("# ... %d more rows\n", nrow(x) - n))
  invisible(x)
}

#' Summarise per-sample interactions
#'
#' Dataset means of the per-sample interaction values with bootstrap
#' confidence intervals, and the share of samples dominated by each
#' interaction type.
#'
#' The bootstrap resamples samples with replacement and recomputes the means;
#' the intervals are percentile intervals. They describe the uncertainty of
#' the mean given the fitted discriminators, not the variability of
#' refitting them.
#'
#' @param object A [dmil_interactions()] result.
#' @param B Number of bootstrap resamples.
#' @param conf_level Confidence level of the intervals.
#' @param seed `NULL` or a whole number for the resampling.
#' @param ... Unused.
#' @return A data frame of class `summary.dmil_interactions` with one row per
#'   quantity (`r`, `u_<view>`, `s`, `i_<view>`, `i_joint`, then
#'   `dominant:<type>` shares) and the columns `term`, `estimate`,
#'   `std.error`, `conf.low`, `conf.high`.
#' @examples
#' sim <- simulate_interactions(800, "mix4", seed = 3)
#' it <- dmil_interactions(sim$x, sim$y, epochs = 10, seed = 1, nthreads = 1)
#' summary(it, B = 200)
#' @export
summary.dmil_interactions <- function(object, B = 1000, conf_level = 0.95, seed = NULL, ...) {
  info <- interaction_info(object)
  B <- check_count(B, min = 10)
  conf_level <- check_number(conf_level, min = 0, max = 1, min_open = TRUE, max_open = TRUE)
  seed <- check_seed(seed)
  cols <- c(atom_columns(info$views), paste0("i_", info$views), "i_joint")
  vals <- as.matrix(as.data.frame(object)[cols])
  dom <- vapply(levels(object$dominant), function(l) as.double(object$dominant == l), numeric(nrow(object)))
  vals <- cbind(vals, `colnames<-`(dom, paste0("dominant:", levels(object$dominant))))
  n <- nrow(vals)
  boots <- with_seed(seed, t(vapply(seq_len(B), function(b) {
    colMeans(vals[sample.int(n, n, replace = TRUE), , drop = FALSE])
  }, numeric(ncol(vals)))))
  alpha <- (1 - conf_level) / 2
  out <- data.frame(
    term = colnames(vals),
    estimate = colMeans(vals),
    std.error = apply(boots, 2, stats::sd),
    conf.low = apply(boots, 2, stats::quantile, probs = alpha, names = FALSE),
    conf.high = apply(boots, 2, stats::quantile, probs = 1 - alpha, names = FALSE),
    row.names = NULL
  )
  structure(out, class = c("summary.dmil_interactions", "data.frame"),
            unit = info$unit, measure = info$measure, B = B, conf_level = conf_level, n = n)
}

#' @export
print.summary.dmil_interactions <- function(x, digits = 3, ...) {
  cat(sprintf("Per-sample interactions (%s, %s): means over %d samples, %g%% bootstrap intervals (B = %d)\n\n",
              attr(x, "measure"), attr(x, "unit"), attr(x, "n"), 100 * attr(x, "conf_level"), attr(x, "B")))
  y <- as.data.frame(unclass(x))
  num <- vapply(y, is.numeric, logical(1))
  y[num] <- lapply(y[num], round, digits)
  print(y, row.names = FALSE)
  invisible(x)
}

#' Tidy, glance and predict for per-sample interactions
#'
#' `tidy()` gives the long form of the table: one row per sample and
#' component. `glance()` gives one row of dataset-level figures: sample and
#' view counts, settings, the mean of every atom, the LSMI shift, and the
#' cross-fitted accuracy and log-loss of each discriminator. `predict()`
#' estimates the interactions of new, unlabelled samples as their
#' expectation under the label posterior of the joint discriminator,
#' \eqn{\bar v(x) = \sum_y \hat p(y \mid x) v(x, y)}, using the
#' discriminators (and densities) of every fold, whose probabilities are
#' averaged.
#'
#' @param x,object A [dmil_interactions()] result.
#' @param what For `tidy()`: `"atoms"` (`r`, `u_<view>`, `s`) or `"all"`
#'   (also the pointwise mutual informations and surprisals).
#' @param new_x New data: a named list of views as for [dmil_interactions()].
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param ... Unused.
#' @return `tidy()`: a data frame with `sample`, `label`, `component`,
#'   `estimate`. `glance()`: a one-row data frame. `predict()`: a data frame
#'   with `sample`, the expected `r`, `u_<view>`, `s`, `i_<view>`,
#'   `i_joint` (and `s_add`, `h_<view>` where they apply), `dominant` and
#'   `.pred_class`, the joint discriminator's most probable class.
#' @name interactions-methods
#' @examples
#' sim <- simulate_interactions(1200, "mix4", seed = 4)
#' train <- 1:800
#' it <- dmil_interactions(lapply(sim$x, function(v) v[train, ]), sim$y[train],
#'                         epochs = 10, seed = 1, nthreads = 1)
#' head(tidy(it))
#' glance(it)
#' new <- predict(it, lapply(sim$x, function(v) v[-train, ]))
#' mean(new$dominant == sim$type[-train])
NULL

#' @rdname interactions-methods
#' @export
tidy.dmil_interactions <- function(x, what = c("atoms", "all"), ...) {
  what <- rlang::arg_match(what)
  df <- as.data.frame(x)
  info <- attr(x, "dmil")
  comps <- if (!is.null(info)) atom_columns(info$views) else grep("^(r|u_.*|s)$", names(df), value = TRUE)
  if (what == "all") {
    comps <- setdiff(names(df), c("sample", "label", "dominant"))
  }
  out <- data.frame(
    sample = rep(df$sample, times = length(comps)),
    label = rep(df$label, times = length(comps)),
    component = rep(comps, each = nrow(df)),
    estimate = unlist(df[comps], use.names = FALSE)
  )
  out
}

#' @rdname interactions-methods
#' @export
glance.dmil_interactions <- function(x, ...) {
  info <- interaction_info(x)
  m <- colMeans(as.data.frame(x)[atom_columns(info$views)])
  out <- data.frame(n = nrow(x), views = length(info$views), classes = length(info$levels),
                    measure = info$measure, unit = info$unit, folds = info$folds)
  for (nm in names(m)) out[[paste0("mean_", nm)]] <- m[[nm]]
  out$shift <- info$shift
  for (nm in names(info$accuracy)) out[[paste0("accuracy_", nm)]] <- info$accuracy[[nm]]
  out$logloss_joint <- info$logloss[["joint"]]
  out
}

#' @rdname interactions-methods
#' @export
predict.dmil_interactions <- function(object, new_x, nthreads = NULL, ...) {
  rlang::check_dots_empty()
  info <- interaction_info(object)
  nthreads <- check_nthreads(nthreads)
  data <- match_blueprint(new_x, info$blueprint, nthreads)
  n <- nrow(data$views[[1]])
  K <- length(info$levels)
  vn <- info$views
  # Average the fold models' probabilities (densities) for each network.
  logp <- lapply(c(vn, "joint"), function(j) {
    probs <- Reduce(`+`, lapply(seq_len(info$folds), function(f) {
      spec <- info$nets[[j]]
      spec$theta <- info$thetas[[f]][[match(j, names(info$nets))]]
      exp(log_softmax(core_logits(list(spec), data, K, nthreads)))
    })) / info$folds
    log(probs)
  })
  names(logp) <- c(vn, "joint")
  log_dens <- NULL
  if (info$measure == "lsmi") {
    log_dens <- vapply(seq_along(vn), function(m) {
      per_fold <- vapply(seq_len(info$folds), function(f) {
        res <- .Call(C_dm_knife_logdens, unname(data$views), unname(data$cols),
                     unname(data$center), unname(data$scale), as.integer(m - 1L),
                     as.integer(info$knife$components), info$knife_thetas[[f]][[m]], nthreads)
        check_status(res$status)
        res$logdens
      }, numeric(n))
      if (n == 1) per_fold <- matrix(per_fold, 1)
      logsumexp_rows(per_fold) - log(info$folds)
    }, numeric(n))
    if (n == 1) log_dens <- matrix(log_dens, 1)
    colnames(log_dens) <- vn
  }
  log_prior <- if (info$prior == "empirical") log(colMeans(info$fold_prior)) else rep(-log(K), K)
  nats_shift <- if (info$measure == "lsmi") info$shift / unit_factor(info$unit) else NA_real_
  out <- expected_interactions(logp, log_dens, log_prior, vn, info$measure, info$unit,
                               view_ids(data$views), shift = nats_shift)
  out$.pred_class <- factor(info$levels[max.col(logp$joint, ties.method = "first")],
                            levels = info$levels)
  out
}

# Interactions of unlabelled samples: the expectation of the per-label
# values under the joint posterior, sum_y p(y | x) v(x, y).
expected_interactions <- function(logp, log_dens, log_prior, vn, measure, unit, ids,
                                  shift = NA_real_) {
  n <- nrow(logp$joint)
  K <- ncol(logp$joint)
  post <- exp(logp$joint)
  total <- NULL
  for (k in seq_len(K)) {
    tab <- interaction_table(logp, log_dens, factor(rep(k, n), levels = seq_len(K)),
                             rep(log_prior[k], n), vn, measure, unit, ids, shift = shift)
    vals <- as.matrix(tab[setdiff(names(tab), c("sample", "label", "dominant"))])
    # A label with zero posterior contributes nothing, even where its
    # values are infinite.
    contrib <- vals * post[, k]
    contrib[post[, k] == 0, ] <- 0
    total <- if (is.null(total)) contrib else total + contrib
  }
  out <- data.frame(sample = ids, total, check.names = FALSE)
  out$dominant <- dominant_atom(as.matrix(out[atom_columns(vn)]), vn)
  out
}

log_softmax <- function(z) z - logsumexp_rows(z)
