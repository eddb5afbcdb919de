library(testthat)
library(dmil)

test_check("dmil")
