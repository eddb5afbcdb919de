# Sparse views (Matrix package) are read row by row by the core, never made
# dense, and give the fits of their dense copies.
skip_if_not_installed("Matrix")
sim <- simulate_interactions(300, "mix4", seed = 41)
words <- withr::with_seed(3, Matrix::rsparsematrix(300, 120, density = 0.05,
                                                  rand.x = function(k) stats::rpois(k, 3) + 1))
colnames(words) <- paste0("w", 1:120)
sparse <- list(x1 = sim$x$x1, words = words)
dense <- list(x1 = sim$x$x1, words = as.matrix(words))
fit_both <- function(method, ...) {
  lapply(list(sparse = sparse, dense = dense), function(x) {
    suppressMessages(dmil_fit(x, sim$y, method = method, epochs = 3, seed = 1, nthreads = 2, ...))
  })
}

test_that("a sparse view gives the fit of its dense copy, for every kind of network", {
  for (m in c("joint", "late", "ensemble", "early")) {
    f <- fit_both(m)
    expect_identical(f$sparse$nets, f$dense$nets, label = m)
    expect_identical(f$sparse$views, f$dense$views, label = m)
  }
  f <- fit_both("dmil", control = dmil_control(finetune_epochs = 1, scores = list(epochs = 2)))
  expect_identical(f$sparse$nets, f$dense$nets)
  expect_equal(as.data.frame(interactions(f$sparse)), as.data.frame(interactions(f$dense)))
})

test_that("predictions of sparse and dense new data agree, whichever form the fit saw", {
  f <- fit_both("late")
  p <- predict(f$dense, dense, type = "prob")
  expect_identical(predict(f$sparse, sparse, type = "prob"), p)
  expect_identical(predict(f$sparse, dense, type = "prob"), p)
  expect_identical(predict(f$dense, sparse, type = "prob"), p)
  # any sparse storage, rows subset as for resampling
  triplet <- list(x1 = sim$x$x1, words = methods::as(words, "TsparseMatrix"))
  expect_identical(predict(f$sparse, triplet, type = "prob"), p)
  expect_identical(predict(f$sparse, lapply(sparse, function(v) v[11:20, ]), type = "prob"),
                   predict(f$dense, lapply(dense, function(v) v[11:20, ]), type = "prob"))
  # augment() finds sparse training data and checks them against the fit
  fs <- suppressMessages(dmil_fit(sparse, sim$y, method = "late", epochs = 3, seed = 1,
                                  nthreads = 2))
  expect_identical(augment(fs)$.pred_1, p$.pred_1)
})

test_that("interaction tables of sparse views are those of their dense copies", {
  for (measure in c("pmmi", "lsmi")) {
    it <- lapply(list(sparse, dense), function(x) {
      suppressMessages(suppressWarnings(dmil_interactions(x, sim$y, measure = measure, epochs = 3,
                                                          repeats = 1, seed = 1, nthreads = 2,
                                                          progress = FALSE)))
    })
    expect_equal(as.data.frame(it[[1]]), as.data.frame(it[[2]]), ignore_attr = TRUE,
                 label = measure)
  }
})

test_that("feature importance takes sparse views, as their dense copies", {
  fs <- suppressMessages(dmil_fit(sparse, sim$y, method = "interaction_ensemble", epochs = 3,
                                  seed = 1, nthreads = 2))
  fd <- suppressMessages(dmil_fit(dense, sim$y, method = "interaction_ensemble", epochs = 3,
                                  seed = 1, nthreads = 2))
  a <- dmil_importance(fs, repeats = 1, seed = 2, progress = FALSE)
  b <- dmil_importance(fd, repeats = 1, seed = 2, progress = FALSE)
  expect_equal(tidy(a), tidy(b))
})

test_that("stored non-finite values of a sparse view are refused", {
  bad <- words
  bad@x[5] <- NA
  expect_error(dmil_fit(list(x1 = sim$x$x1, words = bad), sim$y), "NA, NaN or infinite",
               class = "dmil_error_values")
})
