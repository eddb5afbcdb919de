test_that("citation() gives the method's paper and the package with its version", {
  ci <- citation("dmil")
  expect_length(ci, 2)
  expect_match(ci[[1]]$title, "Information-Theoretic Decomposition for Multimodal Interaction Learning")
  expect_identical(ci[[1]]$year, "2026")
  expect_match(ci[[2]]$note, as.character(utils::packageVersion("dmil")), fixed = TRUE)
})
