test_that("a fit survives saveRDS()/readRDS() and predicts identically", {
  d <- sim_bits(400, "first", seed = 51)
  for (m in c("joint", "ensemble", "unimodal")) {
    fit <- quick_fit(d, m, seed = 1)
    path <- withr::local_tempfile(fileext = ".rds")
    saveRDS(fit, path)
    back <- readRDS(path)
    expect_identical(back, fit)
    expect_identical(predict(back, d$x, type = "logit"), predict(fit, d$x, type = "logit"))
  }
})

test_that("a fit holds only plain R data", {
  fit <- quick_fit(sim_bits(300, "first", seed = 52), seed = 1)
  leaves <- rapply(unclass(fit), function(v) typeof(v), how = "unlist")
  expect_false(any(leaves %in% c("externalptr", "environment", "closure", "raw")))
  expect_type(fit$nets$joint$theta, "double")
})
