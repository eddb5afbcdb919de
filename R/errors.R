# One place where conditions are raised: every error dmil signals has class
# "dmil_error" plus a specific class, so callers can catch them precisely.

dm_abort <- function(message, class, ..., call = rlang::caller_env(),
                     .envir = parent.frame()) {
  cli::cli_abort(message, class = c(class, "dmil_error"), ..., call = call,
                 .envir = .envir)
}

dm_inform <- function(message, class = NULL, ..., .envir = parent.frame()) {
  cli::cli_inform(message, class = c(class, "dmil_message"), ..., .envir = .envir)
}

# The C core's status names (dm_status_name(), src/core/dm_common.h) turned
# into R conditions. An interrupt is re-signalled as an interrupt, so Ctrl-C
# behaves as usual.
check_status <- function(status, call = rlang::caller_env()) {
  switch(status,
    ok = invisible(),
    nomem = dm_abort(
      c("dmil ran out of memory.",
        "i" = "Reduce {.arg batch_size} or the width of the networks, or use fewer samples."),
      class = "dmil_error_memory", call = call),
    interrupt = rlang::interrupt(),
    nonfinite = dm_abort(
      c("Training diverged: the loss became NaN or infinite.",
        "i" = "Try a smaller {.arg lr}."),
      class = "dmil_error_diverged", call = call),
    dm_abort("Internal error in the dmil core (status {status}); please report it.",
             class = "dmil_error_internal", call = call)
  )
}

# rlang's argument checks with the package's classes added (their messages
# and calls kept), so that every refusal is a dmil error.
as_dmil_error <- function(expr) {
  withCallingHandlers(expr, rlang_error = function(e) {
    if (!inherits(e, "dmil_error")) {
      class(e) <- unique(c("dmil_error_arg", "dmil_error", class(e)))
      stop(e)
    }
  })
}

dm_check_dots_empty <- function(env = rlang::caller_env(), call = rlang::caller_env()) {
  as_dmil_error(rlang::check_dots_empty(env = env, call = call))
}

# dm_arg_match() on a choice among the defaults of the calling
# function's argument (its first element when the argument was left at the
# whole vector).
dm_arg_match <- function(arg, error_arg = rlang::caller_arg(arg), error_call = rlang::caller_env()) {
  values <- eval(formals(sys.function(sys.parent()))[[error_arg]], envir = error_call)
  if (identical(arg, values)) return(values[[1]])
  as_dmil_error(rlang::arg_match0(arg, values, arg_nm = error_arg, error_call = error_call))
}
