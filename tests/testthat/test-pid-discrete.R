# Exact PIDs of the classic discrete distributions (pid_gate(); the
# measures of vignettes/method.Rmd, sections 1 and 2.4), in bits. Each entry: r, u_x1, u_x2, s. "pm" is the I+- measure (LSMI before
# its adjustment), "lsmi" after it.
#
# One correction to the project's reference table: for PWU it lists BROJA =
# (0, .5, .5, 0), but BROJA's unique information is 0 there. The marginals
# p(x1, y) and p(x2, y) of PWU are the same, so the coupling with x2 = x1
# belongs to BROJA's feasible set; under it I(X1; Y | X2) = 0, hence U1 = 0,
# R = I1 = 0.5 and S = 0.5 (dit's tests agree: test_ibroja4 asserts zero
# unique information for 'pnt. unq'). The table's I_min row for PWU gives the
# same numbers; the CCS and I+- rows give (0, .5, .5, 0).
reference <- list(
  xor = list(mi = c(0, 0, 1), imin = c(0, 0, 0, 1), broja = c(0, 0, 0, 1), ccs = c(0, 0, 0, 1),
             pm = c(0, 0, 0, 1), lsmi = c(0, 0, 0, 1)),
  and = list(mi = c(.3112781, .3112781, .8112781), imin = c(.3112781, 0, 0, .5),
             broja = c(.3112781, 0, 0, .5), ccs = c(.1037594, .2075187, .2075187, .2924813),
             pm = c(.5612781, -.25, -.25, .75), lsmi = c(.3112781, 0, 0, .5)),
  or = list(mi = c(.3112781, .3112781, .8112781), imin = c(.3112781, 0, 0, .5),
            broja = c(.3112781, 0, 0, .5), ccs = c(.1037594, .2075187, .2075187, .2924813),
            pm = c(.5612781, -.25, -.25, .75), lsmi = c(.3112781, 0, 0, .5)),
  rdn = list(mi = c(1, 1, 1), imin = c(1, 0, 0, 0), broja = c(1, 0, 0, 0), ccs = c(1, 0, 0, 0),
             pm = c(1, 0, 0, 0), lsmi = c(1, 0, 0, 0)),
  unq1 = list(mi = c(1, 0, 1), imin = c(0, 1, 0, 0), broja = c(0, 1, 0, 0), ccs = c(0, 1, 0, 0),
              pm = c(1, 0, -1, 1), lsmi = c(0, 1, 0, 0)),
  unq2 = list(mi = c(0, 1, 1), imin = c(0, 0, 1, 0), broja = c(0, 0, 1, 0), ccs = c(0, 0, 1, 0),
              pm = c(1, -1, 0, 1), lsmi = c(0, 0, 1, 0)),
  copy = list(mi = c(1, 1, 2), imin = c(1, 0, 0, 1), broja = c(0, 1, 1, 0), ccs = c(0, 1, 1, 0),
              pm = c(1, 0, 0, 1), lsmi = c(1, 0, 0, 1)),
  sum = list(mi = c(.5, .5, 1.5), imin = c(.5, 0, 0, 1), broja = c(.5, 0, 0, 1), ccs = c(0, .5, .5, .5),
             pm = c(.5, 0, 0, 1), lsmi = c(.5, 0, 0, 1)),
  reduced_or = list(mi = c(.3112781, .3112781, 1), imin = c(.3112781, 0, 0, .6887219),
                    broja = c(.3112781, 0, 0, .6887219), ccs = c(0, .3112781, .3112781, .3774438),
                    pm = c(-.0849625, .3962406, .3962406, .2924813),
                    lsmi = c(0, .3112781, .3112781, .3774438)),
  rdn_xor = list(mi = c(1, 1, 2), imin = c(1, 0, 0, 1), broja = c(1, 0, 0, 1), ccs = c(1, 0, 0, 1),
                 pm = c(1, 0, 0, 1), lsmi = c(1, 0, 0, 1)),
  pwu = list(mi = c(.5, .5, 1), imin = c(.5, 0, 0, .5), broja = c(.5, 0, 0, .5), ccs = c(0, .5, .5, 0),
             pm = c(0, .5, .5, 0), lsmi = c(0, .5, .5, 0))
)

atoms_of <- function(res, m) unlist(res[res$measure == m, c("r", "u_x1", "u_x2", "s")])

# Where the maximum-entropy fitting of CCS and I_dep cannot find the exact
# support first, it stops short on distributions whose maximum-entropy
# distribution has zeros that no single marginal implies and says so with a
# dmil_warning_convergence (tested below); the tests of values read past it.
pid_discrete <- function(...) {
  suppressWarnings(dmil::pid_discrete(...), classes = "dmil_warning_convergence")
}

test_that("an iterative solver that stops short says so, with the error it reached", {
  # without the exact support (past the size of its linear programs), the
  # proportional fitting approaches AND's vanishing cells like 1/sweeps
  real <- dmil:::maxent_support_cells
  utils::assignInNamespace("maxent_support_cells", function() 0L, "dmil")
  withr::defer(utils::assignInNamespace("maxent_support_cells", real, "dmil"))
  for (m in c("ccs", "dep")) {
    w <- expect_warning(dmil::pid_discrete(pid_gate("and"), measure = m),
                        class = "dmil_warning_convergence")
    expect_match(conditionMessage(w), "error of a pairwise marginal is [0-9.e-]+")
  }
  # CCS on XOR and every gate under BROJA converge: no warning, BROJA within 1e-12 nats
  expect_no_warning(dmil::pid_discrete(pid_gate("xor"), measure = "ccs"))
  for (gate in names(reference)) {
    expect_no_warning(res <- dmil::pid_discrete(pid_gate(gate), measure = "broja"))
    expect_lt(attr(res, "broja_gap"), 1e-12)
  }
})

test_that("every measure reproduces the reference table", {
  for (gate in names(reference)) {
    res <- pid_discrete(pid_gate(gate))
    ref <- reference[[gate]]
    expect_equal(unlist(res[1, c("i_x1", "i_x2", "i_joint")]), ref$mi, tolerance = 1e-6,
                 ignore_attr = TRUE, label = paste(gate, "mutual informations"))
    for (m in c("imin", "pm", "lsmi")) {
      expect_equal(atoms_of(res, m), ref[[m]], tolerance = 1e-6, ignore_attr = TRUE,
                   label = paste(gate, m))
    }
    # BROJA's Newton steps to 1e-10; CCS on the exact support of its
    # maximum-entropy distribution to 1e-10 (the table has 7 digits)
    expect_lt(max(abs(atoms_of(res, "broja") - ref$broja)), 1e-6, label = paste(gate, "broja"))
    expect_lt(max(abs(atoms_of(res, "ccs") - ref$ccs)), 1e-6, label = paste(gate, "ccs"))
  }
})

# A distribution given as dit writes it (dit/pid/distributions/*.py):
# outcomes as strings of one digit per variable, sources first, the target
# last, equally likely unless `probs` says otherwise.
dit_dist <- function(outcomes, probs = rep(1, length(outcomes))) {
  digits <- do.call(rbind, lapply(strsplit(outcomes, ""), as.integer))
  dims <- apply(digits, 2, max) + 1L
  arr <- array(0, dims)
  arr[digits + 1L] <- probs
  arr / sum(arr)
}

# Atoms of the two-source table in dit's lattice order {0}{1}, {0}, {1}, {01}.
two_atoms <- function(p, m) atoms_of(pid_discrete(p, measure = m), m)

test_that("I_sx, I_wedge, I_dep, I_proj and I_RDR reproduce dit's published two-source values", {
  # tests/pid/test_isx.py of dit (Makkeh, Gutknecht and Wibral 2021), exact
  # closed forms; "unique 1" is dit's unq1, whose target is the second source
  expect_equal(two_atoms(dit_dist(c("011", "101", "022", "202")), "sx"), c(0, .5, .5, 0),
               tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(two_atoms(dit_dist(c("000", "011", "100", "111")), "sx"),
               c(log2(4 / 3), -log2(4 / 3), log2(3 / 2), log2(4 / 3)),
               tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(two_atoms(pid_gate("reduced_or"), "sx"),
               c(log2(4 / 3) / 2 - 1 / 2, rep(log2(4 / 3) / 2 + log2(3) / 4, 2), log2(9 / 8) / 2),
               tolerance = 1e-12, ignore_attr = TRUE)
  # tests/pid/test_iwedge.py (Griffith et al. 2014): dit's "imp. rdn"
  expect_equal(two_atoms(dit_dist(c("000", "010", "111"), c(.499, .001, .5)), "wedge"),
               c(0, 1, .98959, -.98959), tolerance = 1e-5, ignore_attr = TRUE)
  # tests/pid/test_idep.py (James et al. 2018): reduced OR
  expect_equal(two_atoms(pid_gate("reduced_or"), "dep"),
               c(0.073761301440421256, 0.23751682301871169, 0.23751682301871169,
                 0.45120505252215537), tolerance = 1e-6, ignore_attr = TRUE)
  # tests/pid/test_iproj.py (Harder et al. 2013): dit's "diff"
  expect_equal(two_atoms(dit_dist(c("000", "001", "010", "101")), "proj"),
               c(0.16503749927884365, 0.1462406251802893, 0.1462406251802893,
                 0.04248125036057776), tolerance = 1e-6, ignore_attr = TRUE)
  # tests/pid/test_irdr.py (Mages and Rohner): "diff" and reduced OR, both
  # equal to BROJA there
  expect_equal(two_atoms(dit_dist(c("000", "001", "010", "101")), "rdr"),
               c(0.12255624891826589, 0.18872187554086706, 0.18872187554086706, 0),
               tolerance = 1e-9, ignore_attr = TRUE)
  expect_equal(two_atoms(pid_gate("reduced_or"), "rdr"),
               c(0.31127812445913305, 0, 0, 0.6887218755408672), tolerance = 1e-9,
               ignore_attr = TRUE)
})

test_that("CCS and I_dep reach the exact zeros of the maximum-entropy distribution", {
  # AND's pairwise marginals force the cells outside its support to 0, so
  # its maximum-entropy distribution is AND itself: CCS counts only the
  # outcome 000, where all local informations are log2(4/3) (Ince 2017,
  # AND: R = 0.1038); I_dep's R is I1 + I2 - I_CI (James et al. 2018)
  for (gate in c("and", "or")) {
    expect_no_warning(res <- dmil::pid_discrete(pid_gate(gate), measure = c("ccs", "dep")))
    expect_equal(res$r[1], log2(4 / 3) / 4, tolerance = 1e-12)
    p <- pid_gate(gate)
    py <- apply(p, 3, sum)
    ci <- array(0, dim(p))
    for (y in 1:2) ci[, , y] <- outer(apply(p, c(1, 3), sum)[, y], apply(p, c(2, 3), sum)[, y]) / py[y]
    i_ci <- sum(ci[ci > 0] * log2(ci[ci > 0] / (apply(ci, c(1, 2), sum) %o% py)[ci > 0]))
    expect_equal(res$r[2], 2 * res$i_x1[2] - i_ci, tolerance = 1e-12)
  }
  # SUM: CCS gives no redundancy (Ince 2017, Table: 0, 0.5, 0.5, 0.5)
  expect_no_warning(res <- dmil::pid_discrete(pid_gate("sum"), measure = "ccs"))
  expect_equal(atoms_of(res, "ccs"), c(0, .5, .5, .5), tolerance = 1e-12, ignore_attr = TRUE)
})

test_that("BROJA, I_dep and I_proj satisfy the identity axiom: y = (x1, x2) gives R = I(X1; X2)", {
  # Harder et al. (2013); the first p(x1, x2) has zeros that once led
  # I_proj's Newton steps to drop a mixture weight the projection needed
  p12s <- list(matrix(c(66.2275804991795, 0, 68.8973356970083, 42.2655751358042,
                        72.0773492977269, 1, 0, 7.56074081338267, 52.4095645771746), 3),
               matrix(c(.3, .1, .05, .05, .2, .3), 2))
  for (p12 in p12s) {
    p12 <- p12 / sum(p12)
    n1 <- nrow(p12)
    n2 <- ncol(p12)
    p <- array(0, c(n1, n2, n1 * n2))
    for (a in seq_len(n1)) for (b in seq_len(n2)) p[a, b, a + n1 * (b - 1)] <- p12[a, b]
    nz <- p12 > 0
    i12 <- sum(p12[nz] * log2(p12[nz] / outer(rowSums(p12), colSums(p12))[nz]))
    res <- pid_discrete(p, measure = c("broja", "dep", "proj"))
    expect_equal(res$r, rep(i12, 3), tolerance = 1e-7)
  }
})

test_that("the new measures give their known values on the canonical gates", {
  gates <- list(
    # I_sx on XOR: the shared exclusion of either bit leaves p(y) at 1/3
    xor = list(sx = c(log2(2 / 3), log2(3 / 2), log2(3 / 2), 1 - log2(3 / 2)),
               wedge = c(0, 0, 0, 1), dep = c(0, 0, 0, 1), proj = c(0, 0, 0, 1)),
    # AND: I_proj equals I_min (Harder et al. 2013, Table 1); I_dep is
    # (0.0817, 0.2296, 0.2296, 0.2704) (James et al. 2018, Table 1); the
    # independent sources have no common part
    and = list(proj = c(.3112781, 0, 0, .5), dep = c(0.0817041, 0.2295740, 0.2295740, 0.2704260),
               wedge = c(0, .3112781, .3112781, .1887219)),
    rdn = list(sx = c(1, 0, 0, 0), wedge = c(1, 0, 0, 0), dep = c(1, 0, 0, 0), proj = c(1, 0, 0, 0)),
    # COPY: the measures built to give each source its own bit
    copy = list(wedge = c(0, 1, 1, 0), dep = c(0, 1, 1, 0), proj = c(0, 1, 1, 0)),
    # Griffith's redundant XOR: the shared bit r is the sources' common part
    rdn_xor = list(wedge = c(1, 0, 0, 1), dep = c(1, 0, 0, 1), proj = c(1, 0, 0, 1))
  )
  for (gate in names(gates)) for (m in names(gates[[gate]])) {
    expect_equal(two_atoms(pid_gate(gate), m), gates[[gate]][[m]], tolerance = 1e-6,
                 ignore_attr = TRUE, label = paste(gate, m))
  }
})

test_that("three sources decompose into the 18 atoms of the lattice, named by antichain", {
  # dit's trivariate "synergy" (three-bit XOR) under I_sx, from
  # tests/pid/test_isx.py (exact)
  xor3 <- dit_dist(c("0000", "0011", "0101", "0110", "1001", "1010", "1100", "1111"))
  res <- pid_discrete(xor3, measure = "sx")
  expect_named(res, c("measure", "atom", "value", "redundancy", "summary", "unit"))
  expect_identical(nrow(res), 18L)
  expected <- c("{x1}" = log2(5 / 4), "{x2}" = log2(5 / 4), "{x3}" = log2(5 / 4),
                "{x1,x2}" = log2(9 / 8), "{x1,x3}" = log2(9 / 8), "{x2,x3}" = log2(9 / 8),
                "{x1,x2,x3}" = log2(32 / 27), "{x1}{x2}" = log2(7 / 8), "{x1}{x3}" = log2(7 / 8),
                "{x1}{x2,x3}" = log2(32 / 35), "{x2}{x3}" = log2(7 / 8),
                "{x2}{x1,x3}" = log2(32 / 35), "{x3}{x1,x2}" = log2(32 / 35),
                "{x1,x2}{x1,x3}" = log2(16 / 15), "{x1,x2}{x2,x3}" = log2(16 / 15),
                "{x1,x3}{x2,x3}" = log2(16 / 15), "{x1}{x2}{x3}" = log2(8 / 7),
                "{x1,x2}{x1,x3}{x2,x3}" = log2(875 / 1024))
  expect_equal(res$value[match(names(expected), res$atom)], unname(expected), tolerance = 1e-12)
  # dit's trivariate "sum" under I_wedge (tests/pid/test_iwedge.py)
  sum3 <- dit_dist(c("0000", "0011", "0101", "0112", "1001", "1012", "1102", "1113"))
  w <- pid_discrete(sum3, measure = "wedge")
  value <- stats::setNames(w$value, w$atom)
  expect_equal(value[c("{x1,x2,x3}", "{x1}", "{x2}", "{x3}")], rep(0.31127812445913294, 4),
               tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(value[c("{x1,x2}", "{x1,x3}", "{x2,x3}")], rep(0.18872187554086706, 3),
               tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(sum(abs(value[!names(value) %in% c("{x1,x2,x3}", "{x1}", "{x2}", "{x3}",
                                                  "{x1,x2}", "{x1,x3}", "{x2,x3}")])), 0,
               tolerance = 1e-12)
  # I_RDR is non-negative on dit's "xor cat" and "dbl xor" (tests/pid/test_irdr.py)
  for (d in list(dit_dist(c("0000", "0111", "1012", "1103")),
                 dit_dist(c("0000", "0011", "0103", "0112", "1002", "1013", "1101", "1110")))) {
    expect_gt(min(pid_discrete(d, measure = "rdr")$value), -1e-12)
  }
})

test_that("three-source atoms sum to the joint information and reduce to two sources", {
  withr::local_seed(9)
  p3 <- array(runif(2 * 3 * 2 * 3), c(2, 3, 2, 3))
  p3 <- p3 / sum(p3)
  # I(X1,X2,X3; Y) in bits
  pxy <- matrix(p3, ncol = 3)
  joint <- sum(pxy * log2(pxy / outer(rowSums(pxy), colSums(pxy))))
  res <- pid_discrete(p3)
  expect_setequal(unique(res$measure), c("imin", "mmi", "pmmi", "pm", "sx", "wedge", "rdr"))
  for (m in unique(res$measure)) {
    expect_equal(sum(res$value[res$measure == m]), joint, tolerance = 1e-12, label = m)
  }
  # a constant third source: the two-source table, every other atom zero.
  # Not for pointwise MMI: a constant source's local information 0 is the
  # minimum wherever another source's is negative, so {x1}{x2}{x3} is not 0.
  and3 <- array(pid_gate("and"), c(2, 2, 1, 2))
  two <- pid_discrete(pid_gate("and"), measure = c("imin", "mmi", "pm", "sx", "wedge", "rdr"))
  three <- pid_discrete(and3, measure = two$measure)
  for (m in two$measure) {
    v <- three[three$measure == m, ]
    value <- stats::setNames(v$value, v$atom)
    expect_equal(unname(value[c("{x1}{x2}", "{x1}", "{x2}", "{x1,x2}")]),
                 unname(unlist(two[two$measure == m, c("r", "u_x1", "u_x2", "s")])),
                 tolerance = 1e-12, label = m)
    expect_lt(max(abs(value[!names(value) %in% c("{x1}{x2}", "{x1}", "{x2}", "{x1,x2}")])), 1e-12)
  }
})

test_that("three sources take the lattice measures only, from arrays or data frames", {
  d <- data.frame(a = c(0, 0, 1, 1), b = c(0, 1, 0, 1), c = c(1, 1, 0, 0), y = c(0, 1, 1, 0))
  res <- pid_discrete(d[rep(1:4, 3), ], measure = "mmi")
  expect_true(all(grepl("^\\{[abc,}{]+\\}$", res$atom)))
  expect_identical(res$summary[res$atom == "{a}{b}"], "r_a_b")
  expect_error(pid_discrete(d, measure = "broja"), "two sources only", class = "dmil_error_arg")
  expect_error(pid_discrete(d, sources = c("a", "b", "c", "y"), target = "y"),
               class = "dmil_error_arg")
  pw <- pid_discrete(d, measure = "sx", pointwise = TRUE)$pointwise
  means <- tapply(pw$p * pw$value, pw$atom, sum)
  expect_equal(as.vector(means[res$atom]), pid_discrete(d, measure = "sx")$value, tolerance = 1e-12)
})

test_that("mmi and pmmi give their closed forms", {
  res <- pid_discrete(pid_gate("and"), measure = c("mmi", "pmmi"))
  expect_equal(atoms_of(res, "mmi"), c(.3112781, 0, 0, .5), tolerance = 1e-6, ignore_attr = TRUE)
  # Pointwise MMI on AND (by hand from the pointwise informations): means (0.061, 0.25, 0.25, 0.25).
  expect_equal(atoms_of(res, "pmmi"), c(0.0612781, .25, .25, .25), tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("the consistency equations hold exactly for every measure", {
  withr::local_seed(5)
  dists <- c(lapply(names(reference), pid_gate), list(array(runif(48), c(4, 4, 3))))
  for (p in dists) {
    res <- pid_discrete(p)
    expect_lt(max(abs(res$r + res$u_x1 - res$i_x1)), 1e-12)
    expect_lt(max(abs(res$r + res$u_x2 - res$i_x2)), 1e-12)
    expect_lt(max(abs(res$r + res$u_x1 + res$u_x2 + res$s - res$i_joint)), 1e-12)
  }
})

test_that("relabelling outcomes changes nothing", {
  withr::local_seed(6)
  for (p in list(pid_gate("and"), pid_gate("reduced_or"), pid_gate("sum"),
                 array(runif(48), c(4, 4, 3)))) {
    d <- dim(p)
    q <- p[sample(d[1]), sample(d[2]), sample(d[3]), drop = FALSE]
    a <- pid_discrete(p)
    b <- pid_discrete(q)
    expect_equal(b[c("r", "u_x1", "u_x2", "s")], a[c("r", "u_x1", "u_x2", "s")], tolerance = 1e-9)
  }
})

test_that("swapping the sources swaps the unique informations, which keep their sources' names", {
  withr::local_seed(7)
  for (p in list(pid_gate("and"), pid_gate("unq1"), pid_gate("reduced_or"),
                 array(runif(60), c(5, 4, 3)))) {
    a <- pid_discrete(p)
    swapped <- aperm(p, c(2, 1, 3))
    b <- pid_discrete(unname(swapped))
    expect_equal(b$r, a$r, tolerance = 1e-9)
    expect_equal(b$s, a$s, tolerance = 1e-9)
    expect_equal(b$u_x1, a$u_x2, tolerance = 1e-9)
    expect_equal(b$u_x2, a$u_x1, tolerance = 1e-9)
    if (!is.null(dimnames(p))) {
      named <- pid_discrete(swapped)
      expect_named(named, c("measure", "r", "u_x2", "u_x1", "s", "i_x2", "i_x1", "i_joint", "unit"))
      expect_equal(named$u_x1, a$u_x1, tolerance = 1e-9)
    }
  }
})

test_that("the sources' names flow into the columns, as in the rest of the package", {
  d <- data.frame(smoker = c(0, 0, 1, 1), gene = c(0, 1, 0, 1), disease = c(0, 0, 0, 1))
  res <- pid_discrete(d[rep(1:4, 5), ], measure = c("mmi", "pm"), pointwise = TRUE)
  expect_named(res$measures, c("measure", "r", "u_smoker", "u_gene", "s", "i_smoker", "i_gene",
                               "i_joint", "unit"))
  expect_named(res$pointwise, c("smoker", "gene", "disease", "p", "measure", "r", "u_smoker",
                                "u_gene", "s", "i_smoker", "i_gene", "i_joint", "unit"))
  expect_equal(unname(unlist(res$measures[1, 2:8])),
               unname(unlist(pid_discrete(pid_gate("and"), measure = "mmi")[1, 2:8])))
  # unnamed, or named with duplicates: x1, x2, y
  p <- unname(pid_gate("and"))
  expect_named(pid_discrete(p), c("measure", "r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint",
                                  "unit"))
  dimnames(p) <- list(a = 0:1, a = 0:1, y = 0:1)
  expect_identical(names(pid_discrete(p))[3:4], c("u_x1", "u_x2"))
})

# I_Q(X1, X2; Y) in nats.
mi_joint <- function(q) {
  qc <- apply(q, c(1, 2), sum)
  qy <- apply(q, 3, sum)
  keep <- q > 0
  den <- outer(qc, qy)
  sum(q[keep] * log(q[keep] / den[keep]))
}

test_that("BROJA finds the minimum over the coupling polytope on larger alphabets", {
  skip_without_test_entries()
  withr::local_seed(8)
  for (rep in 1:3) {
    p <- array(rgamma(48, 0.5), c(4, 4, 3))
    p[sample(48, 6)] <- 0
    p <- p / sum(p)
    res <- .Call(dmil:::C_dm_broja_q, as.vector(p), dim(p))
    expect_identical(res$status, "ok")
    q <- array(res$q, dim(p))
    # Q has the constrained marginals ...
    expect_equal(apply(q, c(1, 3), sum), apply(p, c(1, 3), sum), tolerance = 1e-12)
    expect_equal(apply(q, c(2, 3), sum), apply(p, c(2, 3), sum), tolerance = 1e-12)
    # ... all atoms are non-negative ...
    expect_true(all(res$atoms > -1e-10))
    # ... and no feasible move along a 2 x 2 cycle lowers I_Q (the problem is
    # convex, so a local minimum is the minimum).
    best <- mi_joint(q)
    for (k in 1:300) {
      y <- sample(3, 1)
      rows <- which(apply(p[, , y], 1, sum) > 0)
      cols <- which(apply(p[, , y], 2, sum) > 0)
      if (length(rows) < 2 || length(cols) < 2) next
      a <- sample(rows, 2)
      b <- sample(cols, 2)
      cyc <- q
      step <- runif(1, -1, 1) * 0.01
      cyc[a[1], b[1], y] <- cyc[a[1], b[1], y] + step
      cyc[a[2], b[2], y] <- cyc[a[2], b[2], y] + step
      cyc[a[1], b[2], y] <- cyc[a[1], b[2], y] - step
      cyc[a[2], b[1], y] <- cyc[a[2], b[1], y] - step
      if (any(cyc < 0)) next
      expect_gte(mi_joint(cyc), best - 1e-10)
    }
  }
})

test_that("pointwise values match the reference outcomes and average to the dataset values", {
  res <- pid_discrete(pid_gate("and"), measure = c("pm", "pmmi", "lsmi"), pointwise = TRUE)
  pw <- res$pointwise
  pm <- pw[pw$measure == "pm", ]
  at <- function(x1, x2) unlist(pm[pm$x1 == x1 & pm$x2 == x2, c("r", "u_x1", "u_x2", "s")])
  expect_equal(at("0", "0"), c(.4150375, 0, 0, 0), tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(at("0", "1"), c(.4150375, 0, -1, 1), tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(at("1", "0"), c(.4150375, -1, 0, 1), tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(at("1", "1"), c(1, 0, 0, 1), tolerance = 1e-6, ignore_attr = TRUE)
  for (m in c("pm", "pmmi", "lsmi")) {
    sub <- pw[pw$measure == m, ]
    means <- colSums(sub$p * sub[c("r", "u_x1", "u_x2", "s")])
    expect_equal(means, atoms_of(res$measures, m), tolerance = 1e-12, ignore_attr = TRUE)
  }
  or <- pid_discrete(pid_gate("or"), measure = "pm", pointwise = TRUE)$pointwise
  expect_equal(unlist(or[or$x1 == "0" & or$x2 == "0", c("r", "u_x1", "u_x2", "s")]), c(1, 0, 0, 1),
               tolerance = 1e-6, ignore_attr = TRUE)
  expect_equal(unlist(or[or$x1 == "1" & or$x2 == "1", c("r", "u_x1", "u_x2", "s")]), c(.4150375, 0, 0, 0),
               tolerance = 1e-6, ignore_attr = TRUE)
})

test_that("counts, probabilities and data frames of draws give the same answer", {
  p <- pid_gate("and")
  expect_equal(pid_discrete(p * 40), pid_discrete(p))
  draws <- data.frame(x1 = c(0, 0, 1, 1), x2 = c(0, 1, 0, 1), y = c(0, 0, 0, 1))
  from_df <- pid_discrete(draws[rep(1:4, 25), ])
  expect_equal(from_df[c("r", "u_x1", "u_x2", "s")], pid_discrete(p)[c("r", "u_x1", "u_x2", "s")],
               tolerance = 1e-9)
})

test_that("nats are bits times log 2", {
  b <- pid_discrete(pid_gate("sum"))
  n <- pid_discrete(pid_gate("sum"), unit = "nats")
  expect_equal(n$r, b$r * log(2), tolerance = 1e-9)
  expect_equal(n$i_joint, b$i_joint * log(2), tolerance = 1e-12)
  expect_identical(unique(n$unit), "nats")
})

test_that("bad distributions are rejected with classed errors", {
  p <- pid_gate("and")
  neg <- p
  neg[1] <- -0.1
  expect_error(pid_discrete(neg), class = "dmil_error_values")
  expect_error(pid_discrete(p * 0), class = "dmil_error_values")
  na <- p
  na[2] <- NA
  expect_error(pid_discrete(na), class = "dmil_error_values")
  expect_error(pid_discrete(matrix(1, 2, 2)), class = "dmil_error_dims")
  expect_error(pid_discrete(array(1, c(2, 2, 2, 2, 2))), class = "dmil_error_dims")
  expect_error(pid_discrete(data.frame(a = 1:3, b = 1:3)), class = "dmil_error_dims")
  expect_error(pid_discrete(p, measure = "foo"), class = "dmil_error_arg")
  expect_snapshot(pid_discrete(neg), error = TRUE)
})

test_that("data frames of samples must be discrete, and name their columns beyond three", {
  withr::local_seed(4)
  d <- data.frame(a = rbinom(300, 1, 0.5), b = rbinom(300, 1, 0.5))
  d$y <- as.integer(d$a & d$b)
  # a continuous source would make every sample an outcome of its own
  cont <- transform(d, a = rnorm(300))
  expect_error(pid_discrete(cont), "not discrete", class = "dmil_error_values")
  expect_error(pid_discrete(transform(d, a = seq_len(300))), "300 distinct values",
               class = "dmil_error_values")
  # a factor is discrete whatever its number of levels
  expect_no_error(pid_discrete(transform(d, a = factor(seq_len(300))), measure = "mmi"))
  # only the values that occur make the table, which has a bounded size
  wide <- transform(d, a = factor(a, levels = 0:9999))
  expect_equal(pid_discrete(wide, measure = "mmi")$r, pid_discrete(d, measure = "mmi")$r)
  ids <- data.frame(a = factor(seq_len(300)), b = factor(seq_len(300)), y = factor(seq_len(300)))
  expect_error(pid_discrete(ids, measure = "mmi"), "27,000,000 cells", class = "dmil_error_values")
  d$note <- "x"
  d$other <- "z"
  expect_error(pid_discrete(d), "three or four columns", class = "dmil_error_dims")
  named <- pid_discrete(d, sources = c("b", "a"), target = "y", measure = "mmi")
  expect_identical(names(named)[3:4], c("u_b", "u_a"))
  expect_equal(named$u_a, pid_discrete(d[1:3], measure = "mmi")$u_a)
  expect_error(pid_discrete(d, sources = c("b", "zz"), target = "y"), "zz",
               class = "dmil_error_arg")
  expect_error(pid_discrete(d, sources = "a", target = "y"), class = "dmil_error_arg")
  expect_error(pid_discrete(pid_gate("and"), target = "y"), "distribution",
               class = "dmil_error_arg")
  # names that would collide with the result's columns fall back to x1, x2, y
  clash <- data.frame(joint = d$a, p = d$b, y = d$y)
  res <- pid_discrete(clash, measure = "pm", pointwise = TRUE)
  expect_named(res$measures, c("measure", "r", "u_x1", "u_x2", "s", "i_x1", "i_x2", "i_joint", "unit"))
  expect_false(anyDuplicated(names(res$pointwise)) > 0)
})
