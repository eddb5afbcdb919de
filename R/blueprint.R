# The blueprint records, per view, which columns a model uses and how they
# were standardised, so that predict() can re-apply the same preprocessing to
# new data whose views or columns come in another order.

# Column statistics are those of the samples that have the view (`present`,
# view_presence()).
learn_blueprint <- function(views, nthreads, arg = "x", call = rlang::caller_env(),
                            present = NULL) {
  bp <- vector("list", length(views))
  names(bp) <- names(views)
  for (v in names(views)) {
    m <- views[[v]]
    if (!is.null(present) && !all(present[, v])) m <- m[present[, v], , drop = FALSE]
    named <- !is.null(colnames(m))
    cn <- if (named) colnames(m) else paste0("V", seq_len(ncol(m)))
    st <- view_colstats(m, nthreads)
    check_finite_columns(st, cn, v, arg, call)
    wide <- which(!is.finite(st$sd))
    if (length(wide)) {
      dm_abort(
        c("View {.val {v}} of {.arg {arg}} has values too far apart to standardise.",
          "x" = "The standard deviation of {cli::qty(length(wide))}column{?s} {.val {utils::head(cn[wide], 5)}} exceeds the range of doubles.",
          "i" = "Rescale the view, e.g. divide it by a large constant."),
        class = "dmil_error_values", call = call)
    }
    const <- st$sd == 0 | st$sd <= sqrt(.Machine$double.eps) * abs(st$mean)
    if (all(const)) {
      dm_abort(
        c("View {.val {v}} of {.arg {arg}} has no column with nonzero variance.",
          "x" = "All {length(cn)} column{?s} {?is/are} constant."),
        class = "dmil_error_values", call = call)
    }
    if (any(const)) {
      dm_inform(c("i" = "Dropping {sum(const)} constant column{?s} of view {.val {v}}: {.val {utils::head(cn[const], 10)}}{if (sum(const) > 10) ', ...' else ''}."),
                class = "dmil_message_dropped")
    }
    keep <- which(!const)
    bp[[v]] <- list(
      columns = cn[keep],
      named = named,
      n_columns = ncol(m),
      keep = keep,
      dropped = cn[const],
      center = st$mean[keep],
      scale = st$sd[keep]
    )
  }
  bp
}

# Which views each sample has (n x views, logical), or NULL when every
# sample has every view. A dense view is absent for a sample whose row is
# entirely NA; a row with only some values NA is an error that says where
# (absent_rows()); a sparse view is never absent. Every sample needs one
# view, and every view some of the training rows `train` (all rows when
# NULL).
view_presence <- function(views, arg = "x", call = rlang::caller_env(), train = NULL) {
  present <- NULL
  for (v in names(views)) {
    m <- views[[v]]
    if (inherits(m, "sparseMatrix") || !anyNA(m)) next
    gone <- absent_rows(m, v, arg, call)
    if (!any(gone)) next
    if (is.null(present)) {
      present <- matrix(TRUE, nrow(m), length(views), dimnames = list(NULL, names(views)))
    }
    present[gone, v] <- FALSE
  }
  if (is.null(present)) return(NULL)
  check_some_view(present, arg, "dmil_error_values", call)
  never <- names(views)[colSums(present[train %||% seq_len(nrow(present)), , drop = FALSE]) == 0]
  if (length(never)) {
    which_rows <- if (is.null(train)) "sample" else "training sample"
    dm_abort(
      c("View {.val {never}} of {.arg {arg}} is missing for every {which_rows}.",
        "i" = "Leave it out of {.arg {arg}}{if (!is.null(train)) ', or hold out fewer samples ({.arg validation})'}."),
      class = "dmil_error_values", call = call)
  }
  present
}

# Whether each row of `present` (view_presence()) has every view; all TRUE
# for n rows without a presence matrix.
has_every_view <- function(present, n = NULL) {
  if (is.null(present)) rep(TRUE, n) else rowSums(!present) == 0
}

# Every sample needs one view: an error of class `class` naming the rows
# without any.
check_some_view <- function(present, arg, class, call) {
  none <- which(rowSums(present) == 0)
  if (length(none)) {
    dm_abort(
      c("Every sample needs at least one view.",
        "x" = "{cli::qty(length(none))}Row{?s} {as.character(utils::head(none, 5))} of {.arg {arg}} {?has/have} none."),
      class = class, call = call)
  }
}

# The rows of dense view `m` whose used columns `cols` are all NA: absent
# for that sample. A row with some but not all of them NA is an error
# naming its first missing value.
absent_rows <- function(m, v, arg, call, cols = seq_len(ncol(m))) {
  na <- is.na(m[, cols, drop = FALSE])
  n_na <- rowSums(na)
  partial <- which(n_na > 0 & n_na < length(cols))
  if (length(partial)) {
    i <- partial[1]
    cn <- colnames(m) %||% paste0("V", seq_len(ncol(m)))
    dm_abort(
      c("View {.val {v}} of {.arg {arg}} has rows with some but not all values missing.",
        "x" = "{length(partial)} row{?s}; the first is row {i}, NA in column {.val {cn[cols[which(na[i, ])[1]]]}}.",
        "i" = "A view can be missing for a sample only as a whole (all its values NA); impute scattered values first."),
      class = "dmil_error_values", call = call)
  }
  n_na == length(cols)
}

# The views with each absent row (present, view_presence()) set to the
# blueprint's centres, the standardised value 0 that no model reads.
fill_absent <- function(views, bp, present) {
  if (is.null(present)) return(views)
  for (v in names(bp)) {
    gone <- !present[, v]
    if (any(gone)) views[[v]] <- fill_rows(views[[v]], gone, bp[[v]]$keep, bp[[v]]$center)
  }
  views
}
# m with rows `gone` set to `center` in the used columns `cols`, 0 elsewhere.
fill_rows <- function(m, gone, cols, center) {
  m[gone, ] <- 0
  m[gone, cols] <- rep(center, each = sum(gone))
  m
}

check_finite_columns <- function(st, cn, view, arg, call, used = seq_along(cn)) {
  bad <- used[st$n_bad[used] > 0]
  if (length(bad)) {
    first <- st$first_bad[bad[1]]
    dm_abort(
      c("View {.val {view}} of {.arg {arg}} contains NA, NaN or infinite values.",
        "x" = "{sum(st$n_bad[bad])} value{?s} in {cli::qty(length(bad))}column{?s} {.val {utils::head(cn[bad], 5)}}; the first in row {first}.",
        "i" = "dmil does not impute: remove or impute these values first."),
      class = "dmil_error_values", call = call)
  }
}

# The data as the C core reads them (glue_data_parse() in src/glue.h):
# either rows of a fit's shared copy (fit_rows()), or views to copy: the
# matrices in blueprint order, the 0-based columns each model uses, and
# their centring and scaling, as match_blueprint() returns them.
core_views <- function(data) {
  if (!is.null(data$handle)) return(data[c("handle", "start", "n")])
  list(views = unname(lapply(data$views, core_view)), cols = unname(data$cols),
       center = unname(data$center), scale = unname(data$scale),
       present = if (!is.null(data$present)) unname(data$present))
}

# The standardised float copy of a fit's views (under its blueprint `bp`)
# that every call of the fit reads: made once, training rows first, then
# the validation rows, so that each part is a block of rows. `order` maps
# its rows to the rows of the views. Released by free_fit_data(), or when
# R collects it.
# `present` (view_presence()) marks the views each sample has; absent rows
# must have been filled (fill_absent()).
fit_data <- function(views, bp, val_rows, present = NULL) {
  n <- nrow(views[[1]])
  keep <- rep(TRUE, n)
  keep[val_rows] <- FALSE
  order <- if (length(val_rows)) c(which(keep), val_rows) else seq_len(n)
  handle <- .Call(C_dm_data_new, training_views(views, bp, present),
                  if (length(val_rows)) as.integer(order))
  if (is.character(handle)) check_status(handle)
  list(handle = handle, order = order, n_train = n - length(val_rows), n = n, names = names(bp),
       ids = view_ids(views), present = if (!is.null(present)) present[order, , drop = FALSE])
}

# Rows `rows` (of data for core_views(), in its order) and views `views` of
# data as a shared copy of their own, as fit_rows() gives them (all rows).
data_subset <- function(data, rows, views = data$names %||% names(data$views)) {
  idx <- match(views, data$names %||% names(data$views))
  handle <- .Call(C_dm_data_subset, core_views(data), as.integer(rows), as.integer(idx))
  if (is.character(handle)) check_status(handle)
  fd <- list(handle = handle, order = seq_along(rows), n_train = length(rows), n = length(rows),
             names = views, ids = data$ids[rows],
             present = if (!is.null(data$present)) data$present[rows, views, drop = FALSE])
  fit_rows(fd, ids = TRUE)
}
free_fit_data <- function(fd) invisible(.Call(C_dm_data_free, fd$handle))

# The training rows, the validation rows or all rows of fit_data(), as data
# for core_views() (in fit_data()'s order), with their number `n`, the
# views' names and, when `ids`, the samples' ids, as match_blueprint() gives
# them.
fit_rows <- function(fd, part = c("all", "train", "val"), ids = FALSE) {
  part <- match.arg(part)
  start <- if (part == "val") fd$n_train else 0L
  n <- switch(part, all = fd$n, train = fd$n_train, val = fd$n - fd$n_train)
  list(handle = fd$handle, start = as.integer(start), n = as.integer(n), names = fd$names,
       ids = if (ids) fd$ids[fd$order[start + seq_len(n)]],
       present = if (!is.null(fd$present)) fd$present[start + seq_len(n), , drop = FALSE])
}

# Training views as data under the blueprint learnt from them (the fields
# of match_blueprint()'s result that core_views() and the callers read).
training_data <- function(views, bp, present = NULL) {
  list(views = views, cols = lapply(bp, function(b) as.integer(b$keep - 1L)),
       center = lapply(bp, `[[`, "center"), scale = lapply(bp, `[[`, "scale"),
       n = nrow(views[[1]]), ids = view_ids(views), present = present)
}
training_views <- function(views, bp, present = NULL) core_views(training_data(views, bp, present))

# Matches new data to a blueprint. Returns the views in blueprint order with
# 0-based column indices for the C core. With `allow_missing` (DMIL), views
# may be absent and rows entirely NA within a view; such views are replaced
# by zeros and `present` (n x views, logical) marks what is available;
# every row needs one view unless `need_one` is FALSE (the caller says why).
match_blueprint <- function(new_data, bp, nthreads, arg = "new_data", call = rlang::caller_env(),
                            allow_missing = FALSE, need_one = TRUE) {
  views <- check_views(new_data, min_views = 1L, arg = arg, call = call)
  missing <- setdiff(names(bp), names(views))
  if (length(missing) && (!allow_missing || length(missing) == length(bp))) {
    dm_abort(
      c("{.arg {arg}} lacks {cli::qty(length(missing))}view{?s} {.val {missing}} that the model uses.",
        "i" = "It has {.val {names(views)}}."),
      class = "dmil_error_newdata", call = call)
  }
  n <- nrow(views[[1]])
  present <- matrix(TRUE, n, length(bp), dimnames = list(NULL, names(bp)))
  out <- list(views = vector("list", length(bp)), cols = vector("list", length(bp)),
              center = lapply(bp, `[[`, "center"), scale = lapply(bp, `[[`, "scale"))
  names(out$views) <- names(out$cols) <- names(bp)
  for (v in names(bp)) {
    b <- bp[[v]]
    if (!v %in% names(views)) {
      # the centres: standardised zeros, as fill_absent() leaves absent rows
      out$views[[v]] <- matrix(b$center, n, length(b$columns), byrow = TRUE)
      out$cols[[v]] <- seq_along(b$columns) - 1L
      present[, v] <- FALSE
      next
    }
    m <- views[[v]]
    if (b$named) {
      if (is.null(colnames(m))) {
        dm_abort(
          c("View {.val {v}} of {.arg {arg}} has no column names.",
            "i" = "The model was fitted with named columns and matches them by name."),
          class = "dmil_error_newdata", call = call)
      }
      idx <- match(b$columns, colnames(m))
      if (anyNA(idx)) {
        lacking <- b$columns[is.na(idx)]
        dm_abort(
          c("View {.val {v}} of {.arg {arg}} lacks {length(lacking)} column{?s} the model uses.",
            "x" = "Missing: {.val {utils::head(lacking, 10)}}{if (length(lacking) > 10) ', ...' else ''}."),
          class = "dmil_error_newdata", call = call)
      }
    } else {
      if (ncol(m) != b$n_columns) {
        dm_abort(
          c("View {.val {v}} of {.arg {arg}} must have {b$n_columns} column{?s}, as when fitting.",
            "x" = "It has {ncol(m)}.",
            "i" = "The training data had no column names, so columns are matched by position."),
          class = "dmil_error_newdata", call = call)
      }
      idx <- b$keep
    }
    if (inherits(m, "sparseMatrix")) {
      # stored values were checked finite (as_sparse_view()); a sparse view
      # is never missing for a sample
      out$views[[v]] <- m
      out$cols[[v]] <- as.integer(idx - 1L)
      next
    }
    st <- view_colstats(m, nthreads)
    if (allow_missing && any(st$n_bad[idx] > 0)) {
      gone <- absent_rows(m, v, arg, call, cols = idx)
      present[gone, v] <- FALSE
      m <- fill_rows(m, gone, idx, b$center)
      st <- .Call(C_dm_colstats, m, nthreads)
    }
    cn <- if (is.null(colnames(m))) paste0("V", seq_len(ncol(m))) else colnames(m)
    check_finite_columns(st, cn, v, arg, call, used = idx)
    out$views[[v]] <- m
    out$cols[[v]] <- as.integer(idx - 1L)
  }
  if (allow_missing && need_one) check_some_view(present, arg, "dmil_error_newdata", call)
  out$present <- if (all(present)) NULL else present
  out$n <- n
  out$ids <- view_ids(views)
  out$rownames <- Reduce(function(a, b) if (is.null(a)) b else a, lapply(views, rownames))
  out
}
