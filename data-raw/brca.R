# data/brca.rda: three omics views of 348 TCGA breast tumours, from the CRAN
# package r.jive (GPL-3), object BRCA_data (gene expression 645, DNA
# methylation 574, miRNA 423 features, stored features x samples) with the
# cluster labels of Lock and Dunson's Bayesian consensus clustering
# (clusts, 3 clusters). Samples are put in rows and matched across views by
# their TCGA sample barcode (the first 16 characters); to keep the package
# small, each view keeps its 200 features of highest variance, and values
# are rounded to 4 significant digits. Run from the repository root:
#   Rscript data-raw/brca.R
source("data-raw/install_source.R")
libs <- source_library("r.jive")
env <- new.env()
data("BRCA_data", package = "r.jive", lib.loc = libs, envir = env)
src <- env$Data
barcode <- function(m) substr(colnames(m), 1, 16)
ids <- barcode(src$Expression)
stopifnot(identical(ids, barcode(src$Methylation)), identical(ids, barcode(src$miRNA)))
view <- function(m, prefix, keep = 200) {
  m <- t(m)
  if (is.null(colnames(m))) colnames(m) <- paste0(prefix, seq_len(ncol(m)))
  v <- apply(m, 2, stats::var)
  m <- m[, order(v, decreasing = TRUE)[seq_len(keep)]]
  m <- signif(m, 4)
  rownames(m) <- ids
  m
}
brca <- list(
  x = list(expression = view(src$Expression, "gene_"),
           methylation = view(src$Methylation, "cpg_"),
           mirna = view(src$miRNA, "mirna_")),
  cluster = factor(env$clusts, labels = c("cluster1", "cluster2", "cluster3"))
)
attr(brca, "source") <- sprintf("r.jive %s", utils::packageVersion("r.jive", lib.loc = libs))
save(brca, file = "data/brca.rda", compress = "xz")
