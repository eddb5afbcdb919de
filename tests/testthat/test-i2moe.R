# I2MoE (dmil_fit(method = "i2moe"), src/core/i2moe.c): the joint encoders
# feed M + 2 expert heads mixed per sample by a gate; each expert is trained
# with a loss on how its output moves when one view is replaced by noise.

moe_sim <- simulate_interactions(600, "mix4", seed = 41)
moe_fit <- function(..., epochs = 3) {
  dmil_fit(moe_sim$x, moe_sim$y, method = "i2moe", hidden = 16, epochs = epochs, seed = 3,
           progress = FALSE, ...)
}

# A stack of dense layers read from theta (W out x in by rows, then b), as
# src/core/dm_mlp.h lays them out; ReLU on every layer but the last.
# Returns the output and the offset after the stack.
mlp_forward <- function(theta, off, dims, X) {
  for (l in seq_len(length(dims) - 1)) {
    W <- matrix(theta[off + seq_len(dims[l + 1] * dims[l])], dims[l + 1], dims[l], byrow = TRUE)
    off <- off + dims[l + 1] * dims[l]
    b <- theta[off + seq_len(dims[l + 1])]
    off <- off + dims[l + 1]
    X <- sweep(X %*% t(W), 2, b, `+`)
    if (l < length(dims) - 1) X <- pmax(X, 0)
  }
  list(out = X, off = off)
}

# Each expert's logits (a list, C's order: uniqueness per view, synergy,
# redundancy) and the gate's weights on encodings h, from the fit's weights.
moe_parts <- function(fit, h) {
  net <- fit$nets$i2moe
  H <- net$heads
  K <- length(fit$levels)
  D <- ncol(h)
  head_dims <- c(D, rep(net$head_width, net$head_layers - 1), K)
  gate_dims <- c(D, rep(net$gate$width, net$gate$layers - 1), H)
  n_head <- sum(head_dims[-1] * head_dims[-length(head_dims)] + head_dims[-1])
  n_gate <- sum(gate_dims[-1] * gate_dims[-length(gate_dims)] + gate_dims[-1])
  off <- length(net$theta) - H * n_head - n_gate
  experts <- lapply(seq_len(H), function(b) mlp_forward(net$theta, off + (b - 1) * n_head, head_dims, h)$out)
  g <- mlp_forward(net$theta, off + H * n_head, gate_dims, h)$out / net$gate$temperature
  w <- exp(g - apply(g, 1, max))
  list(experts = experts, weights = w / rowSums(w))
}

test_that("the prediction mixes M + 2 expert heads by the gate's weights", {
  fit <- moe_fit()
  h <- do.call(cbind, dmil:::fit_encodings(fit, moe_sim$x))
  parts <- moe_parts(fit, h)
  expect_length(parts$experts, length(moe_sim$x) + 2)
  mixed <- Reduce(`+`, Map(function(z, b) z * parts$weights[, b], parts$experts, seq_along(parts$experts)))
  expect_equal(unname(as.matrix(predict(fit, moe_sim$x, type = "logit"))), mixed, tolerance = 1e-4)
})

test_that("the expert weights sum to one per sample and are named like the atoms", {
  fit <- moe_fit()
  w <- interactions(fit)
  expect_s3_class(w, "dmil_expert_weights")
  expect_named(w, c("sample", "label", "validation", "r", paste0("u_", names(moe_sim$x)), "s", "dominant"))
  expect_equal(nrow(w), length(moe_sim$y))
  wt <- as.matrix(w[c("r", "u_x1", "u_x2", "s")])
  expect_true(all(wt >= 0))
  expect_equal(unname(rowSums(wt)), rep(1, nrow(wt)), tolerance = 1e-6)
  expect_identical(which(w$validation), fit$val_rows)
  expect_identical(w$sample, as.character(seq_len(nrow(w))))
  expect_identical(as.character(w$dominant), c("R", "U_x1", "U_x2", "S")[max.col(wt, "first")])
  # the same weights as the gate computed in R from the fit's parameters
  h <- do.call(cbind, dmil:::fit_encodings(fit, moe_sim$x))
  expect_equal(unname(wt), moe_parts(fit, h)$weights[, c(4, 1, 2, 3)], tolerance = 1e-5)
})

test_that("each expert learns the reaction to a lost view that its loss asks for", {
  fit <- moe_fit(epochs = 30, control = i2moe_control(lambda = 5))
  enc <- dmil:::fit_encodings(fit, moe_sim$x)
  h <- do.call(cbind, enc)
  clean <- moe_parts(fit, h)$experts
  set.seed(1)
  lost <- lapply(seq_along(enc), function(m) {
    hm <- enc
    hm[[m]][] <- rnorm(length(hm[[m]]))
    moe_parts(fit, do.call(cbind, hm))$experts
  })
  cosine <- function(a, b) mean(rowSums(a * b) / sqrt(rowSums(a^2) * rowSums(b^2)))
  moved <- function(a, b) mean(sqrt(rowSums((a - b)^2)))
  M <- length(enc)
  # the redundancy expert keeps its direction when a view is lost, the synergy expert does not
  red <- mean(vapply(seq_len(M), function(m) cosine(clean[[M + 2]], lost[[m]][[M + 2]]), 0))
  syn <- mean(vapply(seq_len(M), function(m) cosine(clean[[M + 1]], lost[[m]][[M + 1]]), 0))
  expect_gt(red, syn + 0.5)
  # a uniqueness expert moves more when its own view is lost than any other
  for (e in seq_len(M)) {
    own <- moved(clean[[e]], lost[[e]][[e]])
    other <- max(vapply(setdiff(seq_len(M), e), function(m) moved(clean[[e]], lost[[m]][[e]]), 0))
    expect_gt(own, other + 0.5)
  }
})

test_that("an I2MoE fit predicts every type, survives saveRDS() and does not depend on threads", {
  skip_without_openmp()
  f2 <- expect_fit_contract(function(n) moe_fit(nthreads = n), moe_sim$x)
  # the interaction losses take part in training
  expect_false(identical(moe_fit(control = i2moe_control(lambda = 0))$nets, f2$nets))
})

test_that("i2moe_control() checks its arguments and belongs to method i2moe", {
  expect_error(i2moe_control(lambda = -1), class = "dmil_error_arg")
  expect_error(i2moe_control(temperature = 0), class = "dmil_error_arg")
  expect_error(i2moe_control(gate_depth = 0), class = "dmil_error_arg")
  expect_error(moe_fit(control = umt_control()), "i2moe_control", class = "dmil_error_arg")
  expect_error(dmil_fit(moe_sim$x, moe_sim$y, method = "joint", control = i2moe_control()),
               class = "dmil_error_arg")
  expect_output(print(i2moe_control()), "temperature")
})

test_that("I2MoE refuses more views than its experts can cover", {
  x <- rep(list(matrix(rnorm(40), 20)), dmil:::i2moe_max_views + 1)
  names(x) <- paste0("v", seq_along(x))
  expect_error(dmil_fit(x, rep(1:2, 10), method = "i2moe"), "at most", class = "dmil_error_arg")
})

test_that("only fits that score their samples have interactions()", {
  fit <- dmil_fit(moe_sim$x, moe_sim$y, method = "late", hidden = 8, epochs = 2, progress = FALSE)
  expect_error(interactions(fit), "I2MoE", class = "dmil_error_arg")
})

test_that("augment() gives the gate's weights of new samples", {
  fit <- moe_fit()
  rows <- 1:50
  a <- augment(fit, lapply(moe_sim$x, function(v) v[rows, ]))
  w <- interactions(fit)[rows, ]
  # (float sums may differ in the last digit with the number of rows)
  for (e in c("r", "u_x1", "u_x2", "s")) expect_equal(a[[paste0(".weight_", e)]], w[[e]], tolerance = 1e-6)
  expect_identical(a$.dominant, w$dominant)
  expect_identical(a$.pred_class, predict(fit, lapply(moe_sim$x, function(v) v[rows, ]))$.pred_class)
})
