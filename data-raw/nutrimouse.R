# data/nutrimouse.rda: the nutrimouse study (Martin et al. 2007) as shipped by
# the CRAN package whitening (GPL >= 3), which carries the same object as
# CCA and mixOmics: 40 mice, hepatic gene expression (120 genes) and hepatic
# fatty acid composition (21 fatty acids), diet (5 levels) and genotype
# (wild type, PPAR-alpha deficient). Run from the repository root:
#   Rscript data-raw/nutrimouse.R
source("data-raw/install_source.R")
libs <- source_library("whitening")
env <- new.env()
data("nutrimouse", package = "whitening", lib.loc = libs, envir = env)
src <- env$nutrimouse
ids <- sprintf("mouse%02d", seq_len(nrow(src$gene)))
as_view <- function(d) {
  m <- as.matrix(d)
  storage.mode(m) <- "double"
  dimnames(m) <- list(ids, colnames(d))
  m
}
nutrimouse <- list(
  x = list(gene = as_view(src$gene), lipid = as_view(src$lipid)),
  diet = src$diet,
  genotype = src$genotype
)
stopifnot(nrow(nutrimouse$x$gene) == 40, ncol(nutrimouse$x$gene) == 120,
          ncol(nutrimouse$x$lipid) == 21)
attr(nutrimouse, "source") <- sprintf("whitening %s", utils::packageVersion("whitening", lib.loc = libs))
save(nutrimouse, file = "data/nutrimouse.rda", compress = "xz")
