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

# Rows of the per-repeat arrays in attr(x, "dmil") that a table's rows are
# (a row subset keeps them aligned, see `[.dmil_interactions`).
per_repeat_rows <- function(x, info) info$rows %||% seq_len(nrow(x))

# The rows of a table whose atoms are defined: all but the samples that lack
# a view (interactions_incomplete()). Means, intervals and profiles are of
# these samples.
with_atoms <- function(x) {
  ok <- !is.na(x$dominant)
  if (all(ok)) x else x[ok, ]
}

#' @export
`[.dmil_interactions` <- function(x, i, j, drop) {
  out <- NextMethod()
  info <- attr(x, "dmil")
  n_args <- nargs() - !missing(drop)
  # a choice of columns is a plain data frame: it may lack what the methods use
  if (!is.data.frame(out) || is.null(info) || n_args < 3 || !missing(j)) {
    if (is.data.frame(out)) {
      attr(out, "dmil") <- NULL
      class(out) <- "data.frame"
    }
    return(out)
  }
  if (!missing(i)) {
    idx <- stats::setNames(per_repeat_rows(x, info), row.names(x))
    rows <- unname(idx[i])
    info$rows <- if (anyNA(rows)) NULL else rows
    if (anyNA(rows)) info$per_repeat <- NULL
  }
  attr(out, "dmil") <- info
  out
}

#' @export
print.dmil_interactions <- function(x, n = 6, ...) {
  info <- attr(x, "dmil")
  if (!is.null(info)) {
    cat(sprintf("<dmil_interactions> %d samples, %d views (%s); measure %s, %s, %d-fold cross-fitted, %d repeat%s\n",
                nrow(x), length(info$views), paste(info$views, collapse = ", "),
                info$measure, info$unit, info$folds, info$repeats %||% 1L,
                if ((info$repeats %||% 1L) == 1) "" else "s"))
  }
  print_per_sample(x, if (!is.null(info)) atom_columns(info$views), n)
}

# A per-sample table: the means of its columns `cols` and the shares of
# its dominant types (when cols are given), then its first n rows with
# numbers to 3 decimals and how many rows are not shown; returns x
# invisibly.
print_per_sample <- function(x, cols, n) {
  lacking <- if (!is.null(x$dominant)) sum(is.na(x$dominant)) else 0L
  if (length(cols) && lacking == nrow(x)) {
    cat("  no sample with every view: no atoms\n")
  } else if (length(cols)) {
    m <- colMeans(as.data.frame(x)[cols], na.rm = TRUE)
    cat("  mean ", paste0(names(m), " ", sprintf("%.3f", m), collapse = ", "),
        if (lacking) {
          k <- nrow(x) - lacking
          sprintf(" (of the %d sample%s with every view)", k, if (k == 1) "" else "s")
        }, "\n",
        sep = "")
  }
  if (length(cols) && !is.null(x$dominant) && lacking < nrow(x)) {
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
#' The bootstrap resamples the samples and, independently, the repeats of
#' the cross-fitting (see [dmil_interactions()]) with replacement, and
#' recomputes the means from the resampled repeats' averaged
#' probabilities. The percentile intervals therefore include the
#' variability of refitting the discriminators (between repeats) as well as
#' that of the sample; with one repeat they cannot, and hold the fitted
#' discriminators fixed. Neither includes refitting on new data:
#' [dmil_boot()] does.
#'
#' @param object A [dmil_interactions()] result.
#' @param B Number of bootstrap resamples.
#' @param conf_level Confidence level of the intervals.
#' @param seed `NULL` or a whole number for the resampling.
#' @param ... Unused.
#' @return A data frame of class `summary.dmil_interactions` with one row per
#'   quantity (the atoms, the pointwise informations, then `dominant:<type>`
#'   shares) and the columns `term`, `estimate`, `std.error`, `conf.low`,
#'   `conf.high`.
#' @examples
#' sim <- simulate_interactions(800, "mix4", seed = 3)
#' it <- dmil_interactions(sim$x, sim$y, epochs = 10, repeats = 3, seed = 1, nthreads = 1)
#' summary(it, B = 200)
#' @export
summary.dmil_interactions <- function(object, B = 1000, conf_level = 0.95, seed = NULL, ...) {
  object <- with_atoms(object)
  info <- interaction_info(object)
  B <- check_count(B, min = 10)
  conf_level <- check_number(conf_level, min = 0, max = 1, min_open = TRUE, max_open = TRUE)
  seed <- check_seed(seed)
  vn <- info$views
  atoms <- atom_columns(vn)
  icols <- view_subsets(vn)$col
  n <- nrow(object)
  # the means of one resample: atoms, informations, dominant shares
  means_of <- function(tab) {
    dom <- vapply(atom_labels(vn), function(l) mean(tab$dominant == l), numeric(1))
    c(colMeans(as.data.frame(tab)[c(atoms, icols)]),
      stats::setNames(dom, paste0("dominant:", atom_labels(vn))))
  }
  pr <- info$per_repeat
  R <- if (is.null(pr)) 1L else dim(pr$i)[2]
  rows <- per_repeat_rows(object, info)
  boots <- with_seed(seed, t(vapply(seq_len(B), function(b) {
    ri <- sample.int(n, n, replace = TRUE)
    if (R == 1) return(means_of(object[ri, , drop = FALSE]))
    rr <- sample.int(R, R, replace = TRUE)
    means_of(repeat_table(info, rows[ri], rr))
  }, numeric(length(atoms) + length(icols) + length(atoms)))))
  est <- means_of(object)
  alpha <- (1 - conf_level) / 2
  out <- data.frame(
    term = names(est),
    estimate = unname(est),
    std.error = apply(boots, 2, stats::sd),
    conf.low = apply(boots, 2, stats::quantile, probs = alpha, names = FALSE),
    conf.high = apply(boots, 2, stats::quantile, probs = 1 - alpha, names = FALSE),
    row.names = NULL
  )
  structure(out, class = c("summary.dmil_interactions", "data.frame"),
            unit = info$unit, measure = info$measure, B = B, conf_level = conf_level, n = n,
            repeats = R)
}

# The table of the samples `rows` recomputed from the repeats `reps` (with
# repetition): their probabilities averaged, then decomposed.
repeat_table <- function(info, rows, reps) {
  pr <- info$per_repeat
  lpri <- pr$log_prior[rows, reps, drop = FALSE]
  S <- dim(pr$i)[3]
  i <- vapply(seq_len(S), function(j) log_mean_exp_rows(pr$i[rows, reps, j] + lpri),
              numeric(length(rows))) - log_mean_exp_rows(lpri)
  h <- if (!is.null(pr$h)) {
    -vapply(seq_along(info$views), function(m) log_mean_exp_rows(-pr$h[rows, m, reps]),
            numeric(length(rows)))
  }
  interaction_table(matrix(i, length(rows)), h, NULL, info$views, info$measure, info$unit,
                    ids = rows, shift = info$shift / unit_factor(info$unit))
}

#' @export
print.summary.dmil_interactions <- function(x, digits = 3, ...) {
  R <- attr(x, "repeats") %||% 1L
  cat(sprintf("Per-sample interactions (%s, %s): means over %d samples, %g%% bootstrap intervals (B = %d, resampling %s)\n\n",
              attr(x, "measure"), attr(x, "unit"), attr(x, "n"), 100 * attr(x, "conf_level"), attr(x, "B"),
              if (R > 1) sprintf("samples and %d repeats", R) else "samples; one repeat: refitting not included"))
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
#' estimates the interactions of new samples with the discriminators of
#' every fold of the first repeat (their probabilities averaged) and the
#' calibration fitted on all held-out predictions of that repeat. Without
#' labels the values are their expectation under the label posterior of the
#' joint discriminator, \eqn{\bar v(x) = \sum_y \hat p(y \mid x) v(x, y)};
#' with labels (`new_y`), the values at those labels, e.g. to score a test
#' set.
#'
#' @param x,object A [dmil_interactions()] result.
#' @param what For `tidy()`: `"atoms"` (the summary atoms, e.g. `r`,
#'   `u_<view>`, `s`), `"all"` (also the pointwise mutual informations and
#'   surprisals) or `"lattice"` (every atom of the redundancy lattice, named
#'   by its collection of sources, e.g. `"{x1}{x2,x3}"`).
#' @param new_data New data: a named list of views as for [dmil_interactions()].
#' @param new_y Optional labels of the new samples.
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param ... Empty, but for `newdata`: accepted as another name of
#'   `new_data` (as [stats::predict()] names it), with a message.
#' @param new_x Deprecated name of `new_data`.
#' @return `tidy()`: a data frame with `sample`, `label`, `term` (the atom
#'   or information, see [dmil_vocabulary]), `estimate` and `sd` (the
#'   between-repeat standard deviation, the long form of the table's
#'   `sd_<atom>`; `NA` where it is not measured). `glance()`: a one-row data frame
#'   (`n`, `views`, `classes`, `measure`, `unit`, `folds`, `repeats`,
#'   `mean_<atom>`, `shift`, `accuracy_<view>`, `accuracy_joint`,
#'   `log_loss_joint`).
#'   `predict()`: a data frame with `sample`, (with `new_y`) `label`, the
#'   atoms and pointwise informations (and `h_<view>` for `"lsmi"`),
#'   `dominant` and `.pred_class`, the joint discriminator's most probable
#'   class.
#' @name interactions-methods
#' @examples
#' sim <- simulate_interactions(1200, "mix4", seed = 4)
#' train <- 1:800
#' it <- dmil_interactions(lapply(sim$x, function(v) v[train, ]), sim$y[train],
#'                         epochs = 10, repeats = 2, seed = 1, nthreads = 1)
#' head(tidy(it))
#' glance(it)
#' new <- predict(it, lapply(sim$x, function(v) v[-train, ]))
#' mean(new$dominant == sim$type[-train])
NULL

#' @rdname interactions-methods
#' @export
tidy.dmil_interactions <- function(x, what = c("atoms", "all", "lattice"), ...) {
  what <- dm_arg_match(what)
  info <- interaction_info(x)
  vn <- info$views
  df <- as.data.frame(x)
  if (what == "lattice") {
    vals <- lattice_atoms(df, info)
  } else {
    comps <- atom_columns(vn)
    if (what == "all") comps <- c(comps, view_subsets(vn)$col, grep("^h_", names(df), value = TRUE))
    vals <- as.matrix(df[comps])
  }
  sds <- matrix(NA_real_, nrow(vals), ncol(vals))
  sd_cols <- paste0("sd_", colnames(vals))
  has <- sd_cols %in% names(df)
  if (any(has)) sds[, has] <- as.matrix(df[sd_cols[has]])
  data.frame(
    sample = rep(df$sample, times = ncol(vals)),
    label = rep(df$label, times = ncol(vals)),
    term = rep(colnames(vals), each = nrow(df)),
    estimate = as.vector(vals),
    sd = as.vector(sds)
  )
}

# Every atom of the redundancy lattice of each row: the Moebius inversion of
# the pointwise minimum over the table's pointwise informations ("pmmi"), or
# the two-view atoms themselves ("lsmi").
lattice_atoms <- function(df, info) {
  vn <- info$views
  lat <- lattice_info(vn)
  if (info$measure == "lsmi") {
    vals <- as.matrix(df[atom_columns(vn)])
  } else {
    k <- unit_factor(info$unit)
    i <- as.matrix(df[view_subsets(vn)$col]) / k
    vals <- decompose_atoms(i, NULL, "pmmi")$atoms * k
  }
  colnames(vals) <- lat$names
  vals
}

#' @rdname interactions-methods
#' @export
glance.dmil_interactions <- function(x, ...) {
  info <- interaction_info(x)
  m <- colMeans(as.data.frame(with_atoms(x))[atom_columns(info$views)])
  out <- data.frame(n = nrow(x), views = length(info$views), classes = length(info$levels),
                    measure = info$measure, unit = info$unit, folds = info$folds,
                    repeats = info$repeats %||% 1L)
  for (nm in names(m)) out[[paste0("mean_", nm)]] <- m[[nm]]
  out$shift <- info$shift
  for (nm in names(info$accuracy)) out[[paste0("accuracy_", nm)]] <- info$accuracy[[nm]]
  out$log_loss_joint <- info$logloss[["joint"]]
  out
}

#' @rdname interactions-methods
#' @export
predict.dmil_interactions <- function(object, new_data, new_y = NULL, nthreads = NULL, ...,
                                      new_x = NULL) {
  info <- interaction_info(object)
  new_data <- check_new_data(rlang::maybe_missing(new_data, NULL), new_x, list(...), info$table)
  nthreads <- check_nthreads(nthreads)
  data <- match_blueprint(new_data, info$blueprint, nthreads, allow_missing = TRUE)
  if (!is.null(data$present)) {
    lacking <- which(!has_every_view(data$present))
    dm_abort(
      c("The expected interactions of a sample need every view.",
        "x" = "{length(lacking)} sample{?s} of {.arg new_data} lack{?s/} a view; the first is row {lacking[1]}.",
        "i" = "Predict the samples with every view, or score all of them with {.fn dmil_interactions}, which gives the informations of the views each has."),
      class = "dmil_error_newdata")
  }
  if (!is.null(new_y)) {
    new_y <- check_outcome(factor(new_y, levels = info$levels), data$n, training = FALSE,
                           arg = "new_y")
  }
  interactions_predict_core(info, data, new_y, nthreads)
}

# predict.dmil_interactions() on data matched to the model's blueprint (or
# rows of a fit's data, see fit_rows()), with checked labels or NULL. With
# `fold` (the first repeat's fold of each row: rows of the table's own
# samples), each row is scored by the discriminators that did not train on
# it, as the table itself was; else by all folds' discriminators.
interactions_predict_core <- function(info, data, new_y, nthreads, fold = NULL) {
  n <- data$n
  K <- length(info$levels)
  vn <- info$views
  M <- length(vn)
  # per row, the mean over the folds it may use of `per_fold(f, d)`, the
  # n x K matrix of fold f's values on data d (with `fold`, only the rows
  # of fold f are computed)
  parts <- if (!is.null(fold)) {
    lapply(stats::setNames(nm = unique(fold)), function(f) data_rows(data, which(fold == f)))
  }
  over_folds <- function(per_fold) {
    if (is.null(fold)) {
      return(Reduce(`+`, lapply(seq_len(info$folds), per_fold, d = data)) / info$folds)
    }
    out <- matrix(NA_real_, n, K)
    for (f in unique(fold)) out[fold == f, ] <- per_fold(f, parts[[as.character(f)]])
    out
  }
  # Each subset's discriminators of the first repeat: probabilities
  # averaged over the folds, then calibrated.
  logp <- lapply(seq_along(info$nets), function(j) {
    probs <- over_folds(function(f, d) {
      spec <- info$nets[[j]]
      spec$theta <- info$thetas[[f]][[j]]
      exp(log_softmax(core_logits(list(spec), d, K, nthreads)))
    })
    matrix(log(probs), n)
  })
  if (!is.null(info$calib)) {
    res <- .Call(C_dm_calib_apply, logp, info$calib, M)
    check_status(res$status)
    logp <- res$logp
  }
  log_dens <- NULL
  if (info$measure == "lsmi") {
    log_dens <- vapply(seq_along(vn), function(m) {
      per_fold <- vapply(seq_len(info$folds), function(f) {
        res <- .Call(C_dm_knife_logdens, core_views(data), as.integer(m - 1L),
                     as.integer(info$knife$components), info$knife_thetas[[f]][[m]], nthreads)
        check_status(res$status)
        res$logdens
      }, numeric(n))
      if (is.null(fold)) log_mean_exp_rows(per_fold) else per_fold[cbind(seq_len(n), fold)]
    }, numeric(n))
    log_dens <- matrix(log_dens, n, dimnames = list(NULL, vn))
  }
  log_prior <- if (info$prior == "empirical") log(colMeans(info$fold_prior)) else rep(-log(K), K)
  nats_shift <- if (info$measure == "lsmi") info$shift / unit_factor(info$unit) else NA_real_
  ids <- data$ids %||% seq_len(n)
  out <- if (is.null(new_y)) {
    expected_interactions(logp, log_dens, log_prior, vn, info$measure, info$unit, ids,
                          shift = nats_shift)
  } else {
    yi <- as.integer(new_y)
    i <- vapply(logp, function(l) l[cbind(seq_len(n), yi)], numeric(n)) - log_prior[yi]
    interaction_table(matrix(i, n), if (!is.null(log_dens)) -log_dens, new_y, vn, info$measure,
                      info$unit, ids, shift = nats_shift)
  }
  attr(out, "shift") <- NULL
  out$.pred_class <- factor(info$levels[max.col(logp[[length(logp)]], ties.method = "first")],
                            levels = info$levels)
  out
}

# Rows of data matched by match_blueprint() (views held in R, not a fit's
# shared copy).
data_rows <- function(data, rows) {
  data$views <- view_rows(data$views, rows)
  if (!is.null(data$present)) data$present <- data$present[rows, , drop = FALSE]
  data$n <- length(rows)
  data$ids <- data$ids[rows]
  data$rownames <- data$rownames[rows]
  data
}

# Interactions of unlabelled samples: the expectation of the per-label
# values under the joint posterior, sum_y p(y | x) v(x, y). logp: the log
# posteriors of every subset of views (subset order, the last is all views).
expected_interactions <- function(logp, log_dens, log_prior, vn, measure, unit, ids,
                                  shift = NA_real_) {
  joint <- logp[[length(logp)]]
  n <- nrow(joint)
  K <- ncol(joint)
  post <- exp(joint)
  h <- if (!is.null(log_dens)) -log_dens
  total <- NULL
  for (k in seq_len(K)) {
    i <- matrix(vapply(logp, function(l) l[, k], numeric(n)), n) - log_prior[k]
    tab <- interaction_table(i, h, NULL, vn, measure, unit, ids, shift = shift)
    vals <- as.matrix(tab[setdiff(names(tab), c("sample", "dominant"))])
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

