# Planted features (simulate_interactions(mixing = "blocks")): the features
# of the R blocks carry the redundancy, x1's U_x1 block the information
# unique to x1, x2's U_x2 block that unique to x2, the S blocks the synergy.
sim <- simulate_interactions(1500, "mix4", mixing = "blocks", d_latent = 1, dims = c(8, 8),
                             sigma = 0.4, seed = 21)
tr <- 1:1000
xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
planted <- function(atom) {
  f <- sim$features
  type <- c(r = "R", u_x1 = "U_x1", u_x2 = "U_x2", s = "S")[[atom]]
  own <- f$type %in% type & (atom %in% c("r", "s") | f$view == sub("^u_", "", atom))
  paste(f$view, f$feature)[own]
}
it <- suppressWarnings(dmil_interactions(xs(tr), sim$y[tr], repeats = 2, seed = 1, nthreads = 1,
                                         progress = FALSE))

test_that("the planted features of each atom rank first", {
  imp <- dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 3, seed = 1, progress = FALSE)
  expect_s3_class(imp, "dmil_importance")
  expect_named(imp, c("view", "feature", "term", "estimate", "std.error", "n"))
  expect_setequal(unique(imp$term), c("r", "u_x1", "u_x2", "s"))
  for (a in c("r", "u_x1", "u_x2", "s")) {
    s <- imp[imp$term == a, ]
    truth <- planted(a)
    top <- paste(s$view, s$feature)[order(-s$estimate)][seq_along(truth)]
    expect_gte(mean(top %in% truth), 0.9, label = paste("top-k recall of", a))
  }
})

test_that("a fit's log-loss term is the mean increase of its log-loss over permutations", {
  fit <- dmil_fit(xs(tr), sim$y[tr], method = "joint", epochs = 20, seed = 1, nthreads = 1)
  test <- xs(-tr)
  y <- sim$y[-tr]
  imp <- dmil_importance(fit, test, y, repeats = 3, seed = 7, progress = FALSE)
  expect_identical(unique(imp$term), "log_loss")
  loss <- function(v) {
    p <- as.matrix(predict(fit, v, type = "prob"))
    mean(-log(p[cbind(seq_along(y), as.integer(y))]))
  }
  # the permutations dmil_importance() draws: one per repeat and feature, in view order
  perms <- withr::with_seed(7, lapply(1:3, function(r) lapply(1:16, function(i) sample.int(500))))
  by_hand <- vapply(1:3, function(r) {
    v <- test
    v$x2[, 3] <- v$x2[perms[[r]][[11]], 3]
    loss(v) - loss(test)
  }, numeric(1))
  row <- imp[imp$view == "x2" & imp$feature == colnames(sim$x$x2)[3], ]
  expect_equal(row$estimate, mean(by_hand), tolerance = 1e-6)
  expect_equal(row$std.error, sd(by_hand) / sqrt(3), tolerance = 1e-6)
  expect_equal(row$n, 500)
  # noise features matter least
  noise <- paste(sim$features$view, sim$features$feature)[is.na(sim$features$type)]
  top <- paste(imp$view, imp$feature)[order(-imp$estimate)][1:6]
  expect_false(any(top %in% noise))
})

test_that("by default a fit's log-loss is permuted on its validation rows, its atoms out of fold", {
  views <- xs(tr)
  labels <- sim$y[tr]
  fit <- dmil_fit(views, labels, epochs = 5, seed = 2, nthreads = 1,
                  control = dmil_control(finetune_epochs = 2, scores = list(epochs = 5),
                                         members = "late"))
  imp <- dmil_importance(fit, repeats = 2, seed = 3, progress = FALSE)
  expect_setequal(unique(imp$term), c("log_loss", "r", "u_x1", "u_x2", "s"))
  rows <- sort(fit$val_rows)
  held <- dmil_importance(fit, lapply(views, function(v) v[rows, ]), labels[rows], repeats = 2,
                          seed = 3, progress = FALSE)
  expect_equal(tidy(imp)[imp$term == "log_loss", ], tidy(held)[held$term == "log_loss", ])
  expect_identical(imp$n[imp$term == "log_loss"][1], length(rows))
  # the atoms average over the training rows the estimator scored, split by dominant atom
  it <- interactions(fit)
  n_atoms <- vapply(c("r", "u_x1", "u_x2", "s"), function(a) imp$n[imp$term == a][1], 1L)
  expect_identical(sum(n_atoms), nrow(it))
  expect_identical(attr(imp, "rows"), c("the fit's validation rows", "the training rows, out of fold"))
})

test_that("a table's own samples scored out of fold come close to the table", {
  one <- suppressWarnings(dmil_interactions(xs(tr), sim$y[tr], repeats = 1, seed = 5, nthreads = 1,
                                            progress = FALSE))
  info <- attr(one, "dmil")
  data <- dmil:::match_blueprint(xs(tr), info$blueprint, 1L)
  cols <- c("r", "u_x1", "u_x2", "s")
  oof <- dmil:::interactions_predict_core(info, data, sim$y[tr], 1L, fold = info$fold[, 1])
  all <- dmil:::interactions_predict_core(info, data, sim$y[tr], 1L)
  gap <- function(p) mean(abs(as.matrix(p[cols]) - as.matrix(one[cols])))
  # only the calibration, fitted on every held-out prediction, differs from
  # the table's cross-fitted one; the folds' average includes the model that
  # trained on each sample
  expect_lt(gap(oof), gap(all) / 2)
  expect_gt(mean(oof$dominant == one$dominant), 0.95)
})

test_that("importance does not depend on the number of threads", {
  one <- dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 2, seed = 1, nthreads = 1,
                         progress = FALSE)
  two <- dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 2, seed = 1, nthreads = 2,
                         progress = FALSE)
  expect_identical(one, two)
})

test_that("importance without held-out samples, or with unknown classes, is refused", {
  expect_error(dmil_importance(it), "not held out", class = "dmil_error_newdata")
  nov <- dmil_fit(xs(tr), sim$y[tr], method = "late", epochs = 2, validation = 0, nthreads = 1)
  expect_error(dmil_importance(nov), "no validation rows", class = "dmil_error_newdata")
  y <- factor(rep(c("0", "1", "2"), length.out = 500))
  expect_error(dmil_importance(it, xs(-tr), y), "does not know", class = "dmil_error_outcome")
  expect_error(dmil_importance(list()), class = "dmil_error_arg")
  expect_error(dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 0), class = "dmil_error_arg")
})

test_that("importance plots show the top features of each term", {
  imp <- dmil_importance(it, xs(-tr), sim$y[-tr], repeats = 2, seed = 1, progress = FALSE)
  d <- dmil:::importance_plot_data(imp, 3)
  expect_equal(nrow(d), 12)
  expect_identical(levels(d$term), c("r", "u_x1", "u_x2", "s"))
  expect_output(print(imp), "drop on the")
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  expect_identical(plot(imp, top = 3), imp)
  grDevices::dev.off()
  skip_if_not_installed("ggplot2")
  expect_s3_class(ggplot2::autoplot(imp), "ggplot")
})
