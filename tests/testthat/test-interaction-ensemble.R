# dmil_fit(method = "interaction_ensemble"): the joint model and the
# ensemble's members, mixed per sample by the expected share of synergy.

ie_sim <- simulate_interactions(800, "mix4", seed = 41)
ie_fit <- function(..., method = "interaction_ensemble", epochs = 15) {
  dmil_fit(ie_sim$x, ie_sim$y, method = method, epochs = epochs, seed = 3, progress = FALSE, ...)
}
fit_ie <- ie_fit()

test_that("predictions are the synergy-weighted mixture of the joint model and the ensemble", {
  data <- dmil:::match_blueprint(ie_sim$x, fit_ie$views, 1)
  softmax <- function(l) exp(l - apply(l, 1, max)) / rowSums(exp(l - apply(l, 1, max)))
  pj <- softmax(dmil:::predict_logits(fit_ie, data, "joint", 1))
  pe <- softmax(dmil:::predict_logits(fit_ie, data, names(ie_sim$x), 1))
  ex <- as.data.frame(predict(interactions(fit_ie), ie_sim$x))
  pos <- pmax(as.matrix(ex[c("r", "u_x1", "u_x2", "s")]), 0)
  alpha <- ifelse(rowSums(pos) > 0, pos[, "s"] / rowSums(pos), 0)
  expect_equal(unname(as.matrix(predict(fit_ie, ie_sim$x, type = "prob"))),
               unname(alpha * pj + (1 - alpha) * pe), tolerance = 1e-6)
})

test_that("the log-mixture is exact at the ends and survives any logit gap", {
  lj <- rbind(c(0, -800), c(-2, -1))
  le <- rbind(c(-800, 0), c(-1, -3))
  expect_identical(dmil:::log_mixture(lj, le, c(0, 0)), le)
  expect_identical(dmil:::log_mixture(lj, le, c(1, 1)), lj)
  mid <- dmil:::log_mixture(lj, le, c(0.5, 0.25))
  expect_true(all(is.finite(mid)))
  expect_equal(mid[2, ], log(0.25 * exp(lj[2, ]) + 0.75 * exp(le[2, ])))
  expect_equal(mid[1, ], log(0.5) + c(0, 0))
})

test_that("summary() reports the combined model only where networks are combined", {
  expect_output(print(summary(fit_ie)), "Mixture of the 3 networks")
  joint <- ie_fit(method = "joint", epochs = 2)
  out <- capture.output(print(summary(joint)))
  expect_false(any(grepl("of the 1 networks", out)))
})

test_that("the synergy share is high on synergistic samples and low elsewhere", {
  alpha <- dmil:::synergy_share(interactions(fit_ie),
                                dmil:::match_blueprint(ie_sim$x, fit_ie$views, 1), 1)
  by_type <- tapply(alpha, ie_sim$type, mean)
  expect_gt(by_type[["S"]], 0.5)
  expect_lt(max(by_type[c("R", "U_x1", "U_x2")]), by_type[["S"]] - 0.3)
})

test_that("the members are the ensemble's and the interaction model scores the training rows", {
  ens <- ie_fit(method = "ensemble")
  for (v in names(ie_sim$x)) expect_identical(fit_ie$nets[[v]]$theta, ens$nets[[v]]$theta)
  expect_s3_class(interactions(fit_ie), "dmil_interactions")
  expect_equal(nrow(interactions(fit_ie)), fit_ie$n - fit_ie$n_val)
  expect_identical(fit_ie$val_metrics$net, c(names(ie_sim$x), "joint", "interaction_ensemble"))
})

test_that("an interaction-ensemble fit predicts every type, survives saveRDS() and does not depend on threads", {
  skip_without_openmp()
  expect_fit_contract(function(n) ie_fit(nthreads = n, epochs = 3), ie_sim$x)
})

test_that("data it cannot score are refused before training", {
  tiny <- factor(c(rep("a", 30), rep("b", 30), "c", "c"))
  x <- lapply(ie_sim$x, function(v) v[seq_along(tiny), ])
  expect_error(dmil_fit(x, tiny, method = "interaction_ensemble", epochs = 2),
               "cannot score", class = "dmil_error_arg")
  five <- c(ie_sim$x, list(x3 = ie_sim$x$x1, x4 = ie_sim$x$x2, x5 = ie_sim$x$x1))
  expect_error(dmil_fit(five, ie_sim$y, method = "interaction_ensemble", epochs = 2),
               class = "dmil_error_views")
})
