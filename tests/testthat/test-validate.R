# Fits are plain R data; an edited or damaged one is refused before C reads it.
d <- sim_bits(300, "both", seed = 12)
fit <- dmil_fit(d$x, d$y, method = "joint", epochs = 2, seed = 1, nthreads = 1)
damaged <- function(edit) {
  f <- fit
  edit(f)
}

test_that("a damaged fit is a dmil_error_fit naming the broken field, before any prediction", {
  cases <- list(
    "nets\\$joint\\$theta" = function(f) { f$nets$joint$theta[5] <- NA; f },
    "views\\$a" = function(f) { f$views$a$scale[2] <- 0; f },
    "views\\$b" = function(f) { f$views$b$center <- f$views$b$center[-1]; f },
    "method" = function(f) { f$method <- "foo"; f },
    "levels" = function(f) { f$levels <- "neg"; f },
    "nets" = function(f) { f$nets <- list(); f }
  )
  for (field in names(cases)) {
    f <- damaged(cases[[field]])
    expect_error(predict(f, d$x), field, class = "dmil_error_fit", label = field)
    expect_error(augment(f, d$x), field, class = "dmil_error_fit", label = field)
    expect_error(summary(f), field, class = "dmil_error_fit", label = field)
    expect_output(print(f), "damaged", label = field)
  }
})

test_that("parameters that do not fit the architecture are refused by the core, with the same class", {
  f <- damaged(function(f) { f$nets$joint$theta <- f$nets$joint$theta[-1]; f })
  expect_error(predict(f, d$x), "wrong number of weights", class = "dmil_error_fit")
})

test_that("an intact fit passes, and so does its saved copy", {
  expect_no_error(dmil:::validate_dmil_fit(fit))
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(fit, path)
  expect_identical(predict(readRDS(path), d$x), predict(fit, d$x))
})

test_that("a fit saved before the metrics were renamed predicts, and its records say why they cannot be read", {
  old <- fit
  rename <- function(d) {
    names(d)[names(d) == "val_accuracy"] <- "val_acc"
    names(d)[names(d) == "val_log_loss"] <- "val_loss"
    d
  }
  old$history <- rename(old$history)
  old$val_metrics <- rename(old$val_metrics)
  old$fingerprint <- NULL
  expect_identical(predict(old, d$x), predict(fit, d$x))
  expect_error(glance(old), "earlier version", class = "dmil_error_fit")
  expect_error(tidy(old), "earlier version", class = "dmil_error_fit")
  expect_output(print(old), "damaged")
})
