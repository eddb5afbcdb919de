# The DMIL model: Phase A (decomposition network), Phase B (per-sample
# interaction scores of the training rows), Phase C (three fine-tuning
# stages). Called by dmil_fit() after the argument checks.

# The components of the decomposition network (one head each): redundant,
# unique per view, synergistic; and the columns of the interaction table
# whose scores weight their fine-tuning stages.
component_labels <- function(vn) c("R", paste0("U_", vn), "S")
component_columns <- function(vn) c("r", paste0("u_", vn), "s")

# Seeds of a fit's parts that run as calls of their own, derived from the
# fit's seed by fixed offsets (arbitrary primes; changing one changes every
# fit): the training rows' interaction scores (DMIL's Phase B, the
# interaction-aware ensemble) and DMIL's Phase C. The C core's own streams
# are listed in src/core/dm_streams.h.
seed_offsets <- c(scores = 104729, finetune = 7919, views = 1299709)
derived_seed <- function(seed, part) (seed + seed_offsets[[part]]) %% 2^31

# Names of the network's parameter groups, which a stage trains (the C
# core's table, src/core/dm_dmil.h).
dmil_groups <- function() .Call(C_dm_dmil_groups)

# One stage's settings for the C core (dm_dmil_stage, src/core/dm_dmil.h):
# training, trainable groups, keep-or-revert tolerance, and the weight of
# every loss term (lambda_<term>; lambda_full is the cross-entropy of the
# prediction, which Phase A weights 1 and stages R and U by lambda_keep)
# with per-row weights w_<term>.
dmil_stage <- function(epochs, lr, batch_size, patience, weight_decay, groups, enc_mult = 1,
                       tolerance = NA_real_, partners = 8L, variational = TRUE, warmup = 0L,
                       lambda_full = 0, lambda_uni = 0, lambda_red = 0, lambda_uni_sg = 0,
                       lambda_syn_sg = 0, lambda_align = 0, beta_R = 0, beta_U = 0, beta_S = 0,
                       lambda_orth = 0, lambda_anova = 0, w_full = NULL, w_red = NULL,
                       w_syn = NULL, w_uni = NULL) {
  list(epochs = as.integer(epochs), lr = lr, batch_size = as.integer(batch_size),
       patience = as.integer(patience), weight_decay = weight_decay, groups = groups,
       enc_mult = enc_mult, tolerance = as.double(tolerance), partners = as.integer(partners),
       variational = as.integer(variational), warmup = as.integer(warmup),
       lambda_full = lambda_full, lambda_uni = lambda_uni, lambda_red = lambda_red,
       lambda_uni_sg = lambda_uni_sg, lambda_syn_sg = lambda_syn_sg, lambda_align = lambda_align,
       beta_R = beta_R, beta_U = beta_U, beta_S = beta_S, lambda_orth = lambda_orth,
       lambda_anova = lambda_anova, w_full = w_full, w_red = w_red, w_syn = w_syn, w_uni = w_uni)
}

# Phase C weights of one component from scores v (one per training row):
# (1 - gamma) + gamma * max(v, 0) / mean(max(v, 0)); all ones if the mean is 0.
# A sample without a score (NA: it lacks a view the atom needs) weighs 1.
stage_weights <- function(v, gamma) {
  vt <- pmax(v, 0)
  m <- mean(vt, na.rm = TRUE)
  w <- if (isTRUE(m > 0)) (1 - gamma) + gamma * vt / m else rep(1, length(v))
  w[is.na(w)] <- 1
  w
}

# The temperature that divides DMIL's logits: the minimiser of the log-loss
# of the validation rows' logits lg (labels y), with a N(0, 1) prior on its
# logarithm so that a handful of rows moves it little.
dmil_temperature <- function(lg, y) {
  yi <- cbind(seq_along(y), as.integer(y))
  objective <- function(log_t) {
    l <- lg / exp(log_t)
    mean(logsumexp_rows(l) - l[yi]) + log_t^2 / (2 * length(y))
  }
  exp(stats::optimize(objective, c(log(0.05), log(20)))$minimum)
}

# Cross-fitting folds of Phase B when dmil_control(folds = NULL): the
# default of dmil_interactions(), fewer when the smallest class of the
# training rows is too small for it (each class needs folds + 1 samples).
# NA when a class is too small for 2 folds; the fit then says so with
# unscored_reason.
score_folds <- function(y) {
  smallest <- min(table(droplevels(y)))
  if (smallest < 3) return(NA_integer_)
  as.integer(min(formals(dmil_interactions)$folds, smallest - 1L))
}
unscored_reason <- "a class had fewer than 3 training samples, too few to cross-fit the scores"

# Cross-fitted interaction scores of the training rows, as a model keeps
# them (DMIL's Phase B, the interaction-aware ensemble's synergy share):
# one repeat unless `extra` (checked settings of dmil_interactions()) says
# otherwise, the samples' ids (row names, else their index) kept. NULL when
# a class is too small to cross-fit (unscored_reason). They read the
# training rows of the fit's data (fit_data(), standardised under the fit's
# blueprint `bp`); the views and labels were checked by dmil_fit(), which
# also reported their constant columns; the reliability warnings concern
# tables read sample by sample, not a model's use of them, and are not
# raised. `seed` is the fit's; the scores draw from a stream of their own.
score_training_rows <- function(data, bp, y, measure, folds, extra, seed, nthreads, progress) {
  seed <- derived_seed(seed, "scores")
  rows <- fit_rows(data, "train", ids = TRUE)
  y <- droplevels(y[data$order[seq_len(rows$n)]])
  # the atoms are estimated on the samples with every view; unscored when a
  # class has fewer than 3 of them (or none)
  full <- y[has_every_view(rows$present, rows$n)]
  if (any(table(full) < 3)) return(NULL)
  if (is.null(folds)) {
    folds <- score_folds(full)
    if (is.na(folds)) return(NULL)
  } else {
    check_fold_sizes(full, folds, arg = "control$folds")
  }
  s <- interaction_settings(utils::modifyList(list(repeats = 1L), extra))
  s <- interaction_defaults(s, length(full), fold_train_size(length(full), folds))
  interactions_core(rows, bp, y, measure, "bits", s$prior, folds, NULL, FALSE, s, seed, nthreads,
                    progress)$table
}

# The DMIL model trained on the fit's data (fit_data(): training rows
# first, then the validation rows).
fit_dmil <- function(data, y, bp, opts, ctl, seed, nthreads, progress) {
  n <- data$n
  n_train <- data$n_train
  vn <- names(bp)
  M <- length(vn)
  arch <- list(hidden = opts$hidden, latent = ctl$latent, depth = opts$depth)
  rows <- core_views(fit_rows(data))
  labels <- (as.integer(y) - 1L)[data$order]
  beta <- if (ctl$variational) c(ctl$beta_R, ctl$beta_U, ctl$beta_S) else c(0, 0, 0)
  common <- list(batch_size = opts$batch_size, weight_decay = opts$weight_decay,
                 partners = ctl$partners, variational = ctl$variational)
  run <- function(theta, stages, seed) {
    res <- .Call(C_dm_dmil_train, rows, labels, nlevels(y), arch, theta, seq_len(n_train),
                 n_train + seq_len(n - n_train), stages, seed, nthreads, progress)
    check_status(res$status)
    res
  }

  # Phase A: everything trains on the full decomposition loss.
  phase_a <- do.call(dmil_stage, c(common, list(
    epochs = opts$epochs, lr = opts$lr, patience = opts$patience, groups = dmil_groups(),
    warmup = ctl$warmup, lambda_full = 1, lambda_uni = ctl$lambda_uni, lambda_red = ctl$lambda_red,
    lambda_align = ctl$lambda_align, beta_R = beta[1], beta_U = beta[2], beta_S = beta[3],
    lambda_orth = ctl$lambda_orth, lambda_anova = ctl$lambda_anova)))
  res_a <- run(NULL, list(phase_a), seed)
  stage_results <- list(A = res_a$stages[[1]])
  theta <- res_a$theta
  scores <- NULL

  if (ctl$finetune && length(ctl$stages)) {
    # Phase B: cross-fitted interaction scores of the training rows;
    # without a class large enough to cross-fit, the stages run unweighted.
    scores <- score_training_rows(data, bp, y, ctl$measure, ctl$folds, ctl$scores, seed,
                                  nthreads, progress)
    row_w <- function(col) {
      w <- rep(1, n)
      if (!is.null(scores)) w[seq_len(n_train)] <- stage_weights(scores[[col]], ctl$gamma)
      w
    }
    w_uni <- vapply(paste0("u_", vn), row_w, numeric(n))

    # Phase C: the three stages, each kept only if validation accuracy holds.
    ft <- c(common, list(epochs = ctl$finetune_epochs, lr = ctl$finetune_lr, patience = 0L,
                         tolerance = ctl$tolerance))
    stage_list <- list(
      R = do.call(dmil_stage, c(ft, list(
        groups = c("enc", "rpost", "ar", "bias"), enc_mult = ctl$encoder_lr_mult,
        lambda_red = 1, w_red = row_w("r"), lambda_align = ctl$lambda_align, beta_R = beta[1],
        lambda_full = ctl$lambda_keep))),
      U = do.call(dmil_stage, c(ft, list(
        groups = c("enc", "upost", "au"), enc_mult = ctl$encoder_lr_mult,
        lambda_uni_sg = 1, w_uni = as.vector(t(w_uni)), beta_U = beta[2],
        lambda_orth = ctl$lambda_orth, lambda_full = ctl$lambda_keep))),
      S = do.call(dmil_stage, c(ft, list(
        groups = c("fuse", "spost", "as"), lambda_syn_sg = 1, w_syn = row_w("s"),
        beta_S = beta[3], lambda_anova = ctl$lambda_anova)))
    )[ctl$stages]
    res_c <- run(theta, unname(stage_list), derived_seed(seed, "finetune"))
    names(res_c$stages) <- ctl$stages
    stage_results <- c(stage_results, res_c$stages)
    theta <- res_c$theta
  }

  history <- do.call(rbind, lapply(names(stage_results), function(nm) {
    history_rows("dmil", nm, stage_results[[nm]])
  }))
  phases <- do.call(rbind, lapply(names(stage_results), function(nm) {
    r <- stage_results[[nm]]
    data.frame(phase = if (nm == "A") "A" else "C", stage = nm, epochs = r$epochs_run,
               best_epoch = r$best_epoch, val_accuracy_before = r$acc_before,
               val_accuracy_after = r$acc_after, kept = r$kept)
  }))
  configs <- c(list(A = phase_a), if (exists("stage_list", inherits = FALSE)) stage_list)
  configs <- lapply(configs, function(cf) cf[!grepl("^w_", names(cf))])
  list(nets = list(dmil = list(arch = arch, theta = theta, views = vn)),
       history = history, phases = phases, scores = scores, stage_settings = configs,
       best_epoch = c(dmil = stage_results$A$best_epoch))
}

# Logits and components of a DMIL fit on matched data (views in blueprint
# order, possibly with missing ones marked in data$present).
# The logits and components are divided by the fit's temperature (1 for
# fits saved before it existed).
dmil_predict_core <- function(fit, data, nthreads) {
  net <- fit$nets$dmil
  res <- as_fit_error(.Call(C_dm_dmil_predict, core_views(data), length(fit$levels), net$arch,
                            net$theta, nthreads))
  check_status(res$status)
  K <- length(fit$levels)
  temp <- net$temperature %||% 1
  res$logits <- res$logits / temp
  comp_names <- c(component_labels(names(fit$views)), "bias")
  comps <- lapply(seq_along(comp_names), function(j) res$comps[, (j - 1) * K + seq_len(K), drop = FALSE] / temp)
  names(comps) <- comp_names
  colnames(res$logits) <- fit$levels
  list(logits = res$logits, comps = comps)
}
