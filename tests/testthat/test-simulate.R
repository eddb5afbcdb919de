test_that("MIX4 returns two views, labels, types and an oracle in the interactions layout", {
  sim <- simulate_interactions(800, "mix4", K = 3, dims = c(6, 9), seed = 1)
  expect_s3_class(sim, "dmil_simulation")
  expect_named(sim$x, c("x1", "x2"))
  expect_equal(vapply(sim$x, ncol, integer(1)), c(x1 = 6L, x2 = 9L))
  expect_identical(levels(sim$y), c("0", "1", "2"))
  expect_identical(levels(sim$type), c("R", "U_x1", "U_x2", "S"))
  expect_named(sim$oracle, c("sample", "label", "r", "u_x1", "u_x2", "s", "i_x1", "i_x2",
                             "i_joint", "dominant"))
  expect_output(print(sim), "mix4")
})

test_that("MIX3 returns three views, eleven types and an oracle in the interactions layout", {
  sim <- simulate_interactions(600, "mix3", K = 3, dims = c(4, 5, 6), seed = 1)
  expect_named(sim$x, c("x1", "x2", "x3"))
  expect_equal(vapply(sim$x, ncol, integer(1)), c(x1 = 4L, x2 = 5L, x3 = 6L))
  expect_identical(levels(sim$type), c("R", "R_x1_x2", "R_x1_x3", "R_x2_x3", "U_x1", "U_x2", "U_x3",
                                       "S_x1_x2", "S_x1_x3", "S_x2_x3", "S_x1_x2_x3"))
  expect_named(sim$oracle, c("sample", "label", "r", "r_x1_x2", "r_x1_x3", "r_x2_x3", "u_x1",
                             "u_x2", "u_x3", "s", "i_x1", "i_x2", "i_x1_x2", "i_x3", "i_x1_x3",
                             "i_x2_x3", "i_joint", "dominant"))
  expect_equal(ncol(attr(sim$oracle, "lattice")), 18)
  expect_named(sim$terms$log_post, c("x1", "x2", "x1:x2", "x3", "x1:x3", "x2:x3", "joint"))
  expect_error(simulate_interactions(10, "mix3", pi = rep(1, 4)), class = "dmil_error_arg")
  expect_output(print(sim), "r_x1_x2")
})

test_that("with small noise the three-view oracle gives each type its own atom", {
  for (K in 2:3) {
    sim <- simulate_interactions(3000, "mix3", K = K, sigma = 0.25, seed = 4)
    lattice <- attr(sim$oracle, "lattice")
    own <- c(R = "{x1}{x2}{x3}", R_x1_x2 = "{x1}{x2}", R_x1_x3 = "{x1}{x3}", R_x2_x3 = "{x2}{x3}",
             U_x1 = "{x1}", U_x2 = "{x2}", U_x3 = "{x3}", S_x1_x2 = "{x1,x2}", S_x1_x3 = "{x1,x3}",
             S_x2_x3 = "{x2,x3}", S_x1_x2_x3 = "{x1,x2,x3}")
    for (t in names(own)) {
      rows <- sim$type == t
      # log2(K) bits in the type's own atom, (nearly) nothing elsewhere
      expect_equal(mean(lattice[rows, own[[t]]]), log2(K), tolerance = 0.03, label = t)
      expect_lt(mean(abs(rowSums(lattice[rows, ]) - lattice[rows, own[[t]]])), 0.05)
    }
    # the summary's dominant type is the simulated one, synergies pooled
    expect_gt(mean(as.character(sim$oracle$dominant) == sub("^S_.*", "S", sim$type)), 0.99)
  }
})

test_that("oracle values satisfy the consistency equations exactly", {
  for (d in list(list("mix4"), list("gauss"), list("gates", gate = "and"))) {
    for (m in c("pmmi", "lsmi")) {
      sim <- do.call(simulate_interactions, c(list(500), d, list(measure = m, seed = 2)))
      o <- sim$oracle
      expect_lt(max(abs(o$r + o$u_x1 - o$i_x1)), 1e-12)
      expect_lt(max(abs(o$r + o$u_x2 - o$i_x2)), 1e-12)
      expect_lt(max(abs(o$r + o$u_x1 + o$u_x2 + o$s - o$i_joint)), 1e-12)
    }
  }
})

test_that("with small noise the oracle's dominant atom is the simulated type", {
  for (K in 2:3) {
    sim <- simulate_interactions(2000, "mix4", K = K, sigma = 0.25, seed = 3)
    expect_gt(mean(sim$oracle$dominant == sim$type), 0.99)
    # each type carries one atom of log2(K) bits
    means <- aggregate(cbind(r, u_x1, u_x2, s) ~ type,
                       data = cbind(sim$oracle, type = sim$type), FUN = mean)
    expect_equal(unname(diag(as.matrix(means[-1]))), rep(log2(K), 4), tolerance = 0.02)
  }
})

test_that("without tags the type is not identifiable", {
  sim <- simulate_interactions(2000, "mix4", tagged = FALSE, sigma = 0.25, seed = 4)
  expect_lt(mean(sim$oracle$dominant == sim$type), 0.8)
})

test_that("the Gaussian oracle reproduces the LSMI reference means", {
  # C, rho, then I1, I2, I12 and the adjusted R, U1, U2, S, in nats.
  ref <- rbind(
    c(2, 0.0, .496, .498, .633, .496, .000, .003, .135),
    c(2, 0.5, .496, .501, .563, .496, .000, .005, .062),
    c(2, 0.9, .496, .499, .509, .496, .000, .004, .010),
    c(10, 0.0, 1.327, 1.342, 1.928, 1.327, .000, .015, .586),
    c(10, 0.5, 1.327, 1.335, 1.588, 1.327, .000, .007, .254),
    c(10, 0.9, 1.327, 1.328, 1.373, 1.327, .000, .001, .045))
  n <- 20000
  for (j in seq_len(nrow(ref))) {
    sim <- simulate_interactions(n, "gauss", n_classes = ref[j, 1], rho = ref[j, 2],
                                 measure = "lsmi", unit = "nats", seed = 10 + j)
    o <- as.matrix(sim$oracle[c("i_x1", "i_x2", "i_joint", "r", "u_x1", "u_x2", "s")])
    # The two views are exchangeable: compare the pair of unique values
    # (and of single-view informations) as sets.
    m <- colMeans(o)
    m[c("i_x1", "i_x2")] <- sort(m[c("i_x1", "i_x2")])
    m[c("u_x1", "u_x2")] <- sort(m[c("u_x1", "u_x2")])
    r <- ref[j, 3:9]
    r[1:2] <- sort(r[1:2])
    r[5:6] <- sort(r[5:6])
    se <- apply(o, 2, stats::sd) / sqrt(n)
    # both the table and this run are Monte Carlo means of n samples
    z <- (m - r) / (sqrt(2) * se + 1e-3)
    expect_true(all(abs(z) < 4), label = sprintf("C = %g, rho = %g: z = %s", ref[j, 1], ref[j, 2],
                                                  paste(round(z, 2), collapse = ", ")))
  }
})

test_that("gate oracles are the exact pointwise decomposition of the gate", {
  for (m in c("pmmi", "lsmi")) {
    sim <- simulate_interactions(300, "gates", gate = "and", measure = m, seed = 5)
    pw <- pid_discrete(pid_gate("and"), measure = if (m == "lsmi") "pm" else m,
                       pointwise = TRUE)$pointwise
    x1 <- max.col(sim$x$x1) - 1
    x2 <- max.col(sim$x$x2) - 1
    ref <- pw[match(paste(x1, x2, sim$y), paste(pw$x1, pw$x2, pw$y)), ]
    expect_false(anyNA(ref$r))
    # LSMI's adjustment uses the means of the sample, not of the distribution:
    # the oracle equals the raw values plus one constant.
    shift <- attr(sim$oracle, "shift")
    expect_equal(sim$oracle$r, ref$r + shift, tolerance = 1e-10)
    expect_equal(sim$oracle$u_x1, ref$u_x1 - shift, tolerance = 1e-10)
    expect_equal(sim$oracle$s, ref$s + shift, tolerance = 1e-10)
  }
  # codes instead of one-hot, and jitter
  codes <- simulate_interactions(50, "gates", gate = "sum", onehot = FALSE, jitter = 0.1, seed = 5)
  expect_equal(ncol(codes$x$x1), 1)
  expect_false(all(codes$x$x1 == round(codes$x$x1)))
  expect_lt(max(abs(codes$x$x1 - round(codes$x$x1))), 0.5)
})

test_that("the PID design has equally frequent classes and a per-setting type", {
  sim <- simulate_interactions(640, "pid", setting = "uniqueness2", n_classes = 8, seed = 6)
  expect_equal(as.vector(table(sim$y)), rep(80, 8))
  expect_equal(vapply(sim$x, ncol, integer(1)), c(x1 = 64L, x2 = 64L))
  expect_true(all(sim$type == "U_x2"))
  expect_null(sim$oracle)
  mix <- simulate_interactions(100, "pid", setting = "mix", fractions = c(1, 0.4, 0.6), seed = 6)
  expect_null(mix$type)
})

test_that("a seed makes simulations reproducible and leaves R's random state alone", {
  set.seed(99)
  before <- .Random.seed
  a <- simulate_interactions(200, "mix4", seed = 7)
  expect_identical(.Random.seed, before)
  b <- simulate_interactions(200, "mix4", seed = 7)
  expect_identical(a, b)
  c <- simulate_interactions(200, "mix4", seed = 8)
  expect_false(identical(a$x, c$x))
})

test_that("design_seed keeps the prototypes while the samples change", {
  a <- simulate_interactions(3000, "mix4", sigma = 1e-9, seed = 1, design_seed = 42)
  b <- simulate_interactions(3000, "mix4", sigma = 1e-9, seed = 2, design_seed = 42)
  expect_false(identical(a$y, b$y))
  # without noise to speak of, the distinct prototypes (4 types x 2 classes)
  # are the same
  pa <- unique(round(a$x$x1, 5))
  pb <- unique(round(b$x$x1, 5))
  expect_equal(nrow(pa), 8)
  expect_equal(pa[do.call(order, as.data.frame(pa)), ], pb[do.call(order, as.data.frame(pb)), ])
})

test_that("bad design parameters are rejected", {
  expect_error(simulate_interactions(100, "mix4", foo = 1), class = "dmil_error_arg")
  expect_error(simulate_interactions(100, "mix4", K = 1), class = "dmil_error_arg")
  expect_error(simulate_interactions(100, "gauss", rho = 1), class = "dmil_error_arg")
  expect_error(simulate_interactions(100, "gates", gate = "nand"))
  expect_error(simulate_interactions(1, "mix4"), class = "dmil_error_arg")
  expect_error(simulate_interactions(100, "mix4", 3), class = "dmil_error_arg")
})

test_that("with mixing = \"blocks\" each type's classes show in its own features only", {
  sim <- simulate_interactions(4000, "mix4", mixing = "blocks", d_latent = 2, dims = c(10, 9),
                               sigma = 0.1, seed = 3)
  f <- sim$features
  expect_identical(nrow(f), 19L)
  expect_identical(as.character(f$type[f$view == "x1"]),
                   c(rep(c("R", "U_x1", "U_x2", "S"), each = 2), NA, NA))
  # with two classes each planted feature is -1 or +1 per class, plus noise
  r_rows <- sim$type == "R"
  means <- as.vector(tapply(sim$x$x1[r_rows, 1], sim$y[r_rows], mean))
  expect_equal(abs(means), c(1, 1), tolerance = 0.02)
  expect_lt(prod(means), 0)
  # a type's block is noise on the other types' samples, noise features everywhere
  expect_lt(abs(mean(sim$x$x1[!r_rows, 1])), 0.02)
  expect_lt(max(abs(colMeans(sim$x$x1[, 9:10]))), 0.02)
  # U_x1 samples: x1's block shows the label, x2's the nuisance class
  u <- sim$type == "U_x1"
  expect_gt(abs(cor(sim$x$x1[u, 3], as.integer(sim$y[u]))), 0.95)
  expect_lt(abs(cor(sim$x$x2[u, 3], as.integer(sim$y[u]))), 0.1)
  # the oracle stays exact: small noise puts every type's information in its atom
  dom <- dmil:::dominant_atom(as.matrix(sim$oracle[c("r", "u_x1", "u_x2", "s")]), c("x1", "x2"))
  expect_gt(mean(as.character(dom) == as.character(sim$type)), 0.95)
  expect_error(simulate_interactions(10, "mix4", mixing = "blocks", d_latent = 8),
               "at least 32 features", class = "dmil_error_arg")
  expect_error(simulate_interactions(10, "mix4", mixing = "sparse"), class = "dmil_error_arg")
  expect_null(simulate_interactions(10, "mix4", seed = 1)$features)
})

test_that("simulations too large for memory or for the exact oracle, and bad parameters, are refused", {
  expect_error(simulate_interactions(10, "mix4", K = 1e6), "too large", class = "dmil_error_arg")
  expect_error(simulate_interactions(1e8, "mix4"), "GB of memory", class = "dmil_error_memory")
  expect_error(simulate_interactions(10, "mix4", dims = c(1e9, 3)), "GB of memory",
               class = "dmil_error_memory")
  expect_error(simulate_interactions(10, "mix4", dims = c(2.5, 3)), "dims", class = "dmil_error_arg")
  expect_error(simulate_interactions(10, "mix4", pi = c(NA, 1, 1, 1)), "pi", class = "dmil_error_arg")
  expect_error(simulate_interactions(10, "mix4", pi = c(1, 1)), "pi", class = "dmil_error_arg")
  expect_error(simulate_interactions(10, "pid", fractions = c(NA, 1, 1)), "fractions",
               class = "dmil_error_arg")
})
