#' Fit a multimodal classifier
#'
#' Fits a classifier to multimodal data: a named list of views (modalities),
#' each a numeric matrix or data frame with the samples in rows, and one class
#' label per sample. By default this is DMIL, decomposition-based multimodal
#' interaction learning; the usual multimodal baselines are available for
#' comparison. All training runs in the package's C core.
#'
#' @section Methods:
#' * `"dmil"` (default): a variational decomposition network with redundant,
#'   unique and synergistic codes and additive logits (Phase A), per-sample
#'   interaction scores of the training data (Phase B, [dmil_interactions()])
#'   and three fine-tuning stages weighted by them (Phase C), pooled with the
#'   `"joint"`, `"late"` and `"early"` networks below (log-linear pool,
#'   weights chosen on the validation rows). See [dmil_control()] for the
#'   model, its settings and why it pools.
#'
#' The baselines are multilayer perceptrons with ReLU activations, trained
#' with Adam on the softmax cross-entropy:
#' * `"joint"`: one encoder per view; the encodings are concatenated and fed to
#'   a nonlinear fusion head (`fusion_depth` hidden layers), trained end to
#'   end. The nonlinear head is what lets it represent synergy (labels that
#'   depend on the combination of views, such as XOR).
#' * `"late"`: the same encoders with a linear head on the concatenated
#'   encodings, i.e. logit-additive late fusion: one additive score per view.
#'   It cannot represent synergy.
#' * `"ensemble"`: one independently trained unimodal network per view,
#'   combined by averaging their log-probabilities (a product of experts).
#'   It cannot represent synergy either.
#' * `"early"`: one network on the concatenated inputs.
#' * `"unimodal"`: one network per view, trained and reported separately;
#'   `which` chooses the view used by [predict()][predict.dmil_fit].
#' * `"ogm"`: the `"late"` network trained with on-the-fly gradient
#'   modulation and generalisation enhancement (OGM-GE): in each batch the
#'   encoder of the view that fits the labels better on its own learns more
#'   slowly, so that the weaker view is not left undertrained. Settings in
#'   [ogm_control()].
#' * `"umt"`: the `"joint"` network whose encoders also fit the features of
#'   uni-modal teachers (networks trained as the members of `"ensemble"`,
#'   then frozen): UMT. Settings in [umt_control()].
#' * `"i2moe"`: interaction experts (I2MoE): the `"joint"` encoders feed
#'   one fusion head per view, for information unique to it, one for
#'   synergy and one for redundancy, each trained with a loss on how its
#'   output changes when a view is replaced by noise, and mixed per sample
#'   by a gating network whose weights [interactions()] returns. Settings
#'   in [i2moe_control()]. On the package's benchmark suite it was 1.8
#'   points less accurate than the best of `"late"`, `"ensemble"`,
#'   `"joint"` and `"early"` on average, and a fit cost 2 to 9 times a
#'   `"joint"` fit: every expert runs once more per view in each batch.
#' * `"interaction_ensemble"`: the `"joint"` network and the `"ensemble"`
#'   members, mixed per sample: \eqn{p = \alpha(x) p_{joint} + (1 -
#'   \alpha(x)) p_{ensemble}}, where \eqn{\alpha(x)} is the sample's
#'   expected share of synergy, the positive part of its synergy atom over
#'   the sum of the positive parts of all its atoms, predicted without
#'   labels by [dmil_interactions()] fitted on the training rows (one
#'   repeat; [interactions()] returns it). Synergy is what only the joint
#'   model can represent; elsewhere the ensemble's unimodal evidence
#'   counts. Each class needs 3 training samples, and at most 4 views. On
#'   the package's benchmark suite (`bench/suite/` in the source
#'   repository) it was 2.8 points less accurate than the best of
#'   `"late"`, `"ensemble"`, `"joint"` and `"early"` on average, below
#'   `"joint"` on synergistic samples (MIX4 with three classes: 0.852
#'   against 0.929) because the expected synergy share stays well below 1
#'   there, and its fit cost 3 to 10 times a `"joint"` fit, mostly for the
#'   cross-fitted scores.
#'
#' Each encoder has `depth` layers of `hidden` units; unimodal and early
#' networks end in a linear layer to the classes.
#'
#' @section Preprocessing:
#' Each feature is standardised with the mean and standard deviation of the
#' data passed to `dmil_fit()`; constant features are dropped with a message.
#' The fit makes one standardised copy of the views, which every step reads:
#' training, DMIL's Phase B scores and the interaction-aware ensemble's (which
#' therefore share the fit's standardisation), and the validation metrics.
#' Infinite values are an error, and so are missing values except where a
#' whole view is missing for a sample (see Samples that lack views; dmil
#' does not impute). Views and columns of new data are matched by name at
#' prediction time; DMIL and ensemble models also predict when whole views
#' are missing (see [predict.dmil_fit()]).
#'
#' @section Samples that lack views:
#' A sample may lack any of its views but not all: its row of that view is
#' entirely `NA` (a sparse view is never missing). Each view is
#' standardised with the statistics of the samples that have it.
#' * `"dmil"` trains on what each sample has. The product of experts fuses
#'   the redundant codes of the views present; a view's unique head, its
#'   unimodal loss terms, its KL terms and its share of the alignment and
#'   orthogonality terms count only where it is present; the synergy head
#'   and its terms, and the functional-ANOVA penalty, only where every view
#'   is. A sample lacking a view contributes nothing to that view's encoder,
#'   its posterior layers, its unique head or the synergy channel (the
#'   package's tests check that its absent values change neither the loss
#'   nor the gradient). Phase B scores the samples with every view (the
#'   others' stage weights are 1); the pool's members that need every view
#'   (`"joint"`, `"late"`, `"early"`) train on those samples, an
#'   `"ensemble"` member's networks on every sample with their view.
#' * `"ensemble"` and `"unimodal"` train each view's network on the samples
#'   that have that view; the ensemble predicts from the views a sample has.
#' * The other methods need every view of every sample and refuse such data
#'   with an error; impute the missing views, or leave those samples out.
#'
#' What it gains, measured by `bench/incomplete_views.R` (in the source
#' repository): one view removed at random from 10%, 30% or 50% of the
#' training samples; default DMIL trained on every sample against the same
#' trained on the complete samples alone, both judged on held-out samples
#' with every view (accuracy difference in points, standard error over 5
#' repeats in brackets):
#'
#' | data | 10% | 30% | 50% |
#' |---|---|---|---|
#' | MIX4, K = 3, weaker second view, 1000 training samples | -0.15 (0.22) | +0.75 (0.51) | +0.65 (0.96) |
#' | `brca`, 5-fold cross-validation | -0.30 (0.54) | +0.87 (0.74) | +0.57 (0.35) |
#'
#' The log-loss improves at 30% and 50% (by 0.019 and 0.029 on MIX4). The
#' gains are small (the pool's members that need every view, and the
#' network's synergy and the missing view's unique part, learn from the
#' complete samples only); they grow when the complete samples are few (MIX4 with 600
#' training samples of which 85% lack the second view: +2.8 points overall,
#' +4.4 on the samples whose label only the first view carries; 6 repeats).
#'
#' @section Training and reproducibility:
#' A stratified fraction `validation` of the samples is held out (the same
#' rows for every method given the same seed); after each epoch the
#' validation accuracy is computed and the parameters of the best epoch are
#' kept (ties go to the lower validation loss). With `validation = 0` the
#' last epoch is kept and DMIL keeps every fine-tuning stage. With
#' `patience`, training stops after that many epochs without improvement.
#'
#' All randomness (initialisation, validation split, batch order, sampled
#' latents) derives from `seed`; when `seed` is `NULL` one is drawn from R's
#' random number generator, so [set.seed()] makes fits reproducible. Results
#' are identical for any number of threads.
#'
#' @param x A named list of at least two views. Each view is a numeric matrix,
#'   a data frame of numeric columns, or a sparse matrix of the Matrix
#'   package (e.g. a bag of words), with one row per sample. Row names, when
#'   present, must agree across views. Or, with `views`, one data frame
#'   holding every view's columns. A sparse view is never made dense: the
#'   core standardises its rows as it reads them (in batches), and the fit is
#'   the same as on its dense copy.
#' @param y Class labels, one per sample: a factor, or a character, integer
#'   or logical vector (converted to a factor; unused factor levels are
#'   dropped), with at most one class per two samples (more is an identifier
#'   or a measurement, and an error). With a table, leave it out and name the
#'   label column in `outcome`.
#' @param method The model to fit; see the Methods section.
#' @param ... These dots are for future extensions and must be empty.
#' @param views,outcome The table interface (see [dmil_views()]): with `x` a
#'   data frame, `views` a named list selecting each view's columns (column
#'   names, or tidyselect expressions such as `starts_with("g_")`) and
#'   `outcome` the name of the label column. The fit then predicts data
#'   frames with the same columns.
#' @param hidden Width of every hidden layer (default 64).
#' @param depth Number of layers of each encoder (default 2).
#' @param fusion_depth Number of hidden layers of the fusion head of
#'   `"joint"` (default 1; 0 gives a linear head, like `"late"`).
#' @param epochs Number of passes over the training data (for DMIL, of
#'   Phase A); the same default for every method, so that methods compared
#'   with their defaults get the same budget.
#' @param batch_size Samples per mini-batch. The default `NULL` is 64, or the
#'   number of training samples (those not held out for validation) if fewer.
#' @param lr Adam learning rate (default 1e-3; Phase A for DMIL).
#' @param weight_decay Decoupled weight decay (AdamW; default 0).
#' @param validation Fraction of the samples held out for selecting the best
#'   epoch (and, for DMIL, for accepting fine-tuning stages, the network's
#'   temperature and the pool's weights), in `[0, 1)` (default 0.1). The
#'   validation accuracy of a fit (`glance()`, `summary()`) is measured on
#'   the same rows, so it is optimistic, most for DMIL's pool, whose weights
#'   were chosen there.
#' @param patience Stop after this many epochs without improvement of the
#'   validation accuracy; `NULL` (default) trains for all `epochs`.
#' @param which For `method = "unimodal"`, the name of the view whose network
#'   [predict()][predict.dmil_fit] uses by default; defaults to the first.
#' @param control The method's own settings: [dmil_control()] for `"dmil"`,
#'   [ogm_control()] for `"ogm"`, [umt_control()] for `"umt"`,
#'   [i2moe_control()] for `"i2moe"`; `NULL`
#'   (default) uses their defaults.
#'   Other methods have none, and giving them `control` is an error.
#' @param seed `NULL` or a whole number; see the reproducibility section.
#' @param nthreads Number of threads; `NULL` uses [dmil_threads()], 0 uses
#'   every core.
#' @param progress Show a progress bar (default: in interactive sessions).
#'   Long fits can be interrupted with Ctrl-C.
#'
#' @return An object of class `dmil_fit`: a list of plain R data (weights as
#'   numeric vectors), so it can be saved with [saveRDS()]. It holds the
#'   method, the class levels, the per-view blueprint (columns used, their
#'   centring and scaling), the networks' architecture and weights, the
#'   training history (`history`: one row per network, stage and epoch with
#'   `net`, `stage` (DMIL's `"A"`, `"R"`, `"U"`, `"S"`; `NA` for the
#'   baselines and DMIL's pool members), `epoch`, `train_loss`, `val_log_loss`, `val_accuracy`, the same
#'   columns for every method), the best epoch, the validation rows and
#'   the settings including the seed (and the method's settings as
#'   `settings$control`). DMIL fits also hold the phases' summary
#'   (`phases`), the training samples' interaction scores
#'   ([interactions()]) and the pool (`pool`: each member's networks and
#'   the weights; the members' networks are in `nets` and `history` with
#'   the network's); I2MoE fits the gate's weights of every sample.
#'   UMT fits hold their teachers in `aux_nets`; their
#'   epochs are in `history` too. The training loss in `history` of UMT and
#'   I2MoE includes their extra terms (distillation, interaction losses),
#'   while the validation loss is the cross-entropy alone.
#'
#' @seealso [predict.dmil_fit()], [augment.dmil_fit()], [dmil_control()],
#'   [dmil_threads()].
#' @examples
#' # Two views; the label is the XOR of one bit carried by each view.
#' set.seed(1)
#' n <- 400
#' a <- sample(0:1, n, TRUE)
#' b <- sample(0:1, n, TRUE)
#' x <- list(
#'   audio = matrix(a + rnorm(2 * n, sd = 0.3), n),
#'   video = matrix(b + rnorm(2 * n, sd = 0.3), n)
#' )
#' y <- factor(xor(a, b), labels = c("no", "yes"))
#' fit <- dmil_fit(x, y, method = "joint", epochs = 30, nthreads = 1)
#' fit
#' head(predict(fit, x, type = "prob"))
#'
#' # DMIL on data with known per-sample interaction types
#' sim <- simulate_interactions(1000, "mix4", seed = 2)
#' fit <- dmil_fit(sim$x, sim$y, epochs = 10,
#'                 control = dmil_control(finetune_epochs = 3, scores = list(epochs = 5)),
#'                 nthreads = 1)
#' fit
#'
#' # A third of the samples lack the second view (rows of NA): DMIL trains on
#' # the views each has, and their interactions are NA where a view is needed
#' x_gone <- sim$x
#' x_gone$x2[1:300, ] <- NA
#' fit_gone <- dmil_fit(x_gone, sim$y, epochs = 10,
#'                      control = dmil_control(finetune_epochs = 3, scores = list(epochs = 5)),
#'                      nthreads = 1)
#' tab <- interactions(fit_gone)
#' tab[c(1, nrow(tab)), ]
#'
#' # One table: views by column selection, labels by column name
#' tab <- data.frame(audio = x$audio, video = x$video, label = y)
#' fit <- dmil_fit(tab, views = list(audio = starts_with("audio"), video = starts_with("video")),
#'                 outcome = "label", method = "late", epochs = 30, nthreads = 1)
#' head(predict(fit, tab))
#' @export
dmil_fit <- function(x, y, method = c("dmil", "joint", "late", "ensemble", "early", "unimodal",
                                       "ogm", "umt", "i2moe", "interaction_ensemble"),
                     ..., views = NULL, outcome = NULL, hidden = 64, depth = 2,
                     fusion_depth = 1, epochs = 100, batch_size = NULL, lr = 1e-3,
                     weight_decay = 0, validation = 0.1, patience = NULL, which = NULL,
                     control = NULL, seed = NULL, nthreads = NULL, progress = interactive()) {
  dm_check_dots_empty()
  method <- dm_arg_match(method)
  tab <- table_input(x, rlang::maybe_missing(y, NULL), rlang::enquo(views), outcome)
  x <- tab$x
  y <- tab$y
  s <- fit_setup(x, y, method, hidden, depth, fusion_depth, epochs, batch_size, lr, weight_decay,
                 validation, patience, which, control, seed, nthreads, progress)
  bp <- learn_blueprint(s$views, s$nthreads, present = s$present)
  data <- fit_data(fill_absent(s$views, bp, s$present), bp, s$val_rows, s$present)
  on.exit(free_fit_data(data), add = TRUE)
  settings <- c(s[c("hidden", "depth", "fusion_depth", "epochs", "batch_size", "lr", "weight_decay",
                    "validation")],
                list(patience = if (s$patience > 0) s$patience else NULL),
                s[c("seed", "nthreads")])
  fit <- list(method = method, call = match.call(), levels = levels(s$y),
              class_counts = c(table(s$y)), n = s$n, views = bp, which = s$which,
              table = tab$spec, fingerprint = data_fingerprint(s$views, s$y))
  args <- s[c("hidden", "depth", "fusion_depth", "epochs", "batch_size", "patience", "lr",
              "weight_decay", "control", "seed", "nthreads", "progress")]
  fit <- c(fit, method_train(method_of(method), s$views, s$y, bp, s$val_rows, args, data))
  if (!is.null(s$control)) settings$control <- unclass(s$control)
  fit$settings <- settings
  fit$version <- as.character(utils::packageVersion("dmil"))
  fit <- structure(fit, class = "dmil_fit")
  method_finish(method_of(fit), fit, s$views, s$y, data, s$progress)
}

# dmil_fit()'s checks, before anything trains: the checked settings, the
# views, labels and validation rows. Errors name `call`, so that a function
# that fits for the user (dmil_cv()) can check its fits' settings up front.
fit_setup <- function(x, y, method, hidden, depth, fusion_depth, epochs, batch_size, lr,
                      weight_decay, validation, patience, which, control, seed, nthreads, progress,
                      call = rlang::caller_env()) {
  views <- check_views(x, call = call)
  n <- nrow(views[[1]])
  y <- check_outcome(y, n, call = call)
  out <- list(
    views = views, y = y, n = n,
    hidden = check_count(hidden, min = 1, max = 1e5, call = call),
    depth = check_count(depth, min = 1, max = 16, call = call),
    fusion_depth = check_count(fusion_depth, min = 0, max = 16, call = call),
    epochs = check_count(epochs, min = 1, max = 1e6, call = call),
    lr = check_number(lr, min = 0, min_open = TRUE, call = call),
    weight_decay = check_number(weight_decay, min = 0, call = call),
    validation = check_number(validation, min = 0, max = 1, max_open = TRUE, call = call)
  )
  if (out$validation > 0 && round(out$validation * n) < 1) {
    dm_abort(
      c("{.arg validation} is too small to hold out any of the {n} samples.",
        "i" = "Use a larger fraction, or {.code validation = 0} to keep the last epoch."),
      class = "dmil_error_arg", call = call)
  }
  out$seed <- check_seed(seed, call = call)
  # the rows every method holds out
  out$val_rows <- if (out$validation > 0) {
    .Call(C_dm_split, as.integer(y) - 1L, nlevels(y), out$validation, out$seed)
  } else {
    integer()
  }
  out$batch_size <- if (is.null(batch_size)) {
    as.integer(min(64, n - length(out$val_rows)))
  } else {
    check_batch_size(batch_size, n, call = call)
  }
  out$patience <- if (is.null(patience)) 0L else check_count(patience, min = 1, call = call)
  # NULL for most methods: kept as elements
  out["which"] <- list(check_which(which, method, names(views), call = call))
  out["control"] <- list(check_control(control, method, call = call))
  method_check(method_of(method), views, y, out$val_rows, out$control, out$epochs, call = call)
  out$progress <- check_flag(progress, call = call)
  out$nthreads <- check_nthreads(nthreads, call = call)
  check_fit_memory(method, views, nlevels(y), out, call)
  out$present <- view_presence(views, call = call, train = setdiff(seq_len(n), out$val_rows))
  if (!is.null(out$present) && !method_incomplete(method_of(method))) {
    lacking <- which(!has_every_view(out$present))
    dm_abort(
      c("Method {.val {method}} needs every view of every training sample.",
        "x" = "{length(lacking)} sample{?s} lack{?s/} a view (all its values NA); the first is row {lacking[1]}, without {.val {colnames(out$present)[!out$present[lacking[1], ]]}}.",
        "i" = "{.code method = \"dmil\"} trains on the views each sample has, and {.code method = \"ensemble\"} trains each view's network on the samples that have it.",
        "i" = "Or impute the missing views, or leave those samples out."),
      class = "dmil_error_values", call = call)
  }
  out
}

# Refuses a fit whose memory (estimated from the networks' parameter counts,
# the batch and the data) exceeds what the machine has available, before
# anything is allocated. A network in training holds its parameters, their
# gradient (once per worker), Adam's two moments and the best epoch's copy,
# in floats; R keeps every network's parameters in doubles, and the core a
# float copy of the data.
check_fit_memory <- function(method, views, K, s, call) {
  dims <- vapply(views, ncol, 1L)
  counts <- method_param_counts(method_of(method), names(views), dims, K, s)
  workers <- max(4L, s$nthreads)
  bytes <- 4 * max(counts) * (4 + workers) + 8 * sum(counts) +
    4 * nrow(views[[1]]) * sum(as.numeric(dims)) + 4 * s$batch_size * s$hidden * length(views) * workers
  avail <- available_memory()
  if (is.na(avail) || bytes <= avail) return(invisible(bytes))
  dm_abort(
    c("A fit with these settings would need about {format_bytes(bytes)} of memory; {format_bytes(avail)} is available.",
      "x" = "Its largest network has {big_number(max(counts))} parameters (hidden = {s$hidden}).",
      "i" = "Use fewer hidden units ({.arg hidden}), or fewer features per view."),
    class = "dmil_error_memory", call = call)
}

# The memory available to a new allocation in bytes (Linux's MemAvailable),
# NA where the system does not say.
available_memory <- function() {
  info <- tryCatch(readLines("/proc/meminfo", warn = FALSE), error = function(e) character())
  line <- grep("^MemAvailable:", info, value = TRUE)
  if (!length(line)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line[1])) * 1024
}
format_bytes <- function(b) {
  if (b >= 2^30) sprintf("%.1f GB", b / 2^30) else sprintf("%.0f MB", b / 2^20)
}

# The networks of the baselines, trained in one call of the core with the
# same validation rows; `args` as for method_train().
method_train.dmil_method_baseline <- function(m, views, y, bp, val_rows, args, data) {
  nets <- baseline_nets(m$method, names(views), args$hidden, args$depth, args$fusion_depth,
                        args$control, args$epochs)
  res <- train_nets(nets, y, val_rows, args, data)
  aux <- vapply(res$nets, `[[`, logical(1), "aux")
  c(list(n_val = length(val_rows), val_rows = val_rows, nets = res$nets[!aux],
         history = res$history, best_epoch = res$best_epoch[!aux]),
    if (any(aux)) list(aux_nets = res$nets[aux]))
}

# Network descriptions `nets` (baseline_nets()) trained in one call of the
# core on the fit's data; network j draws from its own stream of the seed.
# Returns the nets with their weights, the history and the kept epochs.
train_nets <- function(nets, y, val_rows, args, data) {
  cfg <- args[c("epochs", "batch_size", "patience", "lr", "weight_decay")]
  res <- .Call(C_dm_fit_baseline, core_views(fit_rows(data)), (as.integer(y) - 1L)[data$order],
               nlevels(y), unname(nets), cfg, seq_len(data$n_train),
               data$n_train + seq_along(val_rows), args$seed, args$nthreads, args$progress)
  check_status(res$status)
  for (j in seq_along(nets)) nets[[j]]$theta <- res$nets[[j]]$theta
  history <- do.call(rbind, lapply(seq_along(nets), function(j) {
    history_rows(names(nets)[j], NA_character_, res$nets[[j]])
  }))
  best_epoch <- vapply(res$nets, function(r) r$best_epoch, integer(1))
  names(best_epoch) <- names(nets)
  list(nets = nets, history = history, best_epoch = best_epoch)
}

method_nets.dmil_method_joint <- function(m, kit, control, epochs) list(joint = kit$joint())
method_nets.dmil_method_late <- function(m, kit, control, epochs) {
  list(late = kit$net(kit$per_view, 1L))
}
method_nets.dmil_method_early <- function(m, kit, control, epochs) {
  list(early = kit$net(list(seq_len(kit$M) - 1L), 1L))
}
method_nets.dmil_method_ensemble <- function(m, kit, control, epochs) kit$members()
method_nets.dmil_method_unimodal <- method_nets.dmil_method_ensemble

check_which <- function(which, method, view_names, arg = rlang::caller_arg(which),
                        call = rlang::caller_env()) {
  if (method != "unimodal") {
    if (!is.null(which)) {
      dm_abort("{.arg {arg}} is only used with {.code method = \"unimodal\"}.",
               class = "dmil_error_arg", call = call)
    }
    return(NULL)
  }
  if (is.null(which)) return(view_names[1])
  if (!is.character(which) || length(which) != 1 || !which %in% view_names) {
    dm_abort(
      c("{.arg {arg}} must be the name of one view.",
        "x" = "It is {obj_type(which)}; the views are {.val {view_names}}."),
      class = "dmil_error_arg", call = call)
  }
  which
}

# Network descriptions for the C core (each method's method_nets() from the
# parts in `kit`: net(), one encoder per view and a fusion head (joint()),
# one network per view (members())): which views feed each encoder
# (0-based), encoder depth and width, head depth and width, the number of
# heads and, for a mixture of heads, their gate, the gradient
# modulation of training (NULL, or ogm_modulation()) and the teachers whose
# encodings it distils (NULL, or list(from = 0-based indices of earlier
# nets, weight)) and the weight of I2MoE's interaction losses (NULL, or a
# number), from the method's `control` and the `epochs`. `aux` nets
# are trained for another's sake and kept apart from those that predict
# (fit$aux_nets).
baseline_nets <- function(method, view_names, hidden, depth, fusion_depth, control = NULL,
                          epochs = NULL) {
  M <- length(view_names)
  net <- function(enc_views, head_layers) {
    list(enc_views = lapply(enc_views, as.integer),
         enc_layers = rep(as.integer(depth), length(enc_views)),
         enc_width = rep(as.integer(hidden), length(enc_views)),
         head_layers = as.integer(head_layers), head_width = as.integer(hidden),
         views = view_names[sort(unique(unlist(enc_views))) + 1L], heads = 1L, gate = NULL,
         modulation = NULL, distill = NULL, interaction = NULL, aux = FALSE)
  }
  per_view <- as.list(seq_len(M) - 1L)
  kit <- list(M = M, view_names = view_names, hidden = as.integer(hidden), per_view = per_view,
              net = net, joint = function() net(per_view, fusion_depth + 1L),
              members = function() {
                stats::setNames(lapply(per_view, function(v) net(list(v), 1L)), view_names)
              })
  method_nets(method_of(method), kit, control, epochs)
}

# Whether the model predict() uses combines several networks (the ensemble
# and the interaction-aware ensemble; not the unimodal networks, of which
# predict() uses one): method_val_metrics() then adds a row for it.
combines_nets <- function(fit) is.null(fit$which) && length(fit$nets) > 1

# OGM-GE's settings as the C core reads them (epochs counted from 0).
ogm_modulation <- function(control, epochs) {
  list(alpha = control$alpha, start = control$start - 1L, end = ogm_end(control, epochs) - 1L,
       ge = as.integer(control$ge))
}

# Validation accuracy and loss at the kept epoch of each network, and for
# models that combine networks also of the combined model predict() uses.
method_val_metrics.dmil_method_baseline <- function(m, fit, y, data) {
  if (fit$n_val == 0) return(NULL)
  out <- do.call(rbind, lapply(names(fit$nets), function(net) {
    h <- fit$history[fit$history$net == net, ]
    b <- fit$best_epoch[[net]]
    data.frame(net = net, val_accuracy = h$val_accuracy[b], val_log_loss = h$val_log_loss[b])
  }))
  if (combines_nets(fit)) {
    lp <- combined_logits(fit, fit_rows(data, "val"), NULL, fit$settings$nthreads)
    out <- rbind(out, data.frame(net = fit$method, logit_metrics(lp, y[fit$val_rows])))
  }
  out
}

# One network's, or one DMIL stage's, epochs as rows of the history every
# fit has (see ?dmil_fit, value); `r` is the C core's record of them.
history_rows <- function(net, stage, r) {
  k <- seq_len(r$epochs_run)
  data.frame(net = net, stage = stage, epoch = k, train_loss = r$train_loss[k],
             val_log_loss = r$val_log_loss[k], val_accuracy = r$val_accuracy[k])
}

# Accuracy (the first largest logit on ties) and mean cross-entropy of
# logits against labels y (a factor), for the models R combines in double
# (ensembles, mixtures, calibrated DMIL) and the interaction models: the
# definitions of the C core's float evaluation of each network while it
# trains (dm_evaluate(), src/core/train.c), and of predict()'s classes.
logit_metrics <- function(logits, y) {
  yi <- cbind(seq_along(y), as.integer(y))
  list(val_accuracy = mean(max.col(logits, ties.method = "first") == yi[, 2]),
       val_log_loss = mean(logsumexp_rows(logits) - logits[yi]))
}
