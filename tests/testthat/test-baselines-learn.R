# Each baseline learns what it can represent and nothing more: on XOR across
# two views (pure synergy) the nonlinear fusion models reach Bayes accuracy
# while the logit-additive ones stay at chance.

xor_train <- sim_bits(2000, "xor", seed = 11)
xor_test <- sim_bits(2000, "xor", seed = 12)

fit_on <- function(data, method, ...) {
  dmil_fit(data$x, data$y, method = method, epochs = 40, seed = 5, progress = FALSE, ...)
}

test_that("joint fusion solves XOR across views", {
  expect_gt(test_accuracy(fit_on(xor_train, "joint"), xor_test), 0.95)
})

test_that("early fusion solves XOR across views", {
  expect_gt(test_accuracy(fit_on(xor_train, "early"), xor_test), 0.95)
})

# A logit-additive model's best cross-entropy on balanced XOR is reached with
# constant logits, so it learns nothing: its test log-loss stays at log 2
# (0.693). Its accuracy is then decided by the signs of near-zero logits; an
# additive rule can be right on 3 of the 4 XOR cells (e.g. OR), so accuracy
# lands anywhere between 0.25 and 0.75, near 0.5 on average, and the
# best-epoch selection on validation accuracy pushes it up a little.
expect_chance <- function(fit, data) {
  p <- predict(fit, data$x, type = "prob")$.pred_pos
  logloss <- -mean(ifelse(data$y == "pos", log(p), log(1 - p)))
  acc <- mean((p > 0.5) == (data$y == "pos"))
  expect_gt(logloss, 0.67)
  expect_lt(abs(acc - 0.5), 0.2)
}

test_that("late fusion stays at chance on XOR", {
  expect_chance(fit_on(xor_train, "late"), xor_test)
})

test_that("the modality ensemble stays at chance on XOR", {
  expect_chance(fit_on(xor_train, "ensemble"), xor_test)
})

uni_train <- sim_bits(1500, "first", seed = 21)
uni_test <- sim_bits(1500, "first", seed = 22)

test_that("every fusion method learns a label carried by one view", {
  for (m in c("joint", "late", "ensemble", "early")) {
    expect_gt(test_accuracy(fit_on(uni_train, m), uni_test), 0.95, label = m)
  }
})

test_that("unimodal networks are right on the informative view and at chance on the other", {
  fit <- fit_on(uni_train, "unimodal")
  expect_gt(test_accuracy(fit, uni_test, which = "a"), 0.95)
  expect_lt(abs(test_accuracy(fit, uni_test, which = "b") - 0.5), 0.06)
  # the default is the view chosen at fit time
  expect_identical(predict(fit, uni_test$x), predict(fit, uni_test$x, which = "a"))
})

test_that("more than two views are supported", {
  withr::local_seed(4)
  d <- sim_bits(1000, "xor", seed = 31)
  d$x$noise <- matrix(stats::rnorm(3000), 1000, 3)
  t <- sim_bits(1000, "xor", seed = 32)
  t$x$noise <- matrix(stats::rnorm(3000), 1000, 3)
  fit <- fit_on(d, "joint")
  expect_equal(length(fit$views), 3)
  expect_gt(test_accuracy(fit, t), 0.9)
})

test_that("multiclass labels are supported", {
  withr::local_seed(3)
  n <- 900
  cls <- sample(1:3, n, TRUE)
  x <- list(p = matrix(rnorm(n * 3, sd = 0.3), n) + diag(3)[cls, ],
            q = matrix(rnorm(n * 2), n))
  fit <- dmil_fit(x, letters[cls], method = "late", epochs = 30, seed = 1, progress = FALSE)
  expect_identical(fit$levels, c("a", "b", "c"))
  expect_gt(mean(predict(fit, x)$.pred_class == letters[cls]), 0.95)
})
