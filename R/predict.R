#' Predict with a fitted multimodal classifier
#'
#' @section Missing views (DMIL, ensemble):
#' A DMIL model predicts from whatever views a sample has, and so does an
#' ensemble (the mean of the log-probabilities of its networks whose view
#' the sample has). A view can be
#' absent from `new_data`, or missing for some samples (all its values `NA` in
#' that row). In the network, the missing views leave the product of experts
#' of the redundant code, their unique heads are dropped, and the synergy
#' head is set to its centred expectation, 0, unless every view is present.
#' In the pool (see [dmil_control()]), the members that need a missing view
#' (`joint`, `late`, `early`) leave it for that sample and the weights of the
#' others (the network, and the ensemble's networks of the present views)
#' are rescaled to sum to 1. [augment.dmil_fit()]'s column `.views` says
#' which views each prediction used. The other baselines need every view
#' they were fitted on. Models can also be trained on samples that lack
#' views: see [dmil_fit()], Samples that lack views.
#'
#' @param object A [dmil_fit()] model.
#' @param new_data A named list of views, as for [dmil_fit()]. Views and their
#'   columns are matched by name (order does not matter; extra views and
#'   columns are ignored). When the training views had no column names,
#'   columns are matched by position and their number must agree.
#' @param type `"class"` for the predicted class, `"prob"` for class
#'   probabilities, `"logit"` for the logits (for `"ensemble"`, the averaged
#'   log-probabilities of the members; for `"interaction_ensemble"`, the
#'   logarithms of the mixture's probabilities; for a pooled DMIL model, the
#'   weighted sum of its members' log-probabilities), `"components"` (DMIL
#'   only) for the contributions of the network's redundant head, each unique
#'   head, the synergy head and the bias to the network's logit of the
#'   predicted class (they sum to it; with a pool, the class is the pool's
#'   prediction and the components describe the network, not the pool).
#' @param which For `method = "unimodal"`, the view whose network predicts;
#'   defaults to the one chosen at fit time.
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()].
#' @param ... Empty, but for `newdata`: accepted as another name of
#'   `new_data` (as [stats::predict()] names it), with a message.
#' @param new_x Deprecated name of `new_data`.
#'
#' @return A data frame with one row per sample (row names from `new_data` when
#'   it has them) and, following tidymodels conventions, the column
#'   `.pred_class` (a factor with the training levels) for `type = "class"`,
#'   `.pred_<level>` for `"prob"`, or `.logit_<level>` for `"logit"`; for
#'   `"components"`, `.pred_class` and `.comp_R`, `.comp_U_<view>`,
#'   `.comp_S`, `.comp_bias`. The columns are the same for every method.
#' @seealso [augment.dmil_fit()] for predictions, components and
#'   interactions in one table.
#' @examples
#' set.seed(1)
#' n <- 200
#' y <- factor(sample(c("a", "b"), n, TRUE))
#' x <- list(
#'   one = matrix(rnorm(3 * n) + (y == "a"), n, dimnames = list(NULL, c("p", "q", "r"))),
#'   two = matrix(rnorm(2 * n), n, dimnames = list(NULL, c("s", "t")))
#' )
#' fit <- dmil_fit(x, y, method = "late", epochs = 20, nthreads = 1)
#' # columns may come in another order
#' x2 <- list(two = x$two, one = x$one[, c("r", "p", "q")])
#' head(predict(fit, x2, type = "prob"))
#' @export
predict.dmil_fit <- function(object, new_data, type = c("class", "prob", "logit", "components"),
                             which = NULL, nthreads = NULL, ..., new_x = NULL) {
  validate_dmil_fit(object)
  new_data <- check_new_data(rlang::maybe_missing(new_data, NULL), new_x, list(...), object$table)
  type <- dm_arg_match(type)
  nthreads <- check_nthreads(nthreads)
  which <- if (is.null(which)) object$which else check_which(which, object$method, names(object$nets))
  method_predict(method_of(object), object, new_data, type, which, nthreads)
}

method_predict.dmil_method_baseline <- function(m, fit, new_data, type, which, nthreads) {
  if (type == "components") {
    dm_abort("{.code type = \"components\"} needs a DMIL model; this one is {.val {fit$method}}.",
             class = "dmil_error_arg", call = rlang::caller_env())
  }
  if (!is.null(which)) {  # unimodal networks: predict with one of them
    nets <- which
    bp <- fit$views[fit$nets[[which]]$views]
  } else {
    nets <- names(fit$nets)
    bp <- fit$views
  }
  call <- rlang::caller_env()
  # an ensemble predicts from the views a sample has; one network of it
  # only the samples that have its view
  data <- match_blueprint(new_data, bp, nthreads, call = call, allow_missing = method_incomplete(m),
                          need_one = is.null(which))
  if (!is.null(which) && !is.null(data$present)) {
    lacking <- which(!has_every_view(data$present))
    dm_abort(
      c("The network of view {.val {which}} predicts only samples that have that view.",
        "x" = "{length(lacking)} sample{?s} of {.arg new_data} lack{?s/} it; the first is row {lacking[1]}.",
        "i" = "Predict those samples with another view's network ({.arg which}), or with the ensemble of every view."),
      class = "dmil_error_newdata", call = call)
  }
  logits <- combined_logits(fit, data, mixture_data(fit, new_data, nthreads, call), nthreads, nets)
  format_predictions(logits, fit$levels, type, data$rownames)
}

# Logits of a baseline fit's networks `nets` on data (matched to the
# blueprint, or rows of the fit's data): their averaged log-probabilities,
# or for a fit with a `mixture` the per-sample mixture of its joint and
# ensemble parts, weighted by the interaction model on `it_data` (the data
# matched to its blueprint; `data` when NULL).
combined_logits <- function(fit, data, it_data, nthreads, nets = names(fit$nets)) {
  if (is.null(fit$mixture)) return(predict_logits(fit, data, nets, nthreads))
  mixture_logits(fit, data, it_data %||% data, nthreads)
}

views_used <- function(present, view_names, n) {
  if (is.null(present)) return(rep(paste(view_names, collapse = "+"), n))
  apply(present, 1, function(p) paste(view_names[p], collapse = "+"))
}

# Contributions of each component to the logit of the predicted class.
format_components <- function(core, levels) {
  cls <- max.col(core$logits, ties.method = "first")
  idx <- cbind(seq_along(cls), cls)
  out <- data.frame(.pred_class = factor(levels[cls], levels = levels))
  for (nm in names(core$comps)) out[[paste0(".comp_", nm)]] <- core$comps[[nm]][idx]
  out
}

# Logits from the C core for the named networks of a fit (averaged
# log-probabilities when there are several, i.e. the ensemble). Where data
# lack views (data$present), a row gets the mean over the networks that
# have every view they read, NA when none has.
predict_logits <- function(fit, data, nets, nthreads) {
  present <- data$present
  if (!is.null(present)) {
    has <- matrix(vapply(nets, function(j) {
      has_every_view(present[, fit$nets[[j]]$views, drop = FALSE])
    }, logical(nrow(present))), nrow(present))
    if (!all(has)) {
      total <- 0
      for (j in which(colSums(has) > 0)) {
        lp <- log_softmax(predict_logits(fit, data[setdiff(names(data), "present")], nets[j],
                                         nthreads))
        total <- total + zero_rows(lp, !has[, j])
      }
      out <- matrix(NA_real_, nrow(present), length(fit$levels), dimnames = list(NULL, fit$levels))
      ok <- rowSums(has) > 0
      if (any(ok)) out[ok, ] <- total[ok, , drop = FALSE] / rowSums(has)[ok]
      return(out)
    }
  }
  # Networks index views by position; `data` may hold only the views the
  # chosen networks need, in blueprint order.
  specs <- lapply(unname(fit$nets[nets]), function(net) {
    net$enc_views <- lapply(net$enc_views, function(v) {
      match(names(fit$views)[v + 1L], data$names %||% names(data$views)) - 1L
    })
    net
  })
  logits <- core_logits(specs, data, length(fit$levels), nthreads, combine = length(specs) > 1)
  colnames(logits) <- fit$levels
  logits
}

# The encodings of new data under a baseline fit's network `net` (one
# that predicts, or an auxiliary one such as a UMT teacher): a list
# with one matrix (samples x hidden) per encoder, named by its views; what a
# probe of one view's representation reads (bench/probe.R).
fit_encodings <- function(fit, new_data, net = names(fit$nets)[1], nthreads = fit$settings$nthreads) {
  net_internals(fit, match_blueprint(new_data, fit$views, nthreads), net)$encodings
}

# What one network of a fit computes on data (matched to the fit's
# blueprint, or rows of its data) besides its logits: the encodings (a list
# with one n x width matrix per encoder, named by its views) and, for a
# mixture of heads, the heads' weights (n x heads; NULL otherwise).
net_internals <- function(fit, data, net = names(fit$nets)[1]) {
  spec <- c(fit$nets, fit$aux_nets)[[net]]
  res <- .Call(C_dm_net_internals, core_views(data), spec, length(fit$levels))
  check_status(res$status)
  width <- cumsum(c(0, spec$enc_width))
  enc <- lapply(seq_along(spec$enc_views), function(e) {
    res$encodings[, (width[e] + 1):width[e + 1], drop = FALSE]
  })
  names(enc) <- vapply(spec$enc_views, function(v) {
    paste(names(fit$views)[v + 1L], collapse = "+")
  }, "")
  list(encodings = enc, weights = res$weights)
}

# Logits (n x K) of network descriptions (with `theta`) on matched data;
# with `combine`, the mean of their log-softmax outputs.
core_logits <- function(specs, data, K, nthreads, combine = FALSE) {
  res <- as_fit_error(.Call(C_dm_predict_baseline, core_views(data), specs, as.integer(K),
                            as.integer(combine), nthreads))
  check_status(res$status)
  res$logits
}

format_predictions <- function(logits, levels, type, ids) {
  logits <- unname(logits)
  out <- switch(type,
    class = data.frame(.pred_class = factor(levels[max.col(logits, ties.method = "first")],
                                            levels = levels)),
    prob = stats::setNames(as.data.frame(softmax_rows(logits)), paste0(".pred_", levels)),
    logit = stats::setNames(as.data.frame(logits), paste0(".logit_", levels))
  )
  if (!is.null(ids)) rownames(out) <- ids
  out
}
