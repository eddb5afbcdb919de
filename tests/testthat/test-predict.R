d <- sim_bits(500, "first", seed = 61)
fit <- quick_fit(d, "late", seed = 1)

test_that("predict() returns tidymodels-style columns, one row per sample", {
  cls <- predict(fit, d$x)
  expect_s3_class(cls, "data.frame")
  expect_named(cls, ".pred_class")
  expect_identical(levels(cls$.pred_class), c("neg", "pos"))
  expect_equal(nrow(cls), 500)

  prob <- predict(fit, d$x, type = "prob")
  expect_named(prob, c(".pred_neg", ".pred_pos"))
  expect_equal(rowSums(prob), rep(1, 500), ignore_attr = TRUE, tolerance = 1e-12)

  logit <- predict(fit, d$x, type = "logit")
  expect_named(logit, c(".logit_neg", ".logit_pos"))
  expect_identical(cls$.pred_class,
                   factor(c("neg", "pos")[max.col(as.matrix(logit), "first")], levels = c("neg", "pos")))
})

test_that("columns and views are matched by name, whatever their order", {
  ref <- predict(fit, d$x, type = "logit")
  shuffled <- list(b = d$x$b[, 4:1], a = d$x$a[, c(2, 4, 1, 3)], extra = d$x$a)
  expect_identical(predict(fit, shuffled, type = "logit"), ref)
  df_views <- lapply(d$x, as.data.frame)
  expect_equal(predict(fit, df_views, type = "logit"), ref, ignore_attr = TRUE)
})

test_that("row names of new data become the row names of the predictions", {
  x <- lapply(d$x, function(v) `rownames<-`(v, paste0("id", seq_len(nrow(v)))))
  expect_identical(rownames(predict(fit, x)), paste0("id", 1:500))
})

test_that("a missing view or column is a clear error", {
  expect_error(predict(fit, d$x["a"]), class = "dmil_error_newdata")
  expect_error(predict(fit, list(a = d$x$a[, -2], b = d$x$b)), class = "dmil_error_newdata")
  unnamed <- lapply(d$x, unname)
  expect_error(predict(fit, unnamed), class = "dmil_error_newdata")
  expect_snapshot(predict(fit, list(a = d$x$a[, -2], b = d$x$b)), error = TRUE)
})

test_that("non-finite values in new data are a clear error", {
  x <- d$x
  x$b[7, 2] <- NA
  expect_error(predict(fit, x), class = "dmil_error_values")
})

test_that("without training column names, columns are matched by position", {
  un <- list(x = lapply(d$x, unname), y = d$y)
  f <- quick_fit(un, "late", seed = 1)
  expect_equal(nrow(predict(f, un$x)), 500)
  expect_error(predict(f, list(a = un$x$a[, -1], b = un$x$b)), class = "dmil_error_newdata")
})

test_that("dropped constant columns are not needed at prediction time", {
  x <- d$x
  x$a <- cbind(x$a, const = 1)
  f <- suppressMessages(quick_fit(list(x = x, y = d$y), "late", seed = 1))
  expect_identical(f$views$a$dropped, "const")
  expect_no_error(predict(f, d$x))
})

test_that("unimodal predict() needs only the chosen view", {
  f <- quick_fit(d, "unimodal", seed = 1)
  expect_no_error(predict(f, d$x["b"], which = "b"))
  aug <- augment(f, d$x["a"])
  expect_identical(aug$.pred_class, predict(f, d$x["a"])$.pred_class)
  expect_error(predict(f, d$x, which = "zz"), class = "dmil_error_arg")
  expect_error(predict(fit, d$x, which = "a"), class = "dmil_error_arg")
})

test_that("predict() rejects unknown arguments", {
  expect_error(predict(fit, d$x, foo = "prob"), "foo", class = "dmil_error_arg")
  expect_error(predict(fit, d$x, type = "probability"))
})

test_that("a late fit's encodings give its logits through its linear head", {
  d <- sim_bits(300, "both", seed = 61)
  for (m in c("late", "ogm")) {
    fit <- quick_fit(d, m, seed = 1)
    enc <- dmil:::fit_encodings(fit, d$x)
    expect_named(enc, names(d$x))
    h <- do.call(cbind, enc)
    theta <- fit$nets[[m]]$theta
    K <- length(fit$levels)
    head <- theta[length(theta) - K * (ncol(h) + 1) + seq_len(K * (ncol(h) + 1))]
    W <- matrix(head[seq_len(K * ncol(h))], K, byrow = TRUE)
    b <- head[K * ncol(h) + seq_len(K)]
    expect_equal(unname(h %*% t(W) + rep(b, each = nrow(h))),
                 unname(as.matrix(predict(fit, d$x, type = "logit"))), tolerance = 1e-5)
  }
})

test_that("predict() and augment() take new_data, and new_x with a deprecation message", {
  p <- predict(fit, new_data = d$x, type = "prob")
  expect_identical(p, predict(fit, d$x, type = "prob"))
  rlang::local_options(rlib_message_verbosity = "verbose")
  expect_message(old <- predict(fit, new_x = d$x, type = "prob"), class = "dmil_message_deprecated")
  expect_identical(old, p)
  expect_message(a <- augment(fit, new_x = d$x), class = "dmil_message_deprecated")
  expect_identical(a, augment(fit, new_data = d$x))
  expect_error(predict(fit, new_data = d$x, new_x = d$x), class = "dmil_error_arg")
  expect_error(predict(fit), "new_data", class = "dmil_error_newdata")
})

test_that("newdata, stats::predict()'s name, works with a message; other dots are dmil errors", {
  rlang::local_options(rlib_message_verbosity = "verbose")
  expect_message(p <- predict(fit, newdata = d$x, type = "prob"), "new_data",
                 class = "dmil_message_deprecated")
  expect_identical(p, predict(fit, d$x, type = "prob"))
  expect_message(a <- augment(fit, newdata = d$x), class = "dmil_message_deprecated")
  expect_identical(a, augment(fit, d$x))
  expect_error(predict(fit, d$x, newdata = d$x), "once", class = "dmil_error_arg")
  expect_error(predict(fit, d$x, type = "prob", tpye = "class"), "tpye", class = "dmil_error_arg")
  expect_error(augment(fit, d$x, nthreads = 1, 3), "unnamed", class = "dmil_error_arg")
})

test_that("augment() without new_data predicts the training data, with labels and validation rows", {
  views <- d$x
  labels <- d$y
  f <- dmil_fit(views, labels, method = "joint", epochs = 3, seed = 2, nthreads = 1)
  a <- augment(f)
  expect_named(a, c("sample", "truth", ".validation", ".pred_class", ".pred_neg", ".pred_pos"))
  expect_identical(a$truth, labels)
  expect_identical(which(a$.validation), sort(f$val_rows))
  expect_identical(a[-(2:3)], augment(f, views))
})

test_that("augment() without new_data refuses training data it cannot find or that changed", {
  views <- d$x
  labels <- d$y
  f <- dmil_fit(views, labels, method = "joint", epochs = 3, seed = 2, nthreads = 1)
  # a function that does not see `views` and `labels`
  elsewhere <- function(fit) augment(fit)
  environment(elsewhere) <- asNamespace("dmil")
  expect_error(elsewhere(f), "not found", class = "dmil_error_newdata")
  views$a[1, 1] <- views$a[1, 1] + 1
  expect_error(augment(f), "column means of view \"a\"", class = "dmil_error_newdata")
  views <- lapply(d$x, function(v) v[-1, ])
  expect_error(augment(f), "499 samples", class = "dmil_error_newdata")
  views <- d$x
  labels <- factor(labels, levels = rev(levels(labels)))
  expect_error(augment(f), "classes or class counts", class = "dmil_error_newdata")
  # the same samples in another order, or other labels with the same counts
  labels <- d$y
  views <- lapply(d$x, function(v) v[500:1, ])
  expect_error(augment(f), "another order", class = "dmil_error_newdata")
  views <- d$x
  labels <- rev(d$y)
  expect_error(augment(f), "another order", class = "dmil_error_newdata")
  labels <- d$y
  expect_no_error(augment(f))
})
