#' Nutrimouse: liver gene expression and fatty acids of 40 mice
#'
#' The nutrimouse study: 40 mice of two genotypes (wild type and PPAR-alpha
#' deficient) fed one of five diets (4 mice per genotype and diet), with two
#' views measured in the liver.
#'
#' @format A list with
#' \describe{
#'   \item{x}{a named list of two views, samples in rows (`mouse01` to
#'     `mouse40`): `gene`, expression of 120 genes (40 x 120), and `lipid`,
#'     the percentages of 21 hepatic fatty acids (40 x 21).}
#'   \item{diet}{factor, 5 levels: `coc` (coconut oil), `fish`, `lin`
#'     (linseed), `ref` (reference), `sun` (sunflower).}
#'   \item{genotype}{factor: `wt`, `ppar`.}
#' }
#' @source Produced by `data-raw/nutrimouse.R` from the object `nutrimouse` of
#'   the CRAN package whitening (version 1.4.0, GPL (>= 3)), which carries the
#'   same data as the packages CCA and mixOmics. Data of P. Martin (INRA
#'   Toulouse).
#' @references Martin P. G. P., Guillou H., Lasserre F., et al. (2007). Novel
#'   aspects of PPARalpha-mediated regulation of lipid and xenobiotic
#'   metabolism revealed through a nutrigenomic study. Hepatology 45,
#'   767-777.
#' @examples
#' sapply(nutrimouse$x, dim)
#' table(nutrimouse$diet, nutrimouse$genotype)
"nutrimouse"

#' Three omics views of 348 breast tumours
#'
#' Gene expression, DNA methylation and miRNA expression of 348 breast
#' tumours from The Cancer Genome Atlas, with a three-cluster grouping of the
#' tumours.
#'
#' @format A list with
#' \describe{
#'   \item{x}{a named list of three views, samples in rows (TCGA sample
#'     barcodes): `expression` (348 x 200), `methylation` (348 x 200) and
#'     `mirna` (348 x 200), each the 200 features of highest variance of the
#'     original view (645 genes, 574 CpG sites, 423 miRNAs), values rounded
#'     to 4 significant digits.}
#'   \item{cluster}{factor: the clusters found by Bayesian consensus
#'     clustering (82, 93 and 173 tumours); a clustering of the data, not a
#'     clinical subtype.}
#' }
#' @source Produced by `data-raw/brca.R` from the objects `Data` and `clusts`
#'   of `data(BRCA_data)` in the CRAN package r.jive (version 2.4, GPL-3),
#'   transposed to samples in rows and matched across views by barcode.
#' @references The Cancer Genome Atlas Network (2012). Comprehensive molecular
#'   portraits of human breast tumours. Nature 490, 61-70.
#'
#'   Lock E. F., Dunson D. B. (2013). Bayesian consensus clustering.
#'   Bioinformatics 29, 2610-2616.
#' @examples
#' sapply(brca$x, dim)
#' table(brca$cluster)
"brca"

#' A small simulated data set with known interaction types
#'
#' 600 samples of the MIX4 design of [simulate_interactions()] (K = 2 classes,
#' two views of 16 features, noise sd 0.5, the second view weaker:
#' `kappa = c(1, 0.6)`), for examples that must run fast.
#'
#' @format A list with `x` (views `x1`, `x2`), `y` (labels), `type` (the
#'   simulated interaction type of each sample) and `oracle` (the exact
#'   per-sample values, measure `"pmmi"`, bits).
#' @source `data-raw/mix4_small.R`:
#'   `simulate_interactions(600, "mix4", K = 2, sigma = 0.5, kappa = c(1, 0.6), seed = 2026)`.
#' @examples
#' table(mix4_small$type)
"mix4_small"
