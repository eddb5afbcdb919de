# OGM-GE (dmil_fit(method = "ogm"), src/core/ogm.c): the coefficients, what
# the modulation touches, the noise, and the usual contract of a fit.

ogm_sim <- simulate_interactions(600, "mix4", K = 3, kappa = c(1, 0.5), seed = 21)
ogm_fit <- function(x = ogm_sim$x, y = ogm_sim$y, ...) {
  dmil_fit(x, y, method = "ogm", epochs = 4, seed = 1, progress = FALSE, ...)
}

# One batch through the C core: the plain and modulated gradients, the
# encoders' scores and coefficients, for the fit's parameters.
ogm_batch <- function(fit, x, y, rows, epoch = 0L, ge = FALSE, alpha = 0.5, key = 7) {
  skip_without_test_entries()
  net <- fit$nets$ogm
  net$modulation <- list(alpha = alpha, start = 0L, end = 1L, ge = as.integer(ge))
  bp <- fit$views
  .Call(dmil:::C_dm_ogm_grad, dmil:::training_views(lapply(x[names(bp)], function(v) v * 1.0), bp),
        as.integer(y) - 1L, nlevels(y), net, net$theta,
        as.integer(rows - 1L), as.integer(epoch), key)
}

# The scores by hand: standardised views, ReLU encoders, each view's share
# of the linear head with 1 / M of the bias.
ogm_scores_by_hand <- function(fit, x, y, rows) {
  theta <- fit$nets$ogm$theta
  K <- nlevels(y)
  off <- 0
  take <- function(n) {
    v <- theta[off + seq_len(n)]
    off <<- off + n
    v
  }
  h <- lapply(names(fit$views), function(v) {
    b <- fit$views[[v]]
    a <- sweep(sweep(x[[v]][rows, b$keep, drop = FALSE], 2, b$center), 2, b$scale, "/")
    for (l in seq_len(fit$settings$depth)) {
      W <- matrix(take(ncol(a) * fit$settings$hidden), nrow = fit$settings$hidden, byrow = TRUE)
      a <- pmax(sweep(a %*% t(W), 2, take(fit$settings$hidden), "+"), 0)
    }
    a
  })
  M <- length(h)
  W <- matrix(take(K * M * fit$settings$hidden), nrow = K, byrow = TRUE)
  bias <- take(K)
  expect_equal(off, length(theta))
  vapply(seq_len(M), function(m) {
    cols <- (m - 1) * fit$settings$hidden + seq_len(fit$settings$hidden)
    o <- sweep(h[[m]] %*% t(W[, cols, drop = FALSE]), 2, bias / M, "+")
    p <- exp(o - apply(o, 1, max))
    p <- p / rowSums(p)
    sum(p[cbind(seq_along(rows), as.integer(y[rows]))])
  }, numeric(1))
}

ogm_coefs_by_hand <- function(s, alpha) {
  rho <- vapply(seq_along(s), function(m) s[m] / mean(s[-m]), numeric(1))
  ifelse(rho > 1, 1 - tanh(alpha * rho), 1)
}

test_that("scores and coefficients match a hand computation, for two and three views", {
  sim3 <- simulate_interactions(300, "mix3", seed = 22)
  for (d in list(list(x = ogm_sim$x, y = ogm_sim$y), list(x = sim3$x, y = sim3$y))) {
    fit <- ogm_fit(d$x, d$y)
    rows <- 1:48
    b <- ogm_batch(fit, d$x, d$y, rows, alpha = 0.7)
    s <- ogm_scores_by_hand(fit, d$x, d$y, rows)
    expect_equal(b$score, s, tolerance = 1e-5)
    expect_equal(b$coef, ogm_coefs_by_hand(s, 0.7), tolerance = 1e-5)
    # the best view is slowed, the worst is not
    expect_lt(b$coef[which.max(s)], 1)
    expect_identical(b$coef[which.min(s)], 1)
  }
})

# Parameter blocks of the late-fusion net: each encoder's weight matrices,
# its biases, and the head.
ogm_blocks <- function(fit) {
  d <- vapply(fit$views, function(b) length(b$keep), integer(1))
  H <- fit$settings$hidden
  off <- 0
  blocks <- list()
  for (v in names(d)) {
    ins <- c(d[[v]], rep(H, fit$settings$depth - 1))
    for (l in seq_along(ins)) {
      blocks[[length(blocks) + 1]] <- list(view = v, kind = "W", idx = off + seq_len(ins[l] * H))
      off <- off + ins[l] * H
      blocks[[length(blocks) + 1]] <- list(view = v, kind = "b", idx = off + seq_len(H))
      off <- off + H
    }
  }
  c(blocks, list(list(view = NA, kind = "head", idx = seq(off + 1, length(fit$nets$ogm$theta)))))
}

test_that("modulation scales the leading view's weight gradients and leaves the rest untouched", {
  fit <- ogm_fit()
  b <- ogm_batch(fit, ogm_sim$x, ogm_sim$y, 1:64)
  lead <- names(fit$views)[which.min(b$coef)]
  k <- min(b$coef)
  for (bl in ogm_blocks(fit)) {
    if (identical(bl$view, lead) && bl$kind == "W") {
      expect_equal(b$grad[bl$idx], k * b$grad_plain[bl$idx], tolerance = 1e-6)
      expect_false(isTRUE(all.equal(b$grad[bl$idx], b$grad_plain[bl$idx])))
    } else {
      expect_identical(b$grad[bl$idx], b$grad_plain[bl$idx])
    }
  }
})

test_that("the GE noise reaches every encoder's weights with the spread of their gradient", {
  fit <- ogm_fit()
  b <- ogm_batch(fit, ogm_sim$x, ogm_sim$y, 1:64, ge = TRUE)
  kk <- stats::setNames(b$coef, names(fit$views))
  for (bl in ogm_blocks(fit)) {
    if (bl$kind == "W") {
      noise <- b$grad[bl$idx] - kk[[bl$view]] * b$grad_plain[bl$idx]
      # a layer of 16 x 64 or 64 x 64 weights: the ratio's sampling error is
      # about 1 / sqrt(2 * 1024), 0.02
      expect_equal(sd(noise) / sd(b$grad_plain[bl$idx]), 1, tolerance = 0.1)
      expect_lt(abs(mean(noise)), 3 * sd(b$grad_plain[bl$idx]) / sqrt(length(bl$idx)))
    } else {
      expect_identical(b$grad[bl$idx], b$grad_plain[bl$idx])
    }
  }
  # the noise is drawn from the batch's key
  again <- ogm_batch(fit, ogm_sim$x, ogm_sim$y, 1:64, ge = TRUE)
  other <- ogm_batch(fit, ogm_sim$x, ogm_sim$y, 1:64, ge = TRUE, key = 8)
  expect_identical(again$grad, b$grad)
  expect_false(identical(other$grad, b$grad))
})

test_that("outside the modulation window the gradient is the plain one", {
  fit <- ogm_fit()
  b <- ogm_batch(fit, ogm_sim$x, ogm_sim$y, 1:64, epoch = 2L, ge = TRUE)
  expect_identical(b$grad, b$grad_plain)
  expect_identical(b$coef, c(1, 1))
})

test_that("modulation changes training, and a tiny alpha changes it little", {
  late <- dmil_fit(ogm_sim$x, ogm_sim$y, method = "late", epochs = 4, seed = 1, progress = FALSE)
  ogm <- ogm_fit(control = ogm_control(ge = FALSE))
  tiny <- ogm_fit(control = ogm_control(alpha = 1e-6, ge = FALSE))
  expect_false(identical(ogm$nets$ogm$theta, late$nets$late$theta))
  expect_equal(tiny$nets$ogm$theta, late$nets$late$theta, tolerance = 1e-3)
})

test_that("an OGM fit predicts every type, survives saveRDS() and does not depend on threads", {
  skip_without_openmp()
  f2 <- expect_fit_contract(function(n) ogm_fit(nthreads = n), ogm_sim$x)
  expect_named(predict(f2, ogm_sim$x, type = "prob"), paste0(".pred_", levels(ogm_sim$y)))
  expect_error(predict(f2, ogm_sim$x, type = "components"), class = "dmil_error_arg")
})

test_that("settings belong to their method", {
  expect_error(ogm_fit(control = dmil_control()), "ogm_control", class = "dmil_error_arg")
  expect_error(dmil_fit(ogm_sim$x, ogm_sim$y, method = "joint", control = ogm_control()),
               "not used", class = "dmil_error_arg")
  expect_error(ogm_fit(control = ogm_control(start = 5, end = 6)), "No epoch would be modulated",
               class = "dmil_error_arg")
  expect_error(ogm_control(start = 3, end = 2), "at least", class = "dmil_error_arg")
  expect_error(ogm_control(alpha = 0), class = "dmil_error_arg")
  edited <- ogm_control()
  edited$alpha <- -1
  expect_error(ogm_fit(control = edited), "alpha", class = "dmil_error_arg")
})

test_that("dmil_cv() gives a method's settings to that method only", {
  cv <- dmil_cv(ogm_sim$x, ogm_sim$y, folds = 2, methods = c("joint", "ogm"), epochs = 2,
                control = ogm_control(alpha = 0.2), seed = 3)
  expect_setequal(unique(cv$method), c("joint", "ogm"))
  expect_error(dmil_cv(ogm_sim$x, ogm_sim$y, folds = 2, methods = "joint", epochs = 2,
                       control = ogm_control()), "not among", class = "dmil_error_arg")
})

test_that("a window without epochs and values C cannot hold are refused before training", {
  # by default modulation ends at half the epochs: 2 of 4
  expect_error(ogm_fit(control = ogm_control(start = 3)), "No epoch would be modulated",
               class = "dmil_error_arg")
  expect_error(ogm_control(alpha = 1e-50), class = "dmil_error_arg")
  expect_error(ogm_control(end = 3e9), class = "dmil_error_arg")
  expect_error(umt_control(lambda = 1e300), class = "dmil_error_arg")
})
