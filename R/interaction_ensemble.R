# The interaction-aware ensemble (dmil_fit(method = "interaction_ensemble")):
# the joint network and the ensemble's members, trained as those methods
# train them (baseline_nets()), mixed per sample by the expected synergy
# share of an interaction model of the training rows (mixture_logits()).

# Its synergy scores are cross-fitted on the training rows: say before
# training if they cannot be.
method_check.dmil_method_interaction_ensemble <- function(m, views, y, val_rows, control, epochs,
                                                          call) {
  check_interaction_views(names(views), "pmmi",
                          hint = "Use {.code method = \"joint\"} or {.code \"ensemble\"}.",
                          call = call)
  if (is.na(score_folds(y[setdiff(seq_along(y), val_rows)]))) {
    dm_abort(c("{.code method = \"interaction_ensemble\"} cannot score the training samples.",
               "x" = paste0("In the training rows, ", unscored_reason, "."),
               "i" = "Use {.code method = \"joint\"} or {.code \"ensemble\"}."),
             class = "dmil_error_arg", call = call)
  }
  invisible()
}

method_finish.dmil_method_interaction_ensemble <- function(m, fit, views, y, data, progress) {
  fit$mixture <- list(joint = "joint", ensemble = names(views))
  s <- fit$settings
  fit$interactions <- score_training_rows(data, fit$views, y, "pmmi", NULL, list(), s$seed,
                                          s$nthreads, progress)
  with_val_metrics(m, fit, y, data)
}

method_nets.dmil_method_interaction_ensemble <- function(m, kit, control, epochs) {
  c(kit$members(), list(joint = kit$joint()))
}

method_architecture.dmil_method_interaction_ensemble <- function(m, fit, enc, fusion) {
  sprintf("joint: encoders %s per view, %s; ensemble: networks %s per view", enc, fusion, enc)
}

method_model_name.dmil_method_interaction_ensemble <- function(m, fit) {
  sprintf("Mixture of the %d networks", length(fit$nets))
}

# The interaction-aware ensemble: log(alpha p_joint + (1 - alpha) p_ens),
# alpha = synergy_share() of each sample; `it_data` is the data matched to
# the interaction model's blueprint (see mixture_data()).
mixture_logits <- function(fit, data, it_data, nthreads) {
  lj <- log_softmax(predict_logits(fit, data, fit$mixture$joint, nthreads))
  le <- log_softmax(predict_logits(fit, data, fit$mixture$ensemble, nthreads))
  out <- log_mixture(lj, le, synergy_share(fit$interactions, it_data, nthreads))
  colnames(out) <- fit$levels
  out
}

# log(a exp(lj) + (1 - a) exp(le)) row by row, exact at a = 0 and 1 and
# whatever the gap between lj and le.
log_mixture <- function(lj, le, a) {
  t1 <- log(a) + lj
  t2 <- log1p(-a) + le
  m <- pmax(t1, t2)
  m + log(exp(t1 - m) + exp(t2 - m))
}

# New views matched to the blueprint of a mixture's interaction model, or
# NULL when there is no mixture or the model shares the fit's blueprint (as
# it does when scored on the fit's data, score_training_rows(); fits saved
# by earlier versions standardised its training rows apart).
mixture_data <- function(fit, new_data, nthreads, call) {
  if (is.null(fit$mixture)) return(NULL)
  bp <- interaction_info(fit$interactions)$blueprint
  if (identical(bp, fit$views)) return(NULL)
  match_blueprint(new_data, bp, nthreads, call = call)
}

# Each sample's expected share of synergy, without labels: the positive
# part of its synergy atom over the sum of the positive parts of all its
# atoms (0 when they are all 0), from the predictions of an interaction
# model on data matched to its blueprint.
synergy_share <- function(it, data, nthreads) {
  ex <- as.data.frame(interactions_predict_core(interaction_info(it), data, NULL, nthreads))
  atoms <- pmax(as.matrix(ex[atom_columns(interaction_info(it)$views)]), 0)
  total <- rowSums(atoms)
  share <- ifelse(total > 0, atoms[, "s"] / total, 0)
  share[!is.finite(share)] <- 0
  share
}
