# Bad input is caught in R, before any .Call, with a classed error that names
# the argument and says what was expected and what was found.

d <- sim_bits(200, "first", seed = 71)
x <- d$x
y <- d$y
fit_x <- function(x, ...) dmil_fit(x, y, epochs = 1, progress = FALSE, ...)
fit_y <- function(y, ...) dmil_fit(x, y, epochs = 1, progress = FALSE, ...)

test_that("views must be a named list of at least two matrices or data frames", {
  expect_error(fit_x(x$a), class = "dmil_error_views")
  expect_error(fit_x(as.data.frame(x$a)), class = "dmil_error_views")
  expect_error(fit_x(x["a"]), class = "dmil_error_views")
  expect_error(fit_x(unname(x)), class = "dmil_error_names")
  expect_error(fit_x(list(a = x$a, x$b)), class = "dmil_error_names")
  expect_error(fit_x(list(a = x$a, a = x$b)), class = "dmil_error_names")
  expect_error(fit_x(list(a = x$a, b = as.vector(x$b))), class = "dmil_error_views")
  expect_error(fit_x(list(a = x$a, b = x$b[, 0])), class = "dmil_error_dims")
})

test_that("views must have the same rows", {
  expect_error(fit_x(list(a = x$a, b = x$b[-1, ])), class = "dmil_error_dims")
  expect_snapshot(fit_x(list(a = x$a, b = t(x$b))), error = TRUE)
  rn <- function(v, ids) `rownames<-`(v, ids)
  ids <- paste0("s", 1:200)
  expect_error(fit_x(list(a = rn(x$a, ids), b = rn(x$b, rev(ids)))), class = "dmil_error_names")
  expect_error(fit_x(list(a = rn(x$a, ids), b = rn(x$b, paste0("t", 1:200)))),
               class = "dmil_error_names")
  expect_no_error(fit_x(list(a = rn(x$a, ids), b = x$b)))
})

test_that("views with values near the double range keep their influence and their columns", {
  d <- simulate_interactions(400, "mix4", seed = 2)
  huge <- d$x
  huge$x2 <- huge$x2 * 1e200
  fit <- dmil_fit(huge, d$y, method = "joint", epochs = 5, seed = 1, nthreads = 1)
  plain <- dmil_fit(d$x, d$y, method = "joint", epochs = 5, seed = 1, nthreads = 1)
  expect_equal(fit$views$x2$scale, plain$views$x2$scale * 1e200, tolerance = 1e-12)
  # the view still informs the predictions: permuting its rows moves them
  shuffled <- huge
  shuffled$x2 <- shuffled$x2[400:1, ]
  moved <- as.matrix(predict(fit, shuffled, type = "logit")) -
    as.matrix(predict(fit, huge, type = "logit"))
  expect_gt(max(abs(moved)), 0.5)
  # at the edge of the range: no column taken for constant, finite statistics
  edge <- d$x
  edge$x2 <- edge$x2 * 1e307
  expect_no_message(fit <- dmil_fit(edge, d$y, method = "late", epochs = 2, nthreads = 1),
                    class = "dmil_message_dropped")
  expect_true(all(is.finite(fit$views$x2$center) & is.finite(fit$views$x2$scale)))
  expect_true(all(is.finite(as.matrix(predict(fit, edge, type = "logit")))))
  # values near the range's edge keep finite statistics ...
  wide <- d$x
  wide$x2[, 1] <- rep(c(-1.7e308, 1.7e308), 200)
  expect_true(is.finite(dmil_fit(wide, d$y, method = "late", epochs = 1, nthreads = 1)$views$x2$scale[1]))
  # ... unless the spread itself exceeds it (two samples): refused
  expect_error(dmil:::learn_blueprint(list(a = matrix(c(-1.7e308, 1.7e308, 1, 2), 2)), 1L),
               "too far apart", class = "dmil_error_values")
})

test_that("infinite labels are refused", {
  d <- simulate_interactions(100, "mix4", seed = 2)
  y <- as.numeric(as.character(d$y))
  y[7] <- Inf
  expect_error(dmil_fit(d$x, y, nthreads = 1), "infinite", class = "dmil_error_outcome")
})

test_that("views stored features x samples are recognised, square ones by their names", {
  flipped <- list(gene = nutrimouse$x$gene, lipid = t(nutrimouse$x$lipid))
  expect_error(dmil_fit(flipped, nutrimouse$diet), "View \"lipid\" has as many columns",
               class = "dmil_error_dims")
  withr::local_seed(1)
  ids <- paste0("s", 1:6)
  a <- matrix(rnorm(36), 6, dimnames = list(ids, paste0("f", 1:6)))
  b <- matrix(rnorm(36), 6, dimnames = list(paste0("g", 1:6), ids))  # features x samples
  expect_error(dmil_fit(list(a = a, b = b), rep(1:2, 3)), "view \"b\" are another view's row names",
               class = "dmil_error_names")
})

test_that("every column must be numeric", {
  df <- as.data.frame(x$b)
  df$b2 <- as.character(df$b2)
  expect_error(fit_x(list(a = x$a, b = df)), class = "dmil_error_values")
  expect_snapshot(fit_x(list(a = x$a, b = df)), error = TRUE)
  expect_error(fit_x(list(a = x$a, b = matrix("1", 200, 2))), class = "dmil_error_values")
  df$b2 <- factor(df$b2)
  expect_error(fit_x(list(a = x$a, b = df)), class = "dmil_error_values")
})

test_that("integer, logical and data-frame views are accepted", {
  ints <- list(a = round(x$a * 10), b = x$b > 0)
  storage.mode(ints$a) <- "integer"
  expect_s3_class(fit_x(ints), "dmil_fit")
  expect_s3_class(fit_x(lapply(x, as.data.frame)), "dmil_fit")
})

test_that("NA, NaN and Inf are rejected with their location", {
  for (bad in c(NA, NaN, Inf, -Inf)) {
    xb <- x
    xb$b[5, 3] <- bad
    expect_error(fit_x(xb), class = "dmil_error_values")
  }
  xb <- x
  xb$b[5, 3] <- NA
  expect_snapshot(fit_x(xb), error = TRUE)
})

test_that("constant columns are dropped with a message, and a view of constants is an error", {
  xc <- x
  xc$a <- cbind(xc$a, k = 3)
  expect_message(f <- fit_x(xc), class = "dmil_message_dropped")
  expect_identical(f$views$a$columns, colnames(x$a))
  xc$b <- matrix(1, 200, 2)
  expect_error(suppressMessages(fit_x(xc)), class = "dmil_error_values")
})

test_that("the outcome must be complete class labels, one per sample, of 2+ classes", {
  expect_error(fit_y(NULL), class = "dmil_error_outcome")
  expect_error(fit_y(y[-1]), class = "dmil_error_outcome")
  yn <- y
  yn[3] <- NA
  expect_error(fit_y(yn), class = "dmil_error_outcome")
  expect_error(fit_y(factor(rep("a", 200))), class = "dmil_error_outcome")
  expect_error(fit_y(stats::rnorm(200)), class = "dmil_error_outcome")
  expect_error(fit_y(data.frame(y = y)), class = "dmil_error_outcome")
  # an identifier or a measurement is not a set of classes
  expect_error(fit_y(paste0("id", seq_along(y))), "single sample", class = "dmil_error_outcome")
  expect_error(fit_y(round(stats::rnorm(length(y)) * 1000)), "single sample",
               class = "dmil_error_outcome")
  expect_snapshot(fit_y(y[-1]), error = TRUE)
})

test_that("character, integer and logical outcomes become factors with remembered levels", {
  expect_identical(fit_y(as.character(y))$levels, c("neg", "pos"))
  expect_identical(fit_y(as.integer(y) + 4L)$levels, c("5", "6"))
  expect_identical(fit_y(y == "pos")$levels, c("FALSE", "TRUE"))
  yl <- factor(y, levels = c("neg", "pos", "unused"))
  expect_message(f <- fit_y(yl), class = "dmil_message_levels")
  expect_identical(f$levels, c("neg", "pos"))
})

test_that("hyperparameters are checked", {
  bad <- list(
    list(epochs = 0), list(epochs = 2.5), list(epochs = -1), list(epochs = "10"),
    list(hidden = 0), list(depth = 0), list(fusion_depth = -1),
    list(batch_size = 201), list(batch_size = 0),
    list(lr = 0), list(lr = -1), list(lr = Inf), list(weight_decay = -0.1),
    list(validation = 1), list(validation = -0.1), list(validation = 0.001),
    list(patience = 0), list(seed = -1), list(seed = 1.5), list(seed = "a"),
    list(nthreads = -1), list(nthreads = 1.5), list(progress = NA),
    list(which = "a")
  )
  fit_args <- function(args) {
    args <- utils::modifyList(list(epochs = 1, progress = FALSE), args)
    rlang::inject(dmil_fit(x, y, !!!args))
  }
  for (args in bad) {
    expect_error(fit_args(args), class = "dmil_error_arg", label = deparse(args))
  }
  expect_snapshot(dmil_fit(x, y, epochs = 2.5), error = TRUE)
  expect_snapshot(dmil_fit(x, y, batch_size = 500), error = TRUE)
})

test_that("which must name a view for unimodal fits", {
  expect_error(fit_x(x, method = "unimodal", which = "c"), class = "dmil_error_arg")
  expect_identical(fit_x(x, method = "unimodal", which = "b")$which, "b")
})

test_that("unknown methods, choices and misspelled arguments are dmil errors, with rlang's message", {
  expect_error(fit_x(x, method = "fancy"), "must be one of", class = "dmil_error_arg")
  err <- expect_error(dmil_fit(x, y, epoch = 3), class = "dmil_error_arg")
  expect_s3_class(err, "rlib_error_dots_nonempty")
  expect_match(conditionMessage(err), "must be empty")
  fit <- dmil_fit(x, y, method = "late", epochs = 1, nthreads = 1)
  expect_error(predict(fit, x, type = "probability"), "\"prob\"", class = "dmil_error_arg")
  expect_error(simulate_interactions(10, "mix5"), class = "dmil_error_arg")
  expect_error(pid_discrete(pid_gate("and"), unit = "bytes"), class = "dmil_error_arg")
  expect_error(tidy(fit, "everything"), class = "dmil_error_arg")
})

test_that("S4 matrices other than sparse ones are rejected with a hint", {
  skip_if_not_installed("Matrix")
  dense_s4 <- Matrix::Matrix(x$b, sparse = FALSE)
  expect_error(fit_x(list(a = x$a, b = dense_s4)), "as.matrix", class = "dmil_error_views")
})

test_that("the C entry points reject malformed views with an R error, not a crash", {
  d <- sim_bits(100, "first")
  f <- quick_fit(d, "late", seed = 1)
  call_predict <- function(views, cols, center = list(0, 0), scale = list(1, 1)) {
    .Call(dmil:::C_dm_predict_baseline, list(views = views, cols = cols, center = center, scale = scale),
          unname(f$nets), 2L, 0L, 1L)
  }
  good <- unname(d$x)
  expect_error(call_predict(good, list(0L, 99L)), "internal error")   # column out of range
  expect_error(call_predict(list(good[[1]], good[[2]][1:10, ]), list(0L, 0L)), "internal error")
  expect_error(call_predict(good, list(0L, 0L), center = list(0, "a")), "internal error")
  expect_error(call_predict(good, list(0L, 0L), scale = list(1)), "internal error")
})

test_that("a fit too large for the machine is refused before anything is allocated, with its estimate", {
  skip_if(is.na(dmil:::available_memory()), "the system does not report its available memory")
  d <- list(a = matrix(rnorm(200), 50), b = matrix(rnorm(200), 50))
  y <- rep(c("u", "v"), 25)
  for (m in c("dmil", "joint", "early")) {
    started <- Sys.time()
    err <- expect_error(dmil_fit(d, y, method = m, hidden = 1e5, progress = FALSE),
                        class = "dmil_error_memory")
    expect_lt(as.numeric(Sys.time() - started, units = "secs"), 5)
    expect_match(conditionMessage(err), "need about [0-9.]+ GB of memory")
    expect_match(conditionMessage(err), "hidden = 100000")
  }
  # ordinary settings are far below any machine's memory
  expect_lt(dmil:::check_fit_memory("dmil", d, 2L, list(
    hidden = 64, depth = 2, fusion_depth = 1, epochs = 5, batch_size = 64, nthreads = 2,
    control = dmil_control()), NULL), 1e8)
})
