#' Which features drive each interaction: permutation importance
#'
#' For every feature of every view, how much a model's predictions and its
#' per-sample interactions depend on it, measured on held-out samples by
#' permuting the feature's values among them (which keeps its distribution
#' and breaks its link with the label and the other features).
#'
#' @section Terms:
#' * `log_loss`: the increase of the model's log-loss on the samples when
#'   the feature is permuted (in nats), for every method: how much the
#'   predictions rely on the feature.
#' * the atoms `r`, `u_<view>`, `s` (and with three or more views
#'   `r_<view>_<view>`; see [dmil_vocabulary]), for a DMIL fit (its Phase B
#'   estimator, whose scores weight the fine-tuning), a fit of
#'   `method = "interaction_ensemble"`, or a [dmil_interactions()] table:
#'   the mean drop of the atom, at the samples' labels, over the samples it
#'   dominates (their `dominant` atom before permuting), when the feature is
#'   permuted among those samples. It says through which features the
#'   redundant samples are redundant, the synergistic ones synergistic, and
#'   so on. Both restrictions keep the kinds of samples apart: over all
#'   samples, permuting a feature that carries the redundancy also moves the
#'   unique and synergistic atoms (differences of informations), and values
#'   moved in from samples of another kind can make a sample look like that
#'   kind (a feature that is noise for synergistic samples but signal for
#'   others would seem to carry their synergy).
#'
#' `estimate` is the mean over `repeats` permutations and `std.error` its
#' standard error over them: the permutations' noise, not the sampling
#' variability of the held-out samples. On the simulation below, with one
#' planted feature per block and view, the planted features ranked first for
#' every atom in 10 of 10 simulated data sets (`sigma = 0.4`, 1000 training
#' and 500 held-out samples); with two planted features per block and more
#' noise (`d_latent = 2`, `sigma = 0.6`) the mean top-k recall was 1.00 for
#' `r`, 0.95 for `u_x1` and `u_x2` and 0.90 for `s`. As with every permutation
#' importance, features that carry the same information share it: while
#' one of them is intact, permuting the other costs little, so a group of
#' such features can rank below a single feature that carries less. On simulated data where known
#' features carry each kind of information (`simulate_interactions(design =
#' "mix4", mixing = "blocks")`) the planted features of each atom rank first
#' (see the tests).
#'
#' @param object A [dmil_fit()] model or a [dmil_interactions()] table.
#' @param new_data,y Held-out views (a named list, as for [predict()]) and
#'   their labels. For a fit, both may be left out: its training data are
#'   then used, found as [augment.dmil_fit()] finds them, the log-loss on
#'   the validation rows (held out from every network) and the atoms on the
#'   training rows the interaction estimator scored, each scored by the
#'   cross-fitted discriminators that did not train on it, as in the
#'   estimator's own table. An interaction table needs them: its own
#'   samples trained its discriminators.
#' @param repeats Number of permutations per feature.
#' @param seed `NULL` or a whole number.
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param progress Show a progress bar.
#' @return A data frame of class `dmil_importance` with one row per view,
#'   feature and term: `view`, `feature`, `term`, `estimate`, `std.error`
#'   and `n` (the samples the term averages over). `print()` shows the top
#'   features of each term, `tidy()` returns the table, and `plot()` and
#'   `autoplot()` draw the top features of each term.
#' @seealso [dmil_interactions()], [simulate_interactions()].
#' @examples
#' sim <- simulate_interactions(1500, "mix4", mixing = "blocks", d_latent = 1, dims = c(8, 8),
#'                              sigma = 0.4, seed = 1)
#' tr <- 1:1000
#' xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
#' it <- dmil_interactions(xs(tr), sim$y[tr], repeats = 2, seed = 1, nthreads = 1)
#' imp <- dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 2, seed = 1, nthreads = 1)
#' imp
#' # the features the simulation planted for each kind of information
#' head(sim$features, 8)
#' plot(imp)
#' @export
dmil_importance <- function(object, new_data = NULL, y = NULL, repeats = 5, seed = NULL,
                            nthreads = NULL, progress = interactive()) {
  repeats <- check_count(repeats, min = 1, max = 1000)
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)
  progress <- check_flag(progress)
  groups <- importance_groups(object, new_data, y, parent.frame(), nthreads)
  out <- do.call(rbind, lapply(groups, permute_features, repeats = repeats, seed = seed,
                               progress = progress))
  structure(out, class = c("dmil_importance", "data.frame"), repeats = repeats,
            rows = vapply(groups, `[[`, "", "rows"))
}

# The importance of every feature for the terms of one group (see
# importance_groups()): each feature permuted `repeats` times among the
# group's samples, the permuted copies scored in stacks of about 20000 rows.
permute_features <- function(g, repeats, seed, progress) {
  views <- g$views
  n <- nrow(views[[1]])
  base <- g$score(views, g$y, 1L)
  terms <- colnames(base$values)
  # the samples each term averages over: all for the log-loss, those an
  # atom dominates before any permutation for the atom
  rows_of <- lapply(terms, function(t) {
    if (t == "log_loss") seq_len(n) else which(base$dominant == column_labels(t))
  })
  # the change of each term, signed so that larger means more important
  drops <- function(values) {
    vapply(seq_along(terms), function(k) {
      rows <- rows_of[[k]]
      if (!length(rows)) return(NA_real_)
      d <- mean(base$values[rows, k] - values[rows, k])
      if (terms[k] == "log_loss") -d else d
    }, numeric(1))
  }
  features <- do.call(rbind, lapply(names(views), function(v) {
    data.frame(view = v, column = seq_len(ncol(views[[v]])),
               feature = colnames(views[[v]]) %||% paste0("V", seq_len(ncol(views[[v]]))))
  }))
  # stacks of at most about 2e7 cells (or 20000 rows)
  cells <- n * sum(vapply(views, ncol, 1L))
  per_stack <- max(1L, min(floor(20000 / n), floor(2e7 / cells)))
  stacks <- split(seq_len(nrow(features)), ceiling(seq_len(nrow(features)) / per_stack))
  bar <- if (progress) {
    cli::cli_progress_bar(paste("Permuting features:", paste(terms, collapse = ", ")),
                          total = length(stacks) * repeats, .envir = environment())
  }
  # atoms: permuted among the samples of the same dominant atom, so that a
  # feature's values move only between samples of one kind; and a view's
  # features among the samples that have the view
  strata <- if (is.null(base$dominant)) list(seq_len(n)) else split(seq_len(n), base$dominant)
  has <- rows_with_view(views)
  # drawn as they are used, in the order (repeat, feature), from `seed`
  permutation <- function(v) {
    p <- seq_len(n)
    for (s in strata) {
      s <- s[has[[v]][s]]
      p[s] <- s[sample.int(length(s))]
    }
    p
  }
  res <- array(NA_real_, c(nrow(features), length(terms), repeats))
  copies <- function(k) {
    lapply(views, function(m) {
      m <- m[rep(seq_len(n), k), , drop = FALSE]
      rownames(m) <- NULL
      m
    })
  }
  stacked <- copies(length(stacks[[1]]))
  with_seed(seed, for (r in seq_len(repeats)) {
    for (idx in stacks) {
      if (nrow(stacked[[1]]) != length(idx) * n) stacked <- copies(length(idx))
      # copy j of the samples has feature idx[j] permuted; the copies are
      # restored after scoring, so that the stack is built once
      v <- features$view[idx]
      col <- features$column[idx]
      for (j in seq_along(idx)) {
        stacked[[v[j]]][(j - 1L) * n + seq_len(n), col[j]] <- views[[v[j]]][permutation(v[j]), col[j]]
      }
      scored <- g$score(stacked, rep(g$y, length(idx)), length(idx))
      for (j in seq_along(idx)) {
        res[idx[j], , r] <- drops(scored$values[(j - 1L) * n + seq_len(n), , drop = FALSE])
        stacked[[v[j]]][(j - 1L) * n + seq_len(n), col[j]] <- views[[v[j]]][, col[j]]
      }
      if (progress) cli::cli_progress_update(id = bar)
    }
  })
  do.call(rbind, lapply(seq_along(terms), function(k) {
    v <- matrix(res[, k, ], nrow(features))
    data.frame(view = features$view, feature = features$feature, term = terms[k],
               estimate = rowMeans(v),
               std.error = if (repeats > 1) apply(v, 1, stats::sd) / sqrt(repeats) else NA_real_,
               n = length(rows_of[[k]]))
  }))
}

# The groups of terms of dmil_importance(), each with its samples: a
# function scoring (views, labels, copies) -- per-sample values (column
# log_loss: minus the log-probability of the label; the atoms at the
# labels) and dominant atoms, for `copies` stacked copies of the samples --
# the views, the labels and a description of the rows.
# * new_data and y given: the log-loss (of a fit) and the atoms (of a fit's
#   interaction estimator, or of a table) on them;
# * a fit without them: the log-loss on its validation rows, and the atoms
#   on the training rows its interaction estimator scored, each row by the
#   discriminators that did not train on it (as the estimator's own table).
importance_groups <- function(object, new_data, y, env, nthreads, call = rlang::caller_env()) {
  if (!inherits(object, c("dmil_fit", "dmil_interactions"))) {
    dm_abort(c("{.arg object} must be a {.cls dmil_fit} model or a {.cls dmil_interactions} table.",
               "x" = "It is {obj_type(object)}."),
             class = "dmil_error_arg", call = call)
  }
  it <- if (inherits(object, "dmil_interactions")) object else object$interactions
  if (!inherits(it, "dmil_interactions")) it <- NULL
  loss_group <- function(views, y, rows) {
    list(views = views, y = y, rows = rows, score = function(v, labels, copies) {
      prob <- as.matrix(predict(object, v, type = "prob", nthreads = nthreads))
      p <- prob[cbind(seq_along(labels), as.integer(labels))]
      list(values = cbind(log_loss = -log(pmax(p, .Machine$double.eps))), dominant = NULL)
    })
  }
  # atoms are defined for the samples with every view
  atom_group <- function(views, y, rows, fold = NULL) {
    info <- interaction_info(it)
    full <- Reduce(`&`, rows_with_view(views))
    if (!all(full)) {
      views <- view_rows(views, which(full))
      y <- y[full]
    }
    list(views = views, y = y, rows = rows, score = function(v, labels, copies) {
      data <- match_blueprint(v, info$blueprint, nthreads, call = call)
      p <- interactions_predict_core(info, data, labels, nthreads,
                                     fold = if (!is.null(fold)) rep(fold, copies))
      list(values = as.matrix(p[atom_columns(info$views)]), dominant = p$dominant)
    })
  }
  levels <- if (is.null(it)) object$levels else interaction_info(it)$levels
  if (!is.null(new_data) || !is.null(y) || inherits(object, "dmil_interactions")) {
    held <- importance_data(new_data, y, levels, object, call)
    return(c(if (inherits(object, "dmil_fit")) list(loss_group(held$views, held$y, "new_data")),
             if (!is.null(it)) list(atom_group(held$views, held$y, "new_data"))))
  }
  if (!length(object$val_rows) && is.null(it)) {
    dm_abort(c("The fit has no validation rows to permute features on.",
               "i" = "Give held-out samples as {.arg new_data} and {.arg y}."),
             class = "dmil_error_newdata", call = call)
  }
  train <- fitted_data(object, env, call = call)
  sub <- function(rows) view_rows(train$x, rows)
  out <- list()
  if (length(object$val_rows)) {
    rows <- sort(object$val_rows)
    out <- list(loss_group(sub(rows), train$y[rows], "the fit's validation rows"))
  }
  if (!is.null(it)) {
    # the table's samples with every view, in the order of its folds
    rows <- match(as.character(it$sample[!is.na(it$dominant)]), as.character(view_ids(train$x)))
    out <- c(out, list(atom_group(sub(rows), train$y[rows],
                                  "the training rows, out of fold", interaction_info(it)$fold[, 1])))
  }
  out
}

# Held-out samples given to dmil_importance(), labels in the model's
# classes.
importance_data <- function(new_data, y, levels, object, call) {
  if (is.null(new_data) || is.null(y)) {
    dm_abort(c("Give both {.arg new_data} and {.arg y}: held-out samples and their labels.",
               "i" = if (inherits(object, "dmil_interactions")) "An interaction table's own samples trained its discriminators; they are not held out."),
             class = "dmil_error_newdata", call = call)
  }
  spec <- if (inherits(object, "dmil_fit")) object$table else interaction_info(object)$table
  views <- check_views(spec_views(new_data, spec), min_views = 1L, arg = "new_data",
                       call = call)
  y <- check_outcome(y, nrow(views[[1]]), call = call)
  unknown <- setdiff(levels(y), levels)
  if (length(unknown)) {
    dm_abort(c("{.arg y} has classes the model does not know: {.val {unknown}}.",
               "i" = "Its classes are {.val {levels}}."),
             class = "dmil_error_outcome", call = call)
  }
  list(views = views, y = factor(as.character(y), levels = levels))
}

#' @export
print.dmil_importance <- function(x, top = 5, ...) {
  cat(sprintf("<dmil_importance> %d features x %d terms, %d permutation%s each; samples: %s\n",
              length(unique(paste(x$view, x$feature))), length(unique(x$term)),
              attr(x, "repeats"), if (attr(x, "repeats") == 1) "" else "s",
              paste(unique(attr(x, "rows")), collapse = " (log-loss), ")))
  d <- as.data.frame(unclass(x))
  for (t in unique(d$term)) {
    s <- d[d$term == t, ]
    if (t == "log_loss") {
      cat(sprintf("\nlog_loss (increase of the log-loss of %d samples):\n", s$n[1]))
    } else if (s$n[1] == 0) {
      cat(sprintf("\n%s: no sample is dominated by it\n", t))
      next
    } else {
      cat(sprintf("\n%s (drop on the %d sample%s it dominates):\n", t, s$n[1],
                  if (s$n[1] == 1) "" else "s"))
    }
    s <- utils::head(s[order(-s$estimate), ], top)
    print(s[c("view", "feature", "estimate", "std.error")], row.names = FALSE, digits = 3)
  }
  invisible(x)
}

#' @rdname dmil_importance
#' @param x A `dmil_importance` result.
#' @param ... Unused.
#' @export
tidy.dmil_importance <- function(x, ...) {
  dm_check_dots_empty()
  out <- as.data.frame(unclass(x))
  attr(out, "repeats") <- NULL
  attr(out, "rows") <- NULL
  out
}

# For each view, which samples have it (views already checked: a missing
# view is a whole row of NA; a sparse view is never missing).
rows_with_view <- function(views) {
  lapply(views, function(m) inherits(m, "sparseMatrix") | !is.na(m[, 1]))
}
