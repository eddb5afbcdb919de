# The metrics of dmil_cv(), on examples small enough to work out by hand
# with yardstick's definitions (R/metrics.R).

test_that("multi-class metrics follow yardstick's macro definitions", {
  truth <- factor(c("a", "a", "b", "b", "c", "c"))
  # predicted: a, b, b, b, c, a
  prob <- rbind(c(0.6, 0.3, 0.1), c(0.2, 0.5, 0.3), c(0.1, 0.8, 0.1),
                c(0.3, 0.4, 0.3), c(0.1, 0.2, 0.7), c(0.5, 0.1, 0.4))
  m <- dmil:::class_metrics(prob, truth)
  expect_named(m, dmil:::metric_names)
  expect_equal(m[["accuracy"]], 4 / 6)
  # recall 1/2, 1, 1/2; specificity 3/4, 3/4, 1
  expect_equal(m[["bal_accuracy"]], ((1 / 2 + 1 + 1 / 2) / 3 + (3 / 4 + 3 / 4 + 1) / 3) / 2)
  # precision 1/2, 2/3, 1: F1 1/2, 4/5, 2/3
  expect_equal(m[["f_macro"]], (1 / 2 + 4 / 5 + 2 / 3) / 3)
  expect_equal(m[["log_loss"]], -mean(log(c(0.6, 0.2, 0.8, 0.4, 0.7, 0.4))))
  onehot <- outer(as.integer(truth), 1:3, `==`)
  expect_equal(m[["brier"]], mean(rowSums((onehot - prob)^2)) / 2)
})

test_that("the multi-class AUC is Hand and Till's mean over pairs of classes", {
  withr::local_seed(3)
  n <- 60
  truth <- factor(sample(c("a", "b", "c"), n, TRUE))
  prob <- matrix(runif(3 * n), n)
  prob[cbind(1:n, as.integer(truth))] <- prob[cbind(1:n, as.integer(truth))] + 0.3
  prob <- prob / rowSums(prob)
  prob[1:5, ] <- prob[6, ]  # ties
  # A(i | j): the chance that a sample of i scores higher on p_i than one of j (ties 1/2)
  a_given <- function(i, j) {
    si <- prob[truth == levels(truth)[i], i]
    sj <- prob[truth == levels(truth)[j], i]
    mean(outer(si, sj, ">") + 0.5 * outer(si, sj, "=="))
  }
  pairs <- list(c(1, 2), c(1, 3), c(2, 3))
  expected <- mean(vapply(pairs, function(p) (a_given(p[1], p[2]) + a_given(p[2], p[1])) / 2, 0))
  expect_equal(dmil:::class_metrics(prob, truth)[["roc_auc"]], expected)
})

test_that("two-class metrics take the first class as the event", {
  truth <- factor(c("a", "a", "a", "b", "b"))
  # predicted: a, a, b, b, a
  p_a <- c(0.9, 0.7, 0.4, 0.2, 0.6)
  m <- dmil:::class_metrics(cbind(p_a, 1 - p_a), truth)
  expect_equal(m[["bal_accuracy"]], (2 / 3 + 1 / 2) / 2)
  expect_equal(m[["f_macro"]], 2 / 3)  # precision 2/3, recall 2/3
  # the usual AUC of p_a: 5 of the 6 (a, b) pairs are ordered correctly
  expect_equal(m[["roc_auc"]], 5 / 6)
  # probabilities of 0 and 1 are clamped as yardstick clamps them
  sure <- dmil:::class_metrics(cbind(c(1, 0), c(0, 1)), factor(c("a", "a"), levels = c("a", "b")))
  expect_equal(sure[["log_loss"]], -mean(log(c(1 - .Machine$double.eps, .Machine$double.eps))))
})
