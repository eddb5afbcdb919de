# Tests run on at most two threads (CRAN policy; CI has two cores).
dmil_threads(2)

# Two views, each carrying one noisy bit. `label` decides how the bits make
# the class: "xor" (synergy: only the pair informs), "first" (the first view
# alone carries it, the second is noise), "both" (redundancy).
sim_bits <- function(n, label = c("xor", "first", "both"), d = 4, sd = 0.3, seed = 1) {
  label <- match.arg(label)
  withr::with_seed(seed, {
    a <- sample(0:1, n, TRUE)
    b <- sample(0:1, n, TRUE)
    if (label == "both") b <- a
    y <- switch(label, xor = xor(a, b), first = a == 1, both = a == 1)
    x <- list(
      a = matrix(2 * a - 1 + rnorm(d * n, sd = sd), n, d,
                 dimnames = list(NULL, paste0("a", seq_len(d)))),
      b = matrix(2 * b - 1 + rnorm(d * n, sd = sd), n, d,
                 dimnames = list(NULL, paste0("b", seq_len(d))))
    )
    list(x = x, y = factor(y, levels = c(FALSE, TRUE), labels = c("neg", "pos")))
  })
}

# The gradient checks and other test entry points of the C core are built
# only with DMIL_TESTING=1 (`make test` sets it; see configure).
# When DMIL_TESTING=1 is set for the tests too, as `make test` does, their
# absence is a failure, not a reason to skip.
has_test_entries <- function() exists("C_dm_gradcheck", envir = asNamespace("dmil"), inherits = FALSE)
skip_without_test_entries <- function() {
  if (has_test_entries()) return(invisible())
  if (Sys.getenv("DMIL_TESTING") == "1") {
    fail("DMIL_TESTING=1, but the installed dmil lacks its test entry points: reinstall with --preclean")
  }
  skip("dmil was built without its test entry points (DMIL_TESTING=1)")
}

skip_without_openmp <- function() {
  skip_if_not(.Call(dmil:::C_dm_threads_info)$openmp, "dmil was built without OpenMP")
}

subset_views <- function(x, rows) lapply(x, function(v) v[rows, , drop = FALSE])

# Test-set accuracy of a fit.
test_accuracy <- function(fit, data, ...) {
  mean(predict(fit, data$x, ...)$.pred_class == data$y)
}

# A small, fast fit for tests that check plumbing rather than learning.
quick_fit <- function(data, method = "joint", ...) {
  dmil_fit(data$x, data$y, method = method, hidden = 8, epochs = 3, progress = FALSE, ...)
}

# What every fitted method promises: the same fit for 1 and 2 threads, and
# the same predictions of each `type` after saveRDS()/readRDS().
# `fit_threads(n)` fits with n threads.
expect_fit_contract <- function(fit_threads, x, types = c("class", "prob", "logit")) {
  f1 <- fit_threads(1)
  f2 <- fit_threads(2)
  fields <- c("nets", "aux_nets", "history", "pool", "val_metrics")
  expect_identical(f1[fields], f2[fields])
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(f2, path)
  back <- readRDS(path)
  for (type in types) expect_identical(predict(back, x, type = type), predict(f2, x, type = type))
  invisible(f2)
}
