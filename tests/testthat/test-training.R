d <- sim_bits(800, "first", seed = 81)
# noisy enough that validation accuracy does not saturate
hard <- sim_bits(800, "first", d = 1, sd = 1.2, seed = 82)

test_that("the training history has one row per epoch and network", {
  fit <- dmil_fit(d$x, d$y, method = "unimodal", hidden = 8, epochs = 5, seed = 1,
                  progress = FALSE)
  h <- fit$history
  expect_named(h, c("net", "stage", "epoch", "train_loss", "val_log_loss", "val_accuracy"))
  expect_true(all(is.na(h$stage)))
  expect_equal(nrow(h), 10)
  expect_setequal(unique(h$net), c("a", "b"))
  expect_true(all(is.finite(h$train_loss)))
})

every_method <- lapply(stats::setNames(nm = eval(formals(dmil_fit)$method)), function(m) {
  ctl <- if (m == "dmil") dmil_control(finetune_epochs = 1, scores = list(epochs = 2))
  dmil_fit(d$x, d$y, method = m, hidden = 8, epochs = 2, control = ctl, seed = 1,
           nthreads = 1, progress = FALSE)
})

# the columns (or elements) of f(fit) for every method, and the first's
same_for_every_method <- function(f) {
  shapes <- lapply(every_method, function(fit) names(f(fit)))
  for (m in names(shapes)) expect_identical(shapes[[m]], shapes[[1]], label = m)
}

test_that("every method's history has the same columns", {
  same_for_every_method(function(fit) fit$history)
})

test_that("tidy(), glance() and summary() have the same shape for every method", {
  same_for_every_method(tidy)
  same_for_every_method(glance)
  same_for_every_method(summary)
  same_for_every_method(function(fit) summary(fit)$networks)
  same_for_every_method(function(fit) predict(fit, d$x, type = "prob"))
  for (fit in every_method) {
    expect_equal(glance(fit)$parameters, sum(unique(tidy(fit)[c("network", "parameters")])$parameters))
    expect_equal(glance(fit)$epochs, nrow(fit$history))
  }
})

test_that("glance() reports the validation metrics of the network predict() uses", {
  uni <- every_method$unimodal
  vm <- uni$val_metrics
  expect_equal(glance(uni)$val_accuracy, vm$val_accuracy[vm$net == uni$which])
  expect_equal(summary(uni)$model$val_log_loss, vm$val_log_loss[vm$net == uni$which])
  val <- subset_views(d$x, uni$val_rows)
  expect_equal(glance(uni)$val_accuracy, mean(predict(uni, val)$.pred_class == d$y[uni$val_rows]))
})

test_that("tidy(what = \"interactions\") has the same columns wherever a fit has interactions", {
  has <- Filter(function(fit) !is.null(fit$interactions), every_method)
  expect_setequal(names(has), c("dmil", "interaction_ensemble", "i2moe"))
  cols <- lapply(has, function(fit) tidy(fit, "interactions"))
  for (td in cols) {
    expect_named(td, c("term", "estimate", "std.error", "head_norm"))
    expect_identical(td$term, c("r", "u_a", "u_b", "s"))
  }
  expect_equal(sum(cols$i2moe$estimate), 1)  # gate weights sum to one
  expect_error(tidy(every_method$joint, "interactions"), class = "dmil_error_arg")
})

test_that("the kept epoch has the best validation accuracy, ties going to the lower loss", {
  fit <- dmil_fit(hard$x, hard$y, method = "joint", hidden = 8, epochs = 12, lr = 0.01, seed = 2,
                  progress = FALSE)
  h <- fit$history
  best <- which(h$val_accuracy == max(h$val_accuracy))
  expect_identical(fit$best_epoch[["joint"]], best[which.min(h$val_log_loss[best])])
  expect_equal(fit$val_metrics$val_accuracy, max(h$val_accuracy))
  # the kept parameters reproduce the recorded validation accuracy and loss
  val <- subset_views(hard$x, fit$val_rows)
  p <- predict(fit, val, type = "prob")
  yv <- hard$y[fit$val_rows]
  expect_equal(mean(predict(fit, val)$.pred_class == yv), max(h$val_accuracy), tolerance = 1e-12)
  loss <- -mean(log(ifelse(yv == "pos", p$.pred_pos, p$.pred_neg)))
  expect_equal(loss, h$val_log_loss[fit$best_epoch[["joint"]]], tolerance = 1e-5)
})

test_that("the validation part is a stratified fraction of the samples", {
  fit <- quick_fit(d, validation = 0.25, seed = 1)
  expect_equal(fit$n_val, 200)
  expect_equal(as.vector(table(d$y[fit$val_rows]) / table(d$y)), c(0.25, 0.25), tolerance = 0.01)
})

test_that("without validation the last epoch is kept", {
  fit <- quick_fit(d, validation = 0, seed = 1)
  expect_equal(fit$n_val, 0)
  expect_identical(fit$best_epoch[["joint"]], 3L)
  expect_true(all(is.na(fit$history$val_accuracy)))
  expect_output(print(fit), "no validation data")
})

test_that("patience stops training early", {
  fit <- dmil_fit(hard$x, hard$y, method = "joint", hidden = 8, epochs = 200, patience = 3,
                  seed = 1, progress = FALSE)
  expect_lt(max(fit$history$epoch), 200)
  expect_equal(max(fit$history$epoch) - fit$best_epoch[["joint"]], 3)
})

test_that("training loss goes down", {
  fit <- dmil_fit(d$x, d$y, method = "joint", hidden = 16, epochs = 10, seed = 1, progress = FALSE)
  expect_lt(tail(fit$history$train_loss, 1), fit$history$train_loss[1] / 2)
})

test_that("a diverging fit is reported as such", {
  withr::local_seed(1)
  n <- 200
  x <- list(a = matrix(rnorm(n * 2), n) * 1e15, b = matrix(rnorm(n * 2), n))
  x$a[1, ] <- 1e38
  for (m in c("joint", "dmil")) {
    expect_error(dmil_fit(x, rep(c("u", "v"), 100), method = m, epochs = 2, lr = 1e30,
                          progress = FALSE),
                 class = "dmil_error_diverged", label = m)
  }
})

test_that("a fit standardises its views once and every step reads that copy", {
  ns <- asNamespace("dmil")
  counts <- c(fit_data = 0, training_data = 0, match_blueprint = 0)
  for (f in names(counts)) {
    local({
      f <- f
      suppressMessages(trace(f, function() counts[[f]] <<- counts[[f]] + 1, print = FALSE,
                             where = ns))
    })
  }
  on.exit(suppressMessages(for (f in names(counts)) untrace(f, where = ns)))
  for (m in eval(formals(dmil_fit)$method)) {
    counts[] <- 0
    ctl <- if (m == "dmil") dmil_control(finetune_epochs = 1, scores = list(epochs = 2))
    dmil_fit(d$x, d$y, method = m, hidden = 8, epochs = 2, control = ctl, seed = 1,
             nthreads = 1, progress = FALSE)
    expect_identical(counts, c(fit_data = 1, training_data = 1, match_blueprint = 0), label = m)
  }
})

test_that("interaction scores computed while fitting share the fit's blueprint", {
  for (m in c("dmil", "interaction_ensemble")) {
    expect_identical(attr(interactions(every_method[[m]]), "dmil")$blueprint,
                     every_method[[m]]$views)
  }
})

test_that("validation metrics of combined models use the training's definitions", {
  lg <- matrix(c(1, 1, 0, 2, 0, 3), 3, 2, byrow = TRUE)  # row 1 ties: the first class wins
  y <- factor(c("a", "b", "a"), levels = c("a", "b"))
  m <- dmil:::logit_metrics(lg, y)
  expect_equal(m$val_accuracy, 2 / 3)
  expect_equal(m$val_log_loss, mean(c(log(2), log(1 + exp(-2)), log(1 + exp(3)))), tolerance = 1e-6)
  ens <- every_method$ensemble
  val <- subset_views(d$x, ens$val_rows)
  p <- predict(ens, val, type = "logit")
  expect_equal(ens$val_metrics$val_accuracy[3], mean(predict(ens, val)$.pred_class == d$y[ens$val_rows]))
  expect_equal(ens$val_metrics$val_log_loss[3],
               dmil:::logit_metrics(as.matrix(p), d$y[ens$val_rows])$val_log_loss)
})

test_that("tidy(what = \"interactions\") has a row for every summary atom with three views", {
  sim <- simulate_interactions(300, "mix4", seed = 8)
  x3 <- c(sim$x, list(x3 = sim$x$x1[sample(300), ]))
  fit <- dmil_fit(x3, sim$y, hidden = 8, epochs = 2, seed = 1, nthreads = 1, progress = FALSE,
                  control = dmil_control(finetune_epochs = 1, scores = list(epochs = 2)))
  td <- tidy(fit, "interactions")
  expect_identical(td$term, dmil:::atom_columns(names(x3)))
  expect_equal(td$estimate, unname(colMeans(as.data.frame(interactions(fit))[td$term])))
  shared <- grepl("^r_", td$term)
  expect_true(all(is.na(td$head_norm[shared])))
  expect_true(all(td$head_norm[!shared] > 0))
})
