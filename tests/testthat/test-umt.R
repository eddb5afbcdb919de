# UMT (dmil_fit(method = "umt"), src/core/distill.c): teachers trained as the
# ensemble's members, a joint student pulled towards their encodings.

umt_sim <- simulate_interactions(500, "mix4", K = 3, kappa = c(1, 0.5), seed = 31)
umt_fit <- function(..., method = "umt") {
  dmil_fit(umt_sim$x, umt_sim$y, method = method, epochs = 3, seed = 2, progress = FALSE, ...)
}

# The student's batch loss (summed over rows) and gradient with UMT's
# feature targets `target` (n x encodings) at weight `w`.
distill_batch <- function(fit, theta, target, w, rows = 1:40) {
  skip_without_test_entries()
  net <- fit$nets$umt
  bp <- fit$views
  .Call(dmil:::C_dm_distill_grad, dmil:::training_views(lapply(umt_sim$x[names(bp)], function(v) v * 1.0), bp),
        as.integer(umt_sim$y) - 1L, nlevels(umt_sim$y), net, theta,
        as.integer(rows - 1L), target, w)
}

teacher_targets <- function(fit) {
  do.call(cbind, lapply(names(fit$aux_nets), function(t) dmil:::fit_encodings(fit, umt_sim$x, t)[[1]]))
}

test_that("the teachers are the ensemble's members", {
  umt <- umt_fit()
  ens <- umt_fit(method = "ensemble")
  expect_named(umt$aux_nets, paste0("teacher_", names(umt_sim$x)))
  for (v in names(umt_sim$x)) {
    expect_identical(umt$aux_nets[[paste0("teacher_", v)]]$theta, ens$nets[[v]]$theta)
  }
  expect_named(umt$nets, "umt")
  expect_setequal(unique(umt$history$net), c(paste0("teacher_", names(umt_sim$x)), "umt"))
})

test_that("the distillation term vanishes when the encoders equal the teachers'", {
  fit <- umt_fit()
  target <- teacher_targets(fit)
  # the student with each encoder replaced by its teacher's
  theta <- fit$nets$umt$theta
  off <- 0
  for (t in fit$aux_nets) {
    n_enc <- length(t$theta) - length(fit$levels) * (fit$settings$hidden + 1)
    theta[off + seq_len(n_enc)] <- t$theta[seq_len(n_enc)]
    off <- off + n_enc
  }
  on <- distill_batch(fit, theta, target, 1)
  off_ <- distill_batch(fit, theta, target, 0)
  expect_equal(on$loss, off_$loss, tolerance = 1e-7)
  expect_equal(on$grad, off_$grad, tolerance = 1e-6)
  # with the student's own encoders the term is positive and moves the gradient
  own_on <- distill_batch(fit, fit$nets$umt$theta, target, 1)
  own_off <- distill_batch(fit, fit$nets$umt$theta, target, 0)
  expect_gt(own_on$loss - own_off$loss, 1e-3)
  expect_false(isTRUE(all.equal(own_on$grad, own_off$grad)))
})

test_that("the distillation term is the weighted mean squared distance per encoder", {
  fit <- umt_fit()
  target <- teacher_targets(fit)
  theta <- fit$nets$umt$theta
  rows <- 1:40
  h <- do.call(cbind, dmil:::fit_encodings(fit, umt_sim$x))[rows, ]
  H <- fit$settings$hidden
  by_hand <- sum(vapply(seq_along(fit$aux_nets), function(e) {
    cols <- (e - 1) * H + seq_len(H)
    sum((h[, cols] - target[rows, cols])^2) / H
  }, numeric(1)))
  diff <- distill_batch(fit, theta, target, 2.5, rows)$loss - distill_batch(fit, theta, target, 0, rows)$loss
  expect_equal(diff, 2.5 * by_hand, tolerance = 1e-4)
})

test_that("a UMT fit predicts every type, survives saveRDS() and does not depend on threads", {
  skip_without_openmp()
  f2 <- expect_fit_contract(function(n) umt_fit(nthreads = n), umt_sim$x)
  expect_false(identical(umt_fit(control = umt_control(lambda = 0))$nets, f2$nets))
})

test_that("umt_control() checks its argument", {
  expect_error(umt_control(lambda = -1), class = "dmil_error_arg")
  expect_error(umt_fit(control = ogm_control()), "umt_control", class = "dmil_error_arg")
})
