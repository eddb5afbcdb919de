# A fast subset of the R tests, run by `make sanitize` against the package
# built with AddressSanitizer and UndefinedBehaviorSanitizer (halting on the
# first finding, so a finding fails the run): the C core's gradients, the
# DMIL network with absent views, sparse views, the exact PID solvers,
# threads, hostile inputs and damaged fits.
files <- c("core-gradients", "missing-views", "sparse", "pid-discrete", "threads",
           "input-validation", "validate", "data", "predict")
library(testthat)
library(dmil)
res <- lapply(files, function(f) {
  test_file(file.path("tests/testthat", paste0("test-", f, ".R")), package = "dmil",
            load_package = "installed", reporter = "summary")
})
failed <- sum(vapply(res, function(r) sum(as.data.frame(r)$failed), numeric(1)))
cat(sprintf("\n%d test files under the sanitizers, %d failures\n", length(files), failed))
quit(status = failed > 0)
