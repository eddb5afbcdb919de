# Hostile and edge inputs, one row each with the outcome it must have: "ok"
# (no error) or "dmil_error" (an error of the package's class). They run in
# a child R process, one after the other, each case's name written to a
# file before it starts, so that a crash or a hang fails this test naming
# the case instead of killing the test run. The rows follow the categories
# of the hardening audit: resource arguments, numeric range, damaged fits,
# refusals of valid input and errors that must be the package's.

hostile_setup <- function() {
  set.seed(1)
  n <- 60
  x <- list(a = matrix(stats::rnorm(n * 4), n, dimnames = list(NULL, paste0("a", 1:4))),
            b = matrix(stats::rnorm(n * 3), n, dimnames = list(NULL, paste0("b", 1:3))))
  y <- factor(rep(c("u", "v"), n / 2))
  quick <- function(x, y, ...) dmil::dmil_fit(x, y, hidden = 8, epochs = 2, progress = FALSE, ...)
  joint <- quick(x, y, method = "joint")
  dmil <- quick(x, y, control = dmil::dmil_control(finetune_epochs = 1, scores = list(epochs = 1)))
  environment()
}

hostile_cases <- list(
  # resource arguments
  threads_fit = list("ok", quote(quick(x, y, method = "joint", nthreads = 1e6))),
  threads_predict = list("ok", quote(predict(joint, x, nthreads = 1e6))),
  threads_global = list("ok", quote({
    old <- dmil::dmil_threads(1e6)
    on.exit(dmil::dmil_threads(old))
    quick(x, y, method = "late")
  })),
  threads_huge = list("dmil_error", quote(quick(x, y, nthreads = 1e12))),
  threads_negative = list("dmil_error", quote(quick(x, y, nthreads = -1))),
  hidden_huge = list("dmil_error", quote(dmil::dmil_fit(x, y, hidden = 1e5, progress = FALSE))),
  epochs_zero = list("dmil_error", quote(dmil::dmil_fit(x, y, epochs = 0, progress = FALSE))),
  batch_fraction = list("dmil_error", quote(quick(x, y, batch_size = 2.5))),
  lr_negative = list("dmil_error", quote(quick(x, y, lr = -1))),
  validation_one = list("dmil_error", quote(quick(x, y, validation = 1))),
  sim_classes = list("dmil_error", quote(dmil::simulate_interactions(10, "mix4", K = 1e6))),
  sim_huge_n = list("dmil_error", quote(dmil::simulate_interactions(1e9, "mix4"))),
  sim_dims_fraction = list("dmil_error", quote(dmil::simulate_interactions(10, "mix4", dims = c(2.5, 3)))),
  sim_bad_pi = list("dmil_error", quote(dmil::simulate_interactions(10, "mix4", pi = c(1, NA, 0, 0)))),
  broja_large = list("ok", quote(dmil::pid_discrete(array(stats::runif(4000), c(20, 20, 10)),
                                                    measure = "broja", progress = FALSE))),
  broja_too_large = list("dmil_error", quote(dmil::pid_discrete(array(1, c(60, 60, 10)),
                                                                measure = "broja"))),
  # numeric range
  view_times_1e200 = list("ok", quote(quick(list(a = x$a * 1e200, b = x$b), y, method = "joint"))),
  view_times_1e307 = list("ok", quote(quick(list(a = x$a * 1e307, b = x$b), y, method = "joint"))),
  view_huge_spread = list("dmil_error", quote(quick(list(a = cbind(x$a, c(-1.7e308, 1.7e308, rep(0, 58))),
                                                        b = x$b), y, method = "joint"))),
  view_inf = list("dmil_error", quote(quick(list(a = replace(x$a, 3, Inf), b = x$b), y))),
  view_nan_scattered = list("dmil_error", quote(quick(list(a = replace(x$a, 3, NaN), b = x$b), y))),
  view_na_row = list("ok", quote(quick(list(a = x$a, b = replace(x$b, cbind(5, 1:3), NA)), y))),
  view_na_row_joint = list("dmil_error", quote(quick(list(a = x$a, b = replace(x$b, cbind(5, 1:3), NA)),
                                                     y, method = "joint"))),
  view_all_na = list("dmil_error", quote(quick(list(a = x$a, b = x$b * NA), y))),
  view_constant = list("dmil_error", quote(quick(list(a = x$a, b = x$b * 0), y))),
  view_character = list("dmil_error", quote(quick(list(a = x$a, b = matrix("z", 60, 2)), y))),
  label_inf = list("dmil_error", quote(quick(x, c(rep(1, 59), Inf)))),
  label_na = list("dmil_error", quote(quick(x, replace(y, 4, NA)))),
  label_identifier = list("dmil_error", quote(quick(x, paste0("id", 1:60)))),
  label_many_classes = list("ok", quote(quick(x, rep(1:30, 2), method = "joint"))),
  label_measurement = list("dmil_error", quote(quick(x, round(stats::rnorm(60) * 1000)))),
  label_one_class = list("dmil_error", quote(quick(x, rep("u", 60)))),
  label_wrong_length = list("dmil_error", quote(quick(x, y[-1]))),
  # damaged fits
  fit_theta_na = list("dmil_error", quote({
    f <- joint
    f$nets[[1]]$theta[5] <- NA
    predict(f, x)
  })),
  fit_scale_zero = list("dmil_error", quote({
    f <- joint
    f$views$a$scale[1] <- 0
    predict(f, x)
  })),
  fit_method_edited = list("dmil_error", quote({
    f <- joint
    f$method <- "foo"
    predict(f, x)
  })),
  fit_theta_short = list("dmil_error", quote({
    f <- dmil
    f$nets$dmil$theta <- f$nets$dmil$theta[-1]
    predict(f, x)
  })),
  fit_hidden_missing = list("dmil_error", quote({
    f <- dmil
    f$nets$dmil$arch$hidden <- NULL
    predict(f, x)
  })),
  fit_levels_missing = list("dmil_error", quote({
    f <- joint
    f$levels <- NULL
    predict(f, x)
  })),
  fit_not_a_fit = list("dmil_error", quote(predict(structure(list(), class = "dmil_fit"), x))),
  fit_no_history_print = list("ok", quote({  # print() says the fit is damaged
    f <- joint
    f$history <- NULL
    utils::capture.output(print(f))
  })),
  fit_saved = list("ok", quote({
    path <- tempfile(fileext = ".rds")
    saveRDS(dmil, path)
    predict(readRDS(path), x)
  })),
  # valid inputs that must not be refused
  small_default_batch = list("ok", quote(dmil::dmil_fit(x, y, method = "joint", epochs = 1,
                                                         progress = FALSE))),
  validation_large = list("ok", quote(quick(x, y, method = "joint", validation = 0.5))),
  missing_view_predict = list("ok", quote(predict(dmil, x["a"]))),
  data_frame_views = list("ok", quote(quick(lapply(x, as.data.frame), y, method = "joint"))),
  integer_views = list("ok", quote(quick(list(a = round(x$a * 10), b = x$b), y, method = "joint"))),
  # transposed, misnamed or mismatched views
  transposed_view = list("dmil_error", quote(quick(list(a = x$a, b = t(x$b)), y))),
  rows_disagree = list("dmil_error", quote(quick(list(a = x$a, b = x$b[-1, ]), y))),
  unnamed_views = list("dmil_error", quote(quick(unname(x), y))),
  one_view = list("dmil_error", quote(quick(x["a"], y))),
  predict_missing_column = list("dmil_error", quote(predict(joint, list(a = x$a[, -1], b = x$b)))),
  # errors that must be the package's: argument matching, dots, types
  method_unknown = list("dmil_error", quote(quick(x, y, method = "nope"))),
  dots_unknown = list("dmil_error", quote(quick(x, y, foo = 1))),
  predict_type_unknown = list("dmil_error", quote(predict(joint, x, type = "nope"))),
  control_bad = list("dmil_error", quote(dmil::dmil_control(latent = -1))),
  control_wrong_method = list("dmil_error", quote(quick(x, y, method = "joint",
                                                        control = dmil::dmil_control()))),
  cv_tiny_class = list("ok", quote(dmil::dmil_cv(x, factor(c(rep("u", 57), rep("v", 3))),
                                                 folds = 5, epochs = 1))),
  interactions_unit = list("dmil_error", quote(dmil::dmil_interactions(x, y, unit = "bytes"))),
  pid_continuous = list("dmil_error", quote(dmil::pid_discrete(data.frame(a = stats::rnorm(10),
                                                                          b = 1:10 %% 2,
                                                                          y = 1:10 %% 3)))),
  pid_huge_alphabet = list("dmil_error", quote(dmil::pid_discrete(data.frame(
    a = factor(sample(3000, 5000, TRUE)), b = factor(sample(3000, 5000, TRUE)),
    y = factor(sample(3000, 5000, TRUE)))))),
  pid_unused_levels = list("ok", quote(dmil::pid_discrete(data.frame(
    a = factor(1:10 %% 2, levels = 0:2999), b = factor(1:10 %% 3), y = factor(1:10 %% 2)),
    measure = "mmi"))),
  pid_negative = list("dmil_error", quote(dmil::pid_discrete(array(c(-1, rep(1, 7)), c(2, 2, 2))))),
  pid_measure_unknown = list("dmil_error", quote(dmil::pid_discrete(dmil::pid_gate("xor"),
                                                                    measure = "nope")))
)

# Runs the cases in one child process; returns each case's outcome ("ok",
# "dmil_error", "other_error: <class>", "crash" or "hang").
run_hostile <- function(cases, timeout = 300) {
  progress <- tempfile()
  rs <- callr::r_session$new()
  on.exit(rs$close(), add = TRUE)
  rs$call(function(setup, cases, progress) {
    env <- setup()
    out <- character()
    for (nm in names(cases)) {
      cat(nm, "\n", file = progress, append = TRUE)
      out[nm] <- tryCatch({
        suppressMessages(suppressWarnings(eval(cases[[nm]][[2]], env)))
        "ok"
      }, error = function(e) {
        if (inherits(e, "dmil_error")) "dmil_error" else paste("other_error:", class(e)[1])
      })
    }
    out
  }, list(hostile_setup, cases, progress))
  state <- rs$poll_process(timeout * 1000)
  started <- if (file.exists(progress)) trimws(readLines(progress)) else character()
  if (state != "ready") {
    return(list(outcome = NULL, failed_at = utils::tail(started, 1), why = "hang"))
  }
  res <- rs$read()
  if (!is.null(res$error)) {
    return(list(outcome = NULL, failed_at = utils::tail(started, 1), why = "crash"))
  }
  list(outcome = res$result)
}

test_that("no hostile input crashes R, hangs it, or gets an outcome other than its own", {
  skip_on_cran()
  skip_if_not_installed("callr")
  res <- run_hostile(hostile_cases)
  expect_null(res$why, label = paste("a", res$why, "in case", res$failed_at))
  expected <- vapply(hostile_cases, `[[`, "", 1)
  got <- res$outcome[names(expected)]
  wrong <- names(expected)[got != expected]
  expect_identical(wrong, character(0),
                   label = paste(sprintf("%s (%s, expected %s)", wrong, got[wrong], expected[wrong]),
                                 collapse = "; "))
})
