#' Views from one table
#'
#' Splits the columns of one data frame into named views, and takes the
#' labels from one of its columns: the table interface of [dmil_fit()] and
#' [dmil_interactions()] (their `views` and `outcome` arguments), and a way
#' to make the `x` and `y` of any other function of the package (e.g.
#' [dmil_cv()]) from a table. A fit made from a table predicts tables of
#' the same columns (`predict(fit, new_data = table)`).
#'
#' @param data A data frame with one row per sample.
#' @param views The views: a named list whose elements select columns of
#'   `data`, as character vectors, column positions or tidyselect
#'   expressions (e.g. `list(expr = starts_with("g_"), meth = c("m1",
#'   "m2"))`). Every column of `data` but the outcome must be in exactly one
#'   view.
#' @param outcome The name of the column holding the labels, or `NULL`
#'   (no labels: for new data).
#' @return A list with `x`, the named list of views (data frames), and `y`,
#'   the labels (`NULL` without `outcome`).
#' @examples
#' d <- data.frame(g_1 = rnorm(50), g_2 = rnorm(50), m_1 = rnorm(50), label = rep(0:1, 25))
#' v <- dmil_views(d, list(gene = starts_with("g_"), meth = "m_1"), outcome = "label")
#' str(v)
#' @export
dmil_views <- function(data, views, outcome = NULL) {
  table_views(data, rlang::enquo(views), outcome)
}

# The x and y of a function with a table interface (its arguments x, y,
# `views` captured as a quosure, and `outcome`): without views, x and y as
# given; with them, x split into views and y from the outcome column (or
# as given), and the spec to keep (NULL without views).
table_input <- function(x, y, views, outcome, call = rlang::caller_env()) {
  if (rlang::quo_is_null(views)) {
    if (!is.null(outcome)) {
      dm_abort(c("{.arg outcome} names a column of a table; give the table's views too.",
                 "i" = "For example {.code views = list(a = starts_with(\"a_\"), b = starts_with(\"b_\"))}."),
               class = "dmil_error_arg", call = call)
    }
    return(list(x = x, y = y, spec = NULL))
  }
  tv <- table_views(x, views, outcome, call = call)
  if (!is.null(outcome) && !is.null(y)) {
    dm_abort("Give the labels once: as {.arg y} or as the {.arg outcome} column.",
             class = "dmil_error_arg", call = call)
  }
  list(x = tv$x, y = if (!is.null(outcome)) tv$y else y, spec = attr(tv, "spec"))
}

# dmil_views() on a captured `views` (a quosure): the views and labels, and
# in attr(, "spec") what a model keeps to split new tables alike (each
# view's column names, and the outcome's name).
table_views <- function(data, views, outcome, arg = "views", call = rlang::caller_env()) {
  if (!is.data.frame(data)) {
    dm_abort(c("With {.arg {arg}}, the data must be one data frame with a column per feature.",
               "x" = "It is {obj_type(data)}."),
             class = "dmil_error_views", call = call)
  }
  if (!is.null(outcome) && (!is.character(outcome) || length(outcome) != 1 ||
                            !outcome %in% names(data))) {
    dm_abort(c("{.arg outcome} must name one column of the data.",
               "x" = if (is.character(outcome) && length(outcome) == 1) "There is no column {.val {outcome}}." else "It is {obj_type(outcome)}."),
             class = "dmil_error_outcome", call = call)
  }
  selections <- view_selections(views, arg, call)
  cols <- lapply(names(selections), function(v) {
    tryCatch(names(tidyselect::eval_select(selections[[v]], data, allow_rename = FALSE)),
             error = function(e) {
               dm_abort("View {.val {v}} of {.arg {arg}} does not select columns of the data.",
                        parent = e, class = "dmil_error_views", call = call)
             })
  })
  names(cols) <- names(selections)
  empty <- names(cols)[lengths(cols) == 0]
  if (length(empty)) {
    dm_abort("{cli::qty(length(empty))}View{?s} {.val {empty}} of {.arg {arg}} select{?s/} no column.",
             class = "dmil_error_views", call = call)
  }
  owner <- rep(names(cols), lengths(cols))
  used <- unlist(cols, use.names = FALSE)
  twice <- unique(used[duplicated(used)])
  if (length(twice)) {
    where <- vapply(twice, function(c) paste(owner[used == c], collapse = " and "), "")
    dm_abort(c("Every column must be in one view; {cli::qty(length(twice))}{?this one is/these are} in several.",
               "x" = "{paste0(twice, ' (', where, ')')}."),
             class = "dmil_error_views", call = call)
  }
  if (!is.null(outcome) && outcome %in% used) {
    dm_abort("The outcome {.val {outcome}} is also a feature of view {.val {owner[used == outcome]}}.",
             class = "dmil_error_views", call = call)
  }
  left <- setdiff(names(data), c(used, outcome))
  if (length(left)) {
    dm_abort(c("Every column of the data must be in a view (or be the outcome); {length(left)} {cli::qty(length(left))}{?is/are} in none.",
               "x" = "{.val {utils::head(left, 10)}}{if (length(left) > 10) ', ...' else ''}.",
               "i" = "{cli::qty(length(left))}Add {?it/them} to a view, name {?it/one} as {.arg outcome}, or drop {?it/them} from the data."),
             class = "dmil_error_views", call = call)
  }
  x <- lapply(cols, function(cc) data[cc])
  structure(list(x = x, y = if (!is.null(outcome)) data[[outcome]]),
            spec = list(views = cols, outcome = outcome))
}

# The selections of a captured `views`: the arguments of a call to list()
# or c() (so that tidyselect helpers are not evaluated out of place), else
# the elements of its value, each a quosure.
view_selections <- function(views, arg, call) {
  expr <- rlang::quo_get_expr(views)
  env <- rlang::quo_get_env(views)
  sels <- if (rlang::is_call(expr, c("list", "c"))) {
    lapply(rlang::call_args(expr), rlang::new_quosure, env = env)
  } else {
    value <- tryCatch(rlang::eval_tidy(views), error = function(e) {
      dm_abort(c("{.arg {arg}} could not be evaluated.",
                 "i" = "Passing tidyselect expressions through a function of your own? Embrace the argument, {.code views = {{ views }}}, or give column names."),
               parent = e, class = "dmil_error_views", call = call)
    })
    if (!is.list(value) && !is.character(value)) value <- NULL
    lapply(as.list(value), function(v) rlang::quo(tidyselect::all_of(!!v)))
  }
  if (!length(sels) || !rlang::is_named(sels) || anyDuplicated(names(sels))) {
    dm_abort(c("{.arg {arg}} must be a named list selecting each view's columns.",
               "i" = "For example {.code list(expr = starts_with(\"g_\"), meth = c(\"m1\", \"m2\"))}."),
             class = "dmil_error_views", call = call)
  }
  sels
}

# New data for a model fitted from a table (`spec`, see table_views()): a
# data frame is split into the model's views by its columns (the outcome,
# if present, is ignored); a list of views is returned as it is. Columns
# the data lack are left for match_blueprint() to name, view by view.
spec_views <- function(new_data, spec) {
  if (is.null(spec) || !is.data.frame(new_data)) return(new_data)
  lapply(spec$views, function(cc) new_data[intersect(cc, names(new_data))])
}
