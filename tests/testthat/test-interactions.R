# dmil_interactions(): the measuring instrument. First the arithmetic (fed
# exact probabilities it must return the oracle), then the estimates on
# simulated data with known answers.

terms_table <- function(sim, measure, unit = "bits") {
  y <- sim$y
  dmil:::interaction_table(sim$terms$log_post, if (measure == "lsmi") sim$terms$log_dens,
                           y, sim$terms$log_prior[as.integer(y)], c("x1", "x2"), measure, unit,
                           ids = seq_along(y))
}

test_that("fed the exact probabilities, the estimator returns the oracle values", {
  cols <- c("r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint")
  designs <- list(list("mix4", K = 2), list("mix4", K = 3, kappa = c(1, 0.6)),
                  list("gauss", n_classes = 4, rho = 0.3), list("gates", gate = "reduced_or"))
  for (d in designs) {
    for (m in c("pmmi", "lsmi")) {
      for (unit in c("bits", "nats")) {
        sim <- do.call(simulate_interactions, c(list(600), d, list(measure = m, unit = unit, seed = 1)))
        est <- terms_table(sim, m, unit)
        expect_equal(as.matrix(est[cols]), as.matrix(sim$oracle[cols]), tolerance = 1e-8,
                     label = paste(d[[1]], m, unit))
        expect_identical(as.character(est$dominant), as.character(sim$oracle$dominant))
        if (m == "lsmi") {
          expect_equal(est$h_x1, sim$oracle$h_x1, tolerance = 1e-8)
          expect_equal(attr(est, "shift"), attr(sim$oracle, "shift"), tolerance = 1e-8)
        }
      }
    }
  }
})

test_that("fed the exact posteriors, unlabelled samples get the posterior expectation", {
  for (m in c("pmmi", "lsmi")) {
    sim <- simulate_interactions(300, "gauss", n_classes = 3, measure = m, seed = 2)
    shift <- attr(sim$oracle, "shift") * log(2)
    exp_tab <- dmil:::expected_interactions(sim$terms$log_post, sim$terms$log_dens,
                                            sim$terms$log_prior, c("x1", "x2"), m, "bits",
                                            ids = 1:300, shift = if (m == "lsmi") shift else NA)
    # The same expectation spelled out: the oracle for every label, weighted.
    post <- exp(sim$terms$log_post$joint)
    manual <- 0
    for (k in 1:3) {
      lab <- factor(rep(k - 1, 300), levels = levels(sim$y))
      tab <- dmil:::interaction_table(sim$terms$log_post, sim$terms$log_dens, lab,
                                      rep(sim$terms$log_prior[k], 300), c("x1", "x2"), m, "bits",
                                      ids = 1:300, shift = if (m == "lsmi") shift else NA)
      manual <- manual + post[, k] * as.matrix(tab[c("r", "u_x1", "u_x2", "s")])
    }
    expect_equal(as.matrix(exp_tab[c("r", "u_x1", "u_x2", "s")]), manual, tolerance = 1e-10,
                 ignore_attr = TRUE)
  }
})

# An estimator that knows the truth up to small independent errors in its
# pointwise mutual informations: the best rank agreement with the oracle one
# can hope for when the oracle is (nearly) piecewise constant, as in MIX4 with
# small noise, where ties between nearly equal values are broken by noise.
reference_spearman <- function(oracle, tau = 0.05, seed = 1) {
  withr::with_seed(seed, {
    n <- nrow(oracle)
    i1 <- oracle$i_x1 + stats::rnorm(n, sd = tau)
    i2 <- oracle$i_x2 + stats::rnorm(n, sd = tau)
    ij <- oracle$i_joint + stats::rnorm(n, sd = tau)
  })
  r <- pmin(i1, i2)
  est <- list(r = r, u_x1 = i1 - r, u_x2 = i2 - r, s = ij - i1 - i2 + r)
  vapply(names(est), function(cc) stats::cor(est[[cc]], oracle[[cc]], method = "spearman"), numeric(1))
}

for (K in 2:3) {
  test_that(sprintf("on MIX4 (K = %d, small noise) pmmi recovers the sample types", K), {
    sim <- simulate_interactions(4000, "mix4", K = K, sigma = 0.25, seed = 20 + K)
    it <- dmil_interactions(sim$x, sim$y, seed = 1, progress = FALSE)
    expect_gt(mean(it$dominant == sim$type), 0.9)
    # Rank agreement with the oracle, per component, as good as that of an
    # estimator off by 0.05 bits of noise (see reference_spearman()).
    rho <- vapply(c("r", "u_x1", "u_x2", "s"), function(cc) {
      stats::cor(it[[cc]], sim$oracle[[cc]], method = "spearman")
    }, numeric(1))
    expect_true(all(rho > reference_spearman(sim$oracle) - 0.05),
                label = paste("Spearman", paste(round(rho, 2), collapse = " ")))
  })
}

test_that("on the Gaussian generator, LSMI's dataset means match the reference (METHOD.md 3.9)", {
  # C = 2; adjusted R, U1, U2, S in nats; U's compared as a set (the views
  # are exchangeable).
  ref <- list(`0` = c(.496, .000, .003, .135), `0.5` = c(.496, .000, .005, .062))
  n <- 4000
  for (rho in c(0, 0.5)) {
    sim <- simulate_interactions(n, "gauss", rho = rho, measure = "lsmi", unit = "nats", seed = 30)
    it <- dmil_interactions(sim$x, sim$y, measure = "lsmi", unit = "nats", seed = 1,
                            progress = FALSE)
    v <- as.matrix(it[c("r", "u_x1", "u_x2", "s")])
    m <- colMeans(v)
    m[2:3] <- sort(m[2:3])
    r <- ref[[as.character(rho)]]
    # Monte Carlo error of this run and of the reference (20000 samples),
    # plus 0.01 nats for what the finite-sample discriminators cannot know.
    se <- apply(v, 2, stats::sd) / sqrt(n)
    tol <- 3 * sqrt(se^2 + se^2 * n / 20000) + 0.01
    expect_true(all(abs(m - r) < tol),
                label = sprintf("rho = %g: means %s vs %s", rho, paste(round(m, 3), collapse = " "),
                                paste(r, collapse = " ")))
  }
})

sim3 <- simulate_interactions(1500, "mix4", seed = 40)
sim3$x$noise <- matrix(stats::rnorm(1500 * 4), 1500, dimnames = list(NULL, paste0("z", 1:4)))
it3 <- dmil_interactions(sim3$x, sim3$y, epochs = 10, pairs = TRUE, seed = 1, progress = FALSE)

test_that("the table has one row per sample and the documented columns", {
  expect_s3_class(it3, "dmil_interactions")
  expect_s3_class(it3, "data.frame")
  expect_equal(nrow(it3), 1500)
  expect_named(it3, c("sample", "label", "r", "u_x1", "u_x2", "u_noise", "s", "i_x1", "i_x2",
                      "i_noise", "i_joint", "s_add", "dominant"))
  expect_identical(levels(it3$dominant), c("R", "U_x1", "U_x2", "U_noise", "S"))
  expect_identical(it3$label, sim3$y)
})

test_that("every sample satisfies the consistency equations", {
  for (v in c("x1", "x2", "noise")) {
    expect_equal(it3$r + it3[[paste0("u_", v)]], it3[[paste0("i_", v)]], tolerance = 1e-12)
  }
  expect_equal(it3$r + it3$u_x1 + it3$u_x2 + it3$u_noise + it3$s, it3$i_joint, tolerance = 1e-12)
  expect_equal(it3$s_add, it3$i_joint - pmax(it3$i_x1, it3$i_x2, it3$i_noise), tolerance = 1e-12)
  expect_true(all(it3[c("u_x1", "u_x2", "u_noise")] >= 0))
})

test_that("pairs = TRUE decomposes every pair of views", {
  pr <- attr(it3, "pairs")
  expect_setequal(unique(pr$pair), c("x1:x2", "x1:noise", "x2:noise"))
  expect_equal(nrow(pr), 3 * 1500)
  sub <- pr[pr$pair == "x1:x2", ]
  # the single-view terms are those of the main table
  expect_equal(sub$i1, it3$i_x1)
  expect_equal(sub$r + sub$u1 + sub$u2 + sub$s, sub$i12, tolerance = 1e-12)
  # an uninformative view carries no information about the label
  expect_lt(abs(mean(it3$i_noise)), 0.05)
})

test_that("results are identical for 1 and 2 threads", {
  skip_without_openmp()
  sim <- simulate_interactions(700, "mix4", seed = 41)
  for (m in c("pmmi", "lsmi")) {
    a <- dmil_interactions(sim$x, sim$y, measure = m, epochs = 4, knife = list(epochs = 3),
                           seed = 5, nthreads = 1, progress = FALSE)
    b <- dmil_interactions(sim$x, sim$y, measure = m, epochs = 4, knife = list(epochs = 3),
                           seed = 5, nthreads = 2, progress = FALSE)
    strip <- function(x) `attr<-`(x, "dmil", NULL)
    expect_identical(strip(a), strip(b), label = m)
    expect_identical(attr(a, "dmil")$thetas, attr(b, "dmil")$thetas)
  }
})

test_that("the prior can be empirical or uniform", {
  sim <- simulate_interactions(600, "mix4", seed = 42)
  keep <- c(which(sim$y == "0"), which(sim$y == "1")[1:100])
  x <- lapply(sim$x, function(v) v[keep, ])
  emp <- dmil_interactions(x, sim$y[keep], epochs = 3, seed = 1, progress = FALSE)
  uni <- dmil_interactions(x, sim$y[keep], epochs = 3, seed = 1, prior = "uniform", progress = FALSE)
  # log p(y) enters every pointwise MI of a sample equally
  d <- uni$i_x1 - emp$i_x1
  expect_equal(uni$i_joint - emp$i_joint, d, tolerance = 1e-12)
  # i = log p(y | x) - log p(y): the difference is log2 of (frequency / 0.5),
  # with each sample's class frequency from the folds that scored it
  info <- attr(emp, "dmil")
  freq <- info$fold_prior[cbind(info$fold, as.integer(sim$y[keep]))]
  expect_equal(d, log2(freq / 0.5), tolerance = 1e-10)
  # class "1" is the rarer one
  expect_true(all(d[sim$y[keep] == "1"] < -0.5))
})

test_that("summary() gives bootstrap intervals around the means", {
  s <- summary(it3, B = 200, seed = 1)
  expect_s3_class(s, "summary.dmil_interactions")
  expect_named(s, c("term", "estimate", "std.error", "conf.low", "conf.high"))
  expect_equal(s$estimate[s$term == "r"], mean(it3$r))
  expect_true(all(s$conf.low <= s$estimate & s$estimate <= s$conf.high))
  expect_equal(sum(s$estimate[grepl("^dominant:", s$term)]), 1)
  expect_identical(summary(it3, B = 50, seed = 3), summary(it3, B = 50, seed = 3))
  expect_output(print(s), "bootstrap")
})

test_that("tidy() is the long form and glance() one row of dataset figures", {
  td <- tidy(it3)
  expect_named(td, c("sample", "label", "component", "estimate"))
  expect_equal(nrow(td), 1500 * 5)
  expect_equal(td$estimate[td$component == "s"], it3$s)
  expect_equal(nrow(tidy(it3, what = "all")), 1500 * 10)
  gl <- glance(it3)
  expect_equal(nrow(gl), 1)
  expect_equal(gl$mean_u_x1, mean(it3$u_x1))
  expect_true(all(c("accuracy_x1", "accuracy_joint", "logloss_joint", "shift") %in% names(gl)))
  expect_output(print(it3), "dmil_interactions")
})

test_that("predict() gives expected interactions of new samples", {
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
  # (single precision: a row's values depend on the rows computed with it
  # only at the level of float rounding)
  one <- predict(it, xs(2001))
  expect_equal(unlist(one[c("r", "s")]), unlist(new[1, c("r", "s")]), tolerance = 1e-5)
  # LSMI too, and a saved result predicts the same
  itl <- dmil_interactions(xs(train), sim$y[train], measure = "lsmi", epochs = 5,
                           knife = list(epochs = 5), seed = 1, progress = FALSE)
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(itl, path)
  expect_identical(predict(readRDS(path), xs(-train)), predict(itl, xs(-train)))
  expect_true(all(c("h_x1", "h_x2") %in% names(predict(itl, xs(2001:2005)))))
})

test_that("a row subset keeps its models; a table without them gives a clear error", {
  sub <- it3[1:10, ]
  expect_s3_class(sub, "dmil_interactions")
  expect_equal(glance(sub)$n, 10)
  expect_equal(nrow(predict(sub, lapply(sim3$x, function(v) v[1:3, ]))), 3)
  bare <- it3
  attr(bare, "dmil") <- NULL
  expect_error(glance(bare), class = "dmil_error_arg")
  expect_error(predict(bare, sim3$x), class = "dmil_error_arg")
})

test_that("bad arguments are rejected", {
  sim <- simulate_interactions(100, "mix4", seed = 44)
  expect_error(dmil_interactions(sim$x, sim$y, folds = 1), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, folds = 60), class = "dmil_error_outcome")
  expect_error(dmil_interactions(sim$x, sim$y, knife = list(depth = 3)), class = "dmil_error_arg")
  expect_error(dmil_interactions(sim$x, sim$y, measure = "broja"))
  expect_error(dmil_interactions(sim$x["x1"], sim$y), class = "dmil_error_views")
  expect_error(dmil_interactions(sim$x, sim$y, epoch = 2), class = "rlib_error_dots_nonempty")
})
