#' Augment, tidy and glance for fitted models
#'
#' `augment()` returns one row per sample of `new_data` (by default the
#' training data) with its id, the predicted class and probabilities and,
#' for DMIL, the contribution of each
#' component head of the network to its logit of the predicted class (the
#' class the pool predicts, see [dmil_control()]) and the posterior-expected
#' interactions of the sample (from the Phase B estimator, see
#' [predict.dmil_interactions()]; `NA` for samples with a missing view),
#' and for I2MoE the weights its gate gives each interaction expert.
#' `tidy()` and `glance()` have the same columns for every method.
#' `tidy()` gives one row per network and training stage (DMIL trains its
#' network in stages A, then R, U, S, then each network of its pool once; a
#' baseline trains each of its networks once), or with
#' `what = "interactions"` one row per interaction atom: the mean of the
#' fit's interaction table ([interactions()]) over its samples.
#' `glance()` gives one row of model-level figures.
#'
#' @param x A [dmil_fit()] model.
#' @param new_data A named list of views (see [predict.dmil_fit()]). If it
#'   is not given, `augment()` predicts the training data, found as
#'   [update()] finds them: by evaluating the `x` and `y` of the fit's call
#'   where `augment()` is called. It checks they are still the data the model
#'   was fitted on (sample count, class counts, column means) and adds the
#'   columns `truth` (the label) and `.validation` (`TRUE` for the rows held
#'   out for validation).
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param ... Empty, but for `newdata`: accepted as another name of
#'   `new_data` (as [stats::predict()] names it), with a message.
#' @param new_x Deprecated name of `new_data`.
#' @return Data frames. `augment()`: `sample`, (without `new_data`:
#'   `truth`, `.validation`), `.pred_class`,
#'   `.pred_<level>`, and for DMIL `.comp_R`, `.comp_U_<view>`, `.comp_S`,
#'   `.comp_bias`, `.expected_r`, `.expected_u_<view>`, `.expected_s`,
#'   `.expected_dominant` (the posterior-expected interactions, computed
#'   without labels; they differ from the labelled values of
#'   [interactions()], hence the names), `.views` (the views each prediction
#'   used); for I2MoE the gate's weights `.weight_r`,
#'   `.weight_u_<view>`, `.weight_s` and the `.dominant` expert (see
#'   [interactions()]).
#'
#'   `tidy()`: `network`, `stage` (`A`, `R`, `U`, `S` for DMIL; `NA` for a
#'   network trained in one run), `views`, `parameters`, `epochs` (run),
#'   `best_epoch` (kept), `train_loss`, `val_log_loss`, `val_accuracy` (at
#'   the epoch kept) and `kept` (`FALSE` for a DMIL stage that was undone). With
#'   `what = "interactions"`: `term` (the summary atoms of [interactions()]:
#'   `r`, `u_<view>`, `s`, and with three views the shared redundancies
#'   `r_<view>_<view>`; I2MoE's experts `r`, `u_<view>`, `s`), `estimate` (the
#'   mean over the samples of [interactions()], in its unit: that of the
#'   scores for DMIL and the interaction-aware ensemble, gate weights for
#'   I2MoE), `std.error` and `head_norm` (Frobenius norm of the DMIL
#'   component head that models the atom; `NA` for the shared redundancies
#'   and the other methods).
#'
#'   `glance()`: `method`, `n`, `n_val`, `views`, `classes`, `parameters`
#'   (of the networks that predict; UMT's teachers are not counted), `epochs`
#'   (run in all: every network and stage, and UMT's teachers), and
#'   `val_accuracy`, `val_log_loss` of the model `predict()` uses.
#' @name fit-methods
#' @examples
#' sim <- simulate_interactions(1200, "mix4", seed = 5)
#' train <- 1:800
#' xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
#' fit <- dmil_fit(xs(train), sim$y[train], epochs = 10,
#'                 control = dmil_control(finetune_epochs = 3, scores = list(epochs = 5)),
#'                 seed = 1, nthreads = 1)
#' head(augment(fit, xs(-train)))
#' # the training samples, with their labels and the validation rows
#' head(augment(fit))
#' tidy(fit)
#' tidy(fit, "interactions")
#' glance(fit)
NULL

#' @rdname fit-methods
#' @export
augment.dmil_fit <- function(x, new_data, nthreads = NULL, ..., new_x = NULL) {
  dots <- list(...)
  validate_dmil_fit(x)
  nthreads <- check_nthreads(nthreads)
  if (missing(new_data) && is.null(new_x) && !length(dots)) {
    train <- fitted_data(x, parent.frame())
    out <- method_augment(method_of(x), x, train$x, nthreads)
    return(cbind(out[1], truth = train$y, .validation = seq_len(x$n) %in% x$val_rows,
                 out[-1]))
  }
  new_data <- check_new_data(rlang::maybe_missing(new_data, NULL), new_x, dots, x$table)
  method_augment(method_of(x), x, new_data, nthreads)
}

# The training views and labels of `fit`, found as update() finds them: the
# expressions of x and y in its call, evaluated in `env`. They must still be
# the data the model was fitted on: as many samples, the same class counts,
# and the column means the blueprint recorded.
fitted_data <- function(fit, env, call = rlang::caller_env()) {
  spec <- fit$table
  # a fit from a table with an outcome column has no y in its call
  expr <- list(x = fit$call$x, y = if (is.null(spec$outcome)) fit$call$y)
  expr <- expr[!vapply(expr, is.null, TRUE)]
  hint <- "Give the training views as {.arg new_data} (its rows are then predicted, without {.field truth} and {.field .validation})."
  found <- tryCatch(lapply(expr, eval, envir = env), error = function(e) NULL)
  if (is.null(found) || length(found) != 2 - !is.null(spec$outcome)) {
    shown <- paste0(names(expr), " = ",
                    vapply(expr, function(e) paste(deparse(e, width.cutoff = 60L)[1], collapse = ""), ""))
    dm_abort(c("Without {.arg new_data}, {.fn augment} predicts the training data, but they were not found.",
               "x" = "The fit's call names them {.code {shown}}; evaluating {cli::qty(length(shown))}{?this/these} failed here.",
               "i" = hint),
             class = "dmil_error_newdata", call = call)
  }
  if (!is.null(spec)) {
    if (!is.data.frame(found$x)) found$x <- NULL
    if (!is.null(spec$outcome)) found$y <- found$x[[spec$outcome]]
    found$x <- spec_views(found$x, spec)
  }
  changed <- function(why) {
    dm_abort(c("Without {.arg new_data}, {.fn augment} predicts the training data, but the data the fit's call names have changed since the fit.",
               "x" = why, "i" = hint),
             class = "dmil_error_newdata", call = call)
  }
  views <- check_views(found$x, call = call)
  if (nrow(views[[1]]) != fit$n) changed("They have {nrow(views[[1]])} samples; the fit had {fit$n}.")
  y <- check_outcome(found$y, fit$n, call = call)
  if (!identical(levels(y), fit$levels) ||
      !identical(as.integer(table(y)), unname(as.integer(fit$class_counts)))) {
    changed("The labels' classes or class counts differ.")
  }
  for (v in names(fit$views)) {
    bp <- fit$views[[v]]
    m <- views[[v]]
    if (is.null(m) || ncol(m) != bp$n_columns) changed("View {.val {v}} is missing or has other columns.")
    means <- view_colstats(m, 1L)$mean[bp$keep]
    if (!isTRUE(all.equal(unname(means), bp$center, tolerance = 1e-6))) {
      changed("The column means of view {.val {v}} differ from those recorded at the fit.")
    }
  }
  # fits saved before the fingerprint existed are checked as above only
  if (!is.null(fit$fingerprint) &&
      !isTRUE(all.equal(data_fingerprint(views[names(fit$views)], y), fit$fingerprint,
                        tolerance = 1e-8))) {
    changed("The samples are in another order, or their values or labels changed.")
  }
  list(x = views, y = y)
}

# A check of the training data that a fit keeps (so that augment() can
# tell its data from others): per view and for the labels, a sum over the
# samples weighted by a function of their position, which reordering the
# samples changes.
data_fingerprint <- function(views, y) {
  w <- cos(seq_along(y))
  row_sums <- function(m) {
    if (inherits(m, "sparseMatrix")) Matrix::rowSums(m) else rowSums(m, na.rm = TRUE)
  }
  c(vapply(views, function(m) sum(w * row_sums(m)), numeric(1)),
    .labels = sum(w * as.integer(y)))
}

method_augment.dmil_method_baseline <- function(m, fit, new_data, nthreads) {
  prob <- predict(fit, new_data, type = "prob", nthreads = nthreads)
  cls <- factor(fit$levels[max.col(as.matrix(prob), ties.method = "first")], levels = fit$levels)
  # predict() names the rows after the samples
  data.frame(sample = rownames(prob), .pred_class = cls, prob, row.names = NULL,
             check.names = FALSE)
}

#' Interaction scores of a fitted model
#'
#' The per-sample interaction table of the training samples that a model
#' computed while fitting: for DMIL, the scores Phase B computed and Phase
#' C used to weight the fine-tuning stages; for the interaction-aware
#' ensemble, the interaction model whose predictions mix its parts; for
#' I2MoE, the weights its gate gives each interaction expert.
#'
#' @param object A [dmil_fit()] model fitted with `method = "dmil"` and
#'   fine-tuning, or with `method = "interaction_ensemble"` or `"i2moe"`.
#' @param ... Unused.
#' @return For DMIL and the interaction-aware ensemble, a
#'   [dmil_interactions()] table (training rows only: the samples held out
#'   for validation are not scored). For I2MoE, a data frame of class
#'   `dmil_expert_weights` with one row per sample passed to [dmil_fit()]
#'   (validation rows included, as the weights need no labels): `sample`
#'   (the row names of the views, else row numbers, as in
#'   [dmil_interactions()]), `label`, `validation` (whether the row was held out),
#'   one column per expert (`r` redundancy, `u_<view>` uniqueness of each
#'   view, `s` synergy) holding its weight, which sum to one per sample, and
#'   `dominant`, the expert of largest weight labelled like
#'   [dmil_interactions()]'s dominant atoms.
#' @examples
#' sim <- simulate_interactions(800, "mix4", seed = 6)
#' fit <- dmil_fit(sim$x, sim$y, epochs = 5,
#'                 control = dmil_control(finetune_epochs = 2, scores = list(epochs = 5)),
#'                 nthreads = 1)
#' head(interactions(fit))
#'
#' # I2MoE's expert weights beside DMIL's interactions of the same samples
#' moe <- dmil_fit(sim$x, sim$y, method = "i2moe", epochs = 10, nthreads = 1)
#' w <- interactions(moe)
#' both <- merge(as.data.frame(interactions(fit)), w, by = "sample",
#'               suffixes = c("_dmil", "_i2moe"))
#' table(dmil = both$dominant_dmil, i2moe = both$dominant_i2moe)
#' @export
interactions <- function(object, ...) {
  UseMethod("interactions")
}

#' @rdname interactions
#' @export
interactions.dmil_fit <- function(object, ...) {
  if (is.null(object$interactions)) {
    dm_abort(
      c("This model has no interaction scores.",
        "i" = method_no_interactions(method_of(object), object)),
      class = "dmil_error_arg")
  }
  object$interactions
}

# I2MoE's gate weights of the fitted samples as a table (see ?interactions),
# from the fit's data (fit_data()), in the order of the views.
expert_weights <- function(fit, data, y) {
  back <- order(data$order)
  g <- gate_weights(fit, fit_rows(data))
  out <- data.frame(sample = data$ids, label = y,
                    validation = seq_len(data$n) %in% fit$val_rows)
  out[colnames(g$weights)] <- as.data.frame(g$weights[back, , drop = FALSE])
  out$dominant <- g$dominant[back]
  structure(out, class = c("dmil_expert_weights", "data.frame"))
}

# The weights I2MoE's gate gives each expert on data (matched to the fit's
# blueprint, or rows of its data): a matrix with columns named by the atoms
# (r, u_<view>, s; the C core orders the experts uniqueness per view,
# synergy, redundancy), and the dominant expert as a factor labelled like
# the dominant atoms.
gate_weights <- function(fit, data) {
  vn <- names(fit$views)
  w <- net_internals(fit, data, "i2moe")$weights
  colnames(w) <- c(paste0("u_", vn), "s", "r")
  cols <- c("r", paste0("u_", vn), "s")
  w <- w[, cols, drop = FALSE]
  list(weights = w, dominant = dominant_atom(w, vn, cols))
}

#' @export
print.dmil_expert_weights <- function(x, n = 6, ...) {
  cat(sprintf("<dmil_expert_weights> I2MoE gate weights of %d samples\n", nrow(x)))
  print_per_sample(x, names(x)[vapply(x, is.double, logical(1))], n)
}

#' @rdname fit-methods
#' @param what For `tidy()`: `"networks"` (one row per network and training
#'   stage) or `"interactions"` (one row per interaction atom, for fits that
#'   have an interaction table, see [interactions()]).
#' @export
tidy.dmil_fit <- function(x, what = c("networks", "interactions"), ...) {
  validate_dmil_fit(x, outputs = TRUE)
  dm_check_dots_empty()
  what <- dm_arg_match(what)
  if (what == "networks") return(network_table(x))
  interactions(x)  # says why when there is no table
  atom_table(x)
}

# One row per network and training stage (`stage` NA for a network trained
# in one run), at the epoch each kept: the same columns for every method.
network_table <- function(fit) {
  do.call(rbind, lapply(method_stages(method_of(fit), fit), function(st) {
    h <- fit$history[fit$history$net == st$net & fit$history$stage %in% st$stage, ]
    data.frame(network = st$net, stage = st$stage,
               views = paste(fit$nets[[st$net]]$views, collapse = "+"),
               parameters = length(fit$nets[[st$net]]$theta), epochs = nrow(h),
               best_epoch = st$best, train_loss = h$train_loss[st$best],
               val_log_loss = h$val_log_loss[st$best], val_accuracy = h$val_accuracy[st$best], kept = st$kept)
  }))
}

# The networks' training runs: a list of (net, stage, best epoch, kept).
method_stages <- function(m, fit) UseMethod("method_stages")
method_stages.dmil_method_baseline <- function(m, fit) single_runs(fit, names(fit$nets))
# Networks `nets` of a fit, each trained in one run.
single_runs <- function(fit, nets) {
  lapply(nets, function(j) list(net = j, stage = NA_character_, best = fit$best_epoch[[j]], kept = TRUE))
}

# The mean interaction of the fitted samples per atom of their table (the
# summary atoms of dmil_interactions(); I2MoE's experts), with its standard
# error, and the size of the head that models the atom (DMIL's component
# heads, named by atom column; NA for atoms without a head of their own).
# Samples that lack a view have no atoms and are left out.
atom_table <- function(fit) {
  if (is.null(fit$interactions)) return(NULL)
  it <- as.data.frame(fit$interactions)
  cols <- intersect(atom_columns(names(fit$views)), names(it))
  it <- it[stats::complete.cases(it[cols]), cols, drop = FALSE]
  norms <- method_head_norms(method_of(fit), fit)
  data.frame(term = cols, estimate = unname(colMeans(it)),
             std.error = unname(apply(it, 2, stats::sd)) / sqrt(nrow(it)),
             head_norm = unname(norms[cols] %||% NA_real_))
}
method_head_norms <- function(m, fit) UseMethod("method_head_norms")
method_head_norms.dmil_method <- function(m, fit) NULL

#' @rdname fit-methods
#' @export
glance.dmil_fit <- function(x, ...) {
  validate_dmil_fit(x, outputs = TRUE)
  dm_check_dots_empty()
  final <- model_val_metrics(x)
  data.frame(method = x$method, n = x$n, n_val = x$n_val, views = length(x$views),
             classes = length(x$levels),
             parameters = sum(vapply(x$nets, function(net) length(net$theta), integer(1))),
             epochs = nrow(x$history),
             val_accuracy = if (is.null(final)) NA_real_ else final$val_accuracy,
             val_log_loss = if (is.null(final)) NA_real_ else final$val_log_loss)
}

# The validation metrics of the model predict() uses (one row of
# fit$val_metrics: the last, the combined model's, unless predict() uses
# one network of several), or NULL without validation rows.
model_val_metrics <- function(fit) {
  vm <- fit$val_metrics
  if (is.null(vm)) return(NULL)
  vm[if (is.null(fit$which)) nrow(vm) else match(fit$which, vm$net), ]
}

# Indices (1-based) of each head's weights in a DMIL parameter vector
# (named R, U_<view>, S, bias), from the C core's parameter table.
dmil_layout <- function(fit) {
  a <- fit$nets$dmil$arch
  dims <- vapply(fit$views, function(b) length(b$columns), integer(1))
  tab <- .Call(C_dm_dmil_layout, unname(dims), length(fit$levels), a)
  idx <- function(j) seq(tab$start[j], length.out = tab$length[j])
  heads <- which(tab$group %in% c("ar", "au", "as", "bias"))
  out <- lapply(heads, idx)
  names(out) <- ifelse(tab$group[heads] == "au", paste0("U_", names(dims)[tab$view[heads]]),
                       c(ar = "R", as = "S", bias = "bias")[tab$group[heads]])
  out
}
