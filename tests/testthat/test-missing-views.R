# Training on samples that lack views (a view's row all NA): DMIL trains on
# the views each sample has, the ensemble's networks on the samples that
# have their view, and interaction tables are NA where a view is absent.

# `data` with view `v` removed (set to NA) from rows `rows`.
drop_view <- function(data, v, rows) {
  data$x[[v]][rows, ] <- NA
  data
}

test_that("a sample lacking a view contributes nothing through that view", {
  skip_without_test_entries()
  for (seed in 1:3) {
    # the largest change of DMIL's loss or gradient (every term) when the
    # absent values are redrawn
    expect_identical(.Call(dmil:::C_dm_gradcheck, "dmil_leak", seed), 0)
    # the largest gradient of a view's own parameters and of the synergy
    # channel when every sample lacks that view
    expect_identical(.Call(dmil:::C_dm_gradcheck, "dmil_absent", seed), 0)
  }
})

test_that("DMIL fits with absent views are the same for 1 and 2 threads", {
  d <- drop_view(sim_bits(200, "first", seed = 3), "b", 1:60)
  fit_n <- function(nt) {
    dmil_fit(d$x, d$y, hidden = 8, epochs = 3, seed = 4, nthreads = nt, progress = FALSE,
             control = dmil_control(finetune_epochs = 2, scores = list(epochs = 2, repeats = 1)))
  }
  f1 <- fit_n(1)
  f2 <- fit_n(2)
  expect_identical(f1[c("nets", "history", "pool")], f2[c("nets", "history", "pool")])
  expect_identical(unclass(f1$interactions), unclass(f2$interactions), ignore_attr = "dmil")
})

test_that("interaction tables are NA exactly where a view is absent", {
  sim <- simulate_interactions(400, "mix4", seed = 5)
  gone <- c(3:60, 301:330)
  d <- drop_view(sim, "x2", gone)
  lacks_x2 <- seq_len(400) %in% gone
  check_table <- function(tab, rows) {
    df <- as.data.frame(tab)
    for (col in c("r", "u_x1", "u_x2", "s", "i_x2", "i_joint")) {
      expect_identical(is.na(df[[col]]), rows, label = col)
    }
    expect_false(anyNA(df$i_x1))
    expect_identical(is.na(df$dominant), rows)
  }
  it <- suppressWarnings(dmil_interactions(d$x, d$y, epochs = 3, repeats = 2, seed = 1,
                                           nthreads = 2, progress = FALSE))
  check_table(it, lacks_x2)
  # means and intervals are the complete samples'
  expect_false(anyNA(summary(it, B = 20)$estimate))
  expect_false(anyNA(glance(it)$mean_r))

  fit <- dmil_fit(d$x, d$y, hidden = 16, epochs = 3, seed = 2, validation = 0, progress = FALSE,
                  control = dmil_control(finetune_epochs = 1, scores = list(epochs = 3)))
  check_table(interactions(fit), lacks_x2)
})

test_that("with three views a sample's table has the informations of the views it has", {
  sim <- simulate_interactions(300, "mix3", seed = 6)
  d <- drop_view(drop_view(sim, "x1", 1:30), "x3", 31:50)
  it <- as.data.frame(suppressWarnings(dmil_interactions(d$x, d$y, epochs = 2, repeats = 1,
                                                         seed = 1, progress = FALSE)))
  expect_true(all(is.na(it$i_x1[1:30])) && !anyNA(it$i_x2[1:50]) && !anyNA(it$i_x3[1:30]))
  expect_true(all(is.na(it$i_x3[31:50])) && !anyNA(it$i_x1[31:50]))
  expect_true(all(is.na(it$r[1:50])) && !anyNA(it$r[51:300]))
})

test_that("samples that lack the second view add what the first view alone knows", {
  # MIX4 with a weaker second view; 85% of the 600 training samples lack it,
  # so the fit on the complete samples alone learns from 90. Both fits are
  # judged on complete held-out samples, overall and on those whose label
  # only the first view carries (type U_x1). (With 60% lacking it the
  # default fit gains nothing on U_x1: bench/incomplete_views.R.)
  acc <- vapply(1:3, function(seed) {
    sim <- simulate_interactions(2600, "mix4", K = 3, sigma = 0.8, kappa = c(1, 0.6), seed = seed)
    tr <- 1:600
    train <- list(x = subset_views(sim$x, tr), y = sim$y[tr])
    test <- list(x = subset_views(sim$x, -tr), y = sim$y[-tr])
    gone <- withr::with_seed(seed, sample(600, 510))
    all_samples <- drop_view(train, "x2", gone)
    complete <- list(x = subset_views(train$x, -gone), y = train$y[-gone])
    u1 <- sim$type[-tr] == "U_x1"
    fits <- list(complete = dmil_fit(complete$x, complete$y, seed = seed, progress = FALSE),
                 all = dmil_fit(all_samples$x, all_samples$y, seed = seed, progress = FALSE))
    unlist(lapply(fits, function(f) {
      ok <- predict(f, test$x)$.pred_class == test$y
      c(u1 = mean(ok[u1]), overall = mean(ok))
    }))
  }, numeric(4))
  expect_gt(mean(acc["all.u1", ]), mean(acc["complete.u1", ]))
  expect_gt(mean(acc["all.overall", ]), mean(acc["complete.overall", ]))
})

test_that("an ensemble's network of a view trains on every sample that has that view", {
  d <- sim_bits(240, "first", seed = 7)
  gone <- drop_view(d, "b", 1:80)
  fit_gone <- dmil_fit(gone$x, gone$y, method = "ensemble", hidden = 8, epochs = 5, seed = 3,
                       progress = FALSE)
  fit_full <- dmil_fit(d$x, d$y, method = "ensemble", hidden = 8, epochs = 5, seed = 3,
                       progress = FALSE)
  # view a is present for every sample: its network is the complete data's
  expect_identical(fit_gone$nets$a$theta, fit_full$nets$a$theta)
  expect_false(identical(fit_gone$nets$b$theta, fit_full$nets$b$theta))
  # and the ensemble predicts from the views a sample has
  p <- predict(fit_gone, gone$x, type = "prob")
  expect_false(anyNA(p))
  expect_equal(p[1:80, ], predict(fit_gone, list(a = d$x$a[1:80, ]), type = "prob"),
               tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("the column statistics of a view are those of the samples that have it", {
  d <- sim_bits(100, "both", seed = 8)
  gone <- drop_view(d, "b", 1:40)
  fit <- dmil_fit(gone$x, gone$y, method = "ensemble", hidden = 4, epochs = 1, progress = FALSE)
  expect_equal(fit$views$b$center, unname(colMeans(d$x$b[41:100, ])))
  expect_equal(fit$views$b$scale, unname(apply(d$x$b[41:100, ], 2, sd)))
})

test_that("methods that need every view refuse samples that lack one, naming those that do not", {
  d <- drop_view(sim_bits(60, "xor", seed = 9), "b", c(5, 9))
  for (m in c("joint", "late", "early", "ogm", "umt", "i2moe", "interaction_ensemble")) {
    err <- expect_error(dmil_fit(d$x, d$y, method = m, epochs = 1, progress = FALSE),
                        class = "dmil_error_values")
    expect_match(conditionMessage(err), "needs every view.*row 5.*\"dmil\".*\"ensemble\"")
  }
})

test_that("scattered NA inside a present view is an error that says where", {
  d <- sim_bits(60, "xor", seed = 10)
  d$x$a[7, 3] <- NA
  err <- expect_error(dmil_fit(d$x, d$y, epochs = 1, progress = FALSE), class = "dmil_error_values")
  expect_match(conditionMessage(err), "View \"a\".*row 7.*column \"a3\"")
  expect_error(dmil_interactions(d$x, d$y, epochs = 1, progress = FALSE),
               class = "dmil_error_values")
})

test_that("every sample needs a view and every view some samples", {
  d <- sim_bits(60, "xor", seed = 11)
  none <- drop_view(drop_view(d, "a", 4), "b", 4)
  expect_error(dmil_fit(none$x, none$y, epochs = 1, progress = FALSE),
               "Row 4 of `x` has none", class = "dmil_error_values")
  never <- drop_view(d, "b", 1:60)
  expect_error(dmil_fit(never$x, never$y, epochs = 1, progress = FALSE),
               "missing for every training sample", class = "dmil_error_values")
  expect_error(dmil_interactions(never$x, never$y, epochs = 1, progress = FALSE),
               "missing for every sample", class = "dmil_error_values")
})

test_that("a fit on samples that lack views predicts, augments and is summarised", {
  d <- drop_view(sim_bits(150, "both", seed = 12), "a", 1:30)
  fit <- dmil_fit(d$x, d$y, hidden = 8, epochs = 3, seed = 1, progress = FALSE,
                  control = dmil_control(finetune_epochs = 1, scores = list(epochs = 2)))
  aug <- augment(fit)
  expect_identical(aug$.views[1:30], rep("b", 30))
  expect_identical(unique(aug$.views[31:150]), "a+b")
  expect_false(anyNA(aug$.pred_pos))
  expect_output(print(fit), "with every view")
  expect_false(anyNA(glance(fit)$val_accuracy))
  expect_s3_class(summary(fit), "summary.dmil_fit")
})

test_that("without a sample that has every view, DMIL trains the network and the ensemble alone", {
  d <- sim_bits(120, "both", seed = 13)
  split <- drop_view(drop_view(d, "a", 1:60), "b", 61:120)
  expect_message(
    fit <- dmil_fit(split$x, split$y, hidden = 8, epochs = 3, seed = 1, progress = FALSE,
                    control = dmil_control(members = c("joint", "late", "ensemble"))),
    class = "dmil_message_pool")
  expect_identical(names(fit$pool$members), c("dmil", "ensemble"))
  expect_null(fit$interactions)  # no atoms without samples that have every view
  expect_false(anyNA(predict(fit, d$x, type = "prob")))
})

test_that("a class without samples that have every view leaves the fine-tuning unweighted", {
  d <- sim_bits(120, "both", seed = 14)
  gone <- drop_view(d, "b", which(d$y == "pos"))
  fit <- dmil_fit(gone$x, gone$y, hidden = 8, epochs = 2, seed = 1, progress = FALSE,
                  control = dmil_control(finetune_epochs = 1, scores = list(epochs = 1)))
  expect_null(fit$interactions)
  expect_output(print(fit), "Phase B: no scores")
})

test_that("a view missing for every training sample is refused", {
  d <- sim_bits(60, "both", seed = 15)
  val <- dmil_fit(d$x, d$y, method = "joint", epochs = 1, seed = 3, progress = FALSE)$val_rows
  only_val <- drop_view(d, "b", setdiff(1:60, val))
  expect_error(dmil_fit(only_val$x, only_val$y, epochs = 1, seed = 3, progress = FALSE),
               "missing for every training sample", class = "dmil_error_values")
})

test_that("fold ids must suit the samples that have every view", {
  d <- drop_view(sim_bits(80, "both", seed = 16), "b", 41:80)
  foldid <- rep(1:2, each = 40)  # the complete samples are all in fold 1
  expect_error(dmil_interactions(d$x, d$y, folds = 2, foldid = foldid, epochs = 1,
                                 progress = FALSE),
               class = "dmil_error_arg")
})

test_that("a pool member that predicts no validation row gets no weight", {
  lp <- list(dmil = matrix(log(c(.8, .2, .3, .7)), 2, byrow = TRUE),
             joint = matrix(NA_real_, 2, 2))
  w <- dmil:::pool_weights(lp, factor(c("a", "b")))
  expect_identical(unname(w), c(1, 0))
})

test_that("one view's network of a fit on incomplete samples predicts only samples with that view", {
  d <- drop_view(sim_bits(80, "both", seed = 17), "b", 1:20)
  fit <- dmil_fit(d$x, d$y, method = "unimodal", hidden = 4, epochs = 2, progress = FALSE)
  expect_error(predict(fit, d$x, which = "b"), "lack it; the first is row 1",
               class = "dmil_error_newdata")
  expect_identical(nrow(predict(fit, subset_views(d$x, 21:80), which = "b")), 60L)
  expect_false(anyNA(predict(fit, d$x, which = "a", type = "prob")))
})
