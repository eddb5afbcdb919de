# A fit is plain R data, so it can be edited or damaged after it was made
# (by hand, or by a file read back incompletely). validate_dmil_fit() checks
# what the prediction paths read before any of it reaches C, and names the
# broken field in one classed error (dmil_error_fit); C's own checks of the
# parameters against the architecture stay as the last line of defence, and
# as_fit_error() gives their refusals the same class.
# With `outputs`, also the training records that print(), summary(),
# tidy() and glance() read (fits saved by earlier development versions
# named the validation metrics val_acc and val_loss).
validate_dmil_fit <- function(fit, outputs = FALSE, call = rlang::caller_env()) {
  broken <- function(field, what) {
    dm_abort(c("This fit is damaged: {.field {field}} {what}.",
               "i" = "Fit the model again; a fit is only valid as {.fn dmil_fit} made it."),
             class = "dmil_error_fit", call = call)
  }
  if (!is.list(fit) || !inherits(fit, "dmil_fit")) broken("class", "is not a dmil_fit list")
  methods <- eval(formals(dmil_fit)$method)
  if (!is.character(fit$method) || length(fit$method) != 1 || !fit$method %in% methods) {
    broken("method", "is not one of the methods of dmil_fit()")
  }
  lv <- fit$levels
  if (!is.character(lv) || length(lv) < 2 || anyNA(lv) || anyDuplicated(lv)) {
    broken("levels", "must name two or more distinct classes")
  }
  if (!is_whole(fit$n) || fit$n < 1) broken("n", "must be the number of samples")
  bp <- fit$views
  if (!is.list(bp) || !length(bp) || !rlang::is_named(bp)) broken("views", "must be a named list")
  for (v in names(bp)) {
    b <- bp[[v]]
    field <- paste0("views$", v)
    if (!is.list(b) || !is.character(b$columns) || !is.numeric(b$keep) || !is.numeric(b$center) ||
        !is.numeric(b$scale) || !is_whole(b$n_columns)) {
      broken(field, "lacks its columns, centring or scaling")
    }
    k <- length(b$columns)
    if (length(b$keep) != k || length(b$center) != k || length(b$scale) != k ||
        any(b$keep < 1 | b$keep > b$n_columns)) {
      broken(field, "has columns, centring and scaling of different lengths")
    }
    if (!all(is.finite(b$center)) || !all(is.finite(b$scale)) || any(b$scale <= 0)) {
      broken(field, "has a non-finite centre or a scale that is not positive")
    }
  }
  nets <- fit$nets
  if (!is.list(nets) || !length(nets) || !rlang::is_named(nets)) broken("nets", "must be a named list")
  for (nm in names(nets)) {
    theta <- nets[[nm]]$theta
    if (!is.numeric(theta) || !length(theta) || !all(is.finite(theta))) {
      broken(paste0("nets$", nm, "$theta"), "must hold finite parameters")
    }
  }
  if (outputs) {
    h <- fit$history
    if (!is.data.frame(h) || !all(c("net", "epoch") %in% names(h)) ||
        !all(names(nets) %in% h$net)) {
      broken("history", "must record the epochs of every network")
    }
    metrics <- c("val_accuracy", "val_log_loss")
    for (field in c("history", "val_metrics")) {
      if (!is.null(fit[[field]]) && !all(metrics %in% names(fit[[field]]))) {
        dm_abort(c("This fit's {.field {field}} lacks {.field {metrics}}.",
                   "i" = "A fit saved by an earlier version of dmil names them {.field val_acc} and {.field val_loss}; {.fn predict} still works, fit again for its records."),
                 class = "dmil_error_fit", call = call)
      }
    }
  }
  invisible(fit)
}

# Runs `expr` (a call of the core with a fit's parameters); the core's
# refusal of malformed parameters ("internal error: ..." from the glue) is
# raised as the damaged-fit error it is.
as_fit_error <- function(expr, call = rlang::caller_env()) {
  withCallingHandlers(expr, error = function(e) {
    if (!inherits(e, "dmil_error") && startsWith(conditionMessage(e), "internal error")) {
      dm_abort(c("This fit is damaged: the core refused its parameters.",
                 "x" = conditionMessage(e),
                 "i" = "Fit the model again; a fit is only valid as {.fn dmil_fit} made it."),
               class = "dmil_error_fit", parent = e, call = call)
    }
  })
}
