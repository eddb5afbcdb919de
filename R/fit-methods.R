#' Augment, tidy and glance for fitted models
#'
#' `augment()` returns one row per sample of `new_x` with its id, the
#' predicted class and probabilities and, for DMIL, the contribution of each
#' component head to the predicted class's logit and the posterior-expected
#' interactions of the sample (from the Phase B estimator, see
#' [predict.dmil_interactions()]; `NA` for samples with a missing view),
#' and for I2MoE the weights its gate gives each interaction expert.
#' `tidy()` summarises the components of a DMIL model (one row per
#' interaction component: the mean training interaction score and the size
#' of its head) or the networks of a baseline. `glance()` gives one row of
#' model-level figures.
#'
#' @param x A [dmil_fit()] model.
#' @param new_x A named list of views (see [predict.dmil_fit()]).
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param ... Unused.
#' @return Data frames. `augment()`: `sample`, `.pred_class`,
#'   `.pred_<level>`, and for DMIL `.comp_R`, `.comp_U_<view>`, `.comp_S`,
#'   `.comp_bias`, `.r`, `.u_<view>`, `.s`, `.dominant`, `.views`; for
#'   I2MoE the gate's weights `.weight_r`, `.weight_u_<view>`, `.weight_s`
#'   and the `.dominant` expert (see [interactions()]).
#'   `tidy()` for DMIL: `component`, `estimate` (mean score of the training
#'   samples, in the unit of [interactions()]), `std.error`, `head_norm`
#'   (Frobenius norm of the component's head). `glance()`: `method`, `n`,
#'   `views`, `classes`, `val_accuracy`, `val_loss`, and for DMIL the
#'   validation accuracy after each phase and stage and the mean scores.
#' @name fit-methods
#' @examples
#' sim <- simulate_interactions(1200, "mix4", seed = 5)
#' train <- 1:800
#' xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
#' fit <- dmil_fit(xs(train), sim$y[train], epochs = 10,
#'                 control = dmil_control(finetune_epochs = 3, scores = list(epochs = 5)),
#'                 seed = 1, nthreads = 1)
#' head(augment(fit, xs(-train)))
#' tidy(fit)
#' glance(fit)
NULL

#' @rdname fit-methods
#' @export
augment.dmil_fit <- function(x, new_x, nthreads = NULL, ...) {
  rlang::check_dots_empty()
  nthreads <- check_nthreads(nthreads)
  method_augment(method_of(x), x, new_x, nthreads)
}

method_augment.dmil_method_baseline <- function(m, fit, new_x, nthreads) {
  prob <- predict(fit, new_x, type = "prob", nthreads = nthreads)
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

# I2MoE's gate weights of the fitted samples as a table (see ?interactions).
expert_weights <- function(fit, views, y, nthreads) {
  g <- gate_weights(fit, views, nthreads)
  out <- data.frame(sample = view_ids(views), label = y,
                    validation = seq_len(nrow(g$weights)) %in% fit$val_rows)
  out[colnames(g$weights)] <- as.data.frame(g$weights)
  out$dominant <- g$dominant
  structure(out, class = c("dmil_expert_weights", "data.frame"))
}

# The weights I2MoE's gate gives each expert on new views: a matrix with
# columns named by the atoms (r, u_<view>, s; the C core orders the experts
# uniqueness per view, synergy, redundancy), and the dominant expert as a
# factor labelled like the dominant atoms.
gate_weights <- function(fit, new_x, nthreads = fit$settings$nthreads, call = rlang::caller_env()) {
  vn <- names(fit$views)
  w <- net_internals(fit, new_x, "i2moe", nthreads, call = call)$weights
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
#' @export
tidy.dmil_fit <- function(x, ...) {
  method_tidy(method_of(x), x)
}

method_tidy.dmil_method_baseline <- function(m, fit) {
  s <- summary(fit)$networks
  data.frame(network = s$network, views = s$views, parameters = s$parameters,
             best_epoch = s$best_epoch, val_acc = s$val_acc)
}

#' @rdname fit-methods
#' @export
glance.dmil_fit <- function(x, ...) {
  vm <- x$val_metrics
  final <- if (is.null(vm)) NULL else vm[nrow(vm), ]
  out <- data.frame(method = x$method, n = x$n, views = length(x$views),
                    classes = length(x$levels),
                    val_accuracy = if (is.null(final)) NA_real_ else final$val_acc,
                    val_loss = if (is.null(final)) NA_real_ else final$val_loss)
  method_glance(method_of(x), x, out)
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
