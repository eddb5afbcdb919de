# DMIL's pool: the decomposition network and the component learners of
# dmil_control(members), combined by a log-linear pool with weights chosen
# on the validation rows.

# every member, so that each kind is exercised (the default omits the ensemble)
sim <- simulate_interactions(900, "mix4", sigma = 0.4, seed = 102)
train <- 1:600
test <- 601:900
xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
pool_fit <- function(members = c("joint", "late", "early", "ensemble"), method = "dmil", seed = 5, ...) {
  control <- if (method == "dmil") dmil_control(finetune = FALSE, members = members)
  dmil_fit(xs(train), sim$y[train], method = method, hidden = 16, epochs = 8, control = control,
           seed = seed, progress = FALSE, ...)
}
fit <- pool_fit()
# the network alone and each member fitted on its own, with the same seed
parts <- list(dmil = pool_fit(members = character()), joint = pool_fit(method = "joint"),
              late = pool_fit(method = "late"), early = pool_fit(method = "early"),
              ensemble = pool_fit(method = "ensemble"))
log_probs <- function(f, x) dmil:::log_softmax(as.matrix(predict(f, x, type = "logit")))

test_that("the pool's members are the baselines fitted with the same seed", {
  for (m in c("joint", "late", "early")) expect_identical(fit$nets[[m]]$theta, parts[[m]]$nets[[m]]$theta)
  for (v in names(sim$x)) {
    expect_identical(fit$nets[[paste0("ensemble_", v)]]$theta, parts$ensemble$nets[[v]]$theta)
  }
  # and the network is the one fitted without a pool
  expect_identical(fit$nets$dmil, parts$dmil$nets$dmil)
})

test_that("the weights are those that pool the members best on the validation rows", {
  val <- xs(train[fit$val_rows])
  lp <- lapply(parts, log_probs, x = val)
  expect_identical(fit$pool$weights, dmil:::pool_weights(lp, sim$y[train][fit$val_rows]))
})

test_that("predictions pool the members' log-probabilities with the fitted weights", {
  w <- fit$pool$weights
  expect_named(w, c("dmil", "joint", "late", "early", "ensemble"))
  expected <- Reduce(`+`, Map(function(f, wj) wj * log_probs(f, xs(test)), parts, w))
  # the ensemble fit averages its members' log-probabilities in float (the
  # core), the pool in double
  expect_equal(unname(as.matrix(predict(fit, xs(test), type = "logit"))), unname(expected),
               tolerance = 1e-7)
  expect_equal(unname(as.matrix(predict(fit, xs(test), type = "prob"))),
               dmil:::softmax_rows(unname(expected)), tolerance = 1e-7)
  expect_equal(predict(fit, xs(test))$.pred_class,
               factor(fit$levels[max.col(expected, ties.method = "first")], levels = fit$levels))
})

test_that("the weights lie on the simplex in steps of 0.1", {
  w <- fit$pool$weights
  expect_equal(sum(w), 1)
  expect_true(all(w >= 0))
  expect_equal(w * 10, round(w * 10))
})

test_that("the weights favour the member with the lower validation log-loss", {
  withr::local_seed(1)
  n <- 400
  y <- factor(sample(c("a", "b"), n, TRUE))
  good <- cbind(ifelse(y == "a", log(0.9), log(0.1)), ifelse(y == "a", log(0.1), log(0.9)))
  noise <- dmil:::log_softmax(matrix(rnorm(2 * n), n))
  w <- dmil:::pool_weights(list(noise = noise, good = good), y)
  expect_gte(w[["good"]], 0.9)
  # few validation rows pull the weights towards equal ones
  few <- dmil:::pool_weights(list(noise = noise[1:4, ], good = good[1:4, ]), y[1:4])
  expect_lt(few[["good"]], w[["good"]])
  # none gives equal weights
  expect_equal(dmil:::pool_weights(list(noise = noise, good = good), NULL), c(noise = 0.5, good = 0.5))
})

test_that("a member that needs a missing view leaves the pool and the others' weights are rescaled", {
  lp <- list(a = matrix(log(c(0.5, 0.5)), 2, 2, byrow = TRUE),
             b = rbind(log(c(0.9, 0.1)), NA), c = matrix(log(c(0.2, 0.8)), 2, 2, byrow = TRUE))
  out <- dmil:::pool_combine(lp, c(a = 0.2, b = 0.6, c = 0.2))
  expect_equal(out[1, ], 0.2 * lp$a[1, ] + 0.6 * lp$b[1, ] + 0.2 * lp$c[1, ])
  expect_equal(out[2, ], 0.5 * lp$a[2, ] + 0.5 * lp$c[2, ])
  # members whose weights are all 0 count equally
  expect_equal(dmil:::pool_combine(lp, c(a = 0, b = 1, c = 0))[2, ], 0.5 * lp$a[2, ] + 0.5 * lp$c[2, ])
})

test_that("without a view, the network and the ensemble's present members predict", {
  w <- fit$pool$weights
  only_a <- xs(test)["x1"]
  net <- log_probs(parts$dmil, only_a)
  ens_a <- dmil:::log_softmax(dmil:::predict_logits(fit, dmil:::match_blueprint(only_a, fit$views["x1"], 1L),
                                                   "ensemble_x1", 1L))
  total <- w[["dmil"]] + w[["ensemble"]]
  expected <- if (total > 0) (w[["dmil"]] * net + w[["ensemble"]] * ens_a) / total else (net + ens_a) / 2
  expect_equal(unname(as.matrix(predict(fit, only_a, type = "logit"))), unname(expected), tolerance = 1e-12)
})

test_that("members = character() gives the network alone", {
  net <- parts$dmil
  expect_null(net$pool)
  expect_named(net$nets, "dmil")
  expect_identical(net$val_metrics$net, "dmil")
})

test_that("tidy(), glance() and the validation metrics cover the network and every member", {
  tab <- tidy(fit)
  expect_identical(tab$network, c("dmil", "joint", "late", "early", "ensemble_x1", "ensemble_x2"))
  expect_identical(tab$stage, c("A", rep(NA, 5)))
  expect_identical(glance(fit)$parameters, sum(unique(tab[c("network", "parameters")])$parameters))
  expect_identical(fit$val_metrics$net, c("dmil", "joint", "late", "early", "ensemble", "pool"))
  vm <- dmil:::logit_metrics(as.matrix(predict(fit, xs(train[fit$val_rows]), type = "logit")),
                             sim$y[train][fit$val_rows])
  expect_equal(glance(fit)$val_accuracy, vm$val_accuracy)
  expect_equal(glance(fit)$val_log_loss, vm$val_log_loss)
})

test_that("dmil_control() checks the members", {
  expect_error(dmil_control(members = "umt"), class = "dmil_error_arg")
  expect_error(dmil_control(members = c("joint", "joint")), class = "dmil_error_arg")
  expect_identical(dmil_control(members = c("ensemble", "joint"))$members, c("joint", "ensemble"))
  expect_identical(dmil_control(members = NULL)$members, character())
})

test_that("a pooled fit is the same for 1 and 2 threads and after saveRDS()", {
  skip_without_openmp()
  expect_fit_contract(function(n) pool_fit(nthreads = n), xs(test), types = c("class", "prob", "logit", "components"))
})

test_that("print() and summary() name the pool and its weights", {
  expect_output(print(fit), "pooled with joint, late, early, ensemble; weights network")
  out <- capture.output(print(summary(fit)))
  expect_match(out, "DMIL's network pooled with joint, late, early, ensemble: validation accuracy",
               all = FALSE)
  expect_match(out, "ensemble_x2", all = FALSE)
})

test_that("components are the network's, for the class the pool predicts", {
  comp <- predict(fit, xs(test), type = "components")
  expect_identical(comp$.pred_class, predict(fit, xs(test))$.pred_class)
  net <- dmil:::dmil_predict_core(fit, dmil:::match_blueprint(xs(test), fit$views, 1L), 1L)$logits
  cls <- as.integer(comp$.pred_class)
  total <- comp$.comp_R + comp$.comp_U_x1 + comp$.comp_U_x2 + comp$.comp_S + comp$.comp_bias
  expect_equal(total, unname(net[cbind(seq_along(cls), cls)]), tolerance = 1e-5)
})

test_that("rows missing a view are pooled from what they have, the others from every member", {
  x <- xs(test)
  gone <- 1:40
  x$x2[gone, ] <- NA
  mixed <- predict(fit, x, type = "prob")
  expect_equal(mixed[gone, ], predict(fit, lapply(x["x1"], function(v) v[gone, , drop = FALSE]), type = "prob"),
               tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(mixed[-gone, ], predict(fit, xs(test), type = "prob")[-gone, ], tolerance = 1e-6,
               ignore_attr = TRUE)
})

test_that("with three views, a member needs exactly the views its networks read", {
  sim3 <- simulate_interactions(500, "mix3", seed = 7)
  f3 <- dmil_fit(sim3$x, sim3$y, hidden = 8, epochs = 4, seed = 2, progress = FALSE,
                 control = dmil_control(finetune = FALSE, members = c("joint", "ensemble")))
  lp <- dmil:::pool_logprobs(f3, dmil:::match_blueprint(sim3$x[c("x1", "x3")], f3$views, 1L,
                                                        allow_missing = TRUE),
                             matrix(0, 500, 2), 1L)
  expect_true(all(is.na(lp$joint)))
  ens <- dmil:::log_softmax(Reduce(`+`, lapply(c("ensemble_x1", "ensemble_x3"), function(j) {
    dmil:::log_softmax(dmil:::predict_logits(f3, dmil:::match_blueprint(sim3$x, f3$views, 1L), j, 1L))
  })) / 2)
  expect_equal(lp$ensemble, ens, tolerance = 1e-10, ignore_attr = TRUE)
})

test_that("without validation rows the weights are equal", {
  f0 <- pool_fit(validation = 0, members = c("joint", "late"))
  expect_identical(f0$pool$weights, c(dmil = 1, joint = 1, late = 1) / 3)
  expect_null(f0$val_metrics)
  expect_output(print(f0), "pooled with joint, late")
  expect_true(is.na(glance(f0)$val_accuracy))
})
