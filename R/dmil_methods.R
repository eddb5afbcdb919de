# DMIL's part of the shared functions (the generics of methods.R): its
# checks, training (fit_dmil(), dmil_model.R), calibration, predictions with
# missing views and component contributions, its training stages and
# component heads (for tidy() and summary()), and its print and plot shapes.

method_check.dmil_method_dmil <- function(m, views, y, val_rows, control, epochs, call) {
  if (!control$finetune) return(invisible())
  # Phase B scores the samples after Phase A: say now if it cannot
  check_interaction_views(names(views), control$measure,
                          hint = "Fit DMIL without Phases B and C: {.code control = dmil_control(finetune = FALSE)}.",
                          call = call)
  if (!is.null(control$folds)) {
    check_fold_sizes(droplevels(y[setdiff(seq_along(y), val_rows)]), control$folds,
                     arg = "control$folds", call = call)
  }
  invisible()
}

# The network, the pool's members and Phase B's discriminators.
method_param_counts.dmil_method_dmil <- function(m, view_names, dims, K, s) {
  ctl <- s$control
  arch <- list(hidden = s$hidden, latent = ctl$latent, depth = s$depth)
  network <- sum(.Call(C_dm_dmil_layout, as.integer(dims), as.integer(K), arch)$length)
  members <- lapply(ctl$members, function(mb) {
    net_param_counts(baseline_nets(mb, view_names, s$hidden, s$depth, s$fusion_depth), dims, K)
  })
  scores <- if (ctl$finetune) {
    si <- interaction_settings(ctl$scores)
    net_param_counts(interaction_nets(view_names, si$hidden, si$depth), dims, K)
  }
  c(network, unlist(members), scores)
}

method_train.dmil_method_dmil <- function(m, views, y, bp, val_rows, args, data) {
  opts <- args[c("hidden", "depth", "epochs", "batch_size", "lr", "weight_decay", "patience")]
  res <- fit_dmil(data, y, bp, opts, args$control, args$seed, args$nthreads, args$progress)
  out <- list(n_val = length(val_rows), val_rows = val_rows, nets = res$nets, history = res$history,
              phases = res$phases, best_epoch = res$best_epoch, interactions = res$scores,
              stage_settings = res$stage_settings)
  members <- args$control$members
  train_present <- fit_rows(data, "train")$present
  if (length(members) && !is.null(train_present) && !any(has_every_view(train_present))) {
    # joint, late and early need a training sample with every view
    dropped <- setdiff(members, "ensemble")
    members <- intersect(members, "ensemble")
    if (length(dropped)) {
      dm_inform(c("i" = "No training sample has every view: the pool leaves out {.val {dropped}}, which need one."),
                class = "dmil_message_pool")
    }
  }
  if (length(members)) {
    pm <- train_pool_members(members, views, y, val_rows, args, data)
    out$nets <- c(out$nets, pm$nets)
    out$history <- rbind(out$history, pm$history)
    out$best_epoch <- c(out$best_epoch, pm$best_epoch)
    # the weights are chosen by method_finish()
    out$pool <- list(members = pm$members, weights = NULL)
  }
  out
}

# The validation rows are predicted once: for the network's temperature
# (with calibrate), the pool's weights and the validation metrics of the
# network, each pool member and the pool (the model predict() uses, last).
method_finish.dmil_method_dmil <- function(m, fit, views, y, data, progress) {
  calibrate <- isTRUE(fit$settings$control$calibrate)
  if (fit$n_val == 0) {
    if (calibrate) fit$nets$dmil$temperature <- 1
    if (!is.null(fit$pool)) fit$pool$weights <- equal_weights(names(fit$pool$members))
    fit$val_metrics <- NULL
    return(fit)
  }
  val <- fit_rows(data, "val")
  nthreads <- fit$settings$nthreads
  lg <- dmil_predict_core(fit, val, nthreads)$logits
  yv <- y[fit$val_rows]
  if (calibrate) fit$nets$dmil$temperature <- dmil_temperature(lg, yv)
  lg <- lg / (fit$nets$dmil$temperature %||% 1)
  fit$val_metrics <- data.frame(net = "dmil", logit_metrics(lg, yv))
  if (!is.null(fit$pool)) {
    lp <- pool_logprobs(fit, val, lg, nthreads)
    fit$pool$weights <- pool_weights(lp, yv)
    fit$val_metrics <- rbind(
      fit$val_metrics,
      do.call(rbind, lapply(pool_members(fit), function(mb) data.frame(net = mb, logit_metrics(lp[[mb]], yv)))),
      data.frame(net = "pool", logit_metrics(pool_combine(lp, fit$pool$weights), yv)))
  }
  fit
}

# The logits predict() gives (the pool's, or the network's without one) and
# the network's components, on matched data.
dmil_model_core <- function(fit, data, nthreads) {
  core <- dmil_predict_core(fit, data, nthreads)
  if (!is.null(fit$pool)) {
    core$logits <- pool_combine(pool_logprobs(fit, data, core$logits, nthreads), fit$pool$weights)
    colnames(core$logits) <- fit$levels
  }
  core
}

method_predict.dmil_method_dmil <- function(m, fit, new_data, type, which, nthreads) {
  data <- match_blueprint(new_data, fit$views, nthreads, allow_missing = TRUE,
                          call = rlang::caller_env())
  core <- dmil_model_core(fit, data, nthreads)
  out <- if (type == "components") {
    format_components(core, fit$levels)
  } else {
    format_predictions(core$logits, fit$levels, type, NULL)
  }
  if (!is.null(data$rownames)) rownames(out) <- data$rownames
  out
}

method_augment.dmil_method_dmil <- function(m, fit, new_data, nthreads) {
  data <- match_blueprint(new_data, fit$views, nthreads, allow_missing = TRUE,
                          call = rlang::caller_env())
  core <- dmil_model_core(fit, data, nthreads)
  prob <- format_predictions(core$logits, fit$levels, "prob", NULL)
  comps <- format_components(core, fit$levels)
  out <- data.frame(sample = data$ids, comps[".pred_class"], prob, comps[-1],
                    row.names = NULL, check.names = FALSE)
  vn <- names(fit$views)
  atoms <- atom_columns(vn)
  # expected values without labels: named apart from interactions()' labelled ones
  for (a in atoms) out[[paste0(".expected_", a)]] <- NA_real_
  out$.expected_dominant <- factor(NA, levels = atom_labels(vn))
  if (!is.null(fit$interactions)) {
    full <- which(has_every_view(data$present, nrow(out)))
    if (length(full)) {
      sub <- lapply(data$views, function(v) v[full, , drop = FALSE])
      ex <- predict(fit$interactions, sub, nthreads = nthreads)
      for (a in atoms) out[[paste0(".expected_", a)]][full] <- ex[[a]]
      out$.expected_dominant[full] <- ex$dominant
    }
  }
  out$.views <- views_used(data$present, vn, nrow(out))
  out
}

method_no_interactions.dmil_method_dmil <- function(m, fit) {
  if (!isTRUE(fit$settings$control$finetune)) {
    "It was fitted with {.code finetune = FALSE}."
  } else {
    paste0("The fine-tuning stages ran unweighted: ", unscored_reason, ".")
  }
}

# Each phase or stage trains the one network further, from the epoch the
# previous kept (see dmil_stages.c).
# The pool's members follow, as the baselines they are.
method_stages.dmil_method_dmil <- function(m, fit) {
  ph <- fit$phases
  c(lapply(seq_len(nrow(ph)), function(i) {
    list(net = "dmil", stage = ph$stage[i], best = ph$best_epoch[i], kept = ph$kept[i])
  }), single_runs(fit, setdiff(names(fit$nets), "dmil")))
}

# Frobenius norms of the component heads (R, U_<view>, S), named by the
# atom column each models (r, u_<view>, s).
method_head_norms.dmil_method_dmil <- function(m, fit) {
  vn <- names(fit$views)
  lay <- dmil_layout(fit)
  norms <- vapply(component_labels(vn), function(cp) sqrt(sum(fit$nets$dmil$theta[lay[[cp]]]^2)),
                  numeric(1))
  stats::setNames(norms, component_columns(vn))
}

method_print_body.dmil_method_dmil <- function(m, fit) {
  ph <- fit$phases
  s <- fit$settings
  acc <- function(v) if (is.na(v)) "   -" else sprintf("%.3f", v)
  cat(sprintf("  Phase A: %d epochs (best %d), Adam lr %g, batch %d; validation accuracy %s\n",
              ph$epochs[1], ph$best_epoch[1], s$lr, s$batch_size, acc(ph$val_accuracy_after[1])))
  if (nrow(ph) > 1) {
    si <- attr(fit$interactions, "dmil")
    if (is.null(si)) {
      cat("  Phase B: no scores (", unscored_reason, "); Phase C unweighted\n", sep = "")
    } else {
      cat(sprintf("  Phase B: %s scores of %d training samples%s (%d-fold cross-fitted, %d repeat%s)\n",
                  s$control$measure, nrow(with_atoms(fit$interactions)),
                  if (anyNA(fit$interactions$dominant)) " with every view" else "", si$folds,
                  si$repeats, if (si$repeats == 1) "" else "s"))
    }
    for (i in 2:nrow(ph)) {
      cat(sprintf("  Phase C stage %s: validation accuracy %s -> %s (%s)\n", ph$stage[i],
                  acc(ph$val_accuracy_before[i]), acc(ph$val_accuracy_after[i]),
                  if (ph$kept[i]) "kept" else "reverted"))
    }
    if (!is.null(si)) {
      m <- colMeans(as.data.frame(with_atoms(fit$interactions))[atom_columns(names(fit$views))])
      cat("  interaction profile (", si$unit, "): ",
          paste0(names(m), " ", sprintf("%.3f", m), collapse = ", "), "\n", sep = "")
    }
  } else {
    cat("  no fine-tuning (Phase A only)\n")
  }
  if (!is.null(fit$pool)) {
    w <- fit$pool$weights
    cat("  pooled with ", paste(pool_members(fit), collapse = ", "), "; weights ",
        paste0(ifelse(names(w) == "dmil", "network", names(w)), " ", format(w), collapse = ", "),
        "\n", sep = "")
  }
  vm <- model_val_metrics(fit)
  if (!is.null(vm)) cat(sprintf("  final validation accuracy %.3f, loss %.3f\n", vm$val_accuracy, vm$val_log_loss))
  invisible(fit)
}

# The network's curves (a pool's members are not drawn).
method_curves.dmil_method_dmil <- function(m, fit) {
  h <- fit$history[fit$history$net == "dmil", ]
  h$series <- "DMIL"
  h$step <- seq_len(nrow(h))
  list(h = h, xlab = "epoch (phases A, then C stages)", stages = TRUE, colour = "stage",
       colour_title = "stage")
}

method_model_name.dmil_method_dmil <- function(m, fit) {
  if (is.null(fit$pool)) return("DMIL after its kept stages")
  sprintf("DMIL's network pooled with %s", paste(pool_members(fit), collapse = ", "))
}

method_architecture.dmil_method_dmil <- function(m, fit, enc, fusion) {
  out <- sprintf("encoders %s per view; codes of %d (redundant, unique per view, synergy)", enc,
                 fit$settings$control$latent)
  if (is.null(fit$pool)) return(out)
  paste0(out, "; pooled with the ", paste(pool_members(fit), collapse = ", "),
         " networks")
}
