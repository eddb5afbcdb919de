test_that("dmil_threads() sets and reports the package default", {
  skip_without_openmp()
  old <- dmil_threads(1)
  on.exit(dmil_threads(old))
  expect_equal(dmil_threads(), 1)
  expect_equal(dmil_threads(2), 1)
  expect_equal(dmil_threads(), 2)
})

test_that("without a session setting the default comes from the environment, then the option", {
  skip_without_openmp()
  saved <- dmil:::the$threads
  on.exit(assign("threads", saved, envir = dmil:::the))
  rm("threads", envir = dmil:::the)
  withr::local_envvar(DMIL_NUM_THREADS = NA)
  withr::local_options(dmil.nthreads = NULL)
  expect_equal(dmil_threads(), 2)
  withr::local_options(dmil.nthreads = 1)
  expect_equal(dmil_threads(), 1)
  withr::local_envvar(DMIL_NUM_THREADS = "2")
  expect_equal(dmil_threads(), 2)
  withr::local_envvar(DMIL_NUM_THREADS = "two")
  expect_warning(n <- dmil_threads(), class = "dmil_warning_threads")
  expect_equal(n, 1)
})

test_that("0 threads means every core", {
  skip_without_openmp()
  old <- dmil_threads(0)
  on.exit(dmil_threads(old))
  expect_equal(dmil_threads(), min(parallel::detectCores(), .Call(dmil:::C_dm_threads_info)$procs))
})

test_that("OMP_THREAD_LIMIT caps the thread count", {
  skip_on_cran()
  out <- callr::r(function() dmil::dmil_threads(8), env = c(callr::rcmd_safe_env(), OMP_THREAD_LIMIT = "1"))
  expect_equal(out, 1)
})

test_that("verbose output names OpenMP, the BLAS and the source of the default", {
  msg <- cli::cli_fmt(dmil_threads(verbose = TRUE))
  expect_true(any(grepl("OpenMP", msg)))
  expect_true(any(grepl("BLAS", msg)))
  # (cli may join words with non-breaking spaces)
  expect_true(any(grepl("default", msg) & grepl("dmil_threads()", msg, fixed = TRUE)))
})

test_that("invalid thread counts are rejected", {
  expect_error(dmil_threads(-1), class = "dmil_error_arg")
  expect_error(dmil_threads("2"), class = "dmil_error_arg")
})

test_that("thread counts beyond the processors are capped, and absurd ones refused", {
  procs <- .Call(dmil:::C_dm_threads_info)$procs
  expect_identical(.Call(dmil:::C_dm_threads_effective, 1000000L),
                   if (.Call(dmil:::C_dm_threads_info)$openmp) procs else 1L)
  d <- sim_bits(200, "both", seed = 9)
  a <- dmil_fit(d$x, d$y, method = "joint", epochs = 2, seed = 1, nthreads = 1)
  rlang::local_options(rlib_message_verbosity = "verbose")
  expect_message(b <- dmil_fit(d$x, d$y, method = "joint", epochs = 2, seed = 1, nthreads = 1e6),
                 "instead of 1000000", class = "dmil_message_threads")
  expect_identical(b$nets, a$nets)
  expect_identical(suppressMessages(predict(b, d$x, nthreads = 1e6)), predict(a, d$x))
  withr::local_envvar(DMIL_NUM_THREADS = "1000000")
  expect_lte(suppressMessages(dmil_threads()), procs)
  expect_error(dmil_fit(d$x, d$y, nthreads = 1e12), "between 0 and", class = "dmil_error_arg")
  expect_error(dmil_threads(1e7), class = "dmil_error_arg")
})
