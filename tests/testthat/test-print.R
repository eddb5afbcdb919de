d <- sim_bits(300, "first", seed = 91)

test_that("print() shows the method, views, samples and validation accuracy", {
  fit <- quick_fit(d, "joint", seed = 1)
  out <- capture.output(print(fit))
  expect_match(out[1], "<dmil_fit> joint fusion")
  expect_match(out, "2 views: a \\(4\\), b \\(4\\)", all = FALSE)
  expect_match(out, "300 samples \\(270 training, 30 validation\\)", all = FALSE)
  expect_match(out, "validation accuracy", all = FALSE)
  expect_output(expect_invisible(print(fit)))
})

test_that("print() of unimodal fits marks the view used by predict()", {
  fit <- quick_fit(d, "unimodal", seed = 1, which = "b")
  expect_output(print(fit), "b\\* ")
})

test_that("summary() tabulates views, classes and networks", {
  fit <- quick_fit(d, "ensemble", seed = 1)
  s <- summary(fit)
  expect_s3_class(s, "summary.dmil_fit")
  expect_named(s$networks, c("network", "stage", "views", "parameters", "epochs", "best_epoch",
                             "train_loss", "val_log_loss", "val_accuracy", "kept"))
  expect_equal(nrow(s$networks), 2)
  expect_equal(s$networks$parameters, c(length(fit$nets$a$theta), length(fit$nets$b$theta)))
  expect_equal(sum(s$classes), 300)
  expect_output(print(s), "Ensemble of the 2 networks")
})
