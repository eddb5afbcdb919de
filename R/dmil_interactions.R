#' Per-sample multimodal interactions
#'
#' Estimates, for every sample, how much information about its label is
#' redundant across the views (`r`), unique to each view (`u_<view>`) or
#' synergistic (`s`), from pointwise mutual informations estimated with
#' cross-fitted classifiers.
#'
#' @section Estimation:
#' For each of `folds` stratified folds, discriminators are trained on the
#' other folds -- one network per view (\eqn{p(y \mid x_m)}) and one on all
#' views (\eqn{p(y \mid x_1, \dots, x_M)}) -- and score the samples of the
#' fold, so no sample is scored by a model that saw it. Each network is a
#' multilayer perceptron (`depth` layers of `hidden` units, linear output)
#' trained with Adam; the epoch kept is the one with the lowest loss on an
#' inner validation part (`inner_validation`) of the training folds, which
#' favours calibrated probabilities. The pointwise mutual information of a
#' sample with label \eqn{y} is
#' \eqn{i(x_m; y) = \log p(y \mid x_m) - \log p(y)}, with the class prior
#' \eqn{p(y)} taken from the class frequencies of the training folds
#' (`prior = "empirical"`) or uniform.
#'
#' @section Measures:
#' * `"pmmi"` (pointwise minimum mutual information, the default):
#'   \eqn{r = \min_m i(x_m; y)}, \eqn{u_m = i(x_m; y) - r},
#'   \eqn{s = i(x_{1..M}; y) - r - \sum_m u_m}. Unique values are never
#'   negative; `r` and `s` can be. It needs only the classifiers.
#' * `"lsmi"` (LSMI, Yang et al. 2025): the redundancy of Finn and Lizier,
#'   \eqn{r = \min_m h(x_m) - \min_m h(x_m \mid y)}, with surprisals
#'   \eqn{h(x_m) = -\log p(x_m)} from a Gaussian-mixture density per view in
#'   the parametrisation of KNIFE (`knife`: `components`, `epochs`,
#'   `batch_size`, `lr`, `patience`), fitted on the standardised features and
#'   cross-fitted like the classifiers; then one constant shift of all
#'   samples that makes the mean redundancy and synergy (or else the mean
#'   unique informations) non-negative, keeping the consistency equations
#'   (stored as `shift` in [glance()]). Surprisals of continuous features
#'   depend on each view's scale and dimension, so `r` is sensitive to them.
#'
#' Every sample satisfies \eqn{r + u_m = i(x_m; y)} and
#' \eqn{r + \sum_m u_m + s = i(x_{1..M}; y)}. With three or more views the
#' unique values can count information shared by some but not all views
#' twice, and `s` absorbs the correction; the table then also holds
#' \eqn{s_{add} = i(x_{1..M}; y) - \max_m i(x_m; y)}, the gain of the
#' combination over the best single view. With `pairs = TRUE` a
#' discriminator is also trained on every pair of views, and
#' `attr(result, "pairs")` holds the two-view decomposition of every pair.
#'
#' @inheritParams dmil_fit
#' @param measure `"pmmi"` or `"lsmi"`; see Measures.
#' @param folds Number of cross-fitting folds (at least 2).
#' @param foldid Optional fold of each sample (integers 1 to `folds`), for
#'   example to keep repeated measurements of one subject, or bootstrap
#'   copies of one sample, in the same fold. By default the folds are a
#'   stratified random split.
#' @param unit `"bits"` or `"nats"`.
#' @param ... These dots are for future extensions and must be empty.
#' @param pairs With three or more views, also decompose every pair of views.
#' @param prior `"empirical"` (class frequencies) or `"uniform"` class prior
#'   in the pointwise mutual informations.
#' @param hidden,depth Width and number of hidden layers of the
#'   discriminators.
#' @param calibrate Soften each discriminator by temperature scaling on the
#'   inner validation part: one temperature between 1 and 20 per network,
#'   fitted by maximum likelihood and folded into its output layer.
#'   Overconfident networks bias pointwise mutual informations downwards
#'   (a confidently wrong prediction makes them very negative); the
#'   temperature is not allowed below 1 because with a perfectly classified
#'   validation part the likelihood would sharpen the network without limit.
#' @param epochs,batch_size,lr,weight_decay,patience Training of the
#'   discriminators (Adam); training stops after `patience` epochs without a
#'   lower inner-validation loss.
#' @param inner_validation Fraction of the training folds held out to choose
#'   the epoch.
#' @param knife Settings of the density models for `"lsmi"`: a list with any
#'   of `components` (5), `epochs` (30), `batch_size` (64), `lr` (0.005),
#'   `patience` (5).
#'
#' @return A data frame of class `dmil_interactions`, one row per sample:
#'   `sample` (row names of the views, else the index), `label`, `r`, one
#'   `u_<view>` per view, `s`, the pointwise mutual informations `i_<view>`
#'   and `i_joint`, for three or more views `s_add`, for `"lsmi"` the
#'   surprisals `h_<view>`, and `dominant`, the largest of the atoms as a
#'   factor with levels `"R"`, `"U_<view>"`..., `"S"`. The fitted models and
#'   settings are kept in the attribute `"dmil"`, used by `predict()`,
#'   `summary()` and `glance()` (row subsets keep it).
#'
#' @seealso [summary.dmil_interactions()], [predict.dmil_interactions()],
#'   [simulate_interactions()], [pid_discrete()].
#' @references
#' Yang Z, Wang H, Hu D (2025). Efficient quantification of multimodal
#' interaction at sample level. ICML.
#'
#' Finn C, Lizier JT (2018). Pointwise partial information decomposition
#' using the specificity and ambiguity lattices. Entropy 20, 297.
#' @examples
#' sim <- simulate_interactions(1200, "mix4", seed = 1)
#' it <- dmil_interactions(sim$x, sim$y, epochs = 15, seed = 1, nthreads = 1)
#' it
#' # does the dominant estimated interaction match the simulated type?
#' mean(it$dominant == sim$type)
#' summary(it, B = 200)
#' @export
dmil_interactions <- function(x, y, measure = c("pmmi", "lsmi"), folds = 2,
                              unit = c("bits", "nats"), ..., foldid = NULL, pairs = FALSE,
                              prior = c("empirical", "uniform"), hidden = 64, depth = 2,
                              epochs = 30, batch_size = 64, lr = 1e-3, weight_decay = 0,
                              patience = 5, inner_validation = 0.1, calibrate = TRUE, knife = list(),
                              seed = NULL, nthreads = NULL, progress = interactive()) {
  rlang::check_dots_empty()
  measure <- rlang::arg_match(measure)
  unit <- rlang::arg_match(unit)
  prior <- rlang::arg_match(prior)
  views <- check_views(x)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n)
  folds <- check_count(folds, min = 2, max = 100)
  foldid <- check_foldid(foldid, n, folds, y)
  counts <- table(y)
  if (is.null(foldid) && any(counts < folds + 1)) {
    small <- names(counts)[counts < folds + 1]
    dm_abort(
      c("Every class needs at least {folds + 1} samples for {folds}-fold cross-fitting.",
        "x" = "{cli::qty(length(small))}Class{?es} {.val {small}} {?has/have} fewer."),
      class = "dmil_error_outcome")
  }
  pairs <- check_flag(pairs)
  s <- check_interaction_settings(list(
    hidden = hidden, depth = depth, epochs = epochs, batch_size = batch_size, lr = lr,
    weight_decay = weight_decay, patience = patience, inner_validation = inner_validation,
    calibrate = calibrate, knife = knife))
  batch_size <- check_batch_size(s$batch_size, n, arg = "batch_size")
  knife <- s$knife
  progress <- check_flag(progress)
  seed <- check_seed(seed)
  nthreads <- check_nthreads(nthreads)

  bp <- learn_blueprint(views, nthreads)
  vn <- names(views)
  M <- length(vn)
  nets <- interaction_nets(vn, s$hidden, s$depth, pairs && M >= 3)
  cfg <- list(folds = folds, foldid = foldid, inner_val = s$inner_validation,
              calibrate = as.integer(s$calibrate), epochs = s$epochs,
              batch_size = batch_size, patience = s$patience, lr = s$lr,
              weight_decay = s$weight_decay, density = as.integer(measure == "lsmi"),
              knife_components = knife$components, knife_epochs = knife$epochs,
              knife_batch_size = knife$batch_size, knife_patience = knife$patience,
              knife_lr = knife$lr, knife_weight_decay = 0)
  res <- .Call(C_dm_interactions_fit, views, lapply(bp, function(b) as.integer(b$keep - 1L)),
               lapply(bp, `[[`, "center"), lapply(bp, `[[`, "scale"),
               as.integer(y) - 1L, nlevels(y), unname(nets), cfg, seed, nthreads, progress)
  check_status(res$status)
  names(res$logp) <- names(nets)
  K <- nlevels(y)
  log_prior <- if (prior == "empirical") {
    log(res$prior[cbind(res$fold, as.integer(y))])
  } else {
    rep(-log(K), n)
  }
  log_dens <- if (measure == "lsmi") `colnames<-`(res$logdens, vn)
  tab <- interaction_table(res$logp, log_dens, y, log_prior, vn, measure, unit,
                           ids = view_ids(views))

  info <- list(
    measure = measure, unit = unit, prior = prior, folds = folds, fold = res$fold,
    levels = levels(y), views = vn, blueprint = bp, nets = nets,
    thetas = res$nets, knife_thetas = if (measure == "lsmi") res$knife,
    knife = knife, fold_prior = `colnames<-`(res$prior, levels(y)),
    shift = attr(tab, "shift"),
    accuracy = vapply(res$logp, function(lp) mean(max.col(lp, "first") == as.integer(y)), numeric(1)),
    logloss = vapply(res$logp, function(lp) -mean(lp[cbind(seq_len(n), as.integer(y))]), numeric(1)),
    settings = c(s[c("hidden", "depth", "epochs")], list(batch_size = batch_size),
                 s[c("lr", "weight_decay", "patience", "inner_validation")],
                 list(seed = seed, nthreads = nthreads)),
    version = as.character(utils::packageVersion("dmil"))
  )
  if (pairs && M >= 3) {
    attr(tab, "pairs") <- pair_tables(res$logp, log_dens, y, log_prior, vn, measure, unit,
                                      view_ids(views))
  }
  attr(tab, "shift") <- NULL
  attr(tab, "dmil") <- info
  class(tab) <- c("dmil_interactions", "data.frame")
  tab
}

check_knife <- function(knife, arg = rlang::caller_arg(knife), call = rlang::caller_env()) {
  defaults <- list(components = 5L, epochs = 30L, batch_size = 64L, lr = 5e-3, patience = 5L)
  k <- utils::modifyList(defaults, check_settings(knife, names(defaults), arg = arg, call = call))
  sub <- function(nm) paste0(arg, "$", nm)
  k$components <- check_count(k$components, min = 1, max = 100, arg = sub("components"), call = call)
  k$epochs <- check_count(k$epochs, min = 1, arg = sub("epochs"), call = call)
  k$batch_size <- check_count(k$batch_size, min = 1, arg = sub("batch_size"), call = call)
  k$lr <- check_number(k$lr, min = 0, min_open = TRUE, arg = sub("lr"), call = call)
  k$patience <- check_count(k$patience, min = 1, arg = sub("patience"), call = call)
  k
}

# The discriminators' settings, one check per argument of dmil_interactions();
# dmil_control(scores =) uses them too, so that a bad value is reported before
# Phase A trains rather than after.
interaction_checks <- list(
  prior = function(x, arg, call) rlang::arg_match0(x, c("empirical", "uniform"), arg_nm = arg,
                                                   error_call = call),
  hidden = function(x, arg, call) check_count(x, min = 1, max = 1e5, arg = arg, call = call),
  depth = function(x, arg, call) check_count(x, min = 1, max = 16, arg = arg, call = call),
  epochs = function(x, arg, call) check_count(x, min = 1, max = 1e6, arg = arg, call = call),
  batch_size = function(x, arg, call) check_count(x, min = 1, arg = arg, call = call),
  lr = function(x, arg, call) check_number(x, min = 0, min_open = TRUE, arg = arg, call = call),
  weight_decay = function(x, arg, call) check_number(x, min = 0, arg = arg, call = call),
  patience = function(x, arg, call) if (is.null(x)) 0L else check_count(x, min = 1, arg = arg, call = call),
  inner_validation = function(x, arg, call) check_number(x, min = 0, max = 0.5, min_open = TRUE,
                                                         arg = arg, call = call),
  calibrate = function(x, arg, call) check_flag(x, arg = arg, call = call),
  knife = function(x, arg, call) check_knife(x, arg = arg, call = call)
)

# s: a named list of settings among names(interaction_checks); prefix: what
# to put before each name in messages.
check_interaction_settings <- function(s, prefix = "", call = rlang::caller_env()) {
  for (nm in names(s)) s[nm] <- list(interaction_checks[[nm]](s[[nm]], paste0(prefix, nm), call))
  s
}

# Discriminators: one network per view, one on all views, optionally one per
# pair of views (all as dm_net descriptions with a linear output layer).
interaction_nets <- function(view_names, hidden, depth, pairs) {
  M <- length(view_names)
  net <- function(v) {
    list(enc_views = list(as.integer(v - 1L)), enc_layers = as.integer(depth),
         enc_width = as.integer(hidden), head_layers = 1L, head_width = as.integer(hidden),
         views = view_names[v])
  }
  out <- c(lapply(seq_len(M), net), list(net(seq_len(M))))
  names(out) <- c(view_names, "joint")
  if (pairs) {
    pr <- utils::combn(M, 2, simplify = FALSE)
    extra <- lapply(pr, net)
    names(extra) <- vapply(pr, function(p) paste(view_names[p], collapse = ":"), character(1))
    out <- c(out, extra)
  }
  out
}

# The per-sample table from log posteriors (list of n x K matrices named by
# view and "joint"), optional log densities (n x M), labels and log priors.
interaction_table <- function(logp, log_dens, y, log_prior, vn, measure, unit, ids,
                              shift = NA_real_) {
  n <- length(y)
  yi <- as.integer(y)
  pick <- function(lp) lp[cbind(seq_len(n), yi)]
  i_views <- vapply(vn, function(v) pick(logp[[v]]) - log_prior, numeric(n))
  if (n == 1) i_views <- matrix(i_views, 1, dimnames = list(NULL, vn))
  i_joint <- pick(logp$joint) - log_prior
  decompose_table(i_views, i_joint, if (!is.null(log_dens)) -log_dens, measure, unit,
                  ids = ids, label = y, shift = shift)
}

# Decomposition (in C, shared with pid_discrete) and the output columns.
decompose_table <- function(i_views, i_joint, h, measure, unit, ids, label = NULL,
                            shift = NA_real_) {
  vn <- colnames(i_views)
  d <- .Call(C_dm_decompose, i_views, i_joint, h, if (measure == "lsmi") "pm" else "pmmi",
             measure == "lsmi", as.double(shift))
  k <- unit_factor(unit)
  out <- data.frame(sample = ids)
  if (!is.null(label)) out$label <- label
  out$r <- d$r * k
  for (j in seq_along(vn)) out[[paste0("u_", vn[j])]] <- d$u[, j] * k
  out$s <- d$s * k
  for (j in seq_along(vn)) out[[paste0("i_", vn[j])]] <- i_views[, j] * k
  out$i_joint <- i_joint * k
  if (length(vn) >= 3) out$s_add <- (i_joint - apply(i_views, 1, max)) * k
  if (measure == "lsmi") {
    for (j in seq_along(vn)) out[[paste0("h_", vn[j])]] <- h[, j] * k
  }
  out$dominant <- dominant_atom(cbind(d$r, d$u, d$s), vn)
  attr(out, "shift") <- d$shift * k
  out
}

pair_tables <- function(logp, log_dens, y, log_prior, vn, measure, unit, ids) {
  n <- length(y)
  yi <- as.integer(y)
  pick <- function(lp) lp[cbind(seq_len(n), yi)] - log_prior
  k <- unit_factor(unit)
  pr <- utils::combn(length(vn), 2, simplify = FALSE)
  do.call(rbind, lapply(pr, function(p) {
    iv <- cbind(pick(logp[[vn[p[1]]]]), pick(logp[[vn[p[2]]]]))
    i12 <- pick(logp[[paste(vn[p], collapse = ":")]])
    h <- if (measure == "lsmi") -log_dens[, vn[p], drop = FALSE]
    d <- .Call(C_dm_decompose, iv, i12, h, if (measure == "lsmi") "pm" else "pmmi",
               measure == "lsmi", NA_real_)
    data.frame(sample = ids, pair = paste(vn[p], collapse = ":"), view1 = vn[p[1]],
               view2 = vn[p[2]], r = d$r * k, u1 = d$u[, 1] * k, u2 = d$u[, 2] * k,
               s = d$s * k, i1 = iv[, 1] * k, i2 = iv[, 2] * k, i12 = i12 * k)
  }))
}
