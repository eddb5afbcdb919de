# Method settings objects. A method with settings of its own has a
# constructor (dmil_control(), ogm_control(), ...) whose result carries the
# classes c("<constructor>", "dmil_settings"); this table is the one place
# that says which method uses which. dmil_fit(control = NULL) takes the
# constructor's defaults.
method_controls <- c(dmil = "dmil_control", ogm = "ogm_control", umt = "umt_control",
                     i2moe = "i2moe_control")

# The settings of `method` from `control` (NULL: the defaults), checked
# again in case the object was edited after its constructor made it.
check_control <- function(control, method, arg = rlang::caller_arg(control),
                          call = rlang::caller_env()) {
  ctor <- method_controls[method]
  if (is.na(ctor)) {
    if (!is.null(control)) {
      dm_abort(c("{.arg {arg}} is not used by {.code method = \"{method}\"}.",
                 "i" = "Settings exist for {.val {names(method_controls)}}; leave {.arg {arg}} at {.code NULL}."),
               class = "dmil_error_arg", call = call)
    }
    return(NULL)
  }
  make <- get(ctor, mode = "function")
  if (is.null(control)) return(make())
  if (!inherits(control, ctor)) {
    dm_abort(c("{.arg {arg}} must be made by {.fn {ctor}} for {.code method = \"{method}\"}.",
               "x" = "It is {obj_type(control)}."),
             class = "dmil_error_arg", call = call)
  }
  lacking <- setdiff(names(formals(make)), names(control))
  extra <- setdiff(names(control), names(formals(make)))
  if (length(lacking) || length(extra)) {
    # e.g. settings saved by an earlier version, or edited by hand
    dm_abort(c("{.arg {arg}} does not have the settings {.fn {ctor}} makes.",
               "x" = if (length(lacking)) "It lacks {.field {lacking}}.",
               "x" = if (length(extra)) "It has unknown {.field {extra}}.",
               "i" = "Make it again with {.fn {ctor}}."),
             class = "dmil_error_arg", call = call)
  }
  do.call(make, unclass(control))
}

#' @export
print.dmil_settings <- function(x, ...) {
  cat("<", class(x)[1], ">\n", sep = "")
  shown <- format_settings(x)
  cat(paste0("  ", format(names(shown)), " ", shown), sep = "\n")
  invisible(x)
}

# Each setting as one string: lists by their names, NULL as "default".
format_settings <- function(x) {
  vapply(unclass(x), function(v) {
    if (is.null(v)) "default" else if (length(v) == 0) "none" else if (is.list(v)) paste0("list(", paste(names(v), collapse = ", "), ")")
    else paste(if (is.character(v)) v else format(v), collapse = ", ")
  }, character(1))
}

# For resampling over several methods: the settings object `control` (or
# NULL) goes to the method it belongs to, the others get their defaults.
# A list of method -> control (NULL entries for every method).
controls_for <- function(control, methods, arg = rlang::caller_arg(control),
                         call = rlang::caller_env()) {
  out <- stats::setNames(vector("list", length(methods)), methods)
  if (is.null(control)) return(out)
  owner <- names(method_controls)[match(class(control)[1], method_controls)]
  if (!inherits(control, "dmil_settings") || is.na(owner)) {
    dm_abort(c("{.arg {arg}} must be made by one of {.fn {method_controls}}.",
               "x" = "It is {obj_type(control)}."),
             class = "dmil_error_arg", call = call)
  }
  if (!owner %in% methods) {
    dm_abort(c("{.arg {arg}} holds settings of {.code method = \"{owner}\"}, which is not among {.arg methods}.",
               "i" = "The methods are {.val {methods}}."),
             class = "dmil_error_arg", call = call)
  }
  out[owner] <- list(control)
  out
}
