it <- dmil_interactions(mix4_small$x, mix4_small$y, epochs = 5, repeats = 2, seed = 1, progress = FALSE)
fit_d <- dmil_fit(mix4_small$x, mix4_small$y, epochs = 5, seed = 1, progress = FALSE,
                  control = dmil_control(finetune_epochs = 2, scores = list(epochs = 3)))
fit_j <- dmil_fit(mix4_small$x, mix4_small$y, method = "joint", epochs = 5, seed = 1,
                  progress = FALSE)

draws <- function(expr) {
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  on.exit(grDevices::dev.off())
  force(expr)
}

test_that("base plots of fits, interactions and comparisons draw and return their input", {
  expect_identical(draws(plot(fit_d)), fit_d)
  expect_identical(draws(plot(fit_j)), fit_j)
  expect_identical(draws(plot(it)), it)
  expect_identical(draws(plot(it, type = "distribution")), it)
  cmp <- dmil_compare(list(joint = fit_j, dmil = fit_d), mix4_small$x, mix4_small$y,
                      group = mix4_small$type)
  expect_identical(draws(plot(cmp)), cmp)
  expect_error(plot(it, type = "pie"))
})

test_that("dmil_compare() tabulates accuracy by group and overall", {
  cmp <- dmil_compare(list(joint = fit_j, dmil = fit_d), mix4_small$x, mix4_small$y,
                      group = mix4_small$type)
  expect_s3_class(cmp, "dmil_comparison")
  expect_equal(nrow(cmp), 2 * 5)
  pred <- predict(fit_j, mix4_small$x)$.pred_class
  expect_equal(cmp$accuracy[cmp$method == "joint" & cmp$group == "overall"],
               mean(pred == mix4_small$y))
  expect_equal(cmp$accuracy[cmp$method == "joint" & cmp$group == "S"],
               mean((pred == mix4_small$y)[mix4_small$type == "S"]))
  expect_output(print(cmp), "Accuracy by group")
  expect_error(dmil_compare(list(fit_j), mix4_small$x, mix4_small$y), class = "dmil_error_arg")
})

test_that("dmil_compare() takes new_data, and new_x with a deprecation message", {
  rlang::local_options(rlib_message_verbosity = "verbose")
  new <- dmil_compare(list(joint = fit_j), new_data = mix4_small$x, y = mix4_small$y)
  expect_message(old <- dmil_compare(list(joint = fit_j), new_x = mix4_small$x, y = mix4_small$y),
                 class = "dmil_message_deprecated")
  expect_identical(old, new)
})

test_that("autoplot() methods return ggplots", {
  skip_if_not_installed("ggplot2")
  expect_s3_class(ggplot2::autoplot(fit_d), "ggplot")
  expect_s3_class(ggplot2::autoplot(fit_j), "ggplot")
  expect_s3_class(ggplot2::autoplot(it), "ggplot")
  expect_s3_class(ggplot2::autoplot(it, type = "distribution"), "ggplot")
  cmp <- dmil_compare(list(joint = fit_j), mix4_small$x, mix4_small$y, group = mix4_small$type)
  expect_s3_class(ggplot2::autoplot(rbind(cmp, cmp)), "ggplot")
  path <- withr::local_tempfile(fileext = ".png")
  expect_no_error(ggplot2::ggsave(path, ggplot2::autoplot(it), width = 5, height = 3))
})

test_that("cross-validation results plot a metric per split and method", {
  cv <- dmil_cv(mix4_small$x, mix4_small$y, folds = 2, methods = c("late", "joint"), epochs = 2,
                seed = 1, nthreads = 1)
  expect_identical(draws(plot(cv)), cv)
  expect_identical(draws(plot(cv, metric = "roc_auc")), cv)
  expect_error(plot(cv, metric = "auc"), class = "dmil_error_arg")
  skip_if_not_installed("ggplot2")
  p <- ggplot2::autoplot(cv, metric = "log_loss")
  expect_s3_class(p, "ggplot")
  expect_identical(p$labels$y, "log_loss")
})

test_that("every plot draws from one colour-blind-safe palette, redundancy and the first view apart", {
  pal <- dmil:::atom_palette(3)
  expect_length(pal, 5)
  expect_false(anyDuplicated(pal) > 0)
  expect_identical(pal[1], "#0072B2")  # r: blue
  expect_identical(pal[5], "#D55E00")  # s: vermillion
  expect_true(all(pal %in% dmil:::dm_palette(8)))
})

test_that("the profile's legend gets a margin as wide as its longest atom name", {
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  on.exit(grDevices::dev.off())
  short <- dmil:::legend_margin(c("r", "s"))
  long <- dmil:::legend_margin(c("r", "u_methylation", "s"))
  width <- graphics::strwidth("u_methylation", units = "inches") / graphics::par("csi")
  expect_gt(long[4] - short[4], width - 1)
  expect_gte(long[4], width + 3)
})

test_that("training curves keep the stages apart and in the order they ran", {
  skip_if_not_installed("ggplot2")
  p <- ggplot2::autoplot(fit_d)
  expect_identical(levels(p$data$stage), c("A", "R", "U", "S"))
  expect_length(unique(p$data$run), 4L)
  # the networks of a baseline are separate lines too
  ens <- dmil_fit(mix4_small$x, mix4_small$y, method = "ensemble", epochs = 3, seed = 1,
                  progress = FALSE)
  expect_length(unique(ggplot2::autoplot(ens)$data$run), 2L)
})

test_that("group names under the profile are staggered, and left out rather than overprinted", {
  path <- withr::local_tempfile(fileext = ".png")
  grDevices::png(path)
  on.exit(grDevices::dev.off())
  graphics::plot(c(0, 100), c(0, 1), type = "n")
  w <- graphics::strwidth("a_long_group_name", cex = 0.8)
  # three long names closer than their width: first line, second line, left out
  lines <- dmil:::group_labels(rep("a_long_group_name", 3), c(10, 10 + w / 2, 10 + w))
  expect_identical(lines, c(1L, 2L, NA))
  # far apart they all fit on the first line
  expect_identical(dmil:::group_labels(c("a", "b"), c(10, 60)), c(1L, 1L))
})
