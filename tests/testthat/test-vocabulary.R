# ?dmil_vocabulary: one name per concept in every output.

test_that("atoms and informations are named alike in exact, simulated and estimated decompositions", {
  sim <- simulate_interactions(300, "mix4", seed = 11)
  it <- suppressWarnings(dmil_interactions(sim$x, sim$y, epochs = 2, repeats = 1, seed = 1,
                                           nthreads = 1, progress = FALSE))
  cols <- c("r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint")
  exact <- pid_discrete(pid_gate("and"), measure = "mmi", pointwise = TRUE)
  expect_identical(setdiff(names(exact$measures), c("measure", "unit")), cols)
  expect_true(all(cols %in% names(exact$pointwise)))
  expect_true(all(cols %in% names(sim$oracle)))
  expect_true(all(cols %in% names(it)))
  expect_true(all(paste0("mean_", cols[1:4]) %in% names(glance(it))))
  expect_setequal(unique(tidy(it)$term), cols[1:4])
  # types are the atoms' kinds, upper case
  expect_identical(levels(it$dominant), c("R", "U_x1", "U_x2", "S"))
  expect_identical(levels(sim$type), levels(it$dominant))
})

test_that("validation metrics are the metrics of R/metrics.R with the rows as prefix", {
  d <- sim_bits(400, "both", seed = 3)
  fit <- dmil_fit(d$x, d$y, method = "joint", epochs = 4, seed = 1, nthreads = 1)
  g <- glance(fit)
  val <- grep("^val_", names(g), value = TRUE)
  expect_setequal(val, c("val_accuracy", "val_log_loss"))
  expect_true(all(sub("^val_", "", val) %in% dmil:::metric_names))
  expect_true(all(val %in% names(fit$history)))
  expect_true(all(val %in% names(tidy(fit))))
  # the same quantities as the held-out metrics of dmil_cv()
  rows <- fit$val_rows
  prob <- predict(fit, lapply(d$x, function(v) v[rows, ]), type = "prob")
  m <- dmil:::class_metrics(prob, d$y[rows])
  expect_equal(g$val_accuracy, m[["accuracy"]])
  expect_equal(g$val_log_loss, m[["log_loss"]], tolerance = 1e-5)
})
