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

method_finish.dmil_method_interaction_ensemble <- function(m, fit, views, y, progress) {
  fit$mixture <- list(joint = "joint", ensemble = names(views))
  s <- fit$settings
  fit$interactions <- score_training_rows(views, y, setdiff(seq_len(fit$n), fit$val_rows), "pmmi",
                                          NULL, list(), s$seed, s$nthreads, progress)
  with_val_metrics(m, fit, views, y)
}
