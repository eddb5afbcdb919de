sim <- simulate_interactions(400, "mix4", sigma = 0.3, seed = 201)

test_that("dmil_boot() returns one row per replicate and term, with the original estimate as replicate 0", {
  bt <- dmil_boot(sim$x, sim$y, B = 3, epochs = 5, repeats = 2, seed = 1, nthreads = 1)
  expect_s3_class(bt, "dmil_boot")
  expect_named(bt, c("replicate", "seed", "term", "estimate"))
  expect_setequal(bt$replicate, 0:3)
  expect_setequal(bt$term, c("r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint"))
  expect_equal(nrow(bt[bt$replicate == 0, ]), 7)
  s <- summary(bt)
  expect_named(s, c("term", "estimate", "boot_mean", "std.error", "conf.low", "conf.high"))
  expect_true(all(s$conf.low <= s$conf.high))
  expect_output(print(s), "Bootstrap")
  expect_identical(dmil_boot(sim$x, sim$y, B = 3, epochs = 5, repeats = 2, seed = 1, nthreads = 1), bt)
})

test_that("resampling leaves R's random number generator as it was, and does not depend on its kind", {
  withr::local_seed(5)
  before <- .Random.seed
  bt <- suppressWarnings(dmil_boot(sim$x, sim$y, B = 1, epochs = 2, repeats = 2, seed = 1,
                                   nthreads = 1))
  expect_identical(RNGkind()[1], "Mersenne-Twister")
  expect_identical(.Random.seed, before)
  withr::local_rng_version("3.5.0")  # another sample.kind
  RNGkind("L'Ecuyer-CMRG")
  expect_identical(suppressWarnings(dmil_boot(sim$x, sim$y, B = 1, epochs = 2, repeats = 2, seed = 1, nthreads = 1)), bt)
  expect_identical(RNGkind()[1], "L'Ecuyer-CMRG")
})

test_that("bootstrap samples keep the class sizes; fold ids are dmil_boot()'s own", {
  y <- factor(rep(c("a", "b"), each = 10))
  idx <- dmil:::with_seed(3, dmil:::boot_sample(y))
  expect_equal(as.vector(table(y[idx])), c(10, 10))
  expect_error(dmil_boot(sim$x, sim$y, B = 2, foldid = 1), class = "dmil_error_arg")
  expect_error(dmil_boot(sim$x, sim$y, B = 2, progress = FALSE), class = "dmil_error_arg")
  expect_error(dmil_boot(sim$x, sim$y, B = 2, folds = 1), class = "dmil_error_arg")
})

test_that("dmil_cv() scores every sample once per method, on the same folds", {
  cv <- dmil_cv(sim$x, sim$y, folds = 3, methods = c("late", "joint"), epochs = 5, seed = 2,
                nthreads = 1)
  expect_s3_class(cv, "dmil_cv")
  expect_equal(nrow(cv), 6)
  pred <- attr(cv, "predictions")
  expect_equal(nrow(pred), 2 * 400)
  by_method <- split(pred, pred$method)
  expect_identical(by_method$late$fold[order(by_method$late$sample)],
                   by_method$joint$fold[order(by_method$joint$sample)])
  expect_equal(sort(as.integer(by_method$late$sample)), 1:400)
  acc <- tapply(pred$.pred_class == pred$truth, list(pred$fold, pred$method), mean)
  expect_equal(cv$accuracy, acc[cbind(cv$fold, match(cv$method, colnames(acc)))], ignore_attr = TRUE)
  s <- summary(cv)
  expect_named(s, c("method", "folds", "accuracy", "accuracy_se", "log_loss", "log_loss_se"))
  folds <- rep(1:4, length.out = 400)
  cv4 <- dmil_cv(sim$x, sim$y, folds = 4, methods = "late", epochs = 3, foldid = folds, seed = 2,
                 nthreads = 1)
  expect_identical(sort(unique(attr(cv4, "predictions")$fold)), 1:4)
  # a fold with no samples is caught before any task runs
  expect_error(dmil_cv(sim$x, sim$y, folds = 4, methods = "late", foldid = rep(1:3, length.out = 400)),
               class = "dmil_error_arg")
})

test_that("results are identical sequentially and on two parallel workers", {
  skip_on_cran()
  skip_if_not_installed("future")
  skip_if_not_installed("future.apply")
  old <- future::plan(future::sequential)
  on.exit(future::plan(old), add = TRUE)
  seq_cv <- dmil_cv(sim$x, sim$y, folds = 2, methods = c("joint", "dmil"), epochs = 4,
                    control = dmil_control(finetune_epochs = 2, scores = list(epochs = 3)),
                    seed = 5)
  seq_bt <- dmil_boot(sim$x, sim$y, B = 2, epochs = 4, repeats = 2, seed = 5)
  future::plan(future::multisession, workers = 2)
  par_cv <- dmil_cv(sim$x, sim$y, folds = 2, methods = c("joint", "dmil"), epochs = 4,
                    control = dmil_control(finetune_epochs = 2, scores = list(epochs = 3)),
                    seed = 5)
  par_bt <- dmil_boot(sim$x, sim$y, B = 2, epochs = 4, repeats = 2, seed = 5)
  expect_identical(par_cv, seq_cv)
  expect_identical(par_bt, seq_bt)
})

test_that("bootstrap intervals cover the estimator's expected value in most replicates", {
  skip_on_cran()
  # dmil_boot() measures the sampling variability of the estimates. Their
  # expected value is approximated by the mean over independent data sets
  # of one design.
  # (The estimates are biased with respect to the exact oracle values at
  # this sample size -- the redundancy by about -0.04 bits with one repeat -- and the
  # bootstrap does not remove bias; see ?dmil_boot.)
  # (One repeat of the cross-fitting per fit, to keep the test fast.)
  terms <- c("r", "u_x1", "u_x2", "s", "i_joint")
  est <- function(seed) {
    s <- simulate_interactions(600, "mix4", sigma = 0.25, seed = seed, design_seed = 1)
    colMeans(suppressWarnings(dmil_interactions(s$x, s$y, epochs = 15, repeats = 1, seed = seed,
                                                nthreads = 2, progress = FALSE))[terms])
  }
  expected <- rowMeans(sapply(1001:1030, est))
  covered <- sapply(1:10, function(rep) {
    s <- simulate_interactions(600, "mix4", sigma = 0.25, seed = rep, design_seed = 1)
    sm <- summary(suppressWarnings(dmil_boot(s$x, s$y, B = 40, epochs = 15, repeats = 1, seed = rep,
                                             nthreads = 2)))
    sm <- sm[match(terms, sm$term), ]
    sm$conf.low <= expected & expected <= sm$conf.high
  })
  rownames(covered) <- terms
  expect_true(all(rowMeans(covered) > 0.5),
              label = paste("coverage", paste(terms, rowMeans(covered), collapse = ", ")))
  # 95% intervals; over all 50 the coverage measured 0.86 when this was written
  expect_gte(mean(covered), 0.8)
})
