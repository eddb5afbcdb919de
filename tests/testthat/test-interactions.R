# dmil_interactions(): the measuring instrument. First the arithmetic (fed
# exact probabilities it must return the oracle, on two and three views),
# then the estimates on simulated data with known answers, then what makes
# them hold up on small and real data: repeats, calibration, warnings.

# The table the estimator builds from the exact terms of a simulation (for
# "lsmi" with the given shift, else the one of its own means).
exact_table <- function(sim, measure, unit = "bits", shift = NA_real_) {
  vn <- names(sim$x)
  sets <- dmil:::view_subsets(vn)
  n <- length(sim$y)
  yi <- as.integer(sim$y)
  i <- vapply(sim$terms$log_post[sets$net], function(lp) lp[cbind(seq_len(n), yi)], numeric(n)) -
    sim$terms$log_prior[yi]
  dmil:::interaction_table(i, if (measure == "lsmi") -sim$terms$log_dens, sim$y, vn, measure,
                           unit, ids = seq_len(n), shift = shift)
}

# Nodes of the redundancy lattice parsed from their names ("{x1}{x2,x3}"),
# and the order: b <= a iff every source of a contains a source of b.
parse_nodes <- function(names) {
  lapply(names, function(nm) strsplit(regmatches(nm, gregexpr("[^{}]+", nm))[[1]], ","))
}
node_leq <- function(b, a) {
  all(vapply(a, function(B) any(vapply(b, function(A) all(A %in% B), TRUE)), TRUE))
}

test_that("fed the exact probabilities, the estimator returns the oracle values", {
  designs <- list(list("mix4", K = 2), list("mix4", K = 3, kappa = c(1, 0.6)),
                  list("gauss", n_classes = 4, rho = 0.3), list("gates", gate = "reduced_or"),
                  list("mix3", K = 2), list("mix3", K = 3, sigma = 0.8))
  for (d in designs) {
    for (m in if (d[[1]] == "mix3") "pmmi" else c("pmmi", "lsmi")) {
      for (unit in c("bits", "nats")) {
        sim <- do.call(simulate_interactions, c(list(600), d, list(measure = m, unit = unit, seed = 1)))
        est <- exact_table(sim, m, unit)
        cols <- setdiff(names(sim$oracle), c("sample", "label", "dominant"))
        expect_equal(as.matrix(est[cols]), as.matrix(sim$oracle[cols]), tolerance = 1e-8,
                     label = paste(d[[1]], m, unit))
        expect_identical(as.character(est$dominant), as.character(sim$oracle$dominant))
        if (m == "lsmi") expect_equal(attr(est, "shift"), attr(sim$oracle, "shift"), tolerance = 1e-8)
      }
    }
  }
})

test_that("the three-view lattice matches the exact oracle atom by atom", {
  sim <- simulate_interactions(500, "mix3", K = 3, sigma = 0.7, seed = 2)
  info <- list(views = names(sim$x), measure = "pmmi", unit = "bits")
  atoms <- dmil:::lattice_atoms(exact_table(sim, "pmmi"), info)
  oracle <- attr(sim$oracle, "lattice")
  expect_equal(ncol(atoms), 18)
  expect_setequal(colnames(atoms), colnames(oracle))
  expect_equal(atoms, oracle[, colnames(atoms)], tolerance = 1e-8)
})

test_that("fed the exact posteriors, unlabelled samples get the posterior expectation", {
  for (d in list(list("gauss", n_classes = 3), list("mix3", K = 2))) {
    for (m in if (d[[1]] == "mix3") "pmmi" else c("pmmi", "lsmi")) {
      sim <- do.call(simulate_interactions, c(list(300), d, list(measure = m, seed = 2)))
      vn <- names(sim$x)
      shift <- if (m == "lsmi") attr(sim$oracle, "shift") * log(2) else NA
      lp <- unname(sim$terms$log_post[dmil:::view_subsets(vn)$net])
      exp_tab <- dmil:::expected_interactions(lp, sim$terms$log_dens, sim$terms$log_prior, vn, m,
                                              "bits", ids = 1:300, shift = shift)
      # The same expectation spelled out: the exact table for every label,
      # weighted by the joint posterior.
      post <- exp(sim$terms$log_post$joint)
      atoms <- dmil:::atom_columns(vn)
      manual <- 0
      for (k in seq_len(ncol(post))) {
        labelled <- sim
        labelled$y <- factor(rep(k - 1, 300), levels = levels(sim$y))
        manual <- manual + post[, k] * as.matrix(exact_table(labelled, m, shift = shift)[atoms])
      }
      expect_equal(as.matrix(exp_tab[atoms]), manual, tolerance = 1e-10, ignore_attr = TRUE)
    }
  }
})

# An estimated three-view table, shared by the tests of its structure.
sim3 <- simulate_interactions(900, "mix3", seed = 40)
# (few epochs and repeats: its reliability warning is expected)
it3 <- suppressWarnings(dmil_interactions(sim3$x, sim3$y, epochs = 10, repeats = 2, pairs = TRUE,
                                          seed = 1, progress = FALSE))

test_that("the three-view table has one row per sample and the documented columns", {
  expect_s3_class(it3, "dmil_interactions")
  expect_s3_class(it3, "data.frame")
  expect_equal(nrow(it3), 900)
  atoms <- c("r", "r_x1_x2", "r_x1_x3", "r_x2_x3", "u_x1", "u_x2", "u_x3", "s")
  expect_named(it3, c("sample", "label", atoms,
                      "i_x1", "i_x2", "i_x1_x2", "i_x3", "i_x1_x3", "i_x2_x3", "i_joint",
                      "dominant", paste0("sd_", atoms)))
  expect_identical(levels(it3$dominant),
                   c("R", "R_x1_x2", "R_x1_x3", "R_x2_x3", "U_x1", "U_x2", "U_x3", "S"))
  expect_identical(it3$label, sim3$y)
})

test_that("every sample's lattice atoms sum to the pointwise information of every set of views", {
  lat <- tidy(it3, what = "lattice")
  atoms <- matrix(lat$estimate, nrow(it3))
  nodes <- parse_nodes(unique(lat$term))
  expect_equal(length(nodes), 18)
  sets <- dmil:::view_subsets(names(sim3$x))
  for (j in seq_len(nrow(sets))) {
    below <- vapply(nodes, node_leq, TRUE, a = list(sets$views[[j]]))
    expect_equal(rowSums(atoms[, below, drop = FALSE]), it3[[sets$col[j]]], tolerance = 1e-10,
                 label = sets$col[j])
  }
  # the summary columns partition the lattice
  expect_equal(rowSums(as.matrix(it3[dmil:::atom_columns(names(sim3$x))])), it3$i_joint,
               tolerance = 1e-10)
})

test_that("four views decompose on the lattice of 166 atoms", {
  withr::local_seed(12)
  n <- 300
  y <- factor(sample(0:1, n, TRUE))
  x <- lapply(stats::setNames(nm = c("a", "b", "c", "d")), function(v) {
    matrix(as.integer(y) * (v != "d") + rnorm(3 * n), n)
  })
  it <- suppressWarnings(dmil_interactions(x, y, folds = 2, repeats = 1, epochs = 3, seed = 1,
                                           progress = FALSE))
  atoms <- dmil:::atom_columns(names(x))
  expect_length(atoms, 1 + 6 + 4 + 4 + 1)
  expect_true(all(c("r_a_b", "r_a_b_c", "u_d", "i_a_b_d") %in% names(it)))
  expect_equal(rowSums(as.matrix(it[atoms])), it$i_joint, tolerance = 1e-10)
  lat <- tidy(it, what = "lattice")
  nodes <- parse_nodes(unique(lat$term))
  expect_length(nodes, 166)
  vals <- matrix(lat$estimate, n)
  sets <- dmil:::view_subsets(names(x))
  for (j in seq_len(nrow(sets))) {
    below <- vapply(nodes, node_leq, TRUE, a = list(sets$views[[j]]))
    expect_equal(rowSums(vals[, below, drop = FALSE]), it[[sets$col[j]]], tolerance = 1e-10)
  }
})

test_that("pairs = TRUE decomposes every pair of views", {
  pr <- attr(it3, "pairs")
  expect_setequal(unique(pr$pair), c("x1:x2", "x1:x3", "x2:x3"))
  expect_equal(nrow(pr), 3 * 900)
  sub <- pr[pr$pair == "x1:x2", ]
  expect_equal(sub$i_view1, it3$i_x1)
  expect_equal(sub$i_joint, it3$i_x1_x2)
  expect_equal(sub$r + sub$u_view1 + sub$u_view2 + sub$s, sub$i_joint, tolerance = 1e-12)
})

test_that("on the three-view design the estimates recover the oracle's types", {
  sim <- simulate_interactions(3000, "mix3", sigma = 0.25, seed = 3)
  it <- dmil_interactions(sim$x, sim$y, repeats = 2, seed = 1, progress = FALSE)
  oracle_rec <- mean(sim$oracle$dominant == it$dominant)
  expect_gt(oracle_rec, 0.85)
  atoms <- dmil:::atom_columns(names(sim$x))
  mae <- colMeans(abs(as.matrix(it[atoms]) - as.matrix(sim$oracle[atoms])))
  expect_true(all(mae < 0.15), label = paste("MAE", paste(round(mae, 3), collapse = " ")))
})

for (K in 2:3) {
  test_that(sprintf("on MIX4 (K = %d, small noise) pmmi recovers the sample types", K), {
    sim <- simulate_interactions(4000, "mix4", K = K, sigma = 0.25, seed = 20 + K)
    it <- dmil_interactions(sim$x, sim$y, seed = 1, progress = FALSE)
    expect_gt(mean(it$dominant == sim$type), 0.95 * mean(sim$oracle$dominant == sim$type))
    mae <- colMeans(abs(as.matrix(it[c("r", "u_x1", "u_x2", "s")]) -
                          as.matrix(sim$oracle[c("r", "u_x1", "u_x2", "s")])))
    expect_true(all(mae < 0.1 * log2(K)), label = paste("MAE", paste(round(mae, 3), collapse = " ")))
  })
}

test_that("averaging over repeats reduces the variability between seeds", {
  sim <- simulate_interactions(160, "mix4", seed = 7)
  run <- function(repeats) {
    lapply(1:4, function(s) {
      suppressWarnings(dmil_interactions(sim$x, sim$y, repeats = repeats, epochs = 15, seed = s,
                                         progress = FALSE))
    })
  }
  spread <- function(tabs) {
    per_sample <- apply(vapply(tabs, function(t) t$r, numeric(160)), 1, stats::sd)
    c(sample = stats::median(per_sample), mean = stats::sd(vapply(tabs, function(t) mean(t$r), 1)))
  }
  one <- spread(run(1))
  many <- spread(run(8))
  expect_lt(many[["sample"]], 0.6 * one[["sample"]])
  expect_lt(many[["mean"]], one[["mean"]])
})

test_that("the between-repeat spread is reported per sample", {
  expect_true(all(it3$sd_r >= 0))
  expect_gt(mean(it3$sd_r), 0)
  one <- suppressWarnings(dmil_interactions(sim3$x[1:2], sim3$y, epochs = 2, repeats = 1, seed = 1,
                                            progress = FALSE))
  expect_true(all(is.na(one[c("sd_r", "sd_u_x1", "sd_u_x2", "sd_s")])))
})

test_that("the joint discriminator knows at least what the best view knows", {
  # One informative view of two features, one of 150 noise features: a joint
  # network trained on both fits the noise.
  withr::local_seed(3)
  n <- 300
  y <- factor(sample(0:1, n, TRUE))
  x <- list(signal = matrix(as.integer(y) + rnorm(2 * n, sd = 0.7), n),
            noise = matrix(rnorm(150 * n), n))
  gap <- function(calibrate) {
    it <- suppressWarnings(dmil_interactions(x, y, calibrate = calibrate, repeats = 3, seed = 1,
                                             progress = FALSE))
    mean(it$i_joint) - max(mean(it$i_signal), mean(it$i_noise))
  }
  # the raw joint network knows less than the signal view: the test can fail
  expect_lt(gap(FALSE), -0.05)
  expect_gt(gap(TRUE), -0.01)
})

test_that("mean pointwise informations agree with a held-out plug-in estimate", {
  sim <- simulate_interactions(3000, "mix4", seed = 8)
  xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
  it <- dmil_interactions(xs(1:2000), sim$y[1:2000], seed = 1, progress = FALSE)
  test <- predict(it, xs(2001:3000), new_y = sim$y[2001:3000])
  for (cc in c("i_x1", "i_x2", "i_joint")) {
    expect_lt(abs(mean(it[[cc]]) - mean(test[[cc]])), 0.05, label = cc)
    # and both are close to the exact mutual information
    expect_lt(abs(mean(it[[cc]]) - mean(sim$oracle[[cc]])), 0.06, label = cc)
  }
})

test_that("atoms rarely exceed the information a label can carry", {
  # (the exact values do, where a view is misleading: the oracle's share is
  # the yardstick)
  sim <- simulate_interactions(2000, "mix4", K = 3, kappa = c(1, 0.6), seed = 9)
  it <- dmil_interactions(sim$x, sim$y, seed = 1, progress = FALSE)
  cols <- c("r", "u_x1", "u_x2", "s")
  bound <- -log2(min(table(sim$y)) / 2000)
  share <- function(tab) mean(abs(as.matrix(tab[cols])) > bound)
  expect_lt(share(it), share(sim$oracle) + 0.03)
  expect_lt(mean(abs(as.matrix(it[cols])) > 2 * bound), 0.005)
})

test_that("small or noisy data get a warning saying what to do, large clean data none", {
  expect_warning(dmil_interactions(nutrimouse$x, nutrimouse$diet, repeats = 2, epochs = 5,
                                   seed = 1, progress = FALSE),
                 class = "dmil_warning_unreliable")
  # a single repeat cannot measure the variability of refitting
  expect_warning(dmil_interactions(sim3$x[1:2], sim3$y, repeats = 1, epochs = 5, seed = 1,
                                   progress = FALSE),
                 "one repeat", class = "dmil_warning_unreliable")
  # an inner validation part of a handful of samples
  expect_warning(dmil_interactions(nutrimouse$x, nutrimouse$genotype, inner_validation = 0.1,
                                   repeats = 3, epochs = 5, seed = 1, progress = FALSE),
                 "inner validation", class = "dmil_warning_unreliable")
  sim <- simulate_interactions(3000, "mix4", sigma = 0.25, seed = 10)
  expect_no_warning(dmil_interactions(sim$x, sim$y, seed = 1, progress = FALSE))
})

test_that("summary() intervals cover what other seeds estimate", {
  sim <- simulate_interactions(160, "mix4", seed = 11)
  fit <- function(s) suppressWarnings(dmil_interactions(sim$x, sim$y, repeats = 8, epochs = 15,
                                                        seed = s, progress = FALSE))
  it <- fit(1)
  s <- summary(it, B = 300, seed = 1)
  expect_identical(attr(s, "repeats"), 8L)
  others <- vapply(2:6, function(k) colMeans(fit(k)[c("r", "u_x1", "u_x2", "s")]), numeric(4))
  inside <- others >= s$conf.low[1:4] & others <= s$conf.high[1:4]
  expect_gt(mean(inside), 0.8)
  # resampling the repeats widens the intervals of the sample bootstrap alone
  fixed <- it
  attr(fixed, "dmil")$per_repeat <- NULL
  s1 <- summary(fixed, B = 300, seed = 1)
  expect_gt(mean(s$std.error[1:4]), mean(s1$std.error[1:4]))
})

test_that("results are identical for 1 and 2 threads", {
  skip_without_openmp()
  sim <- simulate_interactions(700, "mix4", seed = 41)
  for (m in c("pmmi", "lsmi")) {
    fit <- function(threads) {
      suppressWarnings(dmil_interactions(sim$x, sim$y, measure = m, epochs = 4, repeats = 2,
                                         knife = list(epochs = 3), seed = 5, nthreads = threads,
                                         progress = FALSE))
    }
    a <- fit(1)
    b <- fit(2)
    strip <- function(x) `attr<-`(x, "dmil", NULL)
    expect_identical(strip(a), strip(b), label = m)
    expect_identical(attr(a, "dmil")$thetas, attr(b, "dmil")$thetas)
    expect_identical(attr(a, "dmil")$calib, attr(b, "dmil")$calib)
  }
})

test_that("the prior can be empirical or uniform", {
  sim <- simulate_interactions(600, "mix4", seed = 42)
  keep <- c(which(sim$y == "0"), which(sim$y == "1")[1:100])
  x <- lapply(sim$x, function(v) v[keep, ])
  emp <- dmil_interactions(x, sim$y[keep], epochs = 3, repeats = 2, seed = 1, progress = FALSE)
  uni <- dmil_interactions(x, sim$y[keep], epochs = 3, repeats = 2, seed = 1, prior = "uniform",
                           progress = FALSE)
  # log p(y) enters every pointwise MI of a sample equally
  d <- uni$i_x1 - emp$i_x1
  expect_equal(uni$i_joint - emp$i_joint, d, tolerance = 1e-12)
  # i = log p(y | x) - log p(y): the difference is log2 of (frequency / 0.5),
  # with each sample's class frequency from the folds that scored it,
  # averaged over the repeats
  info <- attr(emp, "dmil")
  freq <- rowMeans(exp(info$per_repeat$log_prior))
  expect_equal(d, log2(freq / 0.5), tolerance = 1e-10)
  expect_equal(info$per_repeat$log_prior[, 1],
               log(info$fold_prior[cbind(info$fold[, 1], as.integer(sim$y[keep]))]))
  # class "1" is the rarer one
  expect_true(all(d[sim$y[keep] == "1"] < -0.5))
})

test_that("summary() gives bootstrap intervals around the means", {
  s <- summary(it3, B = 200, seed = 1)
  expect_s3_class(s, "summary.dmil_interactions")
  expect_named(s, c("term", "estimate", "std.error", "conf.low", "conf.high"))
  expect_equal(s$estimate[s$term == "r_x1_x3"], mean(it3$r_x1_x3))
  expect_true(all(s$conf.low <= s$conf.high))
  expect_equal(sum(s$estimate[grepl("^dominant:", s$term)]), 1)
  expect_identical(summary(it3, B = 50, seed = 3), summary(it3, B = 50, seed = 3))
  expect_output(print(s), "2 repeats")
})

test_that("tidy() is the long form and glance() one row of dataset figures", {
  td <- tidy(it3)
  expect_named(td, c("sample", "label", "term", "estimate", "sd"))
  expect_equal(nrow(td), 900 * 8)
  expect_equal(td$estimate[td$term == "s"], it3$s)
  expect_equal(td$sd[td$term == "s"], it3$sd_s)
  expect_equal(nrow(tidy(it3, what = "all")), 900 * 15)
  expect_equal(nrow(tidy(it3, what = "lattice")), 900 * 18)
  gl <- glance(it3)
  expect_equal(nrow(gl), 1)
  expect_equal(gl$mean_u_x1, mean(it3$u_x1))
  expect_equal(gl$repeats, 2L)
  expect_true(all(c("accuracy_x1", "accuracy_joint", "log_loss_joint", "shift") %in% names(gl)))
  expect_output(print(it3), "2 repeats")
})

test_that("predict() gives expected interactions of new samples, or their values given labels", {
  sim <- simulate_interactions(3000, "mix4", sigma = 0.25, seed = 43)
  train <- 1:2000
  xs <- function(rows) lapply(sim$x, function(v) v[rows, , drop = FALSE])
  it <- dmil_interactions(xs(train), sim$y[train], seed = 1, progress = FALSE)
  new <- predict(it, xs(-train))
  expect_named(new, c("sample", "r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint", "dominant",
                      ".pred_class"))
  expect_equal(nrow(new), 1000)
  expect_gt(mean(new$dominant == sim$type[-train]), 0.85)
  expect_gt(mean(new$.pred_class == sim$y[-train]), 0.95)
  lab <- predict(it, xs(-train), new_y = sim$y[-train])
  expect_identical(lab$label, sim$y[-train])
  rlang::local_options(rlib_message_verbosity = "verbose")
  expect_message(old <- predict(it, new_x = xs(-train), new_y = sim$y[-train]),
                 class = "dmil_message_deprecated")
  expect_identical(old, lab)
  expect_gt(mean(lab$dominant == sim$type[-train]), 0.9)
  # (single precision: a row's values depend on the rows computed with it
  # only at the level of float rounding)
  one <- predict(it, xs(2001))
  expect_equal(unlist(one[c("r", "s")]), unlist(new[1, c("r", "s")]), tolerance = 1e-5)
  # LSMI too, and a saved result predicts the same
  itl <- dmil_interactions(xs(train), sim$y[train], measure = "lsmi", epochs = 5, repeats = 1,
                           knife = list(epochs = 5), seed = 1, progress = FALSE)
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(itl, path)
  expect_identical(predict(readRDS(path), xs(-train)), predict(itl, xs(-train)))
  expect_true(all(c("h_x1", "h_x2") %in% names(predict(itl, xs(2001:2005)))))
})

test_that("three views predict the full table of new samples", {
  new <- predict(it3, lapply(sim3$x, function(v) v[1:5, ]))
  expect_true(all(dmil:::atom_columns(names(sim3$x)) %in% names(new)))
  expect_equal(rowSums(as.matrix(new[dmil:::atom_columns(names(sim3$x))])), new$i_joint,
               tolerance = 1e-10)
})

test_that("a row subset keeps its models and per-repeat values; a column subset is a data frame", {
  sub <- it3[c(5, 1, 900), ]
  expect_s3_class(sub, "dmil_interactions")
  expect_equal(glance(sub)$n, 3)
  expect_equal(attr(sub, "dmil")$rows, c(5, 1, 900))
  # the per-repeat values of the subset are those of its rows
  tab <- dmil:::repeat_table(attr(sub, "dmil"), attr(sub, "dmil")$rows, 1:2)
  expect_equal(tab$r, sub$r, tolerance = 1e-10)
  expect_equal(nrow(summary(sub, B = 20, seed = 1)), nrow(summary(it3, B = 20, seed = 1)))
  expect_equal(nrow(predict(sub, lapply(sim3$x, function(v) v[1:3, ]))), 3)
  cols <- it3[, c("sample", "r")]
  expect_identical(class(cols), "data.frame")
  bare <- it3
  attr(bare, "dmil") <- NULL
  expect_error(glance(bare), class = "dmil_error_arg")
  expect_error(predict(bare, sim3$x), class = "dmil_error_arg")
})

test_that("bad arguments are rejected", {
  sim <- simulate_interactions(100, "mix4", seed = 44)
  expect_error(dmil_interactions(sim$x, sim$y, folds = 1), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, folds = 60), class = "dmil_error_outcome")
  expect_error(dmil_interactions(sim$x, sim$y, repeats = 0), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, inner_validation = 0.7), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, bins = 20), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, knife = list(depth = 3)), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, measure = "broja"))
  expect_error(dmil_interactions(sim$x["x1"], sim$y), class = "dmil_error_views")
  expect_error(dmil_interactions(sim$x, sim$y, epoch = 2), class = "rlib_error_dots_nonempty")
  five <- stats::setNames(rep(sim$x[1], 5), paste0("v", 1:5))
  expect_error(dmil_interactions(five, sim$y), "at most 4 views", class = "dmil_error_views")
  # and DMIL, whose Phase B needs them, says how to fit without it
  expect_error(dmil_fit(five, sim$y, epochs = 2), "finetune = FALSE", class = "dmil_error_views")
  three <- c(sim$x, list(x3 = sim$x$x1))
  expect_error(dmil_interactions(three, sim$y, measure = "lsmi"), class = "dmil_error_arg")
  clash <- list(a_b = sim$x$x1, c = sim$x$x2, a = sim$x$x1, b_c = sim$x$x2)
  expect_error(dmil_interactions(clash, sim$y), class = "dmil_error_names")
})
