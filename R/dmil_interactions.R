#' Per-sample multimodal interactions
#'
#' Estimates, for every sample, how much information about its label is
#' redundant across the views (`r`), unique to each view (`u_<view>`) or
#' synergistic (`s`) -- and, with three or four views, shared by some views
#' only -- from pointwise mutual informations estimated with cross-fitted,
#' calibrated classifiers.
#'
#' @section Estimation:
#' For each of `folds` stratified folds, discriminators are trained on the
#' other folds and score the samples of the fold, so no sample is scored by
#' a model that saw it: one network per nonempty subset of the views (each
#' view alone, all views together, and with three or four views every
#' subset in between), each a multilayer perceptron (`depth` layers of
#' `hidden` units, linear output) trained with Adam. With
#' `inner_validation > 0` the epoch kept is the one with the lowest loss on
#' that fraction of the training folds; with 0 every network trains for
#' `epochs` epochs.
#'
#' The held-out posteriors are then calibrated (`calibrate = TRUE`), again
#' cross-fitted on the same folds: each discriminator's evidence (its log
#' posterior ratios to the prior) is rescaled by a monotone, piecewise
#' linear function of its strength with `bins` pieces, which keeps strong,
#' reliable evidence and flattens weak evidence that is mostly noise; and
#' the discriminator of every subset of views is stacked with those of its
#' parts (a nonnegative combination of their calibrated evidence, fitted by
#' maximum likelihood). The joint discriminator therefore contains each
#' view's, and on held-out data knows, on average, at least as much as any
#' view. A share of the class prior is mixed into every calibrated
#' posterior, with a Beta(2, 1) prior on that share, so that no finite
#' sample makes a probability exactly zero; this bounds how negative a
#' pointwise information can become.
#'
#' All of this is repeated `repeats` times with new fold assignments and
#' initialisations. Each sample's calibrated probabilities are averaged over
#' the repeats (in every repeat it is held out once), which removes much of
#' the variability of training small networks on small data; the
#' between-repeat standard deviation of every atom is reported per sample
#' (`sd_<atom>`, the spread of single repeats; the standard error of the
#' average is about `sd_<atom> / sqrt(repeats)`), so that uncertain samples
#' can be recognised. By default
#' `repeats` is `min(20, ceiling(8000 / n))`, so that every sample is scored
#' about 8000 / n times and every discriminator scores about 8000 held-out
#' samples in all: 20 repeats for small data sets, a single run from 8000
#' samples on.
#'
#' The pointwise mutual information of a sample with label \eqn{y} is
#' \eqn{i(x_A; y) = \log p(y \mid x_A) - \log p(y)} for the views \eqn{A},
#' with the class prior \eqn{p(y)} taken from the class frequencies of the
#' training folds (`prior = "empirical"`) or uniform.
#'
#' @section Measures:
#' * `"pmmi"` (pointwise minimum mutual information, the default): the
#'   redundancy of a collection of sources (sets of views) is the smallest
#'   of their pointwise informations, and the atoms are the Moebius
#'   inversion of this redundancy over the lattice of Williams and Beer
#'   (2010). With two views this is \eqn{r = \min_m i(x_m; y)},
#'   \eqn{u_m = i(x_m; y) - r}, \eqn{s = i(x_1, x_2; y) - r - u_1 - u_2}.
#'   Unique values are never negative with two views; `r` and `s` can be.
#'   With three views the lattice has 18 atoms and with four 166; the table
#'   reports them summed into: `r`, redundant across all views; `r_<a>_<b>`
#'   (and with four views `r_<a>_<b>_<c>`), shared by exactly those views;
#'   `u_<view>`, unique to one view; and `s`, every atom that involves a
#'   combination of views (synergy, including information one view shares
#'   with a combination of others, such as \{x1\}\{x2,x3\}). The 18 or 166
#'   atoms themselves are available with `tidy(result, what = "lattice")`.
#' * `"lsmi"` (LSMI, Yang et al. 2025; two views only): the redundancy of
#'   Finn and Lizier, \eqn{r = \min_m h(x_m) - \min_m h(x_m \mid y)}, with
#'   surprisals \eqn{h(x_m) = -\log p(x_m)} from a Gaussian-mixture density
#'   per view in the parametrisation of KNIFE (`knife`: `components`,
#'   `epochs`, `batch_size`, `lr`, `patience`), fitted on the standardised
#'   features and cross-fitted like the classifiers; then one constant shift
#'   of all samples that makes the mean redundancy and synergy (or else the
#'   mean unique informations) non-negative, keeping the consistency
#'   equations (stored as `shift` in [glance()]). Surprisals of continuous
#'   features depend on each view's scale and dimension, so `r` is sensitive
#'   to them.
#'
#' Every sample satisfies the consistency equations: the atoms at or below
#' a set of views sum to its pointwise information; with two views
#' \eqn{r + u_m = i(x_m; y)} and \eqn{r + u_1 + u_2 + s = i(x_1, x_2; y)}; in
#' general the summary columns sum to `i_joint`. With `pairs = TRUE` and
#' three or more views, `attr(result, "pairs")` holds the two-view
#' decomposition of every pair: one row per sample and pair, with `pair`,
#' `view1`, `view2`, `r`, `u_view1`, `u_view2`, `s`, `i_view1`, `i_view2` and
#' `i_joint` (of the pair).
#'
#' @section Samples that lack views:
#' A sample may lack views (its row of a view entirely `NA`; see
#' [dmil_fit()]). The atoms need every view, so they are estimated on the
#' samples that have every view, as if the others were not there (the
#' table's folds, models, repeats and reliability warnings are theirs). A
#' sample that lacks a view has `NA` for every atom, `dominant`, the `sd_`
#' columns and the informations of the subsets of views it lacks; the
#' informations of the single views it has (`i_<view>`, and `h_<view>` for
#' `"lsmi"`) are estimated by cross-fitting that view's discriminator (and
#' density) on every sample that has the view. Means, intervals, plots and
#' [glance()] are of the samples with every view; [predict()] of the table
#' needs every view.
#'
#' @section Reliability:
#' A warning of class `dmil_warning_unreliable` says when the estimates
#' should not be trusted as they are: a class with fewer than 10 samples in
#' some training fold, an inner validation part of fewer than 20 samples, a
#' dataset mean whose standard error between repeats exceeds 0.05 bits, an
#' atom whose per-sample standard error (`sd_<atom> / sqrt(repeats)`) has a
#' median above 0.15 bits, or a single repeat on fewer than 2000 samples
#' (whose variability between repeats cannot then be measured).
#' [summary.dmil_interactions()] gives intervals that include the
#' variability between repeats.
#'
#' @inheritParams dmil_fit
#' @param measure `"pmmi"` or `"lsmi"`; see Measures.
#' @param folds Number of cross-fitting folds (at least 2).
#' @param repeats Number of repeats of the cross-fitting with new folds; see
#'   Estimation. `NULL` (default) chooses from the number of samples.
#' @param foldid Optional fold of each sample (integers 1 to `folds`), for
#'   example to keep repeated measurements of one subject, or bootstrap
#'   copies of one sample, in the same fold; used in every repeat. By
#'   default the folds are a stratified random split.
#' @param unit `"bits"` or `"nats"`.
#' @param ... These dots are for future extensions and must be empty.
#' @param pairs With three or more views, also give the two-view
#'   decomposition of every pair of views.
#' @param prior `"empirical"` (class frequencies) or `"uniform"` class prior
#'   in the pointwise mutual informations.
#' @param hidden,depth Width and number of hidden layers of the
#'   discriminators.
#' @param epochs,batch_size,lr,weight_decay,patience Training of the
#'   discriminators (Adam); with an inner validation part, training stops
#'   after `patience` epochs without a lower inner-validation loss. A batch
#'   larger than the training rows is the whole of them.
#' @param inner_validation Fraction of the training folds held out to choose
#'   the epoch, or 0 to train for `epochs` epochs. `NULL` (default): 0.1
#'   when that part holds at least 50 samples, else 0 (a handful of samples
#'   chooses an epoch by chance).
#' @param calibrate Calibrate and stack the discriminators (see
#'   Estimation); `FALSE` uses their raw held-out posteriors.
#' @param bins Number of pieces of each calibration map (1 is temperature
#'   scaling). `NULL` (default): one per 25 calibration samples, between 2
#'   and 8.
#' @param knife Settings of the density models for `"lsmi"`: a list with any
#'   of `components` (5), `epochs` (30), `batch_size` (64), `lr` (0.005),
#'   `patience` (5).
#'
#' @return A data frame of class `dmil_interactions`, one row per sample:
#'   `sample` (row names of the views, else the index), `label`, the atoms
#'   (`r`, with three or more views `r_<views>`, `u_<view>` per view, `s`),
#'   the pointwise mutual informations `i_<view>` of every view, with three
#'   or more views `i_<views>` of every proper subset of two or more views,
#'   and `i_joint` of all views, for `"lsmi"` the surprisals `h_<view>`,
#'   `dominant` (the largest atom, a factor with levels `"R"`, `"R_<views>"`,
#'   `"U_<view>"`..., `"S"`), and the between-repeat standard deviations
#'   `sd_<atom>` (`NA` with one repeat). The fitted models and settings are
#'   kept in the attribute `"dmil"`, used by `predict()`, `summary()`,
#'   `tidy()` and `glance()` (row subsets keep what belongs to their rows).
#'
#' @seealso [summary.dmil_interactions()], [predict.dmil_interactions()],
#'   [simulate_interactions()], [pid_discrete()].
#' @references
#' Yang Z, Wang H, Hu D (2025). Efficient quantification of multimodal
#' interaction at sample level. ICML.
#'
#' Williams PL, Beer RD (2010). Nonnegative decomposition of multivariate
#' information. arXiv:1004.2515.
#'
#' Finn C, Lizier JT (2018). Pointwise partial information decomposition
#' using the specificity and ambiguity lattices. Entropy 20, 297.
#' @examples
#' sim <- simulate_interactions(1000, "mix4", seed = 1)
#' it <- dmil_interactions(sim$x, sim$y, epochs = 10, repeats = 3, seed = 1, nthreads = 1)
#' it
#' # does the dominant estimated interaction match the simulated type?
#' mean(it$dominant == sim$type)
#' summary(it, B = 100)
#'
#' # a real data set: 40 mice, gene expression and fatty acids; 20 repeats
#' it <- dmil_interactions(nutrimouse$x, nutrimouse$genotype, seed = 1, nthreads = 1)
#' summary(it, B = 100)
#' # the samples whose values vary most between repeats
#' head(it[order(-it$sd_r), c("sample", "label", "r", "sd_r")])
#'
#' # three views: the redundancy lattice
#' sim3 <- simulate_interactions(900, "mix3", seed = 2)
#' it3 <- dmil_interactions(sim3$x, sim3$y, epochs = 10, repeats = 1, seed = 1, nthreads = 1)
#' colMeans(it3[c("r", "r_x1_x2", "u_x1", "s")])
#' head(tidy(it3, what = "lattice"))
#' @export
dmil_interactions <- function(x, y, measure = c("pmmi", "lsmi"), folds = 5, repeats = NULL,
                              unit = c("bits", "nats"), ..., views = NULL, outcome = NULL,
                              foldid = NULL, pairs = FALSE,
                              prior = c("empirical", "uniform"), hidden = 64, depth = 2,
                              epochs = 30, batch_size = 64, lr = 1e-3, weight_decay = 0,
                              patience = 5, inner_validation = NULL, calibrate = TRUE,
                              bins = NULL, knife = list(), seed = NULL, nthreads = NULL,
                              progress = interactive()) {
  dm_check_dots_empty()
  measure <- dm_arg_match(measure)
  unit <- dm_arg_match(unit)
  prior <- dm_arg_match(prior)
  tab <- table_input(x, rlang::maybe_missing(y, NULL), rlang::enquo(views), outcome)
  a <- interactions_setup(tab$x, tab$y, measure, folds, repeats, foldid, pairs, hidden, depth, epochs,
                          batch_size, lr, weight_decay, patience, inner_validation, calibrate,
                          bins, knife, seed, nthreads, progress)
  bp <- learn_blueprint(a$views, a$nthreads, present = a$present)
  res <- interactions_core(training_data(fill_absent(a$views, bp, a$present), bp, a$present), bp,
                           a$y, measure, unit, prior, a$folds, a$foldid, a$pairs, a$s, a$seed,
                           a$nthreads, a$progress)
  # judged on the samples with every view, whose atoms the table estimates
  full <- attr(res$table, "dmil")$complete %||% seq_len(a$n)
  warn_unreliable(res$table[full, , drop = FALSE],
                  if (!is.null(res$per_repeat)) res$per_repeat[full, , , drop = FALSE],
                  a$y[full], attr(res$table, "dmil")$fold, a$folds, a$s, a$n_train)
  if (!is.null(tab$spec)) attr(res$table, "dmil")$table <- tab$spec
  res$table
}

# dmil_interactions()'s checks, before anything trains (errors name `call`,
# so that dmil_boot() can check its replicates' settings up front): the
# views, labels, folds and the complete settings `s`.
interactions_setup <- function(x, y, measure, folds, repeats, foldid, pairs, hidden, depth, epochs,
                               batch_size, lr, weight_decay, patience, inner_validation,
                               calibrate, bins, knife, seed, nthreads, progress,
                               call = rlang::caller_env()) {
  views <- check_views(x, call = call)
  check_interaction_views(names(views), measure, call = call)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n, call = call)
  nthreads <- check_nthreads(nthreads, call = call)
  present <- view_presence(views, call = call)
  # the atoms are estimated on the samples with every view
  full <- which(has_every_view(present, n))
  folds <- check_count(folds, min = 2, max = 100, call = call)
  foldid <- check_foldid(foldid, n, folds, y, call = call)
  # the atoms' folds are those of the samples with every view
  if (!is.null(foldid) && length(full) < n) check_foldid(foldid[full], length(full), folds, y[full], call = call)
  if (is.null(foldid)) check_fold_sizes(y[full], folds, call = call)
  s <- check_interaction_settings(list(
    repeats = repeats, hidden = hidden, depth = depth, epochs = epochs,
    batch_size = batch_size, lr = lr, weight_decay = weight_decay, patience = patience,
    inner_validation = inner_validation, calibrate = calibrate, bins = bins, knife = knife),
    call = call)
  n_train <- fold_train_size(length(full), folds)
  list(views = views, y = y, n = n, folds = folds, foldid = foldid, present = present,
       pairs = check_flag(pairs, call = call), s = interaction_defaults(s, length(full), n_train),
       n_train = n_train, progress = check_flag(progress, call = call),
       seed = check_seed(seed, call = call), nthreads = nthreads)
}

# The work of dmil_interactions() on checked arguments: `data` the views
# standardised under the blueprint `bp` (training_data(), or rows of a
# fit's data, fit_rows()), y a factor, s the complete settings (after
# interaction_defaults()). Returns list(table, per_repeat = the atoms of
# each repeat, or NULL), without the reliability warnings.
interactions_core <- function(data, bp, y, measure, unit, prior, folds, foldid, pairs, s, seed,
                              nthreads, progress) {
  if (!is.null(data$present) && !all(data$present)) {
    return(interactions_incomplete(data, bp, y, measure, unit, prior, folds, foldid, pairs, s, seed,
                                   nthreads, progress))
  }
  vn <- names(bp)
  M <- length(vn)
  n <- data$n
  p <- pointwise_informations(data, vn, y, measure, prior, folds, foldid, s, seed, nthreads,
                              progress)
  res <- p$res
  R <- s$repeats
  K <- nlevels(y)
  ids <- data$ids
  tab <- interaction_table(p$i_avg, p$h_avg, y, vn, measure, unit, ids)
  shift <- attr(tab, "shift")
  per <- if (R > 1) repeat_atoms(p$i_rep, p$h_rep, vn, measure, unit, shift)
  tab <- cbind(tab, spread_columns(per, vn, n))

  metrics <- lapply(res$logp, logit_metrics, y)
  info <- list(
    measure = measure, unit = unit, prior = prior, folds = folds, repeats = R,
    fold = res$fold, levels = levels(y), views = vn, blueprint = bp, nets = p$nets,
    thetas = res$nets, calib = res$calib,
    knife_thetas = if (measure == "lsmi") res$knife, knife = s$knife,
    fold_prior = matrix(res$prior[, , 1], folds, K, dimnames = list(NULL, levels(y))),
    shift = shift,
    accuracy = vapply(metrics, `[[`, numeric(1), "val_accuracy"),
    logloss = vapply(metrics, `[[`, numeric(1), "val_log_loss"),
    per_repeat = list(i = p$i_rep, h = p$h_rep, log_prior = p$log_prior_rep),
    settings = c(s[c("hidden", "depth", "epochs", "batch_size", "lr", "weight_decay", "patience",
                     "inner_validation", "calibrate", "bins")],
                 list(seed = seed, nthreads = nthreads)),
    version = as.character(utils::packageVersion("dmil"))
  )
  if (pairs && M >= 3) attr(tab, "pairs") <- pair_tables(p$i_avg, vn, unit, ids)
  attr(tab, "shift") <- NULL
  attr(tab, "dmil") <- info
  class(tab) <- c("dmil_interactions", "data.frame")
  list(table = tab, per_repeat = per)
}

# The cross-fitted discriminators (and, for "lsmi", densities) of the
# views `vn` of data, and the pointwise informations they give (nats):
# res (C_dm_interactions_fit()'s result), i_rep (n x repeats x subsets, each
# repeat's), i_avg (n x subsets, of the probabilities averaged over
# repeats), the surprisals h_rep and h_avg likewise, the log prior of each
# sample's label per repeat, and the nets.
pointwise_informations <- function(data, vn, y, measure, prior, folds, foldid, s, seed, nthreads,
                                   progress) {
  M <- length(vn)
  n <- data$n
  n_train <- fold_train_size(n, folds)
  sets <- view_subsets(vn)
  nets <- interaction_nets(vn, s$hidden, s$depth)
  knife <- s$knife
  cfg <- list(folds = folds, repeats = s$repeats, foldid = foldid,
              inner_val = s$inner_validation, calibrate = as.integer(s$calibrate),
              bins = s$bins, epochs = s$epochs, batch_size = s$batch_size,
              patience = s$patience, lr = s$lr, weight_decay = s$weight_decay,
              density = as.integer(measure == "lsmi"),
              knife_components = knife$components, knife_epochs = knife$epochs,
              knife_batch_size = min(knife$batch_size, n_train), knife_patience = knife$patience,
              knife_lr = knife$lr, knife_weight_decay = 0)
  res <- .Call(C_dm_interactions_fit, core_views(data), as.integer(y) - 1L, nlevels(y),
               unname(nets), cfg, seed, nthreads, progress)
  check_status(res$status)
  names(res$logp) <- names(res$logp_y) <- sets$net
  R <- s$repeats
  K <- nlevels(y)
  yi <- as.integer(y)

  # Log prior of each sample's label in each repeat (training folds' class
  # frequencies, or uniform), and pointwise informations (nats): per repeat,
  # and of the probabilities averaged over repeats.
  log_prior_rep <- if (prior == "empirical") {
    vapply(seq_len(R), function(r) log(res$prior[, , r][cbind(res$fold[, r], yi)]), numeric(n))
  } else {
    matrix(-log(K), n, R)
  }
  if (n == 1 || R == 1) log_prior_rep <- matrix(log_prior_rep, n, R)
  i_rep <- array(vapply(res$logp_y, function(l) l - log_prior_rep, numeric(n * R)),
                 c(n, R, nrow(sets)))
  # (res$logp is the log of the probabilities averaged over repeats)
  i_avg <- matrix(vapply(res$logp, function(l) l[cbind(seq_len(n), yi)], numeric(n)), n) -
    log_mean_exp_rows(log_prior_rep)
  h_rep <- if (measure == "lsmi") -res$logdens
  h_avg <- if (measure == "lsmi") {
    -matrix(vapply(seq_len(M), function(m) log_mean_exp_rows(res$logdens[, m, ]), numeric(n)), n)
  }
  list(res = res, i_rep = i_rep, i_avg = i_avg, h_rep = h_rep, h_avg = h_avg,
       log_prior_rep = log_prior_rep, nets = nets)
}

# interactions_core() on data where samples lack views (data$present): the
# table of the samples that have every view, estimated on them alone (its
# attributes, models and folds are theirs); the other samples' rows have the
# informations of the views they have, each estimated by cross-fitting that
# view's discriminator (and density) on every sample that has it, and NA
# for every atom, for the informations of views they lack, and for the
# spreads. The reliability of the complete samples' table is what the
# warnings of dmil_interactions() judge.
interactions_incomplete <- function(data, bp, y, measure, unit, prior, folds, foldid, pairs, s,
                                    seed, nthreads, progress) {
  vn <- names(bp)
  present <- data$present
  n <- data$n
  every <- has_every_view(present)
  complete <- which(every)
  res <- interactions_core(data_subset(data, complete), bp, y[complete], measure, unit, prior,
                           folds, foldid[complete], pairs, s, seed, nthreads, progress)
  tab <- res$table
  out <- tab[match(seq_len(n), complete), , drop = FALSE]
  rownames(out) <- NULL
  out$sample <- data$ids
  if (!is.null(tab$label)) out$label <- y
  k <- unit_factor(unit)
  for (j in seq_along(vn)) {
    v <- vn[j]
    fill <- which(present[, v] & !every)
    if (!length(fill)) next
    has <- which(present[, v])
    p <- pointwise_informations(data_subset(data, has, v), v, y[has], measure, prior, folds,
                                foldid[has], s, (derived_seed(seed, "views") + j) %% 2^31,
                                nthreads, progress)
    at <- match(fill, has)
    out[[paste0("i_", v)]][fill] <- p$i_avg[at, 1] * k
    if (measure == "lsmi") out[[paste0("h_", v)]][fill] <- p$h_avg[at, 1] * k
  }
  attributes(out)[c("dmil", "pairs")] <- attributes(tab)[c("dmil", "pairs")]
  info <- attr(out, "dmil")
  info$present <- present
  info$complete <- complete
  # the per-repeat arrays are the complete samples'
  info$rows <- match(seq_len(n), complete)
  attr(out, "dmil") <- info
  class(out) <- class(tab)
  per <- if (!is.null(res$per_repeat)) {
    array(res$per_repeat[match(seq_len(n), complete), , ], c(n, dim(res$per_repeat)[-1]))
  }
  list(table = out, per_repeat = per)
}

# The settings of dmil_interactions() at their defaults (its formals),
# completed by its checks.
interaction_settings <- function(overrides = list()) {
  f <- formals(dmil_interactions)[names(interaction_checks)]
  s <- utils::modifyList(lapply(f, eval, envir = baseenv()), overrides, keep.null = TRUE)
  check_interaction_settings(s)
}

# hint: what else to do (dmil_fit() says how to fit DMIL without Phase B).
check_interaction_views <- function(vn, measure, hint = "Decompose subsets of the views, or merge related views.",
                                    call = rlang::caller_env()) {
  M <- length(vn)
  if (M > lattice_max_views) {
    dm_abort(
      c("Per-sample interactions are decomposed for at most {lattice_max_views} views.",
        "x" = "{.arg x} has {M} views; the redundancy lattice of 5 views alone has 7579 atoms.",
        "i" = hint),
      class = "dmil_error_views", call = call)
  }
  if (measure == "lsmi" && M > 2) {
    dm_abort(
      c("{.code measure = \"lsmi\"} is defined for two views.",
        "x" = "{.arg x} has {M} views.",
        "i" = "Use {.code measure = \"pmmi\"}, which decomposes three or four views on the full lattice."),
      class = "dmil_error_arg", call = call)
  }
  # the summary columns of subsets are named by joining view names with "_"
  cols <- c(atom_columns(vn), view_subsets(vn)$col)
  if (anyDuplicated(cols)) {
    dm_abort(
      c("The view names give ambiguous column names.",
        "x" = "Duplicated: {.val {unique(cols[duplicated(cols)])}}.",
        "i" = "Rename the views (names joined with {.val _} must stay distinct)."),
      class = "dmil_error_names", call = call)
  }
  invisible()
}

# Stratified folds need every class in every training part: at least
# folds + 1 samples of each class of y.
check_fold_sizes <- function(y, folds, arg = "folds", call = rlang::caller_env()) {
  check_class_sizes(y, folds + 1, sprintf("%d-fold cross-fitting can hold some out", folds),
                    hint = cli::format_inline("Use fewer {.arg {arg}}."), call = call)
}

# Samples in the training part of a cross-fitting fold.
fold_train_size <- function(n, folds) floor(n * (folds - 1) / folds)

# Defaults that depend on the data: repeats, the inner validation part and
# the calibration bins (documented in ?dmil_interactions).
interaction_defaults <- function(s, n, n_train) {
  s$repeats <- s$repeats %||% as.integer(min(20, ceiling(8000 / n)))
  s$inner_validation <- s$inner_validation %||% (if (0.1 * n_train >= 50) 0.1 else 0)
  s$bins <- s$bins %||% as.integer(min(8, max(2, floor(n_train / 25))))
  s$batch_size <- as.integer(min(s$batch_size, n_train))
  s
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
# Phase A trains rather than after. NULL means "choose from the data" where
# the argument allows it.
interaction_checks <- list(
  prior = function(x, arg, call) rlang::arg_match0(x, c("empirical", "uniform"), arg_nm = arg,
                                                   error_call = call),
  repeats = function(x, arg, call) if (is.null(x)) NULL else check_count(x, min = 1, max = 1000, arg = arg, call = call),
  hidden = function(x, arg, call) check_count(x, min = 1, max = 1e5, arg = arg, call = call),
  depth = function(x, arg, call) check_count(x, min = 1, max = 16, arg = arg, call = call),
  epochs = function(x, arg, call) check_count(x, min = 1, max = 1e6, arg = arg, call = call),
  batch_size = function(x, arg, call) check_count(x, min = 1, arg = arg, call = call),
  lr = function(x, arg, call) check_number(x, min = 0, min_open = TRUE, arg = arg, call = call),
  weight_decay = function(x, arg, call) check_number(x, min = 0, arg = arg, call = call),
  patience = function(x, arg, call) if (is.null(x)) 0L else check_count(x, min = 1, arg = arg, call = call),
  inner_validation = function(x, arg, call) if (is.null(x)) NULL else
    check_number(x, min = 0, max = 0.5, arg = arg, call = call),
  calibrate = function(x, arg, call) check_flag(x, arg = arg, call = call),
  bins = function(x, arg, call) if (is.null(x)) NULL else check_count(x, min = 1, max = 16, arg = arg, call = call),
  knife = function(x, arg, call) check_knife(x, arg = arg, call = call)
)

# s: a named list of settings among names(interaction_checks); prefix: what
# to put before each name in messages.
check_interaction_settings <- function(s, prefix = "", call = rlang::caller_env()) {
  for (nm in names(s)) s[nm] <- list(interaction_checks[[nm]](s[[nm]], paste0(prefix, nm), call))
  s
}

# Discriminators: one network per nonempty subset of the views, in subset
# order (see view_subsets()), as dm_net descriptions with a linear output.
interaction_nets <- function(view_names, hidden, depth) {
  sets <- view_subsets(view_names)
  out <- lapply(sets$views, function(v) {
    list(enc_views = list(as.integer(match(v, view_names) - 1L)), enc_layers = as.integer(depth),
         enc_width = as.integer(hidden), head_layers = 1L, head_width = as.integer(hidden),
         views = v)
  })
  names(out) <- sets$net
  out
}

# log(mean(exp(.))) of every row of an n x R matrix (or vector: R = 1).
log_mean_exp_rows <- function(m) {
  m <- matrix(m, NROW(m))
  logsumexp_rows(m) - log(ncol(m))
}

# The per-sample table from pointwise informations of every subset of views
# (n x (2^M - 1), nats, subset order), surprisals (n x M, nats, "lsmi"),
# labels and ids. The RUS shift of "lsmi" is computed from the table's means
# unless given.
interaction_table <- function(i, h, y, vn, measure, unit, ids, shift = NA_real_) {
  d <- decompose_atoms(i, h, measure, shift)
  k <- unit_factor(unit)
  lat <- lattice_info(vn)
  atoms <- (d$atoms %*% lat$to_summary) * k
  sets <- view_subsets(vn)
  out <- data.frame(sample = ids)
  if (!is.null(y)) out$label <- y
  out <- cbind(out, as.data.frame(atoms))
  for (j in seq_len(nrow(sets))) out[[sets$col[j]]] <- i[, j] * k
  if (measure == "lsmi") {
    for (j in seq_along(vn)) out[[paste0("h_", vn[j])]] <- h[, j] * k
  }
  out$dominant <- dominant_atom(atoms, vn)
  attr(out, "shift") <- d$shift * k
  out
}

# The lattice atoms (list(atoms = n x nodes, shift), nats) of pointwise
# informations i (n x subsets, nats) and, for "lsmi", surprisals h; the RUS
# shift of "lsmi" computed from the means unless given.
decompose_atoms <- function(i, h, measure, shift = NA_real_) {
  .Call(C_dm_decompose, i, h, if (measure == "lsmi") "pm" else "pmmi", measure == "lsmi",
        as.double(shift))
}

# The summary atoms of each repeat's own pointwise informations: an
# n x atoms x repeats array in `unit` (shift: the table's, in `unit`).
repeat_atoms <- function(i_rep, h_rep, vn, measure, unit, shift) {
  n <- dim(i_rep)[1]
  R <- dim(i_rep)[2]
  to_summary <- lattice_info(vn)$to_summary
  per <- vapply(seq_len(R), function(r) {
    h <- if (!is.null(h_rep)) matrix(h_rep[, , r], n)
    decompose_atoms(matrix(i_rep[, r, ], n), h, measure, shift / unit_factor(unit))$atoms %*%
      to_summary
  }, matrix(0, n, ncol(to_summary)))
  array(per, c(n, ncol(to_summary), R)) * unit_factor(unit)
}

# The columns sd_<atom>: each atom's standard deviation between repeats,
# per sample (NA without repeats, per = NULL).
spread_columns <- function(per, vn, n) {
  cols <- atom_columns(vn)
  sd <- matrix(NA_real_, n, length(cols))
  if (!is.null(per)) {
    R <- dim(per)[3]
    sd <- matrix(sqrt(rowSums((per - as.vector(rowMeans(per, dims = 2)))^2, dims = 2) / (R - 1)), n)
  }
  colnames(sd) <- paste0("sd_", cols)
  as.data.frame(sd)
}

pair_tables <- function(i, vn, unit, ids) {
  sets <- view_subsets(vn)
  pr <- utils::combn(length(vn), 2, simplify = FALSE)
  k <- unit_factor(unit)
  do.call(rbind, lapply(pr, function(p) {
    cols <- match(c(bitwShiftL(1L, p - 1L), sum(bitwShiftL(1L, p - 1L))), sets$mask)
    iv <- i[, cols, drop = FALSE]
    d <- decompose_atoms(iv, NULL, "pmmi")$atoms
    data.frame(sample = ids, pair = paste(vn[p], collapse = ":"), view1 = vn[p[1]],
               view2 = vn[p[2]], r = d[, 1] * k, u_view1 = d[, 2] * k, u_view2 = d[, 3] * k,
               s = d[, 4] * k, i_view1 = iv[, 1] * k, i_view2 = iv[, 2] * k,
               i_joint = iv[, 3] * k)
  }))
}

# ---- reliability ---------------------------------------------------------------

dm_warn_unreliable <- function(reasons, call = rlang::caller_env()) {
  cli::cli_warn(c("The per-sample interactions may be unreliable.", reasons),
                class = c("dmil_warning_unreliable", "dmil_warning"), call = call)
}

# Warns (once, listing every reason) when the folds, the inner validation
# part or the variability between repeats make the estimates unreliable.
# per: the atoms of every repeat (repeat_atoms()), NULL with one repeat.
warn_unreliable <- function(tab, per, y, fold, folds, s, n_train, call = rlang::caller_env()) {
  info <- attr(tab, "dmil")
  reasons <- character()
  # smallest count of each class among the training rows of any fold
  per_class <- do.call(pmin, lapply(seq_len(ncol(fold)), function(r) {
    do.call(pmin, lapply(seq_len(folds), function(f) as.vector(table(y[fold[, r] != f]))))
  }))
  if (min(per_class) < 10) {
    small <- levels(y)[per_class < 10]
    reasons <- c(reasons, "x" = cli::format_inline(
      "Some training folds hold only {min(per_class)} sample{?s} of class{?es} {.val {small}}: too few to learn what distinguishes a class.",
      " More samples of such classes, or merging rare classes, would help; meanwhile read the estimates with the intervals of {.fn summary}."))
  }
  if (s$inner_validation > 0 && round(s$inner_validation * n_train) < 20) {
    reasons <- c(reasons, "x" = cli::format_inline(
      "The inner validation part holds about {round(s$inner_validation * n_train)} samples: the epoch it chooses is close to random.",
      " Use {.code inner_validation = 0} to train for a fixed number of epochs."))
  }
  R <- s$repeats
  n <- nrow(tab)
  bits <- 1 / log(2) / unit_factor(info$unit)  # from the table's unit to bits
  if (R > 1) {
    # standard error of each atom's dataset mean, from the repeats' means
    repeat_means <- matrix(colMeans(per), ncol = R)
    se <- stats::setNames(apply(repeat_means, 1, stats::sd) / sqrt(R), atom_columns(info$views)) *
      bits
    if (max(se) > 0.05) {
      reasons <- c(reasons, "x" = cli::format_inline(
        "Dataset means vary between the {R} repeats: standard error up to {format(max(se), digits = 2)} bits ({.field {names(se)[which.max(se)]}}).",
        " Use more {.arg repeats}."))
    }
    # standard error of a sample's average over the repeats
    se_sample <- vapply(tab[paste0("sd_", atom_columns(info$views))], stats::median, numeric(1)) *
      bits / sqrt(R)
    if (max(se_sample) > 0.15) {
      reasons <- c(reasons, "x" = cli::format_inline(
        "Single samples' values are uncertain: the median standard error of their average over the {R} repeats is {format(max(se_sample), digits = 2)} bits ({.field {sub('^sd_', '', names(se_sample)[which.max(se_sample)])}}).",
        " Use more {.arg repeats}, and compare samples with their {.field sd_} columns in mind."))
    }
  } else if (n < 2000) {
    reasons <- c(reasons, "x" = cli::format_inline(
      "With one repeat on {n} samples the variability of refitting is not measured; use {.arg repeats} of 5 or more."))
  }
  if (length(reasons)) {
    dm_warn_unreliable(c(reasons, "i" = "See {.help [?dmil_interactions](dmil::dmil_interactions)} (Reliability) and {.fn summary} for intervals."),
                       call = call)
  }
  invisible()
}
