# Same seed, same result, whatever the number of threads.

d <- sim_bits(600, "xor", seed = 41)

test_that("fits with 1 and 2 threads are identical", {
  for (m in c("joint", "late", "ensemble", "early", "unimodal")) {
    f1 <- quick_fit(d, m, seed = 9, nthreads = 1, batch_size = 128)
    f2 <- quick_fit(d, m, seed = 9, nthreads = 2, batch_size = 128)
    expect_identical(f1$nets, f2$nets, label = m)
    expect_identical(f1$history, f2$history, label = m)
    expect_identical(predict(f1, d$x, type = "logit", nthreads = 1),
                     predict(f2, d$x, type = "logit", nthreads = 2), label = m)
  }
})

test_that("the same seed gives the same fit", {
  f1 <- quick_fit(d, seed = 123)
  f2 <- quick_fit(d, seed = 123)
  expect_identical(f1$nets, f2$nets)
  expect_identical(f1$val_rows, f2$val_rows)
})

test_that("different seeds give different fits", {
  f1 <- quick_fit(d, seed = 1)
  f2 <- quick_fit(d, seed = 2)
  expect_false(identical(f1$nets$joint$theta, f2$nets$joint$theta))
  expect_false(identical(f1$val_rows, f2$val_rows))
})

test_that("without a seed, set.seed() makes the fit reproducible and the seed is recorded", {
  set.seed(77)
  f1 <- quick_fit(d)
  set.seed(77)
  f2 <- quick_fit(d)
  expect_identical(f1$nets, f2$nets)
  expect_identical(f1$settings$seed, f2$settings$seed)
  f3 <- quick_fit(d, seed = f1$settings$seed)
  expect_identical(f1$nets, f3$nets)
})

test_that("predictions do not depend on the number of threads or on batch composition", {
  fit <- quick_fit(d, seed = 3)
  full <- predict(fit, d$x, type = "logit", nthreads = 1)
  two <- predict(fit, d$x, type = "logit", nthreads = 2)
  expect_identical(full, two)
})
