#' Settings of the DMIL model
#'
#' The hyperparameters of `dmil_fit(method = "dmil")` beyond those shared
#' with the baselines (width, depth, batch size, Phase A epochs and learning
#' rate are arguments of [dmil_fit()]). Defaults follow the package's design
#' for feature-level data on a CPU.
#'
#' @section The model:
#' DMIL trains a decomposition network in three phases and pools it with
#' component learners.
#'
#' **Phase A**, the decomposition network. Each view's encoder feeds two
#' Gaussian posteriors: a redundant code (one per view, fused across views by
#' a product of experts) and a unique code; a fusion layer on all encodings
#' feeds a synergy code. Linear heads on the codes add up to the logits:
#' \eqn{\ell = a_R(z_R) + \sum_m a_{U_m}(z_{U_m}) + a_S(z_S) + b}. The
#' synergy head starts at zero, so the prediction starts additive. The loss is
#' the cross-entropy of \eqn{\ell}, plus decomposition terms (by default only
#' `lambda_red` and the variational codes, see Defaults): `lambda_uni` times the mean cross-entropy of
#' each view alone (redundant plus its unique head), `lambda_red` times that
#' of each view's redundant head alone, `lambda_align` times the symmetric KL
#' divergence between the views' redundant posteriors, `lambda_orth` times the
#' squared cross-correlation of redundant and unique means within a batch,
#' `lambda_anova` times a functional-ANOVA penalty that keeps main effects out
#' of the synergy head (averaged over `partners` other samples' values of one
#' view, its output must vanish), and with `variational = TRUE` sampled codes
#' with KL bottlenecks `beta_R`, `beta_U`, `beta_S` to \eqn{N(0, I)} (raised
#' linearly over the first `warmup` epochs).
#'
#' **Phase B** scores every training sample with [dmil_interactions()]
#' (`measure`, `folds`; further settings in `scores`), with one repeat of the
#' cross-fitting unless `scores` sets `repeats`. With `folds = NULL` it uses
#' 5 folds, or fewer when the smallest class of the training rows is too small
#' for 5; if a class has fewer than 3 training samples, Phase C runs
#' unweighted.
#'
#' **Phase C** fine-tunes in `stages`, each trained for `finetune_epochs`
#' with learning rate `finetune_lr` (encoders at `encoder_lr_mult` times
#' that), with sample weights
#' \eqn{w_i = (1 - \gamma) + \gamma \tilde v_i / \mathrm{mean}(\tilde v)},
#' \eqn{\tilde v = \max(v, 0)} from the Phase B scores of the stage's
#' component (`gamma = 0` gives uniform weights):
#' `"R"` trains the encoders, redundant posteriors, \eqn{a_R} and \eqn{b} on
#' the weighted redundancy-only losses, alignment, \eqn{\beta_R} and
#' `lambda_keep` times the full loss; `"U"` trains the encoders, unique
#' posteriors and heads on each view's unique head added to its (fixed)
#' redundant logits, \eqn{\beta_U}, the orthogonality term and the keep loss;
#' `"S"` trains the fusion layer, synergy posterior and head on the synergy
#' head added to the (fixed) additive logits, \eqn{\beta_S} and the ANOVA
#' penalty. A stage is undone if it lowers the validation accuracy by more
#' than `tolerance`.
#'
#' **Calibration** (`calibrate`): the network's final logits, and with them
#' the component contributions, are divided by a temperature fitted on the
#' validation rows (stored as `fit$nets$dmil$temperature`).
#'
#' **The pool** (`members`): next to the network, the fit trains the
#' component learners named in `members`, each exactly as
#' `dmil_fit(method = member)` with the same data, settings and seed would
#' (`"joint"`, `"late"`, `"early"`; `"ensemble"`, one network per view). The
#' model predicts with their log-linear pool,
#' \eqn{\log p(y \mid x) = \sum_j w_j \log p_j(y \mid x) + c(x)}, whose
#' weights lie on the simplex in steps of 0.1 and minimise the validation
#' log-loss plus \eqn{10 \sum_j (w_j - 1/J)^2 / n_{val}}, a pull towards equal
#' weights that matters when there are few validation rows (equal weights
#' without validation rows). A member that needs a view a sample lacks
#' leaves the pool for that sample and the others' weights are rescaled to
#' sum to 1: without a view, the network and the ensemble's present members
#' predict. Likewise in training (see [dmil_fit()], Samples that lack
#' views): `joint`, `late` and `early` train on the samples with every view,
#' the ensemble's networks on the samples with their view. The weights are `fit$pool$weights`. The interaction table, the
#' component contributions of `predict(type = "components")` (for the class
#' the pool predicts) and the training stages stay the network's;
#' `members = character()` predicts with the network alone.
#'
#' Why a pool: the paper's argument is that joint training under-uses the
#' evidence each view has alone and that ensembles of unimodal models miss
#' synergy. One decomposition network trained to do both was, on the
#' benchmark suite (see Defaults), less accurate than the best of the
#' baselines on most data sets. Separately trained learners that each see
#' the views in one way (additively: `late`; jointly: `joint`, `early`; by
#' decomposition: the network) and are weighted per data set on held-out
#' rows are, on the same suite, at least as accurate as the best of them on
#' every data set. The network earns its place in the pool: without it, the
#' pool of `joint`, `late` and `early` is 0.25 points *below* the best
#' baseline on average instead of 0.54 above, and a second seed of `joint`
#' in its place reaches only 0.23 above.
#'
#' @section Defaults:
#' The defaults were chosen on the package's benchmark suite
#' (`bench/suite/` in the source repository: 13 data sets, 6 simulated and 7
#' real, 5-fold cross-validation repeated twice, every method with the same
#' folds, epochs and validation rows), by the paired accuracy difference to
#' the best of the `late`, `ensemble`, `joint` and `early` baselines on each
#' data set, averaged over the data sets.
#'
#' With the default pool (the network, `joint`, `late` and `early`) DMIL is
#' 0.54 points more accurate than the best baseline on average, at least as
#' accurate within one standard error on all 13 data sets, more accurate on
#' 10, and its log-loss is lower on all 13 (by 0.038 on average). The
#' network alone is 0.85 points below the best baseline. The members were
#' chosen by pooling every subset of the network and the four baselines
#' (`bench/suite/pool_members.R`): adding the ensemble moved the mean by less
#' than 0.05 points and costs about as much as a `joint` fit, so it is left
#' out; without `joint`, `late` or `early` the mean drops by 0.1 to 0.3
#' points. Inside the pool no part of the network moved the accuracy by more
#' than the suite's noise (about 0.15 points): Phase A alone +0.46, uniform
#' stage weights +0.48, deterministic codes +0.69, no redundancy term +0.42
#' (the paper-analysis vignette has the table).
#'
#' The network's own settings were chosen earlier, by the same procedure
#' without a pool. The design the package started from (every
#' decomposition term on, 50 epochs) lost to the best baseline by 2.7 points
#' on average. Starting from the network with every term off, deterministic
#' codes and no Phase C (-1.1 points), each part was added back on its own:
#' variational codes -0.9, `lambda_red` -0.8, `lambda_uni` -1.1,
#' `lambda_anova` -1.4, `lambda_align` -1.7, `lambda_orth` -2.6, Phases B
#' and C -0.6 (with uniform weights, `gamma = 0`, -0.7). Phases B and C with
#' the two terms that helped (variational codes and `lambda_red`) gave -0.7,
#' the same within the suite's standard error of about 0.3 points; this is
#' the default, because `lambda_red` is what keeps each view's redundant
#' evidence usable on its own: on MIX4 with three classes and the stronger
#' view missing at test time, the redundant samples are predicted with
#' accuracy 0.87 against 0.74 without it (the ensemble reaches 0.90, the
#' joint model 0.65). The other decomposition terms stay off: they cost
#' accuracy on the suite. They are what makes the unique and synergy heads
#' separate unique and synergistic evidence, so without them the component
#' contributions of `predict(type = "components")` are one of many ways to
#' split the logits; turn them on (the example shows the original design)
#' when the components matter more than accuracy. The per-sample interaction
#' tables ([interactions()], [dmil_interactions()]) do not depend on these
#' settings.
#'
#' A second round on the suite (two repeats of the cross-validation) gave
#' -0.8 points for the default and -1.1 for Phase A alone: Phases B and C
#' pay for themselves, a little and mostly on the simulated data sets.
#' Three further changes moved the difference by less than its standard
#' error and were not adopted: `beta_S = 1e-3`, stages of 20 epochs, and
#' scaling each component's logits by a factor fitted on the validation
#' rows.
#'
#' Cost: a default fit takes 5 to 16 times as long as a `joint` fit on the
#' suite (6.7 times on simulated data with n = 20000, `bench/dmil_cost.R`):
#' Phase A 2 to 3 times, the pool's members about 2 times, and Phase B the
#' rest, which grows with the number of views (it trains a discriminator for
#' every subset of them).
#' `finetune = FALSE` skips Phases B and C (and the interaction table) and,
#' pooled, is within 0.1 points of the default on the suite.
#'
#' @section Ablations:
#' * the network alone, without the pool: `members = character()`;
#' * a pool member less or more: e.g. `members = c("joint", "late")`;
#' * no decomposition: `dmil_fit(method = "joint")` with the same `hidden`;
#' * Phase A only: `finetune = FALSE`;
#' * uniform sample weights: `gamma = 0`;
#' * without a stage: e.g. `stages = c("R", "S")`;
#' * LSMI instead of pointwise MMI scores: `measure = "lsmi"`;
#' * the decomposition terms: `variational = FALSE`, `lambda_red = 0`, or
#'   `lambda_uni`, `lambda_align`, `lambda_orth`, `lambda_anova` above 0.
#'
#' @param latent Dimension of each code (D).
#' @param lambda_uni,lambda_red,lambda_align,lambda_orth,lambda_anova,lambda_keep
#'   Loss weights; see the model section and Defaults. `lambda_anova` trades
#'   accuracy on synergistic samples against how cleanly the synergy head
#'   excludes main effects: on simulated data (MIX4, K = 2 and 3, a weaker
#'   second view) 1 cost about 1 point of accuracy (2.5 on synergistic
#'   samples) against 0.1, while 0.1 kept the synergy head's contribution on
#'   non-synergistic samples at about a third of what it is without the
#'   penalty.
#' @param beta_R,beta_U,beta_S KL weights of the redundant, unique and
#'   synergy codes.
#' @param partners Partners per sample and view in the ANOVA penalty.
#' @param warmup Epochs over which the KL weights rise from 0.
#' @param variational Sample the codes during training (else use their
#'   means and no KL terms).
#' @param finetune Run Phases B and C.
#' @param stages Fine-tuning stages, in order: any of `"R"`, `"U"`, `"S"`.
#' @param finetune_epochs,finetune_lr Epochs and learning rate of each stage.
#' @param encoder_lr_mult Learning-rate factor of the encoders in stages R
#'   and U.
#' @param gamma Weight mixing: 0 uniform, 1 proportional to the scores.
#' @param tolerance Largest allowed drop of validation accuracy (a fraction)
#'   for a stage to be kept.
#' @param measure,folds Interaction measure and cross-fitting folds of Phase
#'   B; `folds = NULL` uses the default of [dmil_interactions()].
#' @param scores Further arguments of [dmil_interactions()] for Phase B
#'   (e.g. `list(epochs = 20)`).
#' @param calibrate Divide the network's final logits by a temperature
#'   fitted on the validation rows (their log-loss, with a standard normal
#'   prior on the temperature's logarithm). It leaves the network's predicted
#'   classes as they are.
#' @param members The component learners pooled with the network: any of
#'   `"joint"`, `"late"`, `"early"`, `"ensemble"` (trained in that order
#'   whatever the order given), or `character()` (or `NULL`) for the network
#'   alone. See The pool.
#' @return A list of class `dmil_control`.
#' @examples
#' dmil_control(stages = c("R", "S"))
#' # the decomposition terms of the package's original design
#' dmil_control(lambda_uni = 1, lambda_red = 0.5, lambda_align = 0.1, lambda_orth = 0.1,
#'              lambda_anova = 0.1, variational = TRUE)
#' @export
dmil_control <- function(latent = 16, lambda_uni = 0, lambda_red = 0.5, lambda_align = 0,
                         lambda_orth = 0, lambda_anova = 0, lambda_keep = 0.2,
                         beta_R = 1e-3, beta_U = 1e-3, beta_S = 1e-2, partners = 8,
                         warmup = 10, variational = TRUE, finetune = TRUE,
                         stages = c("R", "U", "S"), finetune_epochs = 10, finetune_lr = 3e-4,
                         encoder_lr_mult = 0.1, gamma = 0.5, tolerance = 0.005,
                         measure = c("pmmi", "lsmi"), folds = NULL, scores = list(),
                         calibrate = TRUE, members = c("joint", "late", "early")) {
  measure <- dm_arg_match(measure)
  out <- list(
    latent = check_count(latent, min = 1, max = 4096),
    lambda_uni = check_number(lambda_uni, min = 0),
    lambda_red = check_number(lambda_red, min = 0),
    lambda_align = check_number(lambda_align, min = 0),
    lambda_orth = check_number(lambda_orth, min = 0),
    lambda_anova = check_number(lambda_anova, min = 0),
    lambda_keep = check_number(lambda_keep, min = 0),
    beta_R = check_number(beta_R, min = 0),
    beta_U = check_number(beta_U, min = 0),
    beta_S = check_number(beta_S, min = 0),
    partners = check_count(partners, min = 1, max = 256),
    warmup = check_count(warmup, min = 0),
    variational = check_flag(variational),
    finetune = check_flag(finetune),
    stages = check_stages(stages),
    finetune_epochs = check_count(finetune_epochs, min = 1),
    finetune_lr = check_number(finetune_lr, min = 0, min_open = TRUE),
    encoder_lr_mult = check_number(encoder_lr_mult, min = 0),
    gamma = check_number(gamma, min = 0, max = 1),
    tolerance = check_number(tolerance, min = 0, max = 1),
    measure = measure,
    folds = if (!is.null(folds)) check_count(folds, min = 2, max = 100),
    scores = check_scores(scores),
    calibrate = check_flag(calibrate),
    members = check_members(members)
  )
  structure(out, class = c("dmil_control", "dmil_settings"))
}

check_stages <- function(stages, arg = rlang::caller_arg(stages), call = rlang::caller_env()) {
  if (!is.character(stages) || anyNA(stages) || !all(stages %in% c("R", "U", "S")) ||
      anyDuplicated(stages)) {
    dm_abort(c("{.arg {arg}} must list distinct stages among {.val {c('R', 'U', 'S')}}.",
               "x" = "It is {obj_type(stages)}."),
             class = "dmil_error_arg", call = call)
  }
  stages
}

check_scores <- function(scores, arg = rlang::caller_arg(scores), call = rlang::caller_env()) {
  check_settings(scores, names(interaction_checks), arg = arg, call = call)
  # validated here, passed on as given (dmil_interactions() normalises them)
  check_interaction_settings(scores, prefix = paste0(arg, "$"), call = call)
  scores
}


check_members <- function(members, arg = rlang::caller_arg(members), call = rlang::caller_env()) {
  if (is.null(members)) return(character())
  if (!is.character(members) || anyNA(members) || !all(members %in% pool_member_methods) ||
      anyDuplicated(members)) {
    dm_abort(c("{.arg {arg}} must list distinct methods among {.val {pool_member_methods}}, or be empty.",
               "x" = "It is {obj_type(members)}."),
             class = "dmil_error_arg", call = call)
  }
  # trained in one order whatever the order given, so the fit does not depend on it
  pool_member_methods[pool_member_methods %in% members]
}
