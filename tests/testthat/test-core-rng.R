# The float noise generator behind DMIL's reparameterised sampling
# (dm_rng_normals in src/core/rng.c).

skip_without_test_entries()

test_that("the noise generator draws standard normals", {
  z <- .Call(dmil:::C_dm_rng_normals, 12345, 200001L)
  expect_length(z, 200001L)
  # 2e5 draws: the mean's standard error is 0.0022, the sd's 0.0016
  expect_lt(abs(mean(z)), 0.01)
  expect_lt(abs(sd(z) - 1), 0.01)
  expect_gt(suppressWarnings(stats::ks.test(z, "pnorm"))$p.value, 0.01)
  # the two outputs of one draw are uncorrelated
  pairs <- matrix(z[1:200000], nrow = 2)
  expect_lt(abs(cor(pairs[1, ], pairs[2, ])), 0.01)
})

test_that("the noise generator is a function of its seed", {
  expect_identical(.Call(dmil:::C_dm_rng_normals, 7, 101L), .Call(dmil:::C_dm_rng_normals, 7, 101L))
  expect_false(identical(.Call(dmil:::C_dm_rng_normals, 7, 101L), .Call(dmil:::C_dm_rng_normals, 8, 101L)))
  # an odd count is the prefix of the next even one
  expect_identical(.Call(dmil:::C_dm_rng_normals, 7, 101L), .Call(dmil:::C_dm_rng_normals, 7, 102L)[1:101])
})
