sim <- simulate_interactions(300, "mix4", sigma = 0.3, seed = 301)

tune_joint <- function(...) {
  dmil_tune(sim$x, sim$y, method = "joint", grid = list(hidden = c(8, 32), lr = c(1e-3, 3e-3)),
            folds = 3, epochs = 6, seed = 4, nthreads = 1, ...)
}

test_that("every candidate is assessed on the same splits with the same seeds", {
  tn <- tune_joint(repeats = 2)
  expect_s3_class(tn, "dmil_tune")
  expect_named(tn$grid, c(".config", "hidden", "lr"))
  expect_equal(nrow(tn$grid), 4)
  expect_named(tn$results, c(".config", "split", "repetition", "fold", "seed", "n",
                             dmil:::metric_names))
  per_config <- split(tn$results[c("split", "seed", "n")], tn$results$.config)
  expect_length(per_config, 4)
  for (p in per_config[-1]) expect_identical(unname(as.list(p)), unname(as.list(per_config[[1]])))
  expect_equal(nrow(per_config[[1]]), 6)
  expect_equal(sum(per_config[[1]]$n), 2 * length(sim$y))
})

test_that("a candidate's split metrics are those of its fit with the recorded seed", {
  tn <- tune_joint(foldid = rep_len(1:3, length(sim$y)))
  row <- tn$results[tn$results$.config == "Candidate3" & tn$results$fold == 2, ]
  train <- which(rep_len(1:3, length(sim$y)) != 2)
  test <- which(rep_len(1:3, length(sim$y)) == 2)
  fit <- dmil_fit(lapply(sim$x, function(v) v[train, ]), sim$y[train], method = "joint",
                  hidden = 8, lr = 3e-3, epochs = 6, seed = row$seed, nthreads = 1)
  prob <- predict(fit, lapply(sim$x, function(v) v[test, ]), type = "prob")
  expect_equal(unlist(row[dmil:::metric_names]),
               dmil:::class_metrics(prob, sim$y[test]))
})

test_that("the selected candidate is the best by the metric, and its settings refit it", {
  tn <- tune_joint()
  td <- tidy(tn)
  ll <- td[td$metric == "log_loss", ]
  expect_identical(tn$best, ll$.config[which.min(ll$estimate)])
  acc <- tune_joint(metric = "accuracy", refit = FALSE)
  a <- tidy(acc)
  a <- a[a$metric == "accuracy", ]
  expect_identical(acc$best, a$.config[which.max(a$estimate)])
  expect_null(acc$fit)
  chosen <- tn$grid[tn$grid$.config == tn$best, ]
  expect_identical(tn$settings, list(method = "joint", epochs = 6, hidden = chosen$hidden,
                                     lr = chosen$lr))
  again <- do.call(dmil_fit, c(list(x = sim$x, y = sim$y, seed = 4, nthreads = 1), tn$settings))
  expect_identical(again$nets, tn$fit$nets)
  # the refit's call names the data as they were given, so augment() finds them
  expect_identical(tn$fit$call$x, quote(sim$x))
  expect_identical(augment(tn$fit)$truth, sim$y)
})

test_that("tidy, summary and glance give every candidate's metrics in stable columns", {
  tn <- tune_joint()
  td <- tidy(tn)
  expect_named(td, c(".config", "hidden", "lr", "metric", "estimate", "std.error", "splits"))
  expect_equal(nrow(td), 4 * length(dmil:::metric_names))
  one <- tn$results[tn$results$.config == "Candidate2", ]
  expect_equal(td$estimate[td$.config == "Candidate2" & td$metric == "brier"],
               weighted.mean(one$brier, one$n))
  expect_equal(td$std.error[td$.config == "Candidate2" & td$metric == "brier"],
               sd(one$brier) / sqrt(3))
  s <- summary(tn)
  expect_identical(s$.config[1], tn$best)
  expect_false(is.unsorted(s$log_loss))
  g <- glance(tn)
  expect_named(g, c("method", "candidates", "splits", "repeats", "metric", "best", "estimate",
                    "std.error"))
  expect_identical(g$best, tn$best)
  expect_output(print(tn), "Selected by log_loss")
})

test_that("a grid varies control settings over the control given, which keeps the rest", {
  tn <- dmil_tune(sim$x, sim$y, grid = list(latent = c(4, 8), stages = list("R", c("R", "S"))),
                  control = dmil_control(members = character(), finetune_epochs = 2,
                                         scores = list(epochs = 2)),
                  folds = 2, epochs = 3, refit = FALSE, seed = 1, nthreads = 1)
  expect_equal(nrow(tn$grid), 4)
  expect_type(tn$grid$stages, "list")
  ctrl <- tn$settings$control
  expect_s3_class(ctrl, "dmil_control")
  expect_identical(ctrl$members, character())
  expect_identical(ctrl$finetune_epochs, 2L)
  chosen <- tn$grid[tn$grid$.config == tn$best, ]
  expect_identical(ctrl$latent, as.integer(chosen$latent))
  expect_identical(ctrl$stages, chosen$stages[[1]])
  expect_output(print(summary(tn)), "R, S")
})

test_that("a data frame grid is used row by row", {
  grid <- data.frame(hidden = c(8, 16, 8), weight_decay = c(0, 0, 1e-3))
  tn <- dmil_tune(sim$x, sim$y, method = "late", grid = grid, folds = 2, epochs = 2,
                  refit = FALSE, seed = 1, nthreads = 1)
  expect_equal(tn$grid[c("hidden", "weight_decay")], grid)
  expect_identical(tn$grid$.config, c("Candidate1", "Candidate2", "Candidate3"))
})

test_that("bad grids and settings are refused before any fit, naming the candidate", {
  tune <- function(grid, ...) dmil_tune(sim$x, sim$y, grid = grid, folds = 2, epochs = 2, ...)
  expect_error(tune(list(foo = 1)), "not a setting", class = "dmil_error_arg")
  expect_error(tune(list(latent = 4), method = "joint"), "not a setting", class = "dmil_error_arg")
  expect_error(tune(list(hidden = c(8, 16)), hidden = 4), "in `grid` and in", class = "dmil_error_arg")
  expect_error(tune(data.frame(hidden = c(8, 8))), "repeats candidate", class = "dmil_error_arg")
  expect_error(tune(3), "must be a data frame", class = "dmil_error_arg")
  expect_error(tune(data.frame()), "must be a data frame", class = "dmil_error_arg")
  expect_error(tune(list(hidden = 8), metric = "auc"), "metric", class = "dmil_error_arg")
  expect_error(tune(list(hidden = 8), method = c("joint", "late")), "one method",
               class = "dmil_error_arg")
  expect_error(tune(list(hidden = 8), seed = 1, nthreads = 1, progress = TRUE), "set by",
               class = "dmil_error_arg")
  # the second candidate fails the checks of dmil_fit(), raised before the first trains
  err <- expect_error(tune(list(hidden = c(8, -1)), method = "joint"), class = "dmil_error_arg")
  expect_identical(rlang::call_name(err$call), "dmil_tune")
  expect_match(conditionMessage(err), "candidate 2 \\(hidden = -1\\)")
  expect_match(conditionMessage(err), "training rows")
  err <- expect_error(tune(list(latent = c(4, 0))), class = "dmil_error_arg")
  expect_match(conditionMessage(err), "candidate 2 \\(latent = 0\\)")
})

test_that("tuning results do not depend on the number of threads", {
  expect_identical(tune_joint(refit = FALSE)$results,
                   dmil_tune(sim$x, sim$y, method = "joint",
                             grid = list(hidden = c(8, 32), lr = c(1e-3, 3e-3)), folds = 3,
                             epochs = 6, seed = 4, nthreads = 2, refit = FALSE)$results)
})

test_that("plots draw the selection metric against the settings", {
  tn <- tune_joint(refit = FALSE)
  p <- dmil:::tune_plot_data(tn, "log_loss")
  expect_identical(p$xlab, "hidden")
  expect_setequal(p$data$group, c("lr = 0.001", "lr = 0.003"))
  expect_identical(sum(p$data$best), 1L)
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  expect_identical(plot(tn), tn)
  expect_identical(plot(tn, metric = "accuracy"), tn)
  grDevices::dev.off()
  expect_error(plot(tn, metric = "auc"), class = "dmil_error_arg")
  skip_if_not_installed("ggplot2")
  expect_s3_class(ggplot2::autoplot(tn), "ggplot")
})
