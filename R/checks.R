# Argument checks. Each check_*() either returns the (possibly normalised)
# value or raises a classed error naming the argument, what was expected and
# what was found. Nothing reaches the C core unchecked.

obj_type <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.data.frame(x)) return("a data frame")
  if (is.matrix(x)) return(paste0("a ", typeof(x), " matrix"))
  if (isS4(x)) return(paste0("an object of class <", class(x)[1], ">"))
  if (is.atomic(x) && length(x) == 1) return(paste0("the ", typeof(x), " value ", format(x)))
  if (is.atomic(x)) return(paste0("a ", typeof(x), " vector of length ", length(x)))
  paste0("an object of class <", class(x)[1], ">")
}

is_whole <- function(x) {
  is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) && x == round(x)
}

check_count <- function(x, min = 1, max = Inf, arg = rlang::caller_arg(x),
                        call = rlang::caller_env()) {
  if (!is_whole(x) || x < min || x > min(max, .Machine$integer.max)) {
    if (!is.finite(max) && is_whole(x) && x > .Machine$integer.max) max <- .Machine$integer.max
    range <- if (is.finite(max)) "between {min} and {big_number(max)}" else "at least {min}"
    dm_abort(
      c(paste0("{.arg {arg}} must be a whole number ", range, "."),
        "x" = "It is {obj_type(x)}."),
      class = "dmil_error_arg", call = call)
  }
  as.integer(x)
}

check_number <- function(x, min = -Inf, max = Inf, min_open = FALSE,
                         max_open = FALSE, arg = rlang::caller_arg(x),
                         call = rlang::caller_env()) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) &&
    (if (min_open) x > min else x >= min) && (if (max_open) x < max else x <= max)
  if (!ok) {
    lo <- if (is.finite(min)) paste(if (min_open) ">" else ">=", min)
    hi <- if (is.finite(max)) paste(if (max_open) "<" else "<=", max)
    dm_abort(
      c("{.arg {arg}} must be a finite number {paste(c(lo, hi), collapse = ' and ')}.",
        "x" = "It is {obj_type(x)}."),
      class = "dmil_error_arg", call = call)
  }
  as.double(x)
}

check_batch_size <- function(x, n, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  force(arg)  # before x is replaced by its checked value
  x <- check_count(x, min = 1, arg = arg, call = call)
  if (x > n) {
    dm_abort(
      c("{.arg {arg}} must not exceed the number of samples.",
        "x" = "{.arg {arg}} is {x}; there are {n} samples."),
      class = "dmil_error_arg", call = call)
  }
  x
}

# A named list of settings, every name among `known`.
check_settings <- function(x, known, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.list(x) || (length(x) && (is.null(names(x)) || !all(nzchar(names(x)))))) {
    dm_abort(c("{.arg {arg}} must be a named list of settings.", "x" = "It is {obj_type(x)}."),
             class = "dmil_error_arg", call = call)
  }
  unknown <- setdiff(names(x), known)
  if (length(unknown)) {
    dm_abort(c("{cli::qty(length(unknown))}Unknown setting{?s} {.val {unknown}} in {.arg {arg}}.",
               "i" = "Known: {.val {known}}."),
             class = "dmil_error_arg", call = call)
  }
  x
}

check_flag <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.logical(x) || length(x) != 1 || is.na(x)) {
    dm_abort(c("{.arg {arg}} must be TRUE or FALSE.", "x" = "It is {obj_type(x)}."),
             class = "dmil_error_arg", call = call)
  }
  x
}

# A seed given by the user, or one drawn from R's RNG (so set.seed() makes
# fits reproducible). Stored in the fit.
check_seed <- function(seed, arg = rlang::caller_arg(seed), call = rlang::caller_env()) {
  if (is.null(seed)) return(as.double(sample.int(.Machine$integer.max, 1L)))
  if (!is_whole(seed) || seed < 0 || seed > 2^52) {
    dm_abort(c("{.arg {arg}} must be NULL or a whole number between 0 and 2^52.",
               "x" = "It is {obj_type(seed)}."),
             class = "dmil_error_arg", call = call)
  }
  as.double(seed)
}

# ---- views ------------------------------------------------------------------

# Normalises `x` (a named list of views) to a named list of double matrices
# with the samples in rows, checking structure, types, dimensions and
# rownames. Values (NA, variance) are checked later with the column
# statistics, which need one pass over the data in C.
check_views <- function(x, min_views = 2L, arg = rlang::caller_arg(x),
                        call = rlang::caller_env()) {
  if (is.data.frame(x)) {
    dm_abort(
      c("{.arg {arg}} must be a named list of views (one matrix or data frame per modality).",
        "x" = "It is a single data frame.",
        "i" = "Split its columns into views, e.g. {.code list(a = df[cols_a], b = df[cols_b])}."),
      class = "dmil_error_views", call = call)
  }
  if (!is.list(x) || isS4(x)) {
    dm_abort(
      c("{.arg {arg}} must be a named list of views (one matrix or data frame per modality).",
        "x" = "It is {obj_type(x)}."),
      class = "dmil_error_views", call = call)
  }
  if (length(x) < min_views) {
    dm_abort(
      c("{.arg {arg}} must contain at least {min_views} views (modalities).",
        "x" = "It contains {length(x)}."),
      class = "dmil_error_views", call = call)
  }
  nms <- names(x)
  if (is.null(nms) || anyNA(nms) || any(nms == "")) {
    missing <- if (is.null(nms)) seq_along(x) else which(is.na(nms) | nms == "")
    dm_abort(
      c("Every view in {.arg {arg}} must be named.",
        "x" = "{cli::qty(length(missing))}View{?s} at position{?s} {as.character(missing)} {?has/have} no name."),
      class = "dmil_error_names", call = call)
  }
  if (anyDuplicated(nms)) {
    dup <- unique(nms[duplicated(nms)])
    dm_abort(
      c("View names in {.arg {arg}} must be unique.",
        "x" = "Duplicated: {.val {dup}}."),
      class = "dmil_error_names", call = call)
  }
  out <- vector("list", length(x))
  names(out) <- nms
  for (v in nms) out[[v]] <- as_view_matrix(x[[v]], v, arg, call)

  n <- vapply(out, nrow, integer(1))
  if (length(unique(n)) > 1) {
    p <- vapply(out, ncol, integer(1))
    # a view with as many columns as another view has rows
    flipped <- nms[vapply(seq_along(n), function(i) p[i] %in% n[-i] && n[i] != p[i], logical(1))]
    hint <- if (length(flipped)) {
      c("i" = "{cli::qty(length(flipped))}View{?s} {.val {flipped}} {?has/have} as many columns as another view has rows: {?is it/is one of them} stored features x samples? Samples must be in rows; use {.fn t}.")
    } else if (length(unique(p)) == 1) {
      c("i" = "All views have {p[1]} columns: are they stored features x samples? Samples must be in rows; use {.fn t}.")
    }
    dm_abort(
      c("All views in {.arg {arg}} must have the same number of rows (samples).",
        "x" = "Rows: {paste0(nms, ' = ', n, collapse = ', ')}.", hint),
      class = "dmil_error_dims", call = call)
  }
  if (n[1] < 1) {
    dm_abort("The views in {.arg {arg}} have no rows.", class = "dmil_error_dims", call = call)
  }
  check_rownames(out, arg, call)
  out
}

as_view_matrix <- function(v, name, arg, call) {
  if (inherits(v, "sparseMatrix")) return(as_sparse_view(v, name, arg, call))
  if (inherits(v, "Matrix") || isS4(v)) {
    dm_abort(
      c("View {.val {name}} of {.arg {arg}} is {obj_type(v)}.",
        "i" = "Views are numeric matrices, data frames or sparse matrices of the Matrix package; convert with {.code as.matrix()}."),
      class = "dmil_error_views", call = call)
  }
  if (is.data.frame(v)) {
    ok <- vapply(v, function(col) is.numeric(col) || is.logical(col), logical(1))
    if (!all(ok)) {
      bad <- names(v)[!ok]
      types <- vapply(v[!ok], function(col) class(col)[1], character(1))
      dm_abort(
        c("Every column of view {.val {name}} in {.arg {arg}} must be numeric.",
          "x" = "{cli::qty(length(bad))}Column{?s} {.val {bad}} {?is/are} of type {.cls {unique(types)}}.",
          "i" = "Encode categorical features numerically first, e.g. with {.fn model.matrix}."),
        class = "dmil_error_values", call = call)
    }
    rn <- attr(v, "row.names")
    keep_rn <- is.character(rn)
    m <- as.matrix(v)
    if (!keep_rn) rownames(m) <- NULL
    v <- m
  }
  if (!is.matrix(v)) {
    hint <- if (is.atomic(v)) c("i" = "A single feature must be a one-column matrix, e.g. {.code matrix(v, ncol = 1)}.")
    dm_abort(
      c("View {.val {name}} of {.arg {arg}} must be a numeric matrix or data frame.",
        "x" = "It is {obj_type(v)}.", hint),
      class = "dmil_error_views", call = call)
  }
  if (!(is.numeric(v) || is.logical(v))) {
    dm_abort(
      c("View {.val {name}} of {.arg {arg}} must be numeric.",
        "x" = "It is a {typeof(v)} matrix."),
      class = "dmil_error_values", call = call)
  }
  if (ncol(v) < 1) {
    dm_abort("View {.val {name}} of {.arg {arg}} has no columns.",
             class = "dmil_error_dims", call = call)
  }
  if (!is.double(v)) storage.mode(v) <- "double"
  cn <- colnames(v)
  if (!is.null(cn) && (anyNA(cn) || any(cn == "") || anyDuplicated(cn))) {
    dm_abort(
      c("Column names of view {.val {name}} in {.arg {arg}} must be unique and non-empty.",
        "x" = "Problem{?s}: {.val {unique(cn[is.na(cn) | cn == '' | duplicated(cn)])}}."),
      class = "dmil_error_names", call = call)
  }
  v
}

# A sparse view (Matrix package): a general double matrix in compressed rows
# (dgRMatrix), which the core reads row by row without ever making it
# dense. Its stored values must be finite.
as_sparse_view <- function(v, name, arg, call) {
  rlang::check_installed("Matrix", "to use sparse views.")
  m <- methods::as(methods::as(methods::as(v, "generalMatrix"), "dMatrix"), "RsparseMatrix")
  if (ncol(m) < 1) {
    dm_abort("View {.val {name}} of {.arg {arg}} has no columns.",
             class = "dmil_error_dims", call = call)
  }
  bad <- !is.finite(m@x)
  if (any(bad)) {
    # the counts check_finite_columns() reads, from the stored values
    rows <- rep(seq_len(nrow(m)), diff(m@p))[bad]
    cols <- m@j[bad] + 1L
    first <- rep(NA_integer_, ncol(m))
    first[sort(unique(cols))] <- as.integer(tapply(rows, cols, min))
    check_finite_columns(list(n_bad = tabulate(cols, ncol(m)), first_bad = first),
                         colnames(m) %||% paste0("V", seq_len(ncol(m))), name, arg, call)
  }
  cn <- colnames(m)
  if (!is.null(cn) && (anyNA(cn) || any(cn == "") || anyDuplicated(cn))) {
    dm_abort("Column names of view {.val {name}} in {.arg {arg}} must be unique and non-empty.",
             class = "dmil_error_names", call = call)
  }
  m
}

# A view as the core reads it: a double matrix, or a sparse one as
# list(p, j, x, dim) (src/glue.h).
core_view <- function(m) {
  if (!inherits(m, "sparseMatrix")) return(m)
  if (!inherits(m, "RsparseMatrix")) m <- methods::as(m, "RsparseMatrix")
  list(p = m@p, j = m@j, x = m@x, dim = m@Dim)
}

# The rows `rows` of every view (for resampling and held-out parts).
view_rows <- function(views, rows) lapply(views, function(v) v[rows, , drop = FALSE])

# C_dm_colstats() of a view (mean, sd, non-finite counts), for a sparse one
# on dense blocks of columns (at most about 10^7 values at a time), so the
# statistics are those of its dense copy.
view_colstats <- function(m, nthreads) {
  if (!inherits(m, "sparseMatrix")) return(.Call(C_dm_colstats, m, nthreads))
  block <- max(1L, floor(1e7 / max(1L, nrow(m))))
  parts <- lapply(split(seq_len(ncol(m)), ceiling(seq_len(ncol(m)) / block)), function(j) {
    .Call(C_dm_colstats, as.matrix(m[, j, drop = FALSE]), nthreads)
  })
  lapply(stats::setNames(nm = names(parts[[1]])), function(k) unlist(lapply(parts, `[[`, k),
                                                                      use.names = FALSE))
}

check_rownames <- function(views, arg, call) {
  rn <- lapply(views, rownames)
  has <- !vapply(rn, is.null, logical(1))
  if (!any(has)) return(invisible())
  ref <- rn[[which(has)[1]]]
  for (v in names(views)[has]) {
    if (!identical(rn[[v]], ref)) {
      same_set <- setequal(rn[[v]], ref)
      # a view stored features x samples (square, or the row counts would
      # have differed): its column names are another view's row names
      flipped <- names(views)[vapply(names(views), function(w) {
        cn <- colnames(views[[w]])
        !is.null(cn) && any(vapply(setdiff(names(views)[has], w), function(u) setequal(cn, rn[[u]]),
                                   logical(1)))
      }, logical(1))]
      dm_abort(
        c("Row names of the views in {.arg {arg}} disagree.",
          "x" = "View {.val {v}} differs from view {.val {names(views)[which(has)[1]]}}.",
          "i" = if (length(flipped)) "{cli::qty(length(flipped))}The column names of view{?s} {.val {flipped}} are another view's row names: stored features x samples? Samples must be in rows; use {.fn t}."
                else if (same_set) "They hold the same samples in a different order; reorder with {.code x[[v]][rownames(x[[1]]), ]}."
                else "Rows are matched by name, never by position: every view must describe the same samples."),
        class = "dmil_error_names", call = call)
    }
  }
  invisible()
}

# Sample ids: the common rownames, else 1..n.
view_ids <- function(views) {
  for (v in views) if (!is.null(rownames(v))) return(rownames(v))
  as.character(seq_len(nrow(views[[1]])))
}

# ---- outcome ----------------------------------------------------------------

check_outcome <- function(y, n, training = TRUE, arg = rlang::caller_arg(y),
                          call = rlang::caller_env()) {
  if (is.null(y)) {
    dm_abort("{.arg {arg}} must be given: a factor of class labels.",
             class = "dmil_error_outcome", call = call)
  }
  if (is.data.frame(y) || is.matrix(y) || is.list(y)) {
    dm_abort(
      c("{.arg {arg}} must be a vector of class labels (factor, character, integer or logical).",
        "x" = "It is {obj_type(y)}."),
      class = "dmil_error_outcome", call = call)
  }
  if (length(y) != n) {
    dm_abort(
      c("{.arg {arg}} must have one label per sample.",
        "x" = "It has length {length(y)}; the views have {n} row{?s}."),
      class = "dmil_error_outcome", call = call)
  }
  if (anyNA(y)) {
    where <- which(is.na(y))
    dm_abort(
      c("{.arg {arg}} must not contain missing labels.",
        "x" = "{length(where)} NA{?s}, at position{?s} {as.character(utils::head(where, 5))}{if (length(where) > 5) ', ...' else ''}."),
      class = "dmil_error_outcome", call = call)
  }
  if (is.factor(y)) {
    unused <- setdiff(levels(y), unique(as.character(y)))
    if (length(unused)) {
      dm_inform(c("i" = "{cli::qty(length(unused))}Dropping unused level{?s} {.val {unused}} of {.arg {arg}}."),
                class = "dmil_message_levels")
      y <- droplevels(y)
    }
  } else if (is.character(y) || is.logical(y)) {
    y <- factor(y)
  } else if (is.numeric(y)) {
    if (any(is.infinite(y))) {
      where <- which(is.infinite(y))
      dm_abort(
        c("{.arg {arg}} must hold class labels; infinite values are not classes.",
          "x" = "{length(where)} infinite value{?s}, at position{?s} {as.character(utils::head(where, 5))}."),
        class = "dmil_error_outcome", call = call)
    }
    if (any(y != round(y))) {
      dm_abort(
        c("{.arg {arg}} must hold class labels; dmil does classification.",
          "x" = "It holds non-integer numbers, e.g. {.val {utils::head(y[y != round(y)], 3)}}.",
          "i" = "Convert a numeric outcome to classes first, e.g. with {.fn cut}."),
        class = "dmil_error_outcome", call = call)
    }
    y <- factor(y, levels = sort(unique(y)))
  } else {
    dm_abort(
      c("{.arg {arg}} must be a factor, character, integer or logical vector.",
        "x" = "It is {obj_type(y)}."),
      class = "dmil_error_outcome", call = call)
  }
  if (nlevels(y) < 2) {
    dm_abort(
      c("{.arg {arg}} must contain at least 2 classes.",
        "x" = "Every sample has the label {.val {levels(y)[1]}}."),
      class = "dmil_error_outcome", call = call)
  }
  # more classes than pairs of samples: an identifier or a measurement, not
  # labels to learn (no class could be both trained on and validated)
  if (training && nlevels(y) > n / 2) {
    dm_abort(
      c("{.arg {arg}} has {nlevels(y)} classes among {n} samples: most classes have a single sample.",
        "i" = "dmil does classification, and needs at least two samples per class on average. Is {.arg {arg}} a measurement or an identifier? Convert a numeric outcome to classes first, e.g. with {.fn cut}."),
      class = "dmil_error_outcome", call = call)
  }
  y
}

# ---- threads ----------------------------------------------------------------

check_nthreads <- function(nthreads, arg = rlang::caller_arg(nthreads),
                           call = rlang::caller_env()) {
  if (is.null(nthreads)) return(dmil_threads())
  # any count is capped by the processors (C_dm_threads_effective); beyond
  # this bound a request is a mistake, not a wish for speed
  n <- check_count(nthreads, min = 0, max = 1e6, arg = arg, call = call)
  if (n == 0L) n <- .Call(C_dm_threads_info)$procs
  threads_used(n)
}

# The threads a request for n runs on (C_dm_threads_effective()); when the
# processors or the thread limit cap it (not in a forked child, which runs
# on one thread by design), said once per session and count.
threads_used <- function(n) {
  used <- .Call(C_dm_threads_effective, as.integer(n))
  info <- .Call(C_dm_threads_info)
  cap <- min(info$procs, if (info$thread_limit >= 1) info$thread_limit else Inf)
  if (used < n && used == cap) {
    dm_inform(c("i" = "Using {used} thread{?s} instead of {n}: this machine has {info$procs} processor{?s} for dmil (or a thread limit)."),
              class = "dmil_message_threads", .frequency = "once",
              .frequency_id = paste0("dmil_threads_", n))
  }
  used
}

check_foldid <- function(foldid, n, folds, y, arg = rlang::caller_arg(foldid),
                         call = rlang::caller_env()) {
  if (is.null(foldid)) return(NULL)
  if (!is.numeric(foldid) || length(foldid) != n || anyNA(foldid) ||
      any(foldid != round(foldid)) || any(foldid < 1 | foldid > folds)) {
    dm_abort(
      c("{.arg {arg}} must give every sample a fold between 1 and {folds}.",
        "x" = "It is {obj_type(foldid)}."),
      class = "dmil_error_arg", call = call)
  }
  # every fold's complement must contain every class (to score it)
  for (f in seq_len(folds)) {
    if (!all(levels(y) %in% y[foldid != f]) || sum(foldid == f) == 0) {
      dm_abort(
        c("With {.arg {arg}}, fold {f} leaves training folds without some class, or is empty.",
          "i" = "Every class must appear outside every fold."),
        class = "dmil_error_arg", call = call)
    }
  }
  as.integer(foldid)
}

# One or more of `choices`, without repeats.
check_choices <- function(x, choices, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.character(x) || length(x) < 1 || anyNA(x) || !all(x %in% choices)) {
    bad <- if (is.character(x)) setdiff(x, choices) else character()
    dm_abort(
      c("{.arg {arg}} must be one or more of {.val {choices}}.",
        "x" = if (length(bad)) "Unknown: {.val {bad}}." else "It is {obj_type(x)}."),
      class = "dmil_error_arg", call = call)
  }
  unique(x)
}

# The new data of predict() and augment(): `new_data` (NULL when missing),
# or one of its other names, said to be so every eight hours: `new_x`, its
# name before the tidymodels convention, or `newdata` (stats::predict()'s
# name), which arrives in the dots. Other dots are an error, as are two
# names at once or none. A table is split into views for a model fitted
# from one (`spec`, see table_views()).
check_new_data <- function(new_data, new_x = NULL, dots = list(), spec = NULL,
                           call = rlang::caller_env()) {
  unknown <- setdiff(rlang::names2(dots), "newdata")
  if (length(unknown)) {
    shown <- ifelse(nzchar(unknown), unknown, "(unnamed)")
    dm_abort(c("{.arg ...} must be empty.", "x" = "Unexpected argument{?s}: {.arg {shown}}."),
             class = "dmil_error_arg", call = call)
  }
  given <- Filter(Negate(is.null), list(new_data = new_data, new_x = new_x,
                                        newdata = dots$newdata))
  if (length(given) > 1) {
    dm_abort("Give the new views once, as {.arg new_data}; {.arg {names(given)}} are names of the same argument.",
             class = "dmil_error_arg", call = call)
  }
  if (length(given) == 0) {
    dm_abort("{.arg new_data} must be given: a named list of views.",
             class = "dmil_error_newdata", call = call)
  }
  name <- names(given)
  if (name != "new_data") {
    dm_inform(c("!" = "{.arg {name}} is {if (name == 'new_x') 'deprecated' else 'another name'}; name the argument {.arg new_data} (the tidymodels convention)."),
              class = "dmil_message_deprecated", .frequency = "regularly",
              .frequency_id = paste0("dmil_", name))
  }
  spec_views(given[[1]], spec)
}

# Every class of `y` has at least `min` samples; `why` completes "so that",
# `hint` (cli markup, or NULL) says what to change.
check_class_sizes <- function(y, min, why, hint = NULL, arg = "y", call = rlang::caller_env()) {
  counts <- table(y)
  small <- counts[counts < min]
  if (length(small)) {
    dm_abort(c("Every class of {.arg {arg}} needs at least {min} samples, so that {why}.",
               "x" = "{cli::qty(length(small))}Class{?es} with fewer (samples in brackets): {paste0(names(small), ' (', as.integer(small), ')')}.",
               "i" = hint),
             class = "dmil_error_outcome", call = call)
  }
  invisible(y)
}

# One of the metrics of held-out predictions (R/metrics.R).
check_metric <- function(metric, arg = rlang::caller_arg(metric), call = rlang::caller_env()) {
  if (!is.character(metric) || length(metric) != 1 || !metric %in% metric_names) {
    dm_abort(c("{.arg {arg}} must be one of {.val {metric_names}}.", "x" = "It is {obj_type(metric)}."),
             class = "dmil_error_arg", call = call)
  }
  metric
}
