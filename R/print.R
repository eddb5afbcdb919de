method_label <- function(method) {
  switch(method,
    dmil = "DMIL (decomposition network, interaction-weighted fine-tuning)",
    joint = "joint fusion (per-view encoders, nonlinear fusion head)",
    late = "late fusion (per-view encoders, linear head)",
    early = "early fusion (one network on the concatenated views)",
    ensemble = "modality ensemble (unimodal networks, averaged log-probabilities)",
    interaction_ensemble = "interaction-aware ensemble (joint and ensemble mixed by expected synergy)",
    unimodal = "unimodal networks (one per view)",
    ogm = "late fusion trained with gradient modulation (OGM-GE)",
    umt = "joint fusion distilled from uni-modal teachers (UMT)",
    i2moe = "interaction experts mixed by a gate (I2MoE)",
    method
  )
}

architecture_label <- function(fit) {
  s <- fit$settings
  enc <- sprintf("%d x %d", s$depth, s$hidden)
  fusion <- sprintf("fusion head with %d hidden layer%s of %d", s$fusion_depth,
                    if (s$fusion_depth == 1) "" else "s", s$hidden)
  switch(fit$method,
    dmil = sprintf("encoders %s per view; codes of %d (redundant, unique per view, synergy)",
                   enc, s$control$latent),
    joint = sprintf("encoders %s per view; %s", enc, fusion),
    umt = sprintf("encoders %s per view, distilled from unimodal teachers (lambda %g); %s",
                  enc, s$control$lambda, fusion),
    i2moe = sprintf("encoders %s per view; %d experts, each a %s; gate of %d layer%s, temperature %g, interaction losses weighted %g",
                    enc, length(fit$views) + 2L, fusion, s$control$gate_depth,
                    if (s$control$gate_depth == 1) "" else "s", s$control$temperature, s$control$lambda),
    late = sprintf("encoders %s per view; linear head", enc),
    interaction_ensemble = sprintf("joint: encoders %s per view, %s; ensemble: networks %s per view",
                                   enc, fusion, enc),
    ogm = sprintf("encoders %s per view; linear head; modulation alpha %g, epochs %d-%d%s", enc,
                  s$control$alpha, s$control$start, ogm_end(s$control, s$epochs),
                  if (s$control$ge) ", with noise (GE)" else ""),
    early = sprintf("network %s on %d concatenated features; linear head", enc,
                    sum(vapply(fit$views, function(b) length(b$columns), integer(1)))),
    sprintf("networks %s per view; linear heads", enc)
  )
}

#' @export
print.dmil_fit <- function(x, ...) {
  p <- vapply(x$views, function(b) length(b$columns), integer(1))
  cat("<dmil_fit> ", method_label(x$method), "\n", sep = "")
  cat(sprintf("  %d views: %s\n", length(p),
              paste0(names(p), " (", p, ")", collapse = ", ")))
  cat(sprintf("  %d samples (%d training, %d validation); %d classes: %s\n",
              x$n, x$n - x$n_val, x$n_val, length(x$levels),
              paste(utils::head(x$levels, 8), collapse = ", ")))
  cat("  ", architecture_label(x), "\n", sep = "")
  if (x$method == "dmil") return(invisible(print_dmil_body(x)))
  s <- x$settings
  runs <- unique(vapply(names(x$nets), function(j) max(x$history$epoch[x$history$net == j]), integer(1)))
  cat(sprintf("  Adam lr %g, batch %d, %s epochs%s\n", s$lr, s$batch_size,
              paste(runs, collapse = "/"),
              if (length(runs) == 1 && runs < s$epochs) sprintf(" (of %d; early stop)", s$epochs) else ""))
  vm <- x$val_metrics
  if (is.null(vm)) {
    cat("  no validation data: the last epoch is kept\n")
  } else if (nrow(vm) > 1) {
    shown <- vm
    if (x$method == "unimodal") shown$net[shown$net == x$which] <- paste0(x$which, "*")
    cat("  validation accuracy: ",
        paste0(shown$net, " ", sprintf("%.3f", shown$val_acc), collapse = ", "), "\n", sep = "")
    if (x$method == "unimodal") cat("  * used by predict()\n")
  } else {
    cat(sprintf("  validation accuracy %.3f, loss %.3f (best epoch %d)\n",
                vm$val_acc[1], vm$val_loss[1], x$best_epoch[[1]]))
  }
  invisible(x)
}

print_dmil_body <- function(x) {
  ph <- x$phases
  s <- x$settings
  acc <- function(v) if (is.na(v)) "   -" else sprintf("%.3f", v)
  cat(sprintf("  Phase A: %d epochs (best %d), Adam lr %g, batch %d; validation accuracy %s\n",
              ph$epochs[1], ph$best_epoch[1], s$lr, s$batch_size, acc(ph$val_acc_after[1])))
  if (nrow(ph) > 1) {
    si <- attr(x$interactions, "dmil")
    if (is.null(si)) {
      cat("  Phase B: no scores (", unscored_reason, "); Phase C unweighted\n", sep = "")
    } else {
      cat(sprintf("  Phase B: %s scores of %d training samples (%d-fold cross-fitted, %d repeat%s)\n",
                  s$control$measure, nrow(x$interactions), si$folds, si$repeats,
                  if (si$repeats == 1) "" else "s"))
    }
    for (i in 2:nrow(ph)) {
      cat(sprintf("  Phase C stage %s: validation accuracy %s -> %s (%s)\n", ph$stage[i],
                  acc(ph$val_acc_before[i]), acc(ph$val_acc_after[i]),
                  if (ph$kept[i]) "kept" else "reverted"))
    }
    if (!is.null(si)) {
      m <- colMeans(as.data.frame(x$interactions)[atom_columns(names(x$views))])
      cat("  interaction profile (", si$unit, "): ",
          paste0(names(m), " ", sprintf("%.3f", m), collapse = ", "), "\n", sep = "")
    }
  } else {
    cat("  no fine-tuning (Phase A only)\n")
  }
  vm <- x$val_metrics
  if (!is.null(vm)) cat(sprintf("  final validation accuracy %.3f, loss %.3f\n", vm$val_acc, vm$val_loss))
  x
}

#' Summarise a fitted multimodal classifier
#'
#' @param object A [dmil_fit()] model.
#' @param ... Unused.
#' @return An object of class `summary.dmil_fit` with the elements `method`,
#'   `views` (a data frame: view, features used, features dropped),
#'   `classes` (class counts), `networks` (a data frame: network, parameters,
#'   epochs run, best epoch, training loss, validation loss and accuracy at the
#'   best epoch) and `settings`.
#' @examples
#' set.seed(2)
#' n <- 200
#' y <- factor(sample(c("a", "b"), n, TRUE))
#' x <- list(one = matrix(rnorm(3 * n) + (y == "a"), n), two = matrix(rnorm(2 * n), n))
#' summary(dmil_fit(x, y, method = "unimodal", epochs = 10, nthreads = 1))
#' @export
summary.dmil_fit <- function(object, ...) {
  views <- data.frame(
    view = names(object$views),
    features = vapply(object$views, function(b) length(b$columns), integer(1)),
    dropped = vapply(object$views, function(b) length(b$dropped), integer(1)),
    row.names = NULL
  )
  if (object$method == "dmil") {
    return(structure(list(
      method = object$method, n = object$n, n_val = object$n_val, views = views,
      classes = object$class_counts, phases = object$phases,
      parameters = length(object$nets$dmil$theta),
      components = if (!is.null(object$interactions)) tidy(object),
      settings = object$settings
    ), class = "summary.dmil_fit"))
  }
  networks <- do.call(rbind, lapply(names(object$nets), function(j) {
    h <- object$history[object$history$net == j, ]
    b <- object$best_epoch[[j]]
    data.frame(network = j, views = paste(object$nets[[j]]$views, collapse = "+"),
               parameters = length(object$nets[[j]]$theta), epochs = nrow(h),
               best_epoch = b, train_loss = h$train_loss[b], val_loss = h$val_loss[b],
               val_acc = h$val_acc[b])
  }))
  structure(list(
    method = object$method,
    n = object$n,
    n_val = object$n_val,
    views = views,
    classes = object$class_counts,
    networks = networks,
    ensemble = if (!is.null(object$val_metrics) && combines_nets(object)) {
      object$val_metrics[object$val_metrics$net == object$method, c("val_acc", "val_loss")]
    },
    which = object$which,
    fusion = any(vapply(object$nets, function(net) net$head_layers > 1, logical(1))),
    settings = object$settings
  ), class = "summary.dmil_fit")
}

#' @export
print.summary.dmil_fit <- function(x, digits = 3, ...) {
  cat("dmil fit: ", method_label(x$method), "\n\n", sep = "")
  cat(sprintf("Samples: %d (%d training, %d validation)\n", x$n, x$n - x$n_val, x$n_val))
  cat("Classes: ", paste0(names(x$classes), " (", x$classes, ")", collapse = ", "), "\n\n", sep = "")
  cat("Views:\n")
  print(x$views, row.names = FALSE)
  if (x$method == "dmil") {
    cat(sprintf("\nPhases (%d parameters):\n", x$parameters))
    print(x$phases, row.names = FALSE, digits = digits)
    if (!is.null(x$components)) {
      cat("\nComponents (mean interaction score of the training samples, head size):\n")
      print(x$components, row.names = FALSE, digits = digits)
    }
    ctl <- x$settings$control
    cat(sprintf("\nSettings: hidden %d, depth %d, latent %d, Phase A epochs %d, batch %d, lr %g; fine-tuning %s, stages %s, measure %s, seed %.0f, threads %d\n",
                x$settings$hidden, x$settings$depth, ctl$latent, x$settings$epochs,
                x$settings$batch_size, x$settings$lr, if (ctl$finetune) "on" else "off",
                paste(ctl$stages, collapse = ""), ctl$measure, x$settings$seed, x$settings$nthreads))
    return(invisible(x))
  }
  cat("\nNetworks (losses and accuracy at the best epoch):\n")
  print(x$networks, row.names = FALSE, digits = digits)
  if (!is.null(x$ensemble)) {
    cat(sprintf("\n%s of the %d networks: validation accuracy %.*f, loss %.*f\n",
                if (x$method == "ensemble") "Ensemble" else "Mixture", nrow(x$networks), digits,
                x$ensemble$val_acc, digits, x$ensemble$val_loss))
  }
  if (!is.null(x$which)) cat(sprintf("\npredict() uses the network of view '%s'\n", x$which))
  s <- x$settings
  cat(sprintf("\nSettings: hidden %d, depth %d%s, epochs %d, batch %d, lr %g, weight decay %g, validation %g%s, seed %.0f, threads %d\n",
              s$hidden, s$depth,
              if (isTRUE(x$fusion)) sprintf(", fusion depth %d", s$fusion_depth) else "",
              s$epochs, s$batch_size, s$lr, s$weight_decay, s$validation,
              if (is.null(s$patience)) "" else sprintf(", patience %d", s$patience),
              s$seed, s$nthreads))
  if (!is.null(s$control)) {
    shown <- format_settings(s$control)
    cat("Method settings: ", paste(names(shown), shown, collapse = ", "), "\n", sep = "")
  }
  invisible(x)
}
