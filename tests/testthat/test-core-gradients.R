# Finite-difference checks of every hand-written backward pass in the core:
# dense layers (linear and ReLU, including the input gradient), softmax
# cross-entropy (plain and weighted), a 3-layer stack, and whole baseline
# networks through the sharded batch gradient used in training (I2MoE's
# mixture of heads and interaction losses included), and the
# Gaussian-mixture density of the LSMI estimator, and the calibration maps
# and stacks behind per-sample interactions.

skip_without_test_entries()
cases <- setdiff(.Call(dmil:::C_dm_gradcheck_cases), "broken_dense")

for (case in cases) {
  test_that(paste("backward pass matches finite differences:", case), {
    for (seed in 1:3) {
      err <- .Call(dmil:::C_dm_gradcheck, case, seed)
      expect_lt(err, 1e-2, label = sprintf("%s (seed %d) relative error", case, seed))
    }
  })
}

test_that("every model dmil_fit() trains has its training gradient checked", {
  # The gradient check that covers each method's training loss: a new
  # method must be added here, with a check of its own if its loss is new
  # (OGM-GE rescales late fusion's gradient, checked in test-ogm.R).
  dmil_terms <- paste0("dmil_", c("full", "uni", "red", "uni_sg", "syn_sg", "align", "kl", "orth",
                                   "anova", "all", "deterministic"))
  covering <- list(dmil = dmil_terms, joint = "net_joint", late = "net_late",
                   ensemble = "net_unimodal", early = "net_early", unimodal = "net_unimodal",
                   ogm = "net_late", umt = c("net_unimodal", "net_distill"), i2moe = "net_i2moe",
                   interaction_ensemble = c("net_joint", "net_unimodal", "calib_map", "calib_stack"))
  expect_setequal(names(covering), eval(formals(dmil_fit)$method))
  expect_true(all(unlist(covering) %in% cases))
})

test_that("the gradient checker detects a wrong gradient", {
  # Same check as dense_relu with one bias gradient doubled.
  errs <- vapply(1:3, function(s) .Call(dmil:::C_dm_gradcheck, "broken_dense", s), numeric(1))
  expect_true(all(errs > 0.05))
})
