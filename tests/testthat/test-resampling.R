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
  td <- tidy(bt)
  expect_named(td, c("term", "estimate", "std.error", "conf.low", "conf.high"))
  expect_equal(td$std.error[td$term == "r"], sd(bt$estimate[bt$term == "r" & bt$replicate > 0]))
  expect_identical(glance(bt), data.frame(terms = 7L, replicates = 3L, conf_level = 0.95))
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  expect_identical(plot(bt), bt)
  grDevices::dev.off()
  skip_if_not_installed("ggplot2")
  expect_s3_class(ggplot2::autoplot(bt), "ggplot")
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

test_that("dmil_cv() scores every sample once per repeat and method, on the same folds", {
  cv <- dmil_cv(sim$x, sim$y, folds = 3, repeats = 2, methods = c("late", "joint"), epochs = 5,
                seed = 2, nthreads = 1)
  expect_s3_class(cv, "dmil_cv")
  expect_equal(nrow(cv), 2 * 3 * 2)
  expect_named(cv, c("split", "repetition", "fold", "method", "seed", "n", dmil:::metric_names))
  pred <- augment(cv)
  expect_named(pred, c("sample", "split", "repetition", "fold", "method", "truth", ".pred_class",
                       ".pred_0", ".pred_1"))
  expect_equal(nrow(pred), 2 * 2 * 400)
  for (r in 1:2) {
    late <- pred[pred$method == "late" & pred$repetition == r, ]
    joint <- pred[pred$method == "joint" & pred$repetition == r, ]
    expect_equal(sort(as.integer(late$sample)), 1:400)
    expect_identical(late$fold[order(as.integer(late$sample))], joint$fold[order(as.integer(joint$sample))])
  }
  # the repeats draw new folds
  f1 <- pred$fold[pred$method == "late" & pred$repetition == 1]
  f2 <- pred$fold[pred$method == "late" & pred$repetition == 2]
  s1 <- as.integer(pred$sample[pred$method == "late" & pred$repetition == 1])
  s2 <- as.integer(pred$sample[pred$method == "late" & pred$repetition == 2])
  expect_false(identical(f1[order(s1)], f2[order(s2)]))
  acc <- tapply(pred$.pred_class == pred$truth, list(pred$split, pred$method), mean)
  expect_equal(cv$accuracy, acc[cbind(cv$split, cv$method)], ignore_attr = TRUE)
})

test_that("stratified folds differ in size by at most one and spread every class evenly", {
  y <- nutrimouse$diet  # five classes of 8
  f <- dmil:::with_seed(1, dmil:::balanced_folds(y, 5))
  expect_equal(as.vector(table(f)), rep(8, 5))
  expect_true(all(table(f, y) %in% c(1, 2)))
  f3 <- dmil:::with_seed(1, dmil:::balanced_folds(factor(rep(c("a", "b", "c"), c(7, 5, 4))), 5))
  expect_lte(diff(range(table(f3))), 1)
})

test_that("ten folds of the 40 mice work, each training set with every diet", {
  cv <- dmil_cv(nutrimouse$x, nutrimouse$diet, folds = 10, methods = "late", epochs = 2, seed = 1,
                nthreads = 1)
  expect_equal(cv$n, rep(4, 10))
  expect_false(anyNA(cv$accuracy))
})

test_that("a class too small to be in every training set is refused before any fit", {
  y <- sim$y
  levels(y) <- c(levels(y), "rare")
  y[1] <- "rare"
  expect_error(dmil_cv(sim$x, y, folds = 3, methods = "late", epochs = 2), class = "dmil_error_outcome")
  expect_error(dmil_cv(sim$x, y, folds = 3, methods = "late", epochs = 2), "rare")
})

test_that("fixed fold ids are used as given, and checked", {
  folds <- rep(1:4, length.out = 400)
  cv4 <- dmil_cv(sim$x, sim$y, folds = 4, methods = "late", epochs = 3, foldid = folds, seed = 2,
                 nthreads = 1)
  expect_identical(sort(unique(augment(cv4)$fold)), 1:4)
  pred <- augment(cv4)
  expect_identical(pred$fold[order(as.integer(pred$sample))], folds)
  # a fold with no samples is caught before any task runs
  expect_error(dmil_cv(sim$x, sim$y, folds = 4, methods = "late", foldid = rep(1:3, length.out = 400)),
               class = "dmil_error_arg")
  expect_error(dmil_cv(sim$x, sim$y, folds = 4, methods = "late", foldid = folds, repeats = 2),
               class = "dmil_error_arg")
})

test_that("summaries weight the splits by their size", {
  cv <- dmil_cv(nutrimouse$x, nutrimouse$genotype, folds = 3, methods = c("late", "ensemble"),
                epochs = 3, seed = 4, nthreads = 1)
  expect_equal(sort(unique(cv$n)), c(13, 14))
  td <- tidy(cv)
  expect_named(td, c("method", "metric", "estimate", "std.error", "splits"))
  expect_identical(unique(td$metric), dmil:::metric_names)
  late <- cv[cv$method == "late", ]
  expect_equal(td$estimate[td$method == "late" & td$metric == "accuracy"],
               sum(late$accuracy * late$n) / sum(late$n))
  pred <- augment(cv)
  expect_equal(td$estimate[td$method == "late" & td$metric == "accuracy"],
               mean(pred$.pred_class[pred$method == "late"] == pred$truth[pred$method == "late"]))
  s <- summary(cv)
  expect_equal(s$log_loss[s$method == "ensemble"], td$estimate[td$method == "ensemble" & td$metric == "log_loss"])
  expect_output(print(s), "weighted by their size")
  g <- glance(cv)
  expect_identical(g, data.frame(methods = 2L, splits = 3L, repeats = 1L, n = 40L))
  expect_output(print(cv), "3 splits")
})

test_that("an rsample resampling object gives the splits", {
  skip_if_not_installed("rsample")
  rs <- dmil:::with_seed(3, rsample::vfold_cv(data.frame(y = sim$y), v = 3, repeats = 2, strata = y))
  cv <- dmil_cv(sim$x, sim$y, methods = "late", resamples = rs, epochs = 2, seed = 1, nthreads = 1)
  expect_identical(cv$split, paste(rs$id, rs$id2, sep = "_"))
  expect_identical(cv$repetition, rep(1:2, each = 3))
  pred <- augment(cv)
  for (i in seq_along(rs$splits)) {
    expect_setequal(as.integer(pred$sample[pred$split == cv$split[i]]),
                    as.integer(rs$splits[[i]], data = "assessment"))
  }
  expect_error(dmil_cv(sim$x, sim$y, methods = "late", resamples = list(1)), class = "dmil_error_arg")
  short <- rsample::vfold_cv(data.frame(y = sim$y[1:100]), v = 2)
  expect_error(dmil_cv(sim$x, sim$y, methods = "late", resamples = short), class = "dmil_error_arg")
})

test_that("resampling and tuning results are identical sequentially and on two parallel workers", {
  skip_on_cran()
  skip_if_not_installed("future")
  skip_if_not_installed("future.apply")
  old <- future::plan(future::sequential)
  on.exit(future::plan(old), add = TRUE)
  seq_cv <- dmil_cv(sim$x, sim$y, folds = 2, methods = c("joint", "dmil"), epochs = 4,
                    control = dmil_control(finetune_epochs = 2, scores = list(epochs = 3)),
                    seed = 5)
  seq_bt <- dmil_boot(sim$x, sim$y, B = 2, epochs = 4, repeats = 2, seed = 5)
  tune <- function() {
    dmil_tune(sim$x, sim$y, grid = list(hidden = c(8, 16)), method = "joint", folds = 2,
              epochs = 4, seed = 5)
  }
  seq_tn <- tune()
  future::plan(future::multisession, workers = 2)
  par_cv <- dmil_cv(sim$x, sim$y, folds = 2, methods = c("joint", "dmil"), epochs = 4,
                    control = dmil_control(finetune_epochs = 2, scores = list(epochs = 3)),
                    seed = 5)
  par_bt <- dmil_boot(sim$x, sim$y, B = 2, epochs = 4, repeats = 2, seed = 5)
  expect_identical(par_cv, seq_cv)
  expect_identical(par_bt, seq_bt)
  expect_identical(tune()[c("results", "best")], seq_tn[c("results", "best")])
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

test_that("dmil_cv() checks its fits' settings before any fit, and says on which rows", {
  # one fold's training rows are 32 of the 40 mice: a batch of 64 cannot be drawn
  err <- expect_error(dmil_cv(nutrimouse$x, nutrimouse$genotype, methods = "late", batch_size = 64),
                      class = "dmil_error_arg")
  expect_identical(rlang::call_name(err$call), "dmil_cv")
  expect_match(conditionMessage(err), "32 of 40 samples")
  expect_match(conditionMessage(err), "batch_size")
  expect_error(dmil_cv(nutrimouse$x, nutrimouse$genotype, methods = "late", epoch = 2),
               "not an argument", class = "dmil_error_arg")
  expect_error(dmil_cv(nutrimouse$x, nutrimouse$genotype, methods = c("late", "dmil"),
                       control = dmil_control(folds = 40)),
               "dmil", class = "dmil_error_outcome")
})

test_that("dmil_boot() checks its replicates' settings on the data before any fit", {
  y <- factor(rep(c("a", "b", "c"), c(200, 197, 3)))
  err <- expect_error(dmil_boot(sim$x, y, B = 2, epochs = 2), class = "dmil_error_outcome")
  expect_identical(rlang::call_name(err$call), "dmil_boot")
  # the user gave folds (by default), not foldid
  expect_match(conditionMessage(err), "folds")
  expect_no_match(conditionMessage(err), "foldid")
  expect_error(dmil_boot(sim$x, sim$y, B = 2, epoch = 2), "not an argument",
               class = "dmil_error_arg")
  expect_error(dmil_boot(sim$x, sim$y, B = 2, hidden = 0), class = "dmil_error_arg")
})
