test_that("the shipped data sets have the documented shapes", {
  expect_named(nutrimouse, c("x", "diet", "genotype"))
  expect_equal(lapply(nutrimouse$x, dim), list(gene = c(40L, 120L), lipid = c(40L, 21L)))
  expect_equal(nlevels(nutrimouse$diet), 5)
  expect_identical(levels(nutrimouse$genotype), c("wt", "ppar"))
  expect_identical(rownames(nutrimouse$x$gene), rownames(nutrimouse$x$lipid))

  expect_equal(lapply(brca$x, dim),
               list(expression = c(348L, 200L), methylation = c(348L, 200L), mirna = c(348L, 200L)))
  expect_equal(as.vector(table(brca$cluster)), c(82, 93, 173))
  expect_identical(rownames(brca$x$expression), rownames(brca$x$mirna))

  expect_equal(lapply(mix4_small$x, dim), list(x1 = c(600L, 16L), x2 = c(600L, 16L)))
  expect_equal(length(mix4_small$type), 600)
})

test_that("the data sets are ready for dmil", {
  expect_s3_class(dmil_fit(nutrimouse$x, nutrimouse$genotype, method = "late", epochs = 2,
                           batch_size = 8, progress = FALSE), "dmil_fit")
  expect_no_error(dmil:::check_views(brca$x))
})
