test_that("a long fit stops on an interrupt and leaves R usable", {
  skip_on_cran()
  skip_if_not_installed("callr")
  rs <- callr::r_session$new()
  on.exit(rs$close(), add = TRUE)
  rs$call(function() {
    n <- 5000
    x <- list(a = matrix(stats::rnorm(n * 20), n), b = matrix(stats::rnorm(n * 20), n))
    y <- rep(c("u", "v"), n / 2)
    started <- Sys.time()
    res <- tryCatch(dmil::dmil_fit(x, y, epochs = 1e5, nthreads = 1, progress = FALSE),
                    interrupt = function(e) "interrupted")
    list(res = res, seconds = as.numeric(Sys.time() - started, units = "secs"))
  })
  Sys.sleep(2)
  rs$interrupt()
  expect_equal(rs$poll_process(10000), "ready")
  out <- rs$read()
  expect_null(out$error)
  expect_identical(out$result$res, "interrupted")
  expect_lt(out$result$seconds, 10)
  # the session is still usable, and dmil still works in it
  expect_equal(rs$run(function() {
    x <- list(a = matrix(1:20 + 0, 10), b = matrix(stats::rnorm(20), 10))
    f <- dmil::dmil_fit(x, rep(c("u", "v"), 5), method = "joint", epochs = 1, batch_size = 4,
                        progress = FALSE)
    nrow(predict(f, x))
  }), 10)
})

test_that("long exact decompositions (BROJA, CCS) stop on an interrupt within a second", {
  skip_on_cran()
  skip_if_not_installed("callr")
  # BROJA on a 30 x 30 x 20 alphabet (minutes); CCS on a 64 x 64 AND, too
  # large for the linear programs that find its support first, whose
  # proportional fitting runs to its sweep cap (about 75 s)
  problems <- list(
    broja = function() {
      set.seed(1)
      p <- array(stats::runif(30 * 30 * 20), c(30, 30, 20))
      list(p = p / sum(p), measure = "broja")
    },
    ccs = function() {
      p <- array(0, c(64, 64, 2))
      p[, , 1] <- 1
      p[64, 64, ] <- c(0, 1)
      list(p = p / sum(p), measure = "ccs")
    })
  for (nm in names(problems)) {
    rs <- callr::r_session$new()
    rs$call(function(make) {
      a <- make()
      tryCatch(dmil::pid_discrete(a$p, measure = a$measure, progress = FALSE),
               interrupt = function(e) Sys.time())
    }, list(problems[[nm]]))
    Sys.sleep(2)
    sent <- Sys.time()
    rs$interrupt()
    expect_equal(rs$poll_process(10000), "ready", label = nm)
    out <- rs$read()
    expect_null(out$error, label = nm)
    expect_s3_class(out$result, "POSIXct")
    expect_lt(as.numeric(out$result - sent, units = "secs"), 1, label = nm)
    expect_equal(rs$run(function() {
      round(dmil::pid_discrete(dmil::pid_gate("xor"), measure = "broja")$s, 6)
    }), 1, label = nm)
    rs$close()
  }
})
