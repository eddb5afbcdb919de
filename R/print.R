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
  fusion <- sprintf("fusion head with %d hidden layer%s of %d", s$fusion_depth,
                    if (s$fusion_depth == 1) "" else "s", s$hidden)
  method_architecture(method_of(fit), fit, sprintf("%d x %d", s$depth, s$hidden), fusion)
}
method_architecture.dmil_method_joint <- function(m, fit, enc, fusion) {
  sprintf("encoders %s per view; %s", enc, fusion)
}
method_architecture.dmil_method_late <- function(m, fit, enc, fusion) {
  sprintf("encoders %s per view; linear head", enc)
}
method_architecture.dmil_method_early <- function(m, fit, enc, fusion) {
  sprintf("network %s on %d concatenated features; linear head", enc,
          sum(vapply(fit$views, function(b) length(b$columns), integer(1))))
}
method_architecture.dmil_method_baseline <- function(m, fit, enc, fusion) {
  sprintf("networks %s per view; linear heads", enc)
}

#' @export
print.dmil_fit <- function(x, ...) {
  damage <- tryCatch({
    validate_dmil_fit(x, outputs = TRUE)
    NULL
  }, dmil_error_fit = function(e) e)
  if (!is.null(damage)) {
    first <- strsplit(cli::ansi_strip(conditionMessage(damage)), "\n")[[1]][1]
    cat("<dmil_fit> damaged:", sub("^This fit is damaged: ", "", first), "\n")
    return(invisible(x))
  }
  p <- vapply(x$views, function(b) length(b$columns), integer(1))
  cat("<dmil_fit> ", method_label(x$method), "\n", sep = "")
  cat(sprintf("  %d views: %s\n", length(p),
              paste0(names(p), " (", p, ")", collapse = ", ")))
  cat(sprintf("  %d samples (%d training, %d validation); %d classes: %s\n",
              x$n, x$n - x$n_val, x$n_val, length(x$levels),
              paste(utils::head(x$levels, 8), collapse = ", ")))
  cat("  ", architecture_label(x), "\n", sep = "")
  method_print_body(method_of(x), x)
  invisible(x)
}

method_print_body.dmil_method_baseline <- function(m, fit) {
  s <- fit$settings
  runs <- unique(vapply(names(fit$nets), function(j) max(fit$history$epoch[fit$history$net == j]), integer(1)))
  cat(sprintf("  Adam lr %g, batch %d, %s epochs%s\n", s$lr, s$batch_size,
              paste(runs, collapse = "/"),
              if (length(runs) == 1 && runs < s$epochs) sprintf(" (of %d; early stop)", s$epochs) else ""))
  vm <- fit$val_metrics
  if (is.null(vm)) {
    cat("  no validation data: the last epoch is kept\n")
  } else if (nrow(vm) > 1) {
    shown <- vm
    if (!is.null(fit$which)) shown$net[shown$net == fit$which] <- paste0(fit$which, "*")
    cat("  validation accuracy: ",
        paste0(shown$net, " ", sprintf("%.3f", shown$val_accuracy), collapse = ", "), "\n", sep = "")
    if (!is.null(fit$which)) cat("  * used by predict()\n")
  } else {
    cat(sprintf("  validation accuracy %.3f, loss %.3f (best epoch %d)\n",
                vm$val_accuracy[1], vm$val_log_loss[1], fit$best_epoch[[1]]))
  }
}


#' Summarise a fitted multimodal classifier
#'
#' @param object A [dmil_fit()] model.
#' @param ... Unused.
#' @return An object of class `summary.dmil_fit`, with the same elements for
#'   every method: `method`; `n` and `n_val` (samples, of which held out for
#'   validation); `views` (a data frame: view, features used, features
#'   dropped); `classes` (class counts); `architecture` (one line);
#'   `networks` (`tidy(object)`: one row per network and training stage);
#'   `model` (the validation accuracy and loss of the model `predict()`
#'   uses, or `NULL` without validation rows); `interactions`
#'   (`tidy(object, "interactions")`, or `NULL` for a fit without an
#'   interaction table); and `settings`.
#' @examples
#' set.seed(2)
#' n <- 200
#' y <- factor(sample(c("a", "b"), n, TRUE))
#' x <- list(one = matrix(rnorm(3 * n) + (y == "a"), n), two = matrix(rnorm(2 * n), n))
#' summary(dmil_fit(x, y, method = "unimodal", epochs = 10, nthreads = 1))
#' @export
summary.dmil_fit <- function(object, ...) {
  validate_dmil_fit(object, outputs = TRUE)
  vm <- model_val_metrics(object)
  structure(list(
    method = object$method,
    n = object$n,
    n_val = object$n_val,
    views = data.frame(
      view = names(object$views),
      features = vapply(object$views, function(b) length(b$columns), integer(1)),
      dropped = vapply(object$views, function(b) length(b$dropped), integer(1)),
      row.names = NULL
    ),
    classes = object$class_counts,
    architecture = architecture_label(object),
    networks = network_table(object),
    model = if (!is.null(vm)) {
      data.frame(model = method_model_name(method_of(object), object),
                 val_accuracy = vm$val_accuracy, val_log_loss = vm$val_log_loss)
    },
    interactions = atom_table(object),
    settings = object$settings
  ), class = "summary.dmil_fit")
}

# What predict() uses, in words (a sentence's start).
method_model_name <- function(m, fit) UseMethod("method_model_name")
method_model_name.dmil_method_baseline <- function(m, fit) {
  if (!is.null(fit$which)) return(sprintf("The network of view '%s'", fit$which))
  if (combines_nets(fit)) sprintf("Ensemble of the %d networks", length(fit$nets))
  else sprintf("The network '%s'", names(fit$nets))
}

#' @export
print.summary.dmil_fit <- function(x, digits = 3, ...) {
  cat("dmil fit: ", method_label(x$method), "\n\n", sep = "")
  cat(sprintf("Samples: %d (%d training, %d validation)\n", x$n, x$n - x$n_val, x$n_val))
  cat("Classes: ", paste0(names(x$classes), " (", x$classes, ")", collapse = ", "), "\n\n", sep = "")
  cat("Views:\n")
  print(x$views, row.names = FALSE)
  cat("\nArchitecture: ", x$architecture, "\n", sep = "")
  nets <- x$networks
  if (all(is.na(nets$stage))) {
    cat("\nNetworks (losses and accuracy at the epoch kept):\n")
    print(nets[setdiff(names(nets), c("stage", "kept"))], row.names = FALSE, digits = digits)
  } else {
    staged <- !is.na(nets$stage)
    cat(sprintf("\nTraining stages of the network (%s parameters; losses and accuracy at the epoch kept):\n",
                big_number(nets$parameters[which(staged)[1]])))
    print(nets[staged, setdiff(names(nets), c("network", "views", "parameters"))], row.names = FALSE,
          digits = digits)
    if (any(!staged)) {
      cat("\nNetworks pooled with it:\n")
      print(nets[!staged, setdiff(names(nets), c("stage", "kept"))], row.names = FALSE, digits = digits)
    }
  }
  if (!is.null(x$model)) {
    cat(sprintf("\n%s: validation accuracy %.*f, loss %.*f\n", x$model$model, digits,
                x$model$val_accuracy, digits, x$model$val_log_loss))
  }
  if (!is.null(x$interactions)) {
    cat("\nInteractions (mean over the fitted samples; head size where the atom has a head):\n")
    print(x$interactions, row.names = FALSE, digits = digits)
  }
  s <- x$settings
  lines <- sprintf("Settings: hidden %d, depth %d, epochs %d, batch %d, lr %g, weight decay %g, validation %g%s, seed %.0f, threads %d",
                   s$hidden, s$depth, s$epochs, s$batch_size, s$lr, s$weight_decay, s$validation,
                   if (is.null(s$patience)) "" else sprintf(", patience %d", s$patience),
                   s$seed, s$nthreads)
  if (!is.null(s$control)) {
    shown <- format_settings(s$control)
    lines <- c(lines, paste0("Method settings: ", paste(names(shown), shown, collapse = ", ")))
  }
  cat("\n", paste(strwrap(lines, exdent = 2), collapse = "\n"), "\n", sep = "")
  invisible(x)
}
