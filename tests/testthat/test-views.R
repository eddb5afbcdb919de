# The table interface (dmil_views(), dmil_fit(views =, outcome =)).
sim <- simulate_interactions(400, "mix4", seed = 31)
tab <- data.frame(sim$x$x1, sim$x$x2, label = sim$y)
names(tab) <- c(paste0("a_", 1:16), paste0("b_", 1:16), "label")
by_list <- list(x1 = tab[1:16], x2 = tab[17:32])
fit_list <- dmil_fit(by_list, sim$y, method = "joint", epochs = 4, seed = 1, nthreads = 1)

test_that("a table with tidyselect or character views gives the list interface's fit", {
  f1 <- dmil_fit(tab, views = list(x1 = starts_with("a_"), x2 = starts_with("b_")),
                 outcome = "label", method = "joint", epochs = 4, seed = 1, nthreads = 1)
  expect_identical(f1$nets, fit_list$nets)
  cols <- list(x1 = paste0("a_", 1:16), x2 = paste0("b_", 1:16))
  f2 <- dmil_fit(tab, views = cols, outcome = "label", method = "joint", epochs = 4, seed = 1,
                 nthreads = 1)
  expect_identical(f2$nets, fit_list$nets)
  # labels given as y instead of a column
  f3 <- dmil_fit(tab[-33], sim$y, views = cols, method = "joint", epochs = 4, seed = 1,
                 nthreads = 1)
  expect_identical(f3$nets, fit_list$nets)
  expect_identical(f1$table, list(views = cols, outcome = "label"))
})

test_that("a fit from a table predicts tables by column name, and augment() finds its table", {
  f <- dmil_fit(tab, views = list(x1 = starts_with("a_"), x2 = starts_with("b_")),
                outcome = "label", method = "joint", epochs = 4, seed = 1, nthreads = 1)
  shuffled <- tab[c(33, 32:1)]
  expect_identical(predict(f, shuffled, type = "prob"), predict(fit_list, by_list, type = "prob"))
  expect_identical(predict(f, tab[-33]), predict(fit_list, by_list))
  a <- augment(f)
  expect_identical(a$truth, sim$y)
  expect_error(predict(f, tab[-3]), "a_3", class = "dmil_error_newdata")
  # lists still work, and the table's spec survives saveRDS()
  expect_identical(predict(f, by_list), predict(fit_list, by_list))
  path <- withr::local_tempfile(fileext = ".rds")
  saveRDS(f, path)
  expect_identical(predict(readRDS(path), tab), predict(f, tab))
})

test_that("a column in two views or in none, a missing outcome or unnamed views are refused", {
  fit_tab <- function(...) dmil_fit(tab, method = "late", epochs = 2, nthreads = 1, ...)
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = c("a_1", starts_with("b_"))),
                       outcome = "label"), "a_1 \\(x1 and x2\\)", class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = num_range("b_", 1:10)),
                       outcome = "label"), "6 are in none", class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = starts_with("b_"))),
               "\"label\"", class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = starts_with("b_")),
                       outcome = "lab"), "no column", class = "dmil_error_outcome")
  expect_error(fit_tab(views = list(starts_with("a_"), starts_with("b_")), outcome = "label"),
               "named list", class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = c("b_1", "zzz")),
                       outcome = "label"), "View \"x2\"", class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = starts_with("a_"), x2 = starts_with("b_"), x3 = "zzz_")),
               class = "dmil_error_views")
  expect_error(fit_tab(views = list(x1 = "label", x2 = starts_with("b_"), x3 = starts_with("a_")),
                       outcome = "label"), "also a feature", class = "dmil_error_views")
  expect_error(dmil_fit(by_list, sim$y, outcome = "label"), "views", class = "dmil_error_arg")
  expect_error(fit_tab(sim$y, views = list(x1 = starts_with("a_"), x2 = starts_with("b_")),
                       outcome = "label"), "once", class = "dmil_error_arg")
  expect_error(dmil_fit(by_list, views = list(x1 = "a_1"), outcome = "label"), "one data frame",
               class = "dmil_error_views")
})

test_that("interaction tables take tables too, and predict tables", {
  it <- suppressWarnings(dmil_interactions(tab, views = list(x1 = starts_with("a_"),
                                                              x2 = starts_with("b_")),
                                           outcome = "label", epochs = 3, repeats = 1, seed = 1,
                                           nthreads = 1, progress = FALSE))
  it_list <- suppressWarnings(dmil_interactions(by_list, sim$y, epochs = 3, repeats = 1, seed = 1,
                                                nthreads = 1, progress = FALSE))
  strip <- function(t) {
    attr(t, "dmil") <- NULL
    t
  }
  expect_equal(strip(it), strip(it_list))
  expect_identical(attr(it, "dmil")$table$outcome, "label")
  expect_identical(predict(it, tab, new_y = tab$label), predict(it_list, by_list, new_y = sim$y))
})

test_that("dmil_views() makes the x and y of any function from a table", {
  v <- dmil_views(tab, list(x1 = starts_with("a_"), x2 = starts_with("b_")), outcome = "label")
  expect_named(v, c("x", "y"))
  expect_identical(v$x, by_list)
  expect_identical(v$y, sim$y)
  expect_null(dmil_views(tab[-33], list(x1 = starts_with("a_"), x2 = starts_with("b_")))$y)
  cv <- dmil_cv(v$x, v$y, folds = 2, methods = "late", epochs = 2, seed = 1, nthreads = 1)
  expect_s3_class(cv, "dmil_cv")
  # resampling functions take the split views, and say so for a table
  expect_error(dmil_cv(tab, folds = 2, views = list(x1 = starts_with("a_"), x2 = starts_with("b_")),
                       outcome = "label"), "dmil_views", class = "dmil_error_arg")
  expect_error(dmil_tune(tab, grid = list(hidden = 8), outcome = "label"), "dmil_views",
               class = "dmil_error_arg")
  # tidyselect through a function of one's own needs embracing
  wrap <- function(sel) dmil_views(tab, sel, outcome = "label")
  expect_error(wrap(list(x1 = starts_with("a_"), x2 = starts_with("b_"))), "Embrace",
               class = "dmil_error_views")
})
